// npm run playground: serve playground/dist on 127.0.0.1 (port: --port=N, or
// PORT, default 8080; --build builds it first). Under /csp/<policy>/ the same
// files are served with a Content-Security-Policy header, pages and worker
// script alike (a worker from a same-origin URL has the policy of its own
// response), for the browser tests and for trying a policy by hand:
//   /csp/self/   script-src 'self'                       (no eval, no wasm)
//   /csp/wasm/   script-src 'self' 'wasm-unsafe-eval'    (wasm, no eval)
//   /csp/eval/   script-src 'self' 'unsafe-eval'         (eval; in Chromium wasm too)
//   /csp/default/ default-src 'self'                     (as self; styles from files only)
//   /csp/blob/   script-src 'self' blob:                 (a blob: worker, no eval, no wasm)
//   /csp/workerblob/ script-src 'self'; worker-src blob: (blob: workers only)
//   /csp/noworker/ default-src 'self'; worker-src 'none' (no worker at all)
//   /csp/tt/     require-trusted-types-for 'script'      (wasm; no eval of strings)
// Under /csp-page/<policy>/ the policy comes with HTML responses only (a worker
// loaded by URL then has none of its own), and under /coi/ every response has
// the cross-origin isolation headers (COOP + COEP).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, dirname, normalize, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const POLICIES = {
  self: "script-src 'self'",
  wasm: "script-src 'self' 'wasm-unsafe-eval'",
  eval: "script-src 'self' 'unsafe-eval'",
  default: "default-src 'self'",
  blob: "script-src 'self' blob:",
  workerblob: "script-src 'self'; worker-src blob:",
  noworker: "default-src 'self'; worker-src 'none'",
  tt: "require-trusted-types-for 'script'",
};
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** Start serving `dir`; resolves to the server once it listens. */
export function serve(dir, port = 0) {
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = { 'Cache-Control': 'no-store' };
    const csp = /^\/csp(-page)?\/(\w+)(\/.*)$/.exec(path);
    if (csp) {
      if (!Object.hasOwn(POLICIES, csp[2])) { res.writeHead(404).end('unknown policy'); return; }
      path = csp[3].endsWith('/') ? `${csp[3]}index.html` : csp[3];
      if (!csp[1] || path.endsWith('.html')) headers['Content-Security-Policy'] = POLICIES[csp[2]];
    } else if (path.startsWith('/coi/')) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      path = path.slice(4);
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(dir, path));
    if (!file.startsWith(normalize(dir))) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = process.argv.find((a) => a.startsWith('--port='));
  const port = Number(arg ? arg.slice(7) : process.env.PORT ?? 8080);
  if (process.argv.includes('--build')) {
    const { buildPlayground } = await import('./build.mjs');
    await buildPlayground();
  }
  const server = await serve(join(HERE, 'dist'), port);
  console.log(`tiervm playground: http://127.0.0.1:${server.address().port}/`);
}

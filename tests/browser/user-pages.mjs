// Pages a user writes around tiervm (tests/browser/pages/, written from README.md
// and docs/embedding.md only), in headless Chromium over http, from a static
// server that serves the package as installed (/node_modules/tiervm/: its
// package.json and dist/) beside them:
//   - native ES modules, no bundler: import by path (index.html), through an
//     import map (importmap.html), and in a module Worker (worker.js);
//   - under a content security policy (csp.html): script-src 'self' (no eval, no
//     wasm: the interpreter) and script-src 'self' 'wasm-unsafe-eval';
//   - cross-origin isolated (COOP + COEP), where a Worker's guest is stopped from
//     the page through its interruptBuffer, and not isolated, where it cannot be
//     (no SharedArrayBuffer: the flag the page holds is a copy; it terminates
//     the worker);
//   - the app bundled by esbuild for the browser, formats esm and iife;
//   - a page that defines a partial process ({ env }), as many apps do;
//   - the example of docs/embedding.md, "In a web page", as the doc has it.
// Each page runs pages/app.js in every mode it can (interp, auto, jit on each
// backend the page allows) and its results must equal app.js's in Node (the
// backend apart, checked on its own), and every program's run() must equal
// `tiervm run` of it. Run by tests/browser/run.mjs, or alone:
// node tests/browser/user-pages.mjs (--serve: serve the pages to try by hand)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, readFileSync, writeFileSync, symlinkSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join, dirname, normalize, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import * as tiervm from '../../dist/vm.js';
import { exercise, PROGRAMS, DEFAULTS_PROGRAM } from './pages/app.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PAGES = join(ROOT, 'tests/browser/pages');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.map': 'application/json' };
const POLICIES = { self: "script-src 'self'", wasm: "script-src 'self' 'wasm-unsafe-eval'" };

/** Serve the pages, the package under /node_modules/tiervm/ and the bundles
 *  under /bundle/; /coi/... adds the isolation headers, /csp/NAME/... a policy
 *  (to every response: a worker's script has the policy of its own response). */
function serve(bundles, doc = docExample()) {
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = { 'Cache-Control': 'no-store' };
    let m;
    if ((m = /^\/csp\/(\w+)(\/.*)$/.exec(path)) && Object.hasOwn(POLICIES, m[1])) {
      headers['Content-Security-Policy'] = POLICIES[m[1]];
      path = m[2];
    } else if (path.startsWith('/coi/')) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      path = path.slice(4);
    }
    let base = PAGES;
    if (path.startsWith('/node_modules/tiervm/')) {
      path = path.slice('/node_modules/tiervm'.length);
      base = ROOT;
      if (!(path === '/package.json' || path.startsWith('/dist/'))) { res.writeHead(404).end(); return; }
    } else if (path.startsWith('/doc/') && Object.hasOwn(doc.files, path.slice(5))) {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] }).end(doc.files[path.slice(5)]);
      return;
    } else if (path.startsWith('/bundle/')) {
      path = path.slice('/bundle'.length);
      base = bundles;
    }
    const file = normalize(join(base, path));
    if (!file.startsWith(base)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The example of docs/embedding.md, "In a web page": its page (index.html),
 *  its worker (guest.js) and what the page shows once stopped. */
function docExample() {
  const doc = readFileSync(join(ROOT, 'docs/embedding.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## In a web page'));
  const block = (lang) => new RegExp(`^\`\`\`${lang}\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(section)?.[1];
  return { files: { 'index.html': block('html'), 'guest.js': block('javascript') }, output: block('output') };
}

/** The doc's page: press Stop once the worker's guest runs; what it shows. */
async function docPage(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // (a browser asks for /favicon.ico, which the doc's page does not name)
  page.on('console', (m) => { if (m.type() === 'error' && !m.location()?.url?.endsWith('/favicon.ico')) errors.push(m.text()); });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#stop:not([disabled])', { timeout: 30_000 });
  await new Promise((r) => setTimeout(r, 200));
  await page.click('#stop');
  await page.waitForFunction(() => /interrupted|terminated/.test(document.getElementById('out').textContent), { timeout: 30_000 });
  await new Promise((r) => setTimeout(r, 100));
  const shown = await page.$eval('#out', (e) => e.textContent);
  await page.close();
  return { shown, errors };
}

/** The app bundled as a user would: a project with tiervm in node_modules. */
async function bundle() {
  const dir = mkdtempSync(join(tmpdir(), 'tiervm-userpage-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules/tiervm'));
  for (const f of ['bundle-entry.js', 'page.js', 'app.js']) copyFileSync(join(PAGES, f), join(dir, f));
  const { build } = await import(join(ROOT, 'node_modules/esbuild/lib/main.js'));
  for (const format of ['esm', 'iife']) {
    await build({ entryPoints: [join(dir, 'bundle-entry.js')], absWorkingDir: dir, bundle: true, platform: 'browser', format,
      outfile: join(dir, 'out', `${format}.js`), logLevel: 'error' });
  }
  return join(dir, 'out');
}

/** `tiervm run` of each program (the name as given, from its folder). */
function cliResults() {
  const dir = mkdtempSync(join(tmpdir(), 'tiervm-userpage-cli-'));
  const out = {};
  const cli = (file, flags, p) => {
    writeFileSync(join(dir, file), p.source);
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/tiervm.js'), 'run', ...flags, file, ...p.args], { cwd: dir, input: p.stdin, encoding: 'utf8' });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
  };
  for (const [file, p] of Object.entries(PROGRAMS)) if (file !== 'loop.tier') out[file] = cli(file, p.stackSizeKB ? [`--stack-size=${p.stackSizeKB}`] : [], p);
  out.maxSteps = cli('loop.tier', ['--max-steps=100000'], PROGRAMS['loop.tier']);
  out.deadlineMs = cli('loop.tier', ['--deadline-ms=50'], PROGRAMS['loop.tier']);
  out.defaults = cli('defaults.tier', [], { source: DEFAULTS_PROGRAM, args: [], stdin: '' });
  return out;
}

/** Where a deadline stops run() depends on the clock: at the first step (main's
 *  call of spin, before spin's frame exists) when compiling and the first
 *  output took the whole deadline (tier jit on a loaded machine), else inside
 *  spin. Both are right; the rest must be the same. */
const SPIN_FRAME = '  at spin (loop.tier:1)\n';
function settle(results) {
  for (const r of Object.values(results)) {
    const d = r?.limits?.deadlineMs;
    if (d) d.stderr = d.stderr.replace(SPIN_FRAME, '');
  }
  return results;
}

/** Results with every `backend` field taken out (and returned apart). */
function split(results) {
  const backends = {};
  const strip = (v, path) => {
    if (Array.isArray(v)) return v.map((x, i) => strip(x, `${path}/${i}`));
    if (v === null || typeof v !== 'object') return v;
    const o = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'backend') backends[path] = x;
      else o[k] = strip(x, `${path}/${k}`);
    }
    return o;
  };
  return { rest: strip(results, ''), backends };
}

/** The first difference between two values, as a path and both sides. */
function diff(a, b, path = '') {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = diff(a[k], b[k], `${path}/${k}`);
      if (d) return d;
    }
  }
  return `${path}: ${JSON.stringify(a)?.slice(0, 400)} vs Node's ${JSON.stringify(b)?.slice(0, 400)}`;
}

const nodeResults = new Map();

/** Check one exercise() result of a page (`where`) against Node and the command. */
function checkExercise(ok, where, got, host, cli) {
  const backends = [...(host.wasm ? ['wasm'] : []), ...(host.eval ? ['js'] : [])];
  const key = backends.join();
  // as the page's came: undefined left out
  const node = nodeResults.get(key) ?? nodeResults.set(key, split(settle(JSON.parse(JSON.stringify(exercise(tiervm, backends))))).rest).get(key);
  const { rest, backends: chosen } = split(settle(structuredClone(got)));
  const d = diff(rest, node);
  ok(d === null, `${where}: the same as Node: ${d}`);
  const auto = host.wasm ? 'wasm' : host.eval ? 'js' : 'none';
  for (const [path, b] of Object.entries(chosen)) {
    const mode = path.split('/')[1];
    const want = mode === 'interp' ? 'none' : mode.startsWith('jit ') ? mode.slice(4) : auto;
    ok(b === want, `${where}: backend at ${path} is ${b}, expected ${want}`);
  }
  for (const [mode, r] of Object.entries(got)) {
    if (mode === 'badOption' || mode === 'compileThread') continue;
    for (const file of Object.keys(PROGRAMS).filter((f) => f !== 'loop.tier')) {
      const c = cli[file];
      ok(r[file].stdout === c.stdout && r[file].stderr === c.stderr && r[file].exitCode === c.exitCode,
        `${where} ${mode} ${file}: as tiervm run: ${JSON.stringify(r[file])} vs ${JSON.stringify(c)}`);
    }
    for (const lim of ['maxSteps', 'deadlineMs']) {
      const x = r.limits[lim], c = cli[lim];
      const same = lim === 'maxSteps' ? x.stderr === c.stderr : x.stderr.replace(SPIN_FRAME, '') === c.stderr.replace(SPIN_FRAME, '');
      ok(x.stdout === c.stdout && same && x.exitCode === c.exitCode, `${where} ${mode} ${lim}: as tiervm run: ${JSON.stringify(x)} vs ${JSON.stringify(c)}`);
    }
  }
}

async function openPage(browser, url) {
  const page = await browser.newPage();
  const errors = [], logs = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} ${m.location()?.url ?? ''}`);
    if (m.type() === 'log') logs.push(m.text());
  });
  await page.goto(url, { waitUntil: 'load' });
  try {
    await page.waitForFunction(() => globalThis.results !== undefined || globalThis.failed !== undefined, { timeout: 120_000 });
  } catch (e) {
    await page.close();
    return { failed: `no results: ${e.message}`, errors, logs };
  }
  const r = await page.evaluate(() => ({ results: globalThis.results, failed: globalThis.failed }));
  await page.close();
  return { ...r, errors, logs };
}

/** [path, what, host expected, checks a worker and stopping a guest] */
const CASES = [
  ['/index.html', 'ES modules by path', { wasm: true, eval: true, sab: false, isolated: false }, true],
  ['/coi/index.html', 'ES modules, cross-origin isolated', { wasm: true, eval: true, sab: true, isolated: true }, true],
  ['/importmap.html', 'an import map', { wasm: true, eval: true, sab: false, isolated: false }, false],
  ['/csp/self/csp.html', `CSP ${POLICIES.self}`, { wasm: false, eval: false, sab: false, isolated: false }, true],
  ['/csp/wasm/csp.html', `CSP ${POLICIES.wasm}`, { wasm: true, eval: false, sab: false, isolated: false }, true],
  ['/shim.html', 'a page that defines a partial process', { wasm: true, eval: true, sab: false, isolated: false }, false],
  ['/bundle-esm.html', 'esbuild bundle, esm', { wasm: true, eval: true, sab: false, isolated: false }, false],
  ['/bundle-iife.html', 'esbuild bundle, iife', { wasm: true, eval: true, sab: false, isolated: false }, false],
];

/** Check the pages (`only`: those paths) in `browser`; `jitless`: Chromium with
 *  --js-flags=--jitless (no WebAssembly: the js backend). */
export async function userPages(browser, ok, { only = null, jitless = false } = {}) {
  const bundles = await bundle();
  const server = await serve(bundles);
  const base = `http://127.0.0.1:${server.address().port}`;
  const cli = cliResults();
  try {
    for (const [path, what0, host, worker] of CASES) {
      if (only !== null && !only.includes(path)) continue;
      const wantHost = jitless ? { ...host, wasm: false } : host;
      const what = jitless ? `${what0}, --jitless` : what0;
      const t0 = Date.now();
      let failures = 0;
      const check = (cond, msg) => { if (!cond) failures++; return ok(cond, `user page ${path} (${what}): ${msg}`); };
      const { results: r, failed, errors, logs } = await openPage(browser, base + path);
      if (!check(failed === undefined, `the page failed: ${failed}; ${errors.join('; ')}`)) continue;
      // No stdout or stderr callback: output goes to console.log and console.error
      // (one message per delivery, its last newline left out).
      const out = cli.defaults.stdout.replace(/\n$/, ''), err = cli.defaults.stderr.replace(/\n$/, '');
      check(r.defaults === cli.defaults.exitCode && logs.includes(out) && errors.some((e) => e.startsWith(`${err} `)),
        `default output: exit ${r.defaults}, console.log ${JSON.stringify(logs)}, console.error ${JSON.stringify(errors)}`);
      errors.splice(0, errors.length, ...errors.filter((e) => !e.startsWith(`${err} `)));
      check(isDeepStrictEqual(r.host, wantHost), `host ${JSON.stringify(r.host)}, expected ${JSON.stringify(wantHost)}`);
      checkExercise(check, 'main thread', r.main, r.host, cli);
      if (worker) {
        check(isDeepStrictEqual(r.worker.host, wantHost), `worker host ${JSON.stringify(r.worker.host)}`);
        checkExercise(check, 'worker', r.worker.results, r.worker.host, cli);
        for (const [mode, s] of Object.entries(r.stop)) {
          const want = mode === 'interp' ? 'none' : mode.startsWith('jit,') ? (wantHost.wasm ? 'wasm' : 'js') : mode.slice(4);
          if (wantHost.isolated) {
            check(s.shared && !s.terminated && s.exitCode === 1 && s.stdout === 'spinning\n' && s.flagAfter === 0 && s.backend === want
              && s.stderr === 'runtime error: interrupted\n  at spin (loop.tier:1)\n  at main (loop.tier:2)\n',
            `${mode}: the guest in a worker, stopped through its interruptBuffer: ${JSON.stringify(s)}`);
          } else {
            check(mode !== 'jit, own flag', 'a page without SharedArrayBuffer cannot make its own flag');
            check(!s.shared && s.terminated, `${mode}: no shared memory, the flag is a copy, the worker is terminated: ${JSON.stringify(s)}`);
          }
        }
      }
      // Nothing is refused or fails on the way, under a policy too (the VM's
      // probes for WebAssembly and eval leave no console error).
      check(errors.length === 0, `console errors: ${errors.join('; ')}`);
      if (r.compileThread) check(r.compileThread.stdout === cli['io.tier'].stdout, `compile: 'thread': ${JSON.stringify(r.compileThread)}`);
      console.log(`${failures === 0 ? 'ok  ' : 'FAIL'} user page ${path} (${what}): ${Object.values(r.main).filter((m) => m.calls).length} modes${worker ? ', main thread and worker, a guest in a worker stopped' : ''}, identical to Node and tiervm run (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    // The example of docs/embedding.md, cross-origin isolated and not.
    const doc = docExample();
    for (const [path, want] of [['/coi/doc/index.html', doc.output], ['/doc/index.html', 'hello, page: from stdin\nsquare: 2.25\nterminated\n']]) {
      if (only !== null && !only.includes(path)) continue;
      const { shown, errors } = await docPage(browser, base + path);
      ok(shown === want && errors.length === 0, `docs/embedding.md's page ${path} shows ${JSON.stringify(shown)}, expected ${JSON.stringify(want)}; errors: ${errors.join('; ')}`);
      console.log(`${shown === want ? 'ok  ' : 'FAIL'} docs/embedding.md's page at ${path}: ${JSON.stringify(shown.split('\n').slice(-3).join(' | '))}`);
    }
  } finally {
    server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--serve')) {
  // Serve the pages to try by hand: node tests/browser/user-pages.mjs --serve
  const server = await serve(await bundle());
  console.log(`http://127.0.0.1:${server.address().port}/index.html (also /coi/..., /csp/self/csp.html, /csp/wasm/csp.html, /importmap.html, /bundle-esm.html, /bundle-iife.html)`);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { default: puppeteer } = await import('puppeteer-core');
  const CHROMIUM = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, protocolTimeout: 120_000, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  let failures = 0;
  const ok = (cond, what) => { if (!cond) { failures++; console.log(`FAIL ${what}`); } return cond; };
  try {
    await userPages(browser, ok);
  } finally {
    await browser.close();
  }
  const jitless = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, protocolTimeout: 120_000, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--js-flags=--jitless'] });
  try {
    await userPages(jitless, ok, { only: ['/coi/index.html'], jitless: true });
  } finally {
    await jitless.close();
  }
  console.log(failures === 0 ? 'user pages: all passed' : `user pages: ${failures} failures`);
  process.exitCode = failures === 0 ? 0 : 1;
}

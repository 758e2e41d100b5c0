// What the page's content security policy allows, read from the policy itself
// (the page's own response headers, fetched again with HEAD, and any <meta>
// policy), so the page can choose where to run programs without setting off
// a violation: a blob: worker where the policy allows one (it inherits the
// page's policy, so what it finds by trying is what the page allows), else a
// worker by URL, which takes the policy of its own response. That worker is
// also told what the page's policy allows, so a server that sends the policy
// with the page only does not let programs use more than the page may.
// Source lists are matched as CSP3 says for what matters here: blob: must be
// named (`*` does not cover it); 'unsafe-eval' allows eval and WebAssembly,
// 'wasm-unsafe-eval' WebAssembly; require-trusted-types-for 'script' refuses
// eval of strings.

export interface PagePolicy {
  /** null: the policy could not be read (try, and see). */
  blobWorkers: boolean | null;
  /** False where the policy refuses every worker ('none'). */
  urlWorkers: boolean;
  wasm: boolean;
  eval: boolean;
}

type Directives = Map<string, string[]>;

function parse(policy: string): Directives {
  const d: Directives = new Map();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !d.has(name.toLowerCase())) d.set(name.toLowerCase(), sources.map((s) => s.toLowerCase()));
  }
  return d;
}

/** The source list of the first directive of `order` the policy has (CSP's fallbacks). */
function governing(d: Directives, order: string[]): string[] | null {
  for (const name of order) { const list = d.get(name); if (list) return list; }
  return null;
}

function allowsOf(d: Directives): Omit<PagePolicy, 'blobWorkers'> & { blobWorkers: boolean } {
  const workers = governing(d, ['worker-src', 'child-src', 'script-src', 'default-src']);
  const scripts = governing(d, ['script-src', 'default-src']);
  const trusted = (d.get('require-trusted-types-for') ?? []).includes("'script'");
  return {
    blobWorkers: workers === null || workers.includes('blob:'),
    urlWorkers: workers === null || !(workers.length === 0 || (workers.length === 1 && workers[0] === "'none'")),
    wasm: scripts === null || scripts.includes("'unsafe-eval'") || scripts.includes("'wasm-unsafe-eval'"),
    eval: !trusted && (scripts === null || scripts.includes("'unsafe-eval'")),
  };
}

/** Every policy the page is under: its response's Content-Security-Policy
 *  headers (several are joined by commas) and <meta http-equiv> policies; null
 *  if the response could not be fetched again. */
async function policies(): Promise<string[] | null> {
  const metas = [...document.querySelectorAll('meta[http-equiv]')]
    .filter((m) => m.getAttribute('http-equiv')!.toLowerCase() === 'content-security-policy')
    .map((m) => m.getAttribute('content') ?? '');
  try {
    const r = await fetch(location.href, { method: 'HEAD', cache: 'no-store', credentials: 'same-origin' });
    const header = r.headers.get('content-security-policy');
    return [...metas, ...(header ? header.split(',') : [])];
  } catch {
    return null;
  }
}

/** What every policy of the page allows. */
export async function pagePolicy(): Promise<PagePolicy> {
  const all = await policies();
  if (all === null) return { blobWorkers: null, urlWorkers: true, wasm: true, eval: true };
  const each = all.map((p) => allowsOf(parse(p)));
  return {
    blobWorkers: each.every((a) => a.blobWorkers),
    urlWorkers: each.every((a) => a.urlWorkers),
    wasm: each.every((a) => a.wasm),
    eval: each.every((a) => a.eval),
  };
}

// npm run test:browser: tiervm in headless Chromium (Debian's /usr/bin/chromium,
// or CHROMIUM=path), driven by puppeteer-core, against the built playground
// served by playground/server.mjs.
//   1. the conformance corpus through window.tiervm.run (the page's worker, as
//      the Run button), in auto mode with tier-up and OSR at every chance and
//      with everything compiled (and a part of it in tier opt, in auto with
//      tier 2 from profiles, with the js backend, interpreted): output, errors
//      and exit status identical to Node's for the same program and options,
//      and as the corpus expects;
//   2. the content-security-policy matrix (the policies of playground/server.mjs,
//      sent with every response or with the page only): each page shows what
//      its runner may do and where it runs, runs a sample of the corpus with
//      output identical to Node's, and reports the backend the VM chose, with
//      no violation where the policy allows the page what it does; Chromium
//      with --js-flags=--jitless (no WebAssembly) chooses js;
//   3. the playground as a user drives it: an example through the Run button
//      (output, tier-map rows, bytecode, WAT, tier log, crossings), tier 2 and
//      deopts in the map, a program typed with the keyboard with args and stdin
//      from the page, runtime and compile errors with their positions, the
//      shared link, Stop (terminating the worker; interrupting the run where
//      cross-origin isolated), window.tiervm.run against the command's output
//      and exit status; a screenshot goes to playground/screenshot.png;
//   4. the static build from a sub-path of python3 -m http.server;
//   5. pages a user writes around the package (user-pages.mjs: ES modules by
//      path and through an import map, a module Worker, two policies, cross-
//      origin isolation and its absence, a partial process, esbuild bundles;
//      the isolated one again under --jitless), identical to Node and tiervm run.
// Usage: node tests/browser/run.mjs [--quick] [--no-screenshot]
import { readFileSync, existsSync, mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { listPrograms, parseExpectations, checkResult } from '../corpus.mjs';
import { load } from '../../dist/vm.js';
import { buildPlayground } from '../../playground/build.mjs';
import { serve, POLICIES } from '../../playground/server.mjs';
import { userPages } from './user-pages.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const QUICK = process.argv.includes('--quick');
const CHROMIUM = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
/** Programs that measure the host rather than the VM, left out here with the reason. */
const SKIP = new Map([
]);

let failures = 0;
const fail = (what) => { failures++; console.log(`FAIL ${what}`); };
const ok = (cond, what) => { if (!cond) fail(what); return cond; };

/** The program in Node, in this process, as the page's worker runs it. */
function inNode(file, source, o) {
  let stdout = '', stderr = '';
  const r = load(file, source, { tier: o.tier, jitThreshold: o.jitThreshold, backend: o.backend, args: o.args, stdin: o.stdin, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  const exitCode = r.ok ? r.program.run() : r.exitCode;
  return { stdout, stderr, exitCode };
}

function corpus() {
  return listPrograms(ROOT).filter((f) => !SKIP.has(f)).map((file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    return { file, source, exp: parseExpectations(source) };
  });
}

/** Run `programs` on `page` with `o`; compare with Node and the expectations. */
async function runCorpus(page, label, programs, o, wantBackend) {
  const t0 = Date.now();
  let passed = 0;
  const backends = new Set();
  for (const p of programs) {
    const opts = { ...o, file: p.file, args: p.exp.args, stdin: p.exp.stdin };
    const got = await page.evaluate((src, opts) => window.tiervm.run(src, opts).then((r) => ({ ...r, events: r.events.length })), p.source, opts);
    const node = inNode(p.file, p.source, opts);
    const problem = checkResult(p.exp, got);
    let good = true;
    if (problem) { fail(`${label} ${p.file}: ${problem}`); good = false; }
    for (const k of ['stdout', 'stderr', 'exitCode']) {
      if (got[k] !== node[k]) { fail(`${label} ${p.file}: ${k} differs from Node: ${JSON.stringify(String(got[k]).slice(0, 300))} vs ${JSON.stringify(String(node[k]).slice(0, 300))}`); good = false; break; }
    }
    if (got.exitCode !== 1 || !p.exp.errors.length) backends.add(got.backend);
    if (good) passed++;
  }
  const chosen = [...backends].join(',');
  const backendOk = wantBackend === undefined || (backends.size === 1 && backends.has(wantBackend));
  if (!backendOk) fail(`${label}: backend ${chosen}, expected ${wantBackend}`);
  console.log(`${passed === programs.length && backendOk ? 'ok  ' : 'FAIL'} ${label}: ${passed}/${programs.length} identical to Node, backend ${chosen} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

async function openPage(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.tiervm !== undefined, { timeout: 20_000 });
  const caps = await page.evaluate(() => window.tiervm.capabilities());
  return { page, caps, errors };
}

async function launch(extra = []) {
  return puppeteer.launch({
    executablePath: CHROMIUM, headless: true, protocolTimeout: 120_000,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', ...extra],
  });
}

/** Each policy of playground/server.mjs: the capabilities the page shows (tried
 *  in the runner), where programs run, and the backend the VM chose for a sample
 *  of the corpus (output identical to Node's). `page` policies come with the
 *  HTML only: the worker by URL has no policy of its own and is held to the page's. */
const POLICY_CASES = [
  ['/csp/self/', { wasm: false, eval: false, where: 'worker' }, 'none', 'sample'],
  ['/csp/wasm/', { wasm: true, eval: false, where: 'worker' }, 'wasm', 'sample'],
  // Chromium: 'unsafe-eval' allows WebAssembly compilation as well.
  ['/csp/eval/', { wasm: true, eval: true, where: 'worker' }, 'wasm', 'sample'],
  ['/csp/default/', { wasm: false, eval: false, where: 'worker' }, 'none'],
  ['/csp/blob/', { wasm: false, eval: false, where: 'blob worker' }, 'none'],
  ['/csp/workerblob/', { wasm: false, eval: false, where: 'blob worker' }, 'none'],
  ['/csp/noworker/', { wasm: false, eval: false, where: 'page' }, 'none'],
  ['/csp/tt/', { wasm: true, eval: false, where: 'blob worker' }, 'wasm'],
  ['/csp-page/self/', { wasm: false, eval: false, where: 'worker' }, 'none'],
  ['/csp-page/eval/', { wasm: true, eval: true, where: 'worker' }, 'wasm'],
  ['/csp-page/blob/', { wasm: false, eval: false, where: 'blob worker' }, 'none'],
  ['/coi/', { wasm: true, eval: true, where: 'blob worker' }, 'wasm'],
];

async function policyMatrix(browser, base, sample) {
  for (const [path, want, backend, programs = 'few'] of POLICY_CASES) {
    const { page, caps, errors } = await openPage(browser, base + path);
    const label = `${path} (${POLICIES[path.split('/')[2]] ?? 'cross-origin isolated'})`;
    console.log(`${label}: ${JSON.stringify(caps)}`);
    ok(caps.wasm === want.wasm && caps.eval === want.eval && caps.where === want.where, `${label}: capabilities ${JSON.stringify(caps)}, expected ${JSON.stringify(want)}`);
    const shown = await page.$eval('#caps', (e) => ({ text: e.textContent, backend: e.dataset.backend }));
    ok(shown.backend === backend && shown.text.includes(`runs in: ${want.where}`), `${label}: the page shows ${JSON.stringify(shown)}`);
    // The editor is styled (CodeMirror's styles are not refused by a policy without 'unsafe-inline').
    ok(await page.$eval('.cm-gutters', (e) => getComputedStyle(e).display === 'flex'), `${label}: the editor is styled`);
    await runCorpus(page, `${label}, tier jit`, programs === 'sample' ? sample : sample.slice(0, 8), { tier: 'jit' }, backend);
    if (path === '/csp/eval/') await runCorpus(page, `${label}, tier jit, js backend`, sample.slice(0, 20), { tier: 'jit', backend: 'js' }, 'js');
    // Where the policy allows what the page does, nothing is refused on the way (no violation, no error).
    if (want.where !== 'page') ok(errors.length === 0, `${label}: console errors: ${errors.join('; ')}`);
    await page.close();
  }
}

/** Wait for the run the page shows to end; its status. */
async function runEnded(page) {
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'done', { timeout: 60_000 });
  return page.evaluate(() => ({ ...document.getElementById('status').dataset, output: document.getElementById('output').textContent, text: document.getElementById('status').textContent }));
}

/** Replace the editor's program by typing it, as a user would. */
async function typeProgram(page, text) {
  await page.click('.cm-content');
  await page.keyboard.down('Control'); await page.keyboard.press('a'); await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
}

const TYPED = `// typed into the editor
struct P { x: i32, y: i32 }
fn add(p: P) -> i32 {
    if p.x > (p.y) { return p.x - p.y; }
    return [p.x, p.y][1] + p.x;
}
fn main(args: [str]) {
    let who = read_line();
    var n = 0;
    while n < 3 {
        print("{" + str(add(new P { x: n, y: 2 })) + "} [" + args[0] + "] (" + who + ")");
        n = n + 1;
    }
}
`;

async function playground(browser, base) {
  const { page: pg, errors: pgErrors } = await openPage(browser, `${base}/`);
  await pg.setViewport({ width: 1400, height: 1000 });
  // An example through the Run button: its output, tier map and panes.
  await pg.select('#examples', await pg.evaluate(() => [...document.querySelectorAll('#examples option')].find((o) => o.textContent === 'fib').value));
  await pg.select('#tier', 'auto');
  await pg.$eval('#threshold', (e) => { e.value = '200'; });
  await pg.click('#run');
  const fib = await runEnded(pg);
  const view = await pg.evaluate(() => ({
    rows: [...document.querySelectorAll('#tiermap g.row')].map((g) => g.getAttribute('data-fn')),
    compiledBars: document.querySelectorAll('#tiermap rect.compiled').length,
    bytecode: document.getElementById('bytecode').textContent,
    code: document.getElementById('code').textContent,
    caps: document.getElementById('caps').textContent,
    log: document.getElementById('tierlog').textContent,
    crossings: document.getElementById('crossings').textContent,
    hash: location.hash,
  }));
  console.log(`playground: ${fib.text}; tier map rows ${view.rows.join(', ')}`);
  ok(fib.output === 'fib(30) = 832040\n', `playground output ${JSON.stringify(fib.output)}`);
  ok(fib.exitCode === '0' && fib.backend === 'wasm', `playground status ${JSON.stringify(fib)}`);
  ok(view.rows.includes('fib') && view.rows.includes('main') && view.compiledBars >= 1, `tier map rows ${view.rows}`);
  ok(/fn fib\(i\) -> i/.test(view.bytecode), 'bytecode pane');
  ok(/\(func/.test(view.code), 'generated code pane shows WAT');
  ok(/WebAssembly: yes/.test(view.caps), 'capabilities shown');
  ok(/\[tier\] compile fib: \d+ bytecode words/.test(view.log), `tier log: ${view.log.slice(0, 200)}`);
  ok(/interp→compiled [1-9]/.test(view.crossings) && /compiled→compiled [1-9]/.test(view.crossings), `crossings: ${view.crossings}`);
  ok(view.hash.includes('code='), 'share link in the URL hash');

  // Tier 2 and deopts: the map shows tier-2 code, the deopts and their reason.
  await pg.select('#examples', await pg.evaluate(() => [...document.querySelectorAll('#examples option')].find((o) => o.textContent === 'deopt').value));
  ok(await pg.$eval('#threshold', (e) => e.value) === '50', 'the deopt example sets the threshold its comment names');
  await pg.click('#run');
  const deopt = await runEnded(pg);
  const score = await pg.$eval('#tiermap g.row[data-fn="score"]', (g) => ({
    tier2: g.querySelectorAll('rect.tier2').length, deopts: g.querySelectorAll('path.deopt').length,
    invalidated: g.querySelectorAll('rect.invalidated').length, text: g.textContent, title: g.querySelector('path.deopt title')?.textContent,
  }));
  ok(deopt.output === 'total 940409\n', `deopt example output ${JSON.stringify(deopt.output)}`);
  ok(score.tier2 >= 1 && score.deopts === 4 && score.invalidated === 1 && /4 deopts \(branch taken\)/.test(score.text) && /deopt at pc \d+: branch taken/.test(score.title),
    `tier map row of score: ${JSON.stringify(score)}`);
  ok(/\[deopt\] invalidate score after 4 deopts/.test(await pg.$eval('#tierlog', (e) => e.textContent)), 'tier log shows the invalidation');
  await pg.select('#tier', 'opt');
  await pg.click('#run');
  await runEnded(pg);
  ok(await pg.$$eval('#tiermap rect.compiled.tier2', (r) => r.length) >= 2, 'tier opt: tier-2 bars');

  // A program typed with the keyboard (brackets, indentation, strings), args and stdin from the page.
  await pg.select('#tier', 'auto');
  await typeProgram(pg, TYPED);
  await pg.$eval('#args', (e) => { e.value = ''; });
  await pg.type('#args', 'first second');
  await pg.type('#stdin', 'typist\nignored\n');
  await pg.click('#run');
  const typed = await runEnded(pg);
  const want = '{2} [first] (typist)\n{3} [first] (typist)\n{4} [first] (typist)\n';
  ok(typed.output === want && typed.exitCode === '0', `typed program: ${JSON.stringify(typed)}`);
  const inEditor = await pg.evaluate(() => window.tiervm.getSource());
  ok(inEditor.replace(/\s+/g, '') === TYPED.replace(/\s+/g, ''), `typed program in the editor: ${JSON.stringify(inEditor)}`);

  // Focusing the editor's box and typing (as page.type('#editor', ...) does) types into the editor.
  await pg.focus('#editor');
  await pg.keyboard.down('Control'); await pg.keyboard.press('a'); await pg.keyboard.up('Control');
  await pg.keyboard.type('fn main() { print("focus"); }');
  await pg.click('#run');
  const focused = await runEnded(pg);
  ok(focused.output === 'focus\n', `typed after focusing #editor: ${JSON.stringify(focused)}`);

  // A runtime error: its stack in the output, its line underlined.
  await pg.evaluate(() => window.tiervm.setSource('fn main() {\n  var z = 0;\n  print(10 / z);\n}\n'));
  await pg.click('#run');
  const rte = await runEnded(pg);
  ok(rte.exitCode === '1' && rte.output === 'runtime error: division by zero\n  at main (playground.tier:3)\n', `runtime error: ${JSON.stringify(rte)}`);
  const rteMark = await pg.$eval('.cm-lintRange-error', (e) => e.textContent).catch(() => null);
  ok(rteMark === 'print(10 / z);', `runtime error underline on ${JSON.stringify(rteMark)}`);

  // A compile error: underlined at its position as it is typed, and reported with it by Run.
  await pg.evaluate(() => window.tiervm.setSource('fn main() {\n  let x: i32 = "no";\n}\n'));
  await pg.waitForSelector('.cm-lintRange-error', { timeout: 10_000 });
  const marked = await pg.$eval('.cm-lintRange-error', (e) => e.textContent);
  ok(marked === '"no"', `error underline on ${JSON.stringify(marked)}`);
  await pg.click('#run');
  const ce = await runEnded(pg);
  ok(ce.exitCode === '1' && ce.output.startsWith('playground.tier:2:16: error: '), `compile error: ${JSON.stringify(ce)}`);
  // The shared link restores the program.
  const link = await pg.evaluate(() => location.href);
  const { page: shared } = await openPage(browser, link);
  const restored = await shared.evaluate(() => document.querySelector('.cm-content').textContent);
  ok(restored.includes('let x: i32 = "no";'), 'shared link restores the program');
  await shared.close();

  // Stop: a program that never ends, run with the Run button, is stopped by Stop; the next run works.
  await pg.evaluate(() => window.tiervm.setSource('fn main() { print("start"); var i = 0; while true { i = i + 1; } }\n'));
  await pg.click('#run');
  await pg.waitForFunction(() => document.getElementById('output').textContent === 'start\n', { timeout: 10_000 });
  ok(await pg.$eval('#stop', (b) => !b.disabled), 'Stop is enabled while a program runs');
  // The tier map is live: its time axis moves on while the program runs.
  const axis = () => pg.$eval('#tiermap text.axis[text-anchor="end"]', (t) => parseFloat(t.textContent)).catch(() => NaN);
  // (the map is drawn when the first event arrives, which may come after the first output)
  await pg.waitForFunction(() => !Number.isNaN(parseFloat(document.querySelector('#tiermap text.axis[text-anchor="end"]')?.textContent ?? '')), { timeout: 10_000 }).catch(() => {});
  const t1 = await axis();
  await new Promise((r) => setTimeout(r, 700));
  const t2 = await axis();
  ok(t2 > t1 && (await pg.$(`#tiermap g.row[data-fn="main"]`)) !== null, `live tier map: axis ${t1} then ${t2} ms`);
  await pg.click('#stop');
  const stopped = await runEnded(pg);
  ok(stopped.exitCode === '130' && stopped.output === 'start\nstopped\n', `stopped run: ${JSON.stringify(stopped)}`);
  ok(await pg.$eval('#stop', (b) => b.disabled), 'Stop is disabled when nothing runs');
  const after = await pg.evaluate(() => window.tiervm.run('fn main() { print(1 + 2); }', {}));
  ok(after.stdout === '3\n', `run after stop: ${JSON.stringify(after.stdout)}`);

  // window.tiervm.run: its fields, exit statuses as the command's, runs queued in order.
  await contract(pg);
  ok(pgErrors.length === 0, `playground errors: ${pgErrors.join('; ')}`);

  // Cross-origin isolated, Stop interrupts the run in every tier (the worker lives on).
  const { page: coi, caps: coiCaps } = await openPage(browser, `${base}/coi/`);
  ok(coiCaps.crossOriginIsolated, `/coi/ is cross-origin isolated: ${JSON.stringify(coiCaps)}`);
  for (const tier of ['interp', 'jit']) {
    const endless = coi.evaluate((t) => window.tiervm.run('fn spin() { while true { } }\nfn main() { print("go"); spin(); }', { tier: t }), tier);
    await new Promise((r) => setTimeout(r, 300));
    await coi.click('#stop');
    const r = await endless;
    ok(r.exitCode === 1 && r.stdout === 'go\n' && r.stderr.startsWith('runtime error: interrupted\n  at spin (playground.tier:1)\n'),
      `interrupted (${tier}): ${JSON.stringify([r.exitCode, r.stdout, r.stderr])}`);
  }
  const again = await coi.evaluate(() => window.tiervm.run('fn main() { print(6 * 7); }', {}));
  ok(again.stdout === '42\n', `run after an interrupt: ${JSON.stringify(again.stdout)}`);
  await coi.close();
  if (!process.argv.includes('--no-screenshot')) {
    await pg.select('#examples', await pg.evaluate(() => [...document.querySelectorAll('#examples option')].find((o) => o.textContent === 'nbody').value));
    await pg.select('#tier', 'auto');
    await pg.$eval('#threshold', (e) => { e.value = '100'; });
    await pg.evaluate(() => { document.getElementById('stdin').value = ''; });
    await pg.click('#run');
    await runEnded(pg);
    await pg.screenshot({ path: join(ROOT, 'playground/screenshot.png') });
  }
  await pg.close();
}

/** The command's exit status and output for `source` (tiervm run). */
function cli(source, args = [], stdin = '') {
  const file = join(mkdtempSync(join(tmpdir(), 'tiervm-')), 'playground.tier');
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/tiervm.js'), 'run', file, ...args], { input: stdin, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr.replaceAll(file, 'playground.tier'), exitCode: r.status };
}

async function contract(pg) {
  const cases = [
    ['fn main(args: [str]) { print(args[1] + read_line()); }', { tier: 'jit', jitThreshold: 5, args: ['a', 'b'], stdin: 'c\n' }],
    ['fn main() {\n  print("x");\n  let a = [1];\n  print(a[3]);\n}\n', { tier: 'auto' }],
    ['fn main() { let y: bool = 1; }', { tier: 'interp' }],
    ['fn main() { print(read_line()); print(read_line()); }', { stdin: 'only' }],
  ];
  for (const [source, o] of cases) {
    const r = await pg.evaluate((s, o) => window.tiervm.run(s, o), source, o);
    const want = cli(source, o.args, o.stdin);
    ok(JSON.stringify(Object.keys(r)) === JSON.stringify(['stdout', 'stderr', 'exitCode', 'backend', 'events']) && Array.isArray(r.events),
      `window.tiervm.run result fields: ${Object.keys(r)}`);
    ok(r.stdout === want.stdout && r.stderr === want.stderr && r.exitCode === want.exitCode,
      `window.tiervm.run ${JSON.stringify(source)} as the command: ${JSON.stringify([r.stdout, r.stderr, r.exitCode])} vs ${JSON.stringify(want)}`);
    ok(['wasm', 'js', 'none'].includes(r.backend) && (o.tier !== 'interp' || r.backend === 'none'), `backend ${r.backend}`);
  }
  const asText = await pg.evaluate(() => window.tiervm.run('fn main(args: [str]) { print(str(args.len) + args[1]); }', { args: 'x  y' }));
  ok(asText.stdout === '2y\n', `args as one string: ${JSON.stringify(asText)}`);
  const queued = await pg.evaluate(() => Promise.all([1, 2, 3].map((n) => window.tiervm.run(`fn main() { print(${n}); }`, {}).then((r) => r.stdout + r.exitCode))));
  ok(queued.join('') === '1\n02\n03\n0', `runs queued in order: ${JSON.stringify(queued)}`);
}

/** The static build from a sub-path of a plain static server (python3 -m http.server). */
async function staticSubPath(browser, dist) {
  const root = mkdtempSync(join(tmpdir(), 'tiervm-static-'));
  cpSync(dist, join(root, 'a/b'), { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const py = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', root], { stdio: 'ignore' });
  try {
    const url = `http://127.0.0.1:${port}/a/b/`;
    for (let i = 0; i < 50; i++) { try { await fetch(url); break; } catch { await new Promise((r) => setTimeout(r, 100)); } }
    const page = await browser.newPage();
    const missing = [];
    page.on('response', (r) => { if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`); });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.tiervm !== undefined, { timeout: 20_000 });
    await page.click('#run');
    const r = await runEnded(page);
    ok(r.exitCode === '0' && r.output.length > 0, `static build at a sub-path: ${JSON.stringify(r)}`);
    ok(missing.length === 0, `static build at a sub-path: ${missing.join(', ')}`);
    console.log(`${r.exitCode === '0' && missing.length === 0 ? 'ok  ' : 'FAIL'} static build under ${url} (python3 -m http.server): ${r.text}`);
    await page.close();
  } finally {
    py.kill();
  }
}

async function main() {
  if (!CHROMIUM) { console.log('no Chromium found (apt-get install chromium, or set CHROMIUM)'); process.exit(1); }
  const dist = await buildPlayground();
  const server = await serve(dist, 0);
  const base = `http://127.0.0.1:${server.address().port}`;
  const all = corpus();
  const sample = all.filter((_, i) => i % (QUICK ? 12 : 4) === 0);
  const browser = await launch();
  try {
    // 1. The corpus, in the page's worker.
    const { page, caps, errors } = await openPage(browser, `${base}/`);
    console.log(`default page: ${JSON.stringify(caps)}`);
    ok(caps.wasm && caps.eval, 'plain page: WebAssembly and eval');
    const programs = QUICK ? sample : all;
    await runCorpus(page, 'corpus auto, threshold 1', programs, { tier: 'auto', jitThreshold: 1 }, 'wasm');
    await runCorpus(page, 'corpus jit', programs, { tier: 'jit' }, 'wasm');
    await runCorpus(page, 'corpus opt (tier 2)', sample, { tier: 'opt' }, 'wasm');
    await runCorpus(page, 'corpus auto, threshold 2 (tier 2 from profiles)', sample, { tier: 'auto', jitThreshold: 2 }, 'wasm');
    await runCorpus(page, 'corpus jit, js backend', sample, { tier: 'jit', backend: 'js' }, 'js');
    await runCorpus(page, 'corpus interp', sample, { tier: 'interp' }, 'none');
    ok(errors.length === 0, `page errors: ${errors.join('; ')}`);
    await page.close();

    // 2. Content security policies: what each lets the runner do, where it runs, what the VM chose.
    await policyMatrix(browser, base, sample);

    // 3. The playground as a user drives it.
    await playground(browser, base);
    await staticSubPath(browser, dist);

    // 5. Pages a user writes, with the package as installed.
    await userPages(browser, ok, { only: QUICK ? ['/index.html', '/coi/index.html', '/csp/self/csp.html'] : null });
  } finally {
    await browser.close();
  }

  // Chromium without a JIT: no WebAssembly, eval still works, so the js backend.
  const jitless = await launch(['--js-flags=--jitless']);
  try {
    const { page, caps } = await openPage(jitless, `${base}/`);
    console.log(`--js-flags=--jitless: ${JSON.stringify(caps)}`);
    ok(!caps.wasm && caps.eval, `jitless capabilities ${JSON.stringify(caps)}`);
    await runCorpus(page, 'Chromium --jitless, tier jit', sample, { tier: 'jit' }, 'js');
    await userPages(jitless, ok, { only: ['/coi/index.html'], jitless: true });
  } finally {
    await jitless.close();
  }
  server.close();
  console.log(failures === 0 ? 'browser tests: all passed' : `browser tests: ${failures} failures`);
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();

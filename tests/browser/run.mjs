// npm run test:browser: tiervm in headless Chromium (Debian's /usr/bin/chromium,
// or CHROMIUM=path), driven by puppeteer-core, against the built playground
// served by playground/server.mjs.
//   1. the conformance corpus through window.tiervm.run (the page's worker, as
//      the Run button), in auto mode with tier-up and OSR at every chance and
//      with everything compiled: output, errors and exit status identical to
//      Node's for the same program and options, and as the corpus expects;
//   2. the content-security-policy matrix: each policy page runs a sample of the
//      corpus, reports the backend the VM chose, and matches Node's output;
//      Chromium with --js-flags=--jitless (no WebAssembly) chooses js;
//   3. the playground itself: loads, runs an example with the Run button, shows
//      its output and tier-map rows; a screenshot goes to playground/screenshot.png.
// Usage: node tests/browser/run.mjs [--quick] [--no-screenshot]
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { listPrograms, parseExpectations, checkResult } from '../corpus.mjs';
import { load } from '../../dist/vm.js';
import { buildPlayground } from '../../playground/build.mjs';
import { serve } from '../../playground/server.mjs';

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
    await runCorpus(page, 'corpus jit, js backend', sample, { tier: 'jit', backend: 'js' }, 'js');
    await runCorpus(page, 'corpus interp', sample, { tier: 'interp' }, 'none');
    ok(errors.length === 0, `page errors: ${errors.join('; ')}`);
    await page.close();

    // 2. Content security policies: what each lets the worker do, and what the VM chose.
    const policies = [
      ['self', "script-src 'self'", { wasm: false, eval: false }, 'none'],
      ['wasm', "script-src 'self' 'wasm-unsafe-eval'", { wasm: true, eval: false }, 'wasm'],
      // Chromium: 'unsafe-eval' allows WebAssembly compilation as well.
      ['eval', "script-src 'self' 'unsafe-eval'", { wasm: true, eval: true }, 'wasm'],
    ];
    for (const [name, policy, want, backend] of policies) {
      const { page: p, caps: c } = await openPage(browser, `${base}/csp/${name}/`);
      console.log(`CSP ${policy}: ${JSON.stringify(c)}`);
      ok(c.wasm === want.wasm && c.eval === want.eval, `CSP ${policy}: capabilities ${JSON.stringify(c)}, expected ${JSON.stringify(want)}`);
      await runCorpus(p, `CSP ${policy}, tier jit`, sample, { tier: 'jit' }, backend);
      if (name === 'eval') await runCorpus(p, `CSP ${policy}, tier jit, js backend`, sample.slice(0, 20), { tier: 'jit', backend: 'js' }, 'js');
      await p.close();
    }

    // 3. The playground: an example through the Run button, its output and tier map.
    const { page: pg, errors: pgErrors } = await openPage(browser, `${base}/`);
    await pg.setViewport({ width: 1400, height: 1000 });
    await pg.select('#examples', await pg.evaluate(() => [...document.querySelectorAll('#examples option')].find((o) => o.textContent === 'fib').value));
    await pg.select('#tier', 'auto');
    await pg.$eval('#threshold', (e) => { e.value = '200'; });
    await pg.click('#run');
    await pg.waitForFunction(() => /exit \d+/.test(document.getElementById('status').textContent), { timeout: 60_000 });
    const view = await pg.evaluate(() => ({
      output: document.getElementById('output').textContent,
      status: document.getElementById('status').textContent,
      rows: [...document.querySelectorAll('#tiermap g.row')].map((g) => g.getAttribute('data-fn')),
      compiledBars: document.querySelectorAll('#tiermap rect.compiled').length,
      bytecode: document.getElementById('bytecode').textContent,
      code: document.getElementById('code').textContent,
      caps: document.getElementById('caps').textContent,
      hash: location.hash,
    }));
    console.log(`playground: ${view.status}; tier map rows ${view.rows.join(', ')}`);
    ok(view.output === 'fib(30) = 832040\n', `playground output ${JSON.stringify(view.output)}`);
    ok(view.status.includes('exit 0') && view.status.includes('backend wasm'), `playground status ${view.status}`);
    ok(view.rows.includes('fib') && view.rows.includes('main') && view.compiledBars >= 1, `tier map rows ${view.rows}`);
    ok(/fn fib\(i\) -> i/.test(view.bytecode), 'bytecode pane');
    ok(/\(func/.test(view.code), 'generated code pane shows WAT');
    ok(/WebAssembly: yes/.test(view.caps), 'capabilities shown');
    ok(view.hash.includes('code='), 'share link in the URL hash');
    // A compile error is underlined at its position.
    await pg.evaluate(() => window.tiervm.setSource('fn main() {\n  let x: i32 = "no";\n}\n'));
    await pg.waitForSelector('.cm-lintRange-error', { timeout: 10_000 });
    const marked = await pg.$eval('.cm-lintRange-error', (e) => e.textContent);
    ok(marked === '"no"', `error underline on ${JSON.stringify(marked)}`);
    // The shared link restores the program.
    const link = await pg.evaluate(() => location.href);
    const { page: shared } = await openPage(browser, link);
    const restored = await shared.evaluate(() => document.querySelector('.cm-content').textContent);
    ok(restored.includes('let x: i32 = "no";'), 'shared link restores the program');
    await shared.close();
    // Stop: a guest that never ends is stopped, and the next run works.
    const forever = pg.evaluate(() => window.tiervm.run('fn main() { var i = 0; while true { i = i + 1; } }', { tier: 'interp' }));
    await new Promise((r) => setTimeout(r, 300));
    await pg.click('#stop');
    const stopped = await forever;
    ok(stopped.exitCode === 130, `stopped run exit ${stopped.exitCode}`);
    const after = await pg.evaluate(() => window.tiervm.run('fn main() { print(1 + 2); }', {}));
    ok(after.stdout === '3\n', `run after stop: ${JSON.stringify(after.stdout)}`);
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
      await pg.evaluate(() => window.tiervm.setSource(''));
      await pg.select('#examples', await pg.evaluate(() => [...document.querySelectorAll('#examples option')].find((o) => o.textContent === 'nbody').value));
      await pg.$eval('#threshold', (e) => { e.value = '100'; });
      await pg.evaluate(() => window.tiervm.runButton());
      await pg.screenshot({ path: join(ROOT, 'playground/screenshot.png') });
    }
    await pg.close();
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
  } finally {
    await jitless.close();
  }
  server.close();
  console.log(failures === 0 ? 'browser tests: all passed' : `browser tests: ${failures} failures`);
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();

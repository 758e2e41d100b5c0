// A fuzzer for tiervm's front end: random bytes, random token soup, and truncated,
// deepened or mutated corpus programs (tests/programs/**/*.tier), each fed to the front end
// (compileFront) and to load(), and, when it compiles, run for a bounded time in
// the interpreter. What must hold for every input, legal or not:
// - no exception escapes compileFront, load() or run(); no `internal error`, no
//   exit status 70;
// - the diagnostics are bounded: at most 100 errors of three lines and a hint
//   line each, and a summary line (docs/language.md, "Limits"), and a bounded
//   number of bytes;
// - compiling takes bounded time (COMPILE_MS plus a little per kilobyte; a run
//   past RUN_MS is stopped and counted, not a failure: a program may loop).
// Every input comes from its seed alone, so a failure is reproduced by its seed.
//
//   node tests/fuzz/front.mjs [--seeds=A..B] [--minutes=N] [--show=SEED] [--save=DIR]
//
// --seeds: the seeds to run (default 1..1000); with --minutes, run from A on
// until the time is up (or B is reached). --show: print the input of one seed.
// --save: write each failing input to DIR/SEED.tier. Exit status 1 on a failure.
// (Build first: `npx tsc -p .`; `npm run fuzz:front` does both.)

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { listPrograms, REPO_ROOT } from '../corpus.mjs';

const SELF = fileURLToPath(import.meta.url);
/** Compile time allowed per input, plus COMPILE_MS_PER_KB per kilobyte of source. */
const COMPILE_MS = 3000;
const COMPILE_MS_PER_KB = 20;
/** A run longer than this is stopped (a program may loop forever). */
const RUN_MS = 2000;
const MAX_ERROR_LINES = 4 * 100 + 1;
const MAX_ERROR_BYTES = 100_000;
/** Program output kept per run (the rest is counted and dropped). */
const MAX_STDOUT = 1 << 16;

// ---- inputs ------------------------------------------------------------------------

/** mulberry32: a small, fast, seedable generator. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYWORDS = 'fn let var if else while for in break continue return struct new null true false as extern'.split(' ');
const PUNCT = ['>>>', '<<=', '>>=', '..', '->', '==', '!=', '<=', '>=', '<<', '>>', '&&', '||', '+=', '-=', '*=',
  '/=', '%=', '&=', '|=', '^=', '(', ')', '[', ']', '{', '}', ',', ';', ':', '.', '+', '-', '*', '/', '%', '&', '|',
  '^', '~', '!', '=', '<', '>'];
const ATOMS = ['x', 'y', 'a', 'b', 's', 'S', 'main', 'print', 'len', 'i32', 'f64', 'bool', 'str', 'args', 'f', 'g',
  '0', '1', '42', '2147483647', '2147483648', '-2147483648', '0xFF', '0xFFFFFFFF', '0x1FFFFFFFF', '0x', '1e', '1.5',
  '2.5e-3', '1E+5', '99999999999', '1_000', '12ab', '.5', '"a"', '""', '"\\n\\t"', '"\\q"', '"\\u{1F600}"',
  '"\\u{110000}"', '"\\u{"', '"open', '// c\n', '/* c */', '/* open', '@', '#', '$', '`', '\\', '😀', '\u0000',
  '\t', '\r\n', '\n', '\ufeff', '\ud800', 'é'];
const SNIPPETS = ['fn main() {', '}', 'let x = ', 'var y: i32 = ', ';', 'if x {', '} else {', '} else if y {',
  'while true {', 'for i in 0..10 {', 'return ', 'new S { x: 1 }', 'new [i32](3)', 'struct S { x: i32 }',
  'extern fn h(x: i32);', 'print(', ')', 'x.len', 'a[0]', 'f(1, 2)', ' as f64', 'fn f(a: i32) -> i32 {'];
/** Openers for nesting bursts, and the closer each wants. */
const OPENERS = [['(', ')'], ['[', ']'], ['{', '}'], ['-', ''], ['!', ''], ['f(', ')'], ['new S { s: ', ' }'],
  ['[', ' i32]'], ['fn(', ')'], ['if x { ', ' }'], ['a[', ']'], ['x.', '']];
const CHAIN_LINKS = [' + 1', ' && t', ' || f', ' + "s"', ' * 2.0', ' == x', '.f', '[0]', '(1)', ' as i32',
  ' else if x { y = 1; }'];
const BURST_SIZES = [2, 10, 100, 255, 256, 257, 300, 1000, 5000, 20000];

let corpusCache = null;
function corpus() {
  corpusCache ??= listPrograms().map((f) => readFileSync(`${REPO_ROOT}/${f}`, 'utf8'));
  return corpusCache;
}

const pick = (r, list) => list[Math.floor(r() * list.length)];
const int = (r, n) => Math.floor(r() * n);

function randomBytes(r) {
  const n = int(r, 5) === 0 ? int(r, 20000) : int(r, 600);
  const bytes = new Uint8Array(n);
  const ascii = r() < 0.5;
  for (let i = 0; i < n; i++) bytes[i] = ascii ? 9 + int(r, 118) : int(r, 256);
  return Buffer.from(bytes).toString(r() < 0.5 ? 'utf8' : 'latin1');
}

function randomToken(r) {
  const k = r();
  if (k < 0.2) return pick(r, KEYWORDS);
  if (k < 0.55) return pick(r, PUNCT);
  if (k < 0.85) return pick(r, ATOMS);
  return pick(r, SNIPPETS);
}

function tokenSoup(r) {
  const n = int(r, 5) === 0 ? int(r, 3000) : int(r, 120);
  let s = r() < 0.5 ? 'fn main() { ' : '';
  for (let i = 0; i < n; i++) s += randomToken(r) + pick(r, [' ', ' ', ' ', '', '\n', '\t']);
  return s;
}

/** A nesting burst: k openers (and, usually, their closers) at one place. */
function burst(r) {
  const [open, close] = pick(r, OPENERS);
  const k = pick(r, BURST_SIZES);
  const core = pick(r, ['1', 'x', 'true', 'null', '']);
  return open.repeat(k) + core + (r() < 0.8 ? close.repeat(k) : '');
}

function chain(r) {
  return pick(r, ['1', 'x', 't', '"a"', '0.5']) + pick(r, CHAIN_LINKS).repeat(pick(r, BURST_SIZES));
}

function mutate(r, src) {
  const at = () => int(r, src.length + 1);
  switch (int(r, 9)) {
    case 0: return src.slice(0, at());                                  // truncate
    case 1: { const a = at(), b = Math.min(src.length, a + int(r, 40)); return src.slice(0, a) + src.slice(b); }
    case 2: { const a = at(), b = Math.min(src.length, a + int(r, 200)), c = at(); return src.slice(0, c) + src.slice(a, b) + src.slice(c); }
    case 3: { const a = at(); return src.slice(0, a) + randomToken(r) + src.slice(a); }
    case 4: { const a = at(); return src.slice(0, a) + String.fromCharCode(int(r, 0x3000)) + src.slice(a + 1); }
    case 5: { const a = at(); return src.slice(0, a) + burst(r) + src.slice(a); }
    case 6: { const a = at(); return src.slice(0, a) + chain(r) + src.slice(a); }
    case 7: { const other = pick(r, corpus()); return src.slice(0, at()) + other.slice(int(r, other.length + 1)); }
    default: { const lines = src.split('\n'); const i = int(r, lines.length), j = int(r, lines.length); [lines[i], lines[j]] = [lines[j], lines[i]]; return lines.join('\n'); }
  }
}

/**
 * A corpus program made deeper or longer where it stays well-typed (mostly): an
 * integer literal becomes a parenthesised, negated or chained one, or a
 * statement goes inside nested blocks or ifs, or gains a long `else if` chain.
 */
function deepen(r, src) {
  const k = pick(r, BURST_SIZES);
  const lits = [...src.matchAll(/(?<=[=(,\[ ])\d+(?=[;),\] ])/g)];
  const stmts = [...src.matchAll(/\n(\s+)(print\([^\n]*\);)/g)];
  if (r() < 0.6 && lits.length > 0) {
    const m = pick(r, lits);
    const wrapped = pick(r, [
      () => `${'('.repeat(k)}${m[0]}${')'.repeat(k)}`,
      () => `${'-(-'.repeat(k)}${m[0]}${'))'.repeat(k)}`,
      () => `${m[0]}${' + 0'.repeat(k)}`,
      () => `${m[0]}${' * 1 - 0'.repeat(k)}`,
      () => `${'((('.repeat(k)}${m[0]}${') + 0) * 1)'.repeat(k)}`,
      () => `[${'['.repeat(k)}${m[0]}${']'.repeat(k)}${'[0]'.repeat(k)}][0]`,
    ])();
    return src.slice(0, m.index) + wrapped + src.slice(m.index + m[0].length);
  }
  if (stmts.length > 0) {
    const m = pick(r, stmts);
    const body = m[2];
    const wrapped = pick(r, [
      () => `${'{ '.repeat(k)}${body}${' }'.repeat(k)}`,
      () => `${'if true { '.repeat(k)}${body}${' }'.repeat(k)}`,
      () => `if false { } ${'else if false { } '.repeat(k)}else { ${body} }`,
      () => `if ${'true && '.repeat(k)}true { ${body} }`,
      () => `if ${'false || '.repeat(k)}true { ${body} }`,
    ])();
    return src.slice(0, m.index) + `\n${m[1]}${wrapped}` + src.slice(m.index + m[0].length);
  }
  return src;
}

/** The input of one seed: its kind and its source text. */
export function makeInput(seed) {
  const r = prng(seed);
  const k = r();
  if (k < 0.1) return { kind: 'bytes', source: randomBytes(r) };
  if (k < 0.3) return { kind: 'tokens', source: tokenSoup(r) };
  if (k < 0.4) {
    const program = pick(r, corpus());
    return { kind: 'truncated', source: program.slice(0, int(r, program.length + 1)) };
  }
  if (k < 0.6) return { kind: 'deepened', source: deepen(r, pick(r, corpus())) };
  let source = pick(r, corpus());
  for (let n = 1 + int(r, 4); n > 0; n--) source = mutate(r, source);
  return { kind: 'mutated', source };
}

// ---- one input, on the worker --------------------------------------------------------

/** A second timing of compiling `source`, for one over its budget: a compile
 *  that is slow is slow twice, while a loaded machine's stall rarely repeats. */
function timeCompile(vm, front, source) {
  const t0 = performance.now();
  front.compileFront('fuzz.tier', source);
  vm.load('fuzz.tier', source, { tier: 'interp', maxHeapMB: 64, stdout: () => {}, stderr: () => {} });
  return performance.now() - t0;
}

/** Problems with one input's compile and run; `phase` is told when a run starts. */
function checkInput(vm, front, source, startRun) {
  const problems = [];
  const t0 = performance.now();
  let fr;
  try {
    fr = front.compileFront('fuzz.tier', source);
  } catch (e) {
    return [`compileFront threw ${e?.name}: ${e?.message}`];
  }
  problems.push(...checkDiagnostics('compileFront', fr.formatted));
  let stderr = '', stdout = 0;
  const io = { stdout: (t) => { stdout += t.length; }, stderr: (t) => { if (stderr.length < 2 * MAX_ERROR_BYTES) stderr += t; } };
  let loaded;
  try {
    loaded = vm.load('fuzz.tier', source, { tier: 'interp', maxHeapMB: 64, ...io });
  } catch (e) {
    return [...problems, `load() threw ${e?.name}: ${e?.message}`];
  }
  const budget = COMPILE_MS + COMPILE_MS_PER_KB * (source.length / 1024);
  let compileMs = performance.now() - t0;
  if (compileMs > budget) compileMs = Math.min(compileMs, timeCompile(vm, front, source));
  if (compileMs > budget) problems.push(`compiling took ${compileMs.toFixed(0)} ms (budget ${budget.toFixed(0)} ms)`);
  if (!loaded.ok) {
    if (loaded.exitCode !== 1) problems.push(`load() failed with exit status ${loaded.exitCode}: ${stderr.slice(0, 300)}`);
    if ((fr.checked === null) !== !loaded.ok) problems.push('compileFront and load() disagree');
    problems.push(...checkDiagnostics('load()', stderr));
    return problems;
  }
  if (fr.checked === null) problems.push('load() compiled what compileFront rejected');
  startRun();
  let status;
  try {
    status = loaded.program.run();
  } catch (e) {
    return [...problems, `run() threw ${e?.name}: ${e?.message}`];
  }
  if (status !== 0 && status !== 1) problems.push(`run() returned exit status ${status}: ${stderr.slice(0, 300)}`);
  if (/internal error/.test(stderr)) problems.push(`internal error: ${stderr.slice(0, 300)}`);
  return problems;
}

function checkDiagnostics(where, text) {
  const problems = [];
  const lines = text.split('\n').length - 1;
  if (lines > MAX_ERROR_LINES) problems.push(`${where}: ${lines} lines of diagnostics`);
  if (text.length > MAX_ERROR_BYTES) problems.push(`${where}: ${text.length} bytes of diagnostics`);
  if (/internal error/.test(text)) problems.push(`${where}: ${text.slice(0, 300)}`);
  return problems;
}

/** The worker: inputs from..to in order; `state` tells the watchdog where it is. */
async function workerMain({ from, to, state }) {
  const dist = pathToFileURL(`${REPO_ROOT}/dist/`).href;
  const vm = await import(`${dist}vm.js`);
  const front = await import(`${dist}front/index.js`);
  const shared = new Int32Array(state);   // [seed, phase: 0 idle, 1 compiling, 2 running]
  for (let seed = from; seed <= to; seed++) {
    const input = makeInput(seed);
    Atomics.store(shared, 0, seed);
    Atomics.store(shared, 1, 1);
    let ran = false;
    const problems = checkInput(vm, front, input.source, () => { ran = true; Atomics.store(shared, 1, 2); });
    Atomics.store(shared, 1, 0);
    parentPort.postMessage({ seed, kind: input.kind, size: input.source.length, ran, problems });
  }
  parentPort.postMessage({ done: true });
}

// ---- the driver --------------------------------------------------------------------

/**
 * Runs seeds from..to (or until `minutes` pass) on a worker thread, which a
 * watchdog stops and restarts past an input that takes too long. Returns
 * { inputs, byKind, ran, runTimeouts, failures: [{ seed, kind, size, problems }] }.
 */
export async function runFuzz({ from = 1, to = 1000, minutes = null, onProgress = null } = {}) {
  const deadline = minutes === null ? Infinity : Date.now() + minutes * 60_000;
  const result = { inputs: 0, byKind: {}, ran: 0, runTimeouts: 0, failures: [] };
  let next = from;
  while (next <= to && Date.now() < deadline) {
    next = await runWorker(next, to, deadline, result, onProgress);
  }
  return result;
}

/** One worker from `from` on; resolves with the next seed to run. */
function runWorker(from, to, deadline, result, onProgress) {
  const state = new SharedArrayBuffer(8);
  const shared = new Int32Array(state);
  const w = new Worker(SELF, { workerData: { fuzzFront: { from, to, state } } });
  let next = from, phaseSince = Date.now(), lastPhase = -1, lastSeed = -1, input = null;
  return new Promise((resolve) => {
    const finish = (n) => { clearInterval(timer); w.terminate().then(() => resolve(n)); };
    const timer = setInterval(() => {
      const seed = Atomics.load(shared, 0), phase = Atomics.load(shared, 1);
      if (seed !== lastSeed || phase !== lastPhase) { lastSeed = seed; lastPhase = phase; phaseSince = Date.now(); input = null; }
      const waited = Date.now() - phaseSince;
      if (phase === 0 && Date.now() <= deadline) return;
      input ??= makeInput(seed);
      const size = input.source.length;
      if (phase === 1 && waited > 2 * (COMPILE_MS + COMPILE_MS_PER_KB * size / 1024)) {
        record(result, { seed, kind: input.kind, size, problems: [`compiling did not finish in ${waited} ms`] }, onProgress);
        finish(seed + 1);
      } else if (phase === 2 && waited > RUN_MS) {
        result.runTimeouts++;
        record(result, { seed, kind: input.kind, size, ran: true, problems: [] }, onProgress);
        finish(seed + 1);
      } else if (Date.now() > deadline) {
        finish(to + 1);
      }
    }, 50);
    w.on('message', (m) => {
      if (m.done) return finish(to + 1);
      record(result, m, onProgress);
      next = m.seed + 1;
    });
    w.on('error', (e) => {
      record(result, { seed: next, kind: makeInput(next).kind, size: 0, problems: [`the worker died: ${e?.name}: ${e?.message}`] }, onProgress);
      finish(next + 1);
    });
  });
}

function record(result, m, onProgress) {
  result.inputs++;
  result.byKind[m.kind] = (result.byKind[m.kind] ?? 0) + 1;
  if (m.ran) result.ran++;
  if (m.problems.length > 0) result.failures.push({ seed: m.seed, kind: m.kind, size: m.size, problems: m.problems });
  onProgress?.(result, m);
}

function parseArgs(argv) {
  const o = { from: 1, to: 1000, minutes: null, show: null, save: null };
  for (const a of argv) {
    let m;
    if ((m = /^--seeds=(\d+)\.\.(\d+)$/.exec(a))) { o.from = Number(m[1]); o.to = Number(m[2]); }
    else if ((m = /^--minutes=([\d.]+)$/.exec(a))) o.minutes = Number(m[1]);
    else if ((m = /^--show=(\d+)$/.exec(a))) o.show = Number(m[1]);
    else if ((m = /^--save=(.+)$/.exec(a))) o.save = m[1];
    else { console.error(`front fuzzer: unknown argument ${a}`); process.exit(2); }
  }
  if (o.minutes !== null && !argv.some((a) => a.startsWith('--seeds='))) o.to = Number.MAX_SAFE_INTEGER;
  return o;
}

async function cli() {
  const o = parseArgs(process.argv.slice(2));
  if (o.show !== null) { process.stdout.write(makeInput(o.show).source); return; }
  const t0 = Date.now();
  let lastReport = t0;
  const result = await runFuzz({
    ...o,
    onProgress: (res) => {
      if (Date.now() - lastReport < 10_000) return;
      lastReport = Date.now();
      console.log(`${res.inputs} inputs, ${res.failures.length} failing, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    },
  });
  for (const f of result.failures) {
    console.log(`FAIL seed ${f.seed} (${f.kind}, ${f.size} code units): ${f.problems.join('; ')}`);
    console.log(`  reproduce: node tests/fuzz/front.mjs --seeds=${f.seed}..${f.seed}   (input: --show=${f.seed})`);
    if (o.save) { mkdirSync(o.save, { recursive: true }); writeFileSync(`${o.save}/${f.seed}.tier`, makeInput(f.seed).source); }
  }
  const kinds = Object.entries(result.byKind).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`front fuzzer: ${result.inputs} inputs (${kinds}) in ${((Date.now() - t0) / 1000).toFixed(0)} s; ` +
    `${result.ran} compiled and ran (${result.runTimeouts} stopped after ${RUN_MS} ms); ${result.failures.length} failing`);
  process.exitCode = result.failures.length > 0 ? 1 : 0;
}

if (!isMainThread && workerData?.fuzzFront) await workerMain(workerData.fuzzFront);
else if (isMainThread && process.argv[1] && fileURLToPath(pathToFileURL(process.argv[1])) === SELF) await cli();

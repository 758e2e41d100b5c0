// Owns running one program in every execution mode, in this process, through the
// embedding API (load/run with captured stdout and stderr), and comparing each
// mode's stdout, exit status and whole stderr (stack traces included) with the
// interpreter's (and how much stdout came before the first stderr text). One
// "mode" is not tiervm: the oracle (oracle.mjs) runs the program translated to
// plain JavaScript and is compared with the interpreter like the others, except
// on what it cannot model (the interpreter met stack overflow or out of memory,
// or the oracle reports a skip), which is counted, not compared. Also: which
// modes this host can run, and the failure records
// (and their "kind", which the shrinker preserves).
import { load } from '../../dist/vm.js';
import { runOracle } from './oracle.mjs';

/** main(args) gets these; the frame stack is small so a deep recursion always
 *  meets the frame-stack limit (the same in every tier) before the host stack. */
export const ARGS = ['alpha', '7'];
export const STACK_KB = 256;
/** A heap limit small enough that a deliberate out of memory comes quickly. */
export const MAX_HEAP_MB = 32;
export const FILE = 'fuzz.tier';

// needs: the compiling backend the mode exists to test (skipped when the host
// has none); stress: slow, run on every Nth program only.
export const MODES = [
  { name: 'interp', opts: { tier: 'interp' } },
  // Not tiervm: the program translated to plain JavaScript from the contract
  // (oracle.mjs), so a bug every tier shares shows too.
  { name: 'oracle', oracle: true, needs: 'js' },
  { name: 'jit', opts: { tier: 'jit' }, needs: 'wasm' },
  { name: 'auto1', opts: { tier: 'auto', jitThreshold: 1 }, needs: 'wasm' },
  { name: 'auto7', opts: { tier: 'auto', jitThreshold: 7 }, needs: 'wasm' },
  { name: 'jit-js', opts: { tier: 'jit', backend: 'js' }, needs: 'js' },
  { name: 'auto1-js', opts: { tier: 'auto', jitThreshold: 1, backend: 'js' }, needs: 'js' },
  { name: 'jit-noinline', opts: { tier: 'jit', inline: false }, needs: 'wasm' },
  // Tier 2: every guard failing once, and speculation on one sample (deopts everywhere).
  { name: 'opt-stress', opts: { tier: 'opt', deoptStress: true }, needs: 'wasm' },
  { name: 'auto2', opts: { tier: 'auto', jitThreshold: 2 }, needs: 'wasm' },
  // OSR code leaving its loop at every back-edge to an outermost header (runtime/osr.ts).
  { name: 'auto1-osrx', opts: { tier: 'auto', jitThreshold: 1, osrExitStress: true }, needs: 'wasm' },
  { name: 'interp-gc', opts: { tier: 'interp', gcStress: true, verifyHeap: true }, stress: true },
  { name: 'jit-gc', opts: { tier: 'jit', gcStress: true, verifyHeap: true }, needs: 'wasm', stress: true },
  { name: 'jit-js-gc', opts: { tier: 'jit', backend: 'js', gcStress: true, verifyHeap: true }, needs: 'js', stress: true },
  { name: 'auto1-gc', opts: { tier: 'auto', jitThreshold: 1, gcStress: true, verifyHeap: true }, needs: 'wasm', stress: true },
  // Ropes (runtime/heap.ts): every concatenation of non-empty strings a rope.
  { name: 'auto1-rope', opts: { tier: 'auto', jitThreshold: 1, ropeStress: true }, needs: 'wasm' },
  { name: 'jit-js-rope-gc', opts: { tier: 'jit', backend: 'js', ropeStress: true, gcStress: true, verifyHeap: true }, needs: 'js', stress: true },
];

/** What this host can compile to (detected by trying, as the VM does). */
export function hostCaps() {
  let wasm = false, js = false;
  try {
    new WebAssembly.Memory({ initial: 1 });
    new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    wasm = true;
  } catch { /* no WebAssembly (node --jitless, --no-expose-wasm) */ }
  try { js = new Function('return 1')() === 1; } catch { /* no eval */ }
  return { wasm, js };
}

/** The modes this host can run (stress modes included or not). */
export function modesFor(caps = hostCaps(), { stress = true } = {}) {
  return MODES.filter((m) => (!m.needs || caps[m.needs]) && (stress || !m.stress));
}

export const modeByName = (name) => MODES.find((m) => m.name === name);

const INTERNAL = /internal error/;

/** Interpreter outcomes the oracle does not model: limits of tiervm's frame stack and heap. */
const ORACLE_SKIPS = /^runtime error: (stack overflow|out of memory)$/;

/** Why the oracle cannot judge a program whose interpreter result is `ref` (or null). */
export function oracleSkip(ref) {
  const m = ORACLE_SKIPS.exec(ref.stderr.split('\n')[0]);
  return m ? m[1] : null;
}

/** Run `source` in one mode: { code, stdout, stderr, threw, compileError, tiers }
 *  (the oracle: also skip, the reason it cannot model the program). */
export function runMode(source, mode, extra = {}) {
  let stdout = '', stderr = '', outBeforeErr = null;
  const res = { mode: mode.name, code: null, stdout: '', stderr: '', threw: null, compileError: false, tiers: null, outBeforeErr: null };
  if (mode.oracle) {
    try {
      const r = runOracle(source, { file: FILE, args: ARGS });
      if (r.skip) res.skip = r.skip;
      else Object.assign(res, { code: r.code, stdout: r.stdout, stderr: r.stderr, outBeforeErr: r.outBeforeErr, firstLineOnly: !r.exactTrace });
    } catch (e) {
      res.threw = `oracle: ${(e && e.stack) || String(e)}`;
    }
    return res;
  }
  try {
    const r = load(FILE, source, {
      ...mode.opts, ...extra, args: ARGS, stackSizeKB: STACK_KB, maxHeapMB: MAX_HEAP_MB,
      stdout: (t) => { stdout += t; }, stderr: (t) => { outBeforeErr ??= stdout.length; stderr += t; },
    });
    if (r.ok) {
      res.code = r.program.run();
      res.tiers = r.program.lastTiers;
    } else {
      res.code = r.exitCode;
      res.compileError = r.exitCode === 1;
    }
  } catch (e) {
    res.threw = (e && e.stack) || String(e);
  }
  res.stdout = stdout;
  res.stderr = stderr;
  res.outBeforeErr = outBeforeErr;
  return res;
}

const clip = (s, n = 160) => (s.length > n ? s.slice(0, n) + '...' : s);
const show = (s) => JSON.stringify(clip(s));

/** Where two texts first differ, as a short line. */
export function firstDiff(a, b) {
  const al = a.split('\n'), bl = b.split('\n');
  for (let i = 0; i < Math.max(al.length, bl.length); i++) {
    if (al[i] !== bl[i]) {
      return `line ${i + 1}: expected ${al[i] === undefined ? '<end>' : show(al[i])}, got ${bl[i] === undefined ? '<end>' : show(bl[i])}`;
    }
  }
  return 'identical';
}

/** A failure's kind, kept while shrinking: mode, aspect, and for internal
 *  errors and host exceptions the message with numbers blurred. */
export function failureKind(f) {
  const blur = (s) => (s ?? '').split('\n')[0].replace(/\d+/g, 'N').slice(0, 120);
  return `${f.mode}:${f.aspect}${f.aspect === 'internal' || f.aspect === 'threw' ? ':' + blur(f.message) : ''}`;
}

/** Failures that are one bug for de-duplication: host exceptions and internal
 *  errors by message (whichever mode met them first), others by kind. */
export function failureGroup(kind) {
  const m = /^[^:]+:(threw|internal):(.*)$/.exec(kind);
  return m ? `${m[1]}:${m[2]}` : kind;
}

/** Compare one mode's result with the interpreter's: a list of failures. */
export function compare(ref, res) {
  const out = [];
  const fail = (aspect, detail, message) => out.push({ mode: res.mode, aspect, detail, message });
  if (res.threw) { fail('threw', `run() threw: ${clip(res.threw.split('\n')[0])}`, res.threw); return out; }
  const internal = res.code === 70 || INTERNAL.test(res.stderr);
  if (internal) {
    const line = res.stderr.split('\n').find((l) => INTERNAL.test(l)) ?? `exit status ${res.code}`;
    fail('internal', `exit ${res.code}: ${clip(line)}`, line);
  }
  if (res === ref || res.skip) return out;
  if (res.code !== ref.code && !internal) fail('exit', `exit status: expected ${ref.code}, got ${res.code}`);
  if (res.stdout !== ref.stdout) fail('stdout', `stdout ${firstDiff(ref.stdout, res.stdout)}`);
  // (the oracle, on a program with a statement over several lines: the first line only)
  const errOf = (r) => (res.firstLineOnly ? r.stderr.split('\n')[0] : r.stderr);
  if (errOf(res) !== errOf(ref) && !internal) fail('stderr', `stderr ${firstDiff(errOf(ref), errOf(res))}`);
  // program output is flushed before a diagnostic is written
  if (res.outBeforeErr !== ref.outBeforeErr && res.stdout === ref.stdout && !internal) {
    fail('order', `stdout written before the first stderr text: expected ${ref.outBeforeErr} chars, got ${res.outBeforeErr}`);
  }
  return out;
}

/**
 * Run `source` in `modes` (the interpreter first: the reference) and compare.
 * hook(modeName, result) may change a result before comparison (tests use it to
 * break a mode on purpose). Returns { reject, failures, ref, results, oracleSkip }:
 * reject is the compile error text when the program does not compile (a
 * generator bug); oracleSkip why the oracle did not judge the program (null
 * when it did or was not asked to).
 */
export function checkProgram(source, { modes = modesFor(), hook = null, only = null, onMode = null } = {}) {
  const interp = modes.find((m) => m.name === 'interp') ?? MODES[0];
  onMode?.(interp.name);
  const ref = runMode(source, interp);
  hook?.(ref.mode, ref);
  if (ref.compileError) return { reject: ref.stderr, failures: [], ref, results: [ref] };
  const failures = compare(ref, ref);
  const results = [ref];
  let skip = null;
  for (const m of modes) {
    if (m === interp || (only && !only.includes(m.name))) continue;
    if (m.oracle && (skip = oracleSkip(ref))) continue;
    onMode?.(m.name);
    const res = runMode(source, m);
    hook?.(res.mode, res);
    if (res.skip) skip = res.skip;
    results.push(res);
    failures.push(...compare(ref, res));
  }
  return { reject: null, failures, ref, results, oracleSkip: skip };
}

/** Short description of a result for reports. */
export function describe(res) {
  if (res.threw) return `threw ${clip(res.threw.split('\n')[0])}`;
  const errLine = res.stderr.split('\n')[0];
  return `exit ${res.code}, ${res.stdout.split('\n').length - 1} stdout lines, stderr ${show(errLine)}`;
}

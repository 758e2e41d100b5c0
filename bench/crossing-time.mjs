#!/usr/bin/env node
// One crossing direction, every shape, in one process: time per guest call and
// host heap bytes per call, with a bare wasm call_indirect and an empty JS call of
// the same shape measured beside them in this same process (bench/crossings.mjs
// runs one of these per direction and writes the tables).
//
//   node --expose-gc bench/crossing-time.mjs [--runs=5] [--ms=25] [--gc-calls=10000000]
//        [--shapes=i1,f6,r0,...] VMFLAGS...
//   VMFLAGS: --tier=T --jit-filter=RE --no-inline --jit-backend=B --adapters=A
// Prints one JSON line: { shapes: { i1: {vm, callIndirect, jsCall, heap}, ... } }.
//
// Shapes: 0..6 parameters all of one kind (i32 `i`, f64 `f`, a struct reference
// `r`) and a result of that kind. For shape s the program has a callee c_s, a
// driver call_s(k) whose loop calls it k times (x = c_s(x, x, ...)), and a driver
// loop_s(k) with the same loop and the callee's work written inline (x = x + 1;
// x * 0.5 + 1.0; x). Time per call = (time(call_s) - time(loop_s)) / k: the loop,
// the work and the host entry cancel. The two drivers run alternately (call
// first on even runs, loop first on odd ones) after a warm-up; k is chosen so one
// driver run lasts about --ms milliseconds. Each run gives one estimate; we
// report min, median and max of --runs of them, raw (they may be negative when
// the call costs less than the noise: crossings.mjs decides how to print that).
//
// The drivers and callees are named so that a --jit-filter picks the direction:
// `^c_` compiles only the callees (interp -> compiled), `^(call|loop)_` only the
// drivers (compiled -> interp).
//
// Heap: the call driver runs --gc-calls calls once more, between gc() and
// process.memoryUsage(), with a PerformanceObserver counting collections: bytes
// per call = heapUsed delta / calls (fixed costs are spread over 10M calls), and
// any scavenge in the window is reported (0 expected).
import { load } from '../dist/vm.js';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { WasmModuleBuilder, W } from '../dist/jit/wasm/encoder.js';

/** encoder.ts ValType (a const enum: not in the emitted JavaScript). */
const ValType = { I32: 0x7f, F64: 0x7c };

const args = process.argv.slice(2);
const opt = (name, dflt) => { const a = args.find((x) => x.startsWith(`--${name}=`)); return a ? a.slice(name.length + 3) : dflt; };
const RUNS = Math.max(5, Number(opt('runs', '5')));
const TARGET_MS = Number(opt('ms', '25'));
const GC_CALLS = Number(opt('gc-calls', '10000000'));
const KINDS = ['i', 'f', 'r'];
const SHAPES = opt('shapes', null)?.split(',') ?? KINDS.flatMap((k) => [0, 1, 2, 3, 4, 5, 6].map((n) => `${k}${n}`));

const vmOpts = { tier: opt('tier', 'auto'), stdout: () => {} };
if (opt('jit-filter', null)) vmOpts.jitFilter = opt('jit-filter', null);
if (opt('jit-backend', null)) vmOpts.backend = opt('jit-backend', null);
if (opt('adapters', null)) vmOpts.adapters = opt('adapters', null);
if (args.includes('--no-inline')) vmOpts.inline = false;

// ---- the Tier program ----------------------------------------------------------

const TYPE = { i: 'i32', f: 'f64', r: 'Box' };
const INIT = { i: '0', f: '0.0', r: 'BOX' };
/** The callee's result from its first parameter (or from nothing). */
const WORK = { i: (a) => (a ? `${a} + 1` : '7'), f: (a) => (a ? `${a} * 0.5 + 1.0` : '0.5'), r: (a) => a ?? 'BOX' };
/** The driver's checksum of x, an i32. */
const CHECK = { i: 'x', f: 'x as i32', r: 'x.v' };

function shapeSource(s) {
  const k = s[0], n = Number(s.slice(1)), T = TYPE[k];
  const params = Array.from({ length: n }, (_, i) => `a${i}: ${T}`).join(', ');
  const callArgs = Array.from({ length: n }, () => 'x').join(', ');
  // n = 0: the result is combined with x so the loop still carries a dependency.
  const call = n > 0 || k === 'r' ? `c_${s}(${callArgs})` : `x + c_${s}()`;
  const inline = n > 0 ? WORK[k]('x') : k === 'r' ? 'BOX' : `x + ${WORK[k](null)}`;
  const driver = (name, update) =>
    `fn ${name}_${s}(k: i32) -> i32 {\n  var x: ${T} = ${INIT[k]};\n  for i in 0..k { x = ${update}; }\n  return ${CHECK[k]};\n}`;
  return [
    `fn c_${s}(${params}) -> ${T} { return ${WORK[k](n > 0 ? 'a0' : null)}; }`,
    driver('call', call),
    driver('loop', inline),
  ].join('\n');
}

const SOURCE = ['struct Box { v: i32 }', 'var BOX = new Box { v: 3 };', ...SHAPES.map(shapeSource), 'fn main() {}'].join('\n');

// ---- the reference points: a bare wasm call_indirect, an empty JS call ------------

/** A wasm module with the callee (same work as c_s) in a table and two drivers:
 *  `call` loops over call_indirect to it, `loop` does the work inline. References
 *  are i32 addresses in compiled code, so `r` shapes are i32 here (work: x). */
function makeWasm(s) {
  const k = s[0], n = Number(s.slice(1));
  const t = k === 'f' ? ValType.F64 : ValType.I32;
  const mb = new WasmModuleBuilder();
  mb.importTable('env', 'table', 1);
  const calleeType = mb.addType(Array(n).fill(t), [t]);
  const driverType = mb.addType([ValType.I32], [ValType.I32]);
  const work = (wb, get) => {
    if (k === 'i') { if (get) { get(); wb.i32Const(1); wb.op(W.I32_ADD); } else wb.i32Const(7); }
    else if (k === 'f') { if (get) { get(); wb.f64Const(0.5); wb.op(W.F64_MUL); wb.f64Const(1); wb.op(W.F64_ADD); } else wb.f64Const(0.5); }
    else if (get) get(); else wb.i32Const(3);
  };
  const zeroArgAdd = n === 0 && k !== 'r';
  const callee = mb.addFunction(calleeType, 'callee');
  work(callee, n > 0 ? () => callee.localGet(callee.param(0)) : null);
  callee.finish();
  mb.exportFunction('callee', callee.index);
  const driver = (name, body) => {
    const wb = mb.addFunction(driverType, name);
    const x = wb.local(t), i = wb.local(ValType.I32);
    const loop = wb.loop();
    if (zeroArgAdd) wb.localGet(x);
    body(wb, x);
    if (zeroArgAdd) wb.op(k === 'f' ? W.F64_ADD : W.I32_ADD);
    wb.localSet(x);
    wb.localGet(i); wb.i32Const(1); wb.op(W.I32_ADD); wb.localTee(i);
    wb.localGet(wb.param(0)); wb.op(W.I32_LT_S); wb.brIf(loop);
    wb.end();
    wb.localGet(x); if (k === 'f') wb.truncSatF64S();
    wb.finish();
    mb.exportFunction(name, wb.index);
  };
  driver('call', (wb, x) => { for (let j = 0; j < n; j++) wb.localGet(x); wb.i32Const(0); wb.callIndirect(calleeType); });
  driver('loop', (wb, x) => work(wb, n > 0 ? () => wb.localGet(x) : null));
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: 1 });
  const ex = new WebAssembly.Instance(new WebAssembly.Module(mb.encode()), { env: { table } }).exports;
  table.set(0, ex.callee);
  return { call: (k) => ex.call(k), loop: (k) => ex.loop(k) };
}

/** An empty JS call V8 cannot inline: the call site sees eight functions (eight
 *  distinct sources, hence megamorphic), each of which only does the work. */
function makeJs(s) {
  const k = s[0], n = Number(s.slice(1));
  const params = Array.from({ length: n }, (_, i) => `a${i}`);
  const work = { i: (a) => (a ? `(${a} + 1) | 0` : '7'), f: (a) => (a ? `${a} * 0.5 + 1.0` : '0.5'), r: (a) => a ?? 'box' }[k];
  const fns = Array.from({ length: 8 }, (_, j) => new Function('box', `return function js${j}(${params.join(', ')}) { return ${work(n ? 'a0' : null)}; };`)({ v: 3 }));
  const init = { i: '0', f: '0.0', r: 'box' }[k];
  const zeroArgAdd = n === 0 && k !== 'r';
  const callExpr = `fs[i & 7](${params.map(() => 'x').join(', ')})`;
  const body = (update) => `let x = ${init};\nfor (let i = 0; i < n; i++) { const f = fs[i & 7]; x = ${update}; }\nreturn x;`;
  const call = new Function('fs', 'box', 'n', body(zeroArgAdd ? `x + ${callExpr.replace('fs[i & 7]', 'f')}` : callExpr.replace('fs[i & 7]', 'f')));
  const inline = zeroArgAdd ? `x + ${work(null)}` : n > 0 ? work('x') : 'box';
  const loop = new Function('fs', 'box', 'n', body(`f === null ? x : ${inline}`));
  const box = { v: 3 };
  return { call: (c) => call(fns, box, c), loop: (c) => loop(fns, box, c) };
}

// ---- timing ---------------------------------------------------------------------

function timeOf(fn, k) { const t0 = performance.now(); fn(k); return performance.now() - t0; }

/** min / median / max of RUNS estimates of ns per call of `call` over `loop`. */
function perCall(call, loop) {
  for (let i = 0; i < 3; i++) { call(20000); loop(20000); }                     // warm-up
  let k = 100000;
  for (let i = 0; i < 3; i++) { timeOf(call, k); timeOf(loop, k); }
  const t = Math.max(timeOf(call, k), 0.05);
  k = Math.round(Math.min(2e7, Math.max(1e5, k * TARGET_MS / t)));
  const est = [];
  for (let r = 0; r < RUNS; r++) {
    let tc, tl;
    if (r % 2 === 0) { tc = timeOf(call, k); tl = timeOf(loop, k); } else { tl = timeOf(loop, k); tc = timeOf(call, k); }
    est.push(((tc - tl) * 1e6) / k);
  }
  est.sort((a, b) => a - b);
  return { median: est[est.length >> 1], min: est[0], max: est[est.length - 1], k, runs: est };
}

/** Host heap bytes per call and collections over GC_CALLS calls of `call`. */
async function heapPerCall(call) {
  const seen = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) seen.push(e); });
  obs.observe({ entryTypes: ['gc'] });
  globalThis.gc?.();
  await new Promise((r) => setImmediate(r));
  const t0 = performance.now();
  const before = process.memoryUsage().heapUsed;
  call(GC_CALLS);
  const after = process.memoryUsage().heapUsed;
  const t1 = performance.now();
  await new Promise((r) => setImmediate(r));
  obs.disconnect();
  const inWindow = seen.filter((e) => e.startTime >= t0 && e.startTime <= t1);
  const minor = inWindow.filter((e) => (e.detail?.kind ?? e.kind) === perfConstants.NODE_PERFORMANCE_GC_MINOR).length;
  return { calls: GC_CALLS, bytesPerCall: Math.max(0, after - before) / GC_CALLS, rawDelta: after - before, scavenges: minor, collections: inWindow.length };
}

const loaded = load('crossings.tier', SOURCE, vmOpts);
if (!loaded.ok) { console.error(loaded.message ?? loaded); process.exit(1); }
const program = loaded.program;
const vmDriver = (name) => (k) => { program.call(name, k); };

const shapes = {};
for (const s of SHAPES) {
  const w = makeWasm(s), j = makeJs(s);
  const call = vmDriver(`call_${s}`), loop = vmDriver(`loop_${s}`);
  shapes[s] = {
    vm: perCall(call, loop),
    callIndirect: perCall(w.call, w.loop),
    jsCall: perCall(j.call, j.loop),
    heap: GC_CALLS > 0 ? await heapPerCall(call) : null,
  };
  process.stderr.write('.');
}
process.stderr.write('\n');
console.log(JSON.stringify({ flags: args, gcExposed: typeof globalThis.gc === 'function', shapes }));

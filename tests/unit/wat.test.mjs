// Tests of the encoder's text format (WasmModuleBuilder.toText, what --print-wasm
// prints): the text is WAT that an independent assembler (wabt's wat2wasm) accepts
// and assembles to exactly the bytes encode() writes, name section aside (wabt
// derives that one from the `$id`s). Checked on modules built here, covering
// each kind of instruction, import and name the builder takes, and on functions
// the JIT compiles from the corpus. wabt is itself WebAssembly, so everything here
// is skipped on hosts without it (node --jitless).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WasmModuleBuilder, W, WFC } from '../../dist/jit/wasm/encoder.js';
import { load } from '../../dist/vm.js';

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c;
const HAS_WASM = typeof WebAssembly === 'object';
const wasmTest = (name, fn) => test(name, { skip: HAS_WASM ? false : 'no WebAssembly on this host' }, fn);

// Post-MVP features the encoder emits (0xFC truncations, extend8/16/32, several results).
const FEATURES = { sat_float_to_int: true, sign_extension: true, multi_value: true };

let wabtInstance = null;
async function wabt() {
  wabtInstance ??= await (await import('wabt')).default();
  return wabtInstance;
}

/** wat2wasm: the binary wabt assembles from `text` (no name section). Throws
 *  wabt's diagnostics, with the text, if it rejects the text. */
async function assemble(text) {
  let module;
  try {
    module = (await wabt()).parseWat('x.wat', text, FEATURES);
    module.validate();
    return Uint8Array.from(module.toBinary({ canonicalize_lebs: true, write_debug_names: false }).buffer);
  } catch (e) {
    throw new Error(`wabt rejects the text: ${e.message}\n${numbered(text)}`);
  } finally {
    module?.destroy();
  }
}

function numbered(text) {
  return text.split('\n').map((l, i) => `${String(i + 1).padStart(4)} ${l}`).join('\n');
}

/** `bytes` without its custom sections (id 0): the name section is encode()'s own. */
function withoutCustomSections(bytes) {
  const out = [...bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    let size = 0, shift = 0, p = at + 1, b;
    do { b = bytes[p++]; size += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    if (id !== 0) out.push(...bytes.subarray(at, p + size));
    at = p + size;
  }
  return Uint8Array.from(out);
}

/** The strongest check: the text (with and without offsets) assembles to a valid
 *  module byte for byte equal to encode()'s, name section aside. Returns the
 *  assembled binary. */
async function assertTextAssembles(mb) {
  const text = mb.toText();
  const fromText = await assemble(text);
  assert.ok(WebAssembly.validate(fromText), `wabt's binary is invalid:\n${numbered(text)}`);
  assert.deepEqual(fromText, withoutCustomSections(mb.encode()), `the text assembles to other bytes:\n${numbered(text)}`);
  assert.deepEqual(await assemble(mb.toText({ offsets: true })), fromText, 'offsets change the module');
  return fromText;
}

/** Calls each export with each argument list in both instances: same results, or
 *  the same trap. */
function assertSameBehaviour(encoded, fromText, imports, calls) {
  const a = new WebAssembly.Instance(new WebAssembly.Module(encoded), imports).exports;
  const b = new WebAssembly.Instance(new WebAssembly.Module(fromText), imports).exports;
  const outcome = (f, args) => {
    try { return { value: f(...args) }; } catch (e) { return { error: `${e.constructor.name}: ${e.message}` }; }
  };
  for (const [name, argLists] of Object.entries(calls)) {
    for (const args of argLists) assert.deepEqual(outcome(b[name], args), outcome(a[name], args), `${name}(${args})`);
  }
}

/** Adds function `name` of type params -> results, body by `body`, exported as `name`. */
function fn(mb, name, params, results, body) {
  const fb = mb.addFunction(mb.addType(params, results), name);
  body(fb);
  fb.finish();
  mb.exportFunction(name, fb.index);
  return fb;
}

// ---------------------------------------------------------------------------
// Modules built here

function numericModule() {
  const mb = new WasmModuleBuilder();
  const binary = (name, t, code) => fn(mb, name, [t, t], [t], (fb) => { fb.localGet(fb.param(0)); fb.localGet(fb.param(1)); fb.op(code); });
  binary('i32_div_s', I32, W.I32_DIV_S);
  binary('i32_rem_u', I32, W.I32_REM_U);
  binary('i32_rotl', I32, W.I32_ROTL);
  binary('i64_mul', I64, W.I64_MUL);
  binary('i64_shr_s', I64, W.I64_SHR_S);
  binary('f64_copysign', F64, W.F64_COPYSIGN);
  binary('f64_min', F64, W.F64_MIN);
  fn(mb, 'i32_clz_eqz', [I32], [I32], (fb) => {
    fb.localGet(fb.param(0)); fb.op(W.I32_CLZ); fb.localGet(fb.param(0)); fb.op(W.I32_EQZ); fb.op(W.I32_ADD);
  });
  fn(mb, 'f64_poly', [F64], [F64], (fb) => {
    // sqrt(|x|) * 1.5e300 + nearest(x) - 0.1 + 5e-324
    fb.localGet(fb.param(0)); fb.op(W.F64_ABS); fb.op(W.F64_SQRT); fb.f64Const(1.5e300); fb.op(W.F64_MUL);
    fb.localGet(fb.param(0)); fb.op(W.F64_NEAREST); fb.op(W.F64_ADD);
    fb.f64Const(0.1); fb.op(W.F64_SUB); fb.f64Const(5e-324); fb.op(W.F64_ADD);
  });
  fn(mb, 'constants', [], [F64, F64, F64, F64, F32, F32, I64, I32], (fb) => {
    fb.f64Const(-0); fb.f64Const(-Infinity); fb.f64Const(1e21); fb.f64Const(-123456789.125);
    fb.f32Const(0.1); fb.f32Const(-3.4028234663852886e38);
    fb.i64Const(-(2n ** 63n)); fb.i32Const(-(2 ** 31));
  });
  fn(mb, 'nan_bits', [], [I64, I64, I32], (fb) => {
    // NaNs have no JS identity: compare their bits.
    const payload = new DataView(new ArrayBuffer(8));
    payload.setBigUint64(0, 0xfff0_0000_0000_0123n);
    fb.f64Const(payload.getFloat64(0)); fb.op(W.I64_REINTERPRET_F64);
    fb.f64Const(NaN); fb.op(W.I64_REINTERPRET_F64);
    fb.f32Const(NaN); fb.op(W.I32_REINTERPRET_F32);
  });
  for (const [name, sub, from, to] of [
    ['i32_trunc_sat_f64_s', WFC.I32_TRUNC_SAT_F64_S, F64, I32], ['i32_trunc_sat_f64_u', WFC.I32_TRUNC_SAT_F64_U, F64, I32],
    ['i32_trunc_sat_f32_s', WFC.I32_TRUNC_SAT_F32_S, F32, I32], ['i64_trunc_sat_f64_s', WFC.I64_TRUNC_SAT_F64_S, F64, I64],
    ['i64_trunc_sat_f32_u', WFC.I64_TRUNC_SAT_F32_U, F32, I64],
  ]) fn(mb, name, [from], [to], (fb) => { fb.localGet(fb.param(0)); fb.truncSat(sub); });
  fn(mb, 'convert', [I64, I32], [F64], (fb) => {
    fb.localGet(fb.param(0)); fb.op(W.F64_CONVERT_I64_S);
    fb.localGet(fb.param(1)); fb.op(W.I32_EXTEND8_S); fb.op(W.F64_CONVERT_I32_U); fb.op(W.F64_ADD);
    fb.localGet(fb.param(1)); fb.op(W.I64_EXTEND_I32_U); fb.op(W.I64_EXTEND32_S); fb.op(W.F32_CONVERT_I64_S); fb.op(W.F64_PROMOTE_F32);
    fb.op(W.F64_ADD);
  });
  fn(mb, 'pick', [I32, F64, F64], [F64], (fb) => {
    fb.localGet(fb.param(1)); fb.localGet(fb.param(2)); fb.localGet(fb.param(0)); fb.select();
  });
  return mb;
}

const EDGES_I32 = [0, 1, -1, 7, -7, 31, 2 ** 31 - 1, -(2 ** 31)];
const EDGES_I64 = [0n, 1n, -1n, 63n, 2n ** 63n - 1n, -(2n ** 63n), 123456789012345n];
const EDGES_F64 = [0, -0, 0.5, -2.5, 3.7, 1e300, -1e-300, Infinity, -Infinity, NaN, 2 ** 31, -(2 ** 63) - 4096];
const pairs = (xs) => xs.flatMap((a) => xs.map((b) => [a, b]));

wasmTest('toText of numeric code: constants, i32/i64/f64 ops, conversions, trunc_sat', async () => {
  const mb = numericModule();
  const fromText = await assertTextAssembles(mb);
  const f64s = EDGES_F64.map((x) => [x]);
  assertSameBehaviour(mb.encode(), fromText, {}, {
    i32_div_s: pairs(EDGES_I32), i32_rem_u: pairs(EDGES_I32), i32_rotl: pairs(EDGES_I32),
    i64_mul: pairs(EDGES_I64), i64_shr_s: pairs(EDGES_I64),
    f64_copysign: pairs(EDGES_F64), f64_min: pairs(EDGES_F64),
    i32_clz_eqz: EDGES_I32.map((x) => [x]), f64_poly: f64s,
    constants: [[]], nan_bits: [[]],
    i32_trunc_sat_f64_s: f64s, i32_trunc_sat_f64_u: f64s, i32_trunc_sat_f32_s: f64s,
    i64_trunc_sat_f64_s: f64s, i64_trunc_sat_f32_u: f64s,
    convert: EDGES_I64.map((x, i) => [x, EDGES_I32[i]]), pick: [[0, 1.5, 2.5], [1, 1.5, 2.5]],
  });
});

function memoryModule() {
  const mb = new WasmModuleBuilder();
  mb.importMemory('env', 'mem', 1, 4);
  // store(addr, x): every store width, at offsets, naturally and under-aligned.
  fn(mb, 'store', [I32, I64], [], (fb) => {
    const [addr, x] = [fb.param(0), fb.param(1)];
    fb.localGet(addr); fb.localGet(x); fb.store(W.I64_STORE, 3, 0);
    fb.localGet(addr); fb.localGet(x); fb.op(W.I32_WRAP_I64); fb.store(W.I32_STORE, 0, 9);
    fb.localGet(addr); fb.localGet(x); fb.op(W.I32_WRAP_I64); fb.store(W.I32_STORE16, 1, 14);
    fb.localGet(addr); fb.localGet(x); fb.op(W.I32_WRAP_I64); fb.store(W.I32_STORE8, 0, 17);
    fb.localGet(addr); fb.localGet(x); fb.store(W.I64_STORE32, 1, 20);
    fb.localGet(addr); fb.localGet(x); fb.store(W.I64_STORE16, 0, 25);
    fb.localGet(addr); fb.localGet(x); fb.store(W.I64_STORE8, 0, 28);
    fb.localGet(addr); fb.localGet(x); fb.op(W.F64_CONVERT_I64_S); fb.store(W.F64_STORE, 2, 32);
    fb.localGet(addr); fb.localGet(x); fb.op(W.F32_CONVERT_I64_S); fb.store(W.F32_STORE, 2, 40);
  });
  // load(addr): every load kind folded into one f64.
  fn(mb, 'load', [I32], [F64], (fb) => {
    const addr = fb.param(0);
    const loads = [
      [W.I32_LOAD, 2, 0, W.F64_CONVERT_I32_S], [W.I32_LOAD8_S, 0, 9, W.F64_CONVERT_I32_S],
      [W.I32_LOAD8_U, 0, 9, W.F64_CONVERT_I32_S], [W.I32_LOAD16_S, 0, 14, W.F64_CONVERT_I32_S],
      [W.I32_LOAD16_U, 1, 14, W.F64_CONVERT_I32_S], [W.I64_LOAD, 0, 0, W.F64_CONVERT_I64_S],
      [W.I64_LOAD8_S, 0, 28, W.F64_CONVERT_I64_S], [W.I64_LOAD8_U, 0, 28, W.F64_CONVERT_I64_S],
      [W.I64_LOAD16_S, 1, 25, W.F64_CONVERT_I64_S], [W.I64_LOAD16_U, 0, 25, W.F64_CONVERT_I64_S],
      [W.I64_LOAD32_S, 2, 20, W.F64_CONVERT_I64_S], [W.I64_LOAD32_U, 1, 20, W.F64_CONVERT_I64_S],
      [W.F64_LOAD, 3, 32, null], [W.F32_LOAD, 1, 40, W.F64_PROMOTE_F32],
    ];
    fb.f64Const(0);
    loads.forEach(([code, align, offset, convert], i) => {
      fb.localGet(addr); fb.load(code, align, offset);
      if (convert !== null) fb.op(convert);
      fb.f64Const(i + 1); fb.op(W.F64_MUL); fb.op(W.F64_ADD);
    });
  });
  fn(mb, 'grow', [I32], [I32, I32], (fb) => {
    fb.localGet(fb.param(0)); fb.memoryGrow(); fb.memorySize();
  });
  return mb;
}

wasmTest('toText of memory code: imported memory, loads and stores with offsets and alignment', async () => {
  const mb = memoryModule();
  const fromText = await assertTextAssembles(mb);
  assert.match(mb.toText(), /\(import "env" "mem" \(memory \(;0;\) 1 4\)\)/);
  assert.match(mb.toText(), /i32\.store offset=9 align=1\n/);
  // One memory per instance pair, so that both see the same stores.
  const run = (bytes) => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } }).exports;
    const results = [];
    for (const [addr, x] of [[0, -2n], [100, 0x1234_5678_9abc_def0n], [1001, -(2n ** 63n)], [65536 - 44, 7n], [65536 - 40, 1n]]) {
      try { ex.store(addr, x); results.push(ex.load(addr)); } catch (e) { results.push(e.message); }
    }
    results.push(ex.grow(1), ex.grow(5), new Uint8Array(memory.buffer.slice(0, 64)));
    return results;
  };
  assert.deepEqual(run(fromText), run(mb.encode()));
});

function controlModule() {
  const mb = new WasmModuleBuilder();
  // sum(n) = 0 + 1 + ... + n-1 by a loop with br_if and br; locals of every type.
  fn(mb, 'sum', [I32], [I64], (fb) => {
    const n = fb.param(0);
    const i = fb.local(I32), acc = fb.local(I64), scratch = fb.local(F64);
    fb.freeLocal(scratch);
    const f = fb.local(F64); // reuses scratch's slot
    const g = fb.local(F32);
    fb.f32Const(0.5); fb.localSet(g);
    fb.f64Const(0.25); fb.localSet(f);
    const done = fb.block();
    const top = fb.loop();
    fb.localGet(i); fb.localGet(n); fb.op(W.I32_GE_S); fb.brIf(done);
    fb.localGet(acc); fb.localGet(i); fb.op(W.I64_EXTEND_I32_S); fb.op(W.I64_ADD); fb.localSet(acc);
    fb.localGet(i); fb.i32Const(1); fb.op(W.I32_ADD); fb.localTee(i); fb.drop();
    fb.br(top);
    fb.end();
    fb.end();
    fb.localGet(acc);
  });
  // classify(x): if/else with results, br_table, return from nested blocks, nop.
  fn(mb, 'classify', [I32], [I32], (fb) => {
    const x = fb.param(0);
    const b2 = fb.block(I32);
    const b1 = fb.block();
    const b0 = fb.block();
    fb.nop();
    fb.localGet(x); fb.brTable([b0, b1], b1);
    fb.end();
    // x == 0
    fb.i32Const(100); fb.return_();
    fb.end();
    // x == 1 or x >= 2 (br_table default) or x < 0
    fb.localGet(x); fb.i32Const(1); fb.op(W.I32_EQ);
    fb.if_(I32);
    fb.i32Const(200);
    fb.else_();
    fb.localGet(x); fb.i32Const(0); fb.op(W.I32_LT_S);
    fb.if_();
    fb.i32Const(-1); fb.br(b2);
    fb.end();
    fb.localGet(x); fb.i32Const(10); fb.op(W.I32_MUL);
    fb.end();
    fb.end();
  });
  fn(mb, 'trap', [I32], [I32], (fb) => {
    fb.localGet(fb.param(0));
    fb.if_();
    fb.unreachable();
    fb.end();
    fb.i32Const(7);
  });
  return mb;
}

wasmTest('toText of control flow: block, loop, if/else, br, br_if, br_table, return, unreachable', async () => {
  const mb = controlModule();
  const fromText = await assertTextAssembles(mb);
  assertSameBehaviour(mb.encode(), fromText, {}, {
    sum: [[0], [1], [10], [1000], [-5]],
    classify: [[0], [1], [2], [3], [-4], [2 ** 31 - 1]],
    trap: [[0], [1]],
  });
});

function callModule() {
  const mb = new WasmModuleBuilder();
  mb.importTable('env', 'table', 3);
  const tLog = mb.addType([I32, F64], [F64]);
  // Import names WAT cannot hold as they are: quotes, backslash, control and non-ASCII characters.
  const logFn = mb.importFunction('env', 'log', tLog);
  const oddFn = mb.importFunction('odd "mod"\\', 'tab\there\n\u00e9\u{1F600}', mb.addType([], []));
  const tUnary = mb.addType([I32], [I32]);
  // A call to a function defined later, which has a name in need of sanitizing.
  const twice = mb.addFunction(tUnary, 'twice (via call)');
  const later = mb.functionCount + 1;
  twice.localGet(twice.param(0)); twice.call(later); twice.localGet(twice.param(0)); twice.call(later); twice.op(W.I32_ADD);
  twice.finish();
  const unnamed = mb.addFunction(tUnary);
  unnamed.call(oddFn); unnamed.localGet(unnamed.param(0)); unnamed.i32Const(3); unnamed.op(W.I32_MUL); unnamed.finish();
  const inc = mb.addFunction(tUnary, 'inc');
  assert.equal(inc.index, later);
  inc.localGet(inc.param(0)); inc.i32Const(1); inc.op(W.I32_ADD); inc.finish();
  // dispatch(slot, x) = table[slot](x) + log(x, 0.5)
  const dispatch = mb.addFunction(mb.addType([I32, I32], [F64]), 'dispatch');
  dispatch.localGet(dispatch.param(1)); dispatch.localGet(dispatch.param(0)); dispatch.callIndirect(tUnary);
  dispatch.op(W.F64_CONVERT_I32_S);
  dispatch.localGet(dispatch.param(1)); dispatch.f64Const(0.5); dispatch.call(logFn);
  dispatch.op(W.F64_ADD);
  dispatch.finish();
  mb.exportFunction('twice', twice.index);
  mb.exportFunction('unnamed', unnamed.index);
  mb.exportFunction('inc', inc.index);
  mb.exportFunction('dispatch', dispatch.index);
  mb.exportFunction('export "with" \\ odd\nchars \u00e9', inc.index);
  return mb;
}

wasmTest('toText of calls: imported functions and table, call, call_indirect, odd names', async () => {
  const seen = [];
  const mb = callModule();
  const fromText = await assertTextAssembles(mb);
  const text = mb.toText();
  for (const s of ['(import "env" "table" (table (;0;) 3 funcref))', '(func $env.log (;0;) (type 0) (param i32 f64) (result f64))',
    '(import "odd \\"mod\\"\\\\" "tab\\09here\\0a\\c3\\a9\\f0\\9f\\98\\80"', '(func $twice__via_call_ (;2;) (type 2)',
    '(func (;3;) (type 2)', 'call $inc', 'call $odd__mod_\\.tab_here___', 'call_indirect (type 2)', '(export "unnamed" (func 3))']) {
    assert.ok(text.includes(s), `missing ${JSON.stringify(s)} in\n${text}`);
  }
  // The table holds functions of another module (the builder has no element
  // segments): the text module's own exports, so both modules see the same table.
  const table = new WebAssembly.Table({ initial: 3, element: 'anyfunc' });
  const env = { table, log: (i, x) => { seen.push(i); return i * x; } };
  const imports = { env, 'odd "mod"\\': { 'tab\there\n\u00e9\u{1F600}': () => seen.push('odd') } };
  const lib = new WebAssembly.Instance(new WebAssembly.Module(fromText), imports).exports;
  table.set(0, lib.inc);
  table.set(1, lib.twice);
  table.set(2, lib.unnamed);
  assertSameBehaviour(mb.encode(), fromText, imports, {
    twice: [[1], [-3]], unnamed: [[5]], inc: [[41]], 'export "with" \\ odd\nchars \u00e9': [[1]],
    dispatch: [[0, 10], [1, 10], [2, 10], [3, 10]],
  });
  assert.ok(seen.includes('odd'));
});

wasmTest('toText: function names become unique, valid $ids', async () => {
  const names = ['f', 'f', 'f_2', 'a b', 'a b', 'x(y);;z', '', undefined, '$$', 'caf\u00e9'];
  const mb = new WasmModuleBuilder();
  const t = mb.addType([], [I32]);
  const fbs = names.map((name, k) => {
    const fb = mb.addFunction(t, name);
    fb.i32Const(k * 10);
    fb.finish();
    return fb;
  });
  // all() calls every function by its $id: a wrong resolution changes the sum.
  const all = fn(mb, 'all', [], [I32], (fb) => {
    fb.i32Const(0);
    fbs.forEach((f, k) => { fb.call(f.index); fb.i32Const(k + 1); fb.op(W.I32_MUL); fb.op(W.I32_ADD); });
  });
  fbs.forEach((f, k) => mb.exportFunction(`e${k}`, f.index));
  const fromText = await assertTextAssembles(mb);
  const ids = [...mb.toText().matchAll(/^ {2}\(func (\$\S+)? ?\(;(\d+);\)/gm)].map((m) => m[1]);
  assert.deepEqual(ids, ['$f', '$f_2', '$f_2_2', '$a_b', '$a_b_2', '$x_y___z', undefined, undefined, '$$$', '$caf_', '$all']);
  assert.equal(all.index, names.length);
  const calls = Object.fromEntries(names.map((_, k) => [`e${k}`, [[]]]));
  assertSameBehaviour(mb.encode(), fromText, {}, { ...calls, all: [[]] });
});

wasmTest('toText offsets are WAT comments that still locate the encoded instructions', async () => {
  const mb = controlModule();
  const text = mb.toText({ offsets: true });
  await assemble(text);
  const bytes = mb.encode();
  const lines = text.split('\n').filter((l) => l.includes('(;@'));
  assert.ok(lines.length > 20);
  for (const line of lines) {
    const [, at, instr] = line.match(/\(;@ *(\d+);\)\s+(\S+)/);
    if (instr === 'br_if') assert.equal(bytes[Number(at)], 0x0d, line);
    if (instr === 'i64.add') assert.equal(bytes[Number(at)], 0x7c, line);
    if (instr === 'loop') assert.equal(bytes[Number(at)], 0x03, line);
  }
});

// ---------------------------------------------------------------------------
// Compiled corpus functions

// Functions using calls, loops, arrays, structs, f64 math and strings.
const CORPUS = [
  ['programs/nbody.tier', ['energy', 'advance', 'offset_momentum']],
  ['programs/matrix.tier', ['mul', 'det', 'show']],
  ['programs/recursion.tier', ['ackermann', 'hanoi', 'permutations', 'power']],
  ['programs/string_building.tier', ['pad_left', 'words', 'upper']],
  ['programs/hash_map.tier', ['fnv1a', 'put', 'split_words']],
  ['programs/sorting.tier', ['quick_sort', 'merge_sort']],
  ['programs/mandelbrot.tier', ['escape', 'main']],
];

/** Runs `file` compiled, printing the wasm of `fnName`; returns the modules
 *  printed (several if OSR compiled it too), each with the bytes encode() made. */
function printWasm(file, fnName) {
  const path = new URL(`../programs/${file}`, import.meta.url);
  let stderr = '', stdout = '';
  const made = [];
  // Observe the builder that printed each text: its bytes are what V8 ran.
  const toText = WasmModuleBuilder.prototype.toText;
  WasmModuleBuilder.prototype.toText = function (options) {
    const text = toText.call(this, options);
    made.push({ text, bytes: this.encode() });
    return text;
  };
  try {
    const r = load(file, readFileSync(path, 'utf8'), {
      tier: 'jit', printCode: fnName, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; },
    });
    assert.ok(r.ok, stderr);
    // Some programs end in an expected runtime error, reported after the modules.
    assert.ok([0, 1].includes(r.program.run()), stderr);
  } finally {
    WasmModuleBuilder.prototype.toText = toText;
  }
  assert.ok(stdout.length > 0, 'the program printed nothing');
  const printed = stderr.match(/^\(module\n[\s\S]*?^\)\n/gm) ?? [];
  assert.ok(stderr.startsWith(printed.join('')), `stderr has more than modules:\n${stderr}`);
  assert.deepEqual(printed, made.map((m) => m.text), 'stderr holds other text than toText() returned');
  return made;
}

for (const [file, fns] of CORPUS) {
  wasmTest(`--print-wasm text of ${file} (${fns.join(', ')}) assembles to the compiled module`, async () => {
    for (const fnName of fns) {
      const made = printWasm(file, fnName);
      assert.ok(made.length >= 1, `${fnName} was not compiled`);
      for (const { text, bytes } of made) {
        assert.match(text, new RegExp(`^ {2}\\(func \\$${fnName} `, 'm'));
        const fromText = await assemble(text);
        assert.ok(WebAssembly.validate(fromText), `${fnName}: wabt's binary is invalid`);
        assert.deepEqual(fromText, withoutCustomSections(bytes), `${fnName}: the text assembles to other bytes`);
      }
    }
  });
}

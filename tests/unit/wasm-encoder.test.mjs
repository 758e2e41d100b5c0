// Unit tests of the WebAssembly encoder (src/jit/wasm/encoder.ts): LEB128, constants,
// whole modules validated, instantiated and run, misuse, and the text listing.
// Tests that need WebAssembly are skipped on hosts without it (node --jitless).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WasmModuleBuilder, W, WFC, encodeULEB128, encodeSLEB128, decodeULEB128, decodeSLEB128, encodeF64,
} from '../../dist/jit/wasm/encoder.js';

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c;
const HAS_WASM = typeof WebAssembly === 'object';
const wasmTest = (name, fn) => test(name, { skip: HAS_WASM ? false : 'no WebAssembly on this host' }, fn);

/** Encodes, validates and instantiates; returns the exports. */
function instantiate(mb, imports = {}) {
  const bytes = mb.encode();
  assert.ok(WebAssembly.validate(bytes), `invalid module:\n${mb.toText()}`);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports;
}

/** A module with one exported function `f` of type params -> results, body written by `body`. */
function single(params, results, body, setup = () => {}) {
  const mb = new WasmModuleBuilder();
  setup(mb);
  const fb = mb.addFunction(mb.addType(params, results), 'f');
  body(fb, mb);
  fb.finish();
  mb.exportFunction('f', fb.index);
  return mb;
}

function indexOfSeq(hay, needle) {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function randomInt(lo, hi) { return lo + Math.floor(Math.random() * (hi - lo + 1)); }

// ---------------------------------------------------------------------------
// LEB128

test('ULEB128: known encodings', () => {
  assert.deepEqual(encodeULEB128(0), [0x00]);
  assert.deepEqual(encodeULEB128(1), [0x01]);
  assert.deepEqual(encodeULEB128(127), [0x7f]);
  assert.deepEqual(encodeULEB128(128), [0x80, 0x01]);
  assert.deepEqual(encodeULEB128(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(encodeULEB128(2 ** 32 - 1), [0xff, 0xff, 0xff, 0xff, 0x0f]);
});

test('SLEB128: known encodings', () => {
  assert.deepEqual(encodeSLEB128(0), [0x00]);
  assert.deepEqual(encodeSLEB128(-1), [0x7f]);
  assert.deepEqual(encodeSLEB128(63), [0x3f]);
  assert.deepEqual(encodeSLEB128(64), [0xc0, 0x00]);
  assert.deepEqual(encodeSLEB128(-64), [0x40]);
  assert.deepEqual(encodeSLEB128(-65), [0xbf, 0x7f]);
  assert.deepEqual(encodeSLEB128(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(encodeSLEB128(-(2 ** 31)), [0x80, 0x80, 0x80, 0x80, 0x78]);
  assert.deepEqual(encodeSLEB128(2 ** 31 - 1), [0xff, 0xff, 0xff, 0xff, 0x07]);
});

function roundTrip(encode, decode, v) {
  const bytes = encode(v);
  // Surround with junk to check `at` and `next`.
  const buf = new Uint8Array([0xaa, 0xbb, ...bytes, 0xcc]);
  const { value, next } = decode(buf, 2);
  assert.equal(value, v, `value ${v} via [${bytes}]`);
  assert.equal(next, 2 + bytes.length, `next for ${v}`);
}

test('ULEB128 round trips', () => {
  const fixed = [0, 1, 63, 64, 127, 128, 255, 256, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
  for (const v of fixed) roundTrip(encodeULEB128, decodeULEB128, v);
  for (let i = 0; i < 2000; i++) roundTrip(encodeULEB128, decodeULEB128, randomInt(0, 2 ** 32 - 1));
  for (let i = 0; i < 200; i++) roundTrip(encodeULEB128, decodeULEB128, randomInt(0, 2 ** 53 - 1));
});

test('SLEB128 round trips', () => {
  const fixed = [0, 1, -1, 63, 64, -64, -65, 127, 128, -127, -128, -129, 8191, 8192, -8192, -8193,
    2 ** 31 - 1, -(2 ** 31), 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1)];
  for (const v of fixed) roundTrip(encodeSLEB128, decodeSLEB128, v);
  for (let i = 0; i < 2000; i++) roundTrip(encodeSLEB128, decodeSLEB128, randomInt(-(2 ** 31), 2 ** 31 - 1));
  for (let i = 0; i < 200; i++) roundTrip(encodeSLEB128, decodeSLEB128, randomInt(-(2 ** 53 - 1), 2 ** 53 - 1));
});

test('LEB128: bad input throws', () => {
  assert.throws(() => encodeULEB128(-1), RangeError);
  assert.throws(() => encodeULEB128(1.5), RangeError);
  assert.throws(() => encodeULEB128(2 ** 53), RangeError);
  assert.throws(() => encodeSLEB128(0.5), RangeError);
  assert.throws(() => decodeULEB128(new Uint8Array([0x80, 0x80]), 0), /truncated/);
  assert.throws(() => decodeSLEB128(new Uint8Array([0xff]), 0), /truncated/);
  assert.throws(() => decodeULEB128(new Uint8Array(12).fill(0x80), 0), /longer/);
});

wasmTest('i32.const: signed LEB128 of v|0 agrees with the engine', () => {
  const values = [0, 1, -1, 63, 64, -64, -65, 127, 128, -128, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321];
  const mb = new WasmModuleBuilder();
  const t = mb.addType([], [I32]);
  values.forEach((v, i) => {
    const fb = mb.addFunction(t);
    fb.i32Const(v);
    fb.finish();
    mb.exportFunction(`c${i}`, fb.index);
  });
  const wrap = mb.addFunction(t);
  wrap.i32Const(2 ** 32 + 5); // v|0 === 5
  wrap.finish();
  mb.exportFunction('wrap', wrap.index);
  const ex = instantiate(mb);
  values.forEach((v, i) => assert.equal(ex[`c${i}`](), v));
  assert.equal(ex.wrap(), 5);
});

// ---------------------------------------------------------------------------
// f64.const

test('f64Const: byte patterns of -0, NaN, Infinity', () => {
  assert.deepEqual(encodeF64(-0), [0, 0, 0, 0, 0, 0, 0, 0x80]);
  assert.deepEqual(encodeF64(0), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(encodeF64(NaN), [0, 0, 0, 0, 0, 0, 0xf8, 0x7f]);
  assert.deepEqual(encodeF64(Infinity), [0, 0, 0, 0, 0, 0, 0xf0, 0x7f]);
  assert.deepEqual(encodeF64(-Infinity), [0, 0, 0, 0, 0, 0, 0xf0, 0xff]);
  assert.deepEqual(encodeF64(1), [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
  // In the module: the opcode 0x44 followed by exactly those bytes.
  for (const v of [-0, NaN, Infinity]) {
    const bytes = single([], [F64], (fb) => fb.f64Const(v)).encode();
    assert.ok(indexOfSeq(bytes, [0x44, ...encodeF64(v), 0x0b]) > 0, `f64.const ${v}`);
  }
});

wasmTest('f64Const: values survive into the engine (-0, NaN payload, infinities)', () => {
  const negZero = instantiate(single([], [F64], (fb) => fb.f64Const(-0))).f;
  assert.ok(Object.is(negZero(), -0));
  assert.equal(instantiate(single([], [F64], (fb) => fb.f64Const(Infinity))).f(), Infinity);
  assert.equal(instantiate(single([], [F64], (fb) => fb.f64Const(-Infinity))).f(), -Infinity);
  assert.ok(Number.isNaN(instantiate(single([], [F64], (fb) => fb.f64Const(NaN))).f()));
  // A quiet NaN with a payload: its bits, read back through i64.reinterpret_f64.
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, 0x7ff8000000000123n, true);
  const payloadNaN = view.getFloat64(0, true);
  const bits = instantiate(single([], [I64], (fb) => { fb.f64Const(payloadNaN); fb.op(W.I64_REINTERPRET_F64); })).f();
  assert.equal(BigInt.asUintN(64, bits), 0x7ff8000000000123n);
  const pi = instantiate(single([], [F64], (fb) => fb.f64Const(Math.PI))).f;
  assert.equal(pi(), Math.PI);
});

// ---------------------------------------------------------------------------
// Whole modules

wasmTest('add function', () => {
  const mb = single([I32, I32], [I32], (fb) => {
    fb.localGet(fb.param(0));
    fb.localGet(fb.param(1));
    fb.op(W.I32_ADD);
  });
  const { f } = instantiate(mb);
  assert.equal(f(2, 3), 5);
  assert.equal(f(2 ** 31 - 1, 1), -(2 ** 31));
});

wasmTest('recursive factorial via call', () => {
  const mb = new WasmModuleBuilder();
  const t = mb.addType([I32], [I32]);
  const fact = mb.addFunction(t, 'fact');
  const n = fact.param(0);
  fact.localGet(n);
  fact.i32Const(2);
  fact.op(W.I32_LT_S);
  fact.if_(I32);
  fact.i32Const(1);
  fact.else_();
  fact.localGet(n);
  fact.localGet(n);
  fact.i32Const(1);
  fact.op(W.I32_SUB);
  fact.call(fact.index);
  fact.op(W.I32_MUL);
  fact.end();
  fact.finish();
  mb.exportFunction('fact', fact.index);
  const ex = instantiate(mb);
  assert.equal(ex.fact(0), 1);
  assert.equal(ex.fact(5), 120);
  assert.equal(ex.fact(10), 3628800);
});

wasmTest('loop summing 1..n with loop/br_if', () => {
  const mb = single([I32], [I32], (fb) => {
    const n = fb.param(0);
    const i = fb.local(I32);
    const acc = fb.local(I32);
    fb.i32Const(0);
    fb.localSet(acc);
    fb.i32Const(1);
    fb.localSet(i);
    const done = fb.block();
    fb.localGet(i);
    fb.localGet(n);
    fb.op(W.I32_GT_S);
    fb.brIf(done);
    const top = fb.loop();
    fb.localGet(acc);
    fb.localGet(i);
    fb.op(W.I32_ADD);
    fb.localSet(acc);
    fb.localGet(i);
    fb.i32Const(1);
    fb.op(W.I32_ADD);
    fb.localTee(i);
    fb.localGet(n);
    fb.op(W.I32_LE_S);
    fb.brIf(top);
    fb.end();
    fb.end();
    fb.localGet(acc);
  });
  const { f } = instantiate(mb);
  assert.equal(f(0), 0);
  assert.equal(f(1), 1);
  assert.equal(f(10), 55);
  assert.equal(f(1000), 500500);
});

wasmTest('nested blocks: br_table and br to an outer label', () => {
  const mb = single([I32], [I32], (fb) => {
    const x = fb.param(0);
    const r = fb.local(I32);
    const done = fb.block();
    const dflt = fb.block();
    const c2 = fb.block();
    const c1 = fb.block();
    const c0 = fb.block();
    fb.localGet(x);
    fb.brTable([c0, c1, c2], dflt);
    fb.end(); // c0
    fb.i32Const(10); fb.localSet(r); fb.br(done);
    fb.end(); // c1
    fb.i32Const(20); fb.localSet(r); fb.br(done);
    fb.end(); // c2
    fb.i32Const(30); fb.localSet(r); fb.br(done);
    fb.end(); // default
    fb.i32Const(99); fb.localSet(r);
    fb.end(); // done
    fb.localGet(r);
  });
  const { f } = instantiate(mb);
  assert.deepEqual([0, 1, 2, 3, -1, 1000].map(f), [10, 20, 30, 99, 99, 99]);
});

wasmTest('block with a result and br carrying a value out of nested blocks', () => {
  const mb = single([I32], [I32], (fb) => {
    const outer = fb.block(I32);
    fb.block();
    fb.i32Const(7);
    fb.localGet(fb.param(0));
    fb.brIf(outer); // x != 0: leave with 7
    fb.drop();
    fb.end();
    fb.i32Const(8);
    fb.end();
  });
  const { f } = instantiate(mb);
  assert.equal(f(1), 7);
  assert.equal(f(0), 8);
});

wasmTest('if/else with a result type', () => {
  const mb = single([F64, F64], [F64], (fb) => {
    const a = fb.param(0), b = fb.param(1);
    fb.localGet(a); fb.localGet(b); fb.op(W.F64_GT);
    fb.if_(F64);
    fb.localGet(a);
    fb.else_();
    fb.localGet(b);
    fb.end();
  });
  const { f } = instantiate(mb);
  assert.equal(f(1.5, 2.5), 2.5);
  assert.equal(f(3, -1), 3);
});

wasmTest('memory loads and stores on an imported WebAssembly.Memory', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
  const mb = new WasmModuleBuilder();
  mb.importMemory('env', 'mem', 1, 4);
  // put(addr, i, x): i32.store [addr] = i; f64.store [addr+8] = x; i32.store16 [addr+16] = i
  const put = mb.addFunction(mb.addType([I32, I32, F64], []), 'put');
  put.localGet(put.param(0)); put.localGet(put.param(1)); put.store(W.I32_STORE, 2, 0);
  put.localGet(put.param(0)); put.localGet(put.param(2)); put.store(W.F64_STORE, 3, 8);
  put.localGet(put.param(0)); put.localGet(put.param(1)); put.store(W.I32_STORE16, 1, 16);
  put.finish();
  const getI = mb.addFunction(mb.addType([I32], [I32]), 'getI');
  getI.localGet(getI.param(0)); getI.load(W.I32_LOAD, 2, 0); getI.finish();
  const getF = mb.addFunction(mb.addType([I32], [F64]), 'getF');
  getF.localGet(getF.param(0)); getF.load(W.F64_LOAD, 3, 8); getF.finish();
  const getH = mb.addFunction(mb.addType([I32], [I32]), 'getH');
  getH.localGet(getH.param(0)); getH.load(W.I32_LOAD16_U, 0, 16); getH.finish(); // unaligned hint
  const size = mb.addFunction(mb.addType([], [I32]), 'size');
  size.memorySize(); size.finish();
  for (const fn of [put, getI, getF, getH, size]) mb.exportFunction(fn.name, fn.index);
  const ex = instantiate(mb, { env: { mem: memory } });

  ex.put(64, -2, 6.25);
  const dv = new DataView(memory.buffer);
  assert.equal(dv.getInt32(64, true), -2);
  assert.equal(dv.getFloat64(72, true), 6.25);
  assert.equal(dv.getUint16(80, true), 0xfffe);
  dv.setInt32(128, 123456, true);
  dv.setFloat64(136, -0.5, true);
  dv.setUint16(144, 0xbeef, true);
  assert.equal(ex.getI(128), 123456);
  assert.equal(ex.getF(128), -0.5);
  assert.equal(ex.getH(128), 0xbeef);
  assert.equal(ex.size(), 1);
  assert.throws(() => ex.getI(65536 - 2), WebAssembly.RuntimeError);
});

wasmTest('call_indirect through an imported table holding another module\'s export', () => {
  const lib = new WasmModuleBuilder();
  const tl = lib.addType([I32], [I32]);
  const dbl = lib.addFunction(tl, 'double');
  dbl.localGet(dbl.param(0)); dbl.i32Const(2); dbl.op(W.I32_MUL); dbl.finish();
  lib.exportFunction('double', dbl.index);
  const libEx = instantiate(lib);

  const table = new WebAssembly.Table({ initial: 4, element: 'anyfunc' });
  table.set(1, libEx.double);

  const mb = new WasmModuleBuilder();
  mb.importTable('env', 'table', 4);
  const sig = mb.addType([I32], [I32]);
  // f(slot, x) = table[slot](x)
  const fb = mb.addFunction(mb.addType([I32, I32], [I32]), 'f');
  fb.localGet(fb.param(1));
  fb.localGet(fb.param(0));
  fb.callIndirect(sig);
  fb.finish();
  mb.exportFunction('f', fb.index);
  const ex = instantiate(mb, { env: { table } });
  assert.equal(ex.f(1, 21), 42);
  assert.throws(() => ex.f(0, 1), WebAssembly.RuntimeError); // null slot
  assert.throws(() => ex.f(9, 1), WebAssembly.RuntimeError); // out of bounds
  assert.match(mb.toText(), /call_indirect \(type 0\)/);
});

wasmTest('imported JS function call', () => {
  const seen = [];
  const mb = new WasmModuleBuilder();
  const tLog = mb.addType([I32, F64], [F64]);
  const log = mb.importFunction('env', 'log', tLog);
  const tVoid = mb.addType([], []);
  const tick = mb.importFunction('env', 'tick', tVoid);
  assert.equal(log, 0);
  assert.equal(tick, 1);
  const fb = mb.addFunction(mb.addType([I32], [F64]), 'f');
  assert.equal(fb.index, 2);
  fb.call(tick);
  fb.localGet(fb.param(0));
  fb.f64Const(0.5);
  fb.call(log);
  fb.finish();
  mb.exportFunction('f', fb.index);
  const ex = instantiate(mb, { env: { log: (i, x) => { seen.push([i, x]); return i + x; }, tick: () => seen.push('tick') } });
  assert.equal(ex.f(41), 41.5);
  assert.deepEqual(seen, ['tick', [41, 0.5]]);
  assert.match(mb.toText(), /call \$env\.log\n/);
});

wasmTest('i32.trunc_sat_f64_s: NaN -> 0, saturation at the i32 bounds', () => {
  const { f } = instantiate(single([F64], [I32], (fb) => { fb.localGet(fb.param(0)); fb.truncSatF64S(); }));
  assert.equal(f(NaN), 0);
  assert.equal(f(1e20), 2147483647);
  assert.equal(f(-1e20), -2147483648);
  assert.equal(f(Infinity), 2147483647);
  assert.equal(f(-Infinity), -2147483648);
  assert.equal(f(-3.9), -3);
  assert.equal(f(2147483647.5), 2147483647);
  const u = instantiate(single([F64], [I32], (fb) => { fb.localGet(fb.param(0)); fb.truncSat(WFC.I32_TRUNC_SAT_F64_U); })).f;
  assert.equal(u(-5), 0);
  assert.equal(u(4294967295) >>> 0, 4294967295);
});

wasmTest('f64 unary ops, conversions and sign extension', () => {
  const un = (code) => instantiate(single([F64], [F64], (fb) => { fb.localGet(fb.param(0)); fb.op(code); })).f;
  assert.equal(un(W.F64_SQRT)(16), 4);
  assert.equal(un(W.F64_FLOOR)(-1.5), -2);
  assert.equal(un(W.F64_CEIL)(1.2), 2);
  assert.equal(un(W.F64_ABS)(-3), 3);
  assert.equal(un(W.F64_NEG)(3), -3);
  const conv = instantiate(single([I32], [F64], (fb) => { fb.localGet(fb.param(0)); fb.op(W.F64_CONVERT_I32_S); })).f;
  assert.equal(conv(-7), -7);
  const ext = instantiate(single([I32], [I32], (fb) => { fb.localGet(fb.param(0)); fb.op(W.I32_EXTEND8_S); })).f;
  assert.equal(ext(0xff), -1);
  assert.equal(ext(0x17f), 127);
});

wasmTest('multi-value results and i64 constants', () => {
  const mb = single([], [I32, I64, F32], (fb) => {
    fb.i32Const(-5);
    fb.i64Const(-(2n ** 63n));
    fb.f32Const(1.5);
  });
  assert.deepEqual(instantiate(mb).f(), [-5, -(2n ** 63n), 1.5]);
});

wasmTest('locals: typed, reused after free, declared in index order', () => {
  const mb = new WasmModuleBuilder();
  const fb = mb.addFunction(mb.addType([I32], [F64]), 'f');
  const a = fb.local(F64);
  const b = fb.local(F64);
  const c = fb.local(I32);
  const d = fb.local(I64);
  assert.deepEqual([a.index, b.index, c.index, d.index], [1, 2, 3, 4]);
  fb.freeLocal(a);
  const c2 = fb.local(I32);
  assert.equal(c2.index, 5, 'no free i32: a new one');
  const a2 = fb.local(F64);
  assert.equal(a2.index, 1, 'the freed f64 comes back');
  const e = fb.local(F64);
  assert.equal(e.index, 6);
  assert.equal(fb.localCount, 7);
  // a2 = p0 (as f64); e = 0.25; c2 = 3; d = i64(p0); result = a2 + e + c2 + d
  fb.localGet(fb.param(0)); fb.op(W.F64_CONVERT_I32_S); fb.localSet(a2);
  fb.f64Const(0.25); fb.localSet(e);
  fb.i32Const(3); fb.localSet(c2);
  fb.localGet(fb.param(0)); fb.op(W.I64_EXTEND_I32_S); fb.localSet(d);
  fb.localGet(a2); fb.localGet(e); fb.op(W.F64_ADD);
  fb.localGet(c2); fb.op(W.F64_CONVERT_I32_S); fb.op(W.F64_ADD);
  fb.localGet(d); fb.op(W.F64_CONVERT_I64_S); fb.op(W.F64_ADD);
  fb.finish();
  mb.exportFunction('f', fb.index);
  // Declarations: runs (2 f64) (1 i32) (1 i64) (1 i32) (1 f64) = 5 entries.
  const bytes = mb.encode();
  assert.ok(indexOfSeq(bytes, [0x05, 0x02, F64, 0x01, I32, 0x01, I64, 0x01, I32, 0x01, F64]) > 0);
  assert.match(mb.toText(), /\(local f64 f64 i32 i64 i32 f64\)/);
  assert.equal(instantiate(mb).f(10), 10 + 0.25 + 3 + 10);
});

wasmTest('the name section names functions in stack traces', () => {
  const mb = single([], [], (fb) => fb.unreachable());
  const { f } = instantiate(mb);
  assert.throws(f, (e) => e instanceof WebAssembly.RuntimeError && /\bf\b/.test(e.stack));
});

test('encoded module starts with magic and version; types are deduplicated', () => {
  const mb = new WasmModuleBuilder();
  const t1 = mb.addType([I32, I32], [I32]);
  const t2 = mb.addType([F64], []);
  assert.equal(mb.addType([I32, I32], [I32]), t1);
  assert.notEqual(t1, t2);
  assert.equal(mb.addType([F64], []), t2);
  const bytes = mb.encode();
  assert.deepEqual([...bytes.slice(0, 8)], [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  if (HAS_WASM) assert.ok(WebAssembly.validate(bytes));
});

// ---------------------------------------------------------------------------
// Misuse

test('misuse throws', () => {
  const mb = new WasmModuleBuilder();
  const t = mb.addType([I32], [I32]);
  const fb = mb.addFunction(t, 'g');
  const other = mb.addFunction(t, 'h');

  const closed = fb.block();
  fb.end();
  assert.throws(() => fb.br(closed), /not open/);
  assert.throws(() => fb.brIf(closed), /not open/);
  assert.throws(() => fb.brTable([closed], closed), /not open/);
  const otherLabel = other.block();
  assert.throws(() => fb.br(otherLabel), /another function/);
  assert.throws(() => fb.br({ id: 0, kind: 'block' }), /another function/);

  assert.throws(() => fb.end(), /no open block/);
  assert.throws(() => fb.else_(), /no open block/);
  const blk = fb.block();
  assert.throws(() => fb.else_(), /else without an open if/);
  fb.end();
  fb.localGet(fb.param(0));
  fb.if_(I32);
  fb.i32Const(1);
  assert.throws(() => fb.end(), /needs an else/);
  fb.else_();
  assert.throws(() => fb.else_(), /else without an open if/);
  fb.i32Const(2);
  fb.end();
  assert.throws(() => fb.br(blk), /not open/);

  fb.block();
  fb.loop();
  assert.throws(() => fb.finish(), /open blocks: block \$L\d+, loop \$L\d+/);
  fb.end();
  fb.end();

  assert.throws(() => fb.param(1), RangeError);
  assert.throws(() => fb.freeLocal(fb.param(0)), /cannot be freed/);
  const l = fb.local(I32);
  fb.freeLocal(l);
  assert.throws(() => fb.freeLocal(l), /freed twice/);
  assert.throws(() => fb.localGet(l), /after freeLocal/);
  assert.throws(() => fb.localGet({ index: 0, type: F64 }), /does not belong/);
  assert.throws(() => fb.localGet({ index: 99, type: I32 }), /does not belong/);
  assert.throws(() => fb.local(0x40), TypeError);

  assert.throws(() => fb.op(W.BLOCK), /not an instruction without immediates/);
  assert.throws(() => fb.op(W.I32_CONST), /not an instruction without immediates/);
  assert.throws(() => fb.op(W.NO_SUCH_OP), /not an instruction without immediates/);
  assert.throws(() => fb.load(W.I32_STORE, 2, 0), /not a load/);
  assert.throws(() => fb.store(W.I32_LOAD, 2, 0), /not a store/);
  assert.throws(() => fb.load(W.I32_LOAD, 3, 0), /align/);
  assert.throws(() => fb.load(W.I32_LOAD16_U, 2, 0), /align/);
  assert.throws(() => fb.load(W.I32_LOAD, 2, -1), RangeError);
  assert.throws(() => fb.truncSat(8), /sub-opcode/);
  assert.throws(() => fb.callIndirect(42), /no function type/);

  assert.throws(() => mb.importFunction('env', 'late', t), /imports must precede/);
  assert.throws(() => mb.addFunction(42), /no function type/);
  assert.throws(() => mb.addType([0x40], []), TypeError);
  mb.exportFunction('g', fb.index);
  assert.throws(() => mb.exportFunction('g', fb.index), /duplicate/);

  fb.localGet(fb.param(0));
  fb.finish();
  assert.throws(() => fb.i32Const(1), /after finish/);
  assert.throws(() => fb.finish(), /after finish/);
  assert.throws(() => mb.encode(), /function 1 \(h\) is not finished/);
  other.end();
  other.localGet(other.param(0));
  other.call(7);
  other.finish();
  assert.throws(() => mb.encode(), /calls function 7/);
});

test('encode checks memory, table and export references', () => {
  const noMem = single([I32], [I32], (fb) => { fb.localGet(fb.param(0)); fb.load(W.I32_LOAD, 2, 0); });
  assert.throws(() => noMem.encode(), /no memory was imported/);
  const noTable = single([I32], [], (fb) => { fb.localGet(fb.param(0)); fb.callIndirect(0); });
  assert.throws(() => noTable.encode(), /no table was imported/);
  const badExport = single([], [], () => {});
  badExport.exportFunction('nope', 5);
  assert.throws(() => badExport.encode(), /export "nope"/);
  const mb = new WasmModuleBuilder();
  mb.importMemory('env', 'm', 1);
  assert.throws(() => mb.importMemory('env', 'm2', 1), /already has a memory/);
  assert.throws(() => mb.importTable('env', 't', -1), RangeError);
});

// ---------------------------------------------------------------------------
// Text

test('toText: readable instruction names, nesting indentation', () => {
  const mb = new WasmModuleBuilder();
  mb.importMemory('env', 'mem', 1, 2);
  mb.importTable('env', 'tbl', 1);
  const t = mb.addType([I32, I32], [I32]);
  const fb = mb.addFunction(t, 'sum');
  fb.localGet(fb.param(0));
  fb.localGet(fb.param(1));
  fb.op(W.I32_ADD);
  const outer = fb.block(I32);
  const inner = fb.loop();
  fb.localGet(fb.param(0));
  fb.brIf(outer);
  fb.localGet(fb.param(0));
  fb.load(W.F64_LOAD, 3, 16);
  fb.truncSatF64S();
  fb.localGet(fb.param(1));
  fb.callIndirect(t);
  fb.drop();
  fb.f64Const(-0);
  fb.drop();
  fb.f64Const(NaN);
  fb.drop();
  fb.br(inner);
  fb.end();
  fb.end();
  fb.finish();
  mb.exportFunction('sum', fb.index);
  const text = mb.toText();
  for (const s of ['(module', '(type (;0;) (func (param i32 i32) (result i32)))', '(import "env" "mem" (memory (;0;) 1 2))',
    '(import "env" "tbl" (table (;0;) 1 funcref))', '(func $sum (;0;) (type 0) (param i32 i32) (result i32)',
    'i32.add', 'local.get 0', 'local.get 1', 'call_indirect (type 0)', 'f64.load offset=16', 'i32.trunc_sat_f64_s',
    'f64.const -0', 'f64.const nan', 'br_if 1', 'br 0', '(export "sum" (func $sum))']) {
    assert.ok(text.includes(s), `missing ${JSON.stringify(s)} in\n${text}`);
  }
  const lines = text.split('\n');
  const indentOf = (re) => lines.find((l) => re.test(l)).match(/^ */)[0].length;
  const base = indentOf(/^\s*i32\.add/);
  assert.equal(indentOf(/^\s*block/), base);
  assert.equal(indentOf(/^\s*loop/), base + 2);
  assert.equal(indentOf(/^\s*br_if/), base + 4);
  assert.equal(indentOf(/^\s*call_indirect/), base + 4);
  assert.equal(indentOf(/^\s*end ;; \$L1/), base + 2);
  assert.equal(indentOf(/^\s*end ;; \$L0/), base);
  assert.ok(lines.filter((l) => /^\s*end/.test(l)).length === 2, 'the function\'s final end is not listed');
});

test('toText: else aligns with its if; offsets match the encoded bytes', () => {
  const mb = single([I32], [I32], (fb) => {
    fb.localGet(fb.param(0));
    fb.if_(I32);
    fb.i32Const(1);
    fb.else_();
    fb.i32Const(2);
    fb.end();
  });
  const text = mb.toText();
  const indent = (s) => text.split('\n').find((l) => l.trim().startsWith(s)).match(/^ */)[0].length;
  assert.equal(indent('if'), indent('else'));
  assert.equal(indent('i32.const 1'), indent('if') + 2);
  const withOffsets = mb.toText({ offsets: true });
  const bytes = mb.encode();
  const m = withOffsets.match(/\(;@ *(\d+);\)\s+i32\.const 2/);
  assert.ok(m, withOffsets);
  const at = Number(m[1]);
  assert.deepEqual([bytes[at], bytes[at + 1]], [0x41, 0x02]);
  assert.equal(bytes[at - 1], 0x05, 'preceded by else');
});

wasmTest('toText offsets locate V8\'s compile error', () => {
  const mb = single([I32], [I32], (fb) => { fb.localGet(fb.param(0)); fb.f64Const(1); fb.op(W.I32_ADD); });
  const bytes = mb.encode();
  assert.equal(WebAssembly.validate(bytes), false);
  let message = '';
  try { new WebAssembly.Module(bytes); } catch (e) { message = e.message; }
  const at = Number(message.match(/@\+(\d+)/)[1]);
  const line = mb.toText({ offsets: true }).split('\n').find((l) => l.includes(`(;@${String(at).padStart(5)};)`));
  assert.match(line, /f64\.const 1/);
});

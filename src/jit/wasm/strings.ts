// String operations for compiled code, as WebAssembly: concatenation, content
// equality, chr, substr, str(i32), parse_i32, and the fast paths of string
// builders; in a second module, fixed, str(f64) and parse_f64 on their fast
// paths (WASM_NUMBER_HELPERS).
//
// The wasm backend builds this module once and puts its exports in place of the
// JavaScript helpers of the same names (jit/helpers.ts), so compiled code calls
// them wasm-to-wasm with no host round trip, and the lowering does not change.
// chr below CHAR_CACHE_SIZE reads the heap's cached string. Each allocating
// operation bumps the allocation window inline, exactly as compiled NEWSTRUCT
// does (runtime/heap.ts: CURSOR_WORD, LIMIT_WORD); when the window is used up it
// asks the runtime for a new one (the `refill` helper, which may collect: the
// operands stay valid, nothing moves, and they are roots in the caller's frame)
// and bumps there. It falls back to the JavaScript helper of the same name when
// its checks fail (the helper raises the trap), for strings too long for the
// fast path, and for ropes (runtime/heap.ts) that must be read: an operand that
// is a rope is read there. A concatenation from the rope threshold on makes its
// rope inline (16 bytes bumped: the rope's header, length, left and right), as
// heap.concat does; only an empty operand or a result past the heap's longest
// string (out of memory) goes to the slow path. The frame is already published when compiled code calls one of
// these (the opcodes are `publishes`), so the runtime finds it.
// What must stay true: each export has exactly its helper's signature
// (bytecode/helpers.ts) and builds the same string, byte for byte, as the
// helper would (tests/unit/strings-wasm.test.mjs compares them).

import type { Helper } from '../../bytecode/helpers.js';
import { CURSOR_WORD, LIMIT_WORD, HEADER_BYTES, MIN_BLOCK, ObjKind, CHAR_CACHE_SIZE, KIND_MASK, ROPE_BYTES, type Heap } from '../../runtime/heap.js';
import { SHORT_UNITS } from '../../runtime/string-builder.js';
import { ValType, W, WasmModuleBuilder, type Local, type WasmFunctionBuilder } from './encoder.js';
import { helperType } from './lower.js';

/** The helpers this module replaces, with its slow paths (the JS helpers). */
export const WASM_STRING_HELPERS = ['concat', 'streq', 'chr', 'substr', 'tostr_i', 'parse_i', 'sb_append', 'sb_str'] as const;
export type WasmStringHelper = (typeof WASM_STRING_HELPERS)[number];

/** The JS helpers this module calls: the slow paths of its operations, and refill. */
const SLOW_PATHS = ['concat', 'streq', 'chr', 'substr', 'tostr_i', 'parse_i', 'sb_append', 'sb_str', 'refill'] as const;
type SlowPath = (typeof SLOW_PATHS)[number];

/** The number-text helpers, in a module of their own (f64 code that V8 takes a
 *  few milliseconds to compile, which a program that never calls them does not
 *  pay), built on first use on the program's thread, with the JS helpers of the
 *  same names as their slow paths. */
export const WASM_NUMBER_HELPERS = ['fixed', 'tostr_f', 'parse_f'] as const;
export type WasmNumberHelper = (typeof WASM_NUMBER_HELPERS)[number];
const NUMBER_SLOW_PATHS = [...WASM_NUMBER_HELPERS, 'refill'] as const;
type NumberSlowPath = (typeof NUMBER_SLOW_PATHS)[number];

/** Build and instantiate the number-text module; returns its exports by helper name. */
export function makeNumberHelpers(memory: WebAssembly.Memory, slow: Record<NumberSlowPath, Function>): Record<WasmNumberHelper, Function> {
  const mb = new WasmModuleBuilder();
  mb.importMemory('env', 'memory', 1);
  const type = (h: Helper) => helperType(mb, h);
  const slowPath = Object.fromEntries(NUMBER_SLOW_PATHS.map((h) => [h, mb.importFunction('slow', h, type(h))])) as Record<NumberSlowPath, number>;
  const alloc = allocString(mb, slowPath.refill);
  const fixedWasm = fixedFn(mb, type('fixed'), alloc, slowPath.fixed);
  const fns = {
    fixed: fixedWasm,
    tostr_f: tostrF(mb, type('tostr_f'), fixedWasm, slowPath.tostr_f),
    parse_f: parseF(mb, type('parse_f'), slowPath.parse_f),
  };
  for (const [name, wb] of Object.entries(fns)) mb.exportFunction(name, wb.index);
  const module = new WebAssembly.Module(mb.encode() as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, { env: { memory }, slow: slow as unknown as WebAssembly.ModuleImports });
  return instance.exports as unknown as Record<WasmNumberHelper, Function>;
}

/** Strings longer than this many code units always take the slow path, so the
 *  block size computed in i32 cannot overflow. */
const FAST_MAX_UNITS = 0x0fffffff;

const I32 = ValType.I32;

/** What the module bakes in of the heap (sent to the compiler thread as is). */
export interface StringModuleParams {
  /** The heap's one-unit string cache. */
  charCache: number;
  /** The heap's rope threshold. */
  ropeMin: number;
  /** A rope's header word 0 (heap.ropeTag). */
  ropeTag: number;
  /** The longest string a concatenation may make (heap.maxStringUnits). */
  maxUnits: number;
}

export function stringModuleParams(heap: Heap): StringModuleParams {
  return { charCache: heap.charCache, ropeMin: heap.ropeMin, ropeTag: heap.ropeTag, maxUnits: Math.min(heap.maxStringUnits, 0x7fffffff) };
}

/** Build and instantiate the module; returns its exports by helper name. */
export function makeStringHelpers(
  memory: WebAssembly.Memory,
  slow: Record<SlowPath, Function>,
  params: StringModuleParams,
  compiled?: WebAssembly.Module,
): Record<WasmStringHelper, Function> {
  const module = compiled ?? new WebAssembly.Module(stringHelpersModule(params).encode() as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, { env: { memory }, slow: slow as unknown as WebAssembly.ModuleImports });
  return instance.exports as unknown as Record<WasmStringHelper, Function>;
}

/** The string helpers' module (pure: built here or on the compiler thread). */
export function stringHelpersModule({ charCache, ropeMin, ropeTag, maxUnits }: StringModuleParams): WasmModuleBuilder {
  // A concatenation longer than this takes the slow path (which makes a rope
  // from ropeMin units on, runtime/heap.ts); so one at most this long has two
  // flat operands (a rope is at least ropeMin long) and copies them inline.
  const fastMax = Math.min(FAST_MAX_UNITS, ropeMin - 1);
  const mb = new WasmModuleBuilder();
  mb.importMemory('env', 'memory', 1);
  const type = (h: Helper) => helperType(mb, h);
  // Imports precede the module's own functions.
  const slowPath = Object.fromEntries(SLOW_PATHS.map((h) => [h, mb.importFunction('slow', h, type(h))])) as Record<SlowPath, number>;
  const alloc = allocString(mb, slowPath.refill);
  const copy = copyBytes(mb);
  const rope = { fastMax, tag: ropeTag, maxUnits, refill: slowPath.refill };
  const concatFn = concat(mb, type('concat'), alloc, copy, slowPath.concat, rope);
  const fns = {
    concat: concatFn,
    streq: streq(mb, type('streq'), slowPath.streq),
    chr: chr(mb, type('chr'), alloc, slowPath.chr, charCache),
    substr: substr(mb, type('substr'), alloc, copy, slowPath.substr),
    tostr_i: tostrI(mb, type('tostr_i'), alloc, slowPath.tostr_i),
    parse_i: parseI(mb, type('parse_i'), slowPath.parse_i),
    sb_append: sbAppend(mb, type('sb_append'), alloc, copy, slowPath.concat, slowPath.sb_append, fastMax),
    sb_str: sbStr(mb, type('sb_str'), slowPath.sb_str),
  };
  for (const [name, wb] of Object.entries(fns)) mb.exportFunction(name, wb.index);
  return mb;
}

/** With a string's length in code units on the stack: size := max(MIN_BLOCK,
 *  (HEADER_BYTES + 2 units + 7) & ~7), p := the allocation cursor, np := p +
 *  size; leaves np > the window's limit (no room: the slow path) on the stack. */
function sizeAndBump(wb: WasmFunctionBuilder, size: Local, p: Local, np: Local): void {
  wb.i32Const(1); wb.op(W.I32_SHL); wb.i32Const(HEADER_BYTES + 7); wb.op(W.I32_ADD);
  wb.i32Const(~7); wb.op(W.I32_AND); wb.localTee(size);
  wb.i32Const(MIN_BLOCK); wb.localGet(size); wb.i32Const(MIN_BLOCK); wb.op(W.I32_GT_U); wb.select();
  wb.localSet(size);
  wb.i32Const(0); wb.load(W.I32_LOAD, 2, CURSOR_WORD * 4); wb.localTee(p);
  wb.localGet(size); wb.op(W.I32_ADD); wb.localTee(np);
  wb.i32Const(0); wb.load(W.I32_LOAD, 2, LIMIT_WORD * 4); wb.op(W.I32_GT_U);
}

function allocString(mb: WasmModuleBuilder, refill: number): WasmFunctionBuilder {
  const wb = mb.addFunction(mb.addType([I32], [I32]), 'alloc_str');
  const n = wb.param(0);
  const size = wb.local(I32), p = wb.local(I32), np = wb.local(I32);
  wb.localGet(n); sizeAndBump(wb, size, p, np);
  wb.if_();
  wb.localGet(size); wb.call(refill);
  wb.i32Const(0); wb.load(W.I32_LOAD, 2, CURSOR_WORD * 4); wb.localTee(p);
  wb.localGet(size); wb.op(W.I32_ADD); wb.localSet(np);
  wb.end();
  wb.i32Const(0); wb.localGet(np); wb.store(W.I32_STORE, 2, CURSOR_WORD * 4);
  wb.localGet(p); wb.i32Const(ObjKind.STR); wb.store(W.I32_STORE, 2, 0);
  wb.localGet(p); wb.localGet(n); wb.store(W.I32_STORE, 2, 4);
  wb.localGet(np); wb.i32Const(8); wb.op(W.I32_SUB); wb.i64Const(0n); wb.store(W.I64_STORE, 3, 0);
  wb.localGet(p);
  wb.finish();
  return wb;
}

//   copy_bytes(dst, src, n): n (even) bytes, the ranges not overlapping; short
//   copies in 8- then 2-byte steps (memory.copy is a call out of generated code in
//   V8, dear for the few bytes of a short string), long ones by memory.copy.
function copyBytes(mb: WasmModuleBuilder): WasmFunctionBuilder {
  const wb = mb.addFunction(mb.addType([I32, I32, I32], []), 'copy_bytes');
  const [dst, src, n] = [wb.param(0), wb.param(1), wb.param(2)];
  wb.localGet(n); wb.i32Const(64); wb.op(W.I32_GE_U);
  wb.if_(); wb.localGet(dst); wb.localGet(src); wb.localGet(n); wb.memoryCopy(); wb.return_(); wb.end();
  const step = (bytes: number, load: number, store: number, align: number) => {
    const done = wb.block();
    const loop = wb.loop();
    wb.localGet(n); wb.i32Const(bytes); wb.op(W.I32_LT_U); wb.brIf(done);
    wb.localGet(dst); wb.localGet(src); wb.load(load, align, 0); wb.store(store, align, 0);
    for (const l of [dst, src]) { wb.localGet(l); wb.i32Const(bytes); wb.op(W.I32_ADD); wb.localSet(l); }
    wb.localGet(n); wb.i32Const(bytes); wb.op(W.I32_SUB); wb.localSet(n);
    wb.br(loop);
    wb.end(); wb.end();
  };
  step(8, W.I64_LOAD, W.I64_STORE, 0);
  step(2, W.I32_LOAD16_U, W.I32_STORE16, 0);
  wb.finish();
  return wb;
}

/** dst := the payload address of string s plus `units` code units (a local). */
function payload(wb: WasmFunctionBuilder, s: Local, units: Local | null): void {
  wb.localGet(s); wb.i32Const(HEADER_BYTES); wb.op(W.I32_ADD);
  if (units !== null) { wb.localGet(units); wb.i32Const(1); wb.op(W.I32_SHL); wb.op(W.I32_ADD); }
}

/** if (cond on the stack) return slow(params...) */
function orSlow(wb: WasmFunctionBuilder, slow: number, params: readonly Local[]): void {
  wb.if_();
  for (const p of params) wb.localGet(p);
  wb.call(slow); wb.return_();
  wb.end();
}

//   concat(a, b): la, lb := lengths; too long -> slow; the result allocated and
//   the units copied inline (emitConcat): no call on the usual path.
//   Longer than fastMax: a rope made inline (emitRope), so that appending to a
//   long string (s = s + piece, once s is ropeMin long) makes no host call.
function concat(mb: WasmModuleBuilder, type: number, alloc: WasmFunctionBuilder, copy: WasmFunctionBuilder, slow: number, rope: RopeParams): WasmFunctionBuilder {
  const wb = mb.addFunction(type, 'concat');
  emitRope(wb, wb.param(0), wb.param(1), slow, rope);
  emitConcat(wb, wb.param(0), wb.param(1), alloc, copy, slow, rope.fastMax);
  wb.finish();
  return wb;
}

interface RopeParams { fastMax: number; tag: number; maxUnits: number; refill: number }

/** Emits: if la + lb > fastMax { if la == 0 || lb == 0 || la + lb > maxUnits
 *  return slow(a, b); return a new rope (a, b) } (heap.concat's rope, byte for
 *  byte: the block is young, so its stores need no barrier; refill may
 *  collect, which moves nothing, and a and b are roots in the caller's frame). */
function emitRope(wb: WasmFunctionBuilder, a: Local, b: Local, slow: number, rope: RopeParams): void {
  const la = wb.local(I32), lb = wb.local(I32), p = wb.local(I32), np = wb.local(I32);
  wb.localGet(a); wb.load(W.I32_LOAD, 2, 4); wb.localSet(la);
  wb.localGet(b); wb.load(W.I32_LOAD, 2, 4); wb.localSet(lb);
  wb.localGet(la); wb.localGet(lb); wb.op(W.I32_ADD); wb.i32Const(rope.fastMax); wb.op(W.I32_GT_U);
  wb.if_();
  wb.localGet(la); wb.op(W.I32_EQZ); wb.localGet(lb); wb.op(W.I32_EQZ); wb.op(W.I32_OR);
  wb.localGet(la); wb.localGet(lb); wb.op(W.I32_ADD); wb.i32Const(rope.maxUnits); wb.op(W.I32_GT_U); wb.op(W.I32_OR);
  orSlow(wb, slow, [a, b]);
  wb.i32Const(0); wb.load(W.I32_LOAD, 2, CURSOR_WORD * 4); wb.localTee(p);
  wb.i32Const(ROPE_BYTES); wb.op(W.I32_ADD); wb.localTee(np);
  wb.i32Const(0); wb.load(W.I32_LOAD, 2, LIMIT_WORD * 4); wb.op(W.I32_GT_U);
  wb.ifRarely();
  wb.i32Const(ROPE_BYTES); wb.call(rope.refill);
  wb.i32Const(0); wb.load(W.I32_LOAD, 2, CURSOR_WORD * 4); wb.localTee(p);
  wb.i32Const(ROPE_BYTES); wb.op(W.I32_ADD); wb.localSet(np);
  wb.end();
  wb.i32Const(0); wb.localGet(np); wb.store(W.I32_STORE, 2, CURSOR_WORD * 4);
  wb.localGet(p); wb.i32Const(rope.tag); wb.store(W.I32_STORE, 2, 0);
  wb.localGet(p); wb.localGet(la); wb.localGet(lb); wb.op(W.I32_ADD); wb.store(W.I32_STORE, 2, 4);
  wb.localGet(p); wb.localGet(a); wb.store(W.I32_STORE, 2, 8);
  wb.localGet(p); wb.localGet(b); wb.store(W.I32_STORE, 2, 12);
  wb.localGet(p); wb.return_();
  wb.end();
  for (const l of [la, lb, p, np]) wb.freeLocal(l);
}

/** Emits a + b into the function being built (whose parameters a and b are):
 *  longer than fastMax (a rope from ropeMin on) -> return slow(a, b); else the new string on the stack. The block
 *  is bumped inline (alloc_str, which may refill, only when the window is used
 *  up) and short units copied by inline loops (copy_bytes, a call, for 64
 *  bytes or more): a concatenation of short strings makes no call, where it
 *  made three (alloc_str and two copy_bytes), about a fifth of `words`' time
 *  in the string operations. */
function emitConcat(wb: WasmFunctionBuilder, a: Local, b: Local, alloc: WasmFunctionBuilder, copy: WasmFunctionBuilder, slow: number, fastMax: number): void {
  const la = wb.local(I32), lb = wb.local(I32), p = wb.local(I32), size = wb.local(I32), np = wb.local(I32);
  const d = wb.local(I32), s = wb.local(I32), e = wb.local(I32);
  wb.localGet(a); wb.load(W.I32_LOAD, 2, 4); wb.localSet(la);
  wb.localGet(b); wb.load(W.I32_LOAD, 2, 4); wb.localSet(lb);
  wb.localGet(la); wb.localGet(lb); wb.op(W.I32_ADD); wb.i32Const(fastMax); wb.op(W.I32_GT_U);
  orSlow(wb, slow, [a, b]);
  // p := bump or alloc_str
  wb.localGet(la); wb.localGet(lb); wb.op(W.I32_ADD); sizeAndBump(wb, size, p, np);
  wb.ifRarely();
  wb.localGet(la); wb.localGet(lb); wb.op(W.I32_ADD); wb.call(alloc.index); wb.localSet(p);
  wb.else_();
  wb.i32Const(0); wb.localGet(np); wb.store(W.I32_STORE, 2, CURSOR_WORD * 4);
  wb.localGet(p); wb.i32Const(ObjKind.STR); wb.store(W.I32_STORE, 2, 0);
  wb.localGet(p); wb.localGet(la); wb.localGet(lb); wb.op(W.I32_ADD); wb.store(W.I32_STORE, 2, 4);
  wb.localGet(np); wb.i32Const(8); wb.op(W.I32_SUB); wb.i64Const(0n); wb.store(W.I64_STORE, 3, 0);
  wb.end();
  // d := p's payload; copy a's units, then b's
  payload(wb, p, null); wb.localSet(d);
  for (const [x, lx] of [[a, la], [b, lb]] as const) {
    payload(wb, x, null); wb.localSet(s);
    wb.localGet(lx); wb.i32Const(1); wb.op(W.I32_SHL); wb.localSet(e);      // e := bytes to copy
    wb.localGet(e); wb.i32Const(64); wb.op(W.I32_GE_U);
    wb.if_();
    wb.localGet(d); wb.localGet(s); wb.localGet(e); wb.call(copy.index);
    wb.localGet(d); wb.localGet(e); wb.op(W.I32_ADD); wb.localSet(d);
    wb.else_();
    const step = (bytes: number, load: number, store: number) => {
      const done = wb.block();
      const loop = wb.loop();
      wb.localGet(e); wb.i32Const(bytes); wb.op(W.I32_LT_U); wb.brIf(done);
      wb.localGet(d); wb.localGet(s); wb.load(load, 0, 0); wb.store(store, 0, 0);
      for (const l of [d, s]) { wb.localGet(l); wb.i32Const(bytes); wb.op(W.I32_ADD); wb.localSet(l); }
      wb.localGet(e); wb.i32Const(bytes); wb.op(W.I32_SUB); wb.localSet(e);
      wb.br(loop);
      wb.end(); wb.end();
    };
    step(8, W.I64_LOAD, W.I64_STORE);
    step(2, W.I32_LOAD16_U, W.I32_STORE16);
    wb.end();
  }
  wb.localGet(p);
  for (const l of [la, lb, p, size, np, d, s, e]) wb.freeLocal(l);
}

//   streq(a, b): same address -> 1; either null -> 0; lengths differ -> 0;
//   a flattened rope read through its flat string; either an unflattened
//   rope -> slow (runtime/heap.ts stringsEqual);
//   compare 8 bytes at a time, then the last code units one by one.
function streq(mb: WasmModuleBuilder, type: number, slow: number): WasmFunctionBuilder {
  const wb = mb.addFunction(type, 'streq');
  const [a, b] = [wb.param(0), wb.param(1)];
  const bytes = wb.local(I32), i = wb.local(I32), wide = wb.local(I32);
  const answer = (v: number) => { wb.if_(); wb.i32Const(v); wb.return_(); wb.end(); };
  wb.localGet(a); wb.localGet(b); wb.op(W.I32_EQ); answer(1);
  wb.localGet(a); wb.op(W.I32_EQZ); wb.localGet(b); wb.op(W.I32_EQZ); wb.op(W.I32_OR); answer(0);
  wb.localGet(a); wb.load(W.I32_LOAD, 2, 4); wb.localGet(b); wb.load(W.I32_LOAD, 2, 4); wb.op(W.I32_NE); answer(0);
  throughFlattened(wb, a); throughFlattened(wb, b);
  isString(wb, a); isString(wb, b); wb.op(W.I32_AND); wb.op(W.I32_EQZ);
  orSlow(wb, slow, [a, b]);
  wb.localGet(a); wb.load(W.I32_LOAD, 2, 4); wb.i32Const(1); wb.op(W.I32_SHL); wb.localTee(bytes);
  wb.i32Const(~7); wb.op(W.I32_AND); wb.localSet(wide);
  const compare = (load: number, align: number, step: number, end: Local) => {
    const done = wb.block();
    const loop = wb.loop();
    wb.localGet(i); wb.localGet(end); wb.op(W.I32_GE_U); wb.brIf(done);
    wb.localGet(a); wb.localGet(i); wb.op(W.I32_ADD); wb.load(load, align, HEADER_BYTES);
    wb.localGet(b); wb.localGet(i); wb.op(W.I32_ADD); wb.load(load, align, HEADER_BYTES);
    wb.op(load === W.I64_LOAD ? W.I64_NE : W.I32_NE); answer(0);
    wb.localGet(i); wb.i32Const(step); wb.op(W.I32_ADD); wb.localSet(i);
    wb.br(loop);
    wb.end(); wb.end();
  };
  compare(W.I64_LOAD, 3, 8, wide);
  compare(W.I32_LOAD16_U, 1, 2, bytes);
  wb.i32Const(1);
  wb.finish();
  return wb;
}

//   chr(c): below CHAR_CACHE_SIZE -> the cached string; c outside 0..0x10FFFF ->
//   slow (it traps); one code unit, or a surrogate pair above 0xFFFF; window
//   used up -> slow.
function chr(mb: WasmModuleBuilder, type: number, alloc: WasmFunctionBuilder, slow: number, cache: number): WasmFunctionBuilder {
  const wb = mb.addFunction(type, 'chr');
  const c = wb.param(0);
  const p = wb.local(I32), low = wb.local(I32);
  wb.localGet(c); wb.i32Const(CHAR_CACHE_SIZE); wb.op(W.I32_LT_U);
  wb.if_();
  wb.localGet(c); wb.i32Const(2); wb.op(W.I32_SHL); wb.load(W.I32_LOAD, 2, cache + HEADER_BYTES); wb.return_();
  wb.end();
  wb.localGet(c); wb.i32Const(0x10ffff); wb.op(W.I32_GT_U);
  orSlow(wb, slow, [c]);
  wb.localGet(c); wb.i32Const(0xffff); wb.op(W.I32_LE_U);
  wb.if_();
  wb.i32Const(1); wb.call(alloc.index); wb.localSet(p);
  wb.localGet(p); wb.localGet(c); wb.store(W.I32_STORE16, 1, HEADER_BYTES);
  wb.localGet(p); wb.return_();
  wb.end();
  wb.i32Const(2); wb.call(alloc.index); wb.localSet(p);
  wb.localGet(c); wb.i32Const(0x10000); wb.op(W.I32_SUB); wb.localSet(low);
  wb.localGet(p); wb.localGet(low); wb.i32Const(10); wb.op(W.I32_SHR_U); wb.i32Const(0xd800); wb.op(W.I32_ADD);
  wb.store(W.I32_STORE16, 1, HEADER_BYTES);
  wb.localGet(p); wb.localGet(low); wb.i32Const(0x3ff); wb.op(W.I32_AND); wb.i32Const(0xdc00); wb.op(W.I32_ADD);
  wb.store(W.I32_STORE16, 1, HEADER_BYTES + 2);
  wb.localGet(p);
  wb.finish();
  return wb;
}

//   substr(s, from, to): unless 0 <= from <= to <= length -> slow (it traps);
//   s a flattened rope -> its flat string; an unflattened rope -> slow (it flattens it);
//   p := alloc_str(to - from) or slow; copy the units.
function substr(mb: WasmModuleBuilder, type: number, alloc: WasmFunctionBuilder, copy: WasmFunctionBuilder, slow: number): WasmFunctionBuilder {
  const wb = mb.addFunction(type, 'substr');
  const [s, from, to] = [wb.param(0), wb.param(1), wb.param(2)];
  const p = wb.local(I32), n = wb.local(I32);
  throughFlattened(wb, s);
  wb.localGet(from); wb.i32Const(0); wb.op(W.I32_LT_S);
  wb.localGet(from); wb.localGet(to); wb.op(W.I32_GT_S); wb.op(W.I32_OR);
  wb.localGet(to); wb.localGet(s); wb.load(W.I32_LOAD, 2, 4); wb.op(W.I32_GT_S); wb.op(W.I32_OR);
  isString(wb, s); wb.op(W.I32_EQZ); wb.op(W.I32_OR);
  orSlow(wb, slow, [s, from, to]);
  wb.localGet(to); wb.localGet(from); wb.op(W.I32_SUB); wb.localTee(n);
  wb.call(alloc.index); wb.localSet(p);
  payload(wb, p, null); payload(wb, s, from); wb.localGet(n); wb.i32Const(1); wb.op(W.I32_SHL); wb.call(copy.index);
  wb.localGet(p);
  wb.finish();
  return wb;
}

//   tostr_i(x): the decimal text of x, as String(x) gives it: n := digits of |x|
//   (plus '-'); p := alloc_str(n) or slow; write the digits from the end.
//   -2^31 (whose magnitude is no i32) takes the slow path.
function tostrI(mb: WasmModuleBuilder, type: number, alloc: WasmFunctionBuilder, slow: number): WasmFunctionBuilder {
  const wb = mb.addFunction(type, 'tostr_i');
  const x = wb.param(0);
  const v = wb.local(I32), n = wb.local(I32), p = wb.local(I32), at = wb.local(I32);
  wb.localGet(x); wb.i32Const(-0x80000000); wb.op(W.I32_EQ);
  orSlow(wb, slow, [x]);
  // v := |x|; n := 1 if x < 0 else 0
  wb.i32Const(0); wb.localGet(x); wb.op(W.I32_SUB); wb.localGet(x);
  wb.localGet(x); wb.i32Const(0); wb.op(W.I32_LT_S); wb.localTee(n); wb.select(); wb.localSet(v);
  // n += number of digits of v (at least 1)
  wb.localGet(v); wb.localSet(at);
  const count = wb.loop();
  wb.localGet(n); wb.i32Const(1); wb.op(W.I32_ADD); wb.localSet(n);
  wb.localGet(at); wb.i32Const(10); wb.op(W.I32_DIV_U); wb.localTee(at);
  wb.brIf(count);
  wb.end();
  wb.localGet(n); wb.call(alloc.index); wb.localSet(p);
  // at := address of the last unit; write digits backwards, then the sign
  wb.localGet(p); wb.localGet(n); wb.i32Const(1); wb.op(W.I32_SHL); wb.op(W.I32_ADD); wb.i32Const(HEADER_BYTES - 2);
  wb.op(W.I32_ADD); wb.localSet(at);
  const digits = wb.loop();
  wb.localGet(at); wb.localGet(v); wb.i32Const(10); wb.op(W.I32_REM_U); wb.i32Const(48); wb.op(W.I32_ADD);
  wb.store(W.I32_STORE16, 1, 0);
  wb.localGet(at); wb.i32Const(2); wb.op(W.I32_SUB); wb.localSet(at);
  wb.localGet(v); wb.i32Const(10); wb.op(W.I32_DIV_U); wb.localTee(v);
  wb.brIf(digits);
  wb.end();
  wb.localGet(x); wb.i32Const(0); wb.op(W.I32_LT_S);
  wb.if_(); wb.localGet(p); wb.i32Const(45); wb.store(W.I32_STORE16, 1, HEADER_BYTES); wb.end();
  wb.localGet(p);
  wb.finish();
  return wb;
}

//   fixed(x, f): x.toFixed(f) when the rounded value n (x * 10^f to the nearest
//   integer, ties up, of x's exact value) is below 2^52: n from the rounded
//   product and its exact error (Dekker's two-product: no fused multiply-add in
//   wasm), then its digits with the point f from the end and a sign when x < 0
//   (so -0.001 gives "-0.00" and -0 gives "0.00", as toFixed does). f outside
//   0..20 (it traps), NaN, |x| >= 1e21 or a larger n -> slow, which calls toFixed.
//   Checked against toFixed on 5 million values (ties, near-ties, random bits).
function fixedFn(mb: WasmModuleBuilder, type: number, alloc: WasmFunctionBuilder, slow: number): WasmFunctionBuilder {
  const F64 = ValType.F64, I64 = ValType.I64;
  const wb = mb.addFunction(type, 'fixed');
  const [x, f] = [wb.param(0), wb.param(1)];
  const ax = wb.local(F64), pw = wb.local(F64), prod = wb.local(F64), c = wb.local(F64), xh = wb.local(F64), xl = wb.local(F64);
  const ph = wb.local(F64), pl = wb.local(F64), n0 = wb.local(F64);
  const n = wb.local(I64), v = wb.local(I64);
  const neg = wb.local(I32), k = wb.local(I32), len = wb.local(I32), p = wb.local(I32), at = wb.local(I32), i = wb.local(I32);
  wb.localGet(f); wb.i32Const(20); wb.op(W.I32_GT_U); orSlow(wb, slow, [x, f]);
  // neg := x < 0; ax := |x|; not (ax < 1e21) (NaN too) -> slow
  wb.localGet(x); wb.f64Const(0); wb.op(W.F64_LT); wb.localSet(neg);
  wb.localGet(x); wb.op(W.F64_ABS); wb.localTee(ax);
  wb.f64Const(1e21); wb.op(W.F64_LT); wb.op(W.I32_EQZ); orSlow(wb, slow, [x, f]);
  // pw := 10^f (every power up to 10^22 is exact)
  wb.f64Const(1); wb.localSet(pw);
  wb.localGet(f); wb.localSet(i);
  const pow = wb.block(); const powLoop = wb.loop();
  wb.localGet(i); wb.op(W.I32_EQZ); wb.brIf(pow);
  wb.localGet(pw); wb.f64Const(10); wb.op(W.F64_MUL); wb.localSet(pw);
  wb.localGet(i); wb.i32Const(1); wb.op(W.I32_SUB); wb.localSet(i);
  wb.br(powLoop);
  wb.end(); wb.end();
  wb.localGet(ax); wb.localGet(pw); wb.op(W.F64_MUL); wb.localTee(prod);
  wb.f64Const(0.25); wb.op(W.F64_LT);
  wb.if_();
  wb.i64Const(0n); wb.localSet(n);                     // the exact product is below 0.5
  wb.else_();
  wb.localGet(prod); wb.f64Const(4503599627370496); wb.op(W.F64_LT); wb.op(W.I32_EQZ); orSlow(wb, slow, [x, f]);
  const split = (a: Local, hi: Local, lo: Local) => {
    wb.f64Const(134217729); wb.localGet(a); wb.op(W.F64_MUL); wb.localSet(c);
    wb.localGet(c); wb.localGet(c); wb.localGet(a); wb.op(W.F64_SUB); wb.op(W.F64_SUB); wb.localSet(hi);
    wb.localGet(a); wb.localGet(hi); wb.op(W.F64_SUB); wb.localSet(lo);
  };
  split(ax, xh, xl); split(pw, ph, pl);
  // n0 := floor(prod); n := n0 + (prod - n0 - 0.5 >= -err), err := ((xh*ph - prod) + xh*pl + xl*ph) + xl*pl
  wb.localGet(prod); wb.op(W.F64_FLOOR); wb.localTee(n0); wb.op(W.I64_TRUNC_F64_U); wb.localSet(n);
  wb.localGet(prod); wb.localGet(n0); wb.op(W.F64_SUB); wb.f64Const(0.5); wb.op(W.F64_SUB);
  wb.localGet(xh); wb.localGet(ph); wb.op(W.F64_MUL); wb.localGet(prod); wb.op(W.F64_SUB);
  wb.localGet(xh); wb.localGet(pl); wb.op(W.F64_MUL); wb.op(W.F64_ADD);
  wb.localGet(xl); wb.localGet(ph); wb.op(W.F64_MUL); wb.op(W.F64_ADD);
  wb.localGet(xl); wb.localGet(pl); wb.op(W.F64_MUL); wb.op(W.F64_ADD);
  wb.op(W.F64_NEG); wb.op(W.F64_GE);
  wb.op(W.I64_EXTEND_I32_U); wb.localGet(n); wb.op(W.I64_ADD); wb.localSet(n);
  wb.end();
  // k := digits of n, at least f + 1 when f > 0; len := neg + k + (f > 0)
  // (n < 2^52: by powers of ten, v := 10^k, multiplications only)
  wb.i32Const(1); wb.localSet(k);
  wb.i64Const(10n); wb.localSet(v);
  const counted = wb.block(); const count = wb.loop();
  wb.localGet(n); wb.localGet(v); wb.op(W.I64_LT_U); wb.brIf(counted);
  wb.localGet(k); wb.i32Const(1); wb.op(W.I32_ADD); wb.localSet(k);
  wb.localGet(v); wb.i64Const(10n); wb.op(W.I64_MUL); wb.localSet(v);
  wb.br(count);
  wb.end(); wb.end();
  wb.localGet(f); wb.i32Const(1); wb.op(W.I32_ADD); wb.localGet(k);
  wb.localGet(f); wb.localGet(k); wb.op(W.I32_GE_U); wb.select(); wb.localSet(k);   // f >= k (f > 0 implied): f + 1
  wb.localGet(neg); wb.localGet(k); wb.op(W.I32_ADD); wb.localGet(f); wb.i32Const(0); wb.op(W.I32_NE); wb.op(W.I32_ADD);
  wb.localTee(len); wb.call(alloc.index); wb.localTee(p);
  // at := address of the last unit; k digits backwards, the point after f of them
  wb.localGet(len); wb.i32Const(1); wb.op(W.I32_SHL); wb.op(W.I32_ADD); wb.i32Const(HEADER_BYTES - 2); wb.op(W.I32_ADD); wb.localSet(at);
  wb.i32Const(0); wb.localSet(i);
  const done = wb.block(); const digits = wb.loop();
  wb.localGet(i); wb.localGet(k); wb.op(W.I32_GE_U); wb.brIf(done);
  wb.localGet(i); wb.localGet(f); wb.op(W.I32_EQ); wb.localGet(f); wb.i32Const(0); wb.op(W.I32_NE); wb.op(W.I32_AND);   // f > 0 and i == f
  wb.if_();
  wb.localGet(at); wb.i32Const(46); wb.store(W.I32_STORE16, 1, 0);
  wb.localGet(at); wb.i32Const(2); wb.op(W.I32_SUB); wb.localSet(at);
  wb.end();
  wb.localGet(at); wb.localGet(n); wb.i64Const(10n); wb.op(W.I64_REM_U); wb.op(W.I32_WRAP_I64); wb.i32Const(48); wb.op(W.I32_ADD);
  wb.store(W.I32_STORE16, 1, 0);
  wb.localGet(at); wb.i32Const(2); wb.op(W.I32_SUB); wb.localSet(at);
  wb.localGet(n); wb.i64Const(10n); wb.op(W.I64_DIV_U); wb.localSet(n);
  wb.localGet(i); wb.i32Const(1); wb.op(W.I32_ADD); wb.localSet(i);
  wb.br(digits);
  wb.end(); wb.end();
  wb.localGet(neg);
  wb.if_(); wb.localGet(p); wb.i32Const(45); wb.store(W.I32_STORE16, 1, HEADER_BYTES); wb.end();
  wb.localGet(p);
  wb.finish();
  return wb;
}

//   tostr_f(x): x integral and |x| < 2^52 -> fixed(x, 0), which is String(x)
//   there ("-5", and "0" for -0); anything else -> slow (String(x)).
function tostrF(mb: WasmModuleBuilder, type: number, fixed: WasmFunctionBuilder, slow: number): WasmFunctionBuilder {
  const wb = mb.addFunction(type, 'tostr_f');
  const x = wb.param(0);
  wb.localGet(x); wb.op(W.F64_TRUNC); wb.localGet(x); wb.op(W.F64_NE);
  wb.localGet(x); wb.op(W.F64_ABS); wb.f64Const(4503599627370496); wb.op(W.F64_LT); wb.op(W.I32_EQZ);
  wb.op(W.I32_OR); orSlow(wb, slow, [x]);
  wb.localGet(x); wb.i32Const(0); wb.call(fixed.index);
  wb.finish();
  return wb;
}

//   parse_i(s): a flat string of 1 to 11 code units, an optional sign and then
//   decimal digits whose value fits an i32 -> that value, accumulated in i64 (no
//   text made, no call); anything else (malformed, out of range, a rope) -> the
//   JS helper, which traps with the contract's message or reads the rope. s is
//   not null (the caller checked).
function parseI(mb: WasmModuleBuilder, type: number, slow: number): WasmFunctionBuilder {
  const wb = mb.addFunction(type, 'parse_i');
  const s = wb.param(0);
  const n = wb.local(I32), i = wb.local(I32), c = wb.local(I32), neg = wb.local(I32), v = wb.local(ValType.I64);
  isString(wb, s); wb.op(W.I32_EQZ); orSlow(wb, slow, [s]);
  wb.localGet(s); wb.load(W.I32_LOAD, 2, 4); wb.localTee(n);
  wb.i32Const(1); wb.op(W.I32_SUB); wb.i32Const(10); wb.op(W.I32_GT_U); orSlow(wb, slow, [s]);   // n == 0 or n > 11
  // A leading sign: i := 1, neg := (it is '-').
  wb.localGet(s); wb.load(W.I32_LOAD16_U, 1, HEADER_BYTES); wb.localTee(c);
  wb.i32Const(45); wb.op(W.I32_EQ); wb.localTee(neg);
  wb.localGet(c); wb.i32Const(43); wb.op(W.I32_EQ); wb.op(W.I32_OR); wb.localTee(i);
  wb.localGet(n); wb.op(W.I32_EQ); orSlow(wb, slow, [s]);                                         // a sign alone
  const loop = wb.loop();
  wb.localGet(s); wb.localGet(i); wb.i32Const(1); wb.op(W.I32_SHL); wb.op(W.I32_ADD);
  wb.load(W.I32_LOAD16_U, 1, HEADER_BYTES); wb.i32Const(48); wb.op(W.I32_SUB); wb.localTee(c);
  wb.i32Const(9); wb.op(W.I32_GT_U); orSlow(wb, slow, [s]);                                       // not a digit
  wb.localGet(v); wb.i64Const(10n); wb.op(W.I64_MUL); wb.localGet(c); wb.op(W.I64_EXTEND_I32_U); wb.op(W.I64_ADD); wb.localSet(v);
  wb.localGet(i); wb.i32Const(1); wb.op(W.I32_ADD); wb.localTee(i);
  wb.localGet(n); wb.op(W.I32_LT_U); wb.brIf(loop);
  wb.end();
  wb.localGet(neg);
  wb.if_(); wb.i64Const(0n); wb.localGet(v); wb.op(W.I64_SUB); wb.localSet(v); wb.end();
  wb.localGet(v); wb.i64Const(-2147483648n); wb.op(W.I64_LT_S);
  wb.localGet(v); wb.i64Const(2147483647n); wb.op(W.I64_GT_S); wb.op(W.I32_OR); orSlow(wb, slow, [s]);   // out of range
  wb.localGet(v); wb.op(W.I32_WRAP_I64);
  wb.finish();
  return wb;
}

/** Leaves (address's kind is a flat string) on the stack (0 for a rope or a
 *  builder). */
/** x := x's flat string when x is a flattened rope (runtime/heap.ts: left is
 *  the flat string, right null): one hop, as compiled s[i] does, so that an
 *  operation on a rope read before goes on inline. x is not null. */
function throughFlattened(wb: WasmFunctionBuilder, x: Local): void {
  isString(wb, x); wb.op(W.I32_EQZ);
  wb.if_();
  wb.localGet(x); wb.load(W.I32_LOAD, 2, 12); wb.op(W.I32_EQZ);
  wb.if_();
  wb.localGet(x); wb.load(W.I32_LOAD, 2, 8); wb.localSet(x);
  wb.end();
  wb.end();
}

function isString(wb: WasmFunctionBuilder, x: Local): void {
  wb.localGet(x); wb.load(W.I32_LOAD, 2, 0); wb.i32Const(KIND_MASK); wb.op(W.I32_AND); wb.i32Const(ObjKind.STR); wb.op(W.I32_EQ);
}

//   parse_f(s): a flat string of an optional sign, digits, optional '.' and
//   digits, optional e or E, sign and digits, with at most 18 digits before the
//   exponent (leading zeros included) whose value m is below 2^53 and an
//   exponent t (the written one less the digits after the point) in -22..22 ->
//   m * 10^t or m / 10^-t: both operands exact, so one rounding, the correctly
//   rounded value (Clinger's fast path), negated for '-' (so "-0" is -0).
//   Anything else (malformed, more digits, a larger exponent, a rope) -> the JS
//   helper, which traps with the contract's message or reads it exactly.
//   s is not null (the caller checked).
function parseF(mb: WasmModuleBuilder, type: number, slow: number): WasmFunctionBuilder {
  const F64 = ValType.F64;
  const wb = mb.addFunction(type, 'parse_f');
  const s = wb.param(0);
  const n = wb.local(I32), i = wb.local(I32), c = wb.local(I32), neg = wb.local(I32), digits = wb.local(I32);
  const frac = wb.local(I32), e = wb.local(I32), eneg = wb.local(I32), start = wb.local(I32);
  const m = wb.local(ValType.I64), pw = wb.local(F64), r = wb.local(F64);
  isString(wb, s); wb.op(W.I32_EQZ); orSlow(wb, slow, [s]);
  wb.localGet(s); wb.load(W.I32_LOAD, 2, 4); wb.localSet(n);
  const unit = () => {   // c := s[i] - '0' (i < n), else -1 - '0' (so no digit, no sign, no point)
    wb.localGet(i); wb.localGet(n); wb.op(W.I32_LT_U);
    wb.if_(I32);
    wb.localGet(s); wb.localGet(i); wb.i32Const(1); wb.op(W.I32_SHL); wb.op(W.I32_ADD); wb.load(W.I32_LOAD16_U, 1, HEADER_BYTES);
    wb.else_(); wb.i32Const(-1);
    wb.end();
    wb.i32Const(48); wb.op(W.I32_SUB); wb.localSet(c);
  };
  const inc = () => { wb.localGet(i); wb.i32Const(1); wb.op(W.I32_ADD); wb.localSet(i); };
  // digits at i, at least one (else slow), accumulated into m; counts them into `digits`
  const mantissaDigits = () => {
    wb.localGet(i); wb.localSet(start);
    const done = wb.block(); const loop = wb.loop();
    unit(); wb.localGet(c); wb.i32Const(9); wb.op(W.I32_GT_U); wb.brIf(done);
    wb.localGet(m); wb.i64Const(10n); wb.op(W.I64_MUL); wb.localGet(c); wb.op(W.I64_EXTEND_I32_U); wb.op(W.I64_ADD); wb.localSet(m);
    inc(); wb.br(loop);
    wb.end(); wb.end();
    wb.localGet(i); wb.localGet(start); wb.op(W.I32_EQ); orSlow(wb, slow, [s]);
    wb.localGet(digits); wb.localGet(i); wb.localGet(start); wb.op(W.I32_SUB); wb.op(W.I32_ADD); wb.localSet(digits);
  };
  const sign = (into: Local) => {   // an optional '+' or '-' at i; into := it was '-'
    unit();
    wb.localGet(c); wb.i32Const(45 - 48); wb.op(W.I32_EQ); wb.localTee(into);
    wb.localGet(c); wb.i32Const(43 - 48); wb.op(W.I32_EQ); wb.op(W.I32_OR);
    wb.if_(); inc(); wb.end();
  };
  wb.localGet(n); wb.i32Const(40); wb.op(W.I32_GT_U); orSlow(wb, slow, [s]);
  sign(neg);
  mantissaDigits();
  unit(); wb.localGet(c); wb.i32Const(46 - 48); wb.op(W.I32_EQ);
  wb.if_();
  inc(); wb.localGet(digits); wb.localSet(frac);
  mantissaDigits();
  wb.localGet(digits); wb.localGet(frac); wb.op(W.I32_SUB); wb.localSet(frac);
  wb.end();
  wb.localGet(digits); wb.i32Const(18); wb.op(W.I32_GT_U); orSlow(wb, slow, [s]);
  unit(); wb.localGet(c); wb.i32Const(32); wb.op(W.I32_OR); wb.i32Const(101 - 48 | 32); wb.op(W.I32_EQ);
  wb.if_();   // 'e' or 'E' ('E' - '0' = 21, 'e' - '0' = 53 = 21 | 32)
  inc(); sign(eneg);
  wb.localGet(i); wb.localSet(start);
  const eDone = wb.block(); const eLoop = wb.loop();
  unit(); wb.localGet(c); wb.i32Const(9); wb.op(W.I32_GT_U); wb.brIf(eDone);
  wb.localGet(e); wb.i32Const(10); wb.op(W.I32_MUL); wb.localGet(c); wb.op(W.I32_ADD); wb.localSet(e);
  wb.localGet(e); wb.i32Const(1000); wb.op(W.I32_GT_U); orSlow(wb, slow, [s]);
  inc(); wb.br(eLoop);
  wb.end(); wb.end();
  wb.localGet(i); wb.localGet(start); wb.op(W.I32_EQ); orSlow(wb, slow, [s]);
  wb.localGet(eneg);
  wb.if_(); wb.i32Const(0); wb.localGet(e); wb.op(W.I32_SUB); wb.localSet(e); wb.end();
  wb.end();
  wb.localGet(i); wb.localGet(n); wb.op(W.I32_NE); orSlow(wb, slow, [s]);          // anything after it
  wb.localGet(m); wb.i64Const(1n << 53n); wb.op(W.I64_GE_U); orSlow(wb, slow, [s]);
  // e := the exponent of m; |e| <= 22 or slow; pw := 10^|e|
  wb.localGet(e); wb.localGet(frac); wb.op(W.I32_SUB); wb.localTee(e);
  wb.i32Const(22); wb.op(W.I32_ADD); wb.i32Const(44); wb.op(W.I32_GT_U); orSlow(wb, slow, [s]);
  wb.f64Const(1); wb.localSet(pw);
  wb.localGet(e); wb.i32Const(0); wb.op(W.I32_LT_S); wb.localSet(eneg);
  wb.i32Const(0); wb.localGet(e); wb.op(W.I32_SUB); wb.localGet(e); wb.localGet(eneg); wb.select(); wb.localSet(c);   // |e|
  const pDone = wb.block(); const pLoop = wb.loop();
  wb.localGet(c); wb.op(W.I32_EQZ); wb.brIf(pDone);
  wb.localGet(pw); wb.f64Const(10); wb.op(W.F64_MUL); wb.localSet(pw);
  wb.localGet(c); wb.i32Const(1); wb.op(W.I32_SUB); wb.localSet(c);
  wb.br(pLoop);
  wb.end(); wb.end();
  wb.localGet(m); wb.op(W.F64_CONVERT_I64_U); wb.localSet(r);
  wb.localGet(eneg);
  wb.if_(); wb.localGet(r); wb.localGet(pw); wb.op(W.F64_DIV); wb.localSet(r);
  wb.else_(); wb.localGet(r); wb.localGet(pw); wb.op(W.F64_MUL); wb.localSet(r);
  wb.end();
  wb.localGet(r); wb.op(W.F64_NEG); wb.localGet(r); wb.localGet(neg); wb.select();
  wb.finish();
  return wb;
}

//   sb_append(b, s): b + s, as this module's concat does it (inline), while b is a string and the
//   result at most SHORT_UNITS long; else the JS helper, which makes or grows a
//   builder (runtime/string-builder.ts). b and s are not null (the caller checked).
function sbAppend(mb: WasmModuleBuilder, type: number, alloc: WasmFunctionBuilder, copy: WasmFunctionBuilder, slowConcat: number, slow: number, fastMax: number): WasmFunctionBuilder {
  const wb = mb.addFunction(type, 'sb_append');
  const b = wb.param(0), s = wb.param(1);
  isString(wb, b);
  wb.localGet(b); wb.load(W.I32_LOAD, 2, 4); wb.localGet(s); wb.load(W.I32_LOAD, 2, 4); wb.op(W.I32_ADD);
  wb.i32Const(SHORT_UNITS); wb.op(W.I32_LE_U);
  wb.op(W.I32_AND);
  wb.if_(); emitConcat(wb, b, s, alloc, copy, slowConcat, fastMax); wb.return_(); wb.end();
  wb.localGet(b); wb.localGet(s); wb.call(slow);
  wb.finish();
  return wb;
}

//   sb_str(b): b itself when null or a string; else the JS helper copies the
//   builder's code units into a new string (or returns a rope as it is).
function sbStr(mb: WasmModuleBuilder, type: number, slow: number): WasmFunctionBuilder {
  const wb = mb.addFunction(type, 'sb_str');
  const b = wb.param(0);
  wb.localGet(b); wb.op(W.I32_EQZ);
  wb.if_(); wb.localGet(b); wb.return_(); wb.end();
  isString(wb, b);
  wb.if_(); wb.localGet(b); wb.return_(); wb.end();
  wb.localGet(b); wb.call(slow);
  wb.finish();
  return wb;
}

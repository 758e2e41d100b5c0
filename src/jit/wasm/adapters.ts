// The wasm of the adapters that cross between tiers, for signature shapes
// (../backend.ts says what each does): built here, instantiated by the backend,
// or built and compiled on the compiler thread (./compile-thread.ts) and
// instantiated by the backend. Pure: the module depends only on the shapes, the
// table's size and how far a crossing lowers the host-stack limit.
//
//   i2c(calleeFp, dstAddr, fn, callerFp, resumePc, args):  the interpreter's way into compiled code
//     header FN, CALLER_FP, RESUME_PC := fn, callerFp, resumePc   ;; pushCompiledFrame
//     br_table on fn to its shape's block (one i2c for every function), where:
//     [local.get dstAddr]
//     local.get calleeFp
//     (load parameter i from its slot calleeFp + i; or with an argument list
//      (args != 0), from byte calleeFp * 8 + word i of the list: its slot, or
//      the caller's register it was not moved from: runtime.ts argListAt) ...
//     local.get fn
//     call_indirect (shape)
//     [f64.store / i32.store at dstAddr]
//
//   i2cl(callerFp, list):  the same for a listed call (runtime.ts ListedEntry):
//     fn, calleeFp, dstAddr and resumePc from the list's first words
//     (bytecode/code-image.ts, ArgList: fn, calleeFp - callerFp, the result
//     register, resumePc), the arguments through the list as above
//
//   c2i(fp, args...) -> result:           compiled code's way into the interpreter
//     header RETURN_AT := TO_HOST        ;; return to the host: back here
//     (store arg i to slot fp + i) ...
//     limit := HOST_LIMIT_WORD ; HOST_LIMIT_WORD := limit - crossingSlots
//     pos := call $enter(fp, ADAPTER_PC)  ;; the interpreter's loop itself
//     if pos != ADAPTER_DONE: call $resume(pos)   ;; (rarely) the rest of the frame
//     HOST_LIMIT_WORD := limit ; TOP_FP_WORD := header CALLER_FP
//     [i32.const 0 ; load scratch slot]   ;; the raw result, through memory
//   The limit and the published frame are the adapter's (runtime.ts,
//   AdapterEntry): the interpreter's loop does not touch them on this entry.
//
// Imports: env.memory, env.table (with i2c adapters), and with c2i adapters
// h.enter and h.resume (rt.adapterEntry: (fp, pc) -> pos and (pos) -> (), all
// i32: with matching arity V8 calls the JS function straight from the
// wasm-to-JS wrapper).
// Exports: `c2i SHAPE` (SHAPE: shapeKey), `i2c` and `i2cl`.
//
// Under --adapters=generic the c2i adapters are not generated: typedGenericC2iModule
// re-exports the hand-written generic ones (../generic-adapters.ts) typed per shape.

import { Kind } from '../../bytecode/opcodes.js';
import { ArgList } from '../../bytecode/code-image.js';
import { Hdr, TO_HOST, headerByteOffset } from '../../runtime/frames.js';
import { SCRATCH_SLOT, HOST_LIMIT_WORD, TOP_FP_WORD, ADAPTER_PC, ADAPTER_DONE } from '../../runtime/runtime.js';
import { shapeKey, type Shape } from '../backend.js';
import { ValType, W, WasmModuleBuilder } from './encoder.js';
import { helperType, sharedModule, shapeType } from './lower.js';
import { FIXED_HELPERS, helperSignature, type Helper } from '../../bytecode/helpers.js';
import { MATH_BUILTINS } from '../../bytecode/builtins.js';
import { WASM_NUMBER_HELPERS, WASM_STRING_HELPERS } from './strings.js';
import { WASM_ALLOC_HELPERS } from './alloc.js';

/** One module of the c2i adapters of `c2i` and, if `functions` (every
 *  function's shape, by function index) is not empty, the i2c adapter of
 *  every function (exported as `i2c`); crossingSlots: how far a c2i crossing
 *  lowers the host-stack limit (rt.crossingSlots). */
export function adapterModule(c2i: readonly Shape[], functions: readonly Shape[], tableSize: number, crossingSlots: number): WasmModuleBuilder {
  const mb = functions.length > 0 ? sharedModule(tableSize) : new WasmModuleBuilder();
  if (functions.length === 0) mb.importMemory('env', 'memory', 1);
  // Imports precede defined functions.
  const enter = c2i.length > 0 ? mb.importFunction('h', 'enter', mb.addType([ValType.I32, ValType.I32], [ValType.I32])) : -1;
  const resume = c2i.length > 0 ? mb.importFunction('h', 'resume', mb.addType([ValType.I32], [])) : -1;
  for (const s of c2i) addC2i(mb, s, enter, resume, crossingSlots);
  if (functions.length > 0) { addI2c(mb, functions); addListedI2c(mb, functions); }
  return mb;
}

/** --adapters=generic: a module importing h.SHAPE (the generic c2i for that
 *  shape) with the shape's wasm type and exporting it again as `c2i SHAPE` (no
 *  code of ours: a table slot must hold a function of the callee's wasm type;
 *  V8 makes the wasm-to-JS call itself). */
export function typedGenericC2iModule(shapes: readonly Shape[]): WasmModuleBuilder {
  const mb = new WasmModuleBuilder();
  for (const s of shapes) mb.exportFunction(`c2i ${shapeKey(s)}`, mb.importFunction('h', shapeKey(s), shapeType(mb, s.params, s.ret)));
  return mb;
}

/** The i2c adapter of every function: one function for every shape, so the
 *  interpreter's call of rt.entries[f] sees one target and V8 inlines its
 *  JS-to-wasm wrapper there (with an adapter per shape that call site saw
 *  several, and called each through the generic wrapper: 3-4 ns more). A
 *  br_table on the callee's index picks its shape's block. */
function addI2c(mb: WasmModuleBuilder, functions: readonly Shape[]): void {
  const shapes = functionShapes(functions), keys = shapes.map(shapeKey);
  const wb = mb.addFunction(mb.addType([ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32], []), 'i2c');
  const [fp, dst, fn, args] = [wb.param(0), wb.param(1), wb.param(2), wb.param(5)];
  const fpb = wb.local(ValType.I32), hb = wb.local(ValType.I32);
  wb.localGet(fp); wb.i32Const(3); wb.op(W.I32_SHL); wb.localTee(fpb);
  wb.i32Const(-headerByteOffset(Hdr.FN)); wb.op(W.I32_SUB); wb.localSet(hb);
  for (const [w, v] of [[Hdr.FN, fn], [Hdr.CALLER_FP, wb.param(3)], [Hdr.RESUME_PC, wb.param(4)]] as const) {
    wb.localGet(hb); wb.localGet(v); wb.store(W.I32_STORE, 2, (w - Hdr.FN) * 4);
  }
  // Block k ends where shape k's call begins: the innermost is shape 0's.
  const blocks = shapes.map(() => wb.block()).reverse();
  if (shapes.length > 1) {
    wb.localGet(fn);
    wb.brTable(functions.map((f) => blocks[keys.indexOf(shapeKey(f))]!), blocks[0]!);
  }
  /** Shape s's call, its arguments from the callee's slots or through the list. */
  const call = (s: Shape, listed: boolean) => {
    if (s.ret !== null) wb.localGet(dst);
    wb.localGet(fp);
    s.params.forEach((kind, i) => {
      wb.localGet(fpb);
      if (listed) { wb.localGet(args); wb.load(W.I32_LOAD, 2, i * 4); wb.op(W.I32_ADD); }
      wb.load(kind === Kind.F ? W.F64_LOAD : W.I32_LOAD, kind === Kind.F ? 3 : 2, listed ? 0 : i * 8);
    });
    wb.localGet(fn);
    wb.callIndirect(shapeType(mb, s.params, s.ret));
    if (s.ret !== null) wb.store(s.ret === Kind.F ? W.F64_STORE : W.I32_STORE, s.ret === Kind.F ? 3 : 2, 0);
  };
  shapes.forEach((s, k) => {
    wb.end();
    if (s.params.length > 0) { wb.localGet(args); wb.if_(); call(s, true); wb.return_(); wb.end(); }
    call(s, false);
    if (k < shapes.length - 1) wb.return_();
  });
  wb.finish();
  mb.exportFunction('i2c', wb.index);
}

/** The listed i2c adapter of every function (runtime.ts, ListedEntry): the
 *  i2c's listed calls, with the callee, its frame, the result's register and
 *  the resume position read from the list (two parameters instead of six:
 *  V8's JS -> wasm call passes a sixth on the stack, and the interpreter
 *  computes none of them). */
function addListedI2c(mb: WasmModuleBuilder, functions: readonly Shape[]): void {
  const shapes = functionShapes(functions).filter((s) => s.params.length > 0), keys = shapes.map(shapeKey);
  if (shapes.length === 0) return;
  const wb = mb.addFunction(mb.addType([ValType.I32, ValType.I32], []), 'i2cl');
  const [callerFp, list] = [wb.param(0), wb.param(1)];
  const fn = wb.local(ValType.I32), fp = wb.local(ValType.I32), fpb = wb.local(ValType.I32), hb = wb.local(ValType.I32), dst = wb.local(ValType.I32);
  wb.localGet(list); wb.load(W.I32_LOAD, 2, ArgList.FN * 4); wb.localSet(fn);
  wb.localGet(callerFp); wb.localGet(list); wb.load(W.I32_LOAD, 2, ArgList.BASE * 4); wb.op(W.I32_ADD); wb.localTee(fp);
  wb.i32Const(3); wb.op(W.I32_SHL); wb.localTee(fpb);
  wb.i32Const(-headerByteOffset(Hdr.FN)); wb.op(W.I32_SUB); wb.localSet(hb);
  wb.localGet(hb); wb.localGet(fn); wb.store(W.I32_STORE, 2, 0);
  wb.localGet(hb); wb.localGet(callerFp); wb.store(W.I32_STORE, 2, (Hdr.CALLER_FP - Hdr.FN) * 4);
  wb.localGet(hb); wb.localGet(list); wb.load(W.I32_LOAD, 2, ArgList.RESUME_PC * 4); wb.store(W.I32_STORE, 2, (Hdr.RESUME_PC - Hdr.FN) * 4);
  wb.localGet(callerFp); wb.localGet(list); wb.load(W.I32_LOAD, 2, ArgList.DST * 4); wb.op(W.I32_ADD);
  wb.i32Const(3); wb.op(W.I32_SHL); wb.localSet(dst);
  const blocks = shapes.map(() => wb.block()).reverse();
  if (shapes.length > 1) {
    wb.localGet(fn);
    // A function of no parameters has no list: its slot goes anywhere.
    wb.brTable(functions.map((f) => blocks[Math.max(0, keys.indexOf(shapeKey(f)))]!), blocks[0]!);
  }
  shapes.forEach((s, k) => {
    wb.end();
    if (s.ret !== null) wb.localGet(dst);
    wb.localGet(fp);
    s.params.forEach((kind, i) => {
      wb.localGet(fpb); wb.localGet(list); wb.load(W.I32_LOAD, 2, (ArgList.ARGS + i) * 4); wb.op(W.I32_ADD);
      wb.load(kind === Kind.F ? W.F64_LOAD : W.I32_LOAD, kind === Kind.F ? 3 : 2, 0);
    });
    wb.localGet(fn);
    wb.callIndirect(shapeType(mb, s.params, s.ret));
    if (s.ret !== null) wb.store(s.ret === Kind.F ? W.F64_STORE : W.I32_STORE, s.ret === Kind.F ? 3 : 2, 0);
    if (k < shapes.length - 1) wb.return_();
  });
  wb.finish();
  mb.exportFunction('i2cl', wb.index);
}

function addC2i(mb: WasmModuleBuilder, s: Shape, enter: number, resume: number, crossingSlots: number): void {
  const wb = mb.addFunction(shapeType(mb, s.params, s.ret), `c2i_${shapeKey(s)}`);
  const fpb = wb.local(ValType.I32), limit = wb.local(ValType.I32), pos = wb.local(ValType.I32);
  wb.localGet(wb.param(0)); wb.i32Const(3); wb.op(W.I32_SHL); wb.localSet(fpb);
  wb.localGet(fpb); wb.i32Const(headerByteOffset(Hdr.RETURN_AT)); wb.op(W.I32_ADD);
  wb.i32Const(TO_HOST); wb.store(W.I32_STORE, 2, 0);
  s.params.forEach((k, i) => {
    wb.localGet(fpb); wb.localGet(wb.param(i + 1));
    wb.store(k === Kind.F ? W.F64_STORE : W.I32_STORE, k === Kind.F ? 3 : 2, i * 8);
  });
  wb.i32Const(0); wb.i32Const(0); wb.load(W.I32_LOAD, 2, HOST_LIMIT_WORD * 4); wb.localTee(limit);
  wb.i32Const(crossingSlots); wb.op(W.I32_SUB); wb.store(W.I32_STORE, 2, HOST_LIMIT_WORD * 4);
  wb.localGet(wb.param(0)); wb.i32Const(ADAPTER_PC); wb.call(enter); wb.localTee(pos);
  wb.i32Const(ADAPTER_DONE); wb.op(W.I32_NE); wb.ifRarely(); wb.localGet(pos); wb.call(resume); wb.end();
  wb.i32Const(0); wb.localGet(limit); wb.store(W.I32_STORE, 2, HOST_LIMIT_WORD * 4);
  wb.i32Const(0); wb.localGet(fpb); wb.i32Const(headerByteOffset(Hdr.CALLER_FP)); wb.op(W.I32_ADD);
  wb.load(W.I32_LOAD, 2, 0); wb.store(W.I32_STORE, 2, TOP_FP_WORD * 4);
  if (s.ret !== null) { wb.i32Const(0); wb.load(s.ret === Kind.F ? W.F64_LOAD : W.I32_LOAD, s.ret === Kind.F ? 3 : 2, SCRATCH_SLOT * 8); }
  wb.finish();
  mb.exportFunction(`c2i ${shapeKey(s)}`, wb.index);
}

/** The helpers that are JavaScript (all but the refill, the string and the
 *  number-text helpers, which are wasm: ./alloc.ts, ./strings.ts). */
export function jsHelperNames(): Helper[] {
  const wasm = new Set<string>([...WASM_ALLOC_HELPERS, ...WASM_STRING_HELPERS, ...WASM_NUMBER_HELPERS]);
  return ([...Object.keys(FIXED_HELPERS), ...Object.keys(MATH_BUILTINS)] as Helper[]).filter((h) => !wasm.has(h));
}

/** The JavaScript helpers in groups of one signature each (the forwarders of
 *  a group are one module: instantiating it compiles one wrapper). */
export function jsHelperGroups(): Helper[][] {
  const groups = new Map<string, Helper[]>();
  for (const h of jsHelperNames()) {
    const sig = helperSignature(h);
    let g = groups.get(sig);
    if (g === undefined) groups.set(sig, g = []);
    g.push(h);
  }
  return [...groups.values()];
}

/** A module that imports each helper of `names` as j.NAME and exports a wasm
 *  function NAME of the same type that calls it. A module importing a wasm
 *  function needs no wrapper; one importing a JavaScript function gets a
 *  wasm-to-JS wrapper compiled, per signature, when it is instantiated, on
 *  the instantiating thread (V8 11 keeps them per module): 35 us to 1 ms per
 *  compiled function's instantiation. Compiled functions made on the compiler
 *  thread import these instead, and the wrappers are made once, a signature
 *  at a time (jsHelperGroups). */
export function helperForwardersModule(names: readonly Helper[]): WasmModuleBuilder {
  const mb = new WasmModuleBuilder();
  const imported = names.map((h) => mb.importFunction('j', h, helperType(mb, h)));
  names.forEach((h, i) => {
    const type = helperType(mb, h);
    const wb = mb.addFunction(type, `to_${h}`);
    for (let p = 0; p < mb.funcType(type).params.length; p++) wb.localGet(wb.param(p));
    wb.call(imported[i]!);
    wb.finish();
    mb.exportFunction(h, wb.index);
  });
  return mb;
}

/** Every function's shape in `functions`, once each. */
export function functionShapes(functions: readonly Shape[]): Shape[] {
  return [...new Map(functions.map((f) => [shapeKey(f), { params: f.params, ret: f.ret }])).values()];
}

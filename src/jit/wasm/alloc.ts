// Two slow paths of compiled code's allocation and stores, as WebAssembly, in
// one module (made once per run, or on the compiler thread: its prelude):
// remember (addRemember, below: the write barrier's store buffer) and
// the allocation window's refill, moving from
// a used-up hole to the next one in the heap's hole ring without calling the
// runtime (runtime/heap.ts: the ring's cells and entries, and takeFromRing,
// which this function mirrors step for step). Compiled NEWARR* and the wasm
// string operations call refill when their window is used up.
//
// Where the heap is fragmented (small survivors between garbage), a window is a
// hole of a few dozen bytes and compiled code used it up every few objects:
// each refill was a call into JavaScript. Here it is a few loads and stores;
// the runtime's refill (the slow path, which may collect and raises out of
// memory) runs only when the ring is empty, its budget is spent, or the window
// is not a hole (the ring is then empty: the runtime keeps entries in it only
// while the window is a hole).
// What must stay true: the same outcome as Heap.takeFromRing followed by the
// runtime's refill — the same hole chosen, passed-over entries marked 0, the
// rest of the hole left behind written as a free block, the budget charged
// with the whole hole.

import { CURSOR_WORD, LIMIT_WORD, ObjKind, RING_NEXT, RING_END, RING_BUDGET, SSB_NEXT, STORE_BUFFER_END } from '../../runtime/heap.js';
import { ValType, W, WasmModuleBuilder } from './encoder.js';
import { helperType } from './lower.js';

const I32 = ValType.I32;

/** The helpers this module makes (wasm, not JavaScript, in compiled code's imports). */
export const WASM_ALLOC_HELPERS = ['refill', 'remember'] as const;

/** Instantiate the module (`compiled`: built here when not given, or by the
 *  compiler thread's prelude); returns its `refill(bytes)` and `remember(obj,
 *  index)`. `ring` is the byte address of the heap's hole ring; `slow` has the
 *  runtime's refill and remember helpers (the slow paths). */
export function makeAllocHelpers(memory: WebAssembly.Memory, slow: { refill: Function; remember: Function }, ring: number,
  compiled?: WebAssembly.Module): { refill: Function; remember: Function } {
  const module = compiled ?? new WebAssembly.Module(allocModule(ring).encode() as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module,
    { env: { memory }, slow: { refill: slow.refill, remember: slow.remember } as unknown as WebAssembly.ModuleImports });
  return { refill: instance.exports.refill as Function, remember: instance.exports.remember as Function };
}

/** The module of both helpers for a heap whose hole ring is at byte address
 *  `ring` (its store buffer follows: runtime/heap.ts). */
export function allocModule(ring: number): WasmModuleBuilder {
  const mb = new WasmModuleBuilder();
  mb.importMemory('env', 'memory', 1);
  // Imports first: they take the first function indices.
  const slowRefill = mb.importFunction('slow', 'refill', helperType(mb, 'refill'));
  const slowRemember = mb.importFunction('slow', 'remember', helperType(mb, 'remember'));
  addRefill(mb, ring, slowRefill);
  addRemember(mb, ring, ring + STORE_BUFFER_END, slowRemember);
  return mb;
}

/** refill(bytes), exported. */
function addRefill(mb: WasmModuleBuilder, ring: number, slowRefill: number): void {
  const type = helperType(mb, 'refill');
  const wb = mb.addFunction(type, 'refill');
  const size = wb.param(0);
  const e = wb.local(I32), hs = wb.local(I32), c = wb.local(I32), a = wb.local(I32);
  const cell = (offset: number) => { wb.i32Const(0); wb.load(W.I32_LOAD, 2, offset); };
  const setCell = (offset: number, value: () => void) => { wb.i32Const(0); value(); wb.store(W.I32_STORE, 2, offset); };
  cell(ring + RING_NEXT); wb.localSet(e);
  const slowPath = wb.block();
  const next = wb.loop();
  //   e >= END -> slow
  wb.localGet(e); cell(ring + RING_END); wb.op(W.I32_GE_U); wb.brIf(slowPath);
  //   hs := size of entry e; too small -> mark it passed over, next entry
  wb.localGet(e); wb.load(W.I32_LOAD, 2, 4); wb.localTee(hs);
  wb.localGet(size); wb.op(W.I32_LT_U);
  wb.if_();
  wb.localGet(e); wb.i32Const(0); wb.store(W.I32_STORE, 2, 4);
  wb.localGet(e); wb.i32Const(8); wb.op(W.I32_ADD); wb.localSet(e);
  wb.br(next);
  wb.end();
  //   BUDGET < hs -> slow; else BUDGET -= hs
  cell(ring + RING_BUDGET); wb.localGet(hs); wb.op(W.I32_LT_S); wb.brIf(slowPath);
  setCell(ring + RING_BUDGET, () => { cell(ring + RING_BUDGET); wb.localGet(hs); wb.op(W.I32_SUB); });
  //   the window's rest [CURSOR, LIMIT) becomes a free block
  cell(CURSOR_WORD * 4); wb.localSet(c);
  cell(LIMIT_WORD * 4); wb.localGet(c); wb.op(W.I32_GT_U);
  wb.if_();
  wb.localGet(c); wb.i32Const(ObjKind.FREE); wb.store(W.I32_STORE, 2, 0);
  wb.localGet(c); cell(LIMIT_WORD * 4); wb.localGet(c); wb.op(W.I32_SUB); wb.store(W.I32_STORE, 2, 4);
  wb.end();
  //   NEXT := e + 8; the window is the hole
  setCell(ring + RING_NEXT, () => { wb.localGet(e); wb.i32Const(8); wb.op(W.I32_ADD); });
  wb.localGet(e); wb.load(W.I32_LOAD, 2, 0); wb.localSet(a);
  setCell(CURSOR_WORD * 4, () => wb.localGet(a));
  setCell(LIMIT_WORD * 4, () => { wb.localGet(a); wb.localGet(hs); wb.op(W.I32_ADD); });
  wb.return_();
  wb.end();   // loop
  wb.end();   // block: the slow path
  setCell(ring + RING_NEXT, () => wb.localGet(e));
  wb.localGet(size); wb.call(slowRefill);
  wb.finish();
  mb.exportFunction('refill', wb.index);
}

/** The write barrier's slow path for compiled wasm code, as WebAssembly:
 *  `remember(obj, index)` appends the pair to the heap's store buffer
 *  (runtime/heap.ts, STORE_BUFFER_ENTRIES), a wasm-to-wasm call where it was a
 *  call into JavaScript; when the buffer is full, the runtime's remember
 *  takes its entries and this pair. `ring` is the byte address of the
 *  hole ring (whose SSB_NEXT cell says where the next entry goes), `end` the
 *  store buffer's end. */
function addRemember(mb: WasmModuleBuilder, ring: number, end: number, slowRemember: number): void {
  const type = helperType(mb, 'remember');
  const wb = mb.addFunction(type, 'remember');
  const obj = wb.param(0), index = wb.param(1);
  const e = wb.local(I32);
  wb.i32Const(0); wb.load(W.I32_LOAD, 2, ring + SSB_NEXT); wb.localTee(e);
  wb.i32Const(end); wb.op(W.I32_GE_U);
  wb.ifRarely();
  wb.localGet(obj); wb.localGet(index); wb.call(slowRemember); wb.return_();
  wb.end();
  wb.localGet(e); wb.localGet(obj); wb.store(W.I32_STORE, 2, 0);
  wb.localGet(e); wb.localGet(index); wb.store(W.I32_STORE, 2, 4);
  wb.i32Const(0); wb.localGet(e); wb.i32Const(8); wb.op(W.I32_ADD); wb.store(W.I32_STORE, 2, ring + SSB_NEXT);
  wb.finish();
  mb.exportFunction('remember', wb.index);
}

// The allocation window's refill for compiled code, as WebAssembly: moving from
// a used-up hole to the next one in the heap's hole ring without calling the
// runtime (runtime/heap.ts: the ring's cells and entries, and takeFromRing,
// which this function mirrors step for step).
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

import { CURSOR_WORD, LIMIT_WORD, ObjKind, RING_NEXT, RING_END, RING_BUDGET } from '../../runtime/heap.js';
import { ValType, W, WasmModuleBuilder } from './encoder.js';
import { helperType } from './lower.js';

const I32 = ValType.I32;

/** Instantiate the module (`compiled`: built here when not given, or by the
 *  compiler thread's prelude); returns its `refill(bytes)`. `ring` is the byte
 *  address of the heap's hole ring; `slow` the runtime's refill helper. */
export function makeRefill(memory: WebAssembly.Memory, slow: Function, ring: number, compiled?: WebAssembly.Module): Function {
  const module = compiled ?? new WebAssembly.Module(refillModule(ring).encode() as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module,
    { env: { memory }, slow: { refill: slow } as unknown as WebAssembly.ModuleImports });
  return instance.exports.refill as Function;
}

/** The refill module of a heap whose hole ring is at byte address `ring`. */
export function refillModule(ring: number): WasmModuleBuilder {
  const mb = new WasmModuleBuilder();
  mb.importMemory('env', 'memory', 1);
  const type = helperType(mb, 'refill');
  const slowRefill = mb.importFunction('slow', 'refill', type);
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
  return mb;
}

// The WebAssembly backend: lowers functions to wasm modules at run time and makes
// the adapters for crossing tiers (the shared skeleton is ../backend.ts).
//
// The table is a funcref WebAssembly.Table shared by every compiled module; each
// compiled function is a module of its own that imports the memory, the table and
// the helpers its code calls (../helpers.ts; the string helpers are wasm
// functions of one module, ./strings.ts, built when a compiled function first
// imports one: a run whose compiled code makes no strings never pays for it).

import { Kind } from '../../bytecode/opcodes.js';
import type { BcFunction } from '../../bytecode/module.js';
import { SCRATCH_SLOT, type Runtime, type CompiledEntry } from '../../runtime/runtime.js';
import { Hdr, TO_HOST, headerByteOffset } from '../../runtime/frames.js';
import { helperImports } from '../helpers.js';
import type { GuestFn } from '../generic-adapters.js';
import type { CompilePlan } from '../../runtime/tiering.js';
import { CompilingBackend, shapeKey, type BackendOptions, type Lowered, type Shape } from '../backend.js';
import { ValType, W, WasmModuleBuilder } from './encoder.js';
import { lowerFunction, shapeType } from './lower.js';
import { makeStringHelpers, WASM_STRING_HELPERS } from './strings.js';
import { makeRefill } from './alloc.js';

/** True if this host can compile and run WebAssembly now (not under --jitless,
 *  and not where a policy forbids wasm code generation). */
export function hostCanCompileWasm(): boolean {
  try {
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {});
    return true;
  } catch {
    return false;
  }
}

/** The helper imports: the JavaScript ones, except those given in `wasm`,
 *  getters that build their wasm module (`make`) on first read. Instantiating a
 *  module reads only the imports it declares, so a wasm helper module (the
 *  string one is a few ms of optimising compile, at start-up of --tier=jit) is
 *  built when the first compiled function that calls one of its helpers is
 *  instantiated, and once. */
function withLazyWasmHelpers<N extends string>(helpers: Record<string, Function>, names: readonly N[], make: () => Record<N, Function>): void {
  let made: Record<N, Function> | null = null;
  for (const name of names) {
    Object.defineProperty(helpers, name, { enumerable: true, get: () => (made ??= make())[name] });
  }
}

export class WasmBackend extends CompilingBackend<WebAssembly.ExportValue> {
  readonly name = 'wasm';
  /** Tier 2 (lower.ts: guards, deopt exits, guarded direct calls). */
  readonly optimizes = true;
  protected readonly sizeUnit = 'wasm bytes';
  readonly table: WebAssembly.Table;
  private readonly helpers: WebAssembly.ModuleImports;
  /** The c2i adapters made together (makeC2i), by shapeKey; null before. */
  private c2iMade: Map<string, WebAssembly.ExportValue> | null = null;

  constructor(rt: Runtime, opts: BackendOptions) {
    super(rt, opts);
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: rt.mod.functions.length });
    const js = helperImports(rt);
    // The refill and string helpers run as wasm, with the JS ones as their slow
    // paths (the string operations refill through the wasm refill).
    const helpers: Record<string, Function> = { ...js };
    withLazyWasmHelpers(helpers, ['refill'], () => ({ refill: makeRefill(rt.mem.wasm!, js.refill, rt.heap.ring) }));
    withLazyWasmHelpers(helpers, WASM_STRING_HELPERS, () => makeStringHelpers(rt.mem.wasm!, { ...js, refill: helpers.refill! }, rt.heap.charCache));
    this.helpers = helpers as WebAssembly.ModuleImports;
    this.initSlots();
  }

  /** What each table slot holds, as JavaScript calls it (the generic i2c's view
   *  of the table, without a Table.get per call). */
  private readonly slots: GuestFn[] = [];

  protected setSlot(f: number, code: WebAssembly.ExportValue): void { this.table.set(f, code); this.slots[f] = code as GuestFn; }
  protected slotFunction(f: number): GuestFn { return this.slots[f]!; }

  protected lower(fn: BcFunction, osrPc: number | null, plan: CompilePlan): Lowered<WebAssembly.ExportValue> {
    const rt = this.rt, opts = this.opts;
    const mb = this.newModule();
    const env = {
      mod: this.mod, strAddrs: rt.strAddrs, globalsSlot: rt.globalsSlot,
      frameSizes: rt.frameSizes, mayInline: (g: number) => opts.inline && rt.tiering.mayCompile(g),
      fuel: rt.limits.metered,
    };
    const wb = lowerFunction(env, mb, fn, osrPc, plan);
    mb.exportFunction('f', wb.index);
    const bytes = mb.encode();
    const exports = this.instantiate(bytes, { h: this.helpers });
    return { code: exports.f!, size: bytes.length, text: () => mb.toText() };
  }

  /** A module importing the shared memory and table. */
  private newModule(): WasmModuleBuilder {
    const mb = new WasmModuleBuilder();
    mb.importMemory('env', 'memory', 1);
    mb.importTable('env', 'table', this.mod.functions.length);
    return mb;
  }

  private instantiate(bytes: Uint8Array, extra: WebAssembly.Imports): WebAssembly.Exports {
    const imports = { ...extra, env: { memory: this.rt.mem.wasm!, table: this.table } };
    return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports).exports;
  }

  //   i2c(calleeFp, dstAddr):               the interpreter's way into compiled code
  //     [local.get dstAddr]
  //     local.get calleeFp
  //     (load parameter i from slot calleeFp + i) ...
  //     i32.load (calleeFp * 8 + header FN)  ;; the callee index, from its header
  //     call_indirect (shape)
  //     [f64.store / i32.store at dstAddr]
  protected makeI2c(s: Shape): CompiledEntry {
    const mb = this.newModule();
    const wb = mb.addFunction(mb.addType([ValType.I32, ValType.I32], []), `i2c_${shapeKey(s)}`);
    const [fp, dst] = [wb.param(0), wb.param(1)];
    const fpb = wb.local(ValType.I32);
    wb.localGet(fp); wb.i32Const(3); wb.op(W.I32_SHL); wb.localSet(fpb);
    if (s.ret !== null) wb.localGet(dst);
    wb.localGet(fp);
    s.params.forEach((k, i) => {
      wb.localGet(fpb);
      wb.load(k === Kind.F ? W.F64_LOAD : W.I32_LOAD, k === Kind.F ? 3 : 2, i * 8);
    });
    wb.localGet(fpb); wb.i32Const(headerByteOffset(Hdr.FN)); wb.op(W.I32_ADD);
    wb.load(W.I32_LOAD, 2, 0);
    wb.callIndirect(shapeType(mb, s.params, s.ret));
    if (s.ret !== null) wb.store(s.ret === Kind.F ? W.F64_STORE : W.I32_STORE, s.ret === Kind.F ? 3 : 2, 0);
    wb.finish();
    mb.exportFunction('i2c', wb.index);
    return this.instantiate(mb.encode(), {}).i2c as CompiledEntry;
  }

  //   c2i(fp, args...) -> result:           compiled code's way into the interpreter
  //     header RESULT_REG := TO_HOST        ;; return to the host: back here
  //     (store arg i to slot fp + i) ...
  //     local.get fp ; call $enter          ;; runs the interpreter on that frame
  //     [i32.const 0 ; load scratch slot]   ;; the raw result, through memory
  //
  // The first request makes the c2i adapters of every function's shape at once,
  // in one module (the backend's constructor asks for all of them): one compile
  // and one instantiation instead of one per shape, which at start-up cost
  // several ms for a program of nine shapes. A shape met later (a function
  // value's signature) gets a module of its own.
  protected makeC2i(s: Shape): WebAssembly.ExportValue {
    if (this.c2iMade === null) {
      const shapes = new Map(this.mod.functions.map((f) => [shapeKey(f), f as Shape]));
      this.c2iMade = this.makeC2iModule([...shapes.values()]);
    }
    return this.c2iMade.get(shapeKey(s)) ?? this.makeC2iModule([s]).get(shapeKey(s))!;
  }

  /** One module exporting the c2i adapter of each of `shapes`, by shapeKey. */
  private makeC2iModule(shapes: readonly Shape[]): Map<string, WebAssembly.ExportValue> {
    if (this.opts.adapters === 'generic') return this.typedGenericC2i(shapes);
    const mb = new WasmModuleBuilder();
    mb.importMemory('env', 'memory', 1);
    const enter = mb.importFunction('h', 'enter', mb.addType([ValType.I32], []));
    for (const s of shapes) {
      const wb = mb.addFunction(shapeType(mb, s.params, s.ret), `c2i_${shapeKey(s)}`);
      const fpb = wb.local(ValType.I32);
      wb.localGet(wb.param(0)); wb.i32Const(3); wb.op(W.I32_SHL); wb.localSet(fpb);
      wb.localGet(fpb); wb.i32Const(headerByteOffset(Hdr.RESULT_REG)); wb.op(W.I32_ADD);
      wb.i32Const(TO_HOST); wb.store(W.I32_STORE, 2, 0);
      s.params.forEach((k, i) => {
        wb.localGet(fpb); wb.localGet(wb.param(i + 1));
        wb.store(k === Kind.F ? W.F64_STORE : W.I32_STORE, k === Kind.F ? 3 : 2, i * 8);
      });
      wb.localGet(wb.param(0)); wb.call(enter);
      if (s.ret !== null) { wb.i32Const(0); wb.load(s.ret === Kind.F ? W.F64_LOAD : W.I32_LOAD, s.ret === Kind.F ? 3 : 2, SCRATCH_SLOT * 8); }
      wb.finish();
      mb.exportFunction(shapeKey(s), wb.index);
    }
    const exports = this.instantiate(mb.encode(), { h: { enter: this.c2iEnter() } });
    return new Map(shapes.map((s) => [shapeKey(s), exports[shapeKey(s)]!]));
  }

  /** --adapters=generic: the hand-written c2i, imported once per shape with that
   *  shape's type and exported again (no code of ours: a table slot must hold a
   *  function of the callee's wasm type; V8 makes the wasm-to-JS call itself). */
  private typedGenericC2i(shapes: readonly Shape[]): Map<string, WebAssembly.ExportValue> {
    const mb = new WasmModuleBuilder();
    for (const s of shapes) mb.exportFunction(shapeKey(s), mb.importFunction('h', shapeKey(s), shapeType(mb, s.params, s.ret)));
    const h = Object.fromEntries(shapes.map((s) => [shapeKey(s), this.genericC2iFor(s)]));
    const exports = this.instantiate(mb.encode(), { h });
    return new Map(shapes.map((s) => [shapeKey(s), exports[shapeKey(s)]!]));
  }
}

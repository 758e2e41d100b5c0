// The WebAssembly backend: compiles functions at run time, makes the adapters for
// crossing tiers, and installs code so that every crossing stays valid.
//
// One funcref table has a slot per guest function; compiled code calls every
// guest function through it with native arguments. A slot holds either the
// function's compiled code or the c2i adapter of its signature shape, which
// writes the native arguments into the frame and runs the interpreter. The
// interpreter reaches compiled code through rt.entries[f], the i2c adapter of f's
// shape, which reads the arguments from the frame and calls through f's slot.
// Adapters exist per shape (kinds of parameters and result), are made on first
// need and shared by every function of that shape.
//
// Install order (always safe): table slot first, then the interpreter's entry.
// The i2c adapter calls through the slot, so whichever of the two a caller sees,
// it reaches a valid body of f.

import { Kind, HEADER_SLOTS } from '../../bytecode/opcodes.js';
import type { BcFunction, ValKind } from '../../bytecode/module.js';
import type { Runtime, CompiledEntry } from '../../runtime/runtime.js';
import type { Backend } from '../../runtime/tiering.js';
import { ValType, W, WasmModuleBuilder } from './encoder.js';
import { helperImports } from './helpers.js';
import { lowerFunction, shapeType, wasmType, type LowerEnv } from './lower.js';

export interface WasmBackendOptions {
  trace: ((line: string) => void) | null;
  /** Name of a function whose generated code is printed when compiled. */
  printWasm: string | null;
  print: (text: string) => void;
  /** Inline small leaf callees whose tiering allows compiling them. */
  inline: boolean;
}

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

type Shape = { params: readonly ValKind[]; ret: ValKind | null };

function shapeKey(s: Shape): string {
  return `${s.params.map((k) => 'ifr'[k - 1]).join('')}>${s.ret === null ? 'v' : 'ifr'[s.ret - 1]}`;
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly table: WebAssembly.Table;
  private readonly env: LowerEnv;
  private readonly imports: WebAssembly.Imports;
  private readonly i2c = new Map<string, CompiledEntry>();
  private readonly c2i = new Map<string, WebAssembly.ExportValue>();
  /** Compile statistics, for --trace-tier and the benchmarks. */
  readonly stats = { functions: 0, osr: 0, wasmBytes: 0, bytecodeWords: 0, compileMicros: 0 };

  constructor(private readonly rt: Runtime, private readonly opts: WasmBackendOptions) {
    const n = rt.mod.functions.length;
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: n });
    this.env = {
      mod: rt.mod, strAddrs: rt.strAddrs, globalsSlot: rt.globalsSlot,
      stackEndSlot: rt.stackEndSlot, frameSizes: rt.frameSizes,
      mayInline: (f) => opts.inline && rt.tiering.mayCompile(f),
    };
    this.imports = { env: { memory: rt.mem.wasm!, table: this.table }, h: helperImports(rt) as WebAssembly.ModuleImports };
    rt.mod.functions.forEach((f) => this.table.set(f.index, this.c2iFor(f)));
  }

  compile(f: number): string | null {
    const fn = this.rt.mod.functions[f]!;
    let exported: WebAssembly.ExportValue;
    try {
      exported = this.build(fn, 0);
    } catch (e) {
      return (e as Error).message;
    }
    this.table.set(f, exported);
    this.rt.entries[f] = this.i2cFor(fn);
    this.opts.trace?.(`[tier] install ${fn.name} (table slot ${f}, i2c ${shapeKey(fn)})`);
    return null;
  }

  compileOsr(f: number, pc: number): ((fp: number) => number) | string {
    try {
      return this.build(this.rt.mod.functions[f]!, pc) as (fp: number) => number;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** Compile fn (from entryPc) into a fresh module and instantiate it. */
  private build(fn: BcFunction, entryPc: number): WebAssembly.ExportValue {
    const t0 = performance.now();
    const mb = this.newModule();
    const wb = lowerFunction(this.env, mb, fn, entryPc);
    mb.exportFunction('f', wb.index);
    const bytes = mb.encode();
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), this.imports);
    const micros = Math.round((performance.now() - t0) * 1000);
    this.record(fn, entryPc, bytes.length, micros);
    if (this.opts.printWasm === fn.name) this.opts.print(mb.toText());
    return instance.exports.f!;
  }

  private record(fn: BcFunction, entryPc: number, bytes: number, micros: number): void {
    const s = this.stats;
    if (entryPc === 0) s.functions++; else s.osr++;
    s.wasmBytes += bytes;
    s.bytecodeWords += fn.code.length;
    s.compileMicros += micros;
    const what = entryPc === 0 ? fn.name : `${fn.name} (osr entry at pc ${entryPc})`;
    this.opts.trace?.(`[tier] compile ${what}: ${fn.code.length} bytecode words -> ${bytes} wasm bytes in ${micros} us` +
      ` (adapters: ${this.i2c.size} i2c, ${this.c2i.size} c2i)`);
  }

  /** A module importing the shared memory and table (lowerFunction adds the
   *  helpers its code uses). */
  private newModule(): WasmModuleBuilder {
    const mb = new WasmModuleBuilder();
    mb.importMemory('env', 'memory', 1);
    mb.importTable('env', 'table', this.rt.mod.functions.length);
    return mb;
  }

  // ---- adapters --------------------------------------------------------------------

  //   i2c(calleeFp, dstAddr):               the interpreter's way into compiled code
  //     [local.get dstAddr]
  //     local.get calleeFp
  //     (load parameter i from slot calleeFp + i) ...
  //     i32.load (calleeFp - 2) * 8         ;; the callee index, from its header
  //     call_indirect (shape)
  //     [f64.store / i32.store at dstAddr]
  private i2cFor(s: Shape): CompiledEntry {
    const key = shapeKey(s);
    let entry = this.i2c.get(key);
    if (entry) return entry;
    const mb = new WasmModuleBuilder();
    mb.importMemory('env', 'memory', 1);
    mb.importTable('env', 'table', this.rt.mod.functions.length);
    const wb = mb.addFunction(mb.addType([ValType.I32, ValType.I32], []), `i2c_${key}`);
    const [fp, dst] = [wb.param(0), wb.param(1)];
    const fpb = wb.local(ValType.I32);
    wb.localGet(fp); wb.i32Const(3); wb.op(W.I32_SHL!); wb.localSet(fpb);
    if (s.ret !== null) wb.localGet(dst);
    wb.localGet(fp);
    s.params.forEach((k, i) => {
      wb.localGet(fpb);
      wb.load(k === Kind.F ? W.F64_LOAD! : W.I32_LOAD!, k === Kind.F ? 3 : 2, i * 8);
    });
    wb.localGet(fp); wb.i32Const(HEADER_SLOTS); wb.op(W.I32_SUB!); wb.i32Const(3); wb.op(W.I32_SHL!);
    wb.load(W.I32_LOAD!, 2, 0);
    wb.callIndirect(shapeType(mb, s.params, s.ret));
    if (s.ret !== null) wb.store(s.ret === Kind.F ? W.F64_STORE! : W.I32_STORE!, s.ret === Kind.F ? 3 : 2, 0);
    wb.finish();
    mb.exportFunction('i2c', wb.index);
    entry = this.instantiate(mb, {}).i2c as CompiledEntry;
    this.i2c.set(key, entry);
    this.opts.trace?.(`[tier] adapter i2c ${key} (${this.i2c.size} i2c, ${this.c2i.size} c2i)`);
    return entry;
  }

  //   c2i(fp, args...) -> result:           compiled code's way into the interpreter
  //     (store arg i to slot fp + i) ...
  //     local.get fp ; call $enter          ;; runs the interpreter on that frame
  private c2iFor(s: Shape): WebAssembly.ExportValue {
    const key = shapeKey(s);
    let stub = this.c2i.get(key);
    if (stub) return stub;
    const mb = new WasmModuleBuilder();
    mb.importMemory('env', 'memory', 1);
    const results = s.ret === null ? [] : [wasmType(s.ret)];
    const enter = mb.importFunction('h', 'enter', mb.addType([ValType.I32], results));
    const wb = mb.addFunction(shapeType(mb, s.params, s.ret), `c2i_${key}`);
    const fpb = wb.local(ValType.I32);
    wb.localGet(wb.param(0)); wb.i32Const(3); wb.op(W.I32_SHL!); wb.localSet(fpb);
    // Header word 3: -1, "return to the host" — back here.
    wb.localGet(fpb); wb.i32Const(4); wb.op(W.I32_SUB!); wb.i32Const(-1); wb.store(W.I32_STORE!, 2, 0);
    s.params.forEach((k, i) => {
      wb.localGet(fpb); wb.localGet(wb.param(i + 1));
      wb.store(k === Kind.F ? W.F64_STORE! : W.I32_STORE!, k === Kind.F ? 3 : 2, i * 8);
    });
    wb.localGet(wb.param(0)); wb.call(enter);
    wb.finish();
    mb.exportFunction('c2i', wb.index);
    const rt = this.rt;
    stub = this.instantiate(mb, { h: { enter: (fp: number) => rt.enterInterpreted(fp) } }).c2i!;
    this.c2i.set(key, stub);
    this.opts.trace?.(`[tier] adapter c2i ${key} (${this.i2c.size} i2c, ${this.c2i.size} c2i)`);
    return stub;
  }

  private instantiate(mb: WasmModuleBuilder, extra: WebAssembly.Imports): WebAssembly.Exports {
    const imports = { ...extra, env: { memory: this.rt.mem.wasm!, table: this.table } };
    return new WebAssembly.Instance(new WebAssembly.Module(mb.encode() as Uint8Array<ArrayBuffer>), imports).exports;
  }
}

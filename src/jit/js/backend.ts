// The JavaScript backend: compiles functions at run time to JavaScript source and
// makes them functions with `new Function`, for hosts that allow eval but have no
// WebAssembly (node --jitless, iOS Lockdown Mode). The JS twin of
// ../wasm/backend.ts: same frames, same traces, same GC contract, same crossings.
//
// A shared JS array `table` has a slot per guest function (the funcref table's
// analogue); compiled code calls every guest function through it with native
// arguments. A slot holds the function's compiled code or the c2i adapter of its
// shape; the interpreter reaches compiled code through rt.entries[f], the i2c
// adapter of f's shape (adapters.ts), made on first need and shared.
//
// What must stay true:
//   - install order: table slot first, then the interpreter's entry, so a caller
//     that sees either reaches a valid body of f; nothing is uninstalled;
//   - everything generated code uses comes from one environment record per VM
//     (`env`, built here): the memory, the table, the runtime helpers shared with
//     the wasm backend (../wasm/helpers.ts), the interpreter's entry;
//   - a function that fails to lower or to parse is reported (it stays
//     interpreted), never half installed.

import type { BcFunction } from '../../bytecode/module.js';
import type { Runtime, CompiledEntry } from '../../runtime/runtime.js';
import type { Backend } from '../../runtime/tiering.js';
import { f64ToI32 } from '../../runtime/builtins.js';
import { helperImports } from '../wasm/helpers.js';
import { lowerFunction, type JsLowerEnv } from './lower.js';
import { shapeKey, i2cSource, c2iSource, type Shape } from './adapters.js';

export interface JsBackendOptions {
  trace: ((line: string) => void) | null;
  /** Name of a function whose generated source is printed when compiled. */
  printCode: string | null;
  print: (text: string) => void;
}

/** A compiled guest function or a c2i adapter: (fp, native args...) -> result. */
export type GuestCode = (fp: number, ...args: number[]) => number | undefined;

/** True if this host lets us make functions from source text now (false under
 *  --disallow-code-generation-from-strings or a CSP without 'unsafe-eval'). */
export function hostCanCompileJs(): boolean {
  try {
    return new Function('return 1')() === 1;
  } catch {
    return false;
  }
}

/** Make a function from a factory body (see lower.ts) bound to env. */
function instantiate<T>(source: string, env: Record<string, unknown>): T {
  return (new Function('env', source) as (env: Record<string, unknown>) => T)(env);
}

export class JsBackend implements Backend {
  readonly name = 'js';
  readonly table: GuestCode[];
  private readonly env: Record<string, unknown>;
  private readonly lowerEnv: JsLowerEnv;
  private readonly i2c = new Map<string, CompiledEntry>();
  private readonly c2i = new Map<string, GuestCode>();
  /** Compile statistics, for --trace-tier and the benchmarks. */
  readonly stats = { functions: 0, osr: 0, jsChars: 0, bytecodeWords: 0, compileMicros: 0 };

  constructor(private readonly rt: Runtime, private readonly opts: JsBackendOptions) {
    this.table = [];
    this.lowerEnv = {
      mod: rt.mod, strAddrs: rt.strAddrs, globalsSlot: rt.globalsSlot,
      stackEndSlot: rt.stackEndSlot, frameSizes: rt.frameSizes,
    };
    this.env = {
      ...helperImports(rt),
      mem: rt.mem, table: this.table,
      imul: Math.imul, sqrt: Math.sqrt, floor: Math.floor, ceil: Math.ceil, abs: Math.abs, f64ToI32,
      enter: (fp: number) => rt.enterInterpreted(fp),
    };
    for (const f of rt.mod.functions) this.table.push(this.c2iFor(f));
  }

  compile(f: number): string | null {
    const fn = this.rt.mod.functions[f]!;
    let code: GuestCode;
    try {
      code = this.build(fn, 0);
    } catch (e) {
      return (e as Error).message;
    }
    this.table[f] = code;
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

  /** Lower fn (from entryPc) to source and make it a function. */
  private build(fn: BcFunction, entryPc: number): GuestCode {
    const t0 = performance.now();
    const { source } = lowerFunction(this.lowerEnv, fn, entryPc);
    const code = instantiate<GuestCode>(source, this.env);
    const micros = Math.round((performance.now() - t0) * 1000);
    this.record(fn, entryPc, source.length, micros);
    if (this.opts.printCode === fn.name) this.opts.print(source + '\n');
    return code;
  }

  private record(fn: BcFunction, entryPc: number, chars: number, micros: number): void {
    const s = this.stats;
    if (entryPc === 0) s.functions++; else s.osr++;
    s.jsChars += chars;
    s.bytecodeWords += fn.code.length;
    s.compileMicros += micros;
    const what = entryPc === 0 ? fn.name : `${fn.name} (osr entry at pc ${entryPc})`;
    this.opts.trace?.(`[tier] compile ${what}: ${fn.code.length} bytecode words -> ${chars} JS chars in ${micros} us` +
      ` (adapters: ${this.i2c.size} i2c, ${this.c2i.size} c2i)`);
  }

  // ---- adapters (adapters.ts) ------------------------------------------------------

  private i2cFor(s: Shape): CompiledEntry {
    const key = shapeKey(s);
    let entry = this.i2c.get(key);
    if (entry) return entry;
    entry = instantiate<CompiledEntry>(i2cSource(s), this.env);
    this.i2c.set(key, entry);
    this.opts.trace?.(`[tier] adapter i2c ${key} (${this.i2c.size} i2c, ${this.c2i.size} c2i)`);
    return entry;
  }

  private c2iFor(s: Shape): GuestCode {
    const key = shapeKey(s);
    let stub = this.c2i.get(key);
    if (stub) return stub;
    stub = instantiate<GuestCode>(c2iSource(s), this.env);
    this.c2i.set(key, stub);
    this.opts.trace?.(`[tier] adapter c2i ${key} (${this.i2c.size} i2c, ${this.c2i.size} c2i)`);
    return stub;
  }
}

// The JavaScript backend: lowers functions at run time to JavaScript source and
// makes them functions with `new Function`, for hosts that allow eval but have no
// WebAssembly (node --jitless, iOS Lockdown Mode). Same frames, traces, GC
// contract and crossings as the wasm backend; the shared skeleton is ../backend.ts.
//
// The table is a JS array with a slot per guest function (the funcref table's
// analogue). Everything generated code uses comes from one environment record per
// VM (`env`, built here): the memory, the table, the runtime helpers (../helpers.ts),
// the interpreter's entry. Nothing here depends on the wasm backend.

import type { BcFunction } from '../../bytecode/module.js';
import type { Runtime, CompiledEntry } from '../../runtime/runtime.js';
import { f64ToI32 } from '../../runtime/builtins.js';
import { helperImports } from '../helpers.js';
import type { GuestFn } from '../generic-adapters.js';
import { CompilingBackend, type BackendOptions, type Lowered, type Shape } from '../backend.js';
import { lowerFunction, type JsLowerEnv } from './lower.js';
import { i2cSource, c2iSource } from './adapters.js';

/** A compiled guest function or a c2i adapter: (fp, native args...) -> result. */
export type GuestCode = (fp: number, ...args: number[]) => number | undefined;

/** Make a function from a factory body (see lower.ts) bound to env. */
function instantiate<T>(source: string, env: Record<string, unknown>): T {
  return (new Function('env', source) as (env: Record<string, unknown>) => T)(env);
}

export class JsBackend extends CompilingBackend<GuestCode> {
  readonly name = 'js';
  /** No tier 2 on this backend (yet): the policy gives it tier-1 plans only. */
  readonly optimizes = false;
  /** compileMany compiles one function at a time (no lowerMany). */
  readonly batches = false;
  protected readonly sizeUnit = 'JS chars';
  readonly table: GuestCode[] = [];
  private readonly env: Record<string, unknown>;
  private readonly lowerEnv: JsLowerEnv;

  constructor(rt: Runtime, opts: BackendOptions) {
    super(rt, opts);
    this.lowerEnv = {
      mod: this.mod, strAddrs: rt.strAddrs, globalsSlot: rt.globalsSlot,
      frameSizes: rt.frameSizes, fuel: rt.limits.metered, countCalls: opts.events !== null,
    };
    this.env = {
      ...helperImports(rt),
      mem: rt.mem, table: this.table,
      imul: Math.imul, sqrt: Math.sqrt, f64ToI32,
      adapterEntry: this.c2iAdapterEntry(),
    };
  }

  protected setSlot(f: number, code: GuestCode): void { this.table[f] = code; }

  protected lower(fn: BcFunction, osrPc: number | null): Lowered<GuestCode> {
    const { source } = lowerFunction(this.lowerEnv, fn, osrPc);
    return { code: instantiate<GuestCode>(source, this.env), size: source.length, text: () => source + '\n' };
  }

  protected makeI2c(s: Shape): CompiledEntry { return instantiate<CompiledEntry>(i2cSource(s), this.env); }
  protected makeC2i(s: Shape): GuestCode {
    return this.opts.adapters === 'generic' ? this.genericC2iFor(s) as GuestCode : instantiate<GuestCode>(c2iSource(s, this.rt.crossingSlots), this.env);
  }
  protected slotFunction(f: number): GuestFn { return this.table[f] as GuestFn; }
}

// The WebAssembly backend: lowers functions to wasm modules at run time and makes
// the adapters for crossing tiers (the shared skeleton is ../backend.ts), here or
// on its compiler thread (../thread.ts, ./compile-thread.ts), which compiles the
// same modules and sends them back compiled: here they are only instantiated.
//
// The table is a funcref WebAssembly.Table shared by every compiled module; each
// compiled function is a module of its own that imports the memory, the table and
// the helpers its code calls (../helpers.ts; the string helpers are wasm
// functions of one module, ./strings.ts, built when a compiled function first
// imports one: a run whose compiled code makes no strings never pays for it).

import type { BcFunction } from '../../bytecode/module.js';
import type { Runtime, CompiledEntry, ListedEntry } from '../../runtime/runtime.js';
import { helperImports } from '../helpers.js';
import type { GuestFn } from '../generic-adapters.js';
import type { CompilePlan } from '../../runtime/tiering.js';
import type { Speculation } from '../../runtime/profile.js';
import { CompilingBackend, shapeKey, type BackendOptions, type Lowered, type Shape } from '../backend.js';
import { dispatchSites, functionModule, functionsModule, selfInlines, type LowerEnv } from './lower.js';
import { adapterModule, functionShapes, jsHelperGroups, typedGenericC2iModule } from './adapters.js';
import { CompilerThread, DISPOSED, threadUnavailable, type ThreadResult } from '../thread.js';
import { makeNumberHelpers, makeStringHelpers, stringModuleParams, WASM_NUMBER_HELPERS, WASM_STRING_HELPERS } from './strings.js';
import { makeAllocHelpers, WASM_ALLOC_HELPERS } from './alloc.js';
import { NumberSites } from './number-sites.js';
import type { WasmModuleBuilder } from './encoder.js';
import { WASM_HOST } from '../../config.js';

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

/** A module of more bytes than this compiles in the host's baseline compiler
 *  only, loops and all, and is never optimized: V8's optimizing compile takes
 *  time that grows faster than the function for some shapes (an array literal
 *  of 2,000, 5,000, 10,000 and 20,000 numbers: 46, 115, 234 and 484 KB of wasm
 *  compiled in 0.08, 0.18, 0.51 and 2.2 s, 40,000 in 9 s), where Liftoff's is
 *  linear (0.25 s at 20,000, our lowering included); and in the background it
 *  kept the process from exiting until it ended (the 20,000-number literal
 *  4-6 s, 40,000 24 s). The benchmarks' largest module is about 22 KB
 *  (richards' run_richards in tier 2). */
const BASELINE_ABOVE_BYTES = 64 * 1024;

/** How the host compiles a module of `bytes` (null: as it does by default,
 *  optimized at once on the command line): past BASELINE_ABOVE_BYTES in its
 *  baseline compiler only, never optimized; code whose calls end soon in its
 *  baseline compiler, to be optimized in the background when hot. */
function baselineFor(bytes: number, endsSoon: boolean): (<T>(compile: () => T) => T) | null {
  if (bytes > BASELINE_ABOVE_BYTES) return WASM_HOST.baselineOnly ?? WASM_HOST.baseline;
  return endsSoon ? WASM_HOST.baseline : null;
}

export class WasmBackend extends CompilingBackend<WebAssembly.ExportValue> {
  readonly name = 'wasm';
  /** Tier 2 (lower.ts: guards, deopt exits, guarded direct calls). */
  readonly optimizes = true;
  readonly batches = true;
  selfInlines(f: number): boolean { return selfInlines(this.mod.functions[f]!); }
  dispatchSites(f: number, spec: Speculation): number { return dispatchSites(this.env(), this.mod.functions[f]!, spec); }
  protected readonly sizeUnit = 'wasm bytes';
  readonly table: WebAssembly.Table;
  private readonly helpers: WebAssembly.ModuleImports;
  /** The JavaScript helpers. */
  private readonly js: Readonly<Record<string, Function>>;
  /** `helpers` with the JavaScript number-text helpers, for code that does not
   *  format or parse numbers in a loop (number-sites.ts), and what decides. */
  private readonly helpersPlainNumbers: WebAssembly.ModuleImports;
  private numberSites: NumberSites | null = null;
  /** What compiled code from the compiler thread imports: each JavaScript
   *  helper through its forwarder once that came (its prelude: no wrapper is
   *  compiled when code importing it is instantiated), the helper itself
   *  before; the wasm ones as `helpers` has them. */
  private readonly threadHelpers: WebAssembly.ModuleImports;
  private readonly forwarders: Record<string, Function> = {};
  /** The compiler thread: undefined before the first compile queued, null
   *  where none could start. */
  private thread: CompilerThread | null | undefined = undefined;
  private failureSaid = false;
  /** The string helpers' and the allocation helpers' (refill, remember) modules,
   *  compiled by the compiler thread (its prelude). */
  private stringsModule: WebAssembly.Module | null = null;
  private allocModule: WebAssembly.Module | null = null;
  /** The adapters made together (makeC2i, or the compiler thread's prelude):
   *  c2i of every function shape, and the i2c too under --tier=jit/opt or
   *  from the thread; null before. */
  private preloaded: WebAssembly.Exports | null = null;
  /** The i2c adapter, when made on its own (the first install, in auto mode). */
  private i2cAll: WebAssembly.Exports | undefined = undefined;

  constructor(rt: Runtime, opts: BackendOptions) {
    super(rt, opts);
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: rt.mod.functions.length });
    const js = this.js = helperImports(rt);
    // The refill and string helpers run as wasm, with the JS ones as their slow
    // paths (the string operations refill through the wasm refill). The string
    // module may have been compiled on the compiler thread (its prelude); it is
    // instantiated here, with these imports, either way.
    const helpers: Record<string, Function> = { ...js };
    withLazyWasmHelpers(helpers, WASM_ALLOC_HELPERS,
      () => makeAllocHelpers(rt.mem.wasm!, { refill: js.refill!, remember: js.remember! }, rt.heap.ring, this.allocModule ?? undefined));
    withLazyWasmHelpers(helpers, WASM_STRING_HELPERS,
      () => makeStringHelpers(rt.mem.wasm!, { ...js, refill: helpers.refill! }, stringModuleParams(rt.heap), this.stringsModule ?? undefined));
    withLazyWasmHelpers(helpers, WASM_NUMBER_HELPERS,
      () => makeNumberHelpers(rt.mem.wasm!, { fixed: js.fixed!, tostr_f: js.tostr_f!, parse_f: js.parse_f!, refill: helpers.refill! }));
    this.helpers = helpers as WebAssembly.ModuleImports;
    // The same, but the number-text helpers JavaScript's (number-sites.ts).
    const plainNumbers = Object.create(helpers) as Record<string, Function>;
    for (const name of WASM_NUMBER_HELPERS) Object.defineProperty(plainNumbers, name, { value: js[name] });
    this.helpersPlainNumbers = plainNumbers as WebAssembly.ModuleImports;
    const viaForwarders: Record<string, unknown> = {};
    for (const name of Object.keys(helpers)) {
      Object.defineProperty(viaForwarders, name, { enumerable: true, get: () => this.forwarders[name] ?? this.helpers[name] });
    }
    this.threadHelpers = viaForwarders as WebAssembly.ModuleImports;
  }

  /** What each table slot holds, as JavaScript calls it (the generic i2c's view
   *  of the table, without a Table.get per call). */
  private readonly slots: GuestFn[] = [];

  protected setSlot(f: number, code: WebAssembly.ExportValue): void { this.table.set(f, code); this.slots[f] = code as GuestFn; }
  protected slotFunction(f: number): GuestFn { return this.slots[f]!; }

  /** What lowering bakes in of this run. */
  private env(): LowerEnv {
    const rt = this.rt, opts = this.opts;
    return {
      mod: this.mod, strAddrs: rt.strAddrs, globalsSlot: rt.globalsSlot,
      frameSizes: rt.frameSizes, mayInline: (g: number) => opts.inline && rt.tiering.mayCompile(g),
      fuel: rt.limits.metered, countCalls: opts.events !== null, charCache: rt.heap.charCache, osrExits: opts.osrExits,
    };
  }

  /** One function (osrPc null) as `plan` says, or an OSR entry, in a module
   *  of its own, compiled and instantiated. */
  protected lower(fn: BcFunction, osrPc: number | null, plan: CompilePlan): Lowered<WebAssembly.ExportValue> {
    const mb = functionModule(this.env(), fn, osrPc, this.mod.functions.length, plan);
    this.numberSites ??= new NumberSites(this.mod);
    // Tier-1 code compiles in the host's baseline compiler where the host would
    // optimize at once (WASM_HOST.baseline): at a fraction of the compile's
    // cost, and optimized in the background once hot. Not where it loops and
    // the function's loops have not run short so far, since a call that loops
    // long would stay in baseline code to its end; OSR entries (loops that run
    // long) and tier 2 are optimized at once. Only the compile: a helper module
    // that instantiating builds (a getter of `helpers`) is optimized as usual.
    // So is a module past BASELINE_ABOVE_BYTES, whatever it is, and never
    // optimized (baselineFor).
    const endsSoon = osrPc === null && plan.spec === null && (!mb.hasLoops() || this.rt.tiering.loopsRanShort(fn.index));
    const made = this.compileModule(mb, endsSoon, this.numberSites.inLoop(fn) ? this.helpers : this.helpersPlainNumbers);
    return { code: made.exports.f!, size: made.size, text: () => mb.toText(), baseline: made.baseline };
  }

  /** One module for fns, or two: a module imports either set of number
   *  helpers (number-sites.ts). */
  protected lowerMany(fns: readonly BcFunction[], plans: readonly CompilePlan[]): Lowered<WebAssembly.ExportValue>[] {
    const sites = this.numberSites ??= new NumberSites(this.mod);
    const made: Lowered<WebAssembly.ExportValue>[] = [];
    for (const inLoop of [true, false]) {
      const at = fns.flatMap((fn, i) => (sites.inLoop(fn) === inLoop ? [i] : []));
      if (at.length === 0) continue;
      const group = this.lowerTogether(at.map((i) => fns[i]!), at.map((i) => plans[i]!), inLoop ? this.helpers : this.helpersPlainNumbers);
      at.forEach((i, k) => { made[i] = group[k]!; });
    }
    return made;
  }

  /** One module of fns, compiled in the baseline compiler where each of them
   *  would be (none loops, or each one's loops ran short), or where the module
   *  is large (lower). */
  private lowerTogether(fns: readonly BcFunction[], plans: readonly CompilePlan[], helpers: WebAssembly.ModuleImports): Lowered<WebAssembly.ExportValue>[] {
    const { mb, codeBytes } = functionsModule(this.env(), fns, plans, this.mod.functions.length);
    const endsSoon = plans.every((p) => p.spec === null) && (!mb.hasLoops() || fns.every((fn) => this.rt.tiering.loopsRanShort(fn.index)));
    const made = this.compileModule(mb, endsSoon, helpers);
    // Each function's size: its share of the module's bytes, by its code.
    const total = codeBytes.reduce((a, b) => a + b, 0) || 1;
    return fns.map((_, i) => ({
      code: made.exports[`f${i}`]!, size: Math.round((made.size * codeBytes[i]!) / total), text: () => mb.toText(), baseline: made.baseline,
    }));
  }

  /** Encode, compile (in the baseline compiler where baselineFor says) and
   *  instantiate a module of compiled functions importing `helpers`. */
  private compileModule(mb: WasmModuleBuilder, endsSoon: boolean, helpers: WebAssembly.ModuleImports): { exports: WebAssembly.Exports; size: number; baseline: boolean } {
    const bytes = mb.encode();
    const baseline = baselineFor(bytes.length, endsSoon);
    const compile = () => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    const module = baseline !== null ? baseline(compile) : compile();
    const exports = new WebAssembly.Instance(module, this.imports({ h: helpers })).exports;
    return { exports, size: bytes.length, baseline: baseline !== null };
  }

  protected compilerThread(ready: Int32Array, start: boolean): CompilerThread | null {
    if (this.thread === undefined) {
      if (!start) return null;
      this.thread = this.startThread(ready);
    }
    const t = this.thread;
    if (t !== null && t.failure !== null && t.failure !== DISPOSED && !this.failureSaid) {
      this.failureSaid = true;
      this.sayThread('failed', `${t.failure}; compiling synchronously`);
    }
    return t;
  }

  private startThread(ready: Int32Array): CompilerThread | null {
    const why = threadUnavailable();
    if (why !== null) {
      this.sayThread('unavailable', `${why}; compiling synchronously`);
      return null;
    }
    const rt = this.rt, opts = this.opts;
    const inlinable = Uint8Array.from(this.mod.functions, (f) => +(opts.inline && rt.tiering.mayCompile(f.index)));
    const init = {
      mod: this.mod, strAddrs: rt.strAddrs, globalsSlot: rt.globalsSlot, frameSizes: rt.frameSizes,
      inlinable, fuel: rt.limits.metered, countCalls: opts.events !== null, tableSize: this.mod.functions.length, strings: stringModuleParams(rt.heap), ring: rt.heap.ring,
      generatedAdapters: opts.adapters !== 'generic', crossingSlots: rt.crossingSlots,
      profileBases: Int32Array.from(rt.profiles, (p) => (p.byteOffset - rt.profileImage.byteOffset) >> 2),
      tier2After: rt.tiering.tier2After, deoptStress: rt.tiering.opts.deoptStress, osrExits: opts.osrExits,
    };
    this.failureSaid = false;
    return new CompilerThread(init, ready, () => this.sayThread('started', ''));
  }

  protected profileSnapshot(plan: CompilePlan): Int32Array | null {
    return plan.spec === null && !('decide' in plan) ? null : this.rt.profileImage.slice();
  }

  private sayThread(state: 'started' | 'unavailable' | 'failed', reason: string): void {
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'thread', t: ev.now(), state, reason });
  }

  protected adopt(r: ThreadResult): Lowered<WebAssembly.ExportValue> {
    const exports = new WebAssembly.Instance(r.module!, this.imports({ h: this.threadHelpers })).exports;
    return { code: exports.f!, size: r.size!, text: () => r.text ?? '' };
  }

  protected adoptPrelude(r: ThreadResult): boolean {
    const { adapters, helpers, group, strings, refill } = r.prelude!;
    if (adapters) {
      const shapes = functionShapes(this.mod.functions);
      this.preloaded ??= this.adapters(shapes, this.mod.functions, adapters);
    }
    if (helpers) this.forward(jsHelperGroups()[group!]!, helpers);
    // Made runnable now, at a safepoint of their own, rather than inside the
    // install of the first function that imports them (a getter of `helpers`).
    if (refill) { this.allocModule = refill; void this.helpers['refill']; }
    if (strings) { this.stringsModule = strings; void this.helpers['concat']; }
    return !!adapters;
  }

  /** Call the JavaScript helpers `names` through the forwarders of `module`
   *  (adapters.ts helperForwardersModule). */
  private forward(names: readonly string[], module: WebAssembly.Module): void {
    const fwd = new WebAssembly.Instance(module, { j: Object.fromEntries(names.map((h) => [h, this.js[h]!])) }).exports;
    for (const h of names) this.forwarders[h] = fwd[h] as Function;
  }

  /** The run ended: the thread is ended (terminated), even while it holds
   *  requests. Those come back as lost and compile synchronously at a later
   *  safepoint (if the program is called again), and so does every later
   *  compile of this instance; a thread that held none is forgotten, and the
   *  next compile queued starts another. */
  endRun(): void {
    const t = this.thread;
    if (t === undefined || t === null) return;
    const held = t.busy;
    t.dispose();
    if (!held) this.thread = undefined;
  }

  dispose(): void {
    this.thread?.dispose();
  }

  private imports(extra: WebAssembly.Imports): WebAssembly.Imports {
    return { ...extra, env: { memory: this.rt.mem.wasm!, table: this.table } };
  }

  private instantiate(bytes: Uint8Array, extra: WebAssembly.Imports): WebAssembly.Exports {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), this.imports(extra)).exports;
  }

  /** The one i2c adapter of every function (adapters.ts), whatever the shape. */
  protected makeI2c(_s: Shape): CompiledEntry {
    return this.i2cExports().i2c as CompiledEntry;
  }

  /** The listed i2c (adapters.ts) beside the i2c; none under --adapters=generic. */
  protected listedI2c(): ListedEntry | null {
    return this.opts.adapters === 'generic' ? null : (this.i2cExports().i2cl as ListedEntry | undefined) ?? null;
  }

  /** The exports holding the i2c adapters: the preloaded module's, or one of their own. */
  private i2cExports(): WebAssembly.Exports {
    return this.preloaded?.i2c !== undefined ? this.preloaded : (this.i2cAll ??= this.adapters([], this.mod.functions));
  }

  // The first request makes the c2i adapters of every function's shape at once,
  // in one module (the first compile asks for all of them): one compile and one
  // instantiation instead of one per shape, which at start-up cost several ms
  // for a program of nine shapes. A shape met later (a function value's
  // signature) gets a module of its own. With a compiler thread, that module
  // (with the i2c adapter too) comes from the thread; so it
  // does under --tier=jit/opt, which installs every function at once (one
  // module instead of one more per shape: 0.3-0.5 ms each at start-up).
  protected makeC2i(s: Shape): WebAssembly.ExportValue {
    if (this.preloaded === null) {
      const shapes = functionShapes(this.mod.functions), mode = this.rt.tiering.opts.mode;
      this.preloaded = this.adapters(shapes, mode === 'jit' || mode === 'opt' ? this.mod.functions : []);
    }
    return this.preloaded[`c2i ${shapeKey(s)}`] ?? this.adapters([s], [])[`c2i ${shapeKey(s)}`]!;
  }

  /** The exports of an adapter module (adapters.ts), compiled here or (module)
   *  on the compiler thread. Under --adapters=generic the c2i adapters are the
   *  hand-written generic ones, typed per shape (and no i2c is asked for here:
   *  the generic i2c is JavaScript, ../generic-adapters.ts). */
  private adapters(c2i: readonly Shape[], functions: readonly Shape[], module?: WebAssembly.Module): WebAssembly.Exports {
    if (this.opts.adapters === 'generic') {
      const h = Object.fromEntries(c2i.map((s) => [shapeKey(s), this.genericC2iFor(s)]));
      return this.instantiate(typedGenericC2iModule(c2i).encode(), { h });
    }
    const compiled = module ?? new WebAssembly.Module(adapterModule(c2i, functions, this.mod.functions.length, this.rt.crossingSlots).encode() as Uint8Array<ArrayBuffer>);
    return new WebAssembly.Instance(compiled, this.imports({ h: { ...this.c2iAdapterEntry() } })).exports;
  }
}

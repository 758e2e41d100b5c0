// What both compiling backends share: compiling and installing a function, OSR
// entries, installing what a compiler thread compiled (queue / takeFinished: a
// backend with a thread supplies it and `adopt`), the adapter cache per
// signature shape, compile statistics and traces, and decoding a call
// instruction's operands. A backend supplies only what is its
// own: lowering a function to code, writing a table slot, and making the i2c and
// c2i adapters of one shape.
//
// One table (a wasm funcref table, or a JS array) has a slot per guest function;
// compiled code calls every guest function through it with native arguments. A
// slot holds the function's compiled code or the c2i adapter of its signature
// shape, which writes the native arguments into the frame and runs the
// interpreter. The interpreter reaches compiled code through rt.entries[f], the
// i2c adapter of f's shape, which reads the arguments from the frame and calls
// through f's slot. Every c2i adapter is made when the backend starts (every slot
// needs one); an i2c adapter is made when the first function of its shape is
// installed. Both are shared by every function of that shape. With
// --adapters=generic, one hand-written i2c serves every shape and the c2i slots
// hold the hand-written generic c2i (generic-adapters.ts).
//
// What must stay true:
//   - install order: table slot first, then the interpreter's entry, so a caller
//     that sees either reaches a valid body of f; nothing is ever uninstalled;
//   - a function that fails to lower or to instantiate is reported (it stays
//     interpreted), never half installed;
//   - the table's slots get their c2i adapters before the first install, and
//     only then (with a compiler thread, its prelude brings the adapters);
//   - what the thread compiled is counted against maxCodeSize when installed,
//     as a synchronous compile is when made.

import { Kind, Op, OP_INFO, instrLength } from '../bytecode/opcodes.js';
import { plainModule } from '../bytecode/fuse.js';
import type { Helper } from '../bytecode/helpers.js';
import type { BcFunction, BcModule, ValKind } from '../bytecode/module.js';
import type { Runtime, CompiledEntry, ListedEntry, InterpretFrame, AdapterEntry } from '../runtime/runtime.js';
import type { Backend, CompilePlan, Finished, OsrEntry } from '../runtime/tiering.js';
import { describeSpeculation, seenTargets, type Speculation } from '../runtime/profile.js';
import type { CompilerThread, ThreadResult } from './thread.js';
import type { TierEventLog } from '../runtime/tier-events.js';
import { MAX_COMPILE_CHECKS, MAX_COMPILE_WORDS, type AdapterMode } from '../config.js';
import { boundsChecksLeft } from './checks.js';
import { genericI2c, genericC2i, GENERIC_ARITY, type GuestFn } from './generic-adapters.js';
import { HostFault } from '../runtime/externs.js';
import { nowMs } from '../runtime/clock.js';

/** A signature shape: the kinds of the parameters and of the result. */
export type Shape = { readonly params: readonly ValKind[]; readonly ret: ValKind | null };

/** `if>f` for (i32, f64) -> f64; references are `r`, no result `v`. */
export function shapeKey(s: Shape): string {
  return `${s.params.map((k) => 'ifr'[k - 1]).join('')}>${s.ret === null ? 'v' : 'ifr'[s.ret - 1]}`;
}

export interface BackendOptions {
  /** Where tier events go (null: nowhere); while on, crossings are counted. */
  events: TierEventLog | null;
  /** Name of a function whose generated code is printed when compiled. */
  printCode: string | null;
  print: (text: string) => void;
  /** Inline small leaf callees whose tiering allows compiling them. */
  inline: boolean;
  /** Generated code the program may keep, in the backend's size unit (wasm
   *  bytes, JS characters); a compile that would pass it fails, and the function
   *  stays interpreted (Infinity: no limit). */
  maxCodeSize: number;
  /** Generated adapters per shape, or the generic ones (config.ts AdapterMode). */
  adapters: AdapterMode;
  /** OSR code leaves its loop now and then to be entered again (wasm only:
   *  LowerEnv.osrExits, runtime/osr.ts). */
  osrExits: boolean;
}

/** What lowering one function (or OSR entry) made. */
export interface Lowered<Code> {
  code: Code;
  /** Size of the generated code, in the backend's unit (sizeUnit). */
  size: number;
  /** The generated code as text (WAT, or JavaScript source). */
  text: () => string;
  /** Compiled by the host's baseline compiler (config.ts, WASM_HOST.baseline). */
  baseline?: boolean;
}

/** Tier 1, with no tier-up: OSR entries, and every compile of a backend that
 *  does not optimize. */
export const TIER1: CompilePlan = { spec: null, tierUpAfter: 0 };

/** The operands of CALL or CALLV at pc. */
export interface CallOperands {
  /** CALL: the callee's index; CALLV: the register holding the function value. */
  target: number;
  byValue: boolean;
  /** First call-area register: the callee's header, then its arguments. */
  base: number;
  /** Register receiving the result. */
  dst: number;
  /** The callee's signature shape. */
  sig: Shape;
}

export function decodeCall(mod: BcModule, code: Int32Array, pc: number): CallOperands {
  if (code[pc] === Op.CALLV) {
    return { target: code[pc + 1]!, byValue: true, base: code[pc + 3]!, dst: code[pc + 4]!, sig: mod.sigs[code[pc + 2]!]! };
  }
  return { target: code[pc + 1]!, byValue: false, base: code[pc + 2]!, dst: code[pc + 3]!, sig: mod.functions[code[pc + 1]!]! };
}

/** The helper that runs a function of result kind `ret` in the interpreter when
 *  its frame is past the host-stack limit (runtime.ts). */
/** Does the instruction take no step, trap, allocate, call a helper or write
 *  anything but a register? Nothing can tell whether a step charged just before
 *  it was counted before or after it. */
export function isPure(op: Op): boolean {
  const info = OP_INFO[op];
  if (info.alu !== undefined) return !info.divides && info.helper === undefined;
  return op === Op.LOADI || op === Op.LOADF || op === Op.LOADS || op === Op.LOADNULL || op === Op.LOADFN;
}

export function interpHelper(ret: ValKind | null): Helper {
  return ret === null ? 'interp_v' : ret === Kind.F ? 'interp_f' : 'interp_i';
}

export abstract class CompilingBackend<Code> implements Backend {
  abstract readonly name: 'wasm' | 'js';
  /** What `size` counts (wasm bytes, JS chars). */
  protected abstract readonly sizeUnit: string;
  /** compileMany makes one module of several functions (lowerMany). */
  abstract readonly batches: boolean;
  /** Compile statistics, for --trace-tier and the benchmarks. */
  readonly stats = { functions: 0, osr: 0, codeSize: 0, bytecodeWords: 0, compileMicros: 0 };
  /** Whether the function named by opts.printCode was printed. */
  printed = false;
  private readonly i2c = new Map<string, CompiledEntry>();
  private readonly c2i = new Map<string, Code>();
  private slotsFilled = false;

  /** The module as plain instructions (superinstructions are the interpreter's
   *  alone: bytecode/fuse.ts); every lowering reads this one. */
  protected readonly mod: BcModule;

  constructor(protected readonly rt: Runtime, protected readonly opts: BackendOptions) {
    this.mod = plainModule(rt.mod);
  }

  /** Whether lower() compiles tier 2 (a plan's speculation); a backend that
   *  does not is never given one. */
  abstract readonly optimizes: boolean;
  /** Whether tier 2 inlines copies of function f into itself (only a backend
   *  that optimizes). */
  selfInlines(_f: number): boolean { return false; }
  /** The CALLVs tier 2 of f with `spec` dispatches at on the targets their
   *  profiles saw (only a backend that optimizes). */
  dispatchSites(_f: number, _spec: Speculation): number { return 0; }
  /** Lower fn and make it callable: the whole function (osrPc null) as the
   *  plan says, or an OSR entry (tier 1) at loop header osrPc (which may be 0)
   *  taking only the frame pointer. May throw. */
  protected abstract lower(fn: BcFunction, osrPc: number | null, plan: CompilePlan): Lowered<Code>;
  /** Write table slot f. */
  protected abstract setSlot(f: number, code: Code): void;
  protected abstract makeI2c(s: Shape): CompiledEntry;
  /** The listed i2c of every function (runtime.ts, ListedEntry), if the
   *  backend reads argument lists (the wasm backend's generated adapters). */
  protected listedI2c(): ListedEntry | null { return null; }
  protected abstract makeC2i(s: Shape): Code;
  /** Table slot f as a function JavaScript can call (the generic i2c calls it). */
  protected abstract slotFunction(f: number): GuestFn;

  /** The generic adapters, made on first need (--adapters=generic). */
  private generic: { i2c: CompiledEntry; c2i: GuestFn; c2iRest: GuestFn } | null = null;
  protected genericAdapters(): { i2c: CompiledEntry; c2i: GuestFn; c2iRest: GuestFn } {
    return this.generic ??= { i2c: genericI2c(this.rt, (f) => this.slotFunction(f)), ...genericC2i(this.rt, this.c2iEnter()) };
  }
  /** The generic c2i function for shape s (by its arity). */
  protected genericC2iFor(s: Shape): GuestFn {
    const g = this.genericAdapters();
    return s.params.length <= GENERIC_ARITY ? g.c2i : g.c2iRest;
  }

  /** Fill every table slot with its c2i adapter, before the first install (the
   *  adapters come from the compiler thread's prelude where there is one). */
  private fillSlots(): void {
    if (this.slotsFilled) return;
    for (const f of this.mod.functions) this.setSlot(f.index, this.c2iFor(f));
    this.slotsFilled = true;
  }

  compile(f: number, plan: CompilePlan): string | null {
    const fn = this.mod.functions[f]!;
    let code: Code;
    try {
      this.fillSlots();
      code = this.build(fn, null, plan);
    } catch (e) {
      return failure(e);
    }
    this.install(fn, code);
    return null;
  }

  /** Compile and install several whole functions (--tier=jit/opt compiles
   *  every function up front), each as its plan says; per function null, or
   *  why it failed. Lowered together where the backend can (lowerMany); one
   *  by one where it cannot, where one of them cannot be (each failure is
   *  then its own), and where code is printed or traced (a function's text is
   *  its own). */
  compileMany(fs: readonly number[], plans: readonly CompilePlan[]): (string | null)[] {
    const fns = fs.map((f) => this.mod.functions[f]!);
    const one = () => fs.map((f, i) => this.compile(f, plans[i]!));
    if (fns.length < 2 || this.opts.printCode !== null || this.opts.events?.withCode === true) return one();
    if (fns.some((fn) => tooLargeToCompile(fn, this.rt.limits.metered) !== null)) return one();
    let made: Lowered<Code>[] | null;
    const t0 = nowMs();
    try {
      this.fillSlots();
      made = this.lowerMany(fns, plans);
    } catch {
      made = null;
    }
    if (made === null) return one();
    // The time is shared out by size.
    const ms = nowMs() - t0, total = made.reduce((n, m) => n + m.size, 0) || 1;
    return fns.map((fn, i) => {
      let code: Code;
      try {
        code = this.accept(fn, null, plans[i]!, made[i]!, (ms * made[i]!.size) / total, null);
      } catch (e) {
        return failure(e);
      }
      this.install(fn, code);
      return null;
    });
  }

  /** Lower several whole functions together, each as its plan says, and make
   *  them callable; null where the backend lowers one at a time. May throw. */
  protected lowerMany(_fns: readonly BcFunction[], _plans: readonly CompilePlan[]): Lowered<Code>[] | null { return null; }

  compileOsr(f: number, pc: number): OsrEntry | string {
    try {
      this.fillSlots();
      return this.build(this.mod.functions[f]!, pc, TIER1) as unknown as OsrEntry;
    } catch (e) {
      return failure(e);
    }
  }

  /** The compiler thread's handle (made by the first queue(): `start`), null
   *  where there is none (the default; the wasm backend has one). */
  protected compilerThread(_ready: Int32Array, _start: boolean): CompilerThread | null { return null; }
  /** Make what the compiler thread compiled runnable here (instantiate it). */
  protected adopt(_r: ThreadResult): Lowered<Code> { throw new Error(`the ${this.name} backend has no compiler thread`); }
  /** Take a part of the compiler thread's prelude (what it compiles besides
   *  the requests); true when it brought the c2i adapters (the table can be
   *  filled). */
  protected adoptPrelude(_r: ThreadResult): boolean { return false; }

  queue(f: number, osrPc: number | null, ready: Int32Array, plan: CompilePlan): boolean {
    // Not queued: the synchronous compile refuses it (build), and the policy records why.
    if (tooLargeToCompile(this.mod.functions[f]!, this.rt.limits.metered) !== null) return false;
    const thread = this.compilerThread(ready, true);
    if (thread === null) return false;
    const name = this.mod.functions[f]!.name;
    return thread.request(f, osrPc, this.opts.printCode === name || (this.opts.events?.withCode ?? false), plan, this.profileSnapshot(plan));
  }

  /** What the compiler thread needs besides the plan to lower tier 2 (the wasm
   *  backend: the profiles its dispatches read). */
  protected profileSnapshot(_plan: CompilePlan): Int32Array | null { return null; }

  beginRun(ready: Int32Array): void { this.compilerThread(ready, true); }

  takeFinished(ready: Int32Array): Finished[] {
    const thread = this.compilerThread(ready, false);
    if (thread === null) return [];
    if (this.fillPending) {
      // A safepoint of its own for filling the table (ready[0] was raised for it).
      this.fillPending = false;
      if (Atomics.load(ready, 0) > 0) Atomics.sub(ready, 0, 1);   // (a failure meanwhile cleared it)
      this.fillSlots();
      return [];
    }
    const done: Finished[] = [];
    for (const r of thread.drain()) {
      if (r.prelude === undefined) {
        // A plan the thread was to decide: as it decided (or declined), or
        // back to the policy when the thread lost it.
        const decide = 'decide' in r.plan ? r.plan.decide : undefined;
        if (r.lost && decide !== undefined) done.push({ f: r.f, osrPc: r.osrPc, tier2: decide === 'opt', result: null, redo: decide });
        else if (r.declined) done.push({ f: r.f, osrPc: r.osrPc, tier2: true, result: null, declined: true });
        else {
          if (r.decided !== undefined) r.plan = this.decidedPlan(r.decided);
          done.push({ f: r.f, osrPc: r.osrPc, tier2: r.plan.spec !== null || decide === 'opt', result: this.finish(r) });
        }
      } else if (this.adoptPrelude(r) && !this.slotsFilled) {
        this.fillPending = true;
        Atomics.add(ready, 0, 1);
      }
    }
    return done;
  }

  /** The plan the compiler thread decided, as the policy would have made it
   *  (its dispatches' targets read from the live profiles: only a trace reads
   *  them here). */
  private decidedPlan(d: NonNullable<ThreadResult['decided']>): CompilePlan {
    if (d.spec === null) return { spec: null, tierUpAfter: d.tierUpAfter };
    const profiles = this.rt.profiles;
    return { spec: { ...d.spec, targetsAt: (g: number, pc: number) => seenTargets(profiles[g]!, pc) }, tierUpAfter: 0 };
  }

  /** The adapters came (adoptPrelude): the table is filled at the next
   *  safepoint (or by the first install, if that comes first). */
  private fillPending = false;

  /** Install a function the thread compiled (null), or make its OSR entry; or
   *  why not. A request the thread lost is compiled here. */
  private finish(r: ThreadResult): string | null | OsrEntry {
    if (r.lost) return r.osrPc === null ? this.compile(r.f, r.plan) : this.compileOsr(r.f, r.osrPc);
    const fn = this.mod.functions[r.f]!;
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'compiling', t: ev.at(r.startedAt), fn: fn.name, f: fn.index, osrPc: r.osrPc, tier2: r.plan.spec !== null });
    let code: Code;
    try {
      if (r.error !== undefined) throw new Error(r.error);
      this.fillSlots();
      code = this.accept(fn, r.osrPc, r.plan, this.adopt(r), r.ms, r.dispatched ?? -1);
    } catch (e) {
      return failure(e);
    }
    if (r.osrPc !== null) return code as unknown as OsrEntry;
    this.install(fn, code);
    return null;
  }

  /** The listed i2c counting its calls (one function, as the listed i2c is). */
  private listedCounting: ListedEntry | null = null;

  /** Table slot first, then the interpreter's entries. */
  private install(fn: BcFunction, code: Code): void {
    const f = fn.index;
    this.setSlot(f, code);
    const ev = this.opts.events;
    this.rt.entries[f] = ev === null ? this.i2cFor(fn) : ev.countingI2c(this.i2cFor(fn), (callerFp) => this.fromHost(callerFp));
    const listed = fn.params.length > 0 ? this.listedI2c() : null;
    this.rt.listedEntries[f] = listed === null || ev === null ? listed : (this.listedCounting ??= ev.countingListedI2c(listed));
    if (ev !== null) ev.sink({ kind: 'installed', t: ev.now(), fn: fn.name, f, backend: this.name, slot: f, shape: shapeKey(fn) });
  }

  endRun(_ready: Int32Array): void {}

  /** End the compiler thread, if one was started. */
  dispose(): void {}

  /** The c2i crossing compiled code calls (rt.interpretFrame, entered as
   *  InterpEntry.CROSSING), counted while events are on. */
  private c2iEnter(): InterpretFrame {
    const rt = this.rt, ev = this.opts.events;
    const enter = rt.interpretFrame;
    return ev === null ? enter : ev.countingC2i(enter);
  }

  /** The interpreter's loop as the generated c2i adapters enter it
   *  (rt.adapterEntry), its entries counted while events are on. */
  protected c2iAdapterEntry(): AdapterEntry {
    const a = this.rt.adapterEntry, ev = this.opts.events;
    return ev === null ? a : { enter: ev.countingAdapterEntry(a.enter), resume: a.resume };
  }

  /** Whether a frame whose caller's fp is callerFp is a host entry (its caller
   *  is the host's frame). */
  private fromHost(callerFp: number): boolean {
    return callerFp === this.rt.hostCallerFp;
  }

  private build(fn: BcFunction, osrPc: number | null, plan: CompilePlan): Code {
    const tooLarge = tooLargeToCompile(fn, this.rt.limits.metered);
    if (tooLarge !== null) throw new Error(tooLarge);
    const t0 = nowMs();
    const made = this.lower(fn, osrPc, plan);
    return this.accept(fn, osrPc, plan, made, nowMs() - t0, null);
  }

  /** The code of what was lowered (here, or on the compiler thread: `thread`),
   *  counted, traced and printed; throws past the compiled-code limit. */
  private accept(fn: BcFunction, osrPc: number | null, plan: CompilePlan, made: Lowered<Code>, ms: number, thread: number | null): Code {
    if (this.stats.codeSize + made.size > this.opts.maxCodeSize) {
      // The module is dropped (nothing refers to it); the tiering policy records
      // the failure and does not try this function (or this loop) again.
      throw new Error(`compiled code limit reached (${this.stats.codeSize} + ${made.size} ${this.sizeUnit} > ${this.opts.maxCodeSize})`);
    }
    this.record(fn, osrPc, plan, made, ms, thread);
    if (this.opts.printCode === fn.name) {
      this.opts.print(made.text());
      this.printed = true;
    }
    return made.code;
  }

  /** `thread`: null for a compile made here; for one the compiler thread
   *  made, the dispatched calls of its tier-2 code as the thread counted them
   *  (-1: not counted), which the trace then does not count here again. */
  private record(fn: BcFunction, osrPc: number | null, plan: CompilePlan, made: Lowered<Code>, ms: number, thread: number | null): void {
    const size = made.size;
    const s = this.stats;
    if (osrPc === null) s.functions++; else s.osr++;
    s.codeSize += size;
    s.bytecodeWords += fn.code.length;
    s.compileMicros += Math.round(ms * 1000);
    const ev = this.opts.events;
    if (ev === null) return;
    ev.sink({
      kind: 'compiled', t: ev.now(), fn: fn.name, f: fn.index, backend: this.name, osrPc, ms, thread: thread !== null, baseline: made.baseline === true,
      speculation: plan.spec === null ? null : describeSpeculation(plan.spec, thread !== null && thread >= 0 ? thread : this.dispatchSites(fn.index, plan.spec)),
      bytecodeWords: fn.code.length, size, unit: this.sizeUnit, i2c: this.i2c.size, c2i: this.c2i.size,
      ...(ev.withCode ? { code: made.text() } : {}),
    });
  }

  private i2cFor(s: Shape): CompiledEntry {
    return this.adapter(this.i2c, 'i2c', s, (t) => (this.opts.adapters === 'generic' ? this.genericAdapters().i2c : this.makeI2c(t)));
  }
  private c2iFor(s: Shape): Code { return this.adapter(this.c2i, 'c2i', s, (t) => this.makeC2i(t)); }

  /** The adapter of shape s from `cache`, made (and traced) on first need. */
  private adapter<T>(cache: Map<string, T>, kind: 'i2c' | 'c2i', s: Shape, make: (s: Shape) => T): T {
    const key = shapeKey(s);
    let made = cache.get(key);
    if (made !== undefined) return made;
    made = make(s);
    cache.set(key, made);
    const ev = this.opts.events;
    if (ev !== null) {
      ev.sink({ kind: 'adapter', t: ev.now(), backend: this.name, adapter: kind, shape: key, i2c: this.i2c.size, c2i: this.c2i.size, generic: this.opts.adapters === 'generic' });
    }
    return made;
  }
}

/** Why a compile failed, as the policy records it: always a string. The
 *  embedder's exception (onTierEvent's, or the stderr callback's under
 *  --trace-tier, a HostFault: not an Error) fails the compile too; vm.ts throws
 *  it from the entry when the entry ends (HostIo.fault). */
function failure(e: unknown): string {
  if (e instanceof HostFault) return "the embedder's callback threw";
  return e instanceof Error ? e.message : String(e);
}


/** Why fn is never compiled (config.ts: MAX_COMPILE_CHECKS; and, in a run
 *  under limits, MAX_COMPILE_WORDS), or null. */
function tooLargeToCompile(fn: BcFunction, limited: boolean): string | null {
  if (limited && fn.code.length > MAX_COMPILE_WORDS) return `too large to compile (${fn.code.length} bytecode words; at most ${MAX_COMPILE_WORDS})`;
  const checks = boundsChecksLeft(fn);
  if (checks > MAX_COMPILE_CHECKS) return `too large to compile (${checks} bounds checks; at most ${MAX_COMPILE_CHECKS})`;
  return null;
}

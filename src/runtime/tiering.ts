// The tiering policy: when a function leaves the interpreter, and what state it is in.
//
// Each function is INTERPRETED, QUEUED, COMPILED (tier 1), OPTIMIZED (tier 2) or
// FAILED. The interpreter bumps counters (runtime.ts) and calls onHotCall /
// onHotLoop when a counter reaches its threshold; the policy asks the installed Backend (if any) to compile. The policy
// never imports a backend: vm.ts hands one in, and with none (--tier=interp, or a
// host without code generation) every function simply stays interpreted.
//
// Compiling on a thread (TieringOptions.thread): the policy asks the backend to
// queue the compile for its compiler thread; the function is QUEUED and goes on
// running in its tier (a QUEUED function or OSR entry is never queued twice).
// The thread raises compileReady[0] when it finished something; the safepoints
// test it and call poll(), which installs what finished: a call (the
// interpreter's, a host entry, a crossing from compiled code: before the callee's
// entry is read) and a hot loop's check (onHotLoop). Those are exactly the points
// where a synchronous compile installs, never the middle of an instruction. Where
// the backend cannot queue (no thread on this host, the thread failed), the
// compile is synchronous, as without the option.
//
// Thresholds scale with --jit-threshold=N (when none is given, calls and loops use
// lower defaults than tier 2: DEFAULT_CALL_THRESHOLD, DEFAULT_LOOP_THRESHOLD): a
// function is compiled after N calls, or once its interpreted frames made N calls
// into compiled code (a function called rarely whose callees do the work, such as
// a benchmark's driver: each of its calls crosses tiers, and it would stay
// interpreted, crossing, for N calls of its own), and a loop enters compiled code
// (OSR) after N back-edges in one function; N = 1 compiles and enters OSR at every
// chance (a stress mode for tests). A function called once so far (a `main`) is
// not compiled for its frame's crossings or hot loop: that frame gets an OSR entry
// of its own, and only a later call could run a compile of the whole body
// (onlyFrame).
//
// Tier 2 (a backend that `optimizes`: wasm): when the profile (profile.ts) of a
// function gives tier 2 something to speculate on, or a call through a function
// value (in it or in a body it inlines) targets to dispatch on, its tier-1 code
// counts its own calls and, after N more, calls onHotCompiled: the function is
// recompiled with the speculation. A small recursive function goes to tier 2 the same way,
// after SELF_INLINE_AFTER times N calls, with or without a speculation: tier 2
// inlines copies of it into itself. With the default thresholds and synchronous
// compiles, the count is not enough: the tier-1 code must also have been
// installed for TIER2_PAYBACK times as long as its own compile took, or it
// counts again, as many calls as it makes in the time left at its rate so far
// (paybackMs, recheckAfter: a compile that stops the program is paid for only
// where the function keeps running). A failed guard deoptimizes (runtime.ts, deopt) and reports
// here; after DEOPT_LIMIT deopts the tier-2 code is invalidated: tier-1 code is
// installed again (table slot first, then the interpreter's entry: frames of the
// old code still on the stack finish in it, every one of its speculations still
// guarded), the sites that failed are never speculated on again, and the
// function may reach tier 2 again, at most MAX_OPT_COMPILES times in all.
// --tier=opt compiles every function in tier 2 before it runs: with no profile
// yet, it speculates on nothing (only --deopt-stress puts guards in it).
// With a compiler thread, a tier-1 compile (countdown included) and a tier-2
// compile are queued there (the function runs its tier-1 code until its tier-2
// code is installed; each tier of a function is queued at most once at a time);
// the tier-1 compile of an invalidation is synchronous.
//
// What the policy decides is reported as tier events (tier-events.ts) when a
// listener is on (--trace-tier, VmOptions.onTierEvent); `events` is null otherwise.

import type { TierEventLog } from './tier-events.js';
import { DeoptReason, DEOPT_REASONS, seenTargets, speculate, speculates, type Speculation } from './profile.js';
import { nowMs } from './clock.js';

/** Executions of a conditional jump, at least, before tier 2 compiles it one way
 *  (half the threshold when --jit-threshold is lower, a stress setting). */
const MIN_BRANCH_SAMPLES = 100;


/** Calls of a recursive function's tier-1 code, in call thresholds, before it is
 *  compiled again in tier 2, which inlines copies of it into itself (lower.ts,
 *  selfInlines). Those copies make the compile several times larger; a program
 *  that runs briefly never pays for it (binary-trees 6 makes about 4,500 calls
 *  of its recursive function), one that runs long pays it once (fib). */
const SELF_INLINE_AFTER = 100;

/** A tier-2 compile made on the program's thread stops it for several
 *  milliseconds (fib: 7-10 ms cold, 2-3x its tier-1 compile). Tier 2 waits
 *  until the tier-1 code has been installed this many times as long as its
 *  own compile took, so that a program that ends sooner never pays for it
 *  (fib 20: tier 1 ran its last 11,000 calls in 0.13 ms, and the tier-2
 *  compile at the 10,000th made the run 1.4x the interpreter's). Short,
 *  because a program that runs on pays the wait: fib's tier 1 is several
 *  times slower than its self-inlined tier 2, and a wait of 3x took fib 38 from
 *  311 to 342 ms (docs/architecture.md, "Tier 2 waits for its compile to
 *  pay back"). Only under the default thresholds: a given --jit-threshold is
 *  exact (the stress modes rely on it). */
const TIER2_PAYBACK = 0.25;

/** Under the default thresholds, a tier-1 compile made hot by calls or loops
 *  waits while the synchronous compiles so far took more than
 *  COMPILE_GRACE_MS plus this share of the time since the program was
 *  loaded: the function's call count starts over, and it asks again when hot
 *  again. A compile costs a millisecond or so whatever the function, and a
 *  program of many functions that are each warm but none for long (2,000
 *  functions called 200 times each) spent 1.9-4.4 s compiling what the
 *  interpreter ran in 0.26 s; now 0.46 s. The grace is past what the
 *  benchmarks ever compile (richards 400: 69 ms in 13 compiles, the most),
 *  so none of them waits: with a grace of 10 ms, richards 400's `schedule`
 *  waited and was entered by OSR 400 times (127 -> 201 ms). An OSR entry waits
 *  too (its loop asks again at its next threshold of back-edges): 3,000
 *  functions called once each, with a loop of 120 iterations, made 3,000 OSR
 *  compiles, 2.4 s where the interpreter took 0.6 s. Tier 2 (which waits for
 *  its own payback) never does. */
export const COMPILE_SHARE = 0.25;
export const COMPILE_GRACE_MS = 100;

/** The most calls one countdown of the tier-2 wait counts (recheckAfter): it
 *  lives in an i32 of the compiled code. */
const MAX_RECHECK_CALLS = 1 << 30;

/** Back-edges per call, on average, below which a function's loops are short:
 *  the frame whose loop made it hot is not entered by OSR (onHotLoop). */
const SHORT_LOOP = 50;

/** Default N. A hundred calls or loop iterations cost the interpreter a few
 *  microseconds, and compiling a small function a millisecond or so, so below
 *  this compiling code that is rarely run would dominate start-up. Above it,
 *  what dominates is V8's own work on the interpreter: interpreting longer
 *  gets its loop (interp/interpreter.ts, `run`) optimized by TurboFan, 25-150
 *  ms of compile per optimization (and again after each deopt) on a background
 *  thread — CPU that --tier=jit never spends. N = 1000 cost mandelbrot 4000
 *  about 20 ms of CPU more than N = 100, and ten benchmark programs at their
 *  quick sizes 8% more (docs/architecture.md, "third round"). */
export const DEFAULT_JIT_THRESHOLD = 100;

/** compileAll's batches: at most this many functions, and a batch closes once
 *  it has this many bytecode words (the wait for a deadline or an interrupt
 *  is at most one batch's compile). */
const COMPILE_ALL_BATCH = { functions: 64, words: 4000 };

/** Functions compiled one module each before later first compiles are made in
 *  batches of COMPILE_ALL_BATCH (tierUp, batched). V8 copies the whole table
 *  into every instance that imports it and writes each slot into every such
 *  instance, so n modules of n functions cost time and memory in n^2: under
 *  --jit-threshold=1 (every function compiled at its first call; the default
 *  policy's compile budget bounds this otherwise) 4,000 functions called once
 *  each took 8.7 s and 0.5 GB, 20,000 took 8 minutes and 8.6 GB. */
const SINGLE_MODULES = 256;

/** Calls before a function is compiled, and back-edges before a loop enters
 *  compiled code, when no threshold is given (tier 2 keeps
 *  DEFAULT_JIT_THRESHOLD: it needs the profile of that many calls or branch
 *  executions, which tier-1 code does not collect). V8 optimizes the
 *  interpreter's own loop (interp/interpreter.ts, `run`) after a few
 *  thousand instructions interpreted: a 20-100 ms TurboFan compile on a
 *  background thread, which a short run in the default mode hardly uses once
 *  its hot code is compiled. After 100 calls and back-edges, that compile
 *  came before the hot code left the interpreter, and richards 1 and nbody
 *  1000 took 1.1-1.2x the CPU of --tier=interp; after 25 calls and 50
 *  back-edges the compile is mostly avoided (docs/architecture.md, "Default
 *  thresholds"). Not lower: compiles of code that is not hot then cost more
 *  than they give back (binary-trees 6 at 10 calls took 1.28x). */
export const DEFAULT_CALL_THRESHOLD = 25;
export const DEFAULT_LOOP_THRESHOLD = 50;

export const enum FnState { INTERPRETED = 0, COMPILED = 1, FAILED = 2, QUEUED = 3, OPTIMIZED = 4 }

/** Deopts of one tier-2 code (since its install) after which it is invalidated. */
export const DEOPT_LIMIT = 4;
/** Tier-2 compiles of one function, at most (each invalidation costs one). */
export const MAX_OPT_COMPILES = 3;

/** How to compile a function: tier 2 with a speculation, or tier 1 (which calls
 *  onHotCompiled after `tierUpAfter` calls of its own; 0: never); or, queued
 *  for the compiler thread, a plan the thread decides from a copy of the
 *  profiles (`decide`: 'first' as firstPlan would, 'opt' as onHotCompiled
 *  would; `failed`, the sites never speculated on again), so that the decision
 *  (0.5-2 ms cold) is no pause of the program. */
export type CompilePlan = { spec: Speculation; tierUpAfter: 0 } | { spec: null; tierUpAfter: number }
  | { spec: null; tierUpAfter: 0; decide: 'first' | 'opt'; failed: readonly number[] };

/** Branch executions tier 2 needs to compile a jump one way (at most
 *  MIN_BRANCH_SAMPLES, half of N when N is lower). */
export function minBranchSamples(tier2After: number): number {
  return Math.max(1, Math.min(tier2After >> 1, MIN_BRANCH_SAMPLES));
}

/** How a function leaves the interpreter in auto mode (the policy's firstPlan,
 *  and the compiler thread's for a `decide: 'first'` plan): tier 1, counting
 *  N calls toward tier 2 when tier 2 would gain something, or a hundred times
 *  N when it would only inline the function into itself. */
export function firstTierPlan(gains: boolean, selfInlines: boolean, tier2After: number): CompilePlan {
  if (gains) return { spec: null, tierUpAfter: tier2After };
  return { spec: null, tierUpAfter: selfInlines ? SELF_INLINE_AFTER * tier2After : 0 };
}

/** Tier 1 with no countdown (OSR entries). */
const TIER1_PLAN: CompilePlan = { spec: null, tierUpAfter: 0 };

/** An entry into compiled code for a frame at a loop header: takes the frame
 *  pointer (and the header to begin at: OSR code with exits may be entered
 *  again at another, runtime/osr.ts), returns the function's result (raw i32
 *  or f64; 0 for none). */
export type OsrEntry = (fp: number, pc: number) => number;

/** A compile the compiler thread finished, made usable by the backend: a
 *  function (osrPc null; result null: installed) or an OSR entry; a string
 *  result is the reason it failed. */
export interface Finished {
  f: number;
  osrPc: number | null;
  /** A function's tier-2 code (its plan had a speculation). */
  tier2: boolean;
  result: string | null | OsrEntry;
  /** The thread decided tier 2 would gain nothing (a `decide: 'opt'` plan):
   *  nothing was compiled. */
  declined?: boolean;
  /** A `decide` plan the thread lost before deciding: the policy decides it
   *  (and compiles) now. */
  redo?: 'first' | 'opt';
}

/** What a compiling backend offers the policy. Every method installs what it
 *  made (table slot first, then the interpreter's entry) before returning. */
export interface Backend {
  readonly name: string;
  /** Whether it compiles tier 2 (plans with a speculation). */
  readonly optimizes: boolean;
  /** Whether tier 2 would inline copies of function f into itself, where tier
   *  1 calls it: worth a tier-2 compile with nothing to speculate on. */
  selfInlines(f: number): boolean;
  /** The function-value calls (its own and those in the bodies it inlines)
   *  tier 2 of f with `spec` would dispatch at on the targets their profiles
   *  saw: worth a tier-2 compile with no guard to speculate on. */
  dispatchSites(f: number, spec: Speculation): number;
  /** Compile and install function f; null on success, else the reason it failed. */
  compile(f: number, plan: CompilePlan): string | null;
  /** The same for several functions at once (--tier=jit/opt, up front): per
   *  function null or the reason. */
  compileMany(fs: readonly number[], plans: readonly CompilePlan[]): (string | null)[];
  /** compileMany makes one module of several functions (worth batching). */
  readonly batches: boolean;
  /** An entry into compiled code for f's frame at loop header `pc`, or the
   *  reason it cannot be made. */
  compileOsr(f: number, pc: number): OsrEntry | string;
  /** Queue function f (osrPc null) compiled as `plan` says (tier 1 with its
   *  countdown, or tier 2 with its speculation) or its OSR entry at loop header
   *  osrPc (tier 1) for the compiler thread, which raises `ready[0]` when it
   *  finished one; false when there is no thread to queue on (compile
   *  synchronously). */
  queue(f: number, osrPc: number | null, ready: Int32Array, plan: CompilePlan): boolean;
  /** A run begins: start the compiler thread now if compiles are queued there
   *  (its start is then part of start-up, not a pause of the running program). */
  beginRun(ready: Int32Array): void;
  /** What the compiler thread finished since the last call, installed (lowers
   *  `ready[0]` by what it took). */
  takeFinished(ready: Int32Array): Finished[];
  /** The run ended: end (terminate) the compiler thread; requests it held come
   *  back from takeFinished as lost (compiled synchronously). */
  endRun(ready: Int32Array): void;
  /** End the compiler thread, if one was started. */
  dispose(): void;
}

export interface TieringOptions {
  /** 'interp' never compiles; 'auto' compiles what is hot; 'jit' compiles every
   *  function before it first runs, 'opt' the same in tier 2. */
  mode: 'interp' | 'auto' | 'jit' | 'opt';
  /** Calls before a function is compiled, back-edges before a loop enters
   *  compiled code (default: threshold for both). */
  callThreshold?: number;
  loopThreshold?: number;
  /** --deopt-stress: every guard of tier 2 fails the first time it is reached. */
  deoptStress: boolean;
  /** N: calls of tier-1 code before tier 2, and the profile tier 2 needs. */
  threshold: number;
  /** Where tier events go (null: nowhere, and none is made). */
  events: TierEventLog | null;
  /** Debug: only functions whose name matches are ever compiled (--jit-filter). */
  filter: RegExp | null;
  /** Queue compiles for the backend's compiler thread (where it has one). */
  thread: boolean;
  /** Tier 2 also waits for its compile to pay back (TIER2_PAYBACK): the
   *  default thresholds. */
  payback?: boolean;
  /** Under limits (runtime/limits.ts, stopDue): whether the run stops at its
   *  next poll. Then no synchronous compile begins (see `stopping`). */
  stopDue?: (() => boolean) | null;
  /** The exception of one of the embedder's callbacks noted in this entry
   *  (embed/io.ts), or null: a tier-event listener's, or a failing stderr's
   *  under --print-code or --trace-tier (a compile it failed fails as a
   *  compile); the entry ends once the policy's change is whole (settled),
   *  not when the run does. */
  pendingFault?: () => unknown;
}

/** A flag word the compiler thread can raise: shared memory where the host has it. */
function newReadyFlag(): Int32Array {
  return new Int32Array(typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : new ArrayBuffer(4));
}

export class Tiering {
  readonly state: Uint8Array;
  /** Calls after which a function is compiled (0: never). */
  readonly callThreshold: number;
  /** Back-edges in one function after which its loop enters compiled code (0: never). */
  readonly loopThreshold: number;
  /** The back-edges at which the interpreter calls onHotLoop (never: 2^31 - 1). */
  readonly loopHot: number;
  /** N: the calls tier-1 code counts toward tier 2 (0: never). */
  readonly tier2After: number;
  /** OSR entries by function and loop header; null where one could not be made. */
  private readonly osrEntries = new Map<number, OsrEntry | null>();
  /** Compiled functions for which an OSR entry could not be made. */
  private readonly noOsr = new Set<number>();
  /** OSR entries queued for the compiler thread (by osrKey). */
  private readonly osrQueued = new Set<number>();
  /** Functions whose tier-2 code is queued for the compiler thread (they stay
   *  COMPILED, running tier 1, until it is installed). */
  private readonly optQueued = new Set<number>();
  /** Nonzero: the compiler thread finished a compile; the safepoints poll(). */
  readonly compileReady = newReadyFlag();
  /** Compiles may go to a compiler thread (TieringOptions.thread): only then can
   *  compileReady be raised, and the interpreter's safepoints test it (a load
   *  from shared memory at every call: about 0.8 ns of an interp -> compiled
   *  crossing; a constant V8 folds where there is no thread). */
  readonly threaded: boolean;

  /** Per function: deopts of its installed tier-2 code, tier-2 compiles so far,
   *  and the sites that failed (never speculated on again). */
  private readonly deopts: Int32Array;
  private readonly optCompiles: Int32Array;
  /** Per function: when its tier-1 code was installed (nowMs(), clock.ts), how
   *  long that synchronous compile took (ms), the calls its countdown to tier 2
   *  counts first (the plan's) and now, and the calls it has counted since the
   *  install (paybackMs, recheckAfter). */
  private readonly compiledAt: Float64Array;
  private readonly compileMs: Float64Array;
  private readonly firstCountdown: Int32Array;
  private readonly countdown: Int32Array;
  private readonly counted: Float64Array;
  private readonly failedSites: Set<number>[];

  constructor(readonly names: readonly string[], private readonly backend: Backend | null, readonly opts: TieringOptions,
              private readonly codes: readonly Int32Array[], private readonly profiles: readonly Int32Array[],
              private readonly counters: Int32Array | null = null) {
    this.state = new Uint8Array(names.length);
    this.deopts = new Int32Array(names.length);
    this.optCompiles = new Int32Array(names.length);
    this.compiledAt = new Float64Array(names.length);
    this.compileMs = new Float64Array(names.length);
    this.firstCountdown = new Int32Array(names.length);
    this.countdown = new Int32Array(names.length);
    this.counted = new Float64Array(names.length);
    this.failedSites = names.map(() => new Set<number>());
    const on = backend !== null && opts.mode !== 'interp';
    this.threaded = on && opts.thread === true;
    this.callThreshold = on ? Math.max(1, opts.callThreshold ?? opts.threshold) : 0;
    this.loopThreshold = on ? Math.max(1, opts.loopThreshold ?? opts.threshold) : 0;
    this.loopHot = this.loopThreshold || 0x7fffffff;
    this.tier2After = on ? Math.max(1, opts.threshold) : 0;
    this.optimizing = on && backend.optimizes;
  }

  get enabled(): boolean { return this.callThreshold > 0; }

  /** The targets each function's CALLVs saw (a Speculation's targetsAt). */
  private readonly targetsAt = (f: number, pc: number): readonly number[] => seenTargets(this.profiles[f]!, pc);

  /** Tier 2 is compiled (the backend optimizes, and the mode is not interp).
   *  A field: the interpreter reads it at every entry. */
  readonly optimizing: boolean;

  /** --tier=jit / --tier=opt: compile every function up front, in batches
   *  (COMPILE_ALL_BATCH): the wasm backend makes one module of each. V8 copies
   *  the whole table into every instance that imports it, and writes a table
   *  slot into every such instance, so one module per function made the
   *  compiles of n functions take time in n^2: 4,000 functions took 4 s,
   *  20,000 more than a minute. */
  compileAll(): void {
    this.compileEvery();
    this.settled();
  }

  /** compileAll's work: every function still interpreted (a compileAll that
   *  a listener's exception ended is made again by the next entry). */
  private compileEvery(): void {
    if (!this.enabled) return;
    let fs: number[] = [], plans: CompilePlan[] = [], words = 0;
    for (let f = 0; f <= this.names.length; f++) {
      if (f === this.names.length || fs.length === COMPILE_ALL_BATCH.functions || words >= COMPILE_ALL_BATCH.words) {
        if (this.stopping()) return;
        this.installMany(fs, plans);
        fs = []; plans = []; words = 0;
        if (f === this.names.length) return;
      }
      if (this.state[f] !== FnState.INTERPRETED) continue;
      if (!this.mayCompile(f)) { this.fail(f, 'excluded by --jit-filter'); continue; }
      fs.push(f);
      plans.push(this.firstPlan(f));
      words += this.codes[f]!.length;
    }
  }

  /** The run is to stop at its next poll (interrupted, or past its deadline):
   *  a synchronous compile would only delay that, by as long as it takes (it
   *  cannot be cut short). The function stays as it is, its call count starts
   *  over (so a later run compiles it when it is hot again), and the run
   *  stops where it polls next. --tier=jit stops compiling up front. */
  private stopping(): boolean {
    const due = this.opts.stopDue;
    return due !== undefined && due !== null && due();
  }

  /** Tier-1 code of f counted tierUpAfter calls of its own: compile tier 2,
   *  unless the profile no longer gives anything to speculate on (it grew
   *  since: interpreted frames of f ran meanwhile), or it is too soon for the
   *  compile to pay back (paybackMs). Returns the calls the tier-1 code counts
   *  before it asks again (0: never). */
  onHotCompiled(f: number): number {
    const after = this.tierTwo(f);
    this.settled();
    return after;
  }

  private tierTwo(f: number): number {
    if (this.state[f] !== FnState.COMPILED) return 0;
    if (this.opts.thread && this.enqueue(f, null, this.threadDecides('opt', f))) return 0;
    if (this.stopping()) return 0;
    this.counted[f]! += this.countdown[f]!;
    if (this.opts.payback) {
      const installedMs = nowMs() - this.compiledAt[f]!;
      if (installedMs < this.paybackMs(f)) return (this.countdown[f] = this.recheckAfter(f, installedMs));
    }
    const spec = this.speculation(f);
    if (!this.gains(f, spec) && !this.backend!.selfInlines(f)) return 0;
    const plan: CompilePlan = { spec, tierUpAfter: 0 };
    if (!this.enqueue(f, null, plan)) this.install(f, plan);
    return 0;
  }

  /** How long (ms) f's tier-1 code must have been installed before a tier-2
   *  compile can pay back (TIER2_PAYBACK; 0 without a measured compile). */
  private paybackMs(f: number): number {
    return TIER2_PAYBACK * this.compileMs[f]!;
  }

  /** The calls f's tier-1 code counts before it asks again, installed for
   *  `installedMs` of its paybackMs: as many as it makes in the time left at
   *  the rate it has called since the install, so that it asks about once more
   *  instead of every countdown (each ask leaves compiled code for the policy
   *  and reads the clock). At least the plan's countdown; at most as many as it
   *  has counted since the install, so a burst of calls after a quiet spell
   *  cannot put tier 2 off by more than the time all of them took. */
  private recheckAfter(f: number, installedMs: number): number {
    const counted = this.counted[f]!;
    const perMs = counted / Math.max(installedMs, 1e-3);
    const left = this.paybackMs(f) - installedMs;
    return Math.max(this.firstCountdown[f]!, Math.min(Math.ceil(perMs * left), counted, MAX_RECHECK_CALLS));
  }

  /** Tier-2 code of f left for the interpreter at pc: count it, trace it, and
   *  past DEOPT_LIMIT invalidate it (see the file comment). Stress exits are
   *  not counted. Deopts of code already replaced (frames of it still running)
   *  count toward its successor. */
  onDeopt(f: number, pc: number, reason: DeoptReason): void {
    this.deopted(f, pc, reason);
    this.settled();
  }

  private deopted(f: number, pc: number, reason: DeoptReason): void {
    const stress = reason === DeoptReason.STRESS;
    const n = this.deopts[f]! + (stress ? 0 : 1);
    this.deopts[f] = n;
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'deopt', t: ev.now(), fn: this.names[f]!, f, pc, reason: DEOPT_REASONS[reason]!, count: n });
    if (stress) return;
    this.failedSites[f]!.add(pc);
    if (n < DEOPT_LIMIT || this.state[f] !== FnState.OPTIMIZED) return;
    const again = this.optCompiles[f]! < MAX_OPT_COMPILES;
    this.deopts[f] = 0;
    if (ev !== null) ev.sink({ kind: 'invalidated', t: ev.now(), fn: this.names[f]!, f, deopts: n, failedSites: [...this.failedSites[f]!] });
    this.install(f, { spec: null, tierUpAfter: again ? this.tier2After : 0 });
  }

  /** A function reached the call threshold, or its interpreted frames made
   *  that many calls into compiled code. Not a function called once so far
   *  whose one frame made them (a `main` whose callees do the work): its
   *  compiled code could only serve a later call; its loop, if it has one,
   *  enters compiled code by OSR (onlyFrame). */
  onHotCall(f: number): void {
    this.hotCall(f);
    this.settled();
  }

  private hotCall(f: number): void {
    if (this.state[f] !== FnState.INTERPRETED) return;
    const calls = this.counters === null ? this.callThreshold : this.counters[f << 1]!;
    if (calls < this.callThreshold && this.onlyFrame(f, calls)) return;
    this.tierUp(f, calls < this.callThreshold);
  }

  /** A call of f was counted, `calls` its count now (a safepoint): compile f
   *  if it just became hot, else install what the compiler thread finished. */
  onCall(f: number, calls: number): void {
    if (calls === this.callThreshold) this.hotCall(f);
    else if (this.compileReady[0] !== 0) this.takeFinished();
    this.settled();
  }

  /** A loop in the frame of f reached the back-edge threshold at loop header pc
   *  (a safepoint); f was called `calls` times. Returns an entry to continue
   *  that frame in compiled code, or null to go on interpreting. The first time,
   *  f is compiled; if its calls ran short loops (fewer than SHORT_LOOP
   *  back-edges each, on average), this frame goes on interpreted (its loop
   *  likely ends soon, and an OSR entry is a compile of its own); its next
   *  calls enter the compiled code, and a frame that goes on looping reaches
   *  the threshold again and enters it by OSR then. */
  onHotLoop(f: number, pc: number, calls: number): OsrEntry | null {
    const entry = this.hotLoop(f, pc, calls);
    this.settled();
    return entry;
  }

  private hotLoop(f: number, pc: number, calls: number): OsrEntry | null {
    if (this.compileReady[0] !== 0) this.takeFinished();
    if (this.state[f] === FnState.FAILED || this.backend === null) return null;
    const osrOnly = this.state[f] === FnState.INTERPRETED && this.onlyFrame(f, calls);
    if (this.state[f] === FnState.INTERPRETED && !osrOnly) {
      this.tierUp(f);
      if (calls * SHORT_LOOP > this.loopThreshold) return null;
    }
    const st = this.state[f];
    if (!this.isCompiled(f) && st !== FnState.QUEUED && !osrOnly) return null;
    if (this.noOsr.has(f)) return null;
    const key = osrKey(f, pc);
    let entry = this.osrEntries.get(key);
    if (entry === null || this.osrQueued.has(key)) return null;
    if (entry === undefined) {
      // Queued with (after) its function, so it is installed no earlier.
      if (!osrOnly && this.enqueue(f, pc)) return null;
      if (!this.isCompiled(f) && !osrOnly) return null;
      if (this.stopping() || this.overBudget()) return null;
      const start = nowMs();
      const made = this.backend.compileOsr(f, pc);
      this.compilingMs += nowMs() - start;
      if (!this.osrMade(f, pc, made)) return null;
      entry = made as OsrEntry;
    }
    if (!this.isCompiled(f) && !osrOnly) return null;
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'osr', t: ev.now(), fn: this.names[f]!, f, pc });
    return entry;
  }

  /** Whether the frame whose loop got hot is the only call of f so far (a
   *  `main`, a benchmark's kernel called once), its loop long, and compiles
   *  synchronous: then only its OSR entry is made. Compiling f as well, as for
   *  any other hot loop, would make code only a later call could use: for such
   *  a function, a second compile of its whole body (several ms at start-up,
   *  the largest part of a loop-bound program's warm-up) that never runs. A
   *  later call counts toward f's compile as usual. */
  private onlyFrame(f: number, calls: number): boolean {
    return calls <= 1 && calls * SHORT_LOOP <= this.loopThreshold && !this.opts.thread && this.mayCompile(f);
  }

  /** Record an OSR entry made (true), or why it could not be (false). */
  private osrMade(f: number, pc: number, made: OsrEntry | string): boolean {
    const key = osrKey(f, pc);
    if (typeof made !== 'string') {
      this.osrEntries.set(key, made);
      return true;
    }
    // The function itself stays compiled (its entry is installed); this frame
    // goes on interpreted from this loop header, which is not tried again.
    // A host stack overflow in the compiler (a loop nested too deeply to
    // structure) would fail every header of the function: none is tried.
    this.osrEntries.set(key, null);
    const everyHeader = /call stack/i.test(made);
    if (everyHeader) this.noOsr.add(f);
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'osr-failed', t: ev.now(), fn: this.names[f]!, f, pc, reason: made, everyHeader });
    return false;
  }

  /** Queue f (osrPc null) as `plan` says, or its OSR entry, for the compiler
   *  thread; false when compiles are synchronous (or there is no thread). A
   *  tier-2 compile already queued is not queued again (true). */
  private enqueue(f: number, osrPc: number | null, plan: CompilePlan = TIER1_PLAN): boolean {
    const tier2 = osrPc === null && (plan.spec !== null || ('decide' in plan && plan.decide === 'opt'));
    if (tier2 && this.optQueued.has(f)) return true;
    if (!this.opts.thread || !this.backend!.queue(f, osrPc, this.compileReady, plan)) return false;
    if (tier2) this.optQueued.add(f);
    else if (osrPc === null) this.state[f] = FnState.QUEUED;
    else this.osrQueued.add(osrKey(f, osrPc));
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'queued', t: ev.now(), fn: this.names[f]!, f, osrPc, tier2 });
    return true;
  }

  /** A run begins (before any guest code): with a compiler thread, it starts
   *  now, so that it is up by the time something gets hot. */
  beginRun(): void {
    if (this.backend !== null && this.opts.thread && this.enabled) this.backend.beginRun(this.compileReady);
    this.settled();
  }

  /** The run ended (a safepoint): install what the compiler thread finished;
   *  the compiler thread is ended (a process must never exit with it running:
   *  jit/thread.ts). */
  endRun(): void {
    if (this.backend === null || !this.opts.thread) return;
    if (this.compileReady[0] !== 0) this.takeFinished();
    this.backend.endRun(this.compileReady);
    this.settled();
  }

  /** Install what the compiler thread finished (at a safepoint). */
  poll(): void {
    this.takeFinished();
    this.settled();
  }

  private takeFinished(): void {
    for (const done of this.backend!.takeFinished(this.compileReady)) {
      const { f, osrPc, result } = done;
      if (done.redo === 'opt') {
        this.optQueued.delete(f);
        this.tierTwo(f);
      } else if (done.redo === 'first') {
        if (this.state[f] !== FnState.QUEUED) continue;
        this.state[f] = FnState.INTERPRETED;
        this.tierUp(f);
      } else if (done.tier2) {
        this.optQueued.delete(f);
        if (done.declined) continue;
        // Tier 2 replaces tier-1 code only (an invalidation meanwhile compiled
        // tier 1 again, synchronously, and that stays); a failure keeps tier 1.
        if (result !== null) this.traceFailure(f, result as string);
        else if (this.state[f] === FnState.COMPILED) this.installed(f, true);
      } else if (osrPc !== null) {
        this.osrQueued.delete(osrKey(f, osrPc));
        this.osrMade(f, osrPc, result as OsrEntry | string);
      } else if (this.state[f] === FnState.QUEUED) {
        if (result === null) this.state[f] = FnState.COMPILED;
        else this.fail(f, result as string);
      }
    }
  }

  /** What one of the embedder's callbacks threw while the policy worked (a
   *  tier-event listener, the stderr callback printing code or a trace),
   *  thrown now that the work is whole (pendingFault): each public entry point
   *  of the policy ends here, and none calls another. */
  private settled(): void {
    const fault = this.opts.pendingFault?.() ?? null;
    if (fault !== null) throw fault;
  }

  /** False for functions the debug filter keeps interpreted. */
  mayCompile(f: number): boolean {
    return this.opts.filter === null || this.opts.filter.test(this.names[f]!);
  }

  /** Whether f's loops have run short so far: fewer than SHORT_LOOP back-edges
   *  per call on average, all of them counted by the interpreter (no frame of
   *  f went on in an OSR entry, where back-edges are not counted). A backend
   *  may then compile f's loops in a host's baseline compiler: a call that
   *  loops long after all stays in slower code to its end. */
  loopsRanShort(f: number): boolean {
    const counters = this.counters;
    if (counters === null) return false;
    for (const key of this.osrEntries.keys()) if (osrKeyFn(key) === f) return false;
    const calls = counters[f << 1]!, loops = counters[(f << 1) + 1]!;
    return calls > 0 && loops < SHORT_LOOP * calls;
  }

  /** `byCrossings`: f got hot by its interpreted frames' calls into compiled
   *  code, before it had N calls of its own (onHotCall). */
  private tierUp(f: number, byCrossings = false): void {
    if (!this.mayCompile(f)) {
      this.fail(f, 'excluded by --jit-filter');
      return;
    }
    if (this.opts.thread && this.optimizing && this.opts.mode === 'auto' && this.enqueue(f, null, this.threadDecides('first', f))) return;
    if (this.overBudget()) {
      // Its count starts over, but not below 2: a function called once so far
      // gets only an OSR entry for its hot loop (onlyFrame), and this one was
      // called many times (taken for one called once, it got OSR entries at
      // every call, each a compile that kept the budget spent).
      if (this.counters !== null) this.counters[f << 1] = 2;
      return;
    }
    const plan = this.firstPlan(f, byCrossings);
    if (plan.spec === null && this.enqueue(f, null, plan)) return;
    if (this.stopping()) {
      if (this.counters !== null) this.counters[f << 1] = 0;
      return;
    }
    if (this.singleModules >= SINGLE_MODULES && this.backend!.batches) {
      this.batched(f, plan);
      return;
    }
    this.singleModules++;
    this.install(f, plan);
  }

  /** First compiles made one module each so far (SINGLE_MODULES). */
  private singleModules = 0;
  /** Past SINGLE_MODULES: functions that became hot, waiting to be compiled
   *  together (each with its plan), and their bytecode words. */
  private readonly batch: { fs: number[]; plans: CompilePlan[]; words: number } = { fs: [], plans: [], words: 0 };

  //   batch += f ; if the batch is full or f was hot again: compile the batch
  /** f became hot past SINGLE_MODULES: it waits in the batch, interpreted, and
   *  its call count starts over; the batch is compiled, one module, once it is
   *  full (COMPILE_ALL_BATCH) or when one of its functions becomes hot again
   *  (so a function that keeps running waits one more threshold at most). */
  private batched(f: number, plan: CompilePlan): void {
    const b = this.batch;
    if (!b.fs.includes(f)) {
      b.fs.push(f); b.plans.push(plan); b.words += this.codes[f]!.length;
      if (this.counters !== null) this.counters[f << 1] = 0;
      if (b.fs.length < COMPILE_ALL_BATCH.functions && b.words < COMPILE_ALL_BATCH.words) return;
    }
    const waiting = b.fs.splice(0).map((g, i) => ({ g, plan: b.plans[i]! })).filter((w) => this.state[w.g] === FnState.INTERPRETED);
    b.plans.length = 0;
    b.words = 0;
    this.installMany(waiting.map((w) => w.g), waiting.map((w) => w.plan));
  }

  /** When the tiering was made (the program loaded), and the time its
   *  synchronous compiles took since (nowMs). */
  private readonly bornMs = nowMs();
  private compilingMs = 0;

  /** Compiles took their share of the run so far (COMPILE_SHARE). */
  private overBudget(): boolean {
    return this.opts.payback === true && this.opts.mode === 'auto' && this.compilingMs > COMPILE_SHARE * (nowMs() - this.bornMs) + COMPILE_GRACE_MS;
  }

  /** A plan the compiler thread decides (see CompilePlan). */
  private threadDecides(decide: 'first' | 'opt', f: number): CompilePlan {
    return { spec: null, tierUpAfter: 0, decide, failed: [...this.failedSites[f]!] };
  }

  /** How f leaves the interpreter: tier 2 up front under --tier=opt; else tier
   *  1, counting toward tier 2 when its profile gives something to speculate on.
   *  Tier 2 at once, too, for a function hot by its crossings (`byCrossings`: a
   *  driver whose callees run compiled already) when all tier 2 would add is
   *  dispatch (no guard, so nothing to deoptimize): its callees' profiles were
   *  made by their N calls or more before they were compiled, and the tier-1
   *  compile would be thrown away after N more calls (richards' run_richards:
   *  a 9 KB module, then 19 KB; see docs/architecture.md, "Dispatch"). */
  private firstPlan(f: number, byCrossings = false): CompilePlan {
    if (!this.optimizing) return { spec: null, tierUpAfter: 0 };
    const spec = this.speculation(f);
    if (this.opts.mode === 'opt') return { spec, tierUpAfter: 0 };
    if (byCrossings && !speculates(spec) && this.backend!.dispatchSites(f, spec) > 0) return { spec, tierUpAfter: 0 };
    const gains = this.gains(f, spec);
    return firstTierPlan(gains, !gains && this.backend!.selfInlines(f), this.tier2After);
  }

  /** Whether tier 2 of f with spec would do more than tier 1: a guard, or a
   *  dispatch on the targets a function-value call saw. */
  private gains(f: number, spec: Speculation): boolean {
    return speculates(spec) || this.backend!.dispatchSites(f, spec) > 0;
  }

  /** What tier 2 would speculate on in f now. */
  private speculation(f: number): Speculation {
    return speculate(this.codes[f]!, this.profiles[f]!, minBranchSamples(this.tier2After), this.failedSites[f]!, this.opts.deoptStress, this.targetsAt);
  }

  /** Compile f as `plan` says and install it. A function that fails keeps the
   *  code it has, if any (a failed recompile is traced, and not tried again). */
  private install(f: number, plan: CompilePlan): void {
    const start = nowMs();
    const reason = this.backend!.compile(f, plan);
    const ms = nowMs() - start;
    this.compilingMs += ms;
    this.settle(f, plan, reason, ms);
  }

  /** install() for several functions compiled together, their time shared. */
  private installMany(fs: readonly number[], plans: readonly CompilePlan[]): void {
    if (fs.length === 0) return;
    const start = nowMs();
    const reasons = this.backend!.compileMany(fs, plans);
    const ms = (nowMs() - start) / fs.length;
    fs.forEach((f, i) => this.settle(f, plans[i]!, reasons[i]!, ms));
  }

  /** What a compile of f as `plan` says that took `ms` left: f installed, or
   *  its failure recorded. */
  private settle(f: number, plan: CompilePlan, reason: string | null, ms: number): void {
    if (reason !== null && this.isCompiled(f)) { this.traceFailure(f, reason); return; }
    if (reason !== null) { this.fail(f, reason); return; }
    this.installed(f, plan.spec !== null);
    if (plan.spec !== null) return;
    this.compiledAt[f] = nowMs();
    this.compileMs[f] = ms;
    this.firstCountdown[f] = plan.tierUpAfter;
    this.countdown[f] = plan.tierUpAfter;
    this.counted[f] = 0;
  }

  /** f's code was installed: tier 2 (`opt`) or tier 1. */
  private installed(f: number, opt: boolean): void {
    this.state[f] = opt ? FnState.OPTIMIZED : FnState.COMPILED;
    this.deopts[f] = 0;
    if (opt) this.optCompiles[f]!++;
  }

  private fail(f: number, reason: string): void {
    this.state[f] = FnState.FAILED;
    this.traceFailure(f, reason);
  }

  private traceFailure(f: number, reason: string): void {
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'failed', t: ev.now(), fn: this.names[f]!, f, reason });
  }


  /** Names of the functions in each state. */
  report(): { compiled: string[]; failed: string[]; interpreted: string[]; optimized: string[] } {
    const pick = (st: FnState) => this.names.filter((_, f) => this.state[f] === st);
    return {
      compiled: this.names.filter((_, f) => this.isCompiled(f)), failed: pick(FnState.FAILED),
      interpreted: this.names.filter((_, f) => this.state[f] === FnState.INTERPRETED || this.state[f] === FnState.QUEUED),
      optimized: pick(FnState.OPTIMIZED),
    };
  }

  private isCompiled(f: number): boolean { return this.state[f] === FnState.COMPILED || this.state[f] === FnState.OPTIMIZED; }

  /** Debug check: a COMPILED function has an entry, others have none. */
  checkInvariants(entries: readonly unknown[]): string[] {
    const problems: string[] = [];
    this.state.forEach((s, f) => {
      if (this.isCompiled(f) !== (entries[f] !== null)) problems.push(`${this.names[f]}: state ${s} but entry ${entries[f] === null ? 'absent' : 'present'}`);
    });
    return problems;
  }
}

/** The key of f's OSR entry at loop header pc. */
function osrKey(f: number, pc: number): number { return f * 0x100000 + pc; }
function osrKeyFn(key: number): number { return Math.floor(key / 0x100000); }

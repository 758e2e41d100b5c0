// The tiering policy: when a function leaves the interpreter, and what state it is in.
//
// Each function is INTERPRETED, QUEUED, COMPILED or FAILED. The interpreter bumps
// counters (runtime.ts) and calls onHotCall / onHotLoop when a counter reaches its
// threshold; the policy asks the installed Backend (if any) to compile. The policy
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
// Thresholds scale with --jit-threshold=N: a function is compiled after N calls,
// and a loop enters compiled code (OSR) after N back-edges in one function; N = 1
// compiles and enters OSR at every chance (a stress mode for tests).
//
// What the policy decides is reported as tier events (tier-events.ts) when a
// listener is on (--trace-tier, VmOptions.onTierEvent); `events` is null otherwise.

import type { TierEventLog } from './tier-events.js';

/** Default N. A thousand calls or loop iterations costs the interpreter well under
 *  a millisecond, while compiling a small function costs about that much: below
 *  this, compiling code that is rarely run would dominate start-up. */
export const DEFAULT_JIT_THRESHOLD = 1000;

export const enum FnState { INTERPRETED = 0, COMPILED = 1, FAILED = 2, QUEUED = 3 }

/** An entry into compiled code for a frame at a loop header: takes the frame
 *  pointer, returns the function's result (raw i32 or f64; 0 for none). */
export type OsrEntry = (fp: number) => number;

/** A compile the compiler thread finished, made usable by the backend: a
 *  function (osrPc null; result null: installed) or an OSR entry; a string
 *  result is the reason it failed. */
export interface Finished {
  f: number;
  osrPc: number | null;
  result: string | null | OsrEntry;
}

/** What a compiling backend offers the policy. Every method installs what it
 *  made (table slot first, then the interpreter's entry) before returning. */
export interface Backend {
  readonly name: string;
  /** Compile and install function f; null on success, else the reason it failed. */
  compile(f: number): string | null;
  /** An entry into compiled code for f's frame at loop header `pc`, or the
   *  reason it cannot be made. */
  compileOsr(f: number, pc: number): OsrEntry | string;
  /** Queue function f (osrPc null) or its OSR entry at loop header osrPc for the
   *  compiler thread, which raises `ready[0]` when it finished one; false when
   *  there is no thread to queue on (compile synchronously). */
  queue(f: number, osrPc: number | null, ready: Int32Array): boolean;
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
   *  function before it first runs. */
  mode: 'interp' | 'auto' | 'jit';
  threshold: number;
  /** Where tier events go (null: nowhere, and none is made). */
  events: TierEventLog | null;
  /** Debug: only functions whose name matches are ever compiled (--jit-filter). */
  filter: RegExp | null;
  /** Queue compiles for the backend's compiler thread (where it has one). */
  thread: boolean;
}

/** Polls (a power of two) between two looks while the compiler thread waits
 *  to start: the look reads the clock, the poll only counts. */
const WAITING_POLLS = 256;

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
  /** OSR entries by function and loop header; null where one could not be made. */
  private readonly osrEntries = new Map<number, ((fp: number) => number) | null>();
  /** Compiled functions for which an OSR entry could not be made. */
  private readonly noOsr = new Set<number>();
  /** OSR entries queued for the compiler thread (by osrKey). */
  private readonly osrQueued = new Set<number>();
  /** Nonzero: the compiler thread finished a compile (or, negative, waits to
   *  start); the safepoints poll(). */
  readonly compileReady = newReadyFlag();
  private waitingPolls = 0;

  constructor(readonly names: readonly string[], private readonly backend: Backend | null, readonly opts: TieringOptions) {
    this.state = new Uint8Array(names.length);
    const on = backend !== null && opts.mode !== 'interp';
    this.callThreshold = on ? Math.max(1, opts.threshold) : 0;
    this.loopThreshold = on ? Math.max(1, opts.threshold) : 0;
  }

  get enabled(): boolean { return this.callThreshold > 0; }

  /** --tier=jit: compile every function up front. */
  compileAll(): void {
    if (this.enabled) for (let f = 0; f < this.names.length; f++) this.tierUp(f);
  }

  /** A function reached the call threshold. */
  onHotCall(f: number): void {
    if (this.state[f] === FnState.INTERPRETED) this.tierUp(f);
  }

  /** A call of f was counted, `calls` its count now (a safepoint): compile f
   *  if it just became hot, else install what the compiler thread finished. */
  onCall(f: number, calls: number): void {
    if (calls === this.callThreshold) this.onHotCall(f);
    else if (this.compileReady[0] !== 0) this.poll();
  }

  /** A loop in the frame of f reached the back-edge threshold at loop header pc
   *  (a safepoint). Returns an entry to continue that frame in compiled code, or
   *  null to go on interpreting. */
  onHotLoop(f: number, pc: number): OsrEntry | null {
    if (this.compileReady[0] !== 0) this.poll();
    if (this.state[f] === FnState.FAILED || this.backend === null) return null;
    if (this.state[f] === FnState.INTERPRETED) this.tierUp(f);
    const st = this.state[f];
    if (st !== FnState.COMPILED && st !== FnState.QUEUED) return null;
    if (this.noOsr.has(f)) return null;
    const key = osrKey(f, pc);
    let entry = this.osrEntries.get(key);
    if (entry === null || this.osrQueued.has(key)) return null;
    if (entry === undefined) {
      // Queued with (after) its function, so it is installed no earlier.
      if (this.enqueue(f, pc)) return null;
      if (st !== FnState.COMPILED) return null;
      const made = this.backend.compileOsr(f, pc);
      if (!this.osrMade(f, pc, made)) return null;
      entry = made as OsrEntry;
    }
    if (this.state[f] !== FnState.COMPILED) return null;
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'osr', t: ev.now(), fn: this.names[f]!, f, pc });
    return entry;
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

  /** Queue f (osrPc null) or its OSR entry for the compiler thread; false when
   *  compiles are synchronous (or there is no thread). */
  private enqueue(f: number, osrPc: number | null): boolean {
    if (!this.opts.thread || !this.backend!.queue(f, osrPc, this.compileReady)) return false;
    if (osrPc === null) this.state[f] = FnState.QUEUED;
    else this.osrQueued.add(osrKey(f, osrPc));
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'queued', t: ev.now(), fn: this.names[f]!, f, osrPc });
    return true;
  }

  /** The run ended (a safepoint): install what the compiler thread finished;
   *  the compiler thread is ended (a process must never exit with it running:
   *  jit/thread.ts). */
  endRun(): void {
    if (this.backend === null || !this.opts.thread) return;
    if (this.compileReady[0] !== 0) this.poll();
    this.backend.endRun(this.compileReady);
  }

  /** Install what the compiler thread finished (at a safepoint). A negative
   *  flag: the thread waits to start; the backend is asked (and looks at the
   *  clock) only every WAITING_POLLS polls. */
  poll(): void {
    if (this.compileReady[0]! < 0 && (++this.waitingPolls & (WAITING_POLLS - 1)) !== 0) return;
    for (const done of this.backend!.takeFinished(this.compileReady)) {
      const { f, osrPc, result } = done;
      if (osrPc !== null) {
        this.osrQueued.delete(osrKey(f, osrPc));
        this.osrMade(f, osrPc, result as OsrEntry | string);
      } else if (this.state[f] === FnState.QUEUED) {
        if (result === null) this.state[f] = FnState.COMPILED;
        else this.fail(f, result as string);
      }
    }
  }

  /** False for functions the debug filter keeps interpreted. */
  mayCompile(f: number): boolean {
    return this.opts.filter === null || this.opts.filter.test(this.names[f]!);
  }

  private tierUp(f: number): void {
    if (!this.mayCompile(f)) {
      this.fail(f, 'excluded by --jit-filter');
      return;
    }
    if (this.enqueue(f, null)) return;
    const reason = this.backend!.compile(f);
    if (reason === null) this.state[f] = FnState.COMPILED;
    else this.fail(f, reason);
  }

  private fail(f: number, reason: string): void {
    this.state[f] = FnState.FAILED;
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'failed', t: ev.now(), fn: this.names[f]!, f, reason });
  }

  /** Names of the functions in each state. */
  report(): { compiled: string[]; failed: string[]; interpreted: string[] } {
    const pick = (st: FnState) => this.names.filter((_, f) => this.state[f] === st);
    return {
      compiled: pick(FnState.COMPILED), failed: pick(FnState.FAILED),
      interpreted: this.names.filter((_, f) => this.state[f] === FnState.INTERPRETED || this.state[f] === FnState.QUEUED),
    };
  }

  /** Debug check: a COMPILED function has an entry, others have none. */
  checkInvariants(entries: readonly unknown[]): string[] {
    const problems: string[] = [];
    this.state.forEach((s, f) => {
      if ((s === FnState.COMPILED) !== (entries[f] !== null)) problems.push(`${this.names[f]}: state ${s} but entry ${entries[f] === null ? 'absent' : 'present'}`);
    });
    return problems;
  }
}

/** The key of f's OSR entry at loop header pc. */
function osrKey(f: number, pc: number): number { return f * 0x100000 + pc; }

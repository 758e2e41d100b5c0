// The tiering policy: when a function leaves the interpreter, and what state it is in.
//
// Each function is INTERPRETED, COMPILED or FAILED. The interpreter bumps
// counters (runtime.ts) and calls onHotCall / onHotLoop when a counter reaches its
// threshold; the policy asks the installed Backend (if any) to compile. The policy
// never imports a backend: vm.ts hands one in, and with none (--tier=interp, or a
// host without code generation) every function simply stays interpreted.
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

export const enum FnState { INTERPRETED = 0, COMPILED = 1, FAILED = 2 }

/** What a compiling backend offers the policy. Every method installs what it
 *  made (table slot first, then the interpreter's entry) before returning. */
export interface Backend {
  readonly name: string;
  /** Compile and install function f; null on success, else the reason it failed. */
  compile(f: number): string | null;
  /** An entry into compiled code for f's frame at loop header `pc`, taking the
   *  frame pointer and returning f's result (raw i32 or f64; 0 for none); or the
   *  reason it cannot be made. */
  compileOsr(f: number, pc: number): ((fp: number) => number) | string;
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

  /** A loop in the frame of f reached the back-edge threshold at loop header pc.
   *  Returns an entry to continue that frame in compiled code, or null to go on
   *  interpreting. */
  onHotLoop(f: number, pc: number): ((fp: number) => number) | null {
    if (this.state[f] === FnState.FAILED || this.backend === null) return null;
    if (this.state[f] === FnState.INTERPRETED) this.tierUp(f);
    if (this.state[f] !== FnState.COMPILED) return null;
    if (this.noOsr.has(f)) return null;
    const key = f * 0x100000 + pc;
    let entry = this.osrEntries.get(key);
    if (entry === null) return null;
    if (entry === undefined) {
      const made = this.backend.compileOsr(f, pc);
      if (typeof made === 'string') {
        // The function itself stays compiled (its entry is installed); this frame
        // goes on interpreted from this loop header, which is not tried again.
        // A host stack overflow in the compiler (a loop nested too deeply to
        // structure) would fail every header of the function: none is tried.
        this.osrEntries.set(key, null);
        const everyHeader = /call stack/i.test(made);
        if (everyHeader) this.noOsr.add(f);
        const ev = this.opts.events;
        if (ev !== null) ev.sink({ kind: 'osr-failed', t: ev.now(), fn: this.names[f]!, f, pc, reason: made, everyHeader });
        return null;
      }
      entry = made;
      this.osrEntries.set(key, entry);
    }
    const ev = this.opts.events;
    if (ev !== null) ev.sink({ kind: 'osr', t: ev.now(), fn: this.names[f]!, f, pc });
    return entry;
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
    return { compiled: pick(FnState.COMPILED), failed: pick(FnState.FAILED), interpreted: pick(FnState.INTERPRETED) };
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

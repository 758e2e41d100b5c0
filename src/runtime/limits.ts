// Limits for untrusted code, the same in every tier: fuel (a budget of steps), an
// interrupt flag another thread may set, and a deadline.
//
// A step is one guest function call (CALL, CALLV: counted at the call site,
// before the callee's frame exists, whatever tier either side runs in; an
// inlined call too) or one taken loop back-edge (JMPLOOP, FORLOOP, FORLOOPK:
// counted as the jump lands on the loop header). The opcode table marks these
// instructions (`OpInfo.step`); nothing else counts: not entries from the host,
// not adapters, not OSR entries (the back-edge that triggered one was counted).
//
// The counter is a cell of linear memory (FUEL_WORD), the one every tier and
// the runtime read. Code counts on a local copy of it and writes the copy back
// whenever anything else may read or change the cell:
//
//     fuel := fuel - 1                        ;; a local (a register)
//     if fuel < 0 { poll(fp, site) }          ;; the slow path, below
//
// The interpreter keeps its copy in its loop (interp/interpreter.ts). Compiled
// wasm code keeps one per function (an inlined body shares its caller's), read
// from the cell at entry, written back before every guest call, extern call and
// helper that may trap or look at the cell, and before a return that follows a step, read back after a guest
// call, an extern or a poll (jit/wasm/lower.ts, "fuel"); between two calls only
// that code runs, so counting on the copy takes the same steps. Inside a `for`
// loop with no call (jit/counted-loops.ts; or only a leading one inlined that
// takes no step, 2 steps an iteration) the copy holds the counter plus the
// loop's counter (times 2), and the loop's own test `i < bound` tests the fuel too
// (jit/wasm/lower.ts, "counted loops"): the same steps again. A function
// that calls itself hands its copy to its recursive calls as a parameter and
// gets it back as a result (a wrapper reads and writes the cell for every
// other caller); one that takes no step keeps no copy. The slow path
// is hinted as rarely taken (a wasm branch hint, which V8 honours under
// --experimental-wasm-branch-hinting: the command line sets it), so V8 lays it
// out of line and keeps a loop's values in registers around it. The JS backend
// keeps a local copy in functions that make no guest call, and decrements the
// cell itself in functions that do (jit/js/lower.ts).
//
// The cell holds only the steps handed out so far (at most a poll period); the
// rest of the budget is `reserve`, here. When the cell goes below zero the step
// that did it calls poll(), which checks the interrupt flag and the deadline,
// then hands out the next period from the reserve, or traps `out of fuel` when
// the reserve is empty. So a program with maxSteps = N takes exactly N steps and
// traps at step N + 1, at that step's site, in every tier and backend; the
// interrupt flag and the clock are read every poll period (config.ts).
//
// A step may be costly (a loop whose body allocates a 800 MB array, flattens a
// 256 MB rope or compares two such strings), so under a deadline the period
// adapts to time, not steps: it starts at one step and doubles at each poll
// that comes sooner than POLL_TARGET_MS after the last, and shrinks in
// proportion when one comes later, down to one step. (With a fixed period of
// 10,000 steps a 2 s deadline stopped such a loop after minutes.) The period
// carries over from one entry to the next: restarting it at one step made a
// host's call of 100 steps poll 7 times, not once (228 -> 474 ns a call).
// So a run after fast ones starts at up to 10,000 steps: its costly steps that
// allocate are still seen by costly(), below.
// Without a deadline the clock is never read and polls stay every period, so a
// budget, and a request on the flag made by an extern, stop every tier at the
// same step. Work no step bounds (straight-line code allocating big arrays,
// say) is seen by costly(): the heap calls it before a collection and before
// an allocation of COSTLY_BYTES or more (runtime.ts), where `out of memory`
// may be raised too, so `interrupted` is raised there in every tier.
//
// Steps are counted only when the run is metered (a budget, a deadline or an
// interrupt flag was asked for): the options are known before anything is
// compiled, so unmetered compiled code has no check at all, and the interpreter
// tests one local boolean (counting anyway measured 2-3% slower there).
// Exact steps need no more than that: a run that ends (any trap) leaves the cell
// exact, so `stepsTaken` is the same in every tier too.
//
// All of this lives in the runtime, not in a run() call: each outermost entry
// (run(), or program.call from the host) starts a fresh budget and deadline, and
// a host -> guest call nested inside an extern shares them and the flag.

import { Trap } from './errors.js';
import type { Memory } from './memory.js';

/** i32 index of the fuel counter cell (see runtime.ts for the cell layout). */
export const FUEL_WORD = 7;

export const OUT_OF_FUEL = 'out of fuel';

/** The time between two polls the adaptive period aims at (see above). */
export const POLL_TARGET_MS = 1;
export const INTERRUPTED = 'interrupted';

export interface LimitOptions {
  /** Steps a run may take (null: no budget). */
  maxSteps: number | null;
  /** Milliseconds a run may last (null: no deadline). */
  deadlineMs: number | null;
  /** Word 0 nonzero: stop the run (null: not interruptible). */
  interrupt: Int32Array | null;
  /** Steps between polls of the flag and the clock when metered. */
  pollSteps: number;
}

export class Limits {
  /** Every tier must count steps (a budget, deadline or flag is set). */
  readonly metered: boolean;
  /** Steps of the budget not yet handed to the counter cell (Infinity: no budget). */
  private reserve: number;
  private readonly period: number;
  /** performance.now() past which the run is interrupted. */
  private deadline = Infinity;
  /** The current run was interrupted: every later poll of it fails too (an
   *  extern that catches its nested call's `interrupted` cannot go on). */
  private stopped = false;
  /** The message a limit ended the current run with (the budget spent, the
   *  deadline passed), or null: an extern that catches its nested call's
   *  stop cannot go on either (afterExtern). */
  private ended: string | null = null;
  /** A deadline: the period adapts to time (see above). */
  readonly timed: boolean;
  /** The steps the next poll hands out (timed runs), and the clock at the last poll. */
  private chunk = 1;
  private lastPoll = 0;

  constructor(private readonly mem: Memory, private readonly opts: LimitOptions) {
    this.metered = opts.maxSteps !== null || opts.deadlineMs !== null || opts.interrupt !== null;
    this.timed = opts.deadlineMs !== null;
    this.period = opts.pollSteps;
    this.reserve = opts.maxSteps ?? Infinity;
  }

  /** An outermost entry (run(), or a host call not nested in an extern) starts:
   *  the whole budget is in reserve, the counter is empty (the first step polls)
   *  and the deadline's clock starts. An interrupt requested before it stops
   *  the entry here, before any guest code runs (consumed, as by a poll), so a
   *  request never waits for a later run that happens to take a step. */
  start(): void {
    this.reserve = this.opts.maxSteps ?? Infinity;
    this.mem.i32[FUEL_WORD] = 0;
    this.stopped = false;
    this.ended = null;
    if (this.timed) this.lastPoll = performance.now();
    if (this.opts.deadlineMs !== null) this.deadline = this.lastPoll + this.opts.deadlineMs;
    this.takeRequest();
  }

  /** Steps taken so far in this run. */
  get stepsTaken(): number {
    const budget = this.opts.maxSteps;
    if (budget === null) return NaN;
    return budget - this.reserve - Math.max(0, this.mem.i32[FUEL_WORD]!);
  }

  /** The slow path of a step: the counter cell went below zero. Returns with the
   *  cell refilled (this step taken), or throws the Trap that ends the run. A
   *  request on the flag is consumed (reset to 0) by the run it stops; the run
   *  stays stopped until the next start() (the cell stays below zero). */
  poll(): void {
    this.takeRequest();
    let period = this.period;
    if (this.timed) {
      const now = performance.now();
      if (now >= this.deadline) throw this.end(INTERRUPTED);
      const took = now - this.lastPoll;
      this.lastPoll = now;
      this.chunk = took < POLL_TARGET_MS ? Math.min(period, this.chunk * 2)
        : Math.max(1, Math.floor(this.chunk * POLL_TARGET_MS / took));
      period = this.chunk;
    }
    const left = this.reserve;
    // The cell stays below zero: every later step (a nested call, say) fails too.
    if (left <= 0) throw this.end(OUT_OF_FUEL);
    const chunk = Math.min(period, left);
    this.reserve = left - chunk;
    this.mem.i32[FUEL_WORD] = chunk - 1;
  }

  /** Between pieces of input in read_line(): ends the run if it was stopped,
   *  a request is on the flag, or the deadline has passed; takes no step. */
  checkStop(): void {
    this.takeRequest();
    if (this.pastDeadline()) throw this.end(INTERRUPTED);
  }

  private pastDeadline(): boolean {
    return this.deadline !== Infinity && performance.now() >= this.deadline;
  }

  /** Whether the run is to stop at its next poll (stopped, a request on the
   *  flag, or past the deadline), without consuming the request: the policy
   *  asks before a synchronous compile (tiering.ts, stopDue), which nothing can
   *  cut short once begun. */
  stopDue(): boolean {
    if (this.stopped) return true;
    const flag = this.opts.interrupt;
    if (flag !== null && Atomics.load(flag, 0) !== 0) return true;
    return this.pastDeadline();
  }

  /** Before costly work of the heap (a collection, a big allocation): under a
   *  deadline, throws `interrupted` when the run is past it (or was stopped).
   *  Takes no step, and leaves the flag to the polls (at fixed steps). */
  costly(): void {
    if (this.stopped) throw new Trap(INTERRUPTED);
    if (performance.now() >= this.deadline) throw this.end(INTERRUPTED);
  }

  /** After an extern returns: a run stopped while the extern ran (its nested
   *  call was interrupted, ran out of fuel or past the deadline, and it caught
   *  that) ends here, at the extern's call, in every tier, with that message;
   *  so does one the extern (or another thread meanwhile) asked to interrupt. */
  afterExtern(): void {
    if (this.ended !== null) throw new Trap(this.ended);
    this.takeRequest();
  }

  /** An outermost entry returned: a request made while it ran that no poll
   *  took (an extern, an output callback or a tier-event listener asked, and
   *  no loop or call polled after) stops it here, as at a poll, and not the
   *  next entry, which has nothing to do with it. */
  entryReturned(): void {
    this.takeRequest();
  }

  /** The Trap that ends the run with `message`, remembered (afterExtern). */
  private end(message: string): Trap {
    this.ended = message;
    return new Trap(message);
  }

  /** Throws `interrupted` if the run was stopped, or a request is on the flag
   *  (consuming it). */
  private takeRequest(): void {
    if (this.stopped) throw new Trap(INTERRUPTED);
    const flag = this.opts.interrupt;
    if (flag === null || Atomics.load(flag, 0) === 0) return;
    Atomics.store(flag, 0, 0);
    this.stopped = true;
    throw new Trap(INTERRUPTED);
  }
}

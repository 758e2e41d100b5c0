// One live instance of a loaded program, and host entries into it: the runtime
// (memory, heap, globals), its compiling backend and tiering policy, and the
// machinery of program.call(), program.fn() and run() (vm.ts is the public face).
// The backend is chosen when the instance is made but built when the policy
// first compiles (LazyBackend): a run in which nothing gets hot never pays for
// its table, adapters and helper modules (start-up, docs/architecture.md).
//
// A host entry runs one guest function from the host: its frame goes at the top
// of the frame stack (runtime.ts, entryFp), its arguments straight into its
// typed slots, its header links it to the guest frame that called the host (an
// extern calling back in; -1 for the outermost entry), and the interpreter runs
// it — or, when the function is compiled, enters its compiled code through the
// i2c adapter of its shape, as a guest CALL would. An entry counts as a call of
// its function, so functions the host calls often are compiled.
//
// What must stay true:
//   - between begin() and the interpreter taking the frame nothing runs guest
//     code; strings made for arguments are held as temporary roots until the
//     frame is linked (nothing allocates after that before the interpreter
//     publishes the frame);
//   - after every entry, the published frame and position, and the host-stack
//     limit, are what they were before it (the extern's caller may collect or
//     trap at them again, and a later entry links to them);
//   - an entry nested in an extern lowers the host-stack budget of compiled code
//     while it runs (runtime.ts), since it stands on host frames of its own, and
//     entries nest at most MAX_HOST_ENTRY_DEPTH deep (config.ts): past it, or
//     past the frame stack's end, an entry is the guest's `stack overflow` at
//     the extern's call;
//   - the global initialisers run once, before the first entry that needs them;
//   - for scalar signatures an entry allocates nothing on the host heap
//     (callable(): fixed arity, no rest arguments; results are numbers or
//     booleans read from the runtime).

import type { BcModule, BcSignature } from '../bytecode/module.js';
import { Runtime } from '../runtime/runtime.js';
import { TOP_FP_WORD, TOP_PC_WORD, HOST_LIMIT_WORD, CALLS_WORD, InterpEntry } from '../runtime/runtime.js';
import { hostHasWasmMemory } from '../runtime/memory.js';
import { GuestFault, STACK_OVERFLOW, Trap, guestTrace, isHostStackOverflow, stackOverflowAt } from '../runtime/errors.js';
import { OUT_OF_FUEL, INTERRUPTED } from '../runtime/limits.js';
import { HostFault, missingExterns } from '../runtime/externs.js';
import { frameFn } from '../runtime/frames.js';
import { hostStackScale, hostStackProbes } from '../runtime/host-stack.js';
import { Tiering, DEFAULT_CALL_THRESHOLD, DEFAULT_LOOP_THRESHOLD, type Backend, type CompilePlan, type Finished, type OsrEntry } from '../runtime/tiering.js';
import type { Speculation } from '../runtime/profile.js';
import { plainCode } from '../bytecode/fuse.js';
import { TierEventLog, formatTierEvent, isDeoptEvent, type TierEvent, type TierEventSink } from '../runtime/tier-events.js';
import { interpreterFor } from '../interp/interpreter.js';
import type { CompilingBackend } from '../jit/backend.js';
import { hostCanCompileWasm, hostCanCompileJs } from '../runtime/host-probes.js';
import { loadJit } from './jit-door.js';
import { DEFAULTS, HOST_STACK, HOST_STACK_RESERVE, HOST_STACK_GROWTHS, HOST_STACK_GROW_AFTER, MAX_HOST_ENTRY_DEPTH, FUEL_POLL_STEPS, WASM_HOST, defaultMaxHeapMB, prepareWasmHost } from '../config.js';
import type { VmOptions } from '../vm.js';
import type { HostIo } from './io.js';
import { TierRuntimeError, attachTrace } from './errors.js';
import { Conv, GuestRef, convOf, describe, expected, isGuestRef, makeRef, refKindOf, refOwner, refSlot, type HandleOwner } from './values.js';

/** A top-level guest function as the API calls it: looked up once. */
export class GuestFunction {
  readonly arity: number;
  /** How each argument crosses (values.ts). */
  readonly conv: Uint8Array;
  /** How the result crosses; -1: no result. */
  readonly retConv: Conv | -1;

  constructor(readonly index: number, readonly name: string, readonly sig: BcSignature) {
    this.arity = sig.params.length;
    this.conv = Uint8Array.from(sig.params, convOf);
    this.retConv = sig.ret === null ? -1 : convOf(sig.ret);
  }

  /** `name(a: i32, b: str) -> f64`, for messages. */
  describe(): string {
    const params = this.sig.params.map((t, i) => `${this.sig.paramNames[i]}: ${t}`).join(', ');
    return `${this.name}(${params})${this.sig.ret === null ? '' : ' -> ' + this.sig.ret}`;
  }
}

const enum Init { PENDING, RUNNING, DONE, FAILED }

/** A runtime error that a limit ended the run with, not the guest's own. */
function isStop(e: TierRuntimeError): boolean {
  return e.message === OUT_OF_FUEL || e.message === INTERRUPTED;
}

/** Why an instance could not be made: what run() reports, what call() throws. */
export interface Refusal { text: string; error: Error }

export class Instance implements HandleOwner {
  /** Host entries running now (more than one: calls nested through externs). */
  depth = 0;
  private init = Init.PENDING;
  private initFailure: unknown = null;
  private disposed = false;
  /** Temporary roots held before the current entry's arguments. */
  private argMark = 0;
  /** Frees the handle of a GuestRef the host let go of without release(). */
  private readonly registry = new FinalizationRegistry<number>((slot) => { if (!this.disposed) this.rt.handles.release(slot); });

  constructor(public rt: Runtime, public backend: LazyBackend | null, readonly io: HostIo,
    /** Tier events (null: no listener). */
    readonly events: TierEventLog | null = null) {}

  /** Report the call counters and crossings so far as a 'counts' event (when a
   *  listener is on). */
  emitCounts(final = true): void {
    const ev = this.events;
    if (ev === null) return;
    const rt = this.rt, n = rt.mod.functions.length;
    const calls: number[] = [], loops: number[] = [];
    let counted = 0;
    for (let f = 0; f < n; f++) {
      calls.push(rt.counters[f << 1]! >>> 0);
      loops.push(rt.counters[(f << 1) + 1]! >>> 0);
      counted += calls[f]!;
    }
    const crossings = {
      interpToInterp: Math.max(0, counted - rt.hostEntries - ev.compiledToInterp - ev.interpToCompiled),
      interpToCompiled: ev.interpToCompiled, compiledToInterp: ev.compiledToInterp, hostEntries: rt.hostEntries,
      compiledToCompiled: Math.max(0, (rt.mem.i32[CALLS_WORD]! >>> 0) - ev.compiledToInterp),
    };
    ev.sink({
      kind: 'counts', t: ev.now(), final, names: rt.mod.functions.map((f) => f.name), calls, loops,
      compiled: rt.entries.map((e) => e !== null), crossings, osrExits: rt.osrExits,
    });
  }

  // ---- entries ---------------------------------------------------------------------

  /** Start a host entry of g: the fp its frame will have. */
  begin(g: GuestFunction): number {
    if (this.depth === 0) this.beginOutermost();
    const rt = this.rt;
    const fp = this.depth < MAX_HOST_ENTRY_DEPTH ? rt.entryFp(g.index) : -1;
    if (fp < 0) throw this.handOut(this.overflow());
    this.argMark = rt.handles.depth;
    return fp;
  }

  /** Convert argument i of g and write it to its slot in the frame at fp. */
  arg(g: GuestFunction, fp: number, i: number, v: unknown): void {
    const mem = this.rt.mem;
    switch (g.conv[i] as Conv) {
      case Conv.I32:
        if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) { mem.i32[(fp + i) << 1] = v; return; }
        break;
      case Conv.F64:
        if (typeof v === 'number') { mem.f64[fp + i] = v; return; }
        break;
      case Conv.BOOL:
        if (typeof v === 'boolean') { mem.i32[(fp + i) << 1] = v ? 1 : 0; return; }
        break;
      case Conv.STR:
        if (v === null) { mem.i32[(fp + i) << 1] = 0; return; }
        if (typeof v === 'string') { this.stringArg(fp, i, v); return; }
        break;
      default:
        if (v === null) { mem.i32[(fp + i) << 1] = 0; return; }
        if (isGuestRef(v)) { mem.i32[(fp + i) << 1] = this.refArg(g, i, v); return; }
    }
    throw this.badArg(g, i, this.argProblem(g, i, v)!);
  }

  /** Whether the entry of g the host is about to make is the first: its
   *  arguments are checked before the global initialisers run (checkArgs). */
  get initialised(): boolean { return this.init === Init.DONE; }

  /** Check every argument of an entry of g without writing any: before the
   *  first entry, whose global initialisers (guest code, externs) must not run
   *  for a call with a wrong argument. */
  checkArgs(g: GuestFunction, args: readonly unknown[]): void {
    for (let i = 0; i < g.arity; i++) {
      const why = this.argProblem(g, i, args[i]);
      if (why !== null) throw new TypeError(`${g.name}: argument ${i + 1} ('${g.sig.paramNames[i]}') ${why} (${g.describe()})`);
    }
  }

  /** What is wrong with v as argument i of g (null: nothing), as arg() decides. */
  private argProblem(g: GuestFunction, i: number, v: unknown): string | null {
    const c = g.conv[i] as Conv, type = g.sig.params[i]!;
    if (v === undefined) return 'is missing';
    let fits: boolean;
    switch (c) {
      case Conv.I32: fits = typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff; break;
      case Conv.F64: fits = typeof v === 'number'; break;
      case Conv.BOOL: fits = typeof v === 'boolean'; break;
      case Conv.STR: fits = v === null || typeof v === 'string'; break;
      default:
        if (v === null) return null;
        if (!isGuestRef(v)) { fits = false; break; }
        if (refOwner(v) !== this) return refOwner(v) === null ? 'is a released handle' : 'is a handle of another program';
        fits = v.type === type;
    }
    return fits ? null : `must be ${expected(c, type)}, got ${describe(v)}`;
  }

  /** Run the entry whose arguments are written; returns the converted result. */
  finish(g: GuestFunction, fp: number): unknown {
    try {
      this.rt.handles.truncate(this.argMark);
      this.runEntry(g.index, fp, true);
      const v = this.result(g);
      this.endEntry();
      return v;
    } catch (e) {
      throw this.handOut(e);
    }
  }

  /** The whole entry of g with args (any count: checked here). */
  invoke(g: GuestFunction, args: readonly unknown[]): unknown {
    if (args.length !== g.arity) throw wrongCount(g, args.length);
    if (this.init !== Init.DONE) this.checkArgs(g, args);
    const fp = this.begin(g);
    for (let i = 0; i < args.length; i++) this.arg(g, fp, i, args[i]);
    return this.finish(g, fp);
  }

  /** What the outermost entry starts from: no guest frame runs, no fault is
   *  pending, a fresh step budget and deadline (limits.ts; nested entries share
   *  them), and the globals are initialised. */
  beginOutermost(): void {
    this.io.reset();
    this.rt.topFp = -1;
    this.rt.escaping = null;
    try {
      this.rt.limits.start();
      this.initialise();
    } catch (e) {
      throw this.handOut(this.guestError(e));
    }
  }

  /** Global initialisers (once), or their failure again. Under --tier=jit every
   *  function is compiled first. */
  initialise(): void {
    if (this.init === Init.DONE || this.init === Init.RUNNING) return;
    if (this.init === Init.FAILED) throw this.initFailure;
    const rt = this.rt;
    // Before the initialisers, and not their failure: a tier-event listener's
    // exception ends this entry, and the next one compiles the rest.
    if (rt.tiering.opts.mode === 'jit' || rt.tiering.opts.mode === 'opt') rt.tiering.compileAll();
    this.init = Init.RUNNING;
    try {
      const fp = rt.pushEntryFrame(rt.mod.initIndex, []);
      this.runEntry(rt.mod.initIndex, fp, false);
      this.init = Init.DONE;
    } catch (e) {
      const failure = this.guestError(e);
      if (failure instanceof TierRuntimeError && !isStop(failure)) {
        this.init = Init.FAILED;
        this.initFailure = failure;
      } else {
        // Not the initialisers' own failure but a stop (fuel, deadline,
        // interrupt) or the embedder's exception: the next entry runs them
        // again, from the globals' zero values.
        this.init = Init.PENDING;
        this.rt.zeroGlobals();
      }
      throw failure;
    }
  }

  /** main (with `args` if it takes them), for run(). */
  runMain(args: readonly string[]): void {
    const rt = this.rt, mod = rt.mod;
    try {
      const mainArgs = mod.mainTakesArgs ? [rt.newStringArray(args)] : [];
      this.runEntry(mod.mainIndex, rt.pushEntryFrame(mod.mainIndex, mainArgs), false);
      rt.limits.entryReturned();
    } catch (e) {
      throw this.guestError(e);
    }
  }

  /** Run the host entry frame at fp (fn's arguments in its slots) until it
   *  returns; the raw result is in rt.resultI / rt.resultF. With `link`, the
   *  frame's header is written here and the call counted. */
  private runEntry(fn: number, fp: number, link: boolean): void {
    const rt = this.rt;
    let i32 = rt.mem.i32;
    const topFp = i32[TOP_FP_WORD]!, topPc = i32[TOP_PC_WORD]!, limit = i32[HOST_LIMIT_WORD]!;
    if (this.depth === 0) rt.resetHostLimit();
    else i32[HOST_LIMIT_WORD] = limit - rt.crossingSlots;
    this.depth++;
    try {
      if (link) rt.linkEntryFrame(fp, fn);
      if (rt.isInNextSegment(fp)) rt.inNextSegment(fp, rt.entryTop, () => rt.interpretFrame(fp, InterpEntry.HOST, 0));
      else rt.interpretFrame(fp, InterpEntry.HOST, 0);
    } catch (e) {
      throw this.guestError(e);
    } finally {
      this.depth--;
      i32 = rt.mem.i32;
      i32[TOP_FP_WORD] = topFp; i32[TOP_PC_WORD] = topPc; i32[HOST_LIMIT_WORD] = limit;
    }
  }

  /** After an entry: guest output goes out (so it precedes what the host writes
   *  next), and the outermost entry throws a fault some layer swallowed. */
  private endEntry(): void {
    this.rt.out.flush();
    if (this.depth !== 0) return;
    if (this.io.fault !== null) throw this.io.fault;
    try {
      this.rt.limits.entryReturned();
    } catch (e) {
      throw this.guestError(e);
    }
  }

  // ---- values ----------------------------------------------------------------------

  private stringArg(fp: number, i: number, s: string): void {
    const rt = this.rt;
    let addr: number;
    try {
      addr = rt.heap.newString(s);
    } catch (e) {
      rt.handles.truncate(this.argMark);
      throw this.handOut(this.guestError(e));
    }
    rt.handles.push(addr);   // a root until the frame is linked (finish)
    rt.mem.i32[(fp + i) << 1] = addr;
  }

  /** The raw value of a handle passed back for parameter i, once checked. */
  private refArg(g: GuestFunction, i: number, v: GuestRef): number {
    if (refOwner(v) !== this || v.type !== g.sig.params[i]) throw this.badArg(g, i, this.argProblem(g, i, v)!);
    return v.kind === 'fn' ? refSlot(v) : this.rt.handles.addr(refSlot(v));
  }

  private badArg(g: GuestFunction, i: number, why: string): TypeError {
    this.rt.handles.truncate(this.argMark);
    return new TypeError(`${g.name}: argument ${i + 1} ('${g.sig.paramNames[i]}') ${why} (${g.describe()})`);
  }

  private result(g: GuestFunction): unknown {
    const rt = this.rt;
    const raw = rt.resultI;
    switch (g.retConv) {
      case -1: return undefined;
      case Conv.I32: return raw;
      case Conv.F64: return rt.resultF;
      case Conv.BOOL: return raw !== 0;
      case Conv.STR: return raw === 0 ? null : rt.heap.readString(raw);
      case Conv.FN: return raw === 0 ? null : makeRef(this, 'fn', g.sig.ret!, raw);
      default: return raw === 0 ? null : this.hold(g.retConv, g.sig.ret!, raw);
    }
  }

  /** A handle for the object at addr: a GC root until released. */
  private hold(c: Conv, type: string, addr: number): GuestRef {
    const slot = this.rt.handles.hold(addr);
    const ref = makeRef(this, refKindOf(c), type, slot);
    this.registry.register(ref, slot, ref);
    return ref;
  }

  releaseHandle(slot: number, ref: GuestRef): void {
    if (this.disposed) return;
    this.registry.unregister(ref);
    this.rt.handles.release(slot);
  }

  // ---- errors ----------------------------------------------------------------------

  /** A guest fault as the API reports it; anything else unchanged (a HostFault,
   *  a TierRuntimeError on its way out of a nested entry, or a bug). */
  private guestError(e: unknown): unknown {
    const rt = this.rt;
    if (e instanceof GuestFault) return new TierRuntimeError(e.trap.message, guestTrace(rt.mod, rt.mem.i32, e.site, e.trap.message));
    if (e instanceof Trap) return new TierRuntimeError(e.message, null);
    // The host stack ran out inside compiled code: a stack overflow at the
    // innermost frame compiled code published, as a frame that did not fit;
    // before any guest frame of this entry (the entry itself did not fit: its
    // host stood deep in its own stack, as when programs' externs call each
    // other in a chain), at the host's guest caller. (An embedder's own
    // RangeError comes here wrapped, as a HostFault.)
    if (isHostStackOverflow(e)) return rt.topFp >= 0 ? this.guestError(stackOverflowAt(rt.mem.i32, rt.topFp)) : this.overflow();
    return e;
  }

  /** A frame that does not fit on the frame stack, at the host's guest caller. */
  private overflow(): TierRuntimeError {
    const rt = this.rt, i32 = rt.mem.i32, fp = rt.hostCallerFp;
    const site = fp < 0 ? null : { fn: frameFn(i32, fp), pc: i32[TOP_PC_WORD]!, fp };
    return new TierRuntimeError(STACK_OVERFLOW, site === null ? null : guestTrace(rt.mod, i32, site, STACK_OVERFLOW));
  }

  /** What the API throws for e. An embedder's exception goes back as itself with
   *  the guest trace attached; it and a guest runtime error are recorded for the
   *  extern boundary they may cross next (externs.ts, rt.escaping). Guest output
   *  written before the failure goes out first. */
  handOut(e: unknown): unknown {
    const rt = this.rt;
    if (!(e instanceof HostFault) && !(e instanceof TierRuntimeError)) return e;
    this.flushQuietly();
    // The embedder's exception from delivering the output written before a
    // runtime error ends the outermost entry instead, as in run().
    if (this.depth === 0 && e instanceof TierRuntimeError && this.io.fault !== null) e = this.io.fault;
    const value = e instanceof HostFault ? e.value : e;
    if (e instanceof HostFault && e.trace !== null) attachTrace(value, e.trace);
    rt.escaping = { value, carrier: e };
    return value;
  }

  private flushQuietly(): void {
    try {
      this.rt.out.flush();
    } catch (f) {
      if (!(f instanceof HostFault)) throw f;
      this.io.note(f);
    }
  }

  // ---- lifetime --------------------------------------------------------------------

  get isDisposed(): boolean { return this.disposed; }

  /** Drop the runtime, its memory and compiled code (a GuestRef still held
   *  keeps only this emptied object). */
  dispose(): void {
    this.disposed = true;
    this.backend?.dispose();
    this.rt = null as unknown as Runtime;
    this.backend = null;
  }
}

function wrongCount(g: GuestFunction, n: number): TypeError {
  return new TypeError(`${g.name} takes ${g.arity} argument${g.arity === 1 ? '' : 's'}, got ${n} (${g.describe()})`);
}

/** A function calling g with the guest signature. Fixed arity up to 4 (one more
 *  parameter catches a surplus argument) so a call allocates nothing; beyond,
 *  rest arguments. `live` gives the program's instance (or throws: disposed). */
export function callable(live: () => Instance, g: GuestFunction): (...args: unknown[]) => unknown {
  // (`arguments` is not read: the interpreter would make the object per call.
  // Arrow functions: a callable is not a constructor, so `new` on it fails.)
  const surplus = () => { throw new TypeError(`${g.name} takes ${g.arity} argument${g.arity === 1 ? '' : 's'}, got more (${g.describe()})`); };
  switch (g.arity) {
    case 0: return (x?: unknown) => {
      if (x !== undefined) surplus();
      const inst = live();
      return inst.finish(g, inst.begin(g));
    };
    case 1: return (a?: unknown, x?: unknown) => {
      if (x !== undefined) surplus();
      const inst = live();
      if (!inst.initialised) inst.checkArgs(g, [a]);
      const fp = inst.begin(g);
      inst.arg(g, fp, 0, a);
      return inst.finish(g, fp);
    };
    case 2: return (a?: unknown, b?: unknown, x?: unknown) => {
      if (x !== undefined) surplus();
      const inst = live();
      if (!inst.initialised) inst.checkArgs(g, [a, b]);
      const fp = inst.begin(g);
      inst.arg(g, fp, 0, a); inst.arg(g, fp, 1, b);
      return inst.finish(g, fp);
    };
    case 3: return (a?: unknown, b?: unknown, c?: unknown, x?: unknown) => {
      if (x !== undefined) surplus();
      const inst = live();
      if (!inst.initialised) inst.checkArgs(g, [a, b, c]);
      const fp = inst.begin(g);
      inst.arg(g, fp, 0, a); inst.arg(g, fp, 1, b); inst.arg(g, fp, 2, c);
      return inst.finish(g, fp);
    };
    case 4: return (a?: unknown, b?: unknown, c?: unknown, d?: unknown, x?: unknown) => {
      if (x !== undefined) surplus();
      const inst = live();
      if (!inst.initialised) inst.checkArgs(g, [a, b, c, d]);
      const fp = inst.begin(g);
      inst.arg(g, fp, 0, a); inst.arg(g, fp, 1, b); inst.arg(g, fp, 2, c); inst.arg(g, fp, 3, d);
      return inst.finish(g, fp);
    };
    default: return (...args: unknown[]) => live().invoke(g, args);
  }
}

// ---- making an instance ------------------------------------------------------------

/** The live instance of `mod`, or why there can be none: a missing extern, or a
 *  host that refuses the memory (the guest's `out of memory`). */
export function createInstance(mod: BcModule, o: VmOptions, io: HostIo, interrupt: Int32Array | null): Instance | Refusal {
  const externs = o.externs ?? {};
  const missing = missingExterns(mod, externs);
  if (missing.length > 0) {
    const lines = missing.map((n) => `extern function ${n} is not provided`);
    return { text: lines.map((l) => `error: ${l}\n`).join(''), error: new Error(lines.join('; ')) };
  }
  const stackSizeKB = o.stackSizeKB ?? DEFAULTS.stackSizeKB;
  let rt: Runtime;
  // What the run writes to stderr besides errors (trace lines, printed code)
  // follows the output printed before it, where both go to one place (2>&1).
  const diag = (t: string) => { rt.out.flush(false); io.stderr(t); };
  try {
    rt = new Runtime(mod, {
      maxHeapBytes: (o.maxHeapMB ?? defaultMaxHeapMB(stackSizeKB)) * 1024 * 1024,
      stackBytes: stackSizeKB * 1024,
      stdout: io.stdout,
      flushMs: o.flushMs ?? 0,
      lineBuffered: o.lineBuffered ?? false,
      stdin: io.stdin,
      externs,
      // Only compiled wasm code needs a WebAssembly.Memory. Growing one detaches
      // its old buffer, after which V8 checks typed-array accesses for detached
      // buffers: measured, the interpreter ran binary-trees and a sieve 15-20%
      // slower on a grown wasm memory than on a plain ArrayBuffer.
      useWasmMemory: (o.tier ?? DEFAULTS.tier) !== 'interp' && hostHasWasmMemory(),
      gcStress: o.gcStress ?? DEFAULTS.gcStress,
      verifyHeap: o.verifyHeap ?? DEFAULTS.verifyHeap,
      ropeStress: o.ropeStress ?? DEFAULTS.ropeStress,
      osrExitStress: o.osrExitStress ?? DEFAULTS.osrExitStress,
      traceGc: o.traceGc ? (line) => diag(line + '\n') : null,
      limits: { maxSteps: o.maxSteps ?? null, deadlineMs: o.deadlineMs ?? null, interrupt, pollSteps: FUEL_POLL_STEPS },
    });
  } catch (e) {
    // The frame stack is reserved up front: a refused memory is `out of memory`.
    if (!(e instanceof RangeError)) throw e;
    return { text: 'runtime error: out of memory\n', error: new TierRuntimeError('out of memory', null) };
  }
  ({ run: rt.interpretFrame, adapterEntry: rt.adapterEntry } = interpreterFor(rt));
  let inst: Instance | null = null;
  const sink = eventSink(o, io, diag, () => inst?.emitCounts(false));
  const events = sink === null ? null : new TierEventLog(sink, o.tierEventCode ?? false);
  const backend = chooseBackend(rt, o, events, diag);
  if (io.fault !== null) throw io.fault;   // the listener refused the 'backend' event: no instance
  if (backend !== null) {
    // (Scaled down on a thread with less host stack than the budgets were measured on.)
    rt.hostStackSlots = o.hostStackSlots ?? Math.max(1, Math.floor(HOST_STACK[backend.name].slots * hostStackScale()));
    rt.crossingSlots = HOST_STACK[backend.name].crossingSlots;
    // A budget given is kept as given (tests send every call past it with 1).
    const growth = HOST_STACK[backend.name].growth;
    rt.hostGrowth = o.hostStackSlots === undefined && hostStackProbes()
      ? { ...growth, reserve: HOST_STACK_RESERVE, times: HOST_STACK_GROWTHS, after: HOST_STACK_GROW_AFTER } : null;
  }
  // Only the wasm backend's generated i2c adapter reads argument lists
  // (runtime.ts argListAt): for any other entry the interpreter moves them.
  if (backend === null || backend.name !== 'wasm' || (o.adapters ?? DEFAULTS.adapters) !== 'generated') rt.dropArgLists();
  rt.tiering = makeTiering(rt, o, backend, events, io);
  return inst = new Instance(rt, backend, io, events);
}

/** Where tier events go: --trace-tier's lines on stderr, the embedder's
 *  onTierEvent (whose exception is the embedder's own, as for the output
 *  callbacks), both, or nowhere (null). */
function eventSink(o: VmOptions, io: HostIo, diag: (t: string) => void, sample: () => void): TierEventSink | null {
  const listener = o.onTierEvent ?? null;
  const traced = (e: TierEvent) => (isDeoptEvent(e) ? o.traceDeopt : o.traceTier) === true;
  const print = o.traceTier || o.traceDeopt ? (e: TierEvent) => {
    const line = traced(e) ? formatTierEvent(e) : null;
    if (line !== null) diag(line + '\n');
  } : null;
  if (listener === null) return print;
  const call = (e: TierEvent) => {
    const was = io.callback;
    io.callback = 'onTierEvent';
    try {
      listener(e);
    } catch (x) {
      const fault = x instanceof HostFault ? x : new HostFault(x, null);
      io.note(fault);
      throw fault;
    } finally {
      io.callback = was;
    }
    // The listener also sees the call counts as they were at each change of tier.
    if (e.kind === 'installed' || e.kind === 'failed') sample();
  };
  return print === null ? call : (e) => { print(e); call(e); };
}

/** The compiling backend: WebAssembly where the host can run it, else
 *  JavaScript where the host allows code generation from strings (o.backend
 *  forces one); null for --tier=interp or a host with neither. Chosen now, built
 *  on first compile. */
function chooseBackend(rt: Runtime, o: VmOptions, events: TierEventLog | null, stderr: (t: string) => void): LazyBackend | null {
  const mode = o.tier ?? DEFAULTS.tier;
  const say = (backend: 'wasm' | 'js' | 'none', reason: string) => events?.sink({ kind: 'backend', t: events.now(), backend, reason });
  if (mode === 'interp') { say('none', 'tier interp'); return null; }
  const opts = {
    events, printCode: o.printCode ?? o.printWasm ?? null, print: stderr, inline: o.inline ?? DEFAULTS.inline,
    adapters: o.adapters ?? DEFAULTS.adapters,
    maxCodeSize: o.maxCodeKB === undefined ? Infinity : o.maxCodeKB * 1024,
  };
  const want = o.backend ?? null;
  if (want !== 'js' && rt.mem.wasm && hostCanCompileWasm()) {
    say('wasm', want === 'wasm' ? 'forced' : 'WebAssembly on this host');
    // The host is prepared first: whether V8 optimizes at once decides osrExits;
    // but the JIT is loaded before that (jit-door.ts: V8's flags and code caches).
    return new LazyBackend('wasm', () => {
      const jit = loadJit();
      prepareWasmHost();
      return jit.wasmBackend(rt, { ...opts, osrExits: !WASM_HOST.optimizesAtOnce || (o.osrExitStress ?? DEFAULTS.osrExitStress) });
    });
  }
  if (want !== 'wasm' && hostCanCompileJs()) {
    // The js backend has no tier 2: tier opt compiles tier 1 there, deopt stress
    // has no guards, and the trace says so (forced or for want of wasm alike).
    const noTier2 = mode === 'opt' || o.deoptStress ? '; no tier 2 on js: tier opt compiles tier 1, deopt stress has no guards' : '';
    say('js', `${want === 'js' ? 'forced' : 'no WebAssembly on this host'}${noTier2}`);
    return new LazyBackend('js', () => loadJit().jsBackend(rt, { ...opts, osrExits: false }));   // (its OSR entries have their own exit)
  }
  say('none', want === null ? 'no backend on this host' : `no ${want} backend on this host`);
  return null;
}

/** A chosen backend, built by the first compile the policy asks for. Building
 *  it (the table, a c2i adapter per signature shape) is part of that compile:
 *  an exception there fails the compile (the function stays interpreted, and
 *  the next compile tries again), as one from lowering does. */
export class LazyBackend implements Backend {
  private made: CompilingBackend<unknown> | null = null;

  /** Tier 2 is the wasm backend's alone. */
  readonly optimizes: boolean;

  /** One module of several functions: the wasm backend's (lowerMany). */
  readonly batches: boolean;

  constructor(readonly name: 'wasm' | 'js', private readonly make: () => CompilingBackend<unknown>) {
    this.optimizes = name === 'wasm';
    this.batches = name === 'wasm';
  }

  /** The backend if built (null: nothing was compiled yet). */
  get built(): CompilingBackend<unknown> | null { return this.made; }

  /** Whether the function named by --print-code was printed. */
  get printed(): boolean { return this.made?.printed ?? false; }

  compile(f: number, plan: CompilePlan): string | null {
    const b = this.build();
    return typeof b === 'string' ? b : b.compile(f, plan);
  }

  compileMany(fs: readonly number[], plans: readonly CompilePlan[]): (string | null)[] {
    const b = this.build();
    return typeof b === 'string' ? fs.map(() => b) : b.compileMany(fs, plans);
  }

  compileOsr(f: number, pc: number): OsrEntry | string {
    const b = this.build();
    return typeof b === 'string' ? b : b.compileOsr(f, pc);
  }

  queue(f: number, osrPc: number | null, ready: Int32Array, plan: CompilePlan): boolean {
    const b = this.build();
    return typeof b !== 'string' && b.queue(f, osrPc, ready, plan);
  }

  selfInlines(f: number): boolean {
    const b = this.build();
    return typeof b !== 'string' && b.selfInlines(f);
  }

  dispatchSites(f: number, spec: Speculation): number {
    const b = this.build();
    return typeof b === 'string' ? 0 : b.dispatchSites(f, spec);
  }

  beginRun(ready: Int32Array): void {
    const b = this.build();
    if (typeof b !== 'string') b.beginRun(ready);
  }

  takeFinished(ready: Int32Array): Finished[] { return this.made?.takeFinished(ready) ?? []; }

  endRun(ready: Int32Array): void { this.made?.endRun(ready); }

  dispose(): void { this.made?.dispose(); }

  private build(): CompilingBackend<unknown> | string {
    if (this.made !== null) return this.made;
    try {
      return this.made = this.make();
    } catch (e) {
      return (e as Error).message;
    }
  }
}

/** Whether compiles go to a compiler thread: only when asked (`compile:
 *  'thread'`; the default is 'sync', config.ts says why), under --tier=auto.
 *  --tier=jit compiles before the program runs: synchronously. Where the
 *  backend has no thread, compiles are synchronous anyway. */
export function compilesOnThread(o: VmOptions): boolean {
  if ((o.tier ?? DEFAULTS.tier) !== 'auto') return false;
  return (o.compile ?? DEFAULTS.compile) === 'thread';
}

function makeTiering(rt: Runtime, o: VmOptions, backend: Backend | null, events: TierEventLog | null, io: HostIo): Tiering {
  const names = rt.mod.functions.map((f) => f.name);
  const filter = o.jitFilter ? new RegExp(o.jitFilter) : null;
  const mode = o.tier ?? DEFAULTS.tier, threshold = o.jitThreshold ?? DEFAULTS.jitThreshold;
  const deoptStress = o.deoptStress ?? DEFAULTS.deoptStress;
  // The policy reads plain instructions (a profiled jump may be a later part of
  // a superinstruction in rt.codes; positions are the same).
  // No threshold given: functions and loops compile sooner than tier 2 does
  // (tiering.ts, DEFAULT_CALL_THRESHOLD); a given one is exact for all three.
  const given = o.jitThreshold !== undefined;
  const callThreshold = given ? threshold : DEFAULT_CALL_THRESHOLD, loopThreshold = given ? threshold : DEFAULT_LOOP_THRESHOLD;
  const stopDue = rt.limits.metered ? () => rt.limits.stopDue() : null;
  const thread = compilesOnThread(o);
  const pendingFault = () => io.fault;
  return new Tiering(names, backend, { mode, callThreshold, loopThreshold, threshold, events, filter, deoptStress, thread, payback: !given && !thread, stopDue, pendingFault },
    rt.codes.map(plainCode), rt.profiles, rt.counters);
}

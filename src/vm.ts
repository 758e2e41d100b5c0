// The public API: load a Tier program, then run it, or call its functions.
//
// load() checks every option, runs the front-end, lowers to bytecode and verifies
// it; a compile error comes back as structured diagnostics too (LoadResult). A
// LoadedProgram has at most one live instance (embed/instance.ts: memory, heap,
// globals, compiled code), made when first needed: run() runs main in it and
// turns guest faults into the contract's `runtime error:` report; call() and
// fn() run any top-level function from the host, converting values both ways
// (embed/values.ts: scalars as JavaScript values, structs and arrays as GuestRef
// handles) and throwing a TierRuntimeError for a guest fault. The global
// initialisers run once, before the first run() or call(). Nothing here prints
// directly: output and diagnostics go to the stdout/stderr callbacks, so
// embedders and tests capture them. Program output is always flushed before a
// diagnostic is written or an error is thrown.
//
// The embedder's own code — externs and the stdout/stderr/stdin callbacks — may
// throw. Such an exception is never a guest error nor a VM bug: run() or call()
// stops the guest and throws the very same value back to its caller (an
// extern's exception gets the guest trace of the call as `guestTrace` lines and
// `tierFrames`, where the value can take properties). An extern may itself call
// back into the guest; what that nested call throws passes out through the
// extern unchanged, with the whole trace. The output, input and tier-event
// callbacks may not (the guest is stopped at a write, a read or a compile
// there, with no safepoint to enter it from): an entry, run() or dispose()
// from one of them throws (HostIo.callback). See docs/embedding.md.

import { compileFront, type FrontResult } from './front/index.js';
import { lowerProgram } from './front/lower.js';
import { verifyModule } from './bytecode/verify.js';
import { disassembleModule } from './bytecode/disasm.js';
import type { BcModule } from './bytecode/module.js';
import type { HostFunction, Runtime } from './runtime/runtime.js';
import { errorReport, guestTrace, isHostStackOverflow, Trap, GuestFault, stackOverflowAt } from './runtime/errors.js';
import { HostFault, ownExterns } from './runtime/externs.js';
import type { Tiering } from './runtime/tiering.js';
import type { TierEvent, BackendName } from './runtime/tier-events.js';
import { HostIo, defaultErr, defaultOut } from './embed/io.js';
import { Instance, GuestFunction, callable, createInstance, type LazyBackend } from './embed/instance.js';
import { TierRuntimeError, attachTrace, type TierDiagnostic } from './embed/errors.js';
import { DEFAULTS, TIERS, ADAPTER_MODES, type AdapterMode, rangeProblem, memoryProblem, deadlineProblem, tier2Problem, type Tier, type Limited } from './config.js';

export { DEFAULTS } from './config.js';
export type { Tier, AdapterMode } from './config.js';
export { TierRuntimeError } from './embed/errors.js';
export type { TierDiagnostic, TraceFrame } from './embed/errors.js';
export { GuestRef } from './embed/values.js';
export type { RefKind } from './embed/values.js';
export { formatTierEvent } from './runtime/tier-events.js';
export type { TierEvent, Crossings, BackendName } from './runtime/tier-events.js';
export type { HostFunction } from './runtime/runtime.js';

/** Options of load(). Every one is checked there (an unknown name too); a value
 *  of `undefined` counts as not given. They are read once, at load(). */
export interface VmOptions {
  tier?: Tier;
  /** Arguments for `fn main(args: [str])`. */
  args?: string[];
  /** Heap limit, 1..2047 MiB; heap and stack together at most 2 GiB - 64 KiB
   *  (default: what the stack leaves, 2039 with the default stack). */
  maxHeapMB?: number;
  /** Frame stack, 64..1048576 KiB (default 8192). */
  stackSizeKB?: number;
  stdout?: (text: string) => void;
  /** Standard input for read_line(): the whole text, or a function giving the
   *  next piece of it (null at the end), called only when the program reads.
   *  Default: no input (read_line() returns null). */
  stdin?: string | (() => string | null);
  stderr?: (text: string) => void;
  /** A plain object (prototype Object.prototype or null, a module namespace
   *  object say) whose own properties are the extern functions. */
  externs?: Record<string, HostFunction>;
  /** Collect at every allocation (debug). */
  gcStress?: boolean;
  /** Check the heap's invariants before and after every collection (debug). */
  verifyHeap?: boolean;
  /** Every concatenation of two non-empty strings makes a rope (debug). */
  ropeStress?: boolean;
  /** Debug: wasm OSR code leaves its loop at every back-edge to its header and
   *  is entered again (config.ts). */
  osrExitStress?: boolean;
  /** Write one line per collection to stderr. */
  traceGc?: boolean;
  /** Write a summary of all collections to stderr when the program ends. */
  gcStats?: boolean;
  /** Calls or loop back-edges before compiling, and calls of compiled code
   *  before tier 2 (1: at every chance). Default: 25 calls, 50 back-edges and
   *  100 calls, tier 2 also waiting until the tier-1 code has been installed a
   *  quarter as long as its compile took (runtime/tiering.ts,
   *  DEFAULT_CALL_THRESHOLD, TIER2_PAYBACK); a given N is exact. */
  jitThreshold?: number;
  /** Write one line per compile, install, adapter and OSR entry to stderr, and
   *  the calls between tiers when a run ends (the text of the tier events). */
  traceTier?: boolean;
  /** Write one line per deoptimization (function, bytecode position, reason)
   *  and per invalidation of tier-2 code to stderr. */
  traceDeopt?: boolean;
  /** Debug: every guard of tier-2 code fails the first time it is reached
   *  (config.ts; needs a compiling tier; the js backend has no tier 2, so no guards there). */
  deoptStress?: boolean;
  /** Receives every tier event (runtime/tier-events.ts: backend chosen,
   *  adapters, compiles, installs, failures, OSR entries, and call counts and
   *  crossings when run() ends). While set, crossings are counted. Its exception
   *  ends the run and is thrown from run() or call(), as the stdout callback's. */
  onTierEvent?: (e: TierEvent) => void;
  /** 'compiled' tier events carry the generated code as text (`code`; costs a
   *  printing of each compiled function). */
  tierEventCode?: boolean;
  /** Deliver program output to stdout at a write once this many milliseconds
   *  passed since the last delivery (default 0: in 64 KiB pieces and at the end;
   *  an embedder showing output of a long run live sets it). */
  flushMs?: number;
  /** Deliver program output at every write that ends a line, as a terminal
   *  expects (the command line sets it when standard output is one). */
  lineBuffered?: boolean;
  /** Print the generated code of this function to stderr when it is compiled
   *  (WAT from the wasm backend, JavaScript source from the js backend); if it
   *  never is, say so when the run ends. */
  printCode?: string;
  /** Former name of printCode (kept for existing embedders). */
  printWasm?: string;
  /** Debug: compile only functions whose name matches this regular expression. */
  jitFilter?: string;
  /** Debug: the host-stack budget of compiled code in frame-stack slots (default
   *  per backend, config.ts HOST_STACK); 1 sends every compiled call past the
   *  budget into the interpreter, a stress mode for the fallback. */
  hostStackSlots?: number;
  /** Inline small leaf functions into compiled code (default true). */
  inline?: boolean;
  /** Where hot functions are compiled: 'sync' (the default), on the program's
   *  own thread when they become hot; or 'thread', on a compiler thread while
   *  the program goes on running in its tier (installed at the next call or
   *  loop check; under tier 'auto' with the wasm backend on a host with
   *  threads, Node; elsewhere synchronous anyway; the thread starts when a
   *  run begins). Not the default: the wait for its first results made runs
   *  slower (docs/architecture.md). */
  compile?: 'sync' | 'thread';
  /** How the interpreter and compiled code call each other: 'generated'
   *  adapters per signature shape (default), or 'generic' ones that read the
   *  callee's signature at run time (slower; for measuring, config.ts). */
  adapters?: AdapterMode;
  /** Force one compiling backend (default: wasm where the host has WebAssembly,
   *  else js where it allows code generation from strings). */
  backend?: 'wasm' | 'js';
  /** Fuel: the steps one run (or outermost call) may take, 1..2^53-1; a step is
   *  a guest function call or a loop back-edge. Step N + 1 ends the run with
   *  `runtime error: out of fuel` and the guest trace, at the same step in every
   *  tier and backend. */
  maxSteps?: number;
  /** Compile memory: the generated code this program may keep, in KiB (wasm
   *  bytes, or JavaScript source characters on the js backend), 1..1048576. A
   *  compile that would pass it fails and that function stays interpreted (its
   *  results are the same; only its speed differs). Default: no limit. */
  maxCodeKB?: number;
  /** The run (or outermost call) ends with `runtime error: interrupted` once
   *  this many milliseconds (a positive number, at most 2^31 - 1) have passed
   *  since it started; checked every few thousand steps. */
  deadlineMs?: number;
  /** Make runs stoppable by program.interrupt() and program.interruptBuffer
   *  (implied by maxSteps, deadlineMs and interruptBuffer). */
  interruptible?: boolean;
  /** The interrupt flag to poll: element 0 of this Int32Array (over a
   *  SharedArrayBuffer, to set it from another thread). Nonzero stops the run
   *  with `runtime error: interrupted` and is reset to 0. Default: a new one,
   *  program.interruptBuffer. */
  interruptBuffer?: Int32Array;
}

export type LoadResult =
  | { ok: true; program: LoadedProgram }
  | {
    ok: false;
    /** 1 compile error, 2 bad option or argument, 70 internal error. */
    exitCode: number;
    /** The compile errors shown (empty for the other failures), in source order. */
    errors: TierDiagnostic[];
    /** Everything load() wrote to stderr, exactly as the command line prints it. */
    text: string;
  };

/** A top-level function of the program, as `program.functions` lists it. Types
 *  are spelled as in Tier source (`i32`, `[str]`, `Node`, `fn(i32) -> f64`). */
export interface FunctionInfo {
  name: string;
  params: string[];
  paramNames: string[];
  /** The result type; null for a function without a result. */
  result: string | null;
}

/** Exit status for a bug inside tiervm (reported as `internal error: ...`). */
export const EXIT_INTERNAL = 70;

/** Exit status for a bad option (or argument) of load(), as for a bad flag. */
export const EXIT_USAGE = 2;

/** Check the options, compile and verify `source`; diagnostics go to opts.stderr
 *  and come back in the result. A bad option is one line, `tiervm: invalid option
 *  NAME: WHY`, and exit status 2. */
export function load(file: string, source: string, opts: VmOptions = {}): LoadResult {
  const checked = checkLoadQuietly(file, source, opts);
  if (typeof checked === 'string') {
    const own = (opts as { stderr?: unknown } | null)?.stderr;
    return refuse(typeof own === 'function' ? own as (t: string) => void : defaultErr, EXIT_USAGE, `tiervm: ${checked}\n`);
  }
  opts = checked;
  const stderr = opts.stderr ?? defaultErr;
  const front = compileFront(file, source);
  if (!front.checked) return refuse(stderr, 1, front.formatted, diagnosticsOf(file, front));
  let mod: BcModule;
  try {
    mod = lowerProgram(front.checked);
  } catch (e) {
    return refuse(stderr, EXIT_INTERNAL, `internal error: lowering failed: ${(e as Error).message}\n`);
  }
  const problems = verifyModule(mod);
  if (problems.length > 0) {
    return refuse(stderr, EXIT_INTERNAL, `internal error: generated bytecode failed verification:\n${problems.join('\n')}\n`);
  }
  trustedModule = true;
  try {
    return { ok: true, program: new LoadedProgram(mod, opts) };
  } finally {
    trustedModule = false;
  }
}

/** checkLoad, with an exception of the options' own (a Proxy's trap, a
 *  getter) reported as what is wrong with them. */
function checkLoadQuietly(file: unknown, source: unknown, opts: unknown): VmOptions | string {
  try {
    return checkLoad(file, source, opts);
  } catch (e) {
    return `invalid options: reading them threw ${e instanceof Error ? e.message : show(e)}`;
  }
}

/** Set while load() makes a LoadedProgram of the module it just verified and
 *  the options it just checked (the constructor checks anyone else's). */
let trustedModule = false;

function refuse(stderr: (t: string) => void, exitCode: number, text: string, errors: TierDiagnostic[] = []): LoadResult {
  stderr(text);
  return { ok: false, exitCode, errors, text };
}

function diagnosticsOf(file: string, front: FrontResult): TierDiagnostic[] {
  return front.diagnostics.map((d, i) => ({ file, line: d.line, column: d.col, message: d.message, text: front.formattedEach[i]! }));
}

export class LoadedProgram {
  private inst: Instance | null = null;
  private disposed = false;
  private readonly io: HostIo;
  private readonly byName = new Map<string, GuestFunction>();
  /** The tiers of the last instance, kept when it is disposed. */
  private tiersAtDispose: ReturnType<Tiering['report']> | null = null;

  /** Steps of the last outermost run() or call(), kept when it is disposed. */
  private stepsAtDispose: number | null = null;
  /** The interrupt flag, element 0, when the program is interruptible (loaded
   *  with interruptible, interruptBuffer, maxSteps or deadlineMs), else null.
   *  Over a SharedArrayBuffer where the host has one: hand it to another thread,
   *  which stops the run with `Atomics.store(buffer, 0, 1)`. A request made
   *  while no run is in progress stops the next run or call before it starts
   *  (`interrupted` with no guest frames); store 0 to withdraw it. A run stopped
   *  inside a call nested in an extern stays stopped: if the extern catches the
   *  error and returns, the run ends at the extern's call. */
  readonly interruptBuffer: Int32Array | null;

  /** The bytecode that runs: the program's own (`module` hands out copies). */
  private readonly mod: BcModule;
  private readonly opts: VmOptions;

  /** load() makes these. Made directly, from a module (such as another
   *  program's `module`) and options, both are checked as load() checks them
   *  (a TypeError for bad options, an Error for bytecode that does not
   *  verify), and the module is copied. */
  constructor(module: BcModule, opts: VmOptions = {}) {
    if (trustedModule) {
      this.mod = module;
      this.opts = opts;
    } else {
      const checked = checkLoadQuietly(module?.file ?? '', '', opts);
      if (typeof checked === 'string') throw new TypeError(checked);
      this.mod = structuredClone(module);
      const problems = verifyModule(this.mod);
      if (problems.length > 0) throw new Error(`the module does not verify:\n${problems.join('\n')}`);
      this.opts = checked;
    }
    module = this.mod;
    opts = this.opts;
    this.io = new HostIo(opts.stdout ?? defaultOut, opts.stderr ?? defaultErr, opts.stdin);
    module.signatures.forEach((sig, f) => this.byName.set(module.functions[f]!.name, new GuestFunction(f, module.functions[f]!.name, sig)));
    const wanted = opts.interruptible === true || opts.maxSteps !== undefined || opts.deadlineMs !== undefined;
    this.interruptBuffer = opts.interruptBuffer ?? (wanted ? newInterruptBuffer() : null);
  }

  /** Stop the run or call in progress (from an extern, an output callback, or
   *  any code holding this program) with `runtime error: interrupted` at its
   *  next poll, in every tier; made between runs, it stops the next one before
   *  it starts. Throws if the program is not interruptible; does nothing once
   *  it is disposed. */
  interrupt(): void {
    if (this.disposed) return;
    if (this.interruptBuffer === null) throw new Error('program.interrupt(): the program is not interruptible (load it with interruptible: true)');
    Atomics.store(this.interruptBuffer, 0, 1);
  }

  /** Steps the last outermost entry took (a run(), or a call() or fn() call
   *  made by the host, with the calls it made from externs), where maxSteps
   *  was set; null otherwise, and before the first entry. Read during a call
   *  nested in an extern: the steps of the entry in progress so far. */
  get lastSteps(): number | null {
    if (this.opts.maxSteps === undefined) return null;
    // (An instance exists only once an entry has started: its budget is set.)
    return this.inst === null ? this.stepsAtDispose : this.inst.rt.limits.stepsTaken;
  }

  /** Which functions are compiled, failed or interpreted now (null before the
   *  first run() or call()). */
  get lastTiers(): ReturnType<Tiering['report']> | null {
    return this.inst === null ? this.tiersAtDispose : this.inst.rt.tiering.report();
  }

  /** A copy of the verified bytecode (changing it changes nothing that runs). */
  get module(): BcModule { return structuredClone(this.mod); }

  disassemble(): string { return disassembleModule(this.mod); }

  /** The compiling backend of the live instance ('none': interpreter only);
   *  null before the first run() or call(). */
  get backend(): BackendName | null {
    return this.inst === null ? null : (this.inst.backend?.name ?? 'none');
  }

  /** The program's top-level functions and their signatures, in source order. */
  get functions(): FunctionInfo[] {
    return this.mod.signatures.map((s, f) => ({
      name: this.mod.functions[f]!.name, params: [...s.params], paramNames: [...s.paramNames], result: s.ret,
    }));
  }

  /** Run top-level function `name` with `args` (converted by its signature) and
   *  return its result converted back. A guest fault throws a TierRuntimeError;
   *  a wrong argument a TypeError; an exception of the embedder's own code is
   *  thrown as itself. */
  call(name: string, ...args: unknown[]): unknown {
    const g = this.lookUp(name);
    return this.live(g.name).invoke(g, args);
  }

  /** A function calling top-level function `name` (looked up once here), with
   *  the guest signature: its `length` is the number of parameters, its `name`
   *  the guest function's. The type parameters let TypeScript callers state
   *  it: `program.fn<[number, number], number>('add')`. */
  fn<A extends unknown[] = unknown[], R = unknown>(name: string): (...args: A) => R {
    const g = this.lookUp(name);
    const f = callable(() => this.live(g.name), g);
    Object.defineProperty(f, 'length', { value: g.arity });
    Object.defineProperty(f, 'name', { value: g.name });
    return f as (...args: A) => R;
  }

  /** Run main (the global initialisers first, if no call() ran them); returns
   *  the exit status. A runtime error is reported on stderr (status 1). An
   *  exception thrown by the embedder's own code (an extern, the stdout, stderr
   *  or stdin callback) ends the program and is thrown from here, as itself.
   *  Called again, runs main again in the same instance. */
  run(): number {
    this.checkLive();
    this.checkNotInCallback('run() cannot be called');
    if (this.inst !== null && this.inst.depth > 0) throw new Error('run() cannot be called during a call into the guest (from an extern)');
    const io = this.io;
    io.reset();
    let status = 1;
    try {
      const inst = this.inst ?? this.makeInstance(io.stderr);
      if (inst !== null) status = this.runMain(inst);
    } catch (e) {
      if (!(e instanceof HostFault)) throw e;
      io.note(e);
    }
    // A fault some layer swallowed (a backend takes any exception while compiling
    // for a failed compile) still ends the run here.
    if (io.fault !== null) throw handBack(this.inst?.rt ?? null, io.fault);
    if (this.inst === null) return status;
    const rt = this.inst.rt;
    const problems = rt.tiering.checkInvariants(rt.entries);
    if (problems.length > 0) throw new Error(`tiering invariant broken: ${problems.join('; ')}`);
    return status;
  }

  /** Free the program's memory and compiled code. Afterwards every use of the
   *  program, of a function from fn() and of its handles throws an Error
   *  (releasing a handle does nothing). Disposing twice does nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.checkNotInCallback('dispose() cannot be called');
    if (this.inst !== null && this.inst.depth > 0) throw new Error('dispose() cannot be called during a call into the guest (from an extern)');
    this.disposed = true;
    if (this.inst === null) return;
    this.tiersAtDispose = this.inst.rt.tiering.report();
    this.stepsAtDispose = this.lastSteps;
    this.inst.dispose();
    this.inst = null;
  }

  /** The live instance, made on first need, for an entry calling function
   *  `name` (throws when there can be none, the program was disposed, or one of
   *  the embedder's callbacks is running). */
  private live(name: string): Instance {
    const inst = this.inst;
    if (this.io.callback !== null) this.checkNotInCallback(`'${name}' cannot be called`);
    if (inst !== null) return inst;
    this.checkLive();
    this.io.reset();
    let made: Instance | null;
    try {
      made = this.makeInstance(null);
    } catch (e) {
      throw e instanceof HostFault ? handBack(null, e) : e;
    }
    return made!;
  }

  /** The instance, or null after reporting why there is none to `report` (or
   *  throwing it, without one). */
  private makeInstance(report: ((t: string) => void) | null): Instance | null {
    const made = createInstance(this.mod, this.opts, this.io, this.interruptBuffer);
    if (made instanceof Instance) return this.inst = made;
    if (report === null) throw made.error;
    report(made.text);
    return null;
  }

  /** The stdout, stderr and stdin callbacks and onTierEvent run with the guest
   *  stopped at a write, a read or a change of tier, where it cannot be entered
   *  again (an extern stops it at a call, which can): refuse. */
  private checkNotInCallback(what: string): void {
    const cb = this.io.callback;
    if (cb !== null) throw new Error(`${what} from the ${cb} callback (only an extern may call back into the guest)`);
  }

  private checkLive(): void {
    if (this.disposed) throw new Error(`the program ${this.mod.file} was disposed`);
  }

  private lookUp(name: string): GuestFunction {
    this.checkLive();
    if (typeof name !== 'string') throw new TypeError(`the function name must be a string, got ${show(name)}`);
    const g = this.byName.get(name);
    if (g === undefined) throw new TypeError(`${this.mod.file} has no function '${name.length > 80 ? name.slice(0, 80) + '...' : name}'${suggestion(name, this.byName.keys())}`);
    return g;
  }

  /** Initialisers (once), then main; a guest fault is reported and gives status 1. */
  private runMain(inst: Instance): number {
    const rt = inst.rt, stderr = this.io.stderr;
    let status: number;
    try {
      rt.topFp = -1;
      rt.escaping = null;
      rt.limits.start();
      rt.tiering.beginRun();
      inst.initialise();
      inst.runMain(this.opts.args ?? []);
      rt.out.flush();
      status = 0;
    } catch (e) {
      if (e instanceof HostFault) throw e;
      rt.out.flush();
      status = reportFailure(rt, e, stderr);
    }
    inst.emitCounts();
    rt.tiering.endRun();
    const o = this.opts;
    if (o.gcStats) stderr(rt.gc.summary() + '\n');
    const printCode = o.printCode ?? o.printWasm;
    if (printCode !== undefined && !inst.backend?.printed) stderr(nothingPrinted(rt, printCode, inst.backend) + '\n');
    return status;
  }
}

/** The embedder's exception, to throw from run(): guest output still buffered is
 *  delivered first (when stdout still works), and an extern's exception gets
 *  the guest trace where the value can take properties. */
function handBack(rt: Runtime | null, fault: HostFault): unknown {
  try { rt?.out.flush(); } catch (e) { if (!(e instanceof HostFault)) throw e; }
  if (fault.trace !== null) attachTrace(fault.value, fault.trace);
  return fault.value;
}

/** Why --print-code printed nothing. */
function nothingPrinted(rt: Runtime, name: string, backend: LazyBackend | null): string {
  const what = `tiervm: --print-code=${name}: nothing printed`;
  if (!rt.mod.functions.some((f) => f.name === name)) return `${what}: the program has no function '${name}'`;
  if (backend === null) return `${what}: no compiling backend in this run (--tier=interp, or a host without code generation)`;
  return `${what}: '${name}' was never compiled (${rt.tiering.report().failed.includes(name) ? 'it failed or was excluded, see --trace-tier' : 'not hot enough; try --tier=jit'})`;
}

/** A flag word other threads can set: shared memory where the host has it. */
function newInterruptBuffer(): Int32Array {
  return new Int32Array(typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : new ArrayBuffer(4));
}

function reportFailure(rt: Runtime, e: unknown, stderr: (t: string) => void): number {
  if (e instanceof TierRuntimeError) {
    stderr(e.text);
    return 1;
  }
  if (e instanceof GuestFault) {
    stderr(errorReport(e.trap.message, guestTrace(rt.mod, rt.mem.i32, e.site, e.trap.message)));
    return 1;
  }
  if (e instanceof Trap) {
    stderr(errorReport(e.message, null));
    return 1;
  }
  if (isHostStackOverflow(e)) {
    // The host stack ran out inside compiled code: report at the innermost frame
    // compiled code published, as a frame that did not fit.
    const fault = stackOverflowAt(rt.mem.i32, rt.topFp);
    return reportFailure(rt, fault, stderr);
  }
  const msg = e instanceof Error ? e.message : String(e);
  stderr(`internal error: ${msg}\n`);
  return EXIT_INTERNAL;
}

/** Convenience: load and run; returns the exit status. */
export function runSource(file: string, source: string, opts: VmOptions = {}): number {
  const loaded = load(file, source, opts);
  return loaded.ok ? loaded.program.run() : loaded.exitCode;
}

// ---- options ----------------------------------------------------------------------

type Check = (v: unknown) => string | null;

const isFunction: Check = (v) => (typeof v === 'function' ? null : `must be a function, got ${show(v)}`);
const isBoolean: Check = (v) => (typeof v === 'boolean' ? null : `must be true or false, got ${show(v)}`);
const isString: Check = (v) => (typeof v === 'string' ? null : `must be a string, got ${show(v)}`);
const inRange = (name: Limited): Check => (v) => {
  const why = rangeProblem(name, v);
  return why === null ? null : `${why}, got ${show(v)}`;
};

/** The check of every option: a Record over the option names, so an option added
 *  to VmOptions without its check does not compile. */
const OPTION_CHECKS: { readonly [K in keyof Required<VmOptions>]: Check } = {
  tier: (v) => ((TIERS as readonly unknown[]).includes(v) ? null : `must be one of ${TIERS.map((t) => `'${t}'`).join(', ')}, got ${show(v)}`),
  args: (v) => (isStringArray(v) ? null : `must be an array of strings, got ${show(v)}`),
  maxHeapMB: inRange('maxHeapMB'),
  stackSizeKB: inRange('stackSizeKB'),
  stdout: isFunction,
  stdin: (v) => (typeof v === 'string' || typeof v === 'function' ? null : `must be a string or a function, got ${show(v)}`),
  stderr: isFunction,
  externs: externsProblem,
  gcStress: isBoolean,
  verifyHeap: isBoolean,
  ropeStress: isBoolean,
  osrExitStress: isBoolean,
  traceGc: isBoolean,
  gcStats: isBoolean,
  jitThreshold: inRange('jitThreshold'),
  traceTier: isBoolean,
  traceDeopt: isBoolean,
  deoptStress: isBoolean,
  onTierEvent: isFunction,
  tierEventCode: isBoolean,
  lineBuffered: isBoolean,
  flushMs: (v) => (typeof v === 'number' && v >= 0 && v <= 3_600_000 ? null : `must be a number of milliseconds, 0..3600000, got ${show(v)}`),
  printCode: isString,
  printWasm: isString,
  jitFilter: (v) => isString(v) ?? regExpProblem(v as string),
  inline: isBoolean,
  adapters: (v) => ((ADAPTER_MODES as readonly unknown[]).includes(v) ? null : `must be one of ${ADAPTER_MODES.map((m) => `'${m}'`).join(', ')}, got ${show(v)}`),
  hostStackSlots: inRange('hostStackSlots'),
  backend: (v) => (v === 'wasm' || v === 'js' ? null : `must be 'wasm' or 'js', got ${show(v)}`),
  compile: (v) => (v === 'sync' || v === 'thread' ? null : `must be 'sync' or 'thread', got ${show(v)}`),
  maxSteps: inRange('maxSteps'),
  maxCodeKB: inRange('maxCodeKB'),
  deadlineMs: (v) => { const why = deadlineProblem(v); return why === null ? null : `${why}, got ${show(v)}`; },
  interruptible: isBoolean,
  interruptBuffer: (v) => (v instanceof Int32Array && v.length >= 1 ? null
    : `must be an Int32Array of at least one element (over a SharedArrayBuffer to set it from another thread), got ${show(v)}`),
};

/** The options to keep (a copy: they are read once, here), or what is wrong, as
 *  the rest of the one-line report. */
function checkLoad(file: unknown, source: unknown, opts: unknown): VmOptions | string {
  if (typeof file !== 'string') return `invalid argument file: must be a string, got ${show(file)}`;
  if (typeof source !== 'string') return `invalid argument source: must be a string, got ${show(source)}`;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) return `invalid options: must be an object, got ${show(opts)}`;
  const o = { ...opts } as Record<string, unknown>;
  for (const [name, value] of Object.entries(o)) {
    if (!Object.hasOwn(OPTION_CHECKS, name)) return `invalid option ${name}: unknown option${suggestion(name)}`;
    if (value === undefined) { delete o[name]; continue; }
    const why = OPTION_CHECKS[name as keyof VmOptions](value);
    if (why !== null) return `invalid option ${name}: ${why}`;
  }
  const kept = o as VmOptions;
  if (kept.maxHeapMB !== undefined) {
    const why = memoryProblem(kept.maxHeapMB, kept.stackSizeKB ?? DEFAULTS.stackSizeKB);
    if (why !== null) return `invalid option maxHeapMB: ${why}`;
  }
  const t2 = tier2Problem(kept.tier ?? DEFAULTS.tier, kept.backend, kept.deoptStress ?? DEFAULTS.deoptStress);
  if (t2 !== null) return `invalid option ${kept.deoptStress ? 'deoptStress' : 'tier'}: ${t2}`;
  if (kept.args) kept.args = [...kept.args];
  if (kept.externs) kept.externs = ownExterns(kept.externs);
  return kept;
}

function isStringArray(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;   // holes too
  return true;
}

/** Externs must be a plain object (nothing is looked up on another prototype)
 *  whose own properties all hold functions. */
function externsProblem(v: unknown): string | null {
  const what = 'must be a plain object whose own properties are the extern functions';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${what}, got ${show(v)}`;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return `${what}, got an object with another prototype`;
  for (const name of Object.getOwnPropertyNames(v)) {
    const d = Object.getOwnPropertyDescriptor(v, name)!;
    if (!('value' in d)) return `property '${name}' is an accessor; give the function itself`;
    if (typeof d.value !== 'function') return `property '${name}' must be a function, got ${show(d.value)}`;
  }
  return null;
}

function regExpProblem(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (e) {
    return `not a regular expression: ${show(source)} (${(e as Error).message})`;
  }
}

/** ` (did you mean 'X'?)` for a known name (an option by default) within two
 *  edits of `name` (one for a name of 2 or 3 characters, none for one). */
function suggestion(name: string, known: Iterable<string> = Object.keys(OPTION_CHECKS)): string {
  if (name.length > 64) return '';
  const most = Math.min(2, name.length >> 1);
  const near = [...known].find((k) => editDistance(name.toLowerCase(), k.toLowerCase()) <= most);
  return near === undefined ? '' : ` (did you mean '${near}'?)`;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/** A value as a report shows it: strings quoted, numbers as written, else a kind. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return 'a symbol';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return `${v.constructor.name}(${(v as Uint8Array).length})`;
  return typeof v === 'function' ? 'a function' : 'an object';
}

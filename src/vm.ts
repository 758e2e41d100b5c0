// The public API: load a Tier program, then run it.
//
// load() checks every option, runs the front-end, lowers to bytecode and verifies
// it; run() creates the runtime, runs the global initialisers and then main, and
// turns guest faults into the contract's `runtime error:` report. Nothing here
// prints directly: output and diagnostics go to the stdout/stderr callbacks, so
// embedders and tests capture them. Program output is always flushed before a
// diagnostic is written.
//
// The embedder's own code — externs and the stdout/stderr callbacks — may throw.
// Such an exception is never a guest error nor a VM bug: run() stops the program
// and throws the very same value back to its caller (an extern's exception gets
// a `guestTrace` property, the guest stack trace of the call, where the value
// can take one). See README.md, "Embedding".

import { compileFront } from './front/index.js';
import { lowerProgram } from './front/lower.js';
import { verifyModule } from './bytecode/verify.js';
import { disassembleModule } from './bytecode/disasm.js';
import type { BcModule } from './bytecode/module.js';
import { Runtime, type HostFunction, type RuntimeOptions } from './runtime/runtime.js';
import { hostHasWasmMemory } from './runtime/memory.js';
import { LineInput } from './runtime/input.js';
import { formatTrace, Trap, stackOverflowAt } from './runtime/errors.js';
import { HostFault, ownExterns, missingExterns } from './runtime/externs.js';
import { run as interpret } from './interp/interpreter.js';
import { GuestFault } from './runtime/errors.js';
import { Tiering, type Backend } from './runtime/tiering.js';
import type { CompilingBackend } from './jit/backend.js';
import { WasmBackend, hostCanCompileWasm } from './jit/wasm/backend.js';
import { JsBackend, hostCanCompileJs } from './jit/js/backend.js';
import { DEFAULTS, TIERS, HOST_STACK, FUEL_POLL_STEPS, rangeProblem, memoryProblem, deadlineProblem, defaultMaxHeapMB,
  type Tier, type Limited } from './config.js';

export { DEFAULTS } from './config.js';
export type { Tier } from './config.js';

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
  /** Write one line per collection to stderr. */
  traceGc?: boolean;
  /** Write a summary of all collections to stderr when the program ends. */
  gcStats?: boolean;
  /** Calls or loop back-edges before compiling (1: at every chance). */
  jitThreshold?: number;
  /** Write one line per compile, install, adapter and OSR entry to stderr. */
  traceTier?: boolean;
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
  /** Force one compiling backend (default: wasm where the host has WebAssembly,
   *  else js where it allows code generation from strings). */
  backend?: 'wasm' | 'js';
  /** Fuel: the steps one run may take, 1..2^53-1; a step is a guest function
   *  call or a loop back-edge. Step N + 1 ends the run with `runtime error: out
   *  of fuel` and the guest trace, at the same step in every tier and backend. */
  maxSteps?: number;
  /** The run ends with `runtime error: interrupted` once this many milliseconds
   *  (a positive number, at most 2^31 - 1) have passed since run() started;
   *  checked every few thousand steps. */
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
  | { ok: false; exitCode: number };

/** Exit status for a bug inside tiervm (reported as `internal error: ...`). */
export const EXIT_INTERNAL = 70;

function defaultOut(text: string): void { process.stdout.write(text); }
function defaultErr(text: string): void { process.stderr.write(text); }

/** Exit status for a bad option (or argument) of load(), as for a bad flag. */
export const EXIT_USAGE = 2;

/** Check the options, compile and verify `source`; diagnostics go to opts.stderr.
 *  A bad option is one line, `tiervm: invalid option NAME: WHY`, and exit status 2. */
export function load(file: string, source: string, opts: VmOptions = {}): LoadResult {
  const checked = checkLoad(file, source, opts);
  if (typeof checked === 'string') {
    const own = (opts as { stderr?: unknown } | null)?.stderr;
    (typeof own === 'function' ? own as (t: string) => void : defaultErr)(`tiervm: ${checked}\n`);
    return { ok: false, exitCode: EXIT_USAGE };
  }
  opts = checked;
  const stderr = opts.stderr ?? defaultErr;
  const front = compileFront(file, source);
  if (!front.checked) {
    stderr(front.formatted);
    return { ok: false, exitCode: 1 };
  }
  let mod: BcModule;
  try {
    mod = lowerProgram(front.checked);
  } catch (e) {
    stderr(`internal error: lowering failed: ${(e as Error).message}\n`);
    return { ok: false, exitCode: EXIT_INTERNAL };
  }
  const problems = verifyModule(mod);
  if (problems.length > 0) {
    stderr(`internal error: generated bytecode failed verification:\n${problems.join('\n')}\n`);
    return { ok: false, exitCode: EXIT_INTERNAL };
  }
  return { ok: true, program: new LoadedProgram(mod, opts) };
}

/** One run's runtime and compiling backend (null: none). */
interface Run { rt: Runtime; backend: CompilingBackend<unknown> | null }

export class LoadedProgram {
  /** Which functions ended up compiled in the last run (for tests and tools). */
  lastTiers: ReturnType<Tiering['report']> | null = null;
  /** Steps the last run took, where maxSteps was set (for tests and tools). */
  lastSteps: number | null = null;
  /** The interrupt flag, element 0, when the program is interruptible (loaded
   *  with interruptible, interruptBuffer, maxSteps or deadlineMs), else null.
   *  Over a SharedArrayBuffer where the host has one: hand it to another thread,
   *  which stops the run with `Atomics.store(buffer, 0, 1)`. A request made
   *  while no run is in progress stops the next run at its first step; store 0
   *  to withdraw it. */
  readonly interruptBuffer: Int32Array | null;

  constructor(readonly module: BcModule, private readonly opts: VmOptions) {
    const wanted = opts.interruptible === true || opts.maxSteps !== undefined || opts.deadlineMs !== undefined;
    this.interruptBuffer = opts.interruptBuffer ?? (wanted ? newInterruptBuffer() : null);
  }

  /** Stop the run in progress (from an extern, an output callback, or any code
   *  holding this program) with `runtime error: interrupted` at its next poll,
   *  in every tier. Throws if the program is not interruptible. */
  interrupt(): void {
    if (this.interruptBuffer === null) throw new Error('program.interrupt(): the program is not interruptible (load it with interruptible: true)');
    Atomics.store(this.interruptBuffer, 0, 1);
  }

  disassemble(): string { return disassembleModule(this.module); }

  /** Run global initialisers and main; returns the exit status. An exception
   *  thrown by the embedder's own code (an extern, the stdout, stderr or stdin
   *  callback) ends the program and is thrown from here, as itself. */
  run(): number {
    let hostFault: HostFault | null = null;
    const noteFault = (f: HostFault) => { hostFault ??= f; };
    const stdout = guardedSink(this.opts.stdout ?? defaultOut, noteFault);
    const stderr = guardedSink(this.opts.stderr ?? defaultErr, noteFault);
    const stdin = this.opts.stdin;
    const input = stdin === undefined ? LineInput.empty()
      : typeof stdin === 'string' ? LineInput.fromText(stdin) : new LineInput(guardedSource(stdin, noteFault));
    let run: Run | null = null;
    let status = 1;
    try {
      run = this.start(stdout, stderr, input);
      if (run !== null) status = this.runGuest(run, stderr);
    } catch (e) {
      if (!(e instanceof HostFault)) throw e;
      noteFault(e);
    }
    // A fault some layer swallowed (a backend takes any exception while compiling
    // for a failed compile) still ends the run here.
    if (hostFault !== null) throw handBack(run?.rt ?? null, hostFault);
    if (run === null) return status;
    const rt = run.rt;
    this.lastTiers = rt.tiering.report();
    this.lastSteps = this.opts.maxSteps === undefined ? null : rt.limits.stepsTaken;
    const problems = rt.tiering.checkInvariants(rt.entries);
    if (problems.length > 0) throw new Error(`tiering invariant broken: ${problems.join('; ')}`);
    return status;
  }

  /** The runtime, its backend and tiering policy for one run; null (reported)
   *  when an extern is missing. */
  private start(stdout: (t: string) => void, stderr: (t: string) => void, stdin: LineInput): Run | null {
    const o = this.opts;
    const externs = o.externs ?? {};
    const missing = missingExterns(this.module, externs);
    if (missing.length > 0) {
      stderr(missing.map((n) => `error: extern function ${n} is not provided\n`).join(''));
      return null;
    }
    const stackSizeKB = o.stackSizeKB ?? DEFAULTS.stackSizeKB;
    const rt = newRuntime(this.module, {
      maxHeapBytes: (o.maxHeapMB ?? defaultMaxHeapMB(stackSizeKB)) * 1024 * 1024,
      stackBytes: stackSizeKB * 1024,
      stdout,
      stdin,
      externs,
      useWasmMemory: hostHasWasmMemory(),
      gcStress: o.gcStress ?? DEFAULTS.gcStress,
      verifyHeap: o.verifyHeap ?? DEFAULTS.verifyHeap,
      traceGc: o.traceGc ? (line) => stderr(line + '\n') : null,
      limits: { maxSteps: o.maxSteps ?? null, deadlineMs: o.deadlineMs ?? null, interrupt: this.interruptBuffer, pollSteps: FUEL_POLL_STEPS },
    });
    if (rt === null) {
      stderr('runtime error: out of memory\n');
      return null;
    }
    rt.interpretFrame = (fp, interpretEntry) => interpret(rt, fp, interpretEntry);
    const backend = makeBackend(rt, o, stderr);
    if (backend !== null) {
      rt.hostStackSlots = o.hostStackSlots ?? HOST_STACK[backend.name].slots;
      rt.crossingSlots = HOST_STACK[backend.name].crossingSlots;
    }
    rt.tiering = makeTiering(rt, o, backend, stderr);
    return { rt, backend };
  }

  /** Initialisers, then main; a guest fault is reported and gives status 1. */
  private runGuest({ rt, backend }: Run, stderr: (t: string) => void): number {
    let status: number;
    try {
      rt.resetHostLimit();
      rt.limits.start();
      if (rt.tiering.opts.mode === 'jit') rt.tiering.compileAll();
      interpret(rt, rt.pushEntryFrame(this.module.initIndex, []));
      const mainArgs = this.module.mainTakesArgs ? [rt.newStringArray(this.opts.args ?? [])] : [];
      interpret(rt, rt.pushEntryFrame(this.module.mainIndex, mainArgs));
      rt.out.flush();
      status = 0;
    } catch (e) {
      if (e instanceof HostFault) throw e;
      rt.out.flush();
      status = reportFailure(rt, e, stderr);
    }
    const o = this.opts;
    if (o.gcStats) stderr(rt.gc.summary() + '\n');
    const printCode = o.printCode ?? o.printWasm;
    if (printCode !== undefined && !backend?.printed) stderr(nothingPrinted(rt, printCode, backend) + '\n');
    return status;
  }
}

/** A flag word other threads can set: shared memory where the host has it. */
function newInterruptBuffer(): Int32Array {
  return new Int32Array(typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : new ArrayBuffer(4));
}

/** The runtime, or null when the host refuses the linear memory it needs (the
 *  frame stack is reserved up front): that is the guest's `out of memory`. */
function newRuntime(mod: BcModule, opts: RuntimeOptions): Runtime | null {
  try {
    return new Runtime(mod, opts);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/** An output callback whose exception becomes a HostFault (noted once; every
 *  later call throws it again, so a fault swallowed on the way still stops the
 *  program at its next write). */
function guardedSink(sink: (text: string) => void, noteFault: (f: HostFault) => void): (text: string) => void {
  let failed: HostFault | null = null;
  return (text) => {
    if (failed !== null) throw failed;
    try {
      sink(text);
    } catch (e) {
      failed = e instanceof HostFault ? e : new HostFault(e, null);
      noteFault(failed);
      throw failed;
    }
  };
}

/** The embedder's stdin function, guarded like the output callbacks: what it
 *  throws, or a piece that is neither a string nor null, ends the run and is
 *  thrown from run() (a TypeError for a wrong piece). */
function guardedSource(next: () => string | null, noteFault: (f: HostFault) => void): () => string | null {
  return () => {
    let piece: unknown;
    try {
      piece = next();
    } catch (e) {
      const fault = new HostFault(e, null);
      noteFault(fault);
      throw fault;
    }
    if (piece === null || typeof piece === 'string') return piece;
    const fault = new HostFault(new TypeError(`stdin returned ${typeof piece}, expected a string or null`), null);
    noteFault(fault);
    throw fault;
  };
}

/** The embedder's exception, to throw from run(): guest output still buffered is
 *  delivered first (when stdout still works), and an extern's exception gets
 *  the guest trace as `guestTrace` where the value can take a property. */
function handBack(rt: Runtime | null, fault: HostFault): unknown {
  try { rt?.out.flush(); } catch (e) { if (!(e instanceof HostFault)) throw e; }
  const v = fault.value;
  if (fault.guestTrace !== null && (typeof v === 'object' || typeof v === 'function') && v !== null) {
    try {
      Reflect.defineProperty(v, 'guestTrace', { value: fault.guestTrace, writable: true, enumerable: true, configurable: true });
    } catch { /* a proxy that refuses: the exception still goes back unchanged */ }
  }
  return v;
}

/** The compiling backend for this run: WebAssembly where the host can run it,
 *  else JavaScript where the host allows code generation from strings (o.backend
 *  forces one); null for --tier=interp or a host with neither. */
function makeBackend(rt: Runtime, o: VmOptions, stderr: (t: string) => void): CompilingBackend<unknown> | null {
  const mode = o.tier ?? DEFAULTS.tier;
  if (mode === 'interp') return null;
  const trace = o.traceTier ? (line: string) => stderr(line + '\n') : null;
  const opts = { trace, printCode: o.printCode ?? o.printWasm ?? null, print: stderr, inline: o.inline ?? DEFAULTS.inline };
  const want = o.backend ?? null;
  if (want !== 'js' && rt.mem.wasm && hostCanCompileWasm()) return new WasmBackend(rt, opts);
  if (want !== 'wasm' && hostCanCompileJs()) {
    trace?.(`[tier] backend: js (${want === 'js' ? 'forced' : 'no WebAssembly on this host'})`);
    return new JsBackend(rt, opts);
  }
  trace?.(`[tier] no ${want === null ? '' : want + ' '}backend on this host: every function stays interpreted`);
  return null;
}

function makeTiering(rt: Runtime, o: VmOptions, backend: Backend | null, stderr: (t: string) => void): Tiering {
  const trace = o.traceTier ? (line: string) => stderr(line + '\n') : null;
  const names = rt.mod.functions.map((f) => f.name);
  const filter = o.jitFilter ? new RegExp(o.jitFilter) : null;
  return new Tiering(names, backend, { mode: o.tier ?? DEFAULTS.tier, threshold: o.jitThreshold ?? DEFAULTS.jitThreshold, trace, filter });
}

/** Why --print-code printed nothing. */
function nothingPrinted(rt: Runtime, name: string, backend: CompilingBackend<unknown> | null): string {
  const what = `tiervm: --print-code=${name}: nothing printed`;
  if (!rt.mod.functions.some((f) => f.name === name)) return `${what}: the program has no function '${name}'`;
  if (backend === null) return `${what}: no compiling backend in this run (--tier=interp, or a host without code generation)`;
  return `${what}: '${name}' was never compiled (${rt.tiering.report().failed.includes(name) ? 'it failed or was excluded, see --trace-tier' : 'not hot enough; try --tier=jit'})`;
}

function reportFailure(rt: Runtime, e: unknown, stderr: (t: string) => void): number {
  if (e instanceof GuestFault) {
    const trace = formatTrace(rt.mod, rt.mem.i32, e.site);
    stderr(`runtime error: ${e.trap.message}\n${trace.map((l) => l + '\n').join('')}`);
    return 1;
  }
  if (e instanceof Trap) {
    stderr(`runtime error: ${e.message}\n`);
    return 1;
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
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
  traceGc: isBoolean,
  gcStats: isBoolean,
  jitThreshold: inRange('jitThreshold'),
  traceTier: isBoolean,
  printCode: isString,
  printWasm: isString,
  jitFilter: (v) => isString(v) ?? regExpProblem(v as string),
  inline: isBoolean,
  hostStackSlots: inRange('hostStackSlots'),
  backend: (v) => (v === 'wasm' || v === 'js' ? null : `must be 'wasm' or 'js', got ${show(v)}`),
  maxSteps: inRange('maxSteps'),
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

/** ` (did you mean 'X'?)` for a known option within two edits of `name`. */
function suggestion(name: string): string {
  const near = Object.keys(OPTION_CHECKS).find((known) => editDistance(name.toLowerCase(), known.toLowerCase()) <= 2);
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
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'function' ? 'a function' : 'an object';
}

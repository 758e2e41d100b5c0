// The tiervm command line: argument parsing, file reading, exit statuses.
//
// Exit statuses: 0 ok; 1 a program error (compile or runtime, or a missing
// extern), or output that cannot be written; 2 a usage error (bad flag, a file
// that cannot be read), reported in one line; 70 an internal error of tiervm;
// 141 standard output or error was a closed pipe (see cli-io.ts). Options may
// stand before or after the command but before FILE; everything after FILE
// belongs to the program. Standard input is never read by tiervm itself.

import { openSync, readSync, closeSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { load, DEFAULTS, type VmOptions } from './vm.js';
import { TIERS, LIMITS, ADAPTER_MODES, WASM_HOST, type AdapterMode, rangeProblem, memoryProblem, deadlineProblem, tier2Problem, MAX_DEADLINE_MS, type Limited, type Tier } from './config.js';
import { DEFAULT_CALL_THRESHOLD, DEFAULT_LOOP_THRESHOLD, COMPILE_GRACE_MS, COMPILE_SHARE } from './runtime/tiering.js';
import { writeAll, runJob, withExitStatus, exitStatusOf } from './cli-io.js';
import { printable } from './front/index.js';


const HELP = `Usage: tiervm <command> [options] FILE [ARGS...]

Commands:
  run FILE [ARGS...]   compile FILE and run it; ARGS become main's [str] argument
  run -e CODE [ARGS...]
                       the same with the program text CODE (file name <eval>);
                       check and disasm take -e CODE too
  check FILE           compile FILE and report errors; run nothing
  disasm FILE          print the verified bytecode of every function

Options:
  --tier=TIER          execution tier: ${TIERS.join(', ')} (default ${DEFAULTS.tier})
  --max-heap=MB        heap limit in MiB, ${LIMITS.maxHeapMB.min}..${LIMITS.maxHeapMB.max}; heap and stack together at most
                       2 GiB - 64 KiB (default: what the stack leaves, ${DEFAULTS.maxHeapMB})
  --stack-size=KB      frame stack size in KiB, ${LIMITS.stackSizeKB.min}..${LIMITS.stackSizeKB.max} (default ${DEFAULTS.stackSizeKB})
  --jit-threshold=N    calls or loop iterations before a function is compiled, 1..2^30
                       (default: ${DEFAULT_CALL_THRESHOLD} calls, ${DEFAULT_LOOP_THRESHOLD} loop iterations, and ${DEFAULTS.jitThreshold} calls
                       of compiled code before tier 2, which also waits a quarter of the
                       function's compile time; and a function waits while compiles took
                       more than ${COMPILE_GRACE_MS} ms plus ${COMPILE_SHARE * 100}% of the run so far;
                       1 = compile and enter loops at every chance)
  --max-steps=N        fuel: stop with 'runtime error: out of fuel' when the program
                       would take more than N steps, 1..2^53-1 (a step is a call of a
                       guest function or a jump back to the top of a loop; the same
                       step in every tier)
  --deadline-ms=MS     stop with 'runtime error: interrupted' once the run has lasted
                       MS milliseconds (a positive number, at most ${MAX_DEADLINE_MS}; a
                       read of standard input that blocks is waited out first)
  --max-code=KB        compile memory: keep at most KB KiB of generated code,
                       ${LIMITS.maxCodeKB.min}..${LIMITS.maxCodeKB.max}; past it functions stay interpreted
  --trace-tier         print one line per compile, install, adapter and OSR entry
  --trace-deopt        print one line per deoptimization of tier-2 code (function,
                       bytecode position, reason) and per invalidation
  --deopt-stress       every guard of tier-2 code fails the first time it is
                       reached, so every deopt path runs (debug; wasm backend)
  --compile=MODE       where hot functions compile: sync (on the program's thread when
                       they become hot, default) or thread (on a compiler thread
                       while the program runs on; slower to start, see
                       docs/architecture.md)
  --jit-backend=B      compiling backend: wasm or js (default: wasm where the host
                       has WebAssembly, else js where it allows eval)
  --print-code=FN      print the code generated for function FN when it is compiled:
                       WAT from the wasm backend, JavaScript from the js backend
                       (--print-wasm=FN is the same); says so if FN never is
  --jit-filter=REGEX   compile only functions whose names match (debug)
  --no-inline          never inline functions into compiled code (debug)
  --adapters=MODE      crossings between interpreter and compiled code: generated
                       (an adapter per signature shape, default) or generic (a few
                       that read the signature at run time; slower, to measure)
  --host-stack-slots=N host-stack budget of compiled code in frame slots, fixed
                       (it no longer grows); 1 runs every compiled call in the
                       interpreter (debug)
  --gc-stress          collect garbage at every allocation (debug)
  --verify-heap        check heap invariants around every collection (debug)
  --rope-stress        make every concatenation of two non-empty strings a rope
                       (debug; normally from 256 code units)
  --osr-exit-stress    loops entered in compiled code by OSR leave it at every
                       back-edge to an outermost loop and are entered again
                       (debug; normally only where the host first runs wasm in
                       baseline code, as when embedded: docs/architecture.md)
  --trace-gc           print one line per collection to stderr
  --gc-stats           print a summary of all collections to stderr at exit
  -h, --help           print this help and exit
  --version            print the version and exit

FILE is read whole (at most 16 MiB of UTF-8, and what node's heap can compile;
one leading byte order mark is skipped).
After the command, -- ends the options: FILE follows it, even one starting with -.

Exit status: 0 ok, 1 compile or runtime error (or output that cannot be written),
2 usage error, 70 internal error, 141 output to a closed pipe.
`;

class UsageError extends Error {}

interface Parsed {
  command: string; file: string; args: string[]; opts: VmOptions; help: boolean; version: boolean;
  /** The program given with -e CODE instead of a FILE. */
  evalSource?: string;
}

/** The file name diagnostics and stack traces give a program passed with -e. */
const EVAL_FILE = '<eval>';

/** The value of a numeric flag, in the range config.ts gives the setting. */
function wholeNumber(flag: string, v: string, setting: Limited): number {
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  const why = rangeProblem(setting, n);
  if (why !== null) throw new UsageError(`${flag} ${why}, got '${v}'`);
  return n;
}

/** A positive number of milliseconds (fractions allowed), as deadlineMs takes. */
function milliseconds(flag: string, v: string): number {
  const n = /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : NaN;
  const why = deadlineProblem(n);
  if (why !== null) throw new UsageError(`${flag} ${why}, got '${v}'`);
  return n;
}

function noValue(flag: string, value: string | null): true {
  if (value !== null) throw new UsageError(`${flag} takes no value`);
  return true;
}

function parseArgs(argv: string[]): Parsed {
  const p: Parsed = { command: '', file: '', args: [], opts: {}, help: false, version: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' || a === '--eval') {
      if (!p.command) throw new UsageError(`${a} comes after the command (tiervm run -e 'CODE')`);
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs the program text (tiervm run -e 'CODE')`);
      p.evalSource = argv[i + 1]!;
      p.file = EVAL_FILE;
      p.args = argv.slice(i + 2);
      break;
    }
    if (a === '--' && p.command) {
      // The end of the options: FILE (which may start with '-') and its ARGS follow.
      if (i + 1 < argv.length) { p.file = argv[i + 1]!; p.args = argv.slice(i + 2); }
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (!p.command) {
        if (a === '') throw new UsageError("unknown command '' (see tiervm --help)");
        p.command = a;
        continue;
      }
      p.file = a;
      p.args = argv.slice(i + 1);
      break;
    }
    parseOption(a, p);
  }
  return p;
}

function parseOption(a: string, p: Parsed): void {
  const eq = a.indexOf('=');
  const flag = eq < 0 ? a : a.slice(0, eq);
  const value = eq < 0 ? null : a.slice(eq + 1);
  const need = () => { if (value === null) throw new UsageError(`${flag} needs a value (${flag}=...)`); return value; };
  switch (flag) {
    case '-h': case '--help': p.help = noValue(flag, value); return;
    case '--version': p.version = noValue(flag, value); return;
    case '--tier': {
      const t = need();
      if (!TIERS.includes(t as Tier)) throw new UsageError(`--tier: unknown tier '${t}' (available: ${TIERS.join(', ')})`);
      p.opts.tier = t as Tier;
      return;
    }
    case '--max-heap': p.opts.maxHeapMB = wholeNumber(flag, need(), 'maxHeapMB'); return;
    case '--stack-size': p.opts.stackSizeKB = wholeNumber(flag, need(), 'stackSizeKB'); return;
    case '--jit-threshold': p.opts.jitThreshold = wholeNumber(flag, need(), 'jitThreshold'); return;
    case '--max-steps': p.opts.maxSteps = wholeNumber(flag, need(), 'maxSteps'); return;
    case '--max-code': p.opts.maxCodeKB = wholeNumber(flag, need(), 'maxCodeKB'); return;
    case '--deadline-ms': p.opts.deadlineMs = milliseconds(flag, need()); return;
    case '--trace-tier': p.opts.traceTier = noValue(flag, value); return;
    case '--trace-deopt': p.opts.traceDeopt = noValue(flag, value); return;
    case '--deopt-stress': p.opts.deoptStress = noValue(flag, value); return;
    case '--no-inline': noValue(flag, value); p.opts.inline = false; return;
    case '--host-stack-slots': p.opts.hostStackSlots = wholeNumber(flag, need(), 'hostStackSlots'); return;
    case '--print-code': case '--print-wasm': p.opts.printCode = need(); return;
    case '--compile': {
      const m = need();
      if (m !== 'sync' && m !== 'thread') throw new UsageError(`--compile: unknown mode '${m}' (available: sync, thread)`);
      p.opts.compile = m;
      return;
    }
    case '--jit-backend': {
      const b = need();
      if (b !== 'wasm' && b !== 'js') throw new UsageError(`--jit-backend: unknown JIT backend '${b}' (available: wasm, js)`);
      p.opts.backend = b;
      return;
    }
    case '--adapters': {
      const m = need();
      if (!ADAPTER_MODES.includes(m as AdapterMode)) throw new UsageError(`--adapters: unknown adapter mode '${m}' (available: ${ADAPTER_MODES.join(', ')})`);
      p.opts.adapters = m as AdapterMode;
      return;
    }
    case '--jit-filter': {
      const re = need();
      try { new RegExp(re); } catch { throw new UsageError(`--jit-filter: not a regular expression: '${re}'`); }
      p.opts.jitFilter = re;
      return;
    }
    case '--gc-stress': p.opts.gcStress = noValue(flag, value); return;
    case '--verify-heap': p.opts.verifyHeap = noValue(flag, value); return;
    case '--rope-stress': p.opts.ropeStress = noValue(flag, value); return;
    case '--osr-exit-stress': p.opts.osrExitStress = noValue(flag, value); return;
    case '--trace-gc': p.opts.traceGc = noValue(flag, value); return;
    case '--gc-stats': p.opts.gcStats = noValue(flag, value); return;
    default: throw new UsageError(`unknown option '${a}' (see tiervm --help)`);
  }
}

/** V8 first compiles wasm with its baseline compiler and optimizes a function
 *  after enough calls — but it never replaces code that is already running, so a
 *  compiled function that runs long in one call (a main loop entered by OSR) would
 *  stay in baseline code: mandelbrot ran 1.75x and fannkuch 2x slower. tiervm's
 *  command line compiles only hot code, so it asks V8 to optimize it right away.
 *  And to do it when the module is compiled, not lazily at a function's first
 *  call: the compiler thread then makes the optimized code (src/jit/thread.ts),
 *  where a lazy compile would make it on the program's thread at that call.
 *  And to read the branch hints compiled code carries (the slow path of a fuel
 *  step is hinted as rarely taken, so V8 lays it out of line and keeps the
 *  loop's values in registers: runtime/limits.ts; node 20 reads them only under
 *  this flag). (Embedders decide for their own process.) The flags are set
 *  before the first wasm backend is built (main, WASM_HOST.prepare). */
export const V8_FLAGS = ['--no-liftoff', '--no-wasm-lazy-compilation', '--experimental-wasm-branch-hinting'];

function preferOptimizedWasm(): void {
  const v8 = nodeV8();
  let set = 0;
  for (const flag of V8_FLAGS) {
    try { v8?.setFlagsFromString(flag); set++; } catch { /* not V8, or flag unknown: nothing to do */ }
  }
  WASM_HOST.optimizesAtOnce = v8 !== null && set === V8_FLAGS.length;
  if (!WASM_HOST.optimizesAtOnce) return;
  WASM_HOST.baseline = (compile) => withFlags(v8!, ['--liftoff'], ['--no-liftoff'], compile);
  WASM_HOST.baselineOnly = (compile) => withFlags(v8!, ['--liftoff', '--no-wasm-tier-up'], ['--no-liftoff', '--wasm-tier-up'], compile);
}

/** Makes this process's wasm host the command line's: V8's flags set when the
 *  first wasm backend is built, and tier-1 code whose calls end soon compiled
 *  in Liftoff (config.ts, WASM_HOST). bench/fresh-ab.mjs uses it too. */
export function useCommandLineWasmHost(): void {
  WASM_HOST.prepare = preferOptimizedWasm;
}

/** `compile` run with V8's flags `on` set, and `off` set after it. With
 *  `--liftoff`, the module it compiles gets Liftoff code, which V8 replaces
 *  with optimized code compiled in the background once a function is hot
 *  (dynamic tiering); with `--no-wasm-tier-up` too, never. V8 reads these
 *  flags when it compiles a module, so the modules compiled before and after
 *  keep --no-liftoff. */
function withFlags<T>(v8: { setFlagsFromString(flag: string): void }, on: readonly string[], off: readonly string[], compile: () => T): T {
  for (const f of on) v8.setFlagsFromString(f);
  try {
    return compile();
  } finally {
    for (const f of off) v8.setFlagsFromString(f);
  }
}

type NodeV8 = { setFlagsFromString(flag: string): void; getHeapStatistics(): { heap_size_limit: number; used_heap_size: number } };

/** Node's `v8` module, loaded when first needed: loading it (with the heap
 *  utilities and streams it requires) costs about 2.5 ms, which a run that
 *  compiles nothing need not pay. Through process.getBuiltinModule (node
 *  20.16 and later), or the bundle's `require` (bin/tiervm.js runs the bundle
 *  as CommonJS); null where neither is there. */
function nodeV8(): NodeV8 | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const v8 = p?.getBuiltinModule?.('node:v8') ?? (typeof require === 'function' ? require('node:v8') : null);
    return v8 as NodeV8 | null;
  } catch {
    return null;
  }
}

/** Runs the command line `argv`; `version` is the package's (bin/tiervm.js reads
 *  it from package.json). Returns the exit status. `v8Flags: false` leaves
 *  V8's flags as they are (the build's warm-up of the code cache). */
export async function main(argv: string[], version = 'unknown', opts: { v8Flags?: boolean } = {}): Promise<number> {
  // V8's flags are set when the first wasm backend is built (config.ts,
  // WASM_HOST.prepare), not here: most short runs compile nothing. The build's
  // warm-up (scripts/bundle.mjs) sets none, so that the code cache it makes is
  // taken by a command whose flags are still node's own when it loads the bundle.
  if (opts.v8Flags !== false) useCommandLineWasmHost();
  try {
    return await command(argv, version);
  } catch (e) {
    // Help or a usage error that could not be written, or a bug: a status, never
    // a host stack trace.
    return exitStatusOf(e);
  }
}

async function command(argv: string[], version: string): Promise<number> {
  const out = (t: string) => writeAll(1, t);
  const err = (t: string) => writeAll(2, t);
  let p: Parsed;
  let source: string;
  try {
    p = parseArgs(argv);
    if (p.help) { out(HELP); return 0; }
    if (p.version) { out(`tiervm ${version}\n`); return 0; }
    if (!p.command) throw new UsageError('no command given (see tiervm --help)');
    if (!['run', 'check', 'disasm'].includes(p.command)) throw new UsageError(`unknown command '${p.command}' (see tiervm --help)`);
    if (!p.file) throw new UsageError(`${p.command} needs a FILE`);
    if (p.command !== 'run' && p.args.length > 0) throw new UsageError(`${p.command} takes one FILE, got extra '${p.args[0]}'`);
    checkMemory(p.opts);
    checkTier2(p.opts);
    source = p.evalSource ?? readSource(p.file);
  } catch (e) {
    if (e instanceof UsageError) { err(`tiervm: ${e.message}\n`); return 2; }
    throw e;
  }
  // The name errors and traces show: control characters as U+FFFD, so that a
  // file named with a newline or an escape sequence cannot forge a line.
  const shown = { ...p, file: printable(p.file) };
  if (p.command === 'run') {
    return runJob({ file: shown.file, source, opts: { ...p.opts, args: p.args } });
  }
  return execute(shown, source, out, err);
}

/** Heap and stack must fit in the memory together (each flag alone was checked). */
function checkMemory(o: VmOptions): void {
  if (o.maxHeapMB === undefined) return;   // the default heap is what the stack leaves
  const stack = o.stackSizeKB ?? DEFAULTS.stackSizeKB;
  const why = memoryProblem(o.maxHeapMB, stack);
  if (why !== null) throw new UsageError(`--max-heap=${o.maxHeapMB} with --stack-size=${stack}: ${why}`);
}

/** Deopt stress needs a compiling tier (config.ts, tier2Problem), said with
 *  the flags' names rather than load()'s option names. */
function checkTier2(o: VmOptions): void {
  const tier = o.tier ?? DEFAULTS.tier;
  const why = tier2Problem(tier, o.backend, o.deoptStress === true);
  if (why !== null) throw new UsageError(`--deopt-stress with --tier=${tier}: ${why}`);
}

/** Source files are text a person wrote: read no more than this, so that a device
 *  like /dev/zero or a FIFO fed forever cannot hang tiervm or exhaust its memory. */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

/** Host heap the front end and the bytecode compiler may take per byte of
 *  source, at most (measured: 4 MB of `1+1+...+1` took 1.5 GB, `x = 1;` lines
 *  about 160 bytes per byte). A source past what this process's heap could
 *  compile is refused up front: running out of host heap is a fatal error of
 *  node, with a native stack trace, not an error tiervm could report. */
const COMPILE_BYTES_PER_SOURCE_BYTE = 400;
/** Sources up to this size are compiled without asking (node's smallest
 *  default heap is far above what they take). */
const SMALL_SOURCE_BYTES = 1024 * 1024;

/** The text of FILE, read with a bounded loop (a pipe, FIFO or device is read like
 *  a file, to its end); every failure is a UsageError naming FILE. */
function readSource(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw cannotRead(file, whyUnreadable(e));
  }
  let bytes: Buffer;
  try {
    bytes = readBounded(file, fd);
  } finally {
    closeSync(fd);
  }
  if (bytes.length > SMALL_SOURCE_BYTES) checkHeapRoom(file, bytes.length);
  return decodeSource(file, bytes);
}

/** Refuses a source this process's heap could not compile (see
 *  COMPILE_BYTES_PER_SOURCE_BYTE). */
function checkHeapRoom(file: string, size: number): void {
  const v8 = nodeV8();
  if (v8 === null) return;
  const { heap_size_limit: limit, used_heap_size: used } = v8.getHeapStatistics();
  const most = Math.floor((limit - used) / COMPILE_BYTES_PER_SOURCE_BYTE);
  if (size <= most) return;
  const mib = (n: number) => (n / (1024 * 1024)).toFixed(1);
  throw cannotRead(file, `too large to compile in this process's memory (${mib(size)} MiB; at most ${mib(most)} MiB here, where node's heap is ${mib(limit)} MiB: node --max-old-space-size=MB allows more)`);
}

function readBounded(file: string, fd: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, MAX_SOURCE_BYTES + 1 - total));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      // A non-blocking pipe (an inherited /dev/stdin, say) with nothing yet: wait.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); continue; }
      throw cannotRead(file, whyUnreadable(e));
    }
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > MAX_SOURCE_BYTES) throw cannotRead(file, 'larger than 16 MiB');
  }
}

/** UTF-8 to text. Invalid UTF-8 is refused (with its line) rather than decoded
 *  with replacement characters, which would change string literals silently.
 *  A leading byte order mark stays in the text (Buffer keeps it): the front
 *  end skips one, as for any embedder's source, and a second is an error. */
function decodeSource(file: string, bytes: Buffer): string {
  if (!isUtf8(bytes)) throw cannotRead(file, `not valid UTF-8 (line ${lineOfFirstInvalid(bytes)})`);
  return bytes.toString('utf8');
}

/** The line of the first byte that is not valid UTF-8: decoding replaces it, so
 *  the re-encoded text first differs from the bytes there. */
function lineOfFirstInvalid(bytes: Buffer): number {
  const again = Buffer.from(bytes.toString('utf8'), 'utf8');
  let at = 0;
  while (at < bytes.length && bytes[at] === again[at]) at++;
  let line = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function cannotRead(file: string, why: string): UsageError {
  return new UsageError(`cannot read '${printable(file)}': ${why}`);
}

/** The system's reason, in words ('permission denied'), without its code or path. */
function whyUnreadable(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file';
  if (err.code === 'EISDIR') return 'is a directory';
  const words = /^[A-Z0-9]+: ([^,]+)/.exec(err.message ?? '');
  return words ? words[1]! : err.code ?? 'unreadable';
}

function execute(p: Parsed, source: string, out: (t: string) => void, err: (t: string) => void): number {
  return withExitStatus(() => {
    const loaded = load(p.file, source, { ...p.opts, args: p.args, stdout: out, stderr: err });
    if (!loaded.ok) return loaded.exitCode;
    if (p.command === 'check') return 0;
    if (p.command === 'disasm') { out(loaded.program.disassemble()); return 0; }
    try { return loaded.program.run(); } finally { loaded.program.dispose(); }
  });
}

// The tiervm command line: argument parsing, file reading, exit statuses.
//
// Exit statuses: 0 ok; 1 a program error (compile or runtime, or a missing
// extern); 2 a usage error (bad flag, missing file), reported in one line;
// 70 an internal error of tiervm. Options may stand before or after the command
// but before FILE; everything after FILE belongs to the program.

import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { load, DEFAULTS, EXIT_INTERNAL, type VmOptions } from './vm.js';
import { TIERS, type Tier } from './config.js';
import { writeAll, runJob, HOST_STACK_MB, type WorkerJob } from './worker.js';

const VERSION = '0.1.0';

const HELP = `Usage: tiervm <command> [options] FILE [ARGS...]

Commands:
  run FILE [ARGS...]   compile FILE and run it; ARGS become main's [str] argument
  check FILE           compile FILE and report errors; run nothing
  disasm FILE          print the verified bytecode of every function

Options:
  --tier=TIER          execution tier: ${TIERS.join(', ')} (default ${DEFAULTS.tier})
  --max-heap=MB        heap limit in MiB (default ${DEFAULTS.maxHeapMB})
  --stack-size=KB      frame stack size in KiB (default ${DEFAULTS.stackSizeKB})
  --jit-threshold=N    calls or loop iterations before a function is compiled
                       (default ${DEFAULTS.jitThreshold}; 1 = compile and enter loops at every chance)
  --trace-tier         print one line per compile, install, adapter and OSR entry
  --jit-backend=B      compiling backend: wasm or js (default: wasm where the host
                       has WebAssembly, else js where it allows eval)
  --print-code=FN      print the code generated for function FN when it is compiled:
                       WAT from the wasm backend, JavaScript from the js backend
                       (--print-wasm=FN is the same); says so if FN never is
  --jit-filter=REGEX   compile only functions whose names match (debug)
  --no-inline          never inline functions into compiled code (debug)
  --gc-stress          collect garbage at every allocation (debug)
  --verify-heap        check heap invariants around every collection (debug)
  --trace-gc           print one line per collection to stderr
  --gc-stats           print a summary of all collections to stderr at exit
  -h, --help           print this help and exit
  --version            print the version and exit

Exit status: 0 ok, 1 compile or runtime error, 2 usage error, 70 internal error.
`;

class UsageError extends Error {}

interface Parsed { command: string; file: string; args: string[]; opts: VmOptions; help: boolean; version: boolean }

function positiveInt(flag: string, v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) <= 0) throw new UsageError(`${flag} needs a positive whole number, got '${v}'`);
  return Number(v);
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
    if (!a.startsWith('-') || a === '-') {
      if (!p.command) { p.command = a; continue; }
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
    case '-h': case '--help': p.help = true; return;
    case '--version': p.version = true; return;
    case '--tier': {
      const t = need();
      if (!TIERS.includes(t as Tier)) throw new UsageError(`unknown tier '${t}' (available: ${TIERS.join(', ')})`);
      p.opts.tier = t as Tier;
      return;
    }
    case '--max-heap': p.opts.maxHeapMB = positiveInt(flag, need()); return;
    case '--stack-size': p.opts.stackSizeKB = positiveInt(flag, need()); return;
    case '--jit-threshold': p.opts.jitThreshold = positiveInt(flag, need()); return;
    case '--trace-tier': p.opts.traceTier = noValue(flag, value); return;
    case '--no-inline': noValue(flag, value); p.opts.inline = false; return;
    case '--print-code': case '--print-wasm': p.opts.printCode = need(); return;
    case '--jit-backend': {
      const b = need();
      if (b !== 'wasm' && b !== 'js') throw new UsageError(`unknown JIT backend '${b}' (available: wasm, js)`);
      p.opts.backend = b;
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
 *  (Embedders decide for their own process.) */
function preferOptimizedWasm(): void {
  try { setFlagsFromString('--no-liftoff'); } catch { /* not V8, or flag unknown: nothing to do */ }
}

export async function main(argv: string[]): Promise<number> {
  preferOptimizedWasm();
  const out = (t: string) => writeAll(1, t);
  const err = (t: string) => writeAll(2, t);
  let p: Parsed;
  try {
    p = parseArgs(argv);
    if (p.help) { out(HELP); return 0; }
    if (p.version) { out(`tiervm ${VERSION}\n`); return 0; }
    if (!p.command) throw new UsageError('no command given (see tiervm --help)');
    if (!['run', 'check', 'disasm'].includes(p.command)) throw new UsageError(`unknown command '${p.command}' (see tiervm --help)`);
    if (!p.file) throw new UsageError(`${p.command} needs a FILE`);
    if (p.command !== 'run' && p.args.length > 0) throw new UsageError(`${p.command} takes one FILE, got extra '${p.args[0]}'`);
  } catch (e) {
    if (e instanceof UsageError) { err(`tiervm: ${e.message}\n`); return 2; }
    throw e;
  }
  let source: string;
  try {
    source = readFileSync(p.file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code ?? 'unreadable';
    err(`tiervm: cannot read '${p.file}': ${why}\n`);
    return 2;
  }
  if (p.command === 'run') {
    const job: WorkerJob = { file: p.file, source, command: 'run', opts: { ...p.opts, args: p.args } };
    // The interpreter never recurses on the host stack: no thread needed.
    return (p.opts.tier ?? DEFAULTS.tier) === 'interp' ? runJob(job) : runOnWorker(job);
  }
  return execute(p, source, out, err);
}

/** Run on a thread with a large host stack (see worker.ts); in this thread if the
 *  host cannot start one. */
function runOnWorker(job: WorkerJob): Promise<number> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { tiervmJob: job }, resourceLimits: { stackSizeMb: HOST_STACK_MB },
    });
  } catch {
    return Promise.resolve(runJob(job));
  }
  return new Promise((resolve) => {
    let status: number | null = null;
    worker.on('message', (m: number) => { status = m; });
    worker.on('error', (e) => { writeAll(2, `internal error: ${e instanceof Error ? e.message : String(e)}\n`); status = EXIT_INTERNAL; });
    worker.on('exit', () => resolve(status ?? EXIT_INTERNAL));
  });
}

function execute(p: Parsed, source: string, out: (t: string) => void, err: (t: string) => void): number {
  try {
    const loaded = load(p.file, source, { ...p.opts, args: p.args, stdout: out, stderr: err });
    if (!loaded.ok) return loaded.exitCode;
    if (p.command === 'check') return 0;
    if (p.command === 'disasm') { out(loaded.program.disassemble()); return 0; }
    return loaded.program.run();
  } catch (e) {
    err(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}

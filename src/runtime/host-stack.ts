// How much host (JavaScript) stack this thread has, so that the host-stack
// budget of compiled code (config.ts HOST_STACK, runtime.ts) fits it.
//
// The budgets were measured on Node's main thread, 984 KiB of stack (V8's
// default). A thread with less — `node --stack-size=200`, a Worker made with
// `resourceLimits: { stackSizeMb: 0.25 }` — gets budgets scaled down in
// proportion, so compiled recursion continues in the interpreter (whose frames
// are in linear memory) before the host stack runs out, and every tier reaches
// the same depth there too. A thread with more keeps the measured budgets.
//
// What must stay true: nothing here touches the stack to find out at start-up
// (a probe of a megabyte of stack costs about a millisecond): the size is read
// from how Node was asked to size it, once per thread (module state is per
// thread); a host that does not say (a browser) counts as half the reference.
//
// Where compiled code runs out of its budget, the runtime may ask how much
// host stack is left above that point (runtime.ts, growHostLimit):
// hostStackLeft() calls a function with 8,192 arguments (64 KiB), which calls
// itself the same way, and counts the levels that fit before V8 throws its
// RangeError. V8 checks a call's arguments against the stack's real limit
// before pushing them, so the count is a measurement, rounded down, at the
// cost of writing that much stack (about 15 us per 100 KB). It answers only on
// V8 (Node, Chromium), where that is how calls with many arguments work;
// elsewhere the budget stays as set.

/** V8's default stack size, the reference the budgets were measured at. */
export const REFERENCE_STACK_KB = 984;

/** A host that does not say how much stack it has (a browser): Chromium, in a
 *  page and in a worker, overflowed its host stack in compiled recursion at the
 *  wasm budget Node's main thread holds five times over (40,000 slots), and
 *  not at half of it (tests/browser). */
const UNKNOWN_HOST_STACK_KB = REFERENCE_STACK_KB / 2;

/** The part of a Worker's stackSizeMb that Node leaves out of V8's stack limit
 *  (its kStackBufferSize). */
const WORKER_STACK_RESERVE_KB = 192;

let known: number | null = null;

/** The fraction (at most 1) of the measured budgets this thread's stack holds. */
export function hostStackScale(): number {
  known ??= Math.min(1, threadStackKB() / REFERENCE_STACK_KB);
  return known;
}

type NodeProcess = { execArgv?: string[]; getBuiltinModule?: (id: string) => unknown; moduleLoadList?: unknown };

/** This thread's stack in KiB, as Node was told (REFERENCE_STACK_KB if unknown). */
function threadStackKB(): number {
  const p = (globalThis as { process?: NodeProcess }).process;
  if (p === undefined) return UNKNOWN_HOST_STACK_KB;
  const threads = workerThreads(p);
  if (threads !== null && threads.isMainThread === false) {
    // Node keeps WORKER_STACK_RESERVE_KB of a worker's stack out of V8's reach.
    const mb = threads.resourceLimits?.stackSizeMb;
    return typeof mb === 'number' && mb > 0 ? Math.max(1, mb * 1024 - WORKER_STACK_RESERVE_KB) : REFERENCE_STACK_KB;
  }
  return stackSizeFlag(p.execArgv ?? []) ?? REFERENCE_STACK_KB;
}

type WorkerThreads = { isMainThread?: boolean; resourceLimits?: { stackSizeMb?: number } };

/** Node's worker_threads module, where this host has it; null too on a main
 *  thread that has not loaded it. Loading it costs 3-4 ms (about a third of
 *  tiervm's own start-up in the default mode), while Node's bootstrap of every
 *  worker thread loads it before user code runs: where Node lists the builtin
 *  modules it loaded (`process.moduleLoadList`) and worker_threads is not
 *  among them, this is the main thread. */
function workerThreads(p: NodeProcess): WorkerThreads | null {
  const loaded = p.moduleLoadList;
  if (Array.isArray(loaded) && !loaded.includes('NativeModule worker_threads')) return null;
  try {
    return (p.getBuiltinModule?.('worker_threads') ?? null) as WorkerThreads | null;
  } catch {
    return null;
  }
}

/** The value of V8's --stack-size flag among node's own arguments (the last wins). */
export function stackSizeFlag(execArgv: readonly string[]): number | null {
  let kb: number | null = null;
  for (const a of execArgv) {
    const m = /^--stack[-_]size=(\d+)$/.exec(a);
    if (m) kb = Number(m[1]);
  }
  return kb !== null && kb > 0 ? kb : null;
}

/** Can this host be asked how much stack is left (hostStackLeft)? V8 only. */
export function hostStackProbes(): boolean {
  const g = globalThis as { process?: { versions?: { v8?: unknown } }; navigator?: { userAgent?: unknown } };
  if (typeof g.process?.versions?.v8 === 'string') return true;
  const ua = g.navigator?.userAgent;
  return typeof ua === 'string' && /\bChrom(e|ium)\//.test(ua);
}

/** One level of hostStackLeft: 64 KiB of arguments. */
const LEVEL_BYTES = 64 * 1024;
let levelArgs: number[] | null = null;
let levels = 0, levelsWanted = 0;

function level(): void {
  levels++;
  if (levels < levelsWanted) Reflect.apply(level, undefined, levelArgs!);
}

/** Bytes of host stack left above the caller, measured in steps of 64 KiB
 *  (rounded down) up to `cap` (V8 only: hostStackProbes). */
export function hostStackLeft(cap: number): number {
  levelArgs ??= new Array<number>(LEVEL_BYTES / 8).fill(0);
  levels = 0;
  levelsWanted = Math.floor(cap / LEVEL_BYTES);
  if (levelsWanted === 0) return 0;
  try {
    Reflect.apply(level, undefined, levelArgs);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  return levels * LEVEL_BYTES;
}

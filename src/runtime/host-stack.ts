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
// What must stay true: nothing here touches the stack to find out (a probe of
// a megabyte of stack costs about a millisecond of start-up): the size is read
// from how Node was asked to size it, once per thread (module state is per
// thread); a host that does not say (a browser) counts as half the reference.

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

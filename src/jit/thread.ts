// The compiler thread, seen from the thread that runs the program: starting it
// (lazily: THREAD_START_DELAY_MS after the first compile queued), sending it compile requests, taking its
// results synchronously, and ending it. The thread itself is ./wasm/compile-thread.ts.
//
// Node only (worker_threads, reached through process.getBuiltinModule, so a
// browser bundle imports nothing of node): a request is a message; the thread
// posts each result (a WebAssembly.Module, compiled there) to our port and then
// raises the shared flag word `ready[0]`; the running program tests that flag at
// its safepoints (runtime/tiering.ts) and only then takes the results with
// receiveMessageOnPort, which never waits. Where there is no SharedArrayBuffer
// or no worker_threads (browsers: the playground compiles synchronously), there
// is no thread and every compile stays synchronous.
//
// What must stay true:
//   - the thread never keeps the process alive (the worker and our port are
//     unref'd) and dispose() terminates it; a process never exits with it
//     running (a worker still compiling at Node's shutdown hung the process
//     once): dispose() refs the worker until it has exited, and a thread not
//     disposed when the event loop empties is disposed then ('beforeExit');
//   - at most MAX_IN_FLIGHT requests are at the thread at once; the rest wait
//     here in order (each function or OSR entry is requested at most once, by
//     the tiering policy, so this list is bounded by the program);
//   - a thread that failed (it could not start, or exited) gives back every
//     request it held as `lost` (the backend compiles those synchronously) and
//     takes no more.

import type { BcModule } from '../bytecode/module.js';

/** What the compiler thread needs of the program, sent once when it starts. */
export interface ThreadInit {
  mod: BcModule;
  strAddrs: Int32Array;
  globalsSlot: number;
  frameSizes: Int32Array;
  /** Per function: 1 where its body may be inlined into callers. */
  inlinable: Uint8Array;
  fuel: boolean;
  countCalls: boolean;
  tableSize: number;
  /** The heap's one-unit string cache (the string helpers' module bakes it in). */
  charCache: number;
  /** Whether the adapters are generated per shape (false: --adapters=generic,
   *  whose adapters are not compiled code; the prelude has none). */
  generatedAdapters: boolean;
  /** How far a c2i crossing lowers the host-stack limit (rt.crossingSlots; the
   *  c2i adapters bake it in). */
  crossingSlots: number;
}

/** One compile: function f whole (osrPc null; tier 1, counting down
 *  tierUpAfter calls to tier 2 when not 0) or its OSR entry at osrPc. */
export interface ThreadRequest {
  id: number;
  f: number;
  osrPc: number | null;
  tierUpAfter: number;
  /** Send the generated code as text too (--print-code, tierEventCode). */
  text: boolean;
}

/** What the thread compiles first, before any request: the adapters of every
 *  function shape and the string helpers (wasm/adapters.ts, wasm/strings.ts). */
export interface ThreadPrelude {
  adapters: WebAssembly.Module | null;
  strings: WebAssembly.Module;
}

/** What the thread sends back for a request (or its prelude: id 0). */
export interface ThreadResult {
  id: number;
  prelude?: ThreadPrelude;
  f: number;
  osrPc: number | null;
  /** The request's (tier-1 code with its countdown to tier 2). */
  tierUpAfter: number;
  module?: WebAssembly.Module;
  size?: number;
  text?: string;
  /** Why it failed (lowering threw, or the module did not compile). */
  error?: string;
  /** When it began (performance.timeOrigin + performance.now() on the thread). */
  startedAt: number;
  /** How long it took there, in ms. */
  ms: number;
  /** The thread could not do it (it failed): compile it here. */
  lost?: boolean;
}

/** Requests at the thread at once. Eight keeps the thread busy while the
 *  program polls, and results from going stale behind a long queue. */
const MAX_IN_FLIGHT = 8;

// The parts of node:worker_threads used here, typed here: this module is part of
// browser builds too (where it finds no worker_threads), which have no node types.
interface Port {
  postMessage(m: unknown): void;
  close(): void;
  unref(): void;
}
interface NodeWorker {
  ref(): void;
  unref(): void;
  on(event: 'error', f: (e: unknown) => void): void;
  on(event: 'exit', f: (code: number) => void): void;
  terminate(): Promise<number>;
}
interface WorkerThreads {
  MessageChannel: new () => { port1: Port; port2: Port };
  Worker: new (url: URL, opts: { workerData: unknown; transferList: unknown[] }) => NodeWorker;
  receiveMessageOnPort(port: Port): { message: unknown } | undefined;
}

/** The failure of a thread ended by dispose() (not a fault: no 'failed' event). */
export const DISPOSED = 'disposed';

/** Node's process where there is one (for 'beforeExit'). */
interface NodeProcess {
  once(event: 'beforeExit', f: () => void): void;
  off(event: 'beforeExit', f: () => void): void;
}
function nodeProcess(): NodeProcess | null {
  const p = (globalThis as { process?: Partial<NodeProcess> }).process;
  return typeof p?.once === 'function' && typeof p.off === 'function' ? p as NodeProcess : null;
}

/** A node built-in module where the host has one (null in browsers). */
function nodeModule<M>(id: string): M | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return (p?.getBuiltinModule?.(id) as M | undefined) ?? null;
  } catch {
    return null;
  }
}

/** node:worker_threads where this host has it (and shared memory), else null.
 *  Loading it costs about 1.5 ms: done when the thread starts. */
function workerThreads(): WorkerThreads | null {
  return typeof SharedArrayBuffer === 'function' ? nodeModule<WorkerThreads>('node:worker_threads') : null;
}

/** Whether this host can have worker_threads, without loading it. */
function mayHaveWorkerThreads(): boolean {
  const p = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  return typeof SharedArrayBuffer === 'function' && typeof p?.getBuiltinModule === 'function';
}

/** The thread's entry: tsc's module next to this one, or, in the command's
 *  bundle (where import.meta.url is dist/tiervm.cjs), the one-script build of
 *  it beside the bundle (dist/compile-thread.cjs, made with it by
 *  scripts/bundle.mjs; it starts faster). Null where neither can be located (a
 *  browser bundle). */
function entryUrl(): URL | null {
  try {
    const base = import.meta.url;
    return new URL(base.endsWith('.cjs') ? './compile-thread.cjs' : './wasm/compile-thread.js', base);
  } catch {
    return null;
  }
}

/** Why no compiler thread can run on this host (null: one can). */
export function threadUnavailable(): string | null {
  if (!mayHaveWorkerThreads()) return 'no worker threads with shared memory on this host';
  if (entryUrl() === null) return 'the compiler thread module cannot be located';
  return null;
}

/** How long after the first compile is queued the thread starts. Starting it
 *  costs the program's thread about 5 ms (worker_threads, a MessageChannel, the
 *  Worker) and the machine tens of ms of CPU (the worker's own start-up, a cold
 *  compiler, the optimizing compiles), which a program that ends soon after
 *  never gets back: measured on the benchmark programs at their quick sizes
 *  (30-130 ms of run), starting at once made the default mode 1.2-1.45x slower
 *  than the interpreter on a loaded 2-core machine, and so did starting 100 ms
 *  after (docs/architecture.md). Until then what gets hot waits here, queued; a
 *  program running longer waits this long for its first compiled code. */
export const THREAD_START_DELAY_MS = 200;

/** `ready[0]` while the start waits: the safepoints poll, and the tiering
 *  policy looks here only every 256th time (runtime/tiering.ts). */
export const READY_WAITING = -1;

export class CompilerThread {
  /** The worker and our port, once started. */
  private live: { worker: NodeWorker; port: Port } | null = null;
  private receive: WorkerThreads['receiveMessageOnPort'] = () => undefined;
  private readonly startAt: number;
  private nextId = 1;
  /** Sent and not yet answered, by id. */
  private readonly inFlight = new Map<number, ThreadRequest>();
  private readonly waiting: ThreadRequest[] = [];
  /** Why the thread stopped (null: it runs, or will). */
  failure: string | null = null;

  /** A thread that starts `delayMs` from now (check threadUnavailable()
   *  first); until then `ready[0]` is READY_WAITING, so the safepoints poll and
   *  drain() starts it when the time has come. `started` hears when it did. A
   *  failure is seen when the event loop next turns (`failure`). */
  constructor(private readonly init: ThreadInit, private readonly ready: Int32Array, delayMs: number, private readonly started: () => void) {
    this.startAt = performance.now() + delayMs;
    if (delayMs > 0) Atomics.store(ready, 0, READY_WAITING);
    else this.start();
  }

  private start(): void {
    Atomics.store(this.ready, 0, 0);
    const fail = (why: string) => {
      if (this.failure !== null) return;
      this.failure = why;
      Atomics.store(this.ready, 0, Math.max(1, Atomics.load(this.ready, 0) + 1));   // the program polls, and takes the lost requests
    };
    try {
      const wt = workerThreads();
      if (wt === null) throw new Error('no worker_threads');
      this.receive = wt.receiveMessageOnPort;
      const { port1, port2 } = new wt.MessageChannel();
      const worker = new wt.Worker(entryUrl()!, { workerData: { init: this.init, ready: this.ready, port: port2 }, transferList: [port2] });
      worker.unref();
      port1.unref();
      worker.on('error', (e) => fail(`it threw: ${(e as Error).message}`));
      worker.on('exit', (code) => fail(`it exited with status ${code}`));
      this.live = { worker, port: port1 };
      nodeProcess()?.once('beforeExit', this.disposeAtExit);
    } catch (e) {
      fail(`it could not start: ${(e as Error).message}`);
      return;
    }
    this.started();
    this.sendWaiting();
  }

  /** Ask for a compile; false when the thread failed (compile it here). */
  request(f: number, osrPc: number | null, text: boolean, tierUpAfter: number): boolean {
    if (this.failure !== null) return false;
    this.waiting.push({ id: this.nextId++, f, osrPc, text, tierUpAfter });
    this.sendWaiting();
    return true;
  }

  /** The results the thread posted (lowering `ready[0]` by their number); after
   *  a failure, every request not answered, as lost. Before the thread started:
   *  nothing, or it starts now if its time has come. */
  drain(): ThreadResult[] {
    if (this.live === null && this.failure === null) {
      if (performance.now() < this.startAt) return [];
      this.start();
    }
    const out: ThreadResult[] = [];
    const port = this.live?.port;
    for (let m = port && this.receive(port); m !== undefined; m = this.receive(port!)) {
      const r = m.message as ThreadResult;
      this.inFlight.delete(r.id);
      out.push(r);
    }
    if (out.length > 0) Atomics.sub(this.ready, 0, out.length);
    if (this.failure !== null) {
      Atomics.store(this.ready, 0, 0);
      for (const q of [...this.inFlight.values(), ...this.waiting.splice(0)]) out.push({ id: q.id, f: q.f, osrPc: q.osrPc, tierUpAfter: q.tierUpAfter, startedAt: 0, ms: 0, lost: true });
      this.inFlight.clear();
    } else {
      this.sendWaiting();
    }
    return out;
  }

  /** Whether a request is not yet answered (taken by drain()). */
  get busy(): boolean { return this.inFlight.size > 0 || this.waiting.length > 0; }

  /** End the thread: terminated now, and ref'd until it has exited (a process
   *  ending waits for that). Requests not answered come back from drain() as
   *  lost, at the program's next safepoint (ready[0] is raised for them). */
  dispose(): void {
    this.failure ??= DISPOSED;
    if (this.busy) Atomics.store(this.ready, 0, 1);
    const live = this.live;
    if (live === null) return;
    this.live = null;
    nodeProcess()?.off('beforeExit', this.disposeAtExit);
    live.port.close();
    live.worker.ref();
    void live.worker.terminate();
  }

  /** The event loop emptied with the thread alive (a program not disposed). */
  private readonly disposeAtExit = (): void => this.dispose();

  private sendWaiting(): void {
    const port = this.live?.port;
    if (port === undefined) return;
    while (this.inFlight.size < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const q = this.waiting.shift()!;
      this.inFlight.set(q.id, q);
      port.postMessage(q);
    }
  }
}

// The compiler thread, seen from the thread that runs the program: starting it
// (when a run begins, or at the first compile queued outside a run), sending it compile requests, taking its
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
import type { CompilePlan } from '../runtime/tiering.js';
import type { StringModuleParams } from './wasm/strings.js';

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
  /** What the string helpers' module bakes in of the heap (the lowering reads
   *  its one-unit string cache from here too). */
  strings: StringModuleParams;
  /** The heap's hole ring (the refill module bakes it in). */
  ring: number;
  /** Whether the adapters are generated per shape (false: --adapters=generic,
   *  whose adapters are not compiled code; the prelude has none). */
  generatedAdapters: boolean;
  /** How far a c2i crossing lowers the host-stack limit (rt.crossingSlots; the
   *  c2i adapters bake it in). */
  crossingSlots: number;
  /** Where each function's profile starts in the profile image (tier-2
   *  requests carry a copy of it). */
  profileBases: Int32Array;
  /** What the policy decides plans with (Tiering.tier2After, --deopt-stress). */
  tier2After: number;
  deoptStress: boolean;
  /** LowerEnv.osrExits. */
  osrExits: boolean;
}

/** What tier 2 speculates on, as the thread receives it (profile.ts
 *  Speculation without its targetsAt, which the thread reads from `profiles`). */
export interface ThreadSpec {
  branches: ReadonlyMap<number, boolean>;
  targets: ReadonlyMap<number, number>;
  stress: boolean;
}

/** One compile: function f whole (osrPc null; tier 1, counting down
 *  tierUpAfter calls to tier 2 when not 0, or tier 2 with `spec`) or its OSR
 *  entry at osrPc. What is posted to the thread. */
export interface ThreadRequest {
  id: number;
  f: number;
  osrPc: number | null;
  tierUpAfter: number;
  /** Tier 2: its speculation, and a copy of the profiles as laid out in the
   *  code image (ThreadInit.profileBases) when it was made (sent too when
   *  the thread decides the plan). */
  spec: ThreadSpec | null;
  profiles: Int32Array | null;
  /** The thread decides the plan (CompilePlan `decide`), not speculating on
   *  the sites `failed`. */
  decide?: 'first' | 'opt';
  failed?: readonly number[];
  /** Send the generated code as text too (--print-code, tierEventCode). */
  text: boolean;
}

/** What the thread compiles besides the requests, sent in parts (each reply
 *  carries one, so that each is made runnable at a safepoint of its own):
 *  first the adapters of every function shape, then the forwarders of the
 *  JavaScript helpers, one signature at a time; the allocation refill and
 *  the string helpers (two parts) before the first function that imports
 *  one, or when the thread is idle
 *  (wasm/adapters.ts, wasm/strings.ts, wasm/alloc.ts). */
export interface ThreadPrelude {
  adapters?: WebAssembly.Module | null;
  /** The forwarders of one group of JavaScript helpers (wasm/adapters.ts
   *  jsHelperGroups, by its index). */
  helpers?: WebAssembly.Module;
  group?: number;
  strings?: WebAssembly.Module;
  refill?: WebAssembly.Module;
}

/** What the thread posts back for a request (or a part of its prelude: id 0). */
export interface ThreadReply {
  id: number;
  prelude?: ThreadPrelude;
  f: number;
  osrPc: number | null;
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
  /** The plan it decided (a `decide` request), or that it declined (tier 2
   *  would gain nothing: nothing compiled). */
  decided?: { spec: ThreadSpec | null; tierUpAfter: number };
  declined?: boolean;
  /** Tier 2: the calls it compiled as a dispatch (for the trace). */
  dispatched?: number;
}

/** A reply as drain() hands it on: with the plan it was requested with. */
export interface ThreadResult extends ThreadReply {
  plan: CompilePlan;
}

/** The plan of the prelude (which has none). */
const TIER1_PLAN: CompilePlan = { spec: null, tierUpAfter: 0 };

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

/** The threads alive on this thread, disposed when the event loop empties
 *  (programs not disposed): one 'beforeExit' listener for them all, there while
 *  any is alive (one per thread made Node warn of a leak past ten programs). */
const alive = new Set<{ dispose(): void }>();
const disposeAll = (): void => { for (const t of [...alive]) t.dispose(); };

function atExit(thread: { dispose(): void }, live: boolean): void {
  const p = nodeProcess();
  if (p === null) return;
  if (live) {
    if (alive.size === 0) p.once('beforeExit', disposeAll);
    alive.add(thread);
  } else if (alive.delete(thread) && alive.size === 0) {
    p.off('beforeExit', disposeAll);
  }
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

/** The thread's entry: the one-script build of it (dist/compile-thread.cjs,
 *  made by scripts/bundle.mjs beside the command's bundle), which starts in
 *  a fraction of the time the worker takes to load tsc's modules one by one
 *  (wasm/compile-thread.js and the 20-odd modules it imports); tsc's module
 *  where there is no such build or it is older than tsc's output (a build
 *  that ran tsc alone). Null where neither can be located (a browser bundle). */
function entryUrl(): URL | null {
  if (entry !== undefined) return entry;
  try {
    const base = import.meta.url;
    if (base.endsWith('.cjs')) return entry = new URL('./compile-thread.cjs', base);
    const esm = new URL('./wasm/compile-thread.js', base), bundled = new URL('../compile-thread.cjs', base);
    const fs = nodeModule<{ statSync(p: URL, o: { throwIfNoEntry: false }): { mtimeMs: number } | undefined }>('node:fs');
    const b = fs?.statSync(bundled, { throwIfNoEntry: false }), e = fs?.statSync(esm, { throwIfNoEntry: false });
    if (b === undefined || e === undefined) return entry = esm;
    // As bin/tiervm.js decides for the command's bundle: by file times only in
    // a checkout (src/ beside dist/); an installed package is never rebuilt.
    const checkout = fs?.statSync(new URL('../../src', base), { throwIfNoEntry: false }) !== undefined;
    return entry = !checkout || b.mtimeMs >= e.mtimeMs ? bundled : esm;
  } catch {
    return entry = null;
  }
}
let entry: URL | null | undefined;

/** Why no compiler thread can run on this host (null: one can). */
export function threadUnavailable(): string | null {
  if (!mayHaveWorkerThreads()) return 'no worker threads with shared memory on this host';
  if (entryUrl() === null) return 'the compiler thread module cannot be located';
  return null;
}

export class CompilerThread {
  /** The worker and our port, once started. */
  private live: { worker: NodeWorker; port: Port } | null = null;
  private receive: WorkerThreads['receiveMessageOnPort'] = () => undefined;
  private nextId = 1;
  /** Sent and not yet answered, by id, with their plans. */
  private readonly inFlight = new Map<number, { q: ThreadRequest; plan: CompilePlan }>();
  private readonly waiting: { q: ThreadRequest; plan: CompilePlan }[] = [];
  /** Why the thread stopped (null: it runs, or will). */
  failure: string | null = null;

  /** A thread that starts now (check threadUnavailable() first); `started`
   *  hears when it did. A failure is seen when the event loop next turns
   *  (`failure`). Starting costs the program's thread 3-7 ms (loading
   *  worker_threads 1.2 ms, a MessageChannel, the Worker 1.6 ms; twice that
   *  under load) and the machine 20-40 ms of CPU (the worker's own start-up, a
   *  cold compiler): it is asked for when a run begins (Tiering.beginRun:
   *  start-up, not a pause); outside a run (program.call(), fn()) the first
   *  compile queued starts it. It used to start 200 ms after the first compile
   *  queued, which made the start a pause of the running program and every
   *  compiled function at least 200 ms late (docs/architecture.md, "JIT
   *  pauses on the running thread"). */
  constructor(private readonly init: ThreadInit, private readonly ready: Int32Array, private readonly started: () => void) {
    this.start();
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
      atExit(this, true);
    } catch (e) {
      fail(`it could not start: ${(e as Error).message}`);
      return;
    }
    this.started();
    this.sendWaiting();
  }

  /** Ask for a compile of f as `plan` says (`profiles`: the copy a tier-2
   *  plan needs); false when the thread failed (compile it here). */
  request(f: number, osrPc: number | null, text: boolean, plan: CompilePlan, profiles: Int32Array | null): boolean {
    if (this.failure !== null) return false;
    const spec = plan.spec === null ? null : { branches: plan.spec.branches, targets: plan.spec.targets, stress: plan.spec.stress };
    const decide = 'decide' in plan ? { decide: plan.decide, failed: plan.failed } : {};
    this.waiting.push({ q: { id: this.nextId++, f, osrPc, text, tierUpAfter: plan.tierUpAfter, spec, profiles, ...decide }, plan });
    this.sendWaiting();
    return true;
  }

  /** The next result the thread posted, if any (lowering `ready[0]` by one:
   *  one per safepoint, so that no pause installs more than one function; the
   *  flag stays raised while more wait); after a failure, every request not
   *  answered, as lost. */
  drain(): ThreadResult[] {
    const out: ThreadResult[] = [];
    const port = this.live?.port;
    const m = port === undefined ? undefined : this.receive(port);
    if (m !== undefined) {
      const r = m.message as ThreadResult;
      const sent = this.inFlight.get(r.id);
      this.inFlight.delete(r.id);
      r.plan = sent?.plan ?? TIER1_PLAN;
      out.push(r);
      Atomics.sub(this.ready, 0, 1);
    }
    if (this.failure !== null) {
      Atomics.store(this.ready, 0, 0);
      for (const { q, plan } of [...this.inFlight.values(), ...this.waiting.splice(0)]) out.push({ id: q.id, f: q.f, osrPc: q.osrPc, plan, startedAt: 0, ms: 0, lost: true });
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
    atExit(this, false);
    live.port.close();
    live.worker.ref();
    void live.worker.terminate();
  }


  private sendWaiting(): void {
    const port = this.live?.port;
    if (port === undefined) return;
    while (this.inFlight.size < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const w = this.waiting.shift()!;
      this.inFlight.set(w.q.id, w);
      port.postMessage(w.q);
    }
  }
}

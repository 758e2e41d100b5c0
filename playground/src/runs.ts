// The page's side of running programs: where they run, one at a time, in order.
// The runner (runner.ts) is started in the first place the page's policy allows
// (csp.ts reads the policy, so a place it refuses is not tried):
//   1. a Web Worker from a blob: URL holding the worker bundle (embedded in
//      main.js by build.mjs): it inherits the page's content security policy,
//      so what it finds by trying is exactly what the page allows;
//   2. a Web Worker from worker.js by URL (where the policy allows no blob:
//      worker; it takes the policy of its own response, and is told what the
//      page's allows);
//   3. the page itself (no worker allowed at all; a long run blocks the page).
// A worker that fails to start (an error before it reports its capabilities)
// moves on to the next. Where Trusted Types are enforced, the worker URL goes
// through a policy of our own. Runs queue: window.tiervm.run and the Run button
// share the one runner. Stop ends the current run: through the interrupt flag
// where the page is cross-origin isolated (the run ends with `runtime error:
// interrupted`, exit 1), else by terminating the worker and starting another
// (exit STOPPED_EXIT, `stopped` on stderr).

import { startRunner } from './runner.js';
import { pagePolicy, type PagePolicy } from './csp.js';
import type { Capabilities, FromWorker, RunOptions, RunResult, ToWorker } from './protocol.js';
// @ts-expect-error: made by build.mjs (the worker bundle, as text)
import WORKER_SOURCE from 'tier-worker-source';

/** The exit status of a run the page stopped by terminating its worker (as a
 *  shell reports a command ended by Ctrl-C). */
export const STOPPED_EXIT = 130;
/** A worker that died under a run (it should not: the runner catches). */
const WORKER_DIED_EXIT = 70;
/** How long an interrupted run may take to end before its worker is terminated. */
const STOP_GRACE_MS = 1000;

export interface RunHooks {
  onStart?: () => void;
  onOut?: (stream: 'stdout' | 'stderr', text: string) => void;
  onEvents?: (result: RunResult) => void;
}

interface Job extends RunHooks {
  file: string;
  source: string;
  options: RunOptions;
  result: RunResult;
  resolve: (r: RunResult) => void;
}

interface Host { post(m: ToWorker): void; end(): void }
type Place = (receive: (m: FromWorker) => void, failed: () => void) => Host;

let blobUrl: string | null = null;
let ttPolicy: { createScriptURL(url: string): unknown } | null | undefined;

/** The URL as the Worker constructor takes it where Trusted Types are enforced. */
function scriptUrl(url: string): string {
  const tt = (globalThis as { trustedTypes?: { createPolicy(n: string, r: object): { createScriptURL(u: string): unknown } } }).trustedTypes;
  if (ttPolicy === undefined) {
    try { ttPolicy = tt ? tt.createPolicy('tiervm-worker', { createScriptURL: (u: string) => u }) : null; } catch { ttPolicy = null; }
  }
  return (ttPolicy ? ttPolicy.createScriptURL(url) : url) as string;
}

function workerAt(url: string): Place {
  return (receive, failed) => {
    const w = new Worker(scriptUrl(url));
    w.onmessage = (ev: MessageEvent<FromWorker>) => receive(ev.data);
    w.onerror = (ev) => { ev.preventDefault(); failed(); };
    return { post: (m) => w.postMessage(m), end: () => w.terminate() };
  };
}

const blobWorker: Place = (receive, failed) => {
  blobUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE as string], { type: 'text/javascript' }));
  return workerAt(blobUrl)(receive, failed);
};

/** worker.js by URL, told what the page's policy allows (worker.ts). */
function urlWorker(page: PagePolicy): Place {
  const limit = page.wasm && page.eval ? '' : `#wasm=${Number(page.wasm)}&eval=${Number(page.eval)}`;
  return (receive, failed) => workerAt(new URL(`worker.js${limit}`, document.baseURI).href)(receive, failed);
}

/** The runner on the page: messages cross by a task each way, as with a worker. */
const onPage: Place = (receive) => {
  const handle = startRunner((m) => setTimeout(() => receive(m), 0), 'page');
  return { post: (m) => setTimeout(() => handle(m), 0), end: () => {} };
};

/** Where to try, in order (set by startRuns). */
let PLACES: Place[] = [];

let host: Host | null = null;
let place = 0;
let caps: Capabilities | null = null;
/** The interrupt flag shared with a worker (cross-origin isolated pages), or null. */
let interruptFlag: Int32Array | null = null;
const queue: Job[] = [];
let current: Job | null = null;
const capsWaiters: ((c: Capabilities) => void)[] = [];
const capsListeners: ((c: Capabilities | null) => void)[] = [];
const busyListeners: ((busy: boolean) => void)[] = [];

/** Start the runner in the first place that works, from PLACES[from] on. */
function startHost(from: number): void {
  caps = null;
  capsListeners.forEach((l) => l(null));
  for (place = from; place < PLACES.length; place++) {
    const mine = place;
    let started = false;
    try {
      host = PLACES[mine]!((m) => { if (m.type === 'caps') started = true; receive(m); }, () => hostFailed(mine, started));
      return;
    } catch { /* not allowed here: the next place */ }
  }
}

function hostFailed(which: number, started: boolean): void {
  if (which !== place) return;
  host?.end();
  if (!started) { startHost(which + 1); return; }
  caps = null;
  finish({ exitCode: WORKER_DIED_EXIT, backend: 'none' }, 'worker error\n');
  startHost(which);
}

function receive(m: FromWorker): void {
  switch (m.type) {
    case 'caps': {
      caps = m.caps;
      interruptFlag = m.caps.where !== 'page' && globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function'
        ? new Int32Array(new SharedArrayBuffer(4)) : null;
      if (interruptFlag !== null) host!.post({ type: 'interrupt-flag', flag: interruptFlag });
      capsListeners.forEach((l) => l(m.caps));
      capsWaiters.splice(0).forEach((w) => w(m.caps));
      next();
      return;
    }
    case 'out':
      if (!current) return;
      current.result[m.stream] += m.text;
      current.onOut?.(m.stream, m.text);
      return;
    case 'events':
      if (!current) return;
      current.result.events.push(...m.events);
      current.onEvents?.(current.result);
      return;
    case 'done': finish(m); return;
  }
}

/** Send the next queued run to the runner, if it is ready and idle. */
function next(): void {
  if (current !== null || caps === null || queue.length === 0) return;
  const job = current = queue.shift()!;
  busyListeners.forEach((l) => l(true));
  job.onStart?.();
  host!.post({ type: 'run', file: job.file, source: job.source, options: job.options });
}

function finish(m: { exitCode: number; backend: RunResult['backend'] }, stderr = ''): void {
  const job = current;
  if (!job) return;
  current = null;
  if (stderr) { job.result.stderr += stderr; job.onOut?.('stderr', stderr); }
  job.result.exitCode = m.exitCode;
  job.result.backend = m.backend;
  busyListeners.forEach((l) => l(false));
  job.resolve(job.result);
  next();
}

/** Queue a run of `source`; resolves when it ends (or is stopped). */
export function run(file: string, source: string, options: RunOptions, hooks: RunHooks = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    queue.push({ ...hooks, file, source, options, resolve, result: { stdout: '', stderr: '', exitCode: -1, backend: 'none', events: [] } });
    next();
  });
}

/** Stop the current run (see the file comment). */
export function stop(): void {
  const job = current;
  if (!job) return;
  if (interruptFlag !== null) {
    Atomics.store(interruptFlag, 0, 1);
    setTimeout(() => { if (current === job) terminate(); }, STOP_GRACE_MS);
    return;
  }
  terminate();
}

function terminate(): void {
  host?.end();
  caps = null;
  finish({ exitCode: STOPPED_EXIT, backend: 'none' }, 'stopped\n');
  startHost(place);
}

export const isBusy = (): boolean => current !== null;
export const capabilities = (): Promise<Capabilities> => (caps ? Promise.resolve(caps) : new Promise((r) => capsWaiters.push(r)));
export const onCapabilities = (l: (c: Capabilities | null) => void): void => { capsListeners.push(l); };
export const onBusy = (l: (busy: boolean) => void): void => { busyListeners.push(l); };
/** Start the runner: where the page's policy is known to refuse blob: workers,
 *  no blob: worker is tried (a refusal is reported as a violation). */
export async function startRuns(): Promise<void> {
  const page = await pagePolicy();
  PLACES = [...(page.blobWorkers !== false ? [blobWorker] : []), ...(page.urlWorkers ? [urlWorker(page)] : []), onPage];
  startHost(0);
}

// Runs guest programs for the playground, one at a time, with the bundled VM:
// inside the Web Worker (worker.ts), or on the page itself where the page's
// policy allows no worker at all (main.ts). It tries what the host allows
// (WebAssembly, eval) once and reports it, then per run streams output and tier
// events and ends with the exit status and the backend the VM chose. Events go
// to the page as they come, up to BURST in a window of BATCH_MS; past that
// (an OSR-heavy program makes thousands) they are held and sent together when
// the window is over, at the next event, output or the end. (The worker runs
// the program without a break, so no timer could send them sooner.) Where the page is cross-origin isolated, every run
// polls the page's interrupt flag, so Stop ends it with `runtime error:
// interrupted` (exit 1) and the runner lives on.

import { load, type TierEvent } from '../../src/vm.js';
import type { Capabilities, FromWorker, RunOptions, ToWorker } from './protocol.js';

const BATCH_MS = 50;
const BURST = 32;
/** Output delivered to the page at most this often while a program prints. */
const FLUSH_MS = 50;

/** A module of 8 bytes (magic, version): compiling it shows WebAssembly works here. */
function tryWasm(): boolean {
  try {
    const m = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    return new WebAssembly.Instance(m, {}) instanceof WebAssembly.Instance;
  } catch { return false; }
}

function tryEval(): boolean {
  try { return new Function('return 1')() === 1; } catch { return false; }
}

/** What the page's policy allows, where this runner's own could allow more (a
 *  worker by URL served without the page's policy): see csp.ts. */
export interface Limit { wasm: boolean; eval: boolean }

/** Start a runner that answers through `post`: it sends its capabilities at
 *  once (what it could do by trying, within `limit`); give it the page's messages. */
export function startRunner(post: (m: FromWorker) => void, where: Capabilities['where'], limit: Limit = { wasm: true, eval: true }): (m: ToWorker) => void {
  const tried = { wasm: tryWasm(), eval: tryEval() };
  const caps: Capabilities = { wasm: tried.wasm && limit.wasm, eval: tried.eval && limit.eval, crossOriginIsolated: globalThis.crossOriginIsolated === true, where };
  const limited = caps.wasm !== tried.wasm || caps.eval !== tried.eval;
  post({ type: 'caps', caps });
  let interruptFlag: Int32Array | null = null;
  return (m) => {
    if (m.type === 'run') run(limited ? { ...m, options: within(m.options, caps) } : m, post, interruptFlag);
    else interruptFlag = m.flag;
  };
}

/** Options that use only the backends `caps` allows, as the VM would choose on
 *  a host that has only those: the allowed backend asked for (or the first of
 *  wasm, js), else the interpreter. */
function within(o: RunOptions, caps: Capabilities): RunOptions {
  if (o.tier === 'interp') return o;
  const want = o.backend ?? (caps.wasm ? 'wasm' : caps.eval ? 'js' : null);
  const allowed = want === 'wasm' ? caps.wasm : want === 'js' ? caps.eval : false;
  return allowed ? { ...o, backend: want! } : { ...o, tier: 'interp', backend: undefined };
}

function run(msg: Extract<ToWorker, { type: 'run' }>, post: (m: FromWorker) => void, interruptFlag: Int32Array | null): void {
  const t0 = performance.now();
  let batch: TierEvent[] = [];
  let windowStart = performance.now();
  let inWindow = 0;
  const send = () => { if (batch.length > 0) { post({ type: 'events', events: batch }); batch = []; } };
  const onTierEvent = (e: TierEvent) => {
    batch.push(e);
    const now = performance.now();
    if (now - windowStart >= BATCH_MS) { windowStart = now; inWindow = 0; }
    if (++inWindow <= BURST) send();   // the first of a window also sends what was held
  };
  const o = msg.options;
  if (interruptFlag !== null) Atomics.store(interruptFlag, 0, 0);
  const loaded = load(msg.file, msg.source, {
    tier: o.tier, jitThreshold: o.jitThreshold, backend: o.backend, args: o.args ?? [], stdin: o.stdin ?? '',
    flushMs: FLUSH_MS, tierEventCode: true,
    ...(interruptFlag !== null ? { interruptBuffer: interruptFlag } : {}),
    stdout: (text) => { send(); post({ type: 'out', stream: 'stdout', text }); },
    stderr: (text) => { send(); post({ type: 'out', stream: 'stderr', text }); },
    onTierEvent,
  });
  let exitCode: number;
  let backend: 'wasm' | 'js' | 'none' = 'none';
  if (!loaded.ok) exitCode = loaded.exitCode;
  else {
    try {
      exitCode = loaded.program.run();
    } catch (e) {
      post({ type: 'out', stream: 'stderr', text: `internal error: ${(e as Error).message}\n` });
      exitCode = 70;
    }
    backend = loaded.program.backend ?? 'none';
    loaded.program.dispose();
  }
  send();
  post({ type: 'done', exitCode, backend, ms: performance.now() - t0 });
}

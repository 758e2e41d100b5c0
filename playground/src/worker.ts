// The playground's worker: runs one guest program at a time with the bundled VM,
// so a long guest never blocks the page. The Stop button interrupts the run
// through a shared flag where the page is cross-origin isolated (the run ends
// with `runtime error: interrupted` and the worker lives on), else terminates
// the worker.
// It tries what the host allows (WebAssembly, eval) once, reports it, then per
// run streams output and tier events to the page and ends with the exit status
// and the backend the VM chose. Events are sent in batches (an OSR-heavy
// program makes thousands), at most every BATCH_MS while the program runs.

import { load, type TierEvent } from '../../src/vm.js';
import type { Capabilities, FromWorker, ToWorker } from './protocol.js';

const BATCH_MS = 50;
/** Output delivered to the page at most this often while a program prints. */
const FLUSH_MS = 50;

const post = (m: FromWorker) => (self as unknown as { postMessage(m: FromWorker): void }).postMessage(m);

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

const caps: Capabilities = { wasm: tryWasm(), eval: tryEval(), crossOriginIsolated: self.crossOriginIsolated === true };
post({ type: 'caps', caps });

/** The page's interrupt flag (cross-origin isolated pages only). */
let interruptFlag: Int32Array | null = null;

function run(msg: Extract<ToWorker, { type: 'run' }>): void {
  const t0 = performance.now();
  let batch: TierEvent[] = [];
  let sent = performance.now();
  const send = () => { if (batch.length > 0) { post({ type: 'events', events: batch }); batch = []; } sent = performance.now(); };
  const o = msg.options;
  const loaded = load(msg.file, msg.source, {
    tier: o.tier, jitThreshold: o.jitThreshold, backend: o.backend, args: o.args ?? [], stdin: o.stdin ?? '',
    flushMs: FLUSH_MS, tierEventCode: true,
    ...(interruptFlag !== null ? { interruptBuffer: interruptFlag } : {}),
    stdout: (text) => { send(); post({ type: 'out', stream: 'stdout', text }); },
    stderr: (text) => { send(); post({ type: 'out', stream: 'stderr', text }); },
    onTierEvent: (e) => { batch.push(e); if (performance.now() - sent >= BATCH_MS) send(); },
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

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'run') run(m);
  else if (m.type === 'interrupt-flag') interruptFlag = m.flag;
};

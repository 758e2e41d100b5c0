// The messages between the playground page (main.ts) and the worker that runs
// guest programs (worker.ts). Everything crosses by structured clone: tier
// events are plain objects (src/runtime/tier-events.ts).

import type { TierEvent, BackendName } from '../../src/vm.js';

/** What the page asks a run for (the playground's controls, or window.tiervm.run). */
export interface RunOptions {
  /** As --tier: interp, auto (tier 1, then tier 2 where the profile speculates),
   *  jit (everything tier 1 before it runs), opt (everything tier 2). */
  tier?: 'auto' | 'interp' | 'jit' | 'opt';
  jitThreshold?: number;
  backend?: 'wasm' | 'js';
  args?: string[];
  stdin?: string;
  /** The file name diagnostics and stack traces show (default playground.tier). */
  file?: string;
}

/** What the worker found by trying, before any program runs. */
export interface Capabilities {
  wasm: boolean;
  eval: boolean;
  crossOriginIsolated: boolean;
  /** Where programs run: a worker made from a blob: URL (it has the page's
   *  policy), from worker.js by URL, or on the page itself (the page's policy
   *  allows no worker; a long program blocks the page until it ends). */
  where: 'blob worker' | 'worker' | 'page';
}

export type ToWorker =
  | { type: 'run'; file: string; source: string; options: RunOptions }
  /** Sent once, where the page is cross-origin isolated: the interrupt flag (over
   *  a SharedArrayBuffer) the worker hands to every run, so Stop can interrupt a
   *  run without ending the worker. */
  | { type: 'interrupt-flag'; flag: Int32Array };

export type FromWorker =
  | { type: 'caps'; caps: Capabilities }
  | { type: 'out'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'events'; events: TierEvent[] }
  | { type: 'done'; exitCode: number; backend: BackendName; ms: number };

/** What window.tiervm.run resolves to. */
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  backend: BackendName;
  events: TierEvent[];
}

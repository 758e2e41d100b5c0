// Every setting and debug switch of tiervm, in one place, with its reason.

import { DEFAULT_JIT_THRESHOLD } from './runtime/tiering.js';

/** Execution tiers: interpreter only; interpreter plus compiling what is hot;
 *  compile every function before it first runs. */
export type Tier = 'interp' | 'auto' | 'jit';
export const TIERS: readonly Tier[] = ['interp', 'auto', 'jit'];

export const DEFAULTS = {
  tier: 'auto' as Tier,
  /** --jit-threshold: calls (and loop back-edges) before a function is compiled;
   *  see runtime/tiering.ts for why this value. */
  jitThreshold: DEFAULT_JIT_THRESHOLD,
  /** Heap ceiling. Generous: the heap is linear memory that grows on demand, and
   *  wasm32 memories cannot pass 4 GiB anyway. */
  maxHeapMB: 2048,
  /** Frame stack size. 8 MiB holds ~100k frames of a small function (a frame is
   *  16 bytes of header plus 8 bytes per register), deeper than typical native stacks. */
  stackSizeKB: 8192,
  /** Inline small leaf functions into compiled callers (--no-inline turns it off,
   *  e.g. to measure real calls). */
  inline: true,
  /** Debug: collect at every allocation (--gc-stress). */
  gcStress: false,
  /** Debug: verify the heap before and after every collection (--verify-heap). */
  verifyHeap: false,
} as const;

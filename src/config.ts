// Every setting and debug switch of tiervm, in one place, with its reason.

/** Execution tiers. Only the interpreter exists so far. */
export type Tier = 'interp';
export const TIERS: readonly Tier[] = ['interp'];

export const DEFAULTS = {
  tier: 'interp' as Tier,
  /** Heap ceiling. Generous: the heap is linear memory that grows on demand, and
   *  wasm32 memories cannot pass 4 GiB anyway. */
  maxHeapMB: 2048,
  /** Frame stack size. 8 MiB holds ~100k frames of a small function (a frame is
   *  16 bytes of header plus 8 bytes per register), deeper than typical native stacks. */
  stackSizeKB: 8192,
  /** Debug: collect at every allocation (--gc-stress). */
  gcStress: false,
  /** Debug: verify the heap before and after every collection (--verify-heap). */
  verifyHeap: false,
} as const;

// Every setting and debug switch of tiervm, in one place, with its reason, and the
// range each numeric setting must lie in (the embedding API and the command line
// check against the same limits).

import { DEFAULT_JIT_THRESHOLD } from './runtime/tiering.js';

/** Execution tiers: interpreter only; interpreter plus compiling what is hot
 *  (tier 1, then tier 2 where the profile gives something to speculate on);
 *  compile every function before it first runs, in tier 1 (jit) or tier 2 (opt:
 *  the wasm backend only; with no profile yet it speculates on nothing, and
 *  --deopt-stress puts a guard at every site). */
export type Tier = 'interp' | 'auto' | 'jit' | 'opt';
export const TIERS: readonly Tier[] = ['interp', 'auto', 'jit', 'opt'];

/** How crossings between the interpreter and compiled code are made: 'generated'
 *  makes an i2c and a c2i adapter per signature shape (the default, the fast
 *  one); 'generic' uses a few hand-written adapters that read the callee's
 *  signature at run time (as V8's generic JS-to-wasm wrapper and Mono's
 *  prebuilt wasm trampolines do), to measure what generating them buys
 *  (docs/architecture.md, Crossings). */
export type AdapterMode = 'generated' | 'generic';
export const ADAPTER_MODES: readonly AdapterMode[] = ['generated', 'generic'];

/** The frame stack and the heap share one linear memory whose addresses must stay
 *  below 2 GiB (compiled code and the heap treat them as signed i32); 64 KiB of it
 *  are kept for the cells, the scratch slot and the globals. */
export const MEMORY_LIMIT_KB = 2 * 1024 * 1024 - 64;

/** Accepted values of the numeric settings (whole numbers, inclusive). */
export const LIMITS = {
  /** At least one MiB to allocate in; at most what 2 GiB of memory leaves beside
   *  the smallest stack. */
  maxHeapMB: { min: 1, max: 2047, unit: 'MiB' },
  /** At least 64 KiB (a few hundred frames); at most 1 GiB, half the memory. */
  stackSizeKB: { min: 64, max: 1024 * 1024, unit: 'KiB' },
  /** Counters are i32 and count up to the threshold: 2^30 leaves them room. */
  jitThreshold: { min: 1, max: 2 ** 30, unit: '' },
  /** A debug setting: 1 (every compiled call runs interpreted) to 2^24 slots. */
  hostStackSlots: { min: 1, max: 2 ** 24, unit: 'slots' },
  /** Fuel (runtime/limits.ts): the budget is a JS number, exact up to 2^53 - 1. */
  maxSteps: { min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'steps' },
  /** Compile memory: the generated code one program may keep (wasm bytes or JS
   *  source characters, in KiB); 1 KiB to 1 GiB. */
  maxCodeKB: { min: 1, max: 1024 * 1024, unit: 'KiB' },
} as const;
export type Limited = keyof typeof LIMITS;

/** Why `v` is not an accepted value of setting `name` (null: it is). */
export function rangeProblem(name: Limited, v: unknown): string | null {
  const { min, max, unit } = LIMITS[name];
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return null;
  return `must be a whole number from ${min} to ${max}${unit ? ' (' + unit + ')' : ''}`;
}

/** The longest deadlineMs accepted: 2^31 - 1 ms (24.8 days, setTimeout's limit). */
export const MAX_DEADLINE_MS = 2 ** 31 - 1;

/** Why `v` is not an accepted deadlineMs (null: it is): any positive number of
 *  milliseconds up to MAX_DEADLINE_MS, fractions included. */
export function deadlineProblem(v: unknown): string | null {
  if (typeof v === 'number' && v > 0 && v <= MAX_DEADLINE_MS) return null;
  return `must be a positive number of milliseconds, at most ${MAX_DEADLINE_MS}`;
}

/** A function with more bounds-checked instructions (array and string
 *  indexing) than this is never compiled: it stays interpreted, its loops too,
 *  as HotSpot leaves huge methods to its interpreter. V8's optimizing compiler
 *  takes time that grows faster than the number of such checks (a branch to a
 *  trap each) in one function: 1,000, 2,000 and 4,000 stores `a[k + 1] = k;`
 *  compiled in 0.19, 0.35 and 2.4 s, a 5,000-element array literal in 3.4 s
 *  and one of 10,000 in about 85 s, on the program's thread; a 60,000-field
 *  struct literal (no checks, 480,000 bytecode words) in 0.76 s. The
 *  benchmarks' and the corpus's functions have at most 74 (`tiervm disasm`).
 *  Checks proven to pass (an array literal's stores: jit/checks.ts
 *  boundsProven) are not emitted and not counted. */
export const MAX_COMPILE_CHECKS = 2000;

/** In a run under limits (a budget, a deadline or an interrupt flag: untrusted
 *  code), a function of more bytecode words than this is never compiled either
 *  (it stays interpreted, its loops too), as HotSpot leaves methods past
 *  HugeMethodLimit to its interpreter. A compile runs on the program's thread
 *  and cannot be stopped halfway (V8 compiles a wasm module in one call), so its
 *  time is a pause no deadline or interrupt can cut short, and it grows with
 *  the function: a function of 60,000 statements `r = r * 31 + x + K;`
 *  (720,000 words) compiled in 0.67 s, and a run under `deadlineMs: 300` ended
 *  after 0.69 s; 120,000 words took about 0.15 s, 12,000 about 0.05-0.1 s
 *  (cold). Without limits such functions compile (straight-line code compiles
 *  in time linear in its size: tests/unit/front-limits.test.mjs). The
 *  benchmarks' functions have at most 524 words, the corpus's at most 1,114. */
export const MAX_COMPILE_WORDS = 50_000;

/** Steps between two polls of the interrupt flag and the deadline's clock when a
 *  run is metered (runtime/limits.ts). A poll costs about 0.1 us (a call out of
 *  compiled code, an atomic load, performance.now()); a step costs at least a
 *  nanosecond in compiled code and tens in the interpreter, so polls cost under
 *  1% while an interrupt or a deadline is seen within about 0.1 ms (compiled
 *  code) to 1 ms (the interpreter). */
export const FUEL_POLL_STEPS = 10000;

/** The heap limit when none is given: what the memory limit leaves beside a stack
 *  of `stackSizeKB`, at most LIMITS.maxHeapMB.max. */
export function defaultMaxHeapMB(stackSizeKB: number): number {
  return Math.min(LIMITS.maxHeapMB.max, Math.floor((MEMORY_LIMIT_KB - stackSizeKB) / 1024));
}

/** Why a heap of `heapMB` and a stack of `stackKB` do not fit in the memory
 *  together (null: they do). */
export function memoryProblem(heapMB: number, stackKB: number): string | null {
  if (heapMB * 1024 + stackKB <= MEMORY_LIMIT_KB) return null;
  return `${heapMB} MiB of heap and ${stackKB} KiB of stack exceed the memory limit of 2 GiB - 64 KiB ` +
    `(at most ${defaultMaxHeapMB(stackKB)} MiB of heap with this stack)`;
}

/** The host-stack budget of compiled code (runtime/runtime.ts), in frame-stack
 *  slots, per backend, and the part of it one crossing into the interpreter or the
 *  host costs. Measured on Node 20's main thread (about 1 MB of host stack, the
 *  smallest a program runs on), with the budget lifted: compiled wasm recursion
 *  overflowed the host past 200,000 slots whatever the frame's shape (a
 *  1-parameter function between 40,000 and 60,000 frames, one with no
 *  parameters past 60,000, one with 9 parameters and 32 registers between
 *  7,000 and 10,000); JavaScript frames overflowed between 5,000 and 10,000
 *  frames of a 6-register function (60,000 slots); alternating compiled and
 *  interpreted frames (a crossing each) at about 5,000. The wasm budget is a
 *  fifth of that, the JavaScript one a sixth, leaving room for the embedder's
 *  own frames below and the helpers' above. (A wasm budget of 20,000 sent a
 *  list walk of 8,000 nodes to the interpreter past its 4,000th frame: 4x
 *  slower than plain JavaScript.) A thread with a smaller host stack gets
 *  them scaled down, and a host that does not say (a browser) gets half
 *  (runtime/host-stack.ts).
 *  The wasm budget was 40,000 until the embedding audit measured the smallest
 *  frames again, on Node 20's main thread with the budget lifted: a frame can
 *  be as little as 2 slots apart from its caller's (a call whose arguments
 *  start at register 0), and V8's baseline code (Liftoff, what an embedder
 *  gets; the command line runs with --no-liftoff) spends 54-88 bytes of host
 *  stack on each: `fn f() { f(); f(); }` overflowed at 18,200 frames,
 *  `fn f(x: f64) { f(x); f(x); }` at 11,800, and under limits (fuel passed
 *  along, lower.ts) `fn f() { f(); }` at 13,700 (17,600 with --no-liftoff):
 *  36 bytes a slot, so 40,000 slots overflowed the host before the budget
 *  ended, at a depth the interpreter never fails at. 16,000 slots keep those
 *  to about 60% of the host stack (8,000 frames of 2 slots, 5,300 of 3). */
export const HOST_STACK = {
  wasm: { slots: 16000, crossingSlots: 2000, growth: { slots: 1000, bytesPerSlot: 48 } },
  js: { slots: 10000, crossingSlots: 2000, growth: { slots: 500, bytesPerSlot: 96 } },
} as const;

/** Growing the budget where it ran out (runtime.ts, growHostLimit): by as
 *  many slots as the host stack left holds at `bytesPerSlot` after
 *  HOST_STACK_RESERVE bytes, if that is at least `slots`, at most
 *  HOST_STACK_GROWTHS times in an outermost entry, once the budget was reached
 *  HOST_STACK_GROW_AFTER times in it. bytesPerSlot bounds what a
 *  slot of compiled frames costs the host: wasm frames 2 slots apart took up
 *  to 88 bytes (Liftoff, above), 3-4 slots apart 78 (Liftoff) and 61
 *  (TurboFan); JavaScript frames 3-4 slots apart 139 bytes, 8 apart 191. The
 *  reserve is what the fixed budget left above its deepest frames of 2 slots
 *  (about 280 KB of 984): room for the helpers, externs, compiles and the
 *  interpreter that run above the deepest compiled frame (the largest
 *  benchmark functions compile in 60 KB of stack). */
export const HOST_STACK_RESERVE = 256 * 1024;
export const HOST_STACK_GROWTHS = 64;
/** The budget grows from the HOST_STACK_GROW_AFTERth time compiled code
 *  reaches it in an outermost entry (runtime.ts, growHostLimit). */
export const HOST_STACK_GROW_AFTER = 4;

/** Frame stack size. 8 MiB holds ~100k frames of a small function (a frame is
 *  16 bytes of header plus 8 bytes per register), deeper than typical native stacks. */
const STACK_SIZE_KB = 8192;

export const DEFAULTS = {
  tier: 'auto' as Tier,
  /** Tier 2's count: calls of a function's tier-1 code before it is compiled
   *  again with speculation. With no --jit-threshold given, tier 1 comes
   *  sooner, after DEFAULT_CALL_THRESHOLD calls or DEFAULT_LOOP_THRESHOLD
   *  back-edges (a given --jit-threshold is all three); see runtime/tiering.ts
   *  for why these values. */
  jitThreshold: DEFAULT_JIT_THRESHOLD,
  /** Heap ceiling. Generous: the heap is linear memory that grows on demand. This
   *  is the value with the default stack; with another stack the default heap is
   *  defaultMaxHeapMB(stack), whatever the memory limit leaves. */
  maxHeapMB: defaultMaxHeapMB(STACK_SIZE_KB),
  stackSizeKB: STACK_SIZE_KB,
  /** Inline small leaf functions into compiled callers (--no-inline turns it off,
   *  e.g. to measure real calls). */
  inline: true,
  /** --compile: hot functions compile on the program's thread when they become
   *  hot. 'thread' (a compiler thread: JIT pauses under 1 ms at p99) is asked
   *  for only: the worker's start-up keeps hot code interpreted for 0.3-0.7 s
   *  on a loaded 2-core machine, and the benchmark programs ran 1.04-1.98x
   *  longer with it (docs/architecture.md, Compiling on a thread). */
  compile: 'sync' as 'sync' | 'thread',
  /** --adapters: per-shape generated adapters (see AdapterMode). */
  adapters: 'generated' as AdapterMode,
  /** Debug: collect at every allocation (--gc-stress). */
  gcStress: false,
  /** Debug: verify the heap before and after every collection (--verify-heap). */
  verifyHeap: false,
  /** Debug: every concatenation of two non-empty strings makes a rope
   *  (--rope-stress: the rope threshold is 1 instead of ROPE_MIN), so every
   *  reader of code units meets ropes. */
  ropeStress: false,
  /** Debug: every wasm OSR entry has exits, whatever the host (WASM_HOST),
   *  and leaves its loop at every back-edge to an outermost loop's header, to
   *  be entered again there (--osr-exit-stress; runtime/osr.ts). */
  osrExitStress: false,
  /** Debug: every guard of tier-2 code fails the first time it is reached, and
   *  every conditional jump and CALLV of tier-2 code is such a guard, so every
   *  deopt path runs (--deopt-stress). */
  deoptStress: false,
} as const;

/** Why a tier / deoptStress combination cannot run (null: it can): deopt stress
 *  needs a compiling tier. (Tier 2 exists on the wasm backend only; on the js
 *  backend, forced or for want of WebAssembly, tier opt compiles tier 1 and
 *  deopt stress has no guards, as --trace-tier says.) */
export function tier2Problem(tier: Tier, backend: 'wasm' | 'js' | undefined, deoptStress: boolean): string | null {
  void backend;
  if (deoptStress && tier === 'interp') return "deopt stress needs a compiling tier (not 'interp')";
  return null;
}

/** What the host does with the wasm modules tiervm makes, process-wide.
 *  `optimizesAtOnce`: V8 optimizes every function of a module when it is
 *  compiled, as the command line asks it to (cli.ts, V8_FLAGS: --no-liftoff).
 *  Otherwise (V8 embedded with its own defaults, browsers) a function first
 *  runs baseline code that only its later calls leave, and wasm OSR code has
 *  exits so that a long loop gets the optimized code too (runtime/osr.ts).
 *  `prepare`: called before the first wasm backend is built (the command line
 *  sets V8's flags there, and `optimizesAtOnce` with them: a run that compiles
 *  nothing never loads node's `v8` module, about 2.5 ms); null when there is
 *  nothing to do. */
export const WASM_HOST: {
  optimizesAtOnce: boolean;
  prepare: (() => void) | null;
  /** Where the host optimizes at once, runs `compile` (a module's compile)
   *  with its baseline compiler instead, whose code the host then optimizes in
   *  the background once hot (V8's Liftoff and dynamic tiering); null where
   *  the host does that for every module anyway. Tier-1 code without a loop,
   *  or whose function's loops ran short so far, is compiled this way
   *  (jit/wasm/backend.ts, lower): each of its calls ends soon, so no call
   *  stays long in baseline code. */
  baseline: (<T>(compile: () => T) => T) | null;
  /** The same, and the host never optimizes that module's code: for modules
   *  past BASELINE_ABOVE_BYTES (jit/wasm/backend.ts), whose optimizing
   *  compile, in the background, took seconds to minutes and kept the
   *  process from exiting until it ended; null where there is none. */
  baselineOnly: (<T>(compile: () => T) => T) | null;
} = { optimizesAtOnce: false, prepare: null, baseline: null, baselineOnly: null };

/** Run WASM_HOST.prepare once (before a wasm backend is made). */
export function prepareWasmHost(): void {
  const prepare = WASM_HOST.prepare;
  WASM_HOST.prepare = null;
  prepare?.();
}

/** Host entries nested in one another (an extern calling program.call(), whose
 *  guest code calls an extern that calls again, ...): past this depth the entry
 *  is the guest's `stack overflow`. Every level stands on host frames of its own
 *  (the extern, the API, the interpreter or compiled code): measured on Node 20's
 *  main thread, the host stack ran out at 290 levels (compiled code, and every
 *  tier under --jitless) to 574 (interpreter only); this is a third of the least. */
export const MAX_HOST_ENTRY_DEPTH = 100;

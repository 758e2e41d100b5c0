// Heap objects in linear memory: layouts, the allocator, and string operations.
//
// Every block starts on an 8-byte boundary with an 8-byte header:
//   word 0: tag = kind (bits 0-2) | OLD bit (bit 3) | LOGGED bit (bit 4)
//           | BIG bit (bit 5, large arrays of references)
//           | FORWARDED bit (bit 6, during a minor collection only)
//           | PRETENURED bit (bit 7, until the next full collection) | struct index << 8
//   OLD (the mark bit) is set on every object that survived a collection and stays
//   set (sticky marks, gc.ts): an object without it was allocated since the last
//   collection (young). LOGGED: the object is in the remembered set.
//   word 1: length (strings: UTF-16 units; arrays: elements; structs: 0, but
//           a rope (a struct of the internal type ropeIndex): its UTF-16 units;
//           free blocks: the block's size in bytes)
// and its payload follows at +8:
//   string               u16 code units
//   [i32] [fn]           4-byte elements          [f64]  8-byte elements
//   [bool]               1-byte elements (0 or 1)
//   array of references  4-byte addresses (0 = null)
//   struct               fields at the offsets in BcStruct
//   free block           word 2: next free run on the list (0 = end), if size >= 16
// An object's size is its payload rounded up to 8, and at least MIN_BLOCK; a free
// block may be 8 bytes (a filler). So [start, top) is a dense sequence of blocks
// a sweep can walk.
//
// Allocation bumps a cursor through a window of free memory: the cells
// CURSOR_WORD and LIMIT_WORD in linear memory, so compiled code can allocate
// inline (load cursor, add, compare with limit, store) and call the runtime only
// when the window is used up. refill() then retires the window (the unused rest
// goes back to the free runs), starts a collection if the allocation budget is
// spent, and opens a new window on a free run that fits, or on fresh memory past
// `top` (growing the memory up to the heap limit). A window never extends past the
// budget left before the next collection, so the fast path needs no separate
// trigger check. Where the window is a small hole, the next holes wait in the
// hole ring in linear memory (RING_*), so that compiled code moves on to the
// next one without calling the runtime (jit/wasm/alloc.ts). Payloads are zeroed on allocation: zero is every kind's default
// and no stale reference survives reuse.
//
// Free runs are kept in size-segregated bins (FreeBins below): one bin per exact
// size up to EXACT_MAX bytes, then one per power of two, with a bitmap of the
// non-empty bins. Finding a run that fits is a bitmap search, not a walk past
// runs too small (a first-fit list made each refill cost time in proportion to
// the fragmentation: 133 s instead of seconds for 400,000 kept words). A window
// for small objects takes a run of at least NURSERY_RUN bytes first (mostly the
// young ranges the last minor collection emptied, still in the caches), then
// the next hole, then a run of at least WINDOW_PREFERRED bytes, so the inline
// bump path stays long, before the heap grows. Within a bin, runs are taken in
// address order after a sweep (the sweep appends them in address order).
// Every window allocation ran through since the last collection is recorded as a
// young range (youngRanges): a minor collection looks only there for dead objects.
// Stores of a reference into a heap object pass the write barrier (remember):
// an OLD object that receives a reference to a young object is logged once in
// the remembered set (barrierNeeded, youngRef),
// so a minor collection finds every old-to-young reference without scanning the
// old objects. Compiled wasm code defers that slow path through the store buffer
// (STORE_BUFFER_ENTRIES, after the hole ring), which is empty whenever a
// collection looks at the remembered set (drainStoreBuffer).
// Address 0 is null; no block lives there.

import { Kind } from '../bytecode/opcodes.js';
import { Memory } from './memory.js';
import { Trap } from './errors.js';
import { parseI32 } from './builtins.js';
import type { Output } from './output.js';

export const enum ObjKind { STR = 1, ARR_I = 2, ARR_F = 3, ARR_R = 4, STRUCT = 5, FREE = 6, ARR_B = 7 }

export type ArrayKind = ObjKind.ARR_I | ObjKind.ARR_F | ObjKind.ARR_R | ObjKind.ARR_B;

/** The object kind of an array whose elements have value kind k and take
 *  elementBytes each (opcodes.ts: an array instruction's variant and
 *  elementBytes; bool is the i32-kind value packed in one byte). */
export function arrayKindFor(k: Kind.I | Kind.F | Kind.R, elementBytes: number | undefined): ArrayKind {
  if (k === Kind.F) return ObjKind.ARR_F;
  if (k === Kind.R) return ObjKind.ARR_R;
  return elementBytes === 1 ? ObjKind.ARR_B : ObjKind.ARR_I;
}

/** Bytes of one element of an array of object kind `kind`. */
export function elementBytesOf(kind: ArrayKind): number {
  return kind === ObjKind.ARR_F ? 8 : kind === ObjKind.ARR_B ? 1 : 4;
}
export const HEADER_BYTES = 8;
/** An allocation this large or larger is costly work (Heap.costly). */
export const COSTLY_BYTES = 1 << 20;
/** Payload bytes of the largest array compiled wasm code allocates itself
 *  (jit/wasm/lower.ts newArray): see windowArrayMax. */
export const WINDOW_ARRAY_BYTES = 1 << 16;
export const MARK_BIT = 8;
/** Set on an OLD object while it is in the remembered set. */
export const LOGGED_BIT = 16;
/** Set on an array of references of at least BIG_ARRAY_ELEMENTS elements: once
 *  it is OLD, the write barrier logs each element stored into (once per
 *  collection), and a minor collection scans only the logged elements, not the
 *  whole array (random stores into a large array stay cheap however large it is). */
export const BIG_BIT = 32;
/** A smaller array is remembered once, like a struct, and a minor collection
 *  scans it whole (at most 16 KB); stores after the first take the barrier's
 *  fast path. At 1,024, a 2,000-element array stored into at every step sent
 *  every store through the store buffer (docs/architecture.md, "Big arrays
 *  from 4,096 references"). */
export const BIG_ARRAY_ELEMENTS = 4096;
/** Compiled wasm code allocates an array of kind `kind` and length n itself,
 *  in the window (bumping it, or after its refill), when 0 <= n <=
 *  windowArrayMax(kind); newArray takes the rest (negative lengths, big arrays
 *  of references, long arrays). Such an array is one newArray allocates young
 *  in the window (alloc) with the tag `kind` alone: not big, so never
 *  pretenured; its block size is far from i32's range; and its payload, at
 *  most WINDOW_ARRAY_BYTES, is smaller than any heap (maxHeapMB >= 1), so
 *  newArray's out-of-memory check before allocating cannot fail for it. */
export function windowArrayMax(kind: ArrayKind): number {
  const n = Math.floor(WINDOW_ARRAY_BYTES / elementBytesOf(kind));
  return kind === ObjKind.ARR_R ? Math.min(n, BIG_ARRAY_ELEMENTS - 1) : n;
}
/** Set, only during a minor collection, on a young object that was moved to old
 *  space (evacuated, gc.ts): word 2 of the block then holds its new address.
 *  Every block has a word 2 (MIN_BLOCK), and the sweep that ends the collection
 *  frees the old copy, so no forwarded block outlives the collection. */
export const FORWARDED_BIT = 64;
/** Set on an array allocated OLD (pretenured, Heap.newArray) until the next full
 *  collection, which counts how many of them survived (GarbageCollector). */
export const PRETENURED_BIT = 128;
/** chr of a code point below this returns a string made once (Heap.charCache). */
export const CHAR_CACHE_SIZE = 256;
/** The write barrier's test, on the tag of the object just stored into:
 *  t = tag & BARRIER_MASK; the slow path (remember) runs when t === BARRIER_ONCE
 *  (OLD, not yet LOGGED) or t >= BARRIER_ALWAYS (an OLD big array), and the
 *  value stored is young (youngRef). Every tier tests both. */
export const BARRIER_MASK = MARK_BIT | LOGGED_BIT | BIG_BIT;
export const BARRIER_ONCE = MARK_BIT;
export const BARRIER_ALWAYS = MARK_BIT | BIG_BIT;
export function barrierNeeded(tag: number): boolean {
  const t = tag & BARRIER_MASK;
  return t === BARRIER_ONCE || t >= BARRIER_ALWAYS;
}
/** The barrier's second test, made only where the first passed: the value
 *  stored is a young object (not null, its mark bit clear). Storing null or an
 *  OLD object makes no old-to-young reference, so nothing is logged: moving
 *  old values between old arrays (a sort) costs no store-buffer entry, and a
 *  minor collection has no slot of theirs to look at. */
export function youngRef(i32: Int32Array, value: number): boolean {
  return value !== 0 && (i32[value >> 2]! & MARK_BIT) === 0;
}
export const KIND_MASK = 7;
/** A concatenation whose result is at least this many code units long makes a
 *  rope instead of a copy (see "ropes" below; docs/architecture.md, Ropes):
 *  the string builder's SHORT_UNITS. 1 under --rope-stress (config.ts). */
export const ROPE_MIN = 256;
/** A rope's block: the header (word 1: the length), left, right. */
export const ROPE_BYTES = 16;
/** The longest string, in code units, in any heap however large: V8's (Node's,
 *  Chrome's) longest JavaScript string. A guest string leaves as one (print,
 *  externs, results, parse_i32's text), so a longer one would fail in the host;
 *  making it is `out of memory` in every host and tier instead. */
export const MAX_STRING_UNITS = (1 << 29) - 24;
/** copyRope copies a flat part this short by a loop, a longer one by copyWithin. */
const SHORT_COPY_UNITS = 32;
export const MIN_BLOCK = 16;
/** i32 index of the allocation cursor and of the end of its window. */
export const CURSOR_WORD = 4;
export const LIMIT_WORD = 5;
/** Fresh memory taken past `top` at once when no free run fits. */
const FRESH_CHUNK = 64 * 1024;
/** A promotion window (Heap.allocOld) prefers a free run of this many bytes. */
const PROMOTION_CHUNK = 64 * 1024;


/** The hole ring (Heap.ring, at the start of the heap's memory): the next holes,
 *  copied into linear memory so that compiled code moves from a used-up hole to
 *  the next one without calling the runtime (jit/wasm/alloc.ts), and the runtime
 *  does the same in JavaScript (takeFromRing). Byte offsets of its cells: NEXT
 *  and END bound the entries not consumed yet (byte addresses), BUDGET the bytes
 *  the ring may still hand out before the next collection is due; then
 *  HOLE_RING_ENTRIES [address, size] entries. A consumed entry keeps its size,
 *  or 0 if it was passed over (too small for the request). The ring holds
 *  entries only while the window is a hole (inHole): moving to the next hole
 *  retires the current one by writing a free block over its rest. */
export const RING_NEXT = 0;
export const RING_END = 4;
export const RING_BUDGET = 8;
/** The store buffer's cell (beside the ring's): the byte address of its next
 *  free entry (see STORE_BUFFER_ENTRIES). */
export const SSB_NEXT = 12;
export const RING_ENTRIES = 16;
export const HOLE_RING_ENTRIES = 256;
const RING_BYTES = RING_ENTRIES + 8 * HOLE_RING_ENTRIES;
/** The store buffer (after the hole ring, before the blocks): [object, index]
 *  entries, each a write barrier's slow path not yet taken. Compiled wasm code
 *  appends to it (jit/wasm/alloc.ts, addRemember) instead of calling the
 *  runtime's remember() at each store that needs it (a million stores into a
 *  big OLD array in `words`: a host call each); the runtime takes the entries
 *  (drainStoreBuffer) when the buffer is full and before every collection,
 *  which is before anything reads the remembered set or the logged elements.
 *  An entry's object is OLD and was when it was stored into (only a
 *  collection changes that), so taking it later is the same as remember() then. */
export const STORE_BUFFER_ENTRIES = 1024;
const SSB_BYTES = 8 * STORE_BUFFER_ENTRIES;
/** The store buffer's end (the heap's first block), from the ring's address. */
export const STORE_BUFFER_END = RING_BYTES + SSB_BYTES;

/** The collector, as the allocator sees it (gc.ts implements it). */
export interface Collector {
  /** Bytes that may still be allocated before the next collection. */
  budget(allocatedSinceGc: number): number;
  /** Collect; `full` forces a full collection (else the collector chooses). */
  collect(reason: string, full?: boolean): void;
  /** Should a full collection run before the heap grows to `extent` bytes? */
  fullBeforeGrowth(extent: number): boolean;
  /** The block of `size` bytes at `addr` was allocated OLD (pretenured). */
  pretenured(addr: number, size: number): void;
  /** The same, for a block that is not pretenuring's to judge (a frame-stack
   *  segment). */
  allocatedOld(addr: number, size: number): void;
  /** The linear memory just grew, for the heap (`promotion`: old space for a
   *  collection's moves or a block allocated OLD) or for the mutator's windows. */
  memoryGrew(promotion: boolean): void;
}

/** Runs up to this size have a bin per exact size (8-byte steps). */
const EXACT_MAX = 512;
/** Bins: exact sizes 16..EXACT_MAX (index size >> 3), then one per power of two
 *  above EXACT_MAX (2^9 < size < 2^10 is the first) up to 2^31. */
const BIN_COUNT = (EXACT_MAX >> 3) + 1 + 23;
/** A window for a small request prefers a free run of at least this many bytes. */
const WINDOW_PREFERRED = 256;
/** A window for a small request takes a free run of at least this many bytes
 *  first, before the holes: such runs are mostly the young ranges the last
 *  minor collection emptied (their survivors moved out), so the nursery
 *  reuses memory still in the caches, and the holes a full sweep left between
 *  old objects (cold memory, scattered) serve once no such run is left. */
const NURSERY_RUN = 64 << 10;
/** Runs a sweep finds that are smaller than this are holes (FreeBins): taken
 *  in address order, through the ring inline in compiled code. 256 made a
 *  fragmented heap's windows come from the exact-size bins, one bin after
 *  another: in frag at 1 GB live (survivors replaced at random, so free runs
 *  of 200-900 bytes), 8.8 million refills through the runtime, each popping a
 *  run at a random address (a cache and TLB miss); 512 took 16.4 -> 11.4 s of
 *  CPU there and 0.92x at 100 MB live, churn 1.03-1.05x (paired, under load;
 *  on a build that also refused moves past Heap.growCap, since dropped);
 *  1024 no faster in frag and churn 1.10x. */
const HOLE_MAX = 512;

/** The bin of a free run of `size` bytes (a multiple of 8, at least MIN_BLOCK). */
function binOf(size: number): number {
  return size <= EXACT_MAX ? size >> 3 : (EXACT_MAX >> 3) + (31 - Math.clz32(size)) - 8;
}

/** The first bin every run of which holds at least `size` bytes. */
function firstFittingBin(size: number): number {
  return size <= EXACT_MAX ? size >> 3 : binOf(size) + 1;
}

/** Free runs in size-segregated FIFO bins, linked through word 2 of each run
 *  (word 0 FREE, word 1 the run's size), with a bitmap of non-empty bins; and
 *  the holes: runs smaller than HOLE_MAX found by the sweeps, in address order
 *  per sweep, in a host array (so taking one reads no link from the heap, and
 *  allocation walks them in memory order). The holes taken since the last
 *  collection stay listed (`taken`): they are that many young ranges, which the
 *  minor collection sweeps (and then calls forgetTaken). A hole passed over as
 *  too small is not listed again until a full sweep finds it. */
class FreeBins {
  readonly heads = new Int32Array(BIN_COUNT);
  readonly tails = new Int32Array(BIN_COUNT);
  private readonly nonEmpty = new Uint32Array((BIN_COUNT + 31) >> 5);
  /** [address, size] pairs; holes[2 * nextHole ...] are not taken yet. */
  private holes = new Int32Array(256);
  private holeCount = 0;
  private nextHole = 0;
  /** holes[0 .. 2 * usedHoles) are the holes taken (and not passed over) since
   *  the last collection. */
  private usedHoles = 0;
  /** Bytes in all bins and untaken holes. */
  bytes = 0;

  constructor(private readonly mem: Memory) {}

  clear(): void {
    this.heads.fill(0); this.tails.fill(0); this.nonEmpty.fill(0); this.bytes = 0;
    this.holeCount = this.nextHole = this.usedHoles = 0;
  }

  /** A run found by a sweep: a hole if small, else into its bin. */
  addSwept(addr: number, size: number): void {
    if (size >= HOLE_MAX) { this.add(addr, size); return; }
    const i32 = this.mem.i32;
    i32[addr >> 2] = ObjKind.FREE; i32[(addr >> 2) + 1] = size;
    if (2 * this.holeCount + 2 > this.holes.length) this.holes = grown(this.holes);
    this.holes[2 * this.holeCount] = addr;
    this.holes[2 * this.holeCount + 1] = size;
    this.holeCount++;
    this.bytes += size;
  }

  /** The holes taken since the last collection: [address, size] pairs (a view,
   *  valid until the next change). Each is a young range. */
  get taken(): Int32Array { return this.holes.subarray(0, 2 * this.usedHoles); }

  /** Stop listing the taken holes (a minor collection has copied them out): the
   *  untaken ones move to the front. */
  forgetTaken(): void {
    this.holes.copyWithin(0, 2 * this.nextHole, 2 * this.holeCount);
    this.holeCount -= this.nextHole;
    this.nextHole = this.usedHoles = 0;
  }

  /** The next hole of at least `size` bytes (0 if none). Holes too small for the
   *  request are passed over: they stay free blocks, and young ranges (taken)
   *  until the next minor collection sweeps them into holes again. */
  takeHole(size: number): number {
    const i = this.nextFittingHole(size);
    if (i < 0) return 0;
    // Listed again as taken, at the front (usedHoles <= nextHole: nothing
    // untaken is overwritten).
    this.listUsed(this.holes[i]!, this.holes[i + 1]!);
    return this.holes[i]!;
  }

  /** The next hole of at least `size` bytes for old space (0 if none): as
   *  takeHole, but not listed as taken, because what goes there is OLD, not a
   *  young range. Only while the ring is settled (during a collection): the
   *  ring's giveBack expects no hole taken after its own. */
  takeOldHole(size: number): number {
    const i = this.nextFittingHole(size);
    return i < 0 ? 0 : this.holes[i]!;
  }

  /** Take the untaken holes in order up to the first of at least `size` bytes
   *  (those before it are passed over); its index in `holes`, or -1. */
  private nextFittingHole(size: number): number {
    while (this.nextHole < this.holeCount) {
      const i = 2 * this.nextHole++;
      this.bytes -= this.holes[i + 1]!;
      if (this.holes[i + 1]! >= size) return i;
    }
    return -1;
  }

  /** Take up to `max` holes in order, whatever their size, into `out` as
   *  [address, size] pairs from i32 index `at`; returns how many. They are not
   *  listed as used: listUsed() each one used, giveBack() those left. */
  takeHoles(max: number, out: Int32Array, at: number): number {
    const n = Math.min(max, this.holeCount - this.nextHole);
    for (let k = 0; k < n; k++) {
      const i = 2 * (this.nextHole + k);
      out[at + 2 * k] = this.holes[i]!;
      out[at + 2 * k + 1] = this.holes[i + 1]!;
      this.bytes -= this.holes[i + 1]!;
    }
    this.nextHole += n;
    return n;
  }

  /** A hole taken by takeHoles was used: listed as taken (a young range). */
  listUsed(addr: number, size: number): void {
    this.holes[2 * this.usedHoles] = addr;
    this.holes[2 * this.usedHoles + 1] = size;
    this.usedHoles++;
  }

  /** The last `n` holes takeHoles took were not used: untaken again (nothing
   *  was taken since, and listUsed wrote only below them). */
  giveBack(n: number): void {
    this.nextHole -= n;
    for (let k = 0; k < n; k++) this.bytes += this.holes[2 * (this.nextHole + k) + 1]!;
  }

  /** Append the run [addr, addr + size) to its bin. size >= MIN_BLOCK, multiple of 8. */
  add(addr: number, size: number): void {
    const i32 = this.mem.i32;
    const w = addr >> 2, b = binOf(size);
    i32[w] = ObjKind.FREE; i32[w + 1] = size; i32[w + 2] = 0;
    const tail = this.tails[b]!;
    if (tail === 0) { this.heads[b] = addr; this.nonEmpty[b >> 5]! |= 1 << (b & 31); }
    else i32[(tail >> 2) + 2] = addr;
    this.tails[b] = addr;
    this.bytes += size;
  }

  /** Unlink and return a run from the bins of at least `size` bytes (0 if none),
   *  preferring one of at least `prefer` bytes. */
  take(size: number, prefer: number): number {
    const run = (prefer > size ? this.takeFitting(prefer) : 0) || this.takeFitting(size);
    if (run !== 0) return run;
    return size > EXACT_MAX ? this.takeFromOwnBin(size) : 0;
  }

  /** Unlink and return a run from the first non-empty bin whose runs all have
   *  at least `size` bytes, 0 if none. */
  takeFitting(size: number): number {
    const b = this.nonEmptyFrom(firstFittingBin(size));
    return b >= 0 ? this.pop(b) : 0;
  }

  /** Index of the first non-empty bin at or after `from`, or -1. */
  private nonEmptyFrom(from: number): number {
    for (let word = from >> 5; word < this.nonEmpty.length; word++) {
      let bits = this.nonEmpty[word]!;
      if (word === from >> 5) bits &= ~0 << (from & 31);
      if (bits !== 0) return (word << 5) + (31 - Math.clz32(bits & -bits));
    }
    return -1;
  }

  private pop(b: number): number {
    const i32 = this.mem.i32;
    const run = this.heads[b]!;
    const next = i32[(run >> 2) + 2]!;
    this.heads[b] = next;
    if (next === 0) { this.tails[b] = 0; this.nonEmpty[b >> 5]! &= ~(1 << (b & 31)); }
    this.bytes -= i32[(run >> 2) + 1]!;
    return run;
  }

  /** Large requests only: a fitting run in the request's own power-of-two bin,
   *  where runs may be smaller than the request (first fit; used only when no
   *  larger bin has anything, i.e. just before the heap grows). */
  private takeFromOwnBin(size: number): number {
    const i32 = this.mem.i32;
    const b = binOf(size);
    let prev = 0;
    for (let r = this.heads[b]!; r !== 0; prev = r, r = i32[(r >> 2) + 2]!) {
      if (i32[(r >> 2) + 1]! < size) continue;
      const next = i32[(r >> 2) + 2]!;
      if (prev === 0) this.heads[b] = next; else i32[(prev >> 2) + 2] = next;
      if (this.tails[b] === r) this.tails[b] = prev;
      if (this.heads[b] === 0) this.nonEmpty[b >> 5]! &= ~(1 << (b & 31));
      this.bytes -= i32[(r >> 2) + 1]!;
      return r;
    }
    return 0;
  }

  /** Every run in every bin, then every untaken hole with bin -1 (for the heap verifier). */
  forEach(visit: (addr: number, size: number, bin: number) => void): void {
    const i32 = this.mem.i32;
    for (let h = this.nextHole; h < this.holeCount; h++) visit(this.holes[2 * h]!, this.holes[2 * h + 1]!, -1);
    for (let b = 0; b < BIN_COUNT; b++) {
      for (let r = this.heads[b]!; r !== 0; r = i32[(r >> 2) + 2]!) visit(r, i32[(r >> 2) + 1]!, b);
    }
  }

  /** Is bin b's bitmap bit consistent with its list? (for the heap verifier) */
  marked(b: number): boolean { return (this.nonEmpty[b >> 5]! & (1 << (b & 31))) !== 0; }
}

/** The bin a free run of `size` bytes belongs in (for the heap verifier). */
export { binOf as freeBinOf };

export class Heap {
  /** End of the walked part of the heap; [top, memory end) is untouched memory. */
  top: number;
  /** The free runs. */
  readonly free: FreeBins;
  /** Bytes allocated since the last collection, up to the current window's start. */
  allocatedSinceGc = 0;
  /** Largest extent the heap ever had (bytes). */
  peakExtent = 0;
  collector: Collector | null = null;
  /** Struct sizes by struct index (for walking the heap). */
  structSizes: Int32Array = new Int32Array(0);
  /** The current window: [windowStart, runEnd) is taken from the free memory;
   *  allocation has used [windowStart, cursor). */
  private windowStart = 0;
  private runEnd = 0;
  /** The window is a hole (FreeBins.takeHole): its young range is listed there. */
  private inHole = false;
  /** Young ranges since the last collection: [start, end) pairs, in the order the
   *  windows were opened; each is a dense sequence of blocks. */
  youngRanges = new Int32Array(64);
  youngRangeCount = 0;
  /** The remembered set: OLD objects (LOGGED bit set) that received a reference
   *  since the last collection. */
  remembered = new Int32Array(256);
  rememberedCount = 0;
  /** Objects that survived one minor collection and stay young until the next
   *  (address order within each young range they came from). */
  aged = new Int32Array(256);
  agedCount = 0;
  /** Elements of big arrays stored into since the last collection: [array,
   *  index] pairs, each once (slotBits: one bit per heap word, set while logged). */
  slots = new Int32Array(256);
  slotCount = 0;
  private slotBits = new Int32Array(0);

  /** First byte of the heap's blocks (the hole ring comes before them). */
  readonly start: number;
  /** Byte address of the hole ring (RING_* cells, then its entries). */
  readonly ring: number;
  /** Byte address of the store buffer's first entry (its end is heap.start). */
  readonly ssb: number;
  /** The ring's BUDGET when it was filled (the difference is allocated bytes). */
  private ringBudget = 0;

  /** The heap takes [start, limit): the hole ring, then its blocks. The limit
   *  moves up by each frame-stack segment made (newStackSegment). */
  constructor(readonly mem: Memory, start: number, public limit: number) {
    this.ring = start;
    this.ssb = start + RING_BYTES;
    this.start = start + STORE_BUFFER_END;
    mem.i32[(this.ring + SSB_NEXT) >> 2] = this.ssb;
    this.top = this.start;
    this.free = new FreeBins(mem);
    this.emptyRing();
    this.closeWindow();
  }

  /** Bytes of the heap in use by blocks, live or free (top - start). */
  get extent(): number { return this.top - this.start; }

  /** A zeroed block for `bytes` of header and payload, header written. */
  alloc(bytes: number, tag: number, length: number): number {
    const size = blockSizeFor(bytes);
    let i32 = this.mem.i32;
    let addr = i32[CURSOR_WORD]!;
    if (addr + size > i32[LIMIT_WORD]!) {
      addr = this.refill(size);
      i32 = this.mem.i32;
    }
    i32[CURSOR_WORD] = addr + size;
    const w = addr >> 2;
    i32[w] = tag;
    i32[w + 1] = length;
    // Zero the payload: a loop for the usual few words, fill() for the rest.
    const end = w + (size >> 2);
    if (size <= 64) for (let i = w + 2; i < end; i++) i32[i] = 0;
    else i32.fill(0, w + 2, end);
    return addr;
  }

  /** Called before costly work (a collection, an allocation of COSTLY_BYTES or
   *  more), where `out of memory` may be raised too: the runtime's check of the
   *  deadline (limits.ts, costly), which may throw `interrupted`; null when
   *  the run has no deadline. */
  costly: (() => void) | null = null;

  /** Open a window with room for `size` bytes; returns its start. */
  refill(size: number): number {
    if (this.inHole) {
      const hole = this.takeFromRing(size);
      if (hole !== 0) return hole;
    }
    this.retireWindow();
    const c = this.collector;
    const due = c !== null && c.budget(this.allocatedSinceGc) < size;
    if (this.costly !== null && (due || size >= COSTLY_BYTES)) this.costly();
    if (due) c.collect('threshold');
    let run = this.takeRun(size);
    if (run === 0) run = this.takeFresh(size);
    const budget = c === null ? Infinity : Math.max(size, c.budget(this.allocatedSinceGc));
    this.windowStart = run;
    const i32 = this.mem.i32;
    i32[CURSOR_WORD] = run;
    if (this.inHole) {
      // A hole is taken whole (its size was counted as allocated): the window
      // ends where it ends, and the ring is filled with the holes after it.
      i32[LIMIT_WORD] = this.runEnd;
      const ringBudget = c === null ? 0x7fffffff : Math.min(0x7fffffff, c.budget(this.allocatedSinceGc));
      if (ringBudget > 0) this.fillRing(ringBudget);
    } else {
      i32[LIMIT_WORD] = Math.min(this.runEnd, run + budget);
    }
    return run;
  }

  /** The window is a hole: move to the next hole in the ring that fits `size`
   *  (what compiled code does inline, jit/wasm/alloc.ts); 0 if the ring has none
   *  or its budget is spent. */
  private takeFromRing(size: number): number {
    const i32 = this.mem.i32, r = this.ring >> 2;
    let e = i32[r + (RING_NEXT >> 2)]!;
    const end = i32[r + (RING_END >> 2)]!;
    for (; e < end; e += 8) {
      const addr = i32[e >> 2]!, holeSize = i32[(e >> 2) + 1]!;
      if (holeSize < size) { i32[(e >> 2) + 1] = 0; continue; }
      const budget = i32[r + (RING_BUDGET >> 2)]!;
      if (budget < holeSize) break;
      i32[r + (RING_BUDGET >> 2)] = budget - holeSize;
      this.fillRest();
      i32[r + (RING_NEXT >> 2)] = e + 8;
      i32[CURSOR_WORD] = addr;
      i32[LIMIT_WORD] = addr + holeSize;
      return addr;
    }
    i32[r + (RING_NEXT >> 2)] = e;
    return 0;
  }

  /** The window's unused rest [cursor, limit) becomes a free block (a hole's
   *  rest stays in its young range). */
  private fillRest(): void {
    const i32 = this.mem.i32;
    const cursor = i32[CURSOR_WORD]!;
    this.freeBlock(cursor, i32[LIMIT_WORD]! - cursor);
  }

  /** [addr, addr + size) becomes one free block in the heap's block sequence,
   *  on no list (nothing if size is 0). */
  private freeBlock(addr: number, size: number): void {
    if (size === 0) return;
    const i32 = this.mem.i32;
    i32[addr >> 2] = ObjKind.FREE; i32[(addr >> 2) + 1] = size;
  }

  /** Copy the next holes into the ring; it may hand out `budget` bytes. */
  private fillRing(budget: number): void {
    const i32 = this.mem.i32, r = this.ring >> 2;
    const n = this.free.takeHoles(HOLE_RING_ENTRIES, i32, (this.ring + RING_ENTRIES) >> 2);
    i32[r + (RING_NEXT >> 2)] = this.ring + RING_ENTRIES;
    i32[r + (RING_END >> 2)] = this.ring + RING_ENTRIES + 8 * n;
    i32[r + (RING_BUDGET >> 2)] = budget;
    this.ringBudget = budget;
  }

  /** Settle the ring with the free list: the holes used from it are listed as
   *  taken (young ranges) and counted as allocated; the rest are untaken again. */
  private syncRing(): void {
    const i32 = this.mem.i32, r = this.ring >> 2;
    const first = this.ring + RING_ENTRIES;
    const next = i32[r + (RING_NEXT >> 2)]!, end = i32[r + (RING_END >> 2)]!;
    if (end === first) return;
    for (let e = first; e < next; e += 8) {
      if (i32[(e >> 2) + 1]! > 0) this.free.listUsed(i32[e >> 2]!, i32[(e >> 2) + 1]!);
    }
    this.free.giveBack((end - next) >> 3);
    this.allocatedSinceGc += this.ringBudget - i32[r + (RING_BUDGET >> 2)]!;
    this.emptyRing();
  }

  private emptyRing(): void {
    const i32 = this.mem.i32, r = this.ring >> 2;
    i32[r + (RING_NEXT >> 2)] = i32[r + (RING_END >> 2)] = this.ring + RING_ENTRIES;
    i32[r + (RING_BUDGET >> 2)] = 0;
    this.ringBudget = 0;
  }

  /** Account for the window's allocations and give its unused rest back. */
  retireWindow(): void {
    const i32 = this.mem.i32;
    const cursor = i32[CURSOR_WORD]!;
    if (this.runEnd === 0) return;
    if (this.inHole) {
      // The holes are young ranges already (listed as taken) and were counted
      // as allocated whole when taken.
      this.syncRing();
      this.fillRest();
      this.closeWindow();
      return;
    }
    this.allocatedSinceGc += cursor - this.windowStart;
    const rest = this.runEnd - cursor;
    if (cursor === this.windowStart || rest >= WINDOW_PREFERRED) {
      if (rest >= MIN_BLOCK) this.addFree(cursor, rest);
      else this.freeBlock(cursor, rest);
      if (cursor > this.windowStart) this.addYoungRange(this.windowStart, cursor);
    } else {
      // A small rest stays in the young range as one free block (not in a bin):
      // the minor sweep merges it with the dead objects before it.
      this.freeBlock(cursor, rest);
      this.addYoungRange(this.windowStart, this.runEnd);
    }
    this.closeWindow();
  }

  private addYoungRange(start: number, end: number): void {
    const n = this.youngRangeCount;
    if (n > 0 && this.youngRanges[2 * n - 1] === start) { this.youngRanges[2 * n - 1] = end; return; }
    if (2 * n + 2 > this.youngRanges.length) this.youngRanges = grown(this.youngRanges);
    this.youngRanges[2 * n] = start;
    this.youngRanges[2 * n + 1] = end;
    this.youngRangeCount = n + 1;
  }

  /** The write barrier's slow path (barrierNeeded held): log `obj` in the
   *  remembered set once; for a big array, also log element `index`. */
  remember(obj: number, index: number): void {
    const i32 = this.mem.i32;
    const tag = i32[obj >> 2]!;
    if (!(tag & LOGGED_BIT)) {
      i32[obj >> 2] = tag | LOGGED_BIT;
      if (this.rememberedCount === this.remembered.length) this.remembered = grown(this.remembered);
      this.remembered[this.rememberedCount++] = obj;
    }
    if (tag & BIG_BIT) this.logSlot(obj, index);
  }

  /** Take the store buffer's entries: remember() each. */
  drainStoreBuffer(): void {
    const i32 = this.mem.i32, cell = (this.ring + SSB_NEXT) >> 2;
    const next = i32[cell]!;
    if (next === this.ssb) return;
    // Runs of entries for one object (a big array filled in order) read its
    // header once: after the first, it is LOGGED, and only a big array's
    // elements are left to log.
    let prev = 0, big = false;
    for (let e = this.ssb >> 2; e < next >> 2; e += 2) {
      const obj = i32[e]!;
      if (obj !== prev) { this.remember(obj, i32[e + 1]!); prev = obj; big = (i32[obj >> 2]! & BIG_BIT) !== 0; }
      else if (big) this.logSlot(obj, i32[e + 1]!);
    }
    i32[cell] = this.ssb;
  }

  addAged(addr: number): void {
    if (this.agedCount === this.aged.length) this.aged = grown(this.aged);
    this.aged[this.agedCount++] = addr;
  }

  private logSlot(arr: number, index: number): void {
    const bit = (arr + HEADER_BYTES + 4 * index - this.start) >> 2;
    if ((bit >> 5) >= this.slotBits.length) {
      this.slotBits = grown(this.slotBits, Math.max((bit >> 5) + 1, ((this.top - this.start) >> 7) + 1, this.slotBits.length * 2));
    }
    const w = this.slotBits[bit >> 5]!, m = 1 << (bit & 31);
    if (w & m) return;
    this.slotBits[bit >> 5] = w | m;
    const n = this.slotCount;
    if (2 * n + 2 > this.slots.length) this.slots = grown(this.slots);
    this.slots[2 * n] = arr;
    this.slots[2 * n + 1] = index;
    this.slotCount = n + 1;
  }

  /** Forget every logged slot (a collection has taken them). */
  clearSlots(): void {
    // Many logged elements (a big array filled in order): clearing the whole
    // bitmap at once is cheaper than bit by bit.
    if (this.slotCount > this.slotBits.length >> 3) { this.slotBits.fill(0); this.slotCount = 0; return; }
    for (let i = 0; i < this.slotCount; i++) {
      const bit = (this.slots[2 * i]! + HEADER_BYTES + 4 * this.slots[2 * i + 1]! - this.start) >> 2;
      this.slotBits[bit >> 5]! &= ~(1 << (bit & 31));
    }
    this.slotCount = 0;
  }

  /** The write barrier, after a reference was stored into element `index` of the
   *  object at `obj` (-1 for a struct field). */
  barrier(obj: number, index: number): void {
    if (barrierNeeded(this.mem.i32[obj >> 2]!)) this.remember(obj, index);
  }

  private closeWindow(): void {
    this.windowStart = 0;
    this.runEnd = 0;
    this.inHole = false;
    this.mem.i32[CURSOR_WORD] = 0;
    this.mem.i32[LIMIT_WORD] = 0;
  }

  /** A free run of at least `size` bytes, unlinked (see FreeBins); 0 if none.
   *  For a small request: a run of at least NURSERY_RUN bytes if there is
   *  one, else the next hole that fits, else a run from the bins. */
  private takeRun(size: number): number {
    let run = 0;
    this.inHole = false;
    if (size < HOLE_MAX) {
      run = this.free.takeFitting(NURSERY_RUN);
      if (run === 0) { run = this.free.takeHole(size); this.inHole = run !== 0; }
    }
    if (run === 0) run = this.free.take(size, Math.max(size, WINDOW_PREFERRED));
    if (run !== 0) this.runEnd = run + this.mem.i32[(run >> 2) + 1]!;
    if (this.inHole) this.allocatedSinceGc += this.runEnd - run;
    return run;
  }

  /** A run of fresh memory past `top`, growing the memory; collects once and then
   *  reports out of memory when the heap limit is reached. */
  private takeFresh(size: number): number {
    let chunk = Math.max(size, Math.min(FRESH_CHUNK, this.limit - this.top));
    if (this.collector !== null && this.collector.fullBeforeGrowth(this.extent + chunk)) {
      this.collector.collect('heap growth', true);
      const run = this.takeRun(size);
      if (run !== 0) return run;
    }
    if (this.top + size > this.limit || !this.mem.grow(this.top + chunk, this.growCap)) {
      if (this.collector !== null) {
        this.collector.collect('heap limit');
        const run = this.takeRun(size);
        if (run !== 0) return run;
      }
      chunk = size;
      if (this.top + size > this.limit || !this.mem.grow(this.top + size)) throw new Trap('out of memory');
    }
    const run = this.extendTop(chunk);
    this.runEnd = this.top;
    this.noteGrowth(false);
    return run;
  }

  /** The memory's size when the collector last heard of a growth. */
  private reportedBytes = 0;

  private noteGrowth(promotion: boolean): void {
    if (this.mem.byteLength === this.reportedBytes) return;
    this.reportedBytes = this.mem.byteLength;
    this.collector?.memoryGrew(promotion);
  }

  /** Take `bytes` of fresh memory past `top` (already grown into); returns its start. */
  private extendTop(bytes: number): number {
    const run = this.top;
    this.top += bytes;
    if (this.extent > this.peakExtent) this.peakExtent = this.extent;
    return run;
  }

  // ---- old space for a minor collection's evacuated objects ------------------------
  //
  // The promotion window [promoCursor, promoLimit) is taken from the free runs,
  // then (for a collection's moves) from the holes not yet taken, then from fresh
  // memory; never from a young range or a taken hole (the sweep that follows must
  // not see the copies). Its rest is given back by endPromotion() (at the end of
  // the collection, or at once for a pretenured array). Without the holes, old
  // space grew past them: where full collections leave only small holes between
  // survivors (records replaced at random slots, bench/programs/churn.tier), the
  // heap reached 3.9x its live set.

  /** The linear memory's size the collector lets the heap reach before a full
   *  collection runs first (GarbageCollector.memoryCap; Memory.grow grows no
   *  slack past it). */
  growCap = 0x7fffffff;

  private promoCursor = 0;
  private promoLimit = 0;

  /** `size` bytes of old space (uninitialized) for an object the collection
   *  moves, or a pretenured one; 0 if the heap has no room (a moved object is
   *  then promoted where it is). `holes`: a hole may serve (only during a
   *  collection, when the ring is settled: FreeBins.takeOldHole). Never
   *  collects; may grow the memory (views must be re-read). (Moves refused
   *  past growCap, promoted in place instead, kept frag's heap at 2.0x its
   *  live set instead of 2.1-2.6x, but made words 1.2x and churn 1.15x
   *  slower: their young ranges were left fragmented.) */
  allocOld(size: number, holes = false): number {
    const a = this.promoCursor;
    if (a + size <= this.promoLimit) { this.promoCursor = a + size; return a; }
    this.endPromotion();
    let run = this.free.take(size, Math.max(size, PROMOTION_CHUNK));
    if (run === 0 && holes) run = this.free.takeOldHole(size);
    let end: number;
    if (run !== 0) {
      end = run + this.mem.i32[(run >> 2) + 1]!;
    } else {
      const chunk = Math.max(size, Math.min(PROMOTION_CHUNK, this.limit - this.top));
      if (this.top + size > this.limit || !this.mem.grow(this.top + chunk, this.growCap)) return 0;
      run = this.extendTop(chunk);
      end = this.top;
      this.noteGrowth(true);
    }
    this.promoCursor = run + size;
    this.promoLimit = end;
    return run;
  }

  /** `size` bytes from the promotion window if it has room, else 0 (allocOld's
   *  fast path, for the collector's own loops). */
  bumpOld(size: number): number {
    const a = this.promoCursor;
    if (a + size > this.promoLimit) return 0;
    this.promoCursor = a + size;
    return a;
  }

  /** The promotion window's unused rest back to the free runs. */
  endPromotion(): void {
    const rest = this.promoLimit - this.promoCursor;
    if (rest >= MIN_BLOCK) this.addFree(this.promoCursor, rest);
    else this.freeBlock(this.promoCursor, rest);
    this.promoCursor = this.promoLimit = 0;
  }

  /** Give [addr, addr+size) back to the free runs. size >= MIN_BLOCK, multiple of 8. */
  addFree(addr: number, size: number): void { this.free.add(addr, size); }

  /** Bytes in the free runs. */
  get freeBytes(): number { return this.free.bytes; }

  /** Rebuild the free runs in address order (a sweep calls these). */
  beginFreeList(): void { this.free.clear(); }
  appendFree(addr: number, size: number): void { this.free.addSwept(addr, size); }

  /** Size in bytes of the block at `addr`, from its header. */
  blockSize(addr: number): number {
    const i32 = this.mem.i32;
    const tag = i32[addr >> 2]!;
    const len = i32[(addr >> 2) + 1]!;
    const kind = (tag & KIND_MASK) as ObjKind;
    switch (kind) {
      case ObjKind.STR: return blockSizeFor(HEADER_BYTES + len * 2);
      case ObjKind.ARR_I: case ObjKind.ARR_R: case ObjKind.ARR_F: case ObjKind.ARR_B:
        return blockSizeFor(HEADER_BYTES + len * elementBytesOf(kind));
      case ObjKind.STRUCT: return blockSizeFor(this.structSizes[tag >>> 8]!);
      case ObjKind.FREE: return len;
      default: throw new Error(`heap corrupt: bad tag ${tag} at ${addr}`);
    }
  }

  // ---- object constructors -----------------------------------------------------

  newArray(kind: ArrayKind, length: number): number {
    if (length < 0) throw new Trap('negative array length');
    const elemBytes = elementBytesOf(kind);
    if (length > (this.limit - this.start) / elemBytes) throw new Trap('out of memory');
    const big = kind === ObjKind.ARR_R && length >= BIG_ARRAY_ELEMENTS ? BIG_BIT : 0;
    const bytes = HEADER_BYTES + length * elemBytes;
    if (big !== 0 && this.pretenuring && this.collector !== null) return this.allocPretenured(bytes, kind | big, length);
    return this.alloc(bytes, kind | big, length);
  }

  /** Big arrays of references are allocated OLD while this holds (the collector
   *  turns it off when most of them die young). */
  pretenuring = true;

  /** A big array of references is allocated OLD, outside the windows
   *  (pretenured): such an array is usually the container a program keeps its
   *  data in, so no minor collection traces its elements while it ages, and the
   *  barrier logs the stores into it from the start (what they store is then
   *  moved out of the young ranges at the next minor collection). One that dies
   *  young waits for a full collection, so the collector stops pretenuring when
   *  a full collection finds that most of them died (a loop allocating a
   *  temporary array would otherwise fill the old generation with garbage).
   *  Arrays of numbers are never pretenured: young, they cost a minor
   *  collection nothing to keep. Its bytes count toward the nursery's budget
   *  like any allocation. */
  private allocPretenured(bytes: number, tag: number, length: number): number {
    const size = blockSizeFor(bytes);
    const c = this.collector!;
    const due = c.budget(this.allocatedSinceGc) < size;
    if (this.costly !== null && (due || size >= COSTLY_BYTES)) this.costly();
    if (due) c.collect('threshold');
    let addr = this.allocOld(size);
    if (addr === 0) { c.collect('heap limit', true); addr = this.allocOld(size); }
    this.endPromotion();
    if (addr === 0) throw new Trap('out of memory');
    this.allocatedSinceGc += size;
    this.initOld(addr, size, tag | PRETENURED_BIT, length);
    c.pretenured(addr, size);
    return addr;
  }

  /** The header of an object allocated OLD (marked, as OLD objects are between
   *  collections), and its payload zeroed unless the caller fills it whole. */
  private initOld(addr: number, size: number, tag: number, length: number, zero = true): void {
    const i32 = this.mem.i32, w = addr >> 2;
    i32[w] = tag | MARK_BIT;
    i32[w + 1] = length;
    if (zero) i32.fill(0, w + 2, w + (size >> 2));
  }

  /** An object of `size` block bytes allocated OLD without collecting (so
   *  never moved, and safe where no frame is published); 0 when the heap has
   *  no room. May grow the memory. */
  private allocOldNow(size: number, tag: number, length: number, zero: boolean): number {
    const addr = this.allocOld(size);
    this.endPromotion();
    if (addr === 0) return 0;
    this.initOld(addr, size, tag, length, zero);
    this.collector?.allocatedOld(addr, size);
    return addr;
  }

  /** A block for a frame-stack segment (frame-stack.ts): an f64 array of
   *  `slots` elements, zeroed, allocated OLD (so never moved) like a pretenured
   *  array; 0 when the heap has no room. Never collects: the frame that needs
   *  the segment is not yet where the collector looks. May grow the memory. */
  newStackSegment(slots: number): number {
    // The stack's memory, not the heap's (frame-stack.ts): the limit moves up
    // by it, into the memory the runtime reserved beyond the heap for segments.
    const size = blockSizeFor(HEADER_BYTES + slots * 8);
    this.limit += size;
    const addr = this.allocOldNow(size, ObjKind.ARR_F, slots, true);
    if (addr === 0) this.limit -= size;
    return addr;
  }

  newStruct(index: number): number {
    return this.alloc(this.structSizes[index]!, ObjKind.STRUCT | (index << 8), 0);
  }

  // ---- strings -----------------------------------------------------------------

  newString(s: string): number {
    const addr = this.alloc(HEADER_BYTES + s.length * 2, ObjKind.STR, s.length);
    const u16 = this.mem.u16;
    const base = (addr + HEADER_BYTES) >> 1;
    for (let i = 0; i < s.length; i++) u16[base + i] = s.charCodeAt(i);
    return addr;
  }

  /** The strings chr(0) .. chr(CHAR_CACHE_SIZE - 1), made once (an array of
   *  references, a GC root): chr of a small code point allocates nothing.
   *  Strings are immutable and have no identity a program can observe. */
  charCache = 0;

  initCharCache(): void {
    const arr = this.newArray(ObjKind.ARR_R, CHAR_CACHE_SIZE);
    this.charCache = arr;                 // a root from here on (Runtime.forEachRoot)
    for (let c = 0; c < CHAR_CACHE_SIZE; c++) {
      const s = this.newChrUncached(c);
      this.mem.i32[(this.charCache >> 2) + 2 + c] = s;
      this.barrier(this.charCache, c);
    }
  }

  /** chr(code) for a valid code point: a cached string below CHAR_CACHE_SIZE. */
  newChr(code: number): number {
    if (code < CHAR_CACHE_SIZE && this.charCache !== 0) return this.mem.i32[(this.charCache >> 2) + 2 + code]!;
    return this.newChrUncached(code);
  }

  /** One code unit, or a surrogate pair, written straight into a new string (no
   *  host string in between). */
  private newChrUncached(code: number): number {
    const units = code > 0xffff ? 2 : 1;
    const addr = this.alloc(HEADER_BYTES + units * 2, ObjKind.STR, units);
    const u16 = this.mem.u16, at = (addr + HEADER_BYTES) >> 1;
    if (units === 1) u16[at] = code;
    else { const c = code - 0x10000; u16[at] = 0xd800 + (c >> 10); u16[at + 1] = 0xdc00 + (c & 0x3ff); }
    return addr;
  }

  /** The text of string or rope `addr`. Allocates nothing in the heap (a rope
   *  is read where it is, not flattened): safe wherever a string is read. */
  readString(addr: number): string {
    const len = this.mem.i32[(addr >> 2) + 1]!;
    const u16 = this.units(addr), base = this.unitsBase;
    if (len < 64) {
      let s = '';
      for (let i = 0; i < len; i++) s += String.fromCharCode(u16[base + i]!);
      return s;
    }
    let s = '';
    for (let i = 0; i < len; i += 8192) {
      s += String.fromCharCode.apply(null, u16.subarray(base + i, base + Math.min(len, i + 8192)) as unknown as number[]);
    }
    return s;
  }

  /** Print string or rope `s` (not null) to `out`, then a newline if `nl`:
   *  its code units are copied where they are, no host string is made. */
  print(out: Output, s: number, nl: boolean): void {
    const len = this.mem.i32[(s >> 2) + 1]!;
    out.writeUnits(this.units(s), this.unitsBase, len, nl);
  }

  /** parse_i32 of string or rope `s` (not null), read in place: an optional
   *  sign and decimal digits that fit an i32; anything else goes to
   *  builtins.ts parseI32, which traps with the contract's message. */
  parseI32(s: number): number {
    const len = this.mem.i32[(s >> 2) + 1]!;
    const u16 = this.units(s), base = this.unitsBase;
    const first = len > 0 ? u16[base]! : 0;
    const signed = first === 45 || first === 43 ? 1 : 0;
    let v = 0, ok = len > signed && len <= 11;
    for (let i = base + signed; ok && i < base + len; i++) {
      const d = u16[i]! - 48;
      if (d < 0 || d > 9) ok = false;
      else v = v * 10 + d;
    }
    if (first === 45) v = -v;
    if (ok && v >= -2147483648 && v <= 2147483647) return v | 0;
    return parseI32(this.readString(s));
  }

  // ---- ropes -------------------------------------------------------------------
  //
  // A concatenation whose result is at least ropeMin code units long, of two
  // non-empty operands, makes a rope (as V8's ConsString): a STRUCT of the
  // internal struct type ropeIndex (Runtime appends it after the program's
  // structs: 16 bytes, reference fields left at +8 and right at +12) whose
  // word 1 holds its length in code units, where a string has it. So LEN reads
  // it unchanged, and the collector traces and moves it as any struct. A
  // program never tells a rope from a string (its static type is str): only
  // what reads code units does, and it asks flat() for them. A rope is at
  // least ropeMin units long (so a concatenation whose result is shorter has
  // two flat operands: the inline fast paths rely on it). flat() copies the
  // units into a new string once, iteratively (a rope of 10^6 appends is 10^6
  // deep), and keeps it in the rope (left := flat, right := null), so later
  // reads are one hop. The flat string is allocated OLD (allocOldNow, as a
  // frame-stack segment is), which never collects: flat() may run where no
  // frame is published (s[i] in compiled code, string equality). It may grow
  // the memory: callers re-read their views.

  /** Index of the rope struct type (Runtime sets it: the program's struct count). */
  ropeIndex = -1;
  /** A concatenation this many code units long or longer makes a rope
   *  (config.ts: ROPE_MIN; 1 under --rope-stress). */
  ropeMin = 0x7fffffff;

  /** A rope's header word 0 (compiled code's inline concatenation writes it too). */
  get ropeTag(): number { return ObjKind.STRUCT | (this.ropeIndex << 8); }
  /** The longest string or rope, in code units, that a concatenation may make:
   *  longer is `out of memory` (its units could never be flattened in the heap,
   *  or it could never become a host string: MAX_STRING_UNITS). */
  get maxStringUnits(): number { return Math.min(Math.floor((this.limit - this.start) / 2), MAX_STRING_UNITS); }

  /** Is the object at `addr` (not null) a rope? */
  isRope(addr: number): boolean {
    return (this.mem.i32[addr >> 2]! & KIND_MASK) === ObjKind.STRUCT;
  }

  /** a + b. Both operands must be reachable from roots: allocation may collect. */
  concat(a: number, b: number): number {
    const la = this.mem.i32[(a >> 2) + 1]!;
    const lb = this.mem.i32[(b >> 2) + 1]!;
    if (la === 0) return b;
    if (lb === 0) return a;
    if (la + lb > this.maxStringUnits) throw new Trap('out of memory');
    if (la + lb >= this.ropeMin) {
      const r = this.alloc(ROPE_BYTES, this.ropeTag, la + lb);
      const i32 = this.mem.i32;   // young: no barrier; a and b are roots, never moved
      i32[(r >> 2) + 2] = a;
      i32[(r >> 2) + 3] = b;
      return r;
    }
    const r = this.alloc(HEADER_BYTES + (la + lb) * 2, ObjKind.STR, la + lb);
    const u16 = this.mem.u16;   // read after alloc: memory may have grown
    const dst = (r + HEADER_BYTES) >> 1;
    u16.copyWithin(dst, (a + HEADER_BYTES) >> 1, ((a + HEADER_BYTES) >> 1) + la);
    u16.copyWithin(dst + la, (b + HEADER_BYTES) >> 1, ((b + HEADER_BYTES) >> 1) + lb);
    return r;
  }

  /** The flat string with the code units of `s` (a string: itself; a rope:
   *  flattened once, see above). Never collects; may grow the memory. */
  flat(s: number): number {
    const i32 = this.mem.i32;
    if ((i32[s >> 2]! & KIND_MASK) === ObjKind.STR) return s;
    if (i32[(s >> 2) + 3] === 0) return i32[(s >> 2) + 2]!;
    const len = i32[(s >> 2) + 1]!;
    const size = blockSizeFor(HEADER_BYTES + len * 2);
    if (this.costly !== null && size >= COSTLY_BYTES) this.costly();
    const f = this.allocOldNow(size, ObjKind.STR, len, false);   // copyRope fills it whole
    if (f === 0) throw new Trap('out of memory');
    this.allocatedSinceGc += size;
    // No collection here; but once the budget is spent the window closes, so
    // the next allocation (at a point that may collect) refills and collects.
    // Without it a loop flattening big ropes between small allocations grew
    // the old generation to the heap limit: `out of memory` with 64 MB live.
    if (this.collector !== null && this.collector.budget(this.allocatedSinceGc) <= 0) this.retireWindow();
    this.copyRope(s, this.mem.u16, (f + HEADER_BYTES) >> 1);
    const w = this.mem.i32;
    w[(s >> 2) + 2] = f;      // f is OLD: no barrier
    w[(s >> 2) + 3] = 0;
    return f;
  }

  /** Copy the code units of string or rope `s` to dst[at ...], iteratively:
   *  each node writes its right part at the end of its range and goes on
   *  with its left (appends make left-deep ropes: no stack), a flat left part
   *  at the start and goes on with its right (prepends); only a node whose
   *  both parts are unflattened ropes pushes one. */
  copyRope(s: number, dst: Uint16Array, at: number): void {
    const i32 = this.mem.i32, u16 = this.mem.u16;
    const stack: number[] = [];
    /** Copy the units of flat string x to dst[to ...]: a short part (the
     *  usual piece of a string built by appends) by a loop, since a typed
     *  array's copyWithin or set costs a builtin call of some 100 ns whatever
     *  the length (that was a quarter of the time of a program flattening
     *  texts appended a few units at a time, bench/programs/jsonish.tier). */
    const put = (x: number, to: number): void => {
      const from = (x + HEADER_BYTES) >> 1, n = i32[(x >> 2) + 1]!;
      if (n <= SHORT_COPY_UNITS) { for (let k = 0; k < n; k++) dst[to + k] = u16[from + k]!; }
      else if (dst === u16) u16.copyWithin(to, from, from + n);
      else dst.set(u16.subarray(from, from + n), to);
    };
    let node = s, end = at + i32[(s >> 2) + 1]!;
    for (;;) {
      node = this.flatOrRope(i32, node);
      const len = i32[(node >> 2) + 1]!;
      if ((i32[node >> 2]! & KIND_MASK) === ObjKind.STR) {
        put(node, end - len);
        if (stack.length === 0) return;
        end = stack.pop()!; node = stack.pop()!;
        continue;
      }
      const l = this.flatOrRope(i32, i32[(node >> 2) + 2]!), r = this.flatOrRope(i32, i32[(node >> 2) + 3]!);
      const lr = i32[(r >> 2) + 1]!;
      if ((i32[r >> 2]! & KIND_MASK) === ObjKind.STR) {
        put(r, end - lr);
        node = l; end -= lr;
      } else if ((i32[l >> 2]! & KIND_MASK) === ObjKind.STR) {
        put(l, end - len);
        node = r;
      } else {
        stack.push(l, end - lr);
        node = r;
      }
    }
  }

  /** A flattened rope's flat string; anything else itself. */
  private flatOrRope(i32: Int32Array, x: number): number {
    return (i32[x >> 2]! & KIND_MASK) !== ObjKind.STR && i32[(x >> 2) + 3] === 0 ? i32[(x >> 2) + 2]! : x;
  }

  /** Where units() found the first code unit in the array it returned. */
  private unitsBase = 0;

  /** The code units of string or rope `s` (not null), starting at index
   *  unitsBase of the array returned: the memory itself for a string or a
   *  flattened rope, else a host copy (nothing is allocated in the heap). */
  private units(s: number): Uint16Array {
    const f = this.flatOrRope(this.mem.i32, s);
    if (!this.isRope(f)) { this.unitsBase = (f + HEADER_BYTES) >> 1; return this.mem.u16; }
    const out = new Uint16Array(this.mem.i32[(f >> 2) + 1]!);
    this.copyRope(f, out, 0);
    this.unitsBase = 0;
    return out;
  }

  substr(s: number, start: number, end: number): number {
    const len = this.mem.i32[(s >> 2) + 1]!;
    if (!(0 <= start && start <= end && end <= len)) throw new Trap(`range ${start}..${end} out of bounds for length ${len}`);
    s = this.flat(s);   // OLD: the allocation below does not move it
    const r = this.alloc(HEADER_BYTES + (end - start) * 2, ObjKind.STR, end - start);
    const u16 = this.mem.u16;
    const from = ((s + HEADER_BYTES) >> 1) + start;
    u16.copyWithin((r + HEADER_BYTES) >> 1, from, from + (end - start));
    return r;
  }

  /** Content equality; null equals only null. */
  stringsEqual(a: number, b: number): boolean {
    if (a === b) return true;
    if (a === 0 || b === 0) return false;
    const i32 = this.mem.i32;
    const len = i32[(a >> 2) + 1]!;
    if (len !== i32[(b >> 2) + 1]) return false;
    // Equality never allocates in the heap (compiled code calls it with no
    // frame published): a rope not yet flattened is compared from a host copy.
    const ua = this.units(a), pa = this.unitsBase, ub = this.units(b), pb = this.unitsBase;
    for (let i = 0; i < len; i++) if (ua[pa + i] !== ub[pb + i]) return false;
    return true;
  }
}

/** A copy of `a`, `length` elements long (at least a.length): the growth of every
 *  host-side list of the heap and the collector. */
export function grown(a: Int32Array<ArrayBuffer>, length = a.length * 2): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(length, a.length));
  b.set(a);
  return b;
}

/** Block size for `bytes` of header and payload: rounded up to 8, at least MIN_BLOCK. */
export function blockSizeFor(bytes: number): number {
  return bytes <= MIN_BLOCK ? MIN_BLOCK : (bytes + 7) & ~7;
}

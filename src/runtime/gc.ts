// The garbage collector: precise, generational mark-sweep over the heap
// (heap.ts), with sticky mark bits; a minor collection moves what the old
// generation alone reaches (evacuation), nothing else ever moves.
//
// Roots, all exact (nothing is scanned conservatively), come from RootSource:
// global slots of reference kind, the string constants, the embedding's handles,
// and in every frame on the frame stack the reference registers live at the
// frame's current safepoint (gcmaps.ts). The frame contract every tier keeps
// (docs/architecture.md, "Frames and roots"): at a safepoint (an instruction that
// may allocate or call) the frame has published its position (innermost frame) or
// recorded it in its callee's header, and every live reference register holds
// 0 or the address of a live object in its frame slot — compiled code writes
// references through to their slots. So an address held outside the heap is
// always a root's, and an object a root names is never moved.
//
// Generations: the mark bit is sticky. An object that survives a collection
// keeps its mark bit (it is OLD); objects allocated since the last collection
// have none (young) and lie in the heap's young ranges.
// - A minor collection first marks from the roots, where the objects are, and
//   stops at OLD objects. Then it takes the remembered set (OLD objects that
//   received a reference since the last collection, logged by the write barrier
//   every tier runs after storing a reference into an object) and the logged
//   elements of big arrays: every young object they reach becomes OLD at once —
//   copied to old space with its references updated (evacuate) if no root
//   reached it, else promoted where it is. Then it sweeps the young ranges
//   (windows and holes allocation ran through) from the mark bitmap alone: the
//   gaps between the objects left there become free blocks without visiting the
//   dead or moved objects in them. What only the roots reach ages once and is
//   promoted (in place) if it survives the next minor collection too. So a
//   minor collection costs what survives, not the size of the heap, and leaves
//   the young ranges mostly empty, as long free runs.
// - A full collection clears every mark, marks from the roots, and sweeps the whole
//   heap (merging runs of dead and free blocks, giving a trailing run back to
//   untouched memory). It runs when the OLD bytes (live after the last full
//   collection plus everything promoted since) would push the heap past twice
//   that live set, before the linear memory grows past twice the largest live
//   set found, before the heap grows past twice the last live set if the OLD
//   bytes grew since (fullBeforeGrowth), when the heap limit is reached, and
//   every fourth collection under --gc-stress. It moves nothing.
// Marking uses an explicit stack (no host recursion, whatever the object graph).

import { grown, ObjKind, HEADER_BYTES, MARK_BIT, LOGGED_BIT, BIG_BIT, FORWARDED_BIT, PRETENURED_BIT, BIG_ARRAY_ELEMENTS, KIND_MASK, MIN_BLOCK, blockSizeFor, freeBinOf, type Collector, type Heap } from './heap.js';
import { nowMs } from './clock.js';

/** A minor collection runs after this many bytes of allocation (the nursery),
 *  half the live set after the last full collection, within these bounds:
 *  larger means fewer collections and fewer objects promoted while still in use;
 *  smaller means a smaller heap. (A quarter made binary-trees 18 promote 118 MB
 *  instead of 31 MB, run 12 full collections instead of 6, and peak 1 MB
 *  higher.) */
const NURSERY_MIN = 1 << 20;
/** The first nursery is this small and each of the next ones twice the last, up to
 *  the policy's size: the collector's own code runs cold (unoptimized by the host
 *  engine) in the first collections, and a small nursery keeps those pauses short
 *  (a first minor collection of 1 MiB took 20-40 ms, of 64 KiB about 1 ms). */
const NURSERY_WARMUP = 64 << 10;
const NURSERY_MAX = 16 << 20;
/** A full collection is due when OLD bytes plus the nursery would exceed the live
 *  set after the last full collection times this, but not below FULL_MIN: the heap
 *  then peaks near twice its live set. (Lower made binary-trees 18 peak higher,
 *  not lower: 1.8 ran 12 full collections instead of 6 and peaked at 32.8 MB
 *  instead of 30.3; its peak is its own live set, the long-lived tree and the
 *  tree being built, and the full collections came at worse times.) */
const FULL_GROWTH = 2;
const FULL_MIN = 4 << 20;
/** A nursery grown because what the minor collections promoted died soon after
 *  (GarbageCollector.judgeNursery) may take the heap up to this size, at most
 *  NURSERY_BOOST_MAX times the policy's nursery; a heap whose live set alone
 *  asks for this much gets no larger nursery. */
const BOOST_HEAP = 16 << 20;
const NURSERY_BOOST_MAX = 16;
/** A WebAssembly memory grows in pages of this many bytes. */
const WASM_PAGE = 65536;
/** See GarbageCollector.fullBeforeGrowth. */
const REGROWTH = 1.1;
/** See GarbageCollector.noRoomForNursery. */
const MEMORY_GROWTH = 1.9;
/** A full collection before the linear memory grows past its cap
 *  (memoryCap) waits until the program has allocated this share of the last
 *  live set since the last full one (fullBeforeGrowth). */
const CAP_WAIT = 0.5;
/** A minor collection moves young objects up to this size out of the young
 *  ranges; larger ones are promoted where they are. */
const EVACUATE_MAX = 1024;
/** A minor collection moves at most about this many bytes reached from one
 *  remembered object; the rest of what that object reaches is promoted where
 *  it is (fromOldGeneration). */
const EVACUATE_RUN_MAX = 256 << 10;
/** Under --gc-stress, every this-many-th collection is a full one. */
const STRESS_FULL_EVERY = 4;

export interface RootSource {
  /** Call visit(addr) for every root reference (0 allowed). */
  forEachRoot(visit: (addr: number) => void): void;
  /** Reference field offsets of struct `index` (for tracing). */
  structRefOffsets: Int32Array[];
}

export interface GcOptions {
  stress: boolean;
  verify: boolean;
  trace: ((line: string) => void) | null;
}

export class GarbageCollector implements Collector {
  count = 0;
  fullCount = 0;
  totalPauseMs = 0;
  maxPauseMs = 0;
  pauses: number[] = [];
  /** Live bytes after the last full collection. */
  lastLive = 0;
  /** The most live bytes any full collection found. */
  maxLive = 0;
  /** Bytes allocated from the last full collection to the last collection. */
  private allocatedSinceFull = 0;
  /** Bytes of OLD objects: live after the last full collection plus promoted since. */
  oldBytes = 0;
  /** Bytes promoted by minor collections, in total. */
  promotedBytes = 0;
  private nursery = NURSERY_WARMUP;
  /** The nursery is the policy's times this (judgeNursery), within BOOST_HEAP. */
  private boost = 1;
  /** Bytes promoted by minor collections since the last full collection. */
  private promotedSinceFull = 0;
  private markStack = new Int32Array(1024);
  private sp = 0;
  /** One bit per 8 heap bytes: the objects marked by this collection (all zero
   *  between collections: the sweep clears the bits it reads). */
  private markBits = new Int32Array(0);
  /** One bit per 8 heap bytes: the OLD objects (the same fact as their header's
   *  OLD bit, kept here so that tracing can skip an OLD child without reading
   *  its header, which is usually a cache miss). */
  private oldBits = new Int32Array(0);
  private fieldWordsCache: Int32Array[] | null = null;
  /** This collection is a minor one: OLD objects count as marked and are not traced. */
  private minor = false;
  /** Bytes the minor sweep promoted (promoted in place: OLD bit set while marked). */
  private sweptPromoted = 0;
  /** Bytes this minor collection moved to old space. */
  private evacuatedBytes = 0;
  /** Bytes minor collections moved, in total. */
  movedBytes = 0;
  /** Remembered objects and logged elements of big arrays that minor
   *  collections took, in total (what the write barrier logged). */
  rememberedTaken = 0;
  loggedTaken = 0;

  constructor(private readonly heap: Heap, private readonly roots: RootSource, private readonly opts: GcOptions) {}

  budget(allocatedSinceGc: number): number {
    return this.opts.stress ? 0 : this.nursery - allocatedSinceGc;
  }

  /** A collection is running. */
  private collecting = false;

  collect(reason: string, full = false): void {
    const t0 = nowMs();
    this.collecting = true;
    const heap = this.heap;
    heap.retireWindow();
    heap.drainStoreBuffer();
    const usedBefore = heap.extent - heap.freeBytes;
    if (this.opts.verify) verifyHeap(heap, this.roots, 'before collection');
    full ||= this.fullDue(reason);
    // A full collection starts with a minor one when the old generation
    // references young objects (nothing moves otherwise): they are moved out
    // first, so the full sweep does not leave the young ranges as small holes
    // between them (in `words`, 87,000 holes after one full collection, each
    // swept again by every later minor collection that allocated in it).
    this.allocatedSinceFull += heap.allocatedSinceGc;
    if (!full || heap.rememberedCount + heap.slotCount > 0) this.collectMinor();
    if (!full && this.noRoomForNursery()) { full = true; reason += ', no room for the nursery'; }
    if (full) this.collectFull();
    heap.allocatedSinceGc = 0;
    heap.youngRangeCount = 0;
    this.nursery = Math.min(this.policyNursery() + this.extraNursery(), NURSERY_WARMUP * 2 ** Math.min(20, this.count + 1));
    if (this.opts.verify) { verifyHeap(heap, this.roots, 'after collection'); this.verifyOldBits(); }
    heap.growCap = this.memoryCap();   // no memory slack past it (Memory.grow)
    const pause = nowMs() - t0;
    this.collecting = false;
    this.count++;
    this.totalPauseMs += pause;
    this.maxPauseMs = Math.max(this.maxPauseMs, pause);
    this.pauses.push(pause);
    this.opts.trace?.(`[gc #${this.count} ${full ? 'full' : 'minor'}, ${reason}] heap ${kb(usedBefore)} -> ` +
      `${kb(heap.extent - heap.freeBytes)}, old ${kb(this.oldBytes)}, extent ${kb(heap.extent)}, memory ${kb(heap.mem.byteLength)}, ` +
      `last live ${kb(this.lastLive)}, pause ${pause.toFixed(3)} ms`);
  }

  /** A full collection before the linear memory grows past memoryCap()
   *  (FULL_GROWTH times the largest live set found), once the program has
   *  allocated CAP_WAIT times the last live set since the last full one: the
   *  memory never shrinks, so this is what bounds it, and the full collection
   *  either frees room or finds a larger live set that raises the cap (in
   *  binary-trees the largest live set, the stretch tree, was otherwise never
   *  measured: it lived between two full collections). The wait keeps full
   *  collections a bounded share of the allocation where they free nothing
   *  (the memory then grows). And before the heap grows past FULL_GROWTH
   *  times the live set of the last full collection (at least FULL_MIN), when
   *  - the OLD bytes have grown by REGROWTH since: the old generation may hold
   *    garbage to reuse before the heap grows, and the live set the heap is
   *    sized by is out of date (a program whose small holes fit none of its
   *    later requests otherwise grew to 2.05x the last live set it measured);
   *  - or the free runs hold more than half the heap: they are free but each too
   *    small for the request, and only a full sweep merges neighbouring runs. A
   *    string built piece by piece asks for a little more each time than the
   *    runs its predecessors left, and grew the heap to 2 GB for 100 KB live.
   *    Such a collection waits until the program has allocated its live set
   *    (at least FULL_MIN) since the last full one, so that, where the runs stay
   *    apart after a full sweep (live objects between them), full collections
   *    cost a bounded share of the allocation, not one per request. */
  fullBeforeGrowth(extent: number): boolean {
    if (this.opts.stress) return false;
    const end = this.heap.start + extent;
    if (end > this.heap.mem.byteLength && end > this.memoryCap() &&
        this.allocatedSinceFull + this.heap.allocatedSinceGc >= CAP_WAIT * this.lastLive) return true;
    if (extent <= this.grownExtent()) return false;
    if (this.fullCount > 0 && this.oldBytes > this.lastLive * REGROWTH) return true;
    const heap = this.heap;
    return 2 * heap.freeBytes > heap.extent && this.allocatedSinceFull + heap.allocatedSinceGc >= Math.max(this.lastLive, FULL_MIN);
  }

  /** After a minor collection: would the next nursery grow the heap, and the
   *  linear memory past MEMORY_GROWTH times the live set of the last full
   *  collection? Then a full collection runs now instead (the old generation
   *  may hold garbage enough for the nursery), if the program has allocated its
   *  live set since the last full one (full collections stay a bounded share
   *  of the allocation). Without it binary-trees grew to exactly FULL_GROWTH
   *  times its live set (the minor collections fill the heap with trees that
   *  die soon after they are promoted); see docs/architecture.md, "Seventh
   *  round", for what it does and does not buy. */
  private noRoomForNursery(): boolean {
    if (this.opts.stress || this.fullCount === 0) return false;
    const heap = this.heap;
    const used = heap.extent - heap.freeBytes;
    const extra = this.extraNursery();
    const nursery = this.policyNursery() + extra;
    const live = Math.max(this.lastLive, FULL_MIN / FULL_GROWTH);
    return used + nursery > heap.extent && heap.start + used + nursery > MEMORY_GROWTH * live + extra &&
      this.allocatedSinceFull >= Math.max(this.lastLive, FULL_MIN);
  }

  /** The size the linear memory may grow to (all of it, the memory below the
   *  heap included) before a full collection runs first: FULL_GROWTH times
   *  the largest live set any full collection found, at least FULL_MIN, in
   *  whole WebAssembly pages (rounded down: a request within the last partial
   *  page would grow a whole page past it). */
  private memoryCap(): number {
    const cap = FULL_GROWTH * Math.max(this.maxLive, FULL_MIN / FULL_GROWTH);
    return cap - cap % WASM_PAGE;
  }

  /** The extent the heap may grow to freely: FULL_GROWTH times the live set
   *  of the last full collection, at least FULL_MIN, plus what a grown nursery
   *  adds. */
  private grownExtent(): number {
    return this.allowance() + this.extraNursery();
  }

  private allowance(): number {
    return FULL_GROWTH * Math.max(this.lastLive, FULL_MIN / FULL_GROWTH);
  }

  /** Half the live set of the last full collection, within NURSERY_MIN..NURSERY_MAX. */
  private policyNursery(): number {
    return Math.min(NURSERY_MAX, Math.max(NURSERY_MIN, this.lastLive >> 1));
  }

  /** What the nursery has grown past the policy's (judgeNursery): at most
   *  (boost - 1) times the policy's, and only while the heap stays within
   *  BOOST_HEAP and half the heap limit (under a small --max-heap a grown
   *  nursery only turned minor collections into full ones at the limit). */
  private extraNursery(): number {
    if (this.boost === 1) return 0;
    const room = Math.max(0, Math.min(BOOST_HEAP, (this.heap.limit - this.heap.start) >> 1) - this.allowance());
    return Math.min(room, this.policyNursery() * (this.boost - 1));
  }

  /** After a full collection: did the objects promoted since the last one die
   *  in the old generation? Then the nursery is too short for the program's
   *  objects (particles rebuilt every step, a step's worth of them alive at any
   *  minor collection and reached from a big array: each minor collection moved
   *  the whole live set to old space, where it died a step later), and it
   *  doubles, within BOOST_HEAP; if most of them lived, it halves back towards
   *  the policy's. Promoting what dies costs a copy per object and full
   *  collections; a larger nursery promotes the same live set per collection,
   *  but fewer times. */
  private judgeNursery(oldBefore: number, live: number): void {
    const promoted = this.promotedSinceFull;
    this.promotedSinceFull = 0;
    // Too little promoted to judge by (the OLD bytes that died may be big
    // arrays allocated OLD, not promoted objects).
    if (this.opts.stress || promoted < NURSERY_MIN) return;
    const died = oldBefore - live;
    if (2 * died > promoted) this.boost = Math.min(NURSERY_BOOST_MAX, 2 * this.boost);
    else if (4 * died < promoted) this.boost = Math.max(1, this.boost >> 1);
  }

  /** What the linear memory held when it last grew (--gc-stats). */
  private lastGrowth = '';

  memoryGrew(promotion: boolean): void {
    const heap = this.heap, mb = (n: number): string => (n / 1048576).toFixed(1);
    const used = heap.extent - heap.freeBytes;
    const old = this.oldBytes + (this.collecting ? this.evacuatedBytes : 0);
    this.lastGrowth = `memory ${mb(heap.mem.byteLength)} MB at its last growth (${promotion ? 'old space' : 'mutator'}` +
      `${this.collecting ? (this.minor ? ', in a minor collection' : ', in a full collection') : ''}, collection #${this.count}): ` +
      `below the heap ${mb(heap.start)}, old ${mb(old)} (live at last full ${mb(this.lastLive)}), ` +
      `young ${mb(used - old)}, free runs ${mb(heap.freeBytes)}, past top ${mb(heap.mem.byteLength - heap.top)}; ` +
      `largest live ${mb(this.maxLive)} MB`;
  }

  pretenured(addr: number, size: number): void {
    this.allocatedOld(addr, size);
    this.pretenuredBytes += size;
  }

  allocatedOld(addr: number, size: number): void {
    this.ensureMarkBits();
    this.setOld(addr);
    this.oldBytes += size;
  }

  /** Bytes pretenured since the last full collection, and how many of them the
   *  full sweep found live. */
  private pretenuredBytes = 0;
  private pretenuredLive = 0;

  /** After a full collection: pretenuring stops for good if most of what it
   *  allocated since the last one died. */
  private judgePretenuring(): void {
    if (this.pretenuredBytes > 0 && 2 * this.pretenuredLive < this.pretenuredBytes) this.heap.pretenuring = false;
    this.pretenuredBytes = this.pretenuredLive = 0;
  }

  private fullDue(reason: string): boolean {
    if (reason === 'heap limit') return true;
    if (this.opts.stress) return this.count % STRESS_FULL_EVERY === STRESS_FULL_EVERY - 1;
    return this.oldBytes + this.heap.allocatedSinceGc > this.allowance() + this.extraNursery();
  }

  /** One line summing up every collection of this run. */
  summary(): string {
    const sorted = [...this.pauses].sort((a, b) => a - b);
    const p99 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]! : 0;
    return `[gc stats] collections ${this.count} (${this.fullCount} full), pause total ${this.totalPauseMs.toFixed(1)} ms, ` +
      `max ${this.maxPauseMs.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, peak heap ${kb(this.heap.peakExtent)}, ` +
      `live after last full ${kb(this.lastLive)}, promoted ${kb(this.promotedBytes)} (moved ${kb(this.movedBytes)}), ` +
      `linear memory ${kb(this.heap.mem.byteLength)}, largest live after a full ${kb(this.maxLive)}, ` +
      `remembered at minor collections ${this.rememberedTaken} objects and ${this.loggedTaken} elements` +
      (this.lastGrowth ? `\n[gc stats] ${this.lastGrowth}` : '');
  }

  /** The OLD bitmap agrees with the headers at every block start. */
  private verifyOldBits(): void {
    const heap = this.heap, i32 = heap.mem.i32;
    for (let a = heap.start; a < heap.top; a += heap.blockSize(a)) {
      const bit = (a - heap.start) >> 3;
      const inBitmap = (this.oldBits[bit >> 5]! & (1 << (bit & 31))) !== 0;
      const tag = i32[a >> 2]!;
      const old = (tag & KIND_MASK) !== ObjKind.FREE && (tag & MARK_BIT) !== 0;
      if (inBitmap !== old) throw new HeapCorrupt(`heap verification failed after collection: OLD bitmap says ${inBitmap} at ${a}`);
    }
  }

  // ---- the two kinds of collection ---------------------------------------------

  private collectMinor(): void {
    this.ensureMarkBits();
    this.minor = true;
    const heap = this.heap;
    // The remembered objects and logged elements are copied out (into buffers
    // kept from one collection to the next: no host allocation): the
    // collection logs into the lists again.
    const remembered = this.copyOut(0, heap.remembered, heap.rememberedCount);
    const slots = this.copyOut(1, heap.slots, 2 * heap.slotCount);
    this.rememberedTaken += remembered.length;
    this.loggedTaken += heap.slotCount;
    heap.clearSlots();
    heap.rememberedCount = 0;
    // First what the roots reach, marked where it is: nothing a root names may
    // move (compiled code keeps references in wasm locals too).
    this.roots.forEachRoot((a) => this.mark(a));
    this.drain();
    // Then what the old generation references: it becomes OLD at once (an object
    // stored into an old one tends to live as long as it), moved out of the young
    // ranges unless the roots reach it.
    this.evacuatedBytes = 0;
    this.intoHoles = heap.extent >= this.grownExtent();
    this.fromOldGeneration(remembered, slots);
    // Survivors of the young ranges age (or are promoted, if reached from the old
    // generation); the aged of the last minor collection are promoted if marked,
    // freed if not (or moved).
    const aged = this.copyOut(2, heap.aged, heap.agedCount);
    heap.agedCount = 0;
    // The holes taken since the last collection are young ranges too (copied
    // out first: the sweep lists the holes it finds).
    const taken = heap.free.taken;
    const holes = this.copyOut(4, taken, taken.length);
    heap.free.forgetTaken();
    this.sweptPromoted = 0;
    for (let r = 0; r < heap.youngRangeCount; r++) this.sweepRange(heap.youngRanges[2 * r]!, heap.youngRanges[2 * r + 1]!, false);
    for (let h = 0; h < holes.length; h += 2) this.sweepRange(holes[h]!, holes[h]! + holes[h + 1]!, false);
    this.promotedWithRefs = 0;
    const promoted = this.promoteOrFree(aged) + this.sweptPromoted + this.evacuatedBytes;
    this.oldBytes += promoted;
    this.promotedBytes += promoted;
    this.promotedSinceFull += promoted;
    this.movedBytes += this.evacuatedBytes;
    this.rememberAgain(this.scratch[3]!.subarray(0, this.promotedWithRefs));
  }

  // ---- evacuation ------------------------------------------------------------------
  //
  // A young object that the old generation references and no root reaches is
  // copied to old space (Heap.allocOld: dense, away from the young ranges), its
  // old block forwarded (FORWARDED_BIT, the new address in word 2), and every
  // reference to it that the collection finds updated. That is sound because
  // only the roots may hold addresses outside the heap (frame slots, handles,
  // globals; compiled code's locals hold only what its frame slots hold, at
  // every safepoint), and the roots' objects were marked first and stay put;
  // every other reference to a young object lies in an object the old
  // generation reaches — a remembered object, a logged element, or an object
  // this traversal copies or promotes — and is updated here. The young ranges
  // are then left with the few objects only the roots reach, so their sweep
  // finds long free runs instead of small holes between survivors. Large
  // objects are promoted in place (copying them buys no locality).

  /** Moved objects may go into holes (Heap.allocOld): only once the heap has
   *  grown to FULL_GROWTH times its live set. Below that, fresh memory keeps
   *  them dense (binary-trees 17 took 1.13x the CPU time when they always went
   *  into holes); at it, the holes keep the heap from growing further (records
   *  replaced at random slots grew it to 3.9x their live set). */
  private intoHoles = false;

  /** Every young child of the remembered objects and logged elements becomes
   *  OLD, with everything young it reaches: moved, or promoted in place. */
  private fromOldGeneration(remembered: Int32Array, slots: Int32Array): void {
    const heap = this.heap;
    for (const obj of remembered) {
      const i32 = heap.mem.i32;
      const tag = i32[obj >> 2]! & ~LOGGED_BIT;
      i32[obj >> 2] = tag;
      if (tag & BIG_BIT) continue;   // a big array's logged elements are in `slots`
      this.moveLimit = this.evacuatedBytes + EVACUATE_RUN_MAX;
      this.relocateFields(obj, tag);
      this.relocateQueued();
    }
    this.moveLimit = Infinity;
    this.relocateSlots(slots);
    this.relocateQueued();
    heap.endPromotion();
  }

  /** relocateFields() for every object on the mark stack, until it is empty. */
  private relocateQueued(): void {
    while (this.sp > 0) {
      const obj = this.markStack[--this.sp]!;
      this.relocateFields(obj, this.heap.mem.i32[obj >> 2]!);
    }
  }

  /** relocate() moves a young object only while the bytes this collection
   *  moved are below this (EVACUATE_RUN_MAX past what it had moved when it
   *  took the current remembered object). A young structure hanging from one
   *  old object was allocated in order, so it is dense where it is and
   *  copying it buys no locality; it only needs old space beside the young
   *  ranges it still fills until the sweep. When binary-trees' nodes were
   *  allocated before their children (NEWSTRUCT, then the two calls, then the
   *  stores; a struct now comes after its fields' values, front/lower.ts), a
   *  node promoted while its subtrees were built was remembered when they
   *  were stored into it, and the next minor collection copied a whole young
   *  subtree (19 MB of 33 MB young at depth 20): the linear memory grew past
   *  twice the live set for that copy alone. A young structure can still hang
   *  from an old object (stored into an old struct's field or array). */
  private moveLimit = Infinity;

  /** relocate() for every logged element, with the usual case written out: a
   *  young string (no references to follow) that no root reached, moved into
   *  the promotion window (a million words stored into a big array in
   *  `words`: this loop is most of its minor collections). Calling bumpOld ||
   *  allocOld and evacuate() here instead of the written-out copy made `words`
   *  1,000,000 about 10% slower (user+sys 0.30 -> 0.33 s, 5 runs each). */
  private relocateSlots(slots: Int32Array): void {
    const heap = this.heap, start = heap.start;
    let i32 = heap.mem.i32;
    for (let i = 0; i < slots.length; i += 2) {
      const w = (slots[i]! >> 2) + 2 + slots[i + 1]!;
      const child = i32[w]!;
      if (child === 0) continue;
      const bit = (child - start) >> 3, k = bit >> 5, m = 1 << (bit & 31);
      if ((this.oldBits[k]! & m) !== 0) continue;
      const tag = i32[child >> 2]!;
      const units = i32[(child >> 2) + 1]!;
      if ((tag & (KIND_MASK | FORWARDED_BIT)) !== ObjKind.STR || (this.markBits[k]! & m) !== 0 || units > (EVACUATE_MAX - HEADER_BYTES) >> 1) {
        this.relocate(w);
        i32 = heap.mem.i32;
        continue;
      }
      const size = blockSizeFor(HEADER_BYTES + 2 * units);
      let to = heap.bumpOld(size);
      if (to === 0) {
        to = heap.allocOld(size, this.intoHoles);
        if (to === 0) { this.relocate(w); i32 = heap.mem.i32; continue; }
        this.ensureMarkBits();                 // old space may have grown past the bitmaps
        i32 = heap.mem.i32;                    // and the memory with it
      }
      const f = child >> 2, t = to >> 2;
      for (let j = 1; j < size >> 2; j++) i32[t + j] = i32[f + j]!;
      i32[t] = tag | MARK_BIT;
      i32[f] = tag | FORWARDED_BIT;
      i32[f + 2] = to;
      i32[w] = to;
      const tb = (to - start) >> 3;
      this.oldBits[tb >> 5]! |= 1 << (tb & 31);
      this.evacuatedBytes += size;
    }
  }

  private relocateFields(obj: number, tag: number): void {
    const w = obj >> 2;
    if ((tag & KIND_MASK) === ObjKind.ARR_R) {
      const n = this.heap.mem.i32[w + 1]!;
      for (let i = 0; i < n; i++) this.relocate(w + 2 + i);
      return;
    }
    for (const f of this.fieldWords()[tag >>> 8]!) this.relocate(w + f);
  }

  /** The reference in heap word `w` (a field of an OLD object) names an OLD
   *  object afterwards: a young one is moved (the word updated) or, if a root
   *  reaches it or it is large or old space is full, promoted where it is. */
  private relocate(w: number): void {
    const heap = this.heap;
    const i32 = heap.mem.i32;
    const child = i32[w]!;
    if (child === 0) return;
    const bit = (child - heap.start) >> 3, k = bit >> 5, m = 1 << (bit & 31);
    if (this.oldBits[k]! & m) return;
    const tag = i32[child >> 2]!;
    if (tag & FORWARDED_BIT) { i32[w] = i32[(child >> 2) + 2]!; return; }
    if (!(this.markBits[k]! & m)) {
      const size = heap.blockSize(child);
      const to = size <= EVACUATE_MAX && this.evacuatedBytes < this.moveLimit ? heap.allocOld(size, this.intoHoles) : 0;
      if (to !== 0) { this.evacuate(child, to, size, tag, w); return; }
      this.markBits[k]! |= m;
    }
    this.oldBits[k]! |= m;                     // promoted in place (the sweep sets its header's bit)
    if (this.hasRefs(tag)) this.push(child);
  }

  /** Copy the young object at `from` to `to` in old space, leave a forwarding
   *  address behind, and point heap word `w` at the copy. */
  private evacuate(from: number, to: number, size: number, tag: number, w: number): void {
    this.ensureMarkBits();                     // old space may have grown past the bitmaps
    const i32 = this.heap.mem.i32;             // and the memory with it
    const f = from >> 2, t = to >> 2, n = size >> 2;
    if (n <= 16) for (let i = 1; i < n; i++) i32[t + i] = i32[f + i]!;   // a call to copyWithin costs more for the usual few words
    else i32.copyWithin(t, f, f + n);
    i32[t] = tag | MARK_BIT;
    i32[from >> 2] = tag | FORWARDED_BIT;
    i32[(from >> 2) + 2] = to;
    i32[w] = to;
    this.setOld(to);
    this.evacuatedBytes += size;
    if (this.hasRefs(tag)) this.push(to);
  }

  /** The aged objects: each marked one becomes OLD, each unmarked one is freed
   *  (neighbours in the list that touch are freed as one run). Collects the
   *  promoted objects that can hold references; returns the bytes promoted. */
  private promoteOrFree(aged: Int32Array): number {
    const heap = this.heap, i32 = heap.mem.i32, bits = this.markBits, old = this.oldBits, start = heap.start;
    let promoted = 0, run = 0, runEnd = 0;
    for (const addr of aged) {
      const bit = (addr - start) >> 3, m = 1 << (bit & 31);
      const size = heap.blockSize(addr);
      if (bits[bit >> 5]! & m) {
        bits[bit >> 5]! &= ~m;
        old[bit >> 5]! |= m;
        const tag = i32[addr >> 2]! | MARK_BIT;
        i32[addr >> 2] = tag;
        promoted += size;
        if (this.hasRefs(tag)) this.pushScratch(3, this.promotedWithRefs++, addr);
        continue;
      }
      if (addr !== runEnd) { if (run !== 0) this.freeRun(run, runEnd - run); run = addr; }
      runEnd = addr + size;
    }
    if (run !== 0) this.freeRun(run, runEnd - run);
    return promoted;
  }

  /** After a minor collection, an OLD object may still reference a young (aged)
   *  one: not the remembered objects and slots (all they reference was
   *  promoted), but an aged object just promoted may. Those that do are
   *  remembered again (the write barrier's invariant). */
  private rememberAgain(promoted: Int32Array): void {
    const heap = this.heap, i32 = heap.mem.i32;
    if (heap.agedCount === 0) return;    // nothing young is left to reference
    for (const obj of promoted) {
      const tag = i32[obj >> 2]!;
      if (tag & BIG_BIT) {
        const n = i32[(obj >> 2) + 1]!;
        for (let i = 0; i < n; i++) { const c = i32[(obj >> 2) + 2 + i]!; if (c !== 0 && !this.isOld(c)) heap.remember(obj, i); }
      } else if (this.referencesYoung(obj, tag)) {
        heap.remember(obj, -1);
      }
    }
  }

  /** Scratch buffers kept between collections: 0 remembered, 1 slots, 2 aged,
   *  3 the promoted objects that can hold references (promotedWithRefs of them),
   *  4 the holes taken. */
  private readonly scratch = [0, 1, 2, 3, 4].map(() => new Int32Array(256));
  private promotedWithRefs = 0;

  /** The first n entries of `from`, in scratch buffer `which`. */
  private copyOut(which: number, from: Int32Array, n: number): Int32Array {
    if (this.scratch[which]!.length < n) this.scratch[which] = grown(this.scratch[which]!, Math.max(n, 2 * this.scratch[which]!.length));
    const buf = this.scratch[which]!;
    buf.set(from.subarray(0, n));
    return buf.subarray(0, n);
  }

  private pushScratch(which: number, at: number, value: number): void {
    if (at === this.scratch[which]!.length) this.scratch[which] = grown(this.scratch[which]!);
    this.scratch[which]![at] = value;
  }

  /** Set the OLD bitmap's bit of the object at addr (its header's bit is the caller's). */
  private setOld(addr: number): void {
    const bit = (addr - this.heap.start) >> 3;
    this.oldBits[bit >> 5]! |= 1 << (bit & 31);
  }

  private isOld(addr: number): boolean {
    const bit = (addr - this.heap.start) >> 3;
    return (this.oldBits[bit >> 5]! & (1 << (bit & 31))) !== 0;
  }

  private referencesYoung(obj: number, tag: number): boolean {
    const i32 = this.heap.mem.i32;
    if ((tag & KIND_MASK) === ObjKind.ARR_R) {
      const n = i32[(obj >> 2) + 1]!;
      for (let i = 0; i < n; i++) { const c = i32[(obj >> 2) + 2 + i]!; if (c !== 0 && !this.isOld(c)) return true; }
      return false;
    }
    for (const w of this.fieldWords()[tag >>> 8]!) { const c = i32[(obj >> 2) + w]!; if (c !== 0 && !this.isOld(c)) return true; }
    return false;
  }

  private collectFull(): void {
    this.ensureMarkBits();
    this.minor = false;
    this.oldBits.fill(0);                // the sweep sets the survivors' bits again
    this.roots.forEachRoot((a) => this.mark(a));
    this.drain();
    const heap = this.heap;
    heap.beginFreeList();
    const oldBefore = this.oldBytes;
    const live = this.sweepRange(heap.start, heap.top, true);
    heap.agedCount = 0;
    heap.rememberedCount = 0;
    heap.clearSlots();
    this.lastLive = live;
    this.maxLive = Math.max(this.maxLive, live);
    this.allocatedSinceFull = 0;
    this.judgePretenuring();
    this.oldBytes = live;
    this.fullCount++;
    this.judgeNursery(oldBefore, live);
  }

  private ensureMarkBits(): void {
    const words = ((this.heap.top - this.heap.start) >> 8) + 1;
    if (this.markBits.length < words) {
      const length = Math.max(words, this.markBits.length * 2);
      this.markBits = grown(this.markBits, length);
      this.oldBits = grown(this.oldBits, length);
    }
  }

  // ---- mark ----------------------------------------------------------------------

  /** Mark one object where it is (in a minor collection, OLD objects count as
   *  marked); queue it for scanning if it can hold references. */
  private mark(addr: number): void {
    if (addr === 0) return;
    const bit = (addr - this.heap.start) >> 3;
    const w = this.markBits[bit >> 5]!, m = 1 << (bit & 31);
    if (w & m) return;
    if (this.minor && (this.oldBits[bit >> 5]! & m)) return;
    this.markBits[bit >> 5] = w | m;
    if (this.hasRefs(this.heap.mem.i32[addr >> 2]!)) this.push(addr);
  }

  private hasRefs(tag: number): boolean {
    const kind = tag & KIND_MASK;
    return kind === ObjKind.ARR_R || (kind === ObjKind.STRUCT && this.roots.structRefOffsets[tag >>> 8]!.length > 0);
  }

  private push(addr: number): void {
    if (this.sp === this.markStack.length) this.markStack = grown(this.markStack);
    this.markStack[this.sp++] = addr;
  }

  /** Scan queued objects until none is left. This loop is where collections spend
   *  their time: the stack, its pointer and the tables are locals, struct fields
   *  are read through word indexes, and the child test is written out (in
   *  markChild's words) for arrays and for structs. */
  private drain(): void {
    const i32 = this.heap.mem.i32;
    const fieldWords = this.fieldWords();
    const bits = this.markBits, old = this.oldBits, start = this.heap.start;
    const minor = this.minor;                     // a minor collection does not trace OLD objects
    let stack = this.markStack, sp = this.sp;
    while (sp > 0) {
      const addr = stack[--sp]!;
      const tag = i32[addr >> 2]!;
      const kind = tag & KIND_MASK;
      let fields: Int32Array | null = null, n: number;
      if (kind === ObjKind.ARR_R) n = i32[(addr >> 2) + 1]!;
      else if (kind === ObjKind.STRUCT) n = (fields = fieldWords[tag >>> 8]!).length;
      else continue;                              // no references (a child is pushed unread)
      for (let i = 0; i < n; i++) {
        const child = i32[(addr >> 2) + (fields === null ? 2 + i : fields[i]!)]!;
        if (child === 0) continue;
        const bit = (child - start) >> 3, word = bits[bit >> 5]!, m = 1 << (bit & 31);
        if (word & m) continue;
        if (minor && (old[bit >> 5]! & m)) continue;
        bits[bit >> 5] = word | m;
        // An array's elements are often leaves (strings: a million words in
        // `words`): one read of the header here spares the push and pop. A
        // struct's children are pushed unread (read once, when popped: in a
        // tree, most children have references to scan).
        if (fields === null && !refsKind(i32[child >> 2]!)) continue;
        if (sp === stack.length) stack = grown(stack);
        stack[sp++] = child;
      }
    }
    this.markStack = stack;
    this.sp = 0;
  }

  /** Word offsets of every struct's reference fields (byte offsets >> 2). */
  private fieldWords(): Int32Array[] {
    if (this.fieldWordsCache === null) this.fieldWordsCache = this.roots.structRefOffsets.map((o) => o.map((b) => b >> 2));
    return this.fieldWordsCache;
  }

  // ---- sweep ---------------------------------------------------------------------

  /** Sweep [from, to), a dense sequence of blocks: the gaps between the marked
   *  objects become free blocks, found from the mark bitmap alone (the dead
   *  or moved objects in a gap are never visited); marked objects become OLD
   *  and lose LOGGED (`full`, or in a minor collection those the old generation
   *  reaches, promoted in place, whose OLD bitmap bit relocate() set: their
   *  bytes are added to sweptPromoted), or else are aged (listed in heap.aged, still young); the
   *  bits read are cleared. A gap reaching the heap top returns to untouched
   *  memory. Returns the bytes of the marked objects. */
  private sweepRange(from: number, to: number, full: boolean): number {
    const heap = this.heap, i32 = heap.mem.i32, bits = this.markBits, old = this.oldBits, start = heap.start;
    let marked = 0;
    let gap = from;                      // start of the free gap being built
    const b0 = (from - start) >> 3, b1 = (to - start) >> 3;
    for (let w = b0 >> 5; w <= (b1 - 1) >> 5; w++) {
      let word = bits[w]!;
      if (word === 0) continue;
      if (w === b0 >> 5) word &= ~0 << (b0 & 31);
      if (w === (b1 - 1) >> 5 && (b1 & 31) !== 0) word &= ~(~0 << (b1 & 31));
      bits[w]! &= ~word;
      if (full) old[w]! |= word;
      const promote = full ? word : old[w]! & word;
      while (word !== 0) {
        const low = word & -word;
        const addr = start + (((w << 5) + (31 - Math.clz32(low))) << 3);
        word ^= low;
        if (addr > gap) this.freeRun(gap, addr - gap);
        const tag = i32[addr >> 2]!;
        const size = (tag & KIND_MASK) === ObjKind.STR ? blockSizeFor(HEADER_BYTES + 2 * i32[(addr >> 2) + 1]!) : heap.blockSize(addr);
        if (promote & low) {
          if (tag & PRETENURED_BIT) this.pretenuredLive += size;
          const promoted = (tag | MARK_BIT) & ~(LOGGED_BIT | PRETENURED_BIT);
          if (promoted !== tag) i32[addr >> 2] = promoted;    // an OLD object's header is left clean (not written back)
          if (!full) this.sweptPromoted += size;
        } else {
          heap.addAged(addr);
        }
        marked += size;
        gap = addr + size;
      }
    }
    if (gap < to) {
      if (to === heap.top) heap.top = gap; else this.freeRun(gap, to - gap);
    }
    return marked;
  }

  /** A run of dead or free blocks between live ones: a free block on the list, or
   *  an 8-byte filler too small to hold a list link. */
  private freeRun(addr: number, size: number): void {
    if (size >= MIN_BLOCK) { this.heap.appendFree(addr, size); return; }
    const i32 = this.heap.mem.i32;
    i32[addr >> 2] = ObjKind.FREE;
    i32[(addr >> 2) + 1] = size;
  }
}


/** Can an object with this tag hold references (an array of references or a
 *  struct; a struct without reference fields is scanned and found to have none)? */
function refsKind(tag: number): boolean {
  const kind = tag & KIND_MASK;
  return kind === ObjKind.ARR_R || kind === ObjKind.STRUCT;
}

function kb(bytes: number): string { return `${(bytes / 1024).toFixed(1)} KB`; }

export class HeapCorrupt extends Error {}

/** Every element of the [bool] array at `a` (`len` bytes after the header) is 0 or 1. */
function checkBools(u8: Uint8Array, a: number, len: number, fail: (what: string) => never): void {
  for (let i = 0; i < len; i++) if (u8[a + HEADER_BYTES + i]! > 1) fail(`bool array ${a}[${i}] holds ${u8[a + HEADER_BYTES + i]}`);
}

/** Check the heap's invariants; throws HeapCorrupt naming the first violation.
 *  Blocks tile [start, top) exactly; tags are valid; every young range is a dense
 *  sequence of blocks and every young (unmarked) object lies in one; every
 *  reference in an object and every root is null or the start of an object;
 *  every element of a [bool] array is 0 or 1; an
 *  OLD object that references a young one is LOGGED (the write barrier did its
 *  work), and the remembered set holds exactly the LOGGED objects; the free runs
 *  hold only free blocks and add up to freeBytes. (Call it with no window open:
 *  collect() retires the window first.) */
export function verifyHeap(heap: Heap, roots: RootSource, when: string): void {
  const fail = (what: string): never => { throw new HeapCorrupt(`heap verification failed ${when}: ${what}`); };
  const i32 = heap.mem.i32;
  const starts = new Set<number>();
  const free = new Set<number>();
  let addr = heap.start;
  while (addr < heap.top) {
    const tag = i32[addr >> 2]!;
    const kind = tag & KIND_MASK;
    if (kind < ObjKind.STR || kind > ObjKind.ARR_B) fail(`bad tag ${tag} at ${addr}`);   // ARR_B: the last kind
    if (kind === ObjKind.STRUCT && (tag >>> 8) >= roots.structRefOffsets.length) fail(`bad struct index at ${addr}`);
    const size = heap.blockSize(addr);
    if (size < (kind === ObjKind.FREE ? 8 : MIN_BLOCK) || size % 8 !== 0) fail(`bad block size ${size} at ${addr}`);
    (kind === ObjKind.FREE ? free : starts).add(addr);
    addr += size;
  }
  if (addr !== heap.top) fail(`blocks overrun the heap top (${addr} > ${heap.top})`);
  const young = youngObjects(heap, starts, free, fail);
  const slots = new Set<string>();
  for (let i = 0; i < heap.slotCount; i++) slots.add(`${heap.slots[2 * i]}:${heap.slots[2 * i + 1]}`);
  const isOld = (a: number) => (i32[a >> 2]! & MARK_BIT) !== 0;
  for (const a of starts) {
    const tag = i32[a >> 2]!;
    if (!isOld(a) && !young.has(a)) fail(`young object ${a} outside the young ranges`);
    if ((tag & LOGGED_BIT) && !isOld(a)) fail(`young object ${a} is LOGGED`);
    const checkRef = (ref: number, from: string, index = -1) => {
      if (ref === 0) return;
      if (!starts.has(ref)) fail(`${from} holds ${ref}, not a live object`);
      if (!isOld(a) || isOld(ref)) return;
      if (!(tag & LOGGED_BIT)) fail(`OLD ${from} references young ${ref} but is not remembered`);
      if ((tag & BIG_BIT) && !slots.has(`${a}:${index}`)) fail(`OLD ${from} references young ${ref} but the element is not logged`);
    };
    if ((tag & KIND_MASK) === ObjKind.ARR_R) {
      const len = i32[(a >> 2) + 1]!;
      if ((tag & BIG_BIT) && len < BIG_ARRAY_ELEMENTS) fail(`array ${a} of ${len} elements marked BIG`);
      for (let i = 0; i < len; i++) checkRef(i32[(a >> 2) + 2 + i]!, `array ${a}[${i}]`, i);
    } else if ((tag & KIND_MASK) === ObjKind.STRUCT) {
      for (const off of roots.structRefOffsets[tag >>> 8]!) checkRef(i32[(a + off) >> 2]!, `struct ${a}+${off}`);
    } else if ((tag & KIND_MASK) === ObjKind.ARR_B) {
      checkBools(heap.mem.u8, a, i32[(a >> 2) + 1]!, fail);
    }
  }
  roots.forEachRoot((r) => { if (r !== 0 && !starts.has(r)) fail(`a root holds ${r}, not a live object`); });
  checkRemembered(heap, starts, fail);
  checkFreeRuns(heap, free, fail);
}

/** The young objects: those in the young ranges and the holes taken since the
 *  last collection (each a dense block sequence), and the aged ones. */
function youngObjects(heap: Heap, starts: Set<number>, free: Set<number>, fail: (w: string) => never): Set<number> {
  const young = new Set<number>();
  const walk = (from: number, to: number, what: string) => {
    let a = from;
    while (a < to) {
      if (!starts.has(a) && !free.has(a)) fail(`${what} ${from}..${to} has no block at ${a}`);
      if (starts.has(a)) young.add(a);
      a += heap.blockSize(a);
    }
    if (a !== to) fail(`${what} ${from}..${to} does not end at a block boundary`);
  };
  for (let r = 0; r < heap.youngRangeCount; r++) walk(heap.youngRanges[2 * r]!, heap.youngRanges[2 * r + 1]!, 'young range');
  const taken = heap.free.taken;
  for (let h = 0; h < taken.length; h += 2) walk(taken[h]!, taken[h]! + taken[h + 1]!, 'taken hole');
  for (let i = 0; i < heap.agedCount; i++) {
    const a = heap.aged[i]!;
    if (!starts.has(a)) fail(`aged object ${a} is not an object`);
    if (young.has(a)) fail(`aged object ${a} is also in a young range`);
    young.add(a);
  }
  return young;
}

function checkRemembered(heap: Heap, starts: Set<number>, fail: (w: string) => never): void {
  const i32 = heap.mem.i32;
  const listed = new Set<number>();
  for (let i = 0; i < heap.rememberedCount; i++) {
    const a = heap.remembered[i]!;
    if (!starts.has(a)) fail(`the remembered set holds ${a}, not an object`);
    if (listed.has(a)) fail(`the remembered set holds ${a} twice`);
    if (!(i32[a >> 2]! & LOGGED_BIT)) fail(`remembered object ${a} is not LOGGED`);
    listed.add(a);
  }
  for (const a of starts) if ((i32[a >> 2]! & LOGGED_BIT) && !listed.has(a)) fail(`LOGGED object ${a} is not in the remembered set`);
}

function checkFreeRuns(heap: Heap, free: Set<number>, fail: (w: string) => never): void {
  let listed = 0;
  const seen = new Set<number>();
  const nonEmpty = new Set<number>();
  heap.free.forEach((b, size, bin) => {
    if (!free.has(b)) fail(`the free runs hold ${b}, not a free block`);
    if (seen.has(b)) fail('the free runs have a cycle or a run twice');
    seen.add(b);
    if (size < MIN_BLOCK) fail(`free block of ${size} bytes in a bin`);
    if (bin >= 0 && freeBinOf(size) !== bin) fail(`free block of ${size} bytes in bin ${bin}`);
    if (bin >= 0) nonEmpty.add(bin);
    listed += size;
  });
  for (let bin = 0; bin < heap.free.heads.length; bin++) {
    if (heap.free.marked(bin) !== nonEmpty.has(bin)) fail(`bin ${bin}: bitmap and list disagree`);
  }
  if (listed !== heap.freeBytes) fail(`the free runs hold ${listed} bytes, freeBytes says ${heap.freeBytes}`);
}

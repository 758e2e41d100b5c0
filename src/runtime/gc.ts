// The garbage collector: precise, non-moving mark-sweep over the heap (heap.ts).
//
// Roots, all exact (nothing is scanned conservatively), come from RootSource:
// global slots of reference kind, the string constants, the embedding's handles,
// and in every frame on the frame stack the reference registers live at the
// frame's current safepoint (gcmaps.ts). The frame contract every tier keeps
// (docs/architecture.md, "Frames and roots"): at a safepoint (an instruction that
// may allocate or call) the frame has published its position (innermost frame) or
// recorded it in its callee's header, and every live reference register holds
// 0 or the address of a live object in its frame slot — compiled code writes
// references through to their slots.
//
// Marking uses an explicit stack (no host recursion, whatever the object graph).
// Sweeping walks the heap's dense block sequence, clears marks, merges runs of
// dead and free blocks into single free blocks, and gives a trailing run back to
// the bump space. The next collection is due after allocating as many bytes as
// survived (GROWTH), but not less than MIN_TRIGGER.

import { ObjKind, MARK_BIT, KIND_MASK, MIN_BLOCK, freeBinOf, type Collector, type Heap } from './heap.js';

/** Collect when bytes allocated since the last collection reach live * GROWTH:
 *  the heap then peaks near twice the live set, a usual space/time trade. */
const GROWTH = 1.0;
/** ... but never more often than every 1 MiB of allocation: small live sets would
 *  otherwise collect constantly for no gain. */
const MIN_TRIGGER = 1 << 20;

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
  totalPauseMs = 0;
  maxPauseMs = 0;
  pauses: number[] = [];
  lastLive = 0;
  private threshold = MIN_TRIGGER;
  private markStack = new Int32Array(1024);
  private sp = 0;

  constructor(private readonly heap: Heap, private readonly roots: RootSource, private readonly opts: GcOptions) {}

  budget(allocatedSinceGc: number): number {
    return this.opts.stress ? 0 : this.threshold - allocatedSinceGc;
  }

  collect(reason: string): void {
    const t0 = performance.now();
    const heap = this.heap;
    heap.retireWindow();
    const usedBefore = heap.extent - heap.freeBytes;
    if (this.opts.verify) verifyHeap(heap, this.roots, 'before collection');
    this.markFromRoots();
    const live = this.sweep();
    heap.allocatedSinceGc = 0;
    this.lastLive = live;
    this.threshold = Math.max(MIN_TRIGGER, live * GROWTH);
    if (this.opts.verify) verifyHeap(heap, this.roots, 'after collection');
    const pause = performance.now() - t0;
    this.count++;
    this.totalPauseMs += pause;
    this.maxPauseMs = Math.max(this.maxPauseMs, pause);
    this.pauses.push(pause);
    this.opts.trace?.(`[gc #${this.count} ${reason}] heap ${kb(usedBefore)} -> ${kb(heap.extent - heap.freeBytes)}, ` +
      `live ${kb(live)}, extent ${kb(heap.extent)}, pause ${pause.toFixed(3)} ms`);
  }

  /** One line summing up every collection of this run. */
  summary(): string {
    const sorted = [...this.pauses].sort((a, b) => a - b);
    const p99 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]! : 0;
    return `[gc stats] collections ${this.count}, pause total ${this.totalPauseMs.toFixed(1)} ms, ` +
      `max ${this.maxPauseMs.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, peak heap ${kb(this.heap.peakExtent)}, ` +
      `live after last ${kb(this.lastLive)}`;
  }

  // ---- mark ----------------------------------------------------------------------

  private markFromRoots(): void {
    this.roots.forEachRoot((a) => this.mark(a));
    this.drain();
  }

  /** Mark one object; queue it for scanning if it can hold references. */
  private mark(addr: number): void {
    if (addr === 0) return;
    const i32 = this.heap.mem.i32;
    const tag = i32[addr >> 2]!;
    if (tag & MARK_BIT) return;
    i32[addr >> 2] = tag | MARK_BIT;
    if (this.hasRefs(tag)) this.push(addr);
  }

  private hasRefs(tag: number): boolean {
    const kind = tag & KIND_MASK;
    return kind === ObjKind.ARR_R || (kind === ObjKind.STRUCT && this.roots.structRefOffsets[tag >>> 8]!.length > 0);
  }

  private push(addr: number): void {
    if (this.sp === this.markStack.length) {
      const bigger = new Int32Array(this.markStack.length * 2);
      bigger.set(this.markStack);
      this.markStack = bigger;
    }
    this.markStack[this.sp++] = addr;
  }

  /** Scan queued objects until none is left. The child test is written out here
   *  (not a call to mark) because this loop is where collections spend their time. */
  private drain(): void {
    const i32 = this.heap.mem.i32;
    const offsets = this.roots.structRefOffsets;
    while (this.sp > 0) {
      const addr = this.markStack[--this.sp]!;
      const tag = i32[addr >> 2]!;
      const isArray = (tag & KIND_MASK) === ObjKind.ARR_R;
      const offs = isArray ? null : offsets[tag >>> 8]!;
      const n = isArray ? i32[(addr >> 2) + 1]! : offs!.length;
      for (let i = 0; i < n; i++) {
        const child = isArray ? i32[(addr >> 2) + 2 + i]! : i32[(addr + offs![i]!) >> 2]!;
        if (child === 0) continue;
        const ctag = i32[child >> 2]!;
        if (ctag & MARK_BIT) continue;
        i32[child >> 2] = ctag | MARK_BIT;
        if (this.hasRefs(ctag)) this.push(child);
      }
    }
  }

  // ---- sweep ---------------------------------------------------------------------

  /** Rebuild the free list from unmarked blocks; returns live bytes. */
  private sweep(): number {
    const heap = this.heap;
    const i32 = heap.mem.i32;
    heap.beginFreeList();
    let live = 0;
    let run = -1;                        // start of the current run of free space
    for (let addr = heap.start; addr < heap.top;) {
      const tag = i32[addr >> 2]!;
      const size = heap.blockSize(addr);
      if (tag & MARK_BIT) {
        i32[addr >> 2] = tag & ~MARK_BIT;
        live += size;
        if (run >= 0) { this.freeRun(run, addr - run); run = -1; }
      } else if (run < 0) {
        run = addr;
      }
      addr += size;
    }
    if (run >= 0) heap.top = run;        // a trailing run returns to untouched memory
    return live;
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

function kb(bytes: number): string { return `${(bytes / 1024).toFixed(1)} KB`; }

export class HeapCorrupt extends Error {}

/** Check the heap's invariants; throws HeapCorrupt naming the first violation.
 *  Blocks tile [start, top) exactly; tags are valid and unmarked; every reference
 *  in a live object and every root is null or the start of a live block; the free
 *  list holds only free blocks and adds up to freeBytes. (Call it with no window
 *  open: collect() retires the window first.) */
export function verifyHeap(heap: Heap, roots: RootSource, when: string): void {
  const fail = (what: string): never => { throw new HeapCorrupt(`heap verification failed ${when}: ${what}`); };
  const i32 = heap.mem.i32;
  const starts = new Set<number>();
  const free = new Set<number>();
  let addr = heap.start;
  while (addr < heap.top) {
    const tag = i32[addr >> 2]!;
    const kind = tag & KIND_MASK;
    if (kind < ObjKind.STR || kind > ObjKind.FREE) fail(`bad tag ${tag} at ${addr}`);
    if (tag & MARK_BIT) fail(`mark bit left set at ${addr}`);
    if (kind === ObjKind.STRUCT && (tag >>> 8) >= roots.structRefOffsets.length) fail(`bad struct index at ${addr}`);
    const size = heap.blockSize(addr);
    if (size < (kind === ObjKind.FREE ? 8 : MIN_BLOCK) || size % 8 !== 0) fail(`bad block size ${size} at ${addr}`);
    (kind === ObjKind.FREE ? free : starts).add(addr);
    addr += size;
  }
  if (addr !== heap.top) fail(`blocks overrun the heap top (${addr} > ${heap.top})`);
  const checkRef = (ref: number, from: string) => {
    if (ref !== 0 && !starts.has(ref)) fail(`${from} holds ${ref}, not a live object`);
  };
  for (const a of starts) {
    const tag = i32[a >> 2]!;
    if ((tag & KIND_MASK) === ObjKind.ARR_R) {
      const len = i32[(a >> 2) + 1]!;
      for (let i = 0; i < len; i++) checkRef(i32[(a >> 2) + 2 + i]!, `array ${a}[${i}]`);
    } else if ((tag & KIND_MASK) === ObjKind.STRUCT) {
      for (const off of roots.structRefOffsets[tag >>> 8]!) checkRef(i32[(a + off) >> 2]!, `struct ${a}+${off}`);
    }
  }
  roots.forEachRoot((r) => checkRef(r, 'a root'));
  let listed = 0;
  const seen = new Set<number>();
  const nonEmpty = new Set<number>();
  heap.free.forEach((b, size, bin) => {
    if (!free.has(b)) fail(`the free runs hold ${b}, not a free block`);
    if (seen.has(b)) fail('the free runs have a cycle or a run twice');
    seen.add(b);
    if (size < MIN_BLOCK) fail(`free block of ${size} bytes in a bin`);
    if (freeBinOf(size) !== bin) fail(`free block of ${size} bytes in bin ${bin}`);
    nonEmpty.add(bin);
    listed += size;
  });
  for (let bin = 0; bin < heap.free.heads.length; bin++) {
    if (heap.free.marked(bin) !== nonEmpty.has(bin)) fail(`bin ${bin}: bitmap and list disagree`);
  }
  if (listed !== heap.freeBytes) fail(`the free runs hold ${listed} bytes, freeBytes says ${heap.freeBytes}`);
}

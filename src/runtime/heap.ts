// Heap objects in linear memory: layouts, the allocator, and string operations.
//
// Every block starts on an 8-byte boundary with an 8-byte header:
//   word 0: tag = kind (bits 0-2) | mark bit (bit 3, set only during a collection)
//           | struct index << 8
//   word 1: length (strings: UTF-16 units; arrays: elements; structs: 0;
//           free blocks: the block's size in bytes)
// and its payload follows at +8:
//   string               u16 code units
//   [i32] [bool] [fn]    4-byte elements          [f64]  8-byte elements
//   array of references  4-byte addresses (0 = null)
//   struct               fields at the offsets in BcStruct
//   free block           word 2: next free block of the same list (0 = end)
// A block's size is its payload rounded up to 8, and at least MIN_BLOCK, so the
// heap [start, top) is a dense sequence of blocks a sweep can walk.
//
// Allocation: exact-size free lists for blocks up to SMALL_MAX bytes, one
// first-fit list for larger ones, then the bump region [top, end of memory),
// which grows the memory up to the heap limit. Payloads are zeroed on allocation:
// zero is every kind's default value and no stale reference survives reuse.
// Address 0 is null; no block lives there.

import { Memory } from './memory.js';
import { Trap } from './errors.js';

export const enum ObjKind { STR = 1, ARR_I = 2, ARR_F = 3, ARR_R = 4, STRUCT = 5, FREE = 6 }
export const HEADER_BYTES = 8;
export const MARK_BIT = 8;
export const KIND_MASK = 7;
export const MIN_BLOCK = 16;
/** Largest block size with an exact-size free list. */
export const SMALL_MAX = 256;

/** The collector, as the allocator sees it (gc.ts implements it). */
export interface Collector {
  /** Bytes allocated since the last collection that trigger the next one. */
  shouldCollect(allocatedSinceGc: number): boolean;
  collect(reason: string): void;
}

export class Heap {
  /** End of the used part of the heap; [top, memory end) is free bump space. */
  top: number;
  /** Free-list heads: freeHeads[size >> 3] for sizes up to SMALL_MAX; freeHeads[0] is the large list. */
  readonly freeHeads = new Int32Array((SMALL_MAX >> 3) + 1);
  /** Bytes in free lists (kept by the allocator and rebuilt by each sweep). */
  freeBytes = 0;
  allocatedSinceGc = 0;
  /** Largest extent the heap ever had (bytes). */
  peakExtent = 0;
  collector: Collector | null = null;
  /** Struct sizes by struct index (for walking the heap). */
  structSizes: Int32Array = new Int32Array(0);

  constructor(readonly mem: Memory, readonly start: number, readonly limit: number) {
    this.top = start;
  }

  /** Bytes of the heap in use by blocks, live or free (top - start). */
  get extent(): number { return this.top - this.start; }

  /** A zeroed block for `bytes` of header and payload, header written. */
  alloc(bytes: number, tag: number, length: number): number {
    const size = blockSizeFor(bytes);
    const c = this.collector;
    if (c !== null && c.shouldCollect(this.allocatedSinceGc)) c.collect('threshold');
    let addr = this.takeFree(size);
    if (addr === 0) addr = this.bump(size);
    this.allocatedSinceGc += size;
    const i32 = this.mem.i32;
    const w = addr >> 2;
    i32[w] = tag;
    i32[w + 1] = length;
    if (size > HEADER_BYTES) i32.fill(0, w + 2, w + (size >> 2));
    return addr;
  }

  private bump(size: number): number {
    if (this.top + size > this.limit || !this.mem.grow(this.top + size)) {
      // Over the heap limit (or the host refused memory): collect once, then retry.
      if (this.collector !== null) this.collector.collect('heap limit');
      const addr = this.takeFree(size);
      if (addr !== 0) return addr;
      if (this.top + size > this.limit || !this.mem.grow(this.top + size)) throw new Trap('out of memory');
    }
    const addr = this.top;
    this.top += size;
    if (this.top - this.start > this.peakExtent) this.peakExtent = this.top - this.start;
    return addr;
  }

  /** Pop a free block of exactly `size`, or split a larger one; 0 if none. */
  private takeFree(size: number): number {
    if (this.freeBytes === 0) return 0;
    const heads = this.freeHeads;
    if (size <= SMALL_MAX) {
      const cls = size >> 3;
      const head = heads[cls]!;
      if (head !== 0) {
        heads[cls] = this.mem.i32[(head >> 2) + 2]!;
        this.freeBytes -= size;
        return head;
      }
      for (let k = cls + (MIN_BLOCK >> 3); k <= SMALL_MAX >> 3; k++) {
        if (heads[k] !== 0) return this.splitFrom(k, size);
      }
    }
    return this.takeLarge(size);
  }

  /** Take the head of small list `cls` (larger than needed) and free the rest. */
  private splitFrom(cls: number, size: number): number {
    const heads = this.freeHeads;
    const block = heads[cls]!;
    heads[cls] = this.mem.i32[(block >> 2) + 2]!;
    this.freeBytes -= cls << 3;
    this.addFree(block + size, (cls << 3) - size);
    return block;
  }

  /** First fit in the large list, splitting off the remainder. */
  private takeLarge(size: number): number {
    const i32 = this.mem.i32;
    let prev = 0;
    for (let b = this.freeHeads[0]!; b !== 0; prev = b, b = i32[(b >> 2) + 2]!) {
      const bsize = i32[(b >> 2) + 1]!;
      if (bsize !== size && bsize < size + MIN_BLOCK) continue;
      const next = i32[(b >> 2) + 2]!;
      if (prev === 0) this.freeHeads[0] = next; else i32[(prev >> 2) + 2] = next;
      this.freeBytes -= bsize;
      if (bsize > size) this.addFree(b + size, bsize - size);
      return b;
    }
    return 0;
  }

  /** Make [addr, addr+size) a free block on its list. size >= MIN_BLOCK, multiple of 8. */
  addFree(addr: number, size: number): void {
    const i32 = this.mem.i32;
    const w = addr >> 2;
    const cls = size <= SMALL_MAX ? size >> 3 : 0;
    i32[w] = ObjKind.FREE;
    i32[w + 1] = size;
    i32[w + 2] = this.freeHeads[cls]!;
    this.freeHeads[cls] = addr;
    this.freeBytes += size;
  }

  /** Forget every free list (a sweep rebuilds them). */
  clearFreeLists(): void {
    this.freeHeads.fill(0);
    this.freeBytes = 0;
  }

  /** Size in bytes of the block at `addr`, from its header. */
  blockSize(addr: number): number {
    const i32 = this.mem.i32;
    const tag = i32[addr >> 2]!;
    const len = i32[(addr >> 2) + 1]!;
    switch ((tag & KIND_MASK) as ObjKind) {
      case ObjKind.STR: return blockSizeFor(HEADER_BYTES + len * 2);
      case ObjKind.ARR_I: case ObjKind.ARR_R: return blockSizeFor(HEADER_BYTES + len * 4);
      case ObjKind.ARR_F: return blockSizeFor(HEADER_BYTES + len * 8);
      case ObjKind.STRUCT: return blockSizeFor(this.structSizes[tag >>> 8]!);
      case ObjKind.FREE: return len;
      default: throw new Error(`heap corrupt: bad tag ${tag} at ${addr}`);
    }
  }

  // ---- object constructors -----------------------------------------------------

  newArray(kind: ObjKind, length: number): number {
    if (length < 0) throw new Trap('negative array length');
    const elemBytes = kind === ObjKind.ARR_F ? 8 : 4;
    if (length > (this.limit - this.start) / elemBytes) throw new Trap('out of memory');
    return this.alloc(HEADER_BYTES + length * elemBytes, kind, length);
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

  readString(addr: number): string {
    const len = this.mem.i32[(addr >> 2) + 1]!;
    const base = (addr + HEADER_BYTES) >> 1;
    const u16 = this.mem.u16;
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

  /** a + b. Both operands must be reachable from roots: allocation may collect. */
  concat(a: number, b: number): number {
    const la = this.mem.i32[(a >> 2) + 1]!;
    const lb = this.mem.i32[(b >> 2) + 1]!;
    if (la + lb > (this.limit - this.start) / 2) throw new Trap('out of memory');
    const r = this.alloc(HEADER_BYTES + (la + lb) * 2, ObjKind.STR, la + lb);
    const u16 = this.mem.u16;   // read after alloc: memory may have grown
    const dst = (r + HEADER_BYTES) >> 1;
    u16.copyWithin(dst, (a + HEADER_BYTES) >> 1, ((a + HEADER_BYTES) >> 1) + la);
    u16.copyWithin(dst + la, (b + HEADER_BYTES) >> 1, ((b + HEADER_BYTES) >> 1) + lb);
    return r;
  }

  substr(s: number, start: number, end: number): number {
    const len = this.mem.i32[(s >> 2) + 1]!;
    if (!(0 <= start && start <= end && end <= len)) throw new Trap(`range ${start}..${end} out of bounds for length ${len}`);
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
    const u16 = this.mem.u16;
    const pa = (a + HEADER_BYTES) >> 1, pb = (b + HEADER_BYTES) >> 1;
    for (let i = 0; i < len; i++) if (u16[pa + i] !== u16[pb + i]) return false;
    return true;
  }
}

/** Block size for `bytes` of header and payload: rounded up to 8, at least MIN_BLOCK. */
export function blockSizeFor(bytes: number): number {
  return bytes <= MIN_BLOCK ? MIN_BLOCK : (bytes + 7) & ~7;
}

// Heap objects in linear memory: layouts, allocation, and the string operations.
//
// Every object starts on an 8-byte boundary with an 8-byte header:
//   word 0: tag = kind (bits 0-2) | mark bit (bit 3, for the collector) | struct index << 8
//   word 1: length (strings: UTF-16 units; arrays: elements; structs: unused, 0)
// and its payload follows at +8:
//   string       u16 code units
//   [i32] [bool] [fn]   4-byte elements     [f64] 8-byte elements
//   [T] of references   4-byte addresses (0 = null)
//   struct       fields at the offsets in BcStruct (i32 kind 4 bytes, f64 8 bytes
//                aligned to 8, references 4 bytes)
// Address 0 is null; no object lives there. Sizes round up to 8 bytes.
//
// Allocation is a bump pointer over [heapStart, memory end); memory grows on demand
// up to the heap limit. Fresh memory is zero, which is every kind's zero value.

import { Memory } from './memory.js';
import { Trap } from './errors.js';

export const enum ObjKind { STR = 1, ARR_I = 2, ARR_F = 3, ARR_R = 4, STRUCT = 5 }
export const HEADER_BYTES = 8;
export const MARK_BIT = 8;

export class Heap {
  top: number;

  constructor(readonly mem: Memory, readonly start: number) {
    this.top = start;
  }

  /** Bytes allocated so far. */
  get used(): number { return this.top - this.start; }

  /** A zeroed block of `bytes` (rounded to 8) with its header written. */
  alloc(bytes: number, tag: number, length: number): number {
    const size = (bytes + 7) & ~7;
    const addr = this.top;
    const end = addr + size;
    if (end > this.mem.byteLength && !this.mem.grow(end)) throw new Trap('out of memory');
    this.top = end;
    const i = addr >> 2;
    this.mem.i32[i] = tag;
    this.mem.i32[i + 1] = length;
    return addr;
  }

  newArray(kind: ObjKind, length: number): number {
    if (length < 0) throw new Trap('negative array length');
    const elemBytes = kind === ObjKind.ARR_F ? 8 : 4;
    if (length > 0x7fffffff / elemBytes) throw new Trap('out of memory');
    return this.alloc(HEADER_BYTES + length * elemBytes, kind, length);
  }

  newStruct(index: number, size: number): number {
    return this.alloc(size, ObjKind.STRUCT | (index << 8), 0);
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

  concat(a: number, b: number): number {
    const la = this.mem.i32[(a >> 2) + 1]!;
    const lb = this.mem.i32[(b >> 2) + 1]!;
    if (la + lb > 0x3ffffff0) throw new Trap('out of memory');
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

// String builders: what a loop that builds a string piece by piece runs on.
//
// The lowering (front/append-loops.ts) finds a local `str` variable that a loop
// only ever appends to (`s = s + a + b`, `s += a`, and named nowhere else in the
// loop) and appends each piece with SBAPPEND s, s, piece; at the loop's exit,
// SBSTR s, s. Each `+` of the program copied the whole string so far, so n
// pieces cost O(n^2) code units copied; a builder keeps spare room and doubles
// it when full, O(n).
//
// While the loop runs, the variable's register holds either a string or a
// builder, told apart by the object's kind:
// - a string (or null) while it is short: SBAPPEND is then exactly `+` (the same
//   concatenation, the same null trap), so a loop of a few small appends costs
//   what it did (a builder for words of five letters made `words` 1.6x slower);
// - past SHORT_UNITS code units, a builder: an i32 array (ObjKind.ARR_I: the
//   collector traces nothing in it) whose element 0 counts the code units held,
//   the code units following, two per element.
// SBSTR turns a builder back into a string and leaves a string as it is. A
// builder never escapes its loop, so no program can observe one. The register's
// first value, or a piece, may be a rope (runtime/heap.ts): a string here,
// flattened (heap.flat) where its code units are copied.
// What must stay true: the wasm backend's fast paths (jit/wasm/strings.ts
// sb_append, sb_str) make the same choice at the same length.

import { Trap } from './errors.js';
import { ObjKind, HEADER_BYTES, KIND_MASK, type Heap } from './heap.js';

/** A string this long or shorter is appended to by concatenation. */
export const SHORT_UNITS = 256;
/** A new builder has room for this many times the code units it starts with. */
const ROOM_FACTOR = 2;

/** Byte address of a builder's first code unit. */
function unitsAt(b: number): number { return b + HEADER_BYTES + 4; }

/** Is x (not null) a string, not a builder? A rope (runtime/heap.ts, ropes) is a
 *  string here: only a builder is an i32 array. */
function isString(heap: Heap, x: number): boolean { return (heap.mem.i32[x >> 2]! & KIND_MASK) !== ObjKind.ARR_I; }

/** A new builder with room for `room` code units, holding `used` of them
 *  (uninitialized: the caller copies them in). */
function allocBuilder(heap: Heap, room: number, used: number): number {
  room = Math.min(room, heap.maxStringUnits);   // the string it becomes may be no longer
  if (room > (heap.limit - heap.start) / 2) throw new Trap('out of memory');
  const elements = 1 + Math.ceil(room / 2);
  const b = heap.alloc(HEADER_BYTES + elements * 4, ObjKind.ARR_I, elements);
  heap.mem.i32[(b >> 2) + 2] = used;
  return b;
}

/** The code units b (a string, a rope or a builder) holds. */
function heldUnits(heap: Heap, b: number): number {
  return heap.mem.i32[(b >> 2) + (isString(heap, b) ? 1 : 2)]!;
}

/** Copy `n` code units from byte address `from` to byte address `to`. */
function copyUnits(heap: Heap, to: number, from: number, n: number): void {
  heap.mem.u16.copyWithin(to >> 1, from >> 1, (from >> 1) + n);
}

/** SBAPPEND: `b` (a string or a builder, not null) with string `s` (not null)
 *  appended: a string while the result is short, else a builder (b itself while
 *  it has room, or one with twice the room it needs). Both operands are roots
 *  in the caller's frame, so allocating moves neither. */
export function appendTo(heap: Heap, b: number, s: number): number {
  let i32 = heap.mem.i32;
  const len = i32[(s >> 2) + 1]!;
  if (heldUnits(heap, b) + len > heap.maxStringUnits) throw new Trap('out of memory');
  if (isString(heap, b)) {
    const held = i32[(b >> 2) + 1]!;
    if (held + len <= SHORT_UNITS) return heap.concat(b, s);
    // Either may be a rope: its flat string is OLD, so the allocation below
    // moves it no more than the roots b and s.
    b = heap.flat(b); s = heap.flat(s);
    const to = allocBuilder(heap, ROOM_FACTOR * (held + len), held);
    copyUnits(heap, unitsAt(to), b + HEADER_BYTES, held);
    return appendRoom(heap, to, s, len);
  }
  s = heap.flat(s); i32 = heap.mem.i32;
  const used = i32[(b >> 2) + 2]!, room = (i32[(b >> 2) + 1]! - 1) * 2;
  if (used + len <= room) return appendRoom(heap, b, s, len);
  const to = allocBuilder(heap, ROOM_FACTOR * (used + len), used);
  copyUnits(heap, unitsAt(to), unitsAt(b), used);
  return appendRoom(heap, to, s, len);
}

/** Append string s (`len` code units) to builder b, which has the room. */
function appendRoom(heap: Heap, b: number, s: number, len: number): number {
  const w = (b >> 2) + 2, used = heap.mem.i32[w]!;
  copyUnits(heap, unitsAt(b) + 2 * used, s + HEADER_BYTES, len);
  heap.mem.i32[w] = used + len;
  return b;
}

/** SBSTR: the string `b` holds (a string, a rope or null: itself). */
export function stringOf(heap: Heap, b: number): number {
  if (b === 0 || isString(heap, b)) return b;
  const used = heap.mem.i32[(b >> 2) + 2]!;
  const r = heap.alloc(HEADER_BYTES + used * 2, ObjKind.STR, used);
  copyUnits(heap, r + HEADER_BYTES, unitsAt(b), used);
  return r;
}

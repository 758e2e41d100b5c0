// The frame stack's segments: where frames go once the first segment is full.
//
// Every tier's frames live on one frame stack in linear memory (frames.ts). Its
// first segment sits below the heap (runtime.ts, the memory layout) and is an
// eighth of the stack size, at most FIRST_SEGMENT_BYTES, so a program that
// never recurses deeply has a linear memory the size of its heap, not of its
// heap plus the full stack (8 MiB by default) it might use. (A small stack size
// thus has segments at a shallow depth: the tests use that.)
//
// A call whose frame does not fit in the current segment runs in the next one:
// the runtime copies the frame's header and arguments there and runs it in the
// interpreter (Runtime.callInNextSegment), exactly as it runs a frame past the
// host-stack budget. A host entry (an extern calling back into the guest) that
// does not fit has its frame written at the next segment's start and runs there
// (Runtime.entryFp, embed/instance.ts runEntry). Its header names its caller in the segment before, so the
// frame chain (stack traces, the collector's root walk, returns) runs through
// the segments unchanged. What must stay true:
// - Segments past the first are heap blocks (f64 arrays, so the collector never
//   traces their contents: the frame walk finds their roots), made OLD and
//   never moved, and roots themselves (forEachRoot) for as long as they exist.
//   They are the stack's memory, not the heap's: the heap's limit moves up by
//   each one made (Heap.newStackSegment), within memory the runtime reserved
//   for them (segmentsReserveBytes), so the heap limit and the stack size are
//   two separate budgets (a deep recursion under a 1 MiB heap overflows the
//   stack, not the heap).
//   Each block ends with the same slack as the first segment (STACK_SLACK_SLOTS
//   in runtime.ts: inlined leaf frames unchecked against the end may reach
//   into it), so no frame ever writes into the block after it.
// - Each is twice the last one's size (at least the frame that needs it), and
//   all of them together never exceed the stack size asked for: a recursion
//   overflows at the depth one stack of that size gives, less the unused tail
//   of each segment, and at the same frame in every tier (every tier moves to
//   the next segment at the same call, the first whose frame does not fit).
// - A segment once made is kept (until the runtime is dropped): a call that
//   crosses a boundary in a loop reuses it rather than allocating each time.
// - Making one never collects: the frame that needs it is not yet anywhere the
//   collector looks (its arguments are in the caller's call area).

import type { Heap } from './heap.js';
import { Trap, STACK_OVERFLOW } from './errors.js';

/** The first segment: ~8,000 frames of a 6-register function (a frame is 16
 *  bytes of header and 8 per register), most of Node's own recursion depth on
 *  its default host stack; deeper recursion goes on in further segments. Small
 *  next to the heaps that make memory matter. */
export const FIRST_SEGMENT_BYTES = 512 << 10;

/** Slots of the first segment for a stack of `totalSlots`. */
export function firstSegmentSlots(totalSlots: number): number {
  return Math.max(Math.min(totalSlots, 64), Math.min(totalSlots >> 3, FIRST_SEGMENT_BYTES / 8));
}

/** Bytes the segments past the first can take in all, of a stack of
 *  `totalSlots` whose first segment has `firstSlots` (each segment twice the
 *  last, or the rest): their slots, and each block's header and `slack`. */
export function segmentsReserveBytes(totalSlots: number, firstSlots: number, slack: number, headerBytes: number): number {
  let blocks = 0;
  for (let made = firstSlots, last = firstSlots; made < totalSlots; blocks++) {
    const size = Math.min(2 * last, totalSlots - made);
    made += size;
    last = size;
  }
  // A segment made larger than twice the last (for a frame bigger than that)
  // leaves fewer blocks, not more; one more for the rounding of the last.
  return (totalSlots - firstSlots) * 8 + (blocks + 1) * (slack * 8 + headerBytes + 8);
}

export class FrameStack {
  /** Heap address, first slot and end slot of each segment past the first. */
  private readonly blocks: number[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Segments entered past the first (0: frames are in the first segment). */
  private depth = 0;
  /** Slots in all segments made so far, the first included. */
  private madeSlots: number;
  private lastSlots: number;

  /** `slack`: slots past each segment's end that no frame is checked
   *  against (runtime.ts, STACK_SLACK_SLOTS), so each block has them too. */
  constructor(private readonly heap: Heap, private readonly totalSlots: number, firstSlots: number,
              private readonly slack: number) {
    this.madeSlots = this.lastSlots = firstSlots;
  }

  /** The first slot of the next segment, for a frame of `slots` slots (header
   *  included), making the segment if it does not exist yet (enter() then moves
   *  into it). Traps `stack overflow` when the stack's total size leaves no room
   *  for it, `out of memory` when the heap has none. May grow the memory (views
   *  must be re-read). */
  next(slots: number): number {
    const k = this.depth;
    if (k === this.blocks.length) this.make(slots);
    if (this.ends[k]! - this.starts[k]! < slots) throw new Trap(STACK_OVERFLOW);
    return this.starts[k]!;
  }

  /** Move into the segment next() gave. */
  enter(): void { this.depth++; }

  /** End of the segment entered last (a frame must end at or below it). */
  get end(): number { return this.ends[this.depth - 1]!; }

  /** Back to the segment before. */
  leave(): void { this.depth--; }

  /** Visit every segment's block: they are roots for as long as they exist. */
  forEachBlock(visit: (addr: number) => void): void {
    for (const a of this.blocks) visit(a);
  }

  private make(slots: number): void {
    const left = this.totalSlots - this.madeSlots;
    const size = Math.max(slots, Math.min(2 * this.lastSlots, left));
    if (size > left) throw new Trap(STACK_OVERFLOW);
    const addr = this.heap.newStackSegment(size + this.slack);
    if (addr === 0) throw new Trap('out of memory');
    this.blocks.push(addr);
    // An f64 array's elements start after its 8-byte header: slot-aligned.
    this.starts.push((addr >> 3) + 1);
    this.ends.push((addr >> 3) + 1 + size);
    this.madeSlots += size;
    this.lastSlots = size;
  }
}

// The embedding's references into the guest heap: GC roots held by the host.
//
// Two kinds of holder, both visited as roots by Runtime.forEachRoot (gc.ts's
// RootSource) for as long as they hold:
//   - handle slots, one per guest object the embedder keeps (the API's GuestRef):
//     hold() gives a slot, release() frees it for reuse;
//   - a stack of temporaries, for host code that allocates several objects in a
//     row (a call's string arguments, main's [str]): push() each one, and pop()
//     or truncate() once they are reachable from a frame or object.
// A free slot holds 0, which every root visitor skips.
//
// What must stay true: an address is in a slot only while the object it names is
// live (the collector never frees a held object, and a slot is cleared before
// its number is reused); slot numbers never leave the embedding layer as numbers
// the host could forge (the API wraps them).

export class HandleTable {
  private readonly slots: number[] = [];
  private readonly free: number[] = [];
  private readonly stack: number[] = [];
  private held = 0;

  /** A slot holding addr (a GC root until released). */
  hold(addr: number): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.slots.push(0) - 1;
    this.slots[slot] = addr;
    this.held++;
    return slot;
  }

  /** The address held in slot (0 if it is free). */
  addr(slot: number): number { return this.slots[slot]!; }

  release(slot: number): void {
    if (this.slots[slot] === 0) return;
    this.slots[slot] = 0;
    this.free.push(slot);
    this.held--;
  }

  /** Slots holding an object now. */
  get size(): number { return this.held; }

  /** Hold addr as a temporary root (for host code between allocations). */
  push(addr: number): void { this.stack.push(addr); }
  pop(): void { this.stack.pop(); }
  /** Temporaries held now; truncate(depth) drops those pushed since. */
  get depth(): number { return this.stack.length; }
  truncate(depth: number): void {
    // Setting an array's length is a runtime call in V8 (about 25 ns), paid by
    // every host call when written unconditionally; most calls pushed nothing.
    if (this.stack.length > depth) this.stack.length = depth;
  }

  /** Every held address (temporaries too), and 0 for free slots. */
  *[Symbol.iterator](): IterableIterator<number> {
    yield* this.slots;
    yield* this.stack;
  }
}

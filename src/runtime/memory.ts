// The one linear memory of a VM instance, and the typed views every tier reads.
//
// A WebAssembly.Memory where the host has WebAssembly (so compiled wasm code can
// import the very same bytes), a plain ArrayBuffer otherwise. Growing replaces the
// buffer: every holder of a view must re-read i32/f64/u16/u8 after anything that
// can allocate. `generation` counts growths so holders can tell cheaply.

const PAGE = 65536;
/** See Memory.grow: a WebAssembly memory grows to at most this past the request,
 *  or GROW_SLACK_SHIFT's share of its size if that is more. */
const WASM_GROW_MAX = 256 << 10;
/** A WebAssembly memory grows at least 1/8 of its size past the request once
 *  that is more than WASM_GROW_MAX (2 MiB and up): each growth costs about the
 *  same however large it is (0.3-0.8 ms in V8), and V8 counts the whole memory
 *  again as external memory each time its buffer is taken after a growth, so
 *  about every second growth starts a full collection of the JavaScript heap
 *  ("external memory pressure", 1-5 ms each). The number of growths must stay
 *  logarithmic in the size, with a large base: growing to 2 GB in 256 KiB
 *  steps took 6,000 growths and 10.6 of frag's 24.9 s at 1 GB live; with 1/32
 *  (and 1/128 past the cap) frag at 100 MB live still grew 186 times and ran
 *  66 of V8's full collections, with 1/8 and 1/16 55 times and 18. */
const GROW_SLACK_SHIFT = 3;
/** Past the soft cap (Memory.grow), the slack is at most WASM_GROW_MAX or a
 *  16th of the memory, whichever is more (the promotions of a minor collection
 *  that must go past the cap grew the memory 256 KiB at a time); below it,
 *  never past it. */
const PAST_CAP_SLACK_SHIFT = 4;

/** Linear memory never reaches 2^31 bytes: every address is a non-negative i32,
 *  which the interpreter and the JS backend index with signed shifts (`a >> 2`)
 *  and every tier compares as signed. The heap limit is cut to fit (a program
 *  that needs more gets `out of memory`); options are validated against it. */
export const MAX_MEMORY_BYTES = 2 ** 31 - PAGE;

/** True when this host can create WebAssembly memories (false under --jitless). */
export function hostHasWasmMemory(): boolean {
  try {
    return typeof WebAssembly === 'object' && new WebAssembly.Memory({ initial: 1, maximum: 1 }).buffer.byteLength === PAGE;
  } catch {
    return false;
  }
}

export class Memory {
  buffer!: ArrayBuffer;
  i32!: Int32Array;
  f64!: Float64Array;
  u16!: Uint16Array;
  u8!: Uint8Array;
  generation = 0;
  readonly wasm: WebAssembly.Memory | null;

  readonly maxBytes: number;

  /** `maxBytes` is a hard ceiling (cut to MAX_MEMORY_BYTES); grow() refuses to pass it. */
  constructor(initialBytes: number, maxBytes: number, useWasm: boolean) {
    this.maxBytes = Math.min(maxBytes, MAX_MEMORY_BYTES);
    if (initialBytes > this.maxBytes) throw new RangeError(`linear memory of ${initialBytes} bytes exceeds the ${MAX_MEMORY_BYTES}-byte limit`);
    const initialPages = Math.ceil(initialBytes / PAGE);
    const maxPages = Math.ceil(this.maxBytes / PAGE);
    this.wasm = useWasm ? new WebAssembly.Memory({ initial: initialPages, maximum: maxPages }) : null;
    this.setBuffer(this.wasm ? this.wasm.buffer : new ArrayBuffer(initialPages * PAGE));
  }

  get byteLength(): number { return this.buffer.byteLength; }

  /** Grow to at least `bytes`, capped at maxBytes; false if that is over the cap.
   *  A WebAssembly memory grows in place (its address range is reserved up
   *  front), so it grows by an eighth, at most WASM_GROW_MAX or an eighth of its
   *  size (GROW_SLACK_SHIFT), whichever is more, past what was asked: the
   *  memory's size stays near what the heap uses (doubling left words' 19 MB
   *  live set in 72 MB; an eighth of binary-trees' 34 MB was 3.6 MB never
   *  used), and the growths stay few. A plain ArrayBuffer is copied to grow,
   *  so it doubles: each byte is copied O(1) times on average. A WebAssembly
   *  memory's slack never goes past `softCap` (the size the collector lets
   *  the memory reach before a full collection, Heap.growCap) when the request
   *  does not, and a request past it gets at most a 16th of the memory's
   *  size: the slack itself never makes the memory larger than the collector's
   *  policy (binary-trees ended 0.1-1% over twice its live set by the slack
   *  alone). */
  grow(bytes: number, softCap = this.maxBytes): boolean {
    if (bytes <= this.byteLength) return true;
    if (bytes > this.maxBytes) return false;
    let step = this.byteLength * 2;
    if (this.wasm) {
      step = Math.min(this.byteLength + (this.byteLength >> 3), bytes + Math.max(WASM_GROW_MAX, this.byteLength >>> GROW_SLACK_SHIFT));
      step = Math.min(step, bytes <= softCap ? softCap : bytes + Math.max(WASM_GROW_MAX, this.byteLength >>> PAST_CAP_SLACK_SHIFT));
    }
    const target = Math.min(Math.max(bytes, step), this.maxBytes);
    // Whole pages; not past softCap unless the request itself is.
    const pages = bytes <= softCap ? Math.max(Math.ceil(bytes / PAGE), Math.floor(target / PAGE)) : Math.ceil(target / PAGE);
    try {
      if (this.wasm) {
        this.wasm.grow(pages - this.byteLength / PAGE);
        this.setBuffer(this.wasm.buffer);
      } else {
        const next = new ArrayBuffer(pages * PAGE);
        new Uint8Array(next).set(this.u8);
        this.setBuffer(next);
      }
    } catch {
      return false;   // the host refused the memory: the caller reports out of memory
    }
    return true;
  }

  private setBuffer(buf: ArrayBuffer): void {
    this.buffer = buf;
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
    this.u16 = new Uint16Array(buf);
    this.u8 = new Uint8Array(buf);
    this.generation++;
  }
}

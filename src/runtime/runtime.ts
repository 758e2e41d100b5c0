// One VM instance's run-time state, shared by every tier.
//
// Linear memory layout (byte addresses; a slot is 8 bytes):
//
//   0         8          16         24         32         40                   stackStart          stackEnd       heapStart        end
//   | cells   | scratch  | alloc    | host     | counts   | globals (8 B each)  | frame stack  ->   | slack | heap blocks -> |
//
// The cells are registers shared by every tier: word 0 is the innermost frame
// pointer published before anything that may allocate or trap in a helper
// (TOP_FP_WORD; -1 when no frame runs), word 1 that frame's bytecode position
// (TOP_PC_WORD). The scratch slot receives results that cross to the host. The
// alloc slot holds the allocation window, cursor and limit (heap.ts). The host
// slot holds HOST_LIMIT_WORD, the host-stack budget (see below), and FUEL_WORD,
// the fuel counter every tier decrements at calls and loop back-edges (limits.ts).
// The counts slot holds CALLS_WORD, the calls compiled code made, counted only
// while tier events are on (tier-events.ts, crossings), and OSR_BUDGET_WORD, the
// back-edges OSR code may take before it leaves its loop to be entered again
// (osr.ts).
//
// The host-stack budget: compiled code recurses on the host's stack (a wasm or JS
// call per guest call), the interpreter does not. So that every tier reaches the
// same recursion depth on any thread, compiled code may use host stack only up to
// a budget, counted in frame-stack slots: a compiled function whose frame would
// end past HOST_LIMIT_WORD (a frame-stack slot index) runs in the interpreter
// instead, and so does everything it calls; the interpreter enters compiled code
// only for frames below the limit. Each crossing from compiled code into the
// interpreter (a c2i adapter, or that fallback) lowers the limit while it lasts,
// since it uses host stack of its own. Past the budget a program runs slower, never overflows the host.
// Where compiled code reaches the limit, the budget may grow (growHostLimit):
// the host stack left above that frame is measured, not assumed
// (host-stack.ts), and the limit rises as far as that holds the costliest
// compiled frames, so deep recursion stays compiled about as far as this
// thread's stack really allows.
// Address 0 is also null: no object ever lives below the heap.
//
// The frame stack here is its first segment; frames that do not fit in it go on
// in segments taken from the heap (frame-stack.ts), so the linear memory does
// not hold the whole stack size from the start.
//
// The slack (STACK_SLACK_SLOTS) past the end of every frame-stack segment is used
// by nothing but the frames of leaf bodies that compiled code inlined near the
// end: their frames are not checked against it (only their caller's is), and a
// slow path in one (a trap, a fuel poll) writes its header, which must not land
// in a heap block then.
//
// Frames grow upward. A frame pointer fp is a slot index; the frame's registers are
// slots fp+0.. and its header is the HEADER_SLOTS slots below fp (frames.ts).
// A host entry writes a header whose caller frame pointer is `hostCallerFp` and
// whose result register is -1: returning through it hands the value to the host.
// An extern calling back into the guest (the embedding API, re-entry) therefore
// gets its frames above the extern's caller (`sp`), linked to it: the frame
// chain, stack traces, the collector's root walk and the frame-stack limit see
// one stack through every level. The handle table (handles.ts) holds what the
// embedding keeps of the guest heap; forEachRoot visits it.
//
// Function records: counters[2f] counts invocations of function f, counters[2f+1]
// its loop back-edges; every tier keeps them up to date (tiering reads them).
// crossings[f] counts the calls f's interpreted frames made into compiled code.

import { HEADER_SLOTS, Kind, Op, instrLength } from '../bytecode/opcodes.js';
import { TO_HOST, Hdr, headerAt, frameFn, callerFpOf, resumePcOf, pushFrame } from './frames.js';
import type { BcModule } from '../bytecode/module.js';
import { codeImage, argLists } from '../bytecode/code-image.js';
import { unfuseRuns } from '../bytecode/fuse.js';
import { Memory, MAX_MEMORY_BYTES } from './memory.js';
import { Heap, HEADER_BYTES, ObjKind, ROPE_MIN, ROPE_BYTES } from './heap.js';
import { GarbageCollector, type RootSource } from './gc.js';
import { buildGcMap, type GcMap } from './gcmaps.js';
import { Output } from './output.js';
import type { LineInput } from './input.js';
import { Trap, STACK_OVERFLOW, stackOverflowAt } from './errors.js';
import type { Tiering } from './tiering.js';
import { HandleTable } from './handles.js';
import { Limits, type LimitOptions } from './limits.js';
import { newProfiles, type DeoptReason } from './profile.js';
import { FrameStack, firstSegmentSlots, segmentsReserveBytes } from './frame-stack.js';
import { hostStackLeft } from './host-stack.js';

export { FUEL_WORD } from './limits.js';

/** An extern's implementation. Its parameters are `any[]`, not `unknown[]`, so
 *  that a function typed for its extern, `(x: number) => number`, is one under
 *  TypeScript's `strict`; the values it gets are as docs/embedding.md says. */
export type HostFunction = (...args: any[]) => unknown;

export interface RuntimeOptions {
  maxHeapBytes: number;
  stackBytes: number;
  stdout: (text: string) => void;
  /** Flush program output at a write this many ms after the last flush (0: only
   *  when the buffer is large, output.ts). */
  flushMs: number;
  /** Flush program output at every write that ends a line (a terminal). */
  lineBuffered: boolean;
  /** Standard input for read_line(). */
  stdin: LineInput;
  externs: Record<string, HostFunction>;
  useWasmMemory: boolean;
  gcStress: boolean;
  verifyHeap: boolean;
  /** Every concatenation of two non-empty strings makes a rope (debug). */
  ropeStress?: boolean;
  /** OSR code with exits leaves at every back-edge to its header (debug, osr.ts). */
  osrExitStress?: boolean;
  traceGc: ((line: string) => void) | null;
  /** Fuel, deadline and interrupt flag of the runs on this runtime. */
  limits: LimitOptions;
}

const INITIAL_HEAP = 1 << 20;
/** i32 index of the published innermost frame pointer. */
export const TOP_FP_WORD = 0;
/** i32 index of the published bytecode position in that frame. */
export const TOP_PC_WORD = 1;
/** Slot receiving results handed to the host. */
export const SCRATCH_SLOT = 1;
/** The longest line read_line() reads (64 Mi code units, 128 MB as a string):
 *  past it, or past what the heap could hold, input without a line end is
 *  `out of memory` (host strings stop near 2^29 units; `< /dev/zero` must end). */
export const MAX_INPUT_LINE_UNITS = 1 << 26;
/** i32 index of the host-stack limit: compiled frames end at or below this slot. */
export const HOST_LIMIT_WORD = 6;
/** The most host stack growHostLimit measures (bytes). */
const MAX_HOST_STACK_ASKED = 16 * 1024 * 1024;
/** Slots between the frame stack's end and the heap (see above): an inlined
 *  leaf body's frame of at most this many slots, header included, past a frame
 *  that fits, still lies outside the heap. */
export const STACK_SLACK_SLOTS = 128;
/** i32 index of the count of calls compiled code made (inlined ones included),
 *  kept only while tier events are on (the lowerings' `countCalls`). */
export const CALLS_WORD = 8;
/** i32 index of the budget of an OSR entry with exits (osr.ts): back-edges
 *  before it leaves; -1 - the pc of the loop header it left at, once it left. */
export const OSR_BUDGET_WORD = 9;

/** How the interpreter is entered on a frame already pushed (interp/run):
 *  HOST     a host entry (the embedding API): the frame runs as it is;
 *  CROSSING compiled code called an interpreted function (the c2i crossing):
 *           the call is counted for tiering (if that makes the function
 *           compiled, its compiled code runs), and the host-stack limit is
 *           lowered while it runs (the crossing uses host stack of its own);
 *  RESUME   a compiled frame continues in the interpreter (past the host-stack
 *           limit, or deoptimized at a position): the limit lowered likewise,
 *           and interpreted even though the function is compiled;
 *  (The generated c2i adapters enter the loop itself instead: AdapterEntry.)
 *  Lowered, the limit is restored when the frame returns; an exception leaves
 *  the guest code of the host entry, whose boundary (embed/instance.ts)
 *  restores the limit it was entered with, the only one guest code can go on
 *  with (no try/finally: it cost about 4 ns of a 35 ns crossing). */
export const enum InterpEntry { HOST = 0, CROSSING = 1, RESUME = 2 }

/** The interpreter's entry for compiled code of one function (an i2c adapter):
 *  writes the header of the callee's frame at calleeFp (fn, callerFp, resumePc:
 *  frames.ts, pushCompiledFrame; its arguments are in its slots already), runs
 *  it and stores its result at byte address dstAddr. The wasm adapters write
 *  the three words for a fraction of what the interpreter's stores cost.
 *  args: 0 (the arguments are in the callee's slots), or the byte address of
 *  the call's argument list (argListAt): only the wasm backend's generated
 *  adapter gets one. */
export type CompiledEntry = (calleeFp: number, dstAddr: number, fn: number, callerFp: number, resumePc: number, args: number) => void;

/** The interpreter's entry for a listed call of compiled code (the wasm
 *  backend's generated `i2cl` adapter): does what a CompiledEntry does for the
 *  call whose argument list (bytecode/code-image.ts, ArgLists) is at byte
 *  address `list`, made by the frame at callerFp: the list holds the callee,
 *  where its frame and its result go and the resume position, so the call
 *  passes two values instead of six (V8's JS -> wasm call passes a sixth on
 *  the stack). */
export type ListedEntry = (callerFp: number, list: number) => void;

/** The interpreter's entry (interp/interpreter.ts, interpreterFor): runs the
 *  frame already pushed at fp, entered as `entry` says, from position startPc
 *  (RESUME; 0 otherwise). Compiled code's c2i adapters call it as
 *  (fp, InterpEntry.CROSSING, 0): every argument an i32, so the wasm-to-JS
 *  call reaches it directly. */
export type InterpretFrame = (fp: number, entry: InterpEntry, startPc: number) => void;

/** The generated c2i adapters' way in (wasm, and the JS backend's alike):
 *  the interpreter's loop itself (interpreter.ts, slice), with no run()
 *  between. An adapter has written the
 *  frame at fp (header RETURN_AT = TO_HOST, arguments in its slots),
 *  lowered the host-stack limit and calls `enter(fp, ADAPTER_PC)` (two i32
 *  arguments, the loop's arity, so the wasm-to-JS wrapper calls it
 *  directly): the call is counted for tiering (a safepoint: if that makes the
 *  function compiled, its compiled code runs), and the frame runs from its
 *  first instruction. `enter` returns ADAPTER_DONE when the frame returned
 *  (its raw result in the scratch slot); else its slice of steps ended, and
 *  the adapter calls `resume(pos)`, which runs the rest. The adapter then
 *  gives the limit back and publishes the caller's frame again (in wasm two
 *  stores and a load, a fraction of what they cost in run()). */
export interface AdapterEntry {
  enter(fp: number, pc: number): number;
  resume(pos: number): void;
}
/** `pc` of AdapterEntry.enter; what it returns when the frame returned. */
export const ADAPTER_PC = -1, ADAPTER_DONE = -1;

export class Runtime implements RootSource {
  readonly mem: Memory;
  readonly heap: Heap;
  readonly gc: GarbageCollector;
  /** Live reference registers at each safepoint, per function (gcmaps.ts). */
  readonly gcMaps: GcMap[];
  readonly structRefOffsets: Int32Array[];
  /** References the embedding holds (GC roots): its handles, and temporaries
   *  pushed across allocations (handles.ts). */
  readonly handles = new HandleTable();
  /** An exception a nested host entry (the embedding API) is throwing back out
   *  through the extern that entered it: that extern's boundary (externs.ts)
   *  throws `carrier` on, rather than wrapping `value` again with a shorter
   *  trace. Set by the embedding API. */
  escaping: { readonly value: unknown; readonly carrier: unknown } | null = null;
  readonly out: Output;
  /** OSR code with exits leaves at every back-edge to its header (osr.ts). */
  readonly osrExitStress: boolean;
  /** Times OSR code left its loop and was entered again (osr.ts). */
  osrExits = 0;
  readonly codes: Int32Array[];
  /** The interpreter's copy of every function's code (bytecode/code-image.ts)
   *  and where each function's starts in it. */
  readonly codeImage: Int32Array;
  readonly codeBases: Int32Array;
  /** Argument lists (bytecode/code-image.ts, ArgLists), in linear memory
   *  between the globals and the frame stack: per image position of a run
   *  of argument moves that has one, its list's byte address (0: none), and
   *  at the next two its CALL's position and the callee. All 0 unless the compiled
   *  entries read lists (the wasm backend's generated i2c adapter: the
   *  embedding clears them otherwise). */
  readonly argListAt: Int32Array;
  readonly frameSizes: Int32Array;
  /** Result kind per function (0: none). */
  readonly retKinds: Uint8Array;
  readonly counters: Int32Array;
  /** Per function: calls its interpreted frames made into compiled code (i2c
   *  crossings). They count toward its compile like calls of its own (see
   *  tiering.ts): a function run rarely whose callees do the work is compiled
   *  once its crossings are many, not after its own calls are. */
  readonly crossings: Int32Array;
  readonly f64Consts: Float64Array;
  readonly strAddrs: Int32Array;
  readonly externs: HostFunction[];
  readonly globalsSlot = 5;
  /** Compiled entry per function (null: interpret it). Written only by a backend,
   *  through the tiering policy. */
  readonly entries: (CompiledEntry | null)[];
  /** Per function: its listed entry (ListedEntry) when it is compiled and the
   *  backend has one (the wasm backend's generated adapters), else null. Set
   *  with entries[f]. */
  readonly listedEntries: (ListedEntry | null)[];
  /** Runs an interpreted frame already pushed at fp until it returns, from
   *  position startPc (set by the embedding; compiled code deoptimizes into
   *  it, and its c2i adapters call it directly). The raw result is in the
   *  scratch slot (resultI / resultF): an f64 crosses back to compiled code
   *  through memory, never as a (boxed) JS number. */
  interpretFrame: InterpretFrame = () => { throw new Error('no interpreter'); };
  /** The generated c2i adapters' entry into the interpreter's loop (set with
   *  interpretFrame). */
  adapterEntry: AdapterEntry = { enter: () => { throw new Error('no interpreter'); }, resume: () => {} };
  /** What the interpreter observed of each function, for tier 2 (profile.ts). */
  readonly profiles: Int32Array[];
  /** The same profiles as one array, laid out as the code image. */
  readonly profileImage: Int32Array;
  tiering!: Tiering;
  /** Fuel, interrupt and deadline (limits.ts): shared by everything that runs
   *  guest code on this runtime, nested host -> guest calls included. */
  readonly limits: Limits;
  readonly stackStartSlot: number;
  /** End of the frame-stack segment frames now go in (frame-stack.ts): the
   *  first one's, below the heap, or a later one's while a frame runs there. */
  stackEndSlot: number;
  /** The segments past the first. */
  readonly frameStack: FrameStack;
  /** Host entries so far (pushEntryFrame, linkEntryFrame): calls counted in
   *  `counters` that came from the host rather than from a guest call. */
  hostEntries = 0;
  /** First free slot for the next host entry frame. */
  sp: number;
  /** Frame the next host entry links to (-1: none; stack traces stop there). */
  hostCallerFp = -1;
  /** The host-stack budget of compiled code, in frame-stack slots (see above),
   *  and what one crossing into the interpreter or the host costs of it. Set by
   *  the embedding for the backend in use (config.ts HOST_STACK). */
  hostStackSlots = 0;
  crossingSlots = 0;
  /** How the budget grows where it runs out (growHostLimit): by what the host
   *  stack left holds at bytesPerSlot (the costliest compiled frames' rate)
   *  after `reserve` bytes, when that is at least `slots`, at most `times` in
   *  an outermost entry, from the `after`th time compiled code reaches the
   *  limit in it; null: the budget is fixed (a host that cannot be asked, or
   *  a budget given as an option). Set by the embedding (config.ts
   *  HOST_STACK). */
  hostGrowth: { slots: number; bytesPerSlot: number; reserve: number; times: number; after: number } | null = null;
  /** Growths left in this outermost entry (0 once too little stack was left). */
  private growthsLeft = 0;
  /** Times compiled code reached the limit in this outermost entry. */
  private limitHits = 0;
  /** No compiled entry reads argument lists (not the wasm backend's generated
   *  i2c): none is used, and the interpreter runs the runs' calls as the
   *  fixed superinstructions (fuse.ts, unfuseRuns). Before the first run. */
  dropArgLists(): void {
    this.argListAt.fill(0);
    unfuseRuns(this.codeImage);
  }

  /** Result of the last function that returned to the host (raw i32 or f64):
   *  the scratch slot, where every tier leaves it (nothing else to store). */
  get resultI(): number { return this.mem.i32[SCRATCH_SLOT << 1]!; }
  get resultF(): number { return this.mem.f64[SCRATCH_SLOT]!; }

  constructor(readonly mod: BcModule, private readonly opts: RuntimeOptions) {
    const image = codeImage(mod.functions.map((f) => f.code));
    const lists = argLists(image, mod.functions.map((f) => f.params), mod.functions.map((f) => f.regKinds.length), HEADER_SLOTS, (this.globalsSlot + mod.globals.length) << 3,
      [Op.MOVI_MOVES_CALL, Op.MOVR_MOVES_CALL, Op.MOVF_MOVES_CALL], [Op.MOVI, Op.MOVR, Op.MOVF], Op.CALL);
    const listsSlot = this.globalsSlot + mod.globals.length;
    this.stackStartSlot = align(listsSlot + ((lists.words.length + 1) >> 1), 2);
    const stackSlots = Math.max(64, Math.floor(opts.stackBytes / 8));
    const firstSlots = firstSegmentSlots(stackSlots);
    this.stackEndSlot = this.stackStartSlot + firstSlots;
    const heapStart = (this.stackEndSlot + STACK_SLACK_SLOTS) * 8;
    // Addresses stay below MAX_MEMORY_BYTES (memory.ts): the heap ends there at most.
    const heapLimit = Math.min(heapStart + opts.maxHeapBytes, MAX_MEMORY_BYTES);
    // The memory may also hold the stack's further segments (frame-stack.ts),
    // which do not count against the heap's limit.
    const memoryMax = heapLimit + segmentsReserveBytes(stackSlots, firstSlots, STACK_SLACK_SLOTS, HEADER_BYTES);
    this.mem = new Memory(Math.min(heapLimit, heapStart + INITIAL_HEAP), memoryMax, opts.useWasmMemory);
    this.limits = new Limits(this.mem, opts.limits);
    this.heap = new Heap(this.mem, heapStart, heapLimit);
    this.frameStack = new FrameStack(this.heap, stackSlots, firstSlots, STACK_SLACK_SLOTS);
    opts.stdin.maxLineUnits = Math.min(MAX_INPUT_LINE_UNITS, Math.floor((heapLimit - heapStart) / 2));
    // The rope struct type (heap.ts, ropes) follows the program's structs.
    this.heap.structSizes = Int32Array.from([...mod.structs.map((s) => s.size), ROPE_BYTES]);
    this.structRefOffsets = [...mod.structs.map((s) => Int32Array.from(s.fields.filter((f) => f.kind === Kind.R), (f) => f.offset)),
      Int32Array.of(8, 12)];
    this.heap.ropeIndex = mod.structs.length;
    this.heap.ropeMin = opts.ropeStress ? 1 : ROPE_MIN;
    this.osrExitStress = opts.osrExitStress ?? false;
    this.gcMaps = mod.functions.map((f) => buildGcMap(mod, f));
    this.gc = new GarbageCollector(this.heap, this, { stress: opts.gcStress, verify: opts.verifyHeap, trace: opts.traceGc });
    this.out = new Output(opts.stdout, opts.flushMs, opts.lineBuffered);
    this.codes = mod.functions.map((f) => f.code);
    this.frameSizes = Int32Array.from(mod.functions, (f) => f.regKinds.length);
    this.retKinds = Uint8Array.from(mod.functions, (f) => f.ret ?? 0);
    this.counters = new Int32Array(mod.functions.length * 2);
    this.crossings = new Int32Array(mod.functions.length);
    this.codeImage = image.code;
    this.codeBases = image.bases;
    this.mem.i32.set(lists.words, listsSlot << 1);
    this.argListAt = lists.at;
    const profiles = newProfiles(this.codes, image.bases, image.code.length);
    this.profiles = profiles.perFn;
    this.profileImage = profiles.all;
    this.f64Consts = Float64Array.from(mod.f64Consts);
    this.strAddrs = new Int32Array(mod.strConsts.length);
    mod.strConsts.forEach((s, i) => { this.strAddrs[i] = this.heap.newString(s); });
    this.heap.initCharCache();
    this.heap.collector = this.gc;
    // The window the constants were allocated in was opened with no collector
    // to size it: retired, so the next allocation asks the collector (under
    // --gc-stress, it collects from the program's first allocation on).
    this.heap.retireWindow();
    // From here on, a deadline or an interrupt request is seen before costly
    // work of the heap too, not only at polls (limits.ts).
    if (this.limits.timed) this.heap.costly = () => this.limits.costly();
    this.externs = mod.externs.map((e) => opts.externs[e.name]!);
    this.sp = this.stackStartSlot;
    this.entries = mod.functions.map(() => null);
    this.listedEntries = mod.functions.map(() => null);
    this.topFp = -1;
  }

  /** read_line(): the next line of input, or null at its end. Program output
   *  written so far goes out first (a prompt appears before the program waits).
   *  The interrupt flag and the deadline are looked at before each piece of
   *  input is asked for, so a source that never ends a line cannot outlast them,
   *  and again when the line is there: a read the host blocks in cannot be cut
   *  short (docs/embedding.md), but the program does not go on past it. */
  readLine(): string | null {
    this.out.flush(false);
    if (!this.limits.metered) return this.opts.stdin.readLine();
    const line = this.opts.stdin.readLine(() => this.limits.checkStop());
    this.limits.checkStop();
    return line;
  }

  /** Innermost frame, published by a tier before anything that may allocate or
   *  call the host (-1: no frame runs). The collector walks frames from here. */
  get topFp(): number { return this.mem.i32[TOP_FP_WORD]!; }
  set topFp(fp: number) { this.mem.i32[TOP_FP_WORD] = fp; }

  /** Write an entry frame for function `fn` at the host stack top; returns its fp.
   *  Arguments are raw values by the callee's parameter kinds. */
  pushEntryFrame(fn: number, args: readonly number[]): number {
    const fp = this.entryFp(fn);
    if (fp < 0) throw new Trap(STACK_OVERFLOW);
    const i32 = this.mem.i32, f64 = this.mem.f64;
    this.writeEntryHeader(fp, fn);
    this.mod.functions[fn]!.params.forEach((k, i) => {
      if (k === Kind.F) f64[fp + i] = args[i]!; else i32[(fp + i) << 1] = args[i]!;
    });
    this.counters[fn << 1] = this.counters[fn << 1]! + 1;
    this.hostEntries++;
    return fp;
  }

  /** The fp of the next host entry frame for `fn`: at the host stack top, or at
   *  the start of the next frame-stack segment when it does not fit in this one
   *  (the entry then runs in that segment: isInNextSegment); -1 when it does not
   *  fit on the frame stack. */
  entryFp(fn: number): number {
    const fp = this.entryTop;
    if (fp + this.frameSizes[fn]! <= this.stackEndSlot) return fp;
    try {
      return this.frameStack.next(HEADER_SLOTS + this.frameSizes[fn]!) + HEADER_SLOTS;
    } catch (e) {
      if (e instanceof Trap) return -1;
      throw e;
    }
  }

  /** Is the host entry frame at fp (from entryFp) at the start of the next
   *  segment rather than at the host stack top? */
  isInNextSegment(fp: number): boolean { return fp !== this.entryTop; }

  /** Where the next host entry frame goes in this segment: the host stack top. */
  get entryTop(): number { return this.sp + HEADER_SLOTS; }

  /** Make the frame at entryFp(fn), its arguments already in its slots, a host
   *  entry of fn: its header, and the call counted like any other call (a hot
   *  function is compiled here, so the entry runs compiled code). */
  linkEntryFrame(fp: number, fn: number): void {
    this.writeEntryHeader(fp, fn);
    this.hostEntries++;
    const calls = this.counters[fn << 1]! + 1;
    this.counters[fn << 1] = calls;
    this.tiering.onCall(fn, calls);
  }

  /** A host entry's header: its caller is the frame that called the host (the
   *  frame stack stays one chain through re-entry), or none. */
  private writeEntryHeader(fp: number, fn: number): void {
    const i32 = this.mem.i32;
    // Resume position: after the CALLX through which the host was reached, if any.
    const resume = this.hostCallerFp >= 0 ? i32[TOP_PC_WORD]! + instrLength(Op.CALLX) : 0;
    pushFrame(i32, fp, fn, this.hostCallerFp, resume, TO_HOST);
  }

  /** Every global back to its zero value (initialisers stopped part way
   *  run again from there). */
  zeroGlobals(): void {
    const start = this.globalsSlot << 1;
    this.mem.i32.fill(0, start, start + (this.mod.globals.length << 1));
  }

  /** Open the whole host-stack budget (at the start of an outermost entry). */
  resetHostLimit(): void {
    this.mem.i32[HOST_LIMIT_WORD] = Math.min(this.stackEndSlot, this.stackStartSlot + this.hostStackSlots);
    this.growthsLeft = this.hostGrowth?.times ?? 0;
    this.limitHits = 0;
  }

  /** A compiled function's frame at fp ends past the host-stack limit: its
   *  arguments are in its slots; run it compiled if the budget can grow to
   *  hold it, else in the interpreter (or report a frame stack overflow, as
   *  a call that does not fit). Returns the raw result. */
  interpretPastHostLimit(fp: number): number {
    const i32 = this.mem.i32;
    const f = frameFn(i32, fp);
    i32[headerAt(fp) + Hdr.RETURN_AT] = TO_HOST;
    const end = fp + this.frameSizes[f]!;
    if (end > this.stackEndSlot) {
      try { this.callInNextSegment(fp, f); } catch (e) { throw e instanceof Trap ? stackOverflowAt(this.mem.i32, fp, e) : e; }
    } else if (this.entries[f] !== null && this.growHostLimit(fp, end)) {
      const callerFp = callerFpOf(i32, fp);
      this.entries[f]!(fp, SCRATCH_SLOT << 3, f, callerFp, resumePcOf(i32, fp), 0);
      this.mem.i32[TOP_FP_WORD] = callerFp;
    } else {
      this.interpretFrame(fp, InterpEntry.RESUME, 0);
    }
    return this.retKinds[f] === Kind.F ? this.resultF : this.resultI;
  }

  //   left := host stack left above here (measured)
  //   limit := end + (left - reserve) / bytesPerSlot - (end - fp)
  /** Compiled code's frame at fp, ending at `end`, is past the limit: raise
   *  the limit as far as the host stack left above this point holds compiled
   *  frames at the costliest rate (bytesPerSlot), after a reserve. The host
   *  is asked (host-stack.ts, hostStackLeft), since what a slot costs depends
   *  on the frames (2-slot frames cost 3-4 times what ordinary ones do a
   *  slot) and what the embedder's own frames below took is unknown. Frames
   *  cheaper than that rate leave stack unused, so the next time the limit
   *  is reached it is asked again: a recursion of ordinary frames grows the
   *  limit 5-10 times, by less each time, about 0.1 ms each: more than a
   *  recursion 10,000 deep gains from it once (a host calling a walk of a
   *  list that long from outside ran it 1.5x slower, 0.6 ms against 0.4), so
   *  the limit grows only once it was reached `after` times in the entry
   *  (ackermann reaches it millions of times). A raised limit
   *  lasts until the outermost entry ends (or until a crossing that lowered
   *  it restores the value it saved, which can only lower it again); once
   *  less than `slots` more fit, growth ends for the entry, so a recursion
   *  that goes up and down across the limit asks at most `times` + 1 times. */
  private growHostLimit(fp: number, end: number): boolean {
    const growth = this.hostGrowth;
    if (growth === null || this.growthsLeft <= 0 || ++this.limitHits < growth.after) return false;
    const i32 = this.mem.i32;
    if (i32[HOST_LIMIT_WORD]! >= this.stackEndSlot) return false;
    this.growthsLeft--;
    const worth = (this.stackEndSlot - fp) * growth.bytesPerSlot + growth.reserve;
    const slots = Math.floor((hostStackLeft(Math.min(worth, MAX_HOST_STACK_ASKED)) - growth.reserve) / growth.bytesPerSlot) - (end - fp);
    if (slots < growth.slots) {
      this.growthsLeft = 0;
      return false;
    }
    const limit = Math.min(this.stackEndSlot, end + slots);
    i32[HOST_LIMIT_WORD] = limit;
    return true;
  }

  /** The frame of `f` at fp (header written, its result register TO_HOST, its
   *  arguments in its first slots) does not fit in the current frame-stack
   *  segment: copy its header and arguments to the start of the next segment
   *  and run it there in the interpreter (frame-stack.ts). Its raw result is
   *  left in resultI / resultF. The host-stack budget left at fp carries over
   *  to the new segment, so its frames may run compiled as they would have. */
  callInNextSegment(fp: number, f: number): void {
    const start = this.frameStack.next(HEADER_SLOTS + this.frameSizes[f]!);
    const nfp = start + HEADER_SLOTS;
    const args = this.mod.functions[f]!.params.length;
    // (Read the view after next(): making the segment may have grown the memory.)
    this.mem.i32.copyWithin(start << 1, (fp - HEADER_SLOTS) << 1, (fp + args) << 1);
    this.inNextSegment(nfp, fp, () => this.interpretFrame(nfp, InterpEntry.RESUME, 0));
  }

  /** Run `body`, whose first frame is at nfp, the start of the next frame-stack
   *  segment (FrameStack.next), with frames going into that segment; the
   *  host-stack budget left at `fromFp` carries over to it. */
  inNextSegment(nfp: number, fromFp: number, body: () => void): void {
    this.frameStack.enter();
    const i32 = this.mem.i32;
    const savedEnd = this.stackEndSlot, savedLimit = i32[HOST_LIMIT_WORD]!;
    this.stackEndSlot = this.frameStack.end;
    i32[HOST_LIMIT_WORD] = Math.min(this.stackEndSlot, nfp + (savedLimit - fromFp));
    try {
      body();
    } finally {
      this.frameStack.leave();
      this.stackEndSlot = savedEnd;
      this.mem.i32[HOST_LIMIT_WORD] = savedLimit;
    }
  }

  /** Deoptimization: tier-2 code of the frame at fp found a guard failed at
   *  position pc and wrote every register of the frame into its slot (the one
   *  frame layout of every tier). The policy counts it (and may invalidate the
   *  code); the interpreter continues the frame at pc until it returns, and its
   *  result (raw i32 or f64) is the compiled function's. Nothing is inlined in
   *  tier 2, so this frame is the only one to continue. */
  deopt(fp: number, pc: number, reason: DeoptReason): number {
    const i32 = this.mem.i32;
    const f = frameFn(i32, fp);
    this.tiering.onDeopt(f, pc, reason);
    i32[headerAt(fp) + Hdr.RETURN_AT] = TO_HOST;
    this.interpretFrame(fp, InterpEntry.RESUME, pc);
    return this.retKinds[f] === Kind.F ? this.resultF : this.resultI;
  }

  /** Allocate a [str] array holding `items` (main's arguments). */
  newStringArray(items: readonly string[]): number {
    const arr = this.heap.newArray(ObjKind.ARR_R, items.length);
    this.handles.push(arr);
    items.forEach((s, i) => {
      const addr = this.heap.newString(s);
      this.mem.i32[((arr + 8) >> 2) + i] = addr;
      this.heap.barrier(arr, i);
    });
    this.handles.pop();
    return arr;
  }

  /** Every GC root: reference globals, string constants, the embedding's handles,
   *  and the live reference registers of every frame from topFp down the caller
   *  chain — the innermost at its published pc, each caller at the resume pc its
   *  callee's header records. */
  forEachRoot(visit: (addr: number) => void): void {
    const i32 = this.mem.i32;
    this.mod.globals.forEach((g, i) => { if (g.kind === Kind.R) visit(i32[(this.globalsSlot + i) << 1]!); });
    for (const a of this.strAddrs) visit(a);
    visit(this.heap.charCache);
    for (const a of this.handles) visit(a);
    this.frameStack.forEachBlock(visit);
    let fp = this.topFp;
    let regs = fp >= 0 ? this.liveRegs(fp, i32[TOP_PC_WORD]!, 'at') : null;
    while (fp >= 0) {
      for (const r of regs!) visit(i32[(fp + r) << 1]!);
      const callerFp = callerFpOf(i32, fp);
      if (callerFp >= 0) regs = this.liveRegs(callerFp, resumePcOf(i32, fp), 'resume');
      fp = callerFp;
    }
  }

  private liveRegs(fp: number, pc: number, key: 'at' | 'resume'): Int32Array {
    const f = frameFn(this.mem.i32, fp);
    const regs = this.gcMaps[f]![key].get(pc);
    if (!regs) throw new Error(`no GC map for ${this.mod.functions[f]!.name} at pc ${pc} (${key})`);
    return regs;
  }
}

function align(n: number, to: number): number { return Math.ceil(n / to) * to; }

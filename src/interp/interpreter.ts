// Tier 0: the bytecode interpreter. Needs no code generation of any kind.
//
// run() executes from an entry frame until that frame returns to the host. A guest
// call pushes a frame on the frame stack in linear memory and stays in this loop:
// no host recursion and no host allocation per call or per arithmetic operation
// (frames, registers and counters all live in typed arrays). Registers of frame fp:
// i32-kind register r is I32[(fp + r) << 1], f64 register r is F64[fp + r].
// The loop itself is slice(): run() does what an entry does (crossing counts,
// the host-stack limit) and calls slice() until the entry frame has returned
// (a generated c2i adapter calls slice() itself, with no run() between: runtime.ts,
// AdapterEntry); a slice stops after SLICE_STEPS steps (weighted) at a loop header or a call, all its
// state in memory but fp and pc, so V8 compiles the loop as a function it
// calls rather than by on-stack replacement (see SLICE_STEPS).
//
// Sums that index a typed array or become pc are written `(x + y) | 0` (a
// shift, as in `(fp + r) << 1`, does the same): V8 then adds without an
// overflow check and deopt exit, where a plain `+` must allow for a result past
// 2^31 (positions and slots never get near it).
//
// The loop is one switch of small cases; how a case ends says what comes next:
//   continue          the next instruction (views unchanged);
//   break             the case may have grown memory (it allocated, or called
//                     compiled code or the host): refresh the views, then go on;
//   break backEdge    a loop back-edge was taken: count it, maybe enter OSR.
// Named steps: publish (the frame and position a helper may trap or collect at),
// pushFrame (frames.ts), storeI32 (a result written through views read
// after the call that made it), hotLoop (the OSR hand-off), refuel (the slow
// path of fuel: runtime/limits.ts).
//
// Fuel, when the run is metered: a step (every CALL/CALLV, every taken
// back-edge) is `--fuel < 0` on a local copy of the cell FUEL_WORD. The copy is
// `parked` (written to the cell) around everything that may run other guest
// code (a compiled callee, an extern, an OSR entry) and read back after it, and
// written back when the loop returns or traps.
//
// Invariants the loop keeps:
// - `fn`, `fp` describe the running frame; `pc` is its next instruction, a
//   position in the code image (bytecode/code-image.ts: every function's code
//   in one array that never changes while the loop runs). Positions that leave
//   the loop (frame headers' resume positions, published positions, fault
//   sites, OSR) are the function's own: pc - bases[fn]. The one exception: a
//   header's RETURN_AT (frames.ts), which only this loop reads, is the image
//   position its return continues the caller at.
// - The entry (runtime.ts, InterpEntry) says what run() does first: a c2i
//   crossing counts the call and lowers the host-stack limit, restored when the
//   entry frame returns (a generated c2i adapter enters slice() at ADAPTER_PC
//   instead: the loop counts the call, the adapter lowers and restores the
//   limit and the published frame itself); whatever returns to the host leaves its raw result in
//   the scratch slot (rt.resultI / rt.resultF read it).
// - A caller's resume position is in the callee's header, so a trap anywhere
//   can rebuild the guest stack trace from memory (errors.ts); so is where the
//   return continues (RETURN_AT: the image position after the call, whose
//   last operand is the result register).
// - counters[2f] counts calls of f, counters[2f+1] loop back-edges in f;
//   crossings[f] the calls f's frames made into compiled code, which count
//   toward f's compile as its own calls do (tiering.ts).
// - `prof` is every profile, laid out as the code image (runtime/profile.ts): when `profiling` (a
//   tier 2 can use it: tiering.optimizing), every conditional jump counts the
//   way it went (written out in each case: a helper function would not always
//   be inlined into this loop); every CALLV whose target is not the first its
//   profile holds notes it (noteTarget: up to four targets).
// - A run of argument moves with an argument list (opcodes.ts SUPER_RUNS,
//   runtime.ts argListAt) whose callee is compiled makes its call itself with
//   the moves left out, through the callee's listed entry (rt.listedEntries:
//   the listed i2c reads the call and its arguments through the list); every
//   other call's arguments are in the callee's slots when it is entered.
// - The switch is exhaustive over Op: a new opcode without a case fails to compile.
// - A superinstruction (opcodes.ts, SUPER_PARTS) runs its parts in order, pc
//   standing at each part's own position while it runs, so traps, back-edges and
//   resume positions are exactly those of the plain instructions.

import { Op, OP_INFO, HEADER_SLOTS as HEADER_SLOTS_IMPORTED, Kind } from '../bytecode/opcodes.js';
import { MATH1_IMPLS, MATH2_IMPLS } from '../bytecode/builtins.js';
import { Trap, GuestFault } from '../runtime/errors.js';
import { arrayKindFor, barrierNeeded, youngRef, KIND_MASK, ObjKind } from '../runtime/heap.js';
import type { Memory } from '../runtime/memory.js';
import * as runtimeCells from '../runtime/runtime.js';
import { type Runtime, type CompiledEntry, type ListedEntry, type InterpretFrame, type AdapterEntry, InterpEntry } from '../runtime/runtime.js';
import type { Limits } from '../runtime/limits.js';
import { Hdr, TO_HOST as TO_HOST_IMPORTED, headerAt, frameFn, callerFpOf, resumePcOf, pushFrame } from '../runtime/frames.js';
import { formatF64, fixed, checkCodePoint, parseF64, f64ToI32 } from '../runtime/builtins.js';
import { callExtern } from '../runtime/externs.js';
import { appendTo, stringOf } from '../runtime/string-builder.js';
import { noteTarget } from '../runtime/profile.js';
import { enterOsr } from '../runtime/osr.js';

// The imported numbers the loop uses, as this module's own constants: V8 reads
// an imported binding through its cell with a hole check at every use, and
// folds a constant of the module a closure's known context holds (compiled ->
// interp: about 2 ns of 27 per crossing).
const HEADER_SLOTS = HEADER_SLOTS_IMPORTED, TO_HOST = TO_HOST_IMPORTED;
const { TOP_FP_WORD, TOP_PC_WORD, SCRATCH_SLOT, HOST_LIMIT_WORD, FUEL_WORD } = runtimeCells;

export { GuestFault };

/** Run function fn, whose frame is at fp, through its compiled entry; the result
 *  goes to the host (the scratch slot) as if the frame had returned. */
function runCompiled(rt: Runtime, fn: number, fp: number): void {
  const callerFp = callerFpOf(rt.mem.i32, fp);
  rt.entries[fn]!(fp, SCRATCH_SLOT << 3, fn, callerFp, resumePcOf(rt.mem.i32, fp), 0);
  rt.mem.i32[TOP_FP_WORD] = callerFp;
}

/** A run of argument moves then CALL (opcodes.ts, SUPER_RUNS) at image
 *  position pc, op its superinstruction: the moves, in order. Returns the
 *  CALL's position. */
function moveRun(code: Int32Array, I32: Int32Array, F64: Float64Array, fp: number, pc: number, op: Op): number {
  let move: Op = op === Op.MOVF_MOVES_CALL ? Op.MOVF : Op.MOVI;
  do {
    if (move === Op.MOVF) F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]!;
    else I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]!;
    pc = (pc + 3) | 0;
    move = code[pc] as Op;
  } while (move !== Op.CALL);
  return pc;
}

/** slice(): the frame that entered run() (or the adapter) returned to the host. */
const DONE = runtimeCells.ADAPTER_DONE, ADAPTER_PC = runtimeCells.ADAPTER_PC;

/** Steps (calls and loop back-edges) of one slice of the loop. The loop runs
 *  in slices so that V8 compiles it as a function it calls, not only on stack
 *  replacement: a whole program is one call of run(), and the loop that V8
 *  enters by OSR keeps pc, fp and the arrays as tagged values it checks at
 *  every use (measured: 11-28% slower). A step counts for the code it may run
 *  (EDGE_SHIFT): a slice is about 2,000-4,000 instructions, and its end costs
 *  a call and the loads at the top of slice() (about 0.1 us).
 *
 *  OSR_DEPTH: V8 must never compile the loop by OSR at all. It asks for an
 *  OSR compile when a frame of slice() still runs unoptimized code while
 *  slice() is marked for optimization or already has optimized code (the
 *  frame that was running when V8 marked it, or installed its code): each
 *  interrupt tick in such a frame (about one per 500 instructions dispatched
 *  there) raises slice()'s "OSR urgency" by one, and a loop's back-edge asks
 *  for the compile once the urgency exceeds the loop's nesting depth. Once
 *  made, that OSR code is cached; if it arrives after the normal code
 *  deoptimized (a case with no type feedback when V8 compiled it), every
 *  later call of slice() enters it and runs about twice as slow for the rest
 *  of the process (docs/architecture.md, "V8's two compiles of the
 *  interpreter's loop"): V8 counts no tick for such a call, so it never
 *  compiles slice() normally again. So the loop sits at nesting depth 5, the
 *  most V8 counts (five loops around it that have no back-edge and compile to
 *  nothing), where the compile needs six ticks in one such frame, and a frame
 *  lasts one slice: at most 3 ticks measured over the bench programs and the
 *  crossing benchmarks (6 with slices of 1024 plain steps, 4 with 4096). */
const SLICE_STEPS = 1 << 10;

/** A call of an interpreted function counts 1 + the callee's code length >>
 *  EDGE_SHIFT steps (a call of compiled code 1), a loop's back-edge 1 + the
 *  loop's length >> EDGE_SHIFT (code words; an instruction is 3-4): a step
 *  stands for the instructions it may run until the next one (OSR_DEPTH). */
const EDGE_SHIFT = 4;

/** The first SHORT_SLICES slices of a runtime take FIRST_SLICE_STEPS steps: V8
 *  collects type feedback for a function only from its first few calls on,
 *  and compiles it at the call after it found it hot. If the first slice were
 *  long, V8 could find the loop hot in it and compile at the second call,
 *  before the top of slice() ever ran with feedback: that code deoptimized at
 *  its first line, and the rest ran by OSR (fib 37: 1.75 s instead of 1.40 s,
 *  one run in six). */
const SHORT_SLICES = 16, FIRST_SLICE_STEPS = 16;

/** hotLoop: the loop did not enter compiled code; go on interpreting. */
const OSR_DECLINED = -2;

/** A back-edge of fn's frame at fp reached the OSR threshold at loop header pc.
 *  If compiled code takes the rest of the frame, runs it and stores its result
 *  where the frame's caller wants it. Returns the caller's fp to continue in,
 *  TO_HOST when the frame returned to the host, or OSR_DECLINED. A frame past
 *  the host-stack budget is not entered, as a call past it is not (runtime.ts):
 *  its OSR code would call each callee back into the interpreter on the host
 *  stack, frame after frame (a recursion with a loop in each frame overflowed
 *  the host near 5,700 frames that the interpreter alone runs 150,000 deep). */
function hotLoop(rt: Runtime, fn: number, fp: number, pc: number): number {
  const osr = fp + rt.frameSizes[fn]! > rt.mem.i32[HOST_LIMIT_WORD]! ? null : rt.tiering.onHotLoop(fn, pc, rt.counters[fn << 1]!);
  if (osr === null) { rt.counters[(fn << 1) + 1] = 0; return OSR_DECLINED; }
  const r = enterOsr(rt, osr, fp, pc);
  const i32 = rt.mem.i32;
  const h = headerAt(fp);
  const to = i32[h + Hdr.RETURN_AT]!, callerFp = i32[h + Hdr.CALLER_FP]!;
  const kind = rt.mod.functions[fn]!.ret;
  if (to === TO_HOST) {
    if (kind === Kind.F) rt.mem.f64[SCRATCH_SLOT] = r;
    else if (kind !== null) i32[SCRATCH_SLOT << 1] = r;
    return TO_HOST;
  }
  // The caller's call instruction ends with its result register.
  const dst = rt.codeImage[to - 1]!;
  if (kind === Kind.F) rt.mem.f64[callerFp + dst] = r;
  else if (kind !== null) i32[(callerFp + dst) << 1] = r;
  return callerFp;
}

/** The slow path of a step of fuel (runtime/limits.ts): the local counter went
 *  below zero. Returns it refilled, or throws the Trap that ends the run (at the
 *  frame and position the loop stands at: the call, or the loop header). */
function refuel(i32: Int32Array, limits: Limits, fuel: number): number {
  i32[FUEL_WORD] = fuel;
  limits.poll();
  return i32[FUEL_WORD]!;
}

/** Tell the runtime which frame and position a helper may trap or collect at. */
function publish(i32: Int32Array, fp: number, pc: number): void { i32[TOP_FP_WORD] = fp; i32[TOP_PC_WORD] = pc; }

/** Slot := v, through the views as they are after v was computed (an allocation
 *  or call in computing v may have grown the memory). */
function storeI32(mem: Memory, slot: number, v: number): void { mem.i32[slot << 1] = v; }

function nullRef(): never { throw new Trap('null reference'); }
function outOfBounds(i: number, len: number): never { throw new Trap(`index ${i} out of bounds for length ${len}`); }
/** The raw result of `callee`, which returned to the host, into register slot `slot`. */
function storeResult(rt: Runtime, callee: number, slot: number): void {
  const kind = rt.retKinds[callee]!;
  if (kind === Kind.F) rt.mem.f64[slot] = rt.resultF;
  else if (kind !== 0) rt.mem.i32[slot << 1] = rt.resultI;
}

/** The interpreter of one runtime (rt.interpretFrame): run(entryFp, entry,
 *  startPc) runs the frame at `entryFp` (already pushed) until it returns to
 *  the host, entered as `entry` says (runtime.ts, InterpEntry; RESUME: from
 *  position `startPc`, where compiled code left the frame, its registers in
 *  the frame's slots). Its raw result is left in the scratch slot (read as
 *  rt.resultI / rt.resultF). The generic c2i adapters call run() as a
 *  CROSSING; the generated ones (wasm and JS) call the loop itself
 *  (adapterEntry: slice() and resume(), runtime.ts AdapterEntry): a wasm
 *  adapter's wasm-to-JS call lands in the loop, with no glue or run() between. */
export function interpreterFor(rt: Runtime): { run: InterpretFrame; adapterEntry: AdapterEntry } {
  /** The frame the last slice stopped in (set just before slice() returns). */
  let stopFp = 0;
  /** The first slices of this runtime are short (FIRST_SLICE_STEPS steps). */
  let shortSlices = SHORT_SLICES;
  /** The steps a call of f counts besides its own when f is interpreted: its
   *  code's length >> EDGE_SHIFT (OSR_DEPTH). */
  const callSteps = new Int32Array(rt.codeBases.length);
  rt.codeBases.forEach((b, f) => { callSteps[f] = ((rt.codeBases[f + 1] ?? rt.codeImage.length) - b) >> EDGE_SHIFT; });

  /** One slice of the loop: runs from frame fp at image position pc (or, pc =
   *  ADAPTER_PC, a c2i adapter's entry: from the frame's first instruction, the
   *  call counted) until the frame that entered returns to the host (returns DONE) or SLICE_STEPS
   *  steps have passed (returns the position it stopped at, a loop header or a
   *  call, in frame stopFp; the fuel is in its cell). */
  function slice(fp: number, pc: number): number {
    // The code image (bytecode/code-image.ts): pc is a position in it, a function's
    // own positions are pc - bases[fn]; prof is every profile, laid out the same.
    const code = rt.codeImage, bases = rt.codeBases, prof = rt.profileImage, frameSizes = rt.frameSizes, counters = rt.counters;
    const crossings = rt.crossings;
    const kf = rt.f64Consts, ks = rt.strAddrs, heap = rt.heap, mem = rt.mem, out = rt.out;
    const gb = rt.globalsSlot, stackEnd = rt.stackEndSlot;
    const entries = rt.entries, tiering = rt.tiering, limits = rt.limits, metered = limits.metered === true;
    const argListAt = rt.argListAt, listedEntries = rt.listedEntries;
    const callHot = tiering.callThreshold, compileReady = tiering.compileReady, profiling = tiering.optimizing === true;
    const threaded = tiering.threaded === true, compiles = callHot > 0;
    const loopHot = tiering.loopHot;
    let I32 = mem.i32, F64 = mem.f64, U16 = mem.u16, U8 = mem.u8;
    fp |= 0; pc |= 0;
    let fn = frameFn(I32, fp);
    let steps = SLICE_STEPS;
    if (pc === ADAPTER_PC) {
      // A generated c2i adapter's entry (runtime.ts, AdapterEntry): the call is
      // counted for tiering (a safepoint: if that makes fn compiled, its
      // compiled code runs), and the frame runs from its first instruction.
      const calls = (counters[fn << 1]! + 1) | 0;
      counters[fn << 1] = calls;
      if (calls === callHot) tiering.onHotCall(fn);
      else if (threaded && compileReady[0] !== 0) tiering.poll();
      if (entries[fn] !== null) { runCompiled(rt, fn, fp); stopFp = fp; return DONE; }
      // Compiled code checks its own frame against the segment's end, not an
      // interpreted callee's: one that does not fit runs in the next segment
      // (frame-stack.ts), its result through the scratch slot as here.
      if (((fp + frameSizes[fn]!) | 0) > stackEnd) { rt.interpretPastHostLimit(fp); stopFp = fp; return DONE; }
      pc = bases[fn]!;
    } else if (shortSlices > 0) { shortSlices--; steps = FIRST_SLICE_STEPS; }
    let fuel = metered ? I32[FUEL_WORD]! : 0, parked = false;
    try {
      // Five loops around the loop, with no back-edge (V8 compiles them to
      // nothing): the loop is at nesting depth 5 for V8 (OSR_DEPTH, above).
      // The statement before it keeps its header apart from theirs (V8 would
      // otherwise close the loop with the outermost one's back-edge, depth 0).
      for (;;) for (;;) for (;;) for (;;) for (;;) {
        steps |= 0;
        frames: for (;;) {
          backEdge: {
            const op = code[pc] as Op;
            switch (op) {
              case Op.LOADI: I32[(fp + code[(pc + 1) | 0]!) << 1] = code[(pc + 2) | 0]!; pc = (pc + 3) | 0; continue;
              case Op.LOADF: F64[(fp + code[(pc + 1) | 0]!) | 0] = kf[code[(pc + 2) | 0]!]!; pc = (pc + 3) | 0; continue;
              case Op.LOADS: I32[(fp + code[(pc + 1) | 0]!) << 1] = ks[code[(pc + 2) | 0]!]!; pc = (pc + 3) | 0; continue;
              case Op.LOADNULL: I32[(fp + code[(pc + 1) | 0]!) << 1] = 0; pc = (pc + 2) | 0; continue;
              case Op.LOADFN: I32[(fp + code[(pc + 1) | 0]!) << 1] = code[(pc + 2) | 0]! + 1; pc = (pc + 3) | 0; continue;
              case Op.MOVI: case Op.MOVR: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0; continue;
              case Op.MOVF: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]!; pc = (pc + 3) | 0; continue;

              case Op.ADD: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! + I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              case Op.SUB: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! - I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              case Op.MUL: I32[(fp + code[(pc + 1) | 0]!) << 1] = Math.imul(I32[(fp + code[(pc + 2) | 0]!) << 1]!, I32[(fp + code[(pc + 3) | 0]!) << 1]!); pc = (pc + 4) | 0; continue;
              case Op.DIV: {
                const x = I32[(fp + code[(pc + 2) | 0]!) << 1]!, y = I32[(fp + code[(pc + 3) | 0]!) << 1]!;
                if (y === 0) throw new Trap('division by zero');
                if (y === -1 && x === -2147483648) throw new Trap('integer overflow');
                I32[(fp + code[(pc + 1) | 0]!) << 1] = (x / y) | 0; pc = (pc + 4) | 0; continue;
              }
              case Op.REM: {
                const x = I32[(fp + code[(pc + 2) | 0]!) << 1]!, y = I32[(fp + code[(pc + 3) | 0]!) << 1]!;
                if (y === 0) throw new Trap('division by zero');
                I32[(fp + code[(pc + 1) | 0]!) << 1] = x % y; pc = (pc + 4) | 0; continue;
              }
              case Op.AND: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! & I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              case Op.OR: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! | I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              case Op.XOR: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! ^ I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              case Op.SHL: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! << I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              case Op.SHR: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! >> I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              case Op.SHRU: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! >>> I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              case Op.ADDI: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! + code[(pc + 3) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.MULK: I32[(fp + code[(pc + 1) | 0]!) << 1] = Math.imul(I32[(fp + code[(pc + 2) | 0]!) << 1]!, code[(pc + 3) | 0]!); pc = (pc + 4) | 0; continue;
              case Op.DIVK: I32[(fp + code[(pc + 1) | 0]!) << 1] = (I32[(fp + code[(pc + 2) | 0]!) << 1]! / code[(pc + 3) | 0]!) | 0; pc = (pc + 4) | 0; continue;
              case Op.REMK: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! % code[(pc + 3) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.NEG: I32[(fp + code[(pc + 1) | 0]!) << 1] = -I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0; continue;
              case Op.BNOT: I32[(fp + code[(pc + 1) | 0]!) << 1] = ~I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0; continue;
              case Op.NOT: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! ^ 1; pc = (pc + 3) | 0; continue;

              case Op.EQ: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(I32[(fp + code[(pc + 2) | 0]!) << 1] === I32[(fp + code[(pc + 3) | 0]!) << 1]); pc = (pc + 4) | 0; continue;
              case Op.NE: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(I32[(fp + code[(pc + 2) | 0]!) << 1] !== I32[(fp + code[(pc + 3) | 0]!) << 1]); pc = (pc + 4) | 0; continue;
              case Op.LT: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(I32[(fp + code[(pc + 2) | 0]!) << 1]! < I32[(fp + code[(pc + 3) | 0]!) << 1]!); pc = (pc + 4) | 0; continue;
              case Op.LE: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(I32[(fp + code[(pc + 2) | 0]!) << 1]! <= I32[(fp + code[(pc + 3) | 0]!) << 1]!); pc = (pc + 4) | 0; continue;
              case Op.GT: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(I32[(fp + code[(pc + 2) | 0]!) << 1]! > I32[(fp + code[(pc + 3) | 0]!) << 1]!); pc = (pc + 4) | 0; continue;
              case Op.GE: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(I32[(fp + code[(pc + 2) | 0]!) << 1]! >= I32[(fp + code[(pc + 3) | 0]!) << 1]!); pc = (pc + 4) | 0; continue;

              case Op.ADDF: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! + F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.SUBF: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! - F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.MULF: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.DIVF: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! / F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.REMF: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! % F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.ADDFK: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! + kf[code[(pc + 3) | 0]!]!; pc = (pc + 4) | 0; continue;
              case Op.SUBFK: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! - kf[code[(pc + 3) | 0]!]!; pc = (pc + 4) | 0; continue;
              case Op.MULFK: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * kf[code[(pc + 3) | 0]!]!; pc = (pc + 4) | 0; continue;
              case Op.DIVFK: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! / kf[code[(pc + 3) | 0]!]!; pc = (pc + 4) | 0; continue;
              case Op.RSUBFK: F64[(fp + code[(pc + 1) | 0]!) | 0] = kf[code[(pc + 2) | 0]!]! - F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.RDIVFK: F64[(fp + code[(pc + 1) | 0]!) | 0] = kf[code[(pc + 2) | 0]!]! / F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.NEGF: F64[(fp + code[(pc + 1) | 0]!) | 0] = -F64[(fp + code[(pc + 2) | 0]!) | 0]!; pc = (pc + 3) | 0; continue;
              case Op.EQF: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(F64[(fp + code[(pc + 2) | 0]!) | 0] === F64[(fp + code[(pc + 3) | 0]!) | 0]); pc = (pc + 4) | 0; continue;
              case Op.NEF: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(F64[(fp + code[(pc + 2) | 0]!) | 0] !== F64[(fp + code[(pc + 3) | 0]!) | 0]); pc = (pc + 4) | 0; continue;
              case Op.LTF: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(F64[(fp + code[(pc + 2) | 0]!) | 0]! < F64[(fp + code[(pc + 3) | 0]!) | 0]!); pc = (pc + 4) | 0; continue;
              case Op.LEF: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(F64[(fp + code[(pc + 2) | 0]!) | 0]! <= F64[(fp + code[(pc + 3) | 0]!) | 0]!); pc = (pc + 4) | 0; continue;
              case Op.GTF: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(F64[(fp + code[(pc + 2) | 0]!) | 0]! > F64[(fp + code[(pc + 3) | 0]!) | 0]!); pc = (pc + 4) | 0; continue;
              case Op.GEF: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(F64[(fp + code[(pc + 2) | 0]!) | 0]! >= F64[(fp + code[(pc + 3) | 0]!) | 0]!); pc = (pc + 4) | 0; continue;

              case Op.I2F: F64[(fp + code[(pc + 1) | 0]!) | 0] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0; continue;
              case Op.F2I: I32[(fp + code[(pc + 1) | 0]!) << 1] = f64ToI32(F64[(fp + code[(pc + 2) | 0]!) | 0]!); pc = (pc + 3) | 0; continue;
              case Op.EQR: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(I32[(fp + code[(pc + 2) | 0]!) << 1] === I32[(fp + code[(pc + 3) | 0]!) << 1]); pc = (pc + 4) | 0; continue;
              case Op.NER: I32[(fp + code[(pc + 1) | 0]!) << 1] = +(I32[(fp + code[(pc + 2) | 0]!) << 1] !== I32[(fp + code[(pc + 3) | 0]!) << 1]); pc = (pc + 4) | 0; continue;
              case Op.STREQ: I32[(fp + code[(pc + 1) | 0]!) << 1] = +heap.stringsEqual(I32[(fp + code[(pc + 2) | 0]!) << 1]!, I32[(fp + code[(pc + 3) | 0]!) << 1]!); pc = (pc + 4) | 0; continue;
              case Op.STRNE: I32[(fp + code[(pc + 1) | 0]!) << 1] = +!heap.stringsEqual(I32[(fp + code[(pc + 2) | 0]!) << 1]!, I32[(fp + code[(pc + 3) | 0]!) << 1]!); pc = (pc + 4) | 0; continue;

              case Op.JMP: pc = code[(pc + 1) | 0]!; continue;
              case Op.JMPLOOP: { const to = code[(pc + 1) | 0]!; steps = (steps - ((pc - to) >> EDGE_SHIFT)) | 0; pc = to; } break backEdge;
              case Op.AGETF_MULF_ADDF: case Op.AGETF_MULF_ADDF_FORLOOP: {
                const a = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (a === 0) nullRef();
                const i = I32[(fp + code[(pc + 3) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[((a >> 3) + 1 + i) | 0]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! + F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
                if (op === Op.AGETF_MULF_ADDF) continue;
              }
              // falls through: the FORLOOP part
              case Op.FORLOOP: case Op.FORLOOPK: {
                const r = (fp + code[(pc + 1) | 0]!) << 1;
                const i = I32[r]! + 1;
                I32[r] = i;
                if (i >= (op !== Op.FORLOOPK ? I32[(fp + code[(pc + 2) | 0]!) << 1]! : code[(pc + 2) | 0]!)) { pc = (pc + 4) | 0; continue; }
                const to = code[(pc + 3) | 0]!;
                steps = (steps - ((pc - to) >> EDGE_SHIFT)) | 0; pc = to;
                break backEdge;
              }
              case Op.JT: if (I32[(fp + code[(pc + 1) | 0]!) << 1] !== 0) { if (profiling) prof[pc]!++; pc = code[(pc + 2) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 3) | 0; } continue;
              case Op.JF: if (I32[(fp + code[(pc + 1) | 0]!) << 1] === 0) { if (profiling) prof[pc]!++; pc = code[(pc + 2) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 3) | 0; } continue;
              case Op.JEQ: if (I32[(fp + code[(pc + 1) | 0]!) << 1] === I32[(fp + code[(pc + 2) | 0]!) << 1]) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JNE: if (I32[(fp + code[(pc + 1) | 0]!) << 1] !== I32[(fp + code[(pc + 2) | 0]!) << 1]) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JLT: if (I32[(fp + code[(pc + 1) | 0]!) << 1]! < I32[(fp + code[(pc + 2) | 0]!) << 1]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JLE: if (I32[(fp + code[(pc + 1) | 0]!) << 1]! <= I32[(fp + code[(pc + 2) | 0]!) << 1]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JGT: if (I32[(fp + code[(pc + 1) | 0]!) << 1]! > I32[(fp + code[(pc + 2) | 0]!) << 1]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JGE: if (I32[(fp + code[(pc + 1) | 0]!) << 1]! >= I32[(fp + code[(pc + 2) | 0]!) << 1]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JEQK: if (I32[(fp + code[(pc + 1) | 0]!) << 1] === code[(pc + 2) | 0]) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JNEK: if (I32[(fp + code[(pc + 1) | 0]!) << 1] !== code[(pc + 2) | 0]) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JLTK: if (I32[(fp + code[(pc + 1) | 0]!) << 1]! < code[(pc + 2) | 0]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JLEK: if (I32[(fp + code[(pc + 1) | 0]!) << 1]! <= code[(pc + 2) | 0]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JGTK: if (I32[(fp + code[(pc + 1) | 0]!) << 1]! > code[(pc + 2) | 0]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.JGEK: if (I32[(fp + code[(pc + 1) | 0]!) << 1]! >= code[(pc + 2) | 0]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;

              // A call pushes the callee's frame over the call area (header in R[base],
              // R[base+1]). An interpreted callee continues in this loop; a compiled one
              // is entered through its i2c adapter, which writes its header (frames.ts,
              // pushCompiledFrame), and returns here.
              case Op.ADDI_CALL: case Op.MOVI_CALL: case Op.MOVR_CALL: case Op.MOVF_CALL:
              case Op.MOVI_MOVI_CALL: case Op.MOVR_MOVR_CALL: case Op.MOVF_MOVF_CALL:
                // The two-move ones are the last (opcodes.ts): one compare for the others.
                if (op >= Op.MOVI_MOVI_CALL) {
                  if (op === Op.MOVF_MOVF_CALL) {
                    F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]!; pc = (pc + 3) | 0;
                    F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]!; pc = (pc + 3) | 0;
                  } else {
                    I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0;
                    I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0;
                  }
                }
                else if (op === Op.MOVF_CALL) { F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]!; pc = (pc + 3) | 0; }
                else if (op !== Op.ADDI_CALL) { I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0; }
                else { I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! + code[(pc + 3) | 0]!; pc = (pc + 4) | 0; }
              // falls through: the CALL part
              case Op.MOVI_MOVES_CALL: case Op.MOVR_MOVES_CALL: case Op.MOVF_MOVES_CALL:
                // A run (opcodes.ts, SUPER_RUNS): every argument moved, then the call.
                // The first move's kind is the superinstruction's, each later one's its
                // own opcode's. The runs are the last opcodes: the fixed ones above
                // pass here with one compare.
                // With an argument list (runtime.ts, argListAt) and a compiled callee
                // that the CALL would enter, the call is made here, with no moves:
                // the callee's i2c reads the arguments through the list where they
                // are. This is the CALL part's way into compiled code, its
                // conditions tested first (no fuel to count, steps left, the frame
                // within the segment and the host-stack budget), so that nothing
                // carries over to the CALL part (a variable live across the loop
                // cost every call about 1 ns).
                if (op >= Op.MOVI_MOVES_CALL) {
                  const list = argListAt[pc]!;
                  // (The callee's listed entry tested first: an interpreted callee's
                  // moves follow with as little as possible before them.)
                  const compiled = list !== 0 ? listedEntries[argListAt[(pc + 2) | 0]!] as ListedEntry | null : null;
                  if (compiled !== null) {
                    // The callee's frame end, from the list's run (runtime.ts argListAt).
                    const end = (fp + argListAt[(pc + 3) | 0]!) | 0;
                    if (!metered && steps > 0 && end <= stackEnd && end <= I32[HOST_LIMIT_WORD]!) {
                      const runAt = pc, at = argListAt[(pc + 1) | 0]!, callee = argListAt[(pc + 2) | 0]!;
                      steps--; pc = at;
                      // The call counted, as the CALL part counts it; a compiled callee's
                      // count compiles nothing (tiering.ts, onHotCall: only an
                      // interpreted function's), so this safepoint only installs what
                      // the compiler thread finished, and the entry read above stands
                      // unless that ran (about 0.5 ns a call).
                      counters[callee << 1] = (counters[callee << 1]! + 1) | 0;
                      let entry: ListedEntry | null = compiled;
                      if (threaded && compileReady[0] !== 0) {
                        tiering.poll();
                        entry = listedEntries[callee] as ListedEntry | null;
                        if (entry === null) {
                          // Its compiled code went at the safepoint: the moves, then the frame.
                          const nfp = (fp + code[(at + 2) | 0]! + HEADER_SLOTS) | 0;
                          moveRun(code, I32, F64, fp, runAt, op);
                          pushFrame(I32, nfp, callee, fp, ((at + 4) | 0) - bases[fn]!, (at + 4) | 0);
                          fp = nfp; fn = callee; pc = bases[callee]!;
                          continue;
                        }
                      }
                      // The list says the rest: the callee, its frame, the result's
                      // register and the resume position (code-image.ts, ArgList).
                      entry(fp, list);
                      const crossed = crossings[fn]! + 1;
                      crossings[fn] = crossed;
                      if (crossed === callHot) tiering.onHotCall(fn);
                      pc = (at + 4) | 0;
                      if (mem.i32 === I32) continue;
                      break;
                    }
                  }
                  // moveRun written out: V8 does not inline a call into this loop
                  // (too big), and the call measured 1-2 ns of six moves.
                  let move: Op = op === Op.MOVF_MOVES_CALL ? Op.MOVF : Op.MOVI;
                  do {
                    if (move === Op.MOVF) F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]!;
                    else I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]!;
                    pc = (pc + 3) | 0;
                    move = code[pc] as Op;
                  } while (move !== Op.CALL);
                }
              // falls through: the CALL part
              case Op.CALL: case Op.CALLV: {
                // The end of a slice: the call runs first in the next one.
                if (--steps < 0) { stopFp = fp; if (metered) I32[FUEL_WORD] = fuel; return pc; }
                let callee: number, base: number, dst: number, next: number;
                if (op !== Op.CALLV) {
                  callee = code[(pc + 1) | 0]!; base = code[(pc + 2) | 0]!; dst = code[(pc + 3) | 0]!; next = (pc + 4) | 0;
                } else {
                  const v = I32[(fp + code[(pc + 1) | 0]!) << 1]!;
                  if (v === 0) nullRef();
                  if (prof[pc] !== v) noteTarget(prof, pc, v);
                  callee = v - 1; base = code[(pc + 3) | 0]!; dst = code[(pc + 4) | 0]!; next = (pc + 5) | 0;
                }
                if (metered && --fuel < 0) fuel = refuel(I32, limits, fuel);
                const nfp = (fp + base + HEADER_SLOTS) | 0, end = (nfp + frameSizes[callee]!) | 0;
                const calls = (counters[callee << 1]! + 1) | 0;
                counters[callee << 1] = calls;
                // A safepoint: the callee may become compiled here.
                if (calls === callHot) tiering.onHotCall(callee);
                else if (threaded && compileReady[0] !== 0) tiering.poll();
                if (end > stackEnd) {
                  // Past this segment's end: the frame runs in the next one (frame-stack.ts).
                  pushFrame(I32, nfp, callee, fp, next - bases[fn]!, TO_HOST);
                  if (metered) { I32[FUEL_WORD] = fuel; parked = true; }
                  rt.callInNextSegment(nfp, callee);
                  if (metered) { fuel = mem.i32[FUEL_WORD]!; parked = false; }
                  storeResult(rt, callee, fp + dst);
                  pc = next; break;
                }
                // No entry to test where nothing compiles (--tier=interp: about 0.4 ns a call).
                if (compiles) {
                  const entry = entries[callee] as CompiledEntry | null;
                  // Compiled code only within the host-stack budget (runtime.ts).
                  if (entry !== null && end <= I32[HOST_LIMIT_WORD]!) {
                    if (metered) { I32[FUEL_WORD] = fuel; parked = true; }
                    entry(nfp, (fp + dst) << 3, callee, fp, next - bases[fn]!, 0);
                    if (metered) { fuel = mem.i32[FUEL_WORD]!; parked = false; }
                    // The caller's crossings count toward its own compile (a safepoint).
                    const crossed = crossings[fn]! + 1;
                    crossings[fn] = crossed;
                    if (crossed === callHot) tiering.onHotCall(fn);
                    pc = next;
                    // The views are read again only if the memory grew.
                    if (mem.i32 === I32) continue;
                    break;
                  }
                }
                // pushFrame (frames.ts) written out, as are headerAt and frameFn in the
                // returns: V8 checks an imported function's binding (its cell, for
                // the hole) and a module's own function's where it inlines a call
                // of it, at every call and return (about 1 ns a call and return).
                { const h = (nfp - HEADER_SLOTS) << 1;
                  I32[h + Hdr.FN] = callee; I32[h + Hdr.CALLER_FP] = fp; I32[h + Hdr.RESUME_PC] = next - bases[fn]!; I32[h + Hdr.RETURN_AT] = next; }
                fp = nfp; fn = callee; pc = bases[callee]!;
                steps = (steps - callSteps[callee]!) | 0;
                continue;
              }
              case Op.CALLX: {
                // The extern may call back into the guest (the embedding API): its
                // frames go above this one and link to it (runtime.ts, hostCallerFp).
                const saved = rt.sp, savedCaller = rt.hostCallerFp;
                rt.hostCallerFp = fp; publish(I32, fp, pc - bases[fn]!);
                if (metered) { I32[FUEL_WORD] = fuel; parked = true; }
                rt.sp = fp + frameSizes[fn]!;
                try {
                  callExtern(rt, code[(pc + 1) | 0]!, fp + code[(pc + 2) | 0]! + HEADER_SLOTS, fp + code[(pc + 3) | 0]!);
                } finally { rt.sp = saved; rt.hostCallerFp = savedCaller; }
                if (metered) { fuel = mem.i32[FUEL_WORD]!; parked = false; }
                pc = (pc + 4) | 0; break;
              }
              // Return: the header names the caller's frame and where to continue it,
              // RETURN_AT, the image position after its call (the call's last operand
              // the result register; TO_HOST: the caller is the host, which reads
              // rt.resultI/resultF). The next pc is one load away, not three (the
              // caller's fp, its function, that function's base): 2-3 ns a return.
              case Op.ADD_RETI: case Op.JGEK_RETI: case Op.SETFR_RETR:
                if (op === Op.ADD_RETI) { I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! + I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; }
                else if (op === Op.JGEK_RETI) {
                  if (I32[(fp + code[(pc + 1) | 0]!) << 1]! >= code[(pc + 2) | 0]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; continue; }
                  if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0;
                } else {
                  const o = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (o === 0) nullRef();
                  const v = I32[(fp + code[(pc + 3) | 0]!) << 1]!;
                  I32[(o + code[(pc + 2) | 0]!) >> 2] = v;
                  if (barrierNeeded(I32[o >> 2]!) && youngRef(I32, v)) heap.remember(o, -1);
                  pc = (pc + 4) | 0;
                }
              // falls through: the RETI or RETR part
              case Op.RETI: case Op.RETR: {
                const h = (fp - HEADER_SLOTS) << 1;
                const v = I32[(fp + code[(pc + 1) | 0]!) << 1]!, to = I32[h + Hdr.RETURN_AT]!;
                if (to === TO_HOST) { I32[SCRATCH_SLOT << 1] = v; break frames; }
                fp = I32[h + Hdr.CALLER_FP]!; pc = to; fn = I32[((fp - HEADER_SLOTS) << 1) + Hdr.FN]!;
                I32[(fp + code[(to - 1) | 0]!) << 1] = v;
                continue;
              }
              case Op.I2F_RDIVFK_RETF:
                F64[(fp + code[(pc + 1) | 0]!) | 0] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = kf[code[(pc + 2) | 0]!]! / F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
              // falls through: the RETF part
              case Op.RETF: {
                const h = (fp - HEADER_SLOTS) << 1;
                const v = F64[(fp + code[(pc + 1) | 0]!) | 0]!, to = I32[h + Hdr.RETURN_AT]!;
                if (to === TO_HOST) { F64[SCRATCH_SLOT] = v; break frames; }
                fp = I32[h + Hdr.CALLER_FP]!; pc = to; fn = I32[((fp - HEADER_SLOTS) << 1) + Hdr.FN]!;
                F64[(fp + code[(to - 1) | 0]!) | 0] = v;
                continue;
              }
              case Op.RETV: {
                const h = (fp - HEADER_SLOTS) << 1;
                const to = I32[h + Hdr.RETURN_AT]!;
                if (to === TO_HOST) break frames;
                fp = I32[h + Hdr.CALLER_FP]!; pc = to; fn = I32[((fp - HEADER_SLOTS) << 1) + Hdr.FN]!;
                continue;
              }

              case Op.NEWSTRUCT:
                publish(I32, fp, pc - bases[fn]!);
                storeI32(mem, fp + code[(pc + 1) | 0]!, heap.newStruct(code[(pc + 2) | 0]!));
                pc = (pc + 3) | 0; break;
              case Op.GETFR_GETFI: {
                const o = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (o === 0) nullRef();
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(o + code[(pc + 3) | 0]!) >> 2]!; pc = (pc + 4) | 0;
              }
              // falls through: the GETFI part
              case Op.GETFI: case Op.GETFR: {
                const o = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (o === 0) nullRef();
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(o + code[(pc + 3) | 0]!) >> 2]!; pc = (pc + 4) | 0; continue;
              }
              case Op.GETFF: {
                const o = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (o === 0) nullRef();
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(o + code[(pc + 3) | 0]!) >> 3]!; pc = (pc + 4) | 0; continue;
              }
              case Op.SETFI: {
                const o = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (o === 0) nullRef();
                I32[(o + code[(pc + 2) | 0]!) >> 2] = I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              }
              case Op.LOADNULL_SETFR: I32[(fp + code[(pc + 1) | 0]!) << 1] = 0; pc = (pc + 2) | 0;
              // falls through: the SETFR part
              case Op.SETFR: {
                const o = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (o === 0) nullRef();
                const v = I32[(fp + code[(pc + 3) | 0]!) << 1]!;
                I32[(o + code[(pc + 2) | 0]!) >> 2] = v;
                if (barrierNeeded(I32[o >> 2]!) && youngRef(I32, v)) heap.remember(o, -1);
                pc = (pc + 4) | 0; continue;
              }
              case Op.GETFF_MULF_ADDF_SETFF: {
                const o = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (o === 0) nullRef();
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(o + code[(pc + 3) | 0]!) >> 3]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! + F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
              }
              // falls through: the SETFF part
              case Op.SETFF: {
                const o = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (o === 0) nullRef();
                F64[(o + code[(pc + 2) | 0]!) >> 3] = F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              }

              case Op.NEWARRI: case Op.NEWARRF: case Op.NEWARRR: case Op.NEWARRB: {
                const kind = arrayKindFor(OP_INFO[op].variant!, OP_INFO[op].elementBytes);
                publish(I32, fp, pc - bases[fn]!);
                storeI32(mem, fp + code[(pc + 1) | 0]!, heap.newArray(kind, I32[(fp + code[(pc + 2) | 0]!) << 1]!));
                pc = (pc + 3) | 0; break;
              }
              case Op.AGETI: case Op.AGETR: {
                const a = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (a === 0) nullRef();
                const i = I32[(fp + code[(pc + 3) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[((a >> 2) + 2 + i) | 0]!; pc = (pc + 4) | 0; continue;
              }
              case Op.AGETF: {
                const a = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (a === 0) nullRef();
                const i = I32[(fp + code[(pc + 3) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[((a >> 3) + 1 + i) | 0]!; pc = (pc + 4) | 0; continue;
              }
              case Op.AGETB: {
                const a = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (a === 0) nullRef();
                const i = I32[(fp + code[(pc + 3) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[(fp + code[(pc + 1) | 0]!) << 1] = U8[(a + 8 + i) | 0]!; pc = (pc + 4) | 0; continue;
              }
              case Op.LOADI_ASETI: I32[(fp + code[(pc + 1) | 0]!) << 1] = code[(pc + 2) | 0]!; pc = (pc + 3) | 0;
              // falls through: the ASETI part
              case Op.ASETI: {
                const a = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (a === 0) nullRef();
                const i = I32[(fp + code[(pc + 2) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[((a >> 2) + 2 + i) | 0] = I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              }
              case Op.LOADI_ASETB: I32[(fp + code[(pc + 1) | 0]!) << 1] = code[(pc + 2) | 0]!; pc = (pc + 3) | 0;
              // falls through: the ASETB part
              case Op.ASETB: {
                const a = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (a === 0) nullRef();
                const i = I32[(fp + code[(pc + 2) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                U8[(a + 8 + i) | 0] = I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              }
              case Op.ASETR: {
                const a = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (a === 0) nullRef();
                const i = I32[(fp + code[(pc + 2) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                const v = I32[(fp + code[(pc + 3) | 0]!) << 1]!;
                I32[((a >> 2) + 2 + i) | 0] = v;
                if (barrierNeeded(I32[a >> 2]!) && youngRef(I32, v)) heap.remember(a, i);
                pc = (pc + 4) | 0; continue;
              }
              case Op.ASETF: {
                const a = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (a === 0) nullRef();
                const i = I32[(fp + code[(pc + 2) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                F64[((a >> 3) + 1 + i) | 0] = F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              }
              case Op.LEN: {
                const a = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (a === 0) nullRef();
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[((a >> 2) + 1) | 0]!; pc = (pc + 3) | 0; continue;
              }
              case Op.SGET: {
                const s = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (s === 0) nullRef();
                const i = I32[(fp + code[(pc + 3) | 0]!) << 1]!, len = I32[((s >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                if ((I32[s >> 2]! & KIND_MASK) !== ObjKind.STR) {
                  // A rope: its flat string (made once; may grow the memory).
                  const f = heap.flat(s);
                  mem.i32[(fp + code[(pc + 1) | 0]!) << 1] = mem.u16[((f >> 1) + 4 + i) | 0]!; pc = (pc + 4) | 0; break;
                }
                I32[(fp + code[(pc + 1) | 0]!) << 1] = U16[((s >> 1) + 4 + i) | 0]!; pc = (pc + 4) | 0; continue;
              }
              case Op.CONCAT: {
                const a = I32[(fp + code[(pc + 2) | 0]!) << 1]!, b = I32[(fp + code[(pc + 3) | 0]!) << 1]!;
                if (a === 0 || b === 0) nullRef();
                publish(I32, fp, pc - bases[fn]!);
                storeI32(mem, fp + code[(pc + 1) | 0]!, heap.concat(a, b));
                pc = (pc + 4) | 0; break;
              }
              case Op.SBSTR: {
                const x = I32[(fp + code[(pc + 2) | 0]!) << 1]!;
                publish(I32, fp, pc - bases[fn]!);
                storeI32(mem, fp + code[(pc + 1) | 0]!, stringOf(heap, x));
                pc = (pc + 3) | 0; break;
              }
              case Op.SBAPPEND: {
                const b = I32[(fp + code[(pc + 2) | 0]!) << 1]!, s = I32[(fp + code[(pc + 3) | 0]!) << 1]!;
                if (b === 0 || s === 0) nullRef();
                publish(I32, fp, pc - bases[fn]!);
                storeI32(mem, fp + code[(pc + 1) | 0]!, appendTo(heap, b, s));
                pc = (pc + 4) | 0; break;
              }

              case Op.GETGI: case Op.GETGR: I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(gb + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0; continue;
              case Op.GETGF: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(gb + code[(pc + 2) | 0]!) | 0]!; pc = (pc + 3) | 0; continue;
              case Op.SETGI: case Op.SETGR: I32[(gb + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0; continue;
              case Op.SETGF: F64[(gb + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]!; pc = (pc + 3) | 0; continue;

              case Op.OUTI: out.writeInt(I32[(fp + code[(pc + 1) | 0]!) << 1]!, code[(pc + 2) | 0] !== 0); pc = (pc + 3) | 0; continue;
              case Op.OUTF: out.write(formatF64(F64[(fp + code[(pc + 1) | 0]!) | 0]!), code[(pc + 2) | 0] !== 0); pc = (pc + 3) | 0; continue;
              case Op.OUTB: out.write(I32[(fp + code[(pc + 1) | 0]!) << 1] ? 'true' : 'false', code[(pc + 2) | 0] !== 0); pc = (pc + 3) | 0; continue;
              case Op.OUTS: {
                const s = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (s === 0) nullRef();
                heap.print(out, s, code[(pc + 2) | 0] !== 0); pc = (pc + 3) | 0; continue;
              }
              case Op.TOSTRI: case Op.TOSTRF: case Op.TOSTRB: {
                const r = code[(pc + 2) | 0]!;
                const text = op === Op.TOSTRI ? String(I32[(fp + r) << 1]) : op === Op.TOSTRF ? formatF64(F64[fp + r]!) : I32[(fp + r) << 1] ? 'true' : 'false';
                publish(I32, fp, pc - bases[fn]!);
                storeI32(mem, fp + code[(pc + 1) | 0]!, heap.newString(text));
                pc = (pc + 3) | 0; break;
              }
              case Op.SQRT: F64[(fp + code[(pc + 1) | 0]!) | 0] = Math.sqrt(F64[(fp + code[(pc + 2) | 0]!) | 0]!); pc = (pc + 3) | 0; continue;
              case Op.MATH1: F64[(fp + code[(pc + 1) | 0]!) | 0] = MATH1_IMPLS[code[(pc + 3) | 0]!]!(F64[(fp + code[(pc + 2) | 0]!) | 0]!); pc = (pc + 4) | 0; continue;
              case Op.MATH2: F64[(fp + code[(pc + 1) | 0]!) | 0] = MATH2_IMPLS[code[(pc + 4) | 0]!]!(F64[(fp + code[(pc + 2) | 0]!) | 0]!, F64[(fp + code[(pc + 3) | 0]!) | 0]!); pc = (pc + 5) | 0; continue;
              case Op.CLOCK: F64[(fp + code[(pc + 1) | 0]!) | 0] = performance.now(); pc = (pc + 2) | 0; continue;
              case Op.FIXED: {
                const text = fixed(F64[(fp + code[(pc + 2) | 0]!) | 0]!, I32[(fp + code[(pc + 3) | 0]!) << 1]!);
                publish(I32, fp, pc - bases[fn]!);
                storeI32(mem, fp + code[(pc + 1) | 0]!, heap.newString(text));
                pc = (pc + 4) | 0; break;
              }
              case Op.CHR: {
                const c = I32[(fp + code[(pc + 2) | 0]!) << 1]!;
                checkCodePoint(c);
                publish(I32, fp, pc - bases[fn]!);
                storeI32(mem, fp + code[(pc + 1) | 0]!, heap.newChr(c));
                pc = (pc + 3) | 0; break;
              }
              case Op.SUBSTR: {
                const s = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (s === 0) nullRef();
                publish(I32, fp, pc - bases[fn]!);
                storeI32(mem, fp + code[(pc + 1) | 0]!, heap.substr(s, I32[(fp + code[(pc + 3) | 0]!) << 1]!, I32[(fp + code[(pc + 4) | 0]!) << 1]!));
                pc = (pc + 5) | 0; break;
              }
              case Op.PARSEI: {
                const s = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (s === 0) nullRef();
                I32[(fp + code[(pc + 1) | 0]!) << 1] = heap.parseI32(s); pc = (pc + 3) | 0; continue;
              }
              case Op.PARSEF: {
                const s = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (s === 0) nullRef();
                F64[(fp + code[(pc + 1) | 0]!) | 0] = parseF64(heap.readString(s)); pc = (pc + 3) | 0; continue;
              }
              case Op.PANIC: {
                const s = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (s === 0) nullRef();
                throw new Trap(heap.readString(s));
              }
              case Op.READLINE: {
                publish(I32, fp, pc - bases[fn]!);
                const line = rt.readLine();
                storeI32(mem, fp + code[(pc + 1) | 0]!, line === null ? 0 : heap.newString(line));
                pc = (pc + 2) | 0; break;
              }

              // Superinstructions (opcodes.ts, SUPER_PARTS): each part as its own case
              // runs it, pc moving to each part's position before it runs (the cases
              // above that fall through into their last part's case are the others).
              case Op.AGETI_ASETI: {
                let a = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (a === 0) nullRef();
                let i = I32[(fp + code[(pc + 3) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[((a >> 2) + 2 + i) | 0]!; pc = (pc + 4) | 0;
                a = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (a === 0) nullRef();
                i = I32[(fp + code[(pc + 2) | 0]!) << 1]!; len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[((a >> 2) + 2 + i) | 0] = I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0; continue;
              }
              case Op.AGETB_JT: {
                const a = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (a === 0) nullRef();
                const i = I32[(fp + code[(pc + 3) | 0]!) << 1]!, len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[(fp + code[(pc + 1) | 0]!) << 1] = U8[(a + 8 + i) | 0]!; pc = (pc + 4) | 0;
                if (I32[(fp + code[(pc + 1) | 0]!) << 1]) { if (profiling) prof[pc]!++; pc = code[(pc + 2) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 3) | 0; } continue;
              }
              case Op.MULF_ADDF:
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! + F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.MULFK_MULF:
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * kf[code[(pc + 3) | 0]!]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.LEF_JF:
                I32[(fp + code[(pc + 1) | 0]!) << 1] = +(F64[(fp + code[(pc + 2) | 0]!) | 0]! <= F64[(fp + code[(pc + 3) | 0]!) | 0]!); pc = (pc + 4) | 0;
                if (I32[(fp + code[(pc + 1) | 0]!) << 1]) { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 3) | 0; } else { if (profiling) prof[pc]!++; pc = code[(pc + 2) | 0]!; } continue;
              case Op.LEF_JF_JMPLOOP:
                I32[(fp + code[(pc + 1) | 0]!) << 1] = +(F64[(fp + code[(pc + 2) | 0]!) | 0]! <= F64[(fp + code[(pc + 3) | 0]!) | 0]!); pc = (pc + 4) | 0;
                if (!I32[(fp + code[(pc + 1) | 0]!) << 1]) { if (profiling) prof[pc]!++; pc = code[(pc + 2) | 0]!; continue; }
                if (profiling) prof[(pc + 1) | 0]!++; { const to = code[(pc + 4) | 0]!; steps = (steps - ((pc - to) >> EDGE_SHIFT)) | 0; pc = to; } break backEdge;
              case Op.LOADNULL_EQR_JF: case Op.LOADNULL_NER_JF: {
                I32[(fp + code[(pc + 1) | 0]!) << 1] = 0; pc = (pc + 2) | 0;
                const same = I32[(fp + code[(pc + 2) | 0]!) << 1] === I32[(fp + code[(pc + 3) | 0]!) << 1];
                I32[(fp + code[(pc + 1) | 0]!) << 1] = +(op === Op.LOADNULL_EQR_JF ? same : !same); pc = (pc + 4) | 0;
                if (I32[(fp + code[(pc + 1) | 0]!) << 1]) { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 3) | 0; } else { if (profiling) prof[pc]!++; pc = code[(pc + 2) | 0]!; } continue;
              }
              case Op.JGE_JMPLOOP:
                if (I32[(fp + code[(pc + 1) | 0]!) << 1]! >= I32[(fp + code[(pc + 2) | 0]!) << 1]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; continue; }
                if (profiling) prof[(pc + 1) | 0]!++; { const to = code[(pc + 5) | 0]!; steps = (steps - ((pc - to) >> EDGE_SHIFT)) | 0; pc = to; } break backEdge;
              case Op.JEQK_JMPLOOP:
                if (I32[(fp + code[(pc + 1) | 0]!) << 1] === code[(pc + 2) | 0]) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; continue; }
                if (profiling) prof[(pc + 1) | 0]!++; { const to = code[(pc + 5) | 0]!; steps = (steps - ((pc - to) >> EDGE_SHIFT)) | 0; pc = to; } break backEdge;
              case Op.JF_JMPLOOP:
                if (!I32[(fp + code[(pc + 1) | 0]!) << 1]) { if (profiling) prof[pc]!++; pc = code[(pc + 2) | 0]!; continue; }
                if (profiling) prof[(pc + 1) | 0]!++; { const to = code[(pc + 4) | 0]!; steps = (steps - ((pc - to) >> EDGE_SHIFT)) | 0; pc = to; } break backEdge;
              case Op.ADD_JGE_JMPLOOP: case Op.ADDI_JGE_JMPLOOP: {
                const y = op === Op.ADD_JGE_JMPLOOP ? I32[(fp + code[(pc + 3) | 0]!) << 1]! : code[(pc + 3) | 0]!;
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! + y; pc = (pc + 4) | 0;
                if (I32[(fp + code[(pc + 1) | 0]!) << 1]! >= I32[(fp + code[(pc + 2) | 0]!) << 1]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; continue; }
                if (profiling) prof[(pc + 1) | 0]!++; { const to = code[(pc + 5) | 0]!; steps = (steps - ((pc - to) >> EDGE_SHIFT)) | 0; pc = to; } break backEdge;
              }
              case Op.ADDI_JGE:
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! + code[(pc + 3) | 0]!; pc = (pc + 4) | 0;
                if (I32[(fp + code[(pc + 1) | 0]!) << 1]! >= I32[(fp + code[(pc + 2) | 0]!) << 1]!) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              case Op.ADD_ADDI:
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! + I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0;
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]! + code[(pc + 3) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.MUL_DIVK:
                I32[(fp + code[(pc + 1) | 0]!) << 1] = Math.imul(I32[(fp + code[(pc + 2) | 0]!) << 1]!, I32[(fp + code[(pc + 3) | 0]!) << 1]!); pc = (pc + 4) | 0;
                I32[(fp + code[(pc + 1) | 0]!) << 1] = (I32[(fp + code[(pc + 2) | 0]!) << 1]! / code[(pc + 3) | 0]!) | 0; pc = (pc + 4) | 0; continue;
              case Op.I2F_RDIVFK:
                F64[(fp + code[(pc + 1) | 0]!) | 0] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = kf[code[(pc + 2) | 0]!]! / F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.MOVI_MOVI: case Op.MOVR_MOVR:
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0;
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(fp + code[(pc + 2) | 0]!) << 1]!; pc = (pc + 3) | 0; continue;
              case Op.MOVF_MOVF:
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]!; pc = (pc + 3) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]!; pc = (pc + 3) | 0; continue;
              case Op.GETFF_SUBF: {
                const o = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (o === 0) nullRef();
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(o + code[(pc + 3) | 0]!) >> 3]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! - F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              }
              case Op.MULF_SUBF:
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! - F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.ADDF_SUBF:
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! + F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! - F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.ADDF_MULF_MULF: F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! + F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
              // falls through: the MULF+MULF parts
              case Op.MULF_MULF:
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! * F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0; continue;
              case Op.ADDF_LEF_JF_JMPLOOP:
                F64[(fp + code[(pc + 1) | 0]!) | 0] = F64[(fp + code[(pc + 2) | 0]!) | 0]! + F64[(fp + code[(pc + 3) | 0]!) | 0]!; pc = (pc + 4) | 0;
                I32[(fp + code[(pc + 1) | 0]!) << 1] = +(F64[(fp + code[(pc + 2) | 0]!) | 0]! <= F64[(fp + code[(pc + 3) | 0]!) | 0]!); pc = (pc + 4) | 0;
                if (!I32[(fp + code[(pc + 1) | 0]!) << 1]) { if (profiling) prof[pc]!++; pc = code[(pc + 2) | 0]!; continue; }
                if (profiling) prof[(pc + 1) | 0]!++; { const to = code[(pc + 4) | 0]!; steps = (steps - ((pc - to) >> EDGE_SHIFT)) | 0; pc = to; } break backEdge;

              case Op.AGETI_AGETI_ASETI_ASETI: {
                let a: number, i: number, len: number;
                a = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (a === 0) nullRef();
                i = I32[(fp + code[(pc + 3) | 0]!) << 1]!; len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[((a >> 2) + 2 + i) | 0]!; pc = (pc + 4) | 0;
                a = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (a === 0) nullRef();
                i = I32[(fp + code[(pc + 3) | 0]!) << 1]!; len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[((a >> 2) + 2 + i) | 0]!; pc = (pc + 4) | 0;
                a = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (a === 0) nullRef();
                i = I32[(fp + code[(pc + 2) | 0]!) << 1]!; len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[((a >> 2) + 2 + i) | 0] = I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0;
                a = I32[(fp + code[(pc + 1) | 0]!) << 1]!; if (a === 0) nullRef();
                i = I32[(fp + code[(pc + 2) | 0]!) << 1]!; len = I32[((a >> 2) + 1) | 0]!;
                if (i >>> 0 >= len) outOfBounds(i, len);
                I32[((a >> 2) + 2 + i) | 0] = I32[(fp + code[(pc + 3) | 0]!) << 1]!; pc = (pc + 4) | 0;
                continue;
              }
              case Op.GETFI_JNEK: {
                const o = I32[(fp + code[(pc + 2) | 0]!) << 1]!; if (o === 0) nullRef();
                I32[(fp + code[(pc + 1) | 0]!) << 1] = I32[(o + code[(pc + 3) | 0]!) >> 2]!; pc = (pc + 4) | 0;
                if (I32[(fp + code[(pc + 1) | 0]!) << 1] !== code[(pc + 2) | 0]) { if (profiling) prof[pc]!++; pc = code[(pc + 3) | 0]!; } else { if (profiling) prof[(pc + 1) | 0]!++; pc = (pc + 4) | 0; } continue;
              }

              default: {
                const unknown: never = op;
                throw new Error(`unknown opcode ${unknown as number} at ${pc}`);
              }
            }
            // The case may have grown the memory: views must be read again.
            I32 = mem.i32; F64 = mem.f64; U16 = mem.u16; U8 = mem.u8;
            continue;
          }
          // A loop back-edge to header pc: a step of fuel; count it for tiering; when
          // hot, the rest of the frame may run compiled (OSR), after which its caller
          // continues.
          if (metered && --fuel < 0) fuel = refuel(I32, limits, fuel);
          const edges = (counters[(fn << 1) + 1]! + 1) | 0;
          counters[(fn << 1) + 1] = edges;
          if (edges >= loopHot) {
            if (metered) { I32[FUEL_WORD] = fuel; parked = true; }
            const next = hotLoop(rt, fn, fp, pc - bases[fn]!);
            if (metered) { fuel = mem.i32[FUEL_WORD]!; parked = false; }
            if (next === OSR_DECLINED) continue;
            I32 = mem.i32; F64 = mem.f64; U16 = mem.u16; U8 = mem.u8;
            if (next === TO_HOST) break frames;
            const resume = I32[headerAt(fp) + Hdr.RESUME_PC]!;
            fp = next; fn = frameFn(I32, fp); pc = (bases[fn]! + resume) | 0;
          }
          // The end of a slice: the loop header runs first in the next one.
          if (--steps < 0) { stopFp = fp; if (metered) I32[FUEL_WORD] = fuel; return pc; }
        }
        // The entry frame returned to the host (its result stored).
        stopFp = fp;
        if (metered) I32[FUEL_WORD] = fuel;
        return DONE;
      }
    } catch (e) {
      // A trap of this loop's own (the cell is the truth while the copy is parked).
      if (metered && !parked) mem.i32[FUEL_WORD] = fuel;
      if (e instanceof Trap) throw new GuestFault(e, { fn, pc: pc - bases[fn]!, fp });
      throw e;
    }
  }

  function run(entryFp: number, entry: InterpEntry, startPc: number): void {
    const mem = rt.mem, counters = rt.counters, tiering = rt.tiering;
    const I32 = mem.i32;
    const fp = entryFp | 0, fn = frameFn(I32, fp);
    const lowers = entry === InterpEntry.CROSSING || entry === InterpEntry.RESUME;
    const hostLimit = lowers ? I32[HOST_LIMIT_WORD]! : 0;
    if (lowers) I32[HOST_LIMIT_WORD] = hostLimit - rt.crossingSlots;
    if (entry === InterpEntry.CROSSING) {
      const calls = counters[fn << 1]! + 1;
      counters[fn << 1] = calls;
      tiering.onCall(fn, calls);
    }
    if (entry !== InterpEntry.RESUME && rt.entries[fn] !== null) {
      runCompiled(rt, fn, fp);
      if (lowers) mem.i32[HOST_LIMIT_WORD] = hostLimit;
      return;
    }
    if (entry === InterpEntry.CROSSING && fp + rt.frameSizes[fn]! > rt.stackEndSlot) {
      // A compiled caller's frame fitted, this callee's does not (as in slice()).
      rt.interpretPastHostLimit(fp);
      mem.i32[TOP_FP_WORD] = mem.i32[headerAt(fp) + Hdr.CALLER_FP]!;
      if (lowers) mem.i32[HOST_LIMIT_WORD] = hostLimit;
      return;
    }
    let pc = slice(fp, (rt.codeBases[fn]! + startPc) | 0);
    while (pc !== DONE) pc = slice(stopFp, pc);
    // The entry frame returned to the host (its result stored): its caller
    // is the innermost frame again; the limit lowered at entry is restored.
    const i32 = mem.i32;
    i32[TOP_FP_WORD] = i32[headerAt(stopFp) + Hdr.CALLER_FP]!;
    if (lowers) i32[HOST_LIMIT_WORD] = i32[HOST_LIMIT_WORD]! + rt.crossingSlots;
  }

  /** The rest of a frame a c2i adapter entered, after its first slice. */
  function resume(pos: number): void { while (pos !== DONE) pos = slice(stopFp, pos); }

  return { run, adapterEntry: { enter: slice, resume } };
}

// The code image: every function's code in one array, for the interpreter. The
// interpreter's position is an index into the image, so the array it reads never
// changes while it runs (a call or return changes only the position: V8 then
// keeps the array's checks and data pointer out of the dispatch), and a jump's
// target is an image index too: each `lbl` operand is relocated by the start of
// its function.
//
// What must stay true: function f's code is at image[bases[f] ..] word for word
// (superinstructions included), but for its jump targets, which are its own
// targets + bases[f]. Everything outside the interpreter's loop (frame headers,
// published positions, traces, GC maps, profiles' positions, compiled code)
// keeps positions relative to the function: pc - bases[f].

import { OP_INFO, instrLength, type Op } from './opcodes.js';

export interface CodeImage {
  /** Every function's code, one after another, jump targets absolute. */
  readonly code: Int32Array;
  /** Where each function's code starts in `code`. */
  readonly bases: Int32Array;
}

/** The image of `codes` (each a function's code, in function index order). */
export function codeImage(codes: readonly Int32Array[]): CodeImage {
  const bases = new Int32Array(codes.length);
  let size = 0;
  codes.forEach((c, f) => { bases[f] = size; size += c.length; });
  const code = new Int32Array(size);
  codes.forEach((c, f) => { code.set(c, bases[f]!); relocateJumps(code, bases[f]!, c.length); });
  return { code, bases };
}

/** Add `base` to every jump target of the function's code at image[base ..]. */
function relocateJumps(code: Int32Array, base: number, length: number): void {
  for (let pc = base; pc < base + length; pc += instrLength(code[pc] as Op)) {
    OP_INFO[code[pc] as Op].args.forEach((a, i) => { if (a === 'lbl') code[pc + 1 + i] = code[pc + 1 + i]! + base; });
  }
}

/** Argument lists (the wasm i2c adapter's way to read a call's arguments where
 *  the caller has them). For each call that is a run of argument moves then
 *  CALL (opcodes.ts, SUPER_RUNS) whose moves each copy a register below the
 *  call area into one of the callee's parameters, a list: the call itself
 *  (ArgList: the callee, where its frame and the result go, the resume
 *  position), then one word per parameter: the byte offset, from the callee's
 *  frame, of where that argument is (the caller's register for a moved one,
 *  the parameter's own slot for one written before the run). The interpreter
 *  then skips the moves when the callee is compiled and hands the caller's fp
 *  and the list to the listed i2c adapter, which loads the rest itself: a
 *  move costs the interpreter a dispatch or a turn of a loop, about 1.2 ns,
 *  the adapter's load a fraction of that (docs/architecture.md, crossings,
 *  fifth and seventh rounds). `words` is the lists, to be stored at byte
 *  address `addr` (> 0); `at[p]` is a run's list's byte address (0: no list)
 *  at the run's image position p, `at[p + 1]` its CALL's position, `at[p + 2]`
 *  the callee and `at[p + 3]` the end of the callee's frame from the caller's
 *  fp (slots; a run is at least 7 words long). */
export interface ArgLists { readonly words: Int32Array; readonly at: Int32Array }

/** The words of a list before its arguments' offsets (ArgLists). */
export const enum ArgList {
  /** The callee's index. */
  FN = 0,
  /** The callee's fp less the caller's (slots). */
  BASE = 1,
  /** The caller's register that receives the result. */
  DST = 2,
  /** The caller's position after the CALL (its own, as in a frame header). */
  RESUME_PC = 3,
  /** The first argument's offset. */
  ARGS = 4,
}

export function argLists(image: CodeImage, params: readonly (readonly unknown[])[], frameSizes: ArrayLike<number>, headerSlots: number, addr: number, runOps: readonly Op[], moveOps: readonly Op[], callOp: Op): ArgLists {
  const code = image.code, bases = image.bases, at = new Int32Array(code.length);
  const words: number[] = [];
  let f = 0;
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc] as Op)) {
    if (!runOps.includes(code[pc] as Op)) continue;
    while (f + 1 < bases.length && bases[f + 1]! <= pc) f++;
    let q = pc;
    const moves: [number, number][] = [];
    do { moves.push([code[q + 1]!, code[q + 2]!]); q += 3; } while (moveOps.includes(code[q] as Op));
    if (code[q] !== callOp) continue;
    const callee = code[q + 1]!, first = code[q + 2]! + headerSlots, n = params[callee]!.length;
    const list = Array.from({ length: n }, (_, i) => i * 8);
    const seen = new Set<number>();
    const ok = moves.every(([dst, src]) => {
      if (dst < first || dst >= first + n || src >= code[q + 2]! || seen.has(dst)) return false;
      seen.add(dst); list[dst - first] = (src - first) * 8;
      return true;
    });
    if (!ok) continue;
    at[pc] = addr + words.length * 4; at[pc + 1] = q; at[pc + 2] = callee; at[pc + 3] = first + frameSizes[callee]!;
    words.push(callee, first, code[q + 3]!, q + instrLength(callOp) - bases[f]!, ...list);
  }
  return { words: Int32Array.from(words), at };
}

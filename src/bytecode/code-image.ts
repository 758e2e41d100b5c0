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

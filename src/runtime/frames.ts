// The frame header: the HEADER_SLOTS slots (four i32 words) just below a frame's
// R[0], the same in every tier. Whoever pushes a frame writes it (the interpreter,
// compiled code at a call, a c2i adapter, a host entry); returns, stack traces,
// the collector's root walk and OSR read it. Every tier names the words through
// Hdr and these accessors; the byte offsets compiled code bakes in come from
// headerByteOffset.
//
//   word FN          index of the function running in this frame
//   word CALLER_FP   the caller's frame pointer (slot units); -1: no guest caller
//   word RESUME_PC   the caller's position after its call instruction
//   word RETURN_AT   where the interpreter's return continues the caller: its
//                    position in the code image (bytecode/code-image.ts) right
//                    after the call, whose last operand is the register that
//                    receives the result (so a return's next pc depends on one
//                    load, not on the caller's fp, then its function, then that
//                    function's base: interp -> interp 2-3 ns a call);
//                    TO_HOST (-1): return to whoever entered this frame from the host
//                    (an i2c or c2i adapter, the embedding API, an OSR entry).
//                    Only the interpreter writes anything else, and only it reads it.

import { HEADER_SLOTS } from '../bytecode/opcodes.js';

export { HEADER_SLOTS };

/** HEADER_SLOTS as this module's own constant, not exported: V8 reads an
 *  imported or exported binding through its cell, with a hole check, wherever
 *  headerAt is inlined (the interpreter's calls and returns), and folds this. */
const SLOTS = HEADER_SLOTS;

/** The header's words, as offsets from headerAt(fp) in an Int32Array view. A
 *  const enum: every use compiles to a literal (no cost in the interpreter). */
export const enum Hdr { FN = 0, CALLER_FP = 1, RESUME_PC = 2, RETURN_AT = 3 }

/** RETURN_AT of a frame whose result goes to the host (and CALLER_FP of a frame
 *  with no guest caller). */
export const TO_HOST = -1;

/** i32 index of word 0 of the header of the frame at slot fp. */
export function headerAt(fp: number): number { return (fp - SLOTS) << 1; }

/** Byte offset of header word w from the frame's base address fp * 8 (negative). */
export function headerByteOffset(w: Hdr): number { return w * 4 - HEADER_SLOTS * 8; }

export function frameFn(i32: Int32Array, fp: number): number { return i32[headerAt(fp) + Hdr.FN]!; }
export function callerFpOf(i32: Int32Array, fp: number): number { return i32[headerAt(fp) + Hdr.CALLER_FP]!; }
export function resumePcOf(i32: Int32Array, fp: number): number { return i32[headerAt(fp) + Hdr.RESUME_PC]!; }

/** Write the whole header of the frame at fp. */
export function pushFrame(i32: Int32Array, fp: number, fn: number, callerFp: number, resumePc: number, returnAt: number): void {
  pushCompiledFrame(i32, fp, fn, callerFp, resumePc);
  i32[headerAt(fp) + Hdr.RETURN_AT] = returnAt;
}

/** The header of a frame that compiled code runs: all but RETURN_AT, which
 *  only a frame the interpreter runs reads (its RET). Whatever sends a compiled
 *  frame to the interpreter (a c2i adapter, a deopt, the host-stack limit)
 *  writes RETURN_AT then; compiled code's own calls write these three words,
 *  and so does an i2c adapter, for the interpreter's call (runtime.ts,
 *  CompiledEntry). */
export function pushCompiledFrame(i32: Int32Array, fp: number, fn: number, callerFp: number, resumePc: number): void {
  const h = headerAt(fp);
  i32[h + Hdr.FN] = fn; i32[h + Hdr.CALLER_FP] = callerFp; i32[h + Hdr.RESUME_PC] = resumePc;
}

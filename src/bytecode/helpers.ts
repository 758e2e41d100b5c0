// The runtime helpers compiled code may call, by name and signature.
//
// The opcode table names the helper each instruction uses (OpInfo.helper); every
// f64 math built-in is a helper of its own name (builtins.ts). jit/helpers.ts
// implements all of them for both backends, as a Record over these names, so a
// helper named here and not implemented there fails to compile.
//
// A signature is `PARAMS>RESULT` in value letters: i = i32 (or a reference's
// address), f = f64; an empty side means none. The wasm backend imports each helper
// with exactly this type.

import { MATH_BUILTINS } from './builtins.js';

export const FIXED_HELPERS = {
  /** (trap code, fp, pc): a check failed in compiled code at that frame and position. */
  trap: 'iii>',
  /** (index, length, fp, pc): an index out of bounds. */
  trap_index: 'iiii>',
  /** (fp): the compiled function whose frame is at fp is past the host-stack
   *  limit: run it in the interpreter (or trap: stack overflow), by result kind. */
  interp_i: 'i>i', interp_f: 'i>f', interp_v: 'i>',
  /** (fp, pc, reason): a guard of tier-2 code failed at pc; its registers are
   *  in the frame: the interpreter finishes the frame; its result, by kind
   *  (runtime.ts deopt; reason: runtime/profile.ts DeoptReason). */
  deopt_i: 'iii>i', deopt_f: 'iii>f', deopt_v: 'iii>',
  /** (f): tier-1 code of f counted its calls to tier 2 (runtime/tiering.ts);
   *  returns the calls to count before asking again (0: never). */
  tier_up: 'i>i',
  new_struct: 'i>i',
  /** (bytes): open a new allocation window with room for that many bytes (may
   *  collect; the caller has published its frame). Used by the wasm string
   *  operations (jit/wasm/strings.ts) and compiled NEWARR* (jit/wasm/lower.ts)
   *  when their window is used up. */
  refill: 'i>',
  /** (object, element index or -1): the write barrier's slow path — log an
   *  OLD object in the remembered set, and a big array's card. Never allocates
   *  or traps. */
  remember: 'ii>',
  /** (ObjKind of the array, length). Compiled wasm code calls it only for
   *  the arrays it does not allocate itself (runtime/heap.ts windowArrayMax). */
  new_array: 'ii>i',
  concat: 'ii>i',
  /** String builders (runtime/string-builder.ts): (string or builder, string)
   *  -> string or builder; (string or builder) -> string. */
  sb_append: 'ii>i', sb_str: 'i>i',
  substr: 'iii>i',
  streq: 'ii>i',
  /** (rope, fp, pc) -> its flat string (runtime/heap.ts, ropes), for s[i] at
   *  that frame and position. Never collects (may grow the memory); traps
   *  (`out of memory`) only when the heap has no room for the flat string. */
  flat: 'iii>i',
  tostr_i: 'i>i', tostr_f: 'f>i', tostr_b: 'i>i',
  fixed: 'fi>i', chr: 'i>i',
  parse_i: 'i>i', parse_f: 'i>f',
  /** (value, newline?). */
  out_i: 'ii>', out_f: 'fi>', out_b: 'ii>', out_s: 'ii>',
  panic: 'i>',
  /** f64 remainder as JavaScript's % (wasm has no f64 rem). */
  fmod: 'ff>f',
  clock: '>f',
  /** The next line of input as a new string, or 0 (null) at the end. */
  read_line: '>i',
  /** (extern index, slot of its first argument). */
  callx: 'ii>',
  /** (fp, pc): the fuel counter went below zero at a step charged to that frame
   *  and position: refill it, or trap `out of fuel` / `interrupted` there
   *  (runtime/limits.ts). */
  poll: 'ii>',
} as const;

export type FixedHelper = keyof typeof FIXED_HELPERS;
export type MathHelper = keyof typeof MATH_BUILTINS;
export type Helper = FixedHelper | MathHelper;

/** Signature of helper h (see the top of this file). */
export function helperSignature(h: Helper): string {
  if (h in FIXED_HELPERS) return FIXED_HELPERS[h as FixedHelper];
  return MATH_BUILTINS[h as MathHelper].params.length === 1 ? 'f>f' : 'ff>f';
}

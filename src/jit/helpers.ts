// The host implementations of the runtime helpers compiled code calls, shared by
// both backends (the wasm backend imports them; the JS backend binds them from its
// environment record). Names and signatures are bytecode/helpers.ts; the table
// below is a Record over every helper name, so one named there and not written
// here fails to compile.
//
// A compiled module imports only the helpers its code can call: V8 builds an
// import wrapper per imported function at instantiation, so importing the whole
// list would cost more than compiling a small function. Helpers that can fail
// report a Trap; those raised on behalf of compiled code become a GuestFault at
// the frame and position compiled code published just before the call (or, for
// `trap` and `trap_index`, the ones it passes). No helper allocates host memory
// on its fast path except the ones that make text (str, fixed, output).

import { MATH_BUILTINS, type MathBuiltin } from '../bytecode/builtins.js';
import type { FixedHelper, Helper } from '../bytecode/helpers.js';
import { Trap, GuestFault } from '../runtime/errors.js';
import type { ArrayKind } from '../runtime/heap.js';
import { frameFn } from '../runtime/frames.js';
import { type Runtime, TOP_FP_WORD, TOP_PC_WORD, SCRATCH_SLOT } from '../runtime/runtime.js';
import { callExtern } from '../runtime/externs.js';
import { appendTo, stringOf } from '../runtime/string-builder.js';
import type { DeoptReason } from '../runtime/profile.js';
import { formatF64, fixed, checkCodePoint, parseF64 } from '../runtime/builtins.js';

/** First argument of the `trap` helper: which check failed. */
export const enum TrapCode { NULL = 0, DIV_ZERO = 1, OVERFLOW = 2 }
const TRAP_MESSAGES: Readonly<Record<TrapCode, string>> = {
  [TrapCode.NULL]: 'null reference',
  [TrapCode.DIV_ZERO]: 'division by zero',
  [TrapCode.OVERFLOW]: 'integer overflow',
};

/** The fault for a trap raised while frame fp ran position pc. */
function faultAt(rt: Runtime, trap: Trap, fp: number, pc: number): GuestFault {
  return new GuestFault(trap, { fn: frameFn(rt.mem.i32, fp), pc, fp });
}

/** A Trap from a helper becomes a fault at the published frame and position. */
function atPublished(rt: Runtime, e: unknown): unknown {
  if (!(e instanceof Trap)) return e;
  const i32 = rt.mem.i32;
  return faultAt(rt, e, i32[TOP_FP_WORD]!, i32[TOP_PC_WORD]!);
}

/** Wraps a helper that may throw a Trap (arity up to three, no rest arguments so
 *  that a call allocates nothing). */
function guarded<A, B, C, R>(rt: Runtime, f: (a: A, b: B, c: C) => R): (a: A, b: B, c: C) => R {
  return (a, b, c) => {
    try { return f(a, b, c); } catch (e) { throw atPublished(rt, e); }
  };
}

export type HelperFn = (...args: never[]) => unknown;

/** The host implementations, keyed by helper name, for one VM instance. */
export function helperImports(rt: Runtime): Readonly<Record<Helper, HelperFn>> {
  const heap = rt.heap, out = rt.out;
  const str = (s: string) => heap.newString(s);
  const fixedHelpers: Record<FixedHelper, HelperFn> = {
    trap: (code: TrapCode, fp: number, pc: number) => { throw faultAt(rt, new Trap(TRAP_MESSAGES[code]), fp, pc); },
    trap_index: (i: number, len: number, fp: number, pc: number) => {
      throw faultAt(rt, new Trap(`index ${i} out of bounds for length ${len}`), fp, pc);
    },
    interp_i: (fp: number) => rt.interpretPastHostLimit(fp),
    interp_f: (fp: number) => rt.interpretPastHostLimit(fp),
    interp_v: (fp: number) => { rt.interpretPastHostLimit(fp); },
    deopt_i: (fp: number, pc: number, reason: DeoptReason) => rt.deopt(fp, pc, reason),
    deopt_f: (fp: number, pc: number, reason: DeoptReason) => rt.deopt(fp, pc, reason),
    deopt_v: (fp: number, pc: number, reason: DeoptReason) => { rt.deopt(fp, pc, reason); },
    tier_up: (f: number) => rt.tiering.onHotCompiled(f),
    new_struct: guarded(rt, (st: number) => heap.newStruct(st)),
    // Not `guarded`: compiled code refills every few objects where the heap is
    // fragmented, and one wrapper shared by every helper makes its call site
    // megamorphic (a profile of 1.3 million refills put 68 ms in the wrapper).
    refill: (bytes: number) => { try { heap.refill(bytes); } catch (e) { throw atPublished(rt, e); } },
    // Compiled wasm code calls this when its store buffer is full (its own
    // remember appends there: jit/wasm/alloc.ts, addRemember).
    remember: (obj: number, index: number) => { heap.drainStoreBuffer(); heap.remember(obj, index); },
    new_array: guarded(rt, (kind: ArrayKind, len: number) => heap.newArray(kind, len)),
    concat: guarded(rt, (a: number, b: number) => heap.concat(a, b)),
    sb_append: guarded(rt, (b: number, s: number) => appendTo(heap, b, s)),
    sb_str: guarded(rt, (b: number) => stringOf(heap, b)),
    substr: guarded(rt, (s: number, a: number, b: number) => heap.substr(s, a, b)),
    streq: (a: number, b: number) => (heap.stringsEqual(a, b) ? 1 : 0),
    flat: (s: number, fp: number, pc: number) => {
      try { return heap.flat(s); } catch (e) { throw e instanceof Trap ? faultAt(rt, e, fp, pc) : e; }
    },
    tostr_i: guarded(rt, (x: number) => str(String(x))),
    tostr_f: guarded(rt, (x: number) => str(formatF64(x))),
    tostr_b: guarded(rt, (x: number) => str(x ? 'true' : 'false')),
    fixed: guarded(rt, (x: number, d: number) => str(fixed(x, d))),
    chr: guarded(rt, (c: number) => { checkCodePoint(c); return heap.newChr(c); }),
    parse_i: guarded(rt, (s: number) => heap.parseI32(s)),
    parse_f: guarded(rt, (s: number) => parseF64(heap.readString(s))),
    out_i: (x: number, nl: number) => out.write(nl ? x + '\n' : String(x)),
    out_f: (x: number, nl: number) => out.write(nl ? formatF64(x) + '\n' : formatF64(x)),
    out_b: (x: number, nl: number) => out.write((x ? 'true' : 'false') + (nl ? '\n' : '')),
    out_s: (s: number, nl: number) => out.write(nl ? heap.readString(s) + '\n' : heap.readString(s)),
    panic: guarded(rt, (s: number) => { throw new Trap(heap.readString(s)); }),
    fmod: (a: number, b: number) => a % b,
    clock: () => performance.now(),
    read_line: guarded(rt, () => { const line = rt.readLine(); return line === null ? 0 : heap.newString(line); }),
    poll: (fp: number, pc: number) => {
      try { rt.limits.poll(); } catch (e) { throw e instanceof Trap ? faultAt(rt, e, fp, pc) : e; }
    },
    callx: guarded(rt, (ext: number, argFp: number) => {
      const saved = rt.sp, savedCaller = rt.hostCallerFp;
      rt.hostCallerFp = rt.mem.i32[TOP_FP_WORD]!;
      rt.sp = argFp + rt.mod.externs[ext]!.params.length;
      try { callExtern(rt, ext, argFp, SCRATCH_SLOT); } finally { rt.sp = saved; rt.hostCallerFp = savedCaller; }
    }),
  };
  const math = Object.fromEntries(Object.entries(MATH_BUILTINS).map(([n, m]) => [n, m.impl])) as Record<MathBuiltin, HelperFn>;
  return { ...fixedHelpers, ...math };
}

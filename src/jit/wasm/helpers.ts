// The runtime helpers compiled wasm code imports, and their host implementations.
//
// A compiled module imports only the helpers its code can call (helpersUsed in
// lower.ts): V8 builds an import wrapper per imported function at instantiation,
// so importing the whole list would cost more than compiling the function. Helpers
// that can fail
// report a Trap; those raised on behalf of compiled code become a GuestFault at
// the frame and position compiled code published just before the call (or, for
// `trap`, the ones it passes). No helper allocates host memory on its fast path
// except the ones that make text (str, fixed, output).

import { HEADER_SLOTS } from '../../bytecode/opcodes.js';
import { Trap, GuestFault, stackOverflowAt, type FaultSite } from '../../runtime/errors.js';
import { ObjKind } from '../../runtime/heap.js';
import { type Runtime, TOP_FP_WORD, TOP_PC_WORD, SCRATCH_SLOT } from '../../runtime/runtime.js';
import { callExtern } from '../../runtime/externs.js';
import { formatF64, fixed, chr, parseI32, parseF64 } from '../../runtime/builtins.js';
import { ValType } from './encoder.js';

const I = ValType.I32, F = ValType.F64;

export const enum TrapCode { NULL = 0, DIV_ZERO = 1, OVERFLOW = 2 }
const TRAP_MESSAGES = ['null reference', 'division by zero', 'integer overflow'];

/** name, parameter types, result types — the import order of every compiled module. */
export const HELPERS = [
  ['trap', [I, I, I], []],            // (code, fp, pc)
  ['trap_index', [I, I, I, I], []],   // (index, length, fp, pc)
  ['trap_stack', [I], []],            // (fp of the frame that does not fit)
  ['new_struct', [I], [I]],
  ['new_array', [I, I], [I]],         // (ObjKind, length)
  ['concat', [I, I], [I]],
  ['substr', [I, I, I], [I]],
  ['streq', [I, I], [I]],
  ['tostr_i', [I], [I]], ['tostr_f', [F], [I]], ['tostr_b', [I], [I]],
  ['fixed', [F, I], [I]], ['chr', [I], [I]],
  ['parse_i', [I], [I]], ['parse_f', [I], [F]],
  ['out_i', [I, I], []], ['out_f', [F, I], []], ['out_b', [I, I], []], ['out_s', [I, I], []],
  ['panic', [I], []],
  ['fmod', [F, F], [F]],
  ['sin', [F], [F]], ['cos', [F], [F]], ['tan', [F], [F]], ['atan', [F], [F]], ['exp', [F], [F]], ['log', [F], [F]],
  ['atan2', [F, F], [F]], ['pow', [F, F], [F]],
  ['clock', [], [F]],
  ['callx', [I, I], []],              // (extern index, slot of its first argument)
] as const;

export type HelperName = (typeof HELPERS)[number][0];

/** Parameter and result types of each helper. */
export const HELPER_TYPES = Object.fromEntries(HELPERS.map((h) => [h[0], { params: h[1], results: h[2] }])) as unknown as
  Record<HelperName, { params: readonly ValType[]; results: readonly ValType[] }>;

/** The fault for a trap raised while frame fp ran position pc. */
function faultAt(rt: Runtime, trap: Trap, fp: number, pc: number): GuestFault {
  const site: FaultSite = { fn: rt.mem.i32[(fp - HEADER_SLOTS) << 1]!, pc, fp };
  return new GuestFault(trap, site);
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

/** The host implementations, keyed by helper name, for one VM instance. */
export function helperImports(rt: Runtime): Record<HelperName, (...args: never[]) => unknown> {
  const heap = rt.heap, out = rt.out;
  const str = (s: string) => heap.newString(s);
  return {
    trap: (code: number, fp: number, pc: number) => { throw faultAt(rt, new Trap(TRAP_MESSAGES[code]!), fp, pc); },
    trap_index: (i: number, len: number, fp: number, pc: number) => {
      throw faultAt(rt, new Trap(`index ${i} out of bounds for length ${len}`), fp, pc);
    },
    trap_stack: (fp: number) => { throw stackOverflowAt(rt.mem.i32, fp); },
    new_struct: guarded(rt, (st: number) => heap.newStruct(st)),
    new_array: guarded(rt, (kind: number, len: number) => heap.newArray(kind as ObjKind, len)),
    concat: guarded(rt, (a: number, b: number) => heap.concat(a, b)),
    substr: guarded(rt, (s: number, a: number, b: number) => heap.substr(s, a, b)),
    streq: (a: number, b: number) => (heap.stringsEqual(a, b) ? 1 : 0),
    tostr_i: guarded(rt, (x: number) => str(String(x))),
    tostr_f: guarded(rt, (x: number) => str(formatF64(x))),
    tostr_b: guarded(rt, (x: number) => str(x ? 'true' : 'false')),
    fixed: guarded(rt, (x: number, d: number) => str(fixed(x, d))),
    chr: guarded(rt, (c: number) => str(chr(c))),
    parse_i: guarded(rt, (s: number) => parseI32(heap.readString(s))),
    parse_f: guarded(rt, (s: number) => parseF64(heap.readString(s))),
    out_i: (x: number, nl: number) => out.write(nl ? x + '\n' : String(x)),
    out_f: (x: number, nl: number) => out.write(nl ? formatF64(x) + '\n' : formatF64(x)),
    out_b: (x: number, nl: number) => out.write((x ? 'true' : 'false') + (nl ? '\n' : '')),
    out_s: (s: number, nl: number) => out.write(nl ? heap.readString(s) + '\n' : heap.readString(s)),
    panic: guarded(rt, (s: number) => { throw new Trap(heap.readString(s)); }),
    fmod: (a: number, b: number) => a % b,
    sin: Math.sin, cos: Math.cos, tan: Math.tan, atan: Math.atan, exp: Math.exp, log: Math.log,
    atan2: Math.atan2, pow: Math.pow,
    clock: () => performance.now(),
    callx: guarded(rt, (ext: number, argFp: number) => {
      const saved = rt.sp, savedCaller = rt.hostCallerFp;
      rt.hostCallerFp = rt.mem.i32[TOP_FP_WORD]!;
      rt.sp = argFp + rt.mod.externs[ext]!.params.length;
      try { callExtern(rt, ext, argFp, SCRATCH_SLOT); } finally { rt.sp = saved; rt.hostCallerFp = savedCaller; }
    }),
  };
}


// The generic adapters (--adapters=generic): a few hand-written crossings between
// the interpreter and compiled code that read the callee's signature at run time,
// in place of the adapters generated per signature shape (wasm/backend.ts,
// js/adapters.ts). What a VM that cannot generate code for its crossings does
// (V8's generic JS-to-wasm wrapper, Mono's prebuilt wasm trampolines chosen by a
// signature cookie); kept to measure what generating them buys (bench/crossings.mjs,
// docs/architecture.md). Both backends use them.
//
//   i2c(calleeFp, dstAddr, f, callerFp, resumePc[, args])  (args: always 0 here; runtime.ts argListAt)
//                                 one for every shape: writes the callee's header
//                                 (pushCompiledFrame), reads its arity, parameter kinds and
//                                 result kind from tables, loads the arguments
//                                 from the frame and calls its table slot.
//   c2i(fp, a0..a5) -> result     for every shape of at most GENERIC_ARITY
//                                 parameters: reads the callee (the compiled
//                                 caller wrote its header's FN) and stores the
//                                 arguments by kind; c2iRest(fp, ...args) for
//                                 longer ones (allocates an array per call).
//
// What must stay true: same frames and results as the generated adapters (the
// unit test tests/unit/adapters.mjs compares them over every shape and direction);
// views are read after the call they straddle (memory may have grow during it).

import { Kind } from '../bytecode/opcodes.js';
import type { BcModule } from '../bytecode/module.js';
import { type Runtime, type CompiledEntry, type InterpretFrame, InterpEntry, SCRATCH_SLOT } from '../runtime/runtime.js';
import { Hdr, TO_HOST, headerAt, pushCompiledFrame } from '../runtime/frames.js';

/** Compiled code or a c2i adapter as JavaScript sees it: (fp, native args...). */
export type GuestFn = (fp: number, ...args: number[]) => number | undefined;

/** Parameters a generic c2i adapter takes as named arguments (more: c2iRest). */
export const GENERIC_ARITY = 6;

/** The signature tables the generic adapters read, per function: arity, a bit per
 *  f64 parameter (parameter i < 31; later ones are read from the module), result kind. */
interface SigTables { arity: Int32Array; f64Mask: Int32Array; ret: Uint8Array; mod: BcModule }

function sigTables(mod: BcModule): SigTables {
  const fns = mod.functions;
  return {
    arity: Int32Array.from(fns, (f) => f.params.length),
    f64Mask: Int32Array.from(fns, (f) => f.params.reduce((m, k, i) => (k === Kind.F && i < 31 ? m | (1 << i) : m), 0)),
    ret: Uint8Array.from(fns, (f) => f.ret ?? 0),
    mod,
  };
}

function isF64Param(t: SigTables, f: number, i: number): boolean {
  return i < 31 ? (t.f64Mask[f]! & (1 << i)) !== 0 : t.mod.functions[f]!.params[i] === Kind.F;
}

/** The generic i2c adapter: `slot(f)` is table slot f (compiled code). */
export function genericI2c(rt: Runtime, slot: (f: number) => GuestFn): CompiledEntry {
  const t = sigTables(rt.mod);
  const arg = (fp: number, f: number, i: number): number =>
    isF64Param(t, f, i) ? rt.mem.f64[fp + i]! : rt.mem.i32[(fp + i) << 1]!;
  return function i2cGeneric(fp: number, dst: number, f: number, callerFp: number, resumePc: number): void {
    pushCompiledFrame(rt.mem.i32, fp, f, callerFp, resumePc);
    const code = slot(f);
    let r: number | undefined;
    switch (t.arity[f]) {
      case 0: r = code(fp); break;
      case 1: r = code(fp, arg(fp, f, 0)); break;
      case 2: r = code(fp, arg(fp, f, 0), arg(fp, f, 1)); break;
      case 3: r = code(fp, arg(fp, f, 0), arg(fp, f, 1), arg(fp, f, 2)); break;
      case 4: r = code(fp, arg(fp, f, 0), arg(fp, f, 1), arg(fp, f, 2), arg(fp, f, 3)); break;
      case 5: r = code(fp, arg(fp, f, 0), arg(fp, f, 1), arg(fp, f, 2), arg(fp, f, 3), arg(fp, f, 4)); break;
      case 6: r = code(fp, arg(fp, f, 0), arg(fp, f, 1), arg(fp, f, 2), arg(fp, f, 3), arg(fp, f, 4), arg(fp, f, 5)); break;
      default: r = code(fp, ...Array.from({ length: t.arity[f]! }, (_, i) => arg(fp, f, i)));
    }
    const k = t.ret[f];
    if (k === Kind.F) rt.mem.f64[dst >> 3] = r!;
    else if (k !== 0) rt.mem.i32[dst >> 2] = r!;
  };
}

/** The generic c2i adapters: `enter` runs the interpreter on a pushed frame and
 *  leaves the raw result in the scratch slot (Runtime.interpretFrame). */
export function genericC2i(rt: Runtime, enter: InterpretFrame): { c2i: GuestFn; c2iRest: GuestFn } {
  const t = sigTables(rt.mod);
  const put = (fp: number, f: number, i: number, v: number): void => {
    if (isF64Param(t, f, i)) rt.mem.f64[fp + i] = v; else rt.mem.i32[(fp + i) << 1] = v;
  };
  /** Enter the interpreter on the frame at fp (arguments stored) and return its result. */
  const run = (fp: number, f: number): number | undefined => {
    rt.mem.i32[headerAt(fp) + Hdr.RETURN_AT] = TO_HOST;
    enter(fp, InterpEntry.CROSSING, 0);
    const k = t.ret[f];
    return k === Kind.F ? rt.mem.f64[SCRATCH_SLOT]! : k !== 0 ? rt.mem.i32[SCRATCH_SLOT << 1]! : undefined;
  };
  function c2iGeneric(fp: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number): number | undefined {
    const f = rt.mem.i32[headerAt(fp) + Hdr.FN]!;
    const n = t.arity[f]!;
    if (n > 0) put(fp, f, 0, a0);
    if (n > 1) put(fp, f, 1, a1);
    if (n > 2) put(fp, f, 2, a2);
    if (n > 3) put(fp, f, 3, a3);
    if (n > 4) put(fp, f, 4, a4);
    if (n > 5) put(fp, f, 5, a5);
    return run(fp, f);
  }
  function c2iRest(fp: number, ...args: number[]): number | undefined {
    const f = rt.mem.i32[headerAt(fp) + Hdr.FN]!;
    args.forEach((v, i) => put(fp, f, i, v));
    return run(fp, f);
  }
  return { c2i: c2iGeneric as GuestFn, c2iRest };
}

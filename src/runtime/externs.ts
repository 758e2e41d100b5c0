// Calls from guest code to host functions supplied by the embedder (`extern fn`),
// shared by every tier: the interpreter calls callExtern directly, compiled code
// through the `callx` helper.
//
// Which functions: extern NAME is the embedder's own property NAME of the externs
// object (enumerable or not) holding a function. Nothing is looked up on a
// prototype, so `extern fn toString()` is not provided unless the embedder
// provides it. An extern is called with `this` undefined.
//
// Values cross as JavaScript values: i32 -> number, f64 -> number, bool ->
// boolean, str -> string (null -> null), and any other reference or function
// value as its raw number (an opaque handle). Results are checked, never
// converted; anything else is a runtime error at the call,
// `extern NAME returned WHAT, expected T`:
//   i32   a number that is an integer in [-2^31, 2^31 - 1] (-0 is 0); not
//         2^31..2^32-1 as a bit pattern: an out-of-range number from the host is
//         far more often an overflow than intent, and `x | 0` says the intent;
//   f64   any number (NaN and the infinities included);
//   bool  a boolean;
//   str   a string or null;
//   other references and function values: null, or a handle the same call
//         received as an argument of the same type. A handle kept from an earlier
//         call may name an object the collector has since freed, and any other
//         number could point anywhere in memory. The struct and array arguments
//         such a result may be are held as temporary roots for the call (an
//         extern that calls back into the guest may make it collect, and the
//         caller's frame need not keep them: a collection freed one and the
//         guest read what took its place).
//
// Order: guest output buffered before the call is flushed before the extern
// runs, so what the guest printed first appears first, even when the extern
// prints to the same place.
//
// Exceptions: whatever the extern throws is wrapped here, at the boundary, in a
// HostFault that carries the guest stack trace of the call, so no tier mistakes
// it for its own (a RangeError for a host stack overflow in compiled code, a
// Trap). vm.ts hands the embedder's exception back from run() and call().
// One is not wrapped: the host stack's own overflow met with the stack still
// all but full here (outOfHostStack), which is the guest's `stack overflow` at
// this call (an extern calling into another program whose entry could not
// even start, as when programs' externs call each other in a chain).
//
// Re-entry: an extern may call back into the guest (the embedding API's call()).
// What such a nested call throws out through the extern (a guest runtime error,
// or a host exception from an extern deeper down) already carries the whole
// trace, innermost first through every level; the API records it in
// rt.escaping, and this boundary passes it on unchanged. A run interrupted
// inside the nested call stays interrupted: if the extern catches that and
// returns, the run ends at this call anyway (limits.ts, afterExtern).

import { Kind } from '../bytecode/opcodes.js';
import type { BcExtern, BcModule } from '../bytecode/module.js';
import { type Runtime, type HostFunction, TOP_FP_WORD, TOP_PC_WORD } from './runtime.js';
import { STACK_OVERFLOW, Trap, guestTrace, isHostStackOverflow, type GuestTrace, traceLines } from './errors.js';
import { hostStackLeft, hostStackProbes } from './host-stack.js';
import { frameFn } from './frames.js';

/** An exception thrown by the embedder's code (an extern, or an output callback
 *  as vm.ts wraps them) on its way through the guest's frames. Not an Error and
 *  not a Trap: every tier passes it through unchanged. */
export class HostFault {
  /** `trace`: the guest frames that called the extern, innermost first (null for
   *  output callbacks: buffered output belongs to no one guest position). */
  constructor(readonly value: unknown, readonly trace: GuestTrace | null) {}

  /** The trace as `  at FN (FILE:LINE)` lines (null without one). */
  get guestTrace(): string[] | null { return this.trace === null ? null : traceLines(this.trace); }
}

/** The externs object's own function-valued properties, copied into an object
 *  without a prototype (the runtime looks them up by name there). */
export function ownExterns(given: object): Record<string, HostFunction> {
  const table = Object.create(null) as Record<string, HostFunction>;
  for (const name of Object.getOwnPropertyNames(given)) {
    const d = Object.getOwnPropertyDescriptor(given, name);
    if (d && typeof d.value === 'function') table[name] = d.value as HostFunction;
  }
  return table;
}

/** Names of externs the program declares and `table` does not provide. */
export function missingExterns(mod: BcModule, table: object): string[] {
  return mod.externs
    .filter((e) => !Object.hasOwn(table, e.name) || typeof (table as Record<string, unknown>)[e.name] !== 'function')
    .map((e) => e.name);
}

/** Call extern `index` with the arguments in the slots from argFp, its result
 *  to slot dstSlot. Up to three arguments go to the host function as plain
 *  arguments, with no array made per call (an array and a closure were about
 *  58 bytes of host heap per call); more go through an array. */
export function callExtern(rt: Runtime, index: number, argFp: number, dstSlot: number): void {
  const ext = rt.mod.externs[index]!;
  const f = rt.externs[index]!;
  const n = ext.params.length;
  let many: unknown[] | null = null, a0: unknown, a1: unknown, a2: unknown;
  if (n > 3) many = ext.params.map((_, i) => argOf(rt, ext, argFp, i));
  else { if (n > 0) a0 = argOf(rt, ext, argFp, 0); if (n > 1) a1 = argOf(rt, ext, argFp, 1); if (n > 2) a2 = argOf(rt, ext, argFp, 2); }
  rt.out.flush(false);
  const mark = rt.handles.depth;
  const keep = ext.ret === Kind.R ? heldArgs(ext) : NONE;   // (only a reference result can be an argument)
  for (let j = 0; j < keep.length; j++) {
    const i = keep[j]!;
    rt.handles.push((many !== null ? many[i] : i === 0 ? a0 : i === 1 ? a1 : a2) as number);
  }
  let result: unknown;
  try {
    // Called as plain functions from this (strict) module: `this` is undefined.
    switch (n) {
      case 0: result = f(); break;
      case 1: result = f(a0); break;
      case 2: result = f(a0, a1); break;
      case 3: result = f(a0, a1, a2); break;
      default: result = Reflect.apply(f, undefined, many!);
    }
  } catch (e) {
    rt.handles.truncate(mark);
    const passing = rt.escaping;
    if (passing !== null && passing.value === e) throw passing.carrier;
    if (outOfHostStack(e)) throw new Trap(STACK_OVERFLOW);
    throw new HostFault(e, traceOfCall(rt));
  }
  // (Nothing allocates from here to the store of a reference result but a
  // string result itself.)
  rt.handles.truncate(mark);
  rt.limits.afterExtern();
  if (ext.ret === null) return;
  if (ext.ret === Kind.F) {
    if (typeof result !== 'number') throw wrongResult(ext, result);
    rt.mem.f64[dstSlot] = result;
  } else {
    // The result first, then the view: a string result is allocated, and that
    // may grow the memory, which replaces the views (`rt.mem.i32[...] =
    // rawResult(...)` reads the old view before the call and stores into the
    // detached buffer: the slot kept its previous value).
    const raw = rawResult(rt, ext, result, many, a0, a1, a2);
    rt.mem.i32[dstSlot << 1] = raw;
  }
}

/** Is e a host stack overflow met with less than 64 KiB of host stack left
 *  here (V8, where that can be measured)? An embedder's own RangeError, or
 *  its code's overflow after its frames unwound, leaves more. */
function outOfHostStack(e: unknown): boolean {
  return isHostStackOverflow(e) && hostStackProbes() && hostStackLeft(64 * 1024) === 0;
}

const NONE: readonly number[] = [];
const heldArgsOf = new WeakMap<BcExtern, readonly number[]>();

/** The struct and array arguments of `ext` its result may be (rawResult): held
 *  as roots while it runs. Function values are not heap objects. */
function heldArgs(ext: BcExtern): readonly number[] {
  let held = heldArgsOf.get(ext);
  if (held === undefined) {
    const t = ext.retType;
    const ref = ext.ret !== null && t !== 'i32' && t !== 'f64' && t !== 'bool' && t !== 'str' && !t.startsWith('fn(');
    held = ref ? ext.paramTypes.flatMap((p, i) => (p === t ? [i] : [])) : NONE;
    if (held.length === 0) held = NONE;
    heldArgsOf.set(ext, held);
  }
  return held;
}

/** The guest trace at the CALLX every tier published before calling. */
function traceOfCall(rt: Runtime): GuestTrace {
  const i32 = rt.mem.i32;
  const fp = i32[TOP_FP_WORD]!;
  return guestTrace(rt.mod, i32, { fn: frameFn(i32, fp), pc: i32[TOP_PC_WORD]!, fp });
}

/** Argument i of a call of `ext` whose arguments are in the slots from argFp. */
function argOf(rt: Runtime, ext: BcExtern, argFp: number, i: number): unknown {
  return readArg(rt, ext.params[i]!, ext.paramTypes[i]!, argFp + i);
}

function readArg(rt: Runtime, kind: number, type: string, slot: number): unknown {
  if (kind === Kind.F) return rt.mem.f64[slot];
  const raw = rt.mem.i32[slot << 1]!;
  if (type === 'bool') return raw !== 0;
  if (type === 'str') return raw === 0 ? null : rt.heap.readString(raw);
  return raw;
}

/** The raw i32 slot value of an accepted result (see the rules above); the
 *  call's arguments are `many`, or a0..a2 when there were at most three. */
function rawResult(rt: Runtime, ext: BcExtern, v: unknown, many: unknown[] | null, a0: unknown, a1: unknown, a2: unknown): number {
  switch (ext.retType) {
    case 'i32':
      if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return v | 0;
      break;
    case 'bool':
      if (typeof v === 'boolean') return v ? 1 : 0;
      break;
    case 'str':
      if (v === null) return 0;
      if (typeof v === 'string') return rt.heap.newString(v);
      break;
    default:
      if (v === null) return 0;
      if (typeof v === 'number' && ext.paramTypes.some((t, i) => t === ext.retType && (many !== null ? many[i] : i === 0 ? a0 : i === 1 ? a1 : a2) === v)) return v;
  }
  throw wrongResult(ext, v);
}

function wrongResult(ext: BcExtern, v: unknown): Trap {
  return new Trap(`extern ${ext.name} returned ${describe(v)}, expected ${ext.retType}`);
}

/** A number as itself (the value is what is wrong), anything else by its type. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  return typeof v === 'number' ? String(v) : typeof v;
}

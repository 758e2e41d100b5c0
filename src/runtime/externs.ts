// Calls from guest code to host functions supplied by the embedder (`extern fn`).
//
// Values cross as JavaScript values: i32 -> number, f64 -> number, bool -> boolean,
// str -> string (null -> null), and any other reference or function value as its
// raw number (an opaque handle the host can only pass back). Results come back the
// same way: a bool result is the host value's truthiness, an i32 result a number
// truncated to int32; a result of another JavaScript type than the extern declares
// is a runtime error at the call (`extern NAME returned TYPE, expected T`).

import { Kind } from '../bytecode/opcodes.js';
import type { Runtime } from './runtime.js';
import { Trap } from './errors.js';

export function callExtern(rt: Runtime, index: number, argFp: number, dstSlot: number): void {
  const ext = rt.mod.externs[index]!;
  const args = ext.params.map((k, i) => readArg(rt, k, ext.paramTypes[i]!, argFp + i));
  const result = rt.externs[index]!(...args);
  if (ext.ret === null) return;
  writeResult(rt, ext.ret, ext.retType, dstSlot, result, ext.name);
}

function readArg(rt: Runtime, kind: number, type: string, slot: number): unknown {
  if (kind === Kind.F) return rt.mem.f64[slot];
  const raw = rt.mem.i32[slot << 1]!;
  if (type === 'bool') return raw !== 0;
  if (type === 'str') return raw === 0 ? null : rt.heap.readString(raw);
  return raw;
}

function writeResult(rt: Runtime, kind: number, type: string, slot: number, v: unknown, name: string): void {
  if (kind === Kind.F) {
    if (typeof v !== 'number') throw new Trap(`extern ${name} returned ${typeof v}, expected f64`);
    rt.mem.f64[slot] = v;
    return;
  }
  let raw: number;
  if (type === 'str') {
    if (v !== null && typeof v !== 'string') throw new Trap(`extern ${name} returned ${typeof v}, expected str`);
    raw = v === null ? 0 : rt.heap.newString(v);
  } else if (type === 'bool') raw = v ? 1 : 0;
  else if (typeof v === 'number') raw = v | 0;
  else throw new Trap(`extern ${name} returned ${typeof v}, expected ${type}`);
  rt.mem.i32[slot << 1] = raw;
}

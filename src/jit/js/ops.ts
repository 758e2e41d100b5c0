// JavaScript expressions for the pure operations (OpInfo.alu) and the branch
// comparisons (OpInfo.cmp): one template per operation, from operand expressions
// to the value the interpreter would store. Records over Alu and Cmp, so a new
// operation in the opcode table fails to compile until it has a template here.
//
// What must stay true: every expression that yields an i32-kind value yields a
// normalised int32 number (never -0, never outside the int32 range), exactly the
// number the interpreter reads back after storing into its Int32Array; f64 values
// are plain JS numbers, as the interpreter's Float64Array gives them. Operands are
// register names or literals from `lit`, so templates need no extra parentheses
// around them. A template that calls a shared function names it in `needs` (a key
// of the backend's environment record).

import type { Alu, Cmp } from '../../bytecode/opcodes.js';

export interface ExprOp {
  expr: (x: string, y: string) => string;
  needs?: string;
}

const e = (expr: (x: string, y: string) => string, needs?: string): ExprOp => (needs ? { expr, needs } : { expr });

export const ALU: Readonly<Record<Alu, ExprOp>> = {
  'copy': e((x) => x),
  'i32.add': e((x, y) => `(${x} + ${y}) | 0`),
  'i32.sub': e((x, y) => `(${x} - ${y}) | 0`),
  'i32.mul': e((x, y) => `imul(${x}, ${y})`, 'imul'),
  // Divisors of the pure forms are neither 0 nor -1 (DIVK/REMK, the verifier's contract).
  'i32.div_s': e((x, y) => `(${x} / ${y}) | 0`),
  'i32.rem_s': e((x, y) => `(${x} % ${y}) | 0`),
  'i32.and': e((x, y) => `${x} & ${y}`),
  'i32.or': e((x, y) => `${x} | ${y}`),
  'i32.xor': e((x, y) => `${x} ^ ${y}`),
  'i32.shl': e((x, y) => `${x} << ${y}`),
  'i32.shr_s': e((x, y) => `${x} >> ${y}`),
  'i32.shr_u': e((x, y) => `(${x} >>> ${y}) | 0`),
  'i32.neg': e((x) => `(-${x}) | 0`),
  'i32.bnot': e((x) => `~${x}`),
  'bool.not': e((x) => `${x} ^ 1`),
  'i32.eq': e((x, y) => `+(${x} === ${y})`),
  'i32.ne': e((x, y) => `+(${x} !== ${y})`),
  'i32.lt_s': e((x, y) => `+(${x} < ${y})`),
  'i32.le_s': e((x, y) => `+(${x} <= ${y})`),
  'i32.gt_s': e((x, y) => `+(${x} > ${y})`),
  'i32.ge_s': e((x, y) => `+(${x} >= ${y})`),
  'f64.add': e((x, y) => `${x} + ${y}`),
  'f64.sub': e((x, y) => `${x} - ${y}`),
  'f64.mul': e((x, y) => `${x} * ${y}`),
  'f64.div': e((x, y) => `${x} / ${y}`),
  'f64.rem': e((x, y) => `${x} % ${y}`),
  'f64.neg': e((x) => `-${x}`),
  'f64.sqrt': e((x) => `sqrt(${x})`, 'sqrt'),
  'f64.eq': e((x, y) => `+(${x} === ${y})`),
  'f64.ne': e((x, y) => `+(${x} !== ${y})`),
  'f64.lt': e((x, y) => `+(${x} < ${y})`),
  'f64.le': e((x, y) => `+(${x} <= ${y})`),
  'f64.gt': e((x, y) => `+(${x} > ${y})`),
  'f64.ge': e((x, y) => `+(${x} >= ${y})`),
  'f64.from_i32': e((x) => x),
  'i32.from_f64': e((x) => `f64ToI32(${x})`, 'f64ToI32'),
};

/** Compare-and-branch: the JS operator that is true when the jump is taken. */
export const CMP: Readonly<Record<Cmp, string>> = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** A number as a JS literal that evaluates to exactly that double (NaN, infinities
 *  and -0 included); negative values are parenthesised so they can stand anywhere. */
export function lit(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  if (x === 0) return Object.is(x, -0) ? '(-0)' : '0';
  return x < 0 ? `(${String(x)})` : String(x);
}

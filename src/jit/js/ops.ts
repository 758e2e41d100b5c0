// JavaScript expressions for the pure arithmetic, comparison and conversion
// opcodes: one template per opcode, from operand expressions to the value the
// interpreter would store.
//
// What must stay true: every expression that yields an i32-kind value yields a
// normalised int32 number (never -0, never outside the int32 range), exactly the
// number the interpreter reads back after storing into its Int32Array; f64 values
// are plain JS numbers, as the interpreter's Float64Array gives them. Operands are
// register names or literals from `lit`, so templates need no extra parentheses
// around them. A template that calls a shared function names it in `needs` (a key
// of the backend's environment record).

import { Op } from '../../bytecode/opcodes.js';

export interface ExprOp {
  /** Result kind: 'i' (i32 kind) or 'f' (f64). */
  result: 'i' | 'f';
  expr: (x: string, y: string) => string;
  needs?: string;
}

/** Two register operands (B, C), result in A. */
export const BINARY: Partial<Record<Op, ExprOp>> = {
  [Op.ADD]: { result: 'i', expr: (x, y) => `(${x} + ${y}) | 0` },
  [Op.SUB]: { result: 'i', expr: (x, y) => `(${x} - ${y}) | 0` },
  [Op.MUL]: { result: 'i', expr: (x, y) => `imul(${x}, ${y})`, needs: 'imul' },
  [Op.AND]: { result: 'i', expr: (x, y) => `${x} & ${y}` },
  [Op.OR]: { result: 'i', expr: (x, y) => `${x} | ${y}` },
  [Op.XOR]: { result: 'i', expr: (x, y) => `${x} ^ ${y}` },
  [Op.SHL]: { result: 'i', expr: (x, y) => `${x} << ${y}` },
  [Op.SHR]: { result: 'i', expr: (x, y) => `${x} >> ${y}` },
  [Op.SHRU]: { result: 'i', expr: (x, y) => `(${x} >>> ${y}) | 0` },
  [Op.EQ]: { result: 'i', expr: (x, y) => `+(${x} === ${y})` },
  [Op.NE]: { result: 'i', expr: (x, y) => `+(${x} !== ${y})` },
  [Op.LT]: { result: 'i', expr: (x, y) => `+(${x} < ${y})` },
  [Op.LE]: { result: 'i', expr: (x, y) => `+(${x} <= ${y})` },
  [Op.GT]: { result: 'i', expr: (x, y) => `+(${x} > ${y})` },
  [Op.GE]: { result: 'i', expr: (x, y) => `+(${x} >= ${y})` },
  [Op.EQR]: { result: 'i', expr: (x, y) => `+(${x} === ${y})` },
  [Op.NER]: { result: 'i', expr: (x, y) => `+(${x} !== ${y})` },
  [Op.ADDF]: { result: 'f', expr: (x, y) => `${x} + ${y}` },
  [Op.SUBF]: { result: 'f', expr: (x, y) => `${x} - ${y}` },
  [Op.MULF]: { result: 'f', expr: (x, y) => `${x} * ${y}` },
  [Op.DIVF]: { result: 'f', expr: (x, y) => `${x} / ${y}` },
  [Op.REMF]: { result: 'f', expr: (x, y) => `${x} % ${y}` },
  [Op.EQF]: { result: 'i', expr: (x, y) => `+(${x} === ${y})` },
  [Op.NEF]: { result: 'i', expr: (x, y) => `+(${x} !== ${y})` },
  [Op.LTF]: { result: 'i', expr: (x, y) => `+(${x} < ${y})` },
  [Op.LEF]: { result: 'i', expr: (x, y) => `+(${x} <= ${y})` },
  [Op.GTF]: { result: 'i', expr: (x, y) => `+(${x} > ${y})` },
  [Op.GEF]: { result: 'i', expr: (x, y) => `+(${x} >= ${y})` },
};

/** A register and an i32 immediate (B, C), result in A. DIVK/REMK divisors are
 *  neither 0 nor -1 (the verifier's contract), so they cannot trap. */
export const WITH_IMM: Partial<Record<Op, ExprOp>> = {
  [Op.ADDI]: { result: 'i', expr: (x, k) => (k.startsWith('(-') ? `(${x} - ${k.slice(2, -1)}) | 0` : `(${x} + ${k}) | 0`) },
  [Op.MULK]: { result: 'i', expr: (x, k) => `imul(${x}, ${k})`, needs: 'imul' },
  [Op.DIVK]: { result: 'i', expr: (x, k) => `(${x} / ${k}) | 0` },
  [Op.REMK]: { result: 'i', expr: (x, k) => `(${x} % ${k}) | 0` },
};

/** A register and an f64 constant: `reg OP const` (…FK) or `const OP reg` (R…FK). */
export const WITH_F64_CONST: Partial<Record<Op, { constFirst: boolean; op: string }>> = {
  [Op.ADDFK]: { constFirst: false, op: '+' },
  [Op.SUBFK]: { constFirst: false, op: '-' },
  [Op.MULFK]: { constFirst: false, op: '*' },
  [Op.DIVFK]: { constFirst: false, op: '/' },
  [Op.RSUBFK]: { constFirst: true, op: '-' },
  [Op.RDIVFK]: { constFirst: true, op: '/' },
};

/** One register operand (B), result in A. */
export const UNARY: Partial<Record<Op, ExprOp>> = {
  [Op.MOVI]: { result: 'i', expr: (x) => x },
  [Op.MOVF]: { result: 'f', expr: (x) => x },
  [Op.NEG]: { result: 'i', expr: (x) => `(-${x}) | 0` },
  [Op.BNOT]: { result: 'i', expr: (x) => `~${x}` },
  [Op.NOT]: { result: 'i', expr: (x) => `${x} ^ 1` },
  [Op.NEGF]: { result: 'f', expr: (x) => `-${x}` },
  [Op.I2F]: { result: 'f', expr: (x) => x },
  [Op.F2I]: { result: 'i', expr: (x) => `f64ToI32(${x})`, needs: 'f64ToI32' },
  [Op.SQRT]: { result: 'f', expr: (x) => `sqrt(${x})`, needs: 'sqrt' },
};

/** Compare-and-branch opcodes: the JS operator that is true when they jump. */
export const JUMP_CMP: Partial<Record<Op, string>> = {
  [Op.JEQ]: '===', [Op.JNE]: '!==', [Op.JLT]: '<', [Op.JLE]: '<=', [Op.JGT]: '>', [Op.JGE]: '>=',
  [Op.JEQK]: '===', [Op.JNEK]: '!==', [Op.JLTK]: '<', [Op.JLEK]: '<=', [Op.JGTK]: '>', [Op.JGEK]: '>=',
};

/** A number as a JS literal that evaluates to exactly that double (NaN, infinities
 *  and -0 included); negative values are parenthesised so they can stand anywhere. */
export function lit(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  if (x === 0) return Object.is(x, -0) ? '(-0)' : '0';
  return x < 0 ? `(${String(x)})` : String(x);
}

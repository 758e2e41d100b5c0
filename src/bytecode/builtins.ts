// The one registry of built-in functions: what the checker accepts, what a call
// lowers to, and, for f64 math, the host function every tier calls.
//
// The checker takes each built-in's parameter and result types from here; the
// front-end's lowering emits the instruction named here; the interpreter and both
// backends call the `impl` of a math built-in through MATH1 / MATH2 and the helper
// of the same name. So a new f64 math built-in is one line in MATH_BUILTINS and
// works in every tier; any other new built-in names an instruction of its own,
// which every tier must then implement (the opcode table makes forgetting one a
// compile error). tests/unit/builtins.test.mjs runs every entry in every tier.

import { Op } from './opcodes.js';

/** The Tier types a built-in's signature can use. */
export type BuiltinType = 'i32' | 'f64' | 'bool' | 'str' | 'void';

export interface BuiltinSpec {
  /** Each parameter: one type, or any one of several (then `op` picks the
   *  instruction by the type of the first argument). */
  readonly params: readonly (BuiltinType | readonly BuiltinType[])[];
  readonly ret: BuiltinType;
  /** The instruction a call lowers to. Its operands: the result register (unless
   *  the result is void), the arguments in order, then `imm`. */
  readonly op: Op | Readonly<Partial<Record<BuiltinType, Op>>>;
  readonly imm?: readonly number[];
}

/** f64 math built-ins and the host function that computes each, in every tier.
 *  One parameter: instruction MATH1; two: MATH2. The immediate operand is the
 *  index among those of the same arity, in this order. */
export const MATH_BUILTINS = {
  sin: { params: ['f64'], impl: Math.sin },
  cos: { params: ['f64'], impl: Math.cos },
  tan: { params: ['f64'], impl: Math.tan },
  atan: { params: ['f64'], impl: Math.atan },
  exp: { params: ['f64'], impl: Math.exp },
  log: { params: ['f64'], impl: Math.log },
  floor: { params: ['f64'], impl: Math.floor },
  ceil: { params: ['f64'], impl: Math.ceil },
  abs: { params: ['f64'], impl: Math.abs },
  atan2: { params: ['f64', 'f64'], impl: Math.atan2 },
  pow: { params: ['f64', 'f64'], impl: Math.pow },
} as const satisfies Record<string, { params: readonly ['f64'] | readonly ['f64', 'f64']; impl: (...x: number[]) => number }>;

export type MathBuiltin = keyof typeof MATH_BUILTINS;

const mathNames = Object.keys(MATH_BUILTINS) as MathBuiltin[];
/** Names of the one-argument math built-ins, in MATH1 operand order. */
export const MATH1_FNS: readonly MathBuiltin[] = mathNames.filter((n) => MATH_BUILTINS[n].params.length === 1);
/** Names of the two-argument math built-ins, in MATH2 operand order. */
export const MATH2_FNS: readonly MathBuiltin[] = mathNames.filter((n) => MATH_BUILTINS[n].params.length === 2);
/** Host functions by MATH1 / MATH2 operand. */
export const MATH1_IMPLS: readonly ((x: number) => number)[] = MATH1_FNS.map((n) => MATH_BUILTINS[n].impl as (x: number) => number);
export const MATH2_IMPLS: readonly ((x: number, y: number) => number)[] = MATH2_FNS.map((n) => MATH_BUILTINS[n].impl as (x: number, y: number) => number);

const PRINTABLE = ['i32', 'f64', 'bool', 'str'] as const;
const OUT = { i32: Op.OUTI, f64: Op.OUTF, bool: Op.OUTB, str: Op.OUTS } as const;

const CORE_BUILTINS = {
  print: { params: [PRINTABLE], ret: 'void', op: OUT, imm: [1] },
  write: { params: [PRINTABLE], ret: 'void', op: OUT, imm: [0] },
  str: { params: [['i32', 'f64', 'bool']], ret: 'str', op: { i32: Op.TOSTRI, f64: Op.TOSTRF, bool: Op.TOSTRB } },
  fixed: { params: ['f64', 'i32'], ret: 'str', op: Op.FIXED },
  chr: { params: ['i32'], ret: 'str', op: Op.CHR },
  substr: { params: ['str', 'i32', 'i32'], ret: 'str', op: Op.SUBSTR },
  parse_i32: { params: ['str'], ret: 'i32', op: Op.PARSEI },
  parse_f64: { params: ['str'], ret: 'f64', op: Op.PARSEF },
  sqrt: { params: ['f64'], ret: 'f64', op: Op.SQRT },
  clock: { params: [], ret: 'f64', op: Op.CLOCK },
  panic: { params: ['str'], ret: 'void', op: Op.PANIC },
  read_line: { params: [], ret: 'str', op: Op.READLINE },
} as const satisfies Record<string, BuiltinSpec>;

export type BuiltinName = keyof typeof CORE_BUILTINS | MathBuiltin;

function mathSpec(name: MathBuiltin): BuiltinSpec {
  const unary = MATH_BUILTINS[name].params.length === 1;
  const index = (unary ? MATH1_FNS : MATH2_FNS).indexOf(name);
  return { params: MATH_BUILTINS[name].params, ret: 'f64', op: unary ? Op.MATH1 : Op.MATH2, imm: [index] };
}

/** Every built-in function of Tier, by name. */
export const BUILTINS: Readonly<Record<BuiltinName, BuiltinSpec>> = {
  ...CORE_BUILTINS,
  ...Object.fromEntries(mathNames.map((n) => [n, mathSpec(n)])) as Record<MathBuiltin, BuiltinSpec>,
};

export function isBuiltin(name: string): name is BuiltinName {
  return Object.prototype.hasOwnProperty.call(BUILTINS, name);
}

/** The instruction for a call of built-in `spec` whose first argument has type `first`. */
export function builtinOp(spec: BuiltinSpec, first: BuiltinType | undefined): Op {
  if (typeof spec.op === 'number') return spec.op;
  const op = first === undefined ? undefined : spec.op[first];
  if (op === undefined) throw new Error(`no instruction for a built-in taking ${first}`);
  return op;
}

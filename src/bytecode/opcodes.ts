// The one opcode table: every instruction of tiervm's typed register bytecode.
//
// The builder, verifier, disassembler, GC maps, CFG, interpreter and both compiled
// backends derive from OP_INFO. An instruction is the opcode followed by its
// operands, all in one Int32Array. Registers are frame slots of 8 bytes; each
// register has one kind for the whole function (see Kind). Opcodes are typed: i32
// and f64 arithmetic are different opcodes, so no tier ever tests a type at run time.
//
// Every fact that more than one consumer needs is a field of the table: operand
// kinds, whether it ends a block, calls, allocates, publishes the frame, which
// checks it makes (null, bounds, division), its type variant, its pure operation
// (`alu`) or branch comparison (`cmp`), and the runtime helper compiled code calls.
// What must stay true: OP_INFO is `satisfies` a mapped type over Op, so a new
// opcode without an entry fails to compile; and every consumer that dispatches on
// opcodes is exhaustive (a `never` default or a Record over Op/Alu/Cmp), so a new
// opcode that one tier forgets fails to compile too.
//
// Notation in the docs: R[A] is the register named by operand A, KF/KS the f64 and
// string constant pools, G[B] a global, M the linear memory. Jumps name an absolute
// position in the function's code. `Op` is a const enum so that the interpreter's
// switch compiles to literal cases (V8 makes a jump table of it).

import type { Helper } from './helpers.js';

/** Register kinds. I holds i32, bool (0/1) and function values (index+1, 0 = null);
 *  F holds f64; R holds a heap reference (byte address, 0 = null), a GC root;
 *  A is the call area at the top of a frame, written just before a call and read
 *  only by it (the callee's frame header and parameters overlay it). */
export const enum Kind { I = 1, F = 2, R = 3, A = 4 }

export const enum Op {
  LOADI, LOADF, LOADS, LOADNULL, LOADFN, MOVI, MOVF, MOVR,
  ADD, SUB, MUL, DIV, REM, AND, OR, XOR, SHL, SHR, SHRU, ADDI, MULK, DIVK, REMK, NEG, BNOT, NOT,
  EQ, NE, LT, LE, GT, GE,
  ADDF, SUBF, MULF, DIVF, REMF, ADDFK, SUBFK, MULFK, DIVFK, RSUBFK, RDIVFK, NEGF, EQF, NEF, LTF, LEF, GTF, GEF,
  I2F, F2I, EQR, NER, STREQ, STRNE,
  JMP, JMPLOOP, FORLOOP, FORLOOPK, JT, JF, JEQ, JNE, JLT, JLE, JGT, JGE, JEQK, JNEK, JLTK, JLEK, JGTK, JGEK,
  CALL, CALLV, CALLX, RETV, RETI, RETF, RETR,
  NEWSTRUCT, GETFI, GETFF, GETFR, SETFI, SETFF, SETFR,
  NEWARRI, NEWARRF, NEWARRR, NEWARRB, AGETI, AGETF, AGETR, AGETB, ASETI, ASETF, ASETR, ASETB, LEN, SGET, CONCAT,
  GETGI, GETGF, GETGR, SETGI, SETGF, SETGR,
  OUTI, OUTF, OUTB, OUTS, TOSTRI, TOSTRF, TOSTRB, SQRT, MATH1, MATH2, CLOCK,
  FIXED, CHR, SUBSTR, PARSEI, PARSEF, PANIC,
  READLINE, SBAPPEND, SBSTR,
  // Superinstructions (SUPER_PARTS below).
  LOADI_ASETI, AGETI_ASETI, LOADI_ASETB, AGETB_JT, MULF_ADDF, MULFK_MULF, LEF_JF, LEF_JF_JMPLOOP,
  LOADNULL_EQR_JF, LOADNULL_NER_JF, JGE_JMPLOOP, JEQK_JMPLOOP, JF_JMPLOOP, ADDI_CALL, ADD_RETI,
  ADD_JGE_JMPLOOP, ADDI_JGE_JMPLOOP, ADDI_JGE, ADD_ADDI, MUL_DIVK, I2F_RDIVFK, AGETF_MULF_ADDF, MOVI_MOVI,
  GETFF_SUBF, MULF_SUBF, ADDF_SUBF, MULF_MULF, ADDF_LEF_JF_JMPLOOP, MOVI_CALL, MOVR_CALL, MOVF_CALL,
  JGEK_RETI, MOVI_MOVI_CALL, AGETF_MULF_ADDF_FORLOOP, I2F_RDIVFK_RETF, GETFF_MULF_ADDF_SETFF,
  AGETI_AGETI_ASETI_ASETI, LOADNULL_SETFR, SETFR_RETR, GETFR_GETFI, GETFI_JNEK, ADDF_MULF_MULF,
  MOVR_MOVR, MOVF_MOVF,
  // The two-move calls: the last of the fixed superinstructions that end in a CALL
  // (the interpreter tells them from the one-move ones with one compare).
  MOVR_MOVR_CALL, MOVF_MOVF_CALL,
  // Runs (SUPER_RUNS below): the last opcodes, so the interpreter tests for them with one compare.
  MOVI_MOVES_CALL, MOVR_MOVES_CALL, MOVF_MOVES_CALL,
}

/** Operand kinds. r*: a register read, w*: a register written (i/f/r = its kind);
 *  imm: an i32 immediate; kf/ks: constant pool index; fn/ext/glob/st: function,
 *  extern, global, struct, signature index; off: a byte offset into a struct; lbl: a code
 *  position; base: the first call-area register; dst: the register receiving a
 *  call's result (its kind is the callee's result kind; ignored for void calls). */
export type Operand =
  | 'ri' | 'rf' | 'rr' | 'wi' | 'wf' | 'wr'
  | 'imm' | 'kf' | 'ks' | 'fn' | 'ext' | 'glob' | 'st' | 'sig' | 'off' | 'lbl' | 'base' | 'dst';

/** Pure arithmetic, comparison and conversion, named as WebAssembly names them:
 *  R[A] := op(operands). Each backend maps every one of these (a Record over Alu),
 *  so an opcode table entry is all a new pure instruction needs besides the
 *  interpreter's case. i32 results wrap; comparisons give 0 or 1. */
export type Alu =
  | 'copy'
  | 'i32.add' | 'i32.sub' | 'i32.mul' | 'i32.div_s' | 'i32.rem_s' | 'i32.and' | 'i32.or' | 'i32.xor'
  | 'i32.shl' | 'i32.shr_s' | 'i32.shr_u' | 'i32.neg' | 'i32.bnot' | 'bool.not'
  | 'i32.eq' | 'i32.ne' | 'i32.lt_s' | 'i32.le_s' | 'i32.gt_s' | 'i32.ge_s'
  | 'f64.add' | 'f64.sub' | 'f64.mul' | 'f64.div' | 'f64.rem' | 'f64.neg' | 'f64.sqrt'
  | 'f64.eq' | 'f64.ne' | 'f64.lt' | 'f64.le' | 'f64.gt' | 'f64.ge'
  | 'f64.from_i32' | 'i32.from_f64';

/** Signed i32 comparisons of compare-and-branch instructions. */
export type Cmp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export interface OpInfo {
  readonly name: string;
  readonly args: readonly Operand[];
  /** One line of semantics. */
  readonly doc: string;
  /** Ends a basic block: control never falls through to the next instruction. */
  readonly ends?: boolean;
  /** May allocate on the heap (a safepoint: the collector may run). */
  readonly allocates?: boolean;
  /** Calls into another function (a safepoint). */
  readonly calls?: boolean;
  /** Compiled code publishes its frame (TOP_FP_WORD, TOP_PC_WORD) first: the
   *  runtime helper doing the work may allocate or raise a trap at that site. */
  readonly publishes?: boolean;
  /** Operands (indices into args) that must not be null: the instruction traps
   *  with `null reference` before anything else, checking them in this order. */
  readonly nullChecked?: readonly number[];
  /** [array or string operand, index operand]: traps unless 0 <= index < length
   *  (after the null check). */
  readonly boundsChecked?: readonly [number, number];
  /** Traps on a zero divisor (and DIV on MIN / -1). */
  readonly divides?: boolean;
  /** The kind of value this typed variant moves (GETFI/GETFF/GETFR, ...). */
  readonly variant?: Kind.I | Kind.F | Kind.R;
  /** Array instructions (NEWARR*, AGET*, ASET*): the bytes of one element in
   *  memory. [bool] packs one byte (0 or 1) per element; [i32] [fn] and
   *  references take 4, [f64] 8 (runtime/heap.ts, arrayKindFor). */
  readonly elementBytes?: 1 | 4 | 8;
  /** Pure operation: R[A] := alu(the other operands, in order). */
  readonly alu?: Alu;
  /** Compare-and-branch: jump when cmp(R[A], second operand) holds. */
  readonly cmp?: Cmp;
  /** The runtime helper compiled code calls to do the work (bytecode/helpers.ts). */
  readonly helper?: Helper;
  /** Stores a reference into the heap object of operand 0: the write barrier
   *  follows the store in every tier (if the object is OLD and not yet LOGGED, the
   *  helper `remember` logs it; see runtime/gc.ts). */
  readonly barrier?: boolean;
  /** Counts one step of fuel (runtime/limits.ts), in every tier: 'call' at the
   *  call, before the callee's frame; 'backEdge' when the jump is taken, charged
   *  to the loop header it lands on (see stepSite). */
  readonly step?: 'call' | 'backEdge';
  /** A superinstruction: the plain instructions it runs, in order (SUPER_PARTS). */
  readonly parts?: readonly Op[];
  /** A run (SUPER_RUNS): between parts[0] and the rest of parts, one or more
   *  instructions, each any of these. */
  readonly run?: readonly Op[];
}

const I3 = ['wi', 'ri', 'ri'] as const;
const F3 = ['wf', 'rf', 'rf'] as const;
const FCMP = ['wi', 'rf', 'rf'] as const;
const JCMP = ['ri', 'ri', 'lbl'] as const;
const JCMPK = ['ri', 'imm', 'lbl'] as const;

/** The table of plain instructions, with each entry's literal type kept (AluOp,
 *  CmpOp are computed from it); the superinstructions' entries are made from it. */
const OP_TABLE = {
  [Op.LOADI]: { name: 'LOADI', args: ['wi', 'imm'], doc: 'R[A] := B' },
  [Op.LOADF]: { name: 'LOADF', args: ['wf', 'kf'], doc: 'R[A] := KF[B]' },
  [Op.LOADS]: { name: 'LOADS', args: ['wr', 'ks'], doc: 'R[A] := KS[B] (a string allocated at load time)' },
  [Op.LOADNULL]: { name: 'LOADNULL', args: ['wr'], doc: 'R[A] := null' },
  [Op.LOADFN]: { name: 'LOADFN', args: ['wi', 'fn'], doc: 'R[A] := function value of function B (B + 1)' },
  [Op.MOVI]: { name: 'MOVI', args: ['wi', 'ri'], doc: 'R[A] := R[B] (i32 kind)', alu: 'copy' },
  [Op.MOVF]: { name: 'MOVF', args: ['wf', 'rf'], doc: 'R[A] := R[B] (f64)', alu: 'copy' },
  [Op.MOVR]: { name: 'MOVR', args: ['wr', 'rr'], doc: 'R[A] := R[B] (reference)', alu: 'copy' },

  [Op.ADD]: { name: 'ADD', args: I3, doc: 'R[A] := R[B] + R[C], wrapping', alu: 'i32.add' },
  [Op.SUB]: { name: 'SUB', args: I3, doc: 'R[A] := R[B] - R[C], wrapping', alu: 'i32.sub' },
  [Op.MUL]: { name: 'MUL', args: I3, doc: 'R[A] := R[B] * R[C], wrapping', alu: 'i32.mul' },
  [Op.DIV]: { name: 'DIV', args: I3, doc: 'R[A] := R[B] / R[C] toward zero; traps on 0 and on MIN / -1', divides: true },
  [Op.REM]: { name: 'REM', args: I3, doc: 'R[A] := R[B] % R[C], sign of the dividend; traps on 0; MIN % -1 = 0', divides: true },
  [Op.AND]: { name: 'AND', args: I3, doc: 'R[A] := R[B] & R[C]', alu: 'i32.and' },
  [Op.OR]: { name: 'OR', args: I3, doc: 'R[A] := R[B] | R[C]', alu: 'i32.or' },
  [Op.XOR]: { name: 'XOR', args: I3, doc: 'R[A] := R[B] ^ R[C]', alu: 'i32.xor' },
  [Op.SHL]: { name: 'SHL', args: I3, doc: 'R[A] := R[B] << (R[C] mod 32)', alu: 'i32.shl' },
  [Op.SHR]: { name: 'SHR', args: I3, doc: 'R[A] := R[B] >> (R[C] mod 32), arithmetic', alu: 'i32.shr_s' },
  [Op.SHRU]: { name: 'SHRU', args: I3, doc: 'R[A] := R[B] >>> (R[C] mod 32), logical', alu: 'i32.shr_u' },
  [Op.ADDI]: { name: 'ADDI', args: ['wi', 'ri', 'imm'], doc: 'R[A] := R[B] + C, wrapping', alu: 'i32.add' },
  [Op.MULK]: { name: 'MULK', args: ['wi', 'ri', 'imm'], doc: 'R[A] := R[B] * C, wrapping', alu: 'i32.mul' },
  [Op.DIVK]: { name: 'DIVK', args: ['wi', 'ri', 'imm'], doc: 'R[A] := R[B] / C toward zero (C is neither 0 nor -1: cannot trap)', alu: 'i32.div_s' },
  [Op.REMK]: { name: 'REMK', args: ['wi', 'ri', 'imm'], doc: 'R[A] := R[B] % C, sign of the dividend (C is neither 0 nor -1)', alu: 'i32.rem_s' },
  [Op.NEG]: { name: 'NEG', args: ['wi', 'ri'], doc: 'R[A] := -R[B], wrapping', alu: 'i32.neg' },
  [Op.BNOT]: { name: 'BNOT', args: ['wi', 'ri'], doc: 'R[A] := ~R[B]', alu: 'i32.bnot' },
  [Op.NOT]: { name: 'NOT', args: ['wi', 'ri'], doc: 'R[A] := !R[B] (bool)', alu: 'bool.not' },

  [Op.EQ]: { name: 'EQ', args: I3, doc: 'R[A] := R[B] == R[C] (i32, bool or function values)', alu: 'i32.eq' },
  [Op.NE]: { name: 'NE', args: I3, doc: 'R[A] := R[B] != R[C]', alu: 'i32.ne' },
  [Op.LT]: { name: 'LT', args: I3, doc: 'R[A] := R[B] < R[C] (signed)', alu: 'i32.lt_s' },
  [Op.LE]: { name: 'LE', args: I3, doc: 'R[A] := R[B] <= R[C]', alu: 'i32.le_s' },
  [Op.GT]: { name: 'GT', args: I3, doc: 'R[A] := R[B] > R[C]', alu: 'i32.gt_s' },
  [Op.GE]: { name: 'GE', args: I3, doc: 'R[A] := R[B] >= R[C]', alu: 'i32.ge_s' },

  [Op.ADDF]: { name: 'ADDF', args: F3, doc: 'R[A] := R[B] + R[C] (f64)', alu: 'f64.add' },
  [Op.SUBF]: { name: 'SUBF', args: F3, doc: 'R[A] := R[B] - R[C] (f64)', alu: 'f64.sub' },
  [Op.MULF]: { name: 'MULF', args: F3, doc: 'R[A] := R[B] * R[C] (f64)', alu: 'f64.mul' },
  [Op.DIVF]: { name: 'DIVF', args: F3, doc: 'R[A] := R[B] / R[C] (f64)', alu: 'f64.div' },
  [Op.REMF]: { name: 'REMF', args: F3, doc: 'R[A] := fmod(R[B], R[C]) (JavaScript %)', alu: 'f64.rem' },
  [Op.ADDFK]: { name: 'ADDFK', args: ['wf', 'rf', 'kf'], doc: 'R[A] := R[B] + KF[C]', alu: 'f64.add' },
  [Op.SUBFK]: { name: 'SUBFK', args: ['wf', 'rf', 'kf'], doc: 'R[A] := R[B] - KF[C]', alu: 'f64.sub' },
  [Op.MULFK]: { name: 'MULFK', args: ['wf', 'rf', 'kf'], doc: 'R[A] := R[B] * KF[C]', alu: 'f64.mul' },
  [Op.DIVFK]: { name: 'DIVFK', args: ['wf', 'rf', 'kf'], doc: 'R[A] := R[B] / KF[C]', alu: 'f64.div' },
  [Op.RSUBFK]: { name: 'RSUBFK', args: ['wf', 'kf', 'rf'], doc: 'R[A] := KF[B] - R[C]', alu: 'f64.sub' },
  [Op.RDIVFK]: { name: 'RDIVFK', args: ['wf', 'kf', 'rf'], doc: 'R[A] := KF[B] / R[C]', alu: 'f64.div' },
  [Op.NEGF]: { name: 'NEGF', args: ['wf', 'rf'], doc: 'R[A] := -R[B] (f64)', alu: 'f64.neg' },
  [Op.EQF]: { name: 'EQF', args: FCMP, doc: 'R[A] := R[B] == R[C] (f64)', alu: 'f64.eq' },
  [Op.NEF]: { name: 'NEF', args: FCMP, doc: 'R[A] := R[B] != R[C] (f64)', alu: 'f64.ne' },
  [Op.LTF]: { name: 'LTF', args: FCMP, doc: 'R[A] := R[B] < R[C] (f64)', alu: 'f64.lt' },
  [Op.LEF]: { name: 'LEF', args: FCMP, doc: 'R[A] := R[B] <= R[C] (f64)', alu: 'f64.le' },
  [Op.GTF]: { name: 'GTF', args: FCMP, doc: 'R[A] := R[B] > R[C] (f64)', alu: 'f64.gt' },
  [Op.GEF]: { name: 'GEF', args: FCMP, doc: 'R[A] := R[B] >= R[C] (f64)', alu: 'f64.ge' },

  [Op.I2F]: { name: 'I2F', args: ['wf', 'ri'], doc: 'R[A] := R[B] as f64 (exact)', alu: 'f64.from_i32' },
  [Op.F2I]: { name: 'F2I', args: ['wi', 'rf'], doc: 'R[A] := R[B] as i32 (truncate, saturate, NaN -> 0)', alu: 'i32.from_f64' },
  [Op.EQR]: { name: 'EQR', args: ['wi', 'rr', 'rr'], doc: 'R[A] := R[B] is R[C] (identity)', alu: 'i32.eq' },
  [Op.NER]: { name: 'NER', args: ['wi', 'rr', 'rr'], doc: 'R[A] := R[B] is not R[C]', alu: 'i32.ne' },
  [Op.STREQ]: { name: 'STREQ', args: ['wi', 'rr', 'rr'], doc: 'R[A] := strings R[B] and R[C] have equal contents (null equals only null)', helper: 'streq' },
  [Op.STRNE]: { name: 'STRNE', args: ['wi', 'rr', 'rr'], doc: 'R[A] := !(R[B] STREQ R[C])', helper: 'streq' },

  [Op.JMP]: { name: 'JMP', args: ['lbl'], doc: 'pc := A', ends: true },
  [Op.JMPLOOP]: { name: 'JMPLOOP', args: ['lbl'], doc: 'loop back-edge: count it, pc := A (A is a loop header, A <= pc)', ends: true, step: 'backEdge' },
  [Op.FORLOOP]: { name: 'FORLOOP', args: ['ri', 'ri', 'lbl'], doc: 'loop back-edge of `for`: count it, R[A] += 1, if R[A] < R[B] then pc := C (C <= pc)', step: 'backEdge' },
  [Op.FORLOOPK]: { name: 'FORLOOPK', args: ['ri', 'imm', 'lbl'], doc: 'loop back-edge of `for`: count it, R[A] += 1, if R[A] < B then pc := C (C <= pc)', step: 'backEdge' },
  [Op.JT]: { name: 'JT', args: ['ri', 'lbl'], doc: 'if R[A] then pc := B' },
  [Op.JF]: { name: 'JF', args: ['ri', 'lbl'], doc: 'if !R[A] then pc := B' },
  [Op.JEQ]: { name: 'JEQ', args: JCMP, doc: 'if R[A] == R[B] then pc := C', cmp: 'eq' },
  [Op.JNE]: { name: 'JNE', args: JCMP, doc: 'if R[A] != R[B] then pc := C', cmp: 'ne' },
  [Op.JLT]: { name: 'JLT', args: JCMP, doc: 'if R[A] < R[B] then pc := C', cmp: 'lt' },
  [Op.JLE]: { name: 'JLE', args: JCMP, doc: 'if R[A] <= R[B] then pc := C', cmp: 'le' },
  [Op.JGT]: { name: 'JGT', args: JCMP, doc: 'if R[A] > R[B] then pc := C', cmp: 'gt' },
  [Op.JGE]: { name: 'JGE', args: JCMP, doc: 'if R[A] >= R[B] then pc := C', cmp: 'ge' },
  [Op.JEQK]: { name: 'JEQK', args: JCMPK, doc: 'if R[A] == B then pc := C', cmp: 'eq' },
  [Op.JNEK]: { name: 'JNEK', args: JCMPK, doc: 'if R[A] != B then pc := C', cmp: 'ne' },
  [Op.JLTK]: { name: 'JLTK', args: JCMPK, doc: 'if R[A] < B then pc := C', cmp: 'lt' },
  [Op.JLEK]: { name: 'JLEK', args: JCMPK, doc: 'if R[A] <= B then pc := C', cmp: 'le' },
  [Op.JGTK]: { name: 'JGTK', args: JCMPK, doc: 'if R[A] > B then pc := C', cmp: 'gt' },
  [Op.JGEK]: { name: 'JGEK', args: JCMPK, doc: 'if R[A] >= B then pc := C', cmp: 'ge' },

  [Op.CALL]: { name: 'CALL', args: ['fn', 'base', 'dst'], doc: 'R[C] := function A(arguments in R[B+2..]); frame header in R[B], R[B+1]', calls: true, step: 'call' },
  [Op.CALLV]: { name: 'CALLV', args: ['ri', 'sig', 'base', 'dst'], doc: 'R[D] := function value R[A](R[C+2..]), of signature B; traps on null', calls: true, nullChecked: [0], step: 'call' },
  [Op.CALLX]: { name: 'CALLX', args: ['ext', 'base', 'dst'], doc: 'R[C] := host extern A(R[B+2..])', calls: true, allocates: true, publishes: true, helper: 'callx' },
  [Op.RETV]: { name: 'RETV', args: [], doc: 'return to the caller', ends: true },
  [Op.RETI]: { name: 'RETI', args: ['ri'], doc: 'return R[A] (i32 kind)', ends: true, variant: Kind.I },
  [Op.RETF]: { name: 'RETF', args: ['rf'], doc: 'return R[A] (f64)', ends: true, variant: Kind.F },
  [Op.RETR]: { name: 'RETR', args: ['rr'], doc: 'return R[A] (reference)', ends: true, variant: Kind.R },

  [Op.NEWSTRUCT]: { name: 'NEWSTRUCT', args: ['wr', 'st'], doc: 'R[A] := new struct B, every field zero', allocates: true, publishes: true, helper: 'new_struct' },
  [Op.GETFI]: { name: 'GETFI', args: ['wi', 'rr', 'off'], doc: 'R[A] := i32 at M[R[B] + C]; traps on null', variant: Kind.I, nullChecked: [1] },
  [Op.GETFF]: { name: 'GETFF', args: ['wf', 'rr', 'off'], doc: 'R[A] := f64 at M[R[B] + C]; traps on null', variant: Kind.F, nullChecked: [1] },
  [Op.GETFR]: { name: 'GETFR', args: ['wr', 'rr', 'off'], doc: 'R[A] := reference at M[R[B] + C]; traps on null', variant: Kind.R, nullChecked: [1] },
  [Op.SETFI]: { name: 'SETFI', args: ['rr', 'off', 'ri'], doc: 'M[R[A] + B] := R[C] (i32); traps on null', variant: Kind.I, nullChecked: [0] },
  [Op.SETFF]: { name: 'SETFF', args: ['rr', 'off', 'rf'], doc: 'M[R[A] + B] := R[C] (f64); traps on null', variant: Kind.F, nullChecked: [0] },
  [Op.SETFR]: { name: 'SETFR', args: ['rr', 'off', 'rr'], doc: 'M[R[A] + B] := R[C] (reference), then the write barrier; traps on null', variant: Kind.R, nullChecked: [0], barrier: true },

  [Op.NEWARRI]: { name: 'NEWARRI', args: ['wr', 'ri'], doc: 'R[A] := new array of R[B] 4-byte zeros (i32, fn); traps if negative', allocates: true, variant: Kind.I, elementBytes: 4, publishes: true, helper: 'new_array' },
  [Op.NEWARRF]: { name: 'NEWARRF', args: ['wr', 'ri'], doc: 'R[A] := new array of R[B] f64 zeros; traps if negative', allocates: true, variant: Kind.F, elementBytes: 8, publishes: true, helper: 'new_array' },
  [Op.NEWARRR]: { name: 'NEWARRR', args: ['wr', 'ri'], doc: 'R[A] := new array of R[B] nulls; traps if negative', allocates: true, variant: Kind.R, elementBytes: 4, publishes: true, helper: 'new_array' },
  [Op.NEWARRB]: { name: 'NEWARRB', args: ['wr', 'ri'], doc: 'R[A] := new array of R[B] 1-byte falses (bool); traps if negative', allocates: true, variant: Kind.I, elementBytes: 1, publishes: true, helper: 'new_array' },
  [Op.AGETI]: { name: 'AGETI', args: ['wi', 'rr', 'ri'], doc: 'R[A] := R[B][R[C]] (4-byte element); traps on null or out of bounds', variant: Kind.I, elementBytes: 4, nullChecked: [1], boundsChecked: [1, 2] },
  [Op.AGETF]: { name: 'AGETF', args: ['wf', 'rr', 'ri'], doc: 'R[A] := R[B][R[C]] (f64); traps on null or out of bounds', variant: Kind.F, elementBytes: 8, nullChecked: [1], boundsChecked: [1, 2] },
  [Op.AGETR]: { name: 'AGETR', args: ['wr', 'rr', 'ri'], doc: 'R[A] := R[B][R[C]] (reference); traps on null or out of bounds', variant: Kind.R, elementBytes: 4, nullChecked: [1], boundsChecked: [1, 2] },
  [Op.AGETB]: { name: 'AGETB', args: ['wi', 'rr', 'ri'], doc: 'R[A] := R[B][R[C]] (1-byte bool element, 0 or 1); traps on null or out of bounds', variant: Kind.I, elementBytes: 1, nullChecked: [1], boundsChecked: [1, 2] },
  [Op.ASETI]: { name: 'ASETI', args: ['rr', 'ri', 'ri'], doc: 'R[A][R[B]] := R[C] (4-byte element); traps on null or out of bounds', variant: Kind.I, elementBytes: 4, nullChecked: [0], boundsChecked: [0, 1] },
  [Op.ASETF]: { name: 'ASETF', args: ['rr', 'ri', 'rf'], doc: 'R[A][R[B]] := R[C] (f64); traps on null or out of bounds', variant: Kind.F, elementBytes: 8, nullChecked: [0], boundsChecked: [0, 1] },
  [Op.ASETR]: { name: 'ASETR', args: ['rr', 'ri', 'rr'], doc: 'R[A][R[B]] := R[C] (reference), then the write barrier; traps on null or out of bounds', variant: Kind.R, elementBytes: 4, nullChecked: [0], boundsChecked: [0, 1], barrier: true },
  [Op.ASETB]: { name: 'ASETB', args: ['rr', 'ri', 'ri'], doc: 'R[A][R[B]] := R[C] (1-byte bool element; R[C] is 0 or 1); traps on null or out of bounds', variant: Kind.I, elementBytes: 1, nullChecked: [0], boundsChecked: [0, 1] },
  [Op.LEN]: { name: 'LEN', args: ['wi', 'rr'], doc: 'R[A] := length of the string or array R[B]; traps on null', nullChecked: [1] },
  [Op.SGET]: { name: 'SGET', args: ['wi', 'rr', 'ri'], doc: 'R[A] := UTF-16 code unit R[C] of string R[B]; traps on null or out of bounds', nullChecked: [1], boundsChecked: [1, 2] },
  [Op.CONCAT]: { name: 'CONCAT', args: ['wr', 'rr', 'rr'], doc: 'R[A] := R[B] + R[C] (strings); traps on null', allocates: true, nullChecked: [1, 2], publishes: true, helper: 'concat' },

  [Op.GETGI]: { name: 'GETGI', args: ['wi', 'glob'], doc: 'R[A] := G[B] (i32 kind)', variant: Kind.I },
  [Op.GETGF]: { name: 'GETGF', args: ['wf', 'glob'], doc: 'R[A] := G[B] (f64)', variant: Kind.F },
  [Op.GETGR]: { name: 'GETGR', args: ['wr', 'glob'], doc: 'R[A] := G[B] (reference)', variant: Kind.R },
  [Op.SETGI]: { name: 'SETGI', args: ['glob', 'ri'], doc: 'G[A] := R[B] (i32 kind)', variant: Kind.I },
  [Op.SETGF]: { name: 'SETGF', args: ['glob', 'rf'], doc: 'G[A] := R[B] (f64)', variant: Kind.F },
  [Op.SETGR]: { name: 'SETGR', args: ['glob', 'rr'], doc: 'G[A] := R[B] (reference)', variant: Kind.R },

  [Op.OUTI]: { name: 'OUTI', args: ['ri', 'imm'], doc: 'write i32 R[A], then a newline if B', helper: 'out_i' },
  [Op.OUTF]: { name: 'OUTF', args: ['rf', 'imm'], doc: 'write f64 R[A] as String(x), then a newline if B', helper: 'out_f' },
  [Op.OUTB]: { name: 'OUTB', args: ['ri', 'imm'], doc: 'write bool R[A], then a newline if B', helper: 'out_b' },
  [Op.OUTS]: { name: 'OUTS', args: ['rr', 'imm'], doc: 'write string R[A], then a newline if B; traps on null', nullChecked: [0], helper: 'out_s' },
  [Op.TOSTRI]: { name: 'TOSTRI', args: ['wr', 'ri'], doc: 'R[A] := str(R[B]) (i32)', allocates: true, publishes: true, helper: 'tostr_i' },
  [Op.TOSTRF]: { name: 'TOSTRF', args: ['wr', 'rf'], doc: 'R[A] := str(R[B]) (f64)', allocates: true, publishes: true, helper: 'tostr_f' },
  [Op.TOSTRB]: { name: 'TOSTRB', args: ['wr', 'ri'], doc: 'R[A] := str(R[B]) (bool)', allocates: true, publishes: true, helper: 'tostr_b' },
  [Op.SQRT]: { name: 'SQRT', args: ['wf', 'rf'], doc: 'R[A] := sqrt(R[B])', alu: 'f64.sqrt' },
  [Op.MATH1]: { name: 'MATH1', args: ['wf', 'rf', 'imm'], doc: 'R[A] := MATH1_FNS[C](R[B])' },
  [Op.MATH2]: { name: 'MATH2', args: ['wf', 'rf', 'rf', 'imm'], doc: 'R[A] := MATH2_FNS[D](R[B], R[C])' },
  [Op.CLOCK]: { name: 'CLOCK', args: ['wf'], doc: 'R[A] := monotonic milliseconds', helper: 'clock' },
  [Op.FIXED]: { name: 'FIXED', args: ['wr', 'rf', 'ri'], doc: 'R[A] := R[B].toFixed(R[C]); traps unless 0 <= R[C] <= 20', allocates: true, publishes: true, helper: 'fixed' },
  [Op.CHR]: { name: 'CHR', args: ['wr', 'ri'], doc: 'R[A] := string of code point R[B]; traps outside 0..0x10FFFF', allocates: true, publishes: true, helper: 'chr' },
  [Op.SUBSTR]: { name: 'SUBSTR', args: ['wr', 'rr', 'ri', 'ri'], doc: 'R[A] := code units R[C] up to R[D] of R[B]; traps on null or a bad range', allocates: true, nullChecked: [1], publishes: true, helper: 'substr' },
  [Op.PARSEI]: { name: 'PARSEI', args: ['wi', 'rr'], doc: 'R[A] := R[B] parsed as i32; traps if malformed or out of range', nullChecked: [1], publishes: true, helper: 'parse_i' },
  [Op.PARSEF]: { name: 'PARSEF', args: ['wf', 'rr'], doc: 'R[A] := R[B] parsed as f64; traps if malformed', nullChecked: [1], publishes: true, helper: 'parse_f' },
  [Op.PANIC]: { name: 'PANIC', args: ['rr'], doc: 'runtime error with message R[A]', ends: true, nullChecked: [0], publishes: true, helper: 'panic' },
  [Op.READLINE]: { name: 'READLINE', args: ['wr'], doc: 'R[A] := the next line of standard input without its terminator; null at the end', allocates: true, publishes: true, helper: 'read_line' },
  [Op.SBAPPEND]: { name: 'SBAPPEND', args: ['wr', 'rr', 'rr'], doc: 'R[A] := R[B] + R[C], where R[B] is a string or a string builder (runtime/string-builder.ts): what a loop that only appends to a local runs; traps on null', allocates: true, nullChecked: [1, 2], publishes: true, helper: 'sb_append' },
  [Op.SBSTR]: { name: 'SBSTR', args: ['wr', 'rr'], doc: 'R[A] := the string R[B] holds (R[B] itself if a string or null)', allocates: true, publishes: true, helper: 'sb_str' },
} as const satisfies { readonly [K in Exclude<Op, SuperOp>]: OpInfo };

// Superinstructions: one dispatch of the interpreter for a run of instructions
// that the measured opcode-pair frequencies (bench/opcode-pairs.mjs) showed to
// follow one another often. A superinstruction is encoded in place: its opcode
// replaces the first part's opcode word and everything else stays, so the second
// part is still a complete instruction at its own position. Hence:
// - every consumer but the interpreter treats a superinstruction as its first
//   part (same operands, same checks) followed by the rest, one by one: positions,
//   line numbers, jump targets, GC maps, OSR entries and trap sites are those of
//   the plain instructions; the compiling backends read plain code (fuse.ts,
//   plainModule: the first part's opcode put back) and never see one;
// - a jump may land on a later part (it runs from there, plainly);
// - the interpreter runs the parts in order, standing at each part's own position
//   while it runs (a trap or a back-edge is charged exactly as without fusion);
//   a part that jumps away skips the rest;
// - a first part never calls, ends a block or counts a step (the verifier checks
//   the parts follow; fuse.ts makes them).
const SUPER_PARTS = {
  [Op.LOADI_ASETI]: [Op.LOADI, Op.ASETI],
  [Op.AGETI_ASETI]: [Op.AGETI, Op.ASETI],
  [Op.LOADI_ASETB]: [Op.LOADI, Op.ASETB],
  [Op.AGETB_JT]: [Op.AGETB, Op.JT],
  [Op.MULF_ADDF]: [Op.MULF, Op.ADDF],
  [Op.MULFK_MULF]: [Op.MULFK, Op.MULF],
  [Op.LEF_JF]: [Op.LEF, Op.JF],
  [Op.LEF_JF_JMPLOOP]: [Op.LEF, Op.JF, Op.JMPLOOP],
  [Op.LOADNULL_EQR_JF]: [Op.LOADNULL, Op.EQR, Op.JF],
  [Op.LOADNULL_NER_JF]: [Op.LOADNULL, Op.NER, Op.JF],
  [Op.JGE_JMPLOOP]: [Op.JGE, Op.JMPLOOP],
  [Op.JEQK_JMPLOOP]: [Op.JEQK, Op.JMPLOOP],
  [Op.JF_JMPLOOP]: [Op.JF, Op.JMPLOOP],
  [Op.ADDI_CALL]: [Op.ADDI, Op.CALL],
  [Op.ADD_RETI]: [Op.ADD, Op.RETI],
  [Op.ADD_JGE_JMPLOOP]: [Op.ADD, Op.JGE, Op.JMPLOOP],
  [Op.ADDI_JGE_JMPLOOP]: [Op.ADDI, Op.JGE, Op.JMPLOOP],
  [Op.ADDI_JGE]: [Op.ADDI, Op.JGE],
  [Op.ADD_ADDI]: [Op.ADD, Op.ADDI],
  [Op.MUL_DIVK]: [Op.MUL, Op.DIVK],
  [Op.I2F_RDIVFK]: [Op.I2F, Op.RDIVFK],
  [Op.AGETF_MULF_ADDF]: [Op.AGETF, Op.MULF, Op.ADDF],
  [Op.MOVI_MOVI]: [Op.MOVI, Op.MOVI],
  [Op.GETFF_SUBF]: [Op.GETFF, Op.SUBF],
  [Op.MULF_SUBF]: [Op.MULF, Op.SUBF],
  [Op.ADDF_SUBF]: [Op.ADDF, Op.SUBF],
  [Op.MULF_MULF]: [Op.MULF, Op.MULF],
  [Op.ADDF_LEF_JF_JMPLOOP]: [Op.ADDF, Op.LEF, Op.JF, Op.JMPLOOP],
  // The last argument moved into the call area, then the call: a dispatch less
  // on most calls that pass a variable (docs/architecture.md, crossings).
  [Op.MOVI_CALL]: [Op.MOVI, Op.CALL],
  [Op.MOVR_CALL]: [Op.MOVR, Op.CALL],
  [Op.MOVF_CALL]: [Op.MOVF, Op.CALL],
  // The second round, from the pairs left after the first (fall-through pairs
  // as a share of each program's dispatches): a guard that returns (`if n < 2
  // { return n; }`: JGEK then RETI, 17% of fib's), a call with two arguments
  // moved (11% of spectral-norm's), a dot product's loop bottom and a returned
  // quotient (11% each), a field += a product (nbody, 12%), a swap of two
  // elements (fannkuch, 7%), a field set to null and a setter's return
  // (binary-trees, 7% each), a field of a field and a field tested against a
  // constant (richards, 5%), and mandelbrot's add before two products (14%).
  [Op.JGEK_RETI]: [Op.JGEK, Op.RETI],
  [Op.MOVI_MOVI_CALL]: [Op.MOVI, Op.MOVI, Op.CALL],
  [Op.AGETF_MULF_ADDF_FORLOOP]: [Op.AGETF, Op.MULF, Op.ADDF, Op.FORLOOP],
  [Op.I2F_RDIVFK_RETF]: [Op.I2F, Op.RDIVFK, Op.RETF],
  [Op.GETFF_MULF_ADDF_SETFF]: [Op.GETFF, Op.MULF, Op.ADDF, Op.SETFF],
  [Op.AGETI_AGETI_ASETI_ASETI]: [Op.AGETI, Op.AGETI, Op.ASETI, Op.ASETI],
  [Op.LOADNULL_SETFR]: [Op.LOADNULL, Op.SETFR],
  [Op.SETFR_RETR]: [Op.SETFR, Op.RETR],
  [Op.GETFR_GETFI]: [Op.GETFR, Op.GETFI],
  [Op.GETFI_JNEK]: [Op.GETFI, Op.JNEK],
  [Op.ADDF_MULF_MULF]: [Op.ADDF, Op.MULF, Op.MULF],
  // The third round: the pairs of MOVI_MOVI and MOVI_MOVI_CALL for references
  // and f64. Without them a call passing n references or f64 values made n
  // dispatches where one passing n i32 made n/2 (interp -> interp with six
  // references: about 2 ns; docs/architecture.md, crossings, sixth round).
  [Op.MOVR_MOVR]: [Op.MOVR, Op.MOVR],
  [Op.MOVF_MOVF]: [Op.MOVF, Op.MOVF],
  [Op.MOVR_MOVR_CALL]: [Op.MOVR, Op.MOVR, Op.CALL],
  [Op.MOVF_MOVF_CALL]: [Op.MOVF, Op.MOVF, Op.CALL],
} as const;

// Runs: a first part, then one or more instructions each of the run's opcodes,
// then the last parts; the same encoding and rules as SUPER_PARTS (the fuse pass
// takes the longest run; a fixed superinstruction of the same length wins). The
// interpreter's case loops over the run, each later part telling its own kind.
// The arguments of a call all moved from registers, then the call: one dispatch
// where there was one per argument (interp -> compiled and interp -> interp with
// three or more arguments or two of f64 or references; docs/architecture.md,
// crossings, fifth round).
const MOVES = [Op.MOVI, Op.MOVR, Op.MOVF] as const;
const SUPER_RUNS = {
  [Op.MOVI_MOVES_CALL]: { first: Op.MOVI, run: MOVES, last: [Op.CALL] },
  [Op.MOVR_MOVES_CALL]: { first: Op.MOVR, run: MOVES, last: [Op.CALL] },
  [Op.MOVF_MOVES_CALL]: { first: Op.MOVF, run: MOVES, last: [Op.CALL] },
} as const;

/** The superinstructions. */
export type SuperOp = keyof typeof SUPER_PARTS | keyof typeof SUPER_RUNS;
type PlainOp = Exclude<Op, SuperOp>;

/** A superinstruction's entry: its first part's operands and checks, named by
 *  its parts (`LOADI+ASETI`); its `parts` say what follows. */
function superInfo(parts: readonly PlainOp[], run?: readonly PlainOp[]): OpInfo {
  const { alu: _alu, cmp: _cmp, doc: _doc, name: _name, ...first } = OP_TABLE[parts[0]!] as OpInfo;
  const names = parts.map((p) => OP_TABLE[p].name);
  if (run === undefined) return { ...first, name: names.join('+'), doc: `superinstruction: ${names.join(', then ')}`, parts };
  const runName = run.map((p) => OP_TABLE[p].name).join('|');
  return { ...first, name: [names[0], `(${runName})*`, ...names.slice(1)].join('+'),
    doc: `superinstruction: ${names[0]}, then one or more of ${runName}, then ${names.slice(1).join(', then ')}`, parts, run };
}

export const OP_INFO: { readonly [K in Op]: OpInfo } = {
  ...OP_TABLE,
  ...Object.fromEntries(Object.entries(SUPER_PARTS).map(([op, parts]) => [op, superInfo(parts)])) as { [K in keyof typeof SUPER_PARTS]: OpInfo },
  ...Object.fromEntries(Object.entries(SUPER_RUNS).map(([op, r]) => [op, superInfo([r.first, ...r.last], r.run)])) as { [K in keyof typeof SUPER_RUNS]: OpInfo },
};

export const OP_COUNT = Object.keys(OP_INFO).length;


/** Opcodes that are pure operations (those with an `alu` entry). */
export type AluOp = { [K in PlainOp]: (typeof OP_TABLE)[K] extends { alu: Alu } ? K : never }[PlainOp];
/** Compare-and-branch opcodes (those with a `cmp` entry). */
export type CmpOp = { [K in PlainOp]: (typeof OP_TABLE)[K] extends { cmp: Cmp } ? K : never }[PlainOp];

/** True for superinstructions; narrows op, so a switch over the rest can be exhaustive. */
export function isSuperOp(op: Op): op is SuperOp { return OP_INFO[op].parts !== undefined; }


/** True for pure operations; narrows op, so a switch over the rest can be exhaustive. */
export function isAluOp(op: Op): op is AluOp { return OP_INFO[op].alu !== undefined; }
export function isCmpOp(op: Op): op is CmpOp { return OP_INFO[op].cmp !== undefined; }

/** The kind of the register an instruction writes as its first operand. */
export function writtenKind(op: Op): Kind.I | Kind.F | Kind.R {
  const w = OP_INFO[op].args[0];
  return w === 'wf' ? Kind.F : w === 'wr' ? Kind.R : Kind.I;
}

/** Needs a frame of its own in compiled code: calls, allocates or publishes. */
export function needsFrame(op: Op): boolean {
  const i = OP_INFO[op];
  return i.calls === true || i.allocates === true || i.publishes === true;
}

/** The position a step counted by the instruction at pc is charged to (its fault
 *  site when the fuel runs out): a call's own position; for a back-edge, the
 *  loop header it jumps to, where the interpreter stands when it counts it. */
export function stepSite(code: Int32Array, pc: number): number {
  return OP_INFO[code[pc] as Op].step === 'backEdge' ? jumpTargetAt(code, pc)! : pc;
}

/** The jump target of the instruction at pc of `code`, or null if it does not jump. */
export function jumpTargetAt(code: Int32Array, pc: number): number | null {
  const i = OP_INFO[code[pc] as Op].args.indexOf('lbl');
  return i < 0 ? null : code[pc + 1 + i]!;
}

/** Number of code words an instruction with opcode `op` occupies. */
export function instrLength(op: Op): number { return 1 + OP_INFO[op].args.length; }

/** Slots (8 bytes each) of the frame header that sits just below a frame's R[0]:
 *  word 0 function index, word 1 caller's frame pointer (slot units, -1 = host),
 *  word 2 the caller's resume position, word 3 the caller's result register
 *  (-1 = return to the host). */
export const HEADER_SLOTS = 2;

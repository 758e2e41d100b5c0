// The one opcode table: every instruction of tiervm's typed register bytecode.
//
// The builder, verifier, disassembler, interpreter and every backend derive from
// OP_INFO. An instruction is the opcode followed by its operands, all in one
// Int32Array. Registers are frame slots of 8 bytes; each register has one kind for
// the whole function (see Kind). Opcodes are typed: i32 and f64 arithmetic are
// different opcodes, so no tier ever tests a type at run time.
//
// Notation in the docs: R[A] is the register named by operand A, KF/KS the f64 and
// string constant pools, G[B] a global, M the linear memory. Jumps name an absolute
// position in the function's code. `Op` is a const enum so that the interpreter's
// switch compiles to literal cases (V8 makes a jump table of it); OP_INFO is a
// mapped type over Op, so a new opcode without an entry fails to compile.

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
  NEWARRI, NEWARRF, NEWARRR, AGETI, AGETF, AGETR, ASETI, ASETF, ASETR, LEN, SGET, CONCAT,
  GETGI, GETGF, GETGR, SETGI, SETGF, SETGR,
  OUTI, OUTF, OUTB, OUTS, TOSTRI, TOSTRF, TOSTRB, SQRT, MATH1, MATH2, CLOCK,
  FIXED, CHR, SUBSTR, PARSEI, PARSEF, PANIC,
}

/** Operand kinds. r*: a register read, w*: a register written (i/f/r = its kind);
 *  imm: an i32 immediate; kf/ks: constant pool index; fn/ext/glob/st: function,
 *  extern, global, struct, signature index; off: a byte offset into a struct; lbl: a code
 *  position; base: the first call-area register; dst: the register receiving a
 *  call's result (its kind is the callee's result kind; ignored for void calls). */
export type Operand =
  | 'ri' | 'rf' | 'rr' | 'wi' | 'wf' | 'wr'
  | 'imm' | 'kf' | 'ks' | 'fn' | 'ext' | 'glob' | 'st' | 'sig' | 'off' | 'lbl' | 'base' | 'dst';

export interface OpInfo {
  name: string;
  args: readonly Operand[];
  doc: string;
  /** Ends a basic block: control never falls through to the next instruction. */
  ends?: boolean;
  /** May allocate on the heap (a safepoint: the collector may run). */
  allocates?: boolean;
  /** Calls into another function (a safepoint). */
  calls?: boolean;
}

const I3 = ['wi', 'ri', 'ri'] as const;
const F3 = ['wf', 'rf', 'rf'] as const;
const FCMP = ['wi', 'rf', 'rf'] as const;
const JCMP = ['ri', 'ri', 'lbl'] as const;
const JCMPK = ['ri', 'imm', 'lbl'] as const;

export const OP_INFO: { readonly [K in Op]: OpInfo } = {
  [Op.LOADI]: { name: 'LOADI', args: ['wi', 'imm'], doc: 'R[A] := B' },
  [Op.LOADF]: { name: 'LOADF', args: ['wf', 'kf'], doc: 'R[A] := KF[B]' },
  [Op.LOADS]: { name: 'LOADS', args: ['wr', 'ks'], doc: 'R[A] := KS[B] (a string allocated at load time)' },
  [Op.LOADNULL]: { name: 'LOADNULL', args: ['wr'], doc: 'R[A] := null' },
  [Op.LOADFN]: { name: 'LOADFN', args: ['wi', 'fn'], doc: 'R[A] := function value of function B (B + 1)' },
  [Op.MOVI]: { name: 'MOVI', args: ['wi', 'ri'], doc: 'R[A] := R[B] (i32 kind)' },
  [Op.MOVF]: { name: 'MOVF', args: ['wf', 'rf'], doc: 'R[A] := R[B] (f64)' },
  [Op.MOVR]: { name: 'MOVR', args: ['wr', 'rr'], doc: 'R[A] := R[B] (reference)' },

  [Op.ADD]: { name: 'ADD', args: I3, doc: 'R[A] := R[B] + R[C], wrapping' },
  [Op.SUB]: { name: 'SUB', args: I3, doc: 'R[A] := R[B] - R[C], wrapping' },
  [Op.MUL]: { name: 'MUL', args: I3, doc: 'R[A] := R[B] * R[C], wrapping' },
  [Op.DIV]: { name: 'DIV', args: I3, doc: 'R[A] := R[B] / R[C] toward zero; traps on 0 and on MIN / -1' },
  [Op.REM]: { name: 'REM', args: I3, doc: 'R[A] := R[B] % R[C], sign of the dividend; traps on 0; MIN % -1 = 0' },
  [Op.AND]: { name: 'AND', args: I3, doc: 'R[A] := R[B] & R[C]' },
  [Op.OR]: { name: 'OR', args: I3, doc: 'R[A] := R[B] | R[C]' },
  [Op.XOR]: { name: 'XOR', args: I3, doc: 'R[A] := R[B] ^ R[C]' },
  [Op.SHL]: { name: 'SHL', args: I3, doc: 'R[A] := R[B] << (R[C] mod 32)' },
  [Op.SHR]: { name: 'SHR', args: I3, doc: 'R[A] := R[B] >> (R[C] mod 32), arithmetic' },
  [Op.SHRU]: { name: 'SHRU', args: I3, doc: 'R[A] := R[B] >>> (R[C] mod 32), logical' },
  [Op.ADDI]: { name: 'ADDI', args: ['wi', 'ri', 'imm'], doc: 'R[A] := R[B] + C, wrapping' },
  [Op.MULK]: { name: 'MULK', args: ['wi', 'ri', 'imm'], doc: 'R[A] := R[B] * C, wrapping' },
  [Op.DIVK]: { name: 'DIVK', args: ['wi', 'ri', 'imm'], doc: 'R[A] := R[B] / C toward zero (C is neither 0 nor -1: cannot trap)' },
  [Op.REMK]: { name: 'REMK', args: ['wi', 'ri', 'imm'], doc: 'R[A] := R[B] % C, sign of the dividend (C is neither 0 nor -1)' },
  [Op.NEG]: { name: 'NEG', args: ['wi', 'ri'], doc: 'R[A] := -R[B], wrapping' },
  [Op.BNOT]: { name: 'BNOT', args: ['wi', 'ri'], doc: 'R[A] := ~R[B]' },
  [Op.NOT]: { name: 'NOT', args: ['wi', 'ri'], doc: 'R[A] := !R[B] (bool)' },

  [Op.EQ]: { name: 'EQ', args: I3, doc: 'R[A] := R[B] == R[C] (i32, bool or function values)' },
  [Op.NE]: { name: 'NE', args: I3, doc: 'R[A] := R[B] != R[C]' },
  [Op.LT]: { name: 'LT', args: I3, doc: 'R[A] := R[B] < R[C] (signed)' },
  [Op.LE]: { name: 'LE', args: I3, doc: 'R[A] := R[B] <= R[C]' },
  [Op.GT]: { name: 'GT', args: I3, doc: 'R[A] := R[B] > R[C]' },
  [Op.GE]: { name: 'GE', args: I3, doc: 'R[A] := R[B] >= R[C]' },

  [Op.ADDF]: { name: 'ADDF', args: F3, doc: 'R[A] := R[B] + R[C] (f64)' },
  [Op.SUBF]: { name: 'SUBF', args: F3, doc: 'R[A] := R[B] - R[C] (f64)' },
  [Op.MULF]: { name: 'MULF', args: F3, doc: 'R[A] := R[B] * R[C] (f64)' },
  [Op.DIVF]: { name: 'DIVF', args: F3, doc: 'R[A] := R[B] / R[C] (f64)' },
  [Op.REMF]: { name: 'REMF', args: F3, doc: 'R[A] := fmod(R[B], R[C]) (JavaScript %)' },
  [Op.ADDFK]: { name: 'ADDFK', args: ['wf', 'rf', 'kf'], doc: 'R[A] := R[B] + KF[C]' },
  [Op.SUBFK]: { name: 'SUBFK', args: ['wf', 'rf', 'kf'], doc: 'R[A] := R[B] - KF[C]' },
  [Op.MULFK]: { name: 'MULFK', args: ['wf', 'rf', 'kf'], doc: 'R[A] := R[B] * KF[C]' },
  [Op.DIVFK]: { name: 'DIVFK', args: ['wf', 'rf', 'kf'], doc: 'R[A] := R[B] / KF[C]' },
  [Op.RSUBFK]: { name: 'RSUBFK', args: ['wf', 'kf', 'rf'], doc: 'R[A] := KF[B] - R[C]' },
  [Op.RDIVFK]: { name: 'RDIVFK', args: ['wf', 'kf', 'rf'], doc: 'R[A] := KF[B] / R[C]' },
  [Op.NEGF]: { name: 'NEGF', args: ['wf', 'rf'], doc: 'R[A] := -R[B] (f64)' },
  [Op.EQF]: { name: 'EQF', args: FCMP, doc: 'R[A] := R[B] == R[C] (f64)' },
  [Op.NEF]: { name: 'NEF', args: FCMP, doc: 'R[A] := R[B] != R[C] (f64)' },
  [Op.LTF]: { name: 'LTF', args: FCMP, doc: 'R[A] := R[B] < R[C] (f64)' },
  [Op.LEF]: { name: 'LEF', args: FCMP, doc: 'R[A] := R[B] <= R[C] (f64)' },
  [Op.GTF]: { name: 'GTF', args: FCMP, doc: 'R[A] := R[B] > R[C] (f64)' },
  [Op.GEF]: { name: 'GEF', args: FCMP, doc: 'R[A] := R[B] >= R[C] (f64)' },

  [Op.I2F]: { name: 'I2F', args: ['wf', 'ri'], doc: 'R[A] := R[B] as f64 (exact)' },
  [Op.F2I]: { name: 'F2I', args: ['wi', 'rf'], doc: 'R[A] := R[B] as i32 (truncate, saturate, NaN -> 0)' },
  [Op.EQR]: { name: 'EQR', args: ['wi', 'rr', 'rr'], doc: 'R[A] := R[B] is R[C] (identity)' },
  [Op.NER]: { name: 'NER', args: ['wi', 'rr', 'rr'], doc: 'R[A] := R[B] is not R[C]' },
  [Op.STREQ]: { name: 'STREQ', args: ['wi', 'rr', 'rr'], doc: 'R[A] := strings R[B] and R[C] have equal contents (null equals only null)' },
  [Op.STRNE]: { name: 'STRNE', args: ['wi', 'rr', 'rr'], doc: 'R[A] := !(R[B] STREQ R[C])' },

  [Op.JMP]: { name: 'JMP', args: ['lbl'], doc: 'pc := A', ends: true },
  [Op.JMPLOOP]: { name: 'JMPLOOP', args: ['lbl'], doc: 'loop back-edge: count it, pc := A (A is a loop header, A <= pc)', ends: true },
  [Op.FORLOOP]: { name: 'FORLOOP', args: ['ri', 'ri', 'lbl'], doc: 'loop back-edge of `for`: count it, R[A] += 1, if R[A] < R[B] then pc := C (C <= pc)' },
  [Op.FORLOOPK]: { name: 'FORLOOPK', args: ['ri', 'imm', 'lbl'], doc: 'loop back-edge of `for`: count it, R[A] += 1, if R[A] < B then pc := C (C <= pc)' },
  [Op.JT]: { name: 'JT', args: ['ri', 'lbl'], doc: 'if R[A] then pc := B' },
  [Op.JF]: { name: 'JF', args: ['ri', 'lbl'], doc: 'if !R[A] then pc := B' },
  [Op.JEQ]: { name: 'JEQ', args: JCMP, doc: 'if R[A] == R[B] then pc := C' },
  [Op.JNE]: { name: 'JNE', args: JCMP, doc: 'if R[A] != R[B] then pc := C' },
  [Op.JLT]: { name: 'JLT', args: JCMP, doc: 'if R[A] < R[B] then pc := C' },
  [Op.JLE]: { name: 'JLE', args: JCMP, doc: 'if R[A] <= R[B] then pc := C' },
  [Op.JGT]: { name: 'JGT', args: JCMP, doc: 'if R[A] > R[B] then pc := C' },
  [Op.JGE]: { name: 'JGE', args: JCMP, doc: 'if R[A] >= R[B] then pc := C' },
  [Op.JEQK]: { name: 'JEQK', args: JCMPK, doc: 'if R[A] == B then pc := C' },
  [Op.JNEK]: { name: 'JNEK', args: JCMPK, doc: 'if R[A] != B then pc := C' },
  [Op.JLTK]: { name: 'JLTK', args: JCMPK, doc: 'if R[A] < B then pc := C' },
  [Op.JLEK]: { name: 'JLEK', args: JCMPK, doc: 'if R[A] <= B then pc := C' },
  [Op.JGTK]: { name: 'JGTK', args: JCMPK, doc: 'if R[A] > B then pc := C' },
  [Op.JGEK]: { name: 'JGEK', args: JCMPK, doc: 'if R[A] >= B then pc := C' },

  [Op.CALL]: { name: 'CALL', args: ['fn', 'base', 'dst'], doc: 'R[C] := function A(arguments in R[B+2..]); frame header in R[B], R[B+1]', calls: true },
  [Op.CALLV]: { name: 'CALLV', args: ['ri', 'sig', 'base', 'dst'], doc: 'R[D] := function value R[A](R[C+2..]), of signature B; traps on null', calls: true },
  [Op.CALLX]: { name: 'CALLX', args: ['ext', 'base', 'dst'], doc: 'R[C] := host extern A(R[B+2..])', calls: true, allocates: true },
  [Op.RETV]: { name: 'RETV', args: [], doc: 'return to the caller', ends: true },
  [Op.RETI]: { name: 'RETI', args: ['ri'], doc: 'return R[A] (i32 kind)', ends: true },
  [Op.RETF]: { name: 'RETF', args: ['rf'], doc: 'return R[A] (f64)', ends: true },
  [Op.RETR]: { name: 'RETR', args: ['rr'], doc: 'return R[A] (reference)', ends: true },

  [Op.NEWSTRUCT]: { name: 'NEWSTRUCT', args: ['wr', 'st'], doc: 'R[A] := new struct B, every field zero', allocates: true },
  [Op.GETFI]: { name: 'GETFI', args: ['wi', 'rr', 'off'], doc: 'R[A] := i32 at M[R[B] + C]; traps on null' },
  [Op.GETFF]: { name: 'GETFF', args: ['wf', 'rr', 'off'], doc: 'R[A] := f64 at M[R[B] + C]; traps on null' },
  [Op.GETFR]: { name: 'GETFR', args: ['wr', 'rr', 'off'], doc: 'R[A] := reference at M[R[B] + C]; traps on null' },
  [Op.SETFI]: { name: 'SETFI', args: ['rr', 'off', 'ri'], doc: 'M[R[A] + B] := R[C] (i32); traps on null' },
  [Op.SETFF]: { name: 'SETFF', args: ['rr', 'off', 'rf'], doc: 'M[R[A] + B] := R[C] (f64); traps on null' },
  [Op.SETFR]: { name: 'SETFR', args: ['rr', 'off', 'rr'], doc: 'M[R[A] + B] := R[C] (reference); traps on null' },

  [Op.NEWARRI]: { name: 'NEWARRI', args: ['wr', 'ri'], doc: 'R[A] := new array of R[B] 4-byte zeros (i32, bool, fn); traps if negative', allocates: true },
  [Op.NEWARRF]: { name: 'NEWARRF', args: ['wr', 'ri'], doc: 'R[A] := new array of R[B] f64 zeros; traps if negative', allocates: true },
  [Op.NEWARRR]: { name: 'NEWARRR', args: ['wr', 'ri'], doc: 'R[A] := new array of R[B] nulls; traps if negative', allocates: true },
  [Op.AGETI]: { name: 'AGETI', args: ['wi', 'rr', 'ri'], doc: 'R[A] := R[B][R[C]] (4-byte element); traps on null or out of bounds' },
  [Op.AGETF]: { name: 'AGETF', args: ['wf', 'rr', 'ri'], doc: 'R[A] := R[B][R[C]] (f64); traps on null or out of bounds' },
  [Op.AGETR]: { name: 'AGETR', args: ['wr', 'rr', 'ri'], doc: 'R[A] := R[B][R[C]] (reference); traps on null or out of bounds' },
  [Op.ASETI]: { name: 'ASETI', args: ['rr', 'ri', 'ri'], doc: 'R[A][R[B]] := R[C] (4-byte element); traps on null or out of bounds' },
  [Op.ASETF]: { name: 'ASETF', args: ['rr', 'ri', 'rf'], doc: 'R[A][R[B]] := R[C] (f64); traps on null or out of bounds' },
  [Op.ASETR]: { name: 'ASETR', args: ['rr', 'ri', 'rr'], doc: 'R[A][R[B]] := R[C] (reference); traps on null or out of bounds' },
  [Op.LEN]: { name: 'LEN', args: ['wi', 'rr'], doc: 'R[A] := length of the string or array R[B]; traps on null' },
  [Op.SGET]: { name: 'SGET', args: ['wi', 'rr', 'ri'], doc: 'R[A] := UTF-16 code unit R[C] of string R[B]; traps on null or out of bounds' },
  [Op.CONCAT]: { name: 'CONCAT', args: ['wr', 'rr', 'rr'], doc: 'R[A] := R[B] + R[C] (strings); traps on null', allocates: true },

  [Op.GETGI]: { name: 'GETGI', args: ['wi', 'glob'], doc: 'R[A] := G[B] (i32 kind)' },
  [Op.GETGF]: { name: 'GETGF', args: ['wf', 'glob'], doc: 'R[A] := G[B] (f64)' },
  [Op.GETGR]: { name: 'GETGR', args: ['wr', 'glob'], doc: 'R[A] := G[B] (reference)' },
  [Op.SETGI]: { name: 'SETGI', args: ['glob', 'ri'], doc: 'G[A] := R[B] (i32 kind)' },
  [Op.SETGF]: { name: 'SETGF', args: ['glob', 'rf'], doc: 'G[A] := R[B] (f64)' },
  [Op.SETGR]: { name: 'SETGR', args: ['glob', 'rr'], doc: 'G[A] := R[B] (reference)' },

  [Op.OUTI]: { name: 'OUTI', args: ['ri', 'imm'], doc: 'write i32 R[A], then a newline if B' },
  [Op.OUTF]: { name: 'OUTF', args: ['rf', 'imm'], doc: 'write f64 R[A] as String(x), then a newline if B' },
  [Op.OUTB]: { name: 'OUTB', args: ['ri', 'imm'], doc: 'write bool R[A], then a newline if B' },
  [Op.OUTS]: { name: 'OUTS', args: ['rr', 'imm'], doc: 'write string R[A], then a newline if B; traps on null' },
  [Op.TOSTRI]: { name: 'TOSTRI', args: ['wr', 'ri'], doc: 'R[A] := str(R[B]) (i32)', allocates: true },
  [Op.TOSTRF]: { name: 'TOSTRF', args: ['wr', 'rf'], doc: 'R[A] := str(R[B]) (f64)', allocates: true },
  [Op.TOSTRB]: { name: 'TOSTRB', args: ['wr', 'ri'], doc: 'R[A] := str(R[B]) (bool)', allocates: true },
  [Op.SQRT]: { name: 'SQRT', args: ['wf', 'rf'], doc: 'R[A] := sqrt(R[B])' },
  [Op.MATH1]: { name: 'MATH1', args: ['wf', 'rf', 'imm'], doc: 'R[A] := MATH1_FNS[C](R[B])' },
  [Op.MATH2]: { name: 'MATH2', args: ['wf', 'rf', 'rf', 'imm'], doc: 'R[A] := MATH2_FNS[D](R[B], R[C])' },
  [Op.CLOCK]: { name: 'CLOCK', args: ['wf'], doc: 'R[A] := monotonic milliseconds' },
  [Op.FIXED]: { name: 'FIXED', args: ['wr', 'rf', 'ri'], doc: 'R[A] := R[B].toFixed(R[C]); traps unless 0 <= R[C] <= 20', allocates: true },
  [Op.CHR]: { name: 'CHR', args: ['wr', 'ri'], doc: 'R[A] := string of code point R[B]; traps outside 0..0x10FFFF', allocates: true },
  [Op.SUBSTR]: { name: 'SUBSTR', args: ['wr', 'rr', 'ri', 'ri'], doc: 'R[A] := code units R[C] up to R[D] of R[B]; traps on null or a bad range', allocates: true },
  [Op.PARSEI]: { name: 'PARSEI', args: ['wi', 'rr'], doc: 'R[A] := R[B] parsed as i32; traps if malformed or out of range' },
  [Op.PARSEF]: { name: 'PARSEF', args: ['wf', 'rr'], doc: 'R[A] := R[B] parsed as f64; traps if malformed' },
  [Op.PANIC]: { name: 'PANIC', args: ['rr'], doc: 'runtime error with message R[A]', ends: true },
};

/** Names of the one-argument f64 built-ins, in MATH1 operand order. */
export const MATH1_FNS = ['sin', 'cos', 'tan', 'atan', 'exp', 'log', 'floor', 'ceil', 'abs'] as const;
/** Names of the two-argument f64 built-ins, in MATH2 operand order. */
export const MATH2_FNS = ['atan2', 'pow'] as const;

export const OP_COUNT = Object.keys(OP_INFO).length;

/** Number of code words an instruction with opcode `op` occupies. */
export function instrLength(op: Op): number { return 1 + OP_INFO[op].args.length; }

/** Slots (8 bytes each) of the frame header that sits just below a frame's R[0]:
 *  word 0 function index, word 1 caller's frame pointer (slot units, -1 = host),
 *  word 2 the caller's resume position, word 3 the caller's result register
 *  (-1 = return to the host). */
export const HEADER_SLOTS = 2;

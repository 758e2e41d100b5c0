// Lowering: one verified bytecode function to one WebAssembly function.
//
// The compiled function's signature is (fp: i32, params...) -> result, with i32 and
// f64 parameters as wasm types (references are i32 addresses): the typed native
// calling convention. An OSR variant is (fp: i32) -> result and starts at a loop
// header, reading every register from the frame the interpreter left.
//
// Registers live in wasm locals. The frame-slot contract (docs/architecture.md):
//   - registers of kind R are written through to their frame slot on every write,
//     so the collector finds every live reference in the frame;
//   - non-parameter R slots are zeroed on entry, parameter R slots written;
//   - before a helper that may allocate or trap, the frame publishes itself:
//     cells[TOP_FP_WORD] := fp, cells[TOP_PC_WORD] := pc.
// A call writes the callee's frame header over the call area (function index, this
// fp, the resume pc, -1) and calls through the shared table with native arguments:
//
//     local.get fp ; i32.const base+2 ; i32.add      ;; callee fp
//     local.get arg0 ... local.get argN
//     i32.const F ; call_indirect (type sig)
//
// Compiled code does not count calls or back-edges: counters steer tiering of
// interpreted code only.

import { Kind, Op, OP_INFO, HEADER_SLOTS, MATH1_FNS, MATH2_FNS, instrLength } from '../../bytecode/opcodes.js';
import type { BcFunction, BcModule, ValKind } from '../../bytecode/module.js';
import { TOP_FP_WORD, TOP_PC_WORD, SCRATCH_SLOT } from '../../runtime/runtime.js';
import { CURSOR_WORD, LIMIT_WORD, HEADER_BYTES, ObjKind, blockSizeFor } from '../../runtime/heap.js';
import { buildCfg, Exit, type Block } from '../cfg.js';
import { structure, type StructuredSink } from '../structure.js';
import { ValType, W, type Label, type Local, type WasmFunctionBuilder, type WasmModuleBuilder } from './encoder.js';
import { HELPER_TYPES, TrapCode, type HelperName } from './helpers.js';

export function wasmType(k: ValKind): ValType { return k === Kind.F ? ValType.F64 : ValType.I32; }

/** The wasm function type of a signature shape: (fp, params...) -> result. */
export function shapeType(mb: WasmModuleBuilder, params: readonly ValKind[], ret: ValKind | null): number {
  return mb.addType([ValType.I32, ...params.map(wasmType)], ret === null ? [] : [wasmType(ret)]);
}

/** Facts about the running VM that compiled code bakes in as constants. */
export interface LowerEnv {
  mod: BcModule;
  strAddrs: Int32Array;
  globalsSlot: number;
  stackEndSlot: number;
  frameSizes: Int32Array;
  /** May function f's body be inlined into its callers? (False for functions the
   *  tiering policy keeps interpreted, and with --no-inline.) */
  mayInline: (f: number) => boolean;
}

/** Emit function `fn` into `mb` (helpers already imported). `entryPc` is 0 for the
 *  whole function or a loop header for an OSR variant. */
export function lowerFunction(env: LowerEnv, mb: WasmModuleBuilder, fn: BcFunction, entryPc: number): WasmFunctionBuilder {
  const helpers = new Map<HelperName, number>();
  for (const name of helpersUsed(env, fn)) {
    const t = HELPER_TYPES[name];
    helpers.set(name, mb.importFunction('h', name, mb.addType(t.params, t.results)));
  }
  const osr = entryPc !== 0;
  const type = osr ? mb.addType([ValType.I32], fn.ret === null ? [] : [wasmType(fn.ret)])
                   : shapeType(mb, fn.params, fn.ret);
  const wb = mb.addFunction(type, osr ? `${fn.name}@${entryPc}` : fn.name);
  const ctx = new FnLowering(env, mb, wb, fn, osr ? { kind: 'osr' } : { kind: 'function' }, helpers);
  ctx.prologue();
  structure(buildCfg(fn, entryPc), ctx);
  wb.unreachable();
  wb.finish();
  return wb;
}

const I32_BIN: Partial<Record<Op, number>> = {
  [Op.ADD]: W.I32_ADD!, [Op.SUB]: W.I32_SUB!, [Op.MUL]: W.I32_MUL!, [Op.AND]: W.I32_AND!,
  [Op.OR]: W.I32_OR!, [Op.XOR]: W.I32_XOR!, [Op.SHL]: W.I32_SHL!, [Op.SHR]: W.I32_SHR_S!,
  [Op.SHRU]: W.I32_SHR_U!, [Op.EQ]: W.I32_EQ!, [Op.NE]: W.I32_NE!, [Op.LT]: W.I32_LT_S!,
  [Op.LE]: W.I32_LE_S!, [Op.GT]: W.I32_GT_S!, [Op.GE]: W.I32_GE_S!, [Op.EQR]: W.I32_EQ!, [Op.NER]: W.I32_NE!,
};
const F64_BIN: Partial<Record<Op, number>> = {
  [Op.ADDF]: W.F64_ADD!, [Op.SUBF]: W.F64_SUB!, [Op.MULF]: W.F64_MUL!, [Op.DIVF]: W.F64_DIV!,
  [Op.EQF]: W.F64_EQ!, [Op.NEF]: W.F64_NE!, [Op.LTF]: W.F64_LT!, [Op.LEF]: W.F64_LE!,
  [Op.GTF]: W.F64_GT!, [Op.GEF]: W.F64_GE!,
};
const K_TO_F64: Partial<Record<Op, Op>> = { [Op.ADDFK]: Op.ADDF, [Op.SUBFK]: Op.SUBF, [Op.MULFK]: Op.MULF, [Op.DIVFK]: Op.DIVF };
/** Compare-and-branch opcodes: the wasm comparison that is true when they jump. */
const JUMP_CMP: Partial<Record<Op, number>> = {
  [Op.JEQ]: W.I32_EQ!, [Op.JNE]: W.I32_NE!, [Op.JLT]: W.I32_LT_S!, [Op.JLE]: W.I32_LE_S!,
  [Op.JGT]: W.I32_GT_S!, [Op.JGE]: W.I32_GE_S!, [Op.JEQK]: W.I32_EQ!, [Op.JNEK]: W.I32_NE!,
  [Op.JLTK]: W.I32_LT_S!, [Op.JLEK]: W.I32_LE_S!, [Op.JGTK]: W.I32_GT_S!, [Op.JGEK]: W.I32_GE_S!,
};
const NATIVE_MATH1: Partial<Record<(typeof MATH1_FNS)[number], number>> = {
  floor: W.F64_FLOOR!, ceil: W.F64_CEIL!, abs: W.F64_ABS!,
};

/** What is being emitted: a whole function, an OSR entry, or a leaf function's
 *  body inlined at a call site (its frame pointer computed by the caller, its
 *  returns turned into a branch out of `ret` with the value in `result`). */
type Mode =
  | { kind: 'function' }
  | { kind: 'osr' }
  | { kind: 'inline'; fp: Local; ret: Label; result: Local | null };

/** Callees at most this long (bytecode words) are inlined when they are leaves. */
const INLINE_MAX_WORDS = 96;

/** Opcodes a leaf may not contain: calls, allocation, and helpers that publish. */
const NOT_IN_LEAF = new Set<Op>([
  Op.CALL, Op.CALLV, Op.CALLX, Op.NEWSTRUCT, Op.NEWARRI, Op.NEWARRF, Op.NEWARRR, Op.CONCAT,
  Op.TOSTRI, Op.TOSTRF, Op.TOSTRB, Op.FIXED, Op.CHR, Op.SUBSTR, Op.PARSEI, Op.PARSEF, Op.PANIC,
]);

/** Opcodes that may trap (a trap needs the frame's header for the stack trace). */
const MAY_TRAP = new Set<Op>([
  Op.DIV, Op.REM, Op.GETFI, Op.GETFF, Op.GETFR, Op.SETFI, Op.SETFF, Op.SETFR, Op.AGETI, Op.AGETF, Op.AGETR,
  Op.ASETI, Op.ASETF, Op.ASETR, Op.LEN, Op.SGET, Op.OUTS,
]);

function forEachInstr(fn: BcFunction, visit: (op: Op, pc: number) => void): void {
  for (let pc = 0; pc < fn.code.length; pc += instrLength(fn.code[pc] as Op)) visit(fn.code[pc] as Op, pc);
}

/** Registers whose every write is LOADI of one value: constants wherever read. */
function constantRegisters(fn: BcFunction): Map<number, number> {
  const value = new Map<number, number>();
  const varies = new Set<number>(fn.params.map((_, i) => i));
  forEachInstr(fn, (op, pc) => {
    OP_INFO[op].args.forEach((a, i) => {
      if (a !== 'wi' && a !== 'wf' && a !== 'wr' && a !== 'dst') return;
      const r = fn.code[pc + 1 + i]!;
      if (op === Op.LOADI && (!value.has(r) || value.get(r) === fn.code[pc + 2])) value.set(r, fn.code[pc + 2]!);
      else varies.add(r);
    });
  });
  for (const r of varies) value.delete(r);
  return value;
}

/** Helpers each opcode may call (null checks and bounds checks included). */
const OP_HELPERS: Partial<Record<Op, readonly HelperName[]>> = {
  [Op.DIV]: ['trap'], [Op.REM]: ['trap'], [Op.REMF]: ['fmod'], [Op.CALLV]: ['trap'], [Op.CALLX]: ['callx'],
  [Op.STREQ]: ['streq'], [Op.STRNE]: ['streq'], [Op.NEWSTRUCT]: ['new_struct'],
  [Op.NEWARRI]: ['new_array'], [Op.NEWARRF]: ['new_array'], [Op.NEWARRR]: ['new_array'],
  [Op.GETFI]: ['trap'], [Op.GETFF]: ['trap'], [Op.GETFR]: ['trap'], [Op.SETFI]: ['trap'], [Op.SETFF]: ['trap'], [Op.SETFR]: ['trap'],
  [Op.AGETI]: ['trap', 'trap_index'], [Op.AGETF]: ['trap', 'trap_index'], [Op.AGETR]: ['trap', 'trap_index'],
  [Op.ASETI]: ['trap', 'trap_index'], [Op.ASETF]: ['trap', 'trap_index'], [Op.ASETR]: ['trap', 'trap_index'],
  [Op.LEN]: ['trap'], [Op.SGET]: ['trap', 'trap_index'], [Op.CONCAT]: ['trap', 'concat'],
  [Op.OUTI]: ['out_i'], [Op.OUTF]: ['out_f'], [Op.OUTB]: ['out_b'], [Op.OUTS]: ['trap', 'out_s'],
  [Op.TOSTRI]: ['tostr_i'], [Op.TOSTRF]: ['tostr_f'], [Op.TOSTRB]: ['tostr_b'], [Op.CLOCK]: ['clock'],
  [Op.FIXED]: ['fixed'], [Op.CHR]: ['chr'], [Op.SUBSTR]: ['trap', 'substr'],
  [Op.PARSEI]: ['trap', 'parse_i'], [Op.PARSEF]: ['trap', 'parse_f'], [Op.PANIC]: ['trap', 'panic'],
};

/** Every helper the code of fn (and of the leaves it may inline) can call. */
export function helpersUsed(env: LowerEnv, fn: BcFunction, inlined = false): Set<HelperName> {
  const used = new Set<HelperName>(inlined ? [] : ['trap_stack']);
  forEachInstr(fn, (op, pc) => {
    for (const h of OP_HELPERS[op] ?? []) used.add(h);
    if (op === Op.MATH1 && !NATIVE_MATH1[MATH1_FNS[fn.code[pc + 3]!]!]) used.add(MATH1_FNS[fn.code[pc + 3]!]! as HelperName);
    if (op === Op.MATH2) used.add(MATH2_FNS[fn.code[pc + 4]!]! as HelperName);
    if (op === Op.CALL && !inlined) {
      const g = env.mod.functions[fn.code[pc + 1]!]!;
      if (g !== fn && isLeaf(g)) for (const h of helpersUsed(env, g, true)) used.add(h);
    }
  });
  return used;
}

function isLeaf(fn: BcFunction): boolean {
  if (fn.code.length > INLINE_MAX_WORDS) return false;
  let leaf = true;
  forEachInstr(fn, (op) => { if (NOT_IN_LEAF.has(op)) leaf = false; });
  return leaf;
}

function mayTrap(fn: BcFunction, consts: Map<number, number>): boolean {
  let traps = false;
  forEachInstr(fn, (op, pc) => {
    if (!MAY_TRAP.has(op)) return;
    const divisor = consts.get(fn.code[pc + 3]!);
    if ((op === Op.DIV || op === Op.REM) && divisor !== undefined && divisor !== 0 && divisor !== -1) return;
    traps = true;
  });
  return traps;
}

class FnLowering implements StructuredSink<Label> {
  private readonly code: Int32Array;
  private readonly fp: Local;
  private readonly fpb: Local;              // fp * 8: base address of the frame
  private readonly regs: Local[] = [];      // register -> local (not for the call area)
  private readonly areaI: Local[] = [];
  private readonly areaF: Local[] = [];
  private readonly consts: Map<number, number>;
  /** Registers already null-checked in the current block and not written since. */
  private readonly nonNull = new Set<number>();
  /** (object, index) register pairs bounds-checked in the current block, neither
   *  written since: `obj * 65536 + index`. */
  private readonly inBounds = new Set<number>();
  private readonly osr: boolean;
  private pc = 0;

  constructor(private readonly env: LowerEnv, private readonly mb: WasmModuleBuilder,
              private readonly wb: WasmFunctionBuilder, private readonly fn: BcFunction, private readonly mode: Mode,
              private readonly helpers: Map<HelperName, number>) {
    this.code = fn.code;
    this.osr = mode.kind === 'osr';
    this.consts = constantRegisters(fn);
    this.fp = mode.kind === 'inline' ? mode.fp : wb.param(0);
    this.fpb = wb.local(ValType.I32);
    fn.regKinds.forEach((k, r) => {
      if (r >= fn.areaBase) return;
      this.regs[r] = mode.kind === 'function' && r < fn.params.length ? wb.param(r + 1) : wb.local(wasmType(k as ValKind));
    });
  }

  /** Entry of an inlined body: parameters from the caller's argument locals. */
  inlineEntry(args: Local[]): void {
    const wb = this.wb;
    wb.localGet(this.fp); wb.i32Const(3); wb.op(W.I32_SHL!); wb.localSet(this.fpb);
    args.forEach((l, i) => { wb.localGet(l); wb.localSet(this.regs[i]!); });
  }

  // ---- entry -----------------------------------------------------------------------

  prologue(): void {
    const { wb, fn } = this;
    wb.localGet(this.fp); wb.i32Const(3); wb.op(W.I32_SHL!); wb.localSet(this.fpb);
    if (this.osr) { this.loadAllRegisters(); return; }
    // Frame-stack overflow: the trap is reported at the caller's call, as the
    // interpreter reports it.
    wb.localGet(this.fp); wb.i32Const(this.env.frameSizes[fn.index]!); wb.op(W.I32_ADD!);
    wb.i32Const(this.env.stackEndSlot); wb.op(W.I32_GT_S!);
    wb.if_(); wb.localGet(this.fp); this.callHelper('trap_stack'); wb.end();
    // The innermost frame, should the host stack run out in deeper compiled code.
    wb.i32Const(0); wb.localGet(this.fp); wb.store(W.I32_STORE!, 2, TOP_FP_WORD * 4);
    fn.params.forEach((k, r) => { if (k === Kind.R) this.writeThrough(r); });
  }

  /** OSR: every register comes from the frame slots the interpreter kept. */
  private loadAllRegisters(): void {
    const { wb, fn } = this;
    fn.regKinds.forEach((k, r) => {
      if (r >= fn.areaBase) return;
      wb.localGet(this.fpb);
      wb.load(k === Kind.F ? W.F64_LOAD! : W.I32_LOAD!, k === Kind.F ? 3 : 2, r * 8);
      wb.localSet(this.regs[r]!);
    });
  }

  // ---- the structured sink ---------------------------------------------------------

  body(b: Block): void {
    this.nonNull.clear();
    this.inBounds.clear();
    for (let pc = b.start; pc <= b.last; pc += instrLength(this.code[pc] as Op)) {
      this.pc = pc;
      const op = this.code[pc] as Op;
      if (pc === b.last && b.exit !== Exit.GOTO) {
        if (op === Op.FORLOOP || op === Op.FORLOOPK) this.forIncrement();
        return;
      }
      if (pc === b.last && (op === Op.JMP || op === Op.JMPLOOP)) return;
      this.instr(op);
    }
  }

  terminate(b: Block): void {
    this.pc = b.last;
    const op = this.code[b.last] as Op;
    if (this.mode.kind === 'inline' && op !== Op.PANIC) {
      if (op !== Op.RETV) { this.get(this.a(0)); this.wb.localSet(this.mode.result!); }
      this.wb.br(this.mode.ret);
      return;
    }
    this.instr(op);
  }

  openIf(b: Block): void {
    this.pc = b.last;
    this.condition(this.code[b.last] as Op);
    this.wb.if_();
  }

  openElse(): void { this.wb.else_(); }
  openBlock(): Label { return this.wb.block(); }
  openLoop(): Label { return this.wb.loop(); }
  close(): void { this.wb.end(); }
  br(label: Label): void { this.wb.br(label); }

  // ---- operands --------------------------------------------------------------------

  private a(i: number): number { return this.code[this.pc + 1 + i]!; }

  private get(r: number): void {
    const { fn } = this;
    if (r >= fn.areaBase) throw new Error(`call area register r${r} read outside a call`);
    this.wb.localGet(this.regs[r]!);
  }

  /** Pop the value on the stack into register r (kind k), writing references through. */
  private set(r: number, k: ValKind): void {
    const { fn, wb } = this;
    if (r >= fn.areaBase) {
      const i = r - fn.areaBase - HEADER_SLOTS;
      const list = k === Kind.F ? this.areaF : this.areaI;
      if (!list[i]) list[i] = wb.local(wasmType(k));
      wb.localSet(list[i]!);
      return;
    }
    wb.localSet(this.regs[r]!);
    this.nonNull.delete(r);
    for (const pair of this.inBounds) if ((pair >>> 16) === r || (pair & 0xffff) === r) this.inBounds.delete(pair);
    if (k === Kind.R) this.writeThrough(r);
  }

  private writeThrough(r: number): void {
    this.wb.localGet(this.fpb); this.wb.localGet(this.regs[r]!); this.wb.store(W.I32_STORE!, 2, r * 8);
  }

  private callHelper(name: HelperName): void {
    const index = this.helpers.get(name);
    if (index === undefined) throw new Error(`helper ${name} used but not imported`);
    this.wb.call(index);
  }

  /** Tell the runtime where this frame is before a helper that may allocate or trap. */
  private publish(): void {
    const wb = this.wb;
    wb.i32Const(0); wb.localGet(this.fp); wb.store(W.I32_STORE!, 2, TOP_FP_WORD * 4);
    wb.i32Const(0); wb.i32Const(this.pc); wb.store(W.I32_STORE!, 2, TOP_PC_WORD * 4);
  }

  /** Trap with `code` when the i32 on the stack is nonzero. */
  private trapIf(code: TrapCode): void {
    const wb = this.wb;
    wb.if_(); wb.i32Const(code); wb.localGet(this.fp); wb.i32Const(this.pc); this.callHelper('trap'); wb.end();
  }

  /** Trap on null, unless this block already checked r and has not written it since. */
  private nullCheck(r: number): void {
    if (this.nonNull.has(r)) return;
    this.get(r); this.wb.op(W.I32_EQZ!); this.trapIf(TrapCode.NULL);
    this.nonNull.add(r);
  }

  /** Trap unless 0 <= R[i] < length of the object in R[obj]. */
  private boundsCheck(obj: number, i: number): void {
    const wb = this.wb;
    const pair = obj * 65536 + i;
    if (this.inBounds.has(pair)) return;
    if (obj < 65536 && i < 65536) this.inBounds.add(pair);
    this.get(i); this.get(obj); wb.load(W.I32_LOAD!, 2, 4); wb.op(W.I32_GE_U!);
    wb.if_();
    this.get(i); this.get(obj); wb.load(W.I32_LOAD!, 2, 4); wb.localGet(this.fp); wb.i32Const(this.pc);
    this.callHelper('trap_index');
    wb.end();
  }

  /** Push the address of element R[i] of array R[obj] (elements of 1 << shift bytes). */
  private elementAddress(obj: number, i: number, shift: number): void {
    this.get(obj); this.get(i);
    if (shift > 0) { this.wb.i32Const(shift); this.wb.op(W.I32_SHL!); }
    this.wb.op(W.I32_ADD!);
  }

  // ---- instructions ----------------------------------------------------------------

  private forIncrement(): void {
    const i = this.a(0);
    this.get(i); this.wb.i32Const(1); this.wb.op(W.I32_ADD!); this.set(i, Kind.I);
  }

  /** Push the condition under which the conditional jump at this.pc is taken. */
  private condition(op: Op): void {
    const wb = this.wb;
    switch (op) {
      case Op.JT: this.get(this.a(0)); return;
      case Op.JF: this.get(this.a(0)); wb.op(W.I32_EQZ!); return;
      case Op.FORLOOP: this.get(this.a(0)); this.get(this.a(1)); wb.op(W.I32_LT_S!); return;
      case Op.FORLOOPK: this.get(this.a(0)); wb.i32Const(this.a(1)); wb.op(W.I32_LT_S!); return;
      default: {
        const cmp = JUMP_CMP[op];
        if (cmp === undefined) throw new Error(`${OP_INFO[op].name} is not a conditional jump`);
        this.get(this.a(0));
        if (OP_INFO[op].args[1] === 'imm') wb.i32Const(this.a(1)); else this.get(this.a(1));
        wb.op(cmp);
      }
    }
  }

  private instr(op: Op): void {
    const wb = this.wb;
    const a = (i: number) => this.a(i);
    const i32Bin = I32_BIN[op];
    if (i32Bin !== undefined) { this.get(a(1)); this.get(a(2)); wb.op(i32Bin); this.set(a(0), Kind.I); return; }
    const f64Bin = F64_BIN[op];
    if (f64Bin !== undefined) {
      this.get(a(1)); this.get(a(2)); wb.op(f64Bin);
      this.set(a(0), OP_INFO[op].args[0] === 'wi' ? Kind.I : Kind.F);
      return;
    }
    switch (op) {
      case Op.LOADI: wb.i32Const(a(1)); this.set(a(0), Kind.I); return;
      case Op.LOADF: wb.f64Const(this.env.mod.f64Consts[a(1)]!); this.set(a(0), Kind.F); return;
      case Op.LOADS: wb.i32Const(this.env.strAddrs[a(1)]!); this.set(a(0), Kind.R); return;
      case Op.LOADNULL: wb.i32Const(0); this.set(a(0), Kind.R); return;
      case Op.LOADFN: wb.i32Const(a(1) + 1); this.set(a(0), Kind.I); return;
      case Op.MOVI: this.get(a(1)); this.set(a(0), Kind.I); return;
      case Op.MOVF: this.get(a(1)); this.set(a(0), Kind.F); return;
      case Op.MOVR: this.get(a(1)); this.set(a(0), Kind.R); return;
      case Op.DIV: case Op.REM: return this.divide(op);
      case Op.ADDI: this.get(a(1)); wb.i32Const(a(2)); wb.op(W.I32_ADD!); this.set(a(0), Kind.I); return;
      case Op.MULK: case Op.DIVK: case Op.REMK:
        this.get(a(1)); wb.i32Const(a(2));
        wb.op(op === Op.MULK ? W.I32_MUL! : op === Op.DIVK ? W.I32_DIV_S! : W.I32_REM_S!);
        this.set(a(0), Kind.I);
        return;
      case Op.ADDFK: case Op.SUBFK: case Op.MULFK: case Op.DIVFK:
        this.get(a(1)); wb.f64Const(this.env.mod.f64Consts[a(2)]!); wb.op(F64_BIN[K_TO_F64[op]!]!); this.set(a(0), Kind.F);
        return;
      case Op.RSUBFK: case Op.RDIVFK:
        wb.f64Const(this.env.mod.f64Consts[a(1)]!); this.get(a(2));
        wb.op(op === Op.RSUBFK ? W.F64_SUB! : W.F64_DIV!); this.set(a(0), Kind.F);
        return;
      case Op.NEG: wb.i32Const(0); this.get(a(1)); wb.op(W.I32_SUB!); this.set(a(0), Kind.I); return;
      case Op.BNOT: this.get(a(1)); wb.i32Const(-1); wb.op(W.I32_XOR!); this.set(a(0), Kind.I); return;
      case Op.NOT: this.get(a(1)); wb.op(W.I32_EQZ!); this.set(a(0), Kind.I); return;
      case Op.REMF: this.get(a(1)); this.get(a(2)); this.callHelper('fmod'); this.set(a(0), Kind.F); return;
      case Op.NEGF: this.get(a(1)); wb.op(W.F64_NEG!); this.set(a(0), Kind.F); return;
      case Op.I2F: this.get(a(1)); wb.op(W.F64_CONVERT_I32_S!); this.set(a(0), Kind.F); return;
      case Op.F2I: this.get(a(1)); wb.truncSatF64S(); this.set(a(0), Kind.I); return;
      case Op.STREQ: case Op.STRNE:
        this.get(a(1)); this.get(a(2)); this.callHelper('streq');
        if (op === Op.STRNE) wb.op(W.I32_EQZ!);
        this.set(a(0), Kind.I);
        return;
      case Op.CALL: case Op.CALLV: return this.call(op);
      case Op.CALLX: return this.callExtern();
      case Op.RETV: wb.return_(); return;
      case Op.RETI: case Op.RETF: case Op.RETR: this.get(a(0)); wb.return_(); return;
      case Op.NEWSTRUCT: return this.newStruct();
      case Op.GETFI: case Op.GETFF: case Op.GETFR: return this.getField(op);
      case Op.SETFI: case Op.SETFF: case Op.SETFR: return this.setField(op);
      case Op.NEWARRI: case Op.NEWARRF: case Op.NEWARRR: {
        this.publish();
        wb.i32Const(op === Op.NEWARRI ? 2 : op === Op.NEWARRF ? 3 : 4);   // ObjKind
        this.get(a(1)); this.callHelper('new_array'); this.set(a(0), Kind.R);
        return;
      }
      case Op.AGETI: case Op.AGETF: case Op.AGETR: return this.arrayGet(op);
      case Op.ASETI: case Op.ASETF: case Op.ASETR: return this.arraySet(op);
      case Op.LEN: this.nullCheck(a(1)); this.get(a(1)); wb.load(W.I32_LOAD!, 2, 4); this.set(a(0), Kind.I); return;
      case Op.SGET:
        this.nullCheck(a(1)); this.boundsCheck(a(1), a(2));
        this.elementAddress(a(1), a(2), 1); wb.load(W.I32_LOAD16_U!, 1, 8); this.set(a(0), Kind.I);
        return;
      case Op.CONCAT:
        this.nullCheck(a(1)); this.nullCheck(a(2)); this.publish();
        this.get(a(1)); this.get(a(2)); this.callHelper('concat'); this.set(a(0), Kind.R);
        return;
      case Op.GETGI: case Op.GETGR: case Op.GETGF: {
        const f = op === Op.GETGF;
        wb.i32Const(0); wb.load(f ? W.F64_LOAD! : W.I32_LOAD!, f ? 3 : 2, (this.env.globalsSlot + a(1)) * 8);
        this.set(a(0), f ? Kind.F : op === Op.GETGR ? Kind.R : Kind.I);
        return;
      }
      case Op.SETGI: case Op.SETGR: case Op.SETGF: {
        const f = op === Op.SETGF;
        wb.i32Const(0); this.get(a(1)); wb.store(f ? W.F64_STORE! : W.I32_STORE!, f ? 3 : 2, (this.env.globalsSlot + a(0)) * 8);
        return;
      }
      case Op.OUTI: this.get(a(0)); wb.i32Const(a(1)); this.callHelper('out_i'); return;
      case Op.OUTF: this.get(a(0)); wb.i32Const(a(1)); this.callHelper('out_f'); return;
      case Op.OUTB: this.get(a(0)); wb.i32Const(a(1)); this.callHelper('out_b'); return;
      case Op.OUTS: this.nullCheck(a(0)); this.get(a(0)); wb.i32Const(a(1)); this.callHelper('out_s'); return;
      case Op.TOSTRI: case Op.TOSTRF: case Op.TOSTRB:
        this.publish(); this.get(a(1));
        this.callHelper(op === Op.TOSTRI ? 'tostr_i' : op === Op.TOSTRF ? 'tostr_f' : 'tostr_b');
        this.set(a(0), Kind.R);
        return;
      case Op.SQRT: this.get(a(1)); wb.op(W.F64_SQRT!); this.set(a(0), Kind.F); return;
      case Op.MATH1: {
        const name = MATH1_FNS[a(2)]!;
        this.get(a(1));
        const native = NATIVE_MATH1[name];
        if (native !== undefined) wb.op(native); else this.callHelper(name as HelperName);
        this.set(a(0), Kind.F);
        return;
      }
      case Op.MATH2: this.get(a(1)); this.get(a(2)); this.callHelper(MATH2_FNS[a(3)]! as HelperName); this.set(a(0), Kind.F); return;
      case Op.CLOCK: this.callHelper('clock'); this.set(a(0), Kind.F); return;
      case Op.FIXED: this.publish(); this.get(a(1)); this.get(a(2)); this.callHelper('fixed'); this.set(a(0), Kind.R); return;
      case Op.CHR: this.publish(); this.get(a(1)); this.callHelper('chr'); this.set(a(0), Kind.R); return;
      case Op.SUBSTR:
        this.nullCheck(a(1)); this.publish();
        this.get(a(1)); this.get(a(2)); this.get(a(3)); this.callHelper('substr'); this.set(a(0), Kind.R);
        return;
      case Op.PARSEI: case Op.PARSEF:
        this.nullCheck(a(1)); this.publish(); this.get(a(1));
        this.callHelper(op === Op.PARSEI ? 'parse_i' : 'parse_f');
        this.set(a(0), op === Op.PARSEI ? Kind.I : Kind.F);
        return;
      case Op.PANIC: this.nullCheck(a(0)); this.publish(); this.get(a(0)); this.callHelper('panic'); wb.unreachable(); return;
      default:
        throw new Error(`cannot lower ${OP_INFO[op].name} here`);
    }
  }

  //   R[C] == 0             -> trap division by zero
  //   DIV: R[B] == MIN && R[C] == -1 -> trap integer overflow   (wasm's rem_s gives 0 there)
  private divide(op: Op): void {
    const wb = this.wb;
    const [d, x, y] = [this.a(0), this.a(1), this.a(2)];
    const known = this.consts.get(y);
    if (known === undefined || known === 0) { this.get(y); wb.op(W.I32_EQZ!); this.trapIf(TrapCode.DIV_ZERO); }
    if (op === Op.DIV && (known === undefined || known === -1)) {
      this.get(x); wb.i32Const(-2147483648); wb.op(W.I32_EQ!);
      this.get(y); wb.i32Const(-1); wb.op(W.I32_EQ!);
      wb.op(W.I32_AND!); this.trapIf(TrapCode.OVERFLOW);
    }
    this.get(x); this.get(y); wb.op(op === Op.DIV ? W.I32_DIV_S! : W.I32_REM_S!);
    this.set(d, Kind.I);
  }

  //   p := cells[CURSOR]; np := p + size
  //   if np > cells[LIMIT] { publish; p := new_struct(st) }     ;; window used up
  //   else { cells[CURSOR] := np; header; zero the fields }     ;; inline bump
  private newStruct(): void {
    const wb = this.wb;
    const st = this.a(1);
    const size = blockSizeFor(this.env.mod.structs[st]!.size);
    const p = wb.local(ValType.I32), np = wb.local(ValType.I32);
    wb.i32Const(0); wb.load(W.I32_LOAD!, 2, CURSOR_WORD * 4); wb.localTee(p);
    wb.i32Const(size); wb.op(W.I32_ADD!); wb.localTee(np);
    wb.i32Const(0); wb.load(W.I32_LOAD!, 2, LIMIT_WORD * 4); wb.op(W.I32_GT_U!);
    wb.if_();
    this.publish(); wb.i32Const(st); this.callHelper('new_struct'); wb.localSet(p);
    wb.else_();
    wb.i32Const(0); wb.localGet(np); wb.store(W.I32_STORE!, 2, CURSOR_WORD * 4);
    wb.localGet(p); wb.i32Const(ObjKind.STRUCT | (st << 8)); wb.store(W.I32_STORE!, 2, 0);
    wb.localGet(p); wb.i32Const(0); wb.store(W.I32_STORE!, 2, 4);
    for (let off = HEADER_BYTES; off < size; off += 8) { wb.localGet(p); wb.i64Const(0n); wb.store(W.I64_STORE!, 3, off); }
    wb.end();
    wb.localGet(p);
    this.set(this.a(0), Kind.R);
    wb.freeLocal(p); wb.freeLocal(np);
  }

  private getField(op: Op): void {
    const wb = this.wb;
    const [d, o, off] = [this.a(0), this.a(1), this.a(2)];
    this.nullCheck(o);
    this.get(o);
    if (op === Op.GETFF) { wb.load(W.F64_LOAD!, 3, off); this.set(d, Kind.F); }
    else { wb.load(W.I32_LOAD!, 2, off); this.set(d, op === Op.GETFR ? Kind.R : Kind.I); }
  }

  private setField(op: Op): void {
    const wb = this.wb;
    const [o, off, v] = [this.a(0), this.a(1), this.a(2)];
    this.nullCheck(o);
    this.get(o); this.get(v);
    wb.store(op === Op.SETFF ? W.F64_STORE! : W.I32_STORE!, op === Op.SETFF ? 3 : 2, off);
  }

  private arrayGet(op: Op): void {
    const wb = this.wb;
    const [d, arr, i] = [this.a(0), this.a(1), this.a(2)];
    this.nullCheck(arr); this.boundsCheck(arr, i);
    const f = op === Op.AGETF;
    this.elementAddress(arr, i, f ? 3 : 2);
    wb.load(f ? W.F64_LOAD! : W.I32_LOAD!, f ? 3 : 2, 8);
    this.set(d, f ? Kind.F : op === Op.AGETR ? Kind.R : Kind.I);
  }

  private arraySet(op: Op): void {
    const wb = this.wb;
    const [arr, i, v] = [this.a(0), this.a(1), this.a(2)];
    this.nullCheck(arr); this.boundsCheck(arr, i);
    const f = op === Op.ASETF;
    this.elementAddress(arr, i, f ? 3 : 2);
    this.get(v);
    wb.store(f ? W.F64_STORE! : W.I32_STORE!, f ? 3 : 2, 8);
  }

  /** CALL / CALLV: header over the call area, then call_indirect with native args;
   *  or, for a small leaf callee, its body inline. */
  private call(op: Op): void {
    const { wb, fn, env } = this;
    const isV = op === Op.CALLV;
    if (!isV && this.mode.kind !== 'inline') {
      const g = env.mod.functions[this.a(0)]!;
      if (g !== fn && env.mayInline(g.index) && isLeaf(g)) return this.inlineCall(g, this.a(1), this.a(2));
    }
    const base = isV ? this.a(2) : this.a(1);
    const dst = isV ? this.a(3) : this.a(2);
    const sig = isV ? env.mod.sigs[this.a(1)]! : env.mod.functions[this.a(0)]!;
    if (isV) this.nullCheck(this.a(0));
    const pushCallee = () => {
      if (isV) { this.get(this.a(0)); wb.i32Const(1); wb.op(W.I32_SUB!); } else wb.i32Const(this.a(0));
    };
    this.writeHeader(base, pushCallee, op);
    wb.localGet(this.fp); wb.i32Const(base + HEADER_SLOTS); wb.op(W.I32_ADD!);
    sig.params.forEach((k, i) => wb.localGet(this.areaArg(k, i)));
    if (!isV && this.a(0) === fn.index && this.mode.kind === 'function') {
      wb.call(this.wb.index);                 // self-recursion: a direct call
    } else {
      pushCallee();
      wb.callIndirect(shapeType(this.mb, sig.params, sig.ret));
    }
    if (sig.ret !== null) this.set(dst, sig.ret);
  }

  //   cfp := fp + base + 2 ; [header, only if the callee may trap]
  //   block $ret  <callee body; returns: result := v ; br $ret>  end
  //   dst := result
  private inlineCall(g: BcFunction, base: number, dst: number): void {
    const wb = this.wb;
    const cfp = wb.local(ValType.I32);
    wb.localGet(this.fp); wb.i32Const(base + HEADER_SLOTS); wb.op(W.I32_ADD!); wb.localSet(cfp);
    if (mayTrap(g, constantRegisters(g))) this.writeHeader(base, () => wb.i32Const(g.index), Op.CALL);
    const result = g.ret === null ? null : wb.local(wasmType(g.ret));
    const ret = wb.block();
    const body = new FnLowering(this.env, this.mb, wb, g, { kind: 'inline', fp: cfp, ret, result }, this.helpers);
    body.inlineEntry(g.params.map((k, i) => this.areaArg(k, i)));
    structure(buildCfg(g, 0), body);
    wb.end();
    if (result !== null) { wb.localGet(result); this.set(dst, g.ret!); }
  }

  /** The callee's frame header over the call area at `base`. */
  private writeHeader(base: number, pushCallee: () => void, op: Op): void {
    const wb = this.wb;
    const hb = base * 8;
    wb.localGet(this.fpb); pushCallee(); wb.store(W.I32_STORE!, 2, hb);
    wb.localGet(this.fpb); wb.localGet(this.fp); wb.store(W.I32_STORE!, 2, hb + 4);
    wb.localGet(this.fpb); wb.i32Const(this.pc + instrLength(op)); wb.store(W.I32_STORE!, 2, hb + 8);
    // Word 3 (the interpreter's result register) is written by the c2i adapter,
    // the only way from compiled code into an interpreted frame.
  }

  private areaArg(k: ValKind, i: number): Local {
    const l = (k === Kind.F ? this.areaF : this.areaI)[i];
    if (!l) throw new Error(`argument ${i} of a call was never written`);
    return l;
  }

  /** CALLX: arguments to the frame slots the host reads, result via the scratch slot. */
  private callExtern(): void {
    const { wb, env } = this;
    const ext = env.mod.externs[this.a(0)]!;
    const base = this.a(1), dst = this.a(2);
    const argSlot0 = base + HEADER_SLOTS;
    ext.params.forEach((k, i) => {
      wb.localGet(this.fpb); wb.localGet(this.areaArg(k, i));
      wb.store(k === Kind.F ? W.F64_STORE! : W.I32_STORE!, k === Kind.F ? 3 : 2, (argSlot0 + i) * 8);
    });
    this.publish();
    wb.i32Const(this.a(0)); wb.localGet(this.fp); wb.i32Const(argSlot0); wb.op(W.I32_ADD!);
    this.callHelper('callx');
    if (ext.ret !== null) {
      wb.i32Const(0);
      wb.load(ext.ret === Kind.F ? W.F64_LOAD! : W.I32_LOAD!, ext.ret === Kind.F ? 3 : 2, SCRATCH_SLOT * 8);
      this.set(dst, ext.ret);
    }
  }
}

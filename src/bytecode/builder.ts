// Builds one function's bytecode: registers, labels, instructions, line table.
//
// Registers have one kind each (Kind). Temporaries come from per-kind free lists,
// so a register never changes kind. The call area is placed after every other
// register when the function is finished: until then an area slot is written as a
// placeholder (AREA_TAG | slot) and patched in finish(), so calls never need to
// know how many registers the function will end up with.

import { Kind, Op, OP_INFO, HEADER_SLOTS, type Operand } from './opcodes.js';
import type { BcFunction, ValKind } from './module.js';

const AREA_TAG = 0x40000000;

export interface Label { pos: number; patches: number[] }

const REG_OPERANDS: ReadonlySet<Operand> = new Set(['ri', 'rf', 'rr', 'wi', 'wf', 'wr', 'dst']);

export class FunctionBuilder {
  private code: number[] = [];
  private lines: number[] = [];
  private kinds: number[] = [];
  private free = new Map<number, number[]>();
  /** 1 for a register on a free list (a release of one already there does
   *  nothing): a flag per register, not a search of the list (a struct literal
   *  of n fields releases n temporaries at once) nor a Set (deleting and adding
   *  again to a Set of 40,000 cost about 12 us each). */
  private isFree: number[] = [];
  private areaArgs = 0;
  private usesArea = false;
  line = 0;

  constructor(readonly name: string, readonly index: number,
              readonly params: ValKind[], readonly ret: ValKind | null, readonly declLine: number) {
    for (const k of params) this.kinds.push(k);
  }

  get pc(): number { return this.code.length; }

  /** A register that stays allocated for the whole function (a local variable). */
  local(kind: ValKind): number { this.kinds.push(kind); return this.kinds.length - 1; }

  /** A temporary register; give it back with release(). */
  temp(kind: ValKind): number {
    const list = this.free.get(kind);
    if (list && list.length > 0) { const r = list.pop()!; this.isFree[r] = 0; return r; }
    return this.local(kind);
  }

  release(reg: number): void {
    if (reg & AREA_TAG) return;
    const kind = this.kinds[reg]!;
    let list = this.free.get(kind);
    if (!list) { list = []; this.free.set(kind, list); }
    if (this.isFree[reg] !== 1) { this.isFree[reg] = 1; list.push(reg); }
  }

  kindOf(reg: number): number { return reg & AREA_TAG ? Kind.A : this.kinds[reg]!; }

  /** Placeholder for argument `i` of the next call (in the call area). */
  arg(i: number): number {
    this.areaArgs = Math.max(this.areaArgs, i + 1);
    this.usesArea = true;
    return AREA_TAG | (HEADER_SLOTS + i);
  }

  /** Placeholder for the call area's base register (the CALL `base` operand). */
  areaBase(): number { this.usesArea = true; return AREA_TAG; }

  emit(op: Op, ...operands: number[]): void {
    this.code.push(op, ...operands);
    for (let i = 0; i <= operands.length; i++) this.lines.push(this.line);
  }

  newLabel(): Label { return { pos: -1, patches: [] }; }

  /** Emit a jump-like instruction whose last operand is `label`. */
  emitJump(op: Op, label: Label, ...operands: number[]): void {
    this.emit(op, ...operands, label.pos);
    if (label.pos < 0) label.patches.push(this.code.length - 1);
  }

  bind(label: Label): void {
    label.pos = this.code.length;
    for (const at of label.patches) this.code[at] = label.pos;
    label.patches.length = 0;
  }

  finish(): BcFunction {
    const areaBase = this.kinds.length;
    if (this.usesArea) {
      for (let i = 0; i < HEADER_SLOTS + this.areaArgs; i++) this.kinds.push(Kind.A);
    }
    this.patchAreaOperands(areaBase);
    return {
      name: this.name, index: this.index, params: this.params, ret: this.ret,
      regKinds: Uint8Array.from(this.kinds), areaBase,
      code: Int32Array.from(this.code), lines: Int32Array.from(this.lines), line: this.declLine,
    };
  }

  private patchAreaOperands(areaBase: number): void {
    const code = this.code;
    for (let pc = 0; pc < code.length;) {
      const info = OP_INFO[code[pc] as Op];
      info.args.forEach((a, i) => {
        const at = pc + 1 + i;
        if ((REG_OPERANDS.has(a) || a === 'base') && code[at]! >= AREA_TAG) code[at] = areaBase + (code[at]! & ~AREA_TAG);
      });
      pc += 1 + info.args.length;
    }
  }
}

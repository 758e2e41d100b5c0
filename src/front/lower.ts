// Lowering: a checked Tier program to a bytecode module.
//
// The front-end's last stage, in the manner of a code generator driven by the
// parser: it reads only checked trees (every `ty`, `ref`, `target` and local id is
// set) and writes bytecode through FunctionBuilder.
//
// Register discipline (what keeps the bytecode simple and the GC precise):
// - every local variable (let, var, for) owns one register from its declaration
//   to the end of its scope (a parameter, for the whole function), given back
//   when its block or loop ends for a later variable or temporary of the same
//   kind: a function of 10,000 loops one after another, each with its own loop
//   variable, had 10,000 registers, and V8's compile of its wasm took time and
//   memory in registers x loops (9 s and 6 GB); temporaries live only within one
//   statement and are released at its end, so no temporary is live across
//   statements;
// - expr(e, dst) writes dst only with the last instruction of e, after every read
//   of e's operands, so `x = x + 1` can target x directly; constructs that write in
//   several steps (&&, ||, new, array literals) build in a fresh temporary first;
// - call arguments go straight into the call area only when no argument can call,
//   allocate or branch (nothing can then disturb the area before the CALL);
//   otherwise they are computed into temporaries and moved just before the CALL.
//
// Recursion follows only the nesting the parser bounds (MAX_NESTING), one level
// of recursion per level it counts: chains of postfix links (`a.b[i](x)`) and of
// binary operators (`a + b + ...`, `a && b && ...`, tens of thousands long) are
// lowered bottom up in a loop, a binary operator's result written over the
// temporary that held its left operand, so a chain needs neither host stack nor
// registers per link; an `else if` chain is a loop too. Elements of array and
// struct literals give their temporaries back one by one, so the register count
// does not grow with the literal.

import * as A from './ast.js';
import { type Type, typeToString } from './types.js';
import { appendOnlyLocals, appendedPieces } from './append-loops.js';
import { Kind, Op } from '../bytecode/opcodes.js';
import { BUILTINS, builtinOp, type BuiltinType } from '../bytecode/builtins.js';
import { FunctionBuilder, type Label } from '../bytecode/builder.js';
import { fuseCode } from '../bytecode/fuse.js';
import type { BcModule, BcStruct, ValKind } from '../bytecode/module.js';

export function kindOfType(t: Type): ValKind {
  switch (t.k) {
    case 'f64': return Kind.F;
    case 'i32': case 'bool': case 'fn': return Kind.I;
    default: return Kind.R;
  }
}

function retKind(t: Type): ValKind | null { return t.k === 'void' ? null : kindOfType(t); }

/** Module-wide tables shared by every function being lowered. */
class ModuleCtx {
  f64Consts: number[] = [];
  strConsts: string[] = [];
  sigs: { params: ValKind[]; ret: ValKind | null }[] = [];
  private f64Index = new Map<string, number>();
  private strIndex = new Map<string, number>();
  private sigIndex = new Map<string, number>();
  readonly structs: BcStruct[];
  /** Per struct, field name -> its layout (made when first needed). */
  private fieldMaps: Map<string, BcStruct['fields'][number]>[] = [];

  /** Per global, the value every read of it takes as a literal (null: read its
   *  slot): see constantGlobals. */
  readonly globalConsts: (number | null)[];

  constructor(readonly prog: A.CheckedProgram) {
    this.structs = prog.structs.map(layoutStruct);
    this.globalConsts = constantGlobals(prog);
  }

  /** The layout of a field by name (a struct may have thousands of fields). */
  field(structIndex: number, name: string): BcStruct['fields'][number] {
    let map = this.fieldMaps[structIndex];
    if (!map) {
      map = new Map();
      for (const f of this.structs[structIndex]!.fields) if (!map.has(f.name)) map.set(f.name, f);
      this.fieldMaps[structIndex] = map;
    }
    return map.get(name)!;
  }

  f64(v: number): number {
    const key = Object.is(v, -0) ? '-0' : String(v);
    let i = this.f64Index.get(key);
    if (i === undefined) { i = this.f64Consts.push(v) - 1; this.f64Index.set(key, i); }
    return i;
  }

  str(s: string): number {
    let i = this.strIndex.get(s);
    if (i === undefined) { i = this.strConsts.push(s) - 1; this.strIndex.set(s, i); }
    return i;
  }

  sig(t: Type): number {
    if (t.k !== 'fn') throw new Error('sig of a non-function type');
    const shape = { params: t.params.map(kindOfType), ret: retKind(t.ret) };
    const key = `${shape.params.join(',')}->${shape.ret}`;
    let i = this.sigIndex.get(key);
    if (i === undefined) { i = this.sigs.push(shape) - 1; this.sigIndex.set(key, i); }
    return i;
  }
}

/** Fields in declaration order; 4-byte kinds take 4 bytes, f64 8 bytes aligned to 8. */
function layoutStruct(s: A.StructInfo): BcStruct {
  let off = 8;
  const fields = s.fields.map((f) => {
    const kind = kindOfType(f.type);
    if (kind === Kind.F) off = (off + 7) & ~7;
    const field = { name: f.name, kind, offset: off };
    off += kind === Kind.F ? 8 : 4;
    return field;
  });
  return { name: s.name, size: (off + 7) & ~7, fields };
}

export function lowerProgram(prog: A.CheckedProgram): BcModule {
  const m = new ModuleCtx(prog);
  const functions = prog.functions.map((f, i) => new BodyLowering(m, f.decl, f.sig, i).lower());
  const initIndex = functions.length;
  functions.push(lowerGlobalsInit(m, initIndex));
  // The interpreter's superinstructions, where their parts follow each other.
  for (const f of functions) fuseCode(f.code);
  return {
    file: prog.file, functions, structs: m.structs,
    signatures: prog.functions.map((f) => ({
      paramNames: f.decl.params.map((p) => p.name), params: f.sig.params.map(typeToString),
      ret: f.sig.ret.k === 'void' ? null : typeToString(f.sig.ret),
    })),
    globals: prog.globals.map((g) => ({ name: g.decl.name, kind: kindOfType(g.type) })),
    externs: prog.externs.map((e) => ({
      name: e.decl.name, params: e.sig.params.map(kindOfType), ret: retKind(e.sig.ret),
      paramTypes: e.sig.params.map(typeToString), retType: typeToString(e.sig.ret),
    })),
    sigs: m.sigs, f64Consts: m.f64Consts, strConsts: m.strConsts,
    initIndex, mainIndex: prog.mainIndex, mainTakesArgs: prog.mainTakesArgs,
  };
}

/** The i32 `let` globals whose initialiser is a literal (or `-`, `~` of one),
 *  where no initialiser before it calls anything: every read of one sees its
 *  value (a function called from an earlier initialiser could see it still 0,
 *  docs/language.md, Globals), so reads of it are lowered as the literal (and
 *  compare, add or loop to it as one). Its slot is still written. */
function constantGlobals(prog: A.CheckedProgram): (number | null)[] {
  let called = false;
  return prog.globals.map((g) => {
    const value = g.decl.mutable || called || g.type.k !== 'i32' ? null : literalValue(g.decl.init);
    if (containsCall(g.decl.init)) called = true;
    return value;
  });
}

function literalValue(e: A.Expr): number | null {
  if (e.kind === 'int') return e.value;
  if (e.kind !== 'unary' || e.operand.kind !== 'int') return null;
  return e.op === '-' ? -e.operand.value | 0 : e.op === '~' ? ~e.operand.value : null;
}

/** Whether evaluating e may run guest code (a call of any kind). */
function containsCall(e: A.Expr): boolean {
  switch (e.kind) {
    case 'call': return true;
    case 'unary': return containsCall(e.operand);
    case 'binary': return containsCall(e.left) || containsCall(e.right);
    case 'cast': return containsCall(e.expr);
    case 'index': return containsCall(e.object) || containsCall(e.index);
    case 'field': case 'len': return containsCall(e.object);
    case 'new_struct': return e.fields.some((f) => containsCall(f.value));
    case 'new_array': return containsCall(e.length);
    case 'array_lit': return e.elements.some(containsCall);
    default: return false;
  }
}

function lowerGlobalsInit(m: ModuleCtx, index: number) {
  const decl: A.FnDecl = {
    kind: 'fn', pos: { line: 1, col: 1 }, name: '<globals>', params: [], ret: null,
    body: { pos: { line: 1, col: 1 }, body: [] }, localCount: 0, localTypes: [],
  };
  const fl = new BodyLowering(m, decl, { params: [], ret: { k: 'void' } }, index);
  return fl.lowerGlobals();
}

interface Loop { breakTo: Label; continueTo: Label; continueIsBackEdge: boolean }

class BodyLowering {
  private b: FunctionBuilder;
  private regs: number[] = [];        // local id -> register
  private temps: number[] = [];       // temporaries of the current statement
  private loops: Loop[] = [];
  /** Registers of the locals declared in the blocks open, innermost last
   *  (given back when their block ends: the register discipline above). */
  private scoped: number[] = [];
  /** Locals built on a string builder: inside a loop that only appends to
   *  them (front/append-loops.ts), their register holds a string or a builder. */
  private builders = new Set<number>();

  constructor(private m: ModuleCtx, private decl: A.FnDecl, private sig: A.FnSig, index: number) {
    this.b = new FunctionBuilder(decl.name, index, sig.params.map(kindOfType), retKind(sig.ret), decl.pos.line);
    decl.params.forEach((p, i) => { this.regs[p.id!] = i; });
  }

  lower() {
    this.block(this.decl.body);
    this.b.line = this.decl.endLine ?? this.b.line;
    this.emitFallOffReturn();
    return this.b.finish();
  }

  lowerGlobals() {
    this.m.prog.globals.forEach((g, i) => {
      this.b.line = g.decl.pos.line;
      const r = this.expr(g.decl.init, null, kindOfType(g.type));
      this.b.emit(SETG[kindOfType(g.type)], i, r);
      this.endStatement();
    });
    this.b.emit(Op.RETV);
    return this.b.finish();
  }

  /** Functions without a result return at the end; with a result the checker proved
   *  the end unreachable, but the code must still end in a terminator. */
  private emitFallOffReturn(): void {
    const k = retKind(this.sig.ret);
    if (k === null) { this.b.emit(Op.RETV); return; }
    const t = this.temp(k);
    this.zero(t, k);
    this.b.emit(k === Kind.F ? Op.RETF : k === Kind.R ? Op.RETR : Op.RETI, t);
  }

  // ---- registers -----------------------------------------------------------------

  private temp(kind: ValKind): number {
    const r = this.b.temp(kind);
    this.temps.push(r);
    return r;
  }

  private endStatement(): void { this.releaseSince(0); }

  /** Gives back the temporaries taken since `mark` (a length of `temps`), except
   *  `keep`: for parts of a statement whose values are used up, such as literal
   *  elements or the right operand of a link of a chain. */
  private releaseSince(mark: number, keep = -1): void {
    let kept = false;
    for (let i = mark; i < this.temps.length; i++) {
      if (this.temps[i] === keep) kept = true;
      else this.b.release(this.temps[i]!);
    }
    this.temps.length = mark;
    if (kept) this.temps.push(keep);
  }

  private zero(r: number, k: ValKind): void {
    if (k === Kind.F) this.b.emit(Op.LOADF, r, this.m.f64(0));
    else if (k === Kind.R) this.b.emit(Op.LOADNULL, r);
    else this.b.emit(Op.LOADI, r, 0);
  }

  private move(dst: number, src: number, k: ValKind): void {
    if (dst !== src) this.b.emit(k === Kind.F ? Op.MOVF : k === Kind.R ? Op.MOVR : Op.MOVI, dst, src);
  }

  // ---- statements ----------------------------------------------------------------

  private block(bl: A.Block): void {
    const mark = this.scoped.length;
    for (const s of bl.body) this.stmt(s);
    while (this.scoped.length > mark) this.b.release(this.scoped.pop()!);
  }

  private stmt(s: A.Stmt): void {
    this.b.line = s.pos.line;
    switch (s.kind) {
      case 'let': {
        const k = kindOfType(this.localType(s.id!));
        const r = this.b.temp(k);
        this.expr(s.init, r, k);
        this.regs[s.id!] = r;
        this.scoped.push(r);
        break;
      }
      case 'assign': this.assign(s); break;
      case 'if': this.ifStmt(s); break;
      case 'while': this.whileStmt(s); break;
      case 'for': this.forStmt(s); break;
      case 'break': this.b.emitJump(Op.JMP, this.loops[this.loops.length - 1]!.breakTo); break;
      case 'continue': {
        const l = this.loops[this.loops.length - 1]!;
        this.b.emitJump(l.continueIsBackEdge ? Op.JMPLOOP : Op.JMP, l.continueTo);
        break;
      }
      case 'return': this.returnStmt(s); break;
      case 'expr': this.expr(s.expr, null, s.expr.ty!.k === 'void' ? null : kindOfType(s.expr.ty!)); break;
      case 'block': this.block(s.block); break;
    }
    this.endStatement();
  }

  private localType(id: number): Type { return this.decl.localTypes![id]!; }

  private returnStmt(s: Extract<A.Stmt, { kind: 'return' }>): void {
    const k = retKind(this.sig.ret);
    if (s.value === null || k === null) {
      if (s.value) this.expr(s.value, null, null);
      this.b.emit(Op.RETV);
      return;
    }
    const r = this.expr(s.value, null, k);
    this.b.emit(k === Kind.F ? Op.RETF : k === Kind.R ? Op.RETR : Op.RETI, r);
  }

  //         <cond 1 false -> else1>
  //         then 1;  JMP end
  //   else1: <cond 2 false -> else2>          (each `else if`, in a loop)
  //         then 2;  JMP end
  //   else2: else block
  //   end:
  private ifStmt(s: A.IfStmt): void {
    let end: Label | null = null;
    for (let arm: A.IfStmt | null = s; arm !== null;) {
      this.b.line = arm.pos.line;
      const elseL = this.b.newLabel();
      this.cond(arm.cond, elseL);
      this.endStatement();
      this.block(arm.then);
      if (arm.else === null) { this.b.bind(elseL); break; }
      end ??= this.b.newLabel();
      this.b.emitJump(Op.JMP, end);
      this.b.bind(elseL);
      const next = A.elseIfOf(arm);
      if (next === null) this.block(arm.else);
      arm = next;
    }
    if (end) this.b.bind(end);
  }

  // Rotated, so an iteration takes one branch (the condition at the bottom,
  // which superinstructions fuse with the JMPLOOP after it):
  //         <cond false -> exit>
  //   top:  body
  //   next: <cond false -> exit>        (`continue` jumps here)
  //         JMPLOOP top
  //   exit:
  // A condition too big to copy keeps the test at the top:
  //   top:  <cond false -> exit>
  //         body
  //         JMPLOOP top
  //   exit:
  private whileStmt(s: Extract<A.Stmt, { kind: 'while' }>): void {
    const built = this.beginBuilders(s);
    const top = this.b.newLabel(), next = this.b.newLabel(), exit = this.b.newLabel();
    const rotate = isSmall(s.cond, ROTATE_MAX_NODES);
    if (!rotate) this.b.bind(top);
    this.cond(s.cond, exit);
    this.endStatement();
    if (rotate) this.b.bind(top);
    this.loops.push({ breakTo: exit, continueTo: rotate ? next : top, continueIsBackEdge: !rotate });
    this.block(s.body);
    this.loops.pop();
    this.b.line = s.pos.line;
    if (rotate) {
      this.b.bind(next);
      this.cond(s.cond, exit);
      this.endStatement();
    }
    this.b.emitJump(Op.JMPLOOP, top);
    this.b.bind(exit);
    this.endBuilders(built, s);
  }

  /** Before a loop: the locals it only appends to are built on a builder
   *  from here to its exit (nothing to emit: SBAPPEND starts one when the
   *  string grows long). */
  private beginBuilders(loop: Extract<A.Stmt, { kind: 'while' | 'for' }>): number[] {
    const ids = appendOnlyLocals(loop, this.builders);
    for (const id of ids) this.builders.add(id);
    return ids;
  }

  /** At a loop's exit (its end and every `break` reach it): each builder back
   *  into a string. */
  private endBuilders(ids: readonly number[], loop: A.Stmt): void {
    this.b.line = loop.pos.line;
    for (const id of ids) {
      this.b.emit(Op.SBSTR, this.regs[id]!, this.regs[id]!);
      this.builders.delete(id);
    }
  }

  /** `s = s + a + b ...` or `s += a` where s is built on a builder: append
   *  each piece, evaluated and appended in the order the `+` would have
   *  evaluated and concatenated them, trapping where they would have. */
  private appendStmt(s: A.Stmt, id: number): void {
    const b = this.regs[id]!;
    for (const { piece, by } of appendedPieces(s, id)!) {
      const mark = this.temps.length;
      const r = this.expr(this.folded(piece), null, Kind.R);
      if (by !== null) this.b.line = by.pos.line;
      this.b.emit(Op.SBAPPEND, b, b, r);
      this.releaseSince(mark);
    }
  }

  //         i := start; end := end-expr        (each evaluated once)
  //         JGE i, end, exit                   (JGEK when end is a literal)
  //   top:  body
  //   next: FORLOOP i, end, top                (i += 1; loop while i < end)
  //   exit:
  private forStmt(s: Extract<A.Stmt, { kind: 'for' }>): void {
    const built = this.beginBuilders(s);
    const i = this.b.temp(Kind.I);
    this.expr(s.start, i, Kind.I);
    const endExpr = this.folded(s.end);
    const literalEnd = endExpr.kind === 'int' ? endExpr.value : null;
    let end = -1;
    if (literalEnd === null) { end = this.b.temp(Kind.I); this.expr(s.end, end, Kind.I); }
    this.endStatement();
    this.regs[s.id!] = i;
    const top = this.b.newLabel(), next = this.b.newLabel(), exit = this.b.newLabel();
    if (literalEnd === null) this.b.emitJump(Op.JGE, exit, i, end);
    else this.b.emitJump(Op.JGEK, exit, i, literalEnd);
    this.b.bind(top);
    this.loops.push({ breakTo: exit, continueTo: next, continueIsBackEdge: false });
    this.block(s.body);
    this.loops.pop();
    this.b.line = s.pos.line;
    this.b.bind(next);
    if (literalEnd === null) this.b.emitJump(Op.FORLOOP, top, i, end);
    else this.b.emitJump(Op.FORLOOPK, top, i, literalEnd);
    this.b.bind(exit);
    this.endBuilders(built, s);
    this.b.release(i);
    if (end >= 0) this.b.release(end);
  }

  private assign(s: Extract<A.Stmt, { kind: 'assign' }>): void {
    const t = s.target;
    const k = kindOfType(t.ty!);
    const binop = s.op === '=' ? null : (s.op.slice(0, -1) as A.BinOp);
    if (t.kind === 'name') {
      const ref = t.ref!;
      if (ref.kind === 'local' && this.builders.has(ref.id)) { this.appendStmt(s, ref.id); return; }
      if (ref.kind === 'local') {
        const reg = this.regs[ref.id]!;
        if (binop) this.binaryInto(binop, t, s.value, reg, t.ty!, reg);
        else this.expr(s.value, reg, k);
        return;
      }
      if (ref.kind === 'global') {
        const v = binop ? this.binaryInto(binop, t, s.value, null, t.ty!, null) : this.expr(s.value, null, k);
        this.b.emit(SETG[k], ref.index, v);
        return;
      }
      throw new Error('assignment to a function');
    }
    if (t.kind === 'index') {
      const arr = this.expr(t.object, null, Kind.R);
      const idx = this.expr(t.index, null, Kind.I);
      let v: number;
      if (binop) {
        const cur = this.temp(k);
        this.b.line = t.pos.line;
        this.b.emit(arrayOps(t.ty!).get, cur, arr, idx);
        v = this.binaryInto(binop, null, s.value, null, t.ty!, cur);
      } else v = this.expr(s.value, null, k);
      this.b.line = t.pos.line;
      this.b.emit(arrayOps(t.ty!).set, arr, idx, v);
      return;
    }
    if (t.kind === 'field') {
      const obj = this.expr(t.object, null, Kind.R);
      const off = this.fieldOffset(t);
      let v: number;
      if (binop) {
        const cur = this.temp(k);
        this.b.line = t.pos.line;
        this.b.emit(GETF[k], cur, obj, off);
        v = this.binaryInto(binop, null, s.value, null, t.ty!, cur);
      } else v = this.expr(s.value, null, k);
      this.b.line = t.pos.line;
      this.b.emit(SETF[k], obj, off, v);
      return;
    }
    throw new Error(`bad assignment target ${t.kind}`);
  }

  private fieldOffset(e: Extract<A.Expr, { kind: 'field' }>): number {
    const st = e.object.ty! as Extract<Type, { k: 'struct' }>;
    return this.m.structs[st.index]!.fields[e.fieldIndex!]!.offset;
  }

  // ---- conditions ----------------------------------------------------------------

  /** Jump to `falseL` when e is false; fall through when true. */
  private cond(e: A.Expr, falseL: Label): void {
    if (e.kind === 'unary' && e.op === '!') return this.condTrue(e.operand, falseL);
    if (e.kind === 'bool') { if (!e.value) this.b.emitJump(Op.JMP, falseL); return; }
    if (e.kind === 'binary') {
      if (e.op === '&&') { for (const c of chainOperands(e)) this.condReleasing(c, falseL, false); return; }
      if (e.op === '||') {
        const trueL = this.b.newLabel();
        this.condTrue(e.left, trueL);
        this.cond(e.right, falseL);
        this.b.bind(trueL);
        return;
      }
      if (this.fusedCompare(e, falseL, true)) return;
    }
    const r = this.expr(e, null, Kind.I);
    this.b.emitJump(Op.JF, falseL, r);
  }

  /** Jump to `trueL` when e is true; fall through when false. */
  private condTrue(e: A.Expr, trueL: Label): void {
    if (e.kind === 'unary' && e.op === '!') return this.cond(e.operand, trueL);
    if (e.kind === 'bool') { if (e.value) this.b.emitJump(Op.JMP, trueL); return; }
    if (e.kind === 'binary') {
      if (e.op === '||') { for (const c of chainOperands(e)) this.condReleasing(c, trueL, true); return; }
      if (e.op === '&&') {
        const falseL = this.b.newLabel();
        this.cond(e.left, falseL);
        this.condTrue(e.right, trueL);
        this.b.bind(falseL);
        return;
      }
      if (this.fusedCompare(e, trueL, false)) return;
    }
    const r = this.expr(e, null, Kind.I);
    this.b.emitJump(Op.JT, trueL, r);
  }

  /** One operand of a chain of && or ||: its temporaries are dead once it has
   *  jumped or fallen through, so a chain of any length needs a few registers. */
  private condReleasing(e: A.Expr, target: Label, jumpWhenTrue: boolean): void {
    const mark = this.temps.length;
    if (jumpWhenTrue) this.condTrue(e, target); else this.cond(e, target);
    this.releaseSince(mark);
  }

  /** i32 comparisons become one compare-and-branch; `negate` branches when false. */
  private fusedCompare(e: Extract<A.Expr, { kind: 'binary' }>, target: Label, negate: boolean): boolean {
    const ops = FUSED[e.op];
    const lt = e.left.ty!;
    if (!ops || !(lt.k === 'i32' || (lt.k === 'bool' && (e.op === '==' || e.op === '!=')))) return false;
    const [op, opK] = negate ? ops.inverse : ops.direct;
    const l = this.expr(e.left, null, Kind.I);
    const right = this.folded(e.right);
    if (right.kind === 'int') { this.b.emitJump(opK, target, l, right.value); return true; }
    const r = this.expr(e.right, null, Kind.I);
    this.b.emitJump(op, target, l, r);
    return true;
  }

  // ---- expressions ---------------------------------------------------------------

  /** A read of a constant global (ModuleCtx.globalConsts) as its literal; any
   *  other expression as it is. */
  private folded(e: A.Expr): A.Expr {
    if (e.kind !== 'name' || e.ref?.kind !== 'global') return e;
    const value = this.m.globalConsts[e.ref.index];
    return value == null ? e : { kind: 'int', value, pos: e.pos, ty: e.ty };
  }

  /** Compute e; the result is in dst if given, else in the returned register.
   *  `want` is the kind the context stores (decides how `null` is materialised). */
  private expr(e: A.Expr, dst: number | null, want: ValKind | null): number {
    e = this.folded(e);
    const k = e.ty!.k === 'null' ? (want ?? Kind.R) : e.ty!.k === 'void' ? null : kindOfType(e.ty!);
    const out = () => dst ?? this.temp(k!);
    switch (e.kind) {
      case 'int': { const r = out(); this.b.emit(Op.LOADI, r, e.value); return r; }
      case 'bool': { const r = out(); this.b.emit(Op.LOADI, r, e.value ? 1 : 0); return r; }
      case 'float': { const r = out(); this.b.emit(Op.LOADF, r, this.m.f64(e.value)); return r; }
      case 'string': { const r = out(); this.b.emit(Op.LOADS, r, this.m.str(e.value)); return r; }
      case 'null': { const r = out(); this.zero(r, k!); return r; }
      case 'name': return this.name(e, dst, k!);
      case 'unary': return this.unary(e, out);
      case 'binary': return this.binaryChain(e, dst);
      case 'cast': return this.cast(e, dst, out);
      case 'call':
        this.b.line = e.pos.line;
        return linkBase(e) === null ? this.call(e, dst) : this.chain(e, dst);
      case 'index': case 'field': case 'len': return this.chain(e, dst);
      case 'new_struct': return this.newStruct(e, dst);
      case 'new_array': {
        const n = this.expr(e.length, null, Kind.I);
        const r = out();
        this.b.line = e.pos.line;
        this.b.emit(arrayOps((e.ty as Extract<Type, { k: 'array' }>).elem).alloc, r, n);
        return r;
      }
      case 'array_lit': return this.arrayLiteral(e, dst);
    }
  }

  /** A chain of postfix links (`a.b[i](x).len`), from the bottom up in a loop: the
   *  value each link applies to is in a register before the link is lowered. Only
   *  the top link writes `dst`. */
  private chain(top: A.Expr, dst: number | null): number {
    const links: A.Expr[] = [];
    let base = top;
    for (let b = linkBase(base); b !== null; b = linkBase(base)) {
      links.push(base);
      base = b;
    }
    let reg = this.expr(base, null, links[links.length - 1]!.kind === 'call' ? Kind.I : Kind.R);
    for (let i = links.length - 1; i >= 0; i--) reg = this.link(links[i]!, reg, i === 0 ? dst : null);
    return reg;
  }

  /** One postfix link, applied to the value in `base` (an array, string, struct or
   *  function value). */
  private link(e: A.Expr, base: number, dst: number | null): number {
    switch (e.kind) {
      case 'index': {
        const k = kindOfType(e.ty!);
        const idx = this.expr(e.index, null, Kind.I);
        const r = dst ?? this.temp(k);
        this.b.line = e.pos.line;
        this.b.emit(e.object.ty!.k === 'str' ? Op.SGET : arrayOps(e.ty!).get, r, base, idx);
        return r;
      }
      case 'field': {
        const k = kindOfType(e.ty!);
        const r = dst ?? this.temp(k);
        this.b.line = e.pos.line;
        this.b.emit(GETF[k], r, base, this.fieldOffset(e));
        return r;
      }
      case 'len': {
        const r = dst ?? this.temp(Kind.I);
        this.b.line = e.pos.line;
        this.b.emit(Op.LEN, r, base);
        return r;
      }
      case 'call':
        this.b.line = e.pos.line;
        return this.valueCall(e, base, dst);
      default: throw new Error(`not a postfix link: ${e.kind}`);
    }
  }

  private name(e: Extract<A.Expr, { kind: 'name' }>, dst: number | null, k: ValKind): number {
    const ref = e.ref!;
    if (ref.kind === 'local') {
      const reg = this.regs[ref.id]!;
      if (dst === null) return reg;
      this.move(dst, reg, k);
      return dst;
    }
    const r = dst ?? this.temp(k);
    if (ref.kind === 'global') this.b.emit(GETG[k], r, ref.index);
    else this.b.emit(Op.LOADFN, r, ref.index);
    return r;
  }

  private unary(e: Extract<A.Expr, { kind: 'unary' }>, out: () => number): number {
    const isF = e.operand.ty!.k === 'f64';
    const v = this.expr(e.operand, null, isF ? Kind.F : Kind.I);
    const r = out();
    const op = e.op === '-' ? (isF ? Op.NEGF : Op.NEG) : e.op === '!' ? Op.NOT : Op.BNOT;
    this.b.emit(op, r, v);
    return r;
  }

  private cast(e: Extract<A.Expr, { kind: 'cast' }>, dst: number | null, out: () => number): number {
    const from = e.expr.ty!.k, to = e.ty!.k;
    if (from === to) return this.expr(e.expr, dst, kindOfType(e.ty!));
    const v = this.expr(e.expr, null, from === 'f64' ? Kind.F : Kind.I);
    const r = out();
    this.b.emit(to === 'f64' ? Op.I2F : Op.F2I, r, v);
    return r;
  }

  /** A binary expression and the left spine under it, bottom up in a loop (see the
   *  file comment): a node's result overwrites the temporary holding its left
   *  operand when both have the same kind (its instruction reads its operands
   *  before it writes), the temporaries of its right operand are given back, and
   *  only the top node writes `dst`. */
  private binaryChain(top: A.BinaryExpr, dst: number | null): number {
    const spine: A.BinaryExpr[] = [top];
    for (let e = top.left; e.kind === 'binary'; e = e.left) spine.push(e);
    const bottom = spine[spine.length - 1]!;
    let reg = this.binaryInto(bottom.op, bottom.left, bottom.right, spine.length === 1 ? dst : null, bottom.left.ty!, null, bottom);
    for (let i = spine.length - 2; i >= 0; i--) {
      const node = spine[i]!;
      const reuse = kindOfType(node.ty!) === kindOfType(node.left.ty!) ? reg : null;
      const mark = this.temps.length;
      reg = this.binaryInto(node.op, node.left, node.right, i === 0 ? dst : reuse, node.left.ty!, reg, node);
      this.releaseSince(mark, reg);   // the right operand's temporaries are used up
    }
    return reg;
  }

  /** `left op right`. When `leftReg` is given, the left operand's value is already
   *  there (compound assignment, or the chain below in binaryChain) and `left`, if
   *  given, only tells its type. `operandTy` is the left operand's type. */
  private binaryInto(op: A.BinOp, left: A.Expr | null, right: A.Expr, dst: number | null,
                     operandTy: Type, leftReg: number | null, whole?: A.Expr): number {
    right = this.folded(right);
    if (op === '&&' || op === '||') return this.logical(op, left!, right, dst, leftReg);
    const t = operandTy.k === 'null' ? right.ty! : operandTy;
    const isCompare = COMPARE.has(op);
    if (t.k === 'f64') {
      const withK = this.f64WithConstant(op, left, right, dst, leftReg);
      if (withK !== null) return withK;
      const l = leftReg ?? this.expr(left!, null, Kind.F);
      const r = this.expr(right, null, Kind.F);
      const d = dst ?? this.temp(isCompare ? Kind.I : Kind.F);
      this.b.emit(F64_OPS[op]!, d, l, r);
      return d;
    }
    if (t.k === 'str' && op === '+') {
      const l = leftReg ?? this.expr(left!, null, Kind.R);
      const r = this.expr(right, null, Kind.R);
      const d = dst ?? this.temp(Kind.R);
      this.b.line = whole?.pos.line ?? this.b.line;
      this.b.emit(Op.CONCAT, d, l, r);
      return d;
    }
    if (op === '==' || op === '!=') return this.equality(op, left!, right, dst, t, leftReg);
    const l = leftReg ?? this.expr(left!, null, Kind.I);
    if (right.kind === 'int') {
      const k = right.value;
      const safeDivisor = k !== 0 && k !== -1;
      const form = op === '+' ? [Op.ADDI, k] : op === '-' ? [Op.ADDI, -k | 0] : op === '*' ? [Op.MULK, k]
        : op === '/' && safeDivisor ? [Op.DIVK, k] : op === '%' && safeDivisor ? [Op.REMK, k] : null;
      if (form) {
        const d = dst ?? this.temp(Kind.I);
        this.b.emit(form[0]!, d, l, form[1]!);
        return d;
      }
    }
    const r = this.expr(right, null, Kind.I);
    const d = dst ?? this.temp(Kind.I);
    this.b.line = whole?.pos.line ?? this.b.line;
    this.b.emit(I32_OPS[op]!, d, l, r);
    return d;
  }

  /** f64 arithmetic with a literal operand: one instruction, the constant from the
   *  pool (literals have no effects, so `2.0 * x` may become `x * 2.0`). */
  private f64WithConstant(op: A.BinOp, left: A.Expr | null, right: A.Expr, dst: number | null, leftReg: number | null): number | null {
    const emit = (o: Op, x: number, y: number) => { const d = dst ?? this.temp(Kind.F); this.b.emit(o, d, x, y); return d; };
    if (right.kind === 'float' && F64_K[op] !== undefined) {
      const l = leftReg ?? this.expr(left!, null, Kind.F);
      return emit(F64_K[op]!, l, this.m.f64(right.value));
    }
    if (leftReg === null && left?.kind === 'float') {
      const k = this.m.f64(left.value);
      if (op === '+' || op === '*') return emit(F64_K[op]!, this.expr(right, null, Kind.F), k);
      if (op === '-' || op === '/') return emit(op === '-' ? Op.RSUBFK : Op.RDIVFK, k, this.expr(right, null, Kind.F));
    }
    return null;
  }

  private equality(op: '==' | '!=', left: A.Expr, right: A.Expr, dst: number | null, t: Type, leftReg: number | null): number {
    if (left.ty!.k === 'null' && right.ty!.k === 'null') {
      const d = dst ?? this.temp(Kind.I);
      this.b.emit(Op.LOADI, d, op === '==' ? 1 : 0);
      return d;
    }
    const k = kindOfType(t);
    const l = leftReg ?? this.expr(left, null, k);
    const r = this.expr(right, null, k);
    const d = dst ?? this.temp(Kind.I);
    const isStr = left.ty!.k === 'str' || right.ty!.k === 'str';
    const opc = k === Kind.I ? (op === '==' ? Op.EQ : Op.NE)
      : isStr ? (op === '==' ? Op.STREQ : Op.STRNE) : (op === '==' ? Op.EQR : Op.NER);
    this.b.emit(opc, d, l, r);
    return d;
  }

  //   t := left;  JF t, end (&&) / JT t, end (||);  t := right;  end:  dst := t
  // (`leftReg`, when given, is a temporary of binaryChain holding left: it is t.)
  private logical(op: '&&' | '||', left: A.Expr, right: A.Expr, dst: number | null, leftReg: number | null): number {
    const t = leftReg ?? this.temp(Kind.I);
    const end = this.b.newLabel();
    if (leftReg === null) this.expr(left, t, Kind.I);
    this.b.emitJump(op === '&&' ? Op.JF : Op.JT, end, t);
    this.expr(right, t, Kind.I);
    this.b.bind(end);
    if (dst === null) return t;
    this.move(dst, t, Kind.I);
    return dst;
  }

  /** The fields' values first, in source order, then the object: a struct
   *  allocated before its fields' calls (a tree's node before its subtrees)
   *  could be promoted while they run, and each store of a young subtree into
   *  it then sends that subtree to the next minor collection's copy (binary-trees:
   *  docs/architecture.md, tenth round). Allocation is not an operand: the
   *  order of evaluation a program sees is unchanged. A literal of more than
   *  FIELDS_FIRST_MAX fields is allocated first and filled field by field
   *  instead: holding every value at once would take a register per field (past
   *  about 50,000, more locals than a wasm function may have). */
  private newStruct(e: Extract<A.Expr, { kind: 'new_struct' }>, dst: number | null): number {
    const t = this.temp(Kind.R);
    if (e.fields.length > FIELDS_FIRST_MAX) return this.newStructFilled(e, t, dst);
    const mark = this.temps.length;
    const values = e.fields.map((f) => {
      const field = this.m.field(e.structIndex!, f.name);
      return { field, v: this.expr(f.value, null, field.kind) };
    });
    this.b.line = e.pos.line;
    this.b.emit(Op.NEWSTRUCT, t, e.structIndex!);
    for (const { field, v } of values) this.b.emit(SETF[field.kind], t, field.offset, v);
    this.releaseSince(mark);
    if (dst === null) return t;
    this.move(dst, t, Kind.R);
    return dst;
  }

  /** A struct allocated, then each field evaluated and stored in turn. */
  private newStructFilled(e: Extract<A.Expr, { kind: 'new_struct' }>, t: number, dst: number | null): number {
    this.b.line = e.pos.line;
    this.b.emit(Op.NEWSTRUCT, t, e.structIndex!);
    for (const f of e.fields) {
      const mark = this.temps.length;
      const field = this.m.field(e.structIndex!, f.name);
      const v = this.expr(f.value, null, field.kind);
      this.b.emit(SETF[field.kind], t, field.offset, v);
      this.releaseSince(mark);
    }
    if (dst === null) return t;
    this.move(dst, t, Kind.R);
    return dst;
  }

  private arrayLiteral(e: Extract<A.Expr, { kind: 'array_lit' }>, dst: number | null): number {
    const elem = (e.ty as Extract<Type, { k: 'array' }>).elem;
    const k = kindOfType(elem), ops = arrayOps(elem);
    const n = this.temp(Kind.I);
    this.b.emit(Op.LOADI, n, e.elements.length);
    const t = this.temp(Kind.R);
    this.b.line = e.pos.line;
    this.b.emit(ops.alloc, t, n);
    for (let i = 0; i < e.elements.length; i++) {
      const mark = this.temps.length;
      const v = this.expr(e.elements[i]!, null, k);
      this.b.emit(Op.LOADI, n, i);
      this.b.emit(ops.set, t, n, v);
      this.releaseSince(mark);
    }
    if (dst === null) return t;
    this.move(dst, t, Kind.R);
    return dst;
  }

  // ---- calls ---------------------------------------------------------------------

  private call(e: Extract<A.Expr, { kind: 'call' }>, dst: number | null): number {
    const target = e.target!;
    if (target.kind === 'builtin') return this.builtin(target.name, e, dst);
    const rk = e.ty!.k === 'void' ? null : kindOfType(e.ty!);
    const d = rk === null ? 0 : (dst ?? this.temp(rk));
    const line = e.pos.line;
    switch (target.kind) {
      case 'direct':
        this.args(e.args, this.m.prog.functions[target.index]!.sig.params);
        this.b.line = line;
        this.b.emit(Op.CALL, target.index, this.b.areaBase(), d);
        break;
      case 'extern':
        this.args(e.args, this.m.prog.externs[target.index]!.sig.params);
        this.b.line = line;
        this.b.emit(Op.CALLX, target.index, this.b.areaBase(), d);
        break;
      case 'value': return this.valueCall(e, this.expr(e.callee, null, Kind.I), dst);
    }
    return d;
  }

  /** A call of the function value in register `callee`. */
  private valueCall(e: Extract<A.Expr, { kind: 'call' }>, callee: number, dst: number | null): number {
    const fnTy = e.callee.ty! as Extract<Type, { k: 'fn' }>;
    const rk = e.ty!.k === 'void' ? null : kindOfType(e.ty!);
    const d = rk === null ? 0 : (dst ?? this.temp(rk));
    this.args(e.args, fnTy.params);
    this.b.line = e.pos.line;
    this.b.emit(Op.CALLV, callee, this.m.sig(fnTy), this.b.areaBase(), d);
    return d;
  }

  /** Put arguments in the call area (see the file comment for when directly). */
  private args(args: A.Expr[], params: Type[]): void {
    const kinds = params.map(kindOfType);
    if (args.every(isStraightLine)) {
      for (let i = 0; i < args.length; i++) this.expr(args[i]!, this.b.arg(i), kinds[i]!);
      return;
    }
    const regs: number[] = [];
    for (let i = 0; i < args.length; i++) regs.push(this.expr(args[i]!, null, kinds[i]!));
    regs.forEach((r, i) => this.move(this.b.arg(i), r, kinds[i]!));
  }

  /** A built-in call: the instruction its registry entry names (bytecode/builtins.ts),
   *  operands: the result register (unless void), the arguments, the immediates. */
  private builtin(name: A.Builtin, e: Extract<A.Expr, { kind: 'call' }>, dst: number | null): number {
    const spec = BUILTINS[name];
    const first = e.args[0]?.ty?.k as BuiltinType | undefined;
    const op = builtinOp(spec, first);
    const args: number[] = [];
    for (const a of e.args) args.push(this.expr(a, null, kindOfType(a.ty!)));
    const result = spec.ret === 'void' ? null : dst ?? this.temp(kindOfType(e.ty!));
    this.b.line = e.pos.line;
    this.b.emit(op, ...(result === null ? [] : [result]), ...args, ...(spec.imm ?? []));
    return result ?? 0;
  }
}

/** No call, allocation or branch anywhere in e: safe to compute into the call area.
 *  (A loop down the left operand, which may be a chain tens of thousands long.) */
function isStraightLine(e: A.Expr): boolean {
  for (;;) {
    switch (e.kind) {
      case 'int': case 'float': case 'bool': case 'string': case 'null': case 'name': return true;
      case 'unary': e = e.operand; continue;
      case 'binary':
        if (e.op === '&&' || e.op === '||' || (e.op === '+' && e.left.ty!.k === 'str')) return false;
        if (!isStraightLine(e.right)) return false;
        e = e.left;
        continue;
      case 'cast': e = e.expr; continue;
      case 'index':
        if (!isStraightLine(e.index)) return false;
        e = e.object;
        continue;
      case 'field': case 'len': e = e.object; continue;
      default: return false;
    }
  }
}

/** A `while` condition of at most this many expression nodes is lowered twice
 *  (whileStmt): the copy costs code size, not time. */
const ROTATE_MAX_NODES = 24;

/** A struct literal of at most this many fields evaluates them all before it
 *  allocates (newStruct). Larger ones are rare and cannot all be held. */
const FIELDS_FIRST_MAX = 256;

/** Has e at most `max` expression nodes? (An explicit stack: conditions may be
 *  chains tens of thousands long; it stops as soon as it has seen too many.) */
function isSmall(e: A.Expr, max: number): boolean {
  const stack: A.Expr[] = [e];
  for (let seen = 0; stack.length > 0; seen++) {
    if (seen >= max) return false;
    const x = stack.pop()!;
    switch (x.kind) {
      case 'unary': stack.push(x.operand); break;
      case 'binary': stack.push(x.left, x.right); break;
      case 'cast': stack.push(x.expr); break;
      case 'index': stack.push(x.object, x.index); break;
      case 'field': case 'len': stack.push(x.object); break;
      case 'int': case 'float': case 'bool': case 'string': case 'null': case 'name': break;
      default: return false;
    }
  }
  return true;
}

/** What a postfix link applies to: the object of an index, a field or `.len`, the
 *  callee of a call of a function value; null when e is not a link (a call of a
 *  top-level function, extern or built-in names its target). */
function linkBase(e: A.Expr): A.Expr | null {
  switch (e.kind) {
    case 'index': case 'field': case 'len': return e.object;
    case 'call': return e.target!.kind === 'value' ? e.callee : null;
    default: return null;
  }
}

/** The operands of a chain of one operator, `a && b && c` -> a, b, c, left to right
 *  (the chain is a left-deep tree; walking its spine needs no recursion). */
function chainOperands(top: A.BinaryExpr): A.Expr[] {
  const rights: A.Expr[] = [];
  let e: A.Expr = top;
  while (e.kind === 'binary' && e.op === top.op) { rights.push(e.right); e = e.left; }
  rights.push(e);
  return rights.reverse();
}

const COMPARE = new Set<A.BinOp>(['==', '!=', '<', '<=', '>', '>=']);

const I32_OPS: Partial<Record<A.BinOp, Op>> = {
  '+': Op.ADD, '-': Op.SUB, '*': Op.MUL, '/': Op.DIV, '%': Op.REM, '&': Op.AND, '|': Op.OR,
  '^': Op.XOR, '<<': Op.SHL, '>>': Op.SHR, '>>>': Op.SHRU,
  '==': Op.EQ, '!=': Op.NE, '<': Op.LT, '<=': Op.LE, '>': Op.GT, '>=': Op.GE,
};
const F64_OPS: Partial<Record<A.BinOp, Op>> = {
  '+': Op.ADDF, '-': Op.SUBF, '*': Op.MULF, '/': Op.DIVF, '%': Op.REMF,
  '==': Op.EQF, '!=': Op.NEF, '<': Op.LTF, '<=': Op.LEF, '>': Op.GTF, '>=': Op.GEF,
};

const F64_K: Partial<Record<A.BinOp, Op>> = { '+': Op.ADDFK, '-': Op.SUBFK, '*': Op.MULFK, '/': Op.DIVFK };

type JumpPair = [Op, Op];   // [register form, immediate form]
const J: Record<'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', JumpPair> = {
  eq: [Op.JEQ, Op.JEQK], ne: [Op.JNE, Op.JNEK], lt: [Op.JLT, Op.JLTK],
  le: [Op.JLE, Op.JLEK], gt: [Op.JGT, Op.JGTK], ge: [Op.JGE, Op.JGEK],
};
const FUSED: Partial<Record<A.BinOp, { direct: JumpPair; inverse: JumpPair }>> = {
  '==': { direct: J.eq, inverse: J.ne }, '!=': { direct: J.ne, inverse: J.eq },
  '<': { direct: J.lt, inverse: J.ge }, '<=': { direct: J.le, inverse: J.gt },
  '>': { direct: J.gt, inverse: J.le }, '>=': { direct: J.ge, inverse: J.lt },
};

const GETG = { [Kind.I]: Op.GETGI, [Kind.F]: Op.GETGF, [Kind.R]: Op.GETGR } as Record<ValKind, Op>;
const SETG = { [Kind.I]: Op.SETGI, [Kind.F]: Op.SETGF, [Kind.R]: Op.SETGR } as Record<ValKind, Op>;
const GETF = { [Kind.I]: Op.GETFI, [Kind.F]: Op.GETFF, [Kind.R]: Op.GETFR } as Record<ValKind, Op>;
const SETF = { [Kind.I]: Op.SETFI, [Kind.F]: Op.SETFF, [Kind.R]: Op.SETFR } as Record<ValKind, Op>;

/** The instructions that make, read and write an array of elements of one type. */
interface ArrayOps { readonly alloc: Op; readonly get: Op; readonly set: Op }
const ARRAY_OPS = {
  [Kind.I]: { alloc: Op.NEWARRI, get: Op.AGETI, set: Op.ASETI },
  [Kind.F]: { alloc: Op.NEWARRF, get: Op.AGETF, set: Op.ASETF },
  [Kind.R]: { alloc: Op.NEWARRR, get: Op.AGETR, set: Op.ASETR },
} as Record<ValKind, ArrayOps>;
/** [bool] packs one byte per element (0 or 1). */
const BOOL_ARRAY_OPS: ArrayOps = { alloc: Op.NEWARRB, get: Op.AGETB, set: Op.ASETB };

function arrayOps(elem: Type): ArrayOps {
  return elem.k === 'bool' ? BOOL_ARRAY_OPS : ARRAY_OPS[kindOfType(elem)];
}

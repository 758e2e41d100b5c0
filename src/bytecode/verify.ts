// The bytecode verifier: the gate between the front-end and every tier.
//
// After verify(module) returns no errors, a tier may assume for every function:
// each instruction is complete and its opcode known; every register operand names
// a register of the right kind (reads of the call area happen only in calls);
// every index operand (constant, function, extern, global, struct, signature,
// field offset) is in range; every jump lands on an instruction start; control
// never runs off the end of the code; a superinstruction (checked as its first
// part) is followed by its other parts; each call finds its arguments in the call
// area with the callee's parameter kinds, written in the same straight-line run
// of code; results and returns have the declared kinds.
//
// What it does not prove (the front-end's type checker does): that a reference
// register holds the struct or array type an access expects, and that a function
// value has the signature its CALLV names. Those are type facts, not kind facts.

import { Kind, Op, OP_INFO, OP_COUNT, HEADER_SLOTS, type Operand } from './opcodes.js';
import { MATH1_FNS, MATH2_FNS } from './builtins.js';
import type { BcFunction, BcModule, ValKind } from './module.js';
import { kindName } from './module.js';

interface Ctx {
  mod: BcModule;
  fn: BcFunction;
  starts: Uint8Array;
  /** Kind written to each call-area slot since the last call or label (0 = none). */
  area: Int32Array;
  targets: Set<number>;
  errors: string[];
  /** Every (offset, kind) some struct has a field at, as offset * 4 + kind. */
  fieldSlots: ReadonlySet<number>;
}

/** Verify every function of `mod`; returns the list of problems (empty = valid). */
export function verifyModule(mod: BcModule): string[] {
  const errors: string[] = [];
  const fieldSlots = new Set(mod.structs.flatMap((s) => s.fields.map((f) => f.offset * 4 + f.kind)));
  for (const fn of mod.functions) errors.push(...verifyFunction(mod, fn, fieldSlots));
  if (!mod.functions[mod.initIndex]) errors.push('module: init function index out of range');
  if (!mod.functions[mod.mainIndex]) errors.push('module: main function index out of range');
  return errors;
}

function verifyFunction(mod: BcModule, fn: BcFunction, fieldSlots: ReadonlySet<number>): string[] {
  const ctx: Ctx = {
    mod, fn, fieldSlots, starts: new Uint8Array(fn.code.length + 1),
    area: new Int32Array(Math.max(0, fn.regKinds.length - fn.areaBase)), targets: new Set(), errors: [],
  };
  checkLayout(ctx);
  if (ctx.errors.length === 0) markStarts(ctx);
  if (ctx.errors.length === 0) checkInstructions(ctx);
  return ctx.errors.map((e) => `${fn.name}: ${e}`);
}

function checkLayout(ctx: Ctx): void {
  const { fn } = ctx;
  fn.params.forEach((k, i) => { if (fn.regKinds[i] !== k) ctx.errors.push(`param ${i} register kind mismatch`); });
  for (let r = 0; r < fn.regKinds.length; r++) {
    const k = fn.regKinds[r]!;
    if (k < Kind.I || k > Kind.A) ctx.errors.push(`register ${r} has unknown kind ${k}`);
    if ((k === Kind.A) !== (r >= fn.areaBase)) ctx.errors.push(`register ${r}: call area must be the top registers`);
  }
  if (fn.lines.length !== fn.code.length) ctx.errors.push('line table length differs from code length');
  if (fn.code.length === 0) ctx.errors.push('empty code');
}

function markStarts(ctx: Ctx): void {
  const code = ctx.fn.code;
  let pc = 0;
  let last = -1;
  while (pc < code.length) {
    const op = code[pc]!;
    if (op < 0 || op >= OP_COUNT) { ctx.errors.push(`@${pc}: unknown opcode ${op}`); return; }
    ctx.starts[pc] = 1;
    last = op;
    pc += 1 + OP_INFO[op as Op].args.length;
  }
  if (pc !== code.length) ctx.errors.push(`@${pc}: last instruction is truncated`);
  else if (!OP_INFO[last as Op].ends) ctx.errors.push('control can run off the end of the code');
}

function checkInstructions(ctx: Ctx): void {
  const { fn } = ctx;
  const code = fn.code;
  ctx.targets = jumpTargets(fn);
  for (let pc = 0; pc < code.length;) {
    const op = code[pc] as Op;
    const info = OP_INFO[op];
    if (ctx.targets.has(pc)) ctx.area.fill(0);
    info.args.forEach((a, i) => checkOperand(ctx, pc, a, code[pc + 1 + i]!, i));
    checkSpecial(ctx, pc, info.parts ? info.parts[0]! : op);
    if (info.parts) checkParts(ctx, pc, info.parts, info.run);
    pc += 1 + info.args.length;
  }
}

/** Positions some jump lands on. */
function jumpTargets(fn: BcFunction): Set<number> {
  const set = new Set<number>();
  const code = fn.code;
  for (let p = 0; p < code.length;) {
    const info = OP_INFO[code[p] as Op];
    info.args.forEach((a, i) => { if (a === 'lbl') set.add(code[p + 1 + i]!); });
    p += 1 + info.args.length;
  }
  return set;
}

function checkOperand(ctx: Ctx, pc: number, a: Operand, v: number, i: number): void {
  const { mod, fn } = ctx;
  const fail = (what: string) => ctx.errors.push(`@${pc} ${OP_INFO[fn.code[pc] as Op].name} operand ${i}: ${what}`);
  const inRange = (n: number, what: string) => { if (v < 0 || v >= n) fail(`${what} ${v} out of range`); };
  switch (a) {
    case 'ri': case 'rf': case 'rr': {
      inRange(fn.regKinds.length, 'register');
      const k = fn.regKinds[v];
      if (k !== undefined && k !== READ_KIND[a]) fail(`register ${v} is ${kindName(k)}, expected ${kindName(READ_KIND[a])}`);
      return;
    }
    case 'wi': case 'wf': case 'wr': {
      inRange(fn.regKinds.length, 'register');
      const k = fn.regKinds[v];
      if (k === Kind.A) { if (v - fn.areaBase >= HEADER_SLOTS) ctx.area[v - fn.areaBase] = READ_KIND[a]; else fail('writes a frame header slot'); }
      else if (k !== undefined && k !== READ_KIND[a]) fail(`register ${v} is ${kindName(k)}, expected ${kindName(READ_KIND[a])}`);
      return;
    }
    case 'imm': case 'off': case 'base': case 'dst': return;   // checked with their instruction
    case 'kf': return inRange(mod.f64Consts.length, 'f64 constant');
    case 'ks': return inRange(mod.strConsts.length, 'string constant');
    case 'fn': return inRange(mod.functions.length, 'function');
    case 'ext': return inRange(mod.externs.length, 'extern');
    case 'glob': return inRange(mod.globals.length, 'global');
    case 'st': return inRange(mod.structs.length, 'struct');
    case 'sig': return inRange(mod.sigs.length, 'signature');
    case 'lbl': if (!(v >= 0 && v < fn.code.length && ctx.starts[v])) fail(`jump target ${v} is not an instruction`); return;
  }
}

const READ_KIND: Record<'ri' | 'rf' | 'rr' | 'wi' | 'wf' | 'wr', ValKind> = {
  ri: Kind.I, rf: Kind.F, rr: Kind.R, wi: Kind.I, wf: Kind.F, wr: Kind.R,
};

function checkSpecial(ctx: Ctx, pc: number, op: Op): void {
  const { mod, fn } = ctx;
  const c = fn.code;
  const fail = (what: string) => ctx.errors.push(`@${pc} ${OP_INFO[op].name}: ${what}`);
  switch (op) {
    case Op.CALL: { const f = mod.functions[c[pc + 1]!]; if (f) checkCall(ctx, pc, f.params, f.ret, c[pc + 2]!, c[pc + 3]!); return; }
    case Op.CALLV: { const s = mod.sigs[c[pc + 2]!]; if (s) checkCall(ctx, pc, s.params, s.ret, c[pc + 3]!, c[pc + 4]!); return; }
    case Op.CALLX: { const e = mod.externs[c[pc + 1]!]; if (e) checkCall(ctx, pc, e.params, e.ret, c[pc + 2]!, c[pc + 3]!); return; }
    case Op.RETV: if (fn.ret !== null) fail('function has a result'); return;
    case Op.RETI: if (fn.ret !== Kind.I) fail('result kind is not i'); return;
    case Op.RETF: if (fn.ret !== Kind.F) fail('result kind is not f'); return;
    case Op.RETR: if (fn.ret !== Kind.R) fail('result kind is not r'); return;
    case Op.GETFI: case Op.SETFI: return checkField(ctx, pc, op === Op.GETFI ? c[pc + 3]! : c[pc + 2]!, Kind.I);
    case Op.GETFF: case Op.SETFF: return checkField(ctx, pc, op === Op.GETFF ? c[pc + 3]! : c[pc + 2]!, Kind.F);
    case Op.GETFR: case Op.SETFR: return checkField(ctx, pc, op === Op.GETFR ? c[pc + 3]! : c[pc + 2]!, Kind.R);
    case Op.GETGI: case Op.SETGI: return checkGlobal(ctx, pc, op === Op.GETGI ? c[pc + 2]! : c[pc + 1]!, Kind.I);
    case Op.GETGF: case Op.SETGF: return checkGlobal(ctx, pc, op === Op.GETGF ? c[pc + 2]! : c[pc + 1]!, Kind.F);
    case Op.GETGR: case Op.SETGR: return checkGlobal(ctx, pc, op === Op.GETGR ? c[pc + 2]! : c[pc + 1]!, Kind.R);
    case Op.MATH1: if (c[pc + 3]! < 0 || c[pc + 3]! >= MATH1_FNS.length) fail('unknown function'); return;
    case Op.MATH2: if (c[pc + 4]! < 0 || c[pc + 4]! >= MATH2_FNS.length) fail('unknown function'); return;
    case Op.DIVK: case Op.REMK: if (c[pc + 3] === 0 || c[pc + 3] === -1) fail('constant divisor must not be 0 or -1'); return;
    case Op.JMPLOOP: if (c[pc + 1]! > pc) fail('a loop back-edge must jump backwards'); return;
    case Op.FORLOOP: case Op.FORLOOPK: if (c[pc + 3]! > pc) fail('a loop back-edge must jump backwards'); return;
    default: return;
  }
}

/** A superinstruction's later parts follow it, each a complete instruction (its
 *  operands are checked where it stands). */
function checkParts(ctx: Ctx, pc: number, parts: readonly Op[], run?: readonly Op[]): void {
  const code = ctx.fn.code;
  let at = pc + 1 + OP_INFO[parts[0]!].args.length;
  if (run !== undefined) {
    if (!run.includes(code[at] as Op)) { ctx.errors.push(`@${pc} ${OP_INFO[code[pc] as Op].name}: not followed by its run`); return; }
    while (run.includes(code[at] as Op)) at += 1 + OP_INFO[code[at] as Op].args.length;
  }
  for (const p of parts.slice(1)) {
    if (code[at] !== p) { ctx.errors.push(`@${pc} ${OP_INFO[code[pc] as Op].name}: not followed by its part ${OP_INFO[p].name}`); return; }
    at += 1 + OP_INFO[p].args.length;
  }
}

function checkCall(ctx: Ctx, pc: number, params: ValKind[], ret: ValKind | null, base: number, dst: number): void {
  const { fn } = ctx;
  const fail = (what: string) => ctx.errors.push(`@${pc} ${OP_INFO[fn.code[pc] as Op].name}: ${what}`);
  if (base !== fn.areaBase) fail(`call base ${base} is not the call area (${fn.areaBase})`);
  if (fn.areaBase + HEADER_SLOTS + params.length > fn.regKinds.length) { fail('call area too small for the arguments'); return; }
  params.forEach((k, i) => {
    const got = ctx.area[HEADER_SLOTS + i];
    if (got !== k) fail(`argument ${i} is ${got ? kindName(got) : 'not written'}, expected ${kindName(k)}`);
  });
  if (ret !== null) {
    if (dst < 0 || dst >= fn.areaBase) fail(`result register ${dst} out of range`);
    else if (fn.regKinds[dst] !== ret) fail(`result register ${dst} is ${kindName(fn.regKinds[dst]!)}, expected ${kindName(ret)}`);
  }
  ctx.area.fill(0);
}

function checkField(ctx: Ctx, pc: number, off: number, kind: ValKind): void {
  const ok = ctx.fieldSlots.has(off * 4 + kind);
  if (!ok) ctx.errors.push(`@${pc} ${OP_INFO[ctx.fn.code[pc] as Op].name}: no ${kindName(kind)} field at offset ${off}`);
}

function checkGlobal(ctx: Ctx, pc: number, g: number, kind: ValKind): void {
  const gl = ctx.mod.globals[g];
  if (gl && gl.kind !== kind) ctx.errors.push(`@${pc} ${OP_INFO[ctx.fn.code[pc] as Op].name}: global ${g} is ${kindName(gl.kind)}`);
}

// GC maps: which reference registers are live at each safepoint of a function.
//
// A safepoint is an instruction during which the collector may run: one that
// allocates, or a call (the callee may allocate). The roots a frame contributes
// are the registers of kind R live into that instruction (used by it, or used
// later before being overwritten); every other register, however it was typed,
// is dead and not scanned, so a dead temporary never keeps garbage alive and no
// register has to be cleared. The front-end guarantees definite assignment, so a
// register live at a safepoint has been written on every path to it.
//
// Maps are keyed by the safepoint's pc (for the innermost frame, which publishes
// its pc) and, for calls, by the resume pc after the call (what a callee's frame
// header records for its caller). Same bytecode, same maps, every tier.

import { Kind, Op, OP_INFO, instrLength } from '../bytecode/opcodes.js';
import type { BcFunction, BcModule } from '../bytecode/module.js';

export interface GcMap {
  /** Live references at a safepoint, by its pc (the innermost frame). */
  at: Map<number, Int32Array>;
  /** Live references across a call, by the resume pc after it (a caller frame). */
  resume: Map<number, Int32Array>;
}

function isSafepoint(op: Op): boolean {
  const info = OP_INFO[op];
  return info.allocates === true || info.calls === true;
}

/** Live-in sets of R registers per instruction start, by backward dataflow. */
function liveIn(mod: BcModule, fn: BcFunction): Map<number, Uint32Array> {
  const words = (fn.regKinds.length + 31) >>> 5;
  const code = fn.code;
  const starts: number[] = [];
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc] as Op)) starts.push(pc);
  const live = new Map<number, Uint32Array>(starts.map((pc) => [pc, new Uint32Array(words)]));
  const isRef = (r: number) => fn.regKinds[r] === Kind.R;
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = starts.length - 1; k >= 0; k--) {
      const pc = starts[k]!;
      const op = code[pc] as Op;
      const info = OP_INFO[op];
      const out = new Uint32Array(words);
      for (const s of successors(fn, pc, op, info)) {
        const l = live.get(s);
        if (l) for (let w = 0; w < words; w++) out[w]! |= l[w]!;
      }
      info.args.forEach((a, i) => {
        const r = code[pc + 1 + i]!;
        const defines = a === 'wr' || (a === 'dst' && callResult(mod, fn, pc, op) === Kind.R);
        if (defines && isRef(r)) out[r >>> 5]! &= ~(1 << (r & 31));
      });
      info.args.forEach((a, i) => {
        const r = code[pc + 1 + i]!;
        if (a === 'rr' && isRef(r)) out[r >>> 5]! |= 1 << (r & 31);
      });
      const cur = live.get(pc)!;
      for (let w = 0; w < words; w++) {
        if (cur[w] !== out[w]) { cur.set(out); changed = true; break; }
      }
    }
  }
  return live;
}

/** The result kind of the call at pc (null: no result, its dst is not written). */
function callResult(mod: BcModule, fn: BcFunction, pc: number, op: Op): number | null {
  const c = fn.code;
  if (op === Op.CALL) return mod.functions[c[pc + 1]!]!.ret;
  if (op === Op.CALLV) return mod.sigs[c[pc + 2]!]!.ret;
  if (op === Op.CALLX) return mod.externs[c[pc + 1]!]!.ret;
  return null;
}

function successors(fn: BcFunction, pc: number, op: Op, info: (typeof OP_INFO)[Op]): number[] {
  const next = pc + 1 + info.args.length;
  const li = info.args.indexOf('lbl');
  const out: number[] = [];
  if (li >= 0) out.push(fn.code[pc + 1 + li]!);
  if (!info.ends) out.push(next);
  return out;
}

function members(bits: Uint32Array): Int32Array {
  const out: number[] = [];
  bits.forEach((w, i) => { for (let b = 0; b < 32; b++) if (w & (1 << b)) out.push(i * 32 + b); });
  return Int32Array.from(out);
}

/** The GC map of one function. */
export function buildGcMap(mod: BcModule, fn: BcFunction): GcMap {
  const map: GcMap = { at: new Map(), resume: new Map() };
  const live = fn.regKinds.includes(Kind.R) ? liveIn(mod, fn) : null;
  const empty = new Int32Array(0);
  forEachSafepoint(fn, (pc, len, op) => {
    const regs = live ? members(live.get(pc)!) : empty;
    map.at.set(pc, regs);
    if (OP_INFO[op].calls) map.resume.set(pc + len, regs);
  });
  return map;
}

function forEachSafepoint(fn: BcFunction, visit: (pc: number, len: number, op: Op) => void): void {
  for (let pc = 0; pc < fn.code.length;) {
    const op = fn.code[pc] as Op;
    const len = instrLength(op);
    if (isSafepoint(op)) visit(pc, len, op);
    pc += len;
  }
}

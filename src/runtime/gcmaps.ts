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

/** Live-in sets of R registers per instruction start, by backward dataflow:
 *  the set of the instruction at pc is `live(pc)` (a view into one array of
 *  every instruction's words). Nothing is allocated per instruction or per
 *  round: this runs for every function when a runtime is made (runtime.ts),
 *  in every mode, within a short run's first milliseconds. */
function liveIn(mod: BcModule, fn: BcFunction): (pc: number) => Uint32Array {
  const words = (fn.regKinds.length + 31) >>> 5;
  const code = fn.code;
  const starts: number[] = [];
  const slot = new Int32Array(code.length).fill(-1);
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc] as Op)) { slot[pc] = starts.length; starts.push(pc); }
  const bits = new Uint32Array(starts.length * words);
  const out = new Uint32Array(words);
  const isRef = (r: number) => fn.regKinds[r] === Kind.R;
  /** out |= the live-in set of the instruction at pc (if pc starts one). */
  const join = (pc: number) => {
    const k = pc < code.length ? slot[pc]! : -1;
    if (k >= 0) for (let w = 0; w < words; w++) out[w]! |= bits[k * words + w]!;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = starts.length - 1; k >= 0; k--) {
      const pc = starts[k]!;
      const op = code[pc] as Op;
      const info = OP_INFO[op];
      const args = info.args;
      out.fill(0);
      const label = args.indexOf('lbl');
      if (label >= 0) join(code[pc + 1 + label]!);
      if (!info.ends) join(pc + 1 + args.length);
      for (let i = 0; i < args.length; i++) {
        const a = args[i], r = code[pc + 1 + i]!;
        const defines = a === 'wr' || (a === 'dst' && callResult(mod, fn, pc, op) === Kind.R);
        if (defines && isRef(r)) out[r >>> 5]! &= ~(1 << (r & 31));
      }
      for (let i = 0; i < args.length; i++) {
        const r = code[pc + 1 + i]!;
        if (args[i] === 'rr' && isRef(r)) out[r >>> 5]! |= 1 << (r & 31);
      }
      for (let w = 0; w < words; w++) {
        if (bits[k * words + w] !== out[w]) { bits.set(out, k * words); changed = true; break; }
      }
    }
  }
  return (pc) => bits.subarray(slot[pc]! * words, (slot[pc]! + 1) * words);
}

/** The result kind of the call at pc (null: no result, its dst is not written). */
function callResult(mod: BcModule, fn: BcFunction, pc: number, op: Op): number | null {
  const c = fn.code;
  if (op === Op.CALL) return mod.functions[c[pc + 1]!]!.ret;
  if (op === Op.CALLV) return mod.sigs[c[pc + 2]!]!.ret;
  if (op === Op.CALLX) return mod.externs[c[pc + 1]!]!.ret;
  return null;
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
    const regs = live ? members(live(pc)) : empty;
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

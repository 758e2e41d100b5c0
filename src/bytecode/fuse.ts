// The peephole pass that makes superinstructions (opcodes.ts, SUPER_PARTS): where
// the parts of one follow each other in a function's code, the first part's
// opcode word becomes the superinstruction's. Nothing else changes: positions,
// operands, line table and jump targets stay, so the result verifies and runs
// exactly as the plain code (the compiling backends read plainModule).
//
// What must stay true: a superinstruction's later parts keep their own opcodes,
// so an instruction is fused as a first part or as a later part, never both (the
// scan skips past every part it fused); at a position, the longest run of parts
// that matches wins (a run, opcodes.ts SUPER_RUNS, counts the parts it matched
// there; a fixed superinstruction of the same length wins over it, but for
// RUN_FIRST).

import { Op, OP_INFO, instrLength } from './opcodes.js';
import type { BcModule } from './module.js';

/** Superinstructions by their first part, longest first. */
type Candidate = { op: Op; parts: readonly Op[]; run?: readonly Op[] };
const BY_FIRST: ReadonlyMap<Op, readonly Candidate[]> = (() => {
  const map = new Map<Op, Candidate[]>();
  for (const [key, info] of Object.entries(OP_INFO)) {
    if (!info.parts) continue;
    const first = info.parts[0]!;
    if (!map.has(first)) map.set(first, []);
    map.get(first)!.push({ op: Number(key) as Op, parts: info.parts, ...(info.run ? { run: info.run } : {}) });
  }
  // Fixed ones first, longest first: a run must match more parts to win.
  for (const list of map.values()) list.sort((a, b) => +(a.run !== undefined) - +(b.run !== undefined) || b.parts.length - a.parts.length);
  return map;
})();

/** Fixed superinstructions that a run of the same length beats where runs are
 *  made (a call moving two references or f64 values gets an argument list, as
 *  before they existed; runtime.ts, argListAt); without runs (unfuseRuns) they
 *  take the run's place. MOVI_MOVI_CALL is not one: it came first. */
const RUN_FIRST: ReadonlySet<Op> = new Set([Op.MOVR_MOVR_CALL, Op.MOVF_MOVF_CALL]);

/** Do the instructions from pc on have the opcodes `parts` (with one or more of
 *  `run` after the first)? Returns the position after the last of them and how
 *  many instructions matched, or null. */
function matchAt(code: Int32Array, pc: number, parts: readonly Op[], run?: readonly Op[]): { end: number; count: number } | null {
  let count = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (pc >= code.length || code[pc] !== p) return null;
    pc += instrLength(p); count++;
    if (i === 0 && run !== undefined) {
      const first = pc;
      while (pc < code.length && run.includes(code[pc] as Op)) { pc += instrLength(code[pc] as Op); count++; }
      if (pc === first) return null;
    }
  }
  return { end: pc, count };
}

/** Fuse the superinstructions of one function's code, in place. */
export function fuseCode(code: Int32Array): void { fuseRange(code, 0, code.length, true); }

/** The runs of `code` (a function's or the code image) fused again without
 *  runs (into the fixed superinstructions, as if there were none): where no
 *  argument list is read (runtime.ts, argListAt), a run only costs the
 *  interpreter a loop where the fixed ones dispatch straight-line moves
 *  (interp -> interp with 4 to 6 arguments: about 2-3 ns). */
export function unfuseRuns(code: Int32Array): void {
  for (let pc = 0; pc < code.length;) {
    const parts = OP_INFO[code[pc] as Op].parts;
    if (OP_INFO[code[pc] as Op].run === undefined) { pc += instrLength(code[pc] as Op); continue; }
    code[pc] = parts![0]!;
    let end = pc + instrLength(code[pc] as Op);
    while (code[end] !== parts![parts!.length - 1]) end += instrLength(code[end] as Op);
    pc = fuseRange(code, pc, end, false);
  }
}

/** Fuse from position `from` on, up to the first instruction starting at or
 *  past `to`; returns that instruction's position. */
function fuseRange(code: Int32Array, from: number, to: number, runs: boolean): number {
  let pc = from;
  while (pc < to && pc < code.length) {
    const op = code[pc] as Op;
    let next = pc + instrLength(op), best = 1, fused = op;
    for (const s of BY_FIRST.get(op) ?? []) {
      if (runs ? RUN_FIRST.has(s.op) : s.run !== undefined) continue;
      const m = matchAt(code, pc, s.parts, s.run);
      if (m === null || m.count <= best) continue;
      best = m.count; next = m.end; fused = s.op;
    }
    code[pc] = fused;
    pc = next;
  }
  return pc;
}

/** The module as plain instructions: each superinstruction's opcode replaced by
 *  its first part's (positions and operands unchanged). What the compiling
 *  backends read. */
export function plainModule(mod: BcModule): BcModule {
  return { ...mod, functions: mod.functions.map((f) => ({ ...f, code: plainCode(f.code) })) };
}

export function plainCode(code: Int32Array): Int32Array {
  let out: Int32Array | null = null;
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc] as Op)) {
    const parts = OP_INFO[code[pc] as Op].parts;
    if (parts) (out ??= code.slice())[pc] = parts[0]!;
  }
  return out ?? code;
}

// The peephole pass that makes superinstructions (opcodes.ts, SUPER_PARTS): where
// the parts of one follow each other in a function's code, the first part's
// opcode word becomes the superinstruction's. Nothing else changes: positions,
// operands, line table and jump targets stay, so the result verifies and runs
// exactly as the plain code (the compiling backends read plainModule).
//
// What must stay true: a superinstruction's later parts keep their own opcodes,
// so an instruction is fused as a first part or as a later part, never both (the
// scan skips past every part it fused); at a position, the longest run of parts
// that matches wins.

import { Op, OP_INFO, instrLength } from './opcodes.js';
import type { BcModule } from './module.js';

/** Superinstructions by their first part, longest first. */
const BY_FIRST: ReadonlyMap<Op, readonly { op: Op; parts: readonly Op[] }[]> = (() => {
  const map = new Map<Op, { op: Op; parts: readonly Op[] }[]>();
  for (const [key, info] of Object.entries(OP_INFO)) {
    if (!info.parts) continue;
    const first = info.parts[0]!;
    if (!map.has(first)) map.set(first, []);
    map.get(first)!.push({ op: Number(key) as Op, parts: info.parts });
  }
  for (const list of map.values()) list.sort((a, b) => b.parts.length - a.parts.length);
  return map;
})();

/** Do the instructions from pc on have the opcodes `parts`? Returns the position
 *  after the last of them, or -1. */
function matchAt(code: Int32Array, pc: number, parts: readonly Op[]): number {
  for (const p of parts) {
    if (pc >= code.length || code[pc] !== p) return -1;
    pc += instrLength(p);
  }
  return pc;
}

/** Fuse the superinstructions of one function's code, in place. */
export function fuseCode(code: Int32Array): void {
  for (let pc = 0; pc < code.length;) {
    const op = code[pc] as Op;
    let next = pc + instrLength(op);
    for (const s of BY_FIRST.get(op) ?? []) {
      const end = matchAt(code, pc, s.parts);
      if (end < 0) continue;
      code[pc] = s.op;
      next = end;
      break;
    }
    pc = next;
  }
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

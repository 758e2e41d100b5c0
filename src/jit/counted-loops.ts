// Loops whose fuel a backend may count by their induction variable rather than
// by a counter decremented at every back-edge (jit/wasm/lower.ts, "counted
// loops").
//
// A counted loop is an innermost `for` loop whose only step (runtime/limits.ts)
// is its back-edge: one latch block ending in FORLOOP/FORLOOPK, no call,
// inlined or not, and no extern call inside, its counter v written by nothing
// else in the loop and its bound a register the loop does not write (or an
// immediate). Then v grows by exactly 1 per back-edge taken, so the steps
// taken since v was last noted follow from v alone, and the loop's own test
// `v < bound` can test the fuel too. Only `for` loops: a `while` loop with an
// induction variable saves one instruction of three per back-edge that way,
// and fannkuch's short while loops measured slower for what entering costs.

import { Op, OP_INFO, instrLength } from '../bytecode/opcodes.js';
import { forEachWritten } from './checks.js';
import { loopBlocks, Exit, type Cfg } from './cfg.js';

export interface CountedLoop {
  header: number;
  /** The block ending in the FORLOOP. */
  latch: number;
  blocks: ReadonlySet<number>;
  /** The loop's counter (FORLOOP's A). */
  v: number;
  /** Its bound: a register, or an immediate (FORLOOPK). */
  bound: { reg: number } | { imm: number };
}

/** The counted loops of cfg, by header block id. */
export function countedLoops(cfg: Cfg, code: Int32Array): Map<number, CountedLoop> {
  const loops = new Map<number, CountedLoop>();
  for (const h of cfg.blocks) {
    if (!h.isLoopHeader) continue;
    const l = countedLoop(cfg, code, h.id);
    if (l !== null) loops.set(h.id, l);
  }
  return loops;
}

function countedLoop(cfg: Cfg, code: Int32Array, header: number): CountedLoop | null {
  const blocks = loopBlocks(cfg, header);
  const latches = cfg.blocks[header]!.preds.filter((p) => blocks.has(p));
  if (latches.length !== 1) return null;
  const latch = cfg.blocks[latches[0]!]!;
  const last = code[latch.last] as Op;
  if ((last !== Op.FORLOOP && last !== Op.FORLOOPK) || latch.exit !== Exit.COND || latch.succ[0] !== header) return null;
  const writes = new Map<number, number>();
  for (const id of blocks) {
    const b = cfg.blocks[id]!;
    for (let pc = b.start; pc <= b.last; pc += instrLength(code[pc] as Op)) {
      const op = code[pc] as Op;
      if (pc !== latch.last && (OP_INFO[op].step || op === Op.CALLX)) return null;
      forEachWritten(code, pc, (r) => writes.set(r, (writes.get(r) ?? 0) + 1));
    }
  }
  const v = code[latch.last + 1]!, b = code[latch.last + 2]!;
  if (writes.get(v) !== 1 || (last === Op.FORLOOP && writes.has(b))) return null;
  return { header, latch: latch.id, blocks, v, bound: last === Op.FORLOOP ? { reg: b } : { imm: b } };
}

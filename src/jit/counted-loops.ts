// Loops whose fuel a backend may count by their induction variable rather than
// by a counter decremented at every back-edge (jit/wasm/lower.ts, "fuel").
//
// A counted loop is an innermost loop whose only step (runtime/limits.ts) is
// its one back-edge, a JMPLOOP or a FORLOOP/FORLOOPK from its one latch block:
// no call, inlined or not, and no extern call inside. Its induction variable v
// is a register that grows by exactly 1 once per iteration and is written
// nowhere else in the loop: a FORLOOP's counter (its bound a register the loop
// does not write, or an immediate), or a JMPLOOP loop's `ADDI v, v, 1` in a
// block that dominates the latch (so it runs once in every iteration, before
// the back-edge). Then the back-edges taken since v was last noted are v minus
// the value noted, minus 1 where the add has run in the current iteration
// (afterAdd), and the steps left follow from v alone.

import { Op, OP_INFO, instrLength } from '../bytecode/opcodes.js';
import { forEachWritten } from './checks.js';
import { dominates, loopBlocks, Exit, type Cfg } from './cfg.js';

export interface CountedLoop {
  header: number;
  latch: number;
  blocks: ReadonlySet<number>;
  /** The induction register. */
  v: number;
  /** Where v grows: the block and pc of its add (a FORLOOP: the latch's last pc). */
  addBlock: number;
  addPc: number;
  /** A FORLOOP's bound: a register, or an immediate; null for a JMPLOOP latch. */
  bound: { reg: number } | { imm: number } | null;
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
  const writes = new Map<number, number>();
  for (const id of blocks) {
    const b = cfg.blocks[id]!;
    for (let pc = b.start; pc <= b.last; pc += instrLength(code[pc] as Op)) {
      const op = code[pc] as Op;
      if (pc !== latch.last && (OP_INFO[op].step || op === Op.CALLX)) return null;
      forEachWritten(code, pc, (r) => writes.set(r, (writes.get(r) ?? 0) + 1));
    }
  }
  if ((last === Op.FORLOOP || last === Op.FORLOOPK) && latch.exit === Exit.COND && latch.succ[0] === header) {
    const v = code[latch.last + 1]!, b = code[latch.last + 2]!;
    if (writes.get(v) !== 1 || (last === Op.FORLOOP && writes.has(b))) return null;
    const bound = last === Op.FORLOOP ? { reg: b } : { imm: b };
    return { header, latch: latch.id, blocks, v, addBlock: latch.id, addPc: latch.last, bound };
  }
  if (last !== Op.JMPLOOP || latch.exit !== Exit.GOTO) return null;
  for (const id of blocks) {
    if (!dominates(cfg.blocks, id, latch.id)) continue;
    const b = cfg.blocks[id]!;
    for (let pc = b.start; pc <= b.last; pc += instrLength(code[pc] as Op)) {
      const v = code[pc + 1]!;
      if (code[pc] === Op.ADDI && code[pc + 2] === v && code[pc + 3] === 1 && writes.get(v) === 1) {
        return { header, latch: latch.id, blocks, v, addBlock: id, addPc: pc, bound: null };
      }
    }
  }
  return null;
}

/** At the end of block b (atPc null), or before the instruction at atPc in b,
 *  has v's add run in the current iteration of loop l? */
export function afterAdd(cfg: Cfg, l: CountedLoop, b: number, atPc: number | null): boolean {
  if (!dominates(cfg.blocks, l.addBlock, b)) return false;
  return b !== l.addBlock || atPc === null || atPc > l.addPc;
}

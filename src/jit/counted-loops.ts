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
// `v < bound` can test the fuel too. One call is allowed besides: the loop's
// leading call (jit/wasm/lower.ts, openLoop: every iteration begins with it,
// after pure instructions only) when the backend says its body runs inline and
// takes no step (`leading`); its step is charged with the back-edge's, so an
// iteration is exactly 2 steps (spectral-norm's inner loops). Only `for` loops:
// a `while` loop with an induction variable saves one instruction of three per
// back-edge that way, and fannkuch's short while loops measured slower for what
// entering costs.

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
  /** The leading call charged with each back-edge (its pc), or null. */
  call: number | null;
  /** Steps per iteration: the back-edge, and the leading call if any. */
  steps: 1 | 2;
}

/** The counted loops of cfg, by header block id. `leading(header)`: the pc of
 *  the call every iteration of the loop at header begins with, when its body
 *  runs inline and takes no step, else null. */
export function countedLoops(cfg: Cfg, code: Int32Array, leading: (header: number) => number | null = () => null): Map<number, CountedLoop> {
  const loops = new Map<number, CountedLoop>();
  for (const h of cfg.blocks) {
    if (!h.isLoopHeader) continue;
    const l = countedLoop(cfg, code, h.id, leading);
    if (l !== null) loops.set(h.id, l);
  }
  return loops;
}

function countedLoop(cfg: Cfg, code: Int32Array, header: number, leading: (header: number) => number | null): CountedLoop | null {
  const blocks = loopBlocks(cfg, header);
  const latches = cfg.blocks[header]!.preds.filter((p) => blocks.has(p));
  if (latches.length !== 1) return null;
  const latch = cfg.blocks[latches[0]!]!;
  const last = code[latch.last] as Op;
  if ((last !== Op.FORLOOP && last !== Op.FORLOOPK) || latch.exit !== Exit.COND || latch.succ[0] !== header) return null;
  const writes = new Map<number, number>();
  const lead = leading(header);
  let call: number | null = null;
  for (const id of blocks) {
    const b = cfg.blocks[id]!;
    for (let pc = b.start; pc <= b.last; pc += instrLength(code[pc] as Op)) {
      const op = code[pc] as Op;
      if (pc === lead) call = pc;
      else if (pc !== latch.last && (OP_INFO[op].step || op === Op.CALLX)) return null;
      forEachWritten(code, pc, (r) => writes.set(r, (writes.get(r) ?? 0) + 1));
    }
  }
  const v = code[latch.last + 1]!, b = code[latch.last + 2]!;
  if (writes.get(v) !== 1 || (last === Op.FORLOOP && writes.has(b))) return null;
  return { header, latch: latch.id, blocks, v, bound: last === Op.FORLOOP ? { reg: b } : { imm: b }, call, steps: call === null ? 1 : 2 };
}

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
// iteration is exactly 2 steps (spectral-norm's inner loops). The loop is the
// FORLOOP's own cycle (the header and what reaches the latch without passing
// it): in an OSR entry at its header the CFG nests the enclosing loop through
// the header, whose back-edge comes from outside the cycle; the backend arms
// the loop on every such edge as on entry (fannkuch's perm-copy loop at n = 11,
// where OSR enters). Only `for` loops:
// a `while` loop with an induction variable saves one instruction of three per
// back-edge that way, and fannkuch's short while loops measured slower for what
// entering costs.

import { Op, OP_INFO, instrLength } from '../bytecode/opcodes.js';
import { forEachWritten } from './checks.js';
import { Exit, reachingThrough, type Cfg } from './cfg.js';

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
  const latches = cfg.blocks[header]!.preds.filter((p) => p >= header && isForLatch(cfg, code, p, header));
  if (latches.length !== 1) return null;
  const latch = cfg.blocks[latches[0]!]!;
  const last = code[latch.last] as Op;
  // The loop is the FORLOOP's own cycle. Any other edge back to the header
  // comes from outside it: an enclosing loop that an OSR entry at this header
  // nests through it (the backend arms the loop on that edge too). Inside,
  // nothing but the latch goes back to the header, and no block but the
  // header is entered from outside.
  const blocks = reachingThrough(cfg, header, [latch.id]);
  for (const id of blocks) {
    const b = cfg.blocks[id]!;
    if (id !== latch.id && b.succ.includes(header)) return null;
    if (id !== header && b.preds.some((p) => !blocks.has(p))) return null;
  }
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

/** Does block p end in a FORLOOP/FORLOOPK whose taken way is `header`? */
function isForLatch(cfg: Cfg, code: Int32Array, p: number, header: number): boolean {
  const b = cfg.blocks[p]!;
  const op = code[b.last] as Op;
  return (op === Op.FORLOOP || op === Op.FORLOOPK) && b.exit === Exit.COND && b.succ[0] === header;
}

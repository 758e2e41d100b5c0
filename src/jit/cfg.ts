// The control-flow graph of one function's bytecode, seen from one entry.
//
// Blocks are maximal straight-line runs of instructions; the entry is pc 0 for a
// whole-function compile or a loop header for an OSR entry, and only blocks
// reachable from it exist. Each block knows its successors in a fixed order: for a
// conditional terminator, succ[0] is the target taken when the condition holds and
// succ[1] the fall-through. Reverse postorder, immediate dominators (Lengauer and
// Tarjan's algorithm: near-linear, whatever the shape of the CFG), loop headers and merge nodes are what the
// structuring pass (structure.ts) needs. Bytecode from the front-end is reducible
// (it comes from structured source), so every back edge targets a dominator.

import { Op, OP_INFO, jumpTargetAt } from '../bytecode/opcodes.js';
import type { BcFunction } from '../bytecode/module.js';

export const enum Exit { GOTO, COND, RETURN }

const NONE: ReadonlyMap<number, boolean> = new Map();

export interface Block {
  id: number;
  start: number;
  /** pc of the block's last instruction. */
  last: number;
  /** pc just past the block. */
  end: number;
  exit: Exit;
  succ: number[];
  preds: number[];
  rpo: number;
  idom: number;
  children: number[];
  isLoopHeader: boolean;
  /** Two or more forward edges come in. */
  isMerge: boolean;
  /** A block of no code (start > last) that enters the CFG at the loop header
   *  of this pc when its entry asks for it (buildCfg's `alsoEnter`): its COND
   *  goes there (succ[0]) or on down the chain (succ[1]). */
  enters?: number;
}

export interface Cfg {
  fn: BcFunction;
  entry: number;
  blocks: Block[];
  /** Block ids in reverse postorder. */
  order: number[];
}

/** The positions of fn's code in the graph's blocks (1: compiled), for
 *  what only compiled code needs (the helpers a module imports). */
export function compiledPcs(cfg: Cfg): Uint8Array {
  const marks = new Uint8Array(cfg.fn.code.length);
  for (const b of cfg.blocks) if (b.start >= 0) marks.fill(1, b.start, b.end);
  return marks;
}

/** oneWay: conditional jumps compiled as going one way only (tier 2, behind a
 *  guard): pc -> whether that way is the jump taken. Such a block ends in GOTO,
 *  and what only the other way reached is left out. alsoEnter: loop headers
 *  (each reachable from entryPc, in no loop of it) the graph may be entered at
 *  as well as entryPc: the entry is then a chain of `enters` blocks, one per
 *  header, ending at entryPc's block. Entering a loop at its header adds no
 *  second way into any loop, so the graph stays reducible. */
export function buildCfg(fn: BcFunction, entryPc: number, oneWay: ReadonlyMap<number, boolean> = NONE,
                         alsoEnter: readonly number[] = []): Cfg {
  const leaders = findLeaders(fn, entryPc);
  const byPc = new Map<number, Block>();
  const all: Block[] = [];
  const sorted = [...leaders].sort((a, b) => a - b);
  sorted.forEach((start, i) => {
    const end = i + 1 < sorted.length ? sorted[i + 1]! : fn.code.length;
    const b = makeBlock(fn, all.length, start, end);
    all.push(b);
    byPc.set(start, b);
  });
  const succPcs = all.map((b) => successorPcs(fn, b, oneWay));
  // The entry chain: negative pcs name its blocks.
  alsoEnter.forEach((h, k) => {
    const start = -1 - k;
    const b: Block = { id: all.length, start, last: start - 1, end: start, exit: Exit.COND, succ: [], preds: [], rpo: -1, idom: -1,
      children: [], isLoopHeader: false, isMerge: false, enters: h };
    all.push(b);
    byPc.set(start, b);
    succPcs.push({ exit: Exit.COND, pcs: [h, k + 1 < alsoEnter.length ? start - 1 : entryPc] });
  });
  const reachable = reversePostorder(all, succPcs, byPc, byPc.get(alsoEnter.length > 0 ? -1 : entryPc)!);
  return finish(fn, reachable, succPcs, byPc);
}

function findLeaders(fn: BcFunction, entryPc: number): Set<number> {
  const code = fn.code;
  const leaders = new Set<number>([0, entryPc]);
  for (let pc = 0; pc < code.length;) {
    const op = code[pc] as Op;
    const info = OP_INFO[op];
    const next = pc + 1 + info.args.length;
    const target = jumpTarget(fn, pc);
    if (target !== null) { leaders.add(target); if (next < code.length) leaders.add(next); }
    else if (info.ends && next < code.length) leaders.add(next);
    pc = next;
  }
  return leaders;
}

/** The jump target of the instruction at pc, or null if it does not jump. */
export function jumpTarget(fn: BcFunction, pc: number): number | null {
  return jumpTargetAt(fn.code, pc);
}

function makeBlock(fn: BcFunction, id: number, start: number, end: number): Block {
  let last = start;
  for (let pc = start; pc < end; pc += 1 + OP_INFO[fn.code[pc] as Op].args.length) last = pc;
  // `enters` too, so that every block has one shape (V8 keeps property reads monomorphic).
  return { id, start, last, end, exit: Exit.GOTO, succ: [], preds: [], rpo: -1, idom: -1, children: [], isLoopHeader: false, isMerge: false, enters: undefined };
}

/** Successor pcs in the fixed order (taken target first for conditionals). */
function successorPcs(fn: BcFunction, b: Block, oneWay: ReadonlyMap<number, boolean>): { exit: Exit; pcs: number[] } {
  const op = fn.code[b.last] as Op;
  const info = OP_INFO[op];
  const target = jumpTarget(fn, b.last);
  if (op === Op.JMP || op === Op.JMPLOOP) return { exit: Exit.GOTO, pcs: [target!] };
  const taken = oneWay.get(b.last);
  if (taken !== undefined) return { exit: Exit.GOTO, pcs: [taken ? target! : b.end] };
  if (target !== null) return { exit: Exit.COND, pcs: [target, b.end] };
  if (info.ends) return { exit: Exit.RETURN, pcs: [] };
  return { exit: Exit.GOTO, pcs: [b.end] };
}

function reversePostorder(all: Block[], succPcs: { pcs: number[] }[], byPc: Map<number, Block>, entry: Block): Block[] {
  const post: Block[] = [];
  const seen = new Uint8Array(all.length);
  // Iterative DFS: (block, next successor index) pairs.
  const stack: [Block, number][] = [[entry, 0]];
  seen[entry.id] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const pcs = succPcs[top[0].id]!.pcs;
    if (top[1] < pcs.length) {
      const s = byPc.get(pcs[top[1]++]!)!;
      if (!seen[s.id]) { seen[s.id] = 1; stack.push([s, 0]); }
    } else {
      post.push(top[0]);
      stack.pop();
    }
  }
  return post.reverse();
}

function finish(fn: BcFunction, rpoBlocks: Block[], succPcs: { exit: Exit; pcs: number[] }[], byPc: Map<number, Block>): Cfg {
  const oldToNew = new Map<number, number>();
  rpoBlocks.forEach((b, i) => oldToNew.set(b.id, i));
  const blocks = rpoBlocks.map((b, i) => {
    const s = succPcs[b.id]!;
    return { ...b, id: i, rpo: i, exit: s.exit, succ: s.pcs.map((pc) => oldToNew.get(byPc.get(pc)!.id)!) };
  });
  for (const b of blocks) for (const s of b.succ) blocks[s]!.preds.push(b.id);
  computeDominators(blocks);
  for (const b of blocks) if (b.id !== 0) blocks[b.idom]!.children.push(b.id);
  // Dominator-tree intervals: a dominates b iff enter[a] <= enter[b] < leave[a]
  // (one walk, rather than a walk up the tree per back edge).
  const enter = new Int32Array(blocks.length);
  const leave = new Int32Array(blocks.length);
  let clock = 0;
  const walk: [number, number][] = [[0, 0]];
  enter[0] = clock++;
  while (walk.length > 0) {
    const top = walk[walk.length - 1]!;
    const kids = blocks[top[0]]!.children;
    if (top[1] < kids.length) { const c = kids[top[1]++]!; enter[c] = clock++; walk.push([c, 0]); }
    else { leave[top[0]] = clock; walk.pop(); }
  }
  for (const b of blocks) {
    b.isLoopHeader = b.preds.some((p) => p >= b.id);
    b.isMerge = b.preds.filter((p) => p < b.id).length >= 2;
    for (const p of b.preds) {
      if (p >= b.id && !(enter[b.id]! <= enter[p]! && enter[p]! < leave[b.id]!)) throw new Error(`irreducible control flow at pc ${b.start}`);
    }
  }
  return { fn, entry: 0, blocks, order: blocks.map((b) => b.id) };
}

/** Immediate dominators by Lengauer and Tarjan's algorithm (the simple version:
 *  path compression without balancing, O(E log N)), iteratively, so neither a
 *  deep CFG nor a wide one costs host stack or quadratic time. (Cooper, Harvey
 *  and Kennedy's iterative algorithm, used before, walks the dominator tree once
 *  per predecessor: an `else if` chain of 20,000 arms, whose join block has
 *  20,000 predecessors at depths up to 20,000, took 4 s to compile, 100,000
 *  arms minutes.) Ids are RPO numbers; the DFS below numbers blocks in its own
 *  preorder, from which any DFS tree gives the same dominators. */
function computeDominators(blocks: Block[]): void {
  const n = blocks.length;
  const pre = new Int32Array(n).fill(-1);  // block -> DFS preorder number
  const vertex = new Int32Array(n);         // preorder number -> block
  const parent = new Int32Array(n);
  const semi = new Int32Array(n);           // block -> preorder number of its semidominator
  const ancestor = new Int32Array(n).fill(-1);
  const label = new Int32Array(n);
  const idom = new Int32Array(n);
  const bucketHead = new Int32Array(n).fill(-1);
  const bucketNext = new Int32Array(n).fill(-1);
  // DFS from block 0: (block, next successor index) pairs.
  let count = 0;
  const stackB: number[] = [0];
  const stackI: number[] = [0];
  pre[0] = 0; vertex[0] = 0; semi[0] = 0; label[0] = 0; count = 1;
  while (stackB.length > 0) {
    const top = stackB.length - 1;
    const b = stackB[top]!;
    const succ = blocks[b]!.succ;
    if (stackI[top]! < succ.length) {
      const s = succ[stackI[top]!++]!;
      if (pre[s]! < 0) {
        pre[s] = count; vertex[count] = s; semi[s] = count; label[s] = s; parent[s] = b; count++;
        stackB.push(s); stackI.push(0);
      }
    } else { stackB.pop(); stackI.pop(); }
  }
  const path: number[] = [];
  /** The vertex of least semidominator on the forest path to v (path compressed). */
  const evaluate = (v: number): number => {
    if (ancestor[v]! < 0) return v;
    let x = v;
    while (ancestor[ancestor[x]!]! >= 0) { path.push(x); x = ancestor[x]!; }
    while (path.length > 0) {
      const y = path.pop()!;
      const a = ancestor[y]!;
      if (semi[label[a]!]! < semi[label[y]!]!) label[y] = label[a]!;
      ancestor[y] = ancestor[a]!;
    }
    return label[v]!;
  };
  for (let i = count - 1; i >= 1; i--) {
    const w = vertex[i]!;
    for (const v of blocks[w]!.preds) {
      if (pre[v]! < 0) continue;
      const u = evaluate(v);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    const sd = vertex[semi[w]!]!;
    bucketNext[w] = bucketHead[sd]!; bucketHead[sd] = w;
    const p = parent[w]!;
    ancestor[w] = p;
    for (let v = bucketHead[p]!; v >= 0; v = bucketNext[v]!) {
      const u = evaluate(v);
      idom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let i = 1; i < count; i++) {
    const w = vertex[i]!;
    if (idom[w] !== vertex[semi[w]!]) idom[w] = idom[idom[w]!]!;
  }
  for (let b = 0; b < n; b++) blocks[b]!.idom = b === 0 ? 0 : pre[b]! < 0 ? -1 : idom[b]!;
}

/** The blocks of the natural loop of header h: h and every block that reaches
 *  one of its back edges without passing through h (h dominates them all). */
export function loopBlocks(cfg: Cfg, h: number): Set<number> {
  return reachingThrough(cfg, h, cfg.blocks[h]!.preds.filter((p) => p >= h));
}

/** h and every block that reaches one of `from` without passing through h. */
export function reachingThrough(cfg: Cfg, h: number, from: readonly number[]): Set<number> {
  const body = new Set([h]);
  const work = [...from];
  while (work.length > 0) {
    const b = work.pop()!;
    if (body.has(b)) continue;
    body.add(b);
    work.push(...cfg.blocks[b]!.preds);
  }
  return body;
}

export function dominates(blocks: Block[], a: number, b: number): boolean {
  while (b > a) b = blocks[b]!.idom;
  return a === b;
}

// Checks already made on every path into a block: which registers are known to
// be non-null, and which (array, index) register pairs are known to be in
// bounds, at the entry of each block of a CFG.
//
// A forward "must" data-flow problem: a fact holds at a block's entry when it
// holds at the exit of every predecessor (the meet is intersection; the entry
// block starts with none), solved by iterating in reverse postorder to a fixed
// point. Within a block, a null or bounds check adds its fact (so does an
// allocation: its register is not null) and a write to a register drops every
// fact naming it. Both lowerings start each block with
// these facts and skip a check a fact covers, so a value checked in a
// dominating block (a parameter, a struct read in a loop) is not checked again.
// What must stay true: a fact comes only from a check that the lowering emits
// unconditionally in the block (forEachCheck, for every instruction before the
// block's branch), or from an allocation, whose result is never null
// (allocated); and it is dropped at every write of either register, as the
// lowerings' own `set` drops it. Dropping more is always safe.
//
// An OSR entry's CFG starts at a loop header, not at pc 0: entered there, its
// entry block starts with the facts the whole function's CFG has at that
// header (checksAtHeader), met with what its back-edges bring. Those hold in
// the interpreted frame that enters: every path the frame took from pc 0 to
// the header made the check (in whichever tier ran it, each of which traps
// where the check fails), or allocated the object, and wrote neither
// register since. Without them a loop nest entered at its inner loop (the OSR
// CFG rotates it: the outer loop comes back through the entry block) checked
// again, at every inner iteration, what the outer loop had checked once
// (sieve's array).

import { Op, OP_INFO, instrLength } from '../bytecode/opcodes.js';
import { forEachCheck } from './backend.js';
import { HEADER_BYTES } from '../runtime/heap.js';
import { buildCfg, jumpTarget, type Block, type Cfg } from './cfg.js';
import type { BcFunction } from '../bytecode/module.js';

export interface CheckFacts {
  /** Registers known non-null. */
  readonly nonNull: Set<number>;
  /** (array, index) pairs known in bounds: boundsKey(obj, i). */
  readonly inBounds: Set<number>;
}

/** The key of a bounds fact, or null where a register number does not fit it. */
export function boundsKey(obj: number, i: number): number | null {
  return obj < 65536 && i < 65536 ? obj * 65536 + i : null;
}

/** Drop the facts naming register r (it was written). */
export function forgetRegister(facts: CheckFacts, r: number): void {
  facts.nonNull.delete(r);
  for (const key of facts.inBounds) if (Math.floor(key / 65536) === r || key % 65536 === r) facts.inBounds.delete(key);
}

/** The facts at the entry of each block of cfg (indexed by block id), given
 *  `atEntry` as what holds when control first reaches cfg's entry block. */
export function checksAtEntry(cfg: Cfg, atEntry: CheckFacts = none()): CheckFacts[] {
  const n = cfg.blocks.length;
  const entry: (CheckFacts | null)[] = new Array(n).fill(null);
  const exit: (CheckFacts | null)[] = new Array(n).fill(null);
  for (let changed = true; changed;) {
    changed = false;
    for (const id of cfg.order) {
      const b = cfg.blocks[id]!;
      const preds = b.preds.map((p) => exit[p]!).filter((f) => f !== null);
      const at = id === cfg.entry ? meet([atEntry, ...preds]) : meet(preds);
      if (at === null) continue;
      entry[id] = at;
      const out = transfer(cfg, b, copy(at));
      if (exit[id] === null || !same(exit[id]!, out)) { exit[id] = out; changed = true; }
    }
  }
  return entry.map((f) => f ?? none());
}

/** What holds after block b, given `facts` at its entry (updated in place). */
function transfer(cfg: Cfg, b: Block, facts: CheckFacts): CheckFacts {
  const code = cfg.fn.code;
  for (let pc = b.start; pc <= b.last; pc += instrLength(code[pc] as Op)) {
    // A jump (only ever a block's last instruction) is lowered as the block's
    // branch, whose checks (none) the lowerings emit apart.
    if (jumpTarget(cfg.fn, pc) === null) {
      forEachCheck(code, pc, (r) => facts.nonNull.add(r), (obj, i) => {
        const key = boundsKey(obj, i);
        if (key !== null) facts.inBounds.add(key);
      });
    }
    forEachWritten(code, pc, (r) => forgetRegister(facts, r));
    const made = allocated(cfg.fn, code, pc);
    if (made !== null) facts.nonNull.add(made);
  }
  return facts;
}

/** The register a NEWSTRUCT or NEWARR* at pc writes a new object to (never
 *  null: `let a = new [bool](n)` before a loop needs no null check of a in
 *  it), or null for any other instruction or a call-area register (facts name
 *  only fn's own registers). */
export function allocated(fn: BcFunction, code: Int32Array, pc: number): number | null {
  const op = code[pc] as Op;
  if (op !== Op.NEWSTRUCT && op !== Op.NEWARRI && op !== Op.NEWARRF && op !== Op.NEWARRR && op !== Op.NEWARRB) return null;
  const r = code[pc + 1]!;
  return r < fn.areaBase ? r : null;
}

/** The stores that fill a struct just allocated: the SETF* instructions that
 *  follow the NEWSTRUCT at pc, up to `last` (the end of its block), and store
 *  into its register. Between them no instruction can collect, trap or be
 *  jumped to, so no one sees the object before they are done: a struct
 *  literal (front/lower.ts evaluates the fields first, then allocates and
 *  stores them all). Both lowerings then zero only the payload words the
 *  stores leave (`zero`: for each 4-byte word of the payload, it must be
 *  zeroed), and give the stores no write barrier (the object is young: an
 *  allocation never makes an OLD struct, runtime/heap.ts). */
export function fillingStores(code: Int32Array, pc: number, last: number, payloadBytes: number): { stores: Set<number>; zero: boolean[] } {
  const r = code[pc + 1]!;
  const stores = new Set<number>();
  const zero = new Array<boolean>(payloadBytes >> 2).fill(true);
  for (let at = pc + instrLength(code[pc] as Op); at <= last; at += instrLength(code[at] as Op)) {
    const op = code[at] as Op;
    if ((op !== Op.SETFI && op !== Op.SETFF && op !== Op.SETFR) || code[at + 1] !== r) break;
    stores.add(at);
    const word = (code[at + 2]! - HEADER_BYTES) >> 2;
    for (let w = word; w < word + (op === Op.SETFF ? 2 : 1); w++) zero[w] = false;
  }
  return { stores, zero };
}

/** Each register the instruction at pc writes (a FORLOOP its counter). */
export function forEachWritten(code: Int32Array, pc: number, written: (r: number) => void): void {
  const op = code[pc] as Op;
  OP_INFO[op].args.forEach((kind, i) => {
    if (kind === 'wi' || kind === 'wf' || kind === 'wr' || kind === 'dst') written(code[pc + 1 + i]!);
  });
  if (op === Op.FORLOOP || op === Op.FORLOOPK) written(code[pc + 1]!);
}

/** The facts at loop header `pc` in fn's whole-function CFG (tier 1: no
 *  branch compiled one way): what an interpreted frame standing there has
 *  checked, the facts an OSR entry at pc starts with. */
export function checksAtHeader(fn: BcFunction, pc: number): CheckFacts {
  if (pc === 0) return none();
  const whole = buildCfg(fn, 0);
  const header = whole.blocks.find((b) => b.start === pc);
  return header === undefined ? none() : checksAtEntry(whole)[header.id]!;
}

function meet(preds: CheckFacts[]): CheckFacts | null {
  if (preds.length === 0) return null;
  const [first, ...rest] = preds as [CheckFacts, ...CheckFacts[]];
  const facts = copy(first);
  for (const p of rest) {
    for (const r of facts.nonNull) if (!p.nonNull.has(r)) facts.nonNull.delete(r);
    for (const k of facts.inBounds) if (!p.inBounds.has(k)) facts.inBounds.delete(k);
  }
  return facts;
}

function none(): CheckFacts { return { nonNull: new Set(), inBounds: new Set() }; }
function copy(f: CheckFacts): CheckFacts { return { nonNull: new Set(f.nonNull), inBounds: new Set(f.inBounds) }; }
function same(a: CheckFacts, b: CheckFacts): boolean {
  return a.nonNull.size === b.nonNull.size && a.inBounds.size === b.inBounds.size
    && [...a.nonNull].every((r) => b.nonNull.has(r)) && [...a.inBounds].every((k) => b.inBounds.has(k));
}

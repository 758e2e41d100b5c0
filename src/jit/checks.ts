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
import { HEADER_BYTES } from '../runtime/heap.js';
import { buildCfg, jumpTarget, type Block, type Cfg } from './cfg.js';
import type { BcFunction } from '../bytecode/module.js';

/** The checks the opcode table names for the instruction at pc (null checks of
 *  its operands in order, then its bounds check), for a lowering to emit before
 *  the instruction's work. */
export function forEachCheck(code: Int32Array, pc: number, nullCheck: (r: number) => void, boundsCheck: (obj: number, i: number) => void): void {
  const info = OP_INFO[code[pc] as Op];
  for (const i of info.nullChecked ?? []) nullCheck(code[pc + 1 + i]!);
  if (info.boundsChecked) boundsCheck(code[pc + 1 + info.boundsChecked[0]]!, code[pc + 1 + info.boundsChecked[1]]!);
}

/** The bounds checks a compile of fn would emit, those proven by constants
 *  aside (config.ts MAX_COMPILE_CHECKS). */
export function boundsChecksLeft(fn: BcFunction): number {
  const code = fn.code, proven = boundsProven(fn);
  let n = 0;
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc] as Op)) if (OP_INFO[code[pc] as Op].boundsChecked && !proven.has(pc)) n++;
  return n;
}

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

// ---- bounds proven by constants ------------------------------------------------
//
// An array literal `[e0, e1, ...]` allocates an array of a constant length and
// stores each element at a constant index (front/lower.ts: LOADI n, len;
// NEWARR t, n; then per element LOADI n, k; ASET t, n, v). Such a store cannot
// be out of bounds, and checking it anyway made a big literal the largest cost
// of compiling its function (config.ts MAX_COMPILE_CHECKS). A second forward
// "must" problem finds these accesses: which of fn's own registers hold a known
// integer (a LOADI) and which hold an array of a known length (a NEWARR* whose
// count held a known integer; it traps if that is negative, so past it the
// length is exact), at each instruction, on every path from pc 0. Array lengths
// never change, and a write to a register drops what was known of it, as for
// the facts above. What must stay true: a pc is in the set only if, on every
// path from the function's entry, its array register holds an array made by
// such a NEWARR and its index register the LOADI's value, both in range. Any
// compile of fn (whole, OSR entry, inlined, tier 2 with branches one way) runs
// suffixes of such paths, so it may skip those checks. Call-area registers are
// never tracked (a callee's frame overwrites them).

interface Known { ints: Map<number, number>; lengths: Map<number, number> }

const provenCache = new WeakMap<BcFunction, ReadonlySet<number>>();

/** The pcs of fn's bounds-checked instructions whose check always passes
 *  (above): both lowerings skip those checks. */
export function boundsProven(fn: BcFunction): ReadonlySet<number> {
  let proven = provenCache.get(fn);
  if (proven === undefined) { proven = findProven(fn); provenCache.set(fn, proven); }
  return proven;
}

function findProven(fn: BcFunction): Set<number> {
  const code = fn.code;
  // Only a function that allocates an array of a constant length can have any.
  let any = false;
  for (let pc = 0; pc < code.length && !any; pc += instrLength(code[pc] as Op)) any = allocatedArray(code[pc] as Op);
  const proven = new Set<number>();
  if (!any) return proven;
  const cfg = buildCfg(fn, 0);
  const exit: (Known | null)[] = new Array(cfg.blocks.length).fill(null);
  const entry: (Known | null)[] = new Array(cfg.blocks.length).fill(null);
  for (let changed = true; changed;) {
    changed = false;
    for (const id of cfg.order) {
      const b = cfg.blocks[id]!;
      const preds = b.preds.map((p) => exit[p]!).filter((k) => k !== null);
      const at = id === cfg.entry ? { ints: new Map<number, number>(), lengths: new Map<number, number>() } : meetKnown(preds);
      if (at === null) continue;
      entry[id] = at;
      const out = knownAfter(fn, b, copyKnown(at), null);
      if (exit[id] === null || !sameKnown(exit[id]!, out)) { exit[id] = out; changed = true; }
    }
  }
  for (const b of cfg.blocks) if (entry[b.id] !== null) knownAfter(fn, b, copyKnown(entry[b.id]!), proven);
  return proven;
}

function allocatedArray(op: Op): boolean {
  return op === Op.NEWARRI || op === Op.NEWARRF || op === Op.NEWARRR || op === Op.NEWARRB;
}

/** What is known after block b, given `k` at its entry (updated in place);
 *  adds the proven bounds checks of b to `proven` if given. */
function knownAfter(fn: BcFunction, b: Block, k: Known, proven: Set<number> | null): Known {
  const code = fn.code;
  for (let pc = b.start; pc <= b.last; pc += instrLength(code[pc] as Op)) {
    const op = code[pc] as Op;
    const checked = OP_INFO[op].boundsChecked;
    if (proven !== null && checked !== undefined) {
      const len = k.lengths.get(code[pc + 1 + checked[0]]!), i = k.ints.get(code[pc + 1 + checked[1]]!);
      if (len !== undefined && i !== undefined && i >= 0 && i < len) proven.add(pc);
    }
    const count = allocatedArray(op) ? k.ints.get(code[pc + 2]!) : undefined;
    forEachWritten(code, pc, (r) => { k.ints.delete(r); k.lengths.delete(r); });
    const r = code[pc + 1]!;
    if (r >= fn.areaBase) continue;
    if (op === Op.LOADI) k.ints.set(r, code[pc + 2]!);
    else if (count !== undefined && count >= 0) k.lengths.set(r, count);
  }
  return k;
}

function meetKnown(preds: Known[]): Known | null {
  if (preds.length === 0) return null;
  const [first, ...rest] = preds as [Known, ...Known[]];
  const k = copyKnown(first);
  for (const p of rest) {
    for (const [r, v] of k.ints) if (p.ints.get(r) !== v) k.ints.delete(r);
    for (const [r, v] of k.lengths) if (p.lengths.get(r) !== v) k.lengths.delete(r);
  }
  return k;
}

function copyKnown(k: Known): Known { return { ints: new Map(k.ints), lengths: new Map(k.lengths) }; }
function sameKnown(a: Known, b: Known): boolean {
  return a.ints.size === b.ints.size && a.lengths.size === b.lengths.size
    && [...a.ints].every(([r, v]) => b.ints.get(r) === v) && [...a.lengths].every(([r, v]) => b.lengths.get(r) === v);
}

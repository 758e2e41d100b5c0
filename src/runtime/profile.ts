// Profiles: what the interpreter observes for tier 2 to speculate on, and what
// tier 2 speculates from it.
//
// One Int32Array per function, as long as its code and indexed by the position of
// the instruction observed, so the interpreter needs no lookup (a word per code
// word; only the words of profiled instructions are ever written):
//   conditional jump (JT, JF, Jcc, JccK) at pc: [pc] times taken, [pc+1] times not
//     taken (FORLOOP is a loop back-edge, not profiled);
//   CALLV at pc (five words long): [pc..pc+3] the function values called (index
//     + 1), in the order first seen, 0 in the words not used yet; [pc] is
//     MEGAMORPHIC once a fifth target was seen (the other words keep theirs).
// Counts wrap at 2^31; a count only decides what to speculate on, and every
// speculation is checked by a guard, so a wrong one costs a deopt, never a result.
// The interpreter counts jumps only when a backend compiles tier 2
// (tiering.optimizing): with --tier=interp, or on the js backend, the stores
// would cost it several percent for nothing. Tier 1 collects nothing (its code
// is left as fast as it was).

import { Op, instrLength, isCmpOp, jumpTargetAt } from '../bytecode/opcodes.js';

export const MEGAMORPHIC = -1;
/** Targets a CALLV's profile holds, at most (before it is MEGAMORPHIC). */
export const MAX_CALL_TARGETS = 4;

/** Why compiled code left for the interpreter (the deopt helper's argument). */
export const enum DeoptReason { BRANCH = 0, CALL_TARGET = 1, STRESS = 2 }
export const DEOPT_REASONS: readonly string[] = ['branch taken', 'call target', 'stress'];

/** What one tier-2 compile speculates on. Every entry is checked by a guard that
 *  leaves for the interpreter at that instruction when it fails. */
export interface Speculation {
  /** Conditional jumps compiled one way: pc -> the way seen (true: taken). */
  readonly branches: ReadonlyMap<number, boolean>;
  /** CALLV sites called as the one function seen: pc -> function index. */
  readonly targets: ReadonlyMap<number, number>;
  /** The functions the CALLV at pc of function f saw (seenTargets): tier 2
   *  dispatches on them at the CALLVs it does not guard, in this function and
   *  in the bodies it inlines (jit/wasm/lower.ts). A dispatch is not a guess,
   *  so it needs no guard: a target not seen is called as before. */
  readonly targetsAt: (f: number, pc: number) => readonly number[];
  /** --deopt-stress: every site (conditional jump or CALLV) also leaves the first
   *  time it is reached in this code. */
  readonly stress: boolean;
}

/** Conditional jumps the interpreter profiles (not FORLOOP: a back-edge). */
export function isProfiledBranch(op: Op): boolean {
  return op === Op.JT || op === Op.JF || isCmpOp(op);
}

/** The profiles of the functions whose code is at `bases` of a code image of
 *  `size` words (bytecode/code-image.ts): views of one array laid out as the
 *  image (`all`), so the interpreter indexes it by its image position. */
export function newProfiles(codes: readonly Int32Array[], bases: Int32Array, size: number): { all: Int32Array; perFn: Int32Array[] } {
  const all = new Int32Array(size);
  return { all, perFn: codes.map((c, f) => all.subarray(bases[f]!, bases[f]! + c.length)) };
}

/** What tier 2 may speculate on in `code` from its profile: branches seen at
 *  least `minSamples` times and always the same way, unless the way never seen
 *  leaves a loop the seen way stays in; CALLV sites that saw one target; never
 *  a site in `excluded` (it failed before). A loop's exit is taken once per
 *  entry, but a loop entered once and profiled while it runs (the interpreter
 *  counts until OSR moves it to compiled code, which counts nothing) shows it
 *  never taken: compiled one way, the exit deoptimized at every call, and the
 *  function was invalidated after four calls (richards' `schedule`). */
export function speculate(code: Int32Array, profile: Int32Array, minSamples: number, excluded: ReadonlySet<number>, stress: boolean,
                          targetsAt: (f: number, pc: number) => readonly number[] = () => []): Speculation {
  const branches = new Map<number, boolean>(), targets = new Map<number, number>();
  const loops = loopRanges(code);
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc] as Op)) {
    const op = code[pc] as Op;
    if (excluded.has(pc)) continue;
    if (isProfiledBranch(op)) {
      const taken = profile[pc]!, not = profile[pc + 1]!;
      if (taken + not < minSamples || (taken !== 0 && not !== 0)) continue;
      const target = jumpTargetAt(code, pc)!, next = pc + instrLength(op);
      const [seen, unseen] = taken > 0 ? [target, next] : [next, target];
      if (!leavesLoop(loops, pc, seen, unseen)) branches.set(pc, taken > 0);
    } else if (op === Op.CALLV && profile[pc]! > 0 && profile[pc + 1] === 0) {
      targets.set(pc, profile[pc]! - 1);
    }
  }
  return { branches, targets, targetsAt, stress };
}

/** The functions (indices) the CALLV at pc was seen to call, in the order first
 *  seen; none when it saw more than MAX_CALL_TARGETS. */
export function seenTargets(profile: Int32Array, pc: number): number[] {
  const seen: number[] = [];
  if (profile[pc] === MEGAMORPHIC) return seen;
  for (let i = pc; i < pc + MAX_CALL_TARGETS && profile[i] !== 0; i++) seen.push(profile[i]! - 1);
  return seen;
}

/** Note that the CALLV at pc called function value v (index + 1): in the first
 *  free word of its profile, unless there already; MEGAMORPHIC when all are
 *  taken. (The interpreter calls it when v is not the first target.) */
export function noteTarget(profile: Int32Array, pc: number, v: number): void {
  if (profile[pc] === MEGAMORPHIC) return;
  for (let i = pc; i < pc + MAX_CALL_TARGETS; i++) {
    if (profile[i] === v) return;
    if (profile[i] === 0) { profile[i] = v; return; }
  }
  profile[pc] = MEGAMORPHIC;
}

/** The loops of `code` as [head, back-edge] pc pairs: every jump to a pc at or
 *  before its own. */
function loopRanges(code: Int32Array): number[] {
  const loops: number[] = [];
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc] as Op)) {
    const target = jumpTargetAt(code, pc);
    if (target !== null && target <= pc) loops.push(target, pc);
  }
  return loops;
}

/** Whether, from the branch at pc, `unseen` leaves a loop around pc that `seen` stays in. */
function leavesLoop(loops: readonly number[], pc: number, seen: number, unseen: number): boolean {
  for (let k = 0; k < loops.length; k += 2) {
    const head = loops[k]!, end = loops[k + 1]!;
    if (pc < head || pc > end) continue;
    const inside = (p: number) => head <= p && p <= end;
    if (inside(seen) && !inside(unseen)) return true;
  }
  return false;
}

/** A speculation with something to check. */
export function speculates(s: Speculation): boolean {
  return s.branches.size > 0 || s.targets.size > 0 || s.stress;
}

/** `3 branches, 1 call target, 2 dispatched calls` (for traces; the last
 *  part, the CALLVs compiled as a dispatch, only when there are some). */
export function describeSpeculation(s: Speculation, dispatched = 0): string {
  const parts = [`${s.branches.size} branch${s.branches.size === 1 ? '' : 'es'}`, `${s.targets.size} call target${s.targets.size === 1 ? '' : 's'}`];
  if (dispatched > 0) parts.push(`${dispatched} dispatched call${dispatched === 1 ? '' : 's'}`);
  if (s.stress) parts.push('stress');
  return parts.join(', ');
}

// Which modules compiled on the program's thread get the wasm number-text
// helpers (the compiler thread's always do) (strings.ts,
// WASM_NUMBER_HELPERS: fixed, str(f64), parse_f64) and which the JavaScript
// ones. The wasm module is built on first use, a few milliseconds of the
// program's thread (V8 compiles its f64 code, and its builder runs cold), which
// only code that formats or parses numbers over and over pays back: a program
// that prints a result with `fixed` once at the end (nbody) would pay it for
// one call. So a function gets the wasm helpers only when a loop in it may
// reach such an operation: one in the loop itself, or in a function a call in
// the loop makes, directly or further down (a callee may be inlined there; a
// call through a function value may reach any function). The answer does not
// change the result of any operation: both helpers give the same text and
// value (tests/unit/strings-wasm.test.mjs).
//
// Must stay true: the ops listed in NUMBER_OPS are exactly those whose helper
// is one of WASM_NUMBER_HELPERS.

import { Op, OP_INFO, instrLength } from '../../bytecode/opcodes.js';
import type { BcFunction, BcModule } from '../../bytecode/module.js';
import { buildCfg, loopBlocks } from '../cfg.js';
import { WASM_NUMBER_HELPERS } from './strings.js';

const NUMBER_HELPERS = new Set<string>(WASM_NUMBER_HELPERS);

function isNumberText(op: Op): boolean {
  const h = OP_INFO[op].helper;
  return h !== undefined && NUMBER_HELPERS.has(h);
}

/** For one module: which functions may reach number text, by calls. */
export class NumberSites {
  /** Per function: it, or a function it calls (through CALL, or any function
   *  through CALLV), formats or parses numbers. */
  private readonly reaches: boolean[];

  /** inLoop's answers, by function (a function is compiled up to three times:
   *  tier 1, its OSR entries, tier 2). */
  private readonly memo: (boolean | undefined)[] = [];

  constructor(mod: BcModule) {
    // Reaching spreads from the functions with such an operation to their
    // callers, each function visited once (a long chain of calls stays linear).
    const fns = mod.functions;
    const reaches = fns.map((f) => someOp(f, isNumberText));
    const any = reaches.some((x) => x);
    const callers: number[][] = fns.map(() => []);
    const work: number[] = [];
    for (const f of fns) {
      someOp(f, (op, pc) => {
        if (op === Op.CALL) callers[f.code[pc + 1]!]!.push(f.index);
        // A function value may be any function.
        else if (op === Op.CALLV && any && !reaches[f.index]) reaches[f.index] = true;
        return false;
      });
      if (reaches[f.index]) work.push(f.index);
    }
    while (work.length > 0) {
      for (const c of callers[work.pop()!]!) {
        if (!reaches[c]) { reaches[c] = true; work.push(c); }
      }
    }
    this.reaches = reaches;
  }

  /** Whether a loop of fn may reach number text (see the file comment). */
  inLoop(fn: BcFunction): boolean {
    return this.memo[fn.index] ??= this.reaches[fn.index]! && this.loopReaches(fn);
  }

  private loopReaches(fn: BcFunction): boolean {
    const cfg = buildCfg(fn, 0);
    for (const h of cfg.blocks) {
      if (!h.isLoopHeader) continue;
      for (const id of loopBlocks(cfg, h.id)) {
        const b = cfg.blocks[id]!;
        for (let pc = b.start; pc <= b.last; pc += instrLength(fn.code[pc] as Op)) {
          const op = fn.code[pc] as Op;
          if (isNumberText(op) || op === Op.CALLV || (op === Op.CALL && this.reaches[fn.code[pc + 1]!])) return true;
        }
      }
    }
    return false;
  }
}

function someOp(fn: BcFunction, test: (op: Op, pc: number) => boolean): boolean {
  for (let pc = 0; pc < fn.code.length; pc += instrLength(fn.code[pc] as Op)) if (test(fn.code[pc] as Op, pc)) return true;
  return false;
}

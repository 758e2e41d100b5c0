// Entering OSR code, and entering it again when it left its loop (OSR exits).
//
// OSR code compiled with exits (jit/wasm/lower.ts, LowerEnv.osrExits) counts its
// back-edges. Once cells[OSR_BUDGET] of them are taken, at the next back-edge
// to one of its outermost loop headers it stores its registers into the frame,
// as the interpreter's frame holds them at that header, sets the cell to -1 -
// the header's pc and returns. The same code can be entered at any of those
// headers (its second parameter), so it is entered again there and goes on
// where it left, through whatever code the host made for it since: a host
// that first compiles wasm with a baseline compiler (V8's Liftoff, as embedded
// and in browsers) optimizes a function that runs long, but only its later
// calls run the optimized code, and a loop entered by OSR is one call.
//
// The budget adapts so that exits come about every EXIT_MS, plus a 32nd of the
// time the frame has run so far: an exit costs a few microseconds, well under
// 1%, and optimized code is taken up a millisecond or so after the host made
// it (later in a loop that has run long, by at most about 3% of its time).
// Code without exits (the js backend's, and wasm optimized when compiled, as
// the command line asks V8 for) leaves the cell as it was: positive.
//
// Invariant: the cell is negative only between an exit and this loop's test of
// it (an exit returns straight here), so an entry nested in the loop (an
// extern calling back into the guest) sets and reads its own budget.

import type { Runtime } from './runtime.js';
import { OSR_BUDGET_WORD } from './runtime.js';
import { nowMs } from './clock.js';
import type { OsrEntry } from './tiering.js';

/** Back-edges before the first exit: few, so that a loop whose iterations are
 *  long still leaves early; the budget doubles while exits come too often. */
const FIRST_BUDGET = 256;
const MAX_BUDGET = 2 ** 30;
/** The time between exits aimed at, at least (ms). */
const EXIT_MS = 1;

/** Run the frame at fp from loop header pc in OSR code `entry` until it
 *  returns, entering the code again each time it leaves its loop. Returns
 *  what the entry returned. */
export function enterOsr(rt: Runtime, entry: OsrEntry, fp: number, pc: number): number {
  const stress = rt.osrExitStress;
  const start = nowMs();
  let budget = stress ? 1 : FIRST_BUDGET, last = start;
  for (;;) {
    rt.mem.i32[OSR_BUDGET_WORD] = budget;
    const r = entry(fp, pc);
    const left = rt.mem.i32[OSR_BUDGET_WORD]!;
    if (left >= 0) return r;
    pc = -1 - left;
    rt.osrExits++;
    if (stress) continue;
    const now = nowMs(), since = now - last, aim = EXIT_MS + (now - start) / 32;
    last = now;
    if (since < aim / 2) budget = Math.min(budget * 2, MAX_BUDGET);
    else if (since > aim * 2 && budget > 1) budget >>= 1;
  }
}

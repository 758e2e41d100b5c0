// Runtime errors of guest programs and the guest stack trace.
//
// A Trap is thrown by any tier or helper for a guest runtime error; it carries the
// contract's message only. The tier that catches it knows where the innermost
// frame stopped and calls guestTrace, which walks the frame chain in linear
// memory (the same headers for every tier); errorReport prints it as the
// contract says, `runtime error: MESSAGE` and `  at FN (FILE:LINE)` lines.
// A Trap is a plain object, not an Error: it captures no host stack.

import { frameFn, callerFpOf, resumePcOf } from './frames.js';
import { printable } from '../text.js';
import type { BcModule } from '../bytecode/module.js';

export class Trap {
  constructor(readonly message: string) {}
}

/** The message of a frame that does not fit (its trace is bounded apart:
 *  OVERFLOW_TRACE_FULL). */
export const STACK_OVERFLOW = 'stack overflow';

export { isHostStackOverflow } from '../host-errors.js';

/** The innermost frame and position where a trap happened. */
export interface FaultSite { fn: number; pc: number; fp: number }

/** A trap with the place it happened: what ends a guest program with a runtime
 *  error. Thrown by the tier that knows the site; passes unchanged through every
 *  other tier's frames. */
export class GuestFault {
  constructor(readonly trap: Trap, readonly site: FaultSite) {}
}

/** Stack overflow on entering the frame at fp (or somewhere above it): reported
 *  at its caller's call, as the interpreter reports a call that does not fit
 *  (or `trap`, what making the next frame-stack segment raised instead). */
export function stackOverflowAt(i32: Int32Array, fp: number, trap = new Trap(STACK_OVERFLOW)): GuestFault {
  const callerFp = callerFpOf(i32, fp);
  if (callerFp < 0) return new GuestFault(trap, { fn: frameFn(i32, fp), pc: 0, fp });
  return new GuestFault(trap, { fn: frameFn(i32, callerFp), pc: resumePcOf(i32, fp) - 1, fp: callerFp });
}

/** A trace of at most this many frames shows every one (LANGUAGE.md: one line
 *  per guest frame), whatever the depth at which the program failed. Deeper,
 *  which only a frame stack raised far above the default holds, it shows
 *  TRACE_HEAD frames before the elided middle and TRACE_TAIL after it, so that
 *  a report stays a bounded size (a million lines is about 30 MB of text). */
const TRACE_FULL = 1_000_000;
/** The same bound for a stack overflow's trace. Its depth is the frame stack's
 *  size, not a depth the program chose (about 210,000 frames of the default 8 MiB),
 *  and its frames repeat the recursion that did not end: its middle is elided
 *  from this depth on, so the report stays readable at a terminal. */
const OVERFLOW_TRACE_FULL = 10_000;
const TRACE_HEAD = 50;
const TRACE_TAIL = 10;

/** One guest frame of a stack trace: the function and the line it was at. */
export interface TraceFrame { function: string; file: string; line: number }

/** A guest stack trace, innermost frame first. One deeper than its bound keeps only its
 *  first TRACE_HEAD and last TRACE_TAIL frames: `omitted` frames were left out
 *  between frames[TRACE_HEAD - 1] and frames[TRACE_HEAD]. */
export interface GuestTrace { frames: TraceFrame[]; omitted: number }

/** The trace from `site` down the chain of caller frames in memory (through host
 *  entries, to the outermost guest frame), of the error with message `fault`
 *  (none for an embedder's exception crossing the guest). */
export function guestTrace(mod: BcModule, i32: Int32Array, site: FaultSite, fault = ''): GuestTrace {
  const frames: { fn: number; pc: number }[] = [];
  let fn = site.fn, pc = site.pc, fp = site.fp;
  for (;;) {
    frames.push({ fn, pc });
    const callerFp = callerFpOf(i32, fp);
    if (callerFp < 0) break;
    pc = resumePcOf(i32, fp) - 1;  // inside the call instruction
    fp = callerFp;
    fn = frameFn(i32, fp);
  }
  const frame = (f: { fn: number; pc: number }): TraceFrame => {
    const bf = mod.functions[f.fn]!;
    return { function: bf.name, file: mod.file, line: f.pc >= 0 && f.pc < bf.lines.length ? bf.lines[f.pc]! : bf.line };
  };
  if (frames.length <= (fault === STACK_OVERFLOW ? OVERFLOW_TRACE_FULL : TRACE_FULL)) return { frames: frames.map(frame), omitted: 0 };
  const kept = [...frames.slice(0, TRACE_HEAD), ...frames.slice(frames.length - TRACE_TAIL)];
  return { frames: kept.map(frame), omitted: frames.length - TRACE_HEAD - TRACE_TAIL };
}

/** One `  at FN (FILE:LINE)` line per frame, and one for the frames left out. */
export function traceLines(t: GuestTrace): string[] {
  const lines = t.frames.map((f) => `  at ${f.function} (${f.file}:${f.line})`);
  if (t.omitted > 0) lines.splice(TRACE_HEAD, 0, `  ... ${t.omitted} more frames`);
  return lines;
}

/** A runtime error as the command line prints it: `runtime error: MESSAGE`
 *  (its control characters shown as U+FFFD: a `panic` text must not forge a
 *  trace line), then the trace's lines, each line ending in a newline. */
export function errorReport(message: string, trace: GuestTrace | null): string {
  return `runtime error: ${printable(message)}\n${trace === null ? '' : traceLines(trace).map((l) => l + '\n').join('')}`;
}

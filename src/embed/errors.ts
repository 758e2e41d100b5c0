// What the embedding API hands back when something goes wrong, as values a host
// can inspect rather than text it must parse:
//   - TierDiagnostic: one compile error of load() (LoadResult.errors);
//   - TierRuntimeError: a guest runtime error during call() (or a nested call),
//     with the contract's message, the guest frames, and the report text exactly
//     as the command line prints it;
//   - an embedder's own exception (thrown by an extern or an output callback)
//     comes back as itself, with the guest trace attached (attachTrace).
//
// What must stay true: `message` is the LANGUAGE.md message alone (`division by
// zero`), `text` is `runtime error: MESSAGE` and one `  at FN (FILE:LINE)` line per
// frame, innermost first, each line ending in a newline — byte for byte what
// `tiervm run` writes to stderr for the same fault.

import { errorReport, traceLines, type GuestTrace, type TraceFrame } from '../runtime/errors.js';

export type { TraceFrame } from '../runtime/errors.js';

/** One compile error: where, what, and its text as the command line prints it
 *  (`FILE:LINE:COL: error: MESSAGE`, the source line, the caret). */
export interface TierDiagnostic {
  file: string;
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  message: string;
  text: string;
}

export class TierRuntimeError extends Error {
  /** The guest frames, innermost first. In a stack overflow's trace of more
   *  than 10,000 frames, or any of more than a million, only the first 50 and
   *  last 10 are kept; `framesOmitted` were left out between them. */
  readonly frames: TraceFrame[];
  readonly framesOmitted: number;
  /** The report as the command line prints it. An own property like the
   *  others, made when first read (a trace may have a line for each of up to
   *  a million frames). */
  declare readonly text: string;

  constructor(message: string, trace: GuestTrace | null) {
    super(message);
    this.name = 'TierRuntimeError';
    this.frames = trace?.frames ?? [];
    this.framesOmitted = trace?.omitted ?? 0;
    let report: string | null = null;
    Object.defineProperty(this, 'text', {
      enumerable: true, configurable: true,
      get: () => (report ??= errorReport(message, trace)),
    });
  }
}

/** Give the embedder's exception the guest trace of where it crossed the guest:
 *  `tierFrames` (as TierRuntimeError.frames) and `guestTrace` (the `  at ...`
 *  lines), where the value can take properties (a primitive, a frozen object or
 *  a proxy that refuses goes back unchanged). */
export function attachTrace(value: unknown, trace: GuestTrace): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return;
  const define = (key: string, v: unknown) => {
    try {
      Reflect.defineProperty(value, key, { value: v, writable: true, enumerable: true, configurable: true });
    } catch { /* a proxy that throws: the exception still goes back unchanged */ }
  };
  define('guestTrace', traceLines(trace));
  define('tierFrames', trace.frames);
}

// Compile-time diagnostics: how they are collected and their text form (the format
// is part of the contract):
//
//   FILE:LINE:COL: error: MESSAGE
//   <the source line, cut around the caret when long>
//   <spaces up to COL-1, tabs kept as tabs>^
//     did you mean 'NAME'?          (a hint, when there is one: suggest.ts)
//
// and after the last one a summary line: `N errors` (`1 error`) when all are shown.
//
// Lines and columns are 1-based; columns count UTF-16 code units. Messages are short,
// lower case and name the offending thing in quotes. Formatting is pure: it never
// changes the diagnostics, and sorting is stable (same position keeps report order).
//
// What must stay true: the output is bounded whatever the input. At most
// MAX_REPORTED_ERRORS diagnostics are shown (the first ones in source order), then
// one summary line `error: too many errors (N more not shown)` instead of the count.
// Neither summary line nor a hint line (indented) has a `FILE:LINE:COL:` prefix, so
// no tool takes one for one more error whatever the file is called. Hints are
// computed only for the diagnostics kept, at most MAX_HINTS per list. A quoted
// source line longer than MAX_LINE_SHOWN keeps only EXCERPT_CONTEXT code units
// around the caret, with `...` marking each cut, and a message is cut at
// MAX_MESSAGE. Collecting and formatting take time linear in the
// source: no work per error is proportional to the source or to its line.

import { printable } from '../text.js';

export { printable };

export interface Diagnostic {
  line: number;
  col: number;
  message: string;
  /** A line shown indented under the caret, such as `did you mean 'count'?`. */
  hint?: string;
}

/** Computes a diagnostic's hint; called only if the diagnostic is kept. */
export type HintFn = () => string | undefined;

/** The contract asks for at least 100 errors before a summary line may end the list. */
export const MAX_REPORTED_ERRORS = 100;
/** Source lines up to this many code units are quoted whole. */
const MAX_LINE_SHOWN = 120;
/** Code units of a long line kept around the caret (before and after it together). */
const EXCERPT_CONTEXT = 100;
/** How much of the excerpt comes before the caret. */
const CONTEXT_BEFORE = 60;
/** Messages quote source text (names, types, tokens); this bounds what one may add. */
const MAX_MESSAGE = 300;
const CUT = '...';
/** Hints computed per list at most: each costs bounded work (suggest.ts), and a
 *  list keeps a few hundred diagnostics at most before the rest are dropped. */
const MAX_HINTS = 4 * MAX_REPORTED_ERRORS;

/** Sorts by line, then column; diagnostics at the same position keep their order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(byPosition);
}

function byPosition(a: Diagnostic, b: Diagnostic): number { return a.line - b.line || a.col - b.col; }

/**
 * The diagnostics of one stage. Only the first MAX_REPORTED_ERRORS in source order
 * can ever be shown, so only those are kept (a megabyte of stray characters must
 * not become a million objects); the rest are only counted. Stages report in
 * nearly source order, so the list is trimmed now and then (sort, stable, and keep
 * the first ones), and once it is full a report past its last one is dropped at
 * once. Keeping the first N of each stage is enough for the first N of all stages
 * together.
 */
export class DiagnosticList {
  private kept: Diagnostic[] = [];
  /** When MAX_REPORTED_ERRORS are kept: the last of them in source order. */
  private last: Diagnostic | null = null;
  /** Every diagnostic reported, kept or not. */
  count = 0;

  /** Hints computed so far (at most MAX_HINTS). */
  private hints = 0;

  add(line: number, col: number, message: string, hint?: HintFn): void {
    this.count++;
    const last = this.last;
    // At the same position as the last kept one it would sort after it: dropped too.
    if (last && (line > last.line || (line === last.line && col >= last.col))) return;
    const d: Diagnostic = { line, col, message };
    if (hint && this.hints < MAX_HINTS) {
      this.hints++;
      const text = hint();
      if (text !== undefined) d.hint = text;
    }
    this.kept.push(d);
    if (this.kept.length >= 2 * MAX_REPORTED_ERRORS) this.trim();
  }

  /** The first diagnostics in source order (at most MAX_REPORTED_ERRORS). */
  items(): Diagnostic[] {
    this.trim();
    return this.kept.slice();
  }

  private trim(): void {
    this.kept.sort(byPosition);
    if (this.kept.length < MAX_REPORTED_ERRORS) return;
    this.kept.length = MAX_REPORTED_ERRORS;
    this.last = this.kept[MAX_REPORTED_ERRORS - 1]!;
  }
}

/** The first diagnostics of several stages in source order, and how many were left out. */
export function firstDiagnostics(lists: readonly { items: readonly Diagnostic[]; count: number }[]): { shown: Diagnostic[]; omitted: number } {
  const all = sortDiagnostics(lists.flatMap((l) => l.items));
  const total = lists.reduce((n, l) => n + l.count, 0);
  const shown = all.slice(0, MAX_REPORTED_ERRORS);
  return { shown, omitted: total - shown.length };
}

/**
 * The safety net under MAX_NESTING (parser.ts): the parser and the checker stay
 * far inside a 1 MB host stack at the limit, but an embedder may call them on a
 * much smaller one. They catch the host's stack overflow (isHostStackOverflow)
 * and report it as one error at the construct they were in, never as a crash.
 */
export { isHostStackOverflow } from '../host-errors.js';
export const HOST_STACK_MESSAGE = "nesting too deep for this thread's host stack";

/** Quoted source text in a message, cut when long (a token may be a megabyte string). */
export function clip(text: string, max = 40): string {
  if (text.length <= max) return text;
  return text.slice(0, isLowSurrogateAt(text, max) ? max - 1 : max) + CUT;
}

/**
 * Every diagnostic given, in source order, each as three lines (and its hint
 * line), then one summary line: the count, or how many more were left out when
 * `omitted` is not 0. Nothing at all for no diagnostics. Lines (`\n` or `\r\n`
 * ends them) are found by one forward scan of the source.
 */
export function formatDiagnostics(file: string, source: string, diagnostics: readonly Diagnostic[], omitted = 0): string {
  return formatEach(file, source, sortDiagnostics(diagnostics)).join('') + summaryLine(diagnostics.length, omitted);
}

/** The text of each diagnostic (already in source order), as formatDiagnostics
 *  writes it, in one forward scan of the source. */
export function formatEach(file: string, source: string, sorted: readonly Diagnostic[]): string[] {
  const lines = new LineScanner(source);
  return sorted.map((d) => {
    const { start, end } = lines.find(d.line);
    return formatAt(file, d, source, start, end);
  });
}

/** The line that ends a list: `2 errors` when every one of the `shown` errors is
 *  shown; the too-many line when `omitted` more are not ('' for no errors). */
export function summaryLine(shown: number, omitted: number): string {
  if (omitted > 0) return `error: too many errors (${omitted} more not shown)\n`;
  if (shown === 0) return '';
  return shown === 1 ? '1 error\n' : `${shown} errors\n`;
}

/** The header, the (cut) source line text[start..end), the caret and the hint. */
function formatAt(file: string, d: Diagnostic, text: string, start: number, end: number): string {
  const ex = excerpt(text, start, end, d.col);
  const hint = d.hint === undefined ? '' : `  ${clip(d.hint, MAX_MESSAGE)}\n`;
  return `${file}:${d.line}:${d.col}: error: ${printable(clip(d.message, MAX_MESSAGE))}\n${ex.line}\n${ex.caret}\n${hint}`;
}

/** The source line (or the part of it around the caret) and the caret line under
 *  it: the line's tabs kept, every other character a space. */
function excerpt(text: string, start: number, end: number, col: number): { line: string; caret: string } {
  const caretAt = Math.min(start + Math.max(col - 1, 0), end);
  let from = start, to = end;
  if (end - start > MAX_LINE_SHOWN) {
    from = Math.max(start, caretAt - CONTEXT_BEFORE);
    to = Math.min(end, from + EXCERPT_CONTEXT);
    from = Math.max(start, to - EXCERPT_CONTEXT);
    // Never split a surrogate pair (half a character prints as a replacement).
    if (from > start && isLowSurrogateAt(text, from)) from += from < caretAt ? 1 : -1;
    if (to < end && isLowSurrogateAt(text, to)) to += to > caretAt + 1 ? -1 : 1;
  }
  const before = from > start ? CUT : '';
  const after = to < end ? CUT : '';
  let pad = ' '.repeat(before.length);
  for (let i = from; i < caretAt; i++) pad += text[i] === '\t' ? '\t' : ' ';
  return { line: before + printable(text.slice(from, to)) + after, caret: pad + '^' };
}

function isLowSurrogateAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i), p = text.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && p >= 0xd800 && p <= 0xdbff;
}

/** Finds lines by number, scanning forward from the last one found (diagnostics
 *  come sorted, so one pass over the source serves them all). */
class LineScanner {
  private line = 1;
  private start = 0;
  /** End of the current line, once found (several errors may share a long line). */
  private end = -1;

  constructor(private readonly source: string) {}

  /** Offsets of line `n` without its terminator; past the last line, an empty line at the end. */
  find(n: number): { start: number; end: number } {
    const src = this.source;
    if (n < this.line) { this.line = 1; this.start = 0; this.end = -1; }
    while (this.line < n) {
      const nl = this.end >= 0 ? this.end : lineEnd(src, this.start);
      if (nl >= src.length) return { start: src.length, end: src.length };
      this.start = nl + 1;
      this.end = -1;
      this.line++;
    }
    if (this.end < 0) this.end = lineEnd(src, this.start);
    const end = this.end > this.start && src.charCodeAt(this.end - 1) === 13 ? this.end - 1 : this.end;
    return { start: this.start, end };
  }
}

/** The offset of the `\n` ending the line that starts at `start`, or the source's length. */
function lineEnd(src: string, start: number): number {
  const nl = src.indexOf('\n', start);
  return nl < 0 ? src.length : nl;
}

// Program input for `read_line()`: standard input as lines.
//
// A LineInput pulls text from a chunk source (the embedder's whole input string,
// or the command line's reads of file descriptor 0) only when the program asks
// for a line, so a program that never reads never touches stdin. Lines end at
// `\n`; a `\r` before it is dropped (`\r\n`); a last line without a terminator is
// still a line; after the last line, every read gives null (end of input).
// Decoding UTF-8 is the source's job (it hands over strings). Before each piece
// it asks for, a reader may be given a check (the run's interrupt flag and
// deadline): a source that keeps handing over empty pieces, or a slow one, can
// then still be stopped by the limits the run was given.

import { Trap } from './errors.js';

/** Gives the next piece of input text, or null at the end of input. */
export type ChunkSource = () => string | null;

export class LineInput {
  private pending = '';
  private ended = false;
  /** The longest line a program could hold as a string (set from the heap's
   *  size): input past it without a line end is `out of memory`, so an endless
   *  line (`< /dev/zero`) cannot exhaust the host. */
  maxLineUnits = Number.MAX_SAFE_INTEGER;

  constructor(private readonly next: ChunkSource) {}

  /** An input that is the whole of `text`. */
  static fromText(text: string): LineInput {
    let given = false;
    return new LineInput(() => { if (given) return null; given = true; return text; });
  }

  /** An input with no lines at all. */
  static empty(): LineInput { return new LineInput(() => null); }

  /** The next line without its terminator, or null at the end of input.
   *  `beforePiece` runs before each piece is asked for, and may throw. */
  readLine(beforePiece?: () => void): string | null {
    let nl = this.pending.indexOf('\n');
    while (nl < 0 && !this.ended) {
      beforePiece?.();
      const chunk = this.next();
      if (chunk === null) { this.ended = true; break; }
      // Search the new piece only: pending text is known to hold no line end
      // (searching it again would make a long line cost its length squared).
      const inChunk = chunk.indexOf('\n');
      // (One unit more: it may be the `\r` of a `\r\n`, dropped; checked below.)
      if (this.pending.length + (inChunk < 0 ? chunk.length : inChunk) > this.maxLineUnits + 1) throw new Trap('out of memory');
      nl = inChunk < 0 ? -1 : this.pending.length + inChunk;
      this.pending += chunk;
    }
    // A line past the cap, however its pieces came (one piece may hold it whole).
    const units = nl < 0 ? this.pending.length : nl > 0 && this.pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    if (units > this.maxLineUnits) throw new Trap('out of memory');
    if (nl < 0) {
      if (this.pending === '') return null;
      const last = this.pending;
      this.pending = '';
      return last;
    }
    const line = this.pending.slice(0, nl);
    this.pending = this.pending.slice(nl + 1);
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }
}

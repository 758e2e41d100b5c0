// Program input for `read_line()`: standard input as lines.
//
// A LineInput pulls text from a chunk source (the embedder's whole input string,
// or the command line's reads of file descriptor 0) only when the program asks
// for a line, so a program that never reads never touches stdin. Lines end at
// `\n`; a `\r` before it is dropped (`\r\n`); a last line without a terminator is
// still a line; after the last line, every read gives null (end of input).
// Decoding UTF-8 is the source's job (it hands over strings).

/** Gives the next piece of input text, or null at the end of input. */
export type ChunkSource = () => string | null;

export class LineInput {
  private pending = '';
  private ended = false;

  constructor(private readonly next: ChunkSource) {}

  /** An input that is the whole of `text`. */
  static fromText(text: string): LineInput {
    let given = false;
    return new LineInput(() => { if (given) return null; given = true; return text; });
  }

  /** An input with no lines at all. */
  static empty(): LineInput { return new LineInput(() => null); }

  /** The next line without its terminator, or null at the end of input. */
  readLine(): string | null {
    let nl = this.pending.indexOf('\n');
    while (nl < 0 && !this.ended) {
      const chunk = this.next();
      if (chunk === null) { this.ended = true; break; }
      const from = this.pending.length;
      this.pending += chunk;
      nl = this.pending.indexOf('\n', from);
    }
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

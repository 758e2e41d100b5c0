// Buffered program output. Text collects in memory and goes to the sink when the
// buffer is large, when the program ends, before any diagnostic is written, and
// before every extern call (externs.ts), so output written before an error or a
// host call always appears before what they write (and is never lost).
// The buffer is emptied before the sink is called: if the sink throws (a closed
// pipe, an embedder's callback), the text is not offered to it twice.

const FLUSH_AT = 1 << 16;

export class Output {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly sink: (text: string) => void) {}

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.sink(text);
  }
}

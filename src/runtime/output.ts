// Buffered program output. Text collects in memory and goes to the sink when the
// buffer is large, when the program ends, before any diagnostic is written, and
// before every extern call (externs.ts), so output written before an error or a
// host call always appears before what they write (and is never lost).
// The buffer is emptied before the sink is called: if the sink throws (a closed
// pipe, an embedder's callback), the text is not offered to it twice. With
// flushMs > 0 (an embedder that shows output while a long program runs, such as
// the playground), a write also flushes once that many milliseconds passed since
// the last flush.

const FLUSH_AT = 1 << 16;

export class Output {
  private parts: string[] = [];
  private size = 0;

  private lastFlush = 0;

  constructor(private readonly sink: (text: string) => void, private readonly flushMs = 0) {}

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT || (this.flushMs > 0 && performance.now() - this.lastFlush >= this.flushMs)) this.flush();
  }

  flush(): void {
    if (this.flushMs > 0) this.lastFlush = performance.now();
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.sink(text);
  }
}

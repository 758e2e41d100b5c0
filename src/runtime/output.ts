// Buffered program output. Text collects in memory and goes to the sink when the
// buffer is large, when the program ends, before any diagnostic is written, and
// before every extern call (externs.ts), so output written before an error or a
// host call always appears before what they write (and is never lost).
// The buffer is emptied before the sink is called: if the sink throws (a closed
// pipe, an embedder's callback), the text is not offered to it twice. With
// flushMs > 0 (an embedder that shows output while a long program runs, such as
// the playground; the command line), a write also flushes once that many
// milliseconds passed since the last flush: the clock is read at the first
// write after a flush and at every CLOCK_EVERY-th write (reading it at every
// write cost a loop printing 3 million numbers 65% of its time). The clock is
// the runtime's (clock.ts): `performance.now()` made node load perf_hooks, 3 ms
// of the command line's start-up under --tier=jit. Line-buffered (a
// terminal), a write that ends a line flushes.
//
// The buffer is of UTF-16 code units, written in place: a print of an i32 or
// of a guest string makes no host string (the guest's units are copied from
// linear memory), and a flush makes one string of the lot. Printing a million
// lines made about three million short host strings before, whose collection
// by V8 took more time than the printing. What must stay true: the sink gets
// exactly the code units printed, in order (lone surrogates included).

import { nowMs } from './clock.js';

/** Code units the buffer holds at most; a flush once it is this full. */
const FLUSH_AT = 1 << 16;
/** Code units of a new buffer: it doubles up to FLUSH_AT as output comes (an
 *  embedder may keep hundreds of programs, most of which print little). */
const FIRST_SIZE = 256;
/** Code units one String.fromCharCode call is given at most. */
const CHUNK = 8192;
/** With flushMs, the clock is read at every this-many-th write (and at the
 *  first write after a flush). */
const CLOCK_EVERY = 16;

export class Output {
  private buf = new Uint16Array(FIRST_SIZE);
  private size = 0;

  private lastFlush = -Infinity;
  /** Writes left before the clock is read (flushMs > 0). */
  private clockIn = 1;

  constructor(private readonly sink: (text: string) => void, private readonly flushMs = 0, private readonly lineBuffered = false) {}

  /** Host text, then a newline if `nl`. */
  write(text: string, nl = false): void {
    const n = text.length;
    if (n > FLUSH_AT - 1) {
      this.sink(this.heldBack() + (nl ? text + '\n' : text));
      return this.written(false);
    }
    this.room(n + 1);
    const buf = this.buf;
    let at = this.size;
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    if (nl) buf[at++] = 10;
    this.size = at;
    this.written(nl || (this.lineBuffered && text.includes('\n')));
  }

  /** An i32 in decimal, then a newline if `nl`. */
  writeInt(x: number, nl: boolean): void {
    this.room(12);
    const buf = this.buf;
    let at = this.size;
    if (x < 0) { buf[at++] = 45; x = -x; }   // -2^31 stays exact as a double
    const start = at;
    do { buf[at++] = 48 + (x % 10); x = Math.floor(x / 10); } while (x > 0);
    for (let i = start, j = at - 1; i < j; i++, j--) { const t = buf[i]!; buf[i] = buf[j]!; buf[j] = t; }
    if (nl) buf[at++] = 10;
    this.size = at;
    this.written(nl);
  }

  /** `len` code units of `units` from index `base`, then a newline if `nl`. */
  writeUnits(units: Uint16Array, base: number, len: number, nl: boolean): void {
    if (len > FLUSH_AT - 1) {
      let text = this.heldBack();
      for (let i = 0; i < len; i += CHUNK) text += String.fromCharCode.apply(null, units.subarray(base + i, base + Math.min(len, i + CHUNK)) as unknown as number[]);
      this.sink(nl ? text + '\n' : text);
      return this.written(false);
    }
    this.room(len + 1);
    const buf = this.buf;
    let at = this.size;
    if (len < 64) for (let i = base; i < base + len; i++) buf[at++] = units[i]!;   // no view made
    else { buf.set(units.subarray(base, base + len), at); at += len; }
    if (nl) buf[at++] = 10;
    this.size = at;
    this.written(nl || (this.lineBuffered && units.subarray(base, base + len).includes(10)));
  }

  /** Deliver what is buffered. `whole` false (a flush while the program goes
   *  on) keeps back a last unit that is the first half of a surrogate pair,
   *  for the write that brings the second: no delivery but the last ends
   *  inside a pair (a sink that encodes each piece as UTF-8, as the command
   *  line's does, would write U+FFFD for each half of an emoji printed as two
   *  chr() calls). */
  flush(whole = true): void {
    if (this.flushMs > 0) { this.lastFlush = nowMs(); this.clockIn = 1; }
    const size = this.size;
    const n = !whole && size > 0 && (this.buf[size - 1]! & 0xfc00) === 0xd800 ? size - 1 : size;
    if (n === 0) return;
    let text = '';
    for (let i = 0; i < n; i += CHUNK) text += String.fromCharCode.apply(null, this.buf.subarray(i, Math.min(n, i + CHUNK)) as unknown as number[]);
    if (n < size) this.buf[0] = this.buf[n]!;
    this.size = size - n;
    this.sink(text);
  }

  /** Before a write too long for the buffer, sent on its own: what the buffer
   *  holds, delivered but for a held-back first half of a pair, returned to
   *  go first in that write. */
  private heldBack(): string {
    this.flush(false);
    if (this.size === 0) return '';
    this.size = 0;
    return String.fromCharCode(this.buf[0]!);
  }

  /** Room for `units` more code units (at most FLUSH_AT): a larger buffer
   *  while it is under FLUSH_AT, else a flush. */
  private room(units: number): void {
    const need = this.size + units;
    if (need <= this.buf.length) return;
    if (need > FLUSH_AT) {
      this.flush(false);
      if (this.size + units > FLUSH_AT) this.flush();
      if (this.size + units <= this.buf.length) return;
    }
    const grown = new Uint16Array(Math.min(FLUSH_AT, Math.max(this.buf.length * 2, this.size + units)));
    grown.set(this.buf.subarray(0, this.size));
    this.buf = grown;
  }

  /** After a write (`endsLine`: it wrote a newline). */
  private written(endsLine: boolean): void {
    if (this.size >= FLUSH_AT - 64 || (endsLine && this.lineBuffered)) return this.flush(false);
    if (this.flushMs > 0 && --this.clockIn <= 0) {
      this.clockIn = CLOCK_EVERY;
      if (nowMs() - this.lastFlush >= this.flushMs) this.flush(false);
    }
  }
}

// The embedder's standard streams as one instance of a program sees them: its
// stdout and stderr callbacks and its stdin, guarded so that whatever they throw
// becomes a HostFault (externs.ts) that no tier mistakes for its own.
//
// A fault is noted once per host entry (a run() or an outermost call()): the
// entry throws the embedder's exception back when it ends, even if some layer
// swallowed it on the way (a backend takes any exception while compiling for a
// failed compile), and every later write in the same entry throws it again.
// reset() starts the next entry afresh.
//
// While one of these callbacks (or onTierEvent, instance.ts) runs, the guest is
// stopped wherever it wrote, read or changed tier, not at a call the way an
// extern stops it: `callback` names the one running, and the program refuses
// to be entered, run or disposed from it (vm.ts; only an extern calls back in).

import { HostFault } from '../runtime/externs.js';
import { LineInput } from '../runtime/input.js';

export type Sink = (text: string) => void;

/** The host's standard streams: process.stdout/stderr under Node, the console
 *  elsewhere (a browser or worker, where `process` does not exist, or is a
 *  page's partial stand-in, `{ env: {...} }`, with no streams: only a stream
 *  that can be written counts). */
type Stream = { write(t: string): unknown };
type NodeLike = { process?: { stdout?: Partial<Stream>; stderr?: Partial<Stream> } };
const host = globalThis as NodeLike;
function nodeStream(name: 'stdout' | 'stderr'): Stream | null {
  const s = host.process?.[name];
  return typeof s?.write === 'function' ? s as Stream : null;
}
export function defaultOut(text: string): void { const s = nodeStream('stdout'); if (s !== null) s.write(text); else console.log(text.replace(/\n$/, '')); }
export function defaultErr(text: string): void { const s = nodeStream('stderr'); if (s !== null) s.write(text); else console.error(text.replace(/\n$/, '')); }

export class HostIo {
  /** The first fault of the current entry (null: none). */
  fault: HostFault | null = null;
  readonly stdout: Sink;
  readonly stderr: Sink;
  readonly stdin: LineInput;
  /** Counts entries: a sink's fault stands for the entry it happened in. */
  private entry = 0;
  /** The embedder's callback running now ('stdout', 'stderr', 'stdin',
   *  'onTierEvent'); null when none is. */
  callback: string | null = null;

  constructor(out: Sink, err: Sink, stdin: string | (() => string | null) | undefined) {
    this.stdout = this.guardedSink(out, 'stdout');
    this.stderr = this.guardedSink(err, 'stderr');
    this.stdin = stdin === undefined ? LineInput.empty()
      : typeof stdin === 'string' ? LineInput.fromText(stdin) : new LineInput(this.guardedSource(stdin));
  }

  /** A new host entry begins. */
  reset(): void { this.fault = null; this.entry++; }

  note(f: HostFault): void { this.fault ??= f; }

  /** An output callback whose exception becomes a HostFault (noted; every later
   *  write of the same entry throws it again, so a fault swallowed on the way
   *  still stops the program at its next write). */
  private guardedSink(sink: Sink, name: string): Sink {
    let failed: HostFault | null = null;
    let failedIn = -1;
    return (text) => {
      if (failed !== null && failedIn === this.entry) throw failed;
      const was = this.callback;
      this.callback = name;
      try {
        sink(text);
      } catch (e) {
        failed = e instanceof HostFault ? e : new HostFault(e, null);
        failedIn = this.entry;
        throw this.fail(failed);
      } finally {
        this.callback = was;
      }
    };
  }

  /** The embedder's stdin function, guarded like the output callbacks: what it
   *  throws, or a piece that is neither a string nor null, ends the entry (a
   *  TypeError for a wrong piece). */
  private guardedSource(next: () => string | null): () => string | null {
    return () => {
      let piece: unknown;
      const was = this.callback;
      this.callback = 'stdin';
      try {
        piece = next();
      } catch (e) {
        throw this.fail(new HostFault(e, null));
      } finally {
        this.callback = was;
      }
      if (piece === null || typeof piece === 'string') return piece;
      throw this.fail(new HostFault(new TypeError(`stdin returned ${typeof piece}, expected a string or null`), null));
    };
  }

  private fail(f: HostFault): HostFault { this.note(f); return f; }
}

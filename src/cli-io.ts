// The command line's input and output: a program's run on the process's file
// descriptors. Programs run on the main thread in every tier (compiled code keeps
// to a host-stack budget and continues in the interpreter past it, runtime.ts).
// Output goes to the process's file descriptors, synchronously, so nothing is
// lost or reordered if the program fails: on a terminal at every line (as C's
// stdio does), elsewhere (a pipe, a file) in pieces of up to 64 KiB and at
// least every OUTPUT_FLUSH_MS while the program prints (runtime/output.ts), so
// a long run's progress shows and a run killed by a signal loses at most what
// it printed in its last OUTPUT_FLUSH_MS. Standard input is read only when the
// program calls read_line().
//
// Output that cannot be written ends the run at once (the exception leaves the
// guest through run(), which hands the embedder's exceptions back): a closed pipe
// silently, with status 141, as a Unix tool killed by SIGPIPE (so `tiervm run
// prog | head` ends even if prog prints forever); any other failure (a full disk)
// with one line on stderr and status 1. This file owns that rule for every path
// of the command line, the main thread's included.

import { fstatSync, readSync, statSync, writeSync } from 'node:fs';
import { load, EXIT_INTERNAL, type VmOptions } from './vm.js';

export interface RunJob { file: string; source: string; opts: VmOptions }

/** Exit status after a write to a closed pipe: 128 + SIGPIPE, what a shell
 *  reports for a tool the signal killed. */
export const EXIT_SIGPIPE = 141;

/** A write to standard output or error that failed (fd, and the system's code). */
export class OutputError extends Error {
  constructor(readonly fd: number, readonly code: string, message: string) { super(message); }
}

/** Write all of `text` to a file descriptor, waiting out a full non-blocking pipe;
 *  any other failure is an OutputError. */
export function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text, 'utf8');
  while (buf.length > 0) {
    try {
      const n = writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'EAGAIN') throw new OutputError(fd, err.code ?? 'EIO', err.message.replace(/, write$/, ''));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** The process's standard input as text, read (blocking) only when the program
 *  asks for a line: chunks of fd 0 decoded as UTF-8 (a sequence split between
 *  reads is kept whole; malformed bytes become U+FFFD; a leading byte order mark
 *  is kept, as U+FEFF, since it is part of the input); null at the end of input,
 *  or when fd 0 cannot be read at all (closed, a directory). */
export function stdinChunks(): () => string | null {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const buf = Buffer.alloc(1 << 16);
  let ended = false;
  return () => {
    while (!ended) {
      let n: number;
      try {
        n = readSync(0, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); continue; }
        n = 0;
      }
      if (n === 0) { ended = true; const rest = decoder.decode(); return rest === '' ? null : rest; }
      const text = decoder.decode(buf.subarray(0, n), { stream: true });
      if (text !== '') return text;
    }
    return null;
  };
}

/** Run `body`, turning what escapes it into an exit status: an OutputError by the
 *  rule above, anything else an internal error (a bug in tiervm). */
export function withExitStatus(body: () => number): number {
  try {
    return body();
  } catch (e) {
    return exitStatusOf(e);
  }
}

/** The exit status for an exception that escaped: an OutputError by the rule
 *  above; anything else is reported as an internal error. */
export function exitStatusOf(e: unknown): number {
  if (e instanceof OutputError) return outputFailed(e);
  reportInternal(e);
  return EXIT_INTERNAL;
}

function outputFailed(e: OutputError): number {
  if (e.code === 'EPIPE') return EXIT_SIGPIPE;
  if (e.fd !== 2) tryWrite(2, `tiervm: cannot write output: ${e.message}\n`);
  return 1;
}

/** `internal error: ...` on stderr, if stderr still takes it. */
export function reportInternal(e: unknown): void {
  tryWrite(2, `internal error: ${e instanceof Error ? e.message : String(e)}\n`);
}

function tryWrite(fd: number, text: string): void {
  try { writeAll(fd, text); } catch { /* nowhere left to say it */ }
}

/** Program output not on a terminal goes out at a write at least this many
 *  ms after the last delivery. */
const OUTPUT_FLUSH_MS = 50;

/** Is standard output a terminal? (A character device other than the null
 *  device: node's tty module would cost about 2 ms of start-up to load.) */
function stdoutIsTerminal(): boolean {
  try {
    const out = fstatSync(1);
    return out.isCharacterDevice() && out.rdev !== statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/** Load and run a job on this thread; returns the exit status. */
export function runJob(job: RunJob): number {
  return withExitStatus(() => {
    const loaded = load(job.file, job.source, {
      ...job.opts, stdout: (t) => writeAll(1, t), stderr: (t) => writeAll(2, t), stdin: stdinChunks(),
      flushMs: OUTPUT_FLUSH_MS, lineBuffered: stdoutIsTerminal(),
    });
    if (!loaded.ok) return loaded.exitCode;
    // Disposed however the run ends: the compiler thread is terminated before
    // the command exits (jit/thread.ts).
    try { return loaded.program.run(); } finally { loaded.program.dispose(); }
  });
}

// A monotonic clock in milliseconds for the runtime's own decisions and
// statistics (the tiering policy's waits, collection pauses), cheap to reach.
//
// Node 20 makes the global `performance` on its first use: about 1 ms of
// loading (perf_hooks), paid by the first compile or collection of a run that
// had no other use for it. `process.hrtime` is there from the start. Browsers
// (and hosts without `process`) use `performance.now()`, which costs nothing
// there. Both are monotonic; the values are comparable only with each other.

type HrTime = () => [number, number];

/** process.hrtime, where there is one (a page may define a partial `process`). */
function findHrtime(): HrTime | null {
  const p = (globalThis as { process?: { hrtime?: unknown } }).process;
  if (typeof p !== 'object' || p === null || typeof p.hrtime !== 'function') return null;
  return (p.hrtime as HrTime).bind(p);
}

const hrtime = findHrtime();

/** Milliseconds since an arbitrary point, never going back. */
export const nowMs: () => number = hrtime !== null
  ? () => { const [s, ns] = hrtime(); return s * 1e3 + ns / 1e6; }
  : () => performance.now();

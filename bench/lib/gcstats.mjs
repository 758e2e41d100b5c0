// Parsing the collectors' own reports, shared by bench/gc.mjs and bench/alloc.mjs:
// tiervm's `--gc-stats` summary line and V8's `--trace-gc` lines.

const MB = 1024 * 1024;
const UNIT = { B: 1, KB: 1024, MB, GB: 1024 * MB };
const bytes = (num, unit) => +num * UNIT[unit];

/** The 99th percentile, by the same rule as tiervm's gc.ts. */
export function p99(xs) {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))];
}

/** tiervm: `[gc stats] collections 18 (2 full), pause total 37.4 ms, max 15.235 ms,
 *  p99 15.235 ms, peak heap 1263.5 KB, live after last full 235.7 KB, promoted 12.0 KB
 *  (moved 8.0 KB), linear memory 2048.0 KB, largest live after a full 240.1 KB`
 *  on stderr (the last two fields only from builds that print them: null
 *  otherwise); null if there is no such line. */
export function parseTiervmGcStats(stderr) {
  const m = /\[gc stats\] collections (\d+) \((\d+) full\), pause total ([\d.]+) ms, max ([\d.]+) ms, p99 ([\d.]+) ms, peak heap ([\d.]+) (B|KB|MB|GB), live after last full ([\d.]+) (B|KB|MB|GB), promoted ([\d.]+) (B|KB|MB|GB)(?:.*?, linear memory ([\d.]+) (B|KB|MB|GB))?(?:, largest live after a full ([\d.]+) (B|KB|MB|GB))?/.exec(stderr);
  if (!m) return null;
  return {
    collections: +m[1], fullCollections: +m[2], pauseTotalMs: +m[3], maxPauseMs: +m[4], p99PauseMs: +m[5],
    peakHeapBytes: bytes(m[6], m[7]), liveAfterLastBytes: bytes(m[8], m[9]), promotedBytes: bytes(m[10], m[11]),
    memoryBytes: m[12] === undefined ? null : bytes(m[12], m[13]),
    maxLiveBytes: m[14] === undefined ? null : bytes(m[14], m[15]),
  };
}

/** V8 --trace-gc lines go to stdout, one write per line, e.g.
 *    [1234:0x55d0c6a3f000]   50 ms: Scavenge 4.1 (4.2) -> 4.1 (5.2) MB, 5.01 / 0.00 ms  (average mu = ...) allocation failure;
 *    [1234:0x55d0c6a3f000]  371 ms: Mark-Compact 23.8 (51.0) -> 2.9 (36.5) MB, 5.33 / 0.01 ms  (+ 0.1 ms in 2 steps since start of marking, biggest step 0.1 ms, ...) ...
 *  `X / Y ms`: X is the main-thread pause of that collection (Y the part spent in
 *  external callbacks). Incremental-marking steps done before a Mark-Compact are
 *  separate, smaller pauses; their biggest is kept. Returns the program's own stdout
 *  (trace lines removed) and the statistics. */
const V8_TRACE = /^\[\d+:0x[0-9a-f]+\]\s/;
export function parseV8TraceGc(stdout) {
  const out = [];
  const pauses = [];
  const kinds = {};
  let biggestStepMs = 0;
  let unparsed = 0;
  for (const line of stdout.split('\n')) {
    if (!V8_TRACE.test(line)) { out.push(line); continue; }
    const m = /ms: (.+?) [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, ([\d.]+) \/ ([\d.]+) ms/.exec(line);
    if (!m) { unparsed++; continue; }
    pauses.push(+m[2]);
    const kind = m[1].replace(/\s*\(.*\)$/, '');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const step = /biggest step ([\d.]+) ms/.exec(line);
    if (step) biggestStepMs = Math.max(biggestStepMs, +step[1]);
  }
  return {
    stdout: out.join('\n'),
    gc: {
      collections: pauses.length,
      pauseTotalMs: pauses.reduce((a, x) => a + x, 0),
      maxPauseMs: pauses.length ? Math.max(...pauses) : 0,
      p99PauseMs: p99(pauses),
      kinds,
      biggestIncrementalStepMs: biggestStepMs,
      unparsedTraceLines: unparsed,
      pausesMs: pauses,
    },
  };
}

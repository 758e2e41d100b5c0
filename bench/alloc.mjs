#!/usr/bin/env node
// Allocation-heavy programs side by side: tiervm (default mode) and plain JavaScript
// on the same node, with each collector's pauses.
//
//   node bench/alloc.mjs                         every program, 3 interleaved repetitions
//   node bench/alloc.mjs --reps=5                more repetitions
//   node bench/alloc.mjs --only=words,strings    a subset
//   node bench/alloc.mjs --quick                 small sizes (a smoke test)
//
// Programs (bench/programs/NAME.tier and NAME.js): binary-trees (trees built and
// dropped), words (a million short strings built with chr and +, kept live, compared
// and joined), strings (concatenation, substr, str(i)), pieces (a string built piece
// by piece), churn (records replaced at random slots of a big array) and vectors
// (a ray caster whose vector operations return new structs), and six in the styles
// users write (bfsqueue: BFS with a linked-list queue of structs over grids of
// arrays of arrays; particles: immutable particles rebuilt every step; csvsplit:
// lines built and split with substr; hashchain: a hand-written chained hash map
// grown by rehash; bstmap: an unbalanced BST with inserts and deletes; strsort:
// merge-sorting short strings kept live), and six more (exprtree: an AST
// interpreter with constant folding, operators as function values in structs;
// dijkstra: a binary heap of item structs in a doubling array; wordfreq: words
// cut with substr and interned in a chained hash table; matrix: f64 matrices as
// arrays of rows rebuilt every step; ptree: a persistent BST updated by path
// copying; jsonish: JSON-like text written with + and parsed back with s[i],
// substr and parse_i32). For each run: wall time
// (spawn to exit, start-up included), the longest and the total GC pause (tiervm:
// --gc-stats; JS: --trace-gc, main-thread pauses), and for tiervm the largest
// extent of its GC heap and its linear memory against the live bytes after its
// last full collection and after the full collection that found the most.
// tiervm's stdout must equal the JS program's (trace lines removed), or the run
// fails loudly and the harness exits 1. Results: bench/out/alloc.json.

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, PROGRAMS, OUT_DIR, TIERVM_BIN, median } from './lib/common.mjs';
import { parseTiervmGcStats, parseV8TraceGc } from './lib/gcstats.mjs';

const PROGRAMS_RUN = [
  { name: 'binarytrees', size: 18, quick: 12 },
  { name: 'words', size: 1000000, quick: 20000 },
  { name: 'strings', size: 2000000, quick: 20000 },
  { name: 'pieces', size: 1000000, quick: 20000 },
  { name: 'churn', size: 100, quick: 2 },
  { name: 'vectors', size: 2000, quick: 50 },
  { name: 'bfsqueue', size: 100, quick: 2 },
  { name: 'particles', size: 5000, quick: 50 },
  { name: 'csvsplit', size: 1000000, quick: 10000 },
  { name: 'hashchain', size: 1000000, quick: 10000 },
  { name: 'bstmap', size: 1000000, quick: 10000 },
  { name: 'strsort', size: 500000, quick: 5000 },
  { name: 'exprtree', size: 250, quick: 2 },
  { name: 'dijkstra', size: 50000, quick: 2000 },
  { name: 'wordfreq', size: 300000, quick: 2000 },
  { name: 'matrix', size: 5000, quick: 30 },
  { name: 'ptree', size: 1000000, quick: 5000 },
  { name: 'jsonish', size: 4000, quick: 20 },
];

const opts = { reps: 3, only: null, quick: false };
for (const a of process.argv.slice(2)) {
  let m;
  if ((m = /^--reps=(\d+)$/.exec(a))) opts.reps = Math.max(1, +m[1]);
  else if ((m = /^--only=(.+)$/.exec(a))) opts.only = m[1].split(',');
  else if (a === '--quick') opts.quick = true;
  else if (a === '--help' || a === '-h') { console.log('usage: node bench/alloc.mjs [--reps=N] [--only=a,b] [--quick]'); process.exit(0); }
  else { console.error(`alloc: unknown option ${a} (try --help)`); process.exit(2); }
}
const programs = PROGRAMS_RUN.filter((p) => !opts.only || opts.only.includes(p.name));
if (opts.only && programs.length !== opts.only.length) {
  console.error(`alloc: unknown program in --only (known: ${PROGRAMS_RUN.map((p) => p.name).join(', ')})`);
  process.exit(2);
}

const rel = (p) => relative(ROOT, p);
const normalize = (s) => s.replace(/\r\n/g, '\n').replace(/\s+$/, '');

function spawnTimed(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { seconds: (performance.now() - t0) / 1000, ...r };
}

const RUNNERS = {
  tiervm: (p, size) => {
    const r = spawnTimed([rel(TIERVM_BIN), 'run', '--gc-stats', rel(join(PROGRAMS, `${p.name}.tier`)), String(size)]);
    return { ...r, out: r.stdout, gc: parseTiervmGcStats(r.stderr) };
  },
  js: (p, size) => {
    const r = spawnTimed(['--trace-gc', rel(join(PROGRAMS, `${p.name}.js`)), String(size)]);
    const parsed = parseV8TraceGc(r.stdout);
    return { ...r, out: parsed.stdout, gc: parsed.gc };
  },
};

let failed = false;
const results = [];
for (const p of programs) {
  const size = opts.quick ? p.quick : p.size;
  const runs = { tiervm: [], js: [] };
  let expected = null;
  for (let rep = 0; rep < opts.reps; rep++) {
    for (const id of rep % 2 ? ['js', 'tiervm'] : ['tiervm', 'js']) {
      const r = RUNNERS[id](p, size);
      const out = normalize(r.out);
      if (r.status !== 0 || !r.gc) {
        failed = true;
        console.error(`FAIL ${p.name} ${size} on ${id}: status ${r.status}${r.gc ? '' : ', no GC report'}\n${r.stderr.slice(0, 2000)}`);
        continue;
      }
      if (id === 'js') expected ??= out;
      runs[id].push({ seconds: r.seconds, gc: r.gc, out });
    }
  }
  for (const run of runs.tiervm) {
    if (expected !== null && run.out !== expected) { failed = true; console.error(`FAIL ${p.name}: tiervm's output differs from the JS program's`); }
  }
  const summary = (xs, pick) => (xs.length ? { median: median(xs.map(pick)), min: Math.min(...xs.map(pick)), max: Math.max(...xs.map(pick)) } : null);
  const row = {
    program: p.name, size,
    tiervm: { seconds: summary(runs.tiervm, (r) => r.seconds), maxPauseMs: summary(runs.tiervm, (r) => r.gc.maxPauseMs),
      pauseTotalMs: summary(runs.tiervm, (r) => r.gc.pauseTotalMs), collections: summary(runs.tiervm, (r) => r.gc.collections),
      peakHeapMB: summary(runs.tiervm, (r) => r.gc.peakHeapBytes / 2 ** 20), liveAfterFullMB: summary(runs.tiervm, (r) => r.gc.liveAfterLastBytes / 2 ** 20),
      memoryMB: summary(runs.tiervm, (r) => (r.gc.memoryBytes ?? NaN) / 2 ** 20),
      maxLiveMB: summary(runs.tiervm, (r) => (r.gc.maxLiveBytes ?? NaN) / 2 ** 20) },
    js: { seconds: summary(runs.js, (r) => r.seconds), maxPauseMs: summary(runs.js, (r) => r.gc.maxPauseMs),
      pauseTotalMs: summary(runs.js, (r) => r.gc.pauseTotalMs), collections: summary(runs.js, (r) => r.gc.collections) },
  };
  results.push(row);
}

const f = (s, d) => (s ? `${s.median.toFixed(d)} (${s.min.toFixed(d)}..${s.max.toFixed(d)})` : 'n/a');
const ratio = (a, b) => (a && b && b.median > 0 && Number.isFinite(a.median) ? `${(a.median / b.median).toFixed(2)}×` : 'n/a');
console.log(`# Allocation-heavy programs: tiervm (default mode) and JS on node ${process.version}, ${opts.reps} interleaved repetitions`);
console.log('');
console.log('| program | size | tiervm s | JS s | time / JS | tiervm max pause ms | JS max pause ms | pause / JS | tiervm GC total ms | JS GC total ms | tiervm heap peak MB | linear memory MB | live after last full MB | memory / last live | largest live after a full MB | memory / largest live |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.program} | ${r.size} | ${f(r.tiervm.seconds, 3)} | ${f(r.js.seconds, 3)} | ${ratio(r.tiervm.seconds, r.js.seconds)} | ` +
    `${f(r.tiervm.maxPauseMs, 1)} | ${f(r.js.maxPauseMs, 1)} | ${ratio(r.tiervm.maxPauseMs, r.js.maxPauseMs)} | ` +
    `${f(r.tiervm.pauseTotalMs, 0)} | ${f(r.js.pauseTotalMs, 0)} | ${f(r.tiervm.peakHeapMB, 1)} | ${f(r.tiervm.memoryMB, 1)} | ${f(r.tiervm.liveAfterFullMB, 1)} | ` +
    `${ratio(r.tiervm.memoryMB, r.tiervm.liveAfterFullMB)} | ${f(r.tiervm.maxLiveMB, 1)} | ${ratio(r.tiervm.memoryMB, r.tiervm.maxLiveMB)} |`);
}
console.log('');
console.log('Medians (min..max). Time: wall clock from spawn to exit, node start-up included. Pauses: tiervm --gc-stats (stop-the-world, minor and full); JS --trace-gc main-thread pauses. ' +
  'Memory: the linear memory at exit (it never shrinks), against the live bytes of the last full collection and of the full collection that found the most.');
console.log(failed ? 'output check: FAILED (see stderr)' : "output check: tiervm printed exactly the JS program's output every time");
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(join(OUT_DIR, 'alloc.json'), `${JSON.stringify({ node: process.version, date: new Date().toISOString(), reps: opts.reps, results, ok: !failed }, null, 2)}\n`);
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// Host (JavaScript) heap allocation per guest call, interpreter tier.
//
//   node bench/calls.mjs            measure and print the result
//   node bench/calls.mjs --check    also exit 1 if the main result is above 0.5 bytes/call
//   node bench/calls.mjs --check-all   ... or if any breakdown variant is above 0.5
//   node bench/calls.mjs --reps=5   child runs per (variant, K); the median delta is used (default 3)
//   node bench/calls.mjs --tier=interp
//   node bench/calls.mjs --tier=jit --jit-filter=^main$   compiled main calling interpreted callees
//   node bench/calls.mjs --warmup=N unmeasured warm-up run with K = N first (default 200000; 0: none)
//   node bench/calls.mjs --vm=PATH  another build of the embedding API (default dist/vm.js)
//
// Method. A Tier program makes K guest calls in a loop (`n = inc(n)`) and then runs
// K iterations of an f64 arithmetic loop; it reads K (and a variant name) from its
// arguments. Each measurement is a fresh child node process started with
//   --max-semi-space-size=256 --min-semi-space-size=256 --expose-gc
// so the young generation is large enough that no scavenge runs during the measured
// call (a scavenge would free the garbage and hide it). The child loads the program
// through the embedding API (dist/vm.js), calls gc(), reads
// process.memoryUsage().heapUsed, runs program.run(), and reads heapUsed again
// (no gc in between). Fixed costs (loading, first-call feedback, code compiled by
// V8, output) are the same for K = 1M and K = 2M, so
//   bytes per call = (delta(2M) - delta(1M)) / 1M
// and likewise the time per call = (time(2M) - time(1M)) / 1M. Before the measured
// load, each child loads and runs the program once with a small K (a warm-up, so
// that V8 has optimised the VM's hot paths and its JIT adds less noise).
// Any GC observed during a measured run is reported: it means allocation was too
// high (or something else ran) and the delta is then an underestimate.
//
// Variants: `main` is the program described above (per call = per iteration of K:
// one inc() call plus one f64 loop iteration); the breakdown runs each part alone,
// plus `fcall`, K calls of a function with f64 parameter and result.

import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
let VM = join(ROOT, 'dist', 'vm.js');

const NO_INLINE = process.argv.includes('--no-inline');
const K1 = 1_000_000;
const K2 = 2_000_000;
const LIMIT = 0.5;
const OUT_DIR = join(HERE, 'out'); // bytes per call allowed by --check

const SOURCE = `// bench/calls.mjs: K guest calls, then K iterations of f64 arithmetic.
fn inc(x: i32) -> i32 {
  return x + 1;
}

fn half(x: f64) -> f64 {
  return x * 0.5 + 1.0;
}

fn main(args: [str]) {
  let k = parse_i32(args[0]);
  let variant = args[1];
  var n = 0;
  if variant == "main" || variant == "call" {
    for i in 0..k { n = inc(n); }
  }
  var f = 0.0;
  var g = 1.0;
  if variant == "main" || variant == "f64" {
    for i in 0..k {
      f = f * 0.999 + g;
      g = g * 1.0000001;
    }
  }
  if variant == "fcall" {
    for i in 0..k { f = half(f); }
  }
  print(n);
  print(fixed(f, 6));
}
`;

// What SOURCE prints, computed with the same IEEE operations.
function expectedOutput(k, variant) {
  let n = 0;
  let f = 0.0;
  let g = 1.0;
  if (variant === 'main' || variant === 'call') n = k;
  if (variant === 'main' || variant === 'f64') {
    for (let i = 0; i < k; i++) {
      f = f * 0.999 + g;
      g = g * 1.0000001;
    }
  }
  if (variant === 'fcall') for (let i = 0; i < k; i++) f = f * 0.5 + 1.0;
  return `${n}\n${f.toFixed(6)}\n`;
}

const VARIANTS = [
  { id: 'main', what: 'inc() call loop + f64 loop, per iteration of K' },
  { id: 'call', what: 'inc(x: i32) -> i32 calls only' },
  { id: 'f64', what: 'f64 arithmetic loop only (no calls), per iteration' },
  { id: 'fcall', what: 'half(x: f64) -> f64 calls only' },
];

// Used bytes per V8 heap space (new_space, old_space, code_space, ...).
function spaceUsed() {
  const r = {};
  for (const s of v8.getHeapSpaceStatistics()) r[s.space_name] = s.space_used_size;
  return r;
}

// ---- child: one measurement -----------------------------------------------------------
async function child(k, variant, tier, warmup, jitFilter) {
  if (typeof globalThis.gc !== 'function') throw new Error('child needs --expose-gc');
  const gcs = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, kind: e.detail?.kind ?? e.kind });
  });
  obs.observe({ entryTypes: ['gc'] });

  const { load } = await import(pathToFileURL(VM).href);
  // Warm-up: a separate load of the same program with a smaller K, so that V8 has
  // compiled the VM's hot paths before the measured run (less noise from the JIT).
  if (warmup > 0) {
    const w = load('calls.tier', SOURCE, { tier, jitFilter, inline: !NO_INLINE, args: [String(warmup), variant], stdout: () => {}, stderr: () => {} });
    if (w.ok) w.program.run();
  }
  const out = [];
  const err = [];
  const loaded = load('calls.tier', SOURCE, {
    tier,
    jitFilter,
    inline: !NO_INLINE,
    args: [String(k), variant],
    stdout: (s) => { out.push(s); },
    stderr: (s) => { err.push(s); },
  });
  if (!loaded.ok) {
    return { error: `load failed (exit ${loaded.exitCode})`, stderr: err.join('') };
  }
  const program = loaded.program;

  gc();
  gc();
  // Let the GC entries of the forced collections arrive before the measurement.
  await new Promise((r) => setTimeout(r, 10));
  const spacesBefore = spaceUsed();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const status = program.run();
  const t1 = performance.now();
  const after = process.memoryUsage().heapUsed;
  const spacesAfter = spaceUsed();
  const spaces = {};
  for (const name of Object.keys(spacesAfter)) spaces[name] = spacesAfter[name] - (spacesBefore[name] ?? 0);

  await new Promise((r) => setTimeout(r, 10));
  obs.disconnect();
  const during = gcs.filter((g) => g.start >= t0 && g.start <= t1);
  return {
    k, variant, status,
    delta: after - before,
    spaces,
    ms: t1 - t0,
    gcsDuringRun: during.length,
    stdout: out.join(''),
    stderr: err.join(''),
  };
}

// ---- parent ---------------------------------------------------------------------------
function parseArgs(argv) {
  const opts = { check: false, checkAll: false, reps: 3, tier: 'interp', child: null, warmup: 200_000, jitFilter: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let m;
    if (a === '--check') opts.check = true;
    else if (a === '--check-all') { opts.check = true; opts.checkAll = true; }
    else if ((m = /^--reps=(\d+)$/.exec(a))) opts.reps = Math.max(1, +m[1]);
    else if ((m = /^--tier=(\w+)$/.exec(a))) opts.tier = m[1];
    else if ((m = /^--warmup=(\d+)$/.exec(a))) opts.warmup = +m[1];
    else if ((m = /^--jit-filter=(.+)$/.exec(a))) opts.jitFilter = m[1];
    else if (a === '--no-inline') opts.noInline = true;
    else if ((m = /^--vm=(.+)$/.exec(a))) VM = resolve(m[1]);
    else if (a === '--child') { opts.child = { k: +argv[i + 1], variant: argv[i + 2] }; i += 2; }
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/calls.mjs [--check | --check-all] [--reps=N] [--warmup=N] [--tier=interp|auto|jit] [--jit-filter=REGEX] [--vm=dist/vm.js]');
      process.exit(0);
    } else {
      console.error(`calls: unknown option ${a}`);
      process.exit(2);
    }
  }
  return opts;
}

function spawnChild(k, variant, tier, warmup, jitFilter) {
  const args = [
    '--max-semi-space-size=256', '--min-semi-space-size=256', '--expose-gc',
    fileURLToPath(import.meta.url), '--child', String(k), variant, `--tier=${tier}`, `--vm=${VM}`, `--warmup=${warmup}`,
    ...(jitFilter ? [`--jit-filter=${jitFilter}`] : []),
    ...(NO_INLINE ? ['--no-inline'] : []),
  ];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = (r.stdout ?? '').trim().split('\n').pop();
  let res;
  try {
    res = JSON.parse(line);
  } catch {
    res = { error: `child exited with status ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}` };
  }
  if (r.stderr?.trim()) res.childStderr = r.stderr.trim();
  return res;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) {
    let res;
    try {
      res = await child(opts.child.k, opts.child.variant, opts.tier, opts.warmup, opts.jitFilter);
    } catch (e) {
      res = { error: `exception: ${e?.stack ?? e}` };
    }
    process.stdout.write(`${JSON.stringify(res)}\n`);
    return;
  }

  if (!existsSync(VM)) {
    console.error(`calls: ${relative(ROOT, VM)} not found; build the VM first (npm run build)`);
    process.exit(2);
  }

  console.log(`# host heap allocation per guest call (tier ${opts.tier}, node ${process.version})`);
  console.log(`K = ${K1} and ${K2}, ${opts.reps} child run(s) each, median delta; semi-space 256 MB; heapUsed around program.run()`);
  console.log(`each child first loads and runs the program once with K = ${opts.warmup} (warm-up, not measured)`);
  console.log('');

  const results = {};
  const raw = {};
  const strip = ({ stdout, stderr, ...rest }) => rest;
  let broken = false;
  for (const v of VARIANTS) {
    const runs = { [K1]: [], [K2]: [] };
    // Interleave K1 and K2 runs.
    for (let rep = 0; rep < opts.reps && !broken; rep++) {
      for (const k of [K1, K2]) {
        const r = spawnChild(k, v.id, opts.tier, opts.warmup, opts.jitFilter);
        if (r.error) {
          console.error(`calls: ${v.id} K=${k}: ${r.error}`);
          if (r.stderr) console.error(r.stderr);
          if (r.childStderr) console.error(r.childStderr);
          broken = true;
          break;
        }
        const want = expectedOutput(k, v.id);
        if (r.status !== 0 || r.stdout !== want) {
          console.error(`calls: ${v.id} K=${k}: wrong result: status ${r.status}, stdout ${JSON.stringify(r.stdout)}, expected ${JSON.stringify(want)}`);
          if (r.stderr) console.error(r.stderr);
          broken = true;
          break;
        }
        runs[k].push(r);
      }
    }
    if (broken) break;
    const d1 = median(runs[K1].map((r) => r.delta));
    const d2 = median(runs[K2].map((r) => r.delta));
    const t1 = median(runs[K1].map((r) => r.ms));
    const t2 = median(runs[K2].map((r) => r.ms));
    const gcs = [...runs[K1], ...runs[K2]].reduce((a, r) => a + r.gcsDuringRun, 0);
    const res = {
      what: v.what,
      deltas1M: runs[K1].map((r) => r.delta),
      deltas2M: runs[K2].map((r) => r.delta),
      delta1M: d1,
      delta2M: d2,
      bytesPerCall: (d2 - d1) / (K2 - K1),
      ms1M: t1,
      ms2M: t2,
      nsPerCall: ((t2 - t1) * 1e6) / (K2 - K1),
      nsPerCallTotal: (t2 * 1e6) / K2,
      gcsDuringRuns: gcs,
    };
    results[v.id] = res;
    raw[v.id] = { ...res, runs1M: runs[K1].map(strip), runs2M: runs[K2].map(strip) };
    console.log(`${v.id.padEnd(6)} ${res.bytesPerCall.toFixed(3).padStart(9)} bytes/call  ${res.nsPerCall.toFixed(1).padStart(7)} ns/call` +
      `  (heapUsed delta: 1M ${d1} B, 2M ${d2} B; run 1M ${t1.toFixed(1)} ms, 2M ${t2.toFixed(1)} ms)` +
      `${gcs ? `  WARNING: ${gcs} GC(s) during measured runs, delta underestimates allocation` : ''}` +
      `${v.id !== 'main' && res.bytesPerCall > LIMIT ? '  WARN: above limit' : ''}`);
    console.log(`       ${v.what}`);
  }

  if (broken) {
    console.log('');
    console.log('RESULT: could not measure (see errors above)');
    process.exit(1);
  }

  mkdirSync(OUT_DIR, { recursive: true });
  const outFile = join(OUT_DIR, 'calls.json');
  writeFileSync(outFile, `${JSON.stringify({
    date: new Date().toISOString(), node: process.version, tier: opts.tier, vm: relative(ROOT, VM),
    k: [K1, K2], reps: opts.reps, warmup: opts.warmup, limitBytesPerCall: LIMIT, results: raw,
  }, null, 2)}\n`);

  const m = results.main;
  const failing = Object.entries(results).filter(([id, r]) =>
    (id === 'main' || opts.checkAll) && (r.bytesPerCall > LIMIT || r.gcsDuringRuns > 0));
  console.log('');
  console.log(`RESULT: ${m.bytesPerCall.toFixed(3)} bytes/call, ${m.nsPerCall.toFixed(1)} ns/call ` +
    `(heapUsed delta ${m.delta1M} B at 1M, ${m.delta2M} B at 2M; limit ${LIMIT} bytes/call: ` +
    `${m.bytesPerCall <= LIMIT && m.gcsDuringRuns === 0 ? 'ok' : 'EXCEEDED'})`);
  if (opts.check && failing.length) {
    console.log(`check FAILED: ${failing.map(([id, r]) => `${id} ${r.bytesPerCall.toFixed(3)} B/call${r.gcsDuringRuns ? `, ${r.gcsDuringRuns} GC(s)` : ''}`).join('; ')}`);
    process.exit(1);
  }
  console.log(`details written to ${relative(ROOT, outFile)}`);
}

await main();

// The pauses the JIT causes in the running program, and how long a hot function
// waits for its compiled code, per compile mode (--compile=sync|thread).
//
//   node bench/jit-pauses.mjs [--runs=5] [--compile=sync,thread] [--root=DIR]
//                             [--v8-flags=F1,F2] [--nice=N] [--less-waits] [--parts]
//                             [NAME[:SIZE]]...
//
// --less-waits also reports each pause less the time the program's thread waited
// on a run queue in it, preempted by other threads (Linux:
// /proc/thread-self/schedstat, read before and after every call into the
// policy, 1.5 us each): what the JIT kept the program from running, without
// the machine's load (on a loaded 2-core machine a thread that only spins is
// off the CPU for 1-18 ms dozens of times a second). Time blocked on a lock
// still counts.
// --parts prints, per run, every pause of 0.5 ms or more (PARTS_MIN=ms in the
// environment for another floor) with what it was made of: the time spent in
// the tiering decision (speculation, gains, firstPlan), in the backend (lower:
// a synchronous compile; queue; drain, adopt, adoptPrelude: taking what the
// thread finished; fillSlots, makeC2i, makeI2c: adapters), V8 garbage
// collection inside it (gc), and with --less-waits the run-queue wait in it.
// What none of these names is V8's or the machine's (a pause with no parts).
// --nice=N runs each child under `nice -n N` (N < 0 needs root): on a machine
// shared with other jobs, their processes then preempt the program's thread
// (and the compiler thread) less often, and a pause shows the JIT's work more
// than the machine's load (a thread preempted in a pause makes it that long).
// --root runs another checkout's build (the pauses of a build before the
// compiler thread: --root=BASE --compile=sync --v8-flags=--no-liftoff, the flags
// its command line had, and --compile=default: a build without the option; there a
// wasm function's first call compiles it, outside the pauses measured here).
// Default programs: richards and nbody at their default (bench/suite.mjs) sizes.
// Each run is a fresh node process running one program in the default tier
// (dist/vm.js) under the command line's V8 flags. A pause is one call from the program's thread into the tiering
// policy that does JIT work: a tier-up (a synchronous compile, or queuing one
// for the thread, the thread's start included), tier-1 code's call for tier 2
// (onHotCompiled), a deopt (onDeopt: an invalidation compiles), a hot loop's
// OSR check, or an install of what the thread finished (poll); nested calls
// count once. Hot to
// running: from the tier event `queued` (thread) or the start of the compile
// (sync) to `installed` for a function, or to its first `osr` entry for an OSR
// entry. Reports the pauses' count, median, p99 and max, and hot-to-running
// median and max, over all runs; and the run's wall time. Pauses under 10 us
// (safepoint polls that find nothing, or only count while the thread waits to
// start) are counted apart and left out of the quantiles.
import { spawnSync } from 'node:child_process';
import { openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const opt = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const ROOT = opt('root', join(dirname(fileURLToPath(import.meta.url)), '..'));
const DEFAULT_SIZES = { richards: 400, nbody: 500000 };
/** The V8 flags the command line runs with (src/cli.ts). */
const V8_FLAGS = opt('v8-flags', '--no-liftoff,--no-wasm-lazy-compilation').split(',');

/** Nanoseconds the calling thread has waited on a run queue, runnable but
 *  preempted (Linux: the second field of its schedstat, brought up to date
 *  each time the thread gets a CPU back), or null where this cannot be read.
 *  About 1.5 us a read. */
function runQueueWaitClock() {
  let fd;
  try { fd = openSync('/proc/thread-self/schedstat', 'r'); } catch { return null; }
  const buf = Buffer.alloc(64);
  return () => {
    const n = readSync(fd, buf, 0, 64, 0);
    let i = 0;
    while (i < n && buf[i] !== 32) i++;
    let v = 0;
    for (i++; i < n && buf[i] !== 32; i++) v = v * 10 + (buf[i] - 48);
    return v;
  };
}

if (process.argv[2] === '--child') {
  const [, , , name, size, compile, lessWaits] = process.argv.filter((a) => !a.startsWith('--root='));
  const waited = lessWaits === 'less-waits' ? runQueueWaitClock() : null;
  const { load } = await import(join(ROOT, 'dist', 'vm.js'));
  // The command line's wasm host (src/cli.ts): its V8 flags, as given to this
  // child, and tier-1 code whose calls end soon compiled in V8's baseline
  // compiler. (A build before that function sets nothing here.)
  (await import(join(ROOT, 'dist', 'cli.js'))).useCommandLineWasmHost?.();
  const src = readFileSync(join(ROOT, 'bench', 'programs', `${name}.tier`), 'utf8');
  const hot = new Map();   // 'f' or 'f@pc' -> t (ms) it became hot
  const latencies = [];
  const onTierEvent = (e) => {
    const key = e.osrPc == null ? e.fn : `${e.fn}@${e.osrPc ?? e.pc}`;
    if (e.kind === 'queued') hot.set(key, e.t);
    else if (e.kind === 'compiled' && !e.thread) hot.set(key, e.t - e.ms);
    else if (e.kind === 'installed' || e.kind === 'osr') {
      const k = e.kind === 'osr' ? `${e.fn}@${e.pc}` : e.fn;
      if (hot.has(k)) { latencies.push(e.t - hot.get(k)); hot.delete(k); }
    }
  };
  const r = load(`${name}.tier`, src, { args: [String(size)], ...(compile === 'default' ? {} : { compile }), onTierEvent, stdout: () => {} });
  const p = r.program;
  const inst = p.makeInstance(null);
  const tiering = inst.rt.tiering;
  const pauses = [], unwaited = [];
  // --parts: time named parts inside each pause (what the large ones are made of).
  const PARTS = process.argv.includes('parts');
  const bigs = [];   // { m, d, waited, gc, parts: {name: ms} }
  let cur = null;
  const timePart = (obj, name, label = name) => {
    const orig = obj[name];
    if (typeof orig !== 'function') return;
    obj[name] = function (...a) {
      if (cur === null) return orig.apply(this, a);
      const t = performance.now();
      try { return orig.apply(this, a); } finally { cur.parts[label] = (cur.parts[label] ?? 0) + performance.now() - t; }
    };
  };
  const gcs = [];
  if (PARTS) {
    // The policy's backend is a LazyBackend (embed/instance.ts): its parts are
    // timed on the backend it builds.
    const lazy = tiering.backend, build = lazy.build;
    lazy.build = function () {
      const be = build.call(this);
      if (typeof be === 'string' || be.__timed) return be;
      be.__timed = true;
      for (const n of ['adopt', 'adoptPrelude', 'fillSlots', 'lower', 'queue', 'compile', 'compileOsr', 'setSlot', 'makeI2c', 'makeC2i', 'profileSnapshot', 'dispatchSites']) timePart(be, n);
      const ct = be.compilerThread;
      be.compilerThread = function (...a) {
        const t = ct.apply(this, a);
        if (t && !t.__timed) { t.__timed = true; timePart(t, 'drain'); timePart(t, 'sendWaiting'); }
        return t;
      };
      return be;
    };
    for (const n of ['speculation', 'gains', 'firstPlan']) timePart(tiering, n);
    const { PerformanceObserver } = await import('node:perf_hooks');
    new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push([e.startTime, e.duration]); }).observe({ entryTypes: ['gc'] });
  }
  let depth = 0;
  for (const m of ['onHotCall', 'onHotLoop', 'poll', 'onHotCompiled', 'onDeopt'].filter((name) => typeof tiering[name] === 'function')) {
    const orig = tiering[m].bind(tiering);
    tiering[m] = (...a) => {
      if (depth > 0) return orig(...a);
      depth++;
      const w0 = waited === null ? 0 : waited();
      if (PARTS) cur = { m, parts: {} };
      const t0 = performance.now();
      try { return orig(...a); } finally {
        const d = performance.now() - t0;
        pauses.push(d);
        if (PARTS) {
          if (d >= (process.env.PARTS_MIN ? +process.env.PARTS_MIN : 0.5)) bigs.push({ ...cur, t0, d, waited: waited === null ? null : (waited() - w0) / 1e6 });
          cur = null;
        }
        if (waited !== null) unwaited.push(Math.max(0, d - (waited() - w0) / 1e6));
        depth--;
      }
    };
  }
  const t0 = performance.now();
  const status = p.run();
  const wall = performance.now() - t0;
  p.dispose();
  if (PARTS) {
    await new Promise((r) => setTimeout(r, 10));
    for (const b of bigs) {
      const gc = gcs.filter(([s, d]) => s < b.t0 + b.d && s + d > b.t0).reduce((x, [, d]) => x + d, 0);
      const parts = Object.entries(b.parts).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
      process.stderr.write(`  at ${b.t0.toFixed(1)} ${b.m} ${b.d.toFixed(2)} ms: ${parts}${gc ? `, gc ${gc.toFixed(2)}` : ''}${b.waited !== null ? `, waited ${b.waited.toFixed(2)}` : ''}\n`);
    }
  }
  // Pauses under 10 us (the safepoint polls that only count) are sent as a count.
  const small = pauses.filter((d) => d < 0.01).length;
  writeSync(1, JSON.stringify({ status, wall, small, pauses: pauses.filter((d) => d >= 0.01), latencies,
    unwaited: unwaited.filter((d, i) => pauses[i] >= 0.01) }));
  process.exit(0);
}

const RUNS = Number(opt('runs', '5'));
const NICE = opt('nice', null);
const LESS_WAITS = process.argv.includes('--less-waits');
const PARTS = process.argv.includes('--parts');
const MODES = opt('compile', 'sync,thread').split(',');
const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const programs = (named.length ? named : Object.keys(DEFAULT_SIZES)).map((a) => {
  const [n, s] = a.split(':');
  return [n, s ?? DEFAULT_SIZES[n] ?? 1];
});

const quantile = (xs, q) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const ms = (x) => (Number.isNaN(x) ? '-' : x.toFixed(3));

const waitHead = LESS_WAITS ? ' p99 less waits ms | max less waits ms |' : '';
console.log(`| program | compile | pauses >= 10 us (+ under) | median ms | p99 ms | max ms |${waitHead} hot->running median ms | max ms | run ms (median) |`);
console.log(`|---|---|---:|---:|---:|---:|${LESS_WAITS ? '---:|---:|' : ''}---:|---:|---:|`);
for (const [name, size] of programs) {
  const acc = Object.fromEntries(MODES.map((m) => [m, { pauses: [], unwaited: [], small: 0, latencies: [], walls: [] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const mode of i % 2 ? [...MODES].reverse() : MODES) {
      const args = [...V8_FLAGS, fileURLToPath(import.meta.url), '--child', name, String(size), mode, LESS_WAITS ? 'less-waits' : 'wall', `--root=${ROOT}`, ...(PARTS ? ['parts'] : [])];
      const r = NICE === null ? spawnSync(process.execPath, args, { encoding: 'utf8' })
        : spawnSync('nice', ['-n', NICE, process.execPath, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${name} ${mode}: ${r.stderr}`);
      if (PARTS) process.stderr.write(`${name} ${size} ${mode}, run ${i + 1}: pauses >= 0.5 ms\n${r.stderr}`);
      const got = JSON.parse(r.stdout);
      acc[mode].pauses = acc[mode].pauses.concat(got.pauses);
      acc[mode].unwaited = acc[mode].unwaited.concat(got.unwaited);
      acc[mode].small += got.small;
      acc[mode].latencies.push(...got.latencies);
      acc[mode].walls.push(got.wall);
    }
  }
  for (const mode of MODES) {
    const a = acc[mode];
    const waitCols = LESS_WAITS ? ` ${ms(quantile(a.unwaited, 0.99))} | ${ms(Math.max(...a.unwaited))} |` : '';
    console.log(`| ${name} ${size} | ${mode} | ${a.pauses.length} (+${a.small}) | ${ms(quantile(a.pauses, 0.5))} | ${ms(quantile(a.pauses, 0.99))} | ` +
      `${ms(Math.max(...a.pauses))} |${waitCols} ${ms(quantile(a.latencies, 0.5))} | ${ms(Math.max(...a.latencies))} | ${ms(quantile(a.walls, 0.5))} |`);
  }
}

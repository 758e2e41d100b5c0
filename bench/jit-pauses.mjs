// The pauses the JIT causes in the running program, and how long a hot function
// waits for its compiled code, per compile mode (--compile=sync|thread).
//
//   node bench/jit-pauses.mjs [--runs=5] [--compile=sync,thread] [--root=DIR]
//                             [--v8-flags=F1,F2] [NAME[:SIZE]]...
//
// --root runs another checkout's build (the pauses of a build before the
// compiler thread: --root=BASE --compile=sync --v8-flags=--no-liftoff, the flags
// its command line had, and --compile=default: a build without the option; there a
// wasm function's first call compiles it, outside the pauses measured here).
// Default programs: richards and nbody at their default (bench/suite.mjs) sizes.
// Each run is a fresh node process running one program in the default tier
// (dist/vm.js) under the command line's V8 flags. A pause is one call from the program's thread into the tiering
// policy that does JIT work: a tier-up (a synchronous compile, or queuing one
// for the thread, the thread's start included), a hot loop's OSR check, or an
// install of what the thread finished (poll); nested calls count once. Hot to
// running: from the tier event `queued` (thread) or the start of the compile
// (sync) to `installed` for a function, or to its first `osr` entry for an OSR
// entry. Reports the pauses' count, median, p99 and max, and hot-to-running
// median and max, over all runs; and the run's wall time. Pauses under 10 us
// (safepoint polls that find nothing, or only count while the thread waits to
// start) are counted apart and left out of the quantiles.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const opt = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const ROOT = opt('root', join(dirname(fileURLToPath(import.meta.url)), '..'));
const DEFAULT_SIZES = { richards: 400, nbody: 500000 };
/** The V8 flags the command line runs with (src/cli.ts). */
const V8_FLAGS = opt('v8-flags', '--no-liftoff,--no-wasm-lazy-compilation').split(',');

if (process.argv[2] === '--child') {
  const [, , , name, size, compile] = process.argv.filter((a) => !a.startsWith('--root='));
  const { load } = await import(join(ROOT, 'dist', 'vm.js'));
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
  const pauses = [];
  let depth = 0;
  for (const m of ['onHotCall', 'onHotLoop', 'poll'].filter((name) => typeof tiering[name] === 'function')) {
    const orig = tiering[m].bind(tiering);
    tiering[m] = (...a) => {
      if (depth > 0) return orig(...a);
      depth++;
      const t0 = performance.now();
      try { return orig(...a); } finally { const d = performance.now() - t0; pauses.push(d); depth--; }
    };
  }
  const t0 = performance.now();
  const status = p.run();
  const wall = performance.now() - t0;
  p.dispose();
  // Pauses under 10 us (the safepoint polls that only count) are sent as a count.
  const small = pauses.filter((d) => d < 0.01).length;
  writeSync(1, JSON.stringify({ status, wall, small, pauses: pauses.filter((d) => d >= 0.01), latencies }));
  process.exit(0);
}

const RUNS = Number(opt('runs', '5'));
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

console.log(`| program | compile | pauses >= 10 us (+ under) | median ms | p99 ms | max ms | hot->running median ms | max ms | run ms (median) |`);
console.log(`|---|---|---:|---:|---:|---:|---:|---:|---:|`);
for (const [name, size] of programs) {
  const acc = Object.fromEntries(MODES.map((m) => [m, { pauses: [], small: 0, latencies: [], walls: [] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const mode of i % 2 ? [...MODES].reverse() : MODES) {
      const args = [...V8_FLAGS, fileURLToPath(import.meta.url), '--child', name, String(size), mode, `--root=${ROOT}`];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${name} ${mode}: ${r.stderr}`);
      const got = JSON.parse(r.stdout);
      acc[mode].pauses = acc[mode].pauses.concat(got.pauses);
      acc[mode].small += got.small;
      acc[mode].latencies.push(...got.latencies);
      acc[mode].walls.push(got.wall);
    }
  }
  for (const mode of MODES) {
    const a = acc[mode];
    console.log(`| ${name} ${size} | ${mode} | ${a.pauses.length} (+${a.small}) | ${ms(quantile(a.pauses, 0.5))} | ${ms(quantile(a.pauses, 0.99))} | ` +
      `${ms(Math.max(...a.pauses))} | ${ms(quantile(a.latencies, 0.5))} | ${ms(Math.max(...a.latencies))} | ${ms(quantile(a.walls, 0.5))} |`);
  }
}

#!/usr/bin/env node
// Host heap allocation and time per call from the host into the guest through
// the embedding API: program.fn(name) (looked up once) and program.call(name, ...).
//
//   node bench/embed-calls.mjs              every variant, in the tiers this host has
//   node bench/embed-calls.mjs --reps=5     child runs per (variant, K); median (default 3)
//
// Method (as bench/calls.mjs): each measurement is a fresh child node process with
//   --max-semi-space-size=256 --min-semi-space-size=256 --expose-gc
// so that no scavenge runs during the measured loop and garbage stays counted.
// The child loads the program, warms the entry up (50,000 calls), calls gc(),
// reads process.memoryUsage().heapUsed, makes K calls, and reads heapUsed again;
// fixed costs are the same for K = 1M and K = 2M, so
//   bytes per call = (delta(2M) - delta(1M)) / 1M,   ns per call likewise.
// Collections seen by a PerformanceObserver during the measured loop are
// reported (`gc` column): any means the delta underestimates the garbage.

import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

const SOURCE = `
fn add(a: i32, b: i32) -> i32 { return a + b; }
fn mix(x: f64, y: f64) -> f64 { return x * 0.5 + y; }
fn pos(x: i32) -> bool { return x > 0; }
fn len(s: str) -> i32 { return s.len; }
fn main() { }
`;

/** name -> how the child makes its K calls (p: the program). */
const VARIANTS = {
  'fn add(i32, i32) -> i32': (p, k) => { const f = p.fn('add'); let n = 0; for (let i = 0; i < k; i++) n = f(n, 1); return n; },
  'fn mix(f64, f64) -> f64': (p, k) => { const f = p.fn('mix'); let x = 0; for (let i = 0; i < k; i++) x = f(x, 1.5); return x; },
  'fn pos(i32) -> bool': (p, k) => { const f = p.fn('pos'); let c = 0; for (let i = 0; i < k; i++) if (f(i - 5)) c++; return c; },
  'call("add", i32, i32)': (p, k) => { let n = 0; for (let i = 0; i < k; i++) n = p.call('add', n, 1); return n; },
  'fn len(str) -> i32': (p, k) => { const f = p.fn('len'); let n = 0; for (let i = 0; i < k; i++) n += f('abc'); return n; },
};

const MODES = {
  interp: { tier: 'interp' },
  'jit wasm': { tier: 'jit', backend: 'wasm' },
  'jit js': { tier: 'jit', backend: 'js' },
};

async function child({ variant, mode, k }) {
  const { load } = await import(pathToFileURL(join(ROOT, 'dist/vm.js')).href);
  const body = VARIANTS[variant];
  const warm = load('e.tier', SOURCE, { ...MODES[mode], stdout: () => {} });
  body(warm.program, 50_000);
  const r = load('e.tier', SOURCE, { ...MODES[mode], stdout: () => {} });
  body(r.program, 50_000);
  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });
  globalThis.gc(); globalThis.gc();
  await new Promise((res) => setTimeout(res, 10));
  gcs = 0;
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  body(r.program, k);
  const t1 = performance.now();
  const after = process.memoryUsage().heapUsed;
  await new Promise((res) => setTimeout(res, 10));   // let the observer report
  obs.disconnect();
  return { delta: after - before, ms: t1 - t0, gcs };
}

function measure(variant, mode, k, nodeFlags) {
  const r = spawnSync(process.execPath, [...nodeFlags, '--max-semi-space-size=256', '--min-semi-space-size=256', '--expose-gc',
    SELF, '--child', JSON.stringify({ variant, mode, k })], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') { console.log(JSON.stringify(await child(JSON.parse(args[1])))); return; }
  const reps = Number((args.find((a) => a.startsWith('--reps=')) ?? '--reps=3').slice(7));
  const K1 = 1_000_000, K2 = 2_000_000;
  console.log(`node ${process.version}; K = ${K1} and ${K2}, ${reps} child run(s) each, median; heapUsed around the loop`);
  console.log(`${'variant'.padEnd(26)} ${'mode'.padEnd(9)} ${'B/call'.padStart(7)} ${'ns/call'.padStart(8)}  gc`);
  for (const variant of Object.keys(VARIANTS)) {
    for (const mode of Object.keys(MODES)) {
      const runs = (k) => Array.from({ length: reps }, () => measure(variant, mode, k, []));
      const a = runs(K1), b = runs(K2);
      if (a.includes(null) || b.includes(null)) { console.log(`${variant.padEnd(26)} ${mode.padEnd(9)} (not on this host)`); continue; }
      const bytes = (median(b.map((x) => x.delta)) - median(a.map((x) => x.delta))) / (K2 - K1);
      const ns = (median(b.map((x) => x.ms)) - median(a.map((x) => x.ms))) * 1e6 / (K2 - K1);
      const gcs = [...a, ...b].reduce((n, x) => n + x.gcs, 0);
      console.log(`${variant.padEnd(26)} ${mode.padEnd(9)} ${Math.max(0, bytes).toFixed(1).padStart(7)} ${ns.toFixed(0).padStart(8)}  ${gcs}`);
    }
  }
}

await main();

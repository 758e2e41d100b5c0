#!/usr/bin/env node
// Time per guest call across one tier boundary, in process: the program's loop
// with the call, minus the same loop with the callee's work written inline, both
// run alternately in one VM process after a warm-up, median of the per-pair
// differences. Fresh processes per measurement (the former method) put start-up
// and V8 tiering noise of tens of milliseconds into a signal of a few, and gave
// negative nanoseconds; here both loops share every fixed cost and K is large.
//
//   node bench/crossing-time.mjs [--reps=7] [--k=4000000] FLAGS...
//   FLAGS: --tier=T  --jit-filter=RE  --no-inline  --jit-backend=B
// Prints one JSON line: { call: {ns, min, max}, fcall: {ns, min, max} } (ns per call).
import { load } from '../dist/vm.js';

const SOURCE = `fn inc(x: i32) -> i32 { return x + 1; }
fn half(x: f64) -> f64 { return x * 0.5 + 1.0; }
fn main(args: [str]) {
  let k = parse_i32(args[0]);
  let v = args[1];
  var n = 0;
  var f = 0.0;
  if v == "call" { for i in 0..k { n = inc(n); } }
  if v == "loop" { for i in 0..k { n = n + 1; } }
  if v == "fcall" { for i in 0..k { f = half(f); } }
  if v == "floop" { for i in 0..k { f = f * 0.5 + 1.0; } }
  print(n);
  print(f);
}`;

const args = process.argv.slice(2);
const opt = (name, dflt) => { const a = args.find((x) => x.startsWith(`--${name}=`)); return a ? a.slice(name.length + 3) : dflt; };
const reps = Number(opt('reps', '7'));
const k = Number(opt('k', '4000000'));
const vmOpts = { tier: opt('tier', 'auto'), stdout: () => {} };
if (opt('jit-filter', null)) vmOpts.jitFilter = opt('jit-filter', null);
if (opt('jit-backend', null)) vmOpts.backend = opt('jit-backend', null);
if (args.includes('--no-inline')) vmOpts.inline = false;

const loaded = load('crossing.tier', SOURCE, vmOpts);
if (!loaded.ok) process.exit(1);

function time(variant, n) {
  const p = load('crossing.tier', SOURCE, { ...vmOpts, args: [String(n), variant] });
  const t0 = performance.now();
  if (p.program.run() !== 0) throw new Error(`run failed: ${variant}`);
  return performance.now() - t0;
}

function perCall(withCall, without) {
  for (let i = 0; i < 2; i++) { time(withCall, k / 4); time(without, k / 4); }   // warm-up
  const diffs = [];
  for (let i = 0; i < reps; i++) {
    const a = i % 2 ? time(without, k) : 0;
    const c = time(withCall, k);
    const b = i % 2 ? a : time(without, k);
    diffs.push(((c - b) * 1e6) / k);
  }
  diffs.sort((x, y) => x - y);
  return { ns: diffs[diffs.length >> 1], min: diffs[0], max: diffs[diffs.length - 1] };
}

console.log(JSON.stringify({ call: perCall('call', 'loop'), fcall: perCall('fcall', 'floop') }));

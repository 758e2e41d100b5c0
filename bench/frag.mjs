// Time per allocation as the heap grows: bench/programs/frag.tier (small
// survivors interleaved with garbage of every size) with live sets from about
// 10 MB to 1 GB, in process (start-up excluded), in the default tier. A flat
// ns-per-allocation column means allocation and collection stay amortized
// constant-time however large and fragmented the heap is.
//
//   node bench/frag.mjs [--reps=3] [--sizes=40000,400000,4000000] [--tier=auto]
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../dist/vm.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = readFileSync(`${ROOT}/bench/programs/frag.tier`, 'utf8');
const opt = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const reps = Number(opt.reps ?? 3);
const sizes = (opt.sizes ?? '40000,400000,4000000').split(',').map(Number);
const tier = opt.tier ?? 'auto';

console.log(`frag.tier, tier ${tier}, median of ${reps} (min-max); live ~ N x 256 B`);
console.log('| N | live (approx) | allocations | time ms | ns per allocation | peak heap | GC pauses total / max |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const n of sizes) {
  const times = [];
  let gcLine = '';
  for (let r = 0; r < reps; r++) {
    let err = '';
    const p = load('frag.tier', src, { tier, args: [String(n)], stdout: () => {}, stderr: (t) => { err += t; }, gcStats: true });
    const t0 = performance.now();
    const status = p.program.run();
    times.push(performance.now() - t0);
    if (status !== 0) throw new Error(`frag ${n}: exit ${status}: ${err}`);
    gcLine = err;
  }
  times.sort((a, b) => a - b);
  const med = times[times.length >> 1];
  const allocs = 11 * n;
  const m = /pause total ([\d.]+) ms, max ([\d.]+) ms, p99 [\d.]+ ms, peak heap ([\d.]+ \w+)/.exec(gcLine);
  console.log(`| ${n} | ${(n * 256 / 1e6).toFixed(0)} MB | ${allocs} | ${med.toFixed(0)} (${times[0].toFixed(0)}-${times[times.length - 1].toFixed(0)}) | ` +
    `${(med * 1e6 / allocs).toFixed(1)} | ${m ? m[3] : '?'} | ${m ? `${m[1]} / ${m[2]} ms` : '?'} |`);
}

// Time per allocation as the heap grows: bench/programs/frag.tier (small
// survivors interleaved with garbage of every size) with live sets from about
// 10 MB to 1 GB, in the default tier. A flat ns-per-allocation column means
// allocation and collection stay amortized constant-time however large and
// fragmented the heap is.
//
// Each repetition runs in a fresh process (this script, as `--child`), after a
// disposed warm-up run of N = 40000, and is timed there around `run()` only:
// start-up and warm-up are excluded, and no repetition inherits
// the memories of the ones before (the host frees a 2 GB WebAssembly memory
// only when its collector gets to it, so in one process a 1 GB repetition ran
// 1.3-1.7x slower). Wall and CPU (user + system) times are both given; on a
// loaded machine the CPU column is the one to compare.
//
//   node bench/frag.mjs [--reps=3] [--sizes=40000,400000,4000000] [--tier=auto]
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const opt = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const tier = opt.tier ?? 'auto';
const WARMUP_N = 40000;

if (opt.child !== undefined) await child(Number(opt.child));
else parent();

/** One repetition: load, run, and print its times and --gc-stats line as JSON. */
async function child(n) {
  const { load } = await import('../dist/vm.js');
  const src = readFileSync(`${ROOT}/bench/programs/frag.tier`, 'utf8');
  // A warm-up run at the smallest size, disposed: the measured run then finds
  // the host's code for the runtime (collector, allocator, compiler) already
  // optimized, as a long-running program does, whatever its size.
  const warm = load('frag.tier', src, { tier, args: [String(WARMUP_N)], stdout: () => {} });
  if (!warm.ok || warm.program.run() !== 0) throw new Error('frag: the warm-up run failed');
  warm.program.dispose();
  let err = '';
  const p = load('frag.tier', src, { tier, args: [String(n)], stdout: () => {}, stderr: (t) => { err += t; }, gcStats: true });
  if (!p.ok) throw new Error(p.text);
  const c0 = process.cpuUsage(), t0 = performance.now();
  const status = p.program.run();
  const wall = performance.now() - t0, c = process.cpuUsage(c0);
  if (status !== 0) throw new Error(`frag ${n}: exit ${status}: ${err}`);
  process.stdout.write(JSON.stringify({ wall, cpu: (c.user + c.system) / 1000, gcLine: err }));
}

function parent() {
  const reps = Number(opt.reps ?? 3);
  const sizes = (opt.sizes ?? '40000,400000,4000000').split(',').map(Number);
  const fmt = (xs) => { const s = [...xs].sort((a, b) => a - b); return { med: s[s.length >> 1], min: s[0], max: s[s.length - 1] }; };
  console.log(`frag.tier, tier ${tier}, median of ${reps} fresh processes (min-max); live ~ N x 256 B`);
  console.log('| N | live (approx) | allocations | wall ms | CPU ms | ns per allocation (CPU) | peak heap | GC pauses total / max |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of sizes) {
    const runs = [];
    for (let r = 0; r < reps; r++) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), `--child=${n}`, `--tier=${tier}`], { encoding: 'utf8', maxBuffer: 1 << 24 });
      runs.push(JSON.parse(out));
    }
    const wall = fmt(runs.map((r) => r.wall)), cpu = fmt(runs.map((r) => r.cpu));
    const allocs = 11 * n;
    const m = /pause total ([\d.]+) ms, max ([\d.]+) ms, p99 [\d.]+ ms, peak heap ([\d.]+ \w+)/.exec(runs[runs.length - 1].gcLine);
    console.log(`| ${n} | ${(n * 256 / 1e6).toFixed(0)} MB | ${allocs} | ${wall.med.toFixed(0)} (${wall.min.toFixed(0)}-${wall.max.toFixed(0)}) | ` +
      `${cpu.med.toFixed(0)} (${cpu.min.toFixed(0)}-${cpu.max.toFixed(0)}) | ${(cpu.med * 1e6 / allocs).toFixed(1)} | ${m ? m[3] : '?'} | ${m ? `${m[1]} / ${m[2]} ms` : '?'} |`);
  }
}

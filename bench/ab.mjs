// A/B: the same benchmark programs on two builds of tiervm, in one process,
// alternating which runs first, so both see the same machine state. For checking
// that a refactor costs nothing (the noise floor of an A/A run on a shared 2-core
// machine is about 3% of the median).
//
//   node bench/ab.mjs --base=DIR [--new=DIR] [--tier=interp] [--reps=11] [--base-opts=JSON]
//                     [--new-opts=JSON] [--clock=wall|cpu] [NAME:SIZE ...]
//
// --clock=cpu times each run in CPU time of this process (user + sys, every
// thread: V8's compiler threads too) instead of wall time: steadier when other
// processes share the cores.
// --base-opts / --new-opts add load() options for one side (e.g.
// `--new-opts='{"maxSteps":1e15,"deadlineMs":1e9}'` measures what limits cost,
// with --base=. for the same build without them).
// DIR is a tiervm checkout with a built dist/ (e.g. `git worktree add /tmp/base REV
// && (cd /tmp/base && npm ci && npm run build)`); --new defaults to this checkout.
// Prints min, median and max milliseconds of the run (load excluded) per build,
// the ratio of the medians, and the median of the ratios of each pair of runs
// made back to back (`paired`: steadier when the machine's load drifts).
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PROGRAMS = ['fib:32', 'nbody:200000', 'fannkuch:9', 'richards:200', 'binarytrees:14', 'spectral:300', 'strings:300000'];

function parse(argv) {
  const o = { base: null, new: ROOT, tier: 'interp', reps: 11, clock: 'wall', programs: [], opts: { base: {}, new: {} } };
  for (const a of argv) {
    const m = /^--(base|new|tier|reps|clock)=(.+)$/.exec(a);
    const j = /^--(base|new)-opts=(.+)$/.exec(a);
    if (j) o.opts[j[1]] = JSON.parse(j[2]);
    else if (m) o[m[1]] = m[1] === 'reps' ? Math.max(1, Number(m[2])) : m[1] === 'tier' || m[1] === 'clock' ? m[2] : resolve(m[2]);
    else if (/^\w+:\d+$/.test(a)) o.programs.push(a);
    else { console.error(`ab: unknown argument ${a}`); process.exit(2); }
  }
  if (!o.base) { console.error('ab: --base=DIR is required'); process.exit(2); }
  if (o.clock !== 'wall' && o.clock !== 'cpu') { console.error('ab: --clock must be wall or cpu'); process.exit(2); }
  if (o.programs.length === 0) o.programs = DEFAULT_PROGRAMS;
  return o;
}

const o = parse(process.argv.slice(2));
const builds = [['base', await import(`${o.base}/dist/vm.js`)], ['new', await import(`${o.new}/dist/vm.js`)]];
const stats = (t) => { t.sort((a, b) => a - b); return { min: t[0], median: t[t.length >> 1], max: t[t.length - 1] }; };
/** Milliseconds by the chosen clock. */
const now = o.clock === 'cpu' ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : () => performance.now();
console.log(`tier ${o.tier}, ${o.reps} runs each, alternating order; ${o.clock === 'cpu' ? 'CPU ' : ''}ms (min / median / max)` +
  `${Object.keys(o.opts.base).length ? `; base options ${JSON.stringify(o.opts.base)}` : ''}` +
  `${Object.keys(o.opts.new).length ? `; new options ${JSON.stringify(o.opts.new)}` : ''}`);
for (const p of o.programs) {
  const [name, size] = p.split(':');
  const src = readFileSync(`${ROOT}/bench/programs/${name}.tier`, 'utf8');
  const times = { base: [], new: [] };
  for (let i = 0; i < o.reps; i++) {
    for (const [label, vm] of i % 2 ? [...builds].reverse() : builds) {
      const r = vm.load(name, src, { tier: o.tier, ...o.opts[label], args: [size], stdout: () => {} });
      if (!r.ok) throw new Error(`${label}: load failed`);
      const t0 = now();
      r.program.run();
      times[label].push(now() - t0);
    }
  }
  const paired = stats(times.new.map((t, i) => t / times.base[i]));
  const b = stats(times.base), n = stats(times.new);
  const f = (s) => `${s.min.toFixed(0)} / ${s.median.toFixed(0)} / ${s.max.toFixed(0)}`;
  console.log(`${p.padEnd(16)} base ${f(b).padEnd(18)} new ${f(n).padEnd(18)} new/base ${(n.median / b.median).toFixed(3)}  paired ${paired.median.toFixed(3)}`);
}

#!/usr/bin/env node
// tiervm's interpreter against Lua 5.4: the issue-11 target (at most 1.5x Lua's
// time as a geometric mean). Each program runs at a size where Lua takes 1-3 s;
// the time is user+sys CPU of the whole process (from /usr/bin/time, start-up
// included), the median over the repetitions, tiervm and Lua interleaved with
// the order alternating, so both see the same machine. Every run's stdout must
// equal Lua's first output (a mismatch exits 1).
//
//   node bench/interp-vs-lua.mjs                 the eight programs, 3 repetitions
//   node bench/interp-vs-lua.mjs --reps=5 fib:37 sieve:20000000
//   node bench/interp-vs-lua.mjs --tiervm=DIR    another checkout's bin/tiervm.js
//   node bench/interp-vs-lua.mjs --base=DIR      also that checkout's interpreter,
//                                                interleaved with the others (before/after)
//
// Prints per program: Lua and tiervm seconds (median, min..max) and the ratio of
// the medians; then the geometric mean of the ratios and the load average.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import os from 'node:os';
import { PROGRAMS, ROOT, median, geomean } from './lib/common.mjs';

/** Sizes where lua5.4 runs 1-3 s on the reference machine (2 shared cores). */
const DEFAULT = ['fib:37', 'nbody:1000000', 'spectral:1000', 'fannkuch:10', 'binarytrees:16',
  'mandelbrot:2000', 'sieve:20000000', 'richards:1000'];

function parse(argv) {
  const o = { reps: 3, tiervm: ROOT, base: null, programs: [] };
  for (const a of argv) {
    let m;
    if ((m = /^--reps=(\d+)$/.exec(a))) o.reps = Math.max(1, Number(m[1]));
    else if ((m = /^--tiervm=(.+)$/.exec(a))) o.tiervm = resolve(m[1]);
    else if ((m = /^--base=(.+)$/.exec(a))) o.base = resolve(m[1]);
    else if (/^\w+:\d+$/.test(a)) o.programs.push(a);
    else { console.error(`interp-vs-lua: unknown argument ${a}`); process.exit(2); }
  }
  if (o.programs.length === 0) o.programs = DEFAULT;
  return o;
}

const TIME = '/usr/bin/time';
const tmp = mkdtempSync(join(os.tmpdir(), 'interp-vs-lua-'));

/** Runs cmd; returns its stdout and user+sys seconds (wall seconds without /usr/bin/time). */
function measure(cmd, args) {
  const timeFile = join(tmp, 'time');
  if (existsSync(TIME)) {
    const r = spawnSync(TIME, ['-f', '%U %S', '-o', timeFile, cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    const [u, s] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return { out: r.stdout, secs: u + s };
  }
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { out: r.stdout, secs: (performance.now() - t0) / 1000 };
}

const o = parse(process.argv.slice(2));
const interp = (dir) => (name, n) =>
  measure(process.execPath, [join(dir, 'bin', 'tiervm.js'), 'run', '--tier=interp', join(PROGRAMS, `${name}.tier`), n]);
const runners = { lua: (name, n) => measure('lua5.4', [join(PROGRAMS, `${name}.lua`), n]), interp: interp(o.tiervm) };
if (o.base) runners.base = interp(o.base);
const who = Object.keys(runners);
const fmt = (xs) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}..${Math.max(...xs).toFixed(2)})`;

console.log(`interp vs lua5.4, user+sys seconds, median (min..max) of ${o.reps}, interleaved${existsSync(TIME) ? '' : ' (wall time: no /usr/bin/time)'}`);
console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(o.base
  ? `base: ${o.base}\n| program | lua5.4 s | base interp s | interp s | base/lua | interp/lua |\n|---|---|---|---|---|---|`
  : '| program | lua5.4 s | interp s | interp/lua |\n|---|---|---|---|');
const ratios = [], baseRatios = [];
let failed = false;
for (const p of o.programs) {
  const [name, n] = p.split(':');
  const times = Object.fromEntries(who.map((w) => [w, []]));
  let expected = null;
  for (let i = 0; i < o.reps; i++) {
    // The order rotates from one repetition to the next.
    for (let k = 0; k < who.length; k++) {
      const w = who[(i + k) % who.length];
      const r = runners[w](name, n);
      expected ??= r.out;
      if (r.out !== expected) { failed = true; console.error(`${w} ${p}: output differs:\n${r.out}\nexpected:\n${expected}`); }
      times[w].push(r.secs);
    }
  }
  const ratio = median(times.interp) / median(times.lua);
  ratios.push(ratio);
  if (o.base) {
    const baseRatio = median(times.base) / median(times.lua);
    baseRatios.push(baseRatio);
    console.log(`| ${p} | ${fmt(times.lua)} | ${fmt(times.base)} | ${fmt(times.interp)} | ${baseRatio.toFixed(2)}x | ${ratio.toFixed(2)}x |`);
  } else {
    console.log(`| ${p} | ${fmt(times.lua)} | ${fmt(times.interp)} | ${ratio.toFixed(2)}x |`);
  }
}
console.log(o.base
  ? `| geomean | | | | ${geomean(baseRatios).toFixed(2)}x | ${geomean(ratios).toFixed(2)}x |`
  : `| geomean | | | ${geomean(ratios).toFixed(2)}x |`);
console.log(`load average at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
rmSync(tmp, { recursive: true, force: true });
process.exit(failed ? 1 : 0);

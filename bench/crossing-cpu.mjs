#!/usr/bin/env node
// Crossings before/after in CPU time: for each direction and shape (default the
// 1-parameter shapes i32, f64, ref; --shapes=i1,f6,r6,... any of 0..6
// parameters of one kind, as bench/crossing-time.mjs), a driver loop that calls
// the callee 3M times and the same loop with the callee's work inline, each in a
// fresh process of this checkout and of --base=DIR, alternating; ns per call =
// CPU time (user + sys) per iteration of the call loop minus the fastest run of
// the inline loop. Steadier than wall time when other processes share the cores.
// Every process loads the program of all the shapes asked for (so the i2c
// adapter's br_table and the interpreter's call sites see them all).
//
//   node bench/crossing-cpu.mjs --base=DIR [--reps=3] [--in-process=RUNS]
//        [--shapes=i1,f1,r1] [--only=REGEXP-OF-DIRECTIONS] [--generic]
// Prints min / median / max per build, direction and shape.
// --generic: also the two directions with --adapters=generic.
//
// --in-process=RUNS: each process runs both loops itself (2M calls each, RUNS
// alternating pairs after warm-up; ns per call = call minus inline loop of the
// same pair) and reports the min and the median of its RUNS; --reps processes
// per build, alternating. Prints min / median of the processes' minimums and
// medians: less exposed to a loaded machine than one loop per process.
// --spread (with --in-process): min / median / max of the processes' medians
// and the count of slow processes (median over 1.4x the 10th percentile of both
// builds' process medians),
// the symptom of V8 running the interpreter's loop in its OSR code.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (n, d) => process.argv.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3) ?? d;
const TYPE = { i: 'i32', f: 'f64', r: 'Box' }, INIT = { i: '0', f: '0.0', r: 'BOX' }, CHECK = { i: 'x', f: 'x as i32', r: 'x.v' };
/** The callee's result from its first parameter (or from nothing): bench/crossing-time.mjs's. */
const WORK = { i: (a) => (a ? `${a} + 1` : '7'), f: (a) => (a ? `${a} * 0.5 + 1.0` : '0.5'), r: (a) => a ?? 'BOX' };
function shapeSource(s) {
  const k = s[0], n = Number(s.slice(1)), T = TYPE[k];
  const params = Array.from({ length: n }, (_, i) => `a${i}: ${T}`).join(', ');
  const call = n > 0 || k === 'r' ? `c_${s}(${Array(n).fill('x').join(', ')})` : `x + c_${s}()`;
  const inline = n > 0 ? WORK[k]('x') : k === 'r' ? 'BOX' : `x + ${WORK[k](null)}`;
  const driver = (name, update) => `fn ${name}_${s}(n: i32) -> i32 { var x: ${T} = ${INIT[k]}; for i in 0..n { x = ${update}; } return ${CHECK[k]}; }`;
  return [`fn c_${s}(${params}) -> ${T} { return ${WORK[k](n > 0 ? 'a0' : null)}; }`, driver('call', call), driver('loop', inline)].join('\n');
}
if (process.argv[2] === '--child') {
  const [, , , dist, tier, filter, noInline, adapters, shapes, fn, inProcess] = process.argv;
  const { load } = await import(resolve(dist, 'vm.js'));
  const o = { tier, stdout: () => {}, ...(filter !== '-' ? { jitFilter: filter } : {}), ...(noInline === '1' ? { inline: false } : {}), ...(adapters !== '-' ? { adapters } : {}) };
  const SRC = ['struct Box { v: i32 }', 'var BOX = new Box { v: 3 };', ...shapes.split(',').map(shapeSource), 'fn main() {}'].join('\n');
  const p = load('x.tier', SRC, o).program;
  /** CPU ns per iteration of driver f over `calls` iterations. */
  const cpuNs = (f, calls) => { const c0 = process.cpuUsage(); p.call(f, calls); const c = process.cpuUsage(c0); return ((c.user + c.system) * 1e3) / calls; };
  // Every shape's drivers warmed up, as a program calling them all would.
  for (let i = 0; i < 20; i++) for (const s of shapes.split(',')) { p.call(`call_${s}`, 500); p.call(`loop_${s}`, 500); }
  if (inProcess === undefined) {
    for (let i = 0; i < 5; i++) p.call(fn, 10000);
    console.log(cpuNs(fn, 3e6));
  } else {
    const other = fn.replace(/^call_/, 'loop_');
    for (let i = 0; i < 20; i++) { p.call(fn, 10000); p.call(other, 10000); }
    const est = [];
    for (let r = 0; r < Number(inProcess); r++) est.push(cpuNs(fn, 2e6) - cpuNs(other, 2e6));
    est.sort((a, b) => a - b);
    console.log(JSON.stringify([est[0], est[est.length >> 1]]));
  }
  process.exit(0);
}
const base = arg('base', null), reps = Number(arg('reps', '3')), inProcess = arg('in-process', null);
const shapes = arg('shapes', 'i1,f1,r1').split(','), only = arg('only', null);
if (!base) { console.error('crossing-cpu: --base=DIR is required'); process.exit(2); }
if (!shapes.every((s) => /^[ifr][0-6]$/.test(s))) { console.error('crossing-cpu: --shapes are i0..i6, f0..f6, r0..r6'); process.exit(2); }
const builds = { before: resolve(base, 'dist'), after: resolve(HERE, '../dist') };
const DIRS = Object.fromEntries(Object.entries({
  'interp -> interp': ['interp', '-', '0', '-'],
  'interp -> compiled': ['jit', '^c_', '0', '-'],
  'interp -> compiled, generic adapters': ['jit', '^c_', '0', 'generic'],
  'compiled -> interp': ['jit', '^(call|loop)_', '0', '-'],
  'compiled -> interp, generic adapters': ['jit', '^(call|loop)_', '0', 'generic'],
  'compiled -> compiled': ['jit', '-', '1', '-'],
}).filter(([n]) => (process.argv.includes('--generic') || !n.includes('generic')) && (only === null || new RegExp(only).test(n))));
const child = (dist, d, fn, ...more) => {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dist, ...d, shapes.join(','), fn, ...more], { encoding: 'utf8' });
  if (r.status !== 0) { console.error(`crossing-cpu: child failed (${dist} ${d.join(' ')} ${fn})\n${r.stderr}`); process.exit(1); }
  return r.stdout;
};
const time = (dist, d, fn) => Number(child(dist, d, fn));
const shapeName = (s) => ({ i: 'i32', f: 'f64', r: 'ref' }[s[0]]) + (s[1] === '1' ? '' : ` x ${s[1]}`);
const show = (a) => { const x = [...a].sort((p, q) => p - q); return `${x[0].toFixed(1)} / ${x[x.length >> 1].toFixed(1)} / ${x.at(-1).toFixed(1)}`; };
if (inProcess !== null) inProcessTable();
else console.log('| crossing | shape | before ns (min / median / max) | after ns (min / median / max) |\n|---|---|---:|---:|');
for (const [name, d] of inProcess !== null ? [] : Object.entries(DIRS)) {
  for (const k of shapes) {
    const t = { before: { call: [], loop: [] }, after: { call: [], loop: [] } };
    for (let r = 0; r < reps; r++) {
      for (const b of r % 2 ? ['after', 'before'] : ['before', 'after']) {
        t[b].call.push(time(builds[b], d, `call_${k}`)); t[b].loop.push(time(builds[b], d, `loop_${k}`));
      }
    }
    const per = (b) => t[b].call.map((c) => c - Math.min(...t[b].loop));
    console.log(`| ${name} | ${shapeName(k)} | ${show(per('before'))} | ${show(per('after'))} |`);
  }
}

/** --in-process: min / median of the processes' minimums and medians; with
 *  --spread, min / median / max of the processes' medians and how many
 *  processes were slow (median over 1.4x the 10th percentile of both builds'
 *  process medians): V8's two compiles of the interpreter's loop show as two clusters. */
function inProcessTable() {
  const spread = process.argv.includes('--spread');
  const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
  const show = (rs) => `${Math.min(...rs.map((r) => r[0])).toFixed(1)} / ${med(rs.map((r) => r[1])).toFixed(1)}`;
  const showSpread = (rs, floor) => {
    const m = rs.map((r) => r[1]).sort((p, q) => p - q);
    return `${m[0].toFixed(1)} / ${m[m.length >> 1].toFixed(1)} / ${m.at(-1).toFixed(1)} (${m.filter((x) => x > 1.4 * floor).length}/${m.length} slow)`;
  };
  console.log(spread
    ? '| crossing | shape | before ns, process medians (min / median / max, slow) | after ns (same) |\n|---|---|---:|---:|'
    : '| crossing | shape | before ns (min / median) | after ns (min / median) |\n|---|---|---:|---:|');
  for (const [name, d] of Object.entries(DIRS)) {
    for (const k of shapes) {
      const t = { before: [], after: [] };
      for (let r = 0; r < reps; r++) {
        for (const b of r % 2 ? ['after', 'before'] : ['before', 'after']) t[b].push(JSON.parse(child(builds[b], d, `call_${k}`, inProcess)));
      }
      if (process.env.CROSSING_RAW) console.error(name, k, JSON.stringify(t));
      const all = [...t.before, ...t.after].map((r) => r[1]).sort((p, q) => p - q), floor = all[Math.floor(all.length / 10)];
      console.log(spread
        ? `| ${name} | ${shapeName(k)} | ${showSpread(t.before, floor)} | ${showSpread(t.after, floor)} |`
        : `| ${name} | ${shapeName(k)} | ${show(t.before)} | ${show(t.after)} |`);
    }
  }
}

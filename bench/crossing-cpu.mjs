#!/usr/bin/env node
// Crossings before/after in CPU time: for each direction and the 1-parameter
// shapes (i32, f64, ref), a driver loop that calls the callee 3M times and the
// same loop with the callee's work inline, each in a fresh process of this
// checkout and of --base=DIR, alternating; ns per call = CPU time (user + sys)
// per iteration of the call loop minus the fastest run of the inline loop.
// Steadier than wall time when other processes share the cores.
//
//   node bench/crossing-cpu.mjs --base=DIR [--reps=3] [--in-process=RUNS]
// Prints min / median / max per build, direction and shape.
//
// --in-process=RUNS: each process runs both loops itself (2M calls each, RUNS
// alternating pairs after warm-up; ns per call = call minus inline loop of the
// same pair) and reports the min and the median of its RUNS; --reps processes
// per build, alternating. Prints min / median of the processes' minimums and
// medians: less exposed to a loaded machine than one loop per process.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const arg = (n, d) => process.argv.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3) ?? d;
if (process.argv[2] === '--child') {
  const [, , , dist, tier, filter, noInline, fn, inProcess] = process.argv;
  const { load } = await import(resolve(dist, 'vm.js'));
  const o = { tier, stdout: () => {}, ...(filter !== '-' ? { jitFilter: filter } : {}), ...(noInline === '1' ? { inline: false } : {}) };
  const SRC = ['struct Box { v: i32 }', 'var BOX = new Box { v: 3 };',
    'fn c_i(a: i32) -> i32 { return a + 1; }', 'fn c_f(a: f64) -> f64 { return a * 0.5 + 1.0; }', 'fn c_r(a: Box) -> Box { return a; }',
    ...[['i', 'i32', '0', 'x', 'x + 1'], ['f', 'f64', '0.0', 'x as i32', 'x * 0.5 + 1.0'], ['r', 'Box', 'BOX', 'x.v', 'x']].flatMap(([k, T, init, out, work]) => [
      `fn call_${k}(n: i32) -> i32 { var x: ${T} = ${init}; for i in 0..n { x = c_${k}(x); } return ${out}; }`,
      `fn loop_${k}(n: i32) -> i32 { var x: ${T} = ${init}; for i in 0..n { x = ${work}; } return ${out}; }`]),
    'fn main() {}'].join('\n');
  const p = load('x.tier', SRC, o).program;
  /** CPU ns per iteration of driver f over `calls` iterations. */
  const cpuNs = (f, calls) => { const c0 = process.cpuUsage(); p.call(f, calls); const c = process.cpuUsage(c0); return ((c.user + c.system) * 1e3) / calls; };
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
if (!base) { console.error('crossing-cpu: --base=DIR is required'); process.exit(2); }
const builds = { before: resolve(base, 'dist'), after: resolve(HERE, '../dist') };
const DIRS = { 'interp -> interp': ['interp', '-', '0'], 'interp -> compiled': ['jit', '^c_', '0'],
  'compiled -> interp': ['jit', '^(call|loop)_', '0'], 'compiled -> compiled': ['jit', '-', '1'] };
const child = (dist, d, fn, ...more) => spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dist, ...d, fn, ...more], { encoding: 'utf8' }).stdout;
const time = (dist, d, fn) => Number(child(dist, d, fn));
const show = (a) => { const x = [...a].sort((p, q) => p - q); return `${x[0].toFixed(1)} / ${x[x.length >> 1].toFixed(1)} / ${x.at(-1).toFixed(1)}`; };
if (inProcess !== null) inProcessTable();
else console.log('| crossing | shape | before ns (min / median / max) | after ns (min / median / max) |\n|---|---|---:|---:|');
for (const [name, d] of inProcess !== null ? [] : Object.entries(DIRS)) {
  for (const k of ['i', 'f', 'r']) {
    const t = { before: { call: [], loop: [] }, after: { call: [], loop: [] } };
    for (let r = 0; r < reps; r++) {
      for (const b of r % 2 ? ['after', 'before'] : ['before', 'after']) {
        t[b].call.push(time(builds[b], d, `call_${k}`)); t[b].loop.push(time(builds[b], d, `loop_${k}`));
      }
    }
    const per = (b) => t[b].call.map((c) => c - Math.min(...t[b].loop));
    console.log(`| ${name} | ${{ i: 'i32', f: 'f64', r: 'ref' }[k]} | ${show(per('before'))} | ${show(per('after'))} |`);
  }
}

/** --in-process: min / median of the processes' minimums and medians. */
function inProcessTable() {
  const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
  const show = (rs) => `${Math.min(...rs.map((r) => r[0])).toFixed(1)} / ${med(rs.map((r) => r[1])).toFixed(1)}`;
  console.log('| crossing | shape | before ns (min / median) | after ns (min / median) |\n|---|---|---:|---:|');
  for (const [name, d] of Object.entries(DIRS)) {
    for (const k of ['i', 'f', 'r']) {
      const t = { before: [], after: [] };
      for (let r = 0; r < reps; r++) {
        for (const b of r % 2 ? ['after', 'before'] : ['before', 'after']) t[b].push(JSON.parse(child(builds[b], d, `call_${k}`, inProcess)));
      }
      console.log(`| ${name} | ${{ i: 'i32', f: 'f64', r: 'ref' }[k]} | ${show(t.before)} | ${show(t.after)} |`);
    }
  }
}

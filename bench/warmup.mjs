#!/usr/bin/env node
// Warm-up curve: per-iteration time of bench/programs/warmup.tier (the n-body kernel,
// STEPS steps per iteration) from the very first iteration, in --tier=auto with the
// default backend (when tiervm has it), with every other tier and backend as reference
// lines, and the tiering events (compile + install, OSR entry) marked where they happen.
//
//   node bench/warmup.mjs                 5 runs per tier; bench/out/warmup.json and bench/out/charts/warmup.svg
//   node bench/warmup.mjs --runs=9 --iterations=60 --steps=200
//   node bench/warmup.mjs --svg=PATH      where the chart goes (the suite passes bench/charts/warmup.svg)
//
// Method. Each run is a fresh child node process that loads the program through the
// embedding API (dist/vm.js) and runs it on its own thread, so that the program's
// clock() and the host's performance.now() are the same clock: every --trace-tier
// line is time-stamped by the host as it is written, and placed on the iteration
// whose time window contains it. The program records the start of every iteration;
// the time of iteration i is start(i+1) - start(i), so work done between two
// iterations (an OSR compile at the loop's back-edge) counts too. The curve is the
// median over the runs, iteration by iteration; markers come from the first auto run.
// The final energy is checked against nbody.js at ITERATIONS * STEPS steps.

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT, PROGRAMS, OUT_DIR, TIERVM_BIN, VM_API, median, tiervmCapabilities, tiervmVariants, machineInfo, describeMachine } from './lib/common.mjs';
import { lineChart } from './lib/svg.mjs';

const PROGRAM = join(PROGRAMS, 'warmup.tier');

function parseArgs(argv) {
  const o = { runs: 5, iterations: 60, steps: 200, svg: join(OUT_DIR, 'charts', 'warmup.svg'), child: null, tiervmBin: TIERVM_BIN, vm: VM_API };
  for (const a of argv) {
    let m;
    if ((m = /^--runs=(\d+)$/.exec(a))) o.runs = Math.max(1, +m[1]);
    else if ((m = /^--iterations=(\d+)$/.exec(a))) o.iterations = Math.max(2, +m[1]);
    else if ((m = /^--steps=(\d+)$/.exec(a))) o.steps = Math.max(1, +m[1]);
    else if ((m = /^--svg=(.+)$/.exec(a))) o.svg = resolve(m[1]);
    else if ((m = /^--tiervm-bin=(.+)$/.exec(a))) o.tiervmBin = resolve(m[1]);
    else if ((m = /^--vm=(.+)$/.exec(a))) o.vm = resolve(m[1]);
    else if ((m = /^--child=(.+)$/.exec(a))) o.child = JSON.parse(m[1]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/warmup.mjs [--runs=N] [--iterations=N] [--steps=N] [--svg=PATH]');
      process.exit(0);
    } else {
      console.error(`warmup: unknown option ${a}`);
      process.exit(2);
    }
  }
  return o;
}

// ---- child: one run in one tier --------------------------------------------------------
async function child(o) {
  const { load } = await import(pathToFileURL(o.vm).href);
  const out = [];
  const events = [];
  const loaded = load(relative(ROOT, PROGRAM), readFileSync(PROGRAM, 'utf8'), {
    ...o.child,
    traceTier: true,
    args: [String(o.iterations), String(o.steps)],
    stdout: (t) => { out.push(t); },
    stderr: (t) => {
      const now = performance.now();
      for (const line of t.split('\n')) if (line.trim()) events.push({ t: now, line });
    },
  });
  if (!loaded.ok) return { error: `load failed (${loaded.exitCode}): ${events.map((e) => e.line).join(' / ')}` };
  const t0 = performance.now();
  const status = await loaded.program.run();
  const t1 = performance.now();
  const lines = out.join('').trim().split('\n');
  const rows = lines.slice(0, -1).map((l) => l.split(' ').map(Number));
  return { status, runMs: t1 - t0, runStart: t0, rows, energy: lines[lines.length - 1], events };
}

// ---- parent ------------------------------------------------------------------------------
function spawnRun(o, variant) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), `--child=${JSON.stringify(variant.api)}`, `--iterations=${o.iterations}`, `--steps=${o.steps}`, `--vm=${o.vm}`],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  try {
    return JSON.parse((r.stdout ?? '').trim().split('\n').pop());
  } catch {
    return { error: `child exited with status ${r.status}: ${(r.stderr ?? '').trim().slice(0, 2000)}` };
  }
}

/** Per-iteration milliseconds: start(i+1) - start(i); the last one is its own duration. */
function iterationTimes(rows) {
  return rows.map((r, i) => (i + 1 < rows.length ? rows[i + 1][1] - r[1] : r[2]));
}

/** Tiering events of one auto run, placed on iterations. */
function placeEvents(run) {
  const starts = run.rows.map((r) => r[1]);
  const compileUs = new Map();
  const marks = [];
  for (const e of run.events) {
    let m;
    if ((m = /\[tier\] compile (\S+?)(?: \(osr entry at pc (\d+)\))?: .* in (\d+) us/.exec(e.line))) {
      compileUs.set(`${m[1]}@${m[2] ?? 'entry'}`, +m[3]);
      continue;
    }
    let label = null;
    if ((m = /\[tier\] install (\S+)/.exec(e.line))) {
      const us = compileUs.get(`${m[1]}@entry`);
      label = `${m[1]} compiled${us !== undefined ? ` (${(us / 1000).toFixed(1)} ms)` : ''}`;
    } else if ((m = /\[tier\] osr (\S+) at pc (\d+)/.exec(e.line))) {
      const us = compileUs.get(`${m[1]}@${m[2]}`);
      label = `${m[1]} OSR${us !== undefined ? ` (${(us / 1000).toFixed(1)} ms)` : ''}`;
    }
    if (!label) continue;
    let i = starts.findIndex((s, k) => e.t >= s && (k + 1 === starts.length || e.t < starts[k + 1]));
    if (e.t < starts[0]) i = -1;
    // An event inside iteration i is drawn at i + its position within the iteration.
    const x = i < 0 ? 0 : i + (i + 1 < starts.length ? (e.t - starts[i]) / (starts[i + 1] - starts[i]) : 0);
    marks.push({ x: Math.max(0, x), iteration: i, label: i < 0 ? `${label}, before iteration 0` : label, line: e.line });
  }
  return marks;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.child) {
    let res;
    try {
      res = await child(o);
    } catch (e) {
      res = { error: `exception: ${e?.stack ?? e}` };
    }
    process.stdout.write(`${JSON.stringify(res)}\n`);
    return;
  }

  const caps = tiervmCapabilities(o.tiervmBin);
  const variants = tiervmVariants(caps);
  const focusVariant = variants.find((v) => v.tier === 'auto') ?? variants.find((v) => v.tier === 'interp');
  const focus = focusVariant.id;
  const ordered = [focusVariant, ...variants.filter((v) => v !== focusVariant)];
  const tiers = ordered.map((v) => v.id);
  const byId = Object.fromEntries(ordered.map((v) => [v.id, v]));
  const total = o.iterations * o.steps;
  const ref = spawnSync(process.execPath, [join(PROGRAMS, 'nbody.js'), String(total)], { encoding: 'utf8' });
  const expectedEnergy = ref.stdout.trim().split('\n')[1];

  const runs = Object.fromEntries(tiers.map((t) => [t, []]));
  for (let k = 0; k < o.runs; k++) {
    for (const t of tiers) {
      const r = spawnRun(o, byId[t]);
      if (r.error || r.status !== 0) {
        console.error(`warmup: ${t} run ${k + 1} failed: ${r.error ?? `exit status ${r.status}`}`);
        process.exit(1);
      }
      if (r.energy !== expectedEnergy || r.rows.length !== o.iterations) {
        console.error(`warmup: ${t}: wrong output: energy ${r.energy} (expected ${expectedEnergy}), ${r.rows.length} iterations`);
        process.exit(1);
      }
      runs[t].push(r);
      process.stderr.write(`warmup ${t} run ${k + 1}/${o.runs}: ${r.runMs.toFixed(0)} ms\n`);
    }
  }

  const curves = {};
  for (const t of tiers) {
    const per = runs[t].map((r) => iterationTimes(r.rows));
    curves[t] = per[0].map((_, i) => median(per.map((p) => p[i])));
  }
  const isAuto = focusVariant.tier === 'auto';
  const markers = isAuto ? placeEvents(runs[focus][0]) : [];
  // Steady state: the median of the last quarter of the iterations.
  const steady = (c) => median(c.slice(Math.floor(c.length * 0.75)));
  const summary = { iterations: o.iterations, steps: o.steps, runs: o.runs, focus, tiers: {} };
  for (const t of tiers) {
    const c = curves[t];
    const s = steady(c);
    // Warm-up: the first iteration from which the rolling median of 5 iterations
    // stays within 1.5x of the steady state (single spikes, e.g. a GC, are ignored).
    const rolling = c.map((_, i) => median(c.slice(i, i + 5)));
    let settled = c.length;
    for (let i = c.length - 1; i >= 0 && rolling[i] <= 1.5 * s; i--) settled = i;
    summary.tiers[t] = {
      firstMs: c[0], steadyMs: s, settledAt: settled,
      msUntilSettled: c.slice(0, settled).reduce((a, x) => a + x, 0),
      totalMs: median(runs[t].map((r) => r.runMs)),
    };
  }
  if (isAuto) {
    summary.firstCompiled = markers.length ? { iteration: markers[0].iteration, label: markers[0].label } : null;
    summary.events = markers.map((m) => ({ iteration: m.iteration, x: +m.x.toFixed(3), label: m.label }));
  }

  const fmt = (x) => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
  const md = [];
  md.push(`bench/programs/warmup.tier: ${o.iterations} iterations of ${o.steps} n-body steps; per-iteration time is the median of ${o.runs} runs (fresh process each).`);
  md.push('');
  md.push('| tier | iteration 0 (ms) | steady state (ms/iteration) | settled from iteration (rolling median within 1.5× of steady) | time until then (ms) | whole run (ms) |');
  md.push('|---|---:|---:|---:|---:|---:|');
  for (const t of tiers) {
    const s = summary.tiers[t];
    md.push(`| ${byId[t].label} | ${fmt(s.firstMs)} | ${fmt(s.steadyMs)} | ${s.settledAt} | ${fmt(s.msUntilSettled)} | ${fmt(s.totalMs)} |`);
  }
  if (markers.length) {
    md.push('');
    md.push(`Tiering events in the first ${byId[focus].label} run: ${markers.map((m) => `${m.label} at iteration ${m.iteration < 0 ? 'before 0' : m.iteration}`).join('; ')}.`);
  } else if (!isAuto) {
    md.push('');
    md.push('tiervm has no --tier=auto yet: the curve shows the interpreter only.');
  }
  summary.markdown = md.join('\n');

  const machine = machineInfo();
  const colors = ['#1f4e9e', '#e69138', '#8e63ce', '#38761d', '#cc0000', '#45818e'];
  const svg = lineChart({
    title: `Warm-up: time per iteration, tiervm ${byId[focus].label} from the first iteration`,
    subtitle: [
      `warmup.tier: ${o.steps} n-body steps per iteration; median of ${o.runs} fresh processes per line; markers: tiering events of one ${byId[focus].label} run (compile time)`,
      `${describeMachine(machine)}; node ${machine.node}; ${machine.date.slice(0, 10)}`,
    ],
    xLabel: 'iteration', yLabel: 'ms per iteration (log scale)', logY: true,
    series: tiers.map((t, i) => ({
      label: t === focus ? `tiervm ${byId[t].label}` : `tiervm ${byId[t].label} (reference)`,
      color: colors[i % colors.length], dashed: t !== focus,
      points: curves[t].map((y, k) => [k, Math.max(y, 1e-4)]),
    })),
    markers: markers.map((m) => ({ x: m.x, label: m.label })),
  });
  mkdirSync(dirname(o.svg), { recursive: true });
  writeFileSync(o.svg, svg);
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(join(OUT_DIR, 'warmup.json'), `${JSON.stringify({ machine, expectedEnergy, curves, summary }, null, 2)}\n`);
  console.log(summary.markdown);
  console.log(`\nchart: ${relative(ROOT, o.svg)}; data: ${relative(ROOT, join(OUT_DIR, 'warmup.json'))}`);
}

await main();

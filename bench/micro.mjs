#!/usr/bin/env node
// Micro-benchmarks of the machinery itself, for every tier tiervm has:
//   1. call crossings: ns per call and host (JavaScript) heap bytes per call, for
//      guest calls within and between tiers (bench/crossings.mjs, which runs
//      bench/calls.mjs per crossing; interpreter only: bench/calls.mjs) and for calls
//      from guest code to a host function (`extern fn`), measured here the same way;
//   2. compile latency per function and per bytecode word (from --trace-tier);
//   3. time to first compiled execution: from load() to the first statement of main
//      in --tier=jit, and to the first compiled code entered in --tier=auto.
// Rows that need the JIT print "not available yet" while `tiervm --help` lists no
// --tier=jit.
//
//   node bench/micro.mjs [--reps=5]     markdown on stdout, bench/out/micro.md and bench/out/micro.json
//
// Every child is a fresh node process (cold V8, as a user's process would be).

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BENCH, ROOT, PROGRAMS, OUT_DIR, VM_API, median, linearFit, tiervmCapabilities, tiervmVariants, machineInfo, describeMachine,
} from './lib/common.mjs';

const SELF = fileURLToPath(import.meta.url);
// Programs (and sizes) used for compile latency and time to first execution.
const PROGRAMS_FOR_COMPILE = [
  ['fib', 20], ['nbody', 1000], ['spectral', 100], ['fannkuch', 7], ['mandelbrot', 200], ['binarytrees', 6],
  ['fasta', 1000], ['sieve', 100000], ['richards', 1], ['strings', 1000],
];
const FIRST_EXEC_PROGRAMS = [['fib', 25], ['nbody', 100000], ['richards', 10], ['fasta', 100000]];

function parseArgs(argv) {
  const o = { reps: 5, vm: VM_API, child: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let m;
    if ((m = /^--reps=(\d+)$/.exec(a))) o.reps = Math.max(1, +m[1]);
    else if ((m = /^--vm=(.+)$/.exec(a))) o.vm = resolve(m[1]);
    else if (a === '--child') { o.child = JSON.parse(argv[i + 1]); i++; }
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/micro.mjs [--reps=N]');
      process.exit(0);
    } else {
      console.error(`micro: unknown option ${a}`);
      process.exit(2);
    }
  }
  return o;
}

// ---- children -------------------------------------------------------------------------------
const EXTERN_SOURCE = `// bench/micro.mjs: K calls from guest code to a host function.
extern fn host_inc(x: i32) -> i32;
extern fn host_half(x: f64) -> f64;
fn main(args: [str]) {
  let k = parse_i32(args[0]);
  var n = 0;
  var f = 0.0;
  if args[1] == "i32" { for i in 0..k { n = host_inc(n); } }
  if args[1] == "f64" { for i in 0..k { f = host_half(f); } }
  print(n);
  print(fixed(f, 3));
}
`;

async function childExtern({ api, k, variant, vm }) {
  const { load } = await import(pathToFileURL(vm).href);
  const externs = { host_inc: (x) => x + 1, host_half: (x) => x * 0.5 + 1.0 };
  const opts = (kk, out) => ({ ...api, args: [String(kk), variant], externs, stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
  const warm = load('extern.tier', EXTERN_SOURCE, opts(50_000, []));
  if (warm.ok) await warm.program.run();
  const out = [];
  const loaded = load('extern.tier', EXTERN_SOURCE, opts(k, out));
  if (!loaded.ok) return { error: out.join('') };
  globalThis.gc();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const status = await loaded.program.run();
  const t1 = performance.now();
  const after = process.memoryUsage().heapUsed;
  return { status, delta: after - before, ms: t1 - t0, stdout: out.join('') };
}

/** Load with --trace-tier and a clock() probe at the top of main; time stamps of
 *  everything relative to the moment before load(). */
async function childFirst({ api, name, size, vm }) {
  const { load } = await import(pathToFileURL(vm).href);
  const source = readFileSync(join(PROGRAMS, `${name}.tier`), 'utf8')
    .replace(/fn main\(args: \[str\]\) \{/, (m) => `${m}\n  print("@" + str(clock()));`);
  const events = [];
  const out = [];
  const t0 = performance.now();
  const loaded = load(`${name}.tier`, source, {
    ...api, traceTier: true, args: [String(size)],
    stdout: (t) => out.push(t),
    stderr: (t) => { const now = performance.now(); for (const l of t.split('\n')) if (l.trim()) events.push({ t: now - t0, line: l }); },
  });
  const loadMs = performance.now() - t0;
  if (!loaded.ok) return { error: events.map((e) => e.line).join('\n') };
  const status = await loaded.program.run();
  const endMs = performance.now() - t0;
  const first = /^@([\d.e+-]+)$/m.exec(out.join(''));
  return { status, loadMs, endMs, mainMs: first ? +first[1] - t0 : null, events };
}

function spawnChild(job, nodeFlags = []) {
  const r = spawnSync(process.execPath, [...nodeFlags, SELF, '--child', JSON.stringify(job)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  try {
    return JSON.parse((r.stdout ?? '').trim().split('\n').pop());
  } catch {
    return { error: `child exited with status ${r.status}: ${(r.stderr ?? '').trim().slice(0, 1500)}` };
  }
}

// ---- 1. call crossings ---------------------------------------------------------------------------
function guestCrossings(o, caps, notes) {
  const haveJit = caps.tiers.includes('jit');
  const crossings = join(BENCH, 'crossings.mjs');
  if (haveJit && existsSync(crossings)) {
    const r = spawnSync(process.execPath, [crossings, `--reps=${o.reps}`], { cwd: ROOT, encoding: 'utf8', timeout: 1_800_000 });
    if (r.status !== 0) {
      notes.push(`bench/crossings.mjs failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
      return [];
    }
    return JSON.parse(readFileSync(join(OUT_DIR, 'crossings.json'), 'utf8')).rows;
  }
  const r = spawnSync(process.execPath, [join(BENCH, 'calls.mjs'), '--tier=interp', `--reps=${o.reps}`], { cwd: ROOT, encoding: 'utf8', timeout: 1_800_000 });
  if (r.status !== 0) {
    notes.push(`bench/calls.mjs failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
    return [];
  }
  const res = JSON.parse(readFileSync(join(OUT_DIR, 'calls.json'), 'utf8')).results;
  return [{ name: 'interp -> interp', flags: '--tier=interp', call: res.call, fcall: res.fcall }];
}

function hostCrossings(o, caps, notes) {
  // A host call costs hundreds of ns: K2 = 10 K1 keeps the difference well above
  // the noise of a loaded machine, and the fixed costs still cancel.
  const K1 = 100_000;
  const K2 = 1_000_000;
  const rows = [];
  for (const v of tiervmVariants(caps).filter((x) => x.tier === 'interp' || x.tier === 'jit')) {
    const row = { name: `${v.tier === 'interp' ? 'interp' : `compiled${v.backend ? ` (${v.backend})` : ''}`} -> host (extern)`, flags: v.flags.join(' ') };
    for (const variant of ['i32', 'f64']) {
      const runs = { [K1]: [], [K2]: [] };
      for (let rep = 0; rep < o.reps; rep++) {
        for (const k of [K1, K2]) {
          const r = spawnChild({ kind: 'extern', api: v.api, k, variant, vm: o.vm }, ['--max-semi-space-size=256', '--min-semi-space-size=256', '--expose-gc']);
          const want = variant === 'i32' ? `${k}\n` : null;
          if (r.error || r.status !== 0 || (want && !r.stdout.startsWith(want))) {
            notes.push(`extern calls (${v.label}, ${variant}) failed: ${r.error ?? r.stdout}`);
            return rows;
          }
          runs[k].push(r);
        }
      }
      const d = (k) => median(runs[k].map((r) => r.delta));
      const t = (k) => median(runs[k].map((r) => r.ms));
      row[variant] = { nsPerCall: ((t(K2) - t(K1)) * 1e6) / (K2 - K1), bytesPerCall: (d(K2) - d(K1)) / (K2 - K1) };
    }
    rows.push(row);
  }
  return rows;
}

// ---- 2. compile latency ------------------------------------------------------------------------
const COMPILE_LINE = /\[tier\] compile (\S+?)(?: \(osr entry at pc (\d+)\))?: (\d+) bytecode words -> (\d+) (wasm bytes|JS chars) in (\d+) us/;

function compileLatency(o, caps, notes, variant) {
  const perFn = new Map(); // program/function -> { words, bytes, us: [] }
  let firstInProcess = [];
  for (let rep = 0; rep < o.reps; rep++) {
    for (const [name, size] of PROGRAMS_FOR_COMPILE) {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tiervm.js'), 'run', ...variant.flags, '--trace-tier', join(PROGRAMS, `${name}.tier`), String(size)], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) {
        notes.push(`compile latency: ${name} failed under ${variant.flags.join(' ')} (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' / ')}`);
        continue;
      }
      const lines = r.stderr.split('\n').map((l) => COMPILE_LINE.exec(l)).filter(Boolean).filter((m) => m[2] === undefined);
      if (lines.length === 0) {
        notes.push(`compile latency: no "[tier] compile NAME: W bytecode words -> B wasm bytes in U us" lines from ${name} under ${variant.flags.join(' ')} (trace format changed?)`);
        return null;
      }
      lines.forEach((m, i) => {
        const key = `${name}/${m[1]}`;
        if (!perFn.has(key)) perFn.set(key, { fn: key, words: +m[3], bytes: +m[4], unit: m[5], us: [], order: i });
        perFn.get(key).us.push(+m[6]);
        if (i === 0) firstInProcess.push(+m[6]);
      });
    }
  }
  const fns = [...perFn.values()].map((f) => ({ ...f, medianUs: median(f.us) }));
  // The first compile in a process also pays for V8 compiling tiervm's own compiler
  // (cold JavaScript); the fit uses the others.
  const warm = fns.filter((f) => f.order > 0);
  const fit = linearFit(warm.map((f) => [f.words, f.medianUs]));
  const words = fns.reduce((a, f) => a + f.words, 0);
  const totalUs = fns.reduce((a, f) => a + f.medianUs, 0);
  return {
    variant: variant.label,
    outputUnit: fns[0]?.unit ?? 'bytes',
    functions: fns.length,
    medianUsPerFunction: median(fns.map((f) => f.medianUs)),
    medianUsPerFunctionWarm: median(warm.map((f) => f.medianUs)),
    firstCompileInProcessUs: median(firstInProcess),
    usPerWord: totalUs / words,
    medianUsPerWord: median(fns.map((f) => f.medianUs / f.words)),
    fit: { usPerWord: fit.slope, usFixedPerFunction: fit.intercept },
    wasmBytesPerWord: fns.reduce((a, f) => a + f.bytes, 0) / words,
    medianWords: median(fns.map((f) => f.words)),
    largest: fns.reduce((a, f) => (f.words > a.words ? f : a), fns[0]),
    detail: fns.map(({ fn, words: w, bytes, medianUs }) => ({ fn, words: w, bytes, us: medianUs })),
  };
}

// ---- 3. time to first (compiled) execution ------------------------------------------------------
function firstExecution(o, caps, notes) {
  const variants = tiervmVariants(caps);
  const rows = [];
  for (const [name, size] of FIRST_EXEC_PROGRAMS) {
    const row = { program: `${name} ${size}` };
    for (const v of variants) {
      const runs = [];
      for (let rep = 0; rep < o.reps; rep++) {
        const r = spawnChild({ kind: 'first', api: v.api, name, size, vm: o.vm });
        if (r.error || r.status !== 0) {
          notes.push(`first execution: ${name} on ${v.label} failed: ${r.error ?? `exit ${r.status}`}`);
          break;
        }
        const compiled = r.events.find((e) => /\[tier\] (install|osr) /.test(e.line));
        runs.push({ load: r.loadMs, main: r.mainMs, end: r.endMs, firstCompiled: compiled ? compiled.t : null, what: compiled?.line ?? null });
      }
      if (!runs.length) continue;
      const med = (f) => { const xs = runs.map(f).filter((x) => x !== null); return xs.length ? median(xs) : null; };
      row[v.id] = { loadMs: med((r) => r.load), mainMs: med((r) => r.main), endMs: med((r) => r.end), firstCompiledMs: med((r) => r.firstCompiled), firstCompiled: runs[0].what };
    }
    rows.push(row);
  }
  return { variants, rows };
}

// ---- report -------------------------------------------------------------------------------------
const f1 = (x) => (x === null || x === undefined ? 'n/a' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
/** Host bytes per call: a difference of two heap readings, whose resolution is
 *  about 0.1 byte per call (V8's own allocations move heapUsed a few hundred
 *  kilobytes either way); below that it prints as < 0.1, never as a negative. */
const bytesPerCall = (x) => (x === null || x === undefined ? 'n/a' : x < 0.1 ? '< 0.1' : x.toFixed(1));

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.child) {
    let res;
    try {
      res = o.child.kind === 'extern' ? await childExtern(o.child) : await childFirst(o.child);
    } catch (e) {
      res = { error: `exception: ${e?.stack ?? e}` };
    }
    process.stdout.write(`${JSON.stringify(res)}\n`);
    return;
  }
  if (!existsSync(o.vm)) {
    console.error(`micro: ${relative(ROOT, o.vm)} not found; build first (npm run build)`);
    process.exit(2);
  }
  const caps = tiervmCapabilities();
  const haveJit = caps.tiers.includes('jit');
  const notes = [];
  const machine = machineInfo();
  const NA = 'not available yet (tiervm --help lists no --tier=jit)';

  process.stderr.write('micro: guest call crossings...\n');
  const guest = guestCrossings(o, caps, notes);
  process.stderr.write('micro: host (extern) crossings...\n');
  const host = hostCrossings(o, caps, notes);
  process.stderr.write('micro: compile latency...\n');
  const jitVariants = tiervmVariants(caps).filter((v) => v.tier === 'jit');
  const compiles = caps.has('--trace-tier') ? jitVariants.map((v) => compileLatency(o, caps, notes, v)).filter(Boolean) : [];
  if (jitVariants.length && !caps.has('--trace-tier')) notes.push('tiervm has --tier=jit but no --trace-tier: compile latency not measured');
  process.stderr.write('micro: time to first execution...\n');
  const first = firstExecution(o, caps, notes);

  const md = [];
  md.push('# tiervm micro-benchmarks');
  md.push('');
  md.push(`${describeMachine(machine)}; node ${machine.node}; tiervm ${machine.commit ?? ''}; ${machine.date.slice(0, 10)}; ` +
    `tiers: ${caps.tiers.join(', ')}${caps.backends ? `; backends: ${caps.backends.values.join(', ')}` : ''}; medians of ${o.reps} fresh processes.`);
  md.push('');
  md.push('### Call crossings');
  md.push('');
  md.push('ns per guest call: in one process, the loop with the call minus the same loop with the callee\'s add or multiply-add ' +
    'written inline, K = 4M, median of 7 pairs (bench/crossing-time.mjs); where the pairs\' range includes 0 the call costs nothing ' +
    'measurable (an inlined leaf) and the cell says ≈ 0. Host heap bytes per call, and extern calls: the difference between ' +
    'K = 1M and 2M calls in fresh processes (bench/calls.mjs; extern calls: 100k and 1M), including the caller\'s loop; their resolution is about 0.1 B.');
  md.push('');
  md.push('| crossing | flags | i32 call ns | i32 B/call | f64 call ns | f64 B/call |');
  md.push('|---|---|---:|---:|---:|---:|');
  const ns = (c) => (c.nsRange && c.nsRange[0] <= 0 && c.nsRange[1] >= 0 ? '≈ 0' : f1(c.nsPerCall));
  for (const r of guest) md.push(`| ${r.name} | \`${r.flags}\` | ${ns(r.call)} | ${bytesPerCall(r.call.bytesPerCall)} | ${ns(r.fcall)} | ${bytesPerCall(r.fcall.bytesPerCall)} |`);
  if (!haveJit) md.push(`| interp -> compiled, compiled -> interp, compiled -> compiled | | ${NA} | | | |`);
  for (const r of host) {
    if (r.i32 && r.f64) md.push(`| ${r.name} | \`${r.flags}\` | ${f1(r.i32.nsPerCall)} | ${bytesPerCall(r.i32.bytesPerCall)} | ${f1(r.f64.nsPerCall)} | ${bytesPerCall(r.f64.bytesPerCall)} |`);
  }
  md.push('');
  md.push('### Compile latency');
  md.push('');
  if (!compiles.length) {
    md.push(`| measure | value |\n|---|---:|\n| per function | ${NA} |\n| per bytecode word | ${NA} |`);
  } else {
    const c0 = compiles[0];
    md.push(`Every function of the ten benchmark programs compiled by \`--tier=jit --trace-tier\` (${c0.functions} functions, median size ${c0.medianWords} bytecode words), ` +
      'time from bytecode to installable code (an instantiated WebAssembly module, or a JS function) as the backend reports it; median per function over the runs.');
    md.push('');
    md.push(`| measure | ${compiles.map((c) => `jit ${c.variant.replace(/^jit ?/, '')}`).join(' | ')} |`);
    md.push(`|---|${compiles.map(() => '---:').join('|')}|`);
    const row = (label, f) => md.push(`| ${label} | ${compiles.map(f).join(' | ')} |`);
    row('per function (median, all)', (c) => `${f1(c.medianUsPerFunction / 1000)} ms`);
    row('per function (median, not the first compile of a process)', (c) => `${f1(c.medianUsPerFunctionWarm / 1000)} ms`);
    row('first compile of a process (median; includes V8 warming up tiervm\'s compiler)', (c) => `${f1(c.firstCompileInProcessUs / 1000)} ms`);
    row('per bytecode word (total time / total words)', (c) => `${f1(c.usPerWord)} µs`);
    row('per bytecode word (least-squares slope) + fixed per function (intercept)', (c) => `${f1(c.fit.usPerWord)} µs/word + ${f1(c.fit.usFixedPerFunction / 1000)} ms`);
    row('output per bytecode word', (c) => `${f1(c.wasmBytesPerWord)} ${c.outputUnit}`);
    row('largest function', (c) => `${c.largest.fn}: ${c.largest.words} words, ${f1(c.largest.us.length ? median(c.largest.us) / 1000 : null)} ms`);
  }
  md.push('');
  md.push('### Time to first execution');
  md.push('');
  md.push('Milliseconds from just before `load()` (front-end, bytecode) in a fresh process: to the first statement of `main` ' +
    '(a `clock()` probe added there), and in auto mode to the first compiled code installed or entered by OSR (from `--trace-tier`).');
  md.push('');
  const autos = first.variants.filter((v) => v.tier === 'auto');
  const head = ['program', 'load()', ...first.variants.map((v) => `main starts, ${v.label}`), ...autos.map((v) => `first compiled code, ${v.label}`), ...(haveJit ? [] : ['first compiled execution'])];
  md.push(`| ${head.join(' | ')} |`);
  md.push(`|---|${head.slice(1).map(() => '---:').join('|')}|`);
  for (const r of first.rows) {
    const cells = [r.program, f1(r[first.variants[0].id]?.loadMs)];
    for (const v of first.variants) cells.push(f1(r[v.id]?.mainMs));
    for (const v of autos) {
      const x = r[v.id];
      cells.push(x?.firstCompiledMs != null ? `${f1(x.firstCompiledMs)} (${(x.firstCompiled ?? '').replace(/^\[tier\] /, '').replace(/ \(.*$/, '')})` : 'none');
    }
    if (!haveJit) cells.push(NA);
    md.push(`| ${cells.join(' | ')} |`);
  }
  if (notes.length) {
    md.push('');
    for (const n of notes) md.push(`- Note: ${n}`);
  }
  const text = md.join('\n');
  console.log(text);
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(join(OUT_DIR, 'micro.md'), `${text}\n`);
  writeFileSync(join(OUT_DIR, 'micro.json'), `${JSON.stringify({ machine, tiers: caps.tiers, backends: caps.backends, reps: o.reps, guest, host, compiles, first, notes }, null, 2)}\n`);
  console.log(`\n(written to ${relative(ROOT, join(OUT_DIR, 'micro.md'))} and micro.json)`);
}

await main();

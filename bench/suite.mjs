#!/usr/bin/env node
// tiervm's scoreboard: ten programs on every tiervm tier and on the peers, side by side.
//
//   npm run bench                        full run: 3 interleaved repetitions, report, JSON, charts
//   npm run bench -- --quick             tiny sizes, each runner once, outputs only; exit 1 on a mismatch
//   npm run bench -- --reps=5            more repetitions
//   npm run bench -- --only=fib,nbody    some benchmarks
//   npm run bench -- --size=fib:35       another size (repeatable)
//   npm run bench -- --runners=tiervm,js,c    some runners (ids below; `tiervm` = every tier)
//   npm run bench -- --tier=interp,jit   only these tiervm tiers
//   npm run bench -- --timeout=300       seconds before one run is killed (default 300)
//   npm run bench -- --no-warmup         skip the warm-up curve (full runs make it)
//   npm run bench -- --micro             also run bench/micro.mjs first (its tables go into RESULTS.md)
//   npm run bench -- --json=PATH         where the JSON goes (default bench/out/suite.json)
//   npm run bench -- --tiervm=PATH       another tiervm entry point (default bin/tiervm.js)
//   npm run bench -- --list              print the benchmarks and runners and exit
//
// Runners: tiervm-TIER for every tier `tiervm --help` lists (and tiervm-TIER-BACKEND
// if it lists compiling backends); js (the same node), c (gcc -O2), lua (lua5.4),
// luajit, fengari (Lua in JS, npm) and quickjs (QuickJS compiled to WebAssembly,
// quickjs-emscripten, npm). A peer that is not installed is skipped with a note.
//
// Every run's stdout is compared with the expected output (published Benchmarks Game
// values or values all peers agree on; for other sizes, the output of the first C or
// JS run). A mismatch, crash or timeout is printed loudly, marks the cell FAIL and
// makes the suite exit 1. Times are wall-clock seconds from spawn to exit.
// A complete run (all benchmarks and runners, default sizes) also writes
// bench/RESULTS.md and bench/charts/*.svg; a partial one writes its report and
// charts under bench/out/ only.

import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BENCH, ROOT, PROGRAMS, OUT_DIR, CHARTS_DIR, TIERVM_BIN,
  median, geomean, commandVersion, tiervmCapabilities, tiervmVariants, machineInfo, describeMachine, fmtSeconds, fmtRatio,
} from './lib/common.mjs';
import { groupedBarChart, PALETTE } from './lib/svg.mjs';

// ---- the benchmarks ------------------------------------------------------------------------
// size: default (about 1-5 s on the tiervm interpreter); quick: --quick.
// known: expected stdout per size. `published` lists the sizes whose values are
// published (Benchmarks Game, Octane) or follow from N ('all': fib, π(N), node counts);
// the other entries are outputs that all eight peers produced byte for byte.
const BENCHMARKS = [
  {
    name: 'fib', size: 34, quick: 20, what: 'naive recursive fib(N): calls, i32 arithmetic', published: 'all',
    known: { 20: '6765', 30: '832040', 32: '2178309', 34: '5702887', 35: '9227465' },
  },
  {
    name: 'nbody', size: 500000, quick: 1000, what: 'n-body: f64 arithmetic, struct fields, sqrt',
    published: [1000],
    known: {
      1000: '-0.169075164\n-0.169087605',
      500000: '-0.169075164\n-0.169096567',
      50000000: '-0.169075164\n-0.169059907',
    },
  },
  {
    name: 'spectral', size: 700, quick: 100, what: 'spectral-norm: a small f64 function called N² times',
    published: [100, 5500],
    known: { 100: '1.274219991', 700: '1.274224139', 1000: '1.274224148', 5500: '1.274224153' },
  },
  {
    name: 'fannkuch', size: 10, quick: 7, what: 'fannkuch-redux: i32 arrays, tight loops',
    published: [7, 12],
    known: {
      7: '228\nPfannkuchen(7) = 16',
      10: '73196\nPfannkuchen(10) = 38',
      12: '3968050\nPfannkuchen(12) = 65',
    },
  },
  {
    name: 'mandelbrot', size: 1000, quick: 200, what: 'mandelbrot: f64 loop, bit packing; checksum of the bitmap',
    known: {
      200: 'P4 200 200: 5000 bytes, 15899 pixels in the set, checksum 585564',
      1000: 'P4 1000 1000: 125000 bytes, 396940 pixels in the set, checksum 448375',
    },
  },
  {
    name: 'binarytrees', size: 15, quick: 6, what: 'binary-trees: allocation and garbage collection',
    published: 'all', // the node counts follow from N (binarytreesOutput below)
    known: {},
  },
  {
    name: 'fasta', size: 400000, quick: 1000, what: 'fasta: LCG, cumulative lookup; checksum of the output',
    known: {},
  },
  {
    name: 'sieve', size: 5000000, quick: 100000, what: 'sieve of Eratosthenes: count primes below N',
    published: 'all', // π(N)
    known: {
      100000: 'primes below 100000: 9592',
      1000000: 'primes below 1000000: 78498',
      5000000: 'primes below 5000000: 348513',
      10000000: 'primes below 10000000: 664579',
    },
  },
  {
    name: 'richards', size: 400, quick: 1, what: 'Richards task scheduler: dispatch through function values',
    published: 'all', // N times Octane's 2322 / 928
    known: {},
  },
  {
    name: 'strings', size: 2000000, quick: 1000, what: 'string building: concatenation, substr, str(i)',
    known: {},
  },
];
// Outputs that are long or follow a rule are filled in here.
function binarytreesOutput(n) {
  const minDepth = 4;
  const maxDepth = Math.max(minDepth + 2, n);
  const nodes = (d) => 2 ** (d + 1) - 1;
  const lines = [`stretch tree of depth ${maxDepth + 1}\t check: ${nodes(maxDepth + 1)}`];
  for (let d = minDepth; d <= maxDepth; d += 2) {
    const it = 2 ** (maxDepth - d + minDepth);
    lines.push(`${it}\t trees of depth ${d}\t check: ${it * nodes(d)}`);
  }
  lines.push(`long lived tree of depth ${maxDepth}\t check: ${nodes(maxDepth)}`);
  return lines.join('\n');
}
for (const n of [6, 10, 14, 15, 16, 18, 20]) BENCHMARKS.find((b) => b.name === 'binarytrees').known[n] = binarytreesOutput(n);
for (const n of [1, 10, 100, 400, 1000]) {
  BENCHMARKS.find((b) => b.name === 'richards').known[n] =
    `richards: ${n} runs, queue count ${2322 * n}, hold count ${928 * n}`;
}
Object.assign(BENCHMARKS.find((b) => b.name === 'fasta').known, {
  1000: [
    '>ONE Homo sapiens alu',
    'GGCCGGGCGCGGTGGCTCACGCCTGTAATCCCAGCACTTTGGGAGGCCGAGGCGGGCGGA',
    'GGCGACAGAGCGAGACTCCG',
    '>TWO IUB ambiguity codes',
    'cttBtatcatatgctaKggNcataaaSatgtaaaDcDRtBggDtctttataattcBgtcg',
    'tHNaaatctBBtcttaYaBWHgtVtgacagcaRcataWctcaBcYacYgatDgtDHccta',
    '>THREE Homo sapiens frequency',
    'aacacttcaccaggtatcgtgaaggctcaagattacccagagaacctttgcaatataaga',
    'ggaagtgaaaagataaatat',
    '10245 bytes, checksum 72754',
  ].join('\n'),
  400000: [
    '>ONE Homo sapiens alu',
    'GGCCGGGCGCGGTGGCTCACGCCTGTAATCCCAGCACTTTGGGAGGCCGAGGCGGGCGGA',
    'GTCTCTACTAAAAATACAAA',
    '>TWO IUB ambiguity codes',
    'cttBtatcatatgctaKggNcataaaSatgtaaaDcDRtBggDtctttataattcBgtcg',
    'tacttacataatacaMtYgcggcatYcactttttDtcaacBtgHttggctttHNtRcgat',
    '>THREE Homo sapiens frequency',
    'cgcacgctaatgtgataacagtaccgccctcacacctgcgtttaaaagacataaatgtcg',
    'catactttcttctacaagat',
    '4066745 bytes, checksum 902221',
  ].join('\n'),
});
Object.assign(BENCHMARKS.find((b) => b.name === 'strings').known, {
  1000: '120 pieces, 3846 code units, checksum 502333\nrest: 989,990,991,992,993,994,995,996,997,998,999,',
  2000000: '447868 pieces, 14888834 code units, checksum 344021\nrest: 1999993,1999994,1999995,1999996,1999997,1999998,1999999,',
});

// ---- command line --------------------------------------------------------------------------
function parseArgs(argv) {
  const o = {
    reps: 3, quick: false, only: null, sizes: {}, runners: null, tiers: null, timeout: 300,
    warmup: true, micro: false, json: join(OUT_DIR, 'suite.json'), tiervm: TIERVM_BIN, list: false,
  };
  for (const a of argv) {
    let m;
    if (a === '--quick') o.quick = true;
    else if ((m = /^--reps=(\d+)$/.exec(a))) o.reps = Math.max(1, +m[1]);
    else if ((m = /^--only=(.+)$/.exec(a))) o.only = m[1].split(',');
    else if ((m = /^--size=(\w+)[:=](\d+)$/.exec(a))) o.sizes[m[1]] = +m[2];
    else if ((m = /^--runners=(.+)$/.exec(a))) o.runners = m[1].split(',');
    else if ((m = /^--tiers?=(.+)$/.exec(a))) o.tiers = m[1].split(',');
    else if ((m = /^--timeout=(\d+)$/.exec(a))) o.timeout = +m[1];
    else if ((m = /^--json=(.+)$/.exec(a))) o.json = resolve(m[1]);
    else if ((m = /^--tiervm=(.+)$/.exec(a))) o.tiervm = resolve(m[1]);
    else if (a === '--no-warmup') o.warmup = false;
    else if (a === '--micro') o.micro = true;
    else if (a === '--list') o.list = true;
    else if (a === '--help' || a === '-h') {
      const text = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
      console.log(text.slice(1, text.findIndex((l) => l.startsWith('import'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n').trim());
      process.exit(0);
    } else {
      console.error(`bench: unknown option ${a} (try --help)`);
      process.exit(2);
    }
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
for (const name of [...(opts.only ?? []), ...Object.keys(opts.sizes)]) {
  if (!BENCHMARKS.some((b) => b.name === name)) {
    console.error(`bench: unknown benchmark ${name} (known: ${BENCHMARKS.map((b) => b.name).join(', ')})`);
    process.exit(2);
  }
}

// ---- runners -------------------------------------------------------------------------------
const NODE = process.execPath;
const require = createRequire(import.meta.url);
const rel = (p) => relative(ROOT, p);
const C_DIR = join(OUT_DIR, 'c');

function npmPackage(name) {
  try {
    const main = require.resolve(name);
    let dir = dirname(main);
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function tiervmRunners(caps) {
  return tiervmVariants(caps).map((v) => ({
    id: `tiervm-${v.id}`, kind: 'tiervm', tier: v.tier, backend: v.backend,
    short: v.label, label: `tiervm ${v.label}`, version: `tiervm ${v.flags.join(' ')}`,
    available: caps.ok, missing: `tiervm does not start: ${caps.error}`,
    ext: 'tier',
    command: (b, n) => [NODE, [rel(opts.tiervm), 'run', ...v.flags, rel(join(PROGRAMS, `${b}.tier`)), String(n)]],
    empty: (dir) => [NODE, [opts.tiervm, 'run', ...v.flags, join(dir, 'empty.tier')]],
  }));
}

function peerRunners() {
  const gcc = commandVersion('gcc', ['--version']);
  const lua = commandVersion('lua5.4', ['-v']);
  const luajit = commandVersion('luajit', ['-v']);
  const fengari = npmPackage('fengari');
  const quickjs = npmPackage('quickjs-emscripten');
  const gccVersion = gcc ? (/(\d+\.\d+(\.\d+)?)/.exec(gcc)?.[1] ?? '') : '';
  return [
    {
      id: 'js', kind: 'peer', short: 'JS', label: `JS (node ${process.version})`, version: `node ${process.version}`,
      available: true, ext: 'js',
      command: (b, n) => [NODE, [rel(join(PROGRAMS, `${b}.js`)), String(n)]],
      empty: (dir) => [NODE, [join(dir, 'empty.js')]],
    },
    {
      id: 'c', kind: 'peer', short: 'C', label: `C (gcc ${gccVersion} -O2)`, version: gcc,
      available: gcc !== null, missing: 'gcc is not installed; C column skipped', ext: 'c',
      command: (b, n) => [join(C_DIR, b), [String(n)]],
      empty: (dir) => [join(dir, 'empty-c'), []],
    },
    {
      id: 'lua', kind: 'peer', short: 'Lua 5.4', label: lua ?? 'Lua 5.4', version: lua,
      available: lua !== null, missing: 'lua5.4 is not installed (apt-get install -y lua5.4); Lua 5.4 column skipped', ext: 'lua',
      command: (b, n) => ['lua5.4', [rel(join(PROGRAMS, `${b}.lua`)), String(n)]],
      empty: (dir) => ['lua5.4', [join(dir, 'empty.lua')]],
    },
    {
      id: 'luajit', kind: 'peer', short: 'LuaJIT', label: luajit ?? 'LuaJIT', version: luajit,
      available: luajit !== null, missing: 'luajit is not installed (apt-get install -y luajit); LuaJIT column skipped', ext: 'lua',
      command: (b, n) => ['luajit', [rel(join(PROGRAMS, `${b}.lua`)), String(n)]],
      empty: (dir) => ['luajit', [join(dir, 'empty.lua')]],
    },
    {
      id: 'fengari', kind: 'peer', short: 'fengari', label: `fengari ${fengari ?? ''} (Lua 5.3 in JS)`, version: fengari && `fengari ${fengari}`,
      available: fengari !== null, missing: 'fengari is not installed (npm install); fengari column skipped', ext: 'lua',
      command: (b, n) => [NODE, [rel(join(BENCH, 'hosts', 'fengari.mjs')), rel(join(PROGRAMS, `${b}.lua`)), String(n)]],
      empty: (dir) => [NODE, [join(BENCH, 'hosts', 'fengari.mjs'), join(dir, 'empty.lua')]],
    },
    {
      id: 'quickjs', kind: 'peer', short: 'QuickJS-wasm', label: `QuickJS in wasm (quickjs-emscripten ${quickjs ?? ''})`,
      version: quickjs && `quickjs-emscripten ${quickjs}`,
      available: quickjs !== null, missing: 'quickjs-emscripten is not installed (npm install); QuickJS column skipped', ext: 'js',
      command: (b, n) => [NODE, [rel(join(BENCH, 'hosts', 'quickjs.mjs')), rel(join(PROGRAMS, `${b}.js`)), String(n)]],
      empty: (dir) => [NODE, [join(BENCH, 'hosts', 'quickjs.mjs'), join(dir, 'empty.js')]],
    },
  ];
}

const caps = tiervmCapabilities(opts.tiervm);
const ALL_RUNNERS = [...tiervmRunners(caps), ...peerRunners()];
ALL_RUNNERS.forEach((r, i) => { r.color = PALETTE[i % PALETTE.length]; });

if (opts.list) {
  console.log('benchmarks:');
  for (const b of BENCHMARKS) console.log(`  ${b.name.padEnd(12)} size ${String(b.size).padEnd(8)} quick ${String(b.quick).padEnd(7)} ${b.what}`);
  console.log('runners:');
  for (const r of ALL_RUNNERS) console.log(`  ${r.id.padEnd(16)} ${r.available ? r.label : `(missing) ${r.missing}`}`);
  process.exit(0);
}

const wanted = (r) => {
  if (opts.tiers && r.kind === 'tiervm' && !opts.tiers.includes(r.tier)) return false;
  if (!opts.runners) return true;
  return opts.runners.includes(r.id) || (r.kind === 'tiervm' && opts.runners.includes('tiervm'));
};
if (opts.runners) {
  for (const id of opts.runners) {
    if (id !== 'tiervm' && !ALL_RUNNERS.some((r) => r.id === id)) {
      console.error(`bench: unknown runner ${id} (known: tiervm, ${ALL_RUNNERS.map((r) => r.id).join(', ')})`);
      process.exit(2);
    }
  }
}
if (opts.tiers) {
  for (const t of opts.tiers) {
    if (!caps.tiers.includes(t)) {
      console.error(`bench: tiervm has no tier ${t} (its help lists: ${caps.tiers.join(', ')})`);
      process.exit(2);
    }
  }
}
const selected = ALL_RUNNERS.filter(wanted);
const notes = [];
let failed = false;
for (const r of selected) {
  if (r.available) continue;
  if (r.kind === 'tiervm') {
    console.error(`bench: FAIL: ${r.missing}`);
    failed = true;
  } else {
    notes.push(r.missing);
  }
}
// A broken tiervm stays in the table (every cell FAIL); a missing peer is left out.
const runners = selected.filter((r) => r.available || r.kind === 'tiervm');
if (!existsSync(join(ROOT, 'dist')) && runners.some((r) => r.kind === 'tiervm')) {
  notes.push('dist/ does not exist: build tiervm first (npm run build)');
}

const benches = BENCHMARKS
  .filter((b) => !opts.only || opts.only.includes(b.name))
  .map((b) => {
    const size = opts.quick ? b.quick : (opts.sizes[b.name] ?? b.size);
    const from = b.known[size] === undefined ? null
      : b.published === 'all' || (b.published ?? []).includes(size) ? 'published value' : 'table (all peers agree)';
    return { ...b, size, expected: b.known[size] ?? null, expectedFrom: from };
  });
const complete = !opts.quick && !opts.only && !opts.runners && !opts.tiers && Object.keys(opts.sizes).length === 0 && opts.tiervm === TIERVM_BIN;

// ---- preparing: C binaries, empty programs --------------------------------------------------
mkdirSync(OUT_DIR, { recursive: true });
const compileErrors = {};
if (runners.some((r) => r.id === 'c')) {
  mkdirSync(C_DIR, { recursive: true });
  for (const b of benches) {
    const r = spawnSync('gcc', ['-O2', '-o', join(C_DIR, b.name), join(PROGRAMS, `${b.name}.c`), '-lm'], { encoding: 'utf8' });
    if (r.status !== 0) compileErrors[b.name] = (r.stderr || r.error?.message || 'gcc failed').trim();
  }
}

const machine = machineInfo();
// Others may rebuild dist/ while the suite runs; a run that mixes builds says so.
const distStamp = () => { try { return statSync(join(ROOT, 'dist', 'vm.js')).mtimeMs; } catch { return null; } };
const distAtStart = distStamp();
const startup = {};
/** Runs of the empty program per runner, interleaved across runners. */
const STARTUP_REPS = 11;
if (!opts.quick) {
  // Start-up of an empty program per runner: it is included in every time below,
  // not subtracted, and reported in a table of its own.
  const dir = join(OUT_DIR, 'empty');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'empty.tier'), 'fn main() {}\n');
  writeFileSync(join(dir, 'empty.js'), '');
  writeFileSync(join(dir, 'empty.lua'), '');
  writeFileSync(join(dir, 'empty.c'), 'int main(void) { return 0; }\n');
  if (runners.some((r) => r.id === 'c')) spawnSync('gcc', ['-O2', '-o', join(dir, 'empty-c'), join(dir, 'empty.c')]);
  const times = Object.fromEntries(runners.map((r) => [r.id, []]));
  for (let i = 0; i < STARTUP_REPS; i++) {
    for (const r of runners) {
      if (!r.available) continue;
      const [cmd, args] = r.empty(dir);
      const t0 = performance.now();
      const x = spawnSync(cmd, args, { stdio: 'ignore', timeout: 60_000 });
      if (x.status === 0) times[r.id].push((performance.now() - t0) / 1000);
    }
  }
  for (const [id, ts] of Object.entries(times)) {
    if (ts.length) startup[id] = { median: median(ts), min: Math.min(...ts), max: Math.max(...ts), runs: ts.length };
  }
}

if (opts.micro && !opts.quick) {
  process.stderr.write('micro-benchmarks (bench/micro.mjs)...\n');
  const m = spawnSync(NODE, [join(BENCH, 'micro.mjs'), `--reps=${Math.max(5, opts.reps)}`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 3_600_000 });
  if (m.status !== 0) notes.push(`bench/micro.mjs failed (exit ${m.status})`);
}

// ---- header ---------------------------------------------------------------------------------
const header = [];
header.push(`- Machine: ${describeMachine(machine)}; load average at start ${machine.loadAverage.join(', ')}`);
header.push(`- Node ${machine.node}; tiervm commit ${machine.commit ?? 'unknown'}${machine.dirty ? ' (with uncommitted changes)' : ''}; ${machine.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`);
header.push(`- Mode: ${opts.quick ? 'quick (tiny sizes, output check only)' : `${opts.reps} interleaved repetition${opts.reps === 1 ? '' : 's'}, wall time from spawn to exit`}`);
header.push(`- Runners: ${runners.map((r) => r.label).join('; ')}`);
for (const n of notes) header.push(`- Note: ${n}`);
console.log(`# tiervm benchmark suite${opts.quick ? ' (quick)' : ''}\n`);
console.log(header.join('\n'));
console.log('');

// ---- running ---------------------------------------------------------------------------------
const normalize = (s) => s.replace(/\r\n/g, '\n').replace(/\s+$/, '');
const indent = (s) => s.split('\n').map((l) => `    ${l}`).join('\n');
const clip = (s, n) => (s.length > n ? `${s.slice(0, n)}\n...(${s.length - n} more characters)` : s);

const results = {};
for (const b of benches) {
  results[b.name] = { size: b.size, expected: b.expected, expectedFrom: b.expectedFrom, runners: {} };
  for (const r of runners) {
    const cell = { times: [], failed: false };
    if (!r.available) Object.assign(cell, { failed: true, failure: r.missing });
    else if (r.id === 'c' && compileErrors[b.name]) Object.assign(cell, { failed: true, failure: 'gcc failed' });
    results[b.name].runners[r.id] = cell;
  }
  if (compileErrors[b.name] && runners.some((r) => r.id === 'c')) {
    failed = true;
    console.error(`FAIL ${b.name}: gcc -O2 ${b.name}.c failed:\n${indent(clip(compileErrors[b.name], 2000))}`);
  }
}

function runOnce(runner, bench) {
  const [cmd, args] = runner.command(bench.name, bench.size);
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: opts.timeout * 1000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds, stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status, signal: r.signal, error: r.error,
    commandLine: [cmd === NODE ? 'node' : rel(cmd).startsWith('..') ? cmd : rel(cmd), ...args].join(' '),
  };
}

function fail(bench, runner, what, run) {
  failed = true;
  const cell = results[bench.name].runners[runner.id];
  cell.failed = true;
  cell.failure = what;
  const bar = '!'.repeat(72);
  console.error(`\n${bar}\nFAIL ${bench.name} (${bench.size}) on ${runner.label}: ${what}`);
  console.error(`command: ${run.commandLine}`);
  if (run.error && run.error.code !== 'ETIMEDOUT') console.error(`spawn error: ${run.error.message}`);
  if (run.status !== null && run.status !== 0) console.error(`exit status: ${run.status}`);
  if (run.signal) console.error(`killed by signal ${run.signal}${run.error?.code === 'ETIMEDOUT' ? ` (timeout ${opts.timeout} s)` : ''}`);
  if (bench.expected !== null) console.error(`expected stdout:\n${indent(bench.expected)}`);
  console.error(`actual stdout:\n${indent(clip(normalize(run.stdout), 4000) || '(empty)')}`);
  if (run.stderr.trim()) console.error(`stderr:\n${indent(clip(run.stderr.trim(), 2000))}`);
  console.error(bar);
}

const reps = opts.quick ? 1 : opts.reps;
const suiteStart = performance.now();
if (opts.quick) await quickCheck();
for (let rep = 0; rep < (opts.quick ? 0 : reps); rep++) {
  process.stderr.write(`repetition ${rep + 1}/${reps}:`);
  for (const b of benches) {
    // Interleaved: each repetition runs every benchmark on every runner once, the
    // runner order rotating, so slow drift of the machine hits all runners alike.
    const order = runners.map((_, i) => runners[(i + rep) % runners.length]);
    // Without a known output, the reference (C, else JS) runs first and defines it.
    const refId = runners.some((r) => r.id === 'c' && !results[b.name].runners.c.failed) ? 'c' : 'js';
    if (b.expected === null) order.sort((x, y) => (y.id === refId) - (x.id === refId));
    for (const r of order) {
      const cell = results[b.name].runners[r.id];
      if (cell.failed) continue;
      const run = runOnce(r, b);
      const out = normalize(run.stdout);
      if (run.error || run.status !== 0 || run.signal) {
        fail(b, r, run.error?.code === 'ETIMEDOUT' ? `timeout (${opts.timeout} s)` : 'did not exit with status 0', run);
        continue;
      }
      if (b.expected === null) {
        b.expected = out;
        results[b.name].expected = out;
        results[b.name].expectedFrom = `first ${r.id} run`;
      }
      if (out !== b.expected) {
        fail(b, r, 'wrong output', run);
        continue;
      }
      cell.times.push(run.seconds);
      process.stderr.write(` ${b.name}/${r.id} ${run.seconds.toFixed(2)}s`);
    }
  }
  process.stderr.write('\n');
}
const suiteSeconds = (performance.now() - suiteStart) / 1000;
if (distStamp() !== distAtStart) {
  const msg = 'dist/ was rebuilt while the suite ran: tiervm results mix two builds (a FAIL may come from the rebuild itself); run again';
  notes.push(msg);
  header.push(`- Note: ${msg}`);
  console.error(`bench: WARNING: ${msg}`);
}

// Quick mode checks outputs only, so it runs several processes at once (one per core).
async function quickCheck() {
  const jobs = [];
  for (const b of benches) {
    for (const r of runners) if (!results[b.name].runners[r.id].failed) jobs.push([b, r]);
  }
  const width = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const [b, r] = jobs[next++];
      const run = await runAsync(r, b);
      if (run.error || run.status !== 0 || run.signal) {
        fail(b, r, run.error?.code === 'ETIMEDOUT' ? `timeout (${opts.timeout} s)` : 'did not exit with status 0', run);
      } else if (normalize(run.stdout) !== b.expected) {
        fail(b, r, 'wrong output', run);
      } else {
        results[b.name].runners[r.id].times.push(run.seconds);
      }
      process.stderr.write('.');
    }
  };
  process.stderr.write(`quick check (${jobs.length} runs, ${width} at a time)`);
  await Promise.all(Array.from({ length: width }, worker));
  process.stderr.write('\n');
}

function runAsync(runner, bench) {
  const [cmd, args] = runner.command(bench.name, bench.size);
  const commandLine = [cmd === NODE ? 'node' : cmd, ...args].join(' ');
  return new Promise((done) => {
    const t0 = performance.now();
    const stdout = [];
    const stderr = [];
    let child;
    try {
      child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeout * 1000 });
    } catch (error) {
      done({ seconds: 0, stdout: '', stderr: '', status: null, signal: null, error, commandLine });
      return;
    }
    child.stdout.on('data', (d) => stdout.push(d));
    child.stderr.on('data', (d) => stderr.push(d));
    let error;
    child.on('error', (e) => { error = e; });
    child.on('close', (status, signal) => {
      done({
        seconds: (performance.now() - t0) / 1000, stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'), status, signal, error, commandLine,
      });
    });
  });
}

// ---- quick mode: report and exit -------------------------------------------------------------
if (opts.quick) {
  console.log(`| benchmark | size | ${runners.map((r) => r.short).join(' | ')} |`);
  console.log(`|---|---:|${runners.map(() => ':---:|').join('')}`);
  for (const b of benches) {
    const cells = runners.map((r) => (results[b.name].runners[r.id].failed ? '**FAIL**' : 'ok'));
    console.log(`| ${b.name} | ${b.size} | ${cells.join(' | ')} |`);
  }
  console.log('');
  console.log(`${failed ? 'quick check: FAILED' : 'quick check: every output matches'} (${suiteSeconds.toFixed(1)} s)`);
  process.exit(failed ? 1 : 0);
}

// ---- statistics -----------------------------------------------------------------------------
const peers = runners.filter((r) => r.kind === 'peer');
for (const b of benches) {
  const res = results[b.name];
  for (const r of runners) {
    const c = res.runners[r.id];
    if (c.failed || c.times.length === 0) continue;
    c.median = median(c.times);
    c.min = Math.min(...c.times);
    c.max = Math.max(...c.times);
  }
  const peerCells = peers.map((p) => [p.id, res.runners[p.id]]).filter(([, c]) => c.median !== undefined);
  peerCells.sort((x, y) => x[1].median - y[1].median);
  res.best = peerCells.length ? { id: peerCells[0][0], median: peerCells[0][1].median } : null;
  res.ratios = { best: {}, js: {} };
  for (const r of runners) {
    const c = res.runners[r.id];
    if (c.median === undefined) continue;
    if (res.best) res.ratios.best[r.id] = c.median / res.best.median;
    if (res.runners.js?.median) res.ratios.js[r.id] = c.median / res.runners.js.median;
  }
}
const geo = { best: {}, js: {} };
for (const kind of ['best', 'js']) {
  for (const r of runners) {
    const xs = benches.map((b) => results[b.name].ratios[kind][r.id]).filter((x) => x !== undefined);
    if (xs.length) geo[kind][r.id] = { value: geomean(xs), of: xs.length };
  }
}

// ---- the report -----------------------------------------------------------------------------
const byId = new Map(runners.map((r) => [r.id, r]));
const fmtCell = (c) => {
  if (!c) return 'n/a';
  if (c.failed) return '**FAIL**';
  if (c.median === undefined) return 'n/a';
  return `${fmtSeconds(c.median)} <sub>${fmtSeconds(c.min)}..${fmtSeconds(c.max)}</sub>`;
};

function ratioTable(kind, title, explain) {
  const lines = [`### ${title}`, '', explain, ''];
  const head = ['benchmark', ...(kind === 'best' ? ['best peer'] : []), ...runners.map((r) => r.short)];
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`|---|${head.slice(1).map(() => '---:').join('|')}|`);
  for (const b of benches) {
    const res = results[b.name];
    const row = [b.name];
    if (kind === 'best') row.push(res.best ? byId.get(res.best.id).short : 'n/a');
    for (const r of runners) {
      const x = res.ratios[kind][r.id];
      const cell = res.runners[r.id];
      row.push(cell.failed ? '**FAIL**' : x === undefined ? 'n/a' : (kind === 'best' && res.best?.id === r.id ? `**${fmtRatio(x)}**` : fmtRatio(x)));
    }
    lines.push(`| ${row.join(' | ')} |`);
  }
  const g = ['**geometric mean**', ...(kind === 'best' ? [''] : [])];
  for (const r of runners) {
    const x = geo[kind][r.id];
    g.push(x ? `**${fmtRatio(x.value)}**${x.of < benches.length ? ` (${x.of} of ${benches.length})` : ''}` : 'n/a');
  }
  lines.push(`| ${g.join(' | ')} |`);
  return lines.join('\n');
}

function versusTable() {
  const tv = runners.filter((r) => r.kind === 'tiervm');
  const lines = ['### tiervm against each peer', '',
    'Geometric mean over the benchmarks of tiervm\'s median time divided by the peer\'s: below 1.00× tiervm is faster ' +
    '(0.25× = four times as fast), above it slower.', ''];
  lines.push(`| tiervm tier | ${peers.map((p) => p.short).join(' | ')} |`);
  lines.push(`|---|${peers.map(() => '---:').join('|')}|`);
  for (const t of tv) {
    const cells = peers.map((p) => {
      const xs = benches.map((b) => {
        const a = results[b.name].runners[t.id];
        const c = results[b.name].runners[p.id];
        return a.median !== undefined && c.median !== undefined ? a.median / c.median : undefined;
      }).filter((x) => x !== undefined);
      return xs.length ? `${fmtRatio(geomean(xs))}${xs.length < benches.length ? ` (${xs.length} of ${benches.length})` : ''}` : 'n/a';
    });
    lines.push(`| ${t.short} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const timeLines = [];
timeLines.push('### Times');
timeLines.push('');
timeLines.push(`Median wall time in seconds, process spawn to exit, over ${reps} interleaved repetitions; ` +
  'min..max in small print. Start-up is included (see Start-up below for an empty program).');
timeLines.push('');
const timeHead = ['benchmark', 'size', ...runners.map((r) => r.short)];
timeLines.push(`| ${timeHead.join(' | ')} |`);
timeLines.push(`|---|---:|${runners.map(() => '---:').join('|')}|`);
for (const b of benches) {
  timeLines.push(`| ${b.name} | ${b.size} | ${runners.map((r) => fmtCell(results[b.name].runners[r.id])).join(' | ')} |`);
}

const startupLines = ['### Start-up', '',
  `The empty program (\`fn main() {}\`, an empty file for the peers), process spawn to exit: median of ${STARTUP_REPS} runs ` +
  'interleaved across runners, min..max in small print, and the median against plain JavaScript\'s (`node` on an empty file, ' +
  'the same as `node -e 0`). Embedders, who load programs in a process already running, pay less: ' +
  '`node bench/startup-phases.mjs` reports their first and second program.', '',
  '| runner | start-up s | / node |', '|---|---:|---:|'];
for (const r of runners) {
  const st = startup[r.id];
  if (!st) { startupLines.push(`| ${r.label} | n/a | |`); continue; }
  const vsNode = startup.js ? `${(st.median / startup.js.median).toFixed(2)}×` : 'n/a';
  startupLines.push(`| ${r.label} | ${fmtSeconds(st.median)} <sub>${fmtSeconds(st.min)}..${fmtSeconds(st.max)}</sub> | ${vsNode} |`);
}

const runnerLines = ['### Runners', '', '| column | runner | command |', '|---|---|---|'];
for (const r of runners) {
  const [cmd, args] = r.command('NAME', 'N');
  const shown = [cmd === NODE ? 'node' : cmd.startsWith(ROOT) ? rel(cmd) : cmd, ...args].join(' ');
  runnerLines.push(`| ${r.short} | ${r.label} | \`${shown}\` |`);
}

const benchLines = ['### Benchmarks', '', '| benchmark | size | what it stresses | output checked against |', '|---|---:|---|---|'];
for (const b of benches) {
  benchLines.push(`| ${b.name} | ${b.size} | ${b.what} | ${results[b.name].expectedFrom ?? 'n/a'} |`);
}

const report = [
  '## Results',
  '',
  header.join('\n'),
  '',
  timeLines.join('\n'),
  '',
  startupLines.join('\n'),
  '',
  versusTable(),
  '',
  ratioTable('best', 'Ratio to the best peer', 'Each median divided by the fastest peer\'s median on that benchmark (the best peer is 1.00×, in bold); 5.00× means five times as long. Peers are every runner except tiervm.'),
  '',
  ratioTable('js', 'Ratio to plain JavaScript', `Each median divided by the median of the same program in plain JavaScript on the same node (${process.version}).`),
  '',
  runnerLines.join('\n'),
  '',
  benchLines.join('\n'),
].join('\n');
console.log(report);
console.log('');
console.log(`Suite time: ${(suiteSeconds / 60).toFixed(1)} min.`);

// ---- charts ---------------------------------------------------------------------------------
const chartDir = complete ? CHARTS_DIR : join(OUT_DIR, 'charts');
mkdirSync(chartDir, { recursive: true });
const dateShort = machine.date.slice(0, 10);
const subtitle = [`${describeMachine(machine)}`, `node ${machine.node}; tiervm ${machine.commit ?? ''}; ${dateShort}; median of ${reps} runs, whiskers min..max; log scale`];
const timesSvg = groupedBarChart({
  title: 'tiervm and peers: wall time per benchmark (lower is better)',
  subtitle, unit: 's', axisLabel: 'seconds, spawn to exit (log scale)',
  series: runners.map((r) => ({ id: r.id, label: r.label, color: r.color })),
  groups: benches.map((b) => ({
    label: b.name,
    sublabel: `N = ${b.size}`,
    bars: runners.map((r) => {
      const c = results[b.name].runners[r.id];
      return c.median === undefined
        ? { series: r.id, value: null, note: c.failed ? 'FAIL' : 'n/a' }
        : { series: r.id, value: c.median, lo: c.min, hi: c.max, text: `${fmtSeconds(c.median)} s` };
    }),
  })),
});
writeFileSync(join(chartDir, 'times.svg'), timesSvg);
const ratioSvg = groupedBarChart({
  title: 'Geometric mean of time relative to the best peer (lower is better)',
  subtitle: [subtitle[0], `node ${machine.node}; ${dateShort}; 1.00 = the fastest peer on each benchmark; log scale`],
  unit: '×', axisLabel: 'time / best peer\'s time, geometric mean over the benchmarks (log scale)',
  series: runners.map((r) => ({ id: r.id, label: r.label, color: r.color })),
  groups: [{
    label: 'all',
    sublabel: `${benches.length} benchmarks`,
    bars: runners.map((r) => (geo.best[r.id]
      ? { series: r.id, value: geo.best[r.id].value, text: `${fmtRatio(geo.best[r.id].value)} ${r.short}` }
      : { series: r.id, value: null })),
  }],
});
writeFileSync(join(chartDir, 'ratios.svg'), ratioSvg);

// ---- warm-up curve ---------------------------------------------------------------------------
let warmup = null;
if (opts.warmup && runners.some((r) => r.kind === 'tiervm' && r.available)) {
  process.stderr.write('warm-up curve...\n');
  const w = spawnSync(NODE, [join(BENCH, 'warmup.mjs'), `--svg=${join(chartDir, 'warmup.svg')}`, `--tiervm-bin=${opts.tiervm}`], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  if (w.status === 0) {
    warmup = JSON.parse(readFileSync(join(OUT_DIR, 'warmup.json'), 'utf8'));
  } else {
    notes.push(`the warm-up curve failed: ${(w.stderr || w.stdout || '').trim().split('\n').slice(-3).join(' / ')}`);
    console.error(`warm-up: FAILED\n${w.stdout}\n${w.stderr}`);
  }
}

// ---- JSON and RESULTS.md ----------------------------------------------------------------------
const json = {
  machine,
  config: { reps, timeoutSeconds: opts.timeout, complete, notes, tiervm: { tiers: caps.tiers, defaultTier: caps.defaultTier, backends: caps.backends } },
  runners: runners.map((r) => ({ id: r.id, kind: r.kind, label: r.label, version: r.version ?? null })),
  startupSeconds: startup,
  benchmarks: benches.map((b) => ({ name: b.name, what: b.what, ...results[b.name] })),
  geomean: Object.fromEntries(['best', 'js'].map((k) => [k, Object.fromEntries(Object.entries(geo[k]).map(([id, g]) => [id, g.value]))])),
  suiteSeconds,
  warmup: warmup?.summary ?? null,
  ok: !failed,
};
mkdirSync(dirname(opts.json), { recursive: true });
writeFileSync(opts.json, `${JSON.stringify(json, null, 2)}\n`);
console.log(`JSON: ${rel(opts.json)}; charts: ${rel(chartDir)}/{times,ratios${warmup ? ',warmup' : ''}}.svg`);

const resultsFile = complete && !failed ? join(BENCH, 'RESULTS.md') : join(OUT_DIR, 'RESULTS.md');
writeFileSync(resultsFile, resultsMarkdown(report, chartDir, warmup));
console.log(`Report: ${rel(resultsFile)}${complete ? '' : ' (a partial run does not replace bench/RESULTS.md)'}`);

function resultsMarkdown(reportText, dir, w) {
  const link = (f) => relative(resultsFile === join(BENCH, 'RESULTS.md') ? BENCH : OUT_DIR, join(dir, f));
  const parts = [
    '# tiervm benchmark results',
    '',
    'Generated by `npm run bench` (bench/suite.mjs); the programs, the method and how to read the numbers are in',
    '[README.md](README.md). Lower is better everywhere.',
    '',
    `![wall time per benchmark](${link('times.svg')})`,
    '',
    `![geometric mean relative to the best peer](${link('ratios.svg')})`,
    '',
    reportText.replace(/^## Results\n/, '## Scoreboard\n'),
    '',
  ];
  if (w) {
    parts.push('## Warm-up: per-iteration time from the first iteration', '');
    parts.push(`![warm-up curve](${link('warmup.svg')})`, '');
    parts.push(w.summary.markdown, '');
  }
  const micro = join(OUT_DIR, 'micro.md');
  if (existsSync(micro)) {
    parts.push('## Micro-benchmarks', '', '(from the latest `node bench/micro.mjs`)', '');
    parts.push(readFileSync(micro, 'utf8').replace(/^# .*\n/, '').trim(), '');
  }
  return parts.join('\n');
}

if (failed) {
  console.error('\nbench: FAILED (see the messages above); timings of failed cells are not reported.');
  process.exit(1);
}

#!/usr/bin/env node
// Benchmark harness: tiervm (interpreter tier) against Lua 5.4 and plain JavaScript.
//
//   npm run bench                      full run, 5 interleaved repetitions
//   npm run bench -- --reps=9          more repetitions
//   npm run bench -- --quick           tiny sizes, only checks outputs (exit 1 on mismatch)
//   npm run bench -- --only=fib,nbody  a subset of the benchmarks
//   npm run bench -- --size=fib:35     override a size (repeatable)
//   npm run bench -- --runners=tiervm,js   a subset of the runners
//   npm run bench -- --tier=interp     the tier passed to tiervm (default interp)
//   npm run bench -- --timeout=300     seconds before one run is killed (default 600)
//   npm run bench -- --tiervm=PATH     another tiervm entry point (default bin/tiervm.js)
//
// Every run's stdout is compared with the expected output; a mismatch (or a crash,
// or a timeout) is reported loudly on stderr, marks the cell FAIL and makes the
// harness exit 1. Times are wall-clock seconds from process spawn to exit, measured
// with performance.now() around spawnSync, so they include process start-up (node
// start-up for tiervm and JS; Lua starts in about a millisecond).
// Results are written to bench/out/results.json.

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

// ---- configuration: sizes and known outputs -------------------------------------------
// `size` is the default size (aim: ~1-3 s per run for the tiervm interpreter),
// `quick` the size used by --quick. `known` maps sizes to the expected stdout
// (published Benchmarks Game values where they exist; the others were produced by
// the JS and Lua versions, which agree). For a size not listed here the runs are
// checked against each other: every run must print what the first JS run printed
// (or, without JS, the first run of any runner).
const BENCHMARKS = [
  {
    name: 'fib', size: 32, quick: 20,
    known: { 20: '6765', 30: '832040', 32: '2178309', 35: '9227465' },
  },
  {
    name: 'nbody', size: 500000, quick: 1000,
    known: {
      1000: '-0.169075164\n-0.169087605',
      500000: '-0.169075164\n-0.169096567',
      50000000: '-0.169075164\n-0.169059907',
    },
  },
  {
    name: 'fannkuch', size: 10, quick: 7,
    known: {
      7: '228\nPfannkuchen(7) = 16',
      10: '73196\nPfannkuchen(10) = 38',
      12: '3968050\nPfannkuchen(12) = 65',
    },
  },
  {
    name: 'spectral', size: 1000, quick: 100,
    known: { 100: '1.274219991', 1000: '1.274224148', 5500: '1.274224153' },
  },
];

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const PROGRAMS = join(HERE, 'programs');
const OUT_DIR = join(HERE, 'out');
const NODE = process.execPath;
const LUA = 'lua5.4';

// ---- command line ---------------------------------------------------------------------
function parseArgs(argv) {
  const opts = { reps: 5, quick: false, only: null, sizes: {}, runners: null, tier: 'interp', timeout: 600, tiervm: null };
  for (const a of argv) {
    let m;
    if (a === '--quick') opts.quick = true;
    else if ((m = /^--reps=(\d+)$/.exec(a))) opts.reps = Math.max(1, +m[1]);
    else if ((m = /^--only=(.+)$/.exec(a))) opts.only = m[1].split(',');
    else if ((m = /^--size=(\w+)[:=](\d+)$/.exec(a))) opts.sizes[m[1]] = +m[2];
    else if ((m = /^--runners=(.+)$/.exec(a))) opts.runners = m[1].split(',');
    else if ((m = /^--tier=(\w+)$/.exec(a))) opts.tier = m[1];
    else if ((m = /^--timeout=(\d+)$/.exec(a))) opts.timeout = +m[1];
    else if ((m = /^--tiervm=(.+)$/.exec(a))) opts.tiervm = m[1];
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 13).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else {
      console.error(`bench: unknown option ${a} (try --help)`);
      process.exit(2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

for (const name of [...(opts.only ?? []), ...Object.keys(opts.sizes)]) {
  if (!BENCHMARKS.some((b) => b.name === name)) {
    console.error(`bench: unknown benchmark ${name} (known: ${BENCHMARKS.map((b) => b.name).join(', ')})`);
    process.exit(2);
  }
}

// ---- runners --------------------------------------------------------------------------
function commandVersion(cmd, args) {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.error || r.status !== 0) return null;
    return (r.stdout + r.stderr).trim().split('\n')[0].replace(/\s+Copyright.*$/, '');
  } catch {
    return null;
  }
}

const luaVersion = commandVersion(LUA, ['-v']);
const tiervmBin = opts.tiervm ? resolve(opts.tiervm) : join(ROOT, 'bin', 'tiervm.js');

const ALL_RUNNERS = [
  {
    id: 'tiervm', label: `tiervm (${opts.tier})`,
    available: existsSync(tiervmBin),
    missing: `${relative(ROOT, tiervmBin)} not found (build the VM first: npm run build)`,
    command: (b, n) => [NODE, [tiervmBin, 'run', `--tier=${opts.tier}`, relative(ROOT, join(PROGRAMS, `${b}.tier`)), String(n)]],
  },
  {
    id: 'lua', label: 'Lua 5.4',
    available: luaVersion !== null,
    missing: `${LUA} is not installed (apt-get install -y lua5.4); Lua column skipped`,
    command: (b, n) => [LUA, [relative(ROOT, join(PROGRAMS, `${b}.lua`)), String(n)]],
  },
  {
    id: 'js', label: `JS (node ${process.version})`,
    available: true,
    command: (b, n) => [NODE, [relative(ROOT, join(PROGRAMS, `${b}.js`)), String(n)]],
  },
];

if (opts.runners) {
  for (const r of opts.runners) {
    if (!ALL_RUNNERS.some((x) => x.id === r)) {
      console.error(`bench: unknown runner ${r} (known: ${ALL_RUNNERS.map((x) => x.id).join(', ')})`);
      process.exit(2);
    }
  }
}
const selected = ALL_RUNNERS.filter((r) => !opts.runners || opts.runners.includes(r.id));
const notes = [];
let failed = false;

for (const r of selected) {
  if (r.available) continue;
  if (r.id === 'tiervm') {
    console.error(`bench: FAIL: ${r.missing}`);
    failed = true;
  } else {
    notes.push(`note: ${r.missing}`);
  }
}
if (!opts.tiervm && existsSync(tiervmBin) && !existsSync(join(ROOT, 'dist')) && selected.some((r) => r.id === 'tiervm')) {
  notes.push('note: dist/ does not exist; tiervm runs will fail until `npm run build`');
}
// A missing tiervm stays in the table (every cell FAIL); a missing Lua is left out.
const runners = selected.filter((r) => r.available || r.id === 'tiervm');

// ---- machine info ---------------------------------------------------------------------
function machineInfo() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch { /* not Linux */ }
  const git = commandVersion('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  return {
    cpu,
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    lua: luaVersion,
    commit: git,
    date: new Date().toISOString(),
  };
}

const machine = machineInfo();
console.log('# tiervm benchmarks');
console.log('');
console.log(`- CPU: ${machine.cpu} (${machine.cores} cores), ${machine.memoryGiB} GiB RAM, ${machine.os}`);
console.log(`- node ${machine.node}; ${machine.lua ?? 'Lua 5.4: not installed'}`);
console.log(`- commit: ${machine.commit ?? 'none'}; date: ${machine.date}`);
console.log(`- mode: ${opts.quick ? 'quick (output check only)' : `${opts.reps} interleaved repetition${opts.reps === 1 ? "" : "s"}`}; tiervm tier: ${opts.tier}`);
// Start-up cost of an empty process, for reading the small timings (not subtracted).
const startup = {};
if (!opts.quick) {
  const time = (cmd, args) => {
    const ts = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      spawnSync(cmd, args, { stdio: 'ignore' });
      ts.push((performance.now() - t0) / 1000);
    }
    return ts.sort((a, b) => a - b)[2];
  };
  startup.node = time(NODE, ['-e', '0']);
  if (luaVersion !== null) startup.lua = time(LUA, ['-e', '']);
  console.log(`- empty-process start-up (included in every time below): node ${startup.node.toFixed(3)} s` +
    `${startup.lua !== undefined ? `, Lua ${startup.lua.toFixed(3)} s` : ''}`);
}
for (const n of notes) console.log(`- ${n}`);
console.log('');

// ---- running --------------------------------------------------------------------------
const benches = BENCHMARKS
  .filter((b) => !opts.only || opts.only.includes(b.name))
  .map((b) => {
    const size = opts.quick ? b.quick : (opts.sizes[b.name] ?? b.size);
    return { name: b.name, size, expected: b.known[size] ?? null };
  });

if (opts.quick) {
  for (const b of benches) {
    if (b.expected === null) throw new Error(`no known output for ${b.name} ${b.size}`);
  }
}

const normalize = (s) => s.replace(/\r\n/g, '\n').replace(/\s+$/, '');

function runOnce(runner, bench) {
  const [cmd, args] = runner.command(bench.name, bench.size);
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeout * 1000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const t1 = performance.now();
  return {
    seconds: (t1 - t0) / 1000,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    status: r.status,
    signal: r.signal,
    error: r.error,
    commandLine: [cmd === NODE ? 'node' : cmd, ...args].join(' '),
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
  if (bench.expected !== null || what.startsWith('wrong output')) {
    console.error(`expected stdout:\n${indent(bench.expected ?? '(see above)')}`);
  }
  console.error(`actual stdout:\n${indent(normalize(run.stdout) || '(empty)')}`);
  if (run.stderr.trim()) console.error(`stderr:\n${indent(clip(run.stderr.trim(), 2000))}`);
  console.error(bar);
}

const indent = (s) => s.split('\n').map((l) => `    ${l}`).join('\n');
const clip = (s, n) => (s.length > n ? `${s.slice(0, n)}\n...(${s.length - n} more characters)` : s);

const results = {};
for (const b of benches) {
  results[b.name] = { size: b.size, expected: b.expected, runners: {} };
  for (const r of runners) {
    results[b.name].runners[r.id] = r.available
      ? { times: [], failed: false }
      : { times: [], failed: true, failure: r.missing };
  }
}

const reps = opts.quick ? 1 : opts.reps;
for (let rep = 0; rep < reps; rep++) {
  if (!opts.quick) process.stderr.write(`repetition ${rep + 1}/${reps}:`);
  for (const b of benches) {
    // Interleave: every repetition runs every runner once, rotating the order so
    // that no runner always goes first.
    const order = runners.map((_, i) => runners[(i + rep) % runners.length]);
    // When the expected output is not known, JS goes first to provide it.
    if (b.expected === null) order.sort((x, y) => (y.id === 'js') - (x.id === 'js'));
    for (const r of order) {
      const cell = results[b.name].runners[r.id];
      if (cell.failed) continue;
      const run = runOnce(r, b);
      const out = normalize(run.stdout);
      if (run.error || run.status !== 0 || run.signal) {
        fail(b, r, run.error?.code === 'ETIMEDOUT' ? 'timeout' : 'did not exit with status 0', run);
        continue;
      }
      if (b.expected === null) {
        b.expected = out; // first run (JS if selected) defines the reference
        results[b.name].expected = out;
        results[b.name].expectedFrom = r.id;
      }
      if (out !== b.expected) {
        fail(b, r, 'wrong output', run);
        continue;
      }
      cell.times.push(run.seconds);
      if (!opts.quick) process.stderr.write(` ${b.name}/${r.id} ${run.seconds.toFixed(2)}s`);
    }
  }
  if (!opts.quick) process.stderr.write('\n');
}

// ---- quick mode: report and exit ------------------------------------------------------
if (opts.quick) {
  console.log(`| benchmark | size | expected | ${runners.map((r) => r.label).join(' | ')} |`);
  console.log(`|---|---:|---|${runners.map(() => '---|').join('')}`);
  for (const b of benches) {
    const cells = runners.map((r) => (results[b.name].runners[r.id].failed ? '**FAIL**' : 'ok'));
    console.log(`| ${b.name} | ${b.size} | \`${b.expected.replace(/\n/g, '⏎')}\` | ${cells.join(' | ')} |`);
  }
  console.log('');
  console.log(failed ? 'quick check: FAILED' : 'quick check: all outputs match the published values');
  process.exit(failed ? 1 : 0);
}

// ---- statistics and report ------------------------------------------------------------
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const geomean = (xs) => (xs.length ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : null);

for (const b of benches) {
  for (const r of runners) {
    const cell = results[b.name].runners[r.id];
    if (cell.failed || cell.times.length === 0) continue;
    cell.median = median(cell.times);
    cell.min = Math.min(...cell.times);
    cell.max = Math.max(...cell.times);
  }
  const vm = results[b.name].runners.tiervm;
  results[b.name].ratios = {};
  for (const other of ['lua', 'js']) {
    const o = results[b.name].runners[other];
    if (vm?.median && o?.median) results[b.name].ratios[other] = vm.median / o.median;
  }
}

const ratioRunners = ['lua', 'js'].filter((id) => runners.some((r) => r.id === id) && runners.some((r) => r.id === 'tiervm'));
const geo = {};
for (const id of ratioRunners) {
  const rs = benches.map((b) => results[b.name].ratios[id]).filter((x) => x !== undefined);
  geo[id] = { value: geomean(rs), of: rs.length, total: benches.length };
}

const fmtTime = (c) => {
  if (!c) return 'n/a';
  if (c.failed) return '**FAIL**';
  if (c.median === undefined) return 'n/a';
  return `${c.median.toFixed(3)} (${c.min.toFixed(3)}..${c.max.toFixed(3)})`;
};
const fmtRatio = (x) => (x === undefined || x === null ? 'n/a' : `${x.toFixed(2)}×`);
const label = { lua: 'Lua', js: 'JS' };

const header = ['benchmark', 'size', ...runners.map((r) => `${r.label} s`), ...ratioRunners.map((id) => `tiervm/${label[id]}`)];
console.log('Median wall time in seconds (min..max over the repetitions), process spawn to exit.');
console.log('');
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
for (const b of benches) {
  const row = [b.name, String(b.size)];
  for (const r of runners) row.push(fmtTime(results[b.name].runners[r.id]));
  for (const id of ratioRunners) row.push(fmtRatio(results[b.name].ratios[id]));
  console.log(`| ${row.join(' | ')} |`);
}
if (ratioRunners.length) {
  const row = ['**geometric mean**', '', ...runners.map(() => '')];
  for (const id of ratioRunners) {
    const g = geo[id];
    row.push(g.value === null ? 'n/a' : `**${fmtRatio(g.value)}**${g.of < g.total ? ` (${g.of} of ${g.total})` : ''}`);
  }
  console.log(`| ${row.join(' | ')} |`);
}
console.log('');
console.log('Ratios are tiervm median / other median: 1.00× is parity, 5.00× means tiervm takes five times as long.');

mkdirSync(OUT_DIR, { recursive: true });
const json = {
  machine,
  startupSeconds: startup,
  config: { reps, tier: opts.tier, timeoutSeconds: opts.timeout, runners: runners.map((r) => ({ id: r.id, label: r.label })), notes },
  benchmarks: benches.map((b) => ({ name: b.name, ...results[b.name] })),
  geomean: Object.fromEntries(Object.entries(geo).map(([k, v]) => [k, v.value])),
  ok: !failed,
};
const outFile = join(OUT_DIR, 'results.json');
writeFileSync(outFile, `${JSON.stringify(json, null, 2)}\n`);
console.log(`Results written to ${relative(ROOT, outFile)}.`);

if (failed) {
  console.error('\nbench: FAILED (see the messages above); timings of failed cells are not reported.');
  process.exit(1);
}

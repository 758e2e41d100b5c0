// Start-up of the tiervm command, measured as a user meets it: whole processes,
// `node bin/tiervm.js run empty.tier` in every mode against `node -e 0`, spawned
// interleaved (each round runs every command once, in rotating order, so drift of
// a shared machine hits all alike), like hyperfine. Reports median, min and max
// wall time per command and the ratio of medians to `node -e 0`.
//
//   node bench/startup.mjs [--runs=20] [--warmup=2] [--limit=1.3] [--json=FILE]
//                          [--entry=PATH] [--extra=FILE]... [--programs]
//
// --limit=R exits 1 when a tiervm median exceeds R times node's (the start-up
// target). --entry runs another tiervm entry point (another checkout's bin/). Each
// --extra=FILE adds `run FILE` (default mode) as a further command. --programs
// adds every benchmark program (bench/programs/NAME.tier) at its quick size (as
// `bench/suite.mjs --list` gives it), in the default mode and with
// --tier=interp, and their ratio: at sizes this small, compiling what gets hot
// must not cost more than it saves.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const opt = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const RUNS = Number(opt('runs', '20'));
const WARMUP = Number(opt('warmup', '2'));
const LIMIT = opt('limit', null);
const JSON_OUT = opt('json', null);
const ENTRY = resolve(opt('entry', join(ROOT, 'bin', 'tiervm.js')));
const EXTRA = process.argv.filter((a) => a.startsWith('--extra=')).map((a) => resolve(a.slice(8)));
const PROGRAMS = process.argv.includes('--programs');

/** [name, quick size] of every benchmark, from the suite's own table. */
function quickPrograms() {
  const list = spawnSync(process.execPath, [join(ROOT, 'bench', 'suite.mjs'), '--list'], { encoding: 'utf8' }).stdout;
  const section = list.split(/^runners:/m)[0];
  return [...section.matchAll(/^ {2}(\w+) +size \S+ +quick (\S+)/gm)].map((m) => [m[1], m[2]]);
}

const dir = mkdtempSync(join(tmpdir(), 'tiervm-startup-'));
const EMPTY = join(dir, 'empty.tier');
writeFileSync(EMPTY, 'fn main() {}\n');

const NODE = process.execPath;
const commands = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'tiervm run (default)', args: [ENTRY, 'run', EMPTY] },
  { name: 'tiervm run --tier=interp', args: [ENTRY, 'run', '--tier=interp', EMPTY] },
  { name: 'tiervm run --tier=auto', args: [ENTRY, 'run', '--tier=auto', EMPTY] },
  { name: 'tiervm run --tier=jit', args: [ENTRY, 'run', '--tier=jit', EMPTY] },
  ...EXTRA.map((f) => ({ name: `tiervm run ${f.replace(ROOT + '/', '')}`, args: [ENTRY, 'run', f] })),
  ...(PROGRAMS ? quickPrograms() : []).flatMap(([name, n]) => {
    const file = join(ROOT, 'bench', 'programs', `${name}.tier`);
    return [
      { name: `tiervm run ${name} ${n}`, args: [ENTRY, 'run', file, n], program: name },
      { name: `tiervm run --tier=interp ${name} ${n}`, args: [ENTRY, 'run', '--tier=interp', file, n], program: name, interp: true },
    ];
  }),
];

/** Wall time of one spawn, in ms; a failed run stops the benchmark. */
function once(c) {
  const t0 = performance.now();
  const r = spawnSync(NODE, c.args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
  return ms;
}

for (let w = 0; w < WARMUP; w++) for (const c of commands) once(c);
const times = commands.map(() => []);
for (let round = 0; round < RUNS; round++) {
  for (let k = 0; k < commands.length; k++) {
    const i = (k + round) % commands.length;
    times[i].push(once(commands[i]));
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const rows = commands.map((c, i) => ({ name: c.name, median: median(times[i]), min: Math.min(...times[i]), max: Math.max(...times[i]), times: times[i] }));
const base = rows[0].median;
console.log(`start-up, ${RUNS} interleaved runs each (node ${process.version}, ${ENTRY.replace(ROOT + '/', '')})\n`);
console.log('| command | median ms | min ms | max ms | / node -e 0 |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| \`${r.name}\` | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} | ${(r.median / base).toFixed(2)}x |`);
if (PROGRAMS) {
  console.log('\nbenchmark programs at their quick size: default mode / --tier=interp (medians)\n');
  console.log('| program | default ms | interp ms | default / interp |');
  console.log('|---|---:|---:|---:|');
  commands.forEach((c, i) => {
    if (c.program === undefined || c.interp) return;
    const d = rows[i], t = rows[i + 1];
    console.log(`| ${c.name.replace('tiervm run ', '')} | ${d.median.toFixed(1)} | ${t.median.toFixed(1)} | ${(d.median / t.median).toFixed(2)} |`);
  });
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ node: process.version, runs: RUNS, rows }, null, 2));
if (LIMIT !== null) {
  const over = rows.slice(1, 5).filter((r) => r.median > Number(LIMIT) * base);
  for (const r of over) console.log(`over the limit: ${r.name} is ${(r.median / base).toFixed(2)}x node -e 0 (limit ${LIMIT}x)`);
  process.exitCode = over.length ? 1 : 0;
}

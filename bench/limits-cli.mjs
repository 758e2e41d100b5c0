// What fuel and the deadline cost, by whole command lines: for each program,
// ROUNDS rounds of the four variants {BEFORE, AFTER build} x {no limit, both
// limits} (--max-steps=10^15 --deadline-ms=10^9; --limits= below), the order rotated each round
// so that all four see the same drift of a shared machine's load; user + sys CPU
// of each process (/usr/bin/time, 10 ms ticks: use sizes that run 0.5 s or more).
// Prints per program the median [min-max] of the per-round ratios: limited
// over none for each build, and no limit AFTER over BEFORE.
//
//   node bench/limits-cli.mjs BEFORE_DIR AFTER_DIR ROUNDS [--limits=steps|deadline|both] [--OPTION ...] NAME:SIZE ...
//
// An --OPTION (e.g. --jit-backend=js) is passed to every run of both builds,
// except --limits=steps|deadline|both (default both), which chooses the limits
// of the limited variants: --max-steps alone, --deadline-ms alone, or both (what
// a deadline adds over fuel alone: docs/architecture.md, "Limits").
//
// A DIR is a tiervm checkout (or a copy of its bin/, dist/ and package.json)
// with a built dist/. The programs are this checkout's bench/programs.
import { spawnSync } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STEPS = '--max-steps=1000000000000000', DEADLINE = '--deadline-ms=1000000000';
const CHOICES = { steps: [STEPS], deadline: [DEADLINE], both: [STEPS, DEADLINE] };
const [before, after, rounds, ...rest] = process.argv.slice(2);
const choice = rest.filter((a) => a.startsWith('--limits=')).map((a) => a.slice('--limits='.length)).pop() ?? 'both';
const LIMITS = CHOICES[choice];
if (LIMITS === undefined) {
  console.error(`--limits=${choice}: one of ${Object.keys(CHOICES).join(', ')}`);
  process.exit(2);
}
const options = rest.filter((a) => a.startsWith('--') && !a.startsWith('--limits='));
const programs = rest.filter((a) => !a.startsWith('--'));
if (!before || !after || !(Number(rounds) > 0) || programs.length === 0) {
  console.error('usage: node bench/limits-cli.mjs BEFORE_DIR AFTER_DIR ROUNDS [--limits=steps|deadline|both] [--OPTION ...] NAME:SIZE ...');
  process.exit(2);
}
const VARIANTS = [['before', 'none', before, []], ['before', 'both', before, LIMITS], ['after', 'none', after, []], ['after', 'both', after, LIMITS]];

/** User + sys seconds of one run of program `name` at size n. */
function cpuSeconds(dir, limits, name, n) {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, resolve(dir, 'bin/tiervm.js'), 'run', ...options, ...limits,
    resolve(ROOT, 'bench/programs', `${name}.tier`), n], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${dir} ${name}: ${r.stderr}`);
  const [user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return user + sys;
}

function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[s.length >> 1].toFixed(3)} [${s[0].toFixed(2)}-${s[s.length - 1].toFixed(2)}]`;
}

for (const p of programs) {
  const [name, n] = p.split(':');
  const t = Object.fromEntries(VARIANTS.map(([b, l]) => [b + l, []]));
  for (let i = 0; i < Number(rounds); i++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const [b, l, dir, limits] = VARIANTS[(k + i) % VARIANTS.length];
      t[b + l].push(cpuSeconds(dir, limits, name, n));
    }
  }
  const ratio = (a, b) => t[a].map((x, i) => x / t[b][i]);
  console.log(`${p.padEnd(18)} ${choice}/none before ${summary(ratio('beforeboth', 'beforenone'))}  after ${summary(ratio('afterboth', 'afternone'))}` +
    `  no limit after/before ${summary(ratio('afternone', 'beforenone'))}  (s, no limit: before ${summary(t.beforenone)}, after ${summary(t.afternone)})`);
}

// Whole processes side by side, interleaved: tiervm's default mode, `--tier=jit`
// and plain JS (`node P.js N`), optionally another checkout's default mode
// (`--base=DIR`), and on request (`--runners=`) the interpreter (`interp`), the js
// backend (`jitjs`: default mode with --jit-backend=js), `lua` (lua5.4 P.lua N) and
// `luajit`. Per program: wall and user+sys CPU seconds (median [min-max] of
// --reps runs, /usr/bin/time), each runner's ratio to JS, and the geometric mean of
// the default-mode ratios. Every run's stdout is checked against the JS run's.
//
//   node bench/vs-js.mjs [--reps=5] [--base=DIR] [--runners=auto,jit,js,base] [NAME:SIZE ...]
//
// With no NAME:SIZE, the eight programs of issue 13 at sizes where C runs 0.3-0.8 s.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { PROGRAMS, TIERVM_BIN, median, geomean } from './lib/common.mjs';

const ISSUE_13 = ['fib:38', 'nbody:5000000', 'spectral:2500', 'fannkuch:11', 'mandelbrot:4000',
  'binarytrees:18', 'sieve:50000000', 'richards:4000'];

function parse(argv) {
  const o = { reps: 5, base: null, runners: null, programs: [] };
  for (const a of argv) {
    let m;
    if ((m = /^--reps=(\d+)$/.exec(a))) o.reps = Math.max(1, +m[1]);
    else if ((m = /^--base=(.+)$/.exec(a))) o.base = resolve(m[1]);
    else if ((m = /^--runners=(.+)$/.exec(a))) o.runners = m[1].split(',');
    else if (/^\w+:\d+$/.test(a)) o.programs.push(a);
    else { console.error(`vs-js: unknown argument ${a}`); process.exit(2); }
  }
  if (o.programs.length === 0) o.programs = ISSUE_13;
  o.runners ??= o.base ? ['auto', 'jit', 'js', 'base'] : ['auto', 'jit', 'js'];
  if (o.runners.includes('base') && !o.base) { console.error('vs-js: runner base needs --base=DIR'); process.exit(2); }
  return o;
}

const o = parse(process.argv.slice(2));
const COMMANDS = {
  auto: (p, n) => [TIERVM_BIN, 'run', `${PROGRAMS}/${p}.tier`, n],
  jit: (p, n) => [TIERVM_BIN, 'run', '--tier=jit', `${PROGRAMS}/${p}.tier`, n],
  js: (p, n) => [`${PROGRAMS}/${p}.js`, n],
  base: (p, n) => [`${o.base}/bin/tiervm.js`, 'run', `${PROGRAMS}/${p}.tier`, n],
  interp: (p, n) => [TIERVM_BIN, 'run', '--tier=interp', `${PROGRAMS}/${p}.tier`, n],
  jitjs: (p, n) => [TIERVM_BIN, 'run', '--jit-backend=js', `${PROGRAMS}/${p}.tier`, n],
  lua: (p, n) => ['lua5.4', `${PROGRAMS}/${p}.lua`, n],
  luajit: (p, n) => ['luajit', `${PROGRAMS}/${p}.lua`, n],
};
for (const r of o.runners) if (!COMMANDS[r]) { console.error(`vs-js: unknown runner ${r} (known: ${Object.keys(COMMANDS).join(', ')})`); process.exit(2); }

/** One process: its stdout, wall and user+sys CPU seconds. */
function runOnce(args) {
  const cmd = args[0] === 'lua5.4' || args[0] === 'luajit' ? args : [process.execPath, ...args];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', ...cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stderr.trim().split('\n').pop();
  const [wall, user, sys] = line.split(' ').map(Number);
  if (r.status !== 0 || !Number.isFinite(wall)) throw new Error(`failed: ${cmd.join(' ')}\n${r.stderr}`);
  return { out: r.stdout, wall, cpu: user + sys };
}

const stats = (t) => ({ min: Math.min(...t), med: median(t), max: Math.max(...t) });
const fmt = (s) => `${s.med.toFixed(2)} [${s.min.toFixed(2)}-${s.max.toFixed(2)}]`;
/** Per runner: [wall, cpu] ratios to JS, per program. */
const ratios = Object.fromEntries(o.runners.map((r) => [r, []]));
console.log(`${o.reps} interleaved runs each; seconds, median [min-max]; ratio = median / JS median`);
for (const p of o.programs) {
  const [name, size] = p.split(':');
  const t = Object.fromEntries(o.runners.map((r) => [r, { wall: [], cpu: [] }]));
  let expected = null;
  for (let i = 0; i < o.reps; i++) {
    const order = i % 2 ? [...o.runners].reverse() : o.runners;
    for (const r of order) {
      const res = runOnce(COMMANDS[r](name, size));
      expected ??= res.out;
      if (res.out !== expected) throw new Error(`${r} ${p}: output differs:\n${res.out}\nvs\n${expected}`);
      t[r].wall.push(res.wall); t[r].cpu.push(res.cpu);
    }
  }
  const js = t.js ? { wall: stats(t.js.wall).med, cpu: stats(t.js.cpu).med } : null;
  for (const r of o.runners) {
    const w = stats(t[r].wall), c = stats(t[r].cpu);
    const ratio = js ? `  /JS wall ${(w.med / js.wall).toFixed(2)} cpu ${(c.med / js.cpu).toFixed(2)}` : '';
    if (js) ratios[r].push([w.med / js.wall, c.med / js.cpu]);
    console.log(`${p.padEnd(18)} ${r.padEnd(6)} wall ${fmt(w).padEnd(18)} cpu ${fmt(c).padEnd(18)}${ratio}`);
  }
}
if (o.runners.includes('js') && o.programs.length > 1) {
  for (const r of o.runners.filter((x) => x !== 'js')) {
    const g = (k) => geomean(ratios[r].map((x) => x[k])).toFixed(3);
    console.log(`geometric mean ${r}/JS: wall ${g(0)}, cpu ${g(1)}`);
  }
}

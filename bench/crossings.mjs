#!/usr/bin/env node
// The cost of a guest call in each direction between tiers, for every shape
// (0..6 parameters of i32, f64 or a struct reference, result of the same kind),
// with the generated per-shape adapters and with the generic ones
// (--adapters=generic), each beside a bare wasm call_indirect and an empty JS call
// of the same shape measured in the same process. One child process per
// direction (bench/crossing-time.mjs: method, shapes, heap check):
//
//   interp -> interp                  --tier=interp
//   interp -> compiled                --tier=jit --jit-filter=^c_          (drivers stay interpreted)
//   compiled -> interp                --tier=jit --jit-filter=^(call|loop)_ (callees stay interpreted)
//   compiled -> compiled              --tier=jit --no-inline               (a real call through the table)
//   compiled -> compiled (inlined)    --tier=jit                           (these leaf callees get inlined)
//   and interp -> compiled, compiled -> interp again with --adapters=generic.
//
// A figure is ns per call: the median of the runs' estimates, min..max beside it.
// A median that does not stand above the noise (at most 0.5 ns, or at most half
// the spread of the estimates) is printed as `< noise` with the raw min..max: no
// negative figure is ever printed. Ratios are to the call_indirect and the JS call
// of the same shape, in the same process.
//
//   node bench/crossings.mjs [--runs=N] [--ms=25] [--gc-calls=10000000] [--shapes=i1,f1,...]
//        [--only=REGEXP-OF-NAMES] [--jit-backend=B]     (--reps=N: --runs=N)
// Writes bench/out/crossings.json and bench/out/crossings.md (also printed).
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const pass = argv.filter((a) => /^--(runs|ms|gc-calls|shapes|jit-backend)=/.test(a))
  .concat(argv.filter((a) => a.startsWith('--reps=')).map((a) => `--runs=${a.slice(7)}`));   // micro.mjs's name
const only = argv.find((a) => a.startsWith('--only='))?.slice(7) ?? null;

const DIRECTIONS = [
  ['interp -> interp', ['--tier=interp']],
  ['interp -> compiled', ['--tier=jit', '--jit-filter=^c_']],
  ['interp -> compiled, generic adapters', ['--tier=jit', '--jit-filter=^c_', '--adapters=generic']],
  ['compiled -> interp', ['--tier=jit', '--jit-filter=^(call|loop)_']],
  ['compiled -> interp, generic adapters', ['--tier=jit', '--jit-filter=^(call|loop)_', '--adapters=generic']],
  ['compiled -> compiled', ['--tier=jit', '--no-inline']],
  ['compiled -> compiled (inlined)', ['--tier=jit']],
];

/** How a measurement is printed: the median, or `< noise` with the raw range. */
function show(m) {
  const range = `${m.min.toFixed(1)}..${m.max.toFixed(1)}`;
  return aboveNoise(m) ? `${m.median.toFixed(1)} (${range})` : `< noise (raw ${range})`;
}
function aboveNoise(m) { return m.median > 0.5 && m.median > (m.max - m.min) / 2; }
function ratio(m, base) { return aboveNoise(m) && aboveNoise(base) ? (m.median / base.median).toFixed(1) + 'x' : '-'; }

const load0 = loadavg()[0];
const rows = [];
for (const [name, flags] of DIRECTIONS) {
  if (only !== null && !new RegExp(only).test(name)) continue;
  const r = spawnSync(process.execPath, ['--expose-gc', join(HERE, 'crossing-time.mjs'), ...flags, ...pass], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) { console.error(`${name}: crossing-time.mjs failed\n${r.stdout}\n${r.stderr}`); process.exit(1); }
  const res = JSON.parse(r.stdout);
  // bench/micro.mjs reads `call` ((i32) -> i32) and `fcall` ((f64) -> f64).
  const legacy = (v) => v && { nsPerCall: v.vm.median, nsRange: [v.vm.min, v.vm.max], bytesPerCall: v.heap?.bytesPerCall ?? null };
  rows.push({ name, flags: flags.join(' '), call: legacy(res.shapes.i1), fcall: legacy(res.shapes.f1), ...res });
  process.stderr.write(`measured ${name}\n`);
}

const out = [];
out.push(`# Guest call crossings (node ${process.version}, ${cpus().length} CPUs, load average ${load0.toFixed(2)} at start, ${new Date().toISOString().slice(0, 10)})`);
out.push('');
out.push('ns per call: median (min..max) of the runs; ratios to a bare wasm call_indirect and to an empty');
out.push('(not inlined) JS call of the same shape measured in the same process; host heap bytes per call');
out.push('and scavenges over the heap check\'s calls (bench/crossing-time.mjs).');
for (const row of rows) {
  out.push('', `## ${row.name} \`${row.flags}\``, '');
  out.push('| shape | ns per call | x call_indirect | x JS call | call_indirect ns | JS call ns | host B/call | scavenges |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [s, v] of Object.entries(row.shapes)) {
    const h = v.heap;
    out.push(`| ${shapeName(s)} | ${show(v.vm)} | ${ratio(v.vm, v.callIndirect)} | ${ratio(v.vm, v.jsCall)} | ` +
      `${show(v.callIndirect)} | ${show(v.jsCall)} | ${h ? h.bytesPerCall.toFixed(3) : '-'} | ${h ? `${h.scavenges} / ${h.calls / 1e6}M` : '-'} |`);
  }
}
out.push('', '## Summary: median over shapes of each kind (ns per call)', '');
const kinds = ['i', 'f', 'r'];
out.push(`| crossing | ${kinds.map((k) => `${KIND_NAME(k)} 0-6 params`).join(' | ')} | 1 param i32 / f64 / ref | 6 params i32 / f64 / ref | max host B/call | scavenges |`);
out.push('|---|' + kinds.map(() => '---:|').join('') + '---:|---:|---:|---:|');
for (const row of rows) {
  const cell = (k) => {
    const ms = Object.entries(row.shapes).filter(([s]) => s[0] === k).map(([, v]) => v.vm);
    if (ms.length === 0) return '-';
    const meds = ms.filter(aboveNoise).map((m) => m.median).sort((a, b) => a - b);
    return meds.length === ms.length ? meds[meds.length >> 1].toFixed(1) : meds.length === 0 ? '< noise' : `${meds[meds.length >> 1].toFixed(1)} (${ms.length - meds.length} < noise)`;
  };
  const at = (n) => kinds.map((k) => { const v = row.shapes[`${k}${n}`]; return v ? (aboveNoise(v.vm) ? v.vm.median.toFixed(1) : '<noise') : '-'; }).join(' / ');
  const heaps = Object.values(row.shapes).map((v) => v.heap).filter(Boolean);
  const maxB = heaps.length ? Math.max(...heaps.map((h) => h.bytesPerCall)).toFixed(3) : '-';
  const scav = heaps.length ? heaps.reduce((a, h) => a + h.scavenges, 0) : '-';
  out.push(`| ${row.name} | ${kinds.map(cell).join(' | ')} | ${at(1)} | ${at(6)} | ${maxB} | ${scav} |`);
}
const text = out.join('\n') + '\n';
console.log(text);
mkdirSync(join(HERE, 'out'), { recursive: true });
writeFileSync(join(HERE, 'out', 'crossings.md'), text);
writeFileSync(join(HERE, 'out', 'crossings.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, loadAverage: load0, rows }, null, 2) + '\n');

function KIND_NAME(k) { return { i: 'i32', f: 'f64', r: 'ref' }[k]; }
function shapeName(s) {
  const t = KIND_NAME(s[0]), n = Number(s.slice(1));
  return `(${Array(n).fill(t).join(', ')}) -> ${t}`;
}

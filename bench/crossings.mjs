#!/usr/bin/env node
// The cost of a guest call in each direction between tiers: ns per call, measured
// in process with the same loop without the call subtracted (bench/crossing-time.mjs),
// and host (JavaScript) heap bytes per call (bench/calls.mjs, see its method).
//
//   interp -> interp       --tier=interp
//   interp -> compiled     --tier=jit --jit-filter=^(inc|half)$   (main stays interpreted)
//   compiled -> interp     --tier=jit --jit-filter=^main$         (callees stay interpreted)
//   compiled -> compiled   --tier=jit --no-inline   (a real call through the table)
//   compiled -> compiled   --tier=jit               (these leaf callees get inlined)
//
// `call` is a callee (i32) -> i32, `fcall` a callee (f64) -> f64; ns per call is
// the call only (the caller's loop and the callee's add or multiply-add, written
// inline, are subtracted), with the min..max of the per-pair estimates.
//
//   node bench/crossings.mjs [--reps=N]     writes bench/out/crossings.json
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const reps = (process.argv.find((a) => a.startsWith('--reps=')) ?? '--reps=3').slice(7);
const CROSSINGS = [
  ['interp -> interp', ['--tier=interp']],
  ['interp -> compiled', ['--tier=jit', '--jit-filter=^(inc|half)$']],
  ['compiled -> interp', ['--tier=jit', '--jit-filter=^main$']],
  ['compiled -> compiled (call_indirect)', ['--tier=jit', '--no-inline']],
  ['compiled -> compiled (leaf inlined)', ['--tier=jit']],
];

const rows = [];
for (const [name, flags] of CROSSINGS) {
  const r = spawnSync(process.execPath, [join(HERE, 'calls.mjs'), ...flags, `--reps=${reps}`], { encoding: 'utf8' });
  if (r.status !== 0) { console.error(`${name}: calls.mjs failed\n${r.stdout}\n${r.stderr}`); process.exit(1); }
  const res = JSON.parse(readFileSync(join(HERE, 'out', 'calls.json'), 'utf8')).results;
  const t = spawnSync(process.execPath, [join(HERE, 'crossing-time.mjs'), ...flags], { encoding: 'utf8' });
  if (t.status !== 0) { console.error(`${name}: crossing-time.mjs failed\n${t.stderr}`); process.exit(1); }
  const ns = JSON.parse(t.stdout);
  rows.push({
    name, flags: flags.join(' '),
    call: { ...res.call, nsPerCall: ns.call.ns, nsRange: [ns.call.min, ns.call.max] },
    fcall: { ...res.fcall, nsPerCall: ns.fcall.ns, nsRange: [ns.fcall.min, ns.fcall.max] },
  });
  process.stderr.write(`measured ${name}\n`);
}

console.log(`# guest call crossings (node ${process.version}, ${new Date().toISOString().slice(0, 10)}; median of ${reps} runs)\n`);
console.log('| crossing | flags | i32 call ns | i32 call host B/call | f64 call ns | f64 call host B/call |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | \`${r.flags}\` | ${r.call.nsPerCall.toFixed(1)} | ${r.call.bytesPerCall.toFixed(3)} | ` +
    `${r.fcall.nsPerCall.toFixed(1)} | ${r.fcall.bytesPerCall.toFixed(3)} |`);
}
mkdirSync(join(HERE, 'out'), { recursive: true });
writeFileSync(join(HERE, 'out', 'crossings.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n');

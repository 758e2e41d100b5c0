#!/usr/bin/env node
// Opcode and opcode-pair frequencies of the interpreter, measured by running
// programs: the data superinstructions are chosen from (docs/architecture.md,
// "Superinstructions"). An offline tool, so the interpreter's dispatch loop pays
// nothing for it: it copies dist/ to a temporary directory, adds one counting
// call after the loop's `const op = code[pc];` in that copy's interp/interpreter.js
// (it stops with an error if that line is not there), and runs the programs with
// the copy's embedding API, in --tier=interp.
//
//   node bench/opcode-pairs.mjs [--top=40] [NAME:SIZE ...]   (default: the eight
//   programs of bench/interp-vs-lua.mjs at sizes about 1/20 of its)
//
// Prints the single opcodes and the pairs (A then B, B executed right after A in
// the same frame, B at the position after A: a fall-through pair, the kind a
// superinstruction can fuse) as a percentage of all dispatches, summed over the
// programs with each program weighted equally; then each program's top pairs.
// `A -> B (jump)` rows are pairs where B was reached by a taken jump.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { ROOT, PROGRAMS } from './lib/common.mjs';

const DEFAULT = ['fib:30', 'nbody:100000', 'spectral:250', 'fannkuch:9', 'binarytrees:13',
  'mandelbrot:500', 'sieve:2000000', 'richards:100'];

const args = process.argv.slice(2);
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 40);
const programs = args.filter((a) => /^\w+:\d+$/.test(a));
if (programs.length === 0) programs.push(...DEFAULT);

/** A copy of dist/ whose interpreter calls globalThis.__opCount(fn, pc, op, code) per dispatch. */
function instrumentedDist() {
  const dir = mkdtempSync(join(os.tmpdir(), 'opcode-pairs-'));
  cpSync(join(ROOT, 'dist'), dir, { recursive: true });
  const file = join(dir, 'interp', 'interpreter.js');
  const src = readFileSync(file, 'utf8');
  const hook = 'const op = code[pc];';
  if (!src.includes(hook)) throw new Error(`opcode-pairs: "${hook}" not found in dist/interp/interpreter.js`);
  writeFileSync(file, src.replace(hook, `${hook} globalThis.__opCount(fp, pc, op, code);`));
  return dir;
}

const dir = instrumentedDist();
const vm = await import(join(dir, 'vm.js'));
const { OP_INFO, instrLength } = await import(join(dir, 'bytecode', 'opcodes.js'));
const name = (op) => OP_INFO[op].name;
/** Words from an instruction to the one after it (a superinstruction: after its last part). */
const span = (op) => (OP_INFO[op].parts ?? [op]).reduce((n, p) => n + instrLength(p), 0);

/** Per program: Map of key -> count; keys 'A', 'A B', 'A -> B (jump)'. */
function profile(prog, size) {
  const counts = new Map();
  const bump = (k) => counts.set(k, (counts.get(k) ?? 0) + 1);
  let last = { fp: -1, pc: -1, op: -1, code: null };
  let total = 0;
  globalThis.__opCount = (fp, pc, op, code) => {
    total++;
    bump(name(op));
    if (last.fp === fp && last.code === code) {
      const fall = last.pc + span(last.op) === pc;
      bump(fall ? `${name(last.op)} ${name(op)}` : `${name(last.op)} -> ${name(op)} (jump)`);
    }
    last.fp = fp; last.pc = pc; last.op = op; last.code = code;
  };
  const src = readFileSync(join(PROGRAMS, `${prog}.tier`), 'utf8');
  const r = vm.load(prog, src, { tier: 'interp', args: [size], stdout: () => {} });
  if (!r.ok) throw new Error(`${prog}: load failed`);
  r.program.run();
  return { counts, total };
}

const share = new Map();
const perProgram = [];
for (const p of programs) {
  const [prog, size] = p.split(':');
  const { counts, total } = profile(prog, size);
  perProgram.push({ p, counts, total });
  for (const [k, c] of counts) share.set(k, (share.get(k) ?? 0) + c / total / programs.length);
}
rmSync(dir, { recursive: true, force: true });

const pct = (x) => `${(100 * x).toFixed(2)}%`.padStart(7);
const table = (title, filter, m, n) => {
  console.log(`\n${title}`);
  [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n)
    .forEach(([k, x]) => console.log(`${pct(x)}  ${k}`));
};
console.log(`dispatches per program: ${perProgram.map(({ p, total }) => `${p} ${total}`).join(', ')}`);
table('single opcodes (share of dispatches, programs weighted equally)', (k) => !k.includes(' '), share, top);
table('fall-through pairs', (k) => k.includes(' ') && !k.includes('->'), share, top);
table('pairs through a taken jump', (k) => k.includes('->'), share, Math.min(top, 15));
for (const { p, counts, total } of perProgram) {
  const rel = new Map([...counts].map(([k, c]) => [k, c / total]));
  table(`${p}: top fall-through pairs`, (k) => k.includes(' ') && !k.includes('->'), rel, 8);
}

// Crossings between the tiers (docs/architecture.md, "How interpreted and
// compiled code call each other"): what the interpreter's side of each keeps
// true — the code image it runs (src/bytecode/code-image.ts), the c2i entry
// that counts the call and lowers the host-stack limit only while it runs
// (src/interp/interpreter.ts, InterpEntry), and results and traces through a
// call made by a MOVx+CALL superinstruction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OP_INFO, instrLength } from '../../dist/bytecode/opcodes.js';
import { codeImage } from '../../dist/bytecode/code-image.js';
import { newProfiles } from '../../dist/runtime/profile.js';
import { disassembleFunction } from '../../dist/bytecode/disasm.js';
import { load } from '../../dist/vm.js';
import { hasWasm } from './host-caps.mjs';

const PROGRAM = `
fn pick(a: i32, b: i32) -> i32 { if a < b { return b; } return a; }
fn half(x: f64) -> f64 { return x * 0.5; }
fn count(n: i32) -> i32 {
  var s = 0;
  for i in 0..n { s = pick(s, i); }
  while s > 3 { s = s - 3; }
  return s;
}
fn main() { print(count(10)); print(half(3.0)); }`;

function compile(source) {
  const r = load('t.tier', source, { tier: 'interp', stderr: () => {} });
  assert.ok(r.ok, 'did not compile');
  return r.program.module;
}

test('the code image: every function at its base, word for word but for jump targets moved by the base', () => {
  const mod = compile(PROGRAM);
  const codes = mod.functions.map((f) => f.code);
  const { code, bases } = codeImage(codes);
  assert.equal(code.length, codes.reduce((n, c) => n + c.length, 0));
  let jumps = 0;
  codes.forEach((c, f) => {
    const base = bases[f];
    for (let pc = 0; pc < c.length; pc += instrLength(c[pc])) {
      assert.equal(code[base + pc], c[pc]);
      OP_INFO[c[pc]].args.forEach((a, i) => {
        const want = a === 'lbl' ? c[pc + 1 + i] + base : c[pc + 1 + i];
        if (a === 'lbl' && base > 0) jumps++;
        assert.equal(code[base + pc + 1 + i], want, `${mod.functions[f].name} @${pc} operand ${i} (${a})`);
      });
    }
  });
  assert.ok(jumps >= 3, 'some jumps were relocated');
  // The profiles are views of one array laid out as the image.
  const { all, perFn } = newProfiles(codes, bases, code.length);
  perFn.forEach((p, f) => {
    assert.equal(p.length, codes[f].length);
    p[0] = f + 1;
    assert.equal(all[bases[f]], f + 1);
  });
});

test('a call passing a variable is one MOVx+CALL; results and traces are those of the plain instructions', () => {
  const mod = compile(PROGRAM + `
fn boom(d: i32) -> i32 { return 10 / d; }
fn calls_boom(z: i32) -> i32 { return boom(z); }`);
  const text = (name) => disassembleFunction(mod, mod.functions.find((f) => f.name === name));
  assert.match(text('calls_boom'), /MOVI\+CALL[^\n]*\n[^\n]*CALL +boom/);
  // Two arguments: a MOVI+MOVI, then the call (a dispatch each way).
  assert.match(text('count'), /MOVI\+MOVI[^\n]*\n[^\n]*MOVI [^\n]*\n[^\n]*CALL +pick/);
  const modes = { interp: { tier: 'interp' }, jit: { tier: 'jit' }, auto: { tier: 'auto', jitThreshold: 1 } };
  for (const [mode, opts] of Object.entries(modes)) {
    if (!hasWasm && mode !== 'interp') continue;
    let out = '';
    const src = PROGRAM.replace('fn main() { print(count(10)); print(half(3.0)); }',
      'fn main() { print(count(10)); print(half(3.0)); print(calls_boom(0)); }') + `
fn boom(d: i32) -> i32 { return 10 / d; }
fn calls_boom(z: i32) -> i32 { return boom(z); }`;
    const r = load('t.tier', src, { ...opts, stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
    assert.ok(r.ok);
    assert.equal(r.program.run(), 1, mode);
    assert.equal(out, '3\n1.5\nruntime error: division by zero\n  at boom (t.tier:11)\n  at calls_boom (t.tier:12)\n  at main (t.tier:10)\n', mode);
  }
});

test('compiled -> interpreted calls give the host-stack budget back: deep compiled recursion after many of them stays compiled', { skip: !hasWasm }, () => {
  const src = `
fn leaf(x: i32) -> i32 { return x + 1; }
fn rec(n: i32) -> i32 { if n == 0 { return 0; } return rec(n - 1) + 1; }
fn main() {
  var s = 0;
  for i in 0..500 { s = leaf(s); }
  print(s);
  print(rec(3000));
}`;
  const events = [];
  let out = '';
  const r = load('t.tier', src, { tier: 'jit', jitFilter: '^(main|rec)$', inline: false, onTierEvent: (e) => events.push(e), stdout: (t) => { out += t; } });
  assert.ok(r.ok);
  assert.equal(r.program.run(), 0);
  assert.equal(out, '500\n3000\n');
  const c = events.at(-1).crossings;
  assert.equal(c.compiledToInterp, 500, JSON.stringify(c));
  // Each crossing lowers the limit by 2,000 slots while it runs: had they not
  // restored it, rec would run past the limit, in the interpreter.
  assert.ok(c.compiledToCompiled >= 3001, JSON.stringify(c));
  assert.ok(c.interpToInterp < 10, JSON.stringify(c));
});

// A loop's only call has its callee's header written as the loop is entered
// (jit/wasm/lower.ts, hoistedHeaders): traces, the collector's walk and the
// host-stack fallback must see the same frames as when it is written at the call.
const LOOPS = `
struct Cell { next: Cell, v: i32 }
fn boom(d: i32) -> i32 { return 10 / d; }
fn grow(c: Cell, v: i32) -> Cell { return new Cell { next: c, v: v }; }
fn one(n: i32) -> i32 {
  var s = 0;
  for i in 0..n { s = s + boom(n - 1 - i); }
  return s;
}
fn two(n: i32) -> i32 {
  var s = 0;
  for i in 0..n {
    s = s + boom(i + 1);
    s = s + boom(n - 1 - i);
  }
  return s;
}
fn cells(n: i32) -> i32 {
  var c: Cell = null;
  for i in 0..n { c = grow(c, i); }
  var s = 0;
  while c != null { s = s + c.v; c = c.next; }
  return s;
}
fn main() {
  print(cells(300));
  print(one(3));
  print(two(300));
}`;

test('a call alone in its loop: traces and the collector see its frame as if its header were written at the call', () => {
  const modes = { interp: { tier: 'interp' }, jit: { tier: 'jit', inline: false }, osr: { tier: 'auto', jitThreshold: 1, inline: false },
    stress: { tier: 'jit', inline: false, gcStress: true, verifyHeap: true }, past: { tier: 'jit', inline: false, hostStackSlots: 1 } };
  for (const [mode, opts] of Object.entries(modes)) {
    if (!hasWasm && mode !== 'interp') continue;
    let out = '';
    const r = load('t.tier', LOOPS, { ...opts, stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
    assert.ok(r.ok);
    r.program.run();
    assert.equal(out, '44850\nruntime error: division by zero\n  at boom (t.tier:3)\n  at one (t.tier:7)\n  at main (t.tier:27)\n', mode);
    out = '';
    const r2 = load('t.tier', LOOPS.replace('print(one(3));', ''), { ...opts, stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
    r2.program.run();
    assert.equal(out, '44850\nruntime error: division by zero\n  at boom (t.tier:3)\n  at two (t.tier:14)\n  at main (t.tier:28)\n', mode);
  }
});

test('the header of a loop\'s only call is written before the loop, of two calls at each call', { skip: !hasWasm }, () => {
  const codeOf = (fn) => {
    let text = '';
    const r = load('t.tier', LOOPS, { tier: 'jit', inline: false, printCode: fn, stdout: () => {}, stderr: (t) => { text += t; } });
    r.program.run();
    return text;
  };
  // The header's three words (the functions keep no references, so these are
  // their only stores at an offset): before `loop` in one(), in it in two().
  const stores = (text) => [...text.matchAll(/i32\.store offset=\d+/g)].map((m) => m.index);
  const one = codeOf('one'), two = codeOf('two');
  assert.ok(stores(one).length === 3 && stores(one).every((i) => i < one.indexOf('loop $')), one);
  assert.ok(stores(two).length === 6 && stores(two).every((i) => i > two.indexOf('loop $')), two);
});

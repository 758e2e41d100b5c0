// Limits for untrusted code (src/runtime/limits.ts): fuel stops a program at the
// same step, with the same output and trace, in every tier and backend; an
// interrupt from another thread and a deadline stop a running guest in every
// tier; the host stays usable afterwards; bad options are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, runSource } from '../../dist/vm.js';
import { plainModule } from '../../dist/bytecode/fuse.js';
import { OP_INFO, instrLength, jumpTargetAt } from '../../dist/bytecode/opcodes.js';
import { buildCfg } from '../../dist/jit/cfg.js';
import { countedLoops } from '../../dist/jit/counted-loops.js';
import { listPrograms, parseExpectations } from '../corpus.mjs';
import { hasEval, MODES, COMPILING } from './host-caps.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function run(src, opts = {}, file = 'fuel.tier') {
  let stdout = '', stderr = '';
  const r = load(file, src, { ...opts, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  const code = r.program.run();
  return { code, stdout, stderr, steps: r.program.lastSteps };
}

// Calls of every kind (direct, recursive, through a function value, to a small
// leaf the JIT inlines, whose own loop counts too), for and while loops, nested
// loops (OSR enters at the inner one), output written along the way.
const PROGRAM = `
fn leafsum(n: i32) -> i32 {
  var s = 0;
  var i = 0;
  while i < n { s = s + i; i = i + 1; }
  return s;
}
fn sq(x: i32) -> i32 { return x * x; }
fn fib(n: i32) -> i32 { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }
fn apply(f: fn(i32) -> i32, x: i32) -> i32 { return f(x); }
fn main() {
  var total = 0;
  for i in 0..1200 {
    total = total + leafsum(i % 7) + apply(sq, i % 100) + fib(i % 9);
    var j = 0;
    while j < 3 { j = j + 1; }
    print(total);
  }
  print("done");
}`;

/** Runs src at each budget in the interpreter (out of fuel below `total`, the
 *  steps of a whole run) and in every compiling mode: the same output, trace
 *  and steps everywhere. */
function stopsAlikeAt(src, budgets, total = Infinity) {
  for (const maxSteps of budgets) {
    const ref = run(src, { tier: 'interp', maxSteps });
    if (maxSteps < total) assert.match(ref.stderr, /^runtime error: out of fuel\n/);
    for (const mode of COMPILING) assert.deepEqual(run(src, { ...mode, maxSteps }), ref, `${JSON.stringify(mode)} maxSteps ${maxSteps}`);
  }
}

test('a budget of N steps: exactly N steps run, step N + 1 is out of fuel', () => {
  // 5 calls of add and 4 taken back-edges of the for loop: 9 steps.
  const src = `fn add(a: i32, b: i32) -> i32 { return a + b; }
fn main() {
  var s = 0;
  for i in 0..5 { s = add(s, i); }
  print(s);
}`;
  for (const mode of MODES) {
    const what = JSON.stringify(mode);
    assert.deepEqual(run(src, { ...mode, maxSteps: 9 }), { code: 0, stdout: '10\n', stderr: '', steps: 9 }, what);
    assert.deepEqual(run(src, { ...mode, maxSteps: 8 }),
      { code: 1, stdout: '', stderr: 'runtime error: out of fuel\n  at main (fuel.tier:4)\n', steps: 8 }, what);
    assert.deepEqual(run(src, { ...mode, maxSteps: 1 }),
      { code: 1, stdout: '', stderr: 'runtime error: out of fuel\n  at main (fuel.tier:4)\n', steps: 1 }, what);
  }
});

test('a run that ends in another runtime error took the same steps in every tier', () => {
  const src = `fn get(a: [i32], i: i32) -> i32 { return a[i]; }
fn div(x: i32, y: i32) -> i32 { return x / y; }
fn main() {
  let a = new [i32](5);
  var s = 0;
  for i in 0..10 { for j in 0..3 { s = s + div(60, 3 - j + i); } s = s + get(a, i); }
  print(s);
}`;
  const ref = run(src, { tier: 'interp', maxSteps: 1e9 });
  assert.match(ref.stderr, /^runtime error: index 5 out of bounds for length 5\n  at get/);
  for (const mode of COMPILING) assert.deepEqual(run(src, { ...mode, maxSteps: 1e9 }), ref, JSON.stringify(mode));
  const zero = src.replace('3 - j + i', '2 - j');
  const ref0 = run(zero, { tier: 'interp', maxSteps: 1e9 });
  assert.match(ref0.stderr, /^runtime error: division by zero\n/);
  for (const mode of COMPILING) assert.deepEqual(run(zero, { ...mode, maxSteps: 1e9 }), ref0, JSON.stringify(mode));
});

test('every tier and backend stops at the same step with the same output and trace', () => {
  const full = run(PROGRAM, { tier: 'interp', maxSteps: 2 ** 40 });
  assert.equal(full.code, 0);
  assert.match(full.stdout, /done\n$/);
  const total = full.steps;
  assert.ok(total > 30000, `only ${total} steps`);
  // Small budgets, both sides of poll periods (10,000 steps), spread over the run.
  const budgets = [1, 2, 3, 7, 50, 99, 100, 101, 9999, 10000, 10001, 20001, total - 1, total];
  for (let k = 1; k <= 8; k++) budgets.push(Math.floor((total * k) / 9) + k);
  for (const maxSteps of budgets) {
    const ref = run(PROGRAM, { tier: 'interp', maxSteps });
    if (maxSteps >= total) {
      assert.deepEqual(ref, { ...full, steps: total });
      continue;
    }
    assert.equal(ref.code, 1);
    assert.equal(ref.steps, maxSteps);
    assert.ok(full.stdout.startsWith(ref.stdout), 'output written before stays written');
    assert.match(ref.stderr, /^runtime error: out of fuel\n(  at (main|fib|apply|sq|leafsum) \(fuel\.tier:\d+\)\n)+$/);
    for (const mode of COMPILING) assert.deepEqual(run(PROGRAM, { ...mode, maxSteps }), ref, `${JSON.stringify(mode)} maxSteps ${maxSteps}`);
  }
});

// Loops whose every iteration begins with a call (after moves only): compiled
// code charges the call's step with the back-edge's, and as the loop is entered
// (jit/wasm/lower.ts, openLoop). An inlined leaf (as spectral-norm's inner
// loop), a call that prints, a while loop, nested loops; and a loop that reads
// an array before its call (no such charging there), which ends in a trap.
const LEADING_CALLS = `
fn a(i: i32, j: i32) -> f64 { let ij = i + j; return 1.0 / ((ij * (ij + 1) / 2 + i + 1) as f64); }
fn say(k: i32) -> i32 { print(k); return k + 1; }
fn main() {
  var s = 0.0;
  var k = 0;
  for i in 0..30 {
    for j in 0..40 { s += a(i, j); }
    var m = 0;
    while m < 3 { k = say(k); m = m + 1; }
  }
  let v = new [i32](5);
  var x = 0;
  while true { x = x + v[x % 7]; k = say(x); x = x + 1; }
}`;

test('a loop whose iterations begin with a call stops at the same step, around every step and poll period', () => {
  const full = run(LEADING_CALLS, { tier: 'interp', maxSteps: 2 ** 40 });
  assert.match(full.stderr, /^runtime error: index 5 out of bounds for length 5\n/);
  const total = full.steps;
  const budgets = [];
  for (let n = 1; n <= total; n += n < 200 ? 1 : 37) budgets.push(n);
  for (const n of [1199, 1200, 1201, 1202, total - 1, total]) budgets.push(n);
  stopsAlikeAt(LEADING_CALLS, budgets, total);
  // Across poll periods (10,000 steps), in the inner loop's back-edge and call.
  const many = LEADING_CALLS.replace('0..30', '0..400');
  const manyTotal = run(many, { tier: 'interp', maxSteps: 2 ** 40 }).steps;
  assert.ok(manyTotal > 20002, `only ${manyTotal} steps`);
  stopsAlikeAt(many, [9998, 9999, 10000, 10001, 10002, 19999, 20000, 20001, 20002]);
});

// Counted loops (jit/counted-loops.ts): compiled wasm code counts the steps of
// an innermost `for` loop with no call by its counter, arming a bound on
// entry and after each slow path. A for loop with a register bound left by a
// break, one with a constant bound, one starting near 2^31 - 1 (its armed
// bound wraps), one whose body allocates and traps (helpers inside); while
// loops (not counted) beside them, nested in a loop that calls.
const COUNTED = `
fn fill(a: [i32], n: i32) -> i32 {
  var s = 0;
  for i in 0..n { if a[i % 5] > 60 { break; } a[i % 5] = a[i % 5] + 1; s = s + a[i % 5]; }
  return s;
}
fn flip(a: [i32], k: i32) -> i32 {
  var i = 0;
  var j = k;
  while i < j { let t = a[i]; a[i] = a[j]; a[j] = t; i += 1; j -= 1; }
  return i;
}
fn main() {
  let a = new [i32](5);
  var t = 0;
  for r in 0..40 {
    t = t + fill(a, r) + flip(a, r % 5);
    var w = 0;
    while w < 7 { if w == r % 11 { break; } w += 1; if w == r % 5 { break; } }
    for q in 0..3 { t = t + q; }
    for h in 2147483640..2147483647 { t = t + h % 3; }
    var s = "";
    var m = 0;
    while m < r % 4 { s = s + str(m); m += 1; }
    print(t + w);
    print(s);
  }
  var x = 2147483600;
  while x != -2147483600 { x += 1; t = t + 1; }
  print(x);
  for y in 0..100 { let p = str(y); t = t + a[y % 7] + p.len; }
}`;

test('counted loops are found where the only step is the back-edge', () => {
  const r = load('fuel.tier', COUNTED, { tier: 'interp', stderr: () => {} });
  assert.ok(r.ok);
  const mod = plainModule(r.program.module);
  const counted = (name) => {
    const fn = mod.functions.find((f) => f.name === name);
    const cfg = buildCfg(fn, 0);
    return [...countedLoops(cfg, fn.code).values()].map((l) => Object.keys(l.bound)[0]);
  };
  assert.deepEqual(counted('fill'), ['reg']);
  assert.deepEqual(counted('flip'), []);
  // main's outer loop calls, its while loops are not counted; its for loops are.
  assert.deepEqual(counted('main').sort(), ['imm', 'imm', 'imm']);
});

test('counted loops stop at the same step as the interpreter, at every budget and around poll periods', () => {
  const full = run(COUNTED, { tier: 'interp', maxSteps: 2 ** 40 });
  assert.match(full.stderr, /^runtime error: index 5 out of bounds for length 5\n/);
  const total = full.steps;
  for (const mode of COMPILING) assert.deepEqual(run(COUNTED, { ...mode, maxSteps: 2 ** 40 }), full, JSON.stringify(mode));
  const budgets = [total - 2, total - 1, total];
  for (let n = 1; n <= total; n += n < 300 ? 1 : 23) budgets.push(n);
  stopsAlikeAt(COUNTED, budgets, total);
  // Across poll periods (10,000 steps) inside one long counted loop of each kind.
  const many = COUNTED.replace('0..3 {', '0..700 {').replace('2147483640..', '2147473640..');
  const manyTotal = run(many, { tier: 'interp', maxSteps: 2 ** 40 }).steps;
  assert.ok(manyTotal > 40002, `only ${manyTotal} steps`);
  stopsAlikeAt(many, [9998, 9999, 10000, 10001, 10002, 19999, 20000, 20001, 30000, 30001, 40001, 40002]);
});

// A counted loop that an OSR entry enters at its header (jit/counted-loops.ts):
// the entry's CFG nests the enclosing `while` loop through the `for` loop's
// header, so the header has a second edge back to it, from outside the
// FORLOOP's cycle, on which the loop is armed again (default `auto` enters at
// the `for` loop, `jitThreshold: 1` at the inner `while` loop).
const OSR_COUNTED = `
fn main() {
  let a = new [i32](8);
  var t = 0;
  var r = 2;
  while r < 40 {
    for i in 0..r % 8 { a[i] = a[i] + i + r; t = t + a[i]; }
    var k = 0;
    while k < r % 3 { k += 1; }
    t = t + k;
    if r % 7 == 6 { print(t); }
    r += 1;
  }
  print(t);
  for j in 0..100 { t = t + a[j % 9]; }
}`;

test('a counted loop is found in an OSR entry at its header, whose CFG nests the enclosing loop through it', () => {
  const r = load('fuel.tier', OSR_COUNTED, { tier: 'interp', stderr: () => {} });
  assert.ok(r.ok);
  const fn = plainModule(r.program.module).functions.find((f) => f.name === 'main');
  let forloop = 0;
  while (OP_INFO[fn.code[forloop]].name !== 'FORLOOP') forloop += instrLength(fn.code[forloop]);
  const header = jumpTargetAt(fn.code, forloop);
  const osr = buildCfg(fn, header);
  const loops = [...countedLoops(osr, fn.code).values()];
  assert.equal(loops.length, 2);
  const l = loops.find((x) => osr.blocks[x.header].start === header);
  // Its header has two edges back to it; only the FORLOOP's is the loop's.
  assert.equal(osr.blocks[l.header].preds.filter((p) => p >= l.header).length, 2);
  assert.deepEqual([...l.blocks].map((b) => osr.blocks[b].start).sort((x, y) => x - y), [header]);
  assert.equal(countedLoops(buildCfg(fn, 0), fn.code).size, 2);
});

test('a counted loop in an OSR entry at its header stops at the same step as the interpreter, at every budget and around poll periods', () => {
  const full = run(OSR_COUNTED, { tier: 'interp', maxSteps: 2 ** 40 });
  assert.match(full.stderr, /^runtime error: index 8 out of bounds for length 8\n/);
  const total = full.steps;
  for (const mode of COMPILING) assert.deepEqual(run(OSR_COUNTED, { ...mode, maxSteps: 2 ** 40 }), full, JSON.stringify(mode));
  const budgets = [];
  for (let n = 1; n <= total + 1; n++) budgets.push(n);
  stopsAlikeAt(OSR_COUNTED, budgets, total);
  const many = OSR_COUNTED.replace('r < 40', 'r < 3000').replace('0..r % 8', '0..r % 31').replace('[i32](8)', '[i32](31)').replace('j % 9', 'j % 32');
  const manyTotal = run(many, { tier: 'interp', maxSteps: 2 ** 40 }).steps;
  assert.ok(manyTotal > 40002, `only ${manyTotal} steps`);
  stopsAlikeAt(many, [9998, 9999, 10000, 10001, 10002, 19999, 20000, 20001, 30000, 30001, 40001, 40002]);
});

// Counted loops whose iterations begin with a call (jit/counted-loops.ts,
// `leading`): when the callee's body runs inline and takes no step, each
// iteration is 2 steps (the back-edge and the call), counted by the loop's
// counter. A leaf of arithmetic, one reading the heap (the loop left by a
// break), one that allocates (a helper inside the inlined body), loops whose
// armed bound wraps past 2^31 - 1 and whose 2 * counter wraps below -2^31, and
// a last loop whose inlined leaf traps.
const COUNTED_CALLS = `
fn sq(x: i32) -> i32 { return x * x; }
fn at(a: [i32], i: i32) -> i32 { return a[i]; }
fn name(i: i32) -> str { return str(i); }
fn main() {
  let a = new [i32](6);
  var t = 0;
  for r in 0..25 {
    for i in 0..r { t = t + sq(i) % 7; }
    for i in 0..6 { a[i] = at(a, i) + r; if a[i] > 150 + r { break; } }
    let q = r % 4;
    for i in 0..q { let s = name(i + r); t = t + s.len; }
    for h in 2147483640..2147483647 { t = t + sq(h % 3); }
    for h in -2147483647 - 1..-2147483640 { t = t + sq(h % 5); }
    print(t);
  }
  var n = 0;
  for i in 0..20 { n = n + at(a, i); }
  print(n);
}`;

test('counted loops with a leading call are found only where the backend names the call', () => {
  const r = load('fuel.tier', COUNTED_CALLS, { tier: 'interp', stderr: () => {} });
  assert.ok(r.ok);
  const mod = plainModule(r.program.module);
  const fn = mod.functions.find((f) => f.name === 'main');
  const cfg = buildCfg(fn, 0);
  assert.deepEqual([...countedLoops(cfg, fn.code).values()], []);
  // The first CALL of each loop header block, as if its callee ran inline.
  const CALL = Number(Object.keys(OP_INFO).find((k) => OP_INFO[k].name === 'CALL'));
  const firstCall = (h) => {
    const b = cfg.blocks[h];
    for (let pc = b.start; pc <= b.last; pc += instrLength(fn.code[pc])) if (fn.code[pc] === CALL) return pc;
    return null;
  };
  const loops = [...countedLoops(cfg, fn.code, firstCall).values()];
  assert.equal(loops.length, 6);
  for (const l of loops) { assert.equal(l.steps, 2); assert.equal(firstCall(l.header), l.call); }
});

test('counted loops with a leading call stop at the same step as the interpreter, at every budget and around poll periods', () => {
  const full = run(COUNTED_CALLS, { tier: 'interp', maxSteps: 2 ** 40 });
  assert.match(full.stderr, /^runtime error: index 6 out of bounds for length 6\n {2}at at \(fuel.tier:3\)\n {2}at main \(fuel.tier:18\)\n$/);
  const total = full.steps;
  for (const mode of COMPILING) assert.deepEqual(run(COUNTED_CALLS, { ...mode, maxSteps: 2 ** 40 }), full, JSON.stringify(mode));
  const budgets = [total - 2, total - 1, total];
  for (let n = 1; n <= total; n += n < 300 ? 1 : 17) budgets.push(n);
  stopsAlikeAt(COUNTED_CALLS, budgets, total);
  // Across poll periods (10,000 steps) inside long loops, odd and even steps into them.
  const many = COUNTED_CALLS.replace('0..r {', '0..r * 40 {');
  const manyTotal = run(many, { tier: 'interp', maxSteps: 2 ** 40 }).steps;
  assert.ok(manyTotal > 20002, `only ${manyTotal} steps`);
  stopsAlikeAt(many, [9998, 9999, 10000, 10001, 10002, 19999, 20000, 20001, 20002]);
});

// Compiled code keeps the fuel counter in a local in every function
// (jit/wasm/lower.ts): written back before calls, helpers and returns, read
// back after calls and externs. Functions that call, with loops that do not
// (and polls in them), inlined and real calls inside loops, a return right
// after a call (no read-back there), an extern whose host function calls back
// into the guest (sharing the budget), and a trap inside a metered loop.
const NON_LEAF = `
extern fn host(n: i32) -> i32;
fn count(n: i32) -> i32 { var s = 0; for i in 0..n { s = s + i % 3; } return s; }
fn twice(x: i32) -> i32 { return x + x; }
fn step(i: i32) -> i32 { if i < 2 { return i; } return step(i - 1) + step(i - 2); }
fn work(n: i32, a: [i32]) -> i32 {
  var s = 0;
  for i in 0..n {
    var j = 0;
    while j < 5 { s = s + a[j]; j = j + 1; }
    s = s + twice(i) + step(i % 6);
    if i % 50 == 7 { s = s + host(i % 13); }
  }
  return s;
}
fn main() {
  let a = new [i32](5);
  var t = 0;
  for k in 0..60 { t = t + work(k * 3, a); a[k % 5] = k; print(t); }
  var x = 0;
  while true { x = x + a[x % 9] + twice(x); x = x + 1; }
}`;

/** Run src, whose extern `host(n)` calls the guest's `count(n)` back. */
function runCallingBack(src, opts) {
  let stdout = '', stderr = '', program = null;
  const r = load('fuel.tier', src, { ...opts, externs: { host: (n) => program.call('count', n) },
    stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  program = r.program;
  const code = program.run();
  return { code, stdout, stderr, steps: program.lastSteps };
}
const runNonLeaf = (opts) => runCallingBack(NON_LEAF, opts);

test('functions that call count fuel in a local: the same step, output and trace in every mode', () => {
  const full = runNonLeaf({ tier: 'interp', maxSteps: 2 ** 40 });
  assert.match(full.stderr, /^runtime error: index \d+ out of bounds for length 5\n/);
  const total = full.steps;
  assert.ok(total > 20002, `only ${total} steps`);
  for (const mode of COMPILING) assert.deepEqual(runNonLeaf({ ...mode, maxSteps: 2 ** 40 }), full, JSON.stringify(mode));
  const budgets = [9999, 10000, 10001, 10002, 19999, 20000, 20001, total - 1, total];
  for (let n = 1; n <= 80; n++) budgets.push(n);
  for (let k = 1; k < 40; k++) budgets.push(Math.floor((total * k) / 40) + k);
  for (const maxSteps of budgets) {
    const ref = runNonLeaf({ tier: 'interp', maxSteps });
    if (maxSteps < total) assert.match(ref.stderr, /^runtime error: out of fuel\n/);
    assert.equal(ref.steps, maxSteps);
    for (const mode of COMPILING) assert.deepEqual(runNonLeaf({ ...mode, maxSteps }), ref, `${JSON.stringify(mode)} maxSteps ${maxSteps}`);
  }
});

test('fuel runs out deep in recursion with the whole guest trace, the same everywhere', () => {
  const src = `fn down(n: i32) -> i32 {
  if n == 0 { return 0; }
  return down(n - 1) + 1;
}
fn main() { print(down(40)); }`;
  const ref = run(src, { tier: 'interp', maxSteps: 30 });
  // Step 1 is main's call, step k the call made by the (k-1)th frame of down:
  // step 31 fails in the 30th.
  assert.equal(ref.stderr, 'runtime error: out of fuel\n' + '  at down (fuel.tier:3)\n'.repeat(30) + '  at main (fuel.tier:5)\n');
  for (const mode of COMPILING) assert.deepEqual(run(src, { ...mode, maxSteps: 30 }), ref, JSON.stringify(mode));
});

// Recursive functions pass the counter to their own calls in a wasm local
// (lower.ts, callsItself); the rest of the world (the host calling back in, an
// extern, a trap, a deopt, the interpreter past the host stack) sees the cell.
const RECURSIVE = `
extern fn host(n: i32) -> i32;
fn count(n: i32) -> i32 { if n < 1 { return 0; } return count(n - 1) + 1; }
fn walk(n: i32, a: [i32]) -> i32 {
  if n < 2 { return a[n]; }
  var s = 0;
  var i = 0;
  while i < n % 4 { s = s + i; i = i + 1; }
  if n % 7 == 3 { s = s + host(n); }
  return walk(n - 1, a) + walk(n - 2, a) + s;
}
fn main() {
  let a = new [i32](2);
  for k in 0..21 { a[k % 2] = k; print(walk(k, a)); }
  print(walk(12, new [i32](1)));
}`;

const runRecursive = (opts) => runCallingBack(RECURSIVE, opts);

test('recursive functions passing fuel along stop at the same step, with the same output and trace, in every mode', () => {
  const full = runRecursive({ tier: 'interp', maxSteps: 2 ** 40 });
  assert.match(full.stderr, /^runtime error: index 1 out of bounds for length 1\n(  at walk \(fuel.tier:5\)\n){1}/);
  const total = full.steps;
  assert.ok(total > 20002, `only ${total} steps`);
  for (const mode of COMPILING) assert.deepEqual(runRecursive({ ...mode, maxSteps: 2 ** 40 }), full, JSON.stringify(mode));
  const budgets = [9999, 10000, 10001, 19999, 20000, 20001, total - 1, total];
  for (let n = 1; n <= 60; n++) budgets.push(n);
  for (let k = 1; k < 30; k++) budgets.push(Math.floor((total * k) / 30) + k);
  for (const maxSteps of budgets) {
    const ref = runRecursive({ tier: 'interp', maxSteps });
    if (maxSteps < total) assert.match(ref.stderr, /^runtime error: out of fuel\n/);
    for (const mode of COMPILING) assert.deepEqual(runRecursive({ ...mode, maxSteps }), ref, `${JSON.stringify(mode)} maxSteps ${maxSteps}`);
  }
});

// `for` loops (a limit in a register and a constant one, inlined calls in the
// body) entered with any counter, a poll period running out inside, a trap
// inside.
const FOR_LOOPS = `
fn sq(x: i32) -> i32 { return x * x; }
fn fill(a: [i32], n: i32) -> i32 {
  var s = 0;
  for i in 0..n { s = s + sq(i) + a[i % 7]; }
  for i in 0..9 { s = s + i; }
  return s;
}
fn main() {
  let a = new [i32](7);
  var t = 0;
  for k in 0..500 { t = t + fill(a, k % 40); a[k % 7] = t % 100; if k % 50 == 0 { print(t); } }
  let b = new [i32](25);
  var u = 0;
  for i in 0..1000 { u = u + b[i] + sq(i); }
  print(u);
}`;

test('for loops with inlined calls stop at the same step, with the same output and trace, in every mode', () => {
  const full = run(FOR_LOOPS, { tier: 'interp', maxSteps: 2 ** 40 });
  assert.match(full.stderr, /^runtime error: index 25 out of bounds for length 25\n {2}at main \(fuel.tier:15\)\n$/);
  const total = full.steps;
  assert.ok(total > 20002, `only ${total} steps`);
  for (const mode of COMPILING) assert.deepEqual(run(FOR_LOOPS, { ...mode, maxSteps: 2 ** 40 }), full, JSON.stringify(mode));
  const budgets = [9999, 10000, 10001, 19999, 20000, 20001, total - 30, total - 1, total];
  for (let n = 1; n <= 100; n++) budgets.push(n);
  for (let k = 1; k < 30; k++) budgets.push(Math.floor((total * k) / 30) + k);
  stopsAlikeAt(FOR_LOOPS, budgets, total);
});

// Stores of young objects into old ones (under gcStress everything older than
// the last allocation has been promoted): compiled wasm code calls the write
// barrier's `remember` without writing the kept counter back first
// (jit/wasm/lower.ts, BLIND_TO_FUEL), between steps, before polls, traps and
// calls, in an inlined callee too; string equality the same.
const BARRIERS = `
struct Node { next: Node, v: i32, name: str }
fn link(a: Node, b: Node) -> i32 { a.next = b; return b.v; }
fn main() {
  let keep = new [Node](16);
  for i in 0..16 { keep[i] = new Node { next: null, v: i, name: str(i % 3) }; }
  var s = 0;
  for k in 0..400 {
    let n = new Node { next: null, v: k, name: str(k % 3) };
    keep[k % 16].next = n;
    s = s + link(keep[(k * 7) % 16], n);
    if keep[k % 16].name == n.name { s = s + 1; }
    var j = 0;
    while j < k % 5 { keep[j].next = n; j = j + 1; }
    if k % 100 == 0 { print(s); }
  }
  print(keep[16].v);
}`;

test('write-barrier stores between steps stop at the same step, with the same output and trace, in every mode', () => {
  const full = run(BARRIERS, { tier: 'interp', maxSteps: 2 ** 40 });
  assert.match(full.stderr, /^runtime error: index 16 out of bounds for length 16\n {2}at main \(fuel.tier:17\)\n$/);
  const total = full.steps;
  for (const mode of COMPILING) {
    for (const gcStress of [false, true]) {
      assert.deepEqual(run(BARRIERS, { ...mode, gcStress, maxSteps: 2 ** 40 }), full, `${JSON.stringify(mode)} gcStress ${gcStress}`);
    }
  }
  const budgets = [total - 1, total];
  for (let n = 1; n <= 60; n++) budgets.push(n);
  for (let k = 1; k < 25; k++) budgets.push(Math.floor((total * k) / 25) + k);
  for (const maxSteps of budgets) {
    const ref = run(BARRIERS, { tier: 'interp', maxSteps });
    for (const mode of COMPILING) {
      assert.deepEqual(run(BARRIERS, { ...mode, gcStress: true, maxSteps }), ref, `${JSON.stringify(mode)} maxSteps ${maxSteps}`);
    }
  }
});

test('the same program counts the same steps under node --jitless (js backend)', () => {
  const script = `import { load } from ${JSON.stringify(path.join(ROOT, 'dist/vm.js'))};
    const src = ${JSON.stringify(PROGRAM)};
    const out = [];
    for (const mode of [{ tier: 'interp' }, { tier: 'jit' }, { tier: 'auto', jitThreshold: 1 }, { tier: 'auto' }]) {
      let text = '';
      const r = load('fuel.tier', src, { ...mode, maxSteps: 23456, stdout: (t) => { text += t; }, stderr: (t) => { text += t; } });
      out.push({ code: r.program.run(), text, tiers: r.program.lastTiers.compiled.length });
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout);
  const ref = run(PROGRAM, { tier: 'interp', maxSteps: 23456 });
  for (const res of results) assert.deepEqual({ code: res.code, text: res.text }, { code: ref.code, text: ref.stdout + ref.stderr });
  if (hasEval) assert.ok(results[1].tiers > 0, 'the js backend compiled under --jitless');
});

test('every corpus program stops at the same step in every tier, at half its steps', () => {
  let cases = 0;
  for (const file of listPrograms(ROOT)) {
    const src = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const exp = parseExpectations(src);
    const runIt = (opts) => {
      let out = '';
      const r = load(file, src, { ...opts, args: exp.args, stdin: exp.stdin, stdout: (t) => { out += t; }, stderr: (t) => { out += `<stderr>${t}`; } });
      return r.ok ? { code: r.program.run(), out, steps: r.program.lastSteps } : null;
    };
    const full = runIt({ tier: 'interp', maxSteps: 2 ** 50 });
    if (full === null || full.steps < 2) continue;
    const maxSteps = Math.ceil(full.steps / 2);
    const ref = runIt({ tier: 'interp', maxSteps });
    assert.equal(ref.steps, maxSteps, file);
    for (const mode of COMPILING) assert.deepEqual(runIt({ ...mode, maxSteps }), ref, `${file} ${JSON.stringify(mode)}`);
    cases++;
  }
  assert.ok(cases > 50, `only ${cases} programs`);
});

test('a run with no limit is not metered and counts nothing', () => {
  const r = load('t.tier', 'fn main() { print(1); }', { stdout: () => {} });
  assert.equal(r.program.interruptBuffer, null);
  assert.throws(() => r.program.interrupt(), /not interruptible/);
  assert.equal(r.program.run(), 0);
  assert.equal(r.program.lastSteps, null);
});

// ---- interrupt and deadline ---------------------------------------------------------

const SPIN = 'fn main() {\n  while true {}\n}\n';
const SPIN_TRACE = 'runtime error: interrupted\n  at main (spin.tier:2)\n';

test('deadlineMs stops while true {} in every tier with exactly `interrupted`', async () => {
  for (const mode of MODES) {
    const r = await inWorker(SPIN, { ...mode, deadlineMs: 40 });
    assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 1, stdout: '', stderr: SPIN_TRACE }, JSON.stringify(mode));
    assert.ok(r.ms >= 40 && r.ms < 10_000, `${JSON.stringify(mode)}: stopped after ${r.ms} ms`);
  }
});

test('deadlineMs also stops loops that call, deep in the stack, with the guest trace', async () => {
  const src = 'fn f(x: i32) -> i32 { return x + 1; }\nfn g() { var i = 0; while true { i = f(i); } }\nfn main() {\n  g();\n}\n';
  for (const mode of MODES) {
    // (The deadline counts from run() on, compiling included: long enough that
    // the loop, not the first call, is where it passes, even on a busy machine.)
    const r = await inWorker(src, { ...mode, deadlineMs: 300 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^runtime error: interrupted\n(  at f \(spin\.tier:1\)\n)?  at g \(spin\.tier:2\)\n  at main \(spin\.tier:4\)\n$/, JSON.stringify(mode));
  }
});

test('program.interrupt() from an extern stops the run; the program runs again afterwards', () => {
  // (Bounded, so that a tier that never polls fails the test instead of hanging it.)
  const src = 'extern fn tick(i: i32);\nfn main() {\n  var i = 0;\n  while i < 1000000 { tick(i); i = i + 1; }\n}\n';
  for (const mode of MODES) {
    let program = null, ticks = 0, err = '';
    const r = load('x.tier', src, {
      ...mode, interruptible: true, stdout: () => {}, stderr: (t) => { err += t; },
      externs: { tick: (i) => { ticks++; if (i === 100) program.interrupt(); } },
    });
    program = r.program;
    assert.equal(program.run(), 1);
    assert.equal(err, 'runtime error: interrupted\n  at main (x.tier:4)\n', JSON.stringify(mode));
    // The request was consumed: the next run is stopped by its own interrupt only.
    assert.equal(Atomics.load(program.interruptBuffer, 0), 0);
    const first = ticks;
    ticks = 0; err = '';
    assert.equal(program.run(), 1);
    assert.equal(err, 'runtime error: interrupted\n  at main (x.tier:4)\n');
    assert.equal(ticks, first, 'the same step in the second run');
  }
});

test('interrupt() asked during a short call stops that call, not the next one', () => {
  // Found by an embedding audit: a call that polled no more (no loop or call
  // reached the poll period after the request) returned normally, and the
  // request stopped the next, unrelated call instead. Now an extern's request
  // stops the call at the extern's call; an output callback's, or a tier-event
  // listener's, when the entry returns (no guest frame is left by then).
  const src = 'extern fn stop_me();\nfn guarded() -> i32 {\n  stop_me();\n  return 42;\n}\nfn loud() -> i32 { print("x"); return 1; }\nfn other() -> i32 { return 7; }\nfn main() { print(guarded()); }\n';
  for (const mode of MODES) {
    const what = JSON.stringify(mode);
    let program = null, asked = null, err = '';
    const r = load('s.tier', src, {
      ...mode, interruptible: true, stderr: (t) => { err += t; },
      stdout: () => { if (asked === 'stdout') program.interrupt(); },
      externs: { stop_me: () => { if (asked === 'extern') program.interrupt(); } },
    });
    program = r.program;
    asked = 'extern';
    assert.throws(() => program.call('guarded'), (e) => e.message === 'interrupted' && e.frames.map((f) => `${f.function}:${f.line}`).join() === 'guarded:3', what);
    assert.equal(program.call('other'), 7, what);
    assert.equal(program.run(), 1, what);
    assert.equal(err, 'runtime error: interrupted\n  at guarded (s.tier:3)\n  at main (s.tier:8)\n', what);
    asked = 'stdout';
    assert.throws(() => program.call('loud'), (e) => e.message === 'interrupted', what);
    asked = null;
    assert.equal(program.call('loud'), 1, what);
    assert.equal(program.call('other'), 7, what);
    assert.equal(Atomics.load(program.interruptBuffer, 0), 0, what);
  }
});

test('after out of fuel or an interrupt the host and the program stay usable', () => {
  const src = 'fn main() {\n  var i = 0;\n  while i < 100 { i = i + 1; }\n  print(i);\n}\n';
  for (const mode of MODES) {
    const r = load('u.tier', src, { ...mode, maxSteps: 50, stdout: () => {}, stderr: () => {} });
    assert.equal(r.program.run(), 1);
    assert.equal(r.program.lastSteps, 50);
    assert.equal(r.program.run(), 1, 'a second run gets a fresh budget and stops at the same step');
    assert.equal(r.program.lastSteps, 50);
    // A pending interrupt stops the next run before it starts; withdrawn, it does not.
    r.program.interrupt();
    let err = '';
    const again = load('u.tier', src, { ...mode, interruptBuffer: r.program.interruptBuffer, stdout: () => {}, stderr: (t) => { err += t; } });
    assert.equal(again.program.run(), 1);
    assert.equal(err, 'runtime error: interrupted\n');
    assert.equal(Atomics.load(r.program.interruptBuffer, 0), 0, 'the request was consumed');
    r.program.interrupt();
    Atomics.store(r.program.interruptBuffer, 0, 0);
    assert.equal(again.program.run(), 0);
    let out = '';
    assert.equal(runSource('v.tier', src, { ...mode, stdout: (t) => { out += t; } }), 0);
    assert.equal(out, '100\n');
  }
});

/** Run `src` on a worker thread (a guest that is never stopped fails the test
 *  after 60 s instead of hanging it). With `interruptAfterMs`: once the guest
 *  called `ready()`, wait that long and set the interrupt flag (one made here and
 *  given as interruptBuffer, or with `own: false` the one the program made). */
async function inWorker(src, opts, { interruptAfterMs = null, own = true } = {}) {
  const buffer = own && interruptAfterMs !== null ? new Int32Array(new SharedArrayBuffer(4)) : null;
  const workerOpts = interruptAfterMs === null ? opts : own ? { ...opts, interruptBuffer: buffer } : { ...opts, interruptible: true };
  const worker = new Worker(new URL('./limits-worker.mjs', import.meta.url), { workerData: { src, opts: workerOpts } });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${JSON.stringify(opts)}: the guest was not stopped within 60 s`)), 60_000);
      worker.on('error', reject);
      worker.on('message', (m) => {
        if (m.ready && interruptAfterMs !== null) setTimeout(() => Atomics.store(buffer ?? m.buffer, 0, 1), interruptAfterMs);
        if (m.done) { clearTimeout(timer); resolve(m); }
      });
    });
  } finally {
    await worker.terminate();
  }
}

const SPIN_READY = 'extern fn ready();\nfn main() {\n  ready();\n  while true {}\n}\n';
const CALLS_READY = 'extern fn ready();\nfn f(x: i32) -> i32 { return x + 1; }\n' +
  'fn main() {\n  ready();\n  var i = 0;\n  while true { i = f(i); }\n}\n';

test('another thread stops while true {} through the shared flag, in every tier', async () => {
  for (const mode of MODES) {
    const r = await inWorker(SPIN_READY, mode, { interruptAfterMs: 50 });
    assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr },
      { code: 1, stdout: '', stderr: 'runtime error: interrupted\n  at main (spin.tier:4)\n' }, JSON.stringify(mode));
    assert.ok(r.ms >= 50, `${JSON.stringify(mode)}: stopped after ${r.ms} ms`);
  }
});

test('another thread stops a loop that calls, and compiled code, through program.interruptBuffer', async () => {
  for (const mode of MODES) {
    const r = await inWorker(CALLS_READY, mode, { interruptAfterMs: 50, own: false });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^runtime error: interrupted\n(  at f \(spin\.tier:2\)\n)?  at main \(spin\.tier:6\)\n$/, JSON.stringify(mode));
    if (mode.tier === 'jit' && !mode.hostStackSlots) assert.ok(r.tiers.compiled.includes('main'), 'main ran compiled');
  }
});

test('a request made between runs stops the next run or call before it starts, even one that takes no step', () => {
  const src = 'var G: i32 = 0;\nfn add(a: i32, b: i32) -> i32 { G += 1; return a + b; }\nfn count() -> i32 { return G; }\nfn main() { print(add(1, 2)); }\n';
  for (const mode of MODES) {
    let out = '', err = '';
    const { program } = load('p.tier', src, { ...mode, interruptible: true, stdout: (t) => { out += t; }, stderr: (t) => { err += t; } });
    program.interrupt();
    assert.throws(() => program.call('add', 1, 2), (e) => e.name === 'TierRuntimeError' && e.message === 'interrupted' &&
      e.text === 'runtime error: interrupted\n' && e.frames.length === 0, JSON.stringify(mode));
    assert.equal(program.call('count'), 0, 'nothing ran');
    assert.equal(program.call('add', 1, 2), 3, 'the request was consumed: the next call runs');
    program.interrupt();
    program.interrupt();   // twice is one request
    assert.equal(program.run(), 1);
    assert.deepEqual({ out, err }, { out: '', err: 'runtime error: interrupted\n' });
    assert.equal(program.run(), 0);
    assert.equal(out, '3\n');
    assert.equal(program.call('count'), 2);
  }
});

test('a run interrupted inside a nested call stays interrupted when the extern catches it', () => {
  const src = 'extern fn host(n: i32) -> i32;\nfn inner(n: i32) -> i32 { var i = 0; while i < n { i += 1; } return i; }\n' +
    'fn outer(n: i32) -> i32 { return host(n) + 1; }\nfn main() { print(outer(10)); print(outer(100000)); print(99); }\n';
  for (const mode of MODES) {
    let program = null, caught = null, out = '', err = '';
    program = load('n.tier', src, {
      ...mode, interruptible: true, stdout: (t) => { out += t; }, stderr: (t) => { err += t; },
      externs: { host: (n) => { if (n > 1000) program.interrupt(); try { return program.call('inner', n); } catch (e) { caught = e; return -1; } } },
    }).program;
    assert.throws(() => program.call('outer', 100000), (e) => e.message === 'interrupted' &&
      e.text === 'runtime error: interrupted\n  at outer (n.tier:3)\n', JSON.stringify(mode));
    assert.equal(caught?.text, 'runtime error: interrupted\n  at inner (n.tier:2)\n  at outer (n.tier:3)\n');
    assert.equal(program.call('outer', 10), 11, 'the next call runs');
    assert.equal(program.run(), 1);
    assert.deepEqual({ out, err }, { out: '11\n', err: 'runtime error: interrupted\n  at outer (n.tier:3)\n  at main (n.tier:4)\n' }, JSON.stringify(mode));
  }
});

// ---- options and the command line ---------------------------------------------------

test('bad limit options are refused like every other option', () => {
  const bad = [
    ['maxSteps', 0], ['maxSteps', -1], ['maxSteps', 1.5], ['maxSteps', '10'], ['maxSteps', NaN], ['maxSteps', 2 ** 53],
    ['deadlineMs', 0], ['deadlineMs', -5], ['deadlineMs', Infinity], ['deadlineMs', NaN], ['deadlineMs', '50'],
    ['interruptible', 1], ['interruptBuffer', new Int32Array(0)], ['interruptBuffer', [0]], ['interruptBuffer', new Uint8Array(4)],
  ];
  for (const [name, value] of bad) {
    let err = '';
    const r = load('t.tier', 'fn main() {}', { [name]: value, stderr: (t) => { err += t; } });
    assert.deepEqual([r.ok, r.exitCode, r.errors], [false, 2, []], `${name} ${String(value)}`);
    assert.match(err, new RegExp(`^tiervm: invalid option ${name}: must be .*\\n$`), err);
  }
  let err = '';
  load('t.tier', 'fn main() {}', { maxStep: 5, stderr: (t) => { err += t; } });
  assert.match(err, /did you mean 'maxSteps'/);
  for (const ok of [{ maxSteps: 1 }, { maxSteps: 2 ** 53 - 1 }, { deadlineMs: 0.5 }, { interruptible: false }]) {
    assert.ok(load('t.tier', 'fn main() {}', ok).ok, JSON.stringify(ok));
  }
});

test('tiervm run --max-steps=N and --deadline-ms=MS', () => {
  const bin = path.join(ROOT, 'bin', 'tiervm.js');
  const file = path.join(ROOT, 'tests', 'unit', 'nesting-programs.mjs');   // any readable file for usage errors
  const cli = (args) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  const spinFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tiervm-limits-')), 'spin.tier');
  fs.writeFileSync(spinFile, SPIN);
  const help = cli(['--help']).stdout;
  assert.match(help, /--max-steps=N/);
  assert.match(help, /--deadline-ms=MS/);
  const prog = path.join(ROOT, 'examples', 'trees.tier');
  const full = cli(['run', prog]);
  assert.equal(full.status, 0);
  for (const tier of ['--tier=interp', '--tier=jit', '--tier=auto']) {
    const r = cli(['run', tier, '--max-steps=500', prog]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^runtime error: out of fuel\n(  at \w+ \(.*trees\.tier:\d+\)\n)+$/);
    assert.ok(full.stdout.startsWith(r.stdout));
    const spin = cli(['run', tier, '--deadline-ms=30', spinFile]);
    assert.equal(spin.status, 1);
    assert.equal(spin.stderr, `runtime error: interrupted\n  at main (${spinFile}:2)\n`);
  }
  for (const bad of ['--max-steps=0', '--max-steps=x', '--max-steps', '--deadline-ms=0', '--deadline-ms=-1']) {
    const r = cli(['run', bad, file]);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /^tiervm: .*\n$/);
  }
});

test('program.call: each outermost call has its own budget, nested calls share it, and the program stays usable after a stop', () => {
  const src = `
extern fn host(n: i32) -> i32;
fn spin(n: i32) -> i32 { var s = 0; for i in 0..n { s += i; } return s; }
fn viaHost(n: i32) -> i32 { return host(n) + spin(n); }
fn main() {}`;
  let stepsOfSpin50 = null;
  for (const mode of MODES) {
    let program = null;
    const r = load('calls.tier', src, { ...mode, maxSteps: 100, externs: { host: (n) => program.call('spin', n) } });
    assert.ok(r.ok);
    program = r.program;
    const label = JSON.stringify(mode);
    assert.equal(program.lastSteps, null, `${label}: no entry yet`);
    assert.equal(program.call('spin', 50), 1225, label);
    const steps50 = program.lastSteps;
    assert.ok(steps50 >= 45 && steps50 < 100, `${label}: spin(50) took ${steps50} steps`);
    if (stepsOfSpin50 === null) stepsOfSpin50 = steps50;
    assert.equal(steps50, stepsOfSpin50, `${label}: the same steps as the first mode`);
    assert.equal(program.call('spin', 90), 4005, `${label}: a fresh budget for the next outermost call`);
    assert.ok(program.lastSteps > steps50 && program.lastSteps <= 100, `${label}: lastSteps is the last call's`);
    assert.equal(program.fn('spin')(50), 1225, label);
    assert.equal(program.lastSteps, steps50, `${label}: an fn() call sets lastSteps too`);
    assert.throws(() => program.call('spin', 1000), (e) => e.message === 'out of fuel' && /^runtime error: out of fuel\n {2}at spin /.test(e.text), label);
    assert.equal(program.lastSteps, 100, `${label}: a call out of fuel took the whole budget`);
    assert.equal(program.call('spin', 50), 1225, `${label}: usable after running out`);
    // The nested spin's loop (from the host, inside the extern) and viaHost's own
    // call of spin and its loop share one budget: about 2n steps.
    assert.equal(program.call('viaHost', 40), 2 * 780, label);
    assert.throws(() => program.call('viaHost', 60), (e) => e.message === 'out of fuel', `${label}: the nested entry draws on the same budget`);
    program.interrupt();
    assert.throws(() => program.call('spin', 10), (e) => e.message === 'interrupted', label);
    assert.equal(program.call('spin', 10), 45, `${label}: the stop reset the flag`);
    const last = program.lastSteps;
    program.dispose();
    assert.equal(program.lastSteps, last, `${label}: kept when disposed`);
  }
});

test('maxCodeKB bounds compile memory: past it functions stay interpreted, with the same output in every tier', () => {
  const src = `
fn fib(n: i32) -> i32 { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }
fn sum(n: i32) -> i32 { var s = 0; for i in 0..n { s = (s + i * i) % 1000003; } return s; }
fn big(n: i32) -> f64 {
  var x = 0.0;
  for i in 0..n { x = x + sqrt(i as f64) * 0.5 - (i % 7) as f64 / 3.0 + (i % 11) as f64 * 0.25 - (i % 13) as f64; }
  return x;
}
fn big2(n: i32) -> f64 {
  var x = 1.0;
  for i in 0..n { x = x * 0.999 + sqrt((i % 100) as f64) - (i % 5) as f64 / 7.0 + (i % 17) as f64 * 0.125; }
  return x;
}
fn main() { print(fib(20)); print(sum(100000)); print(fixed(big(50000), 3)); print(fixed(big2(50000), 3)); }`;
  const expected = run(src, { tier: 'interp' }).stdout;
  for (const mode of COMPILING) {
    let out = '';
    const failures = [];
    const r = load('code.tier', src, { ...mode, compile: 'sync', maxCodeKB: 1, stdout: (t) => { out += t; },
      onTierEvent: (e) => { if (e.kind === 'failed' || e.kind === 'osr-failed') failures.push(e.reason); } });
    assert.equal(r.program.run(), 0);
    assert.equal(out, expected, JSON.stringify(mode));
    assert.ok(failures.length > 0 && failures.every((why) => /compiled code limit reached/.test(why)),
      `${JSON.stringify(mode)}: some compile was refused, for the limit: ${JSON.stringify(failures)}`);
  }
  let err = '';
  load('code.tier', src, { maxCodeKB: 0, stderr: (t) => { err += t; } });
  assert.match(err, /^tiervm: invalid option maxCodeKB: must be /);
});

// The same for the budget and the deadline: a nested call stopped by either,
// caught by the extern, ends the run at the extern's call with that message
// (before, the run went on until its next step, or to its end if it took none).
test('a run stopped by fuel or the deadline inside a nested call stays stopped when the extern catches it', () => {
  const src = 'extern fn host() -> i32;\nfn spin() -> i32 { while true {} return 0; }\n' +
    'fn outer() -> i32 { return host() + 1; }\nfn main() { print(outer()); }\n';
  for (const mode of MODES) {
    for (const [limit, message] of [[{ maxSteps: 5000 }, 'out of fuel'], [{ deadlineMs: 30 }, 'interrupted']]) {
      let program = null, caught = null, out = '', err = '';
      program = load('s.tier', src, {
        ...mode, ...limit, stdout: (t) => { out += t; }, stderr: (t) => { err += t; },
        externs: { host: () => { try { return program.call('spin'); } catch (e) { caught = e; return 5; } } },
      }).program;
      const what = JSON.stringify({ ...mode, ...limit });
      assert.throws(() => program.call('outer'), (e) => e.message === message && e.text === `runtime error: ${message}\n  at outer (s.tier:3)\n`, what);
      assert.equal(caught?.message, message, what);
      assert.equal(program.run(), 1, what);
      assert.deepEqual({ out, err }, { out: '', err: `runtime error: ${message}\n  at outer (s.tier:3)\n  at main (s.tier:4)\n` }, what);
    }
  }
});

// Fuel kept in a local by functions that make no guest call (the JS backend's
// `fu`, src/jit/js/lower.ts; the wasm backend keeps one in every function):
// written back before helpers that trap or allocate, before returns after a
// step and at an OSR entry's exit to its driver, read back after an extern that
// calls back into the guest. A program of such functions stops at the same
// step, with the same output and trace, in every mode, under GC stress too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { COMPILING } from './host-caps.mjs';


function run(src, opts, externs = {}) {
  let stdout = '', stderr = '';
  let program = null;
  const bound = Object.fromEntries(Object.entries(externs).map(([k, f]) => [k, (...a) => f(program, ...a)]));
  const r = load('local.tier', src, { ...opts, externs: bound, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  program = r.program;
  const code = program.run();
  return { code, stdout, stderr, steps: program.lastSteps };
}

// Call-free functions (loops only) with: allocation and string building between
// steps, a return after a loop and one before any step, an extern that calls
// back into the guest (whose steps the caller's local must take back), a loop
// long enough for the JS backend's OSR entry to leave and re-enter its driver
// (65,536 arrivals), and a trap that ends the run inside a loop.
const SRC = `
extern fn host(n: i32) -> i32;
fn inner(n: i32) -> i32 { var i = 0; while i < n { i += 1; } return i; }
fn early(n: i32) -> i32 {
  if n < 0 { return 0; }
  var s = 0;
  for i in 0..n { s += i; }
  return s;
}
fn build(n: i32) -> str {
  var s = "";
  var i = 0;
  while i < n { s = s + str(i % 10); let a = new [i32](i + 1); a[i] = i; i += 1; }
  return s;
}
fn viaHost(n: i32) -> i32 {
  var t = 0;
  var i = 0;
  while i < n { t += host(i); i += 1; }
  return t;
}
fn long(n: i32) -> i32 {
  var s = 0;
  var i = 0;
  while i < n { s = (s + i) % 1000003; i += 1; }
  return s;
}
fn overrun(a: [i32]) -> i32 {
  var i = 0;
  var s = 0;
  while true { s += a[i]; i += 1; }
  return s;
}
fn main() {
  print(early(-1));
  for k in 0..40 {
    print(early(k % 9) + inner(k % 5));
    print(build(k % 7));
    print(viaHost(k % 4));
  }
  print(long(140000));
  print(overrun(new [i32](50)));
}`;

const externs = { host: (program, n) => program.call('inner', n + 3) + 1 };

test('call-free functions keeping fuel in a local stop at the same step in every mode', () => {
  const full = run(SRC, { tier: 'interp', maxSteps: 2 ** 40 }, externs);
  assert.match(full.stderr, /^runtime error: index 50 out of bounds for length 50\n {2}at overrun \(local.tier:\d+\)\n {2}at main/);
  const total = full.steps;
  for (const mode of COMPILING) {
    for (const gcStress of [false, true]) {
      assert.deepEqual(run(SRC, { ...mode, gcStress, maxSteps: 2 ** 40 }, externs), full, `${JSON.stringify(mode)} gcStress ${gcStress}`);
    }
  }
  const budgets = [1, 2, 3, total - 51, total - 50, total - 49, total - 1, total];
  for (let n = 4; n <= 400; n += 7) budgets.push(n);
  for (const p of [10000, 20000, 70000, 130000]) budgets.push(p - 1, p, p + 1);
  for (let k = 1; k < 15; k++) budgets.push(Math.floor((total * k) / 15) + k);
  for (const maxSteps of budgets) {
    const ref = run(SRC, { tier: 'interp', maxSteps }, externs);
    if (maxSteps < total) assert.match(ref.stderr, /^runtime error: out of fuel\n/, `maxSteps ${maxSteps}`);
    for (const mode of COMPILING) {
      for (const gcStress of [false, true]) {
        assert.deepEqual(run(SRC, { ...mode, gcStress, maxSteps }, externs), ref, `${JSON.stringify(mode)} gcStress ${gcStress} maxSteps ${maxSteps}`);
      }
    }
  }
});

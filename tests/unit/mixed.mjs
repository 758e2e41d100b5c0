// Shared by the mixed-mode tests of both backends (tiers.test.mjs for wasm,
// js-backend.test.mjs for JS): programs whose functions are split between the
// interpreter and compiled code, and the runner that compares a mixed run with
// the interpreter's.
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';

/** Load and run `src` with `opts` (over `defaults`), capturing output. */
export function runTier(src, opts = {}, defaults = {}) {
  let stdout = '', stderr = '';
  const r = load('t.tier', src, { ...defaults, ...opts, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  const code = r.program.run();
  return { code, stdout, stderr, tiers: r.program.lastTiers };
}

/** stderr without --trace-tier lines. */
export const untraced = (s) => s.replace(/^\[tier\].*\n/gm, '');

/** The same program in the interpreter (or `ref`, a result already made) and
 *  mixed: identical output, errors, status. */
export function sameAsInterpreter(src, opts, defaults = {}, ref = runTier(src, { tier: 'interp' }, defaults)) {
  const mixed = runTier(src, opts, defaults);
  assert.equal(mixed.stdout, ref.stdout);
  assert.equal(untraced(mixed.stderr), ref.stderr);
  assert.equal(mixed.code, ref.code);
  return mixed;
}

/** c_* and i_* functions call each other; split them with --jit-filter. */
export const PINGPONG = `
fn c_even(n: i32) -> bool { if n == 0 { return true; } return i_odd(n - 1); }
fn i_odd(n: i32) -> bool { if n == 0 { return false; } return c_even(n - 1); }
fn c_sum(xs: [f64], i: i32) -> f64 { if i == xs.len { return 0.0; } return xs[i] + i_sum(xs, i + 1); }
fn i_sum(xs: [f64], i: i32) -> f64 { if i == xs.len { return 0.0; } return xs[i] * 2.0 + c_sum(xs, i + 1); }
fn main() {
  print(c_even(1000));
  print(i_odd(777));
  let xs = new [f64](300);
  for i in 0..xs.len { xs[i] = i as f64 / 4.0; }
  print(c_sum(xs, 0));
}`;
export const PINGPONG_OUTPUT = 'true\ntrue\n16837.5\n';

// Every tier reaches the same recursion depth on any thread: compiled code uses
// the host stack only up to a budget (runtime.ts) and continues in the
// interpreter past it. These run on the test runner's main thread (about 1 MB of
// host stack), where compiled recursion used to overflow near 10,000-20,000 frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';

const MODES = [
  { tier: 'interp' },
  ...(hasWasm ? [{ tier: 'jit', backend: 'wasm' }, { tier: 'auto', jitThreshold: 1, backend: 'wasm' },
    { tier: 'jit', backend: 'wasm', jitFilter: '^f$' }] : []),
  ...(hasEval ? [{ tier: 'jit', backend: 'js' }, { tier: 'auto', jitThreshold: 1, backend: 'js' }] : []),
];

function run(src, opts) {
  let stdout = '', stderr = '';
  const r = load('deep.tier', src, { ...opts, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  return { code: r.program.run(), stdout, stderr };
}

const MUTUAL = `
fn f(n: i32, x: f64) -> f64 { if n == 0 { return x; } return g(n - 1, x + 1.0) + 0.5; }
fn g(n: i32, x: f64) -> f64 { if n == 0 { return x; } return f(n - 1, x * 1.0) - 0.5; }
fn main() { print(f(150000, 0.0)); }`;

test('150,000 frames of mutual recursion on the main thread, every tier and split', () => {
  for (const mode of MODES) {
    const r = run(MUTUAL, { ...mode, stackSizeKB: 65536 });
    assert.deepEqual(r, { code: 0, stdout: '75000\n', stderr: '' }, JSON.stringify(mode));
  }
});

test('the frame stack overflows at the same depth, with the same trace, in every tier', () => {
  const src = `fn down(n: i32) -> i32 { return down(n + 1) + 1; }\nfn main() { print(down(0)); }`;
  const ref = run(src, { tier: 'interp' });
  assert.equal(ref.code, 1);
  assert.match(ref.stderr, /^runtime error: stack overflow\n  at down \(deep\.tier:1\)\n/);
  for (const mode of MODES) assert.deepEqual(run(src, mode), ref, JSON.stringify(mode));
});

test('a budget of one slot sends every compiled call to the interpreter, same answers', () => {
  for (const mode of MODES.filter((m) => m.tier !== 'interp')) {
    const r = run(MUTUAL.replace('150000', '2000'), { ...mode, hostStackSlots: 1 });
    assert.deepEqual(r, { code: 0, stdout: '1000\n', stderr: '' }, JSON.stringify(mode));
  }
});

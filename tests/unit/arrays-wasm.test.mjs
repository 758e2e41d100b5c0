// Arrays allocated by compiled code (jit/wasm/lower.ts newArray: in the
// allocation window, or through Heap.newArray for negative lengths, big arrays
// of references and long arrays; runtime/heap.ts windowArrayMax): every element
// kind, lengths around every boundary (0, 1, the block's rounding, the window's
// end, windowArrayMax, BIG_ARRAY_ELEMENTS), zeroed payloads where collections
// have freed garbage, negative lengths and out of memory, with the same output
// in every tier and mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTier, untraced } from './mixed.mjs';
import { hasWasm } from './host-caps.mjs';
import { windowArrayMax, BIG_ARRAY_ELEMENTS, WINDOW_ARRAY_BYTES } from '../../dist/runtime/heap.js';

const wasmTest = (name, fn) => test(name, { skip: !hasWasm && 'no WebAssembly on this host' }, fn);

const ARR_I = 2, ARR_F = 3, ARR_R = 4, ARR_B = 7;

/** Every mode a program must give the same answer in. */
const MODES = [
  { tier: 'interp' },
  { tier: 'jit' },
  { tier: 'opt' },
  { tier: 'auto' },
  { tier: 'jit', gcStress: true, verifyHeap: true },
  { tier: 'opt', gcStress: true, verifyHeap: true },
  { tier: 'opt', deoptStress: true },
  { tier: 'jit', backend: 'js' },
];

/** Runs src in every mode (with `opts` added); returns the interpreter's run. */
function sameEverywhere(src, opts = {}, modes = MODES) {
  const ref = runTier(src, { ...opts, ...modes[0] });
  for (const m of modes.slice(1)) {
    const r = runTier(src, { ...opts, ...m });
    const what = JSON.stringify(m);
    assert.equal(r.stdout, ref.stdout, what);
    assert.equal(untraced(r.stderr), ref.stderr, what);
    assert.equal(r.code, ref.code, what);
  }
  return ref;
}

test('windowArrayMax: the arrays compiled code allocates itself are plain young window arrays', () => {
  assert.equal(windowArrayMax(ARR_I), WINDOW_ARRAY_BYTES / 4);
  assert.equal(windowArrayMax(ARR_F), WINDOW_ARRAY_BYTES / 8);
  assert.equal(windowArrayMax(ARR_B), WINDOW_ARRAY_BYTES);
  assert.equal(windowArrayMax(ARR_R), BIG_ARRAY_ELEMENTS - 1);
  assert.ok(WINDOW_ARRAY_BYTES + 8 < (1 << 20) - 64 * 1024, 'smaller than the smallest heap');
});

// Each checker allocates an array of n elements, counts elements that are not
// the kind's zero (and a wrong length), then fills it with garbage. The
// garbage is freed by the next collections; later arrays take its place.
const CHECKERS = `
struct P { x: i32 }
fn sq(x: i32) -> i32 { return x * x; }
fn ci(n: i32) -> i32 {
  let a = new [i32](n);
  var bad = 0;
  if a.len != n { bad += 1000; }
  for i in 0..n { if a[i] != 0 { bad += 1; } a[i] = -1; }
  return bad;
}
fn cf(n: i32) -> i32 {
  let a = new [f64](n);
  var bad = 0;
  if a.len != n { bad += 1000; }
  for i in 0..n { if a[i] != 0.0 { bad += 1; } a[i] = -1.5; }
  return bad;
}
fn cb(n: i32) -> i32 {
  let a = new [bool](n);
  var bad = 0;
  if a.len != n { bad += 1000; }
  for i in 0..n { if a[i] { bad += 1; } a[i] = true; }
  return bad;
}
fn cr(n: i32) -> i32 {
  let a = new [P](n);
  var bad = 0;
  if a.len != n { bad += 1000; }
  for i in 0..n { if a[i] != null { bad += 1; } a[i] = new P { x: i }; }
  return bad;
}
fn cs(n: i32) -> i32 {
  let a = new [str](n);
  var bad = 0;
  if a.len != n { bad += 1000; }
  for i in 0..n { if a[i] != null { bad += 1; } a[i] = "x"; }
  return bad;
}
fn cfn(n: i32) -> i32 {
  let a = new [fn(i32) -> i32](n);
  var bad = 0;
  if a.len != n { bad += 1000; }
  for i in 0..n { if a[i] != null { bad += 1; } a[i] = sq; }
  return bad;
}
fn all(n: i32) -> i32 { return ci(n) + cf(n) + cb(n) + cr(n) + cs(n) + cfn(n); }
`;

const BOUNDARIES = [0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 1022, 1023, 1024, 1025,
  windowArrayMax(ARR_F) - 1, windowArrayMax(ARR_F), windowArrayMax(ARR_F) + 1,
  windowArrayMax(ARR_I) - 1, windowArrayMax(ARR_I), windowArrayMax(ARR_I) + 1,
  windowArrayMax(ARR_B) - 1, windowArrayMax(ARR_B), windowArrayMax(ARR_B) + 1];

/** The checks over the lengths in `sizes` (each `rounds` times), then `small`
 *  random small lengths, keeping some arrays (holes between them) and dropping
 *  the rest: windows end at every offset, refills move through holes, and the
 *  collections free garbage that later arrays must not show. */
const sweep = (sizes, rounds, small) => CHECKERS + `
struct Node { next: Node, keep: [i32] }
fn main() {
  var bad = 0;
  let sizes = [${sizes.join(', ')}];
  for r in 0..${rounds} {
    for i in 0..sizes.len { bad += all(sizes[i]); }
  }
  var kept: Node = null;
  var seed = 7;
  for k in 0..${small} {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    let n = seed % 70;
    bad += all(n);
    if k % 5 == 0 { kept = new Node { next: kept, keep: new [i32](1 + n % 9) }; }
    if k % 1000 == 999 { kept = null; }
  }
  print(bad);
}`;

wasmTest('arrays of every element kind, lengths around every boundary, zeroed where garbage was, in every mode', () => {
  const plain = MODES.filter((m) => !m.gcStress);
  const r = sameEverywhere(sweep(BOUNDARIES, 3, 6000), { maxHeapMB: 4 }, plain);
  assert.equal(r.stdout, '0\n');
  // Under --gc-stress (a collection at every allocation) a shorter run.
  const s = sameEverywhere(sweep(BOUNDARIES.filter((n) => n <= 1025), 1, 150), { maxHeapMB: 4 },
    [MODES[0], ...MODES.filter((m) => m.gcStress)]);
  assert.equal(s.stdout, '0\n');
});

wasmTest('a negative length is the same runtime error with the same trace in every mode, for every kind', () => {
  for (const [checker, line] of [['ci', 5], ['cf', 12], ['cb', 19], ['cr', 26], ['cs', 33], ['cfn', 40]]) {
    const src = CHECKERS + `
fn main() {
  var bad = 0;
  for k in 0..3000 { bad += ${checker}(k % 20); }
  print(bad);
  bad += ${checker}(bad - 1);
  print(bad);
}`;
    const r = sameEverywhere(src);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '0\n');
    assert.equal(r.stderr, `runtime error: negative array length\n  at ${checker} (t.tier:${line})\n  at main (t.tier:${CHECKERS.split('\n').length + 5})\n`);
  }
});

wasmTest('out of memory under a small heap: small arrays kept until it is full, and one too long for it', () => {
  const keepAll = `
struct Node { next: Node, a: [f64] }
fn grab(n: i32) -> [f64] { return new [f64](n); }
fn main() {
  var kept: Node = null;
  for k in 0..10000000 { kept = new Node { next: kept, a: grab(k % 50) }; }
  print(kept == null);
}`;
  // (Not under --gc-stress: a full heap collected at every allocation.)
  const r = sameEverywhere(keepAll, { maxHeapMB: 2 }, MODES.filter((m) => !m.gcStress));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^runtime error: out of memory\n  at grab \(t\.tier:3\)\n  at main \(t\.tier:6\)\n$/);
  const tooLong = `
fn grab(n: i32) -> [i32] { return new [i32](n); }
fn main() {
  var s = 0;
  for k in 0..3000 { s += grab(k % 30).len; }
  print(s);
  print(grab(${windowArrayMax(ARR_I)}).len);
  print(grab(${windowArrayMax(ARR_I) + 1}).len);
  print(grab(1000000).len);
}`;
  const t = sameEverywhere(tooLong, { maxHeapMB: 2 });
  assert.equal(t.code, 1);
  assert.equal(t.stdout, `43500\n${windowArrayMax(ARR_I)}\n${windowArrayMax(ARR_I) + 1}\n`);
  assert.match(t.stderr, /^runtime error: out of memory\n  at grab \(t\.tier:2\)\n  at main \(t\.tier:9\)\n$/);
});

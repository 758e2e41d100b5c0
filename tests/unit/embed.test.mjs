// The embedding API beyond run() (src/vm.ts, src/embed/): calls into any guest
// function in whatever tier it is in, values both ways, GuestRef handles as GC
// roots, re-entry from externs, structured compile and runtime errors, and
// dispose(). Every behaviour is checked in every tier and backend this host has
// (npm test runs this file under --jitless and
// --disallow-code-generation-from-strings too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, LoadedProgram, TierRuntimeError, GuestRef } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every execution mode this host has: the interpreter, everything compiled up
 *  front, tier-up at every chance, the default; each backend it can run. */
const MODES = [
  { tier: 'interp' },
  {},
  ...(hasWasm ? [{ tier: 'jit', backend: 'wasm' }, { tier: 'auto', jitThreshold: 1, backend: 'wasm' }] : []),
  ...(hasEval ? [{ tier: 'jit', backend: 'js' }, { tier: 'auto', jitThreshold: 1, backend: 'js' }] : []),
  // Every compiled call past the host-stack budget: compiled entries fall back
  // to the interpreter.
  ...(hasWasm || hasEval ? [{ tier: 'jit', hostStackSlots: 1 }] : []),
];
const label = (m) => JSON.stringify(m);

/** Load `src` (must compile); output captured in `io.out`, diagnostics in `io.err`. */
function loaded(src, opts = {}) {
  const io = { out: '', err: '' };
  const r = load('t.tier', src, { stdout: (t) => { io.out += t; }, stderr: (t) => { io.err += t; }, ...opts });
  assert.ok(r.ok, r.ok ? '' : r.text);
  return { program: r.program, io };
}

const VALUES = `
struct P { x: i32, name: str }
fn add(a: i32, b: i32) -> i32 { return a + b; }
fn half(x: f64) -> f64 { return x / 2.0; }
fn neg(b: bool) -> bool { return !b; }
fn greet(s: str) -> str { if s == null { return null; } return "héllo " + s; }
fn len(s: str) -> i32 { return s.len; }
fn nothing(x: i32) { }
fn sum(a: [i32]) -> i32 { var s = 0; for i in 0..a.len { s += a[i]; } return s; }
fn range(n: i32) -> [i32] { let a = new [i32](n); for i in 0..n { a[i] = i; } return a; }
fn mk(x: i32, name: str) -> P { return new P { x: x, name: name }; }
fn px(p: P) -> i32 { return p.x; }
fn pname(p: P) -> str { return p.name; }
fn nullP() -> P { return null; }
fn square(x: i32) -> i32 { return x * x; }
fn pick(b: bool) -> fn(i32) -> i32 { if b { return square; } return null; }
fn apply(f: fn(i32) -> i32, x: i32) -> i32 { return f(x); }
fn five(a: i32, b: f64, c: bool, d: str, e: i32) -> str { return str(a) + str(b) + str(c) + d + str(e); }
fn main() { }
`;

// ---- values both ways --------------------------------------------------------------

test('call(): scalars, strings and null cross both ways, in every tier', () => {
  for (const mode of MODES) {
    const { program: p } = loaded(VALUES, mode);
    const m = label(mode);
    for (let i = 0; i < 3; i++) {      // again once compiled (tier-up at every chance)
      assert.equal(p.call('add', 2, 40), 42, m);
      assert.equal(p.call('add', 2147483647, 1), -2147483648, m);
      assert.equal(p.call('add', -0, 0), 0, m);
      assert.equal(p.call('half', 5), 2.5, m);
      assert.ok(Number.isNaN(p.call('half', NaN)), m);
      assert.equal(p.call('half', -Infinity), -Infinity, m);
      assert.equal(p.call('neg', false), true, m);
      assert.equal(p.call('neg', true), false, m);
      assert.equal(p.call('greet', 'wörld 😀'), 'héllo wörld 😀', m);
      assert.equal(p.call('greet', null), null, m);
      assert.equal(p.call('len', ''), 0, m);
      assert.equal(p.call('nothing', 1), undefined, m);
      assert.equal(p.call('five', 1, 2.5, true, '|', -3), '12.5true|-3', m);
      assert.equal(p.fn('five')(1, 2.5, false, 'x', 4), '12.5falsex4', m);
    }
  }
});

test('arguments are checked against the signature: count, type, i32 range, never truncated', () => {
  const { program: p } = loaded(VALUES);
  const bad = [
    [['add', 1], /^add takes 2 arguments, got 1 \(add\(a: i32, b: i32\) -> i32\)$/],
    [['add', 1, 2, 3], /^add takes 2 arguments, got 3/],
    [['add', 1.5, 2], /^add: argument 1 \('a'\) must be an i32 .*, got 1\.5 /],
    [['add', 1, 2 ** 31], /^add: argument 2 \('b'\) must be an i32 .*, got 2147483648 /],
    [['add', 1, -(2 ** 31) - 1], /argument 2 \('b'\) must be an i32/],
    [['add', 1, NaN], /argument 2 \('b'\) must be an i32 .*, got NaN/],
    [['add', '1', 2], /argument 1 \('a'\) must be an i32 .*, got a string/],
    [['add', 1n, 2], /got 1n \(a bigint\)/],
    [['add', undefined, 2], /argument 1 \('a'\) is missing/],
    [['half', '2'], /^half: argument 1 \('x'\) must be a number \(f64\), got a string/],
    [['neg', 0], /^neg: argument 1 \('b'\) must be a boolean, got 0/],
    [['greet', 5], /^greet: argument 1 \('s'\) must be a string or null, got 5/],
    [['greet', {}], /got an object/],
    [['px', 5], /^px: argument 1 \('p'\) must be a P handle \(GuestRef\) or null, got 5/],
    [['sum', [1, 2]], /^sum: argument 1 \('a'\) must be a \[i32\] handle \(GuestRef\) or null, got an array/],
    [['apply', 1, 2], /^apply: argument 1 \('f'\) must be a fn\(i32\) -> i32 handle/],
  ];
  for (const [[name, ...args], re] of bad) {
    assert.throws(() => p.call(name, ...args), (e) => e instanceof TypeError && re.test(e.message), `${name}(${args.map(String)})`);
  }
  assert.throws(() => p.call('nope'), (e) => e instanceof TypeError && e.message === "t.tier has no function 'nope'");
  assert.throws(() => p.call('<globals>'), TypeError);
  assert.throws(() => p.fn('nope'), TypeError);
  const add = p.fn('add');
  assert.throws(() => add(1), /add: argument 2 \('b'\) is missing/);
  assert.throws(() => add(1, 2, 3), /TypeError: add takes 2 arguments, got more/);
  assert.throws(() => p.fn('five')(1, 2, true, 'x', 5, 6), /TypeError: five takes 5 arguments, got 6/);
  assert.equal(add(1, 2), 3, 'a failed call leaves the program usable');
  assert.deepEqual([add.length, add.name], [2, 'add'], 'fn() has the guest arity and name');
  assert.deepEqual([p.fn('five').length, p.fn('main').length], [5, 0]);
  assert.throws(() => new add(1, 2), /TypeError: add is not a constructor/, 'a callable is not a constructor');
  assert.throws(() => new (p.fn('main'))(), TypeError);
});

test('a wrong argument of the first call throws before the global initialisers run (nothing runs)', () => {
  // Found by the embedding audit: the first call ran the initialisers (and the
  // externs they call) and only then checked its arguments.
  const src = 'extern fn note(x: i32) -> i32;\nvar g = note(1);\nfn add(a: i32, b: i32) -> i32 { return a + b + g - 1; }\nfn five(a: i32, b: f64, c: bool, d: str, e: i32) -> i32 { return a; }\nfn main() { }';
  for (const mode of MODES) {
    for (const via of ['call', 'fn', 'five']) {
      const notes = [];
      const { program: p } = loaded(src, { ...mode, externs: { note: (x) => { notes.push(x); return x; } } });
      const bad = via === 'call' ? () => p.call('add', 1.5, 2) : via === 'fn' ? () => p.fn('add')(1, '2') : () => p.call('five', 1, 2, true, 'x', null);
      assert.throws(bad, (e) => e instanceof TypeError && /^(add|five): argument \d \('\w'\) must be/.test(e.message), `${label(mode)} ${via}`);
      assert.deepEqual(notes, [], `${label(mode)} ${via}: the initialisers did not run`);
      assert.equal(p.call('add', 1, 2), 3);
      assert.deepEqual(notes, [1]);
    }
  }
});

test('function names are looked up as own names only, and a wrong name is a clear TypeError', () => {
  const { program: p } = loaded(VALUES);
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'héllo', '']) {
    assert.throws(() => p.call(name), (e) => e instanceof TypeError && e.message === `t.tier has no function '${name}'`, name);
    assert.throws(() => p.fn(name), TypeError, name);
  }
  assert.throws(() => p.call('x'.repeat(100000)), (e) => e instanceof TypeError && e.message.length < 200);
  assert.throws(() => p.call('ad'), (e) => e.message === "t.tier has no function 'ad' (did you mean 'add'?)");
  for (const name of [undefined, 5, null, {}, Symbol('add'), ['add']]) {
    assert.throws(() => p.call(name), (e) => e instanceof TypeError && /^the function name must be a string, got /.test(e.message), String(name));
  }
  assert.equal(p.call('add', 2, 3), 5);
});

test('program.functions lists every top-level function with Tier types', () => {
  const { program: p } = loaded(VALUES);
  const fns = p.functions;
  assert.deepEqual(fns.map((f) => f.name), ['add', 'half', 'neg', 'greet', 'len', 'nothing', 'sum', 'range', 'mk', 'px',
    'pname', 'nullP', 'square', 'pick', 'apply', 'five', 'main']);
  const by = Object.fromEntries(fns.map((f) => [f.name, f]));
  assert.deepEqual(by.add, { name: 'add', params: ['i32', 'i32'], paramNames: ['a', 'b'], result: 'i32' });
  assert.deepEqual(by.nothing, { name: 'nothing', params: ['i32'], paramNames: ['x'], result: null });
  assert.deepEqual(by.sum.params, ['[i32]']);
  assert.equal(by.range.result, '[i32]');
  assert.deepEqual(by.mk, { name: 'mk', params: ['i32', 'str'], paramNames: ['x', 'name'], result: 'P' });
  assert.equal(by.pick.result, 'fn(i32) -> i32');
  assert.deepEqual(by.apply.params, ['fn(i32) -> i32', 'i32']);
  fns[0].params.push('changed');
  assert.deepEqual(p.functions[0].params, ['i32', 'i32'], 'a copy each time');
});

// ---- handles ------------------------------------------------------------------------

test('structs, arrays and function values cross as handles, checked when passed back', () => {
  for (const mode of MODES) {
    const { program: p } = loaded(VALUES, mode);
    const m = label(mode);
    const pt = p.call('mk', 7, 'seven');
    assert.ok(pt instanceof GuestRef, m);
    assert.deepEqual([pt.kind, pt.type, pt.released], ['struct', 'P', false], m);
    assert.equal(p.call('px', pt), 7, m);
    assert.equal(p.call('pname', pt), 'seven', m);
    assert.equal(p.call('nullP'), null, m);
    const arr = p.call('range', 5);
    assert.deepEqual([arr.kind, arr.type], ['array', '[i32]'], m);
    assert.equal(p.call('sum', arr), 10, m);
    const sq = p.call('pick', true);
    assert.deepEqual([sq.kind, sq.type], ['fn', 'fn(i32) -> i32'], m);
    assert.equal(p.call('apply', sq, 9), 81, m);
    assert.equal(p.call('pick', false), null, m);
    assert.throws(() => p.call('px', arr), (e) => e instanceof TypeError && /argument 1 \('p'\) must be a P handle .*, got a handle of type \[i32\]/.test(e.message), m);
    const other = loaded(VALUES, mode).program;
    assert.throws(() => other.call('px', pt), (e) => e instanceof TypeError && /is a handle of another program/.test(e.message), m);
    pt.release();
    assert.equal(pt.released, true, m);
    pt.release();
    assert.throws(() => p.call('px', pt), (e) => e instanceof TypeError && /argument 1 \('p'\) is a released handle/.test(e.message), m);
  }
});

test('an object that only looks like a handle (GuestRef.prototype, a Proxy of one) is refused as not a handle', () => {
  // Found by the embedding audit: `instanceof GuestRef` let these through, and
  // reading their slot threw V8's "Cannot read private member #owner ...".
  const notHandle = /argument 1 \('p'\) must be a P handle \(GuestRef\) or null, got an object \(px\(p: P\) -> i32\)$/;
  for (const mode of MODES) {
    const { program: p } = loaded(VALUES, mode);
    const m = label(mode);
    const pt = p.call('mk', 7, 'seven');
    for (const fake of [Object.create(GuestRef.prototype), new Proxy(pt, {})]) {
      assert.throws(() => p.call('px', fake), (e) => e instanceof TypeError && notHandle.test(e.message), m);
      assert.throws(() => p.fn('px')(fake), (e) => e instanceof TypeError && notHandle.test(e.message), m);
    }
    assert.equal(p.call('px', pt), 7, m);
  }
});

test('[bool] arrays (one byte per element) cross as handles; their elements reach the host as booleans', () => {
  const src = `
fn flags(n: i32) -> [bool] { let a = new [bool](n); for i in 0..n { a[i] = i % 3 == 0; } return a; }
fn at(a: [bool], i: i32) -> bool { return a[i]; }
fn put(a: [bool], i: i32, v: bool) { a[i] = v; }
fn count(a: [bool]) -> i32 { var n = 0; for i in 0..a.len { if a[i] { n += 1; } } return n; }
fn ints(n: i32) -> [i32] { return new [i32](n); }
fn main() { }
`;
  for (const mode of MODES) {
    const { program: p } = loaded(src, mode);
    const m = label(mode);
    const a = p.call('flags', 10);
    assert.deepEqual([a.kind, a.type], ['array', '[bool]'], m);
    assert.deepEqual(Array.from({ length: 10 }, (_, i) => p.call('at', a, i)),
      [true, false, false, true, false, false, true, false, false, true], m);
    assert.equal(p.call('count', a), 4, m);
    p.call('put', a, 1, true);
    p.call('put', a, 9, false);
    assert.deepEqual([p.call('at', a, 0), p.call('at', a, 1), p.call('at', a, 2), p.call('at', a, 9)], [true, true, false, false], m);
    assert.equal(p.call('count', a), 4, m);
    assert.throws(() => p.call('at', a, 10), (e) => e instanceof TierRuntimeError && /index 10 out of bounds for length 10/.test(e.message), m);
    assert.throws(() => p.call('count', p.call('ints', 2)), (e) => e instanceof TypeError && /must be a \[bool\] handle .*, got a handle of type \[i32\]/.test(e.message), m);
  }
});

test('a GuestRef cannot be made or forged by the host', () => {
  assert.throws(() => new GuestRef(Symbol('GuestRef'), {}, 'struct', 'P', 8), TypeError);
  const { program: p } = loaded(VALUES);
  const pt = p.call('mk', 1, 'a');
  const fake = Object.create(GuestRef.prototype);
  assert.throws(() => p.call('px', fake), TypeError);
  assert.throws(() => p.call('px', { kind: 'struct', type: 'P' }), TypeError);
  assert.throws(() => { pt.type = '[i32]'; }, TypeError, 'frozen');
  assert.equal(p.call('px', pt), 1);
});

const TREE = `
struct Node { left: Node, right: Node, v: i32 }
var KEPT: Node = null;
fn make(d: i32) -> Node {
  if d == 0 { return new Node { left: null, right: null, v: 1 }; }
  return new Node { left: make(d - 1), right: make(d - 1), v: d };
}
fn check(n: Node) -> i32 { if n == null { return 0; } return n.v + check(n.left) + check(n.right); }
fn churn(k: i32) -> i32 { var s = 0; for i in 0..k { s += check(make(4)); } return s; }
fn words(n: i32) -> [str] { let a = new [str](n); for i in 0..n { a[i] = "w" + str(i); } return a; }
fn join(a: [str]) -> str { var s = ""; for i in 0..a.len { s = s + a[i]; } return s; }
fn cat3(a: str, b: str, c: str) -> str { return a + b + c; }
fn keep(n: Node) { KEPT = n; }
fn kept() -> i32 { return check(KEPT); }
fn main() { }
`;

test('a handle keeps its object alive across collections (gcStress, verifyHeap) until released', () => {
  for (const mode of MODES) {
    const { program: p } = loaded(TREE, { ...mode, gcStress: true, verifyHeap: true });
    const m = label(mode);
    const trees = [3, 5, 2].map((d) => p.call('make', d));
    const ws = p.call('words', 20);
    const want = [3, 5, 2].map((d) => p.call('check', p.call('make', d)));
    assert.equal(p.call('churn', 3), 3 * p.call('check', p.call('make', 4)), m);
    trees.forEach((t, i) => assert.equal(p.call('check', t), want[i], m));
    assert.equal(p.call('join', ws), Array.from({ length: 20 }, (_, i) => `w${i}`).join(''), m);
    // Released, the tree may go; one the guest keeps in a global stays.
    p.call('keep', trees[1]);
    trees.forEach((t) => t.release());
    ws.release();
    p.call('churn', 2);
    assert.equal(p.call('kept'), want[1], m);
    // Strings made for arguments survive the collections their neighbours cause.
    assert.equal(p.fn('cat3')('x'.repeat(100), 'é', 'z'.repeat(50)), 'x'.repeat(100) + 'é' + 'z'.repeat(50), m);
  }
});

test('a handle the host drops is released when the host collects it; dispose() frees the memory', () => {
  const vm = new URL('../../dist/vm.js', import.meta.url).href;
  const script = `
import { load } from '${vm}';
const src = 'struct P { x: i32 }\\nfn mk(x: i32) -> P { return new P { x: x }; }\\nfn big(n: i32) -> [f64] { let a = new [f64](n); for i in 0..n { a[i] = 1.0; } return a; }\\nfn main() { }';
const p = load('t.tier', src).program;
const table = () => p['inst'].rt.handles.size;
const kept = p.call('mk', 1);
for (let i = 0; i < 1000; i++) p.call('mk', i);
const before = table();
for (let i = 0; i < 5 && table() > 1; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
console.log(before, table(), kept.released);
const rss = () => process.memoryUsage().rss;
const base = rss();
const arrays = [];
for (let i = 0; i < 4; i++) { const q = load('t.tier', src).program; arrays.push(q.call('big', 4000000)); q.dispose(); }
globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); globalThis.gc();
console.log(rss() - base < 64 * 1024 * 1024 ? 'freed' : 'kept ' + (rss() - base));
`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1001 1 false\nfreed\n');
});

// ---- tiers -------------------------------------------------------------------------

test('calls from the host count toward tier-up and then run compiled code', () => {
  const src = 'fn sq(x: i32) -> i32 { return x * x; }\nfn fsq(x: f64) -> f64 { return x * x; }\nfn main() { }';
  const backends = [...(hasWasm ? ['wasm'] : []), ...(hasEval ? ['js'] : [])];
  for (const backend of backends) {
    const lines = [];
    const { program: p } = loaded(src, { backend, jitThreshold: 50, compile: 'sync', traceTier: true, stderr: (t) => lines.push(t) });
    const sq = p.fn('sq');
    for (let i = 0; i < 49; i++) assert.equal(sq(i), i * i);
    assert.deepEqual(p.lastTiers.compiled, [], backend);
    assert.equal(sq(7), 49);
    assert.deepEqual(p.lastTiers.compiled, ['sq'], backend);
    assert.match(lines.join(''), /\[tier\] install sq \(table slot 0, i2c i>i\)/, backend);
    for (let i = 0; i < 1000; i++) assert.equal(sq(i), i * i);
    for (let i = 0; i < 100; i++) assert.equal(p.call('fsq', i + 0.5), (i + 0.5) ** 2);
    assert.deepEqual(p.lastTiers.compiled, ['sq', 'fsq'], backend);
  }
});

// ---- globals, main, run ------------------------------------------------------------

const GLOBALS = `
var N: i32 = init();
var LOG: str = "";
fn init() -> i32 { print("init"); return 10; }
fn bump() -> i32 { N += 1; return N; }
fn note(s: str) { LOG = LOG + s; }
fn log() -> str { return LOG; }
fn main() { print("main " + str(N) + " " + LOG); N = 100; }
`;

test('globals are initialised once, before the first call or run, and keep their values', () => {
  for (const mode of MODES) {
    const { program: p, io } = loaded(GLOBALS, mode);
    assert.equal(io.out, '', 'nothing runs at load');
    assert.equal(p.call('bump'), 11);
    assert.equal(io.out, 'init\n', 'output reaches stdout when the call returns');
    assert.equal(p.call('bump'), 12);
    p.call('note', 'a'); p.fn('note')('b');
    assert.equal(p.run(), 0);
    assert.equal(io.out, 'init\nmain 12 ab\n', label(mode));
    assert.equal(p.call('bump'), 101, 'main left N at 100');
    assert.equal(p.call('log'), 'ab');
    const q = loaded(GLOBALS, mode);
    assert.equal(q.program.run(), 0);
    assert.equal(q.program.call('bump'), 101);
    assert.equal(q.io.out, 'init\nmain 10 \n');
  }
});

test('a failing global initialiser fails the first call, and every later one', () => {
  const src = 'var X: i32 = 1 / zero();\nfn zero() -> i32 { return 0; }\nfn one() -> i32 { return 1; }\nfn main() { }';
  for (const mode of MODES) {
    const { program: p, io } = loaded(src, mode);
    let first;
    assert.throws(() => p.call('one'), (e) => { first = e; return e instanceof TierRuntimeError && e.message === 'division by zero'; });
    assert.deepEqual(first.frames, [{ function: '<globals>', file: 't.tier', line: 1 }]);
    assert.throws(() => p.call('one'), (e) => e === first, label(mode));
    assert.equal(p.run(), 1);
    assert.equal(io.err, 'runtime error: division by zero\n  at <globals> (t.tier:1)\n');
  }
});

test('global initialisers stopped by a limit or the host run again at the next entry, from zero values', () => {
  // Found by an embedding audit: a deadline, an interrupt or fuel running out
  // while the initialisers ran, or a tier-event listener's exception then, was
  // kept as their failure, and every later call threw it again.
  const src = `extern fn ext(k: i32) -> i32;
var A: i32 = seen() + 1;
var B: i32 = ext(A);
fn seen() -> i32 { print("A was " + str(A) + ", B was " + str(B)); return 10; }
fn get() -> i32 { return A * 100 + B; }
fn main() { }`;
  for (const mode of MODES) {
    let throwing = true, out = '';
    const thrown = new Error('not yet');
    const externs = { ext: (k) => { if (throwing) throw thrown; return k + 1; } };
    const { program: p } = load('t.tier', src, { ...mode, externs, stdout: (t) => { out += t; } });
    assert.throws(() => p.call('get'), (e) => e === thrown, label(mode));
    throwing = false;
    assert.equal(p.call('get'), 1112, label(mode));
    assert.equal(p.call('get'), 1112, label(mode));
    assert.equal(out, 'A was 0, B was 0\nA was 0, B was 0\n', label(mode));
  }
  // Fuel: the first entry's budget ends in the initialisers, a later one's does not.
  const loop = 'var T: i32 = spin(50);\nfn spin(n: i32) -> i32 { var s = 0; for i in 0..n { s += i; } return s; }\nfn get() -> i32 { return T; }\nfn main() { }';
  for (const mode of MODES) {
    const { program: p } = loaded(loop, { ...mode, maxSteps: 20 });
    assert.throws(() => p.call('get'), (e) => e instanceof TierRuntimeError && e.message === 'out of fuel', label(mode));
    assert.throws(() => p.call('get'), (e) => e instanceof TierRuntimeError && e.message === 'out of fuel', label(mode));
    const q = loaded(loop, { ...mode, deadlineMs: 60000, interruptible: true }).program;
    q.interrupt();
    assert.throws(() => q.call('get'), (e) => e instanceof TierRuntimeError && e.message === 'interrupted', label(mode));
    assert.equal(q.call('get'), 1225, label(mode));
  }
});

test('an output callback that throws while the output before a runtime error goes out: call() throws its exception, as run() does', () => {
  const thrown = new Error('stdout failed');
  for (const mode of MODES) {
    const { program: p } = load('t.tier', 'fn f() { print("before"); panic("guest"); }\nfn main() { f(); }',
      { ...mode, stderr: () => {}, stdout: () => { throw thrown; } });
    assert.throws(() => p.call('f'), (e) => e === thrown, label(mode));
    assert.throws(() => p.run(), (e) => e === thrown, label(mode));
  }
});

test('programs whose externs call each other in a chain: the host stack running out is the guest\'s stack overflow', () => {
  // Found by an embedding audit: the overflow came back as V8's RangeError, or
  // as a SyntaxError of the regular expression that tested its message.
  const src = 'extern fn next(n: i32) -> i32;\nfn ping(n: i32) -> i32 { if n == 0 { return 0; } return next(n - 1) + 1; }\nfn main() { }';
  for (const mode of MODES) {
    const P = [];
    for (let i = 0; i < 6; i++) P.push(load(`P${i}.tier`, src, { ...mode, externs: { next: (n) => P[(i + 1) % 6].call('ping', n) } }).program);
    assert.equal(P[0].call('ping', 50), 50, label(mode));
    for (const n of [3000, 30000]) {
      // (The trace is the innermost program's, where the overflow was met.)
      assert.throws(() => P[0].call('ping', n), (e) => e instanceof TierRuntimeError && e.message === 'stack overflow' &&
        e.frames.length > 0 && e.frames.every((f) => f.function === 'ping' && /^P[0-5]\.tier$/.test(f.file)), `${label(mode)} ${n}`);
    }
    for (const p of P) assert.equal(p.call('ping', 5), 5, label(mode));
  }
});

test('program.module is a copy: changing it changes nothing that runs; a LoadedProgram made directly is checked', () => {
  // Found by an embedding audit: the module was the one that ran, so a host
  // could run bytecode the verifier never saw; and the constructor took any options.
  const src = 'fn add(a: i32, b: i32) -> i32 { return a + b; }\nfn main() { }';
  for (const mode of MODES) {
    const { program: p } = loaded(src, mode);
    const m = p.module;
    const add = m.functions.find((f) => f.name === 'add');
    add.code.fill(100000);
    assert.equal(p.call('add', 1, 2), 3, label(mode));
    assert.equal(p.module.functions.find((f) => f.name === 'add').code[0] === 100000, false);
    assert.throws(() => new LoadedProgram(m, mode), (e) => e instanceof Error && /does not verify/.test(e.message), label(mode));
    const again = new LoadedProgram(p.module, { ...mode, stdout: () => {} });
    assert.equal(again.call('add', 40, 2), 42, label(mode));
  }
  const { program: p } = loaded(src);
  assert.throws(() => new LoadedProgram(p.module, { maxHeapMB: -5 }), (e) => e instanceof TypeError && /invalid option maxHeapMB/.test(e.message));
  assert.throws(() => new LoadedProgram(p.module, { tier: 'fast' }), (e) => e instanceof TypeError && /invalid option tier/.test(e.message));
});

test('options whose reading throws (a Proxy, a getter) are bad options, not an exception of load()', () => {
  let err = '';
  const opts = new Proxy({ stderr: (t) => { err += t; } }, { ownKeys() { throw new Error('trap'); } });
  const r = load('t.tier', 'fn main() { }', opts);
  assert.equal(r.ok, false);
  assert.equal(r.exitCode, 2);
  assert.match(r.text, /^tiervm: invalid options: reading them threw trap\n$/);
  const ex = load('t.tier', 'fn main() { }', { stderr: () => {}, externs: new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } }) });
  assert.equal(ex.ok, false);
  assert.equal(ex.exitCode, 2);
});

test('a runtime error message with control characters cannot forge trace lines: they print as U+FFFD', () => {
  // Found by a conformance check: a panic text with a newline printed a line
  // that reads as a guest frame, and an escape sequence reached the terminal.
  const msg = 'a\n  at fake (x.tier:1)\u001b[31m\tb';
  const src = `fn main() { panic("a\\n  at fake (x.tier:1)\\u{1b}[31m\\tb"); }`;
  for (const mode of MODES) {
    const { program: p, io } = loaded(src, mode);
    assert.equal(p.run(), 1);
    assert.equal(io.err, 'runtime error: a\ufffd  at fake (x.tier:1)\ufffd[31m\tb\n  at main (t.tier:1)\n', label(mode));
    assert.throws(() => p.call('main'), (e) => e instanceof TierRuntimeError && e.message === msg && e.text === io.err, label(mode));
  }
});

test('missing externs: call() throws, run() reports as before', () => {
  const { program: p, io } = loaded('extern fn ext(x: i32);\nfn f() -> i32 { return 1; }\nfn main() { }');
  assert.throws(() => p.call('f'), (e) => e instanceof Error && e.message === 'extern function ext is not provided');
  assert.equal(p.run(), 1);
  assert.equal(io.err, 'error: extern function ext is not provided\n');
});

// ---- errors ------------------------------------------------------------------------

const FAULTS = `fn div(a: i32, b: i32) -> i32 {
  return a / b;
}
fn outer(a: i32) -> i32 {
  return div(a, 0) + 1;
}
fn idx(i: i32) -> i32 { let a = [1, 2, 3]; return a[i]; }
fn rec(n: i32) -> i32 { return rec(n + 1) + 1; }
fn boom(s: str) { panic(s); }
fn main() {
  print("before");
  print(outer(7));
}`;

test('a runtime error in call() is a TierRuntimeError: message, frames, and the text the CLI prints', () => {
  for (const mode of MODES) {
    const m = label(mode);
    const { program: p } = loaded(FAULTS, mode);
    for (let i = 0; i < 2; i++) {
      let err;
      assert.throws(() => p.call('outer', 3), (e) => { err = e; return e instanceof TierRuntimeError; }, m);
      assert.equal(err.message, 'division by zero', m);
      assert.equal(err.name, 'TierRuntimeError');
      assert.deepEqual(err.frames, [{ function: 'div', file: 't.tier', line: 2 }, { function: 'outer', file: 't.tier', line: 5 }], m);
      assert.equal(err.text, 'runtime error: division by zero\n  at div (t.tier:2)\n  at outer (t.tier:5)\n', m);
      assert.equal(JSON.parse(JSON.stringify(err)).text, err.text, `${m}: text is an own property, made when first read`);
    }
    assert.throws(() => p.call('idx', 3), (e) => e.message === 'index 3 out of bounds for length 3' && e.frames.length === 1, m);
    assert.throws(() => p.fn('boom')('custom'), (e) => e.message === 'custom' && e.frames[0].function === 'boom', m);
    assert.throws(() => p.call('boom', null), (e) => e.message === 'null reference', m);
    let deep;
    assert.throws(() => p.call('rec', 0), (e) => { deep = e; return e.message === 'stack overflow'; }, m);
    assert.equal(deep.frames.length, 60, m);
    assert.ok(deep.framesOmitted > 1000, m);
    assert.match(deep.text, /^runtime error: stack overflow\n( {2}at rec \(t\.tier:8\)\n){50} {2}\.\.\. \d+ more frames\n( {2}at rec \(t\.tier:8\)\n){10}$/, m);
    assert.equal(p.call('div', 9, 3), 3, `${m}: usable after a fault`);
  }
});

test('a fault at any depth lists every frame; past a million frames, or 10,000 in a stack overflow, the middle is elided', () => {
  const src = 'fn down(n: i32) -> i32 { if n == 0 { return 1 / n; } return down(n - 1); }\nfn main() { }';
  for (const mode of MODES) {
    const { program: p } = loaded(src, mode);
    let err;
    assert.throws(() => p.call('down', 150000), (e) => { err = e; return e.message === 'division by zero'; });
    assert.equal(err.framesOmitted, 0, label(mode));
    assert.equal(err.text, `runtime error: division by zero\n${'  at down (t.tier:1)\n'.repeat(150001)}`, label(mode));
  }
  const { program: p } = loaded(src, { tier: 'interp', stackSizeKB: 256 * 1024 });
  let err;
  assert.throws(() => p.call('down', 1_100_000), (e) => { err = e; return e.message === 'division by zero'; });
  assert.deepEqual([err.frames.length, err.framesOmitted], [60, 1_100_001 - 60]);
  assert.equal(err.text, `runtime error: division by zero\n${'  at down (t.tier:1)\n'.repeat(50)}  ... 1099941 more frames\n${'  at down (t.tier:1)\n'.repeat(10)}`);
});

test('the runtime error text of call() is byte for byte what run() and the command line print', () => {
  for (const mode of MODES) {
    const { program: p, io } = loaded(FAULTS, mode);
    assert.equal(p.run(), 1);
    let err;
    assert.throws(() => p.call('main'), (e) => { err = e; return true; });
    assert.equal(err.text, io.err.slice(0, io.err.length / 1), label(mode));
    assert.equal(io.out, 'before\nbefore\n', 'output written before the fault still reaches stdout');
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tiervm-embed-')), 't.tier');
  fs.writeFileSync(file, FAULTS);
  const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin/tiervm.js'), 'run', file], { encoding: 'utf8', cwd: path.dirname(file) });
  const { program: p } = loaded(FAULTS);
  let err;
  assert.throws(() => p.call('main'), (e) => { err = e; return true; });
  assert.equal(cli.stderr.replaceAll(file, 't.tier'), err.text);
});

test('a compile error comes back as objects and as the text the command line prints', () => {
  const src = 'fn main() {\n  let x: i32 = "s";\n  y();\n}\n';
  let stderr = '';
  const r = load('bad.tier', src, { stderr: (t) => { stderr += t; } });
  assert.equal(r.ok, false);
  assert.equal(r.exitCode, 1);
  assert.equal(r.text, stderr);
  assert.deepEqual(r.errors.map(({ text, ...d }) => d), [
    { file: 'bad.tier', line: 2, column: 16, message: 'type mismatch: expected i32 but found str' },
    { file: 'bad.tier', line: 3, column: 3, message: "undefined name 'y'" },
  ]);
  assert.equal(r.errors[0].text, 'bad.tier:2:16: error: type mismatch: expected i32 but found str\n  let x: i32 = "s";\n               ^\n');
  assert.equal(r.errors.map((d) => d.text).join('') + '2 errors\n', r.text, 'the errors, then the count line');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiervm-embed-'));
  fs.writeFileSync(path.join(dir, 'bad.tier'), src);
  const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin/tiervm.js'), 'check', 'bad.tier'], { encoding: 'utf8', cwd: dir });
  assert.equal(cli.status, 1);
  assert.equal(cli.stderr, r.text);
  const many = load('m.tier', 'fn main() {\n' + 'x;\n'.repeat(150) + '}\n', { stderr: () => {} });
  assert.equal(many.errors.length, 100);
  assert.match(many.text, /error: too many errors \(50 more not shown\)\n$/);
  const usage = load('u.tier', 'fn main() {}', { tier: 'fast', stderr: () => {} });
  assert.deepEqual([usage.exitCode, usage.errors], [2, []]);
  assert.match(usage.text, /^tiervm: invalid option tier: /);
});

test("an extern's exception comes back from call() as itself, with tierFrames and guestTrace", () => {
  const src = `extern fn host(x: i32) -> i32;
fn inner(x: i32) -> i32 {
  return host(x) + 1;
}
fn outer(x: i32) -> i32 {
  return inner(x) * 2;
}
fn main() { }`;
  for (const mode of MODES) {
    const thrown = new Error('host broke');
    const { program: p } = loaded(src, { ...mode, externs: { host: (x) => { if (x < 0) throw thrown; return x; } } });
    assert.equal(p.call('outer', 4), 10);
    assert.throws(() => p.call('outer', -1), (e) => e === thrown, label(mode));
    assert.deepEqual(thrown.tierFrames, [{ function: 'inner', file: 't.tier', line: 3 }, { function: 'outer', file: 't.tier', line: 6 }]);
    assert.deepEqual(thrown.guestTrace, ['  at inner (t.tier:3)', '  at outer (t.tier:6)']);
    assert.equal(p.call('outer', 5), 12, 'usable afterwards');
  }
  const r = loaded(src, { externs: { host: () => { throw 'plain'; } } });
  assert.throws(() => r.program.call('outer', 1), (e) => e === 'plain');
});

// ---- re-entry ----------------------------------------------------------------------

const REENTRY = `extern fn host(depth: i32, x: i32) -> i32;
fn level(depth: i32, x: i32) -> i32 {
  print("level " + str(depth));
  if depth == 3 {
    return 100 / x;
  }
  let r = host(depth, x);
  return r + 1;
}
fn main() {
  print(level(1, 5));
}`;

test('an extern may call back into the guest, nested 3 deep, in every tier', () => {
  for (const mode of [...MODES, ...MODES.map((m) => ({ ...m, gcStress: true, verifyHeap: true }))]) {
    const m = label(mode);
    const log = [];
    let p;
    const { program, io } = loaded(REENTRY, {
      ...mode, stdout: (t) => log.push(t),
      externs: { host: (depth, x) => { log.push(`<host ${depth}>`); const r = p.call('level', depth + 1, x); log.push(`<back ${depth}>`); return r * 10; } },
    });
    p = program;
    for (let i = 0; i < 3; i++) {
      log.length = 0;
      assert.equal(p.call('level', 1, 5), (20 * 10 + 1) * 10 + 1, m);
      assert.deepEqual(log, ['level 1\n', '<host 1>', 'level 2\n', '<host 2>', 'level 3\n', '<back 2>', '<back 1>'], m);
    }
    // A runtime error deep inside: the whole guest trace, innermost first.
    let err;
    assert.throws(() => p.call('level', 1, 0), (e) => { err = e; return e instanceof TierRuntimeError; }, m);
    assert.equal(err.text, 'runtime error: division by zero\n' +
      '  at level (t.tier:5)\n  at level (t.tier:7)\n  at level (t.tier:7)\n', m);
    // The same from run(): main at the bottom, and exit status 1.
    log.length = 0;
    assert.equal(p.run(), 0);
    assert.equal(log.filter((l) => !l.startsWith('<')).join(''), 'level 1\nlevel 2\nlevel 3\n2011\n', m);
    const q = loaded(REENTRY.replace('level(1, 5)', 'level(1, 0)'), {
      ...mode, externs: { host: (depth, x) => q.program.call('level', depth + 1, x) },
    });
    assert.equal(q.program.run(), 1, m);
    assert.equal(q.io.err, 'runtime error: division by zero\n' +
      '  at level (t.tier:5)\n  at level (t.tier:7)\n  at level (t.tier:7)\n  at main (t.tier:11)\n', m);
    void io;
  }
});

test('a host exception deep inside nested calls comes back once, with the whole trace', () => {
  const src = REENTRY.replace('return 100 / x;', 'return host(depth, x);');
  for (const mode of MODES) {
    const thrown = new TypeError('deep');
    let p;
    let seenByMiddle = null;
    ({ program: p } = loaded(src, {
      ...mode,
      externs: {
        host: (depth, x) => {
          if (depth === 3) throw thrown;
          try { return p.call('level', depth + 1, x); } catch (e) { seenByMiddle ??= e; throw e; }
        },
      },
    }));
    assert.throws(() => p.call('level', 1, 1), (e) => e === thrown, label(mode));
    assert.equal(seenByMiddle, thrown, 'an extern sees its callee\'s exception as itself');
    assert.deepEqual(thrown.guestTrace, ['  at level (t.tier:5)', '  at level (t.tier:7)', '  at level (t.tier:7)'], label(mode));
    assert.deepEqual(thrown.tierFrames.map((f) => f.line), [5, 7, 7]);
  }
});

test('handles made and used inside nested calls survive collections at every level', () => {
  const src = `struct Box { v: i32, next: Box }
extern fn visit(b: Box) -> i32;
fn box(v: i32, next: Box) -> Box { return new Box { v: v, next: next }; }
fn total(b: Box) -> i32 { if b == null { return 0; } return b.v + total(b.next); }
fn walk(b: Box, depth: i32) -> i32 {
  let mine = box(depth * 100, b);
  if depth == 0 { return total(mine); }
  return visit(mine) + depth;
}
fn main() { }`;
  for (const mode of MODES) {
    let p;
    const held = [];
    ({ program: p } = loaded(src, {
      ...mode, gcStress: true, verifyHeap: true,
      externs: { visit: () => { const b = p.call('box', held.length + 1, held.at(-1) ?? null); held.push(b); return p.call('walk', b, held.length < 3 ? 3 - held.length : 0); } },
    }));
    const start = p.call('box', 7, p.call('box', 5, null));
    // At the bottom, total(box(0, b3 -> b2 -> b1)) = 6; each level adds its depth.
    assert.equal(p.call('walk', start, 3), 6 + 1 + 2 + 3, label(mode));
    assert.equal(held.length, 3);
    assert.deepEqual(held.map((b) => p.call('total', b)), [1, 3, 6], label(mode));
    assert.equal(p.call('total', start), 12);
  }
});

test('an extern may enter the guest several times; each entry links to the same caller', () => {
  const src = `extern fn twice(x: i32) -> i32;
extern fn leaf(x: i32) -> i32;
fn inner(x: i32) -> i32 {
  return leaf(x) + 100 / x;
}
fn outer(x: i32) -> i32 {
  let keep = "k" + str(x * 1000);
  let r = twice(x);
  return r + keep.len;
}
fn main() { }`;
  for (const mode of MODES) {
    let p;
    ({ program: p } = loaded(src, {
      ...mode, gcStress: true, verifyHeap: true,
      externs: { twice: (x) => p.call('inner', x + 1) + p.call('inner', x - 1), leaf: (x) => x },
    }));
    assert.equal(p.call('outer', 2), (3 + 33) + (1 + 100) + 5, label(mode));
    let err;
    assert.throws(() => p.call('outer', 1), (e) => { err = e; return e instanceof TierRuntimeError; }, label(mode));
    assert.equal(err.text, 'runtime error: division by zero\n  at inner (t.tier:4)\n  at outer (t.tier:8)\n', label(mode));
  }
});

test('an extern may catch a runtime error of its nested call and go on', () => {
  const src = `extern fn safe(x: i32) -> i32;
fn div(x: i32) -> i32 { return 100 / x; }
fn f(x: i32) -> i32 { return safe(x) + 1; }
fn main() { }`;
  for (const mode of MODES) {
    let p;
    ({ program: p } = loaded(src, { ...mode, externs: { safe: (x) => { try { return p.call('div', x); } catch (e) { return e instanceof TierRuntimeError ? -1 : -2; } } } }));
    assert.equal(p.call('f', 0), 0, label(mode));
    assert.equal(p.call('f', 4), 26, label(mode));
  }
});

test('re-entry that never ends is a stack overflow, not a host crash', () => {
  const src = `extern fn again(n: i32) -> i32;
fn f(n: i32) -> i32 { return again(n + 1) + 1; }
fn main() { }`;
  for (const mode of MODES) {
    let p;
    ({ program: p } = loaded(src, { ...mode, externs: { again: (n) => p.call('f', n) } }));
    let err;
    assert.throws(() => p.call('f', 0), (e) => { err = e; return e instanceof TierRuntimeError; }, label(mode));
    assert.equal(err.message, 'stack overflow');
    assert.equal(err.frames.length + err.framesOmitted, 100);
    assert.ok(err.frames.every((f) => f.function === 'f' && f.line === 2));
    assert.throws(() => p.call('f', 5), (e) => e instanceof TierRuntimeError && e.message === 'stack overflow', 'and again');
  }
});

test('run() and dispose() are refused inside a call; the guest stays consistent', () => {
  const src = 'extern fn h();\nfn f() { h(); }\nfn main() { }';
  let p, refused = [];
  ({ program: p } = loaded(src, {
    externs: { h: () => { for (const op of [() => p.run(), () => p.dispose()]) { try { op(); } catch (e) { refused.push(e.message); } } } },
  }));
  p.call('f');
  assert.equal(refused.length, 2);
  assert.match(refused[0], /run\(\) cannot be called during a call/);
  assert.match(refused[1], /dispose\(\) cannot be called during a call/);
});

// ---- output ------------------------------------------------------------------------

test('guest output of each call reaches stdout when it returns, before the host goes on', () => {
  const src = 'fn say(s: str) { write(s); }\nfn main() { }';
  for (const mode of MODES) {
    const chunks = [];
    const { program: p } = loaded(src, { ...mode, stdout: (t) => chunks.push(t) });
    const say = p.fn('say');
    say('a'); chunks.push('|'); say('b');
    assert.deepEqual(chunks, ['a', '|', 'b']);
  }
});

test("an exception of the stdout callback comes back from call() as itself; the next call is fresh", () => {
  const src = 'fn say(s: str) { print(s); }\nfn main() { }';
  const thrown = new Error('disk full');
  let fail = true;
  const { program: p } = loaded(src, { stdout: () => { if (fail) throw thrown; } });
  assert.throws(() => p.call('say', 'x'), (e) => e === thrown);
  fail = false;
  assert.equal(p.call('say', 'y'), undefined);
});

test('the stdout, stderr and stdin callbacks and onTierEvent cannot call into the guest, run or dispose it; the program stays usable', () => {
  // Found by the embedding audit: a call from the stdout callback (made when
  // 64 KiB of output collected, at a print) ran the guest again where it had
  // no safepoint: `no GC map for bump`, and a different count in every tier;
  // dispose() from onTierEvent failed inside the compiler.
  const src = `
var g = 0;
fn bump() -> i32 { g += 1; return g; }
fn chatty(n: i32) -> i32 { var s = 0; for i in 0..n { print("line " + str(i) + " .................................................."); s += bump(); } return s; }
fn reader() -> i32 { var n = 0; while read_line() != null { n += bump(); } return n; }
fn hot(n: i32) -> i32 { var s = 0; for i in 0..n { s += bump(); } return s; }
fn main() { print(str(chatty(3000))); }
`;
  for (const mode of MODES) {
    for (const where of ['stdout', 'stdin', 'stderr', 'onTierEvent']) {
      for (const what of ['call', 'fn', 'run', 'dispose']) {
        let p = null;
        let refused = null;
        let lines = 3;
        const act = () => {
          if (p === null || refused !== null) return;
          try {
            if (what === 'call') p.call('bump');
            else if (what === 'fn') p.fn('bump')();
            else if (what === 'run') p.run();
            else p.dispose();
            refused = 'no';
          } catch (e) { refused = e; }
        };
        const quiet = () => {};
        const opts = { ...mode, stdout: where === 'stdout' ? act : quiet, stderr: where === 'stderr' ? act : quiet,
          stdin: () => { if (where === 'stdin') act(); return lines-- > 0 ? 'x\n' : null; } };
        if (where === 'stderr') opts.gcStats = true;   // (a line to stderr as run() ends)
        if (where === 'onTierEvent') {
          if (mode.tier === 'interp') continue;
          opts.onTierEvent = act;
        }
        p = load('t.tier', src, opts).program;
        const entry = { stdout: () => p.call('chatty', 3000), stdin: () => p.call('reader'), stderr: () => p.run(), onTierEvent: () => p.call('hot', 1000) }[where];
        try { entry(); } catch (e) { if (!(e instanceof TierRuntimeError)) throw e; }
        const label2 = `${label(mode)} ${what} from ${where}`;
        assert.ok(refused instanceof Error, `${label2}: refused`);
        const name = what === 'call' || what === 'fn' ? "'bump'" : what === 'run' ? 'run()' : 'dispose()';
        assert.equal(refused.message, `${name} cannot be called from the ${where} callback (only an extern may call back into the guest)`, label2);
        assert.equal(p.call('bump') > 0, true, `${label2}: usable after`);
        p.dispose();
      }
    }
  }
});

// ---- dispose -----------------------------------------------------------------------

test('after dispose() every use throws a clear Error; releasing a handle does nothing', () => {
  for (const mode of MODES) {
    const { program: p } = loaded(VALUES, mode);
    const add = p.fn('add');
    const pt = p.call('mk', 1, 'x');
    assert.equal(add(1, 2), 3);
    p.dispose();
    p.dispose();
    const disposed = (e) => e instanceof Error && e.message === 'the program t.tier was disposed';
    assert.throws(() => add(1, 2), disposed);
    assert.throws(() => p.call('add', 1, 2), disposed);
    assert.throws(() => p.fn('add'), disposed);
    assert.throws(() => p.run(), disposed);
    // What describes the program still answers; interrupt() does nothing.
    assert.deepEqual(p.functions.map((f) => f.name), loaded(VALUES, mode).program.functions.map((f) => f.name));
    assert.ok(p.functions.length > 0);
    p.interrupt();
    pt.release();
    const q = loaded(VALUES, mode).program;
    assert.throws(() => q.call('px', pt), TypeError, 'a released handle of a disposed program');
  }
  const never = loaded(VALUES).program;
  never.dispose();
  assert.throws(() => never.call('add', 1, 2), /disposed/);
  never.interrupt();   // not interruptible, but disposed: nothing to stop
  assert.ok(never.functions.some((f) => f.name === 'add'));
});

// ---- docs/embedding.md -------------------------------------------------------------

/** The ```js examples of docs/embedding.md, each with the ```output block that
 *  must follow it. */
function docExamples() {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/embedding.md'), 'utf8');
  const blocks = [...doc.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));
  const examples = [];
  blocks.forEach((b, i) => {
    if (b.lang !== 'js') return;
    const next = blocks[i + 1];
    assert.equal(next?.lang, 'output', `example ${examples.length + 1} of docs/embedding.md has no output block after it`);
    examples.push({ code: b.text, output: next.text });
  });
  return examples;
}

test('the examples of docs/embedding.md run and print what the doc says', () => {
  const examples = docExamples();
  assert.ok(examples.length >= 5, 'the doc has its examples');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiervm-doc-'));
  const vm = new URL('../../dist/vm.js', import.meta.url).href;
  // On this host's terms (--jitless, no code generation from strings), like the test.
  const hostFlags = process.execArgv.filter((a) => a === '--jitless' || a.startsWith('--disallow-code-generation'));
  examples.forEach(({ code, output }, i) => {
    const file = path.join(dir, `example${i + 1}.mjs`);
    fs.writeFileSync(file, code.replaceAll("from 'tiervm'", `from '${vm}'`));
    const r = spawnSync(process.execPath, [...hostFlags, file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/m, ''), '', `example ${i + 1}`);
    assert.equal(r.stdout, output, `example ${i + 1} of docs/embedding.md`);
    assert.equal(r.status, 0, `example ${i + 1}`);
  });
});

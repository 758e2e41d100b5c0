// Inlining in compiled wasm code (jit/wasm/lower.ts inlineCall): a small callee
// that calls, allocates or prints keeps a frame of its own while it runs inline
// (its header and references on the frame stack), so traces, the collector and
// the frame-stack limit see exactly what they see when it is called; where its
// frame would not fit, the call is made instead. Every case is checked against
// the interpreter, and against the generated code (the callee really is inline).
// Inlined bodies inline their own callees, three deep, a recursive function
// copies of itself too. Also here: the write
// barrier a store of null leaves out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { hasWasm } from './host-caps.mjs';

const wasmTest = (name, fn) => test(name, { skip: !hasWasm && 'no WebAssembly on this host' }, fn);

function run(src, opts) {
  let stdout = '', stderr = '';
  const r = load('t.tier', src, { ...opts, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  const code = r.program.run();
  return { code, stdout, stderr };
}

const MODES = [{ tier: 'jit' }, { tier: 'auto', jitThreshold: 1 }, { tier: 'jit', gcStress: true, verifyHeap: true }];

/** The generated code of fn under --tier=jit, or another tier (what
 *  --print-code prints). */
function codeOf(src, fn, tier = 'jit') {
  const { stderr } = run(src, { tier, printCode: fn });
  return stderr;
}

// b is small and calls a: compiled a runs b inline, b's frame on the stack.
const MUTUAL = `
struct Cell { next: Cell, v: i32 }
fn a(n: i32, c: Cell) -> i32 {
  if n == 0 { return c.v; }
  return b(n - 1, c) + 1;
}
fn b(n: i32, c: Cell) -> i32 {
  let d = new Cell { next: c, v: n };
  return a(n, d.next) + d.v % 2;
}
fn main(args: [str]) {
  print(a(parse_i32(args[0]), new Cell { next: null, v: 7 }));
}`;

wasmTest('an inlined callee that calls and allocates: same results, same heap, under GC stress', () => {
  assert.match(codeOf(MUTUAL, 'a'), /call \$h\.new_struct/, 'b runs inline in a (its allocation is in a\'s code)');
  const ref = run(MUTUAL, { tier: 'interp', args: ['3000'] });
  assert.equal(ref.code, 0);
  for (const mode of MODES) assert.deepEqual(run(MUTUAL, { ...mode, args: ['3000'] }), ref, JSON.stringify(mode));
});

wasmTest('an inlined callee\'s frame near the frame stack\'s end: the same overflow and trace as the interpreter', () => {
  // Frame stacks of several sizes put the last frames at every alignment
  // against the end, so that some inline frame would not fit there.
  for (const stackSizeKB of [64, 65, 66, 67]) {
    const ref = run(MUTUAL, { tier: 'interp', args: ['1000000'], stackSizeKB });
    assert.match(ref.stderr, /^runtime error: stack overflow\n/);
    for (const mode of MODES.slice(0, 2)) {
      assert.deepEqual(run(MUTUAL, { ...mode, args: ['1000000'], stackSizeKB }), ref, `${JSON.stringify(mode)} ${stackSizeKB} KiB`);
    }
  }
});

wasmTest('a trap in an inlined callee shows its frame in the trace', () => {
  const src = `
fn check(x: i32) -> i32 {
  print(x);
  return 100 / x;
}
fn main() {
  var s = 0;
  for i in 0..5 { s = s + check(3 - i); }
  print(s);
}`;
  assert.match(codeOf(src, 'main'), /call \$h\.out_i[^]*call \$h\.trap/, 'check runs inline in main');
  const ref = run(src, { tier: 'interp' });
  assert.match(ref.stderr, /^runtime error: division by zero\n  at check \(t\.tier:4\)\n  at main \(t\.tier:8\)\n$/);
  for (const mode of MODES) assert.deepEqual(run(src, mode), ref, JSON.stringify(mode));
});

// Inlined bodies inline their own small callees, three bodies deep: main runs
// l1, l2 and l3 inline, each with its frame (they allocate, print or call), and
// calls l4 (a fourth body deep is past the bound).
const CHAIN = `
struct Box { next: Box, v: i32 }
fn l4(b: Box) -> i32 { print(b.v > 3); return b.v; }
fn l3(b: Box, d: i32) -> i32 {
  let c = new Box { next: b, v: 100 / d };
  return l4(c) + c.next.v;
}
fn l2(b: Box, d: i32) -> i32 {
  let c = new Box { next: b, v: d };
  return l3(c, d) + c.v;
}
fn l1(b: Box, d: i32) -> i32 {
  print(d);
  return l2(b.next, d) + 1;
}
fn main(args: [str]) {
  var s = 0;
  let root = new Box { next: new Box { next: null, v: 5 }, v: 6 };
  for i in 0..parse_i32(args[0]) { s = s + l1(root, 3 - i % 4); }
  print(s);
}`;

wasmTest('inlined bodies three deep: the fourth is called; frames, traces and the heap as when called', () => {
  const main = codeOf(CHAIN, 'main');
  assert.match(main, /call \$h\.out_i[^]*call \$h\.new_struct[^]*call \$h\.new_struct/, 'l1, l2 and l3 run inline in main');
  assert.doesNotMatch(main, /call \$h\.out_b/, 'l4 (which prints a bool) is called: past the depth bound');
  const ok = run(CHAIN, { tier: 'interp', args: ['3'] });
  assert.equal(ok.code, 0);
  const trap = run(CHAIN, { tier: 'interp', args: ['40'] });
  assert.match(trap.stderr, /^runtime error: division by zero\n  at l3 \(t\.tier:5\)\n  at l2 \(t\.tier:10\)\n  at l1 \(t\.tier:14\)\n  at main \(t\.tier:19\)\n$/);
  for (const mode of MODES) {
    assert.deepEqual(run(CHAIN, { ...mode, args: ['3'] }), ok, JSON.stringify(mode));
    assert.deepEqual(run(CHAIN, { ...mode, args: ['40'] }), trap, JSON.stringify(mode));
  }
});

// In tier 2, a recursive function runs copies of itself inline, three bodies
// deep under the same bounds, and calls itself (directly) from the innermost
// copies: every copy keeps its frame, so a trap deep in the recursion, the
// frame-stack limit and the collector see the frames calls make; a copy the
// caller's body inlines tests the room its frame and the frames of the copies
// inside it need (else it is called), and those copies test nothing. Tier 1 calls
// itself (a smaller, quicker first compile); the policy recompiles the function
// in tier 2 once it stays hot (with jitThreshold 1, after 100 calls: in the
// middle of the recursion).
const RECURSIVE = `
struct Node { left: Node, right: Node, v: i32 }
fn build(d: i32, k: i32) -> Node {
  if d == 0 { return new Node { left: null, right: null, v: 100 / k }; }
  return new Node { left: build(d - 1, k - 1), right: build(d - 1, k), v: d };
}
fn sum(t: Node) -> i32 {
  if t == null { return 0; }
  return sum(t.left) + sum(t.right) + t.v;
}
fn main(args: [str]) {
  let d = parse_i32(args[0]);
  print(sum(build(d, parse_i32(args[1]))));
}`;

wasmTest('a recursive function inlines itself in tier 2, three copies deep; traces, overflow and the heap as when called', () => {
  const tier1 = codeOf(RECURSIVE, 'build').split('(func $build (')[1];
  assert.equal((tier1.match(/call \$build\b/g) ?? []).length, 0, 'tier 1: no copies, no direct call');
  assert.equal((tier1.match(/call_indirect/g) ?? []).length, 2, 'tier 1: the two calls, through the table (to tier 2 once installed)');
  const build = codeOf(RECURSIVE, 'build', 'opt');
  const calls = build.match(/call \$build\b/g) ?? [];
  assert.equal(calls.length, 2 + 16, 'two calls per body: 2 + 4 + 8 inlined copies, the first two each with the call made where its frame and those of the copies inside it would not fit (the copies inside test nothing), 16 calls from the innermost');
  assert.equal((build.match(/call \$h\.new_struct/g) ?? []).length, 15 * 2, 'each copy allocates (inline)');
  const ok = run(RECURSIVE, { tier: 'interp', args: ['12', '100'] });
  assert.match(ok.stdout, /^-?\d+\n$/);
  const trap = run(RECURSIVE, { tier: 'interp', args: ['12', '7'] });
  assert.match(trap.stderr, /^runtime error: division by zero\n  at build \(t\.tier:4\)\n(  at build \(t\.tier:5\)\n){12}  at main \(t\.tier:13\)\n$/);
  const deep = run(RECURSIVE, { tier: 'interp', args: ['100000', '100'], stackSizeKB: 64 });
  assert.match(deep.stderr, /^runtime error: stack overflow\n/);
  for (const mode of [...MODES, { tier: 'opt' }, { tier: 'opt', gcStress: true, verifyHeap: true }]) {
    assert.deepEqual(run(RECURSIVE, { ...mode, args: ['12', '100'] }), ok, JSON.stringify(mode));
    assert.deepEqual(run(RECURSIVE, { ...mode, args: ['12', '7'] }), trap, JSON.stringify(mode));
    for (const stackSizeKB of [64, 65, 66, 67]) {
      const ref = run(RECURSIVE, { tier: 'interp', args: ['100000', '100'], stackSizeKB });
      assert.deepEqual(run(RECURSIVE, { ...mode, args: ['100000', '100'], stackSizeKB }), ref, `${JSON.stringify(mode)} ${stackSizeKB} KiB`);
    }
  }
});

// A struct literal allocates after its fields' values, then stores them: those
// stores fill a young object that nothing has seen, so they need no barrier,
// and the payload words they cover need no zeroing (checks.ts fillingStores).
// A store into the object after a call (a safepoint: a collection may have
// made it OLD) keeps its barrier.
wasmTest('a struct literal\'s stores have no write barrier and their words no zeroing; a later store keeps its barrier', () => {
  const src = `
struct V { x: f64, y: f64 }
struct P { a: V, n: i32, b: V, s: str }
fn id(v: V) -> V { return v; }
fn mk(i: i32) -> P { return new P { a: new V { x: i as f64, y: 2.0 }, n: i, b: new V { x: 0.5, y: 0.25 }, s: str(i) }; }
fn later(i: i32) -> P {
  let p = new P { a: null, n: i, b: null, s: "" };
  p.a = id(new V { x: 1.0, y: 1.0 });
  return p;
}
fn main() {
  let keep = new [P](3000);
  var t = 0.0;
  for i in 0..4000 { let p = mk(i); keep[i % 3000] = p; keep[(i + 7) % 3000] = later(i); t = t + p.a.x + p.b.y + (p.s.len as f64); }
  var u = 0;
  for i in 0..3000 { if keep[i].a != null { u += keep[i].n; } }
  print(fixed(t, 2)); print(u);
}`;
  const mk = codeOf(src, 'mk');
  assert.doesNotMatch(mk, /call \$h\.remember/, 'no barrier in mk');
  assert.doesNotMatch(mk, /i64\.const 0\s+i64\.store/, 'no zeroing of a V or of P\'s fields in mk');
  assert.equal((codeOf(src, 'later').match(/call \$h\.remember/g) ?? []).length, 1, 'the store after the call has its barrier');
  const ref = run(src, { tier: 'interp' });
  assert.match(ref.stdout, /^\d+\.\d\d\n\d+\n$/);
  for (const mode of [...MODES, { tier: 'jit', gcStress: true, verifyHeap: true }, { tier: 'jit', backend: 'js', gcStress: true, verifyHeap: true }]) {
    assert.deepEqual(run(src, mode), ref, JSON.stringify(mode));
  }
});

// A store of null makes no old-to-young reference: no write barrier, where the
// register is known to hold null in its block (and only there).
wasmTest('a store of a register known null has no write barrier; a register reused for a reference has it', () => {
  const src = `
struct Box { next: Box, v: i32 }
fn clear(b: Box) { b.next = null; }
fn relink(b: Box, c: Box) {
  b.next = null;
  var x: Box = null;
  if b.v > 0 { x = c; }
  b.next = x;
}
fn main() {
  let b = new Box { next: null, v: 1 };
  for i in 0..3000 { relink(b, new Box { next: null, v: i }); clear(b); relink(b, new Box { next: b, v: i }); }
  print(b.next.v);
}`;
  assert.doesNotMatch(codeOf(src, 'clear'), /call \$h\.remember/);
  assert.equal((codeOf(src, 'relink').match(/call \$h\.remember/g) ?? []).length, 1, 'the store of x after the branch has its barrier');
  const ref = run(src, { tier: 'interp' });
  assert.equal(ref.stdout, '2999\n');
  for (const mode of MODES) assert.deepEqual(run(src, mode), ref, JSON.stringify(mode));
});

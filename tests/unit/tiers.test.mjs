// Mixed-mode execution: interpreted and compiled code calling each other on
// purpose, in every direction, with errors, GC and OSR crossing the boundary.
// (Skipped where the host has no WebAssembly, e.g. under --jitless.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from '../../dist/vm.js';
import { runTier, sameAsInterpreter, PINGPONG, PINGPONG_OUTPUT } from './mixed.mjs';
import { listPrograms, parseExpectations } from '../corpus.mjs';
import { hasWasm } from './host-caps.mjs';

const wasmTest = (name, fn) => test(name, { skip: !hasWasm && 'no WebAssembly on this host' }, fn);

const run = (src, opts) => runTier(src, opts);

wasmTest('compiled and interpreted functions call each other, deep mutual recursion', () => {
  const r = sameAsInterpreter(PINGPONG, { tier: 'jit', jitFilter: '^c_|^main$' });
  assert.equal(r.stdout, PINGPONG_OUTPUT);
  assert.deepEqual(r.tiers.compiled.sort(), ['c_even', 'c_sum', 'main']);
  assert.ok(r.tiers.failed.includes('i_odd'));
});

wasmTest('the opposite split gives the same answers', () => {
  sameAsInterpreter(PINGPONG, { tier: 'jit', jitFilter: '^i_' });
});

const ERRORS = `
struct Box { v: i32 }
fn c_div(a: i32, b: i32) -> i32 { return i_div(a, b) + 1; }
fn i_div(a: i32, b: i32) -> i32 { return c_inner(a, b); }
fn c_inner(a: i32, b: i32) -> i32 {
  let box = new Box { v: a };
  return box.v / b;
}
fn main() {
  print(c_div(10, 2));
  print(c_div(1, 0));
}`;

wasmTest('a runtime error crossing tiers has the same message and guest stack trace', () => {
  for (const filter of ['^c_', '^i_', '^main$', '.']) {
    const r = sameAsInterpreter(ERRORS, { tier: 'jit', jitFilter: filter });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.replace(/^\[tier\].*\n/gm, ''),
      'runtime error: division by zero\n  at c_inner (t.tier:7)\n  at i_div (t.tier:4)\n  at c_div (t.tier:3)\n  at main (t.tier:11)\n');
  }
});

wasmTest('stack overflow in compiled code is a runtime error with a trace', () => {
  const src = 'fn f(n: i32) -> i32 { return f(n + 1) + 1; }\nfn main() { print(f(0)); }';
  const r = run(src, { tier: 'jit' });
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines[0], 'runtime error: stack overflow');
  assert.match(lines[1], /^  at f \(t\.tier:1\)$/);
  assert.match(lines[lines.length - 1], /^  at main \(t\.tier:2\)$/);
});

wasmTest('references held by compiled frames survive collections triggered in interpreted callees', () => {
  const src = `
struct Node { next: Node, v: i32 }
fn c_build(n: i32) -> Node { if n == 0 { return null; } let rest = i_build(n - 1); return new Node { next: rest, v: n }; }
fn i_build(n: i32) -> Node { if n == 0 { return null; } let s = str(n) + "!"; return new Node { next: c_build(n - 1), v: s.len }; }
fn main() {
  var total = 0;
  for k in 0..20 {
    var p = c_build(300);
    while p != null { total += p.v; p = p.next; }
  }
  print(total);
}`;
  sameAsInterpreter(src, { tier: 'jit', jitFilter: '^c_', gcStress: true, verifyHeap: true });
});

wasmTest('a hot loop enters compiled code in the middle of a running frame (OSR)', () => {
  const src = `
fn main() {
  var s = 0.0;
  var k = 0;
  while k < 100000 { s += (k % 7) as f64 * 0.5; k += 1; }
  for i in 0..1000 { s -= 1.0; }
  print(s);
  print(k);
}`;
  const r = sameAsInterpreter(src, { tier: 'auto', jitThreshold: 50, compile: 'sync', traceTier: true });
  assert.match(r.stderr, /\[tier\] osr main at pc \d+/);
  assert.equal(r.stdout, '148997.5\n100000\n');
});

wasmTest('--print-code shows the generated code of one function', () => {
  const r = run('fn sq(x: i32) -> i32 { return x * x; }\nfn main() { print(sq(7)); }', { tier: 'jit', printCode: 'sq' });
  assert.equal(r.stdout, '49\n');
  assert.match(r.stderr, /i32\.mul/);
  assert.doesNotMatch(r.stderr, /\(func \$main/);
  assert.doesNotMatch(r.stderr, /nothing printed/);
});

test('--print-code says why it printed nothing', () => {
  const src = 'fn sq(x: i32) -> i32 { return x * x; }\nfn main() { print(sq(7)); }';
  const none = run(src, { tier: 'jit', printCode: 'cube' });
  assert.equal(none.stdout, '49\n');
  assert.equal(none.stderr, "tiervm: --print-code=cube: nothing printed: the program has no function 'cube'\n");
  const interp = run(src, { tier: 'interp', printCode: 'sq' });
  assert.match(interp.stderr, /^tiervm: --print-code=sq: nothing printed: no compiling backend in this run/);
  if (hasWasm) {
    const cold = run(src, { tier: 'auto', printCode: 'sq' });
    assert.equal(cold.stderr, "tiervm: --print-code=sq: nothing printed: 'sq' was never compiled (not hot enough; try --tier=jit)\n");
  }
});

wasmTest('in --tier=jit every function of every corpus program compiles', () => {
  let programs = 0;
  for (const file of listPrograms()) {
    const src = readFileSync(file, 'utf8');
    const exp = parseExpectations(src);
    if (exp.errors.length > 0) continue;
    const r = load(file, src, { tier: 'jit', args: exp.args, stdout: () => {}, stderr: () => {} });
    if (!r.ok) continue;
    r.program.run();
    assert.deepEqual(r.program.lastTiers.failed, [], file);
    assert.deepEqual(r.program.lastTiers.interpreted, [], file);
    programs++;
  }
  assert.ok(programs > 200);
});

wasmTest('through the command line, mixed recursion reaches the frame stack limit, not the host one', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/tiervm-');
  const file = `${dir}/deep.tier`;
  writeFileSync(file, PINGPONG.replace('c_even(1000)', 'c_even(100000)'));
  const r = spawnSync(process.execPath, ['bin/tiervm.js', 'run', '--tier=jit', '--jit-filter=^c_|^main$', file], { encoding: 'utf8' });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, PINGPONG_OUTPUT);
  const over = spawnSync(process.execPath, ['bin/tiervm.js', 'run', '--tier=jit', '--stack-size=64', file], { encoding: 'utf8' });
  assert.equal(over.status, 1);
  assert.match(over.stderr, /^runtime error: stack overflow\n  at /);
});

wasmTest('checks skipped for registers already checked are redone after a write', () => {
  const src = `
fn f(a: [i32], b: [i32]) -> i32 {
  var x = a[1];
  var i = 1;
  x += a[i] + a[i];
  var c = a;
  x += c[0];
  c = b;
  x += c.len;
  i = 5;
  x += a[i];
  return x;
}
fn main() {
  print(f([1, 2, 3], [4]));
}`;
  const r = sameAsInterpreter(src, { tier: 'jit' });
  assert.equal(r.stderr, 'runtime error: index 5 out of bounds for length 3\n  at f (t.tier:11)\n  at main (t.tier:15)\n');
  const nul = sameAsInterpreter(src.replace('print(f([1, 2, 3], [4]));', 'print(f([1, 2, 3], null));'), { tier: 'jit' });
  assert.match(nul.stderr, /^runtime error: null reference\n  at f \(t\.tier:9\)/);
});

// Entered by OSR at its inner loop (the first loop to get hot), a sieve's loop
// nest is rotated: the outer loop comes back through the inner header. The
// entry starts with the checks every path to that header made (jit/checks.ts,
// checksAtHeader), so the array the outer loop checked is not checked for null
// again at each inner iteration; the corpus's runtime_errors/osr_* programs
// are the cases where such a check must stay.
wasmTest('an OSR entry at an inner loop keeps the checks made on every path to its header; a new array needs none', () => {
  const src = `
fn main(args: [str]) {
  let n = parse_i32(args[0]);
  let composite = new [bool](n);
  var count = 0;
  for i in 2..n {
    if !composite[i] {
      count += 1;
      var j = i * i;
      while j < n { composite[j] = true; j += i; }
    }
  }
  print(count);
}`;
  sameAsInterpreter(src, { tier: 'auto', compile: 'sync', args: ['20000'] }, { args: ['20000'] });
  const r = run(src, { tier: 'auto', compile: 'sync', traceTier: true, printCode: 'main', args: ['20000'] });
  assert.equal(r.stdout, '2262\n');
  const osr = /\[tier\] osr main at pc (\d+)/.exec(r.stderr);
  assert.ok(osr, r.stderr);
  const wat = r.stderr.slice(r.stderr.indexOf('(module'));
  assert.match(wat, new RegExp(`func \\$main@${osr[1]}`), 'the OSR entry was printed');
  assert.match(wat, /call \$h\.trap_index/, 'bounds checks stay');
  assert.doesNotMatch(wat, /call \$h\.trap\n/, 'no null check: the array was checked on every path to the header');
  // Compiled whole, main allocates the array before its loops: no null check
  // of it in them either (a new object is never null).
  const jit = run(src, { tier: 'jit', printCode: 'main', args: ['20000'] });
  assert.equal(jit.stdout, '2262\n');
  const whole = jit.stderr.slice(jit.stderr.indexOf('(module'));
  assert.match(whole, /call \$h\.trap\n[^]*loop/, 'the null checks of args before the loops stay');
  assert.doesNotMatch(whole.slice(whole.indexOf('loop')), /call \$h\.trap\n/, 'no null check in the loops');
});

test('an OSR entry that cannot be made leaves its compiled function compiled, and is not retried', async () => {
  const { Tiering } = await import('../../dist/runtime/tiering.js');
  const { TierEventLog, formatTierEvent } = await import('../../dist/runtime/tier-events.js');
  const tries = [];
  let reason = 'irreducible control flow at pc 9';
  const backend = { name: 'fake', compile: () => null, compileOsr: (f, pc) => { tries.push(pc); return reason; } };
  const lines = [];
  const events = new TierEventLog((e) => lines.push(formatTierEvent(e)));
  const t = new Tiering(['main', 'deep'], backend, { mode: 'auto', threshold: 1, events, filter: null });
  assert.equal(t.onHotLoop(0, 12), null);
  assert.equal(t.onHotLoop(0, 12), null);
  assert.equal(t.onHotLoop(0, 40), null);
  assert.deepEqual(tries, [12, 40], 'each header tried once');
  reason = 'Maximum call stack size exceeded';
  assert.equal(t.onHotLoop(1, 7), null);
  assert.equal(t.onHotLoop(1, 30), null);
  assert.deepEqual(tries, [12, 40, 7], 'a stack overflow stops OSR for the whole function');
  assert.deepEqual(t.report().compiled, ['main', 'deep']);
  assert.deepEqual(t.checkInvariants([() => {}, () => {}]), []);
  assert.ok(lines.includes('[tier] no osr entry for main (pc 12: irreducible control flow at pc 9)'));
  assert.ok(lines.includes('[tier] no osr entries for deep (at pc 7: Maximum call stack size exceeded)'));
});

// Past 256 functions compiled one module each, first compiles of the wasm
// backend wait in batches of 64 and are made one module per batch
// (tiering.ts, SINGLE_MODULES): found by a conformance check, 20,000 functions
// compiled at their first call took 8 minutes and 8.6 GB, one module each.
test('past 256 single compiles, first compiles are batched: functions called once wait, one called again is compiled', { skip: !hasWasm }, () => {
  const n = 400;
  let src = '';
  for (let i = 0; i < n; i++) src += `fn f${i}(x: i32) -> i32 { return x + ${i % 5}; }\nvar G${i} = f${i}(${i});\n`;
  const once = src + `fn main() { print(G1 + G${n - 1}); }\n`;
  let out = '';
  const r = load('many.tier', once, { jitThreshold: 1, stdout: (t) => { out += t; } });
  assert.equal(r.program.run(), 0);
  assert.equal(out, `${1 + 1 + (n - 1) + ((n - 1) % 5)}\n`);
  // 256 alone (<globals>, called first, and f0..f254), then full batches of
  // 64 (f255..f382); the last ones, called once, still wait.
  const compiled = r.program.lastTiers.compiled.filter((name) => /^f\d+$/.test(name));
  assert.equal(compiled.length, 255 + 64 * 2);
  assert.ok(r.program.lastTiers.interpreted.includes(`f${n - 1}`));
  // A function that becomes hot again while it waits is compiled then, with the batch.
  const again = src + 'fn hot(x: i32) -> i32 { return x * 2; }\n' +
    `fn main() { var s = 0; for i in 0..1000 { s += hot(i); } print(G1 + G${n - 1} + s); }\n`;
  out = '';
  const h = load('many.tier', again, { jitThreshold: 1, stdout: (t) => { out += t; } });
  assert.equal(h.program.run(), 0);
  assert.equal(out, `${1 + 1 + (n - 1) + ((n - 1) % 5) + 999000}\n`);
  assert.ok(h.program.lastTiers.compiled.includes('hot') && h.program.lastTiers.compiled.includes(`f${n - 1}`));
});

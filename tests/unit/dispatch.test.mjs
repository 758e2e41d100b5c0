// Tier 2's dispatch at a call through a function value (jit/wasm/lower.ts,
// dispatch): the targets the call's profile saw (runtime/profile.ts, up to
// four) are tested one by one, each target's body inline (its own callees
// inlined as in its own compile) or called, and a target never seen is called
// through the value. Checked against the generated code (the bodies really are
// inline, in tier 2 only) and against the interpreter: output, stack traces,
// fuel and the heap, also when the targets change after the compile, under
// --deopt-stress and under GC stress. (Skipped where the host has no
// WebAssembly: tier 2 is the wasm backend's.)
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { MAX_CALL_TARGETS, MEGAMORPHIC, noteTarget, seenTargets, speculate } from '../../dist/runtime/profile.js';
import { OP_INFO } from '../../dist/bytecode/opcodes.js';
import { hasWasm } from './host-caps.mjs';

const wasmTest = (name, fn) => test(name, { skip: !hasWasm && 'no WebAssembly on this host' }, fn);

/** Run src: its output, exit code, steps (when metered), tier events, and the
 *  code printed for `printCode` (every compile of it, in order). */
function run(src, opts = {}) {
  let stdout = '', stderr = '', printed = '';
  const events = [];
  const r = load('t.tier', src, {
    compile: 'sync', ...opts,
    stdout: (t) => { stdout += t; },
    stderr: (t) => { if (opts.printCode && t.startsWith('(module')) printed += t; else stderr += t; },
    onTierEvent: (e) => { if (e.kind === 'compiled') events.push(e); },
  });
  assert.ok(r.ok, stderr);
  const code = r.program.run();
  return { code, stdout, stderr, steps: r.program.lastSteps, events, modules: printed.split(/^(?=\(module)/m).filter(Boolean) };
}

const result = (r) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });

/** The default thresholds given, so that tier 2 comes by the count alone: with
 *  none given it also waits for its compile to pay back (runtime/tiering.ts,
 *  TIER2_PAYBACK), which a run this short may end before. */
const COUNTED = { jitThreshold: 100 };

test('a CALLV profile keeps four targets in the order first seen, then is megamorphic', () => {
  const profile = new Int32Array(10);
  const pc = 3;
  for (const v of [7, 7, 2, 7, 9, 2]) noteTarget(profile, pc, v);
  assert.deepEqual(seenTargets(profile, pc), [6, 1, 8]);
  noteTarget(profile, pc, 4);
  assert.deepEqual(seenTargets(profile, pc), [6, 1, 8, 3]);
  assert.equal(MAX_CALL_TARGETS, 4);
  assert.equal(profile[pc + MAX_CALL_TARGETS], 0, 'the word after the four is not written');
  noteTarget(profile, pc, 5);
  assert.equal(profile[pc], MEGAMORPHIC);
  assert.deepEqual(seenTargets(profile, pc), []);
  noteTarget(profile, pc, 6);
  assert.equal(profile[pc], MEGAMORPHIC, 'stays megamorphic');
});

test('only a CALLV that saw one target is guarded; one that saw more is left to the dispatch', () => {
  // CALLV r0, sig, base, dst at 0 and at 5; RETV at 10.
  const op = (name) => Object.keys(OP_INFO).map(Number).find((o) => OP_INFO[o].name === name);
  const code = Int32Array.of(op('CALLV'), 0, 0, 1, 1, op('CALLV'), 0, 0, 1, 1, op('RETV'));
  const profile = new Int32Array(code.length);
  noteTarget(profile, 0, 3);
  noteTarget(profile, 5, 3); noteTarget(profile, 5, 4);
  const s = speculate(code, profile, 1, new Set(), false);
  assert.deepEqual([...s.targets], [[0, 2]]);
});

// `round` is called through a value (so it is called, not inlined into its
// caller's loop), and inlines sum, which inlines apply: its tier-2 code
// dispatches apply's call on the targets seen while apply was interpreted
// (square, rect, deep). `deep` calls inner, which calls leaf: inline only
// because the depth is counted from the dispatched target (round -> sum ->
// apply -> deep -> inner -> leaf). Later phases call targets never seen
// (twice), and a trap ends the run in a dispatched body.
const SRC = `
struct Shape { area: fn(Shape, i32) -> i32, w: i32, h: i32 }
fn square(s: Shape, k: i32) -> i32 { return s.w * s.w + k; }
fn rect(s: Shape, k: i32) -> i32 {
  let t = new Shape { area: square, w: s.w + k % 3, h: s.h };
  return t.w * t.h + 100 / (s.h - 7);
}
fn leaf(s: Shape, k: i32) -> i32 {
  if k < 0 { print(k == -1); }
  let t = new Shape { area: square, w: k, h: s.h };
  return t.w + t.h;
}
fn inner(s: Shape, k: i32) -> i32 { return leaf(s, k + 1) * 2; }
fn deep(s: Shape, k: i32) -> i32 { return inner(s, k) - s.w; }
fn twice(s: Shape, k: i32) -> i32 { return 2 * k + s.h; }
fn apply(s: Shape, k: i32) -> i32 { return s.area(s, k); }
fn sum(shapes: [Shape], n: i32) -> i32 {
  var t = 0;
  for i in 0..n { t = (t + apply(shapes[i % shapes.len], i)) % 1000003; }
  return t;
}
fn round(shapes: [Shape], r: i32) -> i32 { return sum(shapes, 40 + r % 7); }
fn rounds(shapes: [Shape], n: i32, each: fn([Shape], i32) -> i32) -> i32 {
  var t = 0;
  for r in 0..n { t = (t + each(shapes, r)) % 1000003; }
  return t;
}
fn shape(f: fn(Shape, i32) -> i32, w: i32, h: i32) -> Shape { return new Shape { area: f, w: w, h: h }; }
fn main(args: [str]) {
  let n = parse_i32(args[0]);
  let three = new [Shape](3);
  three[0] = shape(square, 3, 4);
  three[1] = shape(rect, 5, 9);
  three[2] = shape(deep, 6, 8);
  print(rounds(three, n, round));
  let mixed = new [Shape](3);
  mixed[0] = shape(twice, 1, 2);
  mixed[1] = three[2];
  mixed[2] = shape(twice, 3, 1);
  print(rounds(mixed, n, round));
  let bad = new [Shape](40);
  for i in 0..39 { bad[i] = mixed[i % 3]; }
  bad[39] = shape(rect, 1, 7);
  print(round(bad, 0));
}`;

const TRAP = /^runtime error: division by zero\n  at rect \(t\.tier:6\)\n  at apply \(t\.tier:16\)\n  at sum \(t\.tier:19\)\n  at round \(t\.tier:22\)\n  at main \(t\.tier:44\)\n$/;

wasmTest('tier 2 runs the targets a call through a value saw inline, with their callees; an unseen one is called', () => {
  const ref = run(SRC, { tier: 'interp', args: ['300'] });
  assert.match(ref.stdout, /^\d+\n\d+\n$/);
  assert.match(ref.stderr, TRAP);
  const r = run(SRC, { args: ['300'], printCode: 'round', ...COUNTED });
  assert.deepEqual(result(r), result(ref));
  const t2 = r.events.filter((e) => e.fn === 'round' && e.speculation !== null);
  assert.equal(t2.length, 1, 'round reaches tier 2');
  assert.match(t2[0].speculation, /1 dispatched call$/);
  assert.equal(r.modules.length, 2, 'round compiled twice: tier 1, then tier 2');
  const [tier1, tier2] = r.modules;
  // Tier 1: apply's call is a call through the value (its table slot: the
  // value - 1), nothing of the targets inline. Tier 2 makes it too, for a
  // target not seen, once.
  const byValue = (wat) => (wat.match(/i32\.const 1\n\s*i32\.sub\n\s*call_indirect/g) ?? []).length;
  assert.doesNotMatch(tier1, /call \$h\.new_struct|call \$h\.out_b/);
  assert.equal(byValue(tier1), 1);
  assert.equal(byValue(tier2), 1);
  // Tier 2: rect's and leaf's allocations and leaf's print inline (leaf four
  // bodies below apply's call); each target tested by its index + 1.
  assert.equal((tier2.match(/call \$h\.new_struct/g) ?? []).length, 2);
  assert.match(tier2, /call \$h\.out_b/);
  for (const f of ['square', 'rect', 'deep']) {
    const index = ['square', 'rect', 'leaf', 'inner', 'deep'].indexOf(f);
    assert.match(tier2, new RegExp(`i32\\.const ${index + 1}\\n\\s*i32\\.eq\\n\\s*if`), `${f} is tested`);
  }
});

wasmTest('a dispatch gives the interpreter\'s results in every mode, under GC stress and --deopt-stress', () => {
  for (const n of ['300', '3']) {
    const ref = result(run(SRC, { tier: 'interp', args: [n] }));
    for (const mode of [{}, { jitThreshold: 1 }, { jitThreshold: 10, deoptStress: true }, { deoptStress: true },
      { gcStress: true, verifyHeap: true }, { jitThreshold: 1, gcStress: true, verifyHeap: true, deoptStress: true },
      { compile: 'thread', jitThreshold: 5 }]) {
      assert.deepEqual(result(run(SRC, { ...mode, args: [n] })), ref, `${n} ${JSON.stringify(mode)}`);
    }
  }
});

wasmTest('fuel runs out at the interpreter\'s step in dispatched bodies', () => {
  const full = run(SRC, { tier: 'interp', args: ['300'], maxSteps: 1e12 });
  const total = full.steps;
  const t2 = run(SRC, { args: ['300'], maxSteps: 1e12, ...COUNTED });
  assert.equal(t2.steps, total);
  assert.ok(t2.events.some((e) => e.fn === 'round' && /dispatched/.test(e.speculation ?? '')), 'round reaches tier 2 metered');
  // Past the tier-2 compile (round's 200th call, about 12,000 calls of the
  // targets), in the middle of the run and near its end.
  for (const maxSteps of [Math.floor(total / 2), Math.floor(total / 2) + 1, Math.floor(total / 2) + 7, total - 3, total - 1]) {
    const a = run(SRC, { tier: 'interp', args: ['300'], maxSteps });
    const b = run(SRC, { args: ['300'], maxSteps, ...COUNTED });
    assert.deepEqual(result(b), result(a), `maxSteps ${maxSteps}`);
    assert.equal(b.steps, a.steps, `maxSteps ${maxSteps}`);
  }
});

wasmTest('a call that saw more than four targets is not dispatched', () => {
  const src = `
fn f0(x: i32) -> i32 { return x + 1; }
fn f1(x: i32) -> i32 { return x * 2; }
fn f2(x: i32) -> i32 { return x - 3; }
fn f3(x: i32) -> i32 { return x ^ 5; }
fn f4(x: i32) -> i32 { return x % 7; }
fn apply(f: fn(i32) -> i32, x: i32) -> i32 { return f(x); }
fn main() {
  let fs = new [fn(i32) -> i32](5);
  fs[0] = f0; fs[1] = f1; fs[2] = f2; fs[3] = f3; fs[4] = f4;
  var s = 0;
  for i in 0..3000 { s = (s + apply(fs[i % 5], i)) % 10007; }
  print(s);
}`;
  const r = run(src, { inline: false, ...COUNTED });
  assert.deepEqual(result(r), result(run(src, { tier: 'interp' })));
  assert.ok(r.events.some((e) => e.fn === 'apply'), 'apply is compiled');
  assert.ok(!r.events.some((e) => /dispatched/.test(e.speculation ?? '')), 'and not dispatched');
  const four = src.replace('fs[i % 5]', 'fs[i % 4]');
  const r4 = run(four, { inline: false, ...COUNTED });
  assert.deepEqual(result(r4), result(run(four, { tier: 'interp' })));
  assert.ok(r4.events.some((e) => e.fn === 'apply' && /1 dispatched call/.test(e.speculation ?? '')), 'four targets are dispatched');
});

// A driver hot by its crossings (tiering.ts, firstPlan): drive's five calls of
// sweep a call make it hot after a few calls of its own, and tier 2 would only
// dispatch (step's call through t.run, inline in sweep, inline in drive), so it
// is compiled once, in tier 2, with the targets its callees' profiles saw. A
// target never seen (c) is called through the value afterwards, and traps.
const DRIVER = readFileSync(new URL('../programs/function_values/driver_dispatch.tier', import.meta.url), 'utf8');

wasmTest('a driver hot by crossings whose tier 2 only dispatches is compiled in tier 2 at once', () => {
  const ref = run(DRIVER, { tier: 'interp' });
  assert.match(ref.stderr, /^runtime error: division by zero\n  at c /);
  const r = run(DRIVER, { printCode: 'drive' });
  assert.deepEqual(result(r), result(ref));
  const drive = r.events.filter((e) => e.fn === 'drive');
  assert.equal(drive.length, 1, 'drive is compiled once');
  assert.match(drive[0].speculation ?? '', /dispatched calls?$/, 'in tier 2');
  assert.equal(r.modules.length, 1);
  // A function hot by its own calls still goes through tier 1 first (round, above).
  for (const mode of [{ jitThreshold: 1 }, { deoptStress: true }, { gcStress: true, verifyHeap: true },
    { deoptStress: true, gcStress: true }, { compile: 'thread' }, { tier: 'jit' }, { tier: 'opt' }]) {
    assert.deepEqual(result(run(DRIVER, mode)), result(ref), JSON.stringify(mode));
  }
});

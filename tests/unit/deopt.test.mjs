// Tier 2 and deoptimization (runtime/profile.ts, runtime/tiering.ts, the deopt
// exits of jit/wasm/lower.ts): a speculation that fails late leaves at the exact
// iteration with the exact output before it; fuel, stack traces and the heap are
// the interpreter's across a deopt, also when tier-2 code sits between
// interpreted frames; repeated deopts invalidate the code. (Skipped where the
// host has no WebAssembly: tier 2 is the wasm backend's.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';

const wasmTest = (name, fn) => test(name, { skip: !hasWasm && 'no WebAssembly on this host' }, fn);

/** Run with the tier events recorded; `note(i)` is an extern the program calls.
 *  Compiles are synchronous (at the call that makes a function hot), so tier 2
 *  comes at a known point. Tests of a callee's own tier 2 run with `inline:
 *  false` (NO_INLINE): compiled callers inline small callees, and a callee
 *  only ever run inline is never called, so never reaches tier 2 itself. */
function runEvents(src, opts) {
  let stdout = '', stderr = '', noted = -1;
  const events = [];
  const r = load('t.tier', src, {
    compile: 'sync', ...opts, externs: { note: (i) => { noted = i; } },
    stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; },
    onTierEvent: (e) => { if (e.kind !== 'counts') events.push({ ...e, noted }); },
  });
  assert.ok(r.ok, stderr);
  const code = r.program.run();
  return { code, stdout, stderr, events, steps: r.program.lastSteps, tiers: r.program.lastTiers };
}

const interp = (src, opts = {}) => runEvents(src, { ...opts, tier: 'interp' });
const NO_INLINE = { inline: false };
const same = (a, b) => { assert.equal(a.stdout, b.stdout); assert.equal(a.stderr, b.stderr); assert.equal(a.code, b.code); };

// The branch in step is never taken for 3000 calls, then taken once.
const LATE = `
extern fn note(i: i32);
fn step(i: i32) -> i32 {
  note(i);
  if i == 3000 {
    write("late at ");
    print(i);
    return 1;
  }
  return 0;
}
fn main() {
  var s = 0;
  for i in 0..5000 {
    s = s + step(i);
    if i % 1000 == 999 { print(s); }
  }
  print(s);
}`;

wasmTest('a branch never taken becomes a deopt exit, left at the exact iteration with the output before it', () => {
  const r = runEvents(LATE, { jitThreshold: 100, ...NO_INLINE });
  same(r, interp(LATE));
  assert.equal(r.stdout, '0\n0\n0\nlate at 3000\n1\n1\n1\n');
  const t2 = r.events.filter((e) => e.kind === 'compiled' && e.fn === 'step' && e.speculation !== null);
  assert.equal(t2.length, 1, 'step is compiled in tier 2 once');
  assert.ok(t2[0].noted < 3000, `tier 2 before the late branch (at ${t2[0].noted})`);
  const deopts = r.events.filter((e) => e.kind === 'deopt');
  assert.deepEqual(deopts.map((e) => [e.fn, e.reason, e.noted]), [['step', 'branch taken', 3000]]);
  assert.deepEqual(r.tiers.optimized, ['step']);
});

wasmTest('fuel stops at the same step as in the interpreter across a deopt', () => {
  const ref = interp(LATE, { maxSteps: 1e9 });
  const total = ref.steps;
  const deoptStep = 2 * 3000 + 1;                // a call and a back-edge per iteration before it
  for (const maxSteps of [deoptStep - 2, deoptStep - 1, deoptStep, deoptStep + 1, deoptStep + 2, total - 1, total]) {
    const a = interp(LATE, { maxSteps });
    const b = runEvents(LATE, { jitThreshold: 100, maxSteps, ...NO_INLINE });
    same(b, a);
    assert.equal(b.steps, a.steps, `maxSteps ${maxSteps}`);
  }
  const full = runEvents(LATE, { jitThreshold: 100, maxSteps: total, ...NO_INLINE });
  assert.equal(full.code, 0);
  assert.ok(full.events.some((e) => e.kind === 'deopt'), 'the run deoptimized');
});

// c_* compiled (c_step reaches tier 2), i_* interpreted: the tier-2 frame sits
// between interpreted frames, calls back into one, and deoptimizes holding
// references; after the deopt a runtime error shows the whole guest trace.
const CROSSING = `
extern fn note(i: i32);
struct Box { v: i32 }
fn i_leaf(b: Box, i: i32) -> i32 { return b.v + i % 3; }
fn c_step(i: i32, limit: i32) -> i32 {
  note(i);
  let b = new Box { v: i };
  let xs = new [i32](4);
  xs[i % 4] = i_leaf(b, i);
  if i >= limit {
    let extra = new [str](3);
    extra[0] = "after " + str(i);
    print(extra[0]);
    print(xs[i % 4] + i_leaf(b, 1));
    return 100 / (limit + 300 - i);
  }
  return xs[i % 4] - b.v;
}
fn i_mid(i: i32, limit: i32) -> i32 { return c_step(i, limit); }
fn main() {
  var s = 0;
  for i in 0..1000 { s = s + i_mid(i, 600); }
  print(s);
}`;

wasmTest('a deopt across a crossing: tier-2 code between interpreted frames, calling back into them', () => {
  const ref = interp(CROSSING);
  assert.equal(ref.code, 1);
  assert.match(ref.stderr, /^runtime error: division by zero\n  at c_step \(t\.tier:15\)\n  at i_mid \(t\.tier:19\)\n  at main \(t\.tier:22\)\n$/);
  for (const extra of [{}, { gcStress: true, verifyHeap: true }]) {
    const r = runEvents(CROSSING, { jitThreshold: 20, jitFilter: '^c_|^main$', ...extra });
    same(r, { ...ref, stderr: ref.stderr });
    assert.ok(r.events.some((e) => e.kind === 'compiled' && e.fn === 'c_step' && e.speculation !== null), 'c_step reached tier 2');
    const d = r.events.filter((e) => e.kind === 'deopt' && e.fn === 'c_step');
    assert.equal(d[0]?.noted, 600, 'the first deopt is at the first iteration past the limit');
  }
});

// From call 300 on, the guard on \`i >= 300\` fails at every call: DEOPT_LIMIT (4)
// deopts, then the tier-2 code is invalidated and that site never speculated on again.
const FLIP = `
extern fn note(i: i32);
fn pick(i: i32) -> i32 {
  note(i);
  if i >= 300 && i % 2 == 0 { return 2; }
  return 1;
}
fn main() {
  var s = 0;
  for i in 0..2000 { s = s + pick(i); }
  print(s);
}`;

wasmTest('repeated deopts invalidate tier-2 code; the failed site is not speculated on again', () => {
  const r = runEvents(FLIP, { jitThreshold: 50, ...NO_INLINE });
  same(r, interp(FLIP));
  const deopts = r.events.filter((e) => e.kind === 'deopt' && e.fn === 'pick');
  assert.equal(deopts.length, 4);
  assert.deepEqual(deopts.map((e) => e.noted), [300, 301, 302, 303]);
  assert.equal(new Set(deopts.map((e) => e.pc)).size, 1);
  const inv = r.events.filter((e) => e.kind === 'invalidated');
  assert.equal(inv.length, 1);
  assert.equal(inv[0].noted, 303);
  assert.deepEqual(inv[0].failedSites, [deopts[0].pc]);
  // Tier 1 is installed again, and the function may reach tier 2 again without that site.
  const after = r.events.filter((e) => e.fn === 'pick' && e.kind === 'compiled' && e.noted >= 303);
  assert.ok(after.length >= 1 && after[0].speculation === null, 'tier 1 reinstalled first');
});

wasmTest('a monomorphic function value call is guarded; a new target deoptimizes there', () => {
  const src = `
extern fn note(i: i32);
fn twice(x: i32) -> i32 { return 2 * x; }
fn thrice(x: i32) -> i32 { return 3 * x; }
fn apply(f: fn(i32) -> i32, x: i32) -> i32 { return f(x); }
fn main() {
  var s = 0;
  for i in 0..1000 {
    note(i);
    var f = twice;
    if i == 700 { f = thrice; }
    s = s + apply(f, i);
  }
  print(s);
}`;
  const r = runEvents(src, { jitThreshold: 100, ...NO_INLINE });
  same(r, interp(src));
  const d = r.events.filter((e) => e.kind === 'deopt');
  assert.deepEqual(d.map((e) => [e.fn, e.reason, e.noted]), [['apply', 'call target', 700]]);
});

wasmTest('a guarded function value call inlines a leaf; a trap in it has the interpreter\'s trace', () => {
  const src = `
fn div(x: i32) -> i32 { return 100 / x; }
fn apply(f: fn(i32) -> i32, x: i32) -> i32 {
  return f(x);
}
fn main() {
  var s = 0;
  for i in 0..1000 { s = s + apply(div, 999 - i); }
  print(s);
}`;
  const ref = interp(src);
  assert.match(ref.stderr, /^runtime error: division by zero\n  at div \(t\.tier:2\)\n  at apply \(t\.tier:4\)\n  at main \(t\.tier:8\)\n$/);
  const r = runEvents(src, { jitThreshold: 100, ...NO_INLINE });
  same(r, ref);
  assert.ok(r.events.some((e) => e.kind === 'compiled' && e.fn === 'apply' && /1 call target/.test(e.speculation ?? '')));
});

wasmTest('--tier=opt compiles every function in tier 2; --deopt-stress leaves once at every site', () => {
  const opt = runEvents(LATE, { tier: 'opt' });
  same(opt, interp(LATE));
  assert.deepEqual(opt.tiers.optimized.sort(), opt.tiers.compiled.sort());
  const stress = runEvents(LATE, { tier: 'opt', deoptStress: true });
  same(stress, interp(LATE));
  const sites = stress.events.filter((e) => e.kind === 'deopt').map((e) => `${e.fn}@${e.pc}:${e.reason}`);
  assert.ok(sites.length > 0 && sites.every((s) => s.endsWith(':stress')));
  assert.equal(new Set(sites).size, sites.length, 'each site fails once');
});

test('tier 2 options are checked', () => {
  const refused = (opts) => {
    let err = '';
    const r = load('t.tier', 'fn main() {}', { ...opts, stderr: (t) => { err += t; } });
    assert.equal(r.ok, false);
    return r.text;
  };
  // The js backend has no tier 2: tier opt runs there as tier 1, as on a host without WebAssembly.
  let out = '', trace = '';
  const ok = load('t.tier', 'fn main() { var s = 0; for i in 0..5000 { if i % 7 == 3 { s += i; } } print(s); }',
    { tier: 'opt', backend: 'js', deoptStress: true, stdout: (t) => { out += t; }, onTierEvent: (e) => { trace += JSON.stringify(e); } });
  assert.equal(ok.ok, true, ok.text);
  ok.program.run();
  assert.equal(out, '1783929\n');
  // (Where code generation from strings is forbidden there is no js backend: interpreted.)
  if (hasEval) assert.match(trace, /no tier 2 on js: tier opt compiles tier 1/, 'the trace says so');
  else assert.match(trace, /no js backend on this host/);
  assert.match(refused({ tier: 'interp', deoptStress: true }), /deopt stress needs a compiling tier/);
  assert.match(refused({ deoptStress: 1 }), /must be true or false/);
  assert.match(refused({ tier: 'fast' }), /'opt'/);
});

test('tier 2 does not speculate that a loop is never left: a loop profiled while it runs shows its exit never taken', async () => {
  const { compileFront } = await import('../../dist/front/index.js');
  const { lowerProgram } = await import('../../dist/front/lower.js');
  const { speculate } = await import('../../dist/runtime/profile.js');
  const { OP_INFO, instrLength } = await import('../../dist/bytecode/opcodes.js');
  const src = 'fn f(n: i32) -> i32 { var i = 0; var s = 0; while i < n { if i == -1 { s = s + 1; } i = i + 1; } return s; }\nfn main() { print(f(3)); }';
  const fr = compileFront('t.tier', src);
  const code = lowerProgram(fr.checked).functions[0].code;
  // The loop: the range from a jump's target back to the jump.
  const loops = [];
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc])) {
    const l = OP_INFO[code[pc]].args.indexOf('lbl');
    if (l >= 0 && code[pc + 1 + l] <= pc) loops.push([code[pc + 1 + l], pc]);
  }
  assert.equal(loops.length, 1);
  const [head, end] = loops[0], inside = (p) => head <= p && p <= end;
  // Every conditional jump in the loop seen 1,000 times the way that stays in
  // it (the way a loop running when profiling began is seen).
  const profile = new Int32Array(code.length);
  const branches = [];
  for (let pc = head; pc <= end; pc += instrLength(code[pc])) {
    const info = OP_INFO[code[pc]], l = info.args.indexOf('lbl');
    if (l < 0 || info.args.length < 2) continue;                      // conditional jumps only
    const target = code[pc + 1 + l], next = pc + instrLength(code[pc]);
    const takenStays = inside(target);
    profile[pc + (takenStays ? 0 : 1)] = 1000;
    branches.push({ pc, exit: inside(target) !== inside(next), taken: takenStays });
  }
  assert.ok(branches.some((b) => b.exit) && branches.some((b) => !b.exit), JSON.stringify(branches));
  const s = speculate(code, profile, 100, new Set(), false);
  for (const b of branches) {
    if (b.exit) assert.equal(s.branches.has(b.pc), false, `the loop's exit at ${b.pc} is not speculated on`);
    else assert.equal(s.branches.get(b.pc), b.taken, `the branch at ${b.pc}, inside the loop either way, is`);
  }
});

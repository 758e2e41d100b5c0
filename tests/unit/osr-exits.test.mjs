// OSR exits (runtime/osr.ts, jit/wasm/lower.ts "OSR exits"): wasm OSR code
// leaves its loop at a back-edge to an outermost header and is entered again
// there, or goes on interpreted from it; the program must not see it. These
// tests run in plain node, where exits are on (WASM_HOST.optimizesAtOnce is
// false outside the command line), and check that exits really happened (the
// count the run's final 'counts' tier event reports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { hasWasm } from './host-caps.mjs';

// A broken exit can loop forever (a loop variable not written back): fail instead.
const T = { skip: !hasWasm, timeout: 120_000 };

/** Run src; { code, out, steps, osrPcs: the headers OSR entries were made at,
 *  exits: the OSR exits taken }. */
function run(src, opts = {}) {
  let out = '';
  const osrPcs = [];
  let exits = 0;
  const r = load('osr.tier', src, {
    ...opts, stdout: (t) => { out += t; }, stderr: (t) => { out += `<stderr>${t}`; },
    onTierEvent: (e) => { if (e.kind === 'osr') osrPcs.push(e.pc); if (e.kind === 'counts' && e.final) exits = e.osrExits; },
  });
  assert.ok(r.ok, out);
  const code = r.program.run();
  return { code, out, steps: r.program.lastSteps, osrPcs, exits };
}

// main's OSR entry is at its first loop (hot first); everything after runs in
// that one call: a second loop nest whose outer header the entry never comes
// back to, registers of every kind live across it, an inlined callee with a
// loop of its own, a call through a function value, and output along the way.
const PROGRAM = `
struct P { x: f64, n: i32, name: str }
fn inner(a: [i32], k: i32) -> i32 {
  var s = 0;
  for j in 0..a.len { s = (s + a[j] * k) % 1000003; }
  return s;
}
fn twice(x: i32) -> i32 { return x * 2; }
fn main() {
  let a = new [i32](300);
  for i in 0..300 { a[i] = i * 7 % 13; }
  var f: fn(i32) -> i32 = twice;
  var acc = 0;
  var x = 0.5;
  var p = new P { x: 1.0, n: 0, name: "p" };
  var text = "";
  var k = 0;
  while k < 400 {
    acc = (acc + inner(a, k) + f(k)) % 1000003;
    x = x * 1.0001 + 0.25;
    p.n = p.n + 1;
    if k % 100 == 0 { text = text + str(k) + ","; print(acc); }
    k += 1;
  }
  print(acc);
  print(x);
  print(p.n);
  print(text);
}
`;

test('OSR code that leaves at every outermost back-edge gives the interpreter\'s output', T, () => {
  const ref = run(PROGRAM, { tier: 'interp' });
  assert.equal(ref.code, 0);
  for (const opts of [{ jitThreshold: 1 }, { jitThreshold: 3 }, {}, { jitThreshold: 1, gcStress: true, verifyHeap: true }]) {
    const r = run(PROGRAM, { tier: 'auto', osrExitStress: true, ...opts });
    assert.deepEqual({ code: r.code, out: r.out }, { code: ref.code, out: ref.out }, JSON.stringify(opts));
    // The code was entered at the first loop and left at every back-edge of
    // the while loop, 400 of them, entered again each time at its header
    // (one entry for the frame: no other was made for it).
    assert.ok(r.exits >= 400, `${r.exits} exits (${JSON.stringify(opts)})`);
    assert.equal(new Set(r.osrPcs).size, 1, `OSR entries at ${r.osrPcs} (${JSON.stringify(opts)})`);
  }
});

test('without stress, a long run leaves its OSR code too (the budget adapts)', T, () => {
  const long = PROGRAM.replace('while k < 400', 'while k < 40000').replace('k % 100 == 0', 'k % 10000 == 0');
  const ref = run(long, { tier: 'interp' });
  const r = run(long, { tier: 'auto' });
  assert.equal(r.out, ref.out);
  assert.ok(r.exits >= 2, `${r.exits} exits`);
});

test('OSR code from the compiler thread leaves and is entered again the same way', T, () => {
  const ref = run(PROGRAM, { tier: 'interp' });
  const r = run(PROGRAM, { tier: 'auto', jitThreshold: 1, osrExitStress: true, compile: 'thread' });
  assert.deepEqual({ code: r.code, out: r.out }, { code: ref.code, out: ref.out });
});

test('fuel stops at the same step with exits at every chance, at every budget', T, () => {
  const full = run(PROGRAM, { tier: 'interp', maxSteps: 2 ** 40 });
  const total = full.steps;
  const budgets = [1, 2, 3, 300, 301, 302, 303, 304, 305, 1000];
  for (let k = 1; k <= 12; k++) budgets.push(Math.floor((total * k) / 13) + k);
  for (const maxSteps of budgets) {
    const ref = run(PROGRAM, { tier: 'interp', maxSteps });
    for (const opts of [{ jitThreshold: 1 }, { jitThreshold: 2 }]) {
      const r = run(PROGRAM, { tier: 'auto', osrExitStress: true, maxSteps, ...opts });
      assert.deepEqual({ code: r.code, out: r.out, steps: r.steps }, { code: ref.code, out: ref.out, steps: ref.steps },
        `maxSteps ${maxSteps} ${JSON.stringify(opts)}`);
    }
  }
});

test('an extern that calls back into the guest from inside an OSR loop with exits', T, () => {
  const src = `
extern fn host(k: i32) -> i32;
fn work(n: i32) -> i32 {
  var s = 0;
  for i in 0..n { s = (s + i * 3) % 10007; }
  return s;
}
fn main() {
  var t = 0;
  var k = 0;
  while k < 300 { t = (t + host(k)) % 1000003; k += 1; }
  print(t);
}`;
  const go = (opts) => {
    let out = '';
    let prog = null;
    const r = load('osr.tier', src, {
      ...opts, stdout: (x) => { out += x; }, stderr: (x) => { out += `<stderr>${x}`; },
      externs: { host: (k) => prog.call('work', k) },
    });
    assert.ok(r.ok);
    prog = r.program;
    return { code: prog.run(), out };
  };
  const ref = go({ tier: 'interp' });
  assert.equal(ref.code, 0);
  assert.deepEqual(go({ tier: 'auto', jitThreshold: 1, osrExitStress: true }), ref);
  assert.deepEqual(go({ tier: 'auto', jitThreshold: 1, osrExitStress: true, maxSteps: 2 ** 40 }), ref);
});

test('a main of 2,000 loops one after another still gets its OSR entry with exits', T, () => {
  // Each outermost header the code may be entered at is a test nested in the
  // next; past MAX_ENTRY_HEADERS (lower.ts) headers have no exit, so the
  // nesting stays shallow (all 2,000 overflowed the structurer: no entry).
  const loops = Array.from({ length: 2000 }, (_, l) => `  var i${l} = 0; while i${l} < 60 { s = (s + i${l}) % 1000; i${l} += 1; }`);
  const src = `fn main() {\n  var s = 0;\n${loops.join('\n')}\n  print(s);\n}\n`;
  const failed = [];
  let out = '';
  const r = load('seq.tier', src, {
    tier: 'auto', osrExitStress: true, stdout: (t) => { out += t; },
    onTierEvent: (e) => { if (e.kind === 'osr-failed') failed.push(e.reason); },
  });
  assert.equal(r.program.run(), 0);
  assert.equal(out, '0\n');
  assert.deepEqual(failed, []);
});

// An OSR entry compiles only what its loop header reaches, and imports only the
// helpers of that code: the parse before main's loop is not in it, so the
// string helpers' module (what parse_i32 compiles to) is not built for it.
test('an OSR entry imports only the helpers of the code it compiles', T, () => {
  const src = 'fn main(args: [str]) { let n = parse_i32(args[0]); var s = 0; for i in 0..n { s = (s + i) % 1000; } print(s); }\n';
  let code = '', out = '';
  const events = [];
  const p = load('o.tier', src, {
    tier: 'auto', args: ['100'], printCode: 'main', stdout: (t) => { out += t; }, stderr: (t) => { code += t; },
    onTierEvent: (e) => events.push(e),
  }).program;
  assert.equal(p.run(), 0);
  assert.equal(out, '950\n');
  assert.deepEqual(events.filter((e) => e.kind === 'compiled').map((e) => [e.fn, e.osrPc !== null]), [['main', true]]);
  assert.match(code, /\(import "h" "out_i"/);
  assert.doesNotMatch(code, /"parse_i"/);
});

// Tier events (src/runtime/tier-events.ts): what onTierEvent receives, that
// --trace-tier prints exactly those events, and the crossing counts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { load, formatTierEvent } from '../../dist/vm.js';
import { Tiering } from '../../dist/runtime/tiering.js';
import { PINGPONG, PINGPONG_OUTPUT } from './mixed.mjs';
import { hasWasm, hasEval } from './host-caps.mjs';


function runWith(src, opts) {
  let stdout = '', stderr = '';
  const events = [];
  const r = load('t.tier', src, { ...opts, onTierEvent: (e) => events.push(e), stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  const code = r.program.run();
  return { code, stdout, stderr, events, program: r.program };
}

const LOOP = `
fn sq(x: i32) -> i32 { return x * x; }
fn main() {
  var s = 0;
  for i in 0..5000 { s = s + sq(i % 7); }
  print(s);
}`;

test('events of a run that tiers up: backend, compile, install, OSR, counts', () => {
  const r = runWith(LOOP, { jitThreshold: 100, compile: 'sync' });
  assert.equal(r.code, 0);
  const kinds = new Set(r.events.map((e) => e.kind));
  for (const k of ['backend', 'adapter', 'compiled', 'installed', 'osr', 'counts']) assert.ok(kinds.has(k), k);
  const backend = r.events.find((e) => e.kind === 'backend');
  assert.equal(backend.backend, r.program.backend);
  const sq = r.events.find((e) => e.kind === 'compiled' && e.fn === 'sq');
  assert.equal(sq.osrPc, null);
  assert.ok(sq.ms >= 0 && sq.size > 0 && sq.bytecodeWords > 0);
  const counts = r.events.at(-1);
  assert.equal(counts.kind, 'counts');
  assert.equal(counts.calls[counts.names.indexOf('sq')] >= 100, true);
  assert.deepEqual(counts.compiled, counts.names.map((n) => r.program.lastTiers.compiled.includes(n)));
  // Times are on one clock, in order.
  for (let i = 1; i < r.events.length; i++) assert.ok(r.events[i].t >= r.events[i - 1].t);
});

// driver is called 40 times (under the threshold of 100), and each call makes
// five calls of batch, compiled once its loop is hot: 200 crossings from
// driver's interpreted frames into compiled code, which count toward driver's
// own compile. main (40 calls of driver, 40 back-edges) stays interpreted.
const DRIVER = `
fn leaf(i: i32) -> i32 { return i & 3; }
fn batch() -> i32 {
  var s = 0;
  for i in 0..100 { s = s + leaf(i); }
  return s;
}
fn driver() -> i32 { return batch() + batch() + batch() + batch() + batch(); }
fn main() {
  var s = 0;
  for i in 0..40 { s = s + driver(); }
  print(s);
}`;

test("a function called rarely is compiled after as many calls into compiled code as the threshold", () => {
  for (const backend of [...(hasWasm ? ['wasm'] : []), ...(hasEval ? ['js'] : [])]) {
    const r = runWith(DRIVER, { jitThreshold: 100, compile: 'sync', backend });
    assert.equal(r.stdout, '30000\n');
    const compiled = r.events.filter((e) => e.kind === 'compiled' && e.osrPc === null).map((e) => e.fn);
    assert.ok(compiled.includes('batch'), `${backend}: ${compiled}`);
    assert.ok(compiled.includes('driver'), `${backend}: ${compiled}`);
    assert.ok(!compiled.includes('main'), `${backend}: ${compiled}`);
    const counts = r.events.at(-1);
    assert.ok(counts.calls[counts.names.indexOf('driver')] === 40, 'crossings are not counted as calls');
  }
});

// work's loops reach the back-edge threshold (100) in its 20th call: work is
// compiled; with 5 back-edges per call on average, that frame is not entered by
// OSR (no OSR entry is compiled) and finishes interpreted. A frame that goes on
// looping (the 20th call is long in SHORT_THEN_LONG) reaches the threshold again
// and is entered by OSR then.
const shortLoops = (lastK) => `
fn work(k: i32) -> i32 { var s = 0; for i in 0..k { s = s + i % 7; } return s; }
fn main() {
  var t = 0;
  for j in 0..19 { t = t + work(5); }
  t = t + work(${lastK});
  for j in 0..40 { t = t + work(5); }
  print(t);
}`;

test('a loop made hot by many short calls compiles its function but no OSR entry; a long frame is entered by OSR', () => {
  for (const [lastK, osr] of [[5, false], [1000, true]]) {
    const src = shortLoops(lastK);
    const ref = runWith(src, { tier: 'interp' });
    const r = runWith(src, { jitThreshold: 100, compile: 'sync' });
    assert.equal(r.stdout, ref.stdout);
    const work = r.events.filter((e) => e.fn === 'work');
    assert.ok(work.some((e) => e.kind === 'compiled' && e.osrPc === null), 'work is compiled');
    assert.equal(work.some((e) => e.kind === 'compiled' && e.osrPc !== null), osr, `k = ${lastK}: OSR entry compiled`);
    assert.equal(work.some((e) => e.kind === 'osr'), osr, `k = ${lastK}: frame entered by OSR`);
  }
});

// main is called once: its hot loop gets an OSR entry, and no compile of its
// whole body (no call could run it); its calls of sq, compiled, cross into
// compiled code more often than the threshold and do not compile it either.
// twice runs the same loop in each of its two calls (not inlined into main's
// OSR code: inlining is off): the second call's frame is not its only one, so
// twice is compiled as well.
const ONCE_TWICE = `
fn sq(x: i32) -> i32 { return x * x; }
fn twice() -> i32 { var s = 0; for i in 0..3000 { s = s + i % 5; } return s; }
fn main() {
  var s = 0;
  for i in 0..5000 { s = s + sq(i % 7); }
  print(s + twice());
  print(twice());
}`;

test('a function called once whose loop gets hot gets only an OSR entry; called again, it is compiled', () => {
  for (const backend of [...(hasWasm ? ['wasm'] : []), ...(hasEval ? ['js'] : [])]) {
    const ref = runWith(ONCE_TWICE, { tier: 'interp' });
    const r = runWith(ONCE_TWICE, { jitThreshold: 100, compile: 'sync', backend, inline: false });
    assert.equal(r.stdout, ref.stdout);
    const compiles = (fn, osr) => r.events.filter((e) => e.kind === 'compiled' && e.fn === fn && (e.osrPc !== null) === osr).length;
    assert.equal(compiles('main', true), 1, `${backend}: main's OSR entry`);
    assert.equal(compiles('main', false), 0, `${backend}: main compiled whole`);
    assert.ok(r.events.some((e) => e.kind === 'osr' && e.fn === 'main'), `${backend}: main entered by OSR`);
    assert.equal(compiles('twice', true), 1, `${backend}: twice's OSR entry (first call)`);
    assert.equal(compiles('twice', false), 1, `${backend}: twice compiled at its second call's hot loop`);
  }
});

test('--trace-tier prints the text of the very same events', () => {
  const a = runWith(LOOP, { jitThreshold: 100, compile: 'sync', traceTier: true });
  const printed = a.stderr.split('\n').filter((l) => l.startsWith('[tier]'));
  const formatted = a.events.map(formatTierEvent).filter((l) => l !== null);
  assert.equal(printed.length, formatted.length);
  printed.forEach((l, i) => assert.equal(l.replace(/in \d+ us/, 'in _ us'), formatted[i].replace(/in \d+ us/, 'in _ us')));
  assert.match(printed.at(-1), /^\[tier\] calls: interp->interp \d+, interp->compiled \d+, compiled->interp \d+, compiled->compiled \d+, from the host 2(; osr exits \d+)?$/);
});

test('crossings in a program split between the tiers', () => {
  const backends = [...(hasWasm ? ['wasm'] : []), ...(hasEval ? ['js'] : [])];
  for (const backend of backends) {
    const r = runWith(PINGPONG, { tier: 'jit', backend, jitFilter: '^c_|^main$' });
    assert.equal(r.stdout, PINGPONG_OUTPUT);
    const c = r.events.at(-1).crossings;
    assert.ok(c.interpToCompiled > 10, `${backend} ${JSON.stringify(c)}`);
    assert.ok(c.compiledToInterp > 10, `${backend} ${JSON.stringify(c)}`);
    // main (compiled) calls c_even and c_sum; every other call of compiled
    // code goes to an interpreted i_*.
    assert.equal(c.compiledToCompiled, 2, `${backend} ${JSON.stringify(c)}`);
    assert.equal(c.hostEntries, 2);
  }
  const interp = runWith(PINGPONG, { tier: 'interp' });
  const c = interp.events.at(-1).crossings;
  assert.equal(c.interpToCompiled + c.compiledToInterp, 0);
  assert.ok(c.interpToInterp > 1000);
  assert.equal(interp.events[0].kind, 'backend');
  assert.equal(interp.events[0].backend, 'none');
  assert.equal(interp.program.backend, 'none');
});

test("the listener's exception ends the run and is thrown from run()", () => {
  const thrown = new Error('listener');
  const r = load('t.tier', LOOP, { jitThreshold: 10, compile: 'sync', stdout: () => {}, stderr: () => {}, onTierEvent: (e) => { if (e.kind === 'installed') throw thrown; } });
  assert.throws(() => r.program.run(), (e) => e === thrown);
  const bad = load('t.tier', LOOP, { onTierEvent: 1, stderr: () => {} });
  assert.equal(bad.ok, false);
  assert.match(bad.text, /invalid option onTierEvent: must be a function/);
});

test("the listener's exception thrown while an OSR entry or a function compiles comes back as itself, from call() and run()", () => {
  // Found by the embedding audit: an exception of the listener at the
  // 'compiled' event of an OSR entry failed the compile without a reason, and
  // the interpreter then entered the missing entry (TypeError: osr is not a function).
  const src = 'fn hot(n: i32) -> i32 { var s = 0; for i in 0..n { s += i % 7; } return s; }\nfn main() { print(str(hot(100000))); }';
  const backends = [...(hasWasm ? ['wasm'] : []), ...(hasEval ? ['js'] : [])];
  for (const backend of backends) {
    for (const tier of ['auto', 'jit']) {
      for (const entry of ['call', 'run']) {
        const thrown = new Error('listener');
        const r = load('t.tier', src, { tier, backend, compile: 'sync', stdout: () => {}, onTierEvent: (e) => { if (e.kind === 'compiled') throw thrown; } });
        assert.throws(() => (entry === 'call' ? r.program.call('hot', 100000) : r.program.run()), (e) => e === thrown, `${tier} ${backend} ${entry}`);
        r.program.dispose();
      }
    }
  }
});

test("a listener that threw once leaves the program whole: later calls and runs work, in every tier", () => {
  // Found by an embedding audit: thrown from the middle of an install, the
  // exception left the function's state and its entry disagreeing (every later
  // run() threw "tiering invariant broken"), and under --tier=jit the compile
  // of everything up front took it for a failed global initialiser (every
  // later call threw it again).
  const src = 'fn ok(x: i32) -> i32 { return x + 1; }\nfn main() { print(ok(41)); }';
  const backends = [...(hasWasm ? ['wasm'] : []), ...(hasEval ? ['js'] : [])];
  for (const backend of backends) {
    for (const tier of ['auto', 'jit', 'opt']) {
      for (const kind of ['installed', 'compiled', 'backend']) {
        const thrown = new Error('listener');
        let once = false, out = '';
        const r = load('t.tier', src, { tier, backend, jitThreshold: 1, stdout: (t) => { out += t; },
          onTierEvent: (e) => { if (e.kind === kind && !once) { once = true; throw thrown; } } });
        const what = `${tier} ${backend} ${kind}`;
        assert.ok(r.ok, what);
        assert.throws(() => r.program.call('ok', 1), (e) => e === thrown, what);
        assert.equal(r.program.call('ok', 2), 3, what);
        assert.equal(r.program.run(), 0, what);
        assert.equal(r.program.run(), 0, what);
        assert.equal(out, '42\n42\n', what);
        if (kind !== 'backend') assert.ok(r.program.lastTiers.compiled.includes('ok'), `${what}: ${JSON.stringify(r.program.lastTiers)}`);
        r.program.dispose();
      }
    }
  }
});

// Tier 2 waits for its compile to pay back (runtime/tiering.ts, TIER2_PAYBACK)
// only under the default thresholds: its compile begins no sooner than a
// quarter of the tier-1 compile's time after the tier-1 code was installed
// (the policy times compile and install together, which holds the compile the
// event reports; fib 30's tier 1 runs tens of ms, so it gets there); a given
// threshold compiles it at its count, with no wait. (Whether a short run such
// as fib 20 ends before the wait depends on how cold the compiler is: in a
// process that compiled before, the wait is short; not asserted.)
const FIB = `
fn fib(n: i32) -> i32 { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }
fn main(args: [str]) { print(fib(parse_i32(args[0]))); }`;

test('tier 2 waits for its compile to pay back under the default thresholds, not under a given one', { skip: !hasWasm }, () => {
  const whole = (r) => r.events.filter((e) => e.kind === 'compiled' && e.fn === 'fib' && e.osrPc === null);
  const long = runWith(FIB, { args: ['30'], compile: 'sync', backend: 'wasm' });
  assert.equal(long.stdout, '832040\n');
  const [tier1, tier2, ...more] = whole(long);
  assert.ok(tier1.speculation === null && tier2?.speculation !== null && more.length === 0, 'tier 1, then tier 2 once');
  const installed = long.events.find((e) => e.kind === 'installed' && e.fn === 'fib');
  const waited = tier2.t - tier2.ms - installed.t;
  assert.ok(waited >= tier1.ms / 4, `tier 2 began ${waited} ms after tier 1's install, its compile took ${tier1.ms} ms`);
  const exact = runWith(FIB, { args: ['20'], compile: 'sync', backend: 'wasm', jitThreshold: 25 });
  assert.equal(exact.stdout, '6765\n');
  assert.equal(whole(exact).filter((e) => e.speculation !== null).length, 1);
});

// While tier 2 waits, the tier-1 code asks the policy again after as many calls
// as it makes in the time left at its rate so far, at least the first countdown
// and at most as many as it has counted since the install (recheckAfter), so it
// asks a few times, not once per countdown. fib 30 here asked 34-37 times with
// a plain countdown of 10,000 calls, and asks 8-9 times (the countdowns double
// while the time left is longer than the time gone, then follow the rate,
// which rises as the run goes on). Each ask leaves compiled code for the policy
// and reads the clock.
test('the tier-2 wait asks again a few times, at growing countdowns', { skip: !hasWasm }, () => {
  const proto = Tiering.prototype;
  const original = proto.onHotCompiled;
  const returned = [];
  proto.onHotCompiled = function (f) { const r = original.call(this, f); returned.push(r); return r; };
  try {
    const r = runWith(FIB, { args: ['30'], compile: 'sync', backend: 'wasm' });
    assert.equal(r.stdout, '832040\n');
  } finally {
    proto.onHotCompiled = original;
  }
  const first = 10000; // fib's countdown: SELF_INLINE_AFTER times the tier-2 N
  assert.equal(returned.at(-1), 0, 'the last ask compiles tier 2');
  let counted = first;
  for (const n of returned.slice(0, -1)) {
    assert.ok(n >= first && n <= Math.max(first, counted), `countdown ${n} after ${counted} calls`);
    counted += n;
  }
  assert.ok(returned.length <= 16, `${returned.length} asks in ${counted} calls: ${returned}`);
});

// The compiler thread (src/jit/thread.ts): functions and OSR entries compiled
// there are installed at a safepoint and give the interpreter's results; its tier
// events; a process that used it exits promptly (disposed or not); where there
// are no threads, or the thread stops, compiles are synchronous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load, formatTierEvent } from '../../dist/vm.js';
import { hasWasm } from './host-caps.mjs';

const wasmTest = (name, fn) => test(name, { skip: !hasWasm && 'no WebAssembly on this host' }, fn);
const VM = fileURLToPath(new URL('../../dist/vm.js', import.meta.url));

const SRC = `
fn sq(x: i32) -> i32 { return x * x; }
fn spin(n: i32) -> i32 { var s = 0; for i in 0..n { s = (s + sq(i % 13)) % 1000003; } return s; }
fn main() { print(spin(3000)); }`;

/** spin(n) as the interpreter computes it. */
function expected(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + (i % 13) * (i % 13)) % 1000003;
  return s;
}

function loaded(opts) {
  const events = [];
  let stdout = '';
  const r = load('t.tier', SRC, { jitThreshold: 100, compile: 'thread', ...opts, stdout: (t) => { stdout += t; }, onTierEvent: (e) => events.push(e) });
  assert.ok(r.ok);
  return { p: r.program, events, out: () => stdout };
}

/** The functions compiled now (none before the first call). */
const compiledNow = (p) => p.lastTiers?.compiled ?? [];

/** Call `f` until `done()` or 20 s passed (the thread starts and compiles on
 *  its own time); each call from the host is a safepoint. */
function callUntil(f, done) {
  const t0 = Date.now();
  while (!done()) {
    f();
    if (Date.now() - t0 > 20000) assert.fail('the compiler thread delivered nothing in 20 s');
  }
}

wasmTest('functions compiled on the thread are installed at a safepoint', () => {
  const { p, events } = loaded({});
  const spin = p.fn('spin');
  callUntil(() => assert.equal(spin(3000), expected(3000)), () => compiledNow(p).includes('sq') && compiledNow(p).includes('spin'));
  const kinds = events.map((e) => e.kind);
  // Outside a run the first compile queued starts the thread, at once
  // (THREAD_START_DELAY_MS is 0): before anything compiles there.
  assert.ok(kinds.indexOf('thread') >= 0 && kinds.indexOf('thread') <= kinds.indexOf('queued') + 1 && kinds.indexOf('thread') < kinds.indexOf('compiling'), kinds.join());
  assert.equal(events.find((e) => e.kind === 'thread').state, 'started');
  for (const fn of ['sq', 'spin']) {
    const of = (kind) => events.findIndex((e) => e.kind === kind && e.fn === fn && (e.osrPc ?? null) === null);
    assert.ok(of('queued') >= 0 && of('queued') < of('compiling') && of('compiling') < of('compiled') && of('compiled') < of('installed'), `${fn}: ${kinds.join()}`);
    const compiled = events[of('compiled')];
    assert.equal(compiled.thread, true);
    assert.ok(compiled.size > 0 && compiled.ms >= 0);
    // Hot to running: queued before it began compiling, installed after it ended.
    assert.ok(events[of('queued')].t <= events[of('compiling')].t + 1 && events[of('compiling')].t <= events[of('installed')].t);
  }
  assert.equal(spin(5000), expected(5000));
  // --trace-tier's lines for the new events.
  const lines = events.map(formatTierEvent).filter((l) => l !== null).join('\n');
  assert.match(lines, /\[tier\] compiler thread started/);
  assert.match(lines, /\[tier\] queue sq for the compiler thread/);
  assert.match(lines, /\[tier\] compiling sq on the compiler thread/);
  assert.match(lines, /\[tier\] compile sq: \d+ bytecode words -> \d+ wasm bytes in \d+ us on the compiler thread/);
  p.dispose();
});

wasmTest('an OSR entry compiled on the thread is entered at its loop header by the running frame', () => {
  // One call: interpreted it would take many seconds; the frame goes on in
  // compiled code once the entry is installed.
  const { p, events } = loaded({});
  const n = 100_000_000;
  assert.equal(p.call('spin', n), expected(n));
  const osr = events.find((e) => e.kind === 'osr' && e.fn === 'spin');
  assert.ok(osr, events.map((e) => e.kind).join());
  assert.ok(events.some((e) => e.kind === 'queued' && e.fn === 'spin' && e.osrPc === osr.pc));
  assert.ok(events.some((e) => e.kind === 'compiled' && e.fn === 'spin' && e.osrPc === osr.pc && e.thread));
  p.dispose();
});

wasmTest('a function is queued once, and runs in its tier while it waits', () => {
  const { p, events } = loaded({});
  const sq = p.fn('sq');
  for (let i = 0; i < 150; i++) assert.equal(sq(i), i * i);
  callUntil(() => assert.equal(sq(9), 81), () => compiledNow(p).includes('sq'));
  assert.equal(events.filter((e) => e.kind === 'queued' && e.fn === 'sq' && !e.tier2).length, 1);
  assert.equal(events.filter((e) => e.kind === 'installed' && e.fn === 'sq').length, 1);
  p.dispose();
});

wasmTest('tier 2 is compiled on the thread too, and installed at a safepoint', () => {
  // pick() always takes the same way at its branch: tier 2 speculates on it.
  const src = `
fn pick(x: i32) -> i32 { if x >= 0 { return x * 3; } return 0 - x; }
fn spin(n: i32) -> i32 { var s = 0; for i in 0..n { s = (s + pick(i % 13)) % 1000003; } return s; }
fn main() { print(spin(3000)); }`;
  const events = [];
  // Not inlined into spin: pick's own tier-1 code runs, and counts toward tier 2.
  const r = load('t.tier', src, { jitThreshold: 100, compile: 'thread', inline: false, stdout: () => {}, onTierEvent: (e) => events.push(e) });
  assert.ok(r.ok);
  const p = r.program, spin = p.fn('spin');
  let want = 0;
  for (let i = 0; i < 3000; i++) want = (want + (i % 13) * 3) % 1000003;
  callUntil(() => assert.equal(spin(3000), want), () => (p.lastTiers?.optimized ?? []).includes('pick'));
  const of = (kind) => events.findIndex((e) => e.kind === kind && e.fn === 'pick' && (e.kind === 'queued' || e.kind === 'compiling' ? e.tier2 : e.kind !== 'compiled' || e.speculation !== null));
  const installed = events.findLastIndex((e) => e.kind === 'installed' && e.fn === 'pick');
  assert.ok(of('queued') >= 0 && of('queued') < of('compiling') && of('compiling') < of('compiled') && of('compiled') < installed, events.map((e) => e.kind).join());
  assert.equal(events[of('compiled')].thread, true);
  const lines = events.map(formatTierEvent).filter((l) => l !== null).join('\n');
  assert.match(lines, /\[tier\] queue pick \(tier 2\) for the compiler thread/);
  assert.match(lines, /\[tier\] compile pick \(tier 2: [^)]*\): .* on the compiler thread/);
  assert.equal(spin(5000) >= 0, true);
  p.dispose();
});

wasmTest('the thread decides each plan: the program\'s thread never computes a speculation', () => {
  // pick() takes one way at its branch (tier 2 gains a guard: its tier-1 code
  // counts toward tier 2); sq() has nothing to speculate on (tier 1 for good).
  const src = `
fn sq(x: i32) -> i32 { return x * x; }
fn pick(x: i32) -> i32 { if x >= 0 { return x * 3; } return 0 - x; }
fn spin(n: i32) -> i32 { var s = 0; for i in 0..n { s = (s + pick(i % 13) + sq(i % 7)) % 1000003; } return s; }
fn main() { print(spin(3000)); }`;
  const events = [];
  const r = load('t.tier', src, { jitThreshold: 100, compile: 'thread', inline: false, stdout: () => {}, onTierEvent: (e) => events.push(e) });
  assert.ok(r.ok);
  const p = r.program, spin = p.fn('spin');
  spin(1);
  const tiering = p.inst.rt.tiering;
  let decided = 0;
  for (const m of ['speculation', 'gains', 'firstPlan']) {
    const orig = tiering[m].bind(tiering);
    tiering[m] = (...a) => { decided++; return orig(...a); };
  }
  let want = 0;
  for (let i = 0; i < 3000; i++) want = (want + (i % 13) * 3 + (i % 7) * (i % 7)) % 1000003;
  callUntil(() => assert.equal(spin(3000), want), () => (p.lastTiers?.optimized ?? []).includes('pick') && compiledNow(p).includes('sq'));
  assert.equal(decided, 0, 'a plan was decided on the program\'s thread');
  assert.ok(!events.some((e) => e.kind === 'queued' && e.fn === 'sq' && e.tier2), 'sq has nothing for tier 2');
  assert.equal(spin(5000) >= 0, true);
  p.dispose();
});

wasmTest('run() gives the same output with the thread, and the compile limit holds', () => {
  const { p, out } = loaded({ maxCodeKB: 1 });
  assert.equal(p.run(), 0);
  assert.equal(out(), `${expected(3000)}\n`);
  p.dispose();
});

/** Run `code` (an ES module body with `load` from dist/vm.js) in a new node;
 *  returns its status, output and wall time. */
function child(code, flags = []) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', `import { load } from ${JSON.stringify(VM)};\n${code}`], { encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

const STARTS_THREAD = `
const src = ${JSON.stringify(SRC)};
const events = [];
const p = load('t.tier', src, { jitThreshold: 10, compile: 'thread', stdout: () => {}, onTierEvent: (e) => events.push(e) }).program;
const spin = p.fn('spin');
const t0 = Date.now();
while (!events.some((e) => e.kind === 'thread') && Date.now() - t0 < 20000) spin(100);
console.log(events.filter((e) => e.kind === 'thread').map((e) => e.state).join());`;

wasmTest('a process whose program started the thread exits promptly, disposed or not', () => {
  for (const end of ['p.dispose();', '', 'setTimeout(() => {}, 10);']) {
    const r = child(STARTS_THREAD + end);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'started');
    // The thread keeps nothing alive: node's own start-up and ours are far
    // below this on the slowest machine seen; a thread holding the process would
    // hold it until the 60 s timeout.
    assert.ok(r.ms < 15000, `${end || 'no dispose'}: ${r.ms} ms`);
  }
});

wasmTest('twelve programs with live compiler threads add one beforeExit listener, not one each (no MaxListenersExceededWarning); disposed, none', () => {
  // Found by the embedding audit: each thread added its own listener, and Node
  // warned of a leak on the embedder's stderr past ten live programs.
  const r = child(`
const base = process.listenerCount('beforeExit');
const ps = [];
for (let i = 0; i < 12; i++) {
  const events = [];
  const p = load('t.tier', ${JSON.stringify(SRC)}, { jitThreshold: 10, compile: 'thread', stdout: () => {}, onTierEvent: (e) => events.push(e) }).program;
  const spin = p.fn('spin');
  const t0 = Date.now();
  while (!events.some((e) => e.kind === 'thread') && Date.now() - t0 < 20000) spin(100);
  ps.push(p);
}
const live = process.listenerCount('beforeExit') - base;
for (const p of ps.slice(0, 6)) p.dispose();
const half = process.listenerCount('beforeExit') - base;
for (const p of ps.slice(6)) p.dispose();
console.log(live, half, process.listenerCount('beforeExit') - base);`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1 1 0');
  assert.doesNotMatch(r.stderr, /MaxListenersExceeded/);
});

wasmTest('with no threads on the host, compiles are synchronous, with the same results', () => {
  const r = child(`
delete process.getBuiltinModule;
${STARTS_THREAD.replace("console.log(", "console.log(events.filter((e) => e.kind === 'compiled').every((e) => !e.thread), spin(3000), ")}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `true ${expected(3000)} unavailable`);
});

wasmTest('a thread that stops hands back what it held: those compile synchronously', async () => {
  const { p, events } = loaded({ jitThreshold: 10 });
  const spin = p.fn('spin');
  callUntil(() => spin(20), () => events.some((e) => e.kind === 'thread'));   // spin is queued, the thread started
  await p.inst.backend.built.thread.live.worker.terminate();
  await new Promise((resolve) => setTimeout(resolve, 50));   // the exit event
  callUntil(() => assert.equal(spin(300), expected(300)), () => compiledNow(p).includes('sq'));
  assert.ok(events.some((e) => e.kind === 'thread' && e.state === 'failed'));
  assert.ok(events.some((e) => e.kind === 'compiled' && !e.thread));
  p.dispose();
});

wasmTest('a run that ends while the thread holds requests terminates it; those compile synchronously at the next call', () => {
  const { p, events } = loaded({ jitThreshold: 10 });
  assert.equal(p.run(), 0);                      // sq and spin queued; the run ends at once
  assert.ok(events.some((e) => e.kind === 'queued' && e.fn === 'sq'));
  const thread = p.inst.backend.built.thread;
  assert.equal(thread.failure, 'disposed');
  assert.equal(thread.live, null, 'no worker left running');
  const spin = p.fn('spin');
  callUntil(() => assert.equal(spin(300), expected(300)), () => compiledNow(p).includes('sq') && compiledNow(p).includes('spin'));
  for (const fn of ['sq', 'spin']) assert.ok(events.some((e) => e.kind === 'compiled' && e.fn === fn && !e.thread), fn);
  assert.ok(!events.some((e) => e.kind === 'thread' && e.state === 'failed'), 'ending it is no failure');
  p.dispose();
});

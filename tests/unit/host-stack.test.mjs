// Every tier reaches the same recursion depth on any thread: compiled code uses
// the host stack only up to a budget (runtime.ts) and continues in the
// interpreter past it. These run on the test runner's main thread (about 1 MB of
// host stack), where compiled recursion used to overflow near 10,000-20,000 frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';
import { HOST_STACK } from '../../dist/config.js';
import { hostStackLeft, hostStackProbes } from '../../dist/runtime/host-stack.js';

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

// The two ends of the frame shapes the budget was measured with (config.ts
// HOST_STACK): no parameters and few registers, the most frames per slot; nine
// parameters and 32 registers, the largest host frames.
const LEAN_AND_FAT = `
var G = 0;
var H = 0;
fn lean() { if G > 0 { G -= 1; lean(); H += 1; } }
fn fat(n: i32, a: i32, b: i32, c: i32, d: i32, e: f64, f: f64, g: f64, h: f64) -> f64 {
  if n == 0 { return e + f; }
  let p = a * b + c; let q = d * a - b; let r = e * f + g; let s = g * h - e;
  let t = p + q; let u = r * s; let v = t as f64 + u; let w = v * 0.5;
  return fat(n - 1, q & 7, p & 7, c + 1, d, f, g, 1.0, 0.0) + w * 0.0 + 1.0;
}
fn main() { G = 100000; lean(); print(H); print(fat(100000, 1, 2, 3, 4, 1.0, 2.0, 3.0, 4.0)); }`;

test('100,000 frames of the leanest and the fattest shape on the main thread, every tier', () => {
  for (const mode of MODES) {
    const r = run(LEAN_AND_FAT, { ...mode, stackSizeKB: 65536 });
    assert.deepEqual(r, { code: 0, stdout: '100000\n100002\n', stderr: '' }, JSON.stringify(mode));
  }
});

test('the frame stack overflows at the same depth, with the same trace, in every tier', () => {
  const src = `fn down(n: i32) -> i32 { return down(n + 1) + 1; }\nfn main() { print(down(0)); }`;
  const ref = run(src, { tier: 'interp' });
  assert.equal(ref.code, 1);
  assert.match(ref.stderr, /^runtime error: stack overflow\n  at down \(deep\.tier:1\)\n/);
  for (const mode of MODES) assert.deepEqual(run(src, mode), ref, JSON.stringify(mode));
});

test('a recursion with a hot loop in every frame: past the budget no frame enters compiled code by OSR, same depth in every tier', () => {
  // Found by the embedding audit: past the budget the interpreter entered each
  // frame's loop by OSR, whose code called the next frame back into the
  // interpreter on the host stack, frame after frame: \`stack overflow\` near
  // 5,700 frames (1,400 with the js backend) in every compiling tier.
  const walk = `
fn walk(n: i32) -> i32 {
  if n == 0 { return 0; }
  var s = 0;
  for i in 0..3 { s += i; }
  return walk(n - 1) + s;
}
fn main() { print(walk(20000)); }`;
  for (const mode of MODES) assert.deepEqual(run(walk, mode), { code: 0, stdout: '60000\n', stderr: '' }, JSON.stringify(mode));
  const down = 'fn down(n: i32) -> i32 { var s = 0; while s < 2 { s += 1; } return down(n + s) + 1; }\nfn main() { print(down(0)); }';
  const ref = run(down, { tier: 'interp' });
  assert.match(ref.stderr, /^runtime error: stack overflow\n/);
  for (const mode of [...MODES, ...(hasWasm ? [{ tier: 'opt' }] : [])]) assert.deepEqual(run(down, mode), ref, JSON.stringify(mode));
});

test('the smallest frames (2 or 3 slots apart), with and without limits: the same stack overflow in every tier', () => {
  // Found by the embedding audit: under V8's baseline wasm code these used
  // more host stack per slot than the budget allowed for, and overflowed the
  // host (13,700-18,200 frames) before the budget ended; with limits, fuel
  // passed along made \`fn f() { f(); }\` do so too (the command line as well).
  const shapes = [
    'fn f() { f(); }\nfn main() { f(); }',
    'fn f() { f(); f(); }\nfn main() { f(); }',
    'fn f(x: f64) { f(x); f(x); }\nfn main() { f(0.5); }',
  ];
  for (const src of shapes) {
    for (const limits of [{}, { maxSteps: 2 ** 40 }, { interruptible: true }]) {
      const ref = run(src, { tier: 'interp', ...limits });
      assert.match(ref.stderr, /^runtime error: stack overflow\n/);
      for (const mode of MODES) assert.deepEqual(run(src, { ...mode, ...limits }), ref, `${src} ${JSON.stringify({ ...mode, ...limits })}`);
    }
  }
});

test('a budget of one slot sends every compiled call to the interpreter, same answers', () => {
  for (const mode of MODES.filter((m) => m.tier !== 'interp')) {
    const r = run(MUTUAL.replace('150000', '2000'), { ...mode, hostStackSlots: 1 });
    assert.deepEqual(r, { code: 0, stdout: '1000\n', stderr: '' }, JSON.stringify(mode));
  }
});

test('on a worker thread with half a MiB of host stack, run() and call() overflow at the same depth as here', async () => {
  const { Worker } = await import('node:worker_threads');
  const src = 'var D: i32 = 0;\nfn down(n: i32, x: f64, s: str) -> i32 { D = n; return down(n + 1, x + 1.0, s) + 1; }\n' +
    'fn depth() -> i32 { return D; }\nfn go() -> i32 { return down(0, 0.0, "s"); }\nfn main() { print(go()); }\n';
  /** [how, message, depth] for every mode, run() then call(). */
  const depths = (modes) => modes.flatMap((m) => ['run', 'call'].map((how) => {
    let err = '';
    const p = load('d.tier', src, { ...m, stdout: () => {}, stderr: (t) => { err += t; } }).program;
    if (how === 'run') p.run(); else try { p.call('go'); } catch (e) { err = e.text; }
    return [JSON.stringify(m), how, err.split('\n')[0], p.call('depth')];
  }));
  const here = depths(MODES);
  // Every mode reaches the same depth as the first, run() and call() each (they
  // start with different frames below go(), which may move where a frame-stack
  // segment ends by one frame).
  const first = { run: here[0][3], call: here[1][3] };
  assert.ok(here.every((d) => d[2] === 'runtime error: stack overflow' && d[3] === first[d[1]] && d[3] > 100000), JSON.stringify(here));
  // The same function, on the worker (its text; `load` and `src` are defined there).
  const code = `const { parentPort, workerData: { modes, src } } = require('node:worker_threads');
    import(${JSON.stringify(new URL('../../dist/vm.js', import.meta.url).href)})
      .then(({ load }) => parentPort.postMessage((${depths.toString()})(modes)));`;
  const worker = new Worker(code, { eval: true, workerData: { modes: MODES, src }, resourceLimits: { stackSizeMb: 0.5 } });
  const there = await new Promise((resolve, reject) => { worker.on('message', resolve); worker.on('error', reject); });
  await worker.terminate();
  assert.deepEqual(there, here);
});

test('the command line under node --stack-size=200 overflows at the same depth in every tier', async () => {
  const { spawnSync } = await import('node:child_process');
  const bin = new URL('../../bin/tiervm.js', import.meta.url).pathname;
  const prog = 'fn down(n: i32, x: f64) -> i32 { return down(n + 1, x + 1.0) + 1; }\nfn main() { print(down(0, 0.0)); }\n';
  const flags = ['--tier=interp', '--tier=jit', '--tier=auto --jit-threshold=1', '--tier=jit --jit-backend=js'];
  const hostFlags = process.execArgv.filter((a) => a === '--jitless' || a.startsWith('--disallow-code-generation'));
  const shown = flags.map((f) => {
    const r = spawnSync(process.execPath, [...hostFlags, '--stack-size=200', bin, 'run', ...f.split(' '), '-e', prog], { encoding: 'utf8' });
    return [r.status, r.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/m, '')];
  });
  assert.match(shown[0][1], /^runtime error: stack overflow\n(  at down \(<eval>:1\)\n){50}  \.\.\. \d{6} more frames\n/);
  for (let i = 1; i < flags.length; i++) assert.deepEqual(shown[i], shown[0], flags[i]);
});

test('the --stack-size flag node was given is read, the last one winning', async () => {
  const { stackSizeFlag } = await import('../../dist/runtime/host-stack.js');
  assert.equal(stackSizeFlag([]), null);
  assert.equal(stackSizeFlag(['--jitless', '--stack-size=200']), 200);
  assert.equal(stackSizeFlag(['--stack_size=300', '--stack-size=500']), 500);
  assert.equal(stackSizeFlag(['--stack-size=0', '--stack-size=abc']), null);
});

// The frame stack's segments (runtime/frame-stack.ts): with a 64 KiB stack the
// first segment is 8 KiB, so these frames cross into heap-allocated segments at a
// shallow depth: references in them survive collections (every allocation one,
// under gcStress, with the heap verified), f64 arguments are copied, a call
// crossing a boundary in a loop reuses its segment, and deopts happen there.
const SEGMENTS = `
struct L { v: i32, next: L }
fn build(n: i32) -> L { if n == 0 { return null; } return new L { v: n, next: build(n - 1) }; }
fn len(l: L) -> i32 { if l == null { return 0; } return 1 + len(l.next); }
fn sumf(n: i32, acc: f64) -> f64 { if n == 0 { return acc; } return sumf(n - 1, acc + 0.5); }
fn at(d: i32) -> i32 { if d == 0 { return len(build(3)); } return at(d - 1); }
fn main() {
  var total = 0;
  for i in 0..20 { total = total + len(build(300 + i)); }
  print(total);
  print(sumf(600, 0.0));
  var s = 0;
  for d in 0..400 { s = s + at(d); }
  print(s);
}`;

test('frames in frame-stack segments past the first: same answers in every tier, under GC stress', () => {
  const modes = [...MODES, ...(hasWasm ? [{ tier: 'opt', deoptStress: true, backend: 'wasm' }] : [])];
  for (const mode of modes) {
    for (const stress of [{}, { gcStress: true, verifyHeap: true }]) {
      const r = run(SEGMENTS, { ...mode, ...stress, stackSizeKB: 64 });
      assert.deepEqual(r, { code: 0, stdout: '6190\n300\n1200\n', stderr: '' }, JSON.stringify({ ...mode, ...stress }));
    }
  }
});

test('a large stack size is not reserved in linear memory up front', () => {
  const memory = (stackSizeKB) => {
    let stderr = '';
    const p = load('m.tier', 'fn main() { print(1); }', { stackSizeKB, gcStats: true, stdout: () => {}, stderr: (t) => { stderr += t; } }).program;
    p.run();
    return Number(/linear memory ([\d.]+) KB/.exec(stderr)[1]);
  };
  const small = memory(8192), large = memory(65536);
  assert.equal(large, small, `linear memory with a 64 MiB stack ${large} KB against ${small} KB with 8 MiB`);
});

test('an extern calling back into the guest near a segment end: the entry goes on in the next segment, in every tier', () => {
  const src = `
extern fn host(d: i32) -> i32;
fn g(x: i32) -> i32 { let a = x + 1; let b = a + 1; let c = b + 1; let e = c + 1; return a + b + c + e; }
fn f(d: i32, stop: i32) -> i32 { if d == stop { return host(d); } return f(d + 1, stop) + 0; }
fn main() { }`;
  for (const mode of MODES) {
    let p;
    p = load('r.tier', src, { ...mode, stackSizeKB: 64, externs: { host: (d) => p.call('g', d) }, stdout: () => {}, stderr: () => {} }).program;
    // With a 64 KiB stack the segments end near depths 168, 509 and 1190: every
    // depth across them re-enters; only the whole stack's end overflows.
    const failed = [];
    for (let stop = 150; stop < 1300; stop++) {
      try { assert.equal(p.call('f', 0, stop), 4 * stop + 10); } catch (e) { failed.push([stop, e.message]); }
    }
    assert.deepEqual(failed, [], JSON.stringify(mode));
    assert.throws(() => p.call('f', 0, 5000), (e) => e.message === 'stack overflow', JSON.stringify(mode));
  }
});

// An interpreted function whose frame is larger than what is left of the
// segment, called from compiled code: compiled code checks only its own frame,
// so the crossing into the interpreter (generated and generic c2i, the js
// backend's) must move the frame to the next segment. It wrote past the
// segment's end into the heap before (heap verification failed).
test('an interpreted callee with a frame past the segment end, called from compiled code, runs in the next segment', () => {
  let lets = '';
  for (let i = 0; i < 3000; i++) lets += `  let v${i} = a + ${i};\n`;
  const src = `struct P { x: i32, next: P }
fn big(a: i32) -> i32 {
  var p: P = null;
  for k in 0..50 { p = new P { x: k, next: p }; }
${lets}  return v0 + v2999 + p.x;
}
fn main() { var t = 0; for i in 0..30 { t += big(i); } print(t); }`;
  const modes = [
    ...(hasWasm ? [{ tier: 'jit', backend: 'wasm' }, { tier: 'jit', backend: 'wasm', adapters: 'generic' }] : []),
    ...(hasEval ? [{ tier: 'jit', backend: 'js' }] : []),
  ];
  for (const mode of modes) {
    const r = run(src, { ...mode, jitFilter: '^main$', stackSizeKB: 64, gcStress: true, verifyHeap: true });
    assert.deepEqual(r, { code: 0, stdout: '92310\n', stderr: '' }, JSON.stringify(mode));
  }
});

// Where the budget runs out, it grows as far as the host stack left holds
// compiled frames at their costliest (runtime.ts, growHostLimit), once it was
// reached a few times in the entry: a recursion past the fixed budget then runs
// compiled. Counted by the calls the interpreter made (the tier events' counts).
const WALKS = `struct Node { v: i32, next: Node }
fn sum(n: Node) -> i32 { if n == null { return 0; } return n.v + sum(n.next); }
fn main() {
  var h: Node = null;
  for i in 0..4000 { h = new Node { v: i & 7, next: h }; }
  var t = 0;
  for r in 0..12 { t += sum(h); }
  print(t);
}`;

function interpretedCalls(opts) {
  let counts = null, stdout = '';
  const p = load('walks.tier', WALKS, { ...opts, stdout: (t) => { stdout += t; }, onTierEvent: (e) => { if (e.kind === 'counts') counts = e; } }).program;
  assert.equal(p.run(), 0);
  assert.equal(stdout, '168000\n');
  return counts.crossings.interpToInterp;
}

test('the host-stack budget grows where the host stack holds more: deep recursion stays compiled', { skip: !hostStackProbes() }, () => {
  for (const mode of MODES.filter((m) => m.tier === 'jit' && m.jitFilter === undefined)) {
    // 12 walks 4,001 frames deep, past the fixed budget (16,000 wasm slots, 10,000 JS,
    // 3-4 slots a frame here): only the walks before the budget grows go on interpreted.
    const grown = interpretedCalls(mode);
    const fixed = interpretedCalls({ ...mode, hostStackSlots: HOST_STACK[mode.backend].slots });
    assert.ok(fixed > 12 * 500, `${JSON.stringify(mode)} fixed ${fixed}`);
    assert.ok(grown < 4 * 4001, `${JSON.stringify(mode)} grown ${grown} fixed ${fixed}`);
  }
});

test('an embedder already deep in its own stack: the budget grows only as far as the stack left holds', () => {
  const deep = (n, f) => (n === 0 ? f() : deep(n - 1, f));
  const shapes = ['fn f() { f(); f(); }\nfn main() { f(); }', 'fn f(n: i32) -> i32 { return f(n + 1) + 1; }\nfn main() { print(f(0)); }'];
  for (const src of shapes) {
    const ref = run(src, { tier: 'interp' });
    assert.match(ref.stderr, /^runtime error: stack overflow\n/);
    for (const depth of [1000, 4000]) {
      for (const mode of MODES) assert.deepEqual(deep(depth, () => run(src, mode)), ref, `${depth} ${src} ${JSON.stringify(mode)}`);
    }
  }
});

test('hostStackLeft measures in steps of 64 KiB, less where the caller is deeper', { skip: !hostStackProbes() }, () => {
  const top = hostStackLeft(1 << 30);
  assert.ok(top % 65536 === 0 && top > 256 * 1024, String(top));
  assert.equal(hostStackLeft(128 * 1024), 128 * 1024);
  assert.equal(hostStackLeft(1000), 0);
  const deep = (n) => (n === 0 ? hostStackLeft(1 << 30) : deep(n - 1) + 0);
  assert.ok(deep(3000) < top - 64 * 1024, `${deep(3000)} ${top}`);
});

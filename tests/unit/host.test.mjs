// The embedding API's edges with its host (src/vm.ts, src/runtime/externs.ts):
// which externs resolve, what an extern may return, the order of guest output
// and extern calls, what happens when the embedder's own code throws, and which
// options load() accepts. Every behaviour is checked in every tier and backend
// this host has, since the interpreter and compiled code share callExtern.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';


/** The modes to compare, as far as this host allows. */
const MODES = [
  { tier: 'interp' },
  { tier: 'jit' },
  ...(hasWasm ? [{ tier: 'jit', backend: 'wasm' }, { tier: 'auto', jitThreshold: 1, backend: 'wasm' }] : []),
  ...(hasEval ? [{ tier: 'jit', backend: 'js' }, { tier: 'auto', jitThreshold: 1, backend: 'js' }] : []),
];
const label = (m) => JSON.stringify(m);

/** Load and run `src`; output and diagnostics captured (opts may replace them). */
function run(src, opts = {}) {
  let stdout = '', stderr = '';
  const r = load('t.tier', src, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, ...opts });
  if (!r.ok) return { loaded: false, code: r.exitCode, stdout, stderr };
  const code = r.program.run();
  return { loaded: true, code, stdout, stderr };
}

// ---- which externs exist ---------------------------------------------------------

const INHERITED = ['toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'constructor', 'isPrototypeOf',
  '__lookupGetter__', '__proto__'];

test('an extern is never found on the prototype chain of the externs object', () => {
  for (const name of INHERITED) {
    for (const externs of [undefined, {}, { other: () => 1 }]) {
      const src = `extern fn ${name}() -> str;\nfn main() { print("ran"); print(${name}()); }`;
      const r = run(src, { externs });
      assert.deepEqual(r, { loaded: true, code: 1, stdout: '', stderr: `error: extern function ${name} is not provided\n` }, name);
    }
  }
});

test('__defineSetter__ with arguments is a missing extern, not an internal error', () => {
  const r = run('extern fn __defineSetter__(s: str, x: i32);\nfn main() { __defineSetter__("a", 1); }');
  assert.deepEqual(r, { loaded: true, code: 1, stdout: '', stderr: 'error: extern function __defineSetter__ is not provided\n' });
});

test('own properties are externs, enumerable or not, and are called with this undefined', () => {
  const externs = {};
  let seen = 'not called';
  Object.defineProperty(externs, 'hidden', { value: function () { seen = this; return 7; }, enumerable: false });
  const r = run('extern fn hidden() -> i32;\nfn main() { print(hidden()); }', { externs });
  assert.equal(r.stdout, '7\n', r.stderr);
  assert.equal(seen, undefined);
  const proto = { fromProto: () => 1 };
  const inherited = run('extern fn fromProto() -> i32;\nfn main() { print(fromProto()); }', { externs: Object.create(proto) });
  assert.equal(inherited.code, 2, 'an object with another prototype is not a plain object');
});

test('a null-prototype object (a module namespace, say) holds externs too', () => {
  const externs = Object.assign(Object.create(null), { twice: (x) => 2 * x });
  for (const mode of MODES) {
    const r = run('extern fn twice(x: i32) -> i32;\nfn main() { print(twice(21)); }', { ...mode, externs });
    assert.equal(r.stdout, '42\n', label(mode));
  }
});

// ---- what an extern may return ----------------------------------------------------

const RESULT_SRC = (type, show) => `struct P { x: i32 }
extern fn get(p: P) -> ${type};
fn use(p: P) {
  let v = get(p);
  print(${show});
}
fn main() {
  print("before");
  use(new P { x: 5 });
}`;

/** [type, how to print it, value returned, expected output or error]. */
const RESULTS = [
  ['i32', 'v', 2 ** 40 + 5, 'extern get returned 1099511627781, expected i32'],
  ['i32', 'v', NaN, 'extern get returned NaN, expected i32'],
  ['i32', 'v', 3.7, 'extern get returned 3.7, expected i32'],
  ['i32', 'v', Infinity, 'extern get returned Infinity, expected i32'],
  ['i32', 'v', 2 ** 31, 'extern get returned 2147483648, expected i32'],
  ['i32', 'v', -(2 ** 31) - 1, 'extern get returned -2147483649, expected i32'],
  ['i32', 'v', '5', 'extern get returned string, expected i32'],
  ['i32', 'v', undefined, 'extern get returned undefined, expected i32'],
  ['i32', 'v', null, 'extern get returned null, expected i32'],
  ['i32', 'v', 5n, 'extern get returned bigint, expected i32'],
  ['i32', 'v', 2 ** 31 - 1, '2147483647'],
  ['i32', 'v', -(2 ** 31), '-2147483648'],
  ['i32', 'v', -0, '0'],
  ['bool', 'v', {}, 'extern get returned object, expected bool'],
  ['bool', 'v', 1, 'extern get returned 1, expected bool'],
  ['bool', 'v', 'true', 'extern get returned string, expected bool'],
  ['bool', 'v', null, 'extern get returned null, expected bool'],
  ['bool', 'v', true, 'true'],
  ['bool', 'v', false, 'false'],
  ['f64', 'v', NaN, 'NaN'],
  ['f64', 'v', -Infinity, '-Infinity'],
  ['f64', 'v', 2.5, '2.5'],
  ['f64', 'v', '2.5', 'extern get returned string, expected f64'],
  ['f64', 'v', true, 'extern get returned boolean, expected f64'],
  ['str', 'v == null', null, 'true'],
  ['str', 'v', 'héllo', 'héllo'],
  ['str', 'v', 42, 'extern get returned 42, expected str'],
  ['str', 'v', {}, 'extern get returned object, expected str'],
  ['P', 'v == null', null, 'true'],
  ['P', 'v.x', 12345678, 'extern get returned 12345678, expected P'],
  ['P', 'v.x', 'p', 'extern get returned string, expected P'],
  ['fn(i32) -> i32', 'v == null', 3, 'extern get returned 3, expected fn(i32) -> i32'],
];

test('extern results: what is accepted and what is a runtime error, in every tier', () => {
  for (const mode of MODES) {
    for (const [type, show, value, want] of RESULTS) {
      const r = run(RESULT_SRC(type, show), { ...mode, externs: { get: () => value } });
      const what = `${label(mode)} ${type} ${String(value)}`;
      if (want.startsWith('extern ')) {
        assert.equal(r.code, 1, what);
        assert.equal(r.stdout, 'before\n', what);
        assert.equal(r.stderr, `runtime error: ${want}\n  at use (t.tier:4)\n  at main (t.tier:9)\n`, what);
      } else {
        assert.equal(r.stderr, '', what);
        assert.equal(r.stdout, `before\n${want}\n`, what);
      }
    }
  }
});

test('a string an extern returns is the one the guest gets, also when making it grows the memory', () => {
  // Each result is a new string of 40,000-80,000 units, kept alive in an
  // array: the heap grows while results are made. A store through the view read
  // before the allocation (detached by the growth) left the register with the
  // previous call's string.
  const src = `extern fn next(i: i32) -> str;
fn main() {
  let keep = new [str](60);
  var sum = 0;
  for i in 0..60 {
    let s = next(i);
    keep[i] = s;
    sum = sum * 31 + s.len + s[s.len - 1];
  }
  print(sum);
}
`;
  let want = 0;
  const text = (i) => 'x'.repeat(40000 + 700 * i) + String.fromCharCode(65 + (i % 26));
  for (let i = 0; i < 60; i++) { const t = text(i); want = (Math.imul(want, 31) + t.length + t.charCodeAt(t.length - 1)) | 0; }
  for (const mode of MODES) {
    const r = run(src, { ...mode, externs: { next: text } });
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${want}\n`, ''], label(mode));
  }
});

test('externs of 0 to 5 parameters get every argument in order, and may hand back a handle from any position', () => {
  // Up to three arguments are passed without an array, more through one
  // (runtime/externs.ts): both paths, and the handle check at each position.
  const src = `struct P { x: i32 }
extern fn a0() -> i32;
extern fn a1(a: i32) -> i32;
extern fn a2(a: i32, b: f64) -> f64;
extern fn a3(a: P, b: str, c: P) -> P;
extern fn a4(a: bool, b: i32, c: P, d: str) -> P;
extern fn a5(a: i32, b: i32, c: i32, d: i32, e: P) -> P;
fn main() {
  let p = new P { x: 1 };
  let q = new P { x: 2 };
  print(a0());
  print(a1(7));
  print(a2(3, 0.5));
  print(a3(p, "s", q).x);
  print(a3(q, null, p).x);
  print(a4(true, 9, q, "t").x);
  print(a5(1, 2, 3, 4, p).x);
}`;
  const seen = [];
  const externs = {
    a0: (...xs) => { seen.push(xs.length); return 40; },
    a1: (...xs) => { seen.push(xs); return xs[0] + 1; },
    a2: (...xs) => { seen.push(xs); return xs[0] * xs[1]; },
    a3: (...xs) => { seen.push([typeof xs[0], xs[1], typeof xs[2], xs.length]); return xs[2]; },
    a4: (...xs) => { seen.push([xs[0], xs[1], xs[3], xs.length]); return xs[2]; },
    a5: (...xs) => { seen.push([xs[0], xs[1], xs[2], xs[3], xs.length]); return xs[4]; },
  };
  for (const mode of MODES) {
    seen.length = 0;
    const r = run(src, { ...mode, externs });
    assert.equal(r.stderr, '', label(mode));
    assert.equal(r.stdout, '40\n8\n1.5\n2\n1\n2\n1\n', label(mode));
    assert.deepEqual(seen, [0, [7], [3, 0.5], ['number', 's', 'number', 3], ['number', null, 'number', 3],
      [true, 9, 't', 4], [1, 2, 3, 4, 5]], label(mode));
  }
  const bad = run(src.replace('print(a0());', 'print(a3(p, "s", q).x);'), { externs: { ...externs, a3: (a, b, c) => c + 8 } });
  assert.match(bad.stderr, /^runtime error: extern a3 returned \d+, expected P\n/);
});

test('a struct reference may be handed back to the guest within the call that received it', () => {
  for (const mode of MODES) {
    const r = run(RESULT_SRC('P', 'v.x'), { ...mode, externs: { get: (p) => p } });
    assert.equal(r.stdout, 'before\n5\n', label(mode) + r.stderr);
    let kept = null;
    const later = run(`struct P { x: i32 }
extern fn keep(p: P);
extern fn give() -> P;
fn main() { keep(new P { x: 1 }); print(give().x); }`, { ...mode, externs: { keep: (p) => { kept = p; }, give: () => kept } });
    assert.equal(later.code, 1, label(mode));
    assert.match(later.stderr, /^runtime error: extern give returned \d+, expected P\n  at main \(t\.tier:4\)\n$/);
  }
});

test('a struct or array handed back after the extern called into the guest, which collected, is still that object', () => {
  // Found by the embedding audit: the argument was dead in the caller's frame
  // after the call, a collection in the nested call freed it, and the guest
  // read the object that took its place (7 "hi7" printed as 1999 "garbage1999").
  const src = `struct P { x: i32, s: str }
extern fn f(p: P) -> P;
extern fn g(n: i32, a: [str]) -> [str];
fn churn() { for i in 0..2000 { let q = new P { x: i, s: "garbage" + str(i) }; let r = ["x" + str(i)]; } }
fn main() {
  let p = f(new P { x: 7, s: "hi" + str(7) });
  let a = g(1, ["a" + str(1), "b"]);
  churn();
  print(p.x); print(p.s); print(a[0] + a[1]);
}`;
  for (const mode of [...MODES, { tier: 'interp', gcStress: true }, ...(hasWasm ? [{ tier: 'jit', gcStress: true }] : [])]) {
    let out = '';
    const r2 = load('t.tier', src, { ...mode, stdout: (t) => { out += t; }, externs: {
      f: (p) => { r2.program.call('churn'); return p; },
      g: (n, a) => { r2.program.call('churn'); return a; },
    } });
    assert.equal(r2.program.run(), 0, label(mode));
    assert.equal(out, '7\nhi7\na1b\n', label(mode));
  }
});

// ---- output order -----------------------------------------------------------------

test('guest output written before an extern call reaches the host before the extern runs', () => {
  const src = `extern fn host_log(x: i32);
fn main() {
  print("a");
  write("b");
  host_log(1);
  print("c");
  for i in 0..3 { print(i); host_log(10 + i); }
  print("end");
}`;
  for (const mode of MODES) {
    const log = [];
    const r = run(src, { ...mode, stdout: (t) => log.push(t), externs: { host_log: (x) => log.push(`<${x}>`) } });
    assert.equal(r.code, 0, label(mode));
    assert.equal(log.join(''), 'a\nb<1>c\n0\n<10>1\n<11>2\n<12>end\n', label(mode));
  }
});

// ---- the embedder's own exceptions ------------------------------------------------

const THROWS_SRC = `extern fn host(x: i32) -> i32;
fn inner(x: i32) -> i32 {
  return host(x) + 1;
}
fn main() {
  print("before");
  print(inner(1));
  print("after");
}`;
const THROWS_TRACE = ['  at inner (t.tier:3)', '  at main (t.tier:7)'];

test('an exception thrown by an extern comes back out of run() as itself, with the guest trace', () => {
  for (const mode of MODES) {
    for (const make of [() => new Error('host broke'), () => new RangeError('Maximum call stack size exceeded'),
      () => new TypeError('x'), () => ({ plain: true })]) {
      const thrown = make();
      let stdout = '', stderr = '';
      const r = load('t.tier', THROWS_SRC, {
        ...mode, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; },
        externs: { host: () => { throw thrown; } },
      });
      assert.throws(() => r.program.run(), (e) => e === thrown, label(mode));
      assert.deepEqual(thrown.guestTrace, THROWS_TRACE, label(mode));
      assert.equal(stdout, 'before\n', label(mode));
      assert.equal(stderr, '', label(mode));
    }
  }
});

test('a thrown primitive or frozen object comes back unchanged', () => {
  for (const thrown of ['boom', 42, undefined, Object.freeze(new Error('frozen'))]) {
    const r = load('t.tier', THROWS_SRC, { stdout: () => {}, stderr: () => {}, externs: { host: () => { throw thrown; } } });
    assert.throws(() => r.program.run(), (e) => e === thrown);
  }
});

test('an exception thrown by the stdout callback comes back out of run() as itself', () => {
  const src = 'fn main() { print("x"); var i = 0; while true { print(i); i += 1; } }';
  for (const mode of MODES) {
    const thrown = new Error('disk full');
    let stderr = '';
    const r = load('t.tier', src, { ...mode, stdout: () => { throw thrown; }, stderr: (t) => { stderr += t; } });
    assert.throws(() => r.program.run(), (e) => e === thrown, label(mode));
    assert.equal(stderr, '', label(mode));
  }
});

test('an exception thrown by the stdout callback at the last flush comes back too', () => {
  const thrown = new Error('late');
  const r = load('t.tier', 'fn main() { print(1); }', { stdout: () => { throw thrown; }, stderr: () => {} });
  assert.throws(() => r.program.run(), (e) => e === thrown);
});

test('an exception thrown by the stderr callback comes back out of run() as itself', () => {
  const failing = 'fn main() { print("out"); print(1 / (1 - 1)); }';
  for (const mode of MODES) {
    const thrown = new Error('stderr closed');
    let stdout = '';
    const r = load('t.tier', failing, { ...mode, stdout: (t) => { stdout += t; }, stderr: () => { throw thrown; } });
    assert.throws(() => r.program.run(), (e) => e === thrown, label(mode));
    assert.equal(stdout, 'out\n', label(mode));
  }
  // A trace line written while compiling (which the backend must not swallow).
  const hot = 'fn sq(x: i32) -> i32 { return x * x; }\nfn main() { var s = 0; for i in 0..100 { s += sq(i); } print(s); }';
  for (const mode of MODES.filter((m) => m.tier !== 'interp')) {
    const thrown = new Error('trace sink closed');
    const r = load('t.tier', hot, { ...mode, traceTier: true, stdout: () => {}, stderr: () => { throw thrown; } });
    assert.throws(() => r.program.run(), (e) => e === thrown, label(mode));
  }
});

// ---- options ----------------------------------------------------------------------

/** [options, the option named in the one-line report]. */
const BAD_OPTIONS = [
  [{ maxHeapMB: NaN }, 'maxHeapMB'], [{ maxHeapMB: 0 }, 'maxHeapMB'], [{ maxHeapMB: 2048 }, 'maxHeapMB'],
  [{ maxHeapMB: 1.5 }, 'maxHeapMB'], [{ maxHeapMB: '64' }, 'maxHeapMB'], [{ maxHeapMB: Infinity }, 'maxHeapMB'],
  [{ maxHeapMB: 2047 }, 'maxHeapMB'],   // with the default stack: over 2 GiB - 64 KiB together
  [{ maxHeapMB: 1500, stackSizeKB: 1048576 }, 'maxHeapMB'],
  [{ stackSizeKB: 1e9 }, 'stackSizeKB'], [{ stackSizeKB: 63 }, 'stackSizeKB'], [{ stackSizeKB: 4 * 1024 * 1024 }, 'stackSizeKB'],
  [{ stackSizeKB: null }, 'stackSizeKB'],
  [{ jitThreshold: 0 }, 'jitThreshold'], [{ jitThreshold: -1 }, 'jitThreshold'], [{ jitThreshold: 2 ** 30 + 1 }, 'jitThreshold'],
  [{ jitThreshold: 2.5 }, 'jitThreshold'],
  [{ tier: 'bogus' }, 'tier'], [{ tier: 'toString' }, 'tier'], [{ backend: 'bogus' }, 'backend'],
  [{ jitFilter: '(' }, 'jitFilter'], [{ jitFilter: 5 }, 'jitFilter'],
  [{ args: [1, 2] }, 'args'], [{ args: [null] }, 'args'], [{ args: 'a b' }, 'args'], [{ args: [, 'x'] }, 'args'],
  [{ stdout: 'x' }, 'stdout'], [{ stderr: null }, 'stderr', true],
  [{ externs: [] }, 'externs'], [{ externs: 5 }, 'externs'], [{ externs: { f: 1 } }, 'externs'], [{ externs: new Map() }, 'externs'],
  [{ printCode: 5 }, 'printCode'], [{ printWasm: {} }, 'printWasm'],
  [{ gcStress: 'yes' }, 'gcStress'], [{ verifyHeap: 1 }, 'verifyHeap'], [{ traceGc: 'no' }, 'traceGc'],
  [{ gcStats: 0 }, 'gcStats'], [{ traceTier: 'x' }, 'traceTier'], [{ inline: 'false' }, 'inline'],
  [{ compile: 'async' }, 'compile'], [{ compile: true }, 'compile'],
  [{ jitTreshold: 5 }, 'jitTreshold'], [{ maxHeap: 5 }, 'maxHeap'],
];

test('every option is checked at load(): one line naming it, exit status 2, nothing runs', () => {
  for (const [opts, name, stderrItself] of BAD_OPTIONS) {
    let stdout = '', stderr = '';
    const io = stderrItself ? { stdout: (t) => { stdout += t; } } : { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } };
    const original = process.stderr.write;
    if (stderrItself) process.stderr.write = (t) => { stderr += t; return true; };
    let r;
    try {
      r = load('t.tier', 'fn main() { print("ran"); }', { ...io, ...opts });
    } finally { process.stderr.write = original; }
    const what = JSON.stringify(opts) ?? String(opts);
    assert.deepEqual({ ok: r.ok, exitCode: r.exitCode }, { ok: false, exitCode: 2 }, what);
    const expectedName = stderrItself ? 'stderr' : name;
    assert.match(stderr, new RegExp(`^tiervm: invalid option ${expectedName}: [^\\n]+\\n$`), what);
    assert.equal(stdout, '', what);
  }
});

test('a misspelt option name gets a suggestion', () => {
  let stderr = '';
  const r = load('t.tier', 'fn main() {}', { jitTreshold: 5, stderr: (t) => { stderr += t; } });
  assert.equal(r.ok, false);
  assert.equal(stderr, "tiervm: invalid option jitTreshold: unknown option (did you mean 'jitThreshold'?)\n");
});

test('options that are undefined count as not given; good values load', () => {
  const good = [
    { tier: undefined, maxHeapMB: undefined, jitFilter: undefined, args: undefined },
    { maxHeapMB: 1, stackSizeKB: 64, jitThreshold: 2 ** 30 },
    { stackSizeKB: 1048576 },                      // the default heap shrinks to fit
    { maxHeapMB: 1023, stackSizeKB: 1048576 - 64 },
    { maxHeapMB: 2039 },
    { jitFilter: '', printCode: 'main', tier: 'interp', backend: 'js', inline: false, gcStats: false },
    { externs: Object.create(null), args: [] },
  ];
  for (const opts of good) {
    let stderr = '';
    const r = load('t.tier', 'fn main() {}', { ...opts, stderr: (t) => { stderr += t; } });
    assert.ok(r.ok, `${JSON.stringify(opts)}: ${stderr}`);
  }
  const r = run('fn main(args: [str]) { print(args.len); print(args[1]); }', { args: ['a', 'b'], maxHeapMB: 1, stackSizeKB: 64 });
  assert.equal(r.stdout, '2\nb\n');
});

test('options are read once, at load()', () => {
  const opts = { args: ['one'], externs: { f: () => 1 }, stdout: () => {} };
  let out = '';
  opts.stdout = (t) => { out += t; };
  const r = load('t.tier', 'extern fn f() -> i32;\nfn main(args: [str]) { print(args[0]); print(f()); }', opts);
  opts.args[0] = 'changed';
  opts.externs.f = () => 2;
  opts.stdout = () => { throw new Error('not this one'); };
  assert.equal(r.program.run(), 0);
  assert.equal(out, 'one\n1\n');
});

test('a non-string source or file name, or options that are not an object, are usage errors', () => {
  for (const [file, source, opts] of [['t.tier', 5, {}], [null, 'fn main() {}', {}], ['t.tier', 'fn main() {}', 'fast']]) {
    let stderr = '';
    const original = process.stderr.write;
    process.stderr.write = (t) => { stderr += t; return true; };
    let r;
    try { r = load(file, source, opts); } finally { process.stderr.write = original; }
    assert.deepEqual({ ok: r.ok, exitCode: r.exitCode }, { ok: false, exitCode: 2 });
    assert.match(stderr, /^tiervm: invalid [^\n]+\n$/);
  }
});

// Ropes (runtime/heap.ts, "ropes"): a long concatenation makes a rope node
// instead of a copy, flattened once where code units are read. Each pattern
// that was quadratic outside the string builder's loops, at a size where
// copying would take seconds, gives the right answer in every mode (the
// output is checked, not the time); a deep rope is flattened without host
// recursion; ropes live across collections; a rope reaches an extern and
// comes back from program.call. (tests/corpus.mjs --flags "--rope-stress"
// runs the whole corpus on ropes.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { load } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';

const bin = new URL('../../bin/tiervm.js', import.meta.url).pathname;

const MODES = [
  ['--tier=interp'],
  ...(hasWasm ? [['--tier=auto'], ['--tier=jit'], ['--tier=opt'], ['--tier=opt', '--deopt-stress']] : []),
  ...(hasEval ? [['--tier=jit', '--jit-backend=js']] : []),
];

function run(flags, src, args) {
  const r = spawnSync(process.execPath, [bin, 'run', ...flags, '-e', src, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `${flags.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const HEAD = `struct B { t: str }
var G = "";
fn add(s: str, x: str) -> str { return s + x; }
fn main(args: [str]) {
  let n = parse_i32(args[0]);
  var s = "";
  let b = new B { t: "" };
`;

const PATTERNS = [
  ['read in the loop', 'while s.len < n { s = s + "ab"; } print(s.len); print(s[n - 1]); print(substr(s, 10, 14));', (n) => `${n}\n98\nabab\n`],
  ['indexed while built', 'for i in 0..n { s = s + chr(97 + i % 26); if s.len % 50000 == 0 { print(s[s.len - 1]); } } print(s.len);',
    (n) => Array.from({ length: Math.floor(n / 50000) }, (_, k) => `${97 + ((k + 1) * 50000 - 1) % 26}\n`).join('') + `${n}\n`],
  ['a struct field', 'for i in 0..n { b.t = b.t + "x"; } print(b.t.len); print(b.t == b.t + "");', (n) => `${n}\ntrue\n`],
  ['a global', 'for i in 0..n { G = G + "y"; } print(G.len); print(G[n / 2]);', (n) => `${n}\n121\n`],
  ['through a function', 'for i in 0..n { s = add(s, "z"); } print(s.len); print(s[0]);', (n) => `${n}\n122\n`],
  ['prepended', 'for i in 0..n { s = chr(97 + i % 26) + s; } print(s.len); print(s[0]); print(s[n - 1]);',
    (n) => `${n}\n${97 + (n - 1) % 26}\n97\n`],
];

for (const [name, body, expected] of PATTERNS) {
  test(`ropes: ${name}, 300,000 appends, every mode`, () => {
    const src = `${HEAD}  ${body}\n}\n`;
    for (const flags of MODES) assert.equal(run(flags, src, ['300000']), expected(300000), flags.join(' '));
  });
}

test('ropes: a rope of a million appends is flattened without host recursion', () => {
  const src = `${HEAD}  for i in 0..n { b.t = b.t + chr(97 + i % 26); } print(b.t[0]); print(b.t[n - 1]);
  for i in 0..n { s = chr(65 + i % 26) + s; } print(s[0]); print(s == s + ""); print(substr(s, n - 2, n));\n}\n`;
  const want = `97\n${97 + 999999 % 26}\n${65 + 999999 % 26}\ntrue\nBA\n`;
  for (const flags of [['--tier=interp'], ...(hasWasm ? [['--tier=jit']] : [])]) assert.equal(run(flags, src, ['1000000']), want, flags.join(' '));
});

test('ropes: every operation on ropes under --rope-stress --gc-stress --verify-heap', () => {
  const src = `${HEAD}  var p = "";
  for i in 0..n { s = add(s, chr(97 + i % 26)); b.t = b.t + "x"; G = G + str(i % 10); p = chr(65 + i % 26) + p; }
  print(parse_i32("1" + "2" + "3") + 1); print(s[0]); print(s[n - 1]); print(p[0]); print(p[n - 1]);
  print(substr(s, 0, 5) + "|" + substr(p, n - 3, n)); print(s == add(s, "")); print(s + p == add(s, p)); print(s + p != p + s);
  let u = s + p; print(u[n]); print(b.t.len + G.len); print(substr(G, 0, 12));
  var w = "";
  for i in 0..n { w = w + p; if w.len > 3000 { w = substr(w, 1, 20); } }
  print(w);\n}\n`;
  const want = run(['--tier=interp'], src, ['200']);
  assert.match(want, /^124\n97\n/);
  for (const flags of MODES) {
    for (const extra of [['--rope-stress'], ['--rope-stress', '--gc-stress', '--verify-heap']]) {
      assert.equal(run([...flags, ...extra], src, ['200']), want, [...flags, ...extra].join(' '));
    }
  }
});

test('ropes: a rope passed to an extern and returned by program.call', () => {
  const src = `extern fn seen(s: str) -> i32;
fn build(n: i32, piece: str) -> str { var s = ""; var k = 0; while k < n { s = s + piece; k = k + s.len - s.len + 1; } return s; }
fn pass(n: i32) -> i32 { return seen(build(n, "ab")); }
fn main() { }`;
  for (const opts of [{ tier: 'interp' }, ...(hasWasm ? [{ tier: 'jit' }] : []), { tier: 'interp', ropeStress: true, gcStress: true }]) {
    const got = [];
    const r = load('t.tier', src, { ...opts, externs: { seen: (s) => { got.push(s); return s.length; } } });
    assert.ok(r.ok, r.ok ? '' : r.text);
    assert.equal(r.program.call('pass', 1000), 2000);
    assert.equal(got[0], 'ab'.repeat(1000));
    assert.equal(r.program.call('build', 3000, 'xyz'), 'xyz'.repeat(3000));
  }
});

test('ropes: no room to flatten is `out of memory` at the s[i], the same in every mode', () => {
  const src = `fn build(p: str, n: i32) -> str { var s = ""; while s.len < n * p.len { s = s + p; } return s; }
fn main() {
  var p = "";
  for i in 0..1000 { p = p + "x"; }
  let a = new [str](8);
  for k in 0..8 { a[k] = build(p, 900); }
  var t = 0;
  for k in 0..8 { t = t + a[k][k]; print(t); }
}
`;
  for (const flags of MODES) {
    const r = spawnSync(process.execPath, [bin, 'run', ...flags, '--max-heap=8', '-e', src], { encoding: 'utf8' });
    assert.equal(r.status, 1, flags.join(' '));
    assert.equal(r.stdout, '120\n240\n360\n480\n', flags.join(' '));
    assert.match(r.stderr, /^runtime error: out of memory\n\s+at main \(.*:8\)/, flags.join(' '));
  }
});

test('a string longer than the host can hold (2^29 - 24 code units) is `out of memory` in every mode, as a rope or on a builder', () => {
  // Ropes make these cheap: nothing of 2^29 units is ever copied. Without the
  // cap, printing the doubled string was the host's RangeError: exit 70.
  const src = `fn double(k: i32) -> str { var s = "12"; for i in 0..k { s = s + s; } return s; }
fn main(args: [str]) {
  print("before");
  if args[0] == "rope" { print(double(28).len); }
  let p = double(25);
  var s = "";
  for i in 0..9 { s = s + p; print(s.len); }
}
`;
  const lens = [1, 2, 3, 4, 5, 6, 7].map((k) => `${k * (1 << 26)}\n`).join('');
  for (const flags of MODES) {
    for (const [arg, out, line] of [['rope', 'before\n', 1], ['builder', `before\n${lens}`, 7]]) {
      const r = spawnSync(process.execPath, [bin, 'run', ...flags, '-e', src, arg], { encoding: 'utf8' });
      assert.equal(r.status, 1, `${flags.join(' ')} ${arg}: ${r.stderr}`);
      assert.equal(r.stdout, out, `${flags.join(' ')} ${arg}`);
      assert.match(r.stderr, new RegExp(`^runtime error: out of memory\\n  at ${line === 1 ? 'double' : 'main'} \\(.*:${line}\\)`), `${flags.join(' ')} ${arg}`);
    }
  }
  const r = load('t.tier', src, { stdout: () => {} });
  assert.throws(() => r.program.call('double', 28), (e) => e.message === 'out of memory');
  assert.equal(r.program.call('double', 24).length, 1 << 25);
});

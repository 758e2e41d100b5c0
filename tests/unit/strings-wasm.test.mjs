// The string operations compiled wasm code runs as wasm (jit/wasm/strings.ts:
// concat, streq, chr, substr, str(i32), parse_i32) must build exactly the strings the
// interpreter's host implementations build: every edge of each operation is
// printed by one program in every tier and backend, with and without a
// collection at every allocation (which forces every slow path), and the outputs
// must be identical. Errors raised on a slow path must be the same too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';


const MODES = [
  { tier: 'interp' },
  ...(hasWasm ? [{ tier: 'jit', backend: 'wasm' }, { tier: 'auto', jitThreshold: 1, backend: 'wasm' }] : []),
  ...(hasEval ? [{ tier: 'jit', backend: 'js' }] : []),
];

function run(src, mode, extra = {}) {
  let stdout = '', stderr = '';
  const r = load('s.tier', src, { ...mode, ...extra, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  const code = r.program.run();
  return { code, out: stdout + stderr };
}

const EDGES = `
fn show(s: str) -> str {
  var t = "";
  for i in 0..s.len { t = t + str(s[i]) + " "; }
  return str(s.len) + ":" + t;
}

fn main() {
  let ints = [0, 1, -1, 9, 10, -10, 99, 100, 12345, -98765, 2147483647, -2147483647, -2147483647 - 1];
  for i in 0..ints.len { print(show(str(ints[i]))); }
  let codes = [0, 1, 65, 127, 128, 255, 256, 0xd7ff, 0xd800, 0xdfff, 0xffff, 0x10000, 0x1f600, 0x10ffff];
  for i in 0..codes.len { print(show(chr(codes[i]))); }
  var s = "";
  for i in 0..40 {
    s = s + chr(97 + i % 26);
    print(show(s + "") + " " + str((s + "x").len) + " " + str(("" + s) == s));
  }
  let words = ["", "a", "ab", "abcdefgh", "abcdefghi", "abcdefgh1", "abcdefghij", "abcdefghiJ", "Abcdefghij"];
  for i in 0..words.len {
    var line = "";
    for j in 0..words.len {
      line = line + str(words[i] == words[j]) + str(words[i] != words[j] + "") + " ";
    }
    print(line);
  }
  let nums = ["0", "-0", "+0", "7", "-7", "+7", "2147483647", "-2147483648", "+2147483647", "00000000012", "000000000012", "-0000000001", "1234567890"];
  var digits = "";
  for i in 0..nums.len { digits = digits + str(parse_i32(nums[i])) + " "; }
  var zeros = "";
  for i in 0..300 { zeros = zeros + "0"; }
  print(digits + str(parse_i32(zeros + "42")) + " " + str(parse_i32(str(-2147483647 - 1))));
  let long = "0123456789abcdefghijklmnopqrstuvwxyz";
  for a in 0..long.len + 1 {
    var line = "";
    for b in a..long.len + 1 { line = line + substr(long, a, b) + "|"; }
    print(line);
  }
}
`;

test('wasm string operations build the same strings as the interpreter, with and without GC stress', () => {
  const expected = run(EDGES, { tier: 'interp' });
  assert.equal(expected.code, 0, expected.out);
  assert.match(expected.out, /^1:48 \n/, 'str(0) is "0"');
  for (const mode of MODES) {
    for (const extra of [{}, { gcStress: true, verifyHeap: true }, { ropeStress: true }, { ropeStress: true, gcStress: true, verifyHeap: true }]) {
      assert.equal(run(EDGES, mode, extra).out, expected.out, `${JSON.stringify({ ...mode, ...extra })}`);
    }
  }
});

test('errors on the slow paths are the same in every tier', () => {
  const cases = [
    ['fn main() { print(chr(-1)); }', 'runtime error: chr: code point -1 out of range'],
    ['fn main() { print(chr(0x110000)); }', 'runtime error: chr: code point 1114112 out of range'],
    ['fn main() { print(substr("abc", 2, 1)); }', 'runtime error: range 2..1 out of bounds for length 3'],
    ['fn main() { print(substr("abc", -1, 1)); }', 'runtime error: range -1..1 out of bounds for length 3'],
    ['fn main() { print(substr("abc", 0, 4)); }', 'runtime error: range 0..4 out of bounds for length 3'],
    ...['', '+', '-', '2147483648', '-2147483649', '99999999999', ' 1', '1 ', '1a', '--1', '+-1', '1.0', '0x1', '\u0661']
      .map((t) => [`fn main() { let a = [${JSON.stringify(t)}]; print(parse_i32(a[0])); }`, `runtime error: malformed number: "${t}"`]),
  ];
  for (const [src, message] of cases) {
    const expected = run(src, { tier: 'interp' });
    assert.equal(expected.code, 1);
    assert.ok(expected.out.startsWith(message + '\n'), expected.out);
    for (const mode of MODES) assert.equal(run(src, mode).out, expected.out, `${src} ${JSON.stringify(mode)}`);
  }
});

// fixed(x, f) is wasm on its fast path (the rounded x * 10^f below 2^52, from the
// rounded product and its exact error), and so is str(x) of an integral x below
// 2^52: every value below, at every f, must give JavaScript's toFixed (and
// String), computed here, in every mode. Ties and near-ties (exact
// halves, decimal halves that are not exact in binary), both sides of each limit
// (2^52, 1e21, 0.25 / 10^f) and random bit patterns.
test('fixed gives toFixed and str(f64) String in every tier, ties and limits included', () => {
  const xs = [0, -0, 0.5, 1.5, 2.5, 0.125, 0.375, 1.005, 1.045, 8.345, 99.995, 0.045, 0.055, 1.45, 0.9999, 7,
    123.456, 1e-7, 2.5e-7, 5e-21, 1e-300, 5e-324, 0.25, 0.2499999999999999, 1e15, 1e16, 2 ** 52 - 0.5, 2 ** 52, 2 ** 53,
    4503599627370495.5, 4503599627370495, 123456789012, 1e20, 9.999999999999999e20, 1e21, 1.7976931348623157e308, NaN, Infinity, 1 / 3, 2 / 3, Math.PI];
  let seed = 7;
  const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 4294967296; };
  const dv = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 80; i++) {
    xs.push((Math.floor(rnd() * 100000) + 0.5) / 10 ** Math.floor(rnd() * 8));
    xs.push(rnd() * 10 ** (Math.floor(rnd() * 30) - 12));
    dv.setUint32(0, (rnd() * 4294967296) >>> 0); dv.setUint32(4, (rnd() * 4294967296) >>> 0);
    xs.push(dv.getFloat64(0));
  }
  const all = xs.flatMap((x) => [x, -x]);
  const lit = (x) => (Number.isNaN(x) ? '(0.0 / 0.0)' : !Number.isFinite(x) ? `(${x < 0 ? '-' : ''}1.0 / 0.0)`
    : Object.is(x, -0) ? '-0.0' : /[.e]/.test(String(x)) ? String(x) : `${x}.0`);
  const src = `fn main() {
  let xs = [${all.map(lit).join(', ')}];
  for i in 0..xs.len { var line = str(xs[i]) + " "; for f in 0..21 { line = line + fixed(xs[i], f) + " "; } print(line); }
}`;
  const expected = all.map((x) => String(x) + ' ' + Array.from({ length: 21 }, (_, f) => x.toFixed(f) + ' ').join('') + '\n').join('');
  assert.equal(run(src, { tier: 'interp' }).out, expected);
  for (const mode of MODES) {
    for (const extra of [{}, { gcStress: true, verifyHeap: true }]) {
      assert.equal(run(src, mode, extra).out, expected, `${JSON.stringify({ ...mode, ...extra })}`);
    }
  }
});

// parse_f64 is wasm on its fast path (at most 18 digits, a value below 2^53 and
// an exponent in -22..22: one exact division or multiplication): every text
// below must give Number(text), computed here, in every mode; the others fall to
// the JS helper, which reads them exactly or traps with the same message.
test('parse_f64 gives Number(text) in every tier, fast path and slow path', () => {
  const texts = ['0', '-0', '+0', '1', '-1', '1.5', '0.1', '0.3', '123.456', '1e5', '1E5', '1e-5', '2.5e-3', '1e22',
    '1e23', '1e-22', '1e-23', '9007199254740991', '9007199254740992', '9007199254740993', '123456789012345678',
    '1234567890123456789', '0.000001', '00012.50', '1.7976931348623157e308', '5e-324', '3.141592653589793',
    '-4.5e+2', '+7.25E-1', '1e0', '0e999', '0.1e-21', '12345678901234567e-5', '4.35', '8.345', '1e-0', '000000000000000000001'];
  let seed = 11;
  const rnd = (k) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % k; };
  for (let i = 0; i < 300; i++) {
    const digits = (k) => Array.from({ length: k }, () => rnd(10)).join('');
    let t = (rnd(3) === 0 ? '-' : '') + digits(1 + rnd(10));
    if (rnd(2) === 0) t += '.' + digits(1 + rnd(12));
    if (rnd(3) === 0) t += 'eE'[rnd(2)] + ['', '+', '-'][rnd(3)] + String(rnd(30));
    texts.push(t);
  }
  const src = `fn main() {
  let ts = [${texts.map((t) => JSON.stringify(t)).join(', ')}];
  for i in 0..ts.len { let x = parse_f64(ts[i]); print(str(x) + " " + str(1.0 / x)); }
}`;
  const expected = texts.map((t) => `${Number(t)} ${1 / Number(t)}\n`).join('');
  assert.equal(run(src, { tier: 'interp' }).out, expected);
  for (const mode of MODES) assert.equal(run(src, mode).out, expected, JSON.stringify(mode));
  for (const t of ['1.', '.5', '1e', '1e+', ' 1', '1 ', '1x', '+', '--1', '', '1.5.5', '0x10', 'Infinity', 'NaN']) {
    const bad = `fn main() { let a = [${JSON.stringify(t)}]; print(parse_f64(a[0])); }`;
    const want = `runtime error: malformed number: "${t}"\n`;
    for (const mode of [{ tier: 'interp' }, ...MODES]) {
      const r = run(bad, mode);
      assert.equal(r.code, 1);
      assert.ok(r.out.startsWith(want), `${t} ${JSON.stringify(mode)}: ${r.out}`);
    }
  }
});

// Which functions get the wasm number-text helpers (jit/wasm/number-sites.ts):
// only those with a loop that may reach fixed, str(f64) or parse_f64.
test('number text in a loop (itself, through calls or a function value) gets the wasm helpers; a single call does not', async () => {
  const { NumberSites } = await import('../../dist/jit/wasm/number-sites.js');
  const { plainModule } = await import('../../dist/bytecode/fuse.js');
  const src = `
fn show(x: f64) -> str { return fixed(x, 3); }
fn deeper(x: f64) -> str { return show(x * 2.0); }
fn plain(x: f64) -> f64 { return x * 3.0; }
fn once(x: f64) { var s = 0.0; for i in 0..10 { s += plain(x); } print(fixed(s, 2)); }
fn looped(x: f64) { for i in 0..10 { print(str(x + 0.5)); } }
fn viaCalls(x: f64) { var i = 0; while i < 3 { print(deeper(x)); i += 1; } }
fn viaValue(f: fn(f64) -> f64, x: f64) { for i in 0..3 { print(f(x)); } }
fn parses(t: str) -> f64 { var s = 0.0; for i in 0..3 { s += parse_f64(t); } return s; }
fn main() { once(1.0); looped(1.0); viaCalls(1.0); viaValue(plain, 1.0); print(parses("1.5")); }
`;
  const r = load('n.tier', src, { tier: 'interp', stdout: () => {} });
  assert.ok(r.ok);
  const mod = plainModule(r.program.module);
  const sites = new NumberSites(mod);
  const inLoop = Object.fromEntries(mod.functions.map((f) => [f.name, sites.inLoop(f)]));
  assert.deepEqual(
    { once: inLoop.once, looped: inLoop.looped, viaCalls: inLoop.viaCalls, viaValue: inLoop.viaValue, parses: inLoop.parses, show: inLoop.show, plain: inLoop.plain },
    { once: false, looped: true, viaCalls: true, viaValue: true, parses: true, show: false, plain: false });
});

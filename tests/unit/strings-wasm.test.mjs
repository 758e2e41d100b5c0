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

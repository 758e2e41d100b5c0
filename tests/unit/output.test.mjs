// Program output (runtime/output.ts): the stdout callback gets exactly the code
// units printed, in order, in every tier: i32 edges written digit by digit, guest
// strings copied from linear memory (lone surrogates and ropes included), texts
// longer than the buffer, and enough output to flush many times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';

const MODES = [
  { tier: 'interp' },
  ...(hasWasm ? [{ tier: 'jit', backend: 'wasm' }, { tier: 'auto', jitThreshold: 1 }] : []),
  ...(hasEval ? [{ tier: 'jit', backend: 'js' }] : []),
];

const SRC = `
fn main() {
  let ints = [0, 1, -1, 9, 10, -10, 1000000, 2147483647, -2147483647 - 1];
  for i in 0..ints.len { print(ints[i]); write(ints[i]); write(" "); }
  print("");
  print(chr(0xd800) + "x" + chr(0xdc00) + chr(0x1f600));
  var long = "";
  for i in 0..70000 { long = long + chr(97 + i % 26); }
  write("<"); write(long); print(">");
  var rope = long + long;
  print(rope.len);
  print(rope);
  for i in 0..30000 { write(i); write(","); if i % 1000 == 0 { print(1.5); print(true); } }
  print("end");
}
`;

function expected() {
  const ints = [0, 1, -1, 9, 10, -10, 1000000, 2147483647, -2147483648];
  let t = '';
  for (const x of ints) t += `${x}\n${x} `;
  t += '\n\ud800x\udc00\u{1f600}\n';
  let long = '';
  for (let i = 0; i < 70000; i++) long += String.fromCharCode(97 + (i % 26));
  t += `<${long}>\n${2 * long.length}\n${long}${long}\n`;
  for (let i = 0; i < 30000; i++) { t += `${i},`; if (i % 1000 === 0) t += '1.5\ntrue\n'; }
  return t + 'end\n';
}

test('the stdout callback gets exactly the code units printed, in order, in every tier', () => {
  const want = expected();
  for (const mode of MODES) {
    for (const extra of [{}, { ropeStress: true, gcStress: true }, { flushMs: 1 }, { lineBuffered: true }]) {
      const parts = [];
      const r = load('o.tier', SRC, { ...mode, ...extra, stdout: (t) => { parts.push(t); } });
      assert.equal(r.program.run(), 0);
      const got = parts.join('');
      assert.equal(got.length, want.length, JSON.stringify({ ...mode, ...extra }));
      assert.ok(got === want, `${JSON.stringify({ ...mode, ...extra })}: first difference at ${[...got].findIndex((c, i) => c !== want[i])}`);
      assert.ok(parts.length > 3, 'flushed as the buffer filled');
    }
  }
});

// Line-buffered (what the command line asks on a terminal): each write that
// ends a line is delivered at once, before the program goes on.
test('lineBuffered delivers every line as it is written, in every tier', () => {
  const src = `fn main() { write("a"); print("b"); print(1); write("c\\nd"); write("e"); print(2.5); write("f"); }`;
  for (const mode of MODES) {
    const parts = [];
    const r = load('l.tier', src, { ...mode, lineBuffered: true, stdout: (t) => { parts.push(t); } });
    assert.equal(r.program.run(), 0);
    assert.deepEqual(parts, ['ab\n', '1\n', 'c\nd', 'e2.5\n', 'f'], JSON.stringify(mode));
  }
});

// Trace lines written to stderr while the program runs come after the output
// printed before them: with both callbacks writing to one place (2>&1), the
// program's first line comes before the compile it preceded.
test('--trace-tier lines follow the output printed before them', { skip: !hasWasm && !hasEval && 'no compiling backend' }, () => {
  const src = `fn work(n: i32) -> i32 { var s = 0; for i in 0..n { s += i; } return s; }
fn main() { print("before"); var t = 0; for k in 0..300 { t += work(100); } print(t); }`;
  const both = [];
  const r = load('t.tier', src, { traceTier: true, stdout: (t) => both.push(t), stderr: (t) => both.push(t) });
  assert.equal(r.program.run(), 0);
  const text = both.join('');
  assert.ok(text.includes('[tier] compile work'), text);
  assert.ok(text.indexOf('before\n') < text.indexOf('[tier] compile work'), text);
});

// A delivery made while the program goes on (before read_line, an extern, a
// trace line, or on a terminal's line) never ends inside a surrogate pair: the
// first half waits for the second. Only the last delivery may end in a lone
// first half, as the program wrote it.
test('no delivery but the last ends inside a surrogate pair', () => {
  const src = `extern fn host();
fn main() {
  write(chr(0xD83D)); let l = read_line(); write(chr(0xDE00));
  write(chr(0xD83D)); host(); write(chr(0xDE00)); print("");
  for i in 0..3 { write(chr(0xD83D)); print(""); write(chr(0xDE00)); }
  write(chr(0xD83D));
}`;
  for (const mode of MODES) {
    for (const extra of [{}, { lineBuffered: true }, { flushMs: 1e-9 }]) {
      const parts = [];
      const r = load('s.tier', src, { ...mode, ...extra, stdin: 'a\n', externs: { host: () => {} }, stdout: (t) => { parts.push(t); } });
      assert.equal(r.program.run(), 0);
      const what = JSON.stringify({ ...mode, ...extra });
      assert.equal(parts.join(''), '\u{1F600}\u{1F600}\n' + '\ud83d\n\ude00'.repeat(3) + '\ud83d', what);
      for (const p of parts.slice(0, -1)) assert.notEqual(p.charCodeAt(p.length - 1) & 0xfc00, 0xd800, `${what}: ${JSON.stringify(parts)}`);
    }
  }
});

// Loops that only append to a local string build it on a string builder
// (front/append-loops.ts, runtime/string-builder.ts). The corpus checks the
// answers (tests/programs/strings/builder_loops.tier and two runtime errors);
// these check which loops the lowering chooses, since a wrong choice in both
// directions gives the same answers on programs that cannot tell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const bin = new URL('../../bin/tiervm.js', import.meta.url).pathname;

/** The bytecode of `fn f` in `src`, as `tiervm disasm -e` prints it. */
function disasmOf(src) {
  const r = spawnSync(process.execPath, [...process.execArgv, bin, 'disasm', '-e', src], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const from = r.stdout.indexOf('fn f(');
  return r.stdout.slice(from, r.stdout.indexOf('\nfn ', from + 1) >>> 0);
}

const count = (text, op) => text.split('\n').filter((l) => l.includes(` ${op} `)).length;

test('a loop that only appends to a local builds it on a builder', () => {
  const code = disasmOf('fn f(n: i32) -> str { var s = "a"; for i in 0..n { s = s + str(i) + ","; s += "-"; } return s; }\nfn main() { print(f(3)); }');
  assert.equal(count(code, 'SBAPPEND'), 3, code);
  assert.equal(count(code, 'SBSTR'), 1, code);
  assert.equal(count(code, 'CONCAT'), 0, code);
});

test('a loop that reads, assigns otherwise, or declares the string keeps `+`', () => {
  const loops = [
    'var s = ""; for i in 0..n { s = s + str(s.len); } return s;',                 // read in a piece
    'var s = ""; while s.len < n { s = s + "x"; } return s;',                      // read in the condition
    'var s = ""; for i in 0..n { s = s + "x"; if i == 2 { s = "y"; } } return s;', // assigned otherwise
    'var s = ""; for i in 0..n { s = "x" + s; } return s;',                        // prepended
    'var t = ""; for i in 0..n { var s = ""; s = s + "x"; t = s; } return t;',      // declared in the loop
    'var s = ""; for i in 0..n { s = s + "x"; print(s); } return s;',              // printed
  ];
  for (const body of loops) {
    const code = disasmOf(`fn f(n: i32) -> str { ${body} }\nfn main() { print(f(3)); }`);
    assert.equal(count(code, 'SBAPPEND') + count(code, 'SBSTR'), 0, `${body}\n${code}`);
    assert.ok(count(code, 'CONCAT') >= 1, `${body}\n${code}`);
  }
});

test('nested loops: one builder for the outermost loop that only appends', () => {
  const code = disasmOf('fn f(n: i32) -> str { var s = ""; for i in 0..n { s += "["; for j in 0..i { s = s + str(j); } s += "]"; } return s; }\nfn main() { print(f(3)); }');
  assert.equal(count(code, 'SBSTR'), 1, code);
  assert.equal(count(code, 'SBAPPEND'), 3, code);
  const inner = disasmOf('fn f(n: i32) -> str { var s = ""; for i in 0..n { for j in 0..i { s = s + str(j); } print(s.len); } return s; }\nfn main() { print(f(3)); }');
  assert.equal(count(inner, 'SBSTR'), 1, inner);
  assert.equal(count(inner, 'SBAPPEND'), 1, inner);
});

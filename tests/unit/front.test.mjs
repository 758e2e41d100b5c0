// Unit tests of the front end (lexer, parser, checker, diagnostics).
// Build first: `npx tsc -p .`, then `node --test tests/unit/front.test.mjs`.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileFront, lex, parse, formatDiagnostics } from '../../dist/front/index.js';

// ---- helpers -------------------------------------------------------------------

/** Tokens as compact strings, without the eof token. */
function toks(src) {
  const { tokens, diagnostics } = lex(src);
  assert.deepEqual(diagnostics, [], `unexpected lexical errors for ${JSON.stringify(src)}`);
  return tokens.slice(0, -1).map((t) => `${t.kind}:${t.text}`);
}

function lexErrors(src) {
  return lex(src).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
}

function parseOk(src) {
  const { tokens, diagnostics: lexDiags } = lex(src);
  const r = parse('t.tier', tokens, lexDiags);
  assert.deepEqual([...lexDiags, ...r.diagnostics], [], 'unexpected syntax errors');
  return r.program;
}

/** The expression of `fn main() { <src>; }` as an s-expression. */
function exprOf(src) {
  const program = parseOk(`fn main() { ${src}; }`);
  return sexpr(program.decls[0].body.body[0].expr);
}

function sexpr(e) {
  switch (e.kind) {
    case 'int': case 'float': case 'bool': return String(e.value);
    case 'string': return JSON.stringify(e.value);
    case 'null': return 'null';
    case 'name': return e.name;
    case 'unary': return `(${e.op} ${sexpr(e.operand)})`;
    case 'binary': return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'cast': return `(as ${sexpr(e.expr)} ${typeStr(e.target)})`;
    case 'call': return `(call ${[e.callee, ...e.args].map(sexpr).join(' ')})`;
    case 'index': return `(index ${sexpr(e.object)} ${sexpr(e.index)})`;
    case 'field': return `(. ${sexpr(e.object)} ${e.field})`;
    case 'len': return `(len ${sexpr(e.object)})`;
    case 'new_struct': return `(new ${e.name}${e.fields.map((f) => ` ${f.name}=${sexpr(f.value)}`).join('')})`;
    case 'new_array': return `(new [${typeStr(e.elem)}] ${sexpr(e.length)})`;
    case 'array_lit': return `[${e.elements.map(sexpr).join(' ')}]`;
    default: throw new Error(`unknown node ${e.kind}`);
  }
}

function typeStr(t) {
  if (t.kind === 'named') return t.name;
  if (t.kind === 'array') return `[${typeStr(t.elem)}]`;
  return `fn(${t.params.map(typeStr).join(', ')})${t.ret ? ' -> ' + typeStr(t.ret) : ''}`;
}

/** Diagnostics of a whole program as `LINE:COL: MESSAGE` strings, in source order. */
function errors(src) {
  return compileFront('t.tier', src).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
}

/** Diagnostics of statements placed in a function body at line 2 (column = as written + 2). */
function bodyErrors(stmts, prelude = '') {
  return errors(`${prelude}fn main() {\n${stmts.split('\n').map((l) => '  ' + l).join('\n')}\n}\n`);
}

/** Only the `LINE:COL` of each diagnostic. */
function where(src) {
  return compileFront('t.tier', src).diagnostics.map((d) => `${d.line}:${d.col}`);
}

function checkedOk(src) {
  const r = compileFront('t.tier', src);
  assert.equal(r.formatted, '', 'unexpected diagnostics');
  assert.ok(r.checked);
  return r.checked;
}

// ---- lexer ---------------------------------------------------------------------

describe('lexer', () => {
  test('integer literals: decimal, separators, hex wrapped to i32', () => {
    const { tokens } = lex('42 1_000_000 0xFF 0xFFFFFFFF 0x80000000 0x7fff_ffff 007');
    assert.deepEqual(tokens.slice(0, -1).map((t) => [t.kind, t.num]), [
      ['int', 42], ['int', 1000000], ['int', 255], ['int', -1], ['int', -2147483648],
      ['int', 2147483647], ['int', 7],
    ]);
  });

  test('decimal literals are not range-checked by the lexer', () => {
    const { tokens, diagnostics } = lex('2147483648 99999999999');
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(tokens.slice(0, -1).map((t) => [t.num, t.hex]), [[2147483648, false], [99999999999, false]]);
  });

  test('float literals', () => {
    const { tokens } = lex('1.0 2.5e-3 1e9 1E+5 3.25 0.5e2');
    assert.deepEqual(tokens.slice(0, -1).map((t) => [t.kind, t.num]), [
      ['float', 1], ['float', 0.0025], ['float', 1e9], ['float', 1e5], ['float', 3.25], ['float', 50],
    ]);
  });

  test('ranges and fields after integers stay integers', () => {
    assert.deepEqual(toks('0..10'), ['int:0', 'punct:..', 'int:10']);
    assert.deepEqual(toks('a[1..n]'), ['ident:a', 'punct:[', 'int:1', 'punct:..', 'ident:n', 'punct:]']);
    assert.deepEqual(toks('.5'), ['punct:.', 'int:5']);
    assert.deepEqual(toks('1.len'), ['int:1', 'punct:.', 'ident:len']);
  });

  test('operators, longest match first', () => {
    assert.deepEqual(toks('>>> >>= <<= .. -> >> << >= <= == != && || += -= *= /= %= &= |= ^='),
      ['>>>', '>>=', '<<=', '..', '->', '>>', '<<', '>=', '<=', '==', '!=', '&&', '||',
        '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^='].map((s) => 'punct:' + s));
    assert.deepEqual(toks('a>>>=b'), ['ident:a', 'punct:>>>', 'punct:=', 'ident:b']);
    assert.deepEqual(toks('x->y'), ['ident:x', 'punct:->', 'ident:y']);
  });

  test('keywords and identifiers', () => {
    assert.deepEqual(toks('fn let var if else while for in break continue return struct new null true false as extern'),
      'fn let var if else while for in break continue return struct new null true false as extern'.split(' ').map((k) => 'keyword:' + k));
    assert.deepEqual(toks('len i32 str _x x_1 fnord'),
      ['ident:len', 'ident:i32', 'ident:str', 'ident:_x', 'ident:x_1', 'ident:fnord']);
  });

  test('string escapes are decoded', () => {
    const { tokens } = lex(String.raw`"a\nb\t\r\\\"\0\u{41}\u{1F600}\u{e9}"`);
    assert.equal(tokens[0].kind, 'string');
    assert.equal(tokens[0].str, 'a\nb\t\r\\"\0A\u{1F600}\u00e9');
    assert.equal(tokens[0].str.length, 12, 'the code point above 0xFFFF is a surrogate pair');
  });

  test('comments: line and non-nested block', () => {
    assert.deepEqual(toks('a // b c\nd /* e\n f */ g'), ['ident:a', 'ident:d', 'ident:g']);
    assert.deepEqual(toks('/* a /* b */ c */'), ['ident:c', 'punct:*', 'punct:/']);
  });

  test('positions: 1-based lines and UTF-16 columns', () => {
    const { tokens } = lex('fn\n\tx  "\u{1F600}" y\r\n  z');
    assert.deepEqual(tokens.map((t) => [t.text, t.line, t.col]), [
      ['fn', 1, 1], ['x', 2, 2], ['"\u{1F600}"', 2, 5], ['y', 2, 10], ['z', 3, 3], ['', 3, 4],
    ]);
  });

  test('a byte order mark at the start is left out (columns as an editor shows them); a second, or one elsewhere, is an error', () => {
    assert.equal(compileFront('t.tier', '\ufefffn main() { print(1) }').formatted, "t.tier:1:22: error: expected ';' but found '}'\nfn main() { print(1) }\n                     ^\n1 error\n");
    assert.match(compileFront('t.tier', '\ufeff\ufefffn main() {}').formatted, /^t\.tier:1:1: error: unexpected character '\ufeff'\n/);
    assert.deepEqual(lexErrors('a\ufeff'), ["1:2: unexpected character '\ufeff'"]);
  });

  test('eof is just past the last character', () => {
    assert.deepEqual(lex('a\n').tokens.at(-1), { kind: 'eof', text: '', line: 2, col: 1 });
    assert.deepEqual(lex('ab').tokens.at(-1), { kind: 'eof', text: '', line: 1, col: 3 });
  });

  test('lexical errors point at the offending character', () => {
    assert.deepEqual(lexErrors('x = "ab\\qc";'), ["1:8: invalid escape '\\q'"]);
    assert.deepEqual(lexErrors('"\\u{110000}"'), ['1:2: invalid code point 0x110000 in escape']);
    assert.deepEqual(lexErrors('"\\u{}"'), ["1:2: invalid escape: expected hexadecimal digits and '}' in '\\u{...}'"]);
    assert.deepEqual(lexErrors('"\\u41"'), ["1:2: invalid escape: expected '{' after '\\u'"]);
    assert.deepEqual(lexErrors('a\n  "open\nb'), ['2:3: unterminated string']);
    assert.deepEqual(lexErrors('a /* never\nclosed'), ['1:3: unterminated block comment']);
    assert.deepEqual(lexErrors('a # b @'), ["1:3: unexpected character '#'", "1:7: unexpected character '@'"]);
    assert.deepEqual(lexErrors('x = 0x1_0000_0000;'), ['1:5: integer literal 0x1_0000_0000 is too large']);
    assert.deepEqual(lexErrors('12ab'), ["1:3: unexpected character 'a' in number literal"]);
    assert.deepEqual(lexErrors('0x'), ['1:1: missing digits in hexadecimal literal']);
  });
});

// ---- parser --------------------------------------------------------------------

describe('parser', () => {
  test('precedence, loosest to tightest', () => {
    assert.equal(exprOf('a || b && c == d < e | f ^ g & h << i + j * k as f64'),
      '(|| a (&& b (== c (< d (| e (^ f (& g (<< h (+ i (* j (as k f64)))))))))))');
    assert.equal(exprOf('a * b + c << d & e ^ f | g < h == i && j || k'),
      '(|| (&& (== (< (| (^ (& (<< (+ (* a b) c) d) e) f) g) h) i) j) k)');
  });

  test('binary operators are left-associative', () => {
    assert.equal(exprOf('a - b - c'), '(- (- a b) c)');
    assert.equal(exprOf('a / b * c % d'), '(% (* (/ a b) c) d)');
    assert.equal(exprOf('a >> b >>> c << d'), '(<< (>>> (>> a b) c) d)');
    assert.equal(exprOf('a == b != c'), '(!= (== a b) c)');
  });

  test('as binds tighter than * and looser than unary; casts chain', () => {
    assert.equal(exprOf('-x as f64'), '(as (- x) f64)');
    assert.equal(exprOf('a * b as f64'), '(* a (as b f64))');
    assert.equal(exprOf('x as f64 as i32'), '(as (as x f64) i32)');
    assert.equal(exprOf('!a == b'), '(== (! a) b)');
    assert.equal(exprOf('~-!x'), '(~ (- (! x)))');
  });

  test('postfix binds tightest: calls, indexing, fields, len', () => {
    assert.equal(exprOf('-f(x)[0].y.len'), '(- (len (. (index (call f x) 0) y)))');
    assert.equal(exprOf('t.run(s, t)'), '(call (. t run) s t)');
    assert.equal(exprOf('(a + b) * c'), '(* (+ a b) c)');
  });

  test('primaries: literals, new, array literals', () => {
    assert.equal(exprOf('new P { x: 1.0, y: 2 }'), '(new P x=1 y=2)');
    assert.equal(exprOf('new [f64](n + 1)'), '(new [f64] (+ n 1))');
    assert.equal(exprOf('new [[i32]](2)'), '(new [[i32]] 2)');
    assert.equal(exprOf('[1, 2, 3,]'), '[1 2 3]');
    assert.equal(exprOf('[true, false, null]'), '[true false null]');
    assert.equal(exprOf('"hi\\n"'), '"hi\\n"');
  });

  test('-2147483648 is one literal', () => {
    const program = parseOk('fn main() { let x = -2147483648; let y = - 2147483648; }');
    const [a, b] = program.decls[0].body.body;
    assert.deepEqual(a.init, { kind: 'int', pos: { line: 1, col: 21 }, value: -2147483648 });
    assert.equal(b.init.value, -2147483648);
    assert.deepEqual(errors('fn main() { let x = 2147483648; let y = 1 - 2147483648; let z = -(2147483648); }'), [
      '1:21: integer literal 2147483648 is too large',
      '1:45: integer literal 2147483648 is too large',
      '1:67: integer literal 2147483648 is too large',
    ]);
    assert.deepEqual(errors('fn main() { let x = -2147483649; }'), ['1:22: integer literal 2147483649 is too large']);
  });

  test('.. binds looser than every operator', () => {
    const program = parseOk('fn main() { for i in i + 1..n * 2 || m { } }');
    const f = program.decls[0].body.body[0];
    assert.equal(f.kind, 'for');
    assert.equal(f.name, 'i');
    assert.equal(sexpr(f.start), '(+ i 1)');
    assert.equal(sexpr(f.end), '(|| (* n 2) m)');
  });

  test('else if is an else block holding one if', () => {
    const program = parseOk('fn main() { if a { x(); } else if b { y(); } else { z(); } }');
    const s = program.decls[0].body.body[0];
    assert.equal(s.else.body.length, 1);
    const inner = s.else.body[0];
    assert.equal(inner.kind, 'if');
    assert.equal(sexpr(inner.cond), 'b');
    assert.equal(inner.else.body[0].kind, 'expr');
  });

  test('statements and assignments', () => {
    const program = parseOk(`fn main() {
  let a: [i32] = [1];
  var b = 2;
  a[0] += 1;
  p.x = 2.0;
  b <<= 3;
  { return; }
  while true { break; continue; }
  f(1);
}`);
    const kinds = program.decls[0].body.body.map((s) => s.kind + (s.op ? s.op : ''));
    assert.deepEqual(kinds, ['let', 'let', 'assign+=', 'assign=', 'assign<<=', 'block', 'while', 'expr']);
    const [a, b, c] = program.decls[0].body.body;
    assert.equal(a.mutable, false);
    assert.equal(typeStr(a.type), '[i32]');
    assert.equal(b.mutable, true);
    assert.equal(b.type, null);
    assert.deepEqual(c.opPos, { line: 4, col: 8 });
  });

  test('declarations and their positions', () => {
    const program = parseOk(`struct P { x: f64, f: fn(i32, [str]) -> bool, }
extern fn log(x: i32);
var SEED: i32 = 42;
let K = 1;
fn add(a: i32, b: i32) -> i32 {
  return a + b;
}`);
    const [s, e, g, k, f] = program.decls;
    assert.deepEqual([s.kind, s.name, s.pos], ['struct', 'P', { line: 1, col: 8 }]);
    assert.equal(typeStr(s.fields[1].type), 'fn(i32, [str]) -> bool');
    assert.deepEqual([e.kind, e.name, e.pos, e.ret], ['extern', 'log', { line: 2, col: 11 }, null]);
    assert.deepEqual([g.kind, g.mutable, g.name, g.pos], ['global', true, 'SEED', { line: 3, col: 5 }]);
    assert.equal(k.mutable, false);
    assert.deepEqual([f.name, f.pos, f.endLine], ['add', { line: 5, col: 4 }, 7]);
    assert.deepEqual(f.params.map((p) => [p.name, p.pos]), [['a', { line: 5, col: 8 }], ['b', { line: 5, col: 16 }]]);
  });

  test('expression positions', () => {
    const program = parseOk('fn main() {\n  x = (a + b) * c.d as f64 + t.run(1)[2].len;\n}');
    const s = program.decls[0].body.body[0];
    assert.deepEqual(s.pos, { line: 2, col: 3 });
    const plus = s.value;                      // (+ (* (+ a b) (as (. c d) f64)) (len (index (call ..) 2)))
    assert.deepEqual(plus.pos, { line: 2, col: 28 });
    const times = plus.left;
    assert.deepEqual(times.pos, { line: 2, col: 15 });
    assert.deepEqual(times.left.pos, { line: 2, col: 10 }, 'binary: the operator');
    const cast = times.right;
    assert.deepEqual(cast.pos, { line: 2, col: 21 }, 'cast: as');
    assert.deepEqual(cast.expr.pos, { line: 2, col: 19 }, 'field: the name');
    const len = plus.right;
    assert.deepEqual(len.pos, { line: 2, col: 42 }, 'len: the name');
    const index = len.object;
    assert.deepEqual(index.pos, { line: 2, col: 30 }, 'index: first token of the object');
    const call = index.object;
    assert.deepEqual(call.pos, { line: 2, col: 30 }, 'call: first token of the callee');
    const ns = parseOk('fn main() { let p = new  P { x: 1 }; }').decls[0].body.body[0].init;
    assert.deepEqual([ns.pos, ns.namePos], [{ line: 1, col: 21 }, { line: 1, col: 26 }]);
  });

  test('syntax errors: expected token at the unexpected token', () => {
    assert.deepEqual(errors('fn main() { let x = 1 }'), ["1:23: expected ';' but found '}'"]);
    assert.deepEqual(errors('fn main() { let = 1; }'), ["1:17: expected name but found '='"]);
    assert.deepEqual(errors('fn main() { f(1, ; }'), ["1:18: expected expression but found ';'"]);
    assert.deepEqual(errors('fn main() { let a = []; }'), ["1:22: expected expression but found ']' (an array literal cannot be empty)"]);
    assert.deepEqual(errors('fn main() { let a = .5; }'), ["1:21: expected expression but found '.'"]);
    assert.deepEqual(errors('fn main() { 1 + 2 = 3; }'), ['1:13: invalid assignment target']);
    assert.deepEqual(errors('fn main() { (a) = 3; f() = 1; }'), ["1:14: undefined name 'a'", '1:22: invalid assignment target']);
    assert.deepEqual(errors('fn main() { if x { } else y(); }'), ["1:27: expected '{' but found 'y'"]);
    assert.deepEqual(errors('fn main() { x >>>= 1; }'), ["1:18: expected expression but found '='"]);
    assert.deepEqual(errors('fn main() { ; }'), ["1:13: expected statement but found ';'"]);
    assert.deepEqual(errors('main() {}'), ["1:1: expected declaration but found 'main'"]);
  });

  test('syntax error at end of file points just past the last character', () => {
    assert.deepEqual(errors('fn main() {'), ["1:12: expected '}' but found end of file"]);
    assert.deepEqual(errors('fn main() {\n  f(1);\n'), ["3:1: expected '}' but found end of file"]);
  });

  test('no error as a consequence of another: a keyword misused as a name, an exponent without digits', () => {
    // Found by a conformance check: recovery stopped at the misused keyword and
    // parsed it as a statement or declaration, and `1e+` left `+` an operator
    // missing its operand; each reported a second error.
    const one = {
      'fn main() { print(1e+); }': ["1:20: unexpected character 'e' in number literal"],
      'fn main() { let x = 2.5E-; print(x); }': ["1:24: unexpected character 'E' in number literal"],
      'fn main() { print(2E-x); }': ["1:20: unexpected character 'E' in number literal"],
      'fn main() { let extern = 1; print(2); }': ["1:17: expected name but found 'extern'"],
      'fn main() { let struct = 1; }': ["1:17: expected name but found 'struct'"],
      'fn main() { var x = extern; }': ["1:21: expected expression but found 'extern'"],
      'fn main() { var x = struct; }': ["1:21: expected expression but found 'struct'"],
      'fn main() { let while = 1; }': ["1:17: expected name but found 'while'"],
      'fn main() { let return = 1; }': ["1:17: expected name but found 'return'"],
    };
    for (const [src, want] of Object.entries(one)) assert.deepEqual(errors(src), want, src);
    // A keyword that does begin the next statement or declaration still stops recovery.
    assert.deepEqual(errors('fn main() { let x = 1 let y = 2; y = true; }'), ["1:23: expected ';' but found 'let'"]);
    assert.deepEqual(errors('fn main() { let x =\n  while x { }\n}'), ["2:3: expected expression but found 'while'"]);
    assert.deepEqual(errors('fn main() { let x = \nstruct S { a: i32 }\nfn main2() { var y = ; }'),
      ["2:1: expected expression but found 'struct'", "3:22: expected expression but found ';'"]);
  });

  test('recovery reports every syntax error in the file', () => {
    const src = `fn a() {
  let x = 1
  let y = (2 + ;
  foo(1, 2;
  if x == { y = 1; } else { y = 2; }
  let s = new S { a: 1 b: 2 };
  let ok = 3;
  1 + 2 = 3;
}
struct S { a: i32 b: i32 }
fn b( { let z = 1; }
fn c() -> { return 1; }
var g = ;
fn main() {
  let v = "unterminated;
}
fn d() { let w = x # 3; }
`;
    assert.deepEqual(errors(src), [
      "3:3: expected ';' but found 'let'",
      "3:16: expected expression but found ';'",
      "4:11: expected ')' but found ';'",
      "5:11: expected expression but found '{'",
      "6:24: expected '}' but found 'b'",
      '8:3: invalid assignment target',
      "10:19: expected '}' but found 'b'",
      "11:7: expected parameter name but found '{'",
      "12:11: expected type but found '{'",
      "13:9: expected expression but found ';'",
      '15:11: unterminated string',
      "17:20: unexpected character '#'",
    ]);
  });

  test('an unclosed function body stops at the next declaration', () => {
    assert.deepEqual(errors('fn a() {\n  if x {\n    f();\n}\nfn main() { }\n'), ["5:1: expected '}' but found 'fn'"]);
  });

  test('a broken function header skips its body, not the declarations after it', () => {
    assert.deepEqual(errors('fn f()\n  let x = 1;\n}\nvar g = 1 +;\nlet h = 2 2;\nfn main() { let y = ; }'), [
      "2:3: expected '{' but found 'let'",
      "4:12: expected expression but found ';'",
      "5:11: expected ';' but found '2'",
      "6:21: expected expression but found ';'",
    ]);
  });

  test('a string or comment open at the end of the file hides the missing braces', () => {
    assert.deepEqual(errors('fn main() {\n  print("never closed'), ['2:9: unterminated string']);
    assert.deepEqual(errors('fn main() {\n  /* never closed\n}\n'), ['2:3: unterminated block comment']);
    assert.deepEqual(errors('fn main() {\n  print("closed at the line end);\n'), ['2:9: unterminated string', "3:1: expected '}' but found end of file"]);
  });

  // Every error of the file, but none that a syntax error may have caused: a
  // body with a syntax error is checked up to the first statement the error
  // touched, other functions whole, and so does a lexical error there; a
  // declaration cut short after its name leaves the rest checked, its name
  // declared with no type to misuse; a declaration broken before its name, a
  // lexical error outside a body, or a string or comment left open to the end
  // of the file, leaves nothing checked.
  test('syntax errors leave checked only what they cannot have caused', () => {
    assert.deepEqual(errors('fn main() { let x: i32 = true; let y = 1 }'), [
      '1:26: type mismatch: expected i32 but found bool', "1:42: expected ';' but found '}'",
    ]);
    // The broken `let y` is left out, and so is everything after it: no
    // `undefined name 'y'`, no missing return.
    assert.deepEqual(errors('fn f() -> i32 {\n  let x: i32 = "s";\n  let y = ;\n  print(y);\n}\nfn g() { let z: bool = 1; }\nfn main() { f(true); }'), [
      '2:16: type mismatch: expected i32 but found str', "3:11: expected expression but found ';'",
      '6:24: type mismatch: expected bool but found i32', "7:13: function 'f' expects 0 arguments but got 1",
    ]);
    // A statement holding an error is not checked (its block lost what broke).
    assert.deepEqual(errors('fn main() {\n  while true { let y = ; print(y); }\n  let w: i32 = true;\n}'), ["2:24: expected expression but found ';'"]);
    // A lexical error inside a body that parsed: the same (found by a browser
    // audit: a stray character hid every type error of the file).
    assert.deepEqual(errors('fn main() { let x: i32 = true; }\nfn g() { let s = "open\n}'), ['1:26: type mismatch: expected i32 but found bool', '2:18: unterminated string']);
    assert.deepEqual(errors('fn main() {\n  let y: i32 = "s";\n  let @x = 1;\n  print(zz);\n}\nfn g() -> i32 { return 1 @ 2; }\nfn h() -> i32 { return "no"; }'), [
      '2:16: type mismatch: expected i32 but found str', "3:7: unexpected character '@'", "6:26: unexpected character '@'",
      '7:24: type mismatch: expected i32 but found str',
    ]);
    assert.deepEqual(errors('fn main() { let a = 12ab; print(zz); }\nfn g() -> i32 { return true; }'), ["1:23: unexpected character 'a' in number literal", '2:24: type mismatch: expected i32 but found bool']);
    // A declaration cut short after its name: every other declaration is
    // checked, and no use of the name is an error (whatever it was meant to be).
    assert.deepEqual(errors('fn f() -> i32 { return true; }\nvar G = ;\nfn main() { let y: str = 1; print(G + 1); G = "s"; G(2); }'), [
      '1:24: type mismatch: expected i32 but found bool', "2:9: expected expression but found ';'", '3:26: type mismatch: expected str but found i32',
    ]);
    assert.deepEqual(errors('struct S { x: i32\nfn f(s: S) -> S { return new S { x: s.y }; }\nfn main() { let q: i32 = "a"; }'), [
      "2:1: expected '}' but found 'fn'", '3:26: type mismatch: expected i32 but found str',
    ]);
    assert.deepEqual(errors('fn g(a: i32, -> i32 { return a; }\nextern fn e(x: i32 -> i32;\nfn main() { print(g(1, 2) + e()); let q: i32 = "a"; }'), [
      "1:14: expected parameter name but found '->'", "2:20: expected ')' but found '->'", '3:48: type mismatch: expected i32 but found str',
    ]);
    // An unclosed body ends at the next declaration: that function is cut short.
    assert.deepEqual(errors('fn main() { print(h() + 1); let q: i32 = "a"; }\nfn h() -> i32 {\n  if true { return 1;\nfn k() -> str { return 5; }'), [
      '1:42: type mismatch: expected i32 but found str', "4:1: expected '}' but found 'fn'", '4:24: type mismatch: expected str but found i32',
    ]);
    assert.deepEqual(errors('fn main( { }\nfn f() -> i32 { return "x"; }'), ["1:10: expected parameter name but found '{'", '2:24: type mismatch: expected i32 but found str']);
    // The name where the error is may be the one meant (`fn x name(`), and the
    // keyword may be the mistake (`struct f(`): neither name's uses are errors,
    // nor is a main missing that a broken declaration may have been.
    assert.deepEqual(errors('fn x v(n: i32) -> i32 { return n; }\nstruct w(n: i32) -> i32 { return n; }\nfn g() -> i32 { let b: bool = 1; return v(1) + w(2); }'), [
      "1:6: expected '(' but found 'v'", "2:9: expected '{' but found '('", '3:31: type mismatch: expected bool but found i32',
    ]);
    // What a broken declaration took in may have been a global (an unclosed
    // body parses `var` as a statement; recovery skips one inside an open
    // brace): nothing is checked then.
    assert.deepEqual(errors('fn f() {\n  if true {\n}\nvar G = 1;\nfn main() { print(G); let x: i32 = true; }'), ["5:1: expected '}' but found 'fn'"]);
    assert.deepEqual(errors('struct S { x: i32\nvar G = 1;\nfn main() { print(G); let x: i32 = true; }'), ["2:1: expected '}' but found 'var'"]);
    // A declaration broken before its name, a lexical error outside a body, a string left open: nothing is checked.
    assert.deepEqual(errors('fn main() { let x: i32 = true; }\nstruct { }'), ["2:8: expected struct name but found '{'"]);
    assert.deepEqual(errors('fn main() { let x: i32 = true; }\nfn g(@) { }'), ["2:6: unexpected character '@'"]);
    assert.deepEqual(errors('fn main() { let x: i32 = true; }\n@\nfn g() { }'), ["2:1: unexpected character '@'"]);
    assert.deepEqual(errors('fn main() { let x: i32 = true; }\nfn g() { let s = 1; /* open\n}'), ['2:21: unterminated block comment']);
  });

  test('value errors (literals out of range, bad escapes) do not skip type checking, and nothing runs', () => {
    const src = 'fn main() { let x: i32 = true; let y = 99999999999; let z = "a\\qb" + 0x1FFFFFFFF; }';
    assert.deepEqual(errors(src), [
      '1:26: type mismatch: expected i32 but found bool',
      '1:40: integer literal 99999999999 is too large',
      "1:63: invalid escape '\\q'",
      "1:68: operator '+' cannot be applied to str and i32",
      '1:70: integer literal 0x1FFFFFFFF is too large',
    ]);
    assert.equal(compileFront('t.tier', 'fn main() { let y = 99999999999; }').checked, null);
    assert.equal(compileFront('t.tier', 'fn main() { print("\\q"); }').checked, null);
    assert.deepEqual(errors('fn main() { let x: bool = 0x; }'), [
      '1:27: missing digits in hexadecimal literal', '1:27: type mismatch: expected bool but found i32',
    ]);
    // With a syntax error besides, the statements before it are checked.
    assert.deepEqual(errors('fn main() { let x: i32 = true; let y = 99999999999 }'), [
      '1:26: type mismatch: expected i32 but found bool', '1:40: integer literal 99999999999 is too large', "1:52: expected ';' but found '}'",
    ]);
  });
});

// ---- checker: accepted programs and what they record ----------------------------

describe('checker: accepted programs', () => {
  test('the contract example', () => {
    const checked = checkedOk(`struct Node { left: Node, right: Node }

fn make(depth: i32) -> Node {
  if depth == 0 { return new Node { left: null, right: null }; }
  return new Node { left: make(depth - 1), right: make(depth - 1) };
}

fn check(n: Node) -> i32 {
  if n.left == null { return 1; }
  return 1 + check(n.left) + check(n.right);
}

fn main() {
  var total = 0;
  for i in 0..10 { total += check(make(i)); }
  print("nodes: " + str(total));
}
`);
    assert.deepEqual(checked.structs, [{ name: 'Node', fields: [
      { name: 'left', type: { k: 'struct', name: 'Node', index: 0 } },
      { name: 'right', type: { k: 'struct', name: 'Node', index: 0 } }] }]);
    assert.deepEqual(checked.functions.map((f) => f.decl.name), ['make', 'check', 'main']);
    assert.equal(checked.mainIndex, 2);
    assert.equal(checked.mainTakesArgs, false);
    const main = checked.functions[2].decl;
    assert.equal(main.localCount, 2);
    assert.deepEqual(main.localTypes, [{ k: 'i32' }, { k: 'i32' }]);
    const [letTotal, forLoop, print] = main.body.body;
    assert.equal(letTotal.id, 0);
    assert.equal(forLoop.id, 1);
    const call = forLoop.body.body[0].value;        // check(make(i))
    assert.deepEqual(call.target, { kind: 'direct', index: 1 });
    assert.deepEqual(call.args[0].target, { kind: 'direct', index: 0 });
    assert.deepEqual(call.args[0].args[0].ref, { kind: 'local', id: 1 });
    assert.deepEqual(print.expr.target, { kind: 'builtin', name: 'print' });
    assert.deepEqual(print.expr.ty, { k: 'void' });
    assert.deepEqual(print.expr.args[0].ty, { k: 'str' });
    assert.deepEqual(print.expr.args[0].right.target, { kind: 'builtin', name: 'str' });
    const make = checked.functions[0];
    assert.deepEqual(make.sig, { params: [{ k: 'i32' }], ret: { k: 'struct', name: 'Node', index: 0 } });
    const ns = make.decl.body.body[0].then.body[0].value;
    assert.equal(ns.structIndex, 0);
    const check = checked.functions[1].decl;
    assert.equal(check.body.body[0].cond.left.fieldIndex, 0);
    assert.equal(check.body.body[1].value.right.args[0].fieldIndex, 1);
  });

  test('local ids: params first, then every let/for in order, shadowing gets a new id', () => {
    const checked = checkedOk(`fn f(x: i32, y: f64) -> i32 {
  let x = x + 1;
  {
    let y = x;
    var z = y * 2;
  }
  for x in x..10 { let w = x; }
  return x;
}
fn main() { f(1, 2.0); }
`);
    const f = checked.functions[0].decl;
    assert.deepEqual(f.params.map((p) => p.id), [0, 1]);
    assert.equal(f.localCount, 7);
    assert.deepEqual(f.localTypes.map((t) => t.k), ['i32', 'f64', 'i32', 'i32', 'i32', 'i32', 'i32']);
    const [letX, block, forX, ret] = f.body.body;
    assert.equal(letX.id, 2);
    assert.deepEqual(letX.init.left.ref, { kind: 'local', id: 0 }, 'let x = x + 1 reads the parameter');
    const [letY, varZ] = block.block.body;
    assert.equal(letY.id, 3);
    assert.deepEqual(letY.init.ref, { kind: 'local', id: 2 });
    assert.equal(varZ.id, 4);
    assert.deepEqual(varZ.init.left.ref, { kind: 'local', id: 3 });
    assert.deepEqual(forX.start.ref, { kind: 'local', id: 2 }, 'the range is outside the loop variable scope');
    assert.equal(forX.id, 5);
    assert.equal(forX.body.body[0].id, 6);
    assert.deepEqual(forX.body.body[0].init.ref, { kind: 'local', id: 5 });
    assert.deepEqual(ret.value.ref, { kind: 'local', id: 2 });
  });

  test('a use before a shadowing let in the same block sees the outer binding', () => {
    const checked = checkedOk(`fn main() {
  let a = 1;
  let b = a;
  let a = 2.5;
  let c = a;
}`);
    const [a1, b, a2, c] = checked.functions[0].decl.body.body;
    assert.deepEqual(b.init.ref, { kind: 'local', id: a1.id });
    assert.deepEqual(c.init.ref, { kind: 'local', id: a2.id });
    assert.deepEqual(c.init.ty, { k: 'f64' });
  });

  test('globals, function values, externs, value calls', () => {
    const checked = checkedOk(`var SEED = 42;
let TWICE: i32 = SEED * 2;
let SQ: fn(i32) -> i32 = square;
var START = square(3);
extern fn host_log(x: i32);
struct T { run: fn(i32) -> i32 }
fn square(x: i32) -> i32 { return x * x; }
fn main(args: [str]) {
  let f: fn(i32) -> i32 = square;
  let t = new T { run: square };
  host_log(f(3) + t.run(2) + SQ(SEED) + args.len);
  SEED = 7;
  print(f == square);
}
`);
    assert.deepEqual(checked.globals.map((g) => [g.decl.name, g.type.k]), [['SEED', 'i32'], ['TWICE', 'i32'], ['SQ', 'fn'], ['START', 'i32']]);
    assert.deepEqual(checked.globals[1].decl.init.left.ref, { kind: 'global', index: 0 });
    assert.deepEqual(checked.globals[2].decl.init.ref, { kind: 'fn', index: 0 });
    assert.equal(checked.mainTakesArgs, true);
    assert.equal(checked.mainIndex, 1);
    const body = checked.functions[1].decl.body.body;
    const hostCall = body[2].expr;
    assert.deepEqual(hostCall.target, { kind: 'extern', index: 0 });
    const sum = hostCall.args[0];                // ((f(3) + t.run(2)) + SQ(SEED)) + args.len
    assert.deepEqual(sum.left.left.left.target, { kind: 'value' });
    assert.deepEqual(sum.left.left.left.callee.ref, { kind: 'local', id: 1 });
    assert.deepEqual(sum.left.left.right.target, { kind: 'value' });
    assert.equal(sum.left.left.right.callee.fieldIndex, 0);
    assert.deepEqual(sum.left.right.target, { kind: 'value' });
    assert.deepEqual(sum.left.right.callee.ref, { kind: 'global', index: 2 });
    assert.equal(sum.right.kind, 'len');
    assert.deepEqual(body[3].target.ref, { kind: 'global', index: 0 });
    assert.deepEqual(body[4].expr.args[0].ty, { k: 'bool' });
  });

  test('.len on a struct with a field named len becomes a field access', () => {
    const checked = checkedOk(`struct V { len: i32, f: fn() -> i32 }
struct W { len: fn(i32) -> i32 }
fn one(x: i32) -> i32 { return 1; }
fn main() {
  let v = new V { f: null, len: 3 };
  v.len = v.len + 1;
  let w = new W { len: one };
  print(w.len(2) + "abc".len + [1, 2].len);
}
`);
    const body = checked.functions[1].decl.body.body;
    assert.deepEqual([body[1].target.kind, body[1].target.fieldIndex], ['field', 0]);
    assert.deepEqual([body[1].value.left.kind, body[1].value.left.field], ['field', 'len']);
    const sum = body[3].expr.args[0];
    assert.equal(sum.left.left.callee.kind, 'field');
    assert.deepEqual(sum.left.left.target, { kind: 'value' });
    assert.equal(sum.left.right.kind, 'len');
    assert.equal(sum.right.kind, 'len');
  });

  test('operators and casts', () => {
    checkedOk(`fn main() {
  let a = 1 + 2 * 3 / 4 % 5 - -6;
  let b = 1.5 % 2.0 + -0.0;
  let c = ~a & 3 | 4 ^ 5 << 1 >> 2 >>> 3;
  let d = a < 3 && b >= 1.0 || !(a == 2) && true != false;
  let e = "x" + "y" == "xy";
  let f = a as f64 + b as i32 as f64 + a as i32 as f64 + b as f64;
  let g: str = null;
  let h = g == null && null == g && null == null;
  let arr = [[1], null, [2, 3]];
  let n = arr == null || arr[0] == arr[1];
  var s = "a";
  s += "b";
  var x = 1;
  x <<= 2; x >>= 1; x &= 7; x |= 8; x ^= 1; x %= 3; x /= 2; x *= 5; x -= 1;
  var y = 1.0;
  y /= 2.0;
  let code = s[0] + s.len;
}`);
  });

  test('built-ins and hiding a built-in', () => {
    checkedOk(`fn abs(x: i32) -> i32 { if x < 0 { return -x; } return x; }
fn main() {
  print(1); print(1.5); print(true); print("s"); write(2);
  let s = str(1) + str(2.5) + str(false) + fixed(1.5, 2) + chr(65) + substr("abc", 0, 1);
  let n = parse_i32("12") + abs(-3);
  let x = sqrt(2.0) + sin(1.0) + cos(1.0) + tan(1.0) + atan(1.0) + atan2(1.0, 2.0)
    + exp(1.0) + log(1.0) + pow(2.0, 3.0) + floor(1.5) + ceil(1.5) + parse_f64("1.5") + clock();
  let sqrt = 3;
  print(sqrt + n);
  panic("done");
}`);
  });

  test('must-return analysis', () => {
    checkedOk(`fn a(x: i32) -> i32 { if x > 0 { return 1; } else if x < 0 { return -1; } else { return 0; } }
fn b() -> i32 { while true { } }
fn c() -> i32 { while true { for i in 0..3 { break; } while false { break; } } }
fn d() -> i32 { { return 1; } }
fn e() -> i32 { return 1; print(2); }
fn g() -> i32 { while true { } print(1); }
fn f(x: i32) -> i32 { while true { if x > 0 { return x; } } }
fn main() { while true { if true { break; } } }
`);
  });
});

// ---- checker: errors and where they point ------------------------------------------

describe('checker: errors', () => {
  test('undefined name, unknown type, duplicate declarations: at the name', () => {
    assert.deepEqual(bodyErrors('let x = y + 1;'), ["2:11: undefined name 'y'"]);
    assert.deepEqual(bodyErrors('let x: Foo = null;\nlet a = new [Bar](1);\nlet b = 1 as Baz;'), [
      "2:10: unknown type 'Foo'", "3:16: unknown type 'Bar'", "4:16: unknown type 'Baz'"]);
    assert.deepEqual(errors('fn f() {}\nvar f = 1;\nextern fn f();\nfn main() {}'), [
      "2:5: duplicate declaration of 'f'", "3:11: duplicate declaration of 'f'"]);
    assert.deepEqual(errors('struct S { a: i32 }\nstruct S { b: i32 }\nstruct i32 {}\nfn main() {}'), [
      "2:8: duplicate declaration of struct 'S'", "3:8: cannot redefine built-in type 'i32'"]);
    assert.deepEqual(errors('struct S { a: i32, a: f64 }\nfn f(x: i32, x: i32) {}\nfn main() {}'), [
      "1:20: duplicate field 'a' in struct 'S'", "2:14: duplicate parameter 'x'"]);
    assert.deepEqual(errors('struct S { n: Node }\nfn f(a: Q) -> R { }\nfn main() {}'), [
      "1:15: unknown type 'Node'", "2:9: unknown type 'Q'", "2:15: unknown type 'R'"]);
  });

  test('a struct and a function may share a name', () => {
    checkedOk('struct P { x: i32 }\nfn P() -> P { return new P { x: 1 }; }\nfn main() { print(P().x); }');
  });

  test('operators: at the operator', () => {
    assert.deepEqual(bodyErrors('let a = 1 + 2.0;\nlet b = "a" + 1;\nlet c = 1.0 & 2.0;\nlet d = 1 < true;\nlet e = 1 && 2;\nlet f = "a" < "b";'), [
      "2:13: operator '+' cannot be applied to i32 and f64",
      "3:15: operator '+' cannot be applied to str and i32",
      "4:15: operator '&' cannot be applied to f64 and f64",
      "5:13: operator '<' cannot be applied to i32 and bool",
      "6:13: operator '&&' cannot be applied to i32 and i32",
      "7:15: operator '<' cannot be applied to str and str",
    ]);
    assert.deepEqual(bodyErrors('let a = 1 == 1.0;\nlet b = null == 1;\nlet c = [1] == [1.0];\nlet d = print(1) == print(2);'), [
      "2:13: operator '==' cannot be applied to i32 and f64",
      "3:16: operator '==' cannot be applied to null and i32",
      "4:15: operator '==' cannot be applied to [i32] and [f64]",
      "5:20: operator '==' cannot be applied to void and void",
    ]);
    assert.deepEqual(bodyErrors('let a = -true;\nlet b = !1;\nlet c = ~1.5;\nlet d = - "s";'), [
      "2:11: operator '-' cannot be applied to bool",
      "3:11: operator '!' cannot be applied to i32",
      "4:11: operator '~' cannot be applied to f64",
      "5:11: operator '-' cannot be applied to str",
    ]);
    assert.deepEqual(bodyErrors('var x = 1;\nx += 1.5;\nvar s = "a";\ns -= "b";\ns += 1;'), [
      "3:5: operator '+=' cannot be applied to i32 and f64",
      "5:5: operator '-=' cannot be applied to str and str",
      "6:5: operator '+=' cannot be applied to str and i32",
    ]);
  });

  test('bad cast: at the as', () => {
    assert.deepEqual(bodyErrors('let a = true as i32;\nlet b = "1" as f64;\nlet c = 1 as bool;\nlet d = 1 as str;'), [
      '2:16: cannot cast bool to i32', '3:15: cannot cast str to f64', '4:13: cannot cast i32 to bool',
      '5:13: cannot cast i32 to str']);
  });

  test('a value of the wrong type: at the first token of that expression', () => {
    const prelude = 'struct P { x: f64 }\nfn g(a: i32) {}\n';
    assert.deepEqual(bodyErrors([
      'let a: i32 = 1.5;',                // initialiser
      'var b = 1;',
      'b = (2.5 + 1.0) * 2.0;',           // assigned value: the parenthesis
      'g(1.0 + 2.0);',                    // argument: the first operand, not the operator
      'if 1 { }',                         // condition
      'while "s" { }',
      'let c = [1, 2.0, 3];',             // array element
      'let p = new P { x: 1 };',          // field initialiser
      'let d = [1][1.0];',                // index
      'for i in 0.0..b as f64 { }',       // range bounds
      'let e: [i32] = new [i32](1.5);',   // length
      'let f: bool = p.x as i32;',        // a cast: its first token
    ].join('\n'), prelude), [
      '4:16: type mismatch: expected i32 but found f64',
      '6:7: type mismatch: expected i32 but found f64',
      '7:5: type mismatch: expected i32 but found f64',
      '8:6: type mismatch: expected bool but found i32',
      '9:9: type mismatch: expected bool but found str',
      '10:15: type mismatch: expected i32 but found f64',
      '11:22: type mismatch: expected f64 but found i32',
      '12:15: type mismatch: expected i32 but found f64',
      '13:12: type mismatch: expected i32 but found f64',
      '13:17: type mismatch: expected i32 but found f64',
      '14:28: type mismatch: expected i32 but found f64',
      '15:17: type mismatch: expected bool but found i32',
    ]);
  });

  test('returned values and return statements', () => {
    assert.deepEqual(errors('fn f() -> i32 {\n  return 1.5;\n}\nfn g() -> i32 {\n  return;\n}\nfn h() {\n  return 1;\n}\nfn main() {}'), [
      '2:10: type mismatch: expected i32 but found f64',
      "5:3: missing return value in function 'g' with result i32",
      "8:10: function 'h' has no result, so 'return' takes no value",
    ]);
  });

  test('missing return: at the function name', () => {
    assert.deepEqual(errors(`fn a(x: i32) -> i32 { if x > 0 { return 1; } }
fn  b() -> f64 { while true { if false { break; } } }
fn c() -> i32 { if true { return 1; } else { } }
fn d() -> str { for i in 0..1 { return "x"; } }
fn e() -> i32 { while 1 == 1 { } }
fn main() {}`), [
      "1:4: missing return in function 'a' with result i32",
      "2:5: missing return in function 'b' with result f64",
      "3:4: missing return in function 'c' with result i32",
      "4:4: missing return in function 'd' with result str",
      "5:4: missing return in function 'e' with result i32",
    ]);
  });

  test('calls: wrong argument count or not a function, at the callee', () => {
    assert.deepEqual(bodyErrors([
      'f(1, 2);',
      'sqrt();',
      'let x = 3;',
      'x(1);',
      'let t = new T { run: null };',
      't.run();',
      '(x)(2);',
      'print(1, 2);',
      'host(1.5);',
    ].join('\n'), 'fn f(a: i32) {}\nstruct T { run: fn(i32) }\nextern fn host(x: i32);\n'), [
      "5:3: function 'f' expects 1 argument but got 2",
      "6:3: built-in function 'sqrt' expects 1 argument but got 0",
      '8:3: cannot call a value of type i32',
      '10:3: function value expects 1 argument but got 0',
      '11:3: cannot call a value of type i32',
      "12:3: built-in function 'print' expects 1 argument but got 2",
      '13:8: type mismatch: expected i32 but found f64',
    ]);
  });

  test('built-in argument types', () => {
    assert.deepEqual(bodyErrors('print(null);\nprint([1]);\nlet s = str("x");\nlet c = chr(1.5);\nlet q = fixed(1, 2);\nlet r = sqrt(4);'), [
      '2:9: type mismatch: expected i32, f64, bool or str but found null',
      '3:9: type mismatch: expected i32, f64, bool or str but found [i32]',
      '4:15: type mismatch: expected i32, f64 or bool but found str',
      '5:15: type mismatch: expected i32 but found f64',
      '6:17: type mismatch: expected f64 but found i32',
      '7:16: type mismatch: expected f64 but found i32',
    ]);
  });

  test('functions as values: built-ins and externs are not values', () => {
    assert.deepEqual(bodyErrors('let f = sqrt;\nlet g = host;\nlet h: fn(i32) -> f64 = k;', 'extern fn host();\nfn k(x: i32) -> i32 { return x; }\n'), [
      "4:11: built-in function 'sqrt' cannot be used as a value",
      "5:11: extern function 'host' cannot be used as a value",
      '6:27: type mismatch: expected fn(i32) -> f64 but found fn(i32) -> i32',
    ]);
  });

  test('fields and new: unknown field at its name, missing at the struct name, duplicate at the second', () => {
    assert.deepEqual(bodyErrors([
      'let p = new P { x: 1.0, y: 2.0 };',
      'let q = new P {};',
      'let r = new P { x: 1.0, z: 2, x: 3.0 };',
      'let a = p.z;',
      'let b = 1.x;',
      'let c = new Q { x: 1 };',
      'let d = p.len;',
      'let e = (1).len;',
    ].join('\n'), 'struct P { x: f64 }\n'), [
      "3:27: struct 'P' has no field 'y'",
      "4:15: missing field 'x' in new P",
      "5:27: struct 'P' has no field 'z'",
      "5:33: duplicate field 'x'",
      "6:13: struct 'P' has no field 'z'",
      "7:13: type i32 has no field 'x'",
      "8:15: unknown type 'Q'",
      "9:13: struct 'P' has no field 'len'",
      "10:15: type i32 has no '.len'",
    ]);
    assert.deepEqual(bodyErrors('let x = new i32 { };'), ["2:15: 'i32' is not a struct"]);
    assert.deepEqual(errors('struct B { x: f64, y: f64, vx: f64 }\nfn main() {\n  let b = new\n    B { y: 1.0 };\n}'),
      ["4:5: missing fields 'x', 'vx' in new B"]);
  });

  test('indexing', () => {
    assert.deepEqual(bodyErrors('let a = 1;\nlet b = a[0];\nlet c = null;\nlet s = "abc";\nlet d: bool = s[0];'), [
      '3:11: cannot index a value of type i32',
      '4:11: cannot infer a type from null',
      '6:17: type mismatch: expected bool but found i32',
    ]);
  });

  test('break and continue outside a loop: at the keyword', () => {
    assert.deepEqual(bodyErrors('break;\nif true { continue; }\nwhile true { break; }\nfor i in 0..2 { { continue; } }'), [
      "2:3: 'break' outside of a loop",
      "3:13: 'continue' outside of a loop",
    ]);
  });

  test('assignment to what cannot be assigned: at the first token of the target', () => {
    assert.deepEqual(bodyErrors([
      'let x = 1;',
      'x = 2;',
      'for i in 0..3 { i += 1; }',
      'f = 3;',
      'h = 3;',
      'print = 3;',
      'let s = "abc";',
      's[0] = 65;',
      'let a = [1];',
      'a.len = 3;',
      'K = 2;',
      'let p = new P { x: 1 };',
      'p.x = 2;',
      'a[0] = 2;',
      'nope = 1;',
    ].join('\n'), 'fn f() {}\nextern fn h();\nlet K = 1;\nstruct P { x: i32 }\n'), [
      "7:3: cannot assign to immutable 'x'",
      "8:19: cannot assign to immutable 'i'",
      "9:3: cannot assign to function 'f'",
      "10:3: cannot assign to function 'h'",
      "11:3: cannot assign to built-in function 'print'",
      '13:3: cannot assign to an element of a string',
      "15:3: cannot assign to '.len'",
      "16:3: cannot assign to immutable 'K'",
      "20:3: undefined name 'nope'",
    ]);
    assert.deepEqual(bodyErrors('let a = [[1]];\n(a[0])[0] = 1;\nlet s = ["x"];\ns[0][0] = 1;'), ['5:3: cannot assign to an element of a string']);
  });

  test('parameters are mutable; let-bound objects are not frozen', () => {
    checkedOk('struct P { x: i32 }\nfn f(a: i32) { a = 2; }\nfn main() { let p = new P { x: 1 }; p.x = 2; let a = [1]; a[0] = 3; }');
  });

  test('globals: an initialiser may name only globals above it', () => {
    assert.deepEqual(errors(`var A = B + 1;
var B: i32 = 2;
var C = C;
var D = f();
fn f() -> i32 { return A + B + E; }
var E = 1;
fn main() {}`), [
      "1:9: global 'B' cannot be used before its declaration",
      "3:9: global 'C' cannot be used before its declaration",
    ]);
  });

  test('null has no type to infer; arrays need one element type', () => {
    assert.deepEqual(bodyErrors('let x = null;\nvar y = [null, null];\nlet z = [null, "a", 1];\nlet w = [1, null];'), [
      '2:11: cannot infer a type from null',
      '3:11: cannot infer the element type of an array of null',
      '4:23: type mismatch: expected str but found i32',
      '5:15: type mismatch: expected i32 but found null',
    ]);
    assert.deepEqual(errors('var G = null;\nfn main() {}'), ['1:9: cannot infer a type from null']);
  });

  test('main: missing at 1:1, wrong signature at its name', () => {
    assert.deepEqual(errors('fn f() {}\n'), ["1:1: missing function 'main'"]);
    assert.deepEqual(errors('fn main() -> i32 { return 0; }'), ["1:4: 'main' must be declared as 'fn main()' or 'fn main(args: [str])'"]);
    assert.deepEqual(errors('fn main(a: i32) {}'), ["1:4: 'main' must be declared as 'fn main()' or 'fn main(args: [str])'"]);
    assert.deepEqual(errors('fn main(a: [str], b: i32) {}'), ["1:4: 'main' must be declared as 'fn main()' or 'fn main(args: [str])'"]);
    assert.deepEqual(errors('var main = 1;'), ["1:5: 'main' must be declared as 'fn main()' or 'fn main(args: [str])'"]);
    assert.deepEqual(errors('extern fn main();'), ["1:11: 'main' must be declared as 'fn main()' or 'fn main(args: [str])'"]);
  });

  test('void values: where a value is stored at its first token, as an operand at the operator', () => {
    assert.deepEqual(bodyErrors('let x = print(1);\nlet y = 1 + f();\ng(f());\nlet t = -f();\nlet w = f() as f64;\nvar z = 1;\nz += f();\nlet v = f().x;\nlet u: i32 = f();',
      'fn f() {}\nfn g(x: i32) {}\n'), [
      '4:11: expression has no value',
      "5:13: operator '+' cannot be applied to i32 and void",
      '6:5: expression has no value',
      "7:11: operator '-' cannot be applied to void",
      '8:15: cannot cast void to f64',
      "10:5: operator '+=' cannot be applied to i32 and void",
      "11:15: type void has no field 'x'",
      '12:16: expression has no value',
    ]);
  });

  test('errors do not cascade', () => {
    assert.deepEqual(bodyErrors([
      'let x = nope;',
      'let y = x + 1.0;',
      'print(x);',
      'let z: i32 = x.foo[3](2);',
      'var w = -x;',
      'w += 1;',
      'if x { }',
      'let q: Unknown = 1;',
      'let r = q.field;',
      'let s = [x, 1];',
    ].join('\n')), ["2:11: undefined name 'nope'", "9:10: unknown type 'Unknown'"]);
    assert.deepEqual(errors('fn f(a: Nope) -> i32 { return a; }\nfn main() { print(f(1.5) + 2); let g = f; }'), ["1:9: unknown type 'Nope'"]);
  });

  test('every type error is reported, in source order', () => {
    assert.deepEqual(where('fn main() {\n  let a: i32 = true;\n  let b = 1 + "s";\n  break;\n}\nfn f() -> i32 { }\nvar G = H;\nvar H = 1;'),
      ['2:16', '3:13', '4:3', '6:4', '7:9']);
  });
});

// ---- diagnostics format --------------------------------------------------------

describe('diagnostics format', () => {
  test('FILE:LINE:COL: error: MESSAGE, the source line, a caret; tabs kept', () => {
    const src = 'fn main() {\n\tlet x: i32 = 1.5;\r\n\t\tprint(y);\n}\n';
    const r = compileFront('dir/prog.tier', src);
    assert.equal(r.checked, null);
    assert.equal(r.formatted,
      'dir/prog.tier:2:15: error: type mismatch: expected i32 but found f64\n' +
      '\tlet x: i32 = 1.5;\n' +
      '\t             ^\n' +
      "dir/prog.tier:3:9: error: undefined name 'y'\n" +
      '\t\tprint(y);\n' +
      '\t\t      ^\n' +
      '2 errors\n');
  });

  test('diagnostics are sorted by line and column', () => {
    const text = formatDiagnostics('f', 'ab\ncd', [
      { line: 2, col: 2, message: 'second' }, { line: 1, col: 1, message: 'first' }]);
    assert.equal(text, 'f:1:1: error: first\nab\n^\nf:2:2: error: second\ncd\n ^\n2 errors\n');
  });

  test('control characters in the source reach no terminal: the line shows U+FFFD, the message the code point', () => {
    const r = compileFront('esc.tier', 'fn main() { let s = "\x1b[31m"; \x1b }');
    assert.equal(r.formatted,
      'esc.tier:1:30: error: unexpected character U+001B\n' +
      'fn main() { let s = "\ufffd[31m"; \ufffd }\n' +
      '                             ^\n1 error\n');
    assert.deepEqual(lexErrors('a \u007f \u0085'), ['1:3: unexpected character U+007F', '1:5: unexpected character U+0085']);
  });

  test('a program without errors formats to nothing', () => {
    const r = compileFront('ok.tier', 'fn main() { print(1); }');
    assert.equal(r.formatted, '');
    assert.deepEqual(r.diagnostics, []);
    assert.ok(r.checked);
  });

  test('pathological nesting is one compile error at the level too many, not a crash', () => {
    // The function body is level 1, so the 256th `(` (column 20 + 256) opens level 257.
    const deep = 'fn main() { let x = ' + '('.repeat(100000) + '1' + ')'.repeat(100000) + '; }';
    assert.deepEqual(errors(deep), ['1:276: nesting deeper than 256 levels']);
    const long = 'fn main() { let x = 0' + ' + 1'.repeat(20000) + '; }';
    checkedOk(long);
  });
});

// ---- "did you mean" hints --------------------------------------------------------

/** Each diagnostic as `LINE:COL: MESSAGE` and its hint, if any, after ` | `. */
function hinted(src) {
  return compileFront('t.tier', src).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}${d.hint ? ' | ' + d.hint : ''}`);
}

describe('did you mean', () => {
  test('a misspelled local, global, function or built-in: the closest name in scope', () => {
    assert.deepEqual(hinted('var total = 0;\nfn compute() -> i32 { return 1; }\nfn main() {\n  let count = 1;\n  print(cout + totl + compte());\n  prnt(1);\n}'), [
      "5:9: undefined name 'cout' | did you mean 'count'?",
      "5:16: undefined name 'totl' | did you mean 'total'?",
      "5:23: undefined name 'compte' | did you mean 'compute'?",
      "6:3: undefined name 'prnt' | did you mean 'print'?",
    ]);
  });

  test('an assignment target is hinted too', () => {
    assert.deepEqual(hinted('fn main() { var counter = 0; countr = 1; }'),
      ["1:30: undefined name 'countr' | did you mean 'counter'?"]);
  });

  test('only names in scope: a local of another block or declared later is not offered', () => {
    assert.deepEqual(hinted('fn main() {\n  { let count = 1; }\n  print(cout);\n  let count = 2;\n}'),
      ["3:9: undefined name 'cout'"]);
    assert.deepEqual(hinted('var A = valeu;\nvar value = 1;\nfn main() {}'), ["1:9: undefined name 'valeu'"]);
  });

  test('unknown fields: the struct\'s own fields; in new, those not given yet', () => {
    const prelude = 'struct P { name: str, count: i32, cost: f64 }\n';
    assert.deepEqual(hinted(`${prelude}fn main() { let p: P = null; print(p.nmae); }`),
      ["2:38: struct 'P' has no field 'nmae' | did you mean 'name'?"]);
    assert.deepEqual(hinted(`${prelude}fn main() { let p = new P { name: "a", cost: 1.0, coun: 1 }; }`),
      ["2:25: missing field 'count' in new P", "2:51: struct 'P' has no field 'coun' | did you mean 'count'?"]);
    // `cst` is one edit from `cost` and from `cast`; `cost` is given already.
    assert.deepEqual(hinted('struct Q { cost: f64, cast: f64 }\nfn main() { let q = new Q { cost: 1.0, cst: 1.0 }; }'),
      ["2:25: missing field 'cast' in new Q", "2:40: struct 'Q' has no field 'cst' | did you mean 'cast'?"]);
  });

  test('unknown types: struct names and primitives; after new, struct names only', () => {
    assert.deepEqual(hinted('struct Node { next: Nod }\nfn f(x: i3, y: Noed) {}\nfn main() { let n = new Nodd { next: null }; }'), [
      "1:21: unknown type 'Nod' | did you mean 'Node'?",
      "2:9: unknown type 'i3' | did you mean 'i32'?",
      "2:16: unknown type 'Noed' | did you mean 'Node'?",
      "3:25: unknown type 'Nodd' | did you mean 'Node'?",
    ]);
  });

  test('nothing far off: no hint beyond max(1, len/3) edits, none that replaces a whole name', () => {
    assert.deepEqual(hinted('fn main() { let y = 1; let apple = 2; print(x + aple + bannana + orange); }'), [
      "1:45: undefined name 'x'",
      "1:49: undefined name 'aple' | did you mean 'apple'?",
      "1:56: undefined name 'bannana'",
      "1:66: undefined name 'orange'",
    ]);
  });

  test('the closest wins; among equals the innermost scope, then source order', () => {
    assert.deepEqual(hinted('fn main() { let abcd = 1; let abce = 2; { let abcf = 3; print(abcx); } print(abdc); }').map((l) => l.split(' | ')[1]),
      ["did you mean 'abcf'?", "did you mean 'abcd'?"]);
  });

  test('a swap of two neighbours is one edit', () => {
    assert.deepEqual(hinted('fn main() { let length = 1; print(lenght); }'),
      ["1:35: undefined name 'lenght' | did you mean 'length'?"]);
  });

  test('the hint line follows the caret, indented; the error line is unchanged', () => {
    const r = compileFront('t.tier', 'fn main() {\n  let count = 1;\n  print(cout);\n}\n');
    assert.equal(r.formatted,
      "t.tier:3:9: error: undefined name 'cout'\n" +
      '  print(cout);\n' +
      '        ^\n' +
      "  did you mean 'count'?\n" +
      '1 error\n');
  });
});

describe('the count line', () => {
  test('one error, several errors; syntax errors counted too', () => {
    assert.match(compileFront('t.tier', 'fn main() { let x: i32 = true; }').formatted, /\n1 error\n$/);
    assert.match(compileFront('t.tier', 'fn main() { let = 1; }\nfn f( {}').formatted, /\n2 errors\n$/);
  });

  test('never looks like FILE:LINE:COL, and a clean program prints nothing', () => {
    const last = compileFront('a:1:2', 'fn main() { x; }').formatted.split('\n').slice(-2)[0];
    assert.equal(last, '1 error');
    assert.doesNotMatch(last, /^[^\s].*?:(\d+):(\d+): error: /);
    assert.equal(compileFront('t.tier', 'fn main() {}').formatted, '');
  });
});

describe('edit distance (suggest.ts)', () => {
  test('insertions, deletions, substitutions and neighbour swaps cost 1; capped at limit + 1', async () => {
    const { editDistance, closestName } = await import('../../dist/front/suggest.js');
    assert.equal(editDistance('count', 'count', 3), 0);
    assert.equal(editDistance('cout', 'count', 3), 1);
    assert.equal(editDistance('count', 'cont', 3), 1);
    assert.equal(editDistance('count', 'cuont', 3), 1);
    assert.equal(editDistance('count', 'cpunt', 3), 1);
    assert.equal(editDistance('kitten', 'sitting', 5), 3);
    assert.equal(editDistance('kitten', 'sitting', 2), 3);
    assert.equal(editDistance('a', 'abcdef', 2), 3);
    assert.equal(closestName('x'.repeat(65), ['x'.repeat(64)]), null);
    assert.equal(closestName('abc', ['abd', 'abx']), 'abd');
  });
});

// ---- constant globals ----------------------------------------------------------------

describe('constant globals', () => {
  const code = async (src, name) => {
    const { lowerProgram } = await import('../../dist/front/lower.js');
    const { disassembleFunction } = await import('../../dist/bytecode/disasm.js');
    const m = lowerProgram(checkedOk(src));
    return disassembleFunction(m, m.functions.find((f) => f.name === name));
  };
  const run = async (src) => {
    const { load } = await import('../../dist/vm.js');
    let out = '';
    for (const tier of ['interp', 'jit']) {
      let o = '';
      const r = load('t.tier', src, { tier, stdout: (t) => { o += t; } });
      assert.ok(r.ok);
      assert.equal(r.program.run(), 0);
      if (tier === 'interp') out = o; else assert.equal(o, out, 'every tier the same');
    }
    return out;
  };

  test('a read of an i32 let global with a literal initialiser is the literal', async () => {
    const src = `let K = 3;\nlet M = ~4;\nvar V = 5;\nfn f(x: i32) -> i32 { if x == K { return x & M; } return x + V; }\nfn main() { print(f(3)); print(f(7)); }`;
    const f = await code(src, 'f');
    assert.match(f, /JNEK\s+r0, 3,/);
    assert.match(f, /LOADI\s+r\d+, -5/);
    assert.match(f, /GETGI\s+r\d+, g:V/, 'a var global is read from its slot');
    assert.equal(await run(src), '3\n12\n');
  });

  test('not where an earlier initialiser calls: the called function sees it still 0', async () => {
    const src = `let A: i32 = peek();\nlet B = 5;\nfn peek() -> i32 { return B; }\nfn main() { print(A); print(B); }`;
    assert.match(await code(src, 'peek'), /GETGI\s+r\d+, g:B/);
    assert.equal(await run(src), '0\n5\n');
  });
});

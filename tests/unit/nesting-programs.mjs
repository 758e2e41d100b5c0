// Programs nested exactly N levels deep, one per nesting construct, as the parser
// counts levels (src/front/parser.ts, MAX_NESTING; docs/language.md "Limits").
// Shared by tests/unit/front-limits.test.mjs (at the limit and one past it) and
// bench/nesting.mjs (how deep each stage could go without the limit).
//
// Each construct: source(n), a well-typed program whose deepest point is n levels
// deep (a global initialiser starts at level 0, a function body at level 1); and
// where the level past the limit opens: the n-th token after `marker` whose text
// is one of `openers`.

/** `I`, wrapped in calls whose argument holds 10 binary operators, one per
 *  precedence level, each nested in the right operand of the one before: 11
 *  levels per call, the most host stack per level; parentheses make up the rest. */
function precedenceLevels(n) {
  const calls = Math.floor(n / 11), rest = n % 11;
  let e = `${'('.repeat(rest)}I${')'.repeat(rest)}`;
  for (let j = 0; j < calls; j++) e = `f(B || B && B == I < I | I ^ I & I << I + I * ${e})`;
  return e;
}

/** `1 + (1 + (1 ...))`: each `+` opens a level for its right operand, each `(` another. */
function rightOperands(n) {
  const pairs = Math.floor(n / 2);
  return `1${' + (1'.repeat(pairs)}${n % 2 ? ' + 1' : ''}${')'.repeat(pairs)}`;
}

/** Globals ending in NAME, an array whose type is n levels deep, built from
 *  literals at most 100 levels deep each (`[[A0]]` is deeper than A0). */
function deepArray(name, n) {
  let text = '', inner = '1';
  for (let left = n, j = 0; left > 0; j++) {
    const d = Math.min(100, left);
    left -= d;
    const id = left > 0 ? `${name}${j}` : name;
    text += `let ${id} = ${'['.repeat(d)}${inner}${']'.repeat(d)};\n`;
    inner = id;
  }
  return text;
}

const G = '\nfn main() { }\n';

export const NESTING_PROGRAMS = {
  parentheses: { source: (n) => `let X = ${'('.repeat(n)}1${')'.repeat(n)};${G}`, marker: 'let X', openers: ['('] },
  'right operands': { source: (n) => `let X = ${rightOperands(n)};${G}`, marker: 'let X', openers: ['+', '('] },
  blocks: { source: (n) => `fn main() { ${'{ '.repeat(n - 1)}return;${' }'.repeat(n - 1)} }\n`, marker: 'fn main', openers: ['{'] },
  ifs: { source: (n) => `fn main() { let t = true; ${'if t { '.repeat(n - 1)}return;${' }'.repeat(n - 1)} }\n`, marker: 'fn main', openers: ['{'] },
  whiles: { source: (n) => `fn main() { var t = true; ${'while t { '.repeat(n - 1)}t = false;${' }'.repeat(n - 1)} }\n`, marker: 'fn main', openers: ['{'] },
  calls: { source: (n) => `fn f(x: i32) -> i32 { return x; }\nlet X = ${'f('.repeat(n)}1${')'.repeat(n)};${G}`, marker: 'let X', openers: ['('] },
  'array literals': { source: (n) => `let A = ${'['.repeat(n)}1${']'.repeat(n)};${G}`, marker: 'let A', openers: ['['] },
  'unary minus': { source: (n) => `let X = ${'-'.repeat(n)}1;${G}`, marker: 'let X', openers: ['-'] },
  'unary not': { source: (n) => `let X = ${'!'.repeat(n)}true;${G}`, marker: 'let X', openers: ['!'] },
  'index chain': { source: (n) => `${deepArray('A', n)}let X = A${'[0]'.repeat(n)};${G}`, marker: 'let X', openers: ['['] },
  'field chain': { source: (n) => `struct S { s: S, v: i32 }\nlet Y = new S { s: null, v: 1 };\nlet X = Y${'.s'.repeat(n - 1)}.v;${G}`, marker: 'let X', openers: ['.'] },
  'struct literals': { source: (n) => `struct S { s: S }\nlet X = ${'new S { s: '.repeat(n)}null${' }'.repeat(n)};${G}`, marker: 'let X', openers: ['new'] },
  'array types': { source: (n) => `let X: ${'['.repeat(n)}i32${']'.repeat(n)} = null;${G}`, marker: 'let X', openers: ['['] },
  'fn types': { source: (n) => `let X: ${'fn('.repeat(n)}${')'.repeat(n)} = null;${G}`, marker: 'let X', openers: ['fn'] },
  casts: { source: (n) => `let X = 1${' as i32'.repeat(n)};${G}`, marker: 'let X', openers: ['as'] },
  'new array': { source: (n) => `let X = ${'new [i32]('.repeat(n - 1)}new [i32](1).len${').len'.repeat(n - 1)};${G}`, marker: 'let X', openers: ['new', '.'] },
  'calls+precedence': {
    source: (n) => `fn f(b: bool) -> i32 { return 1; }\nlet B = true;\nlet I = 1;\nlet X = ${precedenceLevels(n)};${G}`,
    marker: 'let X', openers: ['(', '||', '&&', '==', '<', '|', '^', '&', '<<', '+', '*'],
  },
};

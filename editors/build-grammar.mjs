// Writes editors/tier.tmLanguage.json, the TextMate grammar of Tier (VS Code,
// GitHub linguist, Sublime, ...), from the lists the compiler itself uses: the
// lexer's KEYWORDS, the checker's PRIMITIVES and the BUILTINS registry (the
// playground's highlighting, playground/src/tier-lang.ts, reads the same lists).
// `--check` only compares, for the unit test: exit status 1 when the committed
// grammar is out of date. Needs the build (npx tsc -p .).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEYWORDS } from '../dist/front/lexer.js';
import { PRIMITIVES } from '../dist/front/checker.js';
import { BUILTINS } from '../dist/bytecode/builtins.js';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'tier.tmLanguage.json');
const ATOMS = ['true', 'false', 'null'];
const words = (list) => `\\b(${[...list].sort().join('|')})\\b`;

export function grammar() {
  const control = ['if', 'else', 'while', 'for', 'in', 'break', 'continue', 'return'];
  const declaration = [...KEYWORDS].filter((k) => !control.includes(k) && !ATOMS.includes(k));
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'Tier',
    scopeName: 'source.tier',
    fileTypes: ['tier'],
    patterns: [{ include: '#comments' }, { include: '#strings' }, { include: '#numbers' }, { include: '#keywords' }, { include: '#types' }, { include: '#functions' }, { include: '#operators' }],
    repository: {
      comments: {
        patterns: [
          { name: 'comment.line.double-slash.tier', match: '//.*$' },
          { name: 'comment.block.tier', begin: '/\\*', end: '\\*/' },
        ],
      },
      strings: {
        name: 'string.quoted.double.tier', begin: '"', end: '"',
        patterns: [{ name: 'constant.character.escape.tier', match: '\\\\(u\\{[0-9a-fA-F]+\\}|.)' }],
      },
      numbers: {
        patterns: [
          { name: 'constant.numeric.hex.tier', match: '\\b0x[0-9a-fA-F]+\\b' },
          { name: 'constant.numeric.float.tier', match: '\\b\\d+\\.\\d+([eE][+-]?\\d+)?\\b' },
          { name: 'constant.numeric.integer.tier', match: '\\b\\d+\\b' },
        ],
      },
      keywords: {
        patterns: [
          { name: 'keyword.control.tier', match: words(control) },
          { name: 'constant.language.tier', match: words(ATOMS) },
          { name: 'keyword.other.tier', match: words(declaration) },
        ],
      },
      types: {
        patterns: [
          { name: 'storage.type.primitive.tier', match: words(PRIMITIVES.keys()) },
          { name: 'entity.name.type.tier', match: '\\b[A-Z][A-Za-z0-9_]*\\b' },
        ],
      },
      functions: {
        patterns: [
          { match: '\\b(fn)\\s+([A-Za-z_][A-Za-z0-9_]*)', captures: { 1: { name: 'keyword.other.tier' }, 2: { name: 'entity.name.function.tier' } } },
          { name: 'support.function.builtin.tier', match: `${words(Object.keys(BUILTINS))}(?=\\s*\\()` },
          { name: 'entity.name.function.call.tier', match: '\\b[a-z_][A-Za-z0-9_]*(?=\\s*\\()' },
        ],
      },
      operators: {
        patterns: [
          { name: 'keyword.operator.arrow.tier', match: '->' },
          { name: 'keyword.operator.range.tier', match: '\\.\\.' },
          { name: 'keyword.operator.tier', match: '>>>|<<=|>>=|==|!=|<=|>=|<<|>>|&&|\\|\\||[-+*/%&|^]=?|[~!=<>]' },
        ],
      },
    },
  };
}

const text = JSON.stringify(grammar(), null, 2) + '\n';
if (process.argv.includes('--check')) {
  let old = '';
  try { old = readFileSync(OUT, 'utf8'); } catch { /* missing */ }
  if (old !== text) { console.error('editors/tier.tmLanguage.json is out of date: run node editors/build-grammar.mjs'); process.exit(1); }
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}

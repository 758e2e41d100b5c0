// The TextMate grammar (editors/tier.tmLanguage.json) is generated from the
// compiler's own lists and committed up to date; its patterns compile and name
// every keyword, primitive type and built-in; editors/package.json makes the
// folder a VS Code extension that uses it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { KEYWORDS } from '../../dist/front/lexer.js';
import { PRIMITIVES } from '../../dist/front/checker.js';
import { BUILTINS } from '../../dist/bytecode/builtins.js';

const grammar = JSON.parse(readFileSync('editors/tier.tmLanguage.json', 'utf8'));

function patterns(node, out = []) {
  if (node && typeof node === 'object') {
    for (const k of ['match', 'begin', 'end']) if (typeof node[k] === 'string') out.push(node);
    for (const v of Object.values(node)) if (typeof v === 'object') patterns(v, out);
  }
  return out;
}

/** The scope names the grammar's match rules give `word`. */
function scopesOf(word) {
  return patterns(grammar).filter((p) => p.match && p.name && new RegExp(`^(?:${p.match})$`).test(word)).map((p) => p.name);
}

test('the committed grammar is what build-grammar.mjs makes', () => {
  const r = spawnSync(process.execPath, ['editors/build-grammar.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('every pattern compiles; keywords, primitives and built-ins are named', () => {
  for (const p of patterns(grammar)) for (const k of ['match', 'begin', 'end']) if (p[k]) new RegExp(p[k]);
  for (const k of KEYWORDS) assert.ok(scopesOf(k).some((s) => /^(keyword|constant\.language)/.test(s)), k);
  for (const t of PRIMITIVES.keys()) assert.ok(scopesOf(t).includes('storage.type.primitive.tier'), t);
  const builtin = patterns(grammar).find((p) => p.name === 'support.function.builtin.tier');
  for (const b of Object.keys(BUILTINS)) assert.ok(new RegExp(builtin.match).test(`${b}(`), b);
  assert.equal(grammar.scopeName, 'source.tier');
});

test('editors/ is a VS Code extension: the manifest names the grammar and a language configuration', () => {
  const manifest = JSON.parse(readFileSync('editors/package.json', 'utf8'));
  const [lang] = manifest.contributes.languages;
  const [g] = manifest.contributes.grammars;
  assert.deepEqual([lang.id, lang.extensions], ['tier', ['.tier']]);
  assert.deepEqual([g.language, g.scopeName], ['tier', grammar.scopeName]);
  assert.deepEqual(JSON.parse(readFileSync(`editors/${g.path}`, 'utf8')), grammar);
  const config = JSON.parse(readFileSync(`editors/${lang.configuration}`, 'utf8'));
  assert.deepEqual(config.comments, { lineComment: '//', blockComment: ['/*', '*/'] });
  for (const k of ['increaseIndentPattern', 'decreaseIndentPattern']) new RegExp(config.indentationRules[k]);
});

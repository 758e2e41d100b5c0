// The front-end fuzzer (tests/fuzz/front.mjs) over a small fixed range of seeds:
// random bytes, token soup, truncated, deepened and mutated corpus programs must
// never make the front end or load() throw, report an internal error, print
// unbounded diagnostics or compile slowly. (`npm run fuzz:front` runs it longer.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz, makeInput } from '../fuzz/front.mjs';

test('inputs come from their seed alone', () => {
  assert.equal(makeInput(1234).source, makeInput(1234).source);
  assert.notEqual(makeInput(1234).source, makeInput(1235).source);
});

test('seeds 1..400: no failure', async () => {
  const r = await runFuzz({ from: 1, to: 400 });
  assert.equal(r.inputs, 400);
  assert.deepEqual(r.failures.map((f) => `seed ${f.seed}: ${f.problems.join('; ')}`), []);
});

// A syntax error reports no type error that it may have caused: in every fifth
// corpus program (each compiles cleanly), blanking out or doubling any one token
// that makes a lexical or syntax error must leave no type error reported, since
// nothing else changed (front/index.ts: what a declaration cut short leaves checked).
test('one token blanked or doubled in a correct program: syntax errors, never a type error', async () => {
  const { readFileSync, readdirSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { compileFront, lex, parse } = await import('../../dist/front/index.js');
  const root = new URL('../programs', import.meta.url).pathname;
  const files = (d) => readdirSync(d).sort().flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : n.endsWith('.tier') ? [join(d, n)] : []));
  const spurious = [];
  let variants = 0, cutShort = 0;
  for (const [k, f] of files(root).entries()) {
    const src = readFileSync(f, 'utf8');
    if (k % 5 !== 0 || compileFront(f, src).errorCount !== 0) continue;
    const starts = [0];
    for (let i = 0; i < src.length; i++) if (src[i] === '\n') starts.push(i + 1);
    for (const t of lex(src).tokens) {
      if (t.kind === 'eof') continue;
      const at = starts[t.line - 1] + t.col - 1;
      for (const variant of [src.slice(0, at) + ' '.repeat(t.text.length) + src.slice(at + t.text.length), src.slice(0, at) + t.text + ' ' + src.slice(at)]) {
        const lexed = lex(variant);
        const parsed = parse(f, lexed.tokens, lexed.diagnostics, { lexicalAt: lexed.structuralAt });
        if (lexed.errorCount - lexed.valueErrorCount + parsed.errorCount - parsed.valueErrorCount === 0) continue;
        variants++;
        if (parsed.program.broken.length > 0) cutShort++;
        const r = compileFront(f, variant);
        if (r.errorCount > lexed.errorCount + parsed.errorCount) spurious.push(r.formatted);
      }
    }
  }
  assert.ok(variants > 1000 && cutShort > 100, `${variants} variants, ${cutShort} with a declaration cut short`);
  assert.deepEqual(spurious.slice(0, 3), []);
});

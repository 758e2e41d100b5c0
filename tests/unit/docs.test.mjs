// The documentation's programs run and print what the documents say they print,
// so the docs cannot rot. Every ```tier block of docs/tour.md, and every block
// marked ```tier run in docs/language.md, is a whole program; the fenced block
// right after it is what running it as prog.tier shows: standard output, then
// standard error. Its info string is `text`, or `text status=N` for exit status N
// (0 when not given). Each program runs in process through load(), in the
// interpreter and with every function compiled, and must match exactly. The
// README's program prints what the comment on its last line says.
// Build first: `npx tsc -p .`, then `node --test tests/unit/docs.test.mjs`.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from '../../dist/vm.js';

const root = new URL('../../', import.meta.url);
const read = (rel) => readFileSync(new URL(rel, root), 'utf8');

/** The fenced blocks of a markdown text: info string, body, line of the fence. */
export function fencedBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(.*)$/.exec(lines[i]);
    if (!open) continue;
    const body = [];
    let j = i + 1;
    while (j < lines.length && lines[j] !== open[1]) body.push(lines[j++]);
    if (j >= lines.length) throw new Error(`line ${i + 1}: unclosed fence`);
    blocks.push({ info: open[2].trim(), body: body.length ? body.join('\n') + '\n' : '', line: i + 1 });
    i = j;
  }
  return blocks;
}

/**
 * The runnable programs of a document and what each must show. `all`: every
 * ```tier block is one (the tour); otherwise only ```tier run blocks are.
 */
export function runnableExamples(markdown, all) {
  const blocks = fencedBlocks(markdown);
  const examples = [];
  blocks.forEach((b, i) => {
    const isProgram = all ? /^tier\b/.test(b.info) : /^tier\s+run\b/.test(b.info);
    if (!isProgram) return;
    const out = blocks[i + 1];
    const m = out && /^text(?:\s+status=(\d+))?$/.exec(out.info);
    if (!m) throw new Error(`line ${b.line}: a runnable program must be followed by a \`\`\`text block`);
    examples.push({ line: b.line, source: b.body, expected: out.body, status: Number(m[1] ?? 0) });
  });
  return examples;
}

/** Runs a program as prog.tier; stdout then stderr, and the exit status. */
function run(source, opts) {
  let stdout = '', stderr = '';
  const io = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } };
  const loaded = load('prog.tier', source, { ...opts, ...io });
  const status = loaded.ok ? loaded.program.run() : loaded.exitCode;
  return { shown: stdout + stderr, status };
}

const MODES = [{ tier: 'interp' }, { tier: 'jit' }];

function checkExample(ex, mode) {
  const r = run(ex.source, mode);
  assert.equal(r.shown, ex.expected, `the program at line ${ex.line} (${mode.tier}) shows something else`);
  assert.equal(r.status, ex.status, `the program at line ${ex.line} (${mode.tier}) exits with ${r.status}`);
}

for (const [doc, all, atLeast] of [['docs/tour.md', true, 8], ['docs/language.md', false, 20]]) {
  describe(doc, () => {
    const examples = runnableExamples(read(doc), all);
    test(`has at least ${atLeast} runnable programs`, () => {
      assert.ok(examples.length >= atLeast, `${examples.length} found`);
    });
    for (const ex of examples) {
      for (const mode of MODES) {
        test(`line ${ex.line} (${mode.tier})`, () => checkExample(ex, mode));
      }
    }
  });
}

test('README.md: the program near the top prints what its comment says', () => {
  const block = fencedBlocks(read('README.md')).find((b) => b.info === 'tier');
  const said = /\/\/ (.*)\n}\n$/.exec(block.body);
  assert.ok(said, 'the last line of main ends with a comment giving the output');
  for (const mode of MODES) assert.deepEqual(run(block.body, mode), { shown: `${said[1]}\n`, status: 0 });
});

describe('the checker itself', () => {
  const doc = [
    'Some text.', '', '```tier run', 'fn main() { print(1 + 1); }', '```', '```text', 'OUT', '```', '',
    '```tier', 'fn not_run() {}', '```', '',
  ].join('\n');

  test('finds marked programs only, with the output block after them', () => {
    const examples = runnableExamples(doc.replace('OUT', '2'), false);
    assert.equal(examples.length, 1);
    assert.deepEqual(examples[0], { line: 3, source: 'fn main() { print(1 + 1); }\n', expected: '2\n', status: 0 });
    assert.throws(() => runnableExamples(doc.replace('OUT', '2'), true), /line 10: a runnable program must be followed/,
      'in the tour every tier block is a program and needs its output');
  });

  test('fails when a documented output is wrong', () => {
    const [ex] = runnableExamples(doc.replace('OUT', '3'), false);
    assert.throws(() => checkExample(ex, MODES[0]), /shows something else/);
    const [ok] = runnableExamples(doc.replace('OUT', '2'), false);
    assert.throws(() => checkExample({ ...ok, status: 1 }, MODES[0]), /exits with 0/);
  });

  test('fails when a runnable program has no output block', () => {
    assert.throws(() => runnableExamples('```tier run\nfn main() {}\n```\n', false), /must be followed/);
  });
});

// Unit tests for the corpus runner (tests/corpus.mjs): expectation parsing and result checking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseExpectations, checkResult, listPrograms, runCorpus, outputLines } from '../corpus.mjs';

const ok = (stdout, stderr = '') => ({ exitCode: 0, stdout, stderr });

test('parseExpectations reads every annotation kind', () => {
  const src = [
    '// args: one  two three',
    'fn main(args: [str]) {',
    '  print(1); // expect: 1',
    '  print("a b"); // expect: a b',
    '  // expect:',
    '  // expect: ',
    '}',
    '// expect runtime error: index 3 out of bounds for length 3',
    '// expect stderr:   at main (tests/programs/x.tier:4)',
    '// expect error: 12:5',
    '// expect error: 3:10',
  ].join('\n');
  const e = parseExpectations(src);
  assert.deepEqual(e.stdout, ['1', 'a b', '', '']);
  assert.equal(e.runtimeError, 'index 3 out of bounds for length 3');
  assert.deepEqual(e.stderr, ['  at main (tests/programs/x.tier:4)']);
  assert.deepEqual(e.errors, ['12:5', '3:10']);
  assert.deepEqual(e.args, ['one', 'two', 'three']);
});

test('parseExpectations: defaults and CRLF', () => {
  const e = parseExpectations('fn main() {}\r\n// expect: x\r\n');
  assert.deepEqual(e, { stdout: ['x'], runtimeError: null, stderr: [], errors: [], args: [], stdin: '' });
  assert.deepEqual(parseExpectations(''), { stdout: [], runtimeError: null, stderr: [], errors: [], args: [], stdin: '' });
});

test('outputLines drops only the final newline', () => {
  assert.deepEqual(outputLines(''), []);
  assert.deepEqual(outputLines('a\nb\n'), ['a', 'b']);
  assert.deepEqual(outputLines('a\n\nb'), ['a', '', 'b']);
  assert.deepEqual(outputLines('\n'), ['']);
});

test('checkResult accepts matching stdout', () => {
  const e = parseExpectations('// expect: 1\n// expect: two\n');
  assert.equal(checkResult(e, ok('1\ntwo\n')), null);
});

test('checkResult reports a stdout mismatch, a missing line and an extra line', () => {
  const e = parseExpectations('// expect: 1\n// expect: two\n');
  assert.match(checkResult(e, ok('1\nthree\n')), /stdout line 2: expected "two", got "three"/);
  assert.match(checkResult(e, ok('1\n')), /stdout line 2: expected "two", got end of output/);
  assert.match(checkResult(e, ok('1\ntwo\nextra\n')), /stdout line 3: unexpected extra line "extra"/);
});

test('checkResult requires exit status 0 and empty stderr for normal programs', () => {
  const e = parseExpectations('// expect: 1\n');
  assert.match(checkResult(e, { exitCode: 1, stdout: '1\n', stderr: 'runtime error: boom\n' }), /expected exit status 0, got 1/);
  assert.match(checkResult(e, ok('1\n', 'warning\n')), /expected nothing on stderr/);
  assert.match(checkResult(e, { exitCode: null, stdout: '', stderr: '', error: 'timed out after 30 s' }), /timed out/);
});

test('checkResult: runtime errors', () => {
  const e = parseExpectations('// expect: before\n// expect runtime error: division by zero\n');
  const good = { exitCode: 1, stdout: 'before\n', stderr: 'runtime error: division by zero\n  at main (t.tier:3)\n' };
  assert.equal(checkResult(e, good), null);
  assert.match(checkResult(e, { ...good, exitCode: 0 }), /expected runtime error/);
  assert.match(checkResult(e, { ...good, stderr: 'runtime error: null reference\n  at main (t.tier:3)\n' }),
    /stderr line 1: expected "runtime error: division by zero", got "runtime error: null reference"/);
  assert.match(checkResult(e, { ...good, stdout: '' }), /stdout line 1/);
  // the trace lines must look like a guest stack trace
  assert.match(checkResult(e, { ...good, stderr: 'runtime error: division by zero\n' }), /expected a stack trace/);
  assert.match(checkResult(e, { ...good, stderr: 'runtime error: division by zero\n    at Object.<anonymous> (vm.js:10:5)\n' }),
    /not a stack trace line/);
  assert.equal(checkResult(e, { ...good, stderr: 'runtime error: division by zero\n  at f (t.tier:9)\n  ... 12 more frames\n  at main (t.tier:3)\n' }), null);
});

test('checkResult: exact stack trace lines', () => {
  const src = [
    '// expect runtime error: boom',
    '// expect stderr:   at f (tests/programs/a.tier:7)',
    '// expect stderr:   at main (tests/programs/a.tier:9)',
  ].join('\n');
  const e = parseExpectations(src);
  const stderr = 'runtime error: boom\n  at f (tests/programs/a.tier:7)\n  at main (tests/programs/a.tier:9)\n';
  assert.equal(checkResult(e, { exitCode: 1, stdout: '', stderr }), null);
  assert.match(checkResult(e, { exitCode: 1, stdout: '', stderr: stderr.replace(':9)', ':8)') }),
    /stderr \(after line 1\) line 2: expected "  at main \(tests\/programs\/a.tier:9\)", got "  at main \(tests\/programs\/a.tier:8\)"/);
  assert.match(checkResult(e, { exitCode: 1, stdout: '', stderr: stderr + '  at extra (x:1)\n' }), /unexpected extra line/);
});

test('checkResult: compile errors compare the set of positions', () => {
  const e = parseExpectations('// expect error: 3:9\n// expect error: 5:1\n');
  const stderr = [
    'tests/programs/c.tier:5:1: error: second',
    'print(x);',
    '^',
    'tests/programs/c.tier:3:9: error: first',
    '  print(y);',
    '        ^',
  ].join('\n') + '\n';
  assert.equal(checkResult(e, { exitCode: 1, stdout: '', stderr }), null);
  // a duplicate report of the same position does not matter
  assert.equal(checkResult(e, { exitCode: 1, stdout: '', stderr: stderr + 'tests/programs/c.tier:5:1: error: again\n' }), null);
  const missing = checkResult(e, { exitCode: 1, stdout: '', stderr: 'tests/programs/c.tier:3:9: error: first\n' });
  assert.match(missing, /missing errors at 5:1/);
  const extra = checkResult(e, { exitCode: 1, stdout: '', stderr: stderr + 'tests/programs/c.tier:7:2: error: third\n' });
  assert.match(extra, /unexpected errors at 7:2/);
  assert.match(checkResult(e, { exitCode: 0, stdout: '', stderr: '' }), /expected a compile error/);
  assert.match(checkResult(e, { exitCode: 1, stdout: 'x\n', stderr }), /nothing on stdout/);
  // indented lines (source excerpts, carets) are never taken for diagnostics
  assert.match(checkResult(e, { exitCode: 1, stdout: '', stderr: '  x.tier:3:9: error: no\n  x.tier:5:1: error: no\n' }), /missing errors/);
});

test('listPrograms and runCorpus over a temporary tree', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tier-corpus-'));
  try {
    fs.mkdirSync(path.join(root, 'tests', 'programs', 'b'), { recursive: true });
    fs.mkdirSync(path.join(root, 'tests', 'programs', 'a'), { recursive: true });
    fs.writeFileSync(path.join(root, 'tests', 'programs', 'b', 'two.tier'), '// args: x y\n// expect: x y\n');
    fs.writeFileSync(path.join(root, 'tests', 'programs', 'a', 'one.tier'), '// expect: 1\n');
    fs.writeFileSync(path.join(root, 'tests', 'programs', 'a', 'notes.txt'), 'not a program');
    const files = listPrograms(root);
    assert.deepEqual(files, ['tests/programs/a/one.tier', 'tests/programs/b/two.tier']);
    const calls = [];
    const failures = await runCorpus({
      root,
      modes: [{ name: 'interp', flags: ['--no-jit'] }, { name: 'jit', flags: '--jit-threshold 0' }],
      run: (file, args, flags) => {
        calls.push([file, args, flags]);
        if (file.endsWith('one.tier')) return { exitCode: 0, stdout: flags[0] === '--no-jit' ? '1\n' : '2\n', stderr: '' };
        return Promise.resolve({ exitCode: 0, stdout: args.join(' ') + '\n', stderr: '' });
      },
    });
    assert.deepEqual(calls, [
      ['tests/programs/a/one.tier', [], ['--no-jit']],
      ['tests/programs/a/one.tier', [], ['--jit-threshold', '0']],
      ['tests/programs/b/two.tier', ['x', 'y'], ['--no-jit']],
      ['tests/programs/b/two.tier', ['x', 'y'], ['--jit-threshold', '0']],
    ]);
    assert.equal(failures.length, 1);
    assert.equal(failures[0].file, 'tests/programs/a/one.tier');
    assert.equal(failures[0].mode, 'jit');
    assert.match(failures[0].message, /expected "1", got "2"/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('every program in the corpus has expectations', () => {
  const files = listPrograms();
  assert.ok(files.length > 100, `expected a large corpus, found ${files.length} programs`);
  for (const f of files) {
    const e = parseExpectations(fs.readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8'));
    const something = e.stdout.length + e.errors.length + (e.runtimeError !== null ? 1 : 0);
    assert.ok(something > 0, `${f} has no expectations`);
    assert.ok(!(e.errors.length > 0 && (e.runtimeError !== null || e.stdout.length > 0)), `${f} mixes compile errors with run expectations`);
  }
});

// Standard input for read_line(): line splitting over any chunking (runtime/input.ts)
// and the command line's reading of fd 0 (worker.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineInput } from '../../dist/runtime/input.js';
import { load } from '../../dist/vm.js';

function lines(input) {
  const out = [];
  for (let l = input.readLine(); l !== null; l = input.readLine()) out.push(l);
  assert.equal(input.readLine(), null);
  return out;
}

/** An input that hands `text` over in pieces of `size` code units. */
function chunked(text, size) {
  let at = 0;
  return new LineInput(() => { if (at >= text.length) return null; const c = text.slice(at, at + size); at += size; return c; });
}

test('lines end at \\n or \\r\\n; a last line without one still counts; then null', () => {
  const text = 'a\r\nbb\n\nccc\r\n\rd\nlast';
  const want = ['a', 'bb', '', 'ccc', '\rd', 'last'];
  assert.deepEqual(lines(LineInput.fromText(text)), want);
  for (let size = 1; size <= text.length; size++) assert.deepEqual(lines(chunked(text, size)), want, `chunks of ${size}`);
  assert.deepEqual(lines(LineInput.fromText('x\n')), ['x']);
  assert.deepEqual(lines(LineInput.fromText('')), []);
  assert.deepEqual(lines(LineInput.empty()), []);
});

test('a program reads nothing unless it asks', () => {
  let pulls = 0;
  const input = new LineInput(() => { pulls++; return null; });
  assert.equal(pulls, 0);
  assert.equal(input.readLine(), null);
  assert.equal(pulls, 1);
});

test('the command line decodes stdin as UTF-8 across reads, and reads only when asked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiervm-stdin-'));
  const prog = join(dir, 'echo.tier');
  writeFileSync(prog, 'fn main() {\n  var l = read_line();\n  while l != null { print("[" + l + "] " + str(l.len)); l = read_line(); }\n}\n');
  // A leading byte order mark is input like any other character (U+FEFF).
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('π=3.14\r\n'), Buffer.from([0xff, 0x41, 0x0a]), Buffer.from('😀 end')]);
  for (const tier of ['interp', 'auto']) {
    const r = spawnSync(process.execPath, ['bin/tiervm.js', 'run', `--tier=${tier}`, prog], { input: bytes, encoding: 'utf8' });
    assert.equal(r.stdout, '[\uFEFFπ=3.14] 7\n[\uFFFDA] 2\n[😀 end] 6\n', r.stderr);
    assert.equal(r.status, 0);
  }
  // A program that never reads does not wait for stdin (stdin left open and empty).
  const quiet = join(dir, 'quiet.tier');
  writeFileSync(quiet, 'fn main() { print(1); }\n');
  const q = spawnSync(process.execPath, ['bin/tiervm.js', 'run', quiet], { stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10000 });
  assert.equal(q.stdout, '1\n');
});

test('an endless line is out of memory, found in time linear in its length', () => {
  let pulls = 0;
  const input = new LineInput(() => { pulls++; return 'x'.repeat(1000); });
  input.maxLineUnits = 100000;
  assert.throws(() => input.readLine(), (e) => e.message === 'out of memory');
  assert.ok(pulls <= 101);
  let err = '';
  const r = load('z.tier', 'fn main() { print(1); let l = read_line(); print(l.len); }',
    { stdin: () => '\0'.repeat(1 << 16), maxHeapMB: 1, stdout: () => {}, stderr: (t) => { err += t; } });
  assert.equal(r.program.run(), 1);
  assert.equal(err, 'runtime error: out of memory\n  at main (z.tier:1)\n');
});

test("an embedder's stdin that throws or gives a wrong piece ends the run with that exception", () => {
  const src = 'fn main() { print(read_line()); }';
  for (const tier of ['interp', 'jit']) {
    const boom = new Error('no input today');
    const r = load('s.tier', src, { tier, stdin: () => { throw boom; }, stdout: () => {} });
    assert.throws(() => r.program.run(), (e) => e === boom);
    const w = load('s.tier', src, { tier, stdin: () => 42, stdout: () => {} });
    assert.throws(() => w.program.run(), (e) => e instanceof TypeError && /stdin returned number/.test(e.message));
  }
});

test("an embedder's stdin that gives only empty pieces is stopped by the deadline and the interrupt flag", () => {
  const src = 'fn main() {\n  print("waiting");\n  let l = read_line();\n  print(l);\n}';
  for (const tier of ['interp', 'auto', 'jit']) {
    let out = '', err = '';
    const r = load('e.tier', src, { tier, deadlineMs: 50, stdin: () => '',
      stdout: (t) => { out += t; }, stderr: (t) => { err += t; } });
    assert.equal(r.program.run(), 1, tier);
    assert.equal(out, 'waiting\n');
    assert.equal(err, 'runtime error: interrupted\n  at main (e.tier:3)\n', tier);
    // (pulls may be 0: on a loaded machine the deadline can pass before the first piece)
    // The flag: set by the source itself after a while (as another thread would).
    let n = 0, err2 = '';
    const p = load('e.tier', src, { tier, interruptible: true, stdout: () => {}, stderr: (t) => { err2 += t; },
      stdin: () => { if (++n === 1000) p.program.interrupt(); return ''; } });
    assert.equal(p.program.run(), 1, tier);
    assert.equal(err2, 'runtime error: interrupted\n  at main (e.tier:3)\n', tier);
    assert.equal(n, 1000);
  }
});

test('examples/filter.tier summarises standard input, the same in every tier and through the command line', async () => {
  const { readFileSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const src = readFileSync(join(root, 'examples/filter.tier'), 'utf8');
  const input = 'one 2 three\nfour 56\n\tindented 7x8 line\n';
  const expected = 'lines: 3\nwords: 8\nchars: 36\nlongest: \tindented 7x8 line\nsum of numbers: 73\n';
  for (const tier of ['interp', 'jit', 'auto']) {
    let out = '';
    const r = load('filter.tier', src, { tier, jitThreshold: 1, stdin: input, stdout: (t) => { out += t; } });
    assert.equal(r.program.run(), 0);
    assert.equal(out, expected, tier);
  }
  const cli = spawnSync(process.execPath, [join(root, 'bin/tiervm.js'), 'run', join(root, 'examples/filter.tier')], { input, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout, expected);
});

test('tiervm run -e CODE runs the program text, with its arguments; errors name the file <eval>', () => {
  const bin = join(new URL('../..', import.meta.url).pathname, 'bin/tiervm.js');
  const ok = spawnSync(process.execPath, [bin, 'run', '-e', 'fn main(args: [str]) { print("hi " + args[0]); }', 'there'], { encoding: 'utf8' });
  assert.deepEqual([ok.status, ok.stdout, ok.stderr], [0, 'hi there\n', '']);
  const bad = spawnSync(process.execPath, [bin, 'run', '-e', 'fn main() { print(x); }'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^<eval>:1:19: error: undefined name 'x'\n/);
  const trap = spawnSync(process.execPath, [bin, 'run', '-e', 'fn main() { print(1 / 0); }'], { encoding: 'utf8' });
  assert.deepEqual([trap.status, trap.stderr], [1, 'runtime error: division by zero\n  at main (<eval>:1)\n']);
  const missing = spawnSync(process.execPath, [bin, 'run', '-e'], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^tiervm: -e needs the program text/);
});

// A read that blocks past the deadline (the command line's read of standard
// input; here a source that takes 80 ms to give its line) ends the run when it
// returns, at the read: the program does not go on with the line.
test('a read that returns past the deadline ends the run at the read', () => {
  const src = 'fn main() {\n  print("waiting");\n  let l = read_line();\n  print("got " + l);\n}';
  for (const tier of ['interp', 'auto', 'jit']) {
    let out = '', err = '';
    const slow = () => { const until = performance.now() + 80; while (performance.now() < until) { /* blocked */ } return 'late\n'; };
    const r = load('b.tier', src, { tier, deadlineMs: 20, stdin: slow, stdout: (t) => { out += t; }, stderr: (t) => { err += t; } });
    assert.equal(r.program.run(), 1, tier);
    assert.equal(out, 'waiting\n', tier);
    assert.equal(err, 'runtime error: interrupted\n  at main (b.tier:3)\n', tier);
  }
});

// The cap holds for a line that ends, however its pieces came: one longer than
// the cap by one unit, in a piece with its line end, or whole after a short
// line in one piece, is out of memory; one at the cap is read.
test('a line one unit past the cap is out of memory, one at it is read', () => {
  const make = (pieces) => { let i = 0; const input = new LineInput(() => (i < pieces.length ? pieces[i++] : null)); input.maxLineUnits = 1000; return input; };
  assert.equal(make(['x'.repeat(1000) + '\n']).readLine().length, 1000);
  assert.throws(() => make(['x'.repeat(1001) + '\n']).readLine(), (e) => e.message === 'out of memory');
  assert.throws(() => make(['x'.repeat(600), 'x'.repeat(401) + '\nrest']).readLine(), (e) => e.message === 'out of memory');
  const two = make(['short\n' + 'x'.repeat(1001) + '\n']);
  assert.equal(two.readLine(), 'short');
  assert.throws(() => two.readLine(), (e) => e.message === 'out of memory');
  assert.throws(() => make(['x'.repeat(1001)]).readLine(), (e) => e.message === 'out of memory');
  // A `\r\n` line end: the `\r` is not the line's (found by a conformance check:
  // a line at the cap ending `\r\n` was out of memory), in one piece or split.
  assert.equal(make(['x'.repeat(1000) + '\r\n']).readLine().length, 1000);
  assert.equal(make(['x'.repeat(1000) + '\r', '\nrest']).readLine().length, 1000);
  assert.equal(make(['x'.repeat(999), 'x\r\n']).readLine().length, 1000);
  assert.throws(() => make(['x'.repeat(1001) + '\r\n']).readLine(), (e) => e.message === 'out of memory');
  assert.throws(() => make(['x'.repeat(1000) + '\r']).readLine(), (e) => e.message === 'out of memory');
});

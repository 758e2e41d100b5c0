// The command line (src/cli.ts, src/worker.ts) as a user meets it, in real child
// processes: closed and full output, bad flags, special and unreadable files,
// standard input left alone. On both paths: --tier=interp runs on the main
// thread, auto and jit on a worker thread. No error path may print a host stack
// trace or exit with 70 (an internal error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'tiervm.js');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'tiervm-cli-'));
const TIERS = ['--tier=interp', '--tier=auto', '--tier=jit'];
const onPosix = process.platform !== 'win32';

/** A program file in the temporary directory. */
function program(name, text) {
  const file = path.join(TMP, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Run tiervm with `args` (stdin, stdout, stderr as given). */
function tiervm(args, options = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, ...options });
}

const sh = (script) => spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Nothing that looks like a JavaScript stack trace or an internal error. */
function assertNoHostTrace(stderr, what) {
  assert.doesNotMatch(stderr, /^\s+at .*(\.js|\.ts|node:)/m, `${what}: host stack trace in ${JSON.stringify(stderr)}`);
  assert.doesNotMatch(stderr, /internal error/, what);
}

const MANY = program('many.tier', 'fn main() { for i in 0..200000 { print(i); } }\n');
const FOREVER = program('forever.tier', 'fn main() { while true { print(1); } }\n');
const HELLO = program('hello.tier', 'fn main() { print("hello"); }\n');

// ---- output that cannot be written ------------------------------------------------

/** `tiervm ARGS | head -1`: tiervm's status, stderr and what head printed. */
function intoHead(args) {
  const status = path.join(TMP, 'status'), err = path.join(TMP, 'stderr');
  fs.rmSync(status, { force: true });
  const r = sh(`(${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')} 2>${q(err)}; echo $? >${q(status)}) | head -1`);
  return { status: Number(fs.readFileSync(status, 'utf8')), stderr: fs.readFileSync(err, 'utf8'), head: r.stdout, timedOut: r.error !== undefined };
}

test('a closed pipe ends the run at once and silently, with status 141', { skip: !onPosix }, () => {
  for (const tier of TIERS) {
    for (const file of [MANY, FOREVER]) {
      const r = intoHead(['run', tier, file]);
      const what = `${tier} ${path.basename(file)}`;
      assert.equal(r.timedOut, false, what);
      assert.equal(r.head, file === MANY ? '0\n' : '1\n', what);
      assert.equal(r.stderr, '', what);
      assert.equal(r.status, 141, what);
    }
  }
});

test('a closed pipe while printing the disassembly is status 141 too', { skip: !onPosix }, () => {
  const big = program('big.tier', Array.from({ length: 3000 }, (_, i) => `fn f${i}() -> i32 { return ${i}; }`).join('\n') + '\nfn main() {}\n');
  for (const args of [['disasm', big]]) {
    const r = intoHead(args);
    assert.equal(r.stderr, '', args.join(' '));
    assert.equal(r.status, 141, args.join(' '));
  }
});

test('a full disk is one line on stderr and status 1', { skip: !fs.existsSync('/dev/full') }, () => {
  for (const tier of TIERS) {
    for (const args of [['run', tier, HELLO], ['run', tier, MANY], ['disasm', HELLO], ['--version']]) {
      const full = fs.openSync('/dev/full', 'w');
      const r = tiervm(args, { stdio: ['ignore', full, 'pipe'] });
      fs.closeSync(full);
      const what = args.join(' ');
      assert.equal(r.status, 1, `${what}: ${r.stderr}`);
      assert.match(r.stderr, /^tiervm: cannot write output: ENOSPC: no space left on device\n$/, what);
    }
  }
});

test('compiled code printed to a full stderr stops the run at once, as a trace line does', { skip: !fs.existsSync('/dev/full') }, () => {
  // Found by a command-line audit: --print-code's failure failed the compile
  // only, and the run went on to its end (a million lines), then exited 1.
  const hot = program('hot-print.tier', 'fn f(x: i32) -> i32 { return x + 1; }\nfn main() {\n  var s = 0;\n  for i in 0..1000000 { s = f(s); print(s); }\n}\n');
  for (const flags of [['--print-code=f'], ['--print-code=f', '--tier=jit'], ['--trace-tier']]) {
    const full = fs.openSync('/dev/full', 'w');
    const r = tiervm(['run', ...flags, hot], { stdio: ['ignore', 'pipe', full], maxBuffer: 1 << 26 });
    fs.closeSync(full);
    assert.equal(r.status, 1, flags.join(' '));
    const lines = r.stdout.split('\n').length - 1;
    assert.ok(lines < 100, `${flags.join(' ')}: ${lines} lines printed`);
    assert.equal(r.stdout, Array.from({ length: lines }, (_, i) => `${i + 1}\n`).join(''), flags.join(' '));
  }
});

test('a program error on a closed stderr still ends with its own status', { skip: !onPosix }, () => {
  const failing = program('fails.tier', 'fn main() { print(1 / (1 - 1)); }\n');
  for (const tier of TIERS) {
    const r = sh(`${q(process.execPath)} ${q(BIN)} run ${tier} ${q(failing)} 2>&-; echo "status $?"`);
    assert.equal(r.stdout, 'status 1\n', tier);
  }
});

// ---- flags ------------------------------------------------------------------------

/** [arguments, the flag or word the one-line report must name]. */
const BAD_USAGE = [
  [['run', '--stack-size=4194304', HELLO], '--stack-size'],
  [['run', '--stack-size=63', HELLO], '--stack-size'],
  [['run', '--stack-size=0', HELLO], '--stack-size'],
  [['run', '--max-heap=0', HELLO], '--max-heap'],
  [['run', '--max-heap=99999999999999999999', HELLO], '--max-heap'],
  [['run', '--max-heap=2048', HELLO], '--max-heap'],
  [['run', '--max-heap=2047', HELLO], '--max-heap'],
  [['run', '--max-heap=1500', '--stack-size=1048576', HELLO], '--max-heap'],
  [['run', '--max-heap=1.5', HELLO], '--max-heap'],
  [['run', '--max-heap=', HELLO], '--max-heap'],
  [['run', '--max-heap', HELLO], '--max-heap'],
  [['run', '--jit-threshold=-1', HELLO], '--jit-threshold'],
  [['run', '--jit-threshold=0', HELLO], '--jit-threshold'],
  [['run', '--jit-threshold=1073741825', HELLO], '--jit-threshold'],
  [['run', '--jit-threshold=99999999999999999999999', HELLO], '--jit-threshold'],
  [['run', '--tier=bogus', HELLO], '--tier'],
  [['run', '--tier=', HELLO], '--tier'],
  [['run', '--tier', HELLO], '--tier'],
  [['run', '--jit-backend=bogus', HELLO], '--jit-backend'],
  [['run', '--compile=async', HELLO], '--compile'],
  [['run', '--jit-filter=(', HELLO], '--jit-filter'],
  [['run', '--print-code', HELLO], '--print-code'],
  [['run', '--gc-stress=yes', HELLO], '--gc-stress'],
  [['run', '--no-inline=1', HELLO], '--no-inline'],
  [['run', '--bogus', HELLO], '--bogus'],
  [['run', '-x', HELLO], '-x'],
  [['frob', HELLO], 'frob'],
  [['run'], 'run'],
  [[], 'command'],
  [['check', HELLO, 'extra'], 'extra'],
];

test('every bad flag is one line naming it and status 2', () => {
  for (const [args, name] of BAD_USAGE) {
    const r = tiervm(args);
    const what = args.join(' ');
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.equal(r.stdout, '', what);
    assert.match(r.stderr, /^tiervm: [^\n]+\n$/, what);
    assert.ok(r.stderr.includes(name), `${what}: ${r.stderr}`);
    assertNoHostTrace(r.stderr, what);
  }
});

test('good limits run', () => {
  for (const args of [['--max-heap=1', '--stack-size=64'], ['--stack-size=1048576'], ['--max-heap=2039'], ['--jit-threshold=1073741824']]) {
    const r = tiervm(['run', ...args, HELLO]);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, 'hello\n');
  }
});

// ---- files ------------------------------------------------------------------------

test('/dev/zero is refused once 16 MiB are read, not read forever', { skip: !fs.existsSync('/dev/zero') }, () => {
  for (const tier of TIERS) {
    const r = tiervm(['run', tier, '/dev/zero'], { timeout: 20_000 });
    assert.equal(r.error, undefined, 'timed out');
    assert.equal(r.status, 2, tier);
    assert.equal(r.stderr, "tiervm: cannot read '/dev/zero': larger than 16 MiB\n");
  }
});

test('a regular file over 16 MiB is refused; 16 MiB exactly is read', () => {
  const big = path.join(TMP, 'big-comment.tier');
  const head = 'fn main() { print("big"); }\n//';
  fs.writeFileSync(big, head + ' '.repeat(16 * 1024 * 1024 - head.length));
  // (A heap large enough for any 16 MiB source: the check of the heap's room,
  // below, would refuse it under node's default heap of 4 GiB or less.)
  const roomy = (args) => spawnSync(process.execPath, ['--max-old-space-size=8000', BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  const exact = roomy(['check', big]);
  assert.equal(exact.status, 0, exact.stderr);
  fs.appendFileSync(big, ' ');
  const over = roomy(['check', big]);
  assert.equal(over.status, 2);
  assert.equal(over.stderr, `tiervm: cannot read '${big}': larger than 16 MiB\n`);
  fs.rmSync(big);
});

test('a FIFO fed forever is refused at 16 MiB', { skip: !onPosix }, () => {
  const fifo = path.join(TMP, 'fifo.tier');
  if (sh(`mkfifo ${q(fifo)}`).status !== 0) return;
  const r = sh(`(yes 'fn main() {}' > ${q(fifo)} 2>/dev/null &) ; ${q(process.execPath)} ${q(BIN)} check ${q(fifo)}; echo "status $?"`);
  assert.equal(r.stdout, 'status 2\n');
  assert.equal(r.stderr, `tiervm: cannot read '${fifo}': larger than 16 MiB\n`);
});

test('unreadable files: one line each, status 2', () => {
  const dir = path.join(TMP, 'adir.tier');
  fs.mkdirSync(dir, { recursive: true });
  const cases = [
    [dir, 'is a directory'],
    [path.join(TMP, 'missing.tier'), 'no such file'],
    [path.join(HELLO, 'below'), 'not a directory'],
  ];
  if (onPosix && process.getuid?.() !== 0) {
    const locked = program('locked.tier', 'fn main() {}\n');
    fs.chmodSync(locked, 0o000);
    cases.push([locked, 'permission denied']);
  }
  for (const [file, why] of cases) {
    for (const command of ['run', 'check', 'disasm']) {
      const r = tiervm([command, file]);
      assert.equal(r.status, 2, file);
      assert.equal(r.stderr, `tiervm: cannot read '${file}': ${why}\n`);
      assert.equal(r.stdout, '');
    }
  }
});

test('invalid UTF-8 is refused with its line; a byte order mark is skipped', () => {
  const bad = path.join(TMP, 'latin1.tier');
  fs.writeFileSync(bad, Buffer.concat([Buffer.from('fn main() {\n  print("caf'), Buffer.from([0xe9]), Buffer.from('");\n}\n')]));
  const r = tiervm(['run', bad]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `tiervm: cannot read '${bad}': not valid UTF-8 (line 2)\n`);
  const encoded = program('encoded.tier', 'fn main() { print("\uFFFD caf\u00e9"); }\n');
  assert.equal(tiervm(['run', encoded]).stdout, '\uFFFD caf\u00e9\n', 'a real U+FFFD in the source is fine');
  const bom = path.join(TMP, 'bom.tier');
  fs.writeFileSync(bom, '\uFEFFfn main() { print("bom"); }\n');
  const b = tiervm(['run', bom]);
  assert.equal(b.stdout, 'bom\n', b.stderr);
});

test('the source may come from a pipe (process substitution, /dev/stdin)', { skip: !onPosix }, () => {
  const r = sh(`${q(process.execPath)} ${q(BIN)} run /dev/stdin < ${q(HELLO)}`);
  assert.equal(r.stdout, 'hello\n', r.stderr);
});

// ---- standard input ---------------------------------------------------------------

test('a program that does not read stdin leaves it alone', { skip: !onPosix }, () => {
  const input = program('input.txt', 'line one\nline two\n');
  for (const tier of TIERS) {
    const r = sh(`{ ${q(process.execPath)} ${q(BIN)} run ${tier} ${q(HELLO)}; cat; } < ${q(input)}`);
    assert.equal(r.stdout, 'hello\nline one\nline two\n', tier);
  }
});

test('an open, silent stdin does not keep tiervm waiting', async () => {
  for (const tier of TIERS) {
    const child = spawn(process.execPath, [BIN, 'run', tier, HELLO], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    const timer = setTimeout(() => child.kill(), 20_000);
    const [status] = await once(child, 'exit');
    clearTimeout(timer);
    child.stdin.destroy();
    assert.equal(status, 0, `${tier}: did not end by itself`);
    assert.equal(stdout, 'hello\n');
  }
});

test.after(() => fs.rmSync(TMP, { recursive: true, force: true }));

test('--version prints the version written in package.json', () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
  assert.deepEqual([r.status, r.stdout, r.stderr], [0, `tiervm ${version}\n`, '']);
});

test('-- ends the options: FILE after it may start with -, and what follows is ARGS', () => {
  const file = program('-dash.tier', 'fn main(a: [str]) { print(a.len); print(a[0]); }\n');
  const r = tiervm(['run', '--tier=interp', '--', path.basename(file), '--tier=jit'], { cwd: TMP });
  assert.equal(r.stdout, '1\n--tier=jit\n');
  assert.equal(r.status, 0);
  const none = tiervm(['run', '--']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /run needs a FILE/);
});

// Output to a pipe is delivered while the program runs (src/cli-io.ts): the
// first line at once, later ones within OUTPUT_FLUSH_MS of a later write, so a
// long run shows its progress and a run killed by a signal keeps what it
// printed. (Before, output waited for 64 KiB or the end of the run.)
test('output to a pipe arrives while the program still runs', async () => {
  const spin = program('spin.tier', `fn main() {
  print("start");
  var k = 0;
  while true { k += 1; if k % 5000000 == 0 { print(k); } }
}`);
  for (const tier of TIERS) {
    const child = spawn(process.execPath, [BIN, 'run', tier, '--deadline-ms=30000', spin], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const lines = new Promise((resolve) => child.stdout.on('data', (d) => { stdout += d; if (stdout.split('\n').length > 3) resolve(); }));
    const timer = setTimeout(() => child.kill(), 25_000);
    await Promise.race([lines, once(child, 'exit')]);
    const running = child.exitCode === null;
    child.kill();
    clearTimeout(timer);
    assert.ok(running, `${tier}: the output came only when the run ended`);
    assert.match(stdout, /^start\n5000000\n10000000\n/, tier);
  }
});

test('--help and --version take no value, and an empty command is unknown', () => {
  for (const [args, message] of [[['--help=x'], 'tiervm: --help takes no value\n'], [['--version=3'], 'tiervm: --version takes no value\n'],
    [['', 'run', 'x.tier'], "tiervm: unknown command '' (see tiervm --help)\n"]]) {
    const r = tiervm(args);
    assert.deepEqual([r.status, r.stdout], [2, ''], args.join(' '));
    assert.ok(r.stderr.startsWith(message), r.stderr);
  }
});

test('a file name cannot forge a line: control characters in it are shown as U+FFFD', { skip: !onPosix }, () => {
  // Found by a command-line audit: a name holding a newline printed a line of
  // its own that looked like an error at a position, and one holding ESC sent
  // escape sequences to the terminal.
  const forged = program('nl\nfake.tier:9:9: error: forged.tier', 'fn main() { print(1) }\n');
  const shown = forged.replace(/\n/g, '\uFFFD');
  const c = tiervm(['run', forged]);
  assert.equal(c.status, 1);
  assert.equal(c.stderr.split('\n')[0], `${shown}:1:22: error: expected ';' but found '}'`);
  const trapping = program('rt\nat main (x:1).tier', 'fn main() {\n  let a = [1];\n  print(a[3]);\n}\n');
  const t = tiervm(['run', trapping]);
  assert.equal(t.stderr, `runtime error: index 3 out of bounds for length 1\n  at main (${trapping.replace(/\n/g, '\uFFFD')}:3)\n`);
  const missing = tiervm(['run', path.join(TMP, 'no\x1b[31mfile')]);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, `tiervm: cannot read '${path.join(TMP, 'no\uFFFD[31mfile')}': no such file\n`);
});

test('a source larger than this process\'s heap could compile is refused up front, not a fatal error of node', () => {
  // Found by a command-line audit: compiling takes up to about 400 bytes of
  // host heap per byte of source, and a 6 MB program under a 300 MB heap
  // ended in V8's "JavaScript heap out of memory" with a native stack trace.
  const big = program('big.tier', `fn main() {\n  var x = 0;\n${'  x = x + 1;\n'.repeat(160_000)}  print(x);\n}\n`);
  const small = spawnSync(process.execPath, ['--max-old-space-size=300', BIN, 'check', big], { encoding: 'utf8' });
  assert.equal(small.status, 2, small.stderr);
  assert.match(small.stderr, /^tiervm: cannot read '.*big\.tier': too large to compile in this process's memory \(2\.\d MiB; at most 0\.\d MiB here, where node's heap is \d+\.\d MiB: node --max-old-space-size=MB allows more\)\n$/);
  const enough = spawnSync(process.execPath, ['--max-old-space-size=2000', BIN, 'run', big], { encoding: 'utf8' });
  assert.equal(enough.stdout, '160000\n', enough.stderr);
});

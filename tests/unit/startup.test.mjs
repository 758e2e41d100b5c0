// Start-up (docs/architecture.md, "Start-up"): the bundled command line that
// bin/tiervm.js loads (scripts/bundle.mjs), its code cache, the rule that a
// bundle older than tsc's output is not used, and the compiling backend built
// only when something is compiled. Needs `npm run build` (npm test runs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../../dist/vm.js';
import { hasWasm } from './host-caps.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.join(ROOT, 'dist');
const BIN = path.join(ROOT, 'bin', 'tiervm.js');
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'tiervm-startup-'));
const PROGRAM = 'fn main() { print("sum " + str(sum(100))); }\nfn sum(n: i32) -> i32 { var s = 0; for i in 0..n { s = s + i; } return s; }\n';
const OUTPUT = 'sum 4950\n';

/** The build's cache file for the bundle dist/NAME.cjs (its first line names
 *  the build). */
function cacheFile(name = 'tiervm') {
  const id = /^\/\/ tiervm bundle ([0-9a-f]+)\n/.exec(fs.readFileSync(path.join(DIST, `${name}.cjs`), 'latin1'))?.[1];
  assert.ok(id, `${name}.cjs starts with its build line`);
  return path.join(DIST, `${name}-${id}.cache`);
}

/** The main bundle and the JIT's, each with its cache. */
const BUNDLES = ['tiervm', 'tiervm-jit'].flatMap((n) => [`${n}.cjs`, path.basename(cacheFile(n))]);

/** A copy of bin/ and of the named dist/ files under a fresh directory. */
function install(name, distFiles) {
  const dir = path.join(TMP, name);
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  for (const f of fs.readdirSync(path.join(ROOT, 'bin'))) fs.copyFileSync(path.join(ROOT, 'bin', f), path.join(dir, 'bin', f));
  for (const f of distFiles) fs.cpSync(path.join(DIST, f), path.join(dir, 'dist', f), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  fs.writeFileSync(path.join(dir, 'prog.tier'), PROGRAM);
  return dir;
}

const run = (dir, ...args) => spawnSync(process.execPath, [path.join(dir, 'bin', 'tiervm.js'), ...args, path.join(dir, 'prog.tier')], { encoding: 'utf8' });

test('the build made the bundles, ASCII, and their code caches; the JIT is only in its own', () => {
  for (const name of ['tiervm', 'tiervm-jit']) {
    const bundle = fs.readFileSync(path.join(DIST, `${name}.cjs`), 'latin1');
    assert.match(bundle, /^[\x00-\x7f]*$/);
    assert.ok(fs.statSync(cacheFile(name)).size > 0);
  }
  // Lowering and the backends are the JIT's; the main bundle has the door to it.
  const main = fs.readFileSync(path.join(DIST, 'tiervm.cjs'), 'latin1');
  const jit = fs.readFileSync(path.join(DIST, 'tiervm-jit.cjs'), 'latin1');
  for (const name of ['WasmBackend=class', 'JsBackend=class', 'function functionModule(']) {
    assert.ok(!main.includes(name), `the main bundle holds ${name}`);
    assert.ok(jit.includes(name), `the JIT's bundle lacks ${name}`);
  }
  assert.ok(main.includes('tiervmLoad("tiervm-jit.cjs"'));
});

test('bin/tiervm.js runs programs with the bundle alone, in every mode', () => {
  // No dist/cli.js beside it: only the bundle can have run the program.
  const dir = install('bundle-only', BUNDLES);
  for (const tier of ['--tier=interp', '--tier=auto', '--tier=jit']) {
    const r = run(dir, 'run', tier);
    assert.equal(r.stderr, '', tier);
    assert.equal(r.stdout, OUTPUT, tier);
    assert.equal(r.status, 0, tier);
  }
  const usage = spawnSync(process.execPath, [path.join(dir, 'bin', 'tiervm.js'), 'run', '--tier=fast', 'x.tier'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.equal(usage.stderr, "tiervm: --tier: unknown tier 'fast' (available: interp, auto, jit, opt)\n");
});

test('a run that compiles nothing never reads the JIT\'s script; without it, hot code stays interpreted', () => {
  const dir = install('no-jit', BUNDLES.slice(0, 2));
  const quiet = path.join(dir, 'quiet.tier');
  fs.writeFileSync(quiet, 'fn main() { print(1); }\n');
  for (const tier of ['--tier=interp', '--tier=auto']) {
    const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'tiervm.js'), 'run', tier, quiet], { encoding: 'utf8' });
    assert.deepEqual([r.stdout, r.stderr, r.status], ['1\n', '', 0], tier);
  }
  // A program that gets hot asks for the JIT: its compiles fail, and it runs on.
  const r = run(dir, 'run', '--jit-threshold=1', '--trace-tier');
  assert.equal(r.stdout, OUTPUT);
  assert.equal(r.status, 0);
  assert.match(r.stderr, /\[tier\] failed .*tiervm-jit\.cjs/);
});

test('both code caches are accepted by a node started like the command', () => {
  // --tier=jit compiles main: the JIT's script is loaded, before V8's flags are set.
  const empty = path.join(TMP, 'empty.tier');
  fs.writeFileSync(empty, 'fn main() {}\n');
  const probe = `const t = require(${JSON.stringify(BIN)}); t.loadBundle().exports.main(['run', '--tier=jit', ${JSON.stringify(empty)}])
    .then((status) => process.stdout.write(JSON.stringify([status, ...t.loaded.map((l) => [require('node:path').basename(l.cacheFile), l.script.cachedDataRejected])])));`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(r.stdout), [0, [path.basename(cacheFile()), false], [path.basename(cacheFile('tiervm-jit')), false]], r.stderr);
});

test('in a checkout, a bundle older than tsc\'s output is not used: dist/cli.js runs instead; an installed package always uses its bundle', () => {
  const dir = install('stale', fs.readdirSync(DIST));
  fs.mkdirSync(path.join(dir, 'src'));   // a checkout: tsc may have run after the build
  const bundle = path.join(dir, 'dist', 'tiervm.cjs');
  const line = fs.readFileSync(bundle, 'latin1').split('\n')[0];
  fs.writeFileSync(bundle, `${line}\nthrow new Error('the stale bundle ran');\n`);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(bundle, old, old);
  const r = run(dir, 'run');
  assert.equal(r.stdout, OUTPUT, r.stderr);
  assert.equal(r.status, 0);
  // ... and the same bundle, newer than dist/cli.js, is what runs.
  const now = new Date(Date.now() + 60_000);
  fs.utimesSync(bundle, now, now);
  assert.match(run(dir, 'run').stderr, /the stale bundle ran/);
  // An installed package (no src/) is never rebuilt in place, and npm gives its
  // files the times it unpacked them: its bundle runs even when older.
  fs.rmdirSync(path.join(dir, 'src'));
  fs.utimesSync(bundle, old, old);
  assert.match(run(dir, 'run').stderr, /the stale bundle ran/);
});


test('the compiling backend is built by the first compile, not before', () => {
  const quiet = { stdout: () => {} };
  const cold = load('cold.tier', 'fn main() { print(1); }\n', { tier: 'auto', ...quiet }).program;
  cold.run();
  assert.ok(cold.inst.backend !== null, 'a backend is chosen');
  assert.equal(cold.inst.backend.built, null, 'nothing got hot: no backend built');
  const hot = load('hot.tier', PROGRAM, { tier: 'auto', jitThreshold: 1, ...quiet }).program;
  hot.run();
  assert.notEqual(hot.inst.backend.built, null);
  assert.equal(hot.inst.backend.built.name, hot.inst.backend.name);
  assert.equal(hot.inst.backend.name, hasWasm ? 'wasm' : 'js');
  const interp = load('i.tier', PROGRAM, { tier: 'interp', ...quiet }).program;
  interp.run();
  assert.equal(interp.inst.backend, null);
});

test('--print-code of a function never compiled says so, with a backend chosen but not built', () => {
  let err = '';
  const p = load('cold.tier', 'fn main() {}\n', { tier: 'auto', printCode: 'main', stdout: () => {}, stderr: (t) => { err += t; } }).program;
  assert.equal(p.run(), 0);
  assert.equal(err, "tiervm: --print-code=main: nothing printed: 'main' was never compiled (not hot enough; try --tier=jit)\n");
});

// The global `performance` costs node about 1 ms at its first use (it loads
// perf_hooks); the runtime's own clock (runtime/clock.ts) does not, so a run
// that compiles, enters OSR code and collects pays nothing for its timing.
// (A fresh process: the test runner itself may have loaded it.)
test('a run that compiles, enters OSR code and collects does not make node load perf_hooks', () => {
  const script = `
    import { load } from ${JSON.stringify(path.join(DIST, 'vm.js'))};
    const before = new Set(process.moduleLoadList);
    const src = 'struct N { next: N }\\nfn f(i: i32) -> i32 { return i * 2; }\\n' +
      'fn main() { var n: N = null; var s = 0; for i in 0..200000 { n = new N { next: n }; if i % 1000 == 0 { n = null; } s = s + f(i); } print(s); }\\n';
    let out = '';
    for (const tier of ['interp', 'auto', 'jit']) load('p.tier', src, { tier, stdout: (t) => { out += t; } }).program.run();
    const added = process.moduleLoadList.filter((m) => !before.has(m) && /perf/.test(m));
    console.log(JSON.stringify({ out, added }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { out, added } = JSON.parse(r.stdout);
  assert.equal(out, '1345094336\n'.repeat(3));
  assert.deepEqual(added, []);
});

// Loading node's v8 module costs about 2.5 ms (it requires the heap utilities
// and the streams); the command line needs it only to set V8's flags, which it
// does when it first builds a wasm backend (src/cli.ts, WASM_HOST.prepare).
test('the command line loads node\'s v8 module only when it compiles', { skip: !hasWasm }, () => {
  const preload = path.join(TMP, 'modules.cjs');
  fs.writeFileSync(preload, `const fs = require('fs'); const before = new Set(process.moduleLoadList);
process.on('exit', () => fs.writeSync(2, JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m))) + '\\n'));\n`);
  const empty = path.join(TMP, 'empty.tier');
  fs.writeFileSync(empty, 'fn main() {}\n');
  const loaded = (...args) => {
    const r = spawnSync(process.execPath, ['-r', preload, BIN, 'run', ...args, empty], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stderr.trim().split('\n').pop());
  };
  const modes = ['--tier=interp', '--tier=auto', '--tier=jit'].map((t) => [t, loaded(t)]);
  assert.ok(!modes[0][1].includes('NativeModule v8'));
  assert.ok(!modes[1][1].includes('NativeModule v8'));
  assert.ok(modes[2][1].includes('NativeModule v8'));
  // Nor perf_hooks, in any mode (the output's flush clock once loaded it: 3 ms).
  for (const [tier, list] of modes) assert.deepEqual(list.filter((m) => /perf/.test(m)), [], tier);
});

// The command line optimizes wasm at once (--no-liftoff), except tier-1 code
// whose every call ends soon: code without a loop, or whose loops ran short so
// far, compiles in V8's baseline compiler, which V8 optimizes in the background
// once hot (config.ts, WASM_HOST.baseline). OSR entries, a function whose
// loops ran long, and tier 2 are optimized at once.
test('the command line compiles tier-1 code whose calls end soon in V8\'s baseline compiler', { skip: !hasWasm }, () => {
  const file = path.join(TMP, 'baseline.tier');
  fs.writeFileSync(file, `fn sq(x: i32) -> i32 { return x * x; }
fn short(n: i32) -> i32 { var s = 0; for i in 0..n { s = s + i; } return s; }
fn long(n: i32) -> i32 { var s = 0; for i in 0..n { s = (s + i) % 1000; } return s; }
fn main() {
  var t = 0;
  for k in 0..40 { t = (t + sq(k) + short(3) + long(100000)) % 100000; }
  print(t);
}
`);
  const compiles = (...args) => {
    const r = spawnSync(process.execPath, [BIN, 'run', '--trace-tier', ...args, file], { encoding: 'utf8' });
    assert.deepEqual([r.stdout, r.status], ['20660\n', 0], r.stderr);
    return r.stderr.split('\n').filter((l) => l.startsWith('[tier] compile ')).map((l) => `${/^\[tier\] compile ([^:]+):/.exec(l)[1]}${l.includes(', baseline') ? ' baseline' : ''}`);
  };
  assert.deepEqual(compiles().sort(), ['long', 'long (osr entry at pc 13)', 'short baseline', 'sq baseline']);
  assert.ok(compiles('--tier=opt').every((c) => !c.endsWith('baseline')));
  // An embedder's V8 compiles every module in its baseline compiler first: nothing to do.
  const events = [];
  load('b.tier', fs.readFileSync(file, 'utf8'), { tier: 'auto', stdout: () => {}, onTierEvent: (e) => events.push(e) }).program.run();
  assert.ok(events.some((e) => e.kind === 'compiled') && events.every((e) => e.kind !== 'compiled' || e.baseline === false));
});

// The published package, used as a user would: `npm pack`, install the tarball in
// a new project, then use it from ESM, from TypeScript (the declarations type-check
// a typed program), through its command (`npx tiervm`), and bundled for the
// browser (the `browser` condition; the bundle runs in a context with no
// `process` and no `require`). Run by scripts/test.mjs once, on plain node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import assert from 'node:assert/strict';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(join(tmpdir(), 'tiervm-package-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function sh(cmd, args, cwd, input) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', input, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const PROGRAM = 'fn sq(x: i32) -> i32 { return x * x; }\nfn main() { print("sq " + str(sq(7))); }\n';
let passed = 0;
const check = (what, f) => { f(); passed++; console.log(`ok   ${what}`); };

// 1. pack and install into a fresh project. npm test built dist/ just before;
// `prepare` is not run again here (--ignore-scripts): it rebuilt dist/ in place
// while the other test steps, running beside this one, loaded files from it.
const packed = JSON.parse(sh(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT));
const tarball = join(work, packed[0].filename);
const files = packed[0].files.map((f) => f.path);
check('the tarball holds the library, its declarations, the command, the docs and the licence', () => {
  for (const f of ['dist/vm.js', 'dist/vm.d.ts', 'bin/tiervm.js', 'LICENSE', 'README.md', 'docs/language.md', 'docs/embedding.md', 'package.json']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('tests/') || f.startsWith('bench/')), 'no sources, tests or benchmarks');
});
const app = join(work, 'app');
sh('mkdir', ['-p', app], work);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
sh(NPM, ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], app);
check('installing it pulls in nothing else (benchmark peers stay out of the install)', () => {
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
  assert.deepEqual(Object.keys(lock.packages).filter((k) => k !== ''), ['node_modules/tiervm']);
});

// 2. ESM
writeFileSync(join(app, 'esm.mjs'), `import { load } from 'tiervm';
const r = load('p.tier', ${JSON.stringify(PROGRAM)}, { stdout: (t) => process.stdout.write(t) });
r.program.run();
console.log(r.program.call('sq', 12));
`);
check('ESM: import { load } from "tiervm"', () => assert.equal(sh(process.execPath, ['esm.mjs'], app), 'sq 49\n144\n'));

// 3. the command
check('the command: npx tiervm run -e', () => {
  assert.equal(sh(join(app, 'node_modules/.bin/tiervm'), ['run', '-e', PROGRAM], app), 'sq 49\n');
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(sh(join(app, 'node_modules/.bin/tiervm'), ['--version'], app), `tiervm ${version}\n`, 'the version of package.json');
});

check('the installed command loads its one-script build, whatever order npm unpacked the files in', () => {
  // npm gives each file the time it unpacked it, and the tarball holds
  // dist/cli.js after dist/tiervm.cjs: taken for a stale build, the bundle was
  // never used and every command started about twice as slowly.
  const installed = join(app, 'node_modules/tiervm');
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(installed, 'dist/cli.js'), later, later);
  utimesSync(join(installed, 'dist/jit/wasm/compile-thread.js'), later, later);
  const probe = `const b = require(${JSON.stringify(join(installed, 'bin/tiervm.js'))}); console.log(b.loadBundle() !== null);`;
  assert.equal(sh(process.execPath, ['-e', probe], app), 'true\n');
  const threaded = sh(join(app, 'node_modules/.bin/tiervm'), ['run', '--tier=auto', '--compile=thread', '-e', 'fn f(x: i32) -> i32 { return x + 1; }\nfn main() { var s = 0; for i in 0..200000 { s = f(s); } print(s); }'], app);
  assert.equal(threaded, '200000\n');
});

// 4. TypeScript: the declarations type-check a typed use, and reject a wrong one
writeFileSync(join(app, 'typed.ts'), `import { load, type VmOptions, type LoadResult, TierRuntimeError, GuestRef, type RefKind, type TierDiagnostic } from 'tiervm';
const opts: VmOptions = { tier: 'auto', maxSteps: 1000, stdout: (t: string) => { process.stdout.write(t); },
  externs: { twice: (x: number): number => 2 * x, named: (s: string | null) => s?.length ?? 0 } };
const r: LoadResult = load('p.tier', 'fn main() { print(1); }', opts);
if (r.ok) { const status: number = r.program.run(); console.log(status, r.program.functions.map((f) => f.name)); }
else { console.log(r.text); }
try { if (r.ok) r.program.call('main'); } catch (e) { if (e instanceof TierRuntimeError) console.log(e.frames.length); }
const q = load('q.tier', 'struct P { x: i32 }\\nfn mk(x: i32) -> P { return new P { x: x }; }\\nfn px(p: P) -> i32 { return p.x; }\\nfn main() {}', { interruptible: true });
if (q.ok) {
  const mk = q.program.fn<[number], GuestRef>('mk');
  const px: (p: GuestRef) => number = q.program.fn<[GuestRef], number>('px');
  const h: GuestRef = mk(41);
  const kind: RefKind = h.kind;
  console.log(px(h) + 1, kind, h.type, mk.length, q.program.interruptBuffer !== null);
  h.release();
  q.program.interrupt();
  try { q.program.call('px', null); } catch (e) { if (e instanceof TierRuntimeError) console.log(e.message); }
  q.program.dispose();
} else {
  const d: TierDiagnostic | undefined = q.errors[0];
  console.log(d?.line);
}
`);
writeFileSync(join(app, 'wrong.ts'), `import { load } from 'tiervm';
load('p.tier', 'fn main() {}', { tier: 'fastest' });
`);
const tsc = [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
  '--target', 'es2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types')];
check('TypeScript: the declarations type-check a typed program, which runs', () => {
  // Compiled under --strict (a type error fails it) and run: the values the
  // types promise are the values it gets.
  sh(process.execPath, [...tsc.filter((a) => a !== '--noEmit'), '--outDir', 'out', 'typed.ts'], app);
  writeFileSync(join(app, 'out', 'package.json'), JSON.stringify({ type: 'module' }));
  assert.equal(sh(process.execPath, [join('out', 'typed.js')], app), "1\n0 [ 'main' ]\n1\n42 struct P 1 true\ninterrupted\n");
});
check('TypeScript: and reject a wrong option', () => {
  const r = spawnSync(process.execPath, [...tsc, 'wrong.ts'], { cwd: app, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /fastest/);
});

// 5. the browser condition: bundled for the browser, run with no process or require
writeFileSync(join(app, 'browser.js'), `import { load } from 'tiervm';
let out = '';
const r = load('p.tier', ${JSON.stringify(PROGRAM)}, { stdout: (t) => { out += t; } });
r.program.run();
globalThis.result = out + r.program.call('sq', 5);
// No stdout or stderr callback: the console (one message per delivery).
globalThis.status = load('d.tier', 'fn main() { print("one"); write("two"); print(1 / 0); }').program.run();
`);
const { build } = await import(join(ROOT, 'node_modules/esbuild/lib/main.js'));
await build({ entryPoints: [join(app, 'browser.js')], absWorkingDir: app, bundle: true, platform: 'browser', format: 'iife',
  outfile: join(app, 'bundle.js'), logLevel: 'error' });
check('browser: bundles with no node: import and runs without process or require', () => {
  const bundle = readFileSync(join(app, 'bundle.js'), 'utf8');
  assert.doesNotMatch(bundle, /\b(?:require|import)\s*\(\s*["']node:|\bfrom\s*["']node:/, 'no import or require of a node: module');
  // With no process, and with the partial one many pages define for libraries
  // that read process.env (no streams: the console all the same).
  for (const process of [undefined, { env: { NODE_ENV: 'production' }, browser: true }]) {
    const log = [];
    const console = { log: (t) => log.push(['log', t]), error: (t) => log.push(['error', t]) };
    const context = vm.createContext({ WebAssembly, console, performance, TextEncoder, TextDecoder, Atomics, SharedArrayBuffer, setTimeout, clearTimeout, ...(process ? { process } : {}) });
    vm.runInContext(bundle, context);
    assert.equal(context.result, 'sq 49\n25');
    assert.equal(vm.runInContext('typeof process + " " + typeof require', context), `${process ? 'object' : 'undefined'} undefined`);
    assert.equal(context.status, 1);
    assert.deepEqual(log, [['log', 'one\ntwo'], ['error', 'runtime error: division by zero\n  at main (d.tier:1)']]);
  }
});

console.log(`package: ${passed} checks passed`);

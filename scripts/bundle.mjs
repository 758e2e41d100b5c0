// The command line's start-up build: bundles tsc's output into two CommonJS
// scripts, dist/tiervm.cjs (dist/cli.js and every module it imports but the
// JIT) and dist/tiervm-jit.cjs (the JIT, jit/entry.js, which the first loads
// when a program first gets hot: src/embed/jit-door.ts), and makes the V8 code
// cache bin/tiervm.js compiles each with (dist/NAME-ID.cache). Run by `npm run
// build` and `prepare`, after tsc (it bundles dist/, so the bundles are exactly
// the code the tests run).
//
//   node scripts/bundle.mjs           bundle, then make the caches in a child
//   node scripts/bundle.mjs --cache   (the child) load the bundle as bin/tiervm.js
//                                     does, warm it up (its output is dropped),
//                                     write both code caches
//
// What must stay true:
//   - the bundles are ASCII (bin/tiervm.js reads them as latin1); checked here;
//   - each one's first line is `// tiervm bundle ID`, ID a hash of the rest: a
//     cache is found by that ID, so a cache never meets another build's bundle
//     (V8 checks a cache against the source's length only);
//   - the modules outside jit/ exist once: the JIT's bundle requires them by
//     their path under dist/ and the main bundle hands over its own;
//   - the caches are made by a child node started like the command (no flags)
//     that loaded the bundle through bin/tiervm.js, so the V8 version and flags
//     they record are the ones the command has (V8 rejects a cache made under
//     other flags; the command then compiles the bundle, slower but correct);
//     its warm-up sets no V8 flags either (main's `v8Flags: false`): the command
//     sets them only when it first builds a wasm backend, after both bundles
//     are compiled (src/cli.ts, src/embed/instance.ts).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const BUNDLE = join(DIST, 'tiervm.cjs');

/** What the main bundle's cache is warmed with: the empty program in every
 *  mode. V8 caches the functions that ran (they are compiled lazily), so this
 *  puts in everything start-up needs. Warming it with the benchmark programs
 *  too (when the JIT was in the same script: a cache of 475 KiB instead of 343)
 *  made richards 1 in auto mode 12 ms faster but every empty program 1-2.5 ms
 *  slower, and interpreted richards 4 ms slower: a bigger cache costs more than
 *  loading it (measured, bench/startup.mjs). What is not in the cache compiles
 *  as without one. The JIT's functions have a cache of their own, below. */
const WARM_UP = [
  ['run', '--tier=interp'],
  ['run', '--tier=auto'],
  ['run', '--tier=jit'],
  ['run', '--tier=jit', '--jit-backend=js'],
];

/** What the JIT's cache is warmed with besides: compiles of real programs at
 *  tiny sizes, of every kind the wasm backend makes (tier 1 and OSR entries at
 *  every chance, tier 2). That cache is read only by a run that compiles
 *  something, which then finds more of tiervm's compiler already compiled. */
const JIT_WARM_UP = [
  ['run', '--tier=auto', '--jit-threshold=1'],
  ['run', '--tier=opt'],
];
const JIT_WARM_UP_PROGRAMS = [
  ['fib', '12'], ['nbody', '10'], ['spectral', '8'], ['fannkuch', '5'], ['mandelbrot', '16'],
  ['binarytrees', '4'], ['fasta', '50'], ['sieve', '1000'], ['richards', '1'], ['strings', '50'],
];

const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  charset: 'ascii',
  legalComments: 'none',
  // Comments and blanks only: names stay readable in profiles and traces.
  minifyWhitespace: true,
  logLevel: 'warning',
};

/** Bundles `entry` (CommonJS text, ASCII checked) with esbuild, `plugins` on. */
async function bundleText(esbuild, entry, plugins) {
  const built = await esbuild.build({
    ...COMMON,
    entryPoints: [entry],
    // import.meta.url (src/jit/thread.ts locates the compiler thread's entry by
    // it) is the bundle's own file.
    define: { 'import.meta.url': 'tiervmBundleUrl' },
    banner: { js: 'var tiervmBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    plugins,
    write: false,
  });
  const code = built.outputFiles[0].text;
  if (!/^[\x00-\x7f]*$/.test(code)) throw new Error(`scripts/bundle.mjs: the bundle of ${entry} is not ASCII`);
  return code;
}

/** Writes dist/NAME.cjs with its build line, `// tiervm bundle ID`. */
function writeBundle(name, code) {
  const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
  writeFileSync(join(DIST, `${name}.cjs`), `// tiervm bundle ${id}\n${code}`);
}

/** The JIT's bundle: dist/jit/entry.js and the rest of jit/, every module
 *  outside jit/ left out and required by its path under dist/ (`runtime/heap.js`):
 *  the main bundle hands over its own instances of those (jitDoorStub), so a
 *  class or a constant is the same object on both sides. Returns the code and
 *  those paths. */
async function jitBundle(esbuild) {
  const shared = new Set();
  const JIT = join(DIST, 'jit') + sep;
  const outsideJit = {
    name: 'outside-jit',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        const file = resolve(args.resolveDir, args.path);
        if (file.startsWith(JIT)) return undefined;
        const key = relative(DIST, file).split(sep).join('/');
        shared.add(key);
        return { path: key, external: true };
      });
    },
  };
  const code = await bundleText(esbuild, join(DIST, 'jit', 'entry.js'), [outsideJit]);
  return { code, shared: [...shared].sort() };
}

/** The module that takes embed/jit-door.js's place in the main bundle: the
 *  same loadJit(), which runs dist/tiervm-jit.cjs (through bin/tiervm.js's
 *  loader, `tiervmLoad`, with its code cache) the first time it is called, and
 *  answers its requires of modules outside jit/ with the main bundle's own. */
function jitDoorStub(shared) {
  const imports = shared.map((key, i) => `import * as m${i} from ${JSON.stringify(join(DIST, key))};`);
  const table = shared.map((key, i) => `  ${JSON.stringify(key)}: m${i},`);
  return [
    ...imports,
    'const SHARED = {', ...table, '};',
    'let jit = null;',
    'export function loadJit() {',
    '  return jit ??= tiervmLoad("tiervm-jit.cjs", (id) => SHARED[id] ?? require(id));',
    '}',
  ].join('\n');
}

async function bundle() {
  const esbuild = await import('esbuild');
  const jit = await jitBundle(esbuild);
  const door = {
    name: 'jit-door',
    setup(b) {
      b.onResolve({ filter: /\/jit-door\.js$/ }, () => ({ path: 'jit-door', namespace: 'jit-door' }));
      b.onLoad({ filter: /.*/, namespace: 'jit-door' }, () => ({ contents: jitDoorStub(jit.shared), resolveDir: DIST, loader: 'js' }));
    },
  };
  const code = await bundleText(esbuild, join(DIST, 'cli.js'), [door]);
  if (code.includes('function wasmBackend(')) throw new Error('scripts/bundle.mjs: the JIT is in the main bundle');
  // The compiler thread's entry (src/jit/thread.ts), one script too.
  await esbuild.build({ ...COMMON, entryPoints: [join(DIST, 'jit', 'wasm', 'compile-thread.js')], outfile: join(DIST, 'compile-thread.cjs') });
  for (const f of readdirSync(DIST)) if (/^tiervm(-jit)?-[0-9a-f]+\.cache$/.test(f)) rmSync(join(DIST, f));
  writeBundle('tiervm', code);
  writeBundle('tiervm-jit', jit.code);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--cache'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (child.status !== 0) throw new Error(`scripts/bundle.mjs: making the code caches failed (status ${child.status})`);
  // On stderr: `npm pack --json` runs prepare and its stdout must stay JSON.
  const kib = (t) => (t.length / 1024).toFixed(0);
  process.stderr.write(`dist/tiervm.cjs (${kib(code)} KiB), dist/tiervm-jit.cjs (${kib(jit.code)} KiB) and their code caches\n`);
}

/** Writes the code cache of every script loaded so far that has none yet. */
function writeCaches(loaded) {
  for (const { script, cacheFile } of loaded) {
    if (cacheFile !== null && !existsSync(cacheFile)) writeFileSync(cacheFile, script.createCachedData());
  }
}

async function makeCache() {
  const { loadBundle, loaded } = createRequire(import.meta.url)('../bin/tiervm.js');
  const main = loadBundle()?.exports;
  if (main === undefined || loaded[0]?.cacheFile == null) throw new Error('scripts/bundle.mjs: no fresh bundle to make a cache for');
  const dir = mkdtempSync(join(tmpdir(), 'tiervm-bundle-'));
  const empty = join(dir, 'empty.tier');
  writeFileSync(empty, 'fn main() {}\n');
  // No V8 flags: the command loads both bundles under node's own (src/cli.ts, main).
  const warm = async (args) => {
    const status = await main.main(args, 'warm-up', { v8Flags: false });
    if (status !== 0) throw new Error(`scripts/bundle.mjs: warming up with ${args.join(' ')} failed (status ${status})`);
  };
  for (const args of WARM_UP) await warm([...args, empty]);
  // The main bundle's cache holds what start-up needs and no more; the JIT's
  // (loaded by the warm-up's first compile) is written after real compiles.
  writeCaches(loaded.slice(0, 1));
  for (const [name, size] of JIT_WARM_UP_PROGRAMS) {
    const file = join(ROOT, 'bench', 'programs', `${name}.tier`);
    if (!existsSync(file)) continue;   // (a package unpacked without bench/)
    for (const args of JIT_WARM_UP) await warm([...args, file, size]);
  }
  rmSync(dir, { recursive: true });
  if (loaded.length < 2) throw new Error('scripts/bundle.mjs: the warm-up never loaded the JIT');
  writeCaches(loaded);
}

await (process.argv.includes('--cache') ? makeCache() : bundle());

// The command line's start-up build: bundles tsc's output (dist/cli.js and every
// module it imports) into dist/tiervm.cjs, one CommonJS script, and makes the V8
// code cache that bin/tiervm.js compiles it with (dist/tiervm-ID.cache). Run by
// `npm run build` and `prepare`, after tsc (it bundles dist/, so the bundle is
// exactly the code the tests run).
//
//   node scripts/bundle.mjs           bundle, then make the cache in a child
//   node scripts/bundle.mjs --cache   (the child) load the bundle as bin/tiervm.js
//                                     does, warm it up (its output is dropped),
//                                     write its code cache
//
// What must stay true:
//   - the bundle is ASCII (bin/tiervm.js reads it as latin1); checked here;
//   - its first line is `// tiervm bundle ID`, ID a hash of the rest: a cache is
//     found by that ID, so a cache never meets another build's bundle (V8 checks
//     a cache against the source's length only);
//   - the cache is made by a child node started like the command (no flags) that
//     loaded the bundle through bin/tiervm.js, so the V8 version and flags it
//     records are the ones the command has (V8 rejects a cache made under other
//     flags; the command then compiles the bundle, slower but correct); its
//     warm-up sets no V8 flags either (main's `v8Flags: false`): the command
//     sets them only when it first builds a wasm backend, after the bundle is
//     compiled (src/cli.ts).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const BUNDLE = join(DIST, 'tiervm.cjs');

/** What the cache is warmed with: the empty program in every mode. V8 caches
 *  the functions that ran (they are compiled lazily), so this puts in everything
 *  start-up needs. Warming with the benchmark programs too (a cache of 475 KiB
 *  instead of 343) made richards 1 in auto mode 12 ms faster but every empty
 *  program 1-2.5 ms slower, and interpreted richards 4 ms slower: a bigger cache
 *  costs more than loading it (measured, bench/startup.mjs). What is not in the
 *  cache compiles as without one. */
const WARM_UP = [
  ['run', '--tier=interp'],
  ['run', '--tier=auto'],
  ['run', '--tier=jit'],
  ['run', '--tier=jit', '--jit-backend=js'],
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

async function bundle() {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    ...COMMON,
    entryPoints: [join(DIST, 'cli.js')],
    // import.meta.url (src/jit/thread.ts locates the compiler thread's entry by
    // it) is the bundle's own file.
    define: { 'import.meta.url': 'tiervmBundleUrl' },
    banner: { js: 'var tiervmBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    write: false,
  });
  const code = built.outputFiles[0].text;
  // The compiler thread's entry (src/jit/thread.ts), one script too.
  await esbuild.build({ ...COMMON, entryPoints: [join(DIST, 'jit', 'wasm', 'compile-thread.js')], outfile: join(DIST, 'compile-thread.cjs') });
  if (!/^[\x00-\x7f]*$/.test(code)) throw new Error('scripts/bundle.mjs: the bundle is not ASCII');
  const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
  for (const f of readdirSync(DIST)) if (/^tiervm-[0-9a-f]+\.cache$/.test(f)) rmSync(join(DIST, f));
  writeFileSync(BUNDLE, `// tiervm bundle ${id}\n${code}`);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--cache'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (child.status !== 0) throw new Error(`scripts/bundle.mjs: making the code cache failed (status ${child.status})`);
  // On stderr: `npm pack --json` runs prepare and its stdout must stay JSON.
  process.stderr.write(`dist/tiervm.cjs (${(code.length / 1024).toFixed(0)} KiB) and its code cache\n`);
}

async function makeCache() {
  const { loadBundle } = createRequire(import.meta.url)('../bin/tiervm.js');
  const loaded = loadBundle();
  if (loaded === null || loaded.cacheFile === null) throw new Error('scripts/bundle.mjs: no fresh bundle to make a cache for');
  const empty = join(mkdtempSync(join(tmpdir(), 'tiervm-bundle-')), 'empty.tier');
  writeFileSync(empty, 'fn main() {}\n');
  const runs = WARM_UP.map((args) => [...args, empty]);
  for (const args of runs) {
    // No V8 flags: the command loads the bundle under node's own (src/cli.ts, main).
    const status = await loaded.exports.main(args, 'warm-up', { v8Flags: false });
    if (status !== 0) throw new Error(`scripts/bundle.mjs: warming up with ${args.join(' ')} failed (status ${status})`);
  }
  rmSync(dirname(empty), { recursive: true });
  writeFileSync(loaded.cacheFile, loaded.script.createCachedData());
}

await (process.argv.includes('--cache') ? makeCache() : bundle());

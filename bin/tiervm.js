#!/usr/bin/env node
// The tiervm command (src/cli.ts), and how it is loaded quickly. Start-up is
// most of the time of a short run (docs/architecture.md, "Start-up"), so this
// loads, fastest first:
//   - dist/tiervm.cjs, the whole command line but the JIT in one script
//     (scripts/bundle.mjs, run by `npm run build` and `prepare`), compiled with
//     the V8 code cache the build made for it (dist/tiervm-ID.cache): node reads
//     one file and deserialises compiled code instead of resolving, parsing and
//     compiling ~50 modules; the JIT (dist/tiervm-jit.cjs, with a cache of its
//     own) is loaded the same way by the bundle when something first gets hot;
//   - dist/cli.js and its modules (tsc's output), when there is no bundle or,
//     in a checkout (src/ is there), tsc ran after it (dist/cli.js is newer:
//     the bundle may be stale). An installed package has no src/ and is never
//     rebuilt in place, and its file times are when npm unpacked each file,
//     in the tarball's order: there the bundle is always the one to load.
// This directory is CommonJS (bin/package.json): a CommonJS entry spares node
// its ES module loader, and vm.Script takes a code cache, which ES modules
// cannot on node 20. The bundle exports the same main() as dist/cli.js.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist');
const BUNDLE = path.join(DIST, 'tiervm.cjs');
/** A bundle's first line names its build; its code cache is made per build. */
const BUILD_LINE = /^\/\/ tiervm bundle ([0-9a-f]+)\n/;

/** The code cache file of the bundle `file` (dist/NAME.cjs) whose source is
 *  `source`: dist/NAME-ID.cache; null when the bundle has no build line. */
function cacheFileOf(file, source) {
  const m = BUILD_LINE.exec(source);
  return m === null ? null : path.join(DIST, `${path.basename(file, '.cjs')}-${m[1]}.cache`);
}

/** Every script loaded so far, as loadScript returned it (the build writes
 *  their code caches after its warm-up, scripts/bundle.mjs). */
const loaded = [];

/** The bundle dist/NAME.cjs, compiled (with its code cache when there is one)
 *  and run as a CommonJS module whose `require` is `req`: { exports, script,
 *  cacheFile }. Its wrapper also passes `tiervmLoad(NAME, req)`, which loads
 *  another and returns its exports, for the bundle's own use (the JIT's script,
 *  dist/tiervm-jit.cjs, loaded by the main bundle when a program first gets
 *  hot: src/embed/jit-door.ts). */
function loadScript(name, req) {
  const file = path.join(DIST, name);
  // The build checks that a bundle is ASCII: read as latin1, it is a one-byte
  // string made without decoding.
  const source = fs.readFileSync(file, 'latin1');
  const cacheFile = cacheFileOf(file, source);
  let cachedData;
  try { if (cacheFile !== null) cachedData = fs.readFileSync(cacheFile); } catch { /* none: compile */ }
  // V8 takes a code cache only under the flags it was made with: node's own,
  // here as at the build. The command line sets its V8 flags later, when it
  // first builds a wasm backend (src/cli.ts, V8_FLAGS), after loading the JIT:
  // a run that compiles nothing never loads node's v8 module.
  const vm = require('node:vm');
  const wrapped = `(function (exports, require, module, __filename, __dirname, tiervmLoad) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, req, mod, file, DIST, (n, r) => loadScript(n, r).exports);
  const result = { exports: mod.exports, script, cacheFile };
  loaded.push(result);
  return result;
}

/** The command line's bundle, loaded as loadScript says; null when there is
 *  no usable bundle. */
function loadBundle() {
  const bundle = fs.statSync(BUNDLE, { throwIfNoEntry: false });
  if (bundle === undefined) return null;
  if (fs.existsSync(path.join(__dirname, '..', 'src'))) {
    const tsc = fs.statSync(path.join(DIST, 'cli.js'), { throwIfNoEntry: false });
    if (tsc !== undefined && tsc.mtimeMs > bundle.mtimeMs) return null;
  }
  return loadScript(path.basename(BUNDLE), require);
}

function start() {
  const bundle = loadBundle();
  const cli = bundle !== null ? Promise.resolve(bundle.exports) : import('../dist/cli.js');
  // The version is package.json's (the one place it is written).
  const version = require('../package.json').version;
  cli.then((m) => m.main(process.argv.slice(2), version)).then((status) => { process.exitCode = status; });
}

if (require.main === module) start();
else module.exports = { loadBundle, loaded };

#!/usr/bin/env node
// The tiervm command (src/cli.ts), and how it is loaded quickly. Start-up is
// most of the time of a short run (docs/architecture.md, "Start-up"), so this
// loads, fastest first:
//   - dist/tiervm.cjs, the whole command line in one script (scripts/bundle.mjs,
//     run by `npm run build` and `prepare`), compiled with the V8 code cache the
//     build made for it (dist/tiervm-ID.cache): node reads one file and
//     deserialises compiled code instead of resolving, parsing and compiling
//     ~50 modules;
//   - dist/cli.js and its modules (tsc's output), when there is no bundle or
//     tsc ran after it (dist/cli.js is newer: the bundle may be stale).
// This directory is CommonJS (bin/package.json): a CommonJS entry spares node
// its ES module loader, and vm.Script takes a code cache, which ES modules
// cannot on node 20. The bundle exports the same main() as dist/cli.js.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist');
const BUNDLE = path.join(DIST, 'tiervm.cjs');
/** The bundle's first line names its build; the code cache is made per build. */
const BUILD_LINE = /^\/\/ tiervm bundle ([0-9a-f]+)\n/;

/** The code cache file of the bundle whose source is `source` (null: the
 *  bundle has no build line). */
function cacheFileOf(source) {
  const m = BUILD_LINE.exec(source);
  return m === null ? null : path.join(DIST, `tiervm-${m[1]}.cache`);
}

/** The bundle, compiled (with its code cache when there is one) and run:
 *  { exports, script, cacheFile }; null when there is no usable bundle. */
function loadBundle() {
  const bundle = fs.statSync(BUNDLE, { throwIfNoEntry: false });
  const tsc = fs.statSync(path.join(DIST, 'cli.js'), { throwIfNoEntry: false });
  if (bundle === undefined || (tsc !== undefined && tsc.mtimeMs > bundle.mtimeMs)) return null;
  // The build checks that the bundle is ASCII: read as latin1, it is a one-byte
  // string made without decoding.
  const source = fs.readFileSync(BUNDLE, 'latin1');
  const cacheFile = cacheFileOf(source);
  let cachedData;
  try { if (cacheFile !== null) cachedData = fs.readFileSync(cacheFile); } catch { /* none: compile */ }
  // V8 takes a code cache only under the flags it was made with: node's own,
  // here as at the build. The command line sets its V8 flags later, when it
  // first builds a wasm backend (src/cli.ts, V8_FLAGS): a run that compiles
  // nothing never loads node's v8 module.
  const vm = require('node:vm');
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: BUNDLE, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, require, mod, BUNDLE, DIST);
  return { exports: mod.exports, script, cacheFile };
}

function start() {
  const bundle = loadBundle();
  const cli = bundle !== null ? Promise.resolve(bundle.exports) : import('../dist/cli.js');
  // The version is package.json's (the one place it is written).
  const version = require('../package.json').version;
  cli.then((m) => m.main(process.argv.slice(2), version)).then((status) => { process.exitCode = status; });
}

if (require.main === module) start();
else module.exports = { loadBundle };

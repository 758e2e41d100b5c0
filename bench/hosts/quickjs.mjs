#!/usr/bin/env node
// Runs a JavaScript benchmark program on QuickJS compiled to WebAssembly
// (quickjs-emscripten, release build, synchronous variant), the way a Node or
// browser application embeds it: a fresh runtime and context, the program evaluated
// as a global script with evalCode.
//
// The benchmark programs are plain ECMAScript except for two pieces of host glue:
// they read their argument from `process.argv[2]` and print with `console.log`.
// QuickJS has neither, so a prelude defines exactly those two inside the context:
// `process.argv` = ['qjs', FILE, ARGS...] and `console.log` joining its arguments
// with spaces. Output is collected and written to stdout when the program ends;
// an uncaught exception goes to stderr, exit status 1.
//
//   node bench/hosts/quickjs.mjs FILE.js [ARGS...]

import { readFileSync } from 'node:fs';
import { getQuickJS } from 'quickjs-emscripten';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/hosts/quickjs.mjs FILE.js [ARGS...]\n');
  process.exit(2);
}
const source = readFileSync(file, 'utf8');

const QuickJS = await getQuickJS();
const runtime = QuickJS.newRuntime();
runtime.setMemoryLimit(-1);
runtime.setMaxStackSize(0); // no artificial limit: deep recursion is limited by wasm itself
const vm = runtime.newContext();

const out = [];
const hostPrint = vm.newFunction('__hostPrint', (h) => {
  out.push(vm.getString(h));
});
vm.setProp(vm.global, '__hostPrint', hostPrint);
hostPrint.dispose();

const prelude = `
globalThis.process = { argv: ['qjs', ${JSON.stringify(file)}, ...${JSON.stringify(args)}] };
globalThis.console = { log: (...xs) => __hostPrint(xs.map(String).join(' ')) };
`;
let status = 0;
for (const [name, code] of [['prelude.js', prelude], [file, source]]) {
  const r = vm.evalCode(code, name);
  if (r.error) {
    const e = vm.dump(r.error);
    r.error.dispose();
    process.stdout.write(out.map((l) => `${l}\n`).join(''));
    out.length = 0;
    process.stderr.write(`quickjs: ${typeof e === 'object' && e ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e)}\n`);
    status = 1;
    break;
  }
  r.value.dispose();
}
process.stdout.write(out.map((l) => `${l}\n`).join(''));
vm.dispose();
runtime.dispose();
process.exitCode = status;

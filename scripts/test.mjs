// npm test: unit tests and the conformance corpus.
//
// Hosts: plain node, node --jitless (no WebAssembly: the interpreter and the JS
// backend, src/jit/js/), node --no-expose-wasm (no WebAssembly but V8's JIT on:
// the JS backend on an optimising engine) and node
// --disallow-code-generation-from-strings (no eval, wasm allowed), because
// tiervm must be a complete VM wherever code generation is forbidden.
// Tiers: the whole corpus, same expected output, in every execution mode — the
// interpreter, everything compiled up front (tier 1, and tier 2 with and without
// deopt stress), tier-up and OSR at every chance, the default — and each of those again with a collection at every allocation and the
// heap verifier on.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync } from 'node:fs';

const unitFiles = readdirSync('tests/unit').filter((f) => f.endsWith('.test.mjs')).map((f) => `tests/unit/${f}`);
const STRESS = ['--gc-stress', '--verify-heap'];
const TIERS = [['--tier=interp'], ['--tier=jit'], ['--tier=auto', '--jit-threshold=1'], ['--tier=auto']];

const steps = [
  ['unit tests', [], ['--test', '--test-reporter=dot', ...unitFiles]],
  ['unit tests', ['--jitless'], ['--test', '--test-reporter=dot', ...unitFiles]],
  ['unit tests', ['--disallow-code-generation-from-strings'], ['--test', '--test-reporter=dot', ...unitFiles]],
  ...TIERS.map((t) => ['corpus', [], ['tests/corpus-inproc.mjs', ...t]]),
  ...TIERS.slice(0, 3).map((t) => ['corpus', [], ['tests/corpus-inproc.mjs', ...t, ...STRESS]]),
  // Every function queued for the compiler thread at its first call, installed
  // wherever the program stands when it is done (asked for only: the default is
  // --compile=sync).
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=auto', '--jit-threshold=1', '--compile=thread']],
  ['corpus', ['--jitless'], ['tests/corpus-inproc.mjs', '--tier=interp']],
  ['corpus', ['--jitless'], ['tests/corpus-inproc.mjs', '--tier=auto', '--jit-threshold=1']],
  ['corpus', ['--jitless'], ['tests/corpus-inproc.mjs', '--tier=jit']],
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=jit', '--jit-backend=js']],
  // Tier 2 (wasm): everything in tier 2 up front, and every guard failing once
  // (every deopt path); each also with a collection at every allocation.
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=opt']],
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=opt', ...STRESS]],
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=opt', '--deopt-stress']],
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=opt', '--deopt-stress', ...STRESS]],
  // Ropes (runtime/heap.ts): every concatenation of non-empty strings a rope,
  // with tier-up at every chance and a collection at every allocation, and on
  // the JS backend.
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=auto', '--jit-threshold=1', '--rope-stress', ...STRESS]],
  ['corpus', ['--jitless'], ['tests/corpus-inproc.mjs', '--tier=jit', '--rope-stress']],
  // OSR code leaving its loop at every back-edge to an outermost header and
  // entered again (runtime/osr.ts), with a collection at every allocation.
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=auto', '--jit-threshold=1', '--osr-exit-stress', ...STRESS]],
  // The generic adapters (--adapters=generic): tier-up at every chance crosses both ways.
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=auto', '--jit-threshold=1', '--adapters=generic']],
  // Host-stack budget of one slot: every compiled call continues in the interpreter.
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=auto', '--jit-threshold=1', '--host-stack-slots=1']],
  ['corpus', [], ['tests/corpus-inproc.mjs', '--tier=jit', '--jit-backend=js', '--host-stack-slots=1']],
  ['corpus', ['--no-expose-wasm'], ['tests/corpus-inproc.mjs', '--tier=jit', ...STRESS]],
  ['corpus', ['--no-expose-wasm'], ['tests/corpus-inproc.mjs', '--tier=auto', '--jit-threshold=1', ...STRESS]],
  ['corpus', ['--disallow-code-generation-from-strings'], ['tests/corpus-inproc.mjs', '--tier=interp']],
  ['corpus', ['--disallow-code-generation-from-strings'], ['tests/corpus-inproc.mjs', '--tier=jit']],
  // The packed tarball installed in a new project, used from ESM, TypeScript, the
  // command and a browser bundle.
  ['package', [], ['tests/package.mjs']],
];

// Steps run JOBS at a time (default: one per core, at most 2), each step's output
// kept and printed whole when it ends, so lines of two steps never interleave.
// TIERVM_TEST_JOBS=1 runs them one by one with their output live.
const JOBS = Math.max(1, Number(process.env.TIERVM_TEST_JOBS) || Math.min(2, availableParallelism()));

function stepName([what, host, args]) {
  return `${what} [node ${host.join(' ') || '(plain)'}] ${args.filter((a) => a.startsWith('--')).join(' ')}`;
}

/** Run one step; resolves to whether it passed. */
function runStep(step) {
  const [, host, args] = step;
  const name = stepName(step);
  const t0 = Date.now();
  const live = JOBS === 1;
  if (live) process.stdout.write(`\n== ${name}\n`);
  const child = spawn(process.execPath, [...host, ...args], { stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
  const chunks = [];
  if (!live) for (const s of [child.stdout, child.stderr]) s.on('data', (c) => chunks.push(c));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const ok = code === 0;
      const head = live ? '' : `\n== ${name}\n${Buffer.concat(chunks).toString()}`;
      process.stdout.write(`${head}== ${ok ? 'ok' : `FAILED${signal ? ` (${signal})` : ''}`} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      resolve(ok);
    });
  });
}

let passed = 0, failed = 0, next = 0;
const t00 = Date.now();
async function worker() {
  while (next < steps.length) {
    if (await runStep(steps[next++])) passed++; else failed++;
  }
}
await Promise.all(Array.from({ length: JOBS }, worker));
console.log(`\nall steps in ${((Date.now() - t00) / 1000).toFixed(1)} s (${JOBS} at a time)`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;

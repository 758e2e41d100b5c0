// Runs the conformance corpus inside this node process through the embedding API
// (one fresh VM per program), so it runs under whatever host flags this process
// has: `node --jitless tests/corpus-inproc.mjs` tests the interpreter with no
// WebAssembly and no JIT. Expectations and comparison come from corpus.mjs.
//
// Usage: node [node flags] tests/corpus-inproc.mjs [--tier=T] [--compile=M] [--max-heap=MB]
//          [--gc-stress] [--verify-heap] [--jit-threshold=N] [--jit-backend=wasm|js]
//          [--host-stack-slots=N] [--adapters=generated|generic] [--deopt-stress] [--rope-stress] [--osr-exit-stress] [files...]
import { readFileSync } from 'node:fs';
import { listPrograms, parseExpectations, checkResult } from './corpus.mjs';
import { load } from '../dist/vm.js';

function runProgram(file, args, opts, stdin) {
  let stdout = '', stderr = '';
  const io = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } };
  const loaded = load(file, readFileSync(file, 'utf8'), { ...opts, ...io, args, stdin });
  const exitCode = loaded.ok ? loaded.program.run() : loaded.exitCode;
  if (loaded.ok) loaded.program.dispose();
  return { exitCode, stdout, stderr };
}

function parseOpts(argv) {
  const opts = {}, files = [];
  for (const a of argv) {
    if (a.startsWith('--tier=')) opts.tier = a.slice(7);
    else if (a.startsWith('--max-heap=')) opts.maxHeapMB = Number(a.slice(11));
    else if (a === '--gc-stress') opts.gcStress = true;
    else if (a.startsWith('--jit-threshold=')) opts.jitThreshold = Number(a.slice(16));
    else if (a.startsWith('--jit-backend=')) opts.backend = a.slice(14);
    else if (a.startsWith('--compile=')) opts.compile = a.slice(10);
    else if (a === '--verify-heap') opts.verifyHeap = true;
    else if (a === '--deopt-stress') opts.deoptStress = true;
    else if (a === '--rope-stress') opts.ropeStress = true;
    else if (a === '--osr-exit-stress') opts.osrExitStress = true;
    else if (a.startsWith('--adapters=')) opts.adapters = a.slice(11);
    else if (a.startsWith('--host-stack-slots=')) opts.hostStackSlots = Number(a.slice(19));
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else files.push(a);
  }
  return { opts, files };
}

const { opts, files } = parseOpts(process.argv.slice(2));
const programs = files.length ? files : listPrograms();
let passed = 0, failed = 0;
const t0 = Date.now();
for (const file of programs) {
  const exp = parseExpectations(readFileSync(file, 'utf8'));
  const problem = checkResult(exp, runProgram(file, exp.args, opts, exp.stdin));
  if (problem) { failed++; console.log(`FAIL ${file}: ${problem}`); } else passed++;
}
console.log(`corpus: ${programs.length} programs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;

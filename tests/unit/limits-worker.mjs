// A worker thread for limits.test.mjs: loads a program, tells the test thread
// when the guest has started (the guest calls extern `ready`, which posts
// 'ready', and the program's interrupt flag when the worker made it), runs it,
// and posts the result.
import { parentPort, workerData } from 'node:worker_threads';
import { load } from '../../dist/vm.js';

const { src, opts } = workerData;
let stdout = '', stderr = '';
let program = null;
const r = load('spin.tier', src, {
  ...opts,
  stdout: (t) => { stdout += t; },
  stderr: (t) => { stderr += t; },
  externs: { ready: () => { parentPort.postMessage({ ready: true, buffer: program.interruptBuffer }); } },
});
if (!r.ok) {
  parentPort.postMessage({ done: true, code: r.exitCode, stdout, stderr });
} else {
  program = r.program;
  const t0 = performance.now();
  const code = program.run();
  parentPort.postMessage({ done: true, code, stdout, stderr, ms: performance.now() - t0, tiers: program.lastTiers });
}

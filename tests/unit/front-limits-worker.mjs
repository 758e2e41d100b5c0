// Runs on a worker thread for tests/unit/front-limits.test.mjs: loads programs
// through the embedding API on this thread (whatever host stack the test gave
// it) and posts back what happened. Not a test file itself.
import { parentPort, workerData } from 'node:worker_threads';
import { load } from '../../dist/vm.js';
import { compileFront } from '../../dist/front/index.js';

/** Load (and with `run`, run in the interpreter) one program; never throws. */
export function loadProgram(source, { run = false } = {}) {
  let stdout = '', stderr = '';
  try {
    const r = load('t.tier', source, { tier: 'interp', stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
    const exitCode = !r.ok ? r.exitCode : run ? r.program.run() : 0;
    const regs = r.ok ? Math.max(...r.program.module.functions.map((f) => f.regKinds.length)) : 0;
    return { exitCode, stdout, stderr, regs };
  } catch (e) {
    return { exitCode: null, stdout, stderr, thrown: `${e?.name}: ${e?.message}` };
  }
}

/** The front end only (lex, parse, check): its diagnostics, or what it threw. */
export function frontOnly(source) {
  try {
    const r = compileFront('t.tier', source);
    return { ok: r.checked !== null, diagnostics: r.diagnostics };
  } catch (e) {
    return { thrown: `${e?.name}: ${e?.message}` };
  }
}

if (parentPort && workerData?.programs) {
  parentPort.postMessage(workerData.programs.map(({ source, run, front }) => (front ? frontOnly(source) : loadProgram(source, { run }))));
}

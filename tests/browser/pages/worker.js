// A module Worker of the user pages: imports tiervm by path (import maps do not
// reach workers) and runs app.js, or spins a guest for the page to stop.
import * as tiervm from '/node_modules/tiervm/dist/vm.js';
import { exercise, host, PROGRAMS } from './app.js';

onmessage = (e) => {
  const m = e.data;
  if (m.exercise) {
    const h = host();
    postMessage({ host: h, results: exercise(tiervm, [...(h.wasm ? ['wasm'] : []), ...(h.eval ? ['js'] : [])]) });
    return;
  }
  let stdout = '', stderr = '';
  const { program } = tiervm.load('loop.tier', PROGRAMS['loop.tier'].source, {
    ...m.spin, ...(m.own ? { interruptBuffer: m.own } : { interruptible: true }), stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; },
  });
  postMessage({ flag: program.interruptBuffer });
  const exitCode = program.run();
  postMessage({ stdout, stderr, exitCode, flagAfter: program.interruptBuffer[0], backend: program.backend });
};

// Owns one fuzzing thread: receives seeds from fuzz.mjs, runs fuzzSeed on each,
// and reports back (with a heartbeat before every run, so the main thread can
// tell a hung program from a slow one, and every smaller reproducer while
// shrinking, so nothing is lost if the thread has to be stopped).
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzSeed } from './session.mjs';
import { modeByName } from './runner.mjs';

const { stressEvery, shrink, stats, shrinkLimits, modeNames } = workerData;
const modes = modeNames.map(modeByName);
parentPort.on('message', (msg) => {
  if (msg.type !== 'run') return;
  const seed = msg.seed;
  const rec = fuzzSeed(seed, {
    modes, stressEvery, shrink, stats: stats && seed % 10 === 0, shrinkLimits, skipShrink: msg.skipShrink,
    onBeat: (what) => parentPort.postMessage({ type: 'beat', seed, what }),
    onShrunk: (source) => parentPort.postMessage({ type: 'shrunk', seed, source }),
  });
  parentPort.postMessage({ type: 'done', rec });
});

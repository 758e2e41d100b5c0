// What every user page here does with the tiervm module it imported (by path,
// through an import map, or bundled): run app.js on this thread, then in a
// module Worker, then stop a guest spinning in a Worker from this thread.
// Sets window.results (window.failed on an exception) for the test to read.
import { exercise, host, defaultOutput, PROGRAMS } from './app.js';

function backendsOf(h) {
  return [...(h.wasm ? ['wasm'] : []), ...(h.eval ? ['js'] : [])];
}

function inWorker(message) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    w.onmessage = (e) => { w.terminate(); resolve(e.data); };
    w.onerror = (e) => { w.terminate(); reject(new Error(`worker: ${e.message}`)); };
    w.postMessage(message);
  });
}

/** A guest spinning in a Worker, stopped from here: through its interruptBuffer
 *  (shared memory, on a cross-origin-isolated page), else by terminating it. */
function stopGuest(o, own = null) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    const seen = {};
    w.onerror = (e) => { w.terminate(); reject(new Error(`worker: ${e.message}`)); };
    w.onmessage = (e) => {
      const m = e.data;
      if (m.flag) {
        seen.shared = typeof SharedArrayBuffer === 'function' && m.flag.buffer instanceof SharedArrayBuffer;
        setTimeout(() => {
          Atomics.store(own ?? m.flag, 0, 1);       // a copy where the page has no shared memory
          // Shared, the guest stops at its next poll (a loaded machine may take a
          // while); a copy never stops it.
          const patience = seen.shared ? 20_000 : 400;
          setTimeout(() => { if (!seen.done) { seen.terminated = true; w.terminate(); resolve(seen); } }, patience);
        }, 100);
      } else {
        seen.done = true;
        w.terminate();
        resolve({ ...seen, ...m });
      }
    };
    w.postMessage({ spin: o, own });
  });
}

export async function runPage(tiervm, { worker = true } = {}) {
  try {
    const h = host();
    const backends = backendsOf(h);
    const results = { host: h, backends, defaults: defaultOutput(tiervm), main: exercise(tiervm, backends) };
    if (worker) {
      results.worker = await inWorker({ exercise: true });
      results.stop = {};
      for (const [label, o] of [['interp', { tier: 'interp' }], ...backends.map((b) => [`jit ${b}`, { tier: 'jit', backend: b }])]) {
        results.stop[label] = await stopGuest(o);
      }
      // The page's own flag, given to the guest as its interruptBuffer.
      if (h.sab) results.stop['jit, own flag'] = await stopGuest({ tier: 'jit' }, new Int32Array(new SharedArrayBuffer(4)));
    }
    globalThis.results = results;
  } catch (e) {
    globalThis.failed = `${e?.stack ?? e}`;
  }
}
export { PROGRAMS };

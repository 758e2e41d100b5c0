// The compiler thread's entry (a Node worker; ../thread.ts starts it): lowers the
// functions the program asks for to wasm and compiles each module here, so the
// program's thread only instantiates it. Results go back in request order, each
// posted before the shared flag is raised (a result is receivable once the
// program sees the flag).
//
// What must stay true: the lowering sees what it sees on the program's thread
// (the same module, string addresses, frame sizes, inlining and fuel choices:
// ThreadInit), so code compiled here is the code a synchronous compile makes;
// every request is answered, a failure as `error`.

import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { ThreadInit, ThreadRequest, ThreadResult } from '../thread.js';
import { functionModule, type LowerEnv } from './lower.js';
import { adapterModule, functionShapes } from './adapters.js';
import { stringHelpersModule } from './strings.js';

const { init, ready, port } = workerData as { init: ThreadInit; ready: Int32Array; port: MessagePort };

const env: LowerEnv = {
  mod: init.mod, strAddrs: init.strAddrs, globalsSlot: init.globalsSlot, frameSizes: init.frameSizes,
  mayInline: (g) => init.inlinable[g] === 1, fuel: init.fuel, countCalls: init.countCalls, charCache: init.charCache,
};

function compile(q: ThreadRequest): ThreadResult {
  const startedAt = performance.timeOrigin + performance.now();
  const base = { id: q.id, f: q.f, osrPc: q.osrPc, tierUpAfter: q.tierUpAfter, startedAt };
  try {
    const mb = functionModule(env, init.mod.functions[q.f]!, q.osrPc, init.tableSize, { spec: null, tierUpAfter: q.tierUpAfter });
    const bytes = mb.encode();
    const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    return { ...base, module, size: bytes.length, ...(q.text ? { text: mb.toText() } : {}), ms: performance.now() + performance.timeOrigin - startedAt };
  } catch (e) {
    return { ...base, error: (e as Error).message, ms: performance.now() + performance.timeOrigin - startedAt };
  }
}

/** The prelude: every function shape's adapters and the string helpers. */
function prelude(): ThreadResult {
  const startedAt = performance.timeOrigin + performance.now();
  const shapes = functionShapes(init.mod.functions);
  const compile = (bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const adapters = init.generatedAdapters ? compile(adapterModule(shapes, init.mod.functions, init.tableSize, init.crossingSlots).encode()) : null;
  const strings = compile(stringHelpersModule(init.charCache).encode());
  return { id: 0, f: -1, osrPc: null, tierUpAfter: 0, prelude: { adapters, strings }, startedAt, ms: performance.now() + performance.timeOrigin - startedAt };
}

port.postMessage(prelude());
Atomics.add(ready, 0, 1);

port.on('message', (q: ThreadRequest) => {
  port.postMessage(compile(q));
  Atomics.add(ready, 0, 1);
});

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
import type { ThreadInit, ThreadPrelude, ThreadReply, ThreadRequest } from '../thread.js';
import type { CompilePlan } from '../../runtime/tiering.js';
import { seenTargets } from '../../runtime/profile.js';
import { functionModule, type LowerEnv } from './lower.js';
import { adapterModule, functionShapes, helperForwardersModule, jsHelperNames } from './adapters.js';
import { stringHelpersModule } from './strings.js';
import { refillModule } from './alloc.js';

const { init, ready, port } = workerData as { init: ThreadInit; ready: Int32Array; port: MessagePort };

const env: LowerEnv = {
  mod: init.mod, strAddrs: init.strAddrs, globalsSlot: init.globalsSlot, frameSizes: init.frameSizes,
  mayInline: (g) => init.inlinable[g] === 1, fuel: init.fuel, countCalls: init.countCalls,
};

/** The plan of request q: tier 2 reads the targets its dispatches use from the
 *  profiles sent with it. */
function planOf(q: ThreadRequest): CompilePlan {
  if (q.spec === null) return { spec: null, tierUpAfter: q.tierUpAfter };
  const profiles = q.profiles!, bases = init.profileBases;
  const targetsAt = (g: number, pc: number) => seenTargets(profiles.subarray(bases[g]!), pc);
  return { spec: { ...q.spec, targetsAt }, tierUpAfter: 0 };
}

function compile(q: ThreadRequest): ThreadReply {
  const startedAt = performance.timeOrigin + performance.now();
  const base = { id: q.id, f: q.f, osrPc: q.osrPc, startedAt };
  try {
    const mb = functionModule(env, init.mod.functions[q.f]!, q.osrPc, init.tableSize, planOf(q));
    const bytes = mb.encode();
    const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    return { ...base, module, size: bytes.length, ...(q.text ? { text: mb.toText() } : {}), ms: performance.now() + performance.timeOrigin - startedAt };
  } catch (e) {
    return { ...base, error: (e as Error).message, ms: performance.now() + performance.timeOrigin - startedAt };
  }
}

/** The prelude, in three parts: every function shape's adapters, the
 *  JavaScript helpers' forwarders, the string helpers and the refill. */
function prelude(): ThreadReply[] {
  const compile = (bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const part = (make: () => ThreadPrelude): ThreadReply => {
    const startedAt = performance.timeOrigin + performance.now();
    const made = make();
    return { id: 0, f: -1, osrPc: null, prelude: made, startedAt, ms: performance.now() + performance.timeOrigin - startedAt };
  };
  const shapes = functionShapes(init.mod.functions);
  return [
    part(() => ({ adapters: init.generatedAdapters ? compile(adapterModule(shapes, shapes, init.tableSize, init.crossingSlots).encode()) : null })),
    part(() => ({ helpers: compile(helperForwardersModule(jsHelperNames()).encode()) })),
    part(() => ({ strings: compile(stringHelpersModule(init.charCache).encode()), refill: compile(refillModule(init.ring).encode()) })),
  ];
}

for (const r of prelude()) {
  port.postMessage(r);
  Atomics.add(ready, 0, 1);
}

port.on('message', (q: ThreadRequest) => {
  port.postMessage(compile(q));
  Atomics.add(ready, 0, 1);
});

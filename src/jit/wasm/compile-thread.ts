// The compiler thread's entry (a Node worker; ../thread.ts starts it): lowers the
// functions the program asks for to wasm and compiles each module here, so the
// program's thread only instantiates it. Results go back in request order, each
// posted before the shared flag is raised (a result is receivable once the
// program sees the flag).
//
// What must stay true: the lowering sees what it sees on the program's thread
// (the same module, string addresses, frame sizes, inlining and fuel choices:
// ThreadInit), so code compiled here is the code a synchronous compile makes;
// every request is answered, a failure as `error`; the prelude's adapters
// come first, and its refill, string helpers and each group of forwarders of
// the JavaScript helpers are each posted before the first compiled function
// that imports them, the refill before the string helpers (else the program's
// thread would compile them, or a wrapper per JavaScript helper imported, in
// a pause). A plan the program left to the thread (`decide`) is decided as the
// policy decides it (runtime/tiering.ts).

import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { ThreadInit, ThreadPrelude, ThreadReply, ThreadRequest } from '../thread.js';
import { firstTierPlan, minBranchSamples, type CompilePlan } from '../../runtime/tiering.js';
import { seenTargets, speculate, speculates } from '../../runtime/profile.js';
import { dispatchSites, functionModule, selfInlines, type LowerEnv } from './lower.js';
import { adapterModule, functionShapes, helperForwardersModule, jsHelperGroups } from './adapters.js';
import { stringHelpersModule, WASM_STRING_HELPERS } from './strings.js';
import { allocModule, WASM_ALLOC_HELPERS } from './alloc.js';

const { init, ready, port } = workerData as { init: ThreadInit; ready: Int32Array; port: MessagePort };

const env: LowerEnv = {
  mod: init.mod, strAddrs: init.strAddrs, globalsSlot: init.globalsSlot, frameSizes: init.frameSizes,
  mayInline: (g) => init.inlinable[g] === 1, fuel: init.fuel, countCalls: init.countCalls, charCache: init.strings.charCache,
  osrExits: init.osrExits,
};

/** The plan of request q (null: declined): tier 2 reads the targets its
 *  dispatches use from the profiles sent with it. A `decide` request is
 *  decided here as the policy (runtime/tiering.ts firstPlan, onHotCompiled)
 *  would have on the program's thread, from the profiles as they were when it
 *  was queued. */
function planOf(q: ThreadRequest): CompilePlan | null {
  if (q.spec === null && q.decide === undefined) return { spec: null, tierUpAfter: q.tierUpAfter };
  const profiles = q.profiles!, bases = init.profileBases;
  const targetsAt = (g: number, pc: number) => seenTargets(profiles.subarray(bases[g]!), pc);
  if (q.spec !== null) return { spec: { ...q.spec, targetsAt }, tierUpAfter: 0 };
  const fn = init.mod.functions[q.f]!;
  const spec = speculate(fn.code, profiles.subarray(bases[q.f]!), minBranchSamples(init.tier2After), new Set(q.failed), init.deoptStress, targetsAt);
  const gains = speculates(spec) || dispatchSites(env, fn, spec) > 0;
  if (q.decide === 'first') return firstTierPlan(gains, !gains && selfInlines(fn), init.tier2After);
  return gains || selfInlines(fn) ? { spec, tierUpAfter: 0 } : null;
}

/** The JavaScript helpers' forwarders, by group (adapters.ts jsHelperGroups). */
const groups = jsHelperGroups();

/** Request q compiled, whether its module imports the refill or a string
 *  helper, and the forwarder groups of the JavaScript helpers it imports. */
function compile(q: ThreadRequest): { reply: ThreadReply; needsRefill: boolean; needsStrings: boolean; needsGroups?: number[] } {
  const startedAt = performance.timeOrigin + performance.now();
  const base = { id: q.id, f: q.f, osrPc: q.osrPc, startedAt };
  try {
    const plan = planOf(q);
    if (plan === null) return { reply: { ...base, declined: true, ms: performance.now() + performance.timeOrigin - startedAt }, needsRefill: false, needsStrings: false };
    const decided = q.decide === undefined ? {} : { decided: { spec: plan.spec === null ? null : { branches: plan.spec.branches, targets: plan.spec.targets, stress: plan.spec.stress }, tierUpAfter: plan.tierUpAfter } };
    Object.assign(base, decided, plan.spec === null ? {} : { dispatched: dispatchSites(env, init.mod.functions[q.f]!, plan.spec) });
    const mb = functionModule(env, init.mod.functions[q.f]!, q.osrPc, init.tableSize, plan);
    const bytes = mb.encode();
    const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    const reply = { ...base, module, size: bytes.length, ...(q.text ? { text: mb.toText() } : {}), ms: performance.now() + performance.timeOrigin - startedAt };
    const needsGroups = groups.flatMap((names, g) => (names.some((h) => mb.importsFunction('h', h)) ? [g] : []));
    return { reply, needsRefill: WASM_ALLOC_HELPERS.some((h) => mb.importsFunction('h', h)), needsStrings: WASM_STRING_HELPERS.some((h) => mb.importsFunction('h', h)), needsGroups };
  } catch (e) {
    return { reply: { ...base, error: (e as Error).message, ms: performance.now() + performance.timeOrigin - startedAt }, needsRefill: false, needsStrings: false };
  }
}

/** A part of the prelude, compiled now. */
function part(make: () => ThreadPrelude): ThreadReply {
  const startedAt = performance.timeOrigin + performance.now();
  const made = make();
  return { id: 0, f: -1, osrPc: null, prelude: made, startedAt, ms: performance.now() + performance.timeOrigin - startedAt };
}

function post(r: ThreadReply): void {
  port.postMessage(r);
  Atomics.add(ready, 0, 1);
}

const compileBytes = (bytes: Uint8Array) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);

/** The refill, then the string helpers (whose instantiation reads the
 *  refill): each posted before the first compiled function that imports it,
 *  or when the thread has nothing else to do, whichever comes first (every
 *  compiled function needs the adapters; fewer need these, and the first
 *  compiles come sooner). So is each group of the JavaScript helpers'
 *  forwarders (16 small modules, 1-2 ms each here: posted all up front, they
 *  kept the first compiled function back by 17-38 ms). */
let refillPosted = false, stringsPosted = false;
const groupPosted = groups.map(() => false);
function postGroup(group: number): void {
  if (groupPosted[group]) return;
  groupPosted[group] = true;
  post(part(() => ({ helpers: compileBytes(helperForwardersModule(groups[group]!).encode()), group })));
}
/** What the thread does when no request waits: the next part not yet
 *  posted, one per turn of its event loop (a request that came meanwhile is
 *  taken first). */
function idle(): void {
  const g = groupPosted.indexOf(false);
  if (g >= 0) postGroup(g);
  else if (!refillPosted) postRefill();
  else if (!stringsPosted) postStrings();
  else return;
  idleSoon();
}
let idleScheduled = false;
function idleSoon(): void {
  if (idleScheduled) return;
  idleScheduled = true;
  setImmediate(() => { idleScheduled = false; idle(); });
}
function postRefill(): void {
  if (refillPosted) return;
  refillPosted = true;
  post(part(() => ({ refill: compileBytes(allocModule(init.ring).encode()) })));
}
function postStrings(): void {
  if (stringsPosted) return;
  postRefill();
  stringsPosted = true;
  post(part(() => ({ strings: compileBytes(stringHelpersModule(init.strings).encode()) })));
}

// The prelude's first part: every function shape's adapters. The rest when a
// compiled function needs it, or when no request waits (requests already
// posted are taken first: the port's messages come before setImmediate).
const shapes = functionShapes(init.mod.functions);
post(part(() => ({ adapters: init.generatedAdapters ? compileBytes(adapterModule(shapes, init.mod.functions, init.tableSize, init.crossingSlots).encode()) : null })));
idleSoon();

port.on('message', (q: ThreadRequest) => {
  const { reply, needsRefill, needsStrings, needsGroups } = compile(q);
  for (const g of needsGroups ?? []) postGroup(g);
  if (needsStrings) postStrings();
  else if (needsRefill) postRefill();
  post(reply);
  idleSoon();
});

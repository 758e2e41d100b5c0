// How the embedding layer reaches the JIT (jit/entry.ts), and the one module
// outside jit/ that imports it for more than types. Here the import is static:
// tsc's modules and the browser build hold the JIT like any other module. The
// command line's bundle puts another module in this one's place
// (scripts/bundle.mjs, jitDoorStub), whose loadJit() runs dist/tiervm-jit.cjs
// with its own code cache the first time it is called: a run that compiles
// nothing never reads the JIT, and a run that does gets its compiler warm.
//
// What must stay true: loadJit() is called before prepareWasmHost() sets V8's
// flags (instance.ts, chooseBackend), since V8 takes a code cache only under
// the flags it was made with.

import * as jit from '../jit/entry.js';

export type Jit = typeof jit;

/** The JIT's entry points. */
export function loadJit(): Jit {
  return jit;
}

// The JIT's one door: everything outside jit/ that needs a compiling backend
// gets it through these two functions, reached only through embed/jit-door.ts
// (type imports aside; tests/unit/layers.test.mjs checks it). That keeps the
// JIT separable: the command line's build makes it a script of its own
// (dist/tiervm-jit.cjs, scripts/bundle.mjs), with a code cache of its own
// warmed by real compiles, loaded when a program first gets hot; a run that
// compiles nothing never reads it.

import type { Runtime } from '../runtime/runtime.js';
import type { BackendOptions, CompilingBackend } from './backend.js';
import { WasmBackend } from './wasm/backend.js';
import { JsBackend } from './js/backend.js';

/** The WebAssembly backend of the instance whose runtime is rt. */
export function wasmBackend(rt: Runtime, opts: BackendOptions): CompilingBackend<unknown> {
  return new WasmBackend(rt, opts);
}

/** The JavaScript backend (hosts with eval but no WebAssembly, or forced). */
export function jsBackend(rt: Runtime, opts: BackendOptions): CompilingBackend<unknown> {
  return new JsBackend(rt, opts);
}

// What the host lets tiervm do, asked when an instance chooses its backend
// (embed/instance.ts) and before anything of the JIT is loaded: the command
// line's build loads the JIT as a script of its own when something first gets
// hot (embed/jit-door.ts), so these probes must not live in jit/.
//
// Each probe runs once per realm (a page, a worker, a Node process) and its
// answer is kept: what a host allows does not change while it runs, and in a
// browser whose content security policy forbids the probe, each try fires a
// `securitypolicyviolation` event (and a report, where the policy asks for
// reports), which a page loading many programs would otherwise get per program.

let wasmAllowed: boolean | null = null;
let jsAllowed: boolean | null = null;

/** True if this host can compile and run WebAssembly (not under --jitless,
 *  and not where a policy forbids wasm code generation). */
export function hostCanCompileWasm(): boolean {
  return wasmAllowed ??= tryWasm();
}

/** True if this host lets us make functions from source text (false under
 *  --disallow-code-generation-from-strings or a CSP without 'unsafe-eval'). */
export function hostCanCompileJs(): boolean {
  return jsAllowed ??= tryJs();
}

function tryWasm(): boolean {
  try {
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {});
    return true;
  } catch {
    return false;
  }
}

function tryJs(): boolean {
  try {
    return new Function('return 1')() === 1;
  } catch {
    return false;
  }
}

// What the host lets tiervm do, asked once when an instance chooses its backend
// (embed/instance.ts) and before anything of the JIT is loaded: the command
// line's build loads the JIT as a script of its own when something first gets
// hot (embed/jit-door.ts), so these probes must not live in jit/.

/** True if this host can compile and run WebAssembly now (not under --jitless,
 *  and not where a policy forbids wasm code generation). */
export function hostCanCompileWasm(): boolean {
  try {
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {});
    return true;
  } catch {
    return false;
  }
}

/** True if this host lets us make functions from source text now (false under
 *  --disallow-code-generation-from-strings or a CSP without 'unsafe-eval'). */
export function hostCanCompileJs(): boolean {
  try {
    return new Function('return 1')() === 1;
  } catch {
    return false;
  }
}

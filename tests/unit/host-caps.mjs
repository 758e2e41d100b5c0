// What the host running the tests can do, by trying: WebAssembly (absent under
// node --jitless) and code generation from strings (absent under
// --disallow-code-generation-from-strings). Tests choose their modes from these.
export const hasWasm = typeof WebAssembly === 'object';
export const hasEval = (() => { try { return new Function('return 1')() === 1; } catch { return false; } })();

/** The compiling backends this host has. */
export const BACKENDS = [...(hasWasm ? ['wasm'] : []), ...(hasEval ? ['js'] : [])];
/** Every execution mode this host has (load() options): the interpreter, each
 *  backend compiling everything, tiering up at every chance, tiering as by
 *  default, and past a one-slot host-stack budget; tier 2, and every guard of
 *  it failing once (deoptimizing mid-function); OSR exits at every chance. */
export const MODES = [
  { tier: 'interp' },
  ...BACKENDS.flatMap((backend) => [
    { tier: 'jit', backend },
    { tier: 'auto', jitThreshold: 1, backend },
    { tier: 'auto', backend },
    { tier: 'jit', backend, hostStackSlots: 1 },
  ]),
  ...(hasWasm ? [{ tier: 'opt', backend: 'wasm' }, { tier: 'opt', backend: 'wasm', deoptStress: true }] : []),
  // OSR code leaving its loop at every back-edge to an outermost header and
  // entered again there (runtime/osr.ts).
  ...(hasWasm ? [{ tier: 'auto', jitThreshold: 1, backend: 'wasm', osrExitStress: true }] : []),
];
/** MODES that compile. */
export const COMPILING = MODES.filter((m) => m.tier !== 'interp');

// What the host running the tests can do, by trying: WebAssembly (absent under
// node --jitless) and code generation from strings (absent under
// --disallow-code-generation-from-strings). Tests choose their modes from these.
export const hasWasm = typeof WebAssembly === 'object';
export const hasEval = (() => { try { return new Function('return 1')() === 1; } catch { return false; } })();

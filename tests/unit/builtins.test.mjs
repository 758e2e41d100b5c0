// The built-in registry (bytecode/builtins.ts) is data this test iterates: every
// f64 math built-in is called in every tier and backend on the same inputs, and
// must print exactly what its host implementation computes; every built-in is
// accepted by the checker with its registered signature. A math built-in added
// to the registry is tested here with no other change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTINS, MATH_BUILTINS } from '../../dist/bytecode/builtins.js';
import { load } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';


/** The modes to compare, as far as this host allows. */
const MODES = [
  { tier: 'interp' },
  ...(hasWasm ? [{ tier: 'jit', backend: 'wasm' }, { tier: 'auto', jitThreshold: 1, backend: 'wasm' }] : []),
  ...(hasEval ? [{ tier: 'jit', backend: 'js' }, { tier: 'auto', jitThreshold: 1, backend: 'js' }] : []),
];

/** f64 inputs as Tier expressions, and their values. */
const INPUTS = [
  ['0.0', 0], ['-0.0', -0], ['0.5', 0.5], ['-0.5', -0.5], ['1.0', 1], ['2.5', 2.5], ['-3.75', -3.75],
  ['100.0', 100], ['1e-300', 1e-300], ['1e300', 1e300], ['1.0 / 0.0', Infinity], ['-1.0 / 0.0', -Infinity],
  ['0.0 / 0.0', NaN],
];

function run(src, mode) {
  let stdout = '', stderr = '';
  const r = load('builtin.tier', src, { ...mode, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  const code = r.program.run();
  assert.equal(code, 0, stderr);
  return stdout;
}

/** A program applying `name` to every input (pairs of inputs for two arguments),
 *  in a loop, so that tier-up and OSR happen on the way. */
function program(name, arity) {
  const xs = `[${INPUTS.map(([e]) => e).join(', ')}]`;
  const call = arity === 1 ? `${name}(xs[i])` : `${name}(xs[i], xs[j])`;
  const inner = arity === 1 ? `print(${call});` : `for j in 0..xs.len { print(${call}); }`;
  return `fn main() {\n  let xs: [f64] = ${xs};\n  for i in 0..xs.len { ${inner} }\n}\n`;
}

function expected(impl, arity) {
  const xs = INPUTS.map(([, v]) => v);
  const lines = [];
  for (const x of xs) {
    if (arity === 1) lines.push(String(impl(x)));
    else for (const y of xs) lines.push(String(impl(x, y)));
  }
  return lines.join('\n') + '\n';
}

for (const [name, spec] of Object.entries(MATH_BUILTINS)) {
  test(`math built-in ${name} gives its host function's results in every tier`, () => {
    const src = program(name, spec.params.length);
    const want = expected(spec.impl, spec.params.length);
    for (const mode of MODES) assert.equal(run(src, mode), want, `${name} in ${JSON.stringify(mode)}`);
  });
}

const SAMPLE = { i32: '7', f64: '2.5', bool: 'true', str: '"12"' };

test('every built-in type-checks with its registered signature, and not with one argument more', () => {
  for (const [name, spec] of Object.entries(BUILTINS)) {
    const args = spec.params.map((p) => SAMPLE[typeof p === 'string' ? p : p[0]]);
    const call = `${name}(${args.join(', ')})`;
    const body = spec.ret === 'void' ? `${call};` : `let r = ${call};`;
    const ok = load('t.tier', `fn main() { if false { ${body} } }`, { stderr: () => {} });
    assert.ok(ok.ok, `${name}: ${body}`);
    const extra = load('t.tier', `fn main() { ${name}(${[...args, '1'].join(', ')}); }`, { stderr: () => {} });
    assert.ok(!extra.ok, `${name} accepted an extra argument`);
  }
});

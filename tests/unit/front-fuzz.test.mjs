// The front-end fuzzer (tests/fuzz/front.mjs) over a small fixed range of seeds:
// random bytes, token soup, truncated, deepened and mutated corpus programs must
// never make the front end or load() throw, report an internal error, print
// unbounded diagnostics or compile slowly. (`npm run fuzz:front` runs it longer.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz, makeInput } from '../fuzz/front.mjs';

test('inputs come from their seed alone', () => {
  assert.equal(makeInput(1234).source, makeInput(1234).source);
  assert.notEqual(makeInput(1234).source, makeInput(1235).source);
});

test('seeds 1..400: no failure', async () => {
  const r = await runFuzz({ from: 1, to: 400 });
  assert.equal(r.inputs, 400);
  assert.deepEqual(r.failures.map((f) => `seed ${f.seed}: ${f.problems.join('; ')}`), []);
});

// The differential fuzzer (tests/fuzz/): a small fixed seed range must show no
// disagreement between modes on this host; the generator must be deterministic
// per seed; and the fuzzer itself must be able to fail (a broken mode, an
// internal error or a host exception is reported, and shrinking keeps the failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../fuzz/gen.mjs';
import { fuzzSeed, reproducerText } from '../fuzz/session.mjs';
import { modesFor, hostCaps, checkProgram } from '../fuzz/runner.mjs';

const SEEDS = [1, 5]; // a few seconds on every host npm test uses

test('generator: same seed, same program; different seeds, different programs', () => {
  for (const seed of [0, 1, 77, 123456]) {
    assert.equal(generate(seed).source, generate(seed).source);
  }
  assert.notEqual(generate(5).source, generate(6).source);
});

test(`fuzz seeds ${SEEDS[0]}..${SEEDS[1]}: every program compiles and every mode agrees`, () => {
  const modes = modesFor(hostCaps());
  for (let seed = SEEDS[0]; seed <= SEEDS[1]; seed++) {
    const rec = fuzzSeed(seed, { modes, stressEvery: 4, shrink: false });
    assert.notEqual(rec.status, 'reject', `seed ${seed}: generator made a program that does not compile:\n${rec.reject}`);
    assert.equal(rec.status, 'ok', `seed ${seed}: ${rec.failures.map((f) => `${f.mode} ${f.detail}`).join('\n')}`);
  }
});

// A second "mode" that is really the interpreter under another name: a hook
// breaks it on purpose, so these tests do not depend on the host's backends.
const INTERP = { name: 'interp', opts: { tier: 'interp' } };
const BROKEN = { name: 'broken', opts: { tier: 'interp' } };

test('a mode whose stdout is corrupted is reported, shrunk and written as a reproducer', () => {
  // Break the mode only when the program prints the line "true", so the
  // shrinker has to keep a statement that prints it.
  const hook = (mode, res) => { if (mode === 'broken' && /^true$/m.test(res.stdout)) res.stdout += 'corrupted\n'; };
  let seed = 1;
  while (!/^true$/m.test(checkProgram(generate(seed).source, { modes: [INTERP] }).ref.stdout)) seed++;
  const rec = fuzzSeed(seed, { modes: [INTERP, BROKEN], hook, shrinkLimits: { maxTests: 250, maxMs: 8000 } });
  assert.equal(rec.status, 'fail');
  assert.equal(rec.kind, 'broken:stdout');
  assert.match(rec.failures[0].detail, /got "corrupted"/);
  assert.ok(rec.shrunk.length < rec.source.length / 2, `shrunk ${rec.source.length} -> ${rec.shrunk.length} bytes`);
  const again = checkProgram(rec.shrunk, { modes: [INTERP, BROKEN], hook });
  assert.equal(again.reject, null, 'the shrunk program still compiles');
  assert.equal(again.failures[0]?.aspect, 'stdout', 'the shrunk program still fails the same way');
  const text = reproducerText(rec);
  assert.match(text, new RegExp(`seed ${seed}`));
  assert.match(text, /modes that disagree: broken \(stdout\)/);
  assert.ok(text.endsWith(rec.shrunk));
});

test('exit status, stderr, internal errors and host exceptions are failures', () => {
  const src = generate(3).source;
  const cases = [
    [(m, r) => { if (m === 'broken') r.code = 3; }, 'exit'],
    [(m, r) => { if (m === 'broken') r.stderr += '  at nowhere (x:1)\n'; }, 'stderr'],
    [(m, r) => { r.code = 70; r.stderr = 'internal error: boom\n'; }, 'internal'], // even when every mode agrees
    [(m, r) => { if (m === 'broken') r.threw = 'TypeError: x is undefined'; }, 'threw'],
  ];
  for (const [hook, aspect] of cases) {
    const r = checkProgram(src, { modes: [INTERP, BROKEN], hook });
    assert.ok(r.failures.some((f) => f.aspect === aspect), `${aspect}: ${JSON.stringify(r.failures)}`);
  }
  assert.deepEqual(checkProgram(src, { modes: [INTERP, BROKEN] }).failures, []);
});

test('every reproducer the fuzzer saved (tests/fuzz/found) now agrees in every mode', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const modes = modesFor(hostCaps());
  const files = readdirSync('tests/fuzz/found').filter((f) => f.endsWith('.tier'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const { failures } = checkProgram(readFileSync(`tests/fuzz/found/${f}`, 'utf8'), { modes });
    assert.deepEqual(failures.map((x) => `${x.mode}: ${x.detail}`), [], f);
  }
});

// The fuzzer's oracle (tests/fuzz/oracle.mjs) is itself checked against the
// hand-written expectations of the conformance corpus (tests/programs), which
// were not computed by tiervm or by the oracle; it must skip only what it
// documents it cannot model; and the runner must report it when it alone
// disagrees with the interpreter (a bug every tier shares).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { listPrograms, parseExpectations, checkResult, REPO_ROOT } from '../corpus.mjs';
import { runOracle } from '../fuzz/oracle.mjs';
import { checkProgram, modeByName, hostCaps } from '../fuzz/runner.mjs';
import { generate } from '../fuzz/gen.mjs';

const canEval = hostCaps().js;
// What the oracle may skip in the corpus: clock() (not deterministic), and the
// limits of tiervm's frame stack and heap.
const SKIPS = /^(unsupported: clock\(\)|host stack overflow|oracle memory limit)$/;

test('the oracle gives every corpus program its expected output', { skip: !canEval && 'no eval on this host' }, () => {
  const bad = [];
  let judged = 0;
  for (const f of listPrograms()) {
    const src = readFileSync(`${REPO_ROOT}/${f}`, 'utf8');
    const exp = parseExpectations(src);
    if (exp.errors.length || exp.stdin) continue; // compile errors and input: not the oracle's
    const r = runOracle(src, { file: f, args: exp.args });
    if (r.skip) {
      if (!SKIPS.test(r.skip)) bad.push(`${f}: skipped (${r.skip})`);
      continue;
    }
    judged++;
    const msg = checkResult(exp, { exitCode: r.code, stdout: r.stdout, stderr: r.stderr });
    if (msg) bad.push(`${f}: ${msg}`);
  }
  assert.deepEqual(bad, []);
  assert.ok(judged > 200, `only ${judged} corpus programs judged`);
});

test('the oracle: runtime errors, frames and evaluation order from the contract', { skip: !canEval && 'no eval on this host' }, () => {
  const src = [
    'fn note(x: i32) -> i32 { write(x); return x; }',
    'var G: i32 = 1;',
    'fn main() {',
    '  let z: [i32] = null;',
    '  z[note(1)] = note(2);',
    '}',
  ].join('\n');
  assert.deepEqual(runOracle(src, { file: 'o.tier' }),
    { code: 1, stdout: '12', stderr: 'runtime error: null reference\n  at main (o.tier:5)\n', outBeforeErr: 2, exactTrace: true });
  const glob = 'fn f(x: i32) -> i32 {\n  return 7 / x;\n}\nvar H: i32 = f(0);\nfn main() { print(H); }\n';
  assert.equal(runOracle(glob, { file: 'g.tier' }).stderr, 'runtime error: division by zero\n  at f (g.tier:2)\n  at <globals> (g.tier:4)\n');
  assert.equal(runOracle('fn main() { print(-2147483648 % -1); print(2147483647 + 1); print((0.0 / 0.0) as i32); print(1 << 33); print(-1 >>> 28); print(-0.0); }').stdout,
    '0\n-2147483648\n0\n2\n15\n0\n');
  assert.match(runOracle('fn main() { print(clock()); }').skip, /clock/);
});

test('a disagreement of the oracle alone (every tier wrong the same way) is a failure; stack overflows are skipped', { skip: !canEval && 'no eval on this host' }, () => {
  const modes = [modeByName('interp'), modeByName('oracle')];
  const src = generate(3).source;
  assert.deepEqual(checkProgram(src, { modes }).failures, []);
  // the interpreter (the reference every tier is compared with) broken on purpose
  const hook = (mode, res) => { if (mode === 'interp') res.stdout += 'shared bug\n'; };
  const r = checkProgram(src, { modes, hook });
  assert.deepEqual(r.failures.map((f) => `${f.mode}:${f.aspect}`), ['oracle:stdout']);
  // a statement over two lines: which line its frame shows is not in the contract,
  // so only the first stderr line is compared
  const split = 'fn g(x: i32) -> i32 { return 1 / x; }\nfn main() {\n  print(g(1) +\n    g(0));\n}\n';
  assert.equal(runOracle(split).exactTrace, false);
  assert.deepEqual(checkProgram(split, { modes }).failures, []);
  const deep = 'fn f(n: i32) -> i32 { return f(n + 1) + 1; }\nfn main() { print(f(0)); }\n';
  const s = checkProgram(deep, { modes });
  assert.equal(s.oracleSkip, 'stack overflow');
  assert.deepEqual(s.failures, []);
});

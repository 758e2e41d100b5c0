// npm test: unit tests and the conformance corpus, each on three hosts —
// plain node, node --jitless (no WebAssembly, no JIT) and
// node --disallow-code-generation-from-strings — because the interpreter must be
// a complete VM wherever code generation is forbidden; then the corpus once more
// with a collection at every allocation and the heap verifier on.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const HOSTS = [[], ['--jitless'], ['--disallow-code-generation-from-strings']];
const unitFiles = readdirSync('tests/unit').filter((f) => f.endsWith('.test.mjs')).map((f) => `tests/unit/${f}`);

let failed = 0;
let passed = 0;
function step(name, cmd, args) {
  const t0 = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  const ok = r.status === 0;
  process.stdout.write(`== ${name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  if (ok) passed++; else failed++;
}

for (const host of HOSTS) {
  const label = host.length ? host.join(' ') : 'plain node';
  step(`unit tests (${label})`, process.execPath, [...host, '--test', '--test-reporter=dot', ...unitFiles]);
  step(`corpus (${label})`, process.execPath, [...host, 'tests/corpus-inproc.mjs']);
}
step('corpus (--gc-stress --verify-heap)', process.execPath, ['tests/corpus-inproc.mjs', '--gc-stress', '--verify-heap']);
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;

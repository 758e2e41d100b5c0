// How deep can a Tier program nest before some front-end stage runs out of host
// stack? The evidence behind MAX_NESTING (src/front/parser.ts, docs/language.md
// "Limits").
//
//   node bench/nesting.mjs [--quick] [CONSTRUCT ...]
//
// For each nesting construct it finds, by bisection, the deepest program that
// every stage (lex, parse with the limit lifted, check, lower, verify) gets
// through, each probe in a fresh process so that the code is cold (interpreted
// frames are the largest), on three hosts: the main thread with Node's default
// stack (~1 MB), the same with --jitless (every frame interpreted; `npm test`
// runs the unit tests so), and a worker thread with resourceLimits.stackSizeMb 1.
// It prints that depth (in levels as the parser counts them), the stage that
// failed one step deeper, and the margin over MAX_NESTING. (`--quick`: the main
// thread only.) The programs are those of tests/unit/nesting-programs.mjs.
import { spawnSync } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { NESTING_PROGRAMS as CONSTRUCTS } from '../tests/unit/nesting-programs.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const CEILING = 100_000;

const HOSTS = {
  main: { flags: [], worker: false },
  'main --jitless': { flags: ['--jitless'], worker: false },
  'worker 1 MB': { flags: [], worker: true },
};

/** A stage's error; the parser and the checker report a host stack overflow as a
 *  diagnostic (their safety net), which counts as running out of stack. */
function stageError(what, d) {
  if (/host stack/.test(d?.message)) return new RangeError('Maximum call stack size exceeded');
  return new Error(`${what}: ${JSON.stringify(d)}`);
}

/** In the probe process: run every stage once; report the first that fails. */
async function probe(construct, n, onWorker) {
  if (onWorker) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(SELF, { argv: ['--probe', construct, String(n), 'here'], resourceLimits: { stackSizeMb: 1 } });
    await new Promise((res) => w.on('exit', res));
    return;
  }
  const dist = pathToFileURL(`${ROOT}/dist/`).href;
  const { lex } = await import(`${dist}front/lexer.js`);
  const { parse } = await import(`${dist}front/parser.js`);
  const { check } = await import(`${dist}front/checker.js`);
  const { lowerProgram } = await import(`${dist}front/lower.js`);
  const { verifyModule } = await import(`${dist}bytecode/verify.js`);
  const source = CONSTRUCTS[construct].source(n);
  let stage = 'lex', result = 'ok';
  try {
    const lexed = lex(source);
    stage = 'parse';
    const parsed = parse('p.tier', lexed.tokens, lexed.diagnostics, { maxNesting: Infinity });
    if (lexed.errorCount + parsed.errorCount > 0) throw stageError('syntax error', parsed.diagnostics[0]);
    stage = 'check';
    const checked = check(parsed.program, parsed.parenStarts);
    if (!checked.checked) throw stageError('type error', checked.diagnostics[0]);
    stage = 'lower';
    const mod = lowerProgram(checked.checked);
    stage = 'verify';
    const problems = verifyModule(mod);
    if (problems.length) throw new Error(problems[0]);
  } catch (e) {
    result = e instanceof RangeError ? `stack:${stage}` : `bug:${stage}: ${e.message}`;
  }
  process.stdout.write(result + '\n');
}

function runProbe(construct, n, host) {
  const h = HOSTS[host];
  const r = spawnSync(process.execPath, [...h.flags, SELF, '--probe', construct, String(n), h.worker ? 'worker' : 'here'], { encoding: 'utf8' });
  const line = r.stdout.trim();
  if (line.startsWith('bug:') || !line) throw new Error(`${construct} at ${n} on ${host}: ${line || r.stderr}`);
  return line;
}

/** The deepest n that passes, and what failed at n + 1. */
function capacity(construct, host) {
  let lo = 1, hi = 2;
  let failure = null;
  while (hi <= CEILING) {
    const r = runProbe(construct, hi, host);
    if (r !== 'ok') { failure = r; break; }
    lo = hi;
    hi *= 2;
  }
  if (failure === null) return { depth: lo, failure: null };
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const r = runProbe(construct, mid, host);
    if (r === 'ok') lo = mid; else { hi = mid; failure = r; }
  }
  return { depth: lo, failure: failure.replace('stack:', '') };
}

if (process.argv[2] === '--probe') {
  await probe(process.argv[3], Number(process.argv[4]), process.argv[5] === 'worker');
} else {
  const { MAX_NESTING } = await import(pathToFileURL(`${ROOT}/dist/front/parser.js`).href);
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const hosts = quick ? ['main'] : Object.keys(HOSTS);
  console.log(`deepest nesting every stage gets through (cold code), the stage failing one deeper, and depth / MAX_NESTING (${MAX_NESTING})`);
  console.log('construct'.padEnd(18) + hosts.map((h) => h.padStart(26)).join(''));
  let worst = Infinity;
  for (const c of names.length ? names : Object.keys(CONSTRUCTS)) {
    let row = c.padEnd(18);
    for (const h of hosts) {
      const { depth, failure } = capacity(c, h);
      if (failure === null) { row += `>=${depth}, no stack per level`.padStart(26); continue; }
      worst = Math.min(worst, depth);
      row += `${depth} ${failure} x${(depth / MAX_NESTING).toFixed(1)}`.padStart(26);
    }
    console.log(row);
  }
  console.log(`smallest: ${worst} levels = ${(worst / MAX_NESTING).toFixed(1)} x MAX_NESTING`);
}

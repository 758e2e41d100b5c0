// Owns the fuzzer's command line (`npm run fuzz`): which seeds to run, the worker
// threads that run them (with a watchdog for programs that hang), saving shrunk
// reproducers to tests/fuzz/found/SEED.tier, and the summary.
//
// Every mode is compared with the interpreter, so a bug every tier shares (front
// end, checker, lowering, the interpreter, a built-in's text) would be invisible;
// hence one more "mode", the oracle (oracle.mjs): the program translated straight
// to plain JavaScript from the language contract, sharing no code with tiervm, run
// with a step watchdog and compared like the others (stdout, exit status, the
// whole stderr with its stack trace). It skips, and the summary counts, what it
// cannot model: programs whose interpreter run met `stack overflow` or `out of
// memory`, and its own host stack, step or memory limits.
//
//   npm run fuzz                          the fixed CI range (about 100 s on 2 cores)
//   npm run fuzz -- --seed=123            one seed        --seeds=A..B  a range
//   npm run fuzz -- --minutes=10          as many seeds as fit (from --from=N)
//   node tests/fuzz/fuzz.mjs --file=F     check a saved program in every mode
// Options: --jobs=N (threads, default: CPUs), --stress-every=N (GC stress modes on
// every Nth seed, default 4), --no-shrink, --out=DIR, --hang-seconds=N, --no-stats,
// --keep=N (shrink and save the first N failures of each kind, default 3; the
// others are listed by seed).
import { Worker } from 'node:worker_threads';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { generate } from './gen.mjs';
import { checkProgram, modesFor, hostCaps, MODES, describe, failureGroup } from './runner.mjs';
import { reproducerText } from './session.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SEEDS = [1, 1200];

function parseArgs(argv) {
  const o = { seeds: null, minutes: null, from: null, file: null, jobs: availableParallelism(), stressEvery: 4,
    shrink: true, out: join(HERE, 'found'), hangSeconds: 60, stats: true, quiet: false, keep: 3 };
  for (const a of argv) {
    const [k, v] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, ''];
    switch (k) {
      case '--seed': o.seeds = [Number(v), Number(v)]; break;
      case '--seeds': { const m = /^(\d+)\.\.(\d+)$/.exec(v); if (!m) throw new Error(`--seeds=A..B, got ${v}`); o.seeds = [Number(m[1]), Number(m[2])]; break; }
      case '--minutes': o.minutes = Number(v); break;
      case '--from': o.from = Number(v); break;
      case '--file': o.file = v; break;
      case '--jobs': o.jobs = Math.max(1, Number(v)); break;
      case '--stress-every': o.stressEvery = Math.max(1, Number(v)); break;
      case '--no-shrink': o.shrink = false; break;
      case '--out': o.out = v; break;
      case '--hang-seconds': o.hangSeconds = Number(v); break;
      case '--no-stats': o.stats = false; break;
      case '--quiet': o.quiet = true; break;
      case '--keep': o.keep = Number(v); break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

function checkFile(file) {
  const source = readFileSync(file, 'utf8');
  const r = checkProgram(source, { modes: modesFor() });
  if (r.reject) { console.log(`${file}: does not compile:\n${r.reject}`); return 1; }
  console.log(`${file}: interp: ${describe(r.ref)}`);
  for (const f of r.failures) console.log(`  ${f.mode} ${f.aspect}: ${f.detail}`);
  console.log(r.failures.length ? `${r.failures.length} disagreements` : 'all modes agree');
  return r.failures.length ? 1 : 0;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.file) { process.exitCode = checkFile(o.file); return; }
  const caps = hostCaps();
  const modes = modesFor(caps);
  const skipped = MODES.filter((m) => !modes.includes(m)).map((m) => m.name);
  const t0 = Date.now();
  const deadline = o.minutes != null ? t0 + o.minutes * 60_000 : Infinity;
  let next, last;
  if (o.minutes != null) { next = o.from ?? (Math.floor(Date.now() / 1000) % 10_000_000) * 100; last = Infinity; }
  else { [next, last] = o.seeds ?? DEFAULT_SEEDS; }
  const firstSeed = next;
  const log = (s) => { if (!o.quiet) console.log(s); };
  log(`fuzz: modes ${modes.map((m) => m.name).join(' ')}${skipped.length ? ` (skipped on this host: ${skipped.join(' ')})` : ''}; GC stress modes on every ${o.stressEvery}th seed; ${o.jobs} threads`);

  const stats = { oracleSkips: new Map(), programs: 0, failures: [], rejects: [], errors: new Map(), osr: 0, compiled: 0, compileFailed: [], traced: 0, bytes: 0, lastSeed: null };
  const workers = [];
  const kinds = new Map(); // failure group (see failureGroup) -> times seen
  let done;
  const finished = new Promise((res) => { done = res; });

  const nextSeed = () => (next <= last && Date.now() < deadline ? next++ : null);

  const save = (rec, source) => {
    mkdirSync(o.out, { recursive: true });
    const path = join(o.out, `${rec.seed}.tier`);
    writeFileSync(path, reproducerText(rec, source));
    return relative(process.cwd(), path);
  };

  const onDone = (w, rec) => {
    stats.programs++;
    stats.bytes += rec.bytes;
    stats.lastSeed = Math.max(stats.lastSeed ?? rec.seed, rec.seed);
    const ek = rec.refExit === 0 ? 'ok' : rec.refError.replace(/-?\d+/g, 'N').replace(/"[^"]*"/g, '"..."').slice(0, 60);
    stats.errors.set(ek, (stats.errors.get(ek) ?? 0) + 1);
    if (rec.oracleSkip) stats.oracleSkips.set(rec.oracleSkip, (stats.oracleSkips.get(rec.oracleSkip) ?? 0) + 1);
    if (rec.osr !== undefined) { stats.traced++; stats.osr += rec.osr; stats.compiled += rec.compiled; stats.compileFailed.push(...rec.compileFailed); }
    if (rec.status === 'reject') {
      stats.rejects.push(rec);
      console.log(`GENERATOR REJECT seed ${rec.seed}: ${rec.reject}`);
    } else if (rec.status === 'fail') {
      const group = failureGroup(rec.kind);
      const n = (kinds.get(group) ?? 0) + 1;
      kinds.set(group, n);
      stats.failures.push(rec);
      if (n > o.keep) {
        rec.path = null;
        console.log(`FAIL seed ${rec.seed}: ${rec.kind} (seen ${n} times: not shrunk or saved)`);
        dispatch(w);
        return;
      }
      const path = save(rec, rec.shrunk ?? rec.source);
      rec.path = path;
      console.log(`FAIL seed ${rec.seed}: ${rec.kind}\n  ${(rec.shrunkFailures ?? rec.failures).slice(0, 4).map((f) => `${f.mode}: ${f.detail}`).join('\n  ')}\n  saved ${path}${rec.shrunk ? ` (shrunk ${rec.bytes} -> ${rec.shrunk.length} bytes, ${rec.shrink.tests} tests, ${(rec.shrink.ms / 1000).toFixed(1)} s)` : ''}`);
    }
    dispatch(w);
  };

  const spawn = () => {
    const w = { busy: false, seed: null, beat: 0, what: '', best: null, thread: null };
    w.thread = new Worker(join(HERE, 'worker.mjs'), {
      workerData: { stressEvery: o.stressEvery, shrink: o.shrink, stats: o.stats, modeNames: modes.map((m) => m.name) },
      resourceLimits: { stackSizeMb: 16 },
    });
    w.thread.on('message', (m) => {
      if (m.type === 'beat') { w.beat = Date.now(); w.what = m.what; } else if (m.type === 'shrunk') { w.best = m.source; w.beat = Date.now(); } else if (m.type === 'done') { w.busy = false; onDone(w, m.rec); }
    });
    w.thread.on('error', (e) => {
      if (w.killed) return;
      // a crash of the thread itself (not of a guest program): report it as a failure
      const rec = { seed: w.seed, status: 'fail', kind: `${w.what.split(' ')[1] ?? '?'}:thread-crash`, bytes: 0, failures: [{ mode: w.what, aspect: 'crash', detail: String(e && e.stack || e).split('\n')[0] }], expected: '-', got: String(e).slice(0, 200) };
      const src = w.best ?? generate(w.seed).source;
      rec.path = save(rec, src);
      stats.failures.push(rec); stats.programs++;
      console.log(`FAIL seed ${w.seed}: worker thread crashed (${String(e).slice(0, 200)}); saved ${rec.path}`);
      replace(w);
    });
    workers.push(w);
    dispatch(w);
    return w;
  };

  const replace = (w) => {
    w.killed = true;
    w.thread.terminate();
    workers.splice(workers.indexOf(w), 1);
    spawn();
  };

  const dispatch = (w) => {
    const seed = nextSeed();
    if (seed === null) {
      w.thread.terminate();
      w.killed = true;
      if (workers.every((x) => x.killed)) done();
      return;
    }
    w.busy = true; w.seed = seed; w.beat = Date.now(); w.what = `${seed} start`; w.best = null;
    w.thread.postMessage({ type: 'run', seed, skipShrink: [...kinds].filter(([, n]) => n >= o.keep).map(([k]) => k) });
  };

  const watchdog = setInterval(() => {
    for (const w of workers) {
      if (!w.busy || w.killed || Date.now() - w.beat < o.hangSeconds * 1000) continue;
      const mode = w.what.split(' ')[1];
      const rec = { seed: w.seed, status: 'fail', kind: `${mode}:hang`, bytes: 0,
        failures: [{ mode, aspect: 'hang', detail: `no result after ${o.hangSeconds} s (${w.what})` }],
        expected: 'the program to finish', got: `${mode} still running after ${o.hangSeconds} s` };
      const src = w.best ?? generate(w.seed).source;
      rec.bytes = src.length;
      rec.path = save(rec, src);
      stats.failures.push(rec); stats.programs++;
      console.log(`FAIL seed ${w.seed}: ${mode} did not finish in ${o.hangSeconds} s; saved ${rec.path}`);
      replace(w);
    }
  }, 1000);
  const progress = o.minutes != null ? setInterval(() => {
    log(`  ... ${stats.programs} programs, ${stats.failures.length} failures, ${((Date.now() - t0) / 60000).toFixed(1)} min`);
  }, 60_000) : null;

  for (let i = 0; i < o.jobs; i++) spawn();
  await finished;
  clearInterval(watchdog);
  if (progress) clearInterval(progress);

  const secs = (Date.now() - t0) / 1000;
  const perMin = stats.programs / (secs / 60);
  const errs = [...stats.errors].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join('; ');
  log(`  interpreter outcomes: ${errs}`);
  if (stats.traced) {
    log(`  traced auto run on ${stats.traced} programs: ${stats.compiled} functions compiled, ${stats.osr} OSR entries, ${stats.compileFailed.length} compile failures${stats.compileFailed.length ? ': ' + [...new Set(stats.compileFailed)].slice(0, 5).join(' | ') : ''}`);
  }
  if (modes.some((m) => m.oracle)) {
    const n = [...stats.oracleSkips.values()].reduce((a, b) => a + b, 0);
    log(`  oracle: judged ${stats.programs - n} programs, skipped ${n}${n ? ': ' + [...stats.oracleSkips].map(([k, v]) => `${v} ${k}`).join('; ') : ''}`);
  }
  log(`  average program ${Math.round(stats.bytes / Math.max(1, stats.programs))} bytes`);
  const groups = new Map();
  for (const f of stats.failures) groups.set(failureGroup(f.kind), [...(groups.get(failureGroup(f.kind)) ?? []), f]);
  for (const [kind, fs] of groups) {
    log(`  failure kind ${kind}: ${fs.length} programs, seeds ${fs.map((f) => f.seed).join(' ')}; saved: ${fs.filter((f) => f.path).map((f) => f.path).join(' ')}`);
  }
  console.log(`fuzz: ${stats.programs} programs, ${stats.failures.length} failures, ${stats.rejects.length} generator rejects, ` +
    `${secs.toFixed(1)} s (${perMin.toFixed(0)} programs/min), seeds ${firstSeed}..${stats.lastSeed ?? firstSeed}`);
  process.exitCode = stats.failures.length || stats.rejects.length ? 1 : 0;
}

await main();

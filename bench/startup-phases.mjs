// Where start-up goes, phase by phase, from time stamps in fresh processes (the
// whole-process view is bench/startup.mjs). Each phase is the median over
// --runs=N children (default 15), interleaved by kind of child:
//
//   cli-bundle TIER  what bin/tiervm.js does with the bundle: read the bundle and
//                    its code cache, compile (deserialise) it, run its top level;
//                    then main(['run', empty]) in mode TIER
//   cli-dist TIER    the same command from tsc's ~50 modules (import dist/cli.js)
//   embed TIER       an embedder: import dist/vm.js, then load(file, src) and
//                    run() of an empty program (first call in the process), then
//                    a second, different program, loaded and run in the same
//                    process (fib(15), 1973 calls: hot in the compiling modes)
//
// `boot` is node's own start-up up to the first line of the child (performance.
// now() there; a child started as the command is, without flags).
//
//   node bench/startup-phases.mjs [--runs=15]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const child = process.argv.find((a) => a.startsWith('--child='))?.slice(8);
const EMPTY_SRC = 'fn main() {}\n';
const SECOND_SRC = 'fn fib(n: i32) -> i32 { if n < 2 { return n; } return fib(n - 1) + fib(n - 2); }\nfn main() { print(fib(15)); }\n';

if (child !== undefined) await runChild(child, process.argv[process.argv.indexOf(`--child=${child}`) + 1], process.argv.at(-1));
else parent();

/** One child: time stamps of its phases, as JSON on stdout. */
async function runChild(kind, tier, empty) {
  const t = { boot: performance.now() };
  let at = t.boot;
  const lap = (name) => { const now = performance.now(); t[name] = now - at; at = now; };
  const quiet = { tier, stdout: () => {} };
  if (kind === 'cli-bundle') {
    const { loadBundle } = createRequire(import.meta.url)('../bin/tiervm.js');
    const b = loadBundle();
    if (b === null) throw new Error('no fresh bundle: npm run build');
    lap('load bundle');
    if (b.script.cachedDataRejected !== false) throw new Error('the code cache was rejected');
    await b.exports.main(['run', `--tier=${tier}`, empty]);
    lap('main');
  } else if (kind === 'cli-dist') {
    const { main } = await import(pathToFileURL(join(ROOT, 'dist', 'cli.js')).href);
    lap('import dist/cli.js');
    await main(['run', `--tier=${tier}`, empty]);
    lap('main');
  } else {
    const { load } = await import(pathToFileURL(join(ROOT, 'dist', 'vm.js')).href);
    lap('import dist/vm.js');
    const first = load('empty.tier', EMPTY_SRC, quiet).program;
    lap('load() first');
    first.run();
    lap('run() first');
    const second = load('fib.tier', SECOND_SRC, quiet).program;
    lap('load() second');
    second.run();
    lap('run() second');
  }
  process.stdout.write(JSON.stringify(t));
}

function parent() {
  const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 15);
  const empty = join(mkdtempSync(join(tmpdir(), 'tiervm-phases-')), 'empty.tier');
  writeFileSync(empty, EMPTY_SRC);
  const kinds = ['cli-bundle', 'cli-dist', 'embed'].flatMap((k) => ['interp', 'auto', 'jit'].map((tier) => [k, tier]));
  const got = kinds.map(() => []);
  for (let r = 0; r < runs; r++) {
    kinds.forEach(([kind, tier], i) => {
      const x = spawnSync(process.execPath, [fileURLToPath(import.meta.url), `--child=${kind}`, tier, empty], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (x.status !== 0) throw new Error(`${kind} ${tier}: ${x.stderr}`);
      got[i].push(JSON.parse(x.stdout));
    });
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  console.log(`start-up phases, ms, median of ${runs} fresh processes each (node ${process.version})\n`);
  kinds.forEach(([kind, tier], i) => {
    const names = Object.keys(got[i][0]);
    const parts = names.map((n) => `${n} ${median(got[i].map((t) => t[n])).toFixed(1)}`);
    const total = median(got[i].map((t) => names.slice(1).reduce((s, n) => s + t[n], 0)));
    console.log(`${`${kind} --tier=${tier}`.padEnd(24)} ${parts.join(' | ')} | after boot ${total.toFixed(1)}`);
  });
}

// A/B of two builds on first runs: every run is a fresh node process, started
// with the command line's V8 flags and with its wasm host (src/cli.ts,
// useCommandLineWasmHost), that loads one benchmark program through dist/vm.js
// and times its run() — node's start-up and load() left out, every compile of
// the run (all of them cold, as in a short command) in. Runs alternate between
// the builds, which one goes first alternating too. For changes to what a
// short run spends on compiling, where bench/ab.mjs (both builds in one
// process, the compiler warm after the first run) cannot see it.
//
//   node bench/fresh-ab.mjs --base=DIR [--new=DIR] [--rounds=9] [--tier=auto] NAME:SIZE ...
//
// DIR is a tiervm checkout with a built dist/; --new defaults to this
// checkout. Prints min, median and max ms of run() per build, the ratio of
// the medians and the median of the per-round ratios (`paired`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') await child(...process.argv.slice(3));
else await parent(process.argv.slice(2));

/** One run: ROOT's build, program FILE at SIZE in TIER; prints run() ms. */
async function child(root, file, size, tier) {
  const dist = (m) => import(pathToFileURL(join(root, 'dist', m)).href);
  const cli = await dist('cli.js');
  if (typeof cli.useCommandLineWasmHost === 'function') cli.useCommandLineWasmHost();
  else (await dist('config.js')).WASM_HOST.optimizesAtOnce = true;   // (a build before it: flags as below)
  const { load } = await dist('vm.js');
  const r = load(file, readFileSync(file, 'utf8'), { tier, args: [size], stdout: () => {} });
  if (r.program === undefined) throw new Error(r.text);
  const t0 = performance.now();
  const status = r.program.run();
  const ms = performance.now() - t0;
  if (status !== 0) throw new Error(`${file} ${size}: exit status ${status}`);
  process.stdout.write(String(ms));
}

async function parent(argv) {
  const opt = (name, dflt) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
  const base = opt('base', null);
  if (base === null) { console.error('fresh-ab: --base=DIR is required'); process.exit(2); }
  const builds = [['base', resolve(base)], ['new', resolve(opt('new', ROOT))]];
  const rounds = Math.max(1, Number(opt('rounds', '9')));
  const tier = opt('tier', 'auto');
  const programs = argv.filter((a) => /^\w+:\d+$/.test(a));
  // The command line's V8 flags (src/cli.ts, V8_FLAGS), given to node up front.
  const { V8_FLAGS: flags } = await import(pathToFileURL(join(ROOT, 'dist', 'cli.js')).href);
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  for (const p of programs) {
    const [name, size] = p.split(':');
    const file = join(ROOT, 'bench', 'programs', `${name}.tier`);
    const ms = { base: [], new: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [which, root] of r % 2 ? [...builds].reverse() : builds) {
        const x = spawnSync(process.execPath, [...flags, SELF, '--child', root, file, size, tier], { encoding: 'utf8' });
        if (x.status !== 0) { console.error(`fresh-ab: ${which} ${p}: ${x.stderr}`); process.exit(1); }
        ms[which].push(Number(x.stdout));
      }
    }
    const row = (xs) => `${Math.min(...xs).toFixed(1)} / ${med(xs).toFixed(1)} / ${Math.max(...xs).toFixed(1)}`;
    const paired = med(ms.new.map((x, i) => x / ms.base[i]));
    console.log(`${p.padEnd(20)} base ${row(ms.base)}  new ${row(ms.new)}  new/base ${(med(ms.new) / med(ms.base)).toFixed(3)} paired ${paired.toFixed(3)}`);
  }
}

// How fast a program runs embedded: `load(file, source, { args }).program.run()`
// in a plain node process (V8's own defaults, as an embedder's process has them:
// WebAssembly first compiled by the baseline compiler), with OSR exits on (what
// an embedder gets) and off (WASM_HOST.optimizesAtOnce forced, the code before
// exits), and the same run under `node --no-liftoff` (what the command line
// asks V8 for) as the reference. docs/architecture.md, "OSR exits".
//
//   node bench/embedded.mjs [--reps=5] [NAME:SIZE]...
//
// Each run is a fresh process; the variants are interleaved round by round so
// that drift of a shared machine hits them alike. Reports the wall time of
// run() (load and the first compile included, process start-up not) per
// variant: median [min-max] in ms, and the medians over --no-liftoff's.
// Default programs: the ones whose main loop runs by OSR.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[2] === '--child') {
  const [, , , name, size, exits] = process.argv;
  const vm = await import(pathToFileURL(join(ROOT, 'dist', 'vm.js')).href);
  const config = await import(pathToFileURL(join(ROOT, 'dist', 'config.js')).href);
  if (exits === 'off') config.WASM_HOST.optimizesAtOnce = true;
  const file = join(ROOT, 'bench', 'programs', `${name}.tier`);
  const source = readFileSync(file, 'utf8');
  const t0 = performance.now();
  const r = vm.load(file, source, { args: [size], stdout: () => {} });
  if (!r.ok) throw new Error(r.text);
  const status = r.program.run();
  const ms = performance.now() - t0;
  if (status !== 0) throw new Error(`${name} exited ${status}`);
  process.stdout.write(String(ms));
} else {
  const opt = (n, d) => process.argv.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3) ?? d;
  const REPS = Number(opt('reps', '5'));
  const given = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const programs = (given.length > 0 ? given : ['fannkuch:10', 'mandelbrot:1000', 'spectral:700', 'spectral:2500', 'fasta:400000', 'sieve:5000000', 'nbody:500000'])
    .map((p) => p.split(':'));
  const VARIANTS = [['exits off', [], 'off'], ['exits on', [], 'on'], ['--no-liftoff', ['--no-liftoff', '--no-wasm-lazy-compilation'], 'on']];
  const me = fileURLToPath(import.meta.url);
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
  console.log(`| program | ${VARIANTS.map((v) => v[0]).join(' | ')} | off / ref | on / ref |`);
  console.log(`|---|${VARIANTS.map(() => '---:').join('|')}|---:|---:|`);
  for (const [name, size] of programs) {
    const times = VARIANTS.map(() => []);
    for (let rep = 0; rep < REPS; rep++) {
      VARIANTS.forEach(([, flags, exits], v) => {
        const r = spawnSync(process.execPath, [...flags, me, '--child', name, size, exits], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${name} ${size} (${VARIANTS[v][0]}): ${r.stderr}`);
        times[v].push(Number(r.stdout));
      });
    }
    const cell = (xs) => `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}]`;
    const ref = median(times[2]);
    console.log(`| ${name} ${size} | ${times.map(cell).join(' | ')} | ${(median(times[0]) / ref).toFixed(2)} | ${(median(times[1]) / ref).toFixed(2)} |`);
  }
}

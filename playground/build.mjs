// npm run playground:build: the static playground in playground/dist/ (works from
// any static host): index.html, style.css, main.js (page), worker.js (the VM in a
// Web Worker) and tiervm.js (the VM alone as an ES module for the browser, for
// embedders). Bundled for the browser by esbuild: a `node:` import reachable from
// src/vm.ts fails the build. The examples menu holds every examples/*.tier and a
// few corpus programs, embedded in main.js.
import { build } from 'esbuild';
import { readFileSync, readdirSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const OUT = join(HERE, 'dist');
const CORPUS_EXAMPLES = ['mandelbrot', 'nbody', 'binary_trees', 'sieve', 'brainfuck', 'hash_map', 'game_of_life', 'callbacks'];

function examples() {
  const ex = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.tier')).sort().map((f) => join(ROOT, 'examples', f));
  const corpus = CORPUS_EXAMPLES.map((n) => join(ROOT, 'tests/programs/programs', `${n}.tier`));
  return [...ex, ...corpus].map((file) => {
    const source = readFileSync(file, 'utf8');
    const args = [...source.matchAll(/\/\/ args:(.*)$/gm)].map((m) => m[1].trim()).join(' ');
    return { name: basename(file, '.tier'), source, args };
  });
}

const examplesPlugin = {
  name: 'tier-examples',
  setup(b) {
    b.onResolve({ filter: /^tier-examples$/ }, () => ({ path: 'tier-examples', namespace: 'tier-examples' }));
    b.onLoad({ filter: /.*/, namespace: 'tier-examples' }, () => ({ contents: `export default ${JSON.stringify(examples())};`, loader: 'js' }));
  },
};

export async function buildPlayground({ minify = true } = {}) {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const common = { bundle: true, platform: 'browser', target: 'es2022', minify, sourcemap: false, logLevel: 'warning', legalComments: 'none' };
  await build({ ...common, entryPoints: [join(HERE, 'src/main.ts')], outfile: join(OUT, 'main.js'), format: 'iife', plugins: [examplesPlugin] });
  await build({ ...common, entryPoints: [join(HERE, 'src/worker.ts')], outfile: join(OUT, 'worker.js'), format: 'iife' });
  await build({ ...common, entryPoints: [join(ROOT, 'src/vm.ts')], outfile: join(OUT, 'tiervm.js'), format: 'esm' });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(HERE, f), join(OUT, f));
  return OUT;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildPlayground({ minify: !process.argv.includes('--no-minify') });
  console.log(`playground built in ${out}`);
}

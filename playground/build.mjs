// npm run playground:build: the static playground in playground/dist/ (works from
// any static host, at any path: every URL in it is relative): index.html,
// style.css, favicon.svg, main.js (the page, with the worker bundle embedded as
// text for a blob: worker), worker.js (the same worker, loaded by URL where the
// page's policy allows no blob: worker) and tiervm.js (the VM alone as an ES
// module for the browser, for embedders). Bundled for the browser by esbuild: a `node:` import reachable from
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
    // The threshold its comment's command line uses, if any (examples/deopt.tier).
    const threshold = /--jit-threshold=(\d+)/.exec(source)?.[1] ?? null;
    return { name: basename(file, '.tier'), source, args, threshold };
  });
}

/** An esbuild plugin: importing `name` gives `value` (made when the build asks). */
function valueModule(name, value) {
  return {
    name,
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path: name, namespace: name }));
      b.onLoad({ filter: /.*/, namespace: name }, () => ({ contents: `export default ${JSON.stringify(value())};`, loader: 'js' }));
    },
  };
}

/** CodeMirror's styles (style-mod) as a constructed style sheet adopted by the
 *  document, as style-mod already does in shadow roots: a <style> element would
 *  be refused under a content security policy without style-src 'unsafe-inline'
 *  (default-src 'self', say), leaving the editor unstyled; a constructed sheet
 *  is not subject to the policy. The page's own style.css wins where it sets
 *  the same thing (its rules name #editor). */
const STYLE_MOD_CONDITION = '!root.head && root.adoptedStyleSheets';
const adoptedStyles = {
  name: 'style-mod-adopted',
  setup(b) {
    b.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      if (!source.includes(STYLE_MOD_CONDITION)) throw new Error(`${path}: style-mod changed; see adoptedStyles in playground/build.mjs`);
      return { contents: source.replace(STYLE_MOD_CONDITION, 'root.adoptedStyleSheets'), loader: 'js' };
    });
  },
};

const examplesPlugin = valueModule('tier-examples', examples);
/** The worker bundle as text, for the page's blob: worker (src/runs.ts). */
const textModule = (name, text) => valueModule(name, () => text);

export async function buildPlayground({ minify = true } = {}) {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const common = { bundle: true, platform: 'browser', target: 'es2022', minify, sourcemap: false, logLevel: 'warning', legalComments: 'none' };
  await build({ ...common, entryPoints: [join(HERE, 'src/worker.ts')], outfile: join(OUT, 'worker.js'), format: 'iife' });
  const workerSource = readFileSync(join(OUT, 'worker.js'), 'utf8');
  await build({ ...common, entryPoints: [join(HERE, 'src/main.ts')], outfile: join(OUT, 'main.js'), format: 'iife', plugins: [examplesPlugin, textModule('tier-worker-source', workerSource), adoptedStyles] });
  await build({ ...common, entryPoints: [join(ROOT, 'src/vm.ts')], outfile: join(OUT, 'tiervm.js'), format: 'esm' });
  for (const f of ['index.html', 'style.css', 'favicon.svg']) copyFileSync(join(HERE, f), join(OUT, f));
  return OUT;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildPlayground({ minify: !process.argv.includes('--no-minify') });
  console.log(`playground built in ${out}`);
}

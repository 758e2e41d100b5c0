// Compile cost of tiervm's front end against the size of the source: each shape
// below is generated at two sizes (N and 2N) and loaded (lex, parse, check, lower,
// verify: everything `tiervm check` does) in a fresh process, which reports the
// time of load() and its peak resident memory. A linear front end shows a ratio
// near 2 for twice the input; 4 means quadratic.
//
//   node bench/compile.mjs [--dist=DIR] [--scale=F] [--timeout=S] [SHAPE ...]
//
// --dist: a built dist/ directory to measure (default: this checkout's), so two
// builds can be compared; --scale multiplies every N (0.1 for a quick look);
// --timeout: seconds per run (default 60; a run past it shows as `>S s`);
// --worker: load on a worker thread with a 512 MB host stack, as `tiervm run`
// does for the compiling tiers (the default is the main thread, like `check`).
import { spawnSync } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** name -> [N, source of size N]. Each shape stresses one stage or construct. */
const SHAPES = {
  'nested-arrays': [10_000, (n) => `fn main() { let a = ${'['.repeat(n)}1${']'.repeat(n)}; }\n`],
  statements: [50_000, (n) => `fn main() {\n  var x = 0;\n${'  x = x + 1;\n'.repeat(n)}  print(x);\n}\n`],
  functions: [5_000, (n) => Array.from({ length: n }, (_, i) => `fn f${i}(a: i32) -> i32 { return a + ${i}; }\n`).join('') + 'fn main() { print(f0(1)); }\n'],
  'string-literal': [512 * 1024, (n) => `fn main() { let s = "${'a'.repeat(n)}"; print(s.len); }\n`],
  'else-if': [25_000, (n) => `fn main() {\n  let x = 3;\n  var y = 0;\n  if x == 0 { y = 0; }\n${Array.from({ length: n }, (_, i) => `  else if x == ${i + 1} { y = ${i}; }\n`).join('')}  print(y);\n}\n`],
  'plus-chain': [50_000, (n) => `fn main() { let x = 0${' + 1'.repeat(n)}; print(x); }\n`],
  'and-chain': [25_000, (n) => `fn main() { let t = true; let x = t${' && t'.repeat(n)}; print(x); }\n`],
  'concat-chain': [25_000, (n) => `fn main() { let s = "a"${' + "b"'.repeat(n)}; print(s.len); }\n`],
  locals: [5_000, (n) => `fn main() {\n${Array.from({ length: n }, (_, i) => `  let v${i} = ${i};\n`).join('')}  print(v0);\n}\n`],
  'struct-fields': [5_000, (n) => {
    const names = Array.from({ length: n }, (_, i) => `f${i}`);
    return `struct S { ${names.map((f) => `${f}: i32`).join(', ')} }\n` +
      `fn main() {\n  let s = new S { ${names.map((f) => `${f}: 1`).join(', ')} };\n  var t = 0;\n` +
      names.map((f) => `  t += s.${f};\n`).join('') + '  print(t);\n}\n';
  }],
  'lexer-errors': [512 * 1024, (n) => '@'.repeat(n)],
  'error-lines': [2_000, (n) => Array.from({ length: n }, () => `fn main() { let x: i32 = true; ${'@'.repeat(20)} }\n`).join('')],
};

function parseArgs(argv) {
  const o = { dist: resolve(ROOT, 'dist'), scale: 1, timeout: 60, worker: false, shapes: [] };
  for (const a of argv) {
    if (a === '--worker') { o.worker = true; continue; }
    const m = /^--(dist|scale|timeout)=(.+)$/.exec(a);
    if (m) o[m[1]] = m[1] === 'dist' ? resolve(m[2]) : Number(m[2]);
    else if (SHAPES[a]) o.shapes.push(a);
    else { console.error(`compile: unknown argument ${a} (shapes: ${Object.keys(SHAPES).join(' ')})`); process.exit(2); }
  }
  if (o.shapes.length === 0) o.shapes = Object.keys(SHAPES);
  return o;
}

/** In the child: generate, load once, report JSON on stdout (from a worker with a
 *  big stack when asked). */
async function child(shape, n, dist, onWorker) {
  if (onWorker) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(fileURLToPath(import.meta.url), {
      argv: ['--child', shape, String(n), dist, 'main'], resourceLimits: { stackSizeMb: 512 }, stdout: false,
    });
    await new Promise((res) => w.on('exit', res));
    return;
  }
  const { load } = await import(pathToFileURL(`${dist}/vm.js`).href);
  const source = SHAPES[shape][1](n);
  let errBytes = 0;
  const t0 = performance.now();
  const r = load(`${shape}.tier`, source, { stderr: (t) => { errBytes += t.length; }, tier: 'interp' });
  const ms = performance.now() - t0;
  const status = r.ok ? 0 : r.exitCode;
  const rssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ ms, status, errBytes, rssMB, srcBytes: source.length }));
}

function measure(shape, n, o) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', shape, String(n), o.dist, o.worker ? 'worker' : 'main'],
    { encoding: 'utf8', timeout: o.timeout * 1000, maxBuffer: 1 << 20 });
  if (r.error?.code === 'ETIMEDOUT' || r.signal) return { timeout: true };
  try { return JSON.parse(r.stdout); } catch { return { crashed: (r.stderr || '').split('\n').slice(0, 3).join(' ') }; }
}

const show = (m, o) => m.timeout ? `>${o.timeout} s` : m.crashed ? `crash` : `${m.ms.toFixed(0)} ms`;
const mem = (m) => (m.rssMB ? `${m.rssMB.toFixed(0)} MB` : '-');

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]), process.argv[5], process.argv[6] === 'worker');
} else {
  const o = parseArgs(process.argv.slice(2));
  console.log(`dist: ${o.dist}, on the ${o.worker ? 'worker thread (512 MB stack)' : 'main thread'}`);
  console.log('shape              N        source   time N   time 2N  ratio  RSS 2N   status  stderr 2N');
  for (const shape of o.shapes) {
    const n = Math.max(1, Math.round(SHAPES[shape][0] * o.scale));
    const a = measure(shape, n, o), b = measure(shape, 2 * n, o);
    const ratio = a.ms && b.ms ? (b.ms / a.ms).toFixed(2) : '-';
    console.log(`${shape.padEnd(18)} ${String(n).padEnd(8)} ${String(b.srcBytes ?? '-').padStart(8)} ${show(a, o).padStart(8)} ${show(b, o).padStart(9)}` +
      `  ${ratio.padStart(5)}  ${mem(b).padStart(7)}  ${String(b.status ?? '-').padStart(6)}  ${String(b.errBytes ?? '-').padStart(9)}`);
  }
}

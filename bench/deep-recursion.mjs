// How deep does a recursion stay compiled? Compiled code keeps to a host-stack
// budget and grows it where the host stack holds more (src/runtime/runtime.ts,
// growHostLimit; docs/architecture.md, "The host stack"). For two frame shapes
// (`down`: 1 parameter, 5 slots a frame; `fat`: 9 parameters, 34 slots) and
// each depth, an entry that makes the recursion 6 times under `--tier=jit`
// (the budget grows from the 4th time it is reached in an entry), and the
// deepest level of the 6th that ran compiled: its frames less the calls the
// interpreter made in it (the tier events' counts of 6 times less those of
// 5). `--fixed` gives the budget as an option (it then never grows), for the
// numbers before.
//
//   node bench/deep-recursion.mjs [--backend=wasm|js] [--fixed]
//   node --no-liftoff bench/deep-recursion.mjs      (the command line's wasm code)
import { load } from '../dist/vm.js';
import { HOST_STACK } from '../dist/config.js';

const backend = process.argv.find((a) => a.startsWith('--backend='))?.slice(10) ?? 'wasm';
const fixed = process.argv.includes('--fixed');
const SOURCE = `fn down(n: i32) -> i32 { if n == 0 { return 0; } return down(n - 1) + 1; }
fn fat(n: i32, a: i32, b: i32, c: i32, d: i32, e: f64, f: f64, g: f64, h: f64) -> f64 {
  if n == 0 { return e + f; }
  let p = a * b + c; let q = d * a - b; let r = e * f + g; let s = g * h - e;
  let t = p + q; let u = r * s; let v = t as f64 + u; let w = v * 0.5;
  return fat(n - 1, q & 7, p & 7, c + 1, d, f, g, 1.0, 0.0) + w * 0.0 + 1.0;
}
fn downs(n: i32, k: i32) -> i32 { var t = 0; for i in 0..k { t += down(n); } return t; }
fn fats(n: i32, k: i32) -> f64 { var t = 0.0; for i in 0..k { t += fat(n, 1, 2, 3, 4, 1.0, 2.0, 3.0, 4.0); } return t; }
fn main() {}`;

/** Calls the interpreter made in an entry making the recursion of fn k times. */
function interpreted(fn, depth, k) {
  let counts = null;
  const opts = { tier: 'jit', backend, onTierEvent: (e) => { if (e.kind === 'counts') counts = e; } };
  if (fixed) opts.hostStackSlots = HOST_STACK[backend].slots;
  const p = load('deep.tier', SOURCE, opts).program;
  p.call(`${fn}s`, depth, k);
  p.run();   // (main: the counts event comes at the end of a run)
  return counts.crossings.interpToInterp;
}

console.log(`backend ${backend}${fixed ? ', fixed budget' : ''}; node ${process.execArgv.join(' ')}`);
for (const fn of ['down', 'fat']) {
  const row = [];
  for (const depth of [2000, 4000, 8000, 12000, 16000, 24000]) {
    const last = interpreted(fn, depth, 6) - interpreted(fn, depth, 5);
    row.push(`${depth}: ${depth + 1 - last}`);
  }
  console.log(`${fn.padEnd(5)} deepest compiled level, by depth  ${row.join('  ')}`);
}

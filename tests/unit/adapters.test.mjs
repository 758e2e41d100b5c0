// The generic adapters (--adapters=generic, src/jit/generic-adapters.ts) against
// the generated ones: calls of every shape (0..7 parameters of i32, f64,
// references and mixed kinds), in every direction between the interpreter and
// compiled code, on each backend the host has, with a collection at every
// allocation while references cross. Also: the mode is validated (API and CLI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { load } from '../../dist/vm.js';
import { hasWasm, hasEval } from './host-caps.mjs';

const KINDS = { i: 'i32', f: 'f64', r: 'Box' };
/** Parameter kinds of the callees: one kind throughout, 0..7 of them, and mixes. */
const SHAPES = [
  ...['i', 'f', 'r'].flatMap((k) => [0, 1, 2, 3, 4, 5, 6, 7].map((n) => k.repeat(n) + '>' + k)),
  'if>f', 'fi>i', 'rif>r', 'frifri>f', 'irfirfi>i', 'fffffffi>f',
];

/** Argument j of a call (kind k, call number i): distinct per position. */
function argExpr(k, j) {
  return k === 'i' ? `i * ${j + 2} + ${j}` : k === 'f' ? `(i as f64) * ${j + 1}.5 + 0.25` : `new Box { v: i + ${j * 10} }`;
}
/** The callee's result: every argument weighed by its position, and an allocation
 *  (a collection under gcStress) while the reference arguments are live. */
function calleeSource(name, params, ret) {
  const decl = [...params].map((k, j) => `a${j}: ${KINDS[k]}`).join(', ');
  const terms = [...params].map((k, j) => (k === 'i' ? `(a${j} * ${j + 3})` : k === 'f' ? `((a${j} * ${j + 1}.0) as i32)` : `(a${j}.v * ${j + 7})`));
  const sum = terms.length ? terms.join(' + ') : '11';
  const result = ret === 'i' ? 's' : ret === 'f' ? '(s as f64) * 0.5' : 'new Box { v: s }';
  return `fn c_${name}(${decl}) -> ${KINDS[ret]} {\n  let junk = new [i32](3);\n  let s = ${sum} + junk.len;\n  return ${result};\n}`;
}
function driverSource(name, params, ret) {
  const call = `c_${name}(${[...params].map((k, j) => argExpr(k, j)).join(', ')})`;
  const show = ret === 'r' ? `${call}.v` : call;
  return `fn d_${name}() {\n  for i in 0..40 { print(${show}); }\n}`;
}
const ident = (s) => s.replace('>', '_');
const SOURCE = ['struct Box { v: i32 }',
  ...SHAPES.map((s) => { const [p, r] = s.split('>'); return calleeSource(ident(s), p, r) + '\n' + driverSource(ident(s), p, r); }),
  `fn main() {\n${SHAPES.map((s) => `  d_${ident(s)}();`).join('\n')}\n}`].join('\n');

/** What the program prints, computed here (not by any tier). */
function expected() {
  const lines = [];
  for (const s of SHAPES) {
    const [p, r] = s.split('>');
    for (let i = 0; i < 40; i++) {
      let sum = 0;
      [...p].forEach((k, j) => {
        if (k === 'i') sum += (i * (j + 2) + j) * (j + 3);
        else if (k === 'f') sum += Math.trunc((i * (j + 1.5) + 0.25) * (j + 1));
        else sum += (i + j * 10) * (j + 7);
      });
      if (p.length === 0) sum = 11;
      sum += 3;
      lines.push(r === 'f' ? fmt(sum * 0.5) : String(sum));
    }
  }
  return lines.join('\n') + '\n';
}
const fmt = (x) => String(x);   // formatF64: the shortest text that reads back

function runWith(opts) {
  let out = '';
  const events = [];
  const loaded = load('adapters.tier', SOURCE, { ...opts, stdout: (t) => { out += t; }, onTierEvent: (e) => events.push(e) });
  assert.ok(loaded.ok, loaded.text);
  assert.equal(loaded.program.run(), 0);
  return { out, events };
}

/** The directions, by which functions are compiled. */
const DIRECTIONS = [
  ['interp -> compiled', { tier: 'jit', jitFilter: '^c_' }],
  ['compiled -> interp', { tier: 'jit', jitFilter: '^d_' }],
  ['compiled -> compiled', { tier: 'jit', inline: false }],
  ['tier-up at every chance', { tier: 'auto', jitThreshold: 1 }],
];
const BACKENDS = [['wasm', hasWasm], ['js', hasEval]];

test('the program prints the expected values in the interpreter', () => {
  assert.equal(runWith({ tier: 'interp' }).out, expected());
});

for (const [backend, available] of BACKENDS) {
  for (const [direction, opts] of DIRECTIONS) {
    test(`generic and generated adapters agree: ${direction}, ${backend}, GC at every allocation`, { skip: !available && `no ${backend} on this host` }, () => {
      const want = expected();
      for (const adapters of ['generated', 'generic']) {
        const r = runWith({ ...opts, backend, adapters, gcStress: true });
        assert.equal(r.out, want, `${adapters} adapters`);
        const made = r.events.filter((e) => e.kind === 'adapter');
        assert.ok(made.length > 0, 'adapters were made');
        for (const e of made) assert.equal(e.generic, adapters === 'generic', `${e.adapter} ${e.shape}`);
      }
    });
  }
}

test('the adapter mode is validated', () => {
  const bad = load('a.tier', 'fn main() {}', { adapters: 'fast' });
  assert.equal(bad.ok, false);
  assert.match(bad.text, /invalid option adapters: must be one of 'generated', 'generic', got "fast"/);
  for (const adapters of ['generated', 'generic']) assert.ok(load('a.tier', 'fn main() {}', { adapters }).ok);
  const cli = spawnSync(process.execPath, ['bin/tiervm.js', 'run', '--adapters=fast', '-e', 'fn main() {}'], { encoding: 'utf8' });
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /--adapters: unknown adapter mode 'fast' \(available: generated, generic\)/);
  const help = spawnSync(process.execPath, ['bin/tiervm.js', '--help'], { encoding: 'utf8' });
  assert.match(help.stdout, /--adapters=MODE/);
});

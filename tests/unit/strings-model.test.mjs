// Strings against a model: a random sequence of string operations (concatenate,
// substr, ==, s[i], chr, str(len) + s, a hash over the units, strings handed
// in and out through externs) run by a guest program and by plain JavaScript
// from the language contract, in every mode this host has, with ropes forced
// and with a collection at every allocation. The random stream is drawn first
// and served to both, so they see the same operations; every result the guest
// hands out is compared with the model's, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { MODES } from './host-caps.mjs';

const PICKS = ['', 'a', 'hello', '\u{1F600}', '\uD800', '\uDC00x', 'é', 'ab\u0000cd', 'x'.repeat(300), 'y'.repeat(255),
  'z'.repeat(257), '日本語テキスト', '12345', '-7'];

const SRC = (n) => `extern fn op() -> i32;
extern fn arg() -> i32;
extern fn pick() -> str;
extern fn check(s: str);
extern fn checki(i: i32);
fn main() {
  let pool = new [str](16);
  for i in 0..16 { pool[i] = pick(); }
  for k in 0..${n} {
    let o = op(); let a = arg() & 15; let b = arg() & 15;
    if o == 0 {
      if pool[a].len + pool[b].len > 100000 { pool[a] = pick(); } else { pool[a] = pool[a] + pool[b]; }
    } else if o == 1 {
      let s = pool[a]; let x = arg() % (s.len + 1); let y = arg() % (s.len + 1);
      if x <= y { pool[b] = substr(s, x, y); } else { pool[b] = substr(s, y, x); }
    } else if o == 2 {
      if pool[a] == pool[b] { checki(1); } else { checki(0); }
    } else if o == 3 {
      check(pool[a]);
    } else if o == 4 {
      let s = pool[a]; if s.len > 0 { checki(s[arg() % s.len]); } else { checki(-1); }
    } else if o == 5 {
      pool[a] = chr(arg() % 1114112);
    } else if o == 6 {
      pool[a] = pick();
    } else if o == 7 {
      if pool[b].len > 100000 { pool[a] = pick(); } else { pool[a] = str(pool[a].len) + pool[b]; }
    } else {
      let s = pool[a]; var h = 0; for i in 0..s.len { h = h * 31 + s[i]; } checki(h);
    }
  }
}
`;

/** The random stream: operations, arguments (non-negative i32) and picks. */
function stream(n, seed) {
  let x = seed;
  const next = () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x >>> 8; };
  const ops = [], args = [], picks = [];
  for (let k = 0; k < n * 6 + 32; k++) { ops.push(next() % 9); args.push(next()); picks.push(next() % PICKS.length); }
  return { ops, args, picks };
}

/** What the guest hands out, computed from the contract. */
function model(n, { ops, args, picks }) {
  let oi = 0, ai = 0, pi = 0;
  const op = () => ops[oi++], arg = () => args[ai++], pick = () => PICKS[picks[pi++]];
  const out = [], pool = [];
  for (let i = 0; i < 16; i++) pool.push(pick());
  for (let k = 0; k < n; k++) {
    const o = op(), a = arg() & 15, b = arg() & 15;
    if (o === 0) pool[a] = pool[a].length + pool[b].length > 100000 ? pick() : pool[a] + pool[b];
    else if (o === 1) { const s = pool[a], x = arg() % (s.length + 1), y = arg() % (s.length + 1); pool[b] = s.slice(Math.min(x, y), Math.max(x, y)); }
    else if (o === 2) out.push(pool[a] === pool[b] ? 1 : 0);
    else if (o === 3) out.push(pool[a]);
    else if (o === 4) { const s = pool[a]; out.push(s.length > 0 ? s.charCodeAt(arg() % s.length) : -1); }
    else if (o === 5) pool[a] = String.fromCodePoint(arg() % 1114112);
    else if (o === 6) pool[a] = pick();
    else if (o === 7) pool[a] = pool[b].length > 100000 ? pick() : String(pool[a].length) + pool[b];
    else { let h = 0; for (const c of pool[a]) for (let i = 0; i < c.length; i++) h = (Math.imul(h, 31) + c.charCodeAt(i)) | 0; out.push(h); }
  }
  return out;
}

function guest(n, s, opts) {
  let oi = 0, ai = 0, pi = 0, stderr = '';
  const out = [];
  const externs = { op: () => s.ops[oi++], arg: () => s.args[ai++], pick: () => PICKS[s.picks[pi++]], check: (t) => { out.push(t); }, checki: (i) => { out.push(i); } };
  const r = load('s.tier', SRC(n), { ...opts, externs, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, r.ok ? '' : r.text);
  assert.equal(r.program.run(), 0, stderr);
  return out;
}

function firstDifference(got, want) {
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    if (got[i] !== want[i]) return `result ${i}: got ${JSON.stringify(String(got[i]).slice(0, 80))}, want ${JSON.stringify(String(want[i]).slice(0, 80))}`;
  }
  return null;
}

test('random string operations give the model\'s results in every mode, on ropes and under GC stress', () => {
  for (const [n, seed] of [[6000, 99], [6000, 7]]) {
    const s = stream(n, seed), want = model(n, s);
    assert.ok(want.length > 1000);
    for (const mode of [...MODES, { tier: 'auto', ropeStress: true }, { tier: 'jit', ropeStress: true }]) {
      assert.equal(firstDifference(guest(n, s, mode), want), null, JSON.stringify(mode));
    }
  }
  const n = 1500, s = stream(n, 3), want = model(n, s);
  for (const mode of [{ tier: 'interp', gcStress: true }, { tier: 'jit', gcStress: true }, { tier: 'auto', jitThreshold: 1, gcStress: true, ropeStress: true }]) {
    assert.equal(firstDifference(guest(n, s, mode), want), null, JSON.stringify(mode));
  }
});

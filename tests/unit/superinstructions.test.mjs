// Superinstructions (src/bytecode/opcodes.ts SUPER_PARTS, src/bytecode/fuse.ts)
// and `while` rotation (src/front/lower.ts): the table's rules, where the
// lowering emits them, what the disassembler shows, that the verifier holds them
// to their parts, that the compiling backends see plain code, and that every
// tier gives the same answers and the same fuel (the corpus program
// tests/programs/superinstructions/fused_runs.tier runs in every tier too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OP_INFO, instrLength } from '../../dist/bytecode/opcodes.js';
import { fuseCode, plainModule, plainCode } from '../../dist/bytecode/fuse.js';
import { verifyModule } from '../../dist/bytecode/verify.js';
import { disassembleFunction } from '../../dist/bytecode/disasm.js';
import { load } from '../../dist/vm.js';

const Op = Object.fromEntries(Object.entries(OP_INFO).map(([code, info]) => [info.name, Number(code)]));
const SUPERS = Object.keys(OP_INFO).map(Number).filter((op) => OP_INFO[op].parts);

function compile(source) {
  const r = load('t.tier', source, { tier: 'interp', stderr: () => {} });
  assert.ok(r.ok, 'did not compile');
  return r.program.module;
}
const fnNamed = (mod, name) => mod.functions.find((f) => f.name === name);
/** The opcode names of a function's instructions, in order. */
function opNames(fn) {
  const out = [];
  for (let pc = 0; pc < fn.code.length; pc += instrLength(fn.code[pc])) out.push(OP_INFO[fn.code[pc]].name);
  return out;
}

function runAll(source, args = [], extra = {}) {
  const outs = {};
  for (const [mode, opts] of Object.entries({
    interp: { tier: 'interp' }, jit: { tier: 'jit' }, 'jit-js': { tier: 'jit', backend: 'js' },
    auto: { tier: 'auto', jitThreshold: 1 },
  })) {
    let out = '';
    const r = load('t.tier', source, { ...opts, ...extra, args, stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
    assert.ok(r.ok);
    const code = r.program.run();
    outs[mode] = `${code}:${out}`;
  }
  return outs;
}

test('each superinstruction: plain parts, a first part that neither calls nor ends nor counts a step, its operands', () => {
  assert.ok(SUPERS.length >= 10);
  for (const op of SUPERS) {
    const info = OP_INFO[op];
    const [first, ...rest] = info.parts;
    assert.ok(info.parts.length >= 2, info.name);
    for (const p of info.parts) assert.equal(OP_INFO[p].parts, undefined, `${info.name}: part ${OP_INFO[p].name} is itself fused`);
    assert.ok(!OP_INFO[first].calls && !OP_INFO[first].ends && !OP_INFO[first].step && !OP_INFO[first].allocates, info.name);
    assert.deepEqual(info.args, OP_INFO[first].args, info.name);
    assert.equal(info.name, info.parts.map((p) => OP_INFO[p].name).join('+'));
    assert.ok(rest.length > 0);
  }
});

test('the sieve loop is fused where the measured pairs say: store a constant, then add, test and loop back in one', () => {
  const mod = compile(`fn main() {
    let n = 100;
    let c = new [bool](n);
    var j = 4;
    let i = 2;
    while j < n { c[j] = true; j += i; }
  }`);
  const names = opNames(fnNamed(mod, 'main'));
  const at = names.indexOf('LOADI+ASETB');
  assert.ok(at > 0, names.join(' '));
  assert.deepEqual(names.slice(at, at + 5), ['LOADI+ASETB', 'ASETB', 'ADD+JGE+JMPLOOP', 'JGE', 'JMPLOOP']);
  const text = disassembleFunction(mod, fnNamed(mod, 'main'));
  assert.match(text, /LOADI\+ASETB r\d+, 1/);
  assert.match(text, /ADD\+JGE\+JMPLOOP r\d+, r\d+, r\d+/);
});

test('[bool] arrays (one byte per element) get the B instructions and B superinstructions, never an I one', () => {
  const loops = (t, v) => `fn f${t}(a: [${t}], b: [${t}]) -> i32 {
    var n = 0;
    for i in 0..a.len { if ${t === 'bool' ? '!a[i]' : `a[i] == ${v}`} { n += 1; } }
    for i in 0..a.len { b[i] = a[i]; }
    var j = 0;
    while j < b.len { b[j] = ${v}; j += 2; }
    return n;
  }`;
  const mod = compile(`${loops('bool', 'true')}\n${loops('i32', '1')}\nfn main() {}`);
  const bools = opNames(fnNamed(mod, 'fbool')), ints = opNames(fnNamed(mod, 'fi32'));
  for (const n of ['AGETB+JT', 'LOADI+ASETB', 'AGETB', 'ASETB']) assert.ok(bools.includes(n), `${n} in ${bools.join(' ')}`);
  for (const n of ['LOADI+ASETI', 'AGETI+ASETI']) assert.ok(ints.includes(n), `${n} in ${ints.join(' ')}`);
  assert.deepEqual(bools.filter((n) => /AGETI|ASETI|NEWARRI/.test(n)), []);
  assert.deepEqual(ints.filter((n) => /AGETB|ASETB|NEWARRB/.test(n)), []);
  assert.deepEqual(verifyModule(mod), []);
});

test('while loops are rotated: the condition once before the loop and again at its bottom, then JMPLOOP', () => {
  const mod = compile(`fn f(n: i32) -> i32 {
    var i = 0;
    var s = 0;
    while i < n { s += i * i; i += 1; }
    return s;
  }
  fn main() { print(f(10)); }`);
  const code = plainCode(fnNamed(mod, 'f').code);
  const names = opNames({ code });
  assert.deepEqual(names.filter((n) => n === 'JGE').length, 2, names.join(' '));
  assert.equal(names.filter((n) => n === 'JMPLOOP').length, 1);
  assert.equal(names[names.indexOf('JMPLOOP') - 1], 'JGE');
  // The back-edge lands on the body, not on the condition.
  let loopPc = 0;
  while (code[loopPc] !== Op.JMPLOOP) loopPc += instrLength(code[loopPc]);
  assert.notEqual(code[code[loopPc + 1]], Op.JGE);
});

test('a condition too big to copy keeps its test at the top', () => {
  const big = Array.from({ length: 20 }, (_, k) => `a[${k}] > 0`).join(' && ');
  const mod = compile(`fn main() {
    let a = new [i32](20);
    var i = 0;
    while ${big} { i += 1; }
  }`);
  const names = opNames({ code: plainCode(fnNamed(mod, 'main').code) });
  assert.equal(names.filter((n) => n === 'JMPLOOP').length, 1);
  assert.equal(names.filter((n) => n === 'JLEK').length, 20, names.join(' '));
});

test('the compiling backends read plain code: same positions and operands, only first parts put back', () => {
  const mod = compile(`fn main() {
    var j = 0;
    let a = new [i32](10);
    while j < 10 { a[j] = 7; j += 1; }
    print(a[9]);
  }`);
  const plain = plainModule(mod);
  for (const [k, f] of mod.functions.entries()) {
    const p = plain.functions[k];
    assert.equal(p.code.length, f.code.length);
    for (let pc = 0; pc < f.code.length; pc += instrLength(f.code[pc])) {
      const parts = OP_INFO[f.code[pc]].parts;
      assert.equal(p.code[pc], parts ? parts[0] : f.code[pc]);
      assert.equal(OP_INFO[p.code[pc]].parts, undefined);
    }
    for (let i = 0; i < f.code.length; i++) if (!OP_INFO[f.code[i]]?.parts) assert.equal(p.code[i], f.code[i]);
  }
  assert.ok(mod.functions.some((f) => opNames(f).some((n) => n.includes('+'))), 'nothing was fused');
  // Fusing the plain code again gives the module's code back.
  for (const [k, f] of plain.functions.entries()) {
    const again = f.code.slice();
    fuseCode(again);
    assert.deepEqual(Array.from(again), Array.from(mod.functions[k].code));
  }
});

test('the verifier holds a superinstruction to its parts', () => {
  const mod = compile(`fn main() {
    var j = 0;
    let a = new [i32](10);
    while j < 10 { a[j] = 7; j += 1; }
  }`);
  assert.deepEqual(verifyModule(mod), []);
  const main = fnNamed(mod, 'main');
  const pc = [...main.code.keys()].find((i) => main.code[i] === Op['LOADI+ASETI']);
  assert.ok(pc !== undefined);
  main.code[pc + 3] = Op.ASETR;   // the ASETI part, now another (well-formed) store
  assert.match(verifyModule(mod).join('\n'), /LOADI\+ASETI: not followed by its part ASETI/);
});

test('fused loops give the same output, traps and fuel in every tier', () => {
  const src = `
    fn main(args: [str]) {
      let n = parse_i32(args[0]);
      let c = new [bool](n);
      var count = 0;
      for i in 2..n {
        if !c[i] {
          count += 1;
          var j = i * i;
          while j < n { c[j] = true; j += i; }
        }
      }
      print(count);
      var x = 0.0;
      var k = 0;
      while k < 5 && x + 1.0 <= 3.5 { x = x * 2.0 + 0.5; k += 1; }
      print(x);
      let a = [1, 2, 3];
      let b = new [i32](2);
      for i in 0..3 { let t = a[i]; b[i] = t; }
    }`;
  const outs = runAll(src, ['1000']);
  assert.match(outs.interp, /^1:168\n3\.5\nruntime error: index 2 out of bounds for length 2\n  at main \(t\.tier:20\)\n$/);
  for (const [mode, out] of Object.entries(outs)) assert.equal(out, outs.interp, mode);
  // Fuel: each taken back-edge of a rotated loop is one step, in every tier alike.
  for (const steps of [50, 2000, 3000]) {
    const limited = runAll(src, ['1000'], { maxSteps: steps });
    for (const [mode, out] of Object.entries(limited)) assert.equal(out, limited.interp, `${mode} with ${steps} steps`);
  }
});

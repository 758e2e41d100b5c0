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
    const names = info.parts.map((p) => OP_INFO[p].name);
    if (info.run) {
      // A run (SUPER_RUNS): its repeated instructions are plain and never call, end or count a step.
      for (const p of info.run) {
        assert.equal(OP_INFO[p].parts, undefined, `${info.name}: run part ${OP_INFO[p].name} is itself fused`);
        assert.ok(!OP_INFO[p].calls && !OP_INFO[p].ends && !OP_INFO[p].step && !OP_INFO[p].allocates, info.name);
      }
      names.splice(1, 0, `(${info.run.map((p) => OP_INFO[p].name).join('|')})*`);
    }
    assert.equal(info.name, names.join('+'));
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

test('a call whose arguments are all moved is one run; the longest match wins, a fixed one on a tie', () => {
  const mod = compile(`
    struct C { k: i32 }
    fn f6(a: f64, b: i32, c: C, d: f64, e: i32, f: f64) -> f64 { return a + d + f + (b + e + c.k) as f64; }
    fn r2(a: C, b: C) -> i32 { return a.k - b.k; }
    fn i2(a: i32, b: i32) -> i32 { return a - b; }
    fn i1(a: i32) -> i32 { return a; }
    fn main() {
      let c = new C { k: 1 };
      let x = 1.5;
      let n = 2;
      print(f6(x, n, c, x, n, x));
      print(r2(c, c));
      print(i2(n, n));
      print(i1(n));
      print(i2(n + 1, n));
    }`);
  assert.deepEqual(verifyModule(mod), []);
  const names = opNames(fnNamed(mod, 'main'));
  const fused = names.filter((n) => n.endsWith('CALL'));
  assert.deepEqual(fused, ['MOVF+(MOVI|MOVR|MOVF)*+CALL', 'CALL', 'MOVR+(MOVI|MOVR|MOVF)*+CALL', 'CALL', 'MOVI+MOVI+CALL', 'CALL', 'MOVI+CALL', 'CALL', 'MOVI+CALL', 'CALL']);
  // The run's later parts keep their own opcodes.
  const at = names.indexOf('MOVF+(MOVI|MOVR|MOVF)*+CALL');
  assert.deepEqual(names.slice(at + 1, at + 7), ['MOVI', 'MOVR', 'MOVF', 'MOVI', 'MOVF', 'CALL']);
});

test('where no argument list is read, the runs become the fixed superinstructions again', async () => {
  const { unfuseRuns } = await import('../../dist/bytecode/fuse.js');
  const mod = compile(`
    struct C { k: i32 }
    fn g(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32) -> i32 { return a + b + c + d + e + f; }
    fn h(a: C, b: C, c: f64) -> i32 { return a.k + b.k + c as i32; }
    fn main() { let n = 2; let c = new C { k: 1 }; let x = 0.5; print(g(n, n, n, n, n, n)); print(h(c, c, x)); }`);
  const main = fnNamed(mod, 'main');
  const names = (code) => opNames({ code }).filter((n) => n.includes('MOV') || n.includes('CALL'));
  assert.deepEqual(names(main.code).filter((n) => n.includes('*')), ['MOVI+(MOVI|MOVR|MOVF)*+CALL', 'MOVR+(MOVI|MOVR|MOVF)*+CALL']);
  const code = main.code.slice();
  unfuseRuns(code);
  // (Each later part is listed too, under its own opcode.)
  assert.deepEqual(names(code), ['MOVR', 'MOVI+MOVI', 'MOVI', 'MOVI+MOVI', 'MOVI', 'MOVI+MOVI+CALL', 'MOVI', 'CALL', 'MOVR+MOVR', 'MOVR', 'MOVF+CALL', 'CALL']);
  assert.deepEqual(plainCode(code), plainCode(main.code), 'the same plain instructions');
});

test('without argument lists, calls moving two references or f64 values are one dispatch of both moves and the call', async () => {
  const { unfuseRuns } = await import('../../dist/bytecode/fuse.js');
  const mod = compile(`
    struct C { k: i32 }
    fn r2(a: C, b: C) -> i32 { return a.k - b.k; }
    fn f4(a: f64, b: f64, c: f64, d: f64) -> f64 { return a - b + c - d; }
    fn main() { let c = new C { k: 1 }; let x = 0.5; print(r2(c, c)); print(f4(x, x, x, x)); }`);
  const main = fnNamed(mod, 'main');
  const names = (code) => opNames({ code }).filter((n) => n.includes('MOV') || n.includes('CALL'));
  // As lowered, both are runs (their argument lists serve a compiled callee).
  assert.deepEqual(names(main.code).filter((n) => n.includes('*')), ['MOVR+(MOVI|MOVR|MOVF)*+CALL', 'MOVF+(MOVI|MOVR|MOVF)*+CALL']);
  const code = main.code.slice();
  unfuseRuns(code);
  assert.deepEqual(names(code).filter((n) => n.includes('+')), ['MOVR+MOVR+CALL', 'MOVF+MOVF', 'MOVF+MOVF+CALL']);
  assert.deepEqual(plainCode(code), plainCode(main.code), 'the same plain instructions');
});

test('the verifier holds a run to its run and its last part', () => {
  const mod = compile(`
    fn g(a: i32, b: i32, c: i32) -> i32 { return a + b + c; }
    fn main() { let n = 2; print(g(n, n, n)); }`);
  assert.deepEqual(verifyModule(mod), []);
  const main = fnNamed(mod, 'main');
  const pc = [...main.code.keys()].find((i) => main.code[i] === Op['MOVI+(MOVI|MOVR|MOVF)*+CALL']);
  assert.ok(pc !== undefined);
  const saved = main.code[pc + 3];
  main.code[pc + 3] = Op.NEG;   // the first run part, now another (well-formed) instruction
  assert.match(verifyModule(mod).join('\n'), /not followed by its run/);
  main.code[pc + 3] = saved;
  main.code[pc + 9] = Op.CALLX;   // the CALL, now not a CALL
  assert.match(verifyModule(mod).join('\n'), /not followed by its part CALL/);
});

test('argument lists: a run moving registers into the parameters has one; one moving anything else has none', async () => {
  const { argLists } = await import('../../dist/bytecode/code-image.js');
  const H = 2, RUNS = [Op['MOVI+(MOVI|MOVR|MOVF)*+CALL'], Op['MOVR+(MOVI|MOVR|MOVF)*+CALL'], Op['MOVF+(MOVI|MOVR|MOVF)*+CALL']];
  const MOVES = [Op.MOVI, Op.MOVR, Op.MOVF];
  // f(a, b, c) called with base 4: its parameters are registers 6, 7, 8 of the caller.
  const call = [Op.CALL, 1, 4, 0];
  const good = [Op['MOVI+(MOVI|MOVR|MOVF)*+CALL'], 8, 1, Op.MOVF, 6, 2, ...call];   // c := r1, a := r2; b written before
  const outside = [Op['MOVI+(MOVI|MOVR|MOVF)*+CALL'], 3, 1, Op.MOVI, 6, 2, ...call];  // r3 is not a parameter
  const fromArea = [Op['MOVI+(MOVI|MOVR|MOVF)*+CALL'], 6, 7, Op.MOVI, 8, 2, ...call]; // reads the call area
  const twice = [Op['MOVI+(MOVI|MOVR|MOVF)*+CALL'], 6, 1, Op.MOVI, 6, 2, ...call];    // a written twice
  const code = Int32Array.from([...good, ...outside, ...fromArea, ...twice]);
  const image = { code, bases: Int32Array.of(0) };
  const { words, at } = argLists(image, [[], [1, 1, 1]], [9, 5], H, 800, RUNS, MOVES, Op.CALL);
  assert.equal(at[0], 800);
  assert.equal(at[1], 6, 'the CALL of the run');
  assert.equal(at[2], 1, 'the callee');
  assert.equal(at[3], 4 + H + 5, 'the end of the callee\'s frame from the caller\'s fp');
  // The call (callee, its fp from the caller's, the result register, the resume position), then the arguments.
  assert.deepEqual([...words], [1, 4 + H, 0, 10, (2 - 6) * 8, 8, (1 - 6) * 8]);
  for (const p of [10, 20, 30]) assert.equal(at[p], 0, `no list for the run at ${p}`);
});

test('runs give the same answers in every tier, with the callees compiled and the callers interpreted too', () => {
  const src = `
    struct C { k: i32, next: C }
    fn f6(a: f64, b: i32, c: C, d: f64, e: i32, f: f64) -> f64 {
      let q = new C { k: b + e, next: c };
      return a * 100.0 + (b as f64) * 10.0 + (q.k + q.next.k) as f64 + d + f;
    }
    fn r3(a: C, b: C, c: C) -> C { return new C { k: a.k + b.k * 2 + c.k * 3, next: null }; }
    fn deep(a: i32, b: i32, c: i32, n: i32) -> i32 {
      if n == 0 { return a + b + c; }
      let m = n - 1;
      return deep(b, c, a, m) % 100000 + 1;
    }
    fn main(args: [str]) {
      let n = parse_i32(args[0]);
      var acc = 0.0;
      var c = new C { k: 1, next: null };
      let x = 0.25;
      for i in 0..n {
        let j = i % 3;
        acc = acc + f6(x, j, c, x, i, acc) * 0.001;
        c = r3(c, c, c);
        c.k = c.k % 1000;
      }
      let a = 1;
      let b = 2;
      let d = 3;
      print(acc);
      print(c.k);
      print(deep(a, b, d, n));
    }`;
  const base = runAll(src, ['3000']).interp;
  assert.match(base, /^0:/);
  for (const extra of [{}, { jitFilter: '^(f6|r3|deep)$' }, { gcStress: true }, { stackSizeKB: 1024 }]) {
    for (const [mode, out] of Object.entries(runAll(src, ['3000'], extra))) assert.equal(out, base, `${mode} ${JSON.stringify(extra)}`);
  }
  for (const adapters of ['generic', 'generated']) {
    let out = '';
    const r = load('t.tier', src, { tier: 'jit', adapters, jitFilter: '^(f6|r3|deep)$', args: ['3000'], stdout: (t) => { out += t; } });
    assert.equal(`${r.program.run()}:${out}`, base, adapters);
  }
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

// Unit tests of the bytecode layer: opcode table, builder, verifier, disassembler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OP_INFO, instrLength } from '../../dist/bytecode/opcodes.js';
import { FunctionBuilder } from '../../dist/bytecode/builder.js';
import { verifyModule } from '../../dist/bytecode/verify.js';
import { disassembleFunction } from '../../dist/bytecode/disasm.js';
import { load } from '../../dist/vm.js';

const Op = Object.fromEntries(Object.entries(OP_INFO).map(([code, info]) => [info.name, Number(code)]));
const I = 1, F = 2, R = 3;

function moduleOf(...fns) {
  const init = new FunctionBuilder('<globals>', fns.length, [], null, 1);
  init.emit(Op.RETV);
  return { file: 't.tier', functions: [...fns, init.finish()], structs: [{ name: 'P', size: 16, fields: [{ name: 'x', kind: F, offset: 8 }] }],
    globals: [], externs: [], sigs: [], f64Consts: [1.5], strConsts: ['s'], initIndex: fns.length, mainIndex: 0, mainTakesArgs: false };
}

function fib() {
  const b = new FunctionBuilder('fib', 0, [I], I, 1);
  const L = b.newLabel();
  b.emitJump(Op.JGEK, L, 0, 2);
  b.emit(Op.RETI, 0);
  b.bind(L);
  b.emit(Op.ADDI, b.arg(0), 0, -1);
  const t = b.temp(I);
  b.emit(Op.CALL, 0, b.areaBase(), t);
  b.emit(Op.RETI, t);
  return b.finish();
}

test('opcode table: unique names, every entry documented', () => {
  const names = Object.values(OP_INFO).map((i) => i.name);
  assert.equal(new Set(names).size, names.length);
  for (const info of Object.values(OP_INFO)) assert.ok(info.doc.length > 5, info.name);
  assert.equal(instrLength(Op.ADD), 4);
});

test('builder places the call area after every other register', () => {
  const f = fib();
  assert.deepEqual(Array.from(f.regKinds), [I, I, 4, 4, 4]);
  assert.equal(f.areaBase, 2);
  assert.deepEqual(verifyModule(moduleOf(f)), []);
});

test('disassembler prints operands by kind', () => {
  const text = disassembleFunction(moduleOf(fib()), fib());
  assert.match(text, /JGEK\s+r0, 2, @6/);
  assert.match(text, /CALL\s+fib, r2, r1/);
});

function mutated(edit) {
  const f = fib();
  const code = Array.from(f.code);
  edit(code, f);
  f.code = Int32Array.from(code);
  f.lines = new Int32Array(code.length);
  return verifyModule(moduleOf(f)).join('\n');
}

test('verifier rejects an unknown opcode', () => {
  assert.match(mutated((c) => { c[4] = 999; }), /unknown opcode 999/);
});

test('verifier rejects a jump into the middle of an instruction', () => {
  assert.match(mutated((c) => { c[3] = 7; }), /jump target 7 is not an instruction/);
});

test('verifier rejects a register of the wrong kind', () => {
  const b = new FunctionBuilder('f', 0, [I], I, 1);
  const x = b.temp(F);
  b.emit(Op.ADD, 0, 0, x);
  b.emit(Op.RETI, 0);
  assert.match(verifyModule(moduleOf(b.finish())).join('\n'), /register 1 is f, expected i/);
});

test('verifier rejects a register out of range', () => {
  assert.match(mutated((c) => { c[5] = 40; }), /register 40 out of range/);
});

test('verifier rejects code that runs off the end', () => {
  assert.match(mutated((c) => { c.length = c.length - 2; c.push(Op.LOADI, 0, 0); }), /run off the end/);
});

test('verifier rejects a call whose argument was never written', () => {
  const b = new FunctionBuilder('f', 0, [I], I, 1);
  b.arg(0);
  const t = b.temp(I);
  b.emit(Op.CALL, 0, b.areaBase(), t);
  b.emit(Op.RETI, t);
  assert.match(verifyModule(moduleOf(b.finish())).join('\n'), /argument 0 is not written/);
});

test('verifier rejects an argument of the wrong kind', () => {
  const b = new FunctionBuilder('f', 0, [I], I, 1);
  b.emit(Op.LOADF, b.arg(0), 0);
  const t = b.temp(I);
  b.emit(Op.CALL, 0, b.areaBase(), t);
  b.emit(Op.RETI, t);
  assert.match(verifyModule(moduleOf(b.finish())).join('\n'), /argument 0 is f, expected i/);
});

test('verifier rejects arguments written before a jump target', () => {
  const b = new FunctionBuilder('f', 0, [I], I, 1);
  const L = b.newLabel();
  b.emit(Op.ADDI, b.arg(0), 0, 1);
  b.bind(L);
  const t = b.temp(I);
  b.emit(Op.CALL, 0, b.areaBase(), t);
  b.emitJump(Op.JT, L, t);
  b.emit(Op.RETI, t);
  assert.match(verifyModule(moduleOf(b.finish())).join('\n'), /argument 0 is not written/);
});

test('verifier rejects a wrong return kind and a bad field offset', () => {
  const b = new FunctionBuilder('f', 0, [R], I, 1);
  const x = b.temp(F);
  b.emit(Op.GETFF, x, 0, 12);
  b.emit(Op.RETF, x);
  const msg = verifyModule(moduleOf(b.finish())).join('\n');
  assert.match(msg, /no f field at offset 12/);
  assert.match(msg, /result kind is not f/);
});

test('verifier rejects a forward loop back-edge', () => {
  const b = new FunctionBuilder('f', 0, [], null, 1);
  const L = b.newLabel();
  b.emitJump(Op.JMPLOOP, L);
  b.bind(L);
  b.emit(Op.RETV);
  assert.match(verifyModule(moduleOf(b.finish())).join('\n'), /must jump backwards/);
});

test('lowered programs verify and disassemble', () => {
  const src = `
    struct P { x: f64, n: i32, next: P }
    var G = 3;
    fn add(a: i32, b: i32) -> i32 { return a + b; }
    fn main() {
      let f: fn(i32, i32) -> i32 = add;
      var p = new P { x: 1.5, n: f(1, G), next: null };
      var s = "a" + str(p.n);
      for i in 0..3 { p.n += i; }
      print(s);
    }`;
  const r = load('t.tier', src, { stderr: (t) => assert.fail(t) });
  assert.ok(r.ok);
  const text = r.program.disassemble();
  assert.match(text, /CALLV/);
  assert.match(text, /FORLOOP/);
  assert.match(text, /SETGI\s+g:G/);
});

// A local's register is given back when its block or loop ends (front/lower.ts,
// the register discipline): 2,000 loops one after another, each with its own
// loop variable and a `let` in its body, take a handful of registers, not
// thousands (V8's compile of the wasm took time and memory in registers x
// loops: 10,000 such loops, 9 s and 6 GB). Variables of nested scopes that
// are live together keep registers of their own.
test('locals give their registers back when their scope ends', () => {
  const loops = Array.from({ length: 2000 }, (_, i) => `  for k in 0..3 { let t = k + ${i}; s = s ^ t; }`).join('\n');
  const src = `fn main() {\n  var s = 0;\n${loops}\n  { let a = 1; { let b = a + 1; for i in 0..b { let c = i + b; s += c + a; } } }\n  print(s);\n}`;
  let out = '';
  const r = load('r.tier', src, { tier: 'interp', stdout: (t) => { out += t; } });
  assert.ok(r.ok);
  const main = r.program.module.functions.find((f) => f.name === 'main');
  assert.ok(main.regKinds.length < 16, `main has ${main.regKinds.length} registers`);
  let s = 0;
  for (let i = 0; i < 2000; i++) for (let k = 0; k < 3; k++) s ^= k + i;
  for (let i = 0; i < 2; i++) s += i + 2 + 1;
  assert.equal(r.program.run(), 0);
  assert.equal(out, `${s}\n`);
});

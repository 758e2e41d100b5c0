// Opcode coverage: the conformance corpus must make the compiler emit every opcode
// of the bytecode (src/bytecode/opcodes.ts), so that every tier runs every
// instruction at least once when `npm test` runs the corpus in each of them.
// This only compiles the programs (load), it never runs them. The code counts as
// lowered and as --tier=interp runs it (fuse.ts, unfuseRuns: some fixed
// superinstructions appear only there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OP_INFO, OP_COUNT, instrLength } from '../../dist/bytecode/opcodes.js';
import { unfuseRuns } from '../../dist/bytecode/fuse.js';
import { load } from '../../dist/vm.js';
import { REPO_ROOT, listPrograms, parseExpectations } from '../corpus.mjs';

const opName = (op) => OP_INFO[op]?.name ?? `<unknown opcode ${op}>`;

/** Opcodes no corpus program can emit, with the reason and where they are tested
 *  instead. Keep it short: the test below fails when an entry is no longer needed. */
const NOT_IN_CORPUS = {
  CALLX: 'extern calls need host functions, and the corpus runners (the tiervm command '
    + 'line, corpus-inproc.mjs) provide none; a program declaring an extern cannot run there. '
    + 'See the extern tests in tests/unit/js-backend.test.mjs.',
};

/** Compile every corpus program; for each opcode, the set of programs that emit it. */
function scanCorpus() {
  const usage = new Map();            // opcode -> Set of program paths
  let compiled = 0;
  for (const file of listPrograms()) {
    const source = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    const expectsCompileError = parseExpectations(source).errors.length > 0;
    let diagnostics = '';
    const loaded = load(file, source, { stderr: (t) => { diagnostics += t; } });
    assert.equal(loaded.ok, !expectsCompileError,
      `${file}: ${expectsCompileError ? 'expected a compile error but it compiled' : `did not compile:\n${diagnostics}`}`);
    if (!loaded.ok) continue;
    compiled++;
    for (const fn of loaded.program.module.functions) {
      // The code as lowered, and as the interpreter runs it where no argument
      // list is read (--tier=interp: the runs made fixed superinstructions again).
      const unfused = fn.code.slice();
      unfuseRuns(unfused);
      for (const code of [fn.code, unfused]) {
      let pc = 0;
      while (pc < code.length) {
        const op = code[pc];
        assert.ok(op in OP_INFO, `${file}: function ${fn.name} has unknown opcode ${op} at ${pc}`);
        if (!usage.has(op)) usage.set(op, new Set());
        usage.get(op).add(file);
        pc += instrLength(op);
      }
      assert.equal(pc, code.length, `${file}: function ${fn.name}: the last instruction overruns the code`);
      }
    }
  }
  return { usage, compiled };
}

/** Names of the opcodes no program emits, leaving out `excluded` programs. */
function missingOpcodes(usage, excluded = new Set()) {
  return Object.keys(OP_INFO).map(Number)
    .filter((op) => ![...(usage.get(op) ?? [])].some((f) => !excluded.has(f)))
    .map(opName);
}

const { usage, compiled } = scanCorpus();

test('the opcode table is dense: opcodes 0..OP_COUNT-1', () => {
  assert.deepEqual(Object.keys(OP_INFO).map(Number), [...Array(OP_COUNT).keys()]);
});

test('the conformance corpus emits every opcode', () => {
  assert.ok(compiled > 100, `expected a large corpus, only ${compiled} programs compiled`);
  const missing = missingOpcodes(usage).filter((name) => !(name in NOT_IN_CORPUS));
  assert.deepEqual(missing, [],
    `no program under tests/programs emits ${missing.length} opcode(s): ${missing.join(', ')}. `
    + 'Add a corpus program whose source makes src/front/lower.ts emit each of them.');
});

test('every exemption from corpus coverage is still needed', () => {
  const names = new Set(Object.values(OP_INFO).map((i) => i.name));
  for (const name of Object.keys(NOT_IN_CORPUS)) {
    assert.ok(names.has(name), `NOT_IN_CORPUS names ${name}, which is not an opcode`);
    const op = Object.keys(OP_INFO).map(Number).find((o) => OP_INFO[o].name === name);
    const users = [...(usage.get(op) ?? [])];
    assert.deepEqual(users, [], `${name} is now emitted by ${users.join(', ')}: remove it from NOT_IN_CORPUS`);
  }
});

test('the coverage check reports an opcode once its programs are gone', () => {
  // Leave out every program that emits RSUBFK (`1.0 - x`): the check must name it.
  const rsub = Object.keys(OP_INFO).map(Number).find((o) => OP_INFO[o].name === 'RSUBFK');
  const users = usage.get(rsub) ?? new Set();
  assert.ok(users.size > 0, 'no corpus program emits RSUBFK');
  const missing = missingOpcodes(usage, users);
  assert.ok(missing.includes('RSUBFK'), `expected RSUBFK among the missing, got ${missing.join(', ') || 'none'}`);
  assert.ok(!missing.includes('LOADI'));
});

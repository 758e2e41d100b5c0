// Adding an opcode, a pure operation or a runtime helper without implementing it
// in every tier must fail to compile. This test proves it: it copies src/, adds
// one of each to the tables (bytecode/opcodes.ts, bytecode/helpers.ts) and runs
// the TypeScript compiler, which must reject the interpreter and both backends;
// and a superinstruction (SUPER_PARTS) without its interpreter case, which only
// the interpreter must implement (the backends read plain code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

// tsc is slow under --jitless; one host proves a compile-time property.
const plainHost = process.execArgv.length === 0;

function edit(file, from, to) {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} no longer contains ${JSON.stringify(from)}: update this test`);
  writeFileSync(file, text.replace(from, to));
}

test('an opcode, operation or helper that a tier forgets is a compile error', { skip: !plainHost && 'plain node only' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiervm-exhaustive-'));
  try {
    cpSync('src', join(dir, 'src'), { recursive: true });
    cpSync('tsconfig.json', join(dir, 'tsconfig.json'));
    const ops = join(dir, 'src/bytecode/opcodes.ts');
    edit(ops, '  READLINE, SBAPPEND, SBSTR,\n', '  READLINE, SBAPPEND, SBSTR, PROBE, SUPERPROBE,\n');
    edit(ops, '} as const satisfies { readonly [K in Exclude<Op, SuperOp>]: OpInfo };',
      "  [Op.PROBE]: { name: 'PROBE', args: ['wi'], doc: 'R[A] := a new fact' },\n} as const satisfies { readonly [K in Exclude<Op, SuperOp>]: OpInfo };");
    edit(ops, 'const SUPER_PARTS = {\n', 'const SUPER_PARTS = {\n  [Op.SUPERPROBE]: [Op.ADD, Op.ADD],\n');
    edit(ops, "  | 'f64.from_i32' | 'i32.from_f64';", "  | 'f64.from_i32' | 'i32.from_f64' | 'i32.rotl';");
    edit(join(dir, 'src/bytecode/helpers.ts'), "  clock: '>f',", "  clock: '>f',\n  probe: 'i>i',");
    const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', join(dir, 'tsconfig.json'), '--noEmit',
      '--typeRoots', join(process.cwd(), 'node_modules/@types')],
      { encoding: 'utf8' });
    const out = tsc.stdout + tsc.stderr;
    assert.notEqual(tsc.status, 0, 'the compiler accepted tables nobody implements');
    assert.match(out, /interp\/interpreter\.ts.*'Op\.PROBE\b[^']*' is not assignable to type 'never'/);
    assert.match(out, /jit\/wasm\/lower\.ts.*'Op\.PROBE' is not assignable to type 'never'/);
    assert.match(out, /jit\/js\/lower\.ts.*'Op\.PROBE' is not assignable to type 'never'/);
    assert.match(out, /interp\/interpreter\.ts.*'[^']*Op\.SUPERPROBE' is not assignable to type 'never'/);
    assert.doesNotMatch(out, /jit\/.*SUPERPROBE/);
    assert.match(out, /jit\/wasm\/lower\.ts.*[\s\S]*"i32\.rotl"/);
    assert.match(out, /jit\/js\/ops\.ts.*[\s\S]*"i32\.rotl"/);
    assert.match(out, /jit\/helpers\.ts.*[\s\S]*probe/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

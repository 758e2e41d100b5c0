// The layering rule: the interpreter and the runtime never import the JIT, and
// the front-end and bytecode layers import nothing below them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file) {
  return [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
}

const RULES = {
  'src/interp': [/\/jit\//],
  'src/runtime': [/\/jit\//, /\/interp\//, /\/front\//],
  'src/bytecode': [/\/jit\//, /\/interp\//, /\/runtime\//, /\/front\//],
  'src/front': [/\/jit\//, /\/interp\//, /\/runtime\//],
};

for (const [dir, banned] of Object.entries(RULES)) {
  test(`${dir} imports nothing it must not`, () => {
    for (const f of files(dir)) {
      for (const imp of importsOf(f)) {
        for (const b of banned) assert.ok(!b.test(imp), `${f} imports ${imp}`);
      }
    }
  });
}

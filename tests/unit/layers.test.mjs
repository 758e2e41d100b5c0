// The layering rule (docs/architecture.md): the interpreter and the runtime never
// import the JIT; the front-end and bytecode layers import nothing below them; the
// JS backend (for hosts without WebAssembly) imports nothing of the wasm backend;
// and outside jit/, only embed/jit-door.ts imports the JIT for more than types
// (the command line's bundle loads the JIT as a script of its own through it).
// Static imports, re-exports and dynamic import() all count.
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

/** Every module specifier in a file: `from '...'`, `import '...'`, `import('...')`. */
export function importsOf(text) {
  const specs = [];
  for (const m of text.matchAll(/\bfrom\s*['"]([^'"]+)['"]/g)) specs.push(m[1]);
  for (const m of text.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) specs.push(m[1]);
  for (const m of text.matchAll(/\bimport\s*\(\s*['"`]([^'"`]+)['"`]/g)) specs.push(m[1]);
  // A computed import() could load anything: not allowed in a layer with rules.
  for (const m of text.matchAll(/\bimport\s*\(\s*([^'"`\s)][^)]*)\)/g)) specs.push(`<computed: ${m[1]}>`);
  return specs;
}

const RULES = {
  'src/interp': [/\/jit\//, /^<computed/],
  'src/runtime': [/\/jit\//, /\/interp\//, /\/front\//, /^<computed/],
  'src/bytecode': [/\/jit\//, /\/interp\//, /\/runtime\//, /\/front\//, /^<computed/],
  'src/front': [/\/jit\//, /\/interp\//, /\/runtime\//, /^<computed/],
  'src/jit/js': [/\/wasm\//, /^<computed/],
  'src/jit': [/\/interp\//, /\/front\//, /\/vm\.js$/, /\/cli\.js$/],
};

for (const [dir, banned] of Object.entries(RULES)) {
  test(`${dir} imports nothing it must not`, () => {
    for (const f of files(dir)) {
      for (const imp of importsOf(readFileSync(f, 'utf8'))) {
        for (const b of banned) assert.ok(!b.test(imp), `${f} imports ${imp}`);
      }
    }
  });
}

/** Specifiers of the imports in a file that are not `import type`. */
function valueImportsOf(text) {
  const typeOnly = new Set([...text.matchAll(/\bimport\s+type\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/g)].map((m) => m[1]));
  return importsOf(text).filter((s) => !typeOnly.has(s));
}

test('outside jit/, only embed/jit-door.ts imports the JIT for more than its types', () => {
  const outside = files('src').filter((f) => !f.startsWith(join('src', 'jit')));
  const importers = outside.filter((f) => valueImportsOf(readFileSync(f, 'utf8')).some((s) => /(^|\/)jit\//.test(s)));
  assert.deepEqual(importers, [join('src', 'embed', 'jit-door.ts')]);
  assert.deepEqual(valueImportsOf(readFileSync(join('src', 'embed', 'jit-door.ts'), 'utf8')), ['../jit/entry.js']);
});

test('the import scanner sees every form of import', () => {
  const text = `import { a } from '../jit/x.js';\nexport { b } from "../jit/y.js";\nimport '../jit/z.js';\n` +
    `const m = await import('../jit/w.js');\nconst n = import(name);`;
  assert.deepEqual(importsOf(text), ['../jit/x.js', '../jit/y.js', '../jit/z.js', '../jit/w.js', '<computed: name>']);
});

// Linear memory stays below 2^31 bytes: with a 1 GiB frame stack and a 1023 MiB
// heap (the most the options allow beside it), a program filling the heap reads
// back every value it wrote, at addresses up to 2 GiB, and then meets `out of
// memory`, in every tier and backend. (Before, an object at 2 GiB or above had a
// negative address and read back wrong.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from '../../dist/vm.js';
import { hasWasm } from './host-caps.mjs';

// Touches about 1 GiB of memory: one host is enough (and --jitless would copy it).
const plainHost = process.execArgv.length === 0;

const FILL = `struct Box { v: i32, next: Box }
fn main() {
  let keep: [[i32]] = new [[i32]](80);
  var boxes: Box = null;
  for i in 0..80 {
    let a = new [i32](4000000);
    a[3999999] = i + 7;
    keep[i] = a;
    boxes = new Box { v: i + 7, next: boxes };
    if keep[i][3999999] != i + 7 || boxes.v != i + 7 { print("wrong at " + str(i)); }
  }
  print("never here");
}`;

for (const mode of [{ tier: 'interp' }, { tier: 'jit', backend: 'wasm' }, { tier: 'jit', backend: 'js' }]) {
  test(`addresses near 2 GiB read back right, then out of memory (${mode.tier} ${mode.backend ?? ''})`,
    { skip: (!plainHost || (mode.backend === 'wasm' && !hasWasm)) && 'plain node only' }, () => {
      let stdout = '', stderr = '';
      const r = load('fill.tier', FILL, { ...mode, stackSizeKB: 1048576, maxHeapMB: 1023,
        stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
      assert.ok(r.ok);
      assert.equal(r.program.run(), 1);
      assert.equal(stdout, '');
      assert.equal(stderr, 'runtime error: out of memory\n  at main (fill.tier:6)\n');
    });
}

// The frame stack's segments past the first are the stack's memory, not the
// heap's (runtime/frame-stack.ts): under a 1 MiB heap, a recursion 100,000
// deep (about 4 MB of frames) runs, and one without end is `stack overflow`,
// in every tier. (Before, the segments counted against the heap limit, and
// both ended in `out of memory`.)
const DEEP = `fn f(n: i32) -> i32 { if n == 0 { return 0; } return f(n - 1) + 1; }
fn g(n: i32) -> i32 { return g(n + 1) + 1; }
fn main(args: [str]) {
  if args[0] == "deep" { print(f(100000)); } else { print(g(0)); }
}`;

for (const mode of [{ tier: 'interp' }, { tier: 'auto' }, { tier: 'jit', backend: 'wasm' }, { tier: 'jit', backend: 'js' }]) {
  test(`a deep recursion under a 1 MiB heap overflows the stack, not the heap (${mode.tier} ${mode.backend ?? ''})`,
    { skip: mode.backend === 'wasm' && !hasWasm && 'no WebAssembly' }, () => {
      for (const [arg, status, out, err] of [['deep', 0, '100000\n', ''], ['endless', 1, '', 'runtime error: stack overflow\n']]) {
        let stdout = '', stderr = '';
        const r = load('deep.tier', DEEP, { ...mode, maxHeapMB: 1, args: [arg], stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
        assert.ok(r.ok);
        assert.equal(r.program.run(), status, stderr);
        assert.equal(stdout, out);
        assert.equal(err === '' ? stderr : stderr.slice(0, err.length), err);
      }
    });
}

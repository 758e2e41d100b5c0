// Unit tests of the allocator and the collector, and heap faults end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Memory, hostHasWasmMemory } from '../../dist/runtime/memory.js';
import { Heap } from '../../dist/runtime/heap.js';
import { GarbageCollector, verifyHeap, HeapCorrupt } from '../../dist/runtime/gc.js';
import { load } from '../../dist/vm.js';

const STR = 1, ARR_R = 4, STRUCT = 5, ARR_B = 7;

/** A heap of `limit` bytes with one struct type: { next: ref at +8, x: i32 at +12 }. */
function makeHeap(limit = 1 << 16, stress = false) {
  const mem = new Memory(4096 + limit, 4096 + limit, false);
  const heap = new Heap(mem, 4096, 4096 + limit);
  heap.structSizes = Int32Array.of(16);
  const handles = [];
  const roots = { handles, structRefOffsets: [Int32Array.of(8)], forEachRoot(v) { handles.forEach(v); } };
  const gc = new GarbageCollector(heap, roots, { stress, verify: true, trace: null });
  heap.collector = gc;
  return { mem, heap, gc, roots, handles };
}

function list(heap, n) {
  let head = 0;
  for (let i = 0; i < n; i++) {
    const node = heap.newStruct(0);
    heap.mem.i32[(node + 8) >> 2] = head;
    heap.mem.i32[(node + 12) >> 2] = i;
    head = node;
  }
  return head;
}

test('blocks are 8-aligned, at least 16 bytes, zeroed, headers written', () => {
  const { heap, mem } = makeHeap();
  const s = heap.newString('');
  const a = heap.newArray(ARR_R, 3);
  assert.equal(s % 8, 0);
  assert.equal(a - s, 16);
  assert.equal(mem.i32[a >> 2], ARR_R);
  assert.equal(mem.i32[(a >> 2) + 1], 3);
  assert.deepEqual(Array.from(mem.i32.subarray((a >> 2) + 2, (a >> 2) + 5)), [0, 0, 0]);
  assert.equal(heap.blockSize(a), 24);
});

test('[bool] arrays take one byte per element: block sizes, contents kept by a collection, elements 0 or 1', () => {
  const { heap, mem, gc, handles, roots } = makeHeap();
  const sizes = [0, 1, 8, 9, 17, 1000].map((n) => heap.blockSize(heap.newArray(ARR_B, n)));
  assert.deepEqual(sizes, [16, 16, 16, 24, 32, 1008]);
  const kept = heap.newArray(ARR_B, 9);
  assert.deepEqual(Array.from(mem.u8.subarray(kept + 8, kept + 17)), [0, 0, 0, 0, 0, 0, 0, 0, 0]);
  mem.u8[kept + 8] = 1; mem.u8[kept + 16] = 1;
  handles.push(kept);
  gc.collect('test', true);
  verifyHeap(heap, roots, 'in test');
  assert.deepEqual(Array.from(mem.u8.subarray(kept + 8, kept + 17)), [1, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal(heap.extent - heap.freeBytes, 24, 'only the kept array is in use');
  mem.u8[kept + 12] = 2;
  assert.throws(() => verifyHeap(heap, roots, 'in test'), (e) => e instanceof HeapCorrupt && /bool array \d+\[4\] holds 2/.test(e.message));
});

test('a collection frees what no root reaches and keeps what one does', () => {
  const { heap, gc, handles, roots } = makeHeap();
  const kept = list(heap, 10);
  handles.push(kept);
  list(heap, 50);                       // garbage
  const before = heap.extent;
  gc.collect('test');
  verifyHeap(heap, roots, 'in test');
  let n = 0;
  for (let p = kept; p !== 0; p = heap.mem.i32[(p + 8) >> 2]) n++;
  assert.equal(n, 10);
  assert.ok(heap.extent - heap.freeBytes <= 10 * 16, 'only the kept list is in use');
  assert.ok(heap.extent <= before);
});

test('freed blocks are reused before the heap grows', () => {
  const { heap, gc, handles } = makeHeap();
  handles.push(list(heap, 4));
  const garbage = heap.newArray(ARR_R, 100);
  list(heap, 4).valueOf();
  handles.push(heap.newString('tail keeps the heap top up'));
  gc.collect('test');
  const top = heap.top;
  const reused = heap.newArray(ARR_R, 50);   // fits in the freed 408-byte array block
  assert.equal(heap.top, top, 'no bump allocation');
  assert.ok(reused >= garbage && reused < garbage + 408);
});

test('a trailing free run goes back to untouched memory', () => {
  const { heap, gc, handles } = makeHeap();
  handles.push(list(heap, 3));
  list(heap, 100);
  gc.collect('test', true);
  assert.equal(heap.top, heap.start + 3 * 16, 'only the three kept nodes remain below top');
  assert.equal(heap.freeBytes, 0);
});

test('allocation bumps a cursor through a window; the window ends at the collection budget', () => {
  const { heap, mem } = makeHeap(1 << 20);
  const a = heap.newStruct(0);
  const b = heap.newStruct(0);
  assert.equal(b - a, 16, 'consecutive allocations are adjacent');
  assert.equal(mem.i32[4], b + 16, 'the cursor cell follows the last allocation');
  assert.ok(mem.i32[5] - mem.i32[4] <= (1 << 20), 'the window never passes the budget');
});

test('stress mode collects at every allocation and survives deep lists', () => {
  const { heap, gc, handles } = makeHeap(1 << 16, true);
  handles.push(0);
  for (let i = 0; i < 500; i++) {
    const node = heap.newStruct(0);
    heap.mem.i32[(node + 8) >> 2] = handles[0];
    handles[0] = node;
  }
  assert.ok(gc.count >= 500);
  let n = 0;
  for (let p = handles[0]; p !== 0; p = heap.mem.i32[(p + 8) >> 2]) n++;
  assert.equal(n, 500);
});

test('the heap verifier catches a dangling reference and a bad free list', () => {
  const { heap, roots, handles } = makeHeap();
  const node = heap.newStruct(0);
  handles.push(node);
  heap.mem.i32[(node + 8) >> 2] = node + 4;      // points inside an object
  heap.retireWindow();
  assert.throws(() => verifyHeap(heap, roots, 'in test'), HeapCorrupt);
  heap.mem.i32[(node + 8) >> 2] = 0;
  heap.retireWindow();
  verifyHeap(heap, roots, 'in test');
  heap.free.bytes += 16;
  assert.throws(() => verifyHeap(heap, roots, 'in test'), /freeBytes/);
});

test('exhausting the heap is an out-of-memory trap, not a host failure', () => {
  const { heap, handles } = makeHeap(1 << 12);
  assert.throws(() => { for (;;) handles.push(heap.newString('x'.repeat(100))); },
    (e) => e.message === 'out of memory');
});

function runTier(src, opts = {}) {
  let stdout = '', stderr = '';
  const r = load('t.tier', src, { ...opts, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok, stderr);
  return { code: r.program.run(), stdout, stderr };
}

const CHURN = `
struct Node { left: Node, right: Node }
fn make(d: i32) -> Node {
  if d == 0 { return new Node { left: null, right: null }; }
  return new Node { left: make(d - 1), right: make(d - 1) };
}
fn count(n: Node) -> i32 { if n == null { return 0; } return 1 + count(n.left) + count(n.right); }
fn main() {
  let keep = make(10);                 // ~24 KB live
  var total = 0;
  for i in 0..200 { total += count(make(10)); }   // ~5 MB allocated: 200x the live set
  var s = "";
  for i in 0..20000 { s = str(i); }
  print(total);
  print(count(keep));
  print(s);
}`;

test('a program allocating 200x its live set runs in a 1 MB heap', () => {
  const r = runTier(CHURN, { maxHeapMB: 1 });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '409400\n2047\n19999\n');
  assert.equal(r.code, 0);
});

test('the same program gives the same output under --gc-stress with the verifier', () => {
  const small = CHURN.replace('0..200', '0..3').replace('0..20000', '0..200');
  const r = runTier(small, { gcStress: true, verifyHeap: true, maxHeapMB: 1 });
  assert.equal(r.stdout, '6141\n2047\n199\n');
});

test('filling the heap reports out of memory with a stack trace; earlier output stays', () => {
  const src = `
struct L { next: L, x: f64 }
fn fill() -> L {
  var head: L = null;
  while true { head = new L { next: head, x: 1.0 }; }
}
fn main() {
  print("started");
  let l = fill();
}`;
  const r = runTier(src, { maxHeapMB: 2 });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'started\n');
  assert.equal(r.stderr, 'runtime error: out of memory\n  at fill (t.tier:5)\n  at main (t.tier:9)\n');
});

test('a string built piece by piece reuses the runs its predecessors left: the heap stays near its live set', () => {
  // Each string asks for a little more than any run a dead one left; only a full
  // sweep merges them (fullBeforeGrowth). Without it the heap grew to 2 GB.
  const src = `fn main() { var s = ""; for i in 0..20000 { s = s + str(i % 10); } print(s.len); }`;
  const r = runTier(src, { gcStats: true });
  assert.equal(r.stdout, '20000\n');
  const peakKB = +/peak heap ([\d.]+) KB/.exec(r.stderr)[1];
  assert.ok(peakKB <= 8192, r.stderr);
});

test('survivors moved to old space reuse the holes full collections leave: the heap stays near twice its live set', () => {
  // Records replaced at random slots of a big OLD array: every minor collection
  // moves the array's young records to old space, and every full one leaves the
  // dead records as holes. Old space took only runs of 256 bytes or more, so it
  // grew past the holes: 27.4 MB of heap for 9.0 MB live (now 19.6 MB).
  const src = readFileSync(new URL('../../bench/programs/churn.tier', import.meta.url), 'utf8');
  const r = runTier(src, { gcStats: true, args: ['30'] });
  assert.equal(r.stdout, '-313380790\n');
  const peakKB = +/peak heap ([\d.]+) KB/.exec(r.stderr)[1], liveKB = +/live after last full ([\d.]+) KB/.exec(r.stderr)[1];
  assert.ok(peakKB <= 2.5 * liveKB, r.stderr);
});

test('a WebAssembly memory grows with the heap by an eighth, not by doubling', { skip: !hostHasWasmMemory() && 'no WebAssembly memory here (an ArrayBuffer doubles)' }, () => {
  const src = `fn main() { let keep = new [[i32]](20000); for i in 0..20000 { keep[i] = new [i32](200); } print(keep.len); }`;
  const r = runTier(src, { gcStats: true, stackSizeKB: 1024 });
  assert.equal(r.stdout, '20000\n');
  const peakKB = +/peak heap ([\d.]+) KB/.exec(r.stderr)[1], memKB = +/linear memory ([\d.]+) KB/.exec(r.stderr)[1];
  assert.ok(peakKB > 8 * 1024, r.stderr);
  assert.ok(memKB <= 1024 + 1.2 * peakKB, r.stderr);
});

test('--trace-gc prints one line per collection', () => {
  const r = runTier(CHURN, { maxHeapMB: 2, traceGc: true });
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.length >= 2);
  for (const l of lines) assert.match(l, /^\[gc #\d+ (minor|full), [a-z ]+\] heap [\d.]+ KB -> [\d.]+ KB, old [\d.]+ KB, extent [\d.]+ KB, memory [\d.]+ KB, last live [\d.]+ KB, pause [\d.]+ ms$/);
});

test('GC maps: only references live at a safepoint are roots', async () => {
  const { buildGcMap } = await import('../../dist/runtime/gcmaps.js');
  const { OP_INFO, instrLength } = await import('../../dist/bytecode/opcodes.js');
  const NEWSTRUCT = Number(Object.keys(OP_INFO).find((k) => OP_INFO[k].name === 'NEWSTRUCT'));
  const src = `
struct B { v: i32 }
fn keep(b: B) { }
fn main() {
  let dead = new B { v: 1 };
  print(dead.v);
  let live = new B { v: 2 };
  keep(live);
  let other = new B { v: 3 };
  print(live.v + other.v);
}`;
  const r = load('t.tier', src, { stderr: (t) => assert.fail(t) });
  const mod = r.program.module;
  const main = mod.functions[mod.mainIndex];
  const map = buildGcMap(mod, main);
  const allocs = [];
  for (let pc = 0; pc < main.code.length; pc += instrLength(main.code[pc])) if (main.code[pc] === NEWSTRUCT) allocs.push(pc);
  assert.equal(allocs.length, 3);
  assert.equal(map.at.get(allocs[0]).length, 0, 'nothing is live at the first allocation');
  assert.equal(map.at.get(allocs[2]).length, 1, 'only `live` survives to the third (`dead` is not a root)');
  // Across the void call keep(live), `live` stays a root of main's frame.
  const resumeKeys = [...map.resume.keys()];
  assert.ok(resumeKeys.some((k) => map.resume.get(k).length === 1), 'live is a root across the call');
});

test('free runs: a request takes a run that fits from the size bins, small holes are reused before the heap grows', () => {
  const { heap, gc, handles } = makeHeap(1 << 20);
  // Survivors interleaved with garbage: after a collection the heap is many small
  // holes between live blocks, plus whatever else is free.
  // (40 KB: less than the first nursery, so this one collection is the only one.)
  for (let i = 0; i < 1000; i++) {
    heap.newString('garbage!');              // 24 bytes, dies
    handles.push(heap.newString('kept'));     // 16 bytes, lives
  }
  gc.collect('test', true);
  assert.equal(gc.count, 1);
  const holes = heap.freeBytes;
  const top = heap.top;
  assert.ok(holes >= 1000 * 24, `holes ${holes}`);
  // Small strings fill the holes (the heap does not grow) while holes are left.
  for (let i = 0; i < 500; i++) handles.push(heap.newString('hole'));
  assert.equal(heap.top, top, 'small objects went into holes, not fresh memory');
  assert.ok(heap.freeBytes < holes);
  // A large array fits in no hole: fresh memory past top.
  const big = heap.newArray(ARR_R, 1000);
  assert.ok(big >= top);
  gc.collect('test');                       // the verifier checks bins, bitmap and byte count
});

test('generations: a minor collection frees young garbage, keeps OLD objects, and sees OLD-to-young references through the write barrier', () => {
  const { heap, gc, handles, roots, mem } = makeHeap(1 << 20);
  const old = heap.newStruct(0);
  handles.push(old);
  const oldGarbage = heap.newStruct(0);
  gc.collect('test', true);                           // both survive? only `old` is reachable
  assert.equal(gc.fullCount, 1);
  const OLD = 8;
  assert.ok(mem.i32[old >> 2] & OLD, 'a survivor is OLD');
  const young = heap.newStruct(0);
  mem.i32[(young + 12) >> 2] = 42;
  mem.i32[(old + 8) >> 2] = young;                    // OLD -> young, through the barrier:
  heap.barrier(old);
  assert.equal(heap.rememberedCount, 1);
  heap.barrier(old);
  assert.equal(heap.rememberedCount, 1, 'an object is remembered once');
  list(heap, 100);                                    // young garbage
  const extent = heap.extent;
  gc.collect('test');
  assert.equal(gc.fullCount, 1, 'a minor collection');
  const moved = mem.i32[(old + 8) >> 2];
  assert.equal(mem.i32[(moved + 12) >> 2], 42, 'the young object reached only from an OLD one survived');
  assert.notEqual(moved, young, 'no root reaches it: it was moved out of the young ranges, the field updated');
  assert.ok(mem.i32[moved >> 2] & OLD, 'reached from the old generation, it is promoted at once');
  assert.equal(gc.movedBytes, 16);
  assert.equal(heap.rememberedCount, 0, 'so the OLD object that references it is no longer remembered');
  assert.equal(heap.extent, extent, 'the copy went into a free run: the heap top did not move');
  verifyHeap(heap, roots, 'in test');
  // Reached only from a root: one survival ages an object, a second promotes it.
  const a = heap.newStruct(0);
  handles.push(a);
  gc.collect('test');
  assert.equal(mem.i32[a >> 2] & OLD, 0, 'one survival ages an object; it stays young');
  const b = heap.newStruct(0);
  mem.i32[(a + 8) >> 2] = b;                          // young -> young: no barrier needed
  heap.barrier(a);
  assert.equal(heap.rememberedCount, 0);
  gc.collect('test');
  assert.ok(mem.i32[a >> 2] & OLD, 'a second survival promotes it');
  assert.equal(mem.i32[b >> 2] & OLD, 0, 'what it references was young: aged now');
  assert.equal(heap.rememberedCount, 1, 'so the promoted object is remembered');
  gc.collect('test');
  const b2 = mem.i32[(a + 8) >> 2];
  assert.notEqual(b2, b, 'reached only through the OLD object now: moved');
  assert.ok(mem.i32[b2 >> 2] & OLD);
  assert.equal(heap.rememberedCount, 0, 'and no longer remembered once that is promoted');
  verifyHeap(heap, roots, 'in test');
  // Without the barrier, the verifier names the missing remembered-set entry.
  const young2 = heap.newStruct(0);
  mem.i32[(old + 8) >> 2] = young2;
  assert.throws(() => gc.collect('test'), /references young .* but is not remembered/);
  void oldGarbage;
});

test('sizing: before the heap grows past twice the last live set, a full collection runs if the old generation grew', () => {
  const mem = new Memory(4096 + (64 << 20), 4096 + (64 << 20), false);
  const heap = new Heap(mem, 4096, 4096 + (64 << 20));
  heap.structSizes = Int32Array.of(16);
  const handles = [];
  const lines = [];
  const roots = { handles, structRefOffsets: [Int32Array.of(8)], forEachRoot(v) { handles.forEach(v); } };
  const gc = new GarbageCollector(heap, roots, { stress: false, verify: false, trace: (l) => lines.push(l) });
  heap.collector = gc;
  const kept = heap.newArray(ARR_R, 200000);          // grows with kept strings (promoted: stored into an OLD array)
  handles.push(kept);
  gc.collect('test', true);
  for (let i = 0; i < 200000; i++) {
    mem.i32[((kept + 8) >> 2) + i] = heap.newString(`w${i % 10}`);
    heap.barrier(kept, i);
    heap.newString('garbage garbage garbage garbage garbage garbage garbage garbage garbage');
  }
  // The full collection comes when the OLD bytes would pass twice the last live
  // set ('threshold'), or before the allocator takes fresh memory past it
  // ('heap growth'); minor collections copy the kept strings into old space.
  const fulls = lines.slice(1).filter((l) => / full, (threshold|heap growth)\]/.test(l));
  assert.ok(fulls.length > 0, lines.slice(-5).join('\n'));
  assert.ok(gc.movedBytes > 0);
  assert.ok(heap.peakExtent <= 2 * gc.lastLive + (1 << 20), `peak ${heap.peakExtent} for live ${gc.lastLive}`);
  heap.retireWindow();                                 // the verifier reads a heap with no window open
  verifyHeap(heap, roots, 'in test');
});

/** Records replaced every step in a big OLD array, each dying a step later (the
 *  shape of bench/programs/particles.tier): `steps` steps over `n` slots, one
 *  garbage struct per record. */
function replaceEveryStep(limit, n, steps) {
  const mem = new Memory(4096 + limit, 4096 + limit, false);
  const heap = new Heap(mem, 4096, 4096 + limit);
  heap.structSizes = Int32Array.of(16);
  const handles = [];
  const roots = { handles, structRefOffsets: [Int32Array.of(8)], forEachRoot(v) { handles.forEach(v); } };
  const gc = new GarbageCollector(heap, roots, { stress: false, verify: false, trace: null });
  heap.collector = gc;
  const table = heap.newArray(ARR_R, n);              // big: allocated OLD
  handles.push(table);
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < n; i++) {
      heap.newStruct(0);                               // a temporary
      const rec = heap.newStruct(0);
      mem.i32[(rec + 12) >> 2] = s;
      mem.i32[((table + 8) >> 2) + i] = rec;
      heap.barrier(table, i);
    }
  }
  for (let i = 0; i < n; i++) assert.equal(mem.i32[(mem.i32[((table + 8) >> 2) + i] + 12) >> 2], steps - 1);
  heap.retireWindow();
  verifyHeap(heap, roots, 'in test');
  return { heap, gc };
}

test('sizing: the nursery grows when what the minor collections promote dies in the old generation, within 16 MiB', () => {
  // 8,000 records of 16 bytes live (128 KB), 256 KB allocated per step, 1,000
  // steps (256 MB): every minor collection moves the live records to old space,
  // where they die a step later. With the policy's 1 MiB nursery: 247
  // collections (9 full), 31 MB moved; the nursery doubles at each of the first
  // full collections: 85 collections, 11 MB moved.
  const { heap, gc } = replaceEveryStep(64 << 20, 8000, 1000);
  assert.ok(gc.count < 150, `${gc.count} collections`);
  assert.ok(gc.movedBytes < (16 << 20), `moved ${gc.movedBytes} bytes`);
  assert.ok(heap.peakExtent <= (16 << 20) + (1 << 20), `peak ${heap.peakExtent}`);
  // Under an 8 MiB heap limit the nursery does not grow past what the limit
  // leaves: minor collections at the policy's 1 MiB.
  const small = replaceEveryStep(8 << 20, 8000, 250);
  assert.ok(small.heap.peakExtent <= 8 << 20);
  assert.ok(small.gc.count > 55, `${small.gc.count} collections`);
});

test('generations: OLD garbage waits for a full collection', () => {
  const { heap, gc, handles } = makeHeap(1 << 20);
  handles.push(list(heap, 10));
  gc.collect('test', true);
  handles.pop();                                      // the OLD list is now garbage
  gc.collect('test');
  const used = heap.extent - heap.freeBytes;
  assert.ok(used >= 10 * 16, 'a minor collection leaves OLD garbage');
  gc.collect('test', true);
  assert.equal(heap.extent - heap.freeBytes, 0, 'a full one frees it');
});

test('generations: a big OLD array logs each element stored into, once, and a minor collection scans only those', () => {
  const { heap, gc, handles, roots, mem } = makeHeap(1 << 20);
  const arr = heap.newArray(ARR_R, 4096);
  handles.push(arr);
  gc.collect('test', true);                             // arr is OLD now
  const s = heap.newString('young');
  mem.i32[((arr + 8) >> 2) + 3000] = s;
  heap.barrier(arr, 3000);
  heap.barrier(arr, 3000);                              // the same element: logged once
  assert.equal(heap.slotCount, 1);
  gc.collect('test');
  assert.equal(gc.fullCount, 1);
  assert.equal(heap.readString(mem.i32[((arr + 8) >> 2) + 3000]), 'young', 'reached through its logged element');
  // A store whose element is not logged is caught by the verifier.
  const s2 = heap.newString('lost');
  mem.i32[((arr + 8) >> 2) + 10] = s2;
  heap.barrier(arr, 3000);                              // logs the wrong element
  heap.retireWindow();
  assert.throws(() => verifyHeap(heap, roots, 'in test'), /the element is not logged/);
});

test('--gc-stress collects from a program\'s first allocation, however small the program', () => {
  // The window the constants are allocated in is opened before the collector
  // exists; it must not carry the first 64 KiB of the program's allocations
  // past the stress mode (it did: small programs were never collected).
  let stderr = '';
  const src = 'struct P { x: i32 }\nfn main() { let a = new P { x: 1 }; let b = new P { x: 2 }; print(a.x + b.x); }\n';
  const r = load('t.tier', src, { tier: 'interp', gcStress: true, gcStats: true, stdout: () => {}, stderr: (t) => { stderr += t; } });
  assert.ok(r.ok);
  assert.equal(r.program.run(), 0);
  const m = /collections (\d+)/.exec(stderr);
  assert.ok(m !== null && Number(m[1]) >= 2, stderr);
});

test('evacuation: what only the old generation reaches is moved, once, with every reference to it updated; what a root names stays put', () => {
  const { heap, gc, handles, roots, mem } = makeHeap(1 << 20);
  const OLD = 8;
  const old = heap.newArray(ARR_R, 4);
  handles.push(old);
  gc.collect('test', true);
  const el = (i) => mem.i32[((old + 8) >> 2) + i];
  const put = (i, v) => { mem.i32[((old + 8) >> 2) + i] = v; heap.barrier(old, i); };
  // A young chain a -> b, reached from two elements; and c, reached from an
  // element and from a root.
  const a = heap.newStruct(0), b = heap.newStruct(0), c = heap.newStruct(0);
  mem.i32[(a + 8) >> 2] = b; mem.i32[(a + 12) >> 2] = 1; mem.i32[(b + 12) >> 2] = 2; mem.i32[(c + 12) >> 2] = 3;
  put(0, a); put(1, a); put(2, c);
  handles.push(c);
  const big = heap.newArray(ARR_R, 300);                // 1,208 bytes: promoted where it is
  put(3, big);
  gc.collect('test');
  const a2 = el(0), b2 = mem.i32[(a2 + 8) >> 2];
  assert.notEqual(a2, a, 'a moved');
  assert.equal(el(1), a2, 'copied once: both references name the copy');
  assert.notEqual(b2, b, 'what a moved object references moved too');
  assert.deepEqual([mem.i32[(a2 + 12) >> 2], mem.i32[(b2 + 12) >> 2]], [1, 2], 'contents copied');
  assert.ok((mem.i32[a2 >> 2] & OLD) && (mem.i32[b2 >> 2] & OLD));
  assert.equal(el(2), c, 'a root names c: it is not moved');
  assert.ok(mem.i32[c >> 2] & OLD, 'but promoted where it is');
  assert.equal(el(3), big, 'a large object is promoted where it is');
  assert.ok(mem.i32[big >> 2] & OLD);
  assert.equal(gc.movedBytes, 32);
  verifyHeap(heap, roots, 'in test');
  // An object aged by a root, then reachable only from the old generation, moves
  // at the next minor collection; its old block is freed.
  const d = heap.newStruct(0);
  mem.i32[(d + 12) >> 2] = 4;
  handles.push(d);
  gc.collect('test');
  assert.equal(mem.i32[d >> 2] & OLD, 0, 'aged, still young');
  put(2, d);
  handles.pop();
  gc.collect('test');
  assert.notEqual(el(2), d);
  assert.equal(mem.i32[(el(2) + 12) >> 2], 4);
  assert.equal(mem.i32[d >> 2] & 7, 6, 'its old block is free');
  verifyHeap(heap, roots, 'in test');
  // A full collection moves them out first too (its sweep would otherwise leave
  // the young ranges as holes between them).
  const e = heap.newStruct(0);
  mem.i32[(e + 12) >> 2] = 5;
  put(2, e);
  const moved = gc.movedBytes;
  gc.collect('test', true);
  assert.notEqual(el(2), e);
  assert.equal(mem.i32[(el(2) + 12) >> 2], 5);
  assert.equal(gc.movedBytes, moved + 16);
  verifyHeap(heap, roots, 'in test');
});

test('evacuation: with no room left in old space, a young object is promoted where it is', () => {
  const { heap, gc, handles, roots, mem } = makeHeap(1 << 16);
  const OLD = 8;
  const old = heap.newArray(ARR_R, 8);
  handles.push(old);
  const hold = heap.newArray(ARR_R, 4096);
  handles.push(hold);
  gc.collect('test', true);
  // Fill the heap with live structs until it is out of memory, then free the
  // last 8 of them: the young objects below take exactly that room.
  let n = 0;
  assert.throws(() => { for (; n < 4096; n++) { mem.i32[((hold + 8) >> 2) + n] = heap.newStruct(0); heap.barrier(hold, n); } }, (e) => e.message === 'out of memory');
  for (let i = n - 8; i < n; i++) mem.i32[((hold + 8) >> 2) + i] = 0;
  gc.collect('test', true);
  const young = [];
  for (let i = 0; i < 8; i++) {
    const s = heap.newStruct(0);
    mem.i32[(s + 12) >> 2] = 100 + i;
    mem.i32[((old + 8) >> 2) + i] = s;
    heap.barrier(old, i);
    young.push(s);
  }
  const fulls = gc.fullCount;
  gc.collect('test');
  assert.equal(gc.fullCount, fulls, 'a minor collection');
  young.forEach((s, i) => {
    assert.equal(mem.i32[((old + 8) >> 2) + i], s, 'nowhere to copy it to: promoted where it is');
    assert.equal(mem.i32[(s + 12) >> 2], 100 + i);
    assert.ok(mem.i32[s >> 2] & OLD);
  });
  verifyHeap(heap, roots, 'in test');
});

test('a big array of references is allocated OLD (pretenured): stores into it are logged from the start, and it waits for a full collection to be freed', () => {
  const { heap, gc, handles, roots, mem } = makeHeap(1 << 20);
  const OLD = 8;
  const small = heap.newArray(ARR_R, 100);
  assert.equal(mem.i32[small >> 2] & OLD, 0, 'a small array is young');
  const numbers = heap.newArray(2, 5000);
  assert.equal(mem.i32[numbers >> 2] & OLD, 0, 'so is a big array of numbers');
  const arr = heap.newArray(ARR_R, 5000);               // 20,008 bytes
  assert.ok(mem.i32[arr >> 2] & OLD, 'a large one is OLD at once');
  for (let i = 0; i < 5000; i++) assert.equal(mem.i32[((arr + 8) >> 2) + i], 0, 'and zeroed');
  handles.push(arr);
  const s = heap.newString('kept');
  mem.i32[((arr + 8) >> 2) + 7] = s;
  heap.barrier(arr, 7);
  assert.equal(heap.slotCount, 1, 'the store was logged');
  heap.retireWindow();                                  // the verifier reads a heap with no window open
  verifyHeap(heap, roots, 'in test');
  gc.collect('test');
  const s2 = mem.i32[((arr + 8) >> 2) + 7];
  assert.notEqual(s2, s, 'what it references was moved out of the young ranges');
  assert.equal(heap.readString(s2), 'kept');
  handles.pop();
  const used = heap.extent - heap.freeBytes;
  gc.collect('test');
  assert.equal(heap.extent - heap.freeBytes, used, 'a minor collection does not free an OLD array');
  gc.collect('test', true);
  assert.ok(heap.extent - heap.freeBytes <= used - 20008, 'a full one does');
  verifyHeap(heap, roots, 'in test');
});

test('pretenuring stops when a full collection finds that most pretenured arrays died young', () => {
  const { heap, gc, handles, mem } = makeHeap(1 << 22);
  const OLD = 8;
  const kept = heap.newArray(ARR_R, 5000);
  handles.push(kept);
  for (let i = 0; i < 3; i++) heap.newArray(ARR_R, 5000);   // temporaries, dead at once
  gc.collect('test', true);
  assert.equal(heap.pretenuring, false, 'one of four survived');
  const a = heap.newArray(ARR_R, 5000);
  assert.equal(mem.i32[a >> 2] & OLD, 0, 'a big array is young now');
  assert.ok(mem.i32[kept >> 2] & OLD);
  // While most survive, pretenuring stays on.
  const h = makeHeap(1 << 22);
  h.handles.push(h.heap.newArray(ARR_R, 5000), h.heap.newArray(ARR_R, 5000));
  h.heap.newArray(ARR_R, 5000);
  h.gc.collect('test', true);
  assert.equal(h.heap.pretenuring, true, 'two of three survived');
  void gc;
});

test('the linear memory stays within twice the largest live set a full collection found (binary-trees 16)', { skip: !hostHasWasmMemory() && 'no WebAssembly memory here (an ArrayBuffer doubles)' }, () => {
  // The stretch tree (4 MB) lives between two full collections, and old space
  // holds dead trees no full collection was due to free: the memory grew to
  // 2.17x before the cap (GarbageCollector.memoryCap) made it collect first.
  const src = readFileSync(new URL('../../bench/programs/binarytrees.tier', import.meta.url), 'utf8');
  const r = runTier(src, { gcStats: true, args: ['16'] });
  assert.match(r.stdout, /long lived tree of depth 16\t check: 131071\n$/);
  const memKB = +/linear memory ([\d.]+) KB/.exec(r.stderr)[1], maxLiveKB = +/largest live after a full ([\d.]+) KB/.exec(r.stderr)[1];
  assert.ok(memKB <= 2 * maxLiveKB, r.stderr);
});

test('Memory.grow gives no slack past the soft cap when the request is under it', { skip: !hostHasWasmMemory() && 'no WebAssembly memory here' }, () => {
  const MB = 1 << 20;
  const mem = new Memory(18 * MB, 256 * MB, true);
  assert.ok(mem.grow(19 * MB, 19 * MB + (128 << 10)));
  assert.equal(mem.byteLength, 19 * MB + (128 << 10), 'grown to the cap, not past it (was 19.25 MB)');
  assert.ok(mem.grow(20 * MB - 4096, 20 * MB));
  assert.equal(mem.byteLength, 20 * MB, 'grown to the cap, not past it');
  assert.ok(mem.grow(24 * MB, 20 * MB));
  assert.ok(mem.byteLength >= 24 * MB && mem.byteLength <= 24 * MB + Math.max(256 << 10, 24 * MB >> 7) + 65536, 'past the cap: little slack');
  const small = new Memory(16 * MB, 256 * MB, true);
  assert.ok(small.grow(16 * MB + 100, 64 * MB));
  assert.ok(small.byteLength >= 16 * MB + (16 * MB >> 5), 'under a distant cap: at least a 32nd of slack');
});

test('the write barrier logs no store of an OLD value or null, in every tier, and still every young one', () => {
  // Old strings moved between two old big arrays (a sort's merge passes) make
  // no OLD-to-young reference: the barrier logs none of those stores. The
  // young strings stored at the end must still be logged (and found: the
  // output reads them after more collections).
  const src = `
struct Box { v: str }
fn main() {
  let n = 5000;
  var a = new [str](n);
  var b = new [str](n);
  let box = new Box { v: "" };
  for i in 0..n { a[i] = str(i); }
  for k in 0..2000 { let junk = new [i32](1000); }   // a and its strings become OLD
  for round in 0..40 {
    for i in 0..n { b[i] = a[n - 1 - i]; }
    for i in 0..n { if i % 7 == 0 { b[i] = null; } }
    let t = a; a = b; b = t;
    box.v = a[round];
    for k in 0..300 { let junk = new [i32](1000); }  // minor collections between rounds
  }
  for i in 0..10 { a[i] = "y" + str(i); }            // young values: logged
  box.v = "y" + box.v;
  for k in 0..2000 { let junk = new [i32](1000); }
  var s = 0;
  for i in 0..n { if a[i] != null { s += a[i].len; } }
  print(s);
  print(a[3] + box.v);
}`;
  const expected = runTier(src, { tier: 'interp' }).stdout;
  assert.match(expected, /^\d+\ny3y/);
  for (const mode of [{ tier: 'interp' }, { tier: 'jit' }, { tier: 'jit', backend: 'js' }, { tier: 'auto' }]) {
    const r = runTier(src, { ...mode, gcStats: true });
    assert.equal(r.stdout, expected, JSON.stringify(mode));
    const m = /remembered at minor collections (\d+) objects and (\d+) elements/.exec(r.stderr);
    assert.ok(m, r.stderr);
    const [objects, elements] = [+m[1], +m[2]];
    // 40 rounds of 5,000 old-to-old stores each: 200,000 without the filter;
    // the first fill (young strings into a, allocated OLD, as big arrays are)
    // logs 5,000.
    assert.ok(elements < 10_000, `${JSON.stringify(mode)}: ${elements} elements logged`);
    assert.ok(elements >= 10 && objects >= 1, `${JSON.stringify(mode)}: the young stores were logged: ${m[0]}`);
  }
});

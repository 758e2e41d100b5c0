// exprtree (see exprtree.tier): a tiny expression language built, evaluated and constant-folded.
const M = 32749;
let SEED = 17;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
const opAdd = (a, b) => (a + b) % M;
const opSub = (a, b) => (a - b + M) % M;
const opMul = (a, b) => (a * b) % M;
const opMin = (a, b) => (a < b ? a : b);
const opMax = (a, b) => (a > b ? a : b);
let OPS = null;
let NODES = 0;
function leaf(kind, val) {
  NODES += 1;
  return { kind, val, op: null, a: null, b: null, c: null };
}
function node(kind, val, op, a, b, c) {
  NODES += 1;
  return { kind, val, op, a, b, c };
}
function gen(d) {
  if (d === 0 || rnd(8) === 0) {
    if (rnd(2) === 0) return leaf(0, rnd(100));
    return leaf(1, rnd(4));
  }
  const k = rnd(10);
  if (k < 6) {
    const op = OPS[rnd(5)];
    const a = gen(d - 1);
    const b = gen(d - 1);
    return node(2, 0, op, a, b, null);
  }
  if (k < 8) {
    const name = rnd(4);
    const a = gen(d - 1);
    const b = gen(d - 1);
    return node(3, name, null, a, b, null);
  }
  const a = gen(d - 1);
  const b = gen(d - 1);
  const c = gen(d - 1);
  return node(4, 0, null, a, b, c);
}
function lookup(env, name) {
  let e = env;
  while (e !== null) {
    if (e.name === name) return e.val;
    e = e.next;
  }
  return 0;
}
function evaluate(e, env) {
  const k = e.kind;
  if (k === 0) return e.val;
  if (k === 1) return lookup(env, e.val);
  if (k === 2) return e.op.f(evaluate(e.a, env), evaluate(e.b, env));
  if (k === 3) return evaluate(e.b, { name: e.val, val: evaluate(e.a, env), next: env });
  if (evaluate(e.a, env) % 2 === 0) return evaluate(e.b, env);
  return evaluate(e.c, env);
}
function fold(e) {
  const k = e.kind;
  if (k < 2) return e;
  if (k === 2) {
    const a = fold(e.a);
    const b = fold(e.b);
    if (a.kind === 0 && b.kind === 0) return leaf(0, e.op.f(a.val, b.val));
    return node(2, 0, e.op, a, b, null);
  }
  if (k === 3) {
    const a = fold(e.a);
    const b = fold(e.b);
    if (b.kind === 0) return b;
    return node(3, e.val, null, a, b, null);
  }
  const a = fold(e.a);
  if (a.kind === 0) {
    if (a.val % 2 === 0) return fold(e.b);
    return fold(e.c);
  }
  const b = fold(e.b);
  const c = fold(e.c);
  return node(4, 0, null, a, b, c);
}
function main(n, depth) {
  OPS = [{ f: opAdd, code: 0 }, { f: opSub, code: 1 }, { f: opMul, code: 2 },
    { f: opMin, code: 3 }, { f: opMax, code: 4 }];
  let built = 0, folded = 0, sum = 0;
  for (let round = 0; round < n; round++) {
    NODES = 0;
    const t = gen(depth);
    built += NODES;
    const v1 = evaluate(t, null);
    NODES = 0;
    const f = fold(t);
    folded += NODES;
    const v2 = evaluate(f, { name: 9, val: round, next: null });
    if (v1 !== v2) throw new Error('fold changed the value');
    sum = (sum * 31 + v1) % 1000003;
  }
  console.log(`rounds ${n}, built ${built}, folded ${folded}, checksum ${sum}`);
}
main(Number(process.argv[2]), process.argv.length > 3 ? Number(process.argv[3]) : 14);

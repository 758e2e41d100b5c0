// Owns the generator: a random, well-typed, terminating Tier program from a seed.
//
// generate(seed) returns { prog, source, info }: the tree (ast.mjs) the shrinker
// edits, its text, and what went into it. Same seed, same program.
//
// How every program is kept valid and bounded:
// - Types: every expression is generated for a wanted type, so the program
//   type-checks by construction (a compile error is a generator bug).
// - Null: a reference stored anywhere (variable, field, element) is never null,
//   except struct "link" fields (self and forward references), which are only
//   read into a fresh variable behind a `!= null` test or walked by a counted
//   loop. Arrays are never empty (length >= 1) and strings used with s[i] are
//   known non-empty, so an index `(I & 2147483647) % a.len` is always in bounds
//   and a divisor `((b & 255) | 1)` is never 0 or -1. Deliberate faults (division
//   by zero, null, bounds, substr, panic, ...) are separate "error sites".
// - Termination: functions call only functions generated before them, except a
//   recursive function calling itself with a depth parameter `d - 1` it checks
//   first; function values only ever hold "leaf" functions, which call nothing
//   through values. Every loop has a bounded trip count: literal or masked `for`
//   bounds, array lengths (<= 20), and `while` loops with a counter incremented
//   first in the body.
// - Run time: a cost estimate (statements executed, loops multiplying, calls
//   adding the callee's estimate) is charged while generating; loops and calls
//   are only generated while the function's budget allows.
// - Hot code: main always has a loop of more than 50 iterations calling a
//   worker, and workers often have long loops, so tier-up and OSR happen.
// - Strings stored anywhere are at most LMAX code units (`clip` keeps them so),
//   so repeated concatenation cannot grow without bound.

import { Rng } from './prng.mjs';
import { I32, F64, BOOL, STR, arrT, structT, fnT, tstr, teq, isRef, E, S, B, D, cloneTree, printProgram } from './ast.mjs';

const LMAX = 48;
const MAXARR = 20;
const MASK = '2147483647';

const I32_LITS = ['0', '1', '2', '3', '7', '10', '(-1)', '(-5)', '42', '100', '255', '256', '1000', '65535',
  '(-128)', '31', '32', '33', '2147483647', '(-2147483648)', '0x7FFFFFFF', '0xFFFFFFFF', '0x80000000',
  '0xFF', '1_000_000', '123456789', '(-987654321)', '46341', '(-46341)'];
const F64_LITS = ['0.0', '(-0.0)', '1.0', '(-1.0)', '0.5', '2.5', '(-3.75)', '0.1', '0.2', '1e300', '(-1e300)',
  '5e-324', '1.7976931348623157e308', '3.141592653589793', '1e21', '1e-7', '123456.789', '4294967296.0',
  '2147483648.0', '(-2147483649.0)', '1E+5', '2.5e-3', '(0.0 / 0.0)', '(1.0 / 0.0)', '((-1.0) / 0.0)', '9007199254740993.0'];
// [source text, length in UTF-16 code units]
const STR_LITS = [['""', 0], ['"a"', 1], ['"hello"', 5], ['"Tier"', 4], ['"x\\ty"', 3], ['"q\\"t"', 3],
  ['"b\\\\s"', 3], ['"nl\\n"', 3], ['"\\0z"', 2], ['"é"', 1], ['"日本"', 2], ['"\\u{1F600}"', 2], ['"-12"', 3],
  ['"3.5"', 3], ['"NaN"', 3], ['"  sp "', 5], ['"\\r\\n"', 2], ['"\\u{41}\\u{10FFFF}"', 3], ['","', 1], ['"0"', 1]];
const PARSE_I32_OK = ['"0"', '"-0"', '"42"', '"-2147483648"', '"2147483647"', '"007"', '"-19"'];
const PARSE_F64_OK = ['"0"', '"-0"', '"1.5"', '"-0.0"', '"2e10"', '"1E-3"', '"1e+21"', '"123.456e2"', '"1e400"', '"-7"', '"0.1"'];
const PARSE_I32_BAD = ['"12x"', '" 1"', '"2147483648"', '""', '"+"', '"1.0"', '"0x10"', '"-"'];
const PARSE_F64_BAD = ['"1.2.3"', '""', '"NaN"', '"Infinity"', '".5"', '"1e"', '" 2"', '"abc"'];
const MATH1 = ['sqrt', 'sin', 'cos', 'tan', 'atan', 'exp', 'log', 'floor', 'ceil', 'abs'];
const MATH2 = ['atan2', 'pow'];
const SIG_POOL = [
  fnT([I32], I32), fnT([I32, I32], I32), fnT([F64], F64), fnT([I32], BOOL), fnT([STR], STR),
  fnT([I32, F64], F64), fnT([I32], null), fnT([], I32),
];

const lit = (ty, text, extra = {}) => E(ty, [text], { pure: true, lit: true, ...extra });
const paren = (ty, parts, extra) => E(ty, ['(', ...parts, ')'], extra);
const allPure = (...es) => es.every((e) => e.pure);

export function generate(seed, opts = {}) {
  const g = new Gen(seed, opts);
  const prog = g.program();
  return { prog, source: printProgram(prog), info: g.info() };
}

class Gen {
  constructor(seed, opts) {
    this.seed = seed;
    this.rng = new Rng(seed);
    this.opts = opts;
    this.structs = [];
    this.sigs = [];
    this.leafs = [];
    this.workers = [];
    this.globals = [];
    this.needBoom = false;
    this.counts = { errorSites: 0, loops: 0, hotLoops: 0, calls: 0, fnValueCalls: 0 };
    const r = this.rng;
    this.errRate = r.chance(0.45) ? r.pick([0.004, 0.008, 0.015]) : 0;
    this.mainBudget = opts.mainBudget ?? r.pick([4000, 8000, 12000]);
  }

  info() {
    return {
      structs: this.structs.length, leafs: this.leafs.length, workers: this.workers.length,
      globals: this.globals.length, errRate: this.errRate, ...this.counts,
    };
  }

  // ---------------------------------------------------------------- program
  program() {
    const r = this.rng;
    this.makeStructs();
    this.sigs = r.shuffle(SIG_POOL).slice(0, r.range(2, 4));
    for (const st of this.structs) {
      if (r.chance(0.3)) this.sigs.push(fnT([structT(st.name)], I32));
      break;
    }
    const decls = [];
    for (const st of this.structs) decls.push(this.structDecl(st));
    decls.push(D(['fn clip(s: str) -> str { if s.len > ' + LMAX + ' { return substr(s, s.len - ' + LMAX + ', s.len); } return s; }'], { fn: 'clip' }));
    // Leaf functions: the only values of function type. Every signature first
    // gets one returning a literal (so every function type has a value), then more.
    for (const sig of this.sigs) decls.push(this.leafDecl(sig, true));
    for (const sig of this.sigs) {
      const n = r.range(0, 2);
      for (let i = 0; i < n; i++) decls.push(this.leafDecl(sig, false));
    }
    const globalDecls = [];
    const ng = r.range(2, 8);
    for (let i = 0; i < ng; i++) globalDecls.push(this.globalDecl());
    const nw = r.range(2, 7);
    for (let i = 0; i < nw; i++) decls.push(this.workerDecl(i));
    decls.push(this.mainDecl());
    if (this.needBoom) {
      decls.push(D(['fn boom(n: i32) -> i32 { if n < 0 { return 0; } return boom(n + 1) + 1; }'], { fn: 'boom' }));
    }
    // Interleave globals at random places, keeping their source order.
    const all = r.shuffle([...decls, ...globalDecls]);
    const gpos = [];
    all.forEach((d, i) => { if (d.isGlobal) gpos.push(i); });
    gpos.forEach((p, i) => { all[p] = globalDecls[i]; });
    return { decls: all };
  }

  makeStructs() {
    const r = this.rng;
    const n = r.range(1, 4);
    for (let i = 0; i < n; i++) this.structs.push({ name: `S${i}`, idx: i, fields: [] });
    const names = ['a', 'b', 'c', 'd', 'e', 'g', 'h', 'x', 'y', 'next'];
    for (const st of this.structs) {
      const nf = r.range(1, 6);
      const used = new Set();
      for (let j = 0; j < nf; j++) {
        let name;
        do name = r.pick(names); while (used.has(name));
        used.add(name);
        const earlier = this.structs.filter((s) => s.idx < st.idx);
        const later = this.structs.filter((s) => s.idx >= st.idx);
        const ty = r.weighted([
          [5, () => I32], [3, () => F64], [2, () => BOOL], [3, () => STR],
          [2, () => arrT(I32)], [1, () => arrT(F64)], [1, () => arrT(STR)], [1, () => arrT(arrT(I32))],
          [earlier.length ? 2 : 0, () => structT(r.pick(earlier).name)],
          [earlier.length ? 1 : 0, () => arrT(structT(r.pick(earlier).name))],
          [3, () => 'link'],
          [2, () => 'fn'],
        ])();
        if (ty === 'link') st.fields.push({ name, ty: structT(r.pick(later).name), link: true });
        else if (ty === 'fn') st.fields.push({ name, ty: 'fn' }); // resolved once signatures exist
        else st.fields.push({ name, ty, link: false });
      }
    }
    this.fnFieldsPending = true;
  }

  structDecl(st) {
    // Function-typed fields take a signature from the pool (known only now).
    for (const f of st.fields) if (f.ty === 'fn') { f.ty = this.rng.pick(this.sigs); f.link = false; }
    return D([`struct ${st.name} { ${st.fields.map((f) => `${f.name}: ${tstr(f.ty)}`).join(', ')} }`], { struct: st.name });
  }

  struct(name) { return this.structs.find((s) => s.name === name); }

  randomType(depth = 1) {
    const r = this.rng;
    const st = () => structT(r.pick(this.structs).name);
    return r.weighted([
      [30, () => I32], [14, () => F64], [9, () => BOOL], [14, () => STR],
      [4, () => arrT(I32)], [3, () => arrT(F64)], [2, () => arrT(BOOL)], [2, () => arrT(STR)],
      [3, () => arrT(st())], [depth > 0 ? 2 : 0, () => arrT(arrT(I32))], [2, () => arrT(r.pick(this.sigs))],
      [10, st], [4, () => r.pick(this.sigs)],
    ])();
  }

  // ---------------------------------------------------------------- functions
  newCtx(kind, extra) {
    return {
      kind, budget: 0, used: 0, mult: 1, loopDepth: 0, scopes: [[]], names: 0,
      globals: kind === 'leaf' ? [] : this.globals, callable: [], fnValues: kind !== 'leaf' && kind !== 'global',
      rec: null, ret: null, ...extra,
    };
  }

  leafDecl(sig, trivial) {
    const r = this.rng;
    const name = `l${this.leafs.length}`;
    const ctx = this.newCtx('leaf', { budget: 24, callable: this.leafs.slice(), ret: sig.ret });
    const params = sig.params.map((t, i) => ({ name: `p${i}`, ty: t, mut: true, local: true, maxLen: LMAX, nonEmpty: false }));
    ctx.scopes[0].push(...params);
    const stmts = [];
    const n = trivial ? 0 : r.range(0, 3);
    for (let i = 0; i < n; i++) stmts.push(...this.stmt(ctx, 1, ['decl', 'assign', 'print', 'if', 'error']));
    if (!trivial && this.errRate > 0 && r.chance(0.15)) stmts.push(...this.errorSite(ctx, 1));
    let retVal = sig.ret && (trivial ? this.literal(sig.ret) : this.storeValue(ctx, sig.ret, 2));
    if (!trivial && sig.ret && sig.ret.k === 'i32' && this.visibleVars(ctx).find((v) => v.name === 'p0')?.ty.k === 'i32' && this.errRate > 0 && r.chance(0.3)) {
      // traps when called with p0 == K: from a hot loop, after tier-up (and inlining)
      this.counts.errorSites++;
      retVal = paren(I32, [retVal, ` ${r.pick(['/', '%'])} (p0 - ${r.range(3, 120)})`]);
    }
    if (sig.ret) stmts.push(S(['return ', retVal, ';'], { prot: true }));
    const head = `fn ${name}(${params.map((p) => `${p.name}: ${tstr(p.ty)}`).join(', ')})${sig.ret ? ' -> ' + tstr(sig.ret) : ''} `;
    this.leafs.push({ name, ty: sig, params: sig.params, ret: sig.ret, cost: ctx.used + 1, leaf: true });
    return D([head, B(stmts)], { fn: name });
  }

  get maxLeafCost() { return Math.max(1, ...this.leafs.map((l) => l.cost)); }

  globalDecl() {
    const r = this.rng;
    const name = `G${this.globals.length}`;
    const ty = this.randomType();
    const ctx = this.newCtx('global', { budget: 200, callable: this.leafs.slice(), globals: this.globals.slice() });
    let init;
    if (this.errRate > 0 && r.chance(0.03)) init = this.globalError(ctx, ty);
    init ??= this.storeValue(ctx, ty, 3);
    const mut = r.chance(0.7);
    const annotate = r.chance(0.6) || (init.ty.k === 'fn');
    const g = { name, ty, mut, local: false, maxLen: LMAX, nonEmpty: false, global: true };
    this.globals.push(g);
    return D([`${mut ? 'var' : 'let'} ${name}${annotate ? ': ' + tstr(ty) : ''} = `, init, ';'], { isGlobal: true, global: name });
  }

  globalError(ctx, ty) {
    const r = this.rng;
    this.counts.errorSites++;
    if (ty.k === 'i32') return E(I32, [`parse_i32(${r.pick(PARSE_I32_BAD)})`]);
    if (ty.k === 'f64') return E(F64, [`parse_f64(${r.pick(PARSE_F64_BAD)})`]);
    if (ty.k === 'str') return E(STR, ['substr(', this.ex(ctx, STR, 1), ', 3, 1)']);
    return null;
  }

  workerDecl(i) {
    const r = this.rng;
    const name = `w${i}`;
    const rec = r.chance(0.25) ? { b: r.chance(0.5) ? 2 : 1, selfSites: 0 } : null;
    const nparams = r.range(0, 3);
    const params = [];
    if (rec) {
      rec.mask = rec.b === 2 ? 7 : 15;
      params.push({ name: 'd', ty: I32, mut: false, ro: true, noShadow: true, local: true });
    }
    for (let j = 0; j < nparams; j++) {
      const ty = this.randomType();
      params.push({ name: `p${j}`, ty, mut: true, local: true, maxLen: LMAX, nonEmpty: false });
    }
    const ret = r.chance(0.8) ? this.randomType() : null;
    const total = r.pick([30, 60, 150, 400, 1200]);
    const factor = rec ? (rec.b === 2 ? 2 ** (rec.mask + 1) : rec.mask + 1) : 1;
    const ctx = this.newCtx('worker', {
      budget: Math.max(8, Math.floor(total / factor)), callable: [...this.leafs, ...this.workers], ret,
    });
    ctx.scopes[0].push(...params);
    const info = { name, params: params.map((p) => p.ty), ret, cost: 0, rec: rec ? rec : null, worker: true };
    if (rec) { rec.name = name; rec.ret = ret; rec.params = info.params; ctx.rec = rec; }
    const stmts = [];
    if (rec) {
      const base = ret ? this.storeValue(ctx, ret, 1) : null;
      stmts.push(S(['if d <= 0 { return', ...(base ? [' ', base] : []), '; }'], { frozen: true }));
    }
    const n = r.range(2, 10);
    for (let j = 0; j < n && ctx.used < ctx.budget; j++) stmts.push(...this.stmt(ctx, 3));
    if (rec && rec.selfSites === 0 && ctx.used < ctx.budget) {
      const call = this.callExpr(ctx, ret, 2, { forceSelf: true });
      if (call) stmts.push(ret && ['i32', 'f64', 'bool', 'str'].includes(ret.k) && r.chance(0.5) ? S(['print(', call, ');']) : S([call, ';']));
    }
    if (ret) stmts.push(S(['return ', this.storeValue(ctx, ret, 3), ';'], { prot: true }));
    info.cost = Math.max(1, ctx.used) * factor + 1;
    this.workers.push(info);
    const head = `fn ${name}(${params.map((p) => `${p.name}: ${tstr(p.ty)}`).join(', ')})${ret ? ' -> ' + tstr(ret) : ''} `;
    return D([head, B(stmts)], { fn: name });
  }

  mainDecl() {
    const r = this.rng;
    const withArgs = r.chance(0.3);
    const ctx = this.newCtx('main', { budget: this.mainBudget, callable: [...this.leafs, ...this.workers] });
    if (withArgs) ctx.scopes[0].push({ name: 'args', ty: arrT(STR), mut: true, local: true, maxLen: LMAX });
    const stmts = [];
    const n1 = r.range(3, 12);
    for (let j = 0; j < n1; j++) stmts.push(...this.stmt(ctx, 3));
    stmts.push(...this.hotLoop(ctx));
    const n2 = r.range(3, 12);
    for (let j = 0; j < n2; j++) stmts.push(...this.stmt(ctx, 3));
    if (r.chance(0.6)) stmts.push(...this.hotLoop(ctx));
    if (r.chance(0.3)) stmts.push(...this.hotLoop(ctx));
    for (const g of this.globals) {
      if (['i32', 'f64', 'bool', 'str'].includes(g.ty.k) && r.chance(0.6)) stmts.push(S([`print(${g.name});`]));
    }
    return D([`fn main(${withArgs ? 'args: [str]' : ''}) `, B(stmts)], { fn: 'main' });
  }

  /** A loop of more than 50 iterations around calls of cheap workers (and a
   *  function value), accumulating results so a wrong value shows. */
  hotLoop(ctx) {
    const r = this.rng;
    const trips = r.range(51, 130);
    const room = ctx.budget - ctx.used;
    const cands = this.workers.filter((w) => (w.cost + 4) * trips <= room / 2);
    if (cands.length === 0) return [];
    this.counts.hotLoops++;
    const v = this.fresh(ctx, 'h');
    const acc = this.fresh(ctx, 'v'), accf = this.fresh(ctx, 'v');
    const out = [S([`var ${acc} = 0;`]), S([`var ${accf} = 0.0;`])];
    out.push(...this.inLoop(ctx, trips, (body) => {
      this.declare(ctx, { name: v, ty: I32, mut: false, ro: true, local: true, nonNeg: true });
      const ncalls = r.range(1, 3);
      for (let j = 0; j < ncalls; j++) {
        const w = j === 0 ? r.pick(cands) : r.pick(this.workers.filter((x) => this.canAfford(ctx, x.cost + 1)).concat(cands));
        const call = this.callTo(ctx, w, 2);
        const ret = w.ret;
        if (ret && ret.k === 'i32') body.push(S([`${acc} = ${acc} * 31 + `, call, ';']));
        else if (ret && ret.k === 'f64') body.push(S([`${accf} = ${accf} + `, call, ';']));
        else if (ret && ['bool', 'str'].includes(ret.k)) body.push(S([r.chance(0.5) ? 'print(' : 'write(', call, ');']));
        else body.push(S([call, ';']));
      }
      if (r.chance(0.5)) {
        const sig = r.pick(this.sigs);
        const c = this.fnValueCall(ctx, sig, 2);
        if (c && sig.ret && sig.ret.k === 'i32') body.push(S([`${acc} = ${acc} ^ `, c, ';']));
        else if (c) body.push(S([c, ';']));
      }
      const n = r.range(0, 2);
      for (let j = 0; j < n; j++) body.push(...this.stmt(ctx, 2));
    }, (b) => S([`for ${v} in 0..${trips} `, b])));
    out.push(S([`print(${acc});`]), S([`print(${accf});`]));
    return out;
  }

  // ---------------------------------------------------------------- scopes
  fresh(ctx, prefix) { return `${prefix}${ctx.names++}`; }

  visibleVars(ctx) {
    const seen = new Set();
    const out = [];
    for (let i = ctx.scopes.length - 1; i >= 0; i--) {
      for (let j = ctx.scopes[i].length - 1; j >= 0; j--) {
        const v = ctx.scopes[i][j];
        if (seen.has(v.name)) continue;
        seen.add(v.name);
        if (!v.hidden) out.push(v);
      }
    }
    for (const g of ctx.globals) if (!seen.has(g.name)) out.push(g);
    return out;
  }

  declare(ctx, v) { ctx.scopes[ctx.scopes.length - 1].push(v); }

  /** A name for a new local: usually fresh, sometimes shadowing a visible local. */
  localName(ctx) {
    if (this.rng.chance(0.12)) {
      const shadowable = this.visibleVars(ctx).filter((v) => v.local && !v.noShadow);
      if (shadowable.length) return this.rng.pick(shadowable).name;
    }
    return this.fresh(ctx, 'v');
  }

  canAfford(ctx, units) { return ctx.used + ctx.mult * units <= ctx.budget; }
  charge(ctx, units) { ctx.used += ctx.mult * units; }

  /** Run `fill(bodyStmts)` as the body of a loop of at most `trips` iterations. */
  inLoop(ctx, trips, fill, wrap) {
    const saved = { mult: ctx.mult, loopDepth: ctx.loopDepth };
    ctx.mult *= Math.max(1, trips);
    ctx.loopDepth++;
    this.counts.loops++;
    ctx.scopes.push([]);
    const body = [];
    try { fill(body); } finally {
      ctx.scopes.pop();
      ctx.mult = saved.mult;
      ctx.loopDepth = saved.loopDepth;
    }
    return [wrap(B(body))];
  }

  block(ctx, n, kinds) {
    ctx.scopes.push([]);
    const stmts = [];
    for (let i = 0; i < n && ctx.used < ctx.budget; i++) stmts.push(...this.stmt(ctx, 2, kinds));
    ctx.scopes.pop();
    return B(stmts);
  }

  // ---------------------------------------------------------------- statements
  /** One statement (sometimes a few that belong together). */
  stmt(ctx, d, kinds = null) {
    const r = this.rng;
    this.charge(ctx, 1);
    const inLoop = ctx.loopDepth > 0;
    const vars = this.visibleVars(ctx);
    const has = (k) => !kinds || kinds.includes(k);
    const linkStart = this.structs.some((s) => s.fields.some((f) => f.link));
    const kind = r.weighted([
      [has('decl') ? 20 : 0, 'decl'],
      [has('assign') ? 18 : 0, 'assign'],
      [has('print') ? 16 : 0, 'print'],
      [has('if') ? 9 : 0, 'if'],
      [has('for') && this.canAfford(ctx, 10) ? 7 : 0, 'for'],
      [has('while') && this.canAfford(ctx, 10) ? 3 : 0, 'while'],
      [has('nest') && this.canAfford(ctx, 40) ? 2 : 0, 'nest'],
      [has('call') ? 6 : 0, 'call'],
      [has('block') ? 2 : 0, 'block'],
      [has('jump') && inLoop ? 3 : 0, 'jump'],
      [has('return') ? 2 : 0, 'return'],
      [has('walk') && linkStart && this.canAfford(ctx, 12) ? 3 : 0, 'walk'],
      [has('fill') && this.canAfford(ctx, 25) ? 3 : 0, 'fill'],
      [has('printArray') && this.canAfford(ctx, 25) ? 2 : 0, 'printArray'],
      [has('error') && this.errRate > 0 ? this.errRate * 100 : 0, 'error'],
    ]);
    switch (kind) {
      case 'decl': return this.declStmt(ctx, d);
      case 'assign': return this.assignStmt(ctx, d, vars);
      case 'print': return [this.printStmt(ctx, d)];
      case 'if': return [this.ifStmt(ctx, d)];
      case 'for': return this.forStmt(ctx, d);
      case 'while': return this.whileStmt(ctx, d);
      case 'nest': return this.nestStmt(ctx, d);
      case 'call': return this.callStmt(ctx, d);
      case 'block': return [S([this.block(ctx, r.range(1, 3))])];
      case 'jump': return [this.jumpStmt(ctx, d)];
      case 'return': return [this.returnStmt(ctx, d)];
      case 'walk': return this.walkStmt(ctx, d);
      case 'fill': return this.fillStmt(ctx, d);
      case 'printArray': return this.printArrayStmt(ctx, d);
      case 'error': return this.errorSite(ctx, d);
    }
    throw new Error(`unknown statement kind ${kind}`);
  }

  declStmt(ctx, d) {
    const r = this.rng;
    const ty = this.randomType();
    const init = this.storeValue(ctx, ty, d);
    const name = this.localName(ctx);
    const mut = r.chance(0.6);
    const annotate = r.chance(0.4);
    const v = { name, ty, mut, local: true, loopDepth: ctx.loopDepth, maxLen: init.maxLen ?? LMAX,
      nonEmpty: !!init.nonEmpty && !mut };
    this.declare(ctx, v);
    return [S([`${mut ? 'var' : 'let'} ${name}${annotate ? ': ' + tstr(ty) : ''} = `, init, ';'])];
  }

  /** A value to store somewhere: never null, strings at most LMAX long. */
  storeValue(ctx, ty, d) {
    const e = this.ex(ctx, ty, d);
    if (ty.k === 'str' && (e.maxLen ?? LMAX) > LMAX) {
      return E(STR, ['clip(', e, ')'], { prot: true, maxLen: LMAX, pure: false });
    }
    return e;
  }

  assignStmt(ctx, d, vars) {
    const r = this.rng;
    const target = this.lvalue(ctx, vars);
    if (!target) return this.declStmt(ctx, d);
    const { node, ty, v, link } = target;
    node.prot = true;
    if (link && r.chance(0.4)) return [S([node, ' = null;'])];
    if (ty.k === 'i32' && r.chance(0.45)) {
      const op = r.pick(['+=', '-=', '*=', '&=', '|=', '^=', '<<=', '>>=', '/=', '%=']);
      const val = op === '/=' || op === '%=' ? this.divisor(ctx, d, op === '%=') : this.ex(ctx, I32, d - 1);
      return [S([node, ` ${op} `, val, ';'])];
    }
    if (ty.k === 'f64' && r.chance(0.4)) {
      return [S([node, ` ${r.pick(['+=', '-=', '*=', '/=', '%='])} `, this.ex(ctx, F64, d - 1), ';'])];
    }
    if (ty.k === 'str' && v && v.local && v.loopDepth === ctx.loopDepth && r.chance(0.5)) {
      const add = this.ex(ctx, STR, d - 1);
      if ((v.maxLen ?? LMAX) + (add.maxLen ?? LMAX) <= LMAX) {
        v.maxLen = (v.maxLen ?? LMAX) + (add.maxLen ?? LMAX);
        v.nonEmpty = false;
        return [S([node, ' += ', add, ';'])];
      }
    }
    const val = this.storeValue(ctx, ty, d);
    if (v && v.local) { v.maxLen = Math.max(v.maxLen ?? 0, val.maxLen ?? LMAX); v.nonEmpty = false; }
    return [S([node, ' = ', val, ';'])];
  }

  /** Something assignable: a mutable variable, or a field or element of a path. */
  lvalue(ctx, vars) {
    const r = this.rng;
    const opts = [];
    for (const v of vars) {
      if (v.mut && !v.ro) opts.push(() => ({ node: E(v.ty, [v.name]), ty: v.ty, v }));
      if (v.ty.k === 'struct') {
        for (const f of this.struct(v.ty.name).fields) {
          opts.push(() => ({ node: E(f.ty, [this.varRead(v), '.' + f.name]), ty: f.ty, link: f.link }));
        }
      }
      if (v.ty.k === 'arr') opts.push(() => ({ node: this.elem(ctx, this.varRead(v), v, 1, {}), ty: v.ty.el }));
    }
    if (opts.length === 0) return null;
    return r.pick(opts)();
  }

  printStmt(ctx, d) {
    const r = this.rng;
    this.charge(ctx, 1);
    const ty = r.weighted([[4, I32], [3, F64], [2, BOOL], [3, STR]]);
    return S([r.chance(0.75) ? 'print(' : 'write(', this.ex(ctx, ty, d), ');']);
  }

  ifStmt(ctx, d) {
    const r = this.rng;
    const arms = r.weighted([[5, 1], [3, 2], [2, 3]]);
    const withElse = r.chance(0.5);
    const build = (k) => {
      const cond = this.ex(ctx, BOOL, d);
      const then = this.block(ctx, r.range(1, 3));
      if (k + 1 < arms) return S(['if ', cond, ' ', then, ' else ', build(k + 1)], { ifStmt: true });
      if (withElse) return S(['if ', cond, ' ', then, ' else ', this.block(ctx, r.range(1, 3))], { ifStmt: true });
      return S(['if ', cond, ' ', then], { ifStmt: true });
    };
    return build(0);
  }

  forStmt(ctx, d) {
    const r = this.rng;
    const v = this.fresh(ctx, 'i');
    const room = Math.floor((ctx.budget - ctx.used) / ctx.mult / 4);
    const form = r.weighted([[5, 'lit'], [2, 'range'], [3, 'len'], [2, 'mask'], [1, 'offset']]);
    let lo, hi, trips, nonNeg = true;
    if (form === 'lit') {
      trips = room >= 60 && r.chance(0.35) ? r.range(51, Math.min(120, room)) : r.range(0, Math.max(0, Math.min(12, room)));
      lo = '0'; hi = lit(I32, String(trips));
    } else if (form === 'range') {
      const a = r.range(-8, 8), b = a + r.range(-3, 10);
      trips = Math.max(0, b - a); nonNeg = a >= 0;
      lo = a < 0 ? `(${a})` : String(a); hi = E(I32, [b < 0 ? `(${b})` : String(b)], { frozen: true });
    } else if (form === 'len') {
      trips = MAXARR;
      const arr = this.ex(ctx, arrT(this.randomType(0)), 1);
      lo = '0'; hi = E(I32, [arr, '.len'], { prot: true });
    } else if (form === 'mask') {
      trips = 15;
      lo = '0'; hi = E(I32, ['(', this.ex(ctx, I32, d - 1), ' & 15)'], { prot: true });
    } else {
      trips = r.range(1, 10);
      const a = this.ex(ctx, I32, 1, { pure: true });
      nonNeg = false;
      a.frozen = true; // lo and hi must stay A and A + trips
      lo = a; hi = E(I32, ['(', cloneTree(a), ` + ${trips})`], { frozen: true });
    }
    if (trips * 4 > room && form !== 'lit') return [this.printStmt(ctx, d)];
    return this.inLoop(ctx, trips, (body) => {
      this.declare(ctx, { name: v, ty: I32, mut: false, ro: true, local: true, nonNeg });
      const n = r.range(1, 5);
      for (let j = 0; j < n && ctx.used < ctx.budget; j++) body.push(...this.stmt(ctx, d));
    }, (b) => S([`for ${v} in `, lo, '..', hi, ' ', b]));
  }

  whileStmt(ctx, d) {
    const r = this.rng;
    const k = this.fresh(ctx, 'k');
    const room = Math.floor((ctx.budget - ctx.used) / ctx.mult / 4);
    const trips = room >= 60 && r.chance(0.3) ? r.range(51, Math.min(100, room)) : r.range(1, Math.max(1, Math.min(12, room)));
    const form = r.weighted([[4, 'cond'], [2, 'plain'], [2, 'true']]);
    const decl = S([`var ${k} = 0;`], { frozen: true, deletable: true });
    this.declare(ctx, { name: k, ty: I32, mut: false, ro: true, noShadow: true, local: true, nonNeg: true });
    const out = this.inLoop(ctx, trips, (body) => {
      if (form === 'true') body.push(S([`${k} += 1;`], { frozen: true }), S([`if ${k} > ${trips} { break; }`], { frozen: true }));
      else body.push(S([`${k} += 1;`], { frozen: true }));
      const n = r.range(1, 5);
      for (let j = 0; j < n && ctx.used < ctx.budget; j++) body.push(...this.stmt(ctx, d));
    }, (b) => {
      if (form === 'true') return S(['while true ', b]);
      const guard = E(BOOL, [`(${k} < ${trips})`], { frozen: true });
      if (form === 'plain') return S(['while ', guard, ' ', b]);
      // the condition is evaluated every iteration: generate it in the loop's cost context
      const saved = ctx.mult;
      ctx.mult *= trips;
      ctx.loopDepth++;
      const c = this.ex(ctx, BOOL, d - 1);
      ctx.mult = saved;
      ctx.loopDepth--;
      return S(['while ', E(BOOL, ['(', guard, ' && ', c, ')'], { prot: true }), ' ', b]);
    });
    return [decl, ...out];
  }

  /** A counted loop (for, or while with a counter) whose body `fill` makes. */
  countedLoop(ctx, trips, fill) {
    const r = this.rng;
    if (r.chance(0.5)) {
      const v = this.fresh(ctx, 'i');
      const lo = r.range(-3, 3);
      return this.inLoop(ctx, trips, (body) => {
        this.declare(ctx, { name: v, ty: I32, mut: false, ro: true, local: true, nonNeg: lo >= 0 });
        fill(body);
      }, (b) => S([`for ${v} in ${lo < 0 ? `(${lo})` : lo}..${lo + trips} `, b]));
    }
    const k = this.fresh(ctx, 'k');
    const decl = S([`var ${k} = 0;`], { frozen: true, deletable: true });
    this.declare(ctx, { name: k, ty: I32, mut: false, ro: true, noShadow: true, local: true, nonNeg: true });
    const top = r.chance(0.5);
    return [decl, ...this.inLoop(ctx, trips, (body) => {
      body.push(S([`${k} += 1;`], { frozen: true }));
      if (top) body.push(S([`if ${k} > ${trips} { break; }`], { frozen: true }));
      fill(body);
    }, (b) => (top ? S(['while true ', b]) : S(['while ', E(BOOL, [`(${k} < ${trips})`], { frozen: true }), ' ', b])))];
  }

  /** Loops nested two or three deep, with break and continue at every level and
   *  branches around the inner loop: the shapes OSR entries into inner loops meet. */
  nestStmt(ctx, d) {
    const r = this.rng;
    const depth = r.chance(0.3) ? 3 : 2;
    const trips = [r.range(2, 5), r.range(3, 12), r.range(20, 70)].slice(-depth);
    let total = trips.reduce((a, b) => a * b, 1);
    while (!this.canAfford(ctx, total * 3) && trips[trips.length - 1] > 2) {
      trips[trips.length - 1] = Math.floor(trips[trips.length - 1] / 2);
      total = trips.reduce((a, b) => a * b, 1);
    }
    if (!this.canAfford(ctx, total * 3)) return [this.printStmt(ctx, d)];
    const jump = () => S(['if ', this.ex(ctx, BOOL, 1, { pure: true }), ` { ${r.pick(['break', 'continue'])}; }`]);
    const level = (i) => (body) => {
      if (r.chance(0.3)) body.push(...this.stmt(ctx, 1, ['decl', 'assign', 'print']));
      if (r.chance(0.3)) body.push(jump());
      if (i + 1 < trips.length) {
        const branch = r.chance(0.5);
        if (branch) ctx.scopes.push([]); // the inner loop (and its counter) go in a block
        const inner = this.countedLoop(ctx, trips[i + 1], level(i + 1));
        if (branch) ctx.scopes.pop();
        if (branch) {
          const other = r.chance(0.5) ? [S([`${r.pick(['continue', 'break'])};`])] : [this.printStmt(ctx, 1)];
          body.push(r.chance(0.5)
            ? S(['if ', this.ex(ctx, BOOL, 1), ' ', B(inner), ' else ', B(other)])
            : S(['if ', this.ex(ctx, BOOL, 1), ' ', B(other), ' else ', B(inner)]));
        } else body.push(...inner);
      } else {
        const n = r.range(1, 3);
        for (let j = 0; j < n; j++) body.push(...this.stmt(ctx, 1, ['decl', 'assign', 'print', 'if', 'call']));
      }
      if (r.chance(0.6)) body.push(jump());
      if (r.chance(0.3)) body.push(...this.stmt(ctx, 1, ['assign', 'print']));
    };
    return this.countedLoop(ctx, trips[0], level(0));
  }

  callStmt(ctx, d) {
    const r = this.rng;
    // any callable, result discarded; or a function value of a signature without result
    if (ctx.fnValues && r.chance(0.3)) {
      const sig = r.pick(this.sigs);
      const c = this.fnValueCall(ctx, sig, d);
      if (c) return [S([c, ';'])];
    }
    const call = this.callExpr(ctx, 'any', d);
    if (call) return [S([call, ';'])];
    return [this.printStmt(ctx, d)];
  }

  jumpStmt(ctx, d) {
    const r = this.rng;
    const kw = r.chance(0.5) ? 'break;' : 'continue;';
    if (r.chance(0.2)) return S([kw]);
    return S(['if ', this.ex(ctx, BOOL, d - 1), ` { ${kw} }`]);
  }

  returnStmt(ctx, d) {
    const ret = ctx.kind === 'main' ? null : ctx.ret;
    const val = ret ? [' ', this.storeValue(ctx, ret, d - 1)] : [];
    return S(['if ', this.ex(ctx, BOOL, d - 1), ' { return', ...val, '; }']);
  }

  walkStmt(ctx, d) {
    const r = this.rng;
    const withLink = this.structs.filter((s) => s.fields.some((f) => f.link));
    const st = r.pick(withLink);
    const field = r.pick(st.fields.filter((f) => f.link));
    if (field.ty.name !== st.name) {
      // a link to another struct: test it and use it once
      const base = this.ex(ctx, structT(st.name), d - 1);
      const q = this.fresh(ctx, 'q');
      const decl = S([`let ${q}: ${field.ty.name} = `, base, `.${field.name};`]);
      ctx.scopes.push([{ name: q, ty: field.ty, mut: false, local: true }]);
      const body = [];
      const n = r.range(1, 3);
      for (let j = 0; j < n; j++) body.push(...this.stmt(ctx, d - 1));
      ctx.scopes.pop();
      return [S([B([decl, S([`if ${q} != null `, B(body)])])])];
    }
    const c = this.fresh(ctx, 'c'), k = this.fresh(ctx, 'k'), n = this.fresh(ctx, 'n');
    const trips = r.range(2, 12);
    const start = this.ex(ctx, structT(st.name), d - 1);
    const out = [S([`var ${c} = `, start, ';']), S([`var ${k} = 0;`], { frozen: true, deletable: true })];
    this.declare(ctx, { name: c, ty: structT(st.name), hidden: true, noShadow: true, local: true });
    this.declare(ctx, { name: k, ty: I32, ro: true, noShadow: true, local: true, nonNeg: true });
    out.push(...this.inLoop(ctx, trips, (body) => {
      body.push(S([`${k} += 1;`], { frozen: true }), S([`let ${n} = ${c};`]), S([`${c} = ${c}.${field.name};`]));
      this.declare(ctx, { name: n, ty: structT(st.name), mut: false, local: true, noShadow: true });
      const m = r.range(1, 3);
      for (let j = 0; j < m && ctx.used < ctx.budget; j++) body.push(...this.stmt(ctx, d - 1));
      if (r.chance(0.3)) body.push(S([`${n}.${field.name} = `, r.chance(0.5) ? lit(field.ty, 'null') : this.ex(ctx, field.ty, 1), ';']));
    }, (b) => S([`while ${c} != null && ${k} < ${trips} `, b])));
    return out;
  }

  fillStmt(ctx, d) {
    const r = this.rng;
    const el = r.weighted([[3, STR], [3, () => structT(r.pick(this.structs).name)], [2, () => arrT(I32)], [2, () => r.pick(this.sigs)],
      [2, I32], [1, F64], [1, BOOL]]);
    const elTy = typeof el === 'function' ? el() : el;
    const a = this.fresh(ctx, 'a'), i = this.fresh(ctx, 'i');
    const len = this.arrayLength(ctx, d);
    const out = [S([`let ${a} = new [${tstr(elTy)}](`, len, ');'])];
    out.push(...this.inLoop(ctx, MAXARR, (body) => {
      this.declare(ctx, { name: i, ty: I32, ro: true, local: true, nonNeg: true });
      body.push(S([`${a}[${i}] = `, this.storeValue(ctx, elTy, d - 1), ';']));
    }, (b) => S([`for ${i} in 0..${a}.len `, b])));
    this.declare(ctx, { name: a, ty: arrT(elTy), mut: false, local: true });
    return out;
  }

  printArrayStmt(ctx, d) {
    const r = this.rng;
    const elTy = r.pick([I32, F64, BOOL, STR]);
    const arr = this.ex(ctx, arrT(elTy), d - 1);
    const a = this.fresh(ctx, 'a'), i = this.fresh(ctx, 'i');
    const out = [S([`let ${a} = `, arr, ';'])];
    out.push(...this.inLoop(ctx, MAXARR, (body) => {
      body.push(S([`write(${a}[${i}]);`]), S(['write(" ");']));
    }, (b) => S([`for ${i} in 0..${a}.len `, b])));
    out.push(S(['print("");']));
    this.declare(ctx, { name: a, ty: arrT(elTy), mut: false, local: true });
    return out;
  }

  // ---------------------------------------------------------------- error sites
  /** A statement that fails on purpose (some are conditional, some may not fail). */
  errorSite(ctx, d) {
    const r = this.rng;
    this.counts.errorSites++;
    const vars = this.visibleVars(ctx);
    const z = this.fresh(ctx, 'z');
    const st = r.pick(this.structs);
    // linear recursive workers (one self-call) that are cheap per frame
    const deep = ctx.callable.filter((f) => f.rec && f.rec.b === 1 && f.cost <= 30 * (f.rec.mask + 1) + 1);
    const kind = r.weighted([
      [3, 'div0'], [2, 'overflow'], [2, 'nullField'], [2, 'nullArray'], [3, 'oob'], [2, 'substr'], [2, 'panic'],
      [1, 'chr'], [1, 'fixed'], [2, 'parse'], [1, 'negLen'], [2, 'nullFn'], [2, 'nullStr'], [1, 'stack'],
      [this.structs.some((s) => s.fields.some((f) => f.link)) ? 2 : 0, 'chain'],
      [vars.some((v) => v.global && v.mut && isRef(v.ty)) ? 1 : 0, 'nullGlobal'],
      [1, 'emptyIndex'],
      [3, 'recheck'], [2, 'loopOob'], [1, 'minDiv'], [1, 'oom'],
      [deep.length ? 2 : 0, 'deepRec'],
    ]);
    let stmts;
    switch (kind) {
      case 'div0': {
        const op = r.pick(['/', '%']);
        stmts = r.chance(0.5)
          ? [S([`let ${z} = 0;`]), S(['print((', this.ex(ctx, I32, d - 1), ` ${op} ${z}));`])]
          : [S(['print((', this.ex(ctx, I32, d - 1), ` ${op} 0));`])];
        break;
      }
      case 'overflow':
        stmts = r.chance(0.5)
          ? [S([`let ${z} = -2147483648;`]), S([`print(${z} / (-1));`])]
          : [S([`var ${z} = (-2147483648);`]), S([`${z} /= `, r.pick(['(-1)', '(1 - 2)']), ';']), S([`print(${z});`])];
        break;
      case 'nullField': {
        const f = r.pick(st.fields);
        stmts = [S([`let ${z}: ${st.name} = null;`])];
        if (r.chance(0.5) && ['i32', 'f64', 'bool', 'str'].includes(f.ty.k)) stmts.push(S([`print(${z}.${f.name});`]));
        else stmts.push(S([`${z}.${f.name} = `, f.link ? 'null' : this.ex(ctx, f.ty, 1), ';']));
        break;
      }
      case 'nullArray': {
        stmts = [S([`let ${z}: [i32] = null;`]), S([r.pick([`print(${z}[0]);`, `print(${z}.len);`, `${z}[1] = 5;`])])];
        break;
      }
      case 'oob': {
        const ty = arrT(r.pick([I32, F64, STR]));
        const a = this.ex(ctx, ty, 1, { pure: true });
        const idx = r.pick([[cloneTree(a), '.len'], ['(-1)'], ['(', this.ex(ctx, I32, d - 1), ')']]);
        stmts = r.chance(0.6)
          ? [S(['print(', E(ty.el, [a, '[', ...idx, ']']), ');'])]
          : [S([E(ty.el, [a, '[', ...idx, ']']), ' = ', this.storeValue(ctx, ty.el, 1), ';'])];
        if (r.chance(0.3)) stmts = [S(['print(', this.ex(ctx, STR, 1), `[${r.pick(['(-1)', '100', '3'])}]);`])];
        break;
      }
      case 'substr': {
        const s = this.ex(ctx, STR, 1, { pure: true });
        const range = r.pick([['3', '1'], ['0', [cloneTree(s), '.len + 1']], ['(-1)', '0'],
          [['(', this.ex(ctx, I32, 1), ')'], ['(', this.ex(ctx, I32, 1), ')']]]);
        stmts = [S(['print(substr(', s, ', ', ...[].concat(range[0]), ', ', ...[].concat(range[1]), '));'])];
        break;
      }
      case 'panic':
        stmts = [S(['panic(', this.ex(ctx, STR, 1), ');'])];
        break;
      case 'chr':
        stmts = [S(['print(chr(', r.pick(['(-1)', '1114112', '2147483647', ['(', this.ex(ctx, I32, 1), ')']]), '));'].flat())];
        break;
      case 'fixed':
        stmts = [S(['print(fixed(', this.ex(ctx, F64, 1), ', ', r.pick(['21', '(-1)', ['(', this.ex(ctx, I32, 1), ')']]), '));'].flat())];
        break;
      case 'parse':
        stmts = [S([r.chance(0.5) ? `print(parse_i32(${r.pick(PARSE_I32_BAD)}));` : `print(parse_f64(${r.pick(PARSE_F64_BAD)}));`])];
        if (r.chance(0.3)) stmts = [S(['print(parse_f64(str(', this.ex(ctx, F64, 1), ')));'])];
        break;
      case 'negLen':
        stmts = [S([`let ${z} = new [${r.pick(['i32', 'f64', 'str'])}](`, '((-1) - (', this.ex(ctx, I32, 1), ' & 1023))', ');']), S([`print(${z}.len);`])];
        break;
      case 'nullFn': {
        const sig = r.pick(this.sigs);
        const args = sig.params.map((t) => this.ex(ctx, t, 1));
        const call = E(sig.ret ?? I32, [`${z}(`, ...join(args), ')']);
        stmts = [S([`let ${z}: ${tstr(sig)} = null;`]), sig.ret && ['i32', 'f64', 'bool', 'str'].includes(sig.ret.k) ? S(['print(', call, ');']) : S([call, ';'])];
        break;
      }
      case 'nullStr':
        stmts = [S([`let ${z}: str = null;`]), S([r.pick([`print(${z} + "a");`, `print(${z}.len);`, `print(${z});`, `write(${z});`,
          `print(parse_i32(${z}));`, `print(${z}[0]);`, `print(${z} == null);`, `print("x" + ${z});`, `print(substr(${z}, 0, 0));`])])];
        break;
      case 'stack':
        this.needBoom = true;
        stmts = [S(['print(boom(1));'])];
        break;
      case 'chain': {
        const ls = this.structs.filter((s) => s.fields.some((f) => f.link));
        const s0 = r.pick(ls);
        let cur = s0;
        const parts = [this.ex(ctx, structT(s0.name), 1)];
        for (let i = 0; i < r.range(1, 3); i++) {
          const lf = cur.fields.filter((f) => f.link);
          if (!lf.length) break;
          const f = r.pick(lf);
          parts.push('.' + f.name);
          cur = this.struct(f.ty.name);
        }
        const pf = cur.fields.filter((f) => ['i32', 'f64', 'bool', 'str'].includes(f.ty.k));
        if (pf.length) { parts.push('.' + r.pick(pf).name); stmts = [S(['print(', ...parts, ');'])]; } else stmts = [S(['print(', ...parts, ' == null);'])];
        break;
      }
      case 'nullGlobal': {
        const g = r.pick(vars.filter((v) => v.global && v.mut && isRef(v.ty)));
        stmts = [S([`${g.name} = null;`])];
        break;
      }
      case 'recheck': {
        // a check that passed must be made again after the array, index or reference changes
        const j = this.fresh(ctx, 'j');
        const ty = r.pick([I32, F64, STR]);
        const a0 = [this.literal(ty), this.literal(ty), this.literal(ty)];
        const k = r.range(0, 2);
        stmts = [S([`var ${z} = [`, ...join(a0), '];']), S([`var ${j} = ${k};`]), S([`print(${z}[${j}]);`])];
        const change = r.pick(['shorter', 'index', 'null']);
        if (change === 'shorter') stmts.push(S([`${z} = [`, this.literal(ty), '];']));
        else if (change === 'index') stmts.push(S([`${j} += ${3 - k};`]));
        else stmts.push(S([`${z} = null;`]));
        stmts.push(S([`print(${z}[${j}]);`]));
        if (r.chance(0.5)) {
          // the same with a struct reference
          const f = r.pick(st.fields);
          const p = this.fresh(ctx, 'q');
          stmts.unshift(S([`var ${p} = `, this.construct(ctx, structT(st.name), 1, {}), ';']), S([`${p}.${f.name} = ${p}.${f.name};`]), S([`${p} = null;`]), S([`${p}.${f.name} = ${p}.${f.name};`]));
        }
        break;
      }
      case 'loopOob': {
        const ty = arrT(r.pick([I32, F64, BOOL, STR]));
        const a = this.ex(ctx, ty, 1, { pure: true });
        const i = this.fresh(ctx, 'i');
        stmts = [S([`let ${z} = `, a, ';']), S([`for ${i} in 0..(${z}.len + ${r.range(1, 3)}) { write(${z}[${i}]); }`])];
        if (r.chance(0.5)) stmts = [S([`let ${z} = `, a, ';']), S([`var ${i} = 0;`]), S([`while ${i} <= ${z}.len { write(${z}[${i}]); ${i} += 1; }`])];
        break;
      }
      case 'minDiv':
        // a run-time INT_MIN divided by -1 (or % -1, which is 0), through a variable and a constant
        stmts = [S([`var ${z} = `, this.ex(ctx, I32, 1), ';']), S([`${z} = (${z} & 0) | 0x80000000;`]),
          S([`print(${z} ${r.pick(['%', '/', '%'])} (-1));`]), S([`let m${z} = -1;`]), S([`print(${z} / m${z});`])];
        break;
      case 'oom': {
        // fills the heap (every mode runs with the same small heap limit): text
        // only, so shrinking cannot make it smaller or larger
        const i = this.fresh(ctx, 'i');
        stmts = [S([`let ${z} = new [[f64]](4000);`]), S([`for ${i} in 0..${z}.len { ${z}[${i}] = new [f64](20000 + ${i}); }`])];
        break;
      }
      case 'deepRec': {
        // a recursion deeper than the frame stack, through a generated worker
        const f = r.pick(deep);
        const args = [lit(I32, '1000000', { frozen: true }), ...f.params.slice(1).map((t) => this.storeValue(ctx, t, 1))];
        const call = E(f.ret ?? I32, [`${f.name}(`, ...join(args), ')']);
        stmts = [f.ret && ['i32', 'f64', 'bool', 'str'].includes(f.ret.k) ? S(['print(', call, ');']) : S([call, ';'])];
        break;
      }
      case 'emptyIndex':
        stmts = [S([`let ${z} = new [${r.pick(['i32', 'f64', 'bool'])}](0);`]), S([`print(${z}[0]);`])];
        break;
    }
    // Fire late inside loops sometimes, so the fault comes from compiled or OSR code.
    const lv = vars.filter((v) => v.ro && v.nonNeg && /^[ih]/.test(v.name));
    if (lv.length && r.chance(0.6)) {
      return [S(['if ', `${r.pick(lv).name} == ${r.pick([1, 3, 7, 20, 55, 60])} `, B(stmts)])];
    }
    return [S([B(stmts)])];
  }

  // ---------------------------------------------------------------- expressions
  /** An expression of type `ty`, at most `d` levels deep. o.pure: no user calls. */
  ex(ctx, ty, d, o = {}) {
    if (d <= 0) return this.leafExpr(ctx, ty, o);
    switch (ty.k) {
      case 'i32': return this.exI32(ctx, d, o);
      case 'f64': return this.exF64(ctx, d, o);
      case 'bool': return this.exBool(ctx, d, o);
      case 'str': return this.exStr(ctx, d, o);
      case 'arr': return this.exArr(ctx, ty, d, o);
      case 'struct': return this.exStruct(ctx, ty, d, o);
      case 'fn': return this.exFn(ctx, ty, d, o);
    }
    throw new Error(`ex: bad type ${tstr(ty)}`);
  }

  literal(ty) {
    const r = this.rng;
    switch (ty.k) {
      case 'i32': {
        if (r.chance(0.3)) { const n = r.range(-300, 300); return lit(I32, n < 0 ? `(${n})` : String(n)); }
        return lit(I32, r.pick(I32_LITS));
      }
      case 'f64': {
        if (r.chance(0.3)) { const x = (r.range(-4000, 4000) / 16).toString(); return lit(F64, /[.e]/.test(x) ? (x[0] === '-' ? `(${x})` : x) : (x[0] === '-' ? `(${x}.0)` : `${x}.0`)); }
        return lit(F64, r.pick(F64_LITS));
      }
      case 'bool': return lit(BOOL, r.chance(0.5) ? 'true' : 'false');
      case 'str': { const [t, n] = r.pick(STR_LITS); return lit(STR, t, { maxLen: n, nonEmpty: n > 0 }); }
    }
    return null;
  }

  leafExpr(ctx, ty, o) {
    const r = this.rng;
    if (!isRef(ty) || ty.k === 'str') {
      if (r.chance(0.5)) { const p = this.path(ctx, ty, 1); if (p) return p; }
      return this.literal(ty);
    }
    const p = this.path(ctx, ty, r.chance(0.5) ? 1 : 0);
    if (p) return p;
    return this.construct(ctx, ty, 0, o);
  }

  varRead(v) {
    return E(v.ty, [v.name], { pure: true, localVar: v.local ? v.name : null, maxLen: v.maxLen ?? LMAX, nonEmpty: !!v.nonEmpty && v.local });
  }

  /** A read of a variable, or of a field/element path from one (pure). */
  path(ctx, ty, steps) {
    const r = this.rng;
    const cands = [];
    for (const v of this.visibleVars(ctx)) {
      if (teq(v.ty, ty)) cands.push([v]);
      if (steps < 1) continue;
      for (const [s1, t1] of this.stepsFrom(v.ty)) {
        if (teq(t1, ty)) cands.push([v, s1]);
        if (steps < 2) continue;
        for (const [s2, t2] of this.stepsFrom(t1)) if (teq(t2, ty)) cands.push([v, s1, s2]);
      }
    }
    if (cands.length === 0) return null;
    const [v, ...rest] = r.pick(cands);
    let node = this.varRead(v);
    let base = v;
    for (const s of rest) {
      if (s === '[]') node = this.elem(ctx, node, base, 1, { pure: true });
      else node = E(s.ty, [node, '.' + s.name], { pure: true, maxLen: LMAX });
      base = null;
    }
    return node;
  }

  stepsFrom(ty) {
    const out = [];
    if (ty.k === 'struct') for (const f of this.struct(ty.name).fields) if (!f.link) out.push([f, f.ty]);
    if (ty.k === 'arr') out.push(['[]', ty.el]);
    return out;
  }

  /** arr[idx] with idx always in bounds (arrays are never empty). */
  elem(ctx, arrNode, v, d, o) {
    const r = this.rng;
    const ty = arrNode.ty.el;
    const localBase = arrNode.localVar;
    const form = r.weighted([[6, 'mask'], [1, 'zero'], [1, 'last'], [localBase ? 2 : 0, 'loopvar']]);
    let idx;
    if (form === 'zero') idx = ['0'];
    else if (form === 'last') idx = ['(', cloneTree(arrNode), '.len - 1)'];
    else {
      const lv = this.visibleVars(ctx).filter((x) => x.nonNeg);
      let i;
      if (form === 'loopvar' && lv.length) i = this.varRead(r.pick(lv));
      else i = this.ex(ctx, I32, d, { pure: o.pure || !localBase });
      idx = form === 'loopvar' && lv.length ? [i, ' % ', cloneTree(arrNode), '.len']
        : ['((', i, ` & ${MASK}) % `, cloneTree(arrNode), '.len)'];
    }
    return E(ty, [arrNode, '[', ...idx, ']'], { pure: arrNode.pure && idx.every((p) => typeof p === 'string' || p.pure), maxLen: LMAX });
  }

  /** A divisor that is never 0 or -1. */
  divisor(ctx, d, allowMinusOne) {
    const r = this.rng;
    const k = r.weighted([[3, 'lit'], [3, 'mask'], [1, 'plus']]);
    if (k === 'lit') return lit(I32, r.pick(['2', '3', '7', '10', '16', '100', '(-2)', '(-3)', '(-7)', '1000', '1', ...(allowMinusOne || (this.errRate > 0 && r.chance(0.1)) ? ['(-1)'] : [])]));
    if (k === 'mask') return E(I32, ['((', this.ex(ctx, I32, d - 1), ' & 255) | 1)'], { pure: false });
    return E(I32, ['((', this.ex(ctx, I32, d - 1), ' & 1023) + 1)']);
  }

  arrayLength(ctx, d) {
    const r = this.rng;
    if (r.chance(0.5)) return lit(I32, String(r.range(1, MAXARR)));
    return E(I32, ['(1 + (', this.ex(ctx, I32, d - 1), ' & 15))'], { prot: true });
  }

  exI32(ctx, d, o) {
    const r = this.rng;
    const k = r.weighted([[3, 'lit'], [5, 'path'], [6, 'arith'], [2, 'div'], [1.5, 'unary'], [1.5, 'cast'], [1.5, 'len'],
      [1, 'char'], [o.pure ? 0 : 2.5, 'call'], [0.7, 'parse'], [o.pure || !ctx.fnValues ? 0 : 1.5, 'fnval']]);
    const sub = (dd = d - 1) => this.ex(ctx, I32, dd, o);
    switch (k) {
      case 'path': { const p = this.path(ctx, I32, 2); if (p) return p; break; }
      case 'arith': {
        const a = sub(), b = sub();
        const op = r.pick(['+', '-', '*', '&', '|', '^', '<<', '>>', '>>>', '+', '-', '*']);
        return paren(I32, [a, ` ${op} `, b], { pure: allPure(a, b) });
      }
      case 'div': {
        const a = sub();
        const op = r.pick(['/', '%']);
        const b = this.divisor(ctx, d, op === '%');
        if (o.pure && !b.pure && !b.lit) return paren(I32, [a, ` ${op} 7`], { pure: a.pure });
        return paren(I32, [a, ` ${op} `, b], { pure: allPure(a, b) });
      }
      case 'unary': { const a = sub(); return paren(I32, [r.pick(['-', '~']), a], { pure: a.pure }); }
      case 'cast': { const a = this.ex(ctx, F64, d - 1, o); return paren(I32, [a, ' as i32'], { pure: a.pure }); }
      case 'len': {
        if (r.chance(0.5)) { const s = this.ex(ctx, STR, d - 1, o); return E(I32, [s, '.len'], { pure: s.pure }); }
        const a = this.ex(ctx, arrT(this.randomType(0)), d - 1, o);
        return E(I32, [a, '.len'], { pure: a.pure });
      }
      case 'char': {
        const s = this.ex(ctx, STR, d - 1, { pure: true });
        if (!s.nonEmpty) break;
        const localBase = s.localVar;
        const i = this.ex(ctx, I32, d - 1, { pure: o.pure || !localBase });
        return E(I32, [s, '[((', i, ` & ${MASK}) % `, cloneTree(s), '.len)]'], { pure: i.pure });
      }
      case 'call': { const c = this.callExpr(ctx, I32, d); if (c) return c; break; }
      case 'parse': {
        if (r.chance(0.5)) return E(I32, ['parse_i32(', r.pick(PARSE_I32_OK), ')'], { pure: true });
        const a = sub();
        return E(I32, ['parse_i32(str(', a, '))'], { pure: a.pure });
      }
      case 'fnval': {
        const sigs = this.sigs.filter((s) => s.ret && s.ret.k === 'i32');
        if (sigs.length) { const c = this.fnValueCall(ctx, r.pick(sigs), d); if (c) return c; }
        break;
      }
    }
    return this.literal(I32);
  }

  exF64(ctx, d, o) {
    const r = this.rng;
    const k = r.weighted([[3, 'lit'], [4, 'path'], [6, 'arith'], [1, 'unary'], [2, 'cast'], [2, 'math1'], [1, 'math2'],
      [0.7, 'parse'], [o.pure ? 0 : 2, 'call'], [o.pure || !ctx.fnValues ? 0 : 1, 'fnval']]);
    const sub = () => this.ex(ctx, F64, d - 1, o);
    switch (k) {
      case 'path': { const p = this.path(ctx, F64, 2); if (p) return p; break; }
      case 'arith': { const a = sub(), b = sub(); return paren(F64, [a, ` ${r.pick(['+', '-', '*', '/', '%', '+', '*'])} `, b], { pure: allPure(a, b) }); }
      case 'unary': { const a = sub(); return paren(F64, ['-', a], { pure: a.pure }); }
      case 'cast': { const a = this.ex(ctx, I32, d - 1, o); return paren(F64, [a, ' as f64'], { pure: a.pure }); }
      case 'math1': { const a = sub(); return E(F64, [r.pick(MATH1), '(', a, ')'], { pure: a.pure }); }
      case 'math2': { const a = sub(), b = sub(); return E(F64, [r.pick(MATH2), '(', a, ', ', b, ')'], { pure: allPure(a, b) }); }
      case 'parse': {
        const c = r.pick([0, 1, 2]);
        if (c === 0) return E(F64, ['parse_f64(', r.pick(PARSE_F64_OK), ')'], { pure: true });
        const a = this.ex(ctx, I32, d - 1, o);
        if (c === 1) return E(F64, ['parse_f64(str(', a, '))'], { pure: a.pure });
        return E(F64, ['parse_f64(fixed((', a, ' as f64) / 8.0, ', String(r.range(0, 20)), '))'], { pure: a.pure });
      }
      case 'call': { const c = this.callExpr(ctx, F64, d); if (c) return c; break; }
      case 'fnval': {
        const sigs = this.sigs.filter((s) => s.ret && s.ret.k === 'f64');
        if (sigs.length) { const c = this.fnValueCall(ctx, r.pick(sigs), d); if (c) return c; }
        break;
      }
    }
    return this.literal(F64);
  }

  exBool(ctx, d, o) {
    const r = this.rng;
    const k = r.weighted([[2, 'lit'], [3, 'path'], [5, 'cmpi'], [3, 'cmpf'], [1.5, 'eqs'], [1, 'eqb'], [1.5, 'eqref'],
      [1, 'eqfn'], [3, 'logic'], [1.5, 'not'], [o.pure ? 0 : 1.5, 'call'], [o.pure || !ctx.fnValues ? 0 : 1, 'fnval']]);
    switch (k) {
      case 'path': { const p = this.path(ctx, BOOL, 2); if (p) return p; break; }
      case 'cmpi': case 'cmpf': {
        const t = k === 'cmpi' ? I32 : F64;
        const a = this.ex(ctx, t, d - 1, o), b = this.ex(ctx, t, d - 1, o);
        return paren(BOOL, [a, ` ${r.pick(['<', '<=', '>', '>=', '==', '!='])} `, b], { pure: allPure(a, b) });
      }
      case 'eqs': case 'eqb': {
        const t = k === 'eqs' ? STR : BOOL;
        const a = this.ex(ctx, t, d - 1, o), b = this.ex(ctx, t, d - 1, o);
        return paren(BOOL, [a, ` ${r.pick(['==', '!='])} `, b], { pure: allPure(a, b) });
      }
      case 'eqref': {
        const t = this.randomType(0);
        if (!isRef(t)) break;
        const a = this.ex(ctx, t, d - 1, o);
        if (r.chance(0.3)) return paren(BOOL, [a, ` ${r.pick(['==', '!='])} null`], { pure: a.pure });
        const b = this.ex(ctx, t, d - 1, o);
        return paren(BOOL, [a, ` ${r.pick(['==', '!='])} `, b], { pure: allPure(a, b) });
      }
      case 'eqfn': {
        const sig = r.pick(this.sigs);
        const a = this.ex(ctx, sig, d - 1, o), b = this.ex(ctx, sig, d - 1, o);
        return paren(BOOL, [a, ` ${r.pick(['==', '!='])} `, b], { pure: allPure(a, b) });
      }
      case 'logic': {
        const a = this.ex(ctx, BOOL, d - 1, o), b = this.ex(ctx, BOOL, d - 1, o);
        return paren(BOOL, [a, ` ${r.pick(['&&', '||'])} `, b], { pure: allPure(a, b) });
      }
      case 'not': { const a = this.ex(ctx, BOOL, d - 1, o); return paren(BOOL, ['!', a], { pure: a.pure }); }
      case 'call': { const c = this.callExpr(ctx, BOOL, d); if (c) return c; break; }
      case 'fnval': {
        const sigs = this.sigs.filter((s) => s.ret && s.ret.k === 'bool');
        if (sigs.length) { const c = this.fnValueCall(ctx, r.pick(sigs), d); if (c) return c; }
        break;
      }
    }
    return this.literal(BOOL);
  }

  exStr(ctx, d, o) {
    const r = this.rng;
    const k = r.weighted([[3, 'lit'], [3, 'path'], [4, 'concat'], [2, 'substr'], [3, 'strOf'], [1, 'chr'], [1, 'fixed'],
      [o.pure ? 0 : 1.5, 'call'], [o.pure || !ctx.fnValues ? 0 : 1, 'fnval']]);
    switch (k) {
      case 'path': { const p = this.path(ctx, STR, 2); if (p) return p; break; }
      case 'concat': {
        const a = this.ex(ctx, STR, d - 1, o), b = this.ex(ctx, STR, d - 1, o);
        return paren(STR, [a, ' + ', b], { pure: allPure(a, b), maxLen: (a.maxLen ?? LMAX) + (b.maxLen ?? LMAX), nonEmpty: a.nonEmpty || b.nonEmpty });
      }
      case 'substr': {
        const s = this.ex(ctx, STR, d - 1, { pure: true });
        const i = this.ex(ctx, I32, d - 1, { pure: true });
        const cut = ['((', i, ` & ${MASK}) % (`, cloneTree(s), '.len + 1))'];
        const parts = r.chance(0.5) ? ['substr(', s, ', 0, ', ...cut, ')'] : ['substr(', s, ', ', ...cut, ', ', cloneTree(s), '.len)'];
        return E(STR, parts, { pure: true, maxLen: s.maxLen ?? LMAX });
      }
      case 'strOf': {
        const t = r.pick([I32, F64, BOOL]);
        const a = this.ex(ctx, t, d - 1, o);
        return E(STR, ['str(', a, ')'], { pure: a.pure, maxLen: 24, nonEmpty: true });
      }
      case 'chr': {
        const a = this.ex(ctx, I32, d - 1, o);
        const parts = r.chance(0.7) ? ['chr((', a, ' & 65535))'] : ['chr(((', a, ' & 1048575) + 65536))'];
        return E(STR, parts, { pure: a.pure, maxLen: 2, nonEmpty: true });
      }
      case 'fixed': {
        const a = this.ex(ctx, F64, d - 1, o);
        const digits = r.chance(0.5) ? lit(I32, String(r.range(0, 20))) : E(I32, ['(', this.ex(ctx, I32, d - 1, o), ' & 15)'], { prot: true });
        return E(STR, ['fixed(', a, ', ', digits, ')'], { pure: a.pure && digits.pure !== false, maxLen: 45, nonEmpty: true });
      }
      case 'call': { const c = this.callExpr(ctx, STR, d); if (c) return c; break; }
      case 'fnval': {
        const sigs = this.sigs.filter((s) => s.ret && s.ret.k === 'str');
        if (sigs.length) { const c = this.fnValueCall(ctx, r.pick(sigs), d); if (c) return c; }
        break;
      }
    }
    return this.literal(STR);
  }

  exArr(ctx, ty, d, o) {
    const r = this.rng;
    const el = ty.el;
    const k = r.weighted([[5, 'path'], [['i32', 'f64', 'bool'].includes(el.k) ? 2 : 0, 'new'], [3, 'lit'], [o.pure ? 0 : 1, 'call']]);
    if (k === 'path') { const p = this.path(ctx, ty, 2); if (p) return p; }
    if (k === 'call') { const c = this.callExpr(ctx, ty, d); if (c) return c; }
    if (k === 'new') {
      const n = this.arrayLength(ctx, d);
      return E(ty, [`new [${tstr(el)}](`, n, ')'], { pure: n.pure !== false && !!n.lit });
    }
    return this.construct(ctx, ty, d, o);
  }

  exStruct(ctx, ty, d, o) {
    const r = this.rng;
    const k = r.weighted([[5, 'path'], [3, 'new'], [o.pure ? 0 : 1.5, 'call']]);
    if (k === 'path') { const p = this.path(ctx, ty, 2); if (p) return p; }
    if (k === 'call') { const c = this.callExpr(ctx, ty, d); if (c) return c; }
    return this.construct(ctx, ty, d, o);
  }

  exFn(ctx, ty, d, o) {
    const r = this.rng;
    const k = r.weighted([[4, 'path'], [4, 'name'], [o.pure ? 0 : 0.5, 'call']]);
    if (k === 'path') { const p = this.path(ctx, ty, 2); if (p) return p; }
    if (k === 'call') { const c = this.callExpr(ctx, ty, d); if (c) return c; }
    return this.construct(ctx, ty, d, o);
  }

  /** A fresh non-null value of a reference type (array literal, new struct, leaf name). */
  construct(ctx, ty, d, o) {
    const r = this.rng;
    if (ty.k === 'fn') {
      const ls = this.leafs.filter((l) => teq(l.ty, ty));
      return E(ty, [r.pick(ls).name], { pure: true });
    }
    if (ty.k === 'arr') {
      const n = d <= 0 ? 1 : r.range(1, 4);
      const els = [];
      for (let i = 0; i < n; i++) els.push(d <= 0 ? this.minimal(ctx, ty.el) : this.storeValue(ctx, ty.el, d - 1));
      return E(ty, ['[', ...join(els), ']'], { pure: false });
    }
    if (ty.k === 'struct') {
      const st = this.struct(ty.name);
      const inits = r.shuffle(st.fields).map((f) => {
        let v;
        if (f.link) v = r.chance(0.6) || d <= 0 ? lit(f.ty, 'null') : (this.path(ctx, f.ty, 1) ?? lit(f.ty, 'null'));
        else v = d <= 0 ? this.minimal(ctx, f.ty) : this.storeValue(ctx, f.ty, d - 1);
        return [`${f.name}: `, v];
      });
      const parts = [`new ${st.name} { `];
      inits.forEach((p, i) => { if (i) parts.push(', '); parts.push(...p); });
      parts.push(' }');
      return E(ty, parts, { pure: false });
    }
    return this.literal(ty);
  }

  /** The smallest non-null value of a type (terminates: struct fields that are
   *  not links only name earlier structs). */
  minimal(ctx, ty) {
    if (!isRef(ty) || ty.k === 'str') return this.rng.chance(0.5) ? (this.path(ctx, ty, 0) ?? this.literal(ty)) : this.literal(ty);
    return this.path(ctx, ty, 0) ?? this.construct(ctx, ty, 0, {});
  }

  // ---------------------------------------------------------------- calls
  /** A direct call of a generated function returning `ty` ('any': any function). */
  callExpr(ctx, ty, d, o = {}) {
    const r = this.rng;
    const rec = ctx.rec;
    if (rec && ctx.loopDepth === 0 && rec.selfSites < rec.b && (ty === 'any' || (rec.ret && teq(rec.ret, ty))) && (o.forceSelf || r.chance(0.3))) {
      rec.selfSites++;
      const args = [E(I32, ['(d - 1)'], { frozen: true }), ...rec.params.slice(1).map((t) => this.storeValue(ctx, t, d - 1))];
      this.counts.calls++;
      return E(rec.ret ?? I32, [`${rec.name}(`, ...join(args), ')'], { pure: false, maxLen: LMAX });
    }
    if (o.forceSelf) return null;
    const cands = ctx.callable.filter((f) => (ty === 'any' || (f.ret && teq(f.ret, ty))) && this.canAfford(ctx, f.cost + 1));
    if (cands.length === 0) return null;
    return this.callTo(ctx, r.pick(cands), d);
  }

  callTo(ctx, f, d) {
    this.charge(ctx, f.cost + 1);
    this.counts.calls++;
    const args = f.params.map((t, i) => {
      if (i === 0 && f.rec) {
        return E(I32, ['(', this.ex(ctx, I32, d - 1), ` & ${f.rec.mask})`], { prot: true });
      }
      return this.storeValue(ctx, t, d - 1);
    });
    return E(f.ret ?? I32, [`${f.name}(`, ...join(args), ')'], { pure: false, maxLen: LMAX });
  }

  /** A call through a function value (variable, field, element or leaf name). */
  fnValueCall(ctx, sig, d) {
    if (!ctx.fnValues || !this.canAfford(ctx, this.maxLeafCost + 1)) return null;
    this.charge(ctx, this.maxLeafCost + 1);
    this.counts.fnValueCalls++;
    const callee = this.path(ctx, sig, 2) ?? this.construct(ctx, sig, 0, {});
    const args = sig.params.map((t) => this.storeValue(ctx, t, d - 1));
    const wrapped = callee.parts.length === 1 ? callee : paren(sig, [callee]);
    return E(sig.ret ?? I32, [wrapped, '(', ...join(args), ')'], { pure: false, maxLen: LMAX });
  }
}

function join(nodes) {
  const out = [];
  nodes.forEach((n, i) => { if (i) out.push(', '); out.push(n); });
  return out;
}

// Owns shrinking a failing program: delta debugging over the program tree
// (declarations, statements of every block, if/loop flattening, expressions
// replaced by a literal or by a sub-expression of the same type). A candidate is
// kept only if `interesting(source)` still holds, which the caller defines as
// "type-checks and still shows a disagreement of the same kind". Nodes marked
// prot/frozen by the generator are the ones that keep programs terminating
// (loop counters, recursion depths, masked bounds); they are never edited away.
import { printProgram, countNodes, B } from './ast.mjs';

const LITERALS = { i32: ['0', '1'], f64: ['0.0'], bool: ['false', 'true'], str: ['"a"', '""'] };

export function shrink(prog, interesting, { maxTests = 3000, maxMs = 180_000, onProgress = null } = {}) {
  const t0 = Date.now();
  const cache = new Map();
  let tests = 0, kept = 0;
  const out = () => tests >= maxTests || Date.now() - t0 > maxMs;
  const test = () => {
    const src = printProgram(prog);
    if (cache.has(src)) return cache.get(src);
    tests++;
    const ok = interesting(src);
    cache.set(src, ok);
    if (ok) { kept++; onProgress?.(src); }
    return ok;
  };

  /** ddmin over list `owner[key]`, never removing protected items. */
  const ddminList = (owner, key) => {
    let n = 2;
    for (;;) {
      if (out()) return;
      const list = owner[key];
      // (a deletable frozen statement, a counter's declaration, may go: if its
      // loop is still there, the program no longer compiles and is rejected)
      const idx = list.map((x, i) => i).filter((i) => !list[i].prot && (!list[i].frozen || list[i].deletable));
      if (idx.length === 0) return;
      n = Math.min(n, idx.length);
      const size = Math.ceil(idx.length / n);
      let reduced = false;
      for (let c = 0; c < n && !out(); c++) {
        const drop = new Set(idx.slice(c * size, (c + 1) * size));
        if (drop.size === 0) continue;
        owner[key] = list.filter((_, i) => !drop.has(i));
        if (test()) { reduced = true; break; }
        owner[key] = list;
      }
      if (reduced) { n = Math.max(2, n - 1); continue; }
      if (n >= idx.length) return;
      n = Math.min(idx.length, n * 2);
    }
  };

  const blocks = () => {
    const res = [];
    const walk = (node) => {
      if (typeof node === 'string' || node.frozen) return;
      if (node.k === 'b') res.push(node);
      for (const c of node.parts ?? node.stmts ?? []) walk(c);
    };
    prog.decls.forEach(walk);
    return res;
  };

  // Declarations main does not reach (by name, transitively), all at once: ddmin
  // cannot drop structs that only refer to each other one at a time.
  const unreachable = () => {
    const text = (d) => printProgram({ decls: [d] });
    const name = (d) => d.struct ?? d.fn ?? d.global ?? null;
    const byName = new Map(prog.decls.filter(name).map((d) => [name(d), d]));
    const main = byName.get('main');
    if (!main) return;
    const seen = new Set([main]);
    const work = [main];
    while (work.length) {
      for (const w of text(work.pop()).match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
        const d = byName.get(w);
        if (d && !seen.has(d)) { seen.add(d); work.push(d); }
      }
    }
    const list = prog.decls;
    if (list.every((d) => seen.has(d) || d.prot)) return;
    prog.decls = list.filter((d) => seen.has(d) || d.prot);
    if (!test()) prog.decls = list;
  };

  // Replace a statement that holds blocks (if, loops, nested blocks) by one of
  // them, or by the statements of one spliced into the enclosing block.
  const flatten = () => {
    let progress = false;
    for (const b of blocks()) {
      for (let i = 0; i < b.stmts.length && !out(); i++) {
        const st = b.stmts[i];
        if (st.prot || st.frozen) continue;
        const inner = [];
        const collect = (p) => {
          if (typeof p === 'string') return;
          if (p.k === 'b') inner.push(p);
          else if (p.k === 's') p.parts.forEach(collect); // else-if chains
        };
        st.parts.forEach(collect);
        const bare = inner.length === 1 && st.parts.length === 1;
        for (const blk of inner) {
          const before = b.stmts;
          b.stmts = [...before.slice(0, i), ...blk.stmts, ...before.slice(i + 1)];
          if (test()) { progress = true; break; }
          b.stmts = before;
          if (bare) continue;
          b.stmts[i] = { k: 's', parts: [B(blk.stmts)] };
          if (test()) { progress = true; break; }
          b.stmts[i] = st;
        }
      }
    }
    return progress;
  };

  const exprs = () => {
    const res = [];
    const walk = (node) => {
      if (typeof node === 'string' || node.frozen) return;
      if (node.k === 'e' && !node.prot) res.push(node);
      for (const c of node.parts ?? node.stmts ?? []) walk(c);
    };
    prog.decls.forEach(walk);
    return res;
  };

  const simplify = () => {
    let progress = false;
    for (const e of exprs()) {
      if (out()) break;
      const saved = { ...e };
      const tryWith = (fields) => {
        for (const k of Object.keys(e)) delete e[k];
        Object.assign(e, fields);
        if (test()) return true;
        for (const k of Object.keys(e)) delete e[k];
        Object.assign(e, saved);
        return false;
      };
      const lits = LITERALS[e.ty?.k] ?? [];
      if (e.parts.length === 1 && typeof e.parts[0] === 'string' && lits.includes(e.parts[0])) continue;
      let done = false;
      for (const l of lits) if (!done && tryWith({ k: 'e', ty: e.ty, parts: [l], lit: true })) { done = true; progress = true; }
      if (done) continue;
      const kids = saved.parts.filter((p) => typeof p !== 'string' && p.k === 'e' && p.ty && e.ty && sameType(p.ty, e.ty));
      for (const kid of kids) if (tryWith({ ...kid })) { progress = true; break; }
    }
    return progress;
  };

  for (let round = 0; round < 20 && !out(); round++) {
    const before = kept;
    unreachable();
    ddminList(prog, 'decls');
    for (const b of blocks()) { if (out()) break; ddminList(b, 'stmts'); }
    flatten();
    simplify();
    if (kept === before) break;
  }
  return { prog, source: printProgram(prog), tests, kept, ms: Date.now() - t0, nodes: countNodes({ k: 'd', parts: prog.decls }) };
}

function sameType(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

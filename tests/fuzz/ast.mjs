// Owns the program tree the generator builds and the shrinker edits, and the
// printer that turns it into Tier source.
//
// The tree is deliberately generic: a node is a list of parts (text or child
// nodes), so the shrinker can delete statements and declarations and replace
// expressions without knowing the grammar.
//   { k: 'd', parts }        top-level declaration
//   { k: 's', parts }        statement (one line; its blocks span several)
//   { k: 'b', stmts }        block `{ ... }`
//   { k: 'e', ty, parts }    expression of Tier type `ty` (see types below)
// Flags a node may carry: prot (the shrinker must not delete or replace this
// node, but may edit inside it), frozen (nothing inside may be edited either:
// loop counters, recursion depths, bounds that keep a program terminating).

export const I32 = { k: 'i32' };
export const F64 = { k: 'f64' };
export const BOOL = { k: 'bool' };
export const STR = { k: 'str' };
export const arrT = (el) => ({ k: 'arr', el });
export const structT = (name) => ({ k: 'struct', name });
export const fnT = (params, ret) => ({ k: 'fn', params, ret });

export function tstr(t) {
  switch (t.k) {
    case 'i32': case 'f64': case 'bool': case 'str': return t.k;
    case 'arr': return `[${tstr(t.el)}]`;
    case 'struct': return t.name;
    case 'fn': return `fn(${t.params.map(tstr).join(', ')})${t.ret ? ' -> ' + tstr(t.ret) : ''}`;
    default: throw new Error(`bad type ${JSON.stringify(t)}`);
  }
}

export const teq = (a, b) => a === b || (a && b && tstr(a) === tstr(b));
export const isRef = (t) => t.k === 'str' || t.k === 'arr' || t.k === 'struct' || t.k === 'fn';

export const E = (ty, parts, extra = {}) => ({ k: 'e', ty, parts, ...extra });
export const S = (parts, extra = {}) => ({ k: 's', parts, ...extra });
export const B = (stmts) => ({ k: 'b', stmts });
export const D = (parts, extra = {}) => ({ k: 'd', parts, ...extra });

function partsText(parts, ind) {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if (p.k === 'e') out += partsText(p.parts, ind);
    else if (p.k === 'b') out += blockText(p, ind);
    else if (p.k === 's') out += partsText(p.parts, ind);
    else throw new Error(`bad part ${JSON.stringify(p).slice(0, 80)}`);
  }
  return out;
}

function blockText(b, ind) {
  if (b.stmts.length === 0) return '{ }';
  const pad = '  '.repeat(ind + 1);
  return '{\n' + b.stmts.map((s) => pad + partsText(s.parts, ind + 1) + '\n').join('') + '  '.repeat(ind) + '}';
}

/** Tier source of a program { decls }. */
export function printProgram(prog) {
  return prog.decls.map((d) => partsText(d.parts, 0) + '\n').join('');
}

/** Text of one expression node (for tests and messages). */
export const exprText = (e) => partsText(e.parts, 0);

/** Deep copy of a tree (types are shared: they are never mutated). */
export function cloneTree(node) {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(cloneTree);
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'parts' || k === 'stmts' || k === 'decls' ? v.map(cloneTree) : v;
  }
  return out;
}

/** Number of nodes (the shrinker's measure of size, besides text length). */
export function countNodes(node) {
  if (typeof node === 'string') return 0;
  let n = 1;
  for (const c of node.parts ?? node.stmts ?? node.decls ?? []) n += countNodes(c);
  return n;
}

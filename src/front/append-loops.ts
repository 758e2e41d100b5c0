// Which local strings a loop only ever appends to (so the lowering can build
// them on a string builder: runtime/string-builder.ts).
//
// A local `str` variable qualifies for a loop when, everywhere in the loop (its
// condition, its range, its body and every loop nested in it), it appears only
// as the target of an append statement:
//
//     s = s + a + b ...    (the leftmost operand of a chain of `+` is s itself)
//     s += a
//
// and it is declared outside the loop. Then no part of the loop reads s, so its
// value in the loop is unobservable except through those appends (traps end the
// function, and nothing else can reach a local: functions are not closures), and
// appending the pieces, in the same order, at the same points, to a builder made
// before the loop and turned back into s at the loop's one exit (normal end and
// `break` both reach it; `return` leaves s dead) gives the same program.
//
// Every walk here uses an explicit stack: chains of `+` may be thousands long.

import type * as A from './ast.js';

type Loop = Extract<A.Stmt, { kind: 'while' }> | Extract<A.Stmt, { kind: 'for' }>;

/** The pieces statement `s` appends to local `id` (in order, with the `+`
 *  node each is appended by, null for `+=`), or null if it is not an append
 *  statement for `id`. */
export function appendedPieces(s: A.Stmt, id: number): { piece: A.Expr; by: A.Expr | null }[] | null {
  if (s.kind !== 'assign' || s.target.kind !== 'name' || s.target.ref?.kind !== 'local' || s.target.ref.id !== id) return null;
  if (s.target.ty?.k !== 'str') return null;
  if (s.op === '+=') return [{ piece: s.value, by: null }];
  if (s.op !== '=') return null;
  const spine: A.Expr[] = [];
  let e = s.value;
  while (e.kind === 'binary' && e.op === '+' && e.ty?.k === 'str') { spine.push(e); e = e.left; }
  if (spine.length === 0 || e.kind !== 'name' || e.ref?.kind !== 'local' || e.ref.id !== id) return null;
  return spine.reverse().map((node) => ({ piece: (node as A.BinaryExpr).right, by: node }));
}

/** The local ids (not in `taken`) that loop `loop` only appends to, in order. */
export function appendOnlyLocals(loop: Loop, taken: ReadonlySet<number>): number[] {
  const appended = new Set<number>(), other = new Set<number>();
  const stack: (A.Stmt | A.Expr)[] = [];
  // (No spread of statement lists: a block may hold more than a call's arguments.)
  const pushAll = (nodes: readonly (A.Stmt | A.Expr)[]): void => { for (const x of nodes) stack.push(x); };
  if (loop.kind === 'while') stack.push(loop.cond); else stack.push(loop.start, loop.end);
  pushAll(loop.body.body);
  while (stack.length > 0) {
    const n = stack.pop()!;
    switch (n.kind) {
      case 'assign': {
        const t = n.target;
        const id = t.kind === 'name' && t.ref?.kind === 'local' ? t.ref.id : -1;
        const pieces = id >= 0 ? appendedPieces(n, id) : null;
        if (pieces !== null) { appended.add(id); for (const p of pieces) stack.push(p.piece); } else stack.push(t, n.value);
        break;
      }
      case 'let': if (n.id !== undefined) other.add(n.id); stack.push(n.init); break;
      case 'if': stack.push(n.cond); pushAll(n.then.body); if (n.else) pushAll(n.else.body); break;
      case 'while': stack.push(n.cond); pushAll(n.body.body); break;
      case 'for': if (n.id !== undefined) other.add(n.id); stack.push(n.start, n.end); pushAll(n.body.body); break;
      case 'return': if (n.value) stack.push(n.value); break;
      case 'expr': stack.push(n.expr); break;
      case 'block': pushAll(n.block.body); break;
      case 'break': case 'continue': break;
      case 'name': if (n.ref?.kind === 'local') other.add(n.ref.id); break;
      case 'unary': stack.push(n.operand); break;
      case 'binary': stack.push(n.left, n.right); break;
      case 'cast': stack.push(n.expr); break;
      case 'call': stack.push(n.callee); pushAll(n.args); break;
      case 'index': stack.push(n.object, n.index); break;
      case 'field': case 'len': stack.push(n.object); break;
      case 'new_struct': for (const f of n.fields) stack.push(f.value); break;
      case 'new_array': stack.push(n.length); break;
      case 'array_lit': pushAll(n.elements); break;
      case 'int': case 'float': case 'bool': case 'string': case 'null': break;
      default: { const never: never = n; throw new Error(`unexpected node ${(never as { kind: string }).kind}`); }
    }
  }
  return [...appended].filter((id) => !other.has(id) && !taken.has(id)).sort((a, b) => a - b);
}

// Tier's static types and the few operations on them.
//
// Primitive types are singletons, so `t === I32` is a valid test for them; compound
// types are compared structurally with typeEq. `null` is the type of the literal
// `null` only: it is assignable to every reference type (str, arrays, structs, fn).
//
// No syntax bounds how deep a type nests (`[[x]]` where x is a `[[[i32]]]` has five
// levels, and so on, one more per literal), so the operations here walk types
// with loops, never by recursion, and typeToString can stop early.

export type Type =
  | { k: 'i32' } | { k: 'f64' } | { k: 'bool' } | { k: 'str' } | { k: 'void' } | { k: 'null' }
  | { k: 'array'; elem: Type }
  | { k: 'struct'; name: string; index: number }
  | { k: 'fn'; params: Type[]; ret: Type };

export const I32: Type = { k: 'i32' };
export const F64: Type = { k: 'f64' };
export const BOOL: Type = { k: 'bool' };
export const STR: Type = { k: 'str' };
export const VOID: Type = { k: 'void' };
export const NULL: Type = { k: 'null' };

export function arrayOf(elem: Type): Type { return { k: 'array', elem }; }

export function typeEq(a: Type, b: Type): boolean {
  const pending: Type[] = [a, b];   // pairs still to compare
  while (pending.length > 0) {
    const y = pending.pop()!, x = pending.pop()!;
    if (x === y) continue;
    if (x.k !== y.k) return false;
    switch (x.k) {
      case 'array': pending.push(x.elem, (y as typeof x).elem); break;
      case 'struct': if (x.name !== (y as typeof x).name) return false; break;
      case 'fn': {
        const f = y as typeof x;
        if (x.params.length !== f.params.length) return false;
        pending.push(x.ret, f.ret);
        x.params.forEach((p, i) => pending.push(p, f.params[i]!));
        break;
      }
    }
  }
  return true;
}

/** str, arrays, structs and function values are references and admit null. */
export function isRef(t: Type): boolean {
  return t.k === 'str' || t.k === 'array' || t.k === 'struct' || t.k === 'fn' || t.k === 'null';
}

/** Can a value of type `from` be stored where `to` is expected? */
export function assignable(from: Type, to: Type): boolean {
  if (from.k === 'null') return isRef(to) && to.k !== 'null';
  return typeEq(from, to);
}

/** The type as written in Tier. */
export function typeToString(t: Type): string { return typeToStringCut(t, Infinity); }

/** The type as written in Tier, cut after `max` code units with `...` ending it
 *  (the walk stops there, so a huge type costs no more). */
export function typeToStringCut(t: Type, max: number): string {
  let out = '';
  const todo: (Type | string)[] = [t];   // what is left to write, next on top
  while (todo.length > 0) {
    if (out.length > max) break;
    const item = todo.pop()!;
    if (typeof item === 'string') { out += item; continue; }
    switch (item.k) {
      case 'array': out += '['; todo.push(']', item.elem); break;
      case 'struct': out += item.name; break;
      case 'fn': {
        out += 'fn(';
        if (item.ret.k !== 'void') todo.push(item.ret, ') -> ');
        else todo.push(')');
        for (let i = item.params.length - 1; i >= 0; i--) {
          todo.push(item.params[i]!);
          if (i > 0) todo.push(', ');
        }
        break;
      }
      default: out += item.k;
    }
  }
  return out.length > max ? out.slice(0, max) + '...' : out;
}

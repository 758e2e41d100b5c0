// Tier's static types and the few operations on them.
//
// Primitive types are singletons, so `t === I32` is a valid test for them; compound
// types are compared structurally with typeEq. `null` is the type of the literal
// `null` only: it is assignable to every reference type (str, arrays, structs, fn).

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
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'array': return typeEq(a.elem, (b as typeof a).elem);
    case 'struct': return a.name === (b as typeof a).name;
    case 'fn': {
      const f = b as typeof a;
      return a.params.length === f.params.length && typeEq(a.ret, f.ret) &&
        a.params.every((p, i) => typeEq(p, f.params[i]!));
    }
    default: return true;
  }
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

export function typeToString(t: Type): string {
  switch (t.k) {
    case 'array': return `[${typeToString(t.elem)}]`;
    case 'struct': return t.name;
    case 'fn': {
      const ps = t.params.map(typeToString).join(', ');
      return t.ret.k === 'void' ? `fn(${ps})` : `fn(${ps}) -> ${typeToString(t.ret)}`;
    }
    default: return t.k;
  }
}

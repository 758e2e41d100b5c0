// How values cross between the host and the guest in the embedding API.
//
// Scalars cross as JavaScript values: i32 and f64 as numbers, bool as a boolean,
// str as a string (null as null). Structs, arrays and function values cross as
// GuestRef handles: an object naming a guest value, never its address. A struct
// or array handle holds a slot in the runtime's handle table (runtime/handles.ts),
// so its object is a GC root until the handle is released (release(), dispose(),
// or the host collecting the GuestRef itself); a function value needs no root.
//
// What must stay true: a host cannot make a GuestRef (the constructor wants a
// token only this module has) nor read its slot; a handle passed back is known
// by its private slot (isGuestRef), not its prototype, and checked against the
// program, its release and the parameter's type before its address is used
// (instance.ts).

/** How a value of one Tier type crosses (the type's spelling decides). */
export const enum Conv { I32 = 0, F64 = 1, BOOL = 2, STR = 3, STRUCT = 4, ARRAY = 5, FN = 6 }

export function convOf(type: string): Conv {
  switch (type) {
    case 'i32': return Conv.I32;
    case 'f64': return Conv.F64;
    case 'bool': return Conv.BOOL;
    case 'str': return Conv.STR;
  }
  if (type.startsWith('[')) return Conv.ARRAY;
  return type.startsWith('fn(') ? Conv.FN : Conv.STRUCT;   // `fn` is a keyword: no struct has that name
}

export type RefKind = 'struct' | 'array' | 'fn';

export function refKindOf(c: Conv): RefKind {
  return c === Conv.ARRAY ? 'array' : c === Conv.FN ? 'fn' : 'struct';
}

/** What a handle belongs to: the live instance of one loaded program. */
export interface HandleOwner {
  /** Free the handle slot of `ref` (no-op once the program is disposed). */
  releaseHandle(slot: number, ref: GuestRef): void;
}

const TOKEN = Symbol('GuestRef');
let ownerOf: (r: GuestRef) => HandleOwner | null;
let branded: (v: object) => boolean;
let slotOf: (r: GuestRef) => number;

/** A guest struct, array or function value held by the host. */
export class GuestRef {
  readonly kind: RefKind;
  /** The Tier type, as written in source (`Node`, `[i32]`, `fn(i32) -> i32`). */
  readonly type: string;
  #owner: HandleOwner | null;
  /** The handle slot (struct, array), or the function value (index + 1). */
  readonly #slot: number;

  static {
    ownerOf = (r) => r.#owner;
    slotOf = (r) => r.#slot;
    branded = (v) => #slot in v;
  }

  constructor(token: symbol, owner: HandleOwner, kind: RefKind, type: string, slot: number) {
    if (token !== TOKEN) throw new TypeError('a GuestRef is made by tiervm only (a call result)');
    this.kind = kind;
    this.type = type;
    this.#owner = owner;
    this.#slot = slot;
    Object.freeze(this);
  }

  /** True once release() was called. */
  get released(): boolean { return this.#owner === null; }

  /** Let the guest object go (it may be collected once the guest holds it no
   *  more). Releasing twice, or after the program was disposed, does nothing. */
  release(): void {
    const owner = this.#owner;
    if (owner === null) return;
    this.#owner = null;
    if (this.kind !== 'fn') owner.releaseHandle(this.#slot, this);
  }

  toString(): string { return `[GuestRef ${this.kind} ${this.type}${this.released ? ' (released)' : ''}]`; }
}

export function makeRef(owner: HandleOwner, kind: RefKind, type: string, slot: number): GuestRef {
  return new GuestRef(TOKEN, owner, kind, type, slot);
}

/** Whether v is a GuestRef tiervm made: not merely one whose prototype is
 *  GuestRef.prototype (Object.create) nor a Proxy of one, which `instanceof`
 *  accepts but which have no slot to read. */
export function isGuestRef(v: unknown): v is GuestRef {
  return typeof v === 'object' && v !== null && branded(v);
}

/** The owner of a handle (null once released) and its slot, for instance.ts. */
export function refOwner(r: GuestRef): HandleOwner | null { return ownerOf(r); }
export function refSlot(r: GuestRef): number { return slotOf(r); }

/** What a parameter of conversion c accepts, for error messages. */
export function expected(c: Conv, type: string): string {
  switch (c) {
    case Conv.I32: return 'an i32 (an integer from -2147483648 to 2147483647)';
    case Conv.F64: return 'a number (f64)';
    case Conv.BOOL: return 'a boolean';
    case Conv.STR: return 'a string or null';
    default: return `a ${type} handle (GuestRef) or null`;
  }
}

/** A host value as an error message shows it. */
export function describe(v: unknown): string {
  if (isGuestRef(v)) return `a handle of type ${v.type}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) {
    return typeof v === 'bigint' ? `${v}n (a bigint)` : String(v);
  }
  if (typeof v === 'string') return 'a string';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'function' ? 'a function' : typeof v === 'symbol' ? 'a symbol' : 'an object';
}

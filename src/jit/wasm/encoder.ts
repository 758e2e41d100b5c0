// The WebAssembly binary encoder: the only module in tiervm that writes wasm bytes.
//
// It owns the binary format (LEB128, section layout, instruction encodings, the
// opcode table W) and the text format (WAT) of everything it encodes
// (--print-wasm), which assembles back to the same module.
// The JIT decides *what* to emit; this file decides *how* it is spelled in bytes.
// It does no type checking of the operand stack: WebAssembly.validate / compile
// does that, and toText({ offsets: true }) maps V8's "@+offset" errors to lines.
//
// Invariants:
// - Function indices: imported functions first (in import order), then defined
//   functions (index = imports + k). Hence every importFunction precedes the first
//   addFunction (enforced).
// - Local indices: parameters first, then locals in creation order; the code
//   section declares them in exactly that order (consecutive equal types in one
//   run), so an index handed out by local() is the index the engine sees. A freed
//   local keeps its slot and is handed out again by local() of the same type.
// - Branch depths are computed from Label handles: a label is valid only while its
//   block/loop/if is open in the function that created it; anything else throws.
// - Every instruction appends its bytes and one text line at the current nesting
//   depth, so encode() and toText() always describe the same code.
// - Misuse (unknown opcode, bad alignment, closed label, unfinished function, ...)
//   throws at the call that does it, or at encode() for forward references
//   (call targets, exports), never produces a silently broken module.
// - No module-level mutable state: all state lives in the builders.

export const enum ValType { I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c }

export interface Local { readonly index: number; readonly type: ValType }

/** Opaque handle of a block/loop/if, valid as a branch target while it is open. */
export interface Label { readonly id: number; readonly kind: 'block' | 'loop' | 'if' }

// ---------------------------------------------------------------------------
// Opcodes

const OPCODES = {
  // control
  UNREACHABLE: 0x00, NOP: 0x01, BLOCK: 0x02, LOOP: 0x03, IF: 0x04, ELSE: 0x05, END: 0x0b,
  BR: 0x0c, BR_IF: 0x0d, BR_TABLE: 0x0e, RETURN: 0x0f, CALL: 0x10, CALL_INDIRECT: 0x11,
  // parametric, variables
  DROP: 0x1a, SELECT: 0x1b,
  LOCAL_GET: 0x20, LOCAL_SET: 0x21, LOCAL_TEE: 0x22, GLOBAL_GET: 0x23, GLOBAL_SET: 0x24,
  // memory
  I32_LOAD: 0x28, I64_LOAD: 0x29, F32_LOAD: 0x2a, F64_LOAD: 0x2b,
  I32_LOAD8_S: 0x2c, I32_LOAD8_U: 0x2d, I32_LOAD16_S: 0x2e, I32_LOAD16_U: 0x2f,
  I64_LOAD8_S: 0x30, I64_LOAD8_U: 0x31, I64_LOAD16_S: 0x32, I64_LOAD16_U: 0x33,
  I64_LOAD32_S: 0x34, I64_LOAD32_U: 0x35,
  I32_STORE: 0x36, I64_STORE: 0x37, F32_STORE: 0x38, F64_STORE: 0x39,
  I32_STORE8: 0x3a, I32_STORE16: 0x3b, I64_STORE8: 0x3c, I64_STORE16: 0x3d, I64_STORE32: 0x3e,
  MEMORY_SIZE: 0x3f, MEMORY_GROW: 0x40,
  // constants
  I32_CONST: 0x41, I64_CONST: 0x42, F32_CONST: 0x43, F64_CONST: 0x44,
  // comparisons
  I32_EQZ: 0x45, I32_EQ: 0x46, I32_NE: 0x47, I32_LT_S: 0x48, I32_LT_U: 0x49, I32_GT_S: 0x4a,
  I32_GT_U: 0x4b, I32_LE_S: 0x4c, I32_LE_U: 0x4d, I32_GE_S: 0x4e, I32_GE_U: 0x4f,
  I64_EQZ: 0x50, I64_EQ: 0x51, I64_NE: 0x52, I64_LT_S: 0x53, I64_LT_U: 0x54, I64_GT_S: 0x55,
  I64_GT_U: 0x56, I64_LE_S: 0x57, I64_LE_U: 0x58, I64_GE_S: 0x59, I64_GE_U: 0x5a,
  F32_EQ: 0x5b, F32_NE: 0x5c, F32_LT: 0x5d, F32_GT: 0x5e, F32_LE: 0x5f, F32_GE: 0x60,
  F64_EQ: 0x61, F64_NE: 0x62, F64_LT: 0x63, F64_GT: 0x64, F64_LE: 0x65, F64_GE: 0x66,
  // numeric
  I32_CLZ: 0x67, I32_CTZ: 0x68, I32_POPCNT: 0x69, I32_ADD: 0x6a, I32_SUB: 0x6b, I32_MUL: 0x6c,
  I32_DIV_S: 0x6d, I32_DIV_U: 0x6e, I32_REM_S: 0x6f, I32_REM_U: 0x70, I32_AND: 0x71,
  I32_OR: 0x72, I32_XOR: 0x73, I32_SHL: 0x74, I32_SHR_S: 0x75, I32_SHR_U: 0x76,
  I32_ROTL: 0x77, I32_ROTR: 0x78,
  I64_CLZ: 0x79, I64_CTZ: 0x7a, I64_POPCNT: 0x7b, I64_ADD: 0x7c, I64_SUB: 0x7d, I64_MUL: 0x7e,
  I64_DIV_S: 0x7f, I64_DIV_U: 0x80, I64_REM_S: 0x81, I64_REM_U: 0x82, I64_AND: 0x83,
  I64_OR: 0x84, I64_XOR: 0x85, I64_SHL: 0x86, I64_SHR_S: 0x87, I64_SHR_U: 0x88,
  I64_ROTL: 0x89, I64_ROTR: 0x8a,
  F32_ABS: 0x8b, F32_NEG: 0x8c, F32_CEIL: 0x8d, F32_FLOOR: 0x8e, F32_TRUNC: 0x8f,
  F32_NEAREST: 0x90, F32_SQRT: 0x91, F32_ADD: 0x92, F32_SUB: 0x93, F32_MUL: 0x94,
  F32_DIV: 0x95, F32_MIN: 0x96, F32_MAX: 0x97, F32_COPYSIGN: 0x98,
  F64_ABS: 0x99, F64_NEG: 0x9a, F64_CEIL: 0x9b, F64_FLOOR: 0x9c, F64_TRUNC: 0x9d,
  F64_NEAREST: 0x9e, F64_SQRT: 0x9f, F64_ADD: 0xa0, F64_SUB: 0xa1, F64_MUL: 0xa2,
  F64_DIV: 0xa3, F64_MIN: 0xa4, F64_MAX: 0xa5, F64_COPYSIGN: 0xa6,
  // conversions
  I32_WRAP_I64: 0xa7, I32_TRUNC_F32_S: 0xa8, I32_TRUNC_F32_U: 0xa9, I32_TRUNC_F64_S: 0xaa,
  I32_TRUNC_F64_U: 0xab, I64_EXTEND_I32_S: 0xac, I64_EXTEND_I32_U: 0xad,
  I64_TRUNC_F32_S: 0xae, I64_TRUNC_F32_U: 0xaf, I64_TRUNC_F64_S: 0xb0, I64_TRUNC_F64_U: 0xb1,
  F32_CONVERT_I32_S: 0xb2, F32_CONVERT_I32_U: 0xb3, F32_CONVERT_I64_S: 0xb4,
  F32_CONVERT_I64_U: 0xb5, F32_DEMOTE_F64: 0xb6, F64_CONVERT_I32_S: 0xb7,
  F64_CONVERT_I32_U: 0xb8, F64_CONVERT_I64_S: 0xb9, F64_CONVERT_I64_U: 0xba,
  F64_PROMOTE_F32: 0xbb, I32_REINTERPRET_F32: 0xbc, I64_REINTERPRET_F64: 0xbd,
  F32_REINTERPRET_I32: 0xbe, F64_REINTERPRET_I64: 0xbf,
  // sign extension
  I32_EXTEND8_S: 0xc0, I32_EXTEND16_S: 0xc1, I64_EXTEND8_S: 0xc2, I64_EXTEND16_S: 0xc3,
  I64_EXTEND32_S: 0xc4,
  // prefix of the saturating truncations (see WFC)
  MISC_PREFIX: 0xfc,
} as const;

/** Single-byte opcodes, named like the spec (`i32.add` is W.I32_ADD). */
export const W: { readonly [K in keyof typeof OPCODES]: number } = Object.freeze(OPCODES);

/** Sub-opcodes after the 0xFC prefix: the saturating float-to-int truncations. */
export const WFC = Object.freeze({
  I32_TRUNC_SAT_F32_S: 0, I32_TRUNC_SAT_F32_U: 1, I32_TRUNC_SAT_F64_S: 2, I32_TRUNC_SAT_F64_U: 3,
  I64_TRUNC_SAT_F32_S: 4, I64_TRUNC_SAT_F32_U: 5, I64_TRUNC_SAT_F64_S: 6, I64_TRUNC_SAT_F64_U: 7,
} as const);

/** Bulk-memory sub-opcodes after the 0xFC prefix. */
const MEMORY_COPY = 10;
const MEMORY_FILL = 11;

/** `I32_TRUNC_F64_S` -> `i32.trunc_f64_s`, `BR_IF` -> `br_if`, `LOCAL_GET` -> `local.get`. */
function textNameOf(constName: string): string {
  const lower = constName.toLowerCase();
  return /^(i32|i64|f32|f64|local|global|memory)_/.test(lower) ? lower.replace('_', '.') : lower;
}

function reverseTable(table: { readonly [name: string]: number }): ReadonlyMap<number, string> {
  return new Map(Object.entries(table).map(([name, code]) => [code, textNameOf(name)]));
}

const OPCODE_TEXT = reverseTable(OPCODES);
const MISC_TEXT = reverseTable(WFC);

/** Opcodes with no immediates, the ones op() accepts. */
function isPlainOpcode(code: number): boolean {
  return code === OPCODES.UNREACHABLE || code === OPCODES.NOP || code === OPCODES.RETURN ||
    code === OPCODES.DROP || code === OPCODES.SELECT ||
    (code >= OPCODES.I32_EQZ && code <= OPCODES.I64_EXTEND32_S);
}

/** log2 of the natural alignment of each load and store (the largest valid align). */
const NATURAL_ALIGN: ReadonlyMap<number, number> = new Map([
  [0x28, 2], [0x29, 3], [0x2a, 2], [0x2b, 3], [0x2c, 0], [0x2d, 0], [0x2e, 1], [0x2f, 1],
  [0x30, 0], [0x31, 0], [0x32, 1], [0x33, 1], [0x34, 2], [0x35, 2],
  [0x36, 2], [0x37, 3], [0x38, 2], [0x39, 3], [0x3a, 0], [0x3b, 1], [0x3c, 0], [0x3d, 1], [0x3e, 2],
]);

function isLoad(code: number): boolean { return code >= OPCODES.I32_LOAD && code <= OPCODES.I64_LOAD32_U; }
function isStore(code: number): boolean { return code >= OPCODES.I32_STORE && code <= OPCODES.I64_STORE32; }

const BLOCKTYPE_EMPTY = 0x40;
const FUNCREF = 0x70;
const FUNC_TYPE_FORM = 0x60;

const enum Section { Custom = 0, Type = 1, Import = 2, Function = 3, Global = 6, Export = 7, Code = 10 }

/** A mutable i32 global the module defines (the only kind tiervm uses). */
export interface Global { readonly index: number; readonly init: number }
const enum ExternKind { Func = 0, Table = 1, Memory = 2 }

// ---------------------------------------------------------------------------
// Value types

function isValType(t: unknown): t is ValType {
  return t === ValType.I32 || t === ValType.I64 || t === ValType.F32 || t === ValType.F64;
}

function checkValType(t: unknown, what: string): ValType {
  if (!isValType(t)) throw new TypeError(`${what}: not a wasm value type: ${String(t)}`);
  return t;
}

export function valTypeName(t: ValType): string {
  switch (t) {
    case ValType.I32: return 'i32';
    case ValType.I64: return 'i64';
    case ValType.F32: return 'f32';
    case ValType.F64: return 'f64';
    default: return `<valtype 0x${(t as number).toString(16)}>`;
  }
}

// ---------------------------------------------------------------------------
// LEB128 and raw encodings

const TWO_POW_32 = 4294967296;

/** Unsigned LEB128 of a non-negative safe integer (u32 and beyond, up to 2^53-1). */
export function encodeULEB128(v: number): number[] {
  const w = new ByteWriter();
  w.uleb(v);
  return Array.from(w.bytes);
}

/** Signed LEB128 of a safe integer (i32 and beyond, |v| up to 2^53-1). */
export function encodeSLEB128(v: number): number[] {
  const w = new ByteWriter();
  w.sleb(v);
  return Array.from(w.bytes);
}

/** Signed LEB128 of a 64-bit integer (for i64.const); v is wrapped to i64. */
export function encodeSLEB128BigInt(v: bigint): number[] {
  v = BigInt.asIntN(64, v);
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const signBitClear = (byte & 0x40) === 0;
    if ((v === 0n && signBitClear) || (v === -1n && !signBitClear)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const MAX_LEB_BYTES = 10;

function readLEBByte(bytes: Uint8Array, at: number, start: number): number {
  if (at >= bytes.length) throw new RangeError(`LEB128 at ${start}: truncated`);
  if (at - start >= MAX_LEB_BYTES) throw new RangeError(`LEB128 at ${start}: longer than ${MAX_LEB_BYTES} bytes`);
  return bytes[at]!;
}

function checkDecoded(value: number, start: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`LEB128 at ${start}: value exceeds 2^53`);
  return value;
}

export function decodeULEB128(bytes: Uint8Array, at: number): { value: number; next: number } {
  const start = at;
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = readLEBByte(bytes, at++, start);
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return { value: checkDecoded(value, start), next: at };
  }
}

export function decodeSLEB128(bytes: Uint8Array, at: number): { value: number; next: number } {
  const start = at;
  let value = 0;
  let scale = 1;
  for (;;) {
    const b = readLEBByte(bytes, at++, start);
    if ((b & 0x80) === 0) {
      // The last group carries the sign; adding it as a negative digit keeps every
      // intermediate exact for results within the safe range.
      const digit = b & 0x40 ? (b & 0x7f) - 128 : b;
      return { value: checkDecoded(value + digit * scale, start), next: at };
    }
    value += (b & 0x7f) * scale;
    scale *= 128;
  }
}

/** The 8 little-endian bytes of an IEEE double (keeps -0 and the NaN's bits). */
export function encodeF64(v: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v, true);
  return Array.from(new Uint8Array(view.buffer));
}

/** The 4 little-endian bytes of an IEEE single (v rounded to f32). */
export function encodeF32(v: number): number[] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, v, true);
  return Array.from(new Uint8Array(view.buffer));
}

function checkU32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= TWO_POW_32) throw new RangeError(`${what}: not a u32: ${v}`);
  return v;
}

/** A growable byte buffer with the format's primitive encodings. It writes
 *  into one typed array, LEB128 included, with no array per value: a cold
 *  compile of a few functions (richards at its check size) made about 2 MB of
 *  short-lived arrays here before, which the program's thread then collected.
 *  (Starting at 256 bytes rather than 64 made it no faster: past 64 bytes V8
 *  keeps a typed array's store outside its heap, and each costs more to make;
 *  a number array with LEB128 written in place allocated 8.3 MB where this
 *  allocates 7.1.) */
class ByteWriter {
  private buf = new Uint8Array(64);
  private len = 0;
  get length(): number { return this.len; }
  /** The bytes written so far (a view: valid until the next write). */
  get bytes(): Uint8Array { return this.buf.subarray(0, this.len); }
  private room(n: number): void {
    if (this.len + n > this.buf.length) this.grow(n);
  }
  private grow(n: number): void {
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }
  byte(b: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = b & 0xff;
  }
  raw(bs: ArrayLike<number>): void {
    this.room(bs.length);
    if (bs instanceof Uint8Array) this.buf.set(bs, this.len);
    else for (let i = 0; i < bs.length; i++) this.buf[this.len + i] = bs[i]! & 0xff;
    this.len += bs.length;
  }
  u32(v: number): void { this.uleb(checkU32(v, 'u32')); }
  s32(v: number): void { this.sleb(v | 0); }
  /** Unsigned LEB128 of a non-negative safe integer, written in place (the one
   *  implementation: encodeULEB128 is this into a writer of its own). */
  uleb(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`ULEB128: not a non-negative safe integer: ${v}`);
    this.room(8);
    do {
      const byte = v % 128;
      v = Math.floor(v / 128);
      this.buf[this.len++] = v === 0 ? byte : byte | 0x80;
    } while (v !== 0);
  }
  /** Signed LEB128 of a safe integer, written in place (as uleb). */
  sleb(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`SLEB128: not a safe integer: ${v}`);
    this.room(8);
    for (;;) {
      const byte = ((v % 128) + 128) % 128;
      v = Math.floor(v / 128);
      const signBitClear = (byte & 0x40) === 0;
      if ((v === 0 && signBitClear) || (v === -1 && !signBitClear)) { this.buf[this.len++] = byte; return; }
      this.buf[this.len++] = byte | 0x80;
    }
  }
  name(s: string): void {
    const utf8 = new TextEncoder().encode(s);
    this.u32(utf8.length);
    this.raw(utf8);
  }
  /** Appends `inner` preceded by its byte length (sections, function bodies). */
  sized(inner: ByteWriter): void { this.u32(inner.length); this.raw(inner.bytes); }
  vec<T>(items: readonly T[], each: (item: T) => void): void {
    this.u32(items.length);
    for (const item of items) each(item);
  }
}

// ---------------------------------------------------------------------------
// Text helpers

function f64Text(v: number, bytes: readonly number[]): string {
  if (Number.isNaN(v)) return nanText(bytes, 52);
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

function f32Text(v: number, bytes: readonly number[]): string {
  if (Number.isNaN(v)) return nanText(bytes, 23);
  return f64Text(Math.fround(v), bytes);
}

/** `nan`, `-nan` or `nan:0x...` from the little-endian bytes of a NaN. */
function nanText(bytes: readonly number[], mantissaBits: number): string {
  let bits = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) bits = (bits << 8n) | BigInt(bytes[i]!);
  const sign = (bits >> BigInt(bytes.length * 8 - 1)) & 1n ? '-' : '';
  const payload = bits & ((1n << BigInt(mantissaBits)) - 1n);
  const canonical = 1n << BigInt(mantissaBits - 1);
  return payload === canonical ? `${sign}nan` : `${sign}nan:0x${payload.toString(16)}`;
}

function resultText(resultType: ValType | undefined): string {
  return resultType === undefined ? '' : ` (result ${valTypeName(resultType)})`;
}

function signatureText(params: readonly ValType[], results: readonly ValType[]): string {
  const p = params.length ? ` (param ${params.map(valTypeName).join(' ')})` : '';
  const r = results.length ? ` (result ${results.map(valTypeName).join(' ')})` : '';
  return p + r;
}

/** For error messages (not WAT: JSON escapes like \b are not WAT escapes). */
function quote(s: string): string { return JSON.stringify(s); }

/** A WAT string literal holding the UTF-8 bytes ByteWriter.name() writes for `s`.
 *  Anything but printable ASCII is a `\hh` byte escape, so the listing stays ASCII
 *  and a lone surrogate spells the same U+FFFD bytes as the binary. */
function watString(s: string): string {
  let out = '"';
  for (const b of new TextEncoder().encode(s)) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString(16).padStart(2, '0')}`;
  }
  return out + '"';
}

/** WAT's idchar: what may follow the `$` of an identifier. */
const WAT_IDCHAR = /[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]/;

/** `$name` with each character WAT does not allow in identifiers replaced by `_`. */
function watId(name: string): string {
  return '$' + Array.from(name, (c) => (WAT_IDCHAR.test(c) ? c : '_')).join('');
}

/** The `$id` of each name (undefined for none): sanitized by watId, then made
 *  unique with a `_2`, `_3`, ... suffix, because the builder allows duplicate and
 *  arbitrary names but WAT resolves every `$id` to exactly one definition. */
function uniqueWatIds(names: readonly (string | undefined)[]): (string | undefined)[] {
  const taken = new Set<string>();
  return names.map((name) => {
    if (!name) return undefined;
    const base = watId(name);
    let id = base;
    for (let k = 2; taken.has(id); k++) id = `${base}_${k}`;
    taken.add(id);
    return id;
  });
}

/** ` (;3;)`: an index as wasm2wat prints it, a comment, since WAT has no syntax
 *  for declaring an index (definitions are numbered by their order). */
function indexComment(index: number): string { return ` (;${index};)`; }

// ---------------------------------------------------------------------------
// Functions

export interface FuncType { readonly params: readonly ValType[]; readonly results: readonly ValType[] }

/** One instruction of the listing. A call's target is printed only by text(),
 *  once the module knows every function's `$id` (calls may precede the callee). */
interface TextLine { readonly depth: number; readonly offset: number; readonly text: string; readonly callee?: number }

type BlockKind = 'block' | 'loop' | 'if';

class ControlFrame implements Label {
  open = true;
  hasElse = false;
  constructor(
    readonly owner: WasmFunctionBuilder,
    readonly id: number,
    readonly kind: BlockKind,
    readonly resultType: ValType | undefined,
    /** Position in the owner's control stack while open. */
    readonly level: number,
  ) {}
  get name(): string { return `$L${this.id}`; }
}

export class WasmFunctionBuilder {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  private readonly code = new ByteWriter();
  private readonly lines: TextLine[] = [];
  /** Types of the declared locals (after the params), in index order. */
  private readonly localTypes: ValType[] = [];
  private readonly freeByType = new Map<ValType, number[]>();
  private readonly freed = new Set<number>();
  private readonly control: ControlFrame[] = [];
  private nextLabelId = 0;
  private finished = false;
  /** Function indices called directly, checked against the module at encode(). */
  private readonly calls = new Set<number>();
  private memoryUsed = false;
  private tableUsed = false;
  /** Loops opened (a function without one runs each call in bounded time). */
  loops = 0;
  /** Bytes of its code so far. */
  get codeBytes(): number { return this.code.length; }
  /** Code offsets of the `if` and `br_if` instructions hinted as rarely taken. */
  private readonly unlikely: number[] = [];

  /** @internal Use WasmModuleBuilder.addFunction. */
  constructor(
    private readonly ctx: WasmModuleBuilder,
    readonly index: number,
    readonly typeIndex: number,
    readonly name: string | undefined,
  ) {
    const type = ctx.funcType(typeIndex);
    this.params = type.params;
    this.results = type.results;
  }

  // -- locals --------------------------------------------------------------

  param(i: number): Local {
    if (!Number.isInteger(i) || i < 0 || i >= this.params.length) {
      throw new RangeError(`${this.label()}: no parameter ${i} (has ${this.params.length})`);
    }
    return Object.freeze({ index: i, type: this.params[i]! });
  }

  local(type: ValType): Local {
    checkValType(type, `${this.label()}: local`);
    const reused = this.freeByType.get(type)?.pop();
    if (reused !== undefined) {
      this.freed.delete(reused);
      return Object.freeze({ index: reused, type });
    }
    const index = this.params.length + this.localTypes.length;
    this.localTypes.push(type);
    return Object.freeze({ index, type });
  }

  freeLocal(l: Local): void {
    this.checkLocal(l);
    if (l.index < this.params.length) throw new Error(`${this.label()}: parameter ${l.index} cannot be freed`);
    if (this.freed.has(l.index)) throw new Error(`${this.label()}: local ${l.index} freed twice`);
    this.freed.add(l.index);
    let list = this.freeByType.get(l.type);
    if (!list) this.freeByType.set(l.type, (list = []));
    list.push(l.index);
  }

  /** Number of params plus declared locals. */
  get localCount(): number { return this.params.length + this.localTypes.length; }

  /** Number of open blocks/loops/ifs. */
  get depth(): number { return this.control.length; }

  private typeOfLocal(index: number): ValType | undefined {
    return index < this.params.length ? this.params[index] : this.localTypes[index - this.params.length];
  }

  private checkLocal(l: Local): void {
    if (!l || !Number.isInteger(l.index) || l.index < 0 || this.typeOfLocal(l.index) !== l.type) {
      throw new Error(`${this.label()}: local ${l?.index} (${valTypeName(l?.type as ValType)}) does not belong to this function`);
    }
  }

  private checkLive(l: Local): void {
    this.checkLocal(l);
    if (this.freed.has(l.index)) throw new Error(`${this.label()}: local ${l.index} used after freeLocal`);
  }

  // -- variables and constants ---------------------------------------------

  localGet(l: Local): void { this.localOp(OPCODES.LOCAL_GET, l); }
  localSet(l: Local): void { this.localOp(OPCODES.LOCAL_SET, l); }
  localTee(l: Local): void { this.localOp(OPCODES.LOCAL_TEE, l); }

  private localOp(code: number, l: Local): void {
    this.checkLive(l);
    this.emit(code, `${OPCODE_TEXT.get(code)} ${l.index}`);
    this.code.u32(l.index);
  }

  i32Const(v: number): void {
    const x = v | 0;
    this.emit(OPCODES.I32_CONST, `i32.const ${x}`);
    this.code.s32(x);
  }

  i64Const(v: bigint): void {
    const x = BigInt.asIntN(64, v);
    this.emit(OPCODES.I64_CONST, `i64.const ${x}`);
    this.code.raw(encodeSLEB128BigInt(x));
  }

  f32Const(v: number): void {
    const bytes = encodeF32(v);
    this.emit(OPCODES.F32_CONST, `f32.const ${f32Text(v, bytes)}`);
    this.code.raw(bytes);
  }

  f64Const(v: number): void {
    const bytes = encodeF64(v);
    this.emit(OPCODES.F64_CONST, `f64.const ${f64Text(v, bytes)}`);
    this.code.raw(bytes);
  }

  // -- plain instructions ----------------------------------------------------

  /** Any instruction without immediates: numeric, comparison, conversion, drop, ... */
  op(code: number): void {
    if (!isPlainOpcode(code)) {
      const name = OPCODE_TEXT.get(code);
      throw new Error(`${this.label()}: op(${name ?? String(code)}): not an instruction without immediates` +
        (name ? '; use its own method' : ''));
    }
    this.emit(code, OPCODE_TEXT.get(code)!);
  }

  /** A saturating truncation (0xFC prefix); sub is a WFC constant. */
  truncSat(sub: number): void {
    const name = MISC_TEXT.get(sub);
    if (name === undefined) throw new Error(`${this.label()}: truncSat(${sub}): unknown 0xFC sub-opcode`);
    this.emit(OPCODES.MISC_PREFIX, name);
    this.code.u32(sub);
  }

  /** i32.trunc_sat_f64_s: NaN -> 0, out of range -> INT32_MIN / INT32_MAX. */
  truncSatF64S(): void { this.truncSat(WFC.I32_TRUNC_SAT_F64_S); }

  return_(): void { this.op(OPCODES.RETURN); }
  unreachable(): void { this.op(OPCODES.UNREACHABLE); }
  drop(): void { this.op(OPCODES.DROP); }
  select(): void { this.op(OPCODES.SELECT); }
  nop(): void { this.op(OPCODES.NOP); }

  // -- memory ------------------------------------------------------------------

  load(code: number, align: number, offset: number): void {
    if (!isLoad(code)) throw new Error(`${this.label()}: load(${OPCODE_TEXT.get(code) ?? code}): not a load opcode`);
    this.memoryAccess(code, align, offset);
  }

  store(code: number, align: number, offset: number): void {
    if (!isStore(code)) throw new Error(`${this.label()}: store(${OPCODE_TEXT.get(code) ?? code}): not a store opcode`);
    this.memoryAccess(code, align, offset);
  }

  private memoryAccess(code: number, align: number, offset: number): void {
    const natural = NATURAL_ALIGN.get(code)!;
    const name = OPCODE_TEXT.get(code)!;
    if (!Number.isInteger(align) || align < 0 || align > natural) {
      throw new RangeError(`${this.label()}: ${name}: align (log2) ${align} not in 0..${natural}`);
    }
    checkU32(offset, `${this.label()}: ${name} offset`);
    const offsetText = offset ? ` offset=${offset}` : '';
    const alignText = align !== natural ? ` align=${2 ** align}` : '';
    this.memoryUsed = true;
    this.emit(code, name + offsetText + alignText);
    this.code.u32(align);
    this.code.u32(offset);
  }

  memorySize(): void {
    this.memoryUsed = true;
    this.emit(OPCODES.MEMORY_SIZE, 'memory.size');
    this.code.byte(0);
  }

  memoryGrow(): void {
    this.memoryUsed = true;
    this.emit(OPCODES.MEMORY_GROW, 'memory.grow');
    this.code.byte(0);
  }

  /** memory.copy (bulk memory): [dst, src, n] -> []; overlapping ranges allowed. */
  memoryCopy(): void {
    this.memoryUsed = true;
    this.emit(OPCODES.MISC_PREFIX, 'memory.copy');
    this.code.u32(MEMORY_COPY);
    this.code.byte(0); this.code.byte(0);
  }

  /** memory.fill (bulk memory): [dst, byte, n] -> []. */
  memoryFill(): void {
    this.memoryUsed = true;
    this.emit(OPCODES.MISC_PREFIX, 'memory.fill');
    this.code.u32(MEMORY_FILL);
    this.code.byte(0);
  }

  // -- globals -----------------------------------------------------------------

  globalGet(g: Global): void { this.globalOp(OPCODES.GLOBAL_GET, g); }
  globalSet(g: Global): void { this.globalOp(OPCODES.GLOBAL_SET, g); }

  private globalOp(code: number, g: Global): void {
    if (!this.ctx.hasGlobal(g)) throw new Error(`${this.label()}: global ${g?.index} does not belong to this module`);
    this.emit(code, `${OPCODE_TEXT.get(code)} ${g.index}`);
    this.code.u32(g.index);
  }

  // -- calls -------------------------------------------------------------------

  call(funcIndex: number): void {
    checkU32(funcIndex, `${this.label()}: call`);
    this.calls.add(funcIndex);
    this.emit(OPCODES.CALL, 'call', funcIndex);
    this.code.u32(funcIndex);
  }

  callIndirect(typeIndex: number, tableIndex = 0): void {
    this.ctx.funcType(typeIndex);
    if (tableIndex !== 0) throw new RangeError(`${this.label()}: call_indirect: only table 0 exists`);
    this.tableUsed = true;
    this.emit(OPCODES.CALL_INDIRECT, `call_indirect (type ${typeIndex})`);
    this.code.u32(typeIndex);
    this.code.byte(tableIndex);
  }

  // -- structured control --------------------------------------------------

  block(resultType?: ValType): Label { return this.openBlock(OPCODES.BLOCK, 'block', resultType); }
  loop(resultType?: ValType): Label { this.loops++; return this.openBlock(OPCODES.LOOP, 'loop', resultType); }
  if_(resultType?: ValType): Label { return this.openBlock(OPCODES.IF, 'if', resultType); }
  /** An `if` whose block is rarely entered (a branch hint: the slow path). */
  ifRarely(): Label { this.unlikely.push(this.code.length); return this.if_(); }
  /** A `br_if` rarely taken (a branch hint). */
  brIfRarely(target: Label): void { this.unlikely.push(this.code.length); this.brIf(target); }

  private openBlock(code: number, kind: BlockKind, resultType: ValType | undefined): Label {
    if (resultType !== undefined) checkValType(resultType, `${this.label()}: ${kind} result`);
    const frame = new ControlFrame(this, this.nextLabelId++, kind, resultType, this.control.length);
    this.emit(code, `${kind} ${frame.name}${resultText(resultType)}`);
    this.code.byte(resultType ?? BLOCKTYPE_EMPTY);
    this.control.push(frame);
    return frame;
  }

  else_(): void {
    const frame = this.innermost('else');
    if (frame.kind !== 'if' || frame.hasElse) throw new Error(`${this.label()}: else without an open if (innermost is ${frame.kind} ${frame.name})`);
    frame.hasElse = true;
    this.emitAt(this.control.length - 1, OPCODES.ELSE, 'else');
  }

  /** Closes the innermost open block/loop/if. */
  end(): void {
    const frame = this.innermost('end');
    if (frame.kind === 'if' && frame.resultType !== undefined && !frame.hasElse) {
      throw new Error(`${this.label()}: if ${frame.name} with a result needs an else`);
    }
    this.control.pop();
    frame.open = false;
    this.emit(OPCODES.END, `end ;; ${frame.name}`);
  }

  br(target: Label): void {
    const depth = this.depthOf(target, 'br');
    this.emit(OPCODES.BR, `br ${depth} ;; ${(target as ControlFrame).name}`);
    this.code.u32(depth);
  }

  brIf(target: Label): void {
    const depth = this.depthOf(target, 'br_if');
    this.emit(OPCODES.BR_IF, `br_if ${depth} ;; ${(target as ControlFrame).name}`);
    this.code.u32(depth);
  }

  brTable(targets: Label[], defaultTarget: Label): void {
    const depths = targets.map((t) => this.depthOf(t, 'br_table'));
    const defaultDepth = this.depthOf(defaultTarget, 'br_table');
    this.emit(OPCODES.BR_TABLE, `br_table ${[...depths, defaultDepth].join(' ')}`);
    this.code.u32(depths.length);
    for (const d of depths) this.code.u32(d);
    this.code.u32(defaultDepth);
  }

  /** Emits the function's final `end`; afterwards the function is immutable. */
  finish(): void {
    this.checkOpen('finish');
    if (this.control.length) {
      const open = this.control.map((f) => `${f.kind} ${f.name}`).join(', ');
      throw new Error(`${this.label()}: finish with open blocks: ${open}`);
    }
    this.code.byte(OPCODES.END);
    this.finished = true;
  }

  get isFinished(): boolean { return this.finished; }
  /** Whether the code accesses the memory / uses call_indirect (checked by encode()). */
  get usesMemory(): boolean { return this.memoryUsed; }
  get usesTable(): boolean { return this.tableUsed; }
  /** The function indices this code calls directly. */
  get callees(): ReadonlySet<number> { return this.calls; }

  private innermost(what: string): ControlFrame {
    this.checkOpen(what);
    const frame = this.control[this.control.length - 1];
    if (!frame) throw new Error(`${this.label()}: ${what} with no open block (use finish() to end the function)`);
    return frame;
  }

  /** Relative branch depth of an open label of this function. */
  private depthOf(target: Label, what: string): number {
    if (!(target instanceof ControlFrame) || target.owner !== this) {
      throw new Error(`${this.label()}: ${what} to a label of another function`);
    }
    if (!target.open || this.control[target.level] !== target) {
      throw new Error(`${this.label()}: ${what} to ${target.kind} ${target.name}, which is not open`);
    }
    return this.control.length - 1 - target.level;
  }

  // -- emission ------------------------------------------------------------

  private checkOpen(what: string): void {
    if (this.finished) throw new Error(`${this.label()}: ${what} after finish()`);
  }

  private emit(code: number, text: string, callee?: number): void {
    this.emitAt(this.control.length, code, text, callee);
  }

  private emitAt(depth: number, code: number, text: string, callee?: number): void {
    this.checkOpen(text);
    this.lines.push({ depth, offset: this.code.length, text, callee });
    this.code.byte(code);
  }

  private label(): string {
    return `wasm function ${this.index}${this.name ? ` (${this.name})` : ''}`;
  }

  // -- encoding (used by the module) -------------------------------------------

  /** @internal The local declarations: runs of consecutive equal types. */
  localRuns(): { count: number; type: ValType }[] {
    const runs: { count: number; type: ValType }[] = [];
    for (const type of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last.type === type) last.count++;
      else runs.push({ count: 1, type });
    }
    return runs;
  }

  /** @internal Offsets in the body (encodeBody's bytes) of the branches hinted
   *  as rarely taken. */
  rareBranches(): number[] {
    const codeStart = this.encodeLocals().length;
    return this.unlikely.map((o) => codeStart + o);
  }

  /** @internal Whether any branch is hinted (the module then has a branch
   *  hinting section). */
  get hasHints(): boolean { return this.unlikely.length > 0; }

  /** The local declarations that open the body. */
  private encodeLocals(): ByteWriter {
    const w = new ByteWriter();
    w.vec(this.localRuns(), (run) => { w.u32(run.count); w.byte(run.type); });
    return w;
  }

  /** @internal The body as the code section holds it (local declarations, then
   *  the code), without its size prefix; codeStart is where the code begins. */
  encodeBody(): { bytes: Uint8Array; codeStart: number } {
    if (!this.finished) throw new Error(`${this.label()}: encode before finish()`);
    const body = this.encodeLocals();
    const codeStart = body.length;
    body.raw(this.code.bytes);
    return { bytes: body.bytes, codeStart };
  }

  /** @internal The WAT of this function, indented by `indent` spaces; `base` is
   *  the absolute offset of its code (or undefined for no offsets); `ids` holds
   *  the `$id` of each function index that has one. The function's final `end`
   *  is the closing parenthesis of `(func ...)` in WAT, so it is not listed. */
  text(indent: number, base: number | undefined, ids: readonly (string | undefined)[]): string[] {
    const pad = ' '.repeat(indent);
    const id = ids[this.index] ? ` ${ids[this.index]}` : '';
    const out = [`${pad}(func${id}${indexComment(this.index)} (type ${this.typeIndex})${signatureText(this.params, this.results)}`];
    if (this.localTypes.length) out.push(`${pad}  (local ${this.localTypes.map(valTypeName).join(' ')})`);
    for (const line of this.lines) out.push(this.lineText(line, pad, base, ids));
    out.push(`${pad})${this.finished ? '' : ' ;; unfinished'}`);
    return out;
  }

  /** One instruction; its offset, if any, is a block comment so the line stays WAT. */
  private lineText(line: TextLine, pad: string, base: number | undefined, ids: readonly (string | undefined)[]): string {
    const at = base === undefined ? '' : `(;@${String(base + line.offset).padStart(5)};) `;
    const target = line.callee === undefined ? '' : ` ${ids[line.callee] ?? line.callee}`;
    return `${pad}  ${at}${'  '.repeat(line.depth)}${line.text}${target}`;
  }
}

// ---------------------------------------------------------------------------
// Modules

type Limits = { readonly min: number; readonly max?: number };

type Import =
  | { readonly kind: ExternKind.Func; readonly module: string; readonly name: string; readonly typeIndex: number }
  | { readonly kind: ExternKind.Table; readonly module: string; readonly name: string; readonly limits: Limits }
  | { readonly kind: ExternKind.Memory; readonly module: string; readonly name: string; readonly limits: Limits };

interface Export { readonly name: string; readonly funcIndex: number }

function checkLimits(min: number, max: number | undefined, what: string): Limits {
  checkU32(min, `${what} min`);
  if (max === undefined) return { min };
  checkU32(max, `${what} max`);
  if (max < min) throw new RangeError(`${what}: max ${max} < min ${min}`);
  return { min, max };
}

function writeLimits(w: ByteWriter, limits: Limits): void {
  if (limits.max === undefined) {
    w.byte(0x00);
    w.u32(limits.min);
  } else {
    w.byte(0x01);
    w.u32(limits.min);
    w.u32(limits.max);
  }
}

/** Appends a function body with its size prefix; returns where its code begins in `w`. */
function writeBody(w: ByteWriter, fn: WasmFunctionBuilder): number {
  const { bytes, codeStart } = fn.encodeBody();
  w.u32(bytes.length);
  const bodyStart = w.length;
  w.raw(bytes);
  return bodyStart + codeStart;
}

function limitsText(limits: Limits): string {
  return limits.max === undefined ? `${limits.min}` : `${limits.min} ${limits.max}`;
}

export class WasmModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly typeKeys = new Map<string, number>();
  private readonly imports: Import[] = [];
  private readonly importedFuncNames: string[] = [];
  private readonly functions: WasmFunctionBuilder[] = [];
  private readonly exports: Export[] = [];
  private readonly globals: Global[] = [];
  /** Absolute offset of each defined function's code in the last encode(). */
  private codeOffsets: number[] = [];

  /** Whether any function defined so far has a loop. */
  hasLoops(): boolean { return this.functions.some((f) => f.loops > 0); }
  /** Bytes of code of the functions defined so far. */
  codeBytes(): number { return this.functions.reduce((n, f) => n + f.codeBytes, 0); }

  /** The index of the function type params -> results (deduplicated). */
  addType(params: readonly ValType[], results: readonly ValType[]): number {
    params.forEach((t) => checkValType(t, 'addType param'));
    results.forEach((t) => checkValType(t, 'addType result'));
    const key = `${params.join(',')}:${results.join(',')}`;
    const known = this.typeKeys.get(key);
    if (known !== undefined) return known;
    const index = this.types.length;
    this.types.push({ params: Object.freeze([...params]), results: Object.freeze([...results]) });
    this.typeKeys.set(key, index);
    return index;
  }

  importMemory(module: string, name: string, minPages: number, maxPages?: number): void {
    if (this.hasImport(ExternKind.Memory)) throw new Error('importMemory: the module already has a memory');
    const limits = checkLimits(minPages, maxPages, 'importMemory');
    if (limits.min > 65536 || (limits.max ?? 0) > 65536) throw new RangeError('importMemory: more than 65536 pages');
    this.imports.push({ kind: ExternKind.Memory, module, name, limits });
  }

  /** Imports funcref table 0. */
  importTable(module: string, name: string, minSize: number): void {
    if (this.hasImport(ExternKind.Table)) throw new Error('importTable: the module already has a table');
    this.imports.push({ kind: ExternKind.Table, module, name, limits: checkLimits(minSize, undefined, 'importTable') });
  }

  /** Returns the imported function's index. Must precede every addFunction. */
  importFunction(module: string, name: string, typeIndex: number): number {
    this.funcType(typeIndex);
    if (this.functions.length) throw new Error(`importFunction ${module}.${name}: imports must precede defined functions`);
    this.imports.push({ kind: ExternKind.Func, module, name, typeIndex });
    this.importedFuncNames.push(`${module}.${name}`);
    return this.importedFuncNames.length - 1;
  }

  /** A new function; its index is the number of imported functions + k. */
  addFunction(typeIndex: number, name?: string): WasmFunctionBuilder {
    const fn = new WasmFunctionBuilder(this, this.importedFuncNames.length + this.functions.length, typeIndex, name);
    this.functions.push(fn);
    return fn;
  }

  /** A new mutable i32 global with initial value `init`. */
  addGlobal(init: number): Global {
    const g = { index: this.globals.length, init: init | 0 };
    this.globals.push(g);
    return g;
  }

  /** @internal */
  hasGlobal(g: Global): boolean { return this.globals[g?.index] === g; }

  exportFunction(name: string, funcIndex: number): void {
    if (this.exports.some((e) => e.name === name)) throw new Error(`exportFunction: duplicate export name ${quote(name)}`);
    checkU32(funcIndex, `exportFunction ${quote(name)}`);
    this.exports.push({ name, funcIndex });
  }

  /** Whether the module imports function module.name. */
  importsFunction(module: string, name: string): boolean { return this.importedFuncNames.includes(`${module}.${name}`); }

  /** Number of functions (imported + defined). */
  get functionCount(): number { return this.importedFuncNames.length + this.functions.length; }

  /** @internal */
  funcType(typeIndex: number): FuncType {
    const type = Number.isInteger(typeIndex) ? this.types[typeIndex] : undefined;
    if (!type) throw new RangeError(`no function type ${typeIndex} (the module has ${this.types.length})`);
    return type;
  }

  private hasImport(kind: ExternKind): boolean {
    return this.imports.some((i) => i.kind === kind);
  }

  // -- encode ----------------------------------------------------------------

  encode(): Uint8Array<ArrayBuffer> {
    this.checkComplete();
    const out = new ByteWriter();
    out.raw([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
    out.raw([0x01, 0x00, 0x00, 0x00]); // version 1
    if (this.types.length) this.section(out, Section.Type, (w) => this.writeTypes(w));
    if (this.imports.length) this.section(out, Section.Import, (w) => this.writeImports(w));
    if (this.functions.length) this.section(out, Section.Function, (w) => w.vec(this.functions, (f) => w.u32(f.typeIndex)));
    if (this.globals.length) this.section(out, Section.Global, (w) => this.writeGlobals(w));
    if (this.exports.length) this.section(out, Section.Export, (w) => this.writeExports(w));
    if (this.functions.some((f) => f.hasHints)) this.section(out, Section.Custom, (w) => this.writeBranchHints(w));
    if (this.functions.length) this.writeCodeSection(out);
    if (this.hasNames()) this.section(out, Section.Custom, (w) => this.writeNames(w));
    return out.bytes.slice();
  }

  /** Everything a valid module needs and that forward references may have left open. */
  private checkComplete(): void {
    const total = this.functionCount;
    for (const fn of this.functions) {
      if (!fn.isFinished) throw new Error(`encode: function ${fn.index}${fn.name ? ` (${fn.name})` : ''} is not finished`);
      for (const callee of fn.callees) {
        if (callee >= total) throw new RangeError(`encode: function ${fn.index} calls function ${callee}, but the module has ${total}`);
      }
      if (fn.usesMemory && !this.hasImport(ExternKind.Memory)) throw new Error(`encode: function ${fn.index} accesses memory, but no memory was imported`);
      if (fn.usesTable && !this.hasImport(ExternKind.Table)) throw new Error(`encode: function ${fn.index} uses call_indirect, but no table was imported`);
    }
    for (const e of this.exports) {
      if (e.funcIndex >= total) throw new RangeError(`encode: export ${quote(e.name)} names function ${e.funcIndex}, but the module has ${total}`);
    }
  }

  /** Writes section `id` with the content `fill` writes; returns the content's offset. */
  private section(out: ByteWriter, id: Section, fill: (w: ByteWriter) => void): number {
    const content = new ByteWriter();
    fill(content);
    out.byte(id);
    out.u32(content.length);
    const start = out.length;
    out.raw(content.bytes);
    return start;
  }

  private writeTypes(w: ByteWriter): void {
    w.vec(this.types, (t) => {
      w.byte(FUNC_TYPE_FORM);
      w.vec(t.params, (p) => w.byte(p));
      w.vec(t.results, (r) => w.byte(r));
    });
  }

  private writeImports(w: ByteWriter): void {
    w.vec(this.imports, (imp) => {
      w.name(imp.module);
      w.name(imp.name);
      w.byte(imp.kind);
      switch (imp.kind) {
        case ExternKind.Func: w.u32(imp.typeIndex); break;
        case ExternKind.Table: w.byte(FUNCREF); writeLimits(w, imp.limits); break;
        case ExternKind.Memory: writeLimits(w, imp.limits); break;
      }
    });
  }

  /** Each global: i32, mutable, initialised by `i32.const init; end`. */
  private writeGlobals(w: ByteWriter): void {
    w.vec(this.globals, (g) => {
      w.byte(ValType.I32); w.byte(1);
      w.byte(OPCODES.I32_CONST); w.s32(g.init); w.byte(OPCODES.END);
    });
  }

  /** The branch hinting section (before the code section): per function, the
   *  offset in its body of each rarely taken branch, hint 0 (not taken). */
  private writeBranchHints(w: ByteWriter): void {
    w.name('metadata.code.branch_hint');
    w.vec(this.functions.filter((f) => f.hasHints), (f) => {
      w.u32(f.index);
      w.vec(f.rareBranches(), (off) => { w.u32(off); w.u32(1); w.byte(0); });
    });
  }

  private writeExports(w: ByteWriter): void {
    w.vec(this.exports, (e) => {
      w.name(e.name);
      w.byte(ExternKind.Func);
      w.u32(e.funcIndex);
    });
  }

  private writeCodeSection(out: ByteWriter): void {
    const relative: number[] = [];
    const start = this.section(out, Section.Code, (w) => w.vec(this.functions, (f) => relative.push(writeBody(w, f))));
    this.codeOffsets = relative.map((r) => start + r);
  }

  private hasNames(): boolean {
    return this.importedFuncNames.length > 0 || this.functions.some((f) => f.name !== undefined);
  }

  /** The "name" custom section with the function-names subsection. */
  private writeNames(w: ByteWriter): void {
    w.name('name');
    const names: [number, string][] = [];
    this.importedFuncNames.forEach((n, i) => names.push([i, n]));
    for (const f of this.functions) if (f.name !== undefined) names.push([f.index, f.name]);
    const sub = new ByteWriter();
    sub.vec(names, ([index, name]) => { sub.u32(index); sub.name(name); });
    w.byte(1); // function names
    w.sized(sub);
  }

  // -- text ------------------------------------------------------------------

  /** The module in the WebAssembly text format (WAT): a complete module's text
   *  assembles (wat2wasm) to encode()'s bytes, except the name section, which
   *  assemblers derive from the `$id`s. Function names become `$id`s (sanitized,
   *  unique); each definition carries its index in a `(;N;)` comment; branch
   *  targets are depths with their label in a `;;` comment. With offsets, each instruction is prefixed by its
   *  absolute byte offset in encode()'s output as a comment `(;@27;)`, in decimal
   *  like V8's compile errors ("@+27"). */
  toText(options: { offsets?: boolean } = {}): string {
    if (options.offsets) this.encode();
    const ids = this.functionIds();
    const out = ['(module'];
    this.types.forEach((t, i) => out.push(`  (type${indexComment(i)} (func${signatureText(t.params, t.results)}))`));
    let funcIndex = 0;
    for (const imp of this.imports) {
      out.push(`  (import ${watString(imp.module)} ${watString(imp.name)} ${this.importText(imp, funcIndex, ids)})`);
      if (imp.kind === ExternKind.Func) funcIndex++;
    }
    for (const g of this.globals) out.push(`  (global${indexComment(g.index)} (mut i32) (i32.const ${g.init}))`);
    this.functions.forEach((f, k) => out.push(...f.text(2, options.offsets ? this.codeOffsets[k] : undefined, ids)));
    for (const e of this.exports) out.push(`  (export ${watString(e.name)} (func ${ids[e.funcIndex] ?? e.funcIndex}))`);
    out.push(')');
    return out.join('\n') + '\n';
  }

  /** The `$id` of every function index, from the names the name section holds. */
  private functionIds(): (string | undefined)[] {
    return uniqueWatIds([...this.importedFuncNames, ...this.functions.map((f) => f.name)]);
  }

  private importText(imp: Import, funcIndex: number, ids: readonly (string | undefined)[]): string {
    switch (imp.kind) {
      case ExternKind.Func: {
        const t = this.types[imp.typeIndex]!;
        const id = ids[funcIndex] ? ` ${ids[funcIndex]}` : '';
        return `(func${id}${indexComment(funcIndex)} (type ${imp.typeIndex})${signatureText(t.params, t.results)})`;
      }
      // Limits directly after the keyword: an index there would be read as the minimum.
      case ExternKind.Table: return `(table${indexComment(0)} ${limitsText(imp.limits)} funcref)`;
      case ExternKind.Memory: return `(memory${indexComment(0)} ${limitsText(imp.limits)})`;
    }
  }
}

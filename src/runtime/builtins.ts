// The built-in functions whose work is host-side text: number formatting and
// parsing, fixed, chr (f64 math is in the registry, bytecode/builtins.ts). Each
// returns a JS value or throws a Trap with the contract's message; the tiers move
// values in and out of linear memory.

import { Trap } from './errors.js';

export function formatF64(x: number): string { return String(x); }

export function fixed(x: number, digits: number): string {
  if (digits < 0 || digits > 20) throw new Trap(`fixed: digits ${digits} out of range 0..20`);
  return x.toFixed(digits);
}

/** Traps unless `code` is a code point (0..0x10FFFF), as chr() requires. */
export function checkCodePoint(code: number): void {
  if (code < 0 || code > 0x10ffff) throw new Trap(`chr: code point ${code} out of range`);
}

export function chr(code: number): string {
  checkCodePoint(code);
  return String.fromCodePoint(code);
}

const I32_TEXT = /^[+-]?[0-9]+$/;
const F64_TEXT = /^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

export function parseI32(text: string): number {
  if (I32_TEXT.test(text)) {
    const v = Number(text);
    if (v >= -2147483648 && v <= 2147483647) return v;
  }
  throw new Trap(`malformed number: "${text}"`);
}

/** parseI32 of the text in code units u16[at .. at + len): the usual case
 *  (an optional sign and at most 10 digits, in range) read from the units, with
 *  no host string made; anything else is parseI32(text()), which gives the same
 *  value or the same trap. */
export function parseI32Units(u16: Uint16Array, at: number, len: number, text: () => string): number {
  let i = 0, neg = false;
  if (len > 0 && (u16[at] === 45 || u16[at] === 43)) { neg = u16[at] === 45; i = 1; }
  if (i < len && len - i <= 10) {
    let v = 0;
    for (; i < len; i++) {
      const d = u16[at + i]! - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === len) {
      if (neg) v = -v;
      if (v >= -2147483648 && v <= 2147483647) return v | 0;
    }
  }
  return parseI32(text());
}

export function parseF64(text: string): number {
  if (!F64_TEXT.test(text)) throw new Trap(`malformed number: "${text}"`);
  return Number(text);
}

/** f64 as i32: truncate toward zero, saturate, NaN -> 0 (wasm i32.trunc_sat_f64_s). */
export function f64ToI32(x: number): number {
  if (x !== x) return 0;
  if (x >= 2147483647) return 2147483647;
  if (x <= -2147483648) return -2147483648;
  return x | 0;
}

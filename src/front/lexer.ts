// The lexer: Tier source text -> tokens with 1-based line/col (columns count UTF-16
// code units, which JavaScript string indices already are).
//
// What must stay true:
// - lex() never throws; every lexical problem becomes a Diagnostic at the offending
//   character (an unterminated string or comment at its opening `"` or `/*`, a bad
//   escape at its `\`, a too-large hex literal at its first character);
// - after a problem the lexer still produces a token (a string with what it could
//   decode, an int 0, or an 'error' token for a stray character or an unterminated
//   string), so the parser goes on; a token whose first character the lexer
//   reported is marked `rejected`, and the parser never reports a second error there;
// - lexing is linear in the source: diagnostics are collected in a DiagnosticList
//   (the first ones kept, the rest counted), so a megabyte of stray characters costs
//   a count, not a million reports;
// - a string or block comment left open at the end of the file swallowed the rest of
//   the file, so the 'eof' token says so (`cutShort`) and the parser reports nothing
//   there (a missing `}` is a consequence, not a second error);
// - the token list always ends with exactly one 'eof' token, placed just past the
//   last character of the source.
// Decimal literals are NOT range-checked here: `-2147483648` is legal, and only the
// parser knows whether a minus sign precedes the literal.

import { type Diagnostic, DiagnosticList, clip } from './diagnostics.js';
import type { Pos } from './ast.js';

export type TokenKind = 'int' | 'float' | 'string' | 'ident' | 'keyword' | 'punct' | 'error' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The token's source text (for 'eof' the empty string). */
  text: string;
  line: number;
  col: number;
  /** int: the value (hex: wrapped to the i32 bit pattern; decimal: unwrapped); float: the value. */
  num?: number;
  /** string: the decoded value. */
  str?: string;
  /** int: written in hex (already an i32 bit pattern, never range-checked again). */
  hex?: boolean;
  /** eof: an unterminated string or block comment ran into the end of the file. */
  cutShort?: boolean;
  /** A lexical error was reported at this token's first character. */
  rejected?: boolean;
}

export interface LexResult {
  tokens: Token[];
  /** The first lexical errors in source order (see DiagnosticList). */
  diagnostics: Diagnostic[];
  /** How many lexical errors there are in all. */
  errorCount: number;
  /** How many of them are value errors (valueError): tokens whose kind and
   *  extent are sure, so that type checking can go on. */
  valueErrorCount: number;
  /** Where the other errors are, in source order (the first
   *  MAX_PLACED_ERRORS): the parser tells which lie inside a function body
   *  that parsed, where they leave the rest of the program checkable. */
  structuralAt: Pos[];
}

/** Lexical errors placed for the parser at most (a megabyte of stray
 *  characters costs a count, not a million positions; past it, a program with
 *  lexical errors is not type-checked). */
const MAX_PLACED_ERRORS = 1000;

export const KEYWORDS: ReadonlySet<string> = new Set([
  'fn', 'let', 'var', 'if', 'else', 'while', 'for', 'in', 'break', 'continue', 'return',
  'struct', 'new', 'null', 'true', 'false', 'as', 'extern',
]);

/** Every punctuation token, longest first so that the first match is the longest. */
const PUNCTUATION: readonly string[] = [
  '>>>', '<<=', '>>=',
  '..', '->', '==', '!=', '<=', '>=', '<<', '>>', '&&', '||',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '(', ')', '[', ']', '{', '}', ',', ';', ':', '.',
  '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '=', '<', '>',
];

/** PUNCTUATION by first character (still longest first), so a character is tried
 *  only against the few tokens it can start. */
const PUNCTUATION_BY_FIRST: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const p of PUNCTUATION) m.set(p[0]!, [...(m.get(p[0]!) ?? []), p]);
  return m;
})();

const MAX_CODE_POINT = 0x10ffff;
const MAX_HEX_LITERAL = 0xffffffff;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', '0': '\0',
};

function isDigit(c: string | undefined): boolean { return c !== undefined && c >= '0' && c <= '9'; }
function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}
function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z_]$/.test(c);
}
function isIdentPart(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z0-9_]$/.test(c);
}

/** Per-call lexer state. */
class Lexer {
  pos = 0;
  readonly tokens: Token[] = [];
  readonly diagnostics = new DiagnosticList();
  /** Offset of the last error reported (a token starting there is `rejected`). */
  private errorAt = -1;
  /** An unterminated string or block comment reached the end of the source. */
  cutShort = false;
  /** How many of the errors are value errors (valueError). */
  valueErrors = 0;
  readonly structuralAt: Pos[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src[i] === '\n') this.lineStarts.push(i + 1);
  }

  /** The 0-based index of the line holding a string offset. */
  lineOf(offset: number): number {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** An error in a token's value only (a literal out of range or with no
   *  digits, a bad escape in a string): the token keeps its kind and extent (a
   *  literal stands as 0, an escape as nothing), so nothing can follow from
   *  it, and type checking still runs (front/index.ts). */
  valueError(offset: number, message: string): void {
    this.valueErrors++;
    this.report(offset, message);
  }

  /** Any other lexical error. */
  error(offset: number, message: string): void {
    const at = this.report(offset, message);
    if (this.structuralAt.length < MAX_PLACED_ERRORS) this.structuralAt.push(at);
  }

  private report(offset: number, message: string): Pos {
    this.errorAt = offset;
    const line = this.lineOf(offset);
    const at = { line: line + 1, col: offset - this.lineStarts[line]! + 1 };
    this.diagnostics.add(at.line, at.col, message);
    return at;
  }

  push(kind: TokenKind, start: number, extra?: Partial<Token>): void {
    const line = this.lineOf(start);
    const token: Token = { kind, text: this.src.slice(start, this.pos), line: line + 1, col: start - this.lineStarts[line]! + 1 };
    if (extra) Object.assign(token, extra);
    if (this.errorAt === start) token.rejected = true;
    this.tokens.push(token);
  }

  peekChar(ahead = 0): string | undefined { return this.src[this.pos + ahead]; }
}

export function lex(source: string): LexResult {
  const lx = new Lexer(source);
  while (skipTrivia(lx)) lexToken(lx);
  lx.push('eof', lx.pos, lx.cutShort ? { cutShort: true } : undefined);
  return { tokens: lx.tokens, diagnostics: lx.diagnostics.items(), errorCount: lx.diagnostics.count, valueErrorCount: lx.valueErrors, structuralAt: lx.structuralAt };
}

/** Skips whitespace and comments; false at the end of the source. */
function skipTrivia(lx: Lexer): boolean {
  for (;;) {
    const c = lx.peekChar();
    if (c === undefined) return false;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { lx.pos++; continue; }
    if (c === '/' && lx.peekChar(1) === '/') { skipLineComment(lx); continue; }
    if (c === '/' && lx.peekChar(1) === '*') { skipBlockComment(lx); continue; }
    return true;
  }
}

function skipLineComment(lx: Lexer): void {
  const end = lx.src.indexOf('\n', lx.pos);
  lx.pos = end < 0 ? lx.src.length : end;
}

function skipBlockComment(lx: Lexer): void {
  const end = lx.src.indexOf('*/', lx.pos + 2);
  if (end < 0) {
    lx.error(lx.pos, 'unterminated block comment');
    lx.cutShort = true;
    lx.pos = lx.src.length;
  } else {
    lx.pos = end + 2;
  }
}

function lexToken(lx: Lexer): void {
  const c = lx.peekChar()!;
  if (isDigit(c)) return lexNumber(lx);
  if (isIdentStart(c)) return lexWord(lx);
  if (c === '"') return lexString(lx);
  for (const p of PUNCTUATION_BY_FIRST.get(c) ?? []) {
    if (lx.src.startsWith(p, lx.pos)) {
      const start = lx.pos;
      lx.pos += p.length;
      return lx.push('punct', start);
    }
  }
  lexStrayCharacter(lx);
}

function lexWord(lx: Lexer): void {
  const start = lx.pos;
  while (isIdentPart(lx.peekChar())) lx.pos++;
  const text = lx.src.slice(start, lx.pos);
  lx.push(KEYWORDS.has(text) ? 'keyword' : 'ident', start);
}

/** A character for a message: itself in quotes, or its code point (U+001B)
 *  when it is a control character, which a terminal would act on. */
function shownCharacter(ch: string): string {
  const c = ch.codePointAt(0)!;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) ? `U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
}

function lexStrayCharacter(lx: Lexer): void {
  const start = lx.pos;
  const ch = String.fromCodePoint(lx.src.codePointAt(start)!);
  lx.pos += ch.length;
  lx.error(start, `unexpected character ${shownCharacter(ch)}`);
  lx.push('error', start);
}

// ---- numbers -------------------------------------------------------------------

function lexNumber(lx: Lexer): void {
  const c1 = lx.peekChar(1);
  if (lx.peekChar() === '0' && (c1 === 'x' || c1 === 'X')) return lexHex(lx);
  lexDecimal(lx);
}

/** Consumes digits and `_` separators, returning them without the separators. */
function takeDigits(lx: Lexer, isValid: (c: string | undefined) => boolean): string {
  let digits = '';
  for (let c = lx.peekChar(); isValid(c) || c === '_'; c = lx.peekChar()) {
    if (c !== '_') digits += c;
    lx.pos++;
  }
  return digits;
}

function lexHex(lx: Lexer): void {
  const start = lx.pos;
  lx.pos += 2;
  const digits = takeDigits(lx, isHexDigit);
  if (!rejectTrailingLetters(lx) && digits === '') {
    lx.valueError(start, 'missing digits in hexadecimal literal');
  }
  let value = digits === '' ? 0 : parseInt(digits, 16);
  if (value > MAX_HEX_LITERAL) {
    lx.valueError(start, `integer literal ${clip(lx.src.slice(start, lx.pos))} is too large`);
    value = 0;
  }
  lx.push('int', start, { num: value | 0, hex: true });
}

function lexDecimal(lx: Lexer): void {
  const start = lx.pos;
  let text = takeDigits(lx, isDigit);
  let isFloat = false;
  if (lx.peekChar() === '.' && isDigit(lx.peekChar(1))) {
    lx.pos++;
    text += '.' + takeDigits(lx, isDigit);
    isFloat = true;
  }
  if (atExponent(lx)) {
    text += takeExponent(lx);
    isFloat = true;
  }
  const bad = rejectTrailingLetters(lx);
  if (isFloat) lx.push('float', start, { num: bad ? 0 : Number(text) });
  else lx.push('int', start, { num: bad ? 0 : Number(text), hex: false });
}

/** `e`/`E`, an optional sign, then a digit. */
function atExponent(lx: Lexer): boolean {
  const e = lx.peekChar();
  if (e !== 'e' && e !== 'E') return false;
  const s = lx.peekChar(1);
  return isDigit(s) || ((s === '+' || s === '-') && isDigit(lx.peekChar(2)));
}

function takeExponent(lx: Lexer): string {
  let text = 'e';
  lx.pos++;
  const sign = lx.peekChar();
  if (sign === '+' || sign === '-') { text += sign; lx.pos++; }
  return text + takeDigits(lx, isDigit);
}

/** A number running straight into letters (`12ab`, `1e`) is an error at the
 *  first letter; the letters are the literal's, and so is the sign of an
 *  exponent with no digits and what follows it (`1e+`, `2E-x`), which would
 *  otherwise be read as an operator, and `1e+)` as one missing its operand, a
 *  second error. */
function rejectTrailingLetters(lx: Lexer): boolean {
  if (!isIdentPart(lx.peekChar())) return false;
  const start = lx.pos;
  lx.error(lx.pos, `unexpected character ${shownCharacter(lx.peekChar() ?? "")} in number literal`);
  while (isIdentPart(lx.peekChar())) lx.pos++;
  const e = lx.src[start], sign = lx.peekChar();
  if (lx.pos === start + 1 && (e === 'e' || e === 'E') && (sign === '+' || sign === '-')) {
    lx.pos++;
    while (isIdentPart(lx.peekChar())) lx.pos++;
  }
  return true;
}

// ---- strings -------------------------------------------------------------------

function lexString(lx: Lexer): void {
  const start = lx.pos;
  lx.pos++;
  let value = '';
  for (;;) {
    const c = lx.peekChar();
    if (c === undefined || c === '\n') {
      lx.error(start, 'unterminated string');
      if (c === undefined) lx.cutShort = true;
      return lx.push('error', start);
    }
    if (c === '"') { lx.pos++; break; }
    if (c === '\\') { value += lexEscape(lx); continue; }
    value += c;
    lx.pos++;
  }
  lx.push('string', start, { str: value });
}

/** Decodes one escape starting at the `\`; on error reports it and returns ''. */
function lexEscape(lx: Lexer): string {
  const start = lx.pos;
  const c = lx.peekChar(1);
  if (c !== undefined && c in SIMPLE_ESCAPES) {
    lx.pos += 2;
    return SIMPLE_ESCAPES[c]!;
  }
  if (c === 'u') return lexUnicodeEscape(lx);
  lx.pos += c === undefined || c === '\n' ? 1 : 2;
  lx.valueError(start, c === undefined || c === '\n' ? 'invalid escape' : `invalid escape '\\${c}'`);
  return '';
}

/** `\u{HEX}`: a code point, two code units above 0xFFFF. */
function lexUnicodeEscape(lx: Lexer): string {
  const start = lx.pos;
  lx.pos += 2;
  if (lx.peekChar() !== '{') {
    lx.valueError(start, "invalid escape: expected '{' after '\\u'");
    return '';
  }
  lx.pos++;
  let digits = '';
  while (isHexDigit(lx.peekChar())) digits += lx.src[lx.pos++];
  if (digits === '' || lx.peekChar() !== '}') {
    lx.valueError(start, "invalid escape: expected hexadecimal digits and '}' in '\\u{...}'");
    return '';
  }
  lx.pos++;
  const cp = parseInt(digits, 16);
  if (cp > MAX_CODE_POINT) {
    lx.valueError(start, `invalid code point 0x${digits.replace(/^0+(?=.)/, '').toUpperCase()} in escape`);
    return '';
  }
  return String.fromCodePoint(cp);
}

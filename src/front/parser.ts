// The parser: tokens -> the syntax tree of ast.ts, by recursive descent, with
// precedence climbing for binary operators.
//
// What must stay true:
// - Node positions follow docs/language.md: an expression's pos is its first token,
//   except binary (the operator), cast (`as`), field and len (the name after the dot);
//   a call's and an index's pos is the first token of the callee / indexed object;
//   a statement's pos is its first token; a declaration's pos is its name.
// - Every syntax error is reported once, at the unexpected token, and the parser
//   recovers at statement boundaries (after `;`, at `}`) and at top-level declaration
//   keywords, so every syntax error of the file is found. No two errors are reported
//   at the same position (which also silences errors at tokens the lexer already
//   rejected).
// - Parentheses leave no node; the position of the `(` of a parenthesised expression
//   is kept in `parenStarts` so that "the first token of that expression" is exact.
// - Nesting is bounded: no tree the parser returns is deeper than MAX_NESTING levels
//   (as counted by `enter`, see below), and past that the parser stops recursing and
//   reports `nesting deeper than N levels` at the token that opened the level too
//   many. Every later stage (checker, lowering) recurses only along such nesting, so
//   this one limit is what keeps every stage within the host stack, on any thread.
//   What is not nesting must not recurse per element: a chain of binary operators
//   at one precedence level is a loop here (a right operand is one level deeper
//   than its operator, a left operand is not), and so are postfix chains and
//   chains of `else if`.

import type {
  AssignOp, BinOp, Block, Decl, Expr, ExternDecl, FnDecl, GlobalDecl, IfStmt, Param, Pos, Program,
  Stmt, StructDecl, TypeNode, UnOp,
} from './ast.js';
import { type Diagnostic, DiagnosticList, HOST_STACK_MESSAGE, clip, isHostStackOverflow } from './diagnostics.js';
import type { Token } from './lexer.js';

export interface ParseResult {
  program: Program;
  /** The first syntax errors in source order (see DiagnosticList). */
  diagnostics: Diagnostic[];
  /** How many syntax errors there are in all. */
  errorCount: number;
  /** How many of them are value errors: decimal literals out of range, which
   *  stand as 0, so type checking still runs (front/index.ts). */
  valueErrorCount: number;
  /** How many of the others are inside the body of a function that parsed
   *  (its `}` found): that function has `cleanStatements`, and nothing outside
   *  it follows from them (front/index.ts checks the program then). */
  inBodyErrorCount: number;
  /** How many of ParseOptions.lexicalAt lie inside the body of a function that
   *  parsed: like the syntax errors there, they leave the rest checkable. */
  inBodyLexicalCount: number;
  /** How many of the others cut short a declaration after its name
   *  (Program.broken), taking in no line that starts with `let` or `var` (a
   *  global, maybe): they too leave the rest checkable. */
  inBrokenDeclErrorCount: number;
  /** The `(` of every parenthesised expression (outermost wins). */
  parenStarts: WeakMap<Expr, Pos>;
}

/** Binary operators by precedence level, loosest first; all left-associative. */
const BINARY_LEVELS: readonly (readonly BinOp[])[] = [
  ['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['|'], ['^'], ['&'],
  ['<<', '>>', '>>>'], ['+', '-'], ['*', '/', '%'],
];

const ASSIGN_OPS: ReadonlySet<string> = new Set<AssignOp>(
  ['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>='],
);
const UNARY_OPS: ReadonlySet<string> = new Set<UnOp>(['-', '!', '~']);

/** Keywords that start a statement: recovery stops before them. */
const STATEMENT_KEYWORDS: ReadonlySet<string> = new Set(
  ['let', 'var', 'if', 'while', 'for', 'return', 'break', 'continue'],
);

/**
 * The deepest nesting a program may have: blocks, parentheses, array literals,
 * `new`, unary operators, array and function types, the right operand of a binary
 * operator, and each link of a postfix chain (call, index, field) or of a cast
 * chain (for what follows it) each open one level. Chosen so that
 * every stage stays far inside the smallest host stack tiervm runs on (Node's
 * ~1 MB main-thread stack): bench/nesting.mjs measures how deep each stage could
 * go, and docs/language.md ("Limits") gives the numbers.
 */
export const MAX_NESTING = 256;

const I32_MAX = 2147483647;
const I32_MIN_MAGNITUDE = 2147483648;

/** Thrown to abandon the current statement or declaration after reporting. */
class ParseAbort extends Error {}

/** The first token of an expression (see the file comment). */
export function exprStart(e: Expr, parenStarts?: WeakMap<Expr, Pos>): Pos {
  for (;;) {
    const paren = parenStarts?.get(e);
    if (paren) return paren;
    switch (e.kind) {
      case 'binary': e = e.left; break;
      case 'cast': e = e.expr; break;
      case 'field': case 'len': e = e.object; break;
      default: return e.pos;
    }
  }
}

export interface ParseOptions {
  /** The nesting limit (default MAX_NESTING; bench/nesting.mjs lifts it to measure). */
  maxNesting?: number;
  /** Where the lexer's errors other than value errors are, in source order
   *  (LexResult.structuralAt): those inside a function body that parsed are
   *  counted in inBodyLexicalCount, and its cleanStatements stop before them. */
  lexicalAt?: readonly Pos[];
}

/**
 * `earlier`: diagnostics already reported (the lexer's); no syntax error is
 * reported at their positions, nor at a token the lexer marked `rejected`.
 */
export function parse(file: string, tokens: Token[], earlier: readonly Diagnostic[] = [], options: ParseOptions = {}): ParseResult {
  const p = new Parser(tokens, earlier, options.maxNesting ?? MAX_NESTING, options.lexicalAt ?? []);
  let decls: Decl[] = [];
  try {
    decls = parseDecls(p);
  } catch (e) {
    if (!isHostStackOverflow(e)) throw e;
    p.report(p.peek(), HOST_STACK_MESSAGE);
  }
  const program = { file, decls, broken: p.broken };
  return { program, diagnostics: p.diagnostics.items(), errorCount: p.diagnostics.count, valueErrorCount: p.valueErrors,
    inBodyErrorCount: p.inBodyErrors, inBodyLexicalCount: p.inBodyLexical, inBrokenDeclErrorCount: p.inBrokenDeclErrors,
    parenStarts: p.parenStarts };
}

/** Per-parse state: the token cursor, brace depth, nesting and what has been reported. */
class Parser {
  index = 0;
  /** `{` consumed minus `}` consumed, for recovery. */
  braceDepth = 0;
  /** Levels of nesting open (see `enter`); reset where an abandoned parse resumes. */
  depth = 0;
  readonly diagnostics = new DiagnosticList();
  readonly parenStarts = new WeakMap<Expr, Pos>();
  private readonly reported = new Set<string>();
  /** How many of the errors reported are value errors (checkedIntValue). */
  valueErrors = 0;
  /** How many of the syntax errors (not value errors) were inside the body of
   *  a function that parsed (parseFn). */
  inBodyErrors = 0;
  /** How many lexical errors were inside the body of a function that parsed. */
  inBodyLexical = 0;
  /** The name of the declaration being parsed, once read (null before). */
  declaring: string | null = null;
  /** Names of declarations cut short after their name, and the syntax errors in them. */
  readonly broken: string[] = [];
  inBrokenDeclErrors = 0;

  /** Syntax errors reported so far, value errors aside. */
  get structuralErrors(): number { return this.diagnostics.count - this.valueErrors; }

  constructor(private readonly tokens: Token[], earlier: readonly Diagnostic[], private readonly maxNesting: number,
    private readonly lexicalAt: readonly Pos[]) {
    for (const d of earlier) this.reported.add(`${d.line}:${d.col}`);
    const eof = tokens[tokens.length - 1]!;
    if (eof.cutShort) this.reported.add(`${eof.line}:${eof.col}`);
  }

  /** Opens one level of nesting at `t`; one level too many is a syntax error there
   *  (and abandons the statement, so nothing deeper is ever parsed). */
  enter(t: Token): void {
    if (++this.depth > this.maxNesting) this.fail(t, `nesting deeper than ${this.maxNesting} levels`);
  }

  leave(levels = 1): void { this.depth -= levels; }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.index++;
    if (isSymbol(t, '{')) this.braceDepth++;
    if (isSymbol(t, '}')) this.braceDepth--;
    return t;
  }

  /** Is the current token this punctuation or keyword? */
  at(text: string): boolean { return isSymbol(this.peek(), text); }

  eat(text: string): boolean {
    if (!this.at(text)) return false;
    this.next();
    return true;
  }

  expect(text: string): Token {
    if (!this.at(text)) this.fail(this.peek(), `expected '${text}' but found ${describe(this.peek())}`);
    return this.next();
  }

  expectName(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail(t, `expected ${what} but found ${describe(t)}`);
    return this.next();
  }

  /** Reports an error at `at`, unless one is there already; true if it did. */
  report(at: Pos, message: string): boolean {
    const key = `${at.line}:${at.col}`;
    if (this.reported.has(key) || this.lexerRejected(at)) return false;
    this.reported.add(key);
    this.diagnostics.add(at.line, at.col, message);
    return true;
  }

  /** Did the lexer report an error at the token starting at `at`? (Binary search:
   *  tokens are in source order.) */
  private lexerRejected(at: Pos): boolean {
    let lo = 0, hi = this.tokens.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const t = this.tokens[mid]!;
      if (t.line < at.line || (t.line === at.line && t.col < at.col)) lo = mid + 1; else hi = mid;
    }
    const t = this.tokens[lo]!;
    return t.line === at.line && t.col === at.col && t.rejected === true;
  }

  /** How many lexical errors lie at or after `from` and before `to`. */
  lexicalBetween(from: Pos, to: Pos): number {
    return this.lexicalBefore(to) - this.lexicalBefore(from);
  }

  /** How many lexical errors lie before `at` (they are in source order). */
  private lexicalBefore(at: Pos): number {
    const a = this.lexicalAt;
    let lo = 0, hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = a[mid]!;
      if (e.line < at.line || (e.line === at.line && e.col < at.col)) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  fail(at: Pos, message: string): never {
    this.report(at, message);
    throw new ParseAbort(message);
  }

  /** Is there a `let` or `var` at the start of a line among tokens [from, to)?
   *  What a broken declaration took in (an unclosed body parsed it as a
   *  statement, or recovery skipped it inside an unclosed brace) may have been a
   *  global: the rest of the file cannot be checked without it. */
  globalsWithin(from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const t = this.tokens[i]!;
      if (t.col === 1 && t.kind === 'keyword' && (t.text === 'let' || t.text === 'var')) return true;
    }
    return false;
  }

  /** `fn NAME`, `struct` or `extern`: only a top-level declaration starts so. */
  atDeclarationStart(): boolean {
    const next = this.peek(1);
    if (this.at('struct') || this.at('fn')) return next.kind === 'ident';
    return this.at('extern') && isSymbol(next, 'fn');
  }

  /** Is the current token a statement keyword that begins a statement here
   *  (followed by what that statement needs next)? A keyword that is not
   *  (`let while = 1;`, a keyword misused as a name) is skipped by recovery,
   *  which would otherwise parse it as a statement and report that too. */
  atStatementStart(): boolean {
    const t = this.peek(), next = this.peek(1);
    if (t.kind !== 'keyword' || !STATEMENT_KEYWORDS.has(t.text)) return false;
    switch (t.text) {
      case 'let': case 'var': case 'for': return next.kind === 'ident';
      case 'if': case 'while': return canStartExpression(next);
      case 'return': return canStartExpression(next) || isSymbol(next, ';') || isSymbol(next, '}');
      default: return isSymbol(next, ';');
    }
  }
}

function isSymbol(t: Token, text: string): boolean {
  return (t.kind === 'punct' || t.kind === 'keyword') && t.text === text;
}

function describe(t: Token): string {
  return t.kind === 'eof' ? 'end of file' : `'${clip(t.text)}'`;
}

function posOf(t: Token): Pos { return { line: t.line, col: t.col }; }

// ---- declarations ----------------------------------------------------------------

function parseDecls(p: Parser): Decl[] {
  const decls: Decl[] = [];
  while (p.peek().kind !== 'eof') {
    const start = p.index, depth = p.braceDepth, errors = p.structuralErrors;
    p.declaring = null;
    try {
      decls.push(parseDecl(p));
    } catch (e) {
      if (!(e instanceof ParseAbort)) throw e;
      // A name where the error is (`fn x name(`: `name` was expected to be
      // `(`) may be the one the declaration was meant to have: cut short too.
      const at = p.peek(), declared = p.declaring as string | null;
      p.depth = 0;
      syncToDeclaration(p, depth);
      if (p.index === start) p.next();
      if (declared !== null && !p.globalsWithin(start + 1, p.index)) {
        p.broken.push(declared);
        if (at.kind === 'ident') p.broken.push(at.text);
        p.inBrokenDeclErrors += p.structuralErrors - errors;
      }
    }
  }
  return decls;
}

/**
 * Skips to the next top-level declaration: `fn NAME`, `struct`, `extern`, or a
 * `let`/`var` outside braces at the start of a line (an indented one is more likely
 * a statement of a function whose header was broken).
 */
function syncToDeclaration(p: Parser, startDepth: number): void {
  let depth = Math.max(0, p.braceDepth - startDepth);
  for (let t = p.peek(); t.kind !== 'eof'; t = p.peek()) {
    if (p.atDeclarationStart()) return;
    if (depth === 0 && t.col === 1 && (p.at('let') || p.at('var'))) return;
    if (p.at('{')) depth++;
    if (p.at('}')) depth = Math.max(0, depth - 1);
    p.next();
  }
}

function parseDecl(p: Parser): Decl {
  if (p.at('struct')) return parseStruct(p);
  if (p.at('fn')) return parseFn(p);
  if (p.at('extern')) return parseExtern(p);
  if (p.at('let') || p.at('var')) return parseGlobal(p);
  return p.fail(p.peek(), `expected declaration but found ${describe(p.peek())}`);
}

function parseStruct(p: Parser): StructDecl {
  p.expect('struct');
  const name = p.expectName('struct name');
  p.declaring = name.text;
  p.expect('{');
  const fields = parseCommaList(p, '}', () => {
    const f = p.expectName('field name');
    p.expect(':');
    return { name: f.text, pos: posOf(f), type: parseType(p) };
  });
  return { kind: 'struct', pos: posOf(name), name: name.text, fields };
}

function parseFn(p: Parser): FnDecl {
  p.expect('fn');
  const name = p.expectName('function name');
  p.declaring = name.text;
  const params = parseParams(p);
  const ret = p.eat('->') ? parseType(p) : null;
  const before = p.structuralErrors, open = posOf(p.peek());
  const { block, endLine, cleanStatements } = parseBlockWithEnd(p);
  const decl: FnDecl = { kind: 'fn', pos: posOf(name), name: name.text, params, ret, body: block, endLine };
  const lexical = p.lexicalBetween(open, posOf(p.peek()));
  if (p.structuralErrors > before || lexical > 0) {
    p.inBodyErrors += p.structuralErrors - before;
    p.inBodyLexical += lexical;
    decl.cleanStatements = cleanStatements;
  }
  return decl;
}

function parseExtern(p: Parser): ExternDecl {
  p.expect('extern');
  p.expect('fn');
  const name = p.expectName('function name');
  p.declaring = name.text;
  const params = parseParams(p);
  const ret = p.eat('->') ? parseType(p) : null;
  p.expect(';');
  return { kind: 'extern', pos: posOf(name), name: name.text, params, ret };
}

function parseGlobal(p: Parser): GlobalDecl {
  const mutable = p.next().text === 'var';
  const name = p.expectName('name');
  p.declaring = name.text;
  const type = p.eat(':') ? parseType(p) : null;
  p.expect('=');
  const init = parseExpr(p);
  p.expect(';');
  return { kind: 'global', pos: posOf(name), mutable, name: name.text, type, init };
}

function parseParams(p: Parser): Param[] {
  p.expect('(');
  return parseCommaList(p, ')', () => {
    const name = p.expectName('parameter name');
    p.expect(':');
    return { name: name.text, pos: posOf(name), type: parseType(p) };
  });
}

/** `item, item, ... close` (a trailing comma is allowed); consumes `close`. */
function parseCommaList<T>(p: Parser, close: string, item: () => T): T[] {
  const items: T[] = [];
  while (!p.at(close)) {
    items.push(item());
    if (!p.eat(',')) break;
  }
  p.expect(close);
  return items;
}

/** parseCommaList of expressions, without a callback: one host frame less per
 *  level of nested calls and array literals. */
function parseExprList(p: Parser, close: string): Expr[] {
  const items: Expr[] = [];
  while (!p.at(close)) {
    items.push(parseExpr(p));
    if (!p.eat(',')) break;
  }
  p.expect(close);
  return items;
}

// ---- types ---------------------------------------------------------------------

function parseType(p: Parser): TypeNode {
  const t = p.peek();
  if (t.kind === 'ident') {
    p.next();
    return { kind: 'named', pos: posOf(t), name: t.text };
  }
  if (p.at('[')) {
    p.enter(t);
    p.next();
    const elem = parseType(p);
    p.expect(']');
    p.leave();
    return { kind: 'array', pos: posOf(t), elem };
  }
  if (p.at('fn')) {
    p.enter(t);
    p.next();
    p.expect('(');
    const params = parseCommaList(p, ')', () => parseType(p));
    const ret = p.eat('->') ? parseType(p) : null;
    p.leave();
    return { kind: 'fn', pos: posOf(t), params, ret };
  }
  return p.fail(t, `expected type but found ${describe(t)}`);
}

// ---- statements ----------------------------------------------------------------

function parseBlock(p: Parser): Block { return parseBlockWithEnd(p).block; }

/** A block, the line of its `}`, and how many of its statements come before
 *  its first syntax or lexical error (none touched by it: a statement that held
 *  an error is kept without what was broken, one that was broken is left out). */
function parseBlockWithEnd(p: Parser): { block: Block; endLine: number; cleanStatements: number } {
  if (p.at('{')) p.enter(p.peek());
  const open = p.expect('{');
  const body: Stmt[] = [];
  let clean = -1;
  while (!p.at('}')) {
    if (p.peek().kind === 'eof' || p.atDeclarationStart()) {
      p.fail(p.peek(), `expected '}' but found ${describe(p.peek())}`);
    }
    const errors = p.structuralErrors, statements = body.length, from = posOf(p.peek());
    parseStatementRecovering(p, body);
    if (clean < 0 && (p.structuralErrors > errors || p.lexicalBetween(from, posOf(p.peek())) > 0)) clean = statements;
  }
  const close = p.next();
  p.leave();
  return { block: { pos: posOf(open), body }, endLine: close.line, cleanStatements: clean < 0 ? body.length : clean };
}

function parseStatementRecovering(p: Parser, body: Stmt[]): void {
  const start = p.index, depth = p.braceDepth, nesting = p.depth;
  try {
    body.push(parseStatement(p));
  } catch (e) {
    if (!(e instanceof ParseAbort)) throw e;
    p.depth = nesting;
    syncToStatement(p, start, depth);
  }
}

/**
 * Skips the rest of a broken statement: past a `;` or a closing `}` of a block the
 * statement opened, or up to a `}` that closes the enclosing block, a declaration
 * keyword, or a statement keyword (when the broken statement consumed something).
 */
function syncToStatement(p: Parser, startIndex: number, startDepth: number): void {
  let depth = Math.max(0, p.braceDepth - startDepth);
  for (let t = p.peek(); t.kind !== 'eof'; t = p.peek()) {
    if (p.atDeclarationStart()) return;
    if (depth === 0 && p.index > startIndex && p.atStatementStart()) return;
    if (depth === 0 && p.at(';')) { p.next(); return; }
    if (p.at('}')) {
      if (depth === 0) return;
      p.next();
      depth--;
      if (depth === 0 && statementEndsAfterBrace(p)) return;
      continue;
    }
    if (p.at('{')) depth++;
    p.next();
  }
}

/** After a statement's own block closed: does the next token begin something new? */
function statementEndsAfterBrace(p: Parser): boolean {
  if (p.eat(';')) return true;
  const t = p.peek();
  if (t.kind === 'eof' || p.at('}') || p.at('{')) return true;
  if (p.at('else') || t.kind === 'punct') return false;
  return true;
}

function parseStatement(p: Parser): Stmt {
  const t = p.peek();
  if (t.kind === 'keyword') {
    switch (t.text) {
      case 'let': case 'var': return parseLet(p);
      case 'if': return parseIf(p);
      case 'while': return parseWhile(p);
      case 'for': return parseFor(p);
      case 'break': case 'continue': return parseJump(p);
      case 'return': return parseReturn(p);
    }
  }
  if (p.at('{')) return { kind: 'block', pos: posOf(t), block: parseBlock(p) };
  if (!canStartExpression(t)) p.fail(t, `expected statement but found ${describe(t)}`);
  return parseExprOrAssign(p);
}

function canStartExpression(t: Token): boolean {
  if (t.kind === 'int' || t.kind === 'float' || t.kind === 'string' || t.kind === 'ident') return true;
  return ['(', '[', '-', '!', '~', 'new', 'true', 'false', 'null'].some((s) => isSymbol(t, s));
}

function parseLet(p: Parser): Stmt {
  const kw = p.next();
  const name = p.expectName('name');
  const type = p.eat(':') ? parseType(p) : null;
  p.expect('=');
  const init = parseExpr(p);
  p.expect(';');
  return { kind: 'let', pos: posOf(kw), mutable: kw.text === 'var', name: name.text, type, init };
}

/** `if ... else if ... else ...`: a loop, however long the chain (each `else if`
 *  becomes an else block holding one if, see ast.ts). */
function parseIf(p: Parser): Stmt {
  const first = parseIfArm(p);
  let last = first;
  while (p.eat('else')) {
    if (!p.at('if')) { last.else = parseBlock(p); break; }
    const next = parseIfArm(p);
    last.else = { pos: next.pos, body: [next] };
    last = next;
  }
  return first;
}

/** `if COND { ... }`, without what follows. */
function parseIfArm(p: Parser): IfStmt {
  const kw = p.expect('if');
  const cond = parseExpr(p);
  return { kind: 'if', pos: posOf(kw), cond, then: parseBlock(p), else: null };
}

function parseWhile(p: Parser): Stmt {
  const kw = p.expect('while');
  const cond = parseExpr(p);
  return { kind: 'while', pos: posOf(kw), cond, body: parseBlock(p) };
}

function parseFor(p: Parser): Stmt {
  const kw = p.expect('for');
  const name = p.expectName('loop variable name');
  p.expect('in');
  const start = parseExpr(p);
  p.expect('..');
  const end = parseExpr(p);
  return { kind: 'for', pos: posOf(kw), name: name.text, start, end, body: parseBlock(p) };
}

function parseJump(p: Parser): Stmt {
  const kw = p.next();
  p.expect(';');
  return { kind: kw.text === 'break' ? 'break' : 'continue', pos: posOf(kw) };
}

function parseReturn(p: Parser): Stmt {
  const kw = p.expect('return');
  const value = p.at(';') ? null : parseExpr(p);
  p.expect(';');
  return { kind: 'return', pos: posOf(kw), value };
}

/** An expression statement, or an assignment when an assignment operator follows. */
function parseExprOrAssign(p: Parser): Stmt {
  const first = p.peek();
  const expr = parseExpr(p);
  const opTok = p.peek();
  if (opTok.kind === 'punct' && ASSIGN_OPS.has(opTok.text)) {
    p.next();
    if (!isAssignable(expr)) p.report(exprStart(expr, p.parenStarts), 'invalid assignment target');
    const value = parseExpr(p);
    p.expect(';');
    return { kind: 'assign', pos: posOf(first), op: opTok.text as AssignOp, target: expr, value, opPos: posOf(opTok) };
  }
  p.expect(';');
  return { kind: 'expr', pos: posOf(first), expr };
}

/** Syntactically assignable; a `len` may turn out to be a struct field named `len`. */
function isAssignable(e: Expr): boolean {
  return e.kind === 'name' || e.kind === 'index' || e.kind === 'field' || e.kind === 'len';
}

// ---- expressions ---------------------------------------------------------------

/** The precedence level of a binary operator token (0 loosest), or -1. */
function binaryLevel(t: Token): number {
  if (t.kind !== 'punct') return -1;
  return BINARY_LEVELS.findIndex((ops) => ops.includes(t.text as BinOp));
}

/**
 * An expression: precedence climbing over the binary operators at `minLevel` or
 * tighter, left-associative. A chain at one level is this loop, so it nests
 * nothing; the right operand is one level deeper than its operator (it recurses
 * here when a tighter operator follows).
 */
function parseExpr(p: Parser, minLevel = 0): Expr {
  let left = parseCast(p);
  for (let t = p.peek(), level = binaryLevel(t); level >= minLevel; t = p.peek(), level = binaryLevel(t)) {
    p.enter(t);
    p.next();
    const right = parseExpr(p, level + 1);
    p.leave();
    left = { kind: 'binary', pos: posOf(t), op: t.text as BinOp, left, right };
  }
  return left;
}

/** `e as T as U ...`: each `as` nests the cast so far one level deeper. */
function parseCast(p: Parser): Expr {
  let e = parseUnary(p);
  let links = 0;
  for (let t = p.peek(); isSymbol(t, 'as'); t = p.peek()) {
    p.enter(t);
    links++;
    p.next();
    e = { kind: 'cast', pos: posOf(t), expr: e, target: parseType(p) };
  }
  p.leave(links);
  return e;
}

function parseUnary(p: Parser): Expr {
  const t = p.peek();
  if (t.kind !== 'punct' || !UNARY_OPS.has(t.text)) return parsePostfix(p, parsePrimary(p));
  const lit = p.peek(1);
  if (t.text === '-' && lit.kind === 'int' && !lit.hex && lit.num === I32_MIN_MAGNITUDE) {
    p.next();
    p.next();
    return parsePostfix(p, { kind: 'int', pos: posOf(t), value: -I32_MIN_MAGNITUDE });
  }
  p.enter(t);
  p.next();
  const operand = parseUnary(p);
  p.leave();
  return { kind: 'unary', pos: posOf(t), op: t.text as UnOp, operand };
}

/** Calls, indexing and fields: each link nests the chain so far one level deeper
 *  (what follows in the chain, its arguments included, is parsed at that depth). */
function parsePostfix(p: Parser, e: Expr): Expr {
  let links = 0;
  for (let t = p.peek(); p.at('(') || p.at('[') || p.at('.'); t = p.peek()) {
    p.enter(t);
    links++;
    if (p.eat('(')) {
      const args = parseExprList(p, ')');
      e = { kind: 'call', pos: exprStart(e, p.parenStarts), callee: e, args };
    } else if (p.eat('[')) {
      const index = parseExpr(p);
      p.expect(']');
      e = { kind: 'index', pos: exprStart(e, p.parenStarts), object: e, index };
    } else {
      p.next();
      const name = p.expectName('field name');
      e = name.text === 'len'
        ? { kind: 'len', pos: posOf(name), object: e }
        : { kind: 'field', pos: posOf(name), object: e, field: name.text };
    }
  }
  p.leave(links);
  return e;
}

function parsePrimary(p: Parser): Expr {
  const t = p.peek();
  const pos = posOf(t);
  switch (t.kind) {
    case 'int': p.next(); return { kind: 'int', pos, value: checkedIntValue(p, t) };
    case 'float': p.next(); return { kind: 'float', pos, value: t.num! };
    case 'string': p.next(); return { kind: 'string', pos, value: t.str! };
    case 'ident': p.next(); return { kind: 'name', pos, name: t.text };
  }
  if (p.eat('true') || p.eat('false')) return { kind: 'bool', pos, value: t.text === 'true' };
  if (p.eat('null')) return { kind: 'null', pos };
  if (p.at('(')) return parseParenthesised(p);
  if (p.at('[')) return parseArrayLiteral(p);
  if (p.at('new')) return parseNew(p);
  return p.fail(t, `expected expression but found ${describe(t)}`);
}

/** A decimal literal above i32's range is an error (the `-2147483648` case is in parseUnary). */
function checkedIntValue(p: Parser, t: Token): number {
  if (t.hex || t.num! <= I32_MAX) return t.num!;
  if (p.report(posOf(t), `integer literal ${clip(t.text)} is too large`)) p.valueErrors++;
  return 0;
}

function parseParenthesised(p: Parser): Expr {
  p.enter(p.peek());
  const open = p.expect('(');
  const e = parseExpr(p);
  p.expect(')');
  p.leave();
  p.parenStarts.set(e, posOf(open));
  return e;
}

function parseArrayLiteral(p: Parser): Expr {
  p.enter(p.peek());
  const open = p.expect('[');
  if (p.at(']')) p.fail(p.peek(), `expected expression but found ']' (an array literal cannot be empty)`);
  const elements = parseExprList(p, ']');
  p.leave();
  return { kind: 'array_lit', pos: posOf(open), elements };
}

/** `new [T](n)` or `new S { ... }`, one level deeper than the `new`. */
function parseNew(p: Parser): Expr {
  p.enter(p.peek());
  const kw = p.expect('new');
  if (p.eat('[')) {
    const elem = parseType(p);
    p.expect(']');
    p.expect('(');
    const length = parseExpr(p);
    p.expect(')');
    p.leave();
    return { kind: 'new_array', pos: posOf(kw), elem, length };
  }
  const name = p.expectName("struct name or '['");
  p.expect('{');
  const fields = parseCommaList(p, '}', () => {
    const f = p.expectName('field name');
    p.expect(':');
    return { name: f.text, pos: posOf(f), value: parseExpr(p) };
  });
  p.leave();
  return { kind: 'new_struct', pos: posOf(kw), name: name.text, namePos: posOf(name), fields };
}

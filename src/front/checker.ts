// The checker: name resolution and type checking of a parsed Program, filling the
// "set by the checker" fields of ast.ts in place and producing a CheckedProgram.
//
// What must stay true:
// - Every type error of the file is reported, once, at the position docs/language.md
//   gives for it. An erroneous expression gets the internal ERROR type, which is
//   compatible with everything, so one mistake does not cascade into more reports.
//   ERROR is only ever produced together with a diagnostic (the checker's, or the
//   parser's for a declaration it cut short: Program.broken, whose name stands
//   declared with the ERROR type), and a CheckedProgram is used only when there
//   are no diagnostics of any stage (front/index.ts), so ERROR never escapes.
// - Scoping follows the contract: a name is visible from the end of its declaration
//   to the end of its block; any declaration may shadow; lookup goes innermost local
//   scope -> top-level functions, externs and globals -> built-ins.
// - Local ids: parameters 0..n-1, then every let/for in order of appearance, each
//   declaration (shadowing or not) with a fresh id.
// - After success every reachable expression has `ty`, every name `ref` (except the
//   callee name of an extern or built-in call, whose `target` says it all), every
//   call `target`; a `len` node on a struct with a field `len` has become a `field`.
// - Recursion follows only the nesting the parser bounds (MAX_NESTING), one level
//   of recursion per level it counts: chains of binary operators, of postfix links
//   (`a.b[i](x).len`) and of `else if` are walked with loops, and so are types,
//   whose depth no syntax bounds (`[[x]]` of a `[[T]]` is deeper than either).
// - Cost is linear in the program: names, struct fields and field initialisers are
//   found through maps, never by scanning a list per use. The one scan, for a
//   "did you mean" hint, happens only for an error that is shown, and is bounded
//   (suggest.ts).

import {
  type Block, type Builtin, type CallTarget, type CheckedProgram, type Expr, type ExternDecl, type FnDecl,
  type FnSig, type GlobalDecl, type IfStmt, type Param, type Pos, type Program, type Stmt, type StructDecl,
  type StructInfo, type TypeNode, type BinOp, type AssignOp, elseIfOf,
} from './ast.js';
import { type Diagnostic, DiagnosticList, type HintFn, HOST_STACK_MESSAGE, isHostStackOverflow } from './diagnostics.js';
import { exprStart } from './parser.js';
import { closestName, didYouMean } from './suggest.js';
import { BUILTINS, isBuiltin, type BuiltinType } from '../bytecode/builtins.js';
import {
  type Type, I32, F64, BOOL, STR, VOID, NULL, arrayOf, assignable, isRef, typeEq, typeToStringCut,
} from './types.js';

export interface CheckResult {
  checked: CheckedProgram | null;
  /** The first type errors in source order (see DiagnosticList). */
  diagnostics: Diagnostic[];
  /** How many type errors there are in all. */
  errorCount: number;
}

/** The type of an erroneous expression; compatible with everything; never escapes. */
const ERROR: Type = Object.freeze({ k: 'error' }) as unknown as Type;

function isError(t: Type): boolean { return t === ERROR; }
function compatible(from: Type, to: Type): boolean {
  return isError(from) || isError(to) || assignable(from, to);
}
/** Longest type text in a message (a type may nest thousands of levels deep). */
const MAX_TYPE_SHOWN = 80;
function show(t: Type): string { return typeToStringCut(t, MAX_TYPE_SHOWN); }
/** Names listed in one message before the rest are only counted. */
const MAX_NAMES_LISTED = 10;

export const PRIMITIVES: ReadonlyMap<string, Type> = new Map([['i32', I32], ['f64', F64], ['bool', BOOL], ['str', STR]]);

/** A built-in's parameter as the checker sees it: one type, or any one of several. */
type BuiltinParam = Type | readonly Type[];
const BUILTIN_TYPE: Readonly<Record<BuiltinType, Type>> = { i32: I32, f64: F64, bool: BOOL, str: STR, void: VOID };
const builtinParam = (p: BuiltinType | readonly BuiltinType[]): BuiltinParam =>
  typeof p === 'string' ? BUILTIN_TYPE[p] : p.map((t) => BUILTIN_TYPE[t]);

type TopLevel = { kind: 'fn'; index: number } | { kind: 'extern'; index: number } | { kind: 'global'; index: number };
interface Local { id: number; type: Type; mutable: boolean }
/** `broken`: a function, extern or global a syntax error cut short (Program.broken). */
type Resolved = { kind: 'local'; local: Local } | TopLevel | { kind: 'broken' } | { kind: 'builtin'; name: Builtin } | null;
const BROKEN: Resolved = Object.freeze({ kind: 'broken' });

/** Per-program state. */
class Checker {
  readonly diagnostics = new DiagnosticList();
  readonly structs: StructInfo[] = [];
  readonly structIndex = new Map<string, number>();
  /** Per struct (same index as `structs`): field name -> index of its first declaration. */
  readonly fieldIndex: Map<string, number>[] = [];
  /** The block or expression being checked (where a host stack overflow is reported). */
  at: Pos = { line: 1, col: 1 };
  readonly functions: { decl: FnDecl; sig: FnSig }[] = [];
  readonly externs: { decl: ExternDecl; sig: FnSig }[] = [];
  readonly globals: { decl: GlobalDecl; type: Type }[] = [];
  readonly top = new Map<string, TopLevel>();
  /** Names of declarations a syntax error cut short: declared, with the ERROR
   *  type, so that no use of them is an error; as values and as struct types
   *  both, since the error may be in the keyword that said which. */
  readonly broken: ReadonlySet<string>;

  constructor(readonly program: Program, private readonly parenStarts?: WeakMap<Expr, Pos>) {
    this.broken = new Set(program.broken);
  }

  error(at: Pos, message: string, hint?: HintFn): void {
    this.diagnostics.add(at.line, at.col, message, hint);
  }

  /** The first token of an expression. */
  start(e: Expr): Pos { return exprStart(e, this.parenStarts); }
}

/** Per-body state: a function body, or one global initialiser (no locals there). */
interface Body {
  fnName: string | null;
  ret: Type;
  scopes: Map<string, Local>[];
  localTypes: Type[];
  loopDepth: number;
  /** Globals with an index at or past this may not be named (global initialisers). */
  globalLimit: number;
}

function newBody(fnName: string | null, ret: Type, globalLimit: number): Body {
  return { fnName, ret, scopes: [], localTypes: [], loopDepth: 0, globalLimit };
}

export function check(program: Program, parenStarts?: WeakMap<Expr, Pos>): CheckResult {
  const c = new Checker(program, parenStarts);
  let main: { index: number; takesArgs: boolean } | null = null;
  try {
    collectStructs(c);
    collectTopLevel(c);
    checkGlobals(c);
    c.functions.forEach((f) => checkFunction(c, f.decl, f.sig));
    main = checkMain(c);
  } catch (e) {
    if (!isHostStackOverflow(e)) throw e;
    c.error(c.at, HOST_STACK_MESSAGE);
  }
  if (c.diagnostics.count > 0 || !main) {
    return { checked: null, diagnostics: c.diagnostics.items(), errorCount: c.diagnostics.count };
  }
  return {
    checked: {
      file: program.file, structs: c.structs, functions: c.functions, externs: c.externs,
      globals: c.globals, mainIndex: main.index, mainTakesArgs: main.takesArgs,
    },
    diagnostics: [],
    errorCount: 0,
  };
}

// ---- types -----------------------------------------------------------------------

function structType(c: Checker, index: number): Type {
  return { k: 'struct', name: c.structs[index]!.name, index };
}

function resolveType(c: Checker, t: TypeNode): Type {
  c.at = t.pos;
  switch (t.kind) {
    case 'named': return resolveNamedType(c, t.name, t.pos);
    case 'array': {
      const elem = resolveType(c, t.elem);
      return isError(elem) ? ERROR : arrayOf(elem);
    }
    case 'fn': {
      const params = t.params.map((p) => resolveType(c, p));
      const ret = t.ret ? resolveType(c, t.ret) : VOID;
      return fnType(params, ret);
    }
  }
}

function resolveNamedType(c: Checker, name: string, pos: Pos): Type {
  const prim = PRIMITIVES.get(name);
  if (prim) return prim;
  const index = c.structIndex.get(name);
  if (index !== undefined) return structType(c, index);
  if (c.broken.has(name)) return ERROR;
  c.error(pos, `unknown type '${name}'`, () => didYouMean(closestName(name, typeNames(c))));
  return ERROR;
}

/** Every type name, for a hint: the primitives, then the structs in source order. */
function* typeNames(c: Checker): Iterable<string> {
  yield* PRIMITIVES.keys();
  yield* c.structIndex.keys();
}

/** A function type, or ERROR when a part of it is erroneous (ERROR never nests). */
function fnType(params: Type[], ret: Type): Type {
  if (isError(ret) || params.some(isError)) return ERROR;
  return { k: 'fn', params, ret };
}

function sigType(sig: FnSig): Type { return fnType(sig.params, sig.ret); }

// ---- declarations ------------------------------------------------------------------

function collectStructs(c: Checker): void {
  const decls = c.program.decls.filter((d): d is StructDecl => d.kind === 'struct');
  const registered = new Map<StructDecl, number>();
  for (const d of decls) {
    if (PRIMITIVES.has(d.name)) c.error(d.pos, `cannot redefine built-in type '${d.name}'`);
    else if (c.structIndex.has(d.name)) c.error(d.pos, `duplicate declaration of struct '${d.name}'`);
    else {
      registered.set(d, c.structs.length);
      c.structIndex.set(d.name, c.structs.length);
      c.structs.push({ name: d.name, fields: [] });
      c.fieldIndex.push(new Map());
    }
  }
  for (const d of decls) {
    const fields = resolveStructFields(c, d);
    const index = registered.get(d);
    if (index === undefined) continue;
    c.structs[index]!.fields = fields;
    fields.forEach((f, i) => { if (!c.fieldIndex[index]!.has(f.name)) c.fieldIndex[index]!.set(f.name, i); });
  }
}

function resolveStructFields(c: Checker, d: StructDecl): { name: string; type: Type }[] {
  const seen = new Set<string>();
  return d.fields.map((f) => {
    if (seen.has(f.name)) c.error(f.pos, `duplicate field '${f.name}' in struct '${d.name}'`);
    seen.add(f.name);
    return { name: f.name, type: resolveType(c, f.type) };
  });
}

function collectTopLevel(c: Checker): void {
  for (const d of c.program.decls) {
    switch (d.kind) {
      case 'fn':
        declareTop(c, d.name, d.pos, { kind: 'fn', index: c.functions.length });
        c.functions.push({ decl: d, sig: resolveSig(c, d.params, d.ret) });
        break;
      case 'extern':
        declareTop(c, d.name, d.pos, { kind: 'extern', index: c.externs.length });
        c.externs.push({ decl: d, sig: resolveSig(c, d.params, d.ret) });
        checkParamNames(c, d.params);
        break;
      case 'global':
        declareTop(c, d.name, d.pos, { kind: 'global', index: c.globals.length });
        c.globals.push({ decl: d, type: d.type ? resolveType(c, d.type) : ERROR });
        break;
      case 'struct':
        break;
    }
  }
}

function declareTop(c: Checker, name: string, pos: Pos, entry: TopLevel): void {
  if (c.top.has(name)) c.error(pos, `duplicate declaration of '${name}'`);
  else c.top.set(name, entry);
}

function resolveSig(c: Checker, params: Param[], ret: TypeNode | null): FnSig {
  return { params: params.map((p) => resolveType(c, p.type)), ret: ret ? resolveType(c, ret) : VOID };
}

function checkParamNames(c: Checker, params: Param[]): void {
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name)) c.error(p.pos, `duplicate parameter '${p.name}'`);
    seen.add(p.name);
  }
}

/** Initialisers in source order; each may name only the globals above it. */
function checkGlobals(c: Checker): void {
  c.globals.forEach((g, index) => {
    const body = newBody(null, VOID, index);
    if (g.decl.type) checkAgainst(c, body, g.decl.init, g.type);
    else g.type = inferType(c, body, g.decl.init);
  });
}

function checkFunction(c: Checker, decl: FnDecl, sig: FnSig): void {
  const body = newBody(decl.name, sig.ret, Infinity);
  checkParamNames(c, decl.params);
  body.scopes.push(new Map());
  decl.params.forEach((p, i) => { p.id = declareLocal(body, p.name, sig.params[i]!, true); });
  if (decl.cleanStatements !== undefined) {
    // A body with syntax errors (front/index.ts): its statements before the
    // first error, which nothing broken can have touched; no return check.
    checkBlock(c, body, { pos: decl.body.pos, body: decl.body.body.slice(0, decl.cleanStatements) });
    return;
  }
  checkBlock(c, body, decl.body);
  if (sig.ret !== VOID && !isError(sig.ret) && blockCanComplete(decl.body)) {
    c.error(decl.pos, `missing return in function '${decl.name}' with result ${show(sig.ret)}`);
  }
  decl.localCount = body.localTypes.length;
  decl.localTypes = body.localTypes;
}

/** `fn main()` or `fn main(args: [str])`, without a result. */
function checkMain(c: Checker): { index: number; takesArgs: boolean } | null {
  const entry = c.top.get('main');
  const usage = "'main' must be declared as 'fn main()' or 'fn main(args: [str])'";
  if (!entry) {
    // A declaration cut short may have been main (its name is the error's).
    if (c.broken.size === 0) c.error({ line: 1, col: 1 }, "missing function 'main'");
    return null;
  }
  if (entry.kind !== 'fn') {
    const decl = entry.kind === 'extern' ? c.externs[entry.index]!.decl : c.globals[entry.index]!.decl;
    c.error(decl.pos, usage);
    return null;
  }
  const { decl, sig } = c.functions[entry.index]!;
  if (sig.params.some(isError) || isError(sig.ret)) return null;
  const argsOk = sig.params.length === 0 || (sig.params.length === 1 && typeEq(sig.params[0]!, arrayOf(STR)));
  if (!argsOk || decl.ret !== null) {
    c.error(decl.pos, usage);
    return null;
  }
  return { index: entry.index, takesArgs: sig.params.length === 1 };
}

// ---- scopes and names ----------------------------------------------------------

function declareLocal(body: Body, name: string, type: Type, mutable: boolean): number {
  const id = body.localTypes.length;
  body.localTypes.push(type);
  body.scopes[body.scopes.length - 1]!.set(name, { id, type, mutable });
  return id;
}

function lookup(c: Checker, body: Body, name: string): Resolved {
  for (let i = body.scopes.length - 1; i >= 0; i--) {
    const local = body.scopes[i]!.get(name);
    if (local) return { kind: 'local', local };
  }
  const top = c.top.get(name);
  if (top) return top;
  if (c.broken.has(name)) return BROKEN;
  return isBuiltin(name) ? { kind: 'builtin', name } : null;
}

/** A name used as a value. */
function checkName(c: Checker, body: Body, e: Expr & { kind: 'name' }): Type {
  const r = lookup(c, body, e.name);
  switch (r?.kind) {
    case 'local':
      e.ref = { kind: 'local', id: r.local.id };
      return r.local.type;
    case 'global':
      if (r.index >= body.globalLimit) {
        c.error(e.pos, `global '${e.name}' cannot be used before its declaration`);
        return ERROR;
      }
      e.ref = { kind: 'global', index: r.index };
      return c.globals[r.index]!.type;
    case 'fn':
      e.ref = { kind: 'fn', index: r.index };
      return sigType(c.functions[r.index]!.sig);
    case 'extern':
      c.error(e.pos, `extern function '${e.name}' cannot be used as a value`);
      return ERROR;
    case 'builtin':
      c.error(e.pos, `built-in function '${e.name}' cannot be used as a value`);
      return ERROR;
    case 'broken':
      return ERROR;
    case undefined:
      reportUndefinedName(c, body, e);
      return ERROR;
  }
}

function reportUndefinedName(c: Checker, body: Body, e: Expr & { kind: 'name' }): void {
  c.error(e.pos, `undefined name '${e.name}'`, () => didYouMean(closestName(e.name, visibleNames(c, body))));
}

/** Every name visible here, for a hint: locals from the innermost scope out, then
 *  top-level functions, externs and the globals this body may name, then built-ins. */
function* visibleNames(c: Checker, body: Body): Iterable<string> {
  for (let i = body.scopes.length - 1; i >= 0; i--) yield* body.scopes[i]!.keys();
  for (const [name, entry] of c.top) if (entry.kind !== 'global' || entry.index < body.globalLimit) yield name;
  yield* Object.keys(BUILTINS);
}

// ---- statements ----------------------------------------------------------------

function checkBlock(c: Checker, body: Body, block: Block): void {
  c.at = block.pos;
  body.scopes.push(new Map());
  for (const s of block.body) checkStmt(c, body, s);
  body.scopes.pop();
}

function checkStmt(c: Checker, body: Body, s: Stmt): void {
  switch (s.kind) {
    case 'let': return checkLet(c, body, s);
    case 'assign': return checkAssign(c, body, s);
    case 'if': return checkIf(c, body, s);
    case 'while':
      checkAgainst(c, body, s.cond, BOOL);
      return checkLoopBody(c, body, s.body);
    case 'for': return checkFor(c, body, s);
    case 'break': case 'continue':
      if (body.loopDepth === 0) c.error(s.pos, `'${s.kind}' outside of a loop`);
      return;
    case 'return': return checkReturn(c, body, s);
    case 'expr': checkExpr(c, body, s.expr); return;
    case 'block': return checkBlock(c, body, s.block);
  }
}

/** An if and its whole `else if` chain, in a loop. (An else block holding only an
 *  if declares nothing, so skipping its scope changes nothing.) */
function checkIf(c: Checker, body: Body, s: IfStmt): void {
  for (let arm: IfStmt | null = s; arm !== null;) {
    checkAgainst(c, body, arm.cond, BOOL);
    checkBlock(c, body, arm.then);
    const next = elseIfOf(arm);
    if (next === null && arm.else) checkBlock(c, body, arm.else);
    arm = next;
  }
}

function checkLoopBody(c: Checker, body: Body, block: Block): void {
  body.loopDepth++;
  checkBlock(c, body, block);
  body.loopDepth--;
}

function checkLet(c: Checker, body: Body, s: Stmt & { kind: 'let' }): void {
  let type: Type;
  if (s.type) {
    type = resolveType(c, s.type);
    checkAgainst(c, body, s.init, type);
  } else {
    type = inferType(c, body, s.init);
  }
  s.id = declareLocal(body, s.name, type, s.mutable);
}

/** The loop variable is an immutable i32, visible in the body only. */
function checkFor(c: Checker, body: Body, s: Stmt & { kind: 'for' }): void {
  checkAgainst(c, body, s.start, I32);
  checkAgainst(c, body, s.end, I32);
  body.scopes.push(new Map());
  s.id = declareLocal(body, s.name, I32, false);
  checkLoopBody(c, body, s.body);
  body.scopes.pop();
}

function checkReturn(c: Checker, body: Body, s: Stmt & { kind: 'return' }): void {
  const name = body.fnName ?? '';
  if (!s.value) {
    if (body.ret !== VOID && !isError(body.ret)) {
      c.error(s.pos, `missing return value in function '${name}' with result ${show(body.ret)}`);
    }
    return;
  }
  if (body.ret === VOID) {
    const t = checkExpr(c, body, s.value);
    if (!isError(t)) c.error(c.start(s.value), `function '${name}' has no result, so 'return' takes no value`);
    return;
  }
  checkAgainst(c, body, s.value, body.ret);
}

/** `a = b`, or `a op= b` typed like `a = a op b`. */
function checkAssign(c: Checker, body: Body, s: Stmt & { kind: 'assign' }): void {
  const target = checkTarget(c, body, s.target);
  if (s.op === '=') return checkAgainst(c, body, s.value, target);
  const value = checkExpr(c, body, s.value);
  if (isError(target) || isError(value)) return;
  const result = binaryResult(compoundOperator(s.op), target, value);
  if (!result) {
    c.error(s.opPos ?? s.pos, `operator '${s.op}' cannot be applied to ${show(target)} and ${show(value)}`);
  } else if (!compatible(result, target)) {
    c.error(c.start(s.value), `type mismatch: expected ${show(target)} but found ${show(result)}`);
  }
}

function compoundOperator(op: Exclude<AssignOp, '='>): BinOp {
  return op.slice(0, -1) as BinOp;
}

/** The type stored into by an assignment target (ERROR after reporting a problem). */
function checkTarget(c: Checker, body: Body, target: Expr): Type {
  const t = targetType(c, body, target);
  target.ty = t;
  return t;
}

function targetType(c: Checker, body: Body, target: Expr): Type {
  switch (target.kind) {
    case 'name': return nameTargetType(c, body, target);
    case 'index': return indexTargetType(c, body, target);
    case 'field': return checkExpr(c, body, target);
    case 'len': {
      const t = checkExpr(c, body, target);
      if ((target as Expr).kind === 'field' || isError(t)) return t;
      c.error(c.start(target), "cannot assign to '.len'");
      return ERROR;
    }
    default:
      checkExpr(c, body, target);
      c.error(c.start(target), 'invalid assignment target');
      return ERROR;
  }
}

function nameTargetType(c: Checker, body: Body, e: Expr & { kind: 'name' }): Type {
  const r = lookup(c, body, e.name);
  switch (r?.kind) {
    case 'local':
      e.ref = { kind: 'local', id: r.local.id };
      if (!r.local.mutable) c.error(e.pos, `cannot assign to immutable '${e.name}'`);
      return r.local.type;
    case 'global': {
      const g = c.globals[r.index]!;
      e.ref = { kind: 'global', index: r.index };
      if (!g.decl.mutable) c.error(e.pos, `cannot assign to immutable '${e.name}'`);
      return g.type;
    }
    case 'fn': case 'extern':
      c.error(e.pos, `cannot assign to function '${e.name}'`);
      return ERROR;
    case 'builtin':
      c.error(e.pos, `cannot assign to built-in function '${e.name}'`);
      return ERROR;
    case 'broken':
      return ERROR;
    case undefined:
      reportUndefinedName(c, body, e);
      return ERROR;
  }
}

function indexTargetType(c: Checker, body: Body, e: Expr & { kind: 'index' }): Type {
  const t = indexType(c, body, e, checkExpr(c, body, e.object));
  const object = e.object.ty!;
  if (object.k === 'str') {
    c.error(c.start(e), 'cannot assign to an element of a string');
    return ERROR;
  }
  return t;
}

// ---- must-return analysis --------------------------------------------------------

/** Can execution continue after this statement? (Java's "can complete normally".) */
function canComplete(s: Stmt): boolean {
  switch (s.kind) {
    case 'return': case 'break': case 'continue': return false;
    case 'block': return blockCanComplete(s.block);
    case 'if': return ifCanComplete(s);
    case 'while': return !(isTrueLiteral(s.cond) && !hasOwnBreak(s.body));
    default: return true;
  }
}

/** Some arm of the chain can complete, or the chain has no final else. */
function ifCanComplete(s: IfStmt): boolean {
  for (let arm: IfStmt | null = s; arm !== null; arm = elseIfOf(arm)) {
    if (arm.else === null || blockCanComplete(arm.then)) return true;
    if (elseIfOf(arm) === null) return blockCanComplete(arm.else);
  }
  return true;
}

function blockCanComplete(b: Block): boolean {
  for (const s of b.body) if (!canComplete(s)) return false;
  return true;
}

function isTrueLiteral(e: Expr): boolean { return e.kind === 'bool' && e.value; }

/** A `break` that leaves this loop (not one of a nested loop). */
function hasOwnBreak(b: Block): boolean {
  for (const s of b.body) {
    switch (s.kind) {
      case 'break': return true;
      case 'block': if (hasOwnBreak(s.block)) return true; break;
      case 'if': if (ifHasOwnBreak(s)) return true; break;
    }
  }
  return false;
}

function ifHasOwnBreak(s: IfStmt): boolean {
  for (let arm: IfStmt | null = s; arm !== null; arm = elseIfOf(arm)) {
    if (hasOwnBreak(arm.then)) return true;
    if (elseIfOf(arm) === null) return arm.else !== null && hasOwnBreak(arm.else);
  }
  return false;
}

// ---- expressions ---------------------------------------------------------------

/**
 * Checks an expression whose value is stored or passed: a void call is an error at
 * its first token. (Operands of operators, casts, indexing, fields and calls are
 * checked with checkExpr instead: there `void` is an ordinary wrong type, reported
 * where that construct's errors point, e.g. `1 + f()` at the `+`.)
 */
function expectValue(c: Checker, body: Body, e: Expr): Type {
  return valueOf(c, e, checkExpr(c, body, e));
}

/** `t`, the type of the checked expression e, unless e has no value. */
function valueOf(c: Checker, e: Expr, t: Type): Type {
  if (t !== VOID) return t;
  c.error(c.start(e), 'expression has no value');
  return ERROR;
}

/** Checks a value that will be stored where `expected` is expected. (Calls
 *  checkExpr itself: one host frame less per level of nesting.) */
function checkAgainst(c: Checker, body: Body, e: Expr, expected: Type): void {
  const t = valueOf(c, e, checkExpr(c, body, e));
  if (!compatible(t, expected)) {
    c.error(c.start(e), `type mismatch: expected ${show(expected)} but found ${show(t)}`);
  }
}

/** The type of an initialiser without a declared type (`null` has none to give). */
function inferType(c: Checker, body: Body, e: Expr): Type {
  const t = expectValue(c, body, e);
  if (t !== NULL) return t;
  c.error(c.start(e), 'cannot infer a type from null');
  return ERROR;
}

/** Checks e, sets e.ty and returns it. */
function checkExpr(c: Checker, body: Body, e: Expr): Type {
  c.at = e.pos;
  let t: Type;
  switch (e.kind) {
    case 'int': t = I32; break;
    case 'float': t = F64; break;
    case 'bool': t = BOOL; break;
    case 'string': t = STR; break;
    case 'null': t = NULL; break;
    case 'name': t = checkName(c, body, e); break;
    case 'unary': t = checkUnary(c, body, e); break;
    case 'binary': t = checkBinary(c, body, e); break;
    case 'cast': t = checkCast(c, body, e); break;
    case 'call': t = linkBase(c, body, e) === null ? checkCall(c, body, e) : checkChain(c, body, e); break;
    case 'index': case 'field': case 'len': t = checkChain(c, body, e); break;
    case 'new_struct': t = checkNewStruct(c, body, e); break;
    case 'new_array': t = checkNewArray(c, body, e); break;
    case 'array_lit': t = checkArrayLiteral(c, body, e); break;
  }
  e.ty = t;
  return t;
}

function checkUnary(c: Checker, body: Body, e: Expr & { kind: 'unary' }): Type {
  const t = checkExpr(c, body, e.operand);
  const ok = e.op === '!' ? t === BOOL : e.op === '~' ? t === I32 : t === I32 || t === F64;
  if (ok || isError(t)) return e.op === '!' ? BOOL : t;
  c.error(e.pos, `operator '${e.op}' cannot be applied to ${show(t)}`);
  return e.op === '!' ? BOOL : ERROR;
}

/**
 * A chain `a + b + c + ...` is a left-deep tree; it is checked along its left spine
 * iteratively so that long chains do not exhaust the host stack.
 */
function checkBinary(c: Checker, body: Body, e: Expr & { kind: 'binary' }): Type {
  const spine: (Expr & { kind: 'binary' })[] = [e];
  let leftmost = e.left;
  while (leftmost.kind === 'binary') { spine.push(leftmost); leftmost = leftmost.left; }
  let left = checkExpr(c, body, leftmost);
  for (let i = spine.length - 1; i >= 0; i--) {
    const node = spine[i]!;
    left = binaryNodeType(c, node, left, checkExpr(c, body, node.right));
    node.ty = left;
  }
  return left;
}

function binaryNodeType(c: Checker, e: Expr & { kind: 'binary' }, l: Type, r: Type): Type {
  if (isError(l) || isError(r)) return resultAfterError(e.op);
  const t = binaryResult(e.op, l, r);
  if (t) return t;
  c.error(e.pos, `operator '${e.op}' cannot be applied to ${show(l)} and ${show(r)}`);
  return resultAfterError(e.op);
}

const BOOLEAN_RESULT: ReadonlySet<BinOp> = new Set<BinOp>(['||', '&&', '==', '!=', '<', '<=', '>', '>=']);

/** Comparisons and logic give bool whatever went wrong in their operands. */
function resultAfterError(op: BinOp): Type { return BOOLEAN_RESULT.has(op) ? BOOL : ERROR; }

/** The result type of `l op r`, or null if the operator does not apply (no ERROR operands). */
function binaryResult(op: BinOp, l: Type, r: Type): Type | null {
  const numeric = (l === I32 || l === F64) && l === r;
  switch (op) {
    case '&&': case '||': return l === BOOL && r === BOOL ? BOOL : null;
    case '==': case '!=': return equalityApplies(l, r) ? BOOL : null;
    case '<': case '<=': case '>': case '>=': return numeric ? BOOL : null;
    case '+': return numeric || (l === STR && r === STR) ? l : null;
    case '-': case '*': case '/': case '%': return numeric ? l : null;
    case '&': case '|': case '^': case '<<': case '>>': case '>>>': return l === I32 && r === I32 ? I32 : null;
  }
}

/** Two operands of the same type, a reference and `null`, or two `null`s. */
function equalityApplies(l: Type, r: Type): boolean {
  if (l === NULL) return isRef(r);
  if (r === NULL) return isRef(l);
  return l !== VOID && typeEq(l, r);
}

/** `i32`/`f64` to `i32`/`f64`; nothing else converts. */
function checkCast(c: Checker, body: Body, e: Expr & { kind: 'cast' }): Type {
  const from = checkExpr(c, body, e.expr);
  const to = resolveType(c, e.target);
  const numeric = (t: Type): boolean => t === I32 || t === F64;
  if (!isError(from) && !isError(to) && !(numeric(from) && numeric(to))) {
    c.error(e.pos, `cannot cast ${show(from)} to ${show(to)}`);
  }
  return to;
}

// ---- postfix chains --------------------------------------------------------------

/** The expression a postfix link applies to: the object of an index, a field or
 *  `.len`, the callee of a call of a function value. Null when e is not a link (a
 *  call by name of a function, extern or built-in has no callee to check). */
function linkBase(c: Checker, body: Body, e: Expr): Expr | null {
  switch (e.kind) {
    case 'index': case 'field': case 'len': return e.object;
    case 'call': return isCallByName(c, body, e) ? null : e.callee;
    default: return null;
  }
}

function isCallByName(c: Checker, body: Body, e: Expr & { kind: 'call' }): boolean {
  if (e.callee.kind !== 'name') return false;
  const k = lookup(c, body, e.callee.name)?.kind;
  return k === 'fn' || k === 'extern' || k === 'builtin' || k === 'broken';
}

/**
 * `a.b[i](x).len`: a left-deep tree as long as the chain. Checked in a loop from
 * the bottom up, each link typed from the type of what it applies to, so the
 * host stack does not grow with the chain (the parser counts each link as a level
 * for what follows it, so arguments of an early link are shallow here).
 */
function checkChain(c: Checker, body: Body, top: Expr): Type {
  const links: Expr[] = [];
  let base = top;
  for (let b = linkBase(c, body, base); b !== null; b = linkBase(c, body, base)) {
    links.push(base);
    base = b;
  }
  let t = checkExpr(c, body, base);
  for (let i = links.length - 1; i >= 0; i--) {
    const link = links[i]!;
    t = linkType(c, body, link, t);
    link.ty = t;
  }
  return t;
}

/** The type of one link, given the type of what it applies to. */
function linkType(c: Checker, body: Body, e: Expr, base: Type): Type {
  switch (e.kind) {
    case 'index': return indexType(c, body, e, base);
    case 'field': return fieldType(c, e, base);
    case 'len': return lenType(c, e, base);
    case 'call': return valueCallType(c, body, e, base);
    default: throw new Error(`not a postfix link: ${e.kind}`);
  }
}

function indexType(c: Checker, body: Body, e: Expr & { kind: 'index' }, object: Type): Type {
  if (object.k === 'array' || object === STR) {
    checkAgainst(c, body, e.index, I32);
    return object.k === 'array' ? object.elem : I32;
  }
  expectValue(c, body, e.index);
  if (!isError(object)) c.error(e.pos, `cannot index a value of type ${show(object)}`);
  return ERROR;
}

/** Looks a field up on an already checked object type and sets fieldIndex. */
function fieldType(c: Checker, e: Expr & { kind: 'field' }, object: Type): Type {
  if (isError(object)) return ERROR;
  if (object.k !== 'struct') {
    c.error(e.pos, `type ${show(object)} has no field '${e.field}'`);
    return ERROR;
  }
  const fields = c.structs[object.index]!.fields;
  const index = c.fieldIndex[object.index]!.get(e.field) ?? -1;
  if (index < 0) {
    const hint = (): string | undefined => didYouMean(closestName(e.field, fieldNames(fields)));
    c.error(e.pos, `struct '${object.name}' has no field '${e.field}'`, hint);
    return ERROR;
  }
  e.fieldIndex = index;
  return fields[index]!.type;
}

/** `.len` of a string or an array; on a struct it is the field named `len`. */
function lenType(c: Checker, e: Expr & { kind: 'len' }, object: Type): Type {
  if (object.k === 'struct') return fieldType(c, lenToField(e), object);
  if (isError(object)) return ERROR;
  if (object.k === 'array' || object === STR) return I32;
  c.error(e.pos, `type ${show(object)} has no '.len'`);
  return ERROR;
}

/** Turns a `len` node into the equivalent `field` node, in place. */
function lenToField(e: Expr & { kind: 'len' }): Expr & { kind: 'field' } {
  const f = e as unknown as Expr & { kind: 'field' };
  f.kind = 'field';
  f.field = 'len';
  return f;
}

// ---- calls -------------------------------------------------------------------------

/** A call by name of a top-level function, extern or built-in (see isCallByName;
 *  a call of a function value is a postfix link, see valueCallType). */
function checkCall(c: Checker, body: Body, e: Expr & { kind: 'call' }): Type {
  const callee = e.callee as Expr & { kind: 'name' };
  const r = lookup(c, body, callee.name);
  switch (r?.kind) {
    case 'fn': return checkDirectCall(c, body, e, callee, r.index);
    case 'extern': return checkExternCall(c, body, e, callee, r.index);
    case 'builtin': return checkBuiltinCall(c, body, e, r.name);
    case 'broken':
      for (const a of e.args) expectValue(c, body, a);
      return ERROR;
    default: throw new Error(`not a call by name: ${callee.name}`);
  }
}

function checkDirectCall(c: Checker, body: Body, e: Expr & { kind: 'call' }, callee: Expr & { kind: 'name' }, index: number): Type {
  const { sig } = c.functions[index]!;
  callee.ref = { kind: 'fn', index };
  callee.ty = sigType(sig);
  return finishCall(c, body, e, { kind: 'direct', index }, sig, `function '${callee.name}'`);
}

function checkExternCall(c: Checker, body: Body, e: Expr & { kind: 'call' }, callee: Expr & { kind: 'name' }, index: number): Type {
  const { sig } = c.externs[index]!;
  callee.ty = sigType(sig);
  return finishCall(c, body, e, { kind: 'extern', index }, sig, `extern function '${callee.name}'`);
}

/** A call of any expression of function type (a local, a global, a field, ...),
 *  given the callee's type. */
function valueCallType(c: Checker, body: Body, e: Expr & { kind: 'call' }, t: Type): Type {
  if (t.k === 'fn') return finishCall(c, body, e, { kind: 'value' }, t, 'function value');
  if (!isError(t)) c.error(c.start(e.callee), `cannot call a value of type ${show(t)}`);
  for (const a of e.args) expectValue(c, body, a);
  return ERROR;
}

function finishCall(c: Checker, body: Body, e: Expr & { kind: 'call' }, target: CallTarget, sig: FnSig, what: string): Type {
  e.target = target;
  if (checkArgCount(c, body, e, sig.params.length, what)) {
    for (let i = 0; i < e.args.length; i++) checkAgainst(c, body, e.args[i]!, sig.params[i]!);
  }
  return sig.ret;
}

/** Reports a wrong argument count at the callee (still checking the arguments). */
function checkArgCount(c: Checker, body: Body, e: Expr & { kind: 'call' }, expected: number, what: string): boolean {
  if (e.args.length === expected) return true;
  const plural = expected === 1 ? 'argument' : 'arguments';
  c.error(c.start(e.callee), `${what} expects ${expected} ${plural} but got ${e.args.length}`);
  for (const a of e.args) expectValue(c, body, a);
  return false;
}

function checkBuiltinCall(c: Checker, body: Body, e: Expr & { kind: 'call' }, name: Builtin): Type {
  const spec = BUILTINS[name];
  e.target = { kind: 'builtin', name };
  if (checkArgCount(c, body, e, spec.params.length, `built-in function '${name}'`)) {
    for (let i = 0; i < e.args.length; i++) checkBuiltinArg(c, body, e.args[i]!, builtinParam(spec.params[i]!));
  }
  const params = e.args.map((a) => a.ty ?? ERROR);
  const ret = BUILTIN_TYPE[spec.ret];
  e.callee.ty = fnType(params, ret);
  return ret;
}

function checkBuiltinArg(c: Checker, body: Body, a: Expr, param: BuiltinParam): void {
  if (!Array.isArray(param)) return checkAgainst(c, body, a, param as Type);
  const t = expectValue(c, body, a);
  const choices = param as readonly Type[];
  if (isError(t) || choices.includes(t)) return;
  const names = choices.map(show);
  const expected = `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
  c.error(c.start(a), `type mismatch: expected ${expected} but found ${show(t)}`);
}

// ---- allocation and literals -------------------------------------------------------

/** `new S { ... }`: every field exactly once, in any order. */
function checkNewStruct(c: Checker, body: Body, e: Expr & { kind: 'new_struct' }): Type {
  const namePos = e.namePos ?? e.pos;
  const index = c.structIndex.get(e.name);
  if (index === undefined) {
    if (PRIMITIVES.has(e.name)) c.error(namePos, `'${e.name}' is not a struct`);
    else if (!c.broken.has(e.name)) c.error(namePos, `unknown type '${e.name}'`, () => didYouMean(closestName(e.name, c.structIndex.keys())));
    for (const f of e.fields) expectValue(c, body, f.value);
    return ERROR;
  }
  e.structIndex = index;
  const info = c.structs[index]!;
  const seen = new Set<string>();
  for (const f of e.fields) checkFieldInit(c, body, index, f, seen);
  reportMissingFields(c, info, seen, namePos);
  return structType(c, index);
}

/** One `name: value` of `new S { ... }`; `seen` collects the names given so far. */
function checkFieldInit(c: Checker, body: Body, structIndex: number, f: { name: string; pos: Pos; value: Expr }, seen: Set<string>): void {
  const info = c.structs[structIndex]!;
  const at = c.fieldIndex[structIndex]!.get(f.name);
  const field = at === undefined ? undefined : info.fields[at];
  const duplicate = seen.has(f.name);
  seen.add(f.name);
  if (field && !duplicate) return checkAgainst(c, body, f.value, field.type);
  if (field) c.error(f.pos, `duplicate field '${f.name}'`);
  else c.error(f.pos, `struct '${info.name}' has no field '${f.name}'`, () => didYouMean(closestName(f.name, fieldsNotGiven(info, seen))));
  expectValue(c, body, f.value);
}

/** A struct's field names, for a hint. */
function* fieldNames(fields: readonly { name: string }[]): Iterable<string> {
  for (const f of fields) yield f.name;
}

/** The fields of `new S { ... }` not given yet, for a hint. */
function* fieldsNotGiven(info: StructInfo, seen: Set<string>): Iterable<string> {
  for (const f of info.fields) if (!seen.has(f.name)) yield f.name;
}

/** Names the first MAX_NAMES_LISTED missing fields and counts the rest (a struct
 *  may have thousands). */
function reportMissingFields(c: Checker, info: StructInfo, seen: Set<string>, at: Pos): void {
  const missing = info.fields.filter((f) => !seen.has(f.name)).map((f) => `'${f.name}'`);
  if (missing.length === 0) return;
  const noun = missing.length === 1 ? 'field' : 'fields';
  const listed = missing.length > MAX_NAMES_LISTED
    ? `${missing.slice(0, MAX_NAMES_LISTED).join(', ')} and ${missing.length - MAX_NAMES_LISTED} more`
    : missing.join(', ');
  c.error(at, `missing ${noun} ${listed} in new ${info.name}`);
}

function checkNewArray(c: Checker, body: Body, e: Expr & { kind: 'new_array' }): Type {
  const elem = resolveType(c, e.elem);
  checkAgainst(c, body, e.length, I32);
  return isError(elem) ? ERROR : arrayOf(elem);
}

/** The element type is that of the first non-null element; the rest must fit it. */
function checkArrayLiteral(c: Checker, body: Body, e: Expr & { kind: 'array_lit' }): Type {
  const types: Type[] = [];
  for (const el of e.elements) types.push(expectValue(c, body, el));
  const elem = types.find((t) => t !== NULL);
  if (elem === undefined) {
    c.error(e.pos, 'cannot infer the element type of an array of null');
    return ERROR;
  }
  if (isError(elem)) return ERROR;
  e.elements.forEach((el, i) => {
    if (!compatible(types[i]!, elem)) {
      c.error(c.start(el), `type mismatch: expected ${show(elem)} but found ${show(types[i]!)}`);
    }
  });
  return arrayOf(elem);
}

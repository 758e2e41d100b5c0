// The Tier syntax tree, before and after checking.
//
// The parser builds these nodes; the checker fills the fields marked "set by the
// checker" (types, resolved names, call kinds, local ids) in place. The lowering
// to bytecode (lower.ts) reads only checked trees: after a successful check every
// "set by the checker" field of every reachable node is present.
//
// Every node carries `pos`, the position of the token a diagnostic about that node
// points at (see docs/language.md, "Where errors point"). The parser bounds how
// deeply nodes nest (parser.ts, MAX_NESTING), except along the left operand of
// binary operators and along `else if`, which later stages walk with loops.

import type { Type } from './types.js';
import type { BuiltinName } from '../bytecode/builtins.js';

export interface Pos { line: number; col: number }

// ---- type syntax ---------------------------------------------------------------
export type TypeNode =
  | { kind: 'named'; pos: Pos; name: string }            // i32 f64 bool str or a struct name
  | { kind: 'array'; pos: Pos; elem: TypeNode }          // [T]
  | { kind: 'fn'; pos: Pos; params: TypeNode[]; ret: TypeNode | null };

// ---- expressions ---------------------------------------------------------------
export type BinOp =
  | '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '|' | '^' | '&' | '<<' | '>>' | '>>>' | '+' | '-' | '*' | '/' | '%';
export type UnOp = '-' | '!' | '~';

/** What a name refers to (set by the checker). */
export type NameRef =
  | { kind: 'local'; id: number }       // id: unique within the function, 0..localCount-1
  | { kind: 'global'; index: number }   // index into CheckedProgram.globals
  | { kind: 'fn'; index: number };      // a top-level function used as a value

/** A built-in function's name (the registry is bytecode/builtins.ts). */
export type Builtin = BuiltinName;

/** How a call is made (set by the checker). */
export type CallTarget =
  | { kind: 'direct'; index: number }   // top-level function, index into functions
  | { kind: 'extern'; index: number }   // index into CheckedProgram.externs
  | { kind: 'builtin'; name: Builtin }  // argument types are in args[i].ty
  | { kind: 'value' };                  // callee is an expression of fn type

interface ExprBase { pos: Pos; ty?: Type /* set by the checker */ }

export type Expr =
  | (ExprBase & { kind: 'int'; value: number })          // value already in i32 range (hex wrapped)
  | (ExprBase & { kind: 'float'; value: number })
  | (ExprBase & { kind: 'bool'; value: boolean })
  | (ExprBase & { kind: 'string'; value: string })      // escapes already decoded
  | (ExprBase & { kind: 'null' })
  | (ExprBase & { kind: 'name'; name: string; ref?: NameRef })
  | (ExprBase & { kind: 'unary'; op: UnOp; operand: Expr })
  | (ExprBase & { kind: 'binary'; op: BinOp; left: Expr; right: Expr })   // pos: the operator
  | (ExprBase & { kind: 'cast'; expr: Expr; target: TypeNode })          // pos: `as`
  | (ExprBase & { kind: 'call'; callee: Expr; args: Expr[]; target?: CallTarget })  // pos: first token of the callee
  | (ExprBase & { kind: 'index'; object: Expr; index: Expr })            // pos: first token of the object
  | (ExprBase & { kind: 'field'; object: Expr; field: string; fieldIndex?: number /* set by the checker */ }) // pos: field name
  | (ExprBase & { kind: 'len'; object: Expr })                           // `.len` on str or array; pos: `len`
  | (ExprBase & { kind: 'new_struct'; name: string; fields: { name: string; pos: Pos; value: Expr }[]; structIndex?: number; namePos?: Pos /* the struct name after `new` (set by the parser) */ })
  | (ExprBase & { kind: 'new_array'; elem: TypeNode; length: Expr })     // new [T](n)
  | (ExprBase & { kind: 'array_lit'; elements: Expr[] });

export type BinaryExpr = Extract<Expr, { kind: 'binary' }>;

// ---- statements ----------------------------------------------------------------
export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=';

export interface Block { pos: Pos; body: Stmt[] }

export type Stmt =
  | { kind: 'let'; pos: Pos; mutable: boolean; name: string; type: TypeNode | null; init: Expr; id?: number /* local id, set by the checker */ }
  | { kind: 'assign'; pos: Pos; op: AssignOp; target: Expr; value: Expr; opPos?: Pos /* the `=`/`op=` token (set by the parser) */ }   // target: name | index | field
  | { kind: 'if'; pos: Pos; cond: Expr; then: Block; else: Block | null }   // `else if` is a Block holding one if
  | { kind: 'while'; pos: Pos; cond: Expr; body: Block }
  | { kind: 'for'; pos: Pos; name: string; start: Expr; end: Expr; body: Block; id?: number }
  | { kind: 'break'; pos: Pos }
  | { kind: 'continue'; pos: Pos }
  | { kind: 'return'; pos: Pos; value: Expr | null }
  | { kind: 'expr'; pos: Pos; expr: Expr }
  | { kind: 'block'; pos: Pos; block: Block };

export type IfStmt = Extract<Stmt, { kind: 'if' }>;

/**
 * The `if` of an `else if`: an else block holding exactly one if statement (the
 * same whether written `else if` or `else { if ... }`), else null. A chain of
 * `else if` may be tens of thousands long, so every stage walks it with a loop
 * through this function, never by recursion.
 */
export function elseIfOf(s: IfStmt): IfStmt | null {
  const only = s.else?.body.length === 1 ? s.else.body[0]! : null;
  return only?.kind === 'if' ? only : null;
}

// ---- declarations --------------------------------------------------------------
export interface Param { name: string; pos: Pos; type: TypeNode; id?: number }

export interface FnDecl {
  kind: 'fn'; pos: Pos /* the name */; name: string; params: Param[]; ret: TypeNode | null; body: Block;
  localCount?: number;        // set by the checker: ids 0..localCount-1 (params first, in order)
  localTypes?: Type[];        // set by the checker: type of each local id
  endLine?: number;           // line of the closing brace (for the implicit return)
  /** Set by the parser when the body has syntax errors: how many of its
   *  statements come before the first one they touch (the checker checks
   *  only those). */
  cleanStatements?: number;
}
export interface ExternDecl { kind: 'extern'; pos: Pos; name: string; params: Param[]; ret: TypeNode | null }
export interface StructDecl { kind: 'struct'; pos: Pos; name: string; fields: { name: string; pos: Pos; type: TypeNode }[] }
export interface GlobalDecl { kind: 'global'; pos: Pos; mutable: boolean; name: string; type: TypeNode | null; init: Expr }

export type Decl = FnDecl | ExternDecl | StructDecl | GlobalDecl;
/** `broken`: the names of top-level declarations a syntax error cut short after
 *  their name; the checker takes each as declared, with an erroneous type, so that
 *  its uses elsewhere are not reported as errors of their own (front/index.ts). */
export interface Program { file: string; decls: Decl[]; broken: string[] }

// ---- the checker's result --------------------------------------------------------
export interface StructInfo { name: string; fields: { name: string; type: Type }[] }
export interface FnSig { params: Type[]; ret: Type /* void for none */ }

export interface CheckedProgram {
  file: string;
  structs: StructInfo[];                           // in declaration order
  functions: { decl: FnDecl; sig: FnSig }[];       // in declaration order
  externs: { decl: ExternDecl; sig: FnSig }[];     // in declaration order
  globals: { decl: GlobalDecl; type: Type }[];     // in source order (initialisation order)
  mainIndex: number;                               // index of `main` in functions
  mainTakesArgs: boolean;                          // fn main(args: [str])
}

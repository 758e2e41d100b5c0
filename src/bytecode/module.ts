// The bytecode module: what the front-end hands to every tier.
//
// A module is self-contained: functions with their code, register kinds and line
// tables; struct layouts; globals; constant pools; externs. It must pass verify()
// before any tier runs it, and after that the tiers trust it (no bounds or kind
// checks on registers at run time).

import { Kind } from './opcodes.js';

/** A value kind at a function boundary (params, results, fields, globals). */
export type ValKind = Kind.I | Kind.F | Kind.R;

export interface BcFunction {
  name: string;
  index: number;
  params: ValKind[];
  /** Result kind, or null for a function without a result. */
  ret: ValKind | null;
  /** Kind of every register R[0..regKinds.length-1]; params are R[0..params.length-1]. */
  regKinds: Uint8Array;
  /** First register of the call area (2 header slots, then arguments), or
   *  regKinds.length when the function makes no calls. */
  areaBase: number;
  code: Int32Array;
  /** Source line of each code word (lines[pc] for the instruction at pc). */
  lines: Int32Array;
  /** Line used for the function itself (its declaration). */
  line: number;
}

export interface BcStruct {
  name: string;
  /** Total size in bytes including the 8-byte object header, a multiple of 8. */
  size: number;
  fields: { name: string; kind: ValKind; offset: number }[];
}

export interface BcExtern { name: string; params: ValKind[]; ret: ValKind | null; paramTypes: string[]; retType: string }

/** A top-level function's signature in Tier's own terms, for the embedding API:
 *  parameter names and types, and the result type, spelled as in source
 *  (`i32`, `[str]`, `Node`, `fn(i32) -> f64`; null for no result). */
export interface BcSignature { paramNames: string[]; params: string[]; ret: string | null }

export interface BcModule {
  file: string;
  functions: BcFunction[];
  /** The Tier signature of each function declared in the source (indexed like
   *  `functions`; the global initialiser, last, has none). */
  signatures: BcSignature[];
  structs: BcStruct[];
  globals: { name: string; kind: ValKind }[];
  externs: BcExtern[];
  /** Signature shapes named by CALLV (the callee's kinds are known at the call). */
  sigs: { params: ValKind[]; ret: ValKind | null }[];
  f64Consts: number[];
  strConsts: string[];
  /** The function that initialises globals in source order (named `<globals>`). */
  initIndex: number;
  mainIndex: number;
  mainTakesArgs: boolean;
}

export function kindName(k: number): string {
  switch (k) {
    case Kind.I: return 'i';
    case Kind.F: return 'f';
    case Kind.R: return 'r';
    case Kind.A: return 'a';
    default: return '?';
  }
}

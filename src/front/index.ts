// The front end's one entry point: source text -> checked program or diagnostics.
//
// What must stay true: lexical and syntax errors are all reported and then type
// checking is skipped (so no error is reported as a consequence of another); a
// checked program is returned only when there are no diagnostics; `formatted` holds
// every diagnostic in source order, each in the contract's three-line format.

import type { CheckedProgram } from './ast.js';
import { check } from './checker.js';
import { type Diagnostic, formatDiagnostics, sortDiagnostics } from './diagnostics.js';
import { lex } from './lexer.js';
import { parse } from './parser.js';

export type { Diagnostic } from './diagnostics.js';
export { formatDiagnostics } from './diagnostics.js';
export { lex } from './lexer.js';
export type { Token, TokenKind } from './lexer.js';
export { parse } from './parser.js';
export { check } from './checker.js';

export interface FrontResult {
  checked: CheckedProgram | null;
  diagnostics: Diagnostic[];
  formatted: string;
}

export function compileFront(file: string, source: string): FrontResult {
  const { checked, diagnostics } = guardDepth(() => runStages(file, source));
  const sorted = sortDiagnostics(diagnostics);
  return { checked, diagnostics: sorted, formatted: formatDiagnostics(file, source, sorted) };
}

function runStages(file: string, source: string): { checked: CheckedProgram | null; diagnostics: Diagnostic[] } {
  const lexed = lex(source);
  const parsed = parse(file, lexed.tokens, lexed.diagnostics);
  const syntax = [...lexed.diagnostics, ...parsed.diagnostics];
  if (syntax.length > 0) return { checked: null, diagnostics: syntax };
  return check(parsed.program, parsed.parenStarts);
}

/**
 * The stages recurse over the tree; a pathologically nested program (thousands of
 * nested parentheses or one expression of thousands of operators) could exhaust the
 * host stack. That is reported as a compile error instead of a host crash.
 */
function guardDepth(run: () => { checked: CheckedProgram | null; diagnostics: Diagnostic[] }): { checked: CheckedProgram | null; diagnostics: Diagnostic[] } {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return { checked: null, diagnostics: [{ line: 1, col: 1, message: 'program is nested too deeply to compile' }] };
  }
}

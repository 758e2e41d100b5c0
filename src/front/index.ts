// The front end's one entry point: source text -> checked program or diagnostics.
//
// What must stay true: lexical and syntax errors are all reported, and type
// errors only where none of them can be the cause (so no error is reported as
// a consequence of another): value errors (a literal out of range or with no
// digits, a bad escape in a string: the token keeps its kind, the value stands
// as 0 or nothing) leave the whole program checked; syntax and lexical errors
// inside function bodies that parsed to their `}` leave every other function
// checked and, of those bodies, the statements before the first statement an
// error touched (parser.ts, cleanStatements: declarations and signatures are
// whole, so nothing outside a body follows from what broke inside it); a
// syntax error that cut a declaration short after its name leaves every other
// declaration checked, the name declared with the ERROR type (Program.broken:
// no use of it can be an error of its own), unless what it took in holds a line
// starting with `let`/`var` (a global it may have swallowed); any other lexical
// or syntax error (a declaration broken before its name, tokens between
// declarations, a string or comment left open to the end of the file) leaves
// nothing checked; a
// checked program is returned only when there are no errors; `formatted` holds the
// first MAX_REPORTED_ERRORS diagnostics in source order, each in the contract's
// three-line format (and a hint line when there is one), then one summary line:
// the count, or how many more were left out (diagnostics.ts).
// No stage recurses deeper than the parser's nesting limit allows (parser.ts,
// MAX_NESTING), so a deep program is a positioned compile error on any thread,
// never a host stack overflow (and on a thread with far less stack than tiervm
// is measured for, the parser and checker report their overflow at a position:
// diagnostics.ts, isHostStackOverflow).

import type { CheckedProgram } from './ast.js';
import { check } from './checker.js';
import { type Diagnostic, firstDiagnostics, formatEach, summaryLine } from './diagnostics.js';
import { lex } from './lexer.js';
import { parse } from './parser.js';

export type { Diagnostic } from './diagnostics.js';
export { formatDiagnostics, MAX_REPORTED_ERRORS, printable } from './diagnostics.js';
export { lex } from './lexer.js';
export type { Token, TokenKind } from './lexer.js';
export { parse, MAX_NESTING } from './parser.js';
export { check } from './checker.js';

export interface FrontResult {
  checked: CheckedProgram | null;
  /** The diagnostics shown: the first MAX_REPORTED_ERRORS in source order. */
  diagnostics: Diagnostic[];
  /** How many errors there are in all (shown or not). */
  errorCount: number;
  formatted: string;
  /** The text of each shown diagnostic (formatted is these, then the summary line). */
  formattedEach: string[];
}

/** Editors may save one at the start of a UTF-8 file: compileFront leaves it
 *  out, so that columns and quoted lines are those an editor shows; a second
 *  is an unexpected character, as one anywhere else. */
const BYTE_ORDER_MARK = '\ufeff';

export function compileFront(file: string, text: string): FrontResult {
  const source = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  const lexed = lex(source);
  const parsed = parse(file, lexed.tokens, lexed.diagnostics, { lexicalAt: lexed.structuralAt });
  const stages = [
    { items: lexed.diagnostics, count: lexed.errorCount },
    { items: parsed.diagnostics, count: parsed.errorCount },
  ];
  // Type checking only where no syntax error can be the cause: see the file comment.
  const earlier = lexed.errorCount + parsed.errorCount;
  const lexical = lexed.errorCount - lexed.valueErrorCount;
  const syntax = parsed.errorCount - parsed.valueErrorCount;
  const checkable = lexical === parsed.inBodyLexicalCount && syntax === parsed.inBodyErrorCount + parsed.inBrokenDeclErrorCount;
  const checked = checkable ? check(parsed.program, parsed.parenStarts) : null;
  if (checked) stages.push({ items: checked.diagnostics, count: checked.errorCount });
  const { shown, omitted } = firstDiagnostics(stages);
  const each = formatEach(file, source, shown);
  return {
    checked: earlier === 0 ? checked?.checked ?? null : null,
    diagnostics: shown,
    errorCount: shown.length + omitted,
    formatted: each.join('') + summaryLine(shown.length, omitted),
    formattedEach: each,
  };
}

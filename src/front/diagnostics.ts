// Compile-time diagnostics and their text form (the format is part of the contract):
//
//   FILE:LINE:COL: error: MESSAGE
//   <the source line>
//   <spaces up to COL-1, tabs kept as tabs>^
//
// Lines and columns are 1-based; columns count UTF-16 code units. Messages are short,
// lower case and name the offending thing in quotes. Formatting is pure: it never
// changes the diagnostics, and sorting is stable (same position keeps report order).

export interface Diagnostic { line: number; col: number; message: string }

/** Sorts by line, then column; diagnostics at the same position keep their order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The source split into lines, without line terminators (`\n` or `\r\n`). */
export function sourceLines(source: string): string[] {
  return source.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** The caret line: the source line's tabs kept, every other character a space. */
export function caretLine(sourceLine: string, col: number): string {
  let pad = '';
  for (let i = 0; i < col - 1; i++) pad += sourceLine[i] === '\t' ? '\t' : ' ';
  return pad + '^';
}

/** One diagnostic as three lines, each ending in a newline. */
export function formatDiagnostic(file: string, lines: readonly string[], d: Diagnostic): string {
  const text = lines[d.line - 1] ?? '';
  return `${file}:${d.line}:${d.col}: error: ${d.message}\n${text}\n${caretLine(text, d.col)}\n`;
}

/** Every diagnostic in source order, formatted and concatenated. */
export function formatDiagnostics(file: string, source: string, diagnostics: readonly Diagnostic[]): string {
  const lines = sourceLines(source);
  return sortDiagnostics(diagnostics).map((d) => formatDiagnostic(file, lines, d)).join('');
}

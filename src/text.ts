// Text shown to a user that came from a program (its source lines, file names,
// runtime error messages): what must stay true is that it cannot break the
// line formats of diagnostics (LANGUAGE.md) or drive the terminal.

/** `s` with every control character but tab (C0, DEL, C1) shown as U+FFFD, one
 *  code unit for one: a source line must not send escape sequences to the
 *  terminal, and the caret's column stays right; a file name or a `panic`
 *  message with a newline could forge a `FILE:LINE:COL:` or `  at` line. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, '\ufffd');
}

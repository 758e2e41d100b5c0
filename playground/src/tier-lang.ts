// Tier syntax highlighting for CodeMirror 6: a stream tokenizer over the very
// lists the compiler uses (the lexer's KEYWORDS, the checker's PRIMITIVES, the
// BUILTINS registry), so the editor never disagrees with the language. The
// TextMate grammar (editors/tier.tmLanguage.json) is generated from the same lists.

import { StreamLanguage, type StringStream } from '@codemirror/language';
import { KEYWORDS } from '../../src/front/lexer.js';
import { PRIMITIVES } from '../../src/front/checker.js';
import { BUILTINS } from '../../src/bytecode/builtins.js';

const ATOMS = new Set(['true', 'false', 'null']);
const builtins = new Set(Object.keys(BUILTINS));

interface State { inComment: boolean }

function blockComment(stream: StringStream, state: State): string {
  while (!stream.eol()) {
    if (stream.match('*/')) { state.inComment = false; return 'comment'; }
    stream.next();
  }
  return 'comment';
}

function token(stream: StringStream, state: State): string | null {
  if (state.inComment) return blockComment(stream, state);
  if (stream.eatSpace()) return null;
  if (stream.match('//')) { stream.skipToEnd(); return 'comment'; }
  if (stream.match('/*')) { state.inComment = true; return blockComment(stream, state); }
  if (stream.peek() === '"') {
    stream.next();
    while (!stream.eol()) {
      const c = stream.next();
      if (c === '\\') stream.next();
      else if (c === '"') break;
    }
    return 'string';
  }
  if (stream.match(/^0x[0-9a-fA-F]+/) || stream.match(/^\d+(\.\d+)?([eE][+-]?\d+)?/)) return 'number';
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
  if (word) {
    const w = word[0];
    if (ATOMS.has(w)) return 'atom';
    if (KEYWORDS.has(w)) return 'keyword';
    if (PRIMITIVES.has(w)) return 'typeName';
    if (builtins.has(w) && stream.match(/^\s*\(/, false)) return 'builtin';
    if (/^[A-Z]/.test(w)) return 'typeName';
    return 'variableName';
  }
  if (stream.match(/^(->|\.\.|[-+*\/%&|^~!=<>]=?|&&|\|\|)/)) return 'operator';
  stream.next();
  return 'punctuation';
}

export const tierLanguage = StreamLanguage.define<State>({
  name: 'tier',
  startState: () => ({ inComment: false }),
  token,
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
});

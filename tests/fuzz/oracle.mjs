// Owns the fuzzer's independent oracle: a Tier program (source text) translated
// straight to plain JavaScript that implements the language contract (LANGUAGE.md; and, where
// the contract leaves a choice open, the choices docs/language.md documents:
// `<globals>` as the frame name of global initialisers, the `fixed:` and `chr:`
// messages, `args` without the file name), then run with a step watchdog. It
// shares no code with tiervm (no import from src/ or dist/): a bug every tier
// shares (front end, checker, lowering, the interpreter, a built-in) shows as a
// disagreement between the oracle and the interpreter.
//
// What must stay true:
// - The result has the runner's shape: { code, stdout, stderr, outBeforeErr }:
//   exit status 0 or 1, `runtime error: MESSAGE` and one `  at NAME (FILE:LINE)`
//   line per guest frame, innermost first. A frame's line is the line of the
//   statement it is running (of the `if`/`else if`/`while` head while evaluating
//   its condition). The contract does not say which line of a statement that
//   spans lines a frame shows, so a program with such a statement comes back
//   with exactTrace false and the runner compares only the first stderr line
//   (generated programs never have one).
// - Evaluation is left to right everywhere; checks (null, bounds) happen after
//   every operand is evaluated, as the contract orders them (`a[i] = e`: a, i, e,
//   then the store and its checks). A compound assignment `t op= e` reads its
//   target (with the target's checks) before evaluating e.
// - What it cannot model exactly it reports as { skip: REASON } and never guesses:
//   a host (JavaScript) stack overflow, the step/time watchdog, externs, clock(),
//   anything the small parser or checker here does not understand. The runner
//   skips programs whose interpreter run met `stack overflow` or `out of memory`
//   (limits of tiervm's frame stack and heap) before calling the oracle.
// - i32 values are JavaScript numbers in int32 range, never -0.

export const FRAME_GLOBALS = '<globals>';
const MAX_CHUNKS = 400; // step budget: MAX_CHUNKS * CHUNK loop back-edges and calls
const CHUNK = 1 << 20;
const MAX_MS = 20_000;
/** Longer arrays and strings than any tiervm heap of the fuzzer's size could hold. */
const MAX_ELEMS = 1 << 24;

class Unsupported extends Error {}
const unsupported = (why) => { throw new Unsupported(why); };

// ------------------------------------------------------------------ lexer
const KEYWORDS = new Set(['fn', 'let', 'var', 'if', 'else', 'while', 'for', 'in', 'break', 'continue', 'return',
  'struct', 'new', 'null', 'true', 'false', 'as', 'extern']);
const isIdStart = (c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isDigit = (c) => c >= '0' && c <= '9';
const OPS = new Set(['>>>=', '>>>', '<<=', '>>=', '...', '..', '->', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>', '+=', '-=',
  '*=', '/=', '%=', '&=', '|=', '^=', '(', ')', '{', '}', '[', ']', ',', ';', ':', '.', '+', '-', '*', '/', '%', '&',
  '|', '^', '~', '!', '<', '>', '=']);

function lex(src) {
  const toks = [];
  let i = 0, line = 1;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < n && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) unsupported('unterminated comment');
      for (let j = i; j < end; j++) if (src[j] === '\n') line++;
      i = end + 2; continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < n && (isIdStart(src[j]) || isDigit(src[j]))) j++;
      const w = src.slice(i, j);
      toks.push({ t: KEYWORDS.has(w) ? 'kw' : 'id', v: w, line });
      i = j; continue;
    }
    if (isDigit(c)) {
      let j = i;
      if (c === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
        j = i + 2;
        while (j < n && /[0-9A-Fa-f_]/.test(src[j])) j++;
        const text = src.slice(i + 2, j).replace(/_/g, '');
        const v = parseInt(text, 16);
        if (!(v <= 0xFFFFFFFF)) unsupported('hex literal too large');
        toks.push({ t: 'int', v: v | 0, line });
        i = j; continue;
      }
      while (j < n && /[0-9_]/.test(src[j])) j++;
      let isFloat = false;
      if (src[j] === '.' && /[0-9]/.test(src[j + 1] ?? '')) {
        isFloat = true; j++;
        while (j < n && /[0-9_]/.test(src[j])) j++;
      }
      if ((src[j] === 'e' || src[j] === 'E') && /[0-9]/.test(src[j + 1] === '+' || src[j + 1] === '-' ? src[j + 2] ?? '' : src[j + 1] ?? '')) {
        isFloat = true; j++;
        if (src[j] === '+' || src[j] === '-') j++;
        while (j < n && /[0-9_]/.test(src[j])) j++;
      }
      const text = src.slice(i, j).replace(/_/g, '');
      if (isFloat) toks.push({ t: 'float', v: Number(text), line });
      else {
        const v = Number(text);
        if (v > 2147483648) unsupported('decimal literal too large');
        toks.push({ t: 'int', v, line }); // 2147483648 only after a unary minus (checked there)
      }
      i = j; continue;
    }
    if (c === '"') {
      let j = i + 1, s = '';
      for (;;) {
        if (j >= n) unsupported('unterminated string');
        const d = src[j];
        if (d === '"') { j++; break; }
        if (d === '\n') unsupported('newline in string');
        if (d === '\\') {
          const e = src[j + 1];
          if (e === 'n') s += '\n'; else if (e === 't') s += '\t'; else if (e === 'r') s += '\r';
          else if (e === '\\') s += '\\'; else if (e === '"') s += '"'; else if (e === '0') s += '\0';
          else if (e === 'u' && src[j + 2] === '{') {
            const end = src.indexOf('}', j + 3);
            const cp = parseInt(src.slice(j + 3, end), 16);
            if (end < 0 || !(cp >= 0 && cp <= 0x10FFFF)) unsupported('bad \\u escape');
            s += String.fromCodePoint(cp);
            j = end + 1; continue;
          } else unsupported('bad escape');
          j += 2; continue;
        }
        s += d; j++;
      }
      toks.push({ t: 'str', v: s, line });
      i = j; continue;
    }
    let op;
    for (let len = 4; len > 0 && !op; len--) if (OPS.has(src.slice(i, i + len))) op = src.slice(i, i + len);
    if (!op) unsupported(`unexpected character ${JSON.stringify(c)}`);
    toks.push({ t: 'op', v: op, line });
    i += op.length;
  }
  toks.push({ t: 'eof', v: '<eof>', line });
  return toks;
}

// ------------------------------------------------------------------ parser
// Types: { k: 'i32'|'f64'|'bool'|'str'|'null'|'void' } | { k: 'arr', el } | { k: 'struct', name } | { k: 'fn', params, ret }
const T = { i32: { k: 'i32' }, f64: { k: 'f64' }, bool: { k: 'bool' }, str: { k: 'str' }, null: { k: 'null' }, void: { k: 'void' } };
const tkey = (t) => (t.k === 'arr' ? `[${tkey(t.el)}]` : t.k === 'struct' ? t.name : t.k === 'fn' ? `fn(${t.params.map(tkey).join(',')})->${t.ret ? tkey(t.ret) : ''}` : t.k);

// Loosest to tightest, as in the contract.
const BIN_LEVEL = new Map([['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['|'], ['^'], ['&'], ['<<', '>>', '>>>'], ['+', '-'], ['*', '/', '%']]
  .flatMap((ops, level) => ops.map((op) => [op, level])));

class Parser {
  constructor(toks) { this.toks = toks; this.p = 0; this.multiLine = false; }
  /** A statement's head (up to its `;` or its block) ended: did it span lines? */
  head(line) { if (this.toks[this.p - 1].line !== line) this.multiLine = true; }
  get cur() { return this.toks[this.p]; }
  peek(k = 1) { return this.toks[this.p + k]; }
  is(v) { const c = this.cur; return (c.t === 'op' || c.t === 'kw') && c.v === v; }
  eat(v) { if (this.is(v)) { this.p++; return true; } return false; }
  expect(v) { if (!this.eat(v)) unsupported(`expected ${v}, got ${this.cur.v} on line ${this.cur.line}`); return this.toks[this.p - 1]; }
  ident() { const c = this.cur; if (c.t !== 'id') unsupported(`expected a name, got ${c.v} on line ${c.line}`); this.p++; return c.v; }
  commaList(close, item) {
    const out = [];
    while (!this.is(close)) { out.push(item()); if (!this.eat(',')) break; }
    this.expect(close);
    return out;
  }

  program() {
    const decls = [];
    while (this.cur.t !== 'eof') decls.push(this.decl());
    return decls;
  }

  decl() {
    const line = this.cur.line;
    if (this.eat('struct')) {
      const name = this.ident();
      this.expect('{');
      const fields = this.commaList('}', () => { const f = this.ident(); this.expect(':'); return { name: f, ty: this.type() }; });
      return { k: 'struct', name, fields, line };
    }
    if (this.eat('extern')) { this.expect('fn'); const name = this.ident(); return { k: 'extern', name, line }; }
    if (this.eat('fn')) {
      const name = this.ident();
      this.expect('(');
      const params = this.commaList(')', () => { const p = this.ident(); this.expect(':'); return { name: p, ty: this.type() }; });
      const ret = this.eat('->') ? this.type() : null;
      const body = this.block();
      return { k: 'fn', name, params, ret, body, line };
    }
    if (this.is('var') || this.is('let')) {
      this.p++;
      const name = this.ident();
      const ty = this.eat(':') ? this.type() : null;
      this.expect('=');
      const init = this.expr();
      this.expect(';');
      this.head(line);
      return { k: 'global', name, ty, init, line };
    }
    return unsupported(`unexpected ${this.cur.v} at top level, line ${line}`);
  }

  type() {
    if (this.eat('[')) { const el = this.type(); this.expect(']'); return { k: 'arr', el }; }
    if (this.eat('fn')) {
      this.expect('(');
      const params = this.commaList(')', () => this.type());
      const ret = this.eat('->') ? this.type() : null;
      return { k: 'fn', params, ret };
    }
    const name = this.ident();
    return T[name] && name !== 'null' && name !== 'void' ? T[name] : { k: 'struct', name };
  }

  block() {
    this.expect('{');
    const stmts = [];
    while (!this.eat('}')) stmts.push(this.stmt());
    return { k: 'block', stmts };
  }

  stmt() {
    const line = this.cur.line;
    if (this.is('let') || this.is('var')) {
      this.p++;
      const name = this.ident();
      const ty = this.eat(':') ? this.type() : null;
      this.expect('=');
      const init = this.expr();
      this.expect(';');
      this.head(line);
      return { k: 'decl', name, ty, init, line };
    }
    if (this.is('if')) return this.ifStmt();
    if (this.eat('while')) { const cond = this.expr(); this.head(line); return { k: 'while', cond, body: this.block(), line }; }
    if (this.eat('for')) {
      const name = this.ident();
      this.expect('in');
      const lo = this.expr();
      this.expect('..');
      const hi = this.expr();
      this.head(line);
      return { k: 'for', name, lo, hi, body: this.block(), line };
    }
    if (this.eat('break')) { this.expect(';'); return { k: 'break', line }; }
    if (this.eat('continue')) { this.expect(';'); return { k: 'continue', line }; }
    if (this.eat('return')) {
      const value = this.is(';') ? null : this.expr();
      this.expect(';');
      this.head(line);
      return { k: 'return', value, line };
    }
    if (this.is('{')) return { ...this.block(), line };
    const e = this.expr();
    const c = this.cur;
    if (c.t === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '>>>='].includes(c.v)) {
      this.p++;
      const value = this.expr();
      this.expect(';');
      this.head(line);
      return { k: 'assign', op: c.v, target: e, value, line };
    }
    this.expect(';');
    this.head(line);
    return { k: 'expr', e, line };
  }

  ifStmt() {
    const line = this.cur.line;
    this.expect('if');
    const cond = this.expr();
    this.head(line);
    const then = this.block();
    let els = null;
    if (this.eat('else')) els = this.is('if') ? this.ifStmt() : this.block();
    return { k: 'if', cond, then, els, line };
  }

  expr() { return this.binary(0); }

  /** Binary operators at `level` or tighter (precedence climbing, all left-associative). */
  binary(level) {
    let left = this.asExpr();
    for (;;) {
      const c = this.cur;
      const l = c.t === 'op' ? BIN_LEVEL.get(c.v) : undefined;
      if (l === undefined || l < level) return left;
      this.p++;
      const right = this.binary(l + 1);
      left = { k: 'bin', op: c.v, a: left, b: right, line: c.line };
    }
  }

  asExpr() {
    let e = this.unary();
    while (this.is('as')) { const line = this.cur.line; this.p++; e = { k: 'as', e, ty: this.type(), line }; }
    return e;
  }

  unary() {
    const c = this.cur;
    if (c.t === 'op' && (c.v === '-' || c.v === '!' || c.v === '~')) {
      this.p++;
      if (c.v === '-' && this.cur.t === 'int' && this.cur.v === 2147483648 && !this.isPostfix(this.peek())) {
        this.p++;
        return { k: 'int', v: -2147483648, line: c.line };
      }
      return { k: 'un', op: c.v, e: this.unary(), line: c.line };
    }
    return this.postfix();
  }

  isPostfix(tok) { return tok.t === 'op' && (tok.v === '(' || tok.v === '[' || tok.v === '.'); }

  postfix() {
    let e = this.primary();
    for (;;) {
      const line = this.cur.line;
      if (this.eat('(')) e = { k: 'call', callee: e, args: this.commaList(')', () => this.expr()), line };
      else if (this.eat('[')) { const i = this.expr(); this.expect(']'); e = { k: 'index', a: e, i, line }; }
      else if (this.eat('.')) e = { k: 'field', o: e, name: this.ident(), line };
      else return e;
    }
  }

  primary() {
    const c = this.cur;
    const line = c.line;
    if (c.t === 'int') { this.p++; if (c.v > 2147483647) unsupported('decimal literal too large'); return { k: 'int', v: c.v, line }; }
    if (c.t === 'float') { this.p++; return { k: 'float', v: c.v, line }; }
    if (c.t === 'str') { this.p++; return { k: 'str', v: c.v, line }; }
    if (c.t === 'id') { this.p++; return { k: 'name', name: c.v, line }; }
    if (this.eat('true')) return { k: 'bool', v: true, line };
    if (this.eat('false')) return { k: 'bool', v: false, line };
    if (this.eat('null')) return { k: 'null', line };
    if (this.eat('(')) { const e = this.expr(); this.expect(')'); return e; }
    if (this.eat('[')) return { k: 'arrlit', els: this.commaList(']', () => this.expr()), line };
    if (this.eat('new')) {
      if (this.eat('[')) {
        const el = this.type();
        this.expect(']');
        this.expect('(');
        const n = this.expr();
        this.expect(')');
        return { k: 'newarr', el, n, line };
      }
      const name = this.ident();
      this.expect('{');
      const inits = this.commaList('}', () => { const f = this.ident(); this.expect(':'); return { name: f, e: this.expr() }; });
      return { k: 'newstruct', name, inits, line };
    }
    return unsupported(`unexpected ${c.v} on line ${line}`);
  }
}

// ------------------------------------------------------------------ checker + translation to JavaScript
const BUILTINS = new Set(['print', 'write', 'str', 'fixed', 'chr', 'substr', 'parse_i32', 'parse_f64', 'sqrt', 'sin', 'cos',
  'tan', 'atan', 'exp', 'log', 'floor', 'ceil', 'abs', 'atan2', 'pow', 'clock', 'panic', 'read_line']);
const MATH1 = new Set(['sqrt', 'sin', 'cos', 'tan', 'atan', 'exp', 'log', 'floor', 'ceil', 'abs']);

const zeroOf = (t) => (t.k === 'i32' || t.k === 'f64' ? '0' : t.k === 'bool' ? 'false' : 'null');
const numLit = (v) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '(-Infinity)' : Object.is(v, -0) ? '(-0)' : v < 0 ? `(${v})` : String(v));

class Translator {
  constructor(decls) {
    this.structs = new Map();
    this.fns = new Map();
    this.globals = new Map();
    this.maxArity = 0;
    for (const d of decls) {
      if (d.k === 'struct') this.structs.set(d.name, d);
      else if (d.k === 'fn') this.fns.set(d.name, d);
      else if (d.k === 'extern') unsupported('extern function');
    }
    this.decls = decls;
  }

  translate() {
    const out = ['"use strict";', `let $F = ${CHUNK};`];
    const gdecls = this.decls.filter((d) => d.k === 'global');
    // Globals: declared at their zero value, typed in source order.
    const ginit = [];
    this.fn = { temps: 0, scopes: [], ret: null };
    for (const g of gdecls) {
      const init = this.expr(g.init);
      const ty = g.ty ?? init.ty;
      if (ty.k === 'null' || ty.k === 'void') unsupported('global without a type');
      ginit.push(`$l = ${g.line}; g_${g.name} = ${init.code};`);
      this.globals.set(g.name, { ty });
    }
    const gtemps = this.fn.temps;
    for (const g of gdecls) out.push(`let g_${g.name} = ${zeroOf(this.globals.get(g.name).ty)};`);
    out.push(this.frame('$globals', FRAME_GLOBALS, [], ginit.join('\n'), gtemps, gdecls[0]?.line ?? 1));
    for (const f of this.fns.values()) out.push(this.fnDecl(f));
    const main = this.fns.get('main');
    if (!main) unsupported('no main');
    out.push(`return (args) => { $globals(); f_main(${main.params.length ? 'args' : ''}); };`);
    return out.join('\n');
  }

  frame(jsName, name, params, body, temps, line) {
    const tv = temps ? `let ${Array.from({ length: temps }, (_, i) => `$t${i}`).join(', ')};` : '';
    return `function ${jsName}(${params.join(', ')}) {\nif (--$F < 0) $F = $refuel();\nlet $l = ${line}; ${tv}\ntry {\n${body}\n} catch (e) { if (e instanceof $TE) e.frames.push(${JSON.stringify(name)}, $l); throw e; }\n}`;
  }

  fnDecl(f) {
    this.fn = { temps: 0, scopes: [new Map()], ret: f.ret, names: 0 };
    const params = f.params.map((p) => this.declare(p.name, p.ty));
    const body = this.stmts(f.body.stmts);
    return this.frame(`f_${f.name}`, f.name, params, body, this.fn.temps, f.line);
  }

  temp() { return `$t${this.fn.temps++}`; }

  declare(name, ty) {
    const js = `v_${name}_${this.fn.names++}`;
    this.fn.scopes[this.fn.scopes.length - 1].set(name, { js, ty });
    return js;
  }

  lookup(name) {
    for (let i = this.fn.scopes.length - 1; i >= 0; i--) {
      const v = this.fn.scopes[i].get(name);
      if (v) return v;
    }
    const g = this.globals.get(name);
    if (g) return { js: `g_${name}`, ty: g.ty };
    return null;
  }

  inScope(f) {
    this.fn.scopes.push(new Map());
    try { return f(); } finally { this.fn.scopes.pop(); }
  }

  stmts(list) { return list.map((s) => this.stmt(s)).join('\n'); }

  block(b) { return this.inScope(() => `{\n${this.stmts(b.stmts)}\n}`); }

  stmt(s) {
    const L = `$l = ${s.line}; `;
    switch (s.k) {
      case 'decl': {
        const init = this.expr(s.init);
        const ty = s.ty ?? init.ty;
        if (ty.k === 'null' || ty.k === 'void') unsupported('local without a type');
        const js = this.declare(s.name, ty);
        return `${L}let ${js} = ${init.code};`;
      }
      case 'if': return L + this.ifCode(s);
      case 'while': {
        const c = this.expr(s.cond);
        return `while (($l = ${s.line}, ${c.code})) {\nif (--$F < 0) $F = $refuel();\n${this.block(s.body)}\n}`;
      }
      case 'for': {
        const lo = this.expr(s.lo), hi = this.expr(s.hi);
        const c = this.temp(), e = this.temp();
        return this.inScope(() => {
          const v = this.declare(s.name, T.i32);
          return `${L}for (${c} = ${lo.code}, ${e} = ${hi.code}; ${c} < ${e}; ${c}++) {\nif (--$F < 0) $F = $refuel();\nlet ${v} = ${c};\n${this.block(s.body)}\n}`;
        });
      }
      case 'break': return 'break;';
      case 'continue': return 'continue;';
      case 'return': return s.value ? `${L}return ${this.expr(s.value).code};` : 'return;';
      case 'block': return this.block(s);
      case 'expr': return `${L}${this.expr(s.e).code};`;
      case 'assign': return `${L}${this.assign(s)};`;
    }
    return unsupported(`statement ${s.k}`);
  }

  ifCode(s) {
    const c = this.expr(s.cond);
    let code = `if (${c.code}) ${this.block(s.then)}`;
    if (s.els && s.els.k === 'if') code += ` else { $l = ${s.els.line}; ${this.ifCode(s.els)} }`;
    else if (s.els) code += ` else ${this.block(s.els)}`;
    return code;
  }

  /** `a OP b` on values of type ty (operands already translated, evaluated in order). */
  arith(op, ty, a, b) {
    if (ty.k === 'i32') {
      switch (op) {
        case '+': return `((${a} + ${b}) | 0)`;
        case '-': return `((${a} - ${b}) | 0)`;
        case '*': return `Math.imul(${a}, ${b})`;
        case '/': return `$div(${a}, ${b})`;
        case '%': return `$rem(${a}, ${b})`;
        case '&': case '|': case '^': case '<<': case '>>': return `(${a} ${op} ${b})`;
        case '>>>': return `((${a} >>> ${b}) | 0)`;
      }
    } else if (ty.k === 'f64') {
      if (['+', '-', '*', '/', '%'].includes(op)) return `(${a} ${op} ${b})`;
    } else if (ty.k === 'str' && op === '+') return `$cat(${a}, ${b})`;
    return unsupported(`${op} on ${tkey(ty)}`);
  }

  assign(s) {
    const op = s.op === '=' ? null : s.op.slice(0, -1);
    const t = s.target;
    if (t.k === 'name') {
      const v = this.lookup(t.name);
      if (!v) unsupported(`assignment to ${t.name}`);
      const val = this.expr(s.value);
      return op ? `${v.js} = ${this.arith(op, v.ty, v.js, val.code)}` : `${v.js} = ${val.code}`;
    }
    if (t.k === 'index') {
      const a = this.expr(t.a);
      if (a.ty.k !== 'arr') unsupported('assignment into a non-array');
      const i = this.expr(t.i);
      const ta = this.temp(), ti = this.temp();
      const val = this.expr(s.value);
      if (!op) return `$aset(${a.code}, ${i.code}, ${val.code})`;
      return `(${ta} = ${a.code}, ${ti} = ${i.code}, $aset(${ta}, ${ti}, ${this.arith(op, a.ty.el, `$ai(${ta}, ${ti})`, val.code)}))`;
    }
    if (t.k === 'field') {
      const o = this.expr(t.o);
      const f = this.fieldOf(o.ty, t.name);
      const to = this.temp();
      const val = this.expr(s.value);
      if (!op) {
        const tv = this.temp();
        return `(${to} = ${o.code}, ${tv} = ${val.code}, $nn(${to}).F_${t.name} = ${tv})`;
      }
      return `(${to} = $nn(${o.code}), ${to}.F_${t.name} = ${this.arith(op, f.ty, `${to}.F_${t.name}`, val.code)})`;
    }
    return unsupported('assignment target');
  }

  fieldOf(ty, name) {
    if (ty.k !== 'struct') unsupported(`field ${name} of ${tkey(ty)}`);
    const st = this.structs.get(ty.name);
    const f = st?.fields.find((x) => x.name === name);
    if (!f) unsupported(`no field ${name}`);
    return f;
  }

  expr(e) {
    switch (e.k) {
      case 'int': return { code: numLit(e.v), ty: T.i32 };
      case 'float': return { code: numLit(e.v), ty: T.f64 };
      case 'str': return { code: JSON.stringify(e.v), ty: T.str };
      case 'bool': return { code: String(e.v), ty: T.bool };
      case 'null': return { code: 'null', ty: T.null };
      case 'name': {
        const v = this.lookup(e.name);
        if (v) return { code: v.js, ty: v.ty };
        const f = this.fns.get(e.name);
        if (f) return { code: `f_${e.name}`, ty: { k: 'fn', params: f.params.map((p) => p.ty), ret: f.ret } };
        return unsupported(`unknown name ${e.name}`);
      }
      case 'un': {
        const a = this.expr(e.e);
        if (e.op === '!') return { code: `(!${a.code})`, ty: T.bool };
        if (e.op === '~') return { code: `(~${a.code})`, ty: T.i32 };
        if (a.ty.k === 'i32') return { code: `((-${a.code}) | 0)`, ty: T.i32 };
        return { code: `(-${a.code})`, ty: T.f64 };
      }
      case 'as': {
        const a = this.expr(e.e);
        if (a.ty.k === 'f64' && e.ty.k === 'i32') return { code: `$f2i(${a.code})`, ty: T.i32 };
        if ((a.ty.k === 'i32' || a.ty.k === 'f64') && (e.ty.k === 'i32' || e.ty.k === 'f64')) return { code: a.code, ty: e.ty };
        return unsupported('as');
      }
      case 'bin': {
        const op = e.op;
        const a = this.expr(e.a), b = this.expr(e.b);
        if (op === '&&' || op === '||') return { code: `(${a.code} ${op} ${b.code})`, ty: T.bool };
        if (op === '==' || op === '!=') return { code: `(${a.code} ${op}= ${b.code})`, ty: T.bool };
        if (['<', '<=', '>', '>='].includes(op)) {
          if (a.ty.k !== 'i32' && a.ty.k !== 'f64') unsupported(`${op} on ${tkey(a.ty)}`);
          return { code: `(${a.code} ${op} ${b.code})`, ty: T.bool };
        }
        return { code: this.arith(op, a.ty, a.code, b.code), ty: a.ty };
      }
      case 'index': {
        const a = this.expr(e.a), i = this.expr(e.i);
        if (a.ty.k === 'str') return { code: `$si(${a.code}, ${i.code})`, ty: T.i32 };
        if (a.ty.k === 'arr') return { code: `$ai(${a.code}, ${i.code})`, ty: a.ty.el };
        return unsupported(`index of ${tkey(a.ty)}`);
      }
      case 'field': {
        const o = this.expr(e.o);
        if (e.name === 'len' && (o.ty.k === 'arr' || o.ty.k === 'str')) return { code: `$nn(${o.code}).length`, ty: T.i32 };
        const f = this.fieldOf(o.ty, e.name);
        return { code: `$nn(${o.code}).F_${e.name}`, ty: f.ty };
      }
      case 'call': return this.call(e);
      case 'arrlit': {
        const els = e.els.map((x) => this.expr(x));
        const first = els.find((x) => x.ty.k !== 'null');
        if (!first) unsupported('array literal of nulls');
        return { code: `[${els.map((x) => x.code).join(', ')}]`, ty: { k: 'arr', el: first.ty } };
      }
      case 'newarr': {
        const n = this.expr(e.n);
        return { code: `$newarr(${n.code}, ${zeroOf(e.el)})`, ty: { k: 'arr', el: e.el } };
      }
      case 'newstruct': {
        const st = this.structs.get(e.name);
        if (!st) unsupported(`unknown struct ${e.name}`);
        if (e.inits.length !== st.fields.length) unsupported('struct literal without every field');
        // every field evaluated in source order; the object's own field order is the declaration's
        const temps = e.inits.map(() => this.temp());
        const evals = e.inits.map((f, i) => `${temps[i]} = ${this.expr(f.e).code}`);
        const obj = st.fields.map((f) => `F_${f.name}: ${temps[e.inits.findIndex((x) => x.name === f.name)]}`);
        return { code: `(${evals.join(', ')}, { ${obj.join(', ')} })`, ty: { k: 'struct', name: e.name } };
      }
    }
    return unsupported(`expression ${e.k}`);
  }

  call(e) {
    const args = () => e.args.map((a) => this.expr(a));
    if (e.callee.k === 'name' && !this.lookup(e.callee.name)) {
      const name = e.callee.name;
      const f = this.fns.get(name);
      if (f) return { code: `f_${name}(${args().map((a) => a.code).join(', ')})`, ty: f.ret ?? T.void };
      if (BUILTINS.has(name)) return this.builtin(name, args());
      unsupported(`unknown function ${name}`);
    }
    const callee = this.expr(e.callee);
    if (callee.ty.k !== 'fn') unsupported('call of a non-function');
    const as = args();
    this.maxArity = Math.max(this.maxArity, as.length);
    return { code: `$cv(${[callee.code, ...as.map((a) => a.code)].join(', ')})`, ty: callee.ty.ret ?? T.void };
  }

  builtin(name, args) {
    const a = args.map((x) => x.code);
    switch (name) {
      case 'print': return { code: `$print(${a[0]})`, ty: T.void };
      case 'write': return { code: `$write(${a[0]})`, ty: T.void };
      case 'str': return { code: `$str(${a[0]})`, ty: T.str };
      case 'fixed': return { code: `$fixed(${a[0]}, ${a[1]})`, ty: T.str };
      case 'chr': return { code: `$chr(${a[0]})`, ty: T.str };
      case 'substr': return { code: `$substr(${a[0]}, ${a[1]}, ${a[2]})`, ty: T.str };
      case 'parse_i32': return { code: `$parseI32(${a[0]})`, ty: T.i32 };
      case 'parse_f64': return { code: `$parseF64(${a[0]})`, ty: T.f64 };
      case 'atan2': case 'pow': return { code: `Math.${name}(${a[0]}, ${a[1]})`, ty: T.f64 };
      case 'panic': return { code: `$panic(${a[0]})`, ty: T.void };
      case 'read_line': return { code: 'null', ty: T.str }; // the runner gives no standard input
      case 'clock': return unsupported('clock()');
    }
    if (MATH1.has(name)) return { code: `Math.${name}(${a[0]})`, ty: T.f64 };
    return unsupported(`built-in ${name}`);
  }
}

// ------------------------------------------------------------------ run time
class TierError { constructor(msg) { this.msg = msg; this.frames = []; } }
class OracleLimit { constructor(what = 'step or time') { this.what = what; } }
const fail = (msg) => { throw new TierError(msg); };
const NULLREF = 'null reference';

let out = '';
let chunks = 0;
let deadline = 0;

const RT = {
  $TE: TierError,
  $refuel() {
    if (++chunks > MAX_CHUNKS || Date.now() > deadline) throw new OracleLimit();
    return CHUNK;
  },
  $nn(x) { if (x === null) fail(NULLREF); return x; },
  $div(a, b) {
    if (b === 0) fail('division by zero');
    if (a === -2147483648 && b === -1) fail('integer overflow');
    return (a / b) | 0;
  },
  $rem(a, b) { if (b === 0) fail('division by zero'); return (a % b) | 0; },
  $f2i(x) { return Number.isNaN(x) ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : Math.trunc(x) | 0; },
  $cat(a, b) {
    if (a === null || b === null) fail(NULLREF);
    if (a.length + b.length > MAX_ELEMS) throw new OracleLimit('memory');
    return a + b;
  },
  $ai(a, i) {
    if (a === null) fail(NULLREF);
    if (i < 0 || i >= a.length) fail(`index ${i} out of bounds for length ${a.length}`);
    return a[i];
  },
  $si(s, i) {
    if (s === null) fail(NULLREF);
    if (i < 0 || i >= s.length) fail(`index ${i} out of bounds for length ${s.length}`);
    return s.charCodeAt(i);
  },
  $aset(a, i, v) {
    if (a === null) fail(NULLREF);
    if (i < 0 || i >= a.length) fail(`index ${i} out of bounds for length ${a.length}`);
    a[i] = v;
  },
  $newarr(n, zero) {
    if (n < 0) fail('negative array length');
    if (n > MAX_ELEMS) throw new OracleLimit('memory');
    return new Array(n).fill(zero);
  },
  $cv(f, ...args) { if (f === null) fail(NULLREF); return f(...args); },
  $print(x) { if (x === null) fail(NULLREF); out += String(x) + '\n'; },
  $write(x) { if (x === null) fail(NULLREF); out += String(x); },
  $str(x) { return String(x); },
  $fixed(x, d) {
    if (d < 0 || d > 20) fail(`fixed: digits ${d} out of range 0..20`);
    return x.toFixed(d);
  },
  $chr(c) { if (c < 0 || c > 0x10FFFF) fail(`chr: code point ${c} out of range`); return String.fromCodePoint(c); },
  $substr(s, a, b) {
    if (s === null) fail(NULLREF);
    if (!(0 <= a && a <= b && b <= s.length)) fail(`range ${a}..${b} out of bounds for length ${s.length}`);
    return s.slice(a, b);
  },
  $parseI32(s) {
    if (s === null) fail(NULLREF);
    if (!/^[+-]?[0-9]+$/.test(s)) fail(`malformed number: "${s}"`);
    const v = Number(s);
    if (v < -2147483648 || v > 2147483647) fail(`malformed number: "${s}"`);
    return v | 0;
  },
  $parseF64(s) {
    if (s === null) fail(NULLREF);
    if (!/^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(s)) fail(`malformed number: "${s}"`);
    return Number(s);
  },
  $panic(msg) { if (msg === null) fail(NULLREF); fail(msg); },
};
const RT_NAMES = Object.keys(RT);
const RT_VALUES = RT_NAMES.map((k) => RT[k]);

/** Translate a program: { js, exactTrace } or { skip: reason }. exactTrace:
 *  no statement's head spans lines, so every frame's line is known (the
 *  contract does not say which line of a multi-line statement a frame shows). */
export function translate(source) {
  try {
    const parser = new Parser(lex(source));
    const decls = parser.program();
    return { js: new Translator(decls).translate(), exactTrace: !parser.multiLine };
  } catch (e) {
    if (e instanceof Unsupported) return { skip: `unsupported: ${e.message}` };
    throw e;
  }
}

/**
 * Run `source` by the oracle. Returns the runner's record
 * { code, stdout, stderr, outBeforeErr } or { skip: reason }.
 */
export function runOracle(source, { file = 'fuzz.tier', args = [], maxMs = MAX_MS } = {}) {
  const t = translate(source);
  if (t.skip) return t;
  const make = new Function(...RT_NAMES, t.js);
  const run = make(...RT_VALUES);
  out = ''; chunks = 0; deadline = Date.now() + maxMs;
  let code = 0, stderr = '';
  try {
    run(args.slice());
  } catch (e) {
    if (e instanceof TierError) {
      code = 1;
      // (docs/language.md, Runtime errors: a control character but tab in the
      // message is written as U+FFFD.)
      stderr = `runtime error: ${e.msg.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, '\ufffd')}\n`;
      for (let i = 0; i < e.frames.length; i += 2) stderr += `  at ${e.frames[i]} (${file}:${e.frames[i + 1]})\n`;
    } else if (e instanceof OracleLimit) {
      out = '';
      return { skip: `oracle ${e.what} limit` };
    } else if (e instanceof RangeError && /call stack/i.test(e.message)) {
      out = '';
      return { skip: 'host stack overflow' };
    } else throw e;
  }
  const stdout = out;
  out = '';
  return { code, stdout, stderr, outBeforeErr: stderr ? stdout.length : null, exactTrace: t.exactTrace };
}

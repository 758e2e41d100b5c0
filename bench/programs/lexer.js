// lexer (see lexer.tier): a scanner over a generated source text.
let SEED = 7;
function rnd(n) {
  SEED = (Math.imul(SEED, 1103515245) + 12345) & 0x7FFFFFFF;
  return (SEED >> 8) % n;
}
function gen(target) {
  const words = ['while', 'if', 'else', 'return', 'fn', 'let', 'counter', 'x', 'value_2', 'tmp', 'alpha', 'beta'];
  const ops = ['+', '-', '*', '/', '==', '<=', '>=', '(', ')', '{', '}', ';', '=', '!='];
  let s = '';
  let line = '';
  while (s.length < target) {
    const k = rnd(10);
    if (k < 4) line = line + words[rnd(words.length)];
    else if (k < 6) line = line + String(rnd(100000));
    else if (k < 9) line = line + ops[rnd(ops.length)];
    else if (rnd(2) === 0) line = line + '"str ' + String(rnd(1000)) + '"';
    else line = line + '// note ' + String(rnd(50)) + '\n';
    line = line + ' ';
    if (line.length > 60) { s = s + line + '\n'; line = ''; }
  }
  return s;
}
function isAlpha(c) { return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95; }
function isDigit(c) { return c >= 48 && c <= 57; }

const n = +process.argv[2];
const src = gen(65536);
let idents = 0, keywords = 0, numbers = 0, opsCount = 0, strings = 0, comments = 0, lines = 0, sum = 0;
for (let round = 0; round < n; round++) {
  let i = 0;
  const len = src.length;
  while (i < len) {
    const c = src.charCodeAt(i);
    if (c === 32) i++;
    else if (c === 10) { lines++; i++; }
    else if (isAlpha(c)) {
      const start = i;
      while (i < len && (isAlpha(src.charCodeAt(i)) || isDigit(src.charCodeAt(i)))) i++;
      const w = src.substring(start, i);
      if (w === 'while' || w === 'if' || w === 'else' || w === 'return' || w === 'fn' || w === 'let') keywords++;
      else { idents++; sum = (Math.imul(sum, 31) + w.length + src.charCodeAt(start)) & 0xFFFFFF; }
    } else if (isDigit(c)) {
      let v = 0;
      while (i < len && isDigit(src.charCodeAt(i))) { v = v * 10 + (src.charCodeAt(i) - 48); i++; }
      numbers++;
      sum = (sum + v) & 0xFFFFFF;
    } else if (c === 34) {
      i++;
      while (src.charCodeAt(i) !== 34) i++;
      i++;
      strings++;
    } else if (c === 47 && src.charCodeAt(i + 1) === 47) {
      while (src.charCodeAt(i) !== 10) i++;
      comments++;
    } else {
      if ((c === 61 || c === 60 || c === 62 || c === 33) && src.charCodeAt(i + 1) === 61) i += 2; else i++;
      opsCount++;
      sum = (sum ^ c) & 0xFFFFFF;
    }
  }
}
console.log('length ' + src.length);
console.log('idents ' + idents + ' keywords ' + keywords + ' numbers ' + numbers);
console.log('ops ' + opsCount + ' strings ' + strings + ' comments ' + comments + ' lines ' + lines);
console.log('checksum ' + sum);

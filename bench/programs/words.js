// Words (see words.tier): N short words built one character at a time, kept in an
// array, pairs compared by content, joined into lines of ten.
function main(n) {
  const words = new Array(n);
  let seed = 42;
  for (let i = 0; i < n; i++) {
    let w = '';
    const len = 2 + seed % 5;
    for (let j = 0; j < len; j++) {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      w = w + String.fromCodePoint(97 + (seed >> 8) % 6);
    }
    words[i] = w;
  }
  let equal = 0;
  for (let i = 0; i < n; i++) {
    if (words[i] === words[(Math.imul(i, 7) + 3) % n]) equal += 1;
  }
  let lines = 0, total = 0, hash = 0, line = '';
  for (let i = 0; i < n; i++) {
    line = line + words[i] + ' ';
    if (i % 10 === 9) {
      lines += 1;
      total += line.length;
      if (lines === Math.trunc(n / 20)) for (let k = 0; k < line.length; k++) hash = (hash * 31 + line.charCodeAt(k)) % 1000003;
      line = '';
    }
  }
  console.log(`${equal} equal pairs, ${lines} lines, ${total} code units, checksum ${hash}`);
}
main(Number(process.argv[2]));

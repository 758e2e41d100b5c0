// The Computer Language Benchmarks Game: fasta (sequential version), with the
// output reduced to each section's header, first and last line plus the byte count
// and a checksum of the whole output text (see fasta.tier).
const IM = 139968, IA = 3877, IC = 29573;
const LINE_LENGTH = 60;
let last = 42;
let hash = 0;
let bytes = 0;
const out = [];

function random(max) {
  last = (last * IA + IC) % IM;
  return max * last / IM;
}

function hashByte(c) {
  hash = (hash * 31 + c) % 1000003;
  bytes++;
}

function header(text) {
  out.push(text);
  for (let i = 0; i < text.length; i++) hashByte(text.charCodeAt(i));
  hashByte(10);
}

function lineDone(line, len, first, lastLine) {
  for (let i = 0; i < len; i++) hashByte(line[i]);
  hashByte(10);
  if (first || lastLine) {
    let s = "";
    for (let i = 0; i < len; i++) s += String.fromCharCode(line[i]);
    out.push(s);
  }
}

function repeatFasta(title, src, n, line) {
  header(title);
  let k = 0, left = n, first = true;
  while (left > 0) {
    const len = left < LINE_LENGTH ? left : LINE_LENGTH;
    for (let i = 0; i < len; i++) {
      line[i] = src.charCodeAt(k);
      k++;
      if (k === src.length) k = 0;
    }
    left -= len;
    lineDone(line, len, first, left === 0);
    first = false;
  }
}

function randomFasta(title, codes, cumulative, n, line) {
  header(title);
  const lastIndex = codes.length - 1;
  let left = n, first = true;
  while (left > 0) {
    const len = left < LINE_LENGTH ? left : LINE_LENGTH;
    for (let i = 0; i < len; i++) {
      const r = random(1.0);
      let j = 0;
      while (j < lastIndex && r >= cumulative[j]) j++;
      line[i] = codes[j];
    }
    left -= len;
    lineDone(line, len, first, left === 0);
    first = false;
  }
}

function codesOf(s) {
  const a = new Int32Array(s.length);
  for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
  return a;
}

function cumulate(p) {
  const c = new Float64Array(p.length);
  let sum = 0.0;
  for (let i = 0; i < p.length; i++) {
    sum += p[i];
    c[i] = sum;
  }
  return c;
}

const ALU =
  "GGCCGGGCGCGGTGGCTCACGCCTGTAATCCCAGCACTTTGG" +
  "GAGGCCGAGGCGGGCGGATCACCTGAGGTCAGGAGTTCGAGA" +
  "CCAGCCTGGCCAACATGGTGAAACCCCGTCTCTACTAAAAAT" +
  "ACAAAAATTAGCCGGGCGTGGTGGCGCGCGCCTGTAATCCCA" +
  "GCTACTCGGGAGGCTGAGGCAGGAGAATCGCTTGAACCCGGG" +
  "AGGCGGAGGTTGCAGTGAGCCGAGATCGCGCCACTGCACTCC" +
  "AGCCTGGGCGACAGAGCGAGACTCCGTCTCAAAAA";

const n = +(process.argv[2] || 1000);
const iubCodes = codesOf("acgtBDHKMNRSVWY");
const iub = cumulate([0.27, 0.12, 0.12, 0.27, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02]);
const homoCodes = codesOf("acgt");
const homo = cumulate([0.3029549426680, 0.1979883004921, 0.1975473066391, 0.3015094502008]);
const line = new Int32Array(LINE_LENGTH);

repeatFasta(">ONE Homo sapiens alu", ALU, 2 * n, line);
randomFasta(">TWO IUB ambiguity codes", iubCodes, iub, 3 * n, line);
randomFasta(">THREE Homo sapiens frequency", homoCodes, homo, 5 * n, line);
out.push(`${bytes} bytes, checksum ${hash}`);
console.log(out.join("\n"));

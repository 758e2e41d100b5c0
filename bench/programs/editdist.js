// editdist (see editdist.tier): Levenshtein distance and 0/1 knapsack in Int32Array rows.
let SEED = 1;
function rnd(n) {
  SEED = (Math.imul(SEED, 1103515245) + 12345) & 0x7FFFFFFF;
  return (SEED >> 8) % n;
}
function randomText(len) {
  let s = '';
  for (let i = 0; i < len; i++) s = s + String.fromCharCode(97 + rnd(4));
  return s;
}
function edit(a, b, prev, cur) {
  const n = a.length, m = b.length;
  let p = prev, c = cur;
  for (let j = 0; j <= m; j++) p[j] = j;
  for (let i = 1; i <= n; i++) {
    c[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      let best = p[j - 1];
      if (b.charCodeAt(j - 1) !== ca) best++;
      const del = p[j] + 1;
      if (del < best) best = del;
      const ins = c[j - 1] + 1;
      if (ins < best) best = ins;
      c[j] = best;
    }
    const t = p; p = c; c = t;
  }
  return p[m];
}
function knapsack(w, v, cap, best) {
  for (let c = 0; c <= cap; c++) best[c] = 0;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i], vi = v[i];
    for (let c = cap; c >= wi; c--) {
      const cand = best[c - wi] + vi;
      if (cand > best[c]) best[c] = cand;
    }
  }
  return best[cap];
}
const n = +process.argv[2];
const prev = new Int32Array(2001), cur = new Int32Array(2001);
let dsum = 0;
for (let k = 0; k < n; k++) {
  const a = randomText(2000);
  const b = randomText(2000);
  dsum += edit(a, b, prev, cur);
}
console.log('edit distance sum ' + dsum);
const w = new Int32Array(200), v = new Int32Array(200), best = new Int32Array(20001);
let ksum = 0;
for (let k = 0; k < n; k++) {
  for (let i = 0; i < 200; i++) { w[i] = 1 + rnd(400); v[i] = 1 + rnd(1000); }
  ksum += knapsack(w, v, 20000, best);
}
console.log('knapsack sum ' + ksum);

// sortfn (see sortfn.tier): merge sort with the comparator passed as a function.
function asc(a, b) { return a - b; }
function desc(a, b) { return b - a; }
function lowByte(a, b) {
  const d = (a & 255) - (b & 255);
  if (d !== 0) return d;
  return a - b;
}
function mergeSort(a, tmp, lo, hi, cmp) {
  if (hi - lo < 2) return;
  const mid = (lo + hi) >> 1;
  mergeSort(a, tmp, lo, mid, cmp);
  mergeSort(a, tmp, mid, hi, cmp);
  let i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    if (cmp(a[i], a[j]) <= 0) { tmp[k] = a[i]; i++; } else { tmp[k] = a[j]; j++; }
    k++;
  }
  while (i < mid) { tmp[k] = a[i]; i++; k++; }
  while (j < hi) { tmp[k] = a[j]; j++; k++; }
  for (let t = lo; t < hi; t++) a[t] = tmp[t];
}
const n = +process.argv[2];
const size = 200000;
const a = new Int32Array(size), tmp = new Int32Array(size);
const cmps = [asc, desc, lowByte];
let seed = 99, chk = 0;
for (let round = 0; round < n; round++) {
  for (let i = 0; i < size; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7FFFFFFF;
    a[i] = seed >> 8;
  }
  const cmp = cmps[round % 3];
  mergeSort(a, tmp, 0, size, cmp);
  for (let i = 1; i < size; i++) if (cmp(a[i - 1], a[i]) > 0) throw new Error('not sorted');
  for (let i = 0; i < size / 1000; i++) chk = (Math.imul(chk, 31) + a[i * 1000]) & 0xFFFFFF;
}
console.log('checksum ' + chk);

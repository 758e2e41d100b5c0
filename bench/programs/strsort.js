// strsort (see strsort.tier): short random strings merge-sorted (JS compares them with <).
let SEED = 13, SEED2 = 1;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  SEED2 = (SEED2 * 1009 + 7) % 1048573;
  return ((SEED >> 4) + SEED2) % n;
}
function sort(a) {
  const n = a.length;
  let src = a, dst = new Array(n).fill(null);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; ) {
      const mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
      let i = lo, j = mid;
      for (let k = lo; k < hi; k++) {
        if (i < mid && (j >= hi || !(src[j] < src[i]))) { dst[k] = src[i]; i += 1; }
        else { dst[k] = src[j]; j += 1; }
      }
      lo = hi;
    }
    const t = src; src = dst; dst = t;
  }
  if (src !== a) for (let i = 0; i < n; i++) a[i] = src[i];
}
function main(n) {
  const a = new Array(n);
  for (let i = 0; i < n; i++) {
    let s = '';
    const len = 3 + rnd(8);
    for (let j = 0; j < len; j++) s = s + String.fromCharCode(97 + rnd(6));
    a[i] = s;
  }
  sort(a);
  let dups = 0, check = 0;
  for (let i = 1; i < n; i++) {
    if (a[i] === a[i - 1]) dups += 1;
    if (a[i] < a[i - 1]) throw new Error('not sorted');
  }
  for (let i = 0; i < Math.trunc(n / 97); i++) check = (check * 31 + a[i * 97].length + a[i * 97].charCodeAt(0)) % 1000003;
  console.log(`dups ${dups}, first ${a[0]}, last ${a[n - 1]}, checksum ${check}`);
}
main(Number(process.argv[2]));

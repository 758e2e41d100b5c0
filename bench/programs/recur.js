// recur (see recur.tier): tak, Ackermann and N-queens by recursion.
let CALLS = 0;
function tak(x, y, z) {
  if (y >= x) return z;
  return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}
function ack(m, n) {
  CALLS++;
  if (m === 0) return n + 1;
  if (n === 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}
function queens(row, n, cols, d1, d2) {
  if (row === n) return 1;
  let count = 0;
  for (let c = 0; c < n; c++) {
    if (!cols[c] && !d1[row + c] && !d2[row - c + n - 1]) {
      cols[c] = true; d1[row + c] = true; d2[row - c + n - 1] = true;
      count += queens(row + 1, n, cols, d1, d2);
      cols[c] = false; d1[row + c] = false; d2[row - c + n - 1] = false;
    }
  }
  return count;
}
const n = +process.argv[2];
let t = 0, a = 0, q = 0;
for (let round = 0; round < n; round++) {
  t = tak(18, 12, 6 + round % 2);
  a = ack(2, 500) + ack(3, 7);
  const size = 9;
  q = queens(0, size, new Array(size).fill(false), new Array(2 * size).fill(false), new Array(2 * size).fill(false));
}
console.log('tak ' + t + ' ack ' + a + ' queens ' + q + ' ack calls ' + CALLS);

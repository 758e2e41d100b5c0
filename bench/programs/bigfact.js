// bigfact (see bigfact.tier): N! and a schoolbook square in base-10,000 limbs.
const n = +process.argv[2];
const cap = n * 2 + 16;
const a = new Int32Array(cap);
a[0] = 1;
let len = 1;
for (let k = 2; k <= n; k++) {
  let carry = 0;
  for (let i = 0; i < len; i++) {
    const t = a[i] * k + carry;
    a[i] = t % 10000;
    carry = (t / 10000) | 0;
  }
  while (carry > 0) {
    a[len] = carry % 10000;
    carry = (carry / 10000) | 0;
    len++;
  }
}
let digits = (len - 1) * 4;
let top = a[len - 1];
while (top > 0) { digits++; top = (top / 10) | 0; }
let dsum = 0;
for (let i = 0; i < len; i++) {
  let v = a[i];
  while (v > 0) { dsum += v % 10; v = (v / 10) | 0; }
}
console.log('digits ' + digits + ' top ' + a[len - 1] + ' ' + a[len - 2] + ' digit sum ' + dsum);
let m = 2000;
if (m > len) m = len;
const r = new Int32Array(2 * m + 1);
for (let i = 0; i < m; i++) {
  let carry = 0;
  const ai = a[i];
  for (let j = 0; j < m; j++) {
    const t = r[i + j] + ai * a[j] + carry;
    r[i + j] = t % 10000;
    carry = (t / 10000) | 0;
  }
  let p = i + m;
  while (carry > 0) {
    const t = r[p] + carry;
    r[p] = t % 10000;
    carry = (t / 10000) | 0;
    p++;
  }
}
let chk = 0;
for (let i = 0; i < 2 * m + 1; i++) chk = (Math.imul(chk, 31) + r[i]) & 0xFFFFFF;
console.log('square checksum ' + chk);

// bits (see bits.tier): xorshift32 and bit tricks.
function popLoop(x) { let v = x, c = 0; while (v !== 0) { v = v & (v - 1); c++; } return c; }
function popSwar(x) {
  let v = (x - ((x >>> 1) & 0x55555555)) | 0;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0F0F0F0F;
  return Math.imul(v, 0x01010101) >>> 24;
}
function ctz(x) {
  if (x === 0) return 32;
  let v = x, n = 0;
  while ((v & 1) === 0) { v = v >>> 1; n++; }
  return n;
}
function reverse(x) {
  let v = x;
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0F0F0F0F) | ((v & 0x0F0F0F0F) << 4);
  v = ((v >>> 8) & 0x00FF00FF) | ((v & 0x00FF00FF) << 8);
  return (v >>> 16) | (v << 16);
}
function rotl(x, k) { return (x << k) | (x >>> (32 - k)); }
const n = +process.argv[2];
let x = 2463534242 | 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, par = 0;
for (let i = 0; i < n * 1000000; i++) {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  const p = popLoop(x);
  if (p !== popSwar(x)) throw new Error('popcount');
  s1 += p;
  s2 = (s2 + ctz(x)) & 0xFFFFFF;
  s3 = (s3 ^ rotl(reverse(x), i & 31)) & 0xFFFFFF;
  s4 = (s4 + (x >>> 20) + (x >> 28)) & 0xFFFFFF;
  par ^= p & 1;
}
console.log('pop ' + s1 + ' ctz ' + s2 + ' rev ' + s3 + ' shifts ' + s4 + ' parity ' + par);

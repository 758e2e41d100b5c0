// openhash (see openhash.tier): open addressing with linear probing in Int32Arrays.
function hashOf(k) {
  let h = Math.imul(k, -1640531535);
  h = h ^ (h >>> 15);
  return h;
}
const n = +process.argv[2];
const bits = 18;
const cap = 1 << bits;
const mask = cap - 1;
const keys = new Int32Array(cap), vals = new Int32Array(cap), used = new Int32Array(cap);
let hits = 0, maxProbe = 0, sum = 0, x = 12345;
for (let round = 0; round < n; round++) {
  for (let i = 0; i < 100000; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const k = x & 0xFFFFF;
    let j = hashOf(k) & mask;
    let probe = 0;
    while (used[j] !== 0 && keys[j] !== k) { j = (j + 1) & mask; probe++; }
    if (probe > maxProbe) maxProbe = probe;
    if (used[j] !== 0) vals[j] += 1; else { used[j] = 1; keys[j] = k; vals[j] = 1; }
  }
  for (let i = 0; i < 100000; i++) {
    const k = (Math.imul(i, 7919) + round) & 0xFFFFF;
    let j = hashOf(k) & mask;
    while (used[j] !== 0 && keys[j] !== k) j = (j + 1) & mask;
    if (used[j] !== 0) { hits++; sum = (sum + Math.imul(vals[j], k & 255)) & 0xFFFFFFF; }
  }
  for (let j = 0; j < cap; j++) {
    if (used[j] !== 0) sum = (sum + Math.imul(keys[j], vals[j])) & 0xFFFFFFF;
    used[j] = 0;
  }
}
console.log('hits ' + hits + ' max probe ' + maxProbe + ' checksum ' + sum);

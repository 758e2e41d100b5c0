// churn (see churn.tier): the same table of records replaced at random slots.
const rounds = Number(process.argv[2]);
const n = 100000;
const table = new Array(n);
for (let i = 0; i < n; i++) table[i] = { x: i, next: null };
let sum = 0, k = 0;
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < n; i++) {
    k = (Math.imul(k, 1103515245) + 12345) & 0x7fffffff;
    const j = k % n;
    const old = table[j];
    sum = (sum + old.x) | 0;
    table[j] = { x: (old.x + 1) | 0, next: table[(j + 1) % n] };
  }
}
console.log(sum);

// The Computer Language Benchmarks Game: spectral-norm
// (sequential version; 10 power iterations of A^T A).
function A(i, j) {
  return 1 / (((i + j) * (i + j + 1)) / 2 + i + 1);
}

// av = A * v
function mulAv(n, v, av) {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += A(i, j) * v[j];
    av[i] = sum;
  }
}

// atv = A^T * v
function mulAtv(n, v, atv) {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += A(j, i) * v[j];
    atv[i] = sum;
  }
}

// out = A^T * A * v
function mulAtAv(n, v, out, tmp) {
  mulAv(n, v, tmp);
  mulAtv(n, tmp, out);
}

const n = +(process.argv[2] || 100);
const u = new Float64Array(n).fill(1);
const v = new Float64Array(n);
const tmp = new Float64Array(n);
for (let i = 0; i < 10; i++) {
  mulAtAv(n, u, v, tmp);
  mulAtAv(n, v, u, tmp);
}
let vBv = 0, vv = 0;
for (let i = 0; i < n; i++) {
  vBv += u[i] * v[i];
  vv += v[i] * v[i];
}
console.log(Math.sqrt(vBv / vv).toFixed(9));

// matrix (see matrix.tier): f64 matrices as arrays of rows, rebuilt every step.
let SEED = 41;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
function zeros(r, c) {
  const m = new Array(r);
  for (let i = 0; i < r; i++) m[i] = new Float64Array(c);
  return m;
}
function step(g, sx, sy) {
  const n = g.length;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(n);
    const up = g[(i + n - 1) % n], mid = g[i], down = g[(i + 1) % n];
    for (let j = 0; j < n; j++) {
      const l = mid[(j + n - 1) % n], r = mid[(j + 1) % n];
      row[j] = mid[j] * 0.6 + (up[j] + down[j] + l + r) * 0.099;
    }
    out[i] = row;
  }
  out[sx][sy] = out[sx][sy] + 10.0;
  return out;
}
function mul(a, b) {
  const n = a.length;
  const c = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(n);
    const ai = a[i];
    for (let j = 0; j < n; j++) {
      let s = 0.0;
      for (let k = 0; k < n; k++) s += ai[k] * b[k][j];
      row[j] = s;
    }
    c[i] = row;
  }
  return c;
}
function rotation(t) {
  const c = Math.cos(t), s = Math.sin(t);
  return [[c, -s, 0.0, 0.1], [s, c, 0.0, 0.2], [0.0, 0.0, 1.0, 0.3], [0.0, 0.0, 0.0, 1.0]];
}
function main(n) {
  let g = zeros(100, 100);
  let m = zeros(4, 4);
  for (let i = 0; i < 4; i++) m[i][i] = 1.0;
  let trace = 0.0;
  for (let s = 0; s < n; s++) {
    g = step(g, rnd(100), rnd(100));
    for (let k = 0; k < 8; k++) {
      m = mul(m, rotation(rnd(1000) / 1000.0));
      m[0][3] = m[0][3] * 0.5;
      m[1][3] = m[1][3] * 0.5;
      m[2][3] = m[2][3] * 0.5;
    }
    trace += m[0][0] + m[1][1] + m[2][2] + m[3][3];
  }
  let total = 0.0, hot = 0.0;
  for (let i = 0; i < 100; i++) {
    for (let j = 0; j < 100; j++) {
      total += g[i][j];
      if (g[i][j] > hot) hot = g[i][j];
    }
  }
  console.log(`steps ${n}, heat ${total.toFixed(6)}, hottest ${hot.toFixed(6)}, trace ${trace.toFixed(6)}`);
}
main(Number(process.argv[2]));

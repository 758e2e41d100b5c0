// life (see life.tier): game of life on a 256 x 256 torus, as arrays of bool rows and as a flat Int32Array.
const W = 256, H = 256;
function stepBool(g, out) {
  for (let y = 0; y < H; y++) {
    const up = g[(y + H - 1) % H], row = g[y], down = g[(y + 1) % H], o = out[y];
    for (let x = 0; x < W; x++) {
      const l = (x + W - 1) % W, r = (x + 1) % W;
      let c = 0;
      if (up[l]) c++;
      if (up[x]) c++;
      if (up[r]) c++;
      if (row[l]) c++;
      if (row[r]) c++;
      if (down[l]) c++;
      if (down[x]) c++;
      if (down[r]) c++;
      o[x] = c === 3 || (c === 2 && row[x]);
    }
  }
}
function stepFlat(g, out) {
  for (let y = 0; y < H; y++) {
    const yu = ((y + H - 1) & (H - 1)) * W, yc = y * W, yd = ((y + 1) & (H - 1)) * W;
    for (let x = 0; x < W; x++) {
      const xl = (x - 1) & (W - 1), xr = (x + 1) & (W - 1);
      const c = g[yu + xl] + g[yu + x] + g[yu + xr] + g[yc + xl] + g[yc + xr]
        + g[yd + xl] + g[yd + x] + g[yd + xr];
      if (c === 3 || (c === 2 && g[yc + x] === 1)) out[yc + x] = 1; else out[yc + x] = 0;
    }
  }
}
function popBool(g) {
  let p = 0;
  for (let y = 0; y < H; y++) { const row = g[y]; for (let x = 0; x < W; x++) if (row[x]) p++; }
  return p;
}
function popFlat(g) { let p = 0; for (let i = 0; i < g.length; i++) p += g[i]; return p; }

const n = +process.argv[2];
let a = [], b = [];
let fa = new Int32Array(W * H), fb = new Int32Array(W * H);
let seed = 42;
for (let y = 0; y < H; y++) {
  a.push(new Array(W).fill(false));
  b.push(new Array(W).fill(false));
  for (let x = 0; x < W; x++) {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7FFFFFFF;
    const alive = ((seed >> 16) & 7) < 3;
    a[y][x] = alive;
    if (alive) fa[y * W + x] = 1;
  }
}
for (let gen = 0; gen < n; gen++) {
  stepBool(a, b); let t = a; a = b; b = t;
  stepFlat(fa, fb); let u = fa; fa = fb; fb = u;
  if ((gen + 1) % 100 === 0) console.log((gen + 1) + ': ' + popBool(a) + ' ' + popFlat(fa));
}
console.log('final ' + popBool(a) + ' ' + popFlat(fa));

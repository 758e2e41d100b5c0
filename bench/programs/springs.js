// springs (see springs.tier): masses and springs, sqrt and abs.
class Mass { constructor(x, y) { this.x = x; this.y = y; this.vx = 0; this.vy = 0; this.fx = 0; this.fy = 0; } }
function spring(a, b, rest, k) {
  const dx = b.x - a.x, dy = b.y - a.y;
  const d = Math.sqrt(dx * dx + dy * dy) + 1e-9;
  const f = k * (d - rest) / d;
  a.fx += f * dx; a.fy += f * dy;
  b.fx -= f * dx; b.fy -= f * dy;
}
function energy(ms) {
  let e = 0;
  for (let i = 0; i < ms.length; i++) { const m = ms[i]; e += 0.5 * (m.vx * m.vx + m.vy * m.vy) + 9.81 * m.y; }
  return e;
}
const n = +process.argv[2];
const count = 400;
const ms = new Array(count);
for (let i = 0; i < count; i++) {
  const a = i * 0.05;
  ms[i] = new Mass(i * 0.5 + Math.sin(a), 10.0 + Math.cos(a * 3.0));
}
const dt = 0.001;
for (let step = 0; step < n; step++) {
  for (let i = 0; i < count; i++) { const m = ms[i]; m.fx = 0.0; m.fy = -9.81; }
  for (let i = 0; i < count - 1; i++) spring(ms[i], ms[i + 1], 0.5, 50.0);
  for (let i = 0; i < count - 7; i++) spring(ms[i], ms[i + 7], 3.5, 5.0);
  for (let i = 0; i < count; i++) {
    const m = ms[i];
    m.vx = (m.vx + m.fx * dt) * 0.9995;
    m.vy = (m.vy + m.fy * dt) * 0.9995;
    if (Math.abs(m.vx) < 1e-7) m.vx = 0.0;
    m.x += m.vx * dt;
    m.y += m.vy * dt;
    if (m.y < 0.0) { m.y = -m.y; m.vy = Math.abs(m.vy) * 0.5; }
  }
}
let cx = 0, cy = 0;
for (let i = 0; i < count; i++) { cx += ms[i].x; cy += ms[i].y; }
console.log(energy(ms).toFixed(6));
console.log((cx / count).toFixed(6) + ' ' + (cy / count).toFixed(6));

// particles (see particles.tier): immutable particles rebuilt from new vectors every step.
let SEED = 11;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
function rndf() { return (rnd(20001) - 10000) / 10000.0; }
function add(a, b) { return { x: a.x + b.x, y: a.y + b.y }; }
function scale(a, s) { return { x: a.x * s, y: a.y * s }; }
function spawn() {
  const pos = { x: rndf(), y: rndf() };
  const vel = { x: rndf() * 0.1, y: rndf() * 0.1 };
  return { pos, vel, mass: 1.0 + rnd(100) / 50.0 };
}
function step(p, dt) {
  const acc = scale(p.pos, -4.0 / p.mass);
  const vel = scale(add(p.vel, scale(acc, dt)), 0.999);
  const pos = add(p.pos, scale(vel, dt));
  let vx = vel.x, vy = vel.y;
  if (pos.x > 1.0 || pos.x < -1.0) vx = -vx;
  if (pos.y > 1.0 || pos.y < -1.0) vy = -vy;
  return { pos, vel: { x: vx, y: vy }, mass: p.mass };
}
function main(steps) {
  const n = 2000;
  const ps = new Array(n);
  for (let i = 0; i < n; i++) ps[i] = spawn();
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < n; i++) {
      if (rnd(64) === 0) ps[i] = spawn(); else ps[i] = step(ps[i], 0.01);
    }
  }
  let e = 0.0, cx = 0.0, cy = 0.0, m = 0.0;
  for (let i = 0; i < n; i++) {
    const p = ps[i];
    e += 0.5 * p.mass * (p.vel.x * p.vel.x + p.vel.y * p.vel.y);
    cx += p.pos.x * p.mass;
    cy += p.pos.y * p.mass;
    m += p.mass;
  }
  console.log(`energy ${e.toFixed(9)}, centre ${(cx / m).toFixed(9)} ${(cy / m).toFixed(9)}`);
}
main(Number(process.argv[2]));

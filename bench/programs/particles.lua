-- particles (see particles.tier): immutable particles rebuilt from new vectors every step.
local SEED = 11
local floor = math.floor
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local function rndf() return (rnd(20001) - 10000) / 10000.0 end
local function add(a, b) return { x = a.x + b.x, y = a.y + b.y } end
local function scale(a, s) return { x = a.x * s, y = a.y * s } end
local function spawn()
  local pos = { x = rndf(), y = rndf() }
  local vel = { x = rndf() * 0.1, y = rndf() * 0.1 }
  return { pos = pos, vel = vel, mass = 1.0 + rnd(100) / 50.0 }
end
local function step(p, dt)
  local acc = scale(p.pos, -4.0 / p.mass)
  local vel = scale(add(p.vel, scale(acc, dt)), 0.999)
  local pos = add(p.pos, scale(vel, dt))
  local vx, vy = vel.x, vel.y
  if pos.x > 1.0 or pos.x < -1.0 then vx = -vx end
  if pos.y > 1.0 or pos.y < -1.0 then vy = -vy end
  return { pos = pos, vel = { x = vx, y = vy }, mass = p.mass }
end
local function main(steps)
  local n = 2000
  local ps = {}
  for i = 1, n do ps[i] = spawn() end
  for s = 1, steps do
    for i = 1, n do
      if rnd(64) == 0 then ps[i] = spawn() else ps[i] = step(ps[i], 0.01) end
    end
  end
  local e, cx, cy, m = 0.0, 0.0, 0.0, 0.0
  for i = 1, n do
    local p = ps[i]
    e = e + 0.5 * p.mass * (p.vel.x * p.vel.x + p.vel.y * p.vel.y)
    cx = cx + p.pos.x * p.mass
    cy = cy + p.pos.y * p.mass
    m = m + p.mass
  end
  print(string.format("energy %.9f, centre %.9f %.9f", e, cx / m, cy / m))
end
main(tonumber(arg[1]))

-- matrix (see matrix.tier): f64 matrices as tables of row tables, rebuilt every step.
local SEED = 41
local floor, cos, sin = math.floor, math.cos, math.sin
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local function zeros(r, c)
  local m = {}
  for i = 1, r do
    local row = {}
    for j = 1, c do row[j] = 0.0 end
    m[i] = row
  end
  return m
end
local function step(g, sx, sy)
  local n = #g
  local out = {}
  for i = 1, n do
    local row = {}
    local up, mid, down = g[(i + n - 2) % n + 1], g[i], g[i % n + 1]
    for j = 1, n do
      local l, r = mid[(j + n - 2) % n + 1], mid[j % n + 1]
      row[j] = mid[j] * 0.6 + (up[j] + down[j] + l + r) * 0.099
    end
    out[i] = row
  end
  out[sx + 1][sy + 1] = out[sx + 1][sy + 1] + 10.0
  return out
end
local function mul(a, b)
  local n = #a
  local c = {}
  for i = 1, n do
    local row = {}
    local ai = a[i]
    for j = 1, n do
      local s = 0.0
      for k = 1, n do s = s + ai[k] * b[k][j] end
      row[j] = s
    end
    c[i] = row
  end
  return c
end
local function rotation(t)
  local c, s = cos(t), sin(t)
  return { { c, -s, 0.0, 0.1 }, { s, c, 0.0, 0.2 }, { 0.0, 0.0, 1.0, 0.3 }, { 0.0, 0.0, 0.0, 1.0 } }
end
local function main(n)
  local g = zeros(100, 100)
  local m = zeros(4, 4)
  for i = 1, 4 do m[i][i] = 1.0 end
  local trace = 0.0
  for s = 1, n do
    local sx = rnd(100)
    local sy = rnd(100)
    g = step(g, sx, sy)
    for k = 1, 8 do
      m = mul(m, rotation(rnd(1000) / 1000.0))
      m[1][4] = m[1][4] * 0.5
      m[2][4] = m[2][4] * 0.5
      m[3][4] = m[3][4] * 0.5
    end
    trace = trace + m[1][1] + m[2][2] + m[3][3] + m[4][4]
  end
  local total, hot = 0.0, 0.0
  for i = 1, 100 do
    for j = 1, 100 do
      total = total + g[i][j]
      if g[i][j] > hot then hot = g[i][j] end
    end
  end
  print(string.format('steps %d, heat %.6f, hottest %.6f, trace %.6f', n, total, hot, trace))
end
main(tonumber(arg[1]))

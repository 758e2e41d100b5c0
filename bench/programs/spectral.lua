-- The Computer Language Benchmarks Game: spectral-norm
-- (sequential version; 10 power iterations of A^T A). Arrays are 1-based.
local function A(i, j)
  local ij = i + j - 1
  return 1.0 / (ij * (ij - 1) * 0.5 + i)
end

-- av = A * v
local function mulAv(n, v, av)
  for i = 1, n do
    local sum = 0.0
    for j = 1, n do sum = sum + A(i, j) * v[j] end
    av[i] = sum
  end
end

-- atv = A^T * v
local function mulAtv(n, v, atv)
  for i = 1, n do
    local sum = 0.0
    for j = 1, n do sum = sum + A(j, i) * v[j] end
    atv[i] = sum
  end
end

-- out = A^T * A * v
local function mulAtAv(n, v, out, tmp)
  mulAv(n, v, tmp)
  mulAtv(n, tmp, out)
end

local n = tonumber(arg[1]) or 100
local u, v, tmp = {}, {}, {}
for i = 1, n do u[i] = 1.0; v[i] = 0.0; tmp[i] = 0.0 end
for _ = 1, 10 do
  mulAtAv(n, u, v, tmp)
  mulAtAv(n, v, u, tmp)
end
local vBv, vv = 0.0, 0.0
for i = 1, n do
  local vi = v[i]
  vBv = vBv + u[i] * vi
  vv = vv + vi * vi
end
print(string.format("%.9f", math.sqrt(vBv / vv)))

-- exprtree (see exprtree.tier): a tiny expression language built, evaluated and constant-folded.
local M = 32749
local SEED = 17
local floor = math.floor
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local function opAdd(a, b) return (a + b) % M end
local function opSub(a, b) return (a - b + M) % M end
local function opMul(a, b) return (a * b) % M end
local function opMin(a, b) if a < b then return a end return b end
local function opMax(a, b) if a > b then return a end return b end
local OPS
local NODES = 0
local function leaf(kind, val)
  NODES = NODES + 1
  return { kind = kind, val = val }
end
local function node(kind, val, op, a, b, c)
  NODES = NODES + 1
  return { kind = kind, val = val, op = op, a = a, b = b, c = c }
end
local function gen(d)
  if d == 0 or rnd(8) == 0 then
    if rnd(2) == 0 then return leaf(0, rnd(100)) end
    return leaf(1, rnd(4))
  end
  local k = rnd(10)
  if k < 6 then
    local op = OPS[rnd(5) + 1]
    local a = gen(d - 1)
    local b = gen(d - 1)
    return node(2, 0, op, a, b, nil)
  end
  if k < 8 then
    local name = rnd(4)
    local a = gen(d - 1)
    local b = gen(d - 1)
    return node(3, name, nil, a, b, nil)
  end
  local a = gen(d - 1)
  local b = gen(d - 1)
  local c = gen(d - 1)
  return node(4, 0, nil, a, b, c)
end
local function lookup(env, name)
  local e = env
  while e ~= nil do
    if e.name == name then return e.val end
    e = e.next
  end
  return 0
end
local function eval(e, env)
  local k = e.kind
  if k == 0 then return e.val end
  if k == 1 then return lookup(env, e.val) end
  if k == 2 then return e.op.f(eval(e.a, env), eval(e.b, env)) end
  if k == 3 then return eval(e.b, { name = e.val, val = eval(e.a, env), next = env }) end
  if eval(e.a, env) % 2 == 0 then return eval(e.b, env) end
  return eval(e.c, env)
end
local function fold(e)
  local k = e.kind
  if k < 2 then return e end
  if k == 2 then
    local a = fold(e.a)
    local b = fold(e.b)
    if a.kind == 0 and b.kind == 0 then return leaf(0, e.op.f(a.val, b.val)) end
    return node(2, 0, e.op, a, b, nil)
  end
  if k == 3 then
    local a = fold(e.a)
    local b = fold(e.b)
    if b.kind == 0 then return b end
    return node(3, e.val, nil, a, b, nil)
  end
  local a = fold(e.a)
  if a.kind == 0 then
    if a.val % 2 == 0 then return fold(e.b) end
    return fold(e.c)
  end
  local b = fold(e.b)
  local c = fold(e.c)
  return node(4, 0, nil, a, b, c)
end
local function main(n, depth)
  OPS = { { f = opAdd, code = 0 }, { f = opSub, code = 1 }, { f = opMul, code = 2 },
    { f = opMin, code = 3 }, { f = opMax, code = 4 } }
  local built, folded, sum = 0, 0, 0
  for round = 0, n - 1 do
    NODES = 0
    local t = gen(depth)
    built = built + NODES
    local v1 = eval(t, nil)
    NODES = 0
    local f = fold(t)
    folded = folded + NODES
    local v2 = eval(f, { name = 9, val = round })
    if v1 ~= v2 then error('fold changed the value') end
    sum = (sum * 31 + v1) % 1000003
  end
  print(string.format('rounds %d, built %d, folded %d, checksum %d', n, built, folded, sum))
end
main(tonumber(arg[1]), tonumber(arg[2] or '14'))

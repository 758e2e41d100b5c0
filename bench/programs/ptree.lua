-- ptree (see ptree.tier): a persistent binary search tree updated by path copying, 16 versions kept.
local SEED = 13
local floor = math.floor
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local function node(key, val, left, right) return { key = key, val = val, left = left, right = right } end
local function find(t, key)
  local n = t
  while n ~= nil do
    if key == n.key then return n end
    if key < n.key then n = n.left else n = n.right end
  end
  return nil
end
local function insert(t, key, val)
  if t == nil then return node(key, val, nil, nil) end
  if key < t.key then return node(t.key, t.val, insert(t.left, key, val), t.right) end
  if key > t.key then return node(t.key, t.val, t.left, insert(t.right, key, val)) end
  return node(key, val, t.left, t.right)
end
local function minNode(t)
  local n = t
  while n.left ~= nil do n = n.left end
  return n
end
local function removeMin(t)
  if t.left == nil then return t.right end
  return node(t.key, t.val, removeMin(t.left), t.right)
end
local function remove(t, key)
  if t == nil then return nil end
  if key < t.key then return node(t.key, t.val, remove(t.left, key), t.right) end
  if key > t.key then return node(t.key, t.val, t.left, remove(t.right, key)) end
  if t.left == nil then return t.right end
  if t.right == nil then return t.left end
  local m = minNode(t.right)
  return node(m.key, m.val, t.left, removeMin(t.right))
end
local COUNT, SUM = 0, 0
local function walk(t)
  if t == nil then return end
  walk(t.left)
  COUNT = COUNT + 1
  SUM = (SUM * 7 + t.key + t.val) % 1000003
  walk(t.right)
end
local function main(n, keys)
  local versions = {}
  local hits = 0
  for i = 0, n - 1 do
    local base = versions[rnd(16) + 1]
    local key = rnd(keys)
    local found = find(base, key)
    local nxt
    if found ~= nil then
      hits = hits + 1
      if found.val % 3 == 0 then nxt = remove(base, key)
      else nxt = insert(base, key, found.val + i % 7) end
    else
      nxt = insert(base, key, i % 1000)
    end
    versions[i % 16 + 1] = nxt
  end
  for v = 1, 16 do walk(versions[v]) end
  print(string.format('updates %d, hits %d, nodes in versions %d, checksum %d', n, hits, COUNT, SUM))
end
main(tonumber(arg[1]), tonumber(arg[2] or '20000'))

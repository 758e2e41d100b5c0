-- bstmap (see bstmap.tier): an unbalanced binary search tree with inserts and deletes.
local SEED = 9
local floor = math.floor
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local function insert(t, key, val)
  if t == nil then return { key = key, val = val, left = nil, right = nil } end
  if key < t.key then t.left = insert(t.left, key, val)
  elseif key > t.key then t.right = insert(t.right, key, val)
  else t.val = val end
  return t
end
local function contains(t, key)
  local n = t
  while n ~= nil do
    if key == n.key then return true end
    if key < n.key then n = n.left else n = n.right end
  end
  return false
end
local function delete(t, key)
  if t == nil then return nil end
  if key < t.key then t.left = delete(t.left, key); return t end
  if key > t.key then t.right = delete(t.right, key); return t end
  if t.left == nil then return t.right end
  if t.right == nil then return t.left end
  local m = t.right
  while m.left ~= nil do m = m.left end
  t.key = m.key
  t.val = m.val
  t.right = delete(t.right, m.key)
  return t
end
local function height(t)
  if t == nil then return 0 end
  local l, r = height(t.left), height(t.right)
  if l > r then return l + 1 end
  return r + 1
end
local COUNT, SUM = 0, 0
local function walk(t)
  if t == nil then return end
  walk(t.left)
  COUNT = COUNT + 1
  SUM = (SUM * 7 + t.key + t.val) % 1000003
  walk(t.right)
end
local function main(n)
  local root, deleted = nil, 0
  for i = 0, n - 1 do
    local key = rnd(65536) * 2 + rnd(2)
    if contains(root, key) then root = delete(root, key); deleted = deleted + 1
    else root = insert(root, key, i % 1000) end
  end
  walk(root)
  print(string.format('size %d, height %d, deleted %d, checksum %d', COUNT, height(root), deleted, SUM))
end
main(tonumber(arg[1]))

-- The Computer Language Benchmarks Game: binary-trees (sequential version).
-- Allocates many short-lived perfect binary trees next to one long-lived tree:
-- a test of the allocator and the garbage collector. A node is a table
-- { left, right } (a leaf is an empty table), as in the Benchmarks Game Lua programs.
--   N = max depth (arg[1], default 16; at least minDepth + 2 = 6)
--   a stretch tree of depth N + 1, built, checked and dropped;
--   a long-lived tree of depth N, kept until the end;
--   for d = 4, 6, ..., N: 2^(N - d + 4) trees of depth d, each built, checked, dropped.
local function bottomUpTree(depth)
  if depth > 0 then
    depth = depth - 1
    local left, right = bottomUpTree(depth), bottomUpTree(depth)
    return { left, right }
  end
  return {}
end

-- Number of nodes in the tree.
local function itemCheck(tree)
  if tree[1] then
    return 1 + itemCheck(tree[1]) + itemCheck(tree[2])
  end
  return 1
end

local n = tonumber(arg and arg[1]) or 16
local minDepth = 4
local maxDepth = n
if maxDepth < minDepth + 2 then maxDepth = minDepth + 2 end

local stretchDepth = maxDepth + 1
print(string.format("stretch tree of depth %d\t check: %d", stretchDepth, itemCheck(bottomUpTree(stretchDepth))))

local longLived = bottomUpTree(maxDepth)

for depth = minDepth, maxDepth, 2 do
  local iterations = math.floor(2 ^ (maxDepth - depth + minDepth))
  local check = 0
  for _ = 1, iterations do
    check = check + itemCheck(bottomUpTree(depth))
  end
  print(string.format("%d\t trees of depth %d\t check: %d", iterations, depth, check))
end

print(string.format("long lived tree of depth %d\t check: %d", maxDepth, itemCheck(longLived)))

-- dijkstra (see dijkstra.tier): shortest paths with a binary heap of item tables.
local SEED = 23
local floor = math.floor
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
-- heap in h.items[1..h.len], the same 0-based arithmetic shifted by one
local function hpush(h, dist, node)
  local items = h.items
  local it = { dist = dist, node = node }
  local i = h.len
  h.len = i + 1
  while i > 0 do
    local p = floor((i - 1) / 2)
    if items[p + 1].dist <= dist then break end
    items[i + 1] = items[p + 1]
    i = p
  end
  items[i + 1] = it
end
local function hpop(h)
  local items = h.items
  local top = items[1]
  local n = h.len - 1
  h.len = n
  local last = items[n + 1]
  items[n + 1] = nil
  if n == 0 then return top end
  local i = 0
  while true do
    local c = 2 * i + 1
    if c >= n then break end
    if c + 1 < n and items[c + 2].dist < items[c + 1].dist then c = c + 1 end
    if items[c + 1].dist >= last.dist then break end
    items[i + 1] = items[c + 1]
    i = c
  end
  items[i + 1] = last
  return top
end
local function main(n)
  local to, wt = {}, {}
  for u = 1, n do
    local tv, wv = {}, {}
    for k = 1, 4 do
      tv[k] = rnd(n) + 1
      wv[k] = rnd(100) + 1
    end
    if rnd(50) == 0 then
      for k = 5, 64 do tv[k] = rnd(n) + 1; wv[k] = rnd(1000) + 1 end
    end
    to[u] = tv
    wt[u] = wv
  end
  local sum, reach, far, pushes = 0, 0, 0, 0
  for s = 1, 16 do
    local src = rnd(n) + 1
    local dist = {}
    for i = 1, n do dist[i] = 2147483647 end
    local h = { items = {}, len = 0 }
    dist[src] = 0
    hpush(h, 0, src)
    while h.len > 0 do
      local it = hpop(h)
      local u = it.node
      if it.dist <= dist[u] then
        local tu, wu = to[u], wt[u]
        for k = 1, #tu do
          local v = tu[k]
          local d = it.dist + wu[k]
          if d < dist[v] then
            dist[v] = d
            hpush(h, d, v)
            pushes = pushes + 1
          end
        end
      end
    end
    for i = 1, n do
      local d = dist[i]
      if d ~= 2147483647 then
        reach = reach + 1
        sum = (sum * 7 + d) % 1000003
        if d > far then far = d end
      end
    end
  end
  print(string.format('reached %d, farthest %d, pushes %d, checksum %d', reach, far, pushes, sum))
end
main(tonumber(arg[1]))

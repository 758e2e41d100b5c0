-- bfsqueue (see bfsqueue.tier): BFS over a grid with a linked-list queue of cells.
local SEED = 7
local floor = math.floor
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local function push(q, x, y, d)
  local c = { x = x, y = y, d = d, next = nil }
  if q.tail == nil then q.head = c else q.tail.next = c end
  q.tail = c
  q.size = q.size + 1
end
local function pop(q)
  local c = q.head
  q.head = c.next
  if q.head == nil then q.tail = nil end
  q.size = q.size - 1
  return c
end
local function visit(walls, dist, q, x, y, d)
  local w = #walls
  if x < 0 or y < 0 or x >= w or y >= w then return end
  if walls[y + 1][x + 1] or dist[y + 1][x + 1] ~= 0 then return end
  dist[y + 1][x + 1] = d + 1
  push(q, x, y, d)
end
local function main(rounds)
  local w = 300
  local reached, total, far = 0, 0, 0
  for r = 1, rounds do
    local walls, dist = {}, {}
    for y = 1, w do
      local row, drow = {}, {}
      for x = 1, w do row[x] = rnd(100) < 30; drow[x] = 0 end
      walls[y] = row
      dist[y] = drow
    end
    walls[1][1] = false
    local q = { head = nil, tail = nil, size = 0 }
    visit(walls, dist, q, 0, 0, 0)
    while q.size > 0 do
      local c = pop(q)
      reached = reached + 1
      total = total + c.d
      if c.d > far then far = c.d end
      visit(walls, dist, q, c.x + 1, c.y, c.d + 1)
      visit(walls, dist, q, c.x - 1, c.y, c.d + 1)
      visit(walls, dist, q, c.x, c.y + 1, c.d + 1)
      visit(walls, dist, q, c.x, c.y - 1, c.d + 1)
    end
  end
  print(string.format("reached %d, distance sum %d, farthest %d", reached, total, far))
end
main(tonumber(arg[1]))

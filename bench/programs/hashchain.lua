-- hashchain (see hashchain.tier): a hand-written chained hash map from string to int, grown by rehash.
local SEED = 5
local floor, byte = math.floor, string.byte
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local function hash(s)
  local h = 0
  for i = 1, #s do h = (h * 31 + byte(s, i)) % 1048573 end
  return h
end
local function grow(m)
  local old, oldcap = m.buckets, m.cap
  local cap = oldcap * 2
  local b = {}
  for i = 1, cap do b[i] = false end
  for i = 1, oldcap do
    local e = old[i]
    while e do
      local nxt = e.next
      local j = e.hash % cap + 1
      e.next = b[j]
      b[j] = e
      e = nxt
    end
  end
  m.buckets, m.cap = b, cap
end
local function find(m, key, h)
  local e = m.buckets[h % m.cap + 1]
  while e do
    if e.hash == h and e.key == key then return e end
    e = e.next
  end
  return nil
end
local function add(m, key, d)
  local h = hash(key)
  local e = find(m, key, h)
  if e then e.val = e.val + d; return end
  if (m.count + 1) * 4 > m.cap * 3 then grow(m) end
  local j = h % m.cap + 1
  m.buckets[j] = { key = key, hash = h, val = d, next = m.buckets[j] }
  m.count = m.count + 1
end
local function remove(m, key)
  local h = hash(key)
  local j = h % m.cap + 1
  local prev = nil
  local e = m.buckets[j]
  while e do
    if e.hash == h and e.key == key then
      if prev == nil then m.buckets[j] = e.next else prev.next = e.next end
      m.count = m.count - 1
      return true
    end
    prev = e
    e = e.next
  end
  return false
end
local function main(n)
  local m = { buckets = { false, false, false, false, false, false, false, false }, cap = 8, count = 0 }
  local hits, sum = 0, 0
  for i = 1, n do
    local k = 'w' .. tostring(rnd(65536) * 4 + rnd(4))
    local op = rnd(8)
    if op < 5 then add(m, k, 1 + op)
    elseif op < 6 then if remove(m, k) then hits = hits + 1 end
    else
      local e = find(m, k, hash(k))
      if e then hits = hits + 1; sum = (sum + e.val) % 1000003 end
    end
  end
  for i = 1, m.cap do
    local e = m.buckets[i]
    while e do sum = (sum + e.val * #e.key) % 1000003; e = e.next end
  end
  print(string.format('size %d, capacity %d, hits %d, sum %d', m.count, m.cap, hits, sum))
end
main(tonumber(arg[1]))

-- wordfreq (see wordfreq.tier): words cut from generated lines, interned in a hand-written chained hash table.
local SEED = 31
local floor, byte, sub = math.floor, string.byte, string.sub
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local SYL = { 'ka', 'to', 'ri', 'men', 'sa', 'lo', 'pu', 'ne', 'dar', 'vi', 'qu', 'es', 'bo', 'ta', 'lin', 'or' }
local function hash(s)
  local h = 7
  for i = 1, #s do h = (h * 31 + byte(s, i)) % 1048573 end
  return h
end
local function grow(t)
  local old, oldcap = t.buckets, t.cap
  local cap = oldcap * 2
  local b = {}
  for i = 1, cap do b[i] = false end
  for i = 1, oldcap do
    local w = old[i]
    while w do
      local nxt = w.next
      local j = w.hash % cap + 1
      w.next = b[j]
      b[j] = w
      w = nxt
    end
  end
  t.buckets, t.cap = b, cap
end
-- the hash table's own chains, as in the other versions (Lua's strings are interned already)
local function intern(t, s)
  local h = hash(s)
  local w = t.buckets[h % t.cap + 1]
  while w do
    if w.hash == h and w.text == s then w.count = w.count + 1; return w.id end
    w = w.next
  end
  if (t.size + 1) * 4 > t.cap * 3 then grow(t) end
  local j = h % t.cap + 1
  local nw = { text = s, hash = h, id = t.size, count = 1, next = t.buckets[j] }
  t.buckets[j] = nw
  t.size = t.size + 1
  t.words[t.size] = nw
  return nw.id
end
local function makeLine()
  local parts, np = {}, 0
  local words = 8 + rnd(8)
  for w = 0, words - 1 do
    if w > 0 then np = np + 1; parts[np] = ' ' end
    local syls = 1 + rnd(3)
    for k = 1, syls do np = np + 1; parts[np] = SYL[rnd(rnd(16) + 1) + 1] end
  end
  return table.concat(parts)
end
local function main(n)
  local t = { buckets = {}, cap = 16, size = 0, words = {} }
  for i = 1, 16 do t.buckets[i] = false end
  local sum, total = 0, 0
  for i = 1, n do
    local line = makeLine()
    local len = #line
    local count = 1
    for k = 1, len do if byte(line, k) == 32 then count = count + 1 end end
    local ids = {}
    local start, w = 1, 0
    for k = 1, len + 1 do
      if k == len + 1 or byte(line, k) == 32 then
        w = w + 1
        ids[w] = intern(t, sub(line, start, k - 1))
        start = k + 1
      end
    end
    total = total + count
    sum = (sum * 3 + ids[floor(count / 2) + 1] + ids[count]) % 1000003
  end
  print(string.format('lines %d, words %d, distinct %d, checksum %d', n, total, t.size, sum))
  local taken = {}
  for r = 1, 5 do
    local best = -1
    for i = 1, t.size do
      if not taken[i] and (best < 0 or t.words[i].count > t.words[best].count) then best = i end
    end
    taken[best] = true
    print(string.format('%s %d', t.words[best].text, t.words[best].count))
  end
end
main(tonumber(arg[1]))

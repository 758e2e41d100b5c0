-- strsort (see strsort.tier): short random strings merge-sorted (Lua compares them with <).
local SEED, SEED2 = 13, 1
local floor, min, char, byte = math.floor, math.min, string.char, string.byte
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  SEED2 = (SEED2 * 1009 + 7) % 1048573
  return (floor(SEED / 16) + SEED2) % n
end
local function sort(a, n)
  local src, dst = a, {}
  local width = 1
  while width < n do
    local lo = 1
    while lo <= n do
      local mid, hi = min(lo + width, n + 1), min(lo + 2 * width, n + 1)
      local i, j = lo, mid
      for k = lo, hi - 1 do
        if i < mid and (j >= hi or not (src[j] < src[i])) then dst[k] = src[i]; i = i + 1
        else dst[k] = src[j]; j = j + 1 end
      end
      lo = hi
    end
    src, dst = dst, src
    width = width * 2
  end
  if src ~= a then for i = 1, n do a[i] = src[i] end end
end
local function main(n)
  local a = {}
  for i = 1, n do
    local s = ''
    local len = 3 + rnd(8)
    for j = 1, len do s = s .. char(97 + rnd(6)) end
    a[i] = s
  end
  sort(a, n)
  local dups, check = 0, 0
  for i = 2, n do
    if a[i] == a[i - 1] then dups = dups + 1 end
    if a[i] < a[i - 1] then error('not sorted') end
  end
  for i = 0, floor(n / 97) - 1 do check = (check * 31 + #a[i * 97 + 1] + byte(a[i * 97 + 1], 1)) % 1000003 end
  print(string.format('dups %d, first %s, last %s, checksum %d', dups, a[1], a[n], check))
end
main(tonumber(arg[1]))

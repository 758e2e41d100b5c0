-- csvsplit (see csvsplit.tier): lines of comma-separated text generated, split with string.sub, parsed.
local SEED = 3
local floor, sub, byte, char = math.floor, string.sub, string.byte, string.char
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local function name()
  local s = ''
  local len = 2 + rnd(3)
  for i = 1, len do s = s .. char(97 + rnd(4)) end
  return s
end
local function split(line, sep)
  local fields = {}
  local start, k = 1, 1
  for i = 1, #line do
    if byte(line, i) == sep then
      fields[k] = sub(line, start, i - 1)
      k = k + 1
      start = i + 1
    end
  end
  fields[k] = sub(line, start, #line)
  return fields
end
local function main(n)
  local hits, qty, price, check = 0, 0, 0, 0
  for i = 0, n - 1 do
    local line = 'id' .. tostring(i) .. ',' .. name() .. ',' .. tostring(rnd(1000)) .. ',' .. tostring(rnd(200) - 100) .. ',' .. name()
    local f = split(line, 44)
    if #f ~= 5 then error('bad line ' .. line) end
    local nm = f[2]
    if nm == 'abc' or nm == 'dd' or nm == 'bada' then hits = hits + 1 end
    if f[5] == nm then hits = hits + 100 end
    qty = qty + tonumber(f[3])
    price = price + tonumber(f[4])
    check = (check * 31 + #f[1] * 7 + #nm + byte(f[5], 1)) % 1000003
  end
  print(string.format('lines %d, hits %d, qty %d, price %d, checksum %d', n, hits, qty, price, check))
end
main(tonumber(arg[1]))

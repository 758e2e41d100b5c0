-- jsonish (see jsonish.tier): JSON-like text written into a buffer and parsed back by hand.
local SEED = 29
local floor, byte, sub, char, concat = math.floor, string.byte, string.sub, string.char, table.concat
local function rnd(n)
  SEED = (SEED * 1101 + 12345) % 1048576
  return floor(SEED / 16) % n
end
local TAGS = { 'red', 'green', 'blue', 'hot', 'cold', 'new', 'old', 'big' }
local function randomName()
  local s = char(65 + rnd(26))
  local len = 2 + rnd(7)
  for i = 1, len do s = s .. char(97 + rnd(26)) end
  return s
end
local function randomRec(depth)
  local id = rnd(100000)
  local name = randomName()
  local score = rnd(2001) - 1000
  local tags = {}
  for i = 1, rnd(4) do tags[i] = TAGS[rnd(8) + 1] end
  local nk = 0
  if depth > 0 then nk = rnd(4) end
  local kids = {}
  for i = 1, nk do kids[i] = randomRec(depth - 1) end
  return { id = id, name = name, score = score, tags = tags, kids = kids }
end
local BUF, NB = {}, 0
local function put(s) NB = NB + 1; BUF[NB] = s end
local writeList
local function writeRec(r)
  put('{"id":'); put(string.format('%d', r.id)); put(',"name":"'); put(r.name)
  put('","score":'); put(string.format('%d', r.score)); put(',"tags":[')
  for i = 1, #r.tags do
    if i > 1 then put(',') end
    put('"'); put(r.tags[i]); put('"')
  end
  put('],"kids":')
  writeList(r.kids)
  put('}')
end
writeList = function(rs)
  put('[')
  for i = 1, #rs do
    if i > 1 then put(',') end
    writeRec(rs[i])
  end
  put(']')
end
local function written(rs)
  BUF, NB = {}, 0
  writeList(rs)
  return concat(BUF, '', 1, NB)
end
local SRC, POS = '', 1
local function expect(c)
  if byte(SRC, POS) ~= c then error('expected ' .. char(c) .. ' at ' .. POS) end
  POS = POS + 1
end
local function parseString()
  expect(34)
  local start = POS
  while byte(SRC, POS) ~= 34 do POS = POS + 1 end
  local s = sub(SRC, start, POS - 1)
  POS = POS + 1
  return s
end
local function parseInt()
  local start = POS
  if byte(SRC, POS) == 45 then POS = POS + 1 end
  while true do
    local c = byte(SRC, POS)
    if c < 48 or c > 57 then break end
    POS = POS + 1
  end
  return tonumber(sub(SRC, start, POS - 1))
end
local function parseTags()
  expect(91)
  local out, n = {}, 0
  while byte(SRC, POS) ~= 93 do
    if n > 0 then expect(44) end
    n = n + 1
    out[n] = parseString()
  end
  POS = POS + 1
  return out
end
local parseRec
local function parseList()
  expect(91)
  local out, n = {}, 0
  while byte(SRC, POS) ~= 93 do
    if n > 0 then expect(44) end
    n = n + 1
    out[n] = parseRec()
  end
  POS = POS + 1
  return out
end
parseRec = function()
  expect(123)
  local r = { id = 0, name = nil, score = 0, tags = nil, kids = nil }
  local first = true
  while byte(SRC, POS) ~= 125 do
    if not first then expect(44) end
    first = false
    local key = parseString()
    expect(58)
    if key == 'id' then r.id = parseInt()
    elseif key == 'name' then r.name = parseString()
    elseif key == 'score' then r.score = parseInt()
    elseif key == 'tags' then r.tags = parseTags()
    elseif key == 'kids' then r.kids = parseList()
    else error('unknown key ' .. key) end
  end
  POS = POS + 1
  return r
end
local COUNT, SUM = 0, 0
local function check(rs)
  for i = 1, #rs do
    local r = rs[i]
    COUNT = COUNT + 1
    SUM = (SUM * 3 + r.id + r.score + 1000 + #r.name * 7 + byte(r.name, 1) + #r.tags) % 1000003
    for t = 1, #r.tags do SUM = (SUM + byte(r.tags[t], 1)) % 1000003 end
    check(r.kids)
  end
end
local function main(n)
  local bytes = 0
  local out
  for d = 1, n do
    local doc = {}
    for i = 1, 20 do doc[i] = randomRec(2) end
    local text = written(doc)
    bytes = bytes + #text
    SRC, POS = text, 1
    local back = parseList()
    if POS ~= #text + 1 then error('trailing text') end
    check(back)
    out = written(back)
    if out ~= text then error('round trip changed the text') end
  end
  print(string.format('documents %d, records %d, bytes %d, checksum %d', n, COUNT, bytes, SUM))
  print(sub(out, 1, 60))
end
main(tonumber(arg[1]))

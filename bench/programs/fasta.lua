-- The Computer Language Benchmarks Game: fasta (sequential version), with the
-- output reduced to each section's header, first and last line plus the byte count
-- and a checksum of the whole output text (see fasta.tier). Arrays are 1-based.
local byte, char, floor = string.byte, string.char, math.floor
local unpack = table.unpack or unpack

local IM, IA, IC = 139968, 3877, 29573
local LINE_LENGTH = 60
local last = 42
local hash = 0
local bytes = 0

local function random(max)
  last = (last * IA + IC) % IM
  return max * last / IM
end

local function hashByte(c)
  hash = (hash * 31 + c) % 1000003
  bytes = bytes + 1
end

local function header(text)
  print(text)
  for i = 1, #text do hashByte(byte(text, i)) end
  hashByte(10)
end

local function lineDone(line, len, first, lastLine)
  for i = 1, len do hashByte(line[i]) end
  hashByte(10)
  if first or lastLine then print(char(unpack(line, 1, len))) end
end

local function repeatFasta(title, src, n, line)
  header(title)
  local srcLen = #src
  local k, left, first = 1, n, true
  while left > 0 do
    local len = LINE_LENGTH
    if left < len then len = left end
    for i = 1, len do
      line[i] = byte(src, k)
      k = k + 1
      if k > srcLen then k = 1 end
    end
    left = left - len
    lineDone(line, len, first, left == 0)
    first = false
  end
end

local function randomFasta(title, codes, cumulative, n, line)
  header(title)
  local lastIndex = #codes
  local left, first = n, true
  while left > 0 do
    local len = LINE_LENGTH
    if left < len then len = left end
    for i = 1, len do
      local r = random(1.0)
      local j = 1
      while j < lastIndex and r >= cumulative[j] do j = j + 1 end
      line[i] = codes[j]
    end
    left = left - len
    lineDone(line, len, first, left == 0)
    first = false
  end
end

local function codesOf(s)
  local a = {}
  for i = 1, #s do a[i] = byte(s, i) end
  return a
end

local function cumulate(p)
  local c, sum = {}, 0.0
  for i = 1, #p do
    sum = sum + p[i]
    c[i] = sum
  end
  return c
end

local ALU =
  "GGCCGGGCGCGGTGGCTCACGCCTGTAATCCCAGCACTTTGG" ..
  "GAGGCCGAGGCGGGCGGATCACCTGAGGTCAGGAGTTCGAGA" ..
  "CCAGCCTGGCCAACATGGTGAAACCCCGTCTCTACTAAAAAT" ..
  "ACAAAAATTAGCCGGGCGTGGTGGCGCGCGCCTGTAATCCCA" ..
  "GCTACTCGGGAGGCTGAGGCAGGAGAATCGCTTGAACCCGGG" ..
  "AGGCGGAGGTTGCAGTGAGCCGAGATCGCGCCACTGCACTCC" ..
  "AGCCTGGGCGACAGAGCGAGACTCCGTCTCAAAAA"

local n = tonumber(arg[1]) or 1000
local iubCodes = codesOf("acgtBDHKMNRSVWY")
local iub = cumulate({ 0.27, 0.12, 0.12, 0.27, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02 })
local homoCodes = codesOf("acgt")
local homo = cumulate({ 0.3029549426680, 0.1979883004921, 0.1975473066391, 0.3015094502008 })
local line = {}
for i = 1, LINE_LENGTH do line[i] = 0 end

repeatFasta(">ONE Homo sapiens alu", ALU, 2 * n, line)
randomFasta(">TWO IUB ambiguity codes", iubCodes, iub, 3 * n, line)
randomFasta(">THREE Homo sapiens frequency", homoCodes, homo, 5 * n, line)
print(string.format("%d bytes, checksum %d", bytes, hash))

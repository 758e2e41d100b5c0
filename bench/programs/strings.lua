-- String building: N steps of s = s .. tostring(i) .. ","; whenever s reaches 64
-- characters it is cut in two with string.sub, the front half is sampled into a
-- checksum and the back half kept (see strings.tier; string positions are 1-based).
local sub, byte, floor = string.sub, string.byte, math.floor

local function strings(n)
  local s = ""
  local pieces, total, hash = 0, 0, 0
  for i = 0, n - 1 do
    s = s .. tostring(i) .. ","
    local len = #s
    if len >= 64 then
      local cut = floor(len / 2)
      local piece = sub(s, 1, cut)
      s = sub(s, cut + 1, len)
      pieces = pieces + 1
      total = total + #piece
      hash = (hash * 31 + byte(piece, 1)) % 1000003
      hash = (hash * 31 + byte(piece, floor(cut / 2) + 1)) % 1000003
      hash = (hash * 31 + byte(piece, cut)) % 1000003
      hash = (hash * 31 + byte(piece, i % cut + 1)) % 1000003
    end
  end
  return pieces, total, hash, s
end

local n = tonumber(arg[1]) or 1000
local pieces, total, hash, rest = strings(n)
print(string.format("%d pieces, %d code units, checksum %d", pieces, total, hash))
print("rest: " .. rest)

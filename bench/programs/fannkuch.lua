-- The Computer Language Benchmarks Game: fannkuch-redux
-- (sequential version; same permutation order as the reference C program).
-- Arrays are 1-based; perm values are 0-based as in the other versions.
local function fannkuch(n)
  local perm, perm1, count = {}, {}, {}
  for i = 1, n do perm[i] = 0; perm1[i] = i - 1; count[i] = 0 end
  local maxFlips, checksum, permCount = 0, 0, 0
  local r = n
  while true do
    while r ~= 1 do
      count[r] = r   -- count[r - 1] in 0-based terms
      r = r - 1
    end
    for i = 1, n do perm[i] = perm1[i] end
    local flips = 0
    local k = perm[1]
    while k ~= 0 do
      local i, j = 1, k + 1
      while i < j do
        perm[i], perm[j] = perm[j], perm[i]
        i = i + 1
        j = j - 1
      end
      flips = flips + 1
      k = perm[1]
    end
    if flips > maxFlips then maxFlips = flips end
    if permCount % 2 == 0 then checksum = checksum + flips else checksum = checksum - flips end
    -- Next permutation (r is the 0-based index; r + 1 the 1-based one).
    while true do
      if r == n then return checksum, maxFlips end
      local perm0 = perm1[1]
      for i = 1, r do perm1[i] = perm1[i + 1] end
      perm1[r + 1] = perm0
      local c = count[r + 1] - 1
      count[r + 1] = c
      if c > 0 then break end
      r = r + 1
    end
    permCount = permCount + 1
  end
end

local n = tonumber(arg[1]) or 7
local checksum, flips = fannkuch(n)
print(checksum)
print("Pfannkuchen(" .. n .. ") = " .. flips)

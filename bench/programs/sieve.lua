-- Sieve of Eratosthenes: count the primes below N. The table is filled with
-- false first (the Lua way to get an N-element array part).
local function sieve(n)
  local composite = {}
  for i = 1, n do composite[i] = false end
  local count = 0
  for i = 2, n - 1 do
    if not composite[i] then
      count = count + 1
      if i <= n / i then
        for j = i * i, n - 1, i do composite[j] = true end
      end
    end
  end
  return count
end

local n = tonumber(arg[1]) or 1000000
print(string.format("primes below %d: %d", n, sieve(n)))

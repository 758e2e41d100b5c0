-- listwalk (see listwalk.tier).
local function sum(n)
  if n == nil then return 0 end
  return n.v + sum(n.next)
end
local len = tonumber(arg[1])
local h = nil
for i = 0, len - 1 do h = { v = i % 1024, next = h } end
local t = 0
for r = 1, 300 do t = t + sum(h) end
print(t)

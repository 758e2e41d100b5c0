-- Pieces (see pieces.tier): a string built one short piece at a time.
local n = tonumber(arg[1])
local s = ""
for i = 0, n - 1 do
  s = s .. tostring(i % 10)
  if i % 100 == 99 then s = s .. "\n" end
end
local h = 0
for i = 1, #s do h = (h * 31 + s:byte(i)) % 1000003 end
print(#s)
print(h)

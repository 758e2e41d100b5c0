-- The Computer Language Benchmarks Game: mandelbrot (sequential version).
-- An N x N bitmap, 50 iterations, escape radius 2, 8 pixels per byte (most
-- significant bit first, rows padded to whole bytes) as in the reference PBM output.
-- Prints the byte count, the pixels in the set and a checksum of the bytes
-- (h = (h * 31 + byte) mod 1000003). Bit operations are written as arithmetic
-- (acc * 2, acc + 1), which Lua 5.1/LuaJIT, 5.3 and 5.4 all share.
local function mandelbrot(n)
  local iterations = 50
  local limit2 = 4.0
  local bytes, inside, hash = 0, 0, 0
  for y = 0, n - 1 do
    local ci = 2.0 * y / n - 1.0
    local acc, bits = 0, 0
    for x = 0, n - 1 do
      local cr = 2.0 * x / n - 1.5
      local zr, zi, tr, ti = 0.0, 0.0, 0.0, 0.0
      local i = 0
      while i < iterations and tr + ti <= limit2 do
        zi = 2.0 * zr * zi + ci
        zr = tr - ti + cr
        tr = zr * zr
        ti = zi * zi
        i = i + 1
      end
      acc = acc * 2
      if tr + ti <= limit2 then
        acc = acc + 1
        inside = inside + 1
      end
      bits = bits + 1
      if bits == 8 or x == n - 1 then
        for _ = bits + 1, 8 do acc = acc * 2 end
        hash = (hash * 31 + acc) % 1000003
        bytes = bytes + 1
        acc, bits = 0, 0
      end
    end
  end
  return bytes, inside, hash
end

local n = tonumber(arg[1]) or 200
local bytes, inside, hash = mandelbrot(n)
print(string.format("P4 %d %d: %d bytes, %d pixels in the set, checksum %d", n, n, bytes, inside, hash))

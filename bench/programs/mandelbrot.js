// The Computer Language Benchmarks Game: mandelbrot (sequential version).
// An N x N bitmap of the Mandelbrot set, 50 iterations, escape radius 2, 8 pixels
// per byte (most significant bit first, rows padded to whole bytes) as in the PBM
// output of the reference programs. Prints the byte count, the number of pixels in
// the set and a checksum of the bytes (h = (h * 31 + byte) mod 1000003).
function mandelbrot(n) {
  const iterations = 50;
  const limit2 = 4.0;
  let bytes = 0, inside = 0, hash = 0;
  for (let y = 0; y < n; y++) {
    const ci = 2.0 * y / n - 1.0;
    let acc = 0, bits = 0;
    for (let x = 0; x < n; x++) {
      const cr = 2.0 * x / n - 1.5;
      let zr = 0.0, zi = 0.0, tr = 0.0, ti = 0.0;
      let i = 0;
      while (i < iterations && tr + ti <= limit2) {
        zi = 2.0 * zr * zi + ci;
        zr = tr - ti + cr;
        tr = zr * zr;
        ti = zi * zi;
        i++;
      }
      acc = acc << 1;
      if (tr + ti <= limit2) {
        acc = acc | 1;
        inside++;
      }
      bits++;
      if (bits === 8 || x === n - 1) {
        acc = acc << (8 - bits);
        hash = (hash * 31 + acc) % 1000003;
        bytes++;
        acc = 0;
        bits = 0;
      }
    }
  }
  return `P4 ${n} ${n}: ${bytes} bytes, ${inside} pixels in the set, checksum ${hash}`;
}

const n = +(process.argv[2] || 200);
console.log(mandelbrot(n));

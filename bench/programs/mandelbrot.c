/* The Computer Language Benchmarks Game: mandelbrot (sequential, scalar version).
 * An N x N bitmap, 50 iterations, escape radius 2, 8 pixels per byte (most
 * significant bit first, rows padded to whole bytes) as in the reference PBM output.
 * Prints the byte count, the pixels in the set and a checksum of the bytes
 * (h = (h * 31 + byte) mod 1000003).
 * Build: gcc -O2 -o mandelbrot mandelbrot.c */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200;
    const int iterations = 50;
    const double limit2 = 4.0;
    int bytes = 0, inside = 0, hash = 0;
    for (int y = 0; y < n; y++) {
        double ci = 2.0 * y / n - 1.0;
        int acc = 0, bits = 0;
        for (int x = 0; x < n; x++) {
            double cr = 2.0 * x / n - 1.5;
            double zr = 0.0, zi = 0.0, tr = 0.0, ti = 0.0;
            int i = 0;
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
            if (bits == 8 || x == n - 1) {
                acc = acc << (8 - bits);
                hash = (hash * 31 + acc) % 1000003;
                bytes++;
                acc = 0;
                bits = 0;
            }
        }
    }
    printf("P4 %d %d: %d bytes, %d pixels in the set, checksum %d\n", n, n, bytes, inside, hash);
    return 0;
}

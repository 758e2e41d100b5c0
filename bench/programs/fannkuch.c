/* The Computer Language Benchmarks Game: fannkuch-redux
 * (sequential version; same permutation order as the reference C program).
 * Build: gcc -O2 -o fannkuch fannkuch.c */
#include <stdio.h>
#include <stdlib.h>

static void fannkuch(int n, int *checksum_out, int *max_flips_out) {
    int *perm = calloc(n, sizeof(int));
    int *perm1 = calloc(n, sizeof(int));
    int *count = calloc(n, sizeof(int));
    for (int i = 0; i < n; i++) perm1[i] = i;
    int max_flips = 0, checksum = 0, perm_count = 0;
    int r = n;
    for (;;) {
        while (r != 1) {
            count[r - 1] = r;
            r--;
        }
        for (int i = 0; i < n; i++) perm[i] = perm1[i];
        int flips = 0;
        int k = perm[0];
        while (k != 0) {
            int i = 0, j = k;
            while (i < j) {
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
                i++;
                j--;
            }
            flips++;
            k = perm[0];
        }
        if (flips > max_flips) max_flips = flips;
        checksum += perm_count % 2 == 0 ? flips : -flips;
        /* Next permutation. */
        for (;;) {
            if (r == n) {
                *checksum_out = checksum;
                *max_flips_out = max_flips;
                free(perm);
                free(perm1);
                free(count);
                return;
            }
            int perm0 = perm1[0];
            for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            count[r]--;
            if (count[r] > 0) break;
            r++;
        }
        perm_count++;
    }
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 7;
    int checksum, flips;
    fannkuch(n, &checksum, &flips);
    printf("%d\nPfannkuchen(%d) = %d\n", checksum, n, flips);
    return 0;
}

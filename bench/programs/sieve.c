/* Sieve of Eratosthenes: count the primes below N (one byte per number).
 * Build: gcc -O2 -o sieve sieve.c */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    unsigned char *composite = calloc(n > 0 ? n : 1, 1);
    int count = 0;
    for (int i = 2; i < n; i++) {
        if (!composite[i]) {
            count++;
            if (i <= n / i) {
                for (int j = i * i; j < n; j += i) composite[j] = 1;
            }
        }
    }
    printf("primes below %d: %d\n", n, count);
    free(composite);
    return 0;
}

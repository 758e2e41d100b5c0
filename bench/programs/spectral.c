/* The Computer Language Benchmarks Game: spectral-norm
 * (sequential version; 10 power iterations of A^T A).
 * Build: gcc -O2 -o spectral spectral.c -lm */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double a(int i, int j) {
    int ij = i + j;
    return 1.0 / (double)(ij * (ij + 1) / 2 + i + 1);
}

/* av = A * v */
static void mul_av(int n, const double *v, double *av) {
    for (int i = 0; i < n; i++) {
        double sum = 0.0;
        for (int j = 0; j < n; j++) sum += a(i, j) * v[j];
        av[i] = sum;
    }
}

/* atv = A^T * v */
static void mul_atv(int n, const double *v, double *atv) {
    for (int i = 0; i < n; i++) {
        double sum = 0.0;
        for (int j = 0; j < n; j++) sum += a(j, i) * v[j];
        atv[i] = sum;
    }
}

/* out = A^T * A * v */
static void mul_atav(int n, const double *v, double *out, double *tmp) {
    mul_av(n, v, tmp);
    mul_atv(n, tmp, out);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100;
    double *u = malloc(n * sizeof(double));
    double *v = malloc(n * sizeof(double));
    double *tmp = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++) u[i] = 1.0;
    for (int i = 0; i < 10; i++) {
        mul_atav(n, u, v, tmp);
        mul_atav(n, v, u, tmp);
    }
    double vbv = 0.0, vv = 0.0;
    for (int i = 0; i < n; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    printf("%.9f\n", sqrt(vbv / vv));
    free(u);
    free(v);
    free(tmp);
    return 0;
}

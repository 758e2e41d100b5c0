/* The Computer Language Benchmarks Game: fasta (sequential version), with the
 * output reduced to each section's header, first and last line plus the byte count
 * and a checksum of the whole output text (see fasta.tier).
 * Build: gcc -O2 -o fasta fasta.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IM 139968
#define IA 3877
#define IC 29573
#define LINE_LENGTH 60

static int last = 42;
static int hash = 0;
static int bytes = 0;

static double random_next(double max) {
    last = (last * IA + IC) % IM;
    return max * last / IM;
}

static void hash_byte(int c) {
    hash = (hash * 31 + c) % 1000003;
    bytes++;
}

static void header(const char *text) {
    puts(text);
    for (const char *p = text; *p; p++) hash_byte((unsigned char)*p);
    hash_byte(10);
}

static void line_done(const int *line, int len, int first, int last_line) {
    for (int i = 0; i < len; i++) hash_byte(line[i]);
    hash_byte(10);
    if (first || last_line) {
        char s[LINE_LENGTH + 1];
        for (int i = 0; i < len; i++) s[i] = (char)line[i];
        s[len] = 0;
        puts(s);
    }
}

static void repeat_fasta(const char *title, const char *src, int n, int *line) {
    header(title);
    int src_len = (int)strlen(src);
    int k = 0, left = n, first = 1;
    while (left > 0) {
        int len = left < LINE_LENGTH ? left : LINE_LENGTH;
        for (int i = 0; i < len; i++) {
            line[i] = (unsigned char)src[k];
            k++;
            if (k == src_len) k = 0;
        }
        left -= len;
        line_done(line, len, first, left == 0);
        first = 0;
    }
}

static void random_fasta(const char *title, const int *codes, const double *cumulative, int count,
                         int n, int *line) {
    header(title);
    int last_index = count - 1;
    int left = n, first = 1;
    while (left > 0) {
        int len = left < LINE_LENGTH ? left : LINE_LENGTH;
        for (int i = 0; i < len; i++) {
            double r = random_next(1.0);
            int j = 0;
            while (j < last_index && r >= cumulative[j]) j++;
            line[i] = codes[j];
        }
        left -= len;
        line_done(line, len, first, left == 0);
        first = 0;
    }
}

static void codes_of(const char *s, int *codes) {
    for (int i = 0; s[i]; i++) codes[i] = (unsigned char)s[i];
}

static void cumulate(const double *p, double *c, int count) {
    double sum = 0.0;
    for (int i = 0; i < count; i++) {
        sum += p[i];
        c[i] = sum;
    }
}

static const char ALU[] =
    "GGCCGGGCGCGGTGGCTCACGCCTGTAATCCCAGCACTTTGG"
    "GAGGCCGAGGCGGGCGGATCACCTGAGGTCAGGAGTTCGAGA"
    "CCAGCCTGGCCAACATGGTGAAACCCCGTCTCTACTAAAAAT"
    "ACAAAAATTAGCCGGGCGTGGTGGCGCGCGCCTGTAATCCCA"
    "GCTACTCGGGAGGCTGAGGCAGGAGAATCGCTTGAACCCGGG"
    "AGGCGGAGGTTGCAGTGAGCCGAGATCGCGCCACTGCACTCC"
    "AGCCTGGGCGACAGAGCGAGACTCCGTCTCAAAAA";

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    static const double iub_p[15] = { 0.27, 0.12, 0.12, 0.27, 0.02, 0.02, 0.02, 0.02,
                                      0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02 };
    static const double homo_p[4] = { 0.3029549426680, 0.1979883004921, 0.1975473066391, 0.3015094502008 };
    int iub_codes[15], homo_codes[4];
    double iub[15], homo[4];
    int line[LINE_LENGTH];
    codes_of("acgtBDHKMNRSVWY", iub_codes);
    cumulate(iub_p, iub, 15);
    codes_of("acgt", homo_codes);
    cumulate(homo_p, homo, 4);

    repeat_fasta(">ONE Homo sapiens alu", ALU, 2 * n, line);
    random_fasta(">TWO IUB ambiguity codes", iub_codes, iub, 15, 3 * n, line);
    random_fasta(">THREE Homo sapiens frequency", homo_codes, homo, 4, 5 * n, line);
    printf("%d bytes, checksum %d\n", bytes, hash);
    return 0;
}

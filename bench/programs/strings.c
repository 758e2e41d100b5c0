/* String building: N steps of s = s + str(i) + ","; whenever s reaches 64
 * characters it is cut in two, the front half is sampled into a checksum and the
 * back half kept (see strings.tier). Strings are immutable values here too: every
 * concatenation and every substring is a fresh malloc'd copy, and the strings that
 * are no longer needed are freed (as a garbage collector would).
 * Build: gcc -O2 -o strings strings.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int len; char *chars; } Str;

static Str str_new(const char *chars, int len) {
    Str s = { len, malloc(len + 1) };
    if (s.chars == NULL) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    memcpy(s.chars, chars, len);
    s.chars[len] = 0;
    return s;
}

static Str concat(Str a, Str b) {
    Str s = str_new(a.chars, a.len + b.len);
    memcpy(s.chars + a.len, b.chars, b.len);
    return s;
}

static Str substr(Str s, int start, int end) { return str_new(s.chars + start, end - start); }

static Str str_of_int(int i) {
    char buf[16];
    int len = snprintf(buf, sizeof buf, "%d", i);
    return str_new(buf, len);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    Str comma = str_new(",", 1);
    Str s = str_new("", 0);
    int pieces = 0, total = 0, hash = 0;
    for (int i = 0; i < n; i++) {
        Str num = str_of_int(i);
        Str t = concat(s, num);
        Str u = concat(t, comma);
        free(s.chars);
        free(num.chars);
        free(t.chars);
        s = u;
        if (s.len >= 64) {
            int cut = s.len / 2;
            Str piece = substr(s, 0, cut);
            Str rest = substr(s, cut, s.len);
            free(s.chars);
            s = rest;
            pieces++;
            total += piece.len;
            hash = (hash * 31 + (unsigned char)piece.chars[0]) % 1000003;
            hash = (hash * 31 + (unsigned char)piece.chars[cut / 2]) % 1000003;
            hash = (hash * 31 + (unsigned char)piece.chars[cut - 1]) % 1000003;
            hash = (hash * 31 + (unsigned char)piece.chars[i % cut]) % 1000003;
            free(piece.chars);
        }
    }
    printf("%d pieces, %d code units, checksum %d\n", pieces, total, hash);
    printf("rest: %s\n", s.chars);
    free(s.chars);
    free(comma.chars);
    return 0;
}

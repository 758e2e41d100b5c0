/* The Computer Language Benchmarks Game: n-body
 * (Jovian planets, symplectic integrator, dt = 0.01). Plain scalar code (no SIMD
 * intrinsics), the same loops as the other versions.
 * Build: gcc -O2 -o nbody nbody.c -lm */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PI 3.141592653589793
#define SOLAR_MASS (4.0 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define NBODIES 5

typedef struct { double x, y, z, vx, vy, vz, mass; } Body;

static Body body(double x, double y, double z, double vx, double vy, double vz, double mass) {
    Body b = { x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR, mass * SOLAR_MASS };
    return b;
}

static void offset_momentum(Body *bodies, int n) {
    double px = 0.0, py = 0.0, pz = 0.0;
    for (int i = 0; i < n; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    bodies[0].vx = -px / SOLAR_MASS;
    bodies[0].vy = -py / SOLAR_MASS;
    bodies[0].vz = -pz / SOLAR_MASS;
}

static void advance(Body *bodies, int n, double dt) {
    for (int i = 0; i < n; i++) {
        Body *bi = &bodies[i];
        double bix = bi->x, biy = bi->y, biz = bi->z, bimass = bi->mass;
        double bivx = bi->vx, bivy = bi->vy, bivz = bi->vz;
        for (int j = i + 1; j < n; j++) {
            Body *bj = &bodies[j];
            double dx = bix - bj->x;
            double dy = biy - bj->y;
            double dz = biz - bj->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            double bjm = bj->mass * mag;
            bivx -= dx * bjm;
            bivy -= dy * bjm;
            bivz -= dz * bjm;
            double bim = bimass * mag;
            bj->vx += dx * bim;
            bj->vy += dy * bim;
            bj->vz += dz * bim;
        }
        bi->vx = bivx;
        bi->vy = bivy;
        bi->vz = bivz;
        bi->x = bix + dt * bivx;
        bi->y = biy + dt * bivy;
        bi->z = biz + dt * bivz;
    }
}

static double energy(const Body *bodies, int n) {
    double e = 0.0;
    for (int i = 0; i < n; i++) {
        const Body *bi = &bodies[i];
        e += 0.5 * bi->mass * (bi->vx * bi->vx + bi->vy * bi->vy + bi->vz * bi->vz);
        for (int j = i + 1; j < n; j++) {
            const Body *bj = &bodies[j];
            double dx = bi->x - bj->x;
            double dy = bi->y - bj->y;
            double dz = bi->z - bj->z;
            e -= bi->mass * bj->mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    Body bodies[NBODIES] = {
        /* Sun */
        body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
        /* Jupiter */
        body(4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
             1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
             9.54791938424326609e-04),
        /* Saturn */
        body(8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
             -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
             2.85885980666130812e-04),
        /* Uranus */
        body(1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
             2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
             4.36624404335156298e-05),
        /* Neptune */
        body(1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
             2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
             5.15138902046611451e-05),
    };
    offset_momentum(bodies, NBODIES);
    printf("%.9f\n", energy(bodies, NBODIES));
    for (int i = 0; i < n; i++) advance(bodies, NBODIES, 0.01);
    printf("%.9f\n", energy(bodies, NBODIES));
    return 0;
}

// Owns the fuzzer's only source of randomness: a seeded PRNG (mulberry32) with the
// few helpers the generator needs. Same seed, same sequence, on every host.

export class Rng {
  constructor(seed) {
    this.s = (seed >>> 0) ^ 0x9e3779b9;
    for (let i = 0; i < 4; i++) this.next(); // decorrelate small neighbouring seeds
  }

  /** Next 32-bit unsigned value (mulberry32). */
  next() {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  float() { return this.next() / 4294967296; }

  /** Uniform integer in [0, n). */
  int(n) { return n <= 0 ? 0 : Math.floor(this.float() * n); }

  /** Uniform integer in [lo, hi] (both inclusive). */
  range(lo, hi) { return lo + this.int(hi - lo + 1); }

  /** True with probability p. */
  chance(p) { return this.float() < p; }

  pick(arr) {
    if (arr.length === 0) throw new Error('pick from empty list');
    return arr[this.int(arr.length)];
  }

  /** pairs: [[weight, value], ...]; entries with weight <= 0 are skipped. */
  weighted(pairs) {
    let total = 0;
    for (const [w] of pairs) if (w > 0) total += w;
    if (total <= 0) throw new Error('weighted pick with no positive weight');
    let r = this.float() * total;
    for (const [w, v] of pairs) {
      if (w <= 0) continue;
      if (r < w) return v;
      r -= w;
    }
    for (let i = pairs.length - 1; i >= 0; i--) if (pairs[i][0] > 0) return pairs[i][1];
    throw new Error('unreachable');
  }

  shuffle(arr) {
    const a = arr.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}

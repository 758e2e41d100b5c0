// "Did you mean" hints: for a misspelled name, the closest candidate of the right
// namespace by edit distance (Damerau-Levenshtein, optimal string alignment: an
// insertion, deletion, substitution or swap of two neighbours costs 1).
//
// A candidate is close when its distance d is at most max(1, floor(len / 3)) (len:
// the length of the misspelled name) and smaller than the longer of the two names
// (so `x` never suggests `y`: that is not a typo but another name). The smallest
// distance wins; among equals, the first candidate offered (callers offer the
// innermost scope first, declarations in source order, built-ins last).
//
// What must stay true: a hint costs bounded work whatever the program. Only the
// first MAX_CANDIDATES candidates are examined, names longer than MAX_NAME get no
// hint, and the distance is computed in a band of the allowed width with an early
// exit once every cell of a row exceeds it. Hints are computed only for the
// diagnostics that are kept (diagnostics.ts, DiagnosticList.add).

/** Candidates examined per hint (a program may declare a million names). */
export const MAX_CANDIDATES = 500;
/** Longer names (a megabyte identifier is a valid one) are not matched. */
export const MAX_NAME = 64;

/** The largest distance at which `name` still suggests a candidate. */
export function maxDistance(name: string): number {
  return Math.max(1, Math.floor(name.length / 3));
}

/** The closest candidate to `name` (see the file comment), or null. */
export function closestName(name: string, candidates: Iterable<string>): string | null {
  if (name.length > MAX_NAME) return null;
  let best: string | null = null;
  let bestDistance = maxDistance(name) + 1;
  let examined = 0;
  for (const cand of candidates) {
    if (++examined > MAX_CANDIDATES) break;
    if (cand === name || cand.length > MAX_NAME) continue;
    const d = editDistance(name, cand, bestDistance - 1);
    if (d < bestDistance && d < Math.max(name.length, cand.length)) {
      best = cand;
      bestDistance = d;
      if (d === 1) break; // nothing offered later can be closer
    }
  }
  return best;
}

/** The hint line for a suggestion. */
export function didYouMean(candidate: string | null): string | undefined {
  return candidate === null ? undefined : `did you mean '${candidate}'?`;
}

/**
 * Optimal string alignment distance of a and b when it is at most `limit`, else
 * limit + 1. Only cells within `limit` of the diagonal can stay within it, so the
 * others are treated as too far; a row whose every cell is too far ends the work.
 */
export function editDistance(a: string, b: string, limit: number): number {
  const far = limit + 1;
  if (Math.abs(a.length - b.length) > limit) return far;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => (j <= limit ? j : far));
  for (let i = 1; i <= a.length; i++) {
    const row = editRow(a, b, i, prev, prev2, limit);
    if (Math.min(...row) > limit) return far;
    prev2 = prev;
    prev = row;
  }
  return Math.min(prev[b.length]!, far);
}

/** Row i of the distance table from the two rows above it, within the band. */
function editRow(a: string, b: string, i: number, prev: number[], prev2: number[], limit: number): number[] {
  const far = limit + 1;
  const row = new Array<number>(b.length + 1).fill(far);
  row[0] = i <= limit ? i : far;
  const from = Math.max(1, i - limit), to = Math.min(b.length, i + limit);
  for (let j = from; j <= to; j++) {
    const cost = a[i - 1] === b[j - 1] ? 0 : 1;
    let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
    if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
    row[j] = Math.min(d, far);
  }
  return row;
}

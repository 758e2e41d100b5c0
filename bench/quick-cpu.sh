#!/bin/bash
# Default mode against --tier=interp at the quick sizes: median (min-max) user+sys CPU
# in ms of the whole command over 7 interleaved runs. Usage: bench/quick-cpu.sh [ENTRY]
# (ENTRY: a bin/tiervm.js, default this checkout's). CPU, not wall: steadier on a
# shared machine; it counts a compiler thread's CPU too (and V8's background
# compiles). Read with bash's `times` (the children's user and sys, to the ms;
# /usr/bin/time gives 10 ms).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENTRY=$(realpath "${1:-$ROOT/bin/tiervm.js}")
cd "$ROOT"
# user+sys ms of the command "$@" (its output dropped): `times` in a subshell
# that ran only it prints that subshell's children on its second line.
cpu_ms() {
  ( "$@" >/dev/null 2>&1; times ) | tail -1 | sed 's/s//g' | awk '{ split($1, u, "m"); split($2, s, "m"); print int((u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 + 0.5) }'
}
for ps in "fib 20" "nbody 1000" "spectral 100" "fannkuch 7" "mandelbrot 200" "binarytrees 6" "fasta 1000" "sieve 100000" "richards 1" "strings 1000"; do
  set -- $ps; p=$1; n=$2; d=(); i=()
  for r in 1 2 3 4 5 6 7; do
    d+=($(cpu_ms node $ENTRY run bench/programs/$p.tier $n))
    i+=($(cpu_ms node $ENTRY run --tier=interp bench/programs/$p.tier $n))
  done
  md=$(printf "%s\n" "${d[@]}" | sort -n | sed -n 4p); mi=$(printf "%s\n" "${i[@]}" | sort -n | sed -n 4p)
  echo "| $p $n | $md ($(printf "%s\n" "${d[@]}" | sort -n | sed -n '1p;7p' | tr '\n' '-' | sed 's/-$//')) | $mi ($(printf "%s\n" "${i[@]}" | sort -n | sed -n '1p;7p' | tr '\n' '-' | sed 's/-$//')) | $(echo "scale=2; $md/$mi" | bc) |"
done

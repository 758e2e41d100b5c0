#!/bin/bash
# Default mode against --tier=interp at the quick sizes: median (min-max) user+sys CPU
# in ms of the whole command over 7 interleaved runs. Usage: bench/quick-cpu.sh [ENTRY]
# (ENTRY: a bin/tiervm.js, default this checkout's). CPU, not wall: steadier on a
# shared machine; it counts a compiler thread's CPU too.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENTRY=$(realpath "${1:-$ROOT/bin/tiervm.js}")
cd "$ROOT"
for ps in "fib 20" "nbody 1000" "spectral 100" "fannkuch 7" "mandelbrot 200" "binarytrees 6" "fasta 1000" "sieve 100000" "richards 1" "strings 1000"; do
  set -- $ps; p=$1; n=$2; d=(); i=()
  for r in 1 2 3 4 5 6 7; do
    d+=($( { /usr/bin/time -f "%U %S" node $ENTRY run bench/programs/$p.tier $n >/dev/null; } 2>&1 | awk '{print int(($1+$2)*1000)}'))
    i+=($( { /usr/bin/time -f "%U %S" node $ENTRY run --tier=interp bench/programs/$p.tier $n >/dev/null; } 2>&1 | awk '{print int(($1+$2)*1000)}'))
  done
  md=$(printf "%s\n" "${d[@]}" | sort -n | sed -n 4p); mi=$(printf "%s\n" "${i[@]}" | sort -n | sed -n 4p)
  echo "| $p $n | $md ($(printf "%s\n" "${d[@]}" | sort -n | sed -n '1p;7p' | tr '\n' '-' | sed 's/-$//')) | $mi ($(printf "%s\n" "${i[@]}" | sort -n | sed -n '1p;7p' | tr '\n' '-' | sed 's/-$//')) | $(echo "scale=2; $md/$mi" | bc) |"
done

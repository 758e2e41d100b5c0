#!/bin/bash
# What tier events cost when no listener is on: this checkout's dist/ (tracing
# compiled in, off) against the cost floor, a copy of the same dist/ with every
# emission site folded to its off branch (`if (ev !== null)` -> `if (false)`,
# `ev === null ? a : b` -> `a`: the tracing compiled out), by bench/ab.mjs
# (interleaved runs in one process, user+sys CPU, tier auto). Programs are
# sized for runs of 0.1-0.4 s unless NAME:SIZE are given; other options go to ab.mjs (--reps=N).
# Usage: bench/tracing-floor.sh [ab.mjs options and NAME:SIZE ...]
# Needs the build (npm run build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FLOOR=$(mktemp -d)
trap 'rm -rf "$FLOOR"' EXIT
cp -r "$ROOT/dist" "$FLOOR/dist"
cp "$ROOT/package.json" "$FLOOR/"
sites=$(grep -rlE 'ev (!|=)== null' "$FLOOR/dist" --include=*.js)
sed -i -E 's/if \(ev !== null\)/if (false)/g; s/if \(ev === null\)/if (true)/g; s/ev === null \?/true ?/g' $sites
if grep -rqE 'ev (!|=)== null' "$FLOOR/dist" --include=*.js; then echo "tracing-floor: an emission site was not folded" >&2; exit 1; fi
echo "floor: $(grep -rcE 'if \(false\)|if \(true\)|true \?' $sites | awk -F: '{s+=$2} END {print s}') emission sites folded in $(echo $sites | wc -w) files"
cd "$ROOT"
printf '%s\n' "$@" | grep -qE '^[a-z]+:[0-9]+$' || set -- "$@" fib:35 nbody:2000000 fannkuch:10 richards:2000 binarytrees:16 spectral:1000 strings:3000000
node bench/ab.mjs --base="$FLOOR" --new=. --tier=auto --clock=cpu "$@"

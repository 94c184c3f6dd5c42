#!/usr/bin/env bash
# The row cuts of the DDPG update's products (CleanRL's reacher shapes: observation 10, action 2,
# hidden 256, critic input 12) that reproduce the whole batch bit for bit, on each OpenBLAS kernel
# family this CPU can run. Usage: bench/openblas_row_cuts.sh [BATCH...]   (default 256 200)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(mktemp)
trap 'rm -f "$binary"' EXIT
cc -O2 bench/openblas_row_cuts.c -o "$binary" $(pkg-config --cflags --libs openblas)
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
has() { for flag in "$@"; do [[ " $flags " == *" $flag "* ]] || return 1; done; }
batches=("${@:-256}"); [ $# -eq 0 ] && batches=(256 200)
cores=(Prescott Core2 Nehalem Barcelona Sandybridge)
has avx2 fma && cores+=(Haswell Zen)
has avx512f avx512bw avx512vl avx512dq && cores+=(SkylakeX Cooperlake)
for core in "${cores[@]}"; do
    for batch in ${batches[@]}; do
        for shape in "forward 10 256" "forward 12 256" "forward 256 256" "forward 256 2" "forward 256 1" \
            "input-gradient 256 1" "input-gradient 256 2" "input-gradient 256 256" "input-gradient 12 256"; do
            set -- $shape
            OPENBLAS_CORETYPE=$core "$binary" "$1" "$batch" "$2" "$3"
        done
    done
done

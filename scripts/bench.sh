#!/usr/bin/env bash
# Installs the dependencies, builds weft in release mode and runs its benchmark driver on
# the six scheduler workloads of ../shared/peers/WORKLOADS.md at 1 and 2 workers.
#
#   scripts/bench.sh                 all six workloads, 1 s each
#   SECONDS_PER_RUN=3 scripts/bench.sh
#   scripts/bench.sh --compare       also run ../shared/peers/compare (Tokio, Go, Asio,
#                                    oneTBB beside weft) when the peers are built there
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target weft-bench

bench=build/release/benchmarks/weft-bench
seconds="${SECONDS_PER_RUN:-1}"
for workers in 1 2; do
  for workload in spawn_many_local spawn_many_remote yield_many ping_pong chained_spawn fib; do
    "$bench" sched "$workload" --workers "$workers" --seconds "$seconds"
  done
done

if [[ "${1:-}" == "--compare" ]]; then
  compare=../shared/peers/compare
  if [[ -x "$compare" ]]; then
    for workers in 1 2; do
      "$compare" sched --workers "$workers" --rounds 5 --extra "weft=$PWD/$bench"
    done
  else
    echo "bench.sh: $compare not found; skipping the side-by-side comparison" >&2
  fi
fi

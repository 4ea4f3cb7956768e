#!/usr/bin/env bash
# Runs the benchmarks (Google Benchmark) and prints one table.
#   scripts/bench.sh           the whole set (school and trust sizes)
#   scripts/bench.sh --quick   the 2,000-learner cases only: checks they run
# Record the figures, the machine and this command in docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR="${BUILD_DIR:-build}"
filter='.*'
if [[ "${1:-}" == "--quick" ]]; then
  filter='/2000(/|$)'
fi
BUILD_DIR="$BUILD_DIR" scripts/build.sh >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$BUILD_DIR/hubsync_bench" --benchmark_filter="$filter" --benchmark_counters_tabular=true

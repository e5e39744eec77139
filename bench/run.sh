#!/usr/bin/env bash
# Runs the benchmarks (minitorch and LibTorch in one binary, one run) RUNS
# times (default 3) and prints one table: workload, threads, dtype, both
# times, the speed-up (LibTorch time / minitorch time) with its min-max over
# the runs, and the fraction of the hardware limit reached, with the limits
# measured by the probe benchmarks of the same runs.
#   [RUNS=N] bench/run.sh [extra Google Benchmark flags, e.g. --benchmark_filter=matmul]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake --preset release > /dev/null
cmake --build --preset release --target ops_benchmark
runs=${RUNS:-3}
outs=()
for ((run = 1; run <= runs; ++run)); do
  out=build/release/bench/results-$run.json
  # Medians of 3 repetitions: these machines are shared and noisy.
  build/release/bench/ops_benchmark --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_min_time=0.2 --benchmark_out="$out" --benchmark_out_format=json "$@" > /dev/null
  outs+=("$out")
done
python3 bench/report.py "${outs[@]}"

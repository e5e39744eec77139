#!/usr/bin/env bash
# The main job: installs what is missing, then
#   1. builds the release preset and runs the demo (trains a small classifier,
#      then gradchecks every op and prints the table);
#   2. builds the libFuzzer targets (preset fuzz: clang-14, ASan, UBSan) and
#      runs a fuzz_broadcast campaign from the seed corpus for
#      MINITORCH_FUZZ_SECONDS (default 60) seconds, as `./fuzz_broadcast corpus/`
#      from build/fuzz would, ending with its pass / fail / inconclusive counts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake --preset release
cmake --build --preset release --target demo
./build/release/examples/demo

cmake --preset fuzz
cmake --build --preset fuzz --target fuzz_broadcast
cd build/fuzz
./fuzz_broadcast -max_total_time="${MINITORCH_FUZZ_SECONDS:-60}" -print_final_stats=1 corpus/

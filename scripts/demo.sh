#!/usr/bin/env bash
# The main job: installs what is missing, then
#   1. builds the release preset and runs the demo (trains a small classifier,
#      then gradchecks every op and prints the table);
#   2. runs a fuzzing campaign (scripts/fuzz_campaign.sh: the libFuzzer
#      targets of preset fuzz, clang-14, ASan, UBSan, on every core) of
#      fuzz_broadcast and fuzz_torch from the seed corpus for
#      MINITORCH_FUZZ_SECONDS (default 60) seconds each, ending with the
#      campaign's table: runs, exec/s, coverage, new corpus inputs merged into
#      corpus/, and the verdicts over each corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake --preset release
cmake --build --preset release --target demo
./build/release/examples/demo

scripts/fuzz_campaign.sh "${MINITORCH_FUZZ_SECONDS:-60}" fuzz_broadcast fuzz_torch

#!/usr/bin/env bash
# Line coverage of lib/ by the fuzz seed corpus (or the directories given):
# builds the fuzz targets with clang source-based coverage and the replay
# main, replays the corpus through every target, and prints llvm-cov's report
# for the library's sources (FUZZ_COVERAGE_TARGETS="fuzz_safetensors" picks
# the targets; FUZZ_COVERAGE_SOURCES="lib/src/serialize.cc" the sources).
#   scripts/fuzz_coverage.sh [CORPUS_DIR...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
dirs=("$@")
[[ ${#dirs[@]} -eq 0 ]] && dirs=(corpus)
build=build/coverage
flags="-fprofile-instr-generate -fcoverage-mapping"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DMINITORCH_BUILD_TESTS=OFF \
  -DMINITORCH_BUILD_EXAMPLES=OFF -DMINITORCH_BUILD_BENCHMARKS=OFF > /dev/null
read -r -a targets <<< "${FUZZ_COVERAGE_TARGETS:-fuzz_broadcast fuzz_softmax fuzz_graph fuzz_matmul \
  fuzz_api fuzz_broadcast_f32 fuzz_softmax_f32 fuzz_graph_f32 fuzz_matmul_f32 fuzz_safetensors}"
read -r -a sources <<< "${FUZZ_COVERAGE_SOURCES:-lib}"
for i in "${!sources[@]}"; do sources[i]=$(realpath "${sources[i]}"); done
cmake --build "$build" --target "${targets[@]}"
rm -f "$build"/*.profraw
objects=()
for target in "${targets[@]}"; do
  LLVM_PROFILE_FILE="$build/$target.profraw" "$build/$target" "${dirs[@]}" 2>&1 | tail -1
  objects+=(-object "$build/$target")
done
llvm-profdata-14 merge -sparse "$build"/*.profraw -o "$build/corpus.profdata"
llvm-cov-14 report -instr-profile="$build/corpus.profdata" "${objects[@]:1}" "${sources[@]}" |
  tail -n 30

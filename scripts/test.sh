#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is
# missing, then
#   1. CMake (preset ci: optimised, warnings as errors) and ctest;
#   2. Bazel: bazel test //... offline;
#   3. the check that CMake and Bazel build the same sources.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

scripts/install_deps.sh

echo "== CMake build and ctest (preset ci)"
cmake --preset ci
cmake --build --preset ci
ctest --preset ci
echo "== property tests (draws per property)"
grep -h '^\[property\]' build/ci/Testing/Temporary/LastTest.log | sort

echo "== Bazel: bazel test //..."
bazel_flags=(--output_user_root="$PWD/build/bazel-root")
trap 'bazel "${bazel_flags[@]}" shutdown 2>/dev/null || true' EXIT
bazel "${bazel_flags[@]}" test //...

echo "== CMake and Bazel build the same sources"
scripts/check_build_sync.sh build/ci "${bazel_flags[@]}"

echo "== test.sh finished in $(( $(date +%s) - start )) s"

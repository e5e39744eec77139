#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is
# missing, builds with the `ci` preset (warnings are errors), runs ctest.
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

echo "== test.sh finished in $(( $(date +%s) - start )) s"

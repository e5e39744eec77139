#!/usr/bin/env bash
# Fails when CMake and Bazel do not build the same sources: every tracked .cc
# file must be compiled by both builds. Asks the build systems themselves:
# CMake's compile_commands.json (of the build dir given as $1) and
# `bazel query` (with the Bazel flags given after it).
#   scripts/check_build_sync.sh build/ci --output_user_root=...
set -euo pipefail
cd "$(dirname "$0")/.."
cmake_dir=$1
shift

tracked=$(git ls-files '*.cc' | grep -v '^bazel/' | sort)
# The consumer project is compiled by CMake as a separate project (through
# ctest --build-and-test), so it is not in the main compile_commands.json.
from_cmake=$( (grep -o '"file": "[^"]*"' "$cmake_dir/compile_commands.json" |
               sed -e 's/"file": "//' -e 's/"$//' -e "s|^$PWD/||"; echo tests/consumer/main.cc) |
             sort -u)
from_bazel=$(bazel "$@" query --noshow_progress 'kind("source file", deps(//...))' 2>/dev/null |
             grep '^//' | grep '\.cc$' | sed -e 's|^//:||' -e 's|^//\([^:]*\):|\1/|' | sort -u)

status=0
only_cmake=$(comm -23 <(echo "$tracked") <(echo "$from_bazel"))
only_bazel=$(comm -23 <(echo "$tracked") <(echo "$from_cmake"))
if [[ -n "$only_cmake" ]]; then
  echo "check_build_sync: not built by Bazel:" $only_cmake >&2
  status=1
fi
if [[ -n "$only_bazel" ]]; then
  echo "check_build_sync: not built by CMake:" $only_bazel >&2
  status=1
fi
[[ $status -eq 0 ]] && echo "check_build_sync: all $(echo "$tracked" | wc -l) sources are built by CMake and Bazel"
exit $status

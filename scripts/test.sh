#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is
# missing, then
#   0. the house style: clang-format (.clang-format) over every C++ file;
#   1. CMake (preset ci: optimised, warnings as errors) and every ctest suite,
#      including the fuzz corpus replay and a few iterations of each benchmark,
#      then clang-tidy (.clang-tidy, with function-size limits) and cppcheck
#      over the library;
#   2. the same suites, and the examples, under AddressSanitizer +
#      UndefinedBehaviorSanitizer (preset asan, g++; LeakSanitizer on),
#      benchmarks excepted;
#   3. the threads test under ThreadSanitizer (preset tsan);
#   4. Bazel: bazel test //... offline, an outside workspace that depends on
#      minitorch (tests/bazel_consumer), then the check that CMake and Bazel
#      build the same sources.
# The consumer program (tests/consumer/main.cc) is built each way a project
# takes minitorch: add_subdirectory and an install with find_package and
# pkg-config (ctest consumer_*), and Bazel from another workspace.
# CI (.ci/run) also runs the OSS-Fuzz build contract after it
# (scripts/fuzz_oss_local.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo; echo "== $1 ($(( $(date +%s) - start )) s)"; }

scripts/install_deps.sh

step "clang-format: every tracked C++ file as .clang-format has it"
git ls-files '*.cc' '*.h' | xargs clang-format-14 --dry-run -Werror

step "CMake build and ctest (preset ci)"
cmake --preset ci
cmake --build --preset ci
ctest --preset ci
echo "property tests (draws per property):"
grep -h '^\[property\]' build/ci/Testing/Temporary/LastTest.log | sort
MINITORCH_ERROR_TABLE="$PWD/build/ci/errors.md" build/ci/tests/errors_test \
  --gtest_filter='ErrorMatrix.*' > /dev/null
echo "error messages of every op: build/ci/errors.md ($(grep -c '^| ' build/ci/errors.md) rows)"
# docs/errors.md is that table as checked in: it must be current.
if ! diff -u docs/errors.md build/ci/errors.md; then
  echo "docs/errors.md is stale: cp build/ci/errors.md docs/errors.md" >&2
  exit 1
fi

step "clang-tidy on lib/ (.clang-tidy: bugprone, performance, modernize, function size; warnings are errors)"
find lib/src -name '*.cc' -print0 | xargs -0 -P2 -n1 clang-tidy-14 -p build/ci --quiet

step "cppcheck on lib/"
# cppcheck 2.10 cannot parse C++20 templated lambdas ([&]<class T>() { ... },
# the dtype dispatch) and reports internalAstError there; the rest is checked.
cppcheck --enable=warning,performance,portability --std=c++20 --language=c++ -I lib/include -I lib/src \
  --error-exitcode=1 --inline-suppr --quiet --suppress=missingIncludeSystem --suppress=internalAstError lib/src

step "ASan + UBSan build and ctest (preset asan)"
cmake --preset asan
cmake --build --preset asan
# The consumer_* tests check packaging (add_subdirectory, install), which the
# ci preset did; here they would only build minitorch twice more.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  LSAN_OPTIONS=suppressions="$PWD/scripts/lsan.supp" ctest --preset asan -E '^consumer_'
echo "examples under ASan + LeakSanitizer:"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 build/asan/examples/demo | tail -1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 build/asan/examples/tense_mlp --out="$PWD/build/asan" | tail -3
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 build/asan/examples/eps_sweep --out="$PWD/build/asan" | tail -2

step "ThreadSanitizer: threads_test (preset tsan)"
cmake --preset tsan
cmake --build --preset tsan --target threads_test
TSAN_OPTIONS=halt_on_error=1 OPENBLAS_NUM_THREADS=1 build/tsan/tests/threads_test

step "Bazel: bazel test //..."
bazel_flags=(--output_user_root="$PWD/build/bazel-root")
trap 'bazel "${bazel_flags[@]}" shutdown 2>/dev/null || true;
      (cd tests/bazel_consumer && bazel "${bazel_flags[@]}" shutdown 2>/dev/null) || true' EXIT
bazel "${bazel_flags[@]}" test //...

step "Bazel: an outside workspace (tests/bazel_consumer) depends on @minitorch and runs the consumer"
(cd tests/bazel_consumer && bazel "${bazel_flags[@]}" run --symlink_prefix=/ //:consumer)

step "CMake and Bazel build the same sources"
scripts/check_build_sync.sh build/ci "${bazel_flags[@]}"

step "test.sh finished"

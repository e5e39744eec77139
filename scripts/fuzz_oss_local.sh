#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh on this machine with the variables OSS-Fuzz
# sets for libFuzzer + AddressSanitizer, checks that $OUT holds every target
# with its seed-corpus zip, options and dictionary, then runs each target on
# its seeds for a few seconds, from $OUT alone. CI (.ci/run) runs it after
# the test command, so the build contract cannot rot.
# Usage: scripts/fuzz_oss_local.sh [SECONDS_PER_TARGET (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/fuzz_targets.sh
seconds=${1:-3}
scripts/install_deps.sh

root="$PWD/build/oss-fuzz"
rm -rf "$root/out"
mkdir -p "$root/work" "$root/out"
export SRC="$PWD" WORK="$root/work" OUT="$root/out"
export FUZZING_ENGINE=libfuzzer SANITIZER=address ARCHITECTURE=x86_64
export CC=clang-14 CXX=clang++-14
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS -stdlib=libc++"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
.clusterfuzzlite/build.sh

targets=()
while read -r t; do targets+=("$t"); done < "$WORK/minitorch-build/fuzz_targets.txt"
status=0
for t in "${targets[@]}"; do
  for f in "$t" "${t}_seed_corpus.zip" "$t.options" "$t.dict"; do
    if [[ ! -s "$OUT/$f" ]]; then echo "fuzz_oss_local: \$OUT lacks $f" >&2; status=1; fi
  done
done
# Every shared library a target loads, glibc's aside, must come from $OUT/lib.
for t in "${targets[@]}"; do
  outside=$(ldd "$OUT/$t" | awk '$3 ~ /^\// { print $3 }' |
    grep -Ev "^$OUT/lib/" | grep -Ev "$glibc_libs" || true)
  if [[ -n $outside ]]; then echo "fuzz_oss_local: $t loads from outside \$OUT: $outside" >&2; status=1; fi
done
[[ $status -eq 0 ]] || exit 1

# As ClusterFuzz runs them: the seeds unpacked, the options' dictionary, no
# packages beyond $OUT/lib (LD_LIBRARY_PATH cleared).
printf '%-22s %8s %8s %6s\n' target runs exec/s cov
for t in "${targets[@]}"; do
  corpus="$WORK/run/$t"
  rm -rf "$corpus" && mkdir -p "$corpus"
  python3 -m zipfile -e "$OUT/${t}_seed_corpus.zip" "$corpus"
  log="$WORK/run/$t.log"
  if ! (cd "$OUT" && env -u LD_LIBRARY_PATH ASAN_OPTIONS=detect_leaks=1 \
        LSAN_OPTIONS=suppressions="$SRC/scripts/lsan.supp" \
        "./$t" -dict="$t.dict" -max_total_time="$seconds" -print_final_stats=1 "$corpus" \
        > "$log" 2>&1); then
    echo "fuzz_oss_local: $t failed; its log:" >&2
    tail -50 "$log" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-22s %8s %8s %6s\n' "$t" "$runs" "$rate" "$cov"
done
echo "fuzz_oss_local: \$OUT = $OUT ($(du -sh "$OUT" | cut -f1)), every target ran from it"

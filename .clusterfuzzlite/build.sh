#!/bin/bash -eu
# The OSS-Fuzz / ClusterFuzzLite build contract: compile every fuzz target
# with $CC, $CXX, $CFLAGS, $CXXFLAGS and $LIB_FUZZING_ENGINE, and write to
# $OUT each target with
#   <target>_seed_corpus.zip  its seeds from corpus/ (scripts/fuzz_targets.sh)
#   <target>.dict             its dictionary (dict_for in scripts/fuzz_targets.sh)
#   <target>.options          libFuzzer's options: the dictionary
# plus lib/: the shared libraries the targets load (OpenBLAS, Abseil,
# LibTorch and its dependencies for fuzz_torch, libstdc++), found through
# RPATH $ORIGIN/lib (DT_RPATH, not RUNPATH: it also serves the libraries'
# own dependencies), so $OUT runs on a machine without the build's packages.
# scripts/fuzz_oss_local.sh runs this script on this machine as OSS-Fuzz
# would; CI (.ci/run) runs that after the test command.
# From the checkout: the Dockerfile's WORKDIR, or the script's own.
[[ -f scripts/fuzz_targets.sh ]] || cd "$(dirname "$0")/.."
source scripts/fuzz_targets.sh

build="$WORK/minitorch-build"
# Debian's Abseil, OpenBLAS and LibTorch are built against libstdc++, so the
# targets are too: OSS-Fuzz's -stdlib=libc++ is dropped.
CXXFLAGS=${CXXFLAGS//-stdlib=libc++/}
# The flags are OSS-Fuzz's alone (no build type adds -O2 or -DNDEBUG).
# fuzz_torch's LibTorch bridge is compiled by g++ (testing/CMakeLists.txt).
cmake -S . -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCMAKE_BUILD_RPATH='$ORIGIN/lib' -DCMAKE_EXE_LINKER_FLAGS=-Wl,--disable-new-dtags \
  -DMINITORCH_FUZZ_ENGINE=libfuzzer -DMINITORCH_FUZZ_LINK_FLAGS="$LIB_FUZZING_ENGINE" \
  -DMINITORCH_BUILD_TESTS=OFF -DMINITORCH_BUILD_EXAMPLES=OFF -DMINITORCH_BUILD_BENCHMARKS=OFF
cmake --build "$build" --target minitorch_fuzz_targets -j"$(nproc)"

mkdir -p "$OUT/lib"
while read -r target; do
  cp "$build/$target" "$OUT/"
  mapfile -t seeds < <(seed_dirs "$target")
  rm -f "$OUT/${target}_seed_corpus.zip"
  if [[ ${#seeds[@]} -gt 0 ]]; then
    # Flat, as ClusterFuzz unpacks it (names are content hashes or unique).
    (cd "$(mktemp -d)" && for d in "${seeds[@]}"; do cp "$OLDPWD/$d"/* .; done &&
      python3 -m zipfile -c "$OUT/${target}_seed_corpus.zip" . && rm -rf "$PWD")
  fi
  cp "$(dict_for "$target")" "$OUT/$target.dict"
  printf '[libfuzzer]\ndict = %s.dict\n' "$target" > "$OUT/$target.options"
  # Every shared library but glibc's own, next to the targets.
  ldd "$build/$target" | awk '$3 ~ /^\// { print $3 }' |
    grep -Ev "$glibc_libs" |
    xargs -r cp -u -L -t "$OUT/lib/"
done < "$build/fuzz_targets.txt"

#!/usr/bin/env bash
# Installs the minitorch built in $1 into a fresh prefix under $2, then
# builds and runs the consumer (main.cc) against that install two ways:
#   1. a CMake project with find_package(minitorch 0.1 CONFIG REQUIRED);
#   2. g++ main.cc $(pkg-config --cflags --libs minitorch).
# $CXXFLAGS and $LDFLAGS reach both builds (a sanitized library needs them).
set -euo pipefail
build=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"

echo "== cmake --install $build --prefix $work/prefix"
cmake --install "$build" --prefix "$work/prefix" | tail -n 3

echo "== find_package(minitorch 0.1 CONFIG REQUIRED)"
cmake -S "$here/find_package" -B "$work/find_package" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/find_package.log"
cmake --build "$work/find_package" >> "$work/find_package.log"
"$work/find_package/consumer"

echo "== g++ main.cc \$(pkg-config --cflags --libs minitorch)"
PKG_CONFIG_PATH=$(dirname "$(find "$work/prefix" -name minitorch.pc)")
export PKG_CONFIG_PATH
echo "pkg-config --cflags --libs minitorch: $(pkg-config --cflags --libs minitorch)"
# shellcheck disable=SC2046,SC2086  # pkg-config's words and the flags split on purpose
g++ ${CXXFLAGS:-} "$here/main.cc" $(pkg-config --cflags --libs minitorch) ${LDFLAGS:-} \
  -o "$work/consumer_pkg_config"
"$work/consumer_pkg_config"

#!/usr/bin/env bash
# Installs the Debian 12 packages minitorch needs, only those missing.
# Safe to run any number of times; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ clang-14 clang-format-14 clang-tidy-14 cppcheck libclang-rt-14-dev lld-14
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  libopenblas-dev libdnnl-dev libeigen3-dev libtorch-dev nlohmann-json3-dev pkg-config python3
)
if [[ "${MINITORCH_WITH_BAZEL:-1}" == 1 ]]; then
  packages+=(bazel-bootstrap bazel-rules-java)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install_deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# The main job: installs what is missing, builds the release preset, and runs
# the demo (trains a small classifier, then gradchecks every op).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
cmake --preset release
cmake --build --preset release --target demo
./build/release/examples/demo

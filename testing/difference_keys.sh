#!/bin/sh
# Prints the keys of docs/design.md's table of deliberate differences (the
# rows of section "Deliberate differences from LibTorch" whose first cell is
# a `key`) as C++ string literals, one per line: testing/difference_keys.inc,
# which testing/differences.cc includes. CMake and Bazel both run it.
awk '/^#/ { in_table = ($0 == "### Deliberate differences from LibTorch") }
     in_table && /^[|] `[a-z0-9-]+` [|]/ { split($0, cell, "`"); printf "\"%s\",\n", cell[2] }' "$1"

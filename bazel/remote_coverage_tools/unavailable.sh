#!/bin/sh
# Stands in for a coverage tool that would have been downloaded.
echo "bazel coverage is not available offline; use llvm-cov (see README)" >&2
exit 1

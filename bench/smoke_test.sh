#!/bin/sh
# Runs every single-thread benchmark for a moment: proves they still work.
# Timings from this are meaningless; bench/run.sh measures.
exec "$1" --benchmark_min_time=0.001 --benchmark_filter=threads:1

#!/usr/bin/env bash
# A bounded fuzzing campaign on this machine: each target runs SECONDS with
# libFuzzer's -fork on every core, starting from its seeds; what it finds is
# merged into corpus/<target> with -merge=1, so the corpus grows only by
# inputs that add coverage. Prints one table (target, runs, exec/s,
# coverage, verdict counts over the target's corpus afterwards, new corpus
# files) and, for a crash, writes its reproducer (the program, values as hex
# floats, a GoogleTest body) next to the crash file in build/fuzz/crashes.
# Usage: scripts/fuzz_campaign.sh SECONDS [TARGET...]  (default: every target)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/fuzz_targets.sh
[[ $# -ge 1 ]] || { echo "usage: $0 SECONDS [TARGET...]" >&2; exit 2; }
seconds=$1
shift
scripts/install_deps.sh
cmake --preset fuzz > /dev/null
cmake --build --preset fuzz --target minitorch_fuzz_targets
bin="$PWD/build/fuzz"
if [[ $# -gt 0 ]]; then targets=("$@"); else mapfile -t targets < "$bin/fuzz_targets.txt"; fi
jobs=$(nproc)
work="$bin/campaign"
crashes="$bin/crashes"
mkdir -p "$crashes"
export ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$PWD/scripts/lsan.supp"

rows=()
failed=0
for t in "${targets[@]}"; do
  dir=$(corpus_dir "$t")
  mkdir -p "$dir"
  mapfile -t seeds < <(seed_dirs "$t")
  new="$work/$t/new"
  rm -rf "$work/$t" && mkdir -p "$new"
  touch "$work/$t/start"
  log="$work/$t/fuzz.log"
  echo "== $t: $seconds s on $jobs cores from ${seeds[*]}"
  # New inputs land in the first directory; the seeds are read only.
  set +e
  "$bin/$t" -fork="$jobs" -max_total_time="$seconds" -dict="$(dict_for "$t")" \
    -artifact_prefix="$crashes/$t-" -ignore_crashes=1 -print_final_stats=1 \
    "$new" "${seeds[@]}" > "$log" 2>&1
  set -e
  before=$(find "$dir" -type f | wc -l)
  "$bin/$t" -merge=1 "$dir" "$new" > "$work/$t/merge.log" 2>&1
  added=$(( $(find "$dir" -type f | wc -l) - before ))
  # The verdicts over the whole corpus now (each target prints its counts at exit).
  "$bin/$t" -runs=0 "${seeds[@]}" > "$work/$t/replay.log" 2>&1 || true
  # The last match of an extended regex in a log ("" if none).
  last() { grep -oE "$1" "$2" | tail -1 || true; }
  runs=$(last '^#[0-9]+' "$log" | tr -d '#')
  # Fork mode's exec/s lines are per job: the rate is all runs over the time.
  elapsed=$(last 'exiting: [0-9]+ time: [0-9]+s' "$log" | grep -oE '[0-9]+s$' | tr -d s || true)
  rate=$(( ${runs:-0} / ${elapsed:-$seconds} ))
  cov=$(last 'cov: [0-9]+' "$log" | cut -d' ' -f2)
  inputs=$(last 'verdicts: inputs .*' "$work/$t/replay.log" | sed 's/verdicts: inputs *//')
  entries=$(last 'verdicts: entries .*' "$work/$t/replay.log" | sed 's/verdicts: entries *//')
  agreed=$(last '[0-9]+ programs: [0-9]+ agreed with LibTorch' "$work/$t/replay.log")
  crash_files=$(find "$crashes" -name "$t-crash-*" ! -name '*.txt' -newer "$work/$t/start" | wc -l)
  rows+=("$(printf '%-20s %9s %7s %6s %6s  %s%s%s' "$t" "${runs:-0}" "${rate:-0}" "${cov:-0}" \
    "$added" "${inputs:-}" "${entries:+ | entries: $entries}" "${agreed:+$agreed}")")
  for crash in $(find "$crashes" -name "$t-crash-*" ! -name '*.txt' -newer "$work/$t/start"); do
    "$bin/$t" "$crash" > "$crash.txt" 2>&1 || true
    echo "$t: crash $crash, reproducer in $crash.txt"
    failed=1
  done
  [[ $crash_files -eq 0 ]] || failed=1
done
echo
printf '%-20s %9s %7s %6s %6s  %s\n' target runs exec/s cov new "verdicts over the corpus afterwards"
printf '%s\n' "${rows[@]}"
exit $failed

# Sourced by .clusterfuzzlite/build.sh and scripts/fuzz_campaign.sh: where
# each fuzz target's corpus lives. A target fuzz_X (and its float32 build
# fuzz_X_f32, same decoder) grows corpus/X; fuzz_torch decodes fuzz_graph's
# programs, so it also starts from corpus/graph.

# corpus_dir TARGET: the directory the target's new inputs are merged into.
corpus_dir() {
  local name=${1#fuzz_}
  echo "corpus/${name%_f32}"
}

# seed_dirs TARGET: the directories of its seed corpus (those that exist).
seed_dirs() {
  local dirs=("$(corpus_dir "$1")")
  [[ $1 == fuzz_torch ]] && dirs+=(corpus/graph)
  local d
  for d in "${dirs[@]}"; do
    [[ -d $d ]] && echo "$d"
  done
  return 0
}

# dict_for TARGET: its libFuzzer dictionary: fuzz/TARGET.dict where there is
# one (fuzz_safetensors' JSON tokens), else the program decoder's tokens.
dict_for() {
  if [[ -f fuzz/$1.dict ]]; then echo "fuzz/$1.dict"; else echo fuzz/minitorch.dict; fi
}

# glibc's own libraries, which every machine has: the one set $OUT/lib leaves out.
glibc_libs='/(libc|libm|libdl|libpthread|librt|ld-linux[^/]*)\.so'

#!/bin/sh
# A fuzz smoke run for ctest: FUZZER on each reproducer in REPRO_DIR (if given), then over its
# seed corpus and RUNS mutations from a fixed seed (with wasm.dict for the targets that take raw
# modules). New inputs and any crash reproducer go to WORKDIR (emptied first), never into the
# repository.
# Usage: smoke.sh FUZZER CORPUS_DIR WORKDIR RUNS [REPRO_DIR]
set -eu
fuzzer=$1 corpus=$2 work=$3 runs=$4 repro=${5:-}
rm -rf "$work"
mkdir -p "$work/corpus"
opts="-timeout=10 -rss_limit_mb=2048 -artifact_prefix=$work/"
dict=""
case $(basename "$fuzzer") in
  fuzz_run | fuzz_load | fuzz_contract) dict="-dict=$(dirname "$0")/wasm.dict" ;;
esac
if [ -n "$repro" ]; then
  # Files given by name run once each, whole (no -max_len truncation).
  # shellcheck disable=SC2086
  "$fuzzer" $opts "$repro"/*.wasm
fi
# shellcheck disable=SC2086
exec "$fuzzer" $opts $dict -seed=1 -runs="$runs" -max_total_time=60 -max_len=16384 \
  -print_final_stats=1 "$work/corpus" "$corpus"

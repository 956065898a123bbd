#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang into build-fuzz/ and
# runs each for a time budget, seeded from tests/fuzz/corpus/<name>/, the
# regressions in tests/fuzz/regressions/<name>/ and a scratch corpus kept in
# build-fuzz/fuzz-corpus/<name>/ (new inputs go there; longer runs by hand
# build on earlier ones). Prints the executions of each target and exits
# non-zero if any target crashed, hung, leaked or broke an invariant, after
# printing where libFuzzer left the input that did it.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]    (default 10, all)
#   bash scripts/fuzz.sh --build-only                        (the targets, not run)
#
# A failing input belongs in tests/fuzz/regressions/<name>/ once fixed: it is
# then replayed by the unit test unit.fuzz_<name> in every build.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
build=build-fuzz

command -v clang >/dev/null || { echo "fuzz.sh: clang is needed (libFuzzer)" >&2; exit 2; }
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCARBONDUMP_FUZZ=ON \
  -DCARBONDUMP_TESTS=OFF >/dev/null
cmake --build "$build" --target fuzz -j"$(nproc)" >/dev/null
[ "$seconds" = --build-only ] && exit 0

# The largest input worth trying per target: options and control files must
# reach past PATH_MAX, the rest stay small so that each run is fast.
max_len() {
  case $1 in
    options|control) echo 8192 ;;
    pidfile) echo 512 ;;
    hprof_reader) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for source in tests/fuzz/fuzz_*.c; do
    name=$(basename "$source" .c)
    targets+=("${name#fuzz_}")
  done
fi

# Runs one target; its exit status goes to a file, so that a failure never
# stops the others (or this script, under set -e).
run_target() {
  local name=$1 corpus=$build/fuzz-corpus/$1 artifacts=$build/fuzz-artifacts/$1
  local log=$build/fuzz-logs/$1.log
  mkdir -p "$corpus" "$artifacts" "$build/fuzz-logs"
  local inputs=("$corpus" "tests/fuzz/corpus/$name")
  [ -d "tests/fuzz/regressions/$name" ] && inputs+=("tests/fuzz/regressions/$name")
  local rc=0
  "$build/fuzz/fuzz_$name" -max_total_time="$seconds" -max_len="$(max_len "$name")" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "${inputs[@]}" >"$log" 2>&1 || rc=$?
  echo "$rc" >"$log.rc"
}

# One target per core at a time (FUZZ_JOBS overrides).
jobs_max=${FUZZ_JOBS:-$(nproc)}
for name in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
    wait -n || true
  done
  run_target "$name" &
done
wait

failed=0
printf '%-18s %12s %9s  %s\n' target executions exec/s result
for name in "${targets[@]}"; do
  log=$build/fuzz-logs/$name.log
  rc=$(cat "$log.rc" 2>/dev/null || echo '?')
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" 2>/dev/null | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" 2>/dev/null | tail -n 1)
  if [ "$rc" = 0 ]; then
    printf '%-18s %12s %9s  %s\n' "$name" "${runs:-?}" "${speed:-?}" ok
  else
    failed=1
    printf '%-18s %12s %9s  %s\n' "$name" "${runs:-?}" "${speed:-?}" "FAILED (exit $rc)"
    { grep -E 'ERROR: |invariant broken|SUMMARY: ' "$log" || true; } | head -n 5 | sed 's/^/    /'
    sed -n 's/^.*Test unit written to /    input: /p' "$log"
    echo "    log: $log"
  fi
done
exit "$failed"

#!/usr/bin/env bash
# A short soak (the CI-sized bench/soak.sh): 40 attach-and-dump cycles
# (threads, histogram, heap summary) against a demo server that starts and ends
# ~1,000 allocating threads a second, under checked JNI. Every cycle exits 0
# with a valid bundle whose three sections are ok; afterwards the server is
# alive, no agent request thread is left, and its descriptors and its threads
# (other than the churn's cd-churn-<n>) are back to what they were after the
# warm-up.
#
# Slack: the warm-up (3 cycles) lets the one-time things happen first (the
# attach listener thread and its socket, the agent library and its JVMTI
# environment). Beyond that the JVM itself may, independently of carbondump,
# start a compiler thread (-XX:+UseDynamicNumberOfCompilerThreads) or a GC
# worker it creates lazily (-XX:+UseDynamicNumberOfGCThreads), and open a
# jar or the CDS archive lazily on a class load, so up to 2 threads and 2
# descriptors more than the baseline are accepted; a leak of one per cycle
# would show 40.
. "$(dirname "$0")/lib.sh"

CYCLES=40
WARMUP=3
SLACK_THREADS=2
SLACK_FDS=2
SECTIONS=threads,histogram,heap-summary

harness_start soak -Xcheck:jni -- --plant churn
pid=$HARNESS_PID
out="$WORK/bundles"

fd_count() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# Threads other than cd-churn-<n> (comm is cut to 15 characters, which keeps
# the prefix); a task that ends while being read is not counted.
non_churn_threads() {
  local n=0 comm
  for f in /proc/"$pid"/task/*/comm; do
    comm=$(cat "$f" 2>/dev/null) || continue
    [[ "$comm" =~ ^cd-churn-[0-9] ]] || n=$((n + 1))
  done
  echo "$n"
}

# Agent request threads ("carbondump request <id>", comm "carbondump requ").
request_threads() { cat /proc/"$pid"/task/*/comm 2>/dev/null | grep -c '^carbondump requ'; }

# One cycle: exit 0, a ZIP unzip -t accepts, every section ok; then removed.
cycle() { # n
  run_carbondump --pid "$pid" --only "$SECTIONS" -o "$out" -q
  expect_eq 0 "$RC" "exit status of cycle $1"
  unzip -tqq "$BUNDLE" >/dev/null 2>&1 || fail "cycle $1: unzip -t rejects '$BUNDLE'"
  pass
  expect_eq "ok ok ok" "$(json_get "$(bundle_manifest "$BUNDLE")" \
    '" ".join(j["sections"][s]["status"] for s in ("threads", "histogram", "heap-summary"))')" \
    "status of threads, histogram and heap-summary in cycle $1"
  rm -f "$BUNDLE"
}

# The agent's request thread may still be ending when the collector returns.
wait_for_request_threads_to_end() {
  for _ in $(seq 1 50); do [ "$(request_threads)" = 0 ] && return; sleep 0.1; done
}

for i in $(seq 1 "$WARMUP"); do cycle "warm-up $i"; done
wait_for_request_threads_to_end
base_fds=$(fd_count)
base_threads=$(non_churn_threads)

for i in $(seq 1 "$CYCLES"); do cycle "$i"; done
wait_for_request_threads_to_end

expect_alive "$pid"
expect_eq 0 "$(request_threads)" "agent request threads left after $CYCLES cycles"
fds=$(fd_count)
[ "$fds" -le $((base_fds + SLACK_FDS)) ] ||
  fail "descriptors of the target: $base_fds after the warm-up, $fds after $CYCLES cycles"
pass
threads=$(non_churn_threads)
[ "$threads" -le $((base_threads + SLACK_THREADS)) ] ||
  fail "non-churn threads of the target: $base_threads after the warm-up, $threads after $CYCLES cycles"
pass
expect_no_partial_files "$out"
expect_eq 0 "$(find "$out" -type f | wc -l)" "files left in the output directory"
# checked JNI watched every cycle
for word in "JNI local refs" "without checking exceptions" "FATAL ERROR"; do
  if grep -q "$word" "$WORK/soak.stderr" "$WORK/soak.stdout"; then
    fail "-Xcheck:jni reported '$word': $(grep -h "$word" "$WORK/soak.stderr" "$WORK/soak.stdout" | head -n 3)"
  fi
  pass
done
finish

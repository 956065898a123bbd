#!/usr/bin/env bash
# Thread dumps: `carbondump --only threads` against `jstack -l`, on the same
# JVM, the demo server with 2,000 extra parked threads (plus its thread zoo,
# two deadlocks and monitor contention).
#
# Both do the same work a support engineer asks for: every thread with its
# stack, lock lines and ownable synchronizers, the VM's own threads (compiler
# threads, GC workers ...), and the deadlock report.
# carbondump's time is the whole command (attach, agent, bundle ZIP with its
# manifest); jstack's includes the start of its own JVM, which is what an
# operator pays for it. Runs alternate (carbondump, jstack, jstack, carbondump,
# ...) after one first run of each, shown apart; the script prints each side's
# median wall time and the ratio of the medians (target: <= 0.30).
#
# It also measures how long the target stood still: the server runs with
# -Xlog:safepoint, and for each dump the safepoints logged while it ran are
# summed (time to reach the safepoint plus time at it). jstack's dump is one
# VM operation at a safepoint; carbondump's agent walks stacks in batches and
# the heap once (for ownable synchronizers), so its pause is the sum of a few
# shorter ones. Handshakes with single threads do not stop the JVM and are
# not counted. Printed: the median pause per dump and the operations seen.
#
# Environment: CD_BUILD (build directory, default ./build), CD_JAVA_HOME (the
# JDK of the target and of jstack; default the first scripts/find-jdks.sh
# finds), RUNS (10 each), THREADS (2000), KEEP_WORK=1 to keep the work
# directory.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init threads
bench_require_build
CD_JAVA_HOME=$(bench_jdk)
RUNS=${RUNS:-10}
THREADS=${THREADS:-2000}
[ -x "$CD_JAVA_HOME/bin/jstack" ] || { echo "no jstack in $CD_JAVA_HOME" >&2; exit 1; }

SAFEPOINTS="$WORK/safepoint.log"
bench_start_server server "$CD_JAVA_HOME" "$WORK/home" -Xmx256m \
  "-Xlog:safepoint=info:file=$SAFEPOINTS:uptime" -- \
  --plant "threads=$THREADS,deadlock,jucdeadlock,contention"
bench_await_ready server "$SERVER_PID"

ours() {
  rm -rf "$WORK/out"
  "$CARBONDUMP" --pid "$SERVER_PID" --only threads -o "$WORK/out" -q >/dev/null 2>"$WORK/ours.err"
}
theirs() {
  "$CD_JAVA_HOME/bin/jstack" -l "$SERVER_PID" >"$WORK/jstack.txt"
}

now_ns() { date +%s%N; }

# Runs one side, appending "<wall ms> <pause ms> <operations>" to its file.
measure() { # side file
  local before after t0 t1
  before=$(wc -l <"$SAFEPOINTS")
  t0=$(now_ns)
  "$1"
  t1=$(now_ns)
  sleep 0.2 # let the log catch up
  after=$(wc -l <"$SAFEPOINTS")
  sed -n "$((before + 1)),${after}p" "$SAFEPOINTS" | awk -v wall=$(((t1 - t0) / 1000000)) '
    /Safepoint "/ {
      match($0, /Safepoint "[^"]*"/); op = substr($0, RSTART + 11, RLENGTH - 12)
      match($0, /Total: [0-9]+ ns/); ns = substr($0, RSTART + 7, RLENGTH - 10) + 0
      total += ns; ops[op]++
    }
    END {
      list = ""
      for (o in ops) list = list (list == "" ? "" : ",") o "x" ops[o]
      printf "%d %.3f %s\n", wall, total / 1e6, (list == "" ? "-" : list)
    }' >>"$2"
}

median() { # file column
  awk -v c="$2" '{ print $c }' "$1" | bench_median
}

# The first run of each is not in the medians (first attach, first agent load,
# page cache, the target's JIT), but is shown: it is what one dump of a
# server that was never dumped before costs.
: >"$WORK/first.runs"
measure ours "$WORK/first.runs"
measure theirs "$WORK/first.runs"
threads=$(grep -c '^"[^"]*" #' "$WORK/jstack.txt")
unzip -p "$WORK"/out/*.zip '*/thread_dump.txt' >"$WORK/ours.txt"
echo "target: pid $SERVER_PID, $("$CD_JAVA_HOME/bin/java" -version 2>&1 | head -n 1), $threads Java threads"
echo "dumps: carbondump $(grep -c '^"[^"]*" #' "$WORK/ours.txt") Java threads and $(grep -c '^"[^"]*" os_prio=.* tid=' "$WORK/ours.txt") of the VM's own ($(wc -c <"$WORK/ours.txt") bytes), jstack $threads and $(grep -c '^"[^"]*" os_prio=' "$WORK/jstack.txt") ($(wc -c <"$WORK/jstack.txt") bytes)"
echo "deadlocks: carbondump '$(tail -n 2 "$WORK/ours.txt" | head -n 1)', jstack '$(tail -n 2 "$WORK/jstack.txt" | head -n 1)'"
echo "CPUs: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg); runs: $RUNS each, alternating"

: >"$WORK/ours.runs"
: >"$WORK/jstack.runs"
for i in $(seq 1 "$RUNS"); do
  if [ $((i % 2)) = 1 ]; then
    measure ours "$WORK/ours.runs"; measure theirs "$WORK/jstack.runs"
  else
    measure theirs "$WORK/jstack.runs"; measure ours "$WORK/ours.runs"
  fi
done

ours_ms=$(median "$WORK/ours.runs" 1)
jstack_ms=$(median "$WORK/jstack.runs" 1)
ours_pause=$(median "$WORK/ours.runs" 2)
jstack_pause=$(median "$WORK/jstack.runs" 2)
printf '\n%-22s %12s %18s   %s\n' "" "wall (median)" "target paused" "safepoint operations (last run)"
printf '%-22s %9s ms %15s ms   %s\n' "carbondump --only threads" "$ours_ms" "$ours_pause" "$(tail -n 1 "$WORK/ours.runs" | cut -d' ' -f3)"
printf '%-22s %9s ms %15s ms   %s\n' "jstack -l" "$jstack_ms" "$jstack_pause" "$(tail -n 1 "$WORK/jstack.runs" | cut -d' ' -f3)"
awk -v a="$ours_ms" -v b="$jstack_ms" -v p="$ours_pause" -v q="$jstack_pause" 'BEGIN {
  printf "\nratio carbondump / jstack: wall %.2f (target <= 0.30), pause %.2f\n", a / b, (q > 0 ? p / q : 0) }'
awk 'NR == 1 { a = $1 } NR == 2 { b = $1 } END {
  printf "first run on the fresh JVM (not in the medians): carbondump %d ms, jstack %d ms, ratio %.2f\n", a, b, a / b }' "$WORK/first.runs"
echo "all runs (wall ms, pause ms, operations): $WORK/{ours,jstack}.runs"

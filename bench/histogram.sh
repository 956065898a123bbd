#!/usr/bin/env bash
# Class histogram: `carbondump --only histogram` against `jmap -histo` on the
# same JVM, a demo server holding ~20 M extra objects (--plant heap=N).
#
# Runs alternate (carbondump, jmap, carbondump, ...) after one unmeasured
# warm-up each, and prints per tool the median wall time, the median pause the
# target took for the count (its safepoint operation, from -Xlog:safepoint)
# and how much the target's resident set grew during the run (peak RSS, reset
# before each run through /proc/<pid>/clear_refs, which needs root or the
# target's user); then the ratio of the medians (target: <= 1.0).
#
# Environment: CD_BUILD (build directory, default ./build), CD_JAVA_HOME (the
# JDK; default the newest scripts/find-jdks.sh finds), OBJECTS (20000000),
# RUNS (5), XMX (3g), KEEP_WORK=1 to keep the work directory.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init histogram
bench_require_build
CD_JAVA_HOME=$(bench_jdk)
OBJECTS=${OBJECTS:-20000000}
RUNS=${RUNS:-5}
XMX=${XMX:-3g}

echo "JDK: $CD_JAVA_HOME"
echo "objects planted: $OBJECTS, heap: -Xmx$XMX, runs: $RUNS each, alternating"
bench_start_server server "$CD_JAVA_HOME" "$WORK/home" "-Xmx$XMX" \
  -Xlog:safepoint:file="$WORK/safepoint.log" -- --plant "heap=$OBJECTS"
PID=$SERVER_PID
bench_await_ready server "$PID" 600

now_ns() { date +%s%N; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# The safepoint operations the tool caused: the log lines added during its run.
pause_ms() { # from_line operation
  tail -n +"$1" "$WORK/safepoint.log" |
    awk -v op="\"$2\"" 'index($0, op) { for (i = 1; i <= NF; i++) if ($i == "Total:") t += $(i + 1) }
                        END { printf "%.1f", t / 1e6 }'
}

# measure TOOL NAME OPERATION: appends "ms pause_ms rss_growth_kb" to $WORK/NAME.
measure() {
  local name=$1 op=$2; shift 2
  local line rss0 t0 t1 hwm
  line=$(($(wc -l <"$WORK/safepoint.log") + 1))
  echo 5 >"/proc/$PID/clear_refs" 2>/dev/null || true # reset the peak RSS
  rss0=$(status_kb "$PID" VmRSS)
  t0=$(now_ns)
  "$@" >/dev/null 2>"$WORK/$name.err" || { cat "$WORK/$name.err" >&2; echo "$name failed" >&2; exit 1; }
  t1=$(now_ns)
  hwm=$(status_kb "$PID" VmHWM)
  sleep 0.5 # let the log catch up
  echo "$(((t1 - t0) / 1000000)) $(pause_ms "$line" "$op") $((hwm - rss0))" >>"$WORK/$name"
}

CD_ARGS=(--pid "$PID" --only histogram -o "$WORK/bundles" -q)
# carbondump's default engine (vm) asks the VM for the same parallel count as
# jmap, the VM operation "GC_HeapInspection"; the agent's JVMTI walk
# (--heap-engine jvmti) is "HeapIterateOperation".
measure warmup-carbondump GC_HeapInspection "$CARBONDUMP" "${CD_ARGS[@]}"
measure warmup-jvmti HeapIterateOperation "$CARBONDUMP" "${CD_ARGS[@]}" --heap-engine jvmti
measure warmup-jmap GC_HeapInspection "$CD_JAVA_HOME/bin/jmap" -histo "$PID"
for _ in $(seq 1 "$RUNS"); do
  measure carbondump GC_HeapInspection "$CARBONDUMP" "${CD_ARGS[@]}"
  measure jmap GC_HeapInspection "$CD_JAVA_HOME/bin/jmap" -histo "$PID"
  measure carbondump-jvmti HeapIterateOperation "$CARBONDUMP" "${CD_ARGS[@]}" --heap-engine jvmti
done

column_median() { cut -d' ' -f"$2" "$WORK/$1" | bench_median; }

# Check that the histogram is of the planted heap, not an empty one.
unzip -p "$(ls "$WORK"/bundles/*.zip | tail -n 1)" '*/memoryinfo/java_heap_histogram.txt' \
  >"$WORK/histogram.txt"
nodes=$(awk '$4 == "org.carbondump.harness.HeapNode" { print $2 }' "$WORK/histogram.txt")
total=$(awk '$1 == "Total" { print $2 }' "$WORK/histogram.txt")
echo "histogram: $total objects, $nodes HeapNode"

printf '\n%-16s %14s %16s %22s   %s\n' tool "median ms" "median pause ms" "median RSS growth KB" "runs (ms)"
for tool in carbondump carbondump-jvmti jmap; do
  printf '%-16s %14s %16s %22s   %s\n' "$tool" "$(column_median "$tool" 1)" \
    "$(column_median "$tool" 2)" "$(column_median "$tool" 3)" "$(cut -d' ' -f1 "$WORK/$tool" | tr '\n' ' ')"
done
cd_ms=$(column_median carbondump 1)
jmap_ms=$(column_median jmap 1)
jvmti_ms=$(column_median carbondump-jvmti 1)
jvmti_rss=$(column_median carbondump-jvmti 3)
printf '\nratio carbondump/jmap (median wall time, default vm engine): %.2f (target <= 1.0)\n' \
  "$(echo "$cd_ms / $jmap_ms" | bc -l)"
printf 'ratio carbondump --heap-engine jvmti/jmap (median wall time): %.2f\n' \
  "$(echo "$jvmti_ms / $jmap_ms" | bc -l)"
printf 'target RSS growth per planted object during the JVMTI walk: %.4f bytes\n' \
  "$(echo "$jvmti_rss * 1024 / $OBJECTS" | bc -l)"

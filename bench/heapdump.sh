#!/usr/bin/env bash
# Heap dumps of a ~1.4 GB heap: `carbondump --only heapdump` with the vm engine
# (the JVM's dumper over attach, stored in the ZIP) and with the jvmti engine
# (the agent's own FollowReferences walk), each against the JDK's own
# `jcmd <pid> GC.heap_dump -all -gz=1 <file>` alone, on the same JVM.
#
# The demo server plants HEAP_NODES small objects (--plant heap=N, 36 bytes of
# heap each with their array slot; the default 38 million make ~1.4 GB in use)
# and runs with -Xms/-Xmx 3g and a safepoint log. After one full GC the three
# kinds of run alternate, in a rotating order, RUNS times; the script prints
# each kind's median wall time, the ratios of the medians (targets: vm <= 1.10,
# jvmti <= 3.0), the JVM pause (the dump's safepoint, from -Xlog:safepoint),
# the dump sizes, and the jvmti engine's peak native memory per object (growth
# of the JVM's peak resident memory, reset before each jvmti run with
# /proc/<pid>/clear_refs, over the objects in the dump).
#
# Environment: CD_BUILD (build directory, default ./build), CD_JAVA_HOME (the
# JDK; default the first scripts/find-jdks.sh finds), RUNS (3), HEAP_NODES
# (38000000), KEEP_WORK=1 to keep the work directory.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init heapdump
HPROF_CHECK="$CD_BUILD/tests/hprof-check"
bench_require_build "$HPROF_CHECK"
CD_JAVA_HOME=$(bench_jdk)
JCMD="$CD_JAVA_HOME/bin/jcmd"
RUNS=${RUNS:-3}
HEAP_NODES=${HEAP_NODES:-38000000}

echo "starting the demo server with $HEAP_NODES heap nodes on $(basename "$CD_JAVA_HOME") ..."
bench_start_server server "$CD_JAVA_HOME" "$WORK/home" -Xms3g -Xmx3g \
  -Xlog:safepoint:file="$WORK/safepoint.log" -- --plant "heap=$HEAP_NODES"
SERVER=$SERVER_PID
bench_await_ready server "$SERVER" 3600
"$JCMD" "$SERVER" GC.run >/dev/null
used_kib=$("$JCMD" "$SERVER" GC.heap_info | sed -n 's/.*total.*, used \([0-9]*\)K.*/\1/p' | head -n 1)
echo "heap in use: $((used_kib / 1024)) MiB; CPUs: $(nproc); runs: $RUNS of each, alternating"

now_ms() { date +%s%3N; }

# The duration (ms) of the last safepoint named op in the log.
last_pause_ms() { # operation
  grep "Safepoint \"$1\"" "$WORK/safepoint.log" | tail -n 1 |
    sed -n 's/.*Total: \([0-9]*\) ns.*/\1/p' | awk '{ printf "%d", $1 / 1000000 }'
}

run_jcmd() {
  rm -f "$WORK/jcmd.hprof.gz"
  local t0; t0=$(now_ms)
  "$JCMD" "$SERVER" GC.heap_dump -all -gz=1 "$WORK/jcmd.hprof.gz" >"$WORK/jcmd.out"
  echo "$(($(now_ms) - t0)) $(last_pause_ms HeapDumper) $(stat -c %s "$WORK/jcmd.hprof.gz")"
  rm -f "$WORK/jcmd.hprof.gz"
}

run_carbondump() { # engine
  rm -rf "$WORK/out-$1"
  local t0; t0=$(now_ms)
  "$CARBONDUMP" --pid "$SERVER" --only heapdump --heap-engine "$1" --timeout 7200 -o "$WORK/out-$1" -q \
    >"$WORK/$1.stdout"
  local ms=$(($(now_ms) - t0))
  local zip; zip=$(tail -n 1 "$WORK/$1.stdout")
  local op=HeapDumper
  [ "$1" = jvmti ] && op=HeapWalkOperation
  echo "$ms $(last_pause_ms $op) $(unzip -l "$zip" | awk '/hprof.gz$/ { print $1 }')"
}

peak_kib() {
  sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$SERVER/status"
}
rss_kib() {
  sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$SERVER/status"
}

declare -a JCMD_RUNS VM_RUNS JVMTI_RUNS GROWTH
kinds=(jcmd vm jvmti)
for ((r = 0; r < RUNS; r++)); do
  line="run $((r + 1)):"
  for ((k = 0; k < 3; k++)); do
    kind=${kinds[$(((k + r) % 3))]}
    case $kind in
    jcmd) JCMD_RUNS+=("$(run_jcmd)"); result=${JCMD_RUNS[-1]} ;;
    vm) VM_RUNS+=("$(run_carbondump vm)"); result=${VM_RUNS[-1]} ;;
    jvmti)
      echo 5 >"/proc/$SERVER/clear_refs" # resets the peak resident size
      before=$(rss_kib)
      JVMTI_RUNS+=("$(run_carbondump jvmti)")
      result=${JVMTI_RUNS[-1]}
      GROWTH+=("$(($(peak_kib) - before))")
      ;;
    esac
    line="$line $kind $(echo "$result" | awk '{ printf "%.1f s (pause %.1f s)", $1 / 1000, $2 / 1000 }')"
  done
  echo "$line"
done

median() { # column values...
  local col=$1; shift
  printf '%s\n' "$@" | awk -v c="$col" '{ print $c }' | bench_median
}

unzip -p "$(tail -n 1 "$WORK/jvmti.stdout")" '*/memoryinfo/java_heap_memory_dump.hprof.gz' \
  >"$WORK/jvmti.hprof.gz"
objects=$("$HPROF_CHECK" "$WORK/jvmti.hprof.gz" | sed -n 's/^ok: .*, \([0-9]*\) instances, \([0-9]*\) object arrays, \([0-9]*\) primitive arrays.*/\1 \2 \3/p' |
  awk '{ print $1 + $2 + $3 }')
jcmd_ms=$(median 1 "${JCMD_RUNS[@]}")
vm_ms=$(median 1 "${VM_RUNS[@]}")
jvmti_ms=$(median 1 "${JVMTI_RUNS[@]}")
growth_kib=$(printf '%s\n' "${GROWTH[@]}" | sort -n | tail -n 1)
echo
printf 'median jcmd GC.heap_dump -gz=1:   %6.1f s, JVM pause %5.1f s, %4d MiB\n' \
  "$(echo "$jcmd_ms / 1000" | bc -l)" "$(echo "$(median 2 "${JCMD_RUNS[@]}") / 1000" | bc -l)" \
  "$(($(median 3 "${JCMD_RUNS[@]}" | cut -d. -f1) / 1048576))"
printf 'median carbondump (vm engine):    %6.1f s, JVM pause %5.1f s, %4d MiB, ratio %.2f (target <= 1.10)\n' \
  "$(echo "$vm_ms / 1000" | bc -l)" "$(echo "$(median 2 "${VM_RUNS[@]}") / 1000" | bc -l)" \
  "$(($(median 3 "${VM_RUNS[@]}" | cut -d. -f1) / 1048576))" "$(echo "$vm_ms / $jcmd_ms" | bc -l)"
printf 'median carbondump (jvmti engine): %6.1f s, JVM pause %5.1f s, %4d MiB, ratio %.2f (target <= 3.00)\n' \
  "$(echo "$jvmti_ms / 1000" | bc -l)" "$(echo "$(median 2 "${JVMTI_RUNS[@]}") / 1000" | bc -l)" \
  "$(($(median 3 "${JVMTI_RUNS[@]}" | cut -d. -f1) / 1048576))" "$(echo "$jvmti_ms / $jcmd_ms" | bc -l)"
printf 'jvmti engine peak native memory: %d MiB for %d objects = %.0f bytes per object\n' \
  "$((growth_kib / 1024))" "$objects" "$(echo "$growth_kib * 1024 / $objects" | bc -l)"

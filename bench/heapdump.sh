#!/usr/bin/env bash
# Heap dumps of a ~1.4 GB heap: `carbondump --only heapdump` with the vm engine
# (the JVM's dumper over attach, stored in the ZIP) and with the jvmti engine
# (the agent's own FollowReferences walk), each against the JDK's own
# `jcmd <pid> GC.heap_dump -all -gz=1 <file>` alone, on the same JVM.
#
# The demo server plants HEAP_NODES small objects (--plant heap=N, 36 bytes of
# heap each with their array slot; the default 38 million make ~1.4 GB in use)
# and runs with -Xms/-Xmx 3g and a safepoint log. After one full GC the kinds
# of run alternate, in a rotating order, RUNS times; the script prints each
# kind's median wall time, the ratios of the medians (targets: vm <= 1.10,
# jvmti <= 2.0), the JVM pause (the dump's safepoint, from -Xlog:safepoint),
# the CPU time of the JVM's VM thread during the dump (which runs the walk;
# steadier than wall time on a busy machine), the dump sizes, and the jvmti
# engine's peak native memory per object (growth of the JVM's peak resident
# memory in the first jvmti run, reset before it with /proc/<pid>/clear_refs,
# over the objects in the dump).
#
# BASELINE_AGENT=/path/to/another/libcarbondump.so adds a fourth kind, "base":
# the jvmti engine of that agent (say, a build of main) on the same JVM, in the
# same rotation after the jvmti kind, for a before-and-after in one run.
#
# Environment: CD_BUILD (build directory, default ./build), CD_JAVA_HOME (the
# JDK; default the first scripts/find-jdks.sh finds), RUNS (3), HEAP_NODES
# (38000000), BASELINE_AGENT (none), KEEP_WORK=1 to keep the work directory.
# A full run on both JDKs, on a quiet machine:
#   for jdk in $(scripts/find-jdks.sh | cut -d' ' -f2); do
#     CD_JAVA_HOME=$jdk RUNS=5 bash bench/heapdump.sh; done
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init heapdump
HPROF_CHECK="$CD_BUILD/tests/hprof-check"
bench_require_build "$HPROF_CHECK"
CD_JAVA_HOME=$(bench_jdk)
JCMD="$CD_JAVA_HOME/bin/jcmd"
RUNS=${RUNS:-3}
HEAP_NODES=${HEAP_NODES:-38000000}
BASELINE_AGENT=${BASELINE_AGENT:-}
[ -z "$BASELINE_AGENT" ] || [ -f "$BASELINE_AGENT" ] || { echo "no $BASELINE_AGENT" >&2; exit 1; }

echo "starting the demo server with $HEAP_NODES heap nodes on $(basename "$CD_JAVA_HOME") ..."
bench_start_server server "$CD_JAVA_HOME" "$WORK/home" -Xms3g -Xmx3g \
  -Xlog:safepoint:file="$WORK/safepoint.log" -- --plant "heap=$HEAP_NODES"
SERVER=$SERVER_PID
bench_await_ready server "$SERVER" 3600
"$JCMD" "$SERVER" GC.run >/dev/null
used_kib=$("$JCMD" "$SERVER" GC.heap_info | sed -n 's/.*total.*, used \([0-9]*\)K.*/\1/p' | head -n 1)
echo "heap in use: $((used_kib / 1024)) MiB; CPUs: $(nproc); runs: $RUNS of each, alternating; load: $(cut -d' ' -f1-3 /proc/loadavg)"
VM_THREAD=$(grep -lx 'VM Thread' /proc/"$SERVER"/task/*/comm | head -n 1 | cut -d/ -f5)

now_ms() { date +%s%3N; }

# The duration (ms) of the last safepoint named op in the log.
last_pause_ms() { # operation
  grep "Safepoint \"$1\"" "$WORK/safepoint.log" | tail -n 1 |
    sed -n 's/.*Total: \([0-9]*\) ns.*/\1/p' | awk '{ printf "%d", $1 / 1000000 }'
}

# CPU time (ms) the VM thread has used so far.
vm_cpu_ms() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' \
    "/proc/$SERVER/task/$VM_THREAD/stat"
}

# Prints "wall-ms pause-ms bytes vm-cpu-ms" of one jcmd dump.
run_jcmd() {
  rm -f "$WORK/jcmd.hprof.gz"
  local t0 c0; t0=$(now_ms); c0=$(vm_cpu_ms)
  "$JCMD" "$SERVER" GC.heap_dump -all -gz=1 "$WORK/jcmd.hprof.gz" >"$WORK/jcmd.out"
  echo "$(($(now_ms) - t0)) $(last_pause_ms HeapDumper) $(stat -c %s "$WORK/jcmd.hprof.gz") $(($(vm_cpu_ms) - c0))"
  rm -f "$WORK/jcmd.hprof.gz"
}

# Prints "wall-ms pause-ms bytes vm-cpu-ms" of one carbondump dump.
run_carbondump() { # kind engine [agent]
  rm -rf "$WORK/out-$1"
  local t0 c0; t0=$(now_ms); c0=$(vm_cpu_ms)
  "$CARBONDUMP" ${3:+--agent "$3"} --pid "$SERVER" --only heapdump --heap-engine "$2" --timeout 7200 \
    -o "$WORK/out-$1" -q >"$WORK/$1.stdout"
  local ms=$(($(now_ms) - t0)) cpu=$(($(vm_cpu_ms) - c0))
  local zip; zip=$(tail -n 1 "$WORK/$1.stdout")
  local op=HeapDumper
  [ "$2" = jvmti ] && op=HeapWalkOperation
  echo "$ms $(last_pause_ms $op) $(unzip -l "$zip" | awk '/hprof.gz$/ { print $1 }') $cpu"
}

peak_kib() {
  sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$SERVER/status"
}
rss_kib() {
  sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$SERVER/status"
}

# A jvmti run of an agent (the default one, or BASELINE_AGENT), with its growth
# of the JVM's peak resident memory (KiB) appended.
run_jvmti() { # kind [agent]
  echo 5 >"/proc/$SERVER/clear_refs" # resets the peak resident size
  local before; before=$(rss_kib)
  local result; result=$(run_carbondump "$1" jvmti "${2:-}")
  echo "$result $(($(peak_kib) - before))"
}

declare -a JCMD_RUNS VM_RUNS JVMTI_RUNS BASE_RUNS
kinds=(jcmd vm jvmti)
[ -n "$BASELINE_AGENT" ] && kinds+=(base)
for ((r = 0; r < RUNS; r++)); do
  line="run $((r + 1)):"
  for ((k = 0; k < ${#kinds[@]}; k++)); do
    kind=${kinds[$(((k + r) % ${#kinds[@]}))]}
    case $kind in
    jcmd) JCMD_RUNS+=("$(run_jcmd)"); result=${JCMD_RUNS[-1]} ;;
    vm) VM_RUNS+=("$(run_carbondump vm vm)"); result=${VM_RUNS[-1]} ;;
    jvmti) JVMTI_RUNS+=("$(run_jvmti jvmti)"); result=${JVMTI_RUNS[-1]} ;;
    base) BASE_RUNS+=("$(run_jvmti base "$BASELINE_AGENT")"); result=${BASE_RUNS[-1]} ;;
    esac
    line="$line $kind $(echo "$result" | awk '{ printf "%.1f s (pause %.1f s, cpu %.1f s)", $1 / 1000, $2 / 1000, $4 / 1000 }')"
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

# One line of medians for a kind: wall, pause, VM thread CPU, size, ratio to jcmd.
report() { # label target runs...
  local label=$1 target=$2; shift 2
  local ms; ms=$(median 1 "$@")
  printf '%-34s %6.1f s, JVM pause %5.1f s, VM thread CPU %5.1f s, %4d MiB' "$label" \
    "$(echo "$ms / 1000" | bc -l)" "$(echo "$(median 2 "$@") / 1000" | bc -l)" \
    "$(echo "$(median 4 "$@") / 1000" | bc -l)" "$(($(median 3 "$@" | cut -d. -f1) / 1048576))"
  [ -n "$target" ] && printf ', ratio %.2f (target <= %s)' "$(echo "$ms / $jcmd_ms" | bc -l)" "$target"
  echo
}

# Peak native memory per object, from the first jvmti run: it is the first in
# the JVM to tag every object, and the allocator keeps what its tags used for
# the runs after it, whose peaks then hardly grow (so the baseline's is not
# measured alongside).
per_object() { # run
  local growth_kib; growth_kib=$(echo "$1" | awk '{ print $5 }')
  printf 'jvmti engine peak native memory: %d MiB for %d objects = %.0f bytes per object\n' \
    "$((growth_kib / 1024))" "$objects" "$(echo "$growth_kib * 1024 / $objects" | bc -l)"
}

echo
report "median jcmd GC.heap_dump -gz=1:" "" "${JCMD_RUNS[@]}"
report "median carbondump (vm engine):" 1.10 "${VM_RUNS[@]}"
report "median carbondump (jvmti engine):" 2.0 "${JVMTI_RUNS[@]}"
[ -n "$BASELINE_AGENT" ] && report "median baseline (jvmti engine):" 2.0 "${BASE_RUNS[@]}"
per_object "${JVMTI_RUNS[0]}"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

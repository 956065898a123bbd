#!/usr/bin/env bash
# Does a full bundle take about as long as the slower of its two sides? The
# host-side sections run on threads of their own while the agent works in the
# JVM, so the whole run should cost about max(JVM side, host side), not their
# sum.
#
# Against the demo server (a --style 4.x --scale full home of ~5,900 files and
# ~480 MB, 1,000 extra threads, HEAP_NODES objects in the heap), the script
# times three kinds of run, alternating, RUNS times each:
#   jvm   --only jvm,threads,histogram,heap-summary,finalizer,classloaders,gc,flags,heapdump
#   host  --only maps,os,process,carbon,files,checksums,listing
#   full  every section
# and prints the medians, full / max(jvm, host) (target: about 1) and
# full / (jvm + host).
#
# Environment: CD_BUILD (default ./build), CD_JAVA_HOME (default the first JDK
# scripts/find-jdks.sh finds), RUNS (5), HEAP_NODES (2000000), KEEP_WORK=1.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init overlap
bench_require_build
CD_JAVA_HOME=$(bench_jdk)
RUNS=${RUNS:-5}
HEAP_NODES=${HEAP_NODES:-2000000}

bench_start_server server "$CD_JAVA_HOME" "$WORK/home" -Xms1g -Xmx1g -- \
  --style 4.x --scale full --plant "threads=1000,heap=$HEAP_NODES"
SERVER=$SERVER_PID
bench_await_ready server "$SERVER"
find "$WORK/home" -type f -exec cat {} + >/dev/null # warm the page cache

declare -A only=(
  [jvm]=jvm,threads,histogram,heap-summary,finalizer,classloaders,gc,flags,heapdump
  [host]=maps,os,process,carbon,files,checksums,listing
  [full]=
)
run() { # kind: appends its wall ms to $WORK/<kind>
  local kind=$1 t0 t1 rc=0
  rm -rf "$WORK/out"
  t0=$(date +%s%N)
  "$CARBONDUMP" --pid "$SERVER" ${only[$kind]:+--only "${only[$kind]}"} -o "$WORK/out" -q \
    >/dev/null 2>"$WORK/$kind.err" || rc=$?
  t1=$(date +%s%N)
  [ "$rc" = 0 ] || { echo "$kind run exited $rc: $(tail -n 3 "$WORK/$kind.err")" >&2; exit 1; }
  echo $(((t1 - t0) / 1000000)) >>"$WORK/$kind"
}
median() { bench_median <"$1"; }

for kind in jvm host full; do run "$kind"; : >"$WORK/$kind"; done # unmeasured
for r in $(seq 1 "$RUNS"); do
  case $((r % 3)) in
  0) order="jvm host full" ;; 1) order="host full jvm" ;; *) order="full jvm host" ;;
  esac
  for kind in $order; do run "$kind"; done
done

jvm=$(median "$WORK/jvm"); host=$(median "$WORK/host"); full=$(median "$WORK/full")
echo "JDK: $CD_JAVA_HOME; CPUs: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg); runs: $RUNS each, alternating"
for kind in jvm host full; do
  printf '%-5s wall median %7s ms   (runs: %s)\n' "$kind" "$(median "$WORK/$kind")" "$(tr '\n' ' ' <"$WORK/$kind")"
done
awk -v f="$full" -v j="$jvm" -v h="$host" 'BEGIN {
  m = j > h ? j : h
  printf "full / max(jvm, host) = %.2f (target: about 1); full / (jvm + host) = %.2f\n", f / m, f / (j + h)
}'

#!/usr/bin/env bash
# The whole bundle: carbondump against WSO2's original carbondump.sh (its
# re-creation in bench/carbondump_sh/, run with the JDK's own jmap, jstack and
# jcmd), on the same demo server: THREADS extra parked threads, HEAP_NODES
# objects in the heap, a --style 4.x --scale full CARBON_HOME of HOME_MB MB.
#
# Two comparisons, each side run RUNS times, alternating (carbondump first in
# odd rounds, the original first in even ones):
#   (a) without heap dump: `carbondump --no-heap-dump` against the original
#       without its `jmap -dump` step (-noHeapDump); target ratio <= 0.25
#   (b) with heap dump: `carbondump` against the whole original; target
#       ratio <= 0.20
# after one unmeasured run of each side of (a) (first attach, first agent
# load, page cache). Each run is timed from start to exit (wall), and while it
# runs bench/disk_sampler.py adds up, every SAMPLE_MS, the disk blocks under
# everything that side writes: for carbondump its output directory (staging
# and ZIP) and its staging directory in the JVM's /tmp (where the VM writes
# the heap dump), for the original its CARBON_DUMP_HOME (staging and ZIP). The
# sampler also reads the first bytes of every file it sees: a file starting
# with "JAVA PROFILE" is an uncompressed heap dump. carbondump must never have
# one on disk; the script fails if a sample saw one. Both sides write to the
# same file system (the script checks: the work directory's and /tmp's).
#
# Printed: per side the median wall time, the median peak disk use, the
# bundle's size and the largest uncompressed heap dump seen; the ratios of the
# wall medians against the targets; the load average. The original's commands
# that this host lacks (rpm on Debian, lsmod without kmod) are listed: those
# steps then cost it nothing, as on such a host.
#
#   bench/full_bundle.sh
# Environment: RUNS (5), THREADS (500), HOME_MB (500), HEAP_NODES (10000000,
# about 360 MB of heap), XMX (2g), SAMPLE_MS (20), CD_BUILD (default ./build),
# CD_JAVA_HOME (default the newest JDK scripts/find-jdks.sh finds), KEEP_WORK=1
# to keep the work directory.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_init full-bundle
bench_require_build
CD_JAVA_HOME=$(bench_jdk)
RUNS=${RUNS:-5}
THREADS=${THREADS:-500}
HOME_MB=${HOME_MB:-500}
HEAP_NODES=${HEAP_NODES:-10000000}
XMX=${XMX:-2g}
SAMPLE_MS=${SAMPLE_MS:-20}
ORIGINAL="$SOURCE/bench/carbondump_sh/carbondump.sh"
SAMPLER="$SOURCE/bench/disk_sampler.py"

for tool in jmap jstack jcmd java; do
  [ -x "$CD_JAVA_HOME/bin/$tool" ] || { echo "no $tool in $CD_JAVA_HOME" >&2; exit 1; }
done
if [ "$(stat -c %d "$WORK")" != "$(stat -c %d /tmp)" ]; then
  echo "$WORK and /tmp are on different file systems: set TMPDIR to a directory on /tmp's" >&2
  exit 1
fi
missing=()
for tool in lsmod netstat ifconfig dpkg rpm w modinfo mawk top md5sum zip; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done

echo "starting the demo server on $(basename "$CD_JAVA_HOME"): $THREADS threads, $HEAP_NODES heap nodes," \
  "a $HOME_MB MB home ..."
bench_start_server server "$CD_JAVA_HOME" "$WORK/home" "-Xms$XMX" "-Xmx$XMX" -- \
  --style 4.x --scale full --home-mb "$HOME_MB" --plant "threads=$THREADS,heap=$HEAP_NODES"
SERVER=$SERVER_PID
bench_await_ready server "$SERVER"
"$CD_JAVA_HOME/bin/jcmd" "$SERVER" GC.run >/dev/null # both sides then dump the same heap
find "$WORK/home" -type f -exec cat {} + >/dev/null   # warm the page cache
home_bytes=$(find "$WORK/home" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')
used_kib=$("$CD_JAVA_HOME/bin/jcmd" "$SERVER" GC.heap_info | sed -n 's/.*total.*, used \([0-9]*\)K.*/\1/p' | head -n 1)
echo "target: pid $SERVER, $(ls "/proc/$SERVER/task" | wc -l) threads, heap in use $((used_kib / 1024)) MiB;" \
  "home: $(find "$WORK/home" -type f | wc -l) files, $((home_bytes / 1000000)) MB"
echo "CPUs: $(nproc); runs: $RUNS of each, alternating; disk sampled every $SAMPLE_MS ms"
[ ${#missing[@]} -eq 0 ] || echo "not on this host (the original's steps with them write empty files): ${missing[*]}"

# Starts the sampler over the given paths (glob patterns); sets SAMPLER_PID.
start_sampler() { # result pattern...
  python3 "$SAMPLER" "$SAMPLE_MS" "$@" &
  SAMPLER_PID=$!
  bench_track "$SAMPLER_PID"
}

stop_sampler() {
  kill -TERM "$SAMPLER_PID"
  wait "$SAMPLER_PID" || true
  bench_untrack "$SAMPLER_PID"
}

# carbondump, with heap dump (heap) or without (bare); its ZIP in $WORK/ours.zip.
ours() { # bare|heap
  local out="$WORK/out-ours" rc=0 options=()
  [ "$1" = bare ] && options=(--no-heap-dump)
  rm -rf "$out" && mkdir "$out"
  "$CARBONDUMP" --pid "$SERVER" --carbon-home "$WORK/home" -o "$out" -q "${options[@]}" \
    >"$WORK/ours.stdout" 2>"$WORK/ours.stderr" || rc=$?
  # 3: some section failed or was skipped (a host without /proc/modules, ...):
  # still a whole bundle, its manifest says why.
  if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
    cat "$WORK/ours.stderr" >&2
    echo "carbondump exited $rc" >&2
    exit 1
  fi
  mv "$(tail -n 1 "$WORK/ours.stdout")" "$WORK/ours.zip"
}

# The original, with its heap dump step (heap) or without (bare); its ZIP in
# $WORK/original.zip.
original() { # bare|heap
  local out="$WORK/out-original" options=()
  [ "$1" = bare ] && options=(-noHeapDump)
  rm -rf "$out" && mkdir "$out"
  CARBON_DUMP_HOME="$out" JAVA_HOME="$CD_JAVA_HOME" "$ORIGINAL" -carbonHome "$WORK/home" \
    -pid "$SERVER" "${options[@]}" >"$WORK/original.stdout" 2>"$WORK/original.stderr"
  local zip
  zip=$(sed -n 's/^carbondump: //p' "$WORK/original.stdout")
  [ -f "$zip" ] || { tail -n 20 "$WORK/original.stderr" >&2; echo "the original wrote no ZIP" >&2; exit 1; }
  mv "$zip" "$WORK/original.zip"
}

# The paths each side writes to, as glob patterns for the sampler.
writes_of() { # ours|original
  if [ "$1" = ours ]; then
    echo "$WORK/out-ours" "/proc/$SERVER/root/tmp/carbondump-$SERVER.*"
  else
    echo "$WORK/out-original"
  fi
}

# Runs one side once; appends to $WORK/<side>-<kind>.runs the line
#   wall_ms peak_disk_bytes samples uncompressed_heap_bytes zip_bytes path
measure() { # ours|original bare|heap
  local side=$1 kind=$2 t0 t1 patterns
  read -r -a patterns <<<"$(writes_of "$side")"
  start_sampler "$WORK/disk.result" "${patterns[@]}"
  t0=$(date +%s%N)
  "$side" "$kind"
  t1=$(date +%s%N)
  stop_sampler
  local peak samples heap path
  read -r peak samples heap path <"$WORK/disk.result"
  check_bundle "$side" "$kind"
  echo "$(((t1 - t0) / 1000000)) $peak $samples $heap $(stat -c %s "$WORK/$side.zip") $path" \
    >>"$WORK/$side-$kind.runs"
  rm -f "$WORK/$side.zip"
}

# A run counts only if its ZIP holds a heap dump exactly when one was asked for.
check_bundle() { # ours|original bare|heap
  local names
  names=$(unzip -Z1 "$WORK/$1.zip")
  if grep -q 'memoryinfo/java_heap_memory_dump\.' <<<"$names"; then
    [ "$2" = heap ] || { echo "$1 $2: the ZIP holds a heap dump" >&2; exit 1; }
  else
    [ "$2" = bare ] || { echo "$1 $2: the ZIP holds no heap dump" >&2; exit 1; }
  fi
}

field() { # column files...
  local c=$1; shift
  awk -v c="$c" '{ print $c }' "$@"
}

measure ours bare; measure original bare # unmeasured first runs
rm -f "$WORK"/*.runs
for r in $(seq 1 "$RUNS"); do
  for kind in bare heap; do
    if [ $((r % 2)) = 1 ]; then
      measure ours "$kind"; measure original "$kind"
    else
      measure original "$kind"; measure ours "$kind"
    fi
  done
  echo "round $r:" "$(for f in ours-bare original-bare ours-heap original-heap; do
    printf '%s %d ms, ' "$f" "$(tail -n 1 "$WORK/$f.runs" | cut -d' ' -f1)"; done)" >&2
done

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
heap_seen() { # file
  awk '$4 > h { h = $4; p = $6 } END { if (h > 0) printf "yes, up to %.1f MB (%s)", h / 1e6, p; else print "never" }' "$1"
}
row() { # label file
  printf '%-34s %9.0f ms %12s %12s   %s\n' "$1" "$(field 1 "$2" | bench_median)" \
    "$(mb "$(field 2 "$2" | bench_median)")" "$(mb "$(field 5 "$2" | bench_median)")" \
    "$(heap_seen "$2" | sed "s|$WORK/||")"
}
ratio() { # ours-file original-file target
  awk -v a="$(field 1 "$1" | bench_median)" -v b="$(field 1 "$2" | bench_median)" -v t="$3" \
    'BEGIN { printf "%-34s %12.3f (target <= %s%s)\n", "ratio of the wall medians", a / b, t, a / b <= t ? "" : ", NOT MET" }'
}

echo
echo "JDK: $CD_JAVA_HOME; load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %12s %12s %12s   %s\n' "" "wall median" "peak disk" "bundle" "uncompressed heap dump on disk"
echo "(a) without heap dump"
row "  carbondump --no-heap-dump" "$WORK/ours-bare.runs"
row "  carbondump.sh -noHeapDump" "$WORK/original-bare.runs"
ratio "$WORK/ours-bare.runs" "$WORK/original-bare.runs" 0.25
echo "(b) with heap dump"
row "  carbondump" "$WORK/ours-heap.runs"
row "  carbondump.sh" "$WORK/original-heap.runs"
ratio "$WORK/ours-heap.runs" "$WORK/original-heap.runs" 0.20
echo "all runs (wall ms, peak disk bytes, samples, uncompressed heap bytes, ZIP bytes): $WORK/*.runs"
printf 'disk samples per run (median): carbondump %.0f, original %.0f\n' \
  "$(field 3 "$WORK"/ours-*.runs | bench_median)" "$(field 3 "$WORK"/original-*.runs | bench_median)"

if awk '$4 > 0 { found = 1 } END { exit !found }' "$WORK"/ours-*.runs; then
  echo "FAILED: carbondump had an uncompressed heap dump on disk" >&2
  exit 1
fi

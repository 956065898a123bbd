#!/usr/bin/env bash
# Soak: many attach-and-dump cycles against one busy JVM, watching the target
# and the collector for anything that accumulates.
#
#   bench/soak.sh [CYCLES=500] [JAVA_HOME]   (default: every JDK scripts/find-jdks.sh lists)
#
# Two identical demo servers run side by side, each with --plant churn (~1,000
# short-lived threads a second, each allocating 64 KB of garbage),
# -XX:NativeMemoryTracking=summary and a fixed, pre-touched heap (-Xms = -Xmx,
# -XX:+AlwaysPreTouch, so neither NMT's total nor the resident set moves with
# heap sizing). Both get WARMUP cycles (agent loaded, attach listener started,
# JIT settled) and a baseline; then only the "soak" target gets CYCLES cycles,
# while the "control" target idles. Both are sampled at the same moments, every
# SAMPLE_EVERY cycles, so what the churn, the JIT and glibc's arenas add on
# their own, and whatever else the shared machine does meanwhile, shows in the
# control too: the cycles' share is the difference.
#
# One cycle is `carbondump --only threads,histogram,heap-summary`; its bundle
# is checked (exit status 0, `unzip -t`, all three sections "ok" in
# manifest.json) and removed. A sample is:
#
#   NMT       committed KB of the total and of the Internal, Other, Thread and
#             Symbol categories (jcmd VM.native_memory summary)
#   RSS anon  RssAnon KB from /proc/PID/status: the private memory, which
#             covers the agent's own malloc (NMT does not see it) and leaves
#             out file pages (libjvm.so, the modules image) paged in on first use
#   RSS       VmRSS KB
#   fds       entries in /proc/PID/fd
#   thr       threads whose name is not cd-churn-<n> (/proc/PID/task/*/comm)
#
# At the end: growth from the baseline for both targets, the RSS slope (least
# squares, KB per 100 cycles; for RSS anon also over the second half of the
# cycles alone, where a plateau shows as ~0 and a leak does not), the NMT categories of the soak target that grew
# by 64 KB or more (jcmd VM.native_memory summary.diff against the baseline),
# failures and the median cycle time. NMT's Thread category counts the churn
# threads alive at that moment, so it moves by a few hundred KB either way.
#
# Then the collector: one cycle under valgrind (--track-fds=yes
# --leak-check=full): descriptors it opened and left open at exit, bytes
# definitely and indirectly lost, and whether the process exited on its own (a
# leaked thread would keep it from exiting; it is given TIMEOUT_S).
#
# Environment: CD_BUILD (default ./build), WARMUP (20), SAMPLE_EVERY (50),
# SECTIONS (threads,histogram,heap-summary; another list narrows down a growth),
# HEAP (256m), HEAP_ENGINE (vm; jvmti makes the histogram the agent's own JVMTI
# walk), NMT (summary; detail keeps call sites for
# `jcmd PID VM.native_memory detail.diff`, saved as nmt-detail.diff),
# TOOL (carbondump; jcmd makes a cycle the JDK's own `jcmd Thread.print`,
# `GC.class_histogram` and `GC.heap_info`, the comparison for what attaching
# itself leaves behind in the target),
# VALGRIND (1; 0 skips the collector check), KEEP_WORK=1 keeps the work
# directory. Run one soak at a time on a shared machine.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
bench_init soak
bench_require_build
CYCLES=${1:-500}
WARMUP=${WARMUP:-20}
SAMPLE_EVERY=${SAMPLE_EVERY:-50}
HEAP=${HEAP:-256m}
HEAP_ENGINE=${HEAP_ENGINE:-vm}
NMT=${NMT:-summary}
TOOL=${TOOL:-carbondump}
VALGRIND=${VALGRIND:-1}
TIMEOUT_S=${TIMEOUT_S:-120}
SECTIONS=${SECTIONS:-threads,histogram,heap-summary}
declare -A PIDS=()

if ! [[ "$CYCLES" =~ ^[0-9]+$ ]] || [ "$CYCLES" -lt 1 ]; then
  echo "CYCLES must be a positive number" >&2; exit 1
fi
[ "$TOOL" = carbondump ] || [ "$TOOL" = jcmd ] || { echo "TOOL must be carbondump or jcmd" >&2; exit 1; }

if [ $# -ge 2 ]; then
  JDKS=("$2")
else
  mapfile -t JDKS < <("$SOURCE/scripts/find-jdks.sh" | cut -d' ' -f2)
fi
[ ${#JDKS[@]} -ge 1 ] || { echo "no JDK found" >&2; exit 1; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---------------------------------------------------------------- targets

start_target() { # name java_home
  local name=$1 java_home=$2 home="$WORK/$1"
  rm -rf "$home" "$home.harness.json"
  bench_start_server "$name" "$java_home" "$home" "-Xms$HEAP" "-Xmx$HEAP" -XX:+AlwaysPreTouch \
    "-XX:NativeMemoryTracking=$NMT" -- --plant churn
  PIDS[$name]=$SERVER_PID
}

await_ready() { # name
  bench_await_ready "$1" "${PIDS[$1]}" 120
}

stop_target() { # name
  bench_stop "${PIDS[$1]}"
  unset "PIDS[$1]"
}

# Threads other than the churn plant's short-lived cd-churn-<n> (comm is cut to
# 15 characters, which keeps the prefix). Tasks that end while being read are
# simply not counted.
non_churn_threads() { # pid
  local n=0 comm
  for f in /proc/"$1"/task/*/comm; do
    comm=$(cat "$f" 2>/dev/null) || continue
    [[ "$comm" =~ ^cd-churn-[0-9] ]] || n=$((n + 1))
  done
  echo "$n"
}

# Appends to $WORK/NAME.samples one line:
#   cycle seconds nmt_total internal other thread symbol rss_anon rss fds threads
sample() { # name java_home cycle seconds
  local pid=${PIDS[$1]} nmt="$WORK/$1.nmt"
  "$2/bin/jcmd" "$pid" VM.native_memory summary scale=KB >"$nmt" 2>&1 ||
    { cat "$nmt" >&2; echo "jcmd VM.native_memory failed on the $1 target" >&2; exit 1; }
  category() { sed -n "s/^- *$1 (reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/\1/p" "$nmt" | head -n 1; }
  status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
  echo "$3 $4 $(sed -n 's/^Total: .*committed=\([0-9]*\)KB.*/\1/p' "$nmt")" \
    "$(category Internal) $(category Other) $(category Thread) $(category Symbol)" \
    "$(status RssAnon) $(status VmRSS)" \
    "$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l) $(non_churn_threads "$pid")" \
    >>"$WORK/$1.samples"
}

# ---------------------------------------------------------------- cycles

# One attach-and-dump cycle against target NAME; appends its wall time (ms) to
# $WORK/times when measured, and returns non-zero if anything about it is wrong.
cycle() { # name measured(0|1)
  local out="$WORK/bundles" t0 t1 rc=0 zip ok=1
  mkdir -p "$out"
  t0=$(now_ms)
  if [ "$TOOL" = jcmd ]; then
    local command
    for command in Thread.print GC.class_histogram GC.heap_info; do
      timeout "$TIMEOUT_S" "$JAVA_HOME_UNDER_TEST/bin/jcmd" "${PIDS[$1]}" "$command" \
        >"$WORK/cycle.out" 2>&1 </dev/null || rc=$?
    done
    t1=$(now_ms)
    [ "$2" = 1 ] && echo $((t1 - t0)) >>"$WORK/times"
    [ "$rc" = 0 ] || echo "jcmd exited $rc: $(tail -n 3 "$WORK/cycle.out" | tr '\n' ' ')" >&2
    return "$rc"
  fi
  timeout "$TIMEOUT_S" "$CARBONDUMP" --pid "${PIDS[$1]}" --only "$SECTIONS" \
    --heap-engine "$HEAP_ENGINE" -o "$out" -q >"$WORK/cycle.out" 2>"$WORK/cycle.err" </dev/null || rc=$?
  t1=$(now_ms)
  [ "$2" = 1 ] && echo $((t1 - t0)) >>"$WORK/times"
  zip=$(tail -n 1 "$WORK/cycle.out" 2>/dev/null || true)
  if [ "$rc" != 0 ]; then
    echo "cycle exited $rc: $(tail -n 3 "$WORK/cycle.err" | tr '\n' ' ')" >&2; ok=0
  elif [ -z "$zip" ] || ! unzip -tqq "$zip" >/dev/null 2>&1; then
    echo "cycle wrote no valid ZIP ($zip)" >&2; ok=0
  elif ! unzip -p "$zip" '*/manifest.json' | python3 -c '
import json, sys
sections = json.load(sys.stdin)["sections"]
sys.exit(any(sections.get(n, {}).get("status") != "ok" for n in sys.argv[1].split(",")))' "$SECTIONS"
  then
    echo "cycle: a section is not ok in $zip" >&2; ok=0
  fi
  rm -rf "${out:?}"/*
  [ $ok = 1 ]
}

# ---------------------------------------------------------------- collector

# One cycle under valgrind against target NAME: descriptors the collector
# opened and left open at exit (valgrind lists inherited ones too: those are
# left out), bytes definitely and indirectly lost, and whether it exited.
collector_check() { # name
  if [ "$VALGRIND" != 1 ] || ! command -v valgrind >/dev/null; then
    echo "collector: valgrind check skipped"; return
  fi
  local log="$WORK/valgrind.log" rc=0
  mkdir -p "$WORK/bundles"
  timeout "$TIMEOUT_S" valgrind --track-fds=yes --leak-check=full --log-file="$log" \
    "$CARBONDUMP" --pid "${PIDS[$1]}" --only "$SECTIONS" --heap-engine "$HEAP_ENGINE" \
    -o "$WORK/bundles" -q >/dev/null 2>"$WORK/valgrind.err" </dev/null || rc=$?
  rm -rf "$WORK"/bundles/*
  awk '/Open .*descriptor [0-9]+/ { held = $0; next }
       held != "" { if ($0 !~ /inherited from parent/ && held !~ /descriptor [012]:/) print held; held = "" }' \
    "$log" >"$WORK/valgrind.fds"
  local fds definite indirect errors
  fds=$(wc -l <"$WORK/valgrind.fds")
  definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d , | head -n 1)
  indirect=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d , | head -n 1)
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
  printf 'collector under valgrind: exit %s%s, fds left open at exit %s, definitely lost %s B, indirectly lost %s B, errors %s\n' \
    "$rc" "$([ "$rc" = 124 ] && echo ' (TIMED OUT: did not exit)')" "$fds" "${definite:-0}" \
    "${indirect:-0}" "${errors:-?}"
  if [ "$fds" != 0 ]; then sed 's/^/  /' "$WORK/valgrind.fds"; fi
}

# ---------------------------------------------------------------- report

print_row() { # fields...
  printf '%-7s %6s %5s %9s %8s %6s %7s %7s %9s %9s %4s %4s %8s\n' "$@"
}

print_sample() { # name
  local fields
  read -r -a fields < <(tail -n 1 "$WORK/$1.samples")
  print_row "$1" "${fields[@]}" "${FAILURES:--}"
}

# Growth of NAME from its first sample to its last; RSS slopes by least squares.
print_growth() { # name
  local f="$WORK/$1.samples" b e anon_slope rss_slope
  read -r -a b <"$f"
  read -r -a e < <(tail -n 1 "$f")
  slope() { # column [from_cycle]: KB per 100 soak cycles
    awk -v c="$1" -v from="${2:-0}" '$1 >= from { x = $1; y = $c; n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
      END { d = n * sxx - sx * sx; printf "%.0f", d ? 100 * (n * sxy - sx * sy) / d : 0 }' "$f"
  }
  # the second half's slope tells a plateau (arenas and caches filled) from a leak
  anon_slope="$(slope 8), second half $(slope 8 $(($(tail -n 1 "$f" | cut -d' ' -f1) / 2)))"
  rss_slope=$(slope 9)
  printf '  %-8s NMT %6s KB (Internal %s, Other %s, Thread %s, Symbol %s); RSS anon %6s KB (%s KB/100 cycles); RSS %6s KB (%s KB/100 cycles); fds %+d; non-churn threads %+d\n' \
    "$1" "$((e[2] - b[2]))" "$((e[3] - b[3]))" "$((e[4] - b[4]))" "$((e[5] - b[5]))" "$((e[6] - b[6]))" \
    "$((e[7] - b[7]))" "$anon_slope" "$((e[8] - b[8]))" "$rss_slope" "$((e[9] - b[9]))" "$((e[10] - b[10]))"
}

# The soak target's NMT categories whose committed memory grew by >= 64 KB.
print_nmt_diff() { # java_home
  local diff="$WORK/nmt-summary.diff"
  "$1/bin/jcmd" "${PIDS[soak]}" VM.native_memory summary.diff scale=KB >"$diff" 2>&1 || return 0
  echo "  soak NMT categories grown by >= 64 KB since the baseline:"
  sed -n 's/^- *\([A-Za-z][A-Za-z ]*[a-z]\) (reserved=.*committed=[0-9]*KB \([+-][0-9]*\)KB).*/\1 \2/p' "$diff" |
    awk '{ d = $NF; $NF = ""; if (d + 0 >= 64) { printf "    %-28s %+d KB\n", $0, d; shown++ } }
         END { if (!shown) print "    (none)" }'
  if [ "$NMT" = detail ]; then
    "$1/bin/jcmd" "${PIDS[soak]}" VM.native_memory detail.diff scale=KB >"$WORK/nmt-detail.diff" 2>&1 || true
  fi
}

# ---------------------------------------------------------------- run

run_jdk() { # java_home
  local java_home=$1 i t0
  JAVA_HOME_UNDER_TEST=$java_home
  FAILURES=0
  : >"$WORK/times"; : >"$WORK/soak.samples"; : >"$WORK/control.samples"
  start_target soak "$java_home"
  start_target control "$java_home"
  await_ready soak
  await_ready control
  local what="carbondump --only $SECTIONS, heap engine $HEAP_ENGINE"
  [ "$TOOL" = jcmd ] && what="jcmd Thread.print, GC.class_histogram, GC.heap_info"
  echo "targets: soak pid ${PIDS[soak]} ($CYCLES cycles of $what), control pid ${PIDS[control]} (warm-up only)"
  for i in $(seq 1 "$WARMUP"); do
    cycle soak 0 || FAILURES=$((FAILURES + 1))
    cycle control 0 || FAILURES=$((FAILURES + 1))
  done
  "$java_home/bin/jcmd" "${PIDS[soak]}" VM.native_memory baseline >/dev/null
  t0=$(now_ms)
  print_row target cycle s "NMT KB" Internal Other Thread Symbol "RSS anon" "RSS KB" fds thr failures
  sample soak "$java_home" 0 0; print_sample soak
  sample control "$java_home" 0 0; print_sample control
  for i in $(seq 1 "$CYCLES"); do
    cycle soak 1 || FAILURES=$((FAILURES + 1))
    if [ $((i % SAMPLE_EVERY)) = 0 ] || [ "$i" = "$CYCLES" ]; then
      kill -0 "${PIDS[soak]}" 2>/dev/null || { echo "SOAK TARGET DIED after cycle $i" >&2; break; }
      sample soak "$java_home" "$i" $((($(now_ms) - t0) / 1000)); print_sample soak
      sample control "$java_home" "$i" $((($(now_ms) - t0) / 1000)); print_sample control
    fi
  done
  local alive=yes
  kill -0 "${PIDS[soak]}" 2>/dev/null || alive=NO
  echo "growth over $(tail -n 1 "$WORK/soak.samples" | cut -d' ' -f1) cycles after $WARMUP warm-up cycles (control: the same time, no cycles):"
  print_growth soak
  print_growth control
  print_nmt_diff "$java_home"
  echo "  soak target alive: $alive; failures: $FAILURES of $((2 * WARMUP + CYCLES)) cycles; median cycle time: $(bench_median <"$WORK/times") ms"
  [ "$TOOL" = carbondump ] && collector_check soak
  stop_target soak
  stop_target control
}

for jdk in "${JDKS[@]}"; do
  echo "=== $("$jdk/bin/java" -version 2>&1 | head -n 1) ($jdk), heap $HEAP fixed, --plant churn"
  run_jdk "$jdk"
  echo
done

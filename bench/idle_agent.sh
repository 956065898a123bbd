#!/usr/bin/env bash
# Idle cost of the start-up agent: the demo server's CPU-bound workload with and
# without -agentpath (control file polled every second, GC events on, deadlock
# check every 10 s); plus the CPU time the agent's own threads used while idle.
#
# Each round runs the two JVMs at the same time, each pinned to a CPU of its
# own (taskset), and swaps the CPUs from one round to the next: whatever else
# the machine does in those seconds touches both alike, and a faster core
# favours neither. The round's ratio is with/without; the script prints the
# median of the rounds' ratios, the median throughputs, and the agent threads'
# CPU time (from /proc schedstat, in nanoseconds).
#
#   bench/idle_agent.sh [ROUNDS=5] [SECONDS_PER_RUN=30]
# Targets: throughput ratio >= 0.99, idle agent CPU <= 0.1% of one core.
# Needs two CPUs (it says so and stops otherwise). Environment: CD_BUILD,
# CD_JAVA_HOME (default the oldest JDK scripts/find-jdks.sh finds), KEEP_WORK=1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rounds=${1:-5}; seconds=${2:-30}
bench_init idle
bench_require_build
java_home=$(bench_jdk oldest)

cpus=$(nproc)
[ "$cpus" -ge 2 ] || { echo "needs 2 CPUs, this machine has $cpus" >&2; exit 1; }

# Starts one JVM pinned to a CPU; prints its pid.
start() { # label cpu extra-java-options...
  local label=$1 cpu=$2; shift 2
  # shellcheck disable=SC2034 # read by bench_start_server
  local BENCH_LAUNCHER=(taskset -c "$cpu")
  bench_start_server "$label" "$java_home" "$WORK/home-$label" -Xmx512m "$@" -Dcd.bench=cd-bench-idle \
    -- --style 4.x --plant cpu
  echo "$SERVER_PID"
}

# CPU nanoseconds the agent's threads (comm "carbondump ...") have used so far.
agent_ns() { # pid
  local t ns=0
  for t in /proc/$1/task/*; do
    if grep -q '^carbondump' "$t/comm" 2>/dev/null; then
      ns=$((ns + $(cut -d' ' -f1 "$t/schedstat")))
    fi
  done
  echo "$ns"
}

# Stops it; prints its mean throughput (ops/ms) over the THROUGHPUT lines after
# the first (warm-up).
finish() { # label pid
  local label=$1 pid=$2
  bench_stop "$pid"
  local tput
  tput=$(awk '/^THROUGHPUT/ { split($2,a,"="); split($3,b,"="); n++; if (n > 1) { ops += a[2]; ms += b[2] } }
              END { if (ms > 0) printf "%.3f", ops / ms; else print "nan" }' "$WORK/$label.out")
  echo "$tput"
}

ctl="$WORK/carbondump.ctl"
agent="-agentpath:$CD_BUILD/lib/libcarbondump.so=output=$WORK/out,control=$ctl,poll=1000,deadlock-check=10"
: >"$WORK/without"; : >"$WORK/with"; : >"$WORK/ns"; : >"$WORK/ratios"
for r in $(seq 1 "$rounds"); do
  a=$((r % 2)); b=$((1 - a))
  p_without=$(start "without-$r" "$a")
  p_with=$(start "with-$r" "$b" "$agent")
  # the agent's idle CPU is counted from a third of the run on, after start-up
  settle=$((seconds / 3))
  sleep "$settle"
  ns_before=$(agent_ns "$p_with")
  sleep $((seconds - settle))
  ns=$(( $(agent_ns "$p_with") - ns_before ))
  t_without=$(finish "without-$r" "$p_without")
  t_with=$(finish "with-$r" "$p_with")
  echo "$t_without" >>"$WORK/without"; echo "$t_with" >>"$WORK/with"; echo "$ns" >>"$WORK/ns"
  awk -v a="$t_with" -v b="$t_without" 'BEGIN { printf "%.4f\n", a / b }' >>"$WORK/ratios"
  echo "round $r: without (CPU $a) $t_without ops/ms, with agent (CPU $b) $t_with ops/ms," \
    "ratio $(tail -n1 "$WORK/ratios"), agent threads ${ns} ns while idle" >&2
done
without=$(bench_median <"$WORK/without"); with=$(bench_median <"$WORK/with")
ratio=$(bench_median <"$WORK/ratios"); ns=$(bench_median <"$WORK/ns")
echo "JDK: $java_home, $rounds rounds of $seconds s, the two JVMs side by side on CPUs 0 and 1"
echo "median throughput without agent: $without ops/ms"
echo "median throughput with agent:    $with ops/ms"
echo "throughput ratio (median of the rounds' with/without): $ratio (target >= 0.99)"
idle=$((seconds - seconds / 3))
awk -v n="$ns" -v s="$idle" \
  'BEGIN { printf "agent threads CPU while idle: %.6f s in %d s = %.5f%% of one core (target <= 0.1%%)\n", n / 1e9, s, 100 * n / 1e9 / s }'

#!/usr/bin/env bash
# Idle cost of the start-up agent: the demo server's CPU-bound workload with and
# without -agentpath (control file polled every second, GC events on, deadlock
# check every 10 s); plus the CPU time the agent's own threads used while idle.
#
# Each round runs the two JVMs at the same time, each pinned to a CPU of its
# own (taskset), and swaps the CPUs from one round to the next: whatever else
# the machine does in those seconds touches both alike, and a faster core
# favours neither. The round's ratio is with/without of the mean throughput
# over the THROUGHPUT windows after the first (the warm-up): work units per ms
# of wall time, the target's measure, and per ms of the worker thread's own
# CPU time. The second is blind to CPU time taken from the worker (by the
# agent's threads, which the last line measures on their own, by safepoints,
# and by everything else the host runs), so it stays steady on a busy machine
# where the first does not, and still shows any slowdown of the work itself.
#
# Each ratio is the median of the rounds' ratios with its 95% confidence
# interval, the distribution-free one from order statistics: with the n ratios
# sorted, [r(k), r(n+1-k)] for the largest k such that a Binomial(n, 1/2) falls
# below k with probability at most 2.5%. It assumes nothing about how the
# ratios spread, only that rounds are independent, and needs 6 rounds or more.
# The script prints the interval, its exact coverage and its half-width (the
# larger distance from the median, in % of it): a ratio resolves 1% when the
# half-width is under 1%. For ratios spread normally with standard deviation
# s, the half-width is about 2.5 s / sqrt(n): the 20 rounds by default resolve
# 1% while s stays under about 1.7%. On a 2-CPU machine shared at a load
# average of 17, six rounds had s = 1.3% for the per-CPU ratio (11 rounds
# would do) and 16% for the wall one (some 1,500 would): on a busy machine
# read the per-CPU line. Also printed: the median throughputs and the agent
# threads' CPU time while idle (from /proc schedstat, in nanoseconds).
#
#   bench/idle_agent.sh [ROUNDS=20] [SECONDS_PER_RUN=30]
# Targets: throughput ratio >= 0.99, idle agent CPU <= 0.1% of one core.
# Needs two CPUs (it says so and stops otherwise). Environment: CD_BUILD,
# CD_JAVA_HOME (default the oldest JDK scripts/find-jdks.sh finds), KEEP_WORK=1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rounds=${1:-20}; seconds=${2:-30}
bench_init idle
bench_require_build
java_home=$(bench_jdk oldest)

cpus=$(nproc)
[ "$cpus" -ge 2 ] || { echo "needs 2 CPUs, this machine has $cpus" >&2; exit 1; }
[ "$rounds" -ge 6 ] || echo "note: fewer than 6 rounds give no 95% interval for the median" >&2

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

# Stops it; prints its mean throughput over the THROUGHPUT lines after the
# first (warm-up): work units per ms of wall time, and per ms of the worker
# thread's CPU time ("nan" where the JVM could not measure it).
finish() { # label pid
  local label=$1 pid=$2
  bench_stop "$pid"
  awk '/^THROUGHPUT/ {
         for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
         if (++n > 1) { ops += v["ops"]; ms += v["ms"]; if (v["cpu_ms"] < 0) cpu = -1e18; else cpu += v["cpu_ms"] }
       }
       END {
         wall = (ms > 0) ? sprintf("%.3f", ops / ms) : "nan"
         per_cpu = (cpu > 0) ? sprintf("%.3f", ops / cpu) : "nan"
         print wall, per_cpu
       }' \
    "$WORK/$label.out"
}

# The median of the numbers in FILE and its 95% order-statistics interval:
# prints "median low high coverage" (low and high "-" below 6 numbers).
median_interval() { # file
  sort -g "$1" | awk '{ r[NR] = $1 }
    END {
      n = NR
      if (n == 0) { print "nan - - -"; exit }
      median = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
      # k: the largest with P(B <= k - 1) <= 2.5%, B ~ Binomial(n, 1/2)
      pmf = 0.5 ^ n; cdf = 0; k = 0
      for (i = 0; i < n; i++) {
        cdf += pmf
        if (cdf > 0.025) break
        k = i + 1; tail = cdf
        pmf = pmf * (n - i) / (i + 1)
      }
      if (k == 0) printf "%.4f - - -\n", median
      else printf "%.4f %.4f %.4f %.4f\n", median, r[k], r[n + 1 - k], 1 - 2 * tail
    }'
}

# One line of the report: the median ratio of column COLUMN of $WORK/ratios
# with its interval and whether it resolves 1%.
report_ratio() { # column label
  local median low high coverage
  awk -v c="$1" '$c != "nan" { print $c }' "$WORK/ratios" >"$WORK/ratios.$1"
  read -r median low high coverage < <(median_interval "$WORK/ratios.$1")
  if [ "$low" = - ]; then
    printf '%s: %s; 95%% interval: needs at least 6 rounds\n' "$2" "$median"
    return
  fi
  awk -v label="$2" -v m="$median" -v lo="$low" -v hi="$high" -v c="$coverage" 'BEGIN {
    half = (m - lo > hi - m ? m - lo : hi - m) / m * 100
    printf "%s: %.4f; 95%% interval [%.4f, %.4f] (coverage %.1f%%), half-width %.2f%%: %s\n",
      label, m, lo, hi, 100 * c, half, half < 1 ? "resolves 1%" : "does NOT resolve 1%, more rounds needed"
  }'
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
  read -r wall_without cpu_without < <(finish "without-$r" "$p_without")
  read -r wall_with cpu_with < <(finish "with-$r" "$p_with")
  echo "$wall_without $cpu_without" >>"$WORK/without"; echo "$wall_with $cpu_with" >>"$WORK/with"
  echo "$ns" >>"$WORK/ns"
  awk -v a="$wall_with" -v b="$wall_without" -v c="$cpu_with" -v d="$cpu_without" '
    function ratio(x, y) { return (x == "nan" || y == "nan") ? "nan" : sprintf("%.4f", x / y) }
    BEGIN { print ratio(a, b), ratio(c, d) }' >>"$WORK/ratios"
  echo "round $r: without (CPU $a) $wall_without ops/ms, with agent (CPU $b) $wall_with ops/ms," \
    "ratio $(tail -n1 "$WORK/ratios" | cut -d' ' -f1) (per worker CPU ms: $(tail -n1 "$WORK/ratios" | cut -d' ' -f2))," \
    "agent threads ${ns} ns while idle" >&2
done
echo "JDK: $java_home, $rounds rounds of $seconds s, the two JVMs side by side on CPUs 0 and 1;" \
  "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "median throughput without agent: $(cut -d' ' -f1 "$WORK/without" | bench_median) ops/ms" \
  "($(cut -d' ' -f2 "$WORK/without" | grep -v nan | bench_median) per worker CPU ms)"
echo "median throughput with agent:    $(cut -d' ' -f1 "$WORK/with" | bench_median) ops/ms" \
  "($(cut -d' ' -f2 "$WORK/with" | grep -v nan | bench_median) per worker CPU ms)"
report_ratio 1 "throughput ratio with/without (median of the rounds'; target >= 0.99)"
report_ratio 2 "the same per ms of the worker's CPU time (blind to CPU taken from it)"
idle=$((seconds - seconds / 3))
awk -v n="$(bench_median <"$WORK/ns")" -v s="$idle" \
  'BEGIN { printf "agent threads CPU while idle: %.6f s in %d s = %.5f%% of one core (target <= 0.1%%)\n", n / 1e9, s, 100 * n / 1e9 / s }'

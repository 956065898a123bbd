#!/usr/bin/env bash
# Idle cost of the start-up agent: the demo server's CPU-bound workload with and
# without -agentpath (control file polled every second, GC events on, deadlock
# check every 10 s), alternating runs on the same machine, medians and the
# throughput ratio; plus the CPU time the agent's own threads used while idle.
#
#   bench/idle_agent.sh [ROUNDS=3] [SECONDS_PER_RUN=30]
# Targets: throughput ratio >= 0.99, idle agent CPU <= 0.1% of one core.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; seconds=${2:-30}
build=${CD_BUILD:-build}
read -r _ java_home < <(scripts/find-jdks.sh | tail -n 1)
java_home=${CD_JAVA_HOME:-$java_home}
work=$(mktemp -d /tmp/cd-bench-idle.XXXXXX)
trap 'pkill -f "cd-bench-idle" 2>/dev/null; rm -rf "$work"' EXIT
cp="$build/harness/classes:/usr/share/java/h2.jar"

# Runs one JVM for $seconds; prints its mean throughput (ops/ms) over the
# THROUGHPUT lines after the first (warm-up), and for the agent run the CPU
# seconds of its threads (comm "carbondump watc").
run() { # label extra-java-options...
  local label=$1; shift
  local home="$work/home-$label"
  "$java_home/bin/java" -Xmx512m "$@" -cp "$cp" -Dcarbon.home="$home" -Dcd.bench=cd-bench-idle \
    org.carbondump.harness.DemoCarbonServer --home "$home" --style 4.x --plant cpu \
    >"$work/$label.out" 2>"$work/$label.err" &
  local pid=$!
  sleep "$seconds"
  local agent_ticks=0
  for t in /proc/$pid/task/*; do
    if grep -q '^carbondump' "$t/comm" 2>/dev/null; then
      # fields after "pid (comm) ": state is 1, utime 12, stime 13
      agent_ticks=$((agent_ticks + $(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')))
    fi
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local tput
  tput=$(awk '/^THROUGHPUT/ { split($2,a,"="); split($3,b,"="); n++; if (n > 1) { ops += a[2]; ms += b[2] } }
              END { if (ms > 0) printf "%.3f", ops / ms; else print "nan" }' "$work/$label.out")
  echo "$tput $agent_ticks"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ctl="$work/carbondump.ctl"
agent="-agentpath:$build/lib/libcarbondump.so=output=$work/out,control=$ctl,poll=1000,deadlock-check=10"
: >"$work/without"; : >"$work/with"; : >"$work/ticks"
for r in $(seq 1 "$rounds"); do
  read -r t _ < <(run "without-$r")
  echo "$t" >>"$work/without"
  read -r t ticks < <(run "with-$r" "$agent")
  echo "$t" >>"$work/with"; echo "$ticks" >>"$work/ticks"
  echo "round $r: without $(tail -n1 "$work/without") ops/ms, with agent $t ops/ms, agent threads $ticks ticks" >&2
done
hz=$(getconf CLK_TCK)
without=$(median <"$work/without"); with=$(median <"$work/with"); ticks=$(median <"$work/ticks")
echo "JDK: $java_home, $rounds rounds of $seconds s"
echo "median throughput without agent: $without ops/ms"
echo "median throughput with agent:    $with ops/ms"
awk -v a="$with" -v b="$without" 'BEGIN { printf "throughput ratio (with/without): %.4f (target >= 0.99)\n", a / b }'
awk -v t="$ticks" -v hz="$hz" -v s="$seconds" \
  'BEGIN { printf "agent threads CPU while idle: %.3f s in %d s = %.4f%% of one core (target <= 0.1%%)\n", t / hz, s, 100 * t / hz / s }'

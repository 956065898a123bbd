# Shared start of every script in bench/, sourced after `set -euo pipefail`:
#
#   source "$(dirname "$0")/lib.sh"
#   bench_init threads          # $WORK, and the clean-up when the script exits
#
# It sets SOURCE (the source tree), CD_BUILD (from the environment, default
# SOURCE/build), CARBONDUMP, H2_JAR (default /usr/share/java/h2.jar) and
# HARNESS_CP, and offers what the scripts have in common: the JDK to use,
# starting the demo server and waiting for it, stopping it, and medians.
#
# Every process handed to bench_track (each demo server started here is) is
# killed with SIGKILL when the script exits, however it exits, and its attach
# files are removed; the work directory goes too, unless KEEP_WORK=1.
# shellcheck shell=bash

SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CD_BUILD=${CD_BUILD:-$SOURCE/build}
CARBONDUMP="$CD_BUILD/bin/carbondump"
H2_JAR=${H2_JAR:-/usr/share/java/h2.jar}
HARNESS_CP="$CD_BUILD/harness/classes:$H2_JAR"
# A command and its arguments put in front of `java` by bench_start_server
# (idle_agent.sh: taskset); empty by default.
BENCH_LAUNCHER=()
WORK=

# Creates $WORK (cd-bench-NAME.XXXXXX under $TMPDIR or /tmp) and arms the
# clean-up.
bench_init() { # name
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/cd-bench-$1.XXXXXX")
  : >"$WORK/.tracked"
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local pid
  if [ -f "$WORK/.tracked" ]; then
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$WORK/.tracked"
    while read -r pid; do
      wait "$pid" 2>/dev/null || true
      # A JVM killed with SIGKILL leaves its attach socket behind, for a later
      # JVM with the same pid to trip over.
      [ -e "/proc/$pid" ] || rm -f "/tmp/.java_pid$pid" "/tmp/.attach_pid$pid"
    done <"$WORK/.tracked"
  fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}

# Kill PID when the script exits. A file rather than a variable, so that a
# process started inside $(...) is tracked too.
bench_track() { # pid
  echo "$1" >>"$WORK/.tracked"
}

# The process has been dealt with: the exit no longer kills it (its pid may by
# then belong to someone else).
bench_untrack() { # pid
  local rest
  rest=$(grep -vx "$1" "$WORK/.tracked" || true)
  printf '%s\n' "$rest" | sed '/^$/d' >"$WORK/.tracked"
}

# Stops with a message unless carbondump and the harness are built, and each
# further file given is executable.
bench_require_build() { # [executable...]
  local f
  for f in "$CARBONDUMP" "$@"; do
    [ -x "$f" ] || { echo "no $f: build first (bash scripts/build.sh)" >&2; exit 1; }
  done
  [ -d "$CD_BUILD/harness/classes" ] || { echo "no $CD_BUILD/harness/classes: build first" >&2; exit 1; }
}

# The JDK to run: CD_JAVA_HOME if set, else the newest (default) or the oldest
# JDK scripts/find-jdks.sh finds.
bench_jdk() { # [newest|oldest]
  if [ -n "${CD_JAVA_HOME:-}" ]; then
    echo "$CD_JAVA_HOME"
  elif [ "${1:-newest}" = oldest ]; then
    "$SOURCE/scripts/find-jdks.sh" | tail -n 1 | cut -d' ' -f2
  else
    "$SOURCE/scripts/find-jdks.sh" | head -n 1 | cut -d' ' -f2
  fi
}

# Starts the demo server in the background on the JDK JAVA_HOME, with the Java
# options before "--" and the server's options after it, as CARBON_HOME HOME
# (generated on first use); its stdout and stderr go to $WORK/NAME.out and
# $WORK/NAME.err. Sets SERVER_PID and tracks it.
bench_start_server() { # name java_home home [java options...] -- [server options...]
  local name=$1 java_home=$2 home=$3 java_options=()
  shift 3
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    java_options+=("$1")
    shift
  done
  [ $# -gt 0 ] && shift
  "${BENCH_LAUNCHER[@]}" "$java_home/bin/java" "${java_options[@]}" -cp "$HARNESS_CP" \
    -Dcarbon.home="$home" org.carbondump.harness.DemoCarbonServer --home "$home" "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
  SERVER_PID=$!
  bench_track "$SERVER_PID"
}

# Waits until server NAME (pid PID) prints READY; stops the script with its
# stderr if it dies first or takes longer than TIMEOUT seconds.
bench_await_ready() { # name pid [timeout_s=600]
  local name=$1 pid=$2 deadline=$((SECONDS + ${3:-600}))
  until grep -q '^READY ' "$WORK/$name.out" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$WORK/$name.err" >&2
      echo "the $name server died before it was READY" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "the $name server was not READY within ${3:-600} s" >&2
      exit 1
    fi
    sleep 0.1
  done
}

# Stops PID with SIGTERM (SIGKILL after 5 s) and waits for it.
bench_stop() { # pid
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  bench_untrack "$1"
}

# The median of the numbers on stdin, one a line ("-" when there are none):
# the middle one, or the mean of the two middle ones.
bench_median() {
  sort -g | awk '{ v[NR] = $1 }
    END {
      if (NR == 0) { print "-"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      # %.0f, not %d: mawk clamps %d to 32 bits
      if (m == int(m)) printf "%.0f\n", m; else printf "%.3f\n", m
    }'
}

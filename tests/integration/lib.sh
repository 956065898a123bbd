# Shared helpers for the integration tests, sourced by each test script.
#
# ctest runs every tests/integration/jdk_*.sh once per JDK found on the machine
# (scripts/find-jdks.sh) with CD_JAVA_HOME set, and every host_*.sh once.
# Environment: CD_BUILD (the build directory), CD_SOURCE (the source tree),
# CD_JAVA_HOME (the JDK under test, jdk_* scripts only).
#
# A test is a series of checks; the first failed check ends it with a message
# naming what was expected and what was seen. Every JVM a test starts is killed
# when the script exits, however it exits.

set -u
CD_BUILD=${CD_BUILD:?CD_BUILD must point at the build directory}
CD_SOURCE=${CD_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CARBONDUMP="$CD_BUILD/bin/carbondump"
H2_JAR=${H2_JAR:-/usr/share/java/h2.jar}
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cd-${TEST_NAME}.XXXXXX")
CHECKS=0
HARNESS_PIDS=()

cleanup() {
  for p in "${HARNESS_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${HARNESS_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL [$TEST_NAME${CD_JAVA_HOME:+ on $(basename "$CD_JAVA_HOME")}]: $*" >&2
  if [ -n "${LAST_STDERR:-}" ] && [ -f "$LAST_STDERR" ]; then
    echo "--- carbondump stderr:" >&2; tail -n 20 "$LAST_STDERR" >&2
  fi
  echo "0 passed, 1 failed"
  exit 1
}
pass() { CHECKS=$((CHECKS + 1)); }
finish() { echo "$CHECKS passed, 0 failed"; exit 0; }

expect_eq() { # expected actual what
  [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"; pass
}
expect_in() { # actual what allowed...
  local actual=$1 what=$2; shift 2
  for a in "$@"; do [ "$actual" = "$a" ] && { pass; return; }; done
  fail "$what: got '$actual', expected one of: $*"
}
expect_file_contains() { # file text what
  grep -qF -- "$2" "$1" 2>/dev/null || fail "$3: '$2' not found in $1"; pass
}
expect_no_partial_files() { # dir
  local left; left=$(find "$1" -name '*.partial' 2>/dev/null | head -n 1)
  [ -z "$left" ] || fail "a partial file was left behind: $left"; pass
}
expect_alive() { # pid
  kill -0 "$1" 2>/dev/null || fail "process $1 is no longer running"; pass
}

# Runs carbondump with the given arguments; sets RC, LAST_STDOUT, LAST_STDERR
# and BUNDLE (the last stdout line: the ZIP's path).
run_carbondump() {
  local n=$((CHECKS + RANDOM))
  LAST_STDOUT="$WORK/out.$n"; LAST_STDERR="$WORK/err.$n"
  "$CARBONDUMP" "$@" >"$LAST_STDOUT" 2>"$LAST_STDERR" </dev/null
  RC=$?
  BUNDLE=$(tail -n 1 "$LAST_STDOUT" 2>/dev/null)
}

# JSON query on a file: json_get FILE 'python expression on j'
json_get() {
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# Extracts the bundle's manifest.json to a file and prints the file's path.
bundle_manifest() { # zip
  local out="$WORK/manifest.$RANDOM.json"
  unzip -p "$1" '*/manifest.json' >"$out" || fail "no manifest.json in $1"
  echo "$out"
}

# Starts the demo Carbon server; sets HARNESS_PID and HARNESS_HOME.
# harness_start NAME [java options --] [server options]
harness_start() {
  local name=$1; shift
  local java_opts=()
  if [[ " $* " == *" -- "* ]]; then
    while [ "$1" != "--" ]; do java_opts+=("$1"); shift; done
    shift
  fi
  HARNESS_HOME="$WORK/$name"
  local log="$WORK/$name.stdout"
  "${CD_JAVA_HOME}/bin/java" -Xmx256m "${java_opts[@]}" \
    -cp "$CD_BUILD/harness/classes:$H2_JAR" -Dcarbon.home="$HARNESS_HOME" \
    org.carbondump.harness.DemoCarbonServer --home "$HARNESS_HOME" "$@" \
    >"$log" 2>"$WORK/$name.stderr" </dev/null &
  HARNESS_PID=$!
  HARNESS_PIDS+=("$HARNESS_PID")
  local waited=0
  until grep -q '^READY ' "$log" 2>/dev/null; do
    kill -0 "$HARNESS_PID" 2>/dev/null ||
      { cat "$WORK/$name.stderr" >&2; fail "the demo server exited before READY"; }
    [ $waited -ge 1200 ] && fail "the demo server did not print READY within 120 s"
    sleep 0.1; waited=$((waited + 1))
  done
}

harness_stop() { # pid: SIGTERM, then SIGKILL after 5 s
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null
}

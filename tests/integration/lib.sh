# Shared helpers for the integration tests, sourced by each test script.
#
# ctest runs every tests/integration/jdk_*.sh once per JDK found on the machine
# (scripts/find-jdks.sh) with CD_JAVA_HOME set, and every host_*.sh once.
# Environment: CD_BUILD (the build directory), CD_SOURCE (the source tree),
# CD_JAVA_HOME (the JDK under test, jdk_* scripts only), and optionally
# CD_COLLECTOR_WRAPPER: a command run_carbondump puts in front of the
# collector, which reports trouble by exiting with status 99 (scripts/test.sh:
# valgrind --error-exitcode=99).
#
# Every demo server runs with -Xcheck:jni; a JNI check message in its output
# fails the test (harness_stop and finish look), since the agent is the only
# native code loaded into it beyond the JDK's own. Sanitizer reports of the
# collector go to $WORK/sanitizer/ (ASAN_OPTIONS/UBSAN_OPTIONS log_path), so
# a report fails the test even where the test expects a failing exit status.
#
# A test is a series of checks; the first failed check ends it with a message
# naming what was expected and what was seen. Every JVM a test starts is killed
# when the script exits, however it exits.

set -u
CD_BUILD=${CD_BUILD:?CD_BUILD must point at the build directory}
CD_SOURCE=${CD_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CARBONDUMP="$CD_BUILD/bin/carbondump"
read -r -a COLLECTOR_WRAPPER <<<"${CD_COLLECTOR_WRAPPER:-}"
H2_JAR=${H2_JAR:-/usr/share/java/h2.jar}
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cd-${TEST_NAME}.XXXXXX")
CHECKS=0
HARNESS_PIDS=()
HARNESS_LOGS=()
declare -A HARNESS_LOG_OF=()
declare -A HARNESS_STARTED_AT=() # pid -> its start time in /proc/<pid>/stat

# Sanitizer reports (ASan, LSan, UBSan) of any collector this test starts,
# directly or through the agent, land here as <prefix>.<pid>; the directory is
# world-writable because a test may run the collector as another user. A
# test may LD_PRELOAD a fault-injection library into the collector, which
# ASan would otherwise refuse to run behind.
SANITIZER_DIR="$WORK/sanitizer"
mkdir -p "$SANITIZER_DIR" && chmod 1777 "$SANITIZER_DIR"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:verify_asan_link_order=0:log_path=$SANITIZER_DIR/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1:log_path=$SANITIZER_DIR/ubsan"

# A JVM killed with SIGKILL leaves its attach socket in /tmp. Left there, it
# would be found by a later test whose JVM happens to get the same pid (the
# suite's thousands of threads wrap pid_max quickly).
forget_attach_files() { # pid
  [ -e "/proc/$1" ] || rm -f "/tmp/.java_pid$1" "/tmp/.attach_pid$1"
}

# The start time (clock ticks since boot) of process $1, or nothing.
process_started_at() {
  local stat fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  read -r -a fields <<<"$stat"
  echo "${fields[19]}"
}

# Is pid $1 still the demo server this test started? Once it has ended, its
# pid may already belong to another process (or to a thread of another
# test's JVM: kill(2) on a thread id signals its whole process).
own_harness() {
  [ -n "${HARNESS_STARTED_AT[$1]:-}" ] && [ "$(process_started_at "$1")" = "${HARNESS_STARTED_AT[$1]}" ]
}

# Records a process the test started (a demo server or any other), so that
# cleanup ends it, and only it.
harness_track() { # pid
  HARNESS_STARTED_AT[$1]=$(process_started_at "$1")
  HARNESS_PIDS+=("$1")
}

cleanup() {
  for p in "${HARNESS_PIDS[@]}"; do own_harness "$p" && kill -9 "$p" 2>/dev/null; done
  for p in "${HARNESS_PIDS[@]}"; do wait "$p" 2>/dev/null; forget_attach_files "$p"; done
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
# Ends a test that cannot run here, saying why (ctest: SKIP_RETURN_CODE 77).
skip() {
  echo "SKIPPED [$TEST_NAME]: $*" >&2
  echo "$CHECKS passed, 0 failed, 1 skipped"; exit 77
}
finish() {
  expect_no_sanitizer_reports
  expect_no_jni_warnings "${HARNESS_LOGS[@]}"
  echo "$CHECKS passed, 0 failed"; exit 0
}

# What -Xcheck:jni prints (HotSpot 17 and 25, on the JVM's stdout) when native
# code misuses JNI: warnings, fatal errors (the JVM then aborts), local
# references beyond the declared capacity, calls inside a critical region.
JNI_CHECK_PATTERN='WARNING in native method|FATAL ERROR in native method|JNI call made with'\
' exception pending|without checking exceptions|WARNING: JNI local refs: [0-9]+, exceeds capacity'\
'|Calling other JNI functions in the scope of Get/Release'

expect_no_jni_warnings() { # harness log files...
  local f found=""
  for f in "$@"; do
    [ -f "$f" ] || continue
    found=$(grep -nE -A 4 -- "$JNI_CHECK_PATTERN" "$f" | head -n 20)
    [ -z "$found" ] || fail "-Xcheck:jni reported a JNI misuse in $(basename "$f"):"$'\n'"$found"
  done
  pass
}

expect_no_sanitizer_reports() {
  local r
  for r in "$SANITIZER_DIR"/*; do
    [ -f "$r" ] || continue
    fail "sanitizer report from the collector ($(basename "$r")):"$'\n'"$(head -n 40 "$r")"
  done
  pass
}

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
  "${COLLECTOR_WRAPPER[@]}" "$CARBONDUMP" "$@" >"$LAST_STDOUT" 2>"$LAST_STDERR" </dev/null
  RC=$?
  BUNDLE=$(tail -n 1 "$LAST_STDOUT" 2>/dev/null)
  expect_no_sanitizer_reports
  if [ ${#COLLECTOR_WRAPPER[@]} -gt 0 ] && [ "$RC" = 99 ]; then
    fail "${COLLECTOR_WRAPPER[0]} found errors in carbondump $*:"$'\n'"$(grep -E '^==[0-9]+==' "$LAST_STDERR" | head -n 60)"
  fi
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
# The JVM runs with -Xcheck:jni unless HARNESS_JNI_CHECK=0 (for a test that
# must measure the JVM unchecked; say why where it is set).
harness_start() {
  local name=$1; shift
  local java_opts=()
  if [[ " $* " == *" -- "* ]]; then
    while [ "$1" != "--" ]; do java_opts+=("$1"); shift; done
    shift
  fi
  HARNESS_HOME="$WORK/$name"
  local log="$WORK/$name.stdout"
  [ "${HARNESS_JNI_CHECK:-1}" = 0 ] || java_opts=(-Xcheck:jni "${java_opts[@]}")
  "${CD_JAVA_HOME}/bin/java" -Xmx256m "${java_opts[@]}" \
    -cp "$CD_BUILD/harness/classes:$H2_JAR" -Dcarbon.home="$HARNESS_HOME" \
    org.carbondump.harness.DemoCarbonServer --home "$HARNESS_HOME" "$@" \
    >"$log" 2>"$WORK/$name.stderr" </dev/null &
  HARNESS_PID=$!
  harness_track "$HARNESS_PID"
  HARNESS_LOGS+=("$log" "$WORK/$name.stderr")
  HARNESS_LOG_OF[$HARNESS_PID]="$log $WORK/$name.stderr"
  local waited=0
  until grep -q '^READY ' "$log" 2>/dev/null; do
    kill -0 "$HARNESS_PID" 2>/dev/null ||
      { cat "$WORK/$name.stderr" >&2; fail "the demo server exited before READY"; }
    [ $waited -ge 1200 ] && fail "the demo server did not print READY within 120 s"
    sleep 0.1; waited=$((waited + 1))
  done
}

harness_stop() { # pid: SIGTERM, then SIGKILL after 5 s; then checks its JNI use
  if own_harness "$1" && kill "$1" 2>/dev/null; then
    for _ in $(seq 1 50); do own_harness "$1" || break; sleep 0.1; done
    own_harness "$1" && kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    forget_attach_files "$1"
  fi
  local logs
  read -r -a logs <<<"${HARNESS_LOG_OF[$1]:-}"
  expect_no_jni_warnings "${logs[@]}"
}

# Waits up to $2 seconds for a file matching the glob $1; prints it.
# (Start-up mode tests: the agent writes bundles and status files by itself.)
wait_for() {
  local waited=0
  while [ $waited -lt $(($2 * 10)) ]; do
    for f in $1; do [ -e "$f" ] && { echo "$f"; return 0; }; done
    sleep 0.1; waited=$((waited + 1))
  done
  return 1
}
# Waits up to $3 seconds for a line matching the regex $1 in file $2; prints it.
wait_for_line() {
  local waited=0 line
  while [ $waited -lt $(($3 * 10)) ]; do
    line=$(grep -m 1 -E -- "$1" "$2" 2>/dev/null) && { echo "$line"; return 0; }
    sleep 0.1; waited=$((waited + 1))
  done
  return 1
}
# Waits until FILE's JSON "result" is final (not running); prints it.
wait_for_status() {
  local waited=0 result=""
  while [ $waited -lt $(($2 * 10)) ]; do
    result=$(json_get "$1" 'j["result"]' 2>/dev/null)
    [ -n "$result" ] && [ "$result" != running ] && { echo "$result"; return 0; }
    sleep 0.1; waited=$((waited + 1))
  done
  echo "${result:-none}"
}

# The feature version of the JDK under test (17, 25 ...), from its release file.
jdk_major() {
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$CD_JAVA_HOME/release"
}

# Generates a demo CARBON_HOME without starting a server:
# harness_generate DIR STYLE [JAVA_HOME (default CD_JAVA_HOME)]
harness_generate() {
  local java_home=${3:-$CD_JAVA_HOME}
  "$java_home/bin/java" -cp "$CD_BUILD/harness/classes:$H2_JAR" \
    org.carbondump.harness.DemoCarbonServer --home "$1" --style "$2" --generate-only \
    >"$1.generate.out" 2>&1 || fail "cannot generate a $2 home: $(tail -n 3 "$1.generate.out")"
}

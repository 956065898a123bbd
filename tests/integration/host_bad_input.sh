#!/usr/bin/env bash
# Bad input gets a clear message and the documented exit status, and never
# leaves a half-written ZIP behind.
. "$(dirname "$0")/lib.sh"
out="$WORK/out"

# a pid that is not a number: usage error
run_carbondump --pid abc --only jvm -o "$out"
expect_eq 1 "$RC" "exit status for --pid abc"
expect_file_contains "$LAST_STDERR" "--pid: 'abc' is not a whole number" "message for --pid abc"

# an unknown section: usage error naming it
run_carbondump --only jvm,nosuch --pid 1 -o "$out"
expect_eq 1 "$RC" "exit status for an unknown section"
expect_file_contains "$LAST_STDERR" "unknown section 'nosuch'" "message for an unknown section"

# a process that is not a JVM: host sections still make a bundle, exit 3
sleep 300 & sleeper=$!
harness_track "$sleeper"
# the forked shell becomes "sleep" only once it has called exec
for _ in $(seq 1 100); do [ "$(cat /proc/$sleeper/comm 2>/dev/null)" = sleep ] && break; sleep 0.05; done
run_carbondump --pid "$sleeper" --only jvm,os -o "$out"
expect_eq 3 "$RC" "exit status for a non-JVM pid"
expect_file_contains "$LAST_STDERR" "pid $sleeper (sleep) is not a Java VM" "message for a non-JVM pid"
m=$(bundle_manifest "$BUNDLE")
expect_eq failed "$(json_get "$m" 'j["sections"]["jvm"]["status"]')" "jvm section for a non-JVM pid"
expect_file_contains "$m" "is not a Java VM" "manifest reason for a non-JVM pid"

# a pid that does not exist
kill -9 "$sleeper"; wait "$sleeper" 2>/dev/null
run_carbondump --pid "$sleeper" --only jvm -o "$out"
expect_eq 3 "$RC" "exit status for a dead pid"
expect_file_contains "$LAST_STDERR" "no process with pid $sleeper" "message for a dead pid"

# CARBON_HOME that does not exist: usage error
run_carbondump --carbon-home "$WORK/no/such/home" --only checksums -o "$out"
expect_eq 1 "$RC" "exit status for a missing CARBON_HOME"
expect_file_contains "$LAST_STDERR" "CARBON_HOME $WORK/no/such/home: No such file or directory" \
  "message for a missing CARBON_HOME"

# no pid and no CARBON_HOME, but a JVM section asked for
run_carbondump --only jvm -o "$out"
expect_eq 1 "$RC" "exit status with no target"
expect_file_contains "$LAST_STDERR" "no target: give --pid PID" "message with no target"

# CARBON_HOME whose wso2carbon.pid is garbage
mkdir -p "$WORK/garbage-home"; printf 'not-a-pid\n' >"$WORK/garbage-home/wso2carbon.pid"
run_carbondump --carbon-home "$WORK/garbage-home" --only jvm -o "$out"
expect_eq 3 "$RC" "exit status for a garbage wso2carbon.pid"
expect_file_contains "$LAST_STDERR" "wso2carbon.pid" "message for a garbage wso2carbon.pid"

# an output directory that cannot be written: no bundle, exit 2
locked="$WORK/locked"; mkdir -p "$locked"; chmod 755 "$locked"
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$WORK"
  "$(command -v setpriv)" --reuid=65534 --regid=65534 --clear-groups \
    "$CARBONDUMP" --only os -o "$locked" >"$WORK/locked.out" 2>"$WORK/locked.err"
  RC=$?; LAST_STDERR="$WORK/locked.err"
else
  chmod 555 "$locked"
  run_carbondump --only os -o "$locked"
fi
expect_eq 2 "$RC" "exit status for an unwritable output directory"
expect_file_contains "$LAST_STDERR" "cannot write to output directory $locked" "message for an unwritable output directory"
expect_eq "" "$(ls -A "$locked")" "files left in the unwritable directory"

# an output path below a regular file
touch "$WORK/plainfile"
run_carbondump --only os -o "$WORK/plainfile/sub"
expect_eq 2 "$RC" "exit status for an output path below a file"

expect_no_partial_files "$WORK"
finish

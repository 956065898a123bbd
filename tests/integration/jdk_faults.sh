#!/usr/bin/env bash
# Faults around a live JVM, on one JDK:
#  - two carbondump runs against the same JVM at once are serialised (the second
#    waits), a third that will not wait (--lock-wait 0) is refused with exit
#    status 4; bundles valid, each with its own agent request;
#  - the disk of the output directory fills up while the ZIP is written: exit 2,
#    a message naming the directory and ENOSPC, nothing left behind, and the JVM
#    unharmed (it still answers jstack);
#  - the target JVM is killed (-9) while the agent takes thread samples, and
#    while the VM writes its heap dump: the run finishes with the sections done
#    before, the cut-short ones recorded as failed because the target exited,
#    exit 3, nothing half-written in the bundle and no staging left anywhere.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults_lib.sh"

# Starts carbondump in the background with its output in $WORK/<name>.{out,err};
# the pid goes to the variable named by the first argument.
start_carbondump() { # pid_var name args...
  local var=$1 name=$2; shift 2
  "$CARBONDUMP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
  printf -v "$var" '%s' "$!"
}

# Waits for a background carbondump; sets RC, LAST_STDOUT, LAST_STDERR, BUNDLE.
wait_carbondump() { # pid name
  wait "$1"; RC=$?
  LAST_STDOUT="$WORK/$2.out"; LAST_STDERR="$WORK/$2.err"
  BUNDLE=$(tail -n 1 "$LAST_STDOUT" 2>/dev/null)
}

# Waits up to 60 s for a file matching the glob pattern.
wait_for_file() { # pattern what
  for _ in $(seq 1 1200); do compgen -G "$1" >/dev/null && return 0; sleep 0.05; done
  fail "$2 never appeared ($1)"
}

# Starts carbondump with the arguments, kills the target (-9) once a file
# matching pattern appears, then waits for carbondump (RC, LAST_*, BUNDLE).
kill_target_when() { # target_pid name pattern what args...
  local target=$1 name=$2 pattern=$3 what=$4 collector
  shift 4
  start_carbondump collector "$name" "$@"
  wait_for_file "$pattern" "$what"
  kill -9 "$target"; wait "$target" 2>/dev/null
  wait_carbondump "$collector" "$name"
}

# After a run whose target died: a valid bundle, and nothing else left of the
# run in its output directory or in /tmp (staging, lock).
expect_clean_bundle_of_dead_target() { # pid zip manifest output_dir
  expect_entries_match_zip "$2" "$3"
  expect_eq "$(basename "$2")" "$(ls -A "$4")" "what the run left in its output directory"
  expect_eq "" "$(ls -d /tmp/carbondump-"$1".owner-* 2>/dev/null)" "agent staging left in /tmp"
  expect_eq "" "$(ls /tmp/.carbondump-"$1"-*.lock 2>/dev/null)" "lock file left in /tmp after the target died"
}

expect_jstack_answers() { # pid
  "$CD_JAVA_HOME/bin/jstack" "$1" >"$WORK/jstack.$1.txt" 2>&1 ||
    fail "jstack $1 failed: $(tail -n 3 "$WORK/jstack.$1.txt")"
  expect_file_contains "$WORK/jstack.$1.txt" "Full thread dump" "jstack of pid $1"
}

harness_start lockhome --style 4.4
pid=$HARNESS_PID

# ---------------------------------------------------------------- two runs at once
# A takes three thread samples 1.5 s apart; B and C start while A holds the JVM.
# A and B write into the same directory.
start_carbondump a_pid first --pid "$pid" --only threads --thread-samples 3 --thread-interval 1.5 \
  -o "$WORK/shared"
wait_for_file "/tmp/.carbondump-$pid-*.lock" "the lock of the first run"
start_carbondump b_pid second --pid "$pid" --only threads,histogram -o "$WORK/shared"
start_carbondump c_pid third --pid "$pid" --only threads --lock-wait 0 -o "$WORK/third"
wait_carbondump "$c_pid" third
expect_eq 4 "$RC" "exit status of a run refused while another holds the JVM"
expect_file_contains "$LAST_STDERR" \
  "carbondump: no bundle written: pid $pid is busy: carbondump pid $a_pid is collecting from it and did not finish within 0 s (--lock-wait); try again when it has finished" \
  "message of the refused run"
expect_eq "" "$(cat "$LAST_STDOUT")" "stdout of the refused run"
expect_eq "" "$(ls -A "$WORK/third")" "what the refused run left in its output directory"
wait_carbondump "$a_pid" first
expect_eq 0 "$RC" "exit status of the first run"
a_bundle=$BUNDLE
wait_carbondump "$b_pid" second
expect_eq 0 "$RC" "exit status of the run that waited"
b_bundle=$BUNDLE
expect_file_contains "$LAST_STDERR" "carbondump pid $a_pid is collecting from pid $pid; waiting for it" \
  "the second run says it waits"
expect_eq 2 "$(ls "$WORK/shared"/carbondump-*.zip | wc -l)" "bundles of the two runs in their directory"
[ "$a_bundle" != "$b_bundle" ] || fail "both runs report the same bundle $a_bundle"; pass
ma=$(bundle_manifest "$a_bundle"); mb=$(bundle_manifest "$b_bundle")
expect_entries_match_zip "$a_bundle" "$ma"
expect_entries_match_zip "$b_bundle" "$mb"
# each bundle holds its own request's output: its id, its parts, its samples
expect_eq True "$(json_get "$ma" 'j["agent"]["id"].endswith(".'"$a_pid"'")')" "agent request id of the first run"
expect_eq True "$(json_get "$mb" 'j["agent"]["id"].endswith(".'"$b_pid"'")')" "agent request id of the second run"
expect_eq "['threads']" "$(json_get "$ma" 'sorted(j["agent"]["parts"])')" "parts of the first run's request"
expect_eq "threads/thread_dump-1.txt threads/thread_dump-2.txt threads/thread_dump-3.txt" \
  "$(json_get "$ma" '" ".join(sorted(e["path"] for e in j["entries"] if e["path"].startswith("threads/thread_dump-")))')" \
  "samples in the first bundle"
expect_eq "" "$(json_get "$mb" '" ".join(e["path"] for e in j["entries"] if e["path"].startswith("threads/thread_dump-"))')" \
  "samples in the second bundle"
# serialised: the second request reached the agent after the first was done
expect_eq True "$(python3 -c 'import json,sys
a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
print(a["agent"]["finished"] <= b["agent"]["started"])' "$ma" "$mb")" \
  "the second run's agent request after the first one's"
expect_eq "" "$(ls /tmp/.carbondump-"$pid"-*.lock 2>/dev/null)" "lock files left in /tmp"
expect_alive "$pid"

# ---------------------------------------------------------------- disk full
if [ "$(id -u)" = 0 ]; then
  # A log that deflates poorly: the ZIP needs most of its size again.
  head -c 3000000 /dev/urandom | base64 >"$HARNESS_HOME/repository/logs/noise.log"
  sections=(--pid "$pid" --only threads,files)
  run_carbondump "${sections[@]}" -o "$WORK/roomy"
  expect_in "$RC" "exit status with room to spare" 0 3
  m=$(bundle_manifest "$BUNDLE")
  staged=$(json_get "$m" 'sum(e["bytes"] + 8192 for e in j["entries"])')
  zipped=$(stat -c %s "$BUNDLE")
  # room for the staging area and half the ZIP
  size_kib=$(( (staged + zipped / 2) / 1024 + 64 ))
  full="$WORK/full"
  mount_tmpfs "$full" "${size_kib}k"
  run_carbondump "${sections[@]}" -o "$full"
  expect_eq 2 "$RC" "exit status when the disk fills up during the ZIP"
  expect_file_contains "$LAST_STDERR" \
    "carbondump: no bundle written: the output directory $full is full (ENOSPC: No space left on device) while writing the bundle" \
    "message when the disk fills up"
  expect_file_contains "$LAST_STDERR" "writing $full/carbondump-" "the ZIP was being written when the disk filled"
  expect_eq "" "$(ls -A "$full")" "files left on the full file system"
  expect_eq "" "$(ls -d /tmp/carbondump-"$pid".owner-* 2>/dev/null)" "agent staging left in /tmp"
  expect_alive "$pid"
  expect_jstack_answers "$pid"
  rm -f "$HARNESS_HOME/repository/logs/noise.log"
else
  echo "skipped: needs root (disk full on a small tmpfs)"
fi

# ---------------------------------------------------------------- target killed while the agent works
# Three thread samples 2 s apart; the JVM dies after the first.
out="$WORK/gone"
kill_target_when "$pid" gone "/tmp/carbondump-$pid.owner-*/threads/thread_dump-1.txt" \
  "the agent's first thread sample" \
  --pid "$pid" --only threads,gc --thread-samples 3 --thread-interval 2 -o "$out"
expect_eq 3 "$RC" "exit status when the target dies while the agent works"
expect_file_contains "$LAST_STDERR" "pid $pid exited while the agent was working" \
  "message when the target dies while the agent works"
m=$(bundle_manifest "$BUNDLE")
expect_eq "failed: pid $pid exited while the agent was working" \
  "$(json_get "$m" 'j["sections"]["threads"]["status"] + ": " + j["sections"]["threads"]["reason"]')" \
  "threads when the target died mid-request"
expect_eq "failed: pid $pid exited while the agent was working" \
  "$(json_get "$m" 'j["sections"]["gc"]["status"] + ": " + j["sections"]["gc"]["reason"]')" \
  "gc when the target died mid-request"
expect_clean_bundle_of_dead_target "$pid" "$BUNDLE" "$m" "$out"

# ---------------------------------------------------------------- target killed mid-dump
harness_start dumphome --style 4.4 --plant heap=2500000
pid=$HARNESS_PID
out="$WORK/dead"
kill_target_when "$pid" dead "/tmp/carbondump-$pid.owner-*/memoryinfo/java_heap_memory_dump.hprof.gz*" \
  "the VM's heap dump file" --pid "$pid" --only jvm,threads,heapdump -o "$out"
expect_eq 3 "$RC" "exit status when the target dies during the heap dump"
expect_file_contains "$LAST_STDERR" "pid $pid exited during the collection: the bundle holds what was collected before" \
  "message when the target dies"
m=$(bundle_manifest "$BUNDLE")
expect_eq ok "$(json_get "$m" 'j["sections"]["threads"]["status"]')" "threads, done before the target died"
expect_eq ok "$(json_get "$m" 'j["sections"]["jvm"]["status"]')" "jvm, done before the target died"
expect_eq failed "$(json_get "$m" 'j["sections"]["heapdump"]["status"]')" "heapdump when the target died"
expect_eq True "$(json_get "$m" 'j["sections"]["heapdump"]["reason"].startswith("pid '"$pid"' exited ")')" \
  "heapdump reason when the target died (says the target exited)"
expect_eq False "$(json_get "$m" 'any(e["path"].startswith("memoryinfo/java_heap") for e in j["entries"])')" \
  "a heap dump in the bundle of a dead target"
expect_clean_bundle_of_dead_target "$pid" "$BUNDLE" "$m" "$out"

# ---------------------------------------------------------------- a socket left behind
# An earlier JVM with the same pid, killed with SIGKILL, left its attach socket
# in /tmp: nobody listens on it. carbondump removes it and starts the target's
# listener, which makes its own.
harness_start stale --style 4.4 --scale small
pid=$HARNESS_PID
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "/tmp/.java_pid$pid"
touch -h -d '-1 hour' "/tmp/.java_pid$pid"
run_carbondump --pid "$pid" --only threads -o "$WORK/stale" -v
expect_eq 0 "$RC" "exit status with a socket left behind by an earlier process"
expect_file_contains "$LAST_STDERR" "/tmp/.java_pid$pid, left behind by an earlier process with pid $pid" \
  "message about the socket left behind"
[ -S "/tmp/.java_pid$pid" ] && [ "$(stat -c %Y "/tmp/.java_pid$pid")" -gt "$(date -d '-10 min' +%s)" ] ||
  fail "the JVM made no new attach socket"; pass
expect_alive "$pid"
finish

#!/usr/bin/env bash
# Thread dumps against jstack -l of the same JVM (issues 3 and 15), on both
# load paths: the agent attached on demand (lock lines from ThreadMXBean) and
# the agent loaded at start-up with -agentpath, then asked through attach
# (lock lines from JVMTI). The demo server plants a thread in every state, two
# deadlocks (monitors and ReentrantLocks) and monitor contention. Every thread
# jstack lists must be there, in its order: the threads the VM keeps from
# JVMTI (compiler threads, Service Thread ...) and its non-Java threads (VM
# Thread, GC workers ...) included.
#
# jstack runs before and after carbondump; thread_dump_compare.py holds
# carbondump's dump against what both jstack runs agree on (see its header).
. "$(dirname "$0")/lib.sh"

COMPARE="$CD_SOURCE/tests/integration/thread_dump_compare.py"
JSTACK="$CD_JAVA_HOME/bin/jstack"
PLANTS=deadlock,jucdeadlock,contention

# Dumps pid with jstack, carbondump --only threads, jstack again, into $WORK/label.
dump_beside_jstack() { # label pid
  local dir="$WORK/$1"
  mkdir -p "$dir"
  "$JSTACK" -l "$2" >"$dir/before.txt" || fail "$1: jstack -l $2 failed"
  run_carbondump --pid "$2" --only threads -o "$dir" -q
  expect_eq 0 "$RC" "$1: exit status of --only threads"
  unzip -p "$BUNDLE" '*/thread_dump.txt' >"$dir/ours.txt" || fail "$1: no thread_dump.txt"
  unzip -p "$BUNDLE" '*/threads/threads.json' >"$dir/threads.json" || fail "$1: no threads.json"
  "$JSTACK" -l "$2" >"$dir/after.txt" || fail "$1: jstack -l $2 failed afterwards"
}

# dump_beside_jstack, again (at most three times in all) while some thread's
# state or lock lines differ from those both jstack runs agree on: a server
# thread that wakes up for a moment (H2's background writer, every second) can
# be caught RUNNABLE by the dump alone, and cd-runnable, RUNNABLE throughout,
# holds its selector's locks only while it rests in select, nine tenths of the
# time. A real difference shows in every attempt.
dump_settled_beside_jstack() { # label pid
  local attempt
  for attempt in 1 2 3; do
    dump_beside_jstack "$1" "$2"
    python3 "$COMPARE" states "$WORK/$1/ours.txt" "$WORK/$1/before.txt" "$WORK/$1/after.txt" \
      >"$WORK/$1/states.txt" &&
      python3 "$COMPARE" locks "$WORK/$1/ours.txt" "$WORK/$1/before.txt" "$WORK/$1/after.txt" \
        >"$WORK/$1/states.txt" && return 0
    echo "$1: attempt $attempt: $(head -n 1 "$WORK/$1/states.txt")" >&2
    [ "$attempt" = 3 ] || rm -rf "${WORK:?}/$1" # the last one stays for the checks to report
  done
}

expect_same_as_jstack() { # label check
  local dir="$WORK/$1" out
  out=$(python3 "$COMPARE" "$2" "$dir/ours.txt" "$dir/before.txt" "$dir/after.txt") ||
    fail "$1: $2 differ from jstack -l:
$out"
  pass
}

# The lines of one thread's block in a dump.
thread_block() { # file name
  awk -v head="\"$2\" #" 'index($0, head) == 1 { on = 1 } on && /^$/ { n++ } on && n == 2 { exit } on' "$1"
}

# The object id of the first "- <action> <0x...>" line of a thread.
lock_id() { # file thread action
  thread_block "$1" "$2" | sed -n "s/^	- $3 <\(0x[0-9a-f]*\)>.*/\1/p" | head -n 1
}

expect_dump_of_planted_states() { # label
  local dir="$WORK/$1" ours="$WORK/$1/ours.txt" id
  for check in names order states locks owners synchronizers deadlocks counters; do
    expect_same_as_jstack "$1" "$check"
  done
  # one line for each kind jstack prints, under the planted threads
  for t in cd-runnable:RUNNABLE cd-sleeping:"TIMED_WAITING (sleeping)" \
           cd-timed-wait:"TIMED_WAITING (on object monitor)" cd-waiting:"WAITING (on object monitor)" \
           cd-parked:"WAITING (parking)" cd-timed-parked:"TIMED_WAITING (parking)" \
           cd-blocked:"BLOCKED (on object monitor)" cd-io:RUNNABLE; do
    expect_file_contains <(thread_block "$ours" "${t%%:*}") \
      "   java.lang.Thread.State: ${t#*:}" "$1: state of ${t%%:*}"
  done
  expect_file_contains <(thread_block "$ours" cd-waiting) "	- waiting on <0x" "$1: cd-waiting's object"
  expect_file_contains <(thread_block "$ours" cd-parked) "	- parking to wait for  <0x" "$1: cd-parked's blocker"
  expect_file_contains <(thread_block "$ours" cd-juc-owner) \
    "	- <0x" "$1: cd-juc-owner's ReentrantLock under Locked ownable synchronizers"
  # the blocked thread's monitor is the one its owner holds
  id=$(lock_id "$ours" cd-blocked "waiting to lock")
  [ -n "$id" ] || fail "$1: cd-blocked has no 'waiting to lock' line"
  expect_eq "$id" "$(lock_id "$ours" cd-monitor-owner locked)" "$1: cd-monitor-owner's locked id"
  for i in 1 2 3 4 5; do
    expect_eq "$(lock_id "$ours" cd-contention-owner locked)" \
      "$(lock_id "$ours" cd-contention-waiter-$i "waiting to lock")" "$1: cd-contention-waiter-$i's monitor"
  done
  # both deadlocks, named as jstack names them
  expect_file_contains "$ours" "Found 2 deadlocks." "$1: deadlock count"
  local first second
  for pair in "cd-deadlock-A cd-deadlock-B" "cd-juc-deadlock-A cd-juc-deadlock-B"; do
    read -r first second <<<"$pair"
    grep -A1 -xF "\"$first\":" "$ours" | grep -q '^  waiting' ||
      fail "$1: $first is not reported as waiting in a deadlock"; pass
    expect_file_contains "$ours" "  which is held by \"$second\"" "$1: deadlock owner $second"
  done
}

# The VM's own threads: named in full, with what they are, in the text and the JSON.
expect_vm_threads() { # label
  local dir="$WORK/$1" ours="$WORK/$1/ours.txt"
  expect_file_contains <(thread_block "$ours" "C1 CompilerThread0") "   java.lang.Thread.State: RUNNABLE" \
    "$1: state of the hidden C1 CompilerThread0"
  grep -A 2 '^"C1 CompilerThread0" #' "$ours" | grep -Eq '^   (No compile task|Compiling: )' ||
    fail "$1: C1 CompilerThread0 has no compile task line"; pass
  grep -Eq '^"VM Thread" os_prio=-?[0-9]+ cpu=[0-9.]+ms elapsed=[0-9.]+s tid=0x[0-9a-f]{16} nid=' "$ours" ||
    fail "$1: no VM Thread line as jstack prints it"; pass
  expect_eq "JIT compiler True" "$(json_get "$dir/threads.json" \
    '" ".join(str(x) for x in [(t.get("kind"), t.get("vm_internal")) for t in j["threads"] if t["name"] == "C1 CompilerThread0"][0])')" \
    "$1: C1 CompilerThread0 in JSON"
  expect_eq "GC True" "$(json_get "$dir/threads.json" \
    '" ".join(str(x) for x in [(t.get("kind"), t["vm_internal"]) for t in j["native_threads"] if t["name"] == "GC Thread#0"][0])')" \
    "$1: GC Thread#0 in JSON"
}

expect_json_like_the_text() { # label source-of-locks [source-of-stacks]
  local dir="$WORK/$1"
  expect_eq carbondump.threads/1 "$(json_get "$dir/threads.json" 'j["schema"]')" "$1: JSON schema"
  expect_eq "$(grep -c '^"[^"]*" #[0-9]' "$dir/ours.txt")" \
    "$(json_get "$dir/threads.json" 'j["thread_count"]')" "$1: threads in JSON and text"
  expect_eq "$2" "$(json_get "$dir/threads.json" 'j["sources"]["locks"]')" "$1: source of lock lines"
  expect_eq "${3:-$2}" "$(json_get "$dir/threads.json" 'j["sources"]["stacks"]')" "$1: source of stacks"
  expect_eq "[['cd-deadlock-A', 'cd-deadlock-B'], ['cd-juc-deadlock-A', 'cd-juc-deadlock-B']]" \
    "$(json_get "$dir/threads.json" 'sorted(sorted(m["name"] for m in d["threads"]) for d in j["deadlocks"])')" \
    "$1: deadlocks in JSON"
  expect_eq "BLOCKED monitor" "$(json_get "$dir/threads.json" \
    '" ".join([(t["state"], t["waiting_for"]["kind"]) for t in j["threads"] if t["name"] == "cd-blocked"][0])')" \
    "$1: cd-blocked in JSON"
}

# ---- the agent attached on demand
harness_start attached --plant "$PLANTS"
dump_settled_beside_jstack attached "$HARNESS_PID"
expect_dump_of_planted_states attached
expect_vm_threads attached
expect_json_like_the_text attached thread_mxbean jvmti
expect_no_partial_files "$WORK/attached"
# A second dump of the same JVM takes the start times its first one read
# (thread_os.c): os_prio and elapsed must still agree with jstack's.
dump_settled_beside_jstack attached-again "$HARNESS_PID"
expect_same_as_jstack attached-again counters
expect_same_as_jstack attached-again names
expect_same_as_jstack attached-again order

# ---- samples over time: three dumps half a second apart, and what changed
run_carbondump --pid "$HARNESS_PID" --only threads --thread-samples 3 --thread-interval 0.5 \
  -o "$WORK/samples" -q
expect_eq 0 "$RC" "exit status with --thread-samples 3"
expect_eq "thread_dump.txt threads/hot_threads.txt threads/thread_dump-1.txt threads/thread_dump-2.txt threads/thread_dump-3.txt threads/threads.json" \
  "$(unzip -Z1 "$BUNDLE" | sed 's|^[^/]*/||' | grep -E '^thread' | sort | tr '\n' ' ' | sed 's/ $//')" \
  "files of a three-sample dump"
cmp -s <(unzip -p "$BUNDLE" '*/thread_dump.txt') <(unzip -p "$BUNDLE" '*/threads/thread_dump-1.txt') ||
  fail "thread_dump.txt is not the first sample"; pass
hot="$WORK/samples/hot_threads.txt"
unzip -p "$BUNDLE" '*/threads/hot_threads.txt' >"$hot"
expect_file_contains "$hot" "Hot threads: 3 samples," "hot_threads.txt header"
# cd-runnable spins: it is among the threads that used CPU, with a share of a core
grep -E '^ +[0-9]+\.[0-9]{2} +[0-9]+\.[0-9]%  RUNNABLE +"cd-runnable" #' "$hot" >/dev/null ||
  fail "cd-runnable is not listed as hot in $hot"; pass
expect_file_contains "$hot" "Threads per state:" "hot_threads.txt state table"
expect_file_contains <(sed -n '/^Stuck threads/,$p' "$hot") '"cd-blocked" #' "cd-blocked is stuck"
expect_eq 3 "$(json_get <(unzip -p "$BUNDLE" '*/threads/threads.json') 'len(j["samples"])')" \
  "samples in threads.json"
expect_alive "$HARNESS_PID"

# ---- the agent loaded at start-up, asked through attach later (its own
# deadlock watch off, and anything it writes kept in the work directory)
harness_start startup \
  "-agentpath:$CD_BUILD/lib/libcarbondump.so=output=$WORK/startup-bundles,deadlock-check=off" \
  -- --plant "$PLANTS"
dump_settled_beside_jstack startup "$HARNESS_PID"
expect_dump_of_planted_states startup
expect_vm_threads startup
expect_json_like_the_text startup jvmti
expect_alive "$HARNESS_PID"
finish

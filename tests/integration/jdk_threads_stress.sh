#!/usr/bin/env bash
# Thread dumps under stress (issue 3): 10,000 parked threads, a thread with a
# 10 KB name and one with quotes, a backslash, a newline and non-ASCII
# characters, and ~1,000 threads a second starting and ending while the dump
# runs. The dump must be complete and well-formed, the JVM must live on, and
# checked JNI (-Xcheck:jni) must find no local reference left behind and no
# exception left unchecked by the agent.
. "$(dirname "$0")/lib.sh"

ODD_NAME=$'cd-odd "quoted" back\\slash\nsecond line \u00fcml\u00e4ut \u65e5\u672c\u8a9e \u2713'
ODD_LINE=$'"cd-odd "quoted" back\\slash\\nsecond line \u00fcml\u00e4ut \u65e5\u672c\u8a9e \u2713" #'

harness_start many -Xcheck:jni -- --plant threads=10000,oddnames,churn
pid=$HARNESS_PID

# two samples while threads come and go
run_carbondump --pid "$pid" --only threads --thread-samples 2 --thread-interval 0.2 -o "$WORK/out" -q
expect_eq 0 "$RC" "exit status of a dump of 10,000 threads"
expect_alive "$pid"
json="$WORK/threads.json"
text="$WORK/thread_dump.txt"
unzip -p "$BUNDLE" '*/threads/threads.json' >"$json" || fail "no threads.json"
unzip -p "$BUNDLE" '*/thread_dump.txt' >"$text" || fail "no thread_dump.txt"

expect_eq 10000 "$(json_get "$json" 'sum(t["name"].startswith("cd-idle-") for t in j["threads"])')" \
  "cd-idle threads in threads.json"
expect_eq 10000 "$(grep -c '^"cd-idle-[0-9]*" #' "$text")" "cd-idle threads in thread_dump.txt"
expect_eq "$(json_get "$json" 'j["thread_count"]')" "$(grep -c '^".*" #[0-9][0-9]* ' "$text")" \
  "every thread of threads.json has its line in thread_dump.txt"

# names that hold anything: exact in JSON, on one line in the text
expect_eq 1 "$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(sum(t["name"] == sys.argv[2] for t in j["threads"]))' "$json" "$ODD_NAME")" \
  "the odd name, exact, in threads.json"
expect_eq 1 "$(grep -cF -- "$ODD_LINE" "$text")" "the odd name on one line of thread_dump.txt"
expect_eq 10240 "$(json_get "$json" \
  '[len(t["name"]) for t in j["threads"] if t["name"].startswith("cd-long-name-")][0]')" \
  "the 10 KB name, whole, in threads.json"
expect_eq 1 "$(grep -c '^"cd-long-name-[0-9]\{10227\}" #' "$text")" \
  "the 10 KB name, whole, in thread_dump.txt"
python3 -c 'import sys; open(sys.argv[1], encoding="utf-8", errors="strict").read()' "$text" ||
  fail "thread_dump.txt is not valid UTF-8"
pass
expect_eq 0 "$(python3 -c '
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
print(sum(1 for a, b in zip(lines, lines[1:]) if re.match(r"^\".*\" #[0-9]+ ", a)
          and not b.startswith(("   java.lang.Thread.State: ", "   Carrying virtual thread"))))' "$text")" \
  "Java thread lines not followed by their state line"

# checked JNI watched the agent go through 10,000 threads twice
for word in "JNI local refs" "without checking exceptions" "FATAL ERROR"; do
  if grep -q "$word" "$WORK/many.stderr" "$WORK/many.stdout"; then
    fail "-Xcheck:jni reported '$word': $(grep -h "$word" "$WORK/many.stderr" "$WORK/many.stdout" | head -n 3)"
  fi
  pass
done

# and once more: the JVM is left in a state to be dumped again
run_carbondump --pid "$pid" --only threads -o "$WORK/again" -q
expect_eq 0 "$RC" "a second dump of 10,000 threads"
expect_alive "$pid"
expect_no_partial_files "$WORK"
finish

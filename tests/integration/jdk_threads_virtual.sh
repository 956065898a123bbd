#!/usr/bin/env bash
# Virtual threads (issue 3): on JDK 21 and later the dump says how many live
# virtual threads there are and that they are not listed, and shows a mounted
# one under its carrier as jstack does ("Carrying virtual thread #N" ...
# "Mounted virtual thread #N"); before JDK 21 it says nothing about them.
# The target is tests/integration/java/VirtualThreads.java: five sleeping
# virtual threads and one spinning (mounted) on 21+, none before.
. "$(dirname "$0")/lib.sh"

feature=$("$CD_JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 |
  sed -n 's/^ *java.specification.version = //p')
mkdir -p "$WORK/classes"
"$CD_JAVA_HOME/bin/javac" -d "$WORK/classes" "$CD_SOURCE/tests/integration/java/VirtualThreads.java" ||
  fail "cannot compile VirtualThreads.java"
"$CD_JAVA_HOME/bin/java" -Xcheck:jni -cp "$WORK/classes" VirtualThreads >"$WORK/target.out" 2>&1 </dev/null &
pid=$!
harness_track "$pid"
HARNESS_LOGS+=("$WORK/target.out") # checked for JNI misuse by finish
for _ in $(seq 1 300); do grep -q '^READY' "$WORK/target.out" && break; sleep 0.1; done
grep -q '^READY' "$WORK/target.out" || fail "the virtual thread target did not start: $(cat "$WORK/target.out")"

run_carbondump --pid "$pid" --only threads -o "$WORK/out" -q
expect_eq 0 "$RC" "exit status of --only threads"
text="$WORK/thread_dump.txt"
json="$WORK/threads.json"
unzip -p "$BUNDLE" '*/thread_dump.txt' >"$text" || fail "no thread_dump.txt"
unzip -p "$BUNDLE" '*/threads/threads.json' >"$json" || fail "no threads.json"

if [ "$feature" -ge 21 ]; then
  expect_file_contains "$text" \
    "Virtual threads: 6 alive, not listed (1 mounted, shown with their carrier threads)" \
    "the count of virtual threads"
  expect_eq "6 1 False" "$(json_get "$json" \
    '" ".join(str(j["virtual_threads"][k]) for k in ("alive", "mounted", "listed"))')" \
    "virtual_threads in threads.json"
  # the carrier, as jstack shows it, with the virtual thread's own frames
  id=$(sed -n 's/^   Carrying virtual thread #\([0-9]*\)$/\1/p' "$text")
  [ -n "$id" ] || fail "no carrier says 'Carrying virtual thread #N'"
  pass
  expect_file_contains "$text" "   Mounted virtual thread #$id" "the mounted virtual thread's line"
  sed -n "/^   Mounted virtual thread #$id\$/,/^\$/p" "$text" >"$WORK/mounted.txt"
  expect_file_contains "$WORK/mounted.txt" "	at VirtualThreads.spin(VirtualThreads.java:" \
    "the mounted virtual thread's top frame"
  expect_eq "$id" "$("$CD_JAVA_HOME/bin/jstack" -l "$pid" |
    sed -n 's/^   Carrying virtual thread #\([0-9]*\)$/\1/p')" "the virtual thread jstack sees carried"
else
  expect_eq 0 "$(grep -c '^Virtual threads' "$text")" "no virtual thread line before JDK 21"
  expect_eq None "$(json_get "$json" 'j["virtual_threads"]["alive"]')" "virtual_threads.alive before JDK 21"
fi
expect_alive "$pid"
finish

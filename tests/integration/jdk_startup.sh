#!/usr/bin/env bash
# Start-up mode: the agent loaded with -agentpath produces bundles by itself,
# on a control-file request, on OutOfMemoryError, on GC thrashing and on a
# deadlock; bad options and insecure control files never hurt the JVM.
. "$(dirname "$0")/lib.sh"
AGENT="$CD_BUILD/lib/libcarbondump.so"

# -- bad options: the JVM starts normally, one clear line on stderr
harness_start badopts "-agentpath:$AGENT=output=relative,poll=5" -- --style 4.x
expect_alive "$HARNESS_PID"
expect_file_contains "$WORK/badopts.stderr" "carbondump: bad agent options, the agent stays inert: output=relative: must be an absolute path" "message for bad agent options"
# and it still serves attach requests
run_carbondump --pid "$HARNESS_PID" --only jvm -o "$WORK/badopts-out" -q
expect_eq 0 "$RC" "attach after -agentpath with bad options"
harness_stop "$HARNESS_PID"

# -- control file, deadlock watch and --control-file, on one JVM
out="$WORK/bundles"; ctl="$WORK/ctl/carbondump.ctl"; mkdir -p "$WORK/ctl"
harness_start control "-agentpath:$AGENT=output=$out,control=$ctl,poll=200,deadlock-check=1,min-interval=0" -- \
  --style 4.x --plant deadlock
pid=$HARNESS_PID
# the planted deadlock fires once
deadlock_zip=$(wait_for "$out/carbondump-*.zip" 60) || fail "no bundle for the planted deadlock"
pass
sleep 3
expect_eq 1 "$(ls "$out"/carbondump-*.zip | wc -l)" "bundles for one deadlock after 3 more checks"
unzip -p "$deadlock_zip" '*/thread_dump.txt' | grep -q "Found one Java-level deadlock" ||
  fail "the deadlock bundle's thread dump does not report the deadlock"; pass
mkdir -p "$out/seen"; mv "$deadlock_zip" "$out/seen/"

# touching the control file yields a bundle with threads and histogram
rm -f "$ctl.status"
(umask 077; printf 'parts=threads+histogram\n' >"$ctl")
expect_eq ok "$(wait_for_status "$ctl.status" 60 | sed 's/partial/ok/')" "control-file request result"
[ -e "$ctl" ] && fail "the control file request was not consumed"; pass
zip=$(json_get "$ctl.status" 'j["bundle"]')
[ -f "$zip" ] || fail "status names no bundle: $zip"; pass
m=$(bundle_manifest "$zip")
expect_eq ok "$(json_get "$m" 'j["sections"]["threads"]["status"]')" "threads in the control-file bundle"
expect_eq ok "$(json_get "$m" 'j["sections"]["histogram"]["status"]')" "histogram in the control-file bundle"
expect_eq "600" "$(stat -c %a "$zip")" "mode of a triggered bundle"
mv "$zip" "$out/seen/"

# an insecure control file is refused and says why
rm -f "$ctl.status"
(umask 000; printf '\n' >"$ctl") # world-writable from its first instant
expect_eq refused "$(wait_for_status "$ctl.status" 30)" "result for a world-writable control file"
expect_file_contains "$ctl.status" "may be written by group or others (mode 0666)" "reason for refusing"
rm -f "$ctl" "$ctl.status"

# carbondump --control-file: same output as an on-demand run, no attach
run_carbondump --control-file "$ctl" --only jvm,threads
expect_in "$RC" "exit status of --control-file" 0 3
[ -f "$BUNDLE" ] || fail "--control-file printed no bundle path: '$BUNDLE'"; pass
expect_eq ok "$(json_get "$(bundle_manifest "$BUNDLE")" 'j["sections"]["threads"]["status"]')" "threads via --control-file"
expect_alive "$pid"
harness_stop "$pid"

# --control-file with nobody polling: a clear message, not a hang
run_carbondump --control-file "$WORK/ctl/nobody.ctl" --only threads --timeout 2
expect_eq 2 "$RC" "exit status with no agent polling"
expect_file_contains "$LAST_STDERR" "no agent polls this control file" "message with no agent polling"

# -- OutOfMemoryError: the histogram shows the leak, the dump the allocating thread, the
# heap summary and its finding how full the heap is
oom_out="$WORK/oom"
harness_start leak -Xmx64m "-agentpath:$AGENT=output=$oom_out,min-interval=0,max-bundles=1" -- \
  --style 4.x --plant leak
oom_zip=$(wait_for "$oom_out/carbondump-*.zip" 120) || fail "no bundle after OutOfMemoryError"
pass
top=$(unzip -p "$oom_zip" '*/memoryinfo/java_heap_histogram.txt' | sed -n '3,7p')
echo "$top" | grep -q 'LeakedRecord\|\[B' || fail "the leak is not at the top of the histogram: $top"; pass
unzip -p "$oom_zip" '*/thread_dump.txt' | grep -q '"cd-leaker"' ||
  fail "the OOM thread dump does not show the allocating thread cd-leaker"; pass
# the heap summary, from the JVM's hsperfdata counters since no Java may run, and the
# heap-full finding it makes possible
m=$(bundle_manifest "$oom_zip")
expect_eq ok "$(json_get "$m" 'j["sections"]["heap-summary"]["status"]')" "heap summary in the OOM bundle"
expect_eq hsperfdata "$(json_get <(unzip -p "$oom_zip" '*/memoryinfo/java_heap_summary.json') 'j["source"]')" \
  "source of the OOM bundle's heap summary"
expect_eq True "$(json_get <(unzip -p "$oom_zip" '*/memoryinfo/java_heap_summary.json') 'j["java_heap_exhausted"]')" \
  "the OOM bundle's heap summary says it was taken at the OutOfMemoryError"
expect_eq "critical 64.0 MiB max" "$(json_get "$m" '[f["severity"] + " " + ("64.0 MiB max" if "of 64.0 MiB max" in f["title"] else f["title"]) for f in j["findings"] if f["kind"] == "heap-full"][0]')" \
  "heap-full finding of the OOM bundle"
sleep 2
expect_eq 1 "$(ls "$oom_out"/carbondump-*.zip | wc -l)" "bundles with max-bundles=1"
expect_alive "$HARNESS_PID"
harness_stop "$HARNESS_PID"

# -- GC thrashing
gc_out="$WORK/gc"
harness_start gcthrash -Xmx128m "-agentpath:$AGENT=output=$gc_out,gc-thrash=2000:0.2,on-oom=off" -- \
  --style 4.x --plant gcthrash
# the agent reports on the JVM's stderr once the collector has finished
for _ in $(seq 1 1200); do
  grep -q "carbondump: GC thrashing: bundle" "$WORK/gcthrash.stderr" && break
  sleep 0.1
done
expect_file_contains "$WORK/gcthrash.stderr" "carbondump: GC thrashing: bundle $gc_out/carbondump-" "GC thrashing message"
ls "$gc_out"/carbondump-*.zip >/dev/null 2>&1 || fail "no bundle for GC thrashing in $gc_out"; pass
harness_stop "$HARNESS_PID"
finish

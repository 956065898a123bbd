#!/usr/bin/env bash
# Heap dumps on one JDK, from both engines, read back by VisualVM's heap library
# (a real HPROF consumer, tests/tools/HeapCheck.java) and by carbondump's own
# validating reader (hprof-check):
#  - vm and jvmti engines, each without and with --heap-redact basic and full,
#    on the demo server: exactly 1234 CountedThings, their int and long fields
#    (stamp = id * 1000003) and their ring of next references, GC roots; the
#    redacted dumps hold no byte of the planted CDHEAPSECRET- canaries, keep the
#    same graph and the thread names; the dump is stored in the ZIP as written;
#  - the jvmti engine writes every field of a class hierarchy with interface
#    constants, statics and every primitive type exactly as the VM's own dumper
#    does (tests/tools/HeapFixture.java), and stays valid while classes load;
#  - from JDK 22 the vm engine asks the VM's dumper for one thread per CPU;
#  - --live drops unreachable objects, the default (-all) keeps them, as jmap;
#  - with too little free space (a 2 MiB tmpfs as output directory) the heap
#    dump is skipped with its reason and the rest of the bundle is written.
. "$(dirname "$0")/lib.sh"

HPROF_CHECK="$CD_BUILD/tests/hprof-check"
JAVA="$CD_JAVA_HOME/bin/java"
COUNTED=org.carbondump.harness.CountedThing
HEAP_JAR=${VISUALVM_HEAP_JAR:-$(ls /usr/share/visualvm/*/modules/org-graalvm-visualvm-lib-jfluid-heap.jar 2>/dev/null | head -n 1)}
[ -f "$HEAP_JAR" ] || fail "VisualVM's heap library not found (Debian package visualvm; or set VISUALVM_HEAP_JAR)"
[ -x "$HPROF_CHECK" ] || fail "$HPROF_CHECK not built"

TOOLS="$WORK/tools"
mkdir -p "$TOOLS"
"$CD_JAVA_HOME/bin/javac" --release 11 -d "$TOOLS" -cp "$HEAP_JAR" \
  "$CD_SOURCE/tests/tools/HeapCheck.java" "$CD_SOURCE/tests/tools/HeapFixture.java" ||
  fail "cannot compile the heap dump checkers"
pass

# The uncompressed dump of a bundle, for VisualVM (which reads plain HPROF).
dump_of() { # zip name
  local out="$WORK/$2.hprof"
  unzip -p "$1" '*/memoryinfo/java_heap_memory_dump.hprof.gz' | gunzip >"$out" ||
    fail "no readable memoryinfo/java_heap_memory_dump.hprof.gz in $1"
  echo "$out"
}
heap_check() { # dump commands...
  "$JAVA" -Xmx1g -cp "$HEAP_JAR:$TOOLS" HeapCheck "$@" || fail "VisualVM's heap library cannot read $1"
}
fact() { # file key: the value after "key " on its line
  sed -n "s/^$2 //p" "$1" | head -n 1
}

# Dumps with engine and redaction; checks what every dump must show. Sets DUMP
# and FACTS (HeapCheck's output).
dump_and_check() { # pid engine redact
  local pid=$1 engine=$2 redact=$3 name="$2-$3"
  run_carbondump --pid "$pid" --only heapdump --heap-engine "$engine" --heap-redact "$redact" \
    -o "$WORK/bundles-$name"
  expect_eq 0 "$RC" "exit status, $name"
  local m; m=$(bundle_manifest "$BUNDLE")
  expect_eq ok "$(json_get "$m" 'j["sections"]["heapdump"]["status"]')" "heapdump status, $name"
  expect_eq Stored "$(unzip -v "$BUNDLE" | awk '/memoryinfo\/java_heap_memory_dump.hprof.gz$/ { print $2 }')" \
    "the dump is stored in the ZIP as written, $name"
  DUMP=$(dump_of "$BUNDLE" "$name")
  # HotSpot leaves references from CDS's archived roots array to objects it does
  # not dump, so only the agent's dumps pass the object reference check.
  local objects=""
  [ "$engine" = jvmti ] && objects=--objects
  "$HPROF_CHECK" $objects "$DUMP" >"$WORK/$name.check" 2>&1 ||
    fail "hprof-check rejects the $name dump: $(cat "$WORK/$name.check")"
  pass
  expect_file_contains "$WORK/$name.check" "count 1234 $COUNTED" "hprof-check's count, $name"
  FACTS="$WORK/$name.facts"
  heap_check "$DUMP" ring "$COUNTED" 1234 threads roots >"$FACTS"
  expect_eq 1234 "$(fact "$FACTS" instances)" "CountedThing instances, $name"
  expect_eq 1234 "$(fact "$FACTS" next_class_ok)" "next of every CountedThing is a CountedThing, $name"
  expect_eq 1234 "$(fact "$FACTS" ring)" "the next references form one ring of 1234, $name"
  [ "$(fact "$FACTS" "root thread_object")" -ge 10 ] 2>/dev/null ||
    fail "thread object roots in the $name dump: $(grep '^root' "$FACTS" | tr '\n' ' ')"
  pass
  [ "$(fact "$FACTS" "root Java_frame")" -ge 1 ] 2>/dev/null ||
    fail "Java frame roots in the $name dump: $(grep '^root' "$FACTS" | tr '\n' ' ')"
  pass
  for thread in main cd-runnable cd-blocked cd-monitor-owner; do
    expect_file_contains "$FACTS" "thread $thread" "thread name $thread, $name"
  done
  local secrets; secrets=$(grep -c -a CDHEAPSECRET- "$DUMP")
  if [ "$redact" = none ]; then
    [ "$secrets" -gt 0 ] || fail "the planted CDHEAPSECRET- canaries are missing from the $name dump"
    pass
  else
    expect_eq 0 "$secrets" "dump lines holding CDHEAPSECRET-, $name"
  fi
  if [ "$redact" = full ]; then
    expect_eq 1 "$(fact "$FACTS" ids_distinct)" "ids all zeroed, $name"
    expect_eq 0 "$(fact "$FACTS" next_id_ok)" "no id survives to match, $name"
  else
    expect_eq 1234 "$(fact "$FACTS" ids_distinct)" "distinct ids, $name"
    expect_eq 1234 "$(fact "$FACTS" stamp_ok)" "stamp = id * 1000003, $name"
    expect_eq 1234 "$(fact "$FACTS" next_id_ok)" "next has id + 1, $name"
    expect_eq "id=7 stamp=7000021" "$(fact "$FACTS" sample)" "the instance with id 7, $name"
  fi
}

# ---------------------------------------------------------------- the demo server
# From JDK 22 the VM's dumper is asked for one thread per CPU; its heapdump log
# says how many were requested.
JDK_MAJOR=$(jdk_major)
DUMP_LOG="$WORK/server-heapdump.log"
server_opts=()
[ "${JDK_MAJOR:-0}" -ge 22 ] && server_opts=("-Xlog:heapdump=info:file=$DUMP_LOG" --)
harness_start server "${server_opts[@]}"
server=$HARNESS_PID
for engine in vm jvmti; do
  for redact in none basic full; do
    dump_and_check "$server" "$engine" "$redact"
  done
done
expect_alive "$server"
if [ "${JDK_MAJOR:-0}" -ge 22 ] && [ "$(nproc)" -gt 1 ]; then
  expect_file_contains "$DUMP_LOG" "Requested dump threads $(nproc)," \
    "the VM's dumper asked for one thread per CPU"
fi

# ---------------------------------------------------------------- field by field
# A class hierarchy with interface constants (one interface reached twice),
# statics and all primitive types: the agent's dump must read like the VM's.
fixture_log="$WORK/fixture.stdout"
"$JAVA" -Xcheck:jni -Xmx256m -Xmn200m -cp "$TOOLS" HeapFixture >"$fixture_log" 2>"$WORK/fixture.stderr" </dev/null &
fixture=$!
harness_track "$fixture"
HARNESS_LOGS+=("$fixture_log" "$WORK/fixture.stderr") # checked for JNI misuse by finish
for _ in $(seq 1 300); do grep -q READY "$fixture_log" && break; sleep 0.1; done
grep -q READY "$fixture_log" || fail "HeapFixture did not start: $(cat "$WORK/fixture.stderr")"
for engine in vm jvmti; do
  run_carbondump --pid "$fixture" --only heapdump --heap-engine "$engine" -o "$WORK/fixture-$engine"
  expect_eq 0 "$RC" "exit status, fixture $engine"
  heap_check "$(dump_of "$BUNDLE" "fixture-$engine")" fields 'HeapFixture$Leaf' count 'HeapFixture$Dropped' |
    grep -v '<resolved_references>' >"$WORK/fixture-$engine.fields"
done
expect_eq 777 "$(grep -c '^instance ' "$WORK/fixture-jvmti.fields")" "HeapFixture\$Leaf instances in the jvmti dump"
diff <(grep -v '^count' "$WORK/fixture-vm.fields") <(grep -v '^count' "$WORK/fixture-jvmti.fields") \
  >"$WORK/fields.diff" || fail "the jvmti dump's fields differ from the VM's: $(head -n 6 "$WORK/fields.diff")"
pass
expect_file_contains "$WORK/fixture-jvmti.fields" \
  'instance baseRef="leaf-7" flag=true id=7 label="leaf-7" letter=H medium=-979 next=<HeapFixture$Leaf> numbers=int[][7, -7, 49] ratio=0.875 secret=null small=-43 stamp=7000021 weight=1.75' \
  "every field of Leaf 7 (own, superclasses', all primitive types)"
expect_file_contains "$WORK/fixture-jvmti.fields" 'static HeapFixture$Leaf.leafStatic=-7' "a static long"
# Each class's own fields last declared first, as JDK 17's dumper lists them:
# an object's references to its neighbours then sit next to its own id, and
# deflate shrinks the records by a fifth on the heap-dump bench's nodes.
expect_eq 'layout HeapFixture$Leaf secret numbers next weight stamp id
layout HeapFixture$Middle label ratio medium
layout HeapFixture$Base baseRef letter small flag
layout java.lang.Object' \
  "$(heap_check "$WORK/fixture-jvmti.hprof" layout 'HeapFixture$Leaf')" \
  "the jvmti dump's field order"
expect_file_contains "$WORK/fixture-jvmti.fields" 'static HeapFixture$Middle.middleStatic="middle-static"' \
  "a static String"
# jmap's semantics: all objects by default, reachable ones with --live (a full
# GC first); the jvmti engine only ever reaches live objects
expect_eq "count 300" "$(grep '^count' "$WORK/fixture-vm.fields")" "unreachable objects in a default vm dump"
expect_eq "count 0" "$(grep '^count' "$WORK/fixture-jvmti.fields")" "unreachable objects in a jvmti dump"
run_carbondump --pid "$fixture" --only heapdump --live -o "$WORK/fixture-live"
expect_eq 0 "$RC" "exit status, --live"
expect_eq "count 0" "$(heap_check "$(dump_of "$BUNDLE" fixture-live)" count 'HeapFixture$Dropped')" \
  "unreachable objects in a --live vm dump"
harness_stop "$fixture"

# ---------------------------------------------------------------- classes loading during the dump
"$JAVA" -Xcheck:jni -Xmx256m -cp "$TOOLS" HeapFixture churn >"$WORK/churn.stdout" 2>"$WORK/churn.stderr" </dev/null &
churn=$!
harness_track "$churn"
HARNESS_LOGS+=("$WORK/churn.stdout" "$WORK/churn.stderr")
for _ in $(seq 1 300); do grep -q READY "$WORK/churn.stdout" && break; sleep 0.1; done
for i in 1 2; do
  run_carbondump --pid "$churn" --only heapdump --heap-engine jvmti -o "$WORK/churn"
  expect_eq 0 "$RC" "exit status, jvmti dump #$i while classes load"
  d=$(dump_of "$BUNDLE" "churn-$i")
  "$HPROF_CHECK" --objects "$d" >"$WORK/churn-$i.check" 2>&1 ||
    fail "hprof-check rejects a dump taken while classes load: $(cat "$WORK/churn-$i.check")"
  pass
  expect_eq 777 "$(heap_check "$d" count 'HeapFixture$Leaf' | sed -n 's/^count //p')" \
    "Leaf instances in dump #$i while classes load"
done
expect_alive "$churn"
harness_stop "$churn"

# ---------------------------------------------------------------- too little disk
small="$WORK/small-disk"
mkdir -p "$small"
if mount -t tmpfs -o size=2m tmpfs "$small" 2>/dev/null; then
  trap 'umount "$small" 2>/dev/null; cleanup' EXIT
  for engine in vm jvmti; do
    run_carbondump --pid "$server" --only jvm,heapdump --heap-engine "$engine" -o "$small/$engine"
    expect_eq 3 "$RC" "exit status when the dump does not fit, $engine"
    [ -f "$BUNDLE" ] || fail "no bundle written when the heap dump does not fit ($engine)"
    pass
    unzip -tq "$BUNDLE" >/dev/null || fail "unzip -t rejects $BUNDLE"
    pass
    m=$(bundle_manifest "$BUNDLE")
    expect_eq skipped "$(json_get "$m" 'j["sections"]["heapdump"]["status"]')" "heapdump status, no space, $engine"
    reason=$(json_get "$m" 'j["sections"]["heapdump"]["reason"]')
    [[ "$reason" == "not enough free space in $small/$engine: about "*" MiB needed, "*" MiB free (dump estimated at "*" MiB from "*" MiB of heap in use)" ]] ||
      fail "reason for skipping the heap dump ($engine): $reason"
    pass
    expect_file_contains "$LAST_STDERR" "heap dump skipped: not enough free space in $small" \
      "the reason on stderr, $engine"
    expect_eq ok "$(json_get "$m" 'j["sections"]["jvm"]["status"]')" "the jvm section still ok, $engine"
    unzip -l "$BUNDLE" | grep -q 'javainfo/jvm_info.json' || fail "jvm_info.json missing ($engine)"
    pass
    unzip -l "$BUNDLE" | grep -q 'hprof' && fail "a heap dump file in the bundle although skipped ($engine)"
    pass
    expect_no_partial_files "$small"
  done
  leftovers=$(find "/proc/$server/root/tmp" -maxdepth 1 -name "carbondump-$server-*" 2>/dev/null | head -n 1)
  [ -z "$leftovers" ] || fail "a staging directory was left in the target's /tmp: $leftovers"
  pass
  umount "$small"
else
  echo "note: cannot mount a tmpfs here (not root?): the free-space test did not run" >&2
fi
expect_alive "$server"
finish

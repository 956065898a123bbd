#!/usr/bin/env bash
# Heap and VM analysis on one JDK, checked against the JDK's own tools on the
# same JVM: the class histogram against jmap -histo:live (exact for the
# harness's 1234 CountedThings, Total within 2%), the finalizer backlog against
# jmap -finalizerinfo, the flags against jcmd VM.flags -all; the heap summary
# names the collector in use (G1, then Parallel in a second JVM); the class
# loaders include the application loader; GC statistics have counts and the
# pauses the agent saw; the maps section lists libjvm.so.
. "$(dirname "$0")/lib.sh"

JMAP="$CD_JAVA_HOME/bin/jmap"
JCMD="$CD_JAVA_HOME/bin/jcmd"
JDK_MAJOR=$(jdk_major)
SECRET=CDSECRET-heap-analysis-sysprop

# Unzips a bundle into a fresh directory and prints the directory holding its
# files (carbondump-<ts>/).
unpack() { # zip name
  local dir="$WORK/unpacked-$2"
  mkdir -p "$dir" && unzip -q "$1" -d "$dir" || fail "cannot unzip $1"
  echo "$dir"/carbondump-*
}

# "instances bytes" of the row for class name (exact match of the name column).
histo_row() { # file class
  awk -v c="$2" '$1 ~ /^[0-9]+:$/ && $4 == c { print $2, $3; exit }' "$1"
}
histo_total() { # file
  awk '$1 == "Total" { print $2, $3 }' "$1"
}
within_percent() { # actual expected percent
  python3 -c 'import sys; a, e, p = map(float, sys.argv[1:]); sys.exit(0 if abs(a - e) <= e * p / 100 else 1)' "$@"
}

# ---------------------------------------------------------------- G1, full run
harness_start g1 -XX:+UseG1GC "-Dcd.test.password=$SECRET" -- --plant finalizer
pid=$HARNESS_PID
counted=$(json_get "$HARNESS_HOME.harness.json" 'j["counted_things"]["count"]')
counted_class=$(json_get "$HARNESS_HOME.harness.json" 'j["counted_things"]["class"]')
expect_eq 1234 "$counted" "CountedThing instances the harness planted"

# the agent's JVMTI walk (--heap-engine jvmti) is what these checks are about;
# the VM's own inspection (the default engine) is checked after them
run_carbondump --pid "$pid" --only histogram,heap-summary,finalizer,classloaders,gc,flags,maps \
  --live --heap-engine jvmti -o "$WORK/g1"
jmap_histo="$WORK/jmap-histo.txt"
"$JMAP" -histo:live "$pid" >"$jmap_histo" || fail "jmap -histo:live failed"
jmap_final="$WORK/jmap-finalizerinfo.txt"
"$JMAP" -finalizerinfo "$pid" >"$jmap_final" || fail "jmap -finalizerinfo failed"
jcmd_flags="$WORK/jcmd-flags.txt"
"$JCMD" "$pid" VM.flags -all >"$jcmd_flags" || fail "jcmd VM.flags -all failed"
expect_eq 0 "$RC" "exit status of the heap and VM sections"
m=$(bundle_manifest "$BUNDLE")
for s in histogram heap-summary finalizer classloaders gc flags maps; do
  expect_eq ok "$(json_get "$m" "j['sections']['$s']['status']")" "status of section $s"
done
b=$(unpack "$BUNDLE" g1)

# histogram: jmap's layout, exact for the counted class, Total within 2 %
h="$b/memoryinfo/java_heap_histogram.txt"
expect_eq " num     #instances         #bytes  class name (module)" "$(sed -n 1p "$h")" "histogram header"
expect_eq "-------------------------------------------------------" "$(sed -n 2p "$h")" "histogram rule"
bad=$(sed '1,2d;$d' "$h" | grep -Evc '^ *[0-9]+: +[0-9]+ +[0-9]+  [^ ]+( \([^ ]+\))?$')
expect_eq 0 "$bad" "histogram rows not in jmap's row format"
[[ "$(tail -n 1 "$h")" =~ ^Total\ +[0-9]+\ +[0-9]+$ ]] || fail "last histogram line is not Total: $(tail -n 1 "$h")"; pass
sorted=$(sed '1,2d;$d' "$h" | awk '{print $3}' | sort -rnc 2>&1 && echo yes)
expect_eq yes "$sorted" "histogram rows sorted by bytes, largest first"
ours=$(histo_row "$h" "$counted_class")
theirs=$(histo_row "$jmap_histo" "$counted_class")
expect_eq 1234 "${ours% *}" "histogram instances of $counted_class"
expect_eq "${theirs#* }" "${ours#* }" "histogram bytes of $counted_class (jmap -histo:live)"
read -r our_instances our_bytes <<<"$(histo_total "$h")"
# jmap -histo:live counts the fillers HotSpot 19+ puts in dead space
# (jdk.internal.vm.Filler*); the live histogram leaves them out
grep -v 'jdk\.internal\.vm\.Filler' "$jmap_histo" >"$WORK/jmap-histo-objects.txt"
read -r jmap_instances jmap_bytes <<<"$(awk '$1 ~ /:$/ { i += $2; b += $3 } END { print i, b }' "$WORK/jmap-histo-objects.txt")"
expect_eq "" "$(grep 'jdk\.internal\.vm\.Filler' "$h")" "dead filler rows in the live histogram"
within_percent "$our_bytes" "$jmap_bytes" 2 || fail "histogram Total bytes $our_bytes is not within 2% of jmap's $jmap_bytes"; pass
within_percent "$our_instances" "$jmap_instances" 2 || fail "histogram Total instances $our_instances is not within 2% of jmap's $jmap_instances"; pass
# names and modules as jmap prints them: every class jmap counts 100+ times is
# in ours under the same "name (module)"
missing=$(comm -23 <(awk '$1 ~ /:$/ && $2 >= 100 { $1 = $2 = $3 = ""; print substr($0, 4) }' "$WORK/jmap-histo-objects.txt" | sort) \
                   <(awk '$1 ~ /:$/ { $1 = $2 = $3 = ""; print substr($0, 4) }' "$h" | sort) | head -n 3)
expect_eq "" "$missing" "classes (with module) jmap lists 100+ times but the histogram does not"
expect_file_contains "$h" "  [B (java.base@" "byte arrays named [B with java.base's module"
expect_file_contains "$h" "  [Ljava.lang.Object; (java.base@" "object arrays named [Ljava.lang.Object;"
lambda=$(grep -Eo '[^ ]+\$\$Lambda[^ ]*/0x[0-9a-f]+$' "$h" | head -n 1)
[ -n "$lambda" ] || fail "no lambda class named Class.getName()-style (…\$\$Lambda…/0x…) in the histogram"; pass
grep -qF "  $lambda" "$jmap_histo" || fail "lambda class $lambda is not named so by jmap"; pass
json_total=$(json_get "$b/memoryinfo/java_heap_histogram.json" 'j["total_bytes"]')
expect_eq "$our_bytes" "$json_total" "histogram JSON total_bytes"

# the default engine: the VM's own parallel heap inspection, jmap's text itself
run_carbondump --pid "$pid" --only histogram --live -o "$WORK/g1-vm"
expect_eq 0 "$RC" "exit status of the vm-engine histogram"
bv=$(unpack "$BUNDLE" g1-vm)
hv="$bv/memoryinfo/java_heap_histogram.txt"
expect_eq " num     #instances         #bytes  class name (module)" "$(sed -n 1p "$hv")" "vm-engine histogram header"
ours=$(histo_row "$hv" "$counted_class")
expect_eq 1234 "${ours% *}" "vm-engine histogram instances of $counted_class"
expect_eq "${theirs#* }" "${ours#* }" "vm-engine histogram bytes of $counted_class (jmap -histo:live)"
expect_eq "$(histo_total "$hv" | cut -d' ' -f2)" \
  "$(json_get "$bv/memoryinfo/java_heap_histogram.json" 'j["total_bytes"]')" "vm-engine JSON total_bytes"
expect_eq vm "$(json_get "$bv/memoryinfo/java_heap_histogram.json" 'j["engine"]')" "engine named in the JSON"

# finalizer backlog, as jmap -finalizerinfo counts it
f="$b/memoryinfo/objects_awaiting_finalization.txt"
jmap_count=$(awk '$2 == "org.carbondump.harness.Plants$Finalizable" { print $1 }' "$jmap_final")
our_count=$(awk '$2 == "org.carbondump.harness.Plants$Finalizable" { print $1 }' "$f")
[ -n "$jmap_count" ] || fail "jmap -finalizerinfo shows no Plants\$Finalizable backlog"; pass
expect_eq "$jmap_count" "$our_count" "Plants\$Finalizable instances awaiting finalization"
expect_eq "Unreachable instances waiting for finalization" "$(sed -n 1p "$f")" "finalizer header"

# heap summary: the collector in use, pools, sizing flags
s="$b/memoryinfo/java_heap_summary.txt"
expect_eq "Garbage collector: G1 (-XX:+UseG1GC)" "$(sed -n 1p "$s")" "collector named by the heap summary"
expect_file_contains "$s" "  G1 Eden Space " "G1 Eden Space pool"
expect_file_contains "$s" "  G1 Old Gen " "G1 Old Gen pool"
expect_file_contains "$s" "Young generation (total)" "young generation total"
expect_file_contains "$s" "  Metaspace " "Metaspace pool"
expect_file_contains "$s" "   MaxHeapSize                = 268435456 (256.0MB)  {command line}" "MaxHeapSize (-Xmx256m)"
expect_eq G1 "$(json_get "$b/memoryinfo/java_heap_summary.json" 'j["collector"]')" "collector in the JSON"

# class loaders: the application loader defined the harness's classes
c="$b/memoryinfo/class_loader_statistics.txt"
app=$(grep -E '^ +[0-9]+ +[0-9]+ +[0-9]+  jdk\.internal\.loader\.ClassLoaders\$AppClassLoader@[0-9a-f]+ "app"  ->  jdk\.internal\.loader\.ClassLoaders\$PlatformClassLoader@' "$c")
[ -n "$app" ] || fail "no application class loader row in $c"; pass
app_classes=$(awk '{print $1}' <<<"$app")
[ "$app_classes" -ge 50 ] || fail "the application loader defined only $app_classes classes"; pass
expect_file_contains "$c" "<bootstrap>  ->  -" "bootstrap loader row"
expect_file_contains "$c" "Total: " "class loader totals"
expect_file_contains "$c" "  Metaspace                used " "metaspace use"

# GC statistics: collector counts, and the forced collection seen as a pause
g="$b/memoryinfo/gc_statistics.json"
expect_eq "True" "$(json_get "$g" 'sum(c["collections"] for c in j["collectors"]) >= 1')" "collections counted"
expect_eq "True" "$(json_get "$g" '"G1 Young Generation" in [c["name"] for c in j["collectors"]]')" "G1 Young Generation collector listed"
expect_eq "True" "$(json_get "$g" 'j["pauses"]["count"] >= 1 and j["pauses"]["max_ms"] > 0')" "pauses seen by the agent (--live forced one)"
expect_eq "True" "$(json_get "$g" 'len(j["pauses"]["last"]) == min(j["pauses"]["count"], 100)')" "last pauses listed"
expect_file_contains "$b/memoryinfo/gc_statistics.txt" "Pauses:" "pause count in the text"

# flags: every flag jcmd VM.flags -all lists, with its origin
v="$b/javainfo/vm_flags.txt"
expect_file_contains "$v" " MaxHeapSize " "MaxHeapSize in vm_flags.txt"
only_jcmd=$(comm -23 <(awk 'NF > 3 && $1 != "[Global" { print $2 }' "$jcmd_flags" | sort) \
                     <(awk 'NR > 1 { print $2 }' "$v" | sort) | head -n 3)
expect_eq "" "$only_jcmd" "flags jcmd VM.flags -all lists but vm_flags.txt does not"
origin() { awk -v f="$2" '$2 == f { sub(/.*\{/, "{"); print }' "$1"; }
expect_eq "{command line}" "$(origin "$v" MaxHeapSize)" "origin of MaxHeapSize"
expect_eq "{command line}" "$(origin "$v" UseG1GC)" "origin of UseG1GC"
expect_eq "{ergonomic}" "$(origin "$v" InitialHeapSize)" "origin of InitialHeapSize"
p="$b/javainfo/system_properties.txt"
expect_file_contains "$p" "carbon.home=$HARNESS_HOME" "carbon.home in system_properties.txt"
expect_file_contains "$p" "cd.test.password=********" "password-like property masked"
expect_file_contains "$b/javainfo/vm_arguments.txt" "-Dcd.test.password=********" "password-like argument masked"
expect_file_contains "$b/javainfo/vm_arguments.txt" "-XX:+UseG1GC" "vm_arguments.txt"
leaked=$(grep -rl "$SECRET" "$b" | head -n 1)
expect_eq "" "$leaked" "file holding the secret system property's value"

# maps: libjvm.so with the path the process maps it from
libjvm=$(awk '$6 ~ /\/libjvm\.so$/ { print $6; exit }' "/proc/$pid/maps")
expect_file_contains "$b/memoryinfo/shared_object_mappings.txt" "  $libjvm" "libjvm.so in shared_object_mappings.txt"
expect_file_contains "$b/memoryinfo/shared_object_mappings.txt" "(from /proc/$pid/smaps)" "resident sizes from smaps"

# without --redact the property is in the clear
run_carbondump --pid "$pid" --only flags --no-redact -o "$WORK/g1-plain"
expect_eq 0 "$RC" "exit status with --no-redact"
grep -q "cd.test.password=$SECRET" <(unzip -p "$BUNDLE" '*/javainfo/system_properties.txt') ||
  fail "--no-redact still masks the property"; pass
expect_alive "$pid"
harness_stop "$pid"

# ---------------------------------------------------------------- Parallel
finalization=()
[ "$JDK_MAJOR" -ge 18 ] && finalization=(--finalization=disabled)
harness_start parallel -XX:+UseParallelGC "${finalization[@]}" --
pid=$HARNESS_PID
run_carbondump --pid "$pid" --only histogram,heap-summary,finalizer --live -o "$WORK/parallel"
expect_eq 0 "$RC" "exit status on the Parallel collector"
b=$(unpack "$BUNDLE" parallel)
s="$b/memoryinfo/java_heap_summary.txt"
expect_eq "Garbage collector: Parallel (-XX:+UseParallelGC)" "$(sed -n 1p "$s")" "collector named by the heap summary"
expect_file_contains "$s" "  PS Old Gen " "PS Old Gen pool"
expect_file_contains "$s" "Old generation (total)" "old generation total"
ours=$(histo_row "$b/memoryinfo/java_heap_histogram.txt" "$counted_class")
expect_eq 1234 "${ours% *}" "histogram instances of $counted_class on Parallel"
f="$b/memoryinfo/objects_awaiting_finalization.txt"
if [ "$JDK_MAJOR" -ge 18 ]; then
  expect_file_contains "$f" "Finalization is disabled" "finalizer report with --finalization=disabled"
  expect_eq False "$(json_get "$b/memoryinfo/objects_awaiting_finalization.json" 'j["finalization_enabled"]')" "finalization_enabled in the JSON"
else
  expect_eq "No instances waiting for finalization found" "$(cat "$f")" "finalizer report without a backlog"
fi
expect_alive "$pid"
harness_stop "$pid"

# ---------------------------------------------------------------- under OutOfMemoryError
# Loaded at start-up, the agent answers the OOM from the thread that hit it:
# what needs no Java heap is there (the heap summary from the JVM's hsperfdata
# counters), the rest is skipped with the reason.
oom_out="$WORK/oom-bundles"
mkdir -p "$oom_out"
parts=histogram+heap-summary+finalizer+classloaders+gc+flags
harness_start oom -Xmx128m \
  "-agentpath:$CD_BUILD/lib/libcarbondump.so=output=$oom_out,on-oom=jvm-only,parts=$parts" -- \
  --plant leak
result=
for _ in $(seq 1 600); do
  result=$(ls "$oom_out"/*/agent-result.json 2>/dev/null | head -n 1)
  [ -n "$result" ] && break
  sleep 0.2
done
[ -n "$result" ] || fail "no agent-result.json under $oom_out 120 s after start-up with the leak plant"; pass
o=$(dirname "$result")
for part in histogram heap-summary finalizer classloaders gc; do
  expect_eq ok "$(json_get "$result" "j['parts']['$part']['status']")" "$part under OutOfMemoryError"
done
expect_eq skipped "$(json_get "$result" "j['parts']['flags']['status']")" "flags under OutOfMemoryError"
expect_eq True "$(json_get "$result" "'Java heap is exhausted' in j['parts']['flags']['reason']")" "reason flags was skipped"
# the heap summary: the leak fills the old generation, which the counters show
summary="$o/memoryinfo/java_heap_summary.json"
expect_eq "hsperfdata G1" "$(json_get "$summary" 'j["source"] + " " + j["collector"]')" "heap summary's source under OutOfMemoryError"
expect_eq True "$(json_get "$summary" 'j["heap"]["used"] > 0.8 * j["heap"]["max"] and j["old"]["used"] > 0.5 * j["heap"]["max"]')" \
  "heap and old generation use under OutOfMemoryError: $(json_get "$summary" '[j["heap"], j.get("old")]')"
expect_file_contains "$o/memoryinfo/java_heap_summary.txt" "From the JVM's hsperfdata counters" "heap summary text under OutOfMemoryError"
leaked=$(histo_row "$o/memoryinfo/java_heap_histogram.txt" org.carbondump.harness.LeakedRecord)
[ "${leaked% *}" -ge 1000 ] || fail "the leak's LeakedRecords are not in the histogram: '$leaked'"; pass
expect_eq "" "$(grep ' (java.base@' "$o/memoryinfo/java_heap_histogram.txt")" "module suffixes under OutOfMemoryError"
expect_eq True "$(json_get "$o/memoryinfo/gc_statistics.json" 'j["pauses"]["count"] >= 1')" "pauses recorded up to the OutOfMemoryError"
expect_file_contains "$o/javainfo/vm_arguments.txt" "# The launcher's command line (/proc/self/cmdline)" "vm_arguments.txt from /proc"
expect_alive "$HARNESS_PID"
finish

#!/usr/bin/env bash
# Faults of the host and of carbondump itself, with no JVM in them:
#  - carbondump killed (-9) while it writes the ZIP: no ZIP under the final name;
#    the next run in the same directory removes what the dead run left, and only
#    that (never the staging area of a run that is still alive);
#  - an output directory on a read-only file system: refused before any work;
#  - a file system that hangs or crawls under CARBON_HOME: the section reading it
#    gives up after --section-timeout, the manifest says "timed out after N s",
#    the other sections and the bundle go on without its unfinished files.
# Slow and hung file systems come from tests/faultinject/slowfs.c (LD_PRELOAD).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/faults_lib.sh"

SLOWFS="$CD_BUILD/tests/libcd_slowfs.so"
[ -f "$SLOWFS" ] || fail "the fault-injection library $SLOWFS is not built"
# In a sanitizer build the preloaded library comes before the ASan runtime.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# Runs carbondump under the given environment (VAR=value ...), then the
# arguments after --; sets RC, LAST_STDOUT, LAST_STDERR and BUNDLE like
# run_carbondump. A run that hangs is cut off after 120 s (and fails the test).
run_carbondump_env() {
  local vars=()
  while [ "$1" != "--" ]; do vars+=("$1"); shift; done
  shift
  local n=$((CHECKS + RANDOM))
  LAST_STDOUT="$WORK/out.$n"; LAST_STDERR="$WORK/err.$n"
  env "${vars[@]}" timeout -s KILL 120 "$CARBONDUMP" "$@" >"$LAST_STDOUT" 2>"$LAST_STDERR" </dev/null
  RC=$?
  [ "$RC" = 137 ] && fail "carbondump $* did not finish within 120 s"
  BUNDLE=$(tail -n 1 "$LAST_STDOUT" 2>/dev/null)
}

# The start time of a process (clock ticks since boot, field 22 of its stat).
start_ticks() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }

home="$WORK/home"
mkdir -p "$home/repository/conf" "$home/repository/logs" "$home/lib/slow" "$home/lib/hung"
printf '<Server><Name>WSO2 Test</Name></Server>\n' >"$home/repository/conf/carbon.xml"
printf 'started\n' >"$home/repository/logs/wso2carbon.log"
for i in $(seq 1 40); do printf 'jar %d\n' "$i" >"$home/lib/slow/part-$i.jar"; done
printf 'never read\n' >"$home/lib/hung/stuck.jar"

# ---------------------------------------------------------------- killed mid-bundle
out="$WORK/killed"
mkdir -p "$out"
# Reading the bundle's files into the ZIP crawls (200 ms per read), so the kill
# lands while libzip's temporary ZIP is being written.
CD_SLOWFS_PREFIX="$out" CD_SLOWFS_READ_DELAY_MS=200 LD_PRELOAD="$SLOWFS" \
  "$CARBONDUMP" --carbon-home "$home" --only os,listing -o "$out" -q \
  >"$WORK/killed.out" 2>"$WORK/killed.err" </dev/null &
victim=$!
for _ in $(seq 1 600); do
  compgen -G "$out/.carbondump-*/carbondump-*.zip.partial*" >/dev/null && break
  sleep 0.05
done
compgen -G "$out/.carbondump-*/carbondump-*.zip.partial*" >/dev/null ||
  { kill -9 "$victim"; fail "carbondump never started writing its ZIP"; }
kill -9 "$victim"; wait "$victim" 2>/dev/null
expect_eq "" "$(find "$out" -maxdepth 1 -name 'carbondump-*.zip')" "ZIP under the final name after kill -9"
left=$(find "$out" -maxdepth 1 -name ".carbondump-*.owner-*-$victim-*")
[ -d "$left" ] || fail "the killed run left no staging area naming pid $victim"; pass
compgen -G "$left/*.zip.partial*" >/dev/null || fail "the killed run's partial ZIP is not in $left"; pass
# a staging area of a live run (a process that is still running, by pid and start time)
sleep 300 & live=$!
harness_track "$live"
ns=$(stat -L -c %i /proc/self/ns/pid)
live_area="$out/.carbondump-2026-01-01_00-00-00.owner-$ns-$live-$(start_ticks "$live").AbCdEf"
mkdir -p "$live_area/osinfo"; printf 'in progress\n' >"$live_area/osinfo/os_meminfo.txt"
# a pid of ours but a different start time: an earlier process, gone
reused_area="$out/.carbondump-2026-01-01_00-00-01.owner-$ns-$live-1.AbCdEf"
mkdir -p "$reused_area"
# a staging area of unknown form (an older carbondump): not ours to judge
unknown_area="$out/.carbondump-2026-01-01_00-00-02.XyZabc"
mkdir -p "$unknown_area"

run_carbondump --carbon-home "$home" --only listing -o "$out"
expect_eq 0 "$RC" "exit status of the run after the killed one"
expect_file_contains "$LAST_STDERR" "removed $left, left by a carbondump that is no longer running" \
  "message about the killed run's leftovers"
[ ! -e "$left" ] || fail "the killed run's staging area $left is still there"; pass
[ ! -e "$reused_area" ] || fail "the staging area of an ended owner whose pid was reused is still there"; pass
[ -f "$live_area/osinfo/os_meminfo.txt" ] || fail "the live run's staging area was touched"; pass
[ -d "$unknown_area" ] || fail "a staging area of unknown form was removed"; pass
expect_eq 1 "$(find "$out" -maxdepth 1 -name 'carbondump-*.zip' | wc -l)" "bundles in $out"
expect_entries_match_zip "$BUNDLE" "$(bundle_manifest "$BUNDLE")"
expect_no_partial_files "$out"
kill -9 "$live"; wait "$live" 2>/dev/null

# ---------------------------------------------------------------- runs side by side
# Three runs begun in the same second into one directory: none replaces another's ZIP.
out="$WORK/side-by-side"
pids=()
for i in 1 2 3; do
  "$CARBONDUMP" --carbon-home "$home" --only listing -o "$out" -q >"$WORK/side.$i.out" 2>&1 </dev/null &
  pids+=("$!")
done
for i in 1 2 3; do wait "${pids[$((i - 1))]}" || fail "side-by-side run $i failed: $(cat "$WORK/side.$i.out")"; done
expect_eq 3 "$(cat "$WORK"/side.*.out | sort -u | wc -l)" "distinct bundle paths of three runs"
expect_eq 3 "$(ls "$out"/carbondump-*.zip | wc -l)" "bundles of three runs in one directory"
for f in "$out"/carbondump-*.zip; do unzip -tq "$f" >/dev/null || fail "unzip -t rejects $f"; done; pass

# ---------------------------------------------------------------- read-only output
if [ "$(id -u)" = 0 ]; then
  ro="$WORK/ro"
  mount_tmpfs "$ro" 1m
  mount -o remount,ro "$ro" || fail "cannot remount $ro read-only"
  run_carbondump --carbon-home "$home" --only os,listing -o "$ro"
  expect_eq 2 "$RC" "exit status for a read-only output directory"
  expect_file_contains "$LAST_STDERR" \
    "carbondump: no bundle written: cannot write to output directory $ro: Read-only file system" \
    "message for a read-only output directory"
  grep -q 'listing  *ok\|os  *ok' "$LAST_STDERR" && fail "sections ran before the output directory was checked"; pass
  expect_eq "" "$(cat "$LAST_STDOUT")" "stdout for a read-only output directory"
  run_carbondump --carbon-home "$home" --only os -o "$ro/sub/dir"
  expect_eq 2 "$RC" "exit status for a directory to create on a read-only file system"
  expect_file_contains "$LAST_STDERR" "cannot create directory $ro/sub: Read-only file system" \
    "message for a directory to create on a read-only file system"
  expect_eq "" "$(ls -A "$ro")" "files left on the read-only file system"
else
  echo "skipped: needs root (read-only output directory on a tmpfs)"
fi

# ---------------------------------------------------------------- hung file system
out="$WORK/hung"
run_carbondump_env CD_SLOWFS_PREFIX="$home/lib/hung" CD_SLOWFS_HANG=stuck.jar LD_PRELOAD="$SLOWFS" -- \
  --carbon-home "$home" --only os,checksums,listing --section-timeout 2 -o "$out"
expect_eq 3 "$RC" "exit status with a section stuck on a hung file"
m=$(bundle_manifest "$BUNDLE")
expect_eq failed "$(json_get "$m" 'j["sections"]["checksums"]["status"]')" "checksums status when stuck"
expect_eq "timed out after 2 s (--section-timeout); the files it had not finished are left out" \
  "$(json_get "$m" 'j["sections"]["checksums"]["reason"]')" "checksums reason when stuck"
expect_eq ok "$(json_get "$m" 'j["sections"]["listing"]["status"]')" "listing after the stuck section"
expect_eq ok "$(json_get "$m" 'j["sections"]["os"]["status"]')" "os beside the stuck section"
expect_eq False "$(json_get "$m" 'any(e["path"].startswith("checksum_") for e in j["entries"])')" \
  "checksum files of the timed-out section in the bundle"
expect_file_contains <(unzip -p "$BUNDLE" '*/directory_listing.txt') "lib/hung/stuck.jar" \
  "the listing sees the hung file"
expect_entries_match_zip "$BUNDLE" "$m"
expect_file_contains "$LAST_STDERR" "checksums     failed: timed out after 2 s" "progress line of the stuck section"
expect_eq "$(basename "$BUNDLE")" "$(ls -A "$out")" "what the hung run left in its output directory"

# ---------------------------------------------------------------- slow file system
# 40 files at 400 ms per open: the checksums take far longer than 2 s.
out="$WORK/slow"
run_carbondump_env CD_SLOWFS_PREFIX="$home/lib/slow" CD_SLOWFS_DELAY_MS=400 LD_PRELOAD="$SLOWFS" -- \
  --carbon-home "$home" --only checksums,listing,carbon --section-timeout 2 -o "$out"
expect_eq 3 "$RC" "exit status with a section on a slow file system"
m=$(bundle_manifest "$BUNDLE")
expect_eq "failed: timed out after 2 s (--section-timeout); the files it had not finished are left out" \
  "$(json_get "$m" 'j["sections"]["checksums"]["status"] + ": " + j["sections"]["checksums"]["reason"]')" \
  "checksums on a slow file system"
expect_eq "ok ok" "$(json_get "$m" 'j["sections"]["listing"]["status"] + " " + j["sections"]["carbon"]["status"]')" \
  "listing and carbon beside the slow section"
expect_entries_match_zip "$BUNDLE" "$m"
expect_eq "$(basename "$BUNDLE")" "$(ls -A "$out")" "what the slow run left in its output directory"

# the same file system with a generous limit: everything completes, nothing timed out
out="$WORK/patient"
run_carbondump_env CD_SLOWFS_PREFIX="$home/lib/slow" CD_SLOWFS_DELAY_MS=20 LD_PRELOAD="$SLOWFS" -- \
  --carbon-home "$home" --only checksums --section-timeout 120 -o "$out"
expect_eq 0 "$RC" "exit status with a slow file system and a generous --section-timeout"
expect_file_contains <(unzip -p "$BUNDLE" '*/checksum_values.txt') "lib/slow/part-40.jar" \
  "checksum of the last slow file"
finish

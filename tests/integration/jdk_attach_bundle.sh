#!/usr/bin/env bash
# The foundation end to end on one JDK: attach to the demo server, load the
# agent, get the jvm section, build a valid private ZIP with a manifest; attach
# again and again; find the pid and CARBON_HOME the ways Carbon operators do.
. "$(dirname "$0")/lib.sh"

harness_start home44 --style 4.4
pid=$HARNESS_PID
out="$WORK/bundles"

# --pid/--carbon-home, --only jvm,os
run_carbondump --pid "$pid" --carbon-home "$HARNESS_HOME" --only jvm,os -o "$out"
expect_in "$RC" "exit status of --only jvm,os" 0 3
[ -f "$BUNDLE" ] || fail "stdout's last line is not the bundle: '$BUNDLE'"
expect_eq "$out" "$(dirname "$BUNDLE")" "bundle directory"
[[ "$(basename "$BUNDLE")" =~ ^carbondump-[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{2}-[0-9]{2}-[0-9]{2}\.zip$ ]] ||
  fail "bundle name $(basename "$BUNDLE") is not carbondump-YYYY-MM-DD_HH-MM-SS.zip"; pass
expect_eq "600" "$(stat -c %a "$BUNDLE")" "bundle mode"
unzip -tq "$BUNDLE" >/dev/null || fail "unzip -t rejects $BUNDLE"; pass
m=$(bundle_manifest "$BUNDLE")
expect_eq ok "$(json_get "$m" 'j["sections"]["jvm"]["status"]')" "jvm section status"
expect_eq "$pid" "$(json_get "$m" 'j["target"]["pid"]')" "manifest target pid"
expect_eq "$(readlink -f "$HARNESS_HOME")" "$(json_get "$m" 'j["carbon_home"]')" "manifest carbon_home"
expect_eq "['jvm', 'os']" "$(json_get "$m" 'sorted(j["sections"])')" "sections in the manifest"
# every entry's size and hash match what is in the ZIP
list="$WORK/entries.txt"
json_get "$m" '"\n".join(e["path"]+" "+e["sha256"] for e in j["entries"])' >"$list"
while read -r path sha; do
  actual=$(unzip -p "$BUNDLE" "*/$path" | sha256sum | cut -d' ' -f1)
  expect_eq "$sha" "$actual" "sha256 of $path"
done <"$list"
expect_file_contains <(unzip -p "$BUNDLE" '*/javainfo/jvm_info.json') '"vm_name"' "jvm_info.json"
# the live VM's java, not the one on PATH
info="$WORK/info.txt"; unzip -p "$BUNDLE" '*/carbon_server_info.txt' >"$info"
expect_file_contains "$info" "Java Home : $(readlink -f "$CD_JAVA_HOME")" "carbon_server_info Java Home"
expect_file_contains "$info" "Carbon Home : $(readlink -f "$HARNESS_HOME")" "carbon_server_info Carbon Home"
expect_file_contains "$info" "Product : WSO2" "carbon_server_info Product"
# a password given on the command line is masked in the bundle
expect_alive "$pid"
expect_no_partial_files "$out"

# the original spellings, pid from wso2carbon.pid
run_carbondump -carbonHome "$HARNESS_HOME" --only jvm -o "$out" -q
expect_eq 0 "$RC" "exit status with -carbonHome and no pid (pid from wso2carbon.pid)"
expect_eq "$pid" "$(json_get "$(bundle_manifest "$BUNDLE")" 'j["target"]["pid"]')" "pid read from wso2carbon.pid"
run_carbondump -pid "$pid" --only jvm -o "$out" -q
expect_eq 0 "$RC" "exit status with -pid and no home (home from -Dcarbon.home)"
expect_eq "$(readlink -f "$HARNESS_HOME")" "$(json_get "$(bundle_manifest "$BUNDLE")" 'j["carbon_home"]')" "carbon home from -Dcarbon.home"

# 20 attaches in a row
for i in $(seq 1 20); do
  run_carbondump --pid "$pid" --only jvm -o "$out/repeat" -q
  expect_eq 0 "$RC" "attach #$i"
done
expect_eq 20 "$(ls "$out/repeat"/*.zip | wc -l)" "bundles from 20 attaches"
expect_alive "$pid"
finish

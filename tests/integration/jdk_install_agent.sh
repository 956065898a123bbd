#!/usr/bin/env bash
# carbondump install-agent on the demo CARBON_HOME: the product's start script
# gets the agent (with a backup, mode and owner kept), a server started from it
# serves a control-file request, asking again changes nothing, --uninstall gives
# the script back byte for byte; scripts it cannot edit safely stay untouched.
. "$(dirname "$0")/lib.sh"
harness_cp="$CD_BUILD/harness/classes:$H2_JAR"

home="$WORK/wso2am"
harness_generate "$home" 4.x
script="$home/bin/api-manager.sh"
cp -p "$script" "$WORK/original.sh"
out="$WORK/bundles"; ctl="$WORK/ctl/carbondump.ctl"; mkdir -p "$WORK/ctl"
install_args=(install-agent --carbon-home "$home" --output "$out" --control-file "$ctl"
              --agent-options poll=200,deadlock-check=off)
option="-agentpath:$(readlink -f "$CD_BUILD/lib/libcarbondump.so")=output=$out,control=$ctl,poll=200,deadlock-check=off"

# ---------------------------------------------------------------- install
run_carbondump "${install_args[@]}"
expect_eq 0 "$RC" "exit status of install-agent"
expect_file_contains "$LAST_STDOUT" "added the agent to $script" "report of install-agent"
cmp -s "$WORK/original.sh" "$script.carbondump-backup" ||
  fail "the backup differs from the script as it was"; pass
expect_eq "$(stat -c '%a %U %G' "$WORK/original.sh")" "$(stat -c '%a %U %G' "$script")" "mode and owner of the edited script"
expect_eq "JAVA_OPTS=\"\$JAVA_OPTS $option\"" "$(grep -- '-agentpath:' "$script")" "the one JAVA_OPTS line that loads the agent"
expect_eq 1 "$(grep -c -- '-agentpath:' "$script")" "lines loading the agent"
sh -n "$script" || fail "the edited script is not valid sh"; pass
# the block sits right before the section that runs java
expect_eq "# <<< carbondump agent <<<" \
  "$(grep -B1 '^# ----- Execute The Requested Command' "$script" | head -n 1)" "line before the execute section"

# ---------------------------------------------------------------- again: nothing changes
cp -p "$script" "$WORK/installed.sh"
run_carbondump "${install_args[@]}"
expect_eq 0 "$RC" "exit status of a second install-agent"
expect_file_contains "$LAST_STDOUT" "already loads the agent with these options; nothing changed" "report of a second install-agent"
cmp -s "$WORK/installed.sh" "$script" || fail "a second install-agent changed the script"; pass

# ---------------------------------------------------------------- the server started from the script
# JAVA_OPTS from the environment is kept: -Xcheck:jni reaches the JVM beside the agent.
JAVA_HOME="$CD_JAVA_HOME" JAVA_OPTS="-Xcheck:jni" JVM_MEM_OPTS="-Xmx256m" \
  HARNESS_CLASSPATH="$harness_cp" sh "$script" >"$WORK/server.stdout" 2>"$WORK/server.stderr" </dev/null &
harness_track "$!"
HARNESS_LOGS+=("$WORK/server.stdout" "$WORK/server.stderr")
ready=$(wait_for_line '^READY ' "$WORK/server.stdout" 120) ||
  fail "the server started from $script did not print READY: $(tail -n 5 "$WORK/server.stderr")"
pid=$(sed -n 's/^READY pid=\([0-9]*\) .*/\1/p' <<<"$ready")
harness_track "$pid"
tr '\0' '\n' </proc/"$pid"/cmdline | grep -qxF -- "$option" ||
  fail "the JVM's command line lacks $option"; pass
tr '\0' '\n' </proc/"$pid"/cmdline | grep -qxF -- "-Xcheck:jni" ||
  fail "the JVM's command line lost JAVA_OPTS from the environment"; pass
(umask 077; printf 'parts=threads\n' >"$ctl")
expect_eq ok "$(wait_for_status "$ctl.status" 60 | sed 's/partial/ok/')" "control-file request to the server started from the script"
zip=$(json_get "$ctl.status" 'j["bundle"]')
case "$zip" in "$out"/carbondump-*.zip) pass ;; *) fail "bundle outside --output: $zip" ;; esac
expect_eq ok "$(json_get "$(bundle_manifest "$zip")" 'j["sections"]["threads"]["status"]')" "threads in the bundle"
kill "$pid"; wait 2>/dev/null

# ---------------------------------------------------------------- uninstall
run_carbondump install-agent --carbon-home "$home" --uninstall
expect_eq 0 "$RC" "exit status of --uninstall"
expect_file_contains "$LAST_STDOUT" "removed the agent from $script" "report of --uninstall"
cmp -s "$WORK/original.sh" "$script" || fail "--uninstall did not give the script back byte for byte"; pass
expect_eq "$(stat -c '%a %U %G' "$WORK/original.sh")" "$(stat -c '%a %U %G' "$script")" "mode and owner after --uninstall"
cmp -s "$WORK/installed.sh" "$script.carbondump-backup" || fail "the backup is not the script as --uninstall found it"; pass
run_carbondump install-agent --carbon-home "$home" --uninstall
expect_eq 0 "$RC" "exit status of a second --uninstall"
expect_file_contains "$LAST_STDOUT" "does not load the agent; nothing changed" "report of a second --uninstall"
cmp -s "$WORK/original.sh" "$script" || fail "a second --uninstall changed the script"; pass

# ---------------------------------------------------------------- a Carbon 4.4 product: bin/wso2server.sh
home44="$WORK/wso2am-2.6.0"
harness_generate "$home44" 4.4
cp -p "$home44/bin/wso2server.sh" "$WORK/original44.sh"
run_carbondump install-agent --carbon-home "$home44" --output "$out"
expect_eq 0 "$RC" "exit status of install-agent on a 4.4 home"
expect_file_contains "$home44/bin/wso2server.sh" "control=$home44/carbondump.ctl\"" "default control file on a 4.4 home"
run_carbondump install-agent --carbon-home "$home44" --uninstall
cmp -s "$WORK/original44.sh" "$home44/bin/wso2server.sh" || fail "4.4 round trip changed wso2server.sh"; pass

# ---------------------------------------------------------------- refusals leave scripts untouched
printf '#!/bin/sh\nexec java $JAVA_OPTS -jar "$CARBON_HOME/server.jar"\n' >"$script"
cp -p "$script" "$WORK/foreign.sh"
run_carbondump install-agent --carbon-home "$home"
expect_eq 2 "$RC" "exit status for a script of another shape"
expect_file_contains "$LAST_STDERR" "does not look like a WSO2 Carbon start script" "reason for refusing"
expect_file_contains "$LAST_STDERR" "export JAVA_OPTS=\"\$JAVA_OPTS -agentpath:" "the line to add by hand"
cmp -s "$WORK/foreign.sh" "$script" || fail "a refused script was changed"; pass
[ -e "$script.carbondump-backup" ] && cmp -s "$WORK/foreign.sh" "$script.carbondump-backup" &&
  fail "a refused script got a backup of itself"; pass

rm "$script"
run_carbondump install-agent --carbon-home "$home"
expect_eq 2 "$RC" "exit status without a start script"
expect_file_contains "$LAST_STDERR" "no start script in $home/bin" "reason without a start script"

cp "$WORK/original.sh" "$home/bin/api-manager.sh"; cp "$WORK/original.sh" "$home/bin/wso2server.sh"
run_carbondump install-agent --carbon-home "$home"
expect_eq 1 "$RC" "exit status with two start scripts"
expect_file_contains "$LAST_STDERR" "has several start scripts (wso2server.sh, api-manager.sh); choose" "reason with two start scripts"
run_carbondump install-agent --carbon-home "$home" --script api-manager.sh --output "$WORK/my dumps"
expect_eq 1 "$RC" "exit status for an output path with a blank"
cmp -s "$WORK/original.sh" "$home/bin/api-manager.sh" || fail "a refused install changed the script"; pass
finish

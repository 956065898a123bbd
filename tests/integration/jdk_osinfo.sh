#!/usr/bin/env bash
# The os and process sections against the demo server: every osinfo file the
# machine has data for is there and not empty, the server's loopback port shows up
# with its pid, its environment is masked (and not with --no-redact), the fd count
# and the task list agree with /proc.
. "$(dirname "$0")/lib.sh"

# planted secrets: in the server's environment, and on its command line
CD_TEST_PASSWORD=CDSECRET-env-1 harness_start osinfo -Dcd.test.password=CDSECRET-arg-1 --
pid=$HARNESS_PID
out="$WORK/bundles"
port=$(json_get "$HARNESS_HOME.harness.json" 'j["loopback_port"]')

run_carbondump --pid "$pid" --only os,process -o "$out"
expect_eq 0 "$RC" "exit status of --only os,process"
m=$(bundle_manifest "$BUNDLE")
expect_eq ok "$(json_get "$m" 'j["sections"]["os"]["status"]')" "os section status"
expect_eq ok "$(json_get "$m" 'j["sections"]["process"]["status"]')" "process section status"
osinfo="$WORK/osinfo"
mkdir -p "$osinfo"
unzip -q -j "$BUNDLE" '*/osinfo/*' -d "$osinfo" || fail "no osinfo/ in $BUNDLE"

# every file exists and is not empty
for f in os_kernel os_module_list os_module_info os_meminfo os_cpuinfo os_open_ports \
  os_network_cards os_system_up_time os_running_tasks os_env_variables os_disk_space \
  os_oom_killer process_limits process_status process_open_files process_threads process_cgroup; do
  [ -s "$osinfo/$f.txt" ] || fail "osinfo/$f.txt is missing or empty"; pass
done
[ -s "$osinfo/process_info.json" ] || fail "osinfo/process_info.json is missing or empty"; pass

# installed packages: one file per package database this machine has, with every package
if [ -f /var/lib/dpkg/status ] && command -v dpkg-query >/dev/null; then
  installed=$(dpkg-query -W -f='${db:Status-Status}\n' | grep -c '^installed$')
  expect_file_contains "$osinfo/os_installed_software_dpkg.txt" \
    "# installed packages in /var/lib/dpkg/status: $installed" "dpkg package count"
  expect_file_contains "$osinfo/os_installed_software_dpkg.txt" \
    "$(dpkg-query -W -f='${Version}' dpkg)" "the version of dpkg itself"
fi
if command -v rpm >/dev/null; then
  [ -s "$osinfo/os_installed_software_rpm.txt" ] || fail "rpm exists but no os_installed_software_rpm.txt"; pass
else
  [ ! -e "$osinfo/os_installed_software_rpm.txt" ] || fail "os_installed_software_rpm.txt without rpm"; pass
fi

# kernel and memory: the same facts uname and /proc give
expect_file_contains "$osinfo/os_kernel.txt" "$(uname -r)" "kernel release"
expect_file_contains "$osinfo/os_meminfo.txt" "MemTotal:" "meminfo"
expect_eq "$(cat /proc/$pid/limits)" "$(cat "$osinfo/process_limits.txt")" "process_limits.txt is /proc/PID/limits"

# the server's loopback port, listening, owned by the server
line=$(grep -E "127\.0\.0\.1\]?:$port " "$osinfo/os_open_ports.txt")
[ -n "$line" ] || fail "port $port not in os_open_ports.txt"; pass
[[ "$line" == *" LISTEN "* ]] || fail "port $port is not shown listening: $line"; pass
[[ "$line" == *" $pid/java" ]] || fail "port $port is not owned by $pid/java: $line"; pass

# the server's environment, masked
env_file="$osinfo/os_env_variables.txt"
expect_file_contains "$env_file" "# environment of pid $pid (the target)" "env file names the target"
expect_file_contains "$env_file" "CD_TEST_PASSWORD=********" "masked secret variable"
secret_line=$(grep -n '^CD_TEST_PASSWORD=' "$env_file" | cut -d: -f1)
expect_file_contains <(unzip -p "$BUNDLE" '*/redaction_log.txt') \
  "osinfo/os_env_variables.txt:$secret_line: CD_TEST_PASSWORD" "redaction_log.txt cites the masked variable"
expect_file_contains "$env_file" "HOME=$HOME" "unmasked ordinary variable"
unzip -p "$BUNDLE" | grep -q 'CDSECRET-' && fail "a planted secret is in the bundle"; pass

# open files: the count /proc shows, and the server's listening socket among them
listed=$(ls "/proc/$pid/fd" | wc -l)
counted=$(sed -n "s/^open file descriptors of pid $pid: \([0-9]*\) .*/\1/p" "$osinfo/process_open_files.txt")
[ -n "$counted" ] || fail "no descriptor count in process_open_files.txt"; pass
diff=$((counted - listed)); diff=${diff#-}
[ "$diff" -le 5 ] || fail "process_open_files counts $counted descriptors, /proc/$pid/fd has $listed"; pass
grep -qE "^[0-9]+ -> socket:\[[0-9]+\]  tcp6? .*:$port .* LISTEN$" "$osinfo/process_open_files.txt" ||
  fail "the listening socket on port $port is not among the descriptors"; pass
expect_eq "$counted" "$(json_get "$osinfo/process_info.json" 'j["fds"]["open"]')" "fds.open in process_info.json"
soft_files=$(awk '/^Max open files/ {print $4}' "/proc/$pid/limits")
expect_eq "$soft_files" "$(json_get "$osinfo/process_info.json" 'j["fds"]["soft_limit"]')" "fds.soft_limit"

# threads: the JVM's named threads, the count of status
expect_file_contains "$osinfo/process_threads.txt" " cd-sleeping" "thread cd-sleeping listed"
threads=$(awk '/^Threads:/ {print $2}' "$osinfo/process_status.txt")
expect_eq "$threads" "$(json_get "$osinfo/process_info.json" 'j["threads"]["count"]')" "threads.count"
expect_file_contains "$osinfo/process_cgroup.txt" "cgroups of pid $pid" "cgroup membership"

# running tasks: the server is among them with its command line
tasks_line=$(awk -v p="$pid" '$1 == p' "$osinfo/os_running_tasks.txt")
[ -n "$tasks_line" ] || fail "pid $pid not in os_running_tasks.txt"; pass
[[ "$tasks_line" == *"org.carbondump.harness.DemoCarbonServer"* ]] ||
  fail "the server's command line is not in its task line: $tasks_line"; pass
[[ "$tasks_line" == *" -Dcd.test.password=******** "* ]] ||
  fail "the password on the server's command line is not masked: $tasks_line"; pass
task_line_number=$(awk -v p="$pid" '$1 == p {print NR}' "$osinfo/os_running_tasks.txt")
expect_file_contains <(unzip -p "$BUNDLE" '*/redaction_log.txt') \
  "osinfo/os_running_tasks.txt:$task_line_number: pid $pid: -Dcd.test.password" \
  "redaction_log.txt cites the masked argument"

# --no-redact keeps the value
run_carbondump --pid "$pid" --only os --no-redact -o "$out"
expect_eq 0 "$RC" "exit status of --only os --no-redact"
expect_file_contains <(unzip -p "$BUNDLE" '*/osinfo/os_env_variables.txt') \
  "CD_TEST_PASSWORD=CDSECRET-env-1" "unmasked value with --no-redact"

# no target: carbondump's own environment, said so
run_carbondump --only os -o "$out"
expect_eq 0 "$RC" "exit status of --only os without a target"
expect_file_contains <(unzip -p "$BUNDLE" '*/osinfo/os_env_variables.txt') \
  "# environment of carbondump itself" "env file without a target"
expect_alive "$pid"
expect_no_partial_files "$out"
finish

#!/usr/bin/env bash
# Secrets on command lines, in system properties, VM flags and environments
# (issue 18): the demo server gets a distinct canary in every form a secret
# takes there (JVM options, program arguments, its environment, and another
# process's command line); by default no file, entry name or manifest of the
# bundle holds any of them, and with --no-redact each is there. The masked
# files keep their layout, and redaction_log.txt names where and which key.
#
# The heap dump is left out (--skip heapdump): it holds every string of the
# JVM, these included, and is governed by --heap-redact (DESIGN section 8).
. "$(dirname "$0")/lib.sh"

C=CDSECRET-cmdline
jvm_options=(
  "-Ddb.mssql.url=jdbc:sqlserver://db:1433;user=sa;password=$C-jdbc-semicolon;encrypt=true"
  "-Ddb.mysql.url=jdbc:mysql://db/app?user=app&password=$C-jdbc-query&useSSL=false"
  "-Dbackend.url=https://svc:$C-property-userinfo@backend.example/api"
  "-Dfoo.secret=$C-property-secret"
  "-XX:OnOutOfMemoryError=curl -H Authorization:Bearer $C-vm-flag http://alerts.example/"
)
program_arguments=(
  --password "$C-flag-pair"
  "--token=$C-flag-equals"
  "https://admin:$C-url-userinfo@backend.example/x"
  "Authorization: Bearer $C-bearer"
)
canaries=(
  "$C-jdbc-semicolon" "$C-jdbc-query" "$C-property-userinfo" "$C-property-secret" "$C-vm-flag"
  "$C-flag-pair" "$C-flag-equals" "$C-url-userinfo" "$C-bearer"
  "$C-env-name" "$C-env-url" "$C-tool-options"
  "$C-other-flag" "$C-other-equals" "$C-other-url" "$C-other-basic"
)

# another process on the host, a client with secrets on its command line; bash
# keeps its own arguments and only ever waits on a 1 s sleep, so it dies with
# the test's cleanup
bash -c 'while :; do sleep 1; done' cd-db-client --password "$C-other-flag" \
  "--api-key=$C-other-equals" "jdbc:postgresql://db/app?user=u&password=$C-other-url" \
  -H "Authorization: Basic $C-other-basic" </dev/null >/dev/null 2>&1 &
other_pid=$!
harness_track "$other_pid"

CD_DB_PASSWORD="$C-env-name" CD_DATABASE_URL="postgres://app:$C-env-url@db/app" \
  JAVA_TOOL_OPTIONS="-Dtool.password=$C-tool-options" \
  harness_start secrets "${jvm_options[@]}" -- -- "${program_arguments[@]}"
pid=$HARNESS_PID
out="$WORK/bundles"

# Unzips the last bundle into $WORK/<name>; prints the directory.
unzip_bundle() { # name
  local dir="$WORK/$1"
  mkdir -p "$dir"
  unzip -q "$BUNDLE" -d "$dir" || fail "cannot unzip $BUNDLE"
  echo "$dir"
}
task_line() { # dir pid
  awk -v p="$2" '$1 == p' "$1"/*/osinfo/os_running_tasks.txt
}
# The fields of a task line: all of them, or the 12 columns before the command
# and "cut" when the command was cut at its length limit (at another place
# when masks replace values of another length).
task_fields() { # dir pid
  task_line "$1" "$2" | awk '{ if ($NF ~ /\.\.\.$/) print "cut"; else print NF }'
}

# ---- default: masked
run_carbondump --pid "$pid" --skip heapdump -o "$out"
expect_eq 0 "$RC" "exit status of the masked run"
masked=$(unzip_bundle masked)
left=$(grep -rao "$C-[a-z-]*" "$masked" | sort -u | head -n 5)
expect_eq "" "$left" "canaries in the files of the masked bundle"
left=$(unzip -Z1 "$BUNDLE" | grep -a "$C" | head -n 3)
expect_eq "" "$left" "canaries in the entry names of the masked bundle"
left=$(grep -rlaE 'CDSECRET-' "$masked" | head -n 3)
expect_eq "" "$left" "files of the masked bundle holding any planted secret"

# where the forms were, the masks are
javainfo=$(echo "$masked"/*/javainfo)
expect_file_contains "$javainfo/vm_arguments.txt" \
  "-Ddb.mssql.url=jdbc:sqlserver://db:1433;user=sa;password=********;encrypt=true" "JDBC ;password="
expect_file_contains "$javainfo/vm_arguments.txt" \
  "-Ddb.mysql.url=jdbc:mysql://db/app?user=app&password=********&useSSL=false" "JDBC ?password="
expect_file_contains "$javainfo/system_properties.txt" \
  "backend.url=https://svc:********@backend.example/api" "URL userinfo in a property"
expect_file_contains "$javainfo/system_properties.txt" \
  "DemoCarbonServer --home $HARNESS_HOME -- --password ******** --token=******** https://admin:********@backend.example/x Authorization: Bearer ********" \
  "program arguments in sun.java.command"
expect_file_contains "$javainfo/vm_flags.txt" "curl -H Authorization:Bearer ******** http://alerts" \
  "a command line in a VM flag"
expect_file_contains "$masked/"*/osinfo/os_env_variables.txt "CD_DATABASE_URL=postgres://app:********@db/app" \
  "URL userinfo in an environment value"
expect_eq "$pid" "$(json_get "$javainfo/jvm_info.json" 'j["pid"]')" "jvm_info.json parses"

# layout: one line per process, the fields of --no-redact (compared below)
expect_eq 1 "$(task_line "$masked" "$pid" | wc -l)" "task lines of the server"
expect_eq 1 "$(task_line "$masked" "$other_pid" | wc -l)" "task lines of the other process"
[[ "$(task_line "$masked" "$other_pid")" == *" cd-db-client --password ******** --api-key=******** "* ]] ||
  fail "the other process's line is not masked as expected: $(task_line "$masked" "$other_pid")"; pass
masked_fields_server=$(task_fields "$masked" "$pid")
masked_fields_other=$(task_fields "$masked" "$other_pid")

# redaction_log.txt: where, which key, never the value
log=$(echo "$masked"/*/redaction_log.txt)
tasks_line=$(awk -v p="$other_pid" '$1 == p {print NR}' "$masked"/*/osinfo/os_running_tasks.txt)
expect_file_contains "$log" "osinfo/os_running_tasks.txt:$tasks_line: pid $other_pid: --password" \
  "the log names the other process's flag"
expect_file_contains "$log" "osinfo/os_running_tasks.txt:$tasks_line: pid $other_pid: Authorization" \
  "the log names the other process's header"
property_line=$(grep -n '^sun.java.command=' "$javainfo/system_properties.txt" | cut -d: -f1)
expect_file_contains "$log" "javainfo/system_properties.txt:$property_line: sun.java.command --password" \
  "the log names the flag in sun.java.command"
argument_line=$(grep -n '^-Ddb.mssql.url=' "$javainfo/vm_arguments.txt" | cut -d: -f1)
expect_file_contains "$log" "javainfo/vm_arguments.txt:$argument_line: -Ddb.mssql.url password" \
  "the log names the JDBC parameter"
expect_file_contains "$log" "javainfo/jvm_info.json:0: system_properties: foo.secret" \
  "the log names what was masked in jvm_info.json"
expect_file_contains "$log" "javainfo/vm_flags.txt:" "the log names the VM flag"
expect_file_contains "$log" "osinfo/os_env_variables.txt:" "the log names the environment"
unzip -Z1 "$BUNDLE" | grep -q 'agent-redactions.json' && fail "the agent's notes file is in the bundle"; pass

# ---- --no-redact: every canary is there
run_carbondump --pid "$pid" --skip heapdump --no-redact -o "$out"
expect_eq 0 "$RC" "exit status of the --no-redact run"
clear=$(unzip_bundle clear)
for canary in "${canaries[@]}"; do
  grep -rqaF -- "$canary" "$clear" || fail "$canary is not in the --no-redact bundle"; pass
done
expect_file_contains "$clear/"*/redaction_log.txt "masking: OFF" "the log says masking was off"
clear_fields_server=$(task_fields "$clear" "$pid")
if [ "$masked_fields_server" != cut ] && [ "$clear_fields_server" != cut ]; then
  expect_eq "$masked_fields_server" "$clear_fields_server" "fields of the server's task line, masked and not"
fi
expect_eq "$masked_fields_other" "$(task_fields "$clear" "$other_pid")" \
  "fields of the other process's task line, masked and not"
for dir in "$masked" "$clear"; do
  columns=$(task_line "$dir" "$pid" | awk '$2 != "" && $8 ~ /^[A-Z]$/ && NF >= 13 {print "ok"}')
  expect_eq ok "$columns" "the server's task line keeps its columns ($(basename "$dir"))"
done

expect_alive "$pid"
harness_stop "$pid"
finish

#!/usr/bin/env bash
# deploy/ansible against four inventory hosts on this machine (local
# connection, each with its own demo server, home and output directory):
#   gateway          its CARBON_HOME named in the inventory, JVM running
#   keymanager       found by discovery (-Dcarbon.home in /proc, filtered)
#   trafficmanager   its CARBON_HOME named, but its JVM was killed: gone
#   spare            discovery finds no Carbon JVM
# The run finishes; each running JVM's bundle is fetched under its host's
# name; the index (index.json, index.html) names both bundles with their exit
# statuses and top findings, the gone JVM with its reason and host-side
# bundle, and the host without a JVM. Needs Debian's ansible-core.
. "$(dirname "$0")/lib.sh"
command -v ansible-playbook >/dev/null || fail "ansible-playbook is not installed (scripts/setup.sh)"
CD_JAVA_HOME=$("$CD_SOURCE/scripts/find-jdks.sh" | awk 'NR == 1 { print $2 }')
[ -n "$CD_JAVA_HOME" ] || fail "no JDK found (scripts/find-jdks.sh) to run the demo servers"

harness_start gateway -- --style 4.x
gateway_pid=$HARNESS_PID gateway_home=$HARNESS_HOME
harness_start keymanager -- --style 4.x
keymanager_pid=$HARNESS_PID keymanager_home=$HARNESS_HOME
# a server killed with SIGKILL: its pid file names a process that is gone
trafficmanager_home="$WORK/trafficmanager"
harness_generate "$trafficmanager_home" 4.x
sleep 0 & trafficmanager_pid=$!; wait "$trafficmanager_pid"
printf '%s\n' "$trafficmanager_pid" >"$trafficmanager_home/wso2carbon.pid"

fetch="$WORK/fleet"
cat >"$WORK/inventory.ini" <<EOF
[carbon]
gateway carbondump_carbon_homes='["$gateway_home"]'
keymanager carbondump_home_filter=$keymanager_home
trafficmanager carbondump_carbon_homes='["$trafficmanager_home"]'
spare carbondump_home_filter=$WORK/no-such-home

[carbon:vars]
ansible_connection=local
ansible_python_interpreter=auto_silent
carbondump_bin=$CARBONDUMP
carbondump_remote_dir=$WORK/remote/{{ inventory_hostname }}
EOF
# Ansible's own files stay in the test's directory; no other ansible.cfg is read.
: >"$WORK/ansible.cfg"
export ANSIBLE_CONFIG="$WORK/ansible.cfg" ANSIBLE_LOCAL_TEMP="$WORK/ansible-local" \
  ANSIBLE_REMOTE_TEMP="$WORK/ansible-remote" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
  ANSIBLE_HOME="$WORK/ansible-home"
(cd "$WORK" && ansible-playbook -i "$WORK/inventory.ini" "$CD_SOURCE/deploy/ansible/collect.yml" \
  -e carbondump_fetch_root="$fetch" -e carbondump_run_id=fleet-test \
  -e '{"carbondump_args": ["--only", "jvm,threads,flags,os", "--no-heap-dump"]}') \
  >"$WORK/ansible.out" 2>&1 || fail "ansible-playbook failed: $(tail -n 30 "$WORK/ansible.out")"
pass
index="$fetch/index.json"
[ -f "$index" ] && [ -f "$fetch/index.html" ] || fail "no index.json and index.html in $fetch"; pass

row() { # host, python expression on the host's first row r
  json_get "$index" "[r for r in j['rows'] if r['host'] == '$1'][0]$2"
}
expect_eq "gateway keymanager spare trafficmanager" "$(json_get "$index" "' '.join(sorted(r['host'] for r in j['rows']))")" "hosts in the index"

for host in gateway keymanager; do
  home_var=${host}_home pid_var=${host}_pid
  expect_eq "${!home_var}" "$(row $host "['carbon_home']")" "CARBON_HOME of $host"
  expect_eq "${!pid_var}" "$(row $host "['pid']")" "pid of $host"
  expect_in "$(row $host "['exit_status']")" "exit status of $host" 0 3
  bundle=$(row $host "['bundle']")
  case "$bundle" in "$host"/carbondump-*.zip) pass ;; *) fail "bundle of $host is '$bundle'" ;; esac
  unzip -tq "$fetch/$bundle" >/dev/null || fail "the fetched bundle $fetch/$bundle is not a sound ZIP"; pass
  m=$(bundle_manifest "$fetch/$bundle")
  expect_eq "${!pid_var}" "$(json_get "$m" 'j["target"]["pid"]')" "the pid in $host's bundle"
  expect_eq ok "$(json_get "$m" 'j["sections"]["threads"]["status"]')" "threads in $host's bundle"
  # the index's top findings are the bundle's most severe
  expect_eq "$(json_get "$m" "sorted(j['findings'], key=lambda f: ['critical','warning','info'].index(f['severity']))[0]['title']")" \
    "$(row $host "['top_findings'][0]['title']")" "top finding of $host"
  grep -qF "href=\"$bundle\"" "$fetch/index.html" || fail "index.html does not link $bundle"; pass
done

expect_eq jvm-gone "$(row trafficmanager "['status']")" "status of the host whose JVM is gone"
expect_eq "pid $trafficmanager_pid from $trafficmanager_home/wso2carbon.pid is not running: the JVM is gone" \
  "$(row trafficmanager "['reason']")" "reason for the host whose JVM is gone"
expect_eq 3 "$(row trafficmanager "['exit_status']")" "exit status against the gone JVM"
gone_bundle=$(row trafficmanager "['bundle']")
[ -f "$fetch/$gone_bundle" ] || fail "no host-side bundle fetched for the gone JVM: '$gone_bundle'"; pass
expect_eq failed "$(json_get "$(bundle_manifest "$fetch/$gone_bundle")" 'j["sections"]["threads"]["status"]')" "threads in the gone JVM's bundle"
expect_eq no-jvm "$(row spare "['status']")" "status of the host without a Carbon JVM"
for text in "is not running: the JVM is gone" "no running JVM with -Dcarbon.home was found"; do
  expect_file_contains "$fetch/index.html" "$text" "index.html"
done
python3 -c 'import html.parser, sys; html.parser.HTMLParser().feed(open(sys.argv[1]).read())' \
  "$fetch/index.html" || fail "index.html does not parse"; pass

expect_alive "$gateway_pid"
expect_alive "$keymanager_pid"
harness_stop "$gateway_pid"
harness_stop "$keymanager_pid"
finish

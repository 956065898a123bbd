#!/usr/bin/env bash
# The main job, end to end: installs what is missing, builds, starts the demo
# Carbon server (java-test-harness) on a generated CARBON_HOME, runs carbondump
# against it, shows where the bundle is and what it holds, and stops the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== building carbondump"
bash scripts/build.sh build

read -r jdk_major java_home < <(scripts/find-jdks.sh | tail -n 1)
[ -n "${java_home:-}" ] || { echo "demo: no JDK found" >&2; exit 1; }
work=$(mktemp -d /tmp/carbondump-demo.XXXXXX)
home="$work/wso2am-4.5.0"
echo "== starting the demo Carbon server on JDK $jdk_major ($java_home)"
"$java_home/bin/java" -Xmx256m -cp "$root/build/harness/classes:/usr/share/java/h2.jar" \
  -Dcarbon.home="$home" org.carbondump.harness.DemoCarbonServer --home "$home" \
  --style 4.x --plant deadlock,contention >"$work/server.out" 2>"$work/server.err" &
server=$!
stop_server() { # SIGTERM, then SIGKILL if it has not gone within 5 s
  kill "$server" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap stop_server EXIT
for _ in $(seq 1 600); do
  grep -q '^READY' "$work/server.out" && break
  kill -0 $server 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
grep '^READY' "$work/server.out"

echo "== carbondump -carbonHome $home -pid $server"
status=0
"$root/build/bin/carbondump" -carbonHome "$home" -pid "$server" -o "$work" >"$work/carbondump.out" ||
  status=$?
bundle=$(tail -n 1 "$work/carbondump.out")
[ -f "$bundle" ] || { echo "demo: no bundle was written (exit status $status)" >&2; exit 1; }
echo
echo "== bundle: $bundle (exit status $status)"
unzip -l "$bundle"
echo
echo "== sections (manifest.json)"
unzip -p "$bundle" '*/manifest.json' | python3 -c '
import json, sys
m = json.load(sys.stdin)
for name, s in m["sections"].items():
    print("  %-13s %-8s %s" % (name, s["status"], s.get("reason", "")))
for f in m.get("findings", []):
    print("  finding: %-8s %s" % (f["severity"], f["title"]))'
echo
echo "== summary.txt"
unzip -p "$bundle" '*/summary.txt' | head -n 40 || true
echo
echo "The bundle stays in $work (open index.html inside it in a browser); the demo server is stopped now."

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
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
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
    print(f"  {name:13} {s[\"status\"]:8} {s.get(\"reason\", \"\")}")'
echo
echo "The bundle stays in $work; the demo server is stopped now."

#!/usr/bin/env bash
# The findings report end to end on one JDK: every problem planted in the demo
# server comes out as the matching finding, with the right thread, class and jar
# names, in manifest.json, summary.txt and index.html; a healthy server yields
# nothing above info; index.html renders in headless Chromium with no request
# leaving the file.
#
# Thread and memory limits are set the way a container sets them: the limits
# server is moved into cgroups of its own (cgroup v1, as root) with pids.max and
# memory.limit_in_bytes, and its open-files limit is lowered with prlimit.
. "$(dirname "$0")/lib.sh"

CGROUPS=()
trap 'cleanup; for d in "${CGROUPS[@]}"; do rmdir "$d" 2>/dev/null; done' EXIT

# expect_finding MANIFEST SEVERITIES KIND TEXT...: exactly one finding of KIND,
# of one of the |-separated SEVERITIES, whose title and detail hold every TEXT.
# With FINDING_AMONG=1, KIND may have other findings: exactly one holds every TEXT.
expect_finding() {
  local manifest=$1 severities=$2 kind=$3; shift 3
  FINDING_AMONG=${FINDING_AMONG:-0} python3 - "$manifest" "$severities" "$kind" "$@" <<'EOF' || fail "finding $kind (see above)"
import json, os, sys
manifest, severities, kind, texts = sys.argv[1], sys.argv[2].split("|"), sys.argv[3], sys.argv[4:]
findings = json.load(open(manifest))["findings"]
matching = [f for f in findings if f["kind"] == kind]
if os.environ["FINDING_AMONG"] == "1":
    matching = [f for f in matching if all(t in f["title"] + "\n" + f.get("detail", "") for t in texts)]
def show():
    for f in findings:
        print("  %s %s: %s" % (f["severity"], f["kind"], f["title"]), file=sys.stderr)
if len(matching) != 1:
    print("expected one finding of kind %s, got %d; findings:" % (kind, len(matching)), file=sys.stderr)
    show(); sys.exit(1)
f = matching[0]
if f["severity"] not in severities:
    print("%s is %s, expected %s" % (kind, f["severity"], "|".join(severities)), file=sys.stderr)
    sys.exit(1)
body = f["title"] + "\n" + f.get("detail", "")
missing = [t for t in texts if t not in body]
if missing:
    print("%s lacks %s:\n%s" % (kind, missing, body), file=sys.stderr); sys.exit(1)
if not f.get("recommendation") or not f.get("evidence"):
    print("%s has no recommendation or no evidence" % kind, file=sys.stderr); sys.exit(1)
EOF
  pass
}

# evidence_lines MANIFEST KIND PATH: "first last" of KIND's line evidence in PATH.
evidence_lines() {
  json_get "$1" '" ".join(str(n) for f in j["findings"] if f["kind"] == "'"$2"'" for e in f["evidence"] if e["path"] == "'"$3"'" for n in e["lines"])'
}

# cgroup_confine PID CONTROLLER: moves PID into a new cgroup of its own in the
# cgroup v1 hierarchy of CONTROLLER; sets CGROUP_DIR. Fails where there is no
# such hierarchy or it is not writable (cgroup v2 only, not root).
cgroup_confine() {
  local pid=$1 controller=$2 mount=/sys/fs/cgroup/$2 rel
  [ -f "$mount/cgroup.procs" ] || return 1
  rel=$(awk -F: -v c="$controller" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
  CGROUP_DIR="$mount${rel%/}/cd-findings-$$-$controller"
  mkdir "$CGROUP_DIR" 2>/dev/null || return 1
  CGROUPS+=("$CGROUP_DIR")
  echo "$pid" >"$CGROUP_DIR/cgroup.procs" 2>/dev/null
}

CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
  fail "chromium is not installed (scripts/setup.sh installs it)"
# Chromium's own traffic (component updates, network time) is switched off, so
# that whatever reaches the proxy below came from the page.
CHROMIUM_FLAGS=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --disable-extensions
  --disable-default-apps --disable-domain-reliability --disable-client-side-phishing-detection
  --no-pings --disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate
  --host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1")

# render_page HTML PNG: screenshots HTML through a recording proxy; prints the
# hosts the page asked for, one a line (Chromium's own Google services left out).
render_page() {
  local html=$1 png=$2 log="$WORK/proxy.$RANDOM.log" ready="$WORK/proxy.$RANDOM.port"
  python3 - "$log" "$ready" <<'EOF' &
import re, socket, sys
server = socket.socket()
server.bind(("127.0.0.1", 0)); server.listen(32); server.settimeout(60)
open(sys.argv[2], "w").write(str(server.getsockname()[1]))
with open(sys.argv[1], "w") as log:
    while True:
        try:
            conn, _ = server.accept()
        except socket.timeout:
            break
        conn.settimeout(2)
        try:
            head = conn.recv(2048).decode("latin-1")
        except OSError:
            head = ""
        conn.close()
        if head.startswith("QUIT"):
            break
        m = re.match(r"(?:CONNECT ([^:\s]+)|[A-Z]+ \w+://([^/:\s]+))", head)
        if m:
            log.write((m.group(1) or m.group(2)) + "\n"); log.flush()
EOF
  local proxy_pid=$! waited=0
  until [ -s "$ready" ]; do sleep 0.1; waited=$((waited + 1)); [ $waited -lt 100 ] || fail "the recording proxy did not start"; done
  local port; port=$(cat "$ready")
  timeout 120 "$CHROMIUM" "${CHROMIUM_FLAGS[@]}" --user-data-dir="$(mktemp -d "$WORK/chromium.XXXXXX")" \
    --proxy-server="http://127.0.0.1:$port" --screenshot="$png" --window-size=1280,2000 \
    "file://$html" >"$WORK/chromium.out" 2>&1 || { tail -n 20 "$WORK/chromium.out" >&2; fail "chromium could not render $html"; }
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1]))).sendall(b"QUIT\r\n")' "$port"
  wait "$proxy_pid" 2>/dev/null
  grep -Ev '(^|\.)(google\.com|googleapis\.com|gstatic\.com|gvt1\.com)$' "$log"
}

png_size() { # PNG -> "width height"
  python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(32); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print(*struct.unpack(">II", d[16:24]))' "$1"
}

# ---------------------------------------------------------------- planted locks, finalizer, patch

harness_start planted --style 4.4 --plant deadlock,jucdeadlock,contention,stuckholder,chain3,finalizer
pid=$HARNESS_PID
run_carbondump --pid "$pid" --carbon-home "$HARNESS_HOME" -o "$WORK/out" --thread-samples 3 \
  --thread-interval 1 --no-heap-dump -q
expect_in "$RC" "exit status (planted)" 0 3
m=$(bundle_manifest "$BUNDLE")
expect_finding "$m" critical java-deadlock '"cd-deadlock-A"' '"cd-deadlock-B"' \
  'org.carbondump.harness.Plants$LockA' 'org.carbondump.harness.Plants$LockB' 'Plants.lockBoth(Plants.java:'
expect_finding "$m" critical juc-deadlock '"cd-juc-deadlock-A"' '"cd-juc-deadlock-B"' \
  'java.util.concurrent.locks.ReentrantLock$NonfairSync'
expect_finding "$m" warning lock-contention '5 threads blocked on monitor' \
  'org.carbondump.harness.Plants$ContendedResource' 'held by "cd-contention-owner"' \
  'holder "cd-contention-owner" is TIMED_WAITING (sleeping) at java.lang.Thread.sleep' \
  '"cd-contention-waiter-1"' '"cd-contention-waiter-5"'
expect_finding "$m" warning finalizer-backlog 'objects awaiting finalization' \
  'the Finalizer thread is stuck in org.carbondump.harness.Plants$Finalizable.finalize'
jar=$(json_get "$WORK/planted.harness.json" 'j["patches"]["inconsistent_jar"]')
patch_dir=$(basename "$(json_get "$WORK/planted.harness.json" 'j["patches"]["inconsistent_patch_dir"]')")
expect_finding "$m" warning patch-inconsistent "$jar" "$patch_dir"
# a thread blocked behind a holder that sleeps (the planted one and the zoo's), and a
# chain of three, followed to its end, in all three samples
FINDING_AMONG=1 expect_finding "$m" warning blocking-chain \
  '"cd-stuck-waiter" waits for "cd-stuck-holder", which holds the lock while TIMED_WAITING (sleeping) (in all 3 samples' \
  'waits for monitor <0x' '(a org.carbondump.harness.Plants$StuckResource) held by "cd-stuck-holder"' \
  'holder "cd-stuck-holder" is TIMED_WAITING (sleeping) at java.lang.Thread.sleep' \
  '(a org.carbondump.harness.Plants$StuckResource) in org.carbondump.harness.Plants.lambda$stuckHolder$'
FINDING_AMONG=1 expect_finding "$m" warning blocking-chain \
  '"cd-blocked" waits for "cd-monitor-owner", which holds the lock while TIMED_WAITING (sleeping)'
FINDING_AMONG=1 expect_finding "$m" warning blocking-chain \
  'Blocking chain of 3: "cd-chain-A" waits for "cd-chain-B", which waits for "cd-chain-C", which is TIMED_WAITING (sleeping) (in all 3 samples' \
  '"cd-chain-A" waits for monitor <0x' '(a org.carbondump.harness.Plants$ChainMonitor) held by "cd-chain-B"' \
  '"cd-chain-B" waits for lock <0x' '(a java.util.concurrent.locks.ReentrantLock$NonfairSync) held by "cd-chain-C"' \
  'holder "cd-chain-C" is TIMED_WAITING (sleeping)'
expect_eq 3 "$(json_get "$m" 'len([f for f in j["findings"] if f["kind"] == "blocking-chain"])')" "blocking chains"
# the threads a chain explains are not reported again as stuck
expect_eq 0 "$(json_get "$m" 'len([f for f in j["findings"] if f["kind"] == "stuck-threads"])')" "stuck-threads findings"
# (hot threads depend on the machine's load: their threshold is unit-tested)
expect_finding "$m" info log-errors 'ERROR entries' 'org.apache.synapse.transport.passthru.TargetHandler'
expect_eq "True" "$(json_get "$m" '(lambda r: all(a >= b for a, b in zip(r, r[1:])))([{"critical": 2, "warning": 1, "info": 0}[f["severity"]] for f in j["findings"]])')" \
  "findings most severe first"
findings=$(json_get "$m" 'len(j["findings"])')

# the evidence points at the lines that show it
dump="$WORK/planted_thread_dump.txt"
unzip -p "$BUNDLE" '*/thread_dump.txt' >"$dump"
read -r first last <<<"$(evidence_lines "$m" java-deadlock thread_dump.txt)"
expect_eq "Found one Java-level deadlock:" "$(sed -n "${first}p" "$dump")" "first line of the deadlock's evidence"
sed -n "${first},${last}p" "$dump" | grep -q '"cd-deadlock-B"' || fail "lines $first-$last of thread_dump.txt do not show cd-deadlock-B"; pass
read -r first last <<<"$(evidence_lines "$m" lock-contention thread_dump.txt)"
[[ "$(sed -n "${first}p" "$dump")" == '"cd-contention-owner" #'* ]] ||
  fail "contention evidence line $first is not cd-contention-owner's header: $(sed -n "${first}p" "$dump")"; pass
first=$(json_get "$m" '[e["lines"][0] for f in j["findings"] if f["kind"] == "blocking-chain" and "cd-chain-C" in f["title"] for e in f["evidence"] if e["path"] == "thread_dump.txt"][0]')
[[ "$(sed -n "${first}p" "$dump")" == '"cd-chain-C" #'* ]] ||
  fail "the chain's evidence line $first is not cd-chain-C's header: $(sed -n "${first}p" "$dump")"; pass
log_path=$(json_get "$m" '[e["path"] for f in j["findings"] if f["kind"] == "log-errors" for e in f["evidence"]][0]')
read -r first last <<<"$(evidence_lines "$m" log-errors "$log_path")"
unzip -p "$BUNDLE" "*/$log_path" | sed -n "${first}p" | grep -q ' ERROR {' ||
  fail "log-errors evidence $log_path:$first is not an ERROR line"; pass

# summary.txt: most severe first, then the overview
summary="$WORK/planted_summary.txt"
unzip -p "$BUNDLE" '*/summary.txt' >"$summary"
expect_eq "carbondump findings for pid $pid (WSO2 API Manager v2.6.0)" "$(head -n 1 "$summary")" "summary heading"
expect_eq "2 critical, 6 warning, $((findings - 8)) info" "$(sed -n 4p "$summary")" "summary counts"
[[ "$(sed -n 6p "$summary")" == 'CRITICAL  Java-level deadlock: "cd-deadlock-A" and "cd-deadlock-B"'* ]] ||
  fail "summary.txt does not start with the deadlock: $(sed -n 6p "$summary")"; pass
expect_file_contains "$summary" "WARNING   5 threads blocked on monitor" "summary contention"
grep -Eq '^  Threads   [0-9]+ Java threads: RUNNABLE [0-9]+ BLOCKED [0-9]+ .*; 2 deadlock\(s\); [0-9]+ OS threads' "$summary" ||
  fail "summary.txt has no overview line of the threads: $(grep '^  Threads' "$summary")"; pass
expect_file_contains "$summary" "  Product   WSO2 API Manager v2.6.0; WSO2 Carbon Framework v4.4.35" "summary overview product"

# index.html: the findings, escaped, links into the bundle, nothing external
html_dir="$WORK/planted_bundle"
mkdir -p "$html_dir" && unzip -q "$BUNDLE" -d "$html_dir"
html=$(ls "$html_dir"/*/index.html)
expect_file_contains "$html" '&quot;cd-deadlock-A&quot; and &quot;cd-deadlock-B&quot;' "index.html deadlock title"
expect_file_contains "$html" '<a href="./thread_dump.txt">thread_dump.txt</a> lines' "index.html evidence link"
for figure in "Java threads by state" "CPU per thread between the samples" "Memory and limits" \
  "Top classes by bytes"; do
  expect_file_contains "$html" "<figcaption>$figure</figcaption>" "index.html chart"
done
python3 - "$html" <<'EOF' || fail "index.html is not self-contained (see above)"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
problems = []
for pattern, what in [(r"<script", "a script"), (r"<link\b", "a <link>"), (r"<(iframe|object|embed|img|image|use)\b", "an embedded resource"),
                      (r"<[^>]*\s(src|srcset|xlink:href)\s*=", "a src attribute"), (r"url\s*\(", "a CSS url()"), (r"@import", "an @import")]:
    if re.search(pattern, html, re.I):
        problems.append(what)
for href in re.findall(r'href="([^"]*)"', html):
    if not href.startswith("./") or ":" in href:
        problems.append("link " + href)
if problems:
    print("index.html has " + ", ".join(problems), file=sys.stderr); sys.exit(1)
EOF
pass
# every link resolves to a file of the bundle (manifest.json is added to the ZIP last)
missing=$(grep -o 'href="\./[^"]*"' "$html" | sed 's/^href="\.\///; s/"$//' | python3 -c '
import os, sys, urllib.parse
base = os.path.dirname(sys.argv[1])
for line in sys.stdin:
    path = urllib.parse.unquote(line.strip())
    if not os.path.isfile(os.path.join(base, path)): print(path)' "$html")
expect_eq "" "$missing" "links of index.html without a file"

# rendered by Chromium: the page asks for nothing, and the detector does catch a page that does
control="$WORK/control.html"
printf '<!DOCTYPE html><p>control<img src="http://control.invalid/x.png"></p>\n' >"$control"
expect_eq "control.invalid" "$(render_page "$control" "$WORK/control.png")" "requests of a page that embeds a remote image"
expect_eq "" "$(render_page "$html" "$WORK/planted.png")" "requests of index.html"
expect_eq "1280 2000" "$(png_size "$WORK/planted.png")" "screenshot size"
[ "$(stat -c %s "$WORK/planted.png")" -gt 100000 ] || fail "the screenshot of index.html is nearly empty"; pass
timeout 120 "$CHROMIUM" "${CHROMIUM_FLAGS[@]}" --user-data-dir="$(mktemp -d "$WORK/chromium.XXXXXX")" \
  --dump-dom "file://$html" >"$WORK/dom.html" 2>/dev/null || fail "chromium --dump-dom failed"
expect_eq 5 "$(grep -o '<figure>' "$WORK/dom.html" | wc -l)" "figures in the rendered DOM"
expect_eq "$findings" "$(grep -o '<details class="finding' "$WORK/dom.html" | wc -l)" "findings in the rendered DOM"
harness_stop "$pid"

# ---------------------------------------------------------------- a healthy server

harness_start healthy --style 4.x --plant oddnames
run_carbondump --pid "$HARNESS_PID" -o "$WORK/out" --thread-samples 2 --thread-interval 1 --no-heap-dump -q
expect_in "$RC" "exit status (healthy)" 0 3
m=$(bundle_manifest "$BUNDLE")
expect_eq "" "$(json_get "$m" '"; ".join(f["severity"] + " " + f["kind"] + ": " + f["title"] for f in j["findings"] if f["severity"] != "info")')" \
  "warning or critical findings of a healthy server"
expect_finding "$m" info jvm-settings 'HeapDumpOnOutOfMemoryError'
expect_eq "True" "$(json_get "$m" '{"index.html", "summary.txt"} <= {e["path"] for e in j["entries"]}')" "reports listed in the manifest"
unzip -p "$BUNDLE" '*/summary.txt' | grep -qx "No problem found that needs attention." ||
  fail "summary.txt of a healthy server does not say so"; pass
harness_stop "$HARNESS_PID"

# ---------------------------------------------------------------- a leak near OutOfMemoryError

harness_start leak -Xmx64m -- --style 4.x --plant leak
waited=0
until grep -q '^OOM$' "$WORK/leak.stdout"; do
  [ $waited -ge 1200 ] && fail "the leak plant did not reach OutOfMemoryError within 120 s"
  sleep 0.1; waited=$((waited + 1))
done
# After the OutOfMemoryError the heap can be so full that the agent cannot even
# create its request thread (now and then, on JDK 17 and 25 alike): it then works
# in place without Java allocation, and the heap summary comes from the JVM's
# hsperfdata counters instead of the memory MXBeans. Either way there is one. Under
# a loaded machine the JVM may not start its attach listener thread in time: such a
# run is repeated, twice at most.
for attempt in 1 2 3; do
  run_carbondump --pid "$HARNESS_PID" -o "$WORK/out" --no-heap-dump -q --timeout 60
  m=$(bundle_manifest "$BUNDLE")
  [ "$(json_get "$m" 'j["sections"]["heap-summary"]["status"]')" = ok ] && break
  echo "note: attempt $attempt: heap summary $(json_get "$m" 'j["sections"]["heap-summary"]')" >&2
done
expect_eq ok "$(json_get "$m" 'j["sections"]["heap-summary"]["status"]')" "heap summary after OutOfMemoryError"
expect_finding "$m" "warning|critical" heap-full 'Java heap' 'of 64.0 MiB max' \
  'top application class: org.carbondump.harness.LeakedRecord' 'byte[]'
harness_stop "$HARNESS_PID"

# ---------------------------------------------------------------- threads, files and memory at their limits

harness_start limits --style 4.x --plant threads=300,fdleak=240
pid=$HARNESS_PID
home=$(readlink -f "$HARNESS_HOME")
prlimit --pid "$pid" --nofile=300:300 || fail "prlimit cannot lower the open-files limit of $pid"
confined=0
if cgroup_confine "$pid" pids; then
  current=$(cat "$CGROUP_DIR/pids.current")
  echo $((current * 100 / 88)) >"$CGROUP_DIR/pids.max" || fail "cannot set pids.max in $CGROUP_DIR"
  if cgroup_confine "$pid" memory; then
    echo 255M >"$CGROUP_DIR/memory.limit_in_bytes" || fail "cannot set memory.limit_in_bytes in $CGROUP_DIR"
    confined=1
  fi
fi
run_carbondump --pid "$pid" -o "$WORK/out" --no-heap-dump -q
m=$(bundle_manifest "$BUNDLE")
expect_finding "$m" "warning|critical" open-files-limit 'Open files near the limit' 'of RLIMIT_NOFILE 300' \
  "open in $home/repository"
if [ $confined = 1 ]; then
  expect_finding "$m" "warning|critical" thread-limit 'tasks in the container of pids.max' \
    '"cd-idle-N": 300 threads, e.g. WAITING (parking)'
  expect_finding "$m" critical container-memory \
    "Heap maximum 256.0 MiB is at or above the container's memory limit 255.0 MiB"
else
  echo "note: no writable cgroup v1 pids and memory hierarchies here: thread and container limits not checked" >&2
fi
expect_alive "$pid"
finish

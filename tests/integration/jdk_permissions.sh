#!/usr/bin/env bash
# Who may dump whom, and across namespaces (needs root; each part prints
# "skipped: <reason>" when the machine cannot do it):
#  1. an unprivileged user against a JVM of another user: a refusal naming the
#     owner, exit 3 (DESIGN: failing to attach is not fatal, the bundle holds
#     the host sections and says why), the bundle that user's own, 0600; the JVM
#     is not touched: no trigger file, no SIGQUIT (no thread dump on its
#     stdout), no attach socket, no staging directory, no lock file;
#  2. root against the same JVM: carbondump switches to the JVM's credentials to
#     attach, the JVM sections are ok, and the bundle belongs to the invoking
#     user (root), mode 0600 (DESIGN section 8); no staging is left in /tmp;
#  3. root against a JVM of another user in its own mount and pid namespace with
#     a private /tmp (the attach socket exists only there): carbondump finds it
#     through NSpid and /proc/PID/root: the JVM sections are ok, and CARBON_HOME
#     (its -Dcarbon.home) is read through /proc/PID/root too.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
  echo "skipped: not root (parts 1-3 start JVMs as another user)"
  finish
fi
if ! target_uid=$(id -u nobody 2>/dev/null) || ! target_gid=$(id -g nobody 2>/dev/null); then
  echo "skipped: no user 'nobody' to run the target JVM as"
  finish
fi
# the unprivileged caller: any uid that is neither root nor the JVM's user
caller_uid=$((target_uid - 1)); caller_gid=$((target_gid - 1))
as_target=(setpriv --reuid="$target_uid" --regid="$target_gid" --clear-groups)
as_caller=(setpriv --reuid="$caller_uid" --regid="$caller_gid" --clear-groups)

# The JVM's user must reach the classes (and the fixture lists next to them)
# and its home: copy them into the work directory and open it for reading.
chmod 755 "$WORK"
cp -rL "$CD_BUILD/harness" "$WORK/harness"
chmod -R a+rX "$WORK/harness"

# Deepest descendant of pid along first children: the JVM under setpriv/unshare/bash.
deepest_child() { # pid
  local p=$1 c
  while c=$(cat "/proc/$p/task/$p/children" 2>/dev/null) && [ -n "$c" ]; do
    c=${c%% *}; p=${c// /}
  done
  echo "$p"
}

# Starts the demo server under a command prefix (up to "--"); sets SERVER_PID
# (the JVM's host pid) and SERVER_DIR (its working directory and log files).
start_server_as() { # name prefix... -- [server options]
  local name=$1; shift
  local prefix=()
  while [ "$1" != "--" ]; do prefix+=("$1"); shift; done
  shift
  SERVER_DIR="$WORK/$name"
  mkdir -p "$SERVER_DIR"; chown "$target_uid:$target_gid" "$SERVER_DIR"
  ( cd "$SERVER_DIR" && exec "${prefix[@]}" "$CD_JAVA_HOME/bin/java" -Xmx256m -Xcheck:jni \
      -cp "$WORK/harness/classes:$H2_JAR" -Dcarbon.home="$SERVER_DIR/home" \
      org.carbondump.harness.DemoCarbonServer --home "$SERVER_DIR/home" "$@" \
      >"$SERVER_DIR/stdout" 2>"$SERVER_DIR/stderr" </dev/null ) &
  local outer=$!
  harness_track "$outer"
  HARNESS_LOGS+=("$SERVER_DIR/stdout") # lib.sh's finish looks for -Xcheck:jni reports
  local waited=0
  until grep -q '^READY ' "$SERVER_DIR/stdout" 2>/dev/null; do
    kill -0 "$outer" 2>/dev/null || { cat "$SERVER_DIR/stderr" >&2; fail "$name exited before READY"; }
    [ $waited -ge 1200 ] && fail "$name did not print READY within 120 s"
    sleep 0.1; waited=$((waited + 1))
  done
  SERVER_PID=$(deepest_child "$outer")
  harness_track "$SERVER_PID"
  [ "$(cat "/proc/$SERVER_PID/comm")" = java ] || fail "$name: pid $SERVER_PID is not the JVM"; pass
  expect_eq "$target_uid" "$(awk '/^Uid:/ {print $3}' "/proc/$SERVER_PID/status")" "$name's effective uid"
}

# ---------------------------------------------------------------- 1. unprivileged caller
start_server_as other "${as_target[@]}" -- --style 4.4 --scale small
pid=$SERVER_PID
out="$WORK/caller-out"; install -d -o "$caller_uid" -g "$caller_gid" "$out"
LAST_STDOUT="$WORK/caller.stdout"; LAST_STDERR="$WORK/caller.stderr"
attach_files() { ls -A /tmp | grep -E "^\.attach_pid$pid$|^\.java_pid$pid$|^carbondump-$pid[.-]|^\.carbondump-$pid-"; }
attach_files_before=$(attach_files) # a stale socket of an earlier process with this pid is not ours
timeout 600 "${as_caller[@]}" ${COLLECTOR_WRAPPER[@]+"${COLLECTOR_WRAPPER[@]}"} \
  "$CARBONDUMP" --pid "$pid" --only jvm,threads,heap-summary -o "$out" \
  >"$LAST_STDOUT" 2>"$LAST_STDERR" </dev/null
RC=$?; BUNDLE=$(tail -n 1 "$LAST_STDOUT")
refusal="pid $pid belongs to uid $target_uid (nobody); run carbondump as that user or as root"
expect_eq 3 "$RC" "exit status of an unprivileged user against another user's JVM"
expect_file_contains "$LAST_STDERR" "$refusal" "refusal message"
m=$(bundle_manifest "$BUNDLE")
for s in jvm threads heap-summary; do
  expect_eq failed "$(json_get "$m" "j['sections']['$s']['status']")" "$s section of the refused run"
  expect_eq "$refusal" "$(json_get "$m" "j['sections']['$s']['reason']")" "$s section's reason"
done
expect_eq "$caller_uid:$caller_gid 600" "$(stat -c '%u:%g %a' "$BUNDLE")" "owner and mode of the refused run's bundle"
expect_eq "" "$(ls -A "$SERVER_DIR" | grep '^\.attach_pid')" "trigger file in the JVM's working directory"
expect_eq "$attach_files_before" "$(attach_files)" "attach or staging files of pid $pid in /tmp"
expect_eq 0 "$(grep -c 'Full thread dump' "$SERVER_DIR/stdout")" "thread dumps printed by the JVM (a SIGQUIT)"
expect_alive "$pid"

# ---------------------------------------------------------------- 2. root
out="$WORK/root-out"
run_carbondump --pid "$pid" --only jvm,threads,heap-summary,flags -o "$out"
expect_eq 0 "$RC" "exit status of root against another user's JVM"
m=$(bundle_manifest "$BUNDLE")
for s in jvm threads heap-summary flags; do
  expect_eq ok "$(json_get "$m" "j['sections']['$s']['status']")" "$s section as root"
done
expect_eq "0:0 600" "$(stat -c '%u:%g %a' "$BUNDLE")" "owner and mode of root's bundle"
unzip -p "$BUNDLE" '*/thread_dump.txt' | grep -q '^Full thread dump' ||
  fail "the bundle has no thread dump of the JVM"; pass
expect_eq "$(basename "$BUNDLE")" "$(ls -A "$out")" "files in the output directory"
expect_eq "" "$(ls -A /tmp | grep "^carbondump-$pid[.-]")" "staging directories left in the JVM's /tmp"
expect_eq "$target_uid" "$(stat -c %u "/tmp/.java_pid$pid")" "owner of the attach socket the JVM made"
expect_alive "$pid"
kill -9 "$pid"; wait "$pid" 2>/dev/null

# ---------------------------------------------------------------- 3. another namespace
if ! command -v unshare >/dev/null; then
  echo "skipped: no unshare (namespaces)"
elif ! unshare -m -p -f --mount-proc --kill-child true 2>/dev/null; then
  echo "skipped: cannot create mount and pid namespaces here"
else
  # In the new namespaces /tmp is a fresh tmpfs; the work directory (classes,
  # home, logs) is bound back in from the fd opened before /tmp was covered.
  cat >"$WORK/in-namespace.sh" <<'EOF'
exec 3<"$1"
mount -t tmpfs -o mode=1777 cd-private-tmp /tmp || exit 1
mkdir -p "$1" && mount --no-canonicalize --bind /proc/self/fd/3 "$1" || exit 1
exec 3<&-
shift
"$@"
EOF
  start_server_as ns unshare -m -p -f --mount-proc --propagation private --kill-child \
    bash "$WORK/in-namespace.sh" "$WORK" "${as_target[@]}" -- --style 4.4 --scale small
  pid=$SERVER_PID
  nspid=$(awk '/^NSpid:/ {print $NF}' "/proc/$pid/status")
  [ "$nspid" != "$pid" ] || fail "the JVM is not in its own pid namespace"; pass
  expect_file_contains "$SERVER_DIR/stdout" "READY pid=$nspid " "the JVM's own idea of its pid"
  [ "$(stat -L -c %d:%i /tmp)" != "$(stat -L -c %d:%i "/proc/$pid/root/tmp")" ] ||
    fail "the JVM shares our /tmp"; pass
  out="$WORK/ns-out"
  run_carbondump --pid "$pid" --only jvm,threads,heap-summary,flags,carbon -o "$out"
  expect_eq 0 "$RC" "exit status against a JVM in other namespaces"
  m=$(bundle_manifest "$BUNDLE")
  for s in jvm threads heap-summary flags carbon; do
    expect_eq ok "$(json_get "$m" "j['sections']['$s']['status']")" "$s section across namespaces"
  done
  unzip -p "$BUNDLE" '*/thread_dump.txt' | grep -q '^Full thread dump' ||
    fail "the bundle has no thread dump of the namespaced JVM"; pass
  expect_eq "0:0 600" "$(stat -c '%u:%g %a' "$BUNDLE")" "owner and mode of the namespaced run's bundle"
  # CARBON_HOME from the JVM's -Dcarbon.home, read through /proc/PID/root
  unzip -p "$BUNDLE" '*/carbon_server_info.txt' | grep -qF "Carbon Home : $SERVER_DIR/home" ||
    fail "carbon_server_info.txt does not name the JVM's CARBON_HOME"; pass
  [ -S "/proc/$pid/root/tmp/.java_pid$nspid" ] || fail "no attach socket in the JVM's private /tmp"; pass
  [ ! "/tmp/.java_pid$nspid" -ef "/proc/$pid/root/tmp/.java_pid$nspid" ] ||
    fail "the attach socket is visible in our /tmp"; pass
  expect_eq "" "$(ls -A "/proc/$pid/root/tmp" | grep '^carbondump-')" "staging left in the JVM's private /tmp"
  expect_alive "$pid"
fi

expect_no_partial_files "$WORK"
finish

#!/bin/sh
# Runs inside a debug container that shares the Carbon container's process
# namespace (carbondump-pod.sh starts it with kubectl debug --target): finds
# the JVM, runs carbondump against it, announces the result on stdout, then
# waits for the bundle to be copied out before the container ends.
#
#   carbondump-in-pod.sh [--pid PID] [--output DIR] [--wait SECONDS] [-- CARBONDUMP_FLAGS...]
#
# The JVM: --pid, else the one process with -Dcarbon.home on its command line,
# else the one java process. The last stdout line is
#   CARBONDUMP-DONE exit=N bundle=PATH        (PATH empty when there is none)
# after which it waits up to --wait seconds (default 900) for DIR/.fetched.
# Plain POSIX sh: the image needs carbondump, sh, tr, sed and tar (for kubectl cp).
set -u
pid=
output=/tmp/carbondump
wait_s=900
while [ $# -gt 0 ]; do
  case $1 in
    --pid) pid=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --wait) wait_s=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "carbondump-in-pod: unknown option $1" >&2; exit 1 ;;
  esac
done

done_line() { # exit status, bundle
  echo "CARBONDUMP-DONE exit=$1 bundle=$2"
}
# pids (one a line) of live processes (not zombies) for which "$@" succeeds, run
# with the process's /proc directory as its last argument
live_processes() { # test command...
  for dir in /proc/[0-9]*; do
    [ "$(sed 's/^.*) \(.\).*/\1/' "$dir/stat" 2>/dev/null)" = Z ] && continue
    "$@" "$dir" && echo "${dir#/proc/}"
  done
}
has_carbon_home() { tr '\000' '\n' <"$1/cmdline" 2>/dev/null | grep -q '^-Dcarbon\.home='; }
is_java() { [ "$(cat "$1/comm" 2>/dev/null)" = java ]; }

if [ -z "$pid" ]; then
  candidates=$(live_processes has_carbon_home)
  [ -n "$candidates" ] || candidates=$(live_processes is_java)
  case $(echo "$candidates" | grep -c .) in
    0) echo "carbondump-in-pod: no JVM in this pod's process namespace (was the debug container started with --target?)" >&2
       done_line 2 ""; exit 2 ;;
    1) pid=$candidates ;;
    *) echo "carbondump-in-pod: several JVMs, choose one with --pid:" $candidates >&2
       done_line 1 ""; exit 1 ;;
  esac
fi

mkdir -p "$output" && chmod 700 "$output"
carbondump --pid "$pid" -o "$output" "$@" >"$output/.stdout"
status=$?
bundle=
[ "$status" -eq 0 ] || [ "$status" -eq 3 ] && bundle=$(tail -n 1 "$output/.stdout")
done_line "$status" "$bundle"

# The container must live until kubectl cp has the bundle.
waited=0
while [ -n "$bundle" ] && [ "$waited" -lt "$wait_s" ] && [ ! -e "$output/.fetched" ]; do
  sleep 1
  waited=$((waited + 1))
done
exit "$status"

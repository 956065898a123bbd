#!/bin/sh
# Lists the Carbon JVMs on this host that carbondump should collect from, as a
# JSON array of {"carbon_home", "pid", "state", "reason"} on stdout:
#
#   find_carbon_jvms.sh FILTER [CARBON_HOME...]
#
# With CARBON_HOMEs: one entry each, pid from its wso2carbon.pid; state is
# "running" when that pid is this server's live JVM, else "gone" (or "no-pid"
# without a pid file), and reason says why. Without: every live process whose
# command line has -Dcarbon.home=DIR with DIR starting with FILTER ("" for all).
# Plain POSIX sh and /proc: a host needs nothing installed for it.
set -u
filter=$1
shift

json_string() { # the argument as a JSON string (paths hold no control characters)
  printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}
separator=
entry() { # home pid state reason
  printf '%s{"carbon_home": %s, "pid": %s, "state": "%s", "reason": %s}' "$separator" \
    "$(json_string "$1")" "${2:-null}" "$3" "$(json_string "$4")"
  separator=', '
}
# The process's -Dcarbon.home, empty if it has none.
carbon_home_of() { # pid
  tr '\000' '\n' <"/proc/$1/cmdline" 2>/dev/null | sed -n 's/^-Dcarbon\.home=//p' | head -n 1
}
# 0 when pid is a live process (not a zombie left for its parent to collect).
alive() { # pid
  [ -r "/proc/$1/stat" ] && [ "$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

printf '['
if [ $# -gt 0 ]; then
  for home in "$@"; do
    pid_file="$home/wso2carbon.pid"
    if [ ! -r "$pid_file" ]; then
      entry "$home" "" no-pid "no $pid_file: the server is not running, or was never started from this home"
      continue
    fi
    pid=$(tr -d '\000\n\r ' <"$pid_file")
    case $pid in '' | *[!0-9]*)
      entry "$home" "" no-pid "$pid_file holds no pid"
      continue ;;
    esac
    if ! alive "$pid"; then
      entry "$home" "$pid" gone "pid $pid from $pid_file is not running: the JVM is gone"
    elif [ "$(cd "$(carbon_home_of "$pid")" 2>/dev/null && pwd -P)" != "$(cd "$home" && pwd -P)" ]; then
      entry "$home" "$pid" gone "pid $pid from $pid_file is now $(cat "/proc/$pid/comm"), not this server's JVM: the JVM is gone"
    else
      entry "$home" "$pid" running ""
    fi
  done
else
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    home=$(carbon_home_of "$pid")
    [ -n "$home" ] && alive "$pid" || continue
    case $home in "$filter"*) entry "$home" "$pid" running "" ;; esac
  done
fi
printf ']\n'

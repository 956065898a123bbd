#!/usr/bin/env bash
# Dumps the JVM of a Carbon pod with carbondump, without changing its image,
# and copies the bundle to this machine:
#
#   carbondump-pod.sh [-n NAMESPACE] [-c CONTAINER] --image IMAGE [--pid PID]
#                     [-o DIR] [--timeout SECONDS] [--dry-run] POD [-- CARBONDUMP_FLAGS...]
#
# 1. kubectl debug adds an ephemeral container running IMAGE (one with
#    carbondump installed: deploy/kubernetes/Dockerfile) to POD, sharing the
#    process namespace of CONTAINER (--target), with the SYS_PTRACE capability
#    (--profile=general) that reading another container's /proc/PID/root needs;
#    in it, carbondump-in-pod.sh finds the JVM and runs carbondump against it;
# 2. its log says when the bundle is written and where;
# 3. kubectl cp copies the bundle to DIR as carbondump-POD-<timestamp>.zip;
# 4. kubectl exec lets the ephemeral container end.
#
# --dry-run prints the kubectl command lines instead of running them (values
# only known from a reply are shown as <...>). Exit status: carbondump's (0, or
# 3 for a partial bundle) once the bundle is here; 2 no bundle; 1 usage error.
# Needs kubectl 1.27 or later (--profile) and a cluster with ephemeral
# containers (Kubernetes 1.25 or later).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 1; }
namespace=default container= image=${CARBONDUMP_IMAGE:-} pid= output=. timeout_s=900 dry_run=0
while [ $# -gt 0 ]; do
  case $1 in
    -n | --namespace) namespace=$2; shift 2 ;;
    -c | --container) container=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --pid) pid=$2; shift 2 ;;
    -o | --output) output=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage ;;
    --) break ;;
    -*) echo "carbondump-pod: unknown option $1" >&2; usage ;;
    *) [ -z "${pod:-}" ] || { echo "carbondump-pod: one pod at a time" >&2; usage; }; pod=$1; shift ;;
  esac
done
[ "${1:-}" = -- ] && shift
[ -n "${pod:-}" ] || { echo "carbondump-pod: which pod?" >&2; usage; }
[ -n "$image" ] || { echo "carbondump-pod: --image IMAGE (or CARBONDUMP_IMAGE) names an image with carbondump" >&2; exit 1; }
case $timeout_s in '' | *[!0-9]*) echo "carbondump-pod: --timeout takes seconds" >&2; exit 1 ;; esac

# Runs a kubectl command, or prints it with --dry-run.
kube() {
  if [ "$dry_run" = 1 ]; then
    printf 'kubectl'; printf ' %q' "$@"; printf '\n'
  else
    kubectl "$@"
  fi
}

if [ -z "$container" ]; then
  if [ "$dry_run" = 1 ]; then
    kube get pod -n "$namespace" "$pod" -o 'jsonpath={.spec.containers[0].name}'
    container='<first container>'
  else
    container=$(kubectl get pod -n "$namespace" "$pod" -o 'jsonpath={.spec.containers[0].name}')
  fi
fi
stamp=$(date -u +%Y%m%d%H%M%S)
debugger="carbondump-$stamp"
in_pod=(--wait "$timeout_s" --output /tmp/carbondump)
[ -z "$pid" ] || in_pod+=(--pid "$pid")

kube debug -n "$namespace" "$pod" --image="$image" --target="$container" \
  --container="$debugger" --profile=general --quiet -- \
  sh -c "$(cat "$here/carbondump-in-pod.sh")" carbondump-in-pod "${in_pod[@]}" -- "$@"

if [ "$dry_run" = 1 ]; then
  kube logs -n "$namespace" "$pod" -c "$debugger"
  remote='<bundle from the CARBONDUMP-DONE line>' status=0
else
  done_line= waited=0
  until done_line=$(kubectl logs -n "$namespace" "$pod" -c "$debugger" 2>/dev/null |
                    grep '^CARBONDUMP-DONE ' | tail -n 1) && [ -n "$done_line" ]; do
    [ "$waited" -lt "$timeout_s" ] ||
      { echo "carbondump-pod: no result from $debugger within $timeout_s s" >&2; exit 2; }
    sleep 2; waited=$((waited + 2))
  done
  status=$(sed 's/^CARBONDUMP-DONE exit=\([0-9]*\) .*/\1/' <<<"$done_line")
  remote=${done_line#*bundle=}
  if [ -z "$remote" ]; then
    echo "carbondump-pod: carbondump gave no bundle (exit status $status):" >&2
    kubectl logs -n "$namespace" "$pod" -c "$debugger" >&2 || true
    exit 2
  fi
fi
local_bundle="$output/carbondump-$pod-$stamp.zip"
kube cp -n "$namespace" -c "$debugger" "$pod:$remote" "$local_bundle"
kube exec -n "$namespace" "$pod" -c "$debugger" -- touch /tmp/carbondump/.fetched
[ "$dry_run" = 1 ] || echo "$local_bundle"
exit "$status"

#!/usr/bin/env bash
# deploy/kubernetes without a cluster (there is none here):
#  - the manifests validate against the Kubernetes API schemas (kubernetes-models
#    from the npm registry, tests/tools/k8s-lint), which do reject a broken one;
#  - carbondump-pod.sh --dry-run prints the kubectl command lines, each of
#    which a shell reads back as the intended arguments, the in-pod script
#    passed verbatim;
#  - carbondump-pod.sh runs for real against a demo server with a kubectl
#    stand-in: "kubectl debug" starts the ephemeral container's command in a
#    mount namespace of its own with a private /tmp (what a container has),
#    sharing the process namespace; logs, cp and exec reach into it with
#    nsenter. What is not exercised: a real API server, kubelet, image pulls,
#    capabilities and the --profile=general security context.
. "$(dirname "$0")/lib.sh"
k8s="$CD_SOURCE/deploy/kubernetes"
lint="$CD_SOURCE/tests/tools/k8s-lint"
[ -d "$lint/node_modules/kubernetes-models" ] || fail "kubernetes-models is not installed in $lint (scripts/setup.sh)"

# ---------------------------------------------------------------- manifests
node "$lint/validate.mjs" "$k8s"/*.yaml >"$WORK/lint.out" 2>&1 ||
  fail "the manifests do not validate: $(cat "$WORK/lint.out")"; pass
expect_file_contains "$WORK/lint.out" "ok $k8s/startup-mode.yaml#1 Deployment/wso2am-gateway" "validation of startup-mode.yaml"
sed 's/- name: wso2am$/- nme: wso2am/' "$k8s/startup-mode.yaml" >"$WORK/broken.yaml"
node "$lint/validate.mjs" "$WORK/broken.yaml" >"$WORK/lint-broken.out" 2>&1 &&
  fail "a container without a name passed validation"; pass
expect_file_contains "$WORK/lint-broken.out" "containers/0 must have required property name" "the validator's complaint"

# ---------------------------------------------------------------- dry run
"$k8s/carbondump-pod.sh" --dry-run -n wso2 --image registry.example.com/carbondump:0.1.0 \
  wso2am-gateway-0 -- --no-heap-dump --only threads >"$WORK/dry-run.out" 2>&1 ||
  fail "--dry-run failed: $(cat "$WORK/dry-run.out")"
mapfile -t lines <"$WORK/dry-run.out"
expect_eq 5 "${#lines[@]}" "kubectl commands in the dry run"
eval "words=(${lines[0]})"
expect_eq "kubectl get pod -n wso2 wso2am-gateway-0 -o jsonpath={.spec.containers[0].name}" "${words[*]}" "dry run: the target container"
eval "words=(${lines[1]})"
debugger=${words[7]#--container=}
expect_eq "kubectl debug -n wso2 wso2am-gateway-0 --image=registry.example.com/carbondump:0.1.0 --target=<first container> --container=$debugger --profile=general --quiet -- sh -c" \
  "${words[*]:0:13}" "dry run: kubectl debug"
[ "${words[13]}" = "$(cat "$k8s/carbondump-in-pod.sh")" ] || fail "dry run: the script given to sh -c is not carbondump-in-pod.sh"; pass
expect_eq "carbondump-in-pod --wait 900 --output /tmp/carbondump -- --no-heap-dump --only threads" "${words[*]:14}" "dry run: the in-pod arguments"
eval "words=(${lines[2]})"
expect_eq "kubectl logs -n wso2 wso2am-gateway-0 -c $debugger" "${words[*]}" "dry run: kubectl logs"
eval "words=(${lines[3]})"
expect_eq "kubectl cp -n wso2 -c $debugger wso2am-gateway-0:<bundle from the CARBONDUMP-DONE line> ./carbondump-wso2am-gateway-0-${debugger#carbondump-}.zip" "${words[*]}" "dry run: kubectl cp"
eval "words=(${lines[4]})"
expect_eq "kubectl exec -n wso2 wso2am-gateway-0 -c $debugger -- touch /tmp/carbondump/.fetched" "${words[*]}" "dry run: kubectl exec"

"$k8s/carbondump-pod.sh" --dry-run wso2am-gateway-0 >"$WORK/no-image.out" 2>&1
expect_eq 1 "$?" "exit status without --image"
expect_file_contains "$WORK/no-image.out" "--image IMAGE (or CARBONDUMP_IMAGE)" "message without --image"

# ---------------------------------------------------------------- a run with a kubectl stand-in
CD_JAVA_HOME=$("$CD_SOURCE/scripts/find-jdks.sh" | awk 'NR == 1 { print $2 }')
[ -n "$CD_JAVA_HOME" ] || fail "no JDK found (scripts/find-jdks.sh) to run the demo server"
harness_start pod -- --style 4.x
pid=$HARNESS_PID
cluster="$WORK/cluster"; mkdir -p "$WORK/bin" "$cluster"
cat >"$WORK/bin/kubectl" <<'EOF'
#!/usr/bin/env bash
# kubectl stand-in: this machine is the pod. Records every call.
printf '%q ' "$@" >>"$CLUSTER/calls"; echo >>"$CLUSTER/calls"
option() { # the value of option $1 in the remaining arguments
  local name=$1; shift
  while [ $# -gt 0 ]; do [ "$1" = "$name" ] && { echo "$2"; return; }; shift; done
}
after_dashes() { while [ "$1" != -- ]; do shift; done; shift; printf '%s\0' "$@"; }
case $1 in
  get) echo wso2am ;;
  debug)
    for a in "$@"; do case $a in --container=*) name=${a#--container=} ;; esac; done
    mapfile -d '' -t command < <(after_dashes "$@")
    # a container: its own mount namespace and /tmp, the pod's processes. The
    # directories in $KEEP stay visible even when they lie under the host's
    # /tmp: the test's sanitizer reports, and the source tree and build that
    # stand in for the image's carbondump (a clone under /tmp has its build
    # there too, and a build may link to another one's agent).
    unshare --mount sh -c 'mount -t tmpfs tmpfs /mnt && n=0 &&
                           for d in $KEEP; do n=$((n + 1)); mkdir /mnt/$n &&
                             mount --bind "$d" /mnt/$n || exit 1; done &&
                           mount -t tmpfs tmpfs /tmp && n=0 &&
                           for d in $KEEP; do n=$((n + 1)); mkdir -p "$d" &&
                             mount --move /mnt/$n "$d" || exit 1; done && exec "$@"' \
      container "${command[@]}" >"$CLUSTER/$name.log" 2>&1 </dev/null &
    echo $! >"$CLUSTER/$name.pid" ;;
  logs) cat "$CLUSTER/$(option -c "$@").log" ;;
  cp) container=$(cat "$CLUSTER/$(option -c "$@").pid")
      source=${@: -2:1}
      nsenter -t "$container" -m cat "${source#*:}" >"${@: -1}" ;;
  exec) container=$(cat "$CLUSTER/$(option -c "$@").pid")
        mapfile -d '' -t command < <(after_dashes "$@")
        nsenter -t "$container" -m "${command[@]}" ;;
  *) echo "kubectl stand-in: no $1" >&2; exit 1 ;;
esac
EOF
chmod +x "$WORK/bin/kubectl"
mkdir -p "$WORK/bundles"
CLUSTER="$cluster" KEEP="$SANITIZER_DIR $(cd "$CD_SOURCE" && pwd -P) $(cd "$CD_BUILD" && pwd -P)" PATH="$WORK/bin:$CD_BUILD/bin:$PATH" \
  "$k8s/carbondump-pod.sh" --image carbondump:test --pid "$pid" --timeout 120 -o "$WORK/bundles" \
  wso2am-0 -- --only jvm,threads,os >"$WORK/pod.out" 2>"$WORK/pod.err"
expect_eq 0 "$?" "exit status of carbondump-pod.sh (stderr: $(tail -n 5 "$WORK/pod.err"))"
bundle=$(tail -n 1 "$WORK/pod.out")
case "$bundle" in "$WORK/bundles/carbondump-wso2am-0-"*.zip) pass ;; *) fail "bundle path '$bundle'" ;; esac
m=$(bundle_manifest "$bundle")
expect_eq "$pid" "$(json_get "$m" 'j["target"]["pid"]')" "pid in the pod's bundle"
expect_eq ok "$(json_get "$m" 'j["sections"]["threads"]["status"]')" "threads through the ephemeral container"
grep -q '^debug .*--target=wso2am ' "$cluster/calls" || fail "kubectl debug did not target the pod's first container"; pass
# the ephemeral container ends once the bundle is out
container=$(cat "$cluster"/carbondump-*.pid)
for _ in $(seq 1 50); do kill -0 "$container" 2>/dev/null || break; sleep 0.1; done
kill -0 "$container" 2>/dev/null && fail "the ephemeral container still runs after the copy"; pass
expect_file_contains "$cluster"/carbondump-*.log "CARBONDUMP-DONE exit=0 bundle=/tmp/carbondump/carbondump-" "the in-pod script's result line"
expect_alive "$pid"
harness_stop "$pid"
finish

#!/usr/bin/env bash
# Installs everything carbondump needs to build, test and run its demo on Debian.
# Idempotent: does nothing (and prints nothing) when every package is present.
# Debian packages, and the npm packages of tests/tools/k8s-lint.
set -euo pipefail

packages=(
  cmake gcc make pkg-config
  openjdk-17-jdk-headless
  libzip-dev zlib1g-dev libcjson-dev libssl-dev libcmocka-dev
  libh2-java visualvm
  unzip zip coreutils procps util-linux python3
  valgrind clang libclang-rt-14-dev
  chromium
  kmod net-tools             # lsmod, modinfo, netstat, ifconfig: the original carbondump.sh (bench/)
  scdoc dpkg-dev man-db      # the man page, the .deb's dependencies, man -l in tests
  ansible-core               # deploy/ansible and its test
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
sudo=
[ "$(id -u)" -eq 0 ] || ! command -v sudo >/dev/null 2>&1 || sudo=sudo
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
    echo "setup: need root to install: ${missing[*]}" >&2; exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Kubernetes manifest validator of host_kubernetes (npm registry, pinned by
# its package-lock.json), beside its script; again only when it is missing or
# older than the lock file.
lint=$(cd "$(dirname "$0")/.." && pwd)/tests/tools/k8s-lint
if [ ! "$lint/node_modules/.package-lock.json" -nt "$lint/package-lock.json" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: installing nodejs npm" >&2
    $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  echo "setup: installing the Kubernetes manifest validator (npm ci in $lint)" >&2
  npm ci --prefix "$lint" --no-audit --no-fund --loglevel=error >/dev/null
fi

#!/usr/bin/env bash
# Installs everything carbondump needs to build, test and run its demo on Debian.
# Idempotent: does nothing (and prints nothing) when every package is present.
set -euo pipefail

packages=(
  cmake gcc make pkg-config
  openjdk-17-jdk-headless
  libzip-dev zlib1g-dev libcjson-dev libssl-dev libcmocka-dev
  libh2-java visualvm
  unzip zip coreutils procps util-linux python3
  valgrind clang libclang-rt-14-dev
  chromium
  scdoc dpkg-dev man-db      # the man page, the .deb's dependencies, man -l in tests
  ansible-core               # deploy/ansible and its test
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=sudo; else
    echo "setup: need root to install: ${missing[*]}" >&2; exit 1
  fi
else
  sudo=
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

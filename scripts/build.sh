#!/usr/bin/env bash
# Configures and builds carbondump into build/ (or the directory given), after
# making sure the dependencies are installed. Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}; shift || true
bash scripts/setup.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

#!/usr/bin/env bash
# Runs the whole test suite: unit tests, integration tests against the demo
# Carbon server on every JDK found on this machine, then the unit tests and the
# host-side tests again with the collector built under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== build"
bash scripts/build.sh build
echo "== JDKs found"
scripts/find-jdks.sh | sed 's/^/   JDK /'
echo "== tests"
ctest --test-dir build --output-on-failure -j2 --timeout 900

echo "== tests under ASan+UBSan (collector and unit tests)"
bash scripts/build.sh build-asan -DCARBONDUMP_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -L unit
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -R 'integration\.host_'

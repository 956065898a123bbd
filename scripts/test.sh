#!/usr/bin/env bash
# Runs the whole test suite, in three passes:
#  1. unit tests and integration tests (jdk_* on every JDK found, host_* once);
#     every demo server runs under -Xcheck:jni (tests/integration/lib.sh);
#  2. with the collector built under ASan+UBSan (build-asan): the unit tests,
#     the host_* tests and the jdk_* tests on the first JDK found, but for those
#     whose subject is the agent's threads part (the collector only packs what
#     it wrote, as in the others), the soak (the same run 40 times) and the
#     Ansible fleet (Ansible running the collector as the others do). A JVM
#     cannot load a sanitized agent (libasan would have to be preloaded into
#     it), so the integration tests use build-asan/mixed: the sanitized
#     collector beside the normal agent, which in start-up mode starts that
#     collector;
#  3. under valgrind memcheck: the unit tests, and the collector in
#     jdk_attach_bundle on the first JDK found (the fuzz targets build meanwhile);
#  4. every libFuzzer target for 5 s (scripts/fuzz.sh; longer by hand).
# Any sanitizer or valgrind report fails the test it came from. Every pass
# runs even when an earlier one failed; the script fails at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
failed=()
step() { # name, command...
  local name=$1; shift
  "$@" || failed+=("$name")
}

echo "== build"
bash scripts/build.sh build
echo "== JDKs found"
scripts/find-jdks.sh | sed 's/^/   JDK /'
first_jdk=$(scripts/find-jdks.sh | awk 'NR == 1 { print $1 }')
echo "== tests"
step "tests" ctest --test-dir build --output-on-failure -j2 --timeout 900

echo "== tests under ASan+UBSan (collector, unit tests; jdk_* on JDK ${first_jdk:-none})"
bash scripts/build.sh build-asan -DCARBONDUMP_SANITIZE=ON -DCARBONDUMP_TEST_LAYOUT="$PWD/build-asan/mixed"
mixed=build-asan/mixed
mkdir -p "$mixed/bin" "$mixed/lib"
cp -f build-asan/bin/carbondump "$mixed/bin/carbondump" # a copy: it finds the agent from its own path
ln -sfn "$PWD/build/lib/libcarbondump.so" "$mixed/lib/libcarbondump.so"
ln -sfn ../harness "$mixed/harness"
ln -sfn ../tests "$mixed/tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "unit tests under ASan+UBSan" ctest --test-dir build-asan --output-on-failure -j2 -L unit
# left out: the agent's threads tests, the soak, and the Ansible fleet (Ansible
# running the collector as jdk_attach_bundle does)
left_out='integration\.(jdk_(threads|threads_stress|threads_virtual|vm_threads_busy|soak)\.|host_ansible_fleet)'
step "integration tests under ASan+UBSan" \
  ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 \
    -R "^integration\.(host_.*|jdk_.*\.jdk${first_jdk:-none})\$" -E "$left_out"

unset ASAN_OPTIONS UBSAN_OPTIONS

echo "== tests under valgrind (unit tests; the collector in jdk_attach_bundle on JDK ${first_jdk:-none})"
command -v valgrind >/dev/null || { echo "valgrind is not installed (scripts/setup.sh)" >&2; exit 1; }
valgrind=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
          --show-leak-kinds=definite)
unit_memcheck() {
  rm -f build/Testing/Temporary/MemoryChecker.*.log
  # ctest warns that it has no DartConfiguration.tcl: memcheck needs none.
  # valgrind does not know openat2 (ENOSYS): the walk's fallback runs there.
  ctest --test-dir build -T memcheck -j2 -L unit --output-on-failure \
    --overwrite MemoryCheckCommand="$(command -v valgrind)" \
    --overwrite MemoryCheckCommandOptions="${valgrind[*]:1}" 2>&1 | grep -v 'DartConfiguration.tcl' &&
    return 0
  echo "valgrind's reports on the unit tests:" >&2
  grep -lE 'ERROR SUMMARY: [1-9]' build/Testing/Temporary/MemoryChecker.*.log |
    xargs -r grep -hE '^==[0-9]+== ' | head -n 200 >&2 || true
  return 1
}
step "unit tests under valgrind" unit_memcheck
# The fuzz targets build (clang) meanwhile: the collector under valgrind and its
# JVM leave most of the second core idle.
bash scripts/fuzz.sh --build-only &
fuzz_build=$!
if [ -n "$first_jdk" ]; then
  CD_COLLECTOR_WRAPPER="${valgrind[*]}" step "jdk_attach_bundle under valgrind" \
    ctest --test-dir build --output-on-failure --timeout 900 -R "^integration\.jdk_attach_bundle\.jdk$first_jdk\$"
fi
wait "$fuzz_build" || failed+=("fuzz targets build")

echo "== fuzz targets (a short run of each, one per core)"
step "fuzz targets" bash scripts/fuzz.sh 5

echo "== whole suite: $(($(date +%s) - started)) s"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi

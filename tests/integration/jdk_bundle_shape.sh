#!/usr/bin/env bash
# The demo server's bundle keeps its shape: the same entries and the same
# section results as recorded in expected/demo_bundle_shape.txt, for the run
# scripts/demo.sh makes (a 4.x home, a deadlock and monitor contention planted,
# every section). A change that adds, drops or renames a bundle file, or that
# makes a section fail or skip, shows here; when it is meant, the reference is
# updated in the same commit (CD_SHAPE_RECORD=FILE writes this run's shape).
source "$(dirname "$0")/lib.sh"

expected="$CD_SOURCE/tests/integration/expected/demo_bundle_shape.txt"
harness_start demo --style 4.x --plant deadlock,contention
run_carbondump -carbonHome "$HARNESS_HOME" -pid "$HARNESS_PID" -o "$WORK/out"
expect_in "$RC" "carbondump's exit status" 0
[ -f "$BUNDLE" ] || fail "no bundle: $BUNDLE"; pass

# This run's shape: entries below the bundle's top directory, then sections.
actual="$WORK/shape.txt"
{
  unzip -Z1 "$BUNDLE" | sed 's|^[^/]*/||' | sort | sed 's/^/entry /'
  json_get "$(bundle_manifest "$BUNDLE")" \
    '"\n".join("section %s %s" % (k, v["status"]) for k, v in j["sections"].items())'
} >"$actual"
if [ -n "${CD_SHAPE_RECORD:-}" ]; then
  cp "$actual" "$CD_SHAPE_RECORD"
  echo "shape written to $CD_SHAPE_RECORD"
fi

# Every expected line must match exactly one line of this run, and every line
# of this run must be expected.
python3 - "$expected" "$actual" <<'PY' || fail "the bundle's shape changed (see above)"
import re, sys
expected = [l for l in open(sys.argv[1]).read().splitlines() if l and not l.startswith("#")]
actual = open(sys.argv[2]).read().splitlines()
unmatched = list(actual)
missing = []
for line in expected:
    kind, _, rest = line.partition(" ")
    if rest.startswith("~"):
        pattern = re.compile(re.escape(kind + " ") + rest[1:] + "$")
        hits = [a for a in unmatched if pattern.match(a)]
    else:
        hits = [a for a in unmatched if a == line]
    if len(hits) != 1:
        missing.append(line)
    else:
        unmatched.remove(hits[0])
for line in missing:
    print("expected, not seen: " + line)
for line in unmatched:
    print("seen, not expected: " + line)
sys.exit(1 if missing or unmatched else 0)
PY
pass
harness_stop "$HARNESS_PID"
finish

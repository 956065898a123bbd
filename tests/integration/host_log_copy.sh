#!/usr/bin/env bash
# Copying a large log through the line redactor, without a JVM (--only files):
# a 3.6 MiB wso2carbon.log, read in 1 MiB chunks, with secrets on the lines
# that straddle each chunk boundary, a 1.5 MiB line (longer than a chunk) that
# ends in a secret, CRLF line ends and a last line without a line break.
#  - the copy is the log byte for byte, except the secret values, each replaced
#    by ******** (so no line is lost, doubled or cut at a chunk boundary);
#  - redaction_log.txt names each masked key with its exact line number.
. "$(dirname "$0")/lib.sh"

home="$WORK/home"
log="$home/repository/logs/wso2carbon.log"
mkdir -p "$(dirname "$log")" "$WORK/out"
# Writes the log and, beside it, the copy expected and the expected
# "line: key" list of redaction_log.txt.
python3 - "$log" "$WORK/expected.log" "$WORK/expected-keys.txt" <<'EOF'
import sys
log, expected, keys = sys.argv[1:]
MiB = 1 << 20
src, want, masked = [], [], []
size = 0
n = 0
def add(text, secret_key=None, value=None, end="\n"):
    global size, n
    n += 1
    if secret_key:
        line = f"{text} {secret_key}={value} tail"
        copy = f"{text} {secret_key}=******** tail"
        masked.append(f"{n}: {secret_key}")
    else:
        line = copy = text
    src.append(line + end); want.append(copy + end)
    size += len(line) + len(end)

boundaries = [MiB, 2 * MiB, 3 * MiB]
i = 0
while size < 3.6 * MiB:
    nxt = next((b for b in boundaries if b > size), None)
    text = f"TID: [-1234] [] [2026-06-30 08:00:{i % 60:02d},{i % 1000:03d}]  INFO {{org.example.Service}} - request {i} handled in 12 ms"
    if nxt is not None and size + len(text) + 40 > nxt:  # this line straddles a boundary
        add(text, "password", f"CDLOGSECRET-{i}")
    elif i == 5000:
        add("x" * (MiB + MiB // 2), "token", "CDLOGSECRET-long")
    elif i % 997 == 0:
        add(text, "keystore.password", f"CDLOGSECRET-{i}", end="\r\n")
    else:
        add(text)
    i += 1
add("last line without a break", "secret", "CDLOGSECRET-last", end="")
open(log, "w").write("".join(src))
open(expected, "w").write("".join(want))
open(keys, "w").write("\n".join(masked) + "\n")
EOF
[ -s "$log" ] || fail "no log written"; pass

run_carbondump --carbon-home "$home" --only files -o "$WORK/out"
expect_eq 0 "$RC" "exit status"
unzip -p "$BUNDLE" '*/repository/logs/wso2carbon.log' >"$WORK/copy.log" || fail "no copy of the log in $BUNDLE"
cmp -s "$WORK/expected.log" "$WORK/copy.log" ||
  fail "the copy differs from the log with its secrets masked: $(cmp "$WORK/expected.log" "$WORK/copy.log" 2>&1)"
pass
grep -q CDLOGSECRET "$WORK/copy.log" && fail "a secret value is in the copy"; pass
unzip -p "$BUNDLE" '*/redaction_log.txt' | sed -n 's|^repository/logs/wso2carbon.log:||p' >"$WORK/keys.txt"
diff -u "$WORK/expected-keys.txt" "$WORK/keys.txt" >"$WORK/keys.diff" ||
  fail "redaction_log.txt's lines and keys differ: $(head -n 20 "$WORK/keys.diff")"
pass
finish

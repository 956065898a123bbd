#!/usr/bin/env bash
# A hostile CARBON_HOME, walked without a JVM (--only carbon,files,checksums,listing):
# a generated 4.4 home with names holding line breaks, carriage returns, tabs,
# backslashes, quotes and bytes that are not UTF-8, a 255-byte name, a tree
# deeper than the walk goes and one whose paths pass PATH_MAX, links to
# /etc/shadow and to a directory outside, a link loop, FIFOs, files vanishing
# and growing during the walk, and (without CAP_DAC_OVERRIDE) unreadable ones.
#  - the run ends (never hangs) with exit 0 and every section ok;
#  - the ZIP passes `unzip -t` and Python's zipfile; every entry name is UTF-8
#    without control characters or backslashes: copied files with odd names are
#    stored under their percent-encoded bundle path (README, "Odd names");
#  - checksum_values.txt escapes names the way sha256sum does and
#    `sha256sum -c` run in CARBON_HOME verifies it, odd names included;
#  - nothing outside CARBON_HOME is copied or hashed: links are listed as links;
#  - every JSON file in the bundle is valid, strictly UTF-8 JSON;
#  - what could not be walked or read is named, one line per problem.
. "$(dirname "$0")/lib.sh"

# the fixture generator is Java: any JDK on the machine will do
java_home=$("$CD_SOURCE/scripts/find-jdks.sh" 2>/dev/null | head -n 1 | cut -d' ' -f2-)
if [ -z "$java_home" ]; then echo "skipped: no JDK to generate the CARBON_HOME fixture"; finish; fi

# Runs carbondump (behind lib.sh's CD_COLLECTOR_WRAPPER, if any) under a time
# limit, so that a hang fails the test; sets RC and BUNDLE. Arguments before
# "--" are a command prefix (setpriv ...).
wrapper=(${COLLECTOR_WRAPPER[@]+"${COLLECTOR_WRAPPER[@]}"})
limit_s=60; [ ${#wrapper[@]} -eq 0 ] || limit_s=600
run_bounded() {
  local prefix=()
  if [[ " $* " == *" -- "* ]]; then
    while [ "$1" != "--" ]; do prefix+=("$1"); shift; done
    shift
  fi
  LAST_STDOUT="$WORK/out.$RANDOM"; LAST_STDERR="$WORK/err.$RANDOM"
  timeout "$limit_s" ${prefix[@]+"${prefix[@]}"} ${wrapper[@]+"${wrapper[@]}"} "$CARBONDUMP" "$@" \
    >"$LAST_STDOUT" 2>"$LAST_STDERR" </dev/null
  RC=$?
  [ "$RC" != 124 ] || fail "carbondump $* did not finish within $limit_s s"
  [ "$RC" != 99 ] || fail "the collector wrapper (${wrapper[*]}) reported an error: $(tail -n 5 "$LAST_STDERR")"
  BUNDLE=$(tail -n 1 "$LAST_STDOUT")
}

unpack() { # name: unzips BUNDLE, prints the bundle's root directory
  local dir="$WORK/unpacked-$1"
  rm -rf "$dir"; mkdir -p "$dir"
  unzip -q "$BUNDLE" -d "$dir" || fail "cannot unzip $BUNDLE"
  echo "$dir"/carbondump-*
}

# ---------------------------------------------------------------- the home
home="$WORK/home"
harness_generate "$home" 4.4 "$java_home"
conf="$home/repository/conf"; logs="$home/repository/logs"

# odd names: each source name, then the name of its copy in the bundle
odd_names=(
  $'odd\nnewline.txt'   'odd%0Anewline.txt'
  $'odd\rreturn.txt'    'odd%0Dreturn.txt'
  $'odd\ttab.txt'       'odd%09tab.txt'
  'odd\back\slash.txt'  'odd%5Cback%5Cslash.txt'
  "odd\"double'single.txt" "odd\"double'single.txt"
  $'odd-\xff\xfe.txt'   'odd-%FF%FE.txt'
  $'latin1-caf\xe9.xml' 'latin1-caf%E9.xml'
  'utf8-café.xml'       'utf8-café.xml'
  'per%cent.txt'        'per%25cent.txt'
)
for dir in "$home" "$conf" "$logs"; do
  for ((i = 0; i < ${#odd_names[@]}; i += 2)); do
    printf 'content of %s\n' "${odd_names[i+1]}" >"$dir/${odd_names[i]}"
  done
done
odd_dir=$'dir\nwith-\xff'
mkdir "$conf/$odd_dir"
printf 'admin.password=CDSECRET-oddname\nport=9443\n' >"$conf/$odd_dir/app.properties"
name255=$(printf 'n%.0s' $(seq 1 251)).txt
echo "long name" >"$conf/$name255"

# a patched jar with a line break and a byte that is not UTF-8 in its name,
# different from its copy in plugins/: an inconsistent patch to report
odd_jar=$'odd\xff\nname_1.0.0.jar'
echo "patched" >"$home/repository/components/patches/patch0003/$odd_jar"
echo "original" >"$home/repository/components/plugins/$odd_jar"

# 200 levels of short names: deeper than the walk goes (CD_WALK_MAX_DEPTH, 128)
( cd "$home" && for i in $(seq 1 200); do
    mkdir "d$i" && cd "d$i" && echo "level $i" >file.txt || exit 1
  done ) || fail "cannot build the deep tree"
# 70 levels of 60-byte names below conf: paths pass PATH_MAX (4096) at level 65
level=$(printf 'L%.0s' $(seq 1 60))
( cd "$conf" && for i in $(seq 1 70); do
    mkdir "$level" && cd "$level" && echo "long $i" >f.xml || exit 1
  done ) || fail "cannot build the long-path tree"

outside="$WORK/outside"; mkdir -p "$outside"
echo "CDOUTSIDE-canary" >"$outside/outside.xml"
ln -s /etc/shadow "$home/shadow-link"; ln -s /etc/shadow "$conf/shadow.xml"
ln -s "$outside" "$conf/outside-dir"; ln -s "$outside/outside.xml" "$logs/outside.log"
ln -s ../../../outside "$conf/relative-outside"
ln -s loop-b "$conf/loop-a"; ln -s loop-a "$conf/loop-b"
mkfifo "$conf/pipe.xml" "$logs/pipe.log" "$home/pipe"
printf 'secret=CDSECRET-unreadable\n' >"$conf/"$'unreadable\nfile.properties'
chmod 000 "$conf/"$'unreadable\nfile.properties'
mkdir "$conf/closed-dir"; echo x >"$conf/closed-dir/inside.xml"; chmod 000 "$conf/closed-dir"

# files that come and go and grow while the sections run
mkdir "$conf/churn"
for i in $(seq 1 50); do echo "growing line" >>"$logs/growing.log"; done
( while :; do
    for i in $(seq 1 40); do echo "<churn/>" >"$conf/churn/c$i.xml"; done
    rm -f "$conf/churn"/c*.xml
    echo "growing line" >>"$logs/growing.log"
  done ) >/dev/null 2>&1 &
churn=$!
harness_track "$churn"

run_bounded --carbon-home "$home" --only carbon,files,checksums,listing -o "$WORK/b1"
kill "$churn"; wait "$churn" 2>/dev/null
expect_eq 0 "$RC" "exit status on the hostile home"
m=$(bundle_manifest "$BUNDLE")
for s in carbon files checksums listing; do
  expect_eq ok "$(json_get "$m" "j['sections']['$s']['status']")" "$s section status"
done

# ---------------------------------------------------------------- the ZIP
unzip -tq "$BUNDLE" >"$WORK/unzip-t.txt" 2>&1 || fail "unzip -t: $(head -n 3 "$WORK/unzip-t.txt")"; pass
python3 - "$BUNDLE" >"$WORK/zipcheck.txt" 2>&1 <<'EOF' || fail "zipfile: $(head -n 5 "$WORK/zipcheck.txt")"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
assert bad is None, "corrupt entry %r" % bad
for info in z.infolist():
    name = info.filename
    assert name.isascii() or info.flag_bits & 0x800, "not flagged UTF-8: %r" % name
    assert not any(ord(c) < 0x20 or c == "\x7f" or c == "\\" for c in name), "odd entry name %r" % name
EOF
pass
dir=$(unpack hostile)

# each odd name's copy, under its bundle path, with its content
for area in repository/conf repository/logs; do
  for ((i = 0; i < ${#odd_names[@]}; i += 2)); do
    copy="$dir/$area/${odd_names[i+1]}"
    [ -f "$copy" ] || fail "$area/${odd_names[i+1]} is not in the bundle"; pass
    expect_eq "content of ${odd_names[i+1]}" "$(cat "$copy")" "content of $area/${odd_names[i+1]}"
  done
done
expect_file_contains "$dir/copy_notes.txt" 'repository/conf/odd\nnewline.txt: copied as repository/conf/odd%0Anewline.txt' \
  "copy_notes.txt names the bundle path of a renamed copy"
expect_eq "admin.password=********" "$(head -n 1 "$dir/repository/conf/dir%0Awith-%FF/app.properties")" \
  "a secret under an odd directory name is masked"
expect_file_contains "$dir/redaction_log.txt" 'repository/conf/dir\nwith-'$'\xff''/app.properties:1: admin.password' \
  "redaction_log.txt names the odd file on one line"
long_copy=$(ls "$dir/repository/conf" | grep '^nnn.*~[0-9a-f]\{16\}$')
expect_eq 200 "${#long_copy}" "length of the 255-byte name in the bundle (183 bytes, ~, 16 hex digits)"
expect_eq "long name" "$(cat "$dir/repository/conf/$long_copy")" "content of the 255-byte name's copy"

# ---------------------------------------------------------------- outside the home
grep -raq CDOUTSIDE "$dir" && fail "a file outside CARBON_HOME was copied"; pass
if [ -r /etc/shadow ] && [ -s /etc/shadow ]; then
  grep -raqF -- "$(head -n 1 /etc/shadow)" "$dir" && fail "/etc/shadow was copied through a link"; pass
fi
for link in shadow-link repository/conf/shadow.xml repository/conf/outside-dir repository/logs/outside.log \
  repository/conf/relative-outside repository/conf/loop-a; do
  [ ! -e "$dir/$link" ] || fail "the link $link was followed into the bundle"; pass
  grep -q "^l .* $link -> " "$dir/directory_listing.txt" || fail "$link is not listed as a link"; pass
  grep -q "  $link\(/\|$\)" "$dir/checksum_values.txt" && fail "$link was followed by checksums"; pass
done
grep -q '^l .* repository/conf/shadow.xml -> /etc/shadow$' "$dir/directory_listing.txt" ||
  fail "the link to /etc/shadow is not listed with its target"; pass
expect_file_contains "$dir/copy_notes.txt" \
  "repository/conf/shadow.xml: not copied: a symbolic link that is absolute or leads out of CARBON_HOME, not followed" \
  "copy_notes.txt on the link to /etc/shadow"
expect_file_contains "$dir/copy_notes.txt" \
  "repository/conf/loop-a: not copied: a symbolic link in a loop (or too many links in a row), not followed" \
  "copy_notes.txt on the link loop"
for fifo in pipe repository/conf/pipe.xml repository/logs/pipe.log; do
  grep -q "^p .* $fifo$" "$dir/directory_listing.txt" || fail "the FIFO $fifo is not listed as p"; pass
done

# ---------------------------------------------------------------- checksums
sums="$dir/checksum_values.txt"
grep -q '^\\[0-9a-f]\{64\}  repository/conf/odd\\nnewline\.txt$' "$sums" ||
  fail "a newline in a name is not escaped as sha256sum does"; pass
grep -q '^\\[0-9a-f]\{64\}  repository/conf/odd\\rreturn\.txt$' "$sums" ||
  fail "a carriage return in a name is not escaped as sha256sum does"; pass
grep -q '^\\[0-9a-f]\{64\}  repository/conf/odd\\\\back\\\\slash\.txt$' "$sums" ||
  fail "backslashes in a name are not escaped as sha256sum does"; pass
grep -aq "^[0-9a-f]\{64\}  repository/conf/odd-"$'\xff\xfe'"\.txt$" "$sums" ||
  fail "a name that is not UTF-8 is not written byte for byte"; pass
grep -q "  d1/d2/.*/d127/file.txt$" "$sums" || fail "level 127 of the deep tree is not checksummed"; pass
grep -q "/d128/" "$sums" && fail "the walk entered level 128"; pass
# churn files and the growing log changed after they were hashed: leave them out
grep -av '  repository/conf/churn/\|  repository/logs/growing.log$' "$sums" >"$WORK/stable-sums.txt"
(cd "$home" && sha256sum -c --quiet "$WORK/stable-sums.txt") >"$WORK/sha256sum-c.txt" 2>&1 ||
  fail "sha256sum -c does not verify checksum_values.txt: $(head -n 3 "$WORK/sha256sum-c.txt")"; pass
problems="$dir/checksum_problems.txt"
grep -q '^d1/d2/.*/d128: more than 128 levels deep, not entered$' "$problems" ||
  fail "checksum_problems.txt does not name the level not entered"; pass
grep -q "^repository/conf/$level/.*: an entry below is not walked: its path would be 4096 bytes or longer$" "$problems" ||
  fail "checksum_problems.txt does not name the path past PATH_MAX"; pass
expect_file_contains "$dir/directory_listing.txt" "# Could not be listed:" "the listing's problem section"
expect_file_contains "$dir/copy_notes.txt" ": not copied: its path is too long to be stored in the bundle" \
  "copy_notes.txt on a conf file whose path is too long to stage"
grep -vq '^growing line$' "$dir/repository/logs/growing.log" && fail "the growing log was copied with a torn line"; pass
expect_file_contains "$dir/carbon_server_info.txt" \
  "    odd%FF%0Aname_1.0.0.jar (newest in patch0003): differs from repository/components/plugins/odd%FF%0Aname_1.0.0.jar" \
  "the oddly named inconsistent jar, on one line and in its bundle spelling"

# ---------------------------------------------------------------- JSON
python3 - "$dir" >"$WORK/json.txt" 2>&1 <<'EOF' || fail "JSON: $(head -n 5 "$WORK/json.txt")"
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
files = list(root.rglob("*.json"))
assert files, "no JSON files"
for f in files:
    json.loads(f.read_bytes().decode("utf-8", errors="strict"))
m = json.loads((root / "manifest.json").read_bytes())
paths = {e["path"] for e in m["entries"]}
for p in ("repository/conf/odd%0Anewline.txt", "repository/conf/odd-%FF%FE.txt", "repository/conf/utf8-café.xml"):
    assert p in paths, "manifest entry %r missing" % p
EOF
pass

# ---------------------------------------------------------------- unreadable entries
# Root reads mode 000 files: run without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH then.
prefix=()
[ "$(id -u)" = 0 ] && prefix=(setpriv --bounding-set=-dac_override,-dac_read_search --)
run_bounded ${prefix[@]+"${prefix[@]}"} --carbon-home "$home" --only files,checksums,listing -o "$WORK/b2"
expect_eq 0 "$RC" "exit status with unreadable entries"
dir=$(unpack unreadable)
expect_file_contains "$dir/checksum_problems.txt" \
  'repository/conf/unreadable\nfile.properties: cannot open: Permission denied' \
  "checksum_problems.txt on an unreadable file with a newline in its name"
expect_file_contains "$dir/directory_listing.txt" \
  "# repository/conf/closed-dir: cannot open directory: Permission denied" "the listing on an unreadable directory"
expect_file_contains "$dir/copy_notes.txt" \
  'repository/conf/unreadable\nfile.properties: not copied: Permission denied' "copy_notes.txt on an unreadable file"
grep -raq CDSECRET- "$dir" && fail "a planted secret reached the bundle"; pass
chmod 700 "$conf/closed-dir" # so that the work directory can be removed by a non-root user

expect_no_partial_files "$WORK"
finish

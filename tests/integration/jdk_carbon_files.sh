#!/usr/bin/env bash
# The carbon, files, checksums and listing sections against the demo server's
# CARBON_HOMEs (4.4: XML configuration and WUM patches; is7: deployment.toml,
# PKCS12 and Updates 2.0; 4.x: generated only, no server):
#  - no planted secret (CDSECRET-...) and no key material (CDKEYMATERIAL-...)
#    anywhere in the bundle, compressed entries included;
#  - keystores and password files are not copied but are checksummed;
#  - redaction_log.txt names the files and keys of the secrets, never a value;
#  - --no-redact copies the values (and still no key material);
#  - the planted inconsistent patch is reported by jar name;
#  - a FIFO, a symbolic link loop, a link out of the tree and files vanishing
#    during the walk neither hang nor fail the run;
#  - `sha256sum -c checksum_values.txt` run in CARBON_HOME verifies it.
. "$(dirname "$0")/lib.sh"

# Runs carbondump under a time limit, so that a hang fails the test instead of
# stalling it; sets RC and BUNDLE like run_carbondump.
run_bounded() {
  LAST_STDOUT="$WORK/out.$RANDOM"; LAST_STDERR="$WORK/err.$RANDOM"
  timeout 180 "$CARBONDUMP" "$@" >"$LAST_STDOUT" 2>"$LAST_STDERR" </dev/null
  RC=$?
  [ "$RC" != 124 ] || fail "carbondump $* did not finish within 180 s"
  BUNDLE=$(tail -n 1 "$LAST_STDOUT")
}

# Unzips BUNDLE into a fresh directory and prints the bundle's root in it.
unpack() { # name
  local dir="$WORK/unpacked-$1"
  rm -rf "$dir"; mkdir -p "$dir"
  unzip -q "$BUNDLE" -d "$dir" || fail "cannot unzip $BUNDLE"
  echo "$dir"/carbondump-*
}

# Every planted string starting with prefix found in the unpacked bundle, with
# gzip-compressed entries decompressed too.
planted_strings() { # dir prefix
  { grep -r -a -o -h -- "$2[A-Za-z0-9_.-]*" "$1"
    find "$1" -name '*.gz' -exec sh -c 'zcat "$1" 2>/dev/null' _ {} \; | grep -a -o -- "$2[A-Za-z0-9_.-]*"
  } | sort -u
}

# Odd entries the walk must survive, and files that come and go during it.
plant_odd_entries() { # home
  mkfifo "$1/cd-test.fifo" "$1/repository/conf/cd-test.fifo"
  ln -s cd-loop-b "$1/cd-loop-a"; ln -s cd-loop-a "$1/cd-loop-b"
  ln -s / "$1/repository/conf/cd-root-link"
  ln -s ../../.. "$1/repository/logs/cd-parent-link"
  mkdir -p "$1/cd-churn"
}

start_churn() { # home: creates and deletes files below home/cd-churn until stopped
  ( while :; do
      for i in $(seq 1 100); do echo x >"$1/cd-churn/f$i"; done
      rm -f "$1/cd-churn"/f*
    done ) >/dev/null 2>&1 &
  CHURN_PID=$!
}

stop_churn() {
  kill "$CHURN_PID" 2>/dev/null; wait "$CHURN_PID" 2>/dev/null
  rm -rf "$1/cd-churn"
}

# The checks every style shares, on an unpacked bundle of a masked run.
check_masked_bundle() { # dir home meta
  local dir=$1 home=$2 meta=$3
  expect_eq "" "$(planted_strings "$dir" CDSECRET- | head -n 3)" "planted secrets in the bundle"
  expect_eq "" "$(planted_strings "$dir" CDKEYMATERIAL- | head -n 3)" "key material in the bundle"
  json_get "$meta" '"\n".join(j["key_material_files"])' >"$WORK/keys.txt"
  [ -s "$WORK/keys.txt" ] || fail "the harness planted no key material"; pass
  while read -r key; do
    [ ! -e "$dir/$key" ] || fail "key material $key was copied into the bundle"; pass
    grep -qF "  $key" "$dir/checksum_values.txt" || fail "$key is not in checksum_values.txt"; pass
  done <"$WORK/keys.txt"
  # every file holding a masked secret, under conf or logs, is named in the log
  json_get "$meta" '"\n".join(sorted({c["file"] for c in j["canaries"] if c["kind"] == "secret"
      and c["file"].startswith(("repository/conf/", "repository/logs/"))}))' >"$WORK/secret-files.txt"
  [ -s "$WORK/secret-files.txt" ] || fail "the harness planted no secrets in conf or logs"; pass
  while read -r file; do
    grep -q "^$file:[0-9]*: " "$dir/redaction_log.txt" ||
      fail "redaction_log.txt does not name $file"; pass
  done <"$WORK/secret-files.txt"
  expect_file_contains "$dir/redaction_log.txt" "masking: on" "redaction_log.txt says masking was on"
  [ -f "$dir/repository/conf/carbon.xml" ] || fail "repository/conf/carbon.xml was not copied"; pass
  grep -q '<Password>\*\*\*\*\*\*\*\*</Password>' "$dir/repository/conf/carbon.xml" ||
    fail "carbon.xml's <Password> is not masked in place"; pass
  # the odd entries are listed, not followed, not copied
  expect_file_contains "$dir/directory_listing.txt" " cd-test.fifo" "the FIFO in the listing"
  grep -q '^p .* cd-test.fifo$' "$dir/directory_listing.txt" || fail "the FIFO is not listed as p"; pass
  grep -q '^l .* cd-loop-a -> cd-loop-b$' "$dir/directory_listing.txt" ||
    fail "the symbolic link loop is not listed as a link"; pass
  [ ! -e "$dir/repository/conf/cd-root-link" ] || fail "a link out of CARBON_HOME was followed"; pass
  [ ! -e "$dir/repository/conf/cd-test.fifo" ] || fail "a FIFO was copied"; pass
  expect_file_contains "$dir/copy_notes.txt" "repository/conf/cd-test.fifo: not copied: a FIFO" \
    "copy_notes.txt on the FIFO"
  ! grep -q '^[0-9a-f]*  \(samples\|docs\)/' "$dir/checksum_values.txt" ||
    fail "top-level samples/ or docs/ was checksummed"; pass
  local nested; nested=$(cd "$home" && find repository -path '*samples*' -type f | head -n 1)
  if [ -n "$nested" ]; then
    grep -qF "  $nested" "$dir/checksum_values.txt" || fail "$nested (not top-level) was not checksummed"; pass
  fi
}

# Starts the demo server in style, plants the odd entries, runs the four
# sections (and jvm, for the Java lines) while files come and go, checks what
# every style shares; sets home, meta, pid and dir (the unpacked bundle).
run_live_style() { # name style
  harness_start "$1" --style "$2"
  home=$HARNESS_HOME; meta="$home.harness.json"; pid=$HARNESS_PID
  plant_odd_entries "$home"
  start_churn "$home"
  run_bounded --pid "$pid" --carbon-home "$home" --only jvm,carbon,files,checksums,listing \
    -o "$WORK/b-$1"
  stop_churn "$home"
  # 3 when the jvm section (here only for the Java lines) fails; ours must not
  expect_in "$RC" "exit status of jvm,carbon,files,checksums,listing on $2" 0 3
  local m; m=$(bundle_manifest "$BUNDLE")
  for s in carbon files checksums listing; do
    expect_eq ok "$(json_get "$m" "j['sections']['$s']['status']")" "$s section status on $2"
  done
  dir=$(unpack "$1")
  check_masked_bundle "$dir" "$home" "$meta"
}

# ---------------------------------------------------------------- 4.4
run_live_style home44 4.4
info="$dir/carbon_server_info.txt"
jar=$(json_get "$meta" 'j["patches"]["inconsistent_jar"]')
patch_dir=$(basename "$(json_get "$meta" 'j["patches"]["inconsistent_patch_dir"]')")
expect_file_contains "$info" "Patch Consistency : INCONSISTENT: 1 of" "patch check verdict"
expect_file_contains "$info" "    $jar (newest in $patch_dir): differs from repository/components/plugins/$jar" \
  "the planted inconsistent patch by jar name"
expect_file_contains "$info" "Product : WSO2 API Manager v2.6.0" "Product from bin/version.txt"
expect_file_contains "$info" "Product Key : AM" "ServerKey from carbon.xml"
expect_file_contains "$info" "Java Home : $(readlink -f "$CD_JAVA_HOME")" "Java Home of the live VM"
expect_eq inconsistent "$(json_get "$dir/carbon_info.json" 'j["patch_consistency"]["status"]')" \
  "carbon_info.json patch status"
expect_eq "$jar" "$(json_get "$dir/carbon_info.json" 'j["patch_consistency"]["problems"][0]["jar"]')" \
  "carbon_info.json names the jar"

# --no-redact: values copied, key material still not
run_bounded --carbon-home "$home" --only files --no-redact -o "$WORK/b44-plain"
expect_eq 0 "$RC" "exit status with --no-redact"
plain=$(unpack 44-plain)
canary=$(json_get "$meta" '[c["value"] for c in j["canaries"] if c["file"] == "repository/conf/carbon.xml"][0]')
grep -rqF "$canary" "$plain/repository/conf/carbon.xml" || fail "--no-redact did not copy $canary"; pass
expect_eq "" "$(planted_strings "$plain" CDKEYMATERIAL- | head -n 3)" "key material with --no-redact"
expect_file_contains "$plain/redaction_log.txt" "masking: OFF (--no-redact)" "redaction_log.txt with --no-redact"
expect_alive "$pid"

# sha256sum -c verifies, names with a backslash, a newline and a blank included
harness_stop "$pid"
odd_name=$(printf 'cd odd\\name\nline')
echo odd >"$home/repository/$odd_name"
run_bounded --carbon-home "$home" --only checksums -o "$WORK/b44-sums"
expect_eq 0 "$RC" "exit status of checksums on the stopped home"
sums=$(unpack 44-sums)/checksum_values.txt
grep -q '^\\[0-9a-f]\{64\}  repository/cd odd\\\\name\\nline$' "$sums" ||
  fail "the odd name is not escaped the way sha256sum escapes it"; pass
expect_eq "$(find "$home" -path "$home/samples" -prune -o -path "$home/docs" -prune -o -type f -printf x | wc -c)" \
  "$(wc -l <"$sums")" "one checksum per regular file"
(cd "$home" && sha256sum -c --quiet "$sums") >"$WORK/sha256sum-c.txt" 2>&1 ||
  fail "sha256sum -c does not verify checksum_values.txt: $(head -n 3 "$WORK/sha256sum-c.txt")"; pass

# ---------------------------------------------------------------- is7
run_live_style homeis7 is7
info="$dir/carbon_server_info.txt"
expect_file_contains "$info" "Update Level : 8 (Updates 2.0, updates/config.json" "Updates 2.0 level"
expect_file_contains "$info" "Product : WSO2 Identity Server v7.1.0" "is7 Product"
expect_file_contains "$info" "Patch Consistency : no patches" "is7 has no WUM patches"
grep -q '^repository/conf/deployment.toml:[0-9]*: encryption.key$' "$dir/redaction_log.txt" ||
  fail "deployment.toml's [encryption] key is not in redaction_log.txt"; pass
expect_alive "$pid"
harness_stop "$pid"

# ---------------------------------------------------------------- 4.x (generated only)
home="$WORK/home4x"
harness_generate "$home" 4.x
plant_odd_entries "$home"
run_bounded --carbon-home "$home" --only carbon,files,checksums,listing -o "$WORK/b4x"
expect_eq 0 "$RC" "exit status of carbon,files,checksums,listing on 4.x without a JVM"
dir=$(unpack 4x)
check_masked_bundle "$dir" "$home" "$home.harness.json"
(cd "$home" && sha256sum -c --quiet "$dir/checksum_values.txt") >"$WORK/sha256sum-c-4x.txt" 2>&1 ||
  fail "sha256sum -c does not verify the 4.x checksums: $(head -n 3 "$WORK/sha256sum-c-4x.txt")"; pass

# a database file written to all the time is copied, retried and flagged
busy="$home/repository/database/cd-busy.mv.db"
head -c 4000000 /dev/urandom >"$busy"
( while :; do echo x >>"$busy"; done ) >/dev/null 2>&1 &
writer=$!
run_bounded --carbon-home "$home" --only files -o "$WORK/b4x-busy"
kill "$writer"; wait "$writer" 2>/dev/null
expect_eq 0 "$RC" "exit status while a database file is being written"
dir=$(unpack 4x-busy)
grep -q '^repository/database/cd-busy.mv.db: \(INCONSISTENT: changed during each of 4 copies\|changed while being copied; copy [2-4] of 4 is consistent\)' \
  "$dir/copy_notes.txt" || fail "the changing database file is not flagged: $(grep database "$dir/copy_notes.txt")"; pass
[ -f "$dir/repository/database/cd-busy.mv.db" ] || fail "the changing database file was not copied"; pass
! grep -q '^repository/database/WSO2CARBON_DB.mv.db:' "$dir/copy_notes.txt" ||
  fail "a database file at rest was flagged"; pass
finish

# Helpers shared by the fault tests (host_faults.sh, jdk_faults.sh), sourced
# after lib.sh: file systems they mount are unmounted however the test ends,
# and a bundle's ZIP is checked against its manifest.

MOUNTS=()
unmount_all() {
  for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done
  cleanup
}
trap unmount_all EXIT

# Mounts a tmpfs of the given size (mount's size= syntax) on dir, made if needed.
mount_tmpfs() { # dir size
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2" tmpfs "$1" || fail "cannot mount a tmpfs on $1"
  MOUNTS+=("$1")
}

# Every file of the bundle is listed in its manifest with the right hash, and
# nothing else is in the ZIP.
expect_entries_match_zip() { # zip manifest
  unzip -tq "$1" >/dev/null || fail "unzip -t rejects $1"; pass
  local listed in_zip
  listed=$(json_get "$2" '"\n".join(sorted(e["path"] for e in j["entries"]))')
  in_zip=$(unzip -Z1 "$1" | sed 's|^[^/]*/||' | grep -vx 'manifest.json' | sort)
  expect_eq "$listed" "$in_zip" "files in the ZIP against the manifest's entries"
  json_get "$2" '"\n".join(e["path"]+" "+e["sha256"] for e in j["entries"])' |
    while read -r path sha; do
      [ "$(unzip -p "$1" "*/$path" | sha256sum | cut -d' ' -f1)" = "$sha" ] ||
        fail "sha256 of $path in $1 differs from the manifest"
    done || exit 1
  pass
}

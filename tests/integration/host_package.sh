#!/usr/bin/env bash
# The packages: CPack builds the .deb and the .tar.gz from this build; the .deb
# holds exactly the installed layout and depends on every package whose
# libraries the binaries load. Unpacked into a scratch root, and then installed
# on this machine with dpkg -i, the packaged carbondump dumps the demo server
# (finding its agent in lib/carbondump/); apt-get remove leaves nothing behind.
#
# The machine install is skipped, with the reason, when a carbondump package is
# already installed (it is not ours to replace); it is always removed again,
# whatever happens. Needs dpkg-dev (dpkg-shlibdeps) and man-db (scripts/setup.sh).
. "$(dirname "$0")/lib.sh"
binary_dir=${CD_BINARY_DIR:?CD_BINARY_DIR must point at the CMake build directory}
grep -q '^CARBONDUMP_SANITIZE:BOOL=ON' "$binary_dir/CMakeCache.txt" &&
  skip "a sanitized build is not shippable, and a JVM cannot load its agent"
CD_JAVA_HOME=$("$CD_SOURCE/scripts/find-jdks.sh" | awk 'NR == 1 { print $2 }')
[ -n "$CD_JAVA_HOME" ] || fail "no JDK found (scripts/find-jdks.sh) to run the demo server"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$binary_dir/CMakeCache.txt")
arch=$(dpkg --print-architecture)

# ---------------------------------------------------------------- build the packages
(cd "$WORK" && cpack --config "$binary_dir/CPackConfig.cmake" -G "DEB;TGZ" -B "$WORK/packages") \
  >"$WORK/cpack.out" 2>&1 || fail "cpack failed: $(tail -n 20 "$WORK/cpack.out")"
deb="$WORK/packages/carbondump_${version}_${arch}.deb"
tarball="$WORK/packages/carbondump-${version}-Linux.tar.gz"
[ -f "$deb" ] && [ -f "$tarball" ] || fail "cpack made no $deb and $tarball: $(ls "$WORK/packages")"; pass

expected_files="./usr/bin/carbondump
./usr/lib/carbondump/libcarbondump.so
./usr/share/bash-completion/completions/carbondump
./usr/share/doc/carbondump/README.md
./usr/share/man/man1/carbondump.1.gz"
expect_eq "$expected_files" "$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sort)" "files in the .deb"
expect_eq "carbondump $version" "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" "package name and version"

# Depends names the package of every shared library the binaries load.
depends=$(dpkg-deb -f "$deb" Depends)
root="$WORK/root"
dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x failed"
for binary in "$root/usr/bin/carbondump" "$root/usr/lib/carbondump/libcarbondump.so"; do
  for soname in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(ldconfig -p | awk -v s="$soname" '$1 == s { print $NF; exit }')
    [ -n "$path" ] || fail "$soname (needed by $(basename "$binary")) is not on this machine"
    owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
    [ -n "$owner" ] || owner=$(dpkg -S "$path" | head -n 1 | cut -d: -f1)
    case ", $depends" in
      *", $owner "* | *", $owner,"* | *", $owner") pass ;;
      *) fail "$(basename "$binary") needs $soname from $owner, which Depends lacks: $depends" ;;
    esac
  done
done

# ---------------------------------------------------------------- the scratch root
expect_eq "carbondump $version" "$("$root/usr/bin/carbondump" --version)" "--version of the unpacked package"
man -l "$root/usr/share/man/man1/carbondump.1.gz" 2>&1 | grep -q 'carbondump install-agent' ||
  fail "the packaged man page does not render"; pass
harness_start demo -- --style 4.x
pid=$HARNESS_PID
CARBONDUMP="$root/usr/bin/carbondump" run_carbondump --pid "$pid" --only jvm,threads,os -o "$WORK/out-root"
expect_eq 0 "$RC" "exit status of the unpacked carbondump against the demo server"
expect_eq ok "$(json_get "$(bundle_manifest "$BUNDLE")" 'j["sections"]["threads"]["status"]')" "threads through the packaged agent"

tar -xzf "$tarball" -C "$WORK" || fail "cannot unpack $tarball"
expect_eq "$(sed 's|^\./usr/|./|' <<<"$expected_files")" \
  "$(cd "$WORK/carbondump-$version-Linux" && find . -type f | sort)" "files in the .tar.gz"
expect_eq "carbondump $version" "$("$WORK/carbondump-$version-Linux/bin/carbondump" --version)" "--version from the .tar.gz"

# ---------------------------------------------------------------- this machine
if dpkg-query -W -f='${db:Status-Abbrev}' carbondump 2>/dev/null | grep -q '^[ih]i'; then
  harness_stop "$pid"
  echo "host_package: carbondump is already installed on this machine; dpkg -i and apt-get remove not tried" >&2
  finish
fi
dpkg_locked() { # command...: retries while another dpkg or apt holds the lock
  local tries=0
  until "$@" >"$WORK/dpkg.out" 2>&1; do
    grep -qiE 'lock|locked' "$WORK/dpkg.out" && [ $tries -lt 60 ] || return 1
    sleep 1; tries=$((tries + 1))
  done
}
remove_package() { dpkg_locked dpkg --purge carbondump || true; }
trap 'remove_package; cleanup' EXIT
dpkg_locked dpkg -i "$deb" || fail "dpkg -i failed: $(cat "$WORK/dpkg.out")"; pass
expect_eq "ii" "$(dpkg-query -W -f='${db:Status-Abbrev}' carbondump | tr -d ' ')" "package state after dpkg -i"
expect_eq /usr/bin/carbondump "$(PATH=/usr/bin:/bin command -v carbondump)" "carbondump on PATH"
expect_eq "carbondump $version" "$(/usr/bin/carbondump --version)" "--version of the installed package"
expect_eq /usr/share/man/man1/carbondump.1.gz "$(man -w carbondump)" "man carbondump"
CARBONDUMP=/usr/bin/carbondump run_carbondump --pid "$pid" --only jvm,threads -o "$WORK/out-installed"
expect_eq 0 "$RC" "exit status of the installed carbondump against the demo server"
expect_eq ok "$(json_get "$(bundle_manifest "$BUNDLE")" 'j["sections"]["threads"]["status"]')" "threads through the installed agent"
harness_stop "$pid"

installed=$(dpkg -L carbondump)
DEBIAN_FRONTEND=noninteractive dpkg_locked apt-get remove -y carbondump ||
  fail "apt-get remove failed: $(cat "$WORK/dpkg.out")"; pass
# what the package brought, still there and owned by no other package
left=$(for p in $installed; do [ -e "$p" ] && ! dpkg -S "$p" >/dev/null 2>&1 && echo "$p"; done)
expect_eq "" "$left" "files and directories left after apt-get remove"
expect_eq "" "$(dpkg-query -W -f='${db:Status-Abbrev}' carbondump 2>/dev/null | grep -E '^[a-z]{2}' | grep -v '^un')" "package state after apt-get remove"
finish

#!/bin/sh
# Compiles the demo Carbon server (java-test-harness/src, plain Java 11, no build tool)
# into OUTDIR/classes and copies the fixture lists to OUTDIR/fixtures, where the server
# looks for them at run time. CMake runs it as: build.sh /path/to/javac build/harness
#
# Usage: build.sh JAVAC OUTDIR
set -eu

fail() {
    echo "build.sh: $*" >&2
    exit 1
}

[ $# -eq 2 ] || fail "usage: build.sh JAVAC OUTDIR"
javac=$1
outdir=$2
here=$(cd "$(dirname "$0")" && pwd)

command -v "$javac" >/dev/null 2>&1 || fail "no javac at '$javac'"
[ -d "$here/src" ] || fail "no sources in $here/src"

mkdir -p "$outdir" || fail "cannot create $outdir"
outdir=$(cd "$outdir" && pwd)
rm -rf "$outdir/classes" "$outdir/fixtures"
mkdir -p "$outdir/classes" "$outdir/fixtures"

# An argument file keeps paths with spaces intact and the command line short.
sources="$outdir/sources.txt"
find "$here/src" -name '*.java' | LC_ALL=C sort | sed 's/.*/"&"/' > "$sources"
[ -s "$sources" ] || fail "no .java files under $here/src"

# -Xlint:all keeps the sources warning-free; finalize() is suppressed where it is used.
if ! "$javac" --release 11 -encoding UTF-8 -Xlint:all -d "$outdir/classes" "@$sources"; then
    rm -f "$sources"
    fail "javac failed (messages above); nothing was built"
fi
rm -f "$sources"

set -- "$here"/fixtures/*.files.txt
[ -e "$1" ] || fail "no fixture lists in $here/fixtures"
cp "$@" "$outdir/fixtures/" || fail "cannot copy the fixture lists to $outdir/fixtures"

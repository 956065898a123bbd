#!/usr/bin/env bash
# Lists the JDKs on this machine, one per line: "<feature version> <java home>",
# newest first, each JDK once. Looks at JAVA_HOME, the java on PATH and the
# usual installation directories; never a hard-coded path to one JDK.
set -euo pipefail

candidates=()
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
if command -v java >/dev/null 2>&1; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
fi
for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /usr/local/jdk* ; do
  [ -d "$d" ] && candidates+=("$d")
done

declare -A seen=()
for home in "${candidates[@]}"; do
  java="$home/bin/java"
  [ -x "$java" ] || continue
  real=$(readlink -f "$java")
  [ -n "${seen[$real]:-}" ] && continue
  seen[$real]=1
  home=$(dirname "$(dirname "$real")")
  # Integration tests need jcmd/jstack as oracles: only full JDKs count.
  [ -x "$home/bin/jcmd" ] || continue
  version=""
  if [ -f "$home/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)"/\1/p' "$home/release")
  fi
  [ -n "$version" ] || version=$("$java" -XshowSettings:properties -version 2>&1 |
                                 sed -n 's/^ *java.version = //p')
  major=${version%%.*}
  [ "$major" = "1" ] && major=$(echo "$version" | cut -d. -f2)
  echo "$major $home"
done | sort -rn -k1,1 | awk '!seen[$1]++'

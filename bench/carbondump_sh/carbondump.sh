#!/bin/bash
# A re-creation of WSO2's original carbondump.sh (shipped in CARBON_HOME/bin of
# Carbon 4 products), the tool carbondump replaces, kept as the peer that
# bench/full_bundle.sh measures carbondump against. It does what the original
# did, step by step and in the same order, with the same tools and the same
# file names:
#
#   1. JVM memory (JDK tools): shared object mappings, an uncompressed binary
#      heap dump (jmap -dump), the class histogram, objects awaiting
#      finalization, the heap summary, class loader statistics
#   2. thread dump (jstack)
#   3. OS: modules, meminfo, cpuinfo, open ports, network cards, installed
#      packages (dpkg and rpm), uptime, module details, running tasks (top),
#      environment
#   4. md5sum of every file under CARBON_HOME (paths matching samples or docs
#      left out), sorted by path
#   5. carbon_server_info.txt (product, framework, home, uname, Java)
#   6. cp -r of repository/logs, repository/conf and repository/database
#   7. the list of CARBON_HOME's directories
#   8. zip -r of the whole staging directory, then the staging directory removed
#
# So at its peak the disk holds the staging directory with the uncompressed
# heap dump plus the ZIP being written, which holds it again, deflated.
#
# Where a JDK tool of the original no longer works on JDK 9 and later, the step
# runs what a user patching the script would have put there, with a comment
# at the step. What the original did on any host is kept, also where it is
# wasteful or yields nothing: commands missing on the host (rpm on Debian)
# leave an empty file and a message on stderr; "Java Version" and "Java VM"
# stay empty on an OpenJDK, whose `java -version` says neither "java version"
# nor "Java HotSpot".
#
# Usage: carbondump.sh -carbonHome PATH -pid PID [-noHeapDump]
#   -noHeapDump is not in the original: it leaves out step 1's heap dump, for
#   the comparison with `carbondump --no-heap-dump`.
# Environment: JAVA_HOME (required, as for the original; its bin/ is put first
# on PATH, where the original expected to find jmap, jstack and java), and
# CARBON_DUMP_HOME: where the staging directory (CARBON_DUMP_HOME/carbondump)
# and the ZIP go. The original used the directory above its own, i.e.
# CARBON_HOME itself, so that its checksum step also hashed its own staging
# directory; that remains the default, and the benchmark passes a directory
# outside CARBON_HOME instead.

# ---------------------------------------------------------------- arguments

carbon_home=
pid=
heap_dump=yes
expect=
for argument in "$@"; do
  case $expect in
  home) carbon_home=${carbon_home:-$argument}; expect=; continue ;;
  pid) pid=${pid:-$argument}; expect=; continue ;;
  esac
  case $argument in
  -carbonHome | --carbonHome | carbonHome) expect=home ;;
  -pid | --pid | pid) expect=pid ;;
  -noHeapDump) heap_dump=no ;;
  esac
done

if [ -z "$carbon_home" ] || [ -z "$pid" ]; then
  echo "Usage: carbondump.sh [-carbonHome path] [-pid of the carbon instance] [-noHeapDump]"
  echo "  e.g. carbondump.sh -carbonHome /opt/wso2am-4.5.0/ -pid 5151"
  exit 1
fi
if [ -z "$JAVA_HOME" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
  echo "JAVA_HOME must point at a JDK (jmap, jstack)."
  exit 1
fi
PATH="$JAVA_HOME/bin:$PATH"

dump_home=${CARBON_DUMP_HOME:-$(cd "$(dirname "$0")/.." && pwd)}
stamp=$(date +%F_%H-%M-%S)
staging_root="$dump_home/carbondump"
staging="$staging_root/carbondump-$stamp"
memory="$staging/memoryinfo"
os="$staging/osinfo"
copies="$staging/repository"

# Like the original, a leftover staging root from an earlier run goes first.
rm -rf "$staging_root"
mkdir -p "$memory" "$os" "$copies/logs" "$copies/conf" "$copies/database"

progress() {
  echo "carbondump.sh##$*"
}

# ---------------------------------------------------------------- 1. memory

progress "Generating the java memory dump..."
# The original's plain `jmap PID` (shared object mappings) is gone since
# JDK 9; the attach command that lists the same libraries stands in.
jcmd "$pid" VM.dynlibs >"$memory/shared_object_mappings.txt"
if [ "$heap_dump" = yes ]; then
  jmap -dump:format=b,file="$memory/java_heap_memory_dump.jmap" "$pid"
fi
jmap -histo "$pid" >"$memory/java_heap_histogram.txt"
jmap -finalizerinfo "$pid" >"$memory/objects_awaiting_finalization.txt"
# `jmap -heap` went with JDK 9; GC.heap_info prints the heap summary now.
jcmd "$pid" GC.heap_info >"$memory/java_heap_summary.txt"
# `jmap -permstat` became `jmap -clstats` (VM.classloader_stats) with
# Metaspace; the file keeps the original's name.
jmap -clstats "$pid" >"$memory/java_permgen_statistics.txt"

# ---------------------------------------------------------------- 2. threads

progress "Generating the thread dump..."
jstack "$pid" >"$staging/thread_dump.txt"

# ---------------------------------------------------------------- 3. OS

progress "Capturing OS information..."
lsmod >"$os/os_module_list.txt"
cat /proc/meminfo >"$os/os_meminfo.txt"
cat /proc/cpuinfo >"$os/os_cpuinfo.txt"
netstat -tulpn >"$os/os_open_ports.txt"
ifconfig -a >"$os/os_network_cards.txt"
dpkg --list >"$os/os_installed_software_unix_linux.txt"
rpm -qa >"$os/os_installed_software_redhat_fedora.txt"
w >"$os/os_system_up_time.txt"
lsmod | mawk '{ print $1 }' | xargs modinfo 2>/dev/null >"$os/os_module_info.txt"

progress "Capturing the list of running task in the system..."
top -b -n1 >"$os/os_running_tasks.txt"

progress "Capturing OS Environment Variables..."
env >"$os/os_env_variables.txt"

# ---------------------------------------------------------------- 4. checksums

progress "Generating the checksums of all the files in the CARBON_HOME directory..."
# The filters are regular expressions on the whole path, as in the original:
# any path with a character and then "samples" or "docs" is left out.
find "$carbon_home" -type f | grep -v -e '.samples' -e '.docs' | sort | xargs md5sum \
  >"$staging/checksum_values.txt"

# ---------------------------------------------------------------- 5. server info

java -version 2>"$staging/temp_java_version.txt"
{
  printf 'Product\t\t\t: %s\n' "$(cat "$carbon_home/bin/version.txt")"
  printf 'WSO2 Carbon Framework\t: %s\n' "$(cat "$carbon_home/bin/wso2carbon-version.txt")"
  printf 'Carbon Home\t\t: %s\n' "$carbon_home"
  printf 'Operating System Info\t: %s\n' "$(uname -a)"
  printf 'Java Home\t\t: %s\n' "$JAVA_HOME"
  printf 'Java Version\t\t: %s\n' "$(grep -h "java version" "$staging/temp_java_version.txt" | mawk '{ print $3 }')"
  printf 'Java VM\t\t\t: %s\n' "$(grep -h "Java HotSpot" "$staging/temp_java_version.txt")"
} >"$staging/carbon_server_info.txt"
rm -f "$staging/temp_java_version.txt"

# ---------------------------------------------------------------- 6. copies

progress "Copying log files..."
cp -r "$carbon_home"/repository/logs/* "$copies/logs"
progress "Copying conf files..."
cp -r "$carbon_home"/repository/conf/* "$copies/conf"
progress "Copying database..."
cp -r "$carbon_home"/repository/database/* "$copies/database"

# ---------------------------------------------------------------- 7. listing

progress "Getting a directory listing..."
find "$carbon_home" -type d | sort | grep -v -e '.samples' -e '.docs' >"$staging/directory_listing.txt"

# ---------------------------------------------------------------- 8. zip

progress "Compressing the carbondump..."
(cd "$staging_root" && zip -r "$dump_home/carbondump-$stamp.zip" "carbondump-$stamp")
echo "carbondump: $dump_home/carbondump-$stamp.zip"
rm -rf "$staging_root"

/*
 * The parsers behind the os and process sections, on fixed text as the kernel,
 * dpkg and apk write it: /proc/net/tcp[6], /proc/<pid>/stat, /proc/modules,
 * /proc/<pid>/mountinfo, /dev/kmsg records, /proc/<pid>/limits, /proc/<pid>/cgroup
 * and cgroup files, package databases, and environment masking.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "carbondump/sink.h"
#include "host/osinfo.h"
#include "host/process_info.h"

/* ---------------------------------------------------------------- /proc/net/tcp */

static void endpoint_text(const cd_net_socket *s, int local, char *out, size_t outlen)
{
    if (local)
        cd_format_endpoint(s->family, s->local_addr, s->local_port, 0, out, outlen);
    else
        cd_format_endpoint(s->family, s->remote_addr, s->remote_port, 1, out, outlen);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The kernel prints each address word in host byte order: these lines are what a
 * little-endian machine shows. */
static void parses_ipv4_listening_line_of_proc_net_tcp(void **state)
{
    const char *line = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 "
                       "00000000  1000        0 57390 1 0000000000000000 100 0 0 10 0";
    cd_net_socket s;
    char text[64];
    assert_int_equal(cd_parse_net_socket_line(line, AF_INET, &s), 0);
    endpoint_text(&s, 1, text, sizeof text);
    assert_string_equal(text, "127.0.0.1:8080");
    endpoint_text(&s, 0, text, sizeof text);
    assert_string_equal(text, "0.0.0.0:*");
    snprintf(s.proto, sizeof s.proto, "tcp");
    assert_string_equal(cd_socket_state_name(&s), "LISTEN");
    assert_int_equal(cd_socket_is_listening(&s), 1);
    assert_int_equal(s.rx_queue, 2);
    assert_int_equal(s.tx_queue, 0);
    assert_int_equal(s.uid, 1000);
    assert_int_equal(s.inode, 57390);
}

static void parses_ipv4_established_line_with_peer(void **state)
{
    const char *line = "   3: 0201A8C0:C350 0101A8C0:01BB 01 0000001A:00000000 01:00000014 "
                       "00000000     0        0 123456 2 0000000000000000 20 4 30 10 -1";
    cd_net_socket s;
    char text[64];
    assert_int_equal(cd_parse_net_socket_line(line, AF_INET, &s), 0);
    endpoint_text(&s, 1, text, sizeof text);
    assert_string_equal(text, "192.168.1.2:50000");
    endpoint_text(&s, 0, text, sizeof text);
    assert_string_equal(text, "192.168.1.1:443");
    snprintf(s.proto, sizeof s.proto, "tcp");
    assert_string_equal(cd_socket_state_name(&s), "ESTABLISHED");
    assert_int_equal(cd_socket_is_listening(&s), 0);
    assert_int_equal(s.tx_queue, 26);
}

static void parses_ipv6_loopback_line_of_proc_net_tcp6(void **state)
{
    const char *line = "   0: 00000000000000000000000001000000:24D3 "
                       "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
                       "00000000     0        0 99 1 0000000000000000 100 0 0 10 0";
    cd_net_socket s;
    char text[64];
    assert_int_equal(cd_parse_net_socket_line(line, AF_INET6, &s), 0);
    endpoint_text(&s, 1, text, sizeof text);
    assert_string_equal(text, "[::1]:9427");
    endpoint_text(&s, 0, text, sizeof text);
    assert_string_equal(text, "[::]:*");
}

static void parses_ipv4_mapped_ipv6_address(void **state)
{
    /* a Java ServerSocket on 127.0.0.1 is a dual-stack IPv6 socket */
    const char *line = "   1: 0000000000000000FFFF00000100007F:8B11 "
                       "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
                       "00000000     0        0 58383 1 0000000000000000 100 0 0 10 0";
    cd_net_socket s;
    char text[64];
    assert_int_equal(cd_parse_net_socket_line(line, AF_INET6, &s), 0);
    endpoint_text(&s, 1, text, sizeof text);
    assert_string_equal(text, "[::ffff:127.0.0.1]:35601");
}
#endif

static void rejects_truncated_socket_line(void **state)
{
    cd_net_socket s;
    assert_int_equal(cd_parse_net_socket_line("   0: 0100007F:1F90 00000000:0000", AF_INET, &s),
                     -1);
    assert_int_equal(cd_parse_net_socket_line("  sl  local_address rem_address", AF_INET, &s), -1);
    assert_int_equal(cd_parse_net_socket_line("   0: 0100007G:1F90 00000000:0000 0A 0:0 0:0 0 "
                                              "0 0 1",
                                              AF_INET, &s),
                     -1);
}

static void unconnected_udp_socket_counts_as_listening(void **state)
{
    cd_net_socket s = {.state = 7};
    snprintf(s.proto, sizeof s.proto, "udp6");
    assert_int_equal(cd_socket_is_listening(&s), 1);
    assert_string_equal(cd_socket_state_name(&s), "");
    s.state = 1;
    assert_int_equal(cd_socket_is_listening(&s), 0);
    assert_string_equal(cd_socket_state_name(&s), "ESTABLISHED");
}

static void reads_socket_inode_from_fd_link_only(void **state)
{
    assert_int_equal(cd_socket_inode_of_link("socket:[58383]"), 58383);
    assert_int_equal(cd_socket_inode_of_link("pipe:[58383]"), 0);
    assert_int_equal(cd_socket_inode_of_link("socket:[58383"), 0);
    assert_int_equal(cd_socket_inode_of_link("/tmp/socket:[1]"), 0);
}

/* ---------------------------------------------------------------- /proc/<pid>/stat */

static void parses_proc_stat_whose_name_holds_spaces_and_parentheses(void **state)
{
    const char *text = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 "
                       "46 0 12345 2870700032 24187 18446744073709551615 1 1 0 0 0 0 0 0 0 0 "
                       "0 0 17 1 0 0 0 0 0\n";
    cd_proc_stat st;
    assert_int_equal(cd_parse_proc_stat(text, &st), 0);
    assert_int_equal(st.pid, 4242);
    assert_string_equal(st.comm, "a (b) c");
    assert_int_equal(st.state, 'S');
    assert_int_equal(st.ppid, 1);
    assert_int_equal(st.utime_ticks, 250);
    assert_int_equal(st.stime_ticks, 75);
    assert_int_equal(st.priority, 20);
    assert_int_equal(st.nice, 0);
    assert_int_equal(st.threads, 46);
    assert_int_equal(st.start_ticks, 12345);
    assert_int_equal(st.vsize_bytes, 2870700032ULL);
    assert_int_equal(st.rss_pages, 24187);
}

static void rejects_proc_stat_without_closing_parenthesis(void **state)
{
    cd_proc_stat st;
    assert_int_equal(cd_parse_proc_stat("42 (java S 1 2 3", &st), -1);
    assert_int_equal(cd_parse_proc_stat("42 (java) S 1 2", &st), -1);
}

/* ---------------------------------------------------------------- /proc/modules */

static void parses_module_line_with_users(void **state)
{
    cd_module m;
    assert_int_equal(
        cd_parse_module_line("bridge 311296 1 br_netfilter, Live 0x0000000000000000", &m), 0);
    assert_string_equal(m.name, "bridge");
    assert_int_equal(m.size_bytes, 311296);
    assert_int_equal(m.refcount, 1);
    assert_string_equal(m.used_by, "br_netfilter");
    assert_string_equal(m.state, "Live");
}

static void parses_module_line_without_users_or_unload_support(void **state)
{
    cd_module m;
    assert_int_equal(cd_parse_module_line("nf_tables 307200 - - Loading 0xffffffffc0a00000", &m),
                     0);
    assert_int_equal(m.refcount, -1);
    assert_string_equal(m.used_by, "");
    assert_string_equal(m.state, "Loading");
    assert_int_equal(cd_parse_module_line("garbage", &m), -1);
}

/* ---------------------------------------------------------------- mountinfo */

static void parses_mountinfo_line_with_optional_fields_and_escapes(void **state)
{
    char line[] = "36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 shared:2 - ext3 "
                  "/dev/root rw,errors=continue";
    cd_mountinfo m;
    assert_int_equal(cd_parse_mountinfo_line(line, &m), 0);
    assert_int_equal(m.major, 98);
    assert_int_equal(m.minor, 0);
    assert_string_equal(m.root, "/mnt1");
    assert_string_equal(m.mount_point, "/mnt/my disk");
    assert_string_equal(m.mount_options, "rw,noatime");
    assert_string_equal(m.fstype, "ext3");
    assert_string_equal(m.source, "/dev/root");
    assert_string_equal(m.super_options, "rw,errors=continue");
}

static void rejects_mountinfo_line_without_separator(void **state)
{
    char line[] = "36 35 98:0 / / rw shared:1 ext3 /dev/root rw";
    cd_mountinfo m;
    assert_int_equal(cd_parse_mountinfo_line(line, &m), -1);
}

static void network_and_pseudo_file_systems_are_not_queried(void **state)
{
    assert_int_equal(cd_fstype_skip_statvfs("nfs4"), 1);
    assert_int_equal(cd_fstype_skip_statvfs("fuse.sshfs"), 1);
    assert_int_equal(cd_fstype_skip_statvfs("cgroup2"), 1);
    assert_int_equal(cd_fstype_skip_statvfs("ext4"), 0);
    assert_int_equal(cd_fstype_skip_statvfs("overlay"), 0);
    assert_int_equal(cd_fstype_skip_statvfs("tmpfs"), 0);
}

/* ---------------------------------------------------------------- kernel log */

static void parses_kmsg_record_with_dictionary(void **state)
{
    const char record[] = "3,1234,5678901234,-;Out of memory: Killed process 4242 (java) "
                          "total-vm:8000kB\n SUBSYSTEM=mm\n";
    cd_kmsg_record k;
    assert_int_equal(cd_parse_kmsg_record(record, sizeof record - 1, &k), 0);
    assert_int_equal(k.priority, 3);
    assert_int_equal(k.sequence, 1234);
    assert_int_equal(k.usec, 5678901234ULL);
    assert_int_equal(k.message_len, strlen("Out of memory: Killed process 4242 (java) "
                                           "total-vm:8000kB"));
    assert_memory_equal(k.message, "Out of memory: Killed", 21);
    assert_int_equal(cd_parse_kmsg_record("no semicolon", 12, &k), -1);
}

static void recognises_oom_killer_messages(void **state)
{
    const char *oom[] = {
        "java invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "Memory cgroup out of memory: Killed process 4242 (java) total-vm:9000000kB",
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0",
        "oom_reaper: reaped process 4242 (java), now anon-rss:0kB",
        "memory: usage 524288kB, limit 524288kB, failcnt 42",
    };
    for (size_t i = 0; i < sizeof oom / sizeof *oom; i++)
        assert_int_equal(cd_kernel_message_is_oom(oom[i], strlen(oom[i])), 1);
    const char *other = "EXT4-fs (vda): mounted filesystem with ordered data mode";
    assert_int_equal(cd_kernel_message_is_oom(other, strlen(other)), 0);
}

/* ---------------------------------------------------------------- /proc/<pid>/limits */

static const char limits_text[] =
    "Limit                     Soft Limit           Hard Limit           Units     \n"
    "Max cpu time              unlimited            unlimited            seconds   \n"
    "Max stack size            8388608              unlimited            bytes     \n"
    "Max processes             4096                 96551                processes \n"
    "Max open files            1024                 524288               files     \n"
    "Max realtime timeout      unlimited            unlimited            us        \n";

static void parses_proc_limits_rows(void **state)
{
    cd_limit limits[16];
    assert_int_equal(cd_parse_limits(limits_text, limits, 16), 5);
    const cd_limit *files = cd_limits_find(limits, 5, "Max open files");
    assert_non_null(files);
    assert_int_equal(files->soft, 1024);
    assert_int_equal(files->hard, 524288);
    assert_string_equal(files->units, "files");
    const cd_limit *processes = cd_limits_find(limits, 5, "Max processes");
    assert_int_equal(processes->soft, 4096);
    const cd_limit *cpu = cd_limits_find(limits, 5, "Max cpu time");
    assert_int_equal(cpu->soft, CD_UNLIMITED);
    assert_int_equal(cpu->hard, CD_UNLIMITED);
    assert_null(cd_limits_find(limits, 5, "Max locked memory"));
}

static void rejects_text_that_is_not_a_limits_table(void **state)
{
    cd_limit limits[4];
    assert_int_equal(cd_parse_limits("Name:\tjava\n", limits, 4), -1);
}

static void classifies_fd_links_by_kind(void **state)
{
    assert_string_equal(cd_fd_kind("socket:[1234]"), "socket");
    assert_string_equal(cd_fd_kind("pipe:[1234]"), "pipe");
    assert_string_equal(cd_fd_kind("anon_inode:[eventpoll]"), "anon_inode");
    assert_string_equal(cd_fd_kind("/opt/wso2/repository/logs/wso2carbon.log"), "file");
    assert_string_equal(cd_fd_kind("/tmp/x (deleted)"), "file");
    assert_string_equal(cd_fd_kind("net:[4026531840]"), "other");
}

/* ---------------------------------------------------------------- cgroups */

static void parses_cgroup_v1_and_v2_lines(void **state)
{
    char v1[] = "4:memory:/docker/abc";
    char v2[] = "0::/system.slice/wso2am.service";
    char colon[] = "1:name=systemd:/user.slice/a:b";
    cd_cgroup_membership m;
    assert_int_equal(cd_parse_cgroup_line(v1, &m), 0);
    assert_int_equal(m.hierarchy, 4);
    assert_string_equal(m.controllers, "memory");
    assert_string_equal(m.path, "/docker/abc");
    assert_int_equal(cd_parse_cgroup_line(v2, &m), 0);
    assert_int_equal(m.hierarchy, 0);
    assert_string_equal(m.controllers, "");
    assert_string_equal(m.path, "/system.slice/wso2am.service");
    assert_int_equal(cd_parse_cgroup_line(colon, &m), 0);
    assert_string_equal(m.path, "/user.slice/a:b");
}

static void rejects_malformed_cgroup_lines(void **state)
{
    char no_path[] = "4:memory";
    char bad_id[] = "x:memory:/";
    cd_cgroup_membership m;
    assert_int_equal(cd_parse_cgroup_line(no_path, &m), -1);
    assert_int_equal(cd_parse_cgroup_line(bad_id, &m), -1);
}

static void finds_controller_as_a_whole_word(void **state)
{
    assert_int_equal(cd_list_has_word("cpu,cpuacct", "cpu"), 1);
    assert_int_equal(cd_list_has_word("cpu,cpuacct", "cpuacct"), 1);
    assert_int_equal(cd_list_has_word("cpuset", "cpu"), 0);
    assert_int_equal(cd_list_has_word("rw,memory", "memory"), 1);
    assert_int_equal(cd_list_has_word("", "memory"), 0);
}

static void parses_cgroup_limit_values(void **state)
{
    long long v;
    assert_int_equal(cd_parse_cgroup_value("536870912\n", &v), 0);
    assert_int_equal(v, 536870912);
    assert_int_equal(cd_parse_cgroup_value("max\n", &v), 0);
    assert_int_equal(v, CD_UNLIMITED);
    assert_int_equal(cd_parse_cgroup_value("9223372036854771712\n", &v), 0);
    assert_int_equal(v, CD_UNLIMITED);
    assert_int_equal(cd_parse_cgroup_value("-1\n", &v), 0);
    assert_int_equal(v, CD_UNLIMITED);
    assert_int_equal(cd_parse_cgroup_value("maxi", &v), -1);
    assert_int_equal(cd_parse_cgroup_value("12kB", &v), -1);
    assert_int_equal(cd_parse_cgroup_value("", &v), -1);
}

static void parses_cgroup_v2_cpu_max(void **state)
{
    long long quota, period;
    assert_int_equal(cd_parse_cgroup_cpu_max("150000 100000\n", &quota, &period), 0);
    assert_int_equal(quota, 150000);
    assert_int_equal(period, 100000);
    assert_int_equal(cd_parse_cgroup_cpu_max("max 50000\n", &quota, &period), 0);
    assert_int_equal(quota, CD_UNLIMITED);
    assert_int_equal(period, 50000);
    assert_int_equal(cd_parse_cgroup_cpu_max("max\n", &quota, &period), 0);
    assert_int_equal(period, 100000);
    assert_int_equal(cd_parse_cgroup_cpu_max("lots 100000", &quota, &period), -1);
}

static void finds_keyed_values_by_whole_key(void **state)
{
    const char events[] = "low 0\nhigh 3\nmax 17\noom_kill 2\noom 5\noom_group_kill 0\n";
    long long v;
    assert_int_equal(cd_parse_keyed_value(events, "oom", &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(cd_parse_keyed_value(events, "oom_kill", &v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(cd_parse_keyed_value(events, "max", &v), 0);
    assert_int_equal(v, 17);
    assert_int_equal(cd_parse_keyed_value(events, "throttled_usec", &v), -1);
    const char status[] = "Name:\tjava\nUid:\t1000\t1001\t1001\t1001\nThreads:\t46\n";
    assert_int_equal(cd_parse_keyed_value(status, "Uid:", &v), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(cd_parse_keyed_value(status, "Threads:", &v), 0);
    assert_int_equal(v, 46);
}

/* ---------------------------------------------------------------- package databases */

static const char dpkg_status[] =
    "Package: zlib1g\n"
    "Status: install ok installed\n"
    "Priority: optional\n"
    "Architecture: amd64\n"
    "Version: 1:1.2.13.dfsg-1\n"
    "Description: compression library - runtime\n"
    " zlib is a library implementing the deflate compression method found\n"
    " in gzip and PKZIP.\n"
    "\n"
    "Package: oldpkg\n"
    "Status: deinstall ok config-files\n"
    "Architecture: all\n"
    "Version: 1.0\n"
    "\n"
    "Package: adduser\n"
    "status: hold ok installed\n"
    "Architecture: all\n"
    "Version: 3.134\n"
    "Description: add and remove users and groups\n"
    "\n"
    "Package: broken\n"
    "Status: install reinstreq half-installed\n"
    "Version: 2\n"
    "\n"
    "Package: last\n"
    "Status: install ok installed\n"
    "Version: 9";

static void parses_installed_packages_of_dpkg_status(void **state)
{
    cd_package_list list = {0};
    cd_error err = {0};
    assert_int_equal(cd_parse_dpkg_status(dpkg_status, &list, &err), 0);
    cd_package_list_sort(&list);
    assert_int_equal(list.count, 3);
    assert_string_equal(list.items[0].name, "adduser");
    assert_string_equal(list.items[0].version, "3.134");
    assert_string_equal(list.items[0].arch, "all");
    assert_string_equal(list.items[1].name, "last");
    assert_string_equal(list.items[1].version, "9");
    assert_string_equal(list.items[1].arch, "");
    assert_string_equal(list.items[2].name, "zlib1g");
    assert_string_equal(list.items[2].version, "1:1.2.13.dfsg-1");
    assert_string_equal(list.items[2].arch, "amd64");
    assert_string_equal(list.items[2].summary, "compression library - runtime");
    cd_package_list_free(&list);
}

static void parses_apk_installed_database(void **state)
{
    const char apk[] = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nT:the musl c library\n"
                       "p:so:libc.musl-x86_64.so.1=1\n\n"
                       "C:Q1def=\nP:openjdk17-jre-headless\nV:17.0.9_p8-r0\nA:x86_64\n"
                       "T:OpenJDK 17 Java Runtime (no GUI support)\n\n";
    cd_package_list list = {0};
    cd_error err = {0};
    assert_int_equal(cd_parse_apk_installed(apk, &list, &err), 0);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.items[0].name, "musl");
    assert_string_equal(list.items[0].version, "1.2.4-r2");
    assert_string_equal(list.items[1].name, "openjdk17-jre-headless");
    assert_string_equal(list.items[1].summary, "OpenJDK 17 Java Runtime (no GUI support)");
    cd_package_list_free(&list);
}

/* ---------------------------------------------------------------- environment */

typedef struct masked_log {
    char text[256];
} masked_log;

static void log_masked(void *ctx, const char *key, const char *detail)
{
    masked_log *log = ctx;
    size_t used = strlen(log->text);
    snprintf(log->text + used, sizeof log->text - used, "[%s%s%s]", key, detail ? " " : "",
             detail ? detail : "");
}

static char *write_entry(const char *entry, int redact, masked_log *log)
{
    cd_sink *buffer = cd_sink_buffer();
    cd_env_write_entry(buffer, entry, strlen(entry), redact, log_masked, log);
    return cd_sink_buffer_take(buffer, NULL);
}

static void masks_value_of_secret_variable(void **state)
{
    masked_log log = {""};
    char *out = write_entry("CD_TEST_PASSWORD=CDSECRET-env-1", 1, &log);
    assert_string_equal(out, "CD_TEST_PASSWORD=********");
    assert_string_equal(log.text, "[CD_TEST_PASSWORD]");
    free(out);
}

static void masks_secret_options_inside_a_value(void **state)
{
    masked_log log = {""};
    char *out = write_entry(
        "JAVA_OPTS=-Xmx1g  -Djavax.net.ssl.keyStorePassword=hunter2 --db.password=x -Dfoo=bar", 1,
        &log);
    assert_string_equal(out, "JAVA_OPTS=-Xmx1g  -Djavax.net.ssl.keyStorePassword=******** "
                             "--db.password=******** -Dfoo=bar");
    assert_string_equal(log.text, "[JAVA_OPTS -Djavax.net.ssl.keyStorePassword]"
                                  "[JAVA_OPTS --db.password]");
    free(out);
}

static void keeps_harmless_variables_and_arguments(void **state)
{
    masked_log log = {""};
    char *out = write_entry("TOKEN_ENDPOINT=https://idp/token", 1, &log);
    assert_string_equal(out, "TOKEN_ENDPOINT=https://idp/token");
    free(out);
    out = write_entry("-Xmx256m", 1, &log);
    assert_string_equal(out, "-Xmx256m");
    free(out);
    assert_string_equal(log.text, "");
}

static void masks_secret_command_line_argument(void **state)
{
    masked_log log = {""};
    char *out = write_entry("-Dkeystore.password=wso2carbon", 1, &log);
    assert_string_equal(out, "-Dkeystore.password=********");
    assert_string_equal(log.text, "[-Dkeystore.password]");
    free(out);
}

static void escapes_control_characters_so_one_entry_is_one_line(void **state)
{
    masked_log log = {""};
    char *out = write_entry("MOTD=line1\nline2\t\\end\x01", 1, &log);
    assert_string_equal(out, "MOTD=line1\\nline2\\t\\\\end\\x01");
    free(out);
}

static void no_redact_writes_secrets_unmasked(void **state)
{
    masked_log log = {""};
    char *out = write_entry("DB_PASSWORD=s3cret", 0, &log);
    assert_string_equal(out, "DB_PASSWORD=s3cret");
    assert_string_equal(log.text, "");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        cmocka_unit_test(parses_ipv4_listening_line_of_proc_net_tcp),
        cmocka_unit_test(parses_ipv4_established_line_with_peer),
        cmocka_unit_test(parses_ipv6_loopback_line_of_proc_net_tcp6),
        cmocka_unit_test(parses_ipv4_mapped_ipv6_address),
#endif
        cmocka_unit_test(rejects_truncated_socket_line),
        cmocka_unit_test(unconnected_udp_socket_counts_as_listening),
        cmocka_unit_test(reads_socket_inode_from_fd_link_only),
        cmocka_unit_test(parses_proc_stat_whose_name_holds_spaces_and_parentheses),
        cmocka_unit_test(rejects_proc_stat_without_closing_parenthesis),
        cmocka_unit_test(parses_module_line_with_users),
        cmocka_unit_test(parses_module_line_without_users_or_unload_support),
        cmocka_unit_test(parses_mountinfo_line_with_optional_fields_and_escapes),
        cmocka_unit_test(rejects_mountinfo_line_without_separator),
        cmocka_unit_test(network_and_pseudo_file_systems_are_not_queried),
        cmocka_unit_test(parses_kmsg_record_with_dictionary),
        cmocka_unit_test(recognises_oom_killer_messages),
        cmocka_unit_test(parses_proc_limits_rows),
        cmocka_unit_test(rejects_text_that_is_not_a_limits_table),
        cmocka_unit_test(classifies_fd_links_by_kind),
        cmocka_unit_test(parses_cgroup_v1_and_v2_lines),
        cmocka_unit_test(rejects_malformed_cgroup_lines),
        cmocka_unit_test(finds_controller_as_a_whole_word),
        cmocka_unit_test(parses_cgroup_limit_values),
        cmocka_unit_test(parses_cgroup_v2_cpu_max),
        cmocka_unit_test(finds_keyed_values_by_whole_key),
        cmocka_unit_test(parses_installed_packages_of_dpkg_status),
        cmocka_unit_test(parses_apk_installed_database),
        cmocka_unit_test(masks_value_of_secret_variable),
        cmocka_unit_test(masks_secret_options_inside_a_value),
        cmocka_unit_test(keeps_harmless_variables_and_arguments),
        cmocka_unit_test(masks_secret_command_line_argument),
        cmocka_unit_test(escapes_control_characters_so_one_entry_is_one_line),
        cmocka_unit_test(no_redact_writes_secrets_unmasked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

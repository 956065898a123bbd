/*
 * Sockets and interfaces, without netstat or ifconfig.
 *
 * os_open_ports.txt is `netstat -tuanp` from /proc: every TCP and UDP socket of
 * the target's network namespace (/proc/<pid>/net/{tcp,tcp6,udp,udp6}), listening
 * ones first, each with the process that holds it. The kernel does not say who owns
 * a socket; a process holds it when one of the links in its /proc/<pid>/fd reads
 * "socket:[<inode>]". Those links are only read (readlink), never opened, and the
 * walk stops at a deadline; processes whose fds we may not read (another user's,
 * without root) are counted and named in the file.
 *
 * os_network_cards.txt is ifconfig's view: flags and addresses from getifaddrs,
 * MTU, MAC and link state from /sys/class/net, counters from /proc/net/dev.
 * getifaddrs answers for carbondump's own network namespace; when the target lives
 * in another one, its /proc/<pid>/net/dev is added.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "carbondump/array.h"
#include "carbondump/fsutil.h"
#include "osinfo.h"

/* One /proc/net/tcp line is ~150 bytes: 64 MiB is ~450,000 sockets per file. */
#define NET_TABLE_MAX_BYTES (64u << 20)
#define OWNER_WALK_DEADLINE_MS 5000u
#define OPEN_PORTS_MAX_ROWS 50000u
#define FD_LINK_MAX 256
#define INTERFACES_MAX 4096u

/* ---------------------------------------------------------------- parsing */

/* Reads exactly digits hex digits at text into *value. */
static int parse_hex(const char *text, int digits, unsigned long long *value)
{
    unsigned long long v = 0;
    for (int i = 0; i < digits; i++) {
        int c = (unsigned char)text[i];
        if (!isxdigit(c))
            return -1;
        v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
    }
    *value = v;
    return 0;
}

/* Parses "0100007F:1F90" (IPv4) or 32 hex digits ":port" (IPv6). The kernel prints
 * each 32-bit word of the address as a native integer, so storing the parsed
 * words natively gives back the address bytes in network order. */
static const char *parse_endpoint(const char *text, int family, unsigned char *addr, unsigned *port)
{
    int words = family == AF_INET6 ? 4 : 1;
    for (int w = 0; w < words; w++) {
        unsigned long long word;
        if (parse_hex(text + w * 8, 8, &word) != 0)
            return NULL;
        uint32_t native = (uint32_t)word;
        memcpy(addr + w * 4, &native, 4);
    }
    text += words * 8;
    if (*text != ':')
        return NULL;
    unsigned long long p;
    if (parse_hex(text + 1, 4, &p) != 0)
        return NULL;
    *port = (unsigned)p;
    return text + 5;
}

int cd_parse_net_socket_line(const char *line, int family, cd_net_socket *out)
{
    memset(out, 0, sizeof *out);
    out->family = family;
    const char *p = line;
    while (*p == ' ')
        p++;
    /* "sl:" */
    while (isdigit((unsigned char)*p))
        p++;
    if (*p++ != ':')
        return -1;
    while (*p == ' ')
        p++;
    if (!(p = parse_endpoint(p, family, out->local_addr, &out->local_port)) || *p != ' ')
        return -1;
    p++;
    if (!(p = parse_endpoint(p, family, out->remote_addr, &out->remote_port)))
        return -1;
    /* st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode */
    unsigned long long when;
    unsigned timer, retransmits, timeout;
    if (sscanf(p, " %x %llx:%llx %x:%llx %x %lu %u %llu", &out->state, &out->tx_queue,
               &out->rx_queue, &timer, &when, &retransmits, &out->uid, &timeout, &out->inode) != 9)
        return -1;
    return 0;
}

void cd_format_endpoint(int family, const unsigned char *addr, unsigned port, int port_zero_star,
                        char *out, size_t outlen)
{
    char host[INET6_ADDRSTRLEN] = "?";
    inet_ntop(family, addr, host, sizeof host);
    char port_text[8];
    if (port == 0 && port_zero_star)
        snprintf(port_text, sizeof port_text, "*");
    else
        snprintf(port_text, sizeof port_text, "%u", port);
    if (family == AF_INET6)
        snprintf(out, outlen, "[%s]:%s", host, port_text);
    else
        snprintf(out, outlen, "%s:%s", host, port_text);
}

static const char *const tcp_states[] = {
    "",      "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",    "TIME_WAIT",
    "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV",
};

static int is_udp(const cd_net_socket *s)
{
    return strncmp(s->proto, "udp", 3) == 0;
}

const char *cd_socket_state_name(const cd_net_socket *s)
{
    if (is_udp(s))
        return s->state == 1 ? "ESTABLISHED" : "";
    if (s->state < sizeof tcp_states / sizeof *tcp_states)
        return tcp_states[s->state];
    return "UNKNOWN";
}

int cd_socket_is_listening(const cd_net_socket *s)
{
    return is_udp(s) ? s->state == 7 : s->state == 10;
}

unsigned long long cd_socket_inode_of_link(const char *link_target)
{
    if (strncmp(link_target, "socket:[", 8) != 0)
        return 0;
    char *end;
    unsigned long long inode = strtoull(link_target + 8, &end, 10);
    return *end == ']' && end[1] == '\0' ? inode : 0;
}

/* ---------------------------------------------------------------- socket table */

static int compare_inode(const void *a, const void *b)
{
    unsigned long long x = ((const cd_net_socket *)a)->inode;
    unsigned long long y = ((const cd_net_socket *)b)->inode;
    return x < y ? -1 : x > y;
}

static int table_add(cd_socket_table *t, const cd_net_socket *s)
{
    if (CD_ARRAY_ROOM_FOR_ONE(t->items, t->capacity, t->count) != 0)
        return -1;
    t->items[t->count++] = *s;
    return 0;
}

static void add_problem(cd_socket_table *t, const char *problem)
{
    size_t used = strlen(t->problems);
    snprintf(t->problems + used, sizeof t->problems - used, "%s%s", used ? "; " : "", problem);
}

int cd_socket_table_load(pid_t pid, cd_socket_table *t, cd_error *err)
{
    static const struct {
        const char *proto;
        int family;
    } files[] = {{"tcp", AF_INET}, {"tcp6", AF_INET6}, {"udp", AF_INET}, {"udp6", AF_INET6}};
    memset(t, 0, sizeof *t);
    int read_any = 0;
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char path[64];
        if (pid > 0)
            snprintf(path, sizeof path, "/proc/%d/net/%s", (int)pid, files[f].proto);
        else
            snprintf(path, sizeof path, "/proc/net/%s", files[f].proto);
        char *text = NULL;
        size_t len = 0;
        cd_error read_err = {0};
        if (cd_read_file(path, NET_TABLE_MAX_BYTES, 1, &text, &len, &read_err) != 0) {
            /* no tcp6/udp6 simply means IPv6 is off */
            if (read_err.code != CD_ERR_NOENT || files[f].family != AF_INET6)
                add_problem(t, read_err.message);
            continue;
        }
        read_any = 1;
        if (len == NET_TABLE_MAX_BYTES)
            add_problem(t, "a socket table was cut at 64 MiB");
        char *save = NULL;
        strtok_r(text, "\n", &save); /* the header */
        for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            cd_net_socket s;
            if (cd_parse_net_socket_line(line, files[f].family, &s) != 0)
                continue;
            snprintf(s.proto, sizeof s.proto, "%s", files[f].proto);
            if (table_add(t, &s) != 0) {
                free(text);
                cd_socket_table_free(t);
                return cd_fail(err, CD_ERR_NOMEM, "out of memory reading %s", path);
            }
        }
        free(text);
    }
    if (!read_any) {
        char problems[sizeof t->problems];
        snprintf(problems, sizeof problems, "%s", t->problems);
        cd_socket_table_free(t);
        return cd_fail(err, CD_ERR_IO, "no socket table could be read (%s)", problems);
    }
    if (t->count > 0)
        qsort(t->items, t->count, sizeof *t->items, compare_inode);
    return 0;
}

const cd_net_socket *cd_socket_table_find(const cd_socket_table *t, unsigned long long inode)
{
    cd_net_socket key = {.inode = inode};
    if (inode == 0 || t->count == 0)
        return NULL;
    return bsearch(&key, t->items, t->count, sizeof *t->items, compare_inode);
}

void cd_socket_table_free(cd_socket_table *t)
{
    free(t->items);
    t->items = NULL;
    t->count = t->capacity = 0;
}

/* ---------------------------------------------------------------- socket owners */

typedef struct socket_owner {
    unsigned long long inode;
    int pid;
    char comm[20];
} socket_owner;

typedef struct owner_map {
    socket_owner *items;
    size_t count, capacity;
    size_t processes, unreadable;
    int out_of_time;
} owner_map;

static void read_comm(int pid, char *out, size_t outlen)
{
    char path[64];
    char *text = NULL;
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    snprintf(out, outlen, "?");
    if (cd_read_file(path, 256, 1, &text, NULL, NULL) != 0)
        return;
    text[strcspn(text, "\n")] = '\0';
    snprintf(out, outlen, "%s", text);
    free(text);
}

typedef struct owner_search {
    const cd_socket_table *table;
    owner_map *owners;
    int pid;       /* the process whose fds are being read */
    char comm[20]; /* its name, read when it holds a socket of the table */
    int denied;
    uint64_t deadline_ms;
} owner_search;

/* Records the fd if it is a socket of the table. */
static int check_fd(int fd_dir, int fd, void *ctx)
{
    owner_search *search = ctx;
    owner_map *owners = search->owners;
    char name[16], link[FD_LINK_MAX];
    snprintf(name, sizeof name, "%d", fd);
    ssize_t n = readlinkat(fd_dir, name, link, sizeof link - 1);
    if (n < 0 && (errno == EACCES || errno == EPERM)) {
        /* the directory opens but its links stay hidden (another user, or a
         * process that made itself non-dumpable) */
        search->denied = 1;
        return 1;
    }
    if (n <= 0)
        return 0;
    link[n] = '\0';
    unsigned long long inode = cd_socket_inode_of_link(link);
    if (!inode || !cd_socket_table_find(search->table, inode))
        return 0;
    if (CD_ARRAY_ROOM_FOR_ONE(owners->items, owners->capacity, owners->count) != 0)
        return 1;
    if (!search->comm[0])
        read_comm(search->pid, search->comm, sizeof search->comm);
    socket_owner *o = &owners->items[owners->count++];
    o->inode = inode;
    o->pid = search->pid;
    snprintf(o->comm, sizeof o->comm, "%s", search->comm);
    return 0;
}

/* Records the sockets of the table that pid holds. */
static int find_owned_sockets(int proc_fd, int pid, void *ctx)
{
    owner_search *search = ctx;
    char fd_dir[64];
    snprintf(fd_dir, sizeof fd_dir, "/proc/%d/fd", pid);
    search->pid = pid;
    search->comm[0] = '\0';
    search->denied = 0;
    search->owners->processes++;
    if (cd_proc_each_entry(fd_dir, search->deadline_ms, check_fd, search) < 0)
        search->denied = errno != ENOENT; /* ENOENT: it exited */
    search->owners->unreadable += search->denied;
    return 0;
}

/* Records, for each socket of table held by a process, the processes holding it.
 * Only sockets in the table are kept, so memory stays bounded by it. */
static void find_socket_owners(const cd_socket_table *table, owner_map *owners)
{
    uint64_t deadline_ms = cd_monotonic_ms() + OWNER_WALK_DEADLINE_MS;
    owner_search search = {table, owners, 0, "", 0, deadline_ms};
    owners->out_of_time =
        cd_proc_each_entry("/proc", deadline_ms, find_owned_sockets, &search) == 1;
}

static int compare_owner(const void *a, const void *b)
{
    const socket_owner *x = a, *y = b;
    if (x->inode != y->inode)
        return x->inode < y->inode ? -1 : 1;
    return x->pid - y->pid;
}

static const socket_owner *owner_of(const owner_map *owners, unsigned long long inode)
{
    socket_owner key = {.inode = inode, .pid = -1};
    /* first entry with this inode: the lowest pid (a forked child shares it) */
    size_t lo = 0, hi = owners->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (compare_owner(&owners->items[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < owners->count && owners->items[lo].inode == inode ? &owners->items[lo] : NULL;
}

/* ---------------------------------------------------------------- os_open_ports.txt */

/* Listening sockets first, then by protocol, state and local port. */
static int compare_for_listing(const void *a, const void *b)
{
    const cd_net_socket *x = a, *y = b;
    int lx = cd_socket_is_listening(x), ly = cd_socket_is_listening(y);
    if (lx != ly)
        return ly - lx;
    int c = strcmp(x->proto, y->proto);
    if (c)
        return c;
    if (x->state != y->state)
        return x->state < y->state ? -1 : 1;
    if (x->local_port != y->local_port)
        return x->local_port < y->local_port ? -1 : 1;
    return x->remote_port < y->remote_port ? -1 : x->remote_port > y->remote_port;
}

static void write_state_summary(cd_sink *sink, const cd_socket_table *t)
{
    static const char *const protos[] = {"tcp", "tcp6", "udp", "udp6"};
    cd_sink_puts(sink, "\nSummary (sockets by state):\n");
    for (size_t p = 0; p < sizeof protos / sizeof *protos; p++) {
        size_t counts[16] = {0}, total = 0;
        for (size_t i = 0; i < t->count; i++)
            if (strcmp(t->items[i].proto, protos[p]) == 0) {
                counts[t->items[i].state & 15]++;
                total++;
            }
        cd_sink_printf(sink, "%-5s %zu", protos[p], total);
        for (unsigned s = 0; s < 16; s++) {
            if (!counts[s])
                continue;
            cd_net_socket probe = {.state = s};
            snprintf(probe.proto, sizeof probe.proto, "%s", protos[p]);
            const char *name = cd_socket_state_name(&probe);
            cd_sink_printf(sink, ", %s %zu", name[0] ? name : "UNCONN", counts[s]);
        }
        cd_sink_puts(sink, "\n");
    }
}

int cd_os_write_open_ports(cd_run *run, cd_error *err)
{
    cd_sink *sink = cd_osinfo_open(run, "os_open_ports.txt", err);
    if (!sink)
        return -1;
    pid_t pid = run->have_target ? run->pid : 0;
    cd_socket_table table;
    cd_error load_err = {0};
    if (cd_socket_table_load(pid, &table, &load_err) != 0 && pid > 0) {
        /* the target may have gone: fall back to our own namespace */
        pid = 0;
        cd_sink_printf(sink, "# %s\n", load_err.message);
        cd_error_clear(&load_err);
        if (cd_socket_table_load(0, &table, &load_err) != 0)
            table.count = 0;
    }
    if (load_err.code != CD_OK) {
        cd_sink_printf(sink, "# %s\n", load_err.message);
        if (cd_sink_close(sink, err) != 0)
            return -1;
        return 0;
    }
    if (pid > 0)
        cd_sink_printf(sink, "# sockets of the network namespace of pid %d (/proc/%d/net)\n",
                       (int)pid, (int)pid);
    else
        cd_sink_puts(sink, "# sockets of carbondump's network namespace (/proc/net)\n");
    if (table.problems[0])
        cd_sink_printf(sink, "# not read: %s\n", table.problems);

    owner_map owners = {0};
    find_socket_owners(&table, &owners);
    if (owners.count > 0)
        qsort(owners.items, owners.count, sizeof *owners.items, compare_owner);
    cd_sink_printf(sink, "# owners from /proc/*/fd of %zu processes", owners.processes);
    if (owners.unreadable)
        cd_sink_printf(sink,
                       "; %zu processes' descriptors not readable by uid %u (their "
                       "sockets show '-'%s)",
                       owners.unreadable, (unsigned)geteuid(),
                       geteuid() == 0 ? ": processes that are not dumpable"
                                      : "; run as root to see every owner");
    if (owners.out_of_time)
        cd_sink_printf(sink, "; stopped after %u ms, later processes not looked at",
                       OWNER_WALK_DEADLINE_MS);
    cd_sink_puts(sink, "\n");

    cd_net_socket *rows = malloc((table.count ? table.count : 1) * sizeof *rows);
    if (rows && table.count > 0) {
        memcpy(rows, table.items, table.count * sizeof *rows);
        qsort(rows, table.count, sizeof *rows, compare_for_listing);
    }
    cd_sink_puts(sink, "Active Internet connections (servers and established)\n");
    cd_sink_printf(sink, "%-5s %6s %6s %-23s %-23s %-11s %s\n", "Proto", "Recv-Q", "Send-Q",
                   "Local Address", "Foreign Address", "State", "PID/Program name");
    size_t shown = 0;
    for (size_t i = 0; rows && i < table.count && shown < OPEN_PORTS_MAX_ROWS; i++, shown++) {
        const cd_net_socket *s = &rows[i];
        char local[64], remote[64], owner[48] = "-";
        cd_format_endpoint(s->family, s->local_addr, s->local_port, 0, local, sizeof local);
        cd_format_endpoint(s->family, s->remote_addr, s->remote_port, 1, remote, sizeof remote);
        const socket_owner *o = owner_of(&owners, s->inode);
        if (o)
            snprintf(owner, sizeof owner, "%d/%s", o->pid, o->comm);
        cd_sink_printf(sink, "%-5s %6llu %6llu %-23s %-23s %-11s %s\n", s->proto, s->rx_queue,
                       s->tx_queue, local, remote, cd_socket_state_name(s), owner);
    }
    if (shown < table.count)
        cd_sink_printf(sink, "# %zu more sockets not listed (the summary counts them all)\n",
                       table.count - shown);
    write_state_summary(sink, &table);
    int have = table.count > 0 || !table.problems[0];
    free(rows);
    free(owners.items);
    cd_socket_table_free(&table);
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return have;
}

/* ---------------------------------------------------------------- os_network_cards.txt */

typedef struct interface_counters {
    char name[IF_NAMESIZE + 1];
    unsigned long long value[16]; /* the 16 columns of /proc/net/dev */
} interface_counters;

/* Parses "  eth0: 1 2 3 ... 16" from /proc/net/dev. Returns 0 or -1. */
static int parse_net_dev_line(const char *line, interface_counters *out)
{
    while (*line == ' ')
        line++;
    const char *colon = strchr(line, ':');
    if (!colon || colon == line || (size_t)(colon - line) > IF_NAMESIZE)
        return -1;
    snprintf(out->name, sizeof out->name, "%.*s", (int)(colon - line), line);
    const char *p = colon + 1;
    for (int i = 0; i < 16; i++) {
        char *end;
        out->value[i] = strtoull(p, &end, 10);
        if (end == p)
            return -1;
        p = end;
    }
    return 0;
}

static size_t read_net_dev(const char *path, interface_counters *out, size_t max)
{
    char *text = NULL;
    if (cd_read_file(path, 4u << 20, 1, &text, NULL, NULL) != 0)
        return 0;
    size_t count = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && count < max;
         line = strtok_r(NULL, "\n", &save))
        if (parse_net_dev_line(line, &out[count]) == 0)
            count++;
    free(text);
    return count;
}

static const struct {
    unsigned flag;
    const char *name;
} interface_flags[] = {
    {IFF_UP, "UP"},
    {IFF_BROADCAST, "BROADCAST"},
    {IFF_DEBUG, "DEBUG"},
    {IFF_LOOPBACK, "LOOPBACK"},
    {IFF_POINTOPOINT, "POINTOPOINT"},
    {IFF_NOTRAILERS, "NOTRAILERS"},
    {IFF_RUNNING, "RUNNING"},
    {IFF_NOARP, "NOARP"},
    {IFF_PROMISC, "PROMISC"},
    {IFF_ALLMULTI, "ALLMULTI"},
    {IFF_MASTER, "MASTER"},
    {IFF_SLAVE, "SLAVE"},
    {IFF_MULTICAST, "MULTICAST"},
    {IFF_PORTSEL, "PORTSEL"},
    {IFF_AUTOMEDIA, "AUTOMEDIA"},
    {IFF_DYNAMIC, "DYNAMIC"},
    {1u << 16, "LOWER_UP"},
    {1u << 17, "DORMANT"},
};

static void sys_net_attribute(const char *name, const char *attribute, char *out, size_t outlen)
{
    char path[PATH_MAX];
    char *text = NULL;
    snprintf(path, sizeof path, "/sys/class/net/%s/%s", name, attribute);
    out[0] = '\0';
    /* speed of a virtual or down link reads as EINVAL: simply absent */
    if (cd_read_file(path, 4096, 1, &text, NULL, NULL) != 0)
        return;
    text[strcspn(text, "\n")] = '\0';
    snprintf(out, outlen, "%s", text);
    free(text);
}

static int prefix_length(const struct sockaddr *netmask)
{
    if (!netmask)
        return -1;
    const unsigned char *bytes;
    size_t len;
    if (netmask->sa_family == AF_INET6) {
        bytes = ((const struct sockaddr_in6 *)netmask)->sin6_addr.s6_addr;
        len = 16;
    } else {
        bytes = (const unsigned char *)&((const struct sockaddr_in *)netmask)->sin_addr;
        len = 4;
    }
    int bits = 0;
    for (size_t i = 0; i < len; i++)
        bits += __builtin_popcount(bytes[i]);
    return bits;
}

static void address_text(const struct sockaddr *sa, char *out, size_t outlen)
{
    snprintf(out, outlen, "?");
    if (!sa)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outlen);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)outlen);
}

static void write_interface(cd_sink *sink, const char *name, const struct ifaddrs *all,
                            const interface_counters *counters)
{
    unsigned flags = 0;
    for (const struct ifaddrs *a = all; a; a = a->ifa_next)
        if (strcmp(a->ifa_name, name) == 0)
            flags |= a->ifa_flags;
    char mtu[32], mac[64], operstate[32], speed[32];
    sys_net_attribute(name, "mtu", mtu, sizeof mtu);
    sys_net_attribute(name, "address", mac, sizeof mac);
    sys_net_attribute(name, "operstate", operstate, sizeof operstate);
    sys_net_attribute(name, "speed", speed, sizeof speed);

    cd_sink_printf(sink, "%s: flags=%u<", name, flags);
    int first = 1;
    for (size_t i = 0; i < sizeof interface_flags / sizeof *interface_flags; i++)
        if (flags & interface_flags[i].flag) {
            cd_sink_printf(sink, "%s%s", first ? "" : ",", interface_flags[i].name);
            first = 0;
        }
    cd_sink_printf(sink, ">  mtu %s\n", mtu[0] ? mtu : "?");
    for (const struct ifaddrs *a = all; a; a = a->ifa_next) {
        if (strcmp(a->ifa_name, name) != 0 || !a->ifa_addr)
            continue;
        char addr[INET6_ADDRSTRLEN], other[INET6_ADDRSTRLEN];
        if (a->ifa_addr->sa_family == AF_INET) {
            address_text(a->ifa_addr, addr, sizeof addr);
            address_text(a->ifa_netmask, other, sizeof other);
            cd_sink_printf(sink, "        inet %s  netmask %s", addr, other);
            if ((a->ifa_flags & IFF_BROADCAST) && a->ifa_broadaddr) {
                address_text(a->ifa_broadaddr, other, sizeof other);
                cd_sink_printf(sink, "  broadcast %s", other);
            } else if ((a->ifa_flags & IFF_POINTOPOINT) && a->ifa_dstaddr) {
                address_text(a->ifa_dstaddr, other, sizeof other);
                cd_sink_printf(sink, "  destination %s", other);
            }
            cd_sink_puts(sink, "\n");
        } else if (a->ifa_addr->sa_family == AF_INET6) {
            address_text(a->ifa_addr, addr, sizeof addr);
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a->ifa_addr;
            cd_sink_printf(sink, "        inet6 %s  prefixlen %d", addr,
                           prefix_length(a->ifa_netmask));
            if (in6->sin6_scope_id)
                cd_sink_printf(sink, "  scopeid 0x%x", (unsigned)in6->sin6_scope_id);
            cd_sink_puts(sink, "\n");
        }
    }
    if (mac[0] && !(flags & IFF_LOOPBACK))
        cd_sink_printf(sink, "        ether %s\n", mac);
    if (atol(speed) <= 0)
        speed[0] = '\0'; /* -1 or absent: a virtual link has no speed */
    if (operstate[0])
        cd_sink_printf(sink, "        link %s%s%s%s\n", operstate, speed[0] ? "  speed " : "",
                       speed, speed[0] ? " Mb/s" : "");
    if (counters) {
        const unsigned long long *v = counters->value;
        cd_sink_printf(sink, "        RX packets %llu  bytes %llu\n", v[1], v[0]);
        cd_sink_printf(sink, "        RX errors %llu  dropped %llu  overruns %llu  frame %llu\n",
                       v[2], v[3], v[4], v[5]);
        cd_sink_printf(sink, "        TX packets %llu  bytes %llu\n", v[9], v[8]);
        cd_sink_printf(sink,
                       "        TX errors %llu  dropped %llu  overruns %llu  carrier %llu  "
                       "collisions %llu\n",
                       v[10], v[11], v[12], v[14], v[13]);
    }
    cd_sink_puts(sink, "\n");
}

static int same_net_namespace(pid_t pid)
{
    char path[64], ours[128], theirs[128];
    ssize_t a = readlink("/proc/self/ns/net", ours, sizeof ours - 1);
    snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
    ssize_t b = readlink(path, theirs, sizeof theirs - 1);
    if (a <= 0 || b <= 0)
        return -1;
    return a == b && memcmp(ours, theirs, (size_t)a) == 0;
}

int cd_os_write_network_cards(cd_run *run, cd_error *err)
{
    cd_sink *sink = cd_osinfo_open(run, "os_network_cards.txt", err);
    if (!sink)
        return -1;
    interface_counters *counters = malloc(INTERFACES_MAX * sizeof *counters);
    size_t counter_count = counters ? read_net_dev("/proc/net/dev", counters, INTERFACES_MAX) : 0;
    struct ifaddrs *all = NULL;
    int have = 0;
    if (getifaddrs(&all) != 0) {
        cd_sink_printf(sink, "# getifaddrs: %s\n", strerror(errno));
        all = NULL;
    }
    /* Interfaces in the kernel's order (/proc/net/dev), then any it did not list. */
    for (size_t i = 0; i < counter_count; i++, have = 1)
        write_interface(sink, counters[i].name, all, &counters[i]);
    for (const struct ifaddrs *a = all; a; a = a->ifa_next) {
        int seen = 0;
        for (size_t i = 0; i < counter_count && !seen; i++)
            seen = strcmp(counters[i].name, a->ifa_name) == 0;
        for (const struct ifaddrs *b = all; b != a && !seen; b = b->ifa_next)
            seen = strcmp(b->ifa_name, a->ifa_name) == 0;
        if (!seen) {
            write_interface(sink, a->ifa_name, all, NULL);
            have = 1;
        }
    }
    if (all)
        freeifaddrs(all);
    free(counters);
    if (!have)
        cd_sink_puts(sink, "# no network interface found (/proc/net/dev, getifaddrs)\n");

    if (run->have_target && same_net_namespace(run->pid) == 0) {
        char path[64], header[160];
        snprintf(path, sizeof path, "/proc/%d/net/dev", (int)run->pid);
        snprintf(header, sizeof header,
                 "\n== pid %d has its own network namespace; its interfaces (%s):\n", (int)run->pid,
                 path);
        cd_sink_puts(sink, header);
        char *text = NULL;
        size_t len = 0;
        cd_error read_err = {0};
        if (cd_read_file(path, 4u << 20, 1, &text, &len, &read_err) == 0) {
            cd_sink_write(sink, text, len);
            free(text);
        } else {
            cd_sink_printf(sink, "# %s\n", read_err.message);
        }
    }
    if (cd_sink_close(sink, err) != 0)
        return -1;
    return have;
}

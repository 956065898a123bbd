#!/usr/bin/env python3
"""Compares carbondump's thread_dump.txt with jstack -l of the same JVM.

Usage: thread_dump_compare.py CHECK OURS JSTACK_BEFORE JSTACK_AFTER

jstack runs before and after carbondump; only what both jstack runs agree on
(threads, states, lock lines) is held against carbondump's dump, so threads
that start, end or move meanwhile cannot make a check flaky. Prints "ok" and
exits 0, or prints what differs and exits 1.

Checks:
  names          every thread of jstack is in ours, by nid, with the same name
                 and #id: the Java threads, those the VM keeps from JVMTI
                 (compiler threads, Service Thread ...) and the VM's non-Java
                 threads (VM Thread, GC Thread#0 ...) with their tid=; ours has
                 no thread of the VM (a Java thread, or one with a tid=) that
                 jstack lacks, but for its own request thread
  order          the threads both have come in the same order
  states         the same java.lang.Thread.State line per thread
  locks          the same lock lines (frame, action, class) per thread, but
                 for the "- locked" line jstack prints for the monitor a
                 thread released in Object.wait() (JVMTI and ThreadMXBean do
                 not report it); jstack's and our object ids correspond one
                 to one; threads for which jstack itself says "<no object
                 reference available>" are not compared
  owners         in ours, every "waiting to lock <X>" names an object that
                 exactly one other thread has "locked", and every "parking to
                 wait for <X>" on a held synchronizer names one that exactly
                 one thread lists under "Locked ownable synchronizers"
  synchronizers  the same ownable synchronizer classes per thread
  deadlocks      the same deadlock cycles (as sets of thread names)
  counters       per thread (the VM's own included), the same os_prio, and an
                 elapsed= between the two jstack runs' (give or take the
                 kernel's 10 ms clock tick, from which carbondump takes a
                 thread's start)
"""
import re
import sys

THREAD_LINE = re.compile(r'^"(?P<name>.*)" (?P<rest>(?:#\d+ |os_prio=|prio=|daemon ).*)$')
LOCK_LINE = re.compile(
    r'^\t- (?P<action>locked|waiting to lock|waiting on|waiting to re-lock in wait\(\)|'
    r'parking to wait for ) <(?P<id>0x[0-9a-f]+)> \(a (?P<cls>.*)\)$')
SYNC_LINE = re.compile(r'^\t- <(?P<id>0x[0-9a-f]+)> \(a (?P<cls>.*)\)$')


class Thread:
    def __init__(self, name, rest):
        self.name = name
        m = re.search(r'#(\d+)', rest.split(' prio=')[0]) if rest.startswith('#') else None
        self.java_id = int(m.group(1)) if m else None
        m = re.search(r' nid=(0x[0-9a-f]+|\d+)', ' ' + rest)
        self.nid = int(m.group(1), 0) if m else None
        m = re.search(r' tid=(0x[0-9a-f]+)', ' ' + rest)
        self.tid = int(m.group(1), 0) if m else None
        m = re.search(r' os_prio=(-?\d+)', ' ' + rest)
        self.os_prio = int(m.group(1)) if m else None
        m = re.search(r' elapsed=(\d+\.\d+)s', ' ' + rest)
        self.elapsed = float(m.group(1)) if m else None
        self.state = None
        self.frames = 0
        self.locks = []  # (frame index, action, id, class)
        self.syncs = []  # (id, class)


def parse(path):
    threads, deadlocks = [], []
    current, in_syncs, in_deadlock = None, False, None
    with open(path, encoding='utf-8', errors='replace') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if line == 'Found one Java-level deadlock:':
                in_deadlock = set()
                deadlocks.append(in_deadlock)
                current = None
                continue
            if in_deadlock is not None:
                if line.startswith('Java stack information'):
                    in_deadlock = None
                elif line.startswith('"') and line.endswith('":'):
                    in_deadlock.add(line[1:-2])
                continue
            m = THREAD_LINE.match(line)
            if m:
                current = Thread(m.group('name'), m.group('rest'))
                threads.append(current)
                in_syncs = False
                continue
            if current is None:
                continue
            if line.startswith('   java.lang.Thread.State: '):
                current.state = line[len('   java.lang.Thread.State: '):]
            elif line.startswith('\tat '):
                current.frames += 1
            elif line == '   Locked ownable synchronizers:':
                in_syncs = True
            elif in_syncs and SYNC_LINE.match(line):
                m = SYNC_LINE.match(line)
                current.syncs.append((m.group('id'), m.group('cls')))
            elif line == '\t- waiting on <no object reference available>':
                current.locks.append((current.frames - 1, 'waiting on', None, None))
            else:
                m = LOCK_LINE.match(line)
                if m:
                    current.locks.append((current.frames - 1, m.group('action').strip(),
                                          m.group('id'), m.group('cls')))
    return threads, deadlocks


def java_threads(threads):
    return {t.nid: t for t in threads if t.java_id is not None and t.nid is not None}


def stable(before, after, key):
    """Threads (by nid) both jstack runs show alike under key."""
    a, b = java_threads(before), java_threads(after)
    return {nid: t for nid, t in a.items()
            if nid in b and b[nid].name == t.name and key(t) == key(b[nid])}


def comparable_locks(t):
    """jstack's lock lines without the monitor released in Object.wait()."""
    released = {l[2] for l in t.locks
                if l[0] == 0 and l[1] in ('waiting on', 'waiting to re-lock in wait()')}
    return [l for l in t.locks if not (l[1] == 'locked' and l[2] in released)]


def vm_threads(threads):
    """Every thread the VM lists (Java threads and its own non-Java ones), by nid."""
    return {t.nid: t for t in threads if t.nid is not None}


def in_both(before, after):
    """The threads both jstack runs list under the same name and #id, by nid."""
    a, b = vm_threads(before), vm_threads(after)
    return {nid: t for nid, t in a.items()
            if nid in b and (b[nid].name, b[nid].java_id) == (t.name, t.java_id)}


def check_names(ours, before, after):
    problems = []
    by_nid = vm_threads(ours)
    for nid, j in sorted(in_both(before, after).items()):
        o = by_nid.get(nid)
        if o is None:
            problems.append('missing: "%s" nid=%d' % (j.name, nid))
        elif o.name != j.name or o.java_id != j.java_id:
            problems.append('nid=%d: jstack "%s" #%s, ours "%s" #%s'
                            % (nid, j.name, j.java_id, o.name, o.java_id))
        elif (o.tid is None) != (j.tid is None):
            problems.append('"%s": jstack tid=%s, ours tid=%s' % (j.name, j.tid, o.tid))
    seen = set(vm_threads(before)) | set(vm_threads(after))
    for t in ours:
        of_the_vm = t.java_id is not None or t.tid is not None
        if of_the_vm and t.nid not in seen and not t.name.startswith('carbondump request'):
            problems.append('ours only: "%s" #%s' % (t.name, t.java_id))
    return problems


def check_order(ours, before, after):
    both = in_both(before, after)
    theirs = [t.nid for t in before if t.nid in both]
    mine = [t.nid for t in ours if t.nid in both]
    if [n for n in theirs if n in set(mine)] == mine:
        return []
    names = vm_threads(before)
    for k, (a, b) in enumerate(zip([n for n in theirs if n in set(mine)], mine)):
        if a != b:
            return ['from thread %d on: jstack "%s", ours "%s"' % (k + 1, names[a].name, names[b].name)]
    return ['the threads come in another order']


def check_states(ours, before, after):
    problems = []
    mine = java_threads(ours)
    for nid, j in sorted(stable(before, after, lambda t: t.state).items()):
        if nid in mine and mine[nid].state != j.state:
            problems.append('"%s": jstack %s, ours %s' % (j.name, j.state, mine[nid].state))
    return problems


def check_locks(ours, before, after):
    problems = []
    mine = java_threads(ours)
    shape = lambda t: [(l[0], l[1], l[3]) for l in comparable_locks(t)]
    theirs_to_ours, ours_to_theirs = {}, {}
    for nid, j in sorted(stable(before, after, shape).items()):
        o = mine.get(nid)
        if o is None or any(l[2] is None for l in j.locks):
            continue  # jstack could not name the object a compiled frame waits on
        expected, got = comparable_locks(j), o.locks
        if [(l[0], l[1], l[3]) for l in expected] != [(l[0], l[1], l[3]) for l in got]:
            problems.append('"%s":\n    jstack %s\n    ours   %s'
                            % (j.name, [l[:2] + l[3:] for l in expected],
                               [l[:2] + l[3:] for l in got]))
            continue
        for e, g in zip(expected, got):
            if theirs_to_ours.setdefault(e[2], g[2]) != g[2] or \
                    ours_to_theirs.setdefault(g[2], e[2]) != e[2]:
                problems.append('"%s": jstack object %s and ours %s do not correspond one to one'
                                % (j.name, e[2], g[2]))
    return problems


def check_owners(ours, before, after):
    problems = []
    locked = {}
    synced = {}
    for t in ours:
        for l in t.locks:
            if l[1] == 'locked':
                locked.setdefault(l[2], set()).add(t.name)
        for s in t.syncs:
            synced.setdefault(s[0], set()).add(t.name)
    for t in ours:
        for l in t.locks:
            if l[1] == 'waiting to lock' and len(locked.get(l[2], ())) != 1:
                problems.append('"%s" waits to lock %s, locked by %s'
                                % (t.name, l[2], sorted(locked.get(l[2], ()))))
            if l[1] == 'parking to wait for' and l[2] in synced and len(synced[l[2]]) != 1:
                problems.append('"%s" parks on %s, held by %s' % (t.name, l[2], synced[l[2]]))
    return problems


def check_synchronizers(ours, before, after):
    problems = []
    mine = java_threads(ours)
    classes = lambda t: sorted(s[1] for s in t.syncs)
    for nid, j in sorted(stable(before, after, classes).items()):
        if nid in mine and classes(mine[nid]) != classes(j):
            problems.append('"%s": jstack %s, ours %s' % (j.name, classes(j), classes(mine[nid])))
    return problems


def check_counters(ours, before, after):
    problems = []
    mine = vm_threads(ours)
    late = vm_threads(after)
    for nid, j in sorted(in_both(before, after).items()):
        if late[nid].os_prio != j.os_prio:
            continue
        o = mine.get(nid)
        if o is None:
            continue
        if o.os_prio != j.os_prio:
            problems.append('"%s": jstack os_prio=%s, ours %s' % (j.name, j.os_prio, o.os_prio))
        low, high = j.elapsed, late[nid].elapsed
        if low is not None and high is not None and \
                (o.elapsed is None or not low - 0.03 <= o.elapsed <= high + 0.03):
            problems.append('"%s": elapsed=%s, jstack %.2fs before and %.2fs after'
                            % (j.name, o.elapsed, low, high))
    return problems


def check_deadlocks(ours_deadlocks, before_deadlocks):
    a = sorted(sorted(c) for c in before_deadlocks)
    b = sorted(sorted(c) for c in ours_deadlocks)
    return [] if a == b else ['jstack found %s, ours %s' % (a, b)]


def main():
    check, ours_path, before_path, after_path = sys.argv[1:5]
    ours, ours_deadlocks = parse(ours_path)
    before, before_deadlocks = parse(before_path)
    after, _ = parse(after_path)
    checks = {
        'names': check_names, 'order': check_order, 'states': check_states, 'locks': check_locks,
        'owners': check_owners, 'synchronizers': check_synchronizers,
        'counters': check_counters,
    }
    if check == 'deadlocks':
        problems = check_deadlocks(ours_deadlocks, before_deadlocks)
    else:
        problems = checks[check](ours, before, after)
    if problems:
        print('\n'.join(problems))
        sys.exit(1)
    print('ok')


if __name__ == '__main__':
    main()

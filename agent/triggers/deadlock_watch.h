/*
 * The deadlock watch (start-up mode): every deadlock-check seconds the watcher
 * asks the VM for deadlocked threads (ThreadMXBean.findDeadlockedThreads, which
 * covers object monitors and java.util.concurrent ownable synchronizers) and
 * reports a deadlock once: a set of threads already reported does not fire
 * again.
 */
#ifndef CARBONDUMP_AGENT_DEADLOCK_WATCH_H
#define CARBONDUMP_AGENT_DEADLOCK_WATCH_H

#include "base/part.h"

/* 1 if a deadlock not reported before exists now (it is then remembered as
 * reported), 0 if not, -1 with err if the VM could not be asked. Allocates a
 * few Java objects: not for use when the Java heap is exhausted. */
int cd_deadlock_watch_check(JNIEnv *jni, cd_error *err);

#endif

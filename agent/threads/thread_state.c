/*
 * What the VM says about one java.lang.Thread, in the model's terms: its
 * JVMTI state bits as a state and detail (cd_thread_map_state), and the
 * address of its VM thread (cd_thread_vm_thread), which the dump, the VM's
 * own thread list and the lock readers all key on. Declared in
 * threads_internal.h; below every other file of the part, so that any of them
 * can ask.
 */
#include "threads_internal.h"

void cd_thread_map_state(jint s, cd_thread *t)
{
    t->in_native = (s & JVMTI_THREAD_STATE_IN_NATIVE) != 0;
    t->detail = CD_DETAIL_NONE;
    if (s & JVMTI_THREAD_STATE_BLOCKED_ON_MONITOR_ENTER) {
        t->state = CD_THREAD_BLOCKED;
        t->detail = CD_DETAIL_OBJECT_MONITOR;
    } else if (s & JVMTI_THREAD_STATE_WAITING) {
        t->state = (s & JVMTI_THREAD_STATE_WAITING_WITH_TIMEOUT) ? CD_THREAD_TIMED_WAITING
                                                                 : CD_THREAD_WAITING;
        if (s & JVMTI_THREAD_STATE_IN_OBJECT_WAIT)
            t->detail = CD_DETAIL_OBJECT_MONITOR;
        else if (s & JVMTI_THREAD_STATE_PARKED)
            t->detail = CD_DETAIL_PARKING;
        else if (s & JVMTI_THREAD_STATE_SLEEPING)
            t->detail = CD_DETAIL_SLEEPING;
    } else {
        t->state = CD_THREAD_RUNNABLE;
    }
}

uint64_t cd_thread_vm_thread(cd_thread_session *session, jthread thread)
{
    if (!session->eetop_field)
        return 0;
    return (uint64_t)(*session->jni)->GetLongField(session->jni, thread, session->eetop_field);
}

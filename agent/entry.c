/*
 * libcarbondump.so entry points: connects the JVM to the rest of the agent and
 * does nothing else.
 *
 *  - Agent_OnLoad (-agentpath at start-up) sets up the JVMTI environment while
 *    the start-up-only capabilities (owned and contended monitor information)
 *    can still be had, and arms the start-up triggers (startup.c).
 *  - Agent_OnAttach (each dynamic load) is one request from the collector: the
 *    options are parsed strictly and the work starts on an agent thread, so the
 *    attach listener is released at once. Loading again, or attaching after
 *    -agentpath, is the normal path: the library stays loaded and the JVMTI
 *    environment is shared.
 *
 * Errors reach the caller in words: on stderr of the JVM and, where the
 * staging directory is known, in agent-result.json, which the collector reads.
 */
#include <stdio.h>
#include <string.h>

#include "triggers/startup.h"
#include "runtime/runtime.h"

/* Where the staging directory is named in options that failed to parse, so the
 * failure can still be written where the collector looks for it. */
static void dir_from_options(const char *options, char *dir, size_t dirlen)
{
    dir[0] = '\0';
    const char *p = options;
    while (p && *p) {
        if (strncmp(p, "dir=", 4) == 0) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p - 4) : strlen(p + 4);
            if (len < dirlen && p[4] == '/') {
                memcpy(dir, p + 4, len);
                dir[len] = '\0';
            }
            return;
        }
        p = strchr(p, ',');
        if (p)
            p++;
    }
}

JNIEXPORT jint JNICALL Agent_OnLoad(JavaVM *vm, char *options, void *reserved)
{
    cd_error err = {0};
    cd_agent *agent = cd_agent_get(vm, 1, &err);
    if (!agent) {
        fprintf(stderr, "carbondump: agent disabled: %s\n", err.message);
        return JNI_OK; /* never stop the JVM from starting */
    }
    cd_startup_configure(agent, options);
    return JNI_OK; /* bad options leave the agent inert, never the JVM unstarted */
}

JNIEXPORT jint JNICALL Agent_OnAttach(JavaVM *vm, char *options, void *reserved)
{
    cd_error err = {0};
    cd_request request;
    if (cd_request_parse(options ? options : "", &request, &err) != 0) {
        char dir[PATH_MAX];
        dir_from_options(options, dir, sizeof dir);
        cd_error_wrap(&err, "carbondump agent: bad options");
        fprintf(stderr, "%s\n", err.message);
        if (dir[0])
            cd_agent_write_failure(dir, NULL, &err);
        return JNI_ERR;
    }
    cd_agent *agent = cd_agent_get(vm, 0, &err);
    JNIEnv *jni = NULL;
    if (agent && (*vm)->GetEnv(vm, (void **)&jni, JNI_VERSION_1_6) != JNI_OK)
        cd_fail(&err, CD_ERR_UNSUPPORTED, "no JNI environment on the attach thread");
    if (!agent || !jni || cd_agent_start_request(agent, jni, &request, &err) != 0) {
        fprintf(stderr, "carbondump agent: %s\n", err.message);
        cd_agent_write_failure(request.dir, request.id, &err);
        return JNI_ERR;
    }
    return JNI_OK;
}

JNIEXPORT void JNICALL Agent_OnUnload(JavaVM *vm)
{
    /* The library is linked with -z nodelete and its environment lives as long
     * as the VM: nothing to release. */
}

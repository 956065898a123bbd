/*
 * Deferred work of a part (part.h): kept in the part context until the
 * request's result is written, then run by the runtime.
 */
#include "part.h"

void cd_part_defer(cd_part_ctx *ctx, void (*run)(void *arg), void *arg)
{
    if (ctx->deferred_count < CD_PART_DEFERRED_MAX)
        ctx->deferred[ctx->deferred_count++] = (cd_deferred){run, arg};
    else
        run(arg);
}

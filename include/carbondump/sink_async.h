/*
 * A sink that hands its bytes to a worker thread, which writes them to an inner
 * sink: the producer keeps working while the worker compresses and writes.
 *
 * The heap dump writers use it so that a JVMTI heap walk (which holds the JVM
 * at a safepoint) or a dump rewriter spends its time walking and parsing, and
 * deflate runs on another core. Bytes travel in a few fixed buffers; a
 * producer that gets ahead waits for a free one (a plain pthread condition
 * variable: no JVM call, allowed in heap callbacks). The worker is an OS thread
 * that never calls into the JVM.
 *
 * Errors of the inner sink surface on the next write or at close, like any
 * sink's. Closing waits for the worker, then closes the inner sink.
 */
#ifndef CARBONDUMP_SINK_ASYNC_H
#define CARBONDUMP_SINK_ASYNC_H

#include <stddef.h>

#include "carbondump/sink.h"

/* Takes ownership of inner (also on failure). buffers of buffer_bytes each. */
cd_sink *cd_sink_async(cd_sink *inner, size_t buffer_bytes, unsigned buffers, cd_error *err);

#endif

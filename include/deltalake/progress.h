/*
 * deltalake/progress.h - progress of long operations (write, upsert,
 * update, delete, optimize, vacuum, restore, checkpoint), for progress
 * bars and status lines.
 *
 * One callback for the process. The library calls it from the thread doing
 * the work (never while holding a lock of its own) each time a batch of
 * rows is written or a file is written or deleted, with totals since the
 * last dlk_progress_reset. The callback must be quick and must not call
 * back into the library. Counters are process-wide: with several
 * operations running at once they are the sum of all.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_PROGRESS_H
#define DELTALAKE_PROGRESS_H

#include "deltalake/errors.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dlk_progress {
    int64_t rows;          /**< rows converted / written */
    int64_t bytes;         /**< bytes of data files written */
    int64_t files;         /**< data files written */
    int64_t files_deleted; /**< files deleted (vacuum) */
    int64_t elapsed_us;    /**< since dlk_progress_reset */
} dlk_progress;

typedef void (*dlk_progress_fn)(const dlk_progress *progress, void *user);

/** Install (or with NULL remove) the callback; `user` is passed back. */
DLK_EXTERN void dlk_progress_set_callback(dlk_progress_fn fn, void *user);
/** Zero the counters and restart the clock. */
DLK_EXTERN void dlk_progress_reset(void);
/** The counters now. */
DLK_EXTERN void dlk_progress_get(dlk_progress *out);

/** Ask running operations to stop: the next batch a writer writes fails
 *  with DLK_CANCELLED, its data files are removed and nothing is committed
 *  (an operation past that point finishes its commit). Async-signal-safe:
 *  meant for a SIGINT/SIGTERM handler. dlk_progress_reset clears it. */
DLK_EXTERN void dlk_progress_cancel(void);

#ifdef __cplusplus
}
#endif
#endif

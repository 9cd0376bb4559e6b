/*
 * util/progress.h - the library side of deltalake/progress.h: counters
 * bumped by the writers, the callback called after each bump.
 */
#ifndef DLK_UTIL_PROGRESS_H
#define DLK_UTIL_PROGRESS_H

#include <stdint.h>

/* Add to the counters and call the callback, if any (cheap when none).
 * Returns dlk_progress_cancelled(). */
int dlk_progress_add(int64_t rows, int64_t bytes, int64_t files, int64_t files_deleted);
/* DLK_CANCELLED (error set) once dlk_progress_cancel was called, else DLK_OK. */
int dlk_progress_cancelled(void);

#endif

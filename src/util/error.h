/*
 * util/error.h - internal helpers to set and extend the thread-local error.
 *
 * dlk_err_set() records a new error and returns its code, so callers write
 *     return dlk_err_set(DLK_CORRUPT, "%s: offset %zu: bad magic", path, off);
 * dlk_err_context() prefixes context while unwinding:
 *     if (rc) return dlk_err_context(rc, "_delta_log/%020lld.json", v);
 * producing "_delta_log/...json: line 3: add.path missing".
 */
#ifndef DLK_UTIL_ERROR_H
#define DLK_UTIL_ERROR_H

#include "deltalake/errors.h"
#include <stdarg.h>

#if defined(__GNUC__)
#define DLK_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DLK_PRINTF(a, b)
#endif

int dlk_err_set(int code, const char *fmt, ...) DLK_PRINTF(2, 3);
int dlk_err_vset(int code, const char *fmt, va_list ap);
/* Prefix "<context>: " to the current message; returns code (keeps details). */
int dlk_err_context(int code, const char *fmt, ...) DLK_PRINTF(2, 3);
int dlk_err_schema_mismatch(const char *expected, const char *actual, const char *fmt, ...)
    DLK_PRINTF(3, 4);
int dlk_err_conflict(int64_t version, const char *fmt, ...) DLK_PRINTF(2, 3);
int dlk_err_partition(const char *partition, const char *fmt, ...) DLK_PRINTF(2, 3);
/* errno-based I/O error naming the path and the operation. */
int dlk_err_errno(const char *op, const char *path);
int dlk_err_nomem(void);
/* Keep this thread's error across cleanup code that may set or clear its
 * own (deleting the files of a failed operation): dlk_err_save returns a
 * copy (NULL when out of memory: the restore then does nothing),
 * dlk_err_restore puts it back and frees it. */
void *dlk_err_save(void);
void dlk_err_restore(void *saved);

#endif

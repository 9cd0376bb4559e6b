/*
 * deltalake/errors.h - status codes and the thread-local last error.
 *
 * Every function of the library that can fail returns an int: DLK_OK (0) on
 * success or one of the negative dlk_status codes below. The details of the
 * most recent failure on the calling thread are kept in a thread-local
 * dlk_error, readable with dlk_error_last() until the next failing call on
 * the same thread.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_ERRORS_H
#define DELTALAKE_ERRORS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define DLK_EXTERN __declspec(dllexport)
#else
#define DLK_EXTERN __attribute__((visibility("default")))
#endif

/** Status codes. Every failure code is negative. */
typedef enum dlk_status {
    DLK_OK = 0,
    DLK_ERROR = -1,                    /**< generic failure (internal error) */
    DLK_INVALID_ARGUMENT = -2,         /**< a caller passed a bad argument or option */
    DLK_PARSE = -3,                    /**< text input could not be parsed; message has position */
    DLK_IO = -4,                       /**< an operating system / storage call failed; names path */
    DLK_NOT_FOUND = -5,                /**< file, table, version or column does not exist */
    DLK_ALREADY_EXISTS = -6,           /**< object exists and may not be replaced */
    DLK_UNSUPPORTED = -7,              /**< feature not supported; message names the feature */
    DLK_CORRUPT = -8,                  /**< stored data is malformed; message names file+offset */
    DLK_NO_MEMORY = -9,                /**< an allocation failed */
    DLK_SCHEMA_MISMATCH = -10,         /**< data does not fit the schema; see expected/actual */
    DLK_CONCURRENT_MODIFICATION = -11, /**< a concurrent commit conflicts; see conflict_version */
    DLK_PARTITION_NOT_FOUND = -12,     /**< a named partition does not exist; see partition */
    DLK_CANCELLED = -13, /**< stopped by dlk_progress_cancel (progress.h); nothing committed */
} dlk_status;

/**
 * The last error of the calling thread. All strings are owned by the library
 * and stay valid until the next failing call on this thread (or
 * dlk_error_clear()). Fields that do not apply are NULL or -1.
 */
typedef struct dlk_error {
    int code;                 /**< a dlk_status value */
    const char *message;      /**< full message with context, never NULL */
    const char *expected;     /**< SCHEMA_MISMATCH: expected schema / type, else NULL */
    const char *actual;       /**< SCHEMA_MISMATCH: actual schema / type, else NULL */
    int64_t conflict_version; /**< CONCURRENT_MODIFICATION: the winning version, else -1 */
    const char *partition;    /**< PARTITION_NOT_FOUND: the partition path, else NULL */
} dlk_error;

/** The last error of this thread; never NULL (code DLK_OK when none). */
DLK_EXTERN const dlk_error *dlk_error_last(void);

/** Reset this thread's last error to DLK_OK. */
DLK_EXTERN void dlk_error_clear(void);

/** Stable upper-case name of a status code ("SCHEMA_MISMATCH"); "UNKNOWN" otherwise. */
DLK_EXTERN const char *dlk_status_name(int code);

#ifdef __cplusplus
}
#endif
#endif

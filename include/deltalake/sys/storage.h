/*
 * deltalake/sys/storage.h - the object-store interface (backend plug-in ABI).
 *
 * A dlk_storage is a handle on one root (a table folder, or a bucket
 * prefix); keys are paths relative to that root with '/' separators
 * ("_delta_log/00000000000000000000.json"). A key that is an absolute path
 * or a file:// URI is also accepted by the local backend (Delta allows
 * absolute file paths in add actions).
 *
 * Backends implement dlk_storage_ops, a versioned vtable; the library calls
 * them only through the dlk_storage_* functions below. This header has a
 * weaker stability promise than the rest of the public API: the vtable may
 * grow (new members at the end, with a new DLK_STORAGE_OPS_VERSION).
 *
 * Errors: DLK_NOT_FOUND (no such key), DLK_ALREADY_EXISTS (put-if-absent on
 * an existing key), DLK_IO (the OS / service failed; message names the path),
 * DLK_NO_MEMORY. Thread safety: a handle may be used from several threads
 * when its backend says so (local and memory backends: yes).
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_SYS_STORAGE_H
#define DELTALAKE_SYS_STORAGE_H

#include "deltalake/errors.h"
#include "deltalake/types.h"
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLK_STORAGE_OPS_VERSION 1

/** One listed object. */
typedef struct dlk_storage_entry {
    char *key;         /**< key relative to the storage root (owned by the list) */
    int64_t size;      /**< bytes */
    int64_t mtime_ms;  /**< last modification, milliseconds since the epoch */
} dlk_storage_entry;

/** A listing: entries sorted by key (byte order). Free with dlk_storage_list_free. */
typedef struct dlk_storage_list {
    dlk_storage_entry *entries;
    size_t count;
} dlk_storage_list;

/** Backend vtable. `self` is the backend's private state. */
typedef struct dlk_storage_ops {
    int version; /**< DLK_STORAGE_OPS_VERSION */
    const char *name; /**< "local", "memory", "fault", "s3" */
    /** Read len bytes at off (len < 0: to the end) into a new dlk_malloc'ed
     *  block *out (caller frees with dlk_storage_bytes_free). A range past the
     *  end is cut to the end. */
    int (*get)(void *self, const char *key, int64_t off, int64_t len, uint8_t **out,
               size_t *out_len);
    /** Objects whose key starts with prefix and sorts after start_after (NULL:
     *  no bound), sorted. Listing a missing folder gives zero entries. */
    int (*list)(void *self, const char *prefix, const char *start_after, dlk_storage_list *out);
    /** Size and mtime of one object (out->key is left NULL). */
    int (*head)(void *self, const char *key, dlk_storage_entry *out);
    /** Store bytes. if_absent != 0: fail with DLK_ALREADY_EXISTS when the key
     *  exists (atomically: a commit is never overwritten); else replace. */
    int (*put)(void *self, const char *key, const void *data, size_t len, int if_absent);
    /** Delete one object (DLK_NOT_FOUND when absent). */
    int (*del)(void *self, const char *key);
    /** Free the backend state. */
    void (*free)(void *self);
} dlk_storage_ops;

/** Wrap a backend: the handle takes ownership of self (freed by ops->free).
 *  root is a display name / location used in messages (copied). */
DLK_EXTERN int dlk_storage_new(const dlk_storage_ops *ops, void *self, const char *root,
                               dlk_storage **out);
/** Local filesystem rooted at the folder root (need not exist yet). */
DLK_EXTERN int dlk_storage_open_local(const char *root, dlk_storage **out);
/** Empty in-memory store (tests). */
DLK_EXTERN int dlk_storage_open_memory(dlk_storage **out);
/** Open by location: "file://..." or a plain path -> local; "s3://bucket/prefix"
 *  (or s3a://) -> the S3 backend, configured from the environment (see
 *  docs/s3.md: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 *  AWS_REGION, DELTALAKE_S3_ENDPOINT / AWS_ENDPOINT_URL); no request is made
 *  at open. Other schemes: DLK_UNSUPPORTED naming the scheme. */
DLK_EXTERN int dlk_storage_open(const char *location, dlk_storage **out);
/** Fault-injecting wrapper (tests): call number fail_nth (1-based, counted
 *  over every operation) and, if sticky, every later one fail with DLK_IO.
 *  Takes ownership of inner. */
DLK_EXTERN int dlk_storage_open_fault(dlk_storage *inner, long fail_nth, int sticky,
                                      dlk_storage **out);
/** Re-arm a fault wrapper: counting restarts at 0. fail_nth 0 switches off. */
DLK_EXTERN void dlk_storage_fault_set(dlk_storage *fault, long fail_nth, int sticky);
/** Number of calls seen by a fault wrapper since it was (re)armed. */
DLK_EXTERN long dlk_storage_fault_calls(const dlk_storage *fault);

/** NULL-safe; sets *s to NULL. */
DLK_EXTERN void dlk_storage_free(dlk_storage **s);
/** The root given at open (borrowed). */
DLK_EXTERN const char *dlk_storage_root(const dlk_storage *s);

DLK_EXTERN int dlk_storage_get(dlk_storage *s, const char *key, uint8_t **out, size_t *len);
DLK_EXTERN int dlk_storage_get_range(dlk_storage *s, const char *key, int64_t off, int64_t len,
                                     uint8_t **out, size_t *out_len);
DLK_EXTERN int dlk_storage_list_prefix(dlk_storage *s, const char *prefix,
                                       const char *start_after, dlk_storage_list *out);
DLK_EXTERN int dlk_storage_head(dlk_storage *s, const char *key, dlk_storage_entry *out);
DLK_EXTERN int dlk_storage_put_if_absent(dlk_storage *s, const char *key, const void *data,
                                         size_t len);
DLK_EXTERN int dlk_storage_put(dlk_storage *s, const char *key, const void *data, size_t len);
DLK_EXTERN int dlk_storage_delete(dlk_storage *s, const char *key);
/** Free a listing's entries (NULL-safe); leaves it empty. */
DLK_EXTERN void dlk_storage_list_free(dlk_storage_list *l);
/** Free a block returned by get. */
DLK_EXTERN void dlk_storage_bytes_free(uint8_t *p);

#ifdef __cplusplus
}
#endif
#endif

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

#define DLK_STORAGE_OPS_VERSION 2

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
    /* ---- version 2 (Since: 0.1). Read only when version >= 2; a NULL member
     * (or a version-1 backend) gets the generic behaviour given below. ---- */
    /** Start a streaming upload of key (nothing is visible yet): *up gets the
     *  backend's upload state. NULL: uploads are buffered in memory and
     *  stored with put at commit. */
    int (*upload_open)(void *self, const char *key, void **up);
    /** Append len bytes to an upload. */
    int (*upload_write)(void *up, const void *data, size_t len);
    /** Make the object visible atomically (if_absent as for put) and free
     *  up, whatever the result (on error nothing is visible). */
    int (*upload_commit)(void *up, int if_absent);
    /** Drop an upload (nothing becomes visible) and free up. */
    void (*upload_abort)(void *up);
    /** Remove the folders holding key, innermost first, while they are
     *  empty, up to the root (the root itself too when include_root).
     *  NULL: a no-op (object stores have no folders). */
    int (*prune_dirs)(void *self, const char *key, int include_root);
} dlk_storage_ops;

/** A streaming upload in progress (see dlk_storage_upload_open); only this
 *  header uses it, so it is not in types.h. */
typedef struct dlk_storage_upload dlk_storage_upload;

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
 *  at open; "memory://NAME" -> the process-wide in-memory store NAME
 *  (created empty on its first open, shared by every later open of the same
 *  name, kept until dlk_storage_unmount("memory://NAME") or the process
 *  ends). A location mounted with dlk_storage_mount gives a handle on the
 *  mounted storage instead (checked first, for every scheme). Other
 *  schemes: DLK_UNSUPPORTED naming the scheme. Handles on a shared store
 *  (memory:// or mounted) are freed independently of each other with
 *  dlk_storage_free. */
DLK_EXTERN int dlk_storage_open(const char *location, dlk_storage **out);
/** Mount storage at location (tests: a fault-injecting wrapper, or a memory
 *  store, standing in for a table location): every later
 *  dlk_storage_open(location) in the process, also the library's own,
 *  returns a handle sharing it. location is compared as a string, trailing
 *  '/' ignored. Takes ownership of storage on success and on failure; the
 *  caller's pointer stays usable (for dlk_storage_fault_set and the like)
 *  until the unmount. DLK_ALREADY_EXISTS when location is mounted already.
 *  Thread-safe. Since: 0.1 */
DLK_EXTERN int dlk_storage_mount(const char *location, dlk_storage *storage);
/** Undo a mount (or drop the named memory store of "memory://NAME"): later
 *  opens no longer see it; handles still open keep working, and the storage
 *  is freed with the last of them. DLK_NOT_FOUND when nothing is mounted
 *  there. Thread-safe. Since: 0.1 */
DLK_EXTERN int dlk_storage_unmount(const char *location);
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

/*
 * Streaming put (Since: 0.1). dlk_storage_upload_open starts an upload of
 * key; dlk_storage_upload_write appends bytes; dlk_storage_upload_commit
 * makes the object visible atomically (readers see the old object or none
 * until then, the whole new one after); dlk_storage_upload_abort drops it.
 * Local backend: the bytes go to a hidden temporary file in the key's folder
 * (".NAME.tmp.dlk-UUID", parent folders created, listings skip it), fsynced
 * and renamed (linked for _if_absent) to the key at commit, then the folder
 * is fsynced; abort removes the temporary file. Backends without streaming
 * (version 1, memory, S3 for now) buffer the bytes and put them at commit.
 *
 * Ownership: the upload borrows s, which must outlive it. Commit and abort
 * free the upload and set *up to NULL, whatever the result; both are
 * NULL-safe (abort of NULL does nothing, so cleanup code can abort
 * unconditionally). An upload neither committed nor aborted leaks, and
 * leaves no visible object (local: its temporary file stays).
 *
 * Errors: open and write give DLK_IO / DLK_NO_MEMORY (naming the key); after
 * a failed write the upload is poisoned: later writes and the commit return
 * DLK_IO and the commit drops the upload. Commit: DLK_IO, DLK_ALREADY_EXISTS
 * (_if_absent on an existing key; nothing replaced), DLK_NO_MEMORY; on error
 * nothing is visible. Uploads of one handle may run in parallel on several
 * threads (one upload is used by one thread at a time).
 */
DLK_EXTERN int dlk_storage_upload_open(dlk_storage *s, const char *key, dlk_storage_upload **out);
DLK_EXTERN int dlk_storage_upload_write(dlk_storage_upload *up, const void *data, size_t len);
/** Replace any existing object. */
DLK_EXTERN int dlk_storage_upload_commit(dlk_storage_upload **up);
/** Fail with DLK_ALREADY_EXISTS (atomically) when key exists. */
DLK_EXTERN int dlk_storage_upload_commit_if_absent(dlk_storage_upload **up);
DLK_EXTERN void dlk_storage_upload_abort(dlk_storage_upload **up);
/** Bytes written to the upload so far. */
DLK_EXTERN uint64_t dlk_storage_upload_size(const dlk_storage_upload *up);
/** The key being uploaded (borrowed). */
DLK_EXTERN const char *dlk_storage_upload_key(const dlk_storage_upload *up);

/** After deleting key: remove the folders that held it, innermost first,
 *  while they are empty, stopping at the root (include_root != 0: the root
 *  folder too, when it is left empty). Local backend only; a no-op on
 *  object stores and memory. A folder that is not empty or already gone
 *  stops the walk silently; DLK_IO when a folder cannot be removed for
 *  another reason (callers usually only warn). Since: 0.1 */
DLK_EXTERN int dlk_storage_prune_dirs(dlk_storage *s, const char *key, int include_root);

/** Read a whole local file (a configuration or schema file named on the
 *  command line) through a local storage handle on its folder: *out is
 *  NUL-terminated, free with dlk_storage_bytes_free. DLK_NOT_FOUND (no such
 *  file), DLK_INVALID_ARGUMENT (larger than max_len bytes; 0: no limit),
 *  DLK_IO. Since: 0.1 */
DLK_EXTERN int dlk_storage_read_local_file(const char *path, size_t max_len, uint8_t **out,
                                           size_t *len);
/** Free a listing's entries (NULL-safe); leaves it empty. */
DLK_EXTERN void dlk_storage_list_free(dlk_storage_list *l);
/** Free a block returned by get. */
DLK_EXTERN void dlk_storage_bytes_free(uint8_t *p);

#ifdef __cplusplus
}
#endif
#endif

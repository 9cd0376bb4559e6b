/*
 * core/txn.h - the write side of the Delta log, through dlk_storage:
 * listing commits, the table state a writer needs (replayed by the snapshot
 * reader's log replay: any checkpoint kind, cleaned logs), atomic put-if-absent commits,
 * optimistic-concurrency conflict checks against winning commits.
 *
 * Commit files are `_delta_log/<20-digit version>.json`, one action per
 * line, stored with the backend's atomic put-if-absent (local: a fsynced
 * temporary file hard-linked to its final name), so a commit is never
 * overwritten and never seen half-written. The commit path that uses
 * these is core/commit.h.
 *
 * Conflict rules (WriteSerializable, the Delta protocol "Optimistic concurrency"):
 * a winning commit with metaData or protocol conflicts with every
 * transaction; a winning txn action with our appId conflicts; a winning
 * remove of a file this transaction removes conflicts; for a transaction
 * that read the table (overwrite), a winning add inside the read range
 * (whole table, or the partitions matching) conflicts. Blind appends have
 * nothing else to conflict with.
 */
#ifndef DLK_CORE_TXN_H
#define DLK_CORE_TXN_H

#include "deltalake/arrow_abi.h"
#include "util/buf.h"
#include "log/actions.h"
#include "util/hashmap.h"
#include <stdbool.h>
#include <stdint.h>

/* The state of a table at a version, as the writer needs it: the typed
 * actions of the log replay (log/actions.h), borrowed from a shared,
 * reference-counted replayed state that lives as long as this struct. */
typedef struct dlk_txn_hold dlk_txn_hold;
typedef struct dlk_txn_state {
    int64_t version;                     /* -1: no table yet */
    const dlk_protocol_action *protocol; /* NULL when none */
    const dlk_metadata_action *metadata; /* NULL when none */
    struct ArrowSchema schema;           /* from schemaString (release NULL when none) */
    const char **partition_cols;         /* n_part names (the metadata's) */
    size_t n_part;
    dlk_map txns;       /* appId -> const dlk_txn_action* */
    dlk_map files;      /* path -> const dlk_add_action*, if loaded */
    dlk_map tombstones; /* path -> const dlk_remove_action*, if loaded */
    bool files_loaded;
    int64_t last_checkpoint; /* newest checkpoint version seen, -1 none */
    dlk_txn_hold *hold;      /* keeps the actions alive */
} dlk_txn_state;

/* DLK_OK when the write path can write at root (a local folder, file: or
 * memory:// location); DLK_UNSUPPORTED naming it for object stores. */
int dlk_core__writable_location(const char *root);

/* Highest committed version (-1 when _delta_log has no commit). */
int dlk_core__log_latest(const char *root, int64_t *version);
/* Replay the log of root up to its latest version (from its newest
 * checkpoint, classic, multi-part or v2, then the commits after it).
 * want_files: keep the active add actions and the remove tombstones (from
 * the commits and the checkpoint). The replayed state is cached per process:
 * the next load of the same table applies only newer commits.
 * DLK_NOT_FOUND (message names the path) when there is no table and
 * allow_missing is false; DLK_CORRUPT for gaps; log errors as the reader's. */
int dlk_core__state_load(const char *root, bool want_files, bool allow_missing, dlk_txn_state *st);
/* Same at version `at` (-1: latest). */
int dlk_core__state_load_at(const char *root, int64_t at, bool want_files, bool allow_missing,
                            dlk_txn_state *st);
void dlk_core__state_free(dlk_txn_state *st);
/* Configuration value of the table (borrowed) or NULL. */
const char *dlk_core__state_config(const dlk_txn_state *st, const char *key);

/* Atomically create _delta_log/<version>.json holding n bytes.
 * DLK_ALREADY_EXISTS when the version is taken. */
int dlk_core__commit_put(const char *root, int64_t version, const char *data, size_t n);

/* What a transaction read and changed, for conflict checks. */
typedef struct dlk_txn_intent {
    bool blind_append; /* only adds, read nothing */
    bool read_all;     /* read the whole table (overwrite) */
    /* read only partitions whose values satisfy the predicate (overwrite of
     * matching partitions): called on the partitionValues object of an add */
    bool (*read_match)(void *ctx, const dlk_kvs *partition_values);
    void *read_ctx;
    bool changes_metadata;  /* this commit has metaData/protocol */
    const char *app_id;     /* txn appId or NULL */
    const dlk_map *removes; /* paths removed by this transaction, or NULL */
} dlk_txn_intent;

/* Check winning commit `version` against the intent: DLK_OK when
 * compatible, DLK_CONCURRENT_MODIFICATION (dlk_err_conflict) otherwise. */
int dlk_core__check_conflict(const char *root, int64_t version, const dlk_txn_intent *in);

#endif

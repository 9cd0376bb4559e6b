/*
 * core/commit.h - the one commit path. Every operation (create, write,
 * upsert, delete, update, optimize, vacuum, restore, alter) describes its
 * commit with a dlk_commit_req and hands it here. The commit path owns:
 *
 *  - the commitInfo line (timestamp, user, operation, parameters, metrics,
 *    readVersion, isolation level, isBlindAppend, engine, txnId);
 *  - the protocol: the features the commit needs are added to the protocol
 *    the transaction read by the one upgrade (core/protocol.h), written in
 *    the same commit;
 *  - the put-if-absent of `_delta_log/<version>.json` through dlk_storage;
 *  - on a lost race, the conflict check of every winning commit against the
 *    transaction's intent (typed actions, core/txn.h rules) and a bounded
 *    retry with randomised backoff;
 *  - the post-commit hooks: a checkpoint (and expired log cleanup) when the
 *    version lands on delta.checkpointInterval (default 100). A failed
 *    hook is a warning, never a failed commit.
 */
#ifndef DLK_CORE_COMMIT_H
#define DLK_CORE_COMMIT_H

#include "core/txn.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct dlk_commit_req {
    const char *root;            /* table location */
    int64_t read_version;        /* the version the transaction read; -1: create (version 0) */
    const dlk_txn_state *state;  /* that version's state (protocol, configuration), or NULL:
                                    loaded when needed */
    const char *operation;       /* commitInfo.operation ("WRITE", "DELETE", ...) */
    json_t *params;              /* operationParameters (borrowed; NULL: {}) */
    json_t *metrics;             /* operationMetrics (borrowed) or NULL */
    const char *const *features; /* features the commit needs (the protocol is upgraded) */
    size_t n_features;
    const dlk_protocol_action *protocol; /* an explicit new protocol, or NULL: the upgrade of
                                            the state's for `features` */
    const dlk_metadata_action *metadata; /* a new metaData (log/actions.h builders) or NULL */
    const char *body;                    /* the other actions: one JSON object a line */
    size_t body_len;
    dlk_txn_intent intent; /* what the transaction read and changes (conflict rules) */
    int max_attempts;      /* <= 0: 1000 */
    bool no_hooks;         /* skip the post-commit checkpoint */
} dlk_commit_req;

typedef struct dlk_commit_res {
    int64_t version;            /* the committed version */
    int attempts;               /* tries it took */
    int64_t checkpoint_version; /* checkpoint written by the hook, -1 none */
} dlk_commit_res;

/* Commit. DLK_ALREADY_EXISTS for a create that finds version 0 taken;
 * DLK_CONCURRENT_MODIFICATION when a winning commit conflicts or the
 * attempts run out; storage errors as the backend's. Nothing is committed
 * on error. */
int dlk_core__commit(const dlk_commit_req *r, dlk_commit_res *res);

/* Checkpoint `version` of the table at root (log/checkpoint_write.h), then
 * the expired log cleanup the table's settings ask for (a failed cleanup
 * is a warning). */
int dlk_core__checkpoint(const char *root, int64_t version);

/* Set operationMetrics[key] to v (Delta writes metrics as strings). */
void dlk_core__metric(json_t *metrics, const char *key, int64_t v);

/* Append {"<kind>": obj} as one line. */
int dlk_core__put_action(dlk_buf *b, const char *kind, json_t *obj);

#endif

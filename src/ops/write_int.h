/*
 * ops/write_int.h - internals shared by the write path files (write.c,
 * write_data.c, checkpoint.c): action serialisation and the commit loop.
 */
#ifndef DLK_OPS_WRITE_INT_H
#define DLK_OPS_WRITE_INT_H

#include "core/txn.h"
#include "util/buf.h"
#include <jansson.h>

/* Refuse tables with writer requirements this writer does not meet. */
int dlk_ops__check_writable(const dlk_txn_state *st);
/* Append a commitInfo line (params/metrics borrowed, may be NULL). */
int dlk_ops__commit_info(dlk_buf *b, const char *operation, json_t *params, int64_t read_version,
                         bool blind, json_t *metrics);
/* Append {"<kind>": obj} as one line. */
int dlk_ops__put_action(dlk_buf *b, const char *kind, json_t *obj);
/* A new metaData action object (NULL on failure). */
json_t *dlk_ops__metadata_new(const struct ArrowSchema *schema, json_t *partition_cols, json_t *config,
                              const char *name, const char *description);
/*
 * Commit `text` at read_version + 1, retrying on lost races: winning
 * commits are checked against intent; compatible ones make the commit move
 * to the next free version (after a randomised, growing backoff). *version
 * gets the committed version, *attempts the number of tries.
 */
int dlk_ops__commit_loop(const char *root, int64_t read_version, const char *text, size_t n,
                         const dlk_txn_intent *intent, int max_attempts, int64_t *version, int *attempts);
/* Checkpoint exactly `version` (the log must reach it). */
int dlk_ops__checkpoint_at(const char *root, int64_t version);

#endif

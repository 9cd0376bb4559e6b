/*
 * write/write.h - internals shared by the write path files (write.c,
 * write_data.c, checkpoint.c): action serialisation and the commit loop.
 */
#ifndef DLK_OPS_WRITE_INT_H
#define DLK_OPS_WRITE_INT_H

#include "core/commit.h"
#include "core/txn.h"
#include "util/buf.h"
#include <jansson.h>

/* *out: a new table's metaData (log builders, strings in a) for the schema,
 * partition columns (a JSON array of names) and configuration (a JSON
 * object of strings). */
int dlk_ops__metadata_new(dlk_arena *a, const struct ArrowSchema *schema, json_t *partition_cols,
                          json_t *config, const char *name, const char *description,
                          dlk_metadata_action *out);
/*
 * Data files for rewrites (optimize, DML): batches of the data columns
 * (data_schema: the table schema without partition columns) go to Parquet
 * files under the partition's hive folder (part_vals: one value per
 * partition column, NULL for null), a new file once target bytes are
 * reached, stats on every add (num_indexed: delta.dataSkippingNumIndexedCols).
 * dlk_ops__files_cut closes the open files (the next batch starts new ones);
 * dlk_ops__files_finish closes everything (the storage commits each file
 * durably) and appends one add action line a file to *lines (dataChange as
 * given; *n_files gets their number). dlk_ops__files_free deletes the written files when remove is
 * true (a failed operation) and frees the writer.
 */
typedef struct dlk_ops__files dlk_ops__files;
int dlk_ops__files_new(const char *root, const struct ArrowSchema *data_schema,
                       const char *const *part_cols, size_t n_part, uint64_t target,
                       int num_indexed, dlk_ops__files **out);
/* Column mapping: when st's table maps columns (delta.columnMapping.mode
 * name or id), the files are written with the physical names and field ids
 * of st->schema and partition values keyed by physical names. Call once,
 * right after dlk_ops__files_new, before the first write (every writer of
 * a table state must: the data schema keeps the logical names). */
int dlk_ops__files_map(dlk_ops__files *f, const dlk_txn_state *st);
int dlk_ops__files_write(dlk_ops__files *f, struct ArrowArray *batch, const char *const *part_vals);
int dlk_ops__files_cut(dlk_ops__files *f);
int dlk_ops__files_finish(dlk_ops__files *f, bool data_change, dlk_buf *lines, int64_t *n_files,
                          int64_t *rows, int64_t *bytes);
void dlk_ops__files_free(dlk_ops__files **f, bool remove);

/* Checkpoint exactly `version` (the log must reach it) of the table at root
 * (a folder or a URI dlk_storage_open takes): dlk_log__checkpoint_write
 * (log/checkpoint_write.h), then the expired log cleanup of a local table
 * (best effort: a cleanup failure is logged, not returned). */
int dlk_ops__checkpoint_at(const char *root, int64_t version);

#endif

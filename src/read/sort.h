/*
 * read/sort.h - ORDER BY over Arrow batches for the scan: parse
 * "expr [ASC|DESC] [NULLS FIRST|LAST], ..." (expressions of deltalake/expr.h),
 * buffer the batches, and hand back one sorted batch. With a limit only the
 * first `limit` rows are kept (top-N: the buffer is cut back to `limit` rows
 * whenever it grows past a threshold), so memory stays bounded by the limit.
 *
 * Order (as DuckDB): ASC by default; NULLs last by default in both
 * directions; NaN above every number; strings and binary bytewise; false <
 * true; the sort is stable (ties keep scan order).
 */
#ifndef DLK_OPS_SORT_H
#define DLK_OPS_SORT_H

#include "deltalake/arrow_abi.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dlk_sorter dlk_sorter;

/* Parse order_by and bind it to table_schema (for errors and the columns it
 * reads). DLK_PARSE / DLK_NOT_FOUND / DLK_SCHEMA_MISMATCH with the position
 * in the message (positions count from the start of each key). */
int dlk_ops__sorter_new(const char *order_by, const struct ArrowSchema *table_schema, int64_t limit,
                        dlk_sorter **out);
void dlk_ops__sorter_free(dlk_sorter *s);
/* Top-level columns the keys read (borrowed from s). */
void dlk_ops__sorter_columns(const dlk_sorter *s, const char *const **names, size_t *n);
/* Bind the keys to the schema of the batches that will be added (borrowed;
 * must outlive s). */
int dlk_ops__sorter_bind(dlk_sorter *s, const struct ArrowSchema *batch_schema);
/* Add a batch (moved into the sorter). */
int dlk_ops__sorter_add(dlk_sorter *s, struct ArrowArray *batch);
/* All rows added so far, sorted (and limited), as one batch in *out. */
int dlk_ops__sorter_finish(dlk_sorter *s, struct ArrowArray *out);

/* Concatenate batches (same schema, any offsets) into one owned array. */
int dlk_ops__concat(const struct ArrowSchema *schema, struct ArrowArray *const *arrays, size_t n,
                    struct ArrowArray *out);

#endif

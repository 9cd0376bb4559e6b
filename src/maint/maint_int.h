/*
 * maint/maint_int.h - internals shared by the maintenance operations
 * (optimize, zorder, vacuum, restore, table_stats).
 */
#ifndef DLK_OPS_MAINT_INT_H
#define DLK_OPS_MAINT_INT_H

#include "deltalake/arrow_abi.h"
#include "deltalake/table.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DLK_MAINT_DEFAULT_TARGET ((uint64_t)128 << 20)
#define DLK_MAINT_MS_PER_HOUR 3600000.0

/* File size defaults of a snapshot (maintenance.h, top comment); a given
 * non-zero value wins. */
void dlk_ops__size_defaults(const dlk_snapshot *s, uint64_t *target, uint64_t *min_size,
                            uint64_t *max_size);

/* Hive-style partition path of a file in the table's partition column
 * order ("a=x/b=__HIVE_DEFAULT_PARTITION__", "" unpartitioned), appended to b.
 * vals (optional, n_part entries) gets the values in that order (borrowed
 * from the file; NULL for null). */
int dlk_ops__partition_key(const dlk_snapshot *s, const dlk_file_info *f, dlk_buf *b,
                           const char **vals);

/* numRecords of a file's stats, else the Parquet footer's row count (local
 * tables), else -1. */
int64_t dlk_ops__file_records(const dlk_snapshot *s, const dlk_file_info *f);

/* Sort a sel[] index array by 128-bit keys (hi, lo) ascending (stable). */
void dlk_ops__sort_by_key(int64_t *sel, const uint64_t *hi, const uint64_t *lo, int64_t n);

/* Z-order keys of the rows of batch (schema "+s") on the given top-level
 * columns: hi/lo (n = batch->length each, caller-allocated). */
int dlk_ops__zorder_keys(const struct ArrowSchema *schema, const struct ArrowArray *batch,
                         const int64_t *cols, size_t n_cols, uint64_t *hi, uint64_t *lo);

/* Z-order rewrite of one partition: every row of the stream (schema), sorted
 * by the Z-order key of the data columns cols, cut into about
 * input_bytes / target files written to out under part_vals (zorder.c). */
struct dlk_ops__files;
struct dlk_read__scan;
int dlk_ops__zorder_rewrite(struct dlk_read__scan *in, const struct ArrowSchema *schema,
                            const int64_t *cols, size_t n_cols, int64_t input_bytes,
                            uint64_t target, struct dlk_ops__files *out,
                            const char *const *part_vals);

#endif

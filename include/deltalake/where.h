/*
 * deltalake/where.h - a WHERE predicate bound to a snapshot, plugged into a
 * scan: file skipping on partition values and add-action stats (minValues,
 * maxValues, nullCount, numRecords) before any file is opened, and row
 * filtering of the batches read (grammar: deltalake/expr.h).
 *
 *     dlk_where *w;
 *     dlk_where_new(snap, "day >= '2024-01-02' AND status_code = 500", &w);
 *     dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
 *     dlk_where_apply(w, &o);            // sets the hooks and filter_columns
 *     dlk_scan_open(snap, &o, &stream);  // w must outlive the stream
 *     ...
 *     dlk_where_get_stats(w, &st);       // files skipped, rows filtered
 *     dlk_where_free(&w);
 *
 * Stats of a file are read with the table's physical column names (column
 * mapping); partition values with dlk_value_parse. Files without stats are
 * never skipped by stats; a predicate the pruner does not understand never
 * skips anything (see dlk_expr_might_match).
 *
 * Row groups: dlk_where_apply also installs a row_group_filter that asks
 * dlk_expr_might_match over the Parquet column-chunk statistics of each
 * row group (dlk_scan_row_group_column_stats: min_value/max_value, or the
 * deprecated min/max only for signed-order types; null_count; strings
 * compared bytewise, a truncated max still bounds; NaN bounds unusable;
 * timestamps in microseconds whatever the file's unit; a column missing
 * from the file is all null). A row group without usable statistics is
 * read. Counts land in dlk_where_stats (row_groups_*) and dlk_scan_stats.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_WHERE_H
#define DELTALAKE_WHERE_H

#include "deltalake/expr.h"
#include "deltalake/scan.h"
#include "deltalake/table.h"
#include "deltalake/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Parse + bind predicate against the snapshot's (logical) schema. Errors
 *  as dlk_expr_parse_predicate (position in the message). The snapshot
 *  must outlive *out. */
DLK_EXTERN int dlk_where_new(const dlk_snapshot *snap, const char *predicate, dlk_where **out);
DLK_EXTERN void dlk_where_free(dlk_where **w);

/** The bound predicate (borrowed). */
DLK_EXTERN const dlk_expr *dlk_where_expr(const dlk_where *w);

/** Install file_filter, row_group_filter, row_filter, filter_ctx and
 *  filter_columns (the top-level columns the predicate reads) into opts. */
DLK_EXTERN void dlk_where_apply(dlk_where *w, dlk_scan_options *opts);

/** Could the file hold a matching row? (the file_filter hook; counts). */
DLK_EXTERN int dlk_where_file_might_match(dlk_where *w, const dlk_file_info *file, bool *might);

/** Could the row group hold a matching row? (the row_group_filter hook; counts). */
DLK_EXTERN int dlk_where_row_group_might_match(dlk_where *w, const dlk_file_info *file,
                                               const dlk_scan_row_group *rg, bool *might);

/** Clear keep bits of rows where the predicate is not TRUE (the row_filter
 *  hook; binds to `schema` on first use). */
DLK_EXTERN int dlk_where_filter_rows(dlk_where *w, const struct ArrowSchema *schema,
                                     const struct ArrowArray *batch, uint8_t *keep);

/** Count the snapshot's rows matching w (NULL: all rows) without
 *  materialising them. Without a predicate the count comes from the add
 *  stats (numRecords minus deletion-vector cardinality) and no data file is
 *  opened, except files whose stats lack numRecords, which are scanned. With
 *  a predicate, files and row groups are skipped as in a scan and only the
 *  predicate's columns are read. *files_read (may be NULL) gets the number
 *  of data files opened. Errors: as dlk_scan_open and the stream. */
DLK_EXTERN int dlk_where_count(const dlk_snapshot *snap, dlk_where *w, int64_t *count, int64_t *files_read);

typedef struct dlk_where_stats {
    int64_t files_considered;
    int64_t files_skipped_partition; /**< skipped on partition values alone */
    int64_t files_skipped_stats;     /**< skipped on min/max/nullCount */
    int64_t files_without_stats;
    int64_t rows_in;                 /**< rows given to the row filter */
    int64_t rows_kept;
    int64_t row_groups_considered;   /**< row groups of the files read (since 0.2) */
    int64_t row_groups_skipped;      /**< skipped on Parquet statistics */
    int64_t rows_skipped;            /**< rows in the skipped row groups */
} dlk_where_stats;

DLK_EXTERN void dlk_where_get_stats(const dlk_where *w, dlk_where_stats *out);

#ifdef __cplusplus
}
#endif
#endif

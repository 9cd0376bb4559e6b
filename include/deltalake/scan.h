/*
 * deltalake/scan.h - read a snapshot's rows as Arrow record batches.
 *
 * A scan reads each active file through the Parquet reader, applies column
 * mapping (physical -> logical names; field ids in id mode), adds partition
 * columns, drops rows deleted by deletion vectors, and yields "+s" batches
 * whose columns follow the table schema order (or options.columns).
 *
 * Filtering hooks (for the expression engine): file_filter is asked for
 * each file before it is read (prune by partition values / stats);
 * row_group_filter is asked for each row group of a file before it is
 * read (prune by Parquet column-chunk statistics, reached through
 * dlk_scan_row_group_column_stats with logical column paths);
 * row_filter gets each finished batch and clears bits of rows to drop.
 * With order_by set the scan reads all matching rows (keeping only the
 * first `limit` in order when a limit is given) and yields them sorted.
 *
 * The stream (ArrowArrayStream) belongs to the caller: release it when done.
 * It borrows the snapshot, which must outlive it. get_last_error returns the
 * message of the failed get_next; its dlk_status (DLK_CORRUPT for a corrupt
 * data file, DLK_IO for an unreadable one, ...) is dlk_error_last()->code
 * on the same thread.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_SCAN_H
#define DELTALAKE_SCAN_H

#include "deltalake/arrow_abi.h"
#include "deltalake/parquet.h"
#include "deltalake/table.h"
#include "deltalake/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Return DLK_OK and set *keep=false to skip a file without reading it. */
typedef int (*dlk_scan_file_filter)(void *ctx, const dlk_file_info *file, bool *keep);
/** Clear bit i of keep (LSB bit order, length batch->length, all set on
 *  entry) for rows to drop. schema/batch are the output batch ("+s"). */
typedef int (*dlk_scan_row_filter)(void *ctx, const struct ArrowSchema *schema,
                                   const struct ArrowArray *batch, uint8_t *keep);

/** A row group of the file being scanned, as seen by a row_group_filter
 *  (valid during the call only). */
/** Return DLK_OK and set *keep=false to skip the row group without reading it.
 *  Its rows still count for deletion-vector positions. */
typedef int (*dlk_scan_row_group_filter)(void *ctx, const dlk_file_info *file,
                                         const dlk_scan_row_group *rg, bool *keep);

/** Index of the row group in its file, and its row count. */
DLK_EXTERN int dlk_scan_row_group_index(const dlk_scan_row_group *rg);
DLK_EXTERN int64_t dlk_scan_row_group_num_rows(const dlk_scan_row_group *rg);
/**
 * Parquet statistics of the column at logical path path[0..depth) (table
 * schema names: top-level column, then struct fields) in this row group.
 * The path is mapped to the file's physical leaf as the scan maps columns
 * (column mapping by field id or physical name, then the logical name).
 * A column the file does not have reads as nulls: *out then says
 * null_count = num_values = row count, has_min_max false. DLK_NOT_FOUND
 * when the path names no column of the table, a partition column, or no
 * primitive leaf of the file (a struct, list or map). out->format is the file leaf's Arrow format,
 * which may differ from the table's type (type widening).
 */
DLK_EXTERN int dlk_scan_row_group_column_stats(const dlk_scan_row_group *rg, const char *const *path,
                                               size_t depth, dlk_pq_col_stats *out);

#define DLK_SCAN_OPTIONS_VERSION 2

typedef struct dlk_scan_options {
    int version;                 /**< DLK_SCAN_OPTIONS_VERSION */
    const char *const *columns;  /**< logical top-level column names; NULL: all */
    size_t n_columns;
    int64_t limit;               /**< stop after this many rows; < 0: no limit */
    dlk_scan_file_filter file_filter;
    dlk_scan_row_filter row_filter;
    void *filter_ctx;
    /** Columns the row filter needs besides `columns` (read, then dropped
     *  from the output). */
    const char *const *filter_columns;
    size_t n_filter_columns;
    /** Skip row groups (NULL: read all); gets filter_ctx. Since 0.1. */
    dlk_scan_row_group_filter row_group_filter;
    /** ORDER BY: "expr [ASC|DESC] [NULLS FIRST|LAST], ..." over the table's
     *  columns (grammar of deltalake/expr.h; defaults ASC, NULLS LAST, as
     *  DuckDB; NaN above numbers; strings bytewise); NULL: file order. The
     *  key columns need not be in `columns`. Parsed at open (the text is not
     *  kept). Since 0.1. */
    const char *order_by;
    /** Since version 2 (ignored when version is 1): name of an extra long
     *  ("l") column appended after the output columns, holding each row's
     *  position in its physical data file (0-based, counted before deletion
     *  vectors and filters drop rows; the numbering deletion vectors use).
     *  Must not name a table column. NULL: no such column. */
    const char *row_index_column;
} dlk_scan_options;

#define DLK_SCAN_OPTIONS_INIT {DLK_SCAN_OPTIONS_VERSION, NULL, 0, -1, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL}

/** Start a scan (opts NULL: all columns, no limit). INVALID_ARGUMENT /
 *  NOT_FOUND naming an unknown column. */
DLK_EXTERN int dlk_scan_open(const dlk_snapshot *snap, const dlk_scan_options *opts,
                             struct ArrowArrayStream *out);

/** Counters of a scan so far (for --explain and the query result): files and
 *  row groups considered / skipped / read, rows. */
typedef struct dlk_scan_stats {
    int64_t files_total, files_skipped, files_read, rows_read, rows_deleted, rows_returned;
    /** Row groups of the files read; of those skipped by row_group_filter; read. */
    int64_t row_groups_total, row_groups_skipped, row_groups_read;
    /** Rows of the skipped row groups (never read). */
    int64_t rows_skipped;
} dlk_scan_stats;
/** Stats of a stream made by dlk_scan_open (zeros for other streams). */
DLK_EXTERN void dlk_scan_get_stats(const struct ArrowArrayStream *stream, dlk_scan_stats *out);

/** The data file the batch last returned by get_next came from (without
 *  order_by a batch never spans two files), borrowed from the snapshot; NULL before the
 *  first batch, at the end, for ordered scans (order_by: a batch mixes
 *  files) and for streams not made by dlk_scan_open.
 *  Since: 0.1 */
DLK_EXTERN const dlk_file_info *dlk_scan_batch_file(const struct ArrowArrayStream *stream);

#ifdef __cplusplus
}
#endif
#endif

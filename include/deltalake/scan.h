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
 * row_filter gets each finished batch and clears bits of rows to drop.
 *
 * The stream (ArrowArrayStream) belongs to the caller: release it when done.
 * It borrows the snapshot, which must outlive it. get_last_error returns the
 * message of the failed get_next.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_SCAN_H
#define DELTALAKE_SCAN_H

#include "deltalake/arrow_abi.h"
#include "deltalake/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Return DLK_OK and set *keep=false to skip a file without reading it. */
typedef int (*dlk_scan_file_filter)(void *ctx, const dlk_file_info *file, bool *keep);
/** Clear bit i of keep (LSB bit order, length batch->length, all set on
 *  entry) for rows to drop. schema/batch are the output batch ("+s"). */
typedef int (*dlk_scan_row_filter)(void *ctx, const struct ArrowSchema *schema,
                                   const struct ArrowArray *batch, uint8_t *keep);

#define DLK_SCAN_OPTIONS_VERSION 1

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
} dlk_scan_options;

#define DLK_SCAN_OPTIONS_INIT {DLK_SCAN_OPTIONS_VERSION, NULL, 0, -1, NULL, NULL, NULL, NULL, 0}

/** Start a scan (opts NULL: all columns, no limit). INVALID_ARGUMENT /
 *  NOT_FOUND naming an unknown column. */
DLK_EXTERN int dlk_scan_open(const dlk_snapshot *snap, const dlk_scan_options *opts,
                             struct ArrowArrayStream *out);

/** Counters of a scan so far (for --explain): files considered / skipped. */
typedef struct dlk_scan_stats {
    int64_t files_total, files_skipped, files_read, rows_read, rows_deleted, rows_returned;
} dlk_scan_stats;
/** Stats of a stream made by dlk_scan_open (zeros for other streams). */
DLK_EXTERN void dlk_scan_get_stats(const struct ArrowArrayStream *stream, dlk_scan_stats *out);

#ifdef __cplusplus
}
#endif
#endif

/*
 * deltalake/maintenance.h - keeping a table fast and small, and showing what
 * happened to it: optimize (bin-pack compaction, Z-order), vacuum, restore,
 * history, table statistics and in-process operation metrics.
 *
 * Tables are local paths (as for write.h). Every function returns DLK_OK or
 * a negative dlk_status with the thread-local error set (errors.h). Results
 * returned through **out belong to the caller and have NULL-safe frees.
 *
 * File sizes: the target is opts->target_size, else the table property
 * delta.targetFileSize, else 128 MiB. The small-file threshold (min size) is
 * opts->min_size, else target / 4 (32 MiB by default); the max size is
 * opts->max_size, else 2 * target. dlk_table_get_stats counts files below
 * the same default min size as small.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_MAINTENANCE_H
#define DELTALAKE_MAINTENANCE_H

#include "deltalake/errors.h"
#include "deltalake/types.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- optimize ---------------------------------------------------------- */

typedef struct dlk_optimize_options {
    int version;                    /**< 1 */
    const char *where;              /**< predicate over partition columns only, or NULL (all) */
    const char *const *zorder_cols; /**< Z-order by these (non-partition) columns; NULL: bin-pack */
    size_t n_zorder_cols;
    uint64_t target_size, min_size, max_size; /**< 0 = defaults (see top of file) */
    int max_attempts;                         /**< commit attempts on lost races; 0: 1000 */
} dlk_optimize_options;
#define DLK_OPTIMIZE_OPTIONS_INIT                                                                  \
    {                                                                                              \
        1, NULL, NULL, 0, 0, 0, 0, 0                                                               \
    }

typedef struct dlk_optimize_result {
    int64_t version; /**< committed version; -1 nothing to do (no commit) */
    int64_t files_added, files_removed, bytes_before, bytes_after, partitions_optimized, rows;
    size_t n_zorder_cols;
} dlk_optimize_result;

/**
 * Compact the table. Bin-pack (no Z-order columns): in each partition
 * matching opts->where, files smaller than the min size and files with
 * deletion vectors are grouped into bins of up to the target size; every
 * bin of two or more files (or holding a deletion vector) is rewritten as
 * files near the target size. Z-order: every file of each matching
 * partition is rewritten, rows sorted by the interleaved bits of the
 * columns' rank-normalised order-preserving encodings and cut into files of
 * about the target size, so the files' min/max ranges on those columns
 * barely overlap. Rows and values are unchanged (rows hidden by deletion
 * vectors are dropped). One commit, operation OPTIMIZE (removes and adds
 * with dataChange=false, stats on every add, parameters predicate and
 * zOrderBy, metrics numAddedFiles, numRemovedFiles, numAddedBytes,
 * numRemovedBytes, ...). A concurrent commit removing a compacted file makes
 * it fail with DLK_CONCURRENT_MODIFICATION. r may be NULL.
 * Errors: DLK_NOT_FOUND (no table), DLK_INVALID_ARGUMENT (where names a data
 * column, unknown or partition Z-order column, bad sizes), DLK_PARSE,
 * DLK_UNSUPPORTED (column mapping, Z-order on a nested type), DLK_IO.
 */
DLK_EXTERN int dlk_table_optimize(const char *table, const dlk_optimize_options *o,
                                  dlk_optimize_result *r);

/* ---- vacuum ------------------------------------------------------------ */

typedef struct dlk_vacuum_options {
    int version;            /**< 1 */
    double retention_hours; /**< < 0: delta.deletedFileRetentionDuration, else 168 */
    bool dry_run;           /**< list only, delete nothing, no commit */
    bool force;             /**< allow a retention below the table's deletedFileRetentionDuration */
} dlk_vacuum_options;
#define DLK_VACUUM_OPTIONS_INIT                                                                    \
    {                                                                                              \
        1, -1, false, false                                                                        \
    }

typedef struct dlk_vacuum_result {
    int64_t files_deleted, bytes_freed;
    char **paths; /**< relative paths deleted (or to delete, dry run), sorted; owned */
    size_t n_paths;
} dlk_vacuum_result;

/**
 * Delete files under the table folder that no version within the retention
 * period references: everything but the latest snapshot's files (and their
 * deletion-vector files) and the files removed less than retention hours
 * ago. Skipped: _delta_log, and folders (at any depth) whose name starts with
 * '_' or '.' unless it is a partition folder (contains '='), as Delta does.
 * Files modified within the retention are kept too (they may belong to a
 * write in flight). Not a dry run: commits "VACUUM START" before deleting
 * and "VACUUM END" after (commitInfo-only commits). r may be NULL; clear
 * it with dlk_vacuum_result_clear.
 * Errors: DLK_INVALID_ARGUMENT (retention below the table's
 * delta.deletedFileRetentionDuration, default 168 hours, without force),
 * DLK_NOT_FOUND, DLK_IO.
 */
DLK_EXTERN int dlk_table_vacuum(const char *table, const dlk_vacuum_options *o,
                                dlk_vacuum_result *r);
/** Free r's paths (NULL-safe) and zero it. */
DLK_EXTERN void dlk_vacuum_result_clear(dlk_vacuum_result *r);

/* ---- restore ----------------------------------------------------------- */

typedef struct dlk_restore_result {
    int64_t version, restored_version, files_added, files_removed;
} dlk_restore_result;

/**
 * Commit a new version whose active files equal those of `version` (or, when
 * version is -1, of the newest version at or before `timestamp`, RFC 3339):
 * adds for the files missing now, removes for files not in the old version
 * (operation RESTORE, metrics numRestoredFiles, numRemovedFiles, ...). The
 * old metadata and protocol are not changed back. r may be NULL.
 * Errors: DLK_NOT_FOUND (no such version / timestamp out of range; or a data
 * file of that version was vacuumed - the message names it),
 * DLK_INVALID_ARGUMENT, DLK_PARSE (timestamp), DLK_CONCURRENT_MODIFICATION.
 */
DLK_EXTERN int dlk_table_restore(const char *table, int64_t version, const char *timestamp,
                                 dlk_restore_result *r);

/* ---- history ----------------------------------------------------------- */

typedef struct dlk_history_entry {
    int64_t version, timestamp_ms, read_version; /**< read_version -1 when absent */
    const char *operation, *user, *engine;       /**< may be NULL */
    const char *parameters_json, *metrics_json;  /**< JSON object text, may be NULL */
    int64_t records_added, records_removed;      /**< from the metrics, -1 unknown */
    bool blind_append;
} dlk_history_entry;

/**
 * The table's commits, newest first (at most limit of them; <= 0 all), from
 * each commit's commitInfo (timestamp: inCommitTimestamp, else timestamp,
 * else the file's mtime). Versions whose commit file was cleaned up are not
 * listed. records_added / records_removed by operation: WRITE and friends
 * numOutputRows / 0 (append); DELETE 0 / numDeletedRows; UPDATE
 * numUpdatedRows / numUpdatedRows; MERGE inserted+updated / deleted+updated;
 * OPTIMIZE, VACUUM, CREATE TABLE 0 / 0; RESTORE numRestoredRows /
 * numRemovedRows; otherwise -1 when unknown. Strings are borrowed from *out.
 */
DLK_EXTERN int dlk_table_history(const char *table, int64_t limit, dlk_history **out);
DLK_EXTERN size_t dlk_history_count(const dlk_history *h);
/** Entry i (0 = newest), borrowed; NULL when out of range. */
DLK_EXTERN const dlk_history_entry *dlk_history_get(const dlk_history *h, size_t i);
DLK_EXTERN void dlk_history_free(dlk_history **h);

/* ---- statistics -------------------------------------------------------- */

typedef struct dlk_table_stats {
    int64_t version, file_count, record_count, total_bytes, partition_count, small_file_count;
    int64_t min_file_bytes, max_file_bytes, deleted_rows; /**< deleted_rows: rows hidden by DVs */
} dlk_table_stats;

/**
 * Statistics of a version (-1 latest): record_count is the sum of the files'
 * numRecords (the Parquet footer when an add has no stats) minus the rows
 * deleted by deletion vectors; small files are those below the default min
 * size (top of file); partition_count counts distinct partition values
 * (0 for an unpartitioned table).
 */
DLK_EXTERN int dlk_table_get_stats(const char *table, int64_t version, dlk_table_stats *out);
/** The same as one JSON object, plus "small_file_threshold" and
 *  "partitions": [{"partition": "a=x/b=y", "values": {...}, "files": n,
 *  "bytes": n, "records": n}]. *out is freed with dlk_string_free. */
DLK_EXTERN int dlk_table_stats_json(const char *table, int64_t version, char **out);

/* ---- operation metrics ------------------------------------------------- */

typedef enum dlk_op_kind {
    DLK_OP_WRITE,
    DLK_OP_UPSERT,
    DLK_OP_DELETE,
    DLK_OP_UPDATE,
    DLK_OP_QUERY,
    DLK_OP_OPTIMIZE,
    DLK_OP_VACUUM,
    DLK_OP_RESTORE,
    DLK_OP__COUNT
} dlk_op_kind;

typedef struct dlk_op_metrics {
    int64_t count, errors;
    double p50_ms, p95_ms, max_ms, total_ms;
} dlk_op_metrics;

/**
 * Counters and latency summary of one kind of operation on a table, in this
 * process since it started (or the last reset): calls, failed calls, p50 /
 * p95 (from a bounded reservoir of 1024 samples), max and total latency.
 * Tables are keyed by the path given to the operations. Thread-safe. A
 * table never seen gives zeros (DLK_OK). DLK_INVALID_ARGUMENT for a bad kind.
 */
DLK_EXTERN int dlk_table_op_metrics(const char *table, dlk_op_kind kind, dlk_op_metrics *out);
/** Forget the metrics of a table (NULL: of every table). */
DLK_EXTERN void dlk_table_op_metrics_reset(const char *table);

#ifdef __cplusplus
}
#endif
#endif

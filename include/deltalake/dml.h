/*
 * deltalake/dml.h - change rows in place: upsert (MERGE by key), delete and
 * update, each as one atomic commit.
 *
 * Rows are removed from existing data files in one of two ways:
 *   soft (deletion vectors): the file stays, a RoaringTreemap of deleted row
 *        positions is written (inline in the log when small, otherwise in
 *        `deletion_vector_<uuid>.bin` at the table root) and the file is
 *        re-added with it; the rows stay readable by time travel. Needs the
 *        table feature deletionVectors (reader 3 / writer 7).
 *   hard (rewrite): each affected file is rewritten without the rows.
 * Files whose rows all go are removed in both modes, and a delete whose
 * predicate reads only partition columns removes whole files without
 * reading them. Updated / upserted rows are written as new files.
 *
 * Partition paths ("service_name=web/date=2024-01-01", values in hive
 * notation, __HIVE_DEFAULT_PARTITION__ for null) scope an operation to the
 * files of that partition; a path naming no existing partition is
 * DLK_PARTITION_NOT_FOUND (dlk_error_last()->partition names it), a path
 * naming a column that is not a partition column DLK_INVALID_ARGUMENT.
 *
 * commitInfo: operation MERGE / DELETE / UPDATE with operationParameters
 * (predicate, mergeKey, ...) and operationMetrics (numTargetRowsUpdated,
 * numTargetRowsInserted, numTargetRowsDeleted, numAddedFiles,
 * numRemovedFiles, numDeletionVectorsAdded, ...).
 *
 * Concurrency: a concurrent commit that removes a file this operation
 * removes or re-adds, or adds files to a partition it read, or changes
 * metadata/protocol, makes it fail with DLK_CONCURRENT_MODIFICATION
 * (conflict_version set); other races are retried automatically.
 *
 * Tables are local paths. Results may be NULL.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_DML_H
#define DELTALAKE_DML_H

#include "deltalake/errors.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dlk_dml_mode {
    DLK_DML_AUTO = 0, /**< deletion vectors when the table has the feature, else rewrite */
    DLK_DML_SOFT =
        1, /**< deletion vectors (adds the feature when enable_dv, else DLK_UNSUPPORTED) */
    DLK_DML_HARD = 2 /**< rewrite files without the rows */
} dlk_dml_mode;

typedef struct dlk_upsert_options {
    int version;                 /**< 2 (1: before timestamp_unit) */
    const char *const *key_cols; /**< merge key columns (borrowed), at least one */
    size_t n_key_cols;
    /** true: of several input rows with one key the last (input order) wins;
     *  false: a duplicate key is DLK_INVALID_ARGUMENT naming the key. */
    bool dedup;
    /** "col=value/..." or NULL: only target rows of this partition are
     *  matched, input rows lacking a partition column take the path's value
     *  (rows with another value are DLK_INVALID_ARGUMENT).
     *  DLK_PARTITION_NOT_FOUND when the table has no such partition. */
    const char *partition_path;
    int input_format;          /**< dlk_input_format (write.h): NDJSON or CSV */
    bool merge_schema;         /**< not supported by upsert yet (DLK_UNSUPPORTED) */
    bool strict;               /**< unknown input fields are an error */
    int mode;                  /**< dlk_dml_mode */
    bool enable_dv;            /**< SOFT/AUTO on a table without the feature: add it */
    uint64_t target_file_size; /**< 0: 128 MiB */
    int max_attempts;          /**< commit attempts on lost races; 0: 1000 */
    /** Since version 2 (ignored in 1): a dlk_timestamp_unit (write.h) for
     *  numbers in timestamp columns; 0: numbers there are refused. */
    int timestamp_unit;
} dlk_upsert_options;

#define DLK_UPSERT_OPTIONS_INIT                                                                    \
    {                                                                                              \
        2, NULL, 0, false, NULL, 0, false, true, DLK_DML_AUTO, false, 0, 0, 0                      \
    }

typedef struct dlk_upsert_result {
    int64_t version;       /**< committed version, -1 when the input was empty */
    int64_t rows_upserted; /**< rows_updated + rows_inserted */
    int64_t rows_updated;  /**< target rows replaced by an input row */
    int64_t rows_inserted; /**< input rows that matched nothing */
    int64_t files_scanned; /**< data files read to find matches */
    int64_t files_skipped; /**< data files skipped (partition values, key min/max stats) */
    int64_t files_added, files_removed, files_rewritten, dvs_written;
    int attempts;
} dlk_upsert_result;

/**
 * MERGE the records read from `in` (until EOF; NDJSON or CSV converted by
 * the table schema exactly as dlk_table_write_file does, same
 * DLK_SCHEMA_MISMATCH messages naming line and column) into the table by
 * the key columns: target rows whose key equals an input row's key are
 * replaced by that row (each matched target row counts as updated), input
 * rows matching nothing are inserted. Key equality is on the typed values
 * (partition key columns on their partition-value text); null keys never
 * match. The converted input is held in memory (upsert batches, not bulk
 * loads: use dlk_table_write_file for those). Only files whose partition values and key min/max
 * stats can hold an input key are read.
 * Errors: DLK_NOT_FOUND (no table / unknown key column),
 * DLK_INVALID_ARGUMENT (no key, duplicate input key without dedup, key
 * column of a nested type, rows outside partition_path),
 * DLK_SCHEMA_MISMATCH, DLK_PARSE, DLK_PARTITION_NOT_FOUND,
 * DLK_CONCURRENT_MODIFICATION, DLK_UNSUPPORTED, DLK_IO.
 */
DLK_EXTERN int dlk_table_upsert_file(const char *table, FILE *in, const dlk_upsert_options *o,
                                     dlk_upsert_result *r);
/** Same over n bytes of text in memory (borrowed). */
DLK_EXTERN int dlk_table_upsert_text(const char *table, const char *text, size_t n,
                                     const dlk_upsert_options *o, dlk_upsert_result *r);

typedef struct dlk_delete_options {
    int version;                /**< 1 */
    const char *predicate;      /**< query language (expr.h); NULL: all rows (of partition_path) */
    const char *partition_path; /**< or NULL */
    int mode;                   /**< dlk_dml_mode */
    bool enable_dv;             /**< SOFT/AUTO on a table without the feature: add it */
    int max_attempts;           /**< 0: 1000 */
} dlk_delete_options;

#define DLK_DELETE_OPTIONS_INIT                                                                    \
    {                                                                                              \
        1, NULL, NULL, DLK_DML_AUTO, false, 0                                                      \
    }

typedef struct dlk_delete_result {
    int64_t version; /**< -1 when nothing matched (no commit) */
    int64_t rows_deleted, files_scanned, files_skipped, files_removed, files_rewritten, files_added,
        dvs_written;
    int attempts;
} dlk_delete_result;

/**
 * Delete the rows where the predicate is TRUE. Nothing is committed when no
 * row matches (result version -1).
 * Errors: DLK_PARSE / DLK_NOT_FOUND / DLK_SCHEMA_MISMATCH for a bad
 * predicate (position in the message), DLK_PARTITION_NOT_FOUND,
 * DLK_INVALID_ARGUMENT, DLK_UNSUPPORTED (SOFT without the feature and
 * without enable_dv; unknown writer features), DLK_CONCURRENT_MODIFICATION,
 * DLK_IO.
 */
DLK_EXTERN int dlk_table_delete(const char *table, const dlk_delete_options *o,
                                dlk_delete_result *r);

typedef struct dlk_update_options {
    int version;                /**< 1 */
    const char *set;            /**< "col = expr, col2 = expr" (expressions of expr.h) */
    const char *predicate;      /**< NULL: all rows */
    const char *partition_path; /**< or NULL */
    int mode;                   /**< dlk_dml_mode */
    bool enable_dv;
    int max_attempts; /**< 0: 1000 */
} dlk_update_options;

#define DLK_UPDATE_OPTIONS_INIT                                                                    \
    {                                                                                              \
        1, NULL, NULL, NULL, DLK_DML_AUTO, false, 0                                                \
    }

typedef struct dlk_update_result {
    int64_t version; /**< -1 when nothing matched (no commit) */
    int64_t rows_updated, files_scanned, files_skipped, files_removed, files_added, dvs_written;
    int attempts;
} dlk_update_result;

/**
 * UPDATE table SET col = expr, ... WHERE predicate: the matching rows are
 * removed from their files (deletion vectors or rewrite) and written again,
 * with the SET expressions evaluated on the old row, as new files in the
 * same partition. Values are converted to the column type
 * (DLK_SCHEMA_MISMATCH when they do not fit).
 * Errors: as dlk_table_delete; DLK_PARSE for bad SET text; DLK_UNSUPPORTED
 * for SET on a partition column or a nested column.
 */
DLK_EXTERN int dlk_table_update(const char *table, const dlk_update_options *o,
                                dlk_update_result *r);

#ifdef __cplusplus
}
#endif
#endif

/*
 * deltalake/write.h - creating Delta tables, appending and overwriting
 * records, checkpoints.
 *
 * Tables are local paths. Every write is one atomic commit
 * (`_delta_log/<version>.json`, created with put-if-absent after the data
 * files are written and fsynced). Lost races are retried automatically when
 * the winning commits do not conflict (blind appends never do); otherwise
 * the call fails with DLK_CONCURRENT_MODIFICATION and
 * dlk_error_last()->conflict_version names the winning version. A killed
 * writer leaves the table readable at its last commit (orphaned data files
 * are harmless).
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_WRITE_H
#define DELTALAKE_WRITE_H

#include "deltalake/arrow_abi.h"
#include "deltalake/errors.h"
#include "deltalake/schema.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dlk_create_options {
    int version;                       /**< 1 */
    const char *const *partition_cols; /**< partition column names (borrowed) */
    size_t n_partition_cols;
    const char *const *prop_keys; /**< table properties (configuration) */
    const char *const *prop_values;
    size_t n_props;
    const char *name;        /**< metaData.name, may be NULL */
    const char *description; /**< metaData.description, may be NULL */
    /** An existing table is not an error when it has this schema (names,
     *  types, nullability) and partitioning; one that differs is
     *  DLK_ALREADY_EXISTS naming the first difference. */
    bool reuse;
} dlk_create_options;

#define DLK_CREATE_OPTIONS_INIT                                                                    \
    {                                                                                              \
        1, NULL, 0, NULL, NULL, 0, NULL, NULL, false                                               \
    }

/**
 * Create a Delta table at `table` (directories created) with schema (a
 * "+s" ArrowSchema, borrowed). Protocol: reader 1 / writer 2 for plain
 * tables; table features (reader 3 / writer 7) only when needed
 * (timestamp_ntz columns: timestampNtz; delta.enableDeletionVectors=true:
 * deletionVectors). *version (may be NULL) gets 0, or the existing version
 * when opts->reuse. Errors: DLK_ALREADY_EXISTS (a table is there and reuse
 * is false), DLK_INVALID_ARGUMENT (unknown partition column, bad property
 * value), DLK_UNSUPPORTED (partition column of a nested or binary type), DLK_IO.
 */
DLK_EXTERN int dlk_table_create(const char *table, const struct ArrowSchema *schema,
                                const dlk_create_options *opts, int64_t *version);

typedef enum dlk_write_mode { DLK_WRITE_APPEND = 0, DLK_WRITE_OVERWRITE = 1 } dlk_write_mode;
typedef enum dlk_input_format {
    DLK_INPUT_NDJSON = 0,
    DLK_INPUT_CSV = 1,
    DLK_INPUT_PARQUET = 2
} dlk_input_format;

/** Unit of JSON numbers (and CSV integers) written into timestamp columns.
 *  OpenTelemetry exports unix nanoseconds, many tools milliseconds; with
 *  NONE a number in a timestamp column is DLK_SCHEMA_MISMATCH naming the
 *  column, the value and the option (text must then be RFC 3339). Numbers
 *  are counted from the unix epoch, may be fractional (rounded to the
 *  microsecond) and must fit the timestamp range. */
typedef enum dlk_timestamp_unit {
    DLK_TIMESTAMP_UNIT_NONE = 0,
    DLK_TIMESTAMP_UNIT_S = 1,
    DLK_TIMESTAMP_UNIT_MS = 2,
    DLK_TIMESTAMP_UNIT_US = 3,
    DLK_TIMESTAMP_UNIT_NS = 4
} dlk_timestamp_unit;

/** "s", "ms", "us" or "ns" (also "seconds", "milliseconds", "microseconds",
 *  "nanoseconds", case-insensitive) -> *out; DLK_INVALID_ARGUMENT otherwise. */
DLK_EXTERN int dlk_timestamp_unit_from_name(const char *name, dlk_timestamp_unit *out);

typedef struct dlk_write_options {
    int version; /**< 4 (1: before partition_path; 3: before timestamp_unit) */
    int mode;    /**< dlk_write_mode */
    /** Overwrite only: replace just the partitions matching this predicate
     *  (the language of expr.h) over partition columns ("region = 'eu' AND
     *  day >= '2024-01-01'", "region IN ('eu', 'us') OR region IS NULL");
     *  every written row must match it. NULL: the whole table. */
    const char *replace_where;
    int input_format;    /**< dlk_input_format */
    bool merge_schema;   /**< add new input fields as nullable columns */
    bool strict;         /**< unknown fields are an error (when not merging) */
    const char *app_id;  /**< idempotent writes: txn appId, or NULL */
    int64_t app_version; /**< txn version; a write with version <= the recorded one is skipped */
    uint64_t target_file_size; /**< bytes per data file; 0: 128 MiB */
    size_t batch_rows;         /**< rows converted per batch; 0: 65536 */
    int max_attempts;          /**< commit attempts on lost races; 0: 1000 */
    const char *operation;     /**< commitInfo.operation; NULL: "WRITE" */
    /** Since version 2 (ignored when version is 1): bulk insert scoped to a
     *  partition, "col=value[/col=value...]" (hive notation, see dml.h):
     *  rows without a value for a path column take the path's, rows with
     *  another value are DLK_INVALID_ARGUMENT; a column that is not a
     *  partition column is DLK_INVALID_ARGUMENT. NULL: no scope. */
    const char *partition_path;
    /** Since version 2 (ignored when version is 1): NDJSON input: N >= 2
     *  parses and converts the records on N worker threads (4 MiB chunks of
     *  whole lines) while the calling thread encodes and writes Parquet; the
     *  same rows and the same errors (first in input order, whole-input line
     *  numbers) as one thread, files may be cut differently. 0 or 1:
     *  everything on the calling thread. */
    int threads;
    /** Since version 3 (ignored below): data file codec, a dlk_compression
     *  (config.h; 0: SNAPPY), and its level (GZIP, ZSTD; 0: the codec's default). */
    int compression;
    int compression_level;
    /** Since version 4 (ignored below): a dlk_timestamp_unit for numbers
     *  in timestamp columns; 0 (NONE): numbers there are refused. */
    int timestamp_unit;
} dlk_write_options;

#define DLK_WRITE_OPTIONS_INIT                                                                     \
    {                                                                                              \
        4, DLK_WRITE_APPEND, NULL, DLK_INPUT_NDJSON, false, true, NULL, -1, 0, 0, 0, NULL, NULL,   \
            0, 0, 0, 0                                                                             \
    }

typedef struct dlk_write_result {
    int64_t version; /**< committed version; the current one when skipped */
    /** Nothing committed: an idempotent replay (app_id/app_version already
     *  recorded), or an input without records (append or overwrite: an empty
     *  input never empties a table; without app_id). */
    bool skipped;
    int64_t files_added, files_removed;
    int64_t rows_written;
    int64_t bytes_written;
    int attempts;               /**< commit attempts (1 without a race) */
    int64_t checkpoint_version; /**< checkpoint written after the commit, or -1 */
    bool schema_changed;        /**< merge_schema added columns */
} dlk_write_result;

/**
 * Write the records read from `in` (until EOF; NDJSON, CSV or Parquet by
 * opts->input_format; Parquet columns are matched by name and must have the
 * table's types; the Parquet file is read whole into memory, and for a
 * partitioned table its rows go through the record converter, so a table
 * column the file lacks is a missing field: null, a derived hash bucket, or
 * SCHEMA_MISMATCH when NOT NULL) into the table as one commit. Records are converted
 * by the table schema; see DLK_SCHEMA_MISMATCH below. result may be NULL.
 * Errors: DLK_NOT_FOUND (no table), DLK_SCHEMA_MISMATCH (a record does not
 * fit: message "line N: column 'c': expected long, got string", expected/
 * actual set), DLK_PARSE (bad JSON/CSV, with the line),
 * DLK_CONCURRENT_MODIFICATION, DLK_UNSUPPORTED (unknown writer features,
 * merge_schema with Parquet input), DLK_INVALID_ARGUMENT (bad options, rows outside
 * replace_where), DLK_IO.
 */
DLK_EXTERN int dlk_table_write_file(const char *table, FILE *in, const dlk_write_options *opts,
                                    dlk_write_result *result);
/** Same over n bytes of text in memory (borrowed). */
DLK_EXTERN int dlk_table_write_text(const char *table, const char *text, size_t n,
                                    const dlk_write_options *opts, dlk_write_result *result);

/**
 * Write a classic Parquet checkpoint of the table's latest version
 * (`_delta_log/<v>.checkpoint.parquet`) and update `_delta_log/_last_checkpoint`.
 * *version (may be NULL) gets the checkpointed version. Writes also do this
 * automatically every delta.checkpointInterval commits (default 100).
 */
DLK_EXTERN int dlk_table_checkpoint(const char *table, int64_t *version);

#ifdef __cplusplus
}
#endif
#endif

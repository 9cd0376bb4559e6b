/*
 * deltalake/check.h - validate a Delta table against the protocol
 * (`deltalake check TABLE`).
 *
 * What is checked:
 *  - the log: commit versions contiguous from the earliest point a reader
 *    can start at (version 0 or a complete checkpoint); every commit file
 *    parses, holds at most one protocol and one metaData action;
 *    _last_checkpoint names a complete checkpoint with matching size;
 *  - the replayed state: exactly one protocol and one metaData, the
 *    schemaString parses, partition columns exist in the schema; the
 *    snapshot loads (checkpoints included);
 *  - every active file (unless data checks are off): it exists with
 *    size == add.size; its Parquet footer parses; its schema has the table's
 *    columns (by physical name with column mapping, by field id in id mode)
 *    with the same or a widening-compatible type (a missing column is a
 *    finding only when the table column is not nullable); stats numRecords
 *    equals the footer row count; stats nullCount equals the footer null
 *    counts and minValues/maxValues bound the footer min/max (strings may be
 *    truncated prefixes, Spark timestamps may be cut to milliseconds) - or
 *    the values themselves, read in full, for small files (read_data_bytes,
 *    and columns without footer statistics in files up to 1 MiB);
 *  - deletion vectors: resolvable (file present, size, CRC), cardinality as
 *    recorded and not above numRecords.
 *
 * Each problem is one finding with a stable `code`:
 *   version_gap, log_start, commit_parse, empty_commit, duplicate_protocol,
 *   duplicate_metadata, missing_protocol, missing_metadata, schema,
 *   partition_column, protocol_feature, snapshot, last_checkpoint,
 *   file_missing, file_size,
 *   file_unreadable, file_schema, stats_parse, stats_num_records,
 *   stats_null_count, stats_min, stats_max, dv_unresolvable, dv_cardinality.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_CHECK_H
#define DELTALAKE_CHECK_H

#include "deltalake/types.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One problem found. Strings are owned by the report. */
typedef struct dlk_check_finding {
    const char *code;    /**< stable kind, see the list above */
    int64_t version;     /**< log version concerned, or -1 */
    const char *path;    /**< file concerned (log or data, relative to the table), or NULL */
    const char *message; /**< what is wrong, for people */
} dlk_check_finding;

/** The result of a check. */
typedef struct dlk_check_report {
    dlk_check_finding *findings;
    size_t n_findings;
    int64_t version;       /**< the version checked (latest), -1 when the log has none */
    int64_t commits_read;  /**< commit files parsed */
    int64_t files_checked; /**< active data files checked */
} dlk_check_report;

typedef struct dlk_check_options {
    int version;             /**< 1 */
    bool skip_data;          /**< only the log: no data file, footer or DV checks */
    size_t max_findings;     /**< stop collecting after this many (0: 1000) */
    int64_t read_data_bytes; /**< data files of at most this size have their stats checked against
                                  the values themselves (a full read of the top-level columns)
                                  instead of the footer statistics; 0: footer only, except that
                                  columns without footer statistics are read in files up to 1 MiB */
} dlk_check_options;
#define DLK_CHECK_OPTIONS_INIT                                                                     \
    {                                                                                              \
        1, false, 0, 0                                                                             \
    }

/** Check the table at `location` (a path or URI dlk_storage_open accepts).
 *  Returns DLK_OK when the check ran: *out lists the findings (none when the
 *  table is sound); free it with dlk_check_report_free. Returns a negative
 *  status (and *out NULL) only when the check could not run at all:
 *  DLK_NOT_FOUND when there is no Delta log there, DLK_IO / DLK_NO_MEMORY. */
DLK_EXTERN int dlk_table_check(const char *location, const dlk_check_options *opts,
                               dlk_check_report **out);
/** Same on an open storage (borrowed; deltalake/sys/storage.h). */
DLK_EXTERN int dlk_table_check_storage(dlk_storage *storage, const dlk_check_options *opts,
                                       dlk_check_report **out);
/** Free a report (NULL-safe); sets *r to NULL. */
DLK_EXTERN void dlk_check_report_free(dlk_check_report **r);

#ifdef __cplusplus
}
#endif

#endif

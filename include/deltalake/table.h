/*
 * deltalake/table.h - open a Delta table, load a snapshot (latest, at a
 * version, or as of a timestamp), read its metadata and list its files, and
 * scan its rows as an Arrow stream.
 *
 * Handles: dlk_table (a location + storage) and dlk_snapshot (one immutable
 * version of the table). Everything returned through **out belongs to the
 * caller and has a NULL-safe *_free that sets the handle to NULL. Plain
 * pointers returned by accessors are borrowed from the snapshot and live as
 * long as it does. A snapshot may be read from several threads at once.
 *
 * Errors (see errors.h): DLK_NOT_FOUND (not a Delta table; version or
 * timestamp outside the available range - the message says which range is
 * available), DLK_CORRUPT (malformed log: message names the file and line,
 * or the missing version), DLK_UNSUPPORTED (a reader feature or protocol
 * version we cannot read - the message names it), DLK_IO.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_TABLE_H
#define DELTALAKE_TABLE_H

#include "deltalake/arrow_abi.h"
#include "deltalake/errors.h"
#include "deltalake/types.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Open the table at a location (local path, file:// URI). Does not read
 *  the log yet (a missing table fails at snapshot time with NOT_FOUND). */
DLK_EXTERN int dlk_table_open(const char *location, dlk_table **out);
/** Open over an existing storage handle (deltalake/sys/storage.h); the table
 *  takes ownership of it. */
DLK_EXTERN int dlk_table_open_storage(dlk_storage *storage, dlk_table **out);
DLK_EXTERN void dlk_table_free(dlk_table **t);
/** The table's storage (borrowed). */
DLK_EXTERN dlk_storage *dlk_table_storage(dlk_table *t);

/** Snapshot at version (-1: latest). */
DLK_EXTERN int dlk_table_snapshot(dlk_table *t, int64_t version, dlk_snapshot **out);
/** Snapshot as of a timestamp (ms since the epoch): the newest version whose
 *  commit timestamp (in-commit timestamp when enabled, else the commit file's
 *  modification time) is <= ts. NOT_FOUND before the first available commit
 *  or after the latest one (message gives the available range). */
DLK_EXTERN int dlk_table_snapshot_at(dlk_table *t, int64_t timestamp_ms, dlk_snapshot **out);
/** Same with an RFC 3339 timestamp text ("2024-01-01T00:00:00Z", a date,
 *  or "2024-01-01 12:00:00"; no offset means UTC). DLK_PARSE on bad text. */
DLK_EXTERN int dlk_table_snapshot_at_text(dlk_table *t, const char *timestamp, dlk_snapshot **out);
DLK_EXTERN void dlk_snapshot_free(dlk_snapshot **s);

/* ---- metadata ---- */
DLK_EXTERN int64_t dlk_snapshot_version(const dlk_snapshot *s);
/** Commit timestamp of the snapshot's version, ms since the epoch. */
DLK_EXTERN int64_t dlk_snapshot_timestamp(const dlk_snapshot *s);
/** Table schema as "+s" (borrowed). Field metadata: see core docs
 *  ("delta.metadata", "delta.columnMapping.physicalName", "PARQUET:field_id"). */
DLK_EXTERN const struct ArrowSchema *dlk_snapshot_schema(const dlk_snapshot *s);
/** metaData.schemaString (borrowed). */
DLK_EXTERN const char *dlk_snapshot_schema_string(const dlk_snapshot *s);
DLK_EXTERN size_t dlk_snapshot_partition_column_count(const dlk_snapshot *s);
DLK_EXTERN const char *dlk_snapshot_partition_column(const dlk_snapshot *s, size_t i);
/** metaData.configuration: count, i-th pair, lookup (NULL when absent). */
DLK_EXTERN size_t dlk_snapshot_property_count(const dlk_snapshot *s);
DLK_EXTERN void dlk_snapshot_property(const dlk_snapshot *s, size_t i, const char **key,
                                      const char **value);
DLK_EXTERN const char *dlk_snapshot_property_get(const dlk_snapshot *s, const char *key);
/** metaData id / name / description / createdTime (-1 when absent). */
DLK_EXTERN const char *dlk_snapshot_table_id(const dlk_snapshot *s);
DLK_EXTERN const char *dlk_snapshot_table_name(const dlk_snapshot *s);
DLK_EXTERN const char *dlk_snapshot_description(const dlk_snapshot *s);
DLK_EXTERN int64_t dlk_snapshot_created_time(const dlk_snapshot *s);
/** Protocol versions and feature lists (features NULL when the protocol has none). */
DLK_EXTERN void dlk_snapshot_protocol(const dlk_snapshot *s, int *min_reader, int *min_writer);
DLK_EXTERN size_t dlk_snapshot_reader_features(const dlk_snapshot *s, const char *const **out);
DLK_EXTERN size_t dlk_snapshot_writer_features(const dlk_snapshot *s, const char *const **out);
/** "none", "name" or "id". */
DLK_EXTERN const char *dlk_snapshot_column_mapping_mode(const dlk_snapshot *s);
/** Latest version of an application transaction (txn action), NOT_FOUND if none. */
DLK_EXTERN int dlk_snapshot_txn_version(const dlk_snapshot *s, const char *app_id,
                                        int64_t *version);
/** Configuration of a domain (domainMetadata), NULL when absent or removed. */
DLK_EXTERN const char *dlk_snapshot_domain_metadata(const dlk_snapshot *s, const char *domain);

/* ---- active files ---- */

/** One active data file (borrowed from the snapshot). */
typedef struct dlk_file_info {
    const char *path;        /**< URL-decoded; relative to the table root, or absolute */
    const char *raw_path;    /**< as stored in the log */
    int64_t size;
    int64_t modification_time;
    const char *stats;       /**< stats JSON or NULL */
    size_t n_partition_values;
    const char *const *partition_keys;   /**< partition column names (logical) */
    const char *const *partition_values; /**< serialized values; NULL = null */
    bool has_deletion_vector;
    int64_t deleted_rows;    /**< DV cardinality (0 without a DV) */
} dlk_file_info;

DLK_EXTERN size_t dlk_snapshot_file_count(const dlk_snapshot *s);
/** Files are ordered by path. */
DLK_EXTERN const dlk_file_info *dlk_snapshot_file(const dlk_snapshot *s, size_t i);

/* ---- descriptions ---- */

/** The snapshot described as one JSON object (location, version, timestamp,
 *  id, name, description, created_time, schema (the schemaString as JSON),
 *  partition_columns, properties, protocol {min_reader_version,
 *  min_writer_version, reader_features, writer_features}, column_mapping,
 *  num_files, size_bytes). *out is freed with dlk_string_free. */
DLK_EXTERN int dlk_snapshot_describe_json(const dlk_snapshot *s, char **out);

#ifdef __cplusplus
}
#endif
#endif

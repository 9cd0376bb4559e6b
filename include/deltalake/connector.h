/*
 * deltalake/connector.h - the seed API: a connector made from a dlk_config,
 * table handles, a schema builder, records in and out as JSON text, a query
 * builder with time travel, metadata, and wrappers of the schema changes
 * (alter.h), DML (dml.h) and maintenance (maintenance.h) operations that apply the
 * connector's configuration (partitioning, file sizes, schema mode,
 * auto-optimize / auto-vacuum).
 *
 *     dlk_config cfg;  dlk_config_init(&cfg);
 *     dlk_config_set_table_path(&cfg, "./data/spans");
 *     dlk_connector *c;  dlk_connector_new(&cfg, &c);      // copies cfg
 *     dlk_schema_builder *b;  dlk_schema_builder_new(&b);
 *     dlk_schema_builder_add(b, "span_id", "string", false);
 *     ...
 *     struct ArrowSchema schema;  dlk_schema_builder_finish(b, &schema);
 *     dlk_table_handle *t;  dlk_connector_get_or_create_table(c, NULL, &schema, &t);
 *     dlk_table_handle_bulk_insert(t, ndjson, len, NULL, &n);
 *     dlk_query *q;  dlk_query_new(t, &q);
 *     dlk_query_filter(q, "status_code >= 500");  dlk_query_limit(q, 10);
 *     dlk_records *rows;  dlk_query_execute(q, &rows);
 *
 * Naming of tables: a name without '/' is a table under the connector's
 * root (the parent folder of config.table_path, or config.table_path itself
 * when it has no parent component); a name with '/' is a location used as
 * is; NULL is the configured table (config.table_path). Names are checked:
 * no "..", no empty components.
 *
 * Ownership: everything returned through **out belongs to the caller and
 * has a NULL-safe free that sets the handle to NULL. A dlk_table_handle
 * borrows its connector (free the handles first). Strings returned as
 * `const char *` are borrowed from the object they come from.
 *
 * Thread safety: a connector and its handles may be used from several
 * threads; one dlk_query or dlk_records object from one thread at a time.
 *
 * Errors: functions return DLK_OK or a negative dlk_status and set
 * dlk_error_last() (errors.h): DLK_SCHEMA_MISMATCH with expected/actual,
 * DLK_CONCURRENT_MODIFICATION with conflict_version, DLK_PARTITION_NOT_FOUND
 * with partition, DLK_NOT_FOUND, DLK_INVALID_ARGUMENT, DLK_PARSE, DLK_IO,
 * DLK_UNSUPPORTED naming the feature (also: an operation whose layer is not
 * built into this library), DLK_NO_MEMORY.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_CONNECTOR_H
#define DELTALAKE_CONNECTOR_H

#include "deltalake/arrow_abi.h"
#include "deltalake/config.h"
#include "deltalake/dml.h"
#include "deltalake/errors.h"
#include "deltalake/maintenance.h"
#include "deltalake/scan.h"
#include "deltalake/schema.h"
#include "deltalake/table.h"
#include "deltalake/types.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Connector
 * ====================================================================== */

/** Make a connector from cfg (validated with dlk_config_validate, then
 *  deep-copied: cfg may be freed afterwards). *out is freed with
 *  dlk_connector_free. Errors: DLK_INVALID_ARGUMENT (invalid config),
 *  DLK_NO_MEMORY. */
DLK_EXTERN int dlk_connector_new(const dlk_config *cfg, dlk_connector **out);
/** Free a connector (NULL-safe; sets *c to NULL). Its handles must be freed before. */
DLK_EXTERN void dlk_connector_free(dlk_connector **c);
/** The connector's configuration (borrowed, read-only, lives as long as c). */
DLK_EXTERN const dlk_config *dlk_connector_config(const dlk_connector *c);
/** The folder named tables live under (borrowed). */
DLK_EXTERN const char *dlk_connector_root(const dlk_connector *c);

/** Open the table `name` (see "Naming" above), creating it when it does not
 *  exist: schema (a "+s" ArrowSchema, borrowed; e.g. from the schema builder)
 *  and partitioning from the config (partition_columns; with
 *  DLK_PARTITION_BY_HASH each column c becomes a generated int partition
 *  column c_bucket = hash(c) mod hash_buckets), table properties
 *  delta.checkpointInterval and delta.deletedFileRetentionDuration from the
 *  config. An existing table is opened as is (schema may be NULL then; when
 *  given it is not compared - use dlk_table_handle_update_schema to evolve).
 *  Creating concurrently with another writer is safe (one wins, both open).
 *  Errors: DLK_NOT_FOUND (no table and schema NULL), DLK_INVALID_ARGUMENT
 *  (bad name, partition column not in the schema), DLK_UNSUPPORTED, DLK_IO. */
DLK_EXTERN int dlk_connector_get_or_create_table(dlk_connector *c, const char *name,
                                                 const struct ArrowSchema *schema,
                                                 dlk_table_handle **out);
/** Open an existing table. DLK_NOT_FOUND when no Delta table is there. */
DLK_EXTERN int dlk_connector_get_table(dlk_connector *c, const char *name, dlk_table_handle **out);

/** Tables under root (NULL: the connector's root): every folder holding a
 *  _delta_log with at least one commit or checkpoint, found through the
 *  storage listing. *names gets a sorted array of *n paths relative to root
 *  ("spans", "team/logs"), freed with dlk_string_list_free. A missing root
 *  gives zero tables. Errors: DLK_IO, DLK_NO_MEMORY. */
DLK_EXTERN int dlk_connector_list_tables(dlk_connector *c, const char *root, char ***names,
                                         size_t *n);

/** Delete the table `name`: every file under its folder (data, log,
 *  checkpoints, deletion vectors), then the emptied folders. Refuses a
 *  folder that is not a Delta table (DLK_NOT_FOUND; nothing is removed).
 *  Not atomic for concurrent readers. Errors: DLK_NOT_FOUND, DLK_IO,
 *  DLK_INVALID_ARGUMENT (bad name), DLK_UNSUPPORTED (non-local tables). */
DLK_EXTERN int dlk_connector_delete_table(dlk_connector *c, const char *name);

/* ======================================================================
 * Table handle
 * ====================================================================== */

/** Free a handle (NULL-safe, sets *t to NULL). */
DLK_EXTERN void dlk_table_handle_free(dlk_table_handle **t);
/** Location of the table (borrowed): usable with every function of table.h,
 *  write.h, dml.h and maintenance.h. */
DLK_EXTERN const char *dlk_table_handle_location(const dlk_table_handle *t);
/** The table's name (borrowed): the name given, or the configured one. */
DLK_EXTERN const char *dlk_table_handle_name(const dlk_table_handle *t);
/** A snapshot of the table at version (-1 latest); free with dlk_snapshot_free.
 *  The snapshot owns what it needs (the handle may be freed before it). */
DLK_EXTERN int dlk_table_handle_snapshot(dlk_table_handle *t, int64_t version, dlk_snapshot **out);

/* ---- records in ---- */

/** Options of bulk insert. NULL means defaults. */
typedef struct dlk_insert_options {
    int version; /**< 1 */
    /** Restrict the insert to one partition ("service_name=web/date=2024-01-01",
     *  hive notation as in dml.h): rows lacking the partition columns take
     *  them from the path; rows with other values, and a path naming a
     *  column that is not a partition column, are DLK_INVALID_ARGUMENT
     *  (dlk_write_options.partition_path). */
    const char *partition_path;
    int schema_mode;     /**< dlk_schema_mode; DLK_SCHEMA_FROM_CONFIG: the config decides */
    const char *app_id;  /**< idempotent insert (Delta txn appId) or NULL */
    int64_t app_version; /**< with app_id: skipped when <= the recorded version */
} dlk_insert_options;

/** Schema handling of a write. */
typedef enum dlk_schema_mode {
    DLK_SCHEMA_FROM_CONFIG = 0, /**< merge when config.merge_schema or auto_evolution; else strict
                                     when config.strict_mode; else ignore unknown fields */
    DLK_SCHEMA_STRICT = 1,      /**< unknown fields: DLK_SCHEMA_MISMATCH */
    DLK_SCHEMA_MERGE = 2,       /**< unknown fields become new nullable columns (same commit) */
    DLK_SCHEMA_IGNORE = 3,      /**< unknown fields are dropped */
} dlk_schema_mode;

#define DLK_INSERT_OPTIONS_INIT                                                                    \
    {                                                                                              \
        1, NULL, DLK_SCHEMA_FROM_CONFIG, NULL, -1                                                  \
    }

/**
 * Insert records as one commit. `records` (borrowed, n bytes) is NDJSON
 * (one object per line) or one JSON array of objects. Values are converted
 * by the column types (RFC 3339 strings to timestamps, numbers to integer /
 * floating / decimal columns, objects to structs or maps; see write.h).
 * Partitioning and the target file size come from the config. *inserted
 * (may be NULL) gets the row count. After the commit, auto-optimize /
 * auto-vacuum run when the config enables them (their failure is logged,
 * not returned). Errors: as dlk_table_write_text (DLK_SCHEMA_MISMATCH naming
 * line and column with expected/actual, DLK_PARSE with the line, ...),
 * DLK_UNSUPPORTED when config.bulk_insert_enabled is false.
 */
DLK_EXTERN int dlk_table_handle_bulk_insert(dlk_table_handle *t, const char *records, size_t n,
                                            const dlk_insert_options *opts, int64_t *inserted);

/**
 * Upsert (MERGE by key) records (NDJSON or a JSON array, borrowed): rows
 * whose key columns match an existing row replace it, others are inserted.
 * dedup: several input rows with one key - the last wins (false: such input
 * is DLK_INVALID_ARGUMENT naming the key). partition_path (or NULL) scopes
 * the match to one partition (DLK_PARTITION_NOT_FOUND when the table has no
 * such partition and rows would be matched only there). *result (may be
 * NULL) gets dlk_table_upsert_text's result (dml.h). Errors: those of
 * dlk_table_upsert_text; DLK_UNSUPPORTED when
 * config.upsert_enabled is false or the DML layer is not built.
 */
DLK_EXTERN int dlk_table_handle_upsert(dlk_table_handle *t, const char *records, size_t n,
                                       const char *const *key_cols, size_t n_key_cols, bool dedup,
                                       const char *partition_path, dlk_upsert_result *result);

/**
 * Delete the rows matching `condition` (predicate language, expr.h; NULL:
 * every row of the partition_path, or of the table) within partition_path
 * (or NULL), in `mode` (dml.h): DLK_DML_AUTO deletion vectors when the
 * table has them, else rewrite; DLK_DML_SOFT deletion vectors (enabling
 * the feature on the table when it has none); DLK_DML_HARD rewrite the
 * files without the rows. *deleted (may be NULL) gets the number of rows
 * deleted (0 when nothing matched: no commit). Errors: DLK_PARSE (condition), DLK_PARTITION_NOT_FOUND,
 * DLK_UNSUPPORTED when config.delete_enabled is false or the DML layer is not
 * built, and those of dlk_table_delete (dml.h).
 */
DLK_EXTERN int dlk_table_handle_delete(dlk_table_handle *t, const char *condition,
                                       const char *partition_path, dlk_dml_mode mode,
                                       int64_t *deleted);

/* ---- records out ---- */

/** Number of rows of a result. */
DLK_EXTERN size_t dlk_records_count(const dlk_records *r);
/** Row i as one JSON object text (arrow_json.h value conventions; columns in
 *  result order). Borrowed from r; NULL when i is out of range. */
DLK_EXTERN const char *dlk_records_row(const dlk_records *r, size_t i);
/** Number and names of the result columns (borrowed). */
DLK_EXTERN size_t dlk_records_column_count(const dlk_records *r);
DLK_EXTERN const char *dlk_records_column_name(const dlk_records *r, size_t i);
/** The value of column `col` in row i as JSON text into a new string *out
 *  (caller frees with dlk_string_free; "null" for null). DLK_NOT_FOUND for
 *  an unknown column, DLK_INVALID_ARGUMENT when i is out of range. */
DLK_EXTERN int dlk_records_get(const dlk_records *r, size_t i, const char *col, char **out);
/** Version of the snapshot the rows were read from. */
DLK_EXTERN int64_t dlk_records_version(const dlk_records *r);
/** What the query's scan skipped and read: files (by partition values and
 *  add stats), row groups (by Parquet statistics) and rows. Since 0.1. */
DLK_EXTERN void dlk_records_scan_stats(const dlk_records *r, dlk_scan_stats *out);
/** Time the query took (open snapshot to last row), milliseconds. */
DLK_EXTERN double dlk_records_elapsed_ms(const dlk_records *r);
/** Free (NULL-safe, sets *r to NULL). */
DLK_EXTERN void dlk_records_free(dlk_records **r);

/* ---- query builder ---- */

/** Start a query over the table (latest version, all columns, no filter,
 *  no limit). *out is freed with dlk_query_free. */
DLK_EXTERN int dlk_query_new(dlk_table_handle *t, dlk_query **out);
DLK_EXTERN void dlk_query_free(dlk_query **q);
/** Filter rows by a predicate (expr.h grammar); several calls are ANDed.
 *  The text is copied; it is parsed and bound at execute. */
DLK_EXTERN int dlk_query_filter(dlk_query *q, const char *predicate);
/** Select columns (top-level names, copied), in this order. n = 0: all. */
DLK_EXTERN int dlk_query_select(dlk_query *q, const char *const *cols, size_t n);
/** At most n rows (n < 0: no limit). */
DLK_EXTERN int dlk_query_limit(dlk_query *q, int64_t n);
/** Sort the result by a column (of a primitive type: numbers, strings,
 *  booleans, dates, timestamps, decimals; nulls last in both directions,
 *  like the CLI's --order-by and DuckDB; NaN above numbers),
 *  applied before the limit (only the top `limit` rows are kept in memory).
 *  The column need not be selected. Done by the scan
 *  (dlk_scan_options.order_by), so it works for execute_stream too; for
 *  several keys or other null placement use dlk_scan_options.order_by. */
DLK_EXTERN int dlk_query_order_by(dlk_query *q, const char *col, bool descending);
/** Time travel to a version (>= 0). Excludes dlk_query_as_of. */
DLK_EXTERN int dlk_query_version(dlk_query *q, int64_t version);
/** Time travel to a timestamp (RFC 3339 text or a date; no offset = UTC):
 *  the newest version committed at or before it. Excludes dlk_query_version. */
DLK_EXTERN int dlk_query_as_of(dlk_query *q, const char *timestamp);
/**
 * Run the query and collect the rows (*out, caller frees with
 * dlk_records_free). The latency is recorded in the table's operation
 * metrics (DLK_OP_QUERY) when the maintenance layer is built. Errors:
 * DLK_NOT_FOUND (table, version or timestamp out of range - the message
 * gives the available range; unknown column), DLK_PARSE / DLK_INVALID_ARGUMENT
 * (predicate, with position), DLK_CORRUPT, DLK_IO.
 */
DLK_EXTERN int dlk_query_execute(dlk_query *q, dlk_records **out);
/**
 * Run the query as an Arrow stream (caller releases *out; the stream owns
 * the snapshot and the filter, the query may be freed before it), with the
 * order and limit applied. dlk_scan_get_stats does not see through the
 * wrapper; use dlk_query_execute's records for the skip counts.
 */
DLK_EXTERN int dlk_query_execute_stream(dlk_query *q, struct ArrowArrayStream *out);

/* ---- metadata ---- */

/** A table's metadata at one version (all members owned by the struct). */
typedef struct dlk_table_metadata {
    int64_t version;
    int64_t timestamp_ms;          /**< commit time of the version */
    char *id, *name, *description; /**< name/description may be NULL */
    int64_t created_time;          /**< ms, -1 unknown */
    char *schema_json;             /**< metaData.schemaString */
    struct ArrowSchema schema;     /**< the schema as "+s" */
    char **partition_columns;
    size_t n_partition_columns;
    char **property_keys, **property_values;
    size_t n_properties;
    int min_reader_version, min_writer_version;
    char **reader_features, **writer_features; /**< NULL when the protocol has none */
    size_t n_reader_features, n_writer_features;
    char *column_mapping_mode;     /**< "none", "name" or "id" */
    int64_t num_files, size_bytes; /**< active data files */
} dlk_table_metadata;

/** Fill *out with the metadata of `version` (-1 latest). Free with
 *  dlk_table_metadata_clear. Errors: DLK_NOT_FOUND, DLK_CORRUPT, DLK_IO. */
DLK_EXTERN int dlk_table_handle_metadata(dlk_table_handle *t, int64_t version,
                                         dlk_table_metadata *out);
/** Free the members (NULL-safe) and zero the struct. */
DLK_EXTERN void dlk_table_metadata_clear(dlk_table_metadata *m);

/* ---- schema management (wrappers of alter.h) ---- */

/** Evolve the table schema to `schema` ("+s", borrowed) in one metaData
 *  commit: dlk_table_update_schema (alter.h) on the handle's location, new
 *  columns allowed as config.allow_nullable says. *version (may be NULL)
 *  gets the new version (the current one when nothing changed). */
DLK_EXTERN int dlk_table_handle_update_schema(dlk_table_handle *t, const struct ArrowSchema *schema,
                                              int64_t *version);
/** Shorthand: add one nullable column `name` of Delta type `type` ("string",
 *  "decimal(10,2)", "map<string,long>", ...); dlk_table_add_column
 *  (alter.h). DLK_ALREADY_EXISTS when the column exists. */
DLK_EXTERN int dlk_table_handle_add_column(dlk_table_handle *t, const char *name, const char *type,
                                           int64_t *version);
/** Enable column mapping (mode "name"): dlk_table_enable_column_mapping (alter.h). */
DLK_EXTERN int dlk_table_handle_enable_column_mapping(dlk_table_handle *t, int64_t *version);
/** Rename a column (through column mapping, enabled in the same commit when
 *  the table has none): dlk_table_rename_column (alter.h). */
DLK_EXTERN int dlk_table_handle_rename_column(dlk_table_handle *t, const char *old_name,
                                              const char *new_name, int64_t *version);
/** Drop a column (through column mapping, enabled in the same commit when
 *  the table has none): dlk_table_drop_column (alter.h). */
DLK_EXTERN int dlk_table_handle_drop_column(dlk_table_handle *t, const char *name,
                                            int64_t *version);

/* ---- maintenance and history (wrappers of maintenance.h) ---- */

/** History, newest first (limit <= 0: all): dlk_table_history
 *  (maintenance.h) of the handle's location; read it with dlk_history_count
 *  / dlk_history_get, free it with dlk_history_free. */
DLK_EXTERN int dlk_table_handle_history(dlk_table_handle *t, int64_t limit, dlk_history **out);
/** Statistics at version (-1 latest): dlk_table_get_stats (maintenance.h). */
DLK_EXTERN int dlk_table_handle_stats(dlk_table_handle *t, int64_t version, dlk_table_stats *out);
/** Latency metrics of one operation kind on this table in this process:
 *  dlk_table_op_metrics (maintenance.h); queries of dlk_query_execute count
 *  as DLK_OP_QUERY. */
DLK_EXTERN int dlk_table_handle_op_metrics(dlk_table_handle *t, dlk_op_kind op,
                                           dlk_op_metrics *out);

/** Compact small files (bin-packing to config.file_size_target), optionally
 *  Z-ordered by zorder_cols, restricted to partitions matching `where` (or
 *  NULL). *files_removed / *files_added (may be NULL) get the counts
 *  (0/0 and no commit when nothing needed compaction). */
DLK_EXTERN int dlk_table_handle_optimize(dlk_table_handle *t, const char *where,
                                         const char *const *zorder_cols, size_t n_zorder_cols,
                                         int64_t *files_removed, int64_t *files_added);
/** Remove files no longer referenced and older than retention_hours (< 0:
 *  config.retention_hours). A retention below the table's
 *  delta.deletedFileRetentionDuration is refused (DLK_INVALID_ARGUMENT)
 *  unless dry_run, which only lists and counts. *files (may be NULL) gets
 *  the number of files deleted (or that would be). */
DLK_EXTERN int dlk_table_handle_vacuum(dlk_table_handle *t, double retention_hours, bool dry_run,
                                       int64_t *files);
/** Like dlk_table_handle_vacuum; force: a retention below the table's
 *  minimum is allowed (like `deltalake vacuum --force`): files that readers
 *  time-travelling or still running may need can be deleted. */
DLK_EXTERN int dlk_table_handle_vacuum_force(dlk_table_handle *t, double retention_hours,
                                             bool dry_run, bool force, int64_t *files);
/** Restore to a version (>= 0) or, with version < 0, to the timestamp text.
 *  *new_version (may be NULL) gets the restore commit's version. */
DLK_EXTERN int dlk_table_handle_restore(dlk_table_handle *t, int64_t version, const char *timestamp,
                                        int64_t *new_version);

#ifdef __cplusplus
}
#endif
#endif

/*
 * deltalake/config.h - connector and table configuration, from code or from
 * a deltalake.toml file.
 *
 * A dlk_config is a plain struct whose scalar fields callers may set
 * directly; its strings are owned by the config and set through the
 * dlk_config_set_* functions (which copy). Start from dlk_config_init()
 * (defaults below), free with dlk_config_free(). Every key is documented in
 * docs/config.md (default, range, effect).
 *
 * TOML layout (unknown sections or keys are an error naming key and line):
 *
 *   [deltalake]              optimize_enabled, vacuum_enabled, retention_hours,
 *                            compression, compression_level, parallelism, batch_size,
 *                            optimize_min_files, vacuum_interval
 *                            (table_path, table_name, partition_columns accepted here too)
 *   [deltalake.table]        path, name, partition_columns, partition_strategy, hash_buckets,
 *                            checkpoint_interval
 *   [deltalake.operations]   upsert_enabled, delete_enabled, bulk_insert_enabled, streaming_enabled
 *   [deltalake.schema]       auto_evolution, strict_mode, allow_nullable, merge_schema
 *   [deltalake.storage]      file_size_target, file_size_max, file_size_min (bytes)
 *
 * Environment variables override the file (and the defaults) when set:
 * DELTALAKE_TABLE_PATH, DELTALAKE_TABLE_NAME, DELTALAKE_COMPRESSION,
 * DELTALAKE_BATCH_SIZE, DELTALAKE_PARALLELISM, DELTALAKE_RETENTION_HOURS.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_CONFIG_H
#define DELTALAKE_CONFIG_H

#include "deltalake/errors.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLK_CONFIG_VERSION 1

typedef enum dlk_partition_strategy {
    DLK_PARTITION_BY_VALUE = 0, /**< hive directories col=value (default) */
    DLK_PARTITION_BY_HASH = 1,  /**< hash of the partition columns into hash_buckets buckets */
} dlk_partition_strategy;

typedef enum dlk_compression {
    DLK_COMPRESSION_SNAPPY = 0, /**< default */
    DLK_COMPRESSION_GZIP,
    DLK_COMPRESSION_ZSTD,
    DLK_COMPRESSION_LZ4,
    DLK_COMPRESSION_NONE,
} dlk_compression;

typedef struct dlk_config {
    unsigned version; /**< DLK_CONFIG_VERSION */

    /* table */
    char *table_path;          /**< local path or s3://bucket/prefix; owned; set with dlk_config_set_table_path */
    char *table_name;          /**< owned; default: last component of table_path */
    char **partition_columns;  /**< owned array of owned strings */
    size_t n_partition_columns;
    dlk_partition_strategy partition_strategy; /**< default DLK_PARTITION_BY_VALUE */
    int32_t hash_buckets;      /**< buckets for DLK_PARTITION_BY_HASH; default 16, 1..65536 */
    int32_t checkpoint_interval; /**< commits between checkpoints; default 100, >= 1 */

    /* operations and maintenance */
    bool optimize_enabled;     /**< auto-compaction after writes; default false */
    bool vacuum_enabled;       /**< auto-vacuum; default false */
    int64_t retention_hours;   /**< vacuum retention; default 168, >= 0 */
    dlk_compression compression; /**< data file codec; default SNAPPY */
    int32_t compression_level; /**< codec level, 0 = codec default */
    int32_t parallelism;       /**< worker threads, 0 = number of CPUs; default 0 */
    int64_t batch_size;        /**< records per in-memory batch; default 10000, >= 1 */
    bool upsert_enabled, delete_enabled, bulk_insert_enabled, streaming_enabled; /**< default true */

    /* schema management */
    bool auto_evolution; /**< add new record fields as nullable columns; default false */
    bool strict_mode;    /**< reject records with unknown fields; default true */
    bool allow_nullable; /**< new columns may be nullable; default true */
    bool merge_schema;   /**< like auto_evolution for explicit writes; default false */

    /* storage (bytes) */
    int64_t file_size_target; /**< default 128 MiB */
    int64_t file_size_max;    /**< default 256 MiB */
    int64_t file_size_min;    /**< files below count as small for optimize; default 16 MiB */

    /* auto-maintenance (connector.h), added in 0.1 */
    int32_t optimize_min_files; /**< optimize_enabled: compact once a partition holds more than
                                     this many small files; default 8, >= 1 */
    int32_t vacuum_interval;    /**< vacuum_enabled: vacuum after every this many commits; default 10, >= 1 */
} dlk_config;

/** Fill *cfg with the defaults. Cannot fail. */
DLK_EXTERN void dlk_config_init(dlk_config *cfg);
/** Free the strings owned by cfg and reset it to defaults. NULL-safe. */
DLK_EXTERN void dlk_config_free(dlk_config *cfg);
/** Copy-setters for the owned strings (NULL clears). DLK_NO_MEMORY on failure. */
DLK_EXTERN int dlk_config_set_table_path(dlk_config *cfg, const char *path);
DLK_EXTERN int dlk_config_set_table_name(dlk_config *cfg, const char *name);
DLK_EXTERN int dlk_config_set_partition_columns(dlk_config *cfg, const char *const *cols, size_t n);

/** Check every field: unknown compression or strategy, negative or zero sizes, min > target
 *  or target > max, duplicate/empty partition columns are DLK_INVALID_ARGUMENT naming the key. */
DLK_EXTERN int dlk_config_validate(const dlk_config *cfg);

/** Load a TOML file over cfg (initialised by the caller, usually with dlk_config_init), then
 *  apply the environment overrides and validate. Errors: DLK_IO / DLK_NOT_FOUND for the file,
 *  DLK_PARSE with file:line for syntax, unknown keys and wrong value types,
 *  DLK_INVALID_ARGUMENT from validation. On error cfg keeps what was loaded so far;
 *  free it as usual. */
DLK_EXTERN int dlk_config_load_toml(const char *path, dlk_config *cfg);
/** The same from TOML text in memory (name is used in messages). */
DLK_EXTERN int dlk_config_load_toml_string(const char *text, size_t len, const char *name, dlk_config *cfg);
/** Apply the DELTALAKE_* environment overrides (see the top of this header). */
DLK_EXTERN int dlk_config_apply_env(dlk_config *cfg);

/** "SNAPPY", "GZIP", "ZSTD", "LZ4", "NONE". */
DLK_EXTERN const char *dlk_compression_name(dlk_compression c);
/** Case-insensitive parse of the names above (also "UNCOMPRESSED"); DLK_INVALID_ARGUMENT otherwise. */
DLK_EXTERN int dlk_compression_from_name(const char *name, dlk_compression *out);

#ifdef __cplusplus
}
#endif
#endif

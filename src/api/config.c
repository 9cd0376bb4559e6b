/* api/config.c - dlk_config defaults, validation, TOML loading and
 * environment overrides (see include/deltalake/config.h, docs/config.md). */
#include "deltalake/config.h"
#include "api/toml.h"
#include "deltalake/sys/storage.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/path.h"
#include "util/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024LL * 1024LL)

void dlk_config_init(dlk_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->version = DLK_CONFIG_VERSION;
    cfg->partition_strategy = DLK_PARTITION_BY_VALUE;
    cfg->hash_buckets = 16;
    cfg->checkpoint_interval = 100;
    cfg->retention_hours = 168;
    cfg->compression = DLK_COMPRESSION_SNAPPY;
    cfg->batch_size = 10000;
    cfg->upsert_enabled = cfg->delete_enabled = true;
    cfg->bulk_insert_enabled = cfg->streaming_enabled = true;
    cfg->strict_mode = true;
    cfg->allow_nullable = true;
    cfg->file_size_target = 128 * MIB;
    cfg->file_size_max = 256 * MIB;
    cfg->file_size_min = 16 * MIB;
    cfg->optimize_min_files = 8;
    cfg->vacuum_interval = 10;
}

static void free_columns(dlk_config *cfg)
{
    for (size_t i = 0; i < cfg->n_partition_columns; i++)
        dlk_free(cfg->partition_columns[i]);
    dlk_free(cfg->partition_columns);
    cfg->partition_columns = NULL;
    cfg->n_partition_columns = 0;
}

void dlk_config_free(dlk_config *cfg)
{
    if (!cfg) return;
    dlk_free(cfg->table_path);
    dlk_free(cfg->table_name);
    free_columns(cfg);
    dlk_config_init(cfg);
}

static int set_str(char **dst, const char *s)
{
    char *c = NULL;
    if (s && !(c = dlk_strdup(s))) return dlk_err_nomem();
    dlk_free(*dst);
    *dst = c;
    return DLK_OK;
}

int dlk_config_set_table_path(dlk_config *cfg, const char *path)
{
    return set_str(&cfg->table_path, path);
}
int dlk_config_set_table_name(dlk_config *cfg, const char *name)
{
    return set_str(&cfg->table_name, name);
}

int dlk_config_set_partition_columns(dlk_config *cfg, const char *const *cols, size_t n)
{
    char **list = n ? dlk_calloc(n, sizeof *list) : NULL;
    if (n && !list) return dlk_err_nomem();
    for (size_t i = 0; i < n; i++) {
        if (!(list[i] = dlk_strdup(cols[i] ? cols[i] : ""))) {
            for (size_t j = 0; j < i; j++)
                dlk_free(list[j]);
            dlk_free(list);
            return dlk_err_nomem();
        }
    }
    free_columns(cfg);
    cfg->partition_columns = list;
    cfg->n_partition_columns = n;
    return DLK_OK;
}

static const char *COMPRESSION_NAMES[] = {"SNAPPY", "GZIP", "ZSTD", "LZ4", "NONE"};

const char *dlk_compression_name(dlk_compression c)
{
    return (unsigned)c <= DLK_COMPRESSION_NONE ? COMPRESSION_NAMES[c] : "UNKNOWN";
}

int dlk_compression_from_name(const char *name, dlk_compression *out)
{
    for (int i = 0; i <= DLK_COMPRESSION_NONE; i++) {
        if (dlk_str_ieq(name, COMPRESSION_NAMES[i])) {
            *out = (dlk_compression)i;
            return DLK_OK;
        }
    }
    if (dlk_str_ieq(name, "UNCOMPRESSED")) {
        *out = DLK_COMPRESSION_NONE;
        return DLK_OK;
    }
    return dlk_err_set(DLK_INVALID_ARGUMENT,
                       "compression: unknown codec '%s' (SNAPPY, GZIP, ZSTD, LZ4 or NONE)", name);
}

int dlk_config_validate(const dlk_config *cfg)
{
#define BAD(...) return dlk_err_set(DLK_INVALID_ARGUMENT, __VA_ARGS__)
    if (cfg->version != DLK_CONFIG_VERSION)
        BAD("config version %u is not supported (expected %d; use dlk_config_init)", cfg->version,
            DLK_CONFIG_VERSION);
    if ((unsigned)cfg->compression > DLK_COMPRESSION_NONE)
        BAD("compression: unknown codec %d", (int)cfg->compression);
    if (cfg->compression_level < 0 || cfg->compression_level > 22)
        BAD("compression_level: %d is out of range 0..22", (int)cfg->compression_level);
    if ((unsigned)cfg->partition_strategy > DLK_PARTITION_BY_HASH)
        BAD("partition_strategy: unknown strategy %d", (int)cfg->partition_strategy);
    if (cfg->hash_buckets < 1 || cfg->hash_buckets > 65536)
        BAD("hash_buckets: %d is out of range 1..65536", (int)cfg->hash_buckets);
    if (cfg->partition_strategy == DLK_PARTITION_BY_HASH && cfg->n_partition_columns == 0)
        BAD("partition_strategy: 'hash' needs partition_columns");
    if (cfg->checkpoint_interval < 1)
        BAD("checkpoint_interval: must be at least 1, got %d", (int)cfg->checkpoint_interval);
    if (cfg->retention_hours < 0)
        BAD("retention_hours: must not be negative, got %lld", (long long)cfg->retention_hours);
    if (cfg->parallelism < 0 || cfg->parallelism > 1024)
        BAD("parallelism: %d is out of range 0..1024 (0 = number of CPUs)", (int)cfg->parallelism);
    if (cfg->batch_size < 1 || cfg->batch_size > 100000000)
        BAD("batch_size: %lld is out of range 1..100000000", (long long)cfg->batch_size);
    if (cfg->file_size_min <= 0)
        BAD("file_size_min: must be positive, got %lld", (long long)cfg->file_size_min);
    if (cfg->file_size_target <= 0)
        BAD("file_size_target: must be positive, got %lld", (long long)cfg->file_size_target);
    if (cfg->file_size_max <= 0)
        BAD("file_size_max: must be positive, got %lld", (long long)cfg->file_size_max);
    if (cfg->file_size_min > cfg->file_size_target)
        BAD("file_size_min (%lld) is larger than file_size_target (%lld)",
            (long long)cfg->file_size_min, (long long)cfg->file_size_target);
    if (cfg->file_size_target > cfg->file_size_max)
        BAD("file_size_target (%lld) is larger than file_size_max (%lld)",
            (long long)cfg->file_size_target, (long long)cfg->file_size_max);
    if (cfg->optimize_min_files < 1)
        BAD("optimize_min_files: must be at least 1, got %d", (int)cfg->optimize_min_files);
    if (cfg->vacuum_interval < 1)
        BAD("vacuum_interval: must be at least 1, got %d", (int)cfg->vacuum_interval);
    for (size_t i = 0; i < cfg->n_partition_columns; i++) {
        if (!cfg->partition_columns[i][0])
            BAD("partition_columns: column %zu has an empty name", i + 1);
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->partition_columns[i], cfg->partition_columns[j]) == 0)
                BAD("partition_columns: '%s' is listed twice", cfg->partition_columns[i]);
    }
    if (cfg->table_path && !cfg->table_path[0]) BAD("table_path: must not be empty");
    return DLK_OK;
#undef BAD
}

/* ---- TOML ---- */

typedef enum { K_STR, K_BOOL, K_I64, K_I32, K_STRLIST, K_COMPRESSION, K_STRATEGY } kind;

typedef struct {
    const char *key;
    kind kind;
    size_t offset;
} key_spec;

#define F(field) offsetof(dlk_config, field)
static const key_spec KEYS[] = {
    {"deltalake.optimize_enabled", K_BOOL, F(optimize_enabled)},
    {"deltalake.vacuum_enabled", K_BOOL, F(vacuum_enabled)},
    {"deltalake.retention_hours", K_I64, F(retention_hours)},
    {"deltalake.compression", K_COMPRESSION, F(compression)},
    {"deltalake.compression_level", K_I32, F(compression_level)},
    {"deltalake.parallelism", K_I32, F(parallelism)},
    {"deltalake.batch_size", K_I64, F(batch_size)},
    {"deltalake.optimize_min_files", K_I32, F(optimize_min_files)},
    {"deltalake.vacuum_interval", K_I32, F(vacuum_interval)},
    {"deltalake.table_path", K_STR, F(table_path)},
    {"deltalake.table_name", K_STR, F(table_name)},
    {"deltalake.partition_columns", K_STRLIST, 0},
    {"deltalake.table.path", K_STR, F(table_path)},
    {"deltalake.table.name", K_STR, F(table_name)},
    {"deltalake.table.partition_columns", K_STRLIST, 0},
    {"deltalake.table.partition_strategy", K_STRATEGY, F(partition_strategy)},
    {"deltalake.table.hash_buckets", K_I32, F(hash_buckets)},
    {"deltalake.table.checkpoint_interval", K_I32, F(checkpoint_interval)},
    {"deltalake.operations.upsert_enabled", K_BOOL, F(upsert_enabled)},
    {"deltalake.operations.delete_enabled", K_BOOL, F(delete_enabled)},
    {"deltalake.operations.bulk_insert_enabled", K_BOOL, F(bulk_insert_enabled)},
    {"deltalake.operations.streaming_enabled", K_BOOL, F(streaming_enabled)},
    {"deltalake.schema.auto_evolution", K_BOOL, F(auto_evolution)},
    {"deltalake.schema.strict_mode", K_BOOL, F(strict_mode)},
    {"deltalake.schema.allow_nullable", K_BOOL, F(allow_nullable)},
    {"deltalake.schema.merge_schema", K_BOOL, F(merge_schema)},
    {"deltalake.storage.file_size_target", K_I64, F(file_size_target)},
    {"deltalake.storage.file_size_max", K_I64, F(file_size_max)},
    {"deltalake.storage.file_size_min", K_I64, F(file_size_min)},
};
#undef F

static int type_error(const char *name, const dlk_toml_entry *e, const char *want)
{
    return dlk_err_set(DLK_PARSE, "%s:%d: key '%s' must be %s, not %s", name, e->line, e->key, want,
                       dlk_toml_type_name(e->value.type));
}

static int apply_entry(dlk_config *cfg, const char *name, const dlk_toml_entry *e)
{
    const key_spec *k = NULL;
    for (size_t i = 0; i < sizeof KEYS / sizeof *KEYS; i++)
        if (strcmp(KEYS[i].key, e->key) == 0) k = &KEYS[i];
    if (!k) return dlk_err_set(DLK_PARSE, "%s:%d: unknown key '%s'", name, e->line, e->key);
    char *base = (char *)cfg + k->offset;
    const dlk_toml_value *v = &e->value;
    int rc;
    switch (k->kind) {
    case K_STR:
        if (v->type != DLK_TOML_STRING) return type_error(name, e, "a string");
        return set_str((char **)base, v->str);
    case K_BOOL:
        if (v->type != DLK_TOML_BOOL) return type_error(name, e, "a boolean");
        *(bool *)base = v->b;
        return DLK_OK;
    case K_I64:
        if (v->type != DLK_TOML_INT) return type_error(name, e, "an integer");
        *(int64_t *)base = v->i;
        return DLK_OK;
    case K_I32:
        if (v->type != DLK_TOML_INT) return type_error(name, e, "an integer");
        if (v->i < INT32_MIN || v->i > INT32_MAX)
            return dlk_err_set(DLK_PARSE, "%s:%d: key '%s': %lld is out of range", name, e->line,
                               e->key, (long long)v->i);
        *(int32_t *)base = (int32_t)v->i;
        return DLK_OK;
    case K_STRLIST: {
        if (v->type != DLK_TOML_ARRAY) return type_error(name, e, "an array of strings");
        const char *cols[256];
        if (v->n_items > 256)
            return dlk_err_set(DLK_PARSE, "%s:%d: too many partition columns", name, e->line);
        for (size_t i = 0; i < v->n_items; i++) {
            if (v->items[i].type != DLK_TOML_STRING)
                return type_error(name, e, "an array of strings");
            cols[i] = v->items[i].str;
        }
        return dlk_config_set_partition_columns(cfg, cols, v->n_items);
    }
    case K_COMPRESSION:
        if (v->type != DLK_TOML_STRING) return type_error(name, e, "a string");
        if ((rc = dlk_compression_from_name(v->str, (dlk_compression *)base)))
            return dlk_err_context(rc, "%s:%d", name, e->line);
        return DLK_OK;
    case K_STRATEGY:
        if (v->type != DLK_TOML_STRING) return type_error(name, e, "a string");
        if (dlk_str_ieq(v->str, "value"))
            *(dlk_partition_strategy *)base = DLK_PARTITION_BY_VALUE;
        else if (dlk_str_ieq(v->str, "hash"))
            *(dlk_partition_strategy *)base = DLK_PARTITION_BY_HASH;
        else
            return dlk_err_set(DLK_PARSE,
                               "%s:%d: partition_strategy must be 'value' or 'hash', not '%s'",
                               name, e->line, v->str);
        return DLK_OK;
    }
    return DLK_ERROR;
}

int dlk_config_apply_env(dlk_config *cfg)
{
    const char *v;
    int rc;
    if ((v = getenv("DELTALAKE_TABLE_PATH")) && *v && (rc = set_str(&cfg->table_path, v)))
        return rc;
    if ((v = getenv("DELTALAKE_TABLE_NAME")) && *v && (rc = set_str(&cfg->table_name, v)))
        return rc;
    if ((v = getenv("DELTALAKE_COMPRESSION")) && *v &&
        (rc = dlk_compression_from_name(v, &cfg->compression)))
        return dlk_err_context(rc, "DELTALAKE_COMPRESSION");
    int64_t n;
    if ((v = getenv("DELTALAKE_BATCH_SIZE")) && *v) {
        if ((rc = dlk_parse_i64(v, &n))) return dlk_err_context(rc, "DELTALAKE_BATCH_SIZE");
        cfg->batch_size = n;
    }
    if ((v = getenv("DELTALAKE_RETENTION_HOURS")) && *v) {
        if ((rc = dlk_parse_i64(v, &n))) return dlk_err_context(rc, "DELTALAKE_RETENTION_HOURS");
        cfg->retention_hours = n;
    }
    if ((v = getenv("DELTALAKE_PARALLELISM")) && *v) {
        if ((rc = dlk_parse_i64(v, &n)) || n < 0 || n > 1024)
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "DELTALAKE_PARALLELISM: '%s' is not in 0..1024", v);
        cfg->parallelism = (int32_t)n;
    }
    return DLK_OK;
}

int dlk_config_load_toml_string(const char *text, size_t len, const char *name, dlk_config *cfg)
{
    dlk_toml_doc doc = {0};
    int rc = dlk_toml_parse(text, len, name, &doc);
    for (size_t i = 0; !rc && i < doc.n_entries; i++)
        rc = apply_entry(cfg, name, &doc.entries[i]);
    dlk_toml_free(&doc);
    if (!rc) rc = dlk_config_apply_env(cfg);
    if (!rc && !cfg->table_name && cfg->table_path) {
        char *p = dlk_strdup(cfg->table_path);
        if (!p) return dlk_err_nomem();
        size_t l = strlen(p);
        while (l > 1 && p[l - 1] == '/')
            p[--l] = 0;
        rc = set_str(&cfg->table_name, dlk_path_basename(p));
        dlk_free(p);
    }
    if (!rc && (rc = dlk_config_validate(cfg))) rc = dlk_err_context(rc, "%s", name);
    return rc;
}

int dlk_config_load_toml(const char *path, dlk_config *cfg)
{
    uint8_t *text = NULL;
    size_t len = 0;
    int rc = dlk_storage_read_local_file(path, (size_t)16 << 20, &text, &len);
    if (rc == DLK_INVALID_ARGUMENT && path && *path) /* too large */
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "%s: configuration file larger than 16 MiB", path);
    if (!rc) rc = dlk_config_load_toml_string((const char *)text, len, path, cfg);
    dlk_storage_bytes_free(text);
    return rc;
}

/* log/actions_build.c - builders of the actions writers commit: metaData
 * for a new table or derived from the table's (schema, partition columns,
 * configuration changes), key/value lists. Strings live in an arena. */
#include "log/actions.h"
#include "util/error.h"
#include "util/misc.h"
#include "util/time.h"
#include <string.h>

int dlk_log_kvs_set(dlk_arena *a, dlk_kvs *kv, const char *key, const char *value)
{
    for (size_t i = 0; i < kv->n; i++) {
        if (strcmp(kv->items[i].key, key)) continue;
        kv->items[i].value = value ? dlk_arena_strdup(a, value) : NULL;
        return value && !kv->items[i].value ? dlk_err_nomem() : DLK_OK;
    }
    dlk_kv *items = dlk_arena_alloc(a, (kv->n + 1) * sizeof *items);
    if (!items) return dlk_err_nomem();
    if (kv->n) memcpy(items, kv->items, kv->n * sizeof *items);
    items[kv->n].key = dlk_arena_strdup(a, key);
    items[kv->n].value = value ? dlk_arena_strdup(a, value) : NULL;
    if (!items[kv->n].key || (value && !items[kv->n].value)) return dlk_err_nomem();
    kv->items = items;
    kv->n++;
    return DLK_OK;
}

int dlk_log_kvs_unset(dlk_kvs *kv, const char *key)
{
    for (size_t i = 0; i < kv->n; i++) {
        if (strcmp(kv->items[i].key, key)) continue;
        memmove(kv->items + i, kv->items + i + 1, (kv->n - i - 1) * sizeof *kv->items);
        kv->n--;
        return DLK_OK;
    }
    return DLK_OK;
}

static int copy_kvs(dlk_arena *a, const dlk_kvs *src, dlk_kvs *dst)
{
    dst->n = 0;
    dst->items = NULL;
    if (!src || !src->n) return DLK_OK;
    dst->items = dlk_arena_alloc(a, src->n * sizeof *dst->items);
    if (!dst->items) return dlk_err_nomem();
    memcpy(dst->items, src->items, src->n * sizeof *dst->items);
    dst->n = src->n;
    return DLK_OK;
}

static int set_partitions(dlk_arena *a, const char *const *cols, size_t n, dlk_metadata_action *m)
{
    m->partition_columns = dlk_arena_alloc(a, (n ? n : 1) * sizeof(char *));
    if (!m->partition_columns) return dlk_err_nomem();
    for (size_t i = 0; i < n; i++)
        if (!(m->partition_columns[i] = dlk_arena_strdup(a, cols[i]))) return dlk_err_nomem();
    m->n_partition_columns = n;
    return DLK_OK;
}

int dlk_log_metadata_new(dlk_arena *a, const char *schema_string, const char *const *part,
                         size_t n_part, const dlk_kvs *conf, const char *name,
                         const char *description, dlk_metadata_action *out)
{
    memset(out, 0, sizeof *out);
    char uuid[37];
    dlk_uuid_string(uuid);
    out->id = dlk_arena_strdup(a, uuid);
    out->name = name ? dlk_arena_strdup(a, name) : NULL;
    out->description = description ? dlk_arena_strdup(a, description) : NULL;
    out->format_provider = "parquet";
    out->schema_string = dlk_arena_strdup(a, schema_string);
    out->created_time = dlk_now_micros() / 1000;
    out->has_created_time = true;
    if (!out->id || !out->schema_string || (name && !out->name) ||
        (description && !out->description))
        return dlk_err_nomem();
    int rc = set_partitions(a, part, n_part, out);
    if (!rc) rc = copy_kvs(a, conf, &out->configuration);
    return rc;
}

int dlk_log_metadata_derive(dlk_arena *a, const dlk_metadata_action *old, const char *schema_string,
                            const char *const *part, size_t n_part, dlk_metadata_action *out)
{
    *out = *old; /* id, name, description, format, createdTime kept */
    int rc = copy_kvs(a, &old->configuration, &out->configuration);
    if (!rc && schema_string && !(out->schema_string = dlk_arena_strdup(a, schema_string)))
        rc = dlk_err_nomem();
    if (!rc && part) rc = set_partitions(a, part, n_part, out);
    return rc;
}

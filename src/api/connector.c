/*
 * api/connector.c - the connector (include/deltalake/connector.h): a copy
 * of the configuration, table naming under a root, get-or-create / get /
 * list / delete tables, table handles and their metadata.
 */
#define _POSIX_C_SOURCE 200809L
#include "api/connector_int.h"
#include "arrow/arrow.h"
#include "core/txn.h"
#include "deltalake/write.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/path.h"
#include "util/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double dlk_api__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- connector ---- */

static int config_copy(const dlk_config *src, dlk_config *dst)
{
    dlk_config_init(dst);
    *dst = *src;
    dst->table_path = dst->table_name = NULL;
    dst->partition_columns = NULL;
    dst->n_partition_columns = 0;
    int rc = dlk_config_set_table_path(dst, src->table_path);
    if (!rc) rc = dlk_config_set_table_name(dst, src->table_name);
    if (!rc)
        rc = dlk_config_set_partition_columns(dst, (const char *const *)src->partition_columns,
                                              src->n_partition_columns);
    return rc;
}

int dlk_connector_new(const dlk_config *cfg, dlk_connector **out)
{
    if (!out) return dlk_err_set(DLK_INVALID_ARGUMENT, "connector: out is NULL");
    *out = NULL;
    if (!cfg) return dlk_err_set(DLK_INVALID_ARGUMENT, "connector: config is NULL");
    int rc = dlk_config_validate(cfg);
    if (rc) return dlk_err_context(rc, "connector");
    dlk_connector *c = dlk_calloc(1, sizeof *c);
    if (!c) return dlk_err_nomem();
    rc = config_copy(cfg, &c->cfg);
    if (!rc) {
        /* root: the parent folder of table_path ("." without one) */
        const char *tp = c->cfg.table_path;
        if (!tp) {
            c->root = dlk_strdup(".");
        } else {
            size_t l = strlen(tp);
            while (l > 1 && tp[l - 1] == '/')
                l--;
            size_t k = l;
            while (k > 0 && tp[k - 1] != '/')
                k--;
            if (k == 0)
                c->root = dlk_strdup(".");
            else
                c->root = dlk_strndup(tp, k > 1 ? k - 1 : 1);
        }
        if (!c->root) rc = dlk_err_nomem();
    }
    if (rc) {
        dlk_connector_free(&c);
        return rc;
    }
    *out = c;
    return DLK_OK;
}

void dlk_connector_free(dlk_connector **c)
{
    if (!c || !*c) return;
    dlk_config_free(&(*c)->cfg);
    dlk_free((*c)->root);
    dlk_free(*c);
    *c = NULL;
}

const dlk_config *dlk_connector_config(const dlk_connector *c)
{
    return c ? &c->cfg : NULL;
}
const char *dlk_connector_root(const dlk_connector *c)
{
    return c ? c->root : NULL;
}

/* Location and display name of a table name (see "Naming" in connector.h). */
static int resolve(const dlk_connector *c, const char *name, char **loc, char **disp)
{
    *loc = *disp = NULL;
    if (!name) {
        if (!c->cfg.table_path)
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "connector: no table name given and no table_path configured");
        *loc = dlk_strdup(c->cfg.table_path);
        if (c->cfg.table_name) {
            *disp = dlk_strdup(c->cfg.table_name);
        } else {
            char *p = dlk_strdup(c->cfg.table_path);
            if (p) {
                size_t l = strlen(p);
                while (l > 1 && p[l - 1] == '/')
                    p[--l] = 0;
                *disp = dlk_strdup(dlk_path_basename(p));
            }
            dlk_free(p);
        }
    } else {
        if (!name[0]) return dlk_err_set(DLK_INVALID_ARGUMENT, "connector: empty table name");
        if (strchr(name, '/')) {
            *loc = dlk_strdup(name);
            char *p = dlk_strdup(name);
            if (p) {
                size_t l = strlen(p);
                while (l > 1 && p[l - 1] == '/')
                    p[--l] = 0;
                *disp = dlk_strdup(dlk_path_basename(p));
            }
            dlk_free(p);
        } else {
            if (!strcmp(name, ".") || !strcmp(name, ".."))
                return dlk_err_set(DLK_INVALID_ARGUMENT,
                                   "connector: '%s' is not a valid table name", name);
            dlk_buf b = {0};
            if (dlk_buf_printf(&b, "%s/%s", c->root, name)) {
                dlk_buf_free(&b);
                return dlk_err_nomem();
            }
            *loc = dlk_strdup(dlk_buf_cstr(&b));
            dlk_buf_free(&b);
            *disp = dlk_strdup(name);
        }
    }
    if (!*loc || !*disp) {
        dlk_free(*loc);
        dlk_free(*disp);
        *loc = *disp = NULL;
        return dlk_err_nomem();
    }
    return DLK_OK;
}

static int handle_new(dlk_connector *c, char *loc, char *disp, dlk_table_handle **out)
{
    dlk_table_handle *t = dlk_calloc(1, sizeof *t);
    if (!t) {
        dlk_free(loc);
        dlk_free(disp);
        return dlk_err_nomem();
    }
    t->c = c;
    t->location = loc;
    t->name = disp;
    *out = t;
    return DLK_OK;
}

static int table_version(const char *loc, int64_t *v)
{
    if (dlk_path_is_uri(loc) && strncmp(loc, "file://", 7))
        return dlk_err_set(DLK_UNSUPPORTED, "%s: only local tables are supported by the connector",
                           loc);
    return dlk_core__log_latest(!strncmp(loc, "file://", 7) ? loc + 7 : loc, v);
}

int dlk_connector_get_table(dlk_connector *c, const char *name, dlk_table_handle **out)
{
    if (!c || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "get_table: NULL argument");
    *out = NULL;
    char *loc, *disp;
    int rc = resolve(c, name, &loc, &disp);
    if (rc) return rc;
    int64_t v = -1;
    if ((rc = table_version(loc, &v)) || v < 0) {
        if (!rc) rc = dlk_err_set(DLK_NOT_FOUND, "%s: no Delta table there", loc);
        dlk_free(loc);
        dlk_free(disp);
        return rc;
    }
    return handle_new(c, loc, disp, out);
}

int dlk_connector_get_or_create_table(dlk_connector *c, const char *name,
                                      const struct ArrowSchema *schema, dlk_table_handle **out)
{
    if (!c || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "get_or_create_table: NULL argument");
    *out = NULL;
    char *loc, *disp;
    int rc = resolve(c, name, &loc, &disp);
    if (rc) return rc;
    int64_t v = -1;
    if ((rc = table_version(loc, &v))) goto fail;
    if (v < 0) {
        if (!schema) {
            rc = dlk_err_set(DLK_NOT_FOUND, "%s: no Delta table there and no schema to create one",
                             loc);
            goto fail;
        }
        const dlk_config *cfg = &c->cfg;
        size_t np = cfg->n_partition_columns;
        char **pcols = np ? dlk_calloc(np, sizeof *pcols) : NULL;
        if (np && !pcols) {
            rc = dlk_err_nomem();
            goto fail;
        }
        for (size_t i = 0; i < np && !rc; i++) {
            dlk_buf b = {0};
            if (cfg->partition_strategy == DLK_PARTITION_BY_HASH)
                rc = dlk_buf_printf(&b, "bucket(%d, %s)", (int)cfg->hash_buckets,
                                    cfg->partition_columns[i]);
            else
                rc = dlk_buf_puts(&b, cfg->partition_columns[i]);
            if (!rc && !(pcols[i] = dlk_strdup(dlk_buf_cstr(&b)))) rc = dlk_err_nomem();
            dlk_buf_free(&b);
        }
        char ci[32], ret[64];
        snprintf(ci, sizeof ci, "%d", (int)cfg->checkpoint_interval);
        snprintf(ret, sizeof ret, "interval %lld hours", (long long)cfg->retention_hours);
        const char *keys[] = {"delta.checkpointInterval", "delta.deletedFileRetentionDuration"};
        const char *vals[] = {ci, ret};
        dlk_create_options o = DLK_CREATE_OPTIONS_INIT;
        o.partition_cols = (const char *const *)pcols;
        o.n_partition_cols = np;
        o.prop_keys = keys;
        o.prop_values = vals;
        o.n_props = 2;
        o.name = disp;
        o.reuse = true; /* a concurrent creator winning is fine */
        if (!rc) rc = dlk_table_create(loc, schema, &o, NULL);
        for (size_t i = 0; i < np; i++)
            dlk_free(pcols ? pcols[i] : NULL);
        dlk_free(pcols);
        if (rc) goto fail;
        DLK_INFO("connector", "created table %s at %s", disp, loc);
    }
    return handle_new(c, loc, disp, out);
fail:
    dlk_free(loc);
    dlk_free(disp);
    return rc;
}

/* ---- list ---- */

/* Is rest (the part of a key after "_delta_log/") a commit or checkpoint file? */
static bool is_log_file(const char *rest)
{
    size_t i = 0;
    while (rest[i] >= '0' && rest[i] <= '9')
        i++;
    if (i != 20) return false;
    return !strcmp(rest + 20, ".json") || dlk_str_starts_with(rest + 20, ".checkpoint");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int dlk_connector_list_tables(dlk_connector *c, const char *root, char ***names, size_t *n)
{
    if (!c || !names || !n) return dlk_err_set(DLK_INVALID_ARGUMENT, "list_tables: NULL argument");
    *names = NULL;
    *n = 0;
    if (!root) root = c->root;
    dlk_storage *s = NULL;
    int rc = dlk_storage_open(root, &s);
    if (rc) return rc;
    dlk_storage_list l = {0};
    rc = dlk_storage_list_prefix(s, "", NULL, &l);
    char **out = NULL;
    size_t cnt = 0, cap = 0;
    for (size_t i = 0; i < l.count && !rc; i++) {
        const char *k = l.entries[i].key, *at;
        size_t plen;
        if (!strncmp(k, "_delta_log/", 11)) {
            at = k + 11;
            plen = 0;
        } else if ((at = strstr(k, "/_delta_log/"))) {
            plen = (size_t)(at - k);
            at += 12;
        } else {
            continue;
        }
        if (strchr(at, '/') || !is_log_file(at)) continue;
        if (plen && memmem(k, plen, "_delta_log", 10)) continue; /* inside another log */
        char *name = plen ? dlk_strndup(k, plen) : dlk_strdup(".");
        if (!name) {
            rc = dlk_err_nomem();
            break;
        }
        bool dup = false;
        for (size_t j = 0; j < cnt && !dup; j++)
            dup = !strcmp(out[j], name);
        if (dup) {
            dlk_free(name);
            continue;
        }
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 8;
            char **t = dlk_realloc(out, nc * sizeof *t);
            if (!t) {
                dlk_free(name);
                rc = dlk_err_nomem();
                break;
            }
            out = t;
            cap = nc;
        }
        out[cnt++] = name;
    }
    dlk_storage_list_free(&l);
    dlk_storage_free(&s);
    if (rc) {
        dlk_string_list_free(out, cnt);
        return rc;
    }
    if (cnt) qsort(out, cnt, sizeof *out, cmp_str);
    *names = out;
    *n = cnt;
    return DLK_OK;
}

/* ---- delete ---- */

int dlk_connector_delete_table(dlk_connector *c, const char *name)
{
    if (!c) return dlk_err_set(DLK_INVALID_ARGUMENT, "delete_table: NULL connector");
    char *loc, *disp;
    int rc = resolve(c, name, &loc, &disp);
    if (rc) return rc;
    int64_t v = -1;
    dlk_storage *s = NULL;
    dlk_storage_list l = {0};
    if ((rc = table_version(loc, &v))) goto out;
    if (v < 0) {
        rc = dlk_err_set(DLK_NOT_FOUND,
                         "%s: not a Delta table (no _delta_log commit); nothing deleted", loc);
        goto out;
    }
    if ((rc = dlk_storage_open(loc, &s)) || (rc = dlk_storage_list_prefix(s, "", NULL, &l)))
        goto out;
    /* data files first, the log last: an interrupted delete leaves either a
     * readable table or no log at all; each folder emptied goes too (local
     * storage), the table folder last */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        for (size_t i = 0; i < l.count && !rc; i++) {
            const char *k = l.entries[i].key;
            bool is_log = !strncmp(k, "_delta_log/", 11);
            if (is_log != (pass == 1)) continue;
            rc = dlk_storage_delete(s, k);
            if (rc == DLK_NOT_FOUND) {
                dlk_error_clear();
                rc = DLK_OK;
            }
            if (!rc && strchr(k, '/') && dlk_storage_prune_dirs(s, k, 0)) {
                DLK_WARN("connector", "%s", dlk_error_last()->message);
                dlk_error_clear();
            }
        }
    }
    if (rc) goto out;
    if (dlk_storage_prune_dirs(s, "", 1)) {
        DLK_WARN("connector", "%s (left in place)", dlk_error_last()->message);
        dlk_error_clear();
    }
    DLK_INFO("connector", "deleted table %s (%zu files)", loc, l.count);
out:
    dlk_storage_list_free(&l);
    dlk_storage_free(&s);
    dlk_free(loc);
    dlk_free(disp);
    return rc;
}

/* ---- handle ---- */

void dlk_table_handle_free(dlk_table_handle **t)
{
    if (!t || !*t) return;
    dlk_free((*t)->location);
    dlk_free((*t)->name);
    dlk_free(*t);
    *t = NULL;
}

const char *dlk_table_handle_location(const dlk_table_handle *t)
{
    return t ? t->location : NULL;
}
const char *dlk_table_handle_name(const dlk_table_handle *t)
{
    return t ? t->name : NULL;
}

int dlk_table_handle_snapshot(dlk_table_handle *t, int64_t version, dlk_snapshot **out)
{
    if (!t || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "snapshot: NULL argument");
    *out = NULL;
    dlk_table *tb = NULL;
    int rc = dlk_table_open(t->location, &tb);
    if (!rc) rc = dlk_table_snapshot(tb, version, out);
    dlk_table_free(&tb);
    return rc;
}

/* ---- metadata ---- */

static char **strv_copy(size_t n, const char *(*get)(const void *, size_t), const void *ctx,
                        int *rc)
{
    char **v = dlk_calloc(n ? n : 1, sizeof *v);
    if (!v) {
        *rc = dlk_err_nomem();
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = get(ctx, i);
        if (s && !(v[i] = dlk_strdup(s))) *rc = dlk_err_nomem();
    }
    return v;
}

static const char *get_pcol(const void *s, size_t i)
{
    return dlk_snapshot_partition_column(s, i);
}
static const char *get_pkey(const void *s, size_t i)
{
    const char *k, *v;
    dlk_snapshot_property(s, i, &k, &v);
    return k;
}
static const char *get_pval(const void *s, size_t i)
{
    const char *k, *v;
    dlk_snapshot_property(s, i, &k, &v);
    return v;
}
static const char *get_feat(const void *f, size_t i)
{
    return ((const char *const *)f)[i];
}

static char *dup_or_null(const char *s, int *rc)
{
    if (!s) return NULL;
    char *d = dlk_strdup(s);
    if (!d) *rc = dlk_err_nomem();
    return d;
}

int dlk_table_handle_metadata(dlk_table_handle *t, int64_t version, dlk_table_metadata *out)
{
    if (!t || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "metadata: NULL argument");
    memset(out, 0, sizeof *out);
    dlk_snapshot *s = NULL;
    int rc = dlk_table_handle_snapshot(t, version, &s);
    if (rc) return rc;
    out->version = dlk_snapshot_version(s);
    out->timestamp_ms = dlk_snapshot_timestamp(s);
    out->created_time = dlk_snapshot_created_time(s);
    out->id = dup_or_null(dlk_snapshot_table_id(s), &rc);
    out->name = dup_or_null(dlk_snapshot_table_name(s), &rc);
    out->description = dup_or_null(dlk_snapshot_description(s), &rc);
    out->schema_json = dup_or_null(dlk_snapshot_schema_string(s), &rc);
    out->column_mapping_mode = dup_or_null(dlk_snapshot_column_mapping_mode(s), &rc);
    if (!rc) rc = dlk_arrow_schema_copy(dlk_snapshot_schema(s), &out->schema);
    out->n_partition_columns = dlk_snapshot_partition_column_count(s);
    if (!rc) out->partition_columns = strv_copy(out->n_partition_columns, get_pcol, s, &rc);
    out->n_properties = dlk_snapshot_property_count(s);
    if (!rc) out->property_keys = strv_copy(out->n_properties, get_pkey, s, &rc);
    if (!rc) out->property_values = strv_copy(out->n_properties, get_pval, s, &rc);
    dlk_snapshot_protocol(s, &out->min_reader_version, &out->min_writer_version);
    const char *const *f = NULL;
    size_t nf = dlk_snapshot_reader_features(s, &f);
    if (!rc && f) {
        out->reader_features = strv_copy(nf, get_feat, f, &rc);
        out->n_reader_features = nf;
    }
    f = NULL;
    nf = dlk_snapshot_writer_features(s, &f);
    if (!rc && f) {
        out->writer_features = strv_copy(nf, get_feat, f, &rc);
        out->n_writer_features = nf;
    }
    out->num_files = (int64_t)dlk_snapshot_file_count(s);
    for (size_t i = 0; i < dlk_snapshot_file_count(s); i++)
        out->size_bytes += dlk_snapshot_file(s, i)->size;
    dlk_snapshot_free(&s);
    if (rc) dlk_table_metadata_clear(out);
    return rc;
}

void dlk_table_metadata_clear(dlk_table_metadata *m)
{
    if (!m) return;
    dlk_free(m->id);
    dlk_free(m->name);
    dlk_free(m->description);
    dlk_free(m->schema_json);
    dlk_free(m->column_mapping_mode);
    dlk_arrow_schema_release(&m->schema);
    dlk_string_list_free(m->partition_columns, m->n_partition_columns);
    dlk_string_list_free(m->property_keys, m->n_properties);
    dlk_string_list_free(m->property_values, m->n_properties);
    dlk_string_list_free(m->reader_features, m->n_reader_features);
    dlk_string_list_free(m->writer_features, m->n_writer_features);
    memset(m, 0, sizeof *m);
}

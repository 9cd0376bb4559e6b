/*
 * log/actions.c - Delta actions: structs -> JSON lines, and helpers on
 * them (parsing is in actions_parse.c). Field names and types as in
 * the Delta protocol "Actions".
 */
#include "log/actions.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include <string.h>

const char *dlk_kvs_get(const dlk_kvs *kvs, const char *key, bool *found)
{
    for (size_t i = 0; i < kvs->n; i++) {
        if (strcmp(kvs->items[i].key, key) == 0) {
            if (found) *found = true;
            return kvs->items[i].value;
        }
    }
    if (found) *found = false;
    return NULL;
}

int dlk_dv_unique_id(const dlk_dv *dv, dlk_buf *b)
{
    int rc = dlk_buf_putc(b, dv->storage_type);
    if (!rc) rc = dlk_buf_puts(b, dv->path_or_inline ? dv->path_or_inline : "");
    if (!rc && dv->has_offset) rc = dlk_buf_printf(b, "@%lld", (long long)dv->offset);
    return rc;
}

static const char *const kind_names[] = {"unknown", "protocol", "metaData",          "add",
                                         "remove",  "txn",      "domainMetadata",    "commitInfo",
                                         "cdc",     "sidecar",  "checkpointMetadata"};

const char *dlk_action_kind_name(dlk_action_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "unknown";
}

int dlk_log_path_decode(const char *path, dlk_arena *a, const char **out)
{
    char *dec = NULL;
    const char *p = path;
    if (dlk_str_starts_with(p, "file://"))
        p += 7;
    else if (dlk_str_starts_with(p, "file:"))
        p += 5;
    else if (!strchr(p, '%')) {
        *out = path; /* nothing to decode: the stored path (same lifetime) */
        return DLK_OK;
    }
    int rc = dlk_url_decode(p, strlen(p), &dec);
    if (rc) return rc;
    *out = dlk_arena_strdup(a, dec);
    dlk_free(dec);
    return *out ? DLK_OK : dlk_err_nomem();
}

/* ---- serialisation ---- */

typedef struct {
    dlk_buf *b;
    int rc;
    bool first;
} wctx;

static void w_key(wctx *w, const char *k)
{
    if (w->rc) return;
    if (!w->first) w->rc = dlk_buf_putc(w->b, ',');
    w->first = false;
    if (!w->rc) w->rc = dlk_buf_json_str(w->b, k, strlen(k));
    if (!w->rc) w->rc = dlk_buf_putc(w->b, ':');
}
static void w_raw(wctx *w, const char *s)
{
    if (!w->rc) w->rc = dlk_buf_puts(w->b, s);
}
static void w_str(wctx *w, const char *k, const char *v)
{
    if (!v) return;
    w_key(w, k);
    if (!w->rc) w->rc = dlk_buf_json_str(w->b, v, strlen(v));
}
static void w_i64(wctx *w, const char *k, int64_t v)
{
    w_key(w, k);
    if (!w->rc) w->rc = dlk_buf_printf(w->b, "%lld", (long long)v);
}
static void w_bool(wctx *w, const char *k, bool v)
{
    w_key(w, k);
    w_raw(w, v ? "true" : "false");
}
static void w_open(wctx *w, const char *k)
{
    w_key(w, k);
    w_raw(w, "{");
    w->first = true;
}
static void w_close(wctx *w)
{
    w_raw(w, "}");
    w->first = false;
}
static void w_kvs(wctx *w, const char *k, const dlk_kvs *kv)
{
    w_open(w, k);
    for (size_t i = 0; i < kv->n; i++) {
        w_key(w, kv->items[i].key);
        if (w->rc) return;
        if (kv->items[i].value)
            w->rc = dlk_buf_json_str(w->b, kv->items[i].value, strlen(kv->items[i].value));
        else
            w_raw(w, "null");
    }
    w_close(w);
}
static void w_strs(wctx *w, const char *k, const char **v, size_t n)
{
    w_key(w, k);
    w_raw(w, "[");
    for (size_t i = 0; i < n && !w->rc; i++) {
        if (i) w_raw(w, ",");
        if (!w->rc) w->rc = dlk_buf_json_str(w->b, v[i], strlen(v[i]));
    }
    w_raw(w, "]");
}
static void w_dv(wctx *w, const dlk_dv *dv)
{
    if (!dv) return;
    char st[2] = {dv->storage_type, 0};
    w_open(w, "deletionVector");
    w_str(w, "storageType", st);
    w_str(w, "pathOrInlineDv", dv->path_or_inline ? dv->path_or_inline : "");
    if (dv->has_offset) w_i64(w, "offset", dv->offset);
    w_i64(w, "sizeInBytes", dv->size_in_bytes);
    w_i64(w, "cardinality", dv->cardinality);
    if (dv->has_max_row_index) w_i64(w, "maxRowIndex", dv->max_row_index);
    w_close(w);
}

int dlk_log_action_to_json(const dlk_action *act, dlk_buf *out)
{
    wctx w = {out, DLK_OK, true};
    w_raw(&w, "{");
    switch (act->kind) {
    case DLK_ACTION_PROTOCOL: {
        const dlk_protocol_action *p = &act->u.protocol;
        w_open(&w, "protocol");
        w_i64(&w, "minReaderVersion", p->min_reader_version);
        w_i64(&w, "minWriterVersion", p->min_writer_version);
        if (p->reader_features)
            w_strs(&w, "readerFeatures", p->reader_features, p->n_reader_features);
        if (p->writer_features)
            w_strs(&w, "writerFeatures", p->writer_features, p->n_writer_features);
        w_close(&w);
        break;
    }
    case DLK_ACTION_METADATA: {
        const dlk_metadata_action *m = &act->u.metadata;
        w_open(&w, "metaData");
        w_str(&w, "id", m->id);
        w_str(&w, "name", m->name);
        w_str(&w, "description", m->description);
        w_open(&w, "format");
        w_str(&w, "provider", m->format_provider ? m->format_provider : "parquet");
        w_kvs(&w, "options", &m->format_options);
        w_close(&w);
        w_str(&w, "schemaString", m->schema_string ? m->schema_string : "");
        w_strs(&w, "partitionColumns", m->partition_columns, m->n_partition_columns);
        w_kvs(&w, "configuration", &m->configuration);
        if (m->has_created_time) w_i64(&w, "createdTime", m->created_time);
        w_close(&w);
        break;
    }
    case DLK_ACTION_ADD: {
        const dlk_add_action *a = &act->u.add;
        w_open(&w, "add");
        w_str(&w, "path", a->path ? a->path : "");
        w_kvs(&w, "partitionValues", &a->partition_values);
        w_i64(&w, "size", a->size);
        w_i64(&w, "modificationTime", a->modification_time);
        w_bool(&w, "dataChange", a->data_change);
        w_str(&w, "stats", a->stats);
        if (a->tags.n) w_kvs(&w, "tags", &a->tags);
        w_dv(&w, a->dv);
        if (a->has_base_row_id) w_i64(&w, "baseRowId", a->base_row_id);
        if (a->has_default_row_commit_version)
            w_i64(&w, "defaultRowCommitVersion", a->default_row_commit_version);
        w_str(&w, "clusteringProvider", a->clustering_provider);
        w_close(&w);
        break;
    }
    case DLK_ACTION_REMOVE: {
        const dlk_remove_action *r = &act->u.remove;
        w_open(&w, "remove");
        w_str(&w, "path", r->path ? r->path : "");
        if (r->has_deletion_timestamp) w_i64(&w, "deletionTimestamp", r->deletion_timestamp);
        w_bool(&w, "dataChange", r->data_change);
        if (r->has_extended_file_metadata)
            w_bool(&w, "extendedFileMetadata", r->extended_file_metadata);
        if (r->has_partition_values) w_kvs(&w, "partitionValues", &r->partition_values);
        if (r->has_size) w_i64(&w, "size", r->size);
        w_str(&w, "stats", r->stats);
        if (r->tags.n) w_kvs(&w, "tags", &r->tags);
        w_dv(&w, r->dv);
        if (r->has_base_row_id) w_i64(&w, "baseRowId", r->base_row_id);
        if (r->has_default_row_commit_version)
            w_i64(&w, "defaultRowCommitVersion", r->default_row_commit_version);
        w_close(&w);
        break;
    }
    case DLK_ACTION_TXN: {
        const dlk_txn_action *t = &act->u.txn;
        w_open(&w, "txn");
        w_str(&w, "appId", t->app_id ? t->app_id : "");
        w_i64(&w, "version", t->version);
        if (t->has_last_updated) w_i64(&w, "lastUpdated", t->last_updated);
        w_close(&w);
        break;
    }
    case DLK_ACTION_DOMAIN_METADATA: {
        const dlk_domain_metadata_action *d = &act->u.domain_metadata;
        w_open(&w, "domainMetadata");
        w_str(&w, "domain", d->domain ? d->domain : "");
        w_str(&w, "configuration", d->configuration ? d->configuration : "");
        w_bool(&w, "removed", d->removed);
        w_close(&w);
        break;
    }
    case DLK_ACTION_COMMIT_INFO: {
        const dlk_commit_info_action *ci = &act->u.commit_info;
        w_key(&w, "commitInfo");
        if (ci->json) {
            w_raw(&w, ci->json);
        } else {
            w_raw(&w, "{");
            w.first = true;
            if (ci->has_in_commit_timestamp)
                w_i64(&w, "inCommitTimestamp", ci->in_commit_timestamp);
            if (ci->has_timestamp) w_i64(&w, "timestamp", ci->timestamp);
            w_str(&w, "operation", ci->operation);
            w_close(&w);
        }
        break;
    }
    case DLK_ACTION_CDC: {
        const dlk_cdc_action *c = &act->u.cdc;
        w_open(&w, "cdc");
        w_str(&w, "path", c->path ? c->path : "");
        w_kvs(&w, "partitionValues", &c->partition_values);
        w_i64(&w, "size", c->size);
        w_bool(&w, "dataChange", c->data_change);
        if (c->tags.n) w_kvs(&w, "tags", &c->tags);
        w_close(&w);
        break;
    }
    case DLK_ACTION_SIDECAR: {
        const dlk_sidecar_action *s = &act->u.sidecar;
        w_open(&w, "sidecar");
        w_str(&w, "path", s->path ? s->path : "");
        w_i64(&w, "sizeInBytes", s->size_in_bytes);
        w_i64(&w, "modificationTime", s->modification_time);
        if (s->tags.n) w_kvs(&w, "tags", &s->tags);
        w_close(&w);
        break;
    }
    case DLK_ACTION_CHECKPOINT_METADATA: {
        const dlk_checkpoint_metadata_action *m = &act->u.checkpoint_metadata;
        w_open(&w, "checkpointMetadata");
        w_i64(&w, "version", m->version);
        if (m->tags.n) w_kvs(&w, "tags", &m->tags);
        w_close(&w);
        break;
    }
    default:
        return dlk_err_set(DLK_INVALID_ARGUMENT, "cannot serialise an unknown action");
    }
    w_raw(&w, "}\n");
    return w.rc;
}

void dlk_log_remove_of_add(const dlk_add_action *a, int64_t timestamp_ms, bool data_change, dlk_action *out)
{
    memset(out, 0, sizeof *out);
    out->kind = DLK_ACTION_REMOVE;
    dlk_remove_action *r = &out->u.remove;
    r->path = a->path;
    r->deletion_timestamp = timestamp_ms;
    r->has_deletion_timestamp = true;
    r->data_change = data_change;
    r->extended_file_metadata = true;
    r->has_extended_file_metadata = true;
    r->partition_values = a->partition_values;
    r->has_partition_values = true;
    r->size = a->size;
    r->has_size = true;
    r->stats = a->stats;
    r->tags = a->tags;
    r->dv = a->dv;
    r->base_row_id = a->base_row_id;
    r->has_base_row_id = a->has_base_row_id;
    r->default_row_commit_version = a->default_row_commit_version;
    r->has_default_row_commit_version = a->has_default_row_commit_version;
}

/*
 * log/actions.c - Delta actions: JSON (jansson) -> structs, and structs ->
 * JSON lines. Field names and types as in PROTOCOL.md "Actions".
 */
#include "log/actions.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include <jansson.h>
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

/* ---- parsing ---- */

typedef struct {
    dlk_arena *a;
    const char *action; /* for messages */
    const char *line;   /* the JSON line being parsed (NULL: not from a line) */
    size_t line_len;
    size_t root_keys; /* keys of the line's top-level object */
} pctx;

static int bad(pctx *c, const char *field, const char *what)
{
    return dlk_err_set(DLK_CORRUPT, "%s.%s %s", c->action, field, what);
}

static int get_str(pctx *c, json_t *o, const char *field, bool required, const char **out)
{
    *out = NULL;
    json_t *v = json_object_get(o, field);
    if (!v || json_is_null(v)) return required ? bad(c, field, "missing") : DLK_OK;
    if (!json_is_string(v)) return bad(c, field, "is not a string");
    *out = dlk_arena_strndup(c->a, json_string_value(v), json_string_length(v));
    return *out ? DLK_OK : dlk_err_nomem();
}

static int get_i64(pctx *c, json_t *o, const char *field, bool required, int64_t *out, bool *has)
{
    json_t *v = json_object_get(o, field);
    if (has) *has = false;
    if (!v || json_is_null(v)) return required ? bad(c, field, "missing") : DLK_OK;
    if (json_is_integer(v))
        *out = (int64_t)json_integer_value(v);
    else if (json_is_real(v) && json_real_value(v) == (double)(int64_t)json_real_value(v))
        *out = (int64_t)json_real_value(v);
    else if (json_is_string(v)) { /* some writers quote numbers */
        if (dlk_parse_i64(json_string_value(v), out)) return bad(c, field, "is not an integer");
    } else
        return bad(c, field, "is not an integer");
    if (has) *has = true;
    return DLK_OK;
}

static int get_bool(pctx *c, json_t *o, const char *field, bool required, bool *out, bool *has)
{
    json_t *v = json_object_get(o, field);
    if (has) *has = false;
    if (!v || json_is_null(v)) return required ? bad(c, field, "missing") : DLK_OK;
    if (!json_is_boolean(v)) return bad(c, field, "is not a boolean");
    *out = json_is_true(v);
    if (has) *has = true;
    return DLK_OK;
}

static int get_kvs(pctx *c, json_t *o, const char *field, dlk_kvs *out, bool *has)
{
    out->items = NULL;
    out->n = 0;
    if (has) *has = false;
    json_t *v = json_object_get(o, field);
    if (!v || json_is_null(v)) return DLK_OK;
    if (!json_is_object(v)) return bad(c, field, "is not an object");
    size_t n = json_object_size(v);
    if (n) {
        out->items = dlk_arena_alloc(c->a, n * sizeof *out->items);
        if (!out->items) return dlk_err_nomem();
    }
    const char *k;
    json_t *val;
    json_object_foreach(v, k, val)
    {
        dlk_kv *kv = &out->items[out->n];
        kv->key = dlk_arena_strdup(c->a, k);
        if (!kv->key) return dlk_err_nomem();
        if (json_is_null(val))
            kv->value = NULL;
        else if (json_is_string(val)) {
            kv->value = dlk_arena_strndup(c->a, json_string_value(val), json_string_length(val));
            if (!kv->value) return dlk_err_nomem();
        } else {
            /* non-string values (numbers, booleans): keep their JSON text */
            char *t = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
            if (!t) return dlk_err_nomem();
            kv->value = dlk_arena_strdup(c->a, t);
            free(t);
            if (!kv->value) return dlk_err_nomem();
        }
        out->n++;
    }
    if (has) *has = true;
    return DLK_OK;
}

static int get_str_array(pctx *c, json_t *o, const char *field, const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    json_t *v = json_object_get(o, field);
    if (!v || json_is_null(v)) return DLK_OK;
    if (!json_is_array(v)) return bad(c, field, "is not an array");
    size_t len = json_array_size(v);
    const char **arr = dlk_arena_alloc(c->a, (len ? len : 1) * sizeof *arr);
    if (!arr) return dlk_err_nomem();
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e)) return bad(c, field, "has a non-string element");
        arr[i] = dlk_arena_strndup(c->a, json_string_value(e), json_string_length(e));
        if (!arr[i]) return dlk_err_nomem();
    }
    *out = arr;
    *n = len;
    return DLK_OK;
}

static int get_dv(pctx *c, json_t *o, dlk_dv **out)
{
    *out = NULL;
    json_t *v = json_object_get(o, "deletionVector");
    if (!v || json_is_null(v)) return DLK_OK;
    if (!json_is_object(v)) return bad(c, "deletionVector", "is not an object");
    dlk_dv *dv = dlk_arena_calloc(c->a, sizeof *dv);
    if (!dv) return dlk_err_nomem();
    const char *st = NULL;
    int64_t size = 0;
    pctx dc = {.a = c->a, .action = "deletionVector"};
    int rc;
    if ((rc = get_str(&dc, v, "storageType", true, &st)) ||
        (rc = get_str(&dc, v, "pathOrInlineDv", true, &dv->path_or_inline)) ||
        (rc = get_i64(&dc, v, "offset", false, &dv->offset, &dv->has_offset)) ||
        (rc = get_i64(&dc, v, "sizeInBytes", true, &size, NULL)) ||
        (rc = get_i64(&dc, v, "cardinality", true, &dv->cardinality, NULL)) ||
        (rc = get_i64(&dc, v, "maxRowIndex", false, &dv->max_row_index, &dv->has_max_row_index)))
        return dlk_err_context(rc, "%s", c->action);
    if (strlen(st) != 1 || !strchr("uip", st[0]))
        return dlk_err_set(DLK_CORRUPT, "%s.deletionVector.storageType '%s' is not u, i or p",
                           c->action, st);
    if (size < 0 || size > INT32_MAX)
        return dlk_err_set(DLK_CORRUPT, "%s.deletionVector.sizeInBytes %lld out of range",
                           c->action, (long long)size);
    dv->storage_type = st[0];
    dv->size_in_bytes = (int32_t)size;
    *out = dv;
    return DLK_OK;
}

static int parse_protocol(pctx *c, json_t *o, dlk_protocol_action *p)
{
    int64_t r = 0, w = 0;
    int rc;
    if ((rc = get_i64(c, o, "minReaderVersion", true, &r, NULL)) ||
        (rc = get_i64(c, o, "minWriterVersion", true, &w, NULL)) ||
        (rc = get_str_array(c, o, "readerFeatures", &p->reader_features, &p->n_reader_features)) ||
        (rc = get_str_array(c, o, "writerFeatures", &p->writer_features, &p->n_writer_features)))
        return rc;
    if (r < 0 || r > INT32_MAX || w < 0 || w > INT32_MAX)
        return bad(c, "minReaderVersion", "out of range");
    p->min_reader_version = (int32_t)r;
    p->min_writer_version = (int32_t)w;
    return DLK_OK;
}

static int parse_metadata(pctx *c, json_t *o, dlk_metadata_action *m)
{
    int rc;
    if ((rc = get_str(c, o, "id", false, &m->id)) ||
        (rc = get_str(c, o, "name", false, &m->name)) ||
        (rc = get_str(c, o, "description", false, &m->description)) ||
        (rc = get_str(c, o, "schemaString", true, &m->schema_string)) ||
        (rc = get_str_array(c, o, "partitionColumns", &m->partition_columns,
                            &m->n_partition_columns)) ||
        (rc = get_i64(c, o, "createdTime", false, &m->created_time, &m->has_created_time)) ||
        (rc = get_kvs(c, o, "configuration", &m->configuration, NULL)))
        return rc;
    json_t *f = json_object_get(o, "format");
    if (f && json_is_object(f)) {
        pctx fc = {.a = c->a, .action = "metaData.format"};
        if ((rc = get_str(&fc, f, "provider", false, &m->format_provider)) ||
            (rc = get_kvs(&fc, f, "options", &m->format_options, NULL)))
            return rc;
    }
    return DLK_OK;
}

static int parse_add(pctx *c, json_t *o, dlk_add_action *a)
{
    int rc;
    bool has_dc = false;
    if ((rc = get_str(c, o, "path", true, &a->path)) ||
        (rc = get_kvs(c, o, "partitionValues", &a->partition_values, NULL)) ||
        (rc = get_i64(c, o, "size", true, &a->size, NULL)) ||
        (rc = get_i64(c, o, "modificationTime", false, &a->modification_time, NULL)) ||
        (rc = get_bool(c, o, "dataChange", false, &a->data_change, &has_dc)) ||
        (rc = get_kvs(c, o, "tags", &a->tags, NULL)) || (rc = get_dv(c, o, &a->dv)) ||
        (rc = get_i64(c, o, "baseRowId", false, &a->base_row_id, &a->has_base_row_id)) ||
        (rc = get_i64(c, o, "defaultRowCommitVersion", false, &a->default_row_commit_version,
                      &a->has_default_row_commit_version)) ||
        (rc = get_str(c, o, "clusteringProvider", false, &a->clustering_provider)))
        return rc;
    json_t *st = json_object_get(o, "stats");
    if (st && json_is_string(st)) {
        a->stats = dlk_arena_strndup(c->a, json_string_value(st), json_string_length(st));
        if (!a->stats) return dlk_err_nomem();
    }
    if (!has_dc) a->data_change = true;
    return DLK_OK;
}

static int parse_remove(pctx *c, json_t *o, dlk_remove_action *r)
{
    int rc;
    bool has_dc = false;
    if ((rc = get_str(c, o, "path", true, &r->path)) ||
        (rc = get_i64(c, o, "deletionTimestamp", false, &r->deletion_timestamp,
                      &r->has_deletion_timestamp)) ||
        (rc = get_bool(c, o, "dataChange", false, &r->data_change, &has_dc)) ||
        (rc = get_bool(c, o, "extendedFileMetadata", false, &r->extended_file_metadata,
                       &r->has_extended_file_metadata)) ||
        (rc = get_kvs(c, o, "partitionValues", &r->partition_values, &r->has_partition_values)) ||
        (rc = get_i64(c, o, "size", false, &r->size, &r->has_size)) ||
        (rc = get_str(c, o, "stats", false, &r->stats)) ||
        (rc = get_kvs(c, o, "tags", &r->tags, NULL)) || (rc = get_dv(c, o, &r->dv)) ||
        (rc = get_i64(c, o, "baseRowId", false, &r->base_row_id, &r->has_base_row_id)) ||
        (rc = get_i64(c, o, "defaultRowCommitVersion", false, &r->default_row_commit_version,
                      &r->has_default_row_commit_version)))
        return rc;
    if (!has_dc) r->data_change = true;
    return DLK_OK;
}

/* The text of the commitInfo object inside its line `{"commitInfo":{...}}`
 * (already parsed, so well-formed): from the '{' after the key to the '}'
 * before the closing one. NULL when the line has another shape. */
static const char *commit_info_slice(const char *line, size_t n, size_t *len)
{
    const char *k = memchr(line, '"', n);
    if (!k || (size_t)(line + n - k) < 13 || memcmp(k, "\"commitInfo\"", 12) != 0) return NULL;
    const char *p = k + 12, *end = line + n;
    while (p < end && (*p == ' ' || *p == '\t' || *p == ':' || *p == '\r'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    if (end <= p || end[-1] != '}') return NULL;
    end--; /* the outer object's '}' */
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    if (p >= end || *p != '{' || end[-1] != '}') return NULL;
    *len = (size_t)(end - p);
    return p;
}

static int parse_commit_info(pctx *c, json_t *o, dlk_commit_info_action *ci)
{
    size_t sl = 0;
    const char *slice =
        c->line && c->root_keys == 1 ? commit_info_slice(c->line, c->line_len, &sl) : NULL;
    if (slice) {
        ci->json = dlk_arena_strndup(c->a, slice, sl);
    } else {
        char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!t) return dlk_err_nomem();
        ci->json = dlk_arena_strdup(c->a, t);
        free(t);
    }
    if (!ci->json) return dlk_err_nomem();
    /* commitInfo content is free-form: ignore badly typed fields */
    json_t *v = json_object_get(o, "timestamp");
    if (v && json_is_integer(v)) {
        ci->timestamp = json_integer_value(v);
        ci->has_timestamp = true;
    }
    v = json_object_get(o, "inCommitTimestamp");
    if (v && json_is_integer(v)) {
        ci->in_commit_timestamp = json_integer_value(v);
        ci->has_in_commit_timestamp = true;
    }
    v = json_object_get(o, "operation");
    if (v && json_is_string(v)) {
        ci->operation = dlk_arena_strdup(c->a, json_string_value(v));
        if (!ci->operation) return dlk_err_nomem();
    }
    return DLK_OK;
}

static int parse_obj(json_t *root, dlk_arena *a, const char *line, size_t n, dlk_action *out)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(root)) return dlk_err_set(DLK_CORRUPT, "action is not a JSON object");
    const char *key;
    json_t *o;
    json_object_foreach(root, key, o)
    {
        dlk_action_kind k = DLK_ACTION_UNKNOWN;
        for (size_t i = 1; i < sizeof kind_names / sizeof *kind_names; i++)
            if (strcmp(kind_names[i], key) == 0) k = (dlk_action_kind)i;
        if (k == DLK_ACTION_UNKNOWN) continue;
        if (!json_is_object(o)) return dlk_err_set(DLK_CORRUPT, "%s action is not an object", key);
        pctx c = {a, kind_names[k], line, n, json_object_size(root)};
        out->kind = k;
        int rc = DLK_OK;
        switch (k) {
        case DLK_ACTION_PROTOCOL:
            rc = parse_protocol(&c, o, &out->u.protocol);
            break;
        case DLK_ACTION_METADATA:
            rc = parse_metadata(&c, o, &out->u.metadata);
            break;
        case DLK_ACTION_ADD:
            rc = parse_add(&c, o, &out->u.add);
            break;
        case DLK_ACTION_REMOVE:
            rc = parse_remove(&c, o, &out->u.remove);
            break;
        case DLK_ACTION_TXN: {
            dlk_txn_action *t = &out->u.txn;
            if (!(rc = get_str(&c, o, "appId", true, &t->app_id)) &&
                !(rc = get_i64(&c, o, "version", true, &t->version, NULL)))
                rc = get_i64(&c, o, "lastUpdated", false, &t->last_updated, &t->has_last_updated);
            break;
        }
        case DLK_ACTION_DOMAIN_METADATA: {
            dlk_domain_metadata_action *d = &out->u.domain_metadata;
            if (!(rc = get_str(&c, o, "domain", true, &d->domain)) &&
                !(rc = get_str(&c, o, "configuration", false, &d->configuration)))
                rc = get_bool(&c, o, "removed", false, &d->removed, NULL);
            break;
        }
        case DLK_ACTION_COMMIT_INFO:
            rc = parse_commit_info(&c, o, &out->u.commit_info);
            break;
        case DLK_ACTION_CDC: {
            dlk_cdc_action *d = &out->u.cdc;
            if (!(rc = get_str(&c, o, "path", true, &d->path)) &&
                !(rc = get_kvs(&c, o, "partitionValues", &d->partition_values, NULL)) &&
                !(rc = get_i64(&c, o, "size", false, &d->size, NULL)) &&
                !(rc = get_bool(&c, o, "dataChange", false, &d->data_change, NULL)))
                rc = get_kvs(&c, o, "tags", &d->tags, NULL);
            break;
        }
        case DLK_ACTION_SIDECAR: {
            dlk_sidecar_action *s = &out->u.sidecar;
            if (!(rc = get_str(&c, o, "path", true, &s->path)) &&
                !(rc = get_i64(&c, o, "sizeInBytes", false, &s->size_in_bytes, NULL)) &&
                !(rc = get_i64(&c, o, "modificationTime", false, &s->modification_time, NULL)))
                rc = get_kvs(&c, o, "tags", &s->tags, NULL);
            break;
        }
        case DLK_ACTION_CHECKPOINT_METADATA: {
            dlk_checkpoint_metadata_action *m = &out->u.checkpoint_metadata;
            if (!(rc = get_i64(&c, o, "version", true, &m->version, NULL)))
                rc = get_kvs(&c, o, "tags", &m->tags, NULL);
            break;
        }
        default:
            break;
        }
        return rc;
    }
    return DLK_OK;
}

int dlk_log_action_parse(const char *line, size_t n, dlk_arena *a, dlk_action *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        i++;
    if (i == n) return DLK_OK;
    json_error_t je;
    json_t *root = json_loadb(line, n, JSON_DECODE_ANY, &je);
    if (!root) return dlk_err_set(DLK_CORRUPT, "column %d: invalid JSON: %s", je.column, je.text);
    int rc = parse_obj(root, a, line, n, out);
    json_decref(root);
    return rc;
}

int dlk_log_commit_parse(const char *data, size_t n, dlk_arena *a, dlk_vec *v)
{
    size_t line = 0, pos = 0;
    while (pos < n) {
        const char *nl = memchr(data + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - data) : n;
        line++;
        dlk_action act;
        int rc = dlk_log_action_parse(data + pos, end - pos, a, &act);
        if (rc) return dlk_err_context(rc, "line %zu", line);
        if (act.kind != DLK_ACTION_UNKNOWN && (rc = dlk_vec_push(v, &act))) return rc;
        pos = end + 1;
    }
    return DLK_OK;
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

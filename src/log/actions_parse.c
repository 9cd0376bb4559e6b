/*
 * log/actions_parse.c - one JSON line of a commit file -> a typed
 * dlk_action, straight from the pull reader (json/json.h): no tree, strings
 * decoded once into the snapshot's arena. Each action kind is a table of
 * its fields (name, type, required, where it goes); a key met twice takes
 * its last value, null means absent, unknown keys are skipped (validated).
 */
#include "json/json.h"
#include "log/actions.h"
#include "util/error.h"
#include "util/str.h"
#include <stddef.h>
#include <string.h>

typedef enum { F_STR, F_I64, F_BOOL, F_KVS, F_STRS, F_DV, F_STATS } ftype;

typedef struct field {
    const char *name;
    ftype type;
    bool required;
    size_t off;    /* of the value in the action struct */
    ptrdiff_t has; /* of its has_* flag (bool), or -1; F_STRS: of the count (size_t) */
} field;

#define NOHAS (-1)
#define FLD(T, name, type, req, member)                                                            \
    {                                                                                              \
        name, type, req, offsetof(T, member), NOHAS                                                \
    }
#define FLDH(T, name, type, req, member, hasm)                                                     \
    {                                                                                              \
        name, type, req, offsetof(T, member), (ptrdiff_t)offsetof(T, hasm)                         \
    }

/* the versions are int32 in the action: read as int64, then range-checked */
typedef struct protocol_raw {
    dlk_protocol_action p;
    int64_t r, w;
} protocol_raw;
#define P protocol_raw
static const field protocol_fields[] = {
    FLD(P, "minReaderVersion", F_I64, true, r),
    FLD(P, "minWriterVersion", F_I64, true, w),
    FLDH(P, "readerFeatures", F_STRS, false, p.reader_features, p.n_reader_features),
    FLDH(P, "writerFeatures", F_STRS, false, p.writer_features, p.n_writer_features),
};
#undef P
#define M dlk_metadata_action
static const field metadata_fields[] = {
    FLD(M, "id", F_STR, false, id),
    FLD(M, "name", F_STR, false, name),
    FLD(M, "description", F_STR, false, description),
    FLD(M, "schemaString", F_STR, true, schema_string),
    FLDH(M, "partitionColumns", F_STRS, false, partition_columns, n_partition_columns),
    FLDH(M, "createdTime", F_I64, false, created_time, has_created_time),
    FLD(M, "configuration", F_KVS, false, configuration),
};
#undef M
#define A dlk_add_action
static const field add_fields[] = {
    FLD(A, "path", F_STR, true, path),
    FLD(A, "partitionValues", F_KVS, false, partition_values),
    FLD(A, "size", F_I64, true, size),
    FLD(A, "modificationTime", F_I64, false, modification_time),
    FLD(A, "dataChange", F_BOOL, false, data_change),
    FLD(A, "stats", F_STATS, false, stats),
    FLD(A, "tags", F_KVS, false, tags),
    FLD(A, "deletionVector", F_DV, false, dv),
    FLDH(A, "baseRowId", F_I64, false, base_row_id, has_base_row_id),
    FLDH(A, "defaultRowCommitVersion", F_I64, false, default_row_commit_version,
         has_default_row_commit_version),
    FLD(A, "clusteringProvider", F_STR, false, clustering_provider),
};
#undef A
#define R dlk_remove_action
static const field remove_fields[] = {
    FLD(R, "path", F_STR, true, path),
    FLDH(R, "deletionTimestamp", F_I64, false, deletion_timestamp, has_deletion_timestamp),
    FLD(R, "dataChange", F_BOOL, false, data_change),
    FLDH(R, "extendedFileMetadata", F_BOOL, false, extended_file_metadata,
         has_extended_file_metadata),
    FLDH(R, "partitionValues", F_KVS, false, partition_values, has_partition_values),
    FLDH(R, "size", F_I64, false, size, has_size),
    FLD(R, "stats", F_STR, false, stats),
    FLD(R, "tags", F_KVS, false, tags),
    FLD(R, "deletionVector", F_DV, false, dv),
    FLDH(R, "baseRowId", F_I64, false, base_row_id, has_base_row_id),
    FLDH(R, "defaultRowCommitVersion", F_I64, false, default_row_commit_version,
         has_default_row_commit_version),
};
#undef R
#define T dlk_txn_action
static const field txn_fields[] = {
    FLD(T, "appId", F_STR, true, app_id),
    FLD(T, "version", F_I64, true, version),
    FLDH(T, "lastUpdated", F_I64, false, last_updated, has_last_updated),
};
#undef T
#define D dlk_domain_metadata_action
static const field domain_fields[] = {
    FLD(D, "domain", F_STR, true, domain),
    FLD(D, "configuration", F_STR, false, configuration),
    FLD(D, "removed", F_BOOL, false, removed),
};
#undef D
#define C dlk_cdc_action
static const field cdc_fields[] = {
    FLD(C, "path", F_STR, true, path),  FLD(C, "partitionValues", F_KVS, false, partition_values),
    FLD(C, "size", F_I64, false, size), FLD(C, "dataChange", F_BOOL, false, data_change),
    FLD(C, "tags", F_KVS, false, tags),
};
#undef C
#define S dlk_sidecar_action
static const field sidecar_fields[] = {
    FLD(S, "path", F_STR, true, path),
    FLD(S, "sizeInBytes", F_I64, false, size_in_bytes),
    FLD(S, "modificationTime", F_I64, false, modification_time),
    FLD(S, "tags", F_KVS, false, tags),
};
#undef S
#define K dlk_checkpoint_metadata_action
static const field ckmeta_fields[] = {
    FLD(K, "version", F_I64, true, version),
    FLD(K, "tags", F_KVS, false, tags),
};
#undef K
typedef struct dv_raw {
    const char *storage_type;
    const char *path_or_inline;
    int64_t offset;
    bool has_offset;
    int64_t size;
    int64_t cardinality;
    int64_t max_row_index;
    bool has_max_row_index;
} dv_raw;
#define V dv_raw
static const field dv_fields[] = {
    FLD(V, "storageType", F_STR, true, storage_type),
    FLD(V, "pathOrInlineDv", F_STR, true, path_or_inline),
    FLDH(V, "offset", F_I64, false, offset, has_offset),
    FLD(V, "sizeInBytes", F_I64, true, size),
    FLD(V, "cardinality", F_I64, true, cardinality),
    FLDH(V, "maxRowIndex", F_I64, false, max_row_index, has_max_row_index),
};
#undef V

#define NF(a) (sizeof(a) / sizeof *(a))

typedef struct pctx {
    dlk_json_reader *r;
    dlk_arena *a;
    const char *action; /* for messages: "add", "add.deletionVector" */
} pctx;

static int bad(const pctx *c, const char *field, const char *what)
{
    return dlk_err_set(DLK_CORRUPT, "%s.%s %s", c->action, field, what);
}

/* A JSON syntax error of the reader as the thread's error. */
static int syntax(const pctx *c)
{
    int line, col;
    const char *m = dlk_json_error(c->r, &line, &col);
    return dlk_err_set(DLK_CORRUPT, "column %d: invalid JSON: %s", col, m);
}

static int str_of(const pctx *c, const dlk_json_tok *t, const char **out)
{
    char *s = dlk_arena_alloc(c->a, t->n + 1);
    if (!s) return dlk_err_nomem();
    dlk_json_str_copy(t, s);
    *out = s;
    return DLK_OK;
}

/* Integers; integral reals; strings holding an integer (some writers quote
 * numbers). */
static int i64_of(const pctx *c, const field *f, const dlk_json_tok *t, int64_t *out)
{
    if (t->type == DLK_JSON_NUMBER) {
        if (dlk_json_i64(t, out) == DLK_JSON_INT_OK) return DLK_OK;
        if (!t->integer) {
            double d = dlk_json_f64(t);
            if (d >= -9.2e18 && d <= 9.2e18 && d == (double)(int64_t)d) {
                *out = (int64_t)d;
                return DLK_OK;
            }
        }
        return bad(c, f->name, "is not an integer");
    }
    if (t->type == DLK_JSON_STRING) {
        char tmp[32];
        if (t->n < sizeof tmp && !t->escaped) {
            memcpy(tmp, t->s, t->n);
            tmp[t->n] = '\0';
            if (dlk_parse_i64(tmp, out) == 0) return DLK_OK;
        }
    }
    return bad(c, f->name, "is not an integer");
}

/* A string-to-string map; a non-string value keeps its JSON text. */
static int kvs_of(const pctx *c, const field *f, dlk_kvs *out)
{
    dlk_json_reader *r = c->r;
    dlk_vec items = DLK_VEC_INIT(dlk_kv);
    int rc = DLK_OK;
    for (;;) {
        dlk_json_tok k, v;
        bool done;
        if (dlk_json_key(r, &k, &done) || (!done && dlk_json_next(r, &v))) {
            rc = syntax(c);
            break;
        }
        if (done) break;
        dlk_kv kv = {0};
        if ((rc = str_of(c, &k, &kv.key))) break;
        if (v.type == DLK_JSON_STRING) {
            rc = str_of(c, &v, &kv.value);
        } else if (v.type != DLK_JSON_NULL) {
            const char *start = r->base + v.offset;
            if (dlk_json_skip_value(r, &v)) {
                rc = syntax(c);
                break;
            }
            kv.value = dlk_arena_strndup(c->a, start, (size_t)(r->p - start));
            if (!kv.value) rc = dlk_err_nomem();
        }
        if (rc || (rc = dlk_vec_push(&items, &kv))) break;
    }
    (void)f;
    if (!rc && items.len) {
        out->items = dlk_arena_alloc(c->a, items.len * sizeof(dlk_kv));
        if (!out->items)
            rc = dlk_err_nomem();
        else
            memcpy(out->items, items.data, items.len * sizeof(dlk_kv));
        out->n = items.len;
    }
    dlk_vec_free(&items);
    return rc;
}

static int strs_of(const pctx *c, const field *f, const char ***out, size_t *n)
{
    dlk_vec v = DLK_VEC_INIT(const char *);
    int rc = DLK_OK;
    for (;;) {
        bool done;
        dlk_json_tok e;
        if (dlk_json_elem(c->r, &done) || (!done && dlk_json_next(c->r, &e))) {
            rc = syntax(c);
            break;
        }
        if (done) break;
        const char *s;
        if (e.type != DLK_JSON_STRING) {
            rc = bad(c, f->name, "has a non-string element");
            break;
        }
        if ((rc = str_of(c, &e, &s)) || (rc = dlk_vec_push(&v, &s))) break;
    }
    if (!rc) {
        const char **arr = dlk_arena_alloc(c->a, (v.len ? v.len : 1) * sizeof *arr);
        if (!arr) {
            rc = dlk_err_nomem();
        } else {
            if (v.len) memcpy(arr, v.data, v.len * sizeof *arr);
            *out = arr;
            *n = v.len;
        }
    }
    dlk_vec_free(&v);
    return rc;
}

static int parse_fields(const pctx *c, const field *fs, size_t nf, void *dst, uint32_t *seen_out);

static int dv_of(const pctx *c, dlk_dv **out)
{
    dv_raw raw = {0};
    pctx dc = {c->r, c->a, "deletionVector"};
    int rc = parse_fields(&dc, dv_fields, NF(dv_fields), &raw, NULL);
    if (rc) return dlk_err_context(rc, "%s", c->action);
    if (strlen(raw.storage_type) != 1 || !strchr("uip", raw.storage_type[0]))
        return dlk_err_set(DLK_CORRUPT, "%s.deletionVector.storageType '%s' is not u, i or p",
                           c->action, raw.storage_type);
    if (raw.size < 0 || raw.size > INT32_MAX)
        return dlk_err_set(DLK_CORRUPT, "%s.deletionVector.sizeInBytes %lld out of range",
                           c->action, (long long)raw.size);
    dlk_dv *dv = dlk_arena_calloc(c->a, sizeof *dv);
    if (!dv) return dlk_err_nomem();
    dv->storage_type = raw.storage_type[0];
    dv->path_or_inline = raw.path_or_inline;
    dv->offset = raw.offset;
    dv->has_offset = raw.has_offset;
    dv->size_in_bytes = (int32_t)raw.size;
    dv->cardinality = raw.cardinality;
    dv->max_row_index = raw.max_row_index;
    dv->has_max_row_index = raw.has_max_row_index;
    *out = dv;
    return DLK_OK;
}

/* Clear a field to "absent". */
static void clear_field(const field *f, char *dst)
{
    void *p = dst + f->off;
    switch (f->type) {
    case F_STR:
    case F_STATS:
        *(const char **)p = NULL;
        break;
    case F_I64:
        *(int64_t *)p = 0;
        break;
    case F_BOOL:
        *(bool *)p = false;
        break;
    case F_KVS:
        memset(p, 0, sizeof(dlk_kvs));
        break;
    case F_STRS:
        *(const char ***)p = NULL;
        *(size_t *)(dst + f->has) = 0;
        return;
    case F_DV:
        *(dlk_dv **)p = NULL;
        break;
    }
    if (f->has != NOHAS) *(bool *)(dst + f->has) = false;
}

/* One field's value t (just read) into dst. */
static int field_value(const pctx *c, const field *f, const dlk_json_tok *t, char *dst)
{
    void *p = dst + f->off;
    int rc = DLK_OK;
    clear_field(f, dst);
    switch (f->type) {
    case F_STR:
        if (t->type != DLK_JSON_STRING) return bad(c, f->name, "is not a string");
        rc = str_of(c, t, (const char **)p);
        break;
    case F_STATS: /* a non-string stats is ignored */
        if (t->type == DLK_JSON_STRING) return str_of(c, t, (const char **)p);
        return dlk_json_skip_value(c->r, t) ? syntax(c) : DLK_OK;
    case F_I64:
        rc = i64_of(c, f, t, (int64_t *)p);
        break;
    case F_BOOL:
        if (t->type != DLK_JSON_TRUE && t->type != DLK_JSON_FALSE)
            return bad(c, f->name, "is not a boolean");
        *(bool *)p = t->type == DLK_JSON_TRUE;
        break;
    case F_KVS:
        if (t->type != DLK_JSON_OBJECT) return bad(c, f->name, "is not an object");
        rc = kvs_of(c, f, (dlk_kvs *)p);
        break;
    case F_STRS:
        if (t->type != DLK_JSON_ARRAY) return bad(c, f->name, "is not an array");
        return strs_of(c, f, (const char ***)p, (size_t *)(dst + f->has));
    case F_DV:
        if (t->type != DLK_JSON_OBJECT) return bad(c, f->name, "is not an object");
        rc = dv_of(c, (dlk_dv **)p);
        break;
    }
    if (!rc && f->has != NOHAS) *(bool *)(dst + f->has) = true;
    return rc;
}

/* One member (key k, value v just read) by the table fs into dst. */
static int one_field(const pctx *c, const field *fs, size_t nf, const dlk_json_tok *k,
                     const dlk_json_tok *v, void *dst, uint32_t *seen)
{
    size_t i = 0;
    while (i < nf && !dlk_json_str_eq(k, fs[i].name))
        i++;
    if (i == nf) return dlk_json_skip_value(c->r, v) ? syntax(c) : DLK_OK;
    if (v->type == DLK_JSON_NULL) {
        clear_field(&fs[i], dst);
        *seen &= ~(1u << i);
        return DLK_OK;
    }
    int rc = field_value(c, &fs[i], v, dst);
    if (!rc) *seen |= 1u << i;
    return rc;
}

static int check_required(const pctx *c, const field *fs, size_t nf, uint32_t seen)
{
    for (size_t i = 0; i < nf; i++)
        if (fs[i].required && !(seen & (1u << i))) return bad(c, fs[i].name, "missing");
    return DLK_OK;
}

/* The members of the object the reader is in, by the table fs, into dst;
 * *seen_out (may be NULL): bit i set when field i had a non-null value. */
static int parse_fields(const pctx *c, const field *fs, size_t nf, void *dst, uint32_t *seen_out)
{
    uint32_t seen = 0;
    for (;;) {
        dlk_json_tok k, v;
        bool done;
        if (dlk_json_key(c->r, &k, &done) || (!done && dlk_json_next(c->r, &v))) return syntax(c);
        if (done) break;
        int rc = one_field(c, fs, nf, &k, &v, dst, &seen);
        if (rc) return rc;
    }
    if (seen_out) *seen_out = seen;
    return check_required(c, fs, nf, seen);
}

static int parse_protocol(const pctx *c, dlk_protocol_action *p)
{
    protocol_raw s;
    memset(&s, 0, sizeof s);
    int rc = parse_fields(c, protocol_fields, NF(protocol_fields), &s, NULL);
    if (rc) return rc;
    if (s.r < 0 || s.r > INT32_MAX || s.w < 0 || s.w > INT32_MAX)
        return bad(c, "minReaderVersion", "out of range");
    *p = s.p;
    p->min_reader_version = (int32_t)s.r;
    p->min_writer_version = (int32_t)s.w;
    return DLK_OK;
}

/* metaData.format: {"provider": ..., "options": {...}}; another type is
 * ignored. */
static const field format_fields[] = {
    FLD(dlk_metadata_action, "provider", F_STR, false, format_provider),
    FLD(dlk_metadata_action, "options", F_KVS, false, format_options),
};

static int parse_metadata(const pctx *c, dlk_metadata_action *m)
{
    uint32_t seen = 0;
    for (;;) {
        dlk_json_tok k, v;
        bool done;
        if (dlk_json_key(c->r, &k, &done) || (!done && dlk_json_next(c->r, &v))) return syntax(c);
        if (done) break;
        int rc;
        if (dlk_json_str_eq(&k, "format")) {
            m->format_provider = NULL;
            memset(&m->format_options, 0, sizeof m->format_options);
            if (v.type != DLK_JSON_OBJECT) {
                if (dlk_json_skip_value(c->r, &v)) return syntax(c);
                continue;
            }
            pctx fc = {c->r, c->a, "metaData.format"};
            if ((rc = parse_fields(&fc, format_fields, NF(format_fields), m, NULL))) return rc;
            continue;
        }
        if ((rc = one_field(c, metadata_fields, NF(metadata_fields), &k, &v, m, &seen))) return rc;
    }
    return check_required(c, metadata_fields, NF(metadata_fields), seen);
}

/* commitInfo is free-form: its whole text is kept, and three fields are
 * read when they have the expected type. */
static int parse_commit_info(const pctx *c, const dlk_json_tok *obj, dlk_commit_info_action *ci)
{
    const char *start = c->r->base + obj->offset;
    for (;;) {
        dlk_json_tok k, v;
        bool done;
        if (dlk_json_key(c->r, &k, &done) || (!done && dlk_json_next(c->r, &v))) return syntax(c);
        if (done) break;
        int64_t i;
        if (v.type == DLK_JSON_NUMBER && dlk_json_i64(&v, &i) == DLK_JSON_INT_OK &&
            (dlk_json_str_eq(&k, "timestamp") || dlk_json_str_eq(&k, "inCommitTimestamp"))) {
            bool ict = k.n == 17;
            *(ict ? &ci->in_commit_timestamp : &ci->timestamp) = i;
            *(ict ? &ci->has_in_commit_timestamp : &ci->has_timestamp) = true;
        } else if (v.type == DLK_JSON_STRING && dlk_json_str_eq(&k, "operation")) {
            int rc = str_of(c, &v, &ci->operation);
            if (rc) return rc;
        } else if (dlk_json_skip_value(c->r, &v)) {
            return syntax(c);
        }
    }
    ci->json = dlk_arena_strndup(c->a, start, (size_t)(c->r->p - start));
    return ci->json ? DLK_OK : dlk_err_nomem();
}

typedef struct kind_table {
    const field *fields;
    size_t n;
    int dc_index; /* dataChange's index (absent means true), or -1 */
} kind_table;

static kind_table table_of(dlk_action_kind k)
{
    switch (k) {
    case DLK_ACTION_ADD:
        return (kind_table){add_fields, NF(add_fields), 4};
    case DLK_ACTION_REMOVE:
        return (kind_table){remove_fields, NF(remove_fields), 2};
    case DLK_ACTION_TXN:
        return (kind_table){txn_fields, NF(txn_fields), -1};
    case DLK_ACTION_DOMAIN_METADATA:
        return (kind_table){domain_fields, NF(domain_fields), -1};
    case DLK_ACTION_CDC:
        return (kind_table){cdc_fields, NF(cdc_fields), -1};
    case DLK_ACTION_SIDECAR:
        return (kind_table){sidecar_fields, NF(sidecar_fields), -1};
    case DLK_ACTION_CHECKPOINT_METADATA:
        return (kind_table){ckmeta_fields, NF(ckmeta_fields), -1};
    default:
        return (kind_table){NULL, 0, -1};
    }
}

static dlk_action_kind kind_of(const dlk_json_tok *k)
{
    for (int i = 1; i <= DLK_ACTION_CHECKPOINT_METADATA; i++)
        if (dlk_json_str_eq(k, dlk_action_kind_name((dlk_action_kind)i))) return (dlk_action_kind)i;
    return DLK_ACTION_UNKNOWN;
}

static int parse_action(const pctx *c, dlk_action_kind k, const dlk_json_tok *obj, dlk_action *out)
{
    out->kind = k;
    switch (k) {
    case DLK_ACTION_PROTOCOL:
        return parse_protocol(c, &out->u.protocol);
    case DLK_ACTION_METADATA:
        return parse_metadata(c, &out->u.metadata);
    case DLK_ACTION_COMMIT_INFO:
        return parse_commit_info(c, obj, &out->u.commit_info);
    default:
        break;
    }
    kind_table t = table_of(k);
    uint32_t seen = 0;
    int rc = parse_fields(c, t.fields, t.n, &out->u, &seen);
    if (rc) return rc;
    if (t.dc_index >= 0 && !(seen & (1u << t.dc_index))) {
        if (k == DLK_ACTION_ADD) out->u.add.data_change = true;
        if (k == DLK_ACTION_REMOVE) out->u.remove.data_change = true;
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
    dlk_json_reader r;
    dlk_json_init(&r, line, n);
    pctx c = {&r, a, "action"};
    dlk_json_tok root;
    if (dlk_json_next(&r, &root)) return syntax(&c);
    if (root.type != DLK_JSON_OBJECT) {
        if (dlk_json_skip_value(&r, &root) || dlk_json_finish(&r)) return syntax(&c);
        return dlk_err_set(DLK_CORRUPT, "action is not a JSON object");
    }
    bool parsed = false;
    for (;;) {
        dlk_json_tok k, v;
        bool done;
        if (dlk_json_key(&r, &k, &done) || (!done && dlk_json_next(&r, &v))) return syntax(&c);
        if (done) break;
        dlk_action_kind kind = parsed ? DLK_ACTION_UNKNOWN : kind_of(&k);
        if (kind == DLK_ACTION_UNKNOWN) {
            if (dlk_json_skip_value(&r, &v)) return syntax(&c);
            continue;
        }
        if (v.type != DLK_JSON_OBJECT)
            return dlk_err_set(DLK_CORRUPT, "%s action is not an object",
                               dlk_action_kind_name(kind));
        c.action = dlk_action_kind_name(kind);
        int rc = parse_action(&c, kind, &v, out);
        if (rc) return rc;
        parsed = true;
    }
    if (dlk_json_finish(&r)) return syntax(&c);
    return DLK_OK;
}

bool dlk_log_commit_is_empty(const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (data[i] != ' ' && data[i] != '\n' && data[i] != '\r' && data[i] != '\t') return false;
    return true;
}

int dlk_log_commit_parse(const char *data, size_t n, dlk_arena *a, dlk_vec *v)
{
    if (dlk_log_commit_is_empty(data, n))
        return dlk_err_set(DLK_CORRUPT, "empty commit file (no actions): a write that did not "
                                        "finish, or a damaged copy");
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

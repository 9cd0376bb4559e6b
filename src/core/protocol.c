/*
 * core/protocol.c - the protocol on the write side: feature support,
 * the one upgrade, the writability check (see core/protocol.h).
 */
#include "core/protocol.h"
#include "core/colmap.h"
#include "util/error.h"
#include "util/str.h"
#include <string.h>

/* Features legacy versions imply, with the version that implies them. */
static const struct {
    const char *name;
    int writer; /* implied by minWriterVersion >= writer */
    int reader; /* implied by minReaderVersion >= reader (0: writer-only) */
} LEGACY[] = {
    {"appendOnly", 2, 0},      {"invariants", 2, 0},       {"checkConstraints", 3, 0},
    {"changeDataFeed", 4, 0},  {"generatedColumns", 4, 0}, {"columnMapping", 5, 2},
    {"identityColumns", 6, 0},
};
#define N_LEGACY (sizeof LEGACY / sizeof *LEGACY)

static const char *const READER_WRITER[] = {
    "columnMapping",        "deletionVectors",
    "timestampNtz",         "typeWidening",
    "typeWidening-preview", "v2Checkpoint",
    "vacuumProtocolCheck",  "variantType",
    "variantType-preview",  "variantShredding-preview",
};

/* Writer features this writer implements (or that need nothing from it). */
static const char *const WRITABLE[] = {
    "appendOnly",          "invariants",   "timestampNtz", "deletionVectors", "domainMetadata",
    "vacuumProtocolCheck", "v2Checkpoint", "typeWidening", "columnMapping",
};

/* Writer features this writer can write while they are not in use. */
static const char *const WRITABLE_UNUSED[] = {
    "checkConstraints",
    "changeDataFeed",
    "generatedColumns",
    "identityColumns",
};

static bool in_list(const char *const *l, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(l[i], s)) return true;
    return false;
}
#define IN(arr, s) in_list(arr, sizeof arr / sizeof *arr, s)

bool dlk_core__feature_is_reader(const char *feature)
{
    return IN(READER_WRITER, feature);
}

static bool json_list_has(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), s)) return true;
    }
    return false;
}

static int versions(json_t *proto, int *r, int *w)
{
    *r = (int)json_integer_value(json_object_get(proto, "minReaderVersion"));
    *w = (int)json_integer_value(json_object_get(proto, "minWriterVersion"));
    return DLK_OK;
}

bool dlk_core__protocol_supports(json_t *proto, const char *feature)
{
    if (!proto) return false;
    int r, w;
    versions(proto, &r, &w);
    if (w >= 7) return json_list_has(json_object_get(proto, "writerFeatures"), feature);
    for (size_t i = 0; i < N_LEGACY; i++)
        if (!strcmp(LEGACY[i].name, feature)) return w >= LEGACY[i].writer;
    return false;
}

static int add_unique(json_t *arr, const char *s)
{
    if (json_list_has(arr, s)) return DLK_OK;
    return json_array_append_new(arr, json_string(s)) ? dlk_err_nomem() : DLK_OK;
}

int dlk_core__protocol_upgrade(json_t *proto, const char *const *feats, size_t n, json_t **out)
{
    *out = NULL;
    int r = 1, w = 2;
    if (proto) versions(proto, &r, &w);
    bool need = !proto, need_reader = false;
    for (size_t i = 0; i < n; i++) {
        bool rd = dlk_core__feature_is_reader(feats[i]);
        bool has_w = proto && dlk_core__protocol_supports(proto, feats[i]);
        bool has_r =
            !rd ||
            (proto && (r >= 3 ? json_list_has(json_object_get(proto, "readerFeatures"), feats[i])
                              : (!strcmp(feats[i], "columnMapping") && r >= 2)));
        if (!has_w || !has_r) need = true;
        if (rd && !has_r) need_reader = true;
    }
    if (!need) return DLK_OK;
    if (!proto && n == 0) {
        *out = json_pack("{s:i,s:i}", "minReaderVersion", 1, "minWriterVersion", 2);
        return *out ? DLK_OK : dlk_err_nomem();
    }
    json_t *rf = json_array(), *wf = json_array();
    int rc = rf && wf ? DLK_OK : dlk_err_nomem();
    /* what the old protocol supports, as feature lists */
    if (!rc && proto) {
        if (w >= 7) {
            json_array_extend(wf, json_object_get(proto, "writerFeatures"));
        } else {
            for (size_t i = 0; i < N_LEGACY && !rc; i++)
                if (w >= LEGACY[i].writer) rc = add_unique(wf, LEGACY[i].name);
        }
        if (r >= 3) {
            json_array_extend(rf, json_object_get(proto, "readerFeatures"));
        } else {
            for (size_t i = 0; i < N_LEGACY && !rc; i++)
                if (LEGACY[i].reader && r >= LEGACY[i].reader &&
                    dlk_core__protocol_supports(proto, LEGACY[i].name))
                    rc = add_unique(rf, LEGACY[i].name);
        }
    }
    for (size_t i = 0; i < n && !rc; i++) {
        rc = add_unique(wf, feats[i]);
        if (!rc && dlk_core__feature_is_reader(feats[i])) rc = add_unique(rf, feats[i]);
    }
    /* a reader-writer feature the old protocol supported through its legacy
     * writer version is needed by readers too once listed */
    bool reader3 = need_reader || r >= 3;
    if (!rc && reader3) {
        size_t i;
        json_t *v;
        json_array_foreach(wf, i, v)
        {
            if (!rc && dlk_core__feature_is_reader(json_string_value(v)))
                rc = add_unique(rf, json_string_value(v));
        }
    }
    if (!rc) {
        *out = reader3 ? json_pack("{s:i,s:i,s:O,s:O}", "minReaderVersion", 3, "minWriterVersion",
                                   7, "readerFeatures", rf, "writerFeatures", wf)
                       : json_pack("{s:i,s:i,s:O}", "minReaderVersion", r < 1 ? 1 : r,
                                   "minWriterVersion", 7, "writerFeatures", wf);
        if (!*out) rc = dlk_err_nomem();
    }
    json_decref(rf);
    json_decref(wf);
    return rc;
}

/* ---- what the table uses ---------------------------------------------------- */

static bool config_true(const dlk_txn_state *st, const char *key)
{
    const char *v = dlk_core__state_config(st, key);
    return v && dlk_str_ieq(v, "true");
}

static bool schema_mentions(const dlk_txn_state *st, const char *needle)
{
    const char *ss = json_string_value(json_object_get(st->metadata, "schemaString"));
    return ss && strstr(ss, needle);
}

/* Is the writer feature `f` in use by the table (so a writer must
 * implement it)? */
static bool feature_in_use(const dlk_txn_state *st, const char *f)
{
    if (!strcmp(f, "changeDataFeed")) return config_true(st, "delta.enableChangeDataFeed");
    if (!strcmp(f, "generatedColumns")) return schema_mentions(st, "delta.generationExpression");
    if (!strcmp(f, "identityColumns")) return schema_mentions(st, "delta.identity.");
    if (!strcmp(f, "checkConstraints")) {
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(st->metadata, "configuration"), k, v)
        {
            if (!strncmp(k, "delta.constraints.", 18)) return true;
        }
    }
    return false;
}

int dlk_core__check_writable(const dlk_txn_state *st)
{
    int r, w;
    versions(st->protocol, &r, &w);
    if (w > 7)
        return dlk_err_set(DLK_UNSUPPORTED, "writer version %d (this writer supports 2-7)", w);
    const char *cm = dlk_core__state_config(st, "delta.columnMapping.mode");
    if (dlk_ops__cm_mode_of(cm) < 0)
        return dlk_err_set(DLK_UNSUPPORTED, "delta.columnMapping.mode '%s'", cm);
    if (w < 7) {
        if (w < 5 && dlk_ops__cm_mode_of(cm) > 0)
            return dlk_err_set(DLK_UNSUPPORTED, "column mapping (mode %s) with writer version %d",
                               cm, w);
        for (size_t i = 0; i < N_LEGACY; i++)
            if (w >= LEGACY[i].writer && IN(WRITABLE_UNUSED, LEGACY[i].name) &&
                feature_in_use(st, LEGACY[i].name))
                return dlk_err_set(DLK_UNSUPPORTED, "writer feature %s (in use)", LEGACY[i].name);
        return DLK_OK;
    }
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(st->protocol, "writerFeatures"), i, f)
    {
        const char *n = json_string_value(f);
        if (!n) return dlk_err_set(DLK_UNSUPPORTED, "writer feature (not a string)");
        if (IN(WRITABLE, n)) continue;
        if (IN(WRITABLE_UNUSED, n) && !feature_in_use(st, n)) continue;
        return dlk_err_set(DLK_UNSUPPORTED, "writer feature %s%s", n,
                           IN(WRITABLE_UNUSED, n) ? " (in use)" : "");
    }
    if (dlk_ops__cm_mode_of(cm) > 0 && !dlk_core__protocol_supports(st->protocol, "columnMapping"))
        return dlk_err_set(DLK_CORRUPT,
                           "delta.columnMapping.mode is %s but the protocol does not list the "
                           "columnMapping feature",
                           cm);
    return DLK_OK;
}

/* ---- metadata against protocol (typed, for check) ---------------------------- */

static bool typed_supports(const dlk_protocol_action *p, const char *f, bool reader)
{
    if (p->min_writer_version >= 7) {
        bool ok = false;
        for (size_t i = 0; i < p->n_writer_features; i++)
            ok |= !strcmp(p->writer_features[i], f);
        if (!ok) return false;
    } else {
        bool ok = false;
        for (size_t i = 0; i < N_LEGACY; i++)
            if (!strcmp(LEGACY[i].name, f)) ok = p->min_writer_version >= LEGACY[i].writer;
        if (!ok) return false;
    }
    if (!reader || !dlk_core__feature_is_reader(f)) return true;
    if (p->min_reader_version >= 3) {
        for (size_t i = 0; i < p->n_reader_features; i++)
            if (!strcmp(p->reader_features[i], f)) return true;
        return false;
    }
    return !strcmp(f, "columnMapping") && p->min_reader_version >= 2;
}

static bool schema_has_format(const struct ArrowSchema *s, const char *fmt)
{
    if (s->format && !strcmp(s->format, fmt)) return true;
    for (int64_t i = 0; i < s->n_children; i++)
        if (schema_has_format(s->children[i], fmt)) return true;
    return false;
}

const char *dlk_core__protocol_missing_feature(const dlk_protocol_action *p,
                                               const dlk_metadata_action *m,
                                               const struct ArrowSchema *schema)
{
    bool found;
    const char *cm = dlk_kvs_get(&m->configuration, "delta.columnMapping.mode", &found);
    if (cm && dlk_ops__cm_mode_of(cm) > 0 && !typed_supports(p, "columnMapping", true))
        return "columnMapping";
    const char *dv = dlk_kvs_get(&m->configuration, "delta.enableDeletionVectors", &found);
    if (dv && dlk_str_ieq(dv, "true") && !typed_supports(p, "deletionVectors", true))
        return "deletionVectors";
    const char *cdf = dlk_kvs_get(&m->configuration, "delta.enableChangeDataFeed", &found);
    if (cdf && dlk_str_ieq(cdf, "true") && !typed_supports(p, "changeDataFeed", false))
        return "changeDataFeed";
    if (schema && schema_has_format(schema, "tsu:") && !typed_supports(p, "timestampNtz", true))
        return "timestampNtz";
    return NULL;
}

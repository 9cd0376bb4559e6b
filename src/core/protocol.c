/*
 * core/protocol.c - the protocol on the write side: feature support,
 * the one upgrade, the writability check (see core/protocol.h).
 */
#include "core/protocol.h"
#include "core/colmap.h"
#include "core/snapshot.h"
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

static bool listed(const char *const *l, size_t n, const char *s)
{
    for (size_t i = 0; l && i < n; i++)
        if (l[i] && !strcmp(l[i], s)) return true;
    return false;
}

bool dlk_core__protocol_supports_for(const dlk_protocol_action *p, const char *f, bool reader)
{
    if (!p) return false;
    if (p->min_writer_version >= 7) {
        if (!listed(p->writer_features, p->n_writer_features, f)) return false;
    } else {
        bool ok = false;
        for (size_t i = 0; i < N_LEGACY; i++)
            if (!strcmp(LEGACY[i].name, f)) ok = p->min_writer_version >= LEGACY[i].writer;
        if (!ok) return false;
    }
    if (!reader || !dlk_core__feature_is_reader(f)) return true;
    if (p->min_reader_version >= 3) return listed(p->reader_features, p->n_reader_features, f);
    return !strcmp(f, "columnMapping") && p->min_reader_version >= 2;
}

bool dlk_core__protocol_supports(const dlk_protocol_action *p, const char *feature)
{
    return dlk_core__protocol_supports_for(p, feature, false);
}

/* A feature list being built (strings borrowed: static names or the old
 * protocol's). */
typedef struct {
    const char *v[64];
    size_t n;
} flist;

static void add_unique(flist *l, const char *s)
{
    if (!s || listed(l->v, l->n, s) || l->n == sizeof l->v / sizeof *l->v) return;
    l->v[l->n++] = s;
}

static int flist_out(dlk_arena *a, const flist *l, const char ***out, size_t *n)
{
    *out = dlk_arena_alloc(a, (l->n ? l->n : 1) * sizeof(char *));
    if (!*out) return dlk_err_nomem();
    for (size_t i = 0; i < l->n; i++)
        if (!((*out)[i] = dlk_arena_strdup(a, l->v[i]))) return dlk_err_nomem();
    *n = l->n;
    return DLK_OK;
}

int dlk_core__protocol_upgrade(const dlk_protocol_action *proto, const char *const *feats, size_t n,
                               dlk_arena *a, dlk_protocol_action *out, bool *changed)
{
    memset(out, 0, sizeof *out);
    *changed = false;
    int r = proto ? proto->min_reader_version : 1, w = proto ? proto->min_writer_version : 2;
    bool need = !proto, need_reader = false;
    for (size_t i = 0; i < n; i++) {
        if (!dlk_core__protocol_supports_for(proto, feats[i], true)) need = true;
        if (dlk_core__feature_is_reader(feats[i]) &&
            !dlk_core__protocol_supports_for(proto, feats[i], true))
            need_reader = true;
    }
    if (!need) {
        *out = *proto;
        return DLK_OK;
    }
    *changed = true;
    if (!proto && n == 0) {
        out->min_reader_version = 1;
        out->min_writer_version = 2;
        return DLK_OK;
    }
    flist rf = {0}, wf = {0};
    /* what the old protocol supports, as feature lists */
    if (proto) {
        if (w >= 7) {
            for (size_t i = 0; i < proto->n_writer_features; i++)
                add_unique(&wf, proto->writer_features[i]);
        } else {
            for (size_t i = 0; i < N_LEGACY; i++)
                if (w >= LEGACY[i].writer) add_unique(&wf, LEGACY[i].name);
        }
        if (r >= 3) {
            for (size_t i = 0; i < proto->n_reader_features; i++)
                add_unique(&rf, proto->reader_features[i]);
        } else {
            for (size_t i = 0; i < N_LEGACY; i++)
                if (LEGACY[i].reader && r >= LEGACY[i].reader &&
                    dlk_core__protocol_supports(proto, LEGACY[i].name))
                    add_unique(&rf, LEGACY[i].name);
        }
    }
    for (size_t i = 0; i < n; i++) {
        add_unique(&wf, feats[i]);
        if (dlk_core__feature_is_reader(feats[i])) add_unique(&rf, feats[i]);
    }
    /* a reader-writer feature the old protocol supported through its legacy
     * writer version is needed by readers too once listed */
    bool reader3 = need_reader || r >= 3;
    if (reader3)
        for (size_t i = 0; i < wf.n; i++)
            if (dlk_core__feature_is_reader(wf.v[i])) add_unique(&rf, wf.v[i]);
    out->min_reader_version = reader3 ? 3 : (r < 1 ? 1 : r);
    out->min_writer_version = 7;
    int rc = flist_out(a, &wf, &out->writer_features, &out->n_writer_features);
    if (!rc && reader3) rc = flist_out(a, &rf, &out->reader_features, &out->n_reader_features);
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
    const char *ss = st->metadata ? st->metadata->schema_string : NULL;
    return ss && strstr(ss, needle);
}

/* Is the writer feature `f` in use by the table (so a writer must
 * implement it)? */
static bool feature_in_use(const dlk_txn_state *st, const char *f)
{
    if (!strcmp(f, "changeDataFeed")) return config_true(st, "delta.enableChangeDataFeed");
    if (!strcmp(f, "generatedColumns")) return schema_mentions(st, "delta.generationExpression");
    if (!strcmp(f, "identityColumns")) return schema_mentions(st, "delta.identity.");
    if (!strcmp(f, "checkConstraints") && st->metadata) {
        const dlk_kvs *c = &st->metadata->configuration;
        for (size_t i = 0; i < c->n; i++)
            if (!strncmp(c->items[i].key, "delta.constraints.", 18)) return true;
    }
    return false;
}

int dlk_core__check_writable(const dlk_txn_state *st)
{
    /* never write what we cannot fully read */
    int rc = st->protocol ? dlk_core_protocol_check_read(st->protocol) : DLK_OK;
    if (rc) return rc;
    int w = st->protocol ? st->protocol->min_writer_version : 0;
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
    for (size_t i = 0; i < st->protocol->n_writer_features; i++) {
        const char *n = st->protocol->writer_features[i];
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
    if (cm && dlk_ops__cm_mode_of(cm) > 0 &&
        !dlk_core__protocol_supports_for(p, "columnMapping", true))
        return "columnMapping";
    const char *dv = dlk_kvs_get(&m->configuration, "delta.enableDeletionVectors", &found);
    if (dv && dlk_str_ieq(dv, "true") &&
        !dlk_core__protocol_supports_for(p, "deletionVectors", true))
        return "deletionVectors";
    const char *cdf = dlk_kvs_get(&m->configuration, "delta.enableChangeDataFeed", &found);
    if (cdf && dlk_str_ieq(cdf, "true") &&
        !dlk_core__protocol_supports_for(p, "changeDataFeed", false))
        return "changeDataFeed";
    if (schema && schema_has_format(schema, "tsu:") &&
        !dlk_core__protocol_supports_for(p, "timestampNtz", true))
        return "timestampNtz";
    return NULL;
}

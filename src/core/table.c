/*
 * core/table.c - table handles, snapshot loading (segment -> replay ->
 * protocol check -> schema -> file list), metadata accessors and time travel
 * by timestamp (commit file mtimes, or in-commit timestamps when enabled).
 */
#include "arrow/arrow.h"
#include "core/schema.h"
#include "core/snapshot.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/time.h"
#include <jansson.h>
#include <string.h>

int dlk_table_open_storage(dlk_storage *storage, dlk_table **out)
{
    *out = NULL;
    dlk_table *t = dlk_calloc(1, sizeof *t);
    if (!t) return dlk_err_nomem();
    t->location = dlk_strdup(dlk_storage_root(storage));
    if (!t->location) {
        dlk_free(t);
        return dlk_err_nomem();
    }
    t->storage = storage;
    *out = t;
    return DLK_OK;
}

int dlk_table_open(const char *location, dlk_table **out)
{
    *out = NULL;
    dlk_storage *s = NULL;
    int rc = dlk_storage_open(location, &s);
    if (rc) return rc;
    rc = dlk_table_open_storage(s, out);
    if (rc) dlk_storage_free(&s);
    return rc;
}

void dlk_table_free(dlk_table **t)
{
    if (!t || !*t) return;
    dlk_storage_free(&(*t)->storage);
    dlk_free((*t)->location);
    dlk_free(*t);
    *t = NULL;
}

dlk_storage *dlk_table_storage(dlk_table *t)
{
    return t ? t->storage : NULL;
}

void dlk_snapshot_free(dlk_snapshot **s)
{
    if (!s || !*s) return;
    dlk_arrow_schema_release(&(*s)->schema);
    dlk_log_state_free(&(*s)->st);
    dlk_free((*s)->files);
    dlk_free(*s);
    *s = NULL;
}

static bool ict_enabled(const dlk_metadata_action *m)
{
    const char *v = dlk_kvs_get(&m->configuration, "delta.enableInCommitTimestamps", NULL);
    return v && dlk_str_ieq(v, "true");
}

static int build_files(dlk_snapshot *snap)
{
    dlk_log_state *st = &snap->st;
    const dlk_metadata_action *m = st->metadata;
    size_t np = m->n_partition_columns;
    /* physical names of partition columns */
    const char **phys = dlk_arena_alloc(&st->arena, (np ? np : 1) * sizeof *phys);
    if (!phys) return dlk_err_nomem();
    for (size_t i = 0; i < np; i++) {
        phys[i] = m->partition_columns[i];
        int64_t idx = dlk_arrow_schema_find(&snap->schema, m->partition_columns[i]);
        if (idx < 0)
            return dlk_err_set(DLK_CORRUPT, "metaData: partition column '%s' is not in the schema",
                               m->partition_columns[i]);
        char buf[512];
        const char *pn = dlk_core_field_physical_name(snap->schema.children[idx], buf, sizeof buf);
        if (pn != snap->schema.children[idx]->name) {
            phys[i] = dlk_arena_strdup(&st->arena, pn);
            if (!phys[i]) return dlk_err_nomem();
        }
    }
    snap->n_files = st->n_active;
    snap->files = dlk_calloc(st->n_active ? st->n_active : 1, sizeof *snap->files);
    if (!snap->files) return dlk_err_nomem();
    for (size_t i = 0; i < st->n_active; i++) {
        const dlk_add_action *a = st->active[i];
        dlk_file_info *f = &snap->files[i];
        f->path = st->active_paths[i];
        f->raw_path = a->path;
        f->size = a->size;
        f->modification_time = a->modification_time;
        f->stats = a->stats;
        f->has_deletion_vector = a->dv != NULL;
        f->deleted_rows = a->dv ? a->dv->cardinality : 0;
        f->n_partition_values = np;
        f->partition_keys = (const char *const *)m->partition_columns;
        if (np) {
            const char **vals = dlk_arena_alloc(&st->arena, np * sizeof *vals);
            if (!vals) return dlk_err_nomem();
            for (size_t j = 0; j < np; j++) {
                bool found = false;
                vals[j] = dlk_kvs_get(&a->partition_values, phys[j], &found);
                if (!found && phys[j] != m->partition_columns[j])
                    vals[j] = dlk_kvs_get(&a->partition_values, m->partition_columns[j], &found);
                if (vals[j] && !vals[j][0]) vals[j] = NULL; /* empty string = null */
            }
            f->partition_values = vals;
        }
    }
    return DLK_OK;
}

int dlk_core_snapshot_load(dlk_table *t, int64_t version, dlk_snapshot **out)
{
    *out = NULL;
    dlk_log_segment seg;
    int rc = dlk_log_segment_build(t->storage, version, &seg);
    if (rc) return dlk_err_context(rc, "%s", t->location);
    dlk_snapshot *snap = dlk_calloc(1, sizeof *snap);
    if (!snap) {
        dlk_log_segment_free(&seg);
        return dlk_err_nomem();
    }
    snap->table = t;
    snap->storage = t->storage;
    snap->version = seg.version;
    rc = dlk_log_replay(t->storage, &seg, &snap->st);
    dlk_log_segment_free(&seg);
    if (rc) goto fail;
    if (!snap->st.protocol) {
        rc = dlk_err_set(DLK_CORRUPT, "version %lld: no protocol action found in the log",
                         (long long)snap->version);
        goto fail;
    }
    if (!snap->st.metadata) {
        rc = dlk_err_set(DLK_CORRUPT, "version %lld: no metaData action found in the log",
                         (long long)snap->version);
        goto fail;
    }
    if ((rc = dlk_core_protocol_check_read(snap->st.protocol))) goto fail;
    if ((rc = dlk_core_schema_from_json(snap->st.metadata->schema_string, &snap->schema)))
        goto fail;
    const char *cm =
        dlk_kvs_get(&snap->st.metadata->configuration, "delta.columnMapping.mode", NULL);
    if (cm && strcmp(cm, "name") == 0)
        snap->cm_mode = DLK_CM_NAME;
    else if (cm && strcmp(cm, "id") == 0)
        snap->cm_mode = DLK_CM_ID;
    else if (cm && strcmp(cm, "none") != 0) {
        rc = dlk_err_set(DLK_UNSUPPORTED, "delta.columnMapping.mode '%s' is not supported", cm);
        goto fail;
    }
    if ((rc = build_files(snap))) goto fail;
    snap->timestamp_ms = snap->st.last_commit_mtime_ms;
    if (ict_enabled(snap->st.metadata) && snap->st.last_commit_info &&
        snap->st.last_commit_info->has_in_commit_timestamp)
        snap->timestamp_ms = snap->st.last_commit_info->in_commit_timestamp;
    *out = snap;
    return DLK_OK;
fail:
    rc = dlk_err_context(rc, "%s", t->location);
    dlk_snapshot_free(&snap);
    return rc;
}

int dlk_table_snapshot(dlk_table *t, int64_t version, dlk_snapshot **out)
{
    *out = NULL;
    if (!t) return dlk_err_set(DLK_INVALID_ARGUMENT, "table is NULL");
    return dlk_core_snapshot_load(t, version < 0 ? -1 : version, out);
}

/* inCommitTimestamp of a commit file (its commitInfo), or -1. */
static int64_t commit_ict(dlk_storage *s, const char *key)
{
    uint8_t *data = NULL;
    size_t n = 0;
    if (dlk_storage_get(s, key, &data, &n)) return -1;
    int64_t ts = -1;
    size_t pos = 0;
    while (pos < n && ts < 0) {
        const uint8_t *nl = memchr(data + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - data) : n;
        json_t *o = json_loadb((const char *)data + pos, end - pos, 0, NULL);
        json_t *ci = o ? json_object_get(o, "commitInfo") : NULL;
        json_t *v = ci ? json_object_get(ci, "inCommitTimestamp") : NULL;
        if (v && json_is_integer(v)) ts = json_integer_value(v);
        bool stop = ci != NULL;
        json_decref(o);
        if (stop) break;
        pos = end + 1;
    }
    dlk_storage_bytes_free(data);
    return ts;
}

static void fmt_ms(int64_t ms, char *out)
{
    dlk_format_timestamp(ms * 1000, true, out);
}

int dlk_table_snapshot_at(dlk_table *t, int64_t ts, dlk_snapshot **out)
{
    *out = NULL;
    dlk_snapshot *latest = NULL;
    int rc = dlk_table_snapshot(t, -1, &latest);
    if (rc) return rc;
    dlk_log_file *commits = NULL;
    size_t n = 0;
    if ((rc = dlk_log_list_commits(t->storage, &commits, &n))) goto done;
    if (n == 0) {
        rc = dlk_err_set(DLK_NOT_FOUND, "%s: no commit files to time travel with", t->location);
        goto done;
    }
    int64_t *times = dlk_calloc(n, sizeof *times);
    if (!times) {
        rc = dlk_err_nomem();
        goto done;
    }
    int64_t en_version = -1, en_ts = INT64_MIN;
    if (ict_enabled(latest->st.metadata)) {
        const dlk_kvs *cfg = &latest->st.metadata->configuration;
        const char *ev = dlk_kvs_get(cfg, "delta.inCommitTimestampEnablementVersion", NULL);
        const char *et = dlk_kvs_get(cfg, "delta.inCommitTimestampEnablementTimestamp", NULL);
        en_version = 0;
        if (ev && dlk_parse_i64(ev, &en_version)) en_version = 0;
        if (et && dlk_parse_i64(et, &en_ts)) en_ts = INT64_MIN;
        dlk_error_clear();
    }
    /* Candidate commits: with ICT and ts >= enablement timestamp, versions >=
     * the enablement version (their in-commit timestamps); otherwise the
     * others (their file mtimes, made monotonic as Delta readers do). */
    bool use_ict = en_version >= 0 && (ts >= en_ts || en_ts == INT64_MIN);
    size_t lo = 0, hi = n; /* candidate range [lo, hi) */
    if (en_version >= 0) {
        size_t k = 0;
        while (k < n && commits[k].version < en_version)
            k++;
        if (use_ict)
            lo = k;
        else
            hi = k;
    }
    int64_t prev = INT64_MIN;
    for (size_t i = lo; i < hi; i++) {
        if (use_ict)
            times[i] = commit_ict(t->storage, commits[i].key);
        else {
            times[i] = commits[i].mtime_ms;
            if (prev != INT64_MIN && times[i] <= prev) times[i] = prev + 1;
        }
        prev = times[i];
    }
    char a[40], b[40], c[40];
    if (lo >= hi) {
        rc = dlk_err_set(DLK_NOT_FOUND, "%s: no commits available to resolve a timestamp",
                         t->location);
    } else if (ts < times[lo]) {
        fmt_ms(ts, a);
        fmt_ms(times[lo], b);
        rc =
            dlk_err_set(DLK_NOT_FOUND,
                        "timestamp %s is before the earliest available commit (version %lld at %s)",
                        a, (long long)commits[lo].version, b);
    } else if (ts > times[hi - 1] && hi == n) {
        fmt_ms(ts, a);
        fmt_ms(times[hi - 1], b);
        rc = dlk_err_set(DLK_NOT_FOUND,
                         "timestamp %s is after the latest commit (version %lld at %s)", a,
                         (long long)commits[hi - 1].version, b);
    } else {
        size_t best = lo;
        for (size_t i = lo; i < hi; i++)
            if (times[i] <= ts) best = i;
        (void)c;
        rc = dlk_table_snapshot(t, commits[best].version, out);
    }
    dlk_free(times);
done:
    dlk_log_files_free(commits, n);
    dlk_snapshot_free(&latest);
    return rc;
}

int dlk_table_snapshot_at_text(dlk_table *t, const char *text, dlk_snapshot **out)
{
    *out = NULL;
    int64_t us;
    bool zone;
    int rc = dlk_parse_timestamp(text, strlen(text), &us, &zone);
    if (rc) return rc;
    /* round up to the millisecond: a commit at .5 ms still counts */
    int64_t ms = us / 1000 + (us % 1000 > 0 ? 1 : 0);
    return dlk_table_snapshot_at(t, ms, out);
}

/* ---- accessors ---- */

int64_t dlk_snapshot_version(const dlk_snapshot *s)
{
    return s->version;
}
int64_t dlk_snapshot_timestamp(const dlk_snapshot *s)
{
    return s->timestamp_ms;
}
const struct ArrowSchema *dlk_snapshot_schema(const dlk_snapshot *s)
{
    return &s->schema;
}
const char *dlk_snapshot_schema_string(const dlk_snapshot *s)
{
    return s->st.metadata->schema_string;
}
size_t dlk_snapshot_partition_column_count(const dlk_snapshot *s)
{
    return s->st.metadata->n_partition_columns;
}
const char *dlk_snapshot_partition_column(const dlk_snapshot *s, size_t i)
{
    return i < s->st.metadata->n_partition_columns ? s->st.metadata->partition_columns[i] : NULL;
}
size_t dlk_snapshot_property_count(const dlk_snapshot *s)
{
    return s->st.metadata->configuration.n;
}
void dlk_snapshot_property(const dlk_snapshot *s, size_t i, const char **key, const char **value)
{
    const dlk_kvs *c = &s->st.metadata->configuration;
    *key = i < c->n ? c->items[i].key : NULL;
    *value = i < c->n ? c->items[i].value : NULL;
}
const char *dlk_snapshot_property_get(const dlk_snapshot *s, const char *key)
{
    return dlk_kvs_get(&s->st.metadata->configuration, key, NULL);
}
const char *dlk_snapshot_table_id(const dlk_snapshot *s)
{
    return s->st.metadata->id;
}
const char *dlk_snapshot_table_name(const dlk_snapshot *s)
{
    return s->st.metadata->name;
}
const char *dlk_snapshot_description(const dlk_snapshot *s)
{
    return s->st.metadata->description;
}
int64_t dlk_snapshot_created_time(const dlk_snapshot *s)
{
    return s->st.metadata->has_created_time ? s->st.metadata->created_time : -1;
}
void dlk_snapshot_protocol(const dlk_snapshot *s, int *min_reader, int *min_writer)
{
    if (min_reader) *min_reader = s->st.protocol->min_reader_version;
    if (min_writer) *min_writer = s->st.protocol->min_writer_version;
}
size_t dlk_snapshot_reader_features(const dlk_snapshot *s, const char *const **out)
{
    *out = (const char *const *)s->st.protocol->reader_features;
    return s->st.protocol->n_reader_features;
}
size_t dlk_snapshot_writer_features(const dlk_snapshot *s, const char *const **out)
{
    *out = (const char *const *)s->st.protocol->writer_features;
    return s->st.protocol->n_writer_features;
}
const char *dlk_snapshot_column_mapping_mode(const dlk_snapshot *s)
{
    return s->cm_mode == DLK_CM_NAME ? "name" : s->cm_mode == DLK_CM_ID ? "id" : "none";
}
int dlk_snapshot_txn_version(const dlk_snapshot *s, const char *app_id, int64_t *version)
{
    dlk_txn_action *t = dlk_map_get_str(&s->st.txns, app_id);
    if (!t) return dlk_err_set(DLK_NOT_FOUND, "no transaction for application '%s'", app_id);
    *version = t->version;
    return DLK_OK;
}
const char *dlk_snapshot_domain_metadata(const dlk_snapshot *s, const char *domain)
{
    dlk_domain_metadata_action *d = dlk_map_get_str(&s->st.domains, domain);
    return d ? d->configuration : NULL;
}
size_t dlk_snapshot_file_count(const dlk_snapshot *s)
{
    return s->n_files;
}
const dlk_file_info *dlk_snapshot_file(const dlk_snapshot *s, size_t i)
{
    return i < s->n_files ? &s->files[i] : NULL;
}

/*
 * check/check.c - `deltalake check`: the log (versions contiguous from the
 * earliest start point, each commit parses, one protocol / metaData per
 * commit, _last_checkpoint consistent) and the replayed state (one protocol
 * and metaData, schemaString parses, partition columns exist); then hands the
 * snapshot to check_files.c for the data files. See deltalake/check.h.
 */
#include "core/protocol.h"
#include "core/schema.h"
#include "arrow/arrow.h"
#include "log/replay.h"
#include "log/segment.h"
#include "check/check_int.h"
#include "util/alloc.h"
#include "util/error.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_DIR "_delta_log/"

int dlk_ops__check_add(dlk_check_ctx *c, const char *code, int64_t version, const char *path,
                       const char *fmt, ...)
{
    if (c->findings.len >= c->max_findings) {
        c->full = true;
        return DLK_OK;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dlk_check_finding f = {code, version, NULL, dlk_arena_strdup(&c->arena, msg)};
    if (path) f.path = dlk_arena_strdup(&c->arena, path);
    if (!f.message || (path && !f.path)) return dlk_err_nomem();
    return dlk_vec_push(&c->findings, &f);
}

/* ---- the log listing ---- */

typedef struct {
    int64_t version;
    dlk_checkpoint_kind kind;
    int parts;    /* parts of a multi-part checkpoint (1 otherwise) */
    int have;     /* parts present */
    int64_t size; /* bytes (single-file checkpoints) */
} cp_info;

typedef struct {
    dlk_storage_list list;
    dlk_vec commits; /* size_t index into list of each commit, ascending version */
    dlk_vec cps;     /* cp_info */
    int64_t latest;
} log_listing;

static cp_info *find_cp(log_listing *l, int64_t v, dlk_checkpoint_kind kind, int parts)
{
    for (size_t i = 0; i < l->cps.len; i++) {
        cp_info *c = &dlk_vec_at(&l->cps, cp_info, i);
        if (c->version == v && c->kind == kind && c->parts == parts) return c;
    }
    return NULL;
}

static bool complete_cp_at_or_after(log_listing *l, int64_t v)
{
    for (size_t i = 0; i < l->cps.len; i++) {
        cp_info *c = &dlk_vec_at(&l->cps, cp_info, i);
        if (c->version >= v && c->have == c->parts) return true;
    }
    return false;
}

static int list_log(dlk_check_ctx *c, log_listing *l)
{
    memset(l, 0, sizeof *l);
    l->commits = (dlk_vec)DLK_VEC_INIT(size_t);
    l->cps = (dlk_vec)DLK_VEC_INIT(cp_info);
    l->latest = -1;
    int rc = dlk_storage_list_prefix(c->storage, LOG_DIR, NULL, &l->list);
    if (rc) return rc;
    for (size_t i = 0; i < l->list.count && !rc; i++) {
        const char *name = l->list.entries[i].key + strlen(LOG_DIR);
        if (strchr(name, '/')) continue; /* _sidecars/ etc. */
        int64_t v;
        dlk_checkpoint_kind kind;
        int part = 1, parts = 1;
        dlk_log_file_type t = dlk_log_parse_name(name, &v, &kind, &part, &parts);
        if (t == DLK_LF_COMMIT) {
            rc = dlk_vec_push(&l->commits, &i);
        } else if (t == DLK_LF_CHECKPOINT) {
            if (kind != DLK_CP_MULTIPART) parts = 1;
            cp_info *cp = find_cp(l, v, kind, parts);
            if (!cp) {
                cp_info n = {v, kind, parts, 0, l->list.entries[i].size};
                if ((rc = dlk_vec_push(&l->cps, &n))) break;
                cp = &dlk_vec_at(&l->cps, cp_info, l->cps.len - 1);
            }
            cp->have++;
        } else {
            continue;
        }
        if (v > l->latest) l->latest = v;
    }
    return rc;
}

static void listing_free(log_listing *l)
{
    dlk_storage_list_free(&l->list);
    dlk_vec_free(&l->commits);
    dlk_vec_free(&l->cps);
}

static int64_t commit_version(log_listing *l, size_t i)
{
    const char *name = l->list.entries[dlk_vec_at(&l->commits, size_t, i)].key + strlen(LOG_DIR);
    int64_t v = -1;
    dlk_checkpoint_kind k;
    int a, b;
    dlk_log_parse_name(name, &v, &k, &a, &b);
    return v;
}

/* Versions contiguous; a start point exists. */
static int check_versions(dlk_check_ctx *c, log_listing *l)
{
    int rc = DLK_OK;
    size_t n = l->commits.len;
    if (n == 0) return DLK_OK;
    int64_t first = commit_version(l, 0);
    if (first > 0 && !complete_cp_at_or_after(l, first - 1))
        rc = dlk_ops__check_add(
            c, "log_start", first, NULL,
            "the log starts at version %lld without a complete checkpoint at or after "
            "version %lld to start from (commits 0..%lld are missing)",
            (long long)first, (long long)(first - 1), (long long)(first - 1));
    int64_t prev = first;
    for (size_t i = 1; i < n && !rc; i++) {
        int64_t v = commit_version(l, i);
        for (int64_t m = prev + 1; m < v && !rc; m++) {
            if (complete_cp_at_or_after(l, m)) continue; /* cleaned before a checkpoint */
            rc = dlk_ops__check_add(
                c, "version_gap", m, NULL,
                "commit %020lld.json is missing: versions %lld and %lld are not contiguous",
                (long long)m, (long long)prev, (long long)v);
        }
        prev = v;
    }
    /* checkpoints newer than the last commit need the commits up to them */
    return rc;
}

/* Every commit parses; at most one protocol / metaData in each. */
static int check_commits(dlk_check_ctx *c, log_listing *l)
{
    int rc = DLK_OK;
    for (size_t i = 0; i < l->commits.len && !rc && !c->full; i++) {
        const dlk_storage_entry *e = &l->list.entries[dlk_vec_at(&l->commits, size_t, i)];
        int64_t v = commit_version(l, i);
        uint8_t *data = NULL;
        size_t n = 0;
        if (dlk_storage_get(c->storage, e->key, &data, &n)) {
            rc = dlk_ops__check_add(c, "commit_parse", v, e->key, "cannot read: %s",
                                    dlk_error_last()->message);
            continue;
        }
        c->pub.commits_read++;
        if (dlk_log_commit_is_empty((const char *)data, n)) {
            rc = dlk_ops__check_add(c, "empty_commit", v, e->key,
                                    "empty commit file (%zu bytes, no actions): its version's "
                                    "changes are lost",
                                    n);
            dlk_storage_bytes_free(data);
            continue;
        }
        dlk_arena a = {0};
        size_t pos = 0, line = 0;
        int n_proto = 0, n_meta = 0;
        while (pos < n && !rc) {
            const uint8_t *nl = memchr(data + pos, '\n', n - pos);
            size_t end = nl ? (size_t)(nl - data) : n;
            line++;
            dlk_action act;
            if (dlk_log_action_parse((const char *)data + pos, end - pos, &a, &act)) {
                rc = dlk_ops__check_add(c, "commit_parse", v, e->key, "line %zu: %s", line,
                                        dlk_error_last()->message);
                break; /* one finding a commit */
            } else if (act.kind == DLK_ACTION_PROTOCOL) {
                n_proto++;
            } else if (act.kind == DLK_ACTION_METADATA) {
                n_meta++;
            }
            pos = end + 1;
        }
        dlk_arena_free(&a);
        dlk_storage_bytes_free(data);
        if (!rc && n_proto > 1)
            rc = dlk_ops__check_add(c, "duplicate_protocol", v, e->key,
                                    "%d protocol actions in one commit", n_proto);
        if (!rc && n_meta > 1)
            rc = dlk_ops__check_add(c, "duplicate_metadata", v, e->key,
                                    "%d metaData actions in one commit", n_meta);
        if (!rc && v == 0 && !n_proto)
            rc = dlk_ops__check_add(c, "missing_protocol", 0, e->key,
                                    "version 0 has no protocol action");
        if (!rc && v == 0 && !n_meta)
            rc = dlk_ops__check_add(c, "missing_metadata", 0, e->key,
                                    "version 0 has no metaData action");
    }
    return rc;
}

static int check_last_checkpoint(dlk_check_ctx *c, log_listing *l)
{
    const char *key = LOG_DIR "_last_checkpoint";
    uint8_t *data = NULL;
    size_t n = 0;
    if (dlk_storage_get(c->storage, key, &data, &n)) {
        dlk_error_clear();
        return DLK_OK; /* optional */
    }
    json_error_t je;
    json_t *j = json_loadb((const char *)data, n, 0, &je);
    dlk_storage_bytes_free(data);
    int rc = DLK_OK;
    json_t *jv = json_object_get(j, "version");
    if (!j || !json_is_integer(jv)) {
        rc = dlk_ops__check_add(c, "last_checkpoint", -1, key, "%s",
                                j ? "no integer \"version\"" : je.text);
        json_decref(j);
        return rc;
    }
    int64_t v = json_integer_value(jv);
    json_t *jp = json_object_get(j, "parts");
    cp_info *found = NULL;
    for (size_t i = 0; i < l->cps.len; i++) {
        cp_info *cp = &dlk_vec_at(&l->cps, cp_info, i);
        if (cp->version != v || cp->have != cp->parts) continue;
        if (jp && json_is_integer(jp) &&
            (cp->kind != DLK_CP_MULTIPART || cp->parts != json_integer_value(jp)))
            continue;
        found = cp;
    }
    if (!found) {
        rc = dlk_ops__check_add(c, "last_checkpoint", v, key,
                                "names version %lld%s but there is no complete checkpoint of it",
                                (long long)v, jp ? " (with parts)" : "");
    } else {
        json_t *js = json_object_get(j, "sizeInBytes");
        /* single-file checkpoints without sidecars only: with v2 sidecars the
         * size counts them too */
        bool sidecars = false;
        for (size_t i = 0; i < l->list.count; i++)
            if (!strncmp(l->list.entries[i].key, LOG_DIR "_sidecars/",
                         strlen(LOG_DIR "_sidecars/")))
                sidecars = true;
        if (js && json_is_integer(js) && found->kind == DLK_CP_CLASSIC && !sidecars &&
            json_integer_value(js) != found->size)
            rc = dlk_ops__check_add(c, "last_checkpoint", v, key,
                                    "sizeInBytes %lld but the checkpoint has %lld bytes",
                                    (long long)json_integer_value(js), (long long)found->size);
    }
    if (!rc && v > l->latest)
        rc = dlk_ops__check_add(c, "last_checkpoint", v, key,
                                "names version %lld after the latest %lld", (long long)v,
                                (long long)l->latest);
    json_decref(j);
    return rc;
}

/* Replayed state: one protocol and metaData, schema, partition columns;
 * then the snapshot for the data checks. */
static int check_state(dlk_check_ctx *c, dlk_snapshot **snap_out)
{
    *snap_out = NULL;
    dlk_log_segment seg;
    if (dlk_log_segment_build(c->storage, -1, &seg))
        return dlk_ops__check_add(c, "snapshot", -1, NULL, "cannot build the log segment: %s",
                                  dlk_error_last()->message);
    c->pub.version = seg.version;
    dlk_log_state st;
    int rc = DLK_OK;
    if (dlk_log_replay_ex(c->storage, &seg, DLK_REPLAY_NO_ACTIVE, &st)) {
        rc = dlk_ops__check_add(c, "snapshot", seg.version, NULL, "log replay failed: %s",
                                dlk_error_last()->message);
        dlk_log_state_free(&st);
        dlk_log_segment_free(&seg);
        return rc;
    }
    dlk_log_segment_free(&seg);
    bool sound = true;
    if (!st.protocol) {
        sound = false;
        rc = dlk_ops__check_add(c, "missing_protocol", st.version, NULL,
                                "no protocol action in the replayed state");
    }
    if (!rc && !st.metadata) {
        sound = false;
        rc = dlk_ops__check_add(c, "missing_metadata", st.version, NULL,
                                "no metaData action in the replayed state");
    }
    if (!rc && st.metadata) {
        struct ArrowSchema sc = {0};
        if (dlk_core_schema_from_json(st.metadata->schema_string, &sc)) {
            sound = false;
            rc = dlk_ops__check_add(c, "schema", st.version, NULL,
                                    "schemaString does not parse: %s", dlk_error_last()->message);
        } else {
            for (size_t i = 0; i < st.metadata->n_partition_columns && !rc; i++) {
                if (dlk_arrow_schema_find(&sc, st.metadata->partition_columns[i]) < 0) {
                    sound = false;
                    rc = dlk_ops__check_add(c, "partition_column", st.version, NULL,
                                            "partition column '%s' is not in the schema",
                                            st.metadata->partition_columns[i]);
                }
            }
            const char *miss =
                st.protocol ? dlk_core__protocol_missing_feature(st.protocol, st.metadata, &sc)
                            : NULL;
            if (!rc && miss)
                rc = dlk_ops__check_add(c, "protocol_feature", st.version, NULL,
                                        "the table uses %s (metaData) but its protocol "
                                        "(reader %d, writer %d) does not support the feature",
                                        miss, st.protocol->min_reader_version,
                                        st.protocol->min_writer_version);
            dlk_arrow_schema_release(&sc);
        }
    }
    dlk_log_state_free(&st);
    if (rc || !sound) return rc;
    dlk_table *t = NULL;
    if ((rc = dlk_table_open_storage(c->storage, &t))) return rc;
    dlk_snapshot *snap = NULL;
    if (dlk_core_snapshot_load(t, -1, &snap)) {
        rc = dlk_ops__check_add(c, "snapshot", c->pub.version, NULL, "snapshot does not load: %s",
                                dlk_error_last()->message);
        /* the table handle does not own the borrowed storage */
        t->storage = NULL;
        dlk_table_free(&t);
        return rc;
    }
    *snap_out = snap;
    return DLK_OK;
}

int dlk_table_check_storage(dlk_storage *storage, const dlk_check_options *opts,
                            dlk_check_report **out)
{
    *out = NULL;
    dlk_check_options def = DLK_CHECK_OPTIONS_INIT;
    if (!opts) opts = &def;
    dlk_check_ctx *c = dlk_calloc(1, sizeof *c);
    if (!c) return dlk_err_nomem();
    c->findings = (dlk_vec)DLK_VEC_INIT(dlk_check_finding);
    c->max_findings = opts->max_findings ? opts->max_findings : 1000;
    c->read_data_bytes = opts->read_data_bytes;
    c->storage = storage;
    c->pub.version = -1;
    log_listing l;
    int rc = list_log(c, &l);
    if (!rc && l.commits.len == 0 && l.cps.len == 0)
        rc = dlk_err_set(DLK_NOT_FOUND,
                         "%s: not a Delta table (no commits or checkpoints in _delta_log)",
                         dlk_storage_root(storage));
    if (!rc) rc = check_versions(c, &l);
    if (!rc) rc = check_commits(c, &l);
    if (!rc) rc = check_last_checkpoint(c, &l);
    listing_free(&l);
    dlk_snapshot *snap = NULL;
    if (!rc) rc = check_state(c, &snap);
    if (!rc && snap) {
        c->pub.version = snap->version;
        if (!opts->skip_data) rc = dlk_ops__check_files(c, snap);
    }
    if (snap) {
        dlk_table *t = snap->table;
        dlk_snapshot_free(&snap);
        t->storage = NULL; /* borrowed */
        dlk_table_free(&t);
    }
    if (rc) {
        dlk_vec_free(&c->findings);
        dlk_arena_free(&c->arena);
        dlk_free(c);
        return rc;
    }
    c->pub.findings = c->findings.data;
    c->pub.n_findings = c->findings.len;
    *out = &c->pub;
    return DLK_OK;
}

int dlk_table_check(const char *location, const dlk_check_options *opts, dlk_check_report **out)
{
    *out = NULL;
    dlk_storage *s = NULL;
    int rc = dlk_storage_open(location, &s);
    if (rc) return rc;
    rc = dlk_table_check_storage(s, opts, out);
    dlk_storage_free(&s);
    return rc;
}

void dlk_check_report_free(dlk_check_report **r)
{
    if (!r || !*r) return;
    dlk_check_ctx *c = (dlk_check_ctx *)*r;
    dlk_vec_free(&c->findings);
    dlk_arena_free(&c->arena);
    dlk_free(c);
    *r = NULL;
}

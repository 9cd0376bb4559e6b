/* core/txn.c - writer-side Delta log on the local filesystem: listing,
 * the state a writer needs (the log reader's replay, src/log, turned into
 * jansson objects, with an in-process cache that applies only new commits),
 * put-if-absent commits by link(2), and conflict checks (see core/txn.h). */
#define _POSIX_C_SOURCE 200809L
#include "core/txn.h"
#include "arrow/arrow.h"
#include "core/schema.h"
#include "deltalake/sys/storage.h"
#include "log/replay.h"
#include "log/segment.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/log.h"
#include "util/misc.h"
#include "util/path.h"

#include <pthread.h>
#include <stdatomic.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COMMIT_BYTES ((size_t)1 << 30)

/* The write path runs on local folders and in-process stores for now:
 * refuse object-store URIs (s3://...) with DLK_UNSUPPORTED instead of
 * treating them as local paths. */
int dlk_core__writable_location(const char *root)
{
    if (root && dlk_path_is_uri(root) && strncmp(root, "file:", 5) != 0 &&
        strncmp(root, "memory:", 7) != 0)
        return dlk_err_set(DLK_UNSUPPORTED,
                           "%s: writing to object stores is not supported yet (writes go to "
                           "local folders and memory:// stores; reading works)",
                           root);
    return DLK_OK;
}

/* The storage of a table location (caller frees). */
static int open_store(const char *root, dlk_storage **s)
{
    *s = NULL;
    int rc = dlk_core__writable_location(root);
    return rc ? rc : dlk_storage_open(root, s);
}

/* Parse "<20 digits>.json" -> version; -1 otherwise. Also recognises
 * "<20 digits>.checkpoint.parquet" (and multi-part / v2 checkpoints)
 * through *is_cp. */
static int64_t parse_log_name(const char *n, bool *is_cp)
{
    *is_cp = false;
    for (int i = 0; i < 20; i++)
        if (n[i] < '0' || n[i] > '9') return -1;
    int64_t v = 0;
    for (int i = 0; i < 20; i++)
        v = v * 10 + (n[i] - '0');
    if (!strcmp(n + 20, ".json")) return v;
    size_t len = strlen(n);
    if (!strncmp(n + 20, ".checkpoint.", 12) && len > 8 && !strcmp(n + len - 8, ".parquet")) {
        *is_cp = true;
        return v;
    }
    return -1;
}

/* List _delta_log: latest commit, newest checkpoint. */
static int scan_log(dlk_storage *s, int64_t *latest, int64_t *cp)
{
    *latest = -1;
    *cp = -1;
    dlk_storage_list l = {0};
    int rc = dlk_storage_list_prefix(s, "_delta_log/", NULL, &l);
    if (rc == DLK_NOT_FOUND) {
        dlk_error_clear();
        return DLK_OK;
    }
    for (size_t i = 0; !rc && i < l.count; i++) {
        const char *n = l.entries[i].key + strlen("_delta_log/");
        if (strchr(n, '/')) continue;
        bool is_cp;
        int64_t v = parse_log_name(n, &is_cp);
        if (v < 0) continue;
        if (is_cp) {
            if (v > *cp) *cp = v;
        } else if (v > *latest) {
            *latest = v;
        }
    }
    dlk_storage_list_free(&l);
    return rc;
}

int dlk_core__log_latest(const char *root, int64_t *version)
{
    int64_t cp;
    *version = -1;
    dlk_storage *s;
    int rc = open_store(root, &s);
    if (!rc) rc = scan_log(s, version, &cp);
    dlk_storage_free(&s);
    return rc;
}

/* ---- the state, typed, from the snapshot reader's replay (src/log) ----
 *
 * A state's maps point into a replayed dlk_log_state (its arena) kept
 * alive by a reference-counted hold: the cache's, shared by every state
 * loaded from it, or a private one. Later commits applied to the cached
 * log state only add to its arena and change its own maps, so the actions
 * a state points at stay valid and unchanged while it holds them. */
struct dlk_txn_hold {
    atomic_int refs;
    dlk_log_state st;
};

static dlk_txn_hold *hold_new(void)
{
    dlk_txn_hold *h = dlk_calloc(1, sizeof *h);
    if (h) atomic_init(&h->refs, 1);
    return h;
}

static void hold_release(dlk_txn_hold *h)
{
    if (!h || atomic_fetch_sub(&h->refs, 1) != 1) return;
    dlk_log_state_free(&h->st);
    dlk_free(h);
}

void dlk_core__state_free(dlk_txn_state *st)
{
    if (!st) return;
    dlk_arrow_schema_release(&st->schema);
    dlk_free((void *)st->partition_cols);
    dlk_map_free(&st->txns);
    dlk_map_free(&st->files);
    dlk_map_free(&st->tombstones);
    hold_release(st->hold);
    memset(st, 0, sizeof *st);
    st->version = -1;
}

/* Point st at the actions of h's log state (taking a reference on h). */
static int state_from_hold(dlk_txn_hold *h, bool want_files, dlk_txn_state *st)
{
    atomic_fetch_add(&h->refs, 1);
    st->hold = h;
    const dlk_log_state *ls = &h->st;
    st->version = ls->version;
    st->protocol = ls->protocol;
    st->metadata = ls->metadata;
    int rc = DLK_OK;
    size_t pos = 0;
    dlk_map_entry *e;
    while (!rc && (e = dlk_map_next(&ls->txns, &pos))) {
        const dlk_txn_action *t = e->value;
        rc = dlk_map_put_str(&st->txns, t->app_id, (void *)t);
    }
    if (!want_files) return rc;
    pos = 0;
    while (!rc && (e = dlk_map_next(&ls->files, &pos))) {
        const dlk_add_action *a = e->value;
        rc = dlk_map_put_str(&st->files, a->path, (void *)a);
    }
    pos = 0;
    while (!rc && (e = dlk_map_next(&ls->tombstones, &pos))) {
        const dlk_remove_action *r = e->value;
        if (dlk_map_get_str(&st->files, r->path)) continue; /* re-added */
        rc = dlk_map_put_str(&st->tombstones, r->path, (void *)r);
    }
    return rc;
}

/* In-process cache of the last replayed log state (reader structs, files
 * and tombstones included), so repeated writes to one table apply only the
 * new commits. Valid while the commit file of the cached version is still
 * the same file: same size and the same first bytes (our commits start
 * with commitInfo and its unique txnId), so a table deleted and re-created
 * at the same location is not mistaken for the old one. */
#define IDENT_BYTES 4096
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *root;
    int64_t ident_size; /* -1: no identity (no commit file for the version) */
    uint8_t *ident;
    size_t ident_len;
    dlk_txn_hold *hold; /* NULL: no cached state */
} cache;

/* Size and first bytes of commit `version` (*head freed by the caller). */
static bool commit_identity(dlk_storage *s, int64_t version, int64_t *size, uint8_t **head,
                            size_t *head_len)
{
    char key[64];
    snprintf(key, sizeof key, "_delta_log/%020" PRId64 ".json", version);
    dlk_storage_entry e = {0};
    *head = NULL;
    if (dlk_storage_head(s, key, &e)) {
        dlk_error_clear();
        return false;
    }
    *size = e.size;
    if (dlk_storage_get_range(s, key, 0, IDENT_BYTES, head, head_len)) {
        dlk_error_clear();
        return false;
    }
    return true;
}

static bool cache_identity_same(dlk_storage *s)
{
    int64_t size;
    uint8_t *head;
    size_t n;
    if (cache.ident_size < 0 || !commit_identity(s, cache.hold->st.version, &size, &head, &n))
        return false;
    bool same = size == cache.ident_size && n == cache.ident_len && !memcmp(head, cache.ident, n);
    dlk_storage_bytes_free(head);
    return same;
}

static void cache_identity_take(dlk_storage *s)
{
    dlk_storage_bytes_free(cache.ident);
    cache.ident = NULL;
    cache.ident_len = 0;
    if (!commit_identity(s, cache.hold->st.version, &cache.ident_size, &cache.ident,
                         &cache.ident_len))
        cache.ident_size = -1;
}

static void cache_drop(void)
{
    hold_release(cache.hold);
    cache.hold = NULL;
    dlk_free(cache.root);
    dlk_storage_bytes_free(cache.ident);
    cache.ident = NULL;
    cache.ident_len = 0;
    cache.ident_size = -1;
    cache.root = NULL;
}

/* Bring the cache to the segment's version (cache_mu held): apply the new
 * commits to the cached state when it is this table's at a version the
 * segment covers, else replay the segment. */
static int cache_update(dlk_storage *s, const char *root, const dlk_log_segment *seg)
{
    int rc;
    dlk_log_state *cs = cache.hold ? &cache.hold->st : NULL;
    if (cs && cache.root && !strcmp(cache.root, root) && cs->version <= seg->version &&
        cs->version >= seg->checkpoint_version && cache_identity_same(s)) {
        size_t k = 0;
        while (k < seg->n_commits && seg->commits[k].version <= cs->version)
            k++;
        if (k < seg->n_commits && seg->commits[k].first_version != cs->version + 1) {
            /* the cached version is inside a compacted run: replay the segment */
            cache_drop();
            return cache_update(s, root, seg);
        }
        rc = dlk_log_replay_commits(s, seg->commits + k, seg->n_commits - k, cs);
        if (rc) cache_drop();
    } else {
        cache_drop();
        cache.root = dlk_strdup(root);
        cache.hold = hold_new();
        if (!cache.root || !cache.hold) {
            cache_drop();
            return dlk_err_nomem();
        }
        rc = dlk_log_replay_ex(s, seg, DLK_REPLAY_TOMBSTONES | DLK_REPLAY_NO_ACTIVE,
                               &cache.hold->st);
        if (rc) {
            cache_drop();
            return rc;
        }
    }
    /* no commit file for the version (checkpoint only): the state serves
     * this call, not the next */
    if (!rc) cache_identity_take(s);
    return rc;
}

int dlk_core__state_load_at(const char *root, int64_t at, bool want_files, bool allow_missing,
                            dlk_txn_state *st)
{
    memset(st, 0, sizeof *st);
    st->version = -1;
    st->last_checkpoint = -1;
    st->files_loaded = want_files;
    dlk_storage *s = NULL;
    int rc = open_store(root, &s);
    if (rc) return rc;
    dlk_log_segment seg;
    rc = dlk_log_segment_build(s, at < 0 ? -1 : at, &seg);
    if (rc) {
        int64_t latest, cp;
        bool empty =
            rc == DLK_NOT_FOUND && scan_log(s, &latest, &cp) == DLK_OK && latest < 0 && cp < 0;
        dlk_storage_free(&s);
        if (empty) {
            dlk_error_clear();
            if (allow_missing) return DLK_OK;
            return dlk_err_set(DLK_NOT_FOUND, "%s: not a Delta table (no _delta_log commits)",
                               root);
        }
        return dlk_err_context(rc, "%s", root);
    }
    st->last_checkpoint = seg.checkpoint_version;
    /* the cache serves the latest version, and an older one it has not
     * passed yet (a checkpoint of the version just committed) */
    pthread_mutex_lock(&cache_mu);
    bool cached = at < 0 || (cache.hold && cache.root && !strcmp(cache.root, root) &&
                             cache.hold->st.version <= at);
    if (cached) {
        rc = cache_update(s, root, &seg);
        if (!rc) rc = state_from_hold(cache.hold, want_files, st);
        if (!rc && cache.ident_size < 0) cache_drop();
    }
    pthread_mutex_unlock(&cache_mu);
    if (!cached) {
        dlk_txn_hold *h = hold_new();
        rc = h ? dlk_log_replay_ex(s, &seg, DLK_REPLAY_TOMBSTONES | DLK_REPLAY_NO_ACTIVE, &h->st)
               : dlk_err_nomem();
        if (!rc) rc = state_from_hold(h, want_files, st);
        hold_release(h);
    }
    dlk_log_segment_free(&seg);
    dlk_storage_free(&s);
    if (rc) {
        rc = dlk_err_context(rc, "%s", root);
        goto fail;
    }
    if (!st->metadata || !st->protocol) {
        rc = dlk_err_set(DLK_CORRUPT, "%s: the log has no %s action", root,
                         st->metadata ? "protocol" : "metaData");
        goto fail;
    }
    if (!st->metadata->schema_string) {
        rc = dlk_err_set(DLK_CORRUPT, "%s: metaData without schemaString", root);
        goto fail;
    }
    if ((rc = dlk_core_schema_from_json(st->metadata->schema_string, &st->schema))) goto fail;
    size_t n = st->metadata->n_partition_columns;
    st->partition_cols = dlk_calloc(n ? n : 1, sizeof(char *));
    if (!st->partition_cols) {
        rc = dlk_err_nomem();
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        st->partition_cols[i] = st->metadata->partition_columns[i];
    st->n_part = n;
    return DLK_OK;
fail:
    dlk_core__state_free(st);
    return rc;
}

int dlk_core__state_load(const char *root, bool want_files, bool allow_missing, dlk_txn_state *st)
{
    return dlk_core__state_load_at(root, -1, want_files, allow_missing, st);
}

const char *dlk_core__state_config(const dlk_txn_state *st, const char *key)
{
    if (!st->metadata) return NULL;
    bool found;
    return dlk_kvs_get(&st->metadata->configuration, key, &found);
}

int dlk_core__commit_put(const char *root, int64_t version, const char *data, size_t n)
{
    char key[64];
    snprintf(key, sizeof key, "_delta_log/%020" PRId64 ".json", version);
    dlk_storage *s;
    int rc = open_store(root, &s);
    if (!rc) rc = dlk_storage_put_if_absent(s, key, data, n);
    dlk_storage_free(&s);
    if (rc == DLK_ALREADY_EXISTS)
        rc = dlk_err_set(DLK_ALREADY_EXISTS, "%s/%s: version %" PRId64 " already committed", root,
                         key, version);
    return rc;
}

/* Does a winning action conflict with the intent? Sets the error. */
static int conflict_of(const dlk_action *a, int64_t version, const dlk_txn_intent *in)
{
    switch (a->kind) {
    case DLK_ACTION_METADATA:
    case DLK_ACTION_PROTOCOL:
        return dlk_err_conflict(version, "concurrent %s change in version %" PRId64,
                                a->kind == DLK_ACTION_METADATA ? "metadata" : "protocol", version);
    case DLK_ACTION_TXN:
        if (in->app_id && a->u.txn.app_id && !strcmp(a->u.txn.app_id, in->app_id))
            return dlk_err_conflict(
                version, "concurrent transaction of application '%s' in version %" PRId64,
                in->app_id, version);
        return DLK_OK;
    case DLK_ACTION_REMOVE:
        if (in->removes && a->u.remove.path && dlk_map_get_str(in->removes, a->u.remove.path))
            return dlk_err_conflict(version,
                                    "file '%s' was removed concurrently in version %" PRId64,
                                    a->u.remove.path, version);
        return DLK_OK;
    case DLK_ACTION_ADD:
        if (!in->blind_append && (in->read_all || in->read_match) &&
            (in->read_all || in->read_match(in->read_ctx, &a->u.add.partition_values)))
            return dlk_err_conflict(version,
                                    "files were added concurrently in version %" PRId64
                                    " to data this transaction read",
                                    version);
        return DLK_OK;
    default:
        return DLK_OK;
    }
}

int dlk_core__check_conflict(const char *root, int64_t version, const dlk_txn_intent *in)
{
    char key[64];
    snprintf(key, sizeof key, "_delta_log/%020" PRId64 ".json", version);
    dlk_storage *s;
    uint8_t *data = NULL;
    size_t n = 0;
    int rc = open_store(root, &s);
    if (!rc) rc = dlk_storage_get(s, key, &data, &n);
    dlk_storage_free(&s);
    if (rc) return rc;
    dlk_arena arena = {0};
    dlk_vec acts = DLK_VEC_INIT(dlk_action);
    rc = dlk_log_commit_parse((const char *)data, n, &arena, &acts);
    if (rc) rc = dlk_err_context(rc, "%s/%s", root, key);
    for (size_t i = 0; !rc && i < acts.len; i++)
        rc = conflict_of(&dlk_vec_at(&acts, dlk_action, i), version, in);
    dlk_vec_free(&acts);
    dlk_arena_free(&arena);
    dlk_storage_bytes_free(data);
    return rc;
}

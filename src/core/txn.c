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

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_COMMIT_BYTES ((size_t)1 << 30)

static int log_dir(const char *root, dlk_buf *b)
{
    dlk_buf_reset(b);
    return dlk_buf_printf(b, "%s/_delta_log", root);
}

/* Parse "<20 digits>.json" -> version; -1 otherwise. Also recognises
 * "<20 digits>.checkpoint.parquet" through *is_cp. */
static int64_t parse_log_name(const char *n, bool *is_cp)
{
    *is_cp = false;
    for (int i = 0; i < 20; i++)
        if (n[i] < '0' || n[i] > '9') return -1;
    int64_t v = 0;
    for (int i = 0; i < 20; i++)
        v = v * 10 + (n[i] - '0');
    if (!strcmp(n + 20, ".json")) return v;
    if (!strcmp(n + 20, ".checkpoint.parquet")) {
        *is_cp = true;
        return v;
    }
    return -1;
}

/* Scan _delta_log: latest commit, lowest commit, newest checkpoint. */
static int scan_log(const char *root, int64_t *latest, int64_t *lowest, int64_t *count, int64_t *cp)
{
    dlk_buf d = {0};
    int rc = log_dir(root, &d);
    if (rc) return rc;
    *latest = -1;
    *lowest = -1;
    *count = 0;
    *cp = -1;
    DIR *dir = opendir(dlk_buf_cstr(&d));
    if (!dir) {
        rc = errno == ENOENT ? DLK_OK : dlk_err_errno("opendir", dlk_buf_cstr(&d));
        dlk_buf_free(&d);
        return rc;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        bool is_cp;
        int64_t v = parse_log_name(e->d_name, &is_cp);
        if (v < 0) continue;
        if (is_cp) {
            if (v > *cp) *cp = v;
            continue;
        }
        (*count)++;
        if (v > *latest) *latest = v;
        if (*lowest < 0 || v < *lowest) *lowest = v;
    }
    closedir(dir);
    dlk_buf_free(&d);
    return DLK_OK;
}

/* The write path works on local folders only: refuse object-store URIs
 * (s3://...) with DLK_UNSUPPORTED instead of treating them as local paths. */
static int local_only(const char *root)
{
    if (root && dlk_path_is_uri(root) && strncmp(root, "file:", 5) != 0)
        return dlk_err_set(DLK_UNSUPPORTED,
                           "%s: writing to object stores is not supported yet (the write path "
                           "is local-filesystem only; reading works)",
                           root);
    return DLK_OK;
}

int dlk_core__log_latest(const char *root, int64_t *version)
{
    int64_t lo, n, cp;
    *version = -1;
    int rc = local_only(root);
    if (rc) return rc;
    return scan_log(root, version, &lo, &n, &cp);
}

static int read_all(const char *path, dlk_buf *out, bool *missing)
{
    *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            *missing = true;
            return dlk_err_set(DLK_NOT_FOUND, "%s: no such file", path);
        }
        return dlk_err_errno("open", path);
    }
    for (;;) {
        if (dlk_buf_reserve(out, 65536)) {
            close(fd);
            return dlk_err_nomem();
        }
        ssize_t got = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (got < 0) {
            if (errno == EINTR) continue;
            int rc = dlk_err_errno("read", path);
            close(fd);
            return rc;
        }
        if (got == 0) break;
        out->len += (size_t)got;
        if (out->len > MAX_COMMIT_BYTES) {
            close(fd);
            return dlk_err_set(DLK_CORRUPT, "%s: commit larger than 1 GiB", path);
        }
    }
    out->data[out->len] = 0;
    close(fd);
    return DLK_OK;
}

int dlk_core__read_commit(const char *root, int64_t version, json_t **out)
{
    *out = NULL;
    dlk_buf p = {0}, text = {0};
    int rc = dlk_buf_printf(&p, "%s/_delta_log/%020" PRId64 ".json", root, version);
    bool missing;
    if (!rc) rc = read_all(dlk_buf_cstr(&p), &text, &missing);
    json_t *arr = rc ? NULL : json_array();
    if (!rc && !arr) rc = dlk_err_nomem();
    size_t pos = 0;
    int line = 0;
    while (!rc && pos < text.len) {
        const char *st = (const char *)text.data + pos;
        const char *nl = memchr(st, '\n', text.len - pos);
        size_t len = nl ? (size_t)(nl - st) : text.len - pos;
        pos += len + (nl ? 1 : 0);
        line++;
        size_t k = 0;
        while (k < len && (st[k] == ' ' || st[k] == '\r' || st[k] == '\t'))
            k++;
        if (k == len) continue;
        json_error_t je;
        json_t *a = json_loadb(st, len, 0, &je);
        if (!a || !json_is_object(a)) {
            json_decref(a);
            rc = dlk_err_set(DLK_CORRUPT, "_delta_log/%020" PRId64 ".json: line %d: %s", version,
                             line, a ? "not a JSON object" : je.text);
            break;
        }
        json_array_append_new(arr, a);
    }
    dlk_buf_free(&p);
    dlk_buf_free(&text);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return DLK_OK;
}

static void map_decref_free(dlk_map *m)
{
    size_t pos = 0;
    dlk_map_entry *e;
    while ((e = dlk_map_next(m, &pos)))
        json_decref(e->value);
    dlk_map_free(m);
}

void dlk_core__state_free(dlk_txn_state *st)
{
    if (!st) return;
    json_decref(st->protocol);
    json_decref(st->metadata);
    dlk_arrow_schema_release(&st->schema);
    for (size_t i = 0; i < st->n_part; i++)
        dlk_free(st->partition_cols[i]);
    dlk_free(st->partition_cols);
    map_decref_free(&st->txns);
    map_decref_free(&st->files);
    map_decref_free(&st->tombstones);
    memset(st, 0, sizeof *st);
    st->version = -1;
}

/* ---- state from the snapshot reader's replay (src/log) ----
 *
 * The writer's state is the log reader's replayed state (checkpoint of any
 * kind + commits, tombstones kept) turned into jansson objects, so DML and
 * maintenance code keeps its JSON-level view (txn.h). */

/* The object of action `a` as JSON (new reference), through the log
 * module's serialiser. */
static int action_json(const dlk_action *a, dlk_buf *tmp, json_t **out)
{
    *out = NULL;
    dlk_buf_reset(tmp);
    int rc = dlk_log_action_to_json(a, tmp);
    if (rc) return rc;
    json_error_t je;
    json_t *o = json_loadb((const char *)tmp->data, tmp->len, 0, &je);
    json_t *inner = o ? json_object_get(o, dlk_action_kind_name(a->kind)) : NULL;
    if (!inner) {
        json_decref(o);
        return dlk_err_set(DLK_ERROR, "re-reading a %s action: %s", dlk_action_kind_name(a->kind),
                           o ? "no object" : je.text);
    }
    *out = json_incref(inner);
    json_decref(o);
    return DLK_OK;
}

static int map_put_new(dlk_map *m, const char *key, json_t *v)
{
    void *old = NULL;
    if (dlk_map_put(m, key, strlen(key), v, &old)) {
        json_decref(v);
        return dlk_err_nomem();
    }
    json_decref(old);
    return DLK_OK;
}

/* The JSON of the last converted protocol / metaData (the cache's), so a
 * load that sees the same action struct copies the tree instead of
 * serialising and parsing it again. */
typedef struct {
    const void *proto_src, *meta_src;
    json_t *proto, *meta;
} json_memo;

static void memo_free(json_memo *m)
{
    json_decref(m->proto);
    json_decref(m->meta);
    memset(m, 0, sizeof *m);
}

/* *out = a private copy of the JSON of action a (src: its struct); m NULL:
 * no memo. */
static int memo_json(json_memo *m, bool meta, const void *src, const dlk_action *a, dlk_buf *tmp,
                     json_t **out)
{
    if (!m) return action_json(a, tmp, out);
    const void **msrc = meta ? &m->meta_src : &m->proto_src;
    json_t **mj = meta ? &m->meta : &m->proto;
    if (*msrc != src || !*mj) {
        json_t *j;
        int rc = action_json(a, tmp, &j);
        if (rc) return rc;
        json_decref(*mj);
        *mj = j;
        *msrc = src;
    }
    *out = json_deep_copy(*mj);
    return *out ? DLK_OK : dlk_err_nomem();
}

static int state_from_log(const dlk_log_state *ls, bool want_files, json_memo *memo,
                          dlk_txn_state *st)
{
    dlk_buf tmp = {0};
    int rc = DLK_OK;
    dlk_action a;
    if (ls->protocol) {
        a.kind = DLK_ACTION_PROTOCOL;
        a.u.protocol = *ls->protocol;
        rc = memo_json(memo, false, ls->protocol, &a, &tmp, &st->protocol);
    }
    if (!rc && ls->metadata) {
        a.kind = DLK_ACTION_METADATA;
        a.u.metadata = *ls->metadata;
        rc = memo_json(memo, true, ls->metadata, &a, &tmp, &st->metadata);
    }
    size_t pos = 0;
    dlk_map_entry *e;
    while (!rc && (e = dlk_map_next(&ls->txns, &pos))) {
        json_t *j;
        a.kind = DLK_ACTION_TXN;
        a.u.txn = *(const dlk_txn_action *)e->value;
        if (!(rc = action_json(&a, &tmp, &j))) rc = map_put_new(&st->txns, a.u.txn.app_id, j);
    }
    if (want_files) {
        pos = 0;
        while (!rc && (e = dlk_map_next(&ls->files, &pos))) {
            json_t *j;
            a.kind = DLK_ACTION_ADD;
            a.u.add = *(const dlk_add_action *)e->value;
            if (!(rc = action_json(&a, &tmp, &j))) rc = map_put_new(&st->files, a.u.add.path, j);
        }
        pos = 0;
        while (!rc && (e = dlk_map_next(&ls->tombstones, &pos))) {
            const dlk_remove_action *r = e->value;
            if (dlk_map_get_str(&st->files, r->path)) continue; /* re-added */
            json_t *j;
            a.kind = DLK_ACTION_REMOVE;
            a.u.remove = *r;
            if (!(rc = action_json(&a, &tmp, &j))) rc = map_put_new(&st->tombstones, r->path, j);
        }
    }
    dlk_buf_free(&tmp);
    return rc;
}

/* In-process cache of the last replayed log state (reader structs, files
 * and tombstones included), so repeated writes to one table apply only the
 * new commits. Valid while the commit file of the cached version is still
 * the same file (device + inode): a table deleted and re-created at the
 * same path is not mistaken for the old one. */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *root;
    dev_t dev;
    ino_t ino;
    bool valid;
    dlk_log_state st;
    json_memo memo;
} cache;

static bool commit_identity(const char *root, int64_t version, dev_t *dev, ino_t *ino)
{
    char p[4096];
    struct stat sb;
    if (snprintf(p, sizeof p, "%s/_delta_log/%020" PRId64 ".json", root, version) >= (int)sizeof p)
        return false;
    if (stat(p, &sb) != 0) return false;
    *dev = sb.st_dev;
    *ino = sb.st_ino;
    return true;
}

static void cache_drop(void)
{
    if (cache.valid) dlk_log_state_free(&cache.st);
    memo_free(&cache.memo);
    dlk_free(cache.root);
    cache.root = NULL;
    cache.valid = false;
}

/* Bring the cache to the segment's version (cache_mu held): apply the new
 * commits to the cached state when it is this table's at a version the
 * segment covers, else replay the segment. */
static int cache_update(dlk_storage *s, const char *root, const dlk_log_segment *seg)
{
    dev_t dev;
    ino_t ino;
    int rc;
    if (cache.valid && cache.root && !strcmp(cache.root, root) &&
        cache.st.version <= seg->version && cache.st.version >= seg->checkpoint_version &&
        commit_identity(root, cache.st.version, &dev, &ino) && dev == cache.dev &&
        ino == cache.ino) {
        size_t k = 0;
        while (k < seg->n_commits && seg->commits[k].version <= cache.st.version)
            k++;
        if (k < seg->n_commits && seg->commits[k].first_version != cache.st.version + 1) {
            /* the cached version is inside a compacted run: replay the segment */
            cache_drop();
            return cache_update(s, root, seg);
        }
        rc = dlk_log_replay_commits(s, seg->commits + k, seg->n_commits - k, &cache.st);
        if (rc) cache_drop();
    } else {
        char *r = dlk_strdup(root);
        if (!r) return dlk_err_nomem();
        cache_drop();
        cache.root = r;
        rc = dlk_log_replay_ex(s, seg, DLK_REPLAY_TOMBSTONES | DLK_REPLAY_NO_ACTIVE, &cache.st);
        if (rc) {
            dlk_log_state_free(&cache.st);
            cache_drop();
            return rc;
        }
        cache.valid = true;
    }
    if (!rc && !commit_identity(root, cache.st.version, &cache.dev, &cache.ino)) {
        /* no commit file for the version (checkpoint only): keep the state
         * for this call, not for the next */
        cache.dev = 0;
        cache.ino = 0;
    }
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
    int rc = local_only(root);
    if (rc) return rc;
    rc = dlk_storage_open_local(root, &s);
    if (rc) return rc;
    dlk_log_segment seg;
    rc = dlk_log_segment_build(s, at < 0 ? -1 : at, &seg);
    if (rc) {
        dlk_storage_free(&s);
        int64_t latest, lowest, count, cp;
        if (rc == DLK_NOT_FOUND && scan_log(root, &latest, &lowest, &count, &cp) == DLK_OK &&
            latest < 0 && cp < 0) {
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
    bool cached = at < 0 || (cache.valid && cache.root && !strcmp(cache.root, root) &&
                             cache.st.version <= at);
    if (cached) {
        rc = cache_update(s, root, &seg);
        if (!rc) {
            st->version = cache.st.version;
            rc = state_from_log(&cache.st, want_files, &cache.memo, st);
        }
        if (!rc && cache.ino == 0) cache_drop();
    }
    pthread_mutex_unlock(&cache_mu);
    if (!cached) {
        dlk_log_state ls;
        rc = dlk_log_replay_ex(s, &seg, DLK_REPLAY_TOMBSTONES | DLK_REPLAY_NO_ACTIVE, &ls);
        if (!rc) {
            st->version = ls.version;
            rc = state_from_log(&ls, want_files, NULL, st);
        }
        dlk_log_state_free(&ls);
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
    const char *ss = json_string_value(json_object_get(st->metadata, "schemaString"));
    if (!ss) {
        rc = dlk_err_set(DLK_CORRUPT, "%s: metaData without schemaString", root);
        goto fail;
    }
    if ((rc = dlk_core_schema_from_json(ss, &st->schema))) goto fail;
    json_t *pc = json_object_get(st->metadata, "partitionColumns");
    size_t n = json_array_size(pc);
    st->partition_cols = dlk_calloc(n ? n : 1, sizeof(char *));
    if (!st->partition_cols) {
        rc = dlk_err_nomem();
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s2 = json_string_value(json_array_get(pc, i));
        if (!s2 || !(st->partition_cols[i] = dlk_strdup(s2))) {
            rc = s2 ? dlk_err_nomem() : dlk_err_set(DLK_CORRUPT, "%s: bad partitionColumns", root);
            goto fail;
        }
        st->n_part = i + 1;
    }
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
    return json_string_value(json_object_get(json_object_get(st->metadata, "configuration"), key));
}

int dlk_core__fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return dlk_err_errno("open", path);
    if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
        int rc = dlk_err_errno("fsync", path);
        close(fd);
        return rc;
    }
    close(fd);
    return DLK_OK;
}

int dlk_core__commit_put(const char *root, int64_t version, const char *data, size_t n)
{
    dlk_buf dir = {0}, tmp = {0}, fin = {0};
    char uuid[37];
    dlk_uuid_string(uuid);
    int rc = local_only(root);
    if (!rc) rc = log_dir(root, &dir);
    if (!rc) rc = dlk_mkdirs(dlk_buf_cstr(&dir));
    if (!rc)
        rc = dlk_buf_printf(&tmp, "%s/.%020" PRId64 ".json.%s.tmp", dlk_buf_cstr(&dir), version,
                            uuid);
    if (!rc) rc = dlk_buf_printf(&fin, "%s/%020" PRId64 ".json", dlk_buf_cstr(&dir), version);
    if (rc) goto out;
    int fd = open(dlk_buf_cstr(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = dlk_err_errno("create", dlk_buf_cstr(&tmp));
        goto out;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            rc = dlk_err_errno("write", dlk_buf_cstr(&tmp));
            break;
        }
        off += (size_t)w;
    }
    if (!rc && fsync(fd) != 0) rc = dlk_err_errno("fsync", dlk_buf_cstr(&tmp));
    close(fd);
    if (!rc && link(dlk_buf_cstr(&tmp), dlk_buf_cstr(&fin)) != 0) {
        if (errno == EEXIST)
            rc = dlk_err_set(DLK_ALREADY_EXISTS, "%s: version %" PRId64 " already committed",
                             dlk_buf_cstr(&fin), version);
        else
            rc = dlk_err_errno("link", dlk_buf_cstr(&fin));
    }
    unlink(dlk_buf_cstr(&tmp));
    if (!rc) rc = dlk_core__fsync_dir(dlk_buf_cstr(&dir));
out:
    dlk_buf_free(&dir);
    dlk_buf_free(&tmp);
    dlk_buf_free(&fin);
    return rc;
}

int dlk_core__check_conflict(const char *root, int64_t version, const dlk_txn_intent *in)
{
    json_t *acts;
    int rc = dlk_core__read_commit(root, version, &acts);
    if (rc) return rc;
    size_t i;
    json_t *a;
    json_array_foreach(acts, i, a)
    {
        json_t *v;
        if (json_object_get(a, "metaData") || json_object_get(a, "protocol")) {
            rc =
                dlk_err_conflict(version, "concurrent %s change in version %" PRId64,
                                 json_object_get(a, "metaData") ? "metadata" : "protocol", version);
            break;
        }
        if ((v = json_object_get(a, "txn")) && in->app_id) {
            const char *id = json_string_value(json_object_get(v, "appId"));
            if (id && !strcmp(id, in->app_id)) {
                rc = dlk_err_conflict(
                    version, "concurrent transaction of application '%s' in version %" PRId64, id,
                    version);
                break;
            }
        }
        if ((v = json_object_get(a, "remove")) && in->removes) {
            const char *p = json_string_value(json_object_get(v, "path"));
            if (p && dlk_map_get_str(in->removes, p)) {
                rc = dlk_err_conflict(
                    version, "file '%s' was removed concurrently in version %" PRId64, p, version);
                break;
            }
        }
        if ((v = json_object_get(a, "add")) && !in->blind_append &&
            (in->read_all || in->read_match)) {
            bool hit =
                in->read_all || in->read_match(in->read_ctx, json_object_get(v, "partitionValues"));
            if (hit) {
                rc = dlk_err_conflict(version,
                                      "files were added concurrently in version %" PRId64
                                      " to data this transaction read",
                                      version);
                break;
            }
        }
    }
    json_decref(acts);
    return rc;
}

/* core/txn.c - writer-side Delta log on the local filesystem: listing,
 * replay of JSON commits into the state a writer needs, put-if-absent
 * commits by link(2), and conflict checks (see core/txn.h). */
#define _POSIX_C_SOURCE 200809L
#include "core/txn.h"
#include "arrow/arrow.h"
#include "core/schema.h"
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
    for (int i = 0; i < 20; i++) v = v * 10 + (n[i] - '0');
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

int dlk_core__log_latest(const char *root, int64_t *version)
{
    int64_t lo, n, cp;
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
        while (k < len && (st[k] == ' ' || st[k] == '\r' || st[k] == '\t')) k++;
        if (k == len) continue;
        json_error_t je;
        json_t *a = json_loadb(st, len, 0, &je);
        if (!a || !json_is_object(a)) {
            json_decref(a);
            rc = dlk_err_set(DLK_CORRUPT, "_delta_log/%020" PRId64 ".json: line %d: %s", version, line,
                             a ? "not a JSON object" : je.text);
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
    while ((e = dlk_map_next(m, &pos))) json_decref(e->value);
    dlk_map_free(m);
}

void dlk_core__state_free(dlk_txn_state *st)
{
    if (!st) return;
    json_decref(st->protocol);
    json_decref(st->metadata);
    dlk_arrow_schema_release(&st->schema);
    for (size_t i = 0; i < st->n_part; i++) dlk_free(st->partition_cols[i]);
    dlk_free(st->partition_cols);
    map_decref_free(&st->txns);
    map_decref_free(&st->files);
    map_decref_free(&st->tombstones);
    memset(st, 0, sizeof *st);
    st->version = -1;
}

static int map_put_json(dlk_map *m, const char *key, json_t *v)
{
    void *old = NULL;
    json_incref(v);
    if (dlk_map_put(m, key, strlen(key), v, &old)) {
        json_decref(v);
        return dlk_err_nomem();
    }
    json_decref(old);
    return DLK_OK;
}

static void map_del_json(dlk_map *m, const char *key)
{
    void *old = NULL;
    if (dlk_map_remove(m, key, strlen(key), &old)) json_decref(old);
}

static int apply_commit(dlk_txn_state *st, json_t *actions, bool want_files)
{
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a) {
        json_t *v;
        int rc = DLK_OK;
        if ((v = json_object_get(a, "protocol"))) {
            json_decref(st->protocol);
            st->protocol = json_incref(v);
        } else if ((v = json_object_get(a, "metaData"))) {
            json_decref(st->metadata);
            st->metadata = json_incref(v);
        } else if ((v = json_object_get(a, "txn"))) {
            const char *id = json_string_value(json_object_get(v, "appId"));
            if (id) rc = map_put_json(&st->txns, id, v);
        } else if (want_files && (v = json_object_get(a, "add"))) {
            const char *p = json_string_value(json_object_get(v, "path"));
            if (p) {
                rc = map_put_json(&st->files, p, v);
                map_del_json(&st->tombstones, p);
            }
        } else if (want_files && (v = json_object_get(a, "remove"))) {
            const char *p = json_string_value(json_object_get(v, "path"));
            if (p) {
                map_del_json(&st->files, p);
                rc = map_put_json(&st->tombstones, p, v);
            }
        }
        if (rc) return rc;
    }
    return DLK_OK;
}

int dlk_core__state_load(const char *root, bool want_files, bool allow_missing, dlk_txn_state *st)
{
    return dlk_core__state_load_at(root, -1, want_files, allow_missing, st);
}

/* In-process cache of the last replayed state (JSON level, files
 * included), so repeated writes to one table apply only the new commits.
 * Keyed by root plus the identity of its version-0 commit file (a table
 * deleted and re-created at the same path is not mistaken for the old one). */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *root;
    dev_t dev;
    ino_t ino;
    dlk_txn_state st;
} cache;

static int map_clone(const dlk_map *src, dlk_map *dst)
{
    size_t pos = 0;
    dlk_map_entry *e;
    while ((e = dlk_map_next(src, &pos))) {
        json_incref(e->value);
        if (dlk_map_put(dst, e->key, e->klen, e->value, NULL)) {
            json_decref(e->value);
            return dlk_err_nomem();
        }
    }
    return DLK_OK;
}

/* JSON-level clone (protocol, metadata, txns, files, tombstones). */
static int state_clone(const dlk_txn_state *src, dlk_txn_state *dst)
{
    memset(dst, 0, sizeof *dst);
    dst->version = src->version;
    dst->last_checkpoint = src->last_checkpoint;
    dst->protocol = json_incref(src->protocol);
    dst->metadata = json_incref(src->metadata);
    int rc = map_clone(&src->txns, &dst->txns);
    if (!rc) rc = map_clone(&src->files, &dst->files);
    if (!rc) rc = map_clone(&src->tombstones, &dst->tombstones);
    if (rc) dlk_core__state_free(dst);
    return rc;
}

static bool v0_identity(const char *root, dev_t *dev, ino_t *ino)
{
    char p[4096];
    struct stat sb;
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000000.json", root);
    if (stat(p, &sb) != 0) return false;
    *dev = sb.st_dev;
    *ino = sb.st_ino;
    return true;
}

int dlk_core__state_load_at(const char *root, int64_t at, bool want_files, bool allow_missing,
                            dlk_txn_state *st)
{
    memset(st, 0, sizeof *st);
    st->version = -1;
    st->last_checkpoint = -1;
    st->files_loaded = want_files;
    int64_t latest, lowest, count, cp;
    int rc = scan_log(root, &latest, &lowest, &count, &cp);
    if (rc) return rc;
    st->last_checkpoint = cp;
    if (latest < 0) {
        if (allow_missing) return DLK_OK;
        return dlk_err_set(DLK_NOT_FOUND, "%s: not a Delta table (no _delta_log commits)", root);
    }
    if (at >= 0) {
        if (at > latest)
            return dlk_err_set(DLK_NOT_FOUND, "%s: version %" PRId64 " does not exist (latest %" PRId64 ")",
                               root, at, latest);
        latest = at;
    }
    if (lowest != 0)
        return dlk_err_set(DLK_UNSUPPORTED,
                           "%s: the log starts at version %" PRId64 " (replay from a checkpoint is not "
                           "supported by the writer yet)",
                           root, lowest);
    int64_t from = 0;
    dev_t dev = 0;
    ino_t ino = 0;
    bool use_cache = at < 0 && v0_identity(root, &dev, &ino);
    if (use_cache) {
        pthread_mutex_lock(&cache_mu);
        if (cache.root && !strcmp(cache.root, root) && cache.dev == dev && cache.ino == ino &&
            cache.st.version <= latest && cache.st.version >= 0) {
            dlk_txn_state base;
            if (state_clone(&cache.st, &base) == DLK_OK) {
                base.files_loaded = want_files;
                *st = base;
                from = base.version + 1;
            }
        }
        pthread_mutex_unlock(&cache_mu);
    }
    for (int64_t v = from; v <= latest; v++) {
        json_t *acts;
        if ((rc = dlk_core__read_commit(root, v, &acts))) {
            if (rc == DLK_NOT_FOUND)
                rc = dlk_err_set(DLK_CORRUPT, "%s/_delta_log: version %" PRId64 " is missing (log not contiguous)",
                                 root, v);
            goto fail;
        }
        rc = apply_commit(st, acts, want_files || use_cache);
        json_decref(acts);
        if (rc) goto fail;
    }
    st->version = latest;
    if (use_cache) {
        dlk_txn_state copy;
        if (state_clone(st, &copy) == DLK_OK) {
            pthread_mutex_lock(&cache_mu);
            char *r = dlk_strdup(root);
            if (r) {
                dlk_core__state_free(&cache.st);
                dlk_free(cache.root);
                cache.root = r;
                cache.dev = dev;
                cache.ino = ino;
                cache.st = copy;
            } else {
                dlk_core__state_free(&copy);
            }
            pthread_mutex_unlock(&cache_mu);
        }
        if (!want_files) {
            map_decref_free(&st->files);
            map_decref_free(&st->tombstones);
        }
    }
    if (!st->metadata || !st->protocol) {
        rc = dlk_err_set(DLK_CORRUPT, "%s: the log has no %s action", root, st->metadata ? "protocol" : "metaData");
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
        const char *s = json_string_value(json_array_get(pc, i));
        if (!s || !(st->partition_cols[i] = dlk_strdup(s))) {
            rc = s ? dlk_err_nomem() : dlk_err_set(DLK_CORRUPT, "%s: bad partitionColumns", root);
            goto fail;
        }
        st->n_part = i + 1;
    }
    return DLK_OK;
fail:
    dlk_core__state_free(st);
    return rc;
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
    int rc = log_dir(root, &dir);
    if (!rc) rc = dlk_mkdirs(dlk_buf_cstr(&dir));
    if (!rc) rc = dlk_buf_printf(&tmp, "%s/.%020" PRId64 ".json.%s.tmp", dlk_buf_cstr(&dir), version, uuid);
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
            rc = dlk_err_set(DLK_ALREADY_EXISTS, "%s: version %" PRId64 " already committed", dlk_buf_cstr(&fin),
                             version);
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
    json_array_foreach(acts, i, a) {
        json_t *v;
        if (json_object_get(a, "metaData") || json_object_get(a, "protocol")) {
            rc = dlk_err_conflict(version, "concurrent %s change in version %" PRId64,
                                  json_object_get(a, "metaData") ? "metadata" : "protocol", version);
            break;
        }
        if ((v = json_object_get(a, "txn")) && in->app_id) {
            const char *id = json_string_value(json_object_get(v, "appId"));
            if (id && !strcmp(id, in->app_id)) {
                rc = dlk_err_conflict(version, "concurrent transaction of application '%s' in version %" PRId64,
                                      id, version);
                break;
            }
        }
        if ((v = json_object_get(a, "remove")) && in->removes) {
            const char *p = json_string_value(json_object_get(v, "path"));
            if (p && dlk_map_get_str(in->removes, p)) {
                rc = dlk_err_conflict(version, "file '%s' was removed concurrently in version %" PRId64, p,
                                      version);
                break;
            }
        }
        if ((v = json_object_get(a, "add")) && !in->blind_append && (in->read_all || in->read_match)) {
            bool hit = in->read_all ||
                       in->read_match(in->read_ctx, json_object_get(v, "partitionValues"));
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

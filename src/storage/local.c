/*
 * storage/local.c - local filesystem backend. Keys are relative to the
 * root folder; absolute keys ("/x/y" or "file:///x/y") are used as they are.
 * Every write is an upload: a hidden temporary file in the target folder
 * (".NAME.tmp.dlk-UUID"; missing folders are created, and removed again
 * by an abort, their parents fsynced at the commit), fsynced, then renamed to the final name - or,
 * for put-if-absent, link()ed to it (link fails with EEXIST if the name exists, so an existing
 * commit is never overwritten) - then the folder is fsynced.
 */
#include "storage/storage_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/misc.h"
#include "util/path.h"
#include "util/str.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char *root;
} local_state;

/* Full path of key; caller frees. */
static int full_path(local_state *st, const char *key, char **out)
{
    *out = NULL;
    if (dlk_str_starts_with(key, "file://")) return dlk_url_decode(key + 7, strlen(key + 7), out);
    if (dlk_str_starts_with(key, "file:/")) key += 5;
    if (key[0] == '/') {
        *out = dlk_strdup(key);
        return *out ? DLK_OK : dlk_err_nomem();
    }
    if (!*key) {
        *out = dlk_strdup(st->root);
        return *out ? DLK_OK : dlk_err_nomem();
    }
    return dlk_path_join(st->root, key, out);
}

static int l_get(void *self, const char *key, int64_t off, int64_t len, uint8_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char *p = NULL;
    int rc = full_path(self, key, &p);
    if (rc) return rc;
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ENOENT || errno == ENOTDIR ? dlk_err_set(DLK_NOT_FOUND, "%s: no such file", p)
                                                 : dlk_err_errno("open", p);
        dlk_free(p);
        return rc;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        rc = dlk_err_errno("stat", p);
        goto done;
    }
    int64_t size = (int64_t)sb.st_size;
    if (off > size) off = size;
    int64_t want = len < 0 || off + len > size ? size - off : len;
    uint8_t *buf = dlk_malloc((size_t)want + 1);
    if (!buf) {
        rc = dlk_err_nomem();
        goto done;
    }
    int64_t got = 0;
    while (got < want) {
        ssize_t r = pread(fd, buf + got, (size_t)(want - got), (off_t)(off + got));
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = dlk_err_errno("read", p);
            dlk_free(buf);
            goto done;
        }
        if (r == 0) break;
        got += r;
    }
    buf[got] = 0;
    *out = buf;
    *n = (size_t)got;
done:
    close(fd);
    dlk_free(p);
    return rc;
}

static int64_t mtime_ms(const struct stat *sb)
{
    return (int64_t)sb->st_mtim.tv_sec * 1000 + sb->st_mtim.tv_nsec / 1000000;
}

/* Walk dir (full path) whose key prefix is kdir ("" or "a/b/"), adding
 * regular files whose key starts with prefix and sorts after start_after. */
static int walk(const char *dir, const char *kdir, const char *prefix, const char *after,
                dlk_storage_list *l, size_t *cap, int depth)
{
    if (depth > 64) return DLK_OK;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT || errno == ENOTDIR) return DLK_OK;
        return dlk_err_errno("opendir", dir);
    }
    int rc = DLK_OK;
    dlk_buf key = {0}, full = {0};
    struct dirent *de;
    size_t plen = strlen(prefix);
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        dlk_buf_reset(&key);
        if ((rc = dlk_buf_puts(&key, kdir)) || (rc = dlk_buf_puts(&key, de->d_name))) break;
        const char *k = dlk_buf_cstr(&key);
        size_t klen = key.len;
#ifdef DT_REG
        /* a regular file that the prefix / start_after filter drops needs no stat */
        if (de->d_type == DT_REG &&
            (strncmp(k, prefix, plen) != 0 || (after && strcmp(k, after) <= 0)))
            continue;
#endif
        dlk_buf_reset(&full);
        if ((rc = dlk_buf_puts(&full, dir)) || (rc = dlk_buf_putc(&full, '/')) ||
            (rc = dlk_buf_puts(&full, de->d_name)))
            break;
        struct stat sb;
        if (stat(dlk_buf_cstr(&full), &sb) != 0) continue; /* vanished or dangling */
        if (S_ISDIR(sb.st_mode)) {
            /* descend only if the folder can hold matching keys */
            size_t n = klen < plen ? klen : plen;
            if (strncmp(k, prefix, n) != 0) continue;
            if ((rc = dlk_buf_putc(&key, '/'))) break;
            char *sub = dlk_strdup(dlk_buf_cstr(&key));
            if (!sub) {
                rc = dlk_err_nomem();
                break;
            }
            rc = walk(dlk_buf_cstr(&full), sub, prefix, after, l, cap, depth + 1);
            dlk_free(sub);
            if (rc) break;
            continue;
        }
        if (!S_ISREG(sb.st_mode)) continue;
        if (strncmp(k, prefix, plen) != 0) continue;
        if (after && strcmp(k, after) <= 0) continue;
        if (strstr(de->d_name, ".tmp.dlk-")) continue; /* our own in-flight temp files */
        if ((rc = dlk_storage__list_add(l, cap, k, (int64_t)sb.st_size, mtime_ms(&sb)))) break;
    }
    closedir(d);
    dlk_buf_free(&key);
    dlk_buf_free(&full);
    return rc;
}

static int l_list(void *self, const char *prefix, const char *after, dlk_storage_list *out)
{
    local_state *st = self;
    /* start at the deepest folder named by the prefix */
    const char *slash = strrchr(prefix, '/');
    char *kdir = dlk_strndup(prefix, slash ? (size_t)(slash - prefix + 1) : 0);
    if (!kdir) return dlk_err_nomem();
    char *dir = NULL;
    int rc = kdir[0] ? dlk_path_join(st->root, kdir, &dir)
                     : ((dir = dlk_strdup(st->root)) ? 0 : dlk_err_nomem());
    size_t cap = 0;
    if (!rc) rc = walk(dir, kdir, prefix, after, out, &cap, 0);
    dlk_free(dir);
    dlk_free(kdir);
    if (rc) {
        dlk_storage_list_free(out);
        return rc;
    }
    dlk_storage__list_sort(out);
    return DLK_OK;
}

static int l_head(void *self, const char *key, dlk_storage_entry *out)
{
    char *p = NULL;
    int rc = full_path(self, key, &p);
    if (rc) return rc;
    struct stat sb;
    if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rc = errno == ENOENT || errno == ENOTDIR || errno == 0
                 ? dlk_err_set(DLK_NOT_FOUND, "%s: no such file", p)
                 : dlk_err_errno("stat", p);
        dlk_free(p);
        return rc;
    }
    out->key = NULL;
    out->size = (int64_t)sb.st_size;
    out->mtime_ms = mtime_ms(&sb);
    dlk_free(p);
    return DLK_OK;
}

static int fsync_dir(const char *file)
{
    char *dir = dlk_strdup(file);
    if (!dir) return dlk_err_nomem();
    char *sl = strrchr(dir, '/');
    if (sl) *(sl == dir ? sl + 1 : sl) = 0;
    int fd = open(sl ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = DLK_OK;
    if (fd >= 0) {
        if (fsync(fd) != 0 && errno != EINVAL) rc = dlk_err_errno("fsync", dir);
        close(fd);
    }
    dlk_free(dir);
    return rc;
}

static int write_all(int fd, const void *data, size_t len, const char *path)
{
    const uint8_t *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return dlk_err_errno("write", path);
        }
        p += w;
        len -= (size_t)w;
    }
    return DLK_OK;
}

/* Create the folders of path's parent that do not exist yet; *top_len
 * gets the length of the topmost one created (0: none). The new entries
 * are made durable at the commit (see made_durable), not here: the object's
 * mtime (the commit time of a log file) then stays close to its writer's
 * clock. */
static int make_parents(const char *path, size_t *top_len)
{
    *top_len = 0;
    char *tmp = dlk_strdup(path);
    if (!tmp) return dlk_err_nomem();
    char *last = strrchr(tmp, '/');
    int rc = DLK_OK;
    if (last && last != tmp) {
        *last = 0;
        struct stat sb;
        if (stat(tmp, &sb) == 0 && S_ISDIR(sb.st_mode)) goto done; /* the usual case */
        for (char *p = tmp + 1;; p++) {
            if (*p != '/' && *p != 0) continue;
            char saved = *p;
            *p = 0;
            if (mkdir(tmp, 0777) == 0) {
                if (!*top_len) *top_len = strlen(tmp);
            } else if (errno != EEXIST) {
                rc = dlk_err_errno("mkdir", tmp);
            }
            *p = saved;
            if (rc || !saved) break;
        }
    }
done:
    dlk_free(tmp);
    return rc;
}

/* A streaming upload: a hidden temporary file beside the target. */
typedef struct {
    int fd;
    char *path; /* the target */
    char *tmp;
    size_t top_len; /* folders this upload created: path's prefixes this long or longer */
    bool committed;
} local_upload;

/* The folders an upload created, deepest first, while they are empty. */
static void remove_created(const local_upload *u)
{
    if (!u->top_len) return;
    char *d = dlk_strdup(u->path);
    if (!d) return;
    char *sl;
    while ((sl = strrchr(d, '/')) && (size_t)(sl - d) >= u->top_len) {
        *sl = 0;
        if (rmdir(d) != 0) break;
    }
    dlk_free(d);
}

/* After the commit: the entry of each folder the upload created, in its
 * parent (the target's own folder was fsynced with the target). */
static int made_durable(const local_upload *u)
{
    if (!u->top_len) return DLK_OK;
    char *d = dlk_strdup(u->path);
    if (!d) return dlk_err_nomem();
    int rc = DLK_OK;
    char *sl = strrchr(d, '/');
    if (sl) *sl = 0; /* the target's folder */
    while (!rc && strlen(d) >= u->top_len) {
        rc = fsync_dir(d); /* the folder holding d */
        if (!(sl = strrchr(d, '/'))) break;
        *sl = 0;
    }
    dlk_free(d);
    return rc;
}

static void lu_free(local_upload *u)
{
    if (u->fd >= 0) close(u->fd);
    if (u->tmp) unlink(u->tmp);
    if (!u->committed) remove_created(u);
    dlk_free(u->tmp);
    dlk_free(u->path);
    dlk_free(u);
}

static int l_upload_open(void *self, const char *key, void **out)
{
    local_upload *u = dlk_calloc(1, sizeof *u);
    if (!u) return dlk_err_nomem();
    u->fd = -1;
    int rc = full_path(self, key, &u->path);
    if (!rc) {
        char uuid[37];
        dlk_uuid_string(uuid);
        const char *sl = strrchr(u->path, '/');
        size_t dlen = sl ? (size_t)(sl - u->path + 1) : 0;
        dlk_buf tb = {0};
        rc = dlk_buf_printf(&tb, "%.*s.%s.tmp.dlk-%s", (int)dlen, u->path, u->path + dlen, uuid);
        u->tmp = dlk_buf_detach(&tb);
        if (!rc && !u->tmp) rc = dlk_err_nomem();
    }
    /* a folder pruned by another writer between the two steps: again */
    for (int attempt = 0; !rc && u->fd < 0; attempt++) {
        size_t top = 0;
        if ((rc = make_parents(u->path, &top))) break;
        if (top && (!u->top_len || top < u->top_len)) u->top_len = top;
        u->fd = open(u->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (u->fd < 0 && (errno != ENOENT || attempt == 3)) rc = dlk_err_errno("create", u->tmp);
    }
    if (rc) {
        if (u->fd < 0) {
            dlk_free(u->tmp);
            u->tmp = NULL; /* not ours to unlink */
        }
        lu_free(u);
        return rc;
    }
    *out = u;
    return DLK_OK;
}

static int l_upload_write(void *up, const void *data, size_t len)
{
    local_upload *u = up;
    return write_all(u->fd, data, len, u->tmp);
}

static int l_upload_commit(void *up, int if_absent)
{
    local_upload *u = up;
    int rc = DLK_OK;
    if (fsync(u->fd) != 0) rc = dlk_err_errno("fsync", u->tmp);
    if (close(u->fd) != 0 && !rc) rc = dlk_err_errno("close", u->tmp);
    u->fd = -1;
    if (!rc && if_absent) {
        /* link fails with EEXIST when the name exists: never overwrites */
        if (link(u->tmp, u->path) != 0)
            rc = errno == EEXIST ? dlk_err_set(DLK_ALREADY_EXISTS, "%s: already exists", u->path)
                                 : dlk_err_errno("link", u->path);
        unlink(u->tmp);
        dlk_free(u->tmp);
        u->tmp = NULL;
    } else if (!rc) {
        if (rename(u->tmp, u->path) != 0)
            rc = dlk_err_errno("rename", u->path);
        else {
            dlk_free(u->tmp);
            u->tmp = NULL; /* renamed: nothing left to unlink */
        }
    }
    if (!rc) {
        u->committed = true; /* visible: its folders stay, whatever the fsyncs say */
        rc = fsync_dir(u->path);
        if (!rc) rc = made_durable(u);
    }
    lu_free(u); /* unlinks the temporary name if it is still there */
    return rc;
}

static void l_upload_abort(void *up)
{
    lu_free(up);
}

static int l_put(void *self, const char *key, const void *data, size_t len, int if_absent)
{
    void *u = NULL;
    int rc = l_upload_open(self, key, &u);
    if (rc) return rc;
    if ((rc = l_upload_write(u, data, len))) {
        l_upload_abort(u);
        return rc;
    }
    return l_upload_commit(u, if_absent);
}

static int l_prune(void *self, const char *key, int include_root)
{
    local_state *st = self;
    char *p = NULL;
    int rc = full_path(self, key, &p);
    if (rc) return rc;
    size_t rl = strlen(st->root);
    /* only folders under the root (an absolute key elsewhere: nothing) */
    if (strncmp(p, st->root, rl) != 0 || (p[rl] != '/' && p[rl] != 0)) goto done;
    if (!p[rl]) { /* the root itself */
        if (include_root && rmdir(p) != 0 && errno != ENOENT && errno != ENOTEMPTY &&
            errno != EEXIST)
            rc = dlk_err_errno("rmdir", p);
        goto done;
    }
    for (;;) {
        char *sl = strrchr(p, '/');
        if (!sl || (size_t)(sl - p) < rl) break;
        if ((size_t)(sl - p) == rl && !include_root) break;
        *sl = 0;
        if (rmdir(p) != 0 && errno != ENOENT) {
            if (errno != ENOTEMPTY && errno != EEXIST) rc = dlk_err_errno("rmdir", p);
            break;
        }
    }
done:
    dlk_free(p);
    return rc;
}

static int l_del(void *self, const char *key)
{
    char *p = NULL;
    int rc = full_path(self, key, &p);
    if (rc) return rc;
    if (unlink(p) != 0)
        rc = errno == ENOENT ? dlk_err_set(DLK_NOT_FOUND, "%s: no such file", p)
                             : dlk_err_errno("unlink", p);
    dlk_free(p);
    return rc;
}

static void l_free(void *self)
{
    local_state *st = self;
    if (!st) return;
    dlk_free(st->root);
    dlk_free(st);
}

static const dlk_storage_ops local_ops = {DLK_STORAGE_OPS_VERSION,
                                          "local",
                                          l_get,
                                          l_list,
                                          l_head,
                                          l_put,
                                          l_del,
                                          l_free,
                                          l_upload_open,
                                          l_upload_write,
                                          l_upload_commit,
                                          l_upload_abort,
                                          l_prune};

int dlk_storage_open_local(const char *root, dlk_storage **out)
{
    *out = NULL;
    if (!root || !*root) return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: empty local root");
    local_state *st = dlk_calloc(1, sizeof *st);
    if (!st) return dlk_err_nomem();
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    st->root = dlk_strndup(root, n);
    if (!st->root) {
        dlk_free(st);
        return dlk_err_nomem();
    }
    int rc = dlk_storage_new(&local_ops, st, st->root, out);
    if (rc) l_free(st);
    return rc;
}

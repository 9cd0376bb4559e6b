/*
 * storage/storage.c - the dlk_storage handle: dispatch to a backend vtable,
 * opening by location, streaming uploads (with a buffering fallback for
 * backends without them), listing helpers, the registry of shared stores
 * (named memory:// stores and mounts) and the fault-injecting wrapper used
 * by tests (fails the Nth storage call with DLK_IO).
 */
#include "storage/storage_int.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct dlk_storage {
    const dlk_storage_ops *ops;
    void *self;
    char *root;
};

int dlk_storage_new(const dlk_storage_ops *ops, void *self, const char *root, dlk_storage **out)
{
    *out = NULL;
    if (!ops || ops->version < 1)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: backend vtable missing or of version 0");
    dlk_storage *s = dlk_calloc(1, sizeof *s);
    if (!s) return dlk_err_nomem();
    s->root = dlk_strdup(root ? root : "");
    if (!s->root) {
        dlk_free(s);
        return dlk_err_nomem();
    }
    s->ops = ops;
    s->self = self;
    *out = s;
    return DLK_OK;
}

void dlk_storage_free(dlk_storage **s)
{
    if (!s || !*s) return;
    if ((*s)->ops->free) (*s)->ops->free((*s)->self);
    dlk_free((*s)->root);
    dlk_free(*s);
    *s = NULL;
}

const char *dlk_storage_root(const dlk_storage *s)
{
    return s ? s->root : "";
}

static int open_shared(const char *location, dlk_storage **out);

int dlk_storage_open(const char *location, dlk_storage **out)
{
    *out = NULL;
    if (!location || !*location)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: empty table location");
    int src = open_shared(location, out);
    if (src != DLK_NOT_FOUND) return src; /* mounted, a memory:// store, or an error */
    if (dlk_str_starts_with(location, "file://")) {
        char *dec = NULL;
        int rc = dlk_url_decode(location + 7, strlen(location + 7), &dec);
        if (rc) return rc;
        rc = dlk_storage_open_local(dec, out);
        dlk_free(dec);
        return rc;
    }
    if (dlk_str_starts_with(location, "file:/")) return dlk_storage_open_local(location + 5, out);
    if (dlk_str_starts_with(location, "s3://") || dlk_str_starts_with(location, "s3a://"))
        return dlk_storage__open_s3(location, out);
    const char *colon = strstr(location, "://");
    if (colon) {
        return dlk_err_set(DLK_UNSUPPORTED, "storage: scheme '%.*s' is not supported yet (%s)",
                           (int)(colon - location), location, location);
    }
    return dlk_storage_open_local(location, out);
}

int dlk_storage_get(dlk_storage *s, const char *key, uint8_t **out, size_t *len)
{
    int rc = s->ops->get(s->self, key, 0, -1, out, len);
    DLK_TRACE("storage", "GET %s -> %s, %zu bytes", key, dlk_status_name(rc),
              rc ? (size_t)0 : *len);
    return rc;
}

int dlk_storage_get_range(dlk_storage *s, const char *key, int64_t off, int64_t len, uint8_t **out,
                          size_t *out_len)
{
    if (off < 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "%s: negative offset %lld", key, (long long)off);
    int rc = s->ops->get(s->self, key, off, len, out, out_len);
    DLK_TRACE("storage", "GET %s [%lld, +%lld) -> %s", key, (long long)off, (long long)len,
              dlk_status_name(rc));
    return rc;
}

int dlk_storage_list_prefix(dlk_storage *s, const char *prefix, const char *start_after,
                            dlk_storage_list *out)
{
    memset(out, 0, sizeof *out);
    int rc = s->ops->list(s->self, prefix ? prefix : "", start_after, out);
    DLK_TRACE("storage", "LIST %s (after %s) -> %s, %zu entries", prefix ? prefix : "",
              start_after ? start_after : "-", dlk_status_name(rc), rc ? (size_t)0 : out->count);
    return rc;
}

int dlk_storage_head(dlk_storage *s, const char *key, dlk_storage_entry *out)
{
    memset(out, 0, sizeof *out);
    int rc = s->ops->head(s->self, key, out);
    DLK_TRACE("storage", "HEAD %s -> %s", key, dlk_status_name(rc));
    return rc;
}

int dlk_storage_put_if_absent(dlk_storage *s, const char *key, const void *data, size_t len)
{
    int rc = s->ops->put(s->self, key, data, len, 1);
    DLK_TRACE("storage", "PUT (if absent) %s, %zu bytes -> %s", key, len, dlk_status_name(rc));
    return rc;
}

int dlk_storage_put(dlk_storage *s, const char *key, const void *data, size_t len)
{
    int rc = s->ops->put(s->self, key, data, len, 0);
    DLK_TRACE("storage", "PUT %s, %zu bytes -> %s", key, len, dlk_status_name(rc));
    return rc;
}

int dlk_storage_delete(dlk_storage *s, const char *key)
{
    int rc = s->ops->del(s->self, key);
    DLK_TRACE("storage", "DELETE %s -> %s", key, dlk_status_name(rc));
    return rc;
}

/* ---- streaming uploads ---- */

struct dlk_storage_upload {
    dlk_storage *s;
    char *key;
    void *bk;    /* the backend's upload state; NULL: buffered in buf */
    dlk_buf buf; /* the bytes of a buffered upload */
    uint64_t size;
    int failed; /* a write failed: the upload can only be dropped */
};

static int has_v2(const dlk_storage *s)
{
    return s->ops->version >= 2;
}

static void upload_free(dlk_storage_upload *up)
{
    dlk_buf_free(&up->buf);
    dlk_free(up->key);
    dlk_free(up);
}

int dlk_storage_upload_open(dlk_storage *s, const char *key, dlk_storage_upload **out)
{
    *out = NULL;
    if (!s || !key || !*key)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: upload of an empty key");
    dlk_storage_upload *up = dlk_calloc(1, sizeof *up);
    if (!up) return dlk_err_nomem();
    up->s = s;
    if (!(up->key = dlk_strdup(key))) {
        upload_free(up);
        return dlk_err_nomem();
    }
    int rc = DLK_OK;
    if (has_v2(s) && s->ops->upload_open) rc = s->ops->upload_open(s->self, key, &up->bk);
    DLK_TRACE("storage", "UPLOAD %s: open (%s) -> %s", key, up->bk ? "streaming" : "buffered",
              dlk_status_name(rc));
    if (rc) {
        upload_free(up);
        return rc;
    }
    *out = up;
    return DLK_OK;
}

int dlk_storage_upload_write(dlk_storage_upload *up, const void *data, size_t len)
{
    if (up->failed)
        return dlk_err_set(DLK_IO, "%s: upload failed earlier; it can only be aborted", up->key);
    if (!len) return DLK_OK;
    int rc =
        up->bk ? up->s->ops->upload_write(up->bk, data, len) : dlk_buf_append(&up->buf, data, len);
    if (rc) {
        up->failed = 1;
        return rc;
    }
    up->size += len;
    return DLK_OK;
}

static void upload_drop(dlk_storage_upload *up)
{
    if (up->bk) up->s->ops->upload_abort(up->bk);
    up->bk = NULL;
    upload_free(up);
}

static int upload_commit(dlk_storage_upload **upp, int if_absent)
{
    dlk_storage_upload *up = *upp;
    *upp = NULL;
    if (!up) return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: commit of no upload");
    int rc;
    if (up->failed) {
        rc = dlk_err_set(DLK_IO, "%s: upload failed earlier; nothing stored", up->key);
        upload_drop(up);
        return rc;
    }
    if (up->bk) {
        rc = up->s->ops->upload_commit(up->bk, if_absent);
        up->bk = NULL; /* freed by the backend whatever the result */
    } else {
        rc = up->s->ops->put(up->s->self, up->key, up->buf.data ? (const void *)up->buf.data : "",
                             up->buf.len, if_absent);
    }
    DLK_TRACE("storage", "UPLOAD %s: commit%s, %llu bytes -> %s", up->key,
              if_absent ? " (if absent)" : "", (unsigned long long)up->size, dlk_status_name(rc));
    upload_free(up);
    return rc;
}

int dlk_storage_upload_commit(dlk_storage_upload **up)
{
    return upload_commit(up, 0);
}

int dlk_storage_upload_commit_if_absent(dlk_storage_upload **up)
{
    return upload_commit(up, 1);
}

void dlk_storage_upload_abort(dlk_storage_upload **up)
{
    if (!up || !*up) return;
    DLK_TRACE("storage", "UPLOAD %s: abort", (*up)->key);
    upload_drop(*up);
    *up = NULL;
}

uint64_t dlk_storage_upload_size(const dlk_storage_upload *up)
{
    return up ? up->size : 0;
}

const char *dlk_storage_upload_key(const dlk_storage_upload *up)
{
    return up ? up->key : "";
}

int dlk_storage_prune_dirs(dlk_storage *s, const char *key, int include_root)
{
    if (!has_v2(s) || !s->ops->prune_dirs) return DLK_OK;
    int rc = s->ops->prune_dirs(s->self, key ? key : "", include_root);
    DLK_TRACE("storage", "PRUNE %s%s -> %s", key ? key : "", include_root ? " (and the root)" : "",
              dlk_status_name(rc));
    return rc;
}

int dlk_storage_read_local_file(const char *path, size_t max_len, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!path || !*path) return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: empty file name");
    const char *sl = strrchr(path, '/');
    char *dir = sl ? dlk_strndup(path, sl == path ? 1 : (size_t)(sl - path)) : dlk_strdup(".");
    if (!dir) return dlk_err_nomem();
    const char *base = sl ? sl + 1 : path;
    dlk_storage *s = NULL;
    int rc = dlk_storage_open_local(dir, &s);
    dlk_free(dir);
    if (rc) return rc;
    dlk_storage_entry e;
    if (max_len && !(rc = dlk_storage_head(s, base, &e)) && (uint64_t)e.size > max_len)
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "%s: file of %lld bytes is larger than %zu bytes",
                         path, (long long)e.size, max_len);
    if (!rc) rc = dlk_storage_get(s, base, out, len);
    dlk_storage_free(&s);
    return rc;
}

void dlk_storage_list_free(dlk_storage_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->count; i++)
        dlk_free(l->entries[i].key);
    dlk_free(l->entries);
    l->entries = NULL;
    l->count = 0;
}

void dlk_storage_bytes_free(uint8_t *p)
{
    dlk_free(p);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const dlk_storage_entry *)a)->key, ((const dlk_storage_entry *)b)->key);
}

void dlk_storage__list_sort(dlk_storage_list *l)
{
    if (l->count > 1) qsort(l->entries, l->count, sizeof *l->entries, entry_cmp);
}

int dlk_storage__list_add(dlk_storage_list *l, size_t *cap, const char *key, int64_t size,
                          int64_t mtime_ms)
{
    if (l->count == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        dlk_storage_entry *e = dlk_realloc(l->entries, nc * sizeof *e);
        if (!e) return dlk_err_nomem();
        l->entries = e;
        *cap = nc;
    }
    char *k = dlk_strdup(key);
    if (!k) return dlk_err_nomem();
    l->entries[l->count].key = k;
    l->entries[l->count].size = size;
    l->entries[l->count].mtime_ms = mtime_ms;
    l->count++;
    return DLK_OK;
}

/* ---- fault-injecting wrapper ---- */

typedef struct {
    dlk_storage *inner;
    pthread_mutex_t mu;
    long fail_nth;
    int sticky;
    long calls;
} fault_state;

static int fault_tick(fault_state *f, const char *op, const char *key)
{
    pthread_mutex_lock(&f->mu);
    long n = ++f->calls;
    int fail = f->fail_nth > 0 && (n == f->fail_nth || (f->sticky && n > f->fail_nth));
    pthread_mutex_unlock(&f->mu);
    if (fail)
        return dlk_err_set(DLK_IO, "%s %s: injected storage fault (call %ld)", op, key ? key : "",
                           n);
    return DLK_OK;
}

static int f_get(void *self, const char *key, int64_t off, int64_t len, uint8_t **out, size_t *n)
{
    fault_state *f = self;
    int rc = fault_tick(f, "get", key);
    return rc ? rc : f->inner->ops->get(f->inner->self, key, off, len, out, n);
}
static int f_list(void *self, const char *prefix, const char *after, dlk_storage_list *out)
{
    fault_state *f = self;
    int rc = fault_tick(f, "list", prefix);
    return rc ? rc : f->inner->ops->list(f->inner->self, prefix, after, out);
}
static int f_head(void *self, const char *key, dlk_storage_entry *out)
{
    fault_state *f = self;
    int rc = fault_tick(f, "head", key);
    return rc ? rc : f->inner->ops->head(f->inner->self, key, out);
}
static int f_put(void *self, const char *key, const void *d, size_t n, int if_absent)
{
    fault_state *f = self;
    int rc = fault_tick(f, "put", key);
    return rc ? rc : f->inner->ops->put(f->inner->self, key, d, n, if_absent);
}
static int f_del(void *self, const char *key)
{
    fault_state *f = self;
    int rc = fault_tick(f, "delete", key);
    return rc ? rc : f->inner->ops->del(f->inner->self, key);
}
static void f_free(void *self)
{
    fault_state *f = self;
    dlk_storage_free(&f->inner);
    pthread_mutex_destroy(&f->mu);
    dlk_free(f);
}

/* An upload through the wrapper: open, every write and the commit count as
 * calls (abort never fails). */
typedef struct {
    fault_state *f;
    dlk_storage_upload *inner;
} fault_upload;

static int f_upload_open(void *self, const char *key, void **out)
{
    fault_state *f = self;
    int rc = fault_tick(f, "upload open", key);
    if (rc) return rc;
    fault_upload *u = dlk_calloc(1, sizeof *u);
    if (!u) return dlk_err_nomem();
    u->f = f;
    if ((rc = dlk_storage_upload_open(f->inner, key, &u->inner))) {
        dlk_free(u);
        return rc;
    }
    *out = u;
    return DLK_OK;
}
static int f_upload_write(void *up, const void *data, size_t len)
{
    fault_upload *u = up;
    int rc = fault_tick(u->f, "upload write", dlk_storage_upload_key(u->inner));
    return rc ? rc : dlk_storage_upload_write(u->inner, data, len);
}
static int f_upload_commit(void *up, int if_absent)
{
    fault_upload *u = up;
    int rc = fault_tick(u->f, "upload commit", dlk_storage_upload_key(u->inner));
    if (rc)
        dlk_storage_upload_abort(&u->inner);
    else
        rc = if_absent ? dlk_storage_upload_commit_if_absent(&u->inner)
                       : dlk_storage_upload_commit(&u->inner);
    dlk_free(u);
    return rc;
}
static void f_upload_abort(void *up)
{
    fault_upload *u = up;
    dlk_storage_upload_abort(&u->inner);
    dlk_free(u);
}
static int f_prune(void *self, const char *key, int include_root)
{
    fault_state *f = self;
    int rc = fault_tick(f, "prune", key);
    return rc ? rc : dlk_storage_prune_dirs(f->inner, key, include_root);
}

static const dlk_storage_ops fault_ops = {DLK_STORAGE_OPS_VERSION,
                                          "fault",
                                          f_get,
                                          f_list,
                                          f_head,
                                          f_put,
                                          f_del,
                                          f_free,
                                          f_upload_open,
                                          f_upload_write,
                                          f_upload_commit,
                                          f_upload_abort,
                                          f_prune};

int dlk_storage_open_fault(dlk_storage *inner, long fail_nth, int sticky, dlk_storage **out)
{
    *out = NULL;
    fault_state *f = dlk_calloc(1, sizeof *f);
    if (!f) return dlk_err_nomem();
    pthread_mutex_init(&f->mu, NULL);
    f->inner = inner;
    f->fail_nth = fail_nth;
    f->sticky = sticky;
    int rc = dlk_storage_new(&fault_ops, f, inner->root, out);
    if (rc) {
        pthread_mutex_destroy(&f->mu);
        dlk_free(f);
    }
    return rc;
}

static const dlk_storage *shared_target(const dlk_storage *s);

void dlk_storage_fault_set(dlk_storage *s, long fail_nth, int sticky)
{
    s = (dlk_storage *)shared_target(s);
    if (!s || s->ops != &fault_ops) return;
    fault_state *f = s->self;
    pthread_mutex_lock(&f->mu);
    f->fail_nth = fail_nth;
    f->sticky = sticky;
    f->calls = 0;
    pthread_mutex_unlock(&f->mu);
}

long dlk_storage_fault_calls(const dlk_storage *s)
{
    s = shared_target(s);
    if (!s || s->ops != &fault_ops) return 0;
    fault_state *f = s->self;
    pthread_mutex_lock(&f->mu);
    long n = f->calls;
    pthread_mutex_unlock(&f->mu);
    return n;
}

/* ---- shared stores: named memory:// stores and mounts ----
 *
 * The registry maps a location to a node holding the shared storage. The
 * registry holds one reference while the location is registered, every
 * handle opened on it one more; the storage is freed with the last. A
 * handle is a thin backend ("shared") forwarding to the node's storage. */

typedef struct shared_node {
    char *location;
    dlk_storage *target;
    long refs;
    struct shared_node *next;
} shared_node;

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static shared_node *reg_head;

static void node_unref(shared_node *n)
{
    pthread_mutex_lock(&reg_mu);
    long left = --n->refs;
    pthread_mutex_unlock(&reg_mu);
    if (left) return;
    dlk_storage_free(&n->target);
    dlk_free(n->location);
    dlk_free(n);
}

static int sh_get(void *self, const char *key, int64_t off, int64_t len, uint8_t **out, size_t *n)
{
    dlk_storage *t = ((shared_node *)self)->target;
    return t->ops->get(t->self, key, off, len, out, n);
}
static int sh_list(void *self, const char *prefix, const char *after, dlk_storage_list *out)
{
    dlk_storage *t = ((shared_node *)self)->target;
    return t->ops->list(t->self, prefix, after, out);
}
static int sh_head(void *self, const char *key, dlk_storage_entry *out)
{
    dlk_storage *t = ((shared_node *)self)->target;
    return t->ops->head(t->self, key, out);
}
static int sh_put(void *self, const char *key, const void *d, size_t n, int if_absent)
{
    dlk_storage *t = ((shared_node *)self)->target;
    return t->ops->put(t->self, key, d, n, if_absent);
}
static int sh_del(void *self, const char *key)
{
    dlk_storage *t = ((shared_node *)self)->target;
    return t->ops->del(t->self, key);
}
static void sh_free(void *self)
{
    node_unref(self);
}
static int sh_upload_open(void *self, const char *key, void **out)
{
    dlk_storage_upload *up = NULL;
    int rc = dlk_storage_upload_open(((shared_node *)self)->target, key, &up);
    *out = up;
    return rc;
}
static int sh_upload_write(void *up, const void *data, size_t len)
{
    return dlk_storage_upload_write(up, data, len);
}
static int sh_upload_commit(void *up, int if_absent)
{
    dlk_storage_upload *u = up;
    return if_absent ? dlk_storage_upload_commit_if_absent(&u) : dlk_storage_upload_commit(&u);
}
static void sh_upload_abort(void *up)
{
    dlk_storage_upload *u = up;
    dlk_storage_upload_abort(&u);
}
static int sh_prune(void *self, const char *key, int include_root)
{
    return dlk_storage_prune_dirs(((shared_node *)self)->target, key, include_root);
}

static const dlk_storage_ops shared_ops = {DLK_STORAGE_OPS_VERSION,
                                           "shared",
                                           sh_get,
                                           sh_list,
                                           sh_head,
                                           sh_put,
                                           sh_del,
                                           sh_free,
                                           sh_upload_open,
                                           sh_upload_write,
                                           sh_upload_commit,
                                           sh_upload_abort,
                                           sh_prune};

static const dlk_storage *shared_target(const dlk_storage *s)
{
    return s && s->ops == &shared_ops ? ((const shared_node *)s->self)->target : s;
}

/* location without trailing '/' (a new string). */
static char *norm_location(const char *location)
{
    size_t n = strlen(location);
    while (n > 1 && location[n - 1] == '/')
        n--;
    return dlk_strndup(location, n);
}

/* Caller holds reg_mu. */
static shared_node *reg_find(const char *loc, shared_node ***link)
{
    for (shared_node **pp = &reg_head; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->location, loc)) {
            if (link) *link = pp;
            return *pp;
        }
    return NULL;
}

/* Caller holds reg_mu; takes ownership of loc and target (freed on failure). */
static shared_node *reg_add(char *loc, dlk_storage *target)
{
    shared_node *n = dlk_calloc(1, sizeof *n);
    if (!n) {
        dlk_free(loc);
        dlk_storage_free(&target);
        return NULL;
    }
    n->location = loc;
    n->target = target;
    n->refs = 1;
    n->next = reg_head;
    reg_head = n;
    return n;
}

/* A handle on the store registered at location; DLK_NOT_FOUND (no error
 * set) when location is neither mounted nor a memory:// location. */
static int open_shared(const char *location, dlk_storage **out)
{
    int is_mem = dlk_str_starts_with(location, "memory://");
    char *loc = norm_location(location);
    if (!loc) return dlk_err_nomem();
    if (is_mem && strlen(loc) <= 9) { /* "memory://" (trailing slashes stripped) */
        dlk_free(loc);
        return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: '%s' names no memory store", location);
    }
    int rc = DLK_OK;
    pthread_mutex_lock(&reg_mu);
    shared_node *n = reg_find(loc, NULL);
    if (!n && is_mem) {
        dlk_storage *m = NULL;
        if ((rc = dlk_storage_open_memory(&m)) == DLK_OK) {
            dlk_free(m->root);
            if (!(m->root = dlk_strdup(loc))) {
                rc = dlk_err_nomem();
                dlk_storage_free(&m);
            }
        }
        if (!rc && !(n = reg_add(loc, m))) rc = dlk_err_nomem();
        loc = NULL; /* owned by the node (or freed) */
    }
    if (n) n->refs++;
    pthread_mutex_unlock(&reg_mu);
    if (rc) {
        dlk_free(loc);
        return rc;
    }
    if (!n) {
        dlk_free(loc);
        return DLK_NOT_FOUND;
    }
    rc = dlk_storage_new(&shared_ops, n, loc ? loc : n->location, out);
    dlk_free(loc);
    if (rc) node_unref(n);
    return rc;
}

int dlk_storage_mount(const char *location, dlk_storage *storage)
{
    if (!storage) return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: mount of no storage");
    if (!location || !*location) {
        dlk_storage_free(&storage);
        return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: mount at an empty location");
    }
    char *loc = norm_location(location);
    if (!loc) {
        dlk_storage_free(&storage);
        return dlk_err_nomem();
    }
    int rc = DLK_OK;
    pthread_mutex_lock(&reg_mu);
    if (reg_find(loc, NULL)) {
        rc = dlk_err_set(DLK_ALREADY_EXISTS, "storage: %s is mounted already", loc);
        dlk_free(loc);
        dlk_storage_free(&storage);
    } else if (!reg_add(loc, storage)) {
        rc = dlk_err_nomem();
    }
    pthread_mutex_unlock(&reg_mu);
    DLK_DEBUG("storage", "mount %s -> %s", location, dlk_status_name(rc));
    return rc;
}

int dlk_storage_unmount(const char *location)
{
    if (!location) return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: unmount of no location");
    char *loc = norm_location(location);
    if (!loc) return dlk_err_nomem();
    shared_node **link = NULL;
    pthread_mutex_lock(&reg_mu);
    shared_node *n = reg_find(loc, &link);
    if (n) *link = n->next;
    pthread_mutex_unlock(&reg_mu);
    int rc = n ? DLK_OK : dlk_err_set(DLK_NOT_FOUND, "storage: nothing is mounted at %s", loc);
    dlk_free(loc);
    if (n) node_unref(n); /* the registry's reference */
    return rc;
}

/*
 * storage/storage.c - the dlk_storage handle: dispatch to a backend vtable,
 * opening by location, listing helpers, and the fault-injecting wrapper
 * used by tests (fails the Nth storage call with DLK_IO).
 */
#include "storage/storage_int.h"
#include "util/log.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
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

int dlk_storage_open(const char *location, dlk_storage **out)
{
    *out = NULL;
    if (!location || !*location)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "storage: empty table location");
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
    long fail_nth;
    int sticky;
    long calls;
} fault_state;

static int fault_tick(fault_state *f, const char *op, const char *key)
{
    f->calls++;
    if (f->fail_nth > 0 && (f->calls == f->fail_nth || (f->sticky && f->calls > f->fail_nth)))
        return dlk_err_set(DLK_IO, "%s %s: injected storage fault (call %ld)", op, key ? key : "",
                           f->calls);
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
    dlk_free(f);
}

static const dlk_storage_ops fault_ops = {
    DLK_STORAGE_OPS_VERSION, "fault", f_get, f_list, f_head, f_put, f_del, f_free};

int dlk_storage_open_fault(dlk_storage *inner, long fail_nth, int sticky, dlk_storage **out)
{
    *out = NULL;
    fault_state *f = dlk_calloc(1, sizeof *f);
    if (!f) return dlk_err_nomem();
    f->inner = inner;
    f->fail_nth = fail_nth;
    f->sticky = sticky;
    int rc = dlk_storage_new(&fault_ops, f, inner->root, out);
    if (rc) dlk_free(f);
    return rc;
}

void dlk_storage_fault_set(dlk_storage *s, long fail_nth, int sticky)
{
    if (!s || s->ops != &fault_ops) return;
    fault_state *f = s->self;
    f->fail_nth = fail_nth;
    f->sticky = sticky;
    f->calls = 0;
}

long dlk_storage_fault_calls(const dlk_storage *s)
{
    if (!s || s->ops != &fault_ops) return 0;
    return ((const fault_state *)s->self)->calls;
}

/*
 * storage/memory.c - in-memory backend for tests: a sorted array of
 * (key, bytes, mtime) guarded by a mutex. mtime is a logical clock in
 * milliseconds that advances by one on every put.
 */
#include "storage/storage_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include "util/time.h"
#include <pthread.h>
#include <string.h>

typedef struct {
    char *key;
    uint8_t *data;
    size_t len;
    int64_t mtime_ms;
} mem_obj;

typedef struct {
    pthread_mutex_t mu;
    mem_obj *objs;
    size_t n, cap;
    int64_t clock_ms;
} mem_state;

/* Index of key, or -(insertion point) - 1. */
static long find(mem_state *m, const char *key)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(m->objs[mid].key, key);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

static int m_get(void *self, const char *key, int64_t off, int64_t len, uint8_t **out, size_t *n)
{
    mem_state *m = self;
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&m->mu);
    long i = find(m, key);
    int rc = DLK_OK;
    if (i < 0) {
        rc = dlk_err_set(DLK_NOT_FOUND, "memory:%s: no such object", key);
    } else {
        mem_obj *o = &m->objs[i];
        size_t o0 = (size_t)off > o->len ? o->len : (size_t)off;
        size_t want = len < 0 || o0 + (size_t)len > o->len ? o->len - o0 : (size_t)len;
        uint8_t *b = dlk_malloc(want + 1);
        if (!b)
            rc = dlk_err_nomem();
        else {
            if (want) memcpy(b, o->data + o0, want);
            b[want] = 0;
            *out = b;
            *n = want;
        }
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static int m_list(void *self, const char *prefix, const char *after, dlk_storage_list *out)
{
    mem_state *m = self;
    size_t cap = 0;
    int rc = DLK_OK;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->n && !rc; i++) {
        const mem_obj *o = &m->objs[i];
        if (!dlk_str_starts_with(o->key, prefix)) continue;
        if (after && strcmp(o->key, after) <= 0) continue;
        rc = dlk_storage__list_add(out, &cap, o->key, (int64_t)o->len, o->mtime_ms);
    }
    pthread_mutex_unlock(&m->mu);
    if (rc) dlk_storage_list_free(out);
    return rc;
}

static int m_head(void *self, const char *key, dlk_storage_entry *out)
{
    mem_state *m = self;
    pthread_mutex_lock(&m->mu);
    long i = find(m, key);
    int rc = DLK_OK;
    if (i < 0)
        rc = dlk_err_set(DLK_NOT_FOUND, "memory:%s: no such object", key);
    else {
        out->size = (int64_t)m->objs[i].len;
        out->mtime_ms = m->objs[i].mtime_ms;
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static int m_put(void *self, const char *key, const void *data, size_t len, int if_absent)
{
    mem_state *m = self;
    uint8_t *copy = dlk_malloc(len ? len : 1);
    if (!copy) return dlk_err_nomem();
    if (len) memcpy(copy, data, len);
    int rc = DLK_OK;
    pthread_mutex_lock(&m->mu);
    long i = find(m, key);
    if (i >= 0) {
        if (if_absent) {
            rc = dlk_err_set(DLK_ALREADY_EXISTS, "memory:%s: already exists", key);
            dlk_free(copy);
        } else {
            dlk_free(m->objs[i].data);
            m->objs[i].data = copy;
            m->objs[i].len = len;
            m->objs[i].mtime_ms = ++m->clock_ms;
        }
    } else {
        size_t at = (size_t)(-i - 1);
        char *k = dlk_strdup(key);
        if (!k) rc = dlk_err_nomem();
        if (!rc && m->n == m->cap) {
            size_t nc = m->cap ? m->cap * 2 : 16;
            mem_obj *no = dlk_realloc(m->objs, nc * sizeof *no);
            if (!no)
                rc = dlk_err_nomem();
            else {
                m->objs = no;
                m->cap = nc;
            }
        }
        if (rc) {
            dlk_free(k);
            dlk_free(copy);
        } else {
            memmove(m->objs + at + 1, m->objs + at, (m->n - at) * sizeof *m->objs);
            m->objs[at] = (mem_obj){k, copy, len, ++m->clock_ms};
            m->n++;
        }
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static int m_del(void *self, const char *key)
{
    mem_state *m = self;
    pthread_mutex_lock(&m->mu);
    long i = find(m, key);
    int rc = DLK_OK;
    if (i < 0)
        rc = dlk_err_set(DLK_NOT_FOUND, "memory:%s: no such object", key);
    else {
        dlk_free(m->objs[i].key);
        dlk_free(m->objs[i].data);
        memmove(m->objs + i, m->objs + i + 1, (m->n - (size_t)i - 1) * sizeof *m->objs);
        m->n--;
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static void m_free(void *self)
{
    mem_state *m = self;
    if (!m) return;
    for (size_t i = 0; i < m->n; i++) {
        dlk_free(m->objs[i].key);
        dlk_free(m->objs[i].data);
    }
    dlk_free(m->objs);
    pthread_mutex_destroy(&m->mu);
    dlk_free(m);
}

/* no streaming upload: the storage layer buffers an upload and puts it
 * at commit, which is what this backend would do */
static const dlk_storage_ops mem_ops = {.version = DLK_STORAGE_OPS_VERSION,
                                        .name = "memory",
                                        .get = m_get,
                                        .list = m_list,
                                        .head = m_head,
                                        .put = m_put,
                                        .del = m_del,
                                        .free = m_free};

int dlk_storage_open_memory(dlk_storage **out)
{
    *out = NULL;
    mem_state *m = dlk_calloc(1, sizeof *m);
    if (!m) return dlk_err_nomem();
    pthread_mutex_init(&m->mu, NULL);
    m->clock_ms = dlk_now_micros() / 1000;
    int rc = dlk_storage_new(&mem_ops, m, "memory:", out);
    if (rc) m_free(m);
    return rc;
}

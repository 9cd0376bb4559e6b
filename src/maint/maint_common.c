/*
 * maint/maint_common.c - helpers shared by the maintenance operations: file
 * size defaults, partition keys, record counts, Delta interval properties,
 * sorting rows by 128-bit keys (maint_int.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "maint/maint_int.h"
#include "core/snapshot.h"
#include "deltalake/parquet.h"
#include "deltalake/sys/storage.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/path.h"
#include "util/str.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void dlk_ops__size_defaults(const dlk_snapshot *s, uint64_t *target, uint64_t *min_size,
                            uint64_t *max_size)
{
    if (!*target) {
        const char *p = s ? dlk_snapshot_property_get(s, "delta.targetFileSize") : NULL;
        char *end;
        unsigned long long v = p ? strtoull(p, &end, 10) : 0;
        *target = (p && end != p && !*end && v > 0) ? (uint64_t)v : DLK_MAINT_DEFAULT_TARGET;
    }
    if (!*min_size) *min_size = *target / 4;
    if (!*max_size) *max_size = *target * 2;
}

int dlk_ops__partition_key(const dlk_snapshot *s, const dlk_file_info *f, dlk_buf *b,
                           const char **vals)
{
    int rc = DLK_OK;
    (void)s;
    for (size_t i = 0; i < f->n_partition_values && !rc; i++) {
        const char *v = f->partition_values[i];
        if (vals) vals[i] = v;
        char *ek = NULL, *ev = NULL;
        rc = dlk_url_encode_path(f->partition_keys[i], strlen(f->partition_keys[i]), &ek);
        if (!rc && v && *v) rc = dlk_url_encode_path(v, strlen(v), &ev);
        if (!rc)
            rc = dlk_buf_printf(b, "%s%s=%s", i ? "/" : "", ek,
                                ev ? ev : "__HIVE_DEFAULT_PARTITION__");
        dlk_free(ek);
        dlk_free(ev);
    }
    if (!rc && !b->data) rc = dlk_buf_puts(b, "");
    return rc;
}

int64_t dlk_ops__file_records(const dlk_snapshot *s, const dlk_file_info *f)
{
    if (f->stats) {
        json_t *j = json_loads(f->stats, 0, NULL);
        json_t *n = json_object_get(j, "numRecords");
        int64_t r = json_is_integer(n) ? (int64_t)json_integer_value(n) : -1;
        json_decref(j);
        if (r >= 0) return r;
    }
    const char *root = s->table->location;
    if (!root) return -1;
    if (dlk_path_is_uri(root)) {
        /* object store: the file through the table's storage (footer count) */
        uint8_t *data = NULL;
        size_t len = 0;
        dlk_pq_file *pf = NULL;
        int64_t r = -1;
        if (dlk_storage_get(s->storage, f->path, &data, &len) == DLK_OK &&
            dlk_pq_open_memory(data, len, f->path, &pf) == DLK_OK)
            r = dlk_pq_num_rows(pf);
        else
            dlk_error_clear();
        dlk_pq_close(&pf);
        dlk_storage_bytes_free(data);
        return r;
    }
    char *full = NULL;
    if (f->path[0] == '/')
        full = dlk_strdup(f->path);
    else if (dlk_path_join(root, f->path, &full))
        full = NULL;
    if (!full) {
        dlk_error_clear();
        return -1;
    }
    dlk_pq_file *pf = NULL;
    int64_t r = -1;
    if (dlk_pq_open_path(full, &pf) == DLK_OK)
        r = dlk_pq_num_rows(pf);
    else
        dlk_error_clear();
    dlk_pq_close(&pf);
    dlk_free(full);
    return r;
}

/* ---- sort by key (merge sort on indices, stable) ---- */

typedef struct key_ctx {
    const uint64_t *hi, *lo;
} key_ctx;

static bool less(const key_ctx *k, int64_t a, int64_t b)
{
    if (k->hi[a] != k->hi[b]) return k->hi[a] < k->hi[b];
    return k->lo[a] < k->lo[b];
}

static void msort(const key_ctx *k, int64_t *a, int64_t *tmp, int64_t n)
{
    if (n < 2) return;
    if (n <= 16) {
        for (int64_t i = 1; i < n; i++) {
            int64_t x = a[i], j = i;
            while (j > 0 && less(k, x, a[j - 1])) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    int64_t h = n / 2;
    msort(k, a, tmp, h);
    msort(k, a + h, tmp, n - h);
    int64_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        tmp[o++] = less(k, a[j], a[i]) ? a[j++] : a[i++];
    while (i < h)
        tmp[o++] = a[i++];
    while (j < n)
        tmp[o++] = a[j++];
    memcpy(a, tmp, (size_t)n * sizeof *a);
}

void dlk_ops__sort_by_key(int64_t *sel, const uint64_t *hi, const uint64_t *lo, int64_t n)
{
    int64_t *tmp = dlk_malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    key_ctx k = {hi, lo};
    if (tmp) {
        msort(&k, sel, tmp, n);
        dlk_free(tmp);
        return;
    }
    /* no memory for the merge buffer: insertion sort (slow but correct) */
    for (int64_t i = 1; i < n; i++) {
        int64_t x = sel[i], j = i;
        while (j > 0 && less(&k, x, sel[j - 1])) {
            sel[j] = sel[j - 1];
            j--;
        }
        sel[j] = x;
    }
}

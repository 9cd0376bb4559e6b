/* parquet/encode_dict.c - dictionary building for RLE_DICTIONARY pages (see encode.h). */
#include "parquet/encode.h"
#include "util/alloc.h"
#include "util/error.h"

#include <string.h>

static uint32_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t k;
        memcpy(&k, p, 8);
        h = (h ^ k) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t k = 0;
        memcpy(&k, p, n);
        h = (h ^ k) * 0x94d049bb133111ebULL;
    }
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

static int grow(dlk_pq_dict *d)
{
    uint32_t ncap = d->cap ? d->cap * 2 : 1024;
    uint32_t *slots = dlk_calloc(ncap, sizeof *slots);
    if (!slots) return dlk_err_nomem();
    for (uint32_t i = 0; i < d->n; i++) {
        uint32_t s = d->entries[i].hash & (ncap - 1);
        while (slots[s]) s = (s + 1) & (ncap - 1);
        slots[s] = i + 1;
    }
    dlk_free(d->slots);
    d->slots = slots;
    d->cap = ncap;
    return DLK_OK;
}

static inline uint32_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return (uint32_t)k;
}

static int fgrow(dlk_pq_dict *d, size_t width)
{
    uint32_t ncap = d->cap ? d->cap * 2 : 1024;
    struct dlk_pq_dict_fslot *fs = dlk_calloc(ncap, sizeof *fs);
    if (!fs) return dlk_err_nomem();
    for (uint32_t i = 0; i < d->n; i++) {
        uint64_t k = 0;
        memcpy(&k, d->plain.data + (size_t)i * width, width);
        uint32_t s = hash64(k) & (ncap - 1);
        while (fs[s].index1) s = (s + 1) & (ncap - 1);
        fs[s].key = k;
        fs[s].index1 = i + 1;
    }
    dlk_free(d->fslots);
    d->fslots = fs;
    d->cap = ncap;
    return DLK_OK;
}

/* Values of n <= 8 bytes, all of the same width (fixed-width columns). */
static int insert_fixed(dlk_pq_dict *d, const void *p, size_t n, uint32_t *index)
{
    if ((uint64_t)(d->n + 1) * 10 >= (uint64_t)d->cap * 7) {
        int rc = fgrow(d, n);
        if (rc) return rc;
    }
    uint64_t k = 0;
    memcpy(&k, p, n);
    uint32_t mask = d->cap - 1, s = hash64(k) & mask;
    while (d->fslots[s].index1) {
        if (d->fslots[s].key == k) {
            *index = d->fslots[s].index1 - 1;
            return DLK_OK;
        }
        s = (s + 1) & mask;
    }
    if (dlk_buf_append(&d->plain, p, n)) return dlk_err_nomem();
    d->fslots[s].key = k;
    d->fslots[s].index1 = d->n + 1;
    *index = d->n++;
    return DLK_OK;
}

int dlk_pq__dict_insert(dlk_pq_dict *d, const void *p, size_t n, uint32_t *index)
{
    if (!d->byte_array && n <= 8) return insert_fixed(d, p, n, index);
    if (n > UINT32_MAX) return dlk_err_set(DLK_INVALID_ARGUMENT, "dictionary value too large");
    if ((uint64_t)(d->n + 1) * 10 >= (uint64_t)d->cap * 7) {
        int rc = grow(d);
        if (rc) return rc;
    }
    uint32_t h = hash_bytes(p, n);
    uint32_t s = h & (d->cap - 1);
    while (d->slots[s]) {
        const dlk_pq_dict_entry *e = &d->entries[d->slots[s] - 1];
        if (e->hash == h && e->len == n && memcmp(d->plain.data + e->off, p, n) == 0) {
            *index = d->slots[s] - 1;
            return DLK_OK;
        }
        s = (s + 1) & (d->cap - 1);
    }
    if (d->n == d->entries_cap) {
        uint32_t nc = d->entries_cap ? d->entries_cap * 2 : 256;
        dlk_pq_dict_entry *ne = dlk_realloc(d->entries, (size_t)nc * sizeof *ne);
        if (!ne) return dlk_err_nomem();
        d->entries = ne;
        d->entries_cap = nc;
    }
    if (d->byte_array) {
        uint32_t len = (uint32_t)n;
        uint8_t le[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
                         (uint8_t)(len >> 24)};
        if (dlk_buf_append(&d->plain, le, 4)) return dlk_err_nomem();
    }
    uint64_t off = d->plain.len;
    if (n && dlk_buf_append(&d->plain, p, n)) return dlk_err_nomem();
    if (!n && dlk_buf_reserve(&d->plain, 1)) return dlk_err_nomem(); /* data non-NULL */
    d->entries[d->n] = (dlk_pq_dict_entry){off, (uint32_t)n, h};
    d->slots[s] = d->n + 1;
    *index = d->n++;
    return DLK_OK;
}

void dlk_pq__dict_reset(dlk_pq_dict *d)
{
    d->plain.len = 0;
    d->n = 0;
    if (d->slots) memset(d->slots, 0, (size_t)d->cap * sizeof *d->slots);
    if (d->fslots) memset(d->fslots, 0, (size_t)d->cap * sizeof *d->fslots);
}

void dlk_pq__dict_free(dlk_pq_dict *d)
{
    dlk_buf_free(&d->plain);
    dlk_free(d->entries);
    dlk_free(d->slots);
    dlk_free(d->fslots);
    memset(d, 0, sizeof *d);
}

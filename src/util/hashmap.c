/* util/hashmap.c - open-addressing hash map (see util/hashmap.h). */
#include "util/hashmap.h"
#include "util/alloc.h"
#include "util/error.h"

#include <string.h>

#define TOMB ((char *)1)

uint64_t dlk_hash_bytes(const void *p, size_t n)
{
    /* FNV-1a 64 with a final avalanche (splitmix64 finaliser). */
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

static dlk_map_entry *find(const dlk_map *m, const void *key, size_t klen, uint64_t h,
                           dlk_map_entry **free_slot)
{
    if (free_slot) *free_slot = NULL;
    if (!m->cap) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        dlk_map_entry *e = &m->slots[i];
        if (!e->key) {
            if (free_slot && !*free_slot) *free_slot = e;
            return NULL;
        }
        if (e->key == TOMB) {
            if (free_slot && !*free_slot) *free_slot = e;
            continue;
        }
        if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0) return e;
    }
}

static int grow(dlk_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    if (m->count * 2 < m->cap) cap = m->cap; /* mostly tombstones: rehash in place size */
    dlk_map_entry *slots = dlk_calloc(cap, sizeof *slots);
    if (!slots) return dlk_err_nomem();
    for (size_t i = 0; i < m->cap; i++) {
        dlk_map_entry *e = &m->slots[i];
        if (!e->key || e->key == TOMB) continue;
        size_t j = e->hash & (cap - 1);
        while (slots[j].key) j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    dlk_free(m->slots);
    m->slots = slots;
    m->cap = cap;
    m->used = m->count;
    return DLK_OK;
}

int dlk_map_put(dlk_map *m, const void *key, size_t klen, void *value, void **old)
{
    if ((m->used + 1) * 10 >= m->cap * 7 && grow(m)) return DLK_NO_MEMORY;
    uint64_t h = dlk_hash_bytes(key, klen);
    dlk_map_entry *slot;
    dlk_map_entry *e = find(m, key, klen, h, &slot);
    if (e) {
        if (old) *old = e->value;
        e->value = value;
        return DLK_OK;
    }
    char *k = dlk_malloc(klen + 1);
    if (!k) return dlk_err_nomem();
    memcpy(k, key, klen);
    k[klen] = 0;
    if (!slot->key) m->used++;
    slot->key = k;
    slot->klen = klen;
    slot->hash = h;
    slot->value = value;
    m->count++;
    if (old) *old = NULL;
    return DLK_OK;
}

int dlk_map_put_str(dlk_map *m, const char *key, void *value)
{
    return dlk_map_put(m, key, strlen(key), value, NULL);
}

bool dlk_map_get(const dlk_map *m, const void *key, size_t klen, void **value)
{
    dlk_map_entry *e = find(m, key, klen, dlk_hash_bytes(key, klen), NULL);
    if (e && value) *value = e->value;
    return e != NULL;
}

void *dlk_map_get_str(const dlk_map *m, const char *key)
{
    void *v = NULL;
    dlk_map_get(m, key, strlen(key), &v);
    return v;
}

bool dlk_map_remove(dlk_map *m, const void *key, size_t klen, void **value)
{
    dlk_map_entry *e = find(m, key, klen, dlk_hash_bytes(key, klen), NULL);
    if (!e) return false;
    if (value) *value = e->value;
    dlk_free(e->key);
    e->key = TOMB;
    e->value = NULL;
    m->count--;
    return true;
}

dlk_map_entry *dlk_map_next(const dlk_map *m, size_t *pos)
{
    for (; *pos < m->cap; (*pos)++) {
        dlk_map_entry *e = &m->slots[*pos];
        if (e->key && e->key != TOMB) {
            (*pos)++;
            return e;
        }
    }
    return NULL;
}

void dlk_map_free(dlk_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != TOMB) dlk_free(m->slots[i].key);
    dlk_free(m->slots);
    memset(m, 0, sizeof *m);
}

/*
 * util/hashmap.h - open-addressing hash map from byte-string keys to void*.
 *
 * Keys are copied into the map; values are borrowed (the map never frees
 * them). Linear probing, power-of-two capacity, grows at 70% load,
 * tombstones on delete. Iteration order is unspecified.
 */
#ifndef DLK_UTIL_HASHMAP_H
#define DLK_UTIL_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dlk_map_entry {
    char *key; /* NULL: empty slot; (char*)1: tombstone */
    size_t klen;
    uint64_t hash;
    void *value;
} dlk_map_entry;

typedef struct dlk_map {
    dlk_map_entry *slots;
    size_t cap;   /* power of two, or 0 */
    size_t count; /* live entries */
    size_t used;  /* live + tombstones */
} dlk_map;

uint64_t dlk_hash_bytes(const void *p, size_t n);
/* Insert or replace. *old (if non-NULL) receives the replaced value or NULL. */
int dlk_map_put(dlk_map *m, const void *key, size_t klen, void *value, void **old);
int dlk_map_put_str(dlk_map *m, const char *key, void *value);
/* Returns true and sets *value when found. */
bool dlk_map_get(const dlk_map *m, const void *key, size_t klen, void **value);
void *dlk_map_get_str(const dlk_map *m, const char *key);
/* Removes the key; returns its value through *value. */
bool dlk_map_remove(dlk_map *m, const void *key, size_t klen, void **value);
/* Iterate: start with *pos = 0; returns NULL at the end. */
dlk_map_entry *dlk_map_next(const dlk_map *m, size_t *pos);
void dlk_map_free(dlk_map *m);

#endif

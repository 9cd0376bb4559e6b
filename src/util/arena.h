/*
 * util/arena.h - region allocator: many small allocations, one free.
 *
 * Used per snapshot (paths, partition values, stats strings) and per row
 * group. Memory comes in chunks of at least 64 KiB; dlk_arena_free releases
 * all of it. Allocations are 16-byte aligned.
 */
#ifndef DLK_UTIL_ARENA_H
#define DLK_UTIL_ARENA_H

#include <stddef.h>

typedef struct dlk_arena_chunk dlk_arena_chunk;

typedef struct dlk_arena {
    dlk_arena_chunk *head;
    size_t total; /* bytes handed out */
} dlk_arena;

void *dlk_arena_alloc(dlk_arena *a, size_t n); /* NULL on OOM */
void *dlk_arena_calloc(dlk_arena *a, size_t n);
char *dlk_arena_strndup(dlk_arena *a, const char *s, size_t n);
char *dlk_arena_strdup(dlk_arena *a, const char *s);
void dlk_arena_free(dlk_arena *a);
/* Move every allocation of src into dst (src is left empty; pointers into
 * it stay valid and are freed with dst). */
void dlk_arena_merge(dlk_arena *dst, dlk_arena *src);

#endif

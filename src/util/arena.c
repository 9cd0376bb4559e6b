/* util/arena.c - region allocator (see util/arena.h). */
#include "util/arena.h"
#include "util/alloc.h"

#include <stdint.h>
#include <string.h>

#define CHUNK_MIN (64 * 1024)

struct dlk_arena_chunk {
    dlk_arena_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *dlk_arena_alloc(dlk_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    dlk_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (cap > SIZE_MAX - sizeof *c) return NULL;
        c = dlk_malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->used = 0;
        c->cap = cap;
        /* big one-off allocations go behind the head so its free room stays usable */
        if (a->head && n > CHUNK_MIN) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += n;
    a->total += n;
    return p;
}

void *dlk_arena_calloc(dlk_arena *a, size_t n)
{
    void *p = dlk_arena_alloc(a, n);
    if (p) memset(p, 0, n);
    return p;
}

char *dlk_arena_strndup(dlk_arena *a, const char *s, size_t n)
{
    char *p = dlk_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *dlk_arena_strdup(dlk_arena *a, const char *s)
{
    return dlk_arena_strndup(a, s, strlen(s));
}

void dlk_arena_free(dlk_arena *a)
{
    dlk_arena_chunk *c = a->head;
    while (c) {
        dlk_arena_chunk *n = c->next;
        dlk_free(c);
        c = n;
    }
    a->head = NULL;
    a->total = 0;
}

void dlk_arena_merge(dlk_arena *dst, dlk_arena *src)
{
    if (!src->head) return;
    if (!dst->head) {
        dst->head = src->head;
    } else {
        /* behind dst's head, so its free room stays usable */
        dlk_arena_chunk *tail = src->head;
        while (tail->next)
            tail = tail->next;
        tail->next = dst->head->next;
        dst->head->next = src->head;
    }
    dst->total += src->total;
    src->head = NULL;
    src->total = 0;
}

/* util/alloc.c - allocation hook with test-only fault injection. */
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local long g_fail_at;  /* 0: off */
static _Thread_local long g_count;

void dlk_alloc_fail_after(long n)
{
    g_fail_at = n;
    g_count = 0;
}

long dlk_alloc_count(void) { return g_count; }

static int should_fail(void)
{
    g_count++;
    return g_fail_at > 0 && g_count >= g_fail_at;
}

void *dlk_malloc(size_t n)
{
    if (should_fail()) return NULL;
    return malloc(n ? n : 1);
}

void *dlk_calloc(size_t count, size_t size)
{
    if (should_fail()) return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *dlk_realloc(void *p, size_t n)
{
    if (should_fail()) return NULL;
    return realloc(p, n ? n : 1);
}

void dlk_free(void *p) { free(p); }

void *dlk_memdup(const void *p, size_t n)
{
    void *q = dlk_malloc(n);
    if (q && n) memcpy(q, p, n);
    return q;
}

char *dlk_strndup(const char *s, size_t n)
{
    char *q = dlk_malloc(n + 1);
    if (!q) return NULL;
    memcpy(q, s, n);
    q[n] = 0;
    return q;
}

char *dlk_strdup(const char *s) { return s ? dlk_strndup(s, strlen(s)) : NULL; }

/*
 * util/alloc.h - the one allocation hook of the library.
 *
 * All library code allocates through dlk_malloc/dlk_calloc/dlk_realloc/
 * dlk_free. Tests can make the Nth allocation fail (dlk_alloc_fail_after)
 * to check that every failure path reports DLK_NO_MEMORY and leaks nothing.
 */
#ifndef DLK_UTIL_ALLOC_H
#define DLK_UTIL_ALLOC_H

#include <stddef.h>

void *dlk_malloc(size_t n);
void *dlk_calloc(size_t count, size_t size);
void *dlk_realloc(void *p, size_t n);
void dlk_free(void *p);
/* Memory duplication helpers: NULL on allocation failure. */
char *dlk_strdup(const char *s);
char *dlk_strndup(const char *s, size_t n);
void *dlk_memdup(const void *p, size_t n);

/* Fault injection (tests only): allocation number n (1-based, counted from
 * this call) and every later one fail; n = 0 switches injection off. */
void dlk_alloc_fail_after(long n);
/* Number of allocations since the last dlk_alloc_fail_after call. */
long dlk_alloc_count(void);

#endif

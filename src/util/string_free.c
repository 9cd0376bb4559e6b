/*
 * util/string_free.c - the one free of strings the library returns to
 * callers (include/deltalake/types.h): they are allocated with dlk_malloc.
 */
#include "deltalake/types.h"
#include "util/alloc.h"

void dlk_string_free(char *s)
{
    dlk_free(s);
}

void dlk_string_list_free(char **list, size_t n)
{
    if (!list) return;
    for (size_t i = 0; i < n; i++)
        dlk_free(list[i]);
    dlk_free(list);
}

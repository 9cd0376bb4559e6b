/*
 * storage/storage_int.h - shared internals of the storage backends: the
 * public vtable ABI lives in include/deltalake/sys/storage.h.
 */
#ifndef DLK_STORAGE_STORAGE_INT_H
#define DLK_STORAGE_STORAGE_INT_H
#include "deltalake/sys/storage.h"

/* Append an entry (key copied) to a listing being built; *cap tracks capacity. */
int dlk_storage__list_add(dlk_storage_list *l, size_t *cap, const char *key, int64_t size,
                          int64_t mtime_ms);
/* Sort a listing by key. */
void dlk_storage__list_sort(dlk_storage_list *l);
/* Open "s3://bucket/prefix" (or s3a://) with settings from the environment
 * (storage/s3.c). */
int dlk_storage__open_s3(const char *location, dlk_storage **out);
#endif

/*
 * storage/s3_int.h - internals of the S3 backend shared between s3.c (HTTP
 * requests through libcurl) and s3_xml.c (the minimal, bounds-checked
 * parsing of S3's XML responses).
 */
#ifndef DLK_STORAGE_S3_INT_H
#define DLK_STORAGE_S3_INT_H
#include "storage/storage_int.h"
#include <stdbool.h>
#include <stddef.h>

/* One page of a ListObjectsV2 response. Keys are full object keys
 * (XML-unescaped); the caller strips the root prefix. */
typedef struct dlk_s3_page {
    dlk_storage_list items; /* size, mtime_ms and the full key */
    size_t cap;
    bool truncated;
    char *next_token; /* NextContinuationToken (unescaped) or NULL */
} dlk_s3_page;

/* Parse a ListObjectsV2 response body of n bytes (need not be
 * NUL-terminated). Malformed XML: DLK_IO naming what is wrong. */
int dlk_s3__parse_list(const char *xml, size_t n, dlk_s3_page *out);
void dlk_s3__page_free(dlk_s3_page *p);
/* The unescaped text of the first <tag>...</tag> in xml[0..n), or NULL when
 * absent (or on allocation failure). Used for <Code>/<Message> of errors. */
char *dlk_s3__xml_text(const char *xml, size_t n, const char *tag);
/* ISO-8601 "2024-01-02T03:04:05.678Z" to milliseconds since the epoch; 0 when
 * unparseable. */
int64_t dlk_s3__parse_iso8601(const char *s);
#endif

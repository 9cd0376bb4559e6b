/*
 * parquet/thrift_read.h - Thrift compact protocol DECODER (footer and page
 * headers). See thrift_write.h for the wire format.
 *
 * A dlk_tr is a bounded cursor: every read checks the end of the buffer,
 * nesting depth and list sizes; the first failure sets tr->err (DLK_CORRUPT
 * with the offset) and every later read fails too, so parsers can check once.
 */
#ifndef DLK_PARQUET_THRIFT_READ_H
#define DLK_PARQUET_THRIFT_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DLK_TR_MAX_DEPTH 64

typedef struct dlk_tr {
    const uint8_t *start, *p, *end;
    size_t base;      /* file offset of start (for messages) */
    const char *name; /* file name for messages; "": none (the caller names the file) */
    int err;
    int depth;
    int16_t last[DLK_TR_MAX_DEPTH];
} dlk_tr;

void dlk_pq__tr_init(dlk_tr *t, const uint8_t *p, size_t n, size_t base, const char *name);
/* Set a CORRUPT error naming the offset (first error wins); returns the code. */
int dlk_pq__tr_fail(dlk_tr *t, const char *what);
/* Struct framing: begin before reading the fields of a nested struct, end after STOP. */
bool dlk_pq__tr_struct_begin(dlk_tr *t);
void dlk_pq__tr_struct_end(dlk_tr *t);
/* Next field of the current struct: false at STOP or on error. *type is the compact type,
 * BOOL fields carry their value in *type (1 true, 2 false). */
bool dlk_pq__tr_field(dlk_tr *t, int16_t *id, int *type);
uint64_t dlk_pq__tr_uvarint(dlk_tr *t);
int64_t dlk_pq__tr_zigzag(dlk_tr *t);
int32_t dlk_pq__tr_i32(dlk_tr *t, int type);
int64_t dlk_pq__tr_i64(dlk_tr *t, int type);
bool dlk_pq__tr_bool(dlk_tr *t, int type); /* field-header bool or list element */
double dlk_pq__tr_double(dlk_tr *t);
/* Binary/string: pointer into the buffer and length. */
const uint8_t *dlk_pq__tr_binary(dlk_tr *t, size_t *n);
/* List header: element type and count (count bounded by remaining bytes). */
int64_t dlk_pq__tr_list(dlk_tr *t, int *elem_type);
/* Skip a value of the given type. */
void dlk_pq__tr_skip(dlk_tr *t, int type);
static inline size_t dlk_pq__tr_offset(const dlk_tr *t)
{
    return t->base + (size_t)(t->p - t->start);
}

#endif

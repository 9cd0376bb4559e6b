/*
 * parquet/thrift_write.h - Thrift compact protocol ENCODER (the footer and
 * page headers of Parquet are Thrift structs in the compact protocol).
 *
 * Wire format written here:
 *   field header   delta = id - previous id in this struct; 1..15:
 *                  one byte (delta << 4) | type, else byte `type` then the
 *                  id as a zigzag varint.
 *   types          1 BOOL_TRUE, 2 BOOL_FALSE (booleans live in the field
 *                  header), 3 BYTE, 4 I16, 5 I32, 6 I64, 7 DOUBLE,
 *                  8 BINARY, 9 LIST, 10 SET, 11 MAP, 12 STRUCT
 *   i16/i32/i64    zigzag varint;   binary: varint length, bytes
 *   list header    size < 15: byte (size << 4) | elem_type, else
 *                  0xF0 | elem_type then varint size
 *   struct end     byte 0 (STOP); unions are structs with one field.
 *
 * Usage: dlk_pq_tw w; dlk_pq__tw_init(&w, &buf); dlk_pq__tw_i32(&w, 1, 5); ...
 * dlk_pq__tw_struct_begin(&w, id) / dlk_pq__tw_struct_end(&w) for nested structs;
 * dlk_pq__tw_list_begin(&w, id, elem, n) followed by n elements written with
 * the dlk_pq__tw_elem_* functions (struct elements: dlk_pq__tw_elem_struct_begin /
 * dlk_pq__tw_struct_end). The top-level struct is opened by dlk_pq__tw_init and
 * closed by dlk_pq__tw_finish. Allocation failures are remembered; dlk_pq__tw_finish
 * returns DLK_NO_MEMORY if any append failed.
 */
#ifndef DLK_PARQUET_THRIFT_WRITE_H
#define DLK_PARQUET_THRIFT_WRITE_H

#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    DLK_TC_BOOL_TRUE = 1,
    DLK_TC_BOOL_FALSE = 2,
    DLK_TC_BYTE = 3,
    DLK_TC_I16 = 4,
    DLK_TC_I32 = 5,
    DLK_TC_I64 = 6,
    DLK_TC_DOUBLE = 7,
    DLK_TC_BINARY = 8,
    DLK_TC_LIST = 9,
    DLK_TC_STRUCT = 12,
};

#define DLK_PQ_TW_MAX_DEPTH 32

typedef struct dlk_pq_tw {
    dlk_buf *out;
    int16_t last[DLK_PQ_TW_MAX_DEPTH]; /* previous field id per open struct */
    int depth;
    int err;
} dlk_pq_tw;

void dlk_pq__tw_init(dlk_pq_tw *w, dlk_buf *out);
/* Close the top-level struct; DLK_OK or the first error met. */
int dlk_pq__tw_finish(dlk_pq_tw *w);

void dlk_pq__tw_bool(dlk_pq_tw *w, int16_t id, bool v);
void dlk_pq__tw_byte(dlk_pq_tw *w, int16_t id, int8_t v);
void dlk_pq__tw_i16(dlk_pq_tw *w, int16_t id, int16_t v);
void dlk_pq__tw_i32(dlk_pq_tw *w, int16_t id, int32_t v);
void dlk_pq__tw_i64(dlk_pq_tw *w, int16_t id, int64_t v);
void dlk_pq__tw_binary(dlk_pq_tw *w, int16_t id, const void *p, size_t n);
void dlk_pq__tw_string(dlk_pq_tw *w, int16_t id, const char *s);
void dlk_pq__tw_struct_begin(dlk_pq_tw *w, int16_t id);
void dlk_pq__tw_struct_end(dlk_pq_tw *w);
/* An empty struct field (e.g. a union member with no fields). */
void dlk_pq__tw_empty_struct(dlk_pq_tw *w, int16_t id);
void dlk_pq__tw_list_begin(dlk_pq_tw *w, int16_t id, int elem_type, size_t n);

void dlk_pq__tw_elem_i32(dlk_pq_tw *w, int32_t v);
void dlk_pq__tw_elem_i64(dlk_pq_tw *w, int64_t v);
void dlk_pq__tw_elem_binary(dlk_pq_tw *w, const void *p, size_t n);
void dlk_pq__tw_elem_struct_begin(dlk_pq_tw *w);

/* Append already encoded bytes (a struct serialized on its own). */
void dlk_pq__tw_raw(dlk_pq_tw *w, const void *p, size_t n);

/* Raw helpers (also used by the RLE encoder): ULEB128 varint. */
int dlk_pq__tw_put_varint(dlk_buf *b, uint64_t v);

#endif

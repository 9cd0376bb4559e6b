/* parquet/thrift_write.c - Thrift compact protocol encoder (see thrift_write.h). */
#include "parquet/thrift_write.h"
#include "util/error.h"

#include <string.h>

int dlk_pq__tw_put_varint(dlk_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    return dlk_buf_append(b, tmp, n);
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

static void put_byte(dlk_pq_tw *w, uint8_t c)
{
    if (!w->err && dlk_buf_append(w->out, &c, 1)) w->err = DLK_NO_MEMORY;
}

static void put_varint(dlk_pq_tw *w, uint64_t v)
{
    if (!w->err && dlk_pq__tw_put_varint(w->out, v)) w->err = DLK_NO_MEMORY;
}

static void put_bytes(dlk_pq_tw *w, const void *p, size_t n)
{
    if (!w->err && n && dlk_buf_append(w->out, p, n)) w->err = DLK_NO_MEMORY;
}

static void field(dlk_pq_tw *w, int16_t id, int type)
{
    int16_t delta = (int16_t)(id - w->last[w->depth]);
    if (delta > 0 && delta <= 15) {
        put_byte(w, (uint8_t)((delta << 4) | type));
    } else {
        put_byte(w, (uint8_t)type);
        put_varint(w, zigzag(id));
    }
    w->last[w->depth] = id;
}

static void push(dlk_pq_tw *w)
{
    if (w->depth + 1 >= DLK_PQ_TW_MAX_DEPTH) {
        w->err = DLK_ERROR;
        return;
    }
    w->last[++w->depth] = 0;
}

void dlk_pq__tw_init(dlk_pq_tw *w, dlk_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

int dlk_pq__tw_finish(dlk_pq_tw *w)
{
    put_byte(w, 0);
    if (w->err == DLK_NO_MEMORY) return dlk_err_nomem();
    if (w->err || w->depth != 0)
        return dlk_err_set(DLK_ERROR, "thrift encoder: unbalanced structs");
    return DLK_OK;
}

void dlk_pq__tw_bool(dlk_pq_tw *w, int16_t id, bool v)
{
    field(w, id, v ? DLK_TC_BOOL_TRUE : DLK_TC_BOOL_FALSE);
}

void dlk_pq__tw_byte(dlk_pq_tw *w, int16_t id, int8_t v)
{
    field(w, id, DLK_TC_BYTE);
    put_byte(w, (uint8_t)v);
}

void dlk_pq__tw_i16(dlk_pq_tw *w, int16_t id, int16_t v)
{
    field(w, id, DLK_TC_I16);
    put_varint(w, zigzag(v));
}

void dlk_pq__tw_raw(dlk_pq_tw *w, const void *p, size_t n) { put_bytes(w, p, n); }

void dlk_pq__tw_i32(dlk_pq_tw *w, int16_t id, int32_t v)
{
    field(w, id, DLK_TC_I32);
    put_varint(w, zigzag(v));
}

void dlk_pq__tw_i64(dlk_pq_tw *w, int16_t id, int64_t v)
{
    field(w, id, DLK_TC_I64);
    put_varint(w, zigzag(v));
}

void dlk_pq__tw_binary(dlk_pq_tw *w, int16_t id, const void *p, size_t n)
{
    field(w, id, DLK_TC_BINARY);
    put_varint(w, n);
    put_bytes(w, p, n);
}

void dlk_pq__tw_string(dlk_pq_tw *w, int16_t id, const char *s) { dlk_pq__tw_binary(w, id, s, strlen(s)); }

void dlk_pq__tw_struct_begin(dlk_pq_tw *w, int16_t id)
{
    field(w, id, DLK_TC_STRUCT);
    push(w);
}

void dlk_pq__tw_struct_end(dlk_pq_tw *w)
{
    put_byte(w, 0);
    if (w->depth > 0) w->depth--;
    else w->err = DLK_ERROR;
}

void dlk_pq__tw_empty_struct(dlk_pq_tw *w, int16_t id)
{
    dlk_pq__tw_struct_begin(w, id);
    dlk_pq__tw_struct_end(w);
}

void dlk_pq__tw_list_begin(dlk_pq_tw *w, int16_t id, int elem_type, size_t n)
{
    field(w, id, DLK_TC_LIST);
    if (n < 15) {
        put_byte(w, (uint8_t)((n << 4) | (size_t)elem_type));
    } else {
        put_byte(w, (uint8_t)(0xF0 | elem_type));
        put_varint(w, n);
    }
}

void dlk_pq__tw_elem_i32(dlk_pq_tw *w, int32_t v) { put_varint(w, zigzag(v)); }
void dlk_pq__tw_elem_i64(dlk_pq_tw *w, int64_t v) { put_varint(w, zigzag(v)); }

void dlk_pq__tw_elem_binary(dlk_pq_tw *w, const void *p, size_t n)
{
    put_varint(w, n);
    put_bytes(w, p, n);
}

void dlk_pq__tw_elem_struct_begin(dlk_pq_tw *w) { push(w); }

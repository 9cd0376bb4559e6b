/*
 * parquet/thrift_read.c - bounded Thrift compact protocol decoding for the
 * Parquet footer and page headers.
 */
#include "parquet/thrift_read.h"
#include "parquet/thrift_write.h"
#include "util/error.h"

#include <string.h>

void dlk_pq__tr_init(dlk_tr *t, const uint8_t *p, size_t n, size_t base, const char *name)
{
    memset(t, 0, sizeof *t);
    t->start = t->p = p;
    t->end = p + n;
    t->base = base;
    t->name = name ? name : "<memory>";
}

int dlk_pq__tr_fail(dlk_tr *t, const char *what)
{
    if (!t->err && !t->name[0]) /* name "": the caller's context names the file */
        t->err = dlk_err_set(DLK_CORRUPT, "offset %zu: bad thrift metadata: %s",
                             dlk_pq__tr_offset(t), what);
    else if (!t->err)
        t->err = dlk_err_set(DLK_CORRUPT, "%s: offset %zu: bad thrift metadata: %s", t->name,
                             dlk_pq__tr_offset(t), what);
    t->p = t->end;
    return t->err;
}

static uint8_t rd_byte(dlk_tr *t)
{
    if (t->err) return 0;
    if (t->p >= t->end) {
        dlk_pq__tr_fail(t, "unexpected end");
        return 0;
    }
    return *t->p++;
}

uint64_t dlk_pq__tr_uvarint(dlk_tr *t)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b = rd_byte(t);
        if (t->err) return 0;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    dlk_pq__tr_fail(t, "varint too long");
    return 0;
}

int64_t dlk_pq__tr_zigzag(dlk_tr *t)
{
    uint64_t u = dlk_pq__tr_uvarint(t);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

bool dlk_pq__tr_struct_begin(dlk_tr *t)
{
    if (t->err) return false;
    if (t->depth + 1 >= DLK_TR_MAX_DEPTH) {
        dlk_pq__tr_fail(t, "nesting too deep");
        return false;
    }
    t->last[++t->depth] = 0;
    return true;
}

void dlk_pq__tr_struct_end(dlk_tr *t)
{
    if (t->depth > 0) t->depth--;
}

bool dlk_pq__tr_field(dlk_tr *t, int16_t *id, int *type)
{
    uint8_t b = rd_byte(t);
    if (t->err || b == 0) return false;
    int delta = b >> 4;
    *type = b & 0x0f;
    if (delta)
        *id = (int16_t)(t->last[t->depth] + delta);
    else {
        int64_t v = dlk_pq__tr_zigzag(t);
        if (v < -32768 || v > 32767) {
            dlk_pq__tr_fail(t, "field id out of range");
            return false;
        }
        *id = (int16_t)v;
    }
    t->last[t->depth] = *id;
    if (*type == 0 || *type > 12) {
        dlk_pq__tr_fail(t, "unknown field type");
        return false;
    }
    return !t->err;
}

int32_t dlk_pq__tr_i32(dlk_tr *t, int type)
{
    if (type == DLK_TC_BYTE) return (int8_t)rd_byte(t);
    if (type != DLK_TC_I16 && type != DLK_TC_I32 && type != DLK_TC_I64) {
        dlk_pq__tr_skip(t, type);
        if (!t->err) dlk_pq__tr_fail(t, "expected an integer field");
        return 0;
    }
    int64_t v = dlk_pq__tr_zigzag(t);
    if (v < INT32_MIN || v > INT32_MAX) {
        dlk_pq__tr_fail(t, "i32 out of range");
        return 0;
    }
    return (int32_t)v;
}

int64_t dlk_pq__tr_i64(dlk_tr *t, int type)
{
    if (type == DLK_TC_BYTE) return (int8_t)rd_byte(t);
    if (type != DLK_TC_I16 && type != DLK_TC_I32 && type != DLK_TC_I64) {
        dlk_pq__tr_skip(t, type);
        if (!t->err) dlk_pq__tr_fail(t, "expected an integer field");
        return 0;
    }
    return dlk_pq__tr_zigzag(t);
}

bool dlk_pq__tr_bool(dlk_tr *t, int type)
{
    if (type == DLK_TC_BOOL_TRUE) return true;
    if (type == DLK_TC_BOOL_FALSE) return false;
    dlk_pq__tr_skip(t, type);
    if (!t->err) dlk_pq__tr_fail(t, "expected a bool field");
    return false;
}

double dlk_pq__tr_double(dlk_tr *t)
{
    if ((size_t)(t->end - t->p) < 8) {
        dlk_pq__tr_fail(t, "unexpected end");
        return 0;
    }
    double d;
    memcpy(&d, t->p, 8);
    t->p += 8;
    return d;
}

const uint8_t *dlk_pq__tr_binary(dlk_tr *t, size_t *n)
{
    *n = 0;
    uint64_t len = dlk_pq__tr_uvarint(t);
    if (t->err) return NULL;
    if (len > (uint64_t)(t->end - t->p)) {
        dlk_pq__tr_fail(t, "binary length beyond end");
        return NULL;
    }
    const uint8_t *p = t->p;
    t->p += len;
    *n = (size_t)len;
    return p;
}

int64_t dlk_pq__tr_list(dlk_tr *t, int *elem_type)
{
    uint8_t b = rd_byte(t);
    if (t->err) return 0;
    *elem_type = b & 0x0f;
    uint64_t n = b >> 4;
    if (n == 15) n = dlk_pq__tr_uvarint(t);
    if (t->err) return 0;
    /* every element takes at least one byte, except bools in compact lists */
    if (n > (uint64_t)(t->end - t->p) && *elem_type != DLK_TC_BOOL_TRUE &&
        *elem_type != DLK_TC_BOOL_FALSE) {
        dlk_pq__tr_fail(t, "list size beyond end");
        return 0;
    }
    if (n > (uint64_t)(t->end - t->p)) {
        dlk_pq__tr_fail(t, "list size beyond end");
        return 0;
    }
    return (int64_t)n;
}

void dlk_pq__tr_skip(dlk_tr *t, int type)
{
    if (t->err) return;
    switch (type) {
    case DLK_TC_BOOL_TRUE:
    case DLK_TC_BOOL_FALSE:
        return; /* field-header bool; list bools are handled in the list case */
    case DLK_TC_BYTE:
        rd_byte(t);
        return;
    case DLK_TC_I16:
    case DLK_TC_I32:
    case DLK_TC_I64:
        dlk_pq__tr_uvarint(t);
        return;
    case DLK_TC_DOUBLE:
        dlk_pq__tr_double(t);
        return;
    case DLK_TC_BINARY: {
        size_t n;
        dlk_pq__tr_binary(t, &n);
        return;
    }
    case DLK_TC_LIST:
    case 10: { /* SET */
        int et;
        int64_t n = dlk_pq__tr_list(t, &et);
        if (!dlk_pq__tr_struct_begin(t)) return; /* bounds recursion depth */
        for (int64_t i = 0; i < n && !t->err; i++) {
            if (et == DLK_TC_BOOL_TRUE || et == DLK_TC_BOOL_FALSE)
                rd_byte(t);
            else
                dlk_pq__tr_skip(t, et);
        }
        dlk_pq__tr_struct_end(t);
        return;
    }
    case 11: { /* MAP */
        uint64_t n = dlk_pq__tr_uvarint(t);
        if (n == 0 || t->err) return;
        uint8_t kv = rd_byte(t);
        if (n > (uint64_t)(t->end - t->p)) {
            dlk_pq__tr_fail(t, "map size beyond end");
            return;
        }
        if (!dlk_pq__tr_struct_begin(t)) return;
        for (uint64_t i = 0; i < n && !t->err; i++) {
            int kt = kv >> 4, vt = kv & 15;
            if (kt == 1 || kt == 2)
                rd_byte(t);
            else
                dlk_pq__tr_skip(t, kt);
            if (vt == 1 || vt == 2)
                rd_byte(t);
            else
                dlk_pq__tr_skip(t, vt);
        }
        dlk_pq__tr_struct_end(t);
        return;
    }
    case DLK_TC_STRUCT: {
        if (!dlk_pq__tr_struct_begin(t)) return;
        int16_t id;
        int ft;
        while (dlk_pq__tr_field(t, &id, &ft))
            dlk_pq__tr_skip(t, ft);
        dlk_pq__tr_struct_end(t);
        return;
    }
    default:
        dlk_pq__tr_fail(t, "unknown type");
    }
}

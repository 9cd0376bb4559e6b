/*
 * arrow/builder.c - typed column builders that produce owned ArrowArrays,
 * and the compact schema notation parser (see arrow/builder.h).
 */
#include "arrow/builder.h"
#include "arrow/arrow.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum kind {
    K_BOOL,
    K_I8,
    K_I16,
    K_I32,
    K_I64,
    K_U8,
    K_U16,
    K_U32,
    K_U64,
    K_F32,
    K_F64,
    K_STRING,
    K_BINARY,
    K_FIXED,
    K_DATE32,
    K_TS,
    K_DEC,
    K_STRUCT,
    K_LIST,
    K_MAP,
};

struct dlk_arrow_builder {
    const struct ArrowSchema *schema; /* node inside root->owned */
    struct ArrowSchema owned;         /* root only */
    enum kind kind;
    int width;     /* bytes per fixed-width value */
    int precision; /* decimal */
    int scale;
    bool nullable;
    bool open;
    int64_t length, null_count;
    dlk_buf validity; /* bits, always kept */
    dlk_buf values;   /* fixed values, bool bits or string bytes */
    dlk_buf offsets;  /* int32 offsets (strings, lists, maps) */
    int64_t n_children;
    dlk_arrow_builder **children;
};

static int parse_int_after(const char *s, const char *prefix, long *out, const char **end)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0) return -1;
    s += n;
    if (!isdigit((unsigned char)*s)) return -1;
    long v = 0;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s - '0');
        if (v > 1000000000L) return -1;
        s++;
    }
    *out = v;
    *end = s;
    return 0;
}

static int classify(dlk_arrow_builder *b, const char *f)
{
    static const struct {
        const char *f;
        enum kind k;
        int w;
    } simple[] = {
        {"b", K_BOOL, 0},   {"c", K_I8, 1},       {"s", K_I16, 2},     {"i", K_I32, 4},
        {"l", K_I64, 8},    {"C", K_U8, 1},       {"S", K_U16, 2},     {"I", K_U32, 4},
        {"L", K_U64, 8},    {"f", K_F32, 4},      {"g", K_F64, 8},     {"u", K_STRING, 0},
        {"z", K_BINARY, 0}, {"tdD", K_DATE32, 4}, {"+s", K_STRUCT, 0}, {"+l", K_LIST, 0},
        {"+m", K_MAP, 0},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (strcmp(f, simple[i].f) == 0) {
            b->kind = simple[i].k;
            b->width = simple[i].w;
            return DLK_OK;
        }
    }
    long a, c;
    const char *e;
    if (parse_int_after(f, "w:", &a, &e) == 0 && *e == 0 && a > 0) {
        b->kind = K_FIXED;
        b->width = (int)a;
        return DLK_OK;
    }
    if (f[0] == 't' && f[1] == 's' && strchr("smun", f[2]) && f[2] && f[3] == ':') {
        b->kind = K_TS;
        b->width = 8;
        return DLK_OK;
    }
    if (parse_int_after(f, "d:", &a, &e) == 0 && *e == ',' &&
        parse_int_after(e, ",", &c, &e) == 0 && (*e == 0 || strcmp(e, ",128") == 0) && a >= 1 &&
        a <= 38 && c <= a) {
        b->kind = K_DEC;
        b->width = 16;
        b->precision = (int)a;
        b->scale = (int)c;
        return DLK_OK;
    }
    return dlk_err_set(DLK_UNSUPPORTED, "arrow builder: column '%s': format '%s' not supported",
                       b->schema->name ? b->schema->name : "", f);
}

static int init_node(dlk_arrow_builder *b, const struct ArrowSchema *s)
{
    b->schema = s;
    b->nullable = (s->flags & ARROW_FLAG_NULLABLE) != 0;
    int rc = classify(b, s->format);
    if (rc) return rc;
    if ((b->kind == K_LIST || b->kind == K_MAP) && s->n_children != 1)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "arrow builder: list/map '%s' needs one child",
                           s->name ? s->name : "");
    if (b->kind == K_MAP &&
        (strcmp(s->children[0]->format, "+s") != 0 || s->children[0]->n_children != 2))
        return dlk_err_set(DLK_INVALID_ARGUMENT,
                           "arrow builder: map '%s' needs an entries struct of key and value",
                           s->name ? s->name : "");
    if (b->kind == K_STRING || b->kind == K_BINARY || b->kind == K_LIST || b->kind == K_MAP) {
        int32_t z = 0;
        if (dlk_buf_append(&b->offsets, &z, 4)) return dlk_err_nomem();
    }
    if (s->n_children > 0 && b->kind != K_STRUCT && b->kind != K_LIST && b->kind != K_MAP)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "arrow builder: '%s' has children", s->format);
    if (s->n_children > 0) {
        b->children = dlk_calloc((size_t)s->n_children, sizeof *b->children);
        if (!b->children) return dlk_err_nomem();
        for (int64_t i = 0; i < s->n_children; i++) {
            b->children[i] = dlk_calloc(1, sizeof(dlk_arrow_builder));
            if (!b->children[i]) return dlk_err_nomem();
            b->n_children = i + 1;
            rc = init_node(b->children[i], s->children[i]);
            if (rc) return rc;
        }
    }
    return DLK_OK;
}

static void free_node(dlk_arrow_builder *b)
{
    if (!b) return;
    for (int64_t i = 0; i < b->n_children; i++) {
        free_node(b->children[i]);
        dlk_free(b->children[i]);
    }
    dlk_free(b->children);
    dlk_buf_free(&b->validity);
    dlk_buf_free(&b->values);
    dlk_buf_free(&b->offsets);
}

int dlk_arrow_builder_new(const struct ArrowSchema *schema, dlk_arrow_builder **out)
{
    *out = NULL;
    dlk_arrow_builder *b = dlk_calloc(1, sizeof *b);
    if (!b) return dlk_err_nomem();
    int rc = dlk_arrow_schema_copy(schema, &b->owned);
    if (rc) {
        dlk_free(b);
        return rc;
    }
    rc = init_node(b, &b->owned);
    if (rc) {
        dlk_arrow_builder_free(b);
        return rc;
    }
    *out = b;
    return DLK_OK;
}

void dlk_arrow_builder_free(dlk_arrow_builder *b)
{
    if (!b) return;
    free_node(b);
    dlk_arrow_schema_release(&b->owned);
    dlk_free(b);
}

dlk_arrow_builder *dlk_arrow_builder_child(dlk_arrow_builder *b, int64_t i)
{
    return (b && i >= 0 && i < b->n_children) ? b->children[i] : NULL;
}

dlk_arrow_builder *dlk_arrow_builder_child_by_name(dlk_arrow_builder *b, const char *name)
{
    if (!b || b->kind != K_STRUCT) return NULL;
    int64_t i = dlk_arrow_schema_find(b->schema, name);
    return i < 0 ? NULL : b->children[i];
}

dlk_arrow_builder *dlk_arrow_builder_map_key(dlk_arrow_builder *b)
{
    return (b && b->kind == K_MAP) ? b->children[0]->children[0] : NULL;
}

dlk_arrow_builder *dlk_arrow_builder_map_value(dlk_arrow_builder *b)
{
    return (b && b->kind == K_MAP) ? b->children[0]->children[1] : NULL;
}

int64_t dlk_arrow_builder_n_children(const dlk_arrow_builder *b)
{
    return b->n_children;
}
const struct ArrowSchema *dlk_arrow_builder_schema(const dlk_arrow_builder *b)
{
    return b->schema;
}
int64_t dlk_arrow_builder_length(const dlk_arrow_builder *b)
{
    return b->length;
}

size_t dlk_arrow_builder_bytes(const dlk_arrow_builder *b)
{
    size_t n = b->validity.len + b->values.len + b->offsets.len;
    for (int64_t i = 0; i < b->n_children; i++)
        n += dlk_arrow_builder_bytes(b->children[i]);
    return n;
}

static const char *col(const dlk_arrow_builder *b)
{
    return b->schema->name && b->schema->name[0] ? b->schema->name : "(unnamed)";
}

/* Set bit i of a bitmap buffer to v, growing it. */
static int bits_put(dlk_buf *bits, int64_t i, bool v)
{
    size_t need = (size_t)(i >> 3) + 1;
    if (bits->len < need) {
        if (dlk_buf_reserve(bits, need - bits->len)) return dlk_err_nomem();
        memset(bits->data + bits->len, 0, need - bits->len);
        bits->len = need;
    }
    if (v)
        dlk_bit_set(bits->data, i);
    else
        dlk_bit_clear(bits->data, i);
    return DLK_OK;
}

/* Record a new slot's validity and bump the length. */
static int slot(dlk_arrow_builder *b, bool valid)
{
    int rc = bits_put(&b->validity, b->length, valid);
    if (rc) return rc;
    b->length++;
    if (!valid) b->null_count++;
    return DLK_OK;
}

static int push_offset(dlk_arrow_builder *b, int64_t v)
{
    if (v > INT32_MAX)
        return dlk_err_set(DLK_INVALID_ARGUMENT,
                           "arrow builder: column '%s': over 2 GiB in a batch", col(b));
    int32_t o = (int32_t)v;
    return dlk_buf_append(&b->offsets, &o, 4) ? dlk_err_nomem() : DLK_OK;
}

static int append_null_any(dlk_arrow_builder *b)
{
    int rc;
    switch (b->kind) {
    case K_BOOL:
        rc = bits_put(&b->values, b->length, false);
        break;
    case K_STRING:
    case K_BINARY:
        rc = push_offset(b, (int64_t)b->values.len);
        break;
    case K_LIST:
    case K_MAP:
        rc = push_offset(b, b->children[0]->length);
        break;
    case K_STRUCT:
        rc = DLK_OK;
        for (int64_t i = 0; i < b->n_children && !rc; i++)
            rc = append_null_any(b->children[i]);
        break;
    default:
        rc = dlk_buf_reserve(&b->values, (size_t)b->width) ? dlk_err_nomem() : DLK_OK;
        if (!rc) {
            memset(b->values.data + b->values.len, 0, (size_t)b->width);
            b->values.len += (size_t)b->width;
        }
    }
    if (rc) return rc;
    return slot(b, false);
}

int dlk_arrow_builder_append_null(dlk_arrow_builder *b)
{
    if (!b->nullable)
        return dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s': null in a not-null column", col(b));
    if (b->open)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': append_null inside begin/end",
                           col(b));
    return append_null_any(b);
}

static int put_fixed(dlk_arrow_builder *b, const void *p, size_t n)
{
    dlk_buf *v = &b->values;
    if (v->len + n < v->cap) { /* fast path: room (and a spare byte) */
        memcpy(v->data + v->len, p, n);
        v->len += n;
    } else if (dlk_buf_append(v, p, n)) {
        return dlk_err_nomem();
    }
    /* validity: the common case is a valid slot in an existing byte */
    if ((size_t)(b->length >> 3) < b->validity.len) {
        dlk_bit_set(b->validity.data, b->length);
        b->length++;
        return DLK_OK;
    }
    return slot(b, true);
}

static int mismatch(dlk_arrow_builder *b, const char *what)
{
    return dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s' (%s): cannot take %s", col(b),
                       dlk_arrow_type_word(b->schema->format), what);
}

static int range(dlk_arrow_builder *b, const char *what)
{
    return dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s' (%s): %s out of range", col(b),
                       dlk_arrow_type_word(b->schema->format), what);
}

static __int128 pow10_128(int n)
{
    __int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

static int put_dec(dlk_arrow_builder *b, __int128 v)
{
    __int128 lim = pow10_128(b->precision);
    if (v >= lim || v <= -lim) return range(b, "decimal value");
    uint8_t le[16];
    unsigned __int128 u = (unsigned __int128)v;
    for (int i = 0; i < 16; i++)
        le[i] = (uint8_t)(u >> (8 * i));
    return put_fixed(b, le, 16);
}

int dlk_arrow_builder_append_int(dlk_arrow_builder *b, int64_t v)
{
    switch (b->kind) {
    case K_I8:
        if (v < INT8_MIN || v > INT8_MAX) return range(b, "integer");
        return put_fixed(b, &(int8_t){(int8_t)v}, 1);
    case K_I16:
        if (v < INT16_MIN || v > INT16_MAX) return range(b, "integer");
        return put_fixed(b, &(int16_t){(int16_t)v}, 2);
    case K_I32:
    case K_DATE32:
        if (v < INT32_MIN || v > INT32_MAX) return range(b, "integer");
        return put_fixed(b, &(int32_t){(int32_t)v}, 4);
    case K_I64:
    case K_TS:
        return put_fixed(b, &v, 8);
    case K_U8:
    case K_U16:
    case K_U32:
    case K_U64:
        if (v < 0) return range(b, "negative integer");
        return dlk_arrow_builder_append_uint(b, (uint64_t)v);
    case K_F32:
    case K_F64:
        return dlk_arrow_builder_append_double(b, (double)v);
    case K_DEC:
        return put_dec(b, (__int128)v);
    default:
        return mismatch(b, "an integer");
    }
}

int dlk_arrow_builder_append_uint(dlk_arrow_builder *b, uint64_t v)
{
    switch (b->kind) {
    case K_U8:
        if (v > UINT8_MAX) return range(b, "integer");
        return put_fixed(b, &(uint8_t){(uint8_t)v}, 1);
    case K_U16:
        if (v > UINT16_MAX) return range(b, "integer");
        return put_fixed(b, &(uint16_t){(uint16_t)v}, 2);
    case K_U32:
        if (v > UINT32_MAX) return range(b, "integer");
        return put_fixed(b, &(uint32_t){(uint32_t)v}, 4);
    case K_U64:
        return put_fixed(b, &v, 8);
    case K_F32:
    case K_F64:
        return dlk_arrow_builder_append_double(b, (double)v);
    case K_DEC:
        return put_dec(b, (__int128)v);
    default:
        if (v > INT64_MAX) return range(b, "integer");
        return dlk_arrow_builder_append_int(b, (int64_t)v);
    }
}

int dlk_arrow_builder_append_double(dlk_arrow_builder *b, double v)
{
    if (b->kind == K_F32) return put_fixed(b, &(float){(float)v}, 4);
    if (b->kind == K_F64) return put_fixed(b, &v, 8);
    return mismatch(b, "a floating-point number");
}

int dlk_arrow_builder_append_bool(dlk_arrow_builder *b, bool v)
{
    if (b->kind != K_BOOL) return mismatch(b, "a boolean");
    int rc = bits_put(&b->values, b->length, v);
    return rc ? rc : slot(b, true);
}

int dlk_arrow_builder_append_bytes(dlk_arrow_builder *b, const void *p, size_t n)
{
    if (b->kind == K_FIXED) {
        if (n != (size_t)b->width) return range(b, "byte length");
        return put_fixed(b, p, n);
    }
    if (b->kind != K_STRING && b->kind != K_BINARY) return mismatch(b, "bytes");
    dlk_buf *v = &b->values, *o = &b->offsets;
    if (v->len + n < v->cap && o->len + 4 < o->cap && v->len + n <= INT32_MAX &&
        (size_t)(b->length >> 3) < b->validity.len) {
        /* fast path: room everywhere, the validity byte exists */
        if (n) memcpy(v->data + v->len, p, n);
        v->len += n;
        int32_t off = (int32_t)v->len;
        memcpy(o->data + o->len, &off, 4);
        o->len += 4;
        dlk_bit_set(b->validity.data, b->length);
        b->length++;
        return DLK_OK;
    }
    if (n && dlk_buf_append(&b->values, p, n)) return dlk_err_nomem();
    int rc = push_offset(b, (int64_t)b->values.len);
    return rc ? rc : slot(b, true);
}

int dlk_arrow_builder_append_string(dlk_arrow_builder *b, const char *s)
{
    return dlk_arrow_builder_append_bytes(b, s, strlen(s));
}

int dlk_arrow_builder_append_decimal(dlk_arrow_builder *b, int64_t hi, uint64_t lo)
{
    if (b->kind != K_DEC) return mismatch(b, "a decimal");
    __int128 v = (__int128)(((unsigned __int128)(uint64_t)hi << 64) | lo);
    return put_dec(b, v);
}

int dlk_arrow_builder_append_decimal_str(dlk_arrow_builder *b, const char *s, size_t n)
{
    if (b->kind != K_DEC) return mismatch(b, "a decimal");
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    __int128 v = 0;
    int digits = 0, frac = 0;
    bool dot = false;
    for (; i < n; i++) {
        if (s[i] == '.' && !dot) {
            dot = true;
            continue;
        }
        if (!isdigit((unsigned char)s[i])) break;
        if (v == 0 && s[i] == '0' && !dot) {
            digits = digits ? digits : 1;
            continue;
        }
        if (++digits > 38) return range(b, "decimal text");
        v = v * 10 + (s[i] - '0');
        if (dot) frac++;
    }
    if (i != n || digits == 0)
        return dlk_err_set(DLK_PARSE, "column '%s': '%.*s' is not a decimal number", col(b),
                           (int)(n > 64 ? 64 : n), s);
    if (frac > b->scale) return range(b, "decimal fraction digits");
    v *= pow10_128(b->scale - frac);
    return put_dec(b, neg ? -v : v);
}

int dlk_arrow_builder_begin(dlk_arrow_builder *b)
{
    if (b->kind != K_STRUCT && b->kind != K_LIST && b->kind != K_MAP)
        return mismatch(b, "begin (not a struct, list or map)");
    if (b->open) return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': begin twice", col(b));
    int rc = slot(b, true);
    if (rc) return rc;
    b->open = true;
    return DLK_OK;
}

int dlk_arrow_builder_end(dlk_arrow_builder *b)
{
    if (!b->open)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': end without begin", col(b));
    b->open = false;
    if (b->kind == K_STRUCT) {
        for (int64_t i = 0; i < b->n_children; i++) {
            dlk_arrow_builder *c = b->children[i];
            if (c->length == b->length - 1) {
                if (!c->nullable)
                    return dlk_err_set(DLK_SCHEMA_MISMATCH,
                                       "column '%s': missing value for a not-null field", col(c));
                int rc = append_null_any(c);
                if (rc) return rc;
            } else if (c->length != b->length) {
                return dlk_err_set(DLK_INVALID_ARGUMENT,
                                   "column '%s': %lld values appended for %lld struct slots",
                                   col(c), (long long)c->length, (long long)b->length);
            }
        }
        return DLK_OK;
    }
    if (b->kind == K_MAP) {
        dlk_arrow_builder *e = b->children[0];
        dlk_arrow_builder *k = e->children[0], *v = e->children[1];
        if (k->length != v->length)
            return dlk_err_set(DLK_INVALID_ARGUMENT, "map '%s': %lld keys but %lld values", col(b),
                               (long long)k->length, (long long)v->length);
        while (e->length < k->length) {
            int rc = slot(e, true);
            if (rc) return rc;
        }
    }
    return push_offset(b, b->children[0]->length);
}

/* Build the array of node b, moving its buffers out and resetting it. */
static int build(dlk_arrow_builder *b, struct ArrowArray *out)
{
    int64_t nbuf;
    switch (b->kind) {
    case K_STRUCT:
        nbuf = 1;
        break;
    case K_STRING:
    case K_BINARY:
        nbuf = 3;
        break;
    default:
        nbuf = 2;
    }
    if (b->open)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': finish inside begin", col(b));
    for (int64_t i = 0; i < b->n_children; i++) {
        int64_t want = b->kind == K_STRUCT ? b->length : -1;
        if (want >= 0 && b->children[i]->length != want)
            return dlk_err_set(
                DLK_INVALID_ARGUMENT, "column '%s': %lld values appended for %lld struct slots",
                col(b->children[i]), (long long)b->children[i]->length, (long long)want);
    }
    /* the next batch is likely alike: its buffers start at these sizes */
    size_t last_values = b->values.len, last_offsets = b->offsets.len, last_bits = b->validity.len;
    int rc = dlk_arrow_array_new(out, b->length, nbuf, b->n_children);
    if (rc) return rc;
    out->null_count = b->null_count;
    for (int64_t i = 0; i < b->n_children; i++) {
        rc = build(b->children[i], out->children[i]);
        if (rc) goto fail;
    }
    if (b->null_count) {
        if (!b->validity.data && !dlk_arrow_array_alloc_buffer(out, 0, 1)) goto oom;
        if (b->validity.data) dlk_arrow_array_set_buffer(out, 0, dlk_buf_detach(&b->validity));
    }
    if (nbuf >= 2) {
        dlk_buf *main = (b->kind == K_LIST || b->kind == K_MAP) ? &b->offsets : &b->values;
        int64_t slot_i = nbuf == 3 ? 2 : 1;
        if (nbuf == 3) {
            dlk_arrow_array_set_buffer(out, 1, dlk_buf_detach(&b->offsets));
            if (!out->buffers[1]) goto oom;
        }
        if (main->data)
            dlk_arrow_array_set_buffer(out, slot_i, dlk_buf_detach(main));
        else if (!dlk_arrow_array_alloc_buffer(out, slot_i, 8))
            goto oom;
    }
    /* reset */
    dlk_buf_free(&b->validity);
    dlk_buf_free(&b->values);
    dlk_buf_free(&b->offsets);
    b->length = b->null_count = 0;
    if (b->kind == K_STRING || b->kind == K_BINARY || b->kind == K_LIST || b->kind == K_MAP) {
        int32_t z = 0;
        if (dlk_buf_reserve(&b->offsets, last_offsets) || dlk_buf_append(&b->offsets, &z, 4))
            goto oom;
    }
    if (dlk_buf_reserve(&b->values, last_values) || dlk_buf_reserve(&b->validity, last_bits))
        goto oom;
    return DLK_OK;
oom:
    rc = dlk_err_nomem();
fail:
    dlk_arrow_array_release(out);
    return rc;
}

int dlk_arrow_builder_finish(dlk_arrow_builder *b, struct ArrowArray *out)
{
    memset(out, 0, sizeof *out);
    return build(b, out);
}

/* ---- compact schema notation ---- */

typedef struct {
    const char *p;
    const char *start;
} parser;

static void skip_ws(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static int perr(parser *ps, const char *what)
{
    return dlk_err_set(DLK_PARSE, "schema spec: column %d: %s", (int)(ps->p - ps->start) + 1, what);
}

static int parse_type(parser *ps, const char *name, struct ArrowSchema *out);

static int parse_fields(parser *ps, char close, struct ArrowSchema *out)
{
    /* count fields first by parsing into a growing temporary list */
    struct ArrowSchema tmp[256];
    int n = 0, rc = DLK_OK;
    skip_ws(ps);
    while (*ps->p && *ps->p != close) {
        if (n == 256) {
            rc = perr(ps, "too many fields");
            goto done;
        }
        skip_ws(ps);
        const char *ns = ps->p;
        while (*ps->p && *ps->p != ':' && !isspace((unsigned char)*ps->p))
            ps->p++;
        size_t nlen = (size_t)(ps->p - ns);
        skip_ws(ps);
        if (nlen == 0 || *ps->p != ':') {
            rc = perr(ps, "expected 'name: type'");
            goto done;
        }
        ps->p++;
        char *name = dlk_strndup(ns, nlen);
        if (!name) {
            rc = dlk_err_nomem();
            goto done;
        }
        rc = parse_type(ps, name, &tmp[n]);
        dlk_free(name);
        if (rc) goto done;
        n++;
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
            skip_ws(ps);
        } else if (*ps->p != close) {
            rc = perr(ps, "expected ',' between fields");
            goto done;
        }
    }
    if (*ps->p != close) {
        rc = perr(ps, "unterminated field list");
        goto done;
    }
    rc = dlk_arrow_schema_new(out, "+s", out->name ? out->name : "", out->flags, n);
    if (rc) goto done;
    for (int i = 0; i < n; i++)
        dlk_arrow_schema_move(&tmp[i], out->children[i]);
    n = 0;
done:
    for (int i = 0; i < n; i++)
        dlk_arrow_schema_release(&tmp[i]);
    return rc;
}

static int parse_type(parser *ps, const char *name, struct ArrowSchema *out)
{
    skip_ws(ps);
    memset(out, 0, sizeof *out);
    int rc;
    const char *ts = ps->p;
    if (strncmp(ps->p, "+s<", 3) == 0) {
        ps->p += 3;
        struct ArrowSchema tmp = {0};
        tmp.name = name;
        rc = parse_fields(ps, '>', &tmp);
        if (rc) return rc;
        ps->p++;
        dlk_arrow_schema_move(&tmp, out);
    } else if (strncmp(ps->p, "+l<", 3) == 0 || strncmp(ps->p, "+m<", 3) == 0) {
        bool map = ps->p[1] == 'm';
        ps->p += 3;
        struct ArrowSchema a = {0}, v = {0};
        rc = parse_type(ps, map ? "key" : "element", &a);
        if (rc) return rc;
        if (map) {
            a.flags &= ~(int64_t)ARROW_FLAG_NULLABLE;
            skip_ws(ps);
            if (*ps->p != ',') {
                dlk_arrow_schema_release(&a);
                return perr(ps, "expected ',' in +m<K, V>");
            }
            ps->p++;
            rc = parse_type(ps, "value", &v);
            if (rc) {
                dlk_arrow_schema_release(&a);
                return rc;
            }
        }
        skip_ws(ps);
        if (*ps->p != '>') {
            dlk_arrow_schema_release(&a);
            dlk_arrow_schema_release(&v);
            return perr(ps, "expected '>'");
        }
        ps->p++;
        rc = dlk_arrow_schema_new(out, map ? "+m" : "+l", name, 0, 1);
        if (!rc && map) rc = dlk_arrow_schema_new(out->children[0], "+s", "entries", 0, 2);
        if (rc) {
            dlk_arrow_schema_release(out);
            dlk_arrow_schema_release(&a);
            dlk_arrow_schema_release(&v);
            return rc;
        }
        if (map) {
            dlk_arrow_schema_move(&a, out->children[0]->children[0]);
            dlk_arrow_schema_move(&v, out->children[0]->children[1]);
        } else {
            dlk_arrow_schema_move(&a, out->children[0]);
        }
    } else {
        if (ps->p[0] == 'd' && ps->p[1] == ':') {
            ps->p += 2;
            while (isdigit((unsigned char)*ps->p))
                ps->p++;
            if (*ps->p == ',') ps->p++;
            while (isdigit((unsigned char)*ps->p))
                ps->p++;
        } else {
            while (*ps->p && !strchr(",<>! \t\n", *ps->p))
                ps->p++;
        }
        if (ps->p == ts) return perr(ps, "expected a type");
        char *f = dlk_strndup(ts, (size_t)(ps->p - ts));
        if (!f) return dlk_err_nomem();
        rc = dlk_arrow_schema_new(out, f, name, 0, 0);
        dlk_free(f);
        if (rc) return rc;
        dlk_arrow_builder probe = {0};
        probe.schema = out;
        rc = classify(&probe, out->format);
        if (rc || probe.kind == K_STRUCT || probe.kind == K_LIST || probe.kind == K_MAP) {
            dlk_arrow_schema_release(out);
            return rc ? rc : perr(ps, "nested type needs <...>");
        }
    }
    skip_ws(ps);
    if (*ps->p == '!')
        ps->p++;
    else
        out->flags |= ARROW_FLAG_NULLABLE;
    return DLK_OK;
}

int dlk_arrow_schema_parse(const char *spec, struct ArrowSchema *out)
{
    parser ps = {spec, spec};
    memset(out, 0, sizeof *out);
    struct ArrowSchema tmp = {0};
    tmp.name = "";
    int rc = parse_fields(&ps, '\0', &tmp);
    if (rc) return rc;
    dlk_arrow_schema_move(&tmp, out);
    return DLK_OK;
}

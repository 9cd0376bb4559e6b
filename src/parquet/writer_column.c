/*
 * parquet/writer_column.c - one leaf column of the writer: shreds Arrow
 * arrays into definition/repetition levels and values, encodes them
 * (dictionary or PLAIN), cuts and compresses pages (v1 or v2), keeps
 * statistics and finally writes the column chunk and its metadata.
 */
#include "arrow/arrow.h"
#include "parquet/codec.h"
#include "parquet/thrift_write.h"
#include "parquet/writer_int.h"
#include "util/alloc.h"
#include "util/error.h"

#include <math.h>
#include <string.h>

#define MAX_PAGE_LEVELS ((size_t)1 << 20)

/* ---- statistics ---- */

enum { SC_INT, SC_UINT, SC_DBL, SC_BYTES, SC_DEC, SC_BOOL };

static int stat_class(int kind)
{
    switch (kind) {
    case LK_BOOL: return SC_BOOL;
    case LK_U8:
    case LK_U16:
    case LK_U32:
    case LK_U64: return SC_UINT;
    case LK_F32:
    case LK_F64:
    case LK_F16: return SC_DBL;
    case LK_STRING:
    case LK_BINARY:
    case LK_FIXED: return SC_BYTES;
    case LK_DEC: return SC_DEC;
    default: return SC_INT;
    }
}

static int bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int r = n ? memcmp(a, b, n) : 0;
    if (r) return r;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

static inline void st_int(pq_stats *s, int64_t v)
{
    if (!s->has) {
        s->imin = s->imax = v;
        s->has = true;
    } else if (v < s->imin) {
        s->imin = v;
    } else if (v > s->imax) {
        s->imax = v;
    }
}

static inline void st_uint(pq_stats *s, uint64_t v)
{
    if (!s->has) {
        s->umin = s->umax = v;
        s->has = true;
    } else if (v < s->umin) {
        s->umin = v;
    } else if (v > s->umax) {
        s->umax = v;
    }
}

static inline void st_dbl(pq_stats *s, double v)
{
    if (isnan(v)) {
        s->nan_count++;
        return;
    }
    if (!s->has) {
        s->dmin = s->dmax = v;
        s->has = true;
        return;
    }
    if (v < s->dmin || (v == 0 && s->dmin == 0 && signbit(v))) s->dmin = v;
    if (v > s->dmax || (v == 0 && s->dmax == 0 && !signbit(v))) s->dmax = v;
}

static inline void st_dec(pq_stats *s, __int128 v)
{
    if (!s->has) {
        s->qmin = s->qmax = v;
        s->has = true;
    } else if (v < s->qmin) {
        s->qmin = v;
    } else if (v > s->qmax) {
        s->qmax = v;
    }
}

static int set_bytes(dlk_buf *b, const uint8_t *p, size_t n)
{
    b->len = 0;
    if (dlk_buf_reserve(b, n + 1)) return dlk_err_nomem();
    if (n) memcpy(b->data, p, n);
    b->len = n;
    return DLK_OK;
}

static inline int st_bytes(pq_stats *s, const uint8_t *p, size_t n)
{
    if (!s->has) {
        s->has = true;
        if (set_bytes(&s->bmin, p, n) || set_bytes(&s->bmax, p, n)) return dlk_err_nomem();
        return DLK_OK;
    }
    if (bytes_cmp(p, n, s->bmin.data, s->bmin.len) < 0) return set_bytes(&s->bmin, p, n);
    if (bytes_cmp(p, n, s->bmax.data, s->bmax.len) > 0) return set_bytes(&s->bmax, p, n);
    return DLK_OK;
}

void dlk_pq__stats_reset(pq_stats *s)
{
    dlk_buf bmin = s->bmin, bmax = s->bmax;
    memset(s, 0, sizeof *s);
    bmin.len = bmax.len = 0;
    s->bmin = bmin;
    s->bmax = bmax;
}

void dlk_pq__stats_free(pq_stats *s)
{
    dlk_buf_free(&s->bmin);
    dlk_buf_free(&s->bmax);
}

void dlk_pq__stats_merge(const pq_col *c, pq_stats *into, const pq_stats *from)
{
    into->null_count += from->null_count;
    into->nan_count += from->nan_count;
    into->num_values += from->num_values;
    if (!from->has) return;
    switch (stat_class(c->kind)) {
    case SC_INT:
    case SC_BOOL:
        st_int(into, from->imin);
        st_int(into, from->imax);
        break;
    case SC_UINT:
        st_uint(into, from->umin);
        st_uint(into, from->umax);
        break;
    case SC_DBL:
        st_dbl(into, from->dmin);
        st_dbl(into, from->dmax);
        break;
    case SC_DEC:
        st_dec(into, from->qmin);
        st_dec(into, from->qmax);
        break;
    case SC_BYTES:
        /* allocation failure here only loses precision of the file stats */
        (void)st_bytes(into, from->bmin.data, from->bmin.len);
        (void)st_bytes(into, from->bmax.data, from->bmax.len);
        break;
    }
}

static void put_le(uint8_t *dst, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) dst[i] = (uint8_t)(v >> (8 * i));
}

int dlk_pq__stats_encode(const pq_col *c, const pq_stats *s, bool max, dlk_buf *out)
{
    uint8_t b[16];
    size_t n = 0;
    out->len = 0;
    switch (c->kind) {
    case LK_BOOL:
        b[0] = (uint8_t)(max ? s->imax : s->imin);
        n = 1;
        break;
    case LK_I8:
    case LK_I16:
    case LK_I32:
    case LK_DATE:
        put_le(b, (uint64_t)(max ? s->imax : s->imin), 4);
        n = 4;
        break;
    case LK_I64:
    case LK_TS:
        put_le(b, (uint64_t)((max ? s->imax : s->imin) * c->ts_mult), 8);
        n = 8;
        break;
    case LK_U8:
    case LK_U16:
    case LK_U32:
        put_le(b, max ? s->umax : s->umin, 4);
        n = 4;
        break;
    case LK_U64:
        put_le(b, max ? s->umax : s->umin, 8);
        n = 8;
        break;
    case LK_F16:
    case LK_F32:
    case LK_F64: {
        double d = max ? s->dmax : s->dmin;
        if (d == 0) d = max ? 0.0 : -0.0;
        if (c->kind == LK_F16) {
            uint16_t h = dlk_pq__half_from_double(d);
            memcpy(b, &h, 2);
            n = 2;
        } else if (c->kind == LK_F32) {
            float f = (float)d;
            memcpy(b, &f, 4);
            n = 4;
        } else {
            memcpy(b, &d, 8);
            n = 8;
        }
        break;
    }
    case LK_DEC: {
        __int128 q = max ? s->qmax : s->qmin;
        unsigned __int128 u = (unsigned __int128)q;
        if (c->ptype == PQ_INT32) {
            put_le(b, (uint64_t)u, 4);
            n = 4;
        } else if (c->ptype == PQ_INT64) {
            put_le(b, (uint64_t)u, 8);
            n = 8;
        } else {
            n = (size_t)c->type_length;
            for (size_t i = 0; i < n; i++) b[n - 1 - i] = (uint8_t)(u >> (8 * i));
        }
        break;
    }
    default: {
        const dlk_buf *src = max ? &s->bmax : &s->bmin;
        return dlk_buf_append(out, src->data ? (const void *)src->data : "", src->len)
                   ? dlk_err_nomem()
                   : DLK_OK;
    }
    }
    return dlk_buf_append(out, b, n) ? dlk_err_nomem() : DLK_OK;
}

double dlk_pq__half_to_double(uint16_t h)
{
    int e = (h >> 10) & 31, f = h & 1023;
    double v;
    if (e == 0) v = ldexp(f, -24);
    else if (e == 31) v = f ? NAN : INFINITY;
    else v = ldexp(1024 + f, e - 25);
    return (h & 0x8000) ? -v : v;
}

uint16_t dlk_pq__half_from_double(double d)
{
    uint16_t sign = signbit(d) ? 0x8000 : 0;
    d = fabs(d);
    if (isnan(d)) return 0x7e00;
    if (isinf(d) || d >= 65520.0) return (uint16_t)(sign | 0x7c00);
    if (d < ldexp(1, -14)) return (uint16_t)(sign | (uint16_t)(d * 16777216.0 + 0.5));
    int e;
    double m = frexp(d, &e); /* d = m * 2^e, m in [0.5, 1) */
    int biased = e - 1 + 15;
    uint32_t frac = (uint32_t)((2 * m - 1) * 1024 + 0.5);
    return (uint16_t)(sign | ((uint32_t)(biased << 10) + frac)); /* frac 1024 carries */
}

/* ---- levels and values ---- */

static int grow_levels(pq_col *c)
{
    size_t nc = c->caplev ? c->caplev * 2 : 1024;
    if (c->max_def) {
        uint16_t *d = dlk_realloc(c->def, nc * sizeof *d);
        if (!d) return dlk_err_nomem();
        c->def = d;
    }
    if (c->max_rep) {
        uint16_t *r = dlk_realloc(c->rep, nc * sizeof *r);
        if (!r) return dlk_err_nomem();
        c->rep = r;
    }
    c->caplev = nc;
    return DLK_OK;
}

static inline int put_level(pq_col *c, int16_t r, int16_t d)
{
    if (c->nlev == c->caplev) {
        int rc = grow_levels(c);
        if (rc) return rc;
    }
    if (c->max_def) c->def[c->nlev] = (uint16_t)d;
    if (c->max_rep) c->rep[c->nlev] = (uint16_t)r;
    c->nlev++;
    if (r == 0) c->page_rows++;
    return DLK_OK;
}

static int put_null(pq_col *c, int16_t r, int16_t d)
{
    c->page_nulls++;
    c->chunk.null_count++;
    return put_level(c, r, d);
}

static int push_index(pq_col *c, uint32_t ix)
{
    if (c->nidx == c->capidx) {
        size_t nc = c->capidx ? c->capidx * 2 : 1024;
        uint32_t *p = dlk_realloc(c->idx, nc * sizeof *p);
        if (!p) return dlk_err_nomem();
        c->idx = p;
        c->capidx = nc;
    }
    c->idx[c->nidx++] = ix;
    return DLK_OK;
}

/* Add one physical value (PLAIN bytes without length prefix). */
static int add_physical(dlk_pq_writer *w, pq_col *c, const void *p, size_t n)
{
    if (c->use_dict) {
        uint32_t ix;
        int rc = dlk_pq__dict_insert(&c->dict, p, n, &ix);
        if (rc) return rc;
        if (c->dict.plain.len > w->opts.dictionary_max_bytes) c->dict_full = true;
        return push_index(c, ix);
    }
    if (c->ptype == PQ_BYTE_ARRAY) {
        if (n > INT32_MAX)
            return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': value over 2 GiB", c->path);
        uint8_t le[4];
        put_le(le, n, 4);
        if (dlk_buf_append(&c->values, le, 4)) return dlk_err_nomem();
    }
    if (n && dlk_buf_append(&c->values, p, n)) return dlk_err_nomem();
    return DLK_OK;
}

static int put_value(dlk_pq_writer *w, pq_col *c, int16_t r, int16_t d,
                     const struct ArrowArray *a, int64_t p)
{
    int rc = put_level(c, r, d);
    if (rc) return rc;
    const uint8_t *buf = a->buffers[1];
    uint8_t tmp[16];
    switch (c->kind) {
    case LK_BOOL: {
        bool v = dlk_bit_get(buf, p);
        st_int(&c->chunk, v);
        if ((c->nbool & 7) == 0 && dlk_buf_putc(&c->values, 0)) return dlk_err_nomem();
        if (v) c->values.data[c->values.len - 1] |= (uint8_t)(1u << (c->nbool & 7));
        c->nbool++;
        return DLK_OK;
    }
    case LK_I8: {
        int32_t v = ((const int8_t *)buf)[p];
        st_int(&c->chunk, v);
        return add_physical(w, c, &v, 4);
    }
    case LK_I16: {
        int32_t v = ((const int16_t *)(const void *)buf)[p];
        st_int(&c->chunk, v);
        return add_physical(w, c, &v, 4);
    }
    case LK_I32:
    case LK_DATE: {
        int32_t v;
        memcpy(&v, buf + 4 * p, 4);
        st_int(&c->chunk, v);
        return add_physical(w, c, &v, 4);
    }
    case LK_I64:
    case LK_TS: {
        int64_t v;
        memcpy(&v, buf + 8 * p, 8);
        st_int(&c->chunk, v);
        v *= c->ts_mult;
        return add_physical(w, c, &v, 8);
    }
    case LK_U8: {
        uint32_t v = buf[p];
        st_uint(&c->chunk, v);
        return add_physical(w, c, &v, 4);
    }
    case LK_U16: {
        uint16_t v16;
        memcpy(&v16, buf + 2 * p, 2);
        uint32_t v = v16;
        st_uint(&c->chunk, v);
        return add_physical(w, c, &v, 4);
    }
    case LK_U32: {
        uint32_t v;
        memcpy(&v, buf + 4 * p, 4);
        st_uint(&c->chunk, v);
        return add_physical(w, c, &v, 4);
    }
    case LK_U64: {
        uint64_t v;
        memcpy(&v, buf + 8 * p, 8);
        st_uint(&c->chunk, v);
        return add_physical(w, c, &v, 8);
    }
    case LK_F32: {
        float v;
        memcpy(&v, buf + 4 * p, 4);
        st_dbl(&c->chunk, v);
        return add_physical(w, c, &v, 4);
    }
    case LK_F64: {
        double v;
        memcpy(&v, buf + 8 * p, 8);
        st_dbl(&c->chunk, v);
        return add_physical(w, c, &v, 8);
    }
    case LK_F16: {
        uint16_t h;
        memcpy(&h, buf + 2 * p, 2);
        st_dbl(&c->chunk, dlk_pq__half_to_double(h));
        return add_physical(w, c, &h, 2);
    }
    case LK_STRING:
    case LK_BINARY: {
        int64_t o0, o1;
        if (c->large_offsets) {
            memcpy(&o0, buf + 8 * p, 8);
            memcpy(&o1, buf + 8 * (p + 1), 8);
        } else {
            int32_t x0, x1;
            memcpy(&x0, buf + 4 * p, 4);
            memcpy(&x1, buf + 4 * (p + 1), 4);
            o0 = x0;
            o1 = x1;
        }
        if (o0 < 0 || o1 < o0)
            return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': bad string offsets at %lld",
                               c->path, (long long)p);
        const uint8_t *s = (const uint8_t *)a->buffers[2] + o0;
        size_t n = (size_t)(o1 - o0);
        rc = st_bytes(&c->chunk, s, n);
        if (rc) return rc;
        return add_physical(w, c, n ? s : (const uint8_t *)"", n);
    }
    case LK_FIXED: {
        const uint8_t *s = buf + (size_t)c->type_length * (size_t)p;
        rc = st_bytes(&c->chunk, s, (size_t)c->type_length);
        if (rc) return rc;
        return add_physical(w, c, s, (size_t)c->type_length);
    }
    case LK_DEC: {
        uint64_t lo, hi;
        memcpy(&lo, buf + 16 * p, 8);
        memcpy(&hi, buf + 16 * p + 8, 8);
        __int128 q = (__int128)(((unsigned __int128)hi << 64) | lo);
        st_dec(&c->chunk, q);
        if (c->ptype == PQ_INT32) {
            if (q < INT32_MIN || q > INT32_MAX) goto dec_range;
            int32_t v = (int32_t)q;
            return add_physical(w, c, &v, 4);
        }
        if (c->ptype == PQ_INT64) {
            if (q < INT64_MIN || q > INT64_MAX) goto dec_range;
            int64_t v = (int64_t)q;
            return add_physical(w, c, &v, 8);
        }
        int n = c->type_length;
        if (n < 16) {
            __int128 lim = (__int128)1 << (8 * n - 1);
            if (q < -lim || q >= lim) goto dec_range;
        }
        unsigned __int128 u = (unsigned __int128)q;
        for (int i = 0; i < n; i++) tmp[n - 1 - i] = (uint8_t)(u >> (8 * i));
        return add_physical(w, c, tmp, (size_t)n);
    dec_range:
        return dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s': decimal value exceeds precision",
                           c->path);
    }
    }
    return dlk_err_set(DLK_ERROR, "column '%s': unknown kind", c->path);
}

/* Dictionary-encoded input: look the index up in a->dictionary. */
static int put_dict_value(dlk_pq_writer *w, pq_col *c, int16_t r, int16_t d,
                          const struct ArrowArray *a, int64_t p)
{
    const uint8_t *b = a->buffers[1];
    int64_t ix;
    switch (c->dict_index) {
    case 'c': ix = ((const int8_t *)b)[p]; break;
    case 'C': ix = b[p]; break;
    case 's': { int16_t v; memcpy(&v, b + 2 * p, 2); ix = v; break; }
    case 'S': { uint16_t v; memcpy(&v, b + 2 * p, 2); ix = v; break; }
    case 'i': { int32_t v; memcpy(&v, b + 4 * p, 4); ix = v; break; }
    case 'I': { uint32_t v; memcpy(&v, b + 4 * p, 4); ix = v; break; }
    default: { int64_t v; memcpy(&v, b + 8 * p, 8); ix = v; break; }
    }
    const struct ArrowArray *dict = a->dictionary;
    if (!dict || ix < 0 || ix >= dict->length)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': dictionary index %lld out of range",
                           c->path, (long long)ix);
    if (!dlk_arrow_is_valid(dict, ix)) {
        if (!c->steps[c->nsteps - 1].nullable)
            return dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s': null in a required field", c->path);
        return put_null(c, r, (int16_t)(d - 1));
    }
    return put_value(w, c, r, d, dict, dict->offset + ix);
}

static int shred(dlk_pq_writer *w, pq_col *c, int k, const struct ArrowArray *a, int64_t j,
                 int16_t r, int16_t d)
{
    const pq_step *s = &c->steps[k];
    if (j < 0 || j >= a->length)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': child index %lld outside array of %lld",
                           c->path, (long long)j, (long long)a->length);
    int64_t p = a->offset + j;
    if (a->null_count != 0 && a->buffers[0] && !dlk_bit_get(a->buffers[0], p)) {
        if (!s->nullable)
            return dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s': null in a required field",
                               c->path);
        return put_null(c, r, d);
    }
    if (s->nullable) d++;
    switch (s->kind) {
    case STEP_LEAF:
        if (c->dict_index) return put_dict_value(w, c, r, d, a, p);
        return put_value(w, c, r, d, a, p);
    case STEP_STRUCT:
        return shred(w, c, k + 1, a->children[s->child], p, r, d);
    default: {
        const int32_t *off = a->buffers[1];
        int32_t b = off[p], e = off[p + 1];
        const struct ArrowArray *ch = a->children[0];
        if (b < 0 || e < b || e > ch->length)
            return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': bad list offsets at %lld",
                               c->path, (long long)p);
        if (b == e) return put_null(c, r, d);
        int64_t base = 0;
        if (s->kind == STEP_MAP) {
            base = ch->offset;
            ch = ch->children[s->child];
        }
        for (int32_t x = b; x < e; x++) {
            int rc = shred(w, c, k + 1, ch, base + x, x == b ? r : s->rep, (int16_t)(d + 1));
            if (rc) return rc;
        }
        return DLK_OK;
    }
    }
}

static size_t page_estimate(const pq_col *c)
{
    size_t n = c->nlev * (size_t)c->lev_bits / 8 + c->values.len;
    if (c->nidx) n += (c->nidx * (size_t)dlk_pq__bit_width(c->dict.n) + 7) / 8;
    return n;
}

size_t dlk_pq__wcol_rg_bytes(const pq_col *c)
{
    return (size_t)c->chunk_unc + page_estimate(c) + c->dict.plain.len;
}

size_t dlk_pq__wcol_mem_bytes(const pq_col *c)
{
    size_t lev = (c->max_def ? 2 : 0) + (c->max_rep ? 2 : 0);
    return c->pages.cap + c->values.cap + c->caplev * lev + c->capidx * 4 + c->dict.plain.cap +
           (size_t)c->dict.entries_cap * sizeof(dlk_pq_dict_entry) +
           (size_t)c->dict.cap * (c->dict.fslots ? sizeof *c->dict.fslots : sizeof *c->dict.slots);
}

static int abandon_dictionary(pq_col *c);

/* Before the next value: cut the page when it is full, and give the
 * dictionary up early when the first DICT_PROBE values of a chunk are mostly
 * distinct (ids, timestamps, measurements): filling a dictionary that is
 * thrown away at the end of the page costs more than PLAIN encoding. */
#define DICT_PROBE 1024
static inline int before_value(dlk_pq_writer *w, pq_col *c)
{
    if (c->nlev && ((c->dict_full && c->use_dict) || c->nlev >= MAX_PAGE_LEVELS ||
                    page_estimate(c) >= w->opts.page_bytes)) {
        int rc = dlk_pq__wcol_flush_page(w, c);
        if (rc) return rc;
    }
    if (c->nidx >= DICT_PROBE && c->use_dict && !c->chunk_used_dict &&
        (uint64_t)c->dict.n * 10 > (uint64_t)c->nidx * 7)
        return abandon_dictionary(c);
    return DLK_OK;
}

int dlk_pq__wcol_write(dlk_pq_writer *w, pq_col *c, const struct ArrowArray *top, int64_t r0,
                       int64_t r1)
{
    if (c->nsteps == 1 && c->steps[0].kind == STEP_LEAF && !c->dict_index) {
        /* flat top-level column: no shredding, levels are 0 or 1 */
        if (r0 < 0 || r1 > top->length)
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "column '%s': rows [%lld, %lld) outside array of %lld", c->path,
                               (long long)r0, (long long)r1, (long long)top->length);
        const uint8_t *valid = top->null_count != 0 ? top->buffers[0] : NULL;
        bool nullable = c->steps[0].nullable;
        for (int64_t r = r0; r < r1; r++) {
            int rc = before_value(w, c);
            if (rc) return rc;
            int64_t p = top->offset + r;
            if (valid && !dlk_bit_get(valid, p)) {
                if (!nullable)
                    return dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s': null in a required field",
                                       c->path);
                rc = put_null(c, 0, 0);
            } else {
                rc = put_value(w, c, 0, nullable ? 1 : 0, top, p);
            }
            if (rc) return rc;
        }
        return DLK_OK;
    }
    for (int64_t r = r0; r < r1; r++) {
        int rc = before_value(w, c);
        if (rc) return rc;
        rc = shred(w, c, 0, top, r, 0, 0);
        if (rc) return rc;
    }
    return DLK_OK;
}

/* ---- pages ---- */

static int levels_v1(dlk_buf *out, const uint16_t *lev, size_t n, int16_t max)
{
    size_t at = out->len;
    uint8_t z[4] = {0};
    if (dlk_buf_append(out, z, 4)) return dlk_err_nomem();
    int rc = dlk_pq__rle_encode16(lev, n, dlk_pq__bit_width((uint64_t)max), out);
    if (rc) return rc;
    put_le(out->data + at, out->len - at - 4, 4);
    return DLK_OK;
}

static int compress_into(dlk_pq_writer *w, const uint8_t *p, size_t n, dlk_buf *out)
{
    out->len = 0;
    if (w->opts.codec == 0) return dlk_buf_append(out, p, n) ? dlk_err_nomem() : DLK_OK;
    return dlk_pq_compress(w->opts.codec, w->opts.level, p, n, out);
}

static int emit_page(pq_col *c, dlk_buf *dst, const dlk_buf *hdr, const uint8_t *p1, size_t n1,
                     const uint8_t *p2, size_t n2)
{
    if (dlk_buf_append(dst, hdr->data, hdr->len) || (n1 && dlk_buf_append(dst, p1, n1)) ||
        (n2 && dlk_buf_append(dst, p2, n2)))
        return dlk_err_nomem();
    return DLK_OK;
}

/* Replace the open page's dictionary indices by PLAIN values and stop
 * using the dictionary for this chunk (high-cardinality data). */
static int abandon_dictionary(pq_col *c)
{
    dlk_buf *v = &c->values;
    v->len = 0;
    if (c->dict.fslots) { /* fixed width <= 8: the dictionary is an array */
        size_t wdt = c->dict.n ? c->dict.plain.len / c->dict.n : 0;
        if (dlk_buf_reserve(v, c->nidx * wdt)) return dlk_err_nomem();
        for (size_t i = 0; i < c->nidx; i++)
            memcpy(v->data + i * wdt, c->dict.plain.data + (size_t)c->idx[i] * wdt, wdt);
        v->len = c->nidx * wdt;
        goto done;
    }
    for (size_t i = 0; i < c->nidx; i++) {
        const dlk_pq_dict_entry *e = &c->dict.entries[c->idx[i]];
        if (c->dict.byte_array) {
            uint8_t le[4];
            put_le(le, e->len, 4);
            if (dlk_buf_append(v, le, 4)) return dlk_err_nomem();
        }
        if (e->len && dlk_buf_append(v, c->dict.plain.data + e->off, e->len)) return dlk_err_nomem();
    }
done:
    c->nidx = 0;
    c->use_dict = false;
    dlk_pq__dict_reset(&c->dict);
    return DLK_OK;
}

int dlk_pq__wcol_flush_page(dlk_pq_writer *w, pq_col *c)
{
    if (c->nlev == 0) return DLK_OK;
    /* first page of the chunk mostly distinct values: the dictionary would
     * cost more than it saves; write PLAIN from here on */
    if (c->use_dict && !c->chunk_used_dict && c->nidx >= 64 &&
        (uint64_t)c->dict.n * 10 > (uint64_t)c->nidx * 7) {
        int rc = abandon_dictionary(c);
        if (rc) return rc;
    }
    bool dict = c->use_dict && c->nidx > 0;
    bool v2 = w->opts.data_page_version == 2;
    dlk_buf *raw = &w->scratch, *lev = &w->scratch2, *comp = &w->comp, *hdr = &w->header;
    raw->len = lev->len = hdr->len = 0;
    int rc = DLK_OK;
    size_t rep_len = 0, def_len = 0;
    if (v2) {
        if (c->max_rep) rc = dlk_pq__rle_encode16(c->rep, c->nlev, dlk_pq__bit_width((uint64_t)c->max_rep), lev);
        rep_len = lev->len;
        if (!rc && c->max_def) rc = dlk_pq__rle_encode16(c->def, c->nlev, dlk_pq__bit_width((uint64_t)c->max_def), lev);
        def_len = lev->len - rep_len;
    } else {
        if (c->max_rep) rc = levels_v1(raw, c->rep, c->nlev, c->max_rep);
        if (!rc && c->max_def) rc = levels_v1(raw, c->def, c->nlev, c->max_def);
    }
    if (rc) return rc;
    if (dict) {
        int bw = dlk_pq__bit_width(c->dict.n - 1);
        if (bw == 0) bw = 1;
        if (dlk_buf_putc(raw, bw)) return dlk_err_nomem();
        rc = dlk_pq__rle_encode32(c->idx, c->nidx, bw, raw);
    } else if (c->values.len && dlk_buf_append(raw, c->values.data, c->values.len)) {
        rc = dlk_err_nomem();
    }
    if (rc) return rc;
    rc = compress_into(w, raw->data, raw->len, comp);
    if (rc) return dlk_err_context(rc, "column '%s'", c->path);
    size_t unc = lev->len + raw->len, cmp = lev->len + comp->len;
    if (unc > INT32_MAX || cmp > INT32_MAX)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': page over 2 GiB", c->path);
    int enc = dict ? PQ_ENC_RLE_DICTIONARY : PQ_ENC_PLAIN;
    dlk_pq_tw t;
    dlk_pq__tw_init(&t, hdr);
    dlk_pq__tw_i32(&t, 1, v2 ? PQ_PAGE_DATA_V2 : PQ_PAGE_DATA);
    dlk_pq__tw_i32(&t, 2, (int32_t)unc);
    dlk_pq__tw_i32(&t, 3, (int32_t)cmp);
    if (v2) {
        dlk_pq__tw_struct_begin(&t, 8);
        dlk_pq__tw_i32(&t, 1, (int32_t)c->nlev);
        dlk_pq__tw_i32(&t, 2, (int32_t)c->page_nulls);
        dlk_pq__tw_i32(&t, 3, (int32_t)c->page_rows);
        dlk_pq__tw_i32(&t, 4, enc);
        dlk_pq__tw_i32(&t, 5, (int32_t)def_len);
        dlk_pq__tw_i32(&t, 6, (int32_t)rep_len);
        dlk_pq__tw_bool(&t, 7, w->opts.codec != 0);
        dlk_pq__tw_struct_end(&t);
    } else {
        dlk_pq__tw_struct_begin(&t, 5);
        dlk_pq__tw_i32(&t, 1, (int32_t)c->nlev);
        dlk_pq__tw_i32(&t, 2, enc);
        dlk_pq__tw_i32(&t, 3, PQ_ENC_RLE);
        dlk_pq__tw_i32(&t, 4, PQ_ENC_RLE);
        dlk_pq__tw_struct_end(&t);
    }
    rc = dlk_pq__tw_finish(&t);
    if (rc) return rc;
    rc = emit_page(c, &c->pages, hdr, lev->data, lev->len, comp->data, comp->len);
    if (rc) return rc;
    c->chunk_unc += (int64_t)(hdr->len + unc);
    c->chunk_comp += (int64_t)(hdr->len + cmp);
    c->chunk_values += (int64_t)c->nlev;
    c->chunk.num_values += (int64_t)c->nlev;
    if (dict) {
        c->n_pages_dict++;
        c->chunk_used_dict = true;
    } else {
        c->n_pages_plain++;
    }
    c->nlev = c->nidx = 0;
    c->values.len = 0;
    c->nbool = 0;
    c->page_nulls = c->page_rows = 0;
    if (c->dict_full) c->use_dict = false;
    return DLK_OK;
}

/* Footer statistics of byte arrays are cut to STATS_MAX_BYTES: the minimum
 * to a prefix (still a lower bound), the maximum to a prefix whose last
 * byte (string: last character) is incremented (an upper bound). Strings
 * are cut at character boundaries so both stay UTF-8. */
#define STATS_MAX_BYTES 4096

static size_t utf8_cut(const uint8_t *p, size_t n)
{
    while (n > 0 && (p[n] & 0xC0) == 0x80) n--;
    return n;
}

static void truncate_min(const pq_col *c, dlk_buf *v, bool *exact)
{
    if (v->len <= STATS_MAX_BYTES) return;
    size_t n = STATS_MAX_BYTES;
    if (c->kind == LK_STRING) n = utf8_cut(v->data, n);
    v->len = n;
    *exact = false;
}

/* Decode the UTF-8 character p[0..n); -1 when malformed. */
static int32_t utf8_decode(const uint8_t *p, size_t n)
{
    static const uint8_t lead_mask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    if (n == 0 || n > 4 || (n == 1 && p[0] >= 0x80)) return -1;
    int32_t cp = p[0] & lead_mask[n];
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    return cp;
}

static size_t utf8_encode(int32_t cp, uint8_t *o)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

/* false when no upper bound of that size exists (all bytes maximal).
 * Strings: the last character of the prefix becomes the next code point. */
static bool truncate_max(const pq_col *c, dlk_buf *v, bool *exact)
{
    if (v->len <= STATS_MAX_BYTES) return true;
    size_t n = STATS_MAX_BYTES;
    *exact = false;
    if (c->kind != LK_STRING) {
        for (; n > 0; n--) {
            if (v->data[n - 1] != 0xff) {
                v->data[n - 1]++;
                v->len = n;
                return true;
            }
        }
        return false;
    }
    n = utf8_cut(v->data, n);
    while (n > 0) {
        size_t start = n - 1;
        while (start > 0 && (v->data[start] & 0xC0) == 0x80 && n - start < 4) start--;
        int32_t cp = utf8_decode(v->data + start, n - start);
        if (cp >= 0 && cp < 0x10FFFF) {
            cp++;
            if (cp == 0xD800) cp = 0xE000;
            /* the buffer holds the whole value, so up to 4 bytes fit */
            v->len = start + utf8_encode(cp, v->data + start);
            return true;
        }
        n = start;
    }
    return false;
}

static int sink_write(dlk_pq_writer *w, const void *p, size_t n)
{
    if (!n) return DLK_OK;
    int rc = w->sink.write(w->sink.ctx, p, n);
    if (rc) return rc;
    w->offset += n;
    return DLK_OK;
}

int dlk_pq__wcol_finish_chunk(dlk_pq_writer *w, pq_col *c, dlk_buf *out, int64_t *unc,
                              int64_t *comp)
{
    int rc = dlk_pq__wcol_flush_page(w, c);
    if (rc) return rc;
    uint64_t start = w->offset;
    int64_t tot_unc = c->chunk_unc, tot_comp = c->chunk_comp;
    bool has_dict = c->chunk_used_dict;
    if (has_dict) {
        dlk_buf *hdr = &w->header;
        hdr->len = 0;
        rc = compress_into(w, c->dict.plain.data, c->dict.plain.len, &w->comp);
        if (rc) return dlk_err_context(rc, "column '%s'", c->path);
        if (c->dict.plain.len > INT32_MAX || w->comp.len > INT32_MAX)
            return dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s': dictionary over 2 GiB", c->path);
        dlk_pq_tw t;
        dlk_pq__tw_init(&t, hdr);
        dlk_pq__tw_i32(&t, 1, PQ_PAGE_DICT);
        dlk_pq__tw_i32(&t, 2, (int32_t)c->dict.plain.len);
        dlk_pq__tw_i32(&t, 3, (int32_t)w->comp.len);
        dlk_pq__tw_struct_begin(&t, 7);
        dlk_pq__tw_i32(&t, 1, (int32_t)c->dict.n);
        dlk_pq__tw_i32(&t, 2, PQ_ENC_PLAIN);
        dlk_pq__tw_struct_end(&t);
        rc = dlk_pq__tw_finish(&t);
        if (!rc) rc = sink_write(w, hdr->data, hdr->len);
        if (!rc) rc = sink_write(w, w->comp.data, w->comp.len);
        if (rc) return rc;
        tot_unc += (int64_t)(hdr->len + c->dict.plain.len);
        tot_comp += (int64_t)(hdr->len + w->comp.len);
    }
    uint64_t data_off = w->offset;
    rc = sink_write(w, c->pages.data, c->pages.len);
    if (rc) return rc;

    /* ColumnChunk */
    dlk_pq_tw t;
    dlk_pq__tw_init(&t, out);
    dlk_pq__tw_elem_struct_begin(&t);
    dlk_pq__tw_i64(&t, 2, 0);
    dlk_pq__tw_struct_begin(&t, 3);
    dlk_pq__tw_i32(&t, 1, c->ptype);
    int encs[3], nenc = 0;
    if (has_dict || c->n_pages_plain) encs[nenc++] = PQ_ENC_PLAIN;
    encs[nenc++] = PQ_ENC_RLE;
    if (has_dict) encs[nenc++] = PQ_ENC_RLE_DICTIONARY;
    dlk_pq__tw_list_begin(&t, 2, DLK_TC_I32, (size_t)nenc);
    for (int i = 0; i < nenc; i++) dlk_pq__tw_elem_i32(&t, encs[i]);
    dlk_pq__tw_list_begin(&t, 3, DLK_TC_BINARY, c->n_parts);
    for (size_t i = 0; i < c->n_parts; i++)
        dlk_pq__tw_elem_binary(&t, c->parts[i], strlen(c->parts[i]));
    dlk_pq__tw_i32(&t, 4, w->opts.codec);
    dlk_pq__tw_i64(&t, 5, c->chunk_values);
    dlk_pq__tw_i64(&t, 6, tot_unc);
    dlk_pq__tw_i64(&t, 7, tot_comp);
    dlk_pq__tw_i64(&t, 9, (int64_t)data_off);
    if (has_dict) dlk_pq__tw_i64(&t, 11, (int64_t)start);
    /* Statistics */
    dlk_pq__tw_struct_begin(&t, 12);
    dlk_pq__tw_i64(&t, 3, c->chunk.null_count);
    if (c->chunk.has) {
        dlk_buf *mx = &w->scratch, *mn = &w->scratch2;
        rc = dlk_pq__stats_encode(c, &c->chunk, true, mx);
        if (!rc) rc = dlk_pq__stats_encode(c, &c->chunk, false, mn);
        if (rc) return rc;
        bool max_exact = true, min_exact = true, ok = true;
        if (c->ptype == PQ_BYTE_ARRAY) {
            ok = truncate_max(c, mx, &max_exact);
            truncate_min(c, mn, &min_exact);
        }
        if (ok) {
            dlk_pq__tw_binary(&t, 5, mx->data, mx->len);
            dlk_pq__tw_binary(&t, 6, mn->data, mn->len);
            dlk_pq__tw_bool(&t, 7, max_exact);
            dlk_pq__tw_bool(&t, 8, min_exact);
        }
    }
    if (c->kind == LK_F32 || c->kind == LK_F64 || c->kind == LK_F16)
        dlk_pq__tw_i64(&t, 9, c->chunk.nan_count);
    dlk_pq__tw_struct_end(&t);
    /* encoding_stats */
    int nes = (has_dict ? 1 : 0) + (c->n_pages_dict ? 1 : 0) + (c->n_pages_plain ? 1 : 0);
    dlk_pq__tw_list_begin(&t, 13, DLK_TC_STRUCT, (size_t)nes);
    if (has_dict) {
        dlk_pq__tw_elem_struct_begin(&t);
        dlk_pq__tw_i32(&t, 1, PQ_PAGE_DICT);
        dlk_pq__tw_i32(&t, 2, PQ_ENC_PLAIN);
        dlk_pq__tw_i32(&t, 3, 1);
        dlk_pq__tw_struct_end(&t);
    }
    int dpt = w->opts.data_page_version == 2 ? PQ_PAGE_DATA_V2 : PQ_PAGE_DATA;
    if (c->n_pages_dict) {
        dlk_pq__tw_elem_struct_begin(&t);
        dlk_pq__tw_i32(&t, 1, dpt);
        dlk_pq__tw_i32(&t, 2, PQ_ENC_RLE_DICTIONARY);
        dlk_pq__tw_i32(&t, 3, c->n_pages_dict);
        dlk_pq__tw_struct_end(&t);
    }
    if (c->n_pages_plain) {
        dlk_pq__tw_elem_struct_begin(&t);
        dlk_pq__tw_i32(&t, 1, dpt);
        dlk_pq__tw_i32(&t, 2, PQ_ENC_PLAIN);
        dlk_pq__tw_i32(&t, 3, c->n_pages_plain);
        dlk_pq__tw_struct_end(&t);
    }
    dlk_pq__tw_struct_end(&t); /* ColumnMetaData */
    dlk_pq__tw_struct_end(&t); /* ColumnChunk */
    if (t.err) return dlk_err_nomem();

    *unc = tot_unc;
    *comp = tot_comp;
    c->file_unc += tot_unc;
    c->file_comp += tot_comp;
    c->file_pages += c->n_pages_dict + c->n_pages_plain;
    c->file_dict_pages += c->n_pages_dict;
    dlk_pq__stats_merge(c, &c->file, &c->chunk);
    dlk_pq__stats_reset(&c->chunk);
    /* release the chunk's buffers (the next chunk grows them again): an idle
     * writer between row groups holds no page-sized memory */
    bool byte_array = c->dict.byte_array;
    dlk_pq__dict_free(&c->dict);
    c->dict.byte_array = byte_array;
    dlk_buf_free(&c->pages);
    dlk_buf_free(&c->values);
    dlk_free(c->def);
    dlk_free(c->rep);
    dlk_free(c->idx);
    c->def = c->rep = NULL;
    c->idx = NULL;
    c->caplev = c->capidx = 0;
    c->use_dict = w->opts.dictionary && c->kind != LK_BOOL;
    c->dict_full = c->chunk_used_dict = false;
    c->chunk_values = c->chunk_unc = c->chunk_comp = 0;
    c->n_pages_dict = c->n_pages_plain = 0;
    return DLK_OK;
}

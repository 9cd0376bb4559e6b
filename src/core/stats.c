/* core/stats.c - Delta add-action stats JSON from the Parquet writer's
 * per-leaf statistics (see core/stats.h). */
#include "core/stats.h"
#include "util/error.h"
#include "util/time.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dlk_core_format_double(double v, bool is_float, char *out, size_t cap)
{
    if (cap < 32) return dlk_err_set(DLK_INVALID_ARGUMENT, "format_double: buffer too small");
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, v);
        if (is_float ? (float)strtod(out, NULL) == (float)v : strtod(out, NULL) == v) break;
    }
    /* JSON numbers need a digit before '.', which %g always gives. */
    return DLK_OK;
}

typedef struct {
    const dlk_pq_write_result *res;
    size_t next; /* next result column */
    int indexed; /* leaves left to index (-1: all) */
    dlk_buf *minb, *maxb, *nullb;
} walk;

static size_t count_leaves(const struct ArrowSchema *s)
{
    if (s->n_children == 0) return 1;
    size_t n = 0;
    for (int64_t i = 0; i < s->n_children; i++)
        n += count_leaves(s->children[i]);
    return n;
}

/* UTF-8: length of the first n code points of s (len bytes). */
static size_t utf8_prefix(const uint8_t *s, size_t len, size_t n, bool *cut)
{
    size_t i = 0, cps = 0;
    while (i < len && cps < n) {
        uint8_t c = s[i];
        size_t w = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + w > len) break;
        i += w;
        cps++;
    }
    *cut = i < len;
    return i;
}

static int put_utf8(uint8_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 63));
        o[2] = (uint8_t)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 63));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 63));
    o[3] = (uint8_t)(0x80 | (cp & 63));
    return 4;
}

/* Write the truncated max: prefix with its last incrementable code point
 * bumped (trailing U+10FFFF dropped). Returns false when no bound exists. */
static int put_max_string(dlk_buf *b, const uint8_t *s, size_t len, bool *ok)
{
    bool cut;
    size_t n = utf8_prefix(s, len, DLK_STATS_STRING_PREFIX, &cut);
    *ok = true;
    if (!cut) return dlk_buf_json_str(b, (const char *)s, len);
    /* decode code points of the prefix */
    uint32_t cps[DLK_STATS_STRING_PREFIX];
    size_t k = 0, i = 0;
    while (i < n && k < DLK_STATS_STRING_PREFIX) {
        uint8_t c = s[i];
        size_t w = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        uint32_t cp = w == 1 ? c : w == 2 ? (c & 31u) : w == 3 ? (c & 15u) : (c & 7u);
        for (size_t j = 1; j < w; j++)
            cp = (cp << 6) | (s[i + j] & 63u);
        cps[k++] = cp;
        i += w;
    }
    while (k > 0) {
        uint32_t cp = cps[k - 1];
        if (cp >= 0x10FFFF) {
            k--;
            continue;
        }
        cp++;
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xE000;
        cps[k - 1] = cp;
        break;
    }
    if (k == 0) {
        *ok = false;
        return DLK_OK;
    }
    uint8_t tmp[DLK_STATS_STRING_PREFIX * 4];
    size_t t = 0;
    for (size_t j = 0; j < k; j++)
        t += (size_t)put_utf8(tmp + t, cps[j]);
    return dlk_buf_json_str(b, (const char *)tmp, t);
}

static int put_decimal(dlk_buf *b, int64_t hi, uint64_t lo, int scale)
{
    __int128 v = (__int128)(((unsigned __int128)(uint64_t)hi << 64) | lo);
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    char digits[48];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u && nd < 45);
    while (nd <= scale)
        digits[nd++] = '0';
    char out[64];
    int o = 0;
    if (neg) out[o++] = '-';
    for (int i = nd - 1; i >= 0; i--) {
        out[o++] = digits[i];
        if (i == scale && scale > 0) out[o++] = '.';
    }
    return dlk_buf_append(b, out, (size_t)o);
}

static int put_value(dlk_buf *b, const char *fmt, const dlk_pq_value *v, bool is_max, bool *ok)
{
    char t[64];
    *ok = true;
    if (!strcmp(fmt, "u")) {
        if (v->kind != DLK_PQ_VALUE_BYTES) {
            *ok = false;
            return DLK_OK;
        }
        if (is_max) return put_max_string(b, v->bytes, v->len, ok);
        bool cut;
        size_t n = utf8_prefix(v->bytes, v->len, DLK_STATS_STRING_PREFIX, &cut);
        return dlk_buf_json_str(b, (const char *)v->bytes, n);
    }
    if (!strcmp(fmt, "tdD")) {
        size_t n = dlk_format_date((int32_t)v->i, t);
        return dlk_buf_json_str(b, t, n);
    }
    if (!strncmp(fmt, "ts", 2)) {
        int64_t us = v->i;
        char unit = fmt[2];
        if (unit == 's')
            us *= 1000000;
        else if (unit == 'm')
            us *= 1000;
        else if (unit == 'n')
            us = us / 1000 - (us % 1000 < 0 ? 1 : 0) + (is_max && us % 1000 ? 1 : 0);
        int64_t ms = us / 1000 - (us % 1000 < 0 ? 1 : 0); /* floor */
        if (is_max && ms * 1000 != us) ms++;
        bool utc = strlen(fmt) > 4; /* "tsu:" vs "tsu:UTC" */
        size_t n = dlk_format_timestamp(ms * 1000, utc, t);
        /* drop the last three fraction digits (always 000) */
        size_t dot = 19, frac_end = dot + 7;
        if (n < frac_end) return dlk_err_set(DLK_ERROR, "stats: timestamp format");
        memmove(t + dot + 4, t + frac_end, n - frac_end + 1);
        return dlk_buf_json_str(b, t, n - 3);
    }
    if (!strncmp(fmt, "d:", 2)) {
        int prec, scale;
        if (sscanf(fmt + 2, "%d,%d", &prec, &scale) != 2) {
            *ok = false;
            return DLK_OK;
        }
        if (v->kind == DLK_PQ_VALUE_DECIMAL) return put_decimal(b, v->dec_hi, v->dec_lo, scale);
        if (v->kind == DLK_PQ_VALUE_INT)
            return put_decimal(b, v->i < 0 ? -1 : 0, (uint64_t)v->i, scale);
        *ok = false;
        return DLK_OK;
    }
    if (!strcmp(fmt, "f") || !strcmp(fmt, "g")) {
        if (v->kind != DLK_PQ_VALUE_DOUBLE || isnan(v->d)) {
            *ok = false;
            return DLK_OK;
        }
        if (isinf(v->d)) return dlk_buf_puts(b, v->d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        dlk_core_format_double(v->d, fmt[0] == 'f', t, sizeof t);
        return dlk_buf_puts(b, t);
    }
    if (v->kind == DLK_PQ_VALUE_INT) return dlk_buf_printf(b, "%" PRId64, v->i);
    if (v->kind == DLK_PQ_VALUE_UINT) return dlk_buf_printf(b, "%" PRIu64, v->u);
    *ok = false;
    return DLK_OK;
}

/* Cut b back to n bytes (keeping the NUL terminator dlk_buf_cstr needs). */
static void cut(dlk_buf *b, size_t n)
{
    b->len = n;
    if (b->data) b->data[n] = 0;
}

static bool has_minmax_type(const char *f)
{
    return strcmp(f, "b") && strcmp(f, "z") && strncmp(f, "w:", 2);
}

/* Emit "name":value into b after a comma if *first is false. */
static int key(dlk_buf *b, bool *first, const char *name)
{
    int rc = *first ? DLK_OK : dlk_buf_putc(b, ',');
    *first = false;
    if (!rc) rc = dlk_buf_json_str(b, name, strlen(name));
    return rc ? rc : dlk_buf_putc(b, ':');
}

static int walk_struct(walk *w, const struct ArrowSchema *s, bool *fmin, bool *fmax, bool *fnull);

static int walk_field(walk *w, const struct ArrowSchema *f, bool *fmin, bool *fmax, bool *fnull)
{
    int rc;
    if (!strcmp(f->format, "+l") || !strcmp(f->format, "+m")) {
        w->next += count_leaves(f); /* no stats for arrays and maps */
        return DLK_OK;
    }
    if (!strcmp(f->format, "+s")) {
        /* nested objects; dropped when empty */
        size_t m0 = w->minb->len, x0 = w->maxb->len, n0 = w->nullb->len;
        bool m_first = *fmin, x_first = *fmax, n_first = *fnull;
        if ((rc = key(w->minb, fmin, f->name)) || (rc = dlk_buf_putc(w->minb, '{'))) return rc;
        if ((rc = key(w->maxb, fmax, f->name)) || (rc = dlk_buf_putc(w->maxb, '{'))) return rc;
        if ((rc = key(w->nullb, fnull, f->name)) || (rc = dlk_buf_putc(w->nullb, '{'))) return rc;
        size_t m1 = w->minb->len, x1 = w->maxb->len, n1 = w->nullb->len;
        bool a = true, bb = true, c = true;
        if ((rc = walk_struct(w, f, &a, &bb, &c))) return rc;
        if (w->minb->len == m1) {
            cut(w->minb, m0);
            *fmin = m_first;
        } else if ((rc = dlk_buf_putc(w->minb, '}')))
            return rc;
        if (w->maxb->len == x1) {
            cut(w->maxb, x0);
            *fmax = x_first;
        } else if ((rc = dlk_buf_putc(w->maxb, '}')))
            return rc;
        if (w->nullb->len == n1) {
            cut(w->nullb, n0);
            *fnull = n_first;
        } else if ((rc = dlk_buf_putc(w->nullb, '}')))
            return rc;
        return DLK_OK;
    }
    if (w->next >= w->res->n_columns)
        return dlk_err_set(DLK_ERROR, "stats: fewer result columns than schema leaves");
    const dlk_pq_column_result *c = &w->res->columns[w->next++];
    if (w->indexed == 0) return DLK_OK;
    if (w->indexed > 0) w->indexed--;
    if ((rc = key(w->nullb, fnull, f->name)) ||
        (rc = dlk_buf_printf(w->nullb, "%" PRId64, c->null_count)))
        return rc;
    if (!c->has_min_max || !has_minmax_type(f->format)) return DLK_OK;
    size_t m0 = w->minb->len, x0 = w->maxb->len;
    bool mf = *fmin, xf = *fmax, ok;
    if ((rc = key(w->minb, fmin, f->name)) ||
        (rc = put_value(w->minb, f->format, &c->min, false, &ok)))
        return rc;
    if (!ok) {
        cut(w->minb, m0);
        *fmin = mf;
    }
    if ((rc = key(w->maxb, fmax, f->name)) ||
        (rc = put_value(w->maxb, f->format, &c->max, true, &ok)))
        return rc;
    if (!ok) {
        cut(w->maxb, x0);
        *fmax = xf;
    }
    return DLK_OK;
}

static int walk_struct(walk *w, const struct ArrowSchema *s, bool *fmin, bool *fmax, bool *fnull)
{
    for (int64_t i = 0; i < s->n_children; i++) {
        int rc = walk_field(w, s->children[i], fmin, fmax, fnull);
        if (rc) return rc;
    }
    return DLK_OK;
}

int dlk_core_stats_json(const struct ArrowSchema *schema, const dlk_pq_write_result *res,
                        int num_indexed, dlk_buf *out)
{
    dlk_buf minb = {0}, maxb = {0}, nullb = {0};
    walk w = {res, 0, num_indexed, &minb, &maxb, &nullb};
    bool a = true, b = true, c = true;
    int rc = walk_struct(&w, schema, &a, &b, &c);
    if (!rc)
        rc = dlk_buf_printf(
            out,
            "{\"numRecords\":%" PRId64 ",\"minValues\":{%s},\"maxValues\":{%s},\"nullCount\":{%s}}",
            res->num_rows, dlk_buf_cstr(&minb), dlk_buf_cstr(&maxb), dlk_buf_cstr(&nullb));
    dlk_buf_free(&minb);
    dlk_buf_free(&maxb);
    dlk_buf_free(&nullb);
    return rc;
}

/*
 * arrow/json_out.c - Arrow values -> JSON text by the jsonl conventions
 * (include/deltalake/arrow_json.h).
 */
#include "deltalake/arrow_json.h"
#include "arrow/arrow.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/misc.h"
#include "util/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int put_double(dlk_buf *b, double v, bool is_float)
{
    if (isnan(v)) return dlk_buf_puts(b, "\"NaN\"");
    if (isinf(v)) return dlk_buf_puts(b, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    char tmp[40];
    int maxp = is_float ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, v);
        if (is_float ? (strtof(tmp, NULL) == (float)v) : (strtod(tmp, NULL) == v)) break;
    }
    /* %g switches to an exponent once the exponent reaches the precision
     * ("2e+01" for 20): print plain digits up to 1e16 instead */
    const char *e = strchr(tmp, 'e');
    if (e) {
        long ex = strtol(e + 1, NULL, 10);
        if (ex >= 0 && ex < 17) snprintf(tmp, sizeof tmp, "%.*g", (int)ex + 1, v);
    }
    return dlk_buf_puts(b, tmp);
}

static int put_decimal(dlk_buf *b, const uint8_t *p, int width, int scale)
{
    __int128 v = 0;
    if (width == 16) {
        uint64_t lo, hi;
        memcpy(&lo, p, 8);
        memcpy(&hi, p + 8, 8);
        v = (__int128)(((unsigned __int128)hi << 64) | lo);
    } else {
        int64_t x;
        memcpy(&x, p, 8);
        v = x;
    }
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    char digits[64];
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u && n < 60);
    while (n <= scale && n < 60) digits[n++] = '0';
    char out[80];
    int k = 0;
    out[k++] = '"';
    if (neg) out[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        out[k++] = digits[i];
        if (i == scale && scale > 0) out[k++] = '.';
    }
    out[k++] = '"';
    return dlk_buf_append(b, out, (size_t)k);
}

static int put_base64(dlk_buf *b, const uint8_t *p, size_t n)
{
    char *s;
    size_t sl;
    int rc = dlk_base64_encode(p, n, &s, &sl);
    if (rc) return rc;
    rc = dlk_buf_putc(b, '"');
    if (!rc) rc = dlk_buf_append(b, s, sl);
    if (!rc) rc = dlk_buf_putc(b, '"');
    dlk_free(s);
    return rc;
}

static int64_t unit_div(char u) { return u == 's' ? -1000000 : u == 'm' ? -1000 : u == 'u' ? 1 : 1000; }

static int64_t to_micros(int64_t v, char unit)
{
    int64_t m = unit_div(unit);
    if (m < 0) return v * -m;
    if (m == 1) return v;
    int64_t q = v / m;
    if ((v % m) && v < 0) q--;
    return q;
}

static float f16(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 1024), e - 25);
    return (h & 0x8000) ? -v : v;
}

static int value(dlk_buf *b, const struct ArrowSchema *s, const struct ArrowArray *a, int64_t i, int flags);

static int put_time(dlk_buf *b, int64_t us)
{
    if (us < 0) us = 0;
    int64_t sec = us / 1000000, frac = us % 1000000;
    return dlk_buf_printf(b, "\"%02lld:%02lld:%02lld.%06lld\"", (long long)(sec / 3600), (long long)(sec / 60 % 60),
                          (long long)(sec % 60), (long long)frac);
}

static int value(dlk_buf *b, const struct ArrowSchema *s, const struct ArrowArray *a, int64_t i, int flags)
{
    if (!dlk_arrow_is_valid(a, i)) return dlk_buf_puts(b, "null");
    const char *f = s->format;
    int64_t j = a->offset + i;
    const void *vb = a->n_buffers > 1 ? a->buffers[1] : NULL;
    char tmp[48];
    switch (f[0]) {
    case 'n': return dlk_buf_puts(b, "null");
    case 'b': return dlk_buf_puts(b, dlk_bit_get(vb, j) ? "true" : "false");
    case 'c': return dlk_buf_printf(b, "%d", ((const int8_t *)vb)[j]);
    case 'C': return dlk_buf_printf(b, "%u", ((const uint8_t *)vb)[j]);
    case 's': return dlk_buf_printf(b, "%d", ((const int16_t *)vb)[j]);
    case 'S': return dlk_buf_printf(b, "%u", ((const uint16_t *)vb)[j]);
    case 'i': return dlk_buf_printf(b, "%d", ((const int32_t *)vb)[j]);
    case 'I': return dlk_buf_printf(b, "%u", ((const uint32_t *)vb)[j]);
    case 'l': return dlk_buf_printf(b, "%lld", (long long)((const int64_t *)vb)[j]);
    case 'L': return dlk_buf_printf(b, "%llu", (unsigned long long)((const uint64_t *)vb)[j]);
    case 'e': return put_double(b, f16(((const uint16_t *)vb)[j]), true);
    case 'f': return put_double(b, ((const float *)vb)[j], true);
    case 'g': return put_double(b, ((const double *)vb)[j], false);
    case 'u':
    case 'z':
    case 'U':
    case 'Z': {
        int64_t st, en;
        if (f[0] == 'u' || f[0] == 'z') {
            st = ((const int32_t *)vb)[j];
            en = ((const int32_t *)vb)[j + 1];
        } else {
            st = ((const int64_t *)vb)[j];
            en = ((const int64_t *)vb)[j + 1];
        }
        const char *p = (const char *)a->buffers[2] + st;
        size_t n = (size_t)(en - st);
        if (f[0] == 'z' || f[0] == 'Z') return put_base64(b, (const uint8_t *)p, n);
        if (flags & DLK_JSON_RAW_STRINGS) return dlk_buf_append(b, p, n);
        return dlk_buf_json_str(b, p, n);
    }
    case 'w': {
        int w = (int)strtol(f + 2, NULL, 10);
        if (w < 0) w = 0;
        return put_base64(b, (const uint8_t *)vb + (size_t)j * (size_t)w, (size_t)w);
    }
    case 'd': {
        int p = 0, sc = 0, bits = 128;
        const char *c = f + 2;
        p = (int)strtol(c, (char **)&c, 10);
        if (*c == ',') sc = (int)strtol(c + 1, (char **)&c, 10);
        if (*c == ',') bits = (int)strtol(c + 1, (char **)&c, 10);
        (void)p;
        if (bits != 128 && bits != 64) return dlk_err_set(DLK_UNSUPPORTED, "decimal of %d bits", bits);
        int w = bits / 8;
        return put_decimal(b, (const uint8_t *)vb + (size_t)j * (size_t)w, w, sc);
    }
    case 't':
        if (f[1] == 'd') {
            int32_t days = f[2] == 'D' ? ((const int32_t *)vb)[j] : (int32_t)(((const int64_t *)vb)[j] / 86400000);
            size_t n = dlk_format_date(days, tmp);
            dlk_buf_putc(b, '"');
            dlk_buf_append(b, tmp, n);
            return dlk_buf_putc(b, '"');
        }
        if (f[1] == 's') {
            int64_t v = ((const int64_t *)vb)[j];
            int64_t us = to_micros(v, f[2]);
            bool utc = f[3] == ':' && f[4] != 0;
            size_t n = dlk_format_timestamp(us, utc, tmp);
            dlk_buf_putc(b, '"');
            dlk_buf_append(b, tmp, n);
            return dlk_buf_putc(b, '"');
        }
        if (f[1] == 't') {
            int64_t v = (f[2] == 's' || f[2] == 'm') ? ((const int32_t *)vb)[j] : ((const int64_t *)vb)[j];
            return put_time(b, to_micros(v, f[2]));
        }
        return dlk_err_set(DLK_UNSUPPORTED, "JSON output of Arrow type %s", f);
    case '+':
        if (f[1] == 's') {
            int rc = dlk_buf_putc(b, '{');
            for (int64_t k = 0; k < s->n_children && !rc; k++) {
                if (k) rc = dlk_buf_putc(b, ',');
                const char *nm = s->children[k]->name ? s->children[k]->name : "";
                if (!rc) rc = dlk_buf_json_str(b, nm, strlen(nm));
                if (!rc) rc = dlk_buf_putc(b, ':');
                if (!rc) rc = value(b, s->children[k], a->children[k], j, 0);
            }
            return rc ? rc : dlk_buf_putc(b, '}');
        }
        if (f[1] == 'l' || f[1] == 'm') {
            const int32_t *o = vb;
            int64_t st = o[j], en = o[j + 1];
            const struct ArrowSchema *cs = s->children[0];
            const struct ArrowArray *ca = a->children[0];
            int rc = dlk_buf_putc(b, f[1] == 'l' ? '[' : '{');
            for (int64_t k = st; k < en && !rc; k++) {
                if (k > st) rc = dlk_buf_putc(b, ',');
                if (rc) break;
                if (f[1] == 'l') {
                    rc = value(b, cs, ca, k, 0);
                    continue;
                }
                /* map entry: key as a string */
                int64_t kk = ca->offset + k;
                if (cs->n_children < 1) return dlk_err_set(DLK_CORRUPT, "map without keys");
                const struct ArrowSchema *ks = cs->children[0];
                if (ks->format[0] == 'u' || ks->format[0] == 'U') {
                    rc = value(b, ks, ca->children[0], kk, 0);
                } else {
                    dlk_buf kb = {0};
                    rc = value(&kb, ks, ca->children[0], kk, DLK_JSON_RAW_STRINGS);
                    const char *kt = dlk_buf_cstr(&kb);
                    size_t kl = kb.len;
                    if (kl >= 2 && kt[0] == '"') { kt++; kl -= 2; }
                    if (!rc) rc = dlk_buf_json_str(b, kt, kl);
                    dlk_buf_free(&kb);
                }
                if (!rc) rc = dlk_buf_putc(b, ':');
                if (!rc) {
                    if (cs->n_children >= 2) rc = value(b, cs->children[1], ca->children[1], kk, 0);
                    else rc = dlk_buf_puts(b, "null");
                }
            }
            return rc ? rc : dlk_buf_putc(b, f[1] == 'l' ? ']' : '}');
        }
        return dlk_err_set(DLK_UNSUPPORTED, "JSON output of Arrow type %s", f);
    default:
        return dlk_err_set(DLK_UNSUPPORTED, "JSON output of Arrow type %s", f);
    }
}

static int with_buf(char **buf, size_t *len, size_t *cap, dlk_buf *b)
{
    b->data = (uint8_t *)*buf;
    b->len = *len;
    b->cap = *cap;
    return DLK_OK;
}

static void back(char **buf, size_t *len, size_t *cap, dlk_buf *b)
{
    *buf = (char *)b->data;
    *len = b->len;
    *cap = b->cap;
}

int dlk_arrow_json_value(const struct ArrowSchema *schema, const struct ArrowArray *array, int64_t i, int flags,
                         char **buf, size_t *len, size_t *cap)
{
    dlk_buf b;
    with_buf(buf, len, cap, &b);
    int rc = value(&b, schema, array, i, flags);
    back(buf, len, cap, &b);
    return rc;
}

int dlk_arrow_json_row(const struct ArrowSchema *schema, const struct ArrowArray *array, int64_t row, char **buf,
                       size_t *len, size_t *cap)
{
    dlk_buf b;
    with_buf(buf, len, cap, &b);
    int rc = dlk_buf_putc(&b, '{');
    for (int64_t k = 0; k < schema->n_children && !rc; k++) {
        if (k) rc = dlk_buf_putc(&b, ',');
        const char *nm = schema->children[k]->name ? schema->children[k]->name : "";
        if (!rc) rc = dlk_buf_json_str(&b, nm, strlen(nm));
        if (!rc) rc = dlk_buf_putc(&b, ':');
        if (!rc) rc = value(&b, schema->children[k], array->children[k], array->offset + row, 0);
    }
    if (!rc) rc = dlk_buf_putc(&b, '}');
    back(buf, len, cap, &b);
    return rc;
}


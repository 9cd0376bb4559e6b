/*
 * tests/pq_testgen.h - random Arrow batches for Parquet tests, built with
 * arrow/builder, together with the JSON line each row must read back as
 * (the jsonl conventions of deltalake/arrow_json.h, as tests/peers/duckdb_query.mjs prints
 * DuckDB's rows). Header-only; include in one test file.
 *
 *   pqgen g; pqgen_init(&g, seed);
 *   pqgen_batch(&g, builder, rows, &json_lines);   // appends rows + JSON
 *
 * Values include extremes (integer limits, NaN, infinities, -0.0, the
 * smallest subnormals), empty strings and lists, UTF-8, escapes, nulls at
 * every nullable level (always in columns named allnull*). Floats are printed the way JavaScript prints them.
 */
#ifndef DLK_TESTS_PQ_TESTGEN_H
#define DLK_TESTS_PQ_TESTGEN_H

#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/misc.h"
#include "util/time.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pqgen {
    uint64_t s;
    double null_rate;
    int max_list;
} pqgen;

static inline void pqgen_init(pqgen *g, uint64_t seed)
{
    g->s = seed * 0x9E3779B97F4A7C15ULL + 1;
    g->null_rate = 0.15;
    g->max_list = 3;
}

static inline uint64_t pqgen_u64(pqgen *g)
{
    uint64_t z = (g->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static inline uint64_t pqgen_below(pqgen *g, uint64_t n) { return n ? pqgen_u64(g) % n : 0; }
static inline double pqgen_unit(pqgen *g) { return (double)(pqgen_u64(g) >> 11) / 9007199254740992.0; }

/* JavaScript Number -> string for a double given as decimal digits and an
 * exponent (value = 0.d1d2d3... * 10^(exp)), following Number::toString. */
static inline void pqgen_js_digits(dlk_buf *o, bool neg, const char *digits, int k, int n)
{
    /* value = digits * 10^(n-k) where n is the decimal exponent position */
    if (neg) dlk_buf_putc(o, '-');
    if (k <= n && n <= 21) {
        dlk_buf_append(o, digits, (size_t)k);
        for (int i = 0; i < n - k; i++) dlk_buf_putc(o, '0');
    } else if (0 < n && n <= 21) {
        dlk_buf_append(o, digits, (size_t)n);
        dlk_buf_putc(o, '.');
        dlk_buf_append(o, digits + n, (size_t)(k - n));
    } else if (-6 < n && n <= 0) {
        dlk_buf_puts(o, "0.");
        for (int i = 0; i < -n; i++) dlk_buf_putc(o, '0');
        dlk_buf_append(o, digits, (size_t)k);
    } else {
        dlk_buf_putc(o, digits[0]);
        if (k > 1) {
            dlk_buf_putc(o, '.');
            dlk_buf_append(o, digits + 1, (size_t)(k - 1));
        }
        dlk_buf_printf(o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
}

/* Shortest digits of x that read back as x (as float when is_float). */
static inline void pqgen_js_number(dlk_buf *o, double x, bool is_float)
{
    if (isnan(x)) {
        dlk_buf_puts(o, "\"NaN\"");
        return;
    }
    if (isinf(x)) {
        dlk_buf_puts(o, x > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    if (x == 0) {
        dlk_buf_putc(o, '0');
        return;
    }
    char tmp[64];
    int p;
    for (p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, x);
        double back = strtod(tmp, NULL);
        if (is_float ? (float)back == (float)x : back == x) break;
    }
    /* tmp: [-]d.ddde[+-]XX */
    bool neg = tmp[0] == '-';
    const char *s = tmp + (neg ? 1 : 0);
    char digits[32];
    int k = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9') digits[k++] = *s;
    while (k > 1 && digits[k - 1] == '0') k--;
    int e = atoi(s + 1);
    pqgen_js_digits(o, neg, digits, k, e + 1);
}

static inline int64_t pqgen_int(pqgen *g, int64_t lo, int64_t hi)
{
    switch (pqgen_below(g, 8)) {
    case 0: return lo;
    case 1: return hi;
    case 2: return 0;
    case 3: return lo < 0 ? -1 : lo;
    default: {
        uint64_t span = (uint64_t)hi - (uint64_t)lo;
        uint64_t r = span == UINT64_MAX ? pqgen_u64(g) : pqgen_below(g, span + 1);
        return (int64_t)((uint64_t)lo + r);
    }
    }
}

static inline void pqgen_json_str(dlk_buf *o, const char *s, size_t n) { dlk_buf_json_str(o, s, n); }

static const char *const pqgen_strings[] = {
    "", "a", "héllo wörld", "quote\"back\\slash", "tab\tnl\nret\r", "日本語テキスト", "zzz", "A", "\x7f",
    "emoji \xf0\x9f\x98\x80",
};

static inline void pqgen_decimal_text(dlk_buf *o, __int128 v, int scale)
{
    char d[64];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        d[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale) d[n++] = '0';
    if (neg) dlk_buf_putc(o, '-');
    for (int i = n - 1; i >= 0; i--) {
        dlk_buf_putc(o, d[i]);
        if (i == scale && scale > 0) dlk_buf_putc(o, '.');
    }
}

/* Append one value (or null) to b and its JSON to o; key: never null. */
static int pqgen_value(pqgen *g, dlk_arrow_builder *b, dlk_buf *o, bool key);

static inline int pqgen_key_text(pqgen *g, dlk_arrow_builder *b, dlk_buf *o, int salt)
{
    /* unique map keys: strings "k<salt>" or integers salt */
    const char *f = dlk_arrow_builder_schema(b)->format;
    char t[32];
    snprintf(t, sizeof t, "k%d", salt);
    (void)g;
    if (strcmp(f, "u") == 0) {
        pqgen_json_str(o, t, strlen(t));
        return dlk_arrow_builder_append_string(b, t);
    }
    dlk_buf_printf(o, "\"%d\"", salt);
    return dlk_arrow_builder_append_int(b, salt);
}

static int pqgen_value(pqgen *g, dlk_arrow_builder *b, dlk_buf *o, bool key)
{
    const struct ArrowSchema *s = dlk_arrow_builder_schema(b);
    const char *f = s->format;
    bool all_null = s->name && strncmp(s->name, "allnull", 7) == 0; /* columns named allnull* */
    if (!key && (s->flags & ARROW_FLAG_NULLABLE) && (all_null || pqgen_unit(g) < g->null_rate)) {
        dlk_buf_puts(o, "null");
        return dlk_arrow_builder_append_null(b);
    }
    int rc = 0;
    if (strcmp(f, "b") == 0) {
        bool v = pqgen_below(g, 2);
        dlk_buf_puts(o, v ? "true" : "false");
        return dlk_arrow_builder_append_bool(b, v);
    }
    static const struct { const char *f; int64_t lo, hi; } ints[] = {
        {"c", INT8_MIN, INT8_MAX}, {"s", INT16_MIN, INT16_MAX}, {"i", INT32_MIN, INT32_MAX},
        {"l", INT64_MIN, INT64_MAX}, {"C", 0, UINT8_MAX}, {"S", 0, UINT16_MAX}, {"I", 0, UINT32_MAX},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (strcmp(f, ints[i].f) == 0) {
            int64_t v = pqgen_int(g, ints[i].lo, ints[i].hi);
            dlk_buf_printf(o, "%lld", (long long)v);
            return dlk_arrow_builder_append_int(b, v);
        }
    }
    if (strcmp(f, "L") == 0) {
        uint64_t v = pqgen_below(g, 3) == 0 ? UINT64_MAX - pqgen_below(g, 2) : pqgen_u64(g) >> pqgen_below(g, 64);
        dlk_buf_printf(o, "%llu", (unsigned long long)v);
        return dlk_arrow_builder_append_uint(b, v);
    }
    if (strcmp(f, "f") == 0 || strcmp(f, "g") == 0) {
        bool fl = f[0] == 'f';
        static const double dspecial[] = {NAN, INFINITY, -INFINITY, -0.0, DBL_MAX, -DBL_MAX, 4.9e-324,
                                          0.1, 1e21, 1e-7, 123456789.125, 2.2250738585072014e-308};
        static const double fspecial[] = {NAN, INFINITY, -INFINITY, -0.0, FLT_MAX, -FLT_MAX, 1.4e-45,
                                          0.1, 1e21, 1e-7, 16777216, 1.17549435e-38};
        double v;
        if (pqgen_below(g, 4) == 0) v = (fl ? fspecial : dspecial)[pqgen_below(g, 12)];
        else v = (double)((int64_t)pqgen_below(g, 8001) - 4000) / 4;
        if (fl) v = (float)v;
        pqgen_js_number(o, v, fl);
        return dlk_arrow_builder_append_double(b, v);
    }
    if (strcmp(f, "u") == 0) {
        char t[40];
        const char *str;
        size_t n;
        if (pqgen_below(g, 2)) {
            str = pqgen_strings[pqgen_below(g, sizeof pqgen_strings / sizeof pqgen_strings[0])];
            n = strlen(str);
        } else {
            n = (size_t)pqgen_below(g, 30);
            for (size_t i = 0; i < n; i++) t[i] = (char)(' ' + pqgen_below(g, 95));
            str = t;
        }
        pqgen_json_str(o, str, n);
        return dlk_arrow_builder_append_bytes(b, str, n);
    }
    if (strcmp(f, "z") == 0 || (f[0] == 'w' && f[1] == ':')) {
        uint8_t t[64];
        size_t n = f[0] == 'z' ? (size_t)pqgen_below(g, 12) : (size_t)atoi(f + 2);
        for (size_t i = 0; i < n; i++) t[i] = (uint8_t)pqgen_u64(g);
        char *b64;
        size_t bl;
        if (dlk_base64_encode(t, n, &b64, &bl)) return -1;
        dlk_buf_putc(o, '"');
        dlk_buf_append(o, b64, bl);
        dlk_buf_putc(o, '"');
        dlk_free(b64);
        return dlk_arrow_builder_append_bytes(b, t, n);
    }
    if (strcmp(f, "tdD") == 0) {
        int32_t d = (int32_t)pqgen_int(g, -719162, 2932896);
        char t[40];
        size_t n = dlk_format_date(d, t);
        dlk_buf_putc(o, '"');
        dlk_buf_append(o, t, n);
        dlk_buf_putc(o, '"');
        return dlk_arrow_builder_append_int(b, d);
    }
    if (strncmp(f, "tsu:", 4) == 0) {
        int64_t v = pqgen_int(g, -62135596800000000LL, 253402300799999999LL);
        char t[40];
        size_t n = dlk_format_timestamp(v, f[4] != 0, t);
        dlk_buf_putc(o, '"');
        dlk_buf_append(o, t, n);
        dlk_buf_putc(o, '"');
        return dlk_arrow_builder_append_int(b, v);
    }
    if (f[0] == 'd' && f[1] == ':') {
        int p = atoi(f + 2), sc = atoi(strchr(f, ',') + 1);
        __int128 lim = 1;
        for (int i = 0; i < p; i++) lim *= 10;
        __int128 v;
        switch (pqgen_below(g, 6)) {
        case 0: v = lim - 1; break;
        case 1: v = -(lim - 1); break;
        case 2: v = 0; break;
        default: {
            unsigned __int128 r = ((unsigned __int128)pqgen_u64(g) << 64) | pqgen_u64(g);
            v = (__int128)(r % ((unsigned __int128)lim * 2 - 1)) - (lim - 1);
            int cut = (int)pqgen_below(g, (uint64_t)p + 1);
            for (int i = 0; i < cut; i++) v /= 10;
        }
        }
        dlk_buf_putc(o, '"');
        pqgen_decimal_text(o, v, sc);
        dlk_buf_putc(o, '"');
        unsigned __int128 u = (unsigned __int128)v;
        return dlk_arrow_builder_append_decimal(b, (int64_t)(uint64_t)(u >> 64), (uint64_t)u);
    }
    if (strcmp(f, "+s") == 0) {
        rc = dlk_arrow_builder_begin(b);
        dlk_buf_putc(o, '{');
        for (int64_t i = 0; i < s->n_children && !rc; i++) {
            if (i) dlk_buf_putc(o, ',');
            pqgen_json_str(o, s->children[i]->name, strlen(s->children[i]->name));
            dlk_buf_putc(o, ':');
            rc = pqgen_value(g, dlk_arrow_builder_child(b, i), o, false);
        }
        dlk_buf_putc(o, '}');
        return rc ? rc : dlk_arrow_builder_end(b);
    }
    if (strcmp(f, "+l") == 0) {
        rc = dlk_arrow_builder_begin(b);
        dlk_buf_putc(o, '[');
        int n = (int)pqgen_below(g, (uint64_t)g->max_list + 1);
        for (int i = 0; i < n && !rc; i++) {
            if (i) dlk_buf_putc(o, ',');
            rc = pqgen_value(g, dlk_arrow_builder_child(b, 0), o, false);
        }
        dlk_buf_putc(o, ']');
        return rc ? rc : dlk_arrow_builder_end(b);
    }
    if (strcmp(f, "+m") == 0) {
        rc = dlk_arrow_builder_begin(b);
        dlk_buf_putc(o, '{');
        int n = (int)pqgen_below(g, (uint64_t)g->max_list + 1);
        int salt = (int)pqgen_below(g, 1000) * 10;
        for (int i = 0; i < n && !rc; i++) {
            if (i) dlk_buf_putc(o, ',');
            rc = pqgen_key_text(g, dlk_arrow_builder_map_key(b), o, salt + i);
            dlk_buf_putc(o, ':');
            if (!rc) rc = pqgen_value(g, dlk_arrow_builder_map_value(b), o, false);
        }
        dlk_buf_putc(o, '}');
        return rc ? rc : dlk_arrow_builder_end(b);
    }
    fprintf(stderr, "pqgen: format %s not handled\n", f);
    return -1;
}

/* Append rows to the root "+s" builder and one JSON line per row to o. */
static inline int pqgen_rows(pqgen *g, dlk_arrow_builder *root, int64_t rows, dlk_buf *o)
{
    const struct ArrowSchema *s = dlk_arrow_builder_schema(root);
    for (int64_t r = 0; r < rows; r++) {
        int rc = dlk_arrow_builder_begin(root);
        dlk_buf_putc(o, '{');
        for (int64_t i = 0; i < s->n_children && !rc; i++) {
            if (i) dlk_buf_putc(o, ',');
            pqgen_json_str(o, s->children[i]->name, strlen(s->children[i]->name));
            dlk_buf_putc(o, ':');
            rc = pqgen_value(g, dlk_arrow_builder_child(root, i), o, false);
        }
        dlk_buf_puts(o, "}\n");
        if (!rc) rc = dlk_arrow_builder_end(root);
        if (rc) return rc;
    }
    return 0;
}

#endif

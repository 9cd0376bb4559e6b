/*
 * read/sort.c - ORDER BY for the scan (see sort.h): key parsing, buffering
 * with top-N cut-back, a stable merge sort of row references compared on
 * the evaluated key columns, and the concatenation of Arrow batches used to
 * gather the result (dlk_expr_take on the concatenated batch).
 */
#include "read/sort.h"
#include "arrow/arrow.h"
#include "deltalake/expr.h"
#include "util/alloc.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- concatenation ---- */

typedef struct {
    const struct ArrowArray *a;
    int64_t start, len; /* logical rows of a (a->offset not included) */
} crange;

static int fixed_width(const char *f)
{
    if (!strcmp(f, "c") || !strcmp(f, "C")) return 1;
    if (!strcmp(f, "s") || !strcmp(f, "S") || !strcmp(f, "e")) return 2;
    if (!strcmp(f, "i") || !strcmp(f, "I") || !strcmp(f, "f") || !strcmp(f, "tdD") ||
        !strcmp(f, "tts") || !strcmp(f, "ttm"))
        return 4;
    if (!strcmp(f, "l") || !strcmp(f, "L") || !strcmp(f, "g") || !strcmp(f, "tdm") ||
        !strcmp(f, "ttu") || !strcmp(f, "ttn") || !strncmp(f, "ts", 2))
        return 8;
    if (!strncmp(f, "d:", 2)) return 16;
    if (!strncmp(f, "w:", 2)) return atoi(f + 2) > 0 ? atoi(f + 2) : -1;
    return -1;
}

static int concat_rec(const struct ArrowSchema *s, const crange *r, size_t n,
                      struct ArrowArray *out, int depth)
{
    if (depth > 64) return dlk_err_set(DLK_UNSUPPORTED, "concat: nesting too deep");
    if (s->dictionary)
        return dlk_err_set(DLK_UNSUPPORTED, "concat: dictionary-encoded column '%s'", s->name);
    const char *f = s->format;
    int64_t total = 0;
    for (size_t k = 0; k < n; k++)
        total += r[k].len;
    if (!strcmp(f, "n")) {
        int rc = dlk_arrow_array_new(out, total, 0, 0);
        if (!rc) out->null_count = total;
        return rc;
    }
    bool is_struct = !strcmp(f, "+s"), is_list = !strcmp(f, "+l") || !strcmp(f, "+m");
    bool is_str = !strcmp(f, "u") || !strcmp(f, "z"), is_bool = !strcmp(f, "b");
    int w = (is_struct || is_list || is_str || is_bool) ? 0 : fixed_width(f);
    if (f[0] == '+' && !is_struct && !is_list)
        return dlk_err_set(DLK_UNSUPPORTED, "concat: Arrow type '%s'", f);
    if (!is_struct && !is_list && !is_str && !is_bool && w <= 0)
        return dlk_err_set(DLK_UNSUPPORTED, "concat: Arrow type '%s'", f);
    int64_t nb = is_struct ? 1 : is_str ? 3 : 2, nc = (is_struct || is_list) ? s->n_children : 0;
    int rc = dlk_arrow_array_new(out, total, nb, nc);
    if (rc) return rc;
    bool any_nulls = false;
    for (size_t k = 0; k < n; k++)
        if (r[k].a->null_count != 0 && r[k].a->buffers[0] && r[k].len) any_nulls = true;
    if (any_nulls) {
        uint8_t *vb = dlk_arrow_array_alloc_buffer(out, 0, (size_t)(total + 7) / 8 + 1);
        if (!vb) goto oom;
        int64_t at = 0, nulls = 0;
        for (size_t k = 0; k < n; k++)
            for (int64_t i = 0; i < r[k].len; i++, at++) {
                if (dlk_arrow_is_valid(r[k].a, r[k].start + i))
                    dlk_bit_set(vb, at);
                else
                    nulls++;
            }
        out->null_count = nulls;
    }
    if (is_struct) {
        crange *cr = dlk_malloc(sizeof *cr * (n ? n : 1));
        if (!cr) goto oom;
        for (int64_t c = 0; c < nc && !rc; c++) {
            for (size_t k = 0; k < n; k++)
                cr[k] = (crange){r[k].a->children[c], r[k].a->offset + r[k].start, r[k].len};
            rc = concat_rec(s->children[c], cr, n, out->children[c], depth + 1);
        }
        dlk_free(cr);
        if (rc) goto fail;
        return DLK_OK;
    }
    if (is_list || is_str) {
        int32_t *off = dlk_arrow_array_alloc_buffer(out, 1, sizeof(int32_t) * (size_t)(total + 1));
        if (!off) goto oom;
        int64_t at = 0, base = 0, bytes = 0;
        for (size_t k = 0; k < n; k++) {
            const int32_t *o = r[k].a->buffers[1];
            int64_t p0 = r[k].a->offset + r[k].start;
            if (r[k].len) bytes += o[p0 + r[k].len] - o[p0];
        }
        if (bytes > INT32_MAX) {
            rc = dlk_err_set(DLK_UNSUPPORTED, "concat: more than 2^31 values in '%s'", s->name);
            goto fail;
        }
        crange *cr = is_list ? dlk_malloc(sizeof *cr * (n ? n : 1)) : NULL;
        uint8_t *data =
            is_str ? dlk_arrow_array_alloc_buffer(out, 2, (size_t)(bytes ? bytes : 1)) : NULL;
        if ((is_list && !cr) || (is_str && !data)) {
            dlk_free(cr);
            goto oom;
        }
        for (size_t k = 0; k < n; k++) {
            const int32_t *o = r[k].a->buffers[1];
            int64_t p0 = r[k].a->offset + r[k].start;
            int32_t first = r[k].len ? o[p0] : 0, last = r[k].len ? o[p0 + r[k].len] : 0;
            for (int64_t i = 0; i < r[k].len; i++)
                off[at++] = (int32_t)(base + o[p0 + i] - first);
            if (is_list)
                cr[k] = (crange){r[k].a->children[0], first, last - first};
            else if (last > first)
                memcpy(data + base, (const uint8_t *)r[k].a->buffers[2] + first,
                       (size_t)(last - first));
            base += last - first;
        }
        off[total] = (int32_t)base;
        if (is_list) {
            rc = concat_rec(s->children[0], cr, n, out->children[0], depth + 1);
            dlk_free(cr);
            if (rc) goto fail;
        }
        return DLK_OK;
    }
    if (is_bool) {
        uint8_t *o = dlk_arrow_array_alloc_buffer(out, 1, (size_t)(total + 7) / 8 + 1);
        if (!o) goto oom;
        int64_t at = 0;
        for (size_t k = 0; k < n; k++)
            for (int64_t i = 0; i < r[k].len; i++, at++)
                if (dlk_bit_get(r[k].a->buffers[1], r[k].a->offset + r[k].start + i))
                    dlk_bit_set(o, at);
        return DLK_OK;
    }
    uint8_t *o = dlk_arrow_array_alloc_buffer(out, 1, (size_t)w * (size_t)(total ? total : 1));
    if (!o) goto oom;
    int64_t at = 0;
    for (size_t k = 0; k < n; k++) {
        if (r[k].len)
            memcpy(o + (size_t)at * (size_t)w,
                   (const uint8_t *)r[k].a->buffers[1] +
                       (size_t)(r[k].a->offset + r[k].start) * (size_t)w,
                   (size_t)r[k].len * (size_t)w);
        at += r[k].len;
    }
    return DLK_OK;
oom:
    rc = dlk_err_nomem();
fail:
    dlk_arrow_array_release(out);
    return rc;
}

int dlk_ops__concat(const struct ArrowSchema *schema, struct ArrowArray *const *arrays, size_t n,
                    struct ArrowArray *out)
{
    memset(out, 0, sizeof *out);
    crange *r = dlk_malloc(sizeof *r * (n ? n : 1));
    if (!r) return dlk_err_nomem();
    for (size_t k = 0; k < n; k++)
        r[k] = (crange){arrays[k], 0, arrays[k]->length};
    int rc = concat_rec(schema, r, n, out, 0);
    dlk_free(r);
    return rc;
}

/* ---- keys ---- */

enum { K_NULL, K_BOOL, K_I32, K_I64, K_DBL, K_STR, K_DEC };

typedef struct {
    char *text;
    bool desc, nulls_first;
    dlk_expr *table_expr; /* bound to the table schema (columns) */
    dlk_expr *expr;       /* bound to the batch schema */
    int kind;
} skey;

typedef struct {
    struct ArrowArray batch;
    struct ArrowArray *keys; /* one evaluated array per key */
} sbatch;

struct dlk_sorter {
    skey *keys;
    size_t n_keys;
    int64_t limit;
    const struct ArrowSchema *schema;
    sbatch *b;
    size_t nb, capb;
    int64_t rows;
    char **cols;
    size_t n_cols;
};

static bool ends_with_word(const char *s, size_t *len, const char *w)
{
    size_t wl = strlen(w);
    if (*len < wl) return false;
    for (size_t i = 0; i < wl; i++) {
        char c = s[*len - wl + i];
        if (c >= 'a' && c <= 'z') c = (char)(c - 32);
        if (c != w[i]) return false;
    }
    if (*len > wl && !strchr(" \t\r\n", s[*len - wl - 1])) return false;
    size_t l = *len - wl;
    while (l > 0 && strchr(" \t\r\n", s[l - 1]))
        l--;
    *len = l;
    return true;
}

static int add_key(dlk_sorter *s, const char *text, size_t len, const struct ArrowSchema *schema,
                   size_t idx)
{
    while (len > 0 && strchr(" \t\r\n", text[len - 1]))
        len--;
    while (len > 0 && strchr(" \t\r\n", *text))
        text++, len--;
    skey *k = &s->keys[s->n_keys];
    memset(k, 0, sizeof *k);
    size_t l = len, save;
    save = l;
    if (ends_with_word(text, &l, "FIRST") && ends_with_word(text, &l, "NULLS"))
        k->nulls_first = true;
    else if ((l = save, ends_with_word(text, &l, "LAST")) && ends_with_word(text, &l, "NULLS"))
        k->nulls_first = false;
    else
        l = save;
    save = l;
    if (ends_with_word(text, &l, "DESC"))
        k->desc = true;
    else if ((l = save, !ends_with_word(text, &l, "ASC")))
        l = save;
    if (l == 0) return dlk_err_set(DLK_PARSE, "order by: key %zu is empty", idx + 1);
    k->text = dlk_memdup(text, l + 1);
    if (!k->text) return dlk_err_nomem();
    k->text[l] = 0;
    s->n_keys++;
    int rc = dlk_expr_parse_expression(k->text, schema, &k->table_expr);
    if (rc) return dlk_err_context(rc, "order by key %zu ('%s')", idx + 1, k->text);
    const char *rf = dlk_expr_result_format(k->table_expr);
    if (rf[0] == '+')
        return dlk_err_set(DLK_SCHEMA_MISMATCH,
                           "order by key %zu ('%s'): cannot order by a struct, list or map",
                           idx + 1, k->text);
    return DLK_OK;
}

int dlk_ops__sorter_new(const char *order_by, const struct ArrowSchema *table_schema, int64_t limit,
                        dlk_sorter **out)
{
    *out = NULL;
    dlk_sorter *s = dlk_calloc(1, sizeof *s);
    if (!s) return dlk_err_nomem();
    s->limit = limit;
    size_t cap = 1;
    for (const char *c = order_by; *c; c++)
        cap += *c == ',';
    s->keys = dlk_calloc(cap, sizeof *s->keys);
    int rc = s->keys ? DLK_OK : dlk_err_nomem();
    /* split on top-level commas (not inside parentheses, 'strings' or `names`) */
    const char *start = order_by;
    int depth = 0;
    char q = 0;
    for (const char *c = order_by; !rc; c++) {
        if (q) {
            if (*c == q)
                q = 0; /* '' and `` re-open at once */
            else if (!*c)
                break;
            continue;
        }
        if (*c == '\'' || *c == '`')
            q = *c;
        else if (*c == '(')
            depth++;
        else if (*c == ')')
            depth--;
        else if ((*c == ',' && depth == 0) || !*c) {
            rc = add_key(s, start, (size_t)(c - start), table_schema, s->n_keys);
            start = c + 1;
            if (!*c) break;
        }
    }
    if (!rc && q)
        rc = dlk_err_set(DLK_PARSE, "order by: unterminated %s",
                         q == '\'' ? "string" : "quoted name");
    /* columns read by the keys (deduplicated) */
    size_t ncap = 0;
    for (size_t i = 0; i < s->n_keys && !rc; i++) {
        const char *const *names;
        size_t n;
        dlk_expr_columns(s->keys[i].table_expr, &names, &n);
        ncap += n;
    }
    if (!rc && !(s->cols = dlk_calloc(ncap ? ncap : 1, sizeof *s->cols))) rc = dlk_err_nomem();
    for (size_t i = 0; i < s->n_keys && !rc; i++) {
        const char *const *names;
        size_t n;
        dlk_expr_columns(s->keys[i].table_expr, &names, &n);
        for (size_t j = 0; j < n; j++) {
            bool dup = false;
            for (size_t k = 0; k < s->n_cols; k++)
                dup = dup || !strcmp(s->cols[k], names[j]);
            if (!dup) s->cols[s->n_cols++] = (char *)names[j];
        }
    }
    if (rc) {
        dlk_ops__sorter_free(s);
        return rc;
    }
    *out = s;
    return DLK_OK;
}

static void sbatch_clear(dlk_sorter *s, sbatch *b)
{
    dlk_arrow_array_release(&b->batch);
    if (b->keys)
        for (size_t k = 0; k < s->n_keys; k++)
            dlk_arrow_array_release(&b->keys[k]);
    dlk_free(b->keys);
    b->keys = NULL;
}

void dlk_ops__sorter_free(dlk_sorter *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nb; i++)
        sbatch_clear(s, &s->b[i]);
    dlk_free(s->b);
    for (size_t i = 0; i < s->n_keys; i++) {
        dlk_free(s->keys[i].text);
        dlk_expr_free(&s->keys[i].table_expr);
        dlk_expr_free(&s->keys[i].expr);
    }
    dlk_free(s->keys);
    dlk_free(s->cols);
    dlk_free(s);
}

void dlk_ops__sorter_columns(const dlk_sorter *s, const char *const **names, size_t *n)
{
    *names = (const char *const *)s->cols;
    *n = s->n_cols;
}

int dlk_ops__sorter_bind(dlk_sorter *s, const struct ArrowSchema *batch_schema)
{
    s->schema = batch_schema;
    for (size_t i = 0; i < s->n_keys; i++) {
        skey *k = &s->keys[i];
        dlk_expr_free(&k->expr);
        int rc = dlk_expr_parse_expression(k->text, batch_schema, &k->expr);
        if (rc) return dlk_err_context(rc, "order by key %zu ('%s')", i + 1, k->text);
        const char *f = dlk_expr_result_format(k->expr);
        k->kind = !strcmp(f, "n")                           ? K_NULL
                  : !strcmp(f, "b")                         ? K_BOOL
                  : !strcmp(f, "tdD")                       ? K_I32
                  : !strcmp(f, "l") || !strncmp(f, "ts", 2) ? K_I64
                  : !strcmp(f, "g")                         ? K_DBL
                  : !strcmp(f, "u") || !strcmp(f, "z")      ? K_STR
                  : !strncmp(f, "d:", 2)                    ? K_DEC
                                                            : -1;
        if (k->kind < 0)
            return dlk_err_set(DLK_UNSUPPORTED, "order by key '%s': type %s", k->text, f);
    }
    return DLK_OK;
}

/* ---- comparison and sorting ---- */

typedef struct {
    uint32_t b;
    uint32_t r;
} rowref;

static int cmp_val(int kind, const struct ArrowArray *x, int64_t i, const struct ArrowArray *y,
                   int64_t j)
{
    int64_t a = x->offset + i, b = y->offset + j;
    switch (kind) {
    case K_BOOL:
        return (int)dlk_bit_get(x->buffers[1], a) - (int)dlk_bit_get(y->buffers[1], b);
    case K_I32: {
        int32_t p = ((const int32_t *)x->buffers[1])[a], q = ((const int32_t *)y->buffers[1])[b];
        return p < q ? -1 : p > q;
    }
    case K_I64: {
        int64_t p = ((const int64_t *)x->buffers[1])[a], q = ((const int64_t *)y->buffers[1])[b];
        return p < q ? -1 : p > q;
    }
    case K_DBL: {
        double p = ((const double *)x->buffers[1])[a], q = ((const double *)y->buffers[1])[b];
        bool np = isnan(p), nq = isnan(q);
        if (np || nq) return np && nq ? 0 : np ? 1 : -1; /* NaN above every number */
        return p < q ? -1 : p > q;
    }
    case K_DEC: {
        __int128 p, q;
        memcpy(&p, (const uint8_t *)x->buffers[1] + a * 16, 16);
        memcpy(&q, (const uint8_t *)y->buffers[1] + b * 16, 16);
        return p < q ? -1 : p > q;
    }
    case K_STR: {
        const int32_t *ox = x->buffers[1], *oy = y->buffers[1];
        size_t lx = (size_t)(ox[a + 1] - ox[a]), ly = (size_t)(oy[b + 1] - oy[b]);
        size_t m = lx < ly ? lx : ly;
        int c = m ? memcmp((const uint8_t *)x->buffers[2] + ox[a],
                           (const uint8_t *)y->buffers[2] + oy[b], m)
                  : 0;
        if (c) return c < 0 ? -1 : 1;
        return lx < ly ? -1 : lx > ly;
    }
    default:
        return 0;
    }
}

static int cmp_rows(const dlk_sorter *s, rowref x, rowref y)
{
    for (size_t k = 0; k < s->n_keys; k++) {
        const skey *key = &s->keys[k];
        const struct ArrowArray *ax = &s->b[x.b].keys[k], *ay = &s->b[y.b].keys[k];
        bool vx = key->kind != K_NULL && dlk_arrow_is_valid(ax, x.r);
        bool vy = key->kind != K_NULL && dlk_arrow_is_valid(ay, y.r);
        if (!vx || !vy) {
            if (vx == vy) continue;
            return (!vx) == key->nulls_first ? -1 : 1;
        }
        int c = cmp_val(key->kind, ax, x.r, ay, y.r);
        if (c) return key->desc ? -c : c;
    }
    /* stable: scan order */
    if (x.b != y.b) return x.b < y.b ? -1 : 1;
    return x.r < y.r ? -1 : x.r > y.r;
}

static void merge_sort(const dlk_sorter *s, rowref *a, rowref *tmp, size_t n)
{
    if (n < 2) return;
    if (n <= 16) { /* insertion sort */
        for (size_t i = 1; i < n; i++) {
            rowref v = a[i];
            size_t j = i;
            while (j > 0 && cmp_rows(s, a[j - 1], v) > 0)
                a[j] = a[j - 1], j--;
            a[j] = v;
        }
        return;
    }
    size_t h = n / 2;
    merge_sort(s, a, tmp, h);
    merge_sort(s, a + h, tmp, n - h);
    if (cmp_rows(s, a[h - 1], a[h]) <= 0) return;
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        a[o++] = cmp_rows(s, a[j], tmp[i]) < 0 ? a[j++] : tmp[i++];
    while (i < h)
        a[o++] = tmp[i++];
}

/* Sort + limit + gather everything buffered into *out. */
static int sort_all(dlk_sorter *s, struct ArrowArray *out)
{
    memset(out, 0, sizeof *out);
    size_t n = (size_t)s->rows;
    rowref *refs = dlk_malloc(sizeof *refs * (n ? n : 1));
    rowref *tmp = dlk_malloc(sizeof *tmp * (n ? n : 1));
    int64_t *base = dlk_malloc(sizeof *base * (s->nb ? s->nb : 1));
    struct ArrowArray **arrs = dlk_malloc(sizeof *arrs * (s->nb ? s->nb : 1));
    int64_t *idx = NULL;
    int rc = DLK_OK;
    if (!refs || !tmp || !base || !arrs) {
        rc = dlk_err_nomem();
        goto done;
    }
    size_t at = 0;
    int64_t acc = 0;
    for (size_t b = 0; b < s->nb; b++) {
        base[b] = acc;
        arrs[b] = &s->b[b].batch;
        acc += s->b[b].batch.length;
        for (int64_t r = 0; r < s->b[b].batch.length; r++)
            refs[at++] = (rowref){(uint32_t)b, (uint32_t)r};
    }
    merge_sort(s, refs, tmp, n);
    size_t m = s->limit >= 0 && (size_t)s->limit < n ? (size_t)s->limit : n;
    if (!(idx = dlk_malloc(sizeof *idx * (m ? m : 1)))) {
        rc = dlk_err_nomem();
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        idx[i] = base[refs[i].b] + refs[i].r;
    struct ArrowArray all;
    if ((rc = dlk_ops__concat(s->schema, arrs, s->nb, &all))) goto done;
    rc = dlk_expr_take(s->schema, &all, idx, (int64_t)m, out);
    dlk_arrow_array_release(&all);
done:
    dlk_free(refs);
    dlk_free(tmp);
    dlk_free(base);
    dlk_free(arrs);
    dlk_free(idx);
    return rc;
}

static int push(dlk_sorter *s, struct ArrowArray *batch)
{
    if (!s->schema) return dlk_err_set(DLK_INVALID_ARGUMENT, "sorter: not bound");
    if (batch->length > (int64_t)UINT32_MAX || s->nb >= UINT32_MAX)
        return dlk_err_set(DLK_UNSUPPORTED, "sorter: batch too large");
    if (s->nb == s->capb) {
        size_t nc = s->capb ? s->capb * 2 : 16;
        sbatch *nb = dlk_realloc(s->b, nc * sizeof *nb);
        if (!nb) return dlk_err_nomem();
        s->b = nb;
        s->capb = nc;
    }
    sbatch *b = &s->b[s->nb];
    memset(b, 0, sizeof *b);
    b->keys = dlk_calloc(s->n_keys ? s->n_keys : 1, sizeof *b->keys);
    if (!b->keys) return dlk_err_nomem();
    for (size_t k = 0; k < s->n_keys; k++) {
        int rc = dlk_expr_evaluate(s->keys[k].expr, batch, &b->keys[k]);
        if (rc) {
            sbatch_clear(s, b);
            return dlk_err_context(rc, "order by key '%s'", s->keys[k].text);
        }
    }
    dlk_arrow_array_move(batch, &b->batch);
    s->nb++;
    s->rows += b->batch.length;
    return DLK_OK;
}

static void clear_all(dlk_sorter *s)
{
    for (size_t i = 0; i < s->nb; i++)
        sbatch_clear(s, &s->b[i]);
    s->nb = 0;
    s->rows = 0;
}

int dlk_ops__sorter_add(dlk_sorter *s, struct ArrowArray *batch)
{
    if (s->limit == 0) {
        dlk_arrow_array_release(batch);
        return DLK_OK;
    }
    int rc = push(s, batch);
    if (rc) {
        dlk_arrow_array_release(batch);
        return rc;
    }
    /* top-N: cut the buffer back to `limit` rows once it holds many more */
    int64_t threshold = s->limit * 4 > 65536 ? s->limit * 4 : 65536;
    if (s->limit > 0 && s->rows > threshold) {
        struct ArrowArray top;
        if ((rc = sort_all(s, &top))) return rc;
        clear_all(s);
        rc = push(s, &top);
        if (rc) dlk_arrow_array_release(&top);
    }
    return rc;
}

int dlk_ops__sorter_finish(dlk_sorter *s, struct ArrowArray *out)
{
    int rc = sort_all(s, out);
    clear_all(s);
    return rc;
}

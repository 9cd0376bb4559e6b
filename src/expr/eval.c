/* expr/eval.c - vectorized evaluation of a bound expression over a "+s"
 * Arrow batch: one typed vector (values + byte validity) per node, SQL
 * three-valued logic, conversion of the result to an Arrow array. */
#include "arrow/arrow.h"
#include "expr/expr_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/time.h"

#include <math.h>
#include <string.h>

static size_t elem_size(dtype t)
{
    switch (t) {
    case T_BOOL:
    case T_NULL: return 1;
    case T_DOUBLE: return sizeof(double);
    case T_DECIMAL: return sizeof(dlk_i128);
    case T_STRING:
    case T_BINARY: return sizeof(strv);
    default: return sizeof(int64_t);
    }
}

void dlk_expr__vec_free(vec *v)
{
    dlk_free(v->valid);
    dlk_free(v->data);
    v->valid = NULL;
    v->data = NULL;
}

static int vec_init(vec *v, dtype t, int scale, int64_t n, bool with_valid)
{
    memset(v, 0, sizeof *v);
    v->type = t;
    v->scale = scale;
    v->n = n;
    size_t cnt = n > 0 ? (size_t)n : 1;
    v->data = dlk_calloc(cnt, elem_size(t));
    if (!v->data) return dlk_err_nomem();
    if (with_valid) {
        v->valid = dlk_malloc(cnt);
        if (!v->valid) {
            dlk_expr__vec_free(v);
            return dlk_err_nomem();
        }
        memset(v->valid, 1, cnt);
    }
    return DLK_OK;
}

static int ensure_valid(vec *v)
{
    if (v->valid) return DLK_OK;
    size_t cnt = v->n > 0 ? (size_t)v->n : 1;
    v->valid = dlk_malloc(cnt);
    if (!v->valid) return dlk_err_nomem();
    memset(v->valid, 1, cnt);
    return DLK_OK;
}

#define VALID(v, i) (!(v)->valid || (v)->valid[i])

/* ---------------------------------------------------------- columns */

static int64_t read_index(const struct ArrowArray *a, const char *f, int64_t p)
{
    const void *b = a->buffers[1];
    switch (f[0]) {
    case 'c': return ((const int8_t *)b)[p];
    case 'C': return ((const uint8_t *)b)[p];
    case 's': return ((const int16_t *)b)[p];
    case 'S': return ((const uint16_t *)b)[p];
    case 'i': return ((const int32_t *)b)[p];
    case 'I': return ((const uint32_t *)b)[p];
    case 'L': return (int64_t)((const uint64_t *)b)[p];
    default: return ((const int64_t *)b)[p];
    }
}

static bool phys_valid(const struct ArrowArray *a, int64_t p)
{
    const uint8_t *v = a->buffers[0];
    return a->null_count == 0 || !v || dlk_bit_get(v, p);
}

static int load_column(const node *n, const struct ArrowArray *batch, vec *out)
{
    int64_t len = batch->length;
    int rc = vec_init(out, n->type, n->scale, len, false);
    if (rc) return rc;
    const struct ArrowArray *a = batch;
    int64_t off = batch->offset;
    /* validity through the struct levels */
    for (int d = 0; d <= n->depth; d++) {
        if (a->null_count != 0 && a->n_buffers > 0 && a->buffers[0]) {
            if ((rc = ensure_valid(out))) goto fail;
            for (int64_t i = 0; i < len; i++)
                if (!dlk_bit_get(a->buffers[0], off + i)) out->valid[i] = 0;
        }
        if (d == n->depth) break;
        if (n->idx[d] >= a->n_children || !a->children[n->idx[d]]) {
            rc = dlk_err_set(DLK_SCHEMA_MISMATCH, "batch has no child %lld for column '%s'",
                             (long long)n->idx[d], n->path[d]);
            goto fail;
        }
        a = a->children[n->idx[d]];
        off += a->offset;
        if (off + len > a->offset + a->length) {
            rc = dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s' is shorter than the batch", n->path[d]);
            goto fail;
        }
    }
    /* physical positions in the value array */
    const struct ArrowArray *va = a;
    int64_t *pos = dlk_malloc(sizeof(int64_t) * (size_t)(len > 0 ? len : 1));
    if (!pos) {
        rc = dlk_err_nomem();
        goto fail;
    }
    if (n->has_dict) {
        va = a->dictionary;
        if (!va) {
            dlk_free(pos);
            rc = dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s' lacks its dictionary", n->path[n->depth - 1]);
            goto fail;
        }
        for (int64_t i = 0; i < len; i++) {
            if (!VALID(out, i)) {
                pos[i] = va->offset;
                continue;
            }
            int64_t k = read_index(a, n->dict_format, off + i);
            if (k < 0 || k >= va->length) {
                dlk_free(pos);
                rc = dlk_err_set(DLK_CORRUPT, "dictionary index %lld out of range for column '%s'", (long long)k,
                                 n->path[n->depth - 1]);
                goto fail;
            }
            pos[i] = va->offset + k;
        }
        if (va->null_count != 0 && va->buffers[0]) {
            if ((rc = ensure_valid(out))) {
                dlk_free(pos);
                goto fail;
            }
            for (int64_t i = 0; i < len; i++)
                if (!phys_valid(va, pos[i])) out->valid[i] = 0;
        }
    } else {
        for (int64_t i = 0; i < len; i++) pos[i] = off + i;
    }
    const char *f = n->format;
    const void *b1 = va->n_buffers > 1 ? va->buffers[1] : NULL;
    if (!b1 && len > 0 && n->type != T_STRUCT) {
        dlk_free(pos);
        rc = dlk_err_set(DLK_SCHEMA_MISMATCH, "column '%s' has no data buffer", n->path[n->depth - 1]);
        goto fail;
    }
    int64_t *I = out->data;
    switch (n->type) {
    case T_BOOL: {
        uint8_t *B = out->data;
        for (int64_t i = 0; i < len; i++) B[i] = dlk_bit_get(b1, pos[i]);
        break;
    }
    case T_INT:
        switch (f[0]) {
        case 'c': for (int64_t i = 0; i < len; i++) I[i] = ((const int8_t *)b1)[pos[i]]; break;
        case 'C': for (int64_t i = 0; i < len; i++) I[i] = ((const uint8_t *)b1)[pos[i]]; break;
        case 's': for (int64_t i = 0; i < len; i++) I[i] = ((const int16_t *)b1)[pos[i]]; break;
        case 'S': for (int64_t i = 0; i < len; i++) I[i] = ((const uint16_t *)b1)[pos[i]]; break;
        case 'i': for (int64_t i = 0; i < len; i++) I[i] = ((const int32_t *)b1)[pos[i]]; break;
        case 'I': for (int64_t i = 0; i < len; i++) I[i] = ((const uint32_t *)b1)[pos[i]]; break;
        case 'L': for (int64_t i = 0; i < len; i++) I[i] = (int64_t)((const uint64_t *)b1)[pos[i]]; break;
        default: for (int64_t i = 0; i < len; i++) I[i] = ((const int64_t *)b1)[pos[i]]; break;
        }
        break;
    case T_DOUBLE: {
        double *D = out->data;
        if (f[0] == 'f')
            for (int64_t i = 0; i < len; i++) D[i] = ((const float *)b1)[pos[i]];
        else
            for (int64_t i = 0; i < len; i++) D[i] = ((const double *)b1)[pos[i]];
        break;
    }
    case T_DATE:
        for (int64_t i = 0; i < len; i++) I[i] = ((const int32_t *)b1)[pos[i]];
        break;
    case T_TS:
    case T_TSNTZ: {
        int m = n->ts_unit_div;
        const int64_t *src = b1;
        if (m == 1)
            for (int64_t i = 0; i < len; i++) I[i] = src[pos[i]];
        else if (m > 0)
            for (int64_t i = 0; i < len; i++) I[i] = src[pos[i]] * m;
        else
            for (int64_t i = 0; i < len; i++) {
                int64_t v = src[pos[i]];
                I[i] = v / 1000 - (v % 1000 < 0);
            }
        break;
    }
    case T_DECIMAL: {
        dlk_i128 *X = out->data;
        for (int64_t i = 0; i < len; i++) memcpy(&X[i], (const uint8_t *)b1 + 16 * pos[i], 16);
        break;
    }
    case T_STRING:
    case T_BINARY: {
        strv *S = out->data;
        if (f[0] == 'w') {
            int64_t w = 0;
            for (const char *c = f + 2; *c >= '0' && *c <= '9'; c++) w = w * 10 + (*c - '0');
            for (int64_t i = 0; i < len; i++) S[i].p = (const uint8_t *)b1 + w * pos[i], S[i].n = w;
        } else if (f[0] == 'U' || f[0] == 'Z') {
            const int64_t *o = b1;
            const uint8_t *d = va->buffers[2];
            for (int64_t i = 0; i < len; i++) S[i].p = d + o[pos[i]], S[i].n = o[pos[i] + 1] - o[pos[i]];
        } else {
            const int32_t *o = b1;
            const uint8_t *d = va->buffers[2];
            for (int64_t i = 0; i < len; i++) {
                int64_t s = o[pos[i]], e = o[pos[i] + 1];
                if (e < s) {
                    dlk_free(pos);
                    rc = dlk_err_set(DLK_CORRUPT, "column '%s': decreasing string offsets", n->path[n->depth - 1]);
                    goto fail;
                }
                S[i].p = d + s, S[i].n = e - s;
            }
        }
        break;
    }
    case T_STRUCT: break; /* only its validity is used (IS NULL) */
    default:
        dlk_free(pos);
        rc = dlk_err_set(DLK_UNSUPPORTED, "column '%s' cannot be evaluated", n->path[n->depth - 1]);
        goto fail;
    }
    dlk_free(pos);
    return DLK_OK;
fail:
    dlk_expr__vec_free(out);
    return rc;
}

/* ---------------------------------------------------------- kernels */

static int broadcast(const node *n, int64_t len, vec *out)
{
    int rc = vec_init(out, n->type, n->scale, len, n->lit.null);
    if (rc) return rc;
    if (n->lit.null) {
        memset(out->valid, 0, (size_t)(len > 0 ? len : 1));
        return DLK_OK;
    }
    for (int64_t i = 0; i < len; i++) {
        switch (n->type) {
        case T_BOOL: ((uint8_t *)out->data)[i] = n->lit.b; break;
        case T_DOUBLE: ((double *)out->data)[i] = n->lit.d; break;
        case T_DECIMAL: ((dlk_i128 *)out->data)[i] = n->lit.dec; break;
        case T_STRING:
        case T_BINARY:
            ((strv *)out->data)[i].p = (const uint8_t *)n->lit.s;
            ((strv *)out->data)[i].n = (int64_t)n->lit.n;
            break;
        default: ((int64_t *)out->data)[i] = n->lit.i; break;
        }
    }
    return DLK_OK;
}

static dlk_i128 p10(int k)
{
    dlk_i128 r = 1;
    while (k-- > 0) r *= 10;
    return r;
}

/* AND of two validities into out (allocated when either has one). */
static int merge_valid(vec *out, const vec *a, const vec *b)
{
    if (!a->valid && (!b || !b->valid)) return DLK_OK;
    int rc = ensure_valid(out);
    if (rc) return rc;
    for (int64_t i = 0; i < out->n; i++) out->valid[i] = VALID(a, i) && (!b || VALID(b, i));
    return DLK_OK;
}

static int eval_cast(const node *n, vec *in, vec *out)
{
    int rc = vec_init(out, n->type, n->scale, in->n, false);
    if (rc) return rc;
    if ((rc = merge_valid(out, in, NULL))) goto fail;
    int64_t len = in->n;
    const int64_t *I = in->data;
    switch (n->type) {
    case T_DOUBLE: {
        double *D = out->data;
        if (in->type == T_INT)
            for (int64_t i = 0; i < len; i++) D[i] = (double)I[i];
        else if (in->type == T_DECIMAL) {
            double sc = pow(10.0, in->scale);
            for (int64_t i = 0; i < len; i++) D[i] = (double)((dlk_i128 *)in->data)[i] / sc;
        } else goto bad;
        break;
    }
    case T_DECIMAL: {
        dlk_i128 *X = out->data;
        int from = in->type == T_INT ? 0 : in->scale;
        if (in->type != T_INT && in->type != T_DECIMAL) goto bad;
        if (n->scale < from) goto bad;
        dlk_i128 m = p10(n->scale - from), lim = DLK_DEC_MAX / m;
        for (int64_t i = 0; i < len; i++) {
            dlk_i128 v = in->type == T_INT ? (dlk_i128)I[i] : ((dlk_i128 *)in->data)[i];
            if (VALID(in, i) && (v > lim || v < -lim)) {
                rc = dlk_err_set(DLK_INVALID_ARGUMENT, "decimal overflow converting value at %d:%d", n->line, n->col);
                goto fail;
            }
            X[i] = v * m;
        }
        break;
    }
    case T_TS:
    case T_TSNTZ: {
        int64_t *O = out->data;
        if (in->type == T_DATE)
            for (int64_t i = 0; i < len; i++) O[i] = I[i] * DLK_MICROS_PER_DAY;
        else if (in->type == T_TS || in->type == T_TSNTZ)
            memcpy(O, I, sizeof(int64_t) * (size_t)len);
        else goto bad;
        break;
    }
    case T_STRING:
    case T_BINARY:
        if (in->type != T_STRING && in->type != T_BINARY) goto bad;
        memcpy(out->data, in->data, sizeof(strv) * (size_t)len);
        break;
    case T_INT:
    case T_BOOL:
    case T_DATE:
        if (in->type == T_NULL) break;
        goto bad;
    default: goto bad;
    }
    return DLK_OK;
bad:
    rc = dlk_err_set(DLK_ERROR, "internal: no cast from %s to %s", dlk_expr__type_name(in->type),
                     dlk_expr__type_name(n->type));
fail:
    dlk_expr__vec_free(out);
    return rc;
}

static int eval_arith(const node *n, vec *a, vec *b, vec *out)
{
    int64_t len = a->n;
    int rc = vec_init(out, n->type, n->scale, len, false);
    if (rc) return rc;
    if ((rc = merge_valid(out, a, b))) goto fail;
    int op = n->op;
    if (n->type == T_DOUBLE) {
        const double *x = a->data, *y = b->data;
        double *o = out->data;
        for (int64_t i = 0; i < len; i++) {
            switch (op) {
            case '+': o[i] = x[i] + y[i]; break;
            case '-': o[i] = x[i] - y[i]; break;
            case '*': o[i] = x[i] * y[i]; break;
            case '%': o[i] = fmod(x[i], y[i]); break; /* like DuckDB: x % 0 = NaN */
            default: o[i] = x[i] / y[i]; break; /* IEEE, like DuckDB: 1/0 = inf */
            }
        }
    } else if (op == '%') {
        /* integers and decimals (same scale): truncated remainder, sign of
         * the dividend; x % 0 is NULL (as in DuckDB) */
        bool dec = n->type == T_DECIMAL;
        for (int64_t i = 0; i < len; i++) {
            dlk_i128 x = dec ? ((const dlk_i128 *)a->data)[i] : ((const int64_t *)a->data)[i];
            dlk_i128 y = dec ? ((const dlk_i128 *)b->data)[i] : ((const int64_t *)b->data)[i];
            dlk_i128 r = 0;
            if (y == 0) {
                if (VALID(out, i)) {
                    if ((rc = ensure_valid(out))) goto fail;
                    out->valid[i] = 0;
                }
            } else if (y == -1) {
                r = 0; /* also INT64_MIN % -1, which C leaves undefined */
            } else {
                r = x % y;
            }
            if (dec) ((dlk_i128 *)out->data)[i] = r;
            else ((int64_t *)out->data)[i] = (int64_t)r;
        }
    } else if (n->type == T_INT) {
        const int64_t *x = a->data, *y = b->data;
        int64_t *o = out->data;
        for (int64_t i = 0; i < len; i++) {
            bool ovf;
            switch (op) {
            case '+': ovf = __builtin_add_overflow(x[i], y[i], &o[i]); break;
            case '-': ovf = __builtin_sub_overflow(x[i], y[i], &o[i]); break;
            default: ovf = __builtin_mul_overflow(x[i], y[i], &o[i]); break;
            }
            if (ovf && VALID(out, i)) {
                rc = dlk_err_set(DLK_INVALID_ARGUMENT, "integer overflow in '%c' at %d:%d", op, n->line, n->col);
                goto fail;
            }
        }
    } else {
        const dlk_i128 *x = a->data, *y = b->data;
        dlk_i128 *o = out->data;
        for (int64_t i = 0; i < len; i++) {
            bool ovf;
            switch (op) {
            case '+': ovf = __builtin_add_overflow(x[i], y[i], &o[i]); break;
            case '-': ovf = __builtin_sub_overflow(x[i], y[i], &o[i]); break;
            default: ovf = __builtin_mul_overflow(x[i], y[i], &o[i]); break;
            }
            if ((ovf || o[i] > DLK_DEC_MAX || o[i] < -DLK_DEC_MAX) && VALID(out, i)) {
                rc = dlk_err_set(DLK_INVALID_ARGUMENT, "decimal overflow in '%c' at %d:%d", op, n->line, n->col);
                goto fail;
            }
        }
    }
    return DLK_OK;
fail:
    dlk_expr__vec_free(out);
    return rc;
}

static int eval_neg(const node *n, vec *a, vec *out)
{
    int rc = vec_init(out, n->type, n->scale, a->n, false);
    if (rc) return rc;
    if ((rc = merge_valid(out, a, NULL))) goto fail;
    for (int64_t i = 0; i < a->n; i++) {
        if (n->type == T_DOUBLE) ((double *)out->data)[i] = -((double *)a->data)[i];
        else if (n->type == T_DECIMAL) ((dlk_i128 *)out->data)[i] = -((dlk_i128 *)a->data)[i];
        else {
            int64_t v = ((int64_t *)a->data)[i];
            if (v == INT64_MIN && VALID(a, i)) {
                rc = dlk_err_set(DLK_INVALID_ARGUMENT, "integer overflow in '-' at %d:%d", n->line, n->col);
                goto fail;
            }
            ((int64_t *)out->data)[i] = -v;
        }
    }
    return DLK_OK;
fail:
    dlk_expr__vec_free(out);
    return rc;
}

static inline int cmp_d(double a, double b)
{
    bool na = isnan(a), nb = isnan(b);
    if (na || nb) return na && nb ? 0 : na ? 1 : -1;
    return a < b ? -1 : a > b;
}
static inline int cmp_s(strv a, strv b)
{
    int64_t m = a.n < b.n ? a.n : b.n;
    int c = m ? memcmp(a.p, b.p, (size_t)m) : 0;
    if (c) return c < 0 ? -1 : 1;
    return a.n < b.n ? -1 : a.n > b.n;
}

/* three-way comparison of element i of a and j of b (same type) */
static inline int cmp_elem(const vec *a, int64_t i, const vec *b, int64_t j)
{
    switch (a->type) {
    case T_BOOL: return (int)((uint8_t *)a->data)[i] - (int)((uint8_t *)b->data)[j];
    case T_DOUBLE: return cmp_d(((double *)a->data)[i], ((double *)b->data)[j]);
    case T_DECIMAL: {
        dlk_i128 x = ((dlk_i128 *)a->data)[i], y = ((dlk_i128 *)b->data)[j];
        return x < y ? -1 : x > y;
    }
    case T_STRING:
    case T_BINARY: return cmp_s(((strv *)a->data)[i], ((strv *)b->data)[j]);
    case T_NULL: return 0;
    default: {
        int64_t x = ((int64_t *)a->data)[i], y = ((int64_t *)b->data)[j];
        return x < y ? -1 : x > y;
    }
    }
}

static inline bool cmp_ok(int op, int c)
{
    switch (op) {
    case TK_EQ: return c == 0;
    case TK_NE: return c != 0;
    case TK_LT: return c < 0;
    case TK_LE: return c <= 0;
    case TK_GT: return c > 0;
    default: return c >= 0;
    }
}

static int eval_cmp(const node *n, vec *a, vec *b, vec *out)
{
    int rc = vec_init(out, T_BOOL, 0, a->n, false);
    if (rc) return rc;
    if ((rc = merge_valid(out, a, b))) {
        dlk_expr__vec_free(out);
        return rc;
    }
    uint8_t *o = out->data;
    int op = n->op;
    int64_t len = a->n;
    /* typed fast paths */
    if (a->type == T_INT || a->type == T_DATE || a->type == T_TS || a->type == T_TSNTZ) {
        const int64_t *x = a->data, *y = b->data;
#define LOOP(OP) for (int64_t i = 0; i < len; i++) o[i] = x[i] OP y[i]
        switch (op) {
        case TK_EQ: LOOP(==); break;
        case TK_NE: LOOP(!=); break;
        case TK_LT: LOOP(<); break;
        case TK_LE: LOOP(<=); break;
        case TK_GT: LOOP(>); break;
        default: LOOP(>=); break;
        }
#undef LOOP
        return DLK_OK;
    }
    for (int64_t i = 0; i < len; i++) o[i] = cmp_ok(op, cmp_elem(a, i, b, i));
    return DLK_OK;
}

/* UTF-8 aware LIKE: % any run, _ one code point. */
static size_t u8len(uint8_t c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

bool dlk_expr__like(const uint8_t *s, size_t n, const uint8_t *p, size_t pn, int esc)
{
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    while (si < n) {
        if (esc >= 0 && pi + 1 < pn && p[pi] == (uint8_t)esc) {
            /* escaped: the next pattern byte matches only itself */
            if (p[pi + 1] == s[si]) {
                si++;
                pi += 2;
                continue;
            }
        } else if (pi < pn && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
            continue;
        } else if (pi < pn && p[pi] == '_') {
            size_t k = u8len(s[si]);
            si += k <= n - si ? k : n - si;
            pi++;
            continue;
        } else if (pi < pn && p[pi] == s[si]) {
            si++;
            pi++;
            continue;
        }
        if (star_p != (size_t)-1) {
            pi = star_p;
            size_t k = u8len(s[star_s]);
            star_s += k <= n - star_s ? k : n - star_s;
            si = star_s;
            continue;
        }
        return false;
    }
    while (pi < pn && p[pi] == '%' && !(esc == '%' && pi + 1 < pn)) pi++;
    return pi == pn;
}

/* Does pattern p end with an unpaired escape character? */
static bool like_bad_escape(const uint8_t *p, size_t pn, int esc)
{
    for (size_t i = 0; i < pn; i++)
        if (p[i] == (uint8_t)esc && ++i == pn) return true;
    return false;
}

static int eval_like(const node *n, vec *a, vec *b, vec *out)
{
    int rc = vec_init(out, T_BOOL, 0, a->n, false);
    if (rc) return rc;
    if ((rc = merge_valid(out, a, b))) {
        dlk_expr__vec_free(out);
        return rc;
    }
    const strv *x = a->data, *y = b->data;
    uint8_t *o = out->data;
    int esc = -1;
    if (n->nkids > 2) {
        const node *e = n->kids[2];
        if (e->lit.null) { /* ESCAPE NULL: every result is NULL */
            if ((rc = ensure_valid(out))) {
                dlk_expr__vec_free(out);
                return rc;
            }
            memset(out->valid, 0, (size_t)(a->n > 0 ? a->n : 1));
            return DLK_OK;
        }
        esc = (uint8_t)e->lit.s[0];
    }
    for (int64_t i = 0; i < a->n; i++) {
        if (!VALID(out, i)) continue;
        if (esc >= 0 && like_bad_escape(y[i].p, (size_t)y[i].n, esc)) {
            dlk_expr__vec_free(out);
            return dlk_err_set(DLK_INVALID_ARGUMENT, "LIKE pattern ends with the escape character at %d:%d", n->line,
                               n->col);
        }
        bool m = dlk_expr__like(x[i].p, (size_t)x[i].n, y[i].p, (size_t)y[i].n, esc);
        o[i] = m != n->neg;
    }
    return DLK_OK;
}

int dlk_expr__eval(const node *n, const struct ArrowArray *batch, vec *out)
{
    int64_t len = batch->length;
    int rc;
    vec a = {0}, b = {0};
    switch (n->kind) {
    case N_LIT: return broadcast(n, len, out);
    case N_COL: return load_column(n, batch, out);
    case N_CAST:
        if ((rc = dlk_expr__eval(n->kids[0], batch, &a))) return rc;
        rc = eval_cast(n, &a, out);
        break;
    case N_NEG:
        if ((rc = dlk_expr__eval(n->kids[0], batch, &a))) return rc;
        rc = eval_neg(n, &a, out);
        break;
    case N_ARITH:
    case N_CMP:
    case N_LIKE:
        if ((rc = dlk_expr__eval(n->kids[0], batch, &a))) return rc;
        if ((rc = dlk_expr__eval(n->kids[1], batch, &b))) break;
        rc = n->kind == N_ARITH ? eval_arith(n, &a, &b, out)
             : n->kind == N_CMP ? eval_cmp(n, &a, &b, out)
                                : eval_like(n, &a, &b, out);
        break;
    case N_AND:
    case N_OR: {
        if ((rc = dlk_expr__eval(n->kids[0], batch, &a))) return rc;
        if ((rc = dlk_expr__eval(n->kids[1], batch, &b))) break;
        if ((rc = vec_init(out, T_BOOL, 0, len, a.valid || b.valid))) break;
        const uint8_t *x = a.data, *y = b.data;
        uint8_t *o = out->data;
        bool isand = n->kind == N_AND;
        for (int64_t i = 0; i < len; i++) {
            bool va = VALID(&a, i), vb = VALID(&b, i);
            bool xa = va && x[i], xb = vb && y[i];
            if (isand) {
                /* false dominates */
                if ((va && !x[i]) || (vb && !y[i])) o[i] = 0;
                else if (va && vb) o[i] = 1;
                else out->valid[i] = 0;
            } else {
                if (xa || xb) o[i] = 1;
                else if (va && vb) o[i] = 0;
                else out->valid[i] = 0;
            }
        }
        break;
    }
    case N_NOT: {
        if ((rc = dlk_expr__eval(n->kids[0], batch, &a))) return rc;
        if ((rc = vec_init(out, T_BOOL, 0, len, false))) break;
        if ((rc = merge_valid(out, &a, NULL))) {
            dlk_expr__vec_free(out);
            break;
        }
        for (int64_t i = 0; i < len; i++) ((uint8_t *)out->data)[i] = !((uint8_t *)a.data)[i];
        break;
    }
    case N_ISNULL:
        if ((rc = dlk_expr__eval(n->kids[0], batch, &a))) return rc;
        if ((rc = vec_init(out, T_BOOL, 0, len, false))) break;
        for (int64_t i = 0; i < len; i++) ((uint8_t *)out->data)[i] = VALID(&a, i) == n->neg;
        break;
    case N_IN: {
        int nl = n->nkids - 1;
        vec *lv = dlk_calloc((size_t)nl, sizeof(vec));
        if (!lv) return dlk_err_nomem();
        if ((rc = dlk_expr__eval(n->kids[0], batch, &a))) {
            dlk_free(lv);
            return rc;
        }
        int got = 0;
        for (; got < nl; got++)
            if ((rc = dlk_expr__eval(n->kids[got + 1], batch, &lv[got]))) break;
        if (!rc) rc = vec_init(out, T_BOOL, 0, len, true);
        if (!rc) {
            uint8_t *o = out->data;
            for (int64_t i = 0; i < len; i++) {
                if (!VALID(&a, i)) {
                    out->valid[i] = 0;
                    continue;
                }
                bool found = false, sawnull = false;
                for (int k = 0; k < nl && !found; k++) {
                    if (!VALID(&lv[k], i)) sawnull = true;
                    else if (cmp_elem(&a, i, &lv[k], i) == 0) found = true;
                }
                if (found) o[i] = !n->neg;
                else if (sawnull) out->valid[i] = 0;
                else o[i] = n->neg;
            }
        }
        for (int k = 0; k < got; k++) dlk_expr__vec_free(&lv[k]);
        dlk_free(lv);
        break;
    }
    default: rc = dlk_err_set(DLK_ERROR, "internal: unknown node kind %d", (int)n->kind);
    }
    dlk_expr__vec_free(&a);
    dlk_expr__vec_free(&b);
    return rc;
}

/* ------------------------------------------------------ to Arrow */

static int fmt_decimal_scale(const char *f, int *p, int *s)
{
    int a = 0, b = 0;
    const char *c = f + 2;
    while (*c >= '0' && *c <= '9') a = a * 10 + (*c++ - '0');
    if (*c != ',') return DLK_INVALID_ARGUMENT;
    c++;
    while (*c >= '0' && *c <= '9') b = b * 10 + (*c++ - '0');
    *p = a;
    *s = b;
    return DLK_OK;
}

int dlk_expr__vec_to_arrow(const vec *v, const char *f, struct ArrowArray *out)
{
    int64_t len = v->n;
    bool is_str = !strcmp(f, "u") || !strcmp(f, "z");
    int rc = dlk_arrow_array_new(out, len, is_str ? 3 : 2, 0);
    if (rc) return rc;
    size_t bm = (size_t)(len + 7) / 8;
    int64_t nulls = 0;
    if (v->valid || v->type == T_NULL) {
        uint8_t *vb = dlk_arrow_array_alloc_buffer(out, 0, bm);
        if (!vb) goto oom;
        for (int64_t i = 0; i < len; i++) {
            if (v->type != T_NULL && v->valid[i]) dlk_bit_set(vb, i);
            else nulls++;
        }
    }
    out->null_count = nulls;
    dtype want;
    int wscale, tsmul;
    if (!strcmp(f, "n")) {
        out->n_buffers = 0;
        out->null_count = len;
        return DLK_OK;
    }
    if (dlk_expr__type_of_format(f, &want, &wscale, &tsmul) || want == T_STRUCT) {
        rc = dlk_err_set(DLK_UNSUPPORTED, "cannot produce Arrow format '%s' from an expression", f);
        goto fail;
    }
    dtype have = v->type;
    bool okconv = have == want || have == T_NULL || (have == T_INT && (want == T_DOUBLE || want == T_DECIMAL)) ||
                  (have == T_DECIMAL && (want == T_DOUBLE || want == T_INT)) ||
                  (have == T_DATE && (want == T_TS || want == T_TSNTZ)) ||
                  ((have == T_TS || have == T_TSNTZ) && (want == T_TS || want == T_TSNTZ)) ||
                  ((have == T_STRING || have == T_BINARY) && (want == T_STRING || want == T_BINARY)) ||
                  (have == T_DOUBLE && want == T_INT);
    if (!okconv || (want == T_BINARY && f[0] == 'w')) {
        rc = dlk_err_schema_mismatch(f, dlk_expr__type_name(have), "expression of type %s cannot be stored as %s",
                                     dlk_expr__type_name(have), f);
        goto fail;
    }
#define NV(i) (v->type == T_NULL || (v->valid && !v->valid[i]))
    const int64_t *I = v->data;
    const double *D = v->data;
    const dlk_i128 *X = v->data;
    switch (want) {
    case T_BOOL: {
        uint8_t *o = dlk_arrow_array_alloc_buffer(out, 1, bm);
        if (!o) goto oom;
        for (int64_t i = 0; i < len; i++)
            if (!NV(i) && ((uint8_t *)v->data)[i]) dlk_bit_set(o, i);
        break;
    }
    case T_INT: {
        int w = f[0] == 'c' || f[0] == 'C' ? 1 : f[0] == 's' || f[0] == 'S' ? 2 : f[0] == 'i' || f[0] == 'I' ? 4 : 8;
        bool uns = f[0] >= 'A' && f[0] <= 'Z';
        uint8_t *o = dlk_arrow_array_alloc_buffer(out, 1, (size_t)w * (size_t)(len ? len : 1));
        if (!o) goto oom;
        for (int64_t i = 0; i < len; i++) {
            if (NV(i)) continue;
            int64_t x;
            if (have == T_INT) x = I[i];
            else if (have == T_DOUBLE) {
                double d = D[i];
                if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18) || d != floor(d)) goto range;
                x = (int64_t)d;
            } else {
                dlk_i128 p = p10(v->scale), q = X[i] / p;
                if (X[i] % p || q > INT64_MAX || q < INT64_MIN) goto range;
                x = (int64_t)q;
            }
            int64_t lo = uns ? 0 : w == 8 ? INT64_MIN : -((int64_t)1 << (w * 8 - 1));
            int64_t hi = w == 8 ? INT64_MAX : uns ? ((int64_t)1 << (w * 8)) - 1 : ((int64_t)1 << (w * 8 - 1)) - 1;
            if (x < lo || x > hi) goto range;
            switch (w) {
            case 1: o[i] = (uint8_t)x; break;
            case 2: ((uint16_t *)o)[i] = (uint16_t)x; break;
            case 4: ((uint32_t *)o)[i] = (uint32_t)x; break;
            default: ((int64_t *)o)[i] = x; break;
            }
            continue;
        range:
            rc = dlk_err_schema_mismatch(f, dlk_expr__type_name(have), "value in row %lld does not fit Arrow type %s",
                                         (long long)i, f);
            goto fail;
        }
        break;
    }
    case T_DOUBLE: {
        bool fl = f[0] == 'f';
        uint8_t *o = dlk_arrow_array_alloc_buffer(out, 1, (fl ? 4 : 8) * (size_t)(len ? len : 1));
        if (!o) goto oom;
        for (int64_t i = 0; i < len; i++) {
            if (NV(i)) continue;
            double d = have == T_DOUBLE ? D[i] : have == T_INT ? (double)I[i] : (double)X[i] / pow(10.0, v->scale);
            if (fl) ((float *)o)[i] = (float)d;
            else ((double *)o)[i] = d;
        }
        break;
    }
    case T_DECIMAL: {
        int p, s;
        if (fmt_decimal_scale(f, &p, &s)) {
            rc = dlk_err_set(DLK_INVALID_ARGUMENT, "bad decimal format '%s'", f);
            goto fail;
        }
        dlk_i128 *o = dlk_arrow_array_alloc_buffer(out, 1, 16 * (size_t)(len ? len : 1));
        if (!o) goto oom;
        dlk_i128 lim = p10(p) - 1;
        for (int64_t i = 0; i < len; i++) {
            if (NV(i)) continue;
            dlk_i128 x = have == T_INT ? (dlk_i128)I[i] : X[i];
            int from = have == T_INT ? 0 : v->scale;
            if (s >= from) {
                dlk_i128 m = p10(s - from);
                if (x > DLK_DEC_MAX / m || x < -DLK_DEC_MAX / m) goto drange;
                x *= m;
            } else {
                dlk_i128 m = p10(from - s), r = x % m;
                x /= m;
                /* round half away from zero */
                if (r * 2 >= m) x++;
                else if (r * 2 <= -m) x--;
            }
            if (x > lim || x < -lim) goto drange;
            memcpy(&o[i], &x, 16);
            continue;
        drange:
            rc = dlk_err_schema_mismatch(f, dlk_expr__type_name(have), "value in row %lld does not fit %s",
                                         (long long)i, f);
            goto fail;
        }
        break;
    }
    case T_DATE: {
        int32_t *o = dlk_arrow_array_alloc_buffer(out, 1, 4 * (size_t)(len ? len : 1));
        if (!o) goto oom;
        for (int64_t i = 0; i < len; i++)
            if (!NV(i)) o[i] = (int32_t)I[i];
        break;
    }
    case T_TS:
    case T_TSNTZ: {
        int64_t *o = dlk_arrow_array_alloc_buffer(out, 1, 8 * (size_t)(len ? len : 1));
        if (!o) goto oom;
        for (int64_t i = 0; i < len; i++) {
            if (NV(i)) continue;
            int64_t x = have == T_DATE ? I[i] * DLK_MICROS_PER_DAY : I[i];
            if (tsmul > 1) x = x / tsmul - (x % tsmul < 0);
            else if (tsmul < 0) x *= 1000;
            o[i] = x;
        }
        break;
    }
    case T_STRING:
    case T_BINARY: {
        int32_t *o = dlk_arrow_array_alloc_buffer(out, 1, 4 * (size_t)(len + 1));
        if (!o) goto oom;
        int64_t total = 0;
        for (int64_t i = 0; i < len; i++)
            if (!NV(i)) total += ((strv *)v->data)[i].n;
        if (total > INT32_MAX) {
            rc = dlk_err_set(DLK_UNSUPPORTED, "string column larger than 2 GiB");
            goto fail;
        }
        uint8_t *d = dlk_arrow_array_alloc_buffer(out, 2, (size_t)total);
        if (!d) goto oom;
        int64_t at = 0;
        for (int64_t i = 0; i < len; i++) {
            o[i] = (int32_t)at;
            if (NV(i)) continue;
            strv s = ((strv *)v->data)[i];
            if (s.n) memcpy(d + at, s.p, (size_t)s.n);
            at += s.n;
        }
        o[len] = (int32_t)at;
        break;
    }
    default: break;
    }
#undef NV
    return DLK_OK;
oom:
    rc = dlk_err_nomem();
fail:
    dlk_arrow_array_release(out);
    return rc;
}

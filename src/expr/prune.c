/* expr/prune.c - data skipping: can any row of a file / row group satisfy a
 * bound predicate, judged from per-column min/max/null counts or exact
 * partition values supplied by a stats provider? Negation is pushed down;
 * anything not understood answers "might match". */
#include "expr/expr_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include "util/time.h"

#include <math.h>
#include <string.h>

typedef struct {
    bool known;
    bool all_null;
    bool has_min, has_max;
    scalar min, max; /* in the comparison type */
    int64_t nulls;   /* -1 unknown */
    bool is_float;   /* NaN may hide above max */
    bool exact;      /* partition value */
} cstat;

typedef struct {
    const dlk_expr_stats_provider *p;
} pruner;

static void cstat_free(cstat *c)
{
    dlk_free(c->min.s);
    dlk_free(c->max.s);
    c->min.s = c->max.s = NULL;
}

/* Convert a provider value to a scalar of the column's own type; up: round
 * upward when inexact (for maxima), else downward. */
static bool value_to_scalar(const dlk_value *v, const node *col, bool up, scalar *out)
{
    memset(out, 0, sizeof *out);
    dtype t = col->type;
    switch (v->kind) {
    case DLK_VALUE_NULL: return false;
    case DLK_VALUE_BOOL:
        if (t != T_BOOL) return false;
        out->b = v->b;
        return true;
    case DLK_VALUE_INT:
        if (t == T_INT || t == T_DATE || t == T_TS || t == T_TSNTZ) out->i = v->i;
        else if (t == T_DOUBLE) out->d = (double)v->i;
        else if (t == T_DECIMAL) {
            scalar s = {.i = v->i};
            if (dlk_expr__convert_scalar(&s, T_INT, 0, T_DECIMAL, col->scale)) return false;
            out->dec = s.dec;
        } else return false;
        return true;
    case DLK_VALUE_DOUBLE: {
        double d = v->d;
        if (isnan(d)) return false;
        if (t == T_DOUBLE) out->d = d;
        else if (t == T_INT) {
            double r = up ? ceil(d) : floor(d);
            if (!(r > -9.2e18 && r < 9.2e18)) return false;
            out->i = (int64_t)r;
        } else if (t == T_DECIMAL) {
            double r = (up ? ceil(d * pow(10, col->scale)) : floor(d * pow(10, col->scale)));
            if (!(fabs(r) < 1e36)) return false;
            /* one unit of slack for the binary representation */
            out->dec = (dlk_i128)r + (up ? 1 : -1);
        } else return false;
        return true;
    }
    case DLK_VALUE_DECIMAL: {
        dlk_i128 x = (dlk_i128)(((unsigned __int128)(uint64_t)v->dec_hi << 64) | v->dec_lo);
        scalar s = {.dec = x};
        if (t == T_DECIMAL) {
            if (v->scale > col->scale) {
                dlk_i128 p = 1;
                for (int k = col->scale; k < v->scale; k++) p *= 10;
                dlk_i128 q = x / p, r = x % p;
                if (r && up && x > 0) q++;
                if (r && !up && x < 0) q--;
                out->dec = q;
                return true;
            }
            if (dlk_expr__convert_scalar(&s, T_DECIMAL, v->scale, T_DECIMAL, col->scale)) return false;
            out->dec = s.dec;
            return true;
        }
        if (t == T_DOUBLE) {
            if (dlk_expr__convert_scalar(&s, T_DECIMAL, v->scale, T_DOUBLE, 0)) return false;
            out->d = up ? nextafter(s.d, INFINITY) : nextafter(s.d, -INFINITY);
            return true;
        }
        if (t == T_INT && v->scale == 0 && x <= INT64_MAX && x >= INT64_MIN) {
            out->i = (int64_t)x;
            return true;
        }
        return false;
    }
    case DLK_VALUE_STRING: {
        if (t == T_STRING || t == T_BINARY) {
            out->s = dlk_memdup(v->str ? v->str : "", v->len + 1);
            if (!out->s) return false;
            out->s[v->len] = 0;
            out->n = v->len;
            return true;
        }
        scalar s = {.s = (char *)v->str, .n = v->len};
        if (!v->str) return false;
        if (t == T_DECIMAL) {
            /* text may carry more digits than the scale: go via double */
            if (dlk_expr__parse_decimal(v->str, v->len, col->scale, &out->dec)) return true;
            char buf[80];
            if (v->len >= sizeof buf) return false;
            memcpy(buf, v->str, v->len);
            buf[v->len] = 0;
            dlk_value dv = {.kind = DLK_VALUE_DOUBLE};
            if (dlk_parse_double(buf, &dv.d)) {
                dlk_error_clear();
                return false;
            }
            return value_to_scalar(&dv, col, up, out);
        }
        if (t == T_INT) {
            if (!dlk_expr__convert_scalar(&s, T_STRING, 0, T_INT, 0)) {
                out->i = s.i;
                return true;
            }
            s.s = (char *)v->str;
            if (dlk_expr__convert_scalar(&s, T_STRING, 0, T_DOUBLE, 0)) return false;
            dlk_value dv = {.kind = DLK_VALUE_DOUBLE, .d = s.d};
            return value_to_scalar(&dv, col, up, out);
        }
        if (dlk_expr__convert_scalar(&s, T_STRING, 0, t, col->scale)) return false;
        s.s = NULL;
        *out = s;
        return true;
    }
    }
    return false;
}

/* Strip implicit casts down to a column; NULL if not a (cast) column. */
static const node *column_of(const node *n)
{
    while (n->kind == N_CAST) n = n->kids[0];
    return n->kind == N_COL ? n : NULL;
}

/* Fetch stats of the column under `side`, converted to the type of side. */
static void fetch(pruner *pr, const node *side, cstat *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->nulls = -1;
    const node *col = column_of(side);
    if (!col || !pr->p || !pr->p->column) return;
    dlk_expr_col_stats st;
    memset(&st, 0, sizeof st);
    st.null_count = -1;
    st.num_records = -1;
    st.nan_count = -1;
    if (pr->p->column(pr->p->ctx, (const char *const *)col->path, (size_t)col->depth,
                      col->has_dict ? col->format : col->format, &st) != DLK_OK) {
        dlk_error_clear();
        return;
    }
    int64_t rows = st.num_records >= 0 ? st.num_records : pr->p->num_records;
    cs->is_float = col->type == T_DOUBLE && st.nan_count != 0;
    if (st.is_partition) {
        cs->known = true;
        cs->exact = true;
        cs->is_float = false;
        if (st.partition.kind == DLK_VALUE_NULL) {
            cs->all_null = true;
            cs->nulls = rows;
            return;
        }
        scalar s;
        if (!value_to_scalar(&st.partition, col, false, &s)) {
            cs->known = false;
            return;
        }
        cs->nulls = 0;
        cs->min = s;
        cs->max = s;
        if (s.s) {
            cs->max.s = dlk_memdup(s.s, s.n + 1);
            if (!cs->max.s) {
                cstat_free(cs);
                cs->known = false;
                return;
            }
        }
        cs->has_min = cs->has_max = true;
    } else {
        /* stats that contradict themselves (more nulls than rows, min above
         * max) prove nothing: the column counts as without stats */
        if (st.null_count >= 0 && rows >= 0 && st.null_count > rows) return;
        cs->known = true;
        cs->nulls = st.null_count;
        if (st.null_count >= 0 && rows >= 0 && st.null_count == rows) {
            cs->all_null = true;
            return;
        }
        if (st.has_min) cs->has_min = value_to_scalar(&st.min, col, false, &cs->min);
        if (st.has_max) cs->has_max = value_to_scalar(&st.max, col, true, &cs->max);
        if (cs->has_min && cs->has_max && dlk_expr__cmp_scalar(&cs->min, &cs->max, col->type) > 0) {
            cstat_free(cs);
            memset(cs, 0, sizeof *cs);
            cs->nulls = -1;
            return;
        }
        /* Delta truncates timestamp stats to milliseconds */
        if (cs->has_max && (col->type == T_TS || col->type == T_TSNTZ) && cs->max.i < INT64_MAX - 999)
            cs->max.i += 999;
    }
    /* walk the implicit casts up to the comparison type */
    const node *chain[70];
    int k = 0;
    for (const node *n = side; n->kind == N_CAST && k < 70; n = n->kids[0]) chain[k++] = n;
    dtype ft = col->type;
    int fs = col->scale;
    for (int i = k - 1; i >= 0; i--) {
        const node *c = chain[i];
        if (cs->has_min && dlk_expr__convert_scalar(&cs->min, ft, fs, c->type, c->scale)) cs->has_min = false;
        if (cs->has_max && dlk_expr__convert_scalar(&cs->max, ft, fs, c->type, c->scale)) cs->has_max = false;
        ft = c->type;
        fs = c->scale;
    }
}

static int negate_op(int op)
{
    switch (op) {
    case TK_EQ: return TK_NE;
    case TK_NE: return TK_EQ;
    case TK_LT: return TK_GE;
    case TK_LE: return TK_GT;
    case TK_GT: return TK_LE;
    default: return TK_LT;
    }
}

static int flip_op(int op)
{
    switch (op) {
    case TK_LT: return TK_GT;
    case TK_LE: return TK_GE;
    case TK_GT: return TK_LT;
    case TK_GE: return TK_LE;
    default: return op;
    }
}

/* Might `col op v` be TRUE for some row? */
static bool might_cmp(const cstat *c, int op, const scalar *v, dtype t)
{
    if (!c->known) return true;
    if (c->all_null) return false;
    if (t == T_DOUBLE && isnan(v->d)) return true;
    int cmin = c->has_min ? dlk_expr__cmp_scalar(&c->min, v, t) : 0;
    int cmax = c->has_max ? dlk_expr__cmp_scalar(&c->max, v, t) : 0;
    bool nan_above = c->is_float && !c->exact;
    switch (op) {
    case TK_EQ:
        if (c->has_min && cmin > 0) return false;
        if (c->has_max && cmax < 0) return false;
        return true;
    case TK_NE:
        if (nan_above) return true;
        if (c->has_min && c->has_max && cmin == 0 && cmax == 0) return false;
        return true;
    case TK_LT: return !(c->has_min && cmin >= 0);
    case TK_LE: return !(c->has_min && cmin > 0);
    case TK_GT: return nan_above || !(c->has_max && cmax <= 0);
    default: return nan_above || !(c->has_max && cmax < 0);
    }
}

static bool might(pruner *pr, const node *n, bool neg);

static bool might_like(pruner *pr, const node *n, bool neg)
{
    bool notlike = n->neg != neg;
    const node *pat = n->kids[1];
    if (pat->kind != N_LIT) return true;
    if (pat->lit.null) return false;
    const node *escn = n->nkids > 2 ? n->kids[2] : NULL;
    if (escn && escn->lit.null) return false; /* ESCAPE NULL: always NULL */
    if (notlike) return true;
    if (!column_of(n->kids[0])) return true;
    int esc = escn ? (uint8_t)escn->lit.s[0] : -1;
    /* the literal prefix (escapes removed) up to the first wildcard */
    char pref[4096];
    size_t plen = 0;
    for (size_t i = 0; i < pat->lit.n && plen < sizeof pref; i++) {
        uint8_t ch = (uint8_t)pat->lit.s[i];
        if (esc >= 0 && ch == (uint8_t)esc) {
            if (i + 1 >= pat->lit.n) return true; /* bad pattern: the evaluator reports it */
            pref[plen++] = pat->lit.s[++i];
            continue;
        }
        if (ch == '%' || ch == '_') break;
        pref[plen++] = (char)ch;
    }
    if (plen == sizeof pref) return true;
    if (plen == 0) {
        cstat c;
        fetch(pr, n->kids[0], &c);
        bool r = !(c.known && c.all_null);
        cstat_free(&c);
        return r;
    }
    cstat c;
    fetch(pr, n->kids[0], &c);
    bool r = true;
    if (c.known && c.all_null) r = false;
    else if (c.known) {
        scalar lo = {.s = pref, .n = plen};
        /* rows match only within [prefix, prefix+1) */
        if (c.has_max && dlk_expr__cmp_scalar(&c.max, &lo, T_STRING) < 0) r = false;
        if (r && c.has_min) {
            /* min >= successor(prefix)? successor: drop trailing 0xFF, increment last byte */
            char succ[4096];
            size_t sl = plen < sizeof succ ? plen : 0;
            if (sl) memcpy(succ, pref, sl);
            while (sl > 0 && (uint8_t)succ[sl - 1] == 0xFF) sl--;
            if (sl > 0) {
                succ[sl - 1] = (char)((uint8_t)succ[sl - 1] + 1);
                scalar hi = {.s = succ, .n = sl};
                if (dlk_expr__cmp_scalar(&c.min, &hi, T_STRING) >= 0) r = false;
            }
        }
    }
    cstat_free(&c);
    return r;
}

static bool might(pruner *pr, const node *n, bool neg)
{
    switch (n->kind) {
    case N_LIT:
        if (n->lit.null) return false;
        if (n->type == T_BOOL) return n->lit.b != neg;
        return true;
    case N_NOT: return might(pr, n->kids[0], !neg);
    case N_AND:
    case N_OR: {
        bool conj = (n->kind == N_AND) != neg;
        bool a = might(pr, n->kids[0], neg);
        if (conj && !a) return false;
        if (!conj && a) return true;
        return might(pr, n->kids[1], neg);
    }
    case N_COL:
    case N_CAST: {
        if (n->type != T_BOOL || !column_of(n)) return true;
        cstat c;
        fetch(pr, n, &c);
        scalar v = {.b = !neg};
        bool r = might_cmp(&c, TK_EQ, &v, T_BOOL);
        cstat_free(&c);
        return r;
    }
    case N_ISNULL: {
        bool want_null = n->neg == neg; /* IS NULL (possibly double negated) */
        if (!column_of(n->kids[0])) return true;
        cstat c;
        fetch(pr, n->kids[0], &c);
        bool r = true;
        if (c.known) {
            if (want_null) r = c.all_null || c.nulls != 0;
            else r = !c.all_null;
        }
        cstat_free(&c);
        return r;
    }
    case N_CMP: {
        const node *a = n->kids[0], *b = n->kids[1];
        int op = n->op;
        if (b->kind == N_LIT && b->lit.null) return false;
        if (a->kind == N_LIT && a->lit.null) return false;
        if (a->kind == N_LIT && column_of(b)) {
            const node *t = a;
            a = b;
            b = t;
            op = flip_op(op);
        }
        if (!(b->kind == N_LIT && column_of(a))) return true;
        if (neg) op = negate_op(op);
        cstat c;
        fetch(pr, a, &c);
        bool r = might_cmp(&c, op, &b->lit, b->type);
        cstat_free(&c);
        return r;
    }
    case N_IN: {
        const node *a = n->kids[0];
        if (!column_of(a)) return true;
        bool notin = n->neg != neg;
        bool has_null = false;
        for (int i = 1; i < n->nkids; i++) {
            if (n->kids[i]->kind != N_LIT) return true;
            if (n->kids[i]->lit.null) has_null = true;
        }
        if (notin && has_null) return false; /* NOT IN (.., NULL) is never TRUE */
        cstat c;
        fetch(pr, a, &c);
        bool r;
        if (notin) {
            r = true;
            for (int i = 1; i < n->nkids && r; i++) r = might_cmp(&c, TK_NE, &n->kids[i]->lit, n->kids[i]->type);
        } else {
            r = false;
            for (int i = 1; i < n->nkids && !r; i++)
                if (!n->kids[i]->lit.null) r = might_cmp(&c, TK_EQ, &n->kids[i]->lit, n->kids[i]->type);
        }
        cstat_free(&c);
        return r;
    }
    case N_LIKE: return might_like(pr, n, neg);
    default: return true;
    }
}

int dlk_expr_might_match(const dlk_expr *e, const dlk_expr_stats_provider *p, bool *might_out)
{
    if (!e || !might_out) return dlk_err_set(DLK_INVALID_ARGUMENT, "might_match: missing argument");
    *might_out = true;
    if (e->root->type != T_BOOL) return DLK_OK;
    pruner pr = {p};
    *might_out = might(&pr, e->root, false);
    return DLK_OK;
}

int dlk_value_parse(const char *format, const char *text, size_t len, dlk_value *out)
{
    memset(out, 0, sizeof *out);
    dtype t;
    int scale, mul;
    if (!text) {
        out->kind = DLK_VALUE_NULL;
        return DLK_OK;
    }
    if (dlk_expr__type_of_format(format, &t, &scale, &mul))
        return dlk_err_set(DLK_UNSUPPORTED, "no partition values of Arrow type '%s'", format ? format : "?");
    scalar s = {.s = (char *)text, .n = len};
    if (t == T_STRING || t == T_BINARY) {
        out->kind = DLK_VALUE_STRING;
        out->str = text;
        out->len = len;
        return DLK_OK;
    }
    if (t == T_DOUBLE) {
        /* Delta writes NaN / Infinity / -Infinity in text */
        if (len == 3 && !memcmp(text, "NaN", 3)) s.d = NAN;
        else if (len == 8 && !memcmp(text, "Infinity", 8)) s.d = INFINITY;
        else if (len == 9 && !memcmp(text, "-Infinity", 9)) s.d = -INFINITY;
        else if (dlk_expr__convert_scalar(&s, T_STRING, 0, T_DOUBLE, 0)) goto bad;
        out->kind = DLK_VALUE_DOUBLE;
        out->d = s.d;
        return DLK_OK;
    }
    if (dlk_expr__convert_scalar(&s, T_STRING, 0, t, scale)) goto bad;
    switch (t) {
    case T_BOOL:
        out->kind = DLK_VALUE_BOOL;
        out->b = s.b;
        return DLK_OK;
    case T_DECIMAL:
        out->kind = DLK_VALUE_DECIMAL;
        out->dec_hi = (int64_t)(s.dec >> 64);
        out->dec_lo = (uint64_t)s.dec;
        out->scale = scale;
        return DLK_OK;
    default:
        out->kind = DLK_VALUE_INT;
        out->i = s.i;
        return DLK_OK;
    }
bad:
    return dlk_err_set(DLK_PARSE, "cannot read '%.*s' as a value of type %s", (int)(len > 80 ? 80 : len), text,
                       dlk_expr__type_name(t));
}

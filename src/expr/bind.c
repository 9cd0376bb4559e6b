/* expr/bind.c - binder and type checker: resolves column paths against a
 * "+s" Arrow schema, types every node, inserts implicit casts and converts
 * literals (string -> date/timestamp/number) so that both sides of every
 * operator have one type. Also the canonical printer. */
#include "arrow/arrow.h"
#include "expr/expr_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include "util/time.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *dlk_expr__type_name(dtype t)
{
    switch (t) {
    case T_NULL:
        return "null";
    case T_BOOL:
        return "boolean";
    case T_INT:
        return "long";
    case T_DOUBLE:
        return "double";
    case T_DECIMAL:
        return "decimal";
    case T_STRING:
        return "string";
    case T_BINARY:
        return "binary";
    case T_DATE:
        return "date";
    case T_TS:
        return "timestamp";
    case T_TSNTZ:
        return "timestamp_ntz";
    case T_STRUCT:
        return "struct";
    }
    return "?";
}

int dlk_expr__type_of_format(const char *f, dtype *t, int *scale, int *ts_mul)
{
    *scale = 0;
    *ts_mul = 1;
    if (!f) return DLK_UNSUPPORTED;
    if (!strcmp(f, "b"))
        *t = T_BOOL;
    else if (!strcmp(f, "c") || !strcmp(f, "s") || !strcmp(f, "i") || !strcmp(f, "l") ||
             !strcmp(f, "C") || !strcmp(f, "S") || !strcmp(f, "I") || !strcmp(f, "L"))
        *t = T_INT;
    else if (!strcmp(f, "f") || !strcmp(f, "g"))
        *t = T_DOUBLE;
    else if (!strcmp(f, "u") || !strcmp(f, "U"))
        *t = T_STRING;
    else if (!strcmp(f, "z") || !strcmp(f, "Z") || !strncmp(f, "w:", 2))
        *t = T_BINARY;
    else if (!strcmp(f, "tdD"))
        *t = T_DATE;
    else if (!strncmp(f, "ts", 2) && strlen(f) >= 4 && f[3] == ':') {
        switch (f[2]) {
        case 's':
            *ts_mul = 1000000;
            break;
        case 'm':
            *ts_mul = 1000;
            break;
        case 'u':
            *ts_mul = 1;
            break;
        case 'n':
            *ts_mul = -1000;
            break; /* divide */
        default:
            return DLK_UNSUPPORTED;
        }
        *t = f[4] ? T_TS : T_TSNTZ;
    } else if (!strncmp(f, "d:", 2)) {
        /* d:p,s[,bits] */
        const char *c = strchr(f, ',');
        if (!c) return DLK_UNSUPPORTED;
        int s = 0;
        c++;
        bool negs = false;
        if (*c == '-') negs = true, c++;
        while (*c >= '0' && *c <= '9')
            s = s * 10 + (*c++ - '0');
        if (negs || s > 38) return DLK_UNSUPPORTED;
        if (*c == ',' && strcmp(c + 1, "128") != 0) return DLK_UNSUPPORTED;
        *t = T_DECIMAL;
        *scale = s;
    } else if (!strcmp(f, "+s"))
        *t = T_STRUCT;
    else
        return DLK_UNSUPPORTED;
    return DLK_OK;
}

/* --------------------------------------------------------- decimals */

static dlk_i128 pow10_i128(int k)
{
    dlk_i128 r = 1;
    for (int i = 0; i < k; i++)
        r *= 10;
    return r;
}
#define DEC_MAX DLK_DEC_MAX

int dlk_expr__decimal_scale(const char *s, size_t n)
{
    const char *d = memchr(s, '.', n);
    if (!d) return 0;
    int k = 0;
    for (const char *c = d + 1; c < s + n && *c >= '0' && *c <= '9'; c++)
        k++;
    return k;
}

bool dlk_expr__parse_decimal(const char *s, size_t n, int scale, dlk_i128 *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    dlk_i128 v = 0;
    int frac = -1, digits = 0;
    bool any = false;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (c < '0' || c > '9') return false;
        any = true;
        if (frac >= 0) {
            if (frac >= scale) {
                if (c != '0') return false; /* would lose digits */
                continue;
            }
            frac++;
        }
        if (v > DEC_MAX / 10) return false;
        v = v * 10 + (c - '0');
        if (v) digits++;
    }
    if (!any) return false;
    if (frac < 0) frac = 0;
    for (; frac < scale; frac++) {
        if (v > DEC_MAX / 10) return false;
        v *= 10;
    }
    if (v > DEC_MAX) return false;
    (void)digits;
    *out = neg ? -v : v;
    return true;
}

static double dec_to_double(dlk_i128 v, int scale)
{
    return (double)v / pow(10.0, scale);
}

/* Rescale a decimal up (exact); false on overflow. */
static bool dec_rescale(dlk_i128 v, int from, int to, dlk_i128 *out)
{
    if (to < from) {
        dlk_i128 p = pow10_i128(from - to);
        if (v % p) return false;
        *out = v / p;
        return true;
    }
    dlk_i128 p = pow10_i128(to - from);
    dlk_i128 a = v < 0 ? -v : v;
    if (a > DEC_MAX / p) return false;
    *out = v * p;
    return true;
}

int dlk_expr__convert_scalar(scalar *s, dtype from, int fs, dtype to, int ts)
{
    if (s->null || (from == to && fs == ts && from != T_DECIMAL)) return DLK_OK;
    switch (to) {
    case T_DOUBLE:
        if (from == T_INT)
            s->d = (double)s->i;
        else if (from == T_DECIMAL)
            s->d = dec_to_double(s->dec, fs);
        else if (from == T_STRING) {
            char buf[128];
            if (s->n >= sizeof buf) return DLK_SCHEMA_MISMATCH;
            memcpy(buf, s->s, s->n);
            buf[s->n] = 0;
            if (dlk_parse_double(buf, &s->d)) {
                dlk_error_clear();
                return DLK_SCHEMA_MISMATCH;
            }
        } else
            return DLK_SCHEMA_MISMATCH;
        return DLK_OK;
    case T_DECIMAL:
        if (from == T_INT) {
            if (!dec_rescale(s->i, 0, ts, &s->dec)) return DLK_SCHEMA_MISMATCH;
        } else if (from == T_DECIMAL) {
            if (!dec_rescale(s->dec, fs, ts, &s->dec)) return DLK_SCHEMA_MISMATCH;
        } else if (from == T_STRING) {
            if (!dlk_expr__parse_decimal(s->s, s->n, ts, &s->dec)) return DLK_SCHEMA_MISMATCH;
        } else
            return DLK_SCHEMA_MISMATCH;
        return DLK_OK;
    case T_INT:
        if (from == T_STRING) {
            char buf[64];
            if (s->n >= sizeof buf) return DLK_SCHEMA_MISMATCH;
            memcpy(buf, s->s, s->n);
            buf[s->n] = 0;
            if (dlk_parse_i64(buf, &s->i)) {
                dlk_error_clear();
                return DLK_SCHEMA_MISMATCH;
            }
            return DLK_OK;
        }
        if (from == T_DECIMAL) {
            dlk_i128 v;
            if (!dec_rescale(s->dec, fs, 0, &v) || v > INT64_MAX || v < INT64_MIN)
                return DLK_SCHEMA_MISMATCH;
            s->i = (int64_t)v;
            return DLK_OK;
        }
        return DLK_SCHEMA_MISMATCH;
    case T_DATE:
        if (from == T_STRING) {
            int32_t d;
            if (dlk_parse_date(s->s, s->n, &d)) {
                dlk_error_clear();
                return DLK_SCHEMA_MISMATCH;
            }
            s->i = d;
            return DLK_OK;
        }
        return DLK_SCHEMA_MISMATCH;
    case T_TS:
    case T_TSNTZ:
        if (from == T_DATE) {
            s->i *= DLK_MICROS_PER_DAY;
            return DLK_OK;
        }
        if (from == T_TS || from == T_TSNTZ) return DLK_OK;
        if (from == T_STRING) {
            bool z;
            if (dlk_parse_timestamp(s->s, s->n, &s->i, &z)) {
                dlk_error_clear();
                return DLK_SCHEMA_MISMATCH;
            }
            return DLK_OK;
        }
        return DLK_SCHEMA_MISMATCH;
    case T_STRING:
    case T_BINARY:
        if (from == T_STRING || from == T_BINARY) return DLK_OK;
        return DLK_SCHEMA_MISMATCH;
    case T_BOOL:
        if (from == T_STRING) {
            char buf[8];
            if (s->n >= sizeof buf) return DLK_SCHEMA_MISMATCH;
            memcpy(buf, s->s, s->n);
            buf[s->n] = 0;
            if (dlk_parse_bool(buf, &s->b)) {
                dlk_error_clear();
                return DLK_SCHEMA_MISMATCH;
            }
            return DLK_OK;
        }
        return DLK_SCHEMA_MISMATCH;
    default:
        return DLK_SCHEMA_MISMATCH;
    }
}

static int dcmp_double(double a, double b)
{
    /* DuckDB order: NaN above everything, NaN == NaN */
    bool na = isnan(a), nb = isnan(b);
    if (na || nb) return na && nb ? 0 : na ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
}

int dlk_expr__cmp_scalar(const scalar *a, const scalar *b, dtype t)
{
    switch (t) {
    case T_BOOL:
        return (int)a->b - (int)b->b;
    case T_DOUBLE:
        return dcmp_double(a->d, b->d);
    case T_DECIMAL:
        return a->dec < b->dec ? -1 : a->dec > b->dec;
    case T_STRING:
    case T_BINARY: {
        size_t m = a->n < b->n ? a->n : b->n;
        int c = m ? memcmp(a->s, b->s, m) : 0;
        if (c) return c < 0 ? -1 : 1;
        return a->n < b->n ? -1 : a->n > b->n;
    }
    default:
        return a->i < b->i ? -1 : a->i > b->i;
    }
}

/* ------------------------------------------------------------ binder */

typedef struct {
    const struct ArrowSchema *schema;
} binder;

static int pos_err(int code, const node *n, const char *fmt, const char *a, const char *b)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, a, b);
    return dlk_err_set(code, "%s at %d:%d", msg, n->line, n->col);
}

static const struct ArrowSchema *find_field(const struct ArrowSchema *s, const char *name,
                                            int64_t *idx)
{
    for (int64_t i = 0; i < s->n_children; i++)
        if (s->children[i]->name && !strcmp(s->children[i]->name, name)) {
            *idx = i;
            return s->children[i];
        }
    int64_t hit = -1;
    for (int64_t i = 0; i < s->n_children; i++)
        if (s->children[i]->name && dlk_str_ieq(s->children[i]->name, name)) {
            if (hit >= 0) return NULL; /* ambiguous */
            hit = i;
        }
    if (hit < 0) return NULL;
    *idx = hit;
    return s->children[hit];
}

static int bind_column(binder *b, node *n)
{
    const struct ArrowSchema *s = b->schema;
    n->idx = dlk_calloc((size_t)n->depth, sizeof(int64_t));
    if (!n->idx) return dlk_err_nomem();
    for (int d = 0; d < n->depth; d++) {
        if (strcmp(s->format, "+s") != 0) {
            return dlk_err_set(
                DLK_SCHEMA_MISMATCH, "'%s' is a %s, not a struct; cannot read field '%s' at %d:%d",
                n->path[d - 1], dlk_arrow_type_word(s->format), n->path[d], n->line, n->col);
        }
        const struct ArrowSchema *c = find_field(s, n->path[d], &n->idx[d]);
        if (!c) {
            dlk_buf full = {0};
            for (int k = 0; k <= d; k++) {
                if (k) dlk_buf_putc(&full, '.');
                dlk_buf_puts(&full, n->path[k]);
            }
            const char *best = NULL;
            size_t bd = (size_t)-1;
            for (int64_t i = 0; i < s->n_children; i++) {
                const char *nm = s->children[i]->name;
                if (!nm) continue;
                size_t dist = dlk_str_distance(n->path[d], nm);
                if (dist < bd) bd = dist, best = nm;
            }
            size_t lim = strlen(n->path[d]) / 3 + 2;
            int rc;
            if (best && bd <= lim)
                rc =
                    dlk_err_set(DLK_NOT_FOUND, "column '%s' not found at %d:%d; did you mean '%s'?",
                                dlk_buf_cstr(&full), n->line, n->col, best);
            else
                rc = dlk_err_set(DLK_NOT_FOUND, "column '%s' not found at %d:%d",
                                 dlk_buf_cstr(&full), n->line, n->col);
            dlk_buf_free(&full);
            return rc;
        }
        s = c;
    }
    const char *fmt = s->format;
    if (s->dictionary) {
        n->has_dict = true;
        if (!(n->dict_format = dlk_strdup(s->format))) return dlk_err_nomem();
        fmt = s->dictionary->format;
    }
    int ts_mul;
    if (dlk_expr__type_of_format(fmt, &n->type, &n->scale, &ts_mul))
        return dlk_err_set(DLK_UNSUPPORTED,
                           "column '%s' is a %s, which expressions cannot use at %d:%d",
                           n->path[n->depth - 1], dlk_arrow_type_word(fmt), n->line, n->col);
    n->ts_unit_div = ts_mul;
    if (!(n->format = dlk_strdup(fmt))) return dlk_err_nomem();
    return DLK_OK;
}

static bool is_num(dtype t)
{
    return t == T_INT || t == T_DOUBLE || t == T_DECIMAL;
}

static int wrap_cast(node **slot, dtype t, int scale)
{
    node *k = *slot;
    if (k->type == t && (t != T_DECIMAL || k->scale == scale)) return DLK_OK;
    if (k->kind == N_LIT) {
        if (dlk_expr__convert_scalar(&k->lit, k->type, k->scale, t, scale)) {
            if (k->type == T_STRING)
                return dlk_err_set(
                    DLK_SCHEMA_MISMATCH, "cannot convert string '%.60s' to %s at %d:%d",
                    k->lit.s ? k->lit.s : "", dlk_expr__type_name(t), k->line, k->col);
            return dlk_err_set(DLK_SCHEMA_MISMATCH, "%s literal does not fit %s at %d:%d",
                               dlk_expr__type_name(k->type), dlk_expr__type_name(t), k->line,
                               k->col);
        }
        if (k->type == T_STRING && t != T_STRING && t != T_BINARY) {
            dlk_free(k->lit.s);
            k->lit.s = NULL;
            k->lit.n = 0;
        }
        k->type = t;
        k->scale = scale;
        return DLK_OK;
    }
    node *c = dlk_expr__node_new(N_CAST, k->line, k->col);
    if (!c) return dlk_err_nomem();
    c->type = t;
    c->scale = scale;
    c->kids = dlk_calloc(1, sizeof(node *));
    if (!c->kids) {
        dlk_free(c);
        return dlk_err_nomem();
    }
    c->kids[0] = k;
    c->nkids = 1;
    *slot = c;
    return DLK_OK;
}

/* Decide the common type of two operands for comparison / IN; false if
 * incompatible. */
static bool common_type(const node *a, const node *b, dtype *t, int *scale)
{
    dtype x = a->type, y = b->type;
    bool la = a->kind == N_LIT, lb = b->kind == N_LIT;
    if (x == T_NULL) {
        *t = y, *scale = b->scale;
        return y != T_STRUCT;
    }
    if (y == T_NULL) {
        *t = x, *scale = a->scale;
        return x != T_STRUCT;
    }
    if (x == y && x != T_DECIMAL) {
        *t = x;
        *scale = 0;
        return x != T_STRUCT;
    }
    if (is_num(x) && is_num(y)) {
        if (x == T_DOUBLE || y == T_DOUBLE)
            *t = T_DOUBLE, *scale = 0;
        else {
            int sa = x == T_DECIMAL ? a->scale : 0, sb = y == T_DECIMAL ? b->scale : 0;
            *t = T_DECIMAL;
            *scale = sa > sb ? sa : sb;
        }
        return true;
    }
    if ((x == T_STRING && y == T_BINARY) || (x == T_BINARY && y == T_STRING)) {
        *t = T_BINARY, *scale = 0;
        return true;
    }
    if ((x == T_DATE && (y == T_TS || y == T_TSNTZ))) {
        *t = y, *scale = 0;
        return true;
    }
    if ((y == T_DATE && (x == T_TS || x == T_TSNTZ))) {
        *t = x, *scale = 0;
        return true;
    }
    if ((x == T_TS && y == T_TSNTZ) || (x == T_TSNTZ && y == T_TS)) {
        *t = x, *scale = 0;
        return true;
    }
    /* string literal against a typed value: convert the literal */
    if (lb && y == T_STRING && x != T_STRUCT) {
        *t = x, *scale = a->scale;
        return true;
    }
    if (la && x == T_STRING && y != T_STRUCT) {
        *t = y, *scale = b->scale;
        return true;
    }
    return false;
}

static int bind_node(binder *b, node **slot);

static int type_err2(const node *n, const char *what, const node *a, const node *c)
{
    char msg[200];
    snprintf(msg, sizeof msg, "cannot %s %s with %s", what, dlk_expr__type_name(a->type),
             dlk_expr__type_name(c->type));
    return dlk_err_set(DLK_SCHEMA_MISMATCH, "%s at %d:%d", msg, n->line, n->col);
}

static int want_bool(node *n, const char *ctx)
{
    if (n->type == T_BOOL) return DLK_OK;
    if (n->type == T_NULL) {
        n->type = T_BOOL;
        return DLK_OK;
    }
    return dlk_err_set(DLK_SCHEMA_MISMATCH, "%s needs a boolean but got %s at %d:%d", ctx,
                       dlk_expr__type_name(n->type), n->line, n->col);
}

static int bind_node(binder *b, node **slot)
{
    node *n = *slot;
    int rc;
    if (n->kind == N_COL) return bind_column(b, n);
    if (n->kind == N_LIT) return DLK_OK;
    for (int i = 0; i < n->nkids; i++)
        if ((rc = bind_node(b, &n->kids[i]))) return rc;
    switch (n->kind) {
    case N_NEG:
        if (n->kids[0]->type == T_NULL) n->kids[0]->type = T_INT;
        if (!is_num(n->kids[0]->type))
            return pos_err(DLK_SCHEMA_MISMATCH, n, "cannot negate %s%s",
                           dlk_expr__type_name(n->kids[0]->type), "");
        n->type = n->kids[0]->type;
        n->scale = n->kids[0]->scale;
        return DLK_OK;
    case N_ARITH: {
        node *x = n->kids[0], *y = n->kids[1];
        /* a NULL literal takes the other side's type */
        if (x->type == T_NULL) x->type = is_num(y->type) ? y->type : T_INT, x->scale = y->scale;
        if (y->type == T_NULL) y->type = is_num(x->type) ? x->type : T_INT, y->scale = x->scale;
        if (!is_num(x->type) || !is_num(y->type)) {
            char w[32];
            snprintf(w, sizeof w, "apply '%c' to", n->op);
            return type_err2(n, w, x, y);
        }
        dtype t;
        int sc = 0;
        if (n->op == '/' || x->type == T_DOUBLE || y->type == T_DOUBLE)
            t = T_DOUBLE;
        else if (x->type == T_INT && y->type == T_INT)
            t = T_INT;
        else {
            t = T_DECIMAL;
            int sx = x->type == T_DECIMAL ? x->scale : 0, sy = y->type == T_DECIMAL ? y->scale : 0;
            if (n->op == '*') {
                n->type = T_DECIMAL;
                n->scale = sx + sy;
                if (n->scale > 38)
                    return pos_err(DLK_SCHEMA_MISMATCH, n, "decimal scale of product too large%s%s",
                                   "", "");
                if ((rc = wrap_cast(&n->kids[0], T_DECIMAL, sx)) ||
                    (rc = wrap_cast(&n->kids[1], T_DECIMAL, sy)))
                    return rc;
                return DLK_OK;
            }
            sc = sx > sy ? sx : sy;
        }
        if ((rc = wrap_cast(&n->kids[0], t, sc)) || (rc = wrap_cast(&n->kids[1], t, sc))) return rc;
        n->type = t;
        n->scale = sc;
        return DLK_OK;
    }
    case N_CMP:
    case N_IN: {
        dtype t = n->kids[0]->type;
        int sc = n->kids[0]->scale;
        for (int i = 1; i < n->nkids; i++) {
            node tmp = *n->kids[0];
            tmp.type = t;
            tmp.scale = sc;
            if (!common_type(&tmp, n->kids[i], &t, &sc))
                return type_err2(n->kids[i], "compare", n->kids[0], n->kids[i]);
        }
        if (t == T_NULL) t = T_INT;
        for (int i = 0; i < n->nkids; i++)
            if ((rc = wrap_cast(&n->kids[i], t, sc))) return rc;
        n->type = T_BOOL;
        return DLK_OK;
    }
    case N_LIKE: {
        if (n->nkids > 2) {
            node *e = n->kids[2];
            bool ok = e->kind == N_LIT && (e->lit.null || (e->type == T_STRING && e->lit.n == 1));
            if (!ok)
                return pos_err(DLK_SCHEMA_MISMATCH, e,
                               "ESCAPE needs a one-character string literal%s%s", "", "");
            if (e->lit.null) e->type = T_STRING;
        }
        for (int i = 0; i < 2; i++) {
            node *k = n->kids[i];
            if (k->type == T_NULL) k->type = T_STRING;
            if (k->type != T_STRING && k->type != T_BINARY)
                return pos_err(DLK_SCHEMA_MISMATCH, k, "LIKE needs strings but got %s%s",
                               dlk_expr__type_name(k->type), "");
        }
        n->type = T_BOOL;
        return DLK_OK;
    }
    case N_AND:
    case N_OR:
    case N_NOT:
        for (int i = 0; i < n->nkids; i++)
            if ((rc = want_bool(n->kids[i], n->kind == N_AND  ? "AND"
                                            : n->kind == N_OR ? "OR"
                                                              : "NOT")))
                return rc;
        n->type = T_BOOL;
        return DLK_OK;
    case N_ISNULL:
        if (n->kids[0]->type == T_STRUCT) {
            /* allowed: struct null-ness */
        }
        n->type = T_BOOL;
        return DLK_OK;
    default:
        return DLK_OK;
    }
}

int dlk_expr__bind(node **root, const struct ArrowSchema *schema, bool want_b)
{
    if (!schema || !schema->format || strcmp(schema->format, "+s") != 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "expression schema must be a struct (\"+s\")");
    binder b = {schema};
    int rc = bind_node(&b, root);
    if (rc) return rc;
    node *n = *root;
    if (n->type == T_STRUCT)
        return dlk_err_set(DLK_SCHEMA_MISMATCH, "a struct cannot be used as a value at %d:%d",
                           n->line, n->col);
    if (want_b) return want_bool(n, "a predicate");
    return DLK_OK;
}

/* ----------------------------------------------------------- printer */

static int print_dec(dlk_buf *b, dlk_i128 v, int scale)
{
    char d[64];
    int k = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        d[k++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u && k < 60);
    while (k <= scale)
        d[k++] = '0';
    if (neg) dlk_buf_putc(b, '-');
    for (int i = k - 1; i >= 0; i--) {
        dlk_buf_putc(b, d[i]);
        if (i == scale && scale > 0) dlk_buf_putc(b, '.');
    }
    return DLK_OK;
}

static void print_quoted(dlk_buf *b, const char *s, size_t n, char q)
{
    dlk_buf_putc(b, q);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == q) dlk_buf_putc(b, q);
        dlk_buf_putc(b, s[i]);
    }
    dlk_buf_putc(b, q);
}

static bool plain_ident(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

int dlk_expr__print(const node *n, dlk_buf *b)
{
    static const char *cmp[] = {"=", "!=", "<", "<=", ">", ">="};
    switch (n->kind) {
    case N_LIT:
        if (n->lit.null) return dlk_buf_puts(b, "NULL");
        switch (n->type) {
        case T_BOOL:
            return dlk_buf_puts(b, n->lit.b ? "TRUE" : "FALSE");
        case T_INT:
            return dlk_buf_printf(b, "%lld", (long long)n->lit.i);
        case T_DOUBLE:
            return dlk_buf_printf(b, "%.17g", n->lit.d);
        case T_DECIMAL:
            return print_dec(b, n->lit.dec, n->scale);
        case T_DATE: {
            char t[40];
            dlk_format_date((int32_t)n->lit.i, t);
            return dlk_buf_printf(b, "DATE '%s'", t);
        }
        case T_TS:
        case T_TSNTZ: {
            char t[40];
            dlk_format_timestamp(n->lit.i, n->type == T_TS, t);
            return dlk_buf_printf(b, "%s '%s'", n->type == T_TS ? "TIMESTAMP" : "TIMESTAMP_NTZ", t);
        }
        default:
            print_quoted(b, n->lit.s ? n->lit.s : "", n->lit.n, '\'');
            return DLK_OK;
        }
    case N_COL:
        for (int i = 0; i < n->depth; i++) {
            if (i) dlk_buf_putc(b, '.');
            if (plain_ident(n->path[i]))
                dlk_buf_puts(b, n->path[i]);
            else
                print_quoted(b, n->path[i], strlen(n->path[i]), '`');
        }
        return DLK_OK;
    case N_CAST:
        return dlk_expr__print(n->kids[0], b);
    case N_NEG:
        dlk_buf_puts(b, "(-");
        dlk_expr__print(n->kids[0], b);
        return dlk_buf_putc(b, ')');
    case N_NOT:
        dlk_buf_puts(b, "(NOT ");
        dlk_expr__print(n->kids[0], b);
        return dlk_buf_putc(b, ')');
    case N_ISNULL:
        dlk_buf_putc(b, '(');
        dlk_expr__print(n->kids[0], b);
        dlk_buf_puts(b, n->neg ? " IS NOT NULL" : " IS NULL");
        return dlk_buf_putc(b, ')');
    case N_IN:
        dlk_buf_putc(b, '(');
        dlk_expr__print(n->kids[0], b);
        dlk_buf_puts(b, n->neg ? " NOT IN (" : " IN (");
        for (int i = 1; i < n->nkids; i++) {
            if (i > 1) dlk_buf_puts(b, ", ");
            dlk_expr__print(n->kids[i], b);
        }
        return dlk_buf_puts(b, "))");
    default: {
        const char *op = "?";
        char ob[2] = {(char)n->op, 0};
        if (n->kind == N_AND)
            op = "AND";
        else if (n->kind == N_OR)
            op = "OR";
        else if (n->kind == N_LIKE)
            op = n->neg ? "NOT LIKE" : "LIKE";
        else if (n->kind == N_CMP)
            op = cmp[n->op - TK_EQ];
        else if (n->kind == N_ARITH)
            op = ob;
        dlk_buf_putc(b, '(');
        dlk_expr__print(n->kids[0], b);
        dlk_buf_printf(b, " %s ", op);
        dlk_expr__print(n->kids[1], b);
        if (n->kind == N_LIKE && n->nkids > 2) {
            dlk_buf_puts(b, " ESCAPE ");
            dlk_expr__print(n->kids[2], b);
        }
        return dlk_buf_putc(b, ')');
    }
    }
}

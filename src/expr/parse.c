/* expr/parse.c - lexer and recursive-descent parser of the expression
 * language (grammar in include/deltalake/expr.h) into an unbound AST. */
#include "expr/expr_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include "util/time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 200
#define MAX_TEXT (1 << 20)

/* ---------------------------------------------------------------- lexer */

static int push_tok(dlk_vec *toks, tok_kind k, char *text, size_t len, int line, int col)
{
    token t = {k, text, len, line, col};
    int rc = dlk_vec_push(toks, &t);
    if (rc) dlk_free(text);
    return rc;
}

void dlk_expr__tokens_free(dlk_vec *toks)
{
    for (size_t i = 0; i < toks->len; i++) dlk_free(dlk_vec_at(toks, token, i).text);
    dlk_vec_free(toks);
}

int dlk_expr__lex(const char *src, dlk_vec *toks)
{
    size_t n = strlen(src);
    if (n > MAX_TEXT) return dlk_err_set(DLK_PARSE, "expression too long (%zu bytes)", n);
    int line = 1, col = 1;
    size_t i = 0;
    int rc = DLK_OK;
#define ADV(k)                                                                                     \
    do {                                                                                           \
        for (size_t _j = 0, _k = (k); _j < _k; _j++) {                                                      \
            if (src[i] == '\n') {                                                                  \
                line++;                                                                            \
                col = 1;                                                                           \
            } else {                                                                               \
                col++;                                                                             \
            }                                                                                      \
            i++;                                                                                   \
        }                                                                                          \
    } while (0)
    while (i < n) {
        char c = src[i];
        int tl = line, tc = col;
        if (isspace((unsigned char)c)) {
            ADV(1);
            continue;
        }
        if (isalpha((unsigned char)c) || c == '_') {
            size_t j = i;
            while (j < n && (isalnum((unsigned char)src[j]) || src[j] == '_')) j++;
            char *t = dlk_strndup(src + i, j - i);
            if (!t) goto oom;
            if ((rc = push_tok(toks, TK_IDENT, t, j - i, tl, tc))) goto fail;
            ADV(j - i);
            continue;
        }
        if (isdigit((unsigned char)c) || (c == '.' && i + 1 < n && isdigit((unsigned char)src[i + 1]))) {
            size_t j = i;
            tok_kind k = TK_INT;
            while (j < n && isdigit((unsigned char)src[j])) j++;
            if (j < n && src[j] == '.') {
                k = TK_DEC;
                j++;
                while (j < n && isdigit((unsigned char)src[j])) j++;
            }
            if (j < n && (src[j] == 'e' || src[j] == 'E')) {
                size_t e = j + 1;
                if (e < n && (src[e] == '+' || src[e] == '-')) e++;
                if (e < n && isdigit((unsigned char)src[e])) {
                    while (e < n && isdigit((unsigned char)src[e])) e++;
                    j = e;
                    k = TK_FLOAT;
                }
            }
            if (j < n && (isalpha((unsigned char)src[j]) || src[j] == '_')) {
                rc = dlk_err_set(DLK_PARSE, "malformed number '%.*s' at %d:%d", (int)(j - i + 1),
                                 src + i, tl, tc);
                goto fail;
            }
            char *t = dlk_strndup(src + i, j - i);
            if (!t) goto oom;
            if ((rc = push_tok(toks, k, t, j - i, tl, tc))) goto fail;
            ADV(j - i);
            continue;
        }
        if (c == '\'' || c == '`') {
            char q = c;
            dlk_buf b = {0};
            size_t j = i + 1;
            for (;;) {
                if (j >= n) {
                    dlk_buf_free(&b);
                    rc = dlk_err_set(DLK_PARSE, "unterminated %s starting at %d:%d",
                                     q == '\'' ? "string" : "quoted name", tl, tc);
                    goto fail;
                }
                if (src[j] == q) {
                    if (j + 1 < n && src[j + 1] == q) {
                        if (dlk_buf_putc(&b, q)) goto oom_b;
                        j += 2;
                        continue;
                    }
                    j++;
                    break;
                }
                if (dlk_buf_putc(&b, src[j])) goto oom_b;
                j++;
                continue;
            oom_b:
                dlk_buf_free(&b);
                goto oom;
            }
            size_t len = b.len;
            char *t = dlk_buf_detach(&b);
            if (!t) t = dlk_strdup("");
            if (!t) goto oom;
            if (q == '`' && len == 0) {
                dlk_free(t);
                rc = dlk_err_set(DLK_PARSE, "empty quoted name at %d:%d", tl, tc);
                goto fail;
            }
            if ((rc = push_tok(toks, q == '\'' ? TK_STRING : TK_QIDENT, t, len, tl, tc))) goto fail;
            ADV(j - i);
            continue;
        }
        tok_kind k;
        size_t len = 1;
        char d = i + 1 < n ? src[i + 1] : 0;
        switch (c) {
        case '(': k = TK_LPAREN; break;
        case ')': k = TK_RPAREN; break;
        case ',': k = TK_COMMA; break;
        case '.': k = TK_DOT; break;
        case '+': k = TK_PLUS; break;
        case '-': k = TK_MINUS; break;
        case '*': k = TK_STAR; break;
        case '/': k = TK_SLASH; break;
        case '%': k = TK_PERCENT; break;
        case '=':
            k = TK_EQ;
            if (d == '=') len = 2;
            break;
        case '!':
            if (d != '=') goto bad;
            k = TK_NE;
            len = 2;
            break;
        case '<':
            k = TK_LT;
            if (d == '=') k = TK_LE, len = 2;
            else if (d == '>') k = TK_NE, len = 2;
            break;
        case '>':
            k = TK_GT;
            if (d == '=') k = TK_GE, len = 2;
            break;
        default:
        bad:
            if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
                rc = dlk_err_set(DLK_PARSE, "unexpected character '%c' at %d:%d", c, tl, tc);
            else
                rc = dlk_err_set(DLK_PARSE, "unexpected byte 0x%02x at %d:%d", (unsigned char)c, tl, tc);
            goto fail;
        }
        if ((rc = push_tok(toks, k, NULL, 0, tl, tc))) goto fail;
        ADV(len);
    }
    if ((rc = push_tok(toks, TK_EOF, NULL, 0, line, col))) goto fail;
    return DLK_OK;
#undef ADV
oom:
    rc = dlk_err_nomem();
fail:
    dlk_expr__tokens_free(toks);
    return rc;
}

/* ---------------------------------------------------------------- nodes */

node *dlk_expr__node_new(nkind k, int line, int col)
{
    node *n = dlk_calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = k;
    n->line = line;
    n->col = col;
    n->lit.null = true;
    n->ts_unit_div = 1;
    return n;
}

void dlk_expr__node_free(node *n)
{
    if (!n) return;
    for (int i = 0; i < n->nkids; i++) dlk_expr__node_free(n->kids[i]);
    dlk_free(n->kids);
    for (int i = 0; i < n->depth; i++) dlk_free(n->path[i]);
    dlk_free(n->path);
    dlk_free(n->idx);
    dlk_free((char *)n->format);
    dlk_free(n->dict_format);
    dlk_free(n->lit.s);
    dlk_free(n);
}

int dlk_expr__node_add(node *p, node *kid)
{
    if (!kid) return dlk_err_nomem();
    node **k = dlk_realloc(p->kids, sizeof(node *) * (size_t)(p->nkids + 1));
    if (!k) {
        dlk_expr__node_free(kid);
        return dlk_err_nomem();
    }
    p->kids = k;
    p->kids[p->nkids++] = kid;
    return DLK_OK;
}

node *dlk_expr__node_clone(const node *n)
{
    node *c = dlk_expr__node_new(n->kind, n->line, n->col);
    if (!c) return NULL;
    *c = *n;
    c->kids = NULL;
    c->nkids = 0;
    c->path = NULL;
    c->depth = 0;
    c->idx = NULL;
    c->format = NULL;
    c->dict_format = NULL;
    c->lit.s = NULL;
    if (n->lit.s && !(c->lit.s = dlk_memdup(n->lit.s, n->lit.n + 1))) goto oom;
    if (n->format && !(c->format = dlk_strdup(n->format))) goto oom;
    if (n->dict_format && !(c->dict_format = dlk_strdup(n->dict_format))) goto oom;
    if (n->depth) {
        c->path = dlk_calloc((size_t)n->depth, sizeof(char *));
        if (!c->path) goto oom;
        c->depth = n->depth;
        for (int i = 0; i < n->depth; i++)
            if (!(c->path[i] = dlk_strdup(n->path[i]))) goto oom;
        if (n->idx) {
            c->idx = dlk_memdup(n->idx, sizeof(int64_t) * (size_t)n->depth);
            if (!c->idx) goto oom;
        }
    }
    for (int i = 0; i < n->nkids; i++) {
        node *k = dlk_expr__node_clone(n->kids[i]);
        if (!k || dlk_expr__node_add(c, k)) goto oom;
    }
    return c;
oom:
    dlk_expr__node_free(c);
    return NULL;
}

/* ---------------------------------------------------------------- parser */

typedef struct {
    token *t;
    size_t n, pos;
    int depth;
} parser;

static token *peek(parser *p) { return &p->t[p->pos]; }
static token *next(parser *p)
{
    token *t = &p->t[p->pos];
    if (t->kind != TK_EOF) p->pos++;
    return t;
}
static bool is_kw(const token *t, const char *kw) { return t->kind == TK_IDENT && dlk_str_ieq(t->text, kw); }
static bool accept_kw(parser *p, const char *kw)
{
    if (is_kw(peek(p), kw)) {
        p->pos++;
        return true;
    }
    return false;
}

static const char *tok_desc(const token *t, char *buf, size_t cap)
{
    static const char *sym[] = {"end of input", "", "", "", "", "", "", "'('", "')'", "','", "'.'",
                                "'='", "'!='", "'<'", "'<='", "'>'", "'>='", "'+'", "'-'", "'*'", "'/'", "'%'"};
    switch (t->kind) {
    case TK_IDENT:
    case TK_INT:
    case TK_DEC:
    case TK_FLOAT: snprintf(buf, cap, "'%.40s'", t->text); return buf;
    case TK_QIDENT: snprintf(buf, cap, "`%.40s`", t->text); return buf;
    case TK_STRING: snprintf(buf, cap, "string '%.40s'", t->text); return buf;
    default: return sym[t->kind];
    }
}

static int unexpected(parser *p, const char *wanted)
{
    char b[96];
    token *t = peek(p);
    return dlk_err_set(DLK_PARSE, "expected %s but found %s at %d:%d", wanted, tok_desc(t, b, sizeof b),
                       t->line, t->col);
}

static const char *const reserved[] = {"AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL",
                                       "TRUE", "FALSE", NULL};
static bool is_reserved(const char *s)
{
    for (int i = 0; reserved[i]; i++)
        if (dlk_str_ieq(s, reserved[i])) return true;
    return false;
}

static int parse_or(parser *p, node **out);
static int parse_sum(parser *p, node **out);

static node *mk2(nkind k, int op, node *a, node *b, int line, int col)
{
    node *n = dlk_expr__node_new(k, line, col);
    if (!n) {
        dlk_expr__node_free(a);
        dlk_expr__node_free(b);
        return NULL;
    }
    n->op = op;
    if (dlk_expr__node_add(n, a)) {
        dlk_expr__node_free(b);
        dlk_expr__node_free(n);
        return NULL;
    }
    if (b && dlk_expr__node_add(n, b)) {
        dlk_expr__node_free(n);
        return NULL;
    }
    return n;
}

static int lit_from_token(token *t, node *n)
{
    switch (t->kind) {
    case TK_STRING:
        n->type = T_STRING;
        break;
    case TK_INT: {
        int64_t v;
        if (dlk_parse_i64(t->text, &v)) {
            dlk_error_clear();
            /* too large for long: a decimal (or double when huge) */
            if (t->len <= 38) {
                n->type = T_DECIMAL;
                n->scale = 0;
                dlk_expr__parse_decimal(t->text, t->len, 0, &n->lit.dec);
            } else {
                n->type = T_DOUBLE;
                if (dlk_parse_double(t->text, &n->lit.d)) return dlk_err_context(DLK_PARSE, "at %d:%d", t->line, t->col);
            }
        } else {
            n->type = T_INT;
            n->lit.i = v;
        }
        n->lit.null = false;
        return DLK_OK;
    }
    case TK_DEC: {
        int sc = dlk_expr__decimal_scale(t->text, t->len);
        size_t digits = t->len - 1;
        if (digits <= 38 && sc <= 38 && dlk_expr__parse_decimal(t->text, t->len, sc, &n->lit.dec)) {
            n->type = T_DECIMAL;
            n->scale = sc;
        } else {
            n->type = T_DOUBLE;
            if (dlk_parse_double(t->text, &n->lit.d)) return dlk_err_context(DLK_PARSE, "at %d:%d", t->line, t->col);
        }
        n->lit.null = false;
        return DLK_OK;
    }
    case TK_FLOAT:
        n->type = T_DOUBLE;
        if (dlk_parse_double(t->text, &n->lit.d))
            return dlk_err_context(DLK_PARSE, "at %d:%d", t->line, t->col);
        n->lit.null = false;
        return DLK_OK;
    default: return DLK_ERROR;
    }
    n->lit.s = t->text;
    n->lit.n = t->len;
    t->text = NULL;
    n->lit.null = false;
    return DLK_OK;
}

static int parse_primary(parser *p, node **out)
{
    token *t = peek(p);
    node *n = NULL;
    int rc;
    if (t->kind == TK_LPAREN) {
        next(p);
        if ((rc = parse_or(p, out))) return rc;
        if (peek(p)->kind != TK_RPAREN) {
            dlk_expr__node_free(*out);
            *out = NULL;
            return unexpected(p, "')'");
        }
        next(p);
        return DLK_OK;
    }
    if (t->kind == TK_STRING || t->kind == TK_INT || t->kind == TK_DEC || t->kind == TK_FLOAT) {
        next(p);
        if (!(n = dlk_expr__node_new(N_LIT, t->line, t->col))) return dlk_err_nomem();
        if ((rc = lit_from_token(t, n))) {
            dlk_expr__node_free(n);
            return rc;
        }
        *out = n;
        return DLK_OK;
    }
    if (t->kind == TK_IDENT) {
        if (is_kw(t, "TRUE") || is_kw(t, "FALSE") || is_kw(t, "NULL")) {
            next(p);
            if (!(n = dlk_expr__node_new(N_LIT, t->line, t->col))) return dlk_err_nomem();
            if (is_kw(t, "NULL")) {
                n->type = T_NULL;
            } else {
                n->type = T_BOOL;
                n->lit.null = false;
                n->lit.b = is_kw(t, "TRUE");
            }
            *out = n;
            return DLK_OK;
        }
        if ((is_kw(t, "DATE") || is_kw(t, "TIMESTAMP") || is_kw(t, "TIMESTAMP_NTZ")) &&
            p->t[p->pos + 1].kind == TK_STRING) {
            token *s = &p->t[p->pos + 1];
            p->pos += 2;
            if (!(n = dlk_expr__node_new(N_LIT, t->line, t->col))) return dlk_err_nomem();
            n->lit.null = false;
            if (is_kw(t, "DATE")) {
                int32_t days;
                n->type = T_DATE;
                if (dlk_parse_date(s->text, s->len, &days)) {
                    dlk_expr__node_free(n);
                    return dlk_err_context(DLK_PARSE, "DATE literal at %d:%d", t->line, t->col);
                }
                n->lit.i = days;
            } else {
                bool zone;
                n->type = is_kw(t, "TIMESTAMP") ? T_TS : T_TSNTZ;
                if (dlk_parse_timestamp(s->text, s->len, &n->lit.i, &zone)) {
                    dlk_expr__node_free(n);
                    return dlk_err_context(DLK_PARSE, "TIMESTAMP literal at %d:%d", t->line, t->col);
                }
            }
            *out = n;
            return DLK_OK;
        }
        if (is_reserved(t->text)) return unexpected(p, "a value or column");
    }
    if (t->kind == TK_IDENT || t->kind == TK_QIDENT) {
        if (!(n = dlk_expr__node_new(N_COL, t->line, t->col))) return dlk_err_nomem();
        for (;;) {
            token *nt = next(p);
            if (n->depth >= 64) {
                dlk_expr__node_free(n);
                return dlk_err_set(DLK_PARSE, "column path too deep at %d:%d", nt->line, nt->col);
            }
            char **np = dlk_realloc(n->path, sizeof(char *) * (size_t)(n->depth + 1));
            if (!np) {
                dlk_expr__node_free(n);
                return dlk_err_nomem();
            }
            n->path = np;
            n->path[n->depth++] = nt->text;
            nt->text = NULL;
            if (peek(p)->kind != TK_DOT) break;
            next(p);
            token *f = peek(p);
            if (f->kind != TK_QIDENT && f->kind != TK_IDENT) {
                dlk_expr__node_free(n);
                return unexpected(p, "a field name after '.'");
            }
        }
        *out = n;
        return DLK_OK;
    }
    return unexpected(p, "a value or column");
}

static int parse_unary(parser *p, node **out)
{
    token *t = peek(p);
    if (t->kind == TK_MINUS || t->kind == TK_PLUS) {
        if (++p->depth > MAX_DEPTH) return dlk_err_set(DLK_PARSE, "expression nested too deeply at %d:%d", t->line, t->col);
        next(p);
        node *k;
        int rc = parse_unary(p, &k);
        p->depth--;
        if (rc) return rc;
        if (t->kind == TK_PLUS) {
            *out = k;
            return DLK_OK;
        }
        /* fold -literal so that -9223372036854775808 works */
        if (k->kind == N_LIT && !k->lit.null && (k->type == T_INT || k->type == T_DOUBLE || k->type == T_DECIMAL)) {
            if (k->type == T_INT) {
                k->lit.i = (int64_t)(0 - (uint64_t)k->lit.i);
                if (k->lit.i == INT64_MIN && k->nkids == 0) {
                    /* was INT64_MIN already: cannot negate */
                    k->type = T_DECIMAL;
                    k->scale = 0;
                    k->lit.dec = -(dlk_i128)INT64_MIN;
                }
            } else if (k->type == T_DOUBLE) {
                k->lit.d = -k->lit.d;
            } else {
                k->lit.dec = -k->lit.dec;
                if (k->scale == 0 && k->lit.dec == (dlk_i128)INT64_MIN) {
                    k->type = T_INT;
                    k->lit.i = INT64_MIN;
                }
            }
            k->line = t->line;
            k->col = t->col;
            *out = k;
            return DLK_OK;
        }
        node *n = mk2(N_NEG, 0, k, NULL, t->line, t->col);
        if (!n) return dlk_err_nomem();
        *out = n;
        return DLK_OK;
    }
    return parse_primary(p, out);
}

static int parse_product(parser *p, node **out)
{
    node *l = NULL;
    int rc = parse_unary(p, &l);
    if (rc) return rc;
    for (;;) {
        token *t = peek(p);
        if (t->kind != TK_STAR && t->kind != TK_SLASH && t->kind != TK_PERCENT) break;
        next(p);
        node *r = NULL;
        if ((rc = parse_unary(p, &r))) {
            dlk_expr__node_free(l);
            return rc;
        }
        if (!(l = mk2(N_ARITH, t->kind == TK_STAR ? '*' : t->kind == TK_SLASH ? '/' : '%', l, r, t->line, t->col))) return dlk_err_nomem();
    }
    *out = l;
    return DLK_OK;
}

static int parse_sum(parser *p, node **out)
{
    node *l = NULL;
    int rc = parse_product(p, &l);
    if (rc) return rc;
    for (;;) {
        token *t = peek(p);
        if (t->kind != TK_PLUS && t->kind != TK_MINUS) break;
        next(p);
        node *r = NULL;
        if ((rc = parse_product(p, &r))) {
            dlk_expr__node_free(l);
            return rc;
        }
        if (!(l = mk2(N_ARITH, t->kind == TK_PLUS ? '+' : '-', l, r, t->line, t->col))) return dlk_err_nomem();
    }
    *out = l;
    return DLK_OK;
}

static int parse_predicate(parser *p, node **out)
{
    node *l, *r = NULL, *r2 = NULL;
    int rc = parse_sum(p, &l);
    if (rc) return rc;
    token *t = peek(p);
    int line = t->line, col = t->col;
    if (t->kind >= TK_EQ && t->kind <= TK_GE) {
        next(p);
        if ((rc = parse_sum(p, &r))) goto fail;
        if (!(*out = mk2(N_CMP, t->kind, l, r, line, col))) return dlk_err_nomem();
        return DLK_OK;
    }
    if (accept_kw(p, "IS")) {
        bool neg = accept_kw(p, "NOT");
        if (!accept_kw(p, "NULL")) {
            rc = unexpected(p, "NULL");
            goto fail;
        }
        if (!(*out = mk2(N_ISNULL, 0, l, NULL, line, col))) return dlk_err_nomem();
        (*out)->neg = neg;
        return DLK_OK;
    }
    bool neg = false;
    if (is_kw(t, "NOT")) {
        token *n2 = &p->t[p->pos + 1];
        if (is_kw(n2, "IN") || is_kw(n2, "BETWEEN") || is_kw(n2, "LIKE")) {
            next(p);
            neg = true;
        }
    }
    if (accept_kw(p, "IN")) {
        if (peek(p)->kind != TK_LPAREN) {
            rc = unexpected(p, "'(' after IN");
            goto fail;
        }
        next(p);
        node *in = mk2(N_IN, 0, l, NULL, line, col);
        if (!in) return dlk_err_nomem();
        in->neg = neg;
        for (;;) {
            node *e;
            if ((rc = parse_or(p, &e)) || (rc = dlk_expr__node_add(in, e))) {
                dlk_expr__node_free(in);
                return rc;
            }
            if (peek(p)->kind == TK_COMMA) {
                next(p);
                continue;
            }
            if (peek(p)->kind == TK_RPAREN) {
                next(p);
                break;
            }
            dlk_expr__node_free(in);
            return unexpected(p, "',' or ')' in IN list");
        }
        *out = in;
        return DLK_OK;
    }
    if (accept_kw(p, "BETWEEN")) {
        if ((rc = parse_sum(p, &r))) goto fail;
        if (!accept_kw(p, "AND")) {
            rc = unexpected(p, "AND in BETWEEN");
            goto fail;
        }
        if ((rc = parse_sum(p, &r2))) goto fail;
        node *l2 = dlk_expr__node_clone(l);
        if (!l2) goto oom;
        node *ge = mk2(N_CMP, TK_GE, l, r, line, col);
        node *le = mk2(N_CMP, TK_LE, l2, r2, line, col);
        l = r = r2 = NULL;
        node *a = NULL;
        if (ge && le) a = mk2(N_AND, 0, ge, le, line, col);
        else {
            dlk_expr__node_free(ge);
            dlk_expr__node_free(le);
        }
        if (!a) return dlk_err_nomem();
        if (neg && !(a = mk2(N_NOT, 0, a, NULL, line, col))) return dlk_err_nomem();
        *out = a;
        return DLK_OK;
    }
    if (accept_kw(p, "LIKE")) {
        if ((rc = parse_sum(p, &r))) goto fail;
        if (accept_kw(p, "ESCAPE") && (rc = parse_sum(p, &r2))) goto fail;
        node *lk = mk2(N_LIKE, 0, l, r, line, col);
        if (!lk) {
            dlk_expr__node_free(r2);
            return dlk_err_nomem();
        }
        if (r2 && (rc = dlk_expr__node_add(lk, r2))) { /* frees r2 */
            dlk_expr__node_free(lk);
            return rc;
        }
        lk->neg = neg;
        *out = lk;
        return DLK_OK;
    }
    *out = l;
    return DLK_OK;
oom:
    rc = dlk_err_nomem();
fail:
    dlk_expr__node_free(l);
    dlk_expr__node_free(r);
    dlk_expr__node_free(r2);
    return rc;
}

static int parse_not(parser *p, node **out)
{
    token *t = peek(p);
    if (is_kw(t, "NOT")) {
        if (++p->depth > MAX_DEPTH) return dlk_err_set(DLK_PARSE, "expression nested too deeply at %d:%d", t->line, t->col);
        next(p);
        node *k;
        int rc = parse_not(p, &k);
        p->depth--;
        if (rc) return rc;
        if (!(*out = mk2(N_NOT, 0, k, NULL, t->line, t->col))) return dlk_err_nomem();
        return DLK_OK;
    }
    return parse_predicate(p, out);
}

static int parse_and(parser *p, node **out)
{
    node *l = NULL;
    int rc = parse_not(p, &l);
    if (rc) return rc;
    while (is_kw(peek(p), "AND")) {
        token *t = next(p);
        node *r = NULL;
        if ((rc = parse_not(p, &r))) {
            dlk_expr__node_free(l);
            return rc;
        }
        if (!(l = mk2(N_AND, 0, l, r, t->line, t->col))) return dlk_err_nomem();
    }
    *out = l;
    return DLK_OK;
}

static int parse_or(parser *p, node **out)
{
    token *t0 = peek(p);
    if (++p->depth > MAX_DEPTH) return dlk_err_set(DLK_PARSE, "expression nested too deeply at %d:%d", t0->line, t0->col);
    node *l = NULL;
    int rc = parse_and(p, &l);
    if (rc) {
        p->depth--;
        return rc;
    }
    while (is_kw(peek(p), "OR")) {
        token *t = next(p);
        node *r = NULL;
        if ((rc = parse_and(p, &r))) {
            dlk_expr__node_free(l);
            p->depth--;
            return rc;
        }
        if (!(l = mk2(N_OR, 0, l, r, t->line, t->col))) {
            p->depth--;
            return dlk_err_nomem();
        }
    }
    p->depth--;
    *out = l;
    return DLK_OK;
}

int dlk_expr__parse(const char *src, node **out)
{
    *out = NULL;
    if (!src) return dlk_err_set(DLK_INVALID_ARGUMENT, "expression text is NULL");
    dlk_vec toks = DLK_VEC_INIT(token);
    int rc = dlk_expr__lex(src, &toks);
    if (rc) return rc;
    parser p = {toks.data, toks.len, 0, 0};
    if (peek(&p)->kind == TK_EOF) {
        dlk_expr__tokens_free(&toks);
        return dlk_err_set(DLK_PARSE, "empty expression at 1:1");
    }
    node *n = NULL;
    rc = parse_or(&p, &n);
    if (!rc && peek(&p)->kind != TK_EOF) {
        rc = unexpected(&p, "an operator or end of input");
        dlk_expr__node_free(n);
        n = NULL;
    }
    dlk_expr__tokens_free(&toks);
    *out = n;
    return rc;
}

/*
 * expr/expr_int.h - internals of the expression module: tokens, the AST
 * (bound in place by the binder), column vectors of the evaluator.
 *
 * Pipeline: lexer (lexer.c) -> parser (parser.c, AST with positions) ->
 * binder (bind.c: resolves columns against the schema, types every node,
 * inserts implicit casts, folds literal conversions) -> evaluator (eval.c,
 * one vector per node per batch) / pruner (prune.c, min/max reasoning).
 */
#ifndef DLK_EXPR_INT_H
#define DLK_EXPR_INT_H

#include "deltalake/expr.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stdint.h>

typedef __int128 dlk_i128;
/* 10^38 - 1, the largest decimal(38) */
#define DLK_DEC_MAX                                                                                \
    ((dlk_i128)99999999999999999LL * (dlk_i128)1000000000000000000LL * 1000 +                     \
     (dlk_i128)999999999999999999LL * 1000 + 999)

/* ---- tokens ---- */
typedef enum {
    TK_EOF,
    TK_IDENT,  /* bare name (text) */
    TK_QIDENT, /* `quoted` name (text unescaped) */
    TK_STRING, /* 'text' (unescaped) */
    TK_INT,    /* integer literal text */
    TK_DEC,    /* 1.5 */
    TK_FLOAT,  /* 1e5 */
    TK_LPAREN, TK_RPAREN, TK_COMMA, TK_DOT,
    TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE,
    TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_PERCENT,
} tok_kind;

typedef struct {
    tok_kind kind;
    char *text; /* owned, for idents / literals */
    size_t len;
    int line, col;
} token;

/* Tokenise all of src into *toks (ends with TK_EOF). */
int dlk_expr__lex(const char *src, dlk_vec *toks);
void dlk_expr__tokens_free(dlk_vec *toks);

/* ---- types ---- */
typedef enum {
    T_NULL,
    T_BOOL,
    T_INT,
    T_DOUBLE,
    T_DECIMAL,
    T_STRING,
    T_BINARY,
    T_DATE,
    T_TS,    /* timestamp UTC, micros */
    T_TSNTZ, /* timestamp without zone, micros */
    T_STRUCT,
} dtype;

const char *dlk_expr__type_name(dtype t);

/* A scalar of a bound type. */
typedef struct {
    bool null;
    bool b;
    int64_t i;
    double d;
    dlk_i128 dec;
    char *s; /* owned */
    size_t n;
} scalar;

/* ---- AST ---- */
typedef enum {
    N_LIT,
    N_COL,
    N_NEG,
    N_ARITH, /* op: '+' '-' '*' '/' '%' */
    N_CMP,   /* op: tok_kind TK_EQ..TK_GE */
    N_AND,
    N_OR,
    N_NOT,
    N_ISNULL, /* neg: IS NOT NULL */
    N_IN,     /* kids[0] IN kids[1..]; neg: NOT IN */
    N_LIKE,   /* neg: NOT LIKE; kids[2]: ESCAPE literal (optional) */
    N_CAST,   /* implicit: kids[0] converted to type */
} nkind;

typedef struct node node;
struct node {
    nkind kind;
    int op;
    bool neg;
    int line, col;
    dtype type;
    int scale; /* T_DECIMAL */
    int ts_unit_div; /* column timestamps: multiply to micros (1=us, 1e6=s, ...) */
    scalar lit;
    /* N_COL */
    char **path; /* names */
    int depth;
    int64_t *idx; /* child index per level */
    const char *format; /* leaf format (owned copy) */
    bool has_dict;
    char *dict_format;
    node **kids;
    int nkids;
};

struct dlk_expr {
    node *root;
    char *text;        /* canonical text */
    char *result_fmt;
    char **columns;    /* top-level names read */
    size_t n_columns;
};

node *dlk_expr__node_new(nkind k, int line, int col);
void dlk_expr__node_free(node *n);
node *dlk_expr__node_clone(const node *n);
int dlk_expr__node_add(node *parent, node *kid);

/* Parse src into an unbound AST. */
int dlk_expr__parse(const char *src, node **out);
/* Bind in place against a "+s" schema; want_bool: predicate. */
int dlk_expr__bind(node **root, const struct ArrowSchema *schema, bool want_bool);
/* Canonical text of a node. */
int dlk_expr__print(const node *n, dlk_buf *b);

/* Convert a literal scalar in place (type from -> to). DLK_SCHEMA_MISMATCH
 * (no message set) when impossible/out of range. */
int dlk_expr__convert_scalar(scalar *s, dtype from, int from_scale, dtype to, int to_scale);
/* Decimal text -> unscaled at scale; false if it does not fit. */
bool dlk_expr__parse_decimal(const char *s, size_t n, int scale, dlk_i128 *out);
/* Number of fraction digits of decimal text. */
int dlk_expr__decimal_scale(const char *s, size_t n);
int dlk_expr__type_of_format(const char *fmt, dtype *t, int *scale, int *ts_mul);
int dlk_expr__cmp_scalar(const scalar *a, const scalar *b, dtype t);
/* esc: the ESCAPE character, or -1 for none. */
bool dlk_expr__like(const uint8_t *s, size_t n, const uint8_t *p, size_t pn, int esc);

/* ---- vectors ---- */
typedef struct {
    const uint8_t *p;
    int64_t n;
} strv;

typedef struct {
    dtype type;
    int scale;
    int64_t n;
    uint8_t *valid; /* byte per row: 1 valid; NULL: all valid */
    void *data;     /* uint8 (bool) / int64 / double / i128 / strv */
} vec;

void dlk_expr__vec_free(vec *v);
int dlk_expr__eval(const node *n, const struct ArrowArray *batch, vec *out);
int dlk_expr__vec_to_arrow(const vec *v, const char *format, struct ArrowArray *out);

#endif

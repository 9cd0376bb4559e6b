/* core/schema_ddl.c - recursive-descent parser of the `--schema` DDL into an
 * Arrow "+s" schema, and Delta type names of Arrow schema nodes. */
#include "core/schema_ddl.h"
#include "arrow/arrow.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct {
    const char *s;
    size_t pos;
    int depth;
} ddl_parser;

static void skip_ws(ddl_parser *p)
{
    while (p->s[p->pos] && isspace((unsigned char)p->s[p->pos]))
        p->pos++;
}

static int perr(ddl_parser *p, const char *what)
{
    const char *at = p->s + p->pos;
    int n = 0;
    while (at[n] && n < 20 && !isspace((unsigned char)at[n]) && at[n] != ',')
        n++;
    if (!*at)
        return dlk_err_set(DLK_PARSE, "schema: position %zu: %s, got end of input", p->pos + 1,
                           what);
    if (n == 0) n = 1;
    return dlk_err_set(DLK_PARSE, "schema: position %zu: %s, got '%.*s'", p->pos + 1, what, n, at);
}

static bool accept(ddl_parser *p, char c)
{
    skip_ws(p);
    if (p->s[p->pos] == c) {
        p->pos++;
        return true;
    }
    return false;
}

/* Identifier word ([A-Za-z0-9_]+) or `quoted`; *out newly allocated. */
static int parse_name(ddl_parser *p, char **out)
{
    skip_ws(p);
    const char *s = p->s;
    if (s[p->pos] == '`') {
        dlk_buf b = {0};
        size_t i = p->pos + 1;
        for (;;) {
            if (!s[i]) {
                dlk_buf_free(&b);
                return perr(p, "unterminated backtick name");
            }
            if (s[i] == '`') {
                if (s[i + 1] == '`') {
                    if (dlk_buf_putc(&b, '`')) goto oom;
                    i += 2;
                    continue;
                }
                break;
            }
            if (dlk_buf_putc(&b, s[i])) goto oom;
            i++;
        }
        if (b.len == 0) {
            dlk_buf_free(&b);
            return perr(p, "expected a non-empty column name");
        }
        p->pos = i + 1;
        *out = dlk_buf_detach(&b);
        return *out ? DLK_OK : dlk_err_nomem();
    oom:
        dlk_buf_free(&b);
        return dlk_err_nomem();
    }
    size_t st = p->pos, i = st;
    while (isalnum((unsigned char)s[i]) || s[i] == '_')
        i++;
    if (i == st) return perr(p, "expected a column name");
    *out = dlk_strndup(s + st, i - st);
    if (!*out) return dlk_err_nomem();
    p->pos = i;
    return DLK_OK;
}

/* Case-insensitive keyword at the cursor, followed by a non-word char. */
static bool accept_kw(ddl_parser *p, const char *kw)
{
    skip_ws(p);
    size_t n = strlen(kw);
    const char *s = p->s + p->pos;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != kw[i]) return false;
    if (isalnum((unsigned char)s[n]) || s[n] == '_') return false;
    p->pos += n;
    return true;
}

static int parse_uint(ddl_parser *p, int *out)
{
    skip_ws(p);
    long v = 0;
    size_t st = p->pos;
    while (isdigit((unsigned char)p->s[p->pos]) && v < 100000)
        v = v * 10 + (p->s[p->pos++] - '0');
    if (p->pos == st) return perr(p, "expected a number");
    *out = (int)v;
    return DLK_OK;
}

static int parse_type(ddl_parser *p, const char *name, int64_t flags, struct ArrowSchema *out);

static int parse_fields(ddl_parser *p, char close, const char *name, int64_t flags,
                        struct ArrowSchema *out);

static int parse_type(ddl_parser *p, const char *name, int64_t flags, struct ArrowSchema *out)
{
    static const struct {
        const char *kw, *fmt;
    } prim[] = {{"string", "u"},         {"varchar", "u"},  {"long", "l"},
                {"bigint", "l"},         {"integer", "i"},  {"int", "i"},
                {"short", "s"},          {"smallint", "s"}, {"byte", "c"},
                {"tinyint", "c"},        {"float", "f"},    {"real", "f"},
                {"double", "g"},         {"boolean", "b"},  {"bool", "b"},
                {"binary", "z"},         {"date", "tdD"},   {"timestamp_ntz", "tsu:"},
                {"timestamp", "tsu:UTC"}};
    if (++p->depth > MAX_DEPTH) return perr(p, "type nested too deeply");
    skip_ws(p);
    size_t start = p->pos;
    int rc = DLK_OK;
    for (size_t i = 0; i < sizeof prim / sizeof prim[0]; i++) {
        if (accept_kw(p, prim[i].kw)) {
            if (!strcmp(prim[i].kw, "varchar") && accept(p, '(')) {
                int n;
                if ((rc = parse_uint(p, &n))) return rc;
                if (!accept(p, ')')) return perr(p, "expected ')'");
            }
            p->depth--;
            return dlk_arrow_schema_new(out, prim[i].fmt, name, flags, 0);
        }
    }
    if (accept_kw(p, "decimal") || accept_kw(p, "dec") || accept_kw(p, "numeric")) {
        int prec = 10, scale = 0;
        if (accept(p, '(')) {
            if ((rc = parse_uint(p, &prec))) return rc;
            if (accept(p, ',')) {
                if ((rc = parse_uint(p, &scale))) return rc;
            }
            if (!accept(p, ')')) return perr(p, "expected ')' after decimal precision and scale");
        }
        if (prec < 1 || prec > 38 || scale > prec) {
            p->pos = start;
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "schema: position %zu: decimal(%d,%d): precision must be 1..38 and "
                               "scale at most the precision",
                               start + 1, prec, scale);
        }
        char fmt[32];
        snprintf(fmt, sizeof fmt, "d:%d,%d", prec, scale);
        p->depth--;
        return dlk_arrow_schema_new(out, fmt, name, flags, 0);
    }
    if (accept_kw(p, "array")) {
        if (!accept(p, '<')) return perr(p, "expected '<' after array");
        if ((rc = dlk_arrow_schema_new(out, "+l", name, flags, 1))) return rc;
        if ((rc = parse_type(p, "element", ARROW_FLAG_NULLABLE, out->children[0]))) goto fail;
        if (accept_kw(p, "not")) {
            if (!accept_kw(p, "null")) {
                rc = perr(p, "expected NULL after NOT");
                goto fail;
            }
            out->children[0]->flags &= ~(int64_t)ARROW_FLAG_NULLABLE;
        }
        if (!accept(p, '>')) {
            rc = perr(p, "expected '>' to close array<");
            goto fail;
        }
        p->depth--;
        return DLK_OK;
    }
    if (accept_kw(p, "map")) {
        if (!accept(p, '<')) return perr(p, "expected '<' after map");
        if ((rc = dlk_arrow_schema_new(out, "+m", name, flags, 1))) return rc;
        struct ArrowSchema *ent = out->children[0];
        if ((rc = dlk_arrow_schema_new(ent, "+s", "entries", 0, 2))) goto fail;
        if ((rc = parse_type(p, "key", 0, ent->children[0]))) goto fail;
        if (!accept(p, ',')) {
            rc = perr(p, "expected ',' between map key and value types");
            goto fail;
        }
        if ((rc = parse_type(p, "value", ARROW_FLAG_NULLABLE, ent->children[1]))) goto fail;
        if (accept_kw(p, "not")) {
            if (!accept_kw(p, "null")) {
                rc = perr(p, "expected NULL after NOT");
                goto fail;
            }
            ent->children[1]->flags &= ~(int64_t)ARROW_FLAG_NULLABLE;
        }
        if (!accept(p, '>')) {
            rc = perr(p, "expected '>' to close map<");
            goto fail;
        }
        p->depth--;
        return DLK_OK;
    }
    if (accept_kw(p, "struct")) {
        if (!accept(p, '<')) return perr(p, "expected '<' after struct");
        if ((rc = parse_fields(p, '>', name, flags, out))) return rc;
        p->depth--;
        return DLK_OK;
    }
    return perr(p, "expected a type (string, long, int, short, byte, float, double, boolean, "
                   "binary, date, timestamp, timestamp_ntz, decimal(p,s), array<T>, map<K,V>, "
                   "struct<...>)");
fail:
    dlk_arrow_schema_release(out);
    return rc;
}

/* Fields up to `close` (or end of input when close is 0) into a "+s". */
static int parse_fields(ddl_parser *p, char close, const char *name, int64_t flags,
                        struct ArrowSchema *out)
{
    dlk_vec fields = DLK_VEC_INIT(struct ArrowSchema);
    int rc = DLK_OK;
    skip_ws(p);
    bool empty = close ? p->s[p->pos] == close : !p->s[p->pos];
    while (!empty) {
        char *fname = NULL;
        size_t name_pos;
        skip_ws(p);
        name_pos = p->pos;
        if ((rc = parse_name(p, &fname))) goto fail;
        for (size_t i = 0; i < fields.len; i++) {
            if (dlk_str_ieq(dlk_vec_at(&fields, struct ArrowSchema, i).name, fname)) {
                rc =
                    dlk_err_set(DLK_INVALID_ARGUMENT, "schema: position %zu: duplicate column '%s'",
                                name_pos + 1, fname);
                dlk_free(fname);
                goto fail;
            }
        }
        if (close) accept(p, ':');
        struct ArrowSchema f;
        rc = parse_type(p, fname, ARROW_FLAG_NULLABLE, &f);
        dlk_free(fname);
        if (rc) goto fail;
        if (accept_kw(p, "not")) {
            if (!accept_kw(p, "null")) {
                rc = perr(p, "expected NULL after NOT");
                dlk_arrow_schema_release(&f);
                goto fail;
            }
            f.flags &= ~(int64_t)ARROW_FLAG_NULLABLE;
        } else {
            (void)accept_kw(p, "null");
        }
        if (accept_kw(p, "comment")) {
            skip_ws(p);
            char q = p->s[p->pos];
            if (q != '\'' && q != '"') {
                rc = perr(p, "expected a quoted comment");
                dlk_arrow_schema_release(&f);
                goto fail;
            }
            size_t i = p->pos + 1;
            while (p->s[i] && p->s[i] != q)
                i += (p->s[i] == '\\' && p->s[i + 1]) ? 2 : 1;
            if (!p->s[i]) {
                rc = perr(p, "unterminated comment");
                dlk_arrow_schema_release(&f);
                goto fail;
            }
            p->pos = i + 1;
        }
        if ((rc = dlk_vec_push(&fields, &f))) {
            dlk_arrow_schema_release(&f);
            goto fail;
        }
        if (accept(p, ',')) continue;
        skip_ws(p);
        if (close ? p->s[p->pos] == close : !p->s[p->pos]) break;
        rc = perr(p, close ? "expected ',' or '>'" : "expected ',' between columns");
        goto fail;
    }
    if (close) p->pos++; /* the close char */
    if (!close && fields.len == 0) {
        rc = perr(p, "expected at least one column");
        goto fail;
    }
    if ((rc = dlk_arrow_schema_new(out, "+s", name, flags, (int64_t)fields.len))) goto fail;
    for (size_t i = 0; i < fields.len; i++)
        dlk_arrow_schema_move(&dlk_vec_at(&fields, struct ArrowSchema, i), out->children[i]);
    dlk_vec_free(&fields);
    return DLK_OK;
fail:
    for (size_t i = 0; i < fields.len; i++)
        dlk_arrow_schema_release(&dlk_vec_at(&fields, struct ArrowSchema, i));
    dlk_vec_free(&fields);
    return rc;
}

int dlk_core_schema_ddl_parse(const char *ddl, struct ArrowSchema *out)
{
    if (!ddl || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema: NULL argument");
    ddl_parser p = {ddl, 0, 0};
    return parse_fields(&p, 0, "", 0, out);
}

static int put_name(dlk_buf *b, const char *n)
{
    bool plain = *n != 0;
    for (const char *c = n; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_') plain = false;
    if (plain) return dlk_buf_puts(b, n);
    int rc = dlk_buf_putc(b, '`');
    for (const char *c = n; *c && !rc; c++)
        rc = *c == '`' ? dlk_buf_puts(b, "``") : dlk_buf_putc(b, *c);
    return rc ? rc : dlk_buf_putc(b, '`');
}

int dlk_core_type_name(const struct ArrowSchema *s, dlk_buf *b)
{
    const char *f = s->format;
    static const struct {
        const char *fmt, *name;
    } prim[] = {
        {"u", "string"}, {"l", "long"},   {"i", "integer"},         {"s", "short"},
        {"c", "byte"},   {"f", "float"},  {"g", "double"},          {"b", "boolean"},
        {"z", "binary"}, {"tdD", "date"}, {"tsu:UTC", "timestamp"}, {"tsu:", "timestamp_ntz"}};
    for (size_t i = 0; i < sizeof prim / sizeof prim[0]; i++)
        if (!strcmp(f, prim[i].fmt)) return dlk_buf_puts(b, prim[i].name);
    int rc;
    if (!strncmp(f, "d:", 2)) return dlk_buf_printf(b, "decimal(%s)", f + 2);
    if (!strcmp(f, "+l") && s->n_children == 1) {
        if ((rc = dlk_buf_puts(b, "array<"))) return rc;
        if ((rc = dlk_core_type_name(s->children[0], b))) return rc;
        return dlk_buf_putc(b, '>');
    }
    if (!strcmp(f, "+m") && s->n_children == 1 && s->children[0]->n_children == 2) {
        if ((rc = dlk_buf_puts(b, "map<"))) return rc;
        if ((rc = dlk_core_type_name(s->children[0]->children[0], b))) return rc;
        if ((rc = dlk_buf_putc(b, ','))) return rc;
        if ((rc = dlk_core_type_name(s->children[0]->children[1], b))) return rc;
        return dlk_buf_putc(b, '>');
    }
    if (!strcmp(f, "+s")) {
        if ((rc = dlk_buf_puts(b, "struct<"))) return rc;
        for (int64_t i = 0; i < s->n_children; i++) {
            if (i && (rc = dlk_buf_putc(b, ','))) return rc;
            if ((rc = put_name(b, s->children[i]->name))) return rc;
            if ((rc = dlk_buf_putc(b, ':'))) return rc;
            if ((rc = dlk_core_type_name(s->children[i], b))) return rc;
            if (!(s->children[i]->flags & ARROW_FLAG_NULLABLE) &&
                (rc = dlk_buf_puts(b, " not null")))
                return rc;
        }
        return dlk_buf_putc(b, '>');
    }
    return dlk_buf_printf(b, "arrow:%s", f);
}

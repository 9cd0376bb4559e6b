/* api/toml.c - strict parser for the TOML subset of deltalake.toml (see toml.h). */
#include "api/toml.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hashmap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t n, i;
    int line;
    const char *name;
    char *table; /* current [table] prefix, "" at top */
    dlk_vec entries;
    dlk_map values;   /* full keys holding values */
    dlk_map headers;  /* explicitly defined [tables] */
    dlk_map implicit; /* every proper prefix of a key or header */
} parser;

static int err(parser *p, const char *fmt, const char *arg)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, arg ? arg : "");
    return dlk_err_set(DLK_PARSE, "%s:%d: %s", p->name, p->line, msg);
}

static int peek(parser *p)
{
    return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

static void skip_ws(parser *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
        p->i++;
}

static void skip_comment(parser *p)
{
    if (peek(p) == '#')
        while (p->i < p->n && p->s[p->i] != '\n')
            p->i++;
}

/* After a value or header: only whitespace, a comment, then end of line. */
static int end_of_line(parser *p)
{
    skip_ws(p);
    skip_comment(p);
    if (p->i >= p->n) return 0;
    if (p->s[p->i] == '\r' && p->i + 1 < p->n && p->s[p->i + 1] == '\n') p->i++;
    if (p->s[p->i] != '\n') return err(p, "unexpected text after value%s", NULL);
    p->i++;
    p->line++;
    return 0;
}

static int utf8_put(dlk_buf *b, uint32_t c)
{
    uint8_t o[4];
    size_t n;
    if (c < 0x80) {
        o[0] = (uint8_t)c;
        n = 1;
    } else if (c < 0x800) {
        o[0] = (uint8_t)(0xC0 | c >> 6);
        o[1] = (uint8_t)(0x80 | (c & 63));
        n = 2;
    } else if (c < 0x10000) {
        o[0] = (uint8_t)(0xE0 | c >> 12);
        o[1] = (uint8_t)(0x80 | (c >> 6 & 63));
        o[2] = (uint8_t)(0x80 | (c & 63));
        n = 3;
    } else {
        o[0] = (uint8_t)(0xF0 | c >> 18);
        o[1] = (uint8_t)(0x80 | (c >> 12 & 63));
        o[2] = (uint8_t)(0x80 | (c >> 6 & 63));
        o[3] = (uint8_t)(0x80 | (c & 63));
        n = 4;
    }
    return dlk_buf_append(b, o, n);
}

static int parse_string(parser *p, char **out)
{
    char q = p->s[p->i];
    if (p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q)
        return err(p, "multi-line strings are not supported%s", NULL);
    p->i++;
    dlk_buf b = {0};
    int rc = 0;
    for (;;) {
        if (p->i >= p->n || p->s[p->i] == '\n') {
            rc = err(p, "unterminated string%s", NULL);
            break;
        }
        char c = p->s[p->i++];
        if (c == q) break;
        if ((unsigned char)c < 0x20 && c != '\t') {
            rc = err(p, "control character in string%s", NULL);
            break;
        }
        if (c == '\\' && q == '"') {
            if (p->i >= p->n) {
                rc = err(p, "unterminated string%s", NULL);
                break;
            }
            char e = p->s[p->i++];
            const char *map = "b\bt\tn\nf\fr\r\"\"\\\\";
            const char *m = strchr(map, e);
            if (e && m && (m - map) % 2 == 0) {
                rc = dlk_buf_putc(&b, m[1]);
            } else if (e == 'u' || e == 'U') {
                int len = e == 'u' ? 4 : 8;
                uint32_t cp = 0;
                for (int k = 0; k < len; k++) {
                    int h = p->i < p->n ? p->s[p->i++] : 0;
                    int v = (h >= '0' && h <= '9')   ? h - '0'
                            : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                            : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                     : -1;
                    if (v < 0) {
                        rc = err(p, "bad \\u escape in string%s", NULL);
                        break;
                    }
                    cp = cp << 4 | (uint32_t)v;
                }
                if (!rc && (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
                    rc = err(p, "escape is not a Unicode scalar value%s", NULL);
                if (!rc) rc = utf8_put(&b, cp);
            } else {
                char s[2] = {e, 0};
                rc = err(p, "invalid escape '\\%s' in string", s);
            }
            if (rc) break;
        } else if ((rc = dlk_buf_putc(&b, c))) {
            break;
        }
    }
    if (rc) {
        dlk_buf_free(&b);
        return rc;
    }
    *out = dlk_buf_detach(&b);
    return *out ? 0 : dlk_err_nomem();
}

static int is_bare(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Parse a (dotted) key; appends the joined key to b. */
static int parse_key(parser *p, dlk_buf *b)
{
    for (;;) {
        skip_ws(p);
        int c = peek(p);
        if (c == '"' || c == '\'') {
            char *part;
            int rc = parse_string(p, &part);
            if (rc) return rc;
            rc = dlk_buf_puts(b, part);
            dlk_free(part);
            if (rc) return rc;
        } else if (is_bare(c)) {
            size_t st = p->i;
            while (is_bare(peek(p)))
                p->i++;
            if (dlk_buf_append(b, p->s + st, p->i - st)) return DLK_NO_MEMORY;
        } else {
            return err(p, "expected a key%s", NULL);
        }
        skip_ws(p);
        if (peek(p) != '.') return 0;
        p->i++;
        if (dlk_buf_putc(b, '.')) return DLK_NO_MEMORY;
    }
}

static void value_free(dlk_toml_value *v)
{
    if (v->type == DLK_TOML_STRING) dlk_free(v->str);
    if (v->type == DLK_TOML_ARRAY) {
        for (size_t i = 0; i < v->n_items; i++)
            value_free(&v->items[i]);
        dlk_free(v->items);
    }
    memset(v, 0, sizeof *v);
}

static int parse_number(parser *p, dlk_toml_value *v)
{
    size_t st = p->i;
    while (p->i < p->n && (is_bare((unsigned char)p->s[p->i]) || strchr("+.:", p->s[p->i])))
        p->i++;
    size_t len = p->i - st;
    char tok[128];
    if (len == 0) return err(p, "expected a value%s", NULL);
    if (len >= sizeof tok) return err(p, "number too long%s", NULL);
    memcpy(tok, p->s + st, len);
    tok[len] = 0;
    if (strchr(tok, ':') || (len >= 5 && tok[4] == '-' && tok[0] >= '0' && tok[0] <= '9'))
        return err(p, "dates and times are not supported ('%s')", tok);
    const char *t = tok;
    int sign = 1;
    if (*t == '+' || *t == '-') sign = *t++ == '-' ? -1 : 1;
    if (!strcmp(t, "inf") || !strcmp(t, "nan")) {
        v->type = DLK_TOML_FLOAT;
        v->f = t[0] == 'i' ? sign * INFINITY : NAN;
        return 0;
    }
    /* strip underscores, each must sit between two digits */
    char clean[128];
    size_t k = 0;
    for (size_t j = 0; t[j]; j++) {
        if (t[j] == '_') {
            if (j == 0 || !t[j + 1] || !is_bare((unsigned char)t[j - 1]) || t[j - 1] == '_' ||
                !is_bare((unsigned char)t[j + 1]) || t[j + 1] == '_')
                return err(p, "misplaced '_' in number '%s'", tok);
            continue;
        }
        clean[k++] = t[j];
    }
    clean[k] = 0;
    int base = 10;
    const char *digits = clean;
    if (clean[0] == '0' && (clean[1] == 'x' || clean[1] == 'o' || clean[1] == 'b')) {
        if (sign != 1 || tok[0] == '+') return err(p, "signed prefixed integer '%s'", tok);
        base = clean[1] == 'x' ? 16 : clean[1] == 'o' ? 8 : 2;
        digits = clean + 2;
    }
    bool is_float = base == 10 && strpbrk(digits, ".eE") != NULL;
    if (!*digits) return err(p, "invalid number '%s'", tok);
    if (base == 10 && digits[0] == '0' && digits[1] && digits[1] != '.' && digits[1] != 'e' &&
        digits[1] != 'E')
        return err(p, "leading zeros in number '%s'", tok);
    char *end;
    errno = 0;
    if (is_float) {
        const char *dot = strchr(digits, '.');
        if (dot && (dot == digits || !(dot[1] >= '0' && dot[1] <= '9')))
            return err(p, "invalid float '%s' (digits needed on both sides of '.')", tok);
        double d = strtod(digits, &end);
        if (*end) return err(p, "invalid number '%s'", tok);
        v->type = DLK_TOML_FLOAT;
        v->f = sign * d;
    } else {
        for (const char *c = digits; *c; c++) {
            int dv = (*c >= '0' && *c <= '9')   ? *c - '0'
                     : (*c >= 'a' && *c <= 'f') ? *c - 'a' + 10
                     : (*c >= 'A' && *c <= 'F') ? *c - 'A' + 10
                                                : 99;
            if (dv >= base) return err(p, "invalid number '%s'", tok);
        }
        unsigned long long u = strtoull(digits, &end, base);
        if (errno == ERANGE || *end || u > (unsigned long long)INT64_MAX + (sign < 0))
            return err(p, "integer '%s' out of 64-bit range", tok);
        v->type = DLK_TOML_INT;
        v->i = sign < 0 ? (int64_t)(0 - u) : (int64_t)u;
    }
    return 0;
}

static int parse_value(parser *p, dlk_toml_value *v, int depth);

static void skip_ws_nl(parser *p)
{
    for (;;) {
        skip_ws(p);
        skip_comment(p);
        if (peek(p) == '\r') p->i++;
        if (peek(p) != '\n') return;
        p->i++;
        p->line++;
    }
}

static int parse_array(parser *p, dlk_toml_value *v, int depth)
{
    p->i++; /* [ */
    v->type = DLK_TOML_ARRAY;
    dlk_vec items = DLK_VEC_INIT(dlk_toml_value);
    int rc = 0;
    for (;;) {
        skip_ws_nl(p);
        if (peek(p) == ']') {
            p->i++;
            break;
        }
        dlk_toml_value item = {0};
        if ((rc = parse_value(p, &item, depth + 1))) break;
        if ((rc = dlk_vec_push(&items, &item))) {
            value_free(&item);
            break;
        }
        skip_ws_nl(p);
        if (peek(p) == ',') {
            p->i++;
        } else if (peek(p) == ']') {
            p->i++;
            break;
        } else {
            rc = err(p, "expected ',' or ']' in array%s", NULL);
            break;
        }
    }
    v->items = items.data;
    v->n_items = items.len;
    if (rc) value_free(v);
    return rc;
}

static int parse_value(parser *p, dlk_toml_value *v, int depth)
{
    if (depth > 32) return err(p, "arrays nested too deeply%s", NULL);
    skip_ws(p);
    int c = peek(p);
    if (c == '"' || c == '\'') {
        v->type = DLK_TOML_STRING;
        return parse_string(p, &v->str);
    }
    if (c == '[') return parse_array(p, v, depth);
    if (c == '{') return err(p, "inline tables are not supported%s", NULL);
    if (c == 't' && p->n - p->i >= 4 && !memcmp(p->s + p->i, "true", 4) &&
        !is_bare(p->i + 4 < p->n ? p->s[p->i + 4] : 0)) {
        p->i += 4;
        v->type = DLK_TOML_BOOL;
        v->b = true;
        return 0;
    }
    if (c == 'f' && p->n - p->i >= 5 && !memcmp(p->s + p->i, "false", 5) &&
        !is_bare(p->i + 5 < p->n ? p->s[p->i + 5] : 0)) {
        p->i += 5;
        v->type = DLK_TOML_BOOL;
        v->b = false;
        return 0;
    }
    if (c == -1 || c == '\n' || c == '#') return err(p, "missing value%s", NULL);
    return parse_number(p, v);
}

static int add_prefixes(parser *p, const char *key)
{
    for (const char *d = strchr(key, '.'); d; d = strchr(d + 1, '.')) {
        if (dlk_map_get(&p->values, key, (size_t)(d - key), NULL)) {
            char buf[256];
            snprintf(buf, sizeof buf, "%.*s", (int)(d - key), key);
            return err(p, "key '%s' is already a value, not a table", buf);
        }
        if (dlk_map_put(&p->implicit, key, (size_t)(d - key), (void *)1, NULL))
            return DLK_NO_MEMORY;
    }
    return 0;
}

static int parse_header(parser *p)
{
    p->i++;
    if (peek(p) == '[') return err(p, "arrays of tables are not supported%s", NULL);
    dlk_buf k = {0};
    int rc = parse_key(p, &k);
    if (!rc && peek(p) != ']') rc = err(p, "expected ']' after table name%s", NULL);
    if (rc) goto out;
    p->i++;
    const char *key = dlk_buf_cstr(&k);
    if (dlk_map_get_str(&p->headers, key)) {
        rc = err(p, "table [%s] defined twice", key);
        goto out;
    }
    if (dlk_map_get_str(&p->values, key)) {
        rc = err(p, "table [%s] is already a value", key);
        goto out;
    }
    if ((rc = add_prefixes(p, key)) || (rc = dlk_map_put_str(&p->headers, key, (void *)1)))
        goto out;
    dlk_free(p->table);
    p->table = dlk_buf_detach(&k);
    if (!p->table) rc = dlk_err_nomem();
    if (!rc) rc = end_of_line(p);
out:
    dlk_buf_free(&k);
    return rc;
}

static int parse_keyval(parser *p)
{
    dlk_buf k = {0};
    int rc = 0;
    if (p->table[0] && (dlk_buf_puts(&k, p->table) || dlk_buf_putc(&k, '.')))
        return dlk_err_nomem();
    int line = p->line;
    if ((rc = parse_key(p, &k))) goto out;
    if (peek(p) != '=') {
        rc = err(p, "expected '=' after key '%s'", dlk_buf_cstr(&k));
        goto out;
    }
    p->i++;
    const char *key = dlk_buf_cstr(&k);
    if (dlk_map_get_str(&p->values, key) || dlk_map_get_str(&p->implicit, key) ||
        dlk_map_get_str(&p->headers, key)) {
        rc = err(p, "key '%s' defined twice", key);
        goto out;
    }
    if ((rc = add_prefixes(p, key))) goto out;
    dlk_toml_entry e = {.line = line};
    if ((rc = parse_value(p, &e.value, 0))) goto out;
    if ((rc = end_of_line(p))) {
        value_free(&e.value);
        goto out;
    }
    if ((rc = dlk_map_put_str(&p->values, key, (void *)1))) {
        value_free(&e.value);
        goto out;
    }
    e.key = dlk_buf_detach(&k);
    if (!e.key || dlk_vec_push(&p->entries, &e)) {
        dlk_free(e.key);
        value_free(&e.value);
        rc = dlk_err_nomem();
    }
out:
    dlk_buf_free(&k);
    return rc;
}

void dlk_toml_free(dlk_toml_doc *doc)
{
    for (size_t i = 0; i < doc->n_entries; i++) {
        dlk_free(doc->entries[i].key);
        value_free(&doc->entries[i].value);
    }
    dlk_free(doc->entries);
    doc->entries = NULL;
    doc->n_entries = 0;
}

int dlk_toml_parse(const char *text, size_t n, const char *name, dlk_toml_doc *out)
{
    parser p = {.s = text, .n = n, .line = 1, .name = name ? name : "toml"};
    p.entries = (dlk_vec)DLK_VEC_INIT(dlk_toml_entry);
    p.table = dlk_strdup("");
    int rc = p.table ? 0 : dlk_err_nomem();
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) p.i = 3; /* UTF-8 BOM */
    while (!rc && p.i < p.n) {
        skip_ws(&p);
        int c = peek(&p);
        if (c == '#' || c == '\n' || c == '\r' || c == -1)
            rc = end_of_line(&p);
        else if (c == '[')
            rc = parse_header(&p);
        else
            rc = parse_keyval(&p);
    }
    dlk_toml_doc doc = {p.entries.data, p.entries.len};
    if (rc)
        dlk_toml_free(&doc);
    else
        *out = doc;
    dlk_free(p.table);
    dlk_map_free(&p.values);
    dlk_map_free(&p.headers);
    dlk_map_free(&p.implicit);
    return rc;
}

const dlk_toml_entry *dlk_toml_find(const dlk_toml_doc *doc, const char *key)
{
    for (size_t i = 0; i < doc->n_entries; i++)
        if (strcmp(doc->entries[i].key, key) == 0) return &doc->entries[i];
    return NULL;
}

const char *dlk_toml_type_name(dlk_toml_type t)
{
    static const char *names[] = {"string", "integer", "float", "boolean", "array"};
    return t <= DLK_TOML_ARRAY ? names[t] : "?";
}

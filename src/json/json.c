/*
 * json/json.c - the structure of the JSON pull reader: values, objects and
 * arrays, nesting, whitespace and error positions. Strings and numbers are
 * scanned in json_scan.c.
 */
#include "json/json_int.h"
#include <stdio.h>
#include <string.h>

void dlk_json_init(dlk_json_reader *r, const char *s, size_t n)
{
    memset(r, 0, sizeof *r);
    r->base = r->p = s;
    r->end = s + n;
}

int dlk_json__fail(dlk_json_reader *r, const char *at, const char *msg)
{
    if (!r->failed) {
        r->failed = true;
        r->err_off = (size_t)(at - r->base);
        snprintf(r->err, sizeof r->err, "%s", msg);
    }
    return DLK_PARSE;
}

const char *dlk_json_error(const dlk_json_reader *r, int *line, int *column)
{
    int l = 1, c = 1;
    if (r->failed) {
        const char *p = r->base, *at = r->base + r->err_off;
        for (; p < at; p++) {
            if (*p == '\n') {
                l++;
                c = 1;
            } else {
                c++;
            }
        }
    }
    if (line) *line = l;
    if (column) *column = c;
    return r->failed ? r->err : "";
}

static inline void skip_ws(dlk_json_reader *r)
{
    const char *p = r->p, *end = r->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    r->p = p;
}

static inline bool top_is_array(const dlk_json_reader *r)
{
    uint32_t d = r->depth - 1;
    return (r->is_array[d / 64] >> (d % 64)) & 1;
}

static int enter(dlk_json_reader *r, bool array)
{
    if (r->depth >= DLK_JSON_MAX_DEPTH)
        return dlk_json__fail(r, r->p, "maximum nesting depth exceeded");
    uint32_t d = r->depth++;
    uint64_t bit = (uint64_t)1 << (d % 64);
    if (array)
        r->is_array[d / 64] |= bit;
    else
        r->is_array[d / 64] &= ~bit;
    r->first = true;
    r->p++;
    return DLK_OK;
}

static void leave(dlk_json_reader *r)
{
    r->depth--;
    r->first = false;
    r->p++;
}

static int literal(dlk_json_reader *r, dlk_json_tok *t, const char *word, dlk_json_type type)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return dlk_json__fail(r, r->p, "invalid token");
    t->type = type;
    t->s = r->p;
    t->n = n;
    t->escaped = t->integer = false;
    t->offset = (size_t)(r->p - r->base);
    r->p += n;
    return DLK_OK;
}

int dlk_json_next(dlk_json_reader *r, dlk_json_tok *t)
{
    if (r->failed) return DLK_PARSE;
    skip_ws(r);
    if (r->p >= r->end) return dlk_json__fail(r, r->p, "premature end of input, a value expected");
    switch (*r->p) {
    case '"':
        return dlk_json__string(r, t);
    case '{':
    case '[': {
        bool array = *r->p == '[';
        t->type = array ? DLK_JSON_ARRAY : DLK_JSON_OBJECT;
        t->s = r->p;
        t->n = 1;
        t->escaped = t->integer = false;
        t->offset = (size_t)(r->p - r->base);
        return enter(r, array);
    }
    case 't':
        return literal(r, t, "true", DLK_JSON_TRUE);
    case 'f':
        return literal(r, t, "false", DLK_JSON_FALSE);
    case 'n':
        return literal(r, t, "null", DLK_JSON_NULL);
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) return dlk_json__number(r, t);
        return dlk_json__fail(r, r->p, "invalid token, a value expected");
    }
}

int dlk_json_key(dlk_json_reader *r, dlk_json_tok *key, bool *done)
{
    *done = false;
    if (r->failed) return DLK_PARSE;
    if (r->depth == 0 || top_is_array(r)) return dlk_json__fail(r, r->p, "not inside an object");
    skip_ws(r);
    if (r->p >= r->end) return dlk_json__fail(r, r->p, "premature end of input in an object");
    if (*r->p == '}') {
        leave(r);
        *done = true;
        return DLK_OK;
    }
    if (!r->first) {
        if (*r->p != ',') return dlk_json__fail(r, r->p, "',' or '}' expected");
        r->p++;
        skip_ws(r);
        if (r->p >= r->end) return dlk_json__fail(r, r->p, "premature end of input in an object");
    }
    if (*r->p != '"') return dlk_json__fail(r, r->p, "string or '}' expected");
    int rc = dlk_json__string(r, key);
    if (rc) return rc;
    skip_ws(r);
    if (r->p >= r->end || *r->p != ':') return dlk_json__fail(r, r->p, "':' expected");
    r->p++;
    r->first = false;
    return DLK_OK;
}

int dlk_json_elem(dlk_json_reader *r, bool *done)
{
    *done = false;
    if (r->failed) return DLK_PARSE;
    if (r->depth == 0 || !top_is_array(r)) return dlk_json__fail(r, r->p, "not inside an array");
    skip_ws(r);
    if (r->p >= r->end) return dlk_json__fail(r, r->p, "premature end of input in an array");
    if (*r->p == ']') {
        leave(r);
        *done = true;
        return DLK_OK;
    }
    if (!r->first) {
        if (*r->p != ',') return dlk_json__fail(r, r->p, "',' or ']' expected");
        r->p++;
    }
    r->first = false;
    return DLK_OK;
}

int dlk_json_skip(dlk_json_reader *r)
{
    if (r->failed) return DLK_PARSE;
    if (r->depth == 0) return dlk_json__fail(r, r->p, "not inside an object or array");
    uint32_t target = r->depth - 1;
    while (r->depth > target) {
        bool done;
        dlk_json_tok t;
        int rc = top_is_array(r) ? dlk_json_elem(r, &done) : dlk_json_key(r, &t, &done);
        if (rc) return rc;
        if (done) continue;
        rc = dlk_json_next(r, &t);
        if (rc) return rc;
    }
    return DLK_OK;
}

int dlk_json_skip_value(dlk_json_reader *r, const dlk_json_tok *t)
{
    if (t->type == DLK_JSON_OBJECT || t->type == DLK_JSON_ARRAY) return dlk_json_skip(r);
    return r->failed ? DLK_PARSE : DLK_OK;
}

int dlk_json_finish(dlk_json_reader *r)
{
    if (r->failed) return DLK_PARSE;
    if (r->depth) return dlk_json__fail(r, r->p, "value not finished");
    skip_ws(r);
    if (r->p < r->end) return dlk_json__fail(r, r->p, "end of input expected");
    return DLK_OK;
}

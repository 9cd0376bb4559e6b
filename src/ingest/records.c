/* ingest/records.c - NDJSON and CSV records to Arrow "+s" batches by the table
 * schema (see ingest/records.h): a conversion plan per column built once, then
 * one jansson parse per line feeding the typed Arrow builders. */
#include "ingest/records.h"
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "core/schema_ddl.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/misc.h"
#include "util/str.h"
#include "util/time.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum kind {
    K_BOOL,
    K_INT,
    K_FLOAT,
    K_STRING,
    K_BINARY,
    K_DATE,
    K_TS,
    K_TSNTZ,
    K_DEC,
    K_STRUCT,
    K_LIST,
    K_MAP,
    K_OTHER
};

typedef struct plan plan;
struct plan {
    int kind;
    int64_t lo, hi; /* integer range */
    int dec_prec, dec_scale;
    bool nullable;
    char *path; /* column path for messages */
    char *type; /* Delta type name */
    dlk_arrow_builder *b;
    size_t n_children;
    plan *children;
    dlk_map index;    /* struct: name -> index+1 */
    const char *name; /* field name (schema's) */
    /* struct: the field of the k-th key of the previous object (records
     * of a file mostly share their key order, so a strcmp replaces the
     * hash lookup): name NULL = no guess; ci < 0: a key to skip
     * (a partition column at the top level) */
    struct pred {
        const char *name;
        int ci;
    } * pred;
};
#define N_PRED 64

struct dlk_records_reader {
    dlk_records_options opts;
    struct ArrowSchema schema;      /* full table schema */
    struct ArrowSchema data_schema; /* schema minus the partition columns */
    plan full;                      /* plan of the full schema (partition values) */
    dlk_arrow_builder *full_b;
    size_t n_part;
    int *part_idx;      /* partition column -> index in schema */
    dlk_map part_names; /* partition column name -> its index + 1 */
    dlk_vec slots;      /* slot* */
    dlk_map slot_index; /* key -> slot* */
    size_t next_flush;  /* at EOF: next slot to emit */
    size_t buffered_rows;
    dlk_buf key;                   /* scratch */
    char **vals;                   /* scratch partition values */
    bool *borrowed;                /* vals[i] is not owned (a JSON string or dbuf[i]) */
    char (*dbuf)[16];              /* scratch text of date partition values */
    const char *const *out_values; /* values of the last emitted batch */
    FILE *f;
    const char *mem;
    size_t mem_len, mem_pos;
    dlk_buf in; /* file input buffer */
    size_t in_pos;
    bool eof;
    int64_t line;  /* current line (1-based) */
    int64_t count; /* records converted */
    /* CSV */
    bool csv_header_done;
    bool eof_all;
    size_t n_csv_cols;
    dlk_map csv_idx;    /* header name -> csv field index + 1 */
    dlk_vec csv_fields; /* dlk_buf per field */
};

static void plan_free(plan *p)
{
    for (size_t i = 0; i < p->n_children; i++)
        plan_free(&p->children[i]);
    dlk_free(p->children);
    dlk_free(p->path);
    dlk_free(p->type);
    dlk_free(p->pred);
    dlk_map_free(&p->index);
}

static int plan_build(plan *p, dlk_arrow_builder *b, const char *path)
{
    const struct ArrowSchema *s = dlk_arrow_builder_schema(b);
    const char *f = s->format;
    memset(p, 0, sizeof *p);
    p->b = b;
    p->nullable = (s->flags & ARROW_FLAG_NULLABLE) != 0;
    p->path = dlk_strdup(path);
    dlk_buf tb = {0};
    if (!p->path || dlk_core_type_name(s, &tb)) {
        dlk_buf_free(&tb);
        return dlk_err_nomem();
    }
    p->type = dlk_buf_detach(&tb);
    if (!p->type) return dlk_err_nomem();
    p->name = s->name ? s->name : "";
    if (!strcmp(f, "b"))
        p->kind = K_BOOL;
    else if (!strcmp(f, "c")) {
        p->kind = K_INT;
        p->lo = INT8_MIN;
        p->hi = INT8_MAX;
    } else if (!strcmp(f, "s")) {
        p->kind = K_INT;
        p->lo = INT16_MIN;
        p->hi = INT16_MAX;
    } else if (!strcmp(f, "i")) {
        p->kind = K_INT;
        p->lo = INT32_MIN;
        p->hi = INT32_MAX;
    } else if (!strcmp(f, "l")) {
        p->kind = K_INT;
        p->lo = INT64_MIN;
        p->hi = INT64_MAX;
    } else if (!strcmp(f, "f") || !strcmp(f, "g"))
        p->kind = K_FLOAT;
    else if (!strcmp(f, "u"))
        p->kind = K_STRING;
    else if (!strcmp(f, "z"))
        p->kind = K_BINARY;
    else if (!strcmp(f, "tdD"))
        p->kind = K_DATE;
    else if (!strcmp(f, "tsu:UTC"))
        p->kind = K_TS;
    else if (!strcmp(f, "tsu:"))
        p->kind = K_TSNTZ;
    else if (!strncmp(f, "d:", 2)) {
        p->kind = K_DEC;
        if (sscanf(f + 2, "%d,%d", &p->dec_prec, &p->dec_scale) != 2)
            return dlk_err_set(DLK_UNSUPPORTED, "column '%s': decimal format %s", path, f);
    } else if (!strcmp(f, "+s")) {
        p->kind = K_STRUCT;
        if (!(p->pred = dlk_calloc(N_PRED, sizeof *p->pred))) return dlk_err_nomem();
    } else if (!strcmp(f, "+l"))
        p->kind = K_LIST;
    else if (!strcmp(f, "+m"))
        p->kind = K_MAP;
    else
        return dlk_err_set(DLK_UNSUPPORTED, "column '%s': type %s not supported for input", path,
                           f);

    if (p->kind == K_STRUCT) {
        size_t n = (size_t)dlk_arrow_builder_n_children(b);
        p->children = dlk_calloc(n ? n : 1, sizeof(plan));
        if (!p->children) return dlk_err_nomem();
        for (size_t i = 0; i < n; i++) {
            dlk_arrow_builder *cb = dlk_arrow_builder_child(b, (int64_t)i);
            const char *cn = dlk_arrow_builder_schema(cb)->name;
            dlk_buf cp = {0};
            int rc = *path ? dlk_buf_printf(&cp, "%s.%s", path, cn) : dlk_buf_puts(&cp, cn);
            if (!rc) rc = plan_build(&p->children[i], cb, dlk_buf_cstr(&cp));
            p->n_children = i + 1;
            dlk_buf_free(&cp);
            if (rc) return rc;
            if (dlk_map_put_str(&p->index, cn, (void *)(uintptr_t)(i + 1))) return dlk_err_nomem();
        }
    } else if (p->kind == K_LIST) {
        p->children = dlk_calloc(1, sizeof(plan));
        if (!p->children) return dlk_err_nomem();
        dlk_buf cp = {0};
        int rc = dlk_buf_printf(&cp, "%s[]", path);
        if (!rc) rc = plan_build(&p->children[0], dlk_arrow_builder_child(b, 0), dlk_buf_cstr(&cp));
        p->n_children = 1;
        dlk_buf_free(&cp);
        if (rc) return rc;
    } else if (p->kind == K_MAP) {
        p->children = dlk_calloc(2, sizeof(plan));
        if (!p->children) return dlk_err_nomem();
        dlk_buf cp = {0};
        int rc = dlk_buf_printf(&cp, "%s.key", path);
        if (!rc) rc = plan_build(&p->children[0], dlk_arrow_builder_map_key(b), dlk_buf_cstr(&cp));
        p->n_children = 1;
        dlk_buf_reset(&cp);
        if (!rc) rc = dlk_buf_printf(&cp, "%s.value", path);
        if (!rc)
            rc = plan_build(&p->children[1], dlk_arrow_builder_map_value(b), dlk_buf_cstr(&cp));
        p->n_children = 2;
        dlk_buf_free(&cp);
        if (rc) return rc;
    }
    return DLK_OK;
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

static int mismatch(const dlk_records_reader *r, const plan *p, const char *actual, const char *why)
{
    return dlk_err_schema_mismatch(p->type, actual,
                                   "line %" PRId64 ": column '%s': expected %s, got %s", r->line,
                                   p->path, p->type, why ? why : actual);
}

/* A number in a timestamp column (a JSON number, or CSV text that is one):
 * converted by the timestamp unit, else a mismatch naming the option. */
static int ts_number(const dlk_records_reader *r, const plan *p, const char *text, bool integral,
                     int64_t *us)
{
    int unit = r->opts.timestamp_unit;
    if (!unit)
        return dlk_err_schema_mismatch(
            p->type, "number",
            "line %" PRId64 ": column '%s': expected %s, got the number %s; say which unit it "
            "counts since the epoch with --timestamp-unit s|ms|us|ns (config key timestamp_unit), "
            "or write RFC 3339 text",
            r->line, p->path, p->type, text);
    bool ok;
    if (integral) {
        errno = 0;
        char *end;
        long long v = strtoll(text, &end, 10);
        ok = !errno && *end == 0 && dlk_ts_from_epoch_int(v, unit, us);
    } else {
        char *end;
        double d = strtod(text, &end);
        ok = *end == 0 && dlk_ts_from_epoch_double(d, unit, us);
    }
    if (!ok)
        return dlk_err_schema_mismatch(p->type, "number",
                                       "line %" PRId64 ": column '%s': the number %s (%s since the "
                                       "epoch) is outside the timestamp range (years 0001-9999)",
                                       r->line, p->path, text, dlk_ts_unit_name(unit));
    return DLK_OK;
}

/* The text of a JSON number (for ts_number). */
static const char *number_text(json_t *v, char *buf, size_t cap, bool *integral)
{
    *integral = json_is_integer(v);
    if (*integral)
        snprintf(buf, cap, "%" PRId64, (int64_t)json_integer_value(v));
    else
        snprintf(buf, cap, "%.17g", json_real_value(v));
    return buf;
}

/* CSV text that is a plain number ([-]digits[.digits][e..]): *integral when no fraction. */
static bool csv_is_number(const char *s, size_t n, bool *integral)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == d) return false;
    *integral = i == n;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) i++;
        size_t e = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e) return false;
    }
    return i == n;
}

/* A builder failure gets the line prefixed (it already names the column). */
static int bfail(const dlk_records_reader *r, int rc)
{
    return dlk_err_context(rc, "line %" PRId64, r->line);
}

static int append_null(dlk_records_reader *r, const plan *p)
{
    if (!p->nullable)
        return dlk_err_schema_mismatch(
            p->type, "null", "line %" PRId64 ": column '%s': expected %s not null, got %s", r->line,
            p->path, p->type, "null or missing value");
    int rc = dlk_arrow_builder_append_null(p->b);
    return rc ? bfail(r, rc) : DLK_OK;
}

/* Decimal text check + append. Accepts [-+]digits[.digits]. */
static int append_dec_text(dlk_records_reader *r, const plan *p, const char *s, size_t n)
{
    size_t i = 0, int_digits = 0, frac = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    size_t st = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, int_digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, frac++;
    }
    if (i != n || (int_digits == 0 && frac == 0) || i == st)
        return mismatch(r, p, "string", "a string that is not a decimal number");
    /* Leading zeros do not count toward the precision. */
    size_t lead = 0;
    while (lead < int_digits && s[st + lead] == '0')
        lead++;
    /* Trailing zeros beyond the scale are harmless. */
    size_t eff_frac = frac;
    while (eff_frac > (size_t)p->dec_scale && s[n - 1 - (frac - eff_frac)] == '0')
        eff_frac--;
    if (eff_frac > (size_t)p->dec_scale)
        return mismatch(r, p, "decimal", "a value with more fraction digits than the scale");
    if (int_digits - lead + (size_t)p->dec_scale > (size_t)p->dec_prec)
        return mismatch(r, p, "decimal", "a value out of range");
    int rc = dlk_arrow_builder_append_decimal_str(
        p->b, s, n - (frac - eff_frac) - (eff_frac == 0 && frac ? 1 : 0));
    return rc ? bfail(r, rc) : DLK_OK;
}

static int convert_json(dlk_records_reader *r, const plan *p, json_t *v);

/* Convert the fields of obj into the struct's children, in the object's
 * key order; then missing fields become nulls (or a mismatch when not
 * nullable). */
static int convert_struct(dlk_records_reader *r, const plan *p, json_t *obj)
{
    int rc = dlk_arrow_builder_begin(p->b);
    if (rc) return bfail(r, rc);
    int64_t len = dlk_arrow_builder_length(p->b);
    size_t k = 0, hit = 0, unknown = 0;
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it), k++) {
        const char *key = json_object_iter_key(it);
        int ci;
        if (k < N_PRED && p->pred[k].name && !strcmp(key, p->pred[k].name)) {
            ci = p->pred[k].ci;
        } else {
            uintptr_t x = (uintptr_t)dlk_map_get_str(&p->index, key);
            uintptr_t part =
                (!x && !*p->path) ? (uintptr_t)dlk_map_get_str(&r->part_names, key) : 0;
            ci = x ? (int)x - 1 : -1;
            if (!x && !part) unknown++;
            if (k < N_PRED) {
                p->pred[k].name = x      ? p->children[ci].name
                                  : part ? r->opts.partition_cols[part - 1]
                                         : NULL;
                p->pred[k].ci = ci;
            }
        }
        if (ci < 0) continue; /* a partition column, or not in the schema */
        hit++;
        if ((rc = convert_json(r, &p->children[ci], json_object_iter_value(it)))) return rc;
    }
    if (hit < p->n_children) {
        for (size_t i = 0; i < p->n_children; i++) {
            const plan *c = &p->children[i];
            if (dlk_arrow_builder_length(c->b) < len && (rc = append_null(r, c))) return rc;
        }
    }
    if (unknown && r->opts.strict) {
        const char *key;
        json_t *val;
        json_object_foreach(obj, key, val)
        {
            if (!dlk_map_get_str(&p->index, key) &&
                (*p->path || !dlk_map_get_str(&r->part_names, key))) {
                return dlk_err_schema_mismatch(p->type, key,
                                               "line %" PRId64
                                               ": field '%s%s%s' is not in the table schema "
                                               "(merge_schema adds it as a column: --merge-schema; "
                                               "strict=false drops it: --ignore-unknown)",
                                               r->line, p->path, *p->path ? "." : "", key);
            }
        }
    }
    rc = dlk_arrow_builder_end(p->b);
    return rc ? bfail(r, rc) : DLK_OK;
}

static int convert_json(dlk_records_reader *r, const plan *p, json_t *v)
{
    int rc;
    if (!v || json_is_null(v)) return append_null(r, p);
    switch (p->kind) {
    case K_BOOL:
        if (!json_is_boolean(v)) return mismatch(r, p, json_kind(v), NULL);
        rc = dlk_arrow_builder_append_bool(p->b, json_is_true(v));
        break;
    case K_INT: {
        if (!json_is_integer(v)) {
            if (json_is_real(v)) {
                double d = json_real_value(v);
                if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18 && d >= (double)p->lo &&
                    d <= (double)p->hi) {
                    rc = dlk_arrow_builder_append_int(p->b, (int64_t)d);
                    break;
                }
                return mismatch(r, p, "double", "a non-integral or out-of-range number");
            }
            return mismatch(r, p, json_kind(v), NULL);
        }
        json_int_t x = json_integer_value(v);
        if ((int64_t)x < p->lo || (int64_t)x > p->hi) {
            char why[96];
            snprintf(why, sizeof why, "%" PRId64 " (out of range)", (int64_t)x);
            return mismatch(r, p, "long", why);
        }
        rc = dlk_arrow_builder_append_int(p->b, (int64_t)x);
        break;
    }
    case K_FLOAT:
        if (json_is_number(v)) {
            rc = dlk_arrow_builder_append_double(p->b, json_number_value(v));
        } else if (json_is_string(v)) {
            const char *s = json_string_value(v);
            double d;
            if (!strcmp(s, "NaN"))
                d = NAN;
            else if (!strcmp(s, "Infinity") || !strcmp(s, "+Infinity"))
                d = INFINITY;
            else if (!strcmp(s, "-Infinity"))
                d = -INFINITY;
            else
                return mismatch(r, p, "string", NULL);
            rc = dlk_arrow_builder_append_double(p->b, d);
        } else {
            return mismatch(r, p, json_kind(v), NULL);
        }
        break;
    case K_STRING:
        if (!json_is_string(v)) return mismatch(r, p, json_kind(v), NULL);
        rc = dlk_arrow_builder_append_bytes(p->b, json_string_value(v), json_string_length(v));
        break;
    case K_BINARY: {
        if (!json_is_string(v)) return mismatch(r, p, json_kind(v), NULL);
        uint8_t *bytes = NULL;
        size_t n = 0;
        if (dlk_base64_decode(json_string_value(v), json_string_length(v), &bytes, &n))
            return mismatch(r, p, "string", "a string that is not base64");
        rc = dlk_arrow_builder_append_bytes(p->b, bytes, n);
        dlk_free(bytes);
        break;
    }
    case K_DATE: {
        if (!json_is_string(v)) return mismatch(r, p, json_kind(v), NULL);
        int32_t days;
        if (dlk_parse_date(json_string_value(v), json_string_length(v), &days))
            return mismatch(r, p, "string", "a string that is not a date (YYYY-MM-DD)");
        rc = dlk_arrow_builder_append_int(p->b, days);
        break;
    }
    case K_TS:
    case K_TSNTZ: {
        int64_t us;
        bool zone = false;
        if (json_is_number(v)) {
            char num[40];
            bool integral;
            const char *nt = number_text(v, num, sizeof num, &integral);
            if ((rc = ts_number(r, p, nt, integral, &us))) return rc;
        } else {
            if (!json_is_string(v)) return mismatch(r, p, json_kind(v), NULL);
            if (dlk_parse_timestamp(json_string_value(v), json_string_length(v), &us, &zone))
                return mismatch(r, p, "string", "a string that is not an RFC 3339 timestamp");
            if (zone && p->kind == K_TSNTZ)
                return mismatch(r, p, "timestamp", "a timestamp with a time-zone offset");
        }
        rc = dlk_arrow_builder_append_int(p->b, us);
        break;
    }
    case K_DEC:
        if (json_is_string(v))
            return append_dec_text(r, p, json_string_value(v), json_string_length(v));
        if (json_is_integer(v)) {
            char t[32];
            int n = snprintf(t, sizeof t, "%" PRId64, (int64_t)json_integer_value(v));
            return append_dec_text(r, p, t, (size_t)n);
        }
        if (json_is_real(v)) {
            double d = json_real_value(v);
            char t[400];
            if (!isfinite(d) || fabs(d) > 1e38)
                return mismatch(r, p, "double", "a number out of range");
            int n = snprintf(t, sizeof t, "%.*f", p->dec_scale, d);
            if (n <= 0 || (size_t)n >= sizeof t || strtod(t, NULL) != d)
                return mismatch(r, p, "double", "a value with more fraction digits than the scale");
            return append_dec_text(r, p, t, (size_t)n);
        }
        return mismatch(r, p, json_kind(v), NULL);
    case K_STRUCT:
        if (!json_is_object(v)) return mismatch(r, p, json_kind(v), NULL);
        return convert_struct(r, p, v);
    case K_LIST: {
        if (!json_is_array(v)) return mismatch(r, p, json_kind(v), NULL);
        if ((rc = dlk_arrow_builder_begin(p->b))) return bfail(r, rc);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if ((rc = convert_json(r, &p->children[0], e))) return rc;
        }
        rc = dlk_arrow_builder_end(p->b);
        break;
    }
    case K_MAP: {
        if (!json_is_object(v)) return mismatch(r, p, json_kind(v), NULL);
        if ((rc = dlk_arrow_builder_begin(p->b))) return bfail(r, rc);
        const plan *kp = &p->children[0];
        for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
            const char *key = json_object_iter_key(it);
            json_t *val = json_object_iter_value(it);
            if (kp->kind == K_STRING) {
                rc = dlk_arrow_builder_append_bytes(kp->b, key, json_object_iter_key_len(it));
                if (rc) return bfail(r, rc);
            } else {
                /* Non-string keys: convert the key text as a JSON scalar. */
                json_t *kv = NULL;
                int64_t iv;
                if (kp->kind == K_INT && dlk_parse_i64(key, &iv) == DLK_OK)
                    kv = json_integer(iv);
                else
                    kv = json_string(key);
                if (!kv) return dlk_err_nomem();
                rc = convert_json(r, kp, kv);
                json_decref(kv);
                if (rc) return rc;
            }
            if ((rc = convert_json(r, &p->children[1], val))) return rc;
        }
        rc = dlk_arrow_builder_end(p->b);
        break;
    }
    default:
        return dlk_err_set(DLK_UNSUPPORTED, "column '%s': type not supported", p->path);
    }
    return rc ? bfail(r, rc) : DLK_OK;
}

/* ---- CSV ---------------------------------------------------------------- */

static int convert_text(dlk_records_reader *r, const plan *p, const char *s, size_t n, bool quoted)
{
    int rc;
    if (n == 0 && !quoted && p->kind != K_STRING) return append_null(r, p);
    if (n == 0 && !quoted) return append_null(r, p);
    char tmp[128];
    const char *z = s; /* NUL-terminated copy for the number parsers */
    if (n < sizeof tmp) {
        memcpy(tmp, s, n);
        tmp[n] = 0;
        z = tmp;
    }
    switch (p->kind) {
    case K_BOOL: {
        bool b;
        if (n >= sizeof tmp || dlk_parse_bool(z, &b))
            return mismatch(r, p, "string", "text that is not a boolean");
        rc = dlk_arrow_builder_append_bool(p->b, b);
        break;
    }
    case K_INT: {
        int64_t x;
        if (n >= sizeof tmp || dlk_parse_i64(z, &x))
            return mismatch(r, p, "string", "text that is not an integer");
        if (x < p->lo || x > p->hi) return mismatch(r, p, "long", "a value out of range");
        rc = dlk_arrow_builder_append_int(p->b, x);
        break;
    }
    case K_FLOAT: {
        double d;
        if (n < sizeof tmp && !strcmp(z, "NaN"))
            d = NAN;
        else if (n < sizeof tmp && !strcmp(z, "Infinity"))
            d = INFINITY;
        else if (n < sizeof tmp && !strcmp(z, "-Infinity"))
            d = -INFINITY;
        else if (n >= sizeof tmp || dlk_parse_double(z, &d))
            return mismatch(r, p, "string", "text that is not a number");
        rc = dlk_arrow_builder_append_double(p->b, d);
        break;
    }
    case K_STRING:
        rc = dlk_arrow_builder_append_bytes(p->b, s, n);
        break;
    case K_BINARY: {
        uint8_t *bytes = NULL;
        size_t bn = 0;
        if (dlk_base64_decode(s, n, &bytes, &bn))
            return mismatch(r, p, "string", "text that is not base64");
        rc = dlk_arrow_builder_append_bytes(p->b, bytes, bn);
        dlk_free(bytes);
        break;
    }
    case K_DATE: {
        int32_t days;
        if (dlk_parse_date(s, n, &days)) return mismatch(r, p, "string", "text that is not a date");
        rc = dlk_arrow_builder_append_int(p->b, days);
        break;
    }
    case K_TS:
    case K_TSNTZ: {
        int64_t us;
        bool zone = false, integral;
        if (n < 40 && csv_is_number(s, n, &integral)) {
            char num[40];
            memcpy(num, s, n);
            num[n] = 0;
            if ((rc = ts_number(r, p, num, integral, &us))) return rc;
        } else if (dlk_parse_timestamp(s, n, &us, &zone))
            return mismatch(r, p, "string", "text that is not a timestamp");
        if (zone && p->kind == K_TSNTZ)
            return mismatch(r, p, "timestamp", "a timestamp with a time-zone offset");
        rc = dlk_arrow_builder_append_int(p->b, us);
        break;
    }
    case K_DEC:
        return append_dec_text(r, p, s, n);
    default:
        return dlk_err_set(DLK_UNSUPPORTED, "line %" PRId64 ": column '%s': %s values in CSV input",
                           r->line, p->path, p->type);
    }
    return rc ? bfail(r, rc) : DLK_OK;
}

/* ---- input -------------------------------------------------------------- */

/* Next line (without the newline) as [*s, *n); false at EOF. For CSV a
 * quoted field may span lines: the caller asks for the record end. */
static int next_chunk(dlk_records_reader *r)
{
    if (r->mem || r->eof) return DLK_OK;
    /* compact */
    if (r->in_pos > 0) {
        memmove(r->in.data, r->in.data + r->in_pos, r->in.len - r->in_pos);
        r->in.len -= r->in_pos;
        r->in_pos = 0;
    }
    if (dlk_buf_reserve(&r->in, 1 << 20)) return dlk_err_nomem();
    size_t got = fread(r->in.data + r->in.len, 1, r->in.cap - r->in.len - 1, r->f);
    if (got == 0) {
        if (ferror(r->f)) return dlk_err_set(DLK_IO, "input: read failed: %s", strerror(errno));
        r->eof = true;
    }
    r->in.len += got;
    r->in.data[r->in.len] = 0;
    return DLK_OK;
}

static int read_line(dlk_records_reader *r, const char **s, size_t *n, bool *got)
{
    *got = false;
    if (r->mem) {
        if (r->mem_pos >= r->mem_len) return DLK_OK;
        const char *st = r->mem + r->mem_pos;
        const char *nl = memchr(st, '\n', r->mem_len - r->mem_pos);
        size_t len = nl ? (size_t)(nl - st) : r->mem_len - r->mem_pos;
        r->mem_pos += len + (nl ? 1 : 0);
        *s = st;
        *n = len;
        *got = true;
        return DLK_OK;
    }
    for (;;) {
        const char *st = (const char *)r->in.data + r->in_pos;
        size_t avail = r->in.len - r->in_pos;
        const char *nl = avail ? memchr(st, '\n', avail) : NULL;
        if (nl) {
            *s = st;
            *n = (size_t)(nl - st);
            r->in_pos += *n + 1;
            *got = true;
            return DLK_OK;
        }
        if (r->eof) {
            if (!avail) return DLK_OK;
            *s = st;
            *n = avail;
            r->in_pos += avail;
            *got = true;
            return DLK_OK;
        }
        int rc = next_chunk(r);
        if (rc) return rc;
    }
}

typedef struct slot {
    char *key;
    char **values; /* n_part partition values (NULL: null) */
    dlk_arrow_builder *b;
    plan top;
    int64_t rows;
} slot;

static void slot_free(dlk_records_reader *r, slot *s)
{
    if (!s) return;
    for (size_t i = 0; i < r->n_part; i++)
        dlk_free(s->values ? s->values[i] : NULL);
    dlk_free(s->values);
    dlk_free(s->key);
    plan_free(&s->top);
    dlk_arrow_builder_free(s->b);
    dlk_free(s);
}

/* Find or create the slot for the partition values in r->vals. */
static int get_slot(dlk_records_reader *r, slot **out)
{
    dlk_buf_reset(&r->key);
    for (size_t i = 0; i < r->n_part; i++) {
        /* "<length>:<value>/" per value, "N/" for null (once per record: no printf) */
        int rc;
        if (r->vals[i]) {
            size_t n = strlen(r->vals[i]);
            char num[24];
            int d = (int)sizeof num;
            size_t x = n;
            do
                num[--d] = (char)('0' + x % 10);
            while ((x /= 10) > 0);
            rc = dlk_buf_reserve(&r->key, (sizeof num - (size_t)d) + n + 2);
            if (!rc) {
                dlk_buf_append(&r->key, num + d, sizeof num - (size_t)d);
                dlk_buf_putc(&r->key, ':');
                dlk_buf_append(&r->key, r->vals[i], n);
                dlk_buf_putc(&r->key, '/');
            }
        } else {
            rc = dlk_buf_append(&r->key, "N/", 2);
        }
        if (rc) return rc;
    }
    const char *k = dlk_buf_cstr(&r->key);
    slot *s = dlk_map_get_str(&r->slot_index, k);
    if (s) {
        *out = s;
        return DLK_OK;
    }
    s = dlk_calloc(1, sizeof *s);
    if (!s) return dlk_err_nomem();
    int rc = DLK_OK;
    s->key = dlk_strdup(k);
    s->values = dlk_calloc(r->n_part ? r->n_part : 1, sizeof(char *));
    if (!s->key || !s->values) rc = dlk_err_nomem();
    for (size_t i = 0; i < r->n_part && !rc; i++)
        if (r->vals[i] && !(s->values[i] = dlk_strdup(r->vals[i]))) rc = dlk_err_nomem();
    if (!rc) rc = dlk_arrow_builder_new(&r->data_schema, &s->b);
    if (!rc) rc = plan_build(&s->top, s->b, "");
    if (!rc && dlk_vec_push(&r->slots, &s)) rc = dlk_err_nomem();
    if (rc) {
        slot_free(r, s);
        return rc;
    }
    if (dlk_map_put_str(&r->slot_index, s->key, s)) return dlk_err_nomem();
    *out = s;
    return DLK_OK;
}

static int common_open(const struct ArrowSchema *schema, const dlk_records_options *opts,
                       dlk_records_reader **out)
{
    *out = NULL;
    if (!schema || strcmp(schema->format, "+s"))
        return dlk_err_set(DLK_INVALID_ARGUMENT, "records: schema must be a struct");
    dlk_records_reader *r = dlk_calloc(1, sizeof *r);
    if (!r) return dlk_err_nomem();
    dlk_records_options d = DLK_RECORDS_OPTIONS_INIT;
    r->opts = opts ? *opts : d;
    if (!r->opts.batch_rows) r->opts.batch_rows = 65536;
    if (!r->opts.batch_bytes) r->opts.batch_bytes = (size_t)64 << 20;
    if (r->opts.first_line > 1) r->line = r->opts.first_line - 1;
    r->csv_fields.elem = sizeof(dlk_buf);
    r->slots.elem = sizeof(slot *);
    int rc = dlk_arrow_schema_copy(schema, &r->schema);
    if (!rc) rc = dlk_arrow_builder_new(&r->schema, &r->full_b);
    if (!rc) rc = plan_build(&r->full, r->full_b, "");
    r->n_part = r->opts.n_partition_cols;
    if (!rc) {
        r->part_idx = dlk_calloc(r->n_part + 1, sizeof(int));
        r->vals = dlk_calloc(r->n_part + 1, sizeof(char *));
        r->borrowed = dlk_calloc(r->n_part + 1, sizeof(bool));
        r->dbuf = dlk_calloc(r->n_part + 1, sizeof *r->dbuf);
        if (!r->part_idx || !r->vals || !r->borrowed || !r->dbuf) rc = dlk_err_nomem();
    }
    for (size_t i = 0; i < r->n_part && !rc; i++) {
        const char *pn = r->opts.partition_cols[i];
        int64_t idx = dlk_arrow_schema_find(schema, pn);
        if (idx < 0) {
            rc =
                dlk_err_set(DLK_INVALID_ARGUMENT, "partition column '%s' is not in the schema", pn);
            break;
        }
        int k = r->full.children[idx].kind;
        if (k == K_STRUCT || k == K_LIST || k == K_MAP || k == K_BINARY) {
            rc = dlk_err_set(DLK_UNSUPPORTED, "partition column '%s' of type %s", pn,
                             r->full.children[idx].type);
            break;
        }
        r->part_idx[i] = (int)idx;
        if (dlk_map_put_str(&r->part_names, pn, (void *)(uintptr_t)(i + 1))) rc = dlk_err_nomem();
    }
    if (!rc) {
        size_t nd = (size_t)schema->n_children - r->n_part, j = 0;
        rc = dlk_arrow_schema_new(&r->data_schema, "+s", schema->name, schema->flags, (int64_t)nd);
        for (int64_t i = 0; i < schema->n_children && !rc; i++) {
            if (dlk_map_get_str(&r->part_names, schema->children[i]->name)) continue;
            dlk_arrow_schema_release(r->data_schema.children[j]);
            rc = dlk_arrow_schema_copy(schema->children[i], r->data_schema.children[j++]);
        }
    }
    if (rc) {
        dlk_ops_records_free(r);
        return rc;
    }
    *out = r;
    return DLK_OK;
}

int dlk_ops_records_open(const struct ArrowSchema *schema, const dlk_records_options *opts, FILE *f,
                         dlk_records_reader **out)
{
    int rc = common_open(schema, opts, out);
    if (rc) return rc;
    (*out)->f = f;
    return DLK_OK;
}

int dlk_ops_records_open_mem(const struct ArrowSchema *schema, const dlk_records_options *opts,
                             const char *text, size_t n, dlk_records_reader **out)
{
    int rc = common_open(schema, opts, out);
    if (rc) return rc;
    (*out)->mem = text ? text : "";
    (*out)->mem_len = text ? n : 0;
    return DLK_OK;
}

void dlk_ops_records_free(dlk_records_reader *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->slots.len; i++)
        slot_free(r, dlk_vec_at(&r->slots, slot *, i));
    dlk_vec_free(&r->slots);
    dlk_map_free(&r->slot_index);
    dlk_map_free(&r->part_names);
    plan_free(&r->full);
    dlk_arrow_builder_free(r->full_b);
    dlk_arrow_schema_release(&r->schema);
    dlk_arrow_schema_release(&r->data_schema);
    dlk_buf_free(&r->in);
    dlk_buf_free(&r->key);
    for (size_t i = 0; i < r->csv_fields.len; i++)
        dlk_buf_free(&dlk_vec_at(&r->csv_fields, dlk_buf, i));
    dlk_vec_free(&r->csv_fields);
    dlk_map_free(&r->csv_idx);
    if (r->vals)
        for (size_t i = 0; i < r->n_part; i++)
            if (!r->borrowed[i]) dlk_free(r->vals[i]);
    dlk_free(r->vals);
    dlk_free(r->borrowed);
    dlk_free(r->dbuf);
    dlk_free(r->part_idx);
    dlk_free(r);
}

int64_t dlk_ops_records_count(const dlk_records_reader *r)
{
    return r ? r->count : 0;
}

const struct ArrowSchema *dlk_ops_records_schema(const dlk_records_reader *r)
{
    return &r->schema;
}

const struct ArrowSchema *dlk_ops_records_data_schema(const dlk_records_reader *r)
{
    return &r->data_schema;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
    return true;
}

/* Partition value text of a JSON value by the column's plan (NULL for null). */
static int part_value(dlk_records_reader *r, const plan *p, json_t *v, bool missing_ok, char **out)
{
    char t[64];
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (!p->nullable && !missing_ok) return append_null(r, p); /* reports the mismatch */
        return DLK_OK;
    }
    switch (p->kind) {
    case K_STRING:
        if (!json_is_string(v)) return mismatch(r, p, json_kind(v), NULL);
        *out = dlk_strndup(json_string_value(v), json_string_length(v));
        break;
    case K_INT: {
        if (!json_is_integer(v)) return mismatch(r, p, json_kind(v), NULL);
        int64_t x = (int64_t)json_integer_value(v);
        if (x < p->lo || x > p->hi) return mismatch(r, p, "long", "a value out of range");
        snprintf(t, sizeof t, "%" PRId64, x);
        *out = dlk_strdup(t);
        break;
    }
    case K_BOOL:
        if (!json_is_boolean(v)) return mismatch(r, p, json_kind(v), NULL);
        *out = dlk_strdup(json_is_true(v) ? "true" : "false");
        break;
    case K_FLOAT: {
        if (!json_is_number(v)) return mismatch(r, p, json_kind(v), NULL);
        double d = json_number_value(v);
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(t, sizeof t, "%.*g", prec, d);
            if (strtod(t, NULL) == d) break;
        }
        *out = dlk_strdup(t);
        break;
    }
    case K_DATE: {
        int32_t days;
        if (!json_is_string(v)) return mismatch(r, p, json_kind(v), NULL);
        if (dlk_parse_date(json_string_value(v), json_string_length(v), &days))
            return mismatch(r, p, "string", "a string that is not a date (YYYY-MM-DD)");
        dlk_format_date(days, t);
        *out = dlk_strdup(t);
        break;
    }
    case K_TS:
    case K_TSNTZ: {
        int64_t us;
        bool zone = false;
        if (json_is_number(v)) {
            char num[40];
            bool integral;
            const char *nt = number_text(v, num, sizeof num, &integral);
            int trc = ts_number(r, p, nt, integral, &us);
            if (trc) return trc;
        } else if (!json_is_string(v))
            return mismatch(r, p, json_kind(v), NULL);
        else if (dlk_parse_timestamp(json_string_value(v), json_string_length(v), &us, &zone))
            return mismatch(r, p, "string", "a string that is not an RFC 3339 timestamp");
        if (zone && p->kind == K_TSNTZ)
            return mismatch(r, p, "timestamp", "a timestamp with a time-zone offset");
        size_t n = dlk_format_timestamp(us, false, t); /* YYYY-MM-DDTHH:MM:SS.ffffff */
        t[10] = ' ';
        if (n >= 26 && !strcmp(t + 19, ".000000")) t[19] = 0;
        *out = dlk_strdup(t);
        break;
    }
    case K_DEC: {
        const char *s;
        char num[48];
        if (json_is_string(v))
            s = json_string_value(v);
        else if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%" PRId64, (int64_t)json_integer_value(v));
            s = num;
        } else
            return mismatch(r, p, json_kind(v), NULL);
        /* validate by the same rules as values */
        int rc = append_dec_text(r, p, s, strlen(s));
        if (rc) return rc;
        /* canonical text: exactly `scale` fraction digits */
        const char *dot = strchr(s, '.');
        size_t frac = dot ? strlen(dot + 1) : 0;
        dlk_buf b = {0};
        if (dlk_buf_append(&b, s, dot ? (size_t)(dot - s) : strlen(s))) return dlk_err_nomem();
        if (p->dec_scale > 0) {
            dlk_buf_putc(&b, '.');
            for (int i = 0; i < p->dec_scale; i++)
                dlk_buf_putc(&b, (size_t)i < frac ? dot[1 + i] : '0');
        }
        *out = dlk_buf_detach(&b);
        break;
    }
    default:
        return dlk_err_set(DLK_UNSUPPORTED, "partition column '%s'", p->path);
    }
    return *out ? DLK_OK : dlk_err_nomem();
}

int dlk_ops_bucket_of(const char *text, size_t len, int n)
{
    if (n <= 0) return 0;
    return (int)(dlk_hash_bytes(text, len) % (uint64_t)n);
}

static int bucket_text(const dlk_records_reader *r, size_t i, const char *t, size_t len, char **out)
{
    char b[24];
    snprintf(b, sizeof b, "%d", dlk_ops_bucket_of(t, len, r->opts.bucket_n[i]));
    *out = dlk_strdup(b);
    return *out ? DLK_OK : dlk_err_nomem();
}

static int bucket_json(const dlk_records_reader *r, size_t i, json_t *v, char **out)
{
    char t[64];
    if (!v || json_is_null(v)) return bucket_text(r, i, "", 0, out);
    if (json_is_string(v))
        return bucket_text(r, i, json_string_value(v), json_string_length(v), out);
    if (json_is_integer(v)) {
        int n = snprintf(t, sizeof t, "%" PRId64, (int64_t)json_integer_value(v));
        return bucket_text(r, i, t, (size_t)n, out);
    }
    if (json_is_boolean(v))
        return bucket_text(r, i, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5, out);
    char *d = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!d) return dlk_err_nomem();
    int rc = bucket_text(r, i, d, strlen(d), out);
    free(d);
    return rc;
}

int dlk_ops_records_part_json(dlk_records_reader *r, size_t i, json_t *v, int64_t line, char **out)
{
    *out = NULL;
    if (i >= r->n_part)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "records: no partition column %zu", i);
    r->line = line;
    if (r->opts.bucket_src && r->opts.bucket_src[i]) return bucket_json(r, i, v, out);
    return part_value(r, &r->full.children[r->part_idx[i]], v,
                      r->opts.part_given && r->opts.part_given[i], out);
}

static void clear_vals(dlk_records_reader *r)
{
    for (size_t i = 0; i < r->n_part; i++) {
        if (!r->borrowed[i]) dlk_free(r->vals[i]);
        r->vals[i] = NULL;
        r->borrowed[i] = false;
    }
}

/* A date "YYYY-MM-DD" of a valid day (already its canonical text) copied
 * to out; false for any other text (the caller then takes the general
 * path, which reports errors). */
static bool date_text(const char *s, char *out)
{
    int32_t days;
    if (dlk_parse_date(s, 10, &days)) {
        dlk_error_clear();
        return false;
    }
    memcpy(out, s, 10);
    out[10] = 0;
    return true;
}

/* Convert the parsed record v of line r->line (v stays the caller's). */
static int ndjson_value(dlk_records_reader *r, json_t *v, slot **used)
{
    int rc = DLK_OK;
    if (!json_is_object(v)) {
        rc = dlk_err_schema_mismatch("struct", json_kind(v),
                                     "line %" PRId64 ": expected a JSON object, got %s", r->line,
                                     json_kind(v));
    } else {
        clear_vals(r);
        for (size_t i = 0; i < r->n_part && !rc; i++) {
            json_t *pv = json_object_get(v, r->opts.partition_cols[i]);
            const plan *pp = &r->full.children[r->part_idx[i]];
            if (r->opts.bucket_src && r->opts.bucket_src[i]) {
                rc = bucket_json(r, i, json_object_get(v, r->opts.bucket_src[i]), &r->vals[i]);
            } else if (pp->kind == K_STRING && json_is_string(pv)) {
                /* the common cases without a copy: the JSON string itself
                 * (alive until the record is converted), a date's text */
                r->vals[i] = (char *)json_string_value(pv);
                r->borrowed[i] = true;
            } else if (pp->kind == K_DATE && json_is_string(pv) && json_string_length(pv) == 10 &&
                       date_text(json_string_value(pv), r->dbuf[i])) {
                r->vals[i] = r->dbuf[i];
                r->borrowed[i] = true;
            } else {
                rc =
                    part_value(r, pp, pv, r->opts.part_given && r->opts.part_given[i], &r->vals[i]);
            }
        }
        slot *sl = NULL;
        if (!rc) rc = get_slot(r, &sl);
        if (!rc) rc = convert_struct(r, &sl->top, v);
        if (!rc) {
            sl->rows++;
            *used = sl;
        }
    }
    return rc;
}

static int ndjson_record(dlk_records_reader *r, const char *s, size_t n, slot **used)
{
    json_error_t jerr;
    json_t *v = json_loadb(s, n, 0, &jerr);
    if (!v)
        return dlk_err_set(DLK_PARSE, "line %" PRId64 ", column %d: invalid JSON: %s", r->line,
                           jerr.column, jerr.text);
    int rc = ndjson_value(r, v, used);
    json_decref(v);
    return rc;
}

/* Split one CSV record (which may continue over following lines) into
 * r->csv_fields; *quoted_mask bit i set when field i was quoted. */
static int csv_record(dlk_records_reader *r, const char *s, size_t n, size_t *nf, uint64_t *qmask,
                      bool *got)
{
    size_t fi = 0;
    *qmask = 0;
    *got = true;
    int rc;
    dlk_buf *fb = NULL;
#define FIELD()                                                                                    \
    do {                                                                                           \
        if (fi >= r->csv_fields.len) {                                                             \
            dlk_buf nb = {0};                                                                      \
            if (dlk_vec_push(&r->csv_fields, &nb)) return dlk_err_nomem();                         \
        }                                                                                          \
        fb = &dlk_vec_at(&r->csv_fields, dlk_buf, fi);                                             \
        dlk_buf_reset(fb);                                                                         \
    } while (0)
    FIELD();
    size_t i = 0;
    bool inq = false, wasq = false;
    for (;;) {
        if (i >= n) {
            if (inq) { /* the quoted field continues on the next line */
                if ((rc = dlk_buf_putc(fb, '\n'))) return rc;
                bool more;
                if ((rc = read_line(r, &s, &n, &more))) return rc;
                if (!more)
                    return dlk_err_set(DLK_PARSE, "line %" PRId64 ": unterminated quoted CSV field",
                                       r->line);
                i = 0;
                continue;
            }
            break;
        }
        char c = s[i];
        if (inq) {
            if (c == '"') {
                if (i + 1 < n && s[i + 1] == '"') {
                    if ((rc = dlk_buf_putc(fb, '"'))) return rc;
                    i += 2;
                    continue;
                }
                inq = false;
                i++;
                continue;
            }
            if ((rc = dlk_buf_putc(fb, c))) return rc;
            i++;
            continue;
        }
        if (c == '"' && fb->len == 0) {
            inq = wasq = true;
            i++;
            continue;
        }
        if (c == ',') {
            if (wasq && fi < 64) *qmask |= 1ull << fi;
            fi++;
            wasq = false;
            FIELD();
            i++;
            continue;
        }
        if (c == '\r' && i + 1 == n) {
            i++;
            continue;
        }
        if ((rc = dlk_buf_putc(fb, c))) return rc;
        i++;
    }
    if (wasq && fi < 64) *qmask |= 1ull << fi;
    *nf = fi + 1;
#undef FIELD
    return DLK_OK;
}

static int csv_header(dlk_records_reader *r, size_t nf)
{
    r->n_csv_cols = nf;
    for (size_t i = 0; i < nf; i++) {
        dlk_buf *fb = &dlk_vec_at(&r->csv_fields, dlk_buf, i);
        const char *name = dlk_buf_cstr(fb);
        bool known = dlk_map_get_str(&r->full.index, name) != NULL;
        if (!known && r->opts.strict)
            return dlk_err_schema_mismatch(r->full.type, name,
                                           "line %" PRId64
                                           ": CSV column '%s' is not in the table schema "
                                           "(strict=false drops it: --ignore-unknown)",
                                           r->line, name);
        if (dlk_map_get_str(&r->csv_idx, name))
            return dlk_err_set(DLK_PARSE, "line %" PRId64 ": CSV column '%s' appears twice",
                               r->line, name);
        if (dlk_map_put_str(&r->csv_idx, name, (void *)(uintptr_t)(i + 1))) return dlk_err_nomem();
    }
    return DLK_OK;
}

static const dlk_buf *csv_field(dlk_records_reader *r, const char *name, size_t *fi)
{
    uintptr_t k = (uintptr_t)dlk_map_get_str(&r->csv_idx, name);
    if (!k) return NULL;
    *fi = k - 1;
    return &dlk_vec_at(&r->csv_fields, dlk_buf, k - 1);
}

static int csv_convert(dlk_records_reader *r, size_t nf, uint64_t qmask, slot **used)
{
    int rc;
    if (nf != r->n_csv_cols)
        return dlk_err_set(DLK_PARSE, "line %" PRId64 ": CSV record has %zu fields, the header %zu",
                           r->line, nf, r->n_csv_cols);
    clear_vals(r);
    for (size_t i = 0; i < r->n_part; i++) {
        const plan *pp = &r->full.children[r->part_idx[i]];
        size_t fi;
        if (r->opts.bucket_src && r->opts.bucket_src[i]) {
            const dlk_buf *sb = csv_field(r, r->opts.bucket_src[i], &fi);
            if ((rc = bucket_text(r, i, sb ? (const char *)sb->data : "", sb ? sb->len : 0,
                                  &r->vals[i])))
                return rc;
            continue;
        }
        const dlk_buf *fb = csv_field(r, r->opts.partition_cols[i], &fi);
        json_t *jv = NULL;
        if (fb && (fb->len || (fi < 64 && (qmask >> fi) & 1))) {
            const char *t = (const char *)fb->data;
            int64_t x;
            double d;
            bool bv;
            if (pp->kind == K_INT) {
                if (dlk_parse_i64(t, &x))
                    return mismatch(r, pp, "string", "text that is not an integer");
                jv = json_integer(x);
            } else if (pp->kind == K_FLOAT) {
                if (dlk_parse_double(t, &d))
                    return mismatch(r, pp, "string", "text that is not a number");
                jv = json_real(d);
            } else if (pp->kind == K_BOOL) {
                if (dlk_parse_bool(t, &bv))
                    return mismatch(r, pp, "string", "text that is not a boolean");
                jv = json_boolean(bv);
            } else {
                jv = json_stringn(t, fb->len);
            }
            if (!jv) return dlk_err_nomem();
        }
        rc = part_value(r, pp, jv, r->opts.part_given && r->opts.part_given[i], &r->vals[i]);
        json_decref(jv);
        if (rc) return rc;
    }
    slot *sl;
    if ((rc = get_slot(r, &sl))) return rc;
    if ((rc = dlk_arrow_builder_begin(sl->b))) return bfail(r, rc);
    const plan *p = &sl->top;
    for (size_t c = 0; c < p->n_children; c++) {
        size_t fi;
        const dlk_buf *fb = csv_field(r, dlk_arrow_builder_schema(p->children[c].b)->name, &fi);
        if (!fb) {
            if ((rc = append_null(r, &p->children[c]))) return rc;
            continue;
        }
        bool q = fi < 64 ? (qmask >> fi) & 1 : true;
        if ((rc = convert_text(r, &p->children[c], (const char *)fb->data, fb->len, q))) return rc;
    }
    if ((rc = dlk_arrow_builder_end(sl->b))) return bfail(r, rc);
    sl->rows++;
    *used = sl;
    return DLK_OK;
}

static int emit(dlk_records_reader *r, slot *s, struct ArrowArray *out)
{
    r->buffered_rows -= (size_t)s->rows;
    s->rows = 0;
    r->out_values = (const char *const *)s->values;
    return dlk_arrow_builder_finish(s->b, out);
}

/* After a record went into slot used: 1 when a batch was emitted into out
 * (the slot is full, or too much is buffered over all partitions: then the
 * largest), 0 to go on, or an error. */
static int batch_ready(dlk_records_reader *r, slot *used, struct ArrowArray *out,
                       const char *const **partition_values)
{
    bool full =
        (size_t)used->rows >= r->opts.batch_rows ||
        ((used->rows & 1023) == 0 && dlk_arrow_builder_bytes(used->b) >= r->opts.batch_bytes);
    if (!full && r->buffered_rows >= r->opts.batch_rows) {
        for (size_t i = 0; i < r->slots.len; i++) {
            slot *c = dlk_vec_at(&r->slots, slot *, i);
            if (c->rows > used->rows) used = c;
        }
        full = true;
    }
    if (!full) return 0;
    int rc = emit(r, used, out);
    if (rc) return rc;
    if (partition_values) *partition_values = r->out_values;
    return 1;
}

int dlk_ops_records_next_part(dlk_records_reader *r, struct ArrowArray *out,
                              const char *const **partition_values)
{
    memset(out, 0, sizeof *out);
    int rc;
    if (partition_values) *partition_values = NULL;
    while (!r->eof_all) {
        const char *s;
        size_t n;
        bool got;
        if ((rc = read_line(r, &s, &n, &got))) return rc;
        if (!got) {
            r->eof_all = true;
            break;
        }
        r->line++;
        if (blank(s, n)) continue;
        slot *used = NULL;
        if (r->opts.format == DLK_RECORDS_CSV) {
            size_t nf = 0;
            uint64_t qmask = 0;
            int64_t first = r->line;
            if ((rc = csv_record(r, s, n, &nf, &qmask, &got))) return rc;
            if (!r->csv_header_done) {
                r->csv_header_done = true;
                if ((rc = csv_header(r, nf))) return rc;
                continue;
            }
            int64_t last = r->line;
            r->line = first;
            rc = csv_convert(r, nf, qmask, &used);
            r->line = last;
            if (rc) return rc;
        } else {
            if ((rc = ndjson_record(r, s, n, &used))) return rc;
        }
        r->count++;
        r->buffered_rows++;
        if ((rc = batch_ready(r, used, out, partition_values))) return rc == 1 ? DLK_OK : rc;
    }
    while (r->next_flush < r->slots.len) {
        slot *c = dlk_vec_at(&r->slots, slot *, r->next_flush++);
        if (c->rows == 0) continue;
        if ((rc = emit(r, c, out))) return rc;
        if (partition_values) *partition_values = r->out_values;
        return DLK_OK;
    }
    return DLK_OK;
}

int dlk_ops_records_next(dlk_records_reader *r, struct ArrowArray *out)
{
    return dlk_ops_records_next_part(r, out, NULL);
}

/* ---- schema inference for --merge-schema ------------------------------- */

static int infer_type(json_t *v, const char *name, struct ArrowSchema *out);

static int infer_struct(json_t *obj, const char *name, struct ArrowSchema *out)
{
    size_t n = json_object_size(obj), i = 0;
    int rc = dlk_arrow_schema_new(out, "+s", name, ARROW_FLAG_NULLABLE, (int64_t)n);
    if (rc) return rc;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if ((rc = infer_type(val, key, out->children[i++]))) {
            dlk_arrow_schema_release(out);
            return rc;
        }
    }
    return DLK_OK;
}

static int infer_type(json_t *v, const char *name, struct ArrowSchema *out)
{
    const int64_t N = ARROW_FLAG_NULLABLE;
    switch (json_typeof(v)) {
    case JSON_STRING: {
        int64_t us;
        bool zone;
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        bool ts = n > 10 && dlk_parse_timestamp(s, n, &us, &zone) == DLK_OK;
        if (!ts) dlk_error_clear();
        return dlk_arrow_schema_new(out, ts ? "tsu:UTC" : "u", name, N, 0);
    }
    case JSON_INTEGER:
        return dlk_arrow_schema_new(out, "l", name, N, 0);
    case JSON_REAL:
        return dlk_arrow_schema_new(out, "g", name, N, 0);
    case JSON_TRUE:
    case JSON_FALSE:
        return dlk_arrow_schema_new(out, "b", name, N, 0);
    case JSON_OBJECT:
        return infer_struct(v, name, out);
    case JSON_ARRAY: {
        int rc = dlk_arrow_schema_new(out, "+l", name, N, 1);
        if (rc) return rc;
        json_t *first = NULL;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!json_is_null(e)) {
                first = e;
                break;
            }
        }
        if (first)
            rc = infer_type(first, "element", out->children[0]);
        else
            rc = dlk_arrow_schema_new(out->children[0], "u", "element", N, 0);
        if (rc) dlk_arrow_schema_release(out);
        return rc;
    }
    default:
        return dlk_arrow_schema_new(out, "u", name, N, 0); /* null: string until seen */
    }
}

/* Merge the fields of JSON object obj into the growing field list of a
 * struct (vec of ArrowSchema); nulls-only fields become string. */
typedef struct grow {
    dlk_vec fields;     /* ArrowSchema */
    dlk_vec nulls_only; /* bool per field: type is a placeholder */
    dlk_vec subs;       /* struct grow* per field, for struct fields (NULL otherwise) */
} grow;

static void grow_free(grow *g)
{
    for (size_t i = 0; i < g->fields.len; i++) {
        dlk_arrow_schema_release(&dlk_vec_at(&g->fields, struct ArrowSchema, i));
        grow *s = dlk_vec_at(&g->subs, grow *, i);
        if (s) {
            grow_free(s);
            dlk_free(s);
        }
    }
    dlk_vec_free(&g->fields);
    dlk_vec_free(&g->nulls_only);
    dlk_vec_free(&g->subs);
}

static void grow_init(grow *g)
{
    memset(g, 0, sizeof *g);
    g->fields.elem = sizeof(struct ArrowSchema);
    g->nulls_only.elem = sizeof(bool);
    g->subs.elem = sizeof(grow *);
}

static int grow_seed(grow *g, const struct ArrowSchema *s);

static int grow_add(grow *g, const char *key, json_t *val)
{
    for (size_t i = 0; i < g->fields.len; i++) {
        struct ArrowSchema *f = &dlk_vec_at(&g->fields, struct ArrowSchema, i);
        if (strcmp(f->name, key)) continue;
        bool *nulls = &dlk_vec_at(&g->nulls_only, bool, i);
        if (json_is_null(val)) return DLK_OK;
        if (*nulls) {
            dlk_arrow_schema_release(f);
            *nulls = false;
            int rc = infer_type(val, key, f);
            if (rc) return rc;
            if (json_is_object(val)) {
                grow *s = dlk_calloc(1, sizeof *s);
                if (!s) return dlk_err_nomem();
                grow_init(s);
                dlk_vec_at(&g->subs, grow *, i) = s;
                if ((rc = grow_seed(s, f))) return rc;
            }
            return DLK_OK;
        }
        grow *s = dlk_vec_at(&g->subs, grow *, i);
        if (s && json_is_object(val)) {
            const char *k;
            json_t *v;
            json_object_foreach(val, k, v)
            {
                int rc = grow_add(s, k, v);
                if (rc) return rc;
            }
        } else if (!strcmp(f->format, "l") && json_is_real(val)) {
            struct ArrowSchema d;
            int rc = dlk_arrow_schema_new(&d, "g", key, f->flags, 0);
            if (rc) return rc;
            dlk_arrow_schema_release(f);
            dlk_arrow_schema_move(&d, f);
        }
        return DLK_OK;
    }
    struct ArrowSchema f;
    bool nulls = json_is_null(val);
    int rc = infer_type(val, key, &f);
    if (rc) return rc;
    grow *sub = NULL;
    if (json_is_object(val)) {
        sub = dlk_calloc(1, sizeof *sub);
        if (!sub) {
            dlk_arrow_schema_release(&f);
            return dlk_err_nomem();
        }
        grow_init(sub);
        if ((rc = grow_seed(sub, &f))) {
            grow_free(sub);
            dlk_free(sub);
            dlk_arrow_schema_release(&f);
            return rc;
        }
    }
    if (dlk_vec_push(&g->fields, &f) || dlk_vec_push(&g->nulls_only, &nulls) ||
        dlk_vec_push(&g->subs, &sub))
        return dlk_err_nomem();
    return DLK_OK;
}

static int grow_seed(grow *g, const struct ArrowSchema *s)
{
    for (int64_t i = 0; i < s->n_children; i++) {
        struct ArrowSchema c;
        int rc = dlk_arrow_schema_copy(s->children[i], &c);
        if (rc) return rc;
        bool f = false;
        grow *sub = NULL;
        if (!strcmp(c.format, "+s")) {
            sub = dlk_calloc(1, sizeof *sub);
            if (!sub) return dlk_err_nomem();
            grow_init(sub);
            if ((rc = grow_seed(sub, &c))) return rc;
        }
        if (dlk_vec_push(&g->fields, &c) || dlk_vec_push(&g->nulls_only, &f) ||
            dlk_vec_push(&g->subs, &sub))
            return dlk_err_nomem();
    }
    return DLK_OK;
}

/* Build the final schema from a grow tree; *n_new counts fields added. */
static int grow_emit(grow *g, const char *name, int64_t flags, size_t base_n,
                     struct ArrowSchema *out)
{
    int rc = dlk_arrow_schema_new(out, "+s", name, flags, (int64_t)g->fields.len);
    if (rc) return rc;
    (void)base_n;
    for (size_t i = 0; i < g->fields.len; i++) {
        struct ArrowSchema *f = &dlk_vec_at(&g->fields, struct ArrowSchema, i);
        grow *s = dlk_vec_at(&g->subs, grow *, i);
        if (s) {
            if ((rc = grow_emit(s, f->name, f->flags, 0, out->children[i]))) return rc;
        } else {
            dlk_arrow_schema_move(f, out->children[i]);
        }
    }
    return DLK_OK;
}

static size_t count_leaves_fields(const struct ArrowSchema *s)
{
    size_t n = 0;
    for (int64_t i = 0; i < s->n_children; i++) {
        n++;
        if (!strcmp(s->children[i]->format, "+s")) n += count_leaves_fields(s->children[i]);
    }
    return n;
}

int dlk_ops_records_infer(const struct ArrowSchema *schema, const char *text, size_t n,
                          struct ArrowSchema *merged, size_t *n_new)
{
    grow g;
    grow_init(&g);
    int rc = grow_seed(&g, schema);
    size_t pos = 0;
    int64_t line = 0;
    while (!rc && pos < n) {
        const char *st = text + pos;
        const char *nl = memchr(st, '\n', n - pos);
        size_t len = nl ? (size_t)(nl - st) : n - pos;
        pos += len + (nl ? 1 : 0);
        line++;
        if (blank(st, len)) continue;
        json_error_t jerr;
        json_t *v = json_loadb(st, len, 0, &jerr);
        if (!v) {
            rc = dlk_err_set(DLK_PARSE, "line %" PRId64 ", column %d: invalid JSON: %s", line,
                             jerr.column, jerr.text);
            break;
        }
        if (json_is_object(v)) {
            const char *k;
            json_t *val;
            json_object_foreach(v, k, val)
            {
                if ((rc = grow_add(&g, k, val))) break;
            }
        }
        json_decref(v);
    }
    if (!rc) rc = grow_emit(&g, schema->name, schema->flags, 0, merged);
    grow_free(&g);
    if (!rc && n_new) *n_new = count_leaves_fields(merged) - count_leaves_fields(schema);
    return rc;
}

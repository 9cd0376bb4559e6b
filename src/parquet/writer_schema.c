/*
 * parquet/writer_schema.c - the writer's schema side: maps an Arrow "+s"
 * schema to Parquet SchemaElements (serialized once, for the footer) and to
 * the leaf columns with their definition/repetition levels and the steps
 * that lead from a top-level array to the leaf values.
 */
#include "parquet/thrift_write.h"
#include "parquet/writer_int.h"
#include "util/alloc.h"
#include "util/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ConvertedType values. */
enum { CT_UTF8 = 0, CT_MAP = 1, CT_LIST = 3, CT_DECIMAL = 5, CT_DATE = 6, CT_TS_MILLIS = 9,
       CT_TS_MICROS = 10, CT_UINT_8 = 11, CT_INT_8 = 15 };
/* FieldRepetitionType. */
enum { REP_REQUIRED = 0, REP_OPTIONAL = 1, REP_REPEATED = 2 };

typedef struct walk_ctx {
    dlk_pq_writer *w;
    dlk_vec cols; /* pq_col */
    pq_step steps[64];
    const char *parts[64];
} walk_ctx;

static int parse_uint(const char *s, const char **end)
{
    long v = 0;
    if (!isdigit((unsigned char)*s)) return -1;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s++ - '0');
        if (v > 100000000) return -1;
    }
    *end = s;
    return (int)v;
}

static int flba_bytes_for_precision(int p)
{
    unsigned __int128 ten = 1;
    for (int i = 0; i < p; i++) ten *= 10;
    for (int n = 1; n <= 16; n++) {
        unsigned __int128 lim = (unsigned __int128)1 << (8 * n - 1);
        if (ten <= lim) return n;
    }
    return 16;
}

/* Fill c's type fields from the Arrow format; precision and scale for decimals. */
static int classify_leaf(pq_col *c, const char *f, int *prec, int *scale, int *ts_unit, bool *utc)
{
    static const struct { const char *f; int k, pt; } simple[] = {
        {"b", LK_BOOL, PQ_BOOLEAN},     {"c", LK_I8, PQ_INT32},    {"s", LK_I16, PQ_INT32},
        {"i", LK_I32, PQ_INT32},        {"l", LK_I64, PQ_INT64},   {"C", LK_U8, PQ_INT32},
        {"S", LK_U16, PQ_INT32},        {"I", LK_U32, PQ_INT32},   {"L", LK_U64, PQ_INT64},
        {"f", LK_F32, PQ_FLOAT},        {"g", LK_F64, PQ_DOUBLE},  {"u", LK_STRING, PQ_BYTE_ARRAY},
        {"z", LK_BINARY, PQ_BYTE_ARRAY}, {"tdD", LK_DATE, PQ_INT32},
        {"U", LK_STRING, PQ_BYTE_ARRAY}, {"Z", LK_BINARY, PQ_BYTE_ARRAY},
    };
    c->ts_mult = 1;
    c->large_offsets = strcmp(f, "U") == 0 || strcmp(f, "Z") == 0;
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (strcmp(f, simple[i].f) == 0) {
            c->kind = simple[i].k;
            c->ptype = simple[i].pt;
            return DLK_OK;
        }
    }
    if (strcmp(f, "e") == 0) {
        c->kind = LK_F16;
        c->ptype = PQ_FLBA;
        c->type_length = 2;
        return DLK_OK;
    }
    const char *e;
    if (f[0] == 'w' && f[1] == ':') {
        int n = parse_uint(f + 2, &e);
        if (n > 0 && *e == 0) {
            c->kind = LK_FIXED;
            c->ptype = PQ_FLBA;
            c->type_length = n;
            return DLK_OK;
        }
    }
    if (f[0] == 't' && f[1] == 's' && f[2] && strchr("smun", f[2]) && f[3] == ':') {
        c->kind = LK_TS;
        c->ptype = PQ_INT64;
        *ts_unit = f[2] == 's' ? 'm' : f[2];
        if (f[2] == 's') c->ts_mult = 1000;
        *utc = f[4] != 0; /* any time zone: instants (UTC-adjusted) */
        return DLK_OK;
    }
    if (f[0] == 'd' && f[1] == ':') {
        int p = parse_uint(f + 2, &e), s = -1;
        if (p > 0 && *e == ',') s = parse_uint(e + 1, &e);
        if (p >= 1 && p <= 38 && s >= 0 && s <= p && (*e == 0 || strcmp(e, ",128") == 0)) {
            c->kind = LK_DEC;
            *prec = p;
            *scale = s;
            if (p <= 9) c->ptype = PQ_INT32;
            else if (p <= 18) c->ptype = PQ_INT64;
            else {
                c->ptype = PQ_FLBA;
                c->type_length = flba_bytes_for_precision(p);
            }
            return DLK_OK;
        }
    }
    return dlk_err_set(DLK_UNSUPPORTED, "parquet writer: Arrow format '%s' not supported", f);
}

/* The Arrow field metadata value of key (binary layout: int32 count, then
 * per pair int32 length + key bytes, int32 length + value bytes); copies it
 * NUL-terminated into out. */
static bool arrow_metadata(const char *md, const char *key, char *out, size_t out_size)
{
    if (!md) return false;
    int32_t n, kl, vl;
    memcpy(&n, md, 4);
    md += 4;
    size_t klen = strlen(key);
    for (int32_t i = 0; i < n; i++) {
        memcpy(&kl, md, 4);
        const char *k = md + 4;
        memcpy(&vl, k + kl, 4);
        const char *v = k + kl + 4;
        if (kl >= 0 && vl >= 0 && (size_t)kl == klen && memcmp(k, key, klen) == 0 &&
            (size_t)vl < out_size) {
            memcpy(out, v, (size_t)vl);
            out[vl] = 0;
            return true;
        }
        md = v + vl;
    }
    return false;
}

/* SchemaElement.field_id from "PARQUET:field_id" (Delta column mapping). */
static void put_field_id(dlk_pq_tw *t, const struct ArrowSchema *s)
{
    char v[32];
    if (!s || !arrow_metadata(s->metadata, "PARQUET:field_id", v, sizeof v)) return;
    char *end;
    long id = strtol(v, &end, 10);
    if (end != v && *end == 0 && id >= INT32_MIN && id <= INT32_MAX) dlk_pq__tw_i32(t, 9, (int32_t)id);
}

static void elem_leaf(dlk_pq_tw *t, const pq_col *c, const struct ArrowSchema *s, const char *name,
                      int rep, int prec, int scale, int ts_unit, bool utc)
{
    dlk_pq__tw_elem_struct_begin(t);
    dlk_pq__tw_i32(t, 1, c->ptype);
    if (c->ptype == PQ_FLBA) dlk_pq__tw_i32(t, 2, c->type_length);
    dlk_pq__tw_i32(t, 3, rep);
    dlk_pq__tw_string(t, 4, name);
    int ct = -1, bits = 0;
    bool is_signed = true;
    switch (c->kind) {
    case LK_I8: ct = CT_INT_8; bits = 8; break;
    case LK_I16: ct = CT_INT_8 + 1; bits = 16; break;
    case LK_U8: ct = CT_UINT_8; bits = 8; is_signed = false; break;
    case LK_U16: ct = CT_UINT_8 + 1; bits = 16; is_signed = false; break;
    case LK_U32: ct = CT_UINT_8 + 2; bits = 32; is_signed = false; break;
    case LK_U64: ct = CT_UINT_8 + 3; bits = 64; is_signed = false; break;
    case LK_STRING: ct = CT_UTF8; break;
    case LK_DATE: ct = CT_DATE; break;
    case LK_DEC: ct = CT_DECIMAL; break;
    case LK_TS:
        /* the legacy converted types mean UTC-adjusted: only for instants */
        if (utc && ts_unit == 'm') ct = CT_TS_MILLIS;
        if (utc && ts_unit == 'u') ct = CT_TS_MICROS;
        break;
    default: break;
    }
    if (ct >= 0) dlk_pq__tw_i32(t, 6, ct);
    if (c->kind == LK_DEC) {
        dlk_pq__tw_i32(t, 7, scale);
        dlk_pq__tw_i32(t, 8, prec);
    }
    put_field_id(t, s);
    /* LogicalType union */
    if (bits) {
        dlk_pq__tw_struct_begin(t, 10);
        dlk_pq__tw_struct_begin(t, 10);
        dlk_pq__tw_byte(t, 1, (int8_t)bits);
        dlk_pq__tw_bool(t, 2, is_signed);
        dlk_pq__tw_struct_end(t);
        dlk_pq__tw_struct_end(t);
    } else if (c->kind == LK_STRING) {
        dlk_pq__tw_struct_begin(t, 10);
        dlk_pq__tw_empty_struct(t, 1);
        dlk_pq__tw_struct_end(t);
    } else if (c->kind == LK_DATE) {
        dlk_pq__tw_struct_begin(t, 10);
        dlk_pq__tw_empty_struct(t, 6);
        dlk_pq__tw_struct_end(t);
    } else if (c->kind == LK_F16) {
        dlk_pq__tw_struct_begin(t, 10);
        dlk_pq__tw_empty_struct(t, 15); /* FLOAT16 */
        dlk_pq__tw_struct_end(t);
    } else if (c->kind == LK_DEC) {
        dlk_pq__tw_struct_begin(t, 10);
        dlk_pq__tw_struct_begin(t, 5);
        dlk_pq__tw_i32(t, 1, scale);
        dlk_pq__tw_i32(t, 2, prec);
        dlk_pq__tw_struct_end(t);
        dlk_pq__tw_struct_end(t);
    } else if (c->kind == LK_TS) {
        dlk_pq__tw_struct_begin(t, 10);
        dlk_pq__tw_struct_begin(t, 8);
        dlk_pq__tw_bool(t, 1, utc);
        dlk_pq__tw_struct_begin(t, 2);
        dlk_pq__tw_empty_struct(t, ts_unit == 'm' ? 1 : ts_unit == 'u' ? 2 : 3);
        dlk_pq__tw_struct_end(t);
        dlk_pq__tw_struct_end(t);
        dlk_pq__tw_struct_end(t);
    }
    dlk_pq__tw_struct_end(t);
}

static void elem_group(dlk_pq_tw *t, const struct ArrowSchema *s, const char *name, int rep,
                       int n_children, int ct, int lt)
{
    dlk_pq__tw_elem_struct_begin(t);
    if (rep >= 0) dlk_pq__tw_i32(t, 3, rep);
    dlk_pq__tw_string(t, 4, name);
    dlk_pq__tw_i32(t, 5, n_children);
    if (ct >= 0) dlk_pq__tw_i32(t, 6, ct);
    put_field_id(t, s);
    if (lt > 0) {
        dlk_pq__tw_struct_begin(t, 10);
        dlk_pq__tw_empty_struct(t, (int16_t)lt);
        dlk_pq__tw_struct_end(t);
    }
    dlk_pq__tw_struct_end(t);
}

static int add_leaf(walk_ctx *x, const struct ArrowSchema *s, const char *name, bool nullable,
                    int nsteps, int nparts, int16_t def, int16_t rep, int top, dlk_pq_tw *t)
{
    pq_col c;
    memset(&c, 0, sizeof c);
    int prec = 0, scale = 0, ts_unit = 'u';
    bool utc = false;
    /* dictionary-encoded Arrow input: indices in the array, values in its
     * dictionary; written as the value type */
    const char *vf = s->format;
    if (s->dictionary) {
        static const char *const idx_formats = "cCsSiIlL";
        const char *q = strchr(idx_formats, s->format[0]);
        if (!q || s->format[1] || !s->dictionary->format)
            return dlk_err_set(DLK_UNSUPPORTED, "column '%s': dictionary index type '%s'", name,
                               s->format);
        c.dict_index = s->format[0];
        vf = s->dictionary->format;
    }
    int rc = classify_leaf(&c, vf, &prec, &scale, &ts_unit, &utc);
    if (rc) return dlk_err_context(rc, "column '%s'", name);
    c.max_def = (int16_t)(def + (nullable ? 1 : 0));
    c.max_rep = rep;
    c.lev_bits = dlk_pq__bit_width((uint64_t)c.max_def) + dlk_pq__bit_width((uint64_t)rep);
    c.top = top;
    c.nsteps = nsteps + 1;
    c.steps = dlk_calloc((size_t)c.nsteps, sizeof *c.steps);
    c.parts = dlk_calloc((size_t)nparts + 1, sizeof *c.parts);
    c.n_parts = (size_t)nparts;
    dlk_buf path = {0};
    if (!c.steps || !c.parts) goto oom;
    memcpy(c.steps, x->steps, (size_t)nsteps * sizeof *c.steps);
    c.steps[nsteps] = (pq_step){STEP_LEAF, 0, nullable, rep};
    for (int i = 0; i < nparts; i++) {
        c.parts[i] = dlk_strdup(x->parts[i]);
        if (!c.parts[i]) goto oom;
        if ((i && dlk_buf_putc(&path, '.')) || dlk_buf_puts(&path, x->parts[i])) goto oom;
    }
    c.path = dlk_buf_detach(&path);
    c.format = dlk_strdup(vf);
    if (!c.path || !c.format) goto oom;
    c.dict.byte_array = c.ptype == PQ_BYTE_ARRAY;
    c.use_dict = x->w->opts.dictionary && c.kind != LK_BOOL;
    if (dlk_vec_push(&x->cols, &c)) goto oom;
    elem_leaf(t, &c, s, name, nullable ? REP_OPTIONAL : REP_REQUIRED, prec, scale, ts_unit, utc);
    return DLK_OK;
oom:
    dlk_buf_free(&path);
    dlk_pq__wcol_free(&c);
    return dlk_err_nomem();
}

static int walk(walk_ctx *x, const struct ArrowSchema *s, const char *name, bool nullable,
                int nsteps, int nparts, int16_t def, int16_t rep, int top, dlk_pq_tw *t)
{
    if (nsteps + 2 >= 64 || nparts + 3 >= 64)
        return dlk_err_set(DLK_UNSUPPORTED, "parquet writer: schema nested too deeply");
    x->parts[nparts++] = name;
    int16_t d = (int16_t)(def + (nullable ? 1 : 0));
    int orep = nullable ? REP_OPTIONAL : REP_REQUIRED;
    const char *f = s->format;
    int rc;
    if (strcmp(f, "+s") == 0) {
        if (s->n_children == 0)
            return dlk_err_set(DLK_UNSUPPORTED, "parquet writer: struct '%s' has no fields", name);
        elem_group(t, s, name, orep, (int)s->n_children, -1, 0);
        for (int64_t i = 0; i < s->n_children; i++) {
            const struct ArrowSchema *ch = s->children[i];
            x->steps[nsteps] = (pq_step){STEP_STRUCT, (int)i, nullable, rep};
            rc = walk(x, ch, ch->name ? ch->name : "", (ch->flags & ARROW_FLAG_NULLABLE) != 0,
                      nsteps + 1, nparts, d, rep, top, t);
            if (rc) return rc;
        }
        return DLK_OK;
    }
    if (strcmp(f, "+l") == 0) {
        if (s->n_children != 1)
            return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: list '%s' needs one child",
                               name);
        elem_group(t, s, name, orep, 1, CT_LIST, 3);
        elem_group(t, NULL, "list", REP_REPEATED, 1, -1, 0);
        x->parts[nparts++] = "list";
        int16_t r = (int16_t)(rep + 1);
        x->steps[nsteps] = (pq_step){STEP_LIST, 0, nullable, r};
        const struct ArrowSchema *ch = s->children[0];
        return walk(x, ch, "element", (ch->flags & ARROW_FLAG_NULLABLE) != 0, nsteps + 1, nparts,
                    (int16_t)(d + 1), r, top, t);
    }
    if (strcmp(f, "+m") == 0) {
        if (s->n_children != 1 || strcmp(s->children[0]->format, "+s") != 0 ||
            s->children[0]->n_children != 2)
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "parquet writer: map '%s' needs an entries struct of key, value",
                               name);
        elem_group(t, s, name, orep, 1, CT_MAP, 2);
        elem_group(t, NULL, "key_value", REP_REPEATED, 2, -1, 0);
        x->parts[nparts++] = "key_value";
        int16_t r = (int16_t)(rep + 1);
        const struct ArrowSchema *e = s->children[0];
        x->steps[nsteps] = (pq_step){STEP_MAP, 0, nullable, r};
        rc = walk(x, e->children[0], "key", false, nsteps + 1, nparts, (int16_t)(d + 1), r, top, t);
        if (rc) return rc;
        x->steps[nsteps] = (pq_step){STEP_MAP, 1, nullable, r};
        return walk(x, e->children[1], "value",
                    (e->children[1]->flags & ARROW_FLAG_NULLABLE) != 0, nsteps + 1, nparts,
                    (int16_t)(d + 1), r, top, t);
    }
    if (f[0] == '+')
        return dlk_err_set(DLK_UNSUPPORTED, "parquet writer: column '%s': Arrow format '%s' not supported",
                           name, f);
    return add_leaf(x, s, name, nullable, nsteps, nparts, def, rep, top, t);
}

/* Number of SchemaElements written for node s (the root counts itself). */
static int count_elems(const struct ArrowSchema *s)
{
    if (strcmp(s->format, "+l") == 0) return 2 + count_elems(s->children[0]);
    if (strcmp(s->format, "+m") == 0)
        return 2 + count_elems(s->children[0]->children[0]) +
               count_elems(s->children[0]->children[1]);
    int n = 1;
    if (strcmp(s->format, "+s") == 0)
        for (int64_t i = 0; i < s->n_children; i++) n += count_elems(s->children[i]);
    return n;
}

int dlk_pq__wschema_build(dlk_pq_writer *w, const struct ArrowSchema *root)
{
    if (strcmp(root->format, "+s") != 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: schema must be a struct (+s), got '%s'",
                           root->format);
    if (root->n_children == 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: the schema has no columns");
    walk_ctx x;
    memset(&x, 0, sizeof x);
    x.w = w;
    x.cols = (dlk_vec)DLK_VEC_INIT(pq_col);
    dlk_pq_tw t;
    dlk_pq__tw_init(&t, &w->schema_thrift);
    elem_group(&t, NULL, "schema", -1, (int)root->n_children, -1, 0);
    int rc = DLK_OK;
    for (int64_t i = 0; i < root->n_children && !rc; i++) {
        const struct ArrowSchema *ch = root->children[i];
        rc = walk(&x, ch, ch->name ? ch->name : "", (ch->flags & ARROW_FLAG_NULLABLE) != 0, 0, 0,
                  0, 0, (int)i, &t);
    }
    w->cols = x.cols.data;
    w->ncols = x.cols.len;
    if (rc) return rc;
    if (t.err) return dlk_err_nomem();
    /* the serialized list is spliced as raw bytes; it needs its length */
    w->n_schema_elems = count_elems(root);
    return DLK_OK;
}

void dlk_pq__wcol_free(pq_col *c)
{
    dlk_free(c->path);
    dlk_free(c->format);
    if (c->parts)
        for (size_t i = 0; i < c->n_parts; i++) dlk_free(c->parts[i]);
    dlk_free(c->parts);
    dlk_free(c->steps);
    dlk_free(c->def);
    dlk_free(c->rep);
    dlk_free(c->idx);
    dlk_buf_free(&c->values);
    dlk_buf_free(&c->pages);
    dlk_pq__dict_free(&c->dict);
    dlk_pq__stats_free(&c->chunk);
    dlk_pq__stats_free(&c->file);
}

/*
 * parquet/reader.c - Parquet reader: footer, schema tree (levels, LIST/MAP
 * backward-compatibility rules), Arrow types, the public reader API and
 * column statistics. Pages are decoded in reader_pages.c, Arrow arrays are
 * assembled in reader_assemble.c.
 */
#include "parquet/reader_int.h"
#include "arrow/arrow.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_SCHEMA_DEPTH 64
#define MAX_FOOTER (256u << 20)

enum {
    CV_COPY, CV_I8, CV_I16, CV_DEC_I32, CV_DEC_I64, CV_DEC_BYTES, CV_TS_MS, CV_TS_NS, CV_INT96,
    CV_F16, CV_BOOL, CV_VAR
};


/* ---- leaf types ---------------------------------------------------------- */

static void set_leaf_type(pq_leaf *l)
{
    const dlk_pq_schema_element *e = l->el;
    const dlk_pq_logical_type *lt = &e->logical;
    int ct = e->converted;
    l->ptype = e->type;
    l->conv = CV_COPY;
    int prec = lt->kind == DLK_PQ_LT_DECIMAL ? lt->precision : e->precision;
    int scale = lt->kind == DLK_PQ_LT_DECIMAL ? lt->scale : e->scale;
    bool is_dec = lt->kind == DLK_PQ_LT_DECIMAL || (lt->kind == 0 && ct == DLK_PQ_CT_DECIMAL);
    if (scale < 0) scale = 0;
    if (prec <= 0) prec = 38;
    l->scale = scale;
    switch (e->type) {
    case DLK_PQ_BOOLEAN:
        l->width = 1;
        snprintf(l->fmt, sizeof l->fmt, "%s", "b");
        l->conv = CV_BOOL;
        l->arrow_width = -1;
        return;
    case DLK_PQ_INT32:
        l->width = 4;
        l->arrow_width = 4;
        if (is_dec) {
            snprintf(l->fmt, sizeof l->fmt, "d:%d,%d", prec, scale);
            l->conv = CV_DEC_I32;
            l->arrow_width = 16;
        } else if (lt->kind == DLK_PQ_LT_DATE || ct == DLK_PQ_CT_DATE)
            snprintf(l->fmt, sizeof l->fmt, "%s", "tdD");
        else if (lt->kind == DLK_PQ_LT_TIME || ct == DLK_PQ_CT_TIME_MILLIS)
            snprintf(l->fmt, sizeof l->fmt, "%s", "ttm");
        else {
            int bw = 32;
            bool sgn = true;
            if (lt->kind == DLK_PQ_LT_INTEGER) {
                bw = lt->bit_width;
                sgn = lt->is_signed;
            } else if (ct >= DLK_PQ_CT_UINT_8 && ct <= DLK_PQ_CT_UINT_32) {
                bw = 8 << (ct - DLK_PQ_CT_UINT_8);
                sgn = false;
            } else if (ct >= DLK_PQ_CT_INT_8 && ct <= DLK_PQ_CT_INT_32)
                bw = 8 << (ct - DLK_PQ_CT_INT_8);
            if (bw == 8) {
                snprintf(l->fmt, sizeof l->fmt, "%s", sgn ? "c" : "C");
                l->conv = CV_I8;
                l->arrow_width = 1;
            } else if (bw == 16) {
                snprintf(l->fmt, sizeof l->fmt, "%s", sgn ? "s" : "S");
                l->conv = CV_I16;
                l->arrow_width = 2;
            } else
                snprintf(l->fmt, sizeof l->fmt, "%s", sgn ? "i" : "I");
        }
        return;
    case DLK_PQ_INT64:
        l->width = 8;
        l->arrow_width = 8;
        if (is_dec) {
            snprintf(l->fmt, sizeof l->fmt, "d:%d,%d", prec, scale);
            l->conv = CV_DEC_I64;
            l->arrow_width = 16;
        } else if (lt->kind == DLK_PQ_LT_TIMESTAMP) {
            snprintf(l->fmt, sizeof l->fmt, "%s", lt->utc ? "tsu:UTC" : "tsu:");
            if (lt->unit == DLK_PQ_MILLIS) l->conv = CV_TS_MS;
            else if (lt->unit == DLK_PQ_NANOS) l->conv = CV_TS_NS;
        } else if (lt->kind == 0 && ct == DLK_PQ_CT_TIMESTAMP_MILLIS) {
            snprintf(l->fmt, sizeof l->fmt, "%s", "tsu:UTC");
            l->conv = CV_TS_MS;
        } else if (lt->kind == 0 && ct == DLK_PQ_CT_TIMESTAMP_MICROS)
            snprintf(l->fmt, sizeof l->fmt, "%s", "tsu:UTC");
        else if (lt->kind == DLK_PQ_LT_TIME || ct == DLK_PQ_CT_TIME_MICROS) {
            snprintf(l->fmt, sizeof l->fmt, "%s", "ttu");
            if (lt->unit == DLK_PQ_NANOS) l->conv = CV_TS_NS;
        } else if ((lt->kind == DLK_PQ_LT_INTEGER && !lt->is_signed) || (lt->kind == 0 && ct == DLK_PQ_CT_UINT_64))
            snprintf(l->fmt, sizeof l->fmt, "%s", "L");
        else
            snprintf(l->fmt, sizeof l->fmt, "%s", "l");
        return;
    case DLK_PQ_INT96:
        l->width = 12;
        l->arrow_width = 8;
        snprintf(l->fmt, sizeof l->fmt, "%s", "tsu:UTC");
        l->conv = CV_INT96;
        return;
    case DLK_PQ_FLOAT:
        l->width = 4;
        l->arrow_width = 4;
        snprintf(l->fmt, sizeof l->fmt, "%s", "f");
        return;
    case DLK_PQ_DOUBLE:
        l->width = 8;
        l->arrow_width = 8;
        snprintf(l->fmt, sizeof l->fmt, "%s", "g");
        return;
    case DLK_PQ_BYTE_ARRAY:
        l->width = 0;
        if (is_dec) {
            snprintf(l->fmt, sizeof l->fmt, "d:%d,%d", prec, scale);
            l->conv = CV_DEC_BYTES;
            l->arrow_width = 16;
            return;
        }
        l->conv = CV_VAR;
        l->arrow_width = 0;
        if (lt->kind == DLK_PQ_LT_STRING || lt->kind == DLK_PQ_LT_ENUM || lt->kind == DLK_PQ_LT_JSON ||
            (lt->kind == 0 && (ct == DLK_PQ_CT_UTF8 || ct == DLK_PQ_CT_ENUM || ct == DLK_PQ_CT_JSON)))
            snprintf(l->fmt, sizeof l->fmt, "%s", "u");
        else
            snprintf(l->fmt, sizeof l->fmt, "%s", "z");
        return;
    case DLK_PQ_FIXED_LEN_BYTE_ARRAY:
    default:
        l->width = e->type_length;
        if (is_dec) {
            snprintf(l->fmt, sizeof l->fmt, "d:%d,%d", prec, scale);
            l->conv = CV_DEC_BYTES;
            l->arrow_width = 16;
        } else if (lt->kind == DLK_PQ_LT_FLOAT16 && e->type_length == 2) {
            snprintf(l->fmt, sizeof l->fmt, "%s", "f");
            l->conv = CV_F16;
            l->arrow_width = 4;
        } else {
            snprintf(l->fmt, sizeof l->fmt, "w:%d", e->type_length);
            l->arrow_width = e->type_length;
        }
        return;
    }
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 31, man = h & 1023;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0)
            bits = sign;
        else {
            float v = (float)man / 1024.0f / 16384.0f; /* 2^-14 * man/1024 */
            return sign ? -v : v;
        }
    } else if (exp == 31)
        bits = sign | 0x7f800000u | (man << 13);
    else
        bits = sign | ((exp + 112) << 23) | (man << 13);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* Big-endian two's complement (n bytes) to 128-bit little-endian. */
static int be_to_dec128(const uint8_t *p, size_t n, uint8_t *dst)
{
    uint8_t fill = (n && (p[0] & 0x80)) ? 0xff : 0;
    if (n > 16) {
        for (size_t i = 0; i < n - 16; i++)
            if (p[i] != fill) return dlk_err_set(DLK_CORRUPT, "decimal value of %zu bytes overflows 128 bits", n);
        p += n - 16;
        n = 16;
    }
    memset(dst, fill, 16);
    for (size_t i = 0; i < n; i++) dst[i] = p[n - 1 - i];
    return DLK_OK;
}

int dlk_pq__convert_fixed(const pq_leaf *l, const uint8_t *src, uint8_t *dst)
{
    switch (l->conv) {
    case CV_COPY:
        memcpy(dst, src, (size_t)l->arrow_width);
        return DLK_OK;
    case CV_I8: dst[0] = src[0]; return DLK_OK;
    case CV_I16: memcpy(dst, src, 2); return DLK_OK;
    case CV_DEC_I32: {
        int32_t v;
        memcpy(&v, src, 4);
        int64_t w = v, hi = v < 0 ? -1 : 0;
        memcpy(dst, &w, 8);
        memcpy(dst + 8, &hi, 8);
        return DLK_OK;
    }
    case CV_DEC_I64: {
        int64_t w, hi;
        memcpy(&w, src, 8);
        hi = w < 0 ? -1 : 0;
        memcpy(dst, &w, 8);
        memcpy(dst + 8, &hi, 8);
        return DLK_OK;
    }
    case CV_DEC_BYTES: return be_to_dec128(src, (size_t)l->width, dst);
    case CV_TS_MS: {
        int64_t v;
        memcpy(&v, src, 8);
        v = (int64_t)((uint64_t)v * 1000u);
        memcpy(dst, &v, 8);
        return DLK_OK;
    }
    case CV_TS_NS: {
        int64_t v;
        memcpy(&v, src, 8);
        v = floordiv(v, 1000);
        memcpy(dst, &v, 8);
        return DLK_OK;
    }
    case CV_INT96: {
        int64_t nanos;
        int32_t jd;
        memcpy(&nanos, src, 8);
        memcpy(&jd, src + 8, 4);
        int64_t v = (int64_t)((uint64_t)((int64_t)jd - 2440588) * 86400000000ull + (uint64_t)floordiv(nanos, 1000));
        memcpy(dst, &v, 8);
        return DLK_OK;
    }
    case CV_F16: {
        uint16_t h = (uint16_t)(src[0] | (src[1] << 8));
        float fv = half_to_float(h);
        memcpy(dst, &fv, 4);
        return DLK_OK;
    }
    default: return dlk_err_set(DLK_ERROR, "internal: bad conversion");
    }
}

/* ---- schema tree ----------------------------------------------------------- */

typedef struct tree {
    int *first; /* index of first child element, per element */
    int *next;  /* index after the subtree, per element */
} tree;

static int scan_tree(dlk_pq_file *f, tree *t, int i, int depth, int *end)
{
    const dlk_pq_file_meta *m = &f->meta;
    if (i >= m->n_schema) return dlk_err_set(DLK_CORRUPT, "%s: footer: schema ends inside a group", f->name);
    if (depth > MAX_SCHEMA_DEPTH) return dlk_err_set(DLK_CORRUPT, "%s: footer: schema nested too deeply", f->name);
    const dlk_pq_schema_element *e = &m->schema[i];
    int nc = e->num_children;
    if (e->type >= 0 && i > 0) nc = 0;
    if (nc < 0) nc = 0;
    if (nc > m->n_schema) return dlk_err_set(DLK_CORRUPT, "%s: footer: schema element %d has %d children", f->name, i, nc);
    t->first[i] = i + 1;
    int j = i + 1;
    for (int k = 0; k < nc; k++) {
        int rc = scan_tree(f, t, j, depth + 1, &j);
        if (rc) return rc;
    }
    t->next[i] = j;
    *end = j;
    return DLK_OK;
}

static int n_children(const dlk_pq_file *f, int i)
{
    const dlk_pq_schema_element *e = &f->meta.schema[i];
    if (e->type >= 0 && i > 0) return 0;
    return e->num_children < 0 ? 0 : e->num_children;
}

static bool is_group(const dlk_pq_file *f, int i) { return f->meta.schema[i].type < 0 || n_children(f, i) > 0; }

static char *join_path(dlk_pq_file *f, const char *a, const char *b)
{
    if (!a || !*a) return dlk_arena_strdup(&f->arena, b);
    size_t la = strlen(a), lb = strlen(b);
    char *s = dlk_arena_alloc(&f->arena, la + lb + 2);
    if (!s) return NULL;
    memcpy(s, a, la);
    s[la] = '.';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

static int make_node(dlk_pq_file *f, const tree *t, int ei, int dpar, int rpar, bool strip,
                     const char *ppath, pq_node *n, int depth)
{
    const dlk_pq_schema_element *e = &f->meta.schema[ei];
    if (depth > MAX_SCHEMA_DEPTH * 2) return dlk_err_set(DLK_CORRUPT, "%s: schema nested too deeply", f->name);
    int rep = strip ? DLK_PQ_REQUIRED : e->repetition;
    int d = dpar + (rep == DLK_PQ_OPTIONAL || rep == DLK_PQ_REPEATED);
    int r = rpar + (rep == DLK_PQ_REPEATED);
    char *path = join_path(f, ppath, e->name);
    if (!path) return dlk_err_nomem();
    memset(n, 0, sizeof *n);
    n->name = e->name;
    n->el = e;
    n->leaf0 = f->n_leaves;
    n->nullable = rep == DLK_PQ_OPTIONAL;
    n->dv = d;
    int rc;
    if (rep == DLK_PQ_REPEATED) {
        /* bare repeated field: a non-null list of the field */
        n->kind = PQ_LIST;
        n->nullable = false;
        n->dv = dpar;
        n->rr = r;
        n->dr = d;
        n->n_kids = 1;
        n->kids = dlk_arena_calloc(&f->arena, sizeof(pq_node));
        if (!n->kids) return dlk_err_nomem();
        if ((rc = make_node(f, t, ei, d, r, true, ppath, n->kids, depth + 1))) return rc;
        n->kids[0].name = "element";
        n->n_leaves = f->n_leaves - n->leaf0;
        return DLK_OK;
    }
    if (!is_group(f, ei)) {
        if (f->n_leaves >= f->meta.n_schema) return dlk_err_set(DLK_CORRUPT, "%s: too many leaves", f->name);
        pq_leaf *l = &f->leaves[f->n_leaves];
        l->el = e;
        l->path = path;
        l->max_def = d;
        l->max_rep = r;
        set_leaf_type(l);
        if (e->type < 0 || e->type > 7)
            return dlk_err_set(DLK_CORRUPT, "%s: column %s: unknown physical type %d", f->name, path, e->type);
        if (e->type == DLK_PQ_FIXED_LEN_BYTE_ARRAY && (e->type_length < 0 || e->type_length > (1 << 20)))
            return dlk_err_set(DLK_CORRUPT, "%s: column %s: bad type_length %d", f->name, path, e->type_length);
        if (l->conv == CV_DEC_BYTES && e->type == DLK_PQ_FIXED_LEN_BYTE_ARRAY && e->type_length > 16)
            return dlk_err_set(DLK_UNSUPPORTED, "%s: column %s: decimal wider than 16 bytes", f->name, path);
        if (d > 32000 || r > 32000) return dlk_err_set(DLK_CORRUPT, "%s: levels too deep", f->name);
        n->kind = PQ_LEAF;
        n->leaf = f->n_leaves++;
        n->n_leaves = 1;
        return DLK_OK;
    }
    int nc = n_children(f, ei);
    int c0 = t->first[ei];
    const dlk_pq_schema_element *c = nc == 1 ? &f->meta.schema[c0] : NULL;
    int lk = e->logical.kind, ct = e->converted;
    bool is_list = (lk == DLK_PQ_LT_LIST || (lk == 0 && ct == DLK_PQ_CT_LIST)) && c &&
                   c->repetition == DLK_PQ_REPEATED;
    bool is_map = (lk == DLK_PQ_LT_MAP || (lk == 0 && (ct == DLK_PQ_CT_MAP || ct == DLK_PQ_CT_MAP_KEY_VALUE))) &&
                  c && c->repetition == DLK_PQ_REPEATED && is_group(f, c0) && n_children(f, c0) >= 1 &&
                  n_children(f, c0) <= 2;
    if (is_list || is_map) {
        n->kind = is_list ? PQ_LIST : PQ_MAP;
        n->rr = r + 1;
        n->dr = d + 1;
        n->n_kids = 1;
        n->kids = dlk_arena_calloc(&f->arena, sizeof(pq_node));
        if (!n->kids) return dlk_err_nomem();
        if (is_map) {
            rc = make_node(f, t, c0, d + 1, r + 1, true, path, n->kids, depth + 1);
            if (rc) return rc;
            n->kids[0].name = "entries";
            if (n->kids[0].kind != PQ_STRUCT) return dlk_err_set(DLK_CORRUPT, "%s: map %s: bad key_value group", f->name, path);
            if (n->kids[0].n_kids >= 1) n->kids[0].kids[0].name = "key";
            if (n->kids[0].n_kids >= 2) n->kids[0].kids[1].name = "value";
        } else {
            bool two_level = !is_group(f, c0) || n_children(f, c0) != 1 || !strcmp(c->name, "array");
            if (!two_level) {
                size_t ln = strlen(e->name);
                if (!strncmp(c->name, e->name, ln) && !strcmp(c->name + ln, "_tuple")) two_level = true;
            }
            if (two_level)
                rc = make_node(f, t, c0, d + 1, r + 1, true, path, n->kids, depth + 1);
            else {
                char *p2 = join_path(f, path, c->name);
                if (!p2) return dlk_err_nomem();
                rc = make_node(f, t, t->first[c0], d + 1, r + 1, false, p2, n->kids, depth + 1);
            }
            if (rc) return rc;
            n->kids[0].name = "element";
        }
        n->n_leaves = f->n_leaves - n->leaf0;
        if (n->n_leaves == 0) return dlk_err_set(DLK_UNSUPPORTED, "%s: group %s has no columns", f->name, path);
        return DLK_OK;
    }
    n->kind = PQ_STRUCT;
    n->n_kids = nc;
    n->kids = dlk_arena_calloc(&f->arena, sizeof(pq_node) * (size_t)(nc ? nc : 1));
    if (!n->kids) return dlk_err_nomem();
    int ci = c0;
    for (int k = 0; k < nc; k++) {
        if ((rc = make_node(f, t, ci, d, r, false, path, &n->kids[k], depth + 1))) return rc;
        ci = t->next[ci];
    }
    n->n_leaves = f->n_leaves - n->leaf0;
    if (n->n_leaves == 0) return dlk_err_set(DLK_UNSUPPORTED, "%s: group %s has no columns", f->name, path);
    return DLK_OK;
}

static int build_schema(dlk_pq_file *f)
{
    dlk_pq_file_meta *m = &f->meta;
    tree t;
    t.first = dlk_arena_calloc(&f->arena, sizeof(int) * (size_t)m->n_schema);
    t.next = dlk_arena_calloc(&f->arena, sizeof(int) * (size_t)m->n_schema);
    f->leaves = dlk_arena_calloc(&f->arena, sizeof(pq_leaf) * (size_t)m->n_schema);
    if (!t.first || !t.next || !f->leaves) return dlk_err_nomem();
    int end = 0, rc;
    if ((rc = scan_tree(f, &t, 0, 0, &end))) return rc;
    if (end != m->n_schema)
        return dlk_err_set(DLK_CORRUPT, "%s: footer: schema has %d elements but the tree uses %d", f->name, m->n_schema, end);
    pq_node *root = &f->root;
    int nc = n_children(f, 0);
    root->kind = PQ_STRUCT;
    root->name = "";
    root->el = &m->schema[0];
    root->n_kids = nc;
    root->kids = dlk_arena_calloc(&f->arena, sizeof(pq_node) * (size_t)(nc ? nc : 1));
    if (!root->kids) return dlk_err_nomem();
    int ci = 1;
    for (int k = 0; k < nc; k++) {
        if ((rc = make_node(f, &t, ci, 0, 0, false, NULL, &root->kids[k], 1))) return rc;
        ci = t.next[ci];
    }
    root->n_leaves = f->n_leaves;
    /* row groups must match the leaves */
    for (int g = 0; g < m->n_row_groups; g++) {
        const dlk_pq_row_group *rg = &m->row_groups[g];
        if (rg->n_columns != f->n_leaves)
            return dlk_err_set(DLK_CORRUPT, "%s: footer: row group %d has %d columns, schema has %d", f->name, g, rg->n_columns, f->n_leaves);
        if (rg->num_rows < 0) return dlk_err_set(DLK_CORRUPT, "%s: footer: row group %d: negative num_rows", f->name, g);
        for (int c = 0; c < rg->n_columns; c++) {
            const dlk_pq_column_chunk *cc = &rg->columns[c];
            if (cc->encrypted && !cc->has_meta)
                return dlk_err_set(DLK_UNSUPPORTED, "%s: encrypted column %s (Parquet modular encryption)", f->name, f->leaves[c].path);
            if (!cc->has_meta) return dlk_err_set(DLK_CORRUPT, "%s: footer: row group %d column %d has no metadata", f->name, g, c);
            if (cc->meta.type != f->leaves[c].el->type)
                return dlk_err_set(DLK_CORRUPT, "%s: footer: row group %d column %s: type %d differs from the schema", f->name, g, f->leaves[c].path, cc->meta.type);
        }
    }
    return DLK_OK;
}

/* ---- open / close ------------------------------------------------------------ */

int dlk_pq_open_memory(const uint8_t *data, size_t len, const char *name, dlk_pq_file **out)
{
    *out = NULL;
    if (!name) name = "<memory>";
    if (!data && len) return dlk_err_set(DLK_INVALID_ARGUMENT, "dlk_pq_open_memory: NULL data");
    dlk_pq_file *f = dlk_calloc(1, sizeof *f);
    if (!f) return dlk_err_nomem();
    f->verify_crc = true;
    f->name = dlk_strdup(name);
    f->data = data;
    f->len = len;
    int rc;
    if (!f->name) { rc = dlk_err_nomem(); goto fail; }
    if (len < 12) { rc = dlk_err_set(DLK_CORRUPT, "%s: offset 0: file of %zu bytes is too small for Parquet", name, len); goto fail; }
    if (!memcmp(data + len - 4, "PARE", 4)) { rc = dlk_err_set(DLK_UNSUPPORTED, "%s: encrypted Parquet file (PARE footer) is not supported", name); goto fail; }
    if (memcmp(data, "PAR1", 4)) { rc = dlk_err_set(DLK_CORRUPT, "%s: offset 0: missing PAR1 magic", name); goto fail; }
    if (memcmp(data + len - 4, "PAR1", 4)) { rc = dlk_err_set(DLK_CORRUPT, "%s: offset %zu: missing PAR1 footer magic", name, len - 4); goto fail; }
    uint32_t flen = (uint32_t)data[len - 8] | (uint32_t)data[len - 7] << 8 | (uint32_t)data[len - 6] << 16 | (uint32_t)data[len - 5] << 24;
    if (flen > len - 12 || flen > MAX_FOOTER) {
        rc = dlk_err_set(DLK_CORRUPT, "%s: offset %zu: footer length %u exceeds the file", name, len - 8, flen);
        goto fail;
    }
    size_t foff = len - 8 - flen;
    if ((rc = dlk_pq__parse_file_meta(data + foff, flen, foff, name, &f->arena, &f->meta))) goto fail;
    if (f->meta.encrypted) { rc = dlk_err_set(DLK_UNSUPPORTED, "%s: encrypted Parquet file (plaintext footer) is not supported", name); goto fail; }
    if ((rc = build_schema(f))) goto fail;
    *out = f;
    return DLK_OK;
fail:
    dlk_pq_close(&f);
    return rc;
}

int dlk_pq__open_owned(uint8_t *data, size_t len, const char *name, dlk_pq_file **out)
{
    *out = NULL;
    dlk_pq_file *f = NULL;
    int rc = dlk_pq_open_memory(data, len, name, &f);
    if (rc) {
        dlk_free(data);
        return rc;
    }
    f->owned = data;
    *out = f;
    return DLK_OK;
}

void dlk_pq_close(dlk_pq_file **fp)
{
    if (!fp || !*fp) return;
    dlk_pq_file *f = *fp;
    *fp = NULL;
    dlk_arena_free(&f->arena);
    dlk_free(f->owned);
    dlk_free(f->name);
    dlk_free(f);
}

int64_t dlk_pq_num_rows(const dlk_pq_file *f) { return f->meta.num_rows; }
int dlk_pq_num_row_groups(const dlk_pq_file *f) { return f->meta.n_row_groups; }
int64_t dlk_pq_row_group_num_rows(const dlk_pq_file *f, int rg)
{
    if (rg < 0 || rg >= f->meta.n_row_groups) return -1;
    return f->meta.row_groups[rg].num_rows;
}
int dlk_pq_num_fields(const dlk_pq_file *f) { return f->root.n_kids; }
int dlk_pq_field_id(const dlk_pq_file *f, int i)
{
    if (i < 0 || i >= f->root.n_kids) return -1;
    return f->root.kids[i].el->field_id;
}
const dlk_pq_file_meta *dlk_pq_file_metadata(const dlk_pq_file *f) { return &f->meta; }
int dlk_pq_num_leaves(const dlk_pq_file *f) { return f->n_leaves; }
const char *dlk_pq_leaf_path(const dlk_pq_file *f, int i) { return i >= 0 && i < f->n_leaves ? f->leaves[i].path : NULL; }
const char *dlk_pq_leaf_format(const dlk_pq_file *f, int i) { return i >= 0 && i < f->n_leaves ? f->leaves[i].fmt : NULL; }
void dlk_pq_leaf_levels(const dlk_pq_file *f, int i, int *max_def, int *max_rep)
{
    *max_def = *max_rep = 0;
    if (i >= 0 && i < f->n_leaves) {
        *max_def = f->leaves[i].max_def;
        *max_rep = f->leaves[i].max_rep;
    }
}
void dlk_pq_set_verify_crc(dlk_pq_file *f, bool on) { f->verify_crc = on; }

/* ---- Arrow schema ------------------------------------------------------------- */

static int node_schema(const dlk_pq_file *f, const pq_node *n, const char *name, struct ArrowSchema *out)
{
    const char *fmt = n->kind == PQ_LEAF ? f->leaves[n->leaf].fmt
                      : n->kind == PQ_STRUCT ? "+s" : n->kind == PQ_LIST ? "+l" : "+m";
    int rc = dlk_arrow_schema_new(out, fmt, name, n->nullable ? ARROW_FLAG_NULLABLE : 0,
                                  n->kind == PQ_LEAF ? 0 : n->n_kids);
    if (rc) return rc;
    for (int k = 0; k < n->n_kids; k++)
        if ((rc = node_schema(f, &n->kids[k], n->kids[k].name, out->children[k]))) return rc;
    if (n->el && n->el->field_id >= 0 && n != &f->root) {
        char v[16];
        snprintf(v, sizeof v, "%d", n->el->field_id);
        const char *k = "PARQUET:field_id", *vv = v;
        if ((rc = dlk_arrow_schema_set_metadata(out, &k, &vv, 1))) return rc;
    }
    return DLK_OK;
}

int dlk_pq_get_schema(const dlk_pq_file *f, struct ArrowSchema *out)
{
    int rc = node_schema(f, &f->root, "", out);
    if (rc) dlk_arrow_schema_release(out);
    return rc;
}

/* ---- reading -------------------------------------------------------------------- */

int dlk_pq_read_row_group(dlk_pq_file *f, int rg, const char *const *columns, size_t n_columns,
                          struct ArrowSchema *out_schema, struct ArrowArray *out_array)
{
    memset(out_schema, 0, sizeof *out_schema);
    memset(out_array, 0, sizeof *out_array);
    if (rg < 0 || rg >= f->meta.n_row_groups)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "%s: row group %d out of range (%d)", f->name, rg, f->meta.n_row_groups);
    int nsel = columns && n_columns ? (int)n_columns : f->root.n_kids;
    int *sel = dlk_calloc((size_t)(nsel ? nsel : 1), sizeof(int));
    pq_chunk *chunks = dlk_calloc((size_t)(f->n_leaves ? f->n_leaves : 1), sizeof(pq_chunk));
    int rc = DLK_OK;
    if (!sel || !chunks) { rc = dlk_err_nomem(); goto done; }
    for (int i = 0; i < nsel; i++) {
        if (columns && n_columns) {
            sel[i] = -1;
            for (int k = 0; k < f->root.n_kids; k++)
                if (!strcmp(f->root.kids[k].name, columns[i])) { sel[i] = k; break; }
            if (sel[i] < 0) { rc = dlk_err_set(DLK_NOT_FOUND, "%s: no column named '%s'", f->name, columns[i]); goto done; }
        } else
            sel[i] = i;
    }
    int64_t nrows = f->meta.row_groups[rg].num_rows;
    if ((rc = dlk_arrow_schema_new(out_schema, "+s", "", 0, nsel))) goto done;
    if ((rc = dlk_arrow_array_new(out_array, nrows, 1, nsel))) goto done;
    for (int i = 0; i < nsel; i++) {
        const pq_node *n = &f->root.kids[sel[i]];
        if ((rc = node_schema(f, n, n->name, out_schema->children[i]))) goto done;
        for (int l = n->leaf0; l < n->leaf0 + n->n_leaves; l++) {
            if (chunks[l].n_levels || chunks[l].vals.n) continue;
            if ((rc = dlk_pq__read_chunk(f, rg, l, &chunks[l]))) goto done;
        }
        if ((rc = dlk_pq__assemble(f, n, chunks, 0, 0, out_array->children[i]))) goto done;
        if (out_array->children[i]->length != nrows) {
            rc = dlk_err_set(DLK_CORRUPT, "%s: row group %d: column %s has %lld rows, row group has %lld", f->name, rg,
                             n->name, (long long)out_array->children[i]->length, (long long)nrows);
            goto done;
        }
        for (int l = n->leaf0; l < n->leaf0 + n->n_leaves; l++) dlk_pq__chunk_free(&chunks[l]);
    }
done:
    if (chunks)
        for (int l = 0; l < f->n_leaves; l++) dlk_pq__chunk_free(&chunks[l]);
    dlk_free(chunks);
    dlk_free(sel);
    if (rc) {
        dlk_arrow_schema_release(out_schema);
        dlk_arrow_array_release(out_array);
    }
    return rc;
}

/* ---- statistics ------------------------------------------------------------------- */

static bool stat_value(const pq_leaf *l, dlk_pq_bytes b, int64_t *i, uint64_t *u, double *d, int *kind)
{
    if (!b.p) return false;
    uint8_t tmp[16];
    const char *fmt = l->fmt;
    switch (l->ptype) {
    case DLK_PQ_BOOLEAN:
        if (b.n < 1) return false;
        *kind = DLK_PQ_STAT_BOOL;
        *i = b.p[0] & 1;
        return true;
    case DLK_PQ_INT32:
    case DLK_PQ_INT64: {
        if (b.n != (size_t)l->width) return false;
        if (l->conv == CV_DEC_I32 || l->conv == CV_DEC_I64) {
            dlk_pq__convert_fixed(l, b.p, tmp);
            *kind = DLK_PQ_STAT_DECIMAL;
            memcpy(u, tmp, 8);
            memcpy(i, tmp + 8, 8);
            return true;
        }
        int64_t v;
        if (l->ptype == DLK_PQ_INT32) {
            int32_t x;
            memcpy(&x, b.p, 4);
            v = x;
        } else {
            memcpy(&v, b.p, 8);
            if (l->conv == CV_TS_MS) v = (int64_t)((uint64_t)v * 1000u);
            else if (l->conv == CV_TS_NS) v = floordiv(v, 1000);
        }
        if (fmt[0] >= 'A' && fmt[0] <= 'Z') {
            *kind = DLK_PQ_STAT_UINT;
            *u = l->ptype == DLK_PQ_INT32 ? (uint32_t)v : (uint64_t)v;
        } else {
            *kind = DLK_PQ_STAT_INT;
            *i = v;
        }
        return true;
    }
    case DLK_PQ_FLOAT:
    case DLK_PQ_DOUBLE:
        if (b.n != (size_t)l->width) return false;
        *kind = DLK_PQ_STAT_DOUBLE;
        if (l->ptype == DLK_PQ_FLOAT) {
            float x;
            memcpy(&x, b.p, 4);
            *d = x;
        } else
            memcpy(d, b.p, 8);
        return true;
    case DLK_PQ_INT96: return false;
    default:
        if (l->conv == CV_DEC_BYTES) {
            if (b.n == 0 || be_to_dec128(b.p, b.n, tmp)) return false;
            *kind = DLK_PQ_STAT_DECIMAL;
            memcpy(u, tmp, 8);
            memcpy(i, tmp + 8, 8);
            return true;
        }
        if (l->conv == CV_F16) {
            if (b.n != 2) return false;
            float x;
            dlk_pq__convert_fixed(l, b.p, (uint8_t *)&x);
            *kind = DLK_PQ_STAT_DOUBLE;
            *d = x;
            return true;
        }
        *kind = DLK_PQ_STAT_BYTES;
        return true;
    }
}

int dlk_pq_column_stats(const dlk_pq_file *f, int rg, const char *leaf_path, dlk_pq_col_stats *out)
{
    memset(out, 0, sizeof *out);
    out->null_count = -1;
    if (rg < 0 || rg >= f->meta.n_row_groups)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "%s: row group %d out of range", f->name, rg);
    int li = -1;
    for (int i = 0; i < f->n_leaves; i++)
        if (!strcmp(f->leaves[i].path, leaf_path)) { li = i; break; }
    if (li < 0) return dlk_err_set(DLK_NOT_FOUND, "%s: no leaf column '%s'", f->name, leaf_path);
    const pq_leaf *l = &f->leaves[li];
    const dlk_pq_column_meta *m = &f->meta.row_groups[rg].columns[li].meta;
    const dlk_pq_statistics *s = &m->stats;
    out->format = l->fmt;
    out->num_values = m->num_values;
    if (!s->present) return DLK_OK;
    out->null_count = s->null_count;
    dlk_pq_bytes mn = s->min_value, mx = s->max_value;
    if (!mn.p || !mx.p) {
        /* legacy fields: signed order only, usable for numbers */
        bool signed_ok = l->ptype == DLK_PQ_INT32 || l->ptype == DLK_PQ_INT64 || l->ptype == DLK_PQ_FLOAT ||
                         l->ptype == DLK_PQ_DOUBLE || l->ptype == DLK_PQ_BOOLEAN;
        if (l->fmt[0] >= 'A' && l->fmt[0] <= 'Z') signed_ok = false;
        if (!signed_ok) return DLK_OK;
        mn = s->min;
        mx = s->max;
    }
    int k1 = 0, k2 = 0;
    if (stat_value(l, mn, &out->min_i, &out->min_u, &out->min_d, &k1) &&
        stat_value(l, mx, &out->max_i, &out->max_u, &out->max_d, &k2) && k1 == k2) {
        out->kind = k1;
        out->has_min_max = true;
        out->min_b = mn.p;
        out->max_b = mx.p;
        out->min_b_len = mn.n;
        out->max_b_len = mx.n;
        if (k1 == DLK_PQ_STAT_DOUBLE && (out->min_d != out->min_d || out->max_d != out->max_d)) out->has_min_max = false;
    }
    return DLK_OK;
}

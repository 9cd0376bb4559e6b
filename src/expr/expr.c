/* expr/expr.c - public API of the expression module (deltalake/expr.h):
 * parse + bind, evaluate, selection vectors, and "take" (gather rows of
 * any Arrow array, nested and dictionary-encoded included) for filtering. */
#include "arrow/arrow.h"
#include "expr/expr_int.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

static const char *format_of(dtype t, int scale, char *buf, size_t cap)
{
    switch (t) {
    case T_NULL: return "n";
    case T_BOOL: return "b";
    case T_INT: return "l";
    case T_DOUBLE: return "g";
    case T_STRING: return "u";
    case T_BINARY: return "z";
    case T_DATE: return "tdD";
    case T_TS: return "tsu:UTC";
    case T_TSNTZ: return "tsu:";
    case T_DECIMAL: snprintf(buf, cap, "d:38,%d", scale); return buf;
    default: return "+s";
    }
}

static int collect_columns(const node *n, dlk_expr *e)
{
    if (n->kind == N_COL) {
        for (size_t i = 0; i < e->n_columns; i++)
            if (!strcmp(e->columns[i], n->path[0])) return DLK_OK;
        char **c = dlk_realloc(e->columns, sizeof(char *) * (e->n_columns + 1));
        if (!c) return dlk_err_nomem();
        e->columns = c;
        if (!(c[e->n_columns] = dlk_strdup(n->path[0]))) return dlk_err_nomem();
        e->n_columns++;
        return DLK_OK;
    }
    for (int i = 0; i < n->nkids; i++) {
        int rc = collect_columns(n->kids[i], e);
        if (rc) return rc;
    }
    return DLK_OK;
}

/* Store the schema's real name in the path (case-insensitive matches). */
static void canon_names(node *n, const struct ArrowSchema *schema)
{
    if (n->kind == N_COL && n->idx) {
        const struct ArrowSchema *s = schema;
        for (int d = 0; d < n->depth; d++) {
            s = s->children[n->idx[d]];
            if (s->name && strcmp(s->name, n->path[d]) != 0) {
                char *c = dlk_strdup(s->name);
                if (c) {
                    dlk_free(n->path[d]);
                    n->path[d] = c;
                }
            }
        }
    }
    for (int i = 0; i < n->nkids; i++) canon_names(n->kids[i], schema);
}

static int parse_bind(const char *text, const struct ArrowSchema *schema, bool pred, dlk_expr **out)
{
    if (!out) return dlk_err_set(DLK_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    node *root = NULL;
    int rc = dlk_expr__parse(text, &root);
    if (rc) return rc;
    if ((rc = dlk_expr__bind(&root, schema, pred))) {
        dlk_expr__node_free(root);
        return rc;
    }
    canon_names(root, schema);
    dlk_expr *e = dlk_calloc(1, sizeof *e);
    if (!e) {
        dlk_expr__node_free(root);
        return dlk_err_nomem();
    }
    e->root = root;
    dlk_buf b = {0};
    char fb[32];
    if (dlk_expr__print(root, &b) || !(e->text = dlk_buf_detach(&b)) ||
        !(e->result_fmt = dlk_strdup(format_of(root->type, root->scale, fb, sizeof fb))) ||
        collect_columns(root, e)) {
        dlk_buf_free(&b);
        dlk_expr_free(&e);
        return dlk_err_nomem();
    }
    *out = e;
    return DLK_OK;
}

int dlk_expr_parse_predicate(const char *text, const struct ArrowSchema *schema, dlk_expr **out)
{
    return parse_bind(text, schema, true, out);
}

int dlk_expr_parse_expression(const char *text, const struct ArrowSchema *schema, dlk_expr **out)
{
    return parse_bind(text, schema, false, out);
}

void dlk_expr_free(dlk_expr **e)
{
    if (!e || !*e) return;
    dlk_expr__node_free((*e)->root);
    dlk_free((*e)->text);
    dlk_free((*e)->result_fmt);
    for (size_t i = 0; i < (*e)->n_columns; i++) dlk_free((*e)->columns[i]);
    dlk_free((*e)->columns);
    dlk_free(*e);
    *e = NULL;
}

const char *dlk_expr_result_format(const dlk_expr *e) { return e ? e->result_fmt : NULL; }
const char *dlk_expr_to_string(const dlk_expr *e) { return e ? e->text : NULL; }

void dlk_expr_columns(const dlk_expr *e, const char *const **names, size_t *count)
{
    *names = (const char *const *)e->columns;
    *count = e->n_columns;
}

static int check_batch(const dlk_expr *e, const struct ArrowArray *batch)
{
    if (!e || !batch || !batch->release) return dlk_err_set(DLK_INVALID_ARGUMENT, "expression or batch missing");
    if (batch->length < 0) return dlk_err_set(DLK_INVALID_ARGUMENT, "negative batch length");
    return DLK_OK;
}

int dlk_expr_evaluate_as(const dlk_expr *e, const struct ArrowArray *batch, const char *format,
                         struct ArrowArray *out)
{
    int rc = check_batch(e, batch);
    if (rc) return rc;
    vec v;
    if ((rc = dlk_expr__eval(e->root, batch, &v))) return rc;
    rc = dlk_expr__vec_to_arrow(&v, format, out);
    dlk_expr__vec_free(&v);
    return rc;
}

int dlk_expr_evaluate(const dlk_expr *e, const struct ArrowArray *batch, struct ArrowArray *out)
{
    return dlk_expr_evaluate_as(e, batch, e ? e->result_fmt : "b", out);
}

int dlk_expr_selection(const struct ArrowArray *mask, int64_t **sel, int64_t *n)
{
    *sel = NULL;
    *n = 0;
    int64_t len = mask->length;
    int64_t *s = dlk_malloc(sizeof(int64_t) * (size_t)(len > 0 ? len : 1));
    if (!s) return dlk_err_nomem();
    const uint8_t *vals = mask->buffers[1];
    int64_t k = 0;
    for (int64_t i = 0; i < len; i++)
        if (dlk_arrow_is_valid(mask, i) && dlk_bit_get(vals, mask->offset + i)) s[k++] = i;
    *sel = s;
    *n = k;
    return DLK_OK;
}

void dlk_expr_selection_free(int64_t *sel) { dlk_free(sel); }

/* ------------------------------------------------------------ take */

static int fixed_width(const char *f)
{
    switch (f[0]) {
    case 'c':
    case 'C': return 1;
    case 's':
    case 'S':
    case 'e': return 2;
    case 'i':
    case 'I':
    case 'f': return 4;
    case 'l':
    case 'L':
    case 'g': return 8;
    case 'w': {
        int w = 0;
        for (const char *c = f + 2; *c >= '0' && *c <= '9'; c++) w = w * 10 + (*c - '0');
        return w;
    }
    case 'd': {
        const char *c = strchr(f, ',');
        c = c ? strchr(c + 1, ',') : NULL;
        return c && !strcmp(c + 1, "256") ? 32 : c && !strcmp(c + 1, "64") ? 8 : c && !strcmp(c + 1, "32") ? 4 : 16;
    }
    case 't':
        if (f[1] == 'd') return f[2] == 'D' ? 4 : 8;
        if (f[1] == 't') return f[2] == 's' || f[2] == 'm' ? 4 : 8;
        if (f[1] == 's' || f[1] == 'D') return 8;
        if (f[1] == 'i') return f[2] == 'M' ? 4 : f[2] == 'D' ? 8 : 16;
        return -1;
    default: return -1;
    }
}

static int take_rec(const struct ArrowSchema *s, const struct ArrowArray *a, const int64_t *idx, int64_t n,
                    struct ArrowArray *out, int depth);

static int take_children_range(const struct ArrowSchema *s, const struct ArrowArray *a, const int64_t *idx,
                               int64_t n, struct ArrowArray *out, int depth, bool large, int fixed)
{
    /* list-like: new offsets + gather child ranges */
    int rc;
    size_t ow = large ? 8 : 4;
    void *off = NULL;
    if (!fixed) {
        off = dlk_arrow_array_alloc_buffer(out, 1, ow * (size_t)(n + 1));
        if (!off) return dlk_err_nomem();
    }
    int64_t total = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t p = a->offset + idx[k], st, en;
        if (fixed) st = p * fixed, en = st + fixed;
        else if (large) st = ((const int64_t *)a->buffers[1])[p], en = ((const int64_t *)a->buffers[1])[p + 1];
        else st = ((const int32_t *)a->buffers[1])[p], en = ((const int32_t *)a->buffers[1])[p + 1];
        if (en < st) return dlk_err_set(DLK_CORRUPT, "decreasing list offsets in '%s'", s->name ? s->name : "");
        total += en - st;
    }
    if (!large && total > INT32_MAX) return dlk_err_set(DLK_UNSUPPORTED, "list child larger than 2^31 elements");
    int64_t *cidx = dlk_malloc(sizeof(int64_t) * (size_t)(total > 0 ? total : 1));
    if (!cidx) return dlk_err_nomem();
    int64_t at = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t p = a->offset + idx[k], st, en;
        if (fixed) st = p * fixed, en = st + fixed;
        else if (large) st = ((const int64_t *)a->buffers[1])[p], en = ((const int64_t *)a->buffers[1])[p + 1];
        else st = ((const int32_t *)a->buffers[1])[p], en = ((const int32_t *)a->buffers[1])[p + 1];
        if (!fixed) {
            if (large) ((int64_t *)off)[k] = at;
            else ((int32_t *)off)[k] = (int32_t)at;
        }
        for (int64_t j = st; j < en; j++) cidx[at++] = j;
    }
    if (!fixed) {
        if (large) ((int64_t *)off)[n] = at;
        else ((int32_t *)off)[n] = (int32_t)at;
    }
    rc = take_rec(s->children[0], a->children[0], cidx, total, out->children[0], depth + 1);
    dlk_free(cidx);
    return rc;
}

static int take_rec(const struct ArrowSchema *s, const struct ArrowArray *a, const int64_t *idx, int64_t n,
                    struct ArrowArray *out, int depth)
{
    if (depth > 64) return dlk_err_set(DLK_UNSUPPORTED, "nesting too deep");
    const char *f = s->format;
    int rc;
    bool is_struct = !strcmp(f, "+s");
    bool is_list = !strcmp(f, "+l") || !strcmp(f, "+m") || !strcmp(f, "+L");
    bool is_fsl = !strncmp(f, "+w:", 3);
    bool is_str = !strcmp(f, "u") || !strcmp(f, "z") || !strcmp(f, "U") || !strcmp(f, "Z");
    if (f[0] == '+' && !is_struct && !is_list && !is_fsl)
        return dlk_err_set(DLK_UNSUPPORTED, "cannot filter Arrow type '%s'", f);
    if (!strcmp(f, "n")) {
        if ((rc = dlk_arrow_array_new(out, n, 0, 0))) return rc;
        out->null_count = n;
        return DLK_OK;
    }
    int64_t nb = is_struct ? 1 : is_str ? 3 : 2;
    if (is_fsl) nb = 1;
    int64_t nc = (is_struct || is_list || is_fsl) ? s->n_children : 0;
    if (nc != a->n_children) return dlk_err_set(DLK_SCHEMA_MISMATCH, "array of '%s' has %lld children, schema %lld",
                                                s->name ? s->name : "", (long long)a->n_children, (long long)nc);
    if ((rc = dlk_arrow_array_new(out, n, nb, nc))) return rc;
    /* validity */
    if (a->null_count != 0 && a->n_buffers > 0 && a->buffers[0]) {
        uint8_t *vb = dlk_arrow_array_alloc_buffer(out, 0, (size_t)(n + 7) / 8);
        if (!vb) goto oom;
        int64_t nulls = 0;
        for (int64_t k = 0; k < n; k++) {
            if (dlk_bit_get(a->buffers[0], a->offset + idx[k])) dlk_bit_set(vb, k);
            else nulls++;
        }
        out->null_count = nulls;
    }
    if (s->dictionary) {
        int w = fixed_width(f);
        if (w <= 0 || w > 8) {
            rc = dlk_err_set(DLK_UNSUPPORTED, "bad dictionary index type '%s'", f);
            goto fail;
        }
        uint8_t *o = dlk_arrow_array_alloc_buffer(out, 1, (size_t)w * (size_t)(n ? n : 1));
        if (!o) goto oom;
        for (int64_t k = 0; k < n; k++)
            memcpy(o + (size_t)w * (size_t)k, (const uint8_t *)a->buffers[1] + (size_t)w * (size_t)(a->offset + idx[k]),
                   (size_t)w);
        struct ArrowArray *d = dlk_arrow_array_add_dictionary(out);
        if (!d || !a->dictionary) goto oom;
        int64_t dl = a->dictionary->length;
        int64_t *all = dlk_malloc(sizeof(int64_t) * (size_t)(dl > 0 ? dl : 1));
        if (!all) goto oom;
        for (int64_t k = 0; k < dl; k++) all[k] = k;
        rc = take_rec(s->dictionary, a->dictionary, all, dl, d, depth + 1);
        dlk_free(all);
        if (rc) goto fail;
        return DLK_OK;
    }
    if (is_struct) {
        int64_t *cidx = (int64_t *)idx;
        if (a->offset) {
            cidx = dlk_malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
            if (!cidx) goto oom;
            for (int64_t k = 0; k < n; k++) cidx[k] = a->offset + idx[k];
        }
        for (int64_t c = 0; c < nc && !rc; c++) rc = take_rec(s->children[c], a->children[c], cidx, n, out->children[c], depth + 1);
        if (cidx != idx) dlk_free(cidx);
        if (rc) goto fail;
        return DLK_OK;
    }
    if (is_list || is_fsl) {
        int fixed = 0;
        if (is_fsl) {
            for (const char *c = f + 3; *c >= '0' && *c <= '9'; c++) fixed = fixed * 10 + (*c - '0');
            if (fixed <= 0) {
                rc = dlk_err_set(DLK_UNSUPPORTED, "bad fixed-size list '%s'", f);
                goto fail;
            }
        }
        if ((rc = take_children_range(s, a, idx, n, out, depth, !strcmp(f, "+L"), fixed))) goto fail;
        return DLK_OK;
    }
    if (is_str) {
        bool large = f[0] == 'U' || f[0] == 'Z';
        size_t ow = large ? 8 : 4;
        void *off = dlk_arrow_array_alloc_buffer(out, 1, ow * (size_t)(n + 1));
        if (!off) goto oom;
        int64_t total = 0;
        for (int64_t k = 0; k < n; k++) {
            int64_t p = a->offset + idx[k];
            int64_t st = large ? ((const int64_t *)a->buffers[1])[p] : ((const int32_t *)a->buffers[1])[p];
            int64_t en = large ? ((const int64_t *)a->buffers[1])[p + 1] : ((const int32_t *)a->buffers[1])[p + 1];
            if (en < st) {
                rc = dlk_err_set(DLK_CORRUPT, "decreasing string offsets in '%s'", s->name ? s->name : "");
                goto fail;
            }
            total += en - st;
        }
        if (!large && total > INT32_MAX) {
            rc = dlk_err_set(DLK_UNSUPPORTED, "string data larger than 2 GiB");
            goto fail;
        }
        uint8_t *d = dlk_arrow_array_alloc_buffer(out, 2, (size_t)total);
        if (!d) goto oom;
        int64_t at = 0;
        for (int64_t k = 0; k < n; k++) {
            int64_t p = a->offset + idx[k];
            int64_t st = large ? ((const int64_t *)a->buffers[1])[p] : ((const int32_t *)a->buffers[1])[p];
            int64_t en = large ? ((const int64_t *)a->buffers[1])[p + 1] : ((const int32_t *)a->buffers[1])[p + 1];
            if (large) ((int64_t *)off)[k] = at;
            else ((int32_t *)off)[k] = (int32_t)at;
            if (en > st) memcpy(d + at, (const uint8_t *)a->buffers[2] + st, (size_t)(en - st));
            at += en - st;
        }
        if (large) ((int64_t *)off)[n] = at;
        else ((int32_t *)off)[n] = (int32_t)at;
        return DLK_OK;
    }
    if (!strcmp(f, "b")) {
        uint8_t *o = dlk_arrow_array_alloc_buffer(out, 1, (size_t)(n + 7) / 8);
        if (!o) goto oom;
        for (int64_t k = 0; k < n; k++)
            if (dlk_bit_get(a->buffers[1], a->offset + idx[k])) dlk_bit_set(o, k);
        return DLK_OK;
    }
    int w = fixed_width(f);
    if (w <= 0) {
        rc = dlk_err_set(DLK_UNSUPPORTED, "cannot filter Arrow type '%s'", f);
        goto fail;
    }
    uint8_t *o = dlk_arrow_array_alloc_buffer(out, 1, (size_t)w * (size_t)(n ? n : 1));
    if (!o) goto oom;
    const uint8_t *src = a->buffers[1];
    switch (w) {
    case 4:
        for (int64_t k = 0; k < n; k++) ((uint32_t *)o)[k] = ((const uint32_t *)src)[a->offset + idx[k]];
        break;
    case 8:
        for (int64_t k = 0; k < n; k++) ((uint64_t *)o)[k] = ((const uint64_t *)src)[a->offset + idx[k]];
        break;
    default:
        for (int64_t k = 0; k < n; k++)
            memcpy(o + (size_t)w * (size_t)k, src + (size_t)w * (size_t)(a->offset + idx[k]), (size_t)w);
    }
    return DLK_OK;
oom:
    rc = dlk_err_nomem();
fail:
    dlk_arrow_array_release(out);
    return rc;
}

int dlk_expr_take(const struct ArrowSchema *schema, const struct ArrowArray *batch, const int64_t *sel, int64_t n,
                  struct ArrowArray *out)
{
    if (!schema || !batch || !out || (n && !sel)) return dlk_err_set(DLK_INVALID_ARGUMENT, "take: missing argument");
    for (int64_t k = 0; k < n; k++)
        if (sel[k] < 0 || sel[k] >= batch->length)
            return dlk_err_set(DLK_INVALID_ARGUMENT, "take: index %lld out of range (length %lld)", (long long)sel[k],
                               (long long)batch->length);
    return take_rec(schema, batch, sel, n, out, 0);
}

int dlk_expr_filter(const dlk_expr *e, const struct ArrowSchema *schema, const struct ArrowArray *batch,
                    struct ArrowArray *out, int64_t *n_out)
{
    int rc = check_batch(e, batch);
    if (rc) return rc;
    if (e->root->type != T_BOOL) return dlk_err_set(DLK_INVALID_ARGUMENT, "filter needs a predicate");
    vec v;
    if ((rc = dlk_expr__eval(e->root, batch, &v))) return rc;
    int64_t len = batch->length;
    int64_t *sel = dlk_malloc(sizeof(int64_t) * (size_t)(len > 0 ? len : 1));
    if (!sel) {
        dlk_expr__vec_free(&v);
        return dlk_err_nomem();
    }
    int64_t k = 0;
    const uint8_t *d = v.data;
    for (int64_t i = 0; i < len; i++)
        if (d[i] && (!v.valid || v.valid[i])) sel[k++] = i;
    dlk_expr__vec_free(&v);
    rc = take_rec(schema, batch, sel, k, out, 0);
    dlk_free(sel);
    if (!rc && n_out) *n_out = k;
    return rc;
}

/* core/ppred.c - predicates of the expression language over partition
 * values (replace_where, delete by partition): bound to a "+s" schema of the
 * partition columns, evaluated on one-row-per-partition Arrow batches built
 * from the serialized values (see core/partition.h). */
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "core/partition.h"
#include "deltalake/expr.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hashmap.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct dlk_ops__ppred {
    struct ArrowSchema schema; /* "+s": the partition columns, nullable */
    size_t n_part;
    dlk_expr *e;
    dlk_map seen; /* joined values -> (void *)1 no match, (void *)2 match */
    dlk_buf key;
};

void dlk_ops__ppred_free(dlk_ops__ppred **p)
{
    if (!p || !*p) return;
    dlk_expr_free(&(*p)->e);
    dlk_arrow_schema_release(&(*p)->schema);
    dlk_map_free(&(*p)->seen);
    dlk_buf_free(&(*p)->key);
    dlk_free(*p);
    *p = NULL;
}

/* " at L:C" of an expression-layer message, or "". */
static void position_of(const char *msg, char *out, size_t cap)
{
    out[0] = 0;
    const char *a = msg ? strstr(msg, " at ") : NULL;
    int line, col, n = 0;
    if (a && sscanf(a, " at %d:%d%n", &line, &col, &n) == 2 && n > 0)
        snprintf(out, cap, " at %d:%d", line, col);
}

/* Does the token at " at L:C" follow a comparison or an IN list's '(' / ','? */
static bool after_operator(const char *text, const char *pos)
{
    int line, col;
    if (sscanf(pos, " at %d:%d", &line, &col) != 2 || line < 1 || col < 1) return false;
    size_t i = 0;
    for (int l = 1; l < line && text[i]; i++)
        if (text[i] == '\n') l++;
    for (int c = 1; c < col && text[i]; c++)
        i++;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n'))
        i--;
    return i > 0 && strchr("=<>(,", text[i - 1]);
}

int dlk_ops__ppred_new(const char *what, const char *text, const struct ArrowSchema *table_schema,
                       const char *const *part_cols, size_t n_part, dlk_ops__ppred **out)
{
    *out = NULL;
    dlk_ops__ppred *p = dlk_calloc(1, sizeof *p);
    if (!p) return dlk_err_nomem();
    p->n_part = n_part;
    int rc = dlk_arrow_schema_new(&p->schema, "+s", "", 0, (int64_t)n_part);
    for (size_t k = 0; k < n_part && !rc; k++) {
        int64_t idx = dlk_arrow_schema_find(table_schema, part_cols[k]);
        if (idx < 0) {
            rc = dlk_err_set(DLK_CORRUPT, "partition column '%s' not in the schema", part_cols[k]);
        } else {
            rc = dlk_arrow_schema_copy(table_schema->children[idx], p->schema.children[k]);
            p->schema.children[k]->flags |= ARROW_FLAG_NULLABLE;
        }
    }
    if (rc) goto fail;
    rc = dlk_expr_parse_predicate(text, &p->schema, &p->e);
    if (rc == DLK_NOT_FOUND) {
        /* a table column that is not a partition column, or no column at all:
         * bound against the whole schema, the message says which */
        char pos[48], name[256] = "";
        const char *m = dlk_error_last()->message;
        position_of(m, pos, sizeof pos);
        const char *q = m ? strstr(m, "column '") : NULL;
        const char *e = q ? strstr(q + 8, "' not found") : NULL;
        if (e && (size_t)(e - (q + 8)) < sizeof name)
            memcpy(name, q + 8, (size_t)(e - (q + 8))), name[e - (q + 8)] = 0;
        dlk_expr *full = NULL;
        rc = dlk_expr_parse_predicate(text, table_schema, &full);
        dlk_expr_free(&full);
        if (rc == DLK_OK)
            rc = dlk_err_set(DLK_UNSUPPORTED,
                             "'%s' is not a partition column%s (only predicates on partition "
                             "columns are supported)",
                             name, pos);
        else if (rc == DLK_NOT_FOUND && name[0] && after_operator(text, pos)) {
            /* `col = web`: a value without quotes */
            char msg[512];
            snprintf(msg, sizeof msg, "%s", dlk_error_last()->message);
            rc = dlk_err_set(DLK_NOT_FOUND, "%s (text values take quotes: '%s')", msg, name);
        }
    }
    if (rc) goto fail;
    *out = p;
    return DLK_OK;
fail:
    dlk_ops__ppred_free(&p);
    return what ? dlk_err_context(rc, "%s", what) : rc;
}

static int append_value(dlk_arrow_builder *b, const char *format, const char *text)
{
    if (!text || !*text) return dlk_arrow_builder_append_null(b);
    dlk_value v;
    int rc = dlk_value_parse(format, text, strlen(text), &v);
    if (rc) return rc;
    switch (v.kind) {
    case DLK_VALUE_NULL:
        return dlk_arrow_builder_append_null(b);
    case DLK_VALUE_BOOL:
        return dlk_arrow_builder_append_bool(b, v.b);
    case DLK_VALUE_INT:
        return dlk_arrow_builder_append_int(b, v.i);
    case DLK_VALUE_DOUBLE:
        return dlk_arrow_builder_append_double(b, v.d);
    case DLK_VALUE_STRING:
        return dlk_arrow_builder_append_bytes(b, v.str, v.len);
    case DLK_VALUE_DECIMAL:
        return dlk_arrow_builder_append_decimal(b, v.dec_hi, v.dec_lo);
    }
    return dlk_err_set(DLK_ERROR, "partition value '%s': unexpected kind", text);
}

int dlk_ops__ppred_eval(dlk_ops__ppred *p, const char *const *vals, size_t n_rows, bool *match)
{
    struct ArrowArray batch = {0}, mask = {0};
    dlk_arrow_builder *b = NULL;
    int64_t *sel = NULL, nsel = 0;
    for (size_t r = 0; r < n_rows; r++)
        match[r] = false;
    int rc = dlk_arrow_builder_new(&p->schema, &b);
    for (size_t r = 0; r < n_rows && !rc; r++) {
        rc = dlk_arrow_builder_begin(b);
        for (size_t k = 0; k < p->n_part && !rc; k++) {
            const struct ArrowSchema *f = p->schema.children[k];
            rc = append_value(dlk_arrow_builder_child(b, (int64_t)k), f->format,
                              vals[r * p->n_part + k]);
            if (rc) rc = dlk_err_context(rc, "partition value of '%s'", f->name);
        }
        if (!rc) rc = dlk_arrow_builder_end(b);
    }
    if (!rc) rc = dlk_arrow_builder_finish(b, &batch);
    if (!rc) rc = dlk_expr_evaluate(p->e, &batch, &mask);
    if (!rc) rc = dlk_expr_selection(&mask, &sel, &nsel);
    for (int64_t i = 0; i < nsel && !rc; i++)
        match[sel[i]] = true;
    dlk_expr_selection_free(sel);
    dlk_arrow_array_release(&mask);
    dlk_arrow_array_release(&batch);
    dlk_arrow_builder_free(b);
    return rc;
}

int dlk_ops__ppred_match(dlk_ops__ppred *p, const char *const *vals, bool *match)
{
    /* key: each value then \x1f, a null as \x1e */
    p->key.len = 0;
    int rc = DLK_OK;
    for (size_t k = 0; k < p->n_part && !rc; k++) {
        rc = vals[k] ? dlk_buf_append(&p->key, vals[k], strlen(vals[k]))
                     : dlk_buf_putc(&p->key, '\x1e');
        if (!rc) rc = dlk_buf_putc(&p->key, '\x1f');
    }
    if (rc) return rc;
    void *hit = NULL;
    const char *kd = p->key.len ? (const char *)p->key.data : "";
    if (dlk_map_get(&p->seen, kd, p->key.len, &hit)) {
        *match = hit == (void *)2;
        return DLK_OK;
    }
    if ((rc = dlk_ops__ppred_eval(p, vals, 1, match))) return rc;
    return dlk_map_put(&p->seen, kd, p->key.len, *match ? (void *)2 : (void *)1, NULL);
}

/* dml/dml_update.c - UPDATE table SET col = expr [, ...] [WHERE predicate]
 * (deltalake/dml.h): the matching rows are read whole (files skipped by the
 * predicate's partition values / stats), marked deleted in their files
 * (deletion vectors or rewrite, dml/dml_common.c) and written again with the
 * SET expressions (src/expr) evaluated on the old row, in the same partition. */
#include "arrow/arrow.h"
#include "core/snapshot.h"
#include "deltalake/where.h"
#include "dml/dml_int.h"
#include "core/metrics.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include "util/time.h"

#include <ctype.h>
#include <string.h>

#define ROW_INDEX_COL "__dlk_dml_row_index"

typedef struct assignment {
    char *col;
    char *expr;
    int64_t table_idx; /* index in the table schema */
    dlk_expr *e;       /* bound to the scan's output schema */
} assignment;

/* Split "a = x + 1, `b c` = 'q,r'" at top-level commas and the first '='. */
static int parse_set(const char *text, assignment **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!text) return dlk_err_set(DLK_INVALID_ARGUMENT, "update: SET is required");
    size_t cap = 4, n = 0;
    assignment *as = dlk_calloc(cap, sizeof *as);
    if (!as) return dlk_err_nomem();
    int rc = DLK_OK;
    const char *s = text;
    while (!rc) {
        /* the column */
        while (isspace((unsigned char)*s))
            s++;
        const char *c0 = s, *c1;
        char *col;
        if (*s == '`') {
            const char *e = strchr(s + 1, '`');
            if (!e) {
                rc = dlk_err_set(DLK_PARSE, "update SET: position %d: unterminated `name`",
                                 (int)(s - text) + 1);
                break;
            }
            col = dlk_strndup(s + 1, (size_t)(e - s - 1));
            s = e + 1;
        } else {
            while (isalnum((unsigned char)*s) || *s == '_')
                s++;
            c1 = s;
            if (c1 == c0) {
                rc = dlk_err_set(DLK_PARSE, "update SET: position %d: expected a column name",
                                 (int)(s - text) + 1);
                break;
            }
            col = dlk_strndup(c0, (size_t)(c1 - c0));
        }
        if (!col) {
            rc = dlk_err_nomem();
            break;
        }
        while (isspace((unsigned char)*s))
            s++;
        if (*s != '=' || s[1] == '=') {
            rc = dlk_err_set(DLK_PARSE, "update SET: position %d: expected '=' after '%s'",
                             (int)(s - text) + 1, col);
            dlk_free(col);
            break;
        }
        s++;
        /* the expression: up to a comma outside quotes, backticks and parentheses */
        const char *e0 = s;
        int depth = 0;
        char q = 0;
        for (; *s; s++) {
            if (q) {
                if (*s == q) q = 0;
            } else if (*s == '\'' || *s == '`') {
                q = *s;
            } else if (*s == '(') {
                depth++;
            } else if (*s == ')') {
                depth--;
            } else if (*s == ',' && depth == 0) {
                break;
            }
        }
        if (n == cap) {
            assignment *na = dlk_realloc(as, 2 * cap * sizeof *as);
            if (!na) {
                dlk_free(col);
                rc = dlk_err_nomem();
                break;
            }
            memset(na + cap, 0, cap * sizeof *na);
            as = na;
            cap *= 2;
        }
        as[n].col = col;
        as[n].expr = dlk_strndup(e0, (size_t)(s - e0));
        if (!as[n++].expr) rc = dlk_err_nomem();
        const char *k = as[n - 1].expr ? as[n - 1].expr : "";
        while (isspace((unsigned char)*k))
            k++;
        if (!rc && !*k) rc = dlk_err_set(DLK_PARSE, "update SET: no expression for '%s'", col);
        if (!*s) break;
        s++;
    }
    if (rc) {
        for (size_t i = 0; i < n; i++)
            dlk_free(as[i].col), dlk_free(as[i].expr);
        dlk_free(as);
        return rc;
    }
    *out = as;
    *n_out = n;
    return DLK_OK;
}

static void free_set(assignment *as, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dlk_free(as[i].col);
        dlk_free(as[i].expr);
        dlk_expr_free(&as[i].e);
    }
    dlk_free(as);
}

/* Scan the matching rows, mark them, write their updated versions. */
static int update_rows(dlk_dml *d, dlk_where *w, assignment *as, size_t n_as, int64_t *updated)
{
    dlk_ops__files *wr;
    int rc = dlk_ops__dml_writer(d, &wr);
    if (rc) return rc;
    int64_t *didx = NULL;
    size_t nd = 0;
    if ((rc = dlk_ops__dml_data_columns(d, &didx, &nd))) return rc;
    dlk_dml_scope c = {d, w};
    dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
    if (w) dlk_where_apply(w, &o);
    dlk_ops__dml_scope_apply(&c, &o);
    o.row_index_column = ROW_INDEX_COL;
    dlk_read__scan *s = NULL;
    struct ArrowSchema schema = {0};
    const char **vals = dlk_calloc(d->st.n_part + 1, sizeof *vals);
    struct ArrowArray **kids = dlk_calloc(nd + 1, sizeof *kids);
    struct ArrowArray *newv = dlk_calloc(n_as + 1, sizeof *newv);
    if (!vals || !kids || !newv) rc = dlk_err_nomem();
    bool open = false;
    if (!rc) rc = dlk_read__scan_open(d->snap, &o, &s);
    open = !rc;
    if (!rc) rc = dlk_arrow_schema_copy(dlk_read__scan_schema(s), &schema);
    for (size_t i = 0; i < n_as && !rc; i++) {
        if ((rc = dlk_expr_parse_expression(as[i].expr, &schema, &as[i].e)))
            rc = dlk_err_context(rc, "update SET %s", as[i].col);
    }
    int64_t ix_col = schema.n_children - 1;
    while (!rc) {
        struct ArrowArray b;
        if ((rc = dlk_read__scan_next(s, &b)) || !b.release) break;
        const dlk_file_info *fi = dlk_read__scan_file(s);
        const struct ArrowArray *ix = b.children[ix_col];
        rc = dlk_ops__dml_mark(d, fi, (const int64_t *)ix->buffers[1] + ix->offset,
                               (size_t)b.length);
        for (size_t i = 0; i < n_as && !rc; i++) {
            const char *fmt = schema.children[as[i].table_idx]->format;
            if ((rc = dlk_expr_evaluate_as(as[i].e, &b, fmt, &newv[i])))
                rc = dlk_err_context(rc, "update SET %s", as[i].col);
        }
        struct ArrowArray view = {0};
        if (!rc) {
            for (size_t k = 0; k < nd; k++) {
                kids[k] = b.children[didx[k]];
                for (size_t i = 0; i < n_as; i++)
                    if (as[i].table_idx == didx[k]) kids[k] = &newv[i];
            }
            rc = dlk_ops__dml_view(b.length, kids, nd, &view);
            dlk_ops__dml_part_values(d, fi, vals);
            if (!rc) rc = dlk_ops__files_write(wr, &view, vals);
            dlk_arrow_array_release(&view);
            *updated += b.length;
        }
        for (size_t i = 0; i < n_as; i++)
            dlk_arrow_array_release(&newv[i]);
        dlk_arrow_array_release(&b);
    }
    if (open) {
        dlk_scan_stats ss;
        dlk_read__scan_stats(s, &ss);
        d->files_scanned += ss.files_read;
        dlk_read__scan_free(&s);
    }
    dlk_arrow_schema_release(&schema);
    dlk_free(didx);
    dlk_free(vals);
    dlk_free(kids);
    dlk_free(newv);
    return rc;
}

static int update_impl(const char *table, const dlk_update_options *o, dlk_update_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    dlk_update_options def = DLK_UPDATE_OPTIONS_INIT;
    dlk_update_result dummy;
    if (!o) o = &def;
    if (!r) r = &dummy;
    memset(r, 0, sizeof *r);
    r->version = -1;
    if (o->version < 1) return dlk_err_set(DLK_INVALID_ARGUMENT, "update options: version not set");
    assignment *as = NULL;
    size_t n_as = 0;
    int rc = parse_set(o->set, &as, &n_as);
    if (rc) return rc;
    dlk_dml d;
    if ((rc = dlk_ops__dml_begin(table, o->mode, o->enable_dv, o->partition_path, &d))) {
        free_set(as, n_as);
        return dlk_err_context(rc, "update");
    }
    dlk_where *w = NULL;
    int64_t updated = 0;
    const struct ArrowSchema *ts = dlk_snapshot_schema(d.snap);
    for (size_t i = 0; i < n_as && !rc; i++) {
        as[i].table_idx = dlk_arrow_schema_find(ts, as[i].col);
        for (size_t j = 0; j < i && !rc; j++)
            if (!strcmp(as[j].col, as[i].col))
                rc = dlk_err_set(DLK_INVALID_ARGUMENT, "update SET: column '%s' assigned twice",
                                 as[i].col);
        if (rc) break;
        if (as[i].table_idx < 0)
            rc = dlk_err_set(DLK_NOT_FOUND, "update SET: column '%s' is not in the table",
                             as[i].col);
        else if (ts->children[as[i].table_idx]->format[0] == '+')
            rc = dlk_err_set(DLK_UNSUPPORTED, "update SET: column '%s' has a nested type",
                             as[i].col);
        for (size_t k = 0; !rc && k < d.st.n_part; k++)
            if (!strcmp(d.st.partition_cols[k], as[i].col))
                rc = dlk_err_set(DLK_UNSUPPORTED, "update SET: '%s' is a partition column",
                                 as[i].col);
    }
    if (!rc && o->predicate) rc = dlk_where_new(d.snap, o->predicate, &w);
    if (!rc) rc = update_rows(&d, w, as, n_as, &updated);
    if (!rc) rc = dlk_ops__dml_apply(&d);
    if (rc) goto out;
    r->files_scanned = d.files_scanned;
    r->files_skipped = (int64_t)d.snap->n_files - d.files_scanned;
    if (updated == 0) goto out; /* nothing matched: no commit */

    json_t *params = json_object(), *metrics = json_object();
    if (o->predicate) json_object_set_new(params, "predicate", json_string(o->predicate));
    json_object_set_new(params, "set", json_string(o->set));
    if (o->partition_path)
        json_object_set_new(params, "partitionPath", json_string(o->partition_path));
    json_object_set_new(params, "mode", json_string(d.soft ? "deletionVectors" : "rewrite"));
    dlk_core__metric(metrics, "numUpdatedRows", updated);
    dlk_core__metric(metrics, "numTargetRowsUpdated", updated);
    dlk_core__metric(metrics, "numFilesScanned", d.files_scanned);
    dlk_core__metric(metrics, "executionTimeMs", (dlk_monotonic_ns() - t0) / 1000000);
    rc = dlk_ops__dml_commit(&d, "UPDATE", params, metrics, o->max_attempts, &r->version,
                             &r->attempts);
    json_decref(params);
    json_decref(metrics);
    if (rc) goto out;
    r->rows_updated = updated;
    r->files_removed = d.files_removed + d.files_rewritten;
    r->files_added = d.files_added;
    r->dvs_written = d.dvs_written;
out:
    dlk_where_free(&w);
    free_set(as, n_as);
    dlk_ops__dml_end(&d, rc != DLK_OK);
    if (rc) rc = dlk_err_context(rc, "%s", table);
    return rc;
}

/* The public entry point: update_impl with its latency in the operation metrics. */
int dlk_table_update(const char *table, const dlk_update_options *o, dlk_update_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    int rc = update_impl(table, o, r);
    dlk_ops__metrics_record(table, DLK_OP_UPDATE, dlk_ops__ms_since(t0), rc == DLK_OK);
    return rc;
}

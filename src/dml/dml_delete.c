/* dml/dml_delete.c - DELETE FROM table WHERE predicate (deltalake/dml.h):
 * a predicate over partition columns only removes whole files without
 * reading them; otherwise the files the predicate cannot skip are scanned
 * for the matching rows' positions, which become deletion vectors or
 * rewrites (dml/dml_common.c). Also the shared evaluation of a predicate
 * over files' partition values. */
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "core/snapshot.h"
#include "deltalake/where.h"
#include "dml/dml_int.h"
#include "core/metrics.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/time.h"

#include <inttypes.h>
#include <string.h>

#define ROW_INDEX_COL "__dlk_dml_row_index"

static bool is_partition_col(const dlk_dml *d, const char *name)
{
    for (size_t k = 0; k < d->st.n_part; k++)
        if (!strcmp(d->st.partition_cols[k], name)) return true;
    return false;
}

/* Evaluate a predicate reading only partition columns on every in-scope
 * file's partition values (one row per file); files where it is TRUE are
 * marked whole. NULL predicate: every in-scope file. */
static int delete_by_partition(dlk_dml *d, const char *predicate)
{
    const dlk_snapshot *snap = d->snap;
    size_t nf = 0;
    const dlk_file_info **files = dlk_calloc(snap->n_files + 1, sizeof *files);
    if (!files) return dlk_err_nomem();
    for (size_t i = 0; i < snap->n_files; i++)
        if (dlk_ops__dml_in_scope(d, &snap->files[i])) files[nf++] = &snap->files[i];
    int rc = DLK_OK;
    if (!predicate) {
        for (size_t i = 0; i < nf && !rc; i++)
            rc = dlk_ops__dml_mark_whole(d, files[i]);
        dlk_free(files);
        return rc;
    }
    size_t np = d->st.n_part;
    dlk_ops__ppred *p = NULL;
    const char **vals = dlk_calloc(nf * np + 1, sizeof *vals);
    bool *match = dlk_calloc(nf + 1, sizeof *match);
    rc = vals && match ? dlk_ops__ppred_new(NULL, predicate, dlk_snapshot_schema(snap),
                                            (const char *const *)d->st.partition_cols, np, &p)
                       : dlk_err_nomem();
    for (size_t i = 0; i < nf && !rc; i++)
        dlk_ops__dml_part_values(d, files[i], vals + i * np);
    if (!rc) rc = dlk_ops__ppred_eval(p, vals, nf, match);
    for (size_t i = 0; i < nf && !rc; i++)
        if (match[i]) rc = dlk_ops__dml_mark_whole(d, files[i]);
    dlk_ops__ppred_free(&p);
    dlk_free(match);
    dlk_free(vals);
    dlk_free(files);
    return rc;
}

/* Scan the in-scope files the predicate may match; mark the matching rows. */
static int delete_by_scan(dlk_dml *d, dlk_where *w)
{
    dlk_dml_scope c = {d, w};
    dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
    dlk_where_apply(w, &o);
    static const char *const no_cols[1] = {NULL};
    o.columns = no_cols;
    o.n_columns = 0;
    dlk_ops__dml_scope_apply(&c, &o);
    o.row_index_column = ROW_INDEX_COL;
    dlk_read__scan *s = NULL;
    int rc = dlk_read__scan_open(d->snap, &o, &s);
    if (rc) return rc;
    while (!rc) {
        struct ArrowArray b;
        if ((rc = dlk_read__scan_next(s, &b)) || !b.release) break;
        const struct ArrowArray *ix = b.children[b.n_children - 1];
        rc = dlk_ops__dml_mark(d, dlk_read__scan_file(s),
                               (const int64_t *)ix->buffers[1] + ix->offset, (size_t)b.length);
        dlk_arrow_array_release(&b);
    }
    dlk_scan_stats ss;
    dlk_read__scan_stats(s, &ss);
    d->files_scanned += ss.files_read;
    dlk_read__scan_free(&s);
    return rc;
}

static int delete_impl(const char *table, const dlk_delete_options *o, dlk_delete_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    dlk_delete_options def = DLK_DELETE_OPTIONS_INIT;
    dlk_delete_result dummy;
    if (!o) o = &def;
    if (!r) r = &dummy;
    memset(r, 0, sizeof *r);
    r->version = -1;
    if (o->version < 1) return dlk_err_set(DLK_INVALID_ARGUMENT, "delete options: version not set");
    dlk_dml d;
    int rc = dlk_ops__dml_begin(table, o->mode, o->enable_dv, o->partition_path, &d);
    if (rc) return dlk_err_context(rc, "delete");
    dlk_where *w = NULL;
    bool by_partition = true;
    if (o->predicate) {
        if ((rc = dlk_where_new(d.snap, o->predicate, &w))) goto out;
        const char *const *cols;
        size_t n;
        dlk_expr_columns(dlk_where_expr(w), &cols, &n);
        for (size_t i = 0; i < n; i++)
            if (!is_partition_col(&d, cols[i])) by_partition = false;
    }
    if (by_partition)
        rc = delete_by_partition(&d, o->predicate);
    else
        rc = delete_by_scan(&d, w);
    if (!rc) rc = dlk_ops__dml_apply(&d);
    if (rc) goto out;
    r->files_scanned = d.files_scanned;
    r->files_skipped = (int64_t)d.snap->n_files - d.files_scanned;
    if (d.rows_deleted == 0 && d.files_removed == 0) goto out; /* nothing matched: no commit */

    json_t *params = json_object(), *metrics = json_object();
    if (o->predicate) json_object_set_new(params, "predicate", json_string(o->predicate));
    if (o->partition_path)
        json_object_set_new(params, "partitionPath", json_string(o->partition_path));
    json_object_set_new(params, "mode", json_string(d.soft ? "deletionVectors" : "rewrite"));
    dlk_core__metric(metrics, "numDeletedRows", d.rows_deleted);
    dlk_core__metric(metrics, "numTargetRowsDeleted", d.rows_deleted);
    dlk_core__metric(metrics, "numFilesScanned", d.files_scanned);
    dlk_core__metric(metrics, "executionTimeMs", (dlk_monotonic_ns() - t0) / 1000000);
    rc = dlk_ops__dml_commit(&d, "DELETE", params, metrics, o->max_attempts, &r->version,
                             &r->attempts);
    json_decref(params);
    json_decref(metrics);
    if (rc) goto out;
    r->rows_deleted = d.rows_deleted;
    r->files_removed = d.files_removed;
    r->files_rewritten = d.files_rewritten;
    r->files_added = d.files_added;
    r->dvs_written = d.dvs_written;
out:
    dlk_where_free(&w);
    dlk_ops__dml_end(&d, rc != DLK_OK);
    if (rc) rc = dlk_err_context(rc, "%s", table);
    return rc;
}

/* The public entry point: delete_impl with its latency in the operation metrics. */
int dlk_table_delete(const char *table, const dlk_delete_options *o, dlk_delete_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    int rc = delete_impl(table, o, r);
    dlk_ops__metrics_record(table, DLK_OP_DELETE, dlk_ops__ms_since(t0), rc == DLK_OK);
    return rc;
}

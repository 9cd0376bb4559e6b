/*
 * api/query_builder.c - dlk_query and dlk_records (include/deltalake/
 * connector.h): a snapshot (latest, version or timestamp) scanned with a
 * dlk_where filter (file skipping + row filter), selected columns and a
 * limit, optionally sorted by one column (the scan's order_by); results as JSON rows or as an
 * Arrow stream that owns its snapshot.
 */
#define _POSIX_C_SOURCE 200809L
#include "api/connector_int.h"
#include "arrow/arrow.h"
#include "deltalake/arrow_json.h"
#include "deltalake/scan.h"
#include "deltalake/where.h"
#include "read/scan_iter.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dlk_query {
    dlk_table_handle *t;
    dlk_buf filter; /* "(p1) AND (p2)" */
    char **cols;
    size_t n_cols;
    int64_t limit;
    char *order_col;
    bool desc;
    int64_t version; /* -1: latest or as_of */
    char *as_of;
};

struct dlk_records {
    char **names;
    size_t n_names;
    char **rows;  /* JSON object per row */
    char **cells; /* n_rows * n_names JSON values */
    size_t n_rows;
    int64_t version;
    double elapsed_ms;
    dlk_scan_stats scan; /* files / row groups skipped, rows read */
};

/* ---- records ---- */

size_t dlk_records_count(const dlk_records *r)
{
    return r ? r->n_rows : 0;
}
const char *dlk_records_row(const dlk_records *r, size_t i)
{
    return r && i < r->n_rows ? r->rows[i] : NULL;
}
size_t dlk_records_column_count(const dlk_records *r)
{
    return r ? r->n_names : 0;
}
const char *dlk_records_column_name(const dlk_records *r, size_t i)
{
    return r && i < r->n_names ? r->names[i] : NULL;
}
int64_t dlk_records_version(const dlk_records *r)
{
    return r ? r->version : -1;
}
double dlk_records_elapsed_ms(const dlk_records *r)
{
    return r ? r->elapsed_ms : 0;
}

int dlk_records_get(const dlk_records *r, size_t i, const char *col, char **out)
{
    if (!r || !col || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "records_get: NULL argument");
    *out = NULL;
    if (i >= r->n_rows)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "records_get: row %zu of %zu", i, r->n_rows);
    for (size_t k = 0; k < r->n_names; k++) {
        if (!strcmp(r->names[k], col)) {
            *out = dlk_strdup(r->cells[i * r->n_names + k]);
            return *out ? DLK_OK : dlk_err_nomem();
        }
    }
    return dlk_err_set(DLK_NOT_FOUND, "records_get: no column '%s' in the result", col);
}

void dlk_records_free(dlk_records **rp)
{
    if (!rp || !*rp) return;
    dlk_records *r = *rp;
    for (size_t i = 0; i < r->n_names; i++)
        dlk_free(r->names[i]);
    for (size_t i = 0; i < r->n_rows; i++)
        dlk_free(r->rows ? r->rows[i] : NULL);
    for (size_t i = 0; r->cells && i < r->n_rows * r->n_names; i++)
        dlk_free(r->cells[i]);
    dlk_free(r->names);
    dlk_free(r->rows);
    dlk_free(r->cells);
    dlk_free(r);
    *rp = NULL;
}

/* ---- builder ---- */

int dlk_query_new(dlk_table_handle *t, dlk_query **out)
{
    if (!t || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "query: NULL argument");
    dlk_query *q = dlk_calloc(1, sizeof *q);
    if (!q) return dlk_err_nomem();
    q->t = t;
    q->limit = -1;
    q->version = -1;
    *out = q;
    return DLK_OK;
}

static void free_cols(dlk_query *q)
{
    for (size_t i = 0; i < q->n_cols; i++)
        dlk_free(q->cols[i]);
    dlk_free(q->cols);
    q->cols = NULL;
    q->n_cols = 0;
}

void dlk_query_free(dlk_query **q)
{
    if (!q || !*q) return;
    dlk_buf_free(&(*q)->filter);
    free_cols(*q);
    dlk_free((*q)->order_col);
    dlk_free((*q)->as_of);
    dlk_free(*q);
    *q = NULL;
}

int dlk_query_filter(dlk_query *q, const char *predicate)
{
    if (!q || !predicate || !predicate[0])
        return dlk_err_set(DLK_INVALID_ARGUMENT, "query filter: empty predicate");
    int rc = q->filter.len ? dlk_buf_puts(&q->filter, " AND ") : DLK_OK;
    if (!rc) rc = dlk_buf_printf(&q->filter, "(%s)", predicate);
    return rc;
}

int dlk_query_select(dlk_query *q, const char *const *cols, size_t n)
{
    if (!q || (n && !cols)) return dlk_err_set(DLK_INVALID_ARGUMENT, "query select: NULL argument");
    free_cols(q);
    if (!n) return DLK_OK;
    if (!(q->cols = dlk_calloc(n, sizeof *q->cols))) return dlk_err_nomem();
    for (size_t i = 0; i < n; i++) {
        if (!cols[i] || !cols[i][0]) {
            q->n_cols = i;
            free_cols(q);
            return dlk_err_set(DLK_INVALID_ARGUMENT, "query select: column %zu has no name", i + 1);
        }
        q->n_cols = i + 1;
        if (!(q->cols[i] = dlk_strdup(cols[i]))) {
            free_cols(q);
            return dlk_err_nomem();
        }
    }
    return DLK_OK;
}

int dlk_query_limit(dlk_query *q, int64_t n)
{
    if (!q) return dlk_err_set(DLK_INVALID_ARGUMENT, "query limit: NULL query");
    q->limit = n < 0 ? -1 : n;
    return DLK_OK;
}

int dlk_query_order_by(dlk_query *q, const char *col, bool descending)
{
    if (!q || !col || !col[0])
        return dlk_err_set(DLK_INVALID_ARGUMENT, "query order_by: no column");
    char *c = dlk_strdup(col);
    if (!c) return dlk_err_nomem();
    dlk_free(q->order_col);
    q->order_col = c;
    q->desc = descending;
    return DLK_OK;
}

int dlk_query_version(dlk_query *q, int64_t version)
{
    if (!q || version < 0) return dlk_err_set(DLK_INVALID_ARGUMENT, "query version: must be >= 0");
    if (q->as_of)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "query: version and as_of exclude each other");
    q->version = version;
    return DLK_OK;
}

int dlk_query_as_of(dlk_query *q, const char *timestamp)
{
    if (!q || !timestamp || !timestamp[0])
        return dlk_err_set(DLK_INVALID_ARGUMENT, "query as_of: no timestamp");
    if (q->version >= 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "query: version and as_of exclude each other");
    char *c = dlk_strdup(timestamp);
    if (!c) return dlk_err_nomem();
    dlk_free(q->as_of);
    q->as_of = c;
    return DLK_OK;
}

/* ---- execution ---- */

/* What a running query holds; owned by the stream wrapper or by execute. */
typedef struct qrun {
    dlk_table *tb;
    dlk_snapshot *snap;
    dlk_where *w;
    dlk_read__scan *inner;
    char *last_error; /* the stream wrapper's get_last_error */
} qrun;

static void qrun_free(qrun *r)
{
    dlk_read__scan_free(&r->inner);
    dlk_free(r->last_error);
    r->last_error = NULL;
    dlk_where_free(&r->w);
    dlk_snapshot_free(&r->snap);
    dlk_table_free(&r->tb);
}

/* ORDER BY text for the scan: the column quoted, nulls last (the one default, as the CLI). */
static char *order_text(const dlk_query *q)
{
    dlk_buf b = {0};
    dlk_buf_putc(&b, '`');
    for (const char *c = q->order_col; *c; c++) {
        if (*c == '`') dlk_buf_putc(&b, '`');
        dlk_buf_putc(&b, *c);
    }
    dlk_buf_puts(&b, q->desc ? "` DESC NULLS LAST" : "` ASC NULLS LAST");
    return dlk_buf_detach(&b);
}

static int qrun_open(dlk_query *q, int64_t limit, qrun *r)
{
    memset(r, 0, sizeof *r);
    int rc = dlk_table_open(q->t->location, &r->tb);
    if (!rc)
        rc = q->as_of ? dlk_table_snapshot_at_text(r->tb, q->as_of, &r->snap)
                      : dlk_table_snapshot(r->tb, q->version, &r->snap);
    if (!rc && q->filter.len) rc = dlk_where_new(r->snap, dlk_buf_cstr(&q->filter), &r->w);
    dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
    o.columns = (const char *const *)q->cols;
    o.n_columns = q->n_cols;
    o.limit = limit;
    char *order = NULL;
    if (!rc && q->order_col && !(order = order_text(q))) rc = dlk_err_nomem();
    o.order_by = order; /* the scan sorts (top-N with a limit) */
    if (!rc && r->w) dlk_where_apply(r->w, &o);
    if (!rc) rc = dlk_read__scan_open(r->snap, &o, &r->inner);
    dlk_free(order);
    if (rc) {
        rc = dlk_err_context(rc, "query %s", q->t->name);
        qrun_free(r);
    }
    return rc;
}

/* ---- stream wrapper ---- */

static int ws_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    qrun *r = s->private_data;
    return dlk_arrow_schema_copy(dlk_read__scan_schema(r->inner), out) ? 12 /* ENOMEM */ : 0;
}
static int ws_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    qrun *r = s->private_data;
    if (dlk_read__scan_next(r->inner, out)) {
        dlk_free(r->last_error);
        r->last_error = dlk_strdup(dlk_error_last()->message);
        return 5; /* EIO; dlk_error_last() keeps the dlk_status */
    }
    return 0;
}
static const char *ws_error(struct ArrowArrayStream *s)
{
    qrun *r = s->private_data;
    return r->last_error;
}
static void ws_release(struct ArrowArrayStream *s)
{
    qrun *r = s->private_data;
    if (r) {
        qrun_free(r);
        dlk_free(r);
    }
    s->release = NULL;
    s->private_data = NULL;
}

int dlk_query_execute_stream(dlk_query *q, struct ArrowArrayStream *out)
{
    if (!q || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "query: NULL argument");
    memset(out, 0, sizeof *out);
    qrun *r = dlk_calloc(1, sizeof *r);
    if (!r) return dlk_err_nomem();
    double t0 = dlk_api__now_ms();
    int rc = qrun_open(q, q->limit, r);
    if (rc) {
        dlk_free(r);
        dlk_api__metrics_record(q->t->location, DLK_OP_QUERY, dlk_api__now_ms() - t0, false);
        return rc;
    }
    dlk_api__metrics_record(q->t->location, DLK_OP_QUERY, dlk_api__now_ms() - t0, true);
    out->get_schema = ws_schema;
    out->get_next = ws_next;
    out->get_last_error = ws_error;
    out->release = ws_release;
    out->private_data = r;
    return DLK_OK;
}

/* Append row `row` of batch a as a record (row JSON + cells). */
static int add_row(dlk_records *r, size_t *cap, const struct ArrowSchema *sc,
                   const struct ArrowArray *a, int64_t row, char **buf, size_t *len, size_t *bcap)
{
    if (r->n_rows == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        char **rows = dlk_realloc(r->rows, nc * sizeof *rows);
        if (!rows) return dlk_err_nomem();
        r->rows = rows;
        char **cells = dlk_realloc(r->cells, nc * (r->n_names ? r->n_names : 1) * sizeof *cells);
        if (!cells) return dlk_err_nomem();
        r->cells = cells;
        *cap = nc;
    }
    size_t base = r->n_rows * r->n_names;
    for (size_t k = 0; k < r->n_names; k++)
        r->cells[base + k] = NULL;
    r->rows[r->n_rows] = NULL;
    r->n_rows++;
    *len = 0;
    int rc = dlk_arrow_json_row(sc, a, row, buf, len, bcap);
    if (!rc && !(r->rows[r->n_rows - 1] = dlk_strdup(*buf))) rc = dlk_err_nomem();
    for (size_t k = 0; k < r->n_names && !rc; k++) {
        const struct ArrowArray *col = a->children[k];
        *len = 0;
        if (!dlk_arrow_is_valid(col, a->offset + row)) {
            r->cells[base + k] = dlk_strdup("null");
        } else {
            rc = dlk_arrow_json_value(sc->children[k], col, a->offset + row, 0, buf, len, bcap);
            if (!rc) r->cells[base + k] = dlk_strdup(*buf);
        }
        if (!rc && !r->cells[base + k]) rc = dlk_err_nomem();
    }
    return rc;
}

int dlk_query_execute(dlk_query *q, dlk_records **out)
{
    if (!q || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "query: NULL argument");
    *out = NULL;
    double t0 = dlk_api__now_ms();
    qrun run;
    int rc = qrun_open(q, q->limit, &run);
    if (rc) {
        dlk_api__metrics_record(q->t->location, DLK_OP_QUERY, dlk_api__now_ms() - t0, false);
        return rc;
    }
    dlk_records *r = dlk_calloc(1, sizeof *r);
    struct ArrowSchema sc = {0};
    size_t rcap = 0, jcap = 0, jlen = 0;
    char *jbuf = NULL;
    if (!r) rc = dlk_err_nomem();
    if (!rc) rc = dlk_arrow_schema_copy(dlk_read__scan_schema(run.inner), &sc);
    if (!rc) {
        r->version = dlk_snapshot_version(run.snap);
        r->n_names = (size_t)sc.n_children;
        if (!(r->names = dlk_calloc(r->n_names ? r->n_names : 1, sizeof *r->names)))
            rc = dlk_err_nomem();
        for (size_t k = 0; k < r->n_names && !rc; k++)
            if (!(r->names[k] = dlk_strdup(sc.children[k]->name))) rc = dlk_err_nomem();
    }
    while (!rc) {
        struct ArrowArray a = {0};
        if ((rc = dlk_read__scan_next(run.inner, &a)) || !a.release) break;
        for (int64_t i = 0; i < a.length && !rc; i++)
            rc = add_row(r, &rcap, &sc, &a, i, &jbuf, &jlen, &jcap);
        a.release(&a);
    }
    if (r) dlk_read__scan_stats(run.inner, &r->scan);
    dlk_string_free(jbuf);
    dlk_arrow_schema_release(&sc);
    qrun_free(&run);
    double ms = dlk_api__now_ms() - t0;
    dlk_api__metrics_record(q->t->location, DLK_OP_QUERY, ms, rc == DLK_OK);
    if (rc) {
        dlk_records_free(&r);
        return rc;
    }
    r->elapsed_ms = ms;
    *out = r;
    return DLK_OK;
}

void dlk_records_scan_stats(const dlk_records *r, dlk_scan_stats *out)
{
    memset(out, 0, sizeof *out);
    if (r) *out = r->scan;
}

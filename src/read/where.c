/* read/where.c - a WHERE predicate bound to a snapshot (deltalake/where.h):
 * a stats provider over Delta add-action stats JSON and partition values
 * for file skipping, and the scan's row-filter hook. */
#include "arrow/arrow.h"
#include "core/schema.h"
#include "deltalake/where.h"
#include "util/alloc.h"
#include "util/error.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct dlk_where {
    const dlk_snapshot *snap;
    const struct ArrowSchema *schema; /* table schema (borrowed from snap) */
    char *text;
    dlk_expr *expr;     /* bound to the table schema */
    dlk_expr *row_expr; /* bound to the scan's output schema */
    const struct ArrowSchema *row_schema;
    dlk_where_stats st;
};

int dlk_where_new(const dlk_snapshot *snap, const char *predicate, dlk_where **out)
{
    if (!out) return dlk_err_set(DLK_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!snap || !predicate) return dlk_err_set(DLK_INVALID_ARGUMENT, "where: snapshot and predicate are required");
    dlk_where *w = dlk_calloc(1, sizeof *w);
    if (!w) return dlk_err_nomem();
    w->snap = snap;
    w->schema = dlk_snapshot_schema(snap);
    int rc = dlk_expr_parse_predicate(predicate, w->schema, &w->expr);
    if (!rc && !(w->text = dlk_strdup(predicate))) rc = dlk_err_nomem();
    if (rc) {
        dlk_where_free(&w);
        return rc;
    }
    *out = w;
    return DLK_OK;
}

void dlk_where_free(dlk_where **w)
{
    if (!w || !*w) return;
    dlk_expr_free(&(*w)->expr);
    dlk_expr_free(&(*w)->row_expr);
    dlk_free((*w)->text);
    dlk_free(*w);
    *w = NULL;
}

const dlk_expr *dlk_where_expr(const dlk_where *w) { return w ? w->expr : NULL; }

static int hook_file(void *ctx, const dlk_file_info *file, bool *keep)
{
    return dlk_where_file_might_match(ctx, file, keep);
}

static int hook_rows(void *ctx, const struct ArrowSchema *schema, const struct ArrowArray *batch, uint8_t *keep)
{
    return dlk_where_filter_rows(ctx, schema, batch, keep);
}

static int hook_row_group(void *ctx, const dlk_file_info *file, const dlk_scan_row_group *rg,
                          bool *keep)
{
    return dlk_where_row_group_might_match(ctx, file, rg, keep);
}

void dlk_where_apply(dlk_where *w, dlk_scan_options *opts)
{
    opts->file_filter = hook_file;
    opts->row_group_filter = hook_row_group;
    opts->row_filter = hook_rows;
    opts->filter_ctx = w;
    const char *const *cols;
    size_t n;
    dlk_expr_columns(w->expr, &cols, &n);
    opts->filter_columns = cols;
    opts->n_filter_columns = n;
}

/* ---------------------------------------------------- stats provider */

typedef struct {
    dlk_where *w;
    const dlk_file_info *file;
    json_t *stats; /* parsed stats or NULL */
} file_ctx;

static void json_to_value(json_t *j, dlk_value *v)
{
    memset(v, 0, sizeof *v);
    if (json_is_integer(j)) {
        v->kind = DLK_VALUE_INT;
        v->i = (int64_t)json_integer_value(j);
    } else if (json_is_real(j)) {
        v->kind = DLK_VALUE_DOUBLE;
        v->d = json_real_value(j);
    } else if (json_is_string(j)) {
        v->kind = DLK_VALUE_STRING;
        v->str = json_string_value(j);
        v->len = json_string_length(j);
    } else if (json_is_boolean(j)) {
        v->kind = DLK_VALUE_BOOL;
        v->b = json_is_true(j);
    } else {
        v->kind = DLK_VALUE_NULL;
    }
}

static int file_column(void *vctx, const char *const *path, size_t depth, const char *format,
                       dlk_expr_col_stats *out)
{
    file_ctx *c = vctx;
    const dlk_file_info *f = c->file;
    /* partition column? (top level, logical names) */
    if (depth == 1) {
        for (size_t i = 0; i < f->n_partition_values; i++) {
            if (strcmp(f->partition_keys[i], path[0]) != 0) continue;
            out->is_partition = true;
            const char *v = f->partition_values[i];
            if (v && !*v) {
                /* "" may stand for NULL (Hive) or an empty string: unknown */
                out->is_partition = false;
                return DLK_NOT_FOUND;
            }
            if (!v) {
                out->partition.kind = DLK_VALUE_NULL;
                return DLK_OK;
            }
            if (dlk_value_parse(format, v, strlen(v), &out->partition)) {
                out->is_partition = false;
                return DLK_NOT_FOUND;
            }
            return DLK_OK;
        }
    }
    if (!c->stats) return DLK_NOT_FOUND;
    /* physical names along the path */
    const char *phys[64];
    char bufs[64][256];
    if (depth > 64) return DLK_NOT_FOUND;
    const struct ArrowSchema *s = c->w->schema;
    for (size_t d = 0; d < depth; d++) {
        int64_t k = dlk_arrow_schema_find(s, path[d]);
        if (k < 0) return DLK_NOT_FOUND;
        s = s->children[k];
        phys[d] = dlk_core_field_physical_name(s, bufs[d], sizeof bufs[d]);
    }
    json_t *mins = json_object_get(c->stats, "minValues"), *maxs = json_object_get(c->stats, "maxValues");
    json_t *nulls = json_object_get(c->stats, "nullCount");
    for (size_t d = 0; d < depth; d++) {
        mins = mins ? json_object_get(mins, phys[d]) : NULL;
        maxs = maxs ? json_object_get(maxs, phys[d]) : NULL;
        nulls = nulls ? json_object_get(nulls, phys[d]) : NULL;
    }
    json_t *nr = json_object_get(c->stats, "numRecords");
    if (json_is_integer(nr)) out->num_records = (int64_t)json_integer_value(nr);
    if (json_is_integer(nulls)) out->null_count = (int64_t)json_integer_value(nulls);
    if (mins && !json_is_null(mins) && !json_is_object(mins)) {
        json_to_value(mins, &out->min);
        out->has_min = out->min.kind != DLK_VALUE_NULL;
    }
    if (maxs && !json_is_null(maxs) && !json_is_object(maxs)) {
        json_to_value(maxs, &out->max);
        out->has_max = out->max.kind != DLK_VALUE_NULL;
    }
    return DLK_OK;
}

int dlk_where_file_might_match(dlk_where *w, const dlk_file_info *file, bool *might)
{
    *might = true;
    w->st.files_considered++;
    file_ctx c = {w, file, NULL};
    dlk_expr_stats_provider p = {&c, -1, file_column};
    /* first on partition values alone (no JSON parsing) */
    bool m = true;
    int rc = dlk_expr_might_match(w->expr, &p, &m);
    if (rc) return rc;
    if (!m) {
        *might = false;
        w->st.files_skipped_partition++;
        return DLK_OK;
    }
    if (!file->stats) {
        w->st.files_without_stats++;
        return DLK_OK;
    }
    c.stats = json_loads(file->stats, 0, NULL);
    if (!c.stats || !json_is_object(c.stats)) {
        json_decref(c.stats);
        w->st.files_without_stats++;
        return DLK_OK;
    }
    json_t *nr = json_object_get(c.stats, "numRecords");
    if (json_is_integer(nr)) p.num_records = (int64_t)json_integer_value(nr);
    rc = dlk_expr_might_match(w->expr, &p, &m);
    json_decref(c.stats);
    if (rc) return rc;
    if (!m) {
        *might = false;
        w->st.files_skipped_stats++;
    }
    return DLK_OK;
}

/* ---------------------------------------------------- row groups */

typedef struct {
    dlk_where *w;
    const dlk_file_info *file;
    const dlk_scan_row_group *rg;
} rg_ctx;

static bool fmt_is_int(const char *f)
{
    return f[0] && !f[1] && strchr("csilCSIL", f[0]);
}

/* Parquet column-chunk stats -> the pruner's, for a column of (table) format fmt. */
static int rg_column(void *vctx, const char *const *path, size_t depth, const char *fmt,
                     dlk_expr_col_stats *out)
{
    rg_ctx *c = vctx;
    if (depth == 1) { /* partition values are exact for every row of the file */
        file_ctx fc = {c->w, c->file, NULL};
        int rc = file_column(&fc, path, depth, fmt, out);
        if (rc == DLK_OK || out->is_partition) return rc;
        for (size_t i = 0; i < c->file->n_partition_values; i++)
            if (!strcmp(c->file->partition_keys[i], path[0])) return DLK_NOT_FOUND;
    }
    dlk_pq_col_stats ps;
    int rc = dlk_scan_row_group_column_stats(c->rg, path, depth, &ps);
    if (rc) return rc;
    out->num_records = dlk_scan_row_group_num_rows(c->rg);
    if (ps.null_count >= 0 && ps.num_values == out->num_records)
        out->null_count = ps.null_count;
    else if (ps.null_count == 0)
        out->null_count = 0;
    if (!ps.has_min_max || !ps.format) return DLK_OK;
    const char *pf = ps.format;
    dlk_value *mn = &out->min, *mx = &out->max;
    memset(mn, 0, sizeof *mn);
    memset(mx, 0, sizeof *mx);
    switch (ps.kind) {
    case DLK_PQ_STAT_INT: {
        int64_t lo = ps.min_i, hi = ps.max_i;
        bool ts_col = !strncmp(fmt, "ts", 2);
        if (!strcmp(pf, "tdD") && ts_col) { /* date widened to timestamp */
            if (lo < -106751 || hi > 106751) return DLK_OK;
            lo *= 86400000000LL;
            hi *= 86400000000LL;
        } else if (!strncmp(pf, "ts", 2) != ts_col || (!strcmp(pf, "tdD") != !strcmp(fmt, "tdD"))) {
            return DLK_OK; /* unrelated representations: nothing known */
        } else if (!strncmp(pf, "tt", 2)) {
            return DLK_OK; /* TIME columns have no expression type */
        }
        mn->kind = mx->kind = DLK_VALUE_INT;
        mn->i = lo;
        mx->i = hi;
        break;
    }
    case DLK_PQ_STAT_UINT:
        if (!fmt_is_int(fmt) && strcmp(fmt, "g") != 0 && strcmp(fmt, "f") != 0) return DLK_OK;
        if (ps.min_u > (uint64_t)INT64_MAX) return DLK_OK;
        mn->kind = DLK_VALUE_INT;
        mn->i = (int64_t)ps.min_u;
        if (ps.max_u <= (uint64_t)INT64_MAX) {
            mx->kind = DLK_VALUE_INT;
            mx->i = (int64_t)ps.max_u;
        } else {
            mx->kind = DLK_VALUE_DOUBLE;
            mx->d = (double)ps.max_u * (1 + 1e-15); /* rounded up */
        }
        break;
    case DLK_PQ_STAT_DOUBLE:
        if (ps.min_d != ps.min_d || ps.max_d != ps.max_d) return DLK_OK;
        mn->kind = mx->kind = DLK_VALUE_DOUBLE;
        mn->d = ps.min_d;
        mx->d = ps.max_d;
        break;
    case DLK_PQ_STAT_BOOL:
        if (strcmp(fmt, "b") != 0) return DLK_OK;
        mn->kind = mx->kind = DLK_VALUE_BOOL;
        mn->b = ps.min_i != 0;
        mx->b = ps.max_i != 0;
        break;
    case DLK_PQ_STAT_DECIMAL: {
        int p = 0, sc = 0;
        if (sscanf(pf, "d:%d,%d", &p, &sc) != 2) return DLK_OK;
        mn->kind = mx->kind = DLK_VALUE_DECIMAL;
        mn->dec_hi = ps.min_i;
        mn->dec_lo = ps.min_u;
        mx->dec_hi = ps.max_i;
        mx->dec_lo = ps.max_u;
        mn->scale = mx->scale = sc;
        break;
    }
    case DLK_PQ_STAT_BYTES:
        /* strings / binary only: bytewise unsigned order, as the pruner compares */
        if ((strcmp(pf, "u") && strcmp(pf, "z")) || (strcmp(fmt, "u") && strcmp(fmt, "z")))
            return DLK_OK;
        mn->kind = mx->kind = DLK_VALUE_STRING;
        mn->str = (const char *)ps.min_b;
        mn->len = ps.min_b_len;
        mx->str = (const char *)ps.max_b;
        mx->len = ps.max_b_len;
        break;
    default:
        return DLK_OK;
    }
    out->has_min = out->has_max = true;
    return DLK_OK;
}

int dlk_where_row_group_might_match(dlk_where *w, const dlk_file_info *file,
                                    const dlk_scan_row_group *rg, bool *might)
{
    *might = true;
    w->st.row_groups_considered++;
    rg_ctx c = {w, file, rg};
    dlk_expr_stats_provider p = {&c, dlk_scan_row_group_num_rows(rg), rg_column};
    bool m = true;
    int rc = dlk_expr_might_match(w->expr, &p, &m);
    if (rc) return rc;
    if (!m) {
        *might = false;
        w->st.row_groups_skipped++;
        w->st.rows_skipped += p.num_records > 0 ? p.num_records : 0;
    }
    return DLK_OK;
}

/* ---------------------------------------------------- row filter */

static bool same_schema(const struct ArrowSchema *a, const struct ArrowSchema *b)
{
    if (a == b) return true;
    if (!a || !b || a->n_children != b->n_children || strcmp(a->format, b->format) != 0) return false;
    if ((a->name ? a->name : "")[0] != (b->name ? b->name : "")[0] || strcmp(a->name ? a->name : "", b->name ? b->name : ""))
        return false;
    for (int64_t i = 0; i < a->n_children; i++)
        if (!same_schema(a->children[i], b->children[i])) return false;
    return true;
}

int dlk_where_filter_rows(dlk_where *w, const struct ArrowSchema *schema, const struct ArrowArray *batch,
                          uint8_t *keep)
{
    int rc;
    if (!w->row_expr || !same_schema(w->row_schema, schema)) {
        dlk_expr_free(&w->row_expr);
        if ((rc = dlk_expr_parse_predicate(w->text, schema, &w->row_expr))) return dlk_err_context(rc, "where");
        w->row_schema = schema;
    }
    struct ArrowArray mask;
    if ((rc = dlk_expr_evaluate(w->row_expr, batch, &mask))) return rc;
    const uint8_t *vals = mask.buffers[1];
    int64_t kept = 0;
    for (int64_t i = 0; i < batch->length; i++) {
        bool t = dlk_arrow_is_valid(&mask, i) && dlk_bit_get(vals, i);
        if (!t) dlk_bit_clear(keep, i);
        else if (dlk_bit_get(keep, i)) kept++;
    }
    dlk_arrow_array_release(&mask);
    w->st.rows_in += batch->length;
    w->st.rows_kept += kept;
    return DLK_OK;
}

void dlk_where_get_stats(const dlk_where *w, dlk_where_stats *out)
{
    if (!w) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = w->st;
}

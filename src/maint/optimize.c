/*
 * maint/optimize.c - dlk_table_optimize: bin-pack compaction and Z-order
 * (include/deltalake/maintenance.h). Files are grouped by partition; the
 * chosen files of a group are read through the scan (deletion vectors
 * applied), written again by the shared data-file writer (write_int.h) and
 * committed as removes + adds with dataChange=false in one OPTIMIZE commit.
 * The row ordering of Z-order lives in zorder.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "arrow/arrow.h"
#include "core/protocol.h"
#include "core/snapshot.h"
#include "core/txn.h"
#include "deltalake/expr.h"
#include "deltalake/maintenance.h"
#include "deltalake/scan.h"
#include "read/scan_iter.h"
#include "deltalake/where.h"
#include "log/actions.h"
#include "maint/maint_int.h"
#include "core/metrics.h"
#include "write/write.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/misc.h"
#include "util/path.h"
#include "util/str.h"
#include "util/time.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct group {
    char *key;
    const char **vals; /* partition values, table order */
    size_t *files;     /* snapshot file indices */
    size_t n;
} group;

typedef struct opt_ctx {
    const dlk_snapshot *snap;
    dlk_map chosen; /* raw path -> (void*)1 for the bin being read */
} opt_ctx;

static int keep_chosen(void *ctx, const dlk_file_info *f, bool *keep)
{
    opt_ctx *c = ctx;
    *keep = dlk_map_get_str(&c->chosen, f->raw_path) != NULL;
    return DLK_OK;
}

static int cmp_size(const void *a, const void *b, void *ctx)
{
    const dlk_snapshot *s = ctx;
    int64_t x = dlk_snapshot_file(s, *(const size_t *)a)->size,
            y = dlk_snapshot_file(s, *(const size_t *)b)->size;
    if (x != y) return (x > y) - (x < y);
    return (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

/* The remove action line for snapshot file i (dataChange=false). */
static int put_remove(const dlk_snapshot *s, size_t i, int64_t now, dlk_buf *commit)
{
    dlk_action act;
    dlk_log_remove_of_add(s->st.active[i], now, false, &act);
    return dlk_log_action_to_json(&act, commit);
}

static void groups_free(group *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dlk_free(g[i].key);
        dlk_free(g[i].vals);
        dlk_free(g[i].files);
    }
    dlk_free(g);
}

/* Group the files matching where (partition predicate) by partition. */
static int make_groups(const dlk_snapshot *s, dlk_where *w, group **out, size_t *n_out)
{
    size_t nf = dlk_snapshot_file_count(s), np = dlk_snapshot_partition_column_count(s);
    group *g = dlk_calloc(nf ? nf : 1, sizeof *g);
    if (!g) return dlk_err_nomem();
    size_t ng = 0;
    dlk_map idx = {0};
    dlk_buf key = {0};
    int rc = DLK_OK;
    for (size_t i = 0; i < nf && !rc; i++) {
        const dlk_file_info *f = dlk_snapshot_file(s, i);
        if (w) {
            bool might = true;
            if ((rc = dlk_where_file_might_match(w, f, &might))) break;
            if (!might) continue;
        }
        dlk_buf_reset(&key);
        if ((rc = dlk_ops__partition_key(s, f, &key, NULL))) break;
        void *v = NULL;
        group *gr;
        if (dlk_map_get(&idx, key.data ? (const char *)key.data : "", key.len, &v)) {
            gr = &g[(size_t)(uintptr_t)v - 1];
        } else {
            gr = &g[ng++];
            gr->key = dlk_strdup(dlk_buf_cstr(&key));
            gr->vals = dlk_calloc(np ? np : 1, sizeof *gr->vals);
            gr->files = dlk_calloc(nf, sizeof *gr->files);
            if (!gr->key || !gr->vals || !gr->files) {
                rc = dlk_err_nomem();
                break;
            }
            for (size_t k = 0; k < np; k++)
                gr->vals[k] = f->partition_values[k];
            if ((rc = dlk_map_put(&idx, gr->key, key.len, (void *)(uintptr_t)ng, NULL))) break;
        }
        gr->files[gr->n++] = i;
    }
    dlk_map_free(&idx);
    dlk_buf_free(&key);
    if (rc) {
        groups_free(g, ng);
        return rc;
    }
    *out = g;
    *n_out = ng;
    return DLK_OK;
}

/* Refuse predicates on data columns: optimize selects whole partitions. */
static int check_where(const dlk_snapshot *s, dlk_where *w, const char *text)
{
    const char *const *names;
    size_t n;
    dlk_expr_columns(dlk_where_expr(w), &names, &n);
    for (size_t i = 0; i < n; i++) {
        bool part = false;
        for (size_t k = 0; k < dlk_snapshot_partition_column_count(s); k++)
            if (!strcmp(names[i], dlk_snapshot_partition_column(s, k))) part = true;
        if (!part)
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "optimize: where '%s' uses '%s', which is not a partition column",
                               text, names[i]);
    }
    return DLK_OK;
}

typedef struct opt_run {
    const char *table;
    const dlk_optimize_options *o;
    dlk_optimize_result *r;
    dlk_table *t;
    dlk_snapshot *s;
    dlk_txn_state st;
    bool st_loaded;
    dlk_where *w;
    group *groups;
    size_t n_groups;
    const char **data_cols; /* non-partition columns */
    size_t n_data;
    int64_t *z_idx; /* z-order columns as indices into the data columns */
    dlk_ops__files *files;
    dlk_buf removes; /* remove lines */
    dlk_map removed; /* raw path -> 1 */
    opt_ctx oc;
    int64_t num_removed, bytes_removed;
} opt_run;

/* Read the files of oc.chosen through a scan and write them out again. */
static int rewrite(opt_run *x, const group *g, int64_t input_bytes, uint64_t target)
{
    dlk_scan_options so = DLK_SCAN_OPTIONS_INIT;
    so.columns = x->data_cols;
    so.n_columns = x->n_data;
    so.file_filter = keep_chosen;
    so.filter_ctx = &x->oc;
    dlk_read__scan *in = NULL;
    int rc = dlk_read__scan_open(x->s, &so, &in);
    if (rc) return rc;
    const struct ArrowSchema *schema = dlk_read__scan_schema(in);
    if (x->o->n_zorder_cols) {
        rc = dlk_ops__zorder_rewrite(in, schema, x->z_idx, x->o->n_zorder_cols, input_bytes, target,
                                     x->files, g->vals);
    } else {
        while (!rc) {
            struct ArrowArray b;
            if ((rc = dlk_read__scan_next(in, &b)) || !b.release) break;
            rc = dlk_ops__files_write(x->files, &b, g->vals);
            dlk_arrow_array_release(&b);
        }
        if (!rc) rc = dlk_ops__files_cut(x->files);
    }
    dlk_read__scan_free(&in);
    return rc;
}

/* Choose and rewrite the bins of one partition. */
static int optimize_group(opt_run *x, group *g, uint64_t target, uint64_t min_size, int64_t now)
{
    const dlk_snapshot *s = x->s;
    size_t *cand = dlk_calloc(g->n ? g->n : 1, sizeof *cand);
    if (!cand) return dlk_err_nomem();
    size_t nc = 0;
    for (size_t i = 0; i < g->n; i++) {
        const dlk_file_info *f = dlk_snapshot_file(s, g->files[i]);
        if (x->o->n_zorder_cols || (uint64_t)f->size < min_size || f->has_deletion_vector)
            cand[nc++] = g->files[i];
    }
    qsort_r(cand, nc, sizeof *cand, cmp_size, (void *)s);
    int rc = DLK_OK;
    bool touched = false;
    size_t start = 0;
    while (start < nc && !rc) {
        /* one bin: [start, end) */
        size_t end = start;
        uint64_t bytes = 0;
        bool dv = false;
        if (x->o->n_zorder_cols) {
            end = nc;
            for (size_t k = start; k < nc; k++)
                bytes += (uint64_t)dlk_snapshot_file(s, cand[k])->size;
        } else {
            while (end < nc) {
                const dlk_file_info *f = dlk_snapshot_file(s, cand[end]);
                if (end > start && bytes + (uint64_t)f->size > target) break;
                bytes += (uint64_t)f->size;
                dv |= f->has_deletion_vector;
                end++;
            }
        }
        bool rewrite_bin = x->o->n_zorder_cols ? end > start : (end - start >= 2 || dv);
        if (rewrite_bin) {
            dlk_map_free(&x->oc.chosen);
            for (size_t k = start; k < end && !rc; k++)
                rc = dlk_map_put_str(&x->oc.chosen, dlk_snapshot_file(s, cand[k])->raw_path,
                                     (void *)1);
            if (!rc) rc = rewrite(x, g, (int64_t)bytes, target);
            for (size_t k = start; k < end && !rc; k++) {
                const dlk_file_info *f = dlk_snapshot_file(s, cand[k]);
                rc = put_remove(s, cand[k], now, &x->removes);
                if (!rc) rc = dlk_map_put_str(&x->removed, f->raw_path, (void *)1);
                x->num_removed++;
                x->bytes_removed += f->size;
            }
            touched = true;
        }
        start = end;
    }
    if (touched) x->r->partitions_optimized++;
    dlk_free(cand);
    return rc;
}

static int setup(opt_run *x)
{
    const dlk_optimize_options *o = x->o;
    int rc = dlk_table_open(x->table, &x->t);
    if (!rc) rc = dlk_table_snapshot(x->t, -1, &x->s);
    if (rc) return rc;
    if ((rc = dlk_core__state_load_at(x->table, dlk_snapshot_version(x->s), false, false, &x->st)))
        return rc;
    x->st_loaded = true;
    if ((rc = dlk_core__check_writable(&x->st))) return rc;
    if (o->where) {
        if ((rc = dlk_where_new(x->s, o->where, &x->w))) return rc;
        if ((rc = check_where(x->s, x->w, o->where))) return rc;
    }
    const struct ArrowSchema *sc = dlk_snapshot_schema(x->s);
    size_t np = dlk_snapshot_partition_column_count(x->s);
    x->data_cols = dlk_calloc((size_t)sc->n_children + 1, sizeof *x->data_cols);
    x->z_idx = dlk_calloc(o->n_zorder_cols + 1, sizeof *x->z_idx);
    if (!x->data_cols || !x->z_idx) return dlk_err_nomem();
    for (int64_t i = 0; i < sc->n_children; i++) {
        bool part = false;
        for (size_t k = 0; k < np; k++)
            if (!strcmp(sc->children[i]->name, dlk_snapshot_partition_column(x->s, k))) part = true;
        if (!part) x->data_cols[x->n_data++] = sc->children[i]->name;
    }
    for (size_t z = 0; z < o->n_zorder_cols; z++) {
        const char *c = o->zorder_cols ? o->zorder_cols[z] : NULL;
        x->z_idx[z] = -1;
        for (size_t k = 0; c && k < x->n_data; k++)
            if (!strcmp(x->data_cols[k], c)) x->z_idx[z] = (int64_t)k;
        if (x->z_idx[z] < 0) {
            for (size_t k = 0; c && k < np; k++)
                if (!strcmp(c, dlk_snapshot_partition_column(x->s, k)))
                    return dlk_err_set(
                        DLK_INVALID_ARGUMENT,
                        "optimize: Z-order column '%s' is a partition column (rows of a partition "
                        "all share its value)",
                        c);
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "optimize: Z-order column '%s' is not in the table schema",
                               c ? c : "(null)");
        }
        for (size_t k = 0; k < z; k++)
            if (x->z_idx[k] == x->z_idx[z])
                return dlk_err_set(DLK_INVALID_ARGUMENT,
                                   "optimize: Z-order column '%s' given twice", c);
    }
    return DLK_OK;
}

static json_t *params_json(const dlk_optimize_options *o)
{
    json_t *p = json_object();
    json_t *pred = json_array();
    if (o->where) json_array_append_new(pred, json_string(o->where));
    char *ps = json_dumps(pred, JSON_COMPACT);
    json_object_set_new(p, "predicate", json_string(ps ? ps : "[]"));
    free(ps);
    json_decref(pred);
    json_t *z = json_array();
    for (size_t i = 0; i < o->n_zorder_cols; i++)
        json_array_append_new(z, json_string(o->zorder_cols[i]));
    char *zs = json_dumps(z, JSON_COMPACT);
    json_object_set_new(p, "zOrderBy", json_string(zs ? zs : "[]"));
    free(zs);
    json_decref(z);
    json_object_set_new(p, "auto", json_string("false"));
    return p;
}

static int optimize_impl(const char *table, const dlk_optimize_options *o, dlk_optimize_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    opt_run x;
    memset(&x, 0, sizeof x);
    x.table = table;
    x.o = o;
    x.r = r;
    uint64_t target = o->target_size, min_size = o->min_size, max_size = o->max_size;
    int rc = setup(&x);
    if (rc) goto out;
    dlk_ops__size_defaults(x.s, &target, &min_size, &max_size);
    if (min_size > target || target > max_size) {
        rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                         "optimize: sizes must satisfy min <= target <= max (got %" PRIu64
                         ", %" PRIu64 ", %" PRIu64 ")",
                         min_size, target, max_size);
        goto out;
    }
    if ((rc = make_groups(x.s, x.w, &x.groups, &x.n_groups))) goto out;
    int num_indexed = 32;
    const char *ni = dlk_snapshot_property_get(x.s, "delta.dataSkippingNumIndexedCols");
    int64_t niv;
    if (ni && dlk_parse_i64(ni, &niv) == DLK_OK) num_indexed = (int)niv;
    /* the data schema: the table schema minus partition columns */
    struct ArrowSchema ds = {0};
    const struct ArrowSchema *sc = dlk_snapshot_schema(x.s);
    if ((rc = dlk_arrow_schema_new(&ds, "+s", "", 0, (int64_t)x.n_data))) goto out;
    for (size_t i = 0; i < x.n_data && !rc; i++) {
        dlk_arrow_schema_release(ds.children[i]);
        rc = dlk_arrow_schema_copy(sc->children[dlk_arrow_schema_find(sc, x.data_cols[i])],
                                   ds.children[i]);
    }
    if (!rc)
        rc = dlk_ops__files_new(table, &ds, (const char *const *)x.st.partition_cols, x.st.n_part,
                                target, num_indexed, &x.files);
    if (!rc) rc = dlk_ops__files_map(x.files, &x.st);
    int64_t now = dlk_now_micros() / 1000;
    for (size_t g = 0; g < x.n_groups && !rc; g++)
        rc = optimize_group(&x, &x.groups[g], target, min_size, now);
    dlk_buf adds = {0}; /* dataChange false: the rows are the same */
    int64_t rows = 0, bytes = 0, n_adds = 0;
    if (!rc) rc = dlk_ops__files_finish(x.files, false, &adds, &n_adds, &rows, &bytes);
    if (!rc && x.num_removed == 0) {
        dlk_buf_free(&adds);
        dlk_arrow_schema_release(&ds);
        goto out; /* nothing to do: version stays -1 */
    }
    dlk_buf commit = {0};
    if (!rc) {
        json_t *metrics = json_object();
#define METRIC(k, v) dlk_core__metric(metrics, k, (int64_t)(v))
        METRIC("numAddedFiles", n_adds);
        METRIC("numRemovedFiles", x.num_removed);
        METRIC("numAddedBytes", bytes);
        METRIC("numRemovedBytes", x.bytes_removed);
        METRIC("numOutputRows", rows);
        METRIC("partitionsOptimized", x.r->partitions_optimized);
        METRIC("totalConsideredFiles", dlk_snapshot_file_count(x.s));
        METRIC("executionTimeMs", (dlk_monotonic_ns() - t0) / 1000000);
#undef METRIC
        json_t *params = params_json(o);
        rc = dlk_buf_append(&commit, x.removes.data, x.removes.len);
        if (!rc) rc = dlk_buf_append(&commit, adds.data, adds.len);
        x.r->files_added = n_adds;
        if (!rc) {
            dlk_commit_req req = {0};
            req.root = table;
            req.read_version = dlk_snapshot_version(x.s);
            req.state = &x.st;
            req.operation = "OPTIMIZE";
            req.params = params;
            req.metrics = metrics;
            req.body = (const char *)commit.data;
            req.body_len = commit.len;
            req.intent.removes = &x.removed;
            req.max_attempts = o->max_attempts;
            dlk_commit_res cres;
            rc = dlk_core__commit(&req, &cres);
            if (!rc) {
                x.r->version = cres.version;
                x.r->files_removed = x.num_removed;
                x.r->bytes_before = x.bytes_removed;
                x.r->bytes_after = bytes;
                x.r->rows = rows;
            }
        }
        json_decref(params);
        json_decref(metrics);
    }
    dlk_buf_free(&adds);
    dlk_arrow_schema_release(&ds);
    dlk_buf_free(&commit);
out:
    if (rc) {
        memset(x.r, 0, sizeof *x.r);
        x.r->version = -1;
    }
    x.r->n_zorder_cols = o->n_zorder_cols;
    dlk_ops__files_free(&x.files, rc != DLK_OK);
    groups_free(x.groups, x.n_groups);
    dlk_map_free(&x.oc.chosen);
    dlk_map_free(&x.removed);
    dlk_buf_free(&x.removes);
    dlk_free(x.data_cols);
    dlk_free(x.z_idx);
    dlk_where_free(&x.w);
    if (x.st_loaded) dlk_core__state_free(&x.st);
    dlk_snapshot_free(&x.s);
    dlk_table_free(&x.t);
    return rc;
}

int dlk_table_optimize(const char *table, const dlk_optimize_options *o, dlk_optimize_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    dlk_optimize_options d = DLK_OPTIMIZE_OPTIONS_INIT;
    dlk_optimize_result dummy;
    if (!o) o = &d;
    if (!r) r = &dummy;
    memset(r, 0, sizeof *r);
    r->version = -1;
    int rc;
    if (!table)
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "optimize: no table");
    else if (o->n_zorder_cols && !o->zorder_cols)
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "optimize: zorder_cols missing");
    else if (o->n_zorder_cols > 16)
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "optimize: at most 16 Z-order columns");
    else if ((rc = dlk_core__writable_location(table)))
        ;
    else
        rc = optimize_impl(table, o, r);
    if (rc) rc = dlk_err_context(rc, "%s", table);
    dlk_ops__metrics_record(table, DLK_OP_OPTIMIZE, dlk_ops__ms_since(t0), rc == DLK_OK);
    return rc;
}

/*
 * read/scan.c - snapshot scan as an ArrowArrayStream: for each active file
 * (after the file filter), read its row groups through the Parquet reader,
 * map physical columns to the table schema (column mapping by name or field
 * id, nested too; type widening casts), add partition columns, drop rows
 * deleted by the deletion vector or the row filter, honour the limit.
 *
 * Batches borrow the row group's buffers: a batch is a tree of "view" nodes
 * whose buffers point into the row-group array, which the batch keeps alive
 * and releases with itself. Partition, null and cast columns are owned
 * arrays. Filtering (DV, row filter) copies the kept rows (dlk_expr_take).
 */
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "core/dv.h"
#include "core/schema.h"
#include "core/snapshot.h"
#include "deltalake/expr.h"
#include "deltalake/scan.h"
#include "read/scan_iter.h"
#include "read/sort.h"
#include "parquet/reader.h"
#include "util/log.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include "util/time.h"
#include <math.h>
#include <time.h>
#include <stddef.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- view nodes ---- */

typedef struct {
    struct ArrowArray **children;
    struct ArrowArray *hold_array; /* owned root (top-level batch only) */
    struct ArrowSchema *hold_schema;
} view_priv;

static void borrowed_release(struct ArrowArray *a)
{
    a->release = NULL;
}

static void view_release(struct ArrowArray *a)
{
    if (!a || !a->release) return;
    view_priv *p = a->private_data;
    for (int64_t i = 0; i < a->n_children; i++) {
        if (p->children[i]) {
            dlk_arrow_array_release(p->children[i]);
            dlk_free(p->children[i]);
        }
    }
    dlk_free(p->children);
    if (p->hold_array) {
        dlk_arrow_array_release(p->hold_array);
        dlk_free(p->hold_array);
    }
    if (p->hold_schema) {
        dlk_arrow_schema_release(p->hold_schema);
        dlk_free(p->hold_schema);
    }
    dlk_free(p);
    a->release = NULL;
}

/* A node with src's layout (buffers borrowed) and n_children fresh child slots. */
static int view_new(const struct ArrowArray *src, int64_t n_children, struct ArrowArray *out)
{
    memset(out, 0, sizeof *out);
    view_priv *p = dlk_calloc(1, sizeof *p);
    if (!p) return dlk_err_nomem();
    p->children = dlk_calloc((size_t)(n_children ? n_children : 1), sizeof *p->children);
    if (!p->children) {
        dlk_free(p);
        return dlk_err_nomem();
    }
    for (int64_t i = 0; i < n_children; i++) {
        p->children[i] = dlk_calloc(1, sizeof(struct ArrowArray));
        if (!p->children[i]) {
            out->n_children = i;
            out->private_data = p;
            out->release = view_release;
            view_release(out);
            return dlk_err_nomem();
        }
    }
    if (src) {
        out->length = src->length;
        out->null_count = src->null_count;
        out->offset = src->offset;
        out->n_buffers = src->n_buffers;
        out->buffers = src->buffers;
    }
    out->n_children = n_children;
    out->children = p->children;
    out->private_data = p;
    out->release = view_release;
    return DLK_OK;
}

static void borrow(const struct ArrowArray *src, struct ArrowArray *out)
{
    *out = *src;
    out->private_data = NULL;
    out->release = borrowed_release;
}

/* ---- building owned columns ---- */

static void make_nullable(struct ArrowSchema *s)
{
    s->flags |= ARROW_FLAG_NULLABLE;
    for (int64_t i = 0; i < s->n_children; i++)
        make_nullable(s->children[i]);
}

static int builder_for(const struct ArrowSchema *field, dlk_arrow_builder **b)
{
    struct ArrowSchema copy;
    int rc = dlk_arrow_schema_copy(field, &copy);
    if (rc) return rc;
    make_nullable(&copy);
    rc = dlk_arrow_builder_new(&copy, b);
    dlk_arrow_schema_release(&copy);
    return rc;
}

static int null_column(const struct ArrowSchema *field, int64_t n, struct ArrowArray *out)
{
    if (!strcmp(field->format, "n")) { /* void: Arrow null array, no buffers */
        int rc = dlk_arrow_array_new(out, n, 0, 0);
        if (!rc) out->null_count = n;
        return rc;
    }
    dlk_arrow_builder *b = NULL;
    int rc = builder_for(field, &b);
    for (int64_t i = 0; i < n && !rc; i++)
        rc = dlk_arrow_builder_append_null(b);
    if (!rc) rc = dlk_arrow_builder_finish(b, out);
    dlk_arrow_builder_free(b);
    return rc;
}

/* A zone-less timestamp partition value is wall-clock time of the writer's
 * zone (the Delta protocol); the reader's local zone (TZ) stands in for it, as
 * Spark's session zone does. With TZ unset or UTC this is the identity. */
static int64_t local_to_utc(int64_t us)
{
    int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    int64_t frac = us - secs * 1000000;
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return us;
    tm.tm_isdst = -1;
    time_t u = mktime(&tm);
    if (u == (time_t)-1) return us;
    return (int64_t)u * 1000000 + frac;
}

/* Append one serialized partition value (the Delta protocol "Partition Value
 * Serialization") to c, typed by fmt. */
static int append_partition_value(dlk_arrow_builder *c, const char *fmt, const char *v,
                                  const char *col)
{
    if (!v || strcmp(v, "__HIVE_DEFAULT_PARTITION__") == 0) return dlk_arrow_builder_append_null(c);
    int rc = DLK_OK;
    if (!strcmp(fmt, "u") || !strcmp(fmt, "z"))
        return dlk_arrow_builder_append_bytes(c, v, strlen(v));
    if (!v[0]) return dlk_arrow_builder_append_null(c);
    if (!strcmp(fmt, "b")) {
        bool bv;
        if (!(rc = dlk_parse_bool(v, &bv))) return dlk_arrow_builder_append_bool(c, bv);
    } else if (strchr("csil", fmt[0]) && !fmt[1]) {
        int64_t iv;
        if (!(rc = dlk_parse_i64(v, &iv))) return dlk_arrow_builder_append_int(c, iv);
    } else if (!strcmp(fmt, "f") || !strcmp(fmt, "g")) {
        double d;
        if (!strcmp(v, "NaN")) return dlk_arrow_builder_append_double(c, NAN);
        if (!strcmp(v, "Infinity")) return dlk_arrow_builder_append_double(c, INFINITY);
        if (!strcmp(v, "-Infinity")) return dlk_arrow_builder_append_double(c, -INFINITY);
        if (!(rc = dlk_parse_double(v, &d))) return dlk_arrow_builder_append_double(c, d);
    } else if (!strcmp(fmt, "tdD")) {
        int32_t days;
        if (!(rc = dlk_parse_date(v, strlen(v), &days)))
            return dlk_arrow_builder_append_int(c, days);
    } else if (dlk_str_starts_with(fmt, "tsu:")) {
        int64_t us;
        bool zone;
        if (!(rc = dlk_parse_timestamp(v, strlen(v), &us, &zone))) {
            if (!zone && strcmp(fmt, "tsu:") != 0) us = local_to_utc(us);
            return dlk_arrow_builder_append_int(c, us);
        }
    } else if (dlk_str_starts_with(fmt, "d:")) {
        return dlk_arrow_builder_append_decimal_str(c, v, strlen(v));
    } else {
        return dlk_err_set(DLK_UNSUPPORTED, "partition column '%s': type %s", col,
                           dlk_arrow_type_word(fmt));
    }
    return dlk_err_context(rc, "partition column '%s' value '%s'", col, v);
}

static int partition_column(const struct ArrowSchema *field, const char *value, int64_t n,
                            struct ArrowArray *out)
{
    dlk_arrow_builder *b = NULL;
    int rc = builder_for(field, &b);
    for (int64_t i = 0; i < n && !rc; i++)
        rc = append_partition_value(b, field->format, value, field->name);
    if (!rc) rc = dlk_arrow_builder_finish(b, out);
    dlk_arrow_builder_free(b);
    return rc;
}

/* ---- casts for type widening ---- */

static bool is_int_fmt(const char *f)
{
    return f[1] == 0 && strchr("csil", f[0]);
}

static int64_t int_at(const char *f, const struct ArrowArray *a, int64_t i)
{
    int64_t k = a->offset + i;
    switch (f[0]) {
    case 'c':
        return ((const int8_t *)a->buffers[1])[k];
    case 's':
        return ((const int16_t *)a->buffers[1])[k];
    case 'i':
        return ((const int32_t *)a->buffers[1])[k];
    default:
        return ((const int64_t *)a->buffers[1])[k];
    }
}

static int cast_column(const struct ArrowSchema *t, const struct ArrowSchema *s,
                       const struct ArrowArray *a, struct ArrowArray *out, const char *file)
{
    const char *tf = t->format, *sf = s->format;
    int64_t n = a->length;
    size_t width = 0;
    bool ok = false;
    unsigned tp = 0, ts = 0, sp = 0, ss = 0;
    if (is_int_fmt(sf) && is_int_fmt(tf))
        ok = true, width = tf[0] == 'c' ? 1 : tf[0] == 's' ? 2 : tf[0] == 'i' ? 4 : 8;
    else if ((is_int_fmt(sf) || !strcmp(sf, "f")) && (!strcmp(tf, "g") || !strcmp(tf, "f")))
        ok = true, width = tf[0] == 'g' ? 8 : 4;
    else if (!strcmp(sf, "tdD") && dlk_str_starts_with(tf, "tsu:"))
        ok = true, width = 8;
    else if (sscanf(sf, "d:%u,%u", &sp, &ss) == 2 && sscanf(tf, "d:%u,%u", &tp, &ts) == 2 &&
             ts >= ss)
        ok = true, width = 16;
    else if (is_int_fmt(sf) && sscanf(tf, "d:%u,%u", &tp, &ts) == 2)
        ok = true, width = 16;
    if (!ok)
        return dlk_err_schema_mismatch(tf, sf, "%s: column '%s' has type %s, table schema says %s",
                                       file, t->name, sf, tf);
    int rc = dlk_arrow_array_new(out, n, 2, 0);
    if (rc) return rc;
    uint8_t *valid = NULL;
    if (a->null_count != 0 && a->buffers[0]) {
        valid = dlk_arrow_array_alloc_buffer(out, 0, (size_t)(n + 7) / 8 + 1);
        if (!valid) goto oom;
        for (int64_t i = 0; i < n; i++)
            if (dlk_arrow_is_valid(a, i)) dlk_bit_set(valid, i);
    }
    out->null_count = valid ? a->null_count : 0;
    uint8_t *d = dlk_arrow_array_alloc_buffer(out, 1, (size_t)(n ? n : 1) * width);
    if (!d) goto oom;
    for (int64_t i = 0; i < n; i++) {
        if (width == 16) {
            __int128 v;
            if (is_int_fmt(sf))
                v = int_at(sf, a, i);
            else
                memcpy(&v, (const uint8_t *)a->buffers[1] + (a->offset + i) * 16, 16);
            for (unsigned k = is_int_fmt(sf) ? 0 : ss; k < ts; k++)
                v *= 10;
            memcpy(d + i * 16, &v, 16);
        } else if (!strcmp(sf, "tdD")) {
            int64_t v = ((const int32_t *)a->buffers[1])[a->offset + i] * DLK_MICROS_PER_DAY;
            memcpy(d + i * 8, &v, 8);
        } else if (tf[0] == 'g' || tf[0] == 'f') {
            double v = !strcmp(sf, "f") ? ((const float *)a->buffers[1])[a->offset + i]
                                        : (double)int_at(sf, a, i);
            if (tf[0] == 'g')
                memcpy(d + i * 8, &v, 8);
            else {
                float fv = (float)v;
                memcpy(d + i * 4, &fv, 4);
            }
        } else {
            int64_t v = int_at(sf, a, i);
            memcpy(d + i * width, &v, width); /* little endian: low bytes first */
        }
    }
    return DLK_OK;
oom:
    dlk_arrow_array_release(out);
    return dlk_err_nomem();
}

/* ---- conforming a file column to the table schema ---- */

typedef struct {
    dlk_column_mapping_mode cm;
    const char *file;
} conform_ctx;

/* Index of the source child matching target field t, or -1. */
static int64_t match_child(const conform_ctx *c, const struct ArrowSchema *src_struct,
                           const struct ArrowSchema *t)
{
    if (c->cm == DLK_CM_ID) {
        int64_t id = dlk_core_field_id(t);
        if (id >= 0) {
            for (int64_t i = 0; i < src_struct->n_children; i++)
                if (dlk_core_field_id(src_struct->children[i]) == id) return i;
        }
    }
    char buf[512];
    const char *name =
        c->cm != DLK_CM_NONE ? dlk_core_field_physical_name(t, buf, sizeof buf) : t->name;
    /* no fallback to the logical name: with mapping, a file column of that
     * name is another (e.g. dropped) column's data */
    return dlk_arrow_schema_find(src_struct, name);
}

static int conform(const conform_ctx *c, const struct ArrowSchema *t, const struct ArrowSchema *s,
                   const struct ArrowArray *a, struct ArrowArray *out, int depth);

static int conform_struct(const conform_ctx *c, const struct ArrowSchema *t,
                          const struct ArrowSchema *s, const struct ArrowArray *a,
                          struct ArrowArray *out, int depth)
{
    int rc = view_new(a, t->n_children, out);
    if (rc) return rc;
    int64_t n = a->offset + a->length; /* children are indexed with the parent's offset */
    for (int64_t k = 0; k < t->n_children && !rc; k++) {
        int64_t j = match_child(c, s, t->children[k]);
        if (j < 0)
            rc = null_column(t->children[k], n, out->children[k]);
        else
            rc = conform(c, t->children[k], s->children[j], a->children[j], out->children[k],
                         depth + 1);
    }
    if (rc) dlk_arrow_array_release(out);
    return rc;
}

static int conform(const conform_ctx *c, const struct ArrowSchema *t, const struct ArrowSchema *s,
                   const struct ArrowArray *a, struct ArrowArray *out, int depth)
{
    if (depth > 64) return dlk_err_set(DLK_CORRUPT, "%s: nesting too deep", c->file);
    const char *tf = t->format, *sf = s->format;
    if (!strcmp(tf, "+s")) {
        if (strcmp(sf, "+s") != 0) goto mismatch;
        return conform_struct(c, t, s, a, out, depth);
    }
    if (!strcmp(tf, "+l") || !strcmp(tf, "+m")) {
        if (strcmp(sf, tf) != 0 || s->n_children != 1) goto mismatch;
        int rc = view_new(a, 1, out);
        if (rc) return rc;
        rc =
            conform(c, t->children[0], s->children[0], a->children[0], out->children[0], depth + 1);
        if (rc) dlk_arrow_array_release(out);
        return rc;
    }
    if (t->n_children == 0 && s->n_children == 0) {
        bool same = !strcmp(tf, sf) ||
                    (dlk_str_starts_with(tf, "tsu:") && dlk_str_starts_with(sf, "tsu:")) ||
                    (!strcmp(tf, "u") && !strcmp(sf, "z")) ||
                    (!strcmp(tf, "z") && !strcmp(sf, "u"));
        if (same) {
            borrow(a, out);
            return DLK_OK;
        }
        if (!strcmp(sf, "n")) return null_column(t, a->length, out);
        return cast_column(t, s, a, out, c->file);
    }
mismatch:
    return dlk_err_schema_mismatch(tf, sf, "%s: column '%s' has type %s, table schema says %s",
                                   c->file, t->name, sf, tf);
}

/* ---- the scan ---- */

typedef struct dlk_read__scan {
    const dlk_snapshot *snap;
    struct ArrowSchema out_schema;  /* projected output "+s" */
    struct ArrowSchema read_schema; /* output + filter-only columns */
    int64_t n_out, n_read;          /* without the row index column */
    int64_t rix;                    /* 1 with a row index column (last child), else 0 */
    int64_t *col_index;             /* read column -> table schema child index */
    bool *is_partition;             /* per read column */
    size_t *part_index;             /* per read column: index in partition columns */
    dlk_scan_options opts;
    int64_t remaining;
    size_t file_i;
    /* current file */
    uint8_t *data;
    dlk_pq_file *pq;
    struct ArrowSchema file_schema;
    int rg, n_rg;
    int64_t row_base;
    dlk_dv_bitmap *dv;
    const dlk_file_info *file;
    const char **pq_cols; /* per read column: physical top-level name or NULL */
    int64_t *src_index;   /* per read column: index in the read row group */
    size_t n_pq_cols;
    dlk_scan_stats stats;
    char *last_error;
    dlk_sorter *sorter; /* ORDER BY */
    bool sorted_done;
    bool failed; /* a next failed: the scan is at its end */
} scan_state;

static void close_file(scan_state *st)
{
    if (st->pq) dlk_pq_close(&st->pq);
    st->pq = NULL;
    dlk_storage_bytes_free(st->data);
    st->data = NULL;
    dlk_arrow_schema_release(&st->file_schema);
    dlk_dv_free(st->dv);
    st->dv = NULL;
    st->file = NULL;
}

static void scan_free(scan_state *st)
{
    close_file(st);
    dlk_arrow_schema_release(&st->out_schema);
    dlk_arrow_schema_release(&st->read_schema);
    dlk_free(st->col_index);
    dlk_free(st->is_partition);
    dlk_free(st->part_index);
    dlk_free(st->pq_cols);
    dlk_free(st->src_index);
    dlk_free(st->last_error);
    dlk_ops__sorter_free(st->sorter);
    dlk_free(st);
}

/* The data file of a Parquet-layer error: the reader names the file in
 * its messages; name it here only when the message does not already. */
static int name_file(int rc, const char *path)
{
    const char *m = dlk_error_last()->message;
    if (m && path && strstr(m, path)) return rc;
    return dlk_err_context(rc, "%s", path);
}

static int open_next_file(scan_state *st)
{
    const dlk_snapshot *snap = st->snap;
    while (st->file_i < snap->n_files) {
        const dlk_file_info *f = &snap->files[st->file_i++];
        st->stats.files_total++;
        if (st->opts.file_filter) {
            bool keep = true;
            int rc = st->opts.file_filter(st->opts.filter_ctx, f, &keep);
            if (rc) return rc;
            if (!keep) {
                st->stats.files_skipped++;
                continue;
            }
        }
        size_t len = 0;
        int rc = dlk_storage_get(snap->storage, f->path, &st->data, &len);
        if (rc) return rc;
        if ((rc = dlk_pq_open_memory(st->data, len, f->path, &st->pq)))
            return name_file(rc, f->path);
        if ((rc = dlk_pq_get_schema(st->pq, &st->file_schema))) return name_file(rc, f->path);
        st->n_rg = dlk_pq_num_row_groups(st->pq);
        st->rg = 0;
        st->row_base = 0;
        st->file = f;
        st->stats.files_read++;
        const dlk_add_action *add = snap->st.active[st->file_i - 1];
        if (add->dv && (rc = dlk_dv_load(snap->storage, add->dv, &st->dv)))
            return dlk_err_context(rc, "%s", f->path);
        /* which top-level columns to read */
        conform_ctx cc = {snap->cm_mode, f->path};
        st->n_pq_cols = 0;
        for (int64_t k = 0; k < st->n_read; k++) {
            st->src_index[k] = -1;
            if (st->is_partition[k]) continue;
            const struct ArrowSchema *t = snap->schema.children[st->col_index[k]];
            int64_t j = match_child(&cc, &st->file_schema, t);
            if (j < 0) continue;
            st->src_index[k] = (int64_t)st->n_pq_cols;
            st->pq_cols[st->n_pq_cols++] = st->file_schema.children[j]->name;
        }
        return 1;
    }
    return 0;
}

/* Build the batch of the current row group into out ("+s" of read columns). */
static int read_batch(scan_state *st, struct ArrowArray *out)
{
    int64_t n = dlk_pq_row_group_num_rows(st->pq, st->rg);
    struct ArrowSchema *rs = dlk_calloc(1, sizeof *rs);
    struct ArrowArray *ra = dlk_calloc(1, sizeof *ra);
    int rc = DLK_OK;
    if (!rs || !ra) {
        dlk_free(rs);
        dlk_free(ra);
        return dlk_err_nomem();
    }
    if (st->n_pq_cols) {
        rc = dlk_pq_read_row_group(st->pq, st->rg, st->pq_cols, st->n_pq_cols, rs, ra);
        if (rc) {
            dlk_free(rs);
            dlk_free(ra);
            const char *m = dlk_error_last()->message;
            if (m && strstr(m, st->file->path)) return rc; /* the reader named it */
            return dlk_err_context(rc, "%s: row group %d", st->file->path, st->rg);
        }
        n = ra->length;
    }
    if ((rc = view_new(NULL, st->n_read + st->rix, out))) goto fail_hold;
    out->length = n;
    out->null_count = 0;
    out->n_buffers = 1;
    static const void *no_buffers[1] = {NULL};
    out->buffers = no_buffers;
    view_priv *vp = out->private_data;
    vp->hold_array = ra;
    vp->hold_schema = rs;
    conform_ctx cc = {st->snap->cm_mode, st->file->path};
    for (int64_t k = 0; k < st->n_read && !rc; k++) {
        const struct ArrowSchema *t = st->snap->schema.children[st->col_index[k]];
        if (st->is_partition[k]) {
            rc = partition_column(t, st->file->partition_values[st->part_index[k]], n,
                                  out->children[k]);
        } else if (st->src_index[k] < 0) {
            rc = null_column(t, n, out->children[k]);
        } else {
            int64_t j = st->src_index[k];
            rc = conform(&cc, t, rs->children[j], ra->children[j], out->children[k], 0);
        }
    }
    if (!rc && st->rix) {
        struct ArrowArray *ix = out->children[st->n_read];
        rc = dlk_arrow_array_new(ix, n, 2, 0);
        int64_t *v =
            rc ? NULL : dlk_arrow_array_alloc_buffer(ix, 1, (size_t)(n ? n : 1) * sizeof(int64_t));
        if (!rc && !v) rc = dlk_err_nomem();
        for (int64_t i = 0; !rc && i < n; i++)
            v[i] = st->row_base + i;
    }
    if (rc) dlk_arrow_array_release(out);
    return rc;
fail_hold:
    if (ra->release) ra->release(ra);
    if (rs->release) rs->release(rs);
    dlk_free(rs);
    dlk_free(ra);
    return rc;
}

/* Project a "+s" batch of read columns to the first n_out columns (views). */
static int project(scan_state *st, struct ArrowArray *full, struct ArrowArray *out)
{
    if (st->n_out == st->n_read) {
        dlk_arrow_array_move(full, out);
        return DLK_OK;
    }
    int rc = view_new(full, st->n_out + st->rix, out);
    if (rc) return rc;
    for (int64_t k = 0; k < st->n_out; k++)
        borrow(full->children[k], out->children[k]);
    if (st->rix) borrow(full->children[st->n_read], out->children[st->n_out]);
    view_priv *vp = out->private_data;
    vp->hold_array = dlk_malloc(sizeof *vp->hold_array);
    if (!vp->hold_array) {
        dlk_arrow_array_release(out);
        return dlk_err_nomem();
    }
    dlk_arrow_array_move(full, vp->hold_array);
    return DLK_OK;
}

/* ---- row-group filter support ---- */

struct dlk_scan_row_group {
    const scan_state *st;
    int rg;
};

int dlk_scan_row_group_index(const dlk_scan_row_group *rg)
{
    return rg ? rg->rg : -1;
}

int64_t dlk_scan_row_group_num_rows(const dlk_scan_row_group *rg)
{
    return rg && rg->st->pq ? dlk_pq_row_group_num_rows(rg->st->pq, rg->rg) : -1;
}

int dlk_scan_row_group_column_stats(const dlk_scan_row_group *rg, const char *const *path,
                                    size_t depth, dlk_pq_col_stats *out)
{
    memset(out, 0, sizeof *out);
    out->null_count = -1;
    if (!rg || !path || depth == 0 || depth > 64)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "column stats: bad path");
    const scan_state *st = rg->st;
    if (!st->pq) return dlk_err_set(DLK_INVALID_ARGUMENT, "column stats: no file open");
    /* partition columns are not in the data files (never "absent = all null") */
    const dlk_metadata_action *md = st->snap->st.metadata;
    for (size_t p = 0; md && p < md->n_partition_columns; p++)
        if (!strcmp(md->partition_columns[p], path[0]))
            return dlk_err_set(DLK_NOT_FOUND, "column stats: '%s' is a partition column", path[0]);
    conform_ctx cc = {st->snap->cm_mode, st->file->path};
    const struct ArrowSchema *t = &st->snap->schema, *s = &st->file_schema;
    dlk_buf leaf = {0};
    int rc = DLK_OK;
    for (size_t d = 0; d < depth && !rc; d++) {
        if (strcmp(t->format, "+s") != 0) {
            rc = dlk_err_set(DLK_NOT_FOUND, "column stats: '%s' is not a struct",
                             t->name ? t->name : "");
            break;
        }
        int64_t k = dlk_arrow_schema_find(t, path[d]);
        if (k < 0) {
            rc = dlk_err_set(DLK_NOT_FOUND, "column stats: no column '%s'", path[d]);
            break;
        }
        t = t->children[k];
        int64_t j = s && !strcmp(s->format, "+s") ? match_child(&cc, s, t) : -1;
        if (j < 0) {
            s = NULL; /* absent from the file: reads as nulls */
            continue;
        }
        s = s->children[j];
        rc = d ? dlk_buf_putc(&leaf, '.') : DLK_OK;
        if (!rc) rc = dlk_buf_puts(&leaf, s->name);
    }
    if (!rc && !s) {
        int64_t n = dlk_pq_row_group_num_rows(st->pq, rg->rg);
        out->null_count = n;
        out->num_values = n;
        out->format = t->format;
    } else if (!rc) {
        if (s->n_children || t->n_children)
            rc = dlk_err_set(DLK_NOT_FOUND, "column stats: '%s' is not a leaf", t->name);
        else
            rc = dlk_pq_column_stats(st->pq, rg->rg, dlk_buf_cstr(&leaf), out);
    }
    dlk_buf_free(&leaf);
    return rc;
}

/* The next filtered batch of all read columns (not projected); out->release
 * NULL at the end. */
static int next_full(scan_state *st, struct ArrowArray *out)
{
    memset(out, 0, sizeof *out);
    for (;;) {
        if (st->remaining == 0) return DLK_OK; /* end */
        if (!st->pq || st->rg >= st->n_rg) {
            close_file(st);
            int r = open_next_file(st);
            if (r < 0) return r;
            if (r == 0) return DLK_OK; /* end of stream */
            st->stats.row_groups_total += st->n_rg;
            continue;
        }
        if (st->opts.row_group_filter) {
            bool keep = true;
            dlk_scan_row_group g = {st, st->rg};
            int rc = st->opts.row_group_filter(st->opts.filter_ctx, st->file, &g, &keep);
            if (rc) return dlk_err_context(rc, "%s: row group %d", st->file->path, st->rg);
            if (!keep) {
                int64_t n = dlk_pq_row_group_num_rows(st->pq, st->rg);
                st->rg++;
                st->row_base += n; /* deletion-vector positions count every row */
                st->stats.row_groups_skipped++;
                st->stats.rows_skipped += n;
                continue;
            }
        }
        st->stats.row_groups_read++;
        struct ArrowArray full;
        int rc = read_batch(st, &full);
        if (rc) return rc;
        int64_t n = full.length;
        int64_t base = st->row_base;
        st->rg++;
        st->row_base += n;
        st->stats.rows_read += n;
        /* selection: DV, row filter, limit */
        uint8_t *keep = NULL;
        int64_t kept = n;
        if (st->dv || st->opts.row_filter) {
            keep = dlk_malloc((size_t)(n + 7) / 8 + 1);
            if (!keep) {
                dlk_arrow_array_release(&full);
                return dlk_err_nomem();
            }
            memset(keep, 0xff, (size_t)(n + 7) / 8 + 1);
            if (st->dv) {
                for (int64_t i = 0; i < n; i++) {
                    if (dlk_dv_contains(st->dv, (uint64_t)(base + i))) {
                        dlk_bit_clear(keep, i);
                        st->stats.rows_deleted++;
                    }
                }
            }
            if (st->opts.row_filter &&
                (rc = st->opts.row_filter(st->opts.filter_ctx, &st->read_schema, &full, keep))) {
                dlk_free(keep);
                dlk_arrow_array_release(&full);
                return rc;
            }
            kept = 0;
            for (int64_t i = 0; i < n; i++)
                kept += dlk_bit_get(keep, i);
        }
        if (st->remaining > 0 && kept > st->remaining) {
            if (!keep) {
                keep = dlk_malloc((size_t)(n + 7) / 8 + 1);
                if (!keep) {
                    dlk_arrow_array_release(&full);
                    return dlk_err_nomem();
                }
                memset(keep, 0xff, (size_t)(n + 7) / 8 + 1);
            }
            int64_t seen = 0;
            for (int64_t i = 0; i < n; i++) {
                if (!dlk_bit_get(keep, i)) continue;
                if (seen >= st->remaining)
                    dlk_bit_clear(keep, i);
                else
                    seen++;
            }
            kept = st->remaining;
        }
        if (keep && kept != n) {
            int64_t *sel = dlk_malloc((size_t)(kept ? kept : 1) * sizeof *sel);
            if (!sel) rc = dlk_err_nomem();
            int64_t m = 0;
            for (int64_t i = 0; i < n && !rc; i++)
                if (dlk_bit_get(keep, i)) sel[m++] = i;
            struct ArrowArray taken;
            if (!rc) rc = dlk_expr_take(&st->read_schema, &full, sel, m, &taken);
            dlk_free(sel);
            dlk_arrow_array_release(&full);
            if (rc) {
                dlk_free(keep);
                return rc;
            }
            dlk_arrow_array_move(&taken, &full);
        }
        dlk_free(keep);
        if (st->remaining > 0) st->remaining -= kept;
        st->stats.rows_returned += kept;
        if (kept == 0) {
            dlk_arrow_array_release(&full);
            continue;
        }
        dlk_arrow_array_move(&full, out);
        return DLK_OK;
    }
}

static int next_batch(scan_state *st, struct ArrowArray *out)
{
    struct ArrowArray full;
    int rc;
    memset(out, 0, sizeof *out);
    if (!st->sorter) {
        if ((rc = next_full(st, &full))) return rc;
        return full.release ? project(st, &full, out) : DLK_OK;
    }
    if (st->sorted_done) return DLK_OK;
    for (;;) { /* ORDER BY: read everything (top-N with a limit), then one sorted batch */
        if ((rc = next_full(st, &full))) return rc;
        if (!full.release) break;
        if ((rc = dlk_ops__sorter_add(st->sorter, &full))) return rc;
    }
    st->sorted_done = true;
    if ((rc = dlk_ops__sorter_finish(st->sorter, &full))) return rc;
    st->stats.rows_returned = full.length;
    if (full.length == 0) {
        dlk_arrow_array_release(&full);
        return DLK_OK;
    }
    return project(st, &full, out);
}

int dlk_read__scan_next(dlk_read__scan *st, struct ArrowArray *out)
{
    if (st->failed) { /* at the end after a failure (never a partial sort) */
        memset(out, 0, sizeof *out);
        return DLK_OK;
    }
    int rc = next_batch(st, out);
    if (rc) {
        close_file(st); /* keeps the thread's error */
        st->remaining = 0;
        st->failed = true;
    }
    return rc;
}

const struct ArrowSchema *dlk_read__scan_schema(const dlk_read__scan *st)
{
    return &st->out_schema;
}

const dlk_file_info *dlk_read__scan_file(const dlk_read__scan *st)
{
    return st ? st->file : NULL;
}

void dlk_read__scan_stats(const dlk_read__scan *st, dlk_scan_stats *out)
{
    if (st)
        *out = st->stats;
    else
        memset(out, 0, sizeof *out);
}

void dlk_read__scan_free(dlk_read__scan **it)
{
    if (!it || !*it) return;
    const dlk_scan_stats *k = &(*it)->stats;
    DLK_DEBUG("scan",
              "files %" PRId64 " total, %" PRId64 " skipped, %" PRId64 " read; row groups %" PRId64
              " total, %" PRId64 " skipped, %" PRId64 " read; rows %" PRId64 " read, %" PRId64
              " deleted, %" PRId64 " returned",
              k->files_total, k->files_skipped, k->files_read, k->row_groups_total,
              k->row_groups_skipped, k->row_groups_read, k->rows_read, k->rows_deleted,
              k->rows_returned);
    scan_free(*it);
    *it = NULL;
}

/* ---- the public stream over the iterator ---- */

static int s_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    scan_state *st = s->private_data;
    int rc = dlk_arrow_schema_copy(&st->out_schema, out);
    return rc ? 12 /* ENOMEM */ : 0;
}

static int s_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    scan_state *st = s->private_data;
    if (dlk_read__scan_next(st, out)) {
        dlk_free(st->last_error);
        st->last_error = dlk_strdup(dlk_error_last()->message);
        return 5; /* EIO; dlk_error_last() keeps the dlk_status */
    }
    return 0;
}

static const char *s_get_last_error(struct ArrowArrayStream *s)
{
    scan_state *st = s->private_data;
    return st->last_error;
}

static void s_release(struct ArrowArrayStream *s)
{
    if (!s || !s->release) return;
    scan_state *st = s->private_data;
    dlk_read__scan_free(&st);
    s->release = NULL;
}

const dlk_file_info *dlk_scan_batch_file(const struct ArrowArrayStream *stream)
{
    if (!stream || stream->release != s_release) return NULL;
    return ((scan_state *)stream->private_data)->file;
}

void dlk_scan_get_stats(const struct ArrowArrayStream *stream, dlk_scan_stats *out)
{
    memset(out, 0, sizeof *out);
    if (stream && stream->release == s_release) *out = ((scan_state *)stream->private_data)->stats;
}

static int add_read_col(scan_state *st, const char *name)
{
    const dlk_snapshot *snap = st->snap;
    int64_t idx = dlk_arrow_schema_find(&snap->schema, name);
    if (idx < 0) {
        /* case-insensitive fallback, as Spark resolves names */
        for (int64_t i = 0; i < snap->schema.n_children && idx < 0; i++)
            if (dlk_str_ieq(snap->schema.children[i]->name, name)) idx = i;
    }
    if (idx < 0) {
        const char *best = NULL;
        size_t bd = (size_t)-1;
        for (int64_t i = 0; i < snap->schema.n_children; i++) {
            const char *nm = snap->schema.children[i]->name;
            size_t dist = nm ? dlk_str_distance(name, nm) : (size_t)-1;
            if (dist < bd) bd = dist, best = nm;
        }
        if (best && bd <= strlen(name) / 3 + 2)
            return dlk_err_set(DLK_NOT_FOUND,
                               "column '%s' is not in the table schema; did you mean '%s'?", name,
                               best);
        return dlk_err_set(DLK_NOT_FOUND, "column '%s' is not in the table schema", name);
    }
    for (int64_t k = 0; k < st->n_read; k++)
        if (st->col_index[k] == idx) return DLK_OK;
    st->col_index[st->n_read] = idx;
    const dlk_metadata_action *m = snap->st.metadata;
    for (size_t p = 0; p < m->n_partition_columns; p++) {
        if (strcmp(m->partition_columns[p], snap->schema.children[idx]->name) == 0) {
            st->is_partition[st->n_read] = true;
            st->part_index[st->n_read] = p;
        }
    }
    st->n_read++;
    return DLK_OK;
}

static int schema_of(scan_state *st, int64_t n, struct ArrowSchema *out)
{
    int rc = dlk_arrow_schema_new(out, "+s", "", 0, n + st->rix);
    for (int64_t k = 0; k < n && !rc; k++)
        rc = dlk_arrow_schema_copy(st->snap->schema.children[st->col_index[k]], out->children[k]);
    if (!rc && st->rix)
        rc = dlk_arrow_schema_new(out->children[n], "l", st->opts.row_index_column, 0, 0);
    if (rc) dlk_arrow_schema_release(out);
    return rc;
}

int dlk_read__scan_open(const dlk_snapshot *snap, const dlk_scan_options *opts,
                        dlk_read__scan **out)
{
    *out = NULL;
    dlk_scan_options def = DLK_SCAN_OPTIONS_INIT;
    if (!opts) opts = &def;
    if (opts->version < 1)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "scan options: version not set");
    scan_state *st = dlk_calloc(1, sizeof *st);
    if (!st) return dlk_err_nomem();
    st->snap = snap;
    /* a version-1 caller's struct ends before row_index_column */
    st->opts = def;
    memcpy(&st->opts, opts,
           opts->version >= 2 ? sizeof *opts : offsetof(dlk_scan_options, row_index_column));
    st->opts.version = DLK_SCAN_OPTIONS_VERSION;
    if (st->opts.row_index_column) {
        st->rix = 1;
        if (dlk_arrow_schema_find(&snap->schema, st->opts.row_index_column) >= 0) {
            int rc =
                dlk_err_set(DLK_INVALID_ARGUMENT, "scan: row index column '%s' is a table column",
                            st->opts.row_index_column);
            dlk_free(st);
            return rc;
        }
    }
    st->remaining = opts->limit < 0 ? -1 : opts->limit;
    size_t cap = (size_t)snap->schema.n_children + 1;
    st->col_index = dlk_calloc(cap, sizeof *st->col_index);
    st->is_partition = dlk_calloc(cap, sizeof *st->is_partition);
    st->part_index = dlk_calloc(cap, sizeof *st->part_index);
    st->pq_cols = dlk_calloc(cap, sizeof *st->pq_cols);
    st->src_index = dlk_calloc(cap, sizeof *st->src_index);
    int rc = DLK_OK;
    if (!st->col_index || !st->is_partition || !st->part_index || !st->pq_cols || !st->src_index)
        rc = dlk_err_nomem();
    if (!rc && opts->columns) {
        for (size_t i = 0; i < opts->n_columns && !rc; i++)
            rc = add_read_col(st, opts->columns[i]);
    } else {
        for (int64_t i = 0; i < snap->schema.n_children && !rc; i++)
            rc = add_read_col(st, snap->schema.children[i]->name);
    }
    st->n_out = st->n_read;
    for (size_t i = 0; i < opts->n_filter_columns && opts->filter_columns && !rc; i++)
        rc = add_read_col(st, opts->filter_columns[i]);
    if (!rc && opts->order_by) {
        rc = dlk_ops__sorter_new(opts->order_by, &snap->schema, opts->limit, &st->sorter);
        const char *const *sc = NULL;
        size_t nsc = 0;
        if (!rc) dlk_ops__sorter_columns(st->sorter, &sc, &nsc);
        for (size_t i = 0; i < nsc && !rc; i++)
            rc = add_read_col(st, sc[i]);
        st->remaining = -1; /* the sorter applies the limit */
    }
    if (!rc) rc = schema_of(st, st->n_out, &st->out_schema);
    if (!rc) rc = schema_of(st, st->n_read, &st->read_schema);
    if (!rc && st->sorter) rc = dlk_ops__sorter_bind(st->sorter, &st->read_schema);
    if (rc) {
        scan_free(st);
        return rc;
    }
    *out = st;
    return DLK_OK;
}

int dlk_scan_open(const dlk_snapshot *snap, const dlk_scan_options *opts,
                  struct ArrowArrayStream *out)
{
    memset(out, 0, sizeof *out);
    scan_state *st = NULL;
    int rc = dlk_read__scan_open(snap, opts, &st);
    if (rc) return rc;
    out->get_schema = s_get_schema;
    out->get_next = s_get_next;
    out->get_last_error = s_get_last_error;
    out->release = s_release;
    out->private_data = st;
    return DLK_OK;
}

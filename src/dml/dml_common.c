/* dml/dml_common.c - the shared machinery of delete / update / upsert (see
 * dml/dml_int.h): state + snapshot, soft/hard resolution, row marks per
 * file, deletion-vector writing (inline Z85 or one deletion_vector_<uuid>.bin
 * per commit), rewrites without the deleted rows, and the commit with its
 * conflict intent. */
#define _POSIX_C_SOURCE 200809L
#include "arrow/arrow.h"
#include "core/protocol.h"
#include "core/snapshot.h"
#include "deltalake/expr.h"
#include "dml/dml_int.h"
#include "core/colmap.h"
#include "parquet/reader.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/log.h"
#include "util/misc.h"
#include "util/str.h"
#include "util/time.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DV_INLINE_MAX 128 /* serialized bitmaps up to this size go inline in the log */
#define ROW_INDEX_COL "__dlk_dml_row_index"

/* ---- begin / end -------------------------------------------------------- */

int dlk_ops__dml_begin(const char *root, int mode, bool enable_dv, const char *partition_path,
                       dlk_dml *d)
{
    memset(d, 0, sizeof *d);
    d->root = root;
    d->order.elem = sizeof(dlk_dml_file *);
    d->st.version = -1;
    if (!root) return dlk_err_set(DLK_INVALID_ARGUMENT, "no table");
    if (mode < DLK_DML_AUTO || mode > DLK_DML_HARD)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "unknown mode %d", mode);
    int rc = dlk_core__state_load(root, true, false, &d->st);
    if (rc) return rc;
    if ((rc = dlk_core__check_writable(&d->st))) goto fail;
    const char *ao = dlk_core__state_config(&d->st, "delta.appendOnly");
    if (ao && dlk_str_ieq(ao, "true")) {
        rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                         "%s: the table is append-only (delta.appendOnly=true)", root);
        goto fail;
    }
    if ((rc = dlk_table_open(root, &d->table))) goto fail;
    if ((rc = dlk_table_snapshot(d->table, d->st.version, &d->snap))) goto fail;
    /* soft or hard */
    bool feature = dlk_core__protocol_supports(d->st.protocol, "deletionVectors");
    const char *prop = dlk_core__state_config(&d->st, "delta.enableDeletionVectors");
    bool prop_off = prop && dlk_str_ieq(prop, "false");
    if (mode == DLK_DML_HARD) {
        d->soft = false;
    } else if (feature && (!prop_off || mode == DLK_DML_SOFT)) {
        d->soft = true;
    } else if (enable_dv) {
        d->soft = true;
        d->upgrade = true;
    } else if (mode == DLK_DML_SOFT) {
        rc = dlk_err_set(DLK_UNSUPPORTED,
                         "%s: the table does not have the deletionVectors feature (enable_dv adds "
                         "it: --enable-dv; or --hard rewrites the files)",
                         root);
        goto fail;
    }
    if ((rc = dlk_ops__ppath_parse(partition_path, (const char *const *)d->st.partition_cols,
                                   d->st.n_part, &d->pp)))
        goto fail;
    if (d->pp.text) {
        bool found = false;
        for (size_t i = 0; i < d->snap->n_files && !found; i++)
            found = dlk_ops__dml_in_scope(d, &d->snap->files[i]);
        if (!found) {
            rc = dlk_err_partition(d->pp.text, "partition '%s' not found in %s", d->pp.text, root);
            goto fail;
        }
    }
    dlk_uuid_bytes(d->dv_uuid);
    /* the data schema of new files: table columns minus partition columns */
    const struct ArrowSchema *ts = &d->st.schema;
    int64_t nd = 0;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        if (pass == 1 && (rc = dlk_arrow_schema_new(&d->data_schema, "+s", "", 0, nd))) break;
        int64_t j = 0;
        for (int64_t i = 0; i < ts->n_children && !rc; i++) {
            bool part = false;
            for (size_t k = 0; k < d->st.n_part; k++)
                if (!strcmp(ts->children[i]->name, d->st.partition_cols[k])) part = true;
            if (part) continue;
            if (pass == 1) rc = dlk_arrow_schema_copy(ts->children[i], d->data_schema.children[j]);
            j++;
        }
        nd = j;
    }
    if (rc) goto fail;
    return DLK_OK;
fail:
    dlk_ops__dml_end(d, true);
    return rc;
}

void dlk_ops__dml_end(dlk_dml *d, bool failed)
{
    for (size_t i = 0; i < d->order.len; i++) {
        dlk_dml_file *f = dlk_vec_at(&d->order, dlk_dml_file *, i);
        dlk_dv_free(f->hit);
        dlk_free(f);
    }
    dlk_vec_free(&d->order);
    dlk_map_free(&d->files);
    dlk_map_free(&d->read_parts);
    dlk_map_free(&d->removed_paths);
    dlk_ops__files_free(&d->w, failed);
    dlk_arrow_schema_release(&d->data_schema);
    dlk_buf_free(&d->rm_lines);
    dlk_buf_free(&d->add_lines);
    dlk_arena_free(&d->arena);
    if (failed && d->dv_key) { /* keep the failure's error */
        void *err = dlk_err_save();
        dlk_storage_delete(d->store, d->dv_key);
        dlk_err_restore(err);
    }
    dlk_free(d->dv_key);
    d->dv_key = NULL;
    dlk_storage_free(&d->store);
    dlk_buf_free(&d->dvfile);
    dlk_ops__ppath_free(&d->pp);
    dlk_snapshot_free(&d->snap);
    dlk_table_free(&d->table);
    dlk_core__state_free(&d->st);
}

bool dlk_ops__dml_in_scope(const dlk_dml *d, const dlk_file_info *f)
{
    return dlk_ops__ppath_match_file(&d->pp, (const char *const *)d->st.partition_cols, f);
}

/* ---- partitions read (conflict detection) -------------------------------- */

void dlk_ops__dml_part_values(const dlk_dml *d, const dlk_file_info *f, const char **vals)
{
    for (size_t i = 0; i < d->st.n_part; i++) {
        vals[i] = NULL;
        for (size_t k = 0; k < f->n_partition_values; k++)
            if (!strcmp(f->partition_keys[k], d->st.partition_cols[i]))
                vals[i] = f->partition_values[k];
        if (vals[i] && !*vals[i]) vals[i] = NULL;
    }
}

/* Key of a partition: values in partition-column order, "\1" for null, "\0" between. */
static int part_key_put(dlk_buf *b, const char *v)
{
    int rc = v ? dlk_buf_puts(b, v) : dlk_buf_putc(b, 1);
    return rc ? rc : dlk_buf_append(b, "", 1);
}

int dlk_ops__dml_note_read_values(dlk_dml *d, const char *const *vals)
{
    d->read_any = true;
    if (!d->st.n_part) return DLK_OK;
    dlk_buf k = {0};
    int rc = DLK_OK;
    for (size_t i = 0; i < d->st.n_part && !rc; i++)
        rc = part_key_put(&k, vals[i] && *vals[i] ? vals[i] : NULL);
    if (!rc && !dlk_map_get(&d->read_parts, k.data, k.len, NULL))
        rc = dlk_map_put(&d->read_parts, k.data, k.len, (void *)1, NULL);
    dlk_buf_free(&k);
    return rc;
}

int dlk_ops__dml_note_read(dlk_dml *d, const dlk_file_info *f)
{
    d->read_any = true;
    if (!d->st.n_part) return DLK_OK;
    const char **vals = dlk_calloc(d->st.n_part, sizeof *vals);
    if (!vals) return dlk_err_nomem();
    dlk_ops__dml_part_values(d, f, vals);
    int rc = dlk_ops__dml_note_read_values(d, vals);
    dlk_free(vals);
    return rc;
}

static bool read_match(void *ctx, const dlk_kvs *pv)
{
    dlk_dml *d = ctx;
    if (!d->read_any) return false;
    if (!d->st.n_part) return true;
    dlk_buf k = {0};
    int rc = DLK_OK;
    for (size_t i = 0; i < d->st.n_part && !rc; i++) {
        char pb[512]; /* partitionValues are keyed by physical names (column mapping) */
        const char *key =
            dlk_ops__cm_mode(&d->st) > 0
                ? dlk_ops__cm_col_phys(&d->st.schema, d->st.partition_cols[i], pb, sizeof pb)
                : d->st.partition_cols[i];
        bool found;
        const char *v = key ? dlk_kvs_get(pv, key, &found) : NULL;
        rc = part_key_put(&k, v && *v ? v : NULL);
    }
    bool hit = rc || dlk_map_get(&d->read_parts, k.data, k.len, NULL); /* OOM: assume a conflict */
    dlk_buf_free(&k);
    return hit;
}

/* ---- marks ---------------------------------------------------------------- */

static int file_for(dlk_dml *d, const dlk_file_info *fi, dlk_dml_file **out)
{
    void *v = NULL;
    if (dlk_map_get(&d->files, fi->raw_path, strlen(fi->raw_path), &v)) {
        *out = v;
        return DLK_OK;
    }
    const dlk_add_action *add = dlk_map_get_str(&d->st.files, fi->raw_path);
    if (!add)
        return dlk_err_set(DLK_ERROR, "%s: file '%s' of the snapshot is not in the log state",
                           d->root, fi->path);
    dlk_dml_file *f = dlk_calloc(1, sizeof *f);
    if (!f) return dlk_err_nomem();
    f->fi = fi;
    f->add = add;
    int rc = dlk_dv_new(&f->hit);
    if (!rc && dlk_vec_push(&d->order, &f)) rc = dlk_err_nomem();
    if (rc) {
        dlk_dv_free(f->hit);
        dlk_free(f);
        return rc;
    }
    if (dlk_map_put_str(&d->files, fi->raw_path, f)) {
        d->order.len--;
        dlk_dv_free(f->hit);
        dlk_free(f);
        return dlk_err_nomem();
    }
    *out = f;
    return dlk_ops__dml_note_read(d, fi);
}

int dlk_ops__dml_mark(dlk_dml *d, const dlk_file_info *fi, const int64_t *rows, size_t n)
{
    if (!n) return DLK_OK;
    dlk_dml_file *f = NULL;
    int rc = file_for(d, fi, &f);
    if (rc) return rc;
    return dlk_dv_add(f->hit, (const uint64_t *)rows, n);
}

int dlk_ops__dml_mark_whole(dlk_dml *d, const dlk_file_info *fi)
{
    dlk_dml_file *f = NULL;
    int rc = file_for(d, fi, &f);
    if (!rc) f->whole = true;
    return rc;
}

int dlk_ops__dml_writer(dlk_dml *d, dlk_ops__files **w)
{
    if (!d->w) {
        int num_indexed = 32;
        int64_t niv;
        const char *ni = dlk_core__state_config(&d->st, "delta.dataSkippingNumIndexedCols");
        if (ni && dlk_parse_i64(ni, &niv) == DLK_OK) num_indexed = (int)niv;
        int rc =
            dlk_ops__files_new(d->root, &d->data_schema, (const char *const *)d->st.partition_cols,
                               d->st.n_part, d->target, num_indexed, &d->w);
        if (!rc) rc = dlk_ops__files_map(d->w, &d->st);
        if (rc) return rc;
    }
    *w = d->w;
    return DLK_OK;
}

const struct ArrowSchema *dlk_ops__dml_data_schema(const dlk_dml *d)
{
    return &d->data_schema;
}

int dlk_ops__dml_data_columns(const dlk_dml *d, int64_t **idx, size_t *n)
{
    const struct ArrowSchema *s = dlk_snapshot_schema(d->snap);
    *idx = dlk_calloc((size_t)s->n_children + 1, sizeof **idx);
    if (!*idx) return dlk_err_nomem();
    *n = 0;
    for (int64_t i = 0; i < s->n_children; i++) {
        bool part = false;
        for (size_t k = 0; k < d->st.n_part; k++)
            if (!strcmp(s->children[i]->name, d->st.partition_cols[k])) part = true;
        if (!part) (*idx)[(*n)++] = i;
    }
    return DLK_OK;
}

static void view_release(struct ArrowArray *a)
{
    dlk_free(a->children);
    a->release = NULL;
}

int dlk_ops__dml_view(int64_t length, struct ArrowArray *const *children, size_t n,
                      struct ArrowArray *view)
{
    static const void *no_buffers[1] = {NULL};
    memset(view, 0, sizeof *view);
    struct ArrowArray **c = dlk_calloc(n ? n : 1, sizeof *c);
    if (!c) return dlk_err_nomem();
    memcpy(c, children, n * sizeof *c);
    view->length = length;
    view->n_buffers = 1;
    view->buffers = no_buffers;
    view->n_children = (int64_t)n;
    view->children = c;
    view->release = view_release;
    return DLK_OK;
}

/* ---- apply: removes, deletion vectors, rewrites ----------------------------- */

/* Physical rows of a file: stats numRecords, else the Parquet footer. */
static int file_rows(dlk_dml *d, const dlk_dml_file *f, int64_t *out)
{
    if (f->fi->stats) {
        json_t *s = json_loads(f->fi->stats, 0, NULL);
        json_t *nr = json_object_get(s, "numRecords");
        bool ok = json_is_integer(nr);
        if (ok) *out = (int64_t)json_integer_value(nr);
        json_decref(s);
        if (ok) return DLK_OK;
    }
    uint8_t *data = NULL;
    size_t len = 0;
    dlk_pq_file *pq = NULL;
    int rc = dlk_storage_get(dlk_table_storage(d->table), f->fi->path, &data, &len);
    if (!rc) rc = dlk_pq_open_memory(data, len, f->fi->path, &pq);
    if (!rc) *out = dlk_pq_file_metadata(pq)->num_rows;
    if (pq) dlk_pq_close(&pq);
    dlk_storage_bytes_free(data);
    return rc;
}

static int remove_action(dlk_dml *d, const dlk_dml_file *f)
{
    dlk_action rm;
    dlk_log_remove_of_add(f->add, dlk_now_micros() / 1000, true, &rm);
    int rc = dlk_log_action_to_json(&rm, &d->rm_lines);
    if (rc) return rc;
    if (f->add->dv) d->dvs_removed++;
    return dlk_map_put_str(&d->removed_paths, f->fi->raw_path, (void *)1);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Store a serialized bitmap: inline when small, else appended to the
 * commit's DV file. *desc: the new deletionVector descriptor (strings in d->arena). */
static int store_dv(dlk_dml *d, const dlk_buf *ser, uint64_t card, dlk_dv *desc)
{
    memset(desc, 0, sizeof *desc);
    desc->cardinality = (int64_t)card;
    desc->size_in_bytes = (int32_t)ser->len;
    if (ser->len <= DV_INLINE_MAX) {
        uint8_t padded[DV_INLINE_MAX + 4] = {0};
        memcpy(padded, ser->data, ser->len);
        size_t plen = (ser->len + 3) / 4 * 4;
        char z[DV_INLINE_MAX / 4 * 5 + 8];
        int rc = dlk_z85_encode(padded, plen, z, sizeof z);
        if (rc) return rc;
        desc->storage_type = 'i';
        desc->path_or_inline = dlk_arena_strdup(&d->arena, z);
        return desc->path_or_inline ? DLK_OK : dlk_err_nomem();
    }
    if (ser->len > UINT32_MAX / 2)
        return dlk_err_set(DLK_UNSUPPORTED, "deletion vector of %zu bytes", ser->len);
    int rc = DLK_OK;
    if (d->dvfile.len == 0) rc = dlk_buf_putc(&d->dvfile, 1); /* format version */
    size_t off = d->dvfile.len;
    uint8_t hdr[4], crc[4];
    put_be32(hdr, (uint32_t)ser->len);
    put_be32(crc, dlk_crc32(0, ser->data, ser->len));
    if (!rc) rc = dlk_buf_append(&d->dvfile, hdr, 4);
    if (!rc) rc = dlk_buf_append(&d->dvfile, ser->data, ser->len);
    if (!rc) rc = dlk_buf_append(&d->dvfile, crc, 4);
    if (rc) return rc;
    char z[24];
    if ((rc = dlk_z85_encode(d->dv_uuid, 16, z, sizeof z))) return rc;
    desc->storage_type = 'u';
    desc->path_or_inline = dlk_arena_strdup(&d->arena, z);
    desc->offset = (int64_t)off;
    desc->has_offset = true;
    return desc->path_or_inline ? DLK_OK : dlk_err_nomem();
}

static int write_dv_file(dlk_dml *d)
{
    if (!d->dvfile.len) return DLK_OK;
    char uuid[37];
    dlk_uuid_format(d->dv_uuid, uuid);
    dlk_buf p = {0};
    int rc = dlk_buf_printf(&p, "deletion_vector_%s.bin", uuid);
    if (!rc && !d->store) rc = dlk_storage_open(d->root, &d->store);
    /* if absent: a new UUID's file never replaces anything; the storage
     * makes it durable (fsync of file and folder on local storage) */
    if (!rc)
        rc = dlk_storage_put_if_absent(d->store, dlk_buf_cstr(&p), d->dvfile.data, d->dvfile.len);
    if (!rc) d->dv_key = dlk_buf_detach(&p);
    dlk_buf_free(&p);
    return rc;
}

/* Soft: the file again with old | hit as its DV. */
static int add_with_dv(dlk_dml *d, dlk_dml_file *f)
{
    int rc = DLK_OK;
    if (f->add->dv) {
        dlk_dv_bitmap *ob = NULL;
        if ((rc = dlk_dv_load(dlk_table_storage(d->table), f->add->dv, &ob)))
            return dlk_err_context(rc, "%s", f->fi->path);
        rc = dlk_dv_union(f->hit, ob);
        dlk_dv_free(ob);
        if (rc) return rc;
    }
    dlk_buf ser = {0};
    dlk_dv *desc = dlk_arena_calloc(&d->arena, sizeof *desc);
    if (!desc) return dlk_err_nomem();
    rc = dlk_dv_serialize(f->hit, &ser);
    if (!rc) rc = store_dv(d, &ser, dlk_dv_cardinality(f->hit), desc);
    dlk_buf_free(&ser);
    if (rc) return rc;
    dlk_action act = {.kind = DLK_ACTION_ADD};
    act.u.add = *f->add;
    act.u.add.dv = desc;
    act.u.add.data_change = true;
    if (f->add->stats) { /* bounds of the live rows are no longer tight */
        json_t *s = json_loads(f->add->stats, 0, NULL);
        if (s && json_is_object(s)) {
            json_object_set_new(s, "tightBounds", json_false());
            char *t = json_dumps(s, JSON_COMPACT);
            if (t) act.u.add.stats = dlk_arena_strdup(&d->arena, t);
            free(t);
        }
        json_decref(s);
    }
    if ((rc = dlk_log_action_to_json(&act, &d->add_lines))) return rc;
    d->dvs_written++;
    return DLK_OK;
}

typedef struct {
    dlk_dml *d;
    dlk_map *rewrite; /* raw path -> dlk_dml_file* */
} rewrite_ctx;

static int rewrite_filter(void *ctx, const dlk_file_info *f, bool *keep)
{
    rewrite_ctx *c = ctx;
    *keep = dlk_map_get_str(c->rewrite, f->raw_path) != NULL;
    return DLK_OK;
}

/* Hard: copy the live rows of the files in `rewrite` minus their hits into
 * new files of the same partitions. */
static int rewrite_files(dlk_dml *d, dlk_map *rewrite)
{
    dlk_ops__files *w;
    int rc = dlk_ops__dml_writer(d, &w);
    if (rc) return rc;
    int64_t *didx = NULL;
    size_t nd = 0;
    if ((rc = dlk_ops__dml_data_columns(d, &didx, &nd))) return rc;
    rewrite_ctx c = {d, rewrite};
    dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
    o.file_filter = rewrite_filter;
    o.filter_ctx = &c;
    o.row_index_column = ROW_INDEX_COL;
    dlk_read__scan *s = NULL;
    struct ArrowSchema schema = {0};
    const char **vals = dlk_calloc(d->st.n_part + 1, sizeof *vals);
    struct ArrowArray **kids = dlk_calloc(nd + 1, sizeof *kids);
    if (!vals || !kids) rc = dlk_err_nomem();
    if (!rc) rc = dlk_read__scan_open(d->snap, &o, &s);
    if (rc) {
        dlk_free(didx);
        dlk_free(vals);
        dlk_free(kids);
        return rc;
    }
    rc = dlk_arrow_schema_copy(dlk_read__scan_schema(s), &schema);
    int64_t ix_col = schema.n_children - 1;
    while (!rc) {
        struct ArrowArray b;
        if ((rc = dlk_read__scan_next(s, &b)) || !b.release) break;
        const dlk_file_info *fi = dlk_read__scan_file(s);
        dlk_dml_file *f = fi ? dlk_map_get_str(rewrite, fi->raw_path) : NULL;
        if (!f) {
            dlk_arrow_array_release(&b);
            rc = dlk_err_set(DLK_ERROR, "rewrite: batch of an unexpected file");
            break;
        }
        const int64_t *ix =
            (const int64_t *)b.children[ix_col]->buffers[1] + b.children[ix_col]->offset;
        int64_t *sel = dlk_malloc((size_t)(b.length ? b.length : 1) * sizeof *sel);
        int64_t m = 0;
        if (!sel) rc = dlk_err_nomem();
        for (int64_t i = 0; !rc && i < b.length; i++)
            if (!dlk_dv_contains(f->hit, (uint64_t)ix[i])) sel[m++] = i;
        struct ArrowArray kept = {0}, view = {0};
        if (!rc && m) rc = dlk_expr_take(&schema, &b, sel, m, &kept);
        if (!rc && m) {
            for (size_t k = 0; k < nd; k++)
                kids[k] = kept.children[didx[k]];
            rc = dlk_ops__dml_view(m, kids, nd, &view);
            dlk_ops__dml_part_values(d, fi, vals);
            if (!rc) rc = dlk_ops__files_write(w, &view, vals);
            dlk_arrow_array_release(&view);
        }
        dlk_arrow_array_release(&kept);
        dlk_free(sel);
        dlk_arrow_array_release(&b);
    }
    dlk_read__scan_free(&s);
    dlk_arrow_schema_release(&schema);
    dlk_free(didx);
    dlk_free(vals);
    dlk_free(kids);
    return rc;
}

int dlk_ops__dml_apply(dlk_dml *d)
{
    dlk_map rewrite = {0};
    int rc = DLK_OK;
    for (size_t i = 0; i < d->order.len && !rc; i++) {
        dlk_dml_file *f = dlk_vec_at(&d->order, dlk_dml_file *, i);
        int64_t total = 0;
        if ((rc = file_rows(d, f, &total))) break;
        int64_t live = total - f->fi->deleted_rows;
        int64_t hits = (int64_t)dlk_dv_cardinality(f->hit);
        if (!f->whole && hits == 0) continue;
        if ((rc = remove_action(d, f))) break;
        if (f->whole || hits >= live) {
            d->files_removed++;
            d->rows_deleted += live;
        } else if (d->soft) {
            d->rows_deleted += hits;
            rc = add_with_dv(d, f);
        } else {
            d->rows_deleted += hits;
            d->files_rewritten++;
            rc = dlk_map_put_str(&rewrite, f->fi->raw_path, f);
        }
    }
    if (!rc && rewrite.count) rc = rewrite_files(d, &rewrite);
    if (!rc) rc = write_dv_file(d);
    dlk_map_free(&rewrite);
    return rc;
}

/* ---- commit ----------------------------------------------------------------- */

int dlk_ops__dml_commit(dlk_dml *d, const char *operation, json_t *params, json_t *metrics,
                        int max_attempts, int64_t *version, int *attempts)
{
    dlk_buf new_adds = {0};
    int rc = DLK_OK;
    if (d->w && (rc = dlk_ops__files_finish(d->w, true, &new_adds, &d->files_added,
                                            &d->rows_written, NULL))) {
        dlk_buf_free(&new_adds);
        return rc;
    }
    dlk_core__metric(metrics, "numAddedFiles", d->files_added);
    dlk_core__metric(metrics, "numRemovedFiles", d->files_removed + d->files_rewritten);
    dlk_core__metric(metrics, "numDeletionVectorsAdded", d->dvs_written);
    dlk_core__metric(metrics, "numDeletionVectorsRemoved", d->dvs_removed);
    dlk_buf c = {0};
    dlk_metadata_action md_s, *md = NULL;
    if (d->upgrade) {
        /* enable_dv: the deletionVectors feature and property in this commit */
        rc = dlk_log_metadata_derive(&d->arena, d->st.metadata, NULL, NULL, 0, &md_s);
        if (!rc)
            rc = dlk_log_kvs_set(&d->arena, &md_s.configuration, "delta.enableDeletionVectors",
                                 "true");
        md = &md_s;
    }
    /* removes before the re-adds of the same paths */
    if (!rc) rc = dlk_buf_append(&c, d->rm_lines.data, d->rm_lines.len);
    if (!rc) rc = dlk_buf_append(&c, d->add_lines.data, d->add_lines.len);
    if (!rc) rc = dlk_buf_append(&c, new_adds.data, new_adds.len);
    dlk_buf_free(&new_adds);
    if (rc) {
        dlk_buf_free(&c);
        return rc;
    }
    static const char *const dv_feature[] = {"deletionVectors"};
    dlk_commit_req req = {0};
    req.root = d->root;
    req.read_version = d->st.version;
    req.state = &d->st;
    req.operation = operation;
    req.params = params;
    req.metrics = metrics;
    req.features = dv_feature;
    req.n_features = d->upgrade ? 1 : 0;
    req.metadata = md;
    req.body = (const char *)c.data;
    req.body_len = c.len;
    req.intent.read_match = read_match;
    req.intent.read_ctx = d;
    req.intent.removes = &d->removed_paths;
    req.max_attempts = max_attempts;
    dlk_commit_res res;
    rc = dlk_core__commit(&req, &res);
    dlk_buf_free(&c);
    if (rc) return rc;
    *version = res.version;
    *attempts = res.attempts;
    return DLK_OK;
}

static int scope_filter(void *ctx, const dlk_file_info *f, bool *keep)
{
    dlk_dml_scope *c = ctx;
    *keep = dlk_ops__dml_in_scope(c->d, f);
    if (*keep && c->w) {
        int rc = dlk_where_file_might_match(c->w, f, keep);
        if (rc) return rc;
    }
    return *keep ? dlk_ops__dml_note_read(c->d, f) : DLK_OK;
}

static int scope_row_group(void *ctx, const dlk_file_info *f, const dlk_scan_row_group *rg,
                           bool *keep)
{
    dlk_dml_scope *c = ctx;
    return dlk_where_row_group_might_match(c->w, f, rg, keep);
}

static int scope_rows(void *ctx, const struct ArrowSchema *schema, const struct ArrowArray *batch,
                      uint8_t *keep)
{
    dlk_dml_scope *c = ctx;
    return dlk_where_filter_rows(c->w, schema, batch, keep);
}

void dlk_ops__dml_scope_apply(dlk_dml_scope *sc, dlk_scan_options *o)
{
    o->file_filter = scope_filter;
    o->row_filter = sc->w ? scope_rows : NULL;
    o->row_group_filter = sc->w ? scope_row_group : NULL;
    o->filter_ctx = sc;
}

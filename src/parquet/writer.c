/*
 * parquet/writer.c - the Parquet file writer: options, batches sliced into
 * row groups, row group and footer (FileMetaData) serialization, the
 * statistics handed back to the caller, and the file / buffer sinks.
 */
#include "parquet/writer.h"
#include "arrow/arrow.h"
#include "deltalake/version.h"
#include "parquet/codec.h"
#include "parquet/thrift_write.h"
#include "parquet/writer_int.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SLICE_ROWS 1024

static int check_options(dlk_pq_writer_options *o)
{
    if (o->version != 1)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: options version %d unknown",
                           o->version);
    switch (o->codec) {
    case DLK_PQ_UNCOMPRESSED:
    case DLK_PQ_SNAPPY:
    case DLK_PQ_GZIP:
    case DLK_PQ_BROTLI:
    case DLK_PQ_ZSTD:
    case DLK_PQ_LZ4_RAW:
        break;
    case DLK_PQ_LZ4:
        return dlk_err_set(DLK_INVALID_ARGUMENT,
                           "parquet writer: codec LZ4 (Hadoop framing) is deprecated; use LZ4_RAW");
    default:
        return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: codec %d not supported for writing",
                           o->codec);
    }
    if (o->row_group_bytes == 0) o->row_group_bytes = (size_t)128 << 20;
    if (o->page_bytes == 0) o->page_bytes = (size_t)1 << 20;
    if (o->dictionary_max_bytes == 0) o->dictionary_max_bytes = (size_t)1 << 20;
    if (o->data_page_version == 0) o->data_page_version = 1;
    if (o->data_page_version != 1 && o->data_page_version != 2)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: data page version %d unknown",
                           o->data_page_version);
    if (o->n_kv && (!o->kv_keys || !o->kv_values))
        return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: key-value metadata arrays missing");
    for (size_t i = 0; i < o->n_kv; i++)
        if (!o->kv_keys[i])
            return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: key-value key %zu is NULL", i);
    return DLK_OK;
}

static int sink_write(dlk_pq_writer *w, const void *p, size_t n)
{
    if (!n) return DLK_OK;
    int rc = w->sink.write(w->sink.ctx, p, n);
    if (rc) return rc;
    w->offset += n;
    return DLK_OK;
}

static void writer_free(dlk_pq_writer *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->ncols; i++) dlk_pq__wcol_free(&w->cols[i]);
    dlk_free(w->cols);
    dlk_arrow_schema_release(&w->schema);
    dlk_buf_free(&w->schema_thrift);
    dlk_buf_free(&w->row_groups);
    dlk_buf_free(&w->kv_thrift);
    dlk_buf_free(&w->scratch);
    dlk_buf_free(&w->scratch2);
    dlk_buf_free(&w->comp);
    dlk_buf_free(&w->header);
    dlk_free(w);
}

int dlk_pq_writer_open(const struct ArrowSchema *schema, const dlk_pq_writer_options *opts,
                       dlk_pq_sink sink, dlk_pq_writer **out)
{
    *out = NULL;
    if (!schema || !sink.write)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: schema and sink are required");
    dlk_pq_writer_options def = DLK_PQ_WRITER_OPTIONS_INIT;
    dlk_pq_writer *w = dlk_calloc(1, sizeof *w);
    if (!w) return dlk_err_nomem();
    w->opts = opts ? *opts : def;
    w->sink = sink;
    int rc = check_options(&w->opts);
    if (rc) goto fail;
    rc = dlk_arrow_schema_copy(schema, &w->schema);
    if (rc) goto fail;
    rc = dlk_pq__wschema_build(w, schema);
    if (rc) goto fail;
    /* key-value metadata, serialized now so the caller's strings need not live on */
    if (w->opts.n_kv) {
        dlk_pq_tw t;
        dlk_pq__tw_init(&t, &w->kv_thrift);
        for (size_t i = 0; i < w->opts.n_kv; i++) {
            dlk_pq__tw_elem_struct_begin(&t);
            dlk_pq__tw_string(&t, 1, w->opts.kv_keys[i]);
            if (w->opts.kv_values[i]) dlk_pq__tw_string(&t, 2, w->opts.kv_values[i]);
            dlk_pq__tw_struct_end(&t);
        }
        if (t.err) {
            rc = dlk_err_nomem();
            goto fail;
        }
    }
    w->opts.kv_keys = w->opts.kv_values = NULL;
    rc = sink_write(w, "PAR1", 4);
    if (rc) goto fail;
    *out = w;
    return DLK_OK;
fail:
    writer_free(w);
    return rc;
}

static size_t rg_bytes(const dlk_pq_writer *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->ncols; i++) n += dlk_pq__wcol_rg_bytes(&w->cols[i]);
    return n;
}

int dlk_pq_writer_flush_row_group(dlk_pq_writer *w)
{
    if (w->err) return w->err;
    if (w->rg_rows == 0) return DLK_OK;
    uint64_t start = w->offset;
    int64_t tot_unc = 0, tot_comp = 0;
    dlk_buf cols = {0};
    int rc = DLK_OK;
    for (size_t i = 0; i < w->ncols && !rc; i++) {
        int64_t u = 0, c = 0;
        rc = dlk_pq__wcol_finish_chunk(w, &w->cols[i], &cols, &u, &c);
        tot_unc += u;
        tot_comp += c;
    }
    if (!rc) {
        dlk_pq_tw t;
        dlk_pq__tw_init(&t, &w->row_groups);
        dlk_pq__tw_elem_struct_begin(&t);
        dlk_pq__tw_list_begin(&t, 1, DLK_TC_STRUCT, w->ncols);
        dlk_pq__tw_raw(&t, cols.data, cols.len);
        dlk_pq__tw_i64(&t, 2, tot_unc);
        dlk_pq__tw_i64(&t, 3, w->rg_rows);
        dlk_pq__tw_i64(&t, 5, (int64_t)start);
        dlk_pq__tw_i64(&t, 6, tot_comp);
        dlk_pq__tw_i16(&t, 7, (int16_t)w->n_row_groups);
        dlk_pq__tw_struct_end(&t);
        if (t.err) rc = dlk_err_nomem();
    }
    dlk_buf_free(&cols);
    if (rc) {
        w->err = rc;
        return rc;
    }
    w->n_row_groups++;
    w->rg_rows = 0;
    /* give the page-sized scratch buffers back: many writers may be open at
     * once (one per partition) and each is idle until its next row group */
    dlk_buf_free(&w->scratch);
    dlk_buf_free(&w->scratch2);
    dlk_buf_free(&w->comp);
    dlk_buf_free(&w->header);
    return DLK_OK;
}

int dlk_pq_writer_write(dlk_pq_writer *w, const struct ArrowArray *batch)
{
    if (w->err) return w->err;
    if (!batch || !batch->release || batch->n_children != w->schema.n_children ||
        batch->length < 0 || batch->offset < 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT,
                           "parquet writer: batch does not match the schema (%lld columns, want %lld)",
                           batch ? (long long)batch->n_children : -1LL,
                           (long long)w->schema.n_children);
    for (int64_t i = 0; i < batch->n_children; i++) {
        if (!batch->children[i] || batch->children[i]->length < batch->offset + batch->length)
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "parquet writer: batch column %lld is shorter than the batch",
                               (long long)i);
    }
    int rc = DLK_OK;
    for (int64_t r = 0; r < batch->length && !rc; r += SLICE_ROWS) {
        int64_t n = batch->length - r < SLICE_ROWS ? batch->length - r : SLICE_ROWS;
        int64_t r0 = batch->offset + r;
        for (size_t i = 0; i < w->ncols && !rc; i++) {
            pq_col *c = &w->cols[i];
            rc = dlk_pq__wcol_write(w, c, batch->children[c->top], r0, r0 + n);
        }
        if (rc) break;
        w->rg_rows += n;
        w->num_rows += n;
        if (rg_bytes(w) >= w->opts.row_group_bytes) rc = dlk_pq_writer_flush_row_group(w);
    }
    if (rc) w->err = rc;
    return rc;
}

uint64_t dlk_pq_writer_estimated_size(const dlk_pq_writer *w)
{
    uint64_t n = w->offset;
    for (size_t i = 0; i < w->ncols; i++) n += w->cols[i].pages.len + w->cols[i].dict.plain.len;
    return n;
}

int64_t dlk_pq_writer_num_rows(const dlk_pq_writer *w) { return w->num_rows; }

size_t dlk_pq_writer_buffered_bytes(const dlk_pq_writer *w)
{
    size_t n = w->scratch.cap + w->scratch2.cap + w->comp.cap + w->header.cap;
    for (size_t i = 0; i < w->ncols; i++)
        n += dlk_pq__wcol_mem_bytes(&w->cols[i]);
    return n;
}

static int write_footer(dlk_pq_writer *w)
{
    dlk_buf f = {0};
    dlk_pq_tw t;
    dlk_pq__tw_init(&t, &f);
    dlk_pq__tw_i32(&t, 1, 1);
    dlk_pq__tw_list_begin(&t, 2, DLK_TC_STRUCT, (size_t)w->n_schema_elems);
    dlk_pq__tw_raw(&t, w->schema_thrift.data, w->schema_thrift.len);
    dlk_pq__tw_i64(&t, 3, w->num_rows);
    dlk_pq__tw_list_begin(&t, 4, DLK_TC_STRUCT, (size_t)w->n_row_groups);
    dlk_pq__tw_raw(&t, w->row_groups.data, w->row_groups.len);
    if (w->opts.n_kv) {
        dlk_pq__tw_list_begin(&t, 5, DLK_TC_STRUCT, w->opts.n_kv);
        dlk_pq__tw_raw(&t, w->kv_thrift.data, w->kv_thrift.len);
    }
    char created[128];
#ifdef DLK_BUILD_ID
    snprintf(created, sizeof created, "deltalake-connector version %s (build %s)", dlk_version(),
             DLK_BUILD_ID);
#else
    snprintf(created, sizeof created, "deltalake-connector version %s", dlk_version());
#endif
    dlk_pq__tw_string(&t, 6, created);
    dlk_pq__tw_list_begin(&t, 7, DLK_TC_STRUCT, w->ncols);
    for (size_t i = 0; i < w->ncols; i++) {
        dlk_pq__tw_elem_struct_begin(&t);
        dlk_pq__tw_empty_struct(&t, 1); /* TYPE_ORDER */
        dlk_pq__tw_struct_end(&t);
    }
    int rc = dlk_pq__tw_finish(&t);
    if (!rc && f.len > UINT32_MAX) rc = dlk_err_set(DLK_INVALID_ARGUMENT, "parquet footer too large");
    if (!rc) rc = sink_write(w, f.data, f.len);
    if (!rc) {
        uint8_t tail[8] = {(uint8_t)f.len, (uint8_t)(f.len >> 8), (uint8_t)(f.len >> 16),
                           (uint8_t)(f.len >> 24), 'P', 'A', 'R', '1'};
        rc = sink_write(w, tail, 8);
    }
    dlk_buf_free(&f);
    return rc;
}

static int value_out(const pq_col *c, const pq_stats *s, bool max, dlk_pq_value *v)
{
    switch (c->kind) {
    case LK_BOOL:
        v->kind = DLK_PQ_VALUE_BOOL;
        v->b = (max ? s->imax : s->imin) != 0;
        return DLK_OK;
    case LK_U8:
    case LK_U16:
    case LK_U32:
    case LK_U64:
        v->kind = DLK_PQ_VALUE_UINT;
        v->u = max ? s->umax : s->umin;
        return DLK_OK;
    case LK_F16:
    case LK_F32:
    case LK_F64:
        v->kind = DLK_PQ_VALUE_DOUBLE;
        v->d = max ? s->dmax : s->dmin;
        if (v->d == 0) v->d = max ? 0.0 : -0.0;
        return DLK_OK;
    case LK_STRING:
    case LK_BINARY:
    case LK_FIXED: {
        const dlk_buf *b = max ? &s->bmax : &s->bmin;
        v->kind = DLK_PQ_VALUE_BYTES;
        v->bytes = dlk_malloc(b->len + 1);
        if (!v->bytes) return dlk_err_nomem();
        if (b->len) memcpy(v->bytes, b->data, b->len);
        v->bytes[b->len] = 0;
        v->len = b->len;
        return DLK_OK;
    }
    case LK_DEC: {
        unsigned __int128 u = (unsigned __int128)(max ? s->qmax : s->qmin);
        v->kind = DLK_PQ_VALUE_DECIMAL;
        v->dec_hi = (int64_t)(uint64_t)(u >> 64);
        v->dec_lo = (uint64_t)u;
        return DLK_OK;
    }
    default:
        v->kind = DLK_PQ_VALUE_INT;
        v->i = max ? s->imax : s->imin;
        return DLK_OK;
    }
}

static int make_result(dlk_pq_writer *w, dlk_pq_write_result **out)
{
    dlk_pq_write_result *r = dlk_calloc(1, sizeof *r);
    if (!r) return dlk_err_nomem();
    r->file_size = w->offset;
    r->num_rows = w->num_rows;
    r->num_row_groups = w->n_row_groups;
    r->columns = dlk_calloc(w->ncols ? w->ncols : 1, sizeof *r->columns);
    if (!r->columns) goto oom;
    r->n_columns = w->ncols;
    for (size_t i = 0; i < w->ncols; i++) {
        const pq_col *c = &w->cols[i];
        dlk_pq_column_result *cr = &r->columns[i];
        cr->path = dlk_strdup(c->path);
        cr->format = dlk_strdup(c->format);
        if (!cr->path || !cr->format) goto oom;
        cr->num_values = c->file.num_values;
        cr->null_count = c->file.null_count;
        cr->nan_count = c->file.nan_count;
        cr->has_min_max = c->file.has;
        cr->compressed_bytes = c->file_comp;
        cr->uncompressed_bytes = c->file_unc;
        cr->data_pages = c->file_pages;
        cr->dict_encoded_pages = c->file_dict_pages;
        if (c->file.has &&
            (value_out(c, &c->file, false, &cr->min) || value_out(c, &c->file, true, &cr->max)))
            goto oom;
    }
    *out = r;
    return DLK_OK;
oom:
    dlk_pq_write_result_free(r);
    return dlk_err_nomem();
}

int dlk_pq_writer_close(dlk_pq_writer *w, dlk_pq_write_result **result)
{
    if (result) *result = NULL;
    if (!w) return dlk_err_set(DLK_INVALID_ARGUMENT, "parquet writer: NULL writer");
    int rc = w->err;
    if (!rc) rc = dlk_pq_writer_flush_row_group(w);
    if (!rc) rc = write_footer(w);
    if (!rc && result) rc = make_result(w, result);
    writer_free(w);
    return rc;
}

void dlk_pq_writer_abort(dlk_pq_writer *w) { writer_free(w); }

void dlk_pq_write_result_free(dlk_pq_write_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_columns; i++) {
        dlk_free(r->columns[i].path);
        dlk_free(r->columns[i].format);
        dlk_free(r->columns[i].min.bytes);
        dlk_free(r->columns[i].max.bytes);
    }
    dlk_free(r->columns);
    dlk_free(r);
}

/* ---- sinks ---- */

static int buf_write(void *ctx, const void *p, size_t n)
{
    return dlk_buf_append(ctx, p, n) ? dlk_err_nomem() : DLK_OK;
}

dlk_pq_sink dlk_pq_sink_buf(dlk_buf *b)
{
    dlk_pq_sink s = {buf_write, b};
    return s;
}

/*
 * parquet/meta.c - parsing of FileMetaData, SchemaElement, RowGroup,
 * ColumnChunk, Statistics and PageHeader from the Thrift compact protocol
 * (field ids of parquet.thrift). Unknown fields are skipped.
 */
#include "parquet/meta.h"
#include "parquet/thrift_read.h"
#include "parquet/thrift_write.h"
#include "util/error.h"

#include <string.h>


static const char *tr_string(dlk_tr *t, int ft, dlk_arena *a)
{
    if (ft != DLK_TC_BINARY) {
        dlk_pq__tr_skip(t, ft);
        return NULL;
    }
    size_t n;
    const uint8_t *p = dlk_pq__tr_binary(t, &n);
    if (t->err) return NULL;
    char *s = dlk_arena_strndup(a, (const char *)p, n);
    if (!s) dlk_pq__tr_fail(t, "out of memory");
    return s;
}

static dlk_pq_bytes tr_bytes(dlk_tr *t, int ft, dlk_arena *a)
{
    dlk_pq_bytes b = {NULL, 0};
    if (ft != DLK_TC_BINARY) {
        dlk_pq__tr_skip(t, ft);
        return b;
    }
    size_t n;
    const uint8_t *p = dlk_pq__tr_binary(t, &n);
    if (t->err) return b;
    uint8_t *c = dlk_arena_alloc(a, n ? n : 1);
    if (!c) {
        dlk_pq__tr_fail(t, "out of memory");
        return b;
    }
    if (n) memcpy(c, p, n);
    b.p = c;
    b.n = n;
    return b;
}

/* Iterate the fields of a nested struct. */
static bool next_field(dlk_tr *t, int16_t *id, int *ft) { return dlk_pq__tr_field(t, id, ft); }

static void parse_stats(dlk_tr *t, dlk_arena *a, dlk_pq_statistics *s)
{
    memset(s, 0, sizeof *s);
    s->null_count = s->distinct_count = -1;
    s->present = true;
    int16_t id;
    int ft;
    if (!dlk_pq__tr_struct_begin(t)) return;
    while (next_field(t, &id, &ft)) {
        switch (id) {
        case 1: s->max = tr_bytes(t, ft, a); break;
        case 2: s->min = tr_bytes(t, ft, a); break;
        case 3: s->null_count = dlk_pq__tr_i64(t, ft); break;
        case 4: s->distinct_count = dlk_pq__tr_i64(t, ft); break;
        case 5: s->max_value = tr_bytes(t, ft, a); break;
        case 6: s->min_value = tr_bytes(t, ft, a); break;
        default: dlk_pq__tr_skip(t, ft);
        }
    }
    dlk_pq__tr_struct_end(t);
}

/* A union: returns the id of the member present, with its struct parsed by cb. */
static void parse_time_unit(dlk_tr *t, int *unit)
{
    int16_t id;
    int ft;
    if (!dlk_pq__tr_struct_begin(t)) return;
    while (next_field(t, &id, &ft)) {
        if (id >= 1 && id <= 3) *unit = id;
        dlk_pq__tr_skip(t, ft);
    }
    dlk_pq__tr_struct_end(t);
}

static void parse_logical(dlk_tr *t, dlk_pq_logical_type *lt)
{
    int16_t id;
    int ft;
    memset(lt, 0, sizeof *lt);
    if (!dlk_pq__tr_struct_begin(t)) return;
    while (next_field(t, &id, &ft)) {
        if (ft != DLK_TC_STRUCT) {
            dlk_pq__tr_skip(t, ft);
            continue;
        }
        lt->kind = id;
        int16_t sid;
        int sft;
        if (!dlk_pq__tr_struct_begin(t)) break;
        while (next_field(t, &sid, &sft)) {
            if (id == DLK_PQ_LT_DECIMAL && sid == 1) lt->scale = dlk_pq__tr_i32(t, sft);
            else if (id == DLK_PQ_LT_DECIMAL && sid == 2) lt->precision = dlk_pq__tr_i32(t, sft);
            else if ((id == DLK_PQ_LT_TIME || id == DLK_PQ_LT_TIMESTAMP) && sid == 1)
                lt->utc = dlk_pq__tr_bool(t, sft);
            else if ((id == DLK_PQ_LT_TIME || id == DLK_PQ_LT_TIMESTAMP) && sid == 2 &&
                     sft == DLK_TC_STRUCT)
                parse_time_unit(t, &lt->unit);
            else if (id == DLK_PQ_LT_INTEGER && sid == 1) lt->bit_width = dlk_pq__tr_i32(t, sft);
            else if (id == DLK_PQ_LT_INTEGER && sid == 2) lt->is_signed = dlk_pq__tr_bool(t, sft);
            else dlk_pq__tr_skip(t, sft);
        }
        dlk_pq__tr_struct_end(t);
    }
    dlk_pq__tr_struct_end(t);
}

static void parse_schema_element(dlk_tr *t, dlk_arena *a, dlk_pq_schema_element *e)
{
    memset(e, 0, sizeof *e);
    e->type = e->type_length = e->repetition = e->num_children = e->converted = -1;
    e->scale = e->precision = e->field_id = -1;
    e->name = "";
    int16_t id;
    int ft;
    if (!dlk_pq__tr_struct_begin(t)) return;
    while (next_field(t, &id, &ft)) {
        switch (id) {
        case 1: e->type = dlk_pq__tr_i32(t, ft); break;
        case 2: e->type_length = dlk_pq__tr_i32(t, ft); break;
        case 3: e->repetition = dlk_pq__tr_i32(t, ft); break;
        case 4: { const char *s = tr_string(t, ft, a); if (s) e->name = s; } break;
        case 5: e->num_children = dlk_pq__tr_i32(t, ft); break;
        case 6: e->converted = dlk_pq__tr_i32(t, ft); break;
        case 7: e->scale = dlk_pq__tr_i32(t, ft); break;
        case 8: e->precision = dlk_pq__tr_i32(t, ft); break;
        case 9: e->field_id = dlk_pq__tr_i32(t, ft); break;
        case 10:
            if (ft == DLK_TC_STRUCT) parse_logical(t, &e->logical);
            else dlk_pq__tr_skip(t, ft);
            break;
        default: dlk_pq__tr_skip(t, ft);
        }
    }
    dlk_pq__tr_struct_end(t);
}

static void *tr_array(dlk_tr *t, dlk_arena *a, int64_t n, size_t elem)
{
    if (t->err) return NULL;
    void *p = dlk_arena_calloc(a, (size_t)(n ? n : 1) * elem);
    if (!p) dlk_pq__tr_fail(t, "out of memory");
    return p;
}

static void parse_column_meta(dlk_tr *t, dlk_arena *a, dlk_pq_column_meta *m)
{
    memset(m, 0, sizeof *m);
    m->type = m->codec = -1;
    m->index_page_offset = m->dictionary_page_offset = m->bloom_filter_offset = -1;
    m->data_page_offset = -1;
    m->stats.null_count = m->stats.distinct_count = -1;
    int16_t id;
    int ft, et;
    if (!dlk_pq__tr_struct_begin(t)) return;
    while (next_field(t, &id, &ft)) {
        switch (id) {
        case 1: m->type = dlk_pq__tr_i32(t, ft); break;
        case 2:
            if (ft != DLK_TC_LIST) { dlk_pq__tr_skip(t, ft); break; }
            {
                int64_t n = dlk_pq__tr_list(t, &et);
                m->encodings = tr_array(t, a, n, sizeof(int32_t));
                for (int64_t i = 0; i < n && !t->err; i++) m->encodings[i] = dlk_pq__tr_i32(t, et);
                m->n_encodings = (int)n;
            }
            break;
        case 3:
            if (ft != DLK_TC_LIST) { dlk_pq__tr_skip(t, ft); break; }
            {
                int64_t n = dlk_pq__tr_list(t, &et);
                m->path = tr_array(t, a, n, sizeof(char *));
                for (int64_t i = 0; i < n && !t->err; i++) {
                    m->path[i] = tr_string(t, et, a);
                    if (!m->path[i]) m->path[i] = "";
                }
                m->path_len = (int)n;
            }
            break;
        case 4: m->codec = dlk_pq__tr_i32(t, ft); break;
        case 5: m->num_values = dlk_pq__tr_i64(t, ft); break;
        case 6: m->total_uncompressed_size = dlk_pq__tr_i64(t, ft); break;
        case 7: m->total_compressed_size = dlk_pq__tr_i64(t, ft); break;
        case 9: m->data_page_offset = dlk_pq__tr_i64(t, ft); break;
        case 10: m->index_page_offset = dlk_pq__tr_i64(t, ft); break;
        case 11: m->dictionary_page_offset = dlk_pq__tr_i64(t, ft); break;
        case 12:
            if (ft == DLK_TC_STRUCT) parse_stats(t, a, &m->stats);
            else dlk_pq__tr_skip(t, ft);
            break;
        case 14: m->bloom_filter_offset = dlk_pq__tr_i64(t, ft); break;
        default: dlk_pq__tr_skip(t, ft);
        }
    }
    dlk_pq__tr_struct_end(t);
}

static void parse_column_chunk(dlk_tr *t, dlk_arena *a, dlk_pq_column_chunk *c)
{
    memset(c, 0, sizeof *c);
    int16_t id;
    int ft;
    if (!dlk_pq__tr_struct_begin(t)) return;
    while (next_field(t, &id, &ft)) {
        switch (id) {
        case 1: c->file_path = tr_string(t, ft, a); break;
        case 2: c->file_offset = dlk_pq__tr_i64(t, ft); break;
        case 3:
            if (ft == DLK_TC_STRUCT) {
                parse_column_meta(t, a, &c->meta);
                c->has_meta = true;
            } else
                dlk_pq__tr_skip(t, ft);
            break;
        case 8:
        case 9:
            c->encrypted = true;
            dlk_pq__tr_skip(t, ft);
            break;
        default: dlk_pq__tr_skip(t, ft);
        }
    }
    dlk_pq__tr_struct_end(t);
}

static void parse_row_group(dlk_tr *t, dlk_arena *a, dlk_pq_row_group *g)
{
    memset(g, 0, sizeof *g);
    g->file_offset = g->total_compressed_size = -1;
    int16_t id;
    int ft, et;
    if (!dlk_pq__tr_struct_begin(t)) return;
    while (next_field(t, &id, &ft)) {
        switch (id) {
        case 1:
            if (ft != DLK_TC_LIST) { dlk_pq__tr_skip(t, ft); break; }
            {
                int64_t n = dlk_pq__tr_list(t, &et);
                if (et != DLK_TC_STRUCT && n) { dlk_pq__tr_fail(t, "columns: not structs"); break; }
                g->columns = tr_array(t, a, n, sizeof *g->columns);
                for (int64_t i = 0; i < n && !t->err; i++) parse_column_chunk(t, a, &g->columns[i]);
                g->n_columns = (int)n;
            }
            break;
        case 2: g->total_byte_size = dlk_pq__tr_i64(t, ft); break;
        case 3: g->num_rows = dlk_pq__tr_i64(t, ft); break;
        case 5: g->file_offset = dlk_pq__tr_i64(t, ft); break;
        case 6: g->total_compressed_size = dlk_pq__tr_i64(t, ft); break;
        default: dlk_pq__tr_skip(t, ft);
        }
    }
    dlk_pq__tr_struct_end(t);
}

int dlk_pq__parse_file_meta(const uint8_t *buf, size_t n, size_t base, const char *name,
                            dlk_arena *a, dlk_pq_file_meta *m)
{
    dlk_tr tr, *t = &tr;
    dlk_pq__tr_init(t, buf, n, base, name);
    memset(m, 0, sizeof *m);
    int16_t id;
    int ft, et;
    while (next_field(t, &id, &ft)) {
        switch (id) {
        case 1: m->version = dlk_pq__tr_i32(t, ft); break;
        case 2:
            if (ft != DLK_TC_LIST) { dlk_pq__tr_skip(t, ft); break; }
            {
                int64_t cnt = dlk_pq__tr_list(t, &et);
                if (et != DLK_TC_STRUCT && cnt) { dlk_pq__tr_fail(t, "schema: not structs"); break; }
                m->schema = tr_array(t, a, cnt, sizeof *m->schema);
                for (int64_t i = 0; i < cnt && !t->err; i++) parse_schema_element(t, a, &m->schema[i]);
                m->n_schema = (int)cnt;
            }
            break;
        case 3: m->num_rows = dlk_pq__tr_i64(t, ft); break;
        case 4:
            if (ft != DLK_TC_LIST) { dlk_pq__tr_skip(t, ft); break; }
            {
                int64_t cnt = dlk_pq__tr_list(t, &et);
                if (et != DLK_TC_STRUCT && cnt) { dlk_pq__tr_fail(t, "row_groups: not structs"); break; }
                m->row_groups = tr_array(t, a, cnt, sizeof *m->row_groups);
                for (int64_t i = 0; i < cnt && !t->err; i++) parse_row_group(t, a, &m->row_groups[i]);
                m->n_row_groups = (int)cnt;
            }
            break;
        case 5:
            if (ft != DLK_TC_LIST) { dlk_pq__tr_skip(t, ft); break; }
            {
                int64_t cnt = dlk_pq__tr_list(t, &et);
                if (et != DLK_TC_STRUCT && cnt) { dlk_pq__tr_fail(t, "key_value_metadata"); break; }
                m->kv = tr_array(t, a, cnt, sizeof *m->kv);
                for (int64_t i = 0; i < cnt && !t->err; i++) {
                    int16_t kid;
                    int kft;
                    m->kv[i].key = "";
                    if (!dlk_pq__tr_struct_begin(t)) break;
                    while (next_field(t, &kid, &kft)) {
                        if (kid == 1) { const char *s = tr_string(t, kft, a); if (s) m->kv[i].key = s; }
                        else if (kid == 2) m->kv[i].value = tr_string(t, kft, a);
                        else dlk_pq__tr_skip(t, kft);
                    }
                    dlk_pq__tr_struct_end(t);
                }
                m->n_kv = (int)cnt;
            }
            break;
        case 6: m->created_by = tr_string(t, ft, a); break;
        case 8:
            m->encrypted = true;
            dlk_pq__tr_skip(t, ft);
            break;
        default: dlk_pq__tr_skip(t, ft);
        }
    }
    if (t->err) return t->err;
    if (m->n_schema < 1) return dlk_err_set(DLK_CORRUPT, "%s: offset %zu: footer has no schema", name, base);
    if (m->num_rows < 0) return dlk_err_set(DLK_CORRUPT, "%s: offset %zu: negative num_rows", name, base);
    return DLK_OK;
}

static void parse_data_header(dlk_tr *t, dlk_pq_page_header *h, int kind)
{
    int16_t id;
    int ft;
    h->has_data_header = true;
    if (!dlk_pq__tr_struct_begin(t)) return;
    while (next_field(t, &id, &ft)) {
        if (id == 1) h->num_values = dlk_pq__tr_i32(t, ft);
        else if (kind == 1 && id == 2) h->encoding = dlk_pq__tr_i32(t, ft);
        else if (kind == 1 && id == 3) h->def_encoding = dlk_pq__tr_i32(t, ft);
        else if (kind == 1 && id == 4) h->rep_encoding = dlk_pq__tr_i32(t, ft);
        else if (kind == 2 && id == 2) h->encoding = dlk_pq__tr_i32(t, ft);
        else if (kind == 3 && id == 2) h->num_nulls = dlk_pq__tr_i32(t, ft);
        else if (kind == 3 && id == 3) h->num_rows = dlk_pq__tr_i32(t, ft);
        else if (kind == 3 && id == 4) h->encoding = dlk_pq__tr_i32(t, ft);
        else if (kind == 3 && id == 5) h->def_len = dlk_pq__tr_i32(t, ft);
        else if (kind == 3 && id == 6) h->rep_len = dlk_pq__tr_i32(t, ft);
        else if (kind == 3 && id == 7) h->is_compressed = dlk_pq__tr_bool(t, ft);
        else dlk_pq__tr_skip(t, ft);
    }
    dlk_pq__tr_struct_end(t);
}

int dlk_pq__parse_page_header(const uint8_t *buf, size_t avail, size_t base, const char *name,
                              dlk_pq_page_header *h, size_t *hdr_len)
{
    dlk_tr tr, *t = &tr;
    dlk_pq__tr_init(t, buf, avail, base, name);
    memset(h, 0, sizeof *h);
    h->type = -1;
    h->uncompressed_size = h->compressed_size = -1;
    h->def_encoding = h->rep_encoding = DLK_PQ_RLE;
    h->is_compressed = true;
    int16_t id;
    int ft;
    while (next_field(t, &id, &ft)) {
        switch (id) {
        case 1: h->type = dlk_pq__tr_i32(t, ft); break;
        case 2: h->uncompressed_size = dlk_pq__tr_i32(t, ft); break;
        case 3: h->compressed_size = dlk_pq__tr_i32(t, ft); break;
        case 4:
            h->crc = (uint32_t)dlk_pq__tr_i32(t, ft);
            h->has_crc = true;
            break;
        case 5:
        case 7:
        case 8:
            if (ft == DLK_TC_STRUCT) parse_data_header(t, h, id == 5 ? 1 : id == 7 ? 2 : 3);
            else dlk_pq__tr_skip(t, ft);
            break;
        default: dlk_pq__tr_skip(t, ft);
        }
    }
    if (t->err) return t->err;
    if (h->type < 0 || h->uncompressed_size < 0 || h->compressed_size < 0)
        return dlk_err_set(DLK_CORRUPT, "%s: offset %zu: page header lacks type or sizes", name, base);
    *hdr_len = (size_t)(t->p - t->start);
    return DLK_OK;
}

const char *dlk_pq_type_name(int type)
{
    static const char *n[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
                              "FIXED_LEN_BYTE_ARRAY"};
    return type >= 0 && type < 8 ? n[type] : "UNKNOWN";
}

const char *dlk_pq_encoding_name(int e)
{
    static const char *n[] = {"PLAIN", "GROUP_VAR_INT", "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
                              "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
                              "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
    return e >= 0 && e < 10 ? n[e] : "UNKNOWN";
}

const char *dlk_pq_converted_name(int c)
{
    static const char *n[] = {"UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE",
                              "TIME_MILLIS", "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS",
                              "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16", "INT_32",
                              "INT_64", "JSON", "BSON", "INTERVAL"};
    return c >= 0 && c < 22 ? n[c] : "UNKNOWN";
}

/*
 * parquet/reader_meta.c - human/JSON rendering of a Parquet footer for
 * `deltalake parquet meta` and `parquet schema`.
 */
#include "deltalake/arrow_json.h"
#include "parquet/codec.h"
#include "parquet/reader_int.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/misc.h"
#include "util/alloc.h"
#include "util/time.h"

#include <inttypes.h>
#include <string.h>

static void jstr(dlk_buf *b, const char *s) { dlk_buf_json_str(b, s ? s : "", s ? strlen(s) : 0); }

static void stat_json(dlk_buf *b, const pq_leaf *l, const dlk_pq_col_stats *st, bool max)
{
    char tmp[64];
    switch (st->kind) {
    case DLK_PQ_STAT_BOOL: dlk_buf_puts(b, (max ? st->max_i : st->min_i) ? "true" : "false"); return;
    case DLK_PQ_STAT_INT: {
        int64_t v = max ? st->max_i : st->min_i;
        if (!strcmp(l->fmt, "tdD")) {
            size_t n = dlk_format_date((int32_t)v, tmp);
            dlk_buf_json_str(b, tmp, n);
        } else if (!strncmp(l->fmt, "tsu:", 4)) {
            size_t n = dlk_format_timestamp(v, l->fmt[4] != 0, tmp);
            dlk_buf_json_str(b, tmp, n);
        } else
            dlk_buf_printf(b, "%" PRId64, v);
        return;
    }
    case DLK_PQ_STAT_UINT: dlk_buf_printf(b, "%" PRIu64, max ? st->max_u : st->min_u); return;
    case DLK_PQ_STAT_DOUBLE: {
        double d = max ? st->max_d : st->min_d;
        struct ArrowSchema s = {.format = "g"};
        const void *bufs[2] = {NULL, &d};
        struct ArrowArray a = {.length = 1, .n_buffers = 2, .buffers = bufs};
        char *o = (char *)b->data;
        size_t len = b->len, cap = b->cap;
        dlk_arrow_json_value(&s, &a, 0, 0, &o, &len, &cap);
        b->data = (uint8_t *)o;
        b->len = len;
        b->cap = cap;
        return;
    }
    case DLK_PQ_STAT_DECIMAL: {
        uint8_t v[16];
        uint64_t lo = max ? st->max_u : st->min_u;
        int64_t hi = max ? st->max_i : st->min_i;
        memcpy(v, &lo, 8);
        memcpy(v + 8, &hi, 8);
        struct ArrowSchema s = {.format = l->fmt};
        const void *bufs[2] = {NULL, v};
        struct ArrowArray a = {.length = 1, .n_buffers = 2, .buffers = bufs};
        char *o = (char *)b->data;
        size_t len = b->len, cap = b->cap;
        dlk_arrow_json_value(&s, &a, 0, 0, &o, &len, &cap);
        b->data = (uint8_t *)o;
        b->len = len;
        b->cap = cap;
        return;
    }
    case DLK_PQ_STAT_BYTES: {
        const uint8_t *p = max ? st->max_b : st->min_b;
        size_t n = max ? st->max_b_len : st->min_b_len;
        if (l->fmt[0] == 'u') dlk_buf_json_str(b, (const char *)p, n);
        else {
            char *s;
            size_t sl;
            if (dlk_base64_encode(p, n, &s, &sl) == 0) {
                dlk_buf_json_str(b, s, sl);
                dlk_free(s);
            }
        }
        return;
    }
    default: dlk_buf_puts(b, "null");
    }
}

int dlk_pq_meta_json(const dlk_pq_file *f, char **out, size_t *olen, size_t *ocap)
{
    dlk_buf b = {(uint8_t *)*out, *olen, *ocap};
    const dlk_pq_file_meta *m = &f->meta;
    dlk_buf_printf(&b, "{\n  \"file\": ");
    jstr(&b, f->name);
    dlk_buf_printf(&b, ",\n  \"version\": %d,\n  \"created_by\": ", m->version);
    jstr(&b, m->created_by);
    dlk_buf_printf(&b, ",\n  \"num_rows\": %" PRId64 ",\n  \"num_row_groups\": %d,\n  \"key_value_metadata\": {", m->num_rows, m->n_row_groups);
    for (int i = 0; i < m->n_kv; i++) {
        dlk_buf_puts(&b, i ? ", " : "");
        jstr(&b, m->kv[i].key);
        dlk_buf_puts(&b, ": ");
        if (m->kv[i].value) {
            size_t vl = strlen(m->kv[i].value);
            if (vl > 200) {
                dlk_buf_json_str(&b, m->kv[i].value, 200);
                b.len--;
                dlk_buf_puts(&b, "...\"");
            } else
                jstr(&b, m->kv[i].value);
        } else
            dlk_buf_puts(&b, "null");
    }
    dlk_buf_puts(&b, "},\n  \"columns\": [");
    for (int i = 0; i < f->n_leaves; i++) {
        const pq_leaf *l = &f->leaves[i];
        dlk_buf_puts(&b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
        jstr(&b, l->path);
        dlk_buf_printf(&b, ", \"physical_type\": \"%s\", \"arrow_type\": ", dlk_pq_type_name(l->ptype));
        jstr(&b, l->fmt);
        dlk_buf_printf(&b, ", \"max_def\": %d, \"max_rep\": %d}", l->max_def, l->max_rep);
    }
    dlk_buf_puts(&b, "\n  ],\n  \"row_groups\": [");
    for (int g = 0; g < m->n_row_groups; g++) {
        const dlk_pq_row_group *rg = &m->row_groups[g];
        dlk_buf_printf(&b, "%s\n    {\"index\": %d, \"num_rows\": %" PRId64 ", \"total_byte_size\": %" PRId64 ", \"columns\": [",
                       g ? "," : "", g, rg->num_rows, rg->total_byte_size);
        for (int c = 0; c < rg->n_columns; c++) {
            const dlk_pq_column_meta *cm = &rg->columns[c].meta;
            const pq_leaf *l = &f->leaves[c];
            dlk_buf_puts(&b, c ? ",\n      {\"path\": " : "\n      {\"path\": ");
            jstr(&b, l->path);
            dlk_buf_printf(&b, ", \"codec\": \"%s\", \"encodings\": [", dlk_pq_codec_name(cm->codec));
            for (int e = 0; e < cm->n_encodings; e++)
                dlk_buf_printf(&b, "%s\"%s\"", e ? ", " : "", dlk_pq_encoding_name(cm->encodings[e]));
            dlk_buf_printf(&b, "], \"num_values\": %" PRId64 ", \"compressed_size\": %" PRId64 ", \"uncompressed_size\": %" PRId64
                               ", \"data_page_offset\": %" PRId64,
                           cm->num_values, cm->total_compressed_size, cm->total_uncompressed_size, cm->data_page_offset);
            if (cm->dictionary_page_offset >= 0) dlk_buf_printf(&b, ", \"dictionary_page_offset\": %" PRId64, cm->dictionary_page_offset);
            dlk_pq_col_stats st;
            if (dlk_pq_column_stats(f, g, l->path, &st) == 0 && cm->stats.present) {
                dlk_buf_puts(&b, ", \"stats\": {");
                bool any = false;
                if (st.null_count >= 0) {
                    dlk_buf_printf(&b, "\"null_count\": %" PRId64, st.null_count);
                    any = true;
                }
                if (cm->stats.distinct_count >= 0) {
                    dlk_buf_printf(&b, "%s\"distinct_count\": %" PRId64, any ? ", " : "", cm->stats.distinct_count);
                    any = true;
                }
                if (st.has_min_max) {
                    dlk_buf_puts(&b, any ? ", \"min\": " : "\"min\": ");
                    stat_json(&b, l, &st, false);
                    dlk_buf_puts(&b, ", \"max\": ");
                    stat_json(&b, l, &st, true);
                }
                dlk_buf_puts(&b, "}");
            }
            dlk_buf_puts(&b, "}");
        }
        dlk_buf_puts(&b, "\n    ]}");
    }
    int rc = dlk_buf_puts(&b, "\n  ]\n}\n");
    *out = (char *)b.data;
    *olen = b.len;
    *ocap = b.cap;
    return rc;
}

static void schema_el(dlk_buf *b, const dlk_pq_file *f, int *i, int depth)
{
    const dlk_pq_file_meta *m = &f->meta;
    if (*i >= m->n_schema || depth > 64) return;
    const dlk_pq_schema_element *e = &m->schema[*i];
    int idx = (*i)++;
    for (int k = 0; k < depth; k++) dlk_buf_puts(b, "  ");
    static const char *reps[] = {"required", "optional", "repeated"};
    bool group = e->type < 0 || (e->num_children > 0);
    if (idx == 0)
        dlk_buf_printf(b, "message %s", e->name);
    else {
        dlk_buf_printf(b, "%s ", e->repetition >= 0 && e->repetition < 3 ? reps[e->repetition] : "required");
        if (group) dlk_buf_puts(b, "group ");
        else if (e->type == DLK_PQ_FIXED_LEN_BYTE_ARRAY) dlk_buf_printf(b, "fixed_len_byte_array(%d) ", e->type_length);
        else {
            const char *tn = dlk_pq_type_name(e->type);
            for (const char *p = tn; *p; p++) dlk_buf_putc(b, *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
            dlk_buf_putc(b, ' ');
        }
        dlk_buf_puts(b, e->name);
    }
    const dlk_pq_logical_type *lt = &e->logical;
    static const char *ln[] = {"", "STRING", "MAP", "LIST", "ENUM", "DECIMAL", "DATE", "TIME", "TIMESTAMP", "", "INTEGER",
                               "UNKNOWN", "JSON", "BSON", "UUID", "FLOAT16", "VARIANT", "GEOMETRY", "GEOGRAPHY"};
    if (lt->kind > 0 && lt->kind <= 18) {
        dlk_buf_printf(b, " (%s", ln[lt->kind]);
        if (lt->kind == DLK_PQ_LT_DECIMAL) dlk_buf_printf(b, "(%d,%d)", lt->precision, lt->scale);
        if (lt->kind == DLK_PQ_LT_TIME || lt->kind == DLK_PQ_LT_TIMESTAMP)
            dlk_buf_printf(b, "(%s,%s)", lt->unit == 1 ? "MILLIS" : lt->unit == 3 ? "NANOS" : "MICROS", lt->utc ? "true" : "false");
        if (lt->kind == DLK_PQ_LT_INTEGER) dlk_buf_printf(b, "(%d,%s)", lt->bit_width, lt->is_signed ? "true" : "false");
        dlk_buf_puts(b, ")");
    } else if (e->converted >= 0) {
        dlk_buf_printf(b, " (%s", dlk_pq_converted_name(e->converted));
        if (e->converted == DLK_PQ_CT_DECIMAL) dlk_buf_printf(b, "(%d,%d)", e->precision, e->scale);
        dlk_buf_puts(b, ")");
    }
    if (e->field_id >= 0) dlk_buf_printf(b, " = %d", e->field_id);
    if (group || idx == 0) {
        dlk_buf_puts(b, " {\n");
        int nc = e->num_children < 0 ? 0 : e->num_children;
        for (int k = 0; k < nc; k++) schema_el(b, f, i, depth + 1);
        for (int k = 0; k < depth; k++) dlk_buf_puts(b, "  ");
        dlk_buf_puts(b, "}\n");
    } else
        dlk_buf_puts(b, ";\n");
}

int dlk_pq_schema_text(const dlk_pq_file *f, char **out, size_t *olen, size_t *ocap)
{
    dlk_buf b = {(uint8_t *)*out, *olen, *ocap};
    int i = 0;
    schema_el(&b, f, &i, 0);
    dlk_buf_puts(&b, "\nArrow:\n");
    for (int k = 0; k < f->root.n_kids; k++) {
        struct ArrowSchema s;
        (void)s;
    }
    for (int l = 0; l < f->n_leaves; l++)
        dlk_buf_printf(&b, "  %s: %s (def %d, rep %d)\n", f->leaves[l].path, f->leaves[l].fmt, f->leaves[l].max_def, f->leaves[l].max_rep);
    int rc = dlk_buf_puts(&b, "");
    *out = (char *)b.data;
    *olen = b.len;
    *ocap = b.cap;
    return rc;
}

/* dml/dml_upsert.c - MERGE by key (deltalake/dml.h): the input records are
 * converted by the table schema (ingest/records), keyed (typed key values;
 * partition key columns by their partition-value text), deduplicated;
 * target files that can hold an input key (partition values, min/max stats
 * of the first data key column) are scanned for matching rows, which are
 * deleted (deletion vectors or rewrite, dml/dml_common.c); every input row
 * is then written as new data (once per matched target row, at least once). */
#include "arrow/arrow.h"
#include "core/snapshot.h"
#include "deltalake/expr.h"
#include "deltalake/write.h"
#include "dml/dml_int.h"
#include "core/metrics.h"
#include "ingest/records.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include "util/time.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ROW_INDEX_COL "__dlk_dml_row_index"

typedef struct src_batch {
    struct ArrowArray a; /* data-schema batch */
    char **pvals;        /* n_part partition values (owned; NULL null) */
    int32_t *matches;    /* per row: target rows matched */
    uint8_t *dropped;    /* per row: superseded by a later row with the key (dedup) */
} src_batch;

typedef struct key_col {
    const char *name;
    int64_t data_idx; /* index in the data schema, -1 for a partition column */
    size_t part_idx;  /* partition column index when data_idx < 0 */
    const char *format;
} key_col;

typedef struct upsert {
    dlk_dml *d;
    const dlk_upsert_options *o;
    const struct ArrowSchema *data_schema;
    key_col *keys;
    size_t n_keys;
    src_batch *b;
    size_t nb, cap;
    dlk_map src;       /* key bytes -> (batch << 32 | row) + 1 */
    dlk_map src_parts; /* partition-key text of input rows -> 1 (partition key columns only) */
    /* pruning on the first data key column */
    int64_t prune_col; /* key index, -1: none */
    int prune_kind;    /* 1: integers (ints, date days, timestamp micros), 2: strings */
    int64_t *ivals;
    size_t n_ivals;
    char **svals;
    size_t n_svals;
    int64_t source_rows;
} upsert;

/* ---- keys ------------------------------------------------------------------ */

/* Append the typed value of row i (tag + fixed/length-prefixed bytes);
 * false when null. */
static bool value_put(dlk_buf *b, const char *f, const struct ArrowArray *a, int64_t i, int *rc)
{
    if (!dlk_arrow_is_valid(a, i)) return false;
    int64_t j = a->offset + i;
    int64_t iv = 0;
    const void *p = NULL;
    size_t n = 0;
    switch (f[0]) {
    case 'b':
        iv = dlk_bit_get(a->buffers[1], j);
        break;
    case 'c':
        iv = ((const int8_t *)a->buffers[1])[j];
        break;
    case 's':
        iv = ((const int16_t *)a->buffers[1])[j];
        break;
    case 'i':
        iv = ((const int32_t *)a->buffers[1])[j];
        break;
    case 'l':
        iv = ((const int64_t *)a->buffers[1])[j];
        break;
    case 'f': {
        double dv = ((const float *)a->buffers[1])[j];
        if (dv == 0) dv = 0;
        memcpy(&iv, &dv, 8);
        break;
    }
    case 'g': {
        double dv = ((const double *)a->buffers[1])[j];
        if (dv == 0) dv = 0;
        memcpy(&iv, &dv, 8);
        break;
    }
    case 't':
        if (f[1] == 'd' && f[2] == 'D')
            iv = ((const int32_t *)a->buffers[1])[j];
        else
            iv = ((const int64_t *)a->buffers[1])[j];
        break;
    case 'd':
        p = (const uint8_t *)a->buffers[1] + 16 * j, n = 16;
        break;
    case 'u':
    case 'z': {
        const int32_t *off = a->buffers[1];
        p = (const char *)a->buffers[2] + off[j];
        n = (size_t)(off[j + 1] - off[j]);
        break;
    }
    case 'w': {
        size_t w = (size_t)atoi(f + 2);
        p = (const uint8_t *)a->buffers[1] + w * (size_t)j, n = w;
        break;
    }
    default:
        *rc = dlk_err_set(DLK_ERROR, "key of format %s", f);
        return false;
    }
    if (!p) {
        *rc = dlk_buf_putc(b, 'v');
        if (!*rc) *rc = dlk_buf_append(b, &iv, 8);
    } else {
        uint32_t len = (uint32_t)n;
        *rc = dlk_buf_putc(b, 's');
        if (!*rc) *rc = dlk_buf_append(b, &len, 4);
        if (!*rc) *rc = dlk_buf_append(b, p, n);
    }
    return true;
}

/* Key of a row: data key columns from cols[k] (arrays per key, NULL for
 * partition keys), partition keys from pvals. false when any part is null. */
static bool key_of(const upsert *u, struct ArrowArray *const *cols, const char *const *pvals,
                   int64_t i, dlk_buf *b, int *rc)
{
    b->len = 0;
    *rc = DLK_OK;
    for (size_t k = 0; k < u->n_keys; k++) {
        const key_col *kc = &u->keys[k];
        if (kc->data_idx < 0) {
            const char *v = pvals[kc->part_idx];
            if (!v || !*v) return false;
            uint32_t len = (uint32_t)strlen(v);
            if ((*rc = dlk_buf_putc(b, 'p')) || (*rc = dlk_buf_append(b, &len, 4)) ||
                (*rc = dlk_buf_append(b, v, len)))
                return false;
        } else if (!value_put(b, kc->format, cols[k], i, rc)) {
            return false;
        }
    }
    return true;
}

/* Human text of a key for messages ("id=5, day=2024-01-01"). */
static void key_text(const upsert *u, const src_batch *sb, int64_t i, dlk_buf *out)
{
    for (size_t k = 0; k < u->n_keys; k++) {
        const key_col *kc = &u->keys[k];
        dlk_buf_printf(out, "%s%s=", k ? ", " : "", kc->name);
        if (kc->data_idx < 0) {
            dlk_buf_puts(out, sb->pvals[kc->part_idx] ? sb->pvals[kc->part_idx] : "null");
            continue;
        }
        const struct ArrowArray *a = sb->a.children[kc->data_idx];
        int64_t j = a->offset + i;
        const char *f = kc->format;
        if (!dlk_arrow_is_valid(a, i))
            dlk_buf_puts(out, "null");
        else if (f[0] == 'u') {
            const int32_t *off = a->buffers[1];
            dlk_buf_printf(out, "'%.*s'", (int)(off[j + 1] - off[j]),
                           (const char *)a->buffers[2] + off[j]);
        } else if (f[0] == 'l' || (f[0] == 't' && f[1] == 's'))
            dlk_buf_printf(out, "%" PRId64, ((const int64_t *)a->buffers[1])[j]);
        else if (f[0] == 'i' || (f[0] == 't' && f[1] == 'd'))
            dlk_buf_printf(out, "%d", ((const int32_t *)a->buffers[1])[j]);
        else
            dlk_buf_puts(out, "(value)");
    }
}

/* Partition-key text (the partition key columns' values) of a row. */
static int part_key_text(const upsert *u, const char *const *pvals, dlk_buf *b)
{
    b->len = 0;
    int rc = dlk_buf_putc(b, 'k'); /* never an empty key */
    for (size_t k = 0; k < u->n_keys && !rc; k++) {
        if (u->keys[k].data_idx >= 0) continue;
        const char *v = pvals[u->keys[k].part_idx];
        rc = v && *v ? dlk_buf_puts(b, v) : dlk_buf_putc(b, 1);
        if (!rc) rc = dlk_buf_append(b, "", 1);
    }
    return rc;
}

static int resolve_keys(upsert *u)
{
    const dlk_upsert_options *o = u->o;
    dlk_dml *d = u->d;
    if (!o->key_cols || o->n_key_cols == 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "upsert: a merge key is required");
    u->keys = dlk_calloc(o->n_key_cols, sizeof *u->keys);
    if (!u->keys) return dlk_err_nomem();
    u->n_keys = o->n_key_cols;
    u->prune_col = -1;
    const struct ArrowSchema *ts = &d->st.schema;
    for (size_t k = 0; k < o->n_key_cols; k++) {
        key_col *kc = &u->keys[k];
        kc->name = o->key_cols[k];
        for (size_t j = 0; j < k; j++)
            if (!strcmp(o->key_cols[j], kc->name))
                return dlk_err_set(DLK_INVALID_ARGUMENT, "upsert: key column '%s' given twice",
                                   kc->name);
        int64_t ti = dlk_arrow_schema_find(ts, kc->name);
        if (ti < 0)
            return dlk_err_set(DLK_NOT_FOUND, "upsert: key column '%s' is not in the table schema",
                               kc->name);
        kc->format = ts->children[ti]->format;
        if (kc->format[0] == '+' || !strcmp(kc->format, "n"))
            return dlk_err_set(DLK_INVALID_ARGUMENT, "upsert: key column '%s' has a nested type",
                               kc->name);
        kc->data_idx = dlk_arrow_schema_find(u->data_schema, kc->name);
        if (kc->data_idx < 0) {
            for (size_t p = 0; p < d->st.n_part; p++)
                if (!strcmp(d->st.partition_cols[p], kc->name)) kc->part_idx = p;
        } else if (u->prune_col < 0) {
            const char *f = kc->format;
            if (strchr("csil", f[0]) && !f[1])
                u->prune_kind = 1;
            else if (!strcmp(f, "tdD") || !strncmp(f, "tsu:", 4))
                u->prune_kind = 1;
            else if (!strcmp(f, "u"))
                u->prune_kind = 2;
            if (u->prune_kind) u->prune_col = (int64_t)k;
        }
    }
    return DLK_OK;
}

/* ---- input ------------------------------------------------------------------ */

/* Partition values of the input rows inside the partition path (shared rules). */
static int apply_path(upsert *u, char **pvals)
{
    const dlk_ops__ppath *pp = &u->d->pp;
    if (!pp->text) return DLK_OK;
    size_t n = pp->n_part;
    const char **scoped = dlk_calloc(n + 1, sizeof *scoped);
    if (!scoped) return dlk_err_nomem();
    int rc = dlk_ops__ppath_scope(pp, (const char *const *)u->d->st.partition_cols,
                                  (const char *const *)pvals, scoped);
    for (size_t i = 0; i < n && !rc; i++) {
        if (scoped[i] == pvals[i]) continue;
        char *v = scoped[i] ? dlk_strdup(scoped[i]) : NULL;
        if (scoped[i] && !v)
            rc = dlk_err_nomem();
        else {
            dlk_free(pvals[i]);
            pvals[i] = v;
        }
    }
    dlk_free(scoped);
    return rc;
}

static int read_input(upsert *u, FILE *in, const char *text, size_t n)
{
    dlk_dml *d = u->d;
    dlk_records_options ro = DLK_RECORDS_OPTIONS_INIT;
    ro.format = u->o->input_format == DLK_INPUT_CSV ? DLK_RECORDS_CSV : DLK_RECORDS_NDJSON;
    ro.strict = u->o->strict;
    if (u->o->version >= 2) ro.timestamp_unit = u->o->timestamp_unit;
    ro.partition_cols = (const char *const *)d->st.partition_cols;
    ro.n_partition_cols = d->st.n_part;
    dlk_records_reader *r = NULL;
    int rc = in ? dlk_ops_records_open(&d->st.schema, &ro, in, &r)
                : dlk_ops_records_open_mem(&d->st.schema, &ro, text, n, &r);
    while (!rc) {
        struct ArrowArray a;
        const char *const *vals = NULL;
        if ((rc = dlk_ops_records_next_part(r, &a, &vals))) break;
        if (!a.release) break;
        if (u->nb == u->cap) {
            size_t nc = u->cap ? u->cap * 2 : 8;
            src_batch *nbp = dlk_realloc(u->b, nc * sizeof *nbp);
            if (!nbp) {
                dlk_arrow_array_release(&a);
                rc = dlk_err_nomem();
                break;
            }
            u->b = nbp;
            u->cap = nc;
        }
        src_batch *sb = &u->b[u->nb++];
        memset(sb, 0, sizeof *sb);
        dlk_arrow_array_move(&a, &sb->a);
        sb->pvals = dlk_calloc(d->st.n_part + 1, sizeof *sb->pvals);
        sb->matches = dlk_calloc((size_t)sb->a.length + 1, sizeof *sb->matches);
        sb->dropped = dlk_calloc((size_t)sb->a.length + 1, 1);
        if (!sb->pvals || !sb->matches || !sb->dropped) rc = dlk_err_nomem();
        for (size_t i = 0; i < d->st.n_part && !rc; i++)
            if (vals && vals[i] && !(sb->pvals[i] = dlk_strdup(vals[i]))) rc = dlk_err_nomem();
        if (!rc) rc = apply_path(u, sb->pvals);
        /* partitions written count as read: a concurrent insert there conflicts */
        if (!rc) rc = dlk_ops__dml_note_read_values(d, (const char *const *)sb->pvals);
        u->source_rows += sb->a.length;
    }
    dlk_ops_records_free(r);
    return rc;
}

/* Key map over the input (dedup / duplicate error), partition-key set and
 * the sorted values of the pruning column. */
static int index_input(upsert *u)
{
    dlk_buf kb = {0}, pk = {0};
    int rc = DLK_OK;
    struct ArrowArray **cols = dlk_calloc(u->n_keys, sizeof *cols);
    if (!cols) return dlk_err_nomem();
    size_t rows = (size_t)u->source_rows + 1;
    if (u->prune_kind == 1) u->ivals = dlk_malloc(rows * sizeof *u->ivals);
    if (u->prune_kind == 2) u->svals = dlk_malloc(rows * sizeof *u->svals);
    if ((u->prune_kind == 1 && !u->ivals) || (u->prune_kind == 2 && !u->svals))
        rc = dlk_err_nomem();
    for (size_t bi = 0; bi < u->nb && !rc; bi++) {
        src_batch *sb = &u->b[bi];
        for (size_t k = 0; k < u->n_keys; k++)
            cols[k] = u->keys[k].data_idx >= 0 ? sb->a.children[u->keys[k].data_idx] : NULL;
        if (!(rc = part_key_text(u, (const char *const *)sb->pvals, &pk)) &&
            !dlk_map_get(&u->src_parts, pk.data, pk.len, NULL))
            rc = dlk_map_put(&u->src_parts, pk.data, pk.len, (void *)1, NULL);
        for (int64_t i = 0; i < sb->a.length && !rc; i++) {
            if (!key_of(u, cols, (const char *const *)sb->pvals, i, &kb, &rc))
                continue; /* null key: insert only */
            void *prev = NULL;
            uintptr_t me = ((uintptr_t)bi << 32 | (uintptr_t)i) + 1;
            if (dlk_map_get(&u->src, kb.data, kb.len, &prev)) {
                if (!u->o->dedup) {
                    dlk_buf t = {0};
                    key_text(u, sb, i, &t);
                    rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                                     "upsert: duplicate key (%s) in the input (dedup keeps the "
                                     "last row: --dedup)",
                                     dlk_buf_cstr(&t));
                    dlk_buf_free(&t);
                    break;
                }
                uintptr_t pv = (uintptr_t)prev - 1;
                u->b[pv >> 32].dropped[pv & 0xffffffffu] = 1;
            }
            if ((rc = dlk_map_put(&u->src, kb.data, kb.len, (void *)me, NULL))) break;
            if (u->prune_col >= 0) {
                const struct ArrowArray *a = cols[u->prune_col];
                int64_t j = a->offset + i;
                const char *f = u->keys[u->prune_col].format;
                if (u->prune_kind == 2) {
                    const int32_t *off = a->buffers[1];
                    char *s = dlk_strndup((const char *)a->buffers[2] + off[j],
                                          (size_t)(off[j + 1] - off[j]));
                    if (!s)
                        rc = dlk_err_nomem();
                    else
                        u->svals[u->n_svals++] = s;
                } else {
                    int64_t v = f[0] == 'c'   ? ((const int8_t *)a->buffers[1])[j]
                                : f[0] == 's' ? ((const int16_t *)a->buffers[1])[j]
                                : f[0] == 'i' || !strcmp(f, "tdD")
                                    ? ((const int32_t *)a->buffers[1])[j]
                                    : ((const int64_t *)a->buffers[1])[j];
                    u->ivals[u->n_ivals++] = v;
                }
            }
        }
    }
    dlk_free(cols);
    dlk_buf_free(&kb);
    dlk_buf_free(&pk);
    return rc;
}

/* ---- candidate files -------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Stats value of the pruning column as an integer (ints; dates/timestamps from text). */
static bool stat_int(const char *format, json_t *j, int64_t *out)
{
    if (json_is_integer(j)) {
        *out = (int64_t)json_integer_value(j);
        return true;
    }
    if (!json_is_string(j)) return false;
    dlk_value v;
    if (dlk_value_parse(format, json_string_value(j), json_string_length(j), &v) ||
        v.kind != DLK_VALUE_INT)
        return false;
    *out = v.i;
    return true;
}

/* Can the file hold an input key? (partition key values, min/max of the pruning column) */
static bool file_might_match(const upsert *u, const dlk_file_info *f)
{
    dlk_dml *d = u->d;
    bool has_pkeys = false;
    for (size_t k = 0; k < u->n_keys; k++)
        has_pkeys |= u->keys[k].data_idx < 0;
    if (has_pkeys) {
        const char **vals = dlk_calloc(d->st.n_part + 1, sizeof *vals);
        dlk_buf pk = {0};
        bool hit = true;
        if (vals) {
            dlk_ops__dml_part_values(d, f, vals);
            hit = part_key_text(u, vals, &pk) || dlk_map_get(&u->src_parts, pk.data, pk.len, NULL);
        }
        dlk_free(vals);
        dlk_buf_free(&pk);
        if (!hit) return false;
    }
    if (u->prune_col < 0 || !f->stats) return true;
    json_t *s = json_loads(f->stats, 0, NULL);
    const char *name = u->keys[u->prune_col].name;
    json_t *mn = json_object_get(json_object_get(s, "minValues"), name);
    json_t *mx = json_object_get(json_object_get(s, "maxValues"), name);
    bool might = true;
    if (mn && mx && u->prune_kind == 1) {
        const char *fmt = u->keys[u->prune_col].format;
        int64_t lo, hi;
        if (stat_int(fmt, mn, &lo) && stat_int(fmt, mx, &hi)) {
            if (!strncmp(fmt, "tsu:", 4)) hi += 999; /* maxima may be cut to milliseconds */
            size_t a = 0, b = u->n_ivals;            /* first value >= lo */
            while (a < b) {
                size_t m = (a + b) / 2;
                if (u->ivals[m] < lo)
                    a = m + 1;
                else
                    b = m;
            }
            might = a < u->n_ivals && u->ivals[a] <= hi;
        }
    } else if (json_is_string(mn) && json_is_string(mx) && u->prune_kind == 2) {
        const char *lo = json_string_value(mn), *hi = json_string_value(mx);
        size_t hl = strlen(hi);
        size_t a = 0, b = u->n_svals;
        while (a < b) {
            size_t m = (a + b) / 2;
            if (strcmp(u->svals[m], lo) < 0)
                a = m + 1;
            else
                b = m;
        }
        /* a truncated max is a prefix of the real one */
        might = a < u->n_svals && (strcmp(u->svals[a], hi) <= 0 || !strncmp(u->svals[a], hi, hl));
    }
    json_decref(s);
    return might;
}

static int upsert_file_filter(void *ctx, const dlk_file_info *f, bool *keep)
{
    upsert *u = ctx;
    *keep = dlk_ops__dml_in_scope(u->d, f) && file_might_match(u, f);
    return *keep ? dlk_ops__dml_note_read(u->d, f) : DLK_OK;
}

/* Scan the candidate files for rows whose key is in the input. */
static int match_target(upsert *u)
{
    dlk_dml *d = u->d;
    if (u->src.count == 0) return DLK_OK;
    const char **cols = dlk_calloc(u->n_keys + 1, sizeof *cols);
    size_t nc = 0;
    int64_t *colpos =
        dlk_calloc(u->n_keys + 1, sizeof *colpos); /* key -> output column, -1 partition */
    const char **vals = dlk_calloc(d->st.n_part + 1, sizeof *vals);
    struct ArrowArray **kc = dlk_calloc(u->n_keys + 1, sizeof *kc);
    int64_t *rows = NULL;
    if (!cols || !colpos || !vals || !kc) {
        dlk_free(cols), dlk_free(colpos), dlk_free(vals), dlk_free(kc);
        return dlk_err_nomem();
    }
    for (size_t k = 0; k < u->n_keys; k++) {
        colpos[k] = -1;
        if (u->keys[k].data_idx >= 0) {
            colpos[k] = (int64_t)nc;
            cols[nc++] = u->keys[k].name;
        }
    }
    dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
    o.columns = cols;
    o.n_columns = nc;
    o.file_filter = upsert_file_filter;
    o.filter_ctx = u;
    o.row_index_column = ROW_INDEX_COL;
    dlk_read__scan *s = NULL;
    int rc = dlk_read__scan_open(d->snap, &o, &s);
    dlk_buf kb = {0};
    while (!rc) {
        struct ArrowArray b;
        if ((rc = dlk_read__scan_next(s, &b)) || !b.release) break;
        const dlk_file_info *fi = dlk_read__scan_file(s);
        dlk_ops__dml_part_values(d, fi, vals);
        for (size_t k = 0; k < u->n_keys; k++)
            kc[k] = colpos[k] >= 0 ? b.children[colpos[k]] : NULL;
        const struct ArrowArray *ix = b.children[b.n_children - 1];
        const int64_t *ixv = (const int64_t *)ix->buffers[1] + ix->offset;
        dlk_free(rows);
        rows = dlk_malloc((size_t)(b.length + 1) * sizeof *rows);
        size_t nr = 0;
        if (!rows) rc = dlk_err_nomem();
        for (int64_t i = 0; i < b.length && !rc; i++) {
            if (!key_of(u, kc, vals, i, &kb, &rc)) continue;
            void *hit = NULL;
            if (!dlk_map_get(&u->src, kb.data, kb.len, &hit)) continue;
            uintptr_t pv = (uintptr_t)hit - 1;
            u->b[pv >> 32].matches[pv & 0xffffffffu]++;
            rows[nr++] = ixv[i];
        }
        if (!rc) rc = dlk_ops__dml_mark(d, fi, rows, nr);
        dlk_arrow_array_release(&b);
    }
    dlk_scan_stats ss;
    dlk_read__scan_stats(s, &ss);
    d->files_scanned += ss.files_read;
    dlk_read__scan_free(&s);
    dlk_buf_free(&kb);
    dlk_free(rows);
    dlk_free(cols);
    dlk_free(colpos);
    dlk_free(vals);
    dlk_free(kc);
    return rc;
}

/* Write every surviving input row (once per matched target row, at least once). */
static int write_source(upsert *u, int64_t *updated, int64_t *inserted)
{
    dlk_ops__files *w;
    int rc = dlk_ops__dml_writer(u->d, &w);
    struct ArrowSchema bs = {0};
    if (!rc) rc = dlk_arrow_schema_copy(u->data_schema, &bs);
    for (size_t bi = 0; bi < u->nb && !rc; bi++) {
        src_batch *sb = &u->b[bi];
        int64_t cap = 0, n = 0;
        for (int64_t i = 0; i < sb->a.length; i++)
            if (!sb->dropped[i]) cap += sb->matches[i] > 1 ? sb->matches[i] : 1;
        int64_t *sel = dlk_malloc((size_t)(cap + 1) * sizeof *sel);
        if (!sel) {
            rc = dlk_err_nomem();
            break;
        }
        for (int64_t i = 0; i < sb->a.length; i++) {
            if (sb->dropped[i]) continue;
            if (sb->matches[i] == 0) (*inserted)++;
            *updated += sb->matches[i];
            for (int32_t c = 0; c < (sb->matches[i] > 1 ? sb->matches[i] : 1); c++)
                sel[n++] = i;
        }
        if (n == sb->a.length) {
            rc = dlk_ops__files_write(w, &sb->a, (const char *const *)sb->pvals);
        } else if (n) {
            struct ArrowArray t;
            rc = dlk_expr_take(&bs, &sb->a, sel, n, &t);
            if (!rc) rc = dlk_ops__files_write(w, &t, (const char *const *)sb->pvals);
            dlk_arrow_array_release(&t);
        }
        dlk_free(sel);
    }
    dlk_arrow_schema_release(&bs);
    return rc;
}

static void upsert_free(upsert *u)
{
    for (size_t i = 0; i < u->nb; i++) {
        src_batch *sb = &u->b[i];
        dlk_arrow_array_release(&sb->a);
        for (size_t k = 0; sb->pvals && k < u->d->st.n_part; k++)
            dlk_free(sb->pvals[k]);
        dlk_free(sb->pvals);
        dlk_free(sb->matches);
        dlk_free(sb->dropped);
    }
    dlk_free(u->b);
    dlk_free(u->keys);
    dlk_map_free(&u->src);
    dlk_map_free(&u->src_parts);
    dlk_free(u->ivals);
    for (size_t i = 0; i < u->n_svals; i++)
        dlk_free(u->svals[i]);
    dlk_free(u->svals);
}

static int upsert_impl(const char *table, FILE *in, const char *text, size_t n,
                       const dlk_upsert_options *o, dlk_upsert_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    dlk_upsert_options def = DLK_UPSERT_OPTIONS_INIT;
    dlk_upsert_result dummy;
    if (!o) o = &def;
    if (!r) r = &dummy;
    memset(r, 0, sizeof *r);
    r->version = -1;
    if (o->version < 1) return dlk_err_set(DLK_INVALID_ARGUMENT, "upsert options: version not set");
    if (o->merge_schema)
        return dlk_err_set(
            DLK_UNSUPPORTED,
            "upsert: merge_schema (--merge-schema) is not supported by upsert yet; evolve the "
            "schema with a write --merge-schema or alter --add-column first");
    if (o->input_format != DLK_INPUT_NDJSON && o->input_format != DLK_INPUT_CSV)
        return dlk_err_set(DLK_UNSUPPORTED, "upsert: input format %d (NDJSON or CSV)",
                           o->input_format);
    dlk_dml d;
    int rc = dlk_ops__dml_begin(table, o->mode, o->enable_dv, o->partition_path, &d);
    if (rc) return dlk_err_context(rc, "upsert");
    d.target = o->target_file_size;
    upsert u;
    memset(&u, 0, sizeof u);
    u.d = &d;
    u.o = o;
    u.data_schema = dlk_ops__dml_data_schema(&d);
    if ((rc = resolve_keys(&u))) goto out;
    if ((rc = read_input(&u, in, text, n))) goto out;
    if (u.source_rows == 0) goto out; /* nothing to do */
    if ((rc = index_input(&u))) goto out;
    if (u.ivals) qsort(u.ivals, u.n_ivals, sizeof *u.ivals, cmp_i64);
    if (u.svals) qsort(u.svals, u.n_svals, sizeof *u.svals, cmp_str);
    if ((rc = match_target(&u))) goto out;
    if ((rc = dlk_ops__dml_apply(&d))) goto out;
    int64_t updated = 0, inserted = 0;
    if ((rc = write_source(&u, &updated, &inserted))) goto out;

    json_t *params = json_object(), *metrics = json_object();
    dlk_buf keys = {0}, pred = {0};
    for (size_t k = 0; k < u.n_keys; k++) {
        dlk_buf_printf(&keys, "%s%s", k ? "," : "", u.keys[k].name);
        dlk_buf_printf(&pred, "%starget.%s = source.%s", k ? " AND " : "", u.keys[k].name,
                       u.keys[k].name);
    }
    json_object_set_new(params, "mergeKey", json_string(dlk_buf_cstr(&keys)));
    json_object_set_new(params, "predicate", json_string(dlk_buf_cstr(&pred)));
    json_object_set_new(params, "matchedPredicates", json_string("[{\"actionType\":\"update\"}]"));
    json_object_set_new(params, "notMatchedPredicates",
                        json_string("[{\"actionType\":\"insert\"}]"));
    json_object_set_new(params, "dedup", json_string(o->dedup ? "true" : "false"));
    if (o->partition_path)
        json_object_set_new(params, "partitionPath", json_string(o->partition_path));
    dlk_buf_free(&keys);
    dlk_buf_free(&pred);
    dlk_core__metric(metrics, "numSourceRows", u.source_rows);
    dlk_core__metric(metrics, "numTargetRowsUpdated", updated);
    dlk_core__metric(metrics, "numTargetRowsInserted", inserted);
    dlk_core__metric(metrics, "numTargetRowsDeleted", 0);
    dlk_core__metric(metrics, "numTargetFilesScanned", d.files_scanned);
    dlk_core__metric(metrics, "numTargetFilesSkipped", (int64_t)d.snap->n_files - d.files_scanned);
    dlk_core__metric(metrics, "numOutputRows", updated + inserted);
    dlk_core__metric(metrics, "executionTimeMs", (dlk_monotonic_ns() - t0) / 1000000);
    rc = dlk_ops__dml_commit(&d, "MERGE", params, metrics, o->max_attempts, &r->version,
                             &r->attempts);
    json_decref(params);
    json_decref(metrics);
    if (rc) goto out;
    r->rows_updated = updated;
    r->rows_inserted = inserted;
    r->rows_upserted = updated + inserted;
    r->files_scanned = d.files_scanned;
    r->files_skipped = (int64_t)d.snap->n_files - d.files_scanned;
    r->files_added = d.files_added;
    r->files_removed = d.files_removed;
    r->files_rewritten = d.files_rewritten;
    r->dvs_written = d.dvs_written;
out:
    upsert_free(&u);
    dlk_ops__dml_end(&d, rc != DLK_OK);
    if (rc) rc = dlk_err_context(rc, "%s", table);
    return rc;
}

int dlk_table_upsert_file(const char *table, FILE *in, const dlk_upsert_options *o,
                          dlk_upsert_result *r)
{
    if (!in) return dlk_err_set(DLK_INVALID_ARGUMENT, "upsert: no input");
    int64_t t0 = dlk_monotonic_ns();
    int rc = upsert_impl(table, in, NULL, 0, o, r);
    dlk_ops__metrics_record(table, DLK_OP_UPSERT, dlk_ops__ms_since(t0), rc == DLK_OK);
    return rc;
}

int dlk_table_upsert_text(const char *table, const char *text, size_t n,
                          const dlk_upsert_options *o, dlk_upsert_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    int rc = upsert_impl(table, NULL, text ? text : "", text ? n : 0, o, r);
    dlk_ops__metrics_record(table, DLK_OP_UPSERT, dlk_ops__ms_since(t0), rc == DLK_OK);
    return rc;
}

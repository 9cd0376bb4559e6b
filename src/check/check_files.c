/*
 * check/check_files.c - `deltalake check`, data files: each active file exists
 * with the recorded size, its Parquet footer parses, its schema holds the
 * table's columns with compatible types (column mapping aware), its stats
 * agree with the footer (numRecords = row count; nullCount = null counts;
 * minValues/maxValues bound the footer's min/max), and its deletion vector
 * resolves with the recorded cardinality. See deltalake/check.h.
 */
#include "core/dv.h"
#include "core/schema.h"
#include "deltalake/parquet.h"
#include "check/check_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/time.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- types ---- */

static int int_rank(const char *f)
{
    if (!strcmp(f, "c")) return 1;
    if (!strcmp(f, "s")) return 2;
    if (!strcmp(f, "i")) return 3;
    if (!strcmp(f, "l")) return 4;
    return 0;
}

static bool is_string(const char *f)
{
    return !strcmp(f, "u") || !strcmp(f, "U") || !strcmp(f, "vu");
}
static bool is_binary(const char *f)
{
    return !strcmp(f, "z") || !strcmp(f, "Z") || !strcmp(f, "vz");
}

/* Can a file column of Arrow type `file` be read as table type `table`
 * (same type, or a widening the protocol's typeWidening allows)? */
static bool type_compatible(const char *table, const char *file)
{
    if (!strcmp(table, file)) return true;
    if (!strncmp(table, "ts", 2) && (!strncmp(file, "ts", 2) || !strcmp(file, "tdD"))) return true;
    if (is_string(table) && (is_string(file) || is_binary(file))) return true;
    if (is_binary(table) && (is_binary(file) || is_string(file))) return true;
    int rt = int_rank(table), rf = int_rank(file);
    if (rt && rf) return rf <= rt;
    if (!strcmp(table, "g") && (!strcmp(file, "f") || int_rank(file) > 0)) return true;
    if (!strncmp(table, "d:", 2) && int_rank(file)) {
        /* integer -> decimal widening: enough digits left of the point */
        static const int digits[] = {0, 3, 5, 10, 20};
        int pt = 0, st = 0;
        return sscanf(table + 2, "%d,%d", &pt, &st) == 2 && pt - st >= digits[int_rank(file)];
    }
    if (!strncmp(table, "d:", 2) && !strncmp(file, "d:", 2)) {
        int pt = 0, st = 0, pf = 0, sf = 0;
        if (sscanf(table + 2, "%d,%d", &pt, &st) != 2 || sscanf(file + 2, "%d,%d", &pf, &sf) != 2)
            return false;
        return st >= sf && pt - st >= pf - sf;
    }
    if (!strcmp(table, "n")) return true; /* void: never read */
    if (table[0] == '+' && file[0] == '+') {
        bool tl = !strcmp(table, "+l") || !strcmp(table, "+L"),
             fl = !strcmp(file, "+l") || !strcmp(file, "+L");
        return (tl && fl) || !strcmp(table, file);
    }
    return false;
}

/* ---- stats vs footer ---- */

typedef struct {
    dlk_check_ctx *c;
    int64_t version;
    const char *path;
    dlk_pq_file *pq;
    json_t *mins, *maxs, *nulls;
    bool *bad;
    bool read_data; /* compute min/max/nulls of top-level columns from the data */
    int64_t size;   /* of the file */
} sctx;

/* Footer stats of a leaf over all row groups: null count (-1 unknown) and
 * min/max (has=false when some row group with values has none). */
typedef struct {
    int kind;
    const char *fmt; /* Arrow format of the file's leaf */
    int64_t nulls;
    bool has;
    int64_t min_i, max_i;
    double min_d, max_d;
    const uint8_t *min_b, *max_b;
    size_t min_bl, max_bl;
} agg;

static int bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

static bool leaf_agg(dlk_pq_file *pq, const char *leaf, agg *g)
{
    memset(g, 0, sizeof *g);
    g->nulls = 0;
    g->has = true;
    bool any = false;
    int nrg = dlk_pq_num_row_groups(pq);
    for (int rg = 0; rg < nrg; rg++) {
        dlk_pq_col_stats s;
        if (dlk_pq_column_stats(pq, rg, leaf, &s)) {
            dlk_error_clear();
            return false;
        }
        if (s.null_count < 0)
            g->nulls = -1;
        else if (g->nulls >= 0)
            g->nulls += s.null_count;
        int64_t rows = dlk_pq_row_group_num_rows(pq, rg);
        if (s.null_count >= 0 && s.null_count >= rows) continue; /* only nulls: no bounds */
        if (!s.has_min_max) {
            g->has = false;
            continue;
        }
        if (any && s.kind != g->kind) {
            g->has = false;
            continue;
        }
        g->kind = s.kind;
        if (!g->fmt) g->fmt = s.format;
        if (s.kind == DLK_PQ_STAT_INT) {
            if (!any || s.min_i < g->min_i) g->min_i = s.min_i;
            if (!any || s.max_i > g->max_i) g->max_i = s.max_i;
        } else if (s.kind == DLK_PQ_STAT_DOUBLE) {
            if (isnan(s.min_d) || isnan(s.max_d)) {
                g->has = false;
                continue;
            }
            if (!any || s.min_d < g->min_d) g->min_d = s.min_d;
            if (!any || s.max_d > g->max_d) g->max_d = s.max_d;
        } else if (s.kind == DLK_PQ_STAT_BYTES) {
            if (!any || bytes_cmp(s.min_b, s.min_b_len, g->min_b, g->min_bl) < 0) {
                g->min_b = s.min_b;
                g->min_bl = s.min_b_len;
            }
            if (!any || bytes_cmp(s.max_b, s.max_b_len, g->max_b, g->max_bl) > 0) {
                g->max_b = s.max_b;
                g->max_bl = s.max_b_len;
            }
        } else {
            g->has = false;
        }
        any = true;
    }
    if (!any) g->has = false;
    return true;
}

/* A stats value as an Arrow-unit integer (ints, dates as days, timestamps
 * as microseconds). */
static bool stat_int(json_t *v, const char *fmt, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return !strncmp(fmt, "ts", 2) || !strcmp(fmt, "tdD") ? false : true;
    }
    if (!json_is_string(v)) return false;
    const char *s = json_string_value(v);
    if (!strcmp(fmt, "tdD")) {
        int32_t d;
        if (dlk_parse_date(s, strlen(s), &d)) return false;
        *out = d;
        return true;
    }
    if (!strncmp(fmt, "tsu:", 4)) {
        bool zone;
        return dlk_parse_timestamp(s, strlen(s), out, &zone) == DLK_OK;
    }
    return false;
}

/* min/max/nulls of top-level column `name` computed from its values (ints,
 * dates, timestamps, floats, strings); the string bounds point into keep[]
 * (released by the caller). false when it cannot be read. */
static bool data_agg(dlk_pq_file *pq, const char *name, agg *g, struct ArrowArray *keep,
                     size_t nkeep, struct ArrowSchema *keep_s)
{
    memset(g, 0, sizeof *g);
    int nrg = dlk_pq_num_row_groups(pq);
    if (nrg < 0 || (size_t)nrg > nkeep) return false;
    bool any = false;
    const char *cols[1] = {name};
    for (int rg = 0; rg < nrg; rg++) {
        if (dlk_pq_read_row_group(pq, rg, cols, 1, &keep_s[rg], &keep[rg])) {
            dlk_error_clear();
            for (int q = 0; q < rg; q++) {
                keep[q].release(&keep[q]);
                keep_s[q].release(&keep_s[q]);
            }
            return false;
        }
        const struct ArrowSchema *cs = keep_s[rg].children[0];
        const struct ArrowArray *ca = keep[rg].children[0];
        const char *f = cs->format;
        if (!g->fmt) g->fmt = f;
        const uint8_t *valid = ca->null_count ? ca->buffers[0] : NULL;
        bool is_int = int_rank(f) || !strcmp(f, "tdD") || !strncmp(f, "ts", 2);
        for (int64_t i = 0; i < ca->length; i++) {
            int64_t k = ca->offset + i;
            if (valid && !((valid[k >> 3] >> (k & 7)) & 1)) {
                g->nulls++;
                continue;
            }
            if (is_int) {
                int64_t v;
                if (!strcmp(f, "c"))
                    v = ((const int8_t *)ca->buffers[1])[k];
                else if (!strcmp(f, "s"))
                    v = ((const int16_t *)ca->buffers[1])[k];
                else if (!strcmp(f, "i") || !strcmp(f, "tdD"))
                    v = ((const int32_t *)ca->buffers[1])[k];
                else
                    v = ((const int64_t *)ca->buffers[1])[k];
                if (!strncmp(f, "tss", 3))
                    v *= 1000000;
                else if (!strncmp(f, "tsm", 3))
                    v *= 1000;
                else if (!strncmp(f, "tsn", 3))
                    v /= 1000;
                g->kind = DLK_PQ_STAT_INT;
                if (!any || v < g->min_i) g->min_i = v;
                if (!any || v > g->max_i) g->max_i = v;
            } else if (!strcmp(f, "f") || !strcmp(f, "g")) {
                double v = !strcmp(f, "f") ? ((const float *)ca->buffers[1])[k]
                                           : ((const double *)ca->buffers[1])[k];
                if (isnan(v)) continue;
                g->kind = DLK_PQ_STAT_DOUBLE;
                if (!any || v < g->min_d) g->min_d = v;
                if (!any || v > g->max_d) g->max_d = v;
            } else if (!strcmp(f, "u")) {
                const int32_t *off = ca->buffers[1];
                const uint8_t *d = ca->buffers[2];
                const uint8_t *v = d + off[k];
                size_t n = (size_t)(off[k + 1] - off[k]);
                g->kind = DLK_PQ_STAT_BYTES;
                if (!any || bytes_cmp(v, n, g->min_b, g->min_bl) < 0) g->min_b = v, g->min_bl = n;
                if (!any || bytes_cmp(v, n, g->max_b, g->max_bl) > 0) g->max_b = v, g->max_bl = n;
            } else {
                continue; /* other types: null count only */
            }
            any = true;
        }
    }
    g->has = any;
    if (g->fmt && !strncmp(g->fmt, "ts", 2)) g->fmt = "tsu:"; /* values are microseconds now */
    return true;
}

enum { KEEP_RG = 64 };

static int check_leaf(sctx *x, const char *leaf, const char *fmt, json_t *mn, json_t *mx,
                      json_t *nc, bool top)
{
    agg g;
    struct ArrowArray keep[KEEP_RG];
    struct ArrowSchema keep_s[KEEP_RG];
    int nkept = 0;
    if (top && x->read_data && data_agg(x->pq, leaf, &g, keep, KEEP_RG, keep_s)) {
        nkept = dlk_pq_num_row_groups(x->pq);
    } else if (!leaf_agg(x->pq, leaf, &g)) {
        return DLK_OK;
    } else if (top && (!g.has || g.nulls < 0) && x->size <= ((int64_t)1 << 20)) {
        /* no footer statistics: read the values of a small file */
        agg d;
        if (data_agg(x->pq, leaf, &d, keep, KEEP_RG, keep_s)) {
            nkept = dlk_pq_num_row_groups(x->pq);
            g = d;
        }
    }
    int rc = DLK_OK;
    if (top && nc && json_is_integer(nc) && g.nulls >= 0 && json_integer_value(nc) != g.nulls) {
        *x->bad = true;
        rc = dlk_ops__check_add(
            x->c, "stats_null_count", x->version, x->path,
            "column %s: stats nullCount %lld but the Parquet footer counts %lld nulls", leaf,
            (long long)json_integer_value(nc), (long long)g.nulls);
    }
    if (rc || !g.has || !g.fmt) goto out;
    fmt = g.fmt; /* stats describe the file's values: read them as its type */
    bool f32 = !strcmp(fmt, "f");
    if (g.kind == DLK_PQ_STAT_INT && int_rank(fmt) == 0 && strcmp(fmt, "tdD") &&
        strncmp(fmt, "tsu:", 4))
        goto out; /* time of day, unsigned, ...: not compared */
    bool is_ts = !strncmp(fmt, "ts", 2);
    int64_t slack = is_ts ? 999 : 0; /* Spark cuts timestamps to milliseconds */
    char fv[64];
    if (mn && !json_is_null(mn)) {
        bool ok = true;
        if (g.kind == DLK_PQ_STAT_INT) {
            int64_t v;
            if (stat_int(mn, fmt, &v)) ok = v <= g.min_i;
            snprintf(fv, sizeof fv, "%lld", (long long)g.min_i);
        } else if (g.kind == DLK_PQ_STAT_DOUBLE) {
            if (json_is_number(mn))
                ok = f32 ? (float)json_number_value(mn) <= (float)g.min_d
                         : json_number_value(mn) <= g.min_d;
            snprintf(fv, sizeof fv, "%.17g", g.min_d);
        } else if (g.kind == DLK_PQ_STAT_BYTES && is_string(fmt) && json_is_string(mn)) {
            ok = bytes_cmp((const uint8_t *)json_string_value(mn), json_string_length(mn), g.min_b,
                           g.min_bl) <= 0;
            snprintf(fv, sizeof fv, "%.*s", (int)(g.min_bl < 40 ? g.min_bl : 40),
                     (const char *)g.min_b);
        }
        if (!ok) {
            *x->bad = true;
            char *t = json_dumps(mn, JSON_ENCODE_ANY);
            rc = dlk_ops__check_add(x->c, "stats_min", x->version, x->path,
                                    "column %s: stats minValue %s is above the Parquet minimum %s",
                                    leaf, t ? t : "?", fv);
            free(t);
        }
    }
    if (!rc && mx && !json_is_null(mx)) {
        bool ok = true;
        if (g.kind == DLK_PQ_STAT_INT) {
            int64_t v;
            if (stat_int(mx, fmt, &v)) ok = v + slack >= g.max_i;
            snprintf(fv, sizeof fv, "%lld", (long long)g.max_i);
        } else if (g.kind == DLK_PQ_STAT_DOUBLE) {
            if (json_is_number(mx))
                ok = f32 ? (float)json_number_value(mx) >= (float)g.max_d
                         : json_number_value(mx) >= g.max_d;
            snprintf(fv, sizeof fv, "%.17g", g.max_d);
        } else if (g.kind == DLK_PQ_STAT_BYTES && is_string(fmt) && json_is_string(mx)) {
            const uint8_t *s = (const uint8_t *)json_string_value(mx);
            size_t sl = json_string_length(mx);
            /* a truncated maximum may be a prefix of the real one */
            ok = bytes_cmp(s, sl, g.max_b, g.max_bl) >= 0 ||
                 (sl <= g.max_bl && !memcmp(s, g.max_b, sl));
            snprintf(fv, sizeof fv, "%.*s", (int)(g.max_bl < 40 ? g.max_bl : 40),
                     (const char *)g.max_b);
        }
        if (!ok) {
            *x->bad = true;
            char *t = json_dumps(mx, JSON_ENCODE_ANY);
            rc = dlk_ops__check_add(x->c, "stats_max", x->version, x->path,
                                    "column %s: stats maxValue %s is below the Parquet maximum %s",
                                    leaf, t ? t : "?", fv);
            free(t);
        }
    }
out:
    for (int q = 0; q < nkept; q++) {
        keep[q].release(&keep[q]);
        keep_s[q].release(&keep_s[q]);
    }
    return rc;
}

/* Walk the table schema (structs nest) alongside the stats objects. */
static int check_stats_fields(sctx *x, const struct ArrowSchema *st, const char *prefix,
                              json_t *mins, json_t *maxs, json_t *nulls, const char *const *skip,
                              size_t n_skip)
{
    int rc = DLK_OK;
    for (int64_t i = 0; i < st->n_children && !rc; i++) {
        const struct ArrowSchema *f = st->children[i];
        bool skipped = false;
        for (size_t k = 0; k < n_skip; k++)
            if (!strcmp(skip[k], f->name)) skipped = true;
        if (skipped) continue;
        char pn[512], leaf[1024];
        const char *phys = dlk_core_field_physical_name(f, pn, sizeof pn);
        int ln = snprintf(leaf, sizeof leaf, "%s%s%s", prefix, prefix[0] ? "." : "", phys);
        if (ln < 0 || (size_t)ln >= sizeof leaf) continue; /* too deep to have footer stats */
        json_t *mn = json_object_get(mins, phys), *mx = json_object_get(maxs, phys),
               *nc = json_object_get(nulls, phys);
        if (!strcmp(f->format, "+s")) {
            rc = check_stats_fields(x, f, leaf, mn, mx, nc, NULL, 0);
        } else if (f->format[0] != '+' && (mn || mx || nc)) {
            rc = check_leaf(x, leaf, f->format, mn, mx, nc, prefix[0] == 0);
        }
    }
    return rc;
}

/* ---- one file ---- */

static const struct ArrowSchema *file_field(const struct ArrowSchema *fs, dlk_pq_file *pq,
                                            const char *phys, int64_t id)
{
    for (int64_t i = 0; i < fs->n_children; i++) {
        if (id >= 0 && dlk_pq_field_id(pq, (int)i) == id) return fs->children[i];
    }
    for (int64_t i = 0; i < fs->n_children; i++)
        if (!strcmp(fs->children[i]->name, phys)) return fs->children[i];
    return NULL;
}

static int check_schema(dlk_check_ctx *c, dlk_snapshot *snap, dlk_pq_file *pq, const char *path,
                        bool *bad)
{
    struct ArrowSchema fs;
    if (dlk_pq_get_schema(pq, &fs)) {
        *bad = true;
        return dlk_ops__check_add(c, "file_unreadable", snap->version, path, "Parquet schema: %s",
                                  dlk_error_last()->message);
    }
    int rc = DLK_OK;
    const struct ArrowSchema *ts = &snap->schema;
    size_t np = dlk_snapshot_partition_column_count(snap);
    for (int64_t i = 0; i < ts->n_children && !rc; i++) {
        const struct ArrowSchema *f = ts->children[i];
        bool part = false;
        for (size_t k = 0; k < np; k++)
            if (!strcmp(dlk_snapshot_partition_column(snap, k), f->name)) part = true;
        if (part) continue;
        char pn[512];
        const char *phys = dlk_core_field_physical_name(f, pn, sizeof pn);
        const struct ArrowSchema *ff =
            file_field(&fs, pq, phys, snap->cm_mode == DLK_CM_ID ? dlk_core_field_id(f) : -1);
        if (!ff) {
            if (!(f->flags & ARROW_FLAG_NULLABLE)) {
                *bad = true;
                rc = dlk_ops__check_add(
                    c, "file_schema", snap->version, path,
                    "non-nullable column '%s' (physical '%s') is missing from the file", f->name,
                    phys);
            }
            continue;
        }
        if (!type_compatible(f->format, ff->format)) {
            *bad = true;
            rc = dlk_ops__check_add(
                c, "file_schema", snap->version, path,
                "column '%s': the file stores Arrow type '%s', the table says '%s'", f->name,
                ff->format, f->format);
        }
    }
    fs.release(&fs);
    return rc;
}

static int check_one(dlk_check_ctx *c, dlk_snapshot *snap, size_t i)
{
    const dlk_file_info *fi = &snap->files[i];
    const dlk_add_action *add = snap->st.active[i];
    const char *path = fi->path;
    int64_t v = snap->version;
    if (path[0] == '/' || strstr(path, "://")) return DLK_OK; /* absolute: outside this storage */
    dlk_storage_entry e = {0};
    if (dlk_storage_head(c->storage, path, &e)) {
        int code = dlk_error_last()->code;
        return dlk_ops__check_add(c, code == DLK_NOT_FOUND ? "file_missing" : "file_unreadable", v,
                                  path, "%s", dlk_error_last()->message);
    }
    c->pub.files_checked++;
    if (e.size != fi->size)
        return dlk_ops__check_add(c, "file_size", v, path,
                                  "add.size is %lld but the file has %lld bytes",
                                  (long long)fi->size, (long long)e.size);
    uint8_t *data = NULL;
    size_t n = 0;
    if (dlk_storage_get(c->storage, path, &data, &n))
        return dlk_ops__check_add(c, "file_unreadable", v, path, "%s", dlk_error_last()->message);
    dlk_pq_file *pq = NULL;
    int rc = DLK_OK;
    bool bad = false;
    json_t *stats = NULL;
    if (dlk_pq_open_memory(data, n, path, &pq)) {
        rc = dlk_ops__check_add(c, "file_unreadable", v, path, "Parquet footer: %s",
                                dlk_error_last()->message);
        goto out;
    }
    if ((rc = check_schema(c, snap, pq, path, &bad))) goto out;
    int64_t rows = dlk_pq_num_rows(pq);
    int64_t num_records = -1;
    if (fi->stats) {
        json_error_t je;
        stats = json_loads(fi->stats, 0, &je);
        if (!stats || !json_is_object(stats)) {
            rc = dlk_ops__check_add(c, "stats_parse", v, path, "stats do not parse: %s",
                                    stats ? "not an object" : je.text);
            goto out;
        }
        json_t *nr = json_object_get(stats, "numRecords");
        if (nr && json_is_integer(nr)) {
            num_records = json_integer_value(nr);
            if (num_records != rows) {
                bad = true;
                rc =
                    dlk_ops__check_add(c, "stats_num_records", v, path,
                                       "stats numRecords %lld but the Parquet footer has %lld rows",
                                       (long long)num_records, (long long)rows);
            }
        }
        if (!rc && !bad) {
            sctx x = {c,       v, path, pq, NULL, NULL, NULL, &bad, fi->size <= c->read_data_bytes,
                      fi->size};
            rc = check_stats_fields(&x, &snap->schema, "", json_object_get(stats, "minValues"),
                                    json_object_get(stats, "maxValues"),
                                    json_object_get(stats, "nullCount"),
                                    (const char *const *)snap->st.metadata->partition_columns,
                                    snap->st.metadata->n_partition_columns);
        }
    }
    if (!rc && add->dv) {
        dlk_dv_bitmap *bm = NULL;
        if (dlk_dv_load(c->storage, add->dv, &bm)) {
            const char *m = dlk_error_last()->message;
            rc = dlk_ops__check_add(c,
                                    strstr(m, "cardinality") ? "dv_cardinality" : "dv_unresolvable",
                                    v, path, "deletion vector: %s", m);
        } else {
            uint64_t card = dlk_dv_cardinality(bm);
            if ((int64_t)card > rows)
                rc = dlk_ops__check_add(c, "dv_cardinality", v, path,
                                        "deletion vector removes %llu rows of a file of %lld",
                                        (unsigned long long)card, (long long)rows);
            dlk_dv_free(bm);
        }
    }
out:
    json_decref(stats);
    if (pq) dlk_pq_close(&pq);
    dlk_storage_bytes_free(data);
    return rc;
}

int dlk_ops__check_files(dlk_check_ctx *c, dlk_snapshot *snap)
{
    int rc = DLK_OK;
    for (size_t i = 0; i < snap->n_files && !rc && !c->full; i++)
        rc = check_one(c, snap, i);
    return rc;
}

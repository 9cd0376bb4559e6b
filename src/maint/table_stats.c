/*
 * maint/table_stats.c - dlk_table_get_stats / dlk_table_stats_json: size,
 * file, partition, record and small-file counts of a snapshot, and the
 * files per partition (include/deltalake/maintenance.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "core/snapshot.h"
#include "deltalake/maintenance.h"
#include "maint/maint_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hashmap.h"

#include <jansson.h>
#include <string.h>

typedef struct part_acc {
    int64_t files, bytes, records;
    const char *const *vals; /* borrowed from the first file */
    char *key;
} part_acc;

typedef struct stats_run {
    dlk_table_stats st;
    uint64_t small_threshold;
    part_acc **parts; /* in first-seen (path) order */
    size_t n_parts;
} stats_run;

static void run_free(stats_run *r)
{
    for (size_t i = 0; i < r->n_parts; i++) {
        dlk_free(r->parts[i]->key);
        dlk_free(r->parts[i]);
    }
    dlk_free(r->parts);
}

static int compute(const dlk_snapshot *s, stats_run *r)
{
    memset(r, 0, sizeof *r);
    uint64_t target = 0, min = 0, max = 0;
    dlk_ops__size_defaults(s, &target, &min, &max);
    r->small_threshold = min;
    dlk_table_stats *st = &r->st;
    st->version = dlk_snapshot_version(s);
    st->min_file_bytes = st->max_file_bytes = 0;
    size_t n = dlk_snapshot_file_count(s);
    dlk_map idx = {0};
    dlk_buf key = {0};
    int rc = DLK_OK;
    bool records_known = true;
    r->parts = dlk_calloc(n ? n : 1, sizeof *r->parts);
    if (!r->parts) return dlk_err_nomem();
    for (size_t i = 0; i < n && !rc; i++) {
        const dlk_file_info *f = dlk_snapshot_file(s, i);
        st->file_count++;
        st->total_bytes += f->size;
        if (i == 0 || f->size < st->min_file_bytes) st->min_file_bytes = f->size;
        if (f->size > st->max_file_bytes) st->max_file_bytes = f->size;
        if ((uint64_t)f->size < r->small_threshold) st->small_file_count++;
        st->deleted_rows += f->deleted_rows;
        int64_t rec = dlk_ops__file_records(s, f);
        if (rec < 0)
            records_known = false;
        else
            rec -= f->deleted_rows;
        dlk_buf_reset(&key);
        if ((rc = dlk_ops__partition_key(s, f, &key, NULL))) break;
        part_acc *p = dlk_map_get_str(&idx, dlk_buf_cstr(&key));
        if (!p) {
            p = dlk_calloc(1, sizeof *p);
            if (!p || !(p->key = dlk_strdup(dlk_buf_cstr(&key)))) {
                dlk_free(p);
                rc = dlk_err_nomem();
                break;
            }
            p->vals = f->partition_values;
            r->parts[r->n_parts++] = p;
            if ((rc = dlk_map_put_str(&idx, p->key, p))) break;
        }
        p->files++;
        p->bytes += f->size;
        p->records = (rec < 0 || p->records < 0) ? -1 : p->records + rec;
        if (rec >= 0 && records_known) st->record_count += rec;
    }
    if (!records_known) st->record_count = -1;
    st->partition_count = dlk_snapshot_partition_column_count(s) ? (int64_t)r->n_parts : 0;
    dlk_map_free(&idx);
    dlk_buf_free(&key);
    return rc;
}

static int load(const char *table, int64_t version, dlk_table **t, dlk_snapshot **s)
{
    if (!table) return dlk_err_set(DLK_INVALID_ARGUMENT, "stats: no table");
    int rc = dlk_table_open(table, t);
    if (!rc) rc = dlk_table_snapshot(*t, version, s);
    return rc;
}

int dlk_table_get_stats(const char *table, int64_t version, dlk_table_stats *out)
{
    if (!out) return dlk_err_set(DLK_INVALID_ARGUMENT, "stats: no output");
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    stats_run r = {0};
    int rc = load(table, version, &t, &s);
    if (!rc) rc = compute(s, &r);
    if (!rc) *out = r.st;
    run_free(&r);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    return rc;
}

int dlk_table_stats_json(const char *table, int64_t version, char **out)
{
    if (!out) return dlk_err_set(DLK_INVALID_ARGUMENT, "stats: no output");
    *out = NULL;
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    stats_run r = {0};
    int rc = load(table, version, &t, &s);
    if (!rc) rc = compute(s, &r);
    json_t *o = NULL;
    if (!rc) {
        const dlk_table_stats *st = &r.st;
        o = json_object();
        json_object_set_new(o, "version", json_integer(st->version));
        json_object_set_new(o, "file_count", json_integer(st->file_count));
        json_object_set_new(o, "record_count", json_integer(st->record_count));
        json_object_set_new(o, "total_bytes", json_integer(st->total_bytes));
        json_object_set_new(o, "partition_count", json_integer(st->partition_count));
        json_object_set_new(o, "small_file_count", json_integer(st->small_file_count));
        json_object_set_new(o, "small_file_threshold", json_integer((json_int_t)r.small_threshold));
        json_object_set_new(o, "min_file_bytes", json_integer(st->min_file_bytes));
        json_object_set_new(o, "max_file_bytes", json_integer(st->max_file_bytes));
        json_object_set_new(o, "deleted_rows", json_integer(st->deleted_rows));
        json_t *pc = json_array(), *parts = json_array();
        size_t np = dlk_snapshot_partition_column_count(s);
        for (size_t i = 0; i < np; i++)
            json_array_append_new(pc, json_string(dlk_snapshot_partition_column(s, i)));
        json_object_set_new(o, "partition_columns", pc);
        for (size_t i = 0; i < r.n_parts; i++) {
            const part_acc *p = r.parts[i];
            json_t *vals = json_object();
            for (size_t k = 0; k < np; k++) {
                const char *v = p->vals ? p->vals[k] : NULL;
                json_object_set_new(vals, dlk_snapshot_partition_column(s, k),
                                    v ? json_string(v) : json_null());
            }
            json_array_append_new(parts, json_pack("{s:s,s:o,s:I,s:I,s:I}", "partition", p->key,
                                                   "values", vals, "files", (json_int_t)p->files,
                                                   "bytes", (json_int_t)p->bytes, "records",
                                                   (json_int_t)p->records));
        }
        json_object_set_new(o, "partitions", parts);
        char *js = json_dumps(o, JSON_COMPACT);
        if (!js)
            rc = dlk_err_nomem();
        else {
            *out = dlk_strdup(js);
            free(js);
            if (!*out) rc = dlk_err_nomem();
        }
    }
    json_decref(o);
    run_free(&r);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    return rc;
}

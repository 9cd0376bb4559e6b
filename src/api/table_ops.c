/*
 * api/table_ops.c - the operations of a dlk_table_handle
 * (include/deltalake/connector.h): bulk insert through the write path,
 * upsert / delete through dml.h, history / stats / metrics / optimize /
 * vacuum / restore through maintenance.h, and auto-optimize / auto-vacuum
 * after writes, all with the connector's configuration applied.
 *
 * dml.h and maintenance.h are built by other layers; when a header is not in
 * this tree the wrapper returns DLK_UNSUPPORTED naming the missing layer.
 */
#define _POSIX_C_SOURCE 200809L
#include "api/connector_int.h"
#include "arrow/arrow.h"
#include "deltalake/write.h"
#include "ingest/records.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include("deltalake/dml.h")
#include "deltalake/dml.h"
#define DLK_HAVE_DML 1
#endif
#if __has_include("deltalake/maintenance.h")
#include "deltalake/maintenance.h"
#define DLK_HAVE_MAINT 1
#endif
#if __has_include("core/metrics.h")
#include "core/metrics.h"
#define DLK_HAVE_METRICS 1
#endif
#endif

#define NOT_BUILT(layer, what)                                                                     \
    dlk_err_set(DLK_UNSUPPORTED, "%s: the %s layer is not built into this library", what, layer)

void dlk_api__metrics_record(const char *table, int kind, double ms, bool ok)
{
#ifdef DLK_HAVE_METRICS
    dlk_ops__metrics_record(table, (dlk_op_kind)kind, ms, ok);
#else
    (void)table, (void)kind, (void)ms, (void)ok;
#endif
}

/* ---- input text: NDJSON as is, a JSON array split into NDJSON ---- */

static int to_ndjson(const char *text, size_t n, dlk_buf *out, const char **ndjson, size_t *len)
{
    size_t i = 0;
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i == n || text[i] != '[') {
        *ndjson = text;
        *len = n;
        return DLK_OK;
    }
    json_error_t jerr;
    json_t *arr = json_loadb(text, n, 0, &jerr);
    if (!arr)
        return dlk_err_set(DLK_PARSE, "records: line %d, column %d: invalid JSON: %s", jerr.line,
                           jerr.column, jerr.text);
    int rc = DLK_OK;
    size_t k;
    json_t *v;
    json_array_foreach(arr, k, v)
    {
        if (!json_is_object(v)) {
            rc = dlk_err_schema_mismatch("struct", json_is_array(v) ? "array" : "scalar",
                                         "records: element %zu of the array is not a JSON object",
                                         k + 1);
            break;
        }
        char *s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17));
        if (!s) {
            rc = dlk_err_nomem();
            break;
        }
        rc = dlk_buf_puts(out, s);
        free(s);
        if (!rc) rc = dlk_buf_putc(out, '\n');
        if (rc) break;
    }
    json_decref(arr);
    *ndjson = out->data ? (const char *)out->data : "";
    *len = out->len;
    return rc;
}

/* Merge / strict flags from an explicit mode or the config. */
static void schema_flags(const dlk_config *cfg, int mode, bool *merge, bool *strict)
{
    if (mode == DLK_SCHEMA_FROM_CONFIG) {
        *merge = cfg->merge_schema || cfg->auto_evolution;
        *strict = !*merge && cfg->strict_mode;
    } else {
        *merge = mode == DLK_SCHEMA_MERGE;
        *strict = mode == DLK_SCHEMA_STRICT;
    }
}

/* allow_nullable=false: refuse input that would add (nullable) columns. */
static int check_nullable_policy(dlk_table_handle *t, const char *text, size_t n)
{
    dlk_snapshot *s = NULL;
    int rc = dlk_table_handle_snapshot(t, -1, &s);
    if (rc) return rc;
    struct ArrowSchema merged = {0};
    size_t n_new = 0;
    rc = dlk_ops_records_infer(dlk_snapshot_schema(s), text, n, &merged, &n_new);
    if (!rc && n_new) {
        const struct ArrowSchema *f = merged.children[merged.n_children - (int64_t)n_new];
        rc = dlk_err_schema_mismatch(
            "no new columns", f->name,
            "%s: the records add %zu new column(s) ('%s', ...), but allow_nullable is "
            "false and new columns can only be nullable",
            t->location, n_new, f->name);
    }
    dlk_arrow_schema_release(&merged);
    dlk_snapshot_free(&s);
    return rc;
}

int dlk_table_handle_bulk_insert(dlk_table_handle *t, const char *records, size_t n,
                                 const dlk_insert_options *opts, int64_t *inserted)
{
    dlk_insert_options d = DLK_INSERT_OPTIONS_INIT;
    if (!opts) opts = &d;
    if (inserted) *inserted = 0;
    if (!t || (!records && n))
        return dlk_err_set(DLK_INVALID_ARGUMENT, "bulk_insert: NULL argument");
    const dlk_config *cfg = &t->c->cfg;
    if (!cfg->bulk_insert_enabled)
        return dlk_err_set(
            DLK_UNSUPPORTED,
            "bulk_insert: disabled by the configuration (bulk_insert_enabled = false)");
    if ((unsigned)opts->schema_mode > DLK_SCHEMA_IGNORE)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "bulk_insert: unknown schema mode %d",
                           opts->schema_mode);
    int rc;
    dlk_buf conv = {0};
    const char *text = NULL;
    size_t len = 0;
    if ((rc = to_ndjson(records ? records : "", n, &conv, &text, &len))) goto out;
    dlk_write_options w = DLK_WRITE_OPTIONS_INIT;
    w.mode = DLK_WRITE_APPEND;
    w.input_format = DLK_INPUT_NDJSON;
    schema_flags(cfg, opts->schema_mode, &w.merge_schema, &w.strict);
    if (w.merge_schema && !cfg->allow_nullable && (rc = check_nullable_policy(t, text, len)))
        goto out;
    w.app_id = opts->app_id;
    w.app_version = opts->app_version;
    w.target_file_size = (uint64_t)cfg->file_size_target;
    w.batch_rows = (size_t)cfg->batch_size;
    w.threads = cfg->parallelism > 0 ? cfg->parallelism : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (w.threads > 16) w.threads = 16;
    w.compression = (int)cfg->compression;
    w.compression_level = cfg->compression_level;
    w.operation = "WRITE";
    w.partition_path = opts->partition_path; /* rows take the path's values */
    dlk_write_result res;
    memset(&res, 0, sizeof res);
    rc = dlk_table_write_text(t->location, text, len, &w, &res);
    if (!rc) {
        if (inserted) *inserted = res.skipped ? 0 : res.rows_written;
        if (!res.skipped) dlk_api__after_write(t, res.version);
    }
out:
    dlk_buf_free(&conv);
    return rc;
}

/* ---- DML ---- */

int dlk_table_handle_upsert(dlk_table_handle *t, const char *records, size_t n,
                            const char *const *key_cols, size_t n_key_cols, bool dedup,
                            const char *partition_path, dlk_upsert_result *result)
{
    if (result) memset(result, 0, sizeof *result);
    if (!t || (!records && n) || !key_cols || !n_key_cols)
        return dlk_err_set(DLK_INVALID_ARGUMENT,
                           "upsert: records and at least one key column are needed");
    const dlk_config *cfg = &t->c->cfg;
    if (!cfg->upsert_enabled)
        return dlk_err_set(DLK_UNSUPPORTED,
                           "upsert: disabled by the configuration (upsert_enabled = false)");
#ifdef DLK_HAVE_DML
    int rc;
    dlk_buf conv = {0};
    const char *text = NULL;
    size_t len = 0;
    if ((rc = to_ndjson(records ? records : "", n, &conv, &text, &len))) goto out;
    dlk_upsert_options o = DLK_UPSERT_OPTIONS_INIT;
    o.key_cols = key_cols;
    o.n_key_cols = n_key_cols;
    o.dedup = dedup;
    o.partition_path = partition_path;
    o.input_format = DLK_INPUT_NDJSON;
    schema_flags(cfg, DLK_SCHEMA_FROM_CONFIG, &o.merge_schema, &o.strict);
    if (o.merge_schema && !cfg->allow_nullable && (rc = check_nullable_policy(t, text, len)))
        goto out;
    o.target_file_size = (uint64_t)cfg->file_size_target;
    dlk_upsert_result r;
    memset(&r, 0, sizeof r);
    rc = dlk_table_upsert_text(t->location, text, len, &o, &r);
    if (!rc) {
        if (result) *result = r;
        if (r.version >= 0) dlk_api__after_write(t, r.version);
    }
out:
    dlk_buf_free(&conv);
    return rc;
#else
    (void)dedup, (void)partition_path;
    return NOT_BUILT("DML (dml.h)", "upsert");
#endif
}

int dlk_table_handle_delete(dlk_table_handle *t, const char *condition, const char *partition_path,
                            dlk_dml_mode mode, int64_t *deleted)
{
    if (deleted) *deleted = 0;
    if (!t) return dlk_err_set(DLK_INVALID_ARGUMENT, "delete: NULL table");
    if ((unsigned)mode > DLK_DML_HARD)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "delete: unknown mode %d", (int)mode);
    if (!t->c->cfg.delete_enabled)
        return dlk_err_set(DLK_UNSUPPORTED,
                           "delete: disabled by the configuration (delete_enabled = false)");
#ifdef DLK_HAVE_DML
    int rc;
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = condition;
    o.partition_path = partition_path;
    o.mode = mode;
    o.enable_dv = mode == DLK_DML_SOFT; /* the handle's soft delete enables the feature */
    dlk_delete_result r;
    memset(&r, 0, sizeof r);
    rc = dlk_table_delete(t->location, &o, &r);
    if (!rc) {
        if (deleted) *deleted = r.rows_deleted;
        if (r.version >= 0) dlk_api__after_write(t, r.version);
    }
    return rc;
#else
    (void)condition, (void)partition_path;
    return NOT_BUILT("DML (dml.h)", "delete");
#endif
}

/* ---- maintenance ---- */

int dlk_table_handle_history(dlk_table_handle *t, int64_t limit, dlk_history **out)
{
    if (!t || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "history: NULL argument");
    *out = NULL;
#ifdef DLK_HAVE_MAINT
    return dlk_table_history(t->location, limit, out);
#else
    (void)limit;
    return NOT_BUILT("maintenance (maintenance.h)", "history");
#endif
}

int dlk_table_handle_stats(dlk_table_handle *t, int64_t version, dlk_table_stats *out)
{
    if (!t || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "stats: NULL argument");
    memset(out, 0, sizeof *out);
#ifdef DLK_HAVE_MAINT
    return dlk_table_get_stats(t->location, version, out);
#else
    (void)version;
    return NOT_BUILT("maintenance (maintenance.h)", "stats");
#endif
}

int dlk_table_handle_op_metrics(dlk_table_handle *t, dlk_op_kind op, dlk_op_metrics *out)
{
    if (!t || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "op_metrics: NULL argument");
    memset(out, 0, sizeof *out);
    if ((unsigned)op >= DLK_OP__COUNT)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "op_metrics: unknown operation %d", (int)op);
#ifdef DLK_HAVE_MAINT
    return dlk_table_op_metrics(t->location, op, out);
#else
    return NOT_BUILT("maintenance (maintenance.h)", "operation metrics");
#endif
}

int dlk_table_handle_optimize(dlk_table_handle *t, const char *where,
                              const char *const *zorder_cols, size_t n_zorder_cols,
                              int64_t *files_removed, int64_t *files_added)
{
    if (files_removed) *files_removed = 0;
    if (files_added) *files_added = 0;
    if (!t || (n_zorder_cols && !zorder_cols))
        return dlk_err_set(DLK_INVALID_ARGUMENT, "optimize: NULL argument");
#ifdef DLK_HAVE_MAINT
    const dlk_config *cfg = &t->c->cfg;
    dlk_optimize_options o = DLK_OPTIMIZE_OPTIONS_INIT;
    o.where = where;
    o.zorder_cols = zorder_cols;
    o.n_zorder_cols = n_zorder_cols;
    o.target_size = (uint64_t)cfg->file_size_target;
    o.min_size = (uint64_t)cfg->file_size_min;
    o.max_size = (uint64_t)cfg->file_size_max;
    dlk_optimize_result r;
    memset(&r, 0, sizeof r);
    int rc = dlk_table_optimize(t->location, &o, &r);
    if (!rc) {
        if (files_removed) *files_removed = r.files_removed;
        if (files_added) *files_added = r.files_added;
    }
    return rc;
#else
    (void)where;
    return NOT_BUILT("maintenance (maintenance.h)", "optimize");
#endif
}

int dlk_table_handle_vacuum(dlk_table_handle *t, double retention_hours, bool dry_run,
                            int64_t *files)
{
    return dlk_table_handle_vacuum_force(t, retention_hours, dry_run, false, files);
}

int dlk_table_handle_vacuum_force(dlk_table_handle *t, double retention_hours, bool dry_run,
                                  bool force, int64_t *files)
{
    if (files) *files = 0;
    if (!t) return dlk_err_set(DLK_INVALID_ARGUMENT, "vacuum: NULL table");
#ifdef DLK_HAVE_MAINT
    dlk_vacuum_options o = DLK_VACUUM_OPTIONS_INIT;
    o.retention_hours = retention_hours < 0 ? (double)t->c->cfg.retention_hours : retention_hours;
    o.dry_run = dry_run;
    o.force = force || dry_run; /* a dry run deletes nothing: any retention may be previewed */
    dlk_vacuum_result r;
    memset(&r, 0, sizeof r);
    int rc = dlk_table_vacuum(t->location, &o, &r);
    if (!rc && files) *files = dry_run ? (int64_t)r.n_paths : r.files_deleted;
    dlk_vacuum_result_clear(&r);
    return rc;
#else
    (void)retention_hours, (void)dry_run, (void)force;
    return NOT_BUILT("maintenance (maintenance.h)", "vacuum");
#endif
}

int dlk_table_handle_restore(dlk_table_handle *t, int64_t version, const char *timestamp,
                             int64_t *new_version)
{
    if (new_version) *new_version = -1;
    if (!t || (version < 0 && !timestamp))
        return dlk_err_set(DLK_INVALID_ARGUMENT,
                           "restore: a version >= 0 or a timestamp is needed");
#ifdef DLK_HAVE_MAINT
    dlk_restore_result r;
    memset(&r, 0, sizeof r);
    int rc = dlk_table_restore(t->location, version, version >= 0 ? NULL : timestamp, &r);
    if (!rc && new_version) *new_version = r.version;
    return rc;
#else
    return NOT_BUILT("maintenance (maintenance.h)", "restore");
#endif
}

/* ---- auto-optimize / auto-vacuum ---- */

#ifdef DLK_HAVE_MAINT
/* Largest number of small files (< min_size) in one partition. */
static int64_t max_small_files(dlk_table_handle *t, int64_t min_size)
{
    dlk_snapshot *s = NULL;
    if (dlk_table_handle_snapshot(t, -1, &s)) return -1;
    size_t nf = dlk_snapshot_file_count(s);
    char **keys = dlk_calloc(nf ? nf : 1, sizeof *keys);
    int64_t *counts = dlk_calloc(nf ? nf : 1, sizeof *counts);
    size_t nk = 0;
    int64_t best = 0;
    for (size_t i = 0; keys && counts && i < nf; i++) {
        const dlk_file_info *f = dlk_snapshot_file(s, i);
        if (f->size >= min_size) continue;
        dlk_buf b = {0};
        for (size_t k = 0; k < f->n_partition_values; k++)
            dlk_buf_printf(&b, "%s=%s/", f->partition_keys[k],
                           f->partition_values[k] ? f->partition_values[k] : "\x01");
        const char *key = dlk_buf_cstr(&b);
        size_t j = 0;
        while (j < nk && strcmp(keys[j], key))
            j++;
        if (j == nk && (keys[nk] = dlk_strdup(key))) nk++;
        if (j < nk && ++counts[j] > best) best = counts[j];
        dlk_buf_free(&b);
    }
    for (size_t j = 0; j < nk; j++)
        dlk_free(keys[j]);
    dlk_free(keys);
    dlk_free(counts);
    dlk_snapshot_free(&s);
    return best;
}
#endif

void dlk_api__after_write(dlk_table_handle *t, int64_t version)
{
#ifdef DLK_HAVE_MAINT
    const dlk_config *cfg = &t->c->cfg;
    if (cfg->optimize_enabled) {
        int64_t worst = max_small_files(t, cfg->file_size_min);
        if (worst > cfg->optimize_min_files) {
            int64_t rem = 0, add = 0;
            if (dlk_table_handle_optimize(t, NULL, NULL, 0, &rem, &add)) {
                DLK_WARN("connector", "%s: auto-optimize failed: %s", t->location,
                         dlk_error_last()->message);
                dlk_error_clear();
            } else {
                DLK_INFO("connector",
                         "%s: auto-optimize: %" PRId64 " small files in a partition; %" PRId64
                         " files compacted into %" PRId64,
                         t->location, worst, rem, add);
            }
        }
    }
    if (cfg->vacuum_enabled && version > 0 && version % cfg->vacuum_interval == 0) {
        int64_t n = 0;
        if (dlk_table_handle_vacuum(t, -1, false, &n)) {
            DLK_WARN("connector", "%s: auto-vacuum failed: %s", t->location,
                     dlk_error_last()->message);
            dlk_error_clear();
        } else {
            DLK_INFO("connector",
                     "%s: auto-vacuum after version %" PRId64 ": %" PRId64 " files deleted",
                     t->location, version, n);
        }
    }
#else
    (void)t, (void)version;
#endif
}

/* write/write.c - create table, append and overwrite: records converted by the
 * table schema, written as Parquet files per partition (with stats), then
 * committed with optimistic concurrency (see include/deltalake/write.h). */
#define _POSIX_C_SOURCE 200809L
#include "deltalake/write.h"
#include "arrow/arrow.h"
#include "core/schema_ddl.h"
#include "core/schema.h"
#include "core/stats.h"
#include "core/commit.h"
#include "core/txn.h"
#include "deltalake/sys/storage.h"
#include "deltalake/version.h"
#include "ingest/records.h"
#include "core/colmap.h"
#include "write/write.h"
#include "parquet/writer.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/log.h"
#include "util/misc.h"
#include "util/path.h"
#include "util/str.h"
#include "util/time.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- schema text ------------------------------------------------------- */

int dlk_schema_parse(const char *text, struct ArrowSchema *out)
{
    if (!text || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema: NULL argument");
    if (text[0] != '@') return dlk_core_schema_ddl_parse(text, out);
    uint8_t *data = NULL; /* NUL-terminated */
    size_t len = 0;
    int rc = dlk_storage_read_local_file(text + 1, (size_t)64 << 20, &data, &len);
    if (!rc) {
        /* Either a bare schemaString or a JSON string holding one. */
        json_t *j = json_loadb((const char *)data, len, JSON_DECODE_ANY, NULL);
        if (j && json_is_string(j))
            rc = dlk_core_schema_from_json(json_string_value(j), out);
        else
            rc = dlk_core_schema_from_json((const char *)data, out);
        json_decref(j);
        if (rc) rc = dlk_err_context(rc, "%s", text + 1);
    }
    dlk_storage_bytes_free(data);
    return rc;
}

int dlk_schema_to_delta_json(const struct ArrowSchema *schema, char **out)
{
    dlk_buf b = {0};
    int rc = dlk_core_schema_to_json(schema, &b);
    if (rc) {
        dlk_buf_free(&b);
        return rc;
    }
    *out = dlk_buf_detach(&b); /* dlk_malloc'ed: freed with dlk_string_free */
    return *out ? DLK_OK : dlk_err_nomem();
}

/* ---- protocol ------------------------------------------------------------ */

static bool schema_has(const struct ArrowSchema *s, const char *fmt)
{
    if (!strcmp(s->format, fmt)) return true;
    for (int64_t i = 0; i < s->n_children; i++)
        if (schema_has(s->children[i], fmt)) return true;
    return false;
}

/* ---- create -------------------------------------------------------------- */

static int check_property(const char *k, const char *v)
{
    if (!strcmp(k, "delta.checkpointInterval") || !strcmp(k, "delta.dataSkippingNumIndexedCols")) {
        int64_t x;
        if (dlk_parse_i64(v, &x) || x < (strcmp(k, "delta.checkpointInterval") ? -1 : 1))
            return dlk_err_set(DLK_INVALID_ARGUMENT, "property %s: '%s' is not a valid number", k,
                               v);
    } else if (!strcmp(k, "delta.appendOnly") || !strcmp(k, "delta.enableDeletionVectors")) {
        bool b;
        if (dlk_parse_bool(v, &b))
            return dlk_err_set(DLK_INVALID_ARGUMENT, "property %s: '%s' is not true/false", k, v);
    } else if (!strcmp(k, "delta.enableChangeDataFeed") && strcmp(v, "false")) {
        return dlk_err_set(DLK_UNSUPPORTED, "property %s=%s (change data feed)", k, v);
    } else if (!strcmp(k, "delta.columnMapping.mode") && dlk_ops__cm_mode_of(v) < 0) {
        return dlk_err_set(DLK_INVALID_ARGUMENT, "property %s: '%s' is not none, name or id", k, v);
    } else if (!strcmp(k, "delta.columnMapping.maxColumnId")) {
        return dlk_err_set(DLK_INVALID_ARGUMENT, "property %s is set by the writer", k);
    }
    return DLK_OK;
}

int dlk_ops__metadata_new(dlk_arena *a, const struct ArrowSchema *schema, json_t *partition_cols,
                          json_t *config, const char *name, const char *description,
                          dlk_metadata_action *out)
{
    dlk_buf ss = {0};
    int rc = dlk_core_schema_to_json(schema, &ss);
    size_t n = json_array_size(partition_cols);
    const char **pc = rc ? NULL : dlk_calloc(n ? n : 1, sizeof *pc);
    if (!rc && !pc) rc = dlk_err_nomem();
    for (size_t i = 0; !rc && i < n; i++)
        pc[i] = json_string_value(json_array_get(partition_cols, i));
    if (!rc) rc = dlk_log_metadata_new(a, dlk_buf_cstr(&ss), pc, n, NULL, name, description, out);
    const char *k;
    json_t *v;
    json_object_foreach(config, k, v)
    {
        if (!rc) rc = dlk_log_kvs_set(a, &out->configuration, k, json_string_value(v));
    }
    dlk_free(pc);
    dlk_buf_free(&ss);
    return rc;
}

/* The partition column a create option names ("bucket(N, col)" ->
 * "col_bucket") into out. */
static void partition_name(const char *spec, char *out, size_t cap)
{
    const char *comma = strchr(spec, ',');
    if (strncmp(spec, "bucket(", 7) || !comma) {
        snprintf(out, cap, "%s", spec);
        return;
    }
    const char *b = comma + 1, *e = strchr(b, ')');
    if (!e) e = b + strlen(b);
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    snprintf(out, cap, "%.*s_bucket", (int)(e - b), b);
}

/* create --if-not-exists over an existing table: it must have the schema
 * and partitioning asked for; else DLK_ALREADY_EXISTS naming the first
 * difference. */
static int reuse_check(const char *table, const struct ArrowSchema *schema,
                       const dlk_create_options *opts)
{
    dlk_txn_state st;
    int rc = dlk_core__state_load(table, false, false, &st);
    if (rc) return rc;
    char want[256], have[256];
    dlk_buf a = {0}, b = {0};
    const char *why = NULL;
    const char *name = NULL;
    for (int64_t i = 0; !rc && !why && i < schema->n_children; i++) {
        const struct ArrowSchema *f = schema->children[i];
        int64_t j = dlk_arrow_schema_find(&st.schema, f->name);
        name = f->name;
        if (j < 0) {
            why = "is not in the existing table";
            break;
        }
        const struct ArrowSchema *g = st.schema.children[j];
        dlk_buf_reset(&a);
        dlk_buf_reset(&b);
        if ((rc = dlk_core_type_name(f, &a)) || (rc = dlk_core_type_name(g, &b))) break;
        if (strcmp(dlk_buf_cstr(&a), dlk_buf_cstr(&b))) {
            snprintf(want, sizeof want, "%s", dlk_buf_cstr(&a));
            snprintf(have, sizeof have, "%s", dlk_buf_cstr(&b));
            why = "type";
        } else if (!(f->flags & ARROW_FLAG_NULLABLE) != !(g->flags & ARROW_FLAG_NULLABLE)) {
            why = g->flags & ARROW_FLAG_NULLABLE ? "is nullable in the existing table, not NOT NULL"
                                                 : "is NOT NULL in the existing table";
        }
    }
    for (int64_t j = 0; !rc && !why && j < st.schema.n_children; j++) {
        const char *nm = st.schema.children[j]->name;
        bool generated = false;
        for (size_t p = 0; p < opts->n_partition_cols; p++) {
            char pn[256];
            partition_name(opts->partition_cols[p], pn, sizeof pn);
            generated |= strncmp(opts->partition_cols[p], "bucket(", 7) == 0 && !strcmp(pn, nm);
        }
        if (!generated && dlk_arrow_schema_find(schema, nm) < 0) {
            name = nm;
            why = "exists in the table but not in --schema";
        }
    }
    if (!rc && why) {
        if (!strcmp(why, "type"))
            rc = dlk_err_set(
                DLK_ALREADY_EXISTS,
                "%s: a table with another schema exists: column '%s' is %s there, not %s", table,
                name, have, want);
        else
            rc = dlk_err_set(DLK_ALREADY_EXISTS,
                             "%s: a table with another schema exists: column '%s' %s", table, name,
                             why);
    }
    bool same_parts = st.n_part == opts->n_partition_cols;
    for (size_t p = 0; same_parts && p < st.n_part; p++) {
        partition_name(opts->partition_cols[p], want, sizeof want);
        same_parts = !strcmp(want, st.partition_cols[p]);
    }
    if (!rc && !same_parts) {
        dlk_buf_reset(&a);
        dlk_buf_reset(&b);
        for (size_t p = 0; p < st.n_part; p++)
            dlk_buf_printf(&b, "%s%s", p ? ", " : "", st.partition_cols[p]);
        for (size_t p = 0; p < opts->n_partition_cols; p++) {
            partition_name(opts->partition_cols[p], want, sizeof want);
            dlk_buf_printf(&a, "%s%s", p ? ", " : "", want);
        }
        rc = dlk_err_set(
            DLK_ALREADY_EXISTS,
            "%s: a table with another partitioning exists: partitioned by (%s) there, not (%s)",
            table, dlk_buf_cstr(&b), dlk_buf_cstr(&a));
    }
    dlk_buf_free(&a);
    dlk_buf_free(&b);
    dlk_core__state_free(&st);
    return rc;
}

int dlk_table_create(const char *table, const struct ArrowSchema *schema,
                     const dlk_create_options *opts, int64_t *version)
{
    dlk_create_options d = DLK_CREATE_OPTIONS_INIT;
    if (!opts) opts = &d;
    if (!table || !schema || strcmp(schema->format, "+s") || schema->n_children == 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT,
                           "create: a table path and a non-empty struct schema are needed");
    int64_t latest; /* refuses locations the write path cannot write */
    int rc = dlk_core__log_latest(table, &latest);
    if (rc) return rc;
    if (latest >= 0) {
        if (opts->reuse) {
            if ((rc = reuse_check(table, schema, opts))) return rc;
            if (version) *version = latest;
            return DLK_OK;
        }
        return dlk_err_set(DLK_ALREADY_EXISTS,
                           "%s: a Delta table already exists (version %" PRId64 ")", table, latest);
    }
    json_t *pcols = json_array(), *conf = json_object();
    struct ArrowSchema ext = {0}; /* schema plus generated bucket columns */
    size_t n_bucket = 0;
    for (size_t i = 0; i < opts->n_partition_cols; i++)
        if (!strncmp(opts->partition_cols[i], "bucket(", 7)) n_bucket++;
    if (n_bucket) {
        rc = dlk_arrow_schema_new(&ext, "+s", schema->name, schema->flags,
                                  schema->n_children + (int64_t)n_bucket);
        for (int64_t i = 0; i < schema->n_children && !rc; i++) {
            dlk_arrow_schema_release(ext.children[i]);
            rc = dlk_arrow_schema_copy(schema->children[i], ext.children[i]);
        }
        if (rc) goto out;
    }
    int64_t next_bucket = schema->n_children;
    for (size_t i = 0; i < opts->n_partition_cols; i++) {
        const char *pc = opts->partition_cols[i];
        char bname[300];
        if (!strncmp(pc, "bucket(", 7)) {
            /* bucket(N, col): a generated int partition column col_bucket */
            char *end;
            long nb = strtol(pc + 7, &end, 10);
            while (*end == ' ')
                end++;
            const char *col = end + 1;
            while (*col == ' ')
                col++;
            size_t cl = strlen(col);
            while (cl && col[cl - 1] == ' ')
                cl--;
            if (nb < 1 || nb > 100000 || *end != ',' || cl < 2 || col[cl - 1] != ')') {
                rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                                 "partition '%s': expected bucket(N, column) with N in 1..100000",
                                 pc);
                goto out;
            }
            cl--;
            while (cl && col[cl - 1] == ' ')
                cl--;
            char src[256];
            snprintf(src, sizeof src, "%.*s", (int)(cl < 255 ? cl : 255), col);
            if (dlk_arrow_schema_find(schema, src) < 0) {
                rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                                 "partition '%s': column '%s' is not in the schema", pc, src);
                goto out;
            }
            snprintf(bname, sizeof bname, "%s_bucket", src);
            if (dlk_arrow_schema_find(schema, bname) >= 0) {
                rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                                 "partition '%s': the schema already has a column '%s'", pc, bname);
                goto out;
            }
            dlk_arrow_schema_release(ext.children[next_bucket]);
            if ((rc = dlk_arrow_schema_new(ext.children[next_bucket++], "i", bname, 0, 0)))
                goto out;
            char key[340], val[300];
            snprintf(key, sizeof key, "deltalake.hashBucket.%s", bname);
            snprintf(val, sizeof val, "%ld,%s", nb, src);
            json_object_set_new(conf, key, json_string(val));
            json_array_append_new(pcols, json_string(bname));
            continue;
        }
        int64_t idx = dlk_arrow_schema_find(schema, pc);
        if (idx < 0) {
            rc =
                dlk_err_set(DLK_INVALID_ARGUMENT, "partition column '%s' is not in the schema", pc);
            goto out;
        }
        const char *f = schema->children[idx]->format;
        if (f[0] == '+' || !strcmp(f, "z")) {
            rc = dlk_err_set(DLK_UNSUPPORTED, "partition column '%s' of a nested or binary type",
                             pc);
            goto out;
        }
        json_array_append_new(pcols, json_string(pc));
    }
    if (n_bucket) schema = &ext;
    if (opts->n_partition_cols >= (size_t)schema->n_children) {
        rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                         "every column is a partition column; a data column is needed");
        goto out;
    }
    bool dv = false;
    for (size_t i = 0; i < opts->n_props; i++) {
        if ((rc = check_property(opts->prop_keys[i], opts->prop_values[i]))) goto out;
        if (!strcmp(opts->prop_keys[i], "delta.enableDeletionVectors") &&
            dlk_str_ieq(opts->prop_values[i], "true"))
            dv = true;
        json_object_set_new(conf, opts->prop_keys[i], json_string(opts->prop_values[i]));
    }
    bool ntz = schema_has(schema, "tsu:");
    /* column mapping: every field gets an id and a physical name col-<uuid> */
    bool cmap = dlk_ops__cm_mode_of(
                    json_string_value(json_object_get(conf, "delta.columnMapping.mode"))) > 0;
    if (cmap) {
        if (schema != &ext) {
            if ((rc = dlk_arrow_schema_copy(schema, &ext))) goto out;
            schema = &ext;
        }
        int64_t mx = 0;
        if ((rc = dlk_ops__cm_assign(&ext, &mx, false))) goto out;
        char mb[32];
        snprintf(mb, sizeof mb, "%" PRId64, mx);
        json_object_set_new(conf, "delta.columnMapping.maxColumnId", json_string(mb));
    }
    /* the protocol: reader 1 / writer 2, or table features for what the
     * table uses from the start (core/protocol.h) */
    const char *feats[3];
    size_t n_feats = 0;
    if (ntz) feats[n_feats++] = "timestampNtz";
    if (dv) feats[n_feats++] = "deletionVectors";
    if (cmap) feats[n_feats++] = "columnMapping";
    dlk_arena arena = {0};
    dlk_metadata_action md;
    if ((rc = dlk_ops__metadata_new(&arena, schema, pcols, conf, opts->name, opts->description,
                                    &md))) {
        dlk_arena_free(&arena);
        goto out;
    }
    char *pb = json_dumps(pcols, JSON_COMPACT), *props = json_dumps(conf, JSON_COMPACT);
    json_t *params =
        json_pack("{s:s,s:s?,s:s,s:s}", "isManaged", "false", "description", opts->description,
                  "partitionBy", pb ? pb : "[]", "properties", props ? props : "{}");
    free(pb);
    free(props);
    dlk_commit_req req = {0};
    req.root = table;
    req.read_version = -1;
    req.operation = "CREATE TABLE";
    req.params = params;
    req.features = feats;
    req.n_features = n_feats;
    req.metadata = &md;
    dlk_commit_res cres;
    if (!rc) rc = dlk_core__commit(&req, &cres);
    json_decref(params);
    dlk_arena_free(&arena);
    if (rc == DLK_ALREADY_EXISTS) {
        if (opts->reuse) {
            dlk_error_clear();
            rc = reuse_check(table, schema, opts);
        } else {
            rc = dlk_err_set(DLK_ALREADY_EXISTS,
                             "%s: a Delta table already exists (created concurrently)", table);
        }
    }
    if (!rc && version) *version = 0;
out:
    json_decref(pcols);
    json_decref(conf);
    dlk_arrow_schema_release(&ext);
    return rc;
}

/* write/checkpoint.c - classic single-file Parquet checkpoints
 * (`_delta_log/<v>.checkpoint.parquet`) and `_delta_log/_last_checkpoint`:
 * the replayed state rendered as checkpoint rows (one action per row) and
 * converted by the checkpoint schema with the records converter. */
#define _POSIX_C_SOURCE 200809L
#include "arrow/arrow.h"
#include "core/schema_ddl.h"
#include "core/txn.h"
#include "deltalake/write.h"
#include "log/cleanup.h"
#include "ingest/records.h"
#include "write/write.h"
#include "parquet/writer.h"
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

/* The checkpoint schema (the Delta protocol "Checkpoint Schema"). */
static const char CHECKPOINT_DDL[] =
    "txn struct<appId: string, version: long, lastUpdated: long>, "
    "add struct<path: string, partitionValues: map<string,string>, size: long, modificationTime: "
    "long, "
    "dataChange: boolean, stats: string, tags: map<string,string>, "
    "deletionVector struct<storageType: string, pathOrInlineDv: string, offset: int, sizeInBytes: "
    "int, "
    "cardinality: long>, baseRowId long, defaultRowCommitVersion long, clusteringProvider string>, "
    "remove struct<path: string, deletionTimestamp: long, dataChange: boolean, "
    "extendedFileMetadata: boolean, "
    "partitionValues: map<string,string>, size: long, tags: map<string,string>, "
    "deletionVector struct<storageType: string, pathOrInlineDv: string, offset: int, sizeInBytes: "
    "int, "
    "cardinality: long>, baseRowId long, defaultRowCommitVersion long>, "
    "metaData struct<id: string, name: string, description: string, "
    "format: struct<provider: string, options: map<string,string>>, schemaString: string, "
    "partitionColumns: array<string>, configuration: map<string,string>, createdTime: long>, "
    "protocol struct<minReaderVersion: int, minWriterVersion: int, readerFeatures: array<string>, "
    "writerFeatures: array<string>>";

static int line(dlk_buf *b, const char *kind, json_t *obj)
{
    return dlk_core__put_action(b, kind, obj);
}

static int write_file_atomic(const char *path, const void *p, size_t n)
{
    dlk_buf tmp = {0};
    char uuid[37];
    dlk_uuid_string(uuid);
    int rc = dlk_buf_printf(&tmp, "%s.%s.tmp", path, uuid);
    if (rc) return rc;
    FILE *f = fopen(dlk_buf_cstr(&tmp), "wb");
    if (!f) {
        rc = dlk_err_errno("create", dlk_buf_cstr(&tmp));
        dlk_buf_free(&tmp);
        return rc;
    }
    if (fwrite(p, 1, n, f) != n || fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = dlk_err_errno("write", dlk_buf_cstr(&tmp));
    fclose(f);
    if (!rc && rename(dlk_buf_cstr(&tmp), path) != 0) rc = dlk_err_errno("rename", path);
    if (rc) unlink(dlk_buf_cstr(&tmp));
    dlk_buf_free(&tmp);
    return rc;
}

int dlk_ops__checkpoint_at(const char *root, int64_t version)
{
    dlk_txn_state st;
    int rc = dlk_core__state_load_at(root, version, true, false, &st);
    if (rc) return rc;
    dlk_buf rows = {0}, file = {0}, path = {0}, last = {0};
    struct ArrowSchema cs = {0};
    dlk_records_reader *r = NULL;
    dlk_pq_writer *w = NULL;
    dlk_pq_write_result *res = NULL;
    int64_t n_rows = 0, n_adds = 0;
    rc = line(&rows, "protocol", st.protocol);
    if (!rc) rc = line(&rows, "metaData", st.metadata);
    n_rows = 2;
    size_t pos = 0;
    dlk_map_entry *e;
    while (!rc && (e = dlk_map_next(&st.txns, &pos))) {
        rc = line(&rows, "txn", e->value);
        n_rows++;
    }
    pos = 0;
    while (!rc && (e = dlk_map_next(&st.files, &pos))) {
        json_t *add = json_deep_copy(e->value);
        if (!add) {
            rc = dlk_err_nomem();
            break;
        }
        json_object_set_new(add, "dataChange", json_false());
        rc = line(&rows, "add", add);
        json_decref(add);
        n_rows++;
        n_adds++;
    }
    /* Tombstones older than delta.deletedFileRetentionDuration (default one
     * week) are expired (the Delta protocol: a checkpoint may drop them; vacuum
     * never needs them again), so checkpoints do not grow forever. */
    double tomb_ms = 168 * 3600000.0;
    if (!dlk_interval_ms(dlk_core__state_config(&st, "delta.deletedFileRetentionDuration"),
                              &tomb_ms))
        tomb_ms = 168 * 3600000.0;
    int64_t tomb_cutoff = dlk_now_micros() / 1000 - (int64_t)tomb_ms;
    pos = 0;
    while (!rc && (e = dlk_map_next(&st.tombstones, &pos))) {
        json_t *ts = json_object_get(e->value, "deletionTimestamp");
        if (json_is_integer(ts) && json_integer_value(ts) < tomb_cutoff) continue;
        json_t *rm = json_deep_copy(e->value);
        if (!rm) {
            rc = dlk_err_nomem();
            break;
        }
        json_object_set_new(rm, "dataChange", json_false());
        json_object_del(rm, "stats");
        rc = line(&rows, "remove", rm);
        json_decref(rm);
        n_rows++;
    }
    if (!rc) rc = dlk_core_schema_ddl_parse(CHECKPOINT_DDL, &cs);
    dlk_records_options ro = DLK_RECORDS_OPTIONS_INIT;
    ro.strict = false;
    if (!rc) rc = dlk_ops_records_open_mem(&cs, &ro, (const char *)rows.data, rows.len, &r);
    if (!rc) rc = dlk_pq_writer_open(&cs, NULL, dlk_pq_sink_buf(&file), &w);
    while (!rc) {
        struct ArrowArray b;
        if ((rc = dlk_ops_records_next(r, &b))) break;
        if (!b.release) break;
        rc = dlk_pq_writer_write(w, &b);
        dlk_arrow_array_release(&b);
    }
    if (w) {
        if (!rc)
            rc = dlk_pq_writer_close(w, &res);
        else
            dlk_pq_writer_abort(w);
    }
    if (rc) rc = dlk_err_context(rc, "checkpoint %" PRId64, version);
    if (!rc)
        rc =
            dlk_buf_printf(&path, "%s/_delta_log/%020" PRId64 ".checkpoint.parquet", root, version);
    if (!rc) rc = write_file_atomic(dlk_buf_cstr(&path), file.data, file.len);
    if (!rc) {
        /* _last_checkpoint only moves forward */
        dlk_buf_reset(&path);
        rc = dlk_buf_printf(&path, "%s/_delta_log/_last_checkpoint", root);
        bool newer = true;
        FILE *f = rc ? NULL : fopen(dlk_buf_cstr(&path), "rb");
        if (f) {
            json_t *j = json_loadf(f, 0, NULL);
            if (j && json_integer_value(json_object_get(j, "version")) > version) newer = false;
            json_decref(j);
            fclose(f);
        }
        if (!rc && newer) {
            rc = dlk_buf_printf(&last,
                                "{\"version\":%" PRId64 ",\"size\":%" PRId64 ",\"sizeInBytes\":%zu,"
                                "\"numOfAddFiles\":%" PRId64 "}\n",
                                version, n_rows, file.len, n_adds);
            if (!rc) rc = write_file_atomic(dlk_buf_cstr(&path), last.data, last.len);
        }
    }
    if (!rc) {
        /* expired log cleanup (maint_int.h); best effort */
        const char *ec = dlk_core__state_config(&st, "delta.enableExpiredLogCleanup");
        double keep_ms = 30 * 24 * 3600000.0;
        if (!dlk_interval_ms(dlk_core__state_config(&st, "delta.logRetentionDuration"),
                                  &keep_ms))
            keep_ms = 30 * 24 * 3600000.0;
        if ((!ec || !dlk_str_ieq(ec, "false")) && dlk_log__cleanup(root, keep_ms, NULL)) {
            DLK_WARN("checkpoint", "%s: log cleanup failed: %s", root, dlk_error_last()->message);
            dlk_error_clear();
        }
    }
    dlk_pq_write_result_free(res);
    dlk_ops_records_free(r);
    dlk_arrow_schema_release(&cs);
    dlk_buf_free(&rows);
    dlk_buf_free(&file);
    dlk_buf_free(&path);
    dlk_buf_free(&last);
    dlk_core__state_free(&st);
    return rc;
}

int dlk_table_checkpoint(const char *table, int64_t *version)
{
    int64_t v;
    int rc = dlk_core__log_latest(table, &v);
    if (rc) return rc;
    if (v < 0)
        return dlk_err_set(DLK_NOT_FOUND, "%s: not a Delta table (no _delta_log commits)", table);
    rc = dlk_ops__checkpoint_at(table, v);
    if (!rc && version) *version = v;
    return rc;
}

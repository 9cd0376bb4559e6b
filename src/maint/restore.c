/*
 * maint/restore.c - dlk_table_restore: a new version whose active files are
 * those of an earlier version (include/deltalake/maintenance.h). Files are
 * compared by logical key (decoded path + deletion-vector id); files of the
 * old version missing now are added back (after checking they still exist:
 * vacuum may have deleted them), files not in the old version are removed.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/protocol.h"
#include "core/dv.h"
#include "core/snapshot.h"
#include "core/txn.h"
#include "deltalake/maintenance.h"
#include "log/actions.h"
#include "maint/maint_int.h"
#include "core/metrics.h"
#include "write/write.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/path.h"
#include "util/time.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Logical key of snapshot file i into b. */
static int file_key(const dlk_snapshot *s, size_t i, dlk_buf *b)
{
    dlk_buf_reset(b);
    int rc = dlk_buf_puts(b, s->files[i].path);
    if (!rc) rc = dlk_buf_putc(b, 0);
    if (!rc && s->st.active[i]->dv) rc = dlk_dv_unique_id(s->st.active[i]->dv, b);
    return rc;
}

static int key_map(const dlk_snapshot *s, dlk_map *m)
{
    dlk_buf b = {0};
    int rc = DLK_OK;
    for (size_t i = 0; i < s->n_files && !rc; i++) {
        if (!(rc = file_key(s, i, &b)))
            rc = dlk_map_put(m, b.data, b.len, (void *)(uintptr_t)(i + 1), NULL);
    }
    dlk_buf_free(&b);
    return rc;
}

/* The data file (and DV file) of old snapshot file i must still exist. */
static int check_exists(dlk_table *t, const dlk_snapshot *old, size_t i)
{
    const dlk_file_info *f = &old->files[i];
    dlk_storage_entry e;
    memset(&e, 0, sizeof e);
    int rc = dlk_storage_head(t->storage, f->path, &e);
    if (rc == DLK_NOT_FOUND)
        return dlk_err_set(DLK_NOT_FOUND,
                           "restore: data file '%s' of version %" PRId64
                           " no longer exists (deleted by vacuum?)",
                           f->path, old->version);
    if (rc) return rc;
    const dlk_dv *dv = old->st.active[i]->dv;
    if (dv && (dv->storage_type == 'u' || dv->storage_type == 'p')) {
        char *k = NULL;
        if ((rc = dlk_dv_file_key(dv, &k))) return rc;
        rc = dlk_storage_head(t->storage, k, &e);
        if (rc == DLK_NOT_FOUND)
            rc = dlk_err_set(DLK_NOT_FOUND,
                             "restore: deletion vector file '%s' of version %" PRId64
                             " no longer exists (deleted "
                             "by vacuum?)",
                             k, old->version);
        dlk_free(k);
    }
    return rc;
}

static int64_t records_of(const dlk_snapshot *s, size_t i, bool *known)
{
    int64_t n = dlk_ops__file_records(s, &s->files[i]);
    if (n < 0) {
        *known = false;
        return 0;
    }
    return n - s->files[i].deleted_rows;
}

static int restore_impl(const char *table, int64_t version, const char *timestamp,
                        dlk_restore_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    dlk_table *t = NULL;
    dlk_snapshot *now_s = NULL, *old = NULL;
    dlk_txn_state st;
    bool st_ok = false;
    dlk_map now_keys = {0}, old_keys = {0}, removed = {0};
    dlk_buf commit = {0}, key = {0}, lines = {0};
    int rc = dlk_table_open(table, &t);
    if (!rc) rc = dlk_table_snapshot(t, -1, &now_s);
    if (rc) goto out;
    if ((rc = dlk_core__state_load_at(table, now_s->version, false, false, &st))) goto out;
    st_ok = true;
    if ((rc = dlk_core__check_writable(&st))) goto out;
    if (version >= 0)
        rc = dlk_table_snapshot(t, version, &old);
    else
        rc = dlk_table_snapshot_at_text(t, timestamp, &old);
    if (rc) goto out;
    r->restored_version = old->version;
    if ((rc = key_map(now_s, &now_keys)) || (rc = key_map(old, &old_keys))) goto out;

    int64_t now_ms = dlk_now_micros() / 1000;
    int64_t n_add = 0, n_rm = 0, add_bytes = 0, rm_bytes = 0, add_rows = 0, rm_rows = 0;
    bool rows_known = true;
    for (size_t i = 0; i < old->n_files && !rc; i++) {
        if ((rc = file_key(old, i, &key))) break;
        if (dlk_map_get(&now_keys, key.data, key.len, NULL)) continue;
        if ((rc = check_exists(t, old, i))) break;
        dlk_action a;
        memset(&a, 0, sizeof a);
        a.kind = DLK_ACTION_ADD;
        a.u.add = *old->st.active[i];
        a.u.add.data_change = true;
        rc = dlk_log_action_to_json(&a, &lines);
        n_add++;
        add_bytes += old->files[i].size;
        add_rows += records_of(old, i, &rows_known);
    }
    for (size_t i = 0; i < now_s->n_files && !rc; i++) {
        if ((rc = file_key(now_s, i, &key))) break;
        if (dlk_map_get(&old_keys, key.data, key.len, NULL)) continue;
        const dlk_add_action *ad = now_s->st.active[i];
        dlk_action a;
        dlk_log_remove_of_add(ad, now_ms, true, &a);
        rc = dlk_log_action_to_json(&a, &lines);
        if (!rc) rc = dlk_map_put_str(&removed, ad->path, (void *)1);
        n_rm++;
        rm_bytes += now_s->files[i].size;
        rm_rows += records_of(now_s, i, &rows_known);
    }
    if (rc) goto out;
    int64_t total_bytes = 0;
    for (size_t i = 0; i < old->n_files; i++)
        total_bytes += old->files[i].size;
    json_t *params = json_object();
    json_object_set_new(params, "version", json_integer(old->version));
    if (version < 0 && timestamp) json_object_set_new(params, "timestamp", json_string(timestamp));
    json_t *metrics = json_object();
#define METRIC(k, v) dlk_core__metric(metrics, k, (int64_t)(v))
    METRIC("numRestoredFiles", n_add);
    METRIC("numRemovedFiles", n_rm);
    METRIC("restoredFilesSize", add_bytes);
    METRIC("removedFilesSize", rm_bytes);
    METRIC("numOfFilesAfterRestore", old->n_files);
    METRIC("tableSizeAfterRestore", total_bytes);
    if (rows_known) {
        METRIC("numRestoredRows", add_rows);
        METRIC("numRemovedRows", rm_rows);
    }
    METRIC("executionTimeMs", (dlk_monotonic_ns() - t0) / 1000000);
#undef METRIC
    dlk_commit_req req = {0};
    req.root = table;
    req.read_version = now_s->version;
    req.operation = "RESTORE";
    req.params = params;
    req.metrics = metrics;
    req.body = (const char *)lines.data;
    req.body_len = lines.len;
    req.intent.read_all = true;
    req.intent.removes = &removed;
    dlk_commit_res cres;
    rc = dlk_core__commit(&req, &cres);
    json_decref(params);
    json_decref(metrics);
    if (!rc) r->version = cres.version;
    if (!rc) {
        r->files_added = n_add;
        r->files_removed = n_rm;
    }
out:
    if (st_ok) dlk_core__state_free(&st);
    dlk_map_free(&now_keys);
    dlk_map_free(&old_keys);
    dlk_map_free(&removed);
    dlk_buf_free(&commit);
    dlk_buf_free(&key);
    dlk_buf_free(&lines);
    dlk_snapshot_free(&old);
    dlk_snapshot_free(&now_s);
    dlk_table_free(&t);
    return rc;
}

int dlk_table_restore(const char *table, int64_t version, const char *timestamp,
                      dlk_restore_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    dlk_restore_result dummy;
    if (!r) r = &dummy;
    memset(r, 0, sizeof *r);
    r->version = r->restored_version = -1;
    int rc;
    if (!table)
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "restore: no table");
    else if (version < -1 || (version == -1 && !timestamp))
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "restore: a version >= 0 or a timestamp is needed");
    else if ((rc = dlk_core__writable_location(table)))
        ;
    else
        rc = restore_impl(table, version, timestamp, r);
    if (rc) {
        rc = dlk_err_context(rc, "%s", table);
        r->version = -1;
    }
    dlk_ops__metrics_record(table, DLK_OP_RESTORE, dlk_ops__ms_since(t0), rc == DLK_OK);
    return rc;
}

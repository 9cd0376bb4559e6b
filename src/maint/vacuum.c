/*
 * maint/vacuum.c - dlk_table_vacuum: delete the files of the table folder
 * that no version within the retention references
 * (include/deltalake/maintenance.h).
 *
 * Referenced: the latest snapshot's active files and their deletion-vector
 * files, and the tombstones (removes) whose deletionTimestamp is newer than
 * now - retention, with their DV files (the log reader's replay keeps the
 * tombstones of commits and checkpoints, DLK_REPLAY_TOMBSTONES). Candidates
 * come from one recursive listing through the storage vtable; _delta_log
 * and hidden names ('_' or '.' first, unless a '_' name holds '=') are
 * skipped at every level, and files modified within the retention are kept
 * (a write may be in flight).
 */
#define _POSIX_C_SOURCE 200809L
#include "core/dv.h"
#include "core/snapshot.h"
#include "deltalake/maintenance.h"
#include "log/replay.h"
#include "log/segment.h"
#include "maint/maint_int.h"
#include "core/metrics.h"
#include "write/write.h"
#include "util/progress.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/path.h"
#include "util/str.h"
#include "util/time.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RETENTION_MS (168.0 * DLK_MAINT_MS_PER_HOUR)

void dlk_vacuum_result_clear(dlk_vacuum_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_paths; i++)
        dlk_free(r->paths[i]);
    dlk_free(r->paths);
    memset(r, 0, sizeof *r);
}

/* Is a path component hidden for vacuum? */
static bool hidden(const char *name, size_t n)
{
    if (n == 0) return false;
    if (name[0] == '.') return true;
    if (name[0] == '_') return memchr(name, '=', n) == NULL;
    return false;
}

static bool skipped_key(const char *key)
{
    if (!strncmp(key, "_delta_log/", 11)) return true;
    for (const char *p = key; *p;) {
        const char *s = strchr(p, '/');
        size_t n = s ? (size_t)(s - p) : strlen(p);
        if (hidden(p, n)) return true;
        if (!s) break;
        p = s + 1;
    }
    return false;
}

/* Key of a decoded add/remove path relative to the table, or NULL when the
 * file lives outside it. */
static const char *rel_key(const char *root, const char *path)
{
    if (path[0] != '/') return path;
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    if (!strncmp(path, root, rl) && path[rl] == '/') return path + rl + 1;
    return NULL;
}

static int keep(dlk_map *m, const char *root, const char *path)
{
    const char *k = rel_key(root, path);
    return k ? dlk_map_put_str(m, k, (void *)1) : DLK_OK;
}

static int keep_dv(dlk_map *m, const char *root, const dlk_dv *dv)
{
    if (!dv || (dv->storage_type != 'u' && dv->storage_type != 'p')) return DLK_OK;
    char *k = NULL;
    int rc = dlk_dv_file_key(dv, &k);
    if (rc) return rc;
    rc = keep(m, root, k);
    dlk_free(k);
    return rc;
}

static int commit_info_only(const char *table, int64_t read_version, const char *op, json_t *params,
                            json_t *metrics)
{
    dlk_commit_req req = {0};
    req.root = table;
    req.read_version = read_version;
    req.operation = op;
    req.params = params;
    req.metrics = metrics;
    dlk_commit_res res;
    return dlk_core__commit(&req, &res);
}

static int vacuum_impl(const char *table, const dlk_vacuum_options *o, dlk_vacuum_result *r)
{
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    dlk_log_segment seg;
    dlk_log_state ls;
    bool seg_ok = false, ls_ok = false;
    dlk_map refs = {0};
    dlk_storage_list list = {0};
    int64_t *sizes = NULL;
    int rc = dlk_table_open(table, &t);
    if (!rc) rc = dlk_table_snapshot(t, -1, &s);
    if (rc) goto out;
    const char *root = s->table->location;
    double table_min = DEFAULT_RETENTION_MS;
    const char *prop = dlk_snapshot_property_get(s, "delta.deletedFileRetentionDuration");
    if (prop && !dlk_interval_ms(prop, &table_min)) {
        rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                         "vacuum: cannot parse delta.deletedFileRetentionDuration '%s'", prop);
        goto out;
    }
    double retention =
        o->retention_hours < 0 ? table_min : o->retention_hours * DLK_MAINT_MS_PER_HOUR;
    if (isnan(o->retention_hours) || isinf(o->retention_hours)) {
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "vacuum: retention hours must be a finite number");
        goto out;
    }
    if (retention < table_min && !o->force) {
        rc = dlk_err_set(
            DLK_INVALID_ARGUMENT,
            "vacuum: a retention of %g hours is below the table's minimum of %g hours "
            "(delta.deletedFileRetentionDuration); files still needed by readers or time travel "
            "could be deleted - force (--force) does it anyway",
            retention / DLK_MAINT_MS_PER_HOUR, table_min / DLK_MAINT_MS_PER_HOUR);
        goto out;
    }
    int64_t now = dlk_now_micros() / 1000;
    int64_t cutoff = now - (int64_t)retention;

    /* what the log references: latest state + unexpired tombstones */
    if ((rc = dlk_log_segment_build(t->storage, dlk_snapshot_version(s), &seg))) goto out;
    seg_ok = true;
    ls_ok = true; /* the replay zeroes ls first; what it built is freed on failure too */
    if ((rc = dlk_log_replay_ex(t->storage, &seg, DLK_REPLAY_TOMBSTONES | DLK_REPLAY_NO_ACTIVE,
                                &ls)))
        goto out;
    size_t pos = 0;
    dlk_map_entry *e;
    while (!rc && (e = dlk_map_next(&ls.files, &pos))) {
        const dlk_add_action *a = e->value;
        const char *dec;
        rc = dlk_log_path_decode(a->path, &ls.arena, &dec);
        if (!rc) rc = keep(&refs, root, dec);
        if (!rc) rc = keep_dv(&refs, root, a->dv);
    }
    pos = 0;
    int64_t n_tomb = 0;
    while (!rc && (e = dlk_map_next(&ls.tombstones, &pos))) {
        const dlk_remove_action *rm = e->value;
        if (rm->has_deletion_timestamp && rm->deletion_timestamp <= cutoff) continue; /* expired */
        n_tomb++;
        const char *dec;
        rc = dlk_log_path_decode(rm->path, &ls.arena, &dec);
        if (!rc) rc = keep(&refs, root, dec);
        if (!rc) rc = keep_dv(&refs, root, rm->dv);
    }
    if (rc) goto out;

    /* candidates */
    if ((rc = dlk_storage_list_prefix(t->storage, "", NULL, &list))) goto out;
    size_t cap = 0;
    int64_t bytes = 0;

    for (size_t i = 0; i < list.count && !rc; i++) {
        const dlk_storage_entry *en = &list.entries[i];
        if (skipped_key(en->key)) continue;
        if (dlk_map_get_str(&refs, en->key)) continue;
        if (en->mtime_ms > cutoff) continue; /* recent: maybe a write in flight */
        if (r->n_paths == cap) {
            cap = cap ? cap * 2 : 64;
            char **np = dlk_realloc(r->paths, cap * sizeof *np);
            if (!np) {
                rc = dlk_err_nomem();
                break;
            }
            r->paths = np;
            int64_t *ns = dlk_realloc(sizes, cap * sizeof *ns);
            if (!ns) {
                rc = dlk_err_nomem();
                break;
            }
            sizes = ns;
        }
        sizes[r->n_paths] = en->size;
        if (!(r->paths[r->n_paths] = dlk_strdup(en->key))) {
            rc = dlk_err_nomem();
            break;
        }
        r->n_paths++;
        bytes += en->size;
    }
    if (rc || o->dry_run) {
        if (!rc) r->bytes_freed = bytes; /* would be freed */
        goto out;
    }

    int64_t read_version = dlk_snapshot_version(s);
    json_t *params =
        json_pack("{s:b,s:I,s:I}", "retentionCheckEnabled", !o->force, "specifiedRetentionMillis",
                  (json_int_t)retention, "defaultRetentionMillis", (json_int_t)table_min);
    json_t *metrics = json_object();
    dlk_core__metric(metrics, "numFilesToDelete", (int64_t)r->n_paths);
    dlk_core__metric(metrics, "sizeOfDataToDelete", bytes);
    rc = commit_info_only(table, read_version, "VACUUM START", params, metrics);
    json_decref(params);
    json_decref(metrics);
    if (rc) goto out;
    for (size_t i = 0; i < r->n_paths; i++) {
        int drc = dlk_storage_delete(t->storage, r->paths[i]);
        if (drc == DLK_NOT_FOUND) {
            dlk_error_clear();
            continue;
        }
        if (drc) {
            rc = drc; /* stop; VACUUM END records the failure */
            break;
        }
        r->files_deleted++;
        r->bytes_freed += sizes[i];
        (void)dlk_progress_add(0, 0, 0, 1); /* vacuum is not cancelled half-way */
    }
    char *err = rc ? dlk_strdup(dlk_error_last()->message) : NULL;
    int saved = rc;
    params = json_pack("{s:s}", "status", rc ? "FAILED" : "COMPLETED");
    metrics = json_object();
    dlk_core__metric(metrics, "numDeletedFiles", r->files_deleted);
    dlk_core__metric(metrics, "numVacuumedDirectories", 0);
    int erc = commit_info_only(table, read_version, "VACUUM END", params, metrics);
    json_decref(params);
    json_decref(metrics);
    if (saved) {
        rc = dlk_err_set(saved, "%s", err ? err : "vacuum: delete failed");
    } else {
        rc = erc;
    }
    dlk_free(err);
    DLK_INFO("vacuum",
             "%s: %" PRId64 " files deleted (%" PRId64 " bytes), %" PRId64 " tombstones kept",
             table, r->files_deleted, r->bytes_freed, n_tomb);
out:
    dlk_free(sizes);
    dlk_storage_list_free(&list);
    dlk_map_free(&refs);
    if (ls_ok) dlk_log_state_free(&ls);
    if (seg_ok) dlk_log_segment_free(&seg);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    return rc;
}

int dlk_table_vacuum(const char *table, const dlk_vacuum_options *o, dlk_vacuum_result *r)
{
    int64_t t0 = dlk_monotonic_ns();
    dlk_vacuum_options d = DLK_VACUUM_OPTIONS_INIT;
    dlk_vacuum_result dummy;
    bool own = r == NULL;
    if (!o) o = &d;
    if (!r) r = &dummy;
    memset(r, 0, sizeof *r);
    int rc;
    if (!table)
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "vacuum: no table");
    else if ((rc = dlk_core__writable_location(table)))
        ;
    else
        rc = vacuum_impl(table, o, r);
    if (rc) {
        int64_t del = r->files_deleted;
        rc = dlk_err_context(rc, "%s", table);
        if (!del) dlk_vacuum_result_clear(r); /* keep the list when files were deleted */
    }
    if (own) dlk_vacuum_result_clear(r);
    dlk_ops__metrics_record(table, DLK_OP_VACUUM, dlk_ops__ms_since(t0), rc == DLK_OK);
    return rc;
}

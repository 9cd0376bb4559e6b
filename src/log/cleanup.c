/*
 * log/cleanup.c - expired log cleanup after a checkpoint (Delta's
 * delta.logRetentionDuration, default 30 days; delta.enableExpiredLogCleanup).
 *
 * Let cutoff = now - retention and C the newest complete checkpoint whose
 * files are all older than cutoff. Every version >= C stays reconstructible
 * (checkpoint C + the commits after it), so commits, checkpoints, .crc and
 * compacted files of versions < C that are themselves older than cutoff are
 * deleted. Versions inside the retention are all >= C (their commits are
 * newer than the cutoff, C's checkpoint is older), so time travel inside the
 * retention never breaks. _last_checkpoint and _sidecars/ are left alone.
 */
#define _POSIX_C_SOURCE 200809L
#include "deltalake/sys/storage.h"
#include "log/segment.h"
#include "log/cleanup.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/log.h"
#include "util/time.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct cp_info {
    int64_t version;
    int parts, seen;
    int64_t max_mtime;
} cp_info;

/* Version of a .crc / compacted file name ("n.crc", "n.m.compacted.json"), else -1. */
static int64_t aux_version(const char *name)
{
    size_t n = strlen(name);
    if (n < 21 || name[20] != '.') return -1;
    int64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9') return -1;
        v = v * 10 + (name[i] - '0');
    }
    const char *r = name + 21;
    if (!strcmp(r, "crc")) return v;
    size_t rn = strlen(r);
    if (rn > 15 && !strcmp(r + rn - 15, ".compacted.json")) return v;
    return -1;
}

int dlk_log__cleanup(dlk_storage *s, double retention_ms, int64_t *deleted)
{
    if (deleted) *deleted = 0;
    if (retention_ms < 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "log cleanup: negative retention");
    dlk_storage_list l = {0};
    cp_info *cps = NULL;
    size_t ncp = 0;
    int rc = dlk_storage_list_prefix(s, "_delta_log/", NULL, &l);
    if (rc) goto out;
    int64_t cutoff = dlk_now_micros() / 1000 - (int64_t)retention_ms;
    cps = dlk_calloc(l.count ? l.count : 1, sizeof *cps);
    if (!cps) {
        rc = dlk_err_nomem();
        goto out;
    }
    for (size_t i = 0; i < l.count; i++) {
        const char *name = l.entries[i].key + 11;
        if (strchr(name, '/')) continue;
        int64_t v;
        dlk_checkpoint_kind k;
        int part, parts;
        if (dlk_log_parse_name(name, &v, &k, &part, &parts) != DLK_LF_CHECKPOINT) continue;
        cp_info *c = NULL;
        for (size_t j = 0; j < ncp && !c; j++)
            if (cps[j].version == v && cps[j].parts == parts) c = &cps[j];
        if (!c) {
            c = &cps[ncp++];
            c->version = v;
            c->parts = parts;
        }
        c->seen++;
        if (l.entries[i].mtime_ms > c->max_mtime) c->max_mtime = l.entries[i].mtime_ms;
    }
    int64_t keep_from = -1; /* C */
    for (size_t j = 0; j < ncp; j++)
        if (cps[j].seen >= cps[j].parts && cps[j].max_mtime <= cutoff && cps[j].version > keep_from)
            keep_from = cps[j].version;
    if (keep_from <= 0) goto out;
    int64_t n_del = 0;
    for (size_t i = 0; i < l.count && !rc; i++) {
        const dlk_storage_entry *e = &l.entries[i];
        const char *name = e->key + 11;
        if (strchr(name, '/') || e->mtime_ms > cutoff) continue;
        int64_t v;
        dlk_checkpoint_kind k;
        int part, parts;
        dlk_log_file_type t = dlk_log_parse_name(name, &v, &k, &part, &parts);
        if (t == DLK_LF_OTHER) v = aux_version(name);
        if (v < 0 || v >= keep_from) continue;
        rc = dlk_storage_delete(s, e->key);
        if (rc == DLK_NOT_FOUND) {
            dlk_error_clear();
            rc = DLK_OK;
            continue;
        }
        if (!rc) n_del++;
    }
    if (n_del)
        DLK_INFO("log", "%s: log cleanup deleted %" PRId64 " files of versions before %" PRId64,
                 dlk_storage_root(s), n_del, keep_from);
    if (deleted) *deleted = n_del;
out:
    dlk_free(cps);
    dlk_storage_list_free(&l);
    return rc;
}

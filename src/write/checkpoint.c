/* write/checkpoint.c - the checkpoint of a table folder or URI at a version
 * (log/checkpoint_write.h does the work, through dlk_storage), followed by
 * the expired log cleanup of local tables (log/cleanup.h; best effort). */
#define _POSIX_C_SOURCE 200809L
#include "core/txn.h"
#include "deltalake/write.h"
#include "log/checkpoint_write.h"
#include "log/cleanup.h"
#include "write/write.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"

#include <string.h>

/* A location the log cleanup (local only) can work on. */
static bool is_local(const char *root)
{
    return !strstr(root, "://") || dlk_str_starts_with(root, "file://");
}

int dlk_ops__checkpoint_at(const char *root, int64_t version)
{
    dlk_storage *s = NULL;
    int rc = dlk_storage_open(root, &s);
    if (rc) return rc;
    dlk_log_checkpoint_info info;
    rc = dlk_log__checkpoint_write_info(s, version, &info);
    dlk_storage_free(&s);
    if (rc) return dlk_err_context(rc, "%s", root);
    if (info.log_cleanup && is_local(root) && dlk_log__cleanup(root, info.log_retention_ms, NULL)) {
        DLK_WARN("checkpoint", "%s: log cleanup failed: %s", root, dlk_error_last()->message);
        dlk_error_clear();
    }
    return DLK_OK;
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

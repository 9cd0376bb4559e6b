/* write/checkpoint.c - the checkpoint of a table at a version and the
 * public dlk_table_checkpoint (core/commit.h dlk_core__checkpoint does the
 * work: log/checkpoint_write.h, then the expired log cleanup). */
#define _POSIX_C_SOURCE 200809L
#include "core/commit.h"
#include "core/snapshot.h"
#include "core/txn.h"
#include "deltalake/write.h"
#include "write/write.h"
#include "util/error.h"

#include <string.h>

int dlk_ops__checkpoint_at(const char *root, int64_t version)
{
    return dlk_core__checkpoint(root, version);
}

int dlk_table_checkpoint(const char *table, int64_t *version)
{
    int64_t v;
    int rc = dlk_core__log_latest(table, &v);
    if (rc) return rc;
    if (v < 0)
        return dlk_err_set(DLK_NOT_FOUND, "%s: not a Delta table (no _delta_log commits)", table);
    /* never write what we cannot fully read */
    dlk_txn_state st;
    if ((rc = dlk_core__state_load(table, false, false, &st))) return rc;
    rc = st.protocol ? dlk_core_protocol_check_read(st.protocol) : DLK_OK;
    dlk_core__state_free(&st);
    if (rc) return dlk_err_context(rc, "%s: checkpoint", table);
    rc = dlk_ops__checkpoint_at(table, v);
    if (!rc && version) *version = v;
    return rc;
}

/*
 * log/checkpoint_pq.c - Parquet checkpoint and sidecar files -> actions,
 * through the Parquet reader (one row per action; each top-level column is
 * one action kind, null when the row holds another kind).
 */
#include "log/replay.h"
#include "util/error.h"

int dlk_log__read_parquet_actions(dlk_storage *s, const char *key, dlk_arena *a,
                                  dlk_log_action_cb cb, void *ctx)
{
    (void)s;
    (void)a;
    (void)cb;
    (void)ctx;
    return dlk_err_set(DLK_UNSUPPORTED, "%s: Parquet checkpoints need the Parquet reader", key);
}

/*
 * log/cleanup.h - expired log cleanup after a checkpoint (Delta's
 * delta.logRetentionDuration, default 30 days; delta.enableExpiredLogCleanup).
 */
#ifndef DLK_LOG_CLEANUP_H
#define DLK_LOG_CLEANUP_H

#include "deltalake/sys/storage.h"
#include <stdint.h>

/* Delete expired log files of the table on s: commits and checkpoints
 * below the newest checkpoint older than retention_ms (the caller reads
 * delta.logRetentionDuration). *deleted (optional) gets the number of files
 * removed. */
int dlk_log__cleanup(dlk_storage *s, double retention_ms, int64_t *deleted);

#endif

/*
 * log/checkpoint_write.h - write a classic single-file Parquet checkpoint
 * (`_delta_log/<v>.checkpoint.parquet`) and `_delta_log/_last_checkpoint`
 * for a version of the table, from the typed replayed state (log/replay.h)
 * straight to Arrow batches and the Parquet writer, through dlk_storage.
 *
 * Rows (one action a row, the Delta protocol "Checkpoint Schema"; every
 * column nullable): protocol, metaData, one txn per appId, one add per live
 * file (dataChange=false, stats as the JSON string, no stats_parsed), one
 * remove per tombstone (dataChange=false, no stats), one domainMetadata per
 * live domain; for a table with the v2Checkpoint writer feature, a
 * checkpointMetadata action (version) as well, making the file a V2-spec
 * checkpoint under the classic name (no sidecars). Tombstones are dropped
 * when their deletionTimestamp is older than
 * delta.deletedFileRetentionDuration (default 1 week), and when their path
 * is live again under another deletion vector.
 *
 * Both files are written with dlk_storage_put (the local backend writes a
 * temporary file, fsyncs it and renames it; S3 and memory puts are whole
 * objects), the checkpoint first: a crash never leaves a half-written file
 * under a final name, and _last_checkpoint only ever names a complete
 * checkpoint. _last_checkpoint only moves forward: it is left alone when it
 * already names a newer version.
 *
 * Log cleanup is not done here (log/cleanup.h); the info tells the caller
 * the table's cleanup settings.
 */
#ifndef DLK_LOG_CHECKPOINT_WRITE_H
#define DLK_LOG_CHECKPOINT_WRITE_H

#include "deltalake/sys/storage.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct dlk_log_checkpoint_info {
    int64_t version;              /* the checkpoint's version */
    int64_t n_actions;            /* rows written ("size" in _last_checkpoint) */
    int64_t n_adds;               /* live files ("numOfAddFiles") */
    int64_t n_tombstones;         /* removes written */
    int64_t size_bytes;           /* checkpoint file size ("sizeInBytes") */
    bool last_checkpoint_written; /* false: a newer _last_checkpoint was kept */
    bool log_cleanup;             /* delta.enableExpiredLogCleanup is not "false" */
    double log_retention_ms;      /* delta.logRetentionDuration (default 30 days) */
} dlk_log_checkpoint_info;

/* Replay the log of s up to version (tombstones kept) and write the
 * checkpoint of that version and _last_checkpoint. Errors: as the log
 * reader's (DLK_NOT_FOUND for a missing version, DLK_CORRUPT), DLK_CORRUPT
 * when the state has no protocol or metaData, storage errors of the puts
 * (after a failed _last_checkpoint put the complete checkpoint file stays;
 * readers find it by listing). */
int dlk_log__checkpoint_write(dlk_storage *s, int64_t version);
/* Same, filling *info (optional) on success. */
int dlk_log__checkpoint_write_info(dlk_storage *s, int64_t version, dlk_log_checkpoint_info *info);

#endif

/*
 * log/replay.h - reconstruct table state from a log segment.
 *
 * Order: checkpoint first (its adds are the live files at its version; its
 * removes are vacuum tombstones and ignored; a V2 checkpoint's sidecar
 * actions name files under _delta_log/_sidecars/ holding more adds), then
 * each commit oldest to newest. Within that order the newest action wins:
 * protocol and metaData are replaced; a logical file is keyed by (URL-decoded
 * path, deletion-vector uniqueId): add puts, remove deletes; txn keyed by
 * appId; domainMetadata keyed by domain (removed=true deletes).
 *
 * Every string lives in state->arena.
 */
#ifndef DLK_LOG_REPLAY_H
#define DLK_LOG_REPLAY_H

#include "deltalake/sys/storage.h"
#include "log/actions.h"
#include "log/segment.h"
#include "util/arena.h"
#include "util/hashmap.h"

typedef struct dlk_log_state {
    dlk_arena arena;
    int64_t version;
    dlk_protocol_action *protocol; /* NULL if none seen */
    dlk_metadata_action *metadata; /* NULL if none seen */
    dlk_map files;      /* key -> dlk_add_action* (path field already decoded?) no: raw */
    dlk_map txns;       /* appId -> dlk_txn_action* */
    dlk_map domains;    /* domain -> dlk_domain_metadata_action* */
    dlk_map tombstones; /* with DLK_REPLAY_TOMBSTONES: key -> dlk_remove_action* */
    unsigned flags;     /* DLK_REPLAY_* given to dlk_log_replay_ex */
    dlk_commit_info_action *last_commit_info; /* commitInfo of `version`'s commit, or NULL */
    int64_t last_commit_mtime_ms; /* mtime of the newest file read (commit or checkpoint) */
    /* after dlk_log_replay: active adds sorted by decoded path */
    dlk_add_action **active;
    const char **active_paths; /* decoded paths, parallel to active */
    size_t n_active;
} dlk_log_state;

/* Read the segment's files into *st (zeroed by this call). */
int dlk_log_replay(dlk_storage *s, const dlk_log_segment *seg, dlk_log_state *st);

/* Replay options (bit flags). */
#define DLK_REPLAY_TOMBSTONES                                                                      \
    1u /* keep removes (commits and checkpoint) in st->tombstones;                                 \
          an add of the same key drops its tombstone */
#define DLK_REPLAY_NO_ACTIVE                                                                       \
    2u /* do not build the sorted active list (n_active stays 0);                                  \
          use st->files directly */
/* dlk_log_replay with options. */
int dlk_log_replay_ex(dlk_storage *s, const dlk_log_segment *seg, unsigned flags,
                      dlk_log_state *st);
/* Apply n more commit files (ascending, the first being st->version + 1)
 * to a state replayed with DLK_REPLAY_NO_ACTIVE; st->version becomes the
 * last one's. DLK_CORRUPT when a version is skipped. On error the state is
 * unusable (free it). */
int dlk_log_replay_commits(dlk_storage *s, const dlk_log_file *commits, size_t n,
                           dlk_log_state *st);
void dlk_log_state_free(dlk_log_state *st);

/* Parquet checkpoint / sidecar file -> actions (checkpoint_pq.c). Each
 * action is handed to cb. */
typedef int (*dlk_log_action_cb)(void *ctx, dlk_action *a);
int dlk_log__read_parquet_actions(dlk_storage *s, const char *key, dlk_arena *a, bool with_removes,
                                  dlk_log_action_cb cb, void *ctx);

#endif

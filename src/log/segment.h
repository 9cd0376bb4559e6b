/*
 * log/segment.h - which files of _delta_log/ make up the table at a version.
 *
 * File names in _delta_log/ (n = 20-digit zero-padded version):
 *   n.json                                   commit
 *   n.checkpoint.parquet                     classic checkpoint (V1 or V2 spec)
 *   n.checkpoint.oooooooooo.pppppppppp.parquet  part o of p of a multi-part checkpoint
 *   n.checkpoint.<uuid>.json|parquet         UUID-named V2 checkpoint (+ _sidecars/)
 *   n.m.compacted.json, n.crc, _last_checkpoint  (hints; not needed for correctness)
 *
 * A segment for version v is the newest complete checkpoint c <= v (all parts
 * present) plus the commits c+1..v, which must all exist (a gap is
 * DLK_CORRUPT naming the missing version). Without a checkpoint the commits
 * must start at 0. A log compaction file x.y.compacted.json stands in for
 * commits x..y when they are all in the segment and y is not its last
 * version (whose commitInfo the snapshot keeps). _last_checkpoint, when present and valid, lets the
 * listing start at its version; when it is missing, unparsable or names a
 * checkpoint that is not there, the whole folder is listed instead.
 */
#ifndef DLK_LOG_SEGMENT_H
#define DLK_LOG_SEGMENT_H

#include "deltalake/sys/storage.h"
#include <stdint.h>

typedef enum {
    DLK_CP_NONE = 0,
    DLK_CP_CLASSIC,   /* n.checkpoint.parquet */
    DLK_CP_MULTIPART, /* n.checkpoint.o.p.parquet */
    DLK_CP_V2_JSON,   /* n.checkpoint.<uuid>.json */
    DLK_CP_V2_PARQUET /* n.checkpoint.<uuid>.parquet */
} dlk_checkpoint_kind;

typedef struct dlk_log_file {
    char *key;       /* storage key ("_delta_log/...") */
    int64_t version; /* a commit's version; a compacted file's last version */
    int64_t size;
    int64_t mtime_ms;
    int64_t first_version; /* == version, except for a compacted file x.y: x */
} dlk_log_file;

typedef struct dlk_log_segment {
    int64_t version;            /* the version this segment reconstructs */
    int64_t checkpoint_version; /* -1: none */
    dlk_checkpoint_kind checkpoint_kind;
    dlk_log_file *checkpoint; /* parts in order (1 unless multi-part) */
    size_t n_checkpoint;
    dlk_log_file *commits; /* checkpoint_version+1 .. version, ascending; a run of
                              commits x..y may be one compacted file (x.y.compacted.json,
                              first_version x, version y; never the last commit) */
    size_t n_commits;
    int64_t latest_version; /* newest version found in the listing */
} dlk_log_segment;

/* Build the segment for version (-1: latest). Errors: DLK_NOT_FOUND when
 * there is no _delta_log (message: not a Delta table), when the version is
 * after the latest ("version 9 does not exist; latest is 5") or can no
 * longer be reconstructed ("log cleaned; earliest available is 10");
 * DLK_CORRUPT for gaps. */
int dlk_log_segment_build(dlk_storage *s, int64_t version, dlk_log_segment *out);
void dlk_log_segment_free(dlk_log_segment *seg);

/* Version named by _delta_log/_last_checkpoint, or -1 when it is missing
 * or unusable (the error is cleared). */
int64_t dlk_log_last_checkpoint_version(dlk_storage *s);

/* All commit files (n.json) of the log, ascending, with size and mtime. */
int dlk_log_list_commits(dlk_storage *s, dlk_log_file **out, size_t *n);
void dlk_log_files_free(dlk_log_file *f, size_t n);

/* Parse a _delta_log/ file name (the part after the folder). Returns the
 * kind (0 = not a log file we use) and fills version / part / parts. */
typedef enum { DLK_LF_OTHER = 0, DLK_LF_COMMIT, DLK_LF_CHECKPOINT } dlk_log_file_type;
dlk_log_file_type dlk_log_parse_name(const char *name, int64_t *version, dlk_checkpoint_kind *kind,
                                     int *part, int *parts);

#endif

/*
 * check/check_int.h - internals of `deltalake check` (include/deltalake/check.h):
 * the report under construction, shared by check.c (log and replayed state)
 * and check_files.c (data files, stats, deletion vectors).
 */
#ifndef DLK_OPS_CHECK_INT_H
#define DLK_OPS_CHECK_INT_H

#include "core/snapshot.h"
#include "deltalake/check.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"

typedef struct dlk_check_ctx {
    dlk_check_report pub; /* first: the public report */
    dlk_arena arena;      /* every string of the findings */
    dlk_vec findings;     /* dlk_check_finding */
    size_t max_findings;
    int64_t read_data_bytes; /* dlk_check_options.read_data_bytes */
    bool full;               /* max_findings reached */
    dlk_storage *storage;    /* borrowed */
} dlk_check_ctx;

/* Add a finding (message printf-style). DLK_NO_MEMORY only. */
int dlk_ops__check_add(dlk_check_ctx *c, const char *code, int64_t version, const char *path,
                       const char *fmt, ...) DLK_PRINTF(5, 6);

/* Data-file checks over the snapshot's active files (check_files.c). */
int dlk_ops__check_files(dlk_check_ctx *c, dlk_snapshot *snap);

#endif

/*
 * tests/pq_file_sink.h - Parquet files on local paths for tests, written the
 * way the library writes data files: a dlk_pq_sink on a storage upload
 * (dlk_storage_upload_*, through a local storage handle on the file's
 * folder); the file appears at close (commit), not before, and an abort
 * leaves nothing.
 *
 *     dlk_pq_sink sink;
 *     pq_file_sink_open(path, &sink); ... dlk_pq_writer_open(s, o, sink, &w) ...
 *     pq_file_sink_close(&sink);   (or pq_file_sink_abort(&sink))
 *     pq_write_file(path, schema, batch, opts, &result);   (one batch)
 */
#ifndef DLK_TESTS_PQ_FILE_SINK_H
#define DLK_TESTS_PQ_FILE_SINK_H

#include "deltalake/sys/storage.h"
#include "parquet/writer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pq_file_sink_state {
    dlk_storage *s;
    dlk_storage_upload *up;
} pq_file_sink_state;

static inline int pq_file_sink_write(void *ctx, const void *p, size_t n)
{
    return dlk_storage_upload_write(((pq_file_sink_state *)ctx)->up, p, n);
}

static inline void pq_file_sink_free(dlk_pq_sink *sink)
{
    pq_file_sink_state *st = sink->ctx;
    if (!st) return;
    dlk_storage_upload_abort(&st->up);
    dlk_storage_free(&st->s);
    free(st);
    sink->ctx = NULL;
}

static inline int pq_file_sink_open(const char *path, dlk_pq_sink *out)
{
    memset(out, 0, sizeof *out);
    pq_file_sink_state *st = calloc(1, sizeof *st);
    if (!st) return DLK_NO_MEMORY;
    const char *sl = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", sl ? (sl == path ? 1 : (int)(sl - path)) : 1,
             sl ? path : ".");
    int rc = dlk_storage_open_local(dir, &st->s);
    if (!rc) rc = dlk_storage_upload_open(st->s, sl ? sl + 1 : path, &st->up);
    out->write = pq_file_sink_write;
    out->ctx = st;
    if (rc) pq_file_sink_free(out);
    return rc;
}

static inline int pq_file_sink_close(dlk_pq_sink *sink)
{
    pq_file_sink_state *st = sink->ctx;
    if (!st) return DLK_OK;
    int rc = dlk_storage_upload_commit(&st->up);
    pq_file_sink_free(sink);
    return rc;
}

static inline void pq_file_sink_abort(dlk_pq_sink *sink)
{
    pq_file_sink_free(sink);
}

static inline int pq_write_file(const char *path, const struct ArrowSchema *schema,
                                const struct ArrowArray *batch, const dlk_pq_writer_options *opts,
                                dlk_pq_write_result **result)
{
    if (result) *result = NULL;
    dlk_pq_sink sink;
    int rc = pq_file_sink_open(path, &sink);
    if (rc) return rc;
    dlk_pq_writer *w = NULL;
    rc = dlk_pq_writer_open(schema, opts, sink, &w);
    if (!rc && batch) rc = dlk_pq_writer_write(w, batch);
    if (!rc) {
        rc = dlk_pq_writer_close(w, result);
        w = NULL;
    }
    if (!rc) rc = pq_file_sink_close(&sink);
    if (rc) {
        dlk_pq_writer_abort(w);
        pq_file_sink_abort(&sink);
        if (result) {
            dlk_pq_write_result_free(*result);
            *result = NULL;
        }
    }
    return rc;
}

#endif

/*
 * ingest/records_pipe.h - NDJSON records read by several threads (a write's
 * --threads): the input is cut into chunks of whole lines, each chunk is
 * parsed and converted by one of the worker threads with its own records
 * reader (ingest/records.h, the one converter), and the caller takes the
 * batches chunk by chunk in input order while the workers go on, e.g.
 * encoding Parquet meanwhile.
 *
 * Memory stays bounded: at most workers + 2 chunks (of CHUNK_BYTES of text
 * and their batches) are in flight. Every row of the input comes out once,
 * in input order chunk by chunk (within a chunk grouped by partition as the
 * reader groups them). The first error in input order (parse error or
 * schema mismatch, with the line number of the whole input, expected and
 * actual) ends the stream, after the batches of the chunks before it.
 */
#ifndef DLK_OPS_RECORDS_PIPE_H
#define DLK_OPS_RECORDS_PIPE_H

#include "ingest/records.h"

typedef struct dlk_records_pipe dlk_records_pipe;

/* Start `workers` (>= 1) threads reading NDJSON from f (borrowed, read
 * until EOF), or from text[0..n) when f is NULL (borrowed), converting by
 * schema (copied) with opts (its first_line is set per chunk). */
int dlk_records_pipe_start(const struct ArrowSchema *schema, const dlk_records_options *opts,
                           FILE *f, const char *text, size_t n, int workers,
                           dlk_records_pipe **out);
/* As dlk_ops_records_next_part: the next batch (caller releases; release
 * NULL at the end) and its partition values (borrowed until the next call). */
int dlk_records_pipe_next(dlk_records_pipe *p, struct ArrowArray *out,
                          const char *const **partition_values);
/* Records converted so far (the chunks taken). */
int64_t dlk_records_pipe_count(const dlk_records_pipe *p);
/* Stop and join the workers, free everything read ahead. NULL-safe. */
void dlk_records_pipe_free(dlk_records_pipe *p);

#endif

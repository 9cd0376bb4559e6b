/*
 * ops/records_pipe.h - the records reader (ops/records.h) on a second
 * thread, pipelined with the caller's use of its batches (a write encodes
 * and writes Parquet while the next batch is parsed and converted).
 *
 * The reader thread calls dlk_ops_records_next_part and hands each batch
 * (with a copy of its partition values) over through a queue of at most
 * DLK_RECORDS_PIPE_DEPTH batches, so memory stays bounded by the batch
 * size. The caller gets the same batches in the same order as from the
 * reader itself, and the reader's error (code, message, expected/actual)
 * after the batches before it.
 */
#ifndef DLK_OPS_RECORDS_PIPE_H
#define DLK_OPS_RECORDS_PIPE_H

#include "ops/records.h"

#define DLK_RECORDS_PIPE_DEPTH 2

typedef struct dlk_records_pipe dlk_records_pipe;

/* Start the reader thread over r (borrowed; used by that thread only until
 * dlk_records_pipe_free). n_part: number of partition values per batch. */
int dlk_records_pipe_start(dlk_records_reader *r, size_t n_part, dlk_records_pipe **out);
/* As dlk_ops_records_next_part: the next batch (caller releases; release
 * NULL at the end) and its partition values (borrowed until the next call). */
int dlk_records_pipe_next(dlk_records_pipe *p, struct ArrowArray *out,
                          const char *const **partition_values);
/* Stop and join the reader thread, release the batches read ahead. NULL-safe. */
void dlk_records_pipe_free(dlk_records_pipe *p);

#endif

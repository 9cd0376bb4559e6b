/*
 * read/scan_iter.h - the scan as an internal iterator, for the library's own
 * loops (DML, maintenance, counts, the connector's queries).
 *
 * It is the scan of deltalake/scan.h without the ArrowArrayStream wrapper:
 * dlk_read__scan_next returns a dlk_status and leaves the thread-local error
 * as the failing layer set it (a corrupt data file stays DLK_CORRUPT, an
 * unreadable one DLK_IO), with the data file named once in the message. The
 * public stream is a thin wrapper over it (its get_next returns an errno
 * value, as the Arrow C stream interface requires).
 *
 * The iterator borrows the snapshot and the options' strings and callbacks,
 * which must outlive it. After a failed next the iterator is at its end.
 */
#ifndef DLK_READ_SCAN_ITER_H
#define DLK_READ_SCAN_ITER_H

#include "deltalake/scan.h"

typedef struct dlk_read__scan dlk_read__scan;

/* Open a scan of snap (opts NULL: all columns, all rows). */
int dlk_read__scan_open(const dlk_snapshot *snap, const dlk_scan_options *opts,
                        dlk_read__scan **out);
/* The next batch ("+s", the schema below) into *out, or out->release NULL at
 * the end. The batch belongs to the caller. */
int dlk_read__scan_next(dlk_read__scan *it, struct ArrowArray *out);
/* The schema of the batches, borrowed from the iterator. */
const struct ArrowSchema *dlk_read__scan_schema(const dlk_read__scan *it);
/* The data file of the batch last returned (see dlk_scan_batch_file). */
const dlk_file_info *dlk_read__scan_file(const dlk_read__scan *it);
/* Counters so far. */
void dlk_read__scan_stats(const dlk_read__scan *it, dlk_scan_stats *out);
/* NULL-safe; sets *it to NULL. */
void dlk_read__scan_free(dlk_read__scan **it);

#endif

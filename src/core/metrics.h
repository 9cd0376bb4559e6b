/*
 * core/metrics.h - the in-process registry of per-table operation metrics
 * (include/deltalake/maintenance.h, dlk_table_op_metrics): operations call
 * dlk_ops__metrics_record once per call with its latency and outcome.
 */
#ifndef DLK_OPS_METRICS_H
#define DLK_OPS_METRICS_H

#include "deltalake/maintenance.h"
#include <stdbool.h>
#include <stdint.h>

/* Record one call of `kind` on table (ms latency, ok = succeeded). Never
 * fails (an allocation failure drops the sample) and leaves the thread's
 * last error alone. NULL table: ignored. */
void dlk_ops__metrics_record(const char *table, dlk_op_kind kind, double ms, bool ok);

/* Milliseconds since t0_ns (a dlk_monotonic_ns() reading). */
double dlk_ops__ms_since(int64_t t0_ns);

#endif

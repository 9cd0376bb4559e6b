/*
 * core/stats.h - Delta per-file statistics (the `stats` JSON of an add
 * action) from the Parquet writer's result, without a second pass over the
 * data:
 *
 *   {"numRecords":N,"minValues":{...},"maxValues":{...},"nullCount":{...}}
 *
 * minValues/maxValues/nullCount nest like the schema (struct fields as
 * nested objects). min/max are kept for numbers, strings, dates, timestamps
 * and decimals; booleans and binary get only nullCount; arrays and maps are
 * left out. Strings are cut to 32 characters (code points): the minimum is
 * the prefix, the maximum the prefix with its last character incremented so
 * it still bounds every value. Timestamps are written with millisecond
 * precision as Spark does ("2024-01-01T00:00:00.123Z", timestamp_ntz without
 * "Z"), the minimum rounded down and the maximum rounded up so they remain
 * bounds. Floats in the shortest form that reads back exactly; NaN-only
 * columns get no min/max. Decimals as JSON numbers with `scale` digits.
 * Only the first num_indexed leaf columns (delta.dataSkippingNumIndexedCols,
 * default 32; -1 all) get statistics.
 */
#ifndef DLK_CORE_STATS_H
#define DLK_CORE_STATS_H

#include "deltalake/arrow_abi.h"
#include "parquet/writer.h"
#include "util/buf.h"

#define DLK_STATS_STRING_PREFIX 32

/* Append the stats JSON of one data file to out. schema is the file's
 * schema (the one given to the Parquet writer: partition columns excluded),
 * res the writer's result for that file. */
int dlk_core_stats_json(const struct ArrowSchema *schema, const dlk_pq_write_result *res,
                        int num_indexed, dlk_buf *out);

/* Shortest decimal text of a double / float that reads back exactly. */
int dlk_core_format_double(double v, bool is_float, char *out, size_t cap);

#endif

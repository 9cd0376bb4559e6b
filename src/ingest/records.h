/*
 * ingest/records.h - input records (NDJSON, CSV) converted into Arrow "+s"
 * batches by a table schema, streaming in bounded batches.
 *
 * NDJSON: one JSON object per line (blank lines skipped). Values are
 * converted by the column type:
 *   byte/short/int/long   JSON integers, range-checked (exact to 64 bits)
 *   float/double          JSON numbers, or "NaN", "Infinity", "-Infinity"
 *   decimal(p,s)          JSON strings ("12.50") or numbers (at most s
 *                         fraction digits, at most p digits)
 *   string                JSON strings;  binary: base64 strings
 *   boolean               true/false
 *   date                  "YYYY-MM-DD";  timestamp: RFC 3339 strings (a
 *                         missing offset means UTC) or integer microseconds;
 *                         timestamp_ntz: RFC 3339 without an offset
 *   struct / map / array  JSON objects / objects / arrays
 * A missing or null value in a nullable column is null. A missing value in a
 * NOT NULL column, or a value of the wrong type, is DLK_SCHEMA_MISMATCH
 * (dlk_error_last()->expected / actual are the Delta type names) with a
 * message naming the line and the column path:
 *     "line 7: column 's.a': expected long, got string".
 * Fields not in the schema are an error in strict mode; with merge_schema
 * they are collected (type inferred: RFC 3339 string -> timestamp, other
 * string -> string, integer -> long, real -> double, bool -> boolean,
 * object -> struct, array -> array<T>) and reported by
 * dlk_ops_records_infer, so the caller can widen the table schema before
 * converting; otherwise (neither strict nor merge) they are ignored.
 *
 * CSV (RFC 4180): the first line is a header naming columns; quoted fields
 * may hold commas, doubled quotes and newlines; an empty unquoted field is
 * null. Values are parsed from text by the column type (nested types are
 * not supported in CSV).
 */
#ifndef DLK_OPS_RECORDS_H
#define DLK_OPS_RECORDS_H

#include "deltalake/arrow_abi.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum dlk_records_format { DLK_RECORDS_NDJSON = 0, DLK_RECORDS_CSV = 1 };

typedef struct dlk_records_options {
    int format;                        /* enum dlk_records_format */
    size_t batch_rows;                 /* rows per batch; 0: 65536 */
    size_t batch_bytes;                /* builder bytes per batch; 0: 64 MiB */
    bool strict;                       /* unknown fields are an error */
    const char *const *partition_cols; /* n_partition_cols names (borrowed) */
    size_t n_partition_cols;
    /* Hash bucketing: for partition column i with bucket_src[i] != NULL, the
     * value is bucket_of(text of column bucket_src[i], bucket_n[i]) (see
     * dlk_ops_bucket_of); NULL arrays: no bucket columns. */
    const char *const *bucket_src;
    const int *bucket_n;
    /* Line number of the input's first line (messages); 0 means 1. For a
     * reader over one chunk of a larger input. */
    int64_t first_line;
    /* Per partition column (or NULL): true when a partition path supplies
     * the value, so a NOT NULL partition column may be missing from a
     * record (its value stays NULL for the caller to fill). */
    const bool *part_given;
    /* Unit of numbers written into timestamp columns (a dlk_timestamp_unit,
     * write.h); DLK_TIMESTAMP_UNIT_NONE: a number there is a mismatch. */
    int timestamp_unit;
} dlk_records_options;

#define DLK_RECORDS_OPTIONS_INIT                                                                   \
    {                                                                                              \
        DLK_RECORDS_NDJSON, 0, 0, false, NULL, 0, NULL, NULL, 0, NULL, 0                           \
    }

/* Bucket of a value's text (a string's bytes; a number's decimal text; ""
 * for null): FNV-1a 64 with the splitmix64 finaliser (dlk_hash_bytes),
 * modulo n. */
int dlk_ops_bucket_of(const char *text, size_t len, int n);

typedef struct dlk_records_reader dlk_records_reader;
struct json_t;

/* Reader over f (borrowed, read sequentially until EOF) converting by schema
 * (a "+s", copied). */
int dlk_ops_records_open(const struct ArrowSchema *schema, const dlk_records_options *opts, FILE *f,
                         dlk_records_reader **out);
/* Same, over an in-memory text of n bytes (borrowed until the reader is freed). */
int dlk_ops_records_open_mem(const struct ArrowSchema *schema, const dlk_records_options *opts,
                             const char *text, size_t n, dlk_records_reader **out);
/* Next batch into *out ("+s", caller releases). At the end of input *out has
 * release == NULL and length 0. Errors as described above. */
int dlk_ops_records_next(dlk_records_reader *r, struct ArrowArray *out);
/* With partition columns: batches hold only the other columns (the data
 * schema) and every row of a batch has the same partition values, given
 * through *partition_values (n_partition_cols strings in Delta's partition
 * value text, NULL for null; borrowed until the next call). Rows are grouped
 * per partition; a partition's batch is emitted when it reaches batch_rows
 * (or, when batch_rows rows are buffered over all partitions, the largest:
 * memory stays bounded by batch_rows whatever the number of partitions), the rest
 * at the end of input. */
int dlk_ops_records_next_part(dlk_records_reader *r, struct ArrowArray *out,
                              const char *const **partition_values);
/* The table schema the reader converts by (borrowed). */
const struct ArrowSchema *dlk_ops_records_schema(const dlk_records_reader *r);
/* Schema of the emitted batches (borrowed): the table schema without the
 * partition columns. */
const struct ArrowSchema *dlk_ops_records_data_schema(const dlk_records_reader *r);
/* Records converted so far; the current line number. */
int64_t dlk_ops_records_count(const dlk_records_reader *r);
void dlk_ops_records_free(dlk_records_reader *r);

/* The partition value text of partition column i for a JSON value v (NULL:
 * missing), exactly as a record holding v gets it (bucket columns: the
 * bucket of v, the source column's value): *out a new string (dlk_free) or
 * NULL for null. For inputs converted by value rather than as records
 * (Parquet); messages name `line` as the record's line. */
int dlk_ops_records_part_json(dlk_records_reader *r, size_t i, struct json_t *v, int64_t line,
                              char **out);

/* Read all NDJSON text and collect the top-level (and nested struct) fields
 * missing from schema: *merged becomes schema plus the new fields (nullable,
 * appended at the end, in order of first appearance); *n_new counts them.
 * The caller releases *merged. */
int dlk_ops_records_infer(const struct ArrowSchema *schema, const char *text, size_t n,
                          struct ArrowSchema *merged, size_t *n_new);

#endif

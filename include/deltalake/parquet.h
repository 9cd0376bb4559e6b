/*
 * deltalake/parquet.h - reading Parquet files into Arrow C Data Interface
 * arrays (the library's own Parquet reader; no external Parquet library).
 *
 * Output types (Arrow formats): timestamps are always microseconds
 * ("tsu:UTC" when isAdjustedToUTC, legacy TIMESTAMP_MILLIS/MICROS or INT96,
 * "tsu:" otherwise; nanoseconds cut to micros), DATE "tdD", DECIMAL "d:p,s"
 * (128-bit little-endian whatever the physical type), STRING/ENUM/JSON "u",
 * other BYTE_ARRAY "z", UUID "w:16", other FIXED_LEN_BYTE_ARRAY "w:N",
 * INTEGER(8/16/32/64, signed) c/s/i/l, unsigned C/S/I/L, FLOAT16 "f"
 * (converted), TIME "ttm" (int32 ms) / "ttu" (int64 us, nanos cut),
 * dictionaries decoded, MAP "+m" (entries struct key/value), LIST "+l".
 * Bare repeated fields (no LIST annotation) become non-null lists.
 *
 * Errors: DLK_CORRUPT with file name and byte offset, DLK_UNSUPPORTED
 * (encrypted files, LZO, unknown encodings) naming the feature. A file
 * object is not thread-safe; use one per thread.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_PARQUET_H
#define DELTALAKE_PARQUET_H

#include "deltalake/arrow_abi.h"
#include "deltalake/errors.h"
#include "deltalake/types.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Read the whole file at path into memory and parse + validate the footer. */
DLK_EXTERN int dlk_pq_open_path(const char *path, dlk_pq_file **out);
/* Same over caller-owned bytes (borrowed: must outlive the file). name is used in messages. */
DLK_EXTERN int dlk_pq_open_memory(const uint8_t *data, size_t len, const char *name, dlk_pq_file **out);
/* Close (NULL-safe; sets *f to NULL). */
DLK_EXTERN void dlk_pq_close(dlk_pq_file **f);

DLK_EXTERN int64_t dlk_pq_num_rows(const dlk_pq_file *f);
DLK_EXTERN int dlk_pq_num_row_groups(const dlk_pq_file *f);
DLK_EXTERN int64_t dlk_pq_row_group_num_rows(const dlk_pq_file *f, int rg);
/* Arrow schema of the file: a "+s" struct whose children are the top-level fields.
 * Children carry the metadata key "PARQUET:field_id" when the file has field ids. */
DLK_EXTERN int dlk_pq_get_schema(const dlk_pq_file *f, struct ArrowSchema *out);
/* Number of top-level fields. */
DLK_EXTERN int dlk_pq_num_fields(const dlk_pq_file *f);
/* Parquet field_id of top-level field i, or -1. */
DLK_EXTERN int dlk_pq_field_id(const dlk_pq_file *f, int top_level_index);
/* Read row group rg projected to the named top-level fields (NULL/0 = all, in file order;
 * otherwise in the order given) as one "+s" struct array of row_group_num_rows rows.
 * DLK_NOT_FOUND for an unknown column name. The caller releases both outputs. */
DLK_EXTERN int dlk_pq_read_row_group(dlk_pq_file *f, int rg, const char *const *columns, size_t n_columns,
                          struct ArrowSchema *out_schema, struct ArrowArray *out_array);

/*
 * Column-chunk statistics, for row-group pruning.
 * leaf_path is the dotted path of a leaf column as stored in Parquet
 * (e.g. "a.b", "tags.list.element"). Values come from min_value/max_value, or from
 * the deprecated min/max when the column's order is signed (integers, floats, dates,
 * timestamps); never from legacy min/max of byte arrays.
 * Representation of min/max by `kind`:
 *   DLK_PQ_STAT_INT:    min_i/max_i, in Arrow units (dates as days, timestamps as
 *                       microseconds, signed integers, TIME as its Arrow unit)
 *   DLK_PQ_STAT_UINT:   min_u/max_u (unsigned integer columns)
 *   DLK_PQ_STAT_DOUBLE: min_d/max_d (float, double, float16)
 *   DLK_PQ_STAT_BYTES:  min_b/max_b raw bytes (strings: UTF-8, may be truncated
 *                       prefixes for min / bumped for max by the writer; binary/fixed)
 *   DLK_PQ_STAT_DECIMAL: min_i/max_i hold the high 64 bits and min_u/max_u the low
 *                       64 bits of the unscaled 128-bit value
 *   DLK_PQ_STAT_BOOL:   min_i/max_i 0 or 1
 * has_min_max is false when no usable bounds exist. null_count is -1 when absent.
 */
enum { DLK_PQ_STAT_NONE = 0, DLK_PQ_STAT_INT, DLK_PQ_STAT_UINT, DLK_PQ_STAT_DOUBLE, DLK_PQ_STAT_BYTES,
       DLK_PQ_STAT_DECIMAL, DLK_PQ_STAT_BOOL };
typedef struct dlk_pq_col_stats {
    bool has_min_max;
    int kind;
    int64_t null_count;
    int64_t num_values;
    int64_t min_i, max_i;
    uint64_t min_u, max_u;
    double min_d, max_d;
    const uint8_t *min_b, *max_b; /* raw bounds, borrowed from the file until dlk_pq_close */
    size_t min_b_len, max_b_len;
    const char *format;        /* Arrow format of the leaf */
} dlk_pq_col_stats;
/* DLK_NOT_FOUND when no leaf has that path. */
DLK_EXTERN int dlk_pq_column_stats(const dlk_pq_file *f, int rg, const char *leaf_path, dlk_pq_col_stats *out);

/*
 * Row-group selection (skip row groups by their statistics, without reading pages).
 *
 * dlk_pq_select_row_groups asks pred for every row group (pred NULL: keep all) and
 * fills keep[0..dlk_pq_num_row_groups) (caller-allocated); *n_kept (optional) gets
 * the number kept. pred typically calls dlk_pq_column_stats; an error it returns
 * stops the selection and is returned with the row group as context.
 * The expression engine's dlk_expr_might_match (deltalake/expr.h) fits here through
 * a stats provider over dlk_pq_column_stats (the table scan does exactly that).
 */
typedef int (*dlk_pq_row_group_pred)(void *ctx, const dlk_pq_file *f, int rg, bool *keep);
DLK_EXTERN int dlk_pq_select_row_groups(const dlk_pq_file *f, dlk_pq_row_group_pred pred, void *ctx,
                                        bool *keep, int *n_kept);

/*
 * A closed range [lo, hi] (either end optional) of one leaf column, in the
 * representation of dlk_pq_col_stats for `kind` (INT: lo_i/hi_i in Arrow units,
 * UINT: lo_u/hi_u, DOUBLE: lo_d/hi_d, BYTES: lo_b/hi_b compared bytewise unsigned,
 * DECIMAL: hi 64 bits in *_i, low 64 bits in *_u, BOOL: 0/1 in *_i). Byte bounds are
 * borrowed for the call.
 */
typedef struct dlk_pq_bound {
    const char *leaf_path;
    int kind;
    bool has_lo, has_hi;
    int64_t lo_i, hi_i;
    uint64_t lo_u, hi_u;
    double lo_d, hi_d;
    const uint8_t *lo_b, *hi_b;
    size_t lo_b_len, hi_b_len;
} dlk_pq_bound;

/*
 * Might row group rg hold a row whose value of every bounded column lies within its
 * bound (AND of the bounds)? *might = false only when the statistics prove that no
 * row can: a chunk's [min, max] misses the range, or the chunk holds only nulls, or
 * the row group is empty. Missing or unusable statistics (see dlk_pq_column_stats)
 * and NaN bounds never skip. Errors: DLK_NOT_FOUND (no such leaf), DLK_INVALID_ARGUMENT
 * (rg out of range, a bound whose kind differs from the column's statistics kind).
 */
DLK_EXTERN int dlk_pq_row_group_in_bounds(const dlk_pq_file *f, int rg, const dlk_pq_bound *bounds, size_t n,
                                          bool *might);

/** Number of leaf (primitive) columns. */
DLK_EXTERN int dlk_pq_num_leaves(const dlk_pq_file *f);
/** Dotted Parquet path ("a.list.element") and Arrow format of leaf i (borrowed), NULL if out of range. */
DLK_EXTERN const char *dlk_pq_leaf_path(const dlk_pq_file *f, int leaf);
DLK_EXTERN const char *dlk_pq_leaf_format(const dlk_pq_file *f, int leaf);
/** Max definition and repetition level of leaf i. */
DLK_EXTERN void dlk_pq_leaf_levels(const dlk_pq_file *f, int leaf, int *max_def, int *max_rep);
/** Whether page CRCs are verified (default true; a mismatch is DLK_CORRUPT). */
DLK_EXTERN void dlk_pq_set_verify_crc(dlk_pq_file *f, bool on);
/** The footer as JSON text (version, created_by, num_rows, key-value metadata, schema elements,
 *  row groups with every column chunk: codec, encodings, sizes, offsets, statistics decoded
 *  by the jsonl conventions), appended to a growable buffer as in arrow_json.h (free with dlk_string_free). */
DLK_EXTERN int dlk_pq_meta_json(const dlk_pq_file *f, char **buf, size_t *len, size_t *cap);
/** The Parquet schema as indented text ("required int64 id;", groups with annotations, levels),
 *  appended to a growable buffer as dlk_pq_meta_json. */
DLK_EXTERN int dlk_pq_schema_text(const dlk_pq_file *f, char **buf, size_t *len, size_t *cap);

#ifdef __cplusplus
}
#endif
#endif

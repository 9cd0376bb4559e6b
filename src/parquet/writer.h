/*
 * parquet/writer.h - streaming Parquet file writer over Arrow batches.
 *
 * Input: "+s" struct batches (ArrowArray) matching the "+s" ArrowSchema given
 * to dlk_pq_writer_open; every top-level child is a column. Types:
 *
 *   Arrow          Parquet physical / logical
 *   b              BOOLEAN
 *   c s i          INT32  INTEGER(8|16|32, signed)     (c, s annotated)
 *   C S I          INT32  INTEGER(8|16|32, unsigned)
 *   l / L          INT64  (L: INTEGER(64, unsigned))
 *   f / g          FLOAT / DOUBLE
 *   e              FIXED_LEN_BYTE_ARRAY(2) FLOAT16
 *   u / z          BYTE_ARRAY (u: STRING); also large U / Z (int64 offsets)
 *   w:N            FIXED_LEN_BYTE_ARRAY(N)
 *   tdD            INT32 DATE
 *   tsu:UTC        INT64 TIMESTAMP(isAdjustedToUTC=true, MICROS)
 *   tsu:           INT64 TIMESTAMP(isAdjustedToUTC=false, MICROS)
 *                  (tsm/tsn likewise in MILLIS/NANOS; tss is written as MILLIS)
 *   d:p,s          DECIMAL(p,s): INT32 p<=9, INT64 p<=18, else
 *                  FIXED_LEN_BYTE_ARRAY (minimal bytes, big-endian)
 *   +s             group
 *   +l             <opt|req> group (LIST) { repeated group list { element } }
 *   +m             <opt|req> group (MAP) { repeated group key_value
 *                                         { required key; value } }
 * Dictionary-encoded input (schema->dictionary set, an integer index format)
 * is written as its value type (a null index or a null dictionary value is
 * a null). Nullability comes from ARROW_FLAG_NULLABLE (OPTIONAL) or its absence
 * (REQUIRED; a null there is DLK_SCHEMA_MISMATCH). Map keys are REQUIRED.
 *
 * File layout: "PAR1", then row groups (each column chunk: optional
 * dictionary page, then data pages v1 or v2), then the FileMetaData footer,
 * its 4-byte LE length, "PAR1". Pages never split a row. A row group is
 * flushed once its uncompressed size reaches row_group_bytes; memory holds
 * only the row group being built (compressed pages plus the open page).
 *
 * Dictionary encoding (all types but BOOLEAN) is used per column chunk
 * until the dictionary grows past dictionary_max_bytes; the chunk then falls
 * back to PLAIN for its remaining pages (the next row group starts afresh).
 *
 * Statistics: per column chunk min_value/max_value (ColumnOrder
 * TYPE_ORDER: signed for signed ints, dates, timestamps and decimals;
 * unsigned for C S I L; bytewise unsigned for strings, binary and w:N;
 * floats ignore NaN, a zero minimum is written -0.0 and a zero maximum
 * +0.0), null_count and nan_count. The same statistics, merged over the
 * file, come back in dlk_pq_write_result.
 *
 * Errors: DLK_INVALID_ARGUMENT (options, batch not matching the schema),
 * DLK_UNSUPPORTED (an Arrow type with no mapping), DLK_SCHEMA_MISMATCH (null
 * in a required column), DLK_IO (sink), DLK_NO_MEMORY. After an error the
 * writer can only be freed (dlk_pq_writer_close returns the error again, or
 * dlk_pq_writer_abort).
 */
#ifndef DLK_PARQUET_WRITER_H
#define DLK_PARQUET_WRITER_H

#include "deltalake/arrow_abi.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dlk_pq_writer dlk_pq_writer;

typedef struct dlk_pq_writer_options {
    int version;                 /* 1 */
    int codec;                   /* enum dlk_pq_codec; default DLK_PQ_SNAPPY */
    int level;                   /* codec level, <= 0: codec default (ZSTD, GZIP, BROTLI) */
    size_t row_group_bytes;      /* uncompressed bytes per row group; default 128 MiB */
    size_t page_bytes;           /* target uncompressed page size; default 1 MiB */
    bool dictionary;             /* dictionary encoding; default true */
    size_t dictionary_max_bytes; /* fall back to PLAIN past this; default 1 MiB */
    int data_page_version;       /* 1 (default) or 2 */
    const char *const *kv_keys;  /* key-value metadata, n_kv pairs (values may be NULL) */
    const char *const *kv_values;
    size_t n_kv;
} dlk_pq_writer_options;

#define DLK_PQ_WRITER_OPTIONS_INIT                                                                 \
    {1, 1 /* SNAPPY */, 0, (size_t)128 << 20, (size_t)1 << 20, true, (size_t)1 << 20, 1, NULL,    \
     NULL, 0}

/* Output sink. write returns DLK_OK or a negative status (with the error set). */
typedef struct dlk_pq_sink {
    int (*write)(void *ctx, const void *p, size_t n);
    void *ctx;
} dlk_pq_sink;

/* A typed scalar of the statistics. */
enum dlk_pq_value_kind {
    DLK_PQ_VALUE_NONE = 0,
    DLK_PQ_VALUE_BOOL,    /* b */
    DLK_PQ_VALUE_INT,     /* c s i l, tdD (days), ts* (in the unit of the Arrow format) */
    DLK_PQ_VALUE_UINT,    /* C S I L */
    DLK_PQ_VALUE_DOUBLE,  /* f g e */
    DLK_PQ_VALUE_BYTES,   /* u z w:N */
    DLK_PQ_VALUE_DECIMAL, /* d:p,s - unscaled 128-bit value */
};

typedef struct dlk_pq_value {
    int kind; /* enum dlk_pq_value_kind */
    bool b;
    int64_t i;
    uint64_t u;
    double d;
    uint8_t *bytes; /* owned by the result; len bytes (+ NUL) */
    size_t len;
    int64_t dec_hi; /* decimal: value = (dec_hi << 64) | dec_lo, two's complement */
    uint64_t dec_lo;
} dlk_pq_value;

typedef struct dlk_pq_column_result {
    char *path;         /* Parquet path joined with '.' ("a.b", "tags.list.element") */
    char *format;       /* Arrow format of the leaf */
    int64_t num_values; /* levels written (values + nulls + empty lists) */
    int64_t null_count; /* levels without a value (nulls at any depth, empty lists) */
    int64_t nan_count;  /* NaN values (floats only) */
    bool has_min_max;   /* false when every value was null (or NaN) */
    dlk_pq_value min, max;
    int64_t compressed_bytes, uncompressed_bytes; /* pages incl. headers */
    int64_t data_pages, dict_encoded_pages;       /* data pages, those RLE_DICTIONARY */
} dlk_pq_column_result;

typedef struct dlk_pq_write_result {
    uint64_t file_size;
    int64_t num_rows;
    int64_t num_row_groups;
    size_t n_columns; /* leaf columns, in schema order */
    dlk_pq_column_result *columns;
} dlk_pq_write_result;

/* Open a writer; schema must be "+s". opts NULL means defaults. The schema is
 * copied. Writes the leading magic through sink. */
int dlk_pq_writer_open(const struct ArrowSchema *schema, const dlk_pq_writer_options *opts,
                       dlk_pq_sink sink, dlk_pq_writer **out);
/* Append a "+s" batch (any length, offsets honoured). The batch stays the
 * caller's. */
int dlk_pq_writer_write(dlk_pq_writer *w, const struct ArrowArray *batch);
/* Flush the open row group now (e.g. to bound row groups by rows). */
int dlk_pq_writer_flush_row_group(dlk_pq_writer *w);
/* Bytes sent to the sink so far plus the compressed bytes buffered: an
 * estimate of the file size if closed now (footer excluded). */
uint64_t dlk_pq_writer_estimated_size(const dlk_pq_writer *w);
/* Memory the writer holds for its open row group and page (the capacity
 * of its buffers: compressed pages, the open page, dictionaries). After a
 * row group is flushed these buffers are released, so an idle writer holds
 * little besides its footer metadata; a caller with many writers open can
 * bound their memory by flushing the largest (dlk_pq_writer_flush_row_group). */
size_t dlk_pq_writer_buffered_bytes(const dlk_pq_writer *w);
/* Rows appended so far. */
int64_t dlk_pq_writer_num_rows(const dlk_pq_writer *w);
/* Flush, write the footer, free w. *result (if result non-NULL) gets the
 * file statistics (free with dlk_pq_write_result_free). w is freed even on
 * error. The sink is not closed. */
int dlk_pq_writer_close(dlk_pq_writer *w, dlk_pq_write_result **result);
/* Free a writer without finishing the file. NULL-safe. */
void dlk_pq_writer_abort(dlk_pq_writer *w);
void dlk_pq_write_result_free(dlk_pq_write_result *r);

/* Sink appending to a dlk_buf (which the caller owns and frees). */
dlk_pq_sink dlk_pq_sink_buf(dlk_buf *b);
/* Files: the writer does no file I/O of its own; callers give it a sink on
 * a storage upload (write/write_data.c: dlk_storage_upload_write), so that
 * the bytes go through dlk_storage like every other write. */

#endif

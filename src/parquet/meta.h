/*
 * parquet/meta.h - Parquet file metadata (parquet.thrift FileMetaData and
 * friends) as plain C structs, and their parsing from the Thrift compact
 * protocol. Strings and arrays live in an arena owned by the caller; binary
 * values (statistics) point into that arena too.
 *
 * Field numbering and enum values are those of parquet.thrift. Absent
 * optional integers are -1 unless noted (has_* flags where -1 is a value).
 */
#ifndef DLK_PARQUET_META_H
#define DLK_PARQUET_META_H

#include "util/arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dlk_pq_type {
    DLK_PQ_BOOLEAN = 0, DLK_PQ_INT32 = 1, DLK_PQ_INT64 = 2, DLK_PQ_INT96 = 3,
    DLK_PQ_FLOAT = 4, DLK_PQ_DOUBLE = 5, DLK_PQ_BYTE_ARRAY = 6, DLK_PQ_FIXED_LEN_BYTE_ARRAY = 7,
};
enum dlk_pq_repetition { DLK_PQ_REQUIRED = 0, DLK_PQ_OPTIONAL = 1, DLK_PQ_REPEATED = 2 };
enum dlk_pq_converted {
    DLK_PQ_CT_UTF8 = 0, DLK_PQ_CT_MAP = 1, DLK_PQ_CT_MAP_KEY_VALUE = 2, DLK_PQ_CT_LIST = 3,
    DLK_PQ_CT_ENUM = 4, DLK_PQ_CT_DECIMAL = 5, DLK_PQ_CT_DATE = 6, DLK_PQ_CT_TIME_MILLIS = 7,
    DLK_PQ_CT_TIME_MICROS = 8, DLK_PQ_CT_TIMESTAMP_MILLIS = 9, DLK_PQ_CT_TIMESTAMP_MICROS = 10,
    DLK_PQ_CT_UINT_8 = 11, DLK_PQ_CT_UINT_16 = 12, DLK_PQ_CT_UINT_32 = 13, DLK_PQ_CT_UINT_64 = 14,
    DLK_PQ_CT_INT_8 = 15, DLK_PQ_CT_INT_16 = 16, DLK_PQ_CT_INT_32 = 17, DLK_PQ_CT_INT_64 = 18,
    DLK_PQ_CT_JSON = 19, DLK_PQ_CT_BSON = 20, DLK_PQ_CT_INTERVAL = 21,
};
/* LogicalType union member ids of parquet.thrift (0 = none). */
enum dlk_pq_logical {
    DLK_PQ_LT_NONE = 0, DLK_PQ_LT_STRING = 1, DLK_PQ_LT_MAP = 2, DLK_PQ_LT_LIST = 3,
    DLK_PQ_LT_ENUM = 4, DLK_PQ_LT_DECIMAL = 5, DLK_PQ_LT_DATE = 6, DLK_PQ_LT_TIME = 7,
    DLK_PQ_LT_TIMESTAMP = 8, DLK_PQ_LT_INTEGER = 10, DLK_PQ_LT_UNKNOWN = 11, DLK_PQ_LT_JSON = 12,
    DLK_PQ_LT_BSON = 13, DLK_PQ_LT_UUID = 14, DLK_PQ_LT_FLOAT16 = 15, DLK_PQ_LT_VARIANT = 16,
    DLK_PQ_LT_GEOMETRY = 17, DLK_PQ_LT_GEOGRAPHY = 18,
};
enum dlk_pq_encoding {
    DLK_PQ_PLAIN = 0, DLK_PQ_PLAIN_DICTIONARY = 2, DLK_PQ_RLE = 3, DLK_PQ_BIT_PACKED = 4,
    DLK_PQ_DELTA_BINARY_PACKED = 5, DLK_PQ_DELTA_LENGTH_BYTE_ARRAY = 6, DLK_PQ_DELTA_BYTE_ARRAY = 7,
    DLK_PQ_RLE_DICTIONARY = 8, DLK_PQ_BYTE_STREAM_SPLIT = 9,
};
enum dlk_pq_page_type {
    DLK_PQ_DATA_PAGE = 0, DLK_PQ_INDEX_PAGE = 1, DLK_PQ_DICTIONARY_PAGE = 2, DLK_PQ_DATA_PAGE_V2 = 3,
};
enum dlk_pq_time_unit { DLK_PQ_MILLIS = 1, DLK_PQ_MICROS = 2, DLK_PQ_NANOS = 3 };

typedef struct dlk_pq_bytes {
    const uint8_t *p; /* NULL when absent */
    size_t n;
} dlk_pq_bytes;

typedef struct dlk_pq_statistics {
    dlk_pq_bytes max, min;             /* deprecated (signed order) fields 1, 2 */
    dlk_pq_bytes max_value, min_value; /* fields 5, 6 */
    int64_t null_count;                /* -1 absent */
    int64_t distinct_count;            /* -1 absent */
    bool present;
} dlk_pq_statistics;

typedef struct dlk_pq_logical_type {
    int kind;             /* enum dlk_pq_logical */
    int32_t scale, precision;    /* DECIMAL */
    bool utc;             /* TIME/TIMESTAMP isAdjustedToUTC */
    int unit;             /* TIME/TIMESTAMP enum dlk_pq_time_unit */
    int bit_width;        /* INTEGER */
    bool is_signed;       /* INTEGER */
} dlk_pq_logical_type;

typedef struct dlk_pq_schema_element {
    int32_t type;        /* -1 for groups */
    int32_t type_length; /* -1 absent */
    int32_t repetition;  /* -1 absent (root) */
    const char *name;
    int32_t num_children; /* -1 absent (leaf) */
    int32_t converted;    /* -1 absent */
    int32_t scale, precision; /* -1 absent */
    int32_t field_id;         /* -1 absent */
    dlk_pq_logical_type logical;
} dlk_pq_schema_element;

typedef struct dlk_pq_column_meta {
    int32_t type;
    int32_t *encodings;
    int n_encodings;
    const char **path;
    int path_len;
    int32_t codec;
    int64_t num_values;
    int64_t total_uncompressed_size, total_compressed_size;
    int64_t data_page_offset;
    int64_t index_page_offset;      /* -1 absent */
    int64_t dictionary_page_offset; /* -1 absent */
    int64_t bloom_filter_offset;    /* -1 absent */
    dlk_pq_statistics stats;
} dlk_pq_column_meta;

typedef struct dlk_pq_column_chunk {
    const char *file_path; /* NULL: same file */
    int64_t file_offset;
    bool has_meta;
    bool encrypted;
    dlk_pq_column_meta meta;
} dlk_pq_column_chunk;

typedef struct dlk_pq_row_group {
    dlk_pq_column_chunk *columns;
    int n_columns;
    int64_t total_byte_size;
    int64_t num_rows;
    int64_t file_offset;           /* -1 absent */
    int64_t total_compressed_size; /* -1 absent */
} dlk_pq_row_group;

typedef struct dlk_pq_kv {
    const char *key, *value; /* value NULL when absent */
} dlk_pq_kv;

typedef struct dlk_pq_file_meta {
    int32_t version;
    dlk_pq_schema_element *schema;
    int n_schema;
    int64_t num_rows;
    dlk_pq_row_group *row_groups;
    int n_row_groups;
    dlk_pq_kv *kv;
    int n_kv;
    const char *created_by;
    bool encrypted; /* encryption_algorithm present */
} dlk_pq_file_meta;

typedef struct dlk_pq_page_header {
    int32_t type;
    int32_t uncompressed_size, compressed_size;
    bool has_crc;
    uint32_t crc;
    /* data page v1/v2, dictionary page */
    int32_t num_values;
    int32_t encoding;
    int32_t def_encoding, rep_encoding; /* v1 */
    int32_t num_nulls, num_rows;        /* v2 */
    int32_t def_len, rep_len;           /* v2 */
    bool is_compressed;                 /* v2, default true */
    bool has_data_header;
} dlk_pq_page_header;

/* Parse FileMetaData from buf[0..n) (base = file offset of buf for messages).
 * Allocations go to arena. DLK_CORRUPT on malformed input. */
int dlk_pq__parse_file_meta(const uint8_t *buf, size_t n, size_t base, const char *name,
                            dlk_arena *arena, dlk_pq_file_meta *out);
/* Parse a PageHeader at buf[0..avail); *hdr_len gets the bytes consumed. */
int dlk_pq__parse_page_header(const uint8_t *buf, size_t avail, size_t base, const char *name,
                              dlk_pq_page_header *out, size_t *hdr_len);

const char *dlk_pq_type_name(int type);
const char *dlk_pq_encoding_name(int enc);
const char *dlk_pq_converted_name(int ct);

#endif

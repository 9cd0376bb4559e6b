/*
 * parquet/writer_int.h - private structures shared by the writer's files:
 * writer_schema.c (Arrow schema -> Parquet schema and leaf columns),
 * writer_column.c (shredding into levels, pages, dictionary, statistics)
 * and writer.c (row groups, footer, sinks, results).
 */
#ifndef DLK_PARQUET_WRITER_INT_H
#define DLK_PARQUET_WRITER_INT_H

#include "parquet/encode.h"
#include "parquet/writer.h"
#include "util/buf.h"

/* Parquet physical types (parquet.thrift Type). */
enum { PQ_BOOLEAN = 0, PQ_INT32 = 1, PQ_INT64 = 2, PQ_FLOAT = 4, PQ_DOUBLE = 5,
       PQ_BYTE_ARRAY = 6, PQ_FLBA = 7 };
/* Encodings. */
enum { PQ_ENC_PLAIN = 0, PQ_ENC_RLE = 3, PQ_ENC_RLE_DICTIONARY = 8 };
/* Page types. */
enum { PQ_PAGE_DATA = 0, PQ_PAGE_DICT = 2, PQ_PAGE_DATA_V2 = 3 };

/* Leaf value kinds (how to read the Arrow buffer and compare values). */
enum pq_leaf_kind {
    LK_BOOL, LK_I8, LK_I16, LK_I32, LK_I64, LK_U8, LK_U16, LK_U32, LK_U64, LK_F32, LK_F64,
    LK_STRING, LK_BINARY, LK_FIXED, LK_DATE, LK_TS, LK_DEC, LK_F16,
};

/* One step from a top-level column down to a leaf. */
enum { STEP_STRUCT, STEP_LIST, STEP_MAP, STEP_LEAF };
typedef struct pq_step {
    int kind;
    int child;     /* STRUCT: child index; MAP: 0 key, 1 value */
    bool nullable; /* OPTIONAL node: adds a definition level */
    int16_t rep;   /* LIST/MAP: repetition level of its repeated group */
} pq_step;

typedef struct pq_stats {
    int64_t null_count, nan_count, num_values;
    bool has; /* min/max valid */
    int64_t imin, imax;
    uint64_t umin, umax;
    double dmin, dmax;
    __int128 qmin, qmax;
    dlk_buf bmin, bmax;
} pq_stats;

typedef struct pq_col {
    char *path;       /* dotted */
    char **parts;     /* path_in_schema */
    size_t n_parts;
    char *format;     /* Arrow format of the leaf */
    int kind;                        /* pq_leaf_kind */
    int ptype, type_length;
    int64_t ts_mult; /* tss written as millis: 1000, else 1 */
    bool large_offsets; /* "U", "Z": int64 offsets */
    char dict_index;    /* dictionary-encoded input: index format (c s i l C S I L), else 0 */
    int16_t max_def, max_rep;
    int lev_bits; /* bits per level (def + rep), for size estimates */
    int top; /* top-level column index */
    int nsteps;
    pq_step *steps;

    /* open page */
    uint16_t *def, *rep;
    size_t nlev, caplev;
    dlk_buf values; /* PLAIN values (bool: bits) */
    uint32_t *idx;
    size_t nidx, capidx;
    int64_t nbool;
    int64_t page_values, page_nulls, page_rows;

    /* dictionary */
    bool use_dict, dict_full, chunk_used_dict;
    dlk_pq_dict dict;

    /* column chunk being built */
    dlk_buf pages;
    int64_t chunk_values;
    int64_t chunk_unc, chunk_comp; /* data pages incl. headers */
    int n_pages_dict, n_pages_plain;
    pq_stats chunk, file;
    int64_t file_comp, file_unc;
    int64_t file_pages, file_dict_pages;
} pq_col;

struct dlk_pq_writer {
    dlk_pq_writer_options opts;
    dlk_pq_sink sink;
    struct ArrowSchema schema;
    dlk_buf schema_thrift; /* serialized list elements of FileMetaData.schema */
    int n_schema_elems;
    pq_col *cols;
    size_t ncols;
    uint64_t offset; /* bytes written */
    int64_t num_rows, rg_rows;
    dlk_buf row_groups; /* serialized RowGroup structs */
    dlk_buf kv_thrift;  /* serialized KeyValue structs */
    int n_row_groups;
    dlk_buf scratch, scratch2, comp, header;
    int err;
};

/* writer_schema.c */
/* Build columns and the serialized schema from the caller's schema (its
 * field metadata "PARQUET:field_id" becomes SchemaElement.field_id). */
int dlk_pq__wschema_build(dlk_pq_writer *w, const struct ArrowSchema *root);
void dlk_pq__wcol_free(pq_col *c);

/* writer_column.c */
/* Shred rows [r0, r1) of the top-level array into column c's pages. */
int dlk_pq__wcol_write(dlk_pq_writer *w, pq_col *c, const struct ArrowArray *top, int64_t r0,
                       int64_t r1);
int dlk_pq__wcol_flush_page(dlk_pq_writer *w, pq_col *c);
/* Uncompressed bytes held by the column for the open row group. */
size_t dlk_pq__wcol_rg_bytes(const pq_col *c);
/* Memory the column's row-group buffers hold (their capacity). */
size_t dlk_pq__wcol_mem_bytes(const pq_col *c);
/* Write the chunk (dictionary page + data pages) to the sink and append the
 * serialized ColumnChunk to out; resets the chunk. */
int dlk_pq__wcol_finish_chunk(dlk_pq_writer *w, pq_col *c, dlk_buf *out, int64_t *unc,
                              int64_t *comp);
/* Encode statistics min/max in Parquet PLAIN form (no length prefix). */
int dlk_pq__stats_encode(const pq_col *c, const pq_stats *s, bool max, dlk_buf *out);
void dlk_pq__stats_merge(const pq_col *c, pq_stats *into, const pq_stats *from);
void dlk_pq__stats_reset(pq_stats *s);
void dlk_pq__stats_free(pq_stats *s);
/* IEEE half precision <-> double (exact for every half value). */
double dlk_pq__half_to_double(uint16_t h);
uint16_t dlk_pq__half_from_double(double d);

#endif

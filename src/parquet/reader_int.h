/*
 * parquet/reader_int.h - internals shared by reader.c (file, schema),
 * reader_pages.c (column chunk -> levels + values) and reader_assemble.c
 * (levels + values -> Arrow arrays).
 */
#ifndef DLK_PARQUET_READER_INT_H
#define DLK_PARQUET_READER_INT_H

#include "parquet/decode.h"
#include "parquet/meta.h"
#include "parquet/reader.h"
#include "util/arena.h"
#include "util/buf.h"

enum { PQ_LEAF, PQ_STRUCT, PQ_LIST, PQ_MAP };

typedef struct pq_leaf {
    const dlk_pq_schema_element *el;
    char *path;         /* dotted parquet path */
    int max_def, max_rep;
    char fmt[32];       /* Arrow format */
    int ptype, width;   /* physical type, fixed byte width (0 BYTE_ARRAY) */
    int conv;           /* value conversion, see reader_assemble.c */
    int scale;          /* decimal scale / time unit helper */
    int arrow_width;    /* bytes per Arrow value (0 var, -1 bit) */
} pq_leaf;

typedef struct pq_node {
    int kind;
    const char *name;
    const dlk_pq_schema_element *el;
    bool nullable;
    int dv;            /* def level at which the node is non-null */
    int rr, dr;        /* LIST/MAP: levels of the repeated node */
    struct pq_node *kids;
    int n_kids;
    int leaf;          /* PQ_LEAF: leaf index */
    int leaf0, n_leaves;
} pq_node;

struct dlk_pq_file {
    char *name;
    const uint8_t *data;
    size_t len;
    uint8_t *owned;
    dlk_arena arena;
    dlk_pq_file_meta meta;
    pq_node root;
    pq_leaf *leaves;
    int n_leaves;
    bool verify_crc;
};

/* Decoded column chunk. */
typedef struct pq_chunk {
    int16_t *def, *rep; /* NULL when the max level is 0 */
    int64_t n_levels;
    dlk_pq_values vals;
} pq_chunk;

int dlk_pq__read_chunk(dlk_pq_file *f, int rg, int leaf, pq_chunk *out);
void dlk_pq__chunk_free(pq_chunk *c);
/* Build the Arrow array of node from the decoded chunks (indexed by leaf). */
int dlk_pq__assemble(dlk_pq_file *f, const pq_node *node, pq_chunk *chunks, int rs, int ds,
                     struct ArrowArray *out);
/* Convert one physical value i of vals to the Arrow representation of leaf into dst
 * (fixed-width Arrow types only). */
int dlk_pq__convert_fixed(const pq_leaf *l, const uint8_t *src, uint8_t *dst);

#endif

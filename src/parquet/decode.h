/*
 * parquet/decode.h - Parquet value and level decoders (internal).
 *
 * Values are decoded into a dlk_pq_values store of *physical* values:
 *   fixed-width types (BOOLEAN as one byte 0/1, INT32, INT64, INT96, FLOAT,
 *   DOUBLE, FIXED_LEN_BYTE_ARRAY) as n * width bytes in `data`;
 *   BYTE_ARRAY as concatenated bytes in `data` plus n+1 uint32 offsets.
 * The reader converts these into Arrow values afterwards. Every decoder
 * checks its input against the given length; errors are DLK_CORRUPT with
 * a short description (the caller adds file and offset context).
 */
#ifndef DLK_PARQUET_DECODE_H
#define DLK_PARQUET_DECODE_H

#include "util/buf.h"
#include <stddef.h>
#include <stdint.h>

typedef struct dlk_pq_values {
    int ptype;     /* enum dlk_pq_type */
    int width;     /* bytes per value for fixed types, 0 for BYTE_ARRAY */
    dlk_buf data;
    dlk_buf offs;  /* BYTE_ARRAY: uint32 offsets, n + 1 of them once n > 0 */
    int64_t n;
} dlk_pq_values;

void dlk_pq__values_init(dlk_pq_values *v, int ptype, int width);
void dlk_pq__values_free(dlk_pq_values *v);
/* Append one byte array value. */
int dlk_pq__values_push_ba(dlk_pq_values *v, const uint8_t *p, size_t n);
static inline const uint32_t *dlk_pq__values_offs(const dlk_pq_values *v)
{
    return (const uint32_t *)v->offs.data;
}

/* PLAIN: n values from src[0..len). *used = bytes consumed. */
int dlk_pq__decode_plain(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n, size_t *used);
/* RLE / bit-packed hybrid (no length prefix) of n values of bit_width bits into out. */
int dlk_pq__decode_rle(const uint8_t *src, size_t len, int bit_width, int64_t n, uint32_t *out);
/* Deprecated BIT_PACKED levels (MSB first). */
int dlk_pq__decode_bitpacked_msb(const uint8_t *src, size_t len, int bit_width, int64_t n,
                                 uint32_t *out);
/* Dictionary indices (bit width byte then RLE hybrid) gathered from dict into out. */
int dlk_pq__decode_dict(dlk_pq_values *out, const dlk_pq_values *dict, const uint8_t *src,
                        size_t len, int64_t n);
/* DELTA_BINARY_PACKED of INT32/INT64 (n values); *used = bytes consumed. With
 * out64 non-NULL the raw int64 values are stored there instead of into out. */
int dlk_pq__decode_delta_bp(dlk_pq_values *out, int64_t *out64, const uint8_t *src, size_t len,
                            int64_t n, size_t *used);
int dlk_pq__decode_delta_length_ba(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n);
int dlk_pq__decode_delta_ba(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n);
int dlk_pq__decode_byte_stream_split(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n);
/* RLE-encoded booleans (4-byte length prefix then hybrid with bit width 1). */
int dlk_pq__decode_rle_bool(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n);

#endif

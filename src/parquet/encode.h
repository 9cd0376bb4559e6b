/*
 * parquet/encode.h - value and level encoders of the Parquet writer.
 *
 * RLE / bit-packed hybrid (levels, dictionary indices), as Encodings.md
 * defines it:
 *   run       := rle-run | bit-packed-run
 *   rle-run   := varint(count << 1), value in ceil(bit_width / 8) bytes LE
 *   bp-run    := varint(groups << 1 | 1), groups * 8 values packed LSB
 *                first, bit_width bytes per group of 8
 * The encoder emits an RLE run for 8 or more repeats and bit-packed groups
 * otherwise; only the very last group is padded with zeros.
 *
 * Dictionary: an insertion-ordered set of values kept PLAIN-encoded (the
 * body of the dictionary page: fixed-width values back to back, byte arrays
 * as 4-byte LE length + bytes), with an open-addressing hash index.
 */
#ifndef DLK_PARQUET_ENCODE_H
#define DLK_PARQUET_ENCODE_H

#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bits needed for values 0..max (0 for max 0). */
int dlk_pq__bit_width(uint64_t max);
/* Append the hybrid encoding of n values of bit width bw (0..32). */
int dlk_pq__rle_encode32(const uint32_t *v, size_t n, int bw, dlk_buf *out);
int dlk_pq__rle_encode16(const uint16_t *v, size_t n, int bw, dlk_buf *out);

typedef struct dlk_pq_dict_entry {
    uint64_t off; /* offset of the value in plain (after the length prefix) */
    uint32_t len;
    uint32_t hash;
} dlk_pq_dict_entry;

typedef struct dlk_pq_dict {
    dlk_buf plain;              /* dictionary page body */
    dlk_pq_dict_entry *entries; /* by index */
    uint32_t n, entries_cap;
    uint32_t *slots; /* index + 1, 0 = empty */
    uint32_t cap;    /* power of two or 0 */
    bool byte_array; /* values carry a 4-byte length prefix in plain */
    /* values of at most 8 bytes (all fixed-width types but FLBA > 8): the
     * value itself sits in the slot, one cache line per probe */
    struct dlk_pq_dict_fslot {
        uint64_t key;
        uint32_t index1; /* index + 1, 0 = empty */
    } *fslots;
} dlk_pq_dict;

/* Find or add value p[0..n); *index gets its dictionary index. */
int dlk_pq__dict_insert(dlk_pq_dict *d, const void *p, size_t n, uint32_t *index);
/* Empty the dictionary (keeps byte_array). */
void dlk_pq__dict_reset(dlk_pq_dict *d);
void dlk_pq__dict_free(dlk_pq_dict *d);

#endif

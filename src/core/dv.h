/*
 * core/dv.h - deletion vectors (the Delta protocol "Deletion Vector Format").
 *
 * Serialized bitmap, either "portable" (little endian): magic 1681511377 (u32), then the
 * "portable" 64-bit RoaringBitmap: numBuckets (u64), then per bucket a
 * 32-bit key (u32, high bits of the row index) and a standard 32-bit
 * portable RoaringBitmap of the low bits; or Delta's "native" layout (big endian):
 * magic 1681511376, bitmap count, then per bitmap its size and a 32-bit
 * portable RoaringBitmap (bitmap i = rows with high bits i), as inline DVs use.
 * On-disk file (big endian): version byte 1, then per DV: dataSize (u32),
 * bitmap bytes (dataSize), CRC-32 of those bytes (u32). A descriptor's
 * offset points at its dataSize field.
 * Storage: 'i' inline Z85 text of the bitmap bytes; 'u' file
 * <table>/<prefix>/deletion_vector_<uuid>.bin where the last 20 characters
 * of pathOrInlineDv are the Z85 UUID and any before them the prefix; 'p' an
 * absolute path/URI.
 */
#ifndef DLK_CORE_DV_H
#define DLK_CORE_DV_H

#include "deltalake/sys/storage.h"
#include "log/actions.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct dlk_dv_bitmap dlk_dv_bitmap;

/* Load the DV of a file. DLK_CORRUPT on bad magic / CRC / size / cardinality
 * mismatch (message names the DV file and offset). */
int dlk_dv_load(dlk_storage *s, const dlk_dv *dv, dlk_dv_bitmap **out);
/* Parse serialized bitmap bytes (magic + portable 64-bit roaring). */
int dlk_dv_parse(const uint8_t *p, size_t n, dlk_dv_bitmap **out);
bool dlk_dv_contains(const dlk_dv_bitmap *b, uint64_t row);
uint64_t dlk_dv_cardinality(const dlk_dv_bitmap *b);
void dlk_dv_free(dlk_dv_bitmap *b);
/* ---- writing (deletes / updates / merges) ---- */

/* New empty bitmap (*out, dlk_dv_free). */
int dlk_dv_new(dlk_dv_bitmap **out);
/* Set rows[0..n) (any order, duplicates allowed). */
int dlk_dv_add(dlk_dv_bitmap *b, const uint64_t *rows, size_t n);
/* dst |= src. */
int dlk_dv_union(dlk_dv_bitmap *dst, const dlk_dv_bitmap *src);
/* Largest row set (0 when empty). */
uint64_t dlk_dv_max(const dlk_dv_bitmap *b);
/* Append the serialized bitmap (magic 1681511377 little endian, then the
 * portable 64-bit RoaringBitmap, run-optimised) to out. */
int dlk_dv_serialize(const dlk_dv_bitmap *b, dlk_buf *out);

/* Storage key of an on-disk ('u' or 'p') DV into *out (caller frees). */
int dlk_dv_file_key(const dlk_dv *dv, char **out);

#endif

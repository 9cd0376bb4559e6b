/*
 * parquet/codec.h - page compression codecs of Parquet, through the Debian
 * packaged libraries (snappy, libdeflate for gzip, zstd, lz4, brotli).
 *
 * Codec numbers are parquet.thrift's CompressionCodec values.
 * LZ4 (codec 5) is the deprecated Hadoop-framed LZ4: each block is
 * [u32 BE uncompressed size][u32 BE compressed size][LZ4 block]; some old
 * writers stored an LZ4 frame or a raw block instead, so decompression
 * tries those too. GZIP input may hold several concatenated members.
 */
#ifndef DLK_PARQUET_CODEC_H
#define DLK_PARQUET_CODEC_H

#include "util/buf.h"
#include <stddef.h>
#include <stdint.h>

enum dlk_pq_codec {
    DLK_PQ_UNCOMPRESSED = 0,
    DLK_PQ_SNAPPY = 1,
    DLK_PQ_GZIP = 2,
    DLK_PQ_LZO = 3,
    DLK_PQ_BROTLI = 4,
    DLK_PQ_LZ4 = 5,
    DLK_PQ_ZSTD = 6,
    DLK_PQ_LZ4_RAW = 7,
};

/* Decompress src into dst. dst_len is the exact uncompressed size from the
 * page header; output of any other size is DLK_CORRUPT. LZO is
 * DLK_UNSUPPORTED. */
int dlk_pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len);
/* Compress src, appending to out. level <= 0 means the codec's default. */
int dlk_pq_compress(int codec, int level, const uint8_t *src, size_t src_len, dlk_buf *out);
/* "SNAPPY", "GZIP", ... ; "UNKNOWN(n)" is not returned: unknown -> "UNKNOWN". */
const char *dlk_pq_codec_name(int codec);
/* Case-insensitive name -> codec ("none" and "uncompressed" both mean 0). */
int dlk_pq_codec_from_name(const char *name, int *codec);
/* File-name infix Spark/delta-rs use: "snappy", "gz", "zstd", "lz4", "br", "" for none. */
const char *dlk_pq_codec_file_ext(int codec);

#endif

/* parquet/codec.c - compression codecs for Parquet pages (see codec.h). */
#include "parquet/codec.h"
#include "util/error.h"
#include "util/str.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <libdeflate.h>
#include <lz4.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <string.h>
#include <zstd.h>

static int corrupt(int codec, const char *what)
{
    return dlk_err_set(DLK_CORRUPT, "%s decompression failed: %s", dlk_pq_codec_name(codec), what);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int gzip_decompress(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d) return dlk_err_nomem();
    size_t in_off = 0, out_off = 0;
    int rc = DLK_OK;
    while (in_off < n) {
        size_t used_in = 0, produced = 0;
        enum libdeflate_result r = libdeflate_gzip_decompress_ex(
            d, src + in_off, n - in_off, dst + out_off, dst_len - out_off, &used_in, &produced);
        if (r != LIBDEFLATE_SUCCESS) {
            rc = corrupt(DLK_PQ_GZIP, r == LIBDEFLATE_INSUFFICIENT_SPACE ? "output larger than page size"
                                                                          : "bad gzip data");
            break;
        }
        in_off += used_in;
        out_off += produced;
        /* trailing zero padding after the last member is tolerated */
        while (in_off < n && src[in_off] == 0) in_off++;
    }
    libdeflate_free_decompressor(d);
    if (rc == DLK_OK && out_off != dst_len) rc = corrupt(DLK_PQ_GZIP, "size mismatch");
    return rc;
}

static int lz4_hadoop(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
    size_t in = 0, out = 0;
    while (in < n) {
        if (n - in < 8) return -1;
        uint32_t raw = be32(src + in), comp = be32(src + in + 4);
        in += 8;
        if (comp > n - in || raw > dst_len - out) return -1;
        int got = LZ4_decompress_safe((const char *)src + in, (char *)dst + out, (int)comp, (int)raw);
        if (got < 0 || (uint32_t)got != raw) return -1;
        in += comp;
        out += raw;
    }
    return out == dst_len ? 0 : -1;
}

static int lz4_frame(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
    LZ4F_dctx *ctx;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) return -1;
    size_t in = 0, out = 0;
    int rc = -1;
    for (;;) {
        size_t dsz = dst_len - out, ssz = n - in;
        size_t r = LZ4F_decompress(ctx, dst + out, &dsz, src + in, &ssz, NULL);
        if (LZ4F_isError(r)) break;
        in += ssz;
        out += dsz;
        if (r == 0) {
            rc = (out == dst_len && in == n) ? 0 : -1;
            break;
        }
        if (ssz == 0 && dsz == 0) break;
    }
    LZ4F_freeDecompressionContext(ctx);
    return rc;
}

int dlk_pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    switch (codec) {
    case DLK_PQ_UNCOMPRESSED:
        if (src_len != dst_len) return corrupt(codec, "size mismatch");
        if (dst_len) memcpy(dst, src, dst_len);
        return DLK_OK;
    case DLK_PQ_SNAPPY: {
        size_t n = 0;
        if (snappy_uncompressed_length((const char *)src, src_len, &n) != SNAPPY_OK || n != dst_len)
            return corrupt(codec, "bad length header");
        size_t out = dst_len;
        if (snappy_uncompress((const char *)src, src_len, (char *)dst, &out) != SNAPPY_OK || out != dst_len)
            return corrupt(codec, "bad snappy data");
        return DLK_OK;
    }
    case DLK_PQ_GZIP:
        return gzip_decompress(src, src_len, dst, dst_len);
    case DLK_PQ_BROTLI: {
        size_t out = dst_len;
        if (BrotliDecoderDecompress(src_len, src, &out, dst) != BROTLI_DECODER_RESULT_SUCCESS ||
            out != dst_len)
            return corrupt(codec, "bad brotli data");
        return DLK_OK;
    }
    case DLK_PQ_ZSTD: {
        size_t r = ZSTD_decompress(dst, dst_len, src, src_len);
        if (ZSTD_isError(r)) return corrupt(codec, ZSTD_getErrorName(r));
        if (r != dst_len) return corrupt(codec, "size mismatch");
        return DLK_OK;
    }
    case DLK_PQ_LZ4_RAW: {
        if (src_len > INT32_MAX || dst_len > INT32_MAX) return corrupt(codec, "page too large");
        int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
        if (r < 0 || (size_t)r != dst_len) return corrupt(codec, "bad lz4 block");
        return DLK_OK;
    }
    case DLK_PQ_LZ4:
        if (lz4_hadoop(src, src_len, dst, dst_len) == 0) return DLK_OK;
        if (src_len >= 4 && src[0] == 0x04 && src[1] == 0x22 && src[2] == 0x4D && src[3] == 0x18 &&
            lz4_frame(src, src_len, dst, dst_len) == 0)
            return DLK_OK;
        if (src_len <= INT32_MAX && dst_len <= INT32_MAX) {
            int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
            if (r >= 0 && (size_t)r == dst_len) return DLK_OK;
        }
        return corrupt(codec, "not Hadoop-framed, frame or raw LZ4");
    case DLK_PQ_LZO:
        return dlk_err_set(DLK_UNSUPPORTED, "compression codec LZO is not supported");
    default:
        return dlk_err_set(DLK_UNSUPPORTED, "unknown compression codec %d", codec);
    }
}

int dlk_pq_compress(int codec, int level, const uint8_t *src, size_t src_len, dlk_buf *out)
{
    int rc;
    switch (codec) {
    case DLK_PQ_UNCOMPRESSED:
        return dlk_buf_append(out, src, src_len);
    case DLK_PQ_SNAPPY: {
        size_t cap = snappy_max_compressed_length(src_len);
        if ((rc = dlk_buf_reserve(out, cap))) return rc;
        size_t n = cap;
        if (snappy_compress((const char *)src, src_len, (char *)out->data + out->len, &n) != SNAPPY_OK)
            return dlk_err_set(DLK_ERROR, "snappy compression failed");
        out->len += n;
        return DLK_OK;
    }
    case DLK_PQ_GZIP: {
        struct libdeflate_compressor *c = libdeflate_alloc_compressor(level > 0 && level <= 12 ? level : 6);
        if (!c) return dlk_err_nomem();
        size_t cap = libdeflate_gzip_compress_bound(c, src_len);
        if ((rc = dlk_buf_reserve(out, cap))) {
            libdeflate_free_compressor(c);
            return rc;
        }
        size_t n = libdeflate_gzip_compress(c, src, src_len, out->data + out->len, cap);
        libdeflate_free_compressor(c);
        if (!n) return dlk_err_set(DLK_ERROR, "gzip compression failed");
        out->len += n;
        return DLK_OK;
    }
    case DLK_PQ_ZSTD: {
        static _Thread_local ZSTD_CCtx *cctx;
        if (!cctx && !(cctx = ZSTD_createCCtx())) return dlk_err_nomem();
        size_t cap = ZSTD_compressBound(src_len);
        if ((rc = dlk_buf_reserve(out, cap))) return rc;
        size_t n = ZSTD_compressCCtx(cctx, out->data + out->len, cap, src, src_len, level > 0 ? level : 3);
        if (ZSTD_isError(n)) return dlk_err_set(DLK_ERROR, "zstd compression failed: %s", ZSTD_getErrorName(n));
        out->len += n;
        return DLK_OK;
    }
    case DLK_PQ_LZ4_RAW:
    case DLK_PQ_LZ4: {
        if (src_len > (size_t)LZ4_MAX_INPUT_SIZE) return dlk_err_set(DLK_INVALID_ARGUMENT, "page too large for LZ4");
        int cap = LZ4_compressBound((int)src_len);
        size_t hdr = codec == DLK_PQ_LZ4 ? 8 : 0;
        if ((rc = dlk_buf_reserve(out, (size_t)cap + hdr))) return rc;
        uint8_t *base = out->data + out->len;
        int n = LZ4_compress_default((const char *)src, (char *)base + hdr, (int)src_len, cap);
        if (n <= 0) return dlk_err_set(DLK_ERROR, "lz4 compression failed");
        if (hdr) {
            uint32_t a = (uint32_t)src_len, b = (uint32_t)n;
            uint8_t h[8] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a,
                            (uint8_t)(b >> 24), (uint8_t)(b >> 16), (uint8_t)(b >> 8), (uint8_t)b};
            memcpy(base, h, 8);
        }
        out->len += (size_t)n + hdr;
        return DLK_OK;
    }
    case DLK_PQ_BROTLI: {
        size_t cap = BrotliEncoderMaxCompressedSize(src_len);
        if (!cap) cap = src_len + 1024;
        if ((rc = dlk_buf_reserve(out, cap))) return rc;
        size_t n = cap;
        if (!BrotliEncoderCompress(level > 0 && level <= 11 ? level : 5, BROTLI_DEFAULT_WINDOW,
                                   BROTLI_DEFAULT_MODE, src_len, src, &n, out->data + out->len))
            return dlk_err_set(DLK_ERROR, "brotli compression failed");
        out->len += n;
        return DLK_OK;
    }
    default:
        return dlk_err_set(DLK_UNSUPPORTED, "compression codec %s (%d) is not supported for writing",
                           dlk_pq_codec_name(codec), codec);
    }
}

const char *dlk_pq_codec_name(int codec)
{
    static const char *names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
    return codec >= 0 && codec <= 7 ? names[codec] : "UNKNOWN";
}

int dlk_pq_codec_from_name(const char *name, int *codec)
{
    if (dlk_str_ieq(name, "none")) {
        *codec = DLK_PQ_UNCOMPRESSED;
        return DLK_OK;
    }
    for (int c = 0; c <= 7; c++) {
        if (c != DLK_PQ_LZO && dlk_str_ieq(name, dlk_pq_codec_name(c))) {
            *codec = c;
            return DLK_OK;
        }
    }
    return dlk_err_set(DLK_INVALID_ARGUMENT,
                       "unknown compression '%s' (SNAPPY, GZIP, ZSTD, LZ4, LZ4_RAW, BROTLI, NONE)", name);
}

const char *dlk_pq_codec_file_ext(int codec)
{
    switch (codec) {
    case DLK_PQ_SNAPPY: return "snappy";
    case DLK_PQ_GZIP: return "gz";
    case DLK_PQ_ZSTD: return "zstd";
    case DLK_PQ_LZ4:
    case DLK_PQ_LZ4_RAW: return "lz4";
    case DLK_PQ_BROTLI: return "br";
    default: return "";
    }
}

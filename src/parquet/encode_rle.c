/* parquet/encode_rle.c - RLE / bit-packed hybrid encoder (see encode.h). */
#include "parquet/encode.h"
#include "parquet/thrift_write.h"
#include "util/error.h"

#include <string.h>

int dlk_pq__bit_width(uint64_t max) { return max ? 64 - __builtin_clzll(max) : 0; }

static int put_rle(dlk_buf *out, uint64_t count, uint32_t value, int bw)
{
    if (dlk_pq__tw_put_varint(out, count << 1)) return DLK_NO_MEMORY;
    uint8_t b[4];
    int nb = (bw + 7) / 8;
    for (int i = 0; i < nb; i++) b[i] = (uint8_t)(value >> (8 * i));
    return dlk_buf_append(out, b, (size_t)nb) ? DLK_NO_MEMORY : DLK_OK;
}

/* Pack 8 values of width bw into bw bytes at dst. */
static void pack8(const uint32_t *v, int bw, uint8_t *dst)
{
    uint64_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (int i = 0; i < 8; i++) {
        acc |= (uint64_t)v[i] << bits;
        bits += bw;
        while (bits >= 8) {
            dst[o++] = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
}

#define DEFINE_RLE(NAME, T)                                                                        \
    int NAME(const T *v, size_t n, int bw, dlk_buf *out)                                           \
    {                                                                                              \
        size_t i = 0;                                                                              \
        while (i < n) {                                                                            \
            size_t run = 1;                                                                        \
            while (i + run < n && v[i + run] == v[i]) run++;                                       \
            if (run >= 8) {                                                                        \
                if (put_rle(out, run, v[i], bw)) return dlk_err_nomem();                           \
                i += run;                                                                          \
                continue;                                                                          \
            }                                                                                      \
            /* bit-packed groups until a run of 8 starts at a group boundary */                    \
            size_t start = i, groups = 0;                                                          \
            while (i < n) {                                                                        \
                size_t r = 1;                                                                      \
                if (groups > 0) {                                                                  \
                    while (i + r < n && r < 8 && v[i + r] == v[i]) r++;                            \
                    if (r >= 8) break;                                                             \
                }                                                                                  \
                i += 8;                                                                            \
                groups++;                                                                          \
                if (groups == 4096) break;                                                         \
            }                                                                                      \
            if (i > n) i = n;                                                                      \
            if (dlk_pq__tw_put_varint(out, (groups << 1) | 1)) return dlk_err_nomem();             \
            if (dlk_buf_reserve(out, groups * (size_t)bw)) return dlk_err_nomem();                 \
            uint8_t *dst = out->data + out->len;                                                   \
            for (size_t g = 0; g < groups; g++) {                                                  \
                uint32_t tmp[8] = {0};                                                             \
                for (size_t k = 0; k < 8 && start + g * 8 + k < n; k++)                            \
                    tmp[k] = (uint32_t)v[start + g * 8 + k];                                       \
                pack8(tmp, bw, dst);                                                               \
                dst += bw;                                                                         \
            }                                                                                      \
            out->len += groups * (size_t)bw;                                                       \
        }                                                                                          \
        return DLK_OK;                                                                             \
    }

DEFINE_RLE(dlk_pq__rle_encode32, uint32_t)
DEFINE_RLE(dlk_pq__rle_encode16, uint16_t)

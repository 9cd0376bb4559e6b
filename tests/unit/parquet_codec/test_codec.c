/* Unit tests for parquet/codec: every codec round-trips, and corrupt or
 * mis-sized input is a CORRUPT error, never a crash. */
#include "harness.h"
#include "parquet/codec.h"
#include "util/alloc.h"

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (i % 7 == 0) ? (uint8_t)(seed >> 16) : (uint8_t)("telemetry span"[i % 14]);
    }
}

TEST(round_trip_all_codecs)
{
    int codecs[] = {DLK_PQ_UNCOMPRESSED, DLK_PQ_SNAPPY, DLK_PQ_GZIP, DLK_PQ_BROTLI,
                    DLK_PQ_LZ4, DLK_PQ_ZSTD, DLK_PQ_LZ4_RAW};
    size_t sizes[] = {0, 1, 100, 65536, 1 << 20};
    for (size_t c = 0; c < sizeof codecs / sizeof *codecs; c++) {
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            size_t n = sizes[s];
            uint8_t *src = dlk_malloc(n), *dst = dlk_malloc(n);
            fill(src, n, (unsigned)(c * 31 + s));
            dlk_buf out = {0};
            CHECK_OK(dlk_pq_compress(codecs[c], 0, src, n, &out));
            CHECK_OK(dlk_pq_decompress(codecs[c], out.data, out.len, dst, n));
            CHECK(n == 0 || memcmp(src, dst, n) == 0);
            if (n >= 100) {
                /* a wrong expected size is reported */
                uint8_t *big = dlk_malloc(n + 10);
                CHECK(dlk_pq_decompress(codecs[c], out.data, out.len, big, n + 10) != DLK_OK);
                dlk_free(big);
            }
            dlk_buf_free(&out);
            dlk_free(src);
            dlk_free(dst);
        }
    }
}

TEST(gzip_concatenated_members)
{
    const char *a = "hello ", *b = "world";
    dlk_buf out = {0};
    CHECK_OK(dlk_pq_compress(DLK_PQ_GZIP, 0, (const uint8_t *)a, 6, &out));
    CHECK_OK(dlk_pq_compress(DLK_PQ_GZIP, 0, (const uint8_t *)b, 5, &out));
    uint8_t dst[11];
    CHECK_OK(dlk_pq_decompress(DLK_PQ_GZIP, out.data, out.len, dst, 11));
    CHECK(memcmp(dst, "hello world", 11) == 0);
    dlk_buf_free(&out);
}

TEST(corrupt_input_is_an_error)
{
    int codecs[] = {DLK_PQ_SNAPPY, DLK_PQ_GZIP, DLK_PQ_BROTLI, DLK_PQ_LZ4, DLK_PQ_ZSTD, DLK_PQ_LZ4_RAW};
    uint8_t src[4096];
    fill(src, sizeof src, 7);
    for (size_t c = 0; c < sizeof codecs / sizeof *codecs; c++) {
        dlk_buf out = {0};
        CHECK_OK(dlk_pq_compress(codecs[c], 0, src, sizeof src, &out));
        uint8_t dst[4096];
        /* truncated */
        CHECK(dlk_pq_decompress(codecs[c], out.data, out.len / 2, dst, sizeof dst) != DLK_OK);
        /* bit flips: must not crash; usually an error */
        for (size_t i = 0; i < out.len; i += 13) {
            out.data[i] ^= 0x5a;
            (void)dlk_pq_decompress(codecs[c], out.data, out.len, dst, sizeof dst);
            out.data[i] ^= 0x5a;
        }
        dlk_buf_free(&out);
    }
    uint8_t dst[4];
    CHECK_RC(dlk_pq_decompress(DLK_PQ_LZO, src, 4, dst, 4), DLK_UNSUPPORTED);
    CHECK_RC(dlk_pq_decompress(99, src, 4, dst, 4), DLK_UNSUPPORTED);
}

TEST(names)
{
    int c;
    CHECK_OK(dlk_pq_codec_from_name("snappy", &c));
    CHECK_EQ_INT(c, DLK_PQ_SNAPPY);
    CHECK_OK(dlk_pq_codec_from_name("NONE", &c));
    CHECK_EQ_INT(c, DLK_PQ_UNCOMPRESSED);
    CHECK_RC(dlk_pq_codec_from_name("lzma", &c), DLK_INVALID_ARGUMENT);
    CHECK_STR(dlk_pq_codec_name(DLK_PQ_ZSTD), "ZSTD");
    CHECK_STR(dlk_pq_codec_file_ext(DLK_PQ_SNAPPY), "snappy");
}

int main(void)
{
    RUN(round_trip_all_codecs);
    RUN(gzip_concatenated_members);
    RUN(corrupt_input_is_an_error);
    RUN(names);
    return harness_done();
}

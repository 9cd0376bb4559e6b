/* Deletion vectors: the inline example of the Delta protocol (rows 3, 4, 7, 11,
 * 18, 29), the relative-path UUID example, corrupt input refused. */
#include "core/dv.h"
#include "harness.h"
#include "deltalake/sys/storage.h"
#include "util/alloc.h"
#include "util/misc.h"

TEST(inline_example)
{
    dlk_dv dv = {'i',  "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", 0, false, 40, 6, 0,
                 false};
    dlk_dv_bitmap *b = NULL;
    CHECK_OK(dlk_dv_load(NULL, &dv, &b));
    if (!b) return;
    CHECK_EQ_INT(dlk_dv_cardinality(b), 6);
    uint64_t want[] = {3, 4, 7, 11, 18, 29};
    int hits = 0;
    for (uint64_t r = 0; r < 40; r++)
        hits += dlk_dv_contains(b, r);
    CHECK_EQ_INT(hits, 6);
    for (size_t i = 0; i < 6; i++)
        CHECK(dlk_dv_contains(b, want[i]));
    CHECK(!dlk_dv_contains(b, 1ull << 33));
    dlk_dv_free(b);
    dv.cardinality = 7;
    CHECK_RC(dlk_dv_load(NULL, &dv, &b), DLK_CORRUPT);
}

TEST(relative_path)
{
    dlk_dv dv = {'u', "ab^-aqEH.-t@S}K{vb[*k^", 4, true, 40, 6, 0, false};
    char *key = NULL;
    CHECK_OK(dlk_dv_file_key(&dv, &key));
    CHECK_STR(key, "ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
    dlk_free(key);
}

TEST(corrupt)
{
    uint8_t bad[16] = {1, 2, 3, 4};
    dlk_dv_bitmap *b = NULL;
    CHECK_RC(dlk_dv_parse(bad, sizeof bad, &b), DLK_CORRUPT);
    CHECK(strstr(dlk_error_last()->message, "magic"));
    uint8_t big[12] = {0xD1, 0xD3, 0x39, 0x64, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    CHECK_RC(dlk_dv_parse(big, sizeof big, &b), DLK_CORRUPT);
    uint8_t trunc[20] = {0xD1, 0xD3, 0x39, 0x64, 1, 0, 0,    0,    0, 0,
                         0,    0,    0,    0,    0, 0, 0x3a, 0x30, 0, 0};
    CHECK_RC(dlk_dv_parse(trunc, sizeof trunc, &b), DLK_CORRUPT);
}

/* On-disk DVs (the Delta protocol "Deletion Vector File Storage Format": a version
 * byte 1, then per DV dataSize (BE), the bitmap, its CRC-32 (BE)); offset
 * names the dataSize field and is 0 when absent; a file whose only DV sits
 * right after the version byte is read without an offset too. */
static size_t put_dv(uint8_t *out, const uint8_t *bm, size_t n)
{
    out[0] = (uint8_t)(n >> 24), out[1] = (uint8_t)(n >> 16), out[2] = (uint8_t)(n >> 8),
    out[3] = (uint8_t)n;
    memcpy(out + 4, bm, n);
    uint32_t crc = dlk_crc32(0, bm, n);
    out[4 + n] = (uint8_t)(crc >> 24), out[5 + n] = (uint8_t)(crc >> 16),
            out[6 + n] = (uint8_t)(crc >> 8);
    out[7 + n] = (uint8_t)crc;
    return n + 8;
}

static int64_t load_card(dlk_storage *s, int64_t off, bool has_off, int64_t card)
{
    dlk_dv dv = {'u', "ab^-aqEH.-t@S}K{vb[*k^", off, has_off, 40, card, 0, false};
    dlk_dv_bitmap *b = NULL;
    if (dlk_dv_load(s, &dv, &b)) return -1;
    int64_t hits = 0;
    for (uint64_t r = 0; r < 64; r++)
        hits += dlk_dv_contains(b, r) ? (int64_t)(r + 1) : 0;
    dlk_dv_free(b);
    return hits; /* sum of (row + 1) over the set rows */
}

TEST(on_disk_offsets)
{
    const char *z = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L";
    uint8_t bm[64];
    size_t bl = 0;
    CHECK_OK(dlk_z85_decode(z, strlen(z), bm, sizeof bm, &bl));
    CHECK_EQ_INT(bl, 40);
    const char *key = "ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin";
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_memory(&s));
    if (!s) return;
    const int64_t want = 4 + 5 + 8 + 12 + 19 + 30; /* rows 3, 4, 7, 11, 18, 29 */
    uint8_t file[200];
    /* version byte + one DV: offset 1, or absent */
    file[0] = 1;
    size_t n = 1 + put_dv(file + 1, bm, bl);
    CHECK_OK(dlk_storage_put(s, key, file, n));
    CHECK_EQ_INT(load_card(s, 1, true, 6), want);
    CHECK_EQ_INT(load_card(s, 0, false, 6), want);
    CHECK_EQ_INT(load_card(s, 0, true, 6), -1); /* offset 0 is the version byte here */
    /* no version byte: the DV at 0, offset absent or 0 */
    n = put_dv(file, bm, bl);
    CHECK_OK(dlk_storage_put(s, key, file, n));
    CHECK_EQ_INT(load_card(s, 0, false, 6), want);
    CHECK_EQ_INT(load_card(s, 0, true, 6), want);
    /* two DVs: the second at its offset; a wrong size or CRC is refused */
    file[0] = 1;
    n = 1 + put_dv(file + 1, bm, bl);
    size_t second = n;
    n += put_dv(file + n, bm, bl);
    CHECK_OK(dlk_storage_put(s, key, file, n));
    CHECK_EQ_INT(load_card(s, (int64_t)second, true, 6), want);
    CHECK_EQ_INT(load_card(s, (int64_t)second, true, 5), -1); /* cardinality differs */
    file[second + 10] ^= 0x40;
    CHECK_OK(dlk_storage_put(s, key, file, n));
    CHECK_EQ_INT(load_card(s, (int64_t)second, true, 6), -1);
    CHECK(strstr(dlk_error_last()->message, "CRC") || strstr(dlk_error_last()->message, "invalid"));
    dlk_storage_free(&s);
}

int main(void)
{
    RUN(on_disk_offsets);
    RUN(inline_example);
    RUN(relative_path);
    RUN(corrupt);
    return harness_done();
}

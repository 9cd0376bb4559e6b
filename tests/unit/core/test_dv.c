/* Deletion vectors: the inline example of PROTOCOL.md (rows 3, 4, 7, 11,
 * 18, 29), the relative-path UUID example, corrupt input refused. */
#include "core/dv.h"
#include "harness.h"
#include "util/alloc.h"

TEST(inline_example)
{
    dlk_dv dv = {'i', "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", 0, false, 40, 6, 0, false};
    dlk_dv_bitmap *b = NULL;
    CHECK_OK(dlk_dv_load(NULL, &dv, &b));
    if (!b) return;
    CHECK_EQ_INT(dlk_dv_cardinality(b), 6);
    uint64_t want[] = {3, 4, 7, 11, 18, 29};
    int hits = 0;
    for (uint64_t r = 0; r < 40; r++) hits += dlk_dv_contains(b, r);
    CHECK_EQ_INT(hits, 6);
    for (size_t i = 0; i < 6; i++) CHECK(dlk_dv_contains(b, want[i]));
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
    uint8_t trunc[20] = {0xD1, 0xD3, 0x39, 0x64, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x3a, 0x30, 0, 0};
    CHECK_RC(dlk_dv_parse(trunc, sizeof trunc, &b), DLK_CORRUPT);
}

int main(void)
{
    RUN(inline_example);
    RUN(relative_path);
    RUN(corrupt);
    return harness_done();
}

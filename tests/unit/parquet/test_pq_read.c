/*
 * tests/unit/parquet/test_pq_read.c - Parquet reader: decoders, reader API
 * (schema, field ids, projection, statistics) on corpus files, bad_data
 * files, and truncated / bit-flipped variants of good files (errors, never
 * crashes or hangs).
 */
#include "harness.h"

#include "arrow/arrow.h"
#include "deltalake/arrow_json.h"
#include "parquet/decode.h"
#include "parquet/reader.h"
#include "util/alloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    rewind(fp);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, fp) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(fp);
    *len = (size_t)n;
    return b;
}

/* Read every row group of an opened file; returns the first error or 0. */
static int read_everything(dlk_pq_file *f, int64_t *rows)
{
    *rows = 0;
    for (int g = 0; g < dlk_pq_num_row_groups(f); g++) {
        struct ArrowSchema s;
        struct ArrowArray a;
        int rc = dlk_pq_read_row_group(f, g, NULL, 0, &s, &a);
        if (rc) return rc;
        /* render every row, which walks every buffer */
        char *buf = NULL;
        size_t len = 0, cap = 0;
        for (int64_t r = 0; r < a.length && !rc; r++) {
            len = 0;
            rc = dlk_arrow_json_row(&s, &a, r, &buf, &len, &cap);
        }
        dlk_string_free(buf);
        *rows += a.length;
        dlk_arrow_array_release(&a);
        dlk_arrow_schema_release(&s);
        if (rc) return rc;
    }
    return 0;
}

static char *data_path(const char *dir, const char *name)
{
    static char p[1024];
    char rel[600];
    snprintf(rel, sizeof rel, "parquet/%s/%s", dir, name);
    return (char *)harness_testdata(p, sizeof p, rel);
}

TEST(rle_hybrid)
{
    /* run of 5 x value 3 (bw 2), then bit-packed group of 8: 0..3,0..3 */
    uint8_t src[] = {5 << 1, 3, (1 << 1) | 1, 0xe4, 0xe4};
    uint32_t out[13];
    CHECK_OK(dlk_pq__decode_rle(src, sizeof src, 2, 13, out));
    for (int i = 0; i < 5; i++)
        CHECK_EQ_INT(out[i], 3);
    for (int i = 0; i < 8; i++)
        CHECK_EQ_INT(out[5 + i], i % 4);
    CHECK_RC(dlk_pq__decode_rle(src, 3, 2, 13, out), DLK_CORRUPT);
    uint8_t zero_run[] = {0, 1};
    CHECK_RC(dlk_pq__decode_rle(zero_run, 2, 1, 1, out), DLK_CORRUPT);
}

TEST(delta_binary_packed)
{
    /* block 128, 4 miniblocks, 5 values, first 7, then deltas all 2: min_delta 2, widths 0 */
    uint8_t src[] = {0x80, 0x01, 4, 5, 14, 4, 0, 0, 0, 0};
    dlk_pq_values v;
    dlk_pq__values_init(&v, 2 /* INT64 */, 8);
    size_t used;
    CHECK_OK(dlk_pq__decode_delta_bp(&v, NULL, src, sizeof src, 5, &used));
    CHECK_EQ_INT(v.n, 5);
    const int64_t *x = (const int64_t *)(void *)v.data.data;
    for (int i = 0; i < 5; i++)
        CHECK_EQ_INT(x[i], 7 + 2 * i);
    dlk_pq__values_free(&v);
    dlk_pq__values_init(&v, 2, 8);
    CHECK_RC(dlk_pq__decode_delta_bp(&v, NULL, src, 4, 5, &used), DLK_CORRUPT);
    dlk_pq__values_free(&v);
}

TEST(reader_api_alltypes)
{
    dlk_pq_file *f;
    CHECK_OK(dlk_pq_open_path(data_path("data", "alltypes_plain.parquet"), &f));
    if (!f) return;
    CHECK_EQ_INT(dlk_pq_num_rows(f), 8);
    CHECK_EQ_INT(dlk_pq_num_row_groups(f), 1);
    CHECK_EQ_INT(dlk_pq_row_group_num_rows(f, 0), 8);
    CHECK_EQ_INT(dlk_pq_field_id(f, 0), -1);
    struct ArrowSchema s;
    CHECK_OK(dlk_pq_get_schema(f, &s));
    CHECK_STR(s.format, "+s");
    CHECK_EQ_INT(s.n_children, 11);
    CHECK_STR(s.children[0]->name, "id");
    CHECK_STR(s.children[0]->format, "i");
    CHECK_STR(s.children[10]->format, "tsu:UTC"); /* INT96 */
    dlk_arrow_schema_release(&s);
    const char *cols[] = {"bigint_col", "id"};
    struct ArrowArray a;
    CHECK_OK(dlk_pq_read_row_group(f, 0, cols, 2, &s, &a));
    CHECK_EQ_INT(a.length, 8);
    CHECK_EQ_INT(s.n_children, 2);
    CHECK_STR(s.children[0]->name, "bigint_col");
    const int32_t *ids = a.children[1]->buffers[1];
    const int64_t *bi = a.children[0]->buffers[1];
    int32_t want[] = {4, 5, 6, 7, 2, 3, 0, 1};
    for (int i = 0; i < 8; i++) {
        CHECK_EQ_INT(ids[i], want[i]);
        CHECK_EQ_INT(bi[i], (want[i] % 2) * 10);
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    CHECK_OK(dlk_arrow_json_row(&s, &a, 1, &buf, &len, &cap));
    CHECK_STR(buf, "{\"bigint_col\":10,\"id\":5}");
    dlk_string_free(buf);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
    const char *bad[] = {"nope"};
    CHECK_RC(dlk_pq_read_row_group(f, 0, bad, 1, &s, &a), DLK_NOT_FOUND);
    CHECK_RC(dlk_pq_read_row_group(f, 5, NULL, 0, &s, &a), DLK_INVALID_ARGUMENT);
    dlk_pq_col_stats st;
    CHECK_RC(dlk_pq_column_stats(f, 0, "nope", &st), DLK_NOT_FOUND);
    dlk_pq_close(&f);
}

TEST(stats_and_nested)
{
    dlk_pq_file *f;
    /* written with min_value/max_value statistics */
    CHECK_OK(dlk_pq_open_path(data_path("data", "int32_with_null_pages.parquet"), &f));
    if (f) {
        dlk_pq_col_stats st;
        CHECK_OK(dlk_pq_column_stats(f, 0, "int32_field", &st));
        CHECK(st.has_min_max);
        CHECK_EQ_INT(st.kind, DLK_PQ_STAT_INT);
        CHECK(st.min_i <= st.max_i);
        CHECK(st.null_count > 0);
        dlk_pq_close(&f);
    }
    CHECK_OK(dlk_pq_open_path(data_path("data", "nested_maps.snappy.parquet"), &f));
    if (f) {
        struct ArrowSchema s;
        struct ArrowArray a;
        CHECK_OK(dlk_pq_read_row_group(f, 0, NULL, 0, &s, &a));
        CHECK_STR(s.children[0]->format, "+m");
        CHECK_STR(s.children[0]->children[0]->name, "entries");
        CHECK_STR(s.children[0]->children[0]->children[1]->format, "+m");
        char *buf = NULL;
        size_t len = 0, cap = 0;
        CHECK_OK(dlk_arrow_json_row(&s, &a, 0, &buf, &len, &cap));
        CHECK_STR(buf, "{\"a\":{\"a\":{\"1\":true,\"2\":false}},\"b\":1,\"c\":1}");
        dlk_string_free(buf);
        dlk_arrow_array_release(&a);
        dlk_arrow_schema_release(&s);
        dlk_pq_close(&f);
    }
}

TEST(bad_data_files_fail_cleanly)
{
    char dir[1024];
    harness_testdata(dir, sizeof dir, "parquet/bad_data");
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".parquet")) continue;
        /* GH-43605: dictionary indices with RLE bit width 0: every value is index 0,
         * read as all zeros like other readers do. */
        bool may_succeed = !strcmp(e->d_name, "ARROW-GH-43605.parquet");
        dlk_pq_file *f;
        int rc = dlk_pq_open_path(data_path("bad_data", e->d_name), &f);
        int64_t rows = 0;
        if (!rc) {
            rc = read_everything(f, &rows);
            dlk_pq_close(&f);
        }
        n++;
        if (may_succeed) continue;
        if (rc != DLK_CORRUPT && rc != DLK_UNSUPPORTED) {
            fprintf(stderr, "  %s: rc %d\n", e->d_name, rc);
            CHECK(rc == DLK_CORRUPT || rc == DLK_UNSUPPORTED);
            continue;
        }
        CHECK(strstr(dlk_error_last()->message, e->d_name) != NULL);
    }
    closedir(d);
    CHECK(n >= 8);
}

/* Deterministic xorshift. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

TEST(truncated_and_bitflipped)
{
    const char *files[] = {"alltypes_plain.parquet",         "alltypes_dictionary.parquet",
                           "datapage_v2.snappy.parquet",     "nested_lists.snappy.parquet",
                           "nested_maps.snappy.parquet",     "delta_byte_array.parquet",
                           "delta_binary_packed.parquet",    "nullable.impala.parquet",
                           "byte_stream_split.zstd.parquet", "old_list_structure.parquet",
                           "rle_boolean_encoding.parquet",   "fixed_length_decimal.parquet"};
    int errors = 0, successes = 0;
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        size_t len;
        char *orig = read_all(data_path("data", files[k]), &len);
        if (!orig) {
            CHECK(orig != NULL);
            continue;
        }
        uint8_t *copy = malloc(len);
        for (int v = 0; v < 60; v++) {
            size_t n = len;
            memcpy(copy, orig, len);
            if (v < 20) {
                n = (size_t)(next_rand() % len);
            } else {
                int flips = 1 + (int)(next_rand() % 4);
                for (int i = 0; i < flips; i++) {
                    size_t pos = (size_t)(next_rand() % len);
                    copy[pos] ^= (uint8_t)(1u << (next_rand() % 8));
                }
            }
            /* exact-size heap copy so ASan sees any over-read */
            uint8_t *exact = malloc(n ? n : 1);
            memcpy(exact, copy, n);
            dlk_pq_file *f;
            int rc = dlk_pq_open_memory(exact, n, files[k], &f);
            int64_t rows;
            if (!rc) {
                dlk_pq_set_verify_crc(f, v % 2 == 0);
                rc = read_everything(f, &rows);
                dlk_pq_close(&f);
            }
            if (rc) {
                errors++;
                CHECK(rc == DLK_CORRUPT || rc == DLK_UNSUPPORTED || rc == DLK_NOT_FOUND);
            } else
                successes++;
            free(exact);
        }
        free(copy);
        free(orig);
    }
    fprintf(stderr, "  variants: %d errors, %d read\n", errors, successes);
    CHECK(errors > 0);
}

int main(void)
{
    RUN(rle_hybrid);
    RUN(delta_binary_packed);
    RUN(reader_api_alltypes);
    RUN(stats_and_nested);
    RUN(bad_data_files_fail_cleanly);
    RUN(truncated_and_bitflipped);
    return harness_done();
}

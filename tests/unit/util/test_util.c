/* Unit tests for src/util: errors, buffers, strings, hash map, arena,
 * time, paths, base64, Z85, UUID, allocation fault injection. */
#include "harness.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/misc.h"
#include "util/path.h"
#include "util/str.h"
#include "util/time.h"

TEST(error_codes_and_context)
{
    CHECK_STR(dlk_status_name(DLK_SCHEMA_MISMATCH), "SCHEMA_MISMATCH");
    CHECK_STR(dlk_status_name(DLK_CONCURRENT_MODIFICATION), "CONCURRENT_MODIFICATION");
    CHECK_STR(dlk_status_name(DLK_PARTITION_NOT_FOUND), "PARTITION_NOT_FOUND");
    CHECK_STR(dlk_status_name(12345), "UNKNOWN");
    int rc = dlk_err_set(DLK_CORRUPT, "add.path missing");
    CHECK_EQ_INT(rc, DLK_CORRUPT);
    rc = dlk_err_context(rc, "line %d", 3);
    rc = dlk_err_context(rc, "_delta_log/%020d.json", 5);
    CHECK_STR(dlk_error_last()->message, "_delta_log/00000000000000000005.json: line 3: add.path missing");
    CHECK_EQ_INT(dlk_error_last()->code, DLK_CORRUPT);
    dlk_err_schema_mismatch("long", "string", "column 'x': expected long, got string");
    CHECK_STR(dlk_error_last()->expected, "long");
    CHECK_STR(dlk_error_last()->actual, "string");
    dlk_err_conflict(42, "conflict with version %d", 42);
    CHECK_EQ_INT(dlk_error_last()->conflict_version, 42);
    CHECK(dlk_error_last()->expected == NULL);
    dlk_err_partition("date=2024-01-01", "no such partition");
    CHECK_STR(dlk_error_last()->partition, "date=2024-01-01");
    dlk_error_clear();
    CHECK_EQ_INT(dlk_error_last()->code, DLK_OK);
    CHECK_STR(dlk_error_last()->message, "");
}

TEST(buf_grows_and_escapes)
{
    dlk_buf b = {0};
    for (int i = 0; i < 10000; i++) CHECK_OK(dlk_buf_printf(&b, "%d,", i));
    CHECK(b.len > 40000);
    CHECK(dlk_str_starts_with(dlk_buf_cstr(&b), "0,1,2,"));
    dlk_buf_reset(&b);
    CHECK_OK(dlk_buf_json_str(&b, "a\"b\\c\n\x01", 7));
    CHECK_STR(dlk_buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001\"");
    char *s = dlk_buf_detach(&b);
    CHECK(b.data == NULL);
    dlk_free(s);
    dlk_vec v = DLK_VEC_INIT(int);
    for (int i = 0; i < 1000; i++) CHECK_OK(dlk_vec_push(&v, &i));
    CHECK_EQ_INT(v.len, 1000);
    CHECK_EQ_INT(dlk_vec_at(&v, int, 999), 999);
    dlk_vec_free(&v);
}

TEST(strings)
{
    char **parts;
    size_t n;
    CHECK_OK(dlk_str_split(" a, b ,,c ", ',', &parts, &n));
    CHECK_EQ_INT(n, 4);
    CHECK_STR(parts[0], "a");
    CHECK_STR(parts[1], "b");
    CHECK_STR(parts[2], "");
    CHECK_STR(parts[3], "c");
    CHECK(parts[4] == NULL);
    dlk_str_list_free(parts);
    CHECK_OK(dlk_str_split("", ',', &parts, &n));
    CHECK_EQ_INT(n, 0);
    dlk_str_list_free(parts);
    int64_t v;
    CHECK_OK(dlk_parse_i64("-9223372036854775808", &v));
    CHECK(v == INT64_MIN);
    CHECK_RC(dlk_parse_i64("9223372036854775808", &v), DLK_PARSE);
    CHECK_RC(dlk_parse_i64("12x", &v), DLK_PARSE);
    CHECK_RC(dlk_parse_i64("", &v), DLK_PARSE);
    CHECK_RC(dlk_parse_i64(" 1", &v), DLK_PARSE);
    double d;
    CHECK_OK(dlk_parse_double("1.5e3", &d));
    CHECK(d == 1500.0);
    CHECK_RC(dlk_parse_double("1.5.3", &d), DLK_PARSE);
    char *dec;
    CHECK_OK(dlk_url_decode("a%20b%3Dc", 9, &dec));
    CHECK_STR(dec, "a b=c");
    dlk_free(dec);
    CHECK_RC(dlk_url_decode("bad%2", 5, &dec), DLK_PARSE);
    CHECK_RC(dlk_url_decode("bad%zz", 6, &dec), DLK_PARSE);
    char *enc;
    CHECK_OK(dlk_url_encode_path("a b/c=d%", 8, &enc));
    CHECK_STR(enc, "a%20b%2Fc%3Dd%25");
    dlk_free(enc);
    CHECK_EQ_INT(dlk_str_distance("statuscode", "status_code"), 1);
    CHECK(dlk_str_ieq("SNAPPY", "snappy"));
}

TEST(hashmap_growth_and_delete)
{
    dlk_map m = {0};
    char key[32];
    for (intptr_t i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "key-%ld", (long)i);
        CHECK_OK(dlk_map_put(&m, key, (size_t)n, (void *)(i + 1), NULL));
    }
    CHECK_EQ_INT(m.count, 100000);
    int bad = 0;
    for (intptr_t i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "key-%ld", (long)i);
        void *val = NULL;
        if (!dlk_map_get(&m, key, (size_t)n, &val) || val != (void *)(i + 1)) bad++;
    }
    CHECK_EQ_INT(bad, 0);
    for (intptr_t i = 0; i < 100000; i += 2) {
        int n = snprintf(key, sizeof key, "key-%ld", (long)i);
        CHECK(dlk_map_remove(&m, key, (size_t)n, NULL));
    }
    CHECK_EQ_INT(m.count, 50000);
    CHECK(dlk_map_get_str(&m, "key-2") == NULL);
    CHECK(dlk_map_get_str(&m, "key-3") == (void *)4);
    void *old;
    CHECK_OK(dlk_map_put(&m, "key-3", 5, (void *)99, &old));
    CHECK(old == (void *)4);
    size_t pos = 0, seen = 0;
    while (dlk_map_next(&m, &pos)) seen++;
    CHECK_EQ_INT(seen, 50000);
    /* churn: insert/delete many times must not fill the table with tombstones */
    for (int r = 0; r < 20000; r++) {
        CHECK_OK(dlk_map_put_str(&m, "churn", (void *)1));
        CHECK(dlk_map_remove(&m, "churn", 5, NULL));
    }
    CHECK_EQ_INT(m.count, 50000);
    dlk_map_free(&m);
}

TEST(arena)
{
    dlk_arena a = {0};
    char *first = dlk_arena_strdup(&a, "hello");
    for (int i = 0; i < 100000; i++) CHECK(dlk_arena_alloc(&a, 24) != NULL);
    void *big = dlk_arena_alloc(&a, 1 << 20);
    CHECK(big != NULL);
    CHECK(((uintptr_t)big & 15) == 0);
    CHECK_STR(first, "hello");
    dlk_arena_free(&a);
    CHECK(a.head == NULL);
}

static int64_t ts(const char *s)
{
    int64_t v = 0;
    bool z;
    if (dlk_parse_timestamp(s, strlen(s), &v, &z)) return INT64_MIN;
    return v;
}

TEST(timestamps)
{
    CHECK_EQ_INT(ts("1970-01-01T00:00:00Z"), 0);
    CHECK_EQ_INT(ts("1970-01-01T00:00:00.000001Z"), 1);
    CHECK_EQ_INT(ts("2024-01-01T12:30:00Z"), 1704112200LL * 1000000);
    CHECK_EQ_INT(ts("2024-01-01T14:30:00+02:00"), 1704112200LL * 1000000);
    CHECK_EQ_INT(ts("2024-01-01T07:00:00-05:30"), 1704112200LL * 1000000);
    CHECK_EQ_INT(ts("2024-01-01 12:30:00"), 1704112200LL * 1000000);
    CHECK_EQ_INT(ts("2024-01-01T12:30:00.123456789Z"), 1704112200123456LL);
    CHECK_EQ_INT(ts("2024-01-01T12:30:00.5Z"), 1704112200500000LL);
    CHECK_EQ_INT(ts("1969-12-31T23:59:59.999999Z"), -1);
    CHECK_EQ_INT(ts("2024-02-29T00:00:00Z"), 1709164800LL * 1000000);
    CHECK_EQ_INT(ts("2024-01-01"), 1704067200LL * 1000000);
    CHECK_EQ_INT(ts("2023-02-29T00:00:00Z"), INT64_MIN); /* not a leap year */
    CHECK_EQ_INT(ts("2024-13-01T00:00:00Z"), INT64_MIN);
    CHECK_EQ_INT(ts("2024-01-01T24:00:00Z"), INT64_MIN);
    CHECK_EQ_INT(ts("2024-01-01T12:30:00ZZ"), INT64_MIN);
    CHECK_EQ_INT(ts("2024-01-01T12:30:00."), INT64_MIN);
    CHECK_EQ_INT(ts("garbage"), INT64_MIN);
    CHECK(strstr(dlk_error_last()->message, "garbage") != NULL);
    bool z = true;
    int64_t v;
    CHECK_OK(dlk_parse_timestamp("2024-01-01T00:00:00", 19, &v, &z));
    CHECK(!z);
    char out[48];
    dlk_format_timestamp(-1, true, out);
    CHECK_STR(out, "1969-12-31T23:59:59.999999Z");
    dlk_format_timestamp(1704112200123456LL, false, out);
    CHECK_STR(out, "2024-01-01T12:30:00.123456");
    dlk_format_timestamp(ts("0001-01-01T00:00:00Z"), true, out);
    CHECK_STR(out, "0001-01-01T00:00:00.000000Z");
    dlk_format_timestamp(ts("9999-12-31T23:59:59.999999Z"), true, out);
    CHECK_STR(out, "9999-12-31T23:59:59.999999Z");
    int32_t days;
    CHECK_OK(dlk_parse_date("2000-03-01", 10, &days));
    CHECK_EQ_INT(days, 11017);
    dlk_format_date(days, out);
    CHECK_STR(out, "2000-03-01");
    dlk_format_date(-719162, out);
    CHECK_STR(out, "0001-01-01");
    CHECK_RC(dlk_parse_date("2000-3-01", 9, &days), DLK_PARSE);
    /* round trip over a range of days */
    int bad = 0;
    for (int32_t d = -719162; d <= 2932896; d += 97) {
        dlk_format_date(d, out);
        int32_t back;
        if (dlk_parse_date(out, strlen(out), &back) || back != d) bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(paths)
{
    char *p;
    CHECK_OK(dlk_path_join("/data/t/", "a=1/part-0.parquet", &p));
    CHECK_STR(p, "/data/t/a=1/part-0.parquet");
    dlk_free(p);
    CHECK_OK(dlk_path_join("/data/t", "./x//y", &p));
    CHECK_STR(p, "/data/t/x/y");
    dlk_free(p);
    CHECK_RC(dlk_path_join("/data/t", "../etc/passwd", &p), DLK_INVALID_ARGUMENT);
    CHECK(strstr(dlk_error_last()->message, "../etc/passwd") != NULL);
    CHECK_RC(dlk_path_join("/data/t", "a/../../b", &p), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_path_join("/data/t", "a/..", &p), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_path_join("/data/t", "/etc/passwd", &p), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_path_join("/data/t", "", &p), DLK_INVALID_ARGUMENT);
    CHECK_OK(dlk_path_join("/data/t", "a..b/..c", &p)); /* dots inside names are fine */
    dlk_free(p);
    CHECK_STR(dlk_path_basename("/a/b/c.json"), "c.json");
    CHECK(dlk_path_is_uri("s3://bucket/prefix"));
    CHECK(!dlk_path_is_uri("/tmp/x"));
}

TEST(base64_z85_uuid_crc)
{
    const char *cases[][2] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
                              {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < 5; i++) {
        char *e;
        size_t n;
        CHECK_OK(dlk_base64_encode((const uint8_t *)cases[i][0], strlen(cases[i][0]), &e, &n));
        CHECK_STR(e, cases[i][1]);
        uint8_t *d;
        size_t dn;
        CHECK_OK(dlk_base64_decode(e, n, &d, &dn));
        CHECK_EQ_INT(dn, strlen(cases[i][0]));
        CHECK(memcmp(d, cases[i][0], dn) == 0);
        dlk_free(e);
        dlk_free(d);
    }
    uint8_t *d;
    size_t dn;
    CHECK_RC(dlk_base64_decode("Zm9v!", 5, &d, &dn), DLK_PARSE);
    /* Z85 reference vector from the Z85 spec: 8 bytes -> "HelloWorld" */
    const uint8_t hello[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    char z[16];
    CHECK_OK(dlk_z85_encode(hello, 8, z, sizeof z));
    CHECK_STR(z, "HelloWorld");
    uint8_t back[8];
    size_t bn;
    CHECK_OK(dlk_z85_decode("HelloWorld", 10, back, sizeof back, &bn));
    CHECK_EQ_INT(bn, 8);
    CHECK(memcmp(back, hello, 8) == 0);
    CHECK_RC(dlk_z85_decode("Hello~orld", 10, back, sizeof back, &bn), DLK_PARSE);
    char u1[37], u2[37];
    dlk_uuid_string(u1);
    dlk_uuid_string(u2);
    CHECK_EQ_INT(strlen(u1), 36);
    CHECK(strcmp(u1, u2) != 0);
    CHECK(u1[14] == '4');
    CHECK_EQ_INT(dlk_crc32(0, "123456789", 9), 0xCBF43926u);
}

TEST(alloc_fault_injection)
{
    dlk_alloc_fail_after(1);
    CHECK(dlk_malloc(10) == NULL);
    dlk_alloc_fail_after(0);
    /* every allocation failure in a buffer path yields NO_MEMORY, not a crash */
    for (long n = 1; n < 20; n++) {
        dlk_buf b = {0};
        dlk_alloc_fail_after(n);
        int rc = 0;
        for (int i = 0; i < 1000 && !rc; i++) rc = dlk_buf_printf(&b, "%d", i);
        dlk_alloc_fail_after(0);
        CHECK(rc == DLK_NO_MEMORY || rc == DLK_OK);
        dlk_buf_free(&b);
        dlk_map m = {0};
        dlk_alloc_fail_after(n);
        for (int i = 0; i < 100 && !rc; i++) {
            char k[16];
            snprintf(k, sizeof k, "%d", i);
            rc = dlk_map_put_str(&m, k, NULL);
        }
        dlk_alloc_fail_after(0);
        dlk_map_free(&m);
    }
}

int main(void)
{
    RUN(error_codes_and_context);
    RUN(buf_grows_and_escapes);
    RUN(strings);
    RUN(hashmap_growth_and_delete);
    RUN(arena);
    RUN(timestamps);
    RUN(paths);
    RUN(base64_z85_uuid_crc);
    RUN(alloc_fault_injection);
    return harness_done();
}

/* Unit tests: the --schema DDL parser and NDJSON/CSV record conversion. */
#include "arrow/arrow.h"
#include "core/schema_ddl.h"
#include "harness.h"
#include "ingest/records.h"
#include "core/stats.h"
#include "parquet/writer.h"
#include "util/buf.h"
#include "util/error.h"

#include <math.h>
#include <string.h>

static char *tname(const struct ArrowSchema *s)
{
    static char out[512];
    dlk_buf b = {0};
    dlk_core_type_name(s, &b);
    snprintf(out, sizeof out, "%s", dlk_buf_cstr(&b));
    dlk_buf_free(&b);
    return out;
}

TEST(ddl_basic)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_core_schema_ddl_parse(
        "id string not null, ts timestamp, n BIGINT, i integer, sm smallint, t tinyint, "
        "attrs map<string,string>, s struct<a: int, `odd name`: string not null>, d decimal(10,2), "
        "tags array<string>, tn timestamp_ntz, dt date, bin binary, f float, g double, b boolean",
        &s));
    CHECK_EQ_INT(s.n_children, 16);
    CHECK_STR(s.format, "+s");
    CHECK_STR(s.children[0]->name, "id");
    CHECK_STR(s.children[0]->format, "u");
    CHECK_EQ_INT(s.children[0]->flags & ARROW_FLAG_NULLABLE, 0);
    CHECK(s.children[1]->flags & ARROW_FLAG_NULLABLE);
    CHECK_STR(s.children[1]->format, "tsu:UTC");
    CHECK_STR(s.children[2]->format, "l");
    CHECK_STR(s.children[3]->format, "i");
    CHECK_STR(s.children[4]->format, "s");
    CHECK_STR(s.children[5]->format, "c");
    CHECK_STR(s.children[6]->format, "+m");
    CHECK_STR(s.children[6]->children[0]->children[0]->name, "key");
    CHECK_EQ_INT(s.children[6]->children[0]->children[0]->flags & ARROW_FLAG_NULLABLE, 0);
    CHECK_STR(s.children[7]->children[1]->name, "odd name");
    CHECK_EQ_INT(s.children[7]->children[1]->flags & ARROW_FLAG_NULLABLE, 0);
    CHECK_STR(s.children[8]->format, "d:10,2");
    CHECK_STR(s.children[9]->children[0]->name, "element");
    CHECK_STR(s.children[10]->format, "tsu:");
    CHECK_STR(tname(&s), "struct<id:string not null,ts:timestamp,n:long,i:integer,sm:short,t:byte,"
                         "attrs:map<string,string>,s:struct<a:integer,`odd name`:string not null>,"
                         "d:decimal(10,2),tags:array<string>,tn:timestamp_ntz,dt:date,bin:binary,"
                         "f:float,g:double,b:boolean>");
    dlk_arrow_schema_release(&s);
    CHECK_OK(dlk_core_schema_ddl_parse("`a``b` DECIMAL, x array<struct<y long>>, c map<int, array<long>>", &s));
    CHECK_STR(s.children[0]->name, "a`b");
    CHECK_STR(s.children[0]->format, "d:10,0");
    CHECK_STR(tname(s.children[1]), "array<struct<y:long>>");
    dlk_arrow_schema_release(&s);
}

TEST(ddl_errors)
{
    struct ArrowSchema s;
    CHECK_RC(dlk_core_schema_ddl_parse("id strng", &s), DLK_PARSE);
    CHECK(strstr(dlk_error_last()->message, "position 4"));
    CHECK(strstr(dlk_error_last()->message, "strng"));
    CHECK_RC(dlk_core_schema_ddl_parse("id string,", &s), DLK_PARSE);
    CHECK_RC(dlk_core_schema_ddl_parse("", &s), DLK_PARSE);
    CHECK_RC(dlk_core_schema_ddl_parse("a map<string>", &s), DLK_PARSE);
    CHECK(strstr(dlk_error_last()->message, "position 13"));
    CHECK_RC(dlk_core_schema_ddl_parse("a struct<b int", &s), DLK_PARSE);
    CHECK_RC(dlk_core_schema_ddl_parse("a int not", &s), DLK_PARSE);
    CHECK_RC(dlk_core_schema_ddl_parse("a decimal(40,2)", &s), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_core_schema_ddl_parse("a decimal(5,6)", &s), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_core_schema_ddl_parse("a int, A long", &s), DLK_INVALID_ARGUMENT);
    CHECK(strstr(dlk_error_last()->message, "duplicate"));
    CHECK_RC(dlk_core_schema_ddl_parse("`unterminated int", &s), DLK_PARSE);
    CHECK_RC(dlk_core_schema_ddl_parse("a int b int", &s), DLK_PARSE);
    char deep[600];
    size_t k = 0;
    k += (size_t)snprintf(deep, sizeof deep, "a ");
    for (int i = 0; i < 90; i++) k += (size_t)snprintf(deep + k, sizeof deep - k, "array<");
    CHECK_RC(dlk_core_schema_ddl_parse(deep, &s), DLK_PARSE);
}

/* Convert text, expecting success; returns the single batch. */
static int conv(const char *ddl, const char *text, int format, struct ArrowArray *out)
{
    struct ArrowSchema s;
    int rc = dlk_core_schema_ddl_parse(ddl, &s);
    if (rc) return rc;
    dlk_records_options o = DLK_RECORDS_OPTIONS_INIT;
    o.format = format;
    o.strict = true;
    dlk_records_reader *r;
    rc = dlk_ops_records_open_mem(&s, &o, text, strlen(text), &r);
    dlk_arrow_schema_release(&s);
    if (rc) return rc;
    rc = dlk_ops_records_next(r, out);
    dlk_ops_records_free(r);
    return rc;
}

TEST(records_values)
{
    struct ArrowArray a;
    CHECK_OK(conv("id string not null, n long, b byte, ts timestamp, d date, dec decimal(10,2), "
                  "f double, bin binary, s struct<x: int>, t array<long>, m map<string,int>",
                  "{\"id\":\"a\",\"n\":9223372036854775807,\"b\":-128,\"ts\":\"2024-01-01T00:00:01.5Z\","
                  "\"d\":\"2024-03-01\",\"dec\":\"12.5\",\"f\":1.25,\"bin\":\"aGk=\",\"s\":{\"x\":7},"
                  "\"t\":[1,2,3],\"m\":{\"k\":1}}\n"
                  "\n"
                  "{\"id\":\"b\",\"dec\":3,\"f\":\"NaN\"}\n",
                  DLK_RECORDS_NDJSON, &a));
    CHECK_EQ_INT(a.length, 2);
    CHECK_EQ_INT(a.n_children, 11);
    const int64_t *n = a.children[1]->buffers[1];
    CHECK_EQ_INT(n[0], INT64_MAX);
    CHECK(!dlk_arrow_is_valid(a.children[1], 1));
    CHECK_EQ_INT(((const int8_t *)a.children[2]->buffers[1])[0], -128);
    CHECK_EQ_INT(((const int64_t *)a.children[3]->buffers[1])[0], 1704067201500000LL);
    const uint8_t *dec = a.children[5]->buffers[1];
    int64_t lo0, lo1;
    memcpy(&lo0, dec, 8);
    memcpy(&lo1, dec + 16, 8);
    CHECK_EQ_INT(lo0, 1250);
    CHECK_EQ_INT(lo1, 300);
    CHECK(isnan(((const double *)a.children[6]->buffers[1])[1]));
    CHECK_EQ_INT(((const int32_t *)a.children[8]->children[0]->buffers[1])[0], 7);
    CHECK_EQ_INT(a.children[9]->children[0]->length, 3);
    dlk_arrow_array_release(&a);
}

static void expect_mismatch(const char *ddl, const char *text, const char *msg_part)
{
    struct ArrowArray a;
    int rc = conv(ddl, text, DLK_RECORDS_NDJSON, &a);
    if (rc != DLK_SCHEMA_MISMATCH) {
        fprintf(stderr, "expected SCHEMA_MISMATCH for %s, got %d (%s)\n", text, rc, dlk_error_last()->message);
        h_cur_failed = 1;
        if (!rc) dlk_arrow_array_release(&a);
        return;
    }
    if (!strstr(dlk_error_last()->message, msg_part)) {
        fprintf(stderr, "message '%s' lacks '%s'\n", dlk_error_last()->message, msg_part);
        h_cur_failed = 1;
    }
}

TEST(records_errors)
{
    expect_mismatch("id string not null", "{\"id\":\"x\"}\n{}\n", "line 2: column 'id': expected string not null");
    expect_mismatch("n long", "{\"n\":\"5\"}", "line 1: column 'n': expected long, got string");
    CHECK_STR(dlk_error_last()->expected, "long");
    CHECK_STR(dlk_error_last()->actual, "string");
    expect_mismatch("n int", "{\"n\":1}\n{\"n\":2147483648}", "line 2: column 'n': expected integer, got 2147483648 (out of range)");
    expect_mismatch("n byte", "{\"n\":128}", "column 'n': expected byte");
    expect_mismatch("n short", "{\"n\":-32769}", "column 'n': expected short");
    expect_mismatch("n int", "{\"n\":1.5}", "column 'n'");
    expect_mismatch("s struct<a long>", "{\"s\":{\"a\":true}}", "line 1: column 's.a': expected long, got boolean");
    expect_mismatch("t array<int>", "{\"t\":[1,\"x\"]}", "column 't[]': expected integer, got string");
    expect_mismatch("ts timestamp", "{\"ts\":\"yesterday\"}", "column 'ts': expected timestamp");
    expect_mismatch("ts timestamp_ntz", "{\"ts\":\"2024-01-01T00:00:00Z\"}", "time-zone offset");
    expect_mismatch("d date", "{\"d\":5}", "column 'd': expected date, got integer");
    expect_mismatch("d decimal(4,2)", "{\"d\":\"123.4\"}", "out of range");
    expect_mismatch("d decimal(6,2)", "{\"d\":\"1.234\"}", "fraction digits");
    expect_mismatch("b binary", "{\"b\":\"!!!\"}", "base64");
    expect_mismatch("a int", "{\"a\":1,\"zz\":2}", "line 1: field 'zz' is not in the table schema");
    expect_mismatch("a int", "[1]", "line 1: expected a JSON object");
    struct ArrowArray a;
    CHECK_RC(conv("a int", "{\"a\":1}\n{\"a\":", DLK_RECORDS_NDJSON, &a), DLK_PARSE);
    CHECK(strstr(dlk_error_last()->message, "line 2"));
}

TEST(records_csv)
{
    struct ArrowArray a;
    CHECK_OK(conv("id string not null, n long, ts timestamp, note string",
                  "n,id,ts,note\n1,a,2024-01-01T00:00:00Z,\"x, \"\"y\"\"\"\n,b,,\"multi\nline\"\n",
                  DLK_RECORDS_CSV, &a));
    CHECK_EQ_INT(a.length, 2);
    CHECK_EQ_INT(((const int64_t *)a.children[1]->buffers[1])[0], 1);
    CHECK(!dlk_arrow_is_valid(a.children[1], 1));
    const int32_t *off = a.children[3]->buffers[1];
    const char *data = a.children[3]->buffers[2];
    CHECK(off[1] - off[0] == 6 && !memcmp(data, "x, \"y\"", 6));
    CHECK(off[2] - off[1] == 10 && !memcmp(data + off[1], "multi\nline", 10));
    dlk_arrow_array_release(&a);
    CHECK_RC(conv("n long", "n\nabc\n", DLK_RECORDS_CSV, &a), DLK_SCHEMA_MISMATCH);
    CHECK(strstr(dlk_error_last()->message, "line 2: column 'n'"));
    CHECK_RC(conv("n long", "n\n1,2\n", DLK_RECORDS_CSV, &a), DLK_PARSE);
}

TEST(records_batches_and_file)
{
    FILE *f = tmpfile();
    for (int i = 0; i < 2500; i++) fprintf(f, "{\"i\":%d,\"s\":\"v%d\"}\n", i, i);
    rewind(f);
    struct ArrowSchema s;
    CHECK_OK(dlk_core_schema_ddl_parse("i int not null, s string", &s));
    dlk_records_options o = DLK_RECORDS_OPTIONS_INIT;
    o.batch_rows = 1000;
    dlk_records_reader *r;
    CHECK_OK(dlk_ops_records_open(&s, &o, f, &r));
    int64_t total = 0, batches = 0, sum = 0;
    for (;;) {
        struct ArrowArray a;
        CHECK_OK(dlk_ops_records_next(r, &a));
        if (!a.release) break;
        batches++;
        const int32_t *v = a.children[0]->buffers[1];
        for (int64_t i = 0; i < a.length; i++) sum += v[i];
        total += a.length;
        dlk_arrow_array_release(&a);
    }
    CHECK_EQ_INT(total, 2500);
    CHECK_EQ_INT(batches, 3);
    CHECK_EQ_INT(sum, 2499LL * 2500 / 2);
    dlk_ops_records_free(r);
    dlk_arrow_schema_release(&s);
    fclose(f);
}

TEST(records_infer)
{
    struct ArrowSchema s, m;
    CHECK_OK(dlk_core_schema_ddl_parse("a int, s struct<x: int>", &s));
    const char *t = "{\"a\":1,\"ts\":\"2024-01-01T00:00:00Z\",\"n\":null}\n"
                    "{\"s\":{\"x\":1,\"y\":\"q\"},\"r\":1.5,\"n\":5,\"o\":{\"p\":true},\"l\":[1]}\n"
                    "{\"i\":1}\n{\"i\":2.5}\n";
    size_t n_new = 0;
    CHECK_OK(dlk_ops_records_infer(&s, t, strlen(t), &m, &n_new));
    CHECK_STR(tname(&m), "struct<a:integer,s:struct<x:integer,y:string>,ts:timestamp,n:long,"
                         "r:double,o:struct<p:boolean>,l:array<long>,i:double>");
    CHECK_EQ_INT(n_new, 8);
    dlk_arrow_schema_release(&m);
    dlk_arrow_schema_release(&s);
}


static void stats_of(const char *ddl, const char *text, int indexed, char *out, size_t cap)
{
    struct ArrowSchema s;
    struct ArrowArray a;
    out[0] = 0;
    CHECK_OK(dlk_core_schema_ddl_parse(ddl, &s));
    CHECK_OK(conv(ddl, text, DLK_RECORDS_NDJSON, &a));
    dlk_buf file = {0};
    dlk_pq_writer *w;
    dlk_pq_write_result *res = NULL;
    CHECK_OK(dlk_pq_writer_open(&s, NULL, dlk_pq_sink_buf(&file), &w));
    CHECK_OK(dlk_pq_writer_write(w, &a));
    CHECK_OK(dlk_pq_writer_close(w, &res));
    dlk_buf j = {0};
    CHECK_OK(dlk_core_stats_json(&s, res, indexed, &j));
    snprintf(out, cap, "%s", dlk_buf_cstr(&j));
    dlk_buf_free(&j);
    dlk_buf_free(&file);
    dlk_pq_write_result_free(res);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
}

TEST(stats_json)
{
    char out[4096];
    stats_of("id string not null, n long, f double, b boolean, ts timestamp, tn timestamp_ntz, d date, "
             "dec decimal(10,2), s struct<x: int, e struct<q: int>>, t array<int>, bin binary",
             "{\"id\":\"b\",\"n\":-5,\"f\":0.1,\"b\":true,\"ts\":\"2024-01-01T00:00:00.123456Z\","
             "\"tn\":\"2024-01-01T00:00:00.5\",\"d\":\"2024-02-29\",\"dec\":\"-1.5\",\"s\":{\"x\":3},\"t\":[1]}\n"
             "{\"id\":\"a\",\"n\":9223372036854775807,\"f\":\"NaN\",\"ts\":\"2024-01-02T00:00:00Z\",\"dec\":\"99999999.99\"}\n",
             -1, out, sizeof out);
    CHECK_STR(out, "{\"numRecords\":2,"
                   "\"minValues\":{\"id\":\"a\",\"n\":-5,\"f\":0.1,\"ts\":\"2024-01-01T00:00:00.123Z\","
                   "\"tn\":\"2024-01-01T00:00:00.500\",\"d\":\"2024-02-29\",\"dec\":-1.50,\"s\":{\"x\":3}},"
                   "\"maxValues\":{\"id\":\"b\",\"n\":9223372036854775807,\"f\":0.1,\"ts\":\"2024-01-02T00:00:00.000Z\","
                   "\"tn\":\"2024-01-01T00:00:00.500\",\"d\":\"2024-02-29\",\"dec\":99999999.99,\"s\":{\"x\":3}},"
                   "\"nullCount\":{\"id\":0,\"n\":0,\"f\":0,\"b\":1,\"ts\":0,\"tn\":1,\"d\":1,\"dec\":0,"
                   "\"s\":{\"x\":1,\"e\":{\"q\":2}},\"bin\":2}}");
    /* timestamps: max rounded up to the millisecond */
    stats_of("ts timestamp", "{\"ts\":\"2024-01-01T00:00:00.123456Z\"}", -1, out, sizeof out);
    CHECK(strstr(out, "\"maxValues\":{\"ts\":\"2024-01-01T00:00:00.124Z\"}"));
    /* strings: 32-character prefix; the max bumped */
    stats_of("s string", "{\"s\":\"0123456789012345678901234567890123456789\"}\n{\"s\":\"\xc3\xa9\"}", -1, out, sizeof out);
    CHECK(strstr(out, "\"minValues\":{\"s\":\"01234567890123456789012345678901\"}"));
    CHECK(strstr(out, "\"maxValues\":{\"s\":\"\xc3\xa9\"}"));
    stats_of("s string", "{\"s\":\"0123456789012345678901234567890123456789\"}", -1, out, sizeof out);
    CHECK(strstr(out, "\"maxValues\":{\"s\":\"01234567890123456789012345678902\"}"));
    /* a struct whose fields are all null: no empty objects in min/max */
    stats_of("a int, s struct<x: int>", "{\"a\":1}", -1, out, sizeof out);
    CHECK_STR(out, "{\"numRecords\":1,\"minValues\":{\"a\":1},\"maxValues\":{\"a\":1},\"nullCount\":{\"a\":0,\"s\":{\"x\":1}}}");
    /* only the first N leaf columns */
    stats_of("a int, b int", "{\"a\":1,\"b\":2}", 1, out, sizeof out);
    CHECK_STR(out, "{\"numRecords\":1,\"minValues\":{\"a\":1},\"maxValues\":{\"a\":1},\"nullCount\":{\"a\":0}}");
}

int main(void)
{
    RUN(stats_json);
    RUN(ddl_basic);
    RUN(ddl_errors);
    RUN(records_values);
    RUN(records_errors);
    RUN(records_csv);
    RUN(records_batches_and_file);
    RUN(records_infer);
    return harness_done();
}

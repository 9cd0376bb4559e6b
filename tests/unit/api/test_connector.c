/* C API tests of the seed items (include/deltalake/connector.h): connector
 * from config, get-or-create / get / list / delete tables, schema builder
 * with every Delta type, bulk insert (NDJSON and JSON array), query builder
 * (filter, select, limit, order, version and timestamp time travel),
 * metadata, partitioning by value and by hash. Expected values come from the
 * generated input, not from the code under test. */
#include "deltalake/deltalake.h"
#include "deltalake/arrow_json.h"
#include "deltalake/parquet.h"
#include "harness.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[256];

static void setup(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/dlk-conn-XXXXXX");
    if (!mkdtemp(g_dir)) abort();
}

static void rmrf(const char *p)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p);
    if (system(cmd) != 0) fprintf(stderr, "cleanup of %s failed\n", p);
}

static dlk_connector *connector(const char *table, const char *const *pcols, size_t np, bool hash)
{
    dlk_config cfg;
    dlk_config_init(&cfg);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, table);
    dlk_config_set_table_path(&cfg, path);
    dlk_config_set_partition_columns(&cfg, pcols, np);
    if (hash) {
        cfg.partition_strategy = DLK_PARTITION_BY_HASH;
        cfg.hash_buckets = 4;
    }
    dlk_connector *c = NULL;
    if (dlk_connector_new(&cfg, &c)) fprintf(stderr, "connector: %s\n", dlk_error_last()->message);
    dlk_config_free(&cfg);
    return c;
}

static void span_schema(struct ArrowSchema *s)
{
    dlk_schema_builder *b;
    CHECK_OK(dlk_schema_builder_new(&b));
    CHECK_OK(dlk_schema_builder_add(b, "span_id", "string", false));
    CHECK_OK(dlk_schema_builder_add_type(b, "service_name", DLK_TYPE_STRING, false));
    CHECK_OK(dlk_schema_builder_add_type(b, "status_code", DLK_TYPE_INT, true));
    CHECK_OK(dlk_schema_builder_add_type(b, "duration_ms", DLK_TYPE_DOUBLE, true));
    CHECK_OK(dlk_schema_builder_add_type(b, "start_time", DLK_TYPE_TIMESTAMP, true));
    CHECK_OK(dlk_schema_builder_finish(b, s));
    dlk_schema_builder_free(&b);
}

/* n spans: span i has service svc[i%3], status 200 + (i%5 == 0)*300, duration i*1.5 */
static const char *SVC[] = {"web", "api", "db"};
static char *gen_spans(int from, int n, bool as_array)
{
    size_t cap = (size_t)n * 200 + 16, len = 0;
    char *s = malloc(cap);
    if (as_array) s[len++] = '[';
    for (int i = from; i < from + n; i++) {
        if (as_array && i > from) s[len++] = ',';
        len +=
            (size_t)snprintf(s + len, cap - len,
                             "{\"span_id\":\"s%05d\",\"service_name\":\"%s\",\"status_code\":%d,"
                             "\"duration_ms\":%.1f,\"start_time\":\"2024-01-01T00:%02d:%02dZ\"}%s",
                             i, SVC[i % 3], i % 5 == 0 ? 500 : 200, i * 1.5, (i / 60) % 60, i % 60,
                             as_array ? "" : "\n");
    }
    if (as_array) s[len++] = ']';
    s[len] = 0;
    return s;
}

TEST(connector_config)
{
    dlk_config cfg;
    dlk_config_init(&cfg);
    cfg.file_size_min = -1;
    dlk_connector *c = NULL;
    CHECK_RC(dlk_connector_new(&cfg, &c), DLK_INVALID_ARGUMENT);
    CHECK(c == NULL);
    CHECK(strstr(dlk_error_last()->message, "file_size_min") != NULL);
    dlk_config_init(&cfg);
    cfg.compression = (dlk_compression)17;
    CHECK_RC(dlk_connector_new(&cfg, &c), DLK_INVALID_ARGUMENT);
    dlk_config_init(&cfg);
    dlk_config_set_table_path(&cfg, "/data/lake/spans");
    CHECK_OK(dlk_connector_new(&cfg, &c));
    dlk_config_free(&cfg); /* the connector keeps its own copy */
    CHECK_STR(dlk_connector_root(c), "/data/lake");
    CHECK_STR(dlk_connector_config(c)->table_path, "/data/lake/spans");
    dlk_connector_free(&c);
    CHECK(c == NULL);
    dlk_connector_free(&c);
}

TEST(get_create_list_delete)
{
    dlk_connector *c = connector("spans", NULL, 0, false);
    dlk_table_handle *t = NULL;
    CHECK_RC(dlk_connector_get_table(c, NULL, &t), DLK_NOT_FOUND);
    CHECK_RC(dlk_connector_get_or_create_table(c, "nothing", NULL, &t), DLK_NOT_FOUND);
    struct ArrowSchema s;
    span_schema(&s);
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    CHECK_STR(dlk_table_handle_name(t), "spans");
    dlk_table_handle_free(&t);
    /* second call opens the existing table */
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    dlk_table_handle_free(&t);
    CHECK_OK(dlk_connector_get_or_create_table(c, "logs", &s, &t));
    dlk_table_handle_free(&t);
    char nested[512];
    snprintf(nested, sizeof nested, "%s/team/metrics", g_dir);
    CHECK_OK(dlk_connector_get_or_create_table(c, nested, &s, &t));
    CHECK_STR(dlk_table_handle_name(t), "metrics");
    dlk_table_handle_free(&t);
    CHECK_OK(dlk_connector_get_table(c, "logs", &t));
    dlk_table_handle_free(&t);
    CHECK_RC(dlk_connector_get_table(c, "..", &t), DLK_INVALID_ARGUMENT);
    /* a plain folder is not listed and cannot be deleted */
    char plain[512];
    snprintf(plain, sizeof plain, "%s/plain", g_dir);
    mkdir(plain, 0755);
    char **names = NULL;
    size_t n = 0;
    CHECK_OK(dlk_connector_list_tables(c, NULL, &names, &n));
    CHECK_EQ_INT(n, 3);
    if (n == 3) {
        CHECK_STR(names[0], "logs");
        CHECK_STR(names[1], "spans");
        CHECK_STR(names[2], "team/metrics");
    }
    dlk_string_list_free(names, n);
    CHECK_RC(dlk_connector_delete_table(c, "plain"), DLK_NOT_FOUND);
    struct stat sb;
    CHECK(stat(plain, &sb) == 0);
    CHECK_OK(dlk_connector_delete_table(c, "logs"));
    char logs[512];
    snprintf(logs, sizeof logs, "%s/logs", g_dir);
    CHECK(stat(logs, &sb) != 0);
    CHECK_RC(dlk_connector_get_table(c, "logs", &t), DLK_NOT_FOUND);
    CHECK_OK(dlk_connector_list_tables(c, NULL, &names, &n));
    CHECK_EQ_INT(n, 2);
    dlk_string_list_free(names, n);
    /* listing a missing root: zero tables */
    CHECK_OK(dlk_connector_list_tables(c, "/nonexistent/dlk-root", &names, &n));
    CHECK_EQ_INT(n, 0);
    dlk_string_list_free(names, n);
    s.release(&s);
    dlk_connector_free(&c);
}

TEST(schema_builder_all_types)
{
    dlk_schema_builder *b;
    CHECK_OK(dlk_schema_builder_new(&b));
    for (int ty = DLK_TYPE_STRING; ty <= DLK_TYPE_TIMESTAMP_NTZ; ty++) {
        char name[32];
        snprintf(name, sizeof name, "c_%s", dlk_type_to_name((dlk_type)ty));
        CHECK_OK(dlk_schema_builder_add_type(b, name, (dlk_type)ty, ty != DLK_TYPE_STRING));
    }
    CHECK_OK(dlk_schema_builder_add_decimal(b, "amount", 12, 3, true));
    CHECK_OK(dlk_schema_builder_add_array(b, "tags", "string", false, true));
    CHECK_OK(dlk_schema_builder_add_map(b, "attrs", "string", "long", true, true));
    CHECK_OK(dlk_schema_builder_begin_struct(b, "resource", true));
    CHECK_OK(dlk_schema_builder_add(b, "host", "string", true));
    CHECK_OK(dlk_schema_builder_begin_struct(b, "k8s", true));
    CHECK_OK(dlk_schema_builder_add(b, "pod", "string", false));
    CHECK_OK(dlk_schema_builder_end_struct(b));
    CHECK_OK(dlk_schema_builder_end_struct(b));
    CHECK_OK(
        dlk_schema_builder_add(b, "events", "array<struct<name: string, ts: timestamp>>", true));
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_builder_finish(b, &s));
    CHECK_EQ_INT(s.n_children, 17);
    char *json = NULL;
    CHECK_OK(dlk_schema_to_delta_json(&s, &json));
    /* compare with the Delta schemaString written by hand */
    json_t *got = json_loads(json ? json : "null", 0, NULL);
    json_t *want = json_loads(
        "{\"type\":\"struct\",\"fields\":["
        "{\"name\":\"c_string\",\"type\":\"string\",\"nullable\":false,\"metadata\":{}},"
        "{\"name\":\"c_long\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_int\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_short\",\"type\":\"short\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_byte\",\"type\":\"byte\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_float\",\"type\":\"float\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_double\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_boolean\",\"type\":\"boolean\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_binary\",\"type\":\"binary\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_date\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_timestamp\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"c_timestamp_ntz\",\"type\":\"timestamp_ntz\",\"nullable\":true,\"metadata\":{}"
        "},"
        "{\"name\":\"amount\",\"type\":\"decimal(12,3)\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"elementType\":\"string\","
        "\"containsNull\":false},"
        "\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":"
        "\"long\","
        "\"valueContainsNull\":true},\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"resource\",\"type\":{\"type\":\"struct\",\"fields\":["
        "{\"name\":\"host\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"k8s\",\"type\":{\"type\":\"struct\",\"fields\":["
        "{\"name\":\"pod\",\"type\":\"string\",\"nullable\":false,\"metadata\":{}}]},\"nullable\":"
        "true,\"metadata\":{}}]},"
        "\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"events\",\"type\":{\"type\":\"array\",\"elementType\":{\"type\":\"struct\","
        "\"fields\":["
        "{\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
        "{\"name\":\"ts\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}}]},"
        "\"containsNull\":true},"
        "\"nullable\":true,\"metadata\":{}}]}",
        0, NULL);
    CHECK(want != NULL);
    if (!json_equal(got, want)) {
        fprintf(stderr, "schema json: %s\n", json);
        h_cur_failed = 1;
    }
    json_decref(got);
    json_decref(want);
    dlk_string_free(json);
    s.release(&s);

    /* errors: kept and returned by finish; the builder is reusable */
    CHECK_RC(dlk_schema_builder_add(b, "x", "strng", true), DLK_PARSE);
    CHECK_OK(dlk_schema_builder_add(b, "y", "long", true));
    CHECK_RC(dlk_schema_builder_finish(b, &s), DLK_PARSE);
    CHECK_OK(dlk_schema_builder_add(b, "a", "long", true));
    CHECK_RC(dlk_schema_builder_add(b, "A", "long", true), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_schema_builder_finish(b, &s), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_schema_builder_add_decimal(b, "d", 39, 2, true), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_schema_builder_finish(b, &s), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_schema_builder_add_decimal(b, "d", 5, 6, true), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_schema_builder_finish(b, &s), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_schema_builder_finish(b, &s), DLK_INVALID_ARGUMENT); /* empty */
    CHECK_OK(dlk_schema_builder_begin_struct(b, "s", true));
    CHECK_RC(dlk_schema_builder_finish(b, &s), DLK_INVALID_ARGUMENT); /* still open */
    CHECK_RC(dlk_schema_builder_end_struct(b), DLK_INVALID_ARGUMENT); /* nothing open */
    CHECK_RC(dlk_schema_builder_add(b, "", "long", true), DLK_INVALID_ARGUMENT);
    dlk_schema_builder_free(&b);
    dlk_schema_builder_free(&b);
}

static int64_t count_where(int n, int status, const char *svc)
{
    int64_t k = 0;
    for (int i = 0; i < n; i++)
        if ((i % 5 == 0 ? 500 : 200) == status && (!svc || !strcmp(SVC[i % 3], svc))) k++;
    return k;
}

TEST(bulk_insert_and_query)
{
    const char *pc[] = {"service_name"};
    dlk_connector *c = connector("q", pc, 1, false);
    struct ArrowSchema s;
    span_schema(&s);
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    s.release(&s);
    char *a = gen_spans(0, 300, false), *b = gen_spans(300, 200, true);
    int64_t n = 0;
    CHECK_OK(dlk_table_handle_bulk_insert(t, a, strlen(a), NULL, &n));
    CHECK_EQ_INT(n, 300);
    CHECK_OK(dlk_table_handle_bulk_insert(t, b, strlen(b), NULL, &n)); /* JSON array */
    CHECK_EQ_INT(n, 200);
    free(a);
    free(b);

    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(md.version, 2);
    CHECK_EQ_INT(md.n_partition_columns, 1);
    CHECK_STR(md.partition_columns[0], "service_name");
    CHECK_EQ_INT(md.min_reader_version, 1);
    CHECK_EQ_INT(md.min_writer_version, 2);
    CHECK_EQ_INT(md.schema.n_children, 5);
    CHECK_EQ_INT(md.num_files, 6); /* 3 services x 2 commits */
    CHECK_STR(md.name, "q");
    bool has_ci = false;
    for (size_t i = 0; i < md.n_properties; i++)
        if (!strcmp(md.property_keys[i], "delta.checkpointInterval"))
            has_ci = !strcmp(md.property_values[i], "100");
    CHECK(has_ci);
    dlk_table_metadata_clear(&md);

    dlk_query *q;
    CHECK_OK(dlk_query_new(t, &q));
    CHECK_OK(dlk_query_filter(q, "status_code = 500"));
    CHECK_OK(dlk_query_filter(q, "service_name = 'api'"));
    const char *sel[] = {"span_id", "duration_ms"};
    CHECK_OK(dlk_query_select(q, sel, 2));
    dlk_records *r = NULL;
    CHECK_OK(dlk_query_execute(q, &r));
    CHECK_EQ_INT(dlk_records_count(r), count_where(500, 500, "api"));
    CHECK_EQ_INT(dlk_records_column_count(r), 2);
    CHECK_STR(dlk_records_column_name(r, 1), "duration_ms");
    CHECK_EQ_INT(dlk_records_version(r), 2);
    dlk_records_free(&r);
    /* order + limit: the three longest 500s of api, descending */
    CHECK_OK(dlk_query_order_by(q, "duration_ms", true));
    CHECK_OK(dlk_query_limit(q, 3));
    CHECK_OK(dlk_query_execute(q, &r));
    CHECK_EQ_INT(dlk_records_count(r), 3);
    /* api = i%3==1, 500 = i%5==0 -> i = 10 (mod 15): largest below 500 are 490, 475, 460 */
    CHECK_STR(dlk_records_row(r, 0), "{\"span_id\":\"s00490\",\"duration_ms\":735}");
    char *v = NULL;
    CHECK_OK(dlk_records_get(r, 2, "span_id", &v));
    CHECK_STR(v, "\"s00460\"");
    dlk_string_free(v);
    CHECK_RC(dlk_records_get(r, 0, "nope", &v), DLK_NOT_FOUND);
    CHECK_RC(dlk_records_get(r, 9, "span_id", &v), DLK_INVALID_ARGUMENT);
    dlk_records_free(&r);
    dlk_query_free(&q);

    /* time travel: version 1 holds the first 300 rows */
    CHECK_OK(dlk_query_new(t, &q));
    CHECK_OK(dlk_query_version(q, 1));
    CHECK_RC(dlk_query_as_of(q, "2024-01-01"), DLK_INVALID_ARGUMENT);
    CHECK_OK(dlk_query_filter(q, "status_code = 500"));
    CHECK_OK(dlk_query_execute(q, &r));
    CHECK_EQ_INT(dlk_records_count(r), count_where(300, 500, NULL));
    CHECK_EQ_INT(dlk_records_version(r), 1);
    dlk_records_free(&r);
    dlk_query_free(&q);
    CHECK_OK(dlk_query_new(t, &q));
    CHECK_OK(dlk_query_version(q, 9));
    CHECK_RC(dlk_query_execute(q, &r), DLK_NOT_FOUND);
    dlk_query_free(&q);
    /* as of now: the latest version; as of 2001: before the table existed */
    CHECK_OK(dlk_query_new(t, &q));
    CHECK_OK(dlk_query_as_of(q, "2999-01-01T00:00:00Z"));
    CHECK_RC(dlk_query_execute(q, &r),
             DLK_NOT_FOUND); /* after the latest commit: range in the message */
    dlk_query_free(&q);
    CHECK_OK(dlk_query_new(t, &q));
    CHECK_OK(dlk_query_as_of(q, "2001-01-01"));
    CHECK_RC(dlk_query_execute(q, &r), DLK_NOT_FOUND);
    dlk_query_free(&q);

    /* Arrow stream result outlives the query */
    CHECK_OK(dlk_query_new(t, &q));
    CHECK_OK(dlk_query_limit(q, 7));
    struct ArrowArrayStream st;
    CHECK_OK(dlk_query_execute_stream(q, &st));
    dlk_query_free(&q);
    int64_t rows = 0;
    for (;;) {
        struct ArrowArray arr;
        if (st.get_next(&st, &arr) || !arr.release) break;
        rows += arr.length;
        arr.release(&arr);
    }
    st.release(&st);
    CHECK_EQ_INT(rows, 7);

    /* bad predicate: parse error with a position; unknown column */
    CHECK_OK(dlk_query_new(t, &q));
    CHECK_OK(dlk_query_filter(q, "status_code = = 1"));
    CHECK(dlk_query_execute(q, &r) < 0);
    dlk_query_free(&q);
    CHECK_OK(dlk_query_new(t, &q));
    const char *bad[] = {"nope"};
    CHECK_OK(dlk_query_select(q, bad, 1));
    CHECK(dlk_query_execute(q, &r) < 0);
    dlk_query_free(&q);
    /* strict mode (default): unknown fields are a schema mismatch */
    const char *extra = "{\"span_id\":\"x\",\"service_name\":\"web\",\"colour\":\"red\"}\n";
    CHECK(dlk_table_handle_bulk_insert(t, extra, strlen(extra), NULL, &n) < 0);
    CHECK_RC(dlk_table_handle_bulk_insert(t, "[1,2]", 5, NULL, &n), DLK_SCHEMA_MISMATCH);
    CHECK_RC(dlk_table_handle_bulk_insert(t, "[{\"a\":", 6, NULL, &n), DLK_PARSE);
    dlk_insert_options io = DLK_INSERT_OPTIONS_INIT;
    io.partition_path = "region=eu";
    CHECK_RC(dlk_table_handle_bulk_insert(t, "", 0, &io, &n), DLK_INVALID_ARGUMENT);
    CHECK(strstr(dlk_error_last()->message, "not a partition column") != NULL);
    /* a partition path fills the partition column of rows that lack it */
    io.partition_path = "service_name=api";
    const char *scoped = "{\"span_id\":\"p1\",\"status_code\":201}\n"
                         "[{\"span_id\":\"p2\",\"service_name\":\"api\",\"status_code\":201}]";
    CHECK_RC(dlk_table_handle_bulk_insert(t, scoped, strlen(scoped), &io, &n), DLK_SCHEMA_MISMATCH);
    scoped = "[{\"span_id\":\"p1\",\"status_code\":201},{\"span_id\":\"p2\",\"service_name\":"
             "\"api\",\"status_code\":201}]";
    CHECK_OK(dlk_table_handle_bulk_insert(t, scoped, strlen(scoped), &io, &n));
    CHECK_EQ_INT(n, 2);
    const char *outside = "{\"span_id\":\"p3\",\"service_name\":\"web\",\"status_code\":201}\n";
    CHECK_RC(dlk_table_handle_bulk_insert(t, outside, strlen(outside), &io, &n),
             DLK_INVALID_ARGUMENT);
    CHECK(strstr(dlk_error_last()->message, "outside the partition") != NULL);
    CHECK_OK(dlk_query_new(t, &q));
    CHECK_OK(dlk_query_filter(q, "status_code = 201 AND service_name = 'api'"));
    CHECK_OK(dlk_query_execute(q, &r));
    CHECK_EQ_INT(dlk_records_count(r), 2);
    dlk_records_free(&r);
    dlk_query_free(&q);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

TEST(hash_partitioning)
{
    const char *pc[] = {"span_id"};
    dlk_connector *c = connector("h", pc, 1, true);
    struct ArrowSchema s;
    span_schema(&s);
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    s.release(&s);
    char *a = gen_spans(0, 100, false);
    int64_t n = 0;
    CHECK_OK(dlk_table_handle_bulk_insert(t, a, strlen(a), NULL, &n));
    free(a);
    CHECK_EQ_INT(n, 100);
    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(md.n_partition_columns, 1);
    CHECK_STR(md.partition_columns[0], "span_id_bucket");
    CHECK(md.num_files >= 2 && md.num_files <= 4);
    dlk_table_metadata_clear(&md);
    /* every row lands in one of 4 buckets and is read back once */
    dlk_query *q;
    CHECK_OK(dlk_query_new(t, &q));
    CHECK_OK(dlk_query_filter(q, "span_id_bucket >= 0 AND span_id_bucket < 4"));
    dlk_records *r = NULL;
    CHECK_OK(dlk_query_execute(q, &r));
    CHECK_EQ_INT(dlk_records_count(r), 100);
    dlk_records_free(&r);
    dlk_query_free(&q);
    /* a bucket partition path: rows must hash into it */
    dlk_insert_options io = DLK_INSERT_OPTIONS_INIT;
    int ok = 0, refused = 0;
    for (int b = 0; b < 4; b++) {
        char pp[64];
        snprintf(pp, sizeof pp, "span_id_bucket=%d", b);
        io.partition_path = pp;
        const char *one = "{\"span_id\":\"zz-1\",\"service_name\":\"web\"}\n";
        int rc = dlk_table_handle_bulk_insert(t, one, strlen(one), &io, &n);
        if (rc == DLK_OK)
            ok++;
        else if (rc == DLK_INVALID_ARGUMENT)
            refused++;
    }
    CHECK_EQ_INT(ok, 1);
    CHECK_EQ_INT(refused, 3);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

TEST(compression_from_config)
{
    static const struct {
        dlk_compression c;
        const char *suffix, *codec;
    } cases[] = {{DLK_COMPRESSION_SNAPPY, "-c000.snappy.parquet", "SNAPPY"},
                 {DLK_COMPRESSION_GZIP, "-c000.gz.parquet", "GZIP"},
                 {DLK_COMPRESSION_ZSTD, "-c000.zstd.parquet", "ZSTD"},
                 {DLK_COMPRESSION_LZ4, "-c000.lz4raw.parquet", "LZ4_RAW"},
                 {DLK_COMPRESSION_NONE, "-c000.parquet", "UNCOMPRESSED"}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        dlk_config cfg;
        dlk_config_init(&cfg);
        char path[512];
        snprintf(path, sizeof path, "%s/codec_%s", g_dir, dlk_compression_name(cases[k].c));
        dlk_config_set_table_path(&cfg, path);
        cfg.compression = cases[k].c;
        dlk_connector *c = NULL;
        CHECK_OK(dlk_connector_new(&cfg, &c));
        dlk_config_free(&cfg);
        struct ArrowSchema s;
        span_schema(&s);
        dlk_table_handle *t = NULL;
        CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
        s.release(&s);
        char *a = gen_spans(0, 50, false);
        int64_t n = 0;
        CHECK_OK(dlk_table_handle_bulk_insert(t, a, strlen(a), NULL, &n));
        free(a);
        dlk_snapshot *snap = NULL;
        CHECK_OK(dlk_table_handle_snapshot(t, -1, &snap));
        CHECK_EQ_INT(dlk_snapshot_file_count(snap), 1);
        if (dlk_snapshot_file_count(snap) == 1) {
            const char *fp = dlk_snapshot_file(snap, 0)->path;
            size_t fl = strlen(fp), sl = strlen(cases[k].suffix);
            CHECK(fl > sl && !strcmp(fp + fl - sl, cases[k].suffix) &&
                  (sl > 14 || !strstr(fp, ".snappy")));
            char full[1024];
            snprintf(full, sizeof full, "%s/%s", path, fp);
            dlk_pq_file *pf = NULL;
            CHECK_OK(dlk_pq_open_path(full, &pf));
            char *buf = NULL;
            size_t len = 0, cap = 0;
            if (pf && !dlk_pq_meta_json(pf, &buf, &len, &cap)) {
                char want[64];
                snprintf(want, sizeof want, "\"codec\": \"%s\"", cases[k].codec);
                if (!strstr(buf, want)) {
                    fprintf(stderr, "%s: no %s in the footer\n", fp, want);
                    h_cur_failed = 1;
                }
            }
            dlk_string_free(buf);
            if (pf) dlk_pq_close(&pf);
        }
        dlk_snapshot_free(&snap);
        dlk_query *q;
        dlk_records *r = NULL;
        CHECK_OK(dlk_query_new(t, &q));
        CHECK_OK(dlk_query_execute(q, &r));
        CHECK_EQ_INT(dlk_records_count(r), 50);
        dlk_records_free(&r);
        dlk_query_free(&q);
        dlk_table_handle_free(&t);
        dlk_connector_free(&c);
    }
}

int main(void)
{
    setup();
    RUN(connector_config);
    RUN(get_create_list_delete);
    RUN(schema_builder_all_types);
    RUN(bulk_insert_and_query);
    RUN(hash_partitioning);
    RUN(compression_from_config);
    rmrf(g_dir);
    return harness_done();
}

/* Delta actions: JSON parse of every action kind, serialise and re-parse,
 * malformed input named; schemaString <-> Arrow round trip. */
#include "arrow/arrow.h"
#include "core/schema.h"
#include "harness.h"
#include "log/actions.h"
#include "util/alloc.h"

static const char *commit =
    "{\"commitInfo\":{\"timestamp\":1700000000000,\"operation\":\"WRITE\",\"inCommitTimestamp\":"
    "1700000000001}}\n"
    "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":["
    "\"deletionVectors\"],"
    "\"writerFeatures\":[\"deletionVectors\",\"appendOnly\"]}}\n"
    "{\"metaData\":{\"id\":\"abc\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"
    "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[]}\",\"partitionColumns\":["
    "\"p\"],"
    "\"configuration\":{\"delta.enableDeletionVectors\":\"true\"},\"createdTime\":5}}\n"
    "\n"
    "{\"add\":{\"path\":\"p=a%20b/part-1.parquet\",\"partitionValues\":{\"p\":\"a "
    "b\",\"q\":null},\"size\":10,"
    "\"modificationTime\":7,\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":3}\","
    "\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"ab^-aqEH.-t@S}K{vb[*k^\","
    "\"offset\":4,"
    "\"sizeInBytes\":40,\"cardinality\":6}}}\n"
    "{\"remove\":{\"path\":\"old.parquet\",\"deletionTimestamp\":9,\"dataChange\":true}}\n"
    "{\"txn\":{\"appId\":\"app\",\"version\":3,\"lastUpdated\":4}}\n"
    "{\"domainMetadata\":{\"domain\":\"d\",\"configuration\":\"{}\",\"removed\":false}}\n"
    "{\"cdc\":{\"path\":\"_change_data/"
    "x.parquet\",\"partitionValues\":{},\"size\":1,\"dataChange\":false}}\n"
    "{\"sidecar\":{\"path\":\"s.parquet\",\"sizeInBytes\":1,\"modificationTime\":2}}\n"
    "{\"checkpointMetadata\":{\"version\":12}}\n"
    "{\"someFutureAction\":{\"x\":1}}\n";

static void check_actions(dlk_vec *v)
{
    CHECK_EQ_INT(v->len, 10);
    if (v->len != 10) return;
    dlk_action *a = v->data;
    CHECK_EQ_INT(a[0].kind, DLK_ACTION_COMMIT_INFO);
    CHECK_EQ_INT(a[0].u.commit_info.in_commit_timestamp, 1700000000001LL);
    CHECK_STR(a[0].u.commit_info.operation, "WRITE");
    CHECK_EQ_INT(a[1].u.protocol.min_reader_version, 3);
    CHECK_EQ_INT(a[1].u.protocol.n_writer_features, 2);
    CHECK_STR(a[1].u.protocol.writer_features[1], "appendOnly");
    CHECK_STR(a[2].u.metadata.partition_columns[0], "p");
    CHECK_STR(dlk_kvs_get(&a[2].u.metadata.configuration, "delta.enableDeletionVectors", NULL),
              "true");
    CHECK_EQ_INT(a[3].kind, DLK_ACTION_ADD);
    CHECK_STR(a[3].u.add.path, "p=a%20b/part-1.parquet");
    bool found = false;
    CHECK(dlk_kvs_get(&a[3].u.add.partition_values, "q", &found) == NULL && found);
    CHECK(a[3].u.add.dv && a[3].u.add.dv->storage_type == 'u' && a[3].u.add.dv->offset == 4);
    CHECK_STR(a[3].u.add.stats, "{\"numRecords\":3}");
    CHECK_EQ_INT(a[4].u.remove.deletion_timestamp, 9);
    CHECK_EQ_INT(a[5].u.txn.version, 3);
    CHECK_STR(a[6].u.domain_metadata.domain, "d");
    CHECK_EQ_INT(a[7].kind, DLK_ACTION_CDC);
    CHECK_EQ_INT(a[8].u.sidecar.modification_time, 2);
    CHECK_EQ_INT(a[9].u.checkpoint_metadata.version, 12);
}

TEST(parse_and_roundtrip)
{
    dlk_arena ar = {0};
    dlk_vec v = DLK_VEC_INIT(dlk_action);
    CHECK_OK(dlk_log_commit_parse(commit, strlen(commit), &ar, &v));
    check_actions(&v);
    dlk_buf out = {0};
    for (size_t i = 0; i < v.len; i++)
        CHECK_OK(dlk_log_action_to_json(&dlk_vec_at(&v, dlk_action, i), &out));
    dlk_vec v2 = DLK_VEC_INIT(dlk_action);
    CHECK_OK(dlk_log_commit_parse((const char *)out.data, out.len, &ar, &v2));
    check_actions(&v2);
    dlk_buf uid = {0};
    CHECK_OK(dlk_dv_unique_id(dlk_vec_at(&v2, dlk_action, 3).u.add.dv, &uid));
    CHECK_STR(dlk_buf_cstr(&uid), "uab^-aqEH.-t@S}K{vb[*k^@4");
    const char *dec;
    CHECK_OK(dlk_log_path_decode("p=a%20b/part-1.parquet", &ar, &dec));
    CHECK_STR(dec, "p=a b/part-1.parquet");
    CHECK_OK(dlk_log_path_decode("file:/tmp/x%3Ay/f.parquet", &ar, &dec));
    CHECK_STR(dec, "/tmp/x:y/f.parquet");
    dlk_buf_free(&uid);
    dlk_buf_free(&out);
    dlk_vec_free(&v);
    dlk_vec_free(&v2);
    dlk_arena_free(&ar);
}

TEST(malformed)
{
    dlk_arena ar = {0};
    dlk_vec v = DLK_VEC_INIT(dlk_action);
    const char *bad1 = "{\"commitInfo\":{}}\n{\"add\":{\"size\":1}}\n";
    CHECK_RC(dlk_log_commit_parse(bad1, strlen(bad1), &ar, &v), DLK_CORRUPT);
    CHECK(strstr(dlk_error_last()->message, "line 2") &&
          strstr(dlk_error_last()->message, "add.path"));
    const char *bad2 = "{\"add\":{\"path\":\"x\",\"size\":\"big\"}}";
    CHECK_RC(dlk_log_commit_parse(bad2, strlen(bad2), &ar, &v), DLK_CORRUPT);
    const char *bad3 = "{\"add\":";
    CHECK_RC(dlk_log_commit_parse(bad3, strlen(bad3), &ar, &v), DLK_CORRUPT);
    dlk_vec_free(&v);
    dlk_arena_free(&ar);
}

TEST(schema_roundtrip)
{
    const char *js = "{\"type\":\"struct\",\"fields\":["
                     "{\"name\":\"a\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},"
                     "{\"name\":\"b\",\"type\":\"decimal(10,2)\",\"nullable\":true,\"metadata\":{"
                     "\"delta.columnMapping.id\":5,"
                     "\"delta.columnMapping.physicalName\":\"col-1\"}},"
                     "{\"name\":\"c\",\"type\":{\"type\":\"array\",\"elementType\":\"string\","
                     "\"containsNull\":false},\"nullable\":true,\"metadata\":{}},"
                     "{\"name\":\"d\",\"type\":{\"type\":\"map\",\"keyType\":\"string\","
                     "\"valueType\":{\"type\":\"struct\",\"fields\":["
                     "{\"name\":\"x\",\"type\":\"timestamp_ntz\",\"nullable\":true,\"metadata\":{}}"
                     "]},\"valueContainsNull\":true},\"nullable\":true,\"metadata\":{}},"
                     "{\"name\":\"e\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},"
                     "{\"name\":\"f\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}}]}";
    struct ArrowSchema s;
    CHECK_OK(dlk_core_schema_from_json(js, &s));
    CHECK_EQ_INT(s.n_children, 6);
    CHECK_STR(s.children[1]->format, "d:10,2");
    CHECK(!(s.children[0]->flags & ARROW_FLAG_NULLABLE));
    CHECK_EQ_INT(dlk_core_field_id(s.children[1]), 5);
    char pn[64];
    CHECK_STR(dlk_core_field_physical_name(s.children[1], pn, sizeof pn), "col-1");
    CHECK_STR(dlk_core_field_physical_name(s.children[0], pn, sizeof pn), "a");
    CHECK_STR(s.children[3]->children[0]->children[1]->children[0]->format, "tsu:");
    dlk_buf b = {0};
    CHECK_OK(dlk_core_schema_to_json(&s, &b));
    struct ArrowSchema s2;
    CHECK_OK(dlk_core_schema_from_json(dlk_buf_cstr(&b), &s2));
    dlk_buf b2 = {0};
    CHECK_OK(dlk_core_schema_to_json(&s2, &b2));
    CHECK_STR(dlk_buf_cstr(&b), dlk_buf_cstr(&b2));
    struct ArrowSchema s3;
    CHECK_OK(dlk_arrow_schema_copy(&s2, &s3));
    CHECK_EQ_INT(dlk_core_field_id(s3.children[1]), 5);
    dlk_arrow_schema_release(&s);
    dlk_arrow_schema_release(&s2);
    dlk_arrow_schema_release(&s3);
    dlk_buf_free(&b);
    dlk_buf_free(&b2);
    CHECK_RC(dlk_core_schema_from_json(
                 "{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"strin\"}]}", &s),
             DLK_CORRUPT);
    CHECK(strstr(dlk_error_last()->message, "'a'") && strstr(dlk_error_last()->message, "strin"));
    CHECK_RC(dlk_core_schema_from_json(
                 "{\"type\":\"struct\",\"fields\":[{\"name\":\"v\",\"type\":\"variant\"}]}", &s),
             DLK_UNSUPPORTED);
}

/* commitInfo keeps the object's own text (a slice of the line when the line
 * holds only it, else the parsed object dumped compactly). */
TEST(commit_info_text)
{
    struct {
        const char *line, *want;
    } cases[] = {
        {"{\"commitInfo\":{\"timestamp\":1,\"operation\":\"WRITE\",\"x\":{\"a\":[1,2],\"b\":\"}\"}}"
         "}",
         "{\"timestamp\":1,\"operation\":\"WRITE\",\"x\":{\"a\":[1,2],\"b\":\"}\"}}"},
        {" { \"commitInfo\" : {\"a\":1} } \r", "{\"a\":1}"},
        {"{\"commitInfo\":{\"a\":1},\"other\":2}", "{\"a\":1}"},
        {"{\"commitInfo\":{}}", "{}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dlk_arena a = {0};
        dlk_action act;
        CHECK_OK(dlk_log_action_parse(cases[i].line, strlen(cases[i].line), &a, &act));
        CHECK_EQ_INT(act.kind, DLK_ACTION_COMMIT_INFO);
        CHECK_STR(act.u.commit_info.json, cases[i].want);
        dlk_arena_free(&a);
    }
}

int main(void)
{
    RUN(commit_info_text);
    RUN(parse_and_roundtrip);
    RUN(malformed);
    RUN(schema_roundtrip);
    return harness_done();
}

/* Snapshot loading over the in-memory backend: replay (add/remove, DV key
 * reconciliation, URL-decoded paths, txn, domain metadata), version and
 * timestamp travel (mtimes and in-commit timestamps), gaps, missing
 * protocol/metadata, unsupported reader features. */
#include "deltalake/sys/storage.h"
#include "deltalake/table.h"
#include "harness.h"
#include <stdio.h>

#define PROTO "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
#define META(cfg)                                                                                  \
    "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"             \
    "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\","      \
    "\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}},{\\\"name\\\":\\\"p\\\","  \
    "\\\"type\\\":\\\"string\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\","                   \
    "\"partitionColumns\":[\"p\"],\"configuration\":{" cfg "}}}\n"
#define ADD(path, extra)                                                                           \
    "{\"add\":{\"path\":\"" path "\",\"partitionValues\":{\"p\":\"x\"},\"size\":1,"                 \
    "\"modificationTime\":1,\"dataChange\":true" extra "}}\n"
#define REMOVE(path, extra) "{\"remove\":{\"path\":\"" path "\",\"dataChange\":true" extra "}}\n"
#define DV(id) ",\"deletionVector\":{\"storageType\":\"i\",\"pathOrInlineDv\":\"" id "\",\"sizeInBytes\":1,\"cardinality\":1}"
#define CI(ts) "{\"commitInfo\":{\"timestamp\":" #ts ",\"inCommitTimestamp\":" #ts "}}\n"

static void put(dlk_storage *s, int v, const char *text)
{
    char key[64];
    snprintf(key, sizeof key, "_delta_log/%020d.json", v);
    CHECK_OK(dlk_storage_put_if_absent(s, key, text, strlen(text)));
}

static dlk_table *make(void)
{
    dlk_storage *s = NULL;
    dlk_table *t = NULL;
    CHECK_OK(dlk_storage_open_memory(&s));
    put(s, 0, CI(1000) PROTO META("\"delta.enableInCommitTimestamps\":\"true\"") ADD("p=x/a%20b.parquet", "")
              ADD("p=x/c.parquet", "") "{\"txn\":{\"appId\":\"app\",\"version\":1}}\n"
              "{\"domainMetadata\":{\"domain\":\"d1\",\"configuration\":\"{}\",\"removed\":false}}\n");
    put(s, 1, CI(2000) REMOVE("p=x/c.parquet", "") ADD("p=x/c.parquet", DV("AAAAA"))
              "{\"txn\":{\"appId\":\"app\",\"version\":2}}\n");
    put(s, 2, CI(3000) REMOVE("p=x/c.parquet", DV("AAAAA")) ADD("p=x/c.parquet", DV("BBBBB"))
              REMOVE("p=x/a b.parquet", "")
              "{\"domainMetadata\":{\"domain\":\"d1\",\"configuration\":\"{}\",\"removed\":true}}\n");
    CHECK_OK(dlk_table_open_storage(s, &t));
    return t;
}

TEST(replay)
{
    dlk_table *t = make();
    dlk_snapshot *s = NULL;
    CHECK_OK(dlk_table_snapshot(t, -1, &s));
    if (!s) return;
    CHECK_EQ_INT(dlk_snapshot_version(s), 2);
    CHECK_EQ_INT(dlk_snapshot_file_count(s), 1);
    CHECK_STR(dlk_snapshot_file(s, 0)->path, "p=x/c.parquet");
    CHECK(dlk_snapshot_file(s, 0)->has_deletion_vector);
    CHECK_STR(dlk_snapshot_file(s, 0)->partition_values[0], "x");
    int64_t v = 0;
    CHECK_OK(dlk_snapshot_txn_version(s, "app", &v));
    CHECK_EQ_INT(v, 2);
    CHECK(dlk_snapshot_domain_metadata(s, "d1") == NULL);
    CHECK_EQ_INT(dlk_snapshot_timestamp(s), 3000);
    dlk_snapshot_free(&s);
    CHECK_OK(dlk_table_snapshot(t, 0, &s));
    CHECK_EQ_INT(dlk_snapshot_file_count(s), 2);
    CHECK_STR(dlk_snapshot_file(s, 0)->path, "p=x/a b.parquet");
    CHECK_STR(dlk_snapshot_file(s, 0)->raw_path, "p=x/a%20b.parquet");
    CHECK(dlk_snapshot_domain_metadata(s, "d1") != NULL);
    dlk_snapshot_free(&s);
    CHECK_OK(dlk_table_snapshot(t, 1, &s));
    CHECK_EQ_INT(dlk_snapshot_file_count(s), 2);
    dlk_snapshot_free(&s);
    CHECK_RC(dlk_table_snapshot(t, 3, &s), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, "latest version is 2"));
    /* timestamps: in-commit timestamps 1000, 2000, 3000 */
    CHECK_OK(dlk_table_snapshot_at(t, 2500, &s));
    if (s) CHECK_EQ_INT(dlk_snapshot_version(s), 1);
    dlk_snapshot_free(&s);
    CHECK_OK(dlk_table_snapshot_at(t, 3000, &s));
    if (s) CHECK_EQ_INT(dlk_snapshot_version(s), 2);
    dlk_snapshot_free(&s);
    CHECK_RC(dlk_table_snapshot_at(t, 999, &s), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, "before the earliest"));
    CHECK_RC(dlk_table_snapshot_at(t, 3001, &s), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, "after the latest"));
    dlk_table_free(&t);
}

TEST(errors)
{
    dlk_storage *st = NULL;
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    CHECK_OK(dlk_storage_open_memory(&st));
    CHECK_OK(dlk_table_open_storage(st, &t));
    CHECK_RC(dlk_table_snapshot(t, -1, &s), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, "not a Delta table"));
    put(st, 0, META(""));
    CHECK_RC(dlk_table_snapshot(t, -1, &s), DLK_CORRUPT);
    CHECK(strstr(dlk_error_last()->message, "no protocol"));
    put(st, 2, PROTO);
    CHECK_RC(dlk_table_snapshot(t, -1, &s), DLK_CORRUPT);
    CHECK(strstr(dlk_error_last()->message, "version 1 is missing"));
    put(st, 1, "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":[\"fancyNewThing\"],\"writerFeatures\":[]}}\n");
    CHECK_RC(dlk_table_snapshot(t, 1, &s), DLK_UNSUPPORTED);
    CHECK(strstr(dlk_error_last()->message, "fancyNewThing"));
    CHECK_OK(dlk_table_snapshot(t, 2, &s));
    dlk_snapshot_free(&s);
    put(st, 3, "{\"add\":{\"path\":1}}\n");
    CHECK_RC(dlk_table_snapshot(t, 3, &s), DLK_CORRUPT);
    CHECK(strstr(dlk_error_last()->message, "00000000000000000003.json: line 1"));
    CHECK_OK(dlk_storage_delete(st, "_delta_log/00000000000000000000.json"));
    CHECK_RC(dlk_table_snapshot(t, 2, &s), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, "cleaned"));
    dlk_table_free(&t);
}

TEST(storage_faults)
{
    /* fail the Nth storage call during a snapshot load: an IO error, never a crash or leak */
    dlk_storage *m = NULL, *f = NULL;
    CHECK_OK(dlk_storage_open_memory(&m));
    put(m, 0, PROTO META("") ADD("p=x/a.parquet", ""));
    put(m, 1, REMOVE("p=x/a.parquet", "") ADD("p=x/b.parquet", ""));
    CHECK_OK(dlk_storage_open_fault(m, 0, 0, &f));
    dlk_table *t = NULL;
    CHECK_OK(dlk_table_open_storage(f, &t));
    for (long n = 1; n <= 8; n++) {
        dlk_storage_fault_set(f, n, 1);
        dlk_snapshot *s = NULL;
        int rc = dlk_table_snapshot(t, -1, &s);
        CHECK(rc == DLK_IO || rc == DLK_OK);
        if (rc == DLK_OK) CHECK_EQ_INT(dlk_snapshot_file_count(s), 1);
        dlk_snapshot_free(&s);
    }
    dlk_table_free(&t);
}

int main(void)
{
    RUN(storage_faults);
    RUN(replay);
    RUN(errors);
    return harness_done();
}

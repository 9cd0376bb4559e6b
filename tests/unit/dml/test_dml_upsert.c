/* tests/unit/dml/test_dml_upsert.c - dlk_table_upsert_text: a 50k-row table
 * partitioned by day in 20 files; upserts read only the files that can hold
 * the keys (files_scanned asserted), matched rows replaced (deletion vectors
 * or rewrite), unmatched inserted, rows moved between partitions, dedup and
 * duplicate-key errors, schema mismatch naming line and column, partition
 * paths, commitInfo. Expected rows come from the generator and the input. */
#include "core/txn.h"
#include "commit_json.h"
#include "dml_testutil.h"
#include <jansson.h>

#define N 50000
#define CAP 60000

static int64_t got[CAP], want[CAP];

static void expect_all(void)
{
    memset(want, 0, sizeof want);
    for (int64_t i = 0; i < N; i++)
        want[i] = 1 + gen_v(i);
}

typedef struct {
    char *s;
    size_t n, cap;
} text;

static void put(text *t, const char *fmt, long long id, int day, long long v)
{
    if (t->cap - t->n < 128) {
        t->cap = t->cap ? t->cap * 2 : 4096;
        t->s = realloc(t->s, t->cap);
    }
    t->n += (size_t)snprintf(t->s + t->n, t->cap - t->n, fmt, id, day, v);
}

#define ROW "{\"id\":%lld,\"day\":\"2024-01-%02d\",\"v\":%lld}\n"

static void keys_read_only_candidates(bool dv)
{
    char root[256];
    tmp_table(root, sizeof root, dv ? "upsdv" : "upshard");
    CHECK_OK(make_table(root, true, dv, N, 5, 4)); /* 5 days x 4 commits = 20 files, version 4 */
    expect_all();
    /* 1000 keys of the third commit's id range (25000..37499) get v = -id,
     * 500 new ids are inserted */
    text t = {0};
    for (int64_t k = 0; k < 1000; k++) {
        int64_t id = 25000 + k * 12;
        put(&t, ROW, (long long)id, gen_day(id, 5), -(long long)id);
        want[id] = 1 - id;
    }
    for (int64_t id = 50000; id < 50500; id++) {
        put(&t, ROW, (long long)id, gen_day(id, 5), 7);
        want[id] = 1 + 7;
    }
    dlk_upsert_options o = DLK_UPSERT_OPTIONS_INIT;
    const char *key[] = {"id"};
    o.key_cols = key;
    o.n_key_cols = 1;
    dlk_upsert_result r;
    CHECK_OK(dlk_table_upsert_text(root, t.s, t.n, &o, &r));
    CHECK_EQ_INT(r.version, 5);
    CHECK_EQ_INT(r.rows_updated, 1000);
    CHECK_EQ_INT(r.rows_inserted, 500);
    CHECK_EQ_INT(r.rows_upserted, 1500);
    CHECK_EQ_INT(r.files_scanned, 5); /* the third commit's file of each day */
    CHECK_EQ_INT(r.files_skipped, 15);
    CHECK_EQ_INT(r.dvs_written, dv ? 5 : 0);
    CHECK_EQ_INT(r.files_rewritten, dv ? 0 : 5);
    int64_t dups = 0;
    CHECK_EQ_INT(read_rows(root, -1, got, CAP, &dups), N + 500);
    CHECK_EQ_INT(dups, 0);
    CHECK_EQ_INT(compare_rows(got, want, CAP), 0);
    /* time travel: the table before the merge */
    int64_t *prev = calloc(CAP, sizeof *prev);
    for (int64_t i = 0; i < N; i++)
        prev[i] = 1 + gen_v(i);
    CHECK_EQ_INT(read_rows(root, 4, got, CAP, NULL), N);
    CHECK_EQ_INT(compare_rows(got, prev, CAP), 0);
    free(prev);
    /* commitInfo */
    json_t *acts = NULL;
    CHECK_OK(test_read_commit(root, 5, &acts));
    json_t *ci = json_object_get(json_array_get(acts, 0), "commitInfo");
    CHECK_STR(json_string_value(json_object_get(ci, "operation")), "MERGE");
    CHECK_STR(
        json_string_value(json_object_get(json_object_get(ci, "operationParameters"), "mergeKey")),
        "id");
    json_t *m = json_object_get(ci, "operationMetrics");
    CHECK_STR(json_string_value(json_object_get(m, "numTargetRowsUpdated")), "1000");
    CHECK_STR(json_string_value(json_object_get(m, "numTargetRowsInserted")), "500");
    json_decref(acts);

    /* key (day, id), rows of one day only: one file of 20+ read */
    t.n = 0;
    for (int64_t id = 2; id < 12500; id += 500) { /* day of id: id % 5 + 1 = 3 */
        put(&t, ROW, (long long)id, 3, 1000 + (long long)id);
        want[id] = 1 + 1000 + id;
    }
    const char *key2[] = {"day", "id"};
    o.key_cols = key2;
    o.n_key_cols = 2;
    CHECK_OK(dlk_table_upsert_text(root, t.s, t.n, &o, &r));
    CHECK_EQ_INT(r.files_scanned, 1);
    CHECK_EQ_INT(r.rows_updated, 25);
    CHECK_EQ_INT(r.rows_inserted, 0);
    CHECK_EQ_INT(compare_rows((read_rows(root, -1, got, CAP, NULL), got), want, CAP), 0);

    /* key id only, the row moves to another day's partition */
    t.n = 0;
    put(&t, ROW, 3, 1, 333); /* id 3 lives in day 4 */
    want[3] = 1 + 333;
    o.key_cols = key;
    o.n_key_cols = 1;
    CHECK_OK(dlk_table_upsert_text(root, t.s, t.n, &o, &r));
    CHECK_EQ_INT(r.rows_updated, 1);
    CHECK_EQ_INT(read_rows(root, -1, got, CAP, &dups), N + 500);
    CHECK_EQ_INT(dups, 0);
    CHECK_EQ_INT(compare_rows(got, want, CAP), 0);
    dlk_table *tb = NULL;
    dlk_snapshot *sn = NULL;
    CHECK_OK(dlk_table_open(root, &tb));
    CHECK_OK(dlk_table_snapshot(tb, -1, &sn));
    dlk_where *w = NULL;
    CHECK_OK(dlk_where_new(sn, "id = 3 AND day = '2024-01-01'", &w));
    dlk_scan_options so = DLK_SCAN_OPTIONS_INIT;
    dlk_where_apply(w, &so);
    struct ArrowArrayStream st;
    int64_t n3 = 0;
    CHECK_OK(dlk_scan_open(sn, &so, &st));
    for (;;) {
        struct ArrowArray b;
        if (st.get_next(&st, &b) || !b.release) break;
        n3 += b.length;
        b.release(&b);
    }
    st.release(&st);
    CHECK_EQ_INT(n3, 1);
    dlk_where_free(&w);
    dlk_snapshot_free(&sn);
    dlk_table_free(&tb);
    free(t.s);
    rm_rf(root);
}

TEST(upsert_reads_only_candidate_files_dv)
{
    keys_read_only_candidates(true);
}
TEST(upsert_reads_only_candidate_files_rewrite)
{
    keys_read_only_candidates(false);
}

TEST(dedup_errors_partition_path)
{
    char root[256];
    tmp_table(root, sizeof root, "upsdedup");
    CHECK_OK(make_table(root, true, false, 3000, 3, 1));
    dlk_upsert_options o = DLK_UPSERT_OPTIONS_INIT;
    const char *key[] = {"id"};
    o.key_cols = key;
    o.n_key_cols = 1;
    dlk_upsert_result r;
    const char *dup = ROW ROW ROW;
    char in[512];
    snprintf(in, sizeof in, dup, 10LL, 2, 1LL, 10LL, 2, 2LL, 4000LL, 1, 3LL);
    CHECK_RC(dlk_table_upsert_text(root, in, strlen(in), &o, &r), DLK_INVALID_ARGUMENT);
    CHECK(strstr(dlk_error_last()->message, "duplicate key (id=10)") != NULL);
    o.dedup = true;
    CHECK_OK(dlk_table_upsert_text(root, in, strlen(in), &o, &r));
    CHECK_EQ_INT(r.rows_updated, 1);
    CHECK_EQ_INT(r.rows_inserted, 1);
    int64_t w[5000] = {0}, g[5000];
    for (int64_t i = 0; i < 3000; i++)
        w[i] = 1 + gen_v(i);
    w[10] = 1 + 2; /* the last row with the key wins */
    w[4000] = 1 + 3;
    CHECK_EQ_INT(read_rows(root, -1, g, 5000, NULL), 3001);
    CHECK_EQ_INT(compare_rows(g, w, 5000), 0);

    /* schema mismatch names line and column */
    const char *bad = "{\"id\":1,\"day\":\"2024-01-02\",\"v\":1}\n\n{\"id\":2,\"v\":\"x\"}\n";
    CHECK_RC(dlk_table_upsert_text(root, bad, strlen(bad), &o, &r), DLK_SCHEMA_MISMATCH);
    CHECK(strstr(dlk_error_last()->message, "line 3") &&
          strstr(dlk_error_last()->message, "column 'v'"));
    const char *nokey = "{\"day\":\"2024-01-02\",\"v\":1}\n";
    CHECK_RC(dlk_table_upsert_text(root, nokey, strlen(nokey), &o, &r), DLK_SCHEMA_MISMATCH);
    const char *nope[] = {"nope"};
    o.key_cols = nope;
    CHECK_RC(dlk_table_upsert_text(root, in, strlen(in), &o, &r), DLK_NOT_FOUND);
    o.key_cols = key;

    /* partition path: rows without day take it; only that partition is matched */
    o.partition_path = "day=2024-01-02";
    const char *pin =
        "{\"id\":1,\"v\":-1}\n{\"id\":2,\"v\":-2}\n"; /* id 1 is in day 2, id 2 in day 3 */
    CHECK_OK(dlk_table_upsert_text(root, pin, strlen(pin), &o, &r));
    CHECK_EQ_INT(r.rows_updated, 1);
    CHECK_EQ_INT(r.rows_inserted, 1);
    CHECK_EQ_INT(r.files_scanned, 1);
    w[1] = 1 - 1;
    int64_t dups = 0;
    CHECK_EQ_INT(read_rows(root, -1, g, 5000, &dups), 3002);
    CHECK_EQ_INT(dups, 1); /* id 2 now in day 3 (old) and day 2 (new) */
    const char *other = "{\"id\":5,\"day\":\"2024-01-01\",\"v\":1}\n";
    CHECK_RC(dlk_table_upsert_text(root, other, strlen(other), &o, &r), DLK_INVALID_ARGUMENT);
    o.partition_path = "day=2030-01-01";
    CHECK_RC(dlk_table_upsert_text(root, pin, strlen(pin), &o, &r), DLK_PARTITION_NOT_FOUND);
    CHECK_STR(dlk_error_last()->partition, "day=2030-01-01");
    /* empty input: nothing committed */
    o.partition_path = NULL;
    CHECK_OK(dlk_table_upsert_text(root, "", 0, &o, &r));
    CHECK_EQ_INT(r.version, -1);
    rm_rf(root);
}

TEST(bulk_insert_partition_path)
{
    char root[256];
    tmp_table(root, sizeof root, "bulk");
    CHECK_OK(make_table(root, true, false, 30, 3, 1));
    dlk_write_options w = DLK_WRITE_OPTIONS_INIT;
    w.partition_path = "day=2024-01-07";
    const char *in = "{\"id\":100,\"v\":1}\n{\"id\":101,\"v\":2,\"day\":\"2024-01-07\"}\n";
    dlk_write_result r;
    CHECK_OK(dlk_table_write_text(root, in, strlen(in), &w, &r));
    CHECK_EQ_INT(r.rows_written, 2);
    /* both rows landed in the path's partition */
    dlk_delete_options d = DLK_DELETE_OPTIONS_INIT;
    d.partition_path = "day=2024-01-07";
    dlk_delete_result dr;
    CHECK_OK(dlk_table_delete(root, &d, &dr));
    CHECK_EQ_INT(dr.rows_deleted, 2);
    CHECK_EQ_INT(dr.files_scanned, 0);
    const char *other = "{\"id\":102,\"v\":2,\"day\":\"2024-01-01\"}\n";
    CHECK_RC(dlk_table_write_text(root, other, strlen(other), &w, &r), DLK_INVALID_ARGUMENT);
    CHECK(strstr(dlk_error_last()->message, "outside the partition 'day=2024-01-07'") != NULL);
    w.partition_path = "v=1";
    CHECK_RC(dlk_table_write_text(root, in, strlen(in), &w, &r), DLK_INVALID_ARGUMENT);
    int64_t g[200];
    CHECK_EQ_INT(read_rows(root, -1, g, 200, NULL), 30);
    rm_rf(root);
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(upsert_reads_only_candidate_files_dv);
    RUN(upsert_reads_only_candidate_files_rewrite);
    RUN(dedup_errors_partition_path);
    RUN(bulk_insert_partition_path);
    return harness_done();
}

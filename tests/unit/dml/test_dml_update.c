/* tests/unit/dml/test_dml_update.c - dlk_table_update: SET expressions on
 * the matching rows with deletion vectors and by rewrite, partition paths,
 * time travel to the old values, errors. Expected rows from the generator. */
#include "core/txn.h"
#include "commit_json.h"
#include "dml_testutil.h"
#include <jansson.h>

#define N 12000

static int64_t got[N], want[N];

static void run(bool dv)
{
    char root[256];
    tmp_table(root, sizeof root, dv ? "upddv" : "updhard");
    CHECK_OK(make_table(root, true, dv, N, 3, 2));
    for (int64_t i = 0; i < N; i++)
        want[i] = 1 + gen_v(i);
    dlk_update_options o = DLK_UPDATE_OPTIONS_INIT;
    o.set = "v = v * 2 + 1, name = 'upd' ^ name"; /* '^' is not in the grammar: nothing changes */
    dlk_update_result r;
    CHECK_RC(dlk_table_update(root, &o, &r), DLK_PARSE);
    o.set = "v = v * 2 + 1, name = 'upd, ok'";
    o.predicate = "v < 100 AND day <> '2024-01-02'";
    CHECK_OK(dlk_table_update(root, &o, &r));
    int64_t n = 0;
    for (int64_t i = 0; i < N; i++)
        if (gen_v(i) < 100 && gen_day(i, 3) != 2) want[i] = 1 + gen_v(i) * 2 + 1, n++;
    CHECK_EQ_INT(r.rows_updated, n);
    CHECK_EQ_INT(r.dvs_written, dv ? 4 : 0);
    CHECK_EQ_INT(r.files_scanned, 4); /* day 2's files skipped on the partition value */
    CHECK_EQ_INT(r.files_skipped, 2);
    int64_t dups = 0;
    CHECK_EQ_INT(read_rows(root, -1, got, N, &dups), N);
    CHECK_EQ_INT(dups, 0);
    CHECK_EQ_INT(compare_rows(got, want, N), 0);
    int64_t old[N];
    for (int64_t i = 0; i < N; i++)
        old[i] = 1 + gen_v(i);
    CHECK_EQ_INT(read_rows(root, r.version - 1, got, N, NULL), N);
    CHECK_EQ_INT(compare_rows(got, old, N), 0);
    json_t *acts = NULL;
    CHECK_OK(test_read_commit(root, r.version, &acts));
    json_t *ci = json_object_get(json_array_get(acts, 0), "commitInfo");
    CHECK_STR(json_string_value(json_object_get(ci, "operation")), "UPDATE");
    CHECK_STR(
        json_string_value(json_object_get(json_object_get(ci, "operationParameters"), "predicate")),
        o.predicate);
    json_decref(acts);
    /* every row of one partition (partition path, no predicate) */
    o.set = "v = 0";
    o.predicate = NULL;
    o.partition_path = "day=2024-01-02";
    CHECK_OK(dlk_table_update(root, &o, &r));
    n = 0;
    for (int64_t i = 0; i < N; i++)
        if (gen_day(i, 3) == 2) want[i] = 1, n++;
    CHECK_EQ_INT(r.rows_updated, n);
    CHECK_EQ_INT(r.dvs_written, 0); /* whole files replaced */
    CHECK_EQ_INT(compare_rows((read_rows(root, -1, got, N, NULL), got), want, N), 0);
    /* nothing matches */
    o.partition_path = NULL;
    o.predicate = "v > 100000";
    CHECK_OK(dlk_table_update(root, &o, &r));
    CHECK_EQ_INT(r.version, -1);
    /* errors */
    o.set = "day = 'x'";
    CHECK_RC(dlk_table_update(root, &o, &r), DLK_UNSUPPORTED);
    o.set = "nope = 1";
    CHECK_RC(dlk_table_update(root, &o, &r), DLK_NOT_FOUND);
    o.set = "v = 'text'";
    o.predicate = NULL;
    CHECK_RC(dlk_table_update(root, &o, &r), DLK_SCHEMA_MISMATCH);
    o.set = "v 1";
    CHECK_RC(dlk_table_update(root, &o, &r), DLK_PARSE);
    o.set = "v = 1, v = 2";
    CHECK_RC(dlk_table_update(root, &o, &r), DLK_INVALID_ARGUMENT);
    o.set = "id = NULL"; /* id is NOT NULL */
    CHECK(dlk_table_update(root, &o, &r) != 0);
    CHECK_EQ_INT(compare_rows((read_rows(root, -1, got, N, NULL), got), want, N), 0);
    rm_rf(root);
}

TEST(update_with_dvs)
{
    run(true);
}
TEST(update_by_rewrite)
{
    run(false);
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(update_with_dvs);
    RUN(update_by_rewrite);
    return harness_done();
}

/* tests/unit/dml/test_dml_delete.c - dlk_table_delete: soft (deletion
 * vectors, inline and file, union with an existing DV), hard (rewrite),
 * partition-only predicates, partition paths, protocol upgrade, conflicts
 * between concurrent deletes. Expected rows come from the generator. */
#include "core/dv.h"
#include "core/txn.h"
#include "commit_json.h"
#include "dml_testutil.h"
#include "dml/dml_int.h"
#include <jansson.h>

#define N 20000

static int64_t got[N], want[N];

static void expect_all(int64_t n)
{
    memset(want, 0, sizeof want);
    for (int64_t i = 0; i < n; i++)
        want[i] = 1 + gen_v(i);
}

/* The add actions with a deletionVector in commit `version`: checks each DV
 * loads with the reader and has the declared cardinality; returns the sum
 * of cardinalities, counts storage types. */
static int64_t check_dvs(const char *root, int64_t version, int *n_inline, int *n_file)
{
    json_t *acts = NULL;
    if (test_read_commit(root, version, &acts)) return -1;
    dlk_storage *s = NULL;
    dlk_table *t = NULL;
    if (dlk_table_open(root, &t)) return -1;
    s = dlk_table_storage(t);
    int64_t sum = 0;
    size_t i;
    json_t *a;
    json_array_foreach(acts, i, a)
    {
        json_t *add = json_object_get(a, "add");
        json_t *dvj = json_object_get(add, "deletionVector");
        if (!dvj) continue;
        dlk_dv dv = {0};
        const char *stype = json_string_value(json_object_get(dvj, "storageType"));
        dv.storage_type = stype[0];
        dv.path_or_inline = json_string_value(json_object_get(dvj, "pathOrInlineDv"));
        json_t *off = json_object_get(dvj, "offset");
        dv.has_offset = off != NULL;
        dv.offset = json_integer_value(off);
        dv.size_in_bytes = (int32_t)json_integer_value(json_object_get(dvj, "sizeInBytes"));
        dv.cardinality = json_integer_value(json_object_get(dvj, "cardinality"));
        if (dv.storage_type == 'i')
            (*n_inline)++;
        else
            (*n_file)++;
        dlk_dv_bitmap *b = NULL;
        CHECK_OK(dlk_dv_load(s, &dv, &b));
        if (b) {
            CHECK_EQ_INT(dlk_dv_cardinality(b), dv.cardinality);
            sum += (int64_t)dlk_dv_cardinality(b);
        }
        dlk_dv_free(b);
    }
    json_decref(acts);
    dlk_table_free(&t);
    return sum;
}

TEST(soft_delete_dv_file_inline_union)
{
    char root[256];
    tmp_table(root, sizeof root, "soft");
    CHECK_OK(make_table(root, false, true, N, 4, 4)); /* 4 files, version 4 */
    /* scattered rows (v < 300, ~30%): file-stored DVs */
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = "v < 300";
    dlk_delete_result r;
    CHECK_OK(dlk_table_delete(root, &o, &r));
    expect_all(N);
    int64_t del = 0;
    for (int64_t i = 0; i < N; i++)
        if (gen_v(i) < 300) want[i] = 0, del++;
    CHECK_EQ_INT(r.version, 5);
    CHECK_EQ_INT(r.rows_deleted, del);
    CHECK_EQ_INT(r.dvs_written, 4);
    CHECK_EQ_INT(r.files_rewritten, 0);
    CHECK_EQ_INT(r.files_added, 0);
    CHECK_EQ_INT(read_rows(root, -1, got, N, NULL), N - del);
    CHECK_EQ_INT(compare_rows(got, want, N), 0);
    int ni = 0, nf = 0;
    CHECK_EQ_INT(check_dvs(root, 5, &ni, &nf), del);
    CHECK_EQ_INT(nf, 4);
    /* time travel: the previous version still has every row */
    int64_t all[N];
    expect_all(N);
    memcpy(all, want, sizeof all);
    CHECK_EQ_INT(read_rows(root, 4, got, N, NULL), N);
    CHECK_EQ_INT(compare_rows(got, all, N), 0);

    /* a small delete in one file: inline DV, unioned with the old one */
    o.predicate = "id >= 10 AND id < 20";
    CHECK_OK(dlk_table_delete(root, &o, &r));
    int64_t del2 = 0;
    for (int64_t i = 0; i < N; i++)
        want[i] = gen_v(i) < 300 ? 0 : 1 + gen_v(i);
    for (int64_t i = 10; i < 20; i++)
        if (want[i]) want[i] = 0, del2++;
    CHECK_EQ_INT(r.version, 6);
    CHECK_EQ_INT(r.rows_deleted, del2);
    CHECK_EQ_INT(r.files_scanned, 1); /* the other files are skipped on id stats */
    CHECK_EQ_INT(r.files_skipped, 3);
    CHECK_EQ_INT(read_rows(root, -1, got, N, NULL), N - del - del2);
    CHECK_EQ_INT(compare_rows(got, want, N), 0);
    ni = nf = 0;
    int64_t card = check_dvs(root, 6, &ni, &nf);
    int64_t in_file0 = 0; /* old DV rows of the first file + the 10 */
    for (int64_t i = 0; i < N / 4; i++)
        if (gen_v(i) < 300 || (i >= 10 && i < 20)) in_file0++;
    CHECK_EQ_INT(card, in_file0);
    CHECK_EQ_INT(ni + nf, 1);

    /* nothing matches: no commit */
    o.predicate = "v > 5000";
    CHECK_OK(dlk_table_delete(root, &o, &r));
    CHECK_EQ_INT(r.version, -1);
    CHECK_EQ_INT(r.rows_deleted, 0);
    /* deleting the rest of a file removes it */
    o.predicate = "id < 5000";
    CHECK_OK(dlk_table_delete(root, &o, &r));
    CHECK_EQ_INT(r.files_removed, 1);
    CHECK_EQ_INT(r.dvs_written, 0);
    for (int64_t i = 0; i < 5000; i++)
        want[i] = 0;
    CHECK_EQ_INT(compare_rows((read_rows(root, -1, got, N, NULL), got), want, N), 0);
    rm_rf(root);
}

TEST(hard_delete_rewrites)
{
    char root[256];
    tmp_table(root, sizeof root, "hard");
    CHECK_OK(make_table(root, true, false, N, 3, 2)); /* 3 partitions x 2 commits = 6 files */
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = "v >= 500 AND name <> 'n7'";
    dlk_delete_result r;
    CHECK_OK(dlk_table_delete(root, &o, &r));
    expect_all(N);
    int64_t del = 0;
    for (int64_t i = 0; i < N; i++)
        if (gen_v(i) >= 500 && i != 7) want[i] = 0, del++;
    CHECK_EQ_INT(r.rows_deleted, del);
    CHECK_EQ_INT(r.files_rewritten, 6);
    CHECK_EQ_INT(r.files_added, 3); /* one new file per partition */
    CHECK_EQ_INT(r.dvs_written, 0);
    CHECK_EQ_INT(read_rows(root, -1, got, N, NULL), N - del);
    CHECK_EQ_INT(compare_rows(got, want, N), 0);
    /* time travel */
    int64_t prev[N];
    for (int64_t i = 0; i < N; i++)
        prev[i] = 1 + gen_v(i);
    CHECK_EQ_INT(read_rows(root, r.version - 1, got, N, NULL), N);
    CHECK_EQ_INT(compare_rows(got, prev, N), 0);
    /* the commit: DELETE with predicate and metrics */
    json_t *acts = NULL;
    CHECK_OK(test_read_commit(root, r.version, &acts));
    json_t *ci = json_object_get(json_array_get(acts, 0), "commitInfo");
    CHECK_STR(json_string_value(json_object_get(ci, "operation")), "DELETE");
    CHECK_STR(
        json_string_value(json_object_get(json_object_get(ci, "operationParameters"), "predicate")),
        o.predicate);
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)del);
    CHECK_STR(json_string_value(
                  json_object_get(json_object_get(ci, "operationMetrics"), "numDeletedRows")),
              num);
    json_decref(acts);

    /* partition-only predicate: whole files removed without reading */
    o.predicate = "day = '2024-01-02' OR day IS NULL";
    CHECK_OK(dlk_table_delete(root, &o, &r));
    CHECK_EQ_INT(r.files_scanned, 0);
    CHECK_EQ_INT(r.files_removed, 1);
    int64_t del2 = 0;
    for (int64_t i = 0; i < N; i++)
        if (gen_day(i, 3) == 2 && want[i]) want[i] = 0, del2++;
    CHECK_EQ_INT(r.rows_deleted, del2);
    CHECK_EQ_INT(compare_rows((read_rows(root, -1, got, N, NULL), got), want, N), 0);

    /* partition path scoping */
    o.predicate = "v < 100";
    o.partition_path = "day=2024-01-03";
    CHECK_OK(dlk_table_delete(root, &o, &r));
    CHECK_EQ_INT(r.files_scanned, 1);
    for (int64_t i = 0; i < N; i++)
        if (gen_day(i, 3) == 3 && gen_v(i) < 100) want[i] = 0;
    CHECK_EQ_INT(compare_rows((read_rows(root, -1, got, N, NULL), got), want, N), 0);
    o.partition_path = "day=2024-01-09";
    CHECK_RC(dlk_table_delete(root, &o, &r), DLK_PARTITION_NOT_FOUND);
    CHECK(dlk_error_last()->partition && strstr(dlk_error_last()->partition, "day=2024-01-09"));
    o.partition_path = "nope=1";
    CHECK_RC(dlk_table_delete(root, &o, &r), DLK_INVALID_ARGUMENT);
    CHECK(strstr(dlk_error_last()->message, "'nope' is not a partition column") != NULL);
    o.partition_path = "day=2024-01-01/day=2024-01-01";
    CHECK_RC(dlk_table_delete(root, &o, &r), DLK_INVALID_ARGUMENT);
    o.partition_path = NULL;
    o.predicate = "nosuch > 1";
    CHECK_RC(dlk_table_delete(root, &o, &r), DLK_NOT_FOUND);
    o.predicate = "v >";
    CHECK_RC(dlk_table_delete(root, &o, &r), DLK_PARSE);
    /* SOFT on a table without the feature */
    o.predicate = "v < 200";
    o.mode = DLK_DML_SOFT;
    CHECK_RC(dlk_table_delete(root, &o, &r), DLK_UNSUPPORTED);
    rm_rf(root);
}

TEST(soft_enable_dv_upgrades_protocol)
{
    char root[256];
    tmp_table(root, sizeof root, "upg");
    CHECK_OK(make_table(root, false, false, 1000, 2, 1));
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = "id = 3";
    o.mode = DLK_DML_SOFT;
    o.enable_dv = true;
    dlk_delete_result r;
    CHECK_OK(dlk_table_delete(root, &o, &r));
    CHECK_EQ_INT(r.dvs_written, 1);
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    CHECK_OK(dlk_table_open(root, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &s));
    int mr = 0, mw = 0;
    if (s) {
        dlk_snapshot_protocol(s, &mr, &mw);
        const char *const *f;
        size_t n = dlk_snapshot_reader_features(s, &f);
        bool dv = false;
        for (size_t i = 0; i < n; i++)
            dv |= !strcmp(f[i], "deletionVectors");
        CHECK(dv);
        CHECK_STR(dlk_snapshot_property_get(s, "delta.enableDeletionVectors"), "true");
    }
    CHECK_EQ_INT(mr, 3);
    CHECK_EQ_INT(mw, 7);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    CHECK_EQ_INT(read_rows(root, -1, got, N, NULL), 999);
    CHECK(got[3] == 0 && got[4] == 1 + gen_v(4));
    /* AUTO now uses DVs */
    o.mode = DLK_DML_AUTO;
    o.enable_dv = false;
    o.predicate = "id = 4";
    CHECK_OK(dlk_table_delete(root, &o, &r));
    CHECK_EQ_INT(r.dvs_written, 1);
    rm_rf(root);
}

/* Two operations from the same read version, committed one after the other. */
static int mark_first_row(dlk_dml *d, const char *day, int64_t row)
{
    for (size_t i = 0; i < dlk_snapshot_file_count(d->snap); i++) {
        const dlk_file_info *f = dlk_snapshot_file(d->snap, i);
        if (day && strcmp(f->partition_values[0], day)) continue;
        return dlk_ops__dml_mark(d, f, &row, 1);
    }
    return DLK_NOT_FOUND;
}

static int finish(dlk_dml *d, int64_t *version)
{
    int attempts;
    json_t *p = json_object(), *m = json_object();
    int rc = dlk_ops__dml_apply(d);
    if (!rc) rc = dlk_ops__dml_commit(d, "DELETE", p, m, 0, version, &attempts);
    json_decref(p);
    json_decref(m);
    dlk_ops__dml_end(d, rc != 0);
    return rc;
}

TEST(conflicts)
{
    char root[256];
    tmp_table(root, sizeof root, "conf");
    CHECK_OK(make_table(root, true, true, 3000, 3, 1));
    for (int hard = 0; hard < 2; hard++) {
        /* same file: the second commit conflicts */
        dlk_dml a, b;
        int64_t va = -1, vb = -1;
        CHECK_OK(dlk_ops__dml_begin(root, hard ? DLK_DML_HARD : DLK_DML_AUTO, false, NULL, &a));
        CHECK_OK(dlk_ops__dml_begin(root, hard ? DLK_DML_HARD : DLK_DML_AUTO, false, NULL, &b));
        CHECK_OK(mark_first_row(&a, "2024-01-01", hard));
        CHECK_OK(mark_first_row(&b, "2024-01-01", hard));
        CHECK_OK(finish(&a, &va));
        CHECK_RC(finish(&b, &vb), DLK_CONCURRENT_MODIFICATION);
        CHECK_EQ_INT(dlk_error_last()->conflict_version, va);
        /* disjoint partitions: both commit */
        CHECK_OK(dlk_ops__dml_begin(root, hard ? DLK_DML_HARD : DLK_DML_AUTO, false, NULL, &a));
        CHECK_OK(dlk_ops__dml_begin(root, hard ? DLK_DML_HARD : DLK_DML_AUTO, false, NULL, &b));
        CHECK_OK(mark_first_row(&a, "2024-01-02", hard));
        CHECK_OK(mark_first_row(&b, "2024-01-03", hard));
        CHECK_OK(finish(&a, &va));
        CHECK_OK(finish(&b, &vb));
        CHECK_EQ_INT(vb, va + 1);
    }
    /* 3 x 1000 rows, 2 rounds x 3 successful single-row deletes */
    int64_t rows = read_rows(root, -1, got, N, NULL);
    CHECK_EQ_INT(rows, 3000 - 6);
    rm_rf(root);
}

/* The scan's row index column numbers physical rows, also after a DV and
 * with a row filter; dlk_scan_batch_file names the file. */
TEST(scan_row_index_column)
{
    char root[256];
    tmp_table(root, sizeof root, "rix");
    CHECK_OK(make_table(root, false, true, 5000, 2, 1)); /* one file, row i holds id i */
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = "v < 500";
    dlk_delete_result r;
    CHECK_OK(dlk_table_delete(root, &o, &r));
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    CHECK_OK(dlk_table_open(root, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &s));
    dlk_where *w = NULL;
    CHECK_OK(dlk_where_new(s, "id % 3 = 0", &w));
    const char *cols[] = {"id"};
    dlk_scan_options so = DLK_SCAN_OPTIONS_INIT;
    dlk_where_apply(w, &so);
    so.columns = cols;
    so.n_columns = 1;
    so.row_index_column = "_rix";
    struct ArrowArrayStream st;
    CHECK_OK(dlk_scan_open(s, &so, &st));
    int64_t n = 0, bad = 0, want = 0;
    for (int64_t i = 0; i < 5000; i++)
        want += gen_v(i) >= 500 && i % 3 == 0;
    struct ArrowSchema sch;
    CHECK_OK(st.get_schema(&st, &sch));
    CHECK_EQ_INT(sch.n_children, 2);
    CHECK_STR(sch.children[1]->name, "_rix");
    CHECK_STR(sch.children[1]->format, "l");
    sch.release(&sch);
    for (;;) {
        struct ArrowArray b;
        if (st.get_next(&st, &b) || !b.release) break;
        const dlk_file_info *f = dlk_scan_batch_file(&st);
        CHECK(f && f == dlk_snapshot_file(s, 0));
        const int64_t *id = (const int64_t *)b.children[0]->buffers[1] + b.children[0]->offset;
        const int64_t *ix = (const int64_t *)b.children[1]->buffers[1] + b.children[1]->offset;
        for (int64_t i = 0; i < b.length; i++)
            bad += id[i] != ix[i];
        n += b.length;
        b.release(&b);
    }
    CHECK(dlk_scan_batch_file(&st) == NULL);
    st.release(&st);
    CHECK_EQ_INT(n, want);
    CHECK_EQ_INT(bad, 0);
    so.row_index_column = "id";
    CHECK_RC(dlk_scan_open(s, &so, &st), DLK_INVALID_ARGUMENT);
    dlk_where_free(&w);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    rm_rf(root);
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(soft_delete_dv_file_inline_union);
    RUN(hard_delete_rewrites);
    RUN(soft_enable_dv_upgrades_protocol);
    RUN(conflicts);
    RUN(scan_row_index_column);
    return harness_done();
}

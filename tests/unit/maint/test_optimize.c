/* Unit tests: optimize (bin-pack per partition, Z-order), history, table
 * statistics and operation metrics over tables built from many small
 * appends. Expected rows are the generated input itself. */
#include "core/txn.h"
#include "commit_json.h"
#include "maint_util.h"
#include "util/error.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <time.h>

/* 40 appends over 2 partitions -> 80 files; optimize -> 2 files. */
TEST(binpack_partitioned)
{
    char root[256];
    mu_make_table(root, sizeof root, "binpack", "day", NULL, 0);
    mu_rows expect = {0}, at20 = {0};
    int64_t id = 0, v = 0;
    for (int i = 0; i < 40; i++) {
        v = mu_append(root, id, 50, 2, &expect);
        id += 50;
        if (i == 19) {
            for (size_t k = 0; k < expect.n; k++)
                mu_rows_add(&at20, expect.r[k], strlen(expect.r[k]));
        }
    }
    CHECK_EQ_INT(v, 40);
    mu_rows_sort(&expect);
    mu_rows_sort(&at20);
    CHECK_EQ_INT(mu_file_count(root, -1), 80);

    dlk_table_op_metrics_reset(root);
    dlk_optimize_result r;
    CHECK_OK(dlk_table_optimize(root, NULL, &r));
    CHECK_EQ_INT(r.version, 41);
    CHECK_EQ_INT(r.files_removed, 80);
    CHECK_EQ_INT(r.files_added, 2);
    CHECK_EQ_INT(r.partitions_optimized, 2);
    CHECK_EQ_INT(r.rows, 2000);
    CHECK(r.bytes_before > r.bytes_after && r.bytes_after > 0);
    CHECK_EQ_INT(mu_file_count(root, -1), 2);

    mu_rows got = {0};
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &expect));
    mu_rows_free(&got);
    /* time travel: old versions unchanged */
    CHECK_OK(mu_scan(root, 40, &got));
    CHECK(mu_rows_equal(&got, &expect));
    mu_rows_free(&got);
    CHECK_OK(mu_scan(root, 20, &got));
    CHECK(mu_rows_equal(&got, &at20));
    mu_rows_free(&got);
    CHECK_EQ_INT(mu_file_count(root, 40), 80);

    /* the commit: removes and adds with dataChange=false, stats on adds */
    json_t *acts = NULL;
    CHECK_OK(test_read_commit(root, 41, &acts));
    size_t i, n_add = 0, n_rm = 0;
    json_t *a;
    json_array_foreach(acts, i, a)
    {
        json_t *x;
        if ((x = json_object_get(a, "add"))) {
            n_add++;
            CHECK(json_is_false(json_object_get(x, "dataChange")));
            json_t *st = json_loads(json_string_value(json_object_get(x, "stats")), 0, NULL);
            CHECK_EQ_INT(json_integer_value(json_object_get(st, "numRecords")), 1000);
            json_decref(st);
        } else if ((x = json_object_get(a, "remove"))) {
            n_rm++;
            CHECK(json_is_false(json_object_get(x, "dataChange")));
        } else if ((x = json_object_get(a, "commitInfo"))) {
            CHECK_STR(json_string_value(json_object_get(x, "operation")), "OPTIMIZE");
            json_t *m = json_object_get(x, "operationMetrics");
            CHECK_STR(json_string_value(json_object_get(m, "numRemovedFiles")), "80");
            CHECK_STR(json_string_value(json_object_get(m, "numAddedFiles")), "2");
            CHECK(json_object_get(json_object_get(x, "operationParameters"), "zOrderBy") != NULL);
        }
    }
    CHECK_EQ_INT(n_add, 2);
    CHECK_EQ_INT(n_rm, 80);
    json_decref(acts);

    /* nothing left to do */
    CHECK_OK(dlk_table_optimize(root, NULL, &r));
    CHECK_EQ_INT(r.version, -1);

    /* a predicate limits it to one partition */
    for (int k = 0; k < 3; k++) {
        mu_append(root, id, 10, 2, &expect);
        id += 10;
    }
    mu_rows_sort(&expect);
    dlk_optimize_options o = DLK_OPTIMIZE_OPTIONS_INIT;
    o.where = "day = '2024-01-01'";
    CHECK_OK(dlk_table_optimize(root, &o, &r));
    CHECK_EQ_INT(r.partitions_optimized, 1);
    CHECK_EQ_INT(r.files_removed, 4); /* the big file + 3 small ones */
    CHECK_EQ_INT(mu_file_count(root, -1), 1 + 4);
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &expect));
    mu_rows_free(&got);
    o.where = "status_code = 200";
    CHECK_RC(dlk_table_optimize(root, &o, &r), DLK_INVALID_ARGUMENT);

    /* statistics agree with the scan */
    dlk_table_stats ts;
    CHECK_OK(dlk_table_get_stats(root, -1, &ts));
    CHECK_EQ_INT(ts.record_count, (int64_t)expect.n);
    CHECK_EQ_INT(ts.file_count, 5);
    CHECK_EQ_INT(ts.partition_count, 2);
    CHECK_EQ_INT(ts.small_file_count, 5);
    CHECK_EQ_INT(ts.deleted_rows, 0);
    CHECK(ts.min_file_bytes > 0 && ts.min_file_bytes <= ts.max_file_bytes);
    CHECK_OK(dlk_table_get_stats(root, 40, &ts));
    CHECK_EQ_INT(ts.file_count, 80);
    CHECK_EQ_INT(ts.record_count, 2000);
    char *js = NULL;
    CHECK_OK(dlk_table_stats_json(root, -1, &js));
    json_t *sj = json_loads(js, 0, NULL);
    json_t *parts = json_object_get(sj, "partitions");
    CHECK_EQ_INT(json_array_size(parts), 2);
    int64_t fsum = 0, rsum = 0;
    json_array_foreach(parts, i, a)
    {
        fsum += json_integer_value(json_object_get(a, "files"));
        rsum += json_integer_value(json_object_get(a, "records"));
    }
    CHECK_EQ_INT(fsum, 5);
    CHECK_EQ_INT(rsum, (int64_t)expect.n);
    CHECK_STR(json_string_value(json_object_get(json_array_get(parts, 0), "partition")),
              "day=2024-01-01");
    json_decref(sj);
    dlk_string_free(js);

    /* history: every commit, newest first, with metrics from what we wrote */
    dlk_history *h = NULL;
    CHECK_OK(dlk_table_history(root, 0, &h));
    CHECK_EQ_INT(dlk_history_count(h), 46);
    for (size_t k = 0; k < dlk_history_count(h); k++) {
        const dlk_history_entry *e = dlk_history_get(h, k);
        int64_t ver = 45 - (int64_t)k;
        CHECK_EQ_INT(e->version, ver);
        CHECK(e->timestamp_ms > 1700000000000LL);
        CHECK(e->engine && !strncmp(e->engine, "deltalake-connector", 19));
        if (ver == 0) {
            CHECK_STR(e->operation, "CREATE TABLE");
            CHECK_EQ_INT(e->read_version, -1);
        } else if (ver <= 40 || (ver >= 42 && ver <= 44)) {
            CHECK_STR(e->operation, "WRITE");
            CHECK_EQ_INT(e->records_added, ver <= 40 ? 50 : 10);
            CHECK_EQ_INT(e->records_removed, 0);
            CHECK_EQ_INT(e->read_version, ver - 1);
            CHECK(e->blind_append);
        } else {
            CHECK_STR(e->operation, "OPTIMIZE");
            CHECK_EQ_INT(e->records_added, 0);
            CHECK_EQ_INT(e->records_removed, 0);
            CHECK(!e->blind_append);
            CHECK(e->metrics_json &&
                  strstr(e->metrics_json,
                         ver == 41 ? "\"numRemovedFiles\":\"80\"" : "\"numRemovedFiles\":\"4\""));
            if (ver == 45)
                CHECK(e->parameters_json && strstr(e->parameters_json, "day = '2024-01-01'"));
        }
    }
    dlk_history_free(&h);
    CHECK(h == NULL);
    CHECK_OK(dlk_table_history(root, 3, &h));
    CHECK_EQ_INT(dlk_history_count(h), 3);
    CHECK_EQ_INT(dlk_history_get(h, 2)->version, 43);
    CHECK(dlk_history_get(h, 3) == NULL);
    dlk_history_free(&h);

    /* operation metrics: 3 writes, 4 optimize calls (one failed) since the reset */
    dlk_op_metrics m;
    CHECK_OK(dlk_table_op_metrics(root, DLK_OP_WRITE, &m));
    CHECK_EQ_INT(m.count, 3);
    CHECK_EQ_INT(m.errors, 0);
    CHECK(m.p50_ms > 0 && m.p50_ms <= m.p95_ms && m.p95_ms <= m.max_ms && m.max_ms <= m.total_ms);
    CHECK_OK(dlk_table_op_metrics(root, DLK_OP_OPTIMIZE, &m));
    CHECK_EQ_INT(m.count, 4);
    CHECK_EQ_INT(m.errors, 1);
    CHECK_OK(dlk_table_op_metrics(root, DLK_OP_VACUUM, &m));
    CHECK_EQ_INT(m.count, 0);
    CHECK_RC(dlk_table_op_metrics(root, DLK_OP__COUNT, &m), DLK_INVALID_ARGUMENT);
    dlk_table_op_metrics_reset(root);
    CHECK_OK(dlk_table_op_metrics(root, DLK_OP_WRITE, &m));
    CHECK_EQ_INT(m.count, 0);

    mu_rows_free(&expect);
    mu_rows_free(&at20);
    mu_rm_table(root);
}

/* Files that could match a point query on (service_name, duration_ms). */
static void point_query_files(const char *root, const char *svc, long long dur, size_t *n_files,
                              size_t *n_match)
{
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    CHECK_OK(dlk_table_open(root, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &s));
    char pred[200];
    snprintf(pred, sizeof pred, "service_name = '%s' AND duration_ms = %lld", svc, dur);
    dlk_where *w = NULL;
    CHECK_OK(dlk_where_new(s, pred, &w));
    *n_files = dlk_snapshot_file_count(s);
    *n_match = 0;
    for (size_t i = 0; i < *n_files; i++) {
        bool might = true;
        CHECK_OK(dlk_where_file_might_match(w, dlk_snapshot_file(s, i), &might));
        if (might) (*n_match)++;
    }
    /* the scan agrees: it finds the row and skips the same files */
    dlk_scan_options so = DLK_SCAN_OPTIONS_INIT;
    dlk_where_apply(w, &so);
    struct ArrowArrayStream st;
    CHECK_OK(dlk_scan_open(s, &so, &st));
    int64_t rows = 0;
    for (;;) {
        struct ArrowArray b;
        if (st.get_next(&st, &b) || !b.release) break;
        rows += b.length;
        b.release(&b);
    }
    dlk_scan_stats ss;
    dlk_scan_get_stats(&st, &ss);
    CHECK(rows >= 1);
    CHECK_EQ_INT(ss.files_skipped, (int64_t)(*n_files - *n_match));
    st.release(&st);
    dlk_where_free(&w);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
}

TEST(zorder_skips_files)
{
    char root[256];
    mu_make_table(root, sizeof root, "zorder", NULL, NULL, 0);
    mu_rows expect = {0};
    for (int i = 0; i < 40; i++)
        mu_append(root, (int64_t)i * 250, 250, 3, &expect);
    mu_rows_sort(&expect);
    dlk_table_stats ts;
    CHECK_OK(dlk_table_get_stats(root, -1, &ts));
    CHECK_EQ_INT(ts.file_count, 40);
    CHECK_EQ_INT(ts.partition_count, 0);

    /* probes: rows that exist (taken from the input) */
    const char *probe_svc[8];
    long long probe_dur[8];
    char svcbuf[8][16];
    for (int k = 0; k < 8; k++) {
        json_t *row = json_loads(expect.r[(size_t)k * 1237 % expect.n], 0, NULL);
        snprintf(svcbuf[k], sizeof svcbuf[k], "%s",
                 json_string_value(json_object_get(row, "service_name")));
        probe_svc[k] = svcbuf[k];
        probe_dur[k] = json_integer_value(json_object_get(row, "duration_ms"));
        json_decref(row);
    }
    size_t nf, nm, before = 0;
    for (int k = 0; k < 8; k++) {
        point_query_files(root, probe_svc[k], probe_dur[k], &nf, &nm);
        before += nm;
    }

    const char *cols[] = {"service_name", "duration_ms"};
    dlk_optimize_options o = DLK_OPTIMIZE_OPTIONS_INIT;
    o.zorder_cols = cols;
    o.n_zorder_cols = 2;
    o.target_size = (uint64_t)ts.total_bytes / 24;
    dlk_optimize_result r;
    CHECK_OK(dlk_table_optimize(root, &o, &r));
    CHECK_EQ_INT(r.files_removed, 40);
    CHECK(r.files_added >= 16 && r.files_added <= 40);
    CHECK_EQ_INT(r.n_zorder_cols, 2);
    CHECK_EQ_INT(r.rows, 10000);
    mu_rows got = {0};
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &expect));
    mu_rows_free(&got);

    size_t after = 0, total = 0;
    for (int k = 0; k < 8; k++) {
        point_query_files(root, probe_svc[k], probe_dur[k], &nf, &nm);
        CHECK(nm >= 1);
        CHECK(nm * 10 <= nf * 3); /* >= 70% of the files skipped */
        after += nm;
        total += nf;
    }
    fprintf(stderr,
            "z-order: %zu files; point queries read %zu of %zu files (before: %zu of 320)\n",
            (size_t)r.files_added, after, total, before);
    CHECK(after * 10 <= total * 3);

    /* Z-order keys: order preserved per column for a single column */
    dlk_history *h = NULL;
    CHECK_OK(dlk_table_history(root, 1, &h));
    CHECK(strstr(dlk_history_get(h, 0)->parameters_json,
                 "[\\\"service_name\\\",\\\"duration_ms\\\"]") != NULL);
    dlk_history_free(&h);

    /* bad Z-order columns */
    const char *bad[] = {"nope"};
    o.zorder_cols = bad;
    o.n_zorder_cols = 1;
    CHECK_RC(dlk_table_optimize(root, &o, &r), DLK_INVALID_ARGUMENT);
    mu_rows_free(&expect);
    mu_rm_table(root);
}

/* A concurrent DELETE of a file being compacted: optimize must not commit
 * over it (it would bring the deleted rows back). */
typedef struct racer {
    const char *root;
    const char *path; /* raw path of the file to remove */
    int delay_us;
    int64_t version;
} racer;

static void *remove_file(void *arg)
{
    racer *r = arg;
    struct timespec ts = {0, (long)r->delay_us * 1000L};
    nanosleep(&ts, NULL);
    char text[700];
    snprintf(text, sizeof text,
             "{\"commitInfo\":{\"operation\":\"DELETE\"}}\n"
             "{\"remove\":{\"path\":\"%s\",\"deletionTimestamp\":1,\"dataChange\":true}}\n",
             r->path);
    for (;;) {
        int64_t latest;
        if (dlk_core__log_latest(r->root, &latest)) break;
        int rc = dlk_core__commit_put(r->root, latest + 1, text, strlen(text));
        if (rc == DLK_ALREADY_EXISTS) continue;
        r->version = rc ? -1 : latest + 1;
        break;
    }
    return NULL;
}

TEST(concurrent_delete_conflicts)
{
    int conflicts = 0, wins = 0;
    for (int round = 0; round < 6; round++) {
        char root[256];
        mu_make_table(root, sizeof root, "race", NULL, NULL, 0);
        mu_rows all = {0}, first = {0};
        mu_append(root, 0, 20, 1, &first);
        for (size_t k = 0; k < first.n; k++)
            mu_rows_add(&all, first.r[k], strlen(first.r[k]));
        for (int i = 1; i < 30; i++)
            mu_append(root, i * 20, 20, 1, &all);
        mu_rows_sort(&all);
        /* the file of the first append */
        json_t *acts = NULL;
        CHECK_OK(test_read_commit(root, 1, &acts));
        char path[400] = "";
        size_t i;
        json_t *a;
        json_array_foreach(acts, i, a)
        {
            json_t *add = json_object_get(a, "add");
            if (add)
                snprintf(path, sizeof path, "%s", json_string_value(json_object_get(add, "path")));
        }
        json_decref(acts);
        racer rc = {root, path, round * 4000, -1};
        pthread_t th;
        pthread_create(&th, NULL, remove_file, &rc);
        dlk_optimize_result r;
        int orc = dlk_table_optimize(root, NULL, &r);
        char msg[600];
        snprintf(msg, sizeof msg, "%s", dlk_error_last()->message);
        pthread_join(th, NULL);
        CHECK(rc.version > 0);
        mu_rows got = {0};
        CHECK_OK(mu_scan(root, -1, &got));
        if (orc == DLK_OK) {
            wins++;
            CHECK(rc.version > r.version); /* the delete came after the compaction */
            CHECK(mu_rows_equal(&got, &all));
        } else {
            conflicts++;
            CHECK_EQ_INT(orc, DLK_CONCURRENT_MODIFICATION);
            CHECK(strstr(msg, "removed concurrently") != NULL);
            CHECK_EQ_INT(got.n, all.n - 20);
        }
        mu_rows_free(&got);
        mu_rows_free(&all);
        mu_rows_free(&first);
        mu_rm_table(root);
    }
    fprintf(stderr, "race: %d optimize commits first, %d conflicts\n", wins, conflicts);
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(binpack_partitioned);
    RUN(zorder_skips_files);
    RUN(concurrent_delete_conflicts);
    return harness_done();
}

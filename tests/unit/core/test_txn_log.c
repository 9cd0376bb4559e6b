/* Unit tests: the writer's log state (core/txn.c) comes from the snapshot
 * reader's replay: tables whose early commits were removed after a
 * checkpoint, Spark-written tables with Parquet checkpoints (copied from
 * testdata), v2 checkpoints with sidecars; the per-process cache applies
 * only new commits and is not fooled by a re-created table. */
#include "core/txn.h"
#include "deltalake/table.h"
#include "deltalake/write.h"
#include "arrow/arrow.h"
#include "harness.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[200];

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd);
}

static void tmp_root(const char *tag)
{
    snprintf(root, sizeof root, "/tmp/dlk_txn_log.%d.%s", (int)getpid(), tag);
    sh("rm -rf '%s'%s", root, "");
}

static int64_t append(const char *text)
{
    dlk_write_result r;
    int rc = dlk_table_write_text(root, text, strlen(text), NULL, &r);
    if (rc) {
        fprintf(stderr, "append: %s\n", dlk_error_last()->message);
        return -1;
    }
    return r.version;
}

/* Snapshot of root: version, number of files, sum of numRecords in stats. */
static int snap_counts(int64_t *version, size_t *files, int64_t *records)
{
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    int rc = dlk_table_open(root, &t);
    if (!rc) rc = dlk_table_snapshot(t, -1, &s);
    if (!rc) {
        *version = dlk_snapshot_version(s);
        *files = dlk_snapshot_file_count(s);
        *records = 0;
        for (size_t i = 0; i < *files; i++) {
            const char *st = dlk_snapshot_file(s, i)->stats;
            const char *p = st ? strstr(st, "\"numRecords\":") : NULL;
            if (p) *records += strtoll(p + 13, NULL, 10);
        }
    } else {
        fprintf(stderr, "snapshot: %s\n", dlk_error_last()->message);
    }
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    return rc;
}

static void rm_commits_below(int64_t v)
{
    char p[512];
    for (int64_t i = 0; i < v; i++) {
        snprintf(p, sizeof p, "%s/_delta_log/%020" PRId64 ".json", root, i);
        unlink(p);
    }
}

TEST(cleaned_log_our_checkpoint)
{
    tmp_root("clean");
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long, name string", &s));
    dlk_create_options o = DLK_CREATE_OPTIONS_INIT;
    int64_t v = -1;
    CHECK_OK(dlk_table_create(root, &s, &o, &v));
    dlk_arrow_schema_release(&s);
    for (int i = 1; i <= 5; i++) {
        char line[64];
        snprintf(line, sizeof line, "{\"id\":%d,\"name\":\"n%d\"}\n", i, i);
        CHECK_EQ_INT(append(line), i);
    }
    int64_t cp = -1;
    CHECK_OK(dlk_table_checkpoint(root, &cp));
    CHECK_EQ_INT(cp, 5);
    rm_commits_below(5); /* log cleanup: only the checkpoint and commit 5 remain */
    CHECK_EQ_INT(append("{\"id\":6,\"name\":\"n6\"}\n"), 6);
    CHECK_EQ_INT(append("{\"id\":7,\"name\":\"n7\"}\n{\"id\":8,\"name\":null}\n"), 7);

    /* a fresh replay (no cache: a version given) from the checkpoint */
    dlk_txn_state st;
    CHECK_OK(dlk_core__state_load_at(root, 7, true, false, &st));
    CHECK_EQ_INT(st.version, 7);
    CHECK_EQ_INT(st.files.count, 7);
    CHECK_EQ_INT(st.last_checkpoint, 5);
    CHECK_EQ_INT(st.n_part, 0);
    CHECK(st.protocol && st.protocol->min_writer_version == 2);
    dlk_core__state_free(&st);
    /* before the checkpoint the log is gone */
    CHECK_RC(dlk_core__state_load_at(root, 3, false, false, &st), DLK_NOT_FOUND);

    int64_t ver;
    size_t nf;
    int64_t recs;
    CHECK_OK(snap_counts(&ver, &nf, &recs));
    CHECK_EQ_INT(ver, 7);
    CHECK_EQ_INT(nf, 7);
    CHECK_EQ_INT(recs, 8);

    /* the copy at another path is replayed from scratch, not from the cache */
    char copy[200];
    snprintf(copy, sizeof copy, "%.180s.copy", root);
    sh("rm -rf '%s'%s", copy, "");
    CHECK_EQ_INT(sh("cp -a '%s' '%s'", root, copy), 0);
    char orig[200];
    memcpy(orig, root, sizeof orig);
    snprintf(root, sizeof root, "%s", copy);
    CHECK_EQ_INT(append("{\"id\":9,\"name\":\"n9\"}\n"), 8);
    CHECK_OK(snap_counts(&ver, &nf, &recs));
    CHECK_EQ_INT(nf, 8);
    CHECK_EQ_INT(recs, 9);
    sh("rm -rf '%s'%s", copy, "");
    snprintf(root, sizeof root, "%s", orig);
    sh("rm -rf '%s'%s", root, "");
}

TEST(recreated_table_not_cached)
{
    tmp_root("recreate");
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long", &s));
    dlk_create_options o = DLK_CREATE_OPTIONS_INIT;
    int64_t v = -1;
    CHECK_OK(dlk_table_create(root, &s, &o, &v));
    CHECK_EQ_INT(append("{\"id\":1}\n"), 1);
    CHECK_EQ_INT(append("{\"id\":2}\n"), 2);
    dlk_txn_state st;
    CHECK_OK(dlk_core__state_load(root, true, false, &st));
    CHECK_EQ_INT(st.files.count, 2);
    dlk_core__state_free(&st);
    /* delete and re-create with another schema at the same path */
    sh("rm -rf '%s'%s", root, "");
    dlk_arrow_schema_release(&s);
    CHECK_OK(dlk_schema_parse("id long, x string", &s));
    CHECK_OK(dlk_table_create(root, &s, &o, &v));
    CHECK_EQ_INT(append("{\"id\":1,\"x\":\"a\"}\n"), 1);
    CHECK_EQ_INT(append("{\"id\":2,\"x\":\"b\"}\n"), 2);
    CHECK_OK(dlk_core__state_load(root, true, false, &st));
    CHECK_EQ_INT(st.version, 2);
    CHECK_EQ_INT(st.files.count, 2);
    CHECK_EQ_INT(st.schema.n_children, 2);
    dlk_core__state_free(&st);
    /* the cache follows new commits; tombstones come from removes */
    dlk_write_options wo = DLK_WRITE_OPTIONS_INIT;
    wo.mode = DLK_WRITE_OVERWRITE;
    dlk_write_result r;
    const char *t = "{\"id\":3,\"x\":\"c\"}\n";
    CHECK_OK(dlk_table_write_text(root, t, strlen(t), &wo, &r));
    CHECK_EQ_INT(r.version, 3);
    CHECK_OK(dlk_core__state_load(root, true, false, &st));
    CHECK_EQ_INT(st.version, 3);
    CHECK_EQ_INT(st.files.count, 1);
    CHECK_EQ_INT(st.tombstones.count, 2);
    dlk_core__state_free(&st);
    dlk_arrow_schema_release(&s);
    sh("rm -rf '%s'%s", root, "");
}

/* Append to a Spark-written table (Parquet checkpoint at 1, txn actions),
 * with its version-0 commit removed, then checkpoint it ourselves. */
TEST(append_spark_table)
{
    char src[512];
    harness_testdata(src, sizeof src, "delta/kernel/app-txn-checkpoint");
    tmp_root("spark");
    CHECK_EQ_INT(sh("cp -r '%s' '%s'", src, root), 0);
    CHECK_EQ_INT(sh("chmod -R u+w '%s'%s", root, ""), 0);
    int64_t v0;
    size_t nf0;
    int64_t r0;
    CHECK_OK(snap_counts(&v0, &nf0, &r0));
    CHECK_EQ_INT(v0, 1);
    rm_commits_below(1);
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    int64_t app_v0 = -1, app_v1 = -1;
    CHECK_OK(dlk_table_open(root, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &s));
    /* the app ids Spark recorded (read from its checkpoint) */
    dlk_txn_state st;
    CHECK_OK(dlk_core__state_load(root, false, false, &st));
    CHECK(st.txns.count >= 1);
    size_t pos = 0;
    dlk_map_entry *e = dlk_map_next(&st.txns, &pos);
    char app[128] = "";
    if (e) snprintf(app, sizeof app, "%.*s", (int)e->klen, e->key);
    dlk_core__state_free(&st);
    if (app[0]) CHECK_OK(dlk_snapshot_txn_version(s, app, &app_v0));
    dlk_snapshot_free(&s);

    CHECK_EQ_INT(append("{\"id\":\"new\",\"value\":42,\"modified\":\"2021-02-03\"}\n"), 2);
    int64_t v;
    size_t nf;
    int64_t recs;
    CHECK_OK(snap_counts(&v, &nf, &recs));
    CHECK_EQ_INT(v, 2);
    CHECK_EQ_INT(nf, nf0 + 1);
    CHECK_EQ_INT(recs, r0 + 1);
    /* our checkpoint of it keeps the files and the app transactions */
    int64_t cp = -1;
    CHECK_OK(dlk_table_checkpoint(root, &cp));
    CHECK_EQ_INT(cp, 2);
    rm_commits_below(2);
    CHECK_OK(snap_counts(&v, &nf, &recs));
    CHECK_EQ_INT(nf, nf0 + 1);
    CHECK_EQ_INT(recs, r0 + 1);
    CHECK_OK(dlk_table_snapshot(t, -1, &s));
    if (app[0]) {
        CHECK_OK(dlk_snapshot_txn_version(s, app, &app_v1));
        CHECK_EQ_INT(app_v1, app_v0);
    }
    int found = 0;
    for (size_t i = 0; i < dlk_snapshot_file_count(s); i++)
        if (strstr(dlk_snapshot_file(s, i)->path, "modified=2021-02-03/")) found++;
    CHECK_EQ_INT(found, 1);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    sh("rm -rf '%s'%s", root, "");
}

/* A v2-checkpoint table (Parquet checkpoint + sidecars) from testdata. */
TEST(append_v2_checkpoint_table)
{
    char tar[512];
    harness_testdata(tar, sizeof tar, "delta/kernel/v2-checkpoints-parquet-with-sidecars.tar.zst");
    tmp_root("v2");
    char un[200];
    snprintf(un, sizeof un, "%.180s.unpack", root);
    char cmd[2000];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && tar --zstd -xf '%s' -C '%s' && d=$(dirname \"$(find '%s' -type d "
             "-name _delta_log | "
             "head -1)\") && mv \"$d\" '%s' && chmod -R u+w '%s'",
             un, tar, un, un, root, root);
    CHECK_EQ_INT(system(cmd), 0);
    int64_t v0;
    size_t nf0;
    int64_t r0;
    CHECK_OK(snap_counts(&v0, &nf0, &r0));
    dlk_txn_state st;
    int rc = dlk_core__state_load(root, true, false, &st);
    CHECK_OK(rc);
    if (!rc) {
        CHECK_EQ_INT(st.version, v0);
        CHECK_EQ_INT(st.files.count, nf0);
        CHECK(st.last_checkpoint >= 0);
        dlk_core__state_free(&st);
    }
    dlk_write_result r;
    const char *line = "{\"id\":1000}\n";
    CHECK_OK(dlk_table_write_text(root, line, strlen(line), NULL, &r));
    int64_t v;
    size_t nf;
    int64_t recs;
    CHECK_OK(snap_counts(&v, &nf, &recs));
    CHECK_EQ_INT(v, v0 + 1);
    CHECK_EQ_INT(nf, nf0 + 1);
    CHECK_EQ_INT(recs, r0 + 1);
    /* a classic checkpoint (allowed with v2Checkpoint) of it reads back the same */
    int64_t cp = -1;
    CHECK_OK(dlk_table_checkpoint(root, &cp));
    CHECK_EQ_INT(cp, v0 + 1);
    rm_commits_below(cp);
    CHECK_OK(snap_counts(&v, &nf, &recs));
    CHECK_EQ_INT(nf, nf0 + 1);
    CHECK_EQ_INT(recs, r0 + 1);
    sh("rm -rf '%s' '%s'", root, un);
}

int main(void)
{
    RUN(cleaned_log_our_checkpoint);
    RUN(recreated_table_not_cached);
    RUN(append_spark_table);
    RUN(append_v2_checkpoint_table);
    return harness_done();
}

/* Unit tests: checkpoints keep remove tombstones only while they are inside
 * delta.deletedFileRetentionDuration (default one week); expired ones are
 * dropped so checkpoints stop growing, and the table reads the same. */
#include "maint_util.h"

#include <time.h>

/* Number of remove rows in the checkpoint of `v` (rows minus the nulls of remove.path). */
static int64_t checkpoint_removes(const char *root, int64_t v)
{
    char p[512];
    snprintf(p, sizeof p, "%s/_delta_log/%020lld.checkpoint.parquet", root, (long long)v);
    dlk_pq_file *f = NULL;
    if (dlk_pq_open_path(p, &f)) return -1;
    int64_t n = 0;
    for (int rg = 0; rg < dlk_pq_num_row_groups(f); rg++) {
        dlk_pq_col_stats st;
        if (dlk_pq_column_stats(f, rg, "remove.path", &st) || st.null_count < 0) {
            dlk_pq_close(&f);
            return -1;
        }
        n += dlk_pq_row_group_num_rows(f, rg) - st.null_count;
    }
    dlk_pq_close(&f);
    return n;
}

static void overwrite(const char *root, int64_t first, mu_rows *expect)
{
    char text[400];
    int l =
        snprintf(text, sizeof text,
                 "{\"id\":%lld,\"service_name\":\"svc-01\",\"duration_ms\":5,\"status_code\":200,"
                 "\"day\":\"2024-01-01\"}\n",
                 (long long)first);
    mu_rows_add(expect, text, (size_t)l - 1);
    dlk_write_options o = DLK_WRITE_OPTIONS_INIT;
    o.mode = DLK_WRITE_OVERWRITE;
    CHECK_OK(dlk_table_write_text(root, text, (size_t)l, &o, NULL));
}

static void run(const char *retention, bool expect_kept)
{
    char root[256];
    const char *props[1] = {retention};
    mu_make_table(root, sizeof root, "tomb", NULL, props, retention ? 1 : 0);
    for (int i = 0; i < 3; i++)
        CHECK(mu_append(root, i * 10, 10, 1, NULL) > 0);
    mu_rows expect = {0};
    overwrite(root, 1000, &expect); /* removes the 3 appended files */
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int64_t cv;
    CHECK_OK(dlk_table_checkpoint(root, &cv));
    CHECK_EQ_INT(cv, 4);
    CHECK_EQ_INT(checkpoint_removes(root, cv), expect_kept ? 3 : 0);
    mu_rows got = {0};
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &expect));
    mu_rows_free(&got);
    mu_rows_free(&expect);
    mu_rm_table(root);
}

TEST(tombstones_kept_within_default_retention)
{
    run(NULL, true);
}

TEST(expired_tombstones_dropped)
{
    run("delta.deletedFileRetentionDuration=interval 0 seconds", false);
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(tombstones_kept_within_default_retention);
    RUN(expired_tombstones_dropped);
    return harness_done();
}

/* Unit tests: expired log cleanup after a checkpoint - commits and
 * checkpoints older than delta.logRetentionDuration below the newest old
 * checkpoint go; every version inside the retention still loads; history
 * lists what is left; writes work afterwards. */
#include "maint_util.h"
#include "util/error.h"

#include <sys/stat.h>

static bool log_exists(const char *root, int64_t v, const char *suffix)
{
    char p[512];
    snprintf(p, sizeof p, "%s/_delta_log/%020lld.%s", root, (long long)v, suffix);
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Age the log files of versions <= up_to by `days` days. */
static void age_log(const char *root, int64_t up_to, int days)
{
    for (int64_t v = 0; v <= up_to; v++) {
        char cmd[700];
        snprintf(cmd, sizeof cmd,
                 "for f in '%s/_delta_log/'%020lld.*; do [ -e \"$f\" ] && touch -d '%d days ago' "
                 "\"$f\"; done; true",
                 root, (long long)v, days);
        CHECK_EQ_INT(system(cmd), 0);
    }
}

TEST(cleanup_after_checkpoint)
{
    char root[256];
    const char *props[] = {"delta.checkpointInterval=5",
                           "delta.logRetentionDuration=interval 2 days"};
    mu_make_table(root, sizeof root, "logclean", NULL, props, 2);
    mu_rows at[20] = {{0}};
    mu_rows acc = {0};
    for (int i = 1; i <= 12; i++) {
        mu_append(root, i * 10, 10, 1, &acc);
        for (size_t k = 0; k < acc.n; k++)
            mu_rows_add(&at[i], acc.r[k], strlen(acc.r[k]));
        mu_rows_sort(&at[i]);
    }
    CHECK(log_exists(root, 5, "checkpoint.parquet"));
    CHECK(log_exists(root, 10, "checkpoint.parquet"));
    CHECK(log_exists(root, 0, "json")); /* nothing old yet: nothing cleaned */

    /* versions 0..7 (incl. checkpoint 5) are 3 days old: checkpoint 12 cleans below 5 */
    age_log(root, 7, 3);
    int64_t cv;
    CHECK_OK(dlk_table_checkpoint(root, &cv));
    CHECK_EQ_INT(cv, 12);
    for (int64_t v = 0; v < 5; v++)
        CHECK(!log_exists(root, v, "json"));
    for (int64_t v = 5; v <= 12; v++)
        CHECK(log_exists(root, v, "json"));
    CHECK(log_exists(root, 5, "checkpoint.parquet"));
    /* every version from 5 on reads (time travel inside the retention), older ones are gone */
    for (int v = 5; v <= 12; v++) {
        mu_rows got = {0};
        CHECK_OK(mu_scan(root, v, &got));
        CHECK(mu_rows_equal(&got, &at[v]));
        mu_rows_free(&got);
    }
    mu_rows got = {0};
    CHECK_RC(mu_scan(root, 3, &got), DLK_NOT_FOUND);
    mu_rows_free(&got);
    dlk_history *h = NULL;
    CHECK_OK(dlk_table_history(root, 0, &h));
    CHECK_EQ_INT(dlk_history_count(h), 8);
    CHECK_EQ_INT(dlk_history_get(h, 7)->version, 5);
    dlk_history_free(&h);

    /* a write after cleanup works and lands on top */
    int64_t v13 = mu_append(root, 13 * 10, 10, 1, &acc);
    CHECK_EQ_INT(v13, 13);
    mu_rows_sort(&acc);
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &acc));
    mu_rows_free(&got);

    /* everything up to 10 ages: the next checkpoint (15) cleans below 10 */
    age_log(root, 10, 3);
    mu_append(root, 14 * 10, 10, 1, &acc);
    mu_append(root, 15 * 10, 10, 1, &acc);
    CHECK(log_exists(root, 15, "checkpoint.parquet"));
    for (int64_t v = 5; v < 10; v++)
        CHECK(!log_exists(root, v, "json"));
    CHECK(!log_exists(root, 5, "checkpoint.parquet"));
    CHECK(log_exists(root, 10, "checkpoint.parquet"));
    CHECK(log_exists(root, 10, "json"));
    mu_rows_sort(&acc);
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &acc));
    mu_rows_free(&got);
    CHECK_OK(mu_scan(root, 10, &got));
    CHECK(mu_rows_equal(&got, &at[10]));
    mu_rows_free(&got);
    dlk_table_stats ts;
    CHECK_OK(dlk_table_get_stats(root, -1, &ts));
    CHECK_EQ_INT(ts.record_count, (int64_t)acc.n);

    for (int v = 0; v < 20; v++)
        mu_rows_free(&at[v]);
    mu_rows_free(&acc);
    mu_rm_table(root);
}

TEST(cleanup_disabled)
{
    char root[256];
    const char *props[] = {"delta.checkpointInterval=3",
                           "delta.logRetentionDuration=interval 1 hours",
                           "delta.enableExpiredLogCleanup=false"};
    mu_make_table(root, sizeof root, "logclean_off", NULL, props, 3);
    for (int i = 1; i <= 4; i++)
        mu_append(root, i * 10, 10, 1, NULL);
    age_log(root, 3, 1);
    CHECK_OK(dlk_table_checkpoint(root, NULL));
    for (int64_t v = 0; v <= 4; v++)
        CHECK(log_exists(root, v, "json"));
    mu_rm_table(root);
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(cleanup_after_checkpoint);
    RUN(cleanup_disabled);
    return harness_done();
}

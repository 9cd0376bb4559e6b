/* Unit tests: vacuum (orphans and expired files removed, referenced and
 * hidden files kept, dry run, retention check, VACUUM START/END commits) and
 * restore (by version and by timestamp, vacuumed files fail clearly). */
#include "maint_util.h"
#include "util/error.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

static void write_file(const char *root, const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    char *slash = strrchr(p, '/');
    *slash = 0;
    char cmd[700];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", p);
    CHECK_EQ_INT(system(cmd), 0);
    *slash = '/';
    FILE *f = fopen(p, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static bool exists(const char *root, const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Age every file under the table (not _delta_log) by `days`. */
static void age_files(const char *root, int days)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "find '%s' -type f -not -path '*/_delta_log/*' -exec touch -d '%d days ago' {} +",
             root, days);
    CHECK_EQ_INT(system(cmd), 0);
}

static size_t count_parquet(const char *root)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "find '%s' -name '*.parquet' -not -path '*/_delta_log/*' | wc -l",
             root);
    FILE *p = popen(cmd, "r");
    long n = -1;
    if (p) {
        if (fscanf(p, "%ld", &n) != 1) n = -1;
        pclose(p);
    }
    return (size_t)n;
}

static bool has_path(const dlk_vacuum_result *r, const char *p)
{
    for (size_t i = 0; i < r->n_paths; i++)
        if (!strcmp(r->paths[i], p)) return true;
    return false;
}

TEST(vacuum)
{
    char root[256];
    mu_make_table(root, sizeof root, "vacuum", "day", NULL, 0);
    mu_rows at[12] = {{0}};
    mu_rows acc = {0};
    for (int i = 0; i < 10; i++) {
        mu_append(root, i * 20, 20, 2, &acc);
        for (size_t k = 0; k < acc.n; k++)
            mu_rows_add(&at[i + 1], acc.r[k], strlen(acc.r[k]));
        mu_rows_sort(&at[i + 1]);
    }
    CHECK_EQ_INT(count_parquet(root), 20);
    dlk_optimize_result or ;
    CHECK_OK(dlk_table_optimize(root, NULL, & or));
    CHECK_EQ_INT(or.version, 11);
    CHECK_EQ_INT(or.files_removed, 20);
    for (size_t k = 0; k < acc.n; k++)
        mu_rows_add(&at[11], acc.r[k], strlen(acc.r[k]));
    mu_rows_sort(&at[11]);

    /* orphans of failed writes, an unreferenced DV file, hidden files */
    write_file(root, "day=2024-01-01/part-00000-orphan-c000.snappy.parquet", "junk");
    write_file(root, "part-00001-orphan-c000.snappy.parquet", "junk2");
    write_file(root, "deletion_vector_0a3c7c4f-1b2e-4b4e-9d57-0000000000aa.bin", "dv");
    write_file(root, "_hidden/part-x.parquet", "hidden");
    write_file(root, ".staging/part-y.parquet", "hidden");
    write_file(root, "day=2024-01-02/.part-z.parquet.crc", "crc");
    age_files(root, 10);
    write_file(root, "part-00002-inflight-c000.snappy.parquet", "new"); /* recent: kept */

    /* retention below the table minimum needs force */
    dlk_vacuum_options vo = DLK_VACUUM_OPTIONS_INIT;
    dlk_vacuum_result vr;
    vo.retention_hours = 1;
    CHECK_RC(dlk_table_vacuum(root, &vo, &vr), DLK_INVALID_ARGUMENT);
    CHECK(strstr(dlk_error_last()->message, "deletedFileRetentionDuration") != NULL);

    /* dry run with retention 0 lists the orphans, the 20 compacted files and
     * (no protection left) the recent file; deletes nothing */
    vo.retention_hours = 0;
    vo.force = true;
    vo.dry_run = true;
    CHECK_OK(dlk_table_vacuum(root, &vo, &vr));
    CHECK_EQ_INT(vr.n_paths, 24);
    CHECK_EQ_INT(vr.files_deleted, 0);
    CHECK(vr.bytes_freed > 0);
    CHECK(has_path(&vr, "part-00001-orphan-c000.snappy.parquet"));
    CHECK(has_path(&vr, "part-00002-inflight-c000.snappy.parquet"));
    CHECK(!has_path(&vr, "_hidden/part-x.parquet"));
    dlk_vacuum_result_clear(&vr);
    CHECK_EQ_INT(count_parquet(root), 20 + 2 + 2 + 3);
    CHECK_EQ_INT(mu_file_count(root, -1), 2);
    int64_t v_before = 11;

    /* default retention (168 h): only the orphans go; the compacted files
     * were removed just now and stay for time travel */
    vo = (dlk_vacuum_options)DLK_VACUUM_OPTIONS_INIT;
    CHECK_OK(dlk_table_vacuum(root, &vo, &vr));
    CHECK_EQ_INT(vr.files_deleted, 3);
    CHECK_EQ_INT(vr.n_paths, 3);
    CHECK_EQ_INT(vr.bytes_freed, 4 + 5 + 2);
    CHECK(has_path(&vr, "day=2024-01-01/part-00000-orphan-c000.snappy.parquet"));
    CHECK(has_path(&vr, "deletion_vector_0a3c7c4f-1b2e-4b4e-9d57-0000000000aa.bin"));
    dlk_vacuum_result_clear(&vr);
    CHECK(!exists(root, "part-00001-orphan-c000.snappy.parquet"));
    CHECK(exists(root, "_hidden/part-x.parquet"));
    CHECK(exists(root, ".staging/part-y.parquet"));
    CHECK(exists(root, "day=2024-01-02/.part-z.parquet.crc"));
    CHECK(exists(root, "part-00002-inflight-c000.snappy.parquet"));
    /* every version within the retention still reads */
    for (int v = 1; v <= 11; v++) {
        mu_rows got = {0};
        CHECK_OK(mu_scan(root, v, &got));
        CHECK(mu_rows_equal(&got, &at[v]));
        mu_rows_free(&got);
    }
    /* VACUUM START / END recorded */
    dlk_history *h = NULL;
    CHECK_OK(dlk_table_history(root, 2, &h));
    CHECK_EQ_INT(dlk_history_get(h, 0)->version, v_before + 2);
    CHECK_STR(dlk_history_get(h, 0)->operation, "VACUUM END");
    CHECK(strstr(dlk_history_get(h, 0)->metrics_json, "\"numDeletedFiles\":\"3\"") != NULL);
    CHECK_STR(dlk_history_get(h, 1)->operation, "VACUUM START");
    CHECK(strstr(dlk_history_get(h, 1)->metrics_json, "\"numFilesToDelete\":\"3\"") != NULL);
    CHECK_EQ_INT(dlk_history_get(h, 1)->records_added, 0);
    dlk_history_free(&h);

    /* retention 0 (forced): the compacted files go too; the latest version reads */
    vo.retention_hours = 0;
    vo.force = true;
    CHECK_OK(dlk_table_vacuum(root, &vo, &vr));
    CHECK_EQ_INT(vr.files_deleted, 21);
    dlk_vacuum_result_clear(&vr);
    CHECK_EQ_INT(count_parquet(root), 2 + 2);
    mu_rows got = {0};
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &at[11]));
    mu_rows_free(&got);
    /* restoring a version whose files were vacuumed fails, naming the file */
    dlk_restore_result rr;
    CHECK_RC(dlk_table_restore(root, 5, NULL, &rr), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, ".parquet") != NULL);
    CHECK(strstr(dlk_error_last()->message, "vacuum") != NULL);
    CHECK_EQ_INT(rr.version, -1);

    dlk_op_metrics m;
    CHECK_OK(dlk_table_op_metrics(root, DLK_OP_VACUUM, &m));
    CHECK_EQ_INT(m.count, 4);
    CHECK_EQ_INT(m.errors, 1);
    CHECK_OK(dlk_table_op_metrics(root, DLK_OP_RESTORE, &m));
    CHECK_EQ_INT(m.errors, 1);
    for (int v = 0; v < 12; v++)
        mu_rows_free(&at[v]);
    mu_rows_free(&acc);
    mu_rm_table(root);
}

TEST(restore)
{
    char root[256];
    mu_make_table(root, sizeof root, "restore", NULL, NULL, 0);
    mu_rows at[6] = {{0}};
    mu_rows acc = {0};
    for (int i = 0; i < 5; i++) {
        mu_append(root, i * 30, 30, 1, &acc);
        for (size_t k = 0; k < acc.n; k++)
            mu_rows_add(&at[i + 1], acc.r[k], strlen(acc.r[k]));
        mu_rows_sort(&at[i + 1]);
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    dlk_restore_result rr;
    CHECK_OK(dlk_table_restore(root, 3, NULL, &rr));
    CHECK_EQ_INT(rr.version, 6);
    CHECK_EQ_INT(rr.restored_version, 3);
    CHECK_EQ_INT(rr.files_added, 0);
    CHECK_EQ_INT(rr.files_removed, 2);
    mu_rows got = {0};
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &at[3]));
    mu_rows_free(&got);
    /* forward again to version 5 (adds back the two files) */
    CHECK_OK(dlk_table_restore(root, 5, NULL, &rr));
    CHECK_EQ_INT(rr.version, 7);
    CHECK_EQ_INT(rr.files_added, 2);
    CHECK_EQ_INT(rr.files_removed, 0);
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &at[5]));
    mu_rows_free(&got);
    /* after compaction, restore to version 2 swaps files */
    dlk_optimize_result orr;
    CHECK_OK(dlk_table_optimize(root, NULL, &orr));
    CHECK_EQ_INT(orr.version, 8);
    /* by timestamp: the commit file time of version 2 */
    char p[400];
    snprintf(p, sizeof p, "%s/_delta_log/%020d.json", root, 2);
    struct stat sb;
    CHECK_EQ_INT(stat(p, &sb), 0);
    time_t secs = sb.st_mtim.tv_sec;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char ts[64];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             sb.st_mtim.tv_nsec / 1000000);
    CHECK_OK(dlk_table_restore(root, -1, ts, &rr));
    CHECK_EQ_INT(rr.restored_version, 2);
    CHECK_EQ_INT(rr.files_added, 2);
    CHECK_EQ_INT(rr.files_removed, 1);
    CHECK_OK(mu_scan(root, -1, &got));
    CHECK(mu_rows_equal(&got, &at[2]));
    mu_rows_free(&got);
    /* history: RESTORE with row counts */
    dlk_history *h = NULL;
    CHECK_OK(dlk_table_history(root, 1, &h));
    CHECK_STR(dlk_history_get(h, 0)->operation, "RESTORE");
    CHECK_EQ_INT(dlk_history_get(h, 0)->records_added, 60);
    CHECK_EQ_INT(dlk_history_get(h, 0)->records_removed, 150);
    CHECK(strstr(dlk_history_get(h, 0)->parameters_json, "\"version\":2") != NULL);
    dlk_history_free(&h);
    /* bad arguments */
    CHECK_RC(dlk_table_restore(root, 99, NULL, &rr), DLK_NOT_FOUND);
    CHECK_RC(dlk_table_restore(root, -1, NULL, &rr), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_table_restore(root, -1, "not a time", &rr), DLK_PARSE);
    for (int v = 0; v < 6; v++)
        mu_rows_free(&at[v]);
    mu_rows_free(&acc);
    mu_rm_table(root);
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(vacuum);
    RUN(restore);
    return harness_done();
}

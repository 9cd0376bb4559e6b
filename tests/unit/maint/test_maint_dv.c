/* Unit tests: maintenance of a table with a deletion vector (a copy of the
 * kernel test table table-with-dv-small: values 0..9, 0 and 9 deleted by a
 * DV file): stats subtract the DV, vacuum keeps the referenced DV file,
 * optimize rewrites the file without the deleted rows, after which vacuum
 * removes the old file and its DV file; history reads the foreign log. */
#include "maint_util.h"
#include "util/error.h"

#include <sys/stat.h>

static bool exists(const char *root, const char *rel)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    struct stat sb;
    return stat(p, &sb) == 0;
}

static void values(const char *root, int64_t v, char *out, size_t n)
{
    mu_rows rows = {0};
    CHECK_OK(mu_scan(root, v, &rows));
    out[0] = 0;
    size_t len = 0;
    for (size_t i = 0; i < rows.n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s", rows.r[i]);
    mu_rows_free(&rows);
}

#define DVFILE "deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin"
#define DATAFILE "part-00000-fae5310a-a37d-4e51-827b-c3d5516560ca-c000.snappy.parquet"

TEST(dv_table)
{
    char src[512];
    harness_testdata(src, sizeof src, "delta/kernel/table-with-dv-small");
    char root[256], cmd[1200];
    snprintf(root, sizeof root, "/tmp/dlk_maint_dv.%d.%ld", (int)getpid(), random());
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", src, root);
    CHECK_EQ_INT(system(cmd), 0);

    char before[2000], after[2000];
    values(root, -1, before, sizeof before);
    CHECK(strstr(before, "{\"value\":1}") && !strstr(before, "{\"value\":0}") &&
          !strstr(before, "{\"value\":9}"));

    dlk_table_stats ts;
    CHECK_OK(dlk_table_get_stats(root, -1, &ts));
    CHECK_EQ_INT(ts.record_count, 8);
    CHECK_EQ_INT(ts.deleted_rows, 2);
    CHECK_EQ_INT(ts.file_count, 1);

    dlk_history *h = NULL;
    CHECK_OK(dlk_table_history(root, 0, &h));
    CHECK_EQ_INT(dlk_history_count(h), 2);
    CHECK_STR(dlk_history_get(h, 0)->operation, "DELETE");
    CHECK_EQ_INT(dlk_history_get(h, 0)->records_removed, 2);
    CHECK_EQ_INT(dlk_history_get(h, 0)->records_added, 0);
    CHECK_EQ_INT(dlk_history_get(h, 1)->records_added, 10);
    CHECK_STR(dlk_history_get(h, 1)->engine, "Databricks-Runtime/<unknown>");
    dlk_history_free(&h);

    /* the DV file is referenced: vacuum (even at retention 0) keeps it */
    dlk_vacuum_options vo = DLK_VACUUM_OPTIONS_INIT;
    vo.retention_hours = 0;
    vo.force = true;
    dlk_vacuum_result vr;
    CHECK_OK(dlk_table_vacuum(root, &vo, &vr));
    CHECK_EQ_INT(vr.files_deleted, 0);
    dlk_vacuum_result_clear(&vr);
    CHECK(exists(root, DVFILE) && exists(root, DATAFILE));

    /* optimize rewrites the single file with a DV, without the deleted rows */
    dlk_optimize_result r;
    CHECK_OK(dlk_table_optimize(root, NULL, &r));
    CHECK_EQ_INT(r.files_removed, 1);
    CHECK_EQ_INT(r.files_added, 1);
    CHECK_EQ_INT(r.rows, 8);
    values(root, -1, after, sizeof after);
    CHECK_STR(after, before);
    CHECK_OK(dlk_table_get_stats(root, -1, &ts));
    CHECK_EQ_INT(ts.record_count, 8);
    CHECK_EQ_INT(ts.deleted_rows, 0);

    /* now the old file and its DV file are unreferenced once expired */
    vo.dry_run = true;
    CHECK_OK(dlk_table_vacuum(root, &vo, &vr));
    CHECK_EQ_INT(vr.n_paths, 2);
    dlk_vacuum_result_clear(&vr);
    vo.dry_run = false;
    CHECK_OK(dlk_table_vacuum(root, &vo, &vr));
    CHECK_EQ_INT(vr.files_deleted, 2);
    dlk_vacuum_result_clear(&vr);
    CHECK(!exists(root, DVFILE) && !exists(root, DATAFILE));
    values(root, -1, after, sizeof after);
    CHECK_STR(after, before);
    /* restoring version 1 needs the vacuumed DV table's files */
    dlk_restore_result rr;
    CHECK_RC(dlk_table_restore(root, 1, NULL, &rr), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, DATAFILE) != NULL);
    mu_rm_table(root);
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(dv_table);
    return harness_done();
}

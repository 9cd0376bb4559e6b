/* Every write path on the in-memory backend (the same result as on disk)
 * and against a fault-injecting storage: for each operation
 * (append, replace-where overwrite, upsert, soft and hard delete, update,
 * optimize, vacuum, restore, add column, checkpoint, create) and each N,
 * the table location is mounted with a wrapper failing the Nth storage
 * call (once, then sticky: every call from the Nth on). Whatever fails,
 * the table stays readable; a failed operation leaves it at its last
 * version with exactly its rows (no commit is half made), a successful one
 * gives exactly the rows of a clean run; `check` finds nothing either way
 * (a vacuum that fails while deleting still commits its VACUUM END, with
 * status FAILED).
 * N grows until the operation completes without meeting the fault. */
#include "deltalake/alter.h"
#include "deltalake/check.h"
#include "deltalake/sys/storage.h"
#include "../dml/dml_testutil.h"

#include "util/error.h"
#include <sys/stat.h>

#define CAP 2000

static char base[200], work[256];

typedef int (*op_fn)(const char *root);

static int op_append(const char *root)
{
    size_t len;
    char *t = gen_ndjson(400, 20, 2, &len);
    int rc = dlk_table_write_text(root, t, len, NULL, NULL);
    free(t);
    return rc;
}

static int op_overwrite(const char *root)
{
    size_t len;
    char *t = gen_ndjson(1000, 10, 1, &len); /* every row on 2024-01-01 */
    dlk_write_options o = DLK_WRITE_OPTIONS_INIT;
    o.mode = DLK_WRITE_OVERWRITE;
    o.replace_where = "day = '2024-01-01'";
    int rc = dlk_table_write_text(root, t, len, &o, NULL);
    free(t);
    return rc;
}

static int op_upsert(const char *root)
{
    size_t len;
    char *t = gen_ndjson(5, 10, 2, &len); /* ids 5..14 exist: updated */
    char *u = gen_ndjson(500, 5, 2, &len);
    size_t l1 = strlen(t);
    char *both = malloc(l1 + len + 1);
    memcpy(both, t, l1);
    memcpy(both + l1, u, len + 1);
    const char *key[] = {"id"};
    dlk_upsert_options o = DLK_UPSERT_OPTIONS_INIT;
    o.key_cols = key;
    o.n_key_cols = 1;
    int rc = dlk_table_upsert_text(root, both, l1 + len, &o, NULL);
    free(t);
    free(u);
    free(both);
    return rc;
}

static int op_delete_soft(const char *root)
{
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = "id < 30";
    o.mode = DLK_DML_SOFT;
    return dlk_table_delete(root, &o, NULL);
}

static int op_delete_hard(const char *root)
{
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = "id % 7 = 0";
    o.mode = DLK_DML_HARD;
    return dlk_table_delete(root, &o, NULL);
}

static int op_update(const char *root)
{
    dlk_update_options o = DLK_UPDATE_OPTIONS_INIT;
    o.set = "v = v + 1";
    o.predicate = "id >= 40 AND id < 60";
    return dlk_table_update(root, &o, NULL);
}

static int op_optimize(const char *root)
{
    dlk_optimize_options o = DLK_OPTIMIZE_OPTIONS_INIT;
    dlk_optimize_result r;
    return dlk_table_optimize(root, &o, &r);
}

static int op_vacuum(const char *root)
{
    dlk_vacuum_options o = DLK_VACUUM_OPTIONS_INIT;
    o.retention_hours = 0;
    o.force = true;
    dlk_vacuum_result r = {0};
    int rc = dlk_table_vacuum(root, &o, &r);
    dlk_vacuum_result_clear(&r);
    return rc;
}

static int op_restore(const char *root)
{
    dlk_restore_result r;
    return dlk_table_restore(root, 1, NULL, &r);
}

static int op_add_column(const char *root)
{
    return dlk_table_add_column(root, "extra", "long", NULL, NULL);
}

static int op_checkpoint(const char *root)
{
    return dlk_table_checkpoint(root, NULL);
}

/* Latest version of root, -1 when it does not load. */
static int64_t latest(const char *root)
{
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    int64_t v = -1;
    if (!dlk_table_open(root, &t) && !dlk_table_snapshot(t, -1, &s)) v = dlk_snapshot_version(s);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    dlk_error_clear();
    return v;
}

static int64_t findings(const char *root)
{
    dlk_check_options o = DLK_CHECK_OPTIONS_INIT;
    dlk_check_report *r = NULL;
    if (dlk_table_check(root, &o, &r)) return -1;
    int64_t n = (int64_t)r->n_findings;
    for (size_t i = 0; i < r->n_findings && i < 3; i++)
        fprintf(stderr, "  finding %s: %s\n", r->findings[i].code, r->findings[i].message);
    dlk_check_report_free(&r);
    return n;
}

static void copy_base(void)
{
    rm_rf(work);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", base, work);
    CHECK_EQ_INT(system(cmd), 0);
}

static void build_base(const char *root);

/* Run op under faults; returns the number of fault points tried. */
static long run_faults(const char *name, op_fn op, bool create)
{
    static int64_t want_base[CAP], want_done[CAP], got[CAP];
    int64_t base_v = create ? -1 : latest(base);
    if (!create) CHECK(read_rows(base, -1, want_base, CAP, NULL) >= 0);
    /* the clean run */
    copy_base();
    int rc = op(work);
    if (rc) fprintf(stderr, "%s (clean): %s\n", name, dlk_error_last()->message);
    CHECK_OK(rc);
    int64_t done_v = latest(work);
    bool same_version = !strcmp(name, "checkpoint"); /* commits nothing */
    CHECK(same_version ? done_v == base_v : done_v > base_v);
    CHECK(read_rows(work, -1, want_done, CAP, NULL) >= 0);
    /* the same on the in-memory backend: same version, same rows */
    if (!create) {
        char mem[64];
        snprintf(mem, sizeof mem, "memory://fault-%s", name);
        build_base(mem);
        CHECK_OK(op(mem));
        CHECK_EQ_INT(latest(mem), done_v);
        CHECK(read_rows(mem, -1, got, CAP, NULL) >= 0);
        CHECK_EQ_INT(compare_rows(got, want_done, CAP), 0);
        CHECK_EQ_INT(findings(mem), 0);
        CHECK_OK(dlk_storage_unmount(mem)); /* drops the store */
    }
    long tried = 0;
    for (int sticky = 0; sticky < 2; sticky++) {
        for (long n = 1; n < 5000; n++) {
            copy_base();
            dlk_storage *inner = NULL, *f = NULL;
            CHECK_OK(dlk_storage_open_local(work, &inner));
            CHECK_OK(dlk_storage_open_fault(inner, n, sticky, &f));
            CHECK_OK(dlk_storage_mount(work, f));
            rc = op(work);
            long calls = dlk_storage_fault_calls(f);
            CHECK_OK(dlk_storage_unmount(work));
            dlk_error_clear();
            tried++;
            int64_t v = latest(work);
            int64_t *want = rc ? want_base : want_done;
            /* a vacuum that fails deleting commits VACUUM END with status FAILED */
            bool ok_v = rc ? (v == base_v || (v > base_v && v <= done_v && !strcmp(name, "vacuum")))
                           : v == done_v;
            if (!ok_v)
                fprintf(stderr, "%s: fault at call %ld (%s): rc %d, version %lld (want %lld)\n",
                        name, n, sticky ? "sticky" : "once", rc, (long long)v,
                        (long long)(rc ? base_v : done_v));
            CHECK(ok_v);
            if (v >= 0) {
                CHECK(read_rows(work, -1, got, CAP, NULL) >= 0);
                if (compare_rows(got, want, CAP))
                    fprintf(stderr, "%s: fault at call %ld (%s): rows differ (rc %d)\n", name, n,
                            sticky ? "sticky" : "once", rc);
                CHECK_EQ_INT(compare_rows(got, want, CAP), 0);
                int64_t nf = findings(work);
                if (nf)
                    fprintf(stderr, "%s: fault at call %ld (%s): check finds %lld\n", name, n,
                            sticky ? "sticky" : "once", (long long)nf);
                CHECK_EQ_INT(nf, 0);
            } else {
                CHECK(create && rc); /* only a failed create leaves no table */
            }
            if (!rc && calls < n) break; /* the operation never met the fault */
        }
    }
    return tried;
}

/* The table every operation starts from: 200 rows in 3 commits, two day
 * partitions, deletion vectors on, a removed file (for vacuum) and a DV. */
static void build_base(const char *root)
{
    CHECK_OK(make_table(root, true, true, 200, 2, 3));
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = "id = 3";
    o.mode = DLK_DML_HARD;
    CHECK_OK(dlk_table_delete(root, &o, NULL));
    o.predicate = "id = 4";
    o.mode = DLK_DML_SOFT;
    CHECK_OK(dlk_table_delete(root, &o, NULL));
}

static void setup(const char *tag)
{
    tmp_table(base, sizeof base, tag);
    snprintf(work, sizeof work, "%s.work", base);
    build_base(base);
}

static const struct {
    const char *name;
    op_fn fn;
} OPS[] = {
    {"append", op_append},           {"overwrite", op_overwrite},     {"upsert", op_upsert},
    {"delete soft", op_delete_soft}, {"delete hard", op_delete_hard}, {"update", op_update},
    {"optimize", op_optimize},       {"vacuum", op_vacuum},           {"restore", op_restore},
    {"add column", op_add_column},   {"checkpoint", op_checkpoint},
};

TEST(every_write_path_survives_every_storage_fault)
{
    setup("fault");
    for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++) {
        long n = run_faults(OPS[i].name, OPS[i].fn, false);
        fprintf(stderr, "%-12s %ld fault points\n", OPS[i].name, n);
    }
    rm_rf(base);
    rm_rf(work);
}

static int op_create(const char *root)
{
    struct ArrowSchema s;
    int rc = dlk_schema_parse("id long not null, day string, v long, name string", &s);
    if (rc) return rc;
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    const char *pc[] = {"day"};
    co.partition_cols = pc;
    co.n_partition_cols = 1;
    rc = dlk_table_create(root, &s, &co, NULL);
    s.release(&s);
    return rc;
}

TEST(create_survives_every_storage_fault)
{
    tmp_table(base, sizeof base, "faultc");
    snprintf(work, sizeof work, "%s.work", base);
    CHECK_EQ_INT(mkdir(base, 0755), 0);
    long n = run_faults("create", op_create, true);
    fprintf(stderr, "%-12s %ld fault points\n", "create", n);
    rm_rf(base);
    rm_rf(work);
}

int main(void)
{
    RUN(every_write_path_survives_every_storage_fault);
    RUN(create_survives_every_storage_fault);
    return harness_done();
}

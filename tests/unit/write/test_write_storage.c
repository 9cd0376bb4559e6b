/* Writes through the storage layer: data files of the write path
 * (dlk_ops__files) land in a named memory:// store and read back; a fault
 * injected at every storage call of such a write leaves no object behind;
 * DML on a local table whose location is mounted with a fault-injecting
 * wrapper (so every dlk_storage_open of the library, the deletion-vector
 * file and rewritten data files included, goes through it) fails cleanly
 * at each call: the table stays readable at its last version, with no
 * stray DV or data file. A whole table (create, write, DV delete, time
 * travel) lives in memory://t. */
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "deltalake/parquet.h"
#include "deltalake/sys/storage.h"
#include "../dml/dml_testutil.h"

#include "util/error.h"
#include "write/write.h"
#include <dirent.h>
#include <sys/stat.h>

#define CHILD(b, i) dlk_arrow_builder_child(b, i)

/* A batch of the data columns (id long, v long) with rows [from, from + n). */
static int make_batch(int64_t from, int n, struct ArrowSchema *s, struct ArrowArray *a)
{
    int rc = dlk_arrow_schema_parse("id: l, v: l", s);
    if (rc) return rc;
    dlk_arrow_builder *b = NULL;
    if ((rc = dlk_arrow_builder_new(s, &b))) return rc;
    for (int r = 0; r < n && !rc; r++) {
        rc = dlk_arrow_builder_begin(b);
        if (!rc) rc = dlk_arrow_builder_append_int(CHILD(b, 0), from + r);
        if (!rc) rc = dlk_arrow_builder_append_int(CHILD(b, 1), (from + r) * 10);
        if (!rc) rc = dlk_arrow_builder_end(b);
    }
    if (!rc) rc = dlk_arrow_builder_finish(b, a);
    dlk_arrow_builder_free(b);
    return rc;
}

/* Write 2 partitions x 50 rows with dlk_ops__files into location. */
static int write_files(const char *location, json_t **adds)
{
    struct ArrowSchema s;
    struct ArrowArray a;
    int rc = make_batch(0, 50, &s, &a);
    if (rc) return rc;
    const char *pc[] = {"day"};
    dlk_ops__files *f = NULL;
    *adds = NULL;
    rc = dlk_ops__files_new(location, &s, pc, 1, 0, 32, &f);
    const char *d1[] = {"2024-01-01"}, *d2[] = {"2024-01-02"};
    if (!rc) rc = dlk_ops__files_write(f, &a, d1);
    if (!rc) rc = dlk_ops__files_write(f, &a, d2);
    int64_t rows = 0, bytes = 0, n = 0;
    dlk_buf lines = {0};
    if (!rc) rc = dlk_ops__files_finish(f, true, &lines, &n, &rows, &bytes);
    if (!rc && rows != 100) rc = dlk_err_set(DLK_ERROR, "rows %lld", (long long)rows);
    /* the add lines as a JSON array of add objects */
    if (!rc) {
        *adds = json_array();
        const char *p = (const char *)lines.data, *end = p + lines.len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            json_t *o = json_loadb(p, (size_t)((nl ? nl : end) - p), 0, NULL);
            json_array_append(*adds, json_object_get(o, "add"));
            json_decref(o);
            p = nl ? nl + 1 : end;
        }
        if ((int64_t)json_array_size(*adds) != n)
            rc = dlk_err_set(DLK_ERROR, "adds %lld", (long long)n);
    }
    dlk_buf_free(&lines);
    dlk_ops__files_free(&f, rc != DLK_OK);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
    return rc;
}

static int count_keys(const char *location, const char *prefix)
{
    dlk_storage *s = NULL;
    dlk_storage_list l;
    if (dlk_storage_open(location, &s) || dlk_storage_list_prefix(s, prefix, NULL, &l)) {
        dlk_storage_free(&s);
        return -1;
    }
    int n = (int)l.count;
    dlk_storage_list_free(&l);
    dlk_storage_free(&s);
    return n;
}

TEST(files_into_memory)
{
    json_t *adds = NULL;
    CHECK_OK(write_files("memory://t", &adds));
    CHECK_EQ_INT(json_array_size(adds), 2);
    CHECK_EQ_INT(count_keys("memory://t", ""), 2);
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open("memory://t", &s));
    size_t i;
    json_t *add;
    int64_t total = 0;
    json_array_foreach(adds, i, add)
    {
        const char *path = json_string_value(json_object_get(add, "path"));
        CHECK(path && !strncmp(path, "day=2024-01-0", 13));
        uint8_t *data = NULL;
        size_t len = 0;
        CHECK_OK(dlk_storage_get(s, path, &data, &len));
        CHECK_EQ_INT(len, json_integer_value(json_object_get(add, "size")));
        dlk_pq_file *pf = NULL;
        CHECK_OK(dlk_pq_open_memory(data, len, path, &pf));
        if (pf) total += dlk_pq_num_rows(pf);
        dlk_pq_close(&pf);
        dlk_storage_bytes_free(data);
    }
    CHECK_EQ_INT(total, 100);
    json_decref(adds);
    dlk_storage_free(&s);
    CHECK_OK(dlk_storage_unmount("memory://t"));
}

/* Count the calls of a clean write, then fail each one in turn: once
 * (the cleanup then removes what was written: no object is left), and
 * from then on (sticky: the cleanup fails too, so committed files may stay
 * behind as orphans, but the write still fails). */
static void files_fault(int sticky)
{
    dlk_storage *m = NULL, *f = NULL;
    CHECK_OK(dlk_storage_open_memory(&m));
    CHECK_OK(dlk_storage_open_fault(m, 0, 0, &f));
    CHECK_OK(dlk_storage_mount("memory://tf", f));
    json_t *adds = NULL;
    CHECK_OK(write_files("memory://tf", &adds));
    json_decref(adds);
    long calls = dlk_storage_fault_calls(f);
    CHECK(calls >= 6); /* per file: open, writes, commit */
    for (long n = 1; n <= calls; n++) {
        dlk_storage_fault_set(f, 0, 0);
        dlk_storage_list l;
        CHECK_OK(dlk_storage_list_prefix(m, "", NULL, &l));
        for (size_t k = 0; k < l.count; k++)
            dlk_storage_delete(m, l.entries[k].key);
        dlk_storage_list_free(&l);
        dlk_storage_fault_set(f, n, sticky);
        adds = NULL;
        CHECK_RC(write_files("memory://tf", &adds), DLK_IO);
        CHECK(strstr(dlk_error_last()->message, "injected") != NULL);
        CHECK(adds == NULL);
        dlk_storage_fault_set(f, 0, 0);
        int left = count_keys("memory://tf", "");
        if (!sticky) CHECK_EQ_INT(left, 0);
    }
    CHECK_OK(dlk_storage_unmount("memory://tf"));
}

TEST(files_fault_each_call)
{
    files_fault(0);
    files_fault(1);
}

static int count_files_named(const char *dir, const char *part)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "find '%s' -name '*%s*' | wc -l", dir, part);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p && fscanf(p, "%d", &n) != 1) n = -1;
    if (p) pclose(p);
    return n;
}

/* Deletes under a mounted fault wrapper failing call n, for every n of the
 * operation, each on a fresh copy of the table at template (once: the
 * cleanup works, so a failed delete leaves nothing over; sticky: the table
 * must still read the same). A fault the operation tolerates (an optional
 * read) may let it succeed; the result is then the full delete. Rows with
 * v < 500 go. */
static void delete_with_fault(const char *template, int mode, int sticky, bool dv_file)
{
    char root[300], cmd[800];
    snprintf(root, sizeof root, "%s.run", template);
    int64_t want = 0;
    for (int64_t i = 0; i < 300; i++)
        want += gen_v(i) >= 500;
    int64_t vals[400];
    int dvs0 = count_files_named(template, "deletion_vector_");
    int pq0 = count_files_named(template, ".parquet");
    int failures = 0, done = 0;
    for (long n = 1; n < 400 && !done; n++) {
        rm_rf(root);
        snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", template, root);
        CHECK(system(cmd) == 0);
        dlk_storage *l = NULL, *f = NULL;
        CHECK_OK(dlk_storage_open_local(root, &l));
        CHECK_OK(dlk_storage_open_fault(l, n, sticky, &f));
        CHECK_OK(dlk_storage_mount(root, f));
        dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
        o.predicate = "v < 500";
        o.mode = mode;
        dlk_delete_result r;
        int rc = dlk_table_delete(root, &o, &r);
        long calls = dlk_storage_fault_calls(f);
        char msg[512];
        snprintf(msg, sizeof msg, "%s", dlk_error_last()->message);
        CHECK_OK(dlk_storage_unmount(root));
        int64_t rows = read_rows(root, -1, vals, 400, NULL);
        if (rc == DLK_OK) {
            CHECK_EQ_INT(rows, want);
            if (dv_file) CHECK_EQ_INT(count_files_named(root, "deletion_vector_"), dvs0 + 1);
            done = calls < n; /* the fault came after the last call: all n seen */
            continue;
        }
        failures++;
        if (!strstr(msg, "injected")) fprintf(stderr, "call %ld: %s\n", n, msg);
        CHECK(strstr(msg, "injected") != NULL);
        if (rows != 300) fprintf(stderr, "call %ld (%s): %lld rows\n", n, msg, (long long)rows);
        CHECK_EQ_INT(rows, 300); /* nothing committed */
        if (sticky) continue;
        CHECK_EQ_INT(count_files_named(root, "deletion_vector_"), dvs0); /* nothing left over */
        CHECK_EQ_INT(count_files_named(root, ".parquet"), pq0);
        CHECK_EQ_INT(count_files_named(root, ".tmp.dlk-"), 0);
    }
    CHECK(done);
    CHECK(failures > 2);
    rm_rf(root);
}

TEST(dml_fault_dv)
{
    char root[256];
    tmp_table(root, sizeof root, "wsdv");
    CHECK_OK(make_table(root, true, true, 300, 3, 1));
    delete_with_fault(root, DLK_DML_SOFT, 0, true);
    delete_with_fault(root, DLK_DML_SOFT, 1, true);
    rm_rf(root);
}

TEST(dml_fault_rewrite)
{
    char root[256];
    tmp_table(root, sizeof root, "wshard");
    CHECK_OK(make_table(root, true, false, 300, 3, 1));
    delete_with_fault(root, DLK_DML_HARD, 0, false);
    delete_with_fault(root, DLK_DML_HARD, 1, false);
    rm_rf(root);
}

TEST(table_into_memory)
{
    /* create, append, delete (a DV file) and read back, all in memory */
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long not null, day string, v long, name string", &s));
    const char *pc[] = {"day"};
    const char *pk[] = {"delta.enableDeletionVectors"}, *pv[] = {"true"};
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    co.prop_keys = pk;
    co.prop_values = pv;
    co.n_props = 1;
    co.partition_cols = pc;
    co.n_partition_cols = 1;
    CHECK_OK(dlk_table_create("memory://t", &s, &co, NULL));
    s.release(&s);
    size_t len;
    char *text = gen_ndjson(0, 300, 3, &len);
    CHECK_OK(dlk_table_write_text("memory://t", text, len, NULL, NULL));
    free(text);
    CHECK_EQ_INT(count_keys("memory://t", "_delta_log/"), 2);
    CHECK_EQ_INT(count_keys("memory://t", "day="), 3); /* a file a partition */
    int64_t vals[400];
    CHECK_EQ_INT(read_rows("memory://t", -1, vals, 400, NULL), 300);
    CHECK_EQ_INT(vals[7], 1 + gen_v(7));
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = "v < 500";
    o.mode = DLK_DML_SOFT;
    dlk_delete_result r;
    CHECK_OK(dlk_table_delete("memory://t", &o, &r));
    CHECK_EQ_INT(r.version, 2);
    int64_t want = 0;
    for (int64_t i = 0; i < 300; i++)
        want += gen_v(i) >= 500;
    CHECK_EQ_INT(read_rows("memory://t", -1, vals, 400, NULL), want);
    CHECK_EQ_INT(count_keys("memory://t", "deletion_vector_"), 1);
    CHECK_EQ_INT(read_rows("memory://t", 1, vals, 400, NULL), 300); /* time travel */
    /* nothing touched the local file system */
    struct stat sb;
    CHECK(stat("memory:", &sb) != 0 && stat("memory://t", &sb) != 0);
    CHECK_OK(dlk_storage_unmount("memory://t"));
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(files_into_memory);
    RUN(files_fault_each_call);
    RUN(dml_fault_dv);
    RUN(dml_fault_rewrite);
    RUN(table_into_memory);
    return harness_done();
}

/* Storage backends: local (put-if-absent never overwrites, ranged get,
 * sorted prefix listing with start-after), memory, fault injection. */
#include "deltalake/sys/storage.h"
#include "harness.h"
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[256];

static void exercise(dlk_storage *s)
{
    CHECK_OK(dlk_storage_put_if_absent(s, "_delta_log/00000000000000000001.json", "one\n", 4));
    CHECK_OK(dlk_storage_put_if_absent(s, "_delta_log/00000000000000000000.json", "zero\n", 5));
    CHECK_RC(dlk_storage_put_if_absent(s, "_delta_log/00000000000000000001.json", "xx", 2),
             DLK_ALREADY_EXISTS);
    CHECK_OK(dlk_storage_put(s, "_delta_log/_last_checkpoint", "{}", 2));
    CHECK_OK(dlk_storage_put(s, "_delta_log/_last_checkpoint", "{\"v\":1}", 7));
    CHECK_OK(dlk_storage_put(s, "a=1/part-0.parquet", "PAR1", 4));
    uint8_t *p = NULL;
    size_t n = 0;
    CHECK_OK(dlk_storage_get(s, "_delta_log/00000000000000000001.json", &p, &n));
    CHECK(n == 4 && memcmp(p, "one\n", 4) == 0);
    dlk_storage_bytes_free(p);
    CHECK_OK(dlk_storage_get_range(s, "_delta_log/_last_checkpoint", 2, 3, &p, &n));
    CHECK(n == 3 && memcmp(p, "v\":", 3) == 0);
    dlk_storage_bytes_free(p);
    CHECK_OK(dlk_storage_get_range(s, "_delta_log/_last_checkpoint", 5, 100, &p, &n));
    CHECK(n == 2);
    dlk_storage_bytes_free(p);
    CHECK_RC(dlk_storage_get(s, "_delta_log/nope.json", &p, &n), DLK_NOT_FOUND);
    dlk_storage_list l;
    CHECK_OK(dlk_storage_list_prefix(s, "_delta_log/", NULL, &l));
    CHECK_EQ_INT(l.count, 3);
    if (l.count == 3) {
        CHECK_STR(l.entries[0].key, "_delta_log/00000000000000000000.json");
        CHECK_STR(l.entries[2].key, "_delta_log/_last_checkpoint");
        CHECK_EQ_INT(l.entries[2].size, 7);
    }
    dlk_storage_list_free(&l);
    CHECK_OK(dlk_storage_list_prefix(s, "_delta_log/0", "_delta_log/00000000000000000000.json", &l));
    CHECK_EQ_INT(l.count, 1);
    dlk_storage_list_free(&l);
    CHECK_OK(dlk_storage_list_prefix(s, "", NULL, &l));
    CHECK_EQ_INT(l.count, 4);
    if (l.count == 4) CHECK_STR(l.entries[3].key, "a=1/part-0.parquet");
    dlk_storage_list_free(&l);
    CHECK_OK(dlk_storage_list_prefix(s, "missing/", NULL, &l));
    CHECK_EQ_INT(l.count, 0);
    dlk_storage_list_free(&l);
    dlk_storage_entry e;
    CHECK_OK(dlk_storage_head(s, "a=1/part-0.parquet", &e));
    CHECK_EQ_INT(e.size, 4);
    CHECK(e.mtime_ms > 0);
    CHECK_OK(dlk_storage_delete(s, "a=1/part-0.parquet"));
    CHECK_RC(dlk_storage_delete(s, "a=1/part-0.parquet"), DLK_NOT_FOUND);
    CHECK_RC(dlk_storage_head(s, "a=1/part-0.parquet", &e), DLK_NOT_FOUND);
}

TEST(local)
{
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_local(tmpdir, &s));
    exercise(s);
    dlk_storage_free(&s);
    CHECK(s == NULL);
}

TEST(memory)
{
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_memory(&s));
    exercise(s);
    dlk_storage_free(&s);
}

TEST(fault)
{
    dlk_storage *m = NULL, *f = NULL;
    CHECK_OK(dlk_storage_open_memory(&m));
    CHECK_OK(dlk_storage_open_fault(m, 2, 0, &f));
    CHECK_OK(dlk_storage_put(f, "a", "1", 1));
    CHECK_RC(dlk_storage_put(f, "b", "1", 1), DLK_IO);
    CHECK_OK(dlk_storage_put(f, "c", "1", 1));
    CHECK_EQ_INT(dlk_storage_fault_calls(f), 3);
    dlk_storage_fault_set(f, 1, 1);
    dlk_storage_entry e;
    CHECK_RC(dlk_storage_head(f, "a", &e), DLK_IO);
    CHECK_RC(dlk_storage_head(f, "a", &e), DLK_IO);
    dlk_storage_fault_set(f, 0, 0);
    CHECK_OK(dlk_storage_head(f, "a", &e));
    CHECK_RC(dlk_storage_head(f, "b", &e), DLK_NOT_FOUND);
    dlk_storage_free(&f);
}

TEST(open_scheme)
{
    dlk_storage *s = NULL;
    CHECK_RC(dlk_storage_open("gs://bucket/x", &s), DLK_UNSUPPORTED);
    CHECK(strstr(dlk_error_last()->message, "gs") != NULL);
    CHECK_OK(dlk_storage_open(tmpdir, &s));
    dlk_storage_free(&s);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dlk-storage-test-%d", (int)getpid());
    RUN(local);
    RUN(memory);
    RUN(fault);
    RUN(open_scheme);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
    return harness_done();
}

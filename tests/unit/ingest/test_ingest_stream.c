/* Unit tests: ingest streams within its bounds - more partitions than files
 * may be open at once (the least recently written file is finished and the
 * partition continues in a new file), small batches interleaved over many
 * partitions, and every row still lands once in the right partition; the
 * same with the records read on a second thread (threads = 2), whose errors
 * are the single-threaded ones. */
#include "arrow/arrow.h"
#include "deltalake/scan.h"
#include "deltalake/table.h"
#include "deltalake/write.h"
#include "harness.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[256];

static void rm_table(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK_EQ_INT(system(cmd), 0);
}

static void mk_table(void)
{
    snprintf(root, sizeof root, "/tmp/dlk_stream_test.%d.%ld", (int)getpid(), random());
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("x long not null, p int", &s));
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    const char *pc[1] = {"p"};
    co.partition_cols = pc;
    co.n_partition_cols = 1;
    CHECK_OK(dlk_table_create(root, &s, &co, NULL));
    dlk_arrow_schema_release(&s);
}

/* Read the table back: every x of 0..n-1 exactly once, in partition x % np. */
static void check_rows(int n, int np)
{
    dlk_table *t = NULL;
    dlk_snapshot *snap = NULL;
    CHECK_OK(dlk_table_open(root, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &snap));
    struct ArrowArrayStream st;
    CHECK_OK(dlk_scan_open(snap, NULL, &st));
    struct ArrowSchema sch;
    CHECK_EQ_INT(st.get_schema(&st, &sch), 0);
    int64_t ix = dlk_arrow_schema_find(&sch, "x"), ip = dlk_arrow_schema_find(&sch, "p");
    CHECK(ix >= 0 && ip >= 0);
    char *seen = calloc((size_t)n, 1);
    int64_t rows = 0, bad = 0;
    for (;;) {
        struct ArrowArray b;
        CHECK_EQ_INT(st.get_next(&st, &b), 0);
        if (!b.release) break;
        const int64_t *xs = (const int64_t *)b.children[ix]->buffers[1] + b.children[ix]->offset;
        const int32_t *ps = (const int32_t *)b.children[ip]->buffers[1] + b.children[ip]->offset;
        for (int64_t i = 0; i < b.length; i++) {
            int64_t x = xs[b.offset + i];
            if (x < 0 || x >= n || seen[x] || ps[b.offset + i] != x % np)
                bad++;
            else
                seen[x] = 1;
            rows++;
        }
        b.release(&b);
    }
    CHECK_EQ_INT(rows, n);
    CHECK_EQ_INT(bad, 0);
    free(seen);
    sch.release(&sch);
    st.release(&st);
    dlk_snapshot_free(&snap);
    dlk_table_free(&t);
}

/* Rows x = 0..n-1 in partition p = x % np, written round-robin over the
 * partitions (so a partition's rows arrive spread over the whole input). */
static void interleaved(int threads)
{
    const int np = 150, n = 600; /* > 128 partitions open at once */
    mk_table();
    dlk_buf text = {0};
    for (int x = 0; x < n; x++)
        dlk_buf_printf(&text, "{\"x\":%d,\"p\":%d}\n", x, x % np);
    dlk_write_options o = DLK_WRITE_OPTIONS_INIT;
    o.batch_rows = 16; /* small batches: partitions are flushed many times over the input */
    o.threads = threads;
    dlk_write_result r;
    CHECK_OK(dlk_table_write_text(root, (const char *)text.data, text.len, &o, &r));
    dlk_buf_free(&text);
    CHECK_EQ_INT(r.rows_written, n);
    /* files were finished and reopened: more files than partitions */
    CHECK(r.files_added > np);
    check_rows(n, np);
    rm_table();
}

TEST(many_partitions_interleaved)
{
    interleaved(1);
}
TEST(many_partitions_interleaved_2_threads)
{
    interleaved(2);
}

/* threads = 2: a bad record far into the input fails the write with the
 * same error as one thread (line, column, expected/actual), and commits
 * nothing. */
TEST(two_threads_errors)
{
    mk_table();
    const int n = 20000;
    for (int kind = 0; kind < 2; kind++) {
        dlk_buf text = {0};
        for (int x = 0; x < n; x++) {
            if (x == 15000 && kind == 0)
                dlk_buf_puts(&text, "{\"x\":1,\"p\":\n");
            else if (x == 15000)
                dlk_buf_puts(&text, "{\"x\":\"one\",\"p\":1}\n");
            else
                dlk_buf_printf(&text, "{\"x\":%d,\"p\":%d}\n", x, x % 7);
        }
        for (int threads = 1; threads <= 2; threads++) {
            dlk_write_options o = DLK_WRITE_OPTIONS_INIT;
            o.threads = threads;
            o.batch_rows = 1000;
            int rc = dlk_table_write_text(root, (const char *)text.data, text.len, &o, NULL);
            CHECK_EQ_INT(rc, kind == 0 ? DLK_PARSE : DLK_SCHEMA_MISMATCH);
            CHECK(strstr(dlk_error_last()->message, "line 15001") != NULL);
            if (kind == 1) {
                CHECK_STR(dlk_error_last()->expected, "long");
                CHECK_STR(dlk_error_last()->actual, "string");
            }
        }
        dlk_buf_free(&text);
    }
    /* nothing committed, no data file left behind */
    dlk_table *t = NULL;
    dlk_snapshot *snap = NULL;
    CHECK_OK(dlk_table_open(root, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &snap));
    CHECK_EQ_INT(dlk_snapshot_version(snap), 0);
    dlk_snapshot_free(&snap);
    dlk_table_free(&t);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test -z \"$(find '%s' -name '*.parquet')\"", root);
    CHECK_EQ_INT(system(cmd), 0);
    rm_table();
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(many_partitions_interleaved);
    RUN(many_partitions_interleaved_2_threads);
    RUN(two_threads_errors);
    return harness_done();
}

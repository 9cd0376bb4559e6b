/* Unit tests: ingest streams within its bounds - more partitions than files
 * may be open at once (the least recently written file is finished and the
 * partition continues in a new file), small batches interleaved over many
 * partitions, and every row still lands once in the right partition. */
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

/* Rows x = 0..n-1 in partition p = x % np, written round-robin over the
 * partitions (so a partition's rows arrive spread over the whole input). */
TEST(many_partitions_interleaved)
{
    const int np = 300, n = 3000; /* > 128 partitions open at once */
    snprintf(root, sizeof root, "/tmp/dlk_stream_test.%d.%ld", (int)getpid(), random());
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("x long not null, p int", &s));
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    const char *pc[1] = {"p"};
    co.partition_cols = pc;
    co.n_partition_cols = 1;
    CHECK_OK(dlk_table_create(root, &s, &co, NULL));
    dlk_arrow_schema_release(&s);

    dlk_buf text = {0};
    for (int x = 0; x < n; x++)
        dlk_buf_printf(&text, "{\"x\":%d,\"p\":%d}\n", x, x % np);
    dlk_write_options o = DLK_WRITE_OPTIONS_INIT;
    o.batch_rows = 64; /* small batches: partitions are flushed many times over the input */
    dlk_write_result r;
    CHECK_OK(dlk_table_write_text(root, (const char *)text.data, text.len, &o, &r));
    dlk_buf_free(&text);
    CHECK_EQ_INT(r.rows_written, n);
    /* files were finished and reopened: more files than partitions */
    CHECK(r.files_added > np);

    /* read back: every x once, in partition x % np */
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
    rm_table();
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(many_partitions_interleaved);
    return harness_done();
}

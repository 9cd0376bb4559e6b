/*
 * tests/unit/dml/dml_testutil.h - helpers of the DML tests: temporary
 * tables filled from generated NDJSON, reading the live rows (id -> v) of a
 * version through the public scan, and the expected rows computed from the
 * generator alone.
 */
#ifndef DLK_TESTS_DML_TESTUTIL_H
#define DLK_TESTS_DML_TESTUTIL_H

#include "deltalake/deltalake.h"
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Row i of the generated data: id = i, day = days[i % ndays], v = a
 * deterministic pseudo-random value in [0, 1000). */
static inline int64_t gen_v(int64_t i)
{
    return (int64_t)(((uint64_t)i * 2654435761u) % 1000u);
}
static inline int gen_day(int64_t i, int ndays)
{
    return (int)(i % ndays) + 1;
}

static inline char *gen_ndjson(int64_t from, int64_t n, int ndays, size_t *len)
{
    size_t cap = (size_t)n * 64 + 64, used = 0;
    char *s = malloc(cap);
    for (int64_t i = from; i < from + n; i++)
        used += (size_t)snprintf(
            s + used, cap - used,
            "{\"id\":%lld,\"day\":\"2024-01-%02d\",\"v\":%lld,\"name\":\"n%lld\"}\n", (long long)i,
            gen_day(i, ndays), (long long)gen_v(i), (long long)i);
    *len = used;
    return s;
}

static inline void tmp_table(char *out, size_t cap, const char *tag)
{
    snprintf(out, cap, "/tmp/dlk_dml_%s.%d.%ld", tag, (int)getpid(), random());
}

static inline void rm_rf(const char *p)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p);
    if (system(cmd) != 0) fprintf(stderr, "rm -rf %s failed\n", p);
}

/* Create a table (id long not null, day string, v long, name string),
 * partitioned by day when partitioned, with deletion vectors when dv, and
 * write rows [0, n) in `files_per_day` commits. */
static inline int make_table(const char *root, bool partitioned, bool dv, int64_t n, int ndays,
                      int commits)
{
    struct ArrowSchema s;
    int rc = dlk_schema_parse("id long not null, day string, v long, name string", &s);
    if (rc) return rc;
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    const char *pc[] = {"day"};
    const char *pk[] = {"delta.enableDeletionVectors"}, *pv[] = {"true"};
    if (partitioned) {
        co.partition_cols = pc;
        co.n_partition_cols = 1;
    }
    if (dv) {
        co.prop_keys = pk;
        co.prop_values = pv;
        co.n_props = 1;
    }
    rc = dlk_table_create(root, &s, &co, NULL);
    s.release(&s);
    int64_t per = n / commits;
    for (int c = 0; c < commits && !rc; c++) {
        int64_t from = c * per, cnt = c == commits - 1 ? n - from : per;
        size_t len;
        char *text = gen_ndjson(from, cnt, ndays, &len);
        rc = dlk_table_write_text(root, text, len, NULL, NULL);
        free(text);
    }
    return rc;
}

/* Live rows at version (-1 latest): ids[k] = 1 + v for present ids (0 absent),
 * ids sized cap; returns the row count or -1. Duplicate ids count twice in
 * the return value (and *dups). */
static inline int64_t read_rows(const char *root, int64_t version, int64_t *vals, int64_t cap,
                         int64_t *dups)
{
    dlk_table *t = NULL;
    dlk_snapshot *snap = NULL;
    if (dlk_table_open(root, &t) || dlk_table_snapshot(t, version, &snap)) {
        fprintf(stderr, "read_rows: %s\n", dlk_error_last()->message);
        dlk_table_free(&t);
        return -1;
    }
    memset(vals, 0, (size_t)cap * sizeof *vals);
    if (dups) *dups = 0;
    const char *cols[] = {"id", "v"};
    dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
    o.columns = cols;
    o.n_columns = 2;
    struct ArrowArrayStream st;
    int64_t rows = 0;
    if (dlk_scan_open(snap, &o, &st)) rows = -1;
    while (rows >= 0) {
        struct ArrowArray b;
        if (st.get_next(&st, &b)) {
            fprintf(stderr, "scan: %s\n", st.get_last_error(&st));
            rows = -1;
            break;
        }
        if (!b.release) break;
        const int64_t *id = (const int64_t *)b.children[0]->buffers[1] + b.children[0]->offset;
        const int64_t *v = (const int64_t *)b.children[1]->buffers[1] + b.children[1]->offset;
        for (int64_t i = 0; i < b.length; i++) {
            if (id[i] >= 0 && id[i] < cap) {
                if (vals[id[i]] && dups) (*dups)++;
                vals[id[i]] = 1 + v[i];
            }
            rows++;
        }
        b.release(&b);
    }
    if (st.release) st.release(&st);
    dlk_snapshot_free(&snap);
    dlk_table_free(&t);
    return rows;
}

/* Compare the live rows with expected (same encoding); prints the first differences. */
static inline int compare_rows(const int64_t *got, const int64_t *want, int64_t cap)
{
    int bad = 0;
    for (int64_t i = 0; i < cap; i++) {
        if (got[i] != want[i]) {
            if (bad < 5)
                fprintf(stderr, "  id %lld: got %lld want %lld (0 = absent, else 1+v)\n",
                        (long long)i, (long long)got[i], (long long)want[i]);
            bad++;
        }
    }
    return bad;
}

#endif

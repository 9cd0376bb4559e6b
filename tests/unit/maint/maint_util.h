/*
 * tests/unit/maint/maint_util.h - helpers of the maintenance tests: make a
 * table, append generated rows (NDJSON in schema column order, so the
 * expected scan output is the input text itself), scan a version into
 * sorted JSON rows.
 */
#ifndef DLK_TESTS_MAINT_UTIL_H
#define DLK_TESTS_MAINT_UTIL_H

#include "arrow/arrow.h"
#include "deltalake/arrow_json.h"
#include "deltalake/deltalake.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MU_DDL                                                                                     \
    "id long not null, service_name string, duration_ms long, status_code int, day string"

typedef struct mu_rows {
    char **r;
    size_t n, cap;
} mu_rows;

__attribute__((unused)) static void mu_rows_add(mu_rows *rs, const char *s, size_t n)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 1024;
        rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
    }
    char *c = malloc(n + 1);
    memcpy(c, s, n);
    c[n] = 0;
    rs->r[rs->n++] = c;
}

__attribute__((unused)) static int mu_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

__attribute__((unused)) static void mu_rows_sort(mu_rows *rs)
{
    if (rs->n) qsort(rs->r, rs->n, sizeof *rs->r, mu_cmp);
}

__attribute__((unused)) static void mu_rows_free(mu_rows *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->r[i]);
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

__attribute__((unused)) static bool mu_rows_equal(const mu_rows *a, const mu_rows *b)
{
    if (a->n != b->n) {
        fprintf(stderr, "row counts differ: %zu vs %zu\n", a->n, b->n);
        return false;
    }
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->r[i], b->r[i])) {
            fprintf(stderr, "row %zu differs:\n  %s\n  %s\n", i, a->r[i], b->r[i]);
            return false;
        }
    return true;
}

__attribute__((unused)) static void mu_make_table(char *root, size_t n, const char *tag,
                                                  const char *part, const char *const *props,
                                                  size_t n_props)
{
    snprintf(root, n, "/tmp/dlk_maint_%s.%d.%ld", tag, (int)getpid(), random());
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse(MU_DDL, &s));
    dlk_create_options o = DLK_CREATE_OPTIONS_INIT;
    const char *pc[1] = {part};
    if (part) {
        o.partition_cols = pc;
        o.n_partition_cols = 1;
    }
    const char *keys[8], *vals[8];
    char kbuf[8][128];
    for (size_t i = 0; i < n_props && i < 8; i++) {
        const char *eq = strchr(props[i], '=');
        snprintf(kbuf[i], sizeof kbuf[i], "%.*s", (int)(eq - props[i]), props[i]);
        keys[i] = kbuf[i];
        vals[i] = eq + 1;
    }
    o.prop_keys = keys;
    o.prop_values = vals;
    o.n_props = n_props;
    CHECK_OK(dlk_table_create(root, &s, &o, NULL));
    dlk_arrow_schema_release(&s);
}

__attribute__((unused)) static void mu_rm_table(const char *root)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK_EQ_INT(system(cmd), 0);
}

/* Generate n rows starting at id first (deterministic from id) and append
 * them (one commit). The rows also go to *expect (if non-NULL). Returns the
 * committed version. */
__attribute__((unused)) static int64_t mu_append(const char *root, int64_t first, int n, int n_days,
                                                 mu_rows *expect)
{
    size_t cap = (size_t)n * 160 + 16, len = 0;
    char *text = malloc(cap);
    for (int i = 0; i < n; i++) {
        int64_t id = first + i;
        uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
        char line[200];
        int l = snprintf(
            line, sizeof line,
            "{\"id\":%lld,\"service_name\":\"svc-%02d\",\"duration_ms\":%lld,\"status_code\":%d,"
            "\"day\":\"2024-01-%02d\"}",
            (long long)id, (int)(h % 10), (long long)((h >> 8) % 100000),
            200 + (int)((h >> 40) % 4) * 100, 1 + (int)(id % n_days));
        if (expect) mu_rows_add(expect, line, (size_t)l);
        memcpy(text + len, line, (size_t)l);
        len += (size_t)l;
        text[len++] = '\n';
    }
    dlk_write_result r;
    int rc = dlk_table_write_text(root, text, len, NULL, &r);
    free(text);
    if (rc) {
        fprintf(stderr, "append: %s\n", dlk_error_last()->message);
        return -1;
    }
    return r.version;
}

/* Scan version v (-1 latest) into rows (sorted); returns 0 or a status. */
__attribute__((unused)) static int mu_scan(const char *root, int64_t v, mu_rows *out)
{
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    int rc = dlk_table_open(root, &t);
    if (!rc) rc = dlk_table_snapshot(t, v, &s);
    struct ArrowArrayStream st;
    if (!rc) rc = dlk_scan_open(s, NULL, &st);
    if (!rc) {
        struct ArrowSchema sc;
        st.get_schema(&st, &sc);
        char *buf = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
            struct ArrowArray b;
            if (st.get_next(&st, &b)) {
                fprintf(stderr, "scan: %s\n", st.get_last_error(&st));
                rc = -1;
                break;
            }
            if (!b.release) break;
            for (int64_t i = 0; i < b.length; i++) {
                len = 0;
                dlk_arrow_json_row(&sc, &b, i, &buf, &len, &cap);
                mu_rows_add(out, buf, len);
            }
            b.release(&b);
        }
        dlk_string_free(buf);
        sc.release(&sc);
        st.release(&st);
    }
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    mu_rows_sort(out);
    return rc;
}

__attribute__((unused)) static size_t mu_file_count(const char *root, int64_t v)
{
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    size_t n = (size_t)-1;
    if (!dlk_table_open(root, &t) && !dlk_table_snapshot(t, v, &s)) n = dlk_snapshot_file_count(s);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    return n;
}

#endif

/*
 * tests/conformance/delta/delta_util.h - helpers of the Delta conformance
 * tests: unpack archives, scan a table into canonical JSON rows (keys
 * sorted, via jansson), read expected Parquet files with our reader, compare
 * multisets.
 */
#ifndef DLK_TESTS_DELTA_UTIL_H
#define DLK_TESTS_DELTA_UTIL_H
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#include "deltalake/arrow_json.h"
#include "deltalake/deltalake.h"
#include "parquet/reader.h"
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct {
    char **v;
    size_t n, cap;
} rows_t;

static inline void rows_push(rows_t *r, char *s)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
    }
    r->v[r->n++] = s;
}

static inline void rows_free(rows_t *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof *r);
}

static inline int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* canonical JSON of one row: keys sorted, compact */
static inline char *canon(const char *js)
{
    json_error_t je;
    json_t *o = json_loads(js, JSON_DECODE_ANY, &je);
    if (!o) return strdup(js);
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(o);
    return s;
}

static inline int batch_rows(const struct ArrowSchema *s, const struct ArrowArray *a, rows_t *out)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (int64_t r = 0; r < a->length; r++) {
        len = 0;
        if (dlk_arrow_json_row(s, a, r, &buf, &len, &cap)) {
            dlk_string_free(buf);
            return -1;
        }
        rows_push(out, canon(buf));
    }
    dlk_string_free(buf);
    return 0;
}

/* Scan a snapshot into rows. Returns a dlk status. */
static inline int scan_rows(const dlk_snapshot *snap, rows_t *out)
{
    struct ArrowArrayStream st;
    int rc = dlk_scan_open(snap, NULL, &st);
    if (rc) return rc;
    struct ArrowSchema sc;
    if (st.get_schema(&st, &sc)) {
        st.release(&st);
        return DLK_ERROR;
    }
    for (;;) {
        struct ArrowArray a;
        if (st.get_next(&st, &a)) {
            fprintf(stderr, "    scan error: %s\n", st.get_last_error(&st));
            rc = DLK_ERROR;
            break;
        }
        if (!a.release) break;
        if (batch_rows(&sc, &a, out)) rc = DLK_ERROR;
        a.release(&a);
        if (rc) break;
    }
    sc.release(&sc);
    st.release(&st);
    return rc;
}

/* Rows of every Parquet file in dir (skipping hidden/underscore files). */
static inline int parquet_dir_rows(const char *dir, rows_t *out)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) && !rc) {
        if (de->d_name[0] == '.' || de->d_name[0] == '_') continue;
        size_t n = strlen(de->d_name);
        if (n < 8 || strcmp(de->d_name + n - 8, ".parquet") != 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        dlk_pq_file *f = NULL;
        if (dlk_pq_open_path(path, &f)) {
            fprintf(stderr, "    expected file %s: %s\n", path, dlk_error_last()->message);
            rc = -1;
            break;
        }
        for (int rg = 0; rg < dlk_pq_num_row_groups(f) && !rc; rg++) {
            struct ArrowSchema s;
            struct ArrowArray a;
            if (dlk_pq_read_row_group(f, rg, NULL, 0, &s, &a)) {
                fprintf(stderr, "    expected file %s: %s\n", path, dlk_error_last()->message);
                rc = -1;
                break;
            }
            rc = batch_rows(&s, &a, out);
            a.release(&a);
            s.release(&s);
        }
        dlk_pq_close(&f);
    }
    closedir(d);
    return rc;
}

/* Compare two row multisets; prints the first differences. */
static inline int rows_equal(rows_t *got, rows_t *want)
{
    if (got->n) qsort(got->v, got->n, sizeof *got->v, str_cmp);
    if (want->n) qsort(want->v, want->n, sizeof *want->v, str_cmp);
    if (got->n != want->n) fprintf(stderr, "    row count: got %zu, expected %zu\n", got->n, want->n);
    size_t i = 0, j = 0;
    int shown = 0, diff = got->n != want->n;
    while ((i < got->n || j < want->n) && shown < 3) {
        int c = i >= got->n ? 1 : j >= want->n ? -1 : strcmp(got->v[i], want->v[j]);
        if (c == 0) {
            i++, j++;
            continue;
        }
        diff = 1;
        shown++;
        if (c < 0) fprintf(stderr, "    unexpected row: %.300s\n", got->v[i++]);
        else fprintf(stderr, "    missing row:    %.300s\n", want->v[j++]);
    }
    return !diff;
}

static inline int run_cmd(const char *fmt, const char *a, const char *b)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd);
}

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}
#endif

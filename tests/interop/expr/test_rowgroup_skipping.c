/* Interop: row-group skipping on Parquet statistics.
 *
 * Three Parquet files written by our writer with a row group every 100 rows
 * (A: ids 0..1999 in order, B: ids 2000..2999 shuffled, C: ids 3000..3999 in
 * order with nanosecond timestamps) are added to a Delta table without add
 * stats, so only row groups can be skipped. For every predicate:
 *   - the ids equal those of the same scan with row-group skipping off, and
 *     DuckDB's read_parquet over the same files;
 *   - no row group holding a match is skipped (DuckDB tells which row groups
 *     hold matches: filename + file_row_number // 100), and for predicates
 *     min/max decide exactly on the ordered files, every matchless row group
 *     of A and C is skipped.
 * Also the reader API (dlk_pq_row_group_in_bounds, dlk_pq_select_row_groups)
 * on file A, and a column-mapped table (physical names in the files). */
#include "harness.h"
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "deltalake/connector.h"
#include "deltalake/deltalake.h"
#include "deltalake/where.h"
#include "parquet/writer.h"
#include "pq_file_sink.h"
#include "util/buf.h"
#include "util/misc.h"

#include <jansson.h>
#include <math.h>
#include <roaring/roaring.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#define RG 100

static char g_peers[1024];
static char g_dir[512];

static bool have_peer(void)
{
    const char *p = getenv("DLK_PEERS");
    snprintf(g_peers, sizeof g_peers, "%s", p && *p ? p : DLK_SOURCE_DIR "/tests/peers");
    char nm[1100];
    snprintf(nm, sizeof nm, "%s/node_modules/@duckdb/node-api", g_peers);
    struct stat st;
    return stat(nm, &st) == 0;
}

static void shq(dlk_buf *b, const char *s)
{
    dlk_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            dlk_buf_puts(b, "'\\''");
        else
            dlk_buf_putc(b, *s);
    }
    dlk_buf_putc(b, '\'');
}

static int duck(const char *const *sql, int n, dlk_buf *out)
{
    dlk_buf cmd = {0};
    dlk_buf_printf(&cmd, "node '%s/duckdb_query.mjs'", g_peers);
    for (int i = 0; i < n; i++) {
        dlk_buf_putc(&cmd, ' ');
        shq(&cmd, sql[i]);
    }
    FILE *f = popen(dlk_buf_cstr(&cmd), "r");
    dlk_buf_free(&cmd);
    if (!f) return -1;
    char tmp[65536];
    size_t k;
    out->len = 0;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        dlk_buf_append(out, tmp, k);
    return pclose(f);
}

/* ---- data ---- */

#define DDL                                                                                        \
    "id long, grp int, name string, v double, day date, ts timestamp, amount decimal(10,2), "      \
    "flag boolean, u int, st struct<x: int, y: string>"

static int write_file(const char *path, const struct ArrowSchema *schema, const int64_t *ids, int n,
                      bool ts_nanos)
{
    dlk_arrow_builder *b = NULL;
    int rc = dlk_arrow_builder_new(schema, &b);
    if (rc) return rc;
    dlk_pq_sink sink;
    dlk_pq_writer *w = NULL;
    if ((rc = pq_file_sink_open(path, &sink))) goto out;
    if ((rc = dlk_pq_writer_open(schema, NULL, sink, &w))) goto out;
    for (int r = 0; r < n && !rc; r++) {
        int64_t id = ids[r];
        dlk_arrow_builder *c;
        rc = dlk_arrow_builder_begin(b);
        rc = rc ? rc : dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), id);
        rc = rc ? rc : dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 1), id / 100);
        char name[32];
        snprintf(name, sizeof name, "n%05lld", (long long)id);
        rc = rc ? rc : dlk_arrow_builder_append_string(dlk_arrow_builder_child(b, 2), name);
        c = dlk_arrow_builder_child(b, 3);
        if (id % 13 == 0)
            rc = rc ? rc : dlk_arrow_builder_append_null(c);
        else
            rc = rc ? rc
                    : dlk_arrow_builder_append_double(c, id % 250 == 7 ? NAN : (double)id * 0.5);
        rc =
            rc ? rc : dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 4), 19723 + id / 200);
        int64_t us = INT64_C(1704067200000000) + id * INT64_C(60000000) + 123;
        rc = rc ? rc
                : dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 5),
                                               ts_nanos ? us * 1000 + 456 : us);
        rc = rc ? rc
                : dlk_arrow_builder_append_decimal(dlk_arrow_builder_child(b, 6),
                                                   (id * 125 - 50000) < 0 ? -1 : 0,
                                                   (uint64_t)(id * 125 - 50000));
        c = dlk_arrow_builder_child(b, 7);
        if (id % 17 == 0)
            rc = rc ? rc : dlk_arrow_builder_append_null(c);
        else
            rc = rc ? rc : dlk_arrow_builder_append_bool(c, (id / 1000) % 2 == 1);
        c = dlk_arrow_builder_child(b, 8);
        if (id >= 500 && id < 1000)
            rc = rc ? rc : dlk_arrow_builder_append_null(c);
        else
            rc = rc ? rc : dlk_arrow_builder_append_int(c, id % 7);
        c = dlk_arrow_builder_child(b, 9);
        if (id % 37 == 0) {
            rc = rc ? rc : dlk_arrow_builder_append_null(c);
        } else {
            rc = rc ? rc : dlk_arrow_builder_begin(c);
            rc = rc ? rc : dlk_arrow_builder_append_int(dlk_arrow_builder_child(c, 0), id / 10);
            char y[8];
            snprintf(y, sizeof y, "y%d", (int)(id % 5));
            if (id % 3)
                rc = rc ? rc : dlk_arrow_builder_append_string(dlk_arrow_builder_child(c, 1), y);
            rc = rc ? rc : dlk_arrow_builder_end(c);
        }
        rc = rc ? rc : dlk_arrow_builder_end(b);
        if (!rc && (r + 1) % RG == 0) {
            struct ArrowArray a;
            rc = dlk_arrow_builder_finish(b, &a);
            if (!rc) rc = dlk_pq_writer_write(w, &a);
            if (!rc) rc = dlk_pq_writer_flush_row_group(w);
            dlk_arrow_array_release(&a);
        }
    }
    if (!rc) {
        rc = dlk_pq_writer_close(w, NULL);
        w = NULL;
        int rc2 = pq_file_sink_close(&sink);
        if (!rc) rc = rc2;
    }
out:
    if (w) dlk_pq_writer_abort(w);
    dlk_arrow_builder_free(b);
    return rc;
}

/* A schema copy whose child `name` has format fmt instead. */
static int schema_with(const struct ArrowSchema *s, const char *name, const char *fmt,
                       struct ArrowSchema *out)
{
    int rc = dlk_arrow_schema_new(out, "+s", "", 0, s->n_children);
    for (int64_t i = 0; i < s->n_children && !rc; i++) {
        if (!strcmp(s->children[i]->name, name))
            rc = dlk_arrow_schema_new(out->children[i], fmt, name, s->children[i]->flags, 0);
        else
            rc = dlk_arrow_schema_copy(s->children[i], out->children[i]);
    }
    return rc;
}

static long long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) ? -1 : (long long)st.st_size;
}

static int write_commit(const char *table, int64_t version, const char *body)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/_delta_log/%020lld.json", table, (long long)version);
    FILE *f = fopen(p, "w");
    if (!f) return -1;
    fputs(body, f);
    return fclose(f);
}

static char g_table[600], g_files[3][700];

static int make_table(void)
{
    struct ArrowSchema s, sn;
    int rc = dlk_schema_parse(DDL, &s);
    if (rc) return rc;
    snprintf(g_table, sizeof g_table, "%s/t", g_dir);
    rc = dlk_table_create(g_table, &s, NULL, NULL);
    int64_t ids[1000];
    static const char *names[] = {"a.parquet", "b.parquet", "c.parquet"};
    dlk_buf commit = {0};
    for (int f = 0; f < 3 && !rc; f++) {
        snprintf(g_files[f], sizeof g_files[f], "%s/%s", g_table, names[f]);
        int n = f == 0 ? 2000 : 1000;
        int64_t *v = f == 0 ? malloc(sizeof(int64_t) * 2000) : ids;
        for (int i = 0; i < n; i++)
            v[i] = (f == 0 ? 0 : f == 1 ? 2000 : 3000) + i;
        if (f == 1) { /* deterministic shuffle */
            uint64_t x = 88172645463325252ULL;
            for (int i = n - 1; i > 0; i--) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                int j = (int)(x % (uint64_t)(i + 1));
                int64_t t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
        }
        if (f == 2) {
            rc = schema_with(&s, "ts", "tsn:UTC", &sn);
            if (!rc) rc = write_file(g_files[f], &sn, v, n, true);
            dlk_arrow_schema_release(&sn);
        } else {
            rc = write_file(g_files[f], &s, v, n, false);
        }
        if (f == 0) free(v);
        dlk_buf_printf(&commit,
                       "{\"add\":{\"path\":\"%s\",\"partitionValues\":{},\"size\":%lld,"
                       "\"modificationTime\":1700000000000,\"dataChange\":true}}\n",
                       names[f], file_size(g_files[f]));
    }
    if (!rc) rc = write_commit(g_table, 1, dlk_buf_cstr(&commit));
    dlk_buf_free(&commit);
    dlk_arrow_schema_release(&s);
    return rc;
}

/* ---- running a query through the library ---- */

typedef struct {
    int64_t *ids;
    int64_t n;
    dlk_scan_stats ss;
    dlk_where_stats ws;
} result;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int run_query(const char *table, const char *pred, bool rg_skip, result *r)
{
    memset(r, 0, sizeof *r);
    dlk_table *t = NULL;
    dlk_snapshot *snap = NULL;
    dlk_where *w = NULL;
    struct ArrowArrayStream st = {0};
    int rc = dlk_table_open(table, &t);
    if (!rc) rc = dlk_table_snapshot(t, -1, &snap);
    if (!rc) rc = dlk_where_new(snap, pred, &w);
    static const char *cols[] = {"id"};
    dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
    o.columns = cols;
    o.n_columns = 1;
    if (!rc) {
        dlk_where_apply(w, &o);
        if (!rg_skip) o.row_group_filter = NULL;
        rc = dlk_scan_open(snap, &o, &st);
    }
    size_t cap = 0;
    while (!rc) {
        struct ArrowArray a;
        if (st.get_next(&st, &a)) {
            fprintf(stderr, "%s: %s\n", pred, st.get_last_error(&st));
            rc = -1;
            break;
        }
        if (!a.release) break;
        const struct ArrowArray *c = a.children[0];
        for (int64_t i = 0; i < c->length; i++) {
            if (r->n == (int64_t)cap) {
                cap = cap ? cap * 2 : 256;
                r->ids = realloc(r->ids, cap * sizeof *r->ids);
            }
            r->ids[r->n++] = ((const int64_t *)c->buffers[1])[c->offset + a.offset + i];
        }
        a.release(&a);
    }
    if (st.release) {
        dlk_scan_get_stats(&st, &r->ss);
        st.release(&st);
    }
    dlk_where_get_stats(w, &r->ws);
    if (r->n) qsort(r->ids, (size_t)r->n, sizeof *r->ids, cmp_i64);
    dlk_where_free(&w);
    dlk_snapshot_free(&snap);
    dlk_table_free(&t);
    return rc;
}

static bool same_ids(const result *a, const int64_t *b, int64_t nb)
{
    if (a->n != nb) return false;
    for (int64_t i = 0; i < nb; i++)
        if (a->ids[i] != b[i]) return false;
    return true;
}

/* ---- the predicates ---- */

typedef struct {
    const char *ours, *duck;
    bool exact; /* min/max decide exactly on the ordered files A and C */
} pcase;

static const pcase CASES[] = {
    {"id < 250", NULL, true},
    {"id >= 1950", NULL, true},
    {"id = 1234", NULL, true},
    {"id = 2500", NULL, true},
    {"id BETWEEN 300 AND 420", NULL, true},
    {"id NOT BETWEEN 100 AND 3900", NULL, true},
    {"id IN (5, 1555, 3999)", NULL, true},
    {"id < 100 OR id > 3900", NULL, true},
    {"NOT (id >= 200)", NULL, true},
    {"grp = 7", NULL, true},
    {"grp != 7", NULL, false},
    {"name = 'n00150'", NULL, true},
    {"name >= 'n01900' AND name < 'n02000'", NULL, true},
    {"name LIKE 'n001%'", NULL, true},
    {"name LIKE '%5'", NULL, false},
    {"day = '2024-01-05'", NULL, true},
    {"day > DATE '2024-01-20'", NULL, true},
    {"ts < TIMESTAMP '2024-01-01T05:00:00Z'", "ts < TIMESTAMPTZ '2024-01-01T05:00:00Z'", true},
    {"ts > TIMESTAMP '2024-01-03T18:00:00Z'", "ts > TIMESTAMPTZ '2024-01-03T18:00:00Z'", true},
    {"ts >= '2024-01-03T18:00:00.000123Z'", "ts >= TIMESTAMPTZ '2024-01-03T18:00:00.000123Z'",
     true},
    {"amount < -400", NULL, true},
    {"amount = 12.50", NULL, true},
    {"flag", NULL, true},
    {"NOT flag", NULL, true},
    {"flag IS NULL", NULL, false},
    {"u IS NOT NULL", NULL, true},
    {"u IS NULL", NULL, true},
    {"u = 3", NULL, true},
    {"st.x < 30", NULL, true},
    {"st.y = 'zzz'", NULL, true},
    {"st.y IS NULL", NULL, false},
    {"st IS NULL", NULL, false},
    {"v < 10", NULL, true},
    {"v = 100", NULL, true},
    {"v > 990", NULL, false},
    {"v IS NULL AND id < 500", NULL, true},
    {"name > 'n00500' AND flag", NULL, true},
    {"id * 2 < 100", NULL, false},
    {"id > 3950 AND 1 = 1", NULL, true},
};

TEST(reader_bounds_and_selection)
{
    dlk_pq_file *f = NULL;
    CHECK_OK(dlk_pq_open_path(g_files[0], &f));
    if (!f) return;
    CHECK_EQ_INT(dlk_pq_num_row_groups(f), 20);
    bool keep[20];
    int kept = -1;
    /* id in [250, 420]: row groups 2, 3, 4 */
    dlk_pq_bound b = {.leaf_path = "id",
                      .kind = DLK_PQ_STAT_INT,
                      .has_lo = true,
                      .has_hi = true,
                      .lo_i = 250,
                      .hi_i = 420};
    for (int rg = 0; rg < 20; rg++) {
        bool m = true;
        CHECK_OK(dlk_pq_row_group_in_bounds(f, rg, &b, 1, &m));
        CHECK(m == (rg >= 2 && rg <= 4));
    }
    /* strings: name in ["n01050", +inf) and decimals: amount <= -100.00 (unscaled -10000 -> id <=
     * 320) */
    dlk_pq_bound sb[2] = {{.leaf_path = "name",
                           .kind = DLK_PQ_STAT_BYTES,
                           .has_lo = true,
                           .lo_b = (const uint8_t *)"n00150",
                           .lo_b_len = 6},
                          {.leaf_path = "amount",
                           .kind = DLK_PQ_STAT_DECIMAL,
                           .has_hi = true,
                           .hi_i = -1,
                           .hi_u = (uint64_t)-10000}};
    int n_might = 0;
    for (int rg = 0; rg < 20; rg++) {
        bool m = false;
        CHECK_OK(dlk_pq_row_group_in_bounds(f, rg, sb, 2, &m));
        CHECK(m == (rg >= 1 && rg <= 3));
        n_might += m;
    }
    CHECK_EQ_INT(n_might, 3);
    /* all-null chunks (u is null for ids 500..999) never hold a value in range */
    dlk_pq_bound ub = {.leaf_path = "u", .kind = DLK_PQ_STAT_INT, .has_lo = true, .lo_i = 0};
    for (int rg = 0; rg < 20; rg++) {
        bool m = true;
        CHECK_OK(dlk_pq_row_group_in_bounds(f, rg, &ub, 1, &m));
        CHECK(m == !(rg >= 5 && rg <= 9));
    }
    /* NaN bound: never skips; nested leaf; kind mismatch and unknown leaf are errors */
    dlk_pq_bound nb = {.leaf_path = "v", .kind = DLK_PQ_STAT_DOUBLE, .has_lo = true, .lo_d = NAN};
    bool m = false;
    CHECK_OK(dlk_pq_row_group_in_bounds(f, 0, &nb, 1, &m));
    CHECK(m);
    dlk_pq_bound xb = {.leaf_path = "st.x", .kind = DLK_PQ_STAT_INT, .has_hi = true, .hi_i = 5};
    CHECK_OK(dlk_pq_row_group_in_bounds(f, 0, &xb, 1, &m));
    CHECK(m);
    CHECK_OK(dlk_pq_row_group_in_bounds(f, 1, &xb, 1, &m));
    CHECK(!m);
    dlk_pq_bound bad = {.leaf_path = "id", .kind = DLK_PQ_STAT_DOUBLE, .has_lo = true};
    CHECK_EQ_INT(dlk_pq_row_group_in_bounds(f, 0, &bad, 1, &m), DLK_INVALID_ARGUMENT);
    bad.leaf_path = "nope";
    CHECK_EQ_INT(dlk_pq_row_group_in_bounds(f, 0, &bad, 1, &m), DLK_NOT_FOUND);
    CHECK_EQ_INT(dlk_pq_row_group_in_bounds(f, 20, &b, 1, &m), DLK_INVALID_ARGUMENT);
    /* selection with no predicate keeps everything */
    CHECK_OK(dlk_pq_select_row_groups(f, NULL, NULL, keep, &kept));
    CHECK_EQ_INT(kept, 20);
    /* timestamp stats in microseconds: row group 0 of C (nanos) starts at
     * 2024-01-03T02:00:00.000123456 */
    dlk_pq_file *fc = NULL;
    CHECK_OK(dlk_pq_open_path(g_files[2], &fc));
    if (fc) {
        dlk_pq_col_stats s;
        CHECK_OK(dlk_pq_column_stats(fc, 0, "ts", &s));
        CHECK(s.has_min_max && s.kind == DLK_PQ_STAT_INT);
        CHECK_EQ_INT(s.min_i, INT64_C(1704067200000000) + 3000 * INT64_C(60000000) + 123);
        CHECK_EQ_INT(s.max_i, INT64_C(1704067200000000) + 3099 * INT64_C(60000000) + 123);
        dlk_pq_close(&fc);
    }
    dlk_pq_close(&f);
}

static int pred_cb(void *ctx, const dlk_pq_file *f, int rg, bool *keep)
{
    (void)ctx;
    dlk_pq_col_stats s;
    int rc = dlk_pq_column_stats(f, rg, "grp", &s);
    if (rc) return rc;
    *keep = !s.has_min_max || (s.min_i <= 12 && s.max_i >= 12);
    return DLK_OK;
}

TEST(reader_predicate_callback)
{
    dlk_pq_file *f = NULL;
    CHECK_OK(dlk_pq_open_path(g_files[0], &f));
    if (!f) return;
    bool keep[20];
    int kept = 0;
    CHECK_OK(dlk_pq_select_row_groups(f, pred_cb, NULL, keep, &kept));
    CHECK_EQ_INT(kept, 1);
    CHECK(keep[12] && !keep[11] && !keep[13]);
    dlk_pq_close(&f);
}

TEST(scan_matches_noskip_and_duckdb)
{
    bool peer = have_peer();
    if (!peer) fprintf(stderr, "NOTE: DuckDB peer missing: comparing with the no-skip scan only\n");
    int nc = (int)(sizeof CASES / sizeof CASES[0]);
    /* DuckDB: ids, and row groups with a match (all files; ordered files) */
    dlk_buf src = {0};
    /* LIMIT keeps DuckDB from pushing the filter into its own row-group
     * pruning, which takes a float max as an upper bound of NaN too (our
     * writer leaves NaN out of min/max, as the Parquet spec asks), and so
     * drops NaN rows of `v > 990` that DuckDB itself says are > 990. */
    dlk_buf_printf(&src,
                   "(SELECT * FROM read_parquet(['%s','%s','%s'], filename=true, "
                   "file_row_number=true) LIMIT 100000000)",
                   g_files[0], g_files[1], g_files[2]);
    const char **sql = calloc((size_t)nc * 2, sizeof *sql);
    dlk_buf *qs = calloc((size_t)nc * 2, sizeof *qs);
    for (int c = 0; c < nc; c++) {
        const char *p = CASES[c].duck ? CASES[c].duck : CASES[c].ours;
        dlk_buf_printf(&qs[2 * c], "SELECT id FROM %s WHERE %s ORDER BY id", dlk_buf_cstr(&src), p);
        dlk_buf_printf(&qs[2 * c + 1],
                       "SELECT count(DISTINCT (filename, file_row_number // %d)) AS g, "
                       "count(DISTINCT (filename, file_row_number // %d)) FILTER (WHERE filename "
                       "NOT LIKE '%%b.parquet') AS o "
                       "FROM %s WHERE %s",
                       RG, RG, dlk_buf_cstr(&src), p);
        sql[2 * c] = dlk_buf_cstr(&qs[2 * c]);
        sql[2 * c + 1] = dlk_buf_cstr(&qs[2 * c + 1]);
    }
    dlk_buf out = {0};
    if (peer) CHECK_EQ_INT(duck(sql, nc * 2, &out), 0);
    /* split DuckDB's output per query */
    int64_t **want = calloc((size_t)nc, sizeof *want);
    int64_t *nwant = calloc((size_t)nc, sizeof *nwant);
    long long *gmatch = calloc((size_t)nc, sizeof *gmatch),
              *omatch = calloc((size_t)nc, sizeof *omatch);
    int cur = -1;
    const char *p = out.len ? (const char *)out.data : "", *end = p + out.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        int q;
        long long v, v2;
        if (sscanf(p, "{\"__query\":%d}", &q) == 1)
            cur = q;
        else if (cur >= 0 && cur % 2 == 0 && sscanf(p, "{\"id\":%lld}", &v) == 1) {
            int c = cur / 2;
            want[c] = realloc(want[c], sizeof(int64_t) * (size_t)(nwant[c] + 1));
            want[c][nwant[c]++] = v;
        } else if (cur >= 0 && cur % 2 == 1 && sscanf(p, "{\"g\":%lld,\"o\":%lld}", &v, &v2) == 2) {
            gmatch[cur / 2] = v;
            omatch[cur / 2] = v2;
        }
        p = nl ? nl + 1 : end;
    }
    int64_t skipped_total = 0;
    for (int c = 0; c < nc; c++) {
        result a, b;
        int rc1 = run_query(g_table, CASES[c].ours, true, &a);
        int rc2 = run_query(g_table, CASES[c].ours, false, &b);
        CHECK_OK(rc1);
        CHECK_OK(rc2);
        bool ok = same_ids(&a, b.ids, b.n);
        if (peer) ok = ok && same_ids(&a, want[c], nwant[c]);
        /* 40 row groups in all: 20 in A, 10 in B, 10 in C */
        ok = ok && a.ss.row_groups_total == 40 && b.ss.row_groups_skipped == 0 &&
             b.ws.row_groups_skipped == 0;
        ok = ok && a.ss.row_groups_skipped == a.ws.row_groups_skipped &&
             a.ss.row_groups_read + a.ss.row_groups_skipped == a.ss.row_groups_total;
        ok = ok && a.ss.rows_read == (a.ss.row_groups_read) * RG &&
             a.ss.rows_skipped == a.ss.row_groups_skipped * RG;
        if (peer) {
            ok = ok && a.ss.row_groups_skipped <= 40 - gmatch[c];
            if (CASES[c].exact) ok = ok && a.ss.row_groups_skipped >= 30 - omatch[c];
        }
        if (!ok) {
            fprintf(stderr,
                    "'%s': %lld ids (no skip %lld, duckdb %lld); skipped %lld of %lld (groups with "
                    "a match %lld, "
                    "in A+C %lld)\n",
                    CASES[c].ours, (long long)a.n, (long long)b.n, (long long)nwant[c],
                    (long long)a.ss.row_groups_skipped, (long long)a.ss.row_groups_total, gmatch[c],
                    omatch[c]);
            CHECK(0);
        }
        skipped_total += a.ss.row_groups_skipped;
        free(a.ids);
        free(b.ids);
        free(want[c]);
    }
    CHECK(skipped_total > 500);
    fprintf(stderr, "row groups skipped over %d predicates: %lld\n", nc, (long long)skipped_total);
    for (int c = 0; c < nc * 2; c++)
        dlk_buf_free(&qs[c]);
    free(qs);
    free(sql);
    free(want);
    free(nwant);
    free(gmatch);
    free(omatch);
    dlk_buf_free(&out);
    dlk_buf_free(&src);
}

/* A column-mapped table (mode name): files carry physical names. */
TEST(column_mapping_physical_names)
{
    char table[700];
    snprintf(table, sizeof table, "%s/cm", g_dir);
    char logdir[800];
    snprintf(logdir, sizeof logdir, "%s/_delta_log", table);
    mkdir(table, 0755);
    CHECK_OK(mkdir(logdir, 0755));
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("`col-a` long, `col-b` string, `col-c` struct<`col-d`: int>", &s));
    char file[800];
    snprintf(file, sizeof file, "%s/part-0.parquet", table);
    /* write with the physical names: reuse write_file's generator through a projection-free schema
     */
    dlk_arrow_builder *b = NULL;
    dlk_pq_sink sink;
    dlk_pq_writer *w = NULL;
    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    CHECK_OK(pq_file_sink_open(file, &sink));
    CHECK_OK(dlk_pq_writer_open(&s, NULL, sink, &w));
    if (!w || !b) return;
    for (int id = 0; id < 2000; id++) {
        char name[16];
        snprintf(name, sizeof name, "n%05d", id);
        dlk_arrow_builder_begin(b);
        dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), id);
        dlk_arrow_builder_append_string(dlk_arrow_builder_child(b, 1), name);
        dlk_arrow_builder *c = dlk_arrow_builder_child(b, 2);
        dlk_arrow_builder_begin(c);
        dlk_arrow_builder_append_int(dlk_arrow_builder_child(c, 0), id / 10);
        dlk_arrow_builder_end(c);
        CHECK_OK(dlk_arrow_builder_end(b));
        if ((id + 1) % RG == 0) {
            struct ArrowArray a;
            CHECK_OK(dlk_arrow_builder_finish(b, &a));
            CHECK_OK(dlk_pq_writer_write(w, &a));
            CHECK_OK(dlk_pq_writer_flush_row_group(w));
            dlk_arrow_array_release(&a);
        }
    }
    CHECK_OK(dlk_pq_writer_close(w, NULL));
    CHECK_OK(pq_file_sink_close(&sink));
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&s);
    const char *schema_string =
        "{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":["
        "{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":"
        "{"
        "\\\"delta.columnMapping.id\\\":1,\\\"delta.columnMapping.physicalName\\\":\\\"col-a\\\"}},"
        "{\\\"name\\\":\\\"name\\\",\\\"type\\\":\\\"string\\\",\\\"nullable\\\":true,"
        "\\\"metadata\\\":{"
        "\\\"delta.columnMapping.id\\\":2,\\\"delta.columnMapping.physicalName\\\":\\\"col-b\\\"}},"
        "{\\\"name\\\":\\\"st\\\",\\\"type\\\":{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":["
        "{\\\"name\\\":\\\"x\\\",\\\"type\\\":\\\"integer\\\",\\\"nullable\\\":true,"
        "\\\"metadata\\\":{"
        "\\\"delta.columnMapping.id\\\":4,\\\"delta.columnMapping.physicalName\\\":\\\"col-d\\\"}}]"
        "},"
        "\\\"nullable\\\":true,\\\"metadata\\\":{"
        "\\\"delta.columnMapping.id\\\":3,\\\"delta.columnMapping.physicalName\\\":\\\"col-c\\\"}}]"
        "}";
    dlk_buf log = {0};
    dlk_buf_printf(
        &log,
        "{\"protocol\":{\"minReaderVersion\":2,\"minWriterVersion\":5}}\n"
        "{\"metaData\":{\"id\":\"0b0c7d8e-1111-2222-3333-444455556666\",\"format\":{\"provider\":"
        "\"parquet\","
        "\"options\":{}},\"schemaString\":\"%s\",\"partitionColumns\":[],\"configuration\":{"
        "\"delta.columnMapping.mode\":\"name\",\"delta.columnMapping.maxColumnId\":\"4\"},"
        "\"createdTime\":1700000000000}}\n"
        "{\"add\":{\"path\":\"part-0.parquet\",\"partitionValues\":{},\"size\":%lld,"
        "\"modificationTime\":1700000000000,\"dataChange\":true}}\n",
        schema_string, file_size(file));
    CHECK_OK(write_commit(table, 0, dlk_buf_cstr(&log)));
    dlk_buf_free(&log);
    static const struct {
        const char *pred;
        int lo, hi;  /* matching ids [lo, hi) */
        int skipped; /* row groups skipped */
    } cm[] = {
        {"id < 250", 0, 250, 17},
        {"name = 'n00150'", 150, 151, 19},
        {"st.x >= 190", 1900, 2000, 19},
        {"st.x >= 190 OR id < 100", -1, -1, 18},
    };
    for (size_t c = 0; c < sizeof cm / sizeof cm[0]; c++) {
        result a, nb;
        CHECK_OK(run_query(table, cm[c].pred, true, &a));
        CHECK_OK(run_query(table, cm[c].pred, false, &nb));
        CHECK(same_ids(&a, nb.ids, nb.n));
        if (cm[c].lo >= 0) {
            CHECK_EQ_INT(a.n, cm[c].hi - cm[c].lo);
            CHECK(a.n > 0 && a.ids[0] == cm[c].lo);
        } else {
            CHECK_EQ_INT(a.n, 200);
        }
        CHECK_EQ_INT(a.ss.row_groups_total, 20);
        CHECK_EQ_INT(a.ss.row_groups_skipped, cm[c].skipped);
        CHECK_EQ_INT(a.ws.row_groups_skipped, cm[c].skipped);
        free(a.ids);
        free(nb.ids);
    }
}

/* Deletion vectors: rows of skipped row groups still count for DV positions. */
TEST(deletion_vectors_with_skipped_row_groups)
{
    char table[700], logdir[800], file[800];
    snprintf(table, sizeof table, "%s/dv", g_dir);
    snprintf(logdir, sizeof logdir, "%s/_delta_log", table);
    snprintf(file, sizeof file, "%s/a.parquet", table);
    mkdir(table, 0755);
    CHECK_OK(mkdir(logdir, 0755));
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse(DDL, &s));
    int64_t *ids = malloc(sizeof(int64_t) * 2000);
    for (int i = 0; i < 2000; i++)
        ids[i] = i;
    CHECK_OK(write_file(file, &s, ids, 2000, false));
    free(ids);
    /* inline DV (Delta RoaringBitmapArray: magic, bucket count, key + portable bitmap), Z85 */
    static const uint32_t del[] = {5, 1234, 1950, 1951, 1999};
    roaring_bitmap_t *rb = roaring_bitmap_of_ptr(5, del);
    size_t bl = roaring_bitmap_portable_size_in_bytes(rb);
    size_t n = 16 + bl, padded = (n + 3) / 4 * 4;
    uint8_t *raw = calloc(1, padded);
    uint32_t magic = 1681511377, key = 0;
    uint64_t nb = 1;
    memcpy(raw, &magic, 4);
    memcpy(raw + 4, &nb, 8);
    memcpy(raw + 12, &key, 4);
    roaring_bitmap_portable_serialize(rb, (char *)raw + 16);
    roaring_bitmap_free(rb);
    char *z = calloc(1, padded / 4 * 5 + 1);
    CHECK_OK(dlk_z85_encode(raw, padded, z, padded / 4 * 5 + 1));
    free(raw);
    char *schema_string = NULL;
    CHECK_OK(dlk_schema_to_delta_json(&s, &schema_string));
    dlk_arrow_schema_release(&s);
    json_t *proto = json_pack("{s:{s:i,s:i,s:[s],s:[s]}}", "protocol", "minReaderVersion", 3,
                              "minWriterVersion", 7, "readerFeatures", "deletionVectors",
                              "writerFeatures", "deletionVectors");
    json_t *meta = json_pack(
        "{s:{s:s,s:{s:s,s:{}},s:s,s:[],s:{s:s},s:I}}", "metaData", "id",
        "1b2c3d4e-0000-1111-2222-333344445555", "format", "provider", "parquet", "options",
        "schemaString", schema_string ? schema_string : "", "partitionColumns", "configuration",
        "delta.enableDeletionVectors", "true", "createdTime", (json_int_t)1700000000000);
    json_t *add =
        json_pack("{s:{s:s,s:{},s:I,s:I,s:b,s:{s:s,s:s,s:I,s:I}}}", "add", "path", "a.parquet",
                  "partitionValues", "size", (json_int_t)file_size(file), "modificationTime",
                  (json_int_t)1700000000000, "dataChange", 1, "deletionVector", "storageType", "i",
                  "pathOrInlineDv", z, "sizeInBytes", (json_int_t)n, "cardinality", (json_int_t)5);
    dlk_string_free(schema_string);
    free(z);
    dlk_buf log = {0};
    json_t *parts[3] = {proto, meta, add};
    for (int i = 0; i < 3; i++) {
        char *t = json_dumps(parts[i], JSON_COMPACT);
        dlk_buf_printf(&log, "%s\n", t ? t : "");
        free(t);
        json_decref(parts[i]);
    }
    CHECK_OK(write_commit(table, 0, dlk_buf_cstr(&log)));
    dlk_buf_free(&log);
    static const struct {
        const char *pred;
        int64_t rows, skipped;
    } cases[] = {
        {"id >= 1950", 47, 19}, /* 1952..1998 */
        {"id < 10 OR (id > 1230 AND id < 1240)", 17,
         18}, /* 0..9 without 5, 1231..1239 without 1234 */
        {"id = 1234", 0, 19},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        result a, b;
        CHECK_OK(run_query(table, cases[c].pred, true, &a));
        CHECK_OK(run_query(table, cases[c].pred, false, &b));
        CHECK(same_ids(&a, b.ids, b.n));
        CHECK_EQ_INT(a.n, cases[c].rows);
        CHECK_EQ_INT(a.ss.row_groups_skipped, cases[c].skipped);
        for (int64_t i = 0; i < a.n; i++)
            for (size_t k = 0; k < 5; k++)
                CHECK(a.ids[i] != (int64_t)del[k]);
        free(a.ids);
        free(b.ids);
    }
}

/* deltalake query --explain reports the row groups (the CLI over the same table). */
TEST(cli_explain_row_groups)
{
    const char *cli = getenv("DLK_CLI");
    if (!cli || !*cli) SKIP("DLK_CLI not set");
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "'%s' query '%s' --where 'id < 250 OR id > 3950' --explain", cli,
             g_table);
    FILE *f = popen(cmd, "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[4096] = "";
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    CHECK_EQ_INT(pclose(f), 0);
    /* A: groups 0-2 kept, B: all skipped (ids 2000..2999), C: group 39 kept */
    CHECK(
        strstr(line, "\"row_groups_total\":40,\"row_groups_skipped\":36,\"row_groups_read\":4,") !=
        NULL);
    CHECK(strstr(line, "\"rows_skipped_by_row_groups\":3600,\"rows_read\":400,") != NULL);
    CHECK(strstr(line, "\"rows_returned\":299}") != NULL);
    if (h_cur_failed) fprintf(stderr, "explain: %s", line);
}

/* The seed-style query API reports the skips in its result, and orders through the scan. */
TEST(connector_records_report_skips)
{
    dlk_config cfg;
    dlk_config_init(&cfg);
    CHECK_OK(dlk_config_set_table_path(&cfg, g_table));
    dlk_connector *c = NULL;
    dlk_table_handle *t = NULL;
    dlk_query *q = NULL;
    dlk_records *r = NULL;
    CHECK_OK(dlk_connector_new(&cfg, &c));
    if (c) CHECK_OK(dlk_connector_get_table(c, NULL, &t));
    if (t) CHECK_OK(dlk_query_new(t, &q));
    if (q) {
        const char *sel[] = {"id"};
        CHECK_OK(dlk_query_filter(q, "id < 250 OR id > 3950"));
        CHECK_OK(dlk_query_select(q, sel, 1));
        CHECK_OK(dlk_query_order_by(q, "v", true)); /* not selected; NaN first, nulls last */
        CHECK_OK(dlk_query_limit(q, 4));
        CHECK_OK(dlk_query_execute(q, &r));
    }
    if (r) {
        dlk_scan_stats st;
        dlk_records_scan_stats(r, &st);
        CHECK_EQ_INT(st.row_groups_total, 40);
        CHECK_EQ_INT(st.row_groups_skipped, 36);
        CHECK_EQ_INT(st.files_total, 3);
        CHECK_EQ_INT(dlk_records_count(r), 4);
        /* v = id / 2, null for id % 13 == 0 (last), NaN for id % 250 == 7 (above numbers) */
        CHECK_STR(dlk_records_row(r, 0), "{\"id\":7}");
        CHECK_STR(dlk_records_row(r, 1), "{\"id\":3999}");
        CHECK_STR(dlk_records_row(r, 2), "{\"id\":3998}");
        CHECK_STR(dlk_records_row(r, 3), "{\"id\":3997}");
    }
    dlk_records_free(&r);
    dlk_query_free(&q);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
    dlk_config_free(&cfg);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/dlk_rgskip_XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_dir)) return 1;
    int rc = make_table();
    if (rc) {
        fprintf(stderr, "setup failed: %s\n", dlk_error_last()->message);
        return 1;
    }
    RUN(reader_bounds_and_selection);
    RUN(reader_predicate_callback);
    RUN(scan_matches_noskip_and_duckdb);
    RUN(column_mapping_physical_names);
    RUN(cli_explain_row_groups);
    RUN(deletion_vectors_with_skipped_row_groups);
    RUN(connector_records_report_skips);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    return harness_done();
}

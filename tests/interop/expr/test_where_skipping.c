/* Interop: file skipping of dlk_where on a partitioned multi-file Delta
 * table written by our write path. For every predicate, DuckDB counts the
 * matching rows of each file (partition values added as constants): a file
 * with a match must never be skipped, and selective predicates must skip
 * the expected number of files. */
#include "harness.h"
#include "deltalake/deltalake.h"
#include "deltalake/where.h"
#include "arrow/arrow.h"
#include "util/buf.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_peers[1024];
static char g_table[512];

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
        if (*s == '\'') dlk_buf_puts(b, "'\\''");
        else dlk_buf_putc(b, *s);
    }
    dlk_buf_putc(b, '\'');
}

static int duck2(const char *sql1, const char *sql2, dlk_buf *out)
{
    dlk_buf cmd = {0};
    dlk_buf_printf(&cmd, "node '%s/duckdb_query.mjs' ", g_peers);
    shq(&cmd, sql1);
    dlk_buf_putc(&cmd, ' ');
    shq(&cmd, sql2);
    FILE *f = popen(dlk_buf_cstr(&cmd), "r");
    dlk_buf_free(&cmd);
    if (!f) return -1;
    char tmp[65536];
    size_t n;
    out->len = 0;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) dlk_buf_append(out, tmp, n);
    return pclose(f);
}

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static int R(int n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (int)(rng % (uint64_t)n);
}

#define APPENDS 4
#define ROWS 120

static int make_table(void)
{
    struct ArrowSchema s;
    int rc = dlk_schema_parse("id long, day date, region string, v double, name string, st struct<x: int>, "
                              "ts timestamp, amount decimal(10,2)",
                              &s);
    if (rc) return rc;
    static const char *parts[] = {"day", "region"};
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    co.partition_cols = parts;
    co.n_partition_cols = 2;
    rc = dlk_table_create(g_table, &s, &co, NULL);
    dlk_arrow_schema_release(&s);
    if (rc) return rc;
    static const char *regions[] = {"\"eu\"", "\"us\"", "null"};
    static const char *names[] = {"alpha", "beta", "gamma", "delta", "omega"};
    int64_t id = 0;
    for (int a = 0; a < APPENDS && !rc; a++) {
        dlk_buf b = {0};
        for (int r = 0; r < ROWS; r++, id++) {
            dlk_buf_printf(&b, "{\"id\":%lld,\"day\":\"2024-01-0%d\",\"region\":%s", (long long)id, 1 + R(3),
                           regions[R(3)]);
            if (R(5)) dlk_buf_printf(&b, ",\"v\":%g", (R(200) - 100) / 4.0 + a * 50);
            if (R(5)) dlk_buf_printf(&b, ",\"name\":\"%s\"", names[(a + R(2)) % 5]);
            if (R(4)) dlk_buf_printf(&b, ",\"st\":{\"x\":%d}", R(10) + a * 10);
            dlk_buf_printf(&b, ",\"ts\":\"2024-01-%02dT%02d:00:00Z\"", 1 + a * 5 + R(3), R(24));
            dlk_buf_printf(&b, ",\"amount\":%d.%02d", a * 100 + R(50), R(100));
            dlk_buf_puts(&b, "}\n");
        }
        dlk_write_options wo = DLK_WRITE_OPTIONS_INIT;
        rc = dlk_table_write_text(g_table, dlk_buf_cstr(&b), b.len, &wo, NULL);
        dlk_buf_free(&b);
    }
    return rc;
}

typedef struct {
    const char *ours, *duck;
    int min_skipped; /* at least this many files skipped */
} pcase;

static const pcase CASES[] = {
    {"day = '2024-01-02'", NULL, 1},
    {"day != '2024-01-02'", NULL, 1},
    {"region = 'eu'", NULL, 1},
    {"region IS NULL", NULL, 1},
    {"region IS NOT NULL AND day > '2024-01-01'", NULL, 1},
    {"region IN ('us', 'xx')", NULL, 1},
    {"region NOT IN ('us')", NULL, 1},
    {"id < 100", NULL, 1},
    {"id >= 400", NULL, 1},
    {"id BETWEEN 130 AND 150", NULL, 1},
    {"NOT (id < 240)", NULL, 1},
    {"id = 5 OR id = 470", NULL, 1},
    {"v > 100", NULL, 0}, /* doubles: NaN may hide above max (Delta stats have no NaN count) */
    {"v < -30", NULL, 1},
    {"v <= 60 AND v >= 40", NULL, 1},
    {"v IS NULL", NULL, 0},
    {"name = 'omega'", NULL, 1},
    {"name LIKE 'g%'", NULL, 1},
    {"name LIKE '%a'", NULL, 0},
    {"st.x >= 30", NULL, 1},
    {"st.x IS NULL", NULL, 0},
    {"ts < '2024-01-04T00:00:00Z'", NULL, 1},
    {"ts > TIMESTAMP '2024-01-14T05:00:00Z'", "ts > TIMESTAMPTZ '2024-01-14T05:00:00Z'", 1},
    {"amount > 300", NULL, 1},
    {"amount <= 49.99", NULL, 1},
    {"day = '2024-01-03' AND region = 'us' AND id > 300", NULL, 1},
    {"id + 1 > 400", NULL, 0},
    {"region = 'eu' OR v < -20", NULL, 0},
};

TEST(skipping_never_loses_a_match)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    dlk_table *t = NULL;
    dlk_snapshot *snap = NULL;
    CHECK_OK(dlk_table_open(g_table, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &snap));
    if (!snap) return;
    size_t nf = dlk_snapshot_file_count(snap);
    CHECK(nf >= 20);
    /* a view with every file and its partition values as constants */
    dlk_buf view = {0};
    dlk_buf_puts(&view, "CREATE VIEW t AS ");
    for (size_t i = 0; i < nf; i++) {
        const dlk_file_info *f = dlk_snapshot_file(snap, i);
        const char *day = NULL, *region = NULL;
        for (size_t k = 0; k < f->n_partition_values; k++) {
            if (!strcmp(f->partition_keys[k], "day")) day = f->partition_values[k];
            if (!strcmp(f->partition_keys[k], "region")) region = f->partition_values[k];
        }
        if (i) dlk_buf_puts(&view, " UNION ALL ");
        dlk_buf_printf(&view, "SELECT %zu AS f, *, ", i);
        if (day) dlk_buf_printf(&view, "DATE '%s' AS day, ", day);
        else dlk_buf_puts(&view, "NULL::DATE AS day, ");
        if (region) dlk_buf_printf(&view, "'%s' AS region ", region);
        else dlk_buf_puts(&view, "NULL::VARCHAR AS region ");
        dlk_buf_printf(&view, "FROM read_parquet('%s/%s')", g_table, f->path);
    }
    int nc = (int)(sizeof CASES / sizeof CASES[0]);
    dlk_buf q = {0};
    for (int c = 0; c < nc; c++) {
        if (c) dlk_buf_puts(&q, " UNION ALL ");
        dlk_buf_printf(&q, "SELECT %d AS p, f, count(*) AS n FROM t WHERE %s GROUP BY f", c,
                       CASES[c].duck ? CASES[c].duck : CASES[c].ours);
    }
    dlk_buf_puts(&q, " ORDER BY p, f");
    dlk_buf out = {0};
    CHECK_EQ_INT(duck2(dlk_buf_cstr(&view), dlk_buf_cstr(&q), &out), 0);
    /* has_match[c][f] */
    bool *has = calloc((size_t)nc * nf, 1);
    const char *p = out.len ? (const char *)out.data : "", *end = p + out.len;
    int lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        int pc, ff;
        long long n;
        if (sscanf(p, "{\"p\":%d,\"f\":%d,\"n\":%lld", &pc, &ff, &n) == 3 && pc >= 0 && pc < nc && ff >= 0 &&
            (size_t)ff < nf && n > 0) {
            has[(size_t)pc * nf + (size_t)ff] = true;
            lines++;
        }
        p = nl ? nl + 1 : end;
    }
    CHECK(lines > 0);
    int64_t total_skipped = 0;
    for (int c = 0; c < nc; c++) {
        dlk_where *w = NULL;
        if (dlk_where_new(snap, CASES[c].ours, &w)) {
            fprintf(stderr, "'%s': %s\n", CASES[c].ours, dlk_error_last()->message);
            CHECK(0);
            continue;
        }
        int skipped = 0, matched = 0;
        for (size_t i = 0; i < nf; i++) {
            bool m = true;
            CHECK_OK(dlk_where_file_might_match(w, dlk_snapshot_file(snap, i), &m));
            if (!m) skipped++;
            if (has[(size_t)c * nf + i]) {
                matched++;
                if (!m) {
                    fprintf(stderr, "'%s': skipped file %zu (%s) that has matching rows\n", CASES[c].ours, i,
                            dlk_snapshot_file(snap, i)->path);
                    CHECK(0);
                }
            }
        }
        dlk_where_stats st;
        dlk_where_get_stats(w, &st);
        CHECK_EQ_INT(st.files_considered, (int64_t)nf);
        CHECK_EQ_INT(st.files_skipped_partition + st.files_skipped_stats, skipped);
        fprintf(stderr, "%-50s files %zu, with matches %d, skipped %d (partition %lld, stats %lld)\n", CASES[c].ours,
                nf, matched, skipped, (long long)st.files_skipped_partition, (long long)st.files_skipped_stats);
        if (skipped < CASES[c].min_skipped) {
            fprintf(stderr, "  expected at least %d skipped\n", CASES[c].min_skipped);
            CHECK(0);
        }
        /* selective predicates: everything without a match is skipped */
        total_skipped += skipped;
        dlk_where_free(&w);
    }
    CHECK(total_skipped > 0);
    free(has);
    dlk_buf_free(&out);
    dlk_buf_free(&q);
    dlk_buf_free(&view);
    dlk_snapshot_free(&snap);
    dlk_table_free(&t);
}

TEST(where_errors)
{
    dlk_table *t = NULL;
    dlk_snapshot *snap = NULL;
    CHECK_OK(dlk_table_open(g_table, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &snap));
    dlk_where *w = NULL;
    CHECK_RC(dlk_where_new(snap, "regoin = 'eu'", &w), DLK_NOT_FOUND);
    CHECK_STR(dlk_error_last()->message, "column 'regoin' not found at 1:1; did you mean 'region'?");
    CHECK_RC(dlk_where_new(snap, "id = 'x'", &w), DLK_SCHEMA_MISMATCH);
    CHECK(w == NULL);
    CHECK_OK(dlk_where_new(snap, "id > 3 AND st.x < 2", &w));
    dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
    dlk_where_apply(w, &o);
    CHECK(o.file_filter != NULL && o.row_filter != NULL && o.filter_ctx == w);
    CHECK_EQ_INT(o.n_filter_columns, 2);
    CHECK_STR(o.filter_columns[0], "id");
    CHECK_STR(o.filter_columns[1], "st");
    dlk_where_free(&w);
    dlk_where_free(&w);
    dlk_snapshot_free(&snap);
    dlk_table_free(&t);
}

int main(void)
{
    snprintf(g_table, sizeof g_table, "%s/where_skip_%d", DLK_BUILD_DIR, (int)getpid());
    if (make_table()) {
        fprintf(stderr, "setup: %s\n", dlk_error_last()->message);
        return 1;
    }
    RUN(skipping_never_loses_a_match);
    RUN(where_errors);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_table);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
    return harness_done();
}

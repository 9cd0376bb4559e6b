/* Interop: our predicate evaluation equals DuckDB's WHERE over the same data.
 * Random rows (nulls, NaN, quotes, structs, decimals, dates, timestamps) are
 * written to Parquet by our writer; for each predicate the ids our filter
 * keeps (batch by batch) must equal `SELECT id ... WHERE pred ORDER BY id`. */
#include "harness.h"
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "deltalake/expr.h"
#include "parquet/writer.h"
#include "pq_file_sink.h"
#include "util/buf.h"
#include "util/time.h"

#include <math.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_peers[1024];
static char g_path[512];
static struct ArrowSchema S;
#define NB 6
#define BATCH 400
static struct ArrowArray g_batches[NB];

static bool have_peer(void)
{
    const char *p = getenv("DLK_PEERS");
    snprintf(g_peers, sizeof g_peers, "%s", p && *p ? p : DLK_SOURCE_DIR "/tests/peers");
    char nm[1100];
    snprintf(nm, sizeof nm, "%s/node_modules/@duckdb/node-api", g_peers);
    struct stat st;
    return stat(nm, &st) == 0;
}

/* shell-quote into b with single quotes */
static void shq(dlk_buf *b, const char *s)
{
    dlk_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'') dlk_buf_puts(b, "'\\''");
        else dlk_buf_putc(b, *s);
    }
    dlk_buf_putc(b, '\'');
}

static int duck(const char *sql, dlk_buf *out)
{
    dlk_buf cmd = {0};
    dlk_buf_printf(&cmd, "node '%s/duckdb_query.mjs' ", g_peers);
    shq(&cmd, sql);
    FILE *f = popen(dlk_buf_cstr(&cmd), "r");
    dlk_buf_free(&cmd);
    if (!f) return -1;
    char tmp[65536];
    size_t n;
    out->len = 0;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) dlk_buf_append(out, tmp, n);
    return pclose(f);
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int R(int n) { return (int)(rnd() % (uint64_t)n); }

static int gen_and_write(void)
{
    int rc = dlk_arrow_schema_parse("id: l!, i: i, l: l, g: g, s: u, dec: d:10,2, d: tdD, ts: tsu:UTC, b: b, "
                                    "pt: +s<x: i, y: u>",
                                    &S);
    if (rc) return rc;
    dlk_arrow_builder *b;
    if ((rc = dlk_arrow_builder_new(&S, &b))) return rc;
    dlk_pq_sink sink = {0};
    dlk_pq_writer *w = NULL;
    if ((rc = pq_file_sink_open(g_path, &sink))) return rc;
    if ((rc = dlk_pq_writer_open(&S, NULL, sink, &w))) return rc;
    static const char *words[] = {"a", "ab", "abc", "b", "ba", "it's", "50%", "a_b", "", "zz", "é", "A"};
    int64_t id = 0;
    for (int k = 0; k < NB && !rc; k++) {
        for (int r = 0; r < BATCH; r++) {
            dlk_arrow_builder_begin(b);
#define CH(n) dlk_arrow_builder_child_by_name(b, n)
            dlk_arrow_builder_append_int(CH("id"), id++);
            if (R(10)) dlk_arrow_builder_append_int(CH("i"), R(30) - 10);
            if (R(10)) dlk_arrow_builder_append_int(CH("l"), (int64_t)R(2000000) - 1000000);
            if (R(10)) {
                int c = R(30);
                double g = c == 0 ? NAN : c == 1 ? 0.0 : (R(400) - 200) / 8.0;
                dlk_arrow_builder_append_double(CH("g"), g);
            }
            if (R(8)) dlk_arrow_builder_append_string(CH("s"), words[R(12)]);
            if (R(10)) {
                int64_t v = (int64_t)R(4000) - 1000;
                dlk_arrow_builder_append_decimal(CH("dec"), v < 0 ? -1 : 0, (uint64_t)v);
            }
            if (R(10)) dlk_arrow_builder_append_int(CH("d"), 19723 + R(90)); /* 2024-01-01 + */
            if (R(10))
                dlk_arrow_builder_append_int(CH("ts"), (19723LL + R(90)) * DLK_MICROS_PER_DAY +
                                                           (int64_t)R(86400) * DLK_MICROS_PER_SEC + R(1000000));
            if (R(6)) dlk_arrow_builder_append_bool(CH("b"), R(2));
            if (R(7)) {
                dlk_arrow_builder *p = CH("pt");
                dlk_arrow_builder_begin(p);
                if (R(6)) dlk_arrow_builder_append_int(dlk_arrow_builder_child(p, 0), R(10) - 3);
                if (R(6)) dlk_arrow_builder_append_string(dlk_arrow_builder_child(p, 1), words[R(6)]);
                dlk_arrow_builder_end(p);
            }
#undef CH
            if ((rc = dlk_arrow_builder_end(b))) break;
        }
        if (!rc) rc = dlk_arrow_builder_finish(b, &g_batches[k]);
        if (!rc) rc = dlk_pq_writer_write(w, &g_batches[k]);
    }
    dlk_pq_write_result *res = NULL;
    if (!rc) rc = dlk_pq_writer_close(w, &res);
    dlk_pq_write_result_free(res);
    if (!rc) rc = pq_file_sink_close(&sink);
    dlk_arrow_builder_free(b);
    return rc;
}

/* ours | duckdb (NULL: same text) */
static const char *CASES[][2] = {
    {"i = 5", NULL},
    {"i != 5", NULL},
    {"i <> 5", NULL},
    {"i < 0", NULL},
    {"i <= 0", NULL},
    {"i > 10", NULL},
    {"i >= 10", NULL},
    {"3 > i", NULL},
    {"l BETWEEN -100000 AND 100000", NULL},
    {"l NOT BETWEEN -100000 AND 100000", NULL},
    {"i IN (1, 2, 3)", NULL},
    {"i NOT IN (1, 2, 3)", NULL},
    {"i IN (1, NULL)", NULL},
    {"i NOT IN (1, NULL)", NULL},
    {"s = 'abc'", NULL},
    {"s = 'it''s'", NULL},
    {"s LIKE 'a%'", NULL},
    {"s LIKE '%b_'", NULL},
    {"s LIKE '_'", NULL},
    {"s LIKE '50%'", NULL},
    {"s NOT LIKE '%a%'", NULL},
    {"s > 'b'", NULL},
    {"s <= 'ab'", NULL},
    {"s IS NULL", NULL},
    {"s IS NOT NULL", NULL},
    {"s IN ('a', 'zz', 'é')", NULL},
    {"g > 0.5", NULL},
    {"g <= -1.25", NULL},
    {"g = 0", NULL},
    {"g != 0", NULL},
    {"g IS NULL", NULL},
    {"g > 1e300", "g + 0 > 1e300"}, /* DuckDB prunes NaN rows by the (NaN-free) max stat */
    {"g < 1e300", NULL},
    {"dec > 10.5", NULL},
    {"dec = 0", NULL},
    {"dec <= -3.99", NULL},
    {"dec * 2 > i", NULL},
    {"dec + 1.005 > 3", NULL},
    {"dec > g", NULL},
    {"d = DATE '2024-01-15'", NULL},
    {"d >= '2024-02-01'", NULL},
    {"d < '2024-01-10' OR d > '2024-03-01'", NULL},
    {"d BETWEEN '2024-01-10' AND '2024-01-20'", NULL},
    {"ts > TIMESTAMP '2024-01-15T12:00:00Z'", "ts > TIMESTAMPTZ '2024-01-15T12:00:00Z'"},
    {"ts <= '2024-01-20 00:00:00'", NULL},
    {"ts >= d", NULL},
    {"ts < DATE '2024-02-01'", NULL},
    {"b", NULL},
    {"NOT b", NULL},
    {"b = false", NULL},
    {"b IS NULL", NULL},
    {"b AND i > 0", NULL},
    {"b OR i > 0", NULL},
    {"NOT (b OR i > 0)", NULL},
    {"NOT (b AND i > 0)", NULL},
    {"pt.x > 0", NULL},
    {"pt.y = 'ab'", NULL},
    {"pt IS NULL", NULL},
    {"pt.x IS NULL", NULL},
    {"pt.`x` IN (1, 2) AND `s` LIKE 'a%'", "pt.\"x\" IN (1, 2) AND \"s\" LIKE 'a%'"},
    {"i + l > 0", NULL},
    {"i * 3 - 1 < l / 7", NULL},
    {"-i = 3", NULL},
    {"l / 0 > 0", NULL},
    {"i / 0 < 0", NULL},
    {"(i > 0 AND s LIKE 'a%') OR (g < 0 AND NOT b)", NULL},
    {"i > 0 AND NULL", NULL},
    {"i > 0 OR NULL", NULL},
    {"NOT (i > 0 OR NULL)", NULL},
    {"id % 7 = 3", NULL},
    {"i % 4 = -1", NULL},
    {"i % -3 = 1", NULL},
    {"i % 0 IS NULL AND i IS NOT NULL", NULL},
    {"l % 1000 > 500", NULL},
    {"-l % 7 < 0", NULL},
    {"i * 2 % 5 + 1 = 2", NULL},
    {"g % 2 > 0.5", NULL},
    {"g % 0 > 1", NULL},
    {"dec % 3 = 1", NULL},
    {"dec % 2.5 > 1", NULL},
    {"dec % 0 IS NULL AND dec IS NOT NULL", NULL},
    {"s LIKE 'a!_b' ESCAPE '!'", NULL},
    {"s LIKE '50!%' ESCAPE '!'", NULL},
    {"s LIKE '%!%%' ESCAPE '!'", NULL},
    {"s NOT LIKE 'a$_%' ESCAPE '$'", NULL},
    {"s LIKE 'a\\_b' ESCAPE '\\'", NULL},
    {"s LIKE '_0%%' ESCAPE '%'", NULL},
    {"s LIKE 'a%' ESCAPE NULL OR i > 5", NULL},
    {"pt.y LIKE '_!b' ESCAPE '!'", NULL},
};

static int our_ids(const char *pred, int q, dlk_buf *out)
{
    dlk_expr *e = NULL;
    int rc = dlk_expr_parse_predicate(pred, &S, &e);
    if (rc) return rc;
    out->len = 0;
    for (int k = 0; k < NB && !rc; k++) {
        struct ArrowArray f;
        int64_t n;
        rc = dlk_expr_filter(e, &S, &g_batches[k], &f, &n);
        if (rc) break;
        const int64_t *ids = f.children[0]->buffers[1];
        for (int64_t r = 0; r < n; r++) dlk_buf_printf(out, "{\"q\":%d,\"id\":%lld}\n", q, (long long)ids[r]);
        dlk_arrow_array_release(&f);
    }
    dlk_expr_free(&e);
    return rc;
}

TEST(predicates_match_duckdb)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    int n = (int)(sizeof CASES / sizeof CASES[0]), compared = 0;
    /* one DuckDB run for all cases: UNION ALL of (case number, id) */
    dlk_buf sql = {0}, theirs = {0};
    dlk_buf *ours = calloc((size_t)n, sizeof(dlk_buf));
    bool *ok = calloc((size_t)n, sizeof(bool));
    for (int c = 0; c < n; c++) {
        int rc = our_ids(CASES[c][0], c, &ours[c]);
        if (rc) {
            fprintf(stderr, "ours failed on '%s': %s\n", CASES[c][0], dlk_error_last()->message);
            CHECK(0);
            continue;
        }
        ok[c] = true;
        if (sql.len) dlk_buf_puts(&sql, " UNION ALL ");
        dlk_buf_printf(&sql, "SELECT %d AS q, id FROM read_parquet('%s') WHERE %s", c, g_path,
                       CASES[c][1] ? CASES[c][1] : CASES[c][0]);
    }
    dlk_buf_puts(&sql, " ORDER BY q, id");
    CHECK_EQ_INT(duck(dlk_buf_cstr(&sql), &theirs), 0);
    /* split DuckDB's lines by case */
    const char *p = theirs.len ? (const char *)theirs.data : "", *end = p + theirs.len;
    dlk_buf *dd = calloc((size_t)n, sizeof(dlk_buf));
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        int q = -1;
        if (sscanf(p, "{\"q\":%d", &q) == 1 && q >= 0 && q < n) {
            dlk_buf_append(&dd[q], p, ll);
            dlk_buf_putc(&dd[q], '\n');
        }
        p += ll + 1;
    }
    for (int c = 0; c < n; c++) {
        if (!ok[c]) continue;
        bool same = ours[c].len == dd[c].len && (ours[c].len == 0 || !memcmp(ours[c].data, dd[c].data, ours[c].len));
        if (!same) {
            fprintf(stderr, "'%s': ours %zu bytes, duckdb %zu bytes\n  ours:   %.200s\n  duckdb: %.200s\n",
                    CASES[c][0], ours[c].len, dd[c].len, dlk_buf_cstr(&ours[c]), dlk_buf_cstr(&dd[c]));
            CHECK(0);
        }
        if (ours[c].len) compared++;
        dlk_buf_free(&ours[c]);
        dlk_buf_free(&dd[c]);
    }
    free(ours);
    free(dd);
    free(ok);
    dlk_buf_free(&sql);
    dlk_buf_free(&theirs);
    fprintf(stderr, "compared %d predicates with DuckDB (with matching rows)\n", compared);
    CHECK(compared >= n - 4);
}

int main(void)
{
    snprintf(g_path, sizeof g_path, "%s/expr_duckdb_%d.parquet", DLK_BUILD_DIR, (int)getpid());
    if (gen_and_write()) {
        fprintf(stderr, "setup: %s\n", dlk_error_last()->message);
        return 1;
    }
    RUN(predicates_match_duckdb);
    for (int k = 0; k < NB; k++) dlk_arrow_array_release(&g_batches[k]);
    dlk_arrow_schema_release(&S);
    unlink(g_path);
    return harness_done();
}

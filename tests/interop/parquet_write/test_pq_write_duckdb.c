/*
 * Interop: Parquet files written by our writer are read by DuckDB (an
 * independent engine) with the same values and schema, for every type,
 * nesting, codec, data page version and dictionary mode; the statistics in
 * the footer (parquet_metadata()) match the data. arrow-rs (parquet-wasm)
 * decodes every file as a second independent reader.
 */
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "deltalake/errors.h"
#include "harness.h"
#include "parquet/codec.h"
#include "parquet/writer.h"
#include "pq_file_sink.h"
#include "pq_testgen.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_peers[1024];
static char g_tmp[256];
/* files written by check_file and their row counts, for the second reader */
static struct {
    char path[512];
    int64_t rows;
} g_files[64];
static int g_nfiles;

static bool have_peer(void)
{
    const char *p = getenv("DLK_PEERS");
    snprintf(g_peers, sizeof g_peers, "%s", p && *p ? p : DLK_SOURCE_DIR "/tests/peers");
    char nm[1100];
    snprintf(nm, sizeof nm, "%s/node_modules/@duckdb/node-api", g_peers);
    struct stat st;
    return stat(nm, &st) == 0;
}

/* Run one SQL statement through the DuckDB peer; stdout into out. */
static int duck(const char *sql, dlk_buf *out)
{
    dlk_buf cmd = {0};
    dlk_buf_printf(&cmd, "node '%s/duckdb_query.mjs' \"%s\"", g_peers, sql);
    FILE *f = popen(dlk_buf_cstr(&cmd), "r");
    dlk_buf_free(&cmd);
    if (!f) return -1;
    char tmp[65536];
    size_t n;
    out->len = 0;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) dlk_buf_append(out, tmp, n);
    return pclose(f);
}

/* Compare line by line; print the first difference. */
static bool same_lines(const char *what, const dlk_buf *got, const dlk_buf *want)
{
    const char *g = got->len ? (const char *)got->data : "", *w = want->len ? (const char *)want->data : "";
    const char *ge = g + got->len, *we = w + want->len;
    int line = 1;
    while (g < ge || w < we) {
        const char *gn = memchr(g, '\n', (size_t)(ge - g)), *wn = memchr(w, '\n', (size_t)(we - w));
        size_t gl = gn ? (size_t)(gn - g) : (size_t)(ge - g), wl = wn ? (size_t)(wn - w) : (size_t)(we - w);
        if (gl != wl || memcmp(g, w, gl) != 0) {
            fprintf(stderr, "%s: line %d differs\n  duckdb: %.*s\n  wanted: %.*s\n", what, line,
                    (int)(gl > 600 ? 600 : gl), g, (int)(wl > 600 ? 600 : wl), w);
            return false;
        }
        g += gl + (gn ? 1 : 0);
        w += wl + (wn ? 1 : 0);
        line++;
    }
    return true;
}

/* Build `rows` random rows of spec (in batches of `batch`), write them to
 * path with opts, return the expected JSON lines. */
static int write_random(const char *spec, uint64_t seed, int64_t rows, int64_t batch,
                        const dlk_pq_writer_options *opts, const char *path, dlk_buf *json,
                        dlk_pq_write_result **res)
{
    struct ArrowSchema s;
    int rc = dlk_arrow_schema_parse(spec, &s);
    if (rc) return rc;
    dlk_arrow_builder *b = NULL;
    dlk_pq_sink sink = {0};
    dlk_pq_writer *w = NULL;
    rc = dlk_arrow_builder_new(&s, &b);
    if (!rc) rc = pq_file_sink_open(path, &sink);
    if (!rc) rc = dlk_pq_writer_open(&s, opts, sink, &w);
    pqgen g;
    pqgen_init(&g, seed);
    for (int64_t done = 0; !rc && done < rows; done += batch) {
        int64_t n = rows - done < batch ? rows - done : batch;
        rc = pqgen_rows(&g, b, n, json);
        struct ArrowArray a;
        if (!rc) rc = dlk_arrow_builder_finish(b, &a);
        if (!rc) {
            rc = dlk_pq_writer_write(w, &a);
            dlk_arrow_array_release(&a);
        }
    }
    if (!rc) {
        rc = dlk_pq_writer_close(w, res);
        w = NULL;
    }
    if (!rc) rc = pq_file_sink_close(&sink);
    if (rc) {
        fprintf(stderr, "write_random: %s\n", dlk_error_last()->message);
        dlk_pq_writer_abort(w);
        if (sink.ctx) pq_file_sink_abort(&sink);
    }
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&s);
    return rc;
}

static const char *FLAT =
    "b: b, c: c, s: s, i: i, l: l!, cu: C, su: S, iu: I, lu: L, f: f, g: g, u: u, z: z, w: w:5, "
    "d: tdD, ts: tsu:UTC, tn: tsu:, d1: d:9,2, d2: d:18,0, d3: d:38,10, d4: d:20,20, d5: d:1,0, "
    "allnull_u: u, allnull_b: b, allnull_d: d:30,2";

static const char *NESTED =
    "id: l!, st: +s<a: i, b: u!, sub: +s<x: g, y: +l<i>>>, tags: +l<u>, req: +l<l!>!, "
    "m: +m<u, +s<p: i, q: u>>, mi: +m<i, l>, ll: +l<+l<s>>, lm: +l<+m<u, b>>, ls: +l<+s<k: u, v: f>>, "
    "dec: +l<d:25,3>";

/* Files waiting for DuckDB: all read in one peer process by verify_pending. */
static struct {
    char label[64];
    char path[512];
    dlk_buf want;
} g_pending[16];
static int g_npending;

static void verify_pending(void)
{
    if (!g_npending) return;
    dlk_buf cmd = {0}, got = {0};
    dlk_buf_printf(&cmd, "node '%s/duckdb_query.mjs'", g_peers);
    for (int i = 0; i < g_npending; i++)
        dlk_buf_printf(&cmd, " \"SELECT * FROM read_parquet('%s')\"", g_pending[i].path);
    FILE *f = popen(dlk_buf_cstr(&cmd), "r");
    CHECK(f != NULL);
    if (f) {
        char tmp[65536];
        size_t n;
        while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) dlk_buf_append(&got, tmp, n);
        CHECK_EQ_INT(pclose(f), 0);
    }
    /* split at the {"__query":N} lines (a single query has none) */
    const char *s = dlk_buf_cstr(&got);
    for (int i = 0; i < g_npending; i++) {
        char mark[32];
        snprintf(mark, sizeof mark, "{\"__query\":%d}\n", i);
        const char *b = g_npending > 1 ? strstr(s, mark) : s;
        if (!b) {
            fprintf(stderr, "%s: no DuckDB result\n", g_pending[i].label);
            h_cur_failed = 1;
            continue;
        }
        if (g_npending > 1) b += strlen(mark);
        snprintf(mark, sizeof mark, "{\"__query\":%d}\n", i + 1);
        const char *e = i + 1 < g_npending ? strstr(b, mark) : NULL;
        dlk_buf part = {0};
        dlk_buf_append(&part, b, e ? (size_t)(e - b) : strlen(b));
        if (!same_lines(g_pending[i].label, &part, &g_pending[i].want)) h_cur_failed = 1;
        dlk_buf_free(&part);
        dlk_buf_free(&g_pending[i].want);
    }
    g_npending = 0;
    dlk_buf_free(&cmd);
    dlk_buf_free(&got);
}

/* Write a random file of spec and queue its DuckDB check (verify_pending). */
static void check_file(const char *label, const char *spec, uint64_t seed, int64_t rows,
                       int64_t batch, const dlk_pq_writer_options *o)
{
    if (g_npending == 16) verify_pending();
    char path[512];
    snprintf(path, sizeof path, "%s/%s.parquet", g_tmp, label);
    dlk_buf want = {0};
    dlk_pq_write_result *res = NULL;
    CHECK_OK(write_random(spec, seed, rows, batch, o, path, &want, &res));
    if (res) CHECK_EQ_INT(res->num_rows, rows);
    if (g_nfiles < 64) {
        snprintf(g_files[g_nfiles].path, sizeof g_files[0].path, "%s", path);
        g_files[g_nfiles++].rows = rows;
    }
    dlk_pq_write_result_free(res);
    snprintf(g_pending[g_npending].label, sizeof g_pending[0].label, "%s", label);
    snprintf(g_pending[g_npending].path, sizeof g_pending[0].path, "%s", path);
    g_pending[g_npending++].want = want;
}

TEST(flat_all_codecs)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    static const int codecs[] = {DLK_PQ_UNCOMPRESSED, DLK_PQ_SNAPPY, DLK_PQ_GZIP, DLK_PQ_ZSTD,
                                 DLK_PQ_LZ4_RAW, DLK_PQ_BROTLI};
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
        for (int v = 1; v <= 2; v++) {
            dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
            o.codec = codecs[i];
            o.level = codecs[i] == DLK_PQ_ZSTD ? 9 : 0;
            o.data_page_version = v;
            o.page_bytes = 4096;
            o.row_group_bytes = 200000;
            char label[64];
            snprintf(label, sizeof label, "flat_%s_v%d", dlk_pq_codec_name(codecs[i]), v);
            check_file(label, FLAT, 100 + i, 1500, 700, &o);
        }
    }
    verify_pending();
}

TEST(flat_encodings)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
    o.dictionary = false;
    check_file("flat_plain", FLAT, 7, 2000, 2000, &o);
    o.dictionary = true;
    o.dictionary_max_bytes = 300; /* falls back to PLAIN within the first row group */
    o.page_bytes = 2000;
    check_file("flat_fallback", FLAT, 8, 3000, 1000, &o);
    o.data_page_version = 2;
    check_file("flat_fallback_v2", FLAT, 9, 3000, 1000, &o);
    /* one-row batches, tiny row groups */
    dlk_pq_writer_options t = DLK_PQ_WRITER_OPTIONS_INIT;
    t.row_group_bytes = 1;
    check_file("flat_tiny_rg", FLAT, 10, 5, 1, &t);
    /* empty file */
    check_file("flat_empty", FLAT, 11, 0, 1, &t);
    verify_pending();
}

/* Dictionary pages first, then the dictionary outgrows its limit and the
 * chunk falls back to PLAIN pages; high-cardinality columns drop the
 * dictionary after their first page. DuckDB reads all of it. */
TEST(dictionary_fallback)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse("n: l, t: u, uniq: l", &s));
    dlk_arrow_builder *b;
    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    dlk_buf want = {0}, got = {0};
    for (int r = 0; r < 6000; r++) {
        int64_t v = r < 3000 ? r % 40 : r;
        char t[32];
        snprintf(t, sizeof t, "tag-%lld", (long long)(r < 3000 ? v % 7 : v));
        CHECK_OK(dlk_arrow_builder_begin(b));
        CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), v));
        CHECK_OK(dlk_arrow_builder_append_string(dlk_arrow_builder_child(b, 1), t));
        CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 2), r * 7919LL));
        CHECK_OK(dlk_arrow_builder_end(b));
        dlk_buf_printf(&want, "{\"n\":%lld,\"t\":\"%s\",\"uniq\":%lld}\n", (long long)v, t,
                       r * 7919LL);
    }
    struct ArrowArray a;
    CHECK_OK(dlk_arrow_builder_finish(b, &a));
    char path[512], sql[1024];
    snprintf(path, sizeof path, "%s/fallback.parquet", g_tmp);
    dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
    o.page_bytes = 1000;
    o.dictionary_max_bytes = 8000;
    for (int v = 1; v <= 2; v++) {
        o.data_page_version = v;
        dlk_pq_write_result *r = NULL;
        CHECK_OK(pq_write_file(path, &s, &a, &o, &r));
        if (!r) break;
        for (int i = 0; i < 2; i++) {
            CHECK(r->columns[i].dict_encoded_pages > 1);
            CHECK(r->columns[i].data_pages > r->columns[i].dict_encoded_pages);
        }
        CHECK_EQ_INT(r->columns[2].dict_encoded_pages, 0);
        CHECK(r->columns[2].data_pages > 1);
        dlk_pq_write_result_free(r);
        snprintf(sql, sizeof sql, "SELECT * FROM read_parquet('%s')", path);
        CHECK_EQ_INT(duck(sql, &got), 0);
        if (!same_lines("fallback", &got, &want)) h_cur_failed = 1;
    }
    dlk_buf_free(&want);
    dlk_buf_free(&got);
    dlk_arrow_array_release(&a);
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&s);
}

TEST(nested)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    static const int codecs[] = {DLK_PQ_UNCOMPRESSED, DLK_PQ_SNAPPY, DLK_PQ_ZSTD};
    for (size_t i = 0; i < 3; i++) {
        for (int v = 1; v <= 2; v++) {
            dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
            o.codec = codecs[i];
            o.data_page_version = v;
            o.page_bytes = 3000;
            o.row_group_bytes = 60000;
            o.dictionary = i != 1;
            char label[64];
            snprintf(label, sizeof label, "nested_%s_v%d", dlk_pq_codec_name(codecs[i]), v);
            check_file(label, NESTED, 200 + i, 1200, 500, &o);
        }
    }
    verify_pending();
}

/* A sliced batch (struct offset, honoured down through every child). */
TEST(sliced_batch)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse(NESTED, &s));
    dlk_arrow_builder *b;
    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    dlk_buf json = {0}, want = {0}, got = {0};
    pqgen g;
    pqgen_init(&g, 77);
    CHECK_OK(pqgen_rows(&g, b, 300, &json));
    struct ArrowArray a;
    CHECK_OK(dlk_arrow_builder_finish(b, &a));
    /* keep JSON lines 17 .. 17+250 */
    const char *p = dlk_buf_cstr(&json);
    for (int i = 0; i < 17; i++) p = strchr(p, '\n') + 1;
    const char *e = p;
    for (int i = 0; i < 250; i++) e = strchr(e, '\n') + 1;
    dlk_buf_append(&want, p, (size_t)(e - p));
    a.offset = 17;
    a.length = 250;
    char path[512], sql[1024];
    snprintf(path, sizeof path, "%s/sliced.parquet", g_tmp);
    CHECK_OK(pq_write_file(path, &s, &a, NULL, NULL));
    snprintf(sql, sizeof sql, "SELECT * FROM read_parquet('%s')", path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    if (!same_lines("sliced", &got, &want)) h_cur_failed = 1;
    dlk_buf_free(&json);
    dlk_buf_free(&want);
    dlk_buf_free(&got);
    dlk_arrow_array_release(&a);
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&s);
}

/* Long strings: footer statistics are cut to 4096 bytes and stay bounds. */
TEST(long_string_stats)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse("u: u, z: z", &s));
    dlk_arrow_builder *b;
    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    dlk_buf v = {0};
    for (int r = 0; r < 3; r++) {
        v.len = 0;
        for (int i = 0; i < 5000; i++) dlk_buf_puts(&v, r == 0 ? "a" : r == 1 ? "\xc3\xa9" : "b");
        CHECK_OK(dlk_arrow_builder_begin(b));
        CHECK_OK(dlk_arrow_builder_append_bytes(dlk_arrow_builder_child(b, 0), v.data, v.len));
        memset(v.data, r == 2 ? 0xff : 0x10 * (r + 1), 5000);
        CHECK_OK(dlk_arrow_builder_append_bytes(dlk_arrow_builder_child(b, 1), v.data, 5000));
        CHECK_OK(dlk_arrow_builder_end(b));
    }
    dlk_buf_free(&v);
    struct ArrowArray a;
    CHECK_OK(dlk_arrow_builder_finish(b, &a));
    char path[512], sql[2048];
    snprintf(path, sizeof path, "%s/longstr.parquet", g_tmp);
    dlk_pq_write_result *r = NULL;
    CHECK_OK(pq_write_file(path, &s, &a, NULL, &r));
    if (r) {
        CHECK_EQ_INT(r->columns[0].max.len, 10000); /* the caller gets exact values */
        dlk_pq_write_result_free(r);
    }
    dlk_buf got = {0};
    snprintf(sql, sizeof sql,
             "SELECT path_in_schema AS p, strlen(stats_min_value) AS nmin, strlen(stats_max_value) AS nmax, "
             "starts_with((SELECT min(u) FROM read_parquet('%s')), stats_min_value) AS minok, "
             "stats_max_value > (SELECT max(u) FROM read_parquet('%s')) AS maxok "
             "FROM parquet_metadata('%s') WHERE path_in_schema = 'u'",
             path, path, path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    CHECK_STR(dlk_buf_cstr(&got), "{\"p\":\"u\",\"nmin\":4096,\"nmax\":4096,\"minok\":true,\"maxok\":true}\n");
    /* binary: min cut, max all 0xff has no shorter upper bound: no min/max */
    snprintf(sql, sizeof sql,
             "SELECT stats_min_value IS NULL AS nomin, stats_max_value IS NULL AS nomax, stats_null_count AS nc "
             "FROM parquet_metadata('%s') WHERE path_in_schema = 'z'",
             path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    CHECK_STR(dlk_buf_cstr(&got), "{\"nomin\":true,\"nomax\":true,\"nc\":0}\n");
    dlk_buf_free(&got);
    dlk_arrow_array_release(&a);
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&s);
}

/* Arrow inputs the builder never makes: dictionary-encoded strings and
 * large (int64-offset) strings. */
TEST(dictionary_and_large_inputs)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_new(&s, "+s", "", 0, 2));
    CHECK_OK(dlk_arrow_schema_new(s.children[0], "s", "dict", ARROW_FLAG_NULLABLE, 0));
    s.children[0]->dictionary = dlk_calloc(1, sizeof(struct ArrowSchema));
    CHECK_OK(dlk_arrow_schema_new(s.children[0]->dictionary, "u", "", ARROW_FLAG_NULLABLE, 0));
    CHECK_OK(dlk_arrow_schema_new(s.children[1], "U", "large", ARROW_FLAG_NULLABLE, 0));
    struct ArrowArray a;
    CHECK_OK(dlk_arrow_array_new(&a, 5, 1, 2));
    /* dict: indices int16 [0, 1, 0, null, 2] over ["x", "yy", null] */
    struct ArrowArray *d = a.children[0];
    CHECK_OK(dlk_arrow_array_new(d, 5, 2, 0));
    int16_t *ix = dlk_arrow_array_alloc_buffer(d, 1, 10);
    ix[0] = 0, ix[1] = 1, ix[2] = 0, ix[3] = 7, ix[4] = 2;
    uint8_t *v = dlk_arrow_array_alloc_buffer(d, 0, 1);
    v[0] = 0x17; /* slot 3 null */
    d->null_count = 1;
    struct ArrowArray *dv = dlk_arrow_array_add_dictionary(d);
    CHECK_OK(dlk_arrow_array_new(dv, 3, 3, 0));
    int32_t *o = dlk_arrow_array_alloc_buffer(dv, 1, 16);
    o[0] = 0, o[1] = 1, o[2] = 3, o[3] = 3;
    memcpy(dlk_arrow_array_alloc_buffer(dv, 2, 3), "xyy", 3);
    uint8_t *dvv = dlk_arrow_array_alloc_buffer(dv, 0, 1);
    dvv[0] = 0x3;
    dv->null_count = 1;
    /* large: ["", "hello", null, "w", "end"] with int64 offsets */
    struct ArrowArray *l = a.children[1];
    CHECK_OK(dlk_arrow_array_new(l, 5, 3, 0));
    int64_t *lo = dlk_arrow_array_alloc_buffer(l, 1, 48);
    lo[0] = 0, lo[1] = 0, lo[2] = 5, lo[3] = 5, lo[4] = 6, lo[5] = 9;
    memcpy(dlk_arrow_array_alloc_buffer(l, 2, 9), "hellowend", 9);
    uint8_t *lv = dlk_arrow_array_alloc_buffer(l, 0, 1);
    lv[0] = 0x1b;
    l->null_count = 1;
    char path[512], sql[1024];
    snprintf(path, sizeof path, "%s/dictin.parquet", g_tmp);
    dlk_pq_write_result *r = NULL;
    CHECK_OK(pq_write_file(path, &s, &a, NULL, &r));
    if (r) {
        CHECK_STR(r->columns[0].format, "u");
        CHECK_EQ_INT(r->columns[0].null_count, 2);
        CHECK_STR((char *)r->columns[0].min.bytes, "x");
        CHECK_STR((char *)r->columns[0].max.bytes, "yy");
        CHECK_STR((char *)r->columns[1].max.bytes, "w");
        dlk_pq_write_result_free(r);
    }
    dlk_buf got = {0};
    snprintf(sql, sizeof sql, "SELECT * FROM read_parquet('%s')", path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    CHECK_STR(dlk_buf_cstr(&got), "{\"dict\":\"x\",\"large\":\"\"}\n"
                                  "{\"dict\":\"yy\",\"large\":\"hello\"}\n"
                                  "{\"dict\":\"x\",\"large\":null}\n"
                                  "{\"dict\":null,\"large\":\"w\"}\n"
                                  "{\"dict\":null,\"large\":\"end\"}\n");
    dlk_buf_free(&got);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
}

/* Property test: random schemas (nesting up to depth 3, every type, random
 * nullability) with random data and random writer options, read back by
 * DuckDB identically. */
static void rand_type(pqgen *g, dlk_buf *o, int depth, int *names)
{
    static const char *const prim[] = {"b", "c", "s", "i", "l", "C", "S", "I", "L", "f", "g", "u", "z",
                                       "w:4", "tdD", "tsu:UTC", "tsu:", "d:9,2", "d:18,4", "d:38,6"};
    uint64_t k = pqgen_below(g, depth < 3 ? 32 : 20);
    if (k < 20) {
        dlk_buf_puts(o, prim[k]);
    } else if (k < 24) {
        dlk_buf_puts(o, "+s<");
        int n = 1 + (int)pqgen_below(g, 3);
        for (int i = 0; i < n; i++) {
            dlk_buf_printf(o, "%sf%d: ", i ? ", " : "", (*names)++);
            rand_type(g, o, depth + 1, names);
        }
        dlk_buf_putc(o, '>');
    } else if (k < 28) {
        dlk_buf_puts(o, "+l<");
        rand_type(g, o, depth + 1, names);
        dlk_buf_putc(o, '>');
    } else {
        dlk_buf_printf(o, "+m<%s, ", pqgen_below(g, 2) ? "u" : "i");
        rand_type(g, o, depth + 1, names);
        dlk_buf_putc(o, '>');
    }
    if (pqgen_below(g, 4) == 0) dlk_buf_putc(o, '!');
}

TEST(random_schemas)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    static const int codecs[] = {DLK_PQ_UNCOMPRESSED, DLK_PQ_SNAPPY, DLK_PQ_GZIP, DLK_PQ_ZSTD,
                                 DLK_PQ_LZ4_RAW, DLK_PQ_BROTLI};
    for (int t = 0; t < 12; t++) {
        pqgen g;
        pqgen_init(&g, 7777 * (uint64_t)t + 13);
        dlk_buf spec = {0};
        int names = 0, n = 2 + (int)pqgen_below(&g, 5);
        for (int i = 0; i < n; i++) {
            dlk_buf_printf(&spec, "%sc%d: ", i ? ", " : "", names++);
            rand_type(&g, &spec, 0, &names);
        }
        dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
        o.codec = codecs[pqgen_below(&g, 6)];
        o.data_page_version = 1 + (int)pqgen_below(&g, 2);
        o.dictionary = pqgen_below(&g, 3) != 0;
        o.dictionary_max_bytes = pqgen_below(&g, 2) ? 500 : 0;
        o.page_bytes = 500 + (size_t)pqgen_below(&g, 5000);
        o.row_group_bytes = 5000 + (size_t)pqgen_below(&g, 100000);
        char label[64];
        snprintf(label, sizeof label, "random_%d", t);
        fprintf(stderr, "%s: %s (codec %d, v%d, dict %d)\n", label, dlk_buf_cstr(&spec), o.codec,
                o.data_page_version, o.dictionary);
        check_file(label, dlk_buf_cstr(&spec), 5000 + (uint64_t)t, 400 + (int64_t)pqgen_below(&g, 800),
                   1 + (int64_t)pqgen_below(&g, 300), &o);
        dlk_buf_free(&spec);
    }
    verify_pending();
}

/* Arrow float16 ("e") as FIXED_LEN_BYTE_ARRAY(2) FLOAT16. */
TEST(float16)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_new(&s, "+s", "", 0, 1));
    CHECK_OK(dlk_arrow_schema_new(s.children[0], "e", "h", ARROW_FLAG_NULLABLE, 0));
    struct ArrowArray a;
    CHECK_OK(dlk_arrow_array_new(&a, 5, 1, 1));
    CHECK_OK(dlk_arrow_array_new(a.children[0], 5, 2, 0));
    uint16_t *v = dlk_arrow_array_alloc_buffer(a.children[0], 1, 10);
    v[0] = 0x3c00, v[1] = 0xc000, v[2] = 0x3555, v[3] = 0x0001, v[4] = 0x7bff;
    char path[512], sql[1024];
    snprintf(path, sizeof path, "%s/float16.parquet", g_tmp);
    CHECK_OK(pq_write_file(path, &s, &a, NULL, NULL));
    dlk_buf got = {0};
    snprintf(sql, sizeof sql, "SELECT h FROM read_parquet('%s')", path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    CHECK_STR(dlk_buf_cstr(&got), "{\"h\":1}\n{\"h\":-2}\n{\"h\":0.33325195}\n{\"h\":5.9604645e-8}\n{\"h\":65504}\n");
    snprintf(sql, sizeof sql, "SELECT stats_min_value AS mn, stats_max_value AS mx FROM parquet_metadata('%s')", path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    CHECK_STR(dlk_buf_cstr(&got), "{\"mn\":\"-2.0\",\"mx\":\"65504.0\"}\n");
    dlk_buf_free(&got);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
}

TEST(schema)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    char path[512], sql[1024];
    snprintf(path, sizeof path, "%s/flat_plain.parquet", g_tmp);
    dlk_buf got = {0}, want = {0};
    snprintf(sql, sizeof sql,
             "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('%s'))", path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    dlk_buf_puts(&want,
                 "{\"column_name\":\"b\",\"column_type\":\"BOOLEAN\"}\n"
                 "{\"column_name\":\"c\",\"column_type\":\"TINYINT\"}\n"
                 "{\"column_name\":\"s\",\"column_type\":\"SMALLINT\"}\n"
                 "{\"column_name\":\"i\",\"column_type\":\"INTEGER\"}\n"
                 "{\"column_name\":\"l\",\"column_type\":\"BIGINT\"}\n"
                 "{\"column_name\":\"cu\",\"column_type\":\"UTINYINT\"}\n"
                 "{\"column_name\":\"su\",\"column_type\":\"USMALLINT\"}\n"
                 "{\"column_name\":\"iu\",\"column_type\":\"UINTEGER\"}\n"
                 "{\"column_name\":\"lu\",\"column_type\":\"UBIGINT\"}\n"
                 "{\"column_name\":\"f\",\"column_type\":\"FLOAT\"}\n"
                 "{\"column_name\":\"g\",\"column_type\":\"DOUBLE\"}\n"
                 "{\"column_name\":\"u\",\"column_type\":\"VARCHAR\"}\n"
                 "{\"column_name\":\"z\",\"column_type\":\"BLOB\"}\n"
                 "{\"column_name\":\"w\",\"column_type\":\"BLOB\"}\n"
                 "{\"column_name\":\"d\",\"column_type\":\"DATE\"}\n"
                 "{\"column_name\":\"ts\",\"column_type\":\"TIMESTAMP WITH TIME ZONE\"}\n"
                 "{\"column_name\":\"tn\",\"column_type\":\"TIMESTAMP\"}\n"
                 "{\"column_name\":\"d1\",\"column_type\":\"DECIMAL(9,2)\"}\n"
                 "{\"column_name\":\"d2\",\"column_type\":\"DECIMAL(18,0)\"}\n"
                 "{\"column_name\":\"d3\",\"column_type\":\"DECIMAL(38,10)\"}\n"
                 "{\"column_name\":\"d4\",\"column_type\":\"DECIMAL(20,20)\"}\n"
                 "{\"column_name\":\"d5\",\"column_type\":\"DECIMAL(1,0)\"}\n"
                 "{\"column_name\":\"allnull_u\",\"column_type\":\"VARCHAR\"}\n"
                 "{\"column_name\":\"allnull_b\",\"column_type\":\"BOOLEAN\"}\n"
                 "{\"column_name\":\"allnull_d\",\"column_type\":\"DECIMAL(30,2)\"}\n");
    if (!same_lines("schema flat", &got, &want)) h_cur_failed = 1;
    snprintf(path, sizeof path, "%s/nested_SNAPPY_v1.parquet", g_tmp);
    snprintf(sql, sizeof sql,
             "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('%s'))", path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    want.len = 0;
    dlk_buf_puts(&want,
                 "{\"column_name\":\"id\",\"column_type\":\"BIGINT\"}\n"
                 "{\"column_name\":\"st\",\"column_type\":\"STRUCT(a INTEGER, b VARCHAR, sub STRUCT(x DOUBLE, y INTEGER[]))\"}\n"
                 "{\"column_name\":\"tags\",\"column_type\":\"VARCHAR[]\"}\n"
                 "{\"column_name\":\"req\",\"column_type\":\"BIGINT[]\"}\n"
                 "{\"column_name\":\"m\",\"column_type\":\"MAP(VARCHAR, STRUCT(p INTEGER, q VARCHAR))\"}\n"
                 "{\"column_name\":\"mi\",\"column_type\":\"MAP(INTEGER, BIGINT)\"}\n"
                 "{\"column_name\":\"ll\",\"column_type\":\"SMALLINT[][]\"}\n"
                 "{\"column_name\":\"lm\",\"column_type\":\"MAP(VARCHAR, BOOLEAN)[]\"}\n"
                 "{\"column_name\":\"ls\",\"column_type\":\"STRUCT(k VARCHAR, v FLOAT)[]\"}\n"
                 "{\"column_name\":\"dec\",\"column_type\":\"DECIMAL(25,3)[]\"}\n");
    if (!same_lines("schema nested", &got, &want)) h_cur_failed = 1;
    /* created_by and key-value metadata */
    snprintf(path, sizeof path, "%s/kv.parquet", g_tmp);
    dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
    const char *keys[] = {"delta.note", "empty"}, *vals[] = {"hello world", NULL};
    o.kv_keys = keys;
    o.kv_values = vals;
    o.n_kv = 2;
    dlk_buf json = {0};
    CHECK_OK(write_random("a: l", 1, 10, 10, &o, path, &json, NULL));
    dlk_buf_free(&json);
    snprintf(sql, sizeof sql,
             "SELECT created_by, num_rows, num_row_groups, format_version FROM parquet_file_metadata('%s')",
             path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    want.len = 0;
    dlk_buf_puts(&want, "{\"created_by\":\"deltalake-connector version 0.1.0\",\"num_rows\":10,"
                        "\"num_row_groups\":1,\"format_version\":1}\n");
    if (!same_lines("file metadata", &got, &want)) h_cur_failed = 1;
    snprintf(sql, sizeof sql,
             "SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('%s') ORDER BY k",
             path);
    CHECK_EQ_INT(duck(sql, &got), 0);
    want.len = 0;
    /* DuckDB shows an absent value as an empty one */
    dlk_buf_puts(&want, "{\"k\":\"delta.note\",\"v\":\"hello world\"}\n{\"k\":\"empty\",\"v\":\"\"}\n");
    if (!same_lines("kv metadata", &got, &want)) h_cur_failed = 1;
    /* field ids from the Arrow field metadata "PARQUET:field_id" */
    {
        struct ArrowSchema fs;
        CHECK_OK(dlk_arrow_schema_parse("a: l, b: +s<c: u>", &fs));
        static char md1[64], md2[64];
        const char *key = "PARQUET:field_id";
        int32_t n = 1, kl = (int32_t)strlen(key), vl = 1;
        char *m[2] = {md1, md2};
        const char *vals[2] = {"7", "9"};
        for (int i = 0; i < 2; i++) {
            char *q = m[i];
            memcpy(q, &n, 4);
            memcpy(q + 4, &kl, 4);
            memcpy(q + 8, key, (size_t)kl);
            memcpy(q + 8 + kl, &vl, 4);
            memcpy(q + 12 + kl, vals[i], 1);
        }
        fs.children[0]->metadata = md1;
        fs.children[1]->children[0]->metadata = md2;
        snprintf(path, sizeof path, "%s/fieldid.parquet", g_tmp);
        CHECK_OK(pq_write_file(path, &fs, NULL, NULL, NULL));
        fs.children[0]->metadata = NULL;
        fs.children[1]->children[0]->metadata = NULL;
        dlk_arrow_schema_release(&fs);
        snprintf(sql, sizeof sql, "SELECT name, field_id FROM parquet_schema('%s')", path);
        CHECK_EQ_INT(duck(sql, &got), 0);
        CHECK_STR(dlk_buf_cstr(&got), "{\"name\":\"schema\",\"field_id\":null}\n"
                                      "{\"name\":\"a\",\"field_id\":7}\n"
                                      "{\"name\":\"b\",\"field_id\":null}\n"
                                      "{\"name\":\"c\",\"field_id\":9}\n");
    }
    dlk_buf_free(&got);
    dlk_buf_free(&want);
}

/* The footer statistics of every flat and struct-nested leaf match
 * DuckDB's own aggregates over the data, per row group. */
static void check_stats(const char *label, const char *spec, const char *const *cols, size_t ncols,
                        const dlk_pq_writer_options *o)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.parquet", g_tmp, label);
    dlk_buf json = {0}, got = {0}, sql = {0};
    CHECK_OK(write_random(spec, 4242, 3000, 1000, o, path, &json, NULL));
    /* rows of row group k: file_row_number within [start_k, start_k + rows_k) */
    dlk_buf_printf(&sql,
                   "WITH rg AS (SELECT row_group_id AS rgid, any_value(row_group_num_rows) AS n "
                   "FROM parquet_metadata('%s') GROUP BY 1), "
                   "rr AS (SELECT rgid, sum(n) OVER (ORDER BY rgid) - n AS lo, sum(n) OVER (ORDER BY rgid) AS hi FROM rg), "
                   "d AS (SELECT * FROM read_parquet('%s', file_row_number=true)), agg AS (",
                   path, path);
    for (size_t i = 0; i < ncols; i++) {
        /* cols[i] is "parquet.path|sql expression|kind" kind: n numeric-float, s string */
        char p[128], e[128], k = 's';
        const char *bar = strchr(cols[i], '|'), *bar2 = strrchr(cols[i], '|');
        snprintf(p, sizeof p, "%.*s", (int)(bar - cols[i]), cols[i]);
        snprintf(e, sizeof e, "%.*s", (int)(bar2 - bar - 1), bar + 1);
        k = bar2[1];
        if (i) dlk_buf_puts(&sql, " UNION ALL ");
        if (k == 'f')
            dlk_buf_printf(&sql,
                           "SELECT rr.rgid, '%s' AS p, 'f' AS k, min(%s) FILTER (WHERE NOT isnan(%s))::VARCHAR AS mn, "
                           "max(%s) FILTER (WHERE NOT isnan(%s))::VARCHAR AS mx, count(*) - count(%s) AS nc "
                           "FROM d JOIN rr ON file_row_number >= lo AND file_row_number < hi GROUP BY rr.rgid",
                           p, e, e, e, e, e);
        else
            dlk_buf_printf(&sql,
                           "SELECT rr.rgid, '%s' AS p, 's' AS k, min(%s)::VARCHAR AS mn, max(%s)::VARCHAR AS mx, "
                           "count(*) - count(%s) AS nc FROM d JOIN rr ON file_row_number >= lo AND "
                           "file_row_number < hi GROUP BY rr.rgid",
                           p, e, e, e);
    }
    dlk_buf_printf(&sql,
                   "), m AS (SELECT row_group_id AS rgid, replace(path_in_schema, ', ', '.') AS p, "
                   "stats_min_value AS smn, stats_max_value AS smx, stats_null_count AS snc "
                   "FROM parquet_metadata('%s')) "
                   "SELECT agg.rgid AS id, agg.p, mn, smn, mx, smx, nc, snc FROM agg JOIN m ON agg.rgid = m.rgid AND agg.p = m.p "
                   "WHERE (CASE WHEN k = 'f' THEN "
                   /* DuckDB hides infinite float statistics */
                   "(NOT (smn IS NULL AND isinf(mn::DOUBLE)) AND TRY_CAST(smn AS DOUBLE) IS DISTINCT FROM mn::DOUBLE) OR "
                   "(NOT (smx IS NULL AND isinf(mx::DOUBLE)) AND TRY_CAST(smx AS DOUBLE) IS DISTINCT FROM mx::DOUBLE) "
                   "ELSE smn IS DISTINCT FROM mn OR smx IS DISTINCT FROM mx END) OR nc <> snc "
                   "UNION ALL SELECT -1, 'count', (SELECT count(*) FROM agg)::VARCHAR, "
                   "(SELECT count(*) FROM m)::VARCHAR, NULL, NULL, NULL, NULL",
                   path);
    CHECK_EQ_INT(duck(dlk_buf_cstr(&sql), &got), 0);
    /* only the count line: no mismatching row group */
    char want[256];
    snprintf(want, sizeof want,
             "{\"id\":-1,\"p\":\"count\",\"mn\":\"%%d\",\"smn\":\"%%d\",\"mx\":null,\"smx\":null,\"nc\":null,\"snc\":null}\n");
    int n_agg = -1, n_m = -1;
    const char *cl = strstr(dlk_buf_cstr(&got), "{\"id\":-1");
    if (cl) sscanf(cl, "{\"id\":-1,\"p\":\"count\",\"mn\":\"%d\",\"smn\":\"%d\"", &n_agg, &n_m);
    if (!cl || cl != (const char *)got.data) {
        fprintf(stderr, "%s: statistics differ:\n%s\n", label, dlk_buf_cstr(&got));
        h_cur_failed = 1;
    }
    CHECK(n_agg > (int)ncols); /* several row groups */
    CHECK_EQ_INT(n_agg % (int)ncols, 0);
    (void)want;
    dlk_buf_free(&json);
    dlk_buf_free(&got);
    dlk_buf_free(&sql);
}

TEST(statistics)
{
    if (!have_peer()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    static const char *const cols[] = {
        "b|b|s",   "c|c|s",   "s|s|s",   "i|i|s",   "l|l|s",   "cu|cu|s", "su|su|s", "iu|iu|s",
        "lu|lu|s", "f|f|f",   "g|g|f",   "u|u|s",   "z|z|s",   "w|w|s",   "d|d|s",   "ts|ts|s",
        "tn|tn|s", "d1|d1|s", "d2|d2|s", "d3|d3|s", "d4|d4|s", "d5|d5|s", "allnull_u|allnull_u|s",
        "allnull_b|allnull_b|s", "allnull_d|allnull_d|s",
    };
    dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
    o.row_group_bytes = 60000;
    o.page_bytes = 5000;
    check_stats("stats_flat", FLAT, cols, sizeof cols / sizeof cols[0], &o);
    static const char *const ncols[] = {"id|id|s", "st.a|st.a|s", "st.b|st.b|s", "st.sub.x|st.sub.x|f"};
    check_stats("stats_nested", NESTED, ncols, 4, &o);
}

/* A second independent reader: arrow-rs (the Parquet implementation under
 * delta-rs), as parquet-wasm, decodes every file this test wrote. */
TEST(arrow_rs_reads_all)
{
    char nm[1100];
    snprintf(nm, sizeof nm, "%s/node_modules/parquet-wasm", g_peers);
    struct stat st;
    if (!have_peer() || stat(nm, &st) != 0) SKIP("parquet-wasm peer missing: run scripts/install-peers.sh");
    dlk_buf cmd = {0}, out = {0};
    dlk_buf_printf(&cmd, "node '%s/arrow_rs_read.mjs' '%s'/*.parquet", g_peers, g_tmp);
    FILE *f = popen(dlk_buf_cstr(&cmd), "r");
    CHECK(f != NULL);
    if (!f) return;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) dlk_buf_append(&out, tmp, n);
    CHECK_EQ_INT(pclose(f), 0);
    const char *s = dlk_buf_cstr(&out);
    if (strstr(s, "\"error\"")) {
        fprintf(stderr, "arrow-rs failed on some files:\n%s\n", s);
        h_cur_failed = 1;
    }
    int lines = 0;
    for (const char *p = s; (p = strchr(p, '\n')); p++) lines++;
    CHECK(lines >= g_nfiles);
    for (int i = 0; i < g_nfiles; i++) {
        dlk_buf want = {0};
        dlk_buf_printf(&want, "{\"file\":\"%s\",\"rows\":%lld,", g_files[i].path,
                       (long long)g_files[i].rows);
        if (!strstr(s, dlk_buf_cstr(&want))) {
            fprintf(stderr, "arrow-rs: no '%s'\n", dlk_buf_cstr(&want));
            h_cur_failed = 1;
        }
        dlk_buf_free(&want);
    }
    dlk_buf_free(&cmd);
    dlk_buf_free(&out);
}

int main(void)
{
    snprintf(g_tmp, sizeof g_tmp, "/tmp/dlk_pqw_XXXXXX");
    if (!mkdtemp(g_tmp)) return 1;
    RUN(flat_all_codecs);
    RUN(flat_encodings);
    RUN(dictionary_fallback);
    RUN(nested);
    RUN(sliced_batch);
    RUN(long_string_stats);
    RUN(dictionary_and_large_inputs);
    RUN(random_schemas);
    RUN(float16);
    RUN(schema);
    RUN(statistics);
    RUN(arrow_rs_reads_all);
    if (!h_failed) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmp);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_tmp);
    } else {
        fprintf(stderr, "files kept in %s\n", g_tmp);
    }
    return harness_done();
}

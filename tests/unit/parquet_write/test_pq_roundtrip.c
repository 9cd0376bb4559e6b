/*
 * Round-trip property test: random batches (every type, nulls at every
 * level, nesting, empty strings and lists, integer extremes, NaN, -0.0,
 * infinities) written by our writer with every codec, data page v1 and v2,
 * dictionary on, off and falling back, small pages and row groups, then read
 * back by our reader (include/deltalake/parquet.h) value for value; the
 * footer statistics the reader decodes equal the ones the writer returned.
 * Until the reader is on the branch (no deltalake/parquet.h) it skips loudly.
 */
#include "arrow/arrow.h"
#include "deltalake/errors.h"
#include "harness.h"

#if !__has_include("deltalake/parquet.h")
TEST(roundtrip) { SKIP("the Parquet reader (deltalake/parquet.h) is not built yet"); }
int main(void)
{
    RUN(roundtrip);
    return harness_done();
}
#else
#include "arrow/builder.h"
#include "arrow_compare.h"
#include "deltalake/parquet.h"
#include "parquet/codec.h"
#include "parquet/writer.h"
#include "pq_testgen.h"

/* Formats equal all the way down (names of nested helper nodes may differ). */
static bool formats_equal(const struct ArrowSchema *a, const struct ArrowSchema *b, const char *path)
{
    if (strcmp(a->format, b->format) || a->n_children != b->n_children) {
        fprintf(stderr, "%s: format %s vs %s\n", path, a->format, b->format);
        return false;
    }
    for (int64_t k = 0; k < a->n_children; k++)
        if (!formats_equal(a->children[k], b->children[k], path)) return false;
    return true;
}

/* Compare the reader's statistics of a single-row-group file with the writer's result. */
static bool stats_equal(const dlk_pq_column_result *w, const dlk_pq_col_stats *r)
{
    if (w->null_count != r->null_count || w->has_min_max != r->has_min_max) {
        fprintf(stderr, "%s: nulls %lld/%lld has %d/%d\n", w->path, (long long)w->null_count,
                (long long)r->null_count, w->has_min_max, r->has_min_max);
        return false;
    }
    if (!w->has_min_max) return true;
    bool ok = true;
    switch (w->min.kind) {
    case DLK_PQ_VALUE_INT:
        ok = r->kind == DLK_PQ_STAT_INT && r->min_i == w->min.i && r->max_i == w->max.i;
        break;
    case DLK_PQ_VALUE_UINT:
        ok = r->kind == DLK_PQ_STAT_UINT && r->min_u == w->min.u && r->max_u == w->max.u;
        break;
    case DLK_PQ_VALUE_BOOL:
        ok = r->kind == DLK_PQ_STAT_BOOL && r->min_i == w->min.b && r->max_i == w->max.b;
        break;
    case DLK_PQ_VALUE_DOUBLE:
        ok = r->kind == DLK_PQ_STAT_DOUBLE && r->min_d == w->min.d && r->max_d == w->max.d;
        break;
    case DLK_PQ_VALUE_DECIMAL:
        ok = r->kind == DLK_PQ_STAT_DECIMAL && r->min_i == w->min.dec_hi && r->min_u == w->min.dec_lo &&
             r->max_i == w->max.dec_hi && r->max_u == w->max.dec_lo;
        break;
    case DLK_PQ_VALUE_BYTES:
        ok = r->kind == DLK_PQ_STAT_BYTES && r->min_b_len == w->min.len && r->max_b_len == w->max.len &&
             (!w->min.len || memcmp(r->min_b, w->min.bytes, w->min.len) == 0) &&
             (!w->max.len || memcmp(r->max_b, w->max.bytes, w->max.len) == 0);
        break;
    }
    if (!ok) fprintf(stderr, "%s: min/max differ (writer kind %d, reader kind %d)\n", w->path, w->min.kind, r->kind);
    return ok;
}

/* Write `rows` random rows of spec with o (in batches), read them back. */
static void roundtrip(const char *spec, uint64_t seed, int64_t rows, int64_t batch,
                      const dlk_pq_writer_options *o)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse(spec, &s));
    dlk_arrow_builder *b;
    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    pqgen g;
    pqgen_init(&g, seed);
    dlk_buf json = {0}, file = {0};
    /* one big batch, written in slices: offsets exercised */
    CHECK_OK(pqgen_rows(&g, b, rows, &json));
    struct ArrowArray all;
    CHECK_OK(dlk_arrow_builder_finish(b, &all));
    dlk_pq_writer *w;
    dlk_pq_write_result *res = NULL;
    CHECK_OK(dlk_pq_writer_open(&s, o, dlk_pq_sink_buf(&file), &w));
    for (int64_t r = 0; r < rows; r += batch) {
        struct ArrowArray slice = all;
        slice.offset = r;
        slice.length = rows - r < batch ? rows - r : batch;
        CHECK_OK(dlk_pq_writer_write(w, &slice));
    }
    CHECK_OK(dlk_pq_writer_close(w, &res));

    dlk_pq_file *f = NULL;
    CHECK_OK(dlk_pq_open_memory(file.data, file.len, "roundtrip.parquet", &f));
    if (f && res) {
        CHECK_EQ_INT(dlk_pq_num_rows(f), rows);
        CHECK_EQ_INT(dlk_pq_num_row_groups(f), res->num_row_groups);
        int64_t at = 0;
        for (int rg = 0; rg < dlk_pq_num_row_groups(f); rg++) {
            struct ArrowSchema rs;
            struct ArrowArray ra;
            int rc = dlk_pq_read_row_group(f, rg, NULL, 0, &rs, &ra);
            CHECK_OK(rc);
            if (rc) break;
            if (rg == 0 && !formats_equal(&s, &rs, "schema")) h_cur_failed = 1;
            CHECK_EQ_INT(ra.length, dlk_pq_row_group_num_rows(f, rg));
            if (!arrow_equal_rows(&s, &all, at, &ra, 0, ra.length)) {
                fprintf(stderr, "  in row group %d (rows from %lld), spec %s\n", rg, (long long)at, spec);
                h_cur_failed = 1;
            }
            at += ra.length;
            dlk_arrow_array_release(&ra);
            dlk_arrow_schema_release(&rs);
        }
        CHECK_EQ_INT(at, rows);
        if (res->num_row_groups == 1) {
            for (size_t i = 0; i < res->n_columns; i++) {
                dlk_pq_col_stats st;
                CHECK_OK(dlk_pq_column_stats(f, 0, res->columns[i].path, &st));
                if (!stats_equal(&res->columns[i], &st)) h_cur_failed = 1;
            }
        }
    }
    dlk_pq_close(&f);
    dlk_pq_write_result_free(res);
    dlk_buf_free(&json);
    dlk_buf_free(&file);
    dlk_arrow_array_release(&all);
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&s);
}

static const char *FLAT =
    "b: b, c: c, s: s, i: i, l: l!, cu: C, su: S, iu: I, lu: L, f: f, g: g, u: u, z: z, w: w:5, "
    "d: tdD, ts: tsu:UTC, tn: tsu:, d1: d:9,2, d2: d:18,0, d3: d:38,10, d4: d:20,20, allnull_u: u";

static const char *NESTED =
    "id: l!, st: +s<a: i, b: u!, sub: +s<x: g, y: +l<i>>>, tags: +l<u>, req: +l<l!>!, "
    "m: +m<u, +s<p: i, q: u>>, mi: +m<i, l>, ll: +l<+l<s>>, lm: +l<+m<u, b>>, ls: +l<+s<k: u, v: f>>, "
    "dec: +l<d:25,3>";

static const int codecs[] = {DLK_PQ_UNCOMPRESSED, DLK_PQ_SNAPPY, DLK_PQ_GZIP,
                             DLK_PQ_ZSTD,         DLK_PQ_LZ4_RAW, DLK_PQ_BROTLI};

TEST(every_codec_and_page_version)
{
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
        for (int v = 1; v <= 2; v++) {
            dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
            o.codec = codecs[i];
            o.data_page_version = v;
            o.page_bytes = 3000;
            o.row_group_bytes = 80000;
            roundtrip(FLAT, 10 + i * 2 + (uint64_t)v, 1200, 500, &o);
            roundtrip(NESTED, 20 + i * 2 + (uint64_t)v, 600, 250, &o);
        }
    }
}

TEST(dictionary_modes_and_single_row_group_stats)
{
    for (int mode = 0; mode < 3; mode++) {
        dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
        o.dictionary = mode != 0;
        o.dictionary_max_bytes = mode == 2 ? 400 : 0;
        o.page_bytes = 2000;
        roundtrip(FLAT, 40 + (uint64_t)mode, 1500, 1500, &o); /* one row group: stats compared */
        roundtrip(NESTED, 50 + (uint64_t)mode, 500, 100, &o);
    }
}

/* Random schemas: nesting up to depth 3, every type, random nullability. */
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
    for (int t = 0; t < 40; t++) {
        pqgen g;
        pqgen_init(&g, 31337 * (uint64_t)t + 5);
        dlk_buf spec = {0};
        int names = 0, n = 1 + (int)pqgen_below(&g, 6);
        for (int i = 0; i < n; i++) {
            dlk_buf_printf(&spec, "%sc%d: ", i ? ", " : "", names++);
            rand_type(&g, &spec, 0, &names);
        }
        dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
        o.codec = codecs[pqgen_below(&g, 6)];
        o.data_page_version = 1 + (int)pqgen_below(&g, 2);
        o.dictionary = pqgen_below(&g, 3) != 0;
        o.dictionary_max_bytes = pqgen_below(&g, 2) ? 300 : 0;
        o.page_bytes = 300 + (size_t)pqgen_below(&g, 5000);
        o.row_group_bytes = pqgen_below(&g, 3) ? 3000 + (size_t)pqgen_below(&g, 60000) : 0;
        roundtrip(dlk_buf_cstr(&spec), 900 + (uint64_t)t, 50 + (int64_t)pqgen_below(&g, 700),
                  1 + (int64_t)pqgen_below(&g, 200), &o);
        dlk_buf_free(&spec);
    }
}

TEST(tiny_and_empty)
{
    dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
    o.row_group_bytes = 1;
    roundtrip(NESTED, 60, 7, 1, &o);
    roundtrip(FLAT, 61, 0, 1, &o);
}

int main(void)
{
    RUN(every_codec_and_page_version);
    RUN(dictionary_modes_and_single_row_group_stats);
    RUN(random_schemas);
    RUN(tiny_and_empty);
    return harness_done();
}
#endif

/* Unit tests of the Parquet writer: Thrift compact encoder, RLE/bit-packed
 * hybrid, dictionary, statistics returned to the caller (orderings),
 * file framing, errors, sink failures and allocation failures. */
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "deltalake/errors.h"
#include "harness.h"
#include "parquet/encode.h"
#include "parquet/thrift_write.h"
#include "parquet/writer.h"
#include "pq_file_sink.h"
#include "parquet/writer_int.h"
#include "util/alloc.h"

#include <math.h>
#include <unistd.h>

static bool bytes_eq(const dlk_buf *b, const uint8_t *want, size_t n)
{
    if (b->len != n || memcmp(b->data, want, n) != 0) {
        fprintf(stderr, "  got:");
        for (size_t i = 0; i < b->len; i++) fprintf(stderr, " %02x", b->data[i]);
        fprintf(stderr, "\n");
        return false;
    }
    return true;
}

TEST(thrift_compact)
{
    dlk_buf b = {0};
    dlk_pq_tw t;
    dlk_pq__tw_init(&t, &b);
    dlk_pq__tw_i32(&t, 1, 5);
    dlk_pq__tw_string(&t, 3, "ab");
    dlk_pq__tw_i64(&t, 20, -1);
    dlk_pq__tw_struct_begin(&t, 21);
    dlk_pq__tw_bool(&t, 1, true);
    dlk_pq__tw_struct_end(&t);
    dlk_pq__tw_list_begin(&t, 22, DLK_TC_I32, 3);
    dlk_pq__tw_elem_i32(&t, 1);
    dlk_pq__tw_elem_i32(&t, 2);
    dlk_pq__tw_elem_i32(&t, 3);
    dlk_pq__tw_byte(&t, 23, -2);
    dlk_pq__tw_i16(&t, 24, 300);
    CHECK_OK(dlk_pq__tw_finish(&t));
    static const uint8_t want[] = {0x15, 0x0a, 0x28, 2,    'a',  'b',  0x06, 0x28, 0x01, 0x1c,
                                   0x11, 0x00, 0x19, 0x35, 2,    4,    6,    0x13, 0xfe, 0x14,
                                   0xd8, 0x04, 0x00};
    CHECK(bytes_eq(&b, want, sizeof want));
    /* long lists and a struct list element */
    b.len = 0;
    dlk_pq__tw_init(&t, &b);
    dlk_pq__tw_list_begin(&t, 1, DLK_TC_STRUCT, 20);
    for (int i = 0; i < 20; i++) {
        dlk_pq__tw_elem_struct_begin(&t);
        dlk_pq__tw_i32(&t, 2, i);
        dlk_pq__tw_struct_end(&t);
    }
    CHECK_OK(dlk_pq__tw_finish(&t));
    CHECK_EQ_INT(b.data[0], 0x19);
    CHECK_EQ_INT(b.data[1], 0xfc);
    CHECK_EQ_INT(b.data[2], 20);
    CHECK_EQ_INT(b.data[3], 0x25); /* field 2 (delta from 0), i32 */
    CHECK_EQ_INT(b.data[4], 0);
    CHECK_EQ_INT(b.data[5], 0);
    CHECK_EQ_INT(b.len, 3 + 20 * 3 + 1);
    /* unbalanced */
    b.len = 0;
    dlk_pq__tw_init(&t, &b);
    dlk_pq__tw_struct_begin(&t, 1);
    CHECK_RC(dlk_pq__tw_finish(&t), DLK_ERROR);
    dlk_buf_free(&b);
}

/* Reference decoder of the hybrid encoding. */
static size_t rle_decode(const uint8_t *p, size_t n, int bw, uint32_t *out, size_t want)
{
    size_t i = 0, got = 0;
    while (i < n && got < want) {
        uint64_t h = 0;
        int sh = 0;
        uint8_t ch;
        do {
            ch = p[i++];
            h |= (uint64_t)(ch & 0x7f) << sh;
            sh += 7;
        } while (ch & 0x80);
        if (h & 1) {
            size_t cnt = (size_t)(h >> 1) * 8;
            uint64_t acc = 0;
            int bits = 0;
            for (size_t k = 0; k < cnt; k++) {
                while (bits < bw) {
                    acc |= (uint64_t)p[i++] << bits;
                    bits += 8;
                }
                uint32_t v = (uint32_t)(acc & ((bw == 32) ? 0xffffffffu : ((1u << bw) - 1)));
                acc >>= bw;
                bits -= bw;
                if (got < want) out[got++] = v;
            }
        } else {
            size_t cnt = (size_t)(h >> 1);
            uint32_t v = 0;
            for (int k = 0; k < (bw + 7) / 8; k++) v |= (uint32_t)p[i++] << (8 * k);
            for (size_t k = 0; k < cnt && got < want; k++) out[got++] = v;
        }
    }
    return got;
}

TEST(rle_hybrid)
{
    dlk_buf b = {0};
    uint32_t zeros[10] = {0};
    CHECK_OK(dlk_pq__rle_encode32(zeros, 10, 1, &b));
    static const uint8_t w1[] = {0x14, 0x00};
    CHECK(bytes_eq(&b, w1, 2));
    b.len = 0;
    uint32_t seq[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    CHECK_OK(dlk_pq__rle_encode32(seq, 8, 3, &b));
    static const uint8_t w2[] = {0x03, 0x88, 0xc6, 0xfa};
    CHECK(bytes_eq(&b, w2, 4));
    CHECK_EQ_INT(dlk_pq__bit_width(0), 0);
    CHECK_EQ_INT(dlk_pq__bit_width(1), 1);
    CHECK_EQ_INT(dlk_pq__bit_width(255), 8);
    CHECK_EQ_INT(dlk_pq__bit_width(256), 9);
    /* random mixes of runs and literals round-trip at every width */
    uint64_t s = 12345;
    for (int bw = 0; bw <= 32; bw++) {
        for (int trial = 0; trial < 4; trial++) {
            size_t n = 1 + (size_t)(trial * 997 + bw * 13) % 3000;
            uint32_t *v = dlk_malloc(n * sizeof *v), *d = dlk_malloc(n * sizeof *d);
            uint32_t mask = bw == 32 ? 0xffffffffu : (uint32_t)((1ull << bw) - 1);
            for (size_t i = 0; i < n;) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                size_t run = (s >> 60) < 6 ? 1 : (size_t)((s >> 40) % 40);
                uint32_t x = (uint32_t)(s >> 20) & mask;
                for (size_t k = 0; k < run && i < n; k++) v[i++] = x;
            }
            b.len = 0;
            CHECK_OK(dlk_pq__rle_encode32(v, n, bw, &b));
            CHECK_EQ_INT(rle_decode(b.data, b.len, bw, d, n), n);
            CHECK(memcmp(v, d, n * sizeof *v) == 0);
            /* uint16 variant agrees */
            if (bw <= 16) {
                uint16_t *v16 = dlk_malloc(n * sizeof *v16);
                for (size_t i = 0; i < n; i++) v16[i] = (uint16_t)v[i];
                dlk_buf b16 = {0};
                CHECK_OK(dlk_pq__rle_encode16(v16, n, bw, &b16));
                CHECK(b16.len == b.len && memcmp(b16.data, b.data, b.len) == 0);
                dlk_buf_free(&b16);
                dlk_free(v16);
            }
            dlk_free(v);
            dlk_free(d);
        }
    }
    dlk_buf_free(&b);
}

TEST(dictionary)
{
    dlk_pq_dict d;
    memset(&d, 0, sizeof d);
    d.byte_array = true;
    uint32_t ix;
    char key[32];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 5000; i++) {
            int n = snprintf(key, sizeof key, "v%d", i);
            CHECK_OK(dlk_pq__dict_insert(&d, key, (size_t)n, &ix));
            if (ix != (uint32_t)i) {
                CHECK_EQ_INT(ix, i);
                break;
            }
        }
    }
    CHECK_EQ_INT(d.n, 5000);
    CHECK_OK(dlk_pq__dict_insert(&d, "", 0, &ix));
    CHECK_EQ_INT(ix, 5000);
    /* plain layout: 4-byte LE length + bytes */
    CHECK_EQ_INT(d.plain.data[0], 2);
    CHECK(memcmp(d.plain.data + 4, "v0", 2) == 0);
    dlk_pq__dict_reset(&d);
    CHECK_OK(dlk_pq__dict_insert(&d, "x", 1, &ix));
    CHECK_EQ_INT(ix, 0);
    CHECK_EQ_INT(d.plain.len, 5);
    dlk_pq__dict_free(&d);
    /* fixed width */
    d.byte_array = false;
    int64_t v = 42;
    CHECK_OK(dlk_pq__dict_insert(&d, &v, 8, &ix));
    v = 43;
    CHECK_OK(dlk_pq__dict_insert(&d, &v, 8, &ix));
    CHECK_EQ_INT(ix, 1);
    CHECK_EQ_INT(d.plain.len, 16);
    dlk_pq__dict_free(&d);
}

static dlk_pq_column_result *col(dlk_pq_write_result *r, const char *path)
{
    for (size_t i = 0; i < r->n_columns; i++)
        if (strcmp(r->columns[i].path, path) == 0) return &r->columns[i];
    fprintf(stderr, "no column %s\n", path);
    return NULL;
}

#define CHILD(b, i) dlk_arrow_builder_child(b, i)

TEST(statistics_returned)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse("i: i, ul: L, u: u, z: z, d: d:20,2, g: g, f: f, b: b, nul: l, "
                                    "ts: tsu:UTC, st: +s<x: c!>, tags: +l<u>",
                                    &s));
    dlk_arrow_builder *b;
    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    static const int32_t iv[] = {-5, 3, 0, 2147483647, -2147483647 - 1};
    static const uint64_t uv[] = {1, UINT64_MAX, 5, (uint64_t)INT64_MAX + 1, 2};
    static const char *sv[] = {"b", "ab", "", "\xc3\xa9", "a"};
    static const char *zv[] = {"\x01", "\xff", "\x7f\xff", "\x80", "\x00\x01"};
    static const char *dv[] = {"-1.50", "2.25", "-99999999999999999.99", "0", "123.4"};
    static const double gv[] = {NAN, -0.0, 0.0, 1e300, -1e-300};
    for (int r = 0; r < 6; r++) {
        CHECK_OK(dlk_arrow_builder_begin(b));
        if (r < 5) {
            CHECK_OK(dlk_arrow_builder_append_int(CHILD(b, 0), iv[r]));
            CHECK_OK(dlk_arrow_builder_append_uint(CHILD(b, 1), uv[r]));
            CHECK_OK(dlk_arrow_builder_append_string(CHILD(b, 2), sv[r]));
            CHECK_OK(dlk_arrow_builder_append_bytes(CHILD(b, 3), zv[r], r == 2 || r == 4 ? 2 : 1));
            CHECK_OK(dlk_arrow_builder_append_decimal_str(CHILD(b, 4), dv[r], strlen(dv[r])));
            CHECK_OK(dlk_arrow_builder_append_double(CHILD(b, 5), gv[r]));
            CHECK_OK(dlk_arrow_builder_append_double(CHILD(b, 6), r == 0 ? NAN : -0.0));
            CHECK_OK(dlk_arrow_builder_append_bool(CHILD(b, 7), r == 3));
            CHECK_OK(dlk_arrow_builder_append_int(CHILD(b, 9), 1000 - r));
            dlk_arrow_builder *st = CHILD(b, 10);
            CHECK_OK(dlk_arrow_builder_begin(st));
            CHECK_OK(dlk_arrow_builder_append_int(CHILD(st, 0), r * 10 - 20));
            CHECK_OK(dlk_arrow_builder_end(st));
        }
        dlk_arrow_builder *tags = CHILD(b, 11);
        CHECK_OK(dlk_arrow_builder_begin(tags));
        for (int k = 0; k < r % 3; k++)
            CHECK_OK(dlk_arrow_builder_append_string(CHILD(tags, 0), k ? "t1" : "t0"));
        CHECK_OK(dlk_arrow_builder_end(tags));
        CHECK_OK(dlk_arrow_builder_end(b));
    }
    struct ArrowArray a;
    CHECK_OK(dlk_arrow_builder_finish(b, &a));
    dlk_buf out = {0};
    dlk_pq_writer *w;
    CHECK_OK(dlk_pq_writer_open(&s, NULL, dlk_pq_sink_buf(&out), &w));
    CHECK_OK(dlk_pq_writer_write(w, &a));
    CHECK_EQ_INT(dlk_pq_writer_num_rows(w), 6);
    dlk_pq_write_result *r;
    CHECK_OK(dlk_pq_writer_close(w, &r));
    CHECK_EQ_INT(r->num_rows, 6);
    CHECK_EQ_INT(r->num_row_groups, 1);
    CHECK_EQ_INT(r->file_size, out.len);
    CHECK_EQ_INT(r->n_columns, 12);
    /* framing: PAR1 ... footer len PAR1 */
    CHECK(memcmp(out.data, "PAR1", 4) == 0);
    CHECK(memcmp(out.data + out.len - 4, "PAR1", 4) == 0);
    uint32_t flen;
    memcpy(&flen, out.data + out.len - 8, 4);
    CHECK(flen > 0 && flen < out.len - 12);

    dlk_pq_column_result *c = col(r, "i");
    CHECK_EQ_INT(c->min.kind, DLK_PQ_VALUE_INT);
    CHECK_EQ_INT(c->min.i, INT32_MIN);
    CHECK_EQ_INT(c->max.i, INT32_MAX);
    CHECK_EQ_INT(c->null_count, 1);
    CHECK_EQ_INT(c->num_values, 6);
    CHECK_STR(c->format, "i");
    c = col(r, "ul");
    CHECK_EQ_INT(c->min.kind, DLK_PQ_VALUE_UINT);
    CHECK(c->min.u == 1 && c->max.u == UINT64_MAX);
    c = col(r, "u");
    CHECK_EQ_INT(c->min.kind, DLK_PQ_VALUE_BYTES);
    CHECK_EQ_INT(c->min.len, 0);
    CHECK_STR((char *)c->max.bytes, "\xc3\xa9");
    c = col(r, "z");
    CHECK(c->min.len == 2 && c->min.bytes[0] == 0 && c->min.bytes[1] == 1);
    CHECK(c->max.len == 1 && c->max.bytes[0] == 0xff);
    c = col(r, "d");
    CHECK_EQ_INT(c->min.kind, DLK_PQ_VALUE_DECIMAL);
    CHECK_EQ_INT(c->min.dec_hi, -1);
    CHECK(c->min.dec_lo == 0 - 9999999999999999999ULL);
    CHECK_EQ_INT(c->max.dec_hi, 0);
    CHECK_EQ_INT(c->max.dec_lo, 12340);
    c = col(r, "g");
    CHECK_EQ_INT(c->min.kind, DLK_PQ_VALUE_DOUBLE);
    CHECK(c->min.d == -1e-300);
    CHECK(c->max.d == 1e300);
    CHECK_EQ_INT(c->nan_count, 1);
    c = col(r, "f"); /* only zeros besides a NaN: min -0.0, max +0.0 */
    CHECK(c->has_min_max);
    CHECK(c->min.d == 0 && signbit(c->min.d));
    CHECK(c->max.d == 0 && !signbit(c->max.d));
    c = col(r, "b");
    CHECK(c->min.kind == DLK_PQ_VALUE_BOOL && !c->min.b && c->max.b);
    c = col(r, "nul");
    CHECK(!c->has_min_max);
    CHECK_EQ_INT(c->null_count, 6);
    c = col(r, "ts");
    CHECK_EQ_INT(c->min.i, 996);
    CHECK_EQ_INT(c->max.i, 1000);
    c = col(r, "st.x");
    CHECK_EQ_INT(c->min.i, -20);
    CHECK_EQ_INT(c->max.i, 20);
    CHECK_EQ_INT(c->null_count, 1); /* the null parent */
    c = col(r, "tags.list.element");
    CHECK_STR((char *)c->min.bytes, "t0");
    CHECK_STR((char *)c->max.bytes, "t1");
    CHECK_EQ_INT(c->num_values, 1 + 1 + 2 + 1 + 1 + 2); /* an empty list is one level */
    CHECK_EQ_INT(c->null_count, 2);
    CHECK(c->compressed_bytes > 0 && c->uncompressed_bytes > 0);
    dlk_pq_write_result_free(r);
    dlk_buf_free(&out);
    dlk_arrow_array_release(&a);
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&s);
}

static int build_batch(const char *spec, int rows, struct ArrowSchema *s, struct ArrowArray *a)
{
    int rc = dlk_arrow_schema_parse(spec, s);
    if (rc) return rc;
    dlk_arrow_builder *b;
    rc = dlk_arrow_builder_new(s, &b);
    if (rc) return rc;
    for (int r = 0; r < rows && !rc; r++) {
        rc = dlk_arrow_builder_begin(b);
        char t[32];
        snprintf(t, sizeof t, "value-%d", r % 37);
        if (!rc) rc = dlk_arrow_builder_append_int(CHILD(b, 0), r);
        if (!rc && s->n_children > 1) rc = dlk_arrow_builder_append_string(CHILD(b, 1), t);
        if (!rc) rc = dlk_arrow_builder_end(b);
    }
    if (!rc) rc = dlk_arrow_builder_finish(b, a);
    dlk_arrow_builder_free(b);
    return rc;
}

TEST(errors)
{
    struct ArrowSchema s;
    struct ArrowArray a;
    dlk_buf out = {0};
    dlk_pq_writer *w = NULL;
    CHECK_OK(build_batch("id: l, name: u", 10, &s, &a));
    dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
    o.codec = 3; /* LZO */
    CHECK_RC(dlk_pq_writer_open(&s, &o, dlk_pq_sink_buf(&out), &w), DLK_INVALID_ARGUMENT);
    o.codec = 5;
    CHECK_RC(dlk_pq_writer_open(&s, &o, dlk_pq_sink_buf(&out), &w), DLK_INVALID_ARGUMENT);
    o.codec = 1;
    o.data_page_version = 3;
    CHECK_RC(dlk_pq_writer_open(&s, &o, dlk_pq_sink_buf(&out), &w), DLK_INVALID_ARGUMENT);
    o.data_page_version = 1;
    o.version = 2;
    CHECK_RC(dlk_pq_writer_open(&s, &o, dlk_pq_sink_buf(&out), &w), DLK_INVALID_ARGUMENT);
    CHECK(w == NULL);
    /* a batch with another shape */
    struct ArrowSchema s1;
    struct ArrowArray a1;
    CHECK_OK(build_batch("id: l", 3, &s1, &a1));
    CHECK_OK(dlk_pq_writer_open(&s, NULL, dlk_pq_sink_buf(&out), &w));
    CHECK_RC(dlk_pq_writer_write(w, &a1), DLK_INVALID_ARGUMENT);
    CHECK_OK(dlk_pq_writer_write(w, &a));
    CHECK_OK(dlk_pq_writer_close(w, NULL));
    /* unsupported types */
    struct ArrowSchema bad;
    CHECK_OK(dlk_arrow_schema_new(&bad, "+s", "", 0, 1));
    CHECK_OK(dlk_arrow_schema_new(bad.children[0], "ttm", "time_of_day", ARROW_FLAG_NULLABLE, 0));
    CHECK_RC(dlk_pq_writer_open(&bad, NULL, dlk_pq_sink_buf(&out), &w), DLK_UNSUPPORTED);
    CHECK(strstr(dlk_error_last()->message, "time_of_day") != NULL);
    dlk_arrow_schema_release(&bad);
    CHECK_OK(dlk_arrow_schema_new(&bad, "+s", "", 0, 0));
    CHECK_RC(dlk_pq_writer_open(&bad, NULL, dlk_pq_sink_buf(&out), &w), DLK_INVALID_ARGUMENT);
    dlk_arrow_schema_release(&bad);
    CHECK_OK(dlk_arrow_schema_new(&bad, "l", "", 0, 0));
    CHECK_RC(dlk_pq_writer_open(&bad, NULL, dlk_pq_sink_buf(&out), &w), DLK_INVALID_ARGUMENT);
    dlk_arrow_schema_release(&bad);
    /* a null in a required column: the schema says not null, the data has one */
    struct ArrowSchema req;
    CHECK_OK(dlk_arrow_schema_parse("id: l!", &req));
    struct ArrowArray an;
    struct ArrowSchema sn;
    CHECK_OK(dlk_arrow_schema_parse("id: l", &sn));
    dlk_arrow_builder *bn;
    CHECK_OK(dlk_arrow_builder_new(&sn, &bn));
    CHECK_OK(dlk_arrow_builder_begin(bn));
    CHECK_OK(dlk_arrow_builder_end(bn));
    CHECK_OK(dlk_arrow_builder_finish(bn, &an));
    CHECK_OK(dlk_pq_writer_open(&req, NULL, dlk_pq_sink_buf(&out), &w));
    CHECK_RC(dlk_pq_writer_write(w, &an), DLK_SCHEMA_MISMATCH);
    CHECK_RC(dlk_pq_writer_write(w, &a1), DLK_SCHEMA_MISMATCH); /* sticky */
    CHECK_RC(dlk_pq_writer_close(w, NULL), DLK_SCHEMA_MISMATCH);
    dlk_arrow_builder_free(bn);
    dlk_arrow_array_release(&an);
    dlk_arrow_schema_release(&sn);
    dlk_arrow_schema_release(&req);
    dlk_arrow_array_release(&a1);
    dlk_arrow_schema_release(&s1);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
    dlk_buf_free(&out);
}

typedef struct fail_sink {
    int calls, fail_at;
    dlk_buf buf;
} fail_sink;

static int failing_write(void *ctx, const void *p, size_t n)
{
    fail_sink *f = ctx;
    if (++f->calls == f->fail_at) return dlk_err_set(DLK_IO, "test sink: write failed");
    return dlk_buf_append(&f->buf, p, n) ? DLK_NO_MEMORY : DLK_OK;
}

TEST(sink_failures_and_row_groups)
{
    struct ArrowSchema s;
    struct ArrowArray a;
    CHECK_OK(build_batch("id: l, name: u", 20000, &s, &a));
    dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
    o.row_group_bytes = 50000;
    o.page_bytes = 8000;
    /* count the writes of a successful run, then fail each in turn */
    fail_sink ok = {0, 0, {0}};
    dlk_pq_writer *w;
    CHECK_OK(dlk_pq_writer_open(&s, &o, (dlk_pq_sink){failing_write, &ok}, &w));
    CHECK_OK(dlk_pq_writer_write(w, &a));
    CHECK(dlk_pq_writer_estimated_size(w) > 0);
    dlk_pq_write_result *r;
    CHECK_OK(dlk_pq_writer_close(w, &r));
    CHECK(r->num_row_groups > 2);
    CHECK_EQ_INT(r->num_rows, 20000);
    CHECK_EQ_INT(r->file_size, ok.buf.len);
    CHECK_EQ_INT(r->columns[0].min.i, 0);
    CHECK_EQ_INT(r->columns[0].max.i, 19999);
    dlk_pq_write_result_free(r);
    dlk_buf_free(&ok.buf);
    for (int k = 1; k <= ok.calls; k++) {
        fail_sink f = {0, k, {0}};
        int rc = dlk_pq_writer_open(&s, &o, (dlk_pq_sink){failing_write, &f}, &w);
        if (!rc) rc = dlk_pq_writer_write(w, &a);
        if (!rc) rc = dlk_pq_writer_close(w, &r);
        else if (w) dlk_pq_writer_abort(w);
        w = NULL;
        CHECK_RC(rc, DLK_IO);
        dlk_buf_free(&f.buf);
    }
    /* explicit row group flushes */
    dlk_buf out = {0};
    CHECK_OK(dlk_pq_writer_open(&s, NULL, dlk_pq_sink_buf(&out), &w));
    CHECK_OK(dlk_pq_writer_write(w, &a));
    /* the open row group holds at least its 20000 ids (8 bytes each, PLAIN:
     * distinct values give the dictionary up); a flush gives the memory back */
    size_t held = dlk_pq_writer_buffered_bytes(w);
    CHECK(held >= 20000 * 8);
    CHECK_OK(dlk_pq_writer_flush_row_group(w));
    CHECK(dlk_pq_writer_buffered_bytes(w) < 4096);
    CHECK_OK(dlk_pq_writer_flush_row_group(w)); /* nothing open: no empty row group */
    CHECK_OK(dlk_pq_writer_write(w, &a));
    CHECK_OK(dlk_pq_writer_close(w, &r));
    CHECK_EQ_INT(r->num_row_groups, 2);
    CHECK_EQ_INT(r->num_rows, 40000);
    dlk_pq_write_result_free(r);
    dlk_buf_free(&out);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
}

TEST(out_of_memory)
{
    struct ArrowSchema s;
    struct ArrowArray a;
    CHECK_OK(build_batch("id: l, name: u", 3000, &s, &a));
    dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
    o.row_group_bytes = 20000;
    o.page_bytes = 4000;
    o.codec = 6;
    const char *k[] = {"a"}, *v[] = {"b"};
    o.kv_keys = k;
    o.kv_values = v;
    o.n_kv = 1;
    int ok = 0;
    for (long n = 1; n < 5000 && !ok; n++) {
        dlk_buf out = {0};
        dlk_pq_writer *w = NULL;
        dlk_pq_write_result *r = NULL;
        dlk_alloc_fail_after(n);
        int rc = dlk_pq_writer_open(&s, &o, dlk_pq_sink_buf(&out), &w);
        if (!rc) rc = dlk_pq_writer_write(w, &a);
        if (!rc) {
            rc = dlk_pq_writer_close(w, &r);
            w = NULL;
        }
        dlk_alloc_fail_after(0);
        if (w) dlk_pq_writer_abort(w);
        if (rc != DLK_OK && rc != DLK_NO_MEMORY) {
            CHECK_RC(rc, DLK_NO_MEMORY);
            break;
        }
        ok = rc == DLK_OK;
        dlk_pq_write_result_free(r);
        dlk_buf_free(&out);
    }
    CHECK(ok);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
}

TEST(file_sink)
{
    struct ArrowSchema s;
    struct ArrowArray a;
    CHECK_OK(build_batch("id: l, name: u", 100, &s, &a));
    char path[] = "/tmp/dlk_pqw_unit_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    dlk_pq_write_result *r;
    CHECK_OK(pq_write_file(path, &s, &a, NULL, &r));
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 0, SEEK_END);
        CHECK_EQ_INT(ftell(f), (long)r->file_size);
        fclose(f);
    }
    dlk_pq_write_result_free(r);
    /* a folder that cannot exist (a regular file is in the way) */
    char under[64];
    snprintf(under, sizeof under, "%s/x.parquet", path);
    CHECK_RC(pq_write_file(under, &s, &a, NULL, &r), DLK_NOT_FOUND);
    CHECK(r == NULL);
    unlink(path);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
}

TEST(float16)
{
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        double d = dlk_pq__half_to_double((uint16_t)h);
        if (isnan(d)) continue;
        if (dlk_pq__half_from_double(d) != h && bad++ < 5)
            fprintf(stderr, "half %04x -> %g -> %04x\n", h, d, dlk_pq__half_from_double(d));
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(dlk_pq__half_to_double(0x3c00) == 1.0);
    CHECK(dlk_pq__half_to_double(0xc000) == -2.0);
    CHECK(dlk_pq__half_to_double(0x7bff) == 65504.0);
    CHECK(dlk_pq__half_to_double(0x0001) == ldexp(1, -24));
    /* stats of an "e" column */
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_new(&s, "+s", "", 0, 1));
    CHECK_OK(dlk_arrow_schema_new(s.children[0], "e", "h", ARROW_FLAG_NULLABLE, 0));
    struct ArrowArray a;
    CHECK_OK(dlk_arrow_array_new(&a, 4, 1, 1));
    CHECK_OK(dlk_arrow_array_new(a.children[0], 4, 2, 0));
    uint16_t *v = dlk_arrow_array_alloc_buffer(a.children[0], 1, 8);
    v[0] = 0x3c00, v[1] = 0xc000, v[2] = 0x7e00 /* NaN */, v[3] = 0x0001;
    dlk_buf out = {0};
    dlk_pq_writer *w;
    dlk_pq_write_result *r = NULL;
    CHECK_OK(dlk_pq_writer_open(&s, NULL, dlk_pq_sink_buf(&out), &w));
    CHECK_OK(dlk_pq_writer_write(w, &a));
    CHECK_OK(dlk_pq_writer_close(w, &r));
    if (r) {
        CHECK_STR(r->columns[0].format, "e");
        CHECK(r->columns[0].min.d == -2.0 && r->columns[0].max.d == 1.0);
        CHECK_EQ_INT(r->columns[0].nan_count, 1);
    }
    dlk_pq_write_result_free(r);
    dlk_buf_free(&out);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
}

int main(void)
{
    RUN(thrift_compact);
    RUN(rle_hybrid);
    RUN(dictionary);
    RUN(statistics_returned);
    RUN(errors);
    RUN(sink_failures_and_row_groups);
    RUN(out_of_memory);
    RUN(file_sink);
    RUN(float16);
    return harness_done();
}

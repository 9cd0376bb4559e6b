/* Unit tests for arrow/builder: every type, nulls, nesting, schema notation, errors. */
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "deltalake/errors.h"
#include "harness.h"
#include "util/alloc.h"

#include <math.h>

static const int32_t *offs(const struct ArrowArray *a) { return (const int32_t *)a->buffers[1]; }

TEST(schema_parse)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse("id: l!, name: u, price: d:10,2, ts: tsu:UTC, tags: +l<u>, "
                                    "attrs: +m<u, l!>, pt: +s<x: g, y: g!>, fx: w:4",
                                    &s));
    CHECK_STR(s.format, "+s");
    CHECK_EQ_INT(s.n_children, 8);
    CHECK_STR(s.children[0]->name, "id");
    CHECK_STR(s.children[0]->format, "l");
    CHECK_EQ_INT(s.children[0]->flags & ARROW_FLAG_NULLABLE, 0);
    CHECK(s.children[1]->flags & ARROW_FLAG_NULLABLE);
    CHECK_STR(s.children[2]->format, "d:10,2");
    CHECK_STR(s.children[3]->format, "tsu:UTC");
    CHECK_STR(s.children[4]->format, "+l");
    CHECK_STR(s.children[4]->children[0]->name, "element");
    CHECK_STR(s.children[5]->format, "+m");
    CHECK_STR(s.children[5]->children[0]->name, "entries");
    CHECK_STR(s.children[5]->children[0]->children[0]->name, "key");
    CHECK_EQ_INT(s.children[5]->children[0]->children[0]->flags & ARROW_FLAG_NULLABLE, 0);
    CHECK_EQ_INT(s.children[5]->children[0]->children[1]->flags & ARROW_FLAG_NULLABLE, 0);
    CHECK_STR(s.children[6]->children[1]->name, "y");
    CHECK_STR(s.children[7]->format, "w:4");
    dlk_arrow_schema_release(&s);

    CHECK_RC(dlk_arrow_schema_parse("a l", &s), DLK_PARSE);
    CHECK_RC(dlk_arrow_schema_parse("a: +l<u", &s), DLK_PARSE);
    CHECK_RC(dlk_arrow_schema_parse("a: q", &s), DLK_UNSUPPORTED);
    CHECK_RC(dlk_arrow_schema_parse("a: +s", &s), DLK_PARSE);
    CHECK_OK(dlk_arrow_schema_parse("", &s));
    CHECK_EQ_INT(s.n_children, 0);
    dlk_arrow_schema_release(&s);
}

TEST(flat_types)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse("b: b, c: c, s: s, i: i, l: l, f: f, g: g, u: u, z: z, "
                                    "w: w:3, d: tdD, t: tsu:, dec: d:5,2, ul: L",
                                    &s));
    dlk_arrow_builder *b;
    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    for (int r = 0; r < 3; r++) {
        CHECK_OK(dlk_arrow_builder_begin(b));
        if (r == 1) { /* all null: ends pad */
            CHECK_OK(dlk_arrow_builder_end(b));
            continue;
        }
        CHECK_OK(dlk_arrow_builder_append_bool(dlk_arrow_builder_child(b, 0), r == 0));
        CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 1), -128));
        CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 2), 32767));
        CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 3), INT32_MIN));
        CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 4), INT64_MAX));
        CHECK_OK(dlk_arrow_builder_append_double(dlk_arrow_builder_child(b, 5), 1.5));
        CHECK_OK(dlk_arrow_builder_append_double(dlk_arrow_builder_child(b, 6), NAN));
        CHECK_OK(dlk_arrow_builder_append_string(dlk_arrow_builder_child(b, 7), r ? "" : "héllo"));
        CHECK_OK(dlk_arrow_builder_append_bytes(dlk_arrow_builder_child(b, 8), "\0\1", 2));
        CHECK_OK(dlk_arrow_builder_append_bytes(dlk_arrow_builder_child(b, 9), "abc", 3));
        CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 10), 19000));
        CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 11), -1));
        CHECK_OK(dlk_arrow_builder_append_decimal_str(dlk_arrow_builder_child(b, 12), "-123.4", 6));
        CHECK_OK(dlk_arrow_builder_append_uint(dlk_arrow_builder_child(b, 13), UINT64_MAX));
        CHECK_OK(dlk_arrow_builder_end(b));
    }
    /* range and type errors leave the builder usable */
    CHECK_RC(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 1), 128), DLK_SCHEMA_MISMATCH);
    CHECK_RC(dlk_arrow_builder_append_double(dlk_arrow_builder_child(b, 3), 1), DLK_SCHEMA_MISMATCH);
    CHECK_RC(dlk_arrow_builder_append_bytes(dlk_arrow_builder_child(b, 9), "ab", 2),
             DLK_SCHEMA_MISMATCH);
    CHECK_RC(dlk_arrow_builder_append_decimal_str(dlk_arrow_builder_child(b, 12), "1000", 4),
             DLK_SCHEMA_MISMATCH);
    CHECK_RC(dlk_arrow_builder_append_decimal_str(dlk_arrow_builder_child(b, 12), "1.234", 5),
             DLK_SCHEMA_MISMATCH);
    CHECK_RC(dlk_arrow_builder_append_decimal_str(dlk_arrow_builder_child(b, 12), "1x", 2),
             DLK_PARSE);
    CHECK_EQ_INT(dlk_arrow_builder_length(b), 3);

    struct ArrowArray a;
    CHECK_OK(dlk_arrow_builder_finish(b, &a));
    CHECK_EQ_INT(a.length, 3);
    CHECK_EQ_INT(a.n_children, 14);
    for (int i = 0; i < 14; i++) {
        CHECK_EQ_INT(a.children[i]->length, 3);
        CHECK_EQ_INT(a.children[i]->null_count, 1);
        CHECK(!dlk_arrow_is_valid(a.children[i], 1));
        CHECK(dlk_arrow_is_valid(a.children[i], 2));
    }
    CHECK(dlk_bit_get(a.children[0]->buffers[1], 0));
    CHECK(!dlk_bit_get(a.children[0]->buffers[1], 2));
    CHECK_EQ_INT(((const int8_t *)a.children[1]->buffers[1])[0], -128);
    CHECK_EQ_INT(((const int16_t *)a.children[2]->buffers[1])[2], 32767);
    CHECK_EQ_INT(((const int32_t *)a.children[3]->buffers[1])[0], INT32_MIN);
    CHECK_EQ_INT(((const int64_t *)a.children[4]->buffers[1])[2], INT64_MAX);
    CHECK(((const float *)a.children[5]->buffers[1])[0] == 1.5f);
    CHECK(isnan(((const double *)a.children[6]->buffers[1])[2]));
    const struct ArrowArray *u = a.children[7];
    CHECK_EQ_INT(offs(u)[0], 0);
    CHECK_EQ_INT(offs(u)[1], 6);
    CHECK_EQ_INT(offs(u)[2], 6);
    CHECK_EQ_INT(offs(u)[3], 6);
    CHECK(memcmp(u->buffers[2], "héllo", 6) == 0);
    CHECK(memcmp((const uint8_t *)a.children[9]->buffers[1] + 6, "abc", 3) == 0);
    const uint8_t *dec = a.children[12]->buffers[1];
    int64_t lo;
    memcpy(&lo, dec, 8);
    CHECK_EQ_INT(lo, -12340);
    CHECK_EQ_INT(dec[15], 0xff);
    CHECK(((const uint64_t *)a.children[13]->buffers[1])[0] == UINT64_MAX);
    dlk_arrow_array_release(&a);

    /* the builder is reset and reusable */
    CHECK_EQ_INT(dlk_arrow_builder_length(b), 0);
    CHECK_OK(dlk_arrow_builder_begin(b));
    CHECK_OK(dlk_arrow_builder_end(b));
    CHECK_OK(dlk_arrow_builder_finish(b, &a));
    CHECK_EQ_INT(a.length, 1);
    CHECK_EQ_INT(a.children[7]->null_count, 1);
    dlk_arrow_array_release(&a);
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&s);
}

TEST(nested)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse(
        "id: l!, tags: +l<u>, m: +m<u, i>, pt: +s<x: g, y: +l<i!>>, ll: +l<+l<s>>", &s));
    dlk_arrow_builder *b;
    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    dlk_arrow_builder *tags = dlk_arrow_builder_child_by_name(b, "tags");
    dlk_arrow_builder *m = dlk_arrow_builder_child_by_name(b, "m");
    dlk_arrow_builder *pt = dlk_arrow_builder_child_by_name(b, "pt");
    dlk_arrow_builder *ll = dlk_arrow_builder_child_by_name(b, "ll");
    CHECK(dlk_arrow_builder_child_by_name(b, "nope") == NULL);
    /* row 0: everything present */
    CHECK_OK(dlk_arrow_builder_begin(b));
    CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), 1));
    CHECK_OK(dlk_arrow_builder_begin(tags));
    CHECK_OK(dlk_arrow_builder_append_string(dlk_arrow_builder_child(tags, 0), "a"));
    CHECK_OK(dlk_arrow_builder_append_null(dlk_arrow_builder_child(tags, 0)));
    CHECK_OK(dlk_arrow_builder_end(tags));
    CHECK_OK(dlk_arrow_builder_begin(m));
    CHECK_OK(dlk_arrow_builder_append_string(dlk_arrow_builder_map_key(m), "k1"));
    CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_map_value(m), 7));
    CHECK_OK(dlk_arrow_builder_append_string(dlk_arrow_builder_map_key(m), "k2"));
    CHECK_OK(dlk_arrow_builder_append_null(dlk_arrow_builder_map_value(m)));
    CHECK_OK(dlk_arrow_builder_end(m));
    CHECK_OK(dlk_arrow_builder_begin(pt));
    CHECK_OK(dlk_arrow_builder_append_double(dlk_arrow_builder_child(pt, 0), 2.5));
    dlk_arrow_builder *y = dlk_arrow_builder_child(pt, 1);
    CHECK_OK(dlk_arrow_builder_begin(y));
    CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(y, 0), 3));
    CHECK_RC(dlk_arrow_builder_append_null(dlk_arrow_builder_child(y, 0)), DLK_SCHEMA_MISMATCH);
    CHECK_OK(dlk_arrow_builder_end(y));
    CHECK_OK(dlk_arrow_builder_end(pt));
    CHECK_OK(dlk_arrow_builder_begin(ll));
    dlk_arrow_builder *inner = dlk_arrow_builder_child(ll, 0);
    CHECK_OK(dlk_arrow_builder_begin(inner));
    CHECK_OK(dlk_arrow_builder_end(inner));
    CHECK_OK(dlk_arrow_builder_append_null(inner));
    CHECK_OK(dlk_arrow_builder_begin(inner));
    CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(inner, 0), -5));
    CHECK_OK(dlk_arrow_builder_end(inner));
    CHECK_OK(dlk_arrow_builder_end(ll));
    CHECK_OK(dlk_arrow_builder_end(b));
    /* row 1: only id; the rest padded with nulls (pt null: its children too) */
    CHECK_OK(dlk_arrow_builder_begin(b));
    CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), 2));
    CHECK_OK(dlk_arrow_builder_end(b));
    /* row 2: missing not-null id is an error */
    CHECK_OK(dlk_arrow_builder_begin(b));
    CHECK_RC(dlk_arrow_builder_end(b), DLK_SCHEMA_MISMATCH);
    dlk_arrow_builder_free(b);

    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    /* redo rows 0..1 compactly to check the layout */
    tags = dlk_arrow_builder_child(b, 1);
    m = dlk_arrow_builder_child(b, 2);
    pt = dlk_arrow_builder_child(b, 3);
    CHECK_OK(dlk_arrow_builder_begin(b));
    CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), 1));
    CHECK_OK(dlk_arrow_builder_begin(tags));
    CHECK_OK(dlk_arrow_builder_append_string(dlk_arrow_builder_child(tags, 0), "a"));
    CHECK_OK(dlk_arrow_builder_append_string(dlk_arrow_builder_child(tags, 0), "bc"));
    CHECK_OK(dlk_arrow_builder_end(tags));
    CHECK_OK(dlk_arrow_builder_begin(m));
    CHECK_OK(dlk_arrow_builder_append_string(dlk_arrow_builder_map_key(m), "k"));
    CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_map_value(m), 9));
    CHECK_OK(dlk_arrow_builder_end(m));
    CHECK_OK(dlk_arrow_builder_end(b));
    CHECK_OK(dlk_arrow_builder_begin(b));
    CHECK_OK(dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), 2));
    CHECK_OK(dlk_arrow_builder_begin(tags));
    CHECK_OK(dlk_arrow_builder_end(tags));
    CHECK_OK(dlk_arrow_builder_end(b));
    CHECK(dlk_arrow_builder_bytes(b) > 0);
    struct ArrowArray a;
    CHECK_OK(dlk_arrow_builder_finish(b, &a));
    const struct ArrowArray *t = a.children[1];
    CHECK_EQ_INT(t->length, 2);
    CHECK_EQ_INT(t->null_count, 0);
    CHECK_EQ_INT(offs(t)[1], 2);
    CHECK_EQ_INT(offs(t)[2], 2);
    CHECK_EQ_INT(t->children[0]->length, 2);
    const struct ArrowArray *ma = a.children[2];
    CHECK_EQ_INT(ma->null_count, 1);
    CHECK_EQ_INT(ma->children[0]->length, 1);
    CHECK_EQ_INT(ma->children[0]->children[0]->length, 1);
    CHECK_EQ_INT(((const int32_t *)ma->children[0]->children[1]->buffers[1])[0], 9);
    const struct ArrowArray *p = a.children[3];
    CHECK_EQ_INT(p->null_count, 2);
    CHECK_EQ_INT(p->children[0]->length, 2);
    CHECK_EQ_INT(p->children[1]->length, 2);
    CHECK_EQ_INT(offs(p->children[1])[2], 0);
    dlk_arrow_array_release(&a);

    /* misuse */
    CHECK_RC(dlk_arrow_builder_end(b), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_arrow_builder_begin(dlk_arrow_builder_child(b, 0)), DLK_SCHEMA_MISMATCH);
    CHECK_OK(dlk_arrow_builder_begin(m));
    CHECK_OK(dlk_arrow_builder_append_string(dlk_arrow_builder_map_key(m), "k"));
    CHECK_RC(dlk_arrow_builder_end(m), DLK_INVALID_ARGUMENT);
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&s);
}

TEST(out_of_memory)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse("a: l, b: +l<u>, c: +m<u, d:20,3>", &s));
    for (long n = 1; n < 200; n++) {
        dlk_alloc_fail_after(n);
        dlk_arrow_builder *b = NULL;
        int rc = dlk_arrow_builder_new(&s, &b);
        if (!rc) rc = dlk_arrow_builder_begin(b);
        if (!rc) rc = dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), 1);
        if (!rc) rc = dlk_arrow_builder_begin(dlk_arrow_builder_child(b, 1));
        if (!rc) rc = dlk_arrow_builder_append_string(dlk_arrow_builder_child(dlk_arrow_builder_child(b, 1), 0), "x");
        if (!rc) rc = dlk_arrow_builder_end(dlk_arrow_builder_child(b, 1));
        if (!rc) rc = dlk_arrow_builder_end(b);
        struct ArrowArray a = {0};
        if (!rc) rc = dlk_arrow_builder_finish(b, &a);
        dlk_alloc_fail_after(0);
        CHECK(rc == DLK_OK || rc == DLK_NO_MEMORY);
        dlk_arrow_array_release(&a);
        dlk_arrow_builder_free(b);
        if (rc == DLK_OK) break;
    }
    dlk_arrow_schema_release(&s);
}

int main(void)
{
    RUN(schema_parse);
    RUN(flat_types);
    RUN(nested);
    RUN(out_of_memory);
    return harness_done();
}

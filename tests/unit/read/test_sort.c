/* Unit: read/sort (ORDER BY of the scan). The sorter's order equals an
 * independent qsort of the same rows; top-N with the buffer cut back many
 * times (150k rows, limit 25) equals the head of the full sort; batch
 * concatenation keeps strings, lists, structs and nulls of sliced arrays. */
#include "harness.h"
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "deltalake/arrow_json.h"
#include "read/sort.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

static const char *WORDS[] = {"", "a", "ab", "b", "ba", "zz", "é"};

typedef struct {
    int64_t id;
    int k; /* -1: null */
    int w;
} row;

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static int R(int n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (int)(rng % (uint64_t)n);
}

/* k DESC NULLS FIRST, s ASC, id ASC */
static int cmp_row(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if ((x->k < 0) != (y->k < 0)) return x->k < 0 ? -1 : 1;
    if (x->k != y->k) return x->k > y->k ? -1 : 1;
    int c = strcmp(WORDS[x->w], WORDS[y->w]);
    if (c) return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int make_batch(const struct ArrowSchema *s, row *rows, int n, struct ArrowArray *out)
{
    dlk_arrow_builder *b = NULL;
    int rc = dlk_arrow_builder_new(s, &b);
    for (int i = 0; i < n && !rc; i++) {
        rc = dlk_arrow_builder_begin(b);
        if (!rc) rc = dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), rows[i].id);
        if (!rc && rows[i].k >= 0)
            rc = dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 1), rows[i].k);
        if (!rc)
            rc = dlk_arrow_builder_append_string(dlk_arrow_builder_child(b, 2), WORDS[rows[i].w]);
        if (!rc) rc = dlk_arrow_builder_end(b);
    }
    if (!rc) rc = dlk_arrow_builder_finish(b, out);
    dlk_arrow_builder_free(b);
    return rc;
}

static void run(int64_t total, int batch, int64_t limit)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse("id: l, k: i, s: u", &s));
    row *all = malloc(sizeof *all * (size_t)total);
    for (int64_t i = 0; i < total; i++)
        all[i] = (row){i, R(10) == 0 ? -1 : R(500), R(7)};
    dlk_sorter *so = NULL;
    CHECK_OK(dlk_ops__sorter_new("k DESC NULLS FIRST, s, id ASC", &s, limit, &so));
    if (!so) return;
    const char *const *cols;
    size_t nc;
    dlk_ops__sorter_columns(so, &cols, &nc);
    CHECK_EQ_INT(nc, 3);
    CHECK_OK(dlk_ops__sorter_bind(so, &s));
    for (int64_t i = 0; i < total; i += batch) {
        struct ArrowArray a;
        int n = (int)(total - i < batch ? total - i : batch);
        CHECK_OK(make_batch(&s, all + i, n, &a));
        CHECK_OK(dlk_ops__sorter_add(so, &a));
    }
    struct ArrowArray out;
    CHECK_OK(dlk_ops__sorter_finish(so, &out));
    qsort(all, (size_t)total, sizeof *all, cmp_row);
    int64_t want = limit >= 0 && limit < total ? limit : total;
    CHECK_EQ_INT(out.length, want);
    int bad = 0;
    for (int64_t i = 0; i < out.length && i < want; i++)
        if (((const int64_t *)out.children[0]->buffers[1])[i] != all[i].id) bad++;
    CHECK_EQ_INT(bad, 0);
    dlk_arrow_array_release(&out);
    dlk_ops__sorter_free(so);
    dlk_arrow_schema_release(&s);
    free(all);
}

TEST(full_sort_equals_qsort)
{
    run(5000, 333, -1);
}
TEST(top_n_with_cut_back)
{
    run(150000, 1000, 25);
}
TEST(limit_zero_and_empty)
{
    run(100, 10, 0);
    run(0, 10, 5);
}

TEST(concat_keeps_nested_values)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse("id: l, tags: +l<u>, pt: +s<x: i, y: u>, b: b, d: d:10,2", &s));
    dlk_arrow_builder *b = NULL;
    CHECK_OK(dlk_arrow_builder_new(&s, &b));
    struct ArrowArray parts[2];
    for (int p = 0; p < 2; p++) {
        for (int i = 0; i < 5; i++) {
            dlk_arrow_builder_begin(b);
            dlk_arrow_builder_append_int(dlk_arrow_builder_child(b, 0), p * 10 + i);
            dlk_arrow_builder *l = dlk_arrow_builder_child(b, 1);
            if (i == 2)
                dlk_arrow_builder_append_null(l);
            else {
                dlk_arrow_builder_begin(l);
                for (int k = 0; k < i; k++)
                    dlk_arrow_builder_append_string(dlk_arrow_builder_child(l, 0),
                                                    WORDS[(i + k) % 7]);
                dlk_arrow_builder_end(l);
            }
            dlk_arrow_builder *st = dlk_arrow_builder_child(b, 2);
            if (i == 3)
                dlk_arrow_builder_append_null(st);
            else {
                dlk_arrow_builder_begin(st);
                dlk_arrow_builder_append_int(dlk_arrow_builder_child(st, 0), i * p);
                if (i % 2)
                    dlk_arrow_builder_append_string(dlk_arrow_builder_child(st, 1), WORDS[i]);
                dlk_arrow_builder_end(st);
            }
            if (i != 4) dlk_arrow_builder_append_bool(dlk_arrow_builder_child(b, 3), (i + p) % 2);
            dlk_arrow_builder_append_decimal(dlk_arrow_builder_child(b, 4), i == 1 ? -1 : 0,
                                             (uint64_t)(i == 1 ? -12345 : i * 100));
            CHECK_OK(dlk_arrow_builder_end(b));
        }
        CHECK_OK(dlk_arrow_builder_finish(b, &parts[p]));
    }
    dlk_arrow_builder_free(b);
    /* slices: rows 1..4 of the first, 2..4 of the second (offsets) */
    struct ArrowArray v0 = parts[0], v1 = parts[1];
    v0.offset = 1, v0.length = 4, v1.offset = 2, v1.length = 3;
    struct ArrowArray *in[2] = {&v0, &v1}, out;
    CHECK_OK(dlk_ops__concat(&s, in, 2, &out));
    CHECK_EQ_INT(out.length, 7);
    char *bw = NULL, *bg = NULL;
    size_t lw = 0, cw = 0, lg = 0, cg = 0;
    for (int r = 0; r < 7; r++) {
        const struct ArrowArray *src = r < 4 ? &parts[0] : &parts[1];
        int64_t sr = r < 4 ? r + 1 : r - 4 + 2;
        lw = lg = 0;
        CHECK_OK(dlk_arrow_json_row(&s, src, sr, &bw, &lw, &cw));
        CHECK_OK(dlk_arrow_json_row(&s, &out, r, &bg, &lg, &cg));
        if (lw != lg || memcmp(bw, bg, lw)) {
            fprintf(stderr, "row %d: want %s got %s\n", r, bw, bg);
            CHECK(0);
        }
    }
    dlk_string_free(bw);
    dlk_string_free(bg);
    dlk_arrow_array_release(&out);
    dlk_arrow_array_release(&parts[0]);
    dlk_arrow_array_release(&parts[1]);
    dlk_arrow_schema_release(&s);
}

TEST(key_parsing)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_arrow_schema_parse("id: l, desc: i, s: u", &s));
    dlk_sorter *so = NULL;
    CHECK_RC(dlk_ops__sorter_new("`desc` desc nulls first, s || 'x'", &s, -1, &so), DLK_PARSE);
    CHECK(so == NULL); /* '||' is not in the language */
    CHECK_OK(dlk_ops__sorter_new("`desc`   DESC   NULLS   FIRST, (id % 3) asc, s NULLS LAST", &s,
                                 -1, &so));
    CHECK(so != NULL);
    dlk_ops__sorter_free(so);
    so = NULL;
    CHECK_RC(dlk_ops__sorter_new("id, 'unterminated", &s, -1, &so), DLK_PARSE);
    CHECK_RC(dlk_ops__sorter_new("nope", &s, -1, &so), DLK_NOT_FOUND);
    CHECK_RC(dlk_ops__sorter_new("DESC", &s, -1, &so), DLK_PARSE);
    dlk_arrow_schema_release(&s);
}

int main(void)
{
    RUN(full_sort_equals_qsort);
    RUN(top_n_with_cut_back);
    RUN(limit_zero_and_empty);
    RUN(concat_keeps_nested_values);
    RUN(key_parsing);
    return harness_done();
}

/* tests/unit/expr/fixture.h - a small mixed-type batch for expression tests. */
#ifndef DLK_TEST_EXPR_FIXTURE_H
#define DLK_TEST_EXPR_FIXTURE_H

#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "deltalake/expr.h"
#include "util/time.h"
#include <string.h>

#define FIX_SCHEMA                                                                                 \
    "id: l, name: u, score: g, qty: i, price: d:10,2, day: tdD, ts: tsu:UTC, flag: b, "           \
    "pt: +s<x: g, tag: u>, tags: +l<u>, status_code: i, bin: z"

typedef struct {
    int has_id;
    int64_t id;
    const char *name;
    int has_score;
    double score;
    int has_qty;
    int64_t qty;
    const char *price;
    const char *day;
    const char *ts;
    int flag; /* -1 null */
    int pt;   /* 0 null struct */
    int has_x;
    double x;
    const char *tag;
    int ntags; /* -1 null */
    const char *tag0, *tag1;
    int has_sc;
    int64_t sc;
} fix_row;

static const fix_row FIX_ROWS[] = {
    {1, 1, "alice", 1, 1.5, 1, 10, "12.50", "2024-01-01", "2024-01-01T00:00:00Z", 1, 1, 1, 1.0, "a", 2, "a", "b", 1, 200},
    {1, 2, "bob", 1, -2.0, 0, 0, "0.99", "2024-02-15", "2024-02-15T12:00:00Z", 0, 0, 0, 0, NULL, 0, NULL, NULL, 1, 404},
    {1, 3, NULL, 0, 0, 1, 30, NULL, NULL, NULL, -1, 1, 0, 0, "c", -1, NULL, NULL, 1, 500},
    {1, 4, "O'Brien", 1, 4.25, 1, 40, "100.00", "2023-12-31", "2023-12-31T23:59:59Z", 1, 1, 1, 4.5, NULL, 1, "x", NULL, 1, 200},
    {0, 0, "a_b%c", 1, 0.0, 1, -5, "-3.10", "2024-01-01", "2024-01-01T06:30:00Z", 0, 1, 1, -1.0, "z", 2, "y", "z", 0, 0},
};
#define FIX_N ((int)(sizeof FIX_ROWS / sizeof FIX_ROWS[0]))

static int fix_build(struct ArrowSchema *schema, struct ArrowArray *batch)
{
    int rc = dlk_arrow_schema_parse(FIX_SCHEMA, schema);
    if (rc) return rc;
    dlk_arrow_builder *b;
    if ((rc = dlk_arrow_builder_new(schema, &b))) return rc;
    for (int r = 0; r < FIX_N; r++) {
        const fix_row *x = &FIX_ROWS[r];
        dlk_arrow_builder_begin(b);
#define CH(name) dlk_arrow_builder_child_by_name(b, name)
        if (x->has_id) dlk_arrow_builder_append_int(CH("id"), x->id);
        if (x->name) dlk_arrow_builder_append_string(CH("name"), x->name);
        if (x->has_score) dlk_arrow_builder_append_double(CH("score"), x->score);
        if (x->has_qty) dlk_arrow_builder_append_int(CH("qty"), x->qty);
        if (x->price) dlk_arrow_builder_append_decimal_str(CH("price"), x->price, strlen(x->price));
        if (x->day) {
            int32_t d;
            dlk_parse_date(x->day, strlen(x->day), &d);
            dlk_arrow_builder_append_int(CH("day"), d);
        }
        if (x->ts) {
            int64_t t;
            bool z;
            dlk_parse_timestamp(x->ts, strlen(x->ts), &t, &z);
            dlk_arrow_builder_append_int(CH("ts"), t);
        }
        if (x->flag >= 0) dlk_arrow_builder_append_bool(CH("flag"), x->flag);
        if (x->pt) {
            dlk_arrow_builder *p = CH("pt");
            dlk_arrow_builder_begin(p);
            if (x->has_x) dlk_arrow_builder_append_double(dlk_arrow_builder_child_by_name(p, "x"), x->x);
            if (x->tag) dlk_arrow_builder_append_string(dlk_arrow_builder_child_by_name(p, "tag"), x->tag);
            dlk_arrow_builder_end(p);
        }
        if (x->ntags >= 0) {
            dlk_arrow_builder *l = CH("tags");
            dlk_arrow_builder_begin(l);
            if (x->ntags > 0) dlk_arrow_builder_append_string(dlk_arrow_builder_child(l, 0), x->tag0);
            if (x->ntags > 1) dlk_arrow_builder_append_string(dlk_arrow_builder_child(l, 0), x->tag1);
            dlk_arrow_builder_end(l);
        }
        if (x->has_sc) dlk_arrow_builder_append_int(CH("status_code"), x->sc);
        if (x->name) dlk_arrow_builder_append_bytes(CH("bin"), x->name, strlen(x->name));
#undef CH
        if ((rc = dlk_arrow_builder_end(b))) break;
    }
    if (!rc) rc = dlk_arrow_builder_finish(b, batch);
    dlk_arrow_builder_free(b);
    return rc;
}

#endif

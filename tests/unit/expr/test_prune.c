/* Unit tests for data skipping (src/expr/prune.c): hand-written cases per
 * operator, partition values, and a property test: for random data and
 * random predicates, whenever a batch holds a matching row its statistics
 * must say "might match" (and pruning must skip something overall). */
#include "harness.h"
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "deltalake/expr.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/time.h"

#include <math.h>
#include <stdio.h>

/* ---- a provider over hand-set stats ---- */
typedef struct {
    const char *name;
    dlk_expr_col_stats st;
} col_entry;

typedef struct {
    col_entry cols[8];
    int n;
} fake;

static int fake_col(void *ctx, const char *const *path, size_t depth, const char *format, dlk_expr_col_stats *out)
{
    fake *f = ctx;
    char full[128] = "";
    for (size_t i = 0; i < depth; i++) {
        if (i) strncat(full, ".", sizeof full - strlen(full) - 1);
        strncat(full, path[i], sizeof full - strlen(full) - 1);
    }
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->cols[i].name, full)) {
            *out = f->cols[i].st;
            return DLK_OK;
        }
    return DLK_NOT_FOUND;
}

static struct ArrowSchema S;

static int might(const char *pred, fake *f, int64_t rows)
{
    dlk_expr *e = NULL;
    if (dlk_expr_parse_predicate(pred, &S, &e)) {
        fprintf(stderr, "parse %s: %s\n", pred, dlk_error_last()->message);
        return -1;
    }
    dlk_expr_stats_provider p = {f, rows, fake_col};
    bool m = false;
    int rc = dlk_expr_might_match(e, &p, &m);
    dlk_expr_free(&e);
    return rc ? -1 : m;
}

static dlk_value vi(int64_t i) { return (dlk_value){.kind = DLK_VALUE_INT, .i = i}; }
static dlk_value vd(double d) { return (dlk_value){.kind = DLK_VALUE_DOUBLE, .d = d}; }
static dlk_value vs(const char *s) { return (dlk_value){.kind = DLK_VALUE_STRING, .str = s, .len = strlen(s)}; }

static void set_minmax(fake *f, const char *name, dlk_value mn, dlk_value mx, int64_t nulls)
{
    col_entry *c = &f->cols[f->n++];
    c->name = name;
    memset(&c->st, 0, sizeof c->st);
    c->st.has_min = c->st.has_max = true;
    c->st.min = mn;
    c->st.max = mx;
    c->st.null_count = nulls;
    c->st.num_records = -1;
    c->st.nan_count = -1;
}

TEST(min_max_cases)
{
    fake f = {0};
    set_minmax(&f, "a", vi(10), vi(20), 0);
    set_minmax(&f, "s", vs("apple"), vs("melon"), 3);
    set_minmax(&f, "g", vd(1.5), vd(2.5), 0);
    set_minmax(&f, "day", vs("2024-01-01"), vs("2024-01-31"), 0);
    set_minmax(&f, "ts", vs("2024-01-01T00:00:00.000Z"), vs("2024-01-01T10:00:00.123Z"), 0);
    set_minmax(&f, "dec", vd(1.25), vd(9.99), 0);
    set_minmax(&f, "st.x", vi(0), vi(5), 0);
    set_minmax(&f, "allnull", vi(0), vi(0), 100);
    f.cols[7].st.has_min = f.cols[7].st.has_max = false;
    int64_t R = 100;
    CHECK_EQ_INT(might("a = 15", &f, R), 1);
    CHECK_EQ_INT(might("a = 9", &f, R), 0);
    CHECK_EQ_INT(might("a = 21", &f, R), 0);
    CHECK_EQ_INT(might("a < 10", &f, R), 0);
    CHECK_EQ_INT(might("a <= 10", &f, R), 1);
    CHECK_EQ_INT(might("a > 20", &f, R), 0);
    CHECK_EQ_INT(might("a >= 20", &f, R), 1);
    CHECK_EQ_INT(might("25 < a", &f, R), 0);
    CHECK_EQ_INT(might("a != 15", &f, R), 1);
    CHECK_EQ_INT(might("a IN (1, 2, 30)", &f, R), 0);
    CHECK_EQ_INT(might("a IN (1, 12)", &f, R), 1);
    CHECK_EQ_INT(might("a BETWEEN 21 AND 30", &f, R), 0);
    CHECK_EQ_INT(might("a BETWEEN 0 AND 10", &f, R), 1);
    CHECK_EQ_INT(might("NOT a BETWEEN 0 AND 30", &f, R), 0);
    CHECK_EQ_INT(might("NOT (a >= 10)", &f, R), 0);
    CHECK_EQ_INT(might("NOT (a < 25 OR a > 12)", &f, R), 0);
    CHECK_EQ_INT(might("NOT (a < 15 AND a > 12)", &f, R), 1);
    CHECK_EQ_INT(might("a = 5 OR a = 25", &f, R), 0);
    CHECK_EQ_INT(might("a = 5 OR s = 'banana'", &f, R), 1);
    CHECK_EQ_INT(might("a = 15 AND s = 'zebra'", &f, R), 0);
    CHECK_EQ_INT(might("a = NULL", &f, R), 0);
    CHECK_EQ_INT(might("a IS NULL", &f, R), 0);
    CHECK_EQ_INT(might("a IS NOT NULL", &f, R), 1);
    CHECK_EQ_INT(might("s IS NULL", &f, R), 1);
    CHECK_EQ_INT(might("NOT s IS NOT NULL", &f, R), 1);
    CHECK_EQ_INT(might("allnull IS NOT NULL", &f, R), 0);
    CHECK_EQ_INT(might("allnull = 3", &f, R), 0);
    CHECK_EQ_INT(might("allnull IS NULL", &f, R), 1);
    CHECK_EQ_INT(might("s LIKE 'b%'", &f, R), 1);
    CHECK_EQ_INT(might("s LIKE 'z%'", &f, R), 0);
    CHECK_EQ_INT(might("s LIKE 'ap%'", &f, R), 1);
    CHECK_EQ_INT(might("s LIKE 'aa%'", &f, R), 0);
    CHECK_EQ_INT(might("s LIKE 'melon'", &f, R), 1);
    CHECK_EQ_INT(might("s LIKE 'meloo%'", &f, R), 0);
    CHECK_EQ_INT(might("s NOT LIKE 'b%'", &f, R), 1);
    CHECK_EQ_INT(might("s LIKE '%z'", &f, R), 1);
    CHECK_EQ_INT(might("g > 2.5", &f, R), 1); /* NaN might hide above max */
    CHECK_EQ_INT(might("g != 2", &f, R), 1);
    f.cols[2].st.nan_count = 0;
    CHECK_EQ_INT(might("g > 2.5", &f, R), 0); /* known NaN-free */
    CHECK_EQ_INT(might("g >= 2.5", &f, R), 1);
    f.cols[2].st.nan_count = 2;
    CHECK_EQ_INT(might("g > 2.5", &f, R), 1);
    f.cols[2].st.nan_count = -1;
    CHECK_EQ_INT(might("g < 1.5", &f, R), 0);
    CHECK_EQ_INT(might("g = 3", &f, R), 0);
    CHECK_EQ_INT(might("day > '2024-01-31'", &f, R), 0);
    CHECK_EQ_INT(might("day = DATE '2024-01-15'", &f, R), 1);
    CHECK_EQ_INT(might("day < TIMESTAMP '2024-01-01T00:00:00Z'", &f, R), 0);
    /* Delta truncates timestamps to ms: 10:00:00.123999 may exist */
    CHECK_EQ_INT(might("ts > '2024-01-01T10:00:00.123500Z'", &f, R), 1);
    CHECK_EQ_INT(might("ts > '2024-01-01T10:00:00.124Z'", &f, R), 0);
    CHECK_EQ_INT(might("dec > 9.99", &f, R), 1); /* double stats: inexact, slack */
    CHECK_EQ_INT(might("dec > 10", &f, R), 0);
    CHECK_EQ_INT(might("dec < 1.24", &f, R), 0);
    CHECK_EQ_INT(might("st.x > 5", &f, R), 0);
    CHECK_EQ_INT(might("st.x = 5", &f, R), 1);
    /* not understood: might */
    CHECK_EQ_INT(might("a + 1 > 100", &f, R), 1);
    CHECK_EQ_INT(might("a > b", &f, R), 1);
    CHECK_EQ_INT(might("b = 3", &f, R), 1); /* no stats for b */
    CHECK_EQ_INT(might("TRUE", &f, R), 1);
    CHECK_EQ_INT(might("FALSE", &f, R), 0);
    CHECK_EQ_INT(might("NOT FALSE", &f, R), 1);
    CHECK_EQ_INT(might("a NOT IN (1, NULL)", &f, R), 0);
    CHECK_EQ_INT(might("flag", &f, R), 1);
}

TEST(partition_values)
{
    fake f = {0};
    col_entry *c = &f.cols[f.n++];
    c->name = "p";
    memset(&c->st, 0, sizeof c->st);
    c->st.is_partition = true;
    c->st.null_count = -1;
    c->st.num_records = -1;
    CHECK_OK(dlk_value_parse("l", "7", 1, &c->st.partition));
    c = &f.cols[f.n++];
    c->name = "s";
    memset(&c->st, 0, sizeof c->st);
    c->st.is_partition = true;
    c->st.partition.kind = DLK_VALUE_NULL;
    c = &f.cols[f.n++];
    c->name = "day";
    memset(&c->st, 0, sizeof c->st);
    c->st.is_partition = true;
    CHECK_OK(dlk_value_parse("tdD", "2024-03-01", 10, &c->st.partition));
    c = &f.cols[f.n++];
    c->name = "g";
    memset(&c->st, 0, sizeof c->st);
    c->st.is_partition = true;
    CHECK_OK(dlk_value_parse("g", "2.5", 3, &c->st.partition));
    CHECK_EQ_INT(might("p = 7", &f, 10), 1);
    CHECK_EQ_INT(might("p = 8", &f, 10), 0);
    CHECK_EQ_INT(might("p != 7", &f, 10), 0);
    CHECK_EQ_INT(might("p IN (1, 7)", &f, 10), 1);
    CHECK_EQ_INT(might("p NOT IN (1, 7)", &f, 10), 0);
    CHECK_EQ_INT(might("p IS NULL", &f, 10), 0);
    CHECK_EQ_INT(might("s IS NULL", &f, 10), 1);
    CHECK_EQ_INT(might("s = 'x'", &f, 10), 0);
    CHECK_EQ_INT(might("s IS NOT NULL", &f, 10), 0);
    CHECK_EQ_INT(might("day >= '2024-03-01' AND day < '2024-04-01'", &f, 10), 1);
    CHECK_EQ_INT(might("day = '2024-03-02'", &f, 10), 0);
    CHECK_EQ_INT(might("g > 2.5", &f, 10), 0);
    CHECK_EQ_INT(might("g != 2.5", &f, 10), 0);
    dlk_value v;
    CHECK_RC(dlk_value_parse("l", "x7", 2, &v), DLK_PARSE);
    CHECK_OK(dlk_value_parse("d:10,2", "12.5", 4, &v));
    CHECK_EQ_INT(v.kind, DLK_VALUE_DECIMAL);
    CHECK_EQ_INT((int64_t)v.dec_lo, 1250);
    CHECK_OK(dlk_value_parse("tsu:UTC", "2024-01-01 01:00:00", 19, &v));
    CHECK_EQ_INT(v.i, 1704070800000000LL);
    CHECK_OK(dlk_value_parse("b", "true", 4, &v));
    CHECK(v.b);
}

/* ---- property test ---- */
#define NROW 24
typedef struct {
    bool null;
    int64_t i;
    double d;
    char s[8];
} cell;

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int rint_(int n) { return (int)(rnd() % (uint64_t)n); }

/* columns: a l, g g, s u, day tdD, p l (constant per batch: partition), dec d:10,2 */
static cell data[6][NROW];
static const char *NAMES[6] = {"a", "g", "s", "day", "p", "dec"};
static int mode; /* 0: typed stats; 1: Delta-like text/double stats */

static void gen_batch(int nullpct)
{
    int64_t pv = rint_(5);
    bool pnull = rint_(6) == 0;
    int64_t base = rint_(40);
    for (int r = 0; r < NROW; r++) {
        for (int c = 0; c < 6; c++) {
            cell *x = &data[c][r];
            memset(x, 0, sizeof *x);
            x->null = rint_(100) < nullpct;
            switch (c) {
            case 0: x->i = base + rint_(15) - 5; break;
            case 1: x->d = (rint_(40) - 20) / 4.0; if (rint_(30) == 0) x->d = NAN; break;
            case 2: {
                int len = rint_(4);
                for (int k = 0; k < len; k++) x->s[k] = (char)('a' + rint_(4));
                break;
            }
            case 3: x->i = 19700 + base + rint_(10); break;
            case 4: x->i = pv; x->null = pnull; break;
            case 5: x->i = (base - 20) * 100 + rint_(500); break;
            }
        }
    }
}

static int build(struct ArrowArray *out)
{
    dlk_arrow_builder *b;
    int rc = dlk_arrow_builder_new(&S, &b);
    if (rc) return rc;
    for (int r = 0; r < NROW; r++) {
        dlk_arrow_builder_begin(b);
        for (int c = 0; c < 6; c++) {
            cell *x = &data[c][r];
            dlk_arrow_builder *k = dlk_arrow_builder_child_by_name(b, NAMES[c]);
            if (x->null) continue;
            if (c == 1) dlk_arrow_builder_append_double(k, x->d);
            else if (c == 2) dlk_arrow_builder_append_string(k, x->s);
            else if (c == 5) dlk_arrow_builder_append_decimal(k, x->i < 0 ? -1 : 0, (uint64_t)x->i);
            else dlk_arrow_builder_append_int(k, x->i);
        }
        dlk_arrow_builder_end(b);
    }
    rc = dlk_arrow_builder_finish(b, out);
    dlk_arrow_builder_free(b);
    return rc;
}

static char txtbuf[6][2][40];
static int batch_col(void *ctx, const char *const *path, size_t depth, const char *format, dlk_expr_col_stats *out)
{
    int c = -1;
    for (int k = 0; k < 6; k++)
        if (!strcmp(path[0], NAMES[k])) c = k;
    if (c < 0 || depth != 1) return DLK_NOT_FOUND;
    if (c == 4) {
        out->is_partition = true;
        if (data[4][0].null) out->partition.kind = DLK_VALUE_NULL;
        else {
            snprintf(txtbuf[4][0], 40, "%lld", (long long)data[4][0].i);
            out->partition = vs(txtbuf[4][0]);
        }
        return DLK_OK;
    }
    int64_t nulls = 0, nans = 0;
    int mn = -1, mx = -1;
    for (int r = 0; r < NROW; r++) {
        cell *x = &data[c][r];
        if (x->null) {
            nulls++;
            continue;
        }
        if (c == 1 && isnan(x->d)) {
            nans++;
            continue;
        }
        if (mn < 0) mn = mx = r;
        int lt, gt;
        if (c == 1) lt = x->d < data[c][mn].d, gt = x->d > data[c][mx].d;
        else if (c == 2) lt = strcmp(x->s, data[c][mn].s) < 0, gt = strcmp(x->s, data[c][mx].s) > 0;
        else lt = x->i < data[c][mn].i, gt = x->i > data[c][mx].i;
        if (lt) mn = r;
        if (gt) mx = r;
    }
    out->null_count = nulls;
    if (c == 1 && !mode) out->nan_count = nans; /* Parquet-like: NaN counted apart */
    if (mn < 0) return DLK_OK;
    out->has_min = out->has_max = true;
    for (int k = 0; k < 2; k++) {
        cell *x = &data[c][k ? mx : mn];
        dlk_value *v = k ? &out->max : &out->min;
        switch (c) {
        case 1: *v = vd(x->d); break;
        case 2: *v = vs(x->s); break;
        case 3:
            if (mode) {
                dlk_format_date((int32_t)x->i, txtbuf[c][k]);
                *v = vs(txtbuf[c][k]);
            } else {
                *v = vi(x->i);
            }
            break;
        case 5:
            if (mode) *v = vd((double)x->i / 100.0);
            else *v = (dlk_value){.kind = DLK_VALUE_DECIMAL, .dec_hi = x->i < 0 ? -1 : 0, .dec_lo = (uint64_t)x->i, .scale = 2};
            break;
        default:
            if (mode) {
                snprintf(txtbuf[c][k], 40, "%lld", (long long)x->i);
                *v = vs(txtbuf[c][k]);
            } else {
                *v = vi(x->i);
            }
        }
    }
    return DLK_OK;
}

static void lit_for(int c, dlk_buf *b)
{
    if (rint_(15) == 0) {
        dlk_buf_puts(b, "NULL");
        return;
    }
    int64_t base = rint_(40);
    switch (c) {
    case 0:
    case 4: dlk_buf_printf(b, "%lld", (long long)(c == 4 ? rint_(6) : base + rint_(15) - 5)); break;
    case 1: dlk_buf_printf(b, "%g", (rint_(44) - 22) / 4.0); break;
    case 2: {
        dlk_buf_putc(b, '\'');
        int len = rint_(4);
        for (int k = 0; k < len; k++) dlk_buf_putc(b, 'a' + rint_(5));
        dlk_buf_putc(b, '\'');
        break;
    }
    case 3: {
        char t[40];
        dlk_format_date((int32_t)(19700 + base + rint_(10)), t);
        dlk_buf_printf(b, rint_(2) ? "'%s'" : "DATE '%s'", t);
        break;
    }
    case 5: dlk_buf_printf(b, "%.2f", ((base - 20) * 100 + rint_(500)) / 100.0); break;
    }
}

static void gen_pred(dlk_buf *b, int depth)
{
    int k = depth > 2 ? 6 + rint_(6) : rint_(14);
    static const char *ops[] = {"=", "!=", "<", "<=", ">", ">=", "<>"};
    int c = rint_(6);
    switch (k) {
    case 0:
    case 1:
        dlk_buf_putc(b, '(');
        gen_pred(b, depth + 1);
        dlk_buf_puts(b, k ? " OR " : " AND ");
        gen_pred(b, depth + 1);
        dlk_buf_putc(b, ')');
        break;
    case 2:
        dlk_buf_puts(b, "NOT (");
        gen_pred(b, depth + 1);
        dlk_buf_putc(b, ')');
        break;
    case 3:
    case 4:
        dlk_buf_puts(b, "(");
        gen_pred(b, depth + 1);
        dlk_buf_puts(b, rint_(2) ? " AND " : " OR ");
        gen_pred(b, depth + 1);
        dlk_buf_putc(b, ')');
        break;
    case 5: /* literal on the left */
        lit_for(c, b);
        dlk_buf_printf(b, " %s %s", ops[rint_(7)], NAMES[c]);
        break;
    case 6:
    case 7:
        dlk_buf_printf(b, "%s %s ", NAMES[c], ops[rint_(7)]);
        lit_for(c, b);
        break;
    case 8: {
        dlk_buf_printf(b, "%s %sIN (", NAMES[c], rint_(3) ? "" : "NOT ");
        int n = 1 + rint_(3);
        for (int i = 0; i < n; i++) {
            if (i) dlk_buf_puts(b, ", ");
            lit_for(c, b);
        }
        dlk_buf_putc(b, ')');
        break;
    }
    case 9:
        dlk_buf_printf(b, "%s %sBETWEEN ", NAMES[c], rint_(3) ? "" : "NOT ");
        lit_for(c, b);
        dlk_buf_puts(b, " AND ");
        lit_for(c, b);
        break;
    case 10: dlk_buf_printf(b, "%s IS %sNULL", NAMES[c], rint_(2) ? "" : "NOT "); break;
    default: {
        static const char *pats[] = {"a%", "b%", "ab%", "%a", "c_", "", "%", "d%", "ba", "a"};
        dlk_buf_printf(b, "s %sLIKE '%s'", rint_(4) ? "" : "NOT ", pats[rint_(10)]);
        break;
    }
    }
}

TEST(property_never_skip_a_match)
{
    int checked = 0, skipped = 0, matched = 0;
    for (int iter = 0; iter < 600; iter++) {
        mode = iter & 1;
        gen_batch(iter % 3 == 0 ? 0 : iter % 3 == 1 ? 20 : 90);
        struct ArrowArray batch;
        if (build(&batch)) {
            CHECK(0);
            fprintf(stderr, "build: %s\n", dlk_error_last()->message);
            return;
        }
        for (int q = 0; q < 20; q++) {
            dlk_buf b = {0};
            gen_pred(&b, 0);
            dlk_expr *e = NULL;
            if (dlk_expr_parse_predicate(dlk_buf_cstr(&b), &S, &e)) {
                fprintf(stderr, "parse '%s': %s\n", dlk_buf_cstr(&b), dlk_error_last()->message);
                CHECK(0);
                dlk_buf_free(&b);
                continue;
            }
            struct ArrowArray out;
            int64_t n = 0;
            if (dlk_expr_filter(e, &S, &batch, &out, &n)) {
                fprintf(stderr, "filter '%s': %s\n", dlk_buf_cstr(&b), dlk_error_last()->message);
                CHECK(0);
            } else {
                dlk_arrow_array_release(&out);
            }
            dlk_expr_stats_provider p = {NULL, NROW, batch_col};
            bool m = true;
            CHECK_OK(dlk_expr_might_match(e, &p, &m));
            checked++;
            if (n > 0) matched++;
            if (!m) skipped++;
            if (n > 0 && !m) {
                fprintf(stderr, "skipped a batch with %lld matches: %s (mode %d)\n", (long long)n, dlk_buf_cstr(&b), mode);
                CHECK(0);
            }
            dlk_expr_free(&e);
            dlk_buf_free(&b);
        }
        dlk_arrow_array_release(&batch);
    }
    fprintf(stderr, "property: %d predicates, %d with matches, %d batches skipped\n", checked, matched, skipped);
    CHECK(skipped > checked / 10);
}

int main(void)
{
    if (dlk_arrow_schema_parse("a: l, g: g, s: u, day: tdD, p: l, dec: d:10,2, ts: tsu:UTC, st: +s<x: i>, "
                               "allnull: l, b: l, flag: b",
                               &S))
        return 1;
    RUN(min_max_cases);
    RUN(partition_values);
    RUN(property_never_skip_a_match);
    dlk_arrow_schema_release(&S);
    return harness_done();
}

/* Unit tests for src/expr: lexer/parser errors with positions, binder type
 * checks and suggestions, vectorized evaluation with three-valued logic
 * over every type, result conversion, selection and take/filter. */
#include "harness.h"
#include "fixture.h"
#include "util/alloc.h"

static struct ArrowSchema S;
static struct ArrowArray B;

/* Evaluate pred over the fixture: one char per row, T / F / N(ull). */
static char res[64];
static const char *ev(const char *pred)
{
    dlk_expr *e = NULL;
    if (dlk_expr_parse_predicate(pred, &S, &e)) {
        snprintf(res, sizeof res, "ERR %s", dlk_error_last()->message);
        return res;
    }
    struct ArrowArray out;
    if (dlk_expr_evaluate(e, &B, &out)) {
        snprintf(res, sizeof res, "EVAL %s", dlk_error_last()->message);
        dlk_expr_free(&e);
        return res;
    }
    for (int64_t i = 0; i < out.length; i++)
        res[i] = !dlk_arrow_is_valid(&out, i) ? 'N' : dlk_bit_get(out.buffers[1], i) ? 'T' : 'F';
    res[out.length] = 0;
    dlk_arrow_array_release(&out);
    dlk_expr_free(&e);
    return res;
}

static int err_of(const char *text, bool pred, const char **msg)
{
    dlk_expr *e = NULL;
    int rc = pred ? dlk_expr_parse_predicate(text, &S, &e) : dlk_expr_parse_expression(text, &S, &e);
    dlk_expr_free(&e);
    *msg = dlk_error_last()->message;
    return rc;
}

#define EV(p, want) CHECK_STR(ev(p), want)

TEST(comparisons)
{
    EV("id = 1", "TFFFN");
    EV("id == 1", "TFFFN");
    EV("id != 1", "FTTTN");
    EV("id <> 1", "FTTTN");
    EV("id < 3", "TTFFN");
    EV("id <= 3", "TTTFN");
    EV("id > 3", "FFFTN");
    EV("id >= 3", "FFTTN");
    EV("3 < id", "FFFTN");
    EV("name = 'bob'", "FTNFF");
    EV("name = 'O''Brien'", "FFNTF");
    EV("name > 'b'", "FTNFF");
    EV("score > 1", "TFNTF");
    EV("score = 4.25", "FFNTF");
    EV("qty >= 10.5", "FNTTF");
    EV("flag", "TFNTF");
    EV("flag = false", "FTNFT");
    EV("bin = 'bob'", "FTNFF");
}

TEST(logic_three_valued)
{
    /* qty is NULL in row 1, flag NULL in row 2 */
    EV("flag AND qty > 0", "TFNTF");
    EV("flag OR qty > 0", "TNTTF");
    EV("NOT flag", "FTNFT");
    EV("NULL AND FALSE", "FFFFF");
    EV("NULL AND TRUE", "NNNNN");
    EV("NULL OR TRUE", "TTTTT");
    EV("NULL OR FALSE", "NNNNN");
    EV("NOT NULL", "NNNNN");
    EV("id = NULL", "NNNNN");
    EV("(id = 1 OR id = 2) AND NOT (name = 'bob')", "TFFFN");
    EV("id = 1 OR id = 2 AND name = 'x'", "TFFFN"); /* AND binds tighter */
    EV("not id = 1", "FTTTN");
}

TEST(null_in_between_like)
{
    EV("name IS NULL", "FFTFF");
    EV("name IS NOT NULL", "TTFTT");
    EV("pt IS NULL", "FTFFF");
    EV("pt.x IS NULL", "FTTFF");
    EV("id IN (1, 3)", "TFTFN");
    EV("id IN (1, NULL)", "TNNNN");
    EV("id NOT IN (1, 3)", "FTFTN");
    EV("id NOT IN (1, NULL)", "FNNNN");
    EV("name IN ('bob', 'alice')", "TTNFF");
    EV("id BETWEEN 2 AND 3", "FTTFN");
    EV("id NOT BETWEEN 2 AND 3", "TFFTN");
    EV("score BETWEEN -2 AND 1.5", "TTNFT");
    EV("name LIKE 'a%'", "TFNFT");
    EV("name LIKE '%b%'", "FTNFT");
    EV("name LIKE '_o_'", "FTNFF");
    EV("name NOT LIKE 'a%'", "FTNTF");
    EV("name LIKE 'a_b%c'", "FFNFT");
    EV("name LIKE '%'", "TTNTT");
    EV("name LIKE ''", "FFNFF");
    EV("name LIKE 'O''%'", "FFNTF");
    /* ESCAPE: the escaped character matches only itself */
    EV("name LIKE 'a!%' ESCAPE '!'", "FFNFF");
    EV("name LIKE '%!e' ESCAPE '!'", "TFNFF");
    EV("name LIKE 'a%' ESCAPE 'a'", "FFNFF");
    EV("name LIKE 'ali%' ESCAPE NULL", "NNNNN");
    EV("name LIKE 'x!' ESCAPE '!'", "EVAL LIKE pattern ends with the escape character at 1:6");
}

TEST(arithmetic)
{
    EV("id + 1 = 2", "TFFFN");
    EV("id * 2 - 1 = 5", "FFTFN");
    EV("1 + 2 * 3 = 7", "TTTTT");
    EV("(1 + 2) * 3 = 9", "TTTTT");
    EV("-id = -2", "FTFFN");
    EV("- - id = 2", "FTFFN");
    EV("id / 2 = 0.5", "TFFFN");
    EV("qty / 0 IS NULL", "FTFFF");
    EV("qty / 0 > 1e308", "TNTTF");
    EV("0 / 0 > 1e308", "TTTTT"); /* NaN sorts above all numbers */
    EV("score * 2 > qty", "FNNFT");
    EV("price * 2 = 25", "TFNFF");
    EV("price + 1 > 13.4", "TFNTF");
    EV("price - qty < 0", "FNNFF");
    EV("id + 9223372036854775807 > 0", "EVAL integer overflow in '+' at 1:4");
    EV("-9223372036854775808 < id", "TTTTN");
    EV("1e2 = 100", "TTTTT");
    EV(".5 = 0.5", "TTTTT");
    /* % : truncated remainder (sign of the dividend); integer % 0 is NULL, double % 0 NaN */
    EV("id % 2 = 1", "TFTFN");
    EV("-id % 2 = -1", "TFTFN");
    EV("id % -2 = 1", "TFTFN");
    EV("id % 0 IS NULL", "TTTTT");
    EV("score % 1 = 0.5", "TFNFF");
    EV("score % 0 > 1e308", "TTNTT");
    EV("price % 5 = 2.5", "TFNFF");
    EV("price % 0 IS NULL", "TTTTT");
    EV("1 + 7 % 4 * 2 = 7", "TTTTT");
    EV("-9223372036854775808 % -1 = 0", "TTTTT");
}

TEST(decimals_and_dates)
{
    EV("price = 12.5", "TFNFF");
    EV("price = 12.50", "TFNFF");
    EV("price > 0.989", "TTNTF");
    EV("price < 0", "FFNFT");
    EV("price = '0.99'", "FTNFF");
    EV("price > 99.999999999999999999", "FFNTF");
    EV("day = DATE '2024-01-01'", "TFNFT");
    EV("day = '2024-01-01'", "TFNFT");
    EV("day < '2024-01-01'", "FFNTF");
    EV("day BETWEEN '2024-01-01' AND '2024-12-31'", "TTNFT");
    EV("ts >= TIMESTAMP '2024-01-01T00:00:00Z'", "TTNFT");
    EV("ts > '2024-01-01T05:00:00+00:00'", "FTNFT");
    EV("ts > '2024-01-01 06:30:00'", "FTNFF");
    EV("ts < DATE '2024-01-01'", "FFNTF");
    EV("ts = day", "TFNFF");
    EV("status_code IN (200, 201)", "TFFTN");
    EV("pt.x > 0", "TNNTF");
    EV("pt.tag = 'c'", "FNTNF");
    EV("pt.`tag` = 'a' OR `id` = 4", "TNFTN"); /* pt NULL in row 1 */
    EV("ID = 1", "TFFFN"); /* case-insensitive match */
}

TEST(errors_with_positions)
{
    const char *m;
    CHECK_RC(err_of("statuscode = 200", true, &m), DLK_NOT_FOUND);
    CHECK_STR(m, "column 'statuscode' not found at 1:1; did you mean 'status_code'?");
    CHECK_RC(err_of("id = 1 AND\n  zzzzzzz > 2", true, &m), DLK_NOT_FOUND);
    CHECK_STR(m, "column 'zzzzzzz' not found at 2:3");
    CHECK_RC(err_of("pt.y = 1", true, &m), DLK_NOT_FOUND);
    CHECK_STR(m, "column 'pt.y' not found at 1:1; did you mean 'x'?");
    CHECK_RC(err_of("name = 5", true, &m), DLK_SCHEMA_MISMATCH);
    CHECK_STR(m, "cannot compare string with long at 1:8");
    CHECK_RC(err_of("name > id", true, &m), DLK_SCHEMA_MISMATCH);
    CHECK_STR(m, "cannot compare string with long at 1:8");
    CHECK_RC(err_of("name + 1 > 0", true, &m), DLK_SCHEMA_MISMATCH);
    CHECK_STR(m, "cannot apply '+' to string with long at 1:6");
    CHECK_RC(err_of("id = 1 AND", true, &m), DLK_PARSE);
    CHECK_STR(m, "expected a value or column but found end of input at 1:11");
    CHECK_RC(err_of("id = 'abc", true, &m), DLK_PARSE);
    CHECK_STR(m, "unterminated string starting at 1:6");
    CHECK_RC(err_of("id = 1)", true, &m), DLK_PARSE);
    CHECK_STR(m, "expected an operator or end of input but found ')' at 1:7");
    CHECK_RC(err_of("id # 1", true, &m), DLK_PARSE);
    CHECK_STR(m, "unexpected character '#' at 1:4");
    CHECK_RC(err_of("id + 1", true, &m), DLK_SCHEMA_MISMATCH);
    CHECK_STR(m, "a predicate needs a boolean but got long at 1:4");
    CHECK_RC(err_of("day = '2024-13-01'", true, &m), DLK_SCHEMA_MISMATCH);
    CHECK_RC(err_of("tags = 'x'", true, &m), DLK_UNSUPPORTED);
    CHECK_RC(err_of("id IN 1", true, &m), DLK_PARSE);
    CHECK_RC(err_of("", true, &m), DLK_PARSE);
    CHECK_RC(err_of("name LIKE 5", true, &m), DLK_SCHEMA_MISMATCH);
    CHECK_RC(err_of("name LIKE 'a' ESCAPE '!!'", true, &m), DLK_SCHEMA_MISMATCH);
    CHECK_STR(m, "ESCAPE needs a one-character string literal at 1:22");
    CHECK_RC(err_of("name LIKE 'a' ESCAPE name", true, &m), DLK_SCHEMA_MISMATCH);
    CHECK_RC(err_of("name % 2 = 1", true, &m), DLK_SCHEMA_MISMATCH);
    CHECK_STR(m, "cannot apply '%' to string with long at 1:6");
    CHECK_RC(err_of("DATE 'nope' = day", true, &m), DLK_PARSE);
    CHECK_RC(err_of("12abc = 1", true, &m), DLK_PARSE);
    CHECK_RC(err_of("``", true, &m), DLK_PARSE);
    /* deep nesting is an error, not a stack overflow */
    char deep[2100];
    memset(deep, '(', 1000);
    strcpy(deep + 1000, "id = 1");
    memset(deep + 1006, ')', 1000);
    deep[2006] = 0;
    CHECK_RC(err_of(deep, true, &m), DLK_PARSE);
    memset(deep, '-', 2000);
    strcpy(deep + 2000, "id = 1");
    CHECK_RC(err_of(deep, true, &m), DLK_PARSE);
}

TEST(expressions_and_text)
{
    dlk_expr *e = NULL;
    CHECK_OK(dlk_expr_parse_expression("qty * 2 + 1", &S, &e));
    CHECK_STR(dlk_expr_result_format(e), "l");
    CHECK_STR(dlk_expr_to_string(e), "((qty * 2) + 1)");
    struct ArrowArray out;
    CHECK_OK(dlk_expr_evaluate_as(e, &B, "i", &out));
    CHECK_EQ_INT(out.null_count, 1);
    CHECK_EQ_INT(((int32_t *)out.buffers[1])[0], 21);
    CHECK_EQ_INT(((int32_t *)out.buffers[1])[4], -9);
    dlk_arrow_array_release(&out);
    CHECK_RC(dlk_expr_evaluate_as(e, &B, "c", &out), DLK_OK);
    dlk_arrow_array_release(&out);
    dlk_expr_free(&e);
    CHECK_OK(dlk_expr_parse_expression("qty * 1000", &S, &e));
    CHECK_RC(dlk_expr_evaluate_as(e, &B, "c", &out), DLK_SCHEMA_MISMATCH);
    dlk_expr_free(&e);

    CHECK_OK(dlk_expr_parse_expression("price * 2", &S, &e));
    CHECK_STR(dlk_expr_result_format(e), "d:38,2");
    CHECK_OK(dlk_expr_evaluate_as(e, &B, "d:10,2", &out));
    int64_t lo;
    memcpy(&lo, (const uint8_t *)out.buffers[1] + 16 * 0, 8);
    CHECK_EQ_INT(lo, 2500);
    dlk_arrow_array_release(&out);
    dlk_expr_free(&e);

    CHECK_OK(dlk_expr_parse_expression("name", &S, &e));
    CHECK_OK(dlk_expr_evaluate(e, &B, &out));
    CHECK_EQ_INT(out.null_count, 1);
    CHECK(memcmp((const char *)out.buffers[2], "alicebob", 8) == 0);
    dlk_arrow_array_release(&out);
    dlk_expr_free(&e);

    CHECK_OK(dlk_expr_parse_predicate("NOT (`name` LIKE 'a%' AND pt.x IN (1, 2)) OR day = '2024-01-01'", &S, &e));
    CHECK_STR(dlk_expr_to_string(e),
              "((NOT ((name LIKE 'a%') AND (pt.x IN (1, 2)))) OR (day = DATE '2024-01-01'))");
    const char *const *cols;
    size_t nc;
    dlk_expr_columns(e, &cols, &nc);
    CHECK_EQ_INT(nc, 3);
    CHECK_STR(cols[0], "name");
    CHECK_STR(cols[1], "pt");
    CHECK_STR(cols[2], "day");
    dlk_expr_free(&e);
    dlk_expr_free(&e); /* NULL-safe */
}

TEST(filter_and_take)
{
    dlk_expr *e = NULL;
    CHECK_OK(dlk_expr_parse_predicate("id >= 2 AND id <> 3", &S, &e));
    struct ArrowArray out;
    int64_t n = -1;
    CHECK_OK(dlk_expr_filter(e, &S, &B, &out, &n));
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(out.length, 2);
    /* rows 1 (bob) and 3 (O'Brien) */
    CHECK_EQ_INT(((int64_t *)out.children[0]->buffers[1])[0], 2);
    CHECK_EQ_INT(((int64_t *)out.children[0]->buffers[1])[1], 4);
    const int32_t *o = out.children[1]->buffers[1];
    CHECK_EQ_INT(o[2] - o[0], 10);
    CHECK(memcmp((const char *)out.children[1]->buffers[2], "bobO'Brien", 10) == 0);
    /* pt null in the first, {4.5, null} in the second */
    struct ArrowArray *pt = out.children[8];
    CHECK_EQ_INT(pt->null_count, 1);
    CHECK(!dlk_arrow_is_valid(pt, 0));
    CHECK(dlk_arrow_is_valid(pt, 1));
    CHECK(((double *)pt->children[0]->buffers[1])[1] == 4.5);
    CHECK(!dlk_arrow_is_valid(pt->children[1], 1));
    /* tags: [] and ["x"] */
    struct ArrowArray *tags = out.children[9];
    CHECK_EQ_INT(((int32_t *)tags->buffers[1])[1], 0);
    CHECK_EQ_INT(((int32_t *)tags->buffers[1])[2], 1);
    CHECK_EQ_INT(tags->children[0]->length, 1);
    CHECK(memcmp(tags->children[0]->buffers[2], "x", 1) == 0);
    /* filtering the filtered batch evaluates the same */
    struct ArrowArray again;
    CHECK_OK(dlk_expr_filter(e, &S, &out, &again, &n));
    CHECK_EQ_INT(n, 2);
    dlk_arrow_array_release(&again);
    dlk_arrow_array_release(&out);

    /* a sliced batch (offset 1 on the root and on the children) */
    struct ArrowArray sl;
    int64_t all[5] = {0, 1, 2, 3, 4};
    CHECK_OK(dlk_expr_take(&S, &B, all, 5, &sl));
    sl.offset = 1;
    sl.length = 4;
    CHECK_OK(dlk_expr_filter(e, &S, &sl, &out, &n));
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(((int64_t *)out.children[0]->buffers[1])[1], 4);
    dlk_arrow_array_release(&out);
    struct ArrowArray mask;
    CHECK_OK(dlk_expr_evaluate(e, &sl, &mask));
    int64_t *sel;
    CHECK_OK(dlk_expr_selection(&mask, &sel, &n));
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(sel[0], 0);
    CHECK_EQ_INT(sel[1], 2);
    dlk_expr_selection_free(sel);
    dlk_arrow_array_release(&mask);
    int64_t bad = 9;
    CHECK_RC(dlk_expr_take(&S, &sl, &bad, 1, &out), DLK_INVALID_ARGUMENT);
    dlk_arrow_array_release(&sl);
    dlk_expr_free(&e);
}

TEST(dictionary_column)
{
    /* schema: k: dictionary(i -> u) */
    struct ArrowSchema s, *kid = dlk_calloc(1, sizeof *kid);
    dlk_arrow_schema_new(&s, "+s", "", 0, 1);
    dlk_arrow_schema_new(kid, "i", "k", ARROW_FLAG_NULLABLE, 0);
    kid->dictionary = dlk_calloc(1, sizeof *kid->dictionary);
    dlk_arrow_schema_new(kid->dictionary, "u", "", 0, 0);
    dlk_free(s.children[0]);
    s.children[0] = kid;
    struct ArrowArray a;
    dlk_arrow_array_new(&a, 4, 1, 1);
    struct ArrowArray *c = a.children[0];
    dlk_arrow_array_new(c, 4, 2, 0);
    int32_t *ix = dlk_arrow_array_alloc_buffer(c, 1, 16);
    ix[0] = 1, ix[1] = 0, ix[2] = 1, ix[3] = 0;
    uint8_t *v = dlk_arrow_array_alloc_buffer(c, 0, 1);
    v[0] = 0x7; /* row 3 null */
    c->null_count = 1;
    struct ArrowArray *d = dlk_arrow_array_add_dictionary(c);
    dlk_arrow_array_new(d, 2, 3, 0);
    int32_t *o = dlk_arrow_array_alloc_buffer(d, 1, 12);
    o[0] = 0, o[1] = 3, o[2] = 6;
    memcpy(dlk_arrow_array_alloc_buffer(d, 2, 6), "foobar", 6);
    dlk_expr *e = NULL;
    CHECK_OK(dlk_expr_parse_predicate("k = 'bar'", &s, &e));
    struct ArrowArray out;
    int64_t n;
    CHECK_OK(dlk_expr_filter(e, &s, &a, &out, &n));
    CHECK_EQ_INT(n, 2);
    CHECK(out.children[0]->dictionary != NULL);
    CHECK_EQ_INT(((int32_t *)out.children[0]->buffers[1])[1], 1);
    dlk_arrow_array_release(&out);
    dlk_expr_free(&e);
    dlk_arrow_array_release(&a);
    dlk_arrow_schema_release(&s);
}

TEST(alloc_failures)
{
    /* every allocation failure reports NO_MEMORY and leaks nothing (ASan) */
    for (long k = 1; k < 400; k++) {
        dlk_alloc_fail_after(k);
        dlk_expr *e = NULL;
        int rc = dlk_expr_parse_predicate("name LIKE 'a%' AND id IN (1, 2) OR price BETWEEN 1 AND 2", &S, &e);
        struct ArrowArray out;
        int64_t n;
        if (!rc) rc = dlk_expr_filter(e, &S, &B, &out, &n);
        dlk_alloc_fail_after(0);
        if (!rc) {
            dlk_arrow_array_release(&out);
            dlk_expr_free(&e);
            break;
        }
        CHECK_EQ_INT(rc, DLK_NO_MEMORY);
        dlk_expr_free(&e);
    }
}

int main(void)
{
    if (fix_build(&S, &B)) {
        fprintf(stderr, "fixture: %s\n", dlk_error_last()->message);
        return 1;
    }
    RUN(comparisons);
    RUN(logic_three_valued);
    RUN(null_in_between_like);
    RUN(arithmetic);
    RUN(decimals_and_dates);
    RUN(errors_with_positions);
    RUN(expressions_and_text);
    RUN(filter_and_take);
    RUN(dictionary_column);
    RUN(alloc_failures);
    dlk_arrow_array_release(&B);
    dlk_arrow_schema_release(&S);
    return harness_done();
}

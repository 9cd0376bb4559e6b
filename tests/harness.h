/*
 * tests/harness.h - a minimal unit-test harness.
 *
 *     TEST(parse_basic) { CHECK(x == 1); CHECK_EQ_INT(a, b); CHECK_STR(s, "x"); }
 *     int main(void) { RUN(parse_basic); return harness_done(); }
 *
 * A failed check prints file:line and the values, marks the test failed
 * and continues. harness_done prints "N passed, N failed" and returns the
 * process exit status. SKIP("why") ends a test as skipped, loudly (only for
 * a peer that cannot be installed). harness_testdata() locates the
 * conformance corpora (tests/data) and fails the program when they are absent.
 */
#ifndef DLK_TESTS_HARNESS_H
#define DLK_TESTS_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testdata.h"

static int h_passed, h_failed, h_skipped, h_cur_failed, h_cur_skipped;

#define TEST(name) static void test_##name(void)
#define RUN(name)                                                                                  \
    do {                                                                                           \
        h_cur_failed = h_cur_skipped = 0;                                                          \
        test_##name();                                                                             \
        if (h_cur_skipped) {                                                                       \
            h_skipped++;                                                                           \
        } else if (h_cur_failed) {                                                                 \
            h_failed++;                                                                            \
            fprintf(stderr, "FAIL %s\n", #name);                                                   \
        } else {                                                                                   \
            h_passed++;                                                                            \
            fprintf(stderr, "ok   %s\n", #name);                                                   \
        }                                                                                          \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            h_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long _a = (long long)(a), _b = (long long)(b);                                        \
        if (_a != _b) {                                                                            \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b,  \
                    _a, _b);                                                                       \
            h_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *_a = (a), *_b = (b);                                                           \
        if (!_a || !_b || strcmp(_a, _b) != 0) {                                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a,  \
                    #b, _a ? _a : "(null)", _b ? _b : "(null)");                                   \
            h_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

/* Check that an expression returns the given status code. */
#define CHECK_RC(expr, code)                                                                       \
    do {                                                                                           \
        int _rc = (expr);                                                                          \
        if (_rc != (code)) {                                                                       \
            fprintf(stderr, "%s:%d: %s returned %d, wanted %d (%s)\n", __FILE__, __LINE__, #expr,  \
                    _rc, (int)(code), dlk_error_last()->message);                                  \
            h_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, 0)

#define SKIP(why)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "SKIP %s: %s\n", __func__, why);                                           \
        h_cur_skipped = 1;                                                                         \
        return;                                                                                    \
    } while (0)

static inline int harness_done(void)
{
    printf("%d passed, %d failed, %d skipped\n", h_passed, h_failed, h_skipped);
    return h_failed ? 1 : 0;
}

#endif

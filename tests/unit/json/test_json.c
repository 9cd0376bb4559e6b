/*
 * tests/unit/json/test_json.c - the JSON pull reader: walking values,
 * strings and numbers, refusals with positions, the SIMD and bytewise
 * scanners agreeing, and a differential run against jansson over every
 * JSON line of the conformance corpora and seeded mutations of them.
 */
#include "harness.h"
#include "json/json.h"
#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>

/* Our reader's value at r as a jansson tree (NULL on our refusal); *bigint
 * set when an integer beyond 64 bits was met (jansson refuses those). */
static json_t *to_tree(dlk_json_reader *r, bool *bigint)
{
    dlk_json_tok t;
    if (dlk_json_next(r, &t)) return NULL;
    switch (t.type) {
    case DLK_JSON_NULL:
        return json_null();
    case DLK_JSON_TRUE:
        return json_true();
    case DLK_JSON_FALSE:
        return json_false();
    case DLK_JSON_NUMBER: {
        int64_t v;
        int k = dlk_json_i64(&t, &v);
        if (k == DLK_JSON_INT_OK) return json_integer(v);
        if (k == DLK_JSON_INT_RANGE) *bigint = true;
        return json_real(dlk_json_f64(&t));
    }
    case DLK_JSON_STRING: {
        dlk_buf b = {0};
        dlk_json_str_append(&t, &b);
        json_t *s = json_stringn((const char *)b.data ? (const char *)b.data : "", b.len);
        dlk_buf_free(&b);
        return s;
    }
    case DLK_JSON_ARRAY: {
        json_t *a = json_array();
        for (;;) {
            bool done;
            if (dlk_json_elem(r, &done)) break;
            if (done) return a;
            json_t *v = to_tree(r, bigint);
            if (!v) break;
            json_array_append_new(a, v);
        }
        json_decref(a);
        return NULL;
    }
    case DLK_JSON_OBJECT: {
        json_t *o = json_object();
        for (;;) {
            bool done;
            dlk_json_tok k;
            if (dlk_json_key(r, &k, &done)) break;
            if (done) return o;
            dlk_buf kb = {0};
            dlk_json_str_append(&k, &kb);
            json_t *v = to_tree(r, bigint);
            if (!v) {
                dlk_buf_free(&kb);
                break;
            }
            json_object_setn_new(o, kb.data ? (const char *)kb.data : "", kb.len, v);
            dlk_buf_free(&kb);
        }
        json_decref(o);
        return NULL;
    }
    }
    return NULL;
}

static json_t *ours(const char *s, size_t n, bool *bigint)
{
    dlk_json_reader r;
    dlk_json_init(&r, s, n);
    json_t *v = to_tree(&r, bigint);
    if (v && dlk_json_finish(&r)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

static long g_compared, g_accepted, g_mismatch;

/* Same accept/refuse and, when accepted, the same values as jansson. */
static void differ(const char *s, size_t n)
{
    json_error_t je;
    json_t *j = json_loadb(s, n, JSON_DECODE_ANY, &je);
    bool big = false;
    json_t *o = ours(s, n, &big);
    g_compared++;
    bool same;
    if (!j && o) {
        /* the one intended difference: integers beyond 64 bits, and reals
         * jansson cannot hold (it refuses an overflowing exponent) */
        same = big || strstr(je.text, "too big") || strstr(je.text, "overflow");
    } else if (j && o) {
        char *a = json_dumps(j, JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
        char *b = json_dumps(o, JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
        same = a && b && strcmp(a, b) == 0;
        free(a);
        free(b);
        g_accepted++;
    } else {
        same = !j == !o;
    }
    if (!same && g_mismatch++ < 10)
        fprintf(stderr, "mismatch (jansson %s, ours %s): %.*s\n", j ? "accepts" : je.text,
                o ? "accepts" : "refuses", (int)(n > 200 ? 200 : n), s);
    CHECK(same);
    json_decref(j);
    json_decref(o);
}

TEST(walk_values)
{
    const char *s = " {\"a\": [1, -2.5e3, true, false, null], \"b\\u00e9\": {\"c\": "
                    "\"x\\ty\\ud83d\\ude00\"}, \"d\": "
                    "-9223372036854775808, \"e\": 18446744073709551616} ";
    dlk_json_reader r;
    dlk_json_init(&r, s, strlen(s));
    dlk_json_tok t, k;
    bool done;
    CHECK(dlk_json_next(&r, &t) == 0 && t.type == DLK_JSON_OBJECT);
    CHECK(dlk_json_key(&r, &k, &done) == 0 && !done && dlk_json_str_eq(&k, "a"));
    CHECK(dlk_json_next(&r, &t) == 0 && t.type == DLK_JSON_ARRAY);
    CHECK(dlk_json_elem(&r, &done) == 0 && !done);
    CHECK(dlk_json_next(&r, &t) == 0 && t.type == DLK_JSON_NUMBER && t.integer);
    int64_t v = 0;
    CHECK(dlk_json_i64(&t, &v) == DLK_JSON_INT_OK && v == 1);
    CHECK(dlk_json_elem(&r, &done) == 0 && !done);
    CHECK(dlk_json_next(&r, &t) == 0 && !t.integer && dlk_json_f64(&t) == -2500.0);
    CHECK(dlk_json_i64(&t, &v) == DLK_JSON_INT_FRACTION);
    CHECK(dlk_json_skip(&r) == 0); /* rest of the array */
    CHECK(dlk_json_key(&r, &k, &done) == 0 && k.escaped && dlk_json_str_eq(&k, "b\xc3\xa9"));
    CHECK(dlk_json_next(&r, &t) == 0 && t.type == DLK_JSON_OBJECT);
    CHECK(dlk_json_key(&r, &k, &done) == 0 && dlk_json_str_eq(&k, "c"));
    CHECK(dlk_json_next(&r, &t) == 0 && t.type == DLK_JSON_STRING);
    char buf[64];
    size_t n = dlk_json_str_copy(&t, buf);
    CHECK(n == 7 && memcmp(buf, "x\ty\xf0\x9f\x98\x80", 7) == 0);
    CHECK(dlk_json_key(&r, &k, &done) == 0 && done);
    CHECK(dlk_json_key(&r, &k, &done) == 0 && dlk_json_str_eq(&k, "d"));
    CHECK(dlk_json_next(&r, &t) == 0 && dlk_json_i64(&t, &v) == DLK_JSON_INT_OK && v == INT64_MIN);
    CHECK(dlk_json_key(&r, &k, &done) == 0 && dlk_json_str_eq(&k, "e"));
    CHECK(dlk_json_next(&r, &t) == 0 && dlk_json_i64(&t, &v) == DLK_JSON_INT_RANGE);
    CHECK(t.n == 20 && memcmp(t.s, "18446744073709551616", 20) == 0); /* digits kept exactly */
    CHECK(dlk_json_key(&r, &k, &done) == 0 && done);
    CHECK(dlk_json_finish(&r) == 0);
}

static void refused(const char *s, int line, int col, const char *msg)
{
    dlk_json_reader r;
    dlk_json_init(&r, s, strlen(s));
    bool big = false;
    json_t *o = to_tree(&r, &big);
    int rc = o ? dlk_json_finish(&r) : DLK_PARSE;
    json_decref(o);
    CHECK(rc == DLK_PARSE);
    int l, c;
    const char *m = dlk_json_error(&r, &l, &c);
    if (l != line || c != col || !strstr(m, msg))
        fprintf(stderr, "  input %s: got %d:%d %s, want %d:%d %s\n", s, l, c, m, line, col, msg);
    CHECK(l == line && c == col && strstr(m, msg));
}

TEST(refusals_name_position)
{
    refused("{\"a\":1,}", 1, 8, "string or '}' expected");
    refused("[1,]", 1, 4, "a value expected");
    refused("[01]", 1, 2, "invalid number");
    refused("{\"a\" 1}", 1, 6, "':' expected");
    refused("{\"a\":1\n \"b\":2}", 2, 2, "',' or '}' expected");
    refused("\"abc", 1, 1, "premature end of input in a string");
    refused("\"a\\x\"", 1, 3, "invalid escape");
    refused("\"\\u0000\"", 1, 2, "\\u0000");
    refused("\"\\udc00\"", 1, 2, "low surrogate");
    refused("\"\\ud800x\"", 1, 2, "surrogate pair");
    refused("\"a\tb\"", 1, 3, "control character");
    refused("\"\xc0\xaf\"", 1, 2, "UTF-8");
    refused("\"\xed\xa0\x80\"", 1, 2, "UTF-8"); /* an encoded surrogate */
    refused("tru", 1, 1, "invalid token");
    refused("1 2", 1, 3, "end of input expected");
    refused("[1.e5]", 1, 2, "invalid number");
    refused("{\"a\":[1,2}", 1, 10, "',' or ']' expected");
    refused("", 1, 1, "premature end of input");
}

TEST(nesting_limit)
{
    size_t n = 2 * DLK_JSON_MAX_DEPTH + 2;
    char *s = malloc(n + 1);
    for (size_t d = 2048; d <= 2049; d++) {
        memset(s, '[', d);
        memset(s + d, ']', d);
        bool big = false;
        json_t *o = ours(s, 2 * d, &big);
        CHECK((o != NULL) == (d == 2048));
        json_decref(o);
        differ(s, 2 * d);
    }
    free(s);
}

/* Every line of every .json / .crc / .checkpoint file under dir. */
static void walk_lines(const char *dir, void (*fn)(const char *, size_t), int *files)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st)) continue;
        if (S_ISDIR(st.st_mode)) {
            walk_lines(p, fn, files);
            continue;
        }
        size_t L = strlen(e->d_name);
        if (!(L > 5 && strcmp(e->d_name + L - 5, ".json") == 0) || st.st_size > (8 << 20)) continue;
        FILE *f = fopen(p, "rb");
        if (!f) continue;
        char *buf = malloc((size_t)st.st_size + 1);
        size_t got = fread(buf, 1, (size_t)st.st_size, f);
        fclose(f);
        (*files)++;
        fn(buf, got); /* the whole file (one value or NDJSON: both readers agree on refusing) */
        for (size_t i = 0; i < got;) {
            size_t j = i;
            while (j < got && buf[j] != '\n')
                j++;
            if (j > i) fn(buf + i, j - i);
            i = j + 1;
        }
        free(buf);
    }
    closedir(d);
}

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

/* The line itself, then mutations of it: a byte replaced by one of JSON's
 * interesting bytes, a byte deleted, a byte duplicated. */
static void differ_mutated(const char *s, size_t n)
{
    static const char pick[] = "\"\\{}[],:0123456789-+.eE tfnu\t\n\x01\x80\xc3\xa9\xed\xff";
    differ(s, n);
    if (n == 0 || n > 4096) return;
    char *m = malloc(n + 2);
    for (int k = 0; k < 40; k++) {
        size_t at = rnd() % n;
        memcpy(m, s, n);
        size_t len = n;
        switch (k % 3) {
        case 0:
            m[at] = pick[rnd() % (sizeof pick - 1)];
            break;
        case 1:
            memmove(m + at, m + at + 1, n - at - 1), len--;
            break;
        default:
            memmove(m + at + 1, m + at, n - at), len++;
            break;
        }
        differ(m, len);
    }
    free(m);
}

TEST(differential_against_jansson)
{
    char td[4096];
    harness_testdata(td, sizeof td, "delta");
    int files = 0;
    g_compared = g_accepted = g_mismatch = 0;
    walk_lines(td, differ_mutated, &files);
    static const char *extra[] = {"1e400",
                                  "-1e400",
                                  "123456789012345678901234567890",
                                  "-0",
                                  "0.0",
                                  "1E+2",
                                  "\"\\/\"",
                                  "[\"\\uD83D\\uDE00\"]",
                                  "{\"a\":1,\"a\":2}",
                                  " \t\r\n7 ",
                                  "\"\xf4\x8f\xbf\xbf\"",
                                  "\"\xf4\x90\x80\x80\"",
                                  "[1,[2,[3,{}]]]"};
    for (size_t i = 0; i < sizeof extra / sizeof *extra; i++)
        differ(extra[i], strlen(extra[i]));
    fprintf(stderr, "  %d files, %ld inputs compared, %ld accepted by both\n", files, g_compared,
            g_accepted);
    CHECK(files > 50);
    CHECK(g_accepted > 5000);
    CHECK(g_mismatch == 0);
}

TEST(simd_and_scalar_agree)
{
    /* strings with the special bytes at every offset around the 16/32-byte
     * blocks; both scanners must give the same tokens and errors */
    char s[128];
    static const char specials[] = {'"', '\\', 0x01, (char)0x80, (char)0xc3, 'a'};
    for (size_t len = 1; len < 100; len++) {
        for (size_t si = 0; si < sizeof specials; si++) {
            size_t at = len / 2;
            s[0] = '"';
            memset(s + 1, 'x', len);
            s[1 + at] = specials[si];
            if (specials[si] == (char)0xc3 && at + 1 < len) s[2 + at] = (char)0xa9;
            s[1 + len] = '"';
            int res[2], line[2], col[2];
            size_t tn[2];
            for (int pass = 0; pass < 2; pass++) {
                dlk_json_force_scalar(pass == 1);
                dlk_json_reader r;
                dlk_json_init(&r, s, len + 2);
                dlk_json_tok t = {0};
                res[pass] = dlk_json_next(&r, &t);
                if (!res[pass]) res[pass] = dlk_json_finish(&r);
                tn[pass] = t.n;
                dlk_json_error(&r, &line[pass], &col[pass]);
            }
            CHECK(res[0] == res[1] && col[0] == col[1] && line[0] == line[1] &&
                  (res[0] || tn[0] == tn[1]));
        }
    }
    dlk_json_force_scalar(false);
    fprintf(stderr, "  scanner: %s\n", dlk_json_scanner());
}

int main(void)
{
    RUN(walk_values);
    RUN(refusals_name_position);
    RUN(nesting_limit);
    RUN(simd_and_scalar_agree);
    RUN(differential_against_jansson);
    dlk_json_force_scalar(true);
    RUN(differential_against_jansson);
    return harness_done();
}

/*
 * json/json_scan.c - the byte-level work of the JSON reader: finding the
 * end of a string body (SSE2/AVX2 with run-time dispatch, or bytewise),
 * validating escapes and UTF-8, decoding strings, converting numbers.
 */
#include "json/json_int.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DLK_JSON_X86 1
#include <immintrin.h>
#endif

/* First byte at or after p that needs a look: '"', '\\', a control
 * character or a non-ASCII byte; end when none. */
static const char *special_scalar(const char *p, const char *end)
{
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
        p++;
    }
    return end;
}

#ifdef DLK_JSON_X86
static const char *special_sse2(const char *p, const char *end)
{
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed b < 0x20: control characters and bytes >= 0x80 */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, quote), _mm_cmpeq_epi8(b, bslash)),
                                 _mm_cmplt_epi8(b, space));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits) return p + __builtin_ctz(bits);
        p += 16;
    }
    return special_scalar(p, end);
}

__attribute__((target("avx2"))) static const char *special_avx2(const char *p, const char *end)
{
    const __m256i quote = _mm256_set1_epi8('"'), bslash = _mm256_set1_epi8('\\');
    const __m256i space = _mm256_set1_epi8(0x20);
    while (end - p >= 32) {
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)p);
        /* signed b < 0x20: control characters and bytes >= 0x80 */
        __m256i m = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(b, quote), _mm256_cmpeq_epi8(b, bslash)),
            _mm256_cmpgt_epi8(space, b));
        unsigned bits = (unsigned)_mm256_movemask_epi8(m);
        if (bits) return p + __builtin_ctz(bits);
        p += 32;
    }
    return special_sse2(p, end);
}
#endif

typedef const char *(*special_fn)(const char *, const char *);

static special_fn pick_best(void)
{
#ifdef DLK_JSON_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) return special_avx2;
    return special_sse2;
#else
    return special_scalar;
#endif
}

static special_fn g_special;
static bool g_forced_scalar;

void dlk_json_force_scalar(bool on)
{
    g_forced_scalar = on;
    g_special = on ? special_scalar : pick_best();
}

const char *dlk_json_scanner(void)
{
    if (!g_special) g_special = pick_best();
#ifdef DLK_JSON_X86
    if (g_special == special_avx2) return "avx2";
    if (g_special == special_sse2) return "sse2";
#endif
    (void)g_forced_scalar;
    return "scalar";
}

static inline const char *special(const char *p, const char *end)
{
    special_fn f = g_special;
    if (!f) f = g_special = pick_best();
    return f(p, end);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The 4 hex digits at p (p + 4 <= end checked by the caller); -1 when bad. */
static int32_t hex4(const char *p)
{
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval((unsigned char)p[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Length of the valid UTF-8 sequence at p (its first byte >= 0x80), 0 when
 * invalid: overlong forms, surrogates and code points above U+10FFFF are. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
    if (cp >= 0xd800 && cp <= 0xdfff) return 0;
    return n;
}

int dlk_json__string(dlk_json_reader *r, dlk_json_tok *t)
{
    const char *p = r->p + 1, *end = r->end;
    t->type = DLK_JSON_STRING;
    t->s = p;
    t->escaped = false;
    t->integer = false;
    t->offset = (size_t)(r->p - r->base);
    for (;;) {
        p = special(p, end);
        if (p >= end) return dlk_json__fail(r, r->p, "premature end of input in a string");
        unsigned char c = (unsigned char)*p;
        if (c == '"') break;
        if (c == '\\') {
            t->escaped = true;
            if (end - p < 2) return dlk_json__fail(r, p, "premature end of input in a string");
            char e = p[1];
            if (e == 'u') {
                if (end - p < 6) return dlk_json__fail(r, p, "invalid \\u escape");
                int32_t u = hex4(p + 2);
                if (u < 0) return dlk_json__fail(r, p, "invalid \\u escape");
                if (u == 0) return dlk_json__fail(r, p, "\\u0000 is not allowed");
                if (u >= 0xdc00 && u <= 0xdfff)
                    return dlk_json__fail(r, p, "invalid Unicode low surrogate");
                if (u >= 0xd800 && u <= 0xdbff) {
                    if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
                        return dlk_json__fail(r, p, "invalid Unicode surrogate pair");
                    int32_t lo = hex4(p + 8);
                    if (lo < 0xdc00 || lo > 0xdfff)
                        return dlk_json__fail(r, p, "invalid Unicode surrogate pair");
                    p += 12;
                } else {
                    p += 6;
                }
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                       e == 'r' || e == 't') {
                p += 2;
            } else {
                return dlk_json__fail(r, p, "invalid escape");
            }
        } else if (c < 0x20) {
            return dlk_json__fail(r, p, "control character in a string");
        } else {
            size_t n = utf8_len((const unsigned char *)p, (const unsigned char *)end);
            if (!n) return dlk_json__fail(r, p, "invalid UTF-8 in a string");
            p += n;
        }
    }
    t->n = (size_t)(p - t->s);
    r->p = p + 1;
    return DLK_OK;
}

int dlk_json__number(dlk_json_reader *r, dlk_json_tok *t)
{
    const char *p = r->p, *end = r->end, *s = p;
    t->type = DLK_JSON_NUMBER;
    t->escaped = false;
    t->integer = true;
    t->offset = (size_t)(p - r->base);
    if (p < end && *p == '-') p++;
    if (p >= end || *p < '0' || *p > '9') return dlk_json__fail(r, s, "invalid number");
    if (*p == '0') {
        p++;
    } else {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && *p == '.') {
        t->integer = false;
        p++;
        if (p >= end || *p < '0' || *p > '9') return dlk_json__fail(r, s, "invalid number");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        t->integer = false;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return dlk_json__fail(r, s, "invalid number");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end &&
        ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-'))
        return dlk_json__fail(r, s, "invalid number");
    t->s = s;
    t->n = (size_t)(p - s);
    r->p = p;
    return DLK_OK;
}

size_t dlk_json_str_copy(const dlk_json_tok *t, char *dst)
{
    const char *p = t->s, *end = t->s + t->n;
    char *o = dst;
    if (!t->escaped) {
        memcpy(dst, p, t->n);
        dst[t->n] = '\0';
        return t->n;
    }
    while (p < end) {
        const char *b = memchr(p, '\\', (size_t)(end - p));
        if (!b) b = end;
        memcpy(o, p, (size_t)(b - p));
        o += b - p;
        p = b;
        if (p >= end) break;
        char e = p[1];
        p += 2;
        switch (e) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            uint32_t cp = (uint32_t)hex4(p);
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                uint32_t lo = (uint32_t)hex4(p + 2);
                p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (cp < 0x80) {
                *o++ = (char)cp;
            } else if (cp < 0x800) {
                *o++ = (char)(0xc0 | (cp >> 6));
                *o++ = (char)(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                *o++ = (char)(0xe0 | (cp >> 12));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
                *o++ = (char)(0x80 | (cp & 0x3f));
            } else {
                *o++ = (char)(0xf0 | (cp >> 18));
                *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
                *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
                *o++ = (char)(0x80 | (cp & 0x3f));
            }
            break;
        }
        default:
            *o++ = e;
            break; /* " \ / */
        }
    }
    *o = '\0';
    return (size_t)(o - dst);
}

int dlk_json_str_append(const dlk_json_tok *t, dlk_buf *out)
{
    int rc = dlk_buf_reserve(out, t->n + 1);
    if (rc) return rc;
    size_t n = dlk_json_str_copy(t, (char *)out->data + out->len);
    out->len += n;
    return DLK_OK;
}

bool dlk_json_str_eq(const dlk_json_tok *t, const char *s)
{
    if (!t->escaped) return strlen(s) == t->n && memcmp(t->s, s, t->n) == 0;
    char small[256];
    char *d = t->n < sizeof small ? small : malloc(t->n + 1);
    if (!d) return false;
    size_t n = dlk_json_str_copy(t, d);
    bool eq = strlen(s) == n && memcmp(d, s, n) == 0;
    if (d != small) free(d);
    return eq;
}

int dlk_json_i64(const dlk_json_tok *t, int64_t *out)
{
    if (!t->integer) return DLK_JSON_INT_FRACTION;
    const char *p = t->s, *end = t->s + t->n;
    bool neg = *p == '-';
    if (neg) p++;
    uint64_t v = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < end; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (limit - d) / 10) return DLK_JSON_INT_RANGE;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return DLK_JSON_INT_OK;
}

double dlk_json_f64(const dlk_json_tok *t)
{
    char small[64];
    char *d = t->n < sizeof small ? small : malloc(t->n + 1);
    if (!d) return 0.0;
    memcpy(d, t->s, t->n);
    d[t->n] = '\0';
    double v = strtod(d, NULL);
    if (d != small) free(d);
    return v;
}

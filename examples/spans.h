/*
 * examples/spans.h - a deterministic generator of realistic OpenTelemetry
 * spans as NDJSON, shared by the examples (header only; each example is one
 * program).
 *
 * Span i (0-based) of a generator seeded with `seed` belongs to trace i/4,
 * service SPAN_SERVICES[i % 5], starts at 2024-01-01T00:00:00Z + i * 7 s
 * (so the date moves every 12343 spans), and has status 500 when
 * i % 50 == 7, 404 when i % 50 == 13, else 200. Durations are pseudo-random
 * in 1..201 ms, one in ten 10x slower (tenths of a ms).
 */
#ifndef EXAMPLES_SPANS_H
#define EXAMPLES_SPANS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SPAN_SERVICES[] = {"frontend", "checkout", "payment", "inventory", "auth"};
static const char *const SPAN_OPS[][3] = {
    {"GET /", "GET /product", "POST /cart"}, {"PlaceOrder", "GetQuote", "EmptyCart"},
    {"Charge", "Refund", "Authorize"},       {"GetStock", "Reserve", "Release"},
    {"Login", "VerifyToken", "Logout"},
};

static inline uint64_t span_rand(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static inline int span_status(long i)
{
    return i % 50 == 7 ? 500 : i % 50 == 13 ? 404 : 200;
}

/* Duration of span i in tenths of a millisecond. */
static inline long span_duration_tenths(uint64_t seed, long i)
{
    uint64_t r = span_rand(seed * 1000003u + (uint64_t)i);
    long base = 10 + (long)(r % 2000);                          /* 1.0 .. 201 ms */
    if (r % 10 == 0) base = base * 10 + (long)((r >> 40) % 10); /* a slow tail */
    return base;
}

/* Append span i as one NDJSON line to *buf (grown with realloc). */
static inline int span_append(char **buf, size_t *len, size_t *cap, uint64_t seed, long i,
                              int status_override)
{
    if (*len + 1024 > *cap) {
        size_t nc = *cap ? *cap * 2 : 1 << 16;
        while (nc < *len + 1024)
            nc *= 2;
        char *n = realloc(*buf, nc);
        if (!n) return -1;
        *buf = n;
        *cap = nc;
    }
    int svc = (int)(i % 5);
    long trace = i / 4;
    uint64_t tr = span_rand(seed ^ (uint64_t)trace), sp = span_rand(seed + (uint64_t)i * 31u);
    int64_t start = 1704067200LL + (int64_t)i * 7; /* 2024-01-01T00:00:00Z */
    long dur = span_duration_tenths(seed, i);
    int64_t day = start / 86400;
    /* civil date from days (Howard Hinnant's algorithm) */
    int64_t z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    int64_t sod = start % 86400;
    int status = status_override ? status_override : span_status(i);
    int n = snprintf(
        *buf + *len, *cap - *len,
        "{\"trace_id\":\"%016llx%016llx\",\"span_id\":\"%016llx\",\"parent_span_id\":%s%s%s,"
        "\"service_name\":\"%s\",\"operation_name\":\"%s\","
        "\"start_time\":\"%04d-%02d-%02dT%02d:%02d:%02dZ\",\"date\":\"%04d-%02d-%02d\","
        "\"duration_ms\":%ld.%ld,\"status_code\":%d,"
        "\"attributes\":{\"http.status_code\":\"%d\",\"host.name\":\"node-%d\"}}\n",
        (unsigned long long)tr, (unsigned long long)span_rand(tr), (unsigned long long)sp,
        i % 4 ? "\"" : "", i % 4 ? "parent" : "null", i % 4 ? "\"" : "", SPAN_SERVICES[svc],
        SPAN_OPS[svc][(span_rand(sp) % 3)], y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60),
        (int)(sod % 60), y, m, d, dur / 10, dur % 10, status, status, (int)(sp % 8));
    if (n < 0 || (size_t)n >= *cap - *len) return -1;
    *len += (size_t)n;
    return 0;
}

/* Spans first..first+n-1 as NDJSON (malloc'ed; *out_len gets the length). */
static inline char *spans_ndjson(uint64_t seed, long first, long n, size_t *out_len)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (long i = first; i < first + n; i++)
        if (span_append(&buf, &len, &cap, seed, i, 0)) {
            free(buf);
            return NULL;
        }
    if (!buf) buf = calloc(1, 1);
    *out_len = len;
    return buf;
}

#endif

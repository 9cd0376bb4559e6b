/* util/time.c - date/timestamp parsing and formatting (see util/time.h). */
#include "util/time.h"
#include "util/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Days from 1970-01-01 for a proleptic Gregorian date (era-based method). */
int64_t dlk_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void dlk_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

typedef struct {
    const char *s;
    size_t n, i;
} cursor;

static int digits(cursor *c, int count, int *out)
{
    int v = 0;
    for (int k = 0; k < count; k++) {
        if (c->i >= c->n || c->s[c->i] < '0' || c->s[c->i] > '9') return -1;
        v = v * 10 + (c->s[c->i++] - '0');
    }
    *out = v;
    return 0;
}

static int expect(cursor *c, char ch)
{
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return 0;
    }
    return -1;
}

static int bad(cursor *c, const char *what)
{
    return dlk_err_set(DLK_PARSE, "invalid %s '%.*s' at position %zu", what, (int)c->n, c->s,
                       c->i + 1);
}

static int parse_ymd(cursor *c, int64_t *days, const char *what)
{
    int y, m, d;
    if (digits(c, 4, &y) || expect(c, '-') || digits(c, 2, &m) || expect(c, '-') ||
        digits(c, 2, &d))
        return bad(c, what);
    if (m < 1 || m > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)m) || y < 1)
        return dlk_err_set(DLK_PARSE, "invalid %s '%.*s': no such day", what, (int)c->n, c->s);
    *days = dlk_days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

int dlk_parse_date(const char *s, size_t n, int32_t *days)
{
    cursor c = {s, n, 0};
    int64_t d;
    if (parse_ymd(&c, &d, "date")) return DLK_PARSE;
    if (c.i != n) return bad(&c, "date");
    *days = (int32_t)d;
    return DLK_OK;
}

int dlk_parse_timestamp(const char *s, size_t n, int64_t *micros, bool *had_zone)
{
    cursor c = {s, n, 0};
    int64_t days;
    int hh = 0, mm = 0, ss = 0;
    int64_t frac = 0;
    bool zone = false;
    int64_t offset_s = 0;
    if (parse_ymd(&c, &days, "timestamp")) return DLK_PARSE;
    if (c.i < n && (s[c.i] == 'T' || s[c.i] == 't' || s[c.i] == ' ')) {
        c.i++;
        if (digits(&c, 2, &hh) || expect(&c, ':') || digits(&c, 2, &mm))
            return bad(&c, "timestamp");
        if (c.i < n && s[c.i] == ':') {
            c.i++;
            if (digits(&c, 2, &ss)) return bad(&c, "timestamp");
        }
        if (hh > 23 || mm > 59 || ss > 60) /* 60: leap second, folded below */
            return dlk_err_set(DLK_PARSE, "invalid timestamp '%.*s': time out of range", (int)n, s);
        if (c.i < n && s[c.i] == '.') {
            c.i++;
            int nd = 0;
            while (c.i < n && s[c.i] >= '0' && s[c.i] <= '9') {
                if (nd < 6) frac = frac * 10 + (s[c.i] - '0');
                nd++;
                c.i++;
            }
            if (nd == 0 || nd > 9) return bad(&c, "timestamp");
            for (int k = nd; k < 6; k++) frac *= 10;
        }
        if (c.i < n && (s[c.i] == 'Z' || s[c.i] == 'z')) {
            c.i++;
            zone = true;
        } else if (c.i < n && (s[c.i] == '+' || s[c.i] == '-')) {
            int sign = s[c.i++] == '-' ? -1 : 1;
            int oh, om = 0;
            if (digits(&c, 2, &oh)) return bad(&c, "timestamp");
            if (c.i < n && s[c.i] == ':') c.i++;
            if (c.i < n && digits(&c, 2, &om)) return bad(&c, "timestamp");
            if (oh > 18 || om > 59)
                return dlk_err_set(DLK_PARSE, "invalid timestamp '%.*s': bad UTC offset", (int)n, s);
            offset_s = sign * (oh * 3600 + om * 60);
            zone = true;
        }
    }
    if (c.i != n) return bad(&c, "timestamp");
    if (ss == 60) ss = 59;
    int64_t secs = days * 86400 + hh * 3600 + mm * 60 + ss - offset_s;
    *micros = secs * DLK_MICROS_PER_SEC + frac;
    if (had_zone) *had_zone = zone;
    return DLK_OK;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

size_t dlk_format_date(int32_t days, char *out)
{
    int64_t y;
    unsigned m, d;
    dlk_civil_from_days(days, &y, &m, &d);
    return (size_t)snprintf(out, 32, "%04lld-%02u-%02u", (long long)y, m, d);
}

size_t dlk_format_timestamp(int64_t micros, bool utc, char *out)
{
    int64_t days = floordiv(micros, DLK_MICROS_PER_DAY);
    int64_t rem = micros - days * DLK_MICROS_PER_DAY;
    int64_t y;
    unsigned m, d;
    dlk_civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / DLK_MICROS_PER_SEC, us = rem % DLK_MICROS_PER_SEC;
    return (size_t)snprintf(out, 40, "%04lld-%02u-%02uT%02d:%02d:%02d.%06lld%s", (long long)y, m,
                            d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
                            (long long)us, utc ? "Z" : "");
}

int64_t dlk_now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * DLK_MICROS_PER_SEC + ts.tv_nsec / 1000;
}

int64_t dlk_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool dlk_interval_ms(const char *text, double *ms)
{
    if (!text) return false;
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (!strncasecmp(p, "interval", 8)) p += 8;
    double total = 0;
    bool any = false;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p) break;
        char *end;
        double v = strtod(p, &end);
        if (end == p || v < 0) return false;
        p = end;
        while (isspace((unsigned char)*p))
            p++;
        const char *u = p;
        while (isalpha((unsigned char)*p))
            p++;
        size_t ul = (size_t)(p - u);
        static const struct {
            const char *name;
            double ms;
        } units[] = {{"nanosecond", 1e-6}, {"microsecond", 1e-3}, {"millisecond", 1},
                     {"second", 1e3},      {"minute", 6e4},       {"hour", 3.6e6},
                     {"day", 8.64e7},      {"week", 6.048e8}};
        double f = -1;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t nl = strlen(units[i].name);
            if ((ul == nl || (ul == nl + 1 && (u[nl] == 's' || u[nl] == 'S'))) &&
                !strncasecmp(u, units[i].name, nl))
                f = units[i].ms;
        }
        if (f < 0) return false;
        total += v * f;
        any = true;
    }
    if (!any) return false;
    *ms = total;
    return true;
}

/*
 * bench/gen_spans.c - deterministic generator of OpenTelemetry-like spans for
 * the benchmarks: NDJSON (default) or CSV, any number of rows, same output for
 * the same --seed. Fields: id, trace_id, span_id, parent_span_id, timestamp,
 * service_name (20 services, skewed), operation, duration_ms (log-normal,
 * long tail), status_code (mostly 200, some 404/500), date, hour, attributes.
 *
 *   gen_spans --rows N [--seed S] [--start-id K] [--days D] [--csv] [--out FILE]
 *   gen_spans --schema            print the Delta DDL of the generated records
 *
 * Rows are in timestamp order, spread evenly over D days from 2024-01-01;
 * ids are K, K+1, ... (K = 1 by default), so --start-id lets a second run make
 * records that overlap the first (upsert input).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHEMA_DDL                                                                                 \
    "id long not null, trace_id string, span_id string, parent_span_id string, "                   \
    "timestamp timestamp, service_name string, operation string, duration_ms double, "             \
    "status_code int, date date, hour int, attributes map<string,string>"

static const char *const SERVICES[20] = {
    "frontend", "checkout", "cart", "payment", "shipping", "currency", "email",
    "recommendation", "ad", "product-catalog", "quote", "fraud-detection", "accounting",
    "auth", "search", "inventory", "notification", "user-profile", "gateway", "image-resizer"};

static const char *const OPERATIONS[8] = {"GET /api/items", "POST /api/orders", "GET /api/user",
                                          "db.query SELECT", "db.query UPDATE", "cache.get",
                                          "rpc.Call", "http.client.request"};
static const char *const METHODS[4] = {"GET", "POST", "PUT", "DELETE"};
static const char *const REGIONS[4] = {"eu-west-1", "us-east-1", "us-west-2", "ap-south-1"};

/* splitmix64: small, fast, deterministic */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static double rnd_unit(void) /* (0,1) */
{
    return ((double)(rnd() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static char outbuf[1 << 16];
static size_t outlen;
static FILE *out;

static void flush_out(void)
{
    if (outlen && fwrite(outbuf, 1, outlen, out) != outlen) {
        fprintf(stderr, "gen_spans: write failed: %s\n", strerror(errno));
        exit(1);
    }
    outlen = 0;
}
static void put(const char *s, size_t n)
{
    if (outlen + n > sizeof outbuf)
        flush_out();
    memcpy(outbuf + outlen, s, n);
    outlen += n;
}
static void puts_(const char *s) { put(s, strlen(s)); }
static void putu(uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    put(tmp, (size_t)n);
}
static void puthex(uint64_t v, int digits)
{
    static const char hx[] = "0123456789abcdef";
    char tmp[16];
    for (int i = digits - 1; i >= 0; i--) {
        tmp[i] = hx[v & 15];
        v >>= 4;
    }
    put(tmp, (size_t)digits);
}
static void putpad(unsigned v, int w)
{
    char tmp[12];
    int n = snprintf(tmp, sizeof tmp, "%0*u", w, v);
    put(tmp, (size_t)n);
}

/* days since 1970-01-01 -> civil date (Howard Hinnant's well-known algorithm) */
static void civil(int64_t z, int *y, unsigned *m, unsigned *d)
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
    *y = (int)(yy + (*m <= 2));
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: gen_spans --rows N [--seed S] [--start-id K] [--days D] [--csv] "
                    "[--out FILE]\n       gen_spans --schema\n");
    exit(2);
}

int main(int argc, char **argv)
{
    uint64_t rows = 0, seed = 42, start_id = 1, days = 3;
    int csv = 0, have_rows = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t *dst = NULL;
        if (!strcmp(a, "--schema")) {
            puts(SCHEMA_DDL);
            return 0;
        } else if (!strcmp(a, "--csv")) {
            csv = 1;
            continue;
        } else if (!strcmp(a, "--rows")) {
            dst = &rows;
            have_rows = 1;
        } else if (!strcmp(a, "--seed"))
            dst = &seed;
        else if (!strcmp(a, "--start-id"))
            dst = &start_id;
        else if (!strcmp(a, "--days"))
            dst = &days;
        else if (!strcmp(a, "--out")) {
            if (++i >= argc)
                usage();
            path = argv[i];
            continue;
        } else
            usage();
        if (++i >= argc || parse_u64(argv[i], dst))
            usage();
    }
    if (!have_rows || days == 0 || days > 3650)
        usage();
    out = path ? fopen(path, "wb") : stdout;
    if (!out) {
        fprintf(stderr, "gen_spans: %s: %s\n", path, strerror(errno));
        return 1;
    }
    rng_state = seed * 0x2545F4914F6CDD1DULL + 1;

    /* skewed service choice: weight of service k is 1/(k+1) (Zipf-like) */
    double cum[20], total = 0;
    for (int k = 0; k < 20; k++) {
        total += 1.0 / (k + 1);
        cum[k] = total;
    }
    const int64_t base_us = INT64_C(1704067200) * 1000000; /* 2024-01-01T00:00:00Z */
    const double span_us = (double)days * 86400e6;
    uint64_t trace_hi = 0, trace_lo = 0, parent = 0;
    int trace_left = 0, trace_svc = 0;

    if (csv)
        puts_("id,trace_id,span_id,parent_span_id,timestamp,service_name,operation,duration_ms,"
              "status_code,date,hour,attributes\n");
    for (uint64_t r = 0; r < rows; r++) {
        if (trace_left == 0) { /* a new trace of 1..8 spans, mostly in one service */
            trace_hi = rnd();
            trace_lo = rnd();
            trace_left = 1 + (int)(rnd() % 8);
            parent = 0;
            double u = rnd_unit() * total;
            trace_svc = 0;
            while (trace_svc < 19 && cum[trace_svc] < u)
                trace_svc++;
        }
        trace_left--;
        int svc = trace_svc;
        if (rnd() % 4 == 0) { /* a quarter of the child spans call another service */
            double u = rnd_unit() * total;
            svc = 0;
            while (svc < 19 && cum[svc] < u)
                svc++;
        }
        uint64_t span_id = rnd();
        int64_t ts = base_us + (int64_t)((double)r * span_us / (double)rows) +
                     (int64_t)(rnd() % 1000000);
        if (ts >= base_us + (int64_t)span_us)
            ts = base_us + (int64_t)span_us - 1;
        int64_t secs = ts / 1000000, micros = ts % 1000000;
        int64_t dayno = secs / 86400, sod = secs % 86400;
        int y;
        unsigned mo, d;
        civil(dayno, &y, &mo, &d);
        unsigned hh = (unsigned)(sod / 3600), mi = (unsigned)(sod / 60 % 60), ss = (unsigned)(sod % 60);
        /* log-normal duration: median ~20 ms, long tail */
        double g = sqrt(-2.0 * log(rnd_unit())) * cos(6.283185307179586 * rnd_unit());
        double dur = exp(log(20.0) + 1.3 * g);
        dur = floor(dur * 1000.0 + 0.5) / 1000.0;
        uint64_t sc = rnd() % 1000;
        int status = sc < 930 ? 200 : sc < 970 ? 404 : 500;
        const char *op = OPERATIONS[(svc + (int)(rnd() % 3)) % 8];
        const char *method = METHODS[rnd() % 4];
        const char *region = REGIONS[svc % 4];
        unsigned host = (unsigned)(rnd() % 50);
        char dur_s[32];
        int dn = snprintf(dur_s, sizeof dur_s, "%.3f", dur);
        const char *q = csv ? "\"\"" : "\"";

        if (!csv) {
            puts_("{\"id\":");
            putu(start_id + r);
            puts_(",\"trace_id\":\"");
        } else {
            putu(start_id + r);
            puts_(",");
        }
        puthex(trace_hi, 16);
        puthex(trace_lo, 16);
        puts_(csv ? "," : "\",\"span_id\":\"");
        puthex(span_id, 16);
        if (parent) {
            puts_(csv ? "," : "\",\"parent_span_id\":\"");
            puthex(parent, 16);
            puts_(csv ? "," : "\",\"timestamp\":\"");
        } else
            puts_(csv ? ",," : "\",\"parent_span_id\":null,\"timestamp\":\"");
        putpad((unsigned)y, 4), puts_("-"), putpad(mo, 2), puts_("-"), putpad(d, 2);
        puts_("T"), putpad(hh, 2), puts_(":"), putpad(mi, 2), puts_(":"), putpad(ss, 2);
        puts_("."), putpad((unsigned)micros, 6), puts_("Z");
        puts_(csv ? "," : "\",\"service_name\":\"");
        puts_(SERVICES[svc]);
        puts_(csv ? "," : "\",\"operation\":\"");
        puts_(op);
        puts_(csv ? "," : "\",\"duration_ms\":");
        put(dur_s, (size_t)dn);
        puts_(csv ? "," : ",\"status_code\":");
        putu((uint64_t)status);
        puts_(csv ? "," : ",\"date\":\"");
        putpad((unsigned)y, 4), puts_("-"), putpad(mo, 2), puts_("-"), putpad(d, 2);
        puts_(csv ? "," : "\",\"hour\":");
        putu(hh);
        puts_(csv ? ",\"{" : ",\"attributes\":{");
        puts_(q), puts_("http.method"), puts_(q), puts_(":"), puts_(q), puts_(method), puts_(q);
        puts_(","), puts_(q), puts_("host.name"), puts_(q), puts_(":"), puts_(q), puts_("host-");
        putu(host);
        puts_(q), puts_(","), puts_(q), puts_("cloud.region"), puts_(q), puts_(":"), puts_(q);
        puts_(region), puts_(q);
        if (status != 200) {
            puts_(","), puts_(q), puts_("error.type"), puts_(q), puts_(":"), puts_(q);
            puts_(status == 404 ? "not_found" : "internal"), puts_(q);
        }
        puts_(csv ? "}\"\n" : "}}\n");
        parent = span_id;
    }
    flush_out();
    if (path ? fclose(out) != 0 : fflush(out) != 0) {
        fprintf(stderr, "gen_spans: write failed: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

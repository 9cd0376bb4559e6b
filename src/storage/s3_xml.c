/*
 * storage/s3_xml.c - the small subset of XML the S3 backend reads: the
 * <Contents> entries, <IsTruncated> and <NextContinuationToken> of a
 * ListObjectsV2 response, and <Code>/<Message> of error bodies. Every search
 * is bounded by the body length (the body is not trusted to be
 * NUL-terminated or well formed); text is entity-unescaped (&lt; &gt; &amp;
 * &quot; &apos; &#N; &#xN;). A hostile body gives DLK_IO, never a crash.
 */
#include "storage/s3_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* First occurrence of needle in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *needle)
{
    size_t nl = strlen(needle);
    if (!p || end < p || (size_t)(end - p) < nl) return NULL;
    for (const char *q = p; q + nl <= end; q++) {
        q = memchr(q, needle[0], (size_t)(end - q));
        if (!q || q + nl > end) return NULL;
        if (memcmp(q, needle, nl) == 0) return q;
    }
    return NULL;
}

/* Bounds of the text of the first <tag>..</tag> in [p, end). */
static bool element(const char *p, const char *end, const char *tag, const char **ts,
                    const char **te)
{
    char open[64], close[64];
    size_t tl = strlen(tag);
    if (tl + 4 > sizeof open) return false;
    open[0] = '<';
    memcpy(open + 1, tag, tl);
    open[tl + 1] = '>';
    open[tl + 2] = 0;
    close[0] = '<';
    close[1] = '/';
    memcpy(close + 2, tag, tl);
    close[tl + 2] = '>';
    close[tl + 3] = 0;
    const char *s = find(p, end, open);
    if (!s) return false;
    s += tl + 2;
    const char *e = find(s, end, close);
    if (!e) return false;
    *ts = s;
    *te = e;
    return true;
}

static void put_utf8(dlk_buf *b, unsigned long cp, int *rc)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (!*rc) *rc = dlk_buf_append(b, u, n);
}

/* Unescape [s, e) into a new string; NULL with *bad set on a malformed
 * entity or an embedded NUL, NULL on no memory. */
static char *unescape(const char *s, const char *e, bool *bad)
{
    dlk_buf b = {0};
    int rc = dlk_buf_reserve(&b, (size_t)(e - s) + 1);
    *bad = false;
    static const struct {
        const char *name;
        char c;
    } ents[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
    while (!rc && s < e) {
        if (*s == 0) {
            *bad = true;
            break;
        }
        if (*s != '&') {
            rc = dlk_buf_putc(&b, *s++);
            continue;
        }
        s++;
        bool done = false;
        for (size_t i = 0; i < sizeof ents / sizeof *ents && !done; i++) {
            size_t l = strlen(ents[i].name);
            if ((size_t)(e - s) >= l && memcmp(s, ents[i].name, l) == 0) {
                rc = dlk_buf_putc(&b, ents[i].c);
                s += l;
                done = true;
            }
        }
        if (done) continue;
        if (s < e && *s == '#') {
            s++;
            int base = 10;
            if (s < e && (*s == 'x' || *s == 'X')) {
                base = 16;
                s++;
            }
            unsigned long cp = 0;
            int digits = 0;
            while (s < e && *s != ';' && digits < 8) {
                int d = *s >= '0' && *s <= '9'                 ? *s - '0'
                        : base == 16 && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                        : base == 16 && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
                                                               : -1;
                if (d < 0) break;
                cp = cp * (unsigned long)base + (unsigned long)d;
                digits++;
                s++;
            }
            if (digits && s < e && *s == ';' && cp > 0 && cp <= 0x10FFFF &&
                !(cp >= 0xD800 && cp <= 0xDFFF)) {
                s++;
                put_utf8(&b, cp, &rc);
                continue;
            }
        }
        *bad = true;
        break;
    }
    if (rc || *bad) {
        dlk_buf_free(&b);
        return NULL;
    }
    char *out = dlk_buf_detach(&b);
    if (!out) out = dlk_strdup("");
    return out;
}

char *dlk_s3__xml_text(const char *xml, size_t n, const char *tag)
{
    const char *s, *e;
    bool bad;
    if (!xml || !element(xml, xml + n, tag, &s, &e)) return NULL;
    return unescape(s, e, &bad);
}

int64_t dlk_s3__parse_iso8601(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return 0;
    int ms = 0;
    if (s[n] == '.') {
        int scale = 100;
        for (const char *p = s + n + 1; *p >= '0' && *p <= '9'; p++) {
            ms += (*p - '0') * scale;
            scale /= 10;
        }
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    return t < 0 ? 0 : (int64_t)t * 1000 + ms;
}

void dlk_s3__page_free(dlk_s3_page *p)
{
    if (!p) return;
    dlk_storage_list_free(&p->items);
    dlk_free(p->next_token);
    memset(p, 0, sizeof *p);
}

static int bad_xml(const char *what)
{
    return dlk_err_set(DLK_IO, "s3: malformed ListObjectsV2 response (%s)", what);
}

int dlk_s3__parse_list(const char *xml, size_t n, dlk_s3_page *out)
{
    memset(out, 0, sizeof *out);
    const char *end = xml + n, *p = xml;
    if (!find(xml, end, "<ListBucketResult")) return bad_xml("no <ListBucketResult>");
    int rc = DLK_OK;
    const char *cs, *ce;
    while (!rc && element(p, end, "Contents", &cs, &ce)) {
        const char *ks, *ke, *ss, *se, *ms, *me;
        if (!element(cs, ce, "Key", &ks, &ke) || !element(cs, ce, "Size", &ss, &se)) {
            rc = bad_xml("<Contents> without <Key> or <Size>");
            break;
        }
        bool bad = false;
        char *key = unescape(ks, ke, &bad);
        if (!key) {
            rc = bad ? bad_xml("bad entity or NUL in <Key>") : dlk_err_nomem();
            break;
        }
        char num[32];
        size_t sl = (size_t)(se - ss);
        int64_t size = -1;
        if (sl > 0 && sl < sizeof num) {
            memcpy(num, ss, sl);
            num[sl] = 0;
            char *endp;
            errno = 0;
            long long v = strtoll(num, &endp, 10);
            if (*endp == 0 && v >= 0 && errno == 0) size = (int64_t)v;
        }
        int64_t mtime = 0;
        if (element(cs, ce, "LastModified", &ms, &me) && (size_t)(me - ms) < sizeof num) {
            memcpy(num, ms, (size_t)(me - ms));
            num[me - ms] = 0;
            mtime = dlk_s3__parse_iso8601(num);
        }
        if (size < 0 || !*key) {
            dlk_free(key);
            rc = bad_xml(size < 0 ? "bad <Size>" : "empty <Key>");
            break;
        }
        rc = dlk_storage__list_add(&out->items, &out->cap, key, size, mtime);
        dlk_free(key);
        p = ce + strlen("</Contents>");
    }
    if (!rc) {
        const char *ts, *te;
        out->truncated = element(xml, end, "IsTruncated", &ts, &te) && te - ts == 4 &&
                         memcmp(ts, "true", 4) == 0;
        if (element(xml, end, "NextContinuationToken", &ts, &te)) {
            bool bad = false;
            out->next_token = unescape(ts, te, &bad);
            if (!out->next_token)
                rc = bad ? bad_xml("bad <NextContinuationToken>") : dlk_err_nomem();
        }
    }
    if (rc) dlk_s3__page_free(out);
    return rc;
}

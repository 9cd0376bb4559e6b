/* util/str.c - string helpers (see util/str.h). */
#include "util/str.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool dlk_str_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool dlk_str_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool dlk_str_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
    return *a == *b;
}

char *dlk_str_trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return s;
}

void dlk_str_list_free(char **list)
{
    if (!list) return;
    for (char **p = list; *p; p++) dlk_free(*p);
    dlk_free(list);
}

int dlk_str_split(const char *s, char sep, char ***out, size_t *count)
{
    size_t n = 1;
    for (const char *p = s; *p; p++) n += *p == sep;
    char **list = dlk_calloc(n + 1, sizeof *list);
    if (!list) return dlk_err_nomem();
    size_t k = 0;
    const char *start = s;
    for (const char *p = s;; p++) {
        if (*p == sep || *p == 0) {
            char *item = dlk_strndup(start, (size_t)(p - start));
            if (!item) {
                dlk_str_list_free(list);
                return dlk_err_nomem();
            }
            char *t = dlk_str_trim(item);
            memmove(item, t, strlen(t) + 1);
            list[k++] = item;
            if (*p == 0) break;
            start = p + 1;
        }
    }
    if (k == 1 && list[0][0] == 0 && *s == 0) {
        dlk_free(list[0]);
        list[0] = NULL;
        k = 0;
    }
    *out = list;
    if (count) *count = k;
    return DLK_OK;
}

int dlk_parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || isspace((unsigned char)*s)) return dlk_err_set(DLK_PARSE, "'%s' is not an integer", s ? s : "");
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE) return dlk_err_set(DLK_PARSE, "'%s' is out of range for a 64-bit integer", s);
    if (*end) return dlk_err_set(DLK_PARSE, "'%s' is not an integer", s);
    *out = (int64_t)v;
    return DLK_OK;
}

int dlk_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !isdigit((unsigned char)*s)) return dlk_err_set(DLK_PARSE, "'%s' is not an unsigned integer", s ? s : "");
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE) return dlk_err_set(DLK_PARSE, "'%s' is out of range", s);
    if (*end) return dlk_err_set(DLK_PARSE, "'%s' is not an unsigned integer", s);
    *out = (uint64_t)v;
    return DLK_OK;
}

int dlk_parse_double(const char *s, double *out)
{
    char *end;
    if (!s || !*s || isspace((unsigned char)*s)) return dlk_err_set(DLK_PARSE, "'%s' is not a number", s ? s : "");
    errno = 0;
    double v = strtod(s, &end);
    if (*end) return dlk_err_set(DLK_PARSE, "'%s' is not a number", s);
    *out = v;
    return DLK_OK;
}

int dlk_parse_bool(const char *s, bool *out)
{
    if (dlk_str_ieq(s, "true")) *out = true;
    else if (dlk_str_ieq(s, "false")) *out = false;
    else return dlk_err_set(DLK_PARSE, "'%s' is not a boolean (true or false)", s);
    return DLK_OK;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int dlk_url_decode(const char *s, size_t n, char **out)
{
    char *r = dlk_malloc(n + 1);
    if (!r) return dlk_err_nomem();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n) {
                dlk_free(r);
                return dlk_err_set(DLK_PARSE, "bad percent escape at offset %zu in '%.*s'", i, (int)n, s);
            }
            int a = hexval((unsigned char)s[i + 1]), b = hexval((unsigned char)s[i + 2]);
            if (a < 0 || b < 0) {
                dlk_free(r);
                return dlk_err_set(DLK_PARSE, "bad percent escape at offset %zu in '%.*s'", i, (int)n, s);
            }
            r[k++] = (char)(a * 16 + b);
            i += 2;
        } else {
            r[k++] = s[i];
        }
    }
    r[k] = 0;
    *out = r;
    return DLK_OK;
}

int dlk_url_encode_path(const char *s, size_t n, char **out)
{
    static const char hex[] = "0123456789ABCDEF";
    dlk_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* characters Hive escapes in partition path components, plus space */
        bool esc = c < 0x20 || c == 0x7f || c >= 0x80 || strchr("\"#%'*/:=?\\{[]^ ", c) != NULL;
        if (c >= 0x80) esc = false; /* keep UTF-8 bytes as they are */
        int rc = esc ? dlk_buf_append(&b, (char[]){'%', hex[c >> 4], hex[c & 15]}, 3)
                     : dlk_buf_putc(&b, c);
        if (rc) {
            dlk_buf_free(&b);
            return rc;
        }
    }
    *out = dlk_buf_detach(&b);
    return *out ? DLK_OK : dlk_err_nomem();
}

size_t dlk_str_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return la > lb ? la : lb;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t v = prev + cost;
            if (row[j] + 1 < v) v = row[j] + 1;
            if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
            row[j] = v;
            prev = cur;
        }
    }
    return row[lb];
}

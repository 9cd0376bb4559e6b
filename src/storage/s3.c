/*
 * storage/s3.c - S3-compatible object-store backend over libcurl.
 *
 * A location "s3://bucket/prefix" becomes a handle whose keys live under
 * "prefix/" in the bucket. Requests use path-style addressing against an
 * endpoint (DELTALAKE_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or
 * https://s3.<region>.amazonaws.com) and are signed with SigV4 by libcurl
 * (CURLOPT_AWS_SIGV4) when AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set;
 * AWS_SESSION_TOKEN is sent as x-amz-security-token; AWS_REGION (or
 * AWS_DEFAULT_REGION) defaults to us-east-1.
 *
 * get = GET (with a Range header for a part), head = HEAD, list =
 * ListObjectsV2 (all pages), put = PUT, put-if-absent = PUT with
 * "If-None-Match: *" (412 -> DLK_ALREADY_EXISTS; the endpoint must support
 * conditional writes, as AWS S3 does since 2024), del = HEAD + DELETE (S3's
 * DELETE of a missing key succeeds). 5xx, 429 and connection failures are
 * retried with exponential backoff. Each request uses its own curl handle,
 * so a handle may be used from several threads.
 */
#include "storage/s3_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S3_MAX_ATTEMPTS 5
#define S3_MAX_PAGES 1000000

typedef struct {
    char *endpoint; /* "http://host:port", no trailing '/' */
    char *bucket;
    char *prefix; /* "" or "a/b/" */
    char *region;
    char *userpwd;   /* "AKID:SECRET" or NULL (anonymous) */
    char *token_hdr; /* "x-amz-security-token: ..." or NULL */
    char sigv4[96];
    long max_keys; /* ListObjectsV2 page size; 0 = the server's default (1000) */
} s3_state;

/* libcurl is initialised once; a process-wide share object keeps the DNS
 * and connection caches so that requests reuse keep-alive connections (each
 * request still has its own easy handle: thread safe through the locks). */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_init_rc;
static CURLSH *curl_share;
static pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];

static void share_lock(CURL *c, curl_lock_data d, curl_lock_access a, void *u)
{
    (void)c, (void)a, (void)u;
    if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST) pthread_mutex_lock(&share_mu[d]);
}
static void share_unlock(CURL *c, curl_lock_data d, void *u)
{
    (void)c, (void)u;
    if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST) pthread_mutex_unlock(&share_mu[d]);
}

static void curl_init(void)
{
    curl_init_rc = (int)curl_global_init(CURL_GLOBAL_DEFAULT);
    if (curl_init_rc) return;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&share_mu[i], NULL);
    curl_share = curl_share_init();
    if (curl_share &&
        (curl_share_setopt(curl_share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
         curl_share_setopt(curl_share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
         curl_share_setopt(curl_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
         curl_share_setopt(curl_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK)) {
        curl_share_cleanup(curl_share); /* no sharing: one connection a request */
        curl_share = NULL;
    }
}

/* ---- URLs ---- */

/* Append s percent-encoded as S3 wants (unreserved and, if keep_slash, '/'
 * kept). */
static int enc(dlk_buf *b, const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = DLK_OK;
    for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
        unsigned char c = *p;
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/');
        rc = plain ? dlk_buf_putc(b, c)
                   : dlk_buf_append(b, (char[]){'%', hex[c >> 4], hex[c & 15]}, 3);
    }
    return rc;
}

/* The object key for a storage key: root prefix + key; "s3://bucket/k" keys
 * (absolute paths in add actions) name k in the same bucket. */
static int object_key(s3_state *st, const char *key, dlk_buf *out)
{
    if (dlk_str_starts_with(key, "s3://") || dlk_str_starts_with(key, "s3a://")) {
        const char *b = strstr(key, "://") + 3;
        size_t bl = strlen(st->bucket);
        if (strncmp(b, st->bucket, bl) != 0 || b[bl] != '/')
            return dlk_err_set(DLK_UNSUPPORTED, "s3: %s is outside bucket '%s'", key, st->bucket);
        return dlk_buf_puts(out, b + bl + 1);
    }
    int rc = dlk_buf_puts(out, st->prefix);
    return rc ? rc : dlk_buf_puts(out, key);
}

static int object_url(s3_state *st, const char *okey, dlk_buf *url)
{
    int rc = dlk_buf_printf(url, "%s/", st->endpoint);
    if (!rc) rc = enc(url, st->bucket, false);
    if (!rc) rc = dlk_buf_putc(url, '/');
    if (!rc) rc = enc(url, okey, true);
    return rc;
}

/* ---- one HTTP exchange ---- */

typedef struct {
    const char *method; /* "GET", "HEAD", "PUT", "DELETE" */
    const char *url;
    const char *range; /* "bytes=a-b" or NULL */
    const void *body;  /* PUT */
    size_t body_len;
    bool if_none_match; /* PUT: If-None-Match: * */
    /* results */
    long status;
    dlk_buf resp;
    int64_t content_length;
    int64_t mtime_ms;
} s3_req;

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
    dlk_buf *b = ud;
    return dlk_buf_append(b, p, sz * n) ? 0 : sz * n;
}

static bool retryable(CURLcode cc, long status, const s3_req *r)
{
    if (cc != CURLE_OK)
        return cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT ||
               cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR || cc == CURLE_GOT_NOTHING ||
               cc == CURLE_PARTIAL_FILE || cc == CURLE_COULDNT_RESOLVE_HOST;
    /* 409 on a conditional PUT: a concurrent conditional write was in flight */
    return status >= 500 || status == 429 || (status == 409 && r->if_none_match);
}

/* Run r (with retries). DLK_OK when a response arrived (any status: the
 * caller maps it); DLK_IO when none did. */
static int perform(s3_state *st, s3_req *r)
{
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc) return dlk_err_set(DLK_IO, "s3: curl_global_init failed (%d)", curl_init_rc);
    CURLcode cc = CURLE_OK;
    char errbuf[CURL_ERROR_SIZE];
    for (int attempt = 0; attempt < S3_MAX_ATTEMPTS; attempt++) {
        if (attempt) {
            long ms = 100L << (attempt - 1); /* 100, 200, 400, 800 ms */
            struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        dlk_buf_reset(&r->resp);
        r->status = 0;
        CURL *c = curl_easy_init();
        if (!c) return dlk_err_set(DLK_IO, "s3: curl_easy_init failed");
        struct curl_slist *h = NULL, *h2;
        bool oom = false;
#define ADD_HDR(s)                                                                                 \
    do {                                                                                           \
        if ((h2 = curl_slist_append(h, (s))) == NULL)                                              \
            oom = true;                                                                            \
        else                                                                                       \
            h = h2;                                                                                \
    } while (0)
        errbuf[0] = 0;
        curl_easy_setopt(c, CURLOPT_URL, r->url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        if (curl_share) curl_easy_setopt(c, CURLOPT_SHARE, curl_share);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->resp);
        if (st->userpwd) {
            curl_easy_setopt(c, CURLOPT_AWS_SIGV4, st->sigv4);
            curl_easy_setopt(c, CURLOPT_USERPWD, st->userpwd);
        }
        if (st->userpwd) {
            /* S3 wants the payload hash in a header; libcurl signs the value
             * given here (it adds no such header itself before 8.x) */
            ADD_HDR("x-amz-content-sha256: UNSIGNED-PAYLOAD");
        }
        if (st->token_hdr) ADD_HDR(st->token_hdr);
        if (strcmp(r->method, "HEAD") == 0) {
            curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (strcmp(r->method, "PUT") == 0) {
            /* a PUT with an in-memory body: libcurl hashes it for SigV4 */
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body ? (const char *)r->body : "");
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
            ADD_HDR("Content-Type: application/octet-stream");
            ADD_HDR("Expect:");
            if (r->if_none_match) ADD_HDR("If-None-Match: *");
        } else if (strcmp(r->method, "GET") != 0) {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
        }
        char rangebuf[96];
        if (r->range) {
            snprintf(rangebuf, sizeof rangebuf, "Range: %s", r->range);
            ADD_HDR(rangebuf);
        }
#undef ADD_HDR
        if (oom) {
            curl_slist_free_all(h);
            curl_easy_cleanup(c);
            return dlk_err_nomem();
        }
        if (h) curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        cc = curl_easy_perform(c);
        if (cc == CURLE_OK) {
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
            curl_off_t cl = -1, ft = -1;
            curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
            curl_easy_getinfo(c, CURLINFO_FILETIME_T, &ft);
            r->content_length = (int64_t)cl;
            r->mtime_ms = ft >= 0 ? (int64_t)ft * 1000 : 0;
        }
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        if (cc == CURLE_WRITE_ERROR) return dlk_err_nomem();
        if (!retryable(cc, r->status, r)) break;
    }
    if (cc != CURLE_OK)
        return dlk_err_set(DLK_IO, "s3: %s %s: %s (after %d attempts)", r->method, r->url,
                           errbuf[0] ? errbuf : curl_easy_strerror(cc), S3_MAX_ATTEMPTS);
    return DLK_OK;
}

/* Map a non-2xx status to a dlk_status with the URL, status and S3 code. */
static int http_error(const s3_req *r, const char *what)
{
    char *code = dlk_s3__xml_text((const char *)r->resp.data, r->resp.len, "Code");
    char *msg = dlk_s3__xml_text((const char *)r->resp.data, r->resp.len, "Message");
    int st = r->status == 404 ? DLK_NOT_FOUND : r->status == 412 ? DLK_ALREADY_EXISTS : DLK_IO;
    const char *kind = r->status == 404   ? "not found"
                       : r->status == 403 ? "access denied"
                       : r->status == 401 ? "unauthorized"
                       : r->status == 412 ? "already exists (conditional write failed)"
                                          : "request failed";
    int rc = dlk_err_set(st, "s3: %s %s: %s (HTTP %ld%s%s%s%s)", r->method, what, kind, r->status,
                         code ? ", " : "", code ? code : "", msg ? ": " : "", msg ? msg : "");
    dlk_free(code);
    dlk_free(msg);
    return rc;
}

/* A request on one object key; url built here, display name is s3://b/k. */
static int object_req(s3_state *st, const char *key, s3_req *r, dlk_buf *disp)
{
    dlk_buf okey = {0}, url = {0};
    int rc = object_key(st, key, &okey);
    if (!rc) rc = object_url(st, dlk_buf_cstr(&okey), &url);
    if (!rc) rc = dlk_buf_printf(disp, "s3://%s/%s", st->bucket, dlk_buf_cstr(&okey));
    if (!rc) {
        r->url = dlk_buf_cstr(&url);
        rc = perform(st, r);
        r->url = NULL;
    }
    dlk_buf_free(&okey);
    dlk_buf_free(&url);
    return rc;
}

/* ---- vtable ---- */

static int s_head(void *self, const char *key, dlk_storage_entry *out)
{
    s3_req r = {.method = "HEAD"};
    dlk_buf disp = {0};
    int rc = object_req(self, key, &r, &disp);
    if (!rc && (r.status < 200 || r.status > 299)) rc = http_error(&r, dlk_buf_cstr(&disp));
    if (!rc && r.content_length < 0)
        rc = dlk_err_set(DLK_IO, "s3: HEAD %s: no Content-Length", dlk_buf_cstr(&disp));
    if (!rc) {
        out->key = NULL;
        out->size = r.content_length;
        out->mtime_ms = r.mtime_ms;
    }
    dlk_buf_free(&r.resp);
    dlk_buf_free(&disp);
    return rc;
}

static int s_get(void *self, const char *key, int64_t off, int64_t len, uint8_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (len == 0) { /* nothing to read: only check that the object exists */
        dlk_storage_entry e;
        int rc = s_head(self, key, &e);
        if (rc) return rc;
        *out = dlk_malloc(1);
        return *out ? DLK_OK : dlk_err_nomem();
    }
    char range[80];
    s3_req r = {.method = "GET"};
    if (off > 0 || len > 0) {
        if (len > 0)
            snprintf(range, sizeof range, "bytes=%lld-%lld", (long long)off,
                     (long long)(off + len - 1));
        else
            snprintf(range, sizeof range, "bytes=%lld-", (long long)off);
        r.range = range;
    }
    dlk_buf disp = {0};
    int rc = object_req(self, key, &r, &disp);
    if (!rc && r.status == 416) { /* range starts past the end: cut to nothing */
        dlk_buf_free(&r.resp);
        dlk_buf_free(&disp);
        *out = dlk_malloc(1);
        return *out ? DLK_OK : dlk_err_nomem();
    }
    if (!rc && r.status != 200 && r.status != 206) rc = http_error(&r, dlk_buf_cstr(&disp));
    if (!rc && r.status == 200 && r.range) {
        /* the server ignored the Range header: cut the part out ourselves */
        size_t total = r.resp.len;
        size_t from = (uint64_t)off > total ? total : (size_t)off;
        size_t want = len < 0 || (uint64_t)len > total - from ? total - from : (size_t)len;
        memmove(r.resp.data, r.resp.data + from, want);
        r.resp.len = want;
    } else if (!rc && len > 0 && r.resp.len > (uint64_t)len) {
        rc = dlk_err_set(DLK_IO, "s3: GET %s: %zu bytes for a range of %lld", dlk_buf_cstr(&disp),
                         r.resp.len, (long long)len);
    }
    if (!rc) {
        if (dlk_buf_reserve(&r.resp, 1)) {
            rc = dlk_err_nomem();
        } else {
            *n = r.resp.len;
            *out = r.resp.data;
            r.resp.data = NULL;
        }
    }
    dlk_buf_free(&r.resp);
    dlk_buf_free(&disp);
    return rc;
}

static int s_put(void *self, const char *key, const void *data, size_t len, int if_absent)
{
    s3_req r = {.method = "PUT", .body = data, .body_len = len, .if_none_match = if_absent != 0};
    dlk_buf disp = {0};
    int rc = object_req(self, key, &r, &disp);
    if (!rc && (r.status < 200 || r.status > 299)) rc = http_error(&r, dlk_buf_cstr(&disp));
    dlk_buf_free(&r.resp);
    dlk_buf_free(&disp);
    return rc;
}

static int s_del(void *self, const char *key)
{
    dlk_storage_entry e;
    int rc = s_head(self, key, &e); /* S3 deletes missing keys silently */
    if (rc) return rc;
    s3_req r = {.method = "DELETE"};
    dlk_buf disp = {0};
    rc = object_req(self, key, &r, &disp);
    if (!rc && (r.status < 200 || r.status > 299)) rc = http_error(&r, dlk_buf_cstr(&disp));
    dlk_buf_free(&r.resp);
    dlk_buf_free(&disp);
    return rc;
}

static int list_page(s3_state *st, const char *full_prefix, const char *full_after,
                     const char *token, dlk_s3_page *page)
{
    /* query parameters in sorted order, as SigV4's canonical request wants */
    dlk_buf url = {0};
    int rc = dlk_buf_printf(&url, "%s/", st->endpoint);
    if (!rc) rc = enc(&url, st->bucket, false);
    if (!rc) rc = dlk_buf_puts(&url, "?");
    if (!rc && token) {
        rc = dlk_buf_puts(&url, "continuation-token=");
        if (!rc) rc = enc(&url, token, false);
        if (!rc) rc = dlk_buf_puts(&url, "&");
    }
    if (!rc) rc = dlk_buf_puts(&url, "list-type=2&");
    if (!rc && st->max_keys > 0) rc = dlk_buf_printf(&url, "max-keys=%ld&", st->max_keys);
    if (!rc) rc = dlk_buf_puts(&url, "prefix=");
    if (!rc) rc = enc(&url, full_prefix, false);
    if (!rc && full_after && *full_after) {
        rc = dlk_buf_puts(&url, "&start-after=");
        if (!rc) rc = enc(&url, full_after, false);
    }
    if (rc) {
        dlk_buf_free(&url);
        return rc;
    }
    s3_req r = {.method = "GET", .url = dlk_buf_cstr(&url)};
    rc = perform(st, &r);
    if (!rc && r.status == 404) { /* NoSuchBucket */
        rc = http_error(&r, dlk_buf_cstr(&url));
    } else if (!rc && r.status != 200) {
        rc = http_error(&r, dlk_buf_cstr(&url));
    } else if (!rc) {
        rc = dlk_s3__parse_list((const char *)r.resp.data, r.resp.len, page);
    }
    dlk_buf_free(&r.resp);
    dlk_buf_free(&url);
    return rc;
}

static int s_list(void *self, const char *prefix, const char *after, dlk_storage_list *out)
{
    s3_state *st = self;
    dlk_buf fp = {0}, fa = {0}, last = {0};
    size_t cap = 0, plen = strlen(st->prefix);
    char *token = NULL;
    int rc = dlk_buf_puts(&fp, st->prefix);
    if (!rc) rc = dlk_buf_puts(&fp, prefix);
    if (!rc && after) {
        rc = dlk_buf_puts(&fa, st->prefix);
        if (!rc) rc = dlk_buf_puts(&fa, after);
    }
    for (long page_no = 0; !rc; page_no++) {
        if (page_no >= S3_MAX_PAGES) {
            rc = dlk_err_set(DLK_IO, "s3: listing s3://%s/%s: more than %d pages", st->bucket,
                             dlk_buf_cstr(&fp), S3_MAX_PAGES);
            break;
        }
        dlk_s3_page pg;
        rc = list_page(st, dlk_buf_cstr(&fp), after ? dlk_buf_cstr(&fa) : NULL, token, &pg);
        if (rc) break;
        bool progress = false;
        for (size_t i = 0; i < pg.items.count && !rc; i++) {
            const dlk_storage_entry *e = &pg.items.entries[i];
            /* keep only what the request asked for, once: a misbehaving
             * server must not make us return foreign or repeated keys */
            if (strncmp(e->key, dlk_buf_cstr(&fp), fp.len) != 0) continue;
            if (after && strcmp(e->key, dlk_buf_cstr(&fa)) <= 0) continue;
            if (last.len && strcmp(e->key, dlk_buf_cstr(&last)) <= 0) continue;
            rc = dlk_storage__list_add(out, &cap, e->key + plen, e->size, e->mtime_ms);
            progress = true;
        }
        /* pages come in key order: the next one starts after this one */
        if (!rc && progress) {
            dlk_buf_reset(&last);
            rc = dlk_buf_puts(&last, st->prefix);
            if (!rc) rc = dlk_buf_puts(&last, out->entries[out->count - 1].key);
        }
        dlk_free(token);
        token = NULL;
        bool more = pg.truncated;
        if (more && !rc && !progress)
            rc = dlk_err_set(DLK_IO,
                             "s3: listing s3://%s/%s: a truncated page brought no new keys "
                             "(the server repeats itself)",
                             st->bucket, dlk_buf_cstr(&fp));
        if (more && !rc) {
            if (!pg.next_token || !*pg.next_token)
                rc = dlk_err_set(DLK_IO,
                                 "s3: listing s3://%s/%s: truncated page without a "
                                 "NextContinuationToken",
                                 st->bucket, dlk_buf_cstr(&fp));
            token = pg.next_token;
            pg.next_token = NULL;
        }
        dlk_s3__page_free(&pg);
        if (!more) break;
    }
    dlk_free(token);
    dlk_buf_free(&fp);
    dlk_buf_free(&fa);
    dlk_buf_free(&last);
    if (rc) {
        dlk_storage_list_free(out);
        return rc;
    }
    dlk_storage__list_sort(out);
    return DLK_OK;
}

static void s_free(void *self)
{
    s3_state *st = self;
    if (!st) return;
    dlk_free(st->endpoint);
    dlk_free(st->bucket);
    dlk_free(st->prefix);
    dlk_free(st->region);
    if (st->userpwd) {
        memset(st->userpwd, 0, strlen(st->userpwd));
        dlk_free(st->userpwd);
    }
    dlk_free(st->token_hdr);
    dlk_free(st);
}

/* no streaming upload yet (multipart upload would be one): the storage
 * layer buffers an upload and puts it at commit */
static const dlk_storage_ops s3_ops = {.version = DLK_STORAGE_OPS_VERSION,
                                       .name = "s3",
                                       .get = s_get,
                                       .list = s_list,
                                       .head = s_head,
                                       .put = s_put,
                                       .del = s_del,
                                       .free = s_free};

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int parse_location(s3_state *st, const char *location)
{
    const char *p = strstr(location, "://") + 3;
    const char *slash = strchr(p, '/');
    size_t bl = slash ? (size_t)(slash - p) : strlen(p);
    if (bl == 0 || bl > 255)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "s3: no bucket in location '%s'", location);
    for (size_t i = 0; i < bl; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_'))
            return dlk_err_set(DLK_INVALID_ARGUMENT, "s3: bad bucket name in location '%s'",
                               location);
    }
    st->bucket = dlk_strndup(p, bl);
    dlk_buf pre = {0};
    int rc = st->bucket ? DLK_OK : dlk_err_nomem();
    const char *q = slash ? slash : p + bl;
    while (*q == '/')
        q++;
    size_t ql = strlen(q);
    while (ql && q[ql - 1] == '/')
        ql--;
    if (!rc && ql) {
        rc = dlk_buf_append(&pre, q, ql);
        if (!rc) rc = dlk_buf_putc(&pre, '/');
    }
    if (!rc) {
        st->prefix = pre.len ? dlk_buf_detach(&pre) : dlk_strdup("");
        if (!st->prefix) rc = dlk_err_nomem();
    }
    dlk_buf_free(&pre);
    return rc;
}

int dlk_storage__open_s3(const char *location, dlk_storage **out)
{
    *out = NULL;
    s3_state *st = dlk_calloc(1, sizeof *st);
    if (!st) return dlk_err_nomem();
    int rc = parse_location(st, location);
    const char *region = env("AWS_REGION");
    if (!region) region = env("AWS_DEFAULT_REGION");
    if (!region) region = "us-east-1";
    if (!rc && strlen(region) > 40)
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "s3: AWS_REGION too long");
    const char *ep = env("DELTALAKE_S3_ENDPOINT");
    if (!ep) ep = env("AWS_ENDPOINT_URL_S3");
    if (!ep) ep = env("AWS_ENDPOINT_URL");
    dlk_buf b = {0};
    if (!rc) {
        rc = ep ? dlk_buf_puts(&b, ep) : dlk_buf_printf(&b, "https://s3.%s.amazonaws.com", region);
        while (!rc && b.len && b.data[b.len - 1] == '/')
            b.data[--b.len] = 0;
        if (!rc && !dlk_str_starts_with(dlk_buf_cstr(&b), "http://") &&
            !dlk_str_starts_with(dlk_buf_cstr(&b), "https://"))
            rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                             "s3: endpoint '%s' must start with http:// or https://",
                             dlk_buf_cstr(&b));
        if (!rc && !(st->endpoint = dlk_buf_detach(&b))) rc = dlk_err_nomem();
    }
    dlk_buf_free(&b);
    if (!rc && !(st->region = dlk_strdup(region))) rc = dlk_err_nomem();
    const char *mk = env("DELTALAKE_S3_LIST_PAGE_SIZE");
    if (!rc && mk) {
        char *endp;
        long v = strtol(mk, &endp, 10);
        if (*endp || v < 1 || v > 1000)
            rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                             "s3: DELTALAKE_S3_LIST_PAGE_SIZE must be 1..1000, not '%s'", mk);
        st->max_keys = v;
    }
    if (!rc) snprintf(st->sigv4, sizeof st->sigv4, "aws:amz:%s:s3", region);
    const char *akid = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
    if (!rc && (akid != NULL) != (secret != NULL))
        rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                         "s3: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or neither, "
                         "for anonymous access)");
    if (!rc && akid) {
        if (strchr(akid, ':'))
            rc = dlk_err_set(DLK_INVALID_ARGUMENT, "s3: AWS_ACCESS_KEY_ID contains ':'");
        dlk_buf u = {0};
        if (!rc) rc = dlk_buf_printf(&u, "%s:%s", akid, secret);
        if (!rc && !(st->userpwd = dlk_buf_detach(&u))) rc = dlk_err_nomem();
        dlk_buf_free(&u);
        const char *tok = env("AWS_SESSION_TOKEN");
        if (!rc && tok) {
            dlk_buf t = {0};
            rc = dlk_buf_printf(&t, "x-amz-security-token: %s", tok);
            if (!rc && !(st->token_hdr = dlk_buf_detach(&t))) rc = dlk_err_nomem();
            dlk_buf_free(&t);
        }
    }
    if (!rc) rc = dlk_storage_new(&s3_ops, st, location, out);
    if (rc) s_free(st);
    return rc;
}

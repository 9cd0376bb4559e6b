/*
 * tests/interop/s3/test_s3_faults.c - the S3 backend against fake_s3.mjs, a
 * tiny S3 look-alike for what s3rver does not do: conditional PUT (a second
 * put-if-absent gets 412 -> DLK_ALREADY_EXISTS and the first content stays),
 * transient 503s (retried), a dead endpoint (IO after the retries), 403,
 * a server that ignores Range, and hostile ListObjectsV2 bodies (every one
 * gives DLK_IO or a correct listing, never a crash or a hang). Needs node.
 */
#include "deltalake/errors.h"
#include "deltalake/sys/storage.h"
#include "harness.h"
#include "interop/s3/s3_peer.h"

static s3_peer peer;
static int up;

static int has(const char *needle)
{
    return strstr(dlk_error_last()->message, needle) != NULL;
}

TEST(conditional_put)
{
    if (!up) SKIP("node not available");
    dlk_storage *s = open_s3("s3://cond/t");
    if (!s) {
        CHECK(0);
        return;
    }
    const char *k = "_delta_log/00000000000000000001.json";
    CHECK_OK(dlk_storage_put_if_absent(s, k, "first", 5));
    CHECK_RC(dlk_storage_put_if_absent(s, k, "second", 6), DLK_ALREADY_EXISTS);
    CHECK(has("HTTP 412"));
    CHECK(has("s3://cond/t/_delta_log/00000000000000000001.json"));
    char buf[32];
    CHECK_OK(get_str(s, k, buf, sizeof buf));
    CHECK_STR(buf, "first");
    /* a plain put replaces */
    CHECK_OK(dlk_storage_put(s, k, "third", 5));
    CHECK_OK(get_str(s, k, buf, sizeof buf));
    CHECK_STR(buf, "third");
    dlk_storage_entry e;
    CHECK_OK(dlk_storage_head(s, k, &e));
    CHECK_EQ_INT(e.size, 5);
    CHECK_EQ_INT(e.mtime_ms, 1714979289000LL); /* Mon, 06 May 2024 07:08:09 GMT */
    dlk_storage_free(&s);
}

TEST(retries)
{
    if (!up) SKIP("node not available");
    dlk_storage *s = open_s3("s3://flaky/t");
    if (!s) {
        CHECK(0);
        return;
    }
    /* every request fails twice with 503 first: all operations succeed */
    CHECK_OK(dlk_storage_put(s, "a.json", "hello", 5));
    char buf[32];
    CHECK_OK(get_str(s, "a.json", buf, sizeof buf));
    CHECK_STR(buf, "hello");
    dlk_storage_list l;
    CHECK_OK(dlk_storage_list_prefix(s, "", NULL, &l));
    CHECK_EQ_INT(l.count, 1);
    if (l.count == 1) CHECK_STR(l.entries[0].key, "a.json");
    dlk_storage_list_free(&l);
    dlk_storage_free(&s);
    /* always 503: IO after the retries, with the status and S3 code */
    s = open_s3("s3://down/t");
    if (!s) {
        CHECK(0);
        return;
    }
    CHECK_RC(get_str(s, "a.json", buf, sizeof buf), DLK_IO);
    CHECK(has("HTTP 503") && has("SlowDown"));
    dlk_storage_free(&s);
    /* nothing listening: IO naming the URL */
    char saved[64];
    snprintf(saved, sizeof saved, "%s", peer.endpoint);
    setenv("DELTALAKE_S3_ENDPOINT", "http://127.0.0.1:1", 1);
    s = open_s3("s3://cond/t");
    setenv("DELTALAKE_S3_ENDPOINT", saved, 1);
    if (!s) {
        CHECK(0);
        return;
    }
    CHECK_RC(get_str(s, "a.json", buf, sizeof buf), DLK_IO);
    CHECK(has("127.0.0.1:1"));
    dlk_storage_free(&s);
}

TEST(denied)
{
    if (!up) SKIP("node not available");
    dlk_storage *s = open_s3("s3://denied/t");
    if (!s) {
        CHECK(0);
        return;
    }
    char buf[8];
    CHECK_RC(get_str(s, "x", buf, sizeof buf), DLK_IO);
    CHECK(has("access denied") && has("HTTP 403") && has("AccessDenied"));
    dlk_storage_list l;
    CHECK_RC(dlk_storage_list_prefix(s, "", NULL, &l), DLK_IO);
    CHECK_RC(dlk_storage_put(s, "x", "y", 1), DLK_IO);
    dlk_storage_free(&s);
}

TEST(range_ignored)
{
    if (!up) SKIP("node not available");
    dlk_storage *s = open_s3("s3://norange/t");
    if (!s) {
        CHECK(0);
        return;
    }
    CHECK_OK(dlk_storage_put(s, "f", "0123456789", 10));
    uint8_t *d = NULL;
    size_t n = 0;
    CHECK_OK(dlk_storage_get_range(s, "f", 3, 4, &d, &n));
    CHECK_EQ_INT(n, 4);
    if (n == 4) CHECK(memcmp(d, "3456", 4) == 0);
    dlk_storage_bytes_free(d);
    CHECK_OK(dlk_storage_get_range(s, "f", 8, 10, &d, &n));
    CHECK_EQ_INT(n, 2);
    if (n == 2) CHECK(memcmp(d, "89", 2) == 0);
    dlk_storage_bytes_free(d);
    CHECK_OK(dlk_storage_get_range(s, "f", 20, 10, &d, &n));
    CHECK_EQ_INT(n, 0);
    dlk_storage_bytes_free(d);
    dlk_storage_free(&s);
}

TEST(hostile_listings)
{
    if (!up) SKIP("node not available");
    dlk_storage *s = open_s3("s3://hostile");
    if (!s) {
        CHECK(0);
        return;
    }
    const char *bad[] = {"loop/", "notoken/", "garbage/",  "notxml/", "badent/",
                         "nul/",  "negsize/", "hugesize/", "nokey/",  "emptykey/"};
    dlk_storage_list l;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = dlk_storage_list_prefix(s, bad[i], NULL, &l);
        if (rc != DLK_IO) fprintf(stderr, "prefix %s: rc %d\n", bad[i], rc);
        CHECK_EQ_INT(rc, DLK_IO);
        CHECK_EQ_INT(l.count, 0);
        dlk_storage_list_free(&l);
    }
    /* cut off / deeply nested: no entries (the Contents never close) */
    CHECK_OK(dlk_storage_list_prefix(s, "cut/", NULL, &l));
    CHECK_EQ_INT(l.count, 0);
    dlk_storage_list_free(&l);
    CHECK_OK(dlk_storage_list_prefix(s, "deep/", NULL, &l));
    CHECK_EQ_INT(l.count, 0);
    dlk_storage_list_free(&l);
    /* keys outside the prefix are dropped; entities are decoded */
    CHECK_OK(dlk_storage_list_prefix(s, "foreign/", NULL, &l));
    CHECK_EQ_INT(l.count, 1);
    if (l.count == 1) {
        CHECK_STR(l.entries[0].key, "foreign/ok&<\xe2\x98\xba");
        CHECK_EQ_INT(l.entries[0].size, 2);
        CHECK_EQ_INT(l.entries[0].mtime_ms, 1714979289123LL);
    }
    dlk_storage_list_free(&l);
    dlk_storage_free(&s);
}

TEST(bad_config)
{
    dlk_storage *s = NULL;
    CHECK_RC(dlk_storage_open("s3://", &s), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_storage_open("s3:///x", &s), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_storage_open("s3://bad bucket/x", &s), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_storage_open("gs://b/x", &s), DLK_UNSUPPORTED);
    char saved[64];
    snprintf(saved, sizeof saved, "%s",
             getenv("DELTALAKE_S3_ENDPOINT") ? getenv("DELTALAKE_S3_ENDPOINT") : "");
    setenv("DELTALAKE_S3_ENDPOINT", "ftp://x", 1);
    CHECK_RC(dlk_storage_open("s3://b/x", &s), DLK_INVALID_ARGUMENT);
    setenv("DELTALAKE_S3_ENDPOINT", saved, 1);
    setenv("DELTALAKE_S3_LIST_PAGE_SIZE", "0", 1);
    CHECK_RC(dlk_storage_open("s3://b/x", &s), DLK_INVALID_ARGUMENT);
    unsetenv("DELTALAKE_S3_LIST_PAGE_SIZE");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    CHECK_RC(dlk_storage_open("s3://b/x", &s), DLK_INVALID_ARGUMENT);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    CHECK(s == NULL);
}

int main(void)
{
    if (s3_peer_start(&peer, "fake_s3.mjs", NULL) != 0) {
        fprintf(stderr, "SKIP: could not start node tests/interop/s3/fake_s3.mjs (is node "
                        "installed?); S3 fault tests are NOT run\n");
        s3_peer_stop(&peer);
    } else {
        up = 1;
    }
    RUN(conditional_put);
    RUN(retries);
    RUN(denied);
    RUN(range_ignored);
    RUN(hostile_listings);
    RUN(bad_config);
    s3_peer_stop(&peer);
    return harness_done();
}
